-- Least privilege for the portal pool (issue 12, item 4).
--
-- Until now portal_web could INSERT into sessions and UPDATE
-- users.hashed_password: with the portal pool's database password (or code
-- running in that pool) a session row for a superuser opened /admin/ in the
-- admin pool, and any user's hash could be replaced. From here on portal_web
-- writes no table that decides who is who or who sees what (users,
-- sessions, user_roles, role_reports, audit_log, login_throttle): what the
-- portal pool must do goes through the SECURITY DEFINER functions below,
-- each of which does one thing and writes its own audit row in the same
-- transaction. They run as the owner (portal_owner), with a fixed
-- search_path, and only the roles named in the GRANTs may call them.
--
-- What portal_web can still do, and why that is not admin power:
--  * session_login_succeeded() opens a session for any active account with
--    a password: the database cannot check an argon2 password, so the C
--    code of the portal pool (lib/session.c) verifies it before the call. A
--    session minted this way acts as that user in the portal pool (reads
--    the reports the user may see), but /admin/ also needs
--    sessions.admin_confirmed_until, which only portal_admin may write, and
--    the admin pool sets it only after it has verified the password itself
--    (/admin/confirm).
--  * session_password_change() changes only the password of the session's
--    own user (it takes the session token, not a user id), ends that
--    user's other sessions, and refuses superusers: otherwise minting a
--    session and "changing its own password" would be a reset of a
--    superuser's password, and with it the confirmation step would fall.
--    Superusers change their password in the admin pool.
--  * session_login_failed() counts failures for any (name, address): the
--    same anyone can do from their own address through the sign-in form.
--  * session_purge() accepts an idle timeout of at least 60 s: it can end
--    sessions idle longer than that (a nuisance, not an escalation).
-- There is no rehash on sign-in any more: a function that stores a hash
-- the caller computed, without the database being able to check the
-- password, is a password reset in disguise. Hashes get the configured
-- parameters when the password is next set (by its user, a reset, or
-- portalctl user passwd), and when a superuser confirms in the admin pool.

-- Set by the admin pool's confirmation (POST /admin/confirm), for 15 minutes
-- from that moment (fixed, not sliding); NULL: not confirmed. No function
-- callable by portal_web writes it.
ALTER TABLE sessions ADD COLUMN admin_confirmed_until timestamptz;

-- The session check at the head of every page statement of both pools
-- (SESSION_CTE in lib/session.h): the session of token p_token (the cookie's
-- 32 bytes; only sha256 of it is stored), live by both timeouts, of an
-- active user; touches last_seen_at at most once a minute. p_idle is the
-- pool's idle timeout in seconds, bounded here by PORTAL_SESSION_IDLE's
-- range (60 .. 86400). PL/pgSQL rather than SQL: its plans are kept for the
-- life of the connection (a SQL function's are made again on every call),
-- and the touch is a separate UPDATE that runs only when it is due. ROWS 1:
-- the planner of every page statement otherwise assumes 1000 rows.
CREATE FUNCTION session_current(p_token bytea, p_idle integer)
	RETURNS TABLE (sid bigint, uid bigint, username text, display_name text, email text,
		is_superuser boolean, must_change_password boolean, csrf text,
		admin_confirmed boolean)
	LANGUAGE plpgsql VOLATILE STRICT SECURITY DEFINER SET search_path = public, pg_temp
	ROWS 1
	AS $$
#variable_conflict use_column
DECLARE
	r record;
BEGIN
	SELECT s.id, s.last_seen_at, s.csrf_secret, s.admin_confirmed_until, u.id AS user_id,
		u.username, u.display_name, u.email, u.is_superuser, u.must_change_password
	INTO r
	FROM sessions s JOIN users u ON u.id = s.user_id
	WHERE s.token_hash = sha256(p_token) AND s.expires_at > now()
	  AND s.last_seen_at > now() - make_interval(secs => least(greatest(p_idle, 60), 86400))
	  AND u.is_active;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	IF r.last_seen_at < now() - interval '1 minute' THEN
		UPDATE sessions SET last_seen_at = now() WHERE id = r.id;
	END IF;
	sid := r.id;
	uid := r.user_id;
	username := r.username::text;
	display_name := r.display_name;
	email := r.email::text;
	is_superuser := r.is_superuser;
	must_change_password := r.must_change_password;
	csrf := encode(r.csrf_secret, 'hex');
	admin_confirmed := coalesce(r.admin_confirmed_until > now(), false);
	RETURN NEXT;
END
$$;

-- A sign-in whose password lib/session.c has verified: opens a session for
-- p_uid, which must be active, have a password and carry the name typed
-- (p_login, its username or email address, so that only that name's
-- throttle is cleared). The lifetime is bounded by PORTAL_SESSION_MAX's
-- range (300 s .. 7 days). Also deletes the user's expired sessions, the
-- (name, address) throttle row and throttle rows older than a day, resets
-- failed_logins and sets last_login_at; audit row login.success. Returns
-- the session id, NULL when p_uid may not sign in.
CREATE FUNCTION session_login_succeeded(p_uid bigint, p_token bytea, p_csrf bytea,
		p_lifetime integer, p_ip inet, p_user_agent text, p_login text)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
DECLARE
	v_sid bigint;
BEGIN
	PERFORM 1 FROM users
	WHERE id = p_uid AND is_active AND hashed_password IS NOT NULL
	  AND (username = p_login::citext OR email = p_login::citext)
	FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	INSERT INTO sessions (token_hash, user_id, csrf_secret, expires_at, ip, user_agent)
	VALUES (sha256(p_token), p_uid, p_csrf,
		now() + make_interval(secs => least(greatest(coalesce(p_lifetime, 0), 300), 604800)),
		p_ip, left(p_user_agent, 512))
	RETURNING id INTO v_sid;
	DELETE FROM sessions WHERE user_id = p_uid AND expires_at < now();
	UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = now()
	WHERE id = p_uid;
	DELETE FROM login_throttle
	WHERE (name_hash, ip) = (login_throttle_key(p_login), coalesce(p_ip, '::'))
	   OR last_failure_at < now() - interval '1 day';
	INSERT INTO audit_log (actor_id, action, target_type, target_id, details, ip)
	VALUES (p_uid, 'login.success', 'user', p_uid, jsonb_build_object('rehashed', false), p_ip);
	RETURN v_sid;
END
$$;

-- A failed sign-in (or a failed confirmation in the admin pool) for the
-- pair (p_login as typed, p_ip), whatever the reason: the 5th failure
-- within a day makes the pair wait 1 s before its next attempt is even
-- checked, each further one doubles the wait, up to 15 minutes; a row last
-- failed more than a day ago starts again at 1, and other such rows are
-- pruned. users.failed_logins counts wrong passwords of p_uid, only when
-- p_uid has the name typed. Audit rows login.failure (admin.confirm_failed
-- for reason admin_confirm) and, at the 5th failure, login.throttled.
-- Returns the pair's failures.
CREATE FUNCTION session_login_failed(p_uid bigint, p_ip inet, p_reason text, p_login text)
	RETURNS integer
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
DECLARE
	v_key bytea := login_throttle_key(coalesce(p_login, ''));
	v_ip inet := coalesce(p_ip, '::');
	v_uid bigint;
	v_failures integer;
	v_next timestamptz;
BEGIN
	IF p_reason IS NULL OR p_reason NOT IN ('unknown_user', 'inactive', 'no_password',
			'bad_password', 'admin_confirm') THEN
		RAISE EXCEPTION 'session_login_failed: unknown reason %', p_reason
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT id INTO v_uid FROM users
	WHERE id = p_uid AND (username = p_login::citext OR email = p_login::citext);
	IF p_reason IN ('bad_password', 'admin_confirm') AND v_uid IS NOT NULL THEN
		UPDATE users SET failed_logins = failed_logins + 1 WHERE id = v_uid;
	END IF;
	DELETE FROM login_throttle
	WHERE last_failure_at < now() - interval '1 day' AND (name_hash, ip) <> (v_key, v_ip);
	INSERT INTO login_throttle AS t (name_hash, ip, failures)
	VALUES (v_key, v_ip, 1)
	ON CONFLICT (name_hash, ip) DO UPDATE SET last_failure_at = now(),
		failures = CASE WHEN t.last_failure_at < now() - interval '1 day' THEN 1
			ELSE t.failures + 1 END,
		next_allowed_at = CASE WHEN t.last_failure_at >= now() - interval '1 day'
			AND t.failures + 1 >= 5
			THEN now() + make_interval(secs => least(1 << least(t.failures - 4, 10), 900))
			ELSE now() END
	RETURNING failures, next_allowed_at INTO v_failures, v_next;
	INSERT INTO audit_log (actor_id, action, target_type, target_id, details, ip)
	VALUES (v_uid, CASE WHEN p_reason = 'admin_confirm' THEN 'admin.confirm_failed'
			ELSE 'login.failure' END,
		'user', v_uid, jsonb_build_object('reason', p_reason), p_ip);
	IF v_failures = 5 THEN
		INSERT INTO audit_log (actor_id, action, target_type, target_id, details, ip)
		VALUES (v_uid, 'login.throttled', 'user', v_uid,
			jsonb_build_object('until', v_next, 'failures', v_failures), p_ip);
	END IF;
	RETURN v_failures;
END
$$;

-- Sign-out: ends the session of token p_token, audit row logout. Returns
-- the user's id, NULL when there was no such session.
CREATE FUNCTION session_end(p_token bytea, p_ip inet) RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
DECLARE
	v_uid bigint;
BEGIN
	DELETE FROM sessions WHERE token_hash = sha256(p_token) RETURNING user_id INTO v_uid;
	IF v_uid IS NOT NULL THEN
		INSERT INTO audit_log (actor_id, action, target_type, target_id, ip)
		VALUES (v_uid, 'logout', 'user', v_uid, p_ip);
	END IF;
	RETURN v_uid;
END
$$;

-- Sign out everywhere: ends every session of the user of the live session
-- p_token, audit row sessions.ended_all. Returns the number ended, NULL
-- when p_token is no live session.
CREATE FUNCTION session_end_all(p_token bytea, p_ip inet) RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
DECLARE
	v_uid bigint;
	v_n bigint;
BEGIN
	SELECT user_id INTO v_uid FROM sessions
	WHERE token_hash = sha256(p_token) AND expires_at > now();
	IF v_uid IS NULL THEN
		RETURN NULL;
	END IF;
	DELETE FROM sessions WHERE user_id = v_uid;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	INSERT INTO audit_log (actor_id, action, target_type, target_id, details, ip)
	VALUES (v_uid, 'sessions.ended_all', 'user', v_uid, jsonb_build_object('sessions', v_n), p_ip);
	RETURN v_n;
END
$$;

-- The user's own password change: p_token must be a live session (both
-- timeouts, p_idle bounded as in session_current) of an active user who is
-- not a superuser. Stores p_hash (the CHECK on users wants an argon2id PHC
-- string), clears must_change_password, failed_logins and the account's
-- throttle rows, ends every session of the user and opens a new one for
-- this browser (p_new_token, p_new_csrf, lifetime as in
-- session_login_succeeded); audit row password.changed. Returns the new
-- session's id, NULL when refused. The database cannot check the current
-- password (argon2 is not in PostgreSQL): lib/session.c verifies it
-- before the call, so what this function guarantees is "only the password
-- of the session's own user".
CREATE FUNCTION session_password_change(p_token bytea, p_idle integer, p_hash text,
		p_new_token bytea, p_new_csrf bytea, p_lifetime integer, p_ip inet, p_user_agent text)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
DECLARE
	v_uid bigint;
	v_sid bigint;
BEGIN
	SELECT u.id INTO v_uid
	FROM sessions s JOIN users u ON u.id = s.user_id
	WHERE s.token_hash = sha256(p_token) AND s.expires_at > now()
	  AND s.last_seen_at > now() - make_interval(secs => least(greatest(p_idle, 60), 86400))
	  AND u.is_active AND NOT u.is_superuser
	FOR NO KEY UPDATE OF u;
	IF v_uid IS NULL THEN
		RETURN NULL;
	END IF;
	UPDATE users SET hashed_password = p_hash, password_changed_at = now(), failed_logins = 0,
		locked_until = NULL, must_change_password = false
	WHERE id = v_uid;
	PERFORM login_throttle_clear(v_uid);
	DELETE FROM sessions WHERE user_id = v_uid;
	INSERT INTO sessions (token_hash, user_id, csrf_secret, expires_at, ip, user_agent)
	VALUES (sha256(p_new_token), v_uid, p_new_csrf,
		now() + make_interval(secs => least(greatest(coalesce(p_lifetime, 0), 300), 604800)),
		p_ip, left(p_user_agent, 512))
	RETURNING id INTO v_sid;
	INSERT INTO audit_log (actor_id, action, target_type, target_id, ip)
	VALUES (v_uid, 'password.changed', 'user', v_uid, p_ip);
	RETURN v_sid;
END
$$;

-- Deletes every session past its absolute or idle timeout (p_idle at least
-- 60 s): exactly the sessions session_current no longer accepts. No index
-- on last_seen_at (every touch would update it): a scan of the live
-- sessions every few minutes costs less. Returns the number deleted.
CREATE FUNCTION session_purge(p_idle integer) RETURNS bigint
	LANGUAGE plpgsql VOLATILE STRICT SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
DECLARE
	v_n bigint;
BEGIN
	DELETE FROM sessions WHERE expires_at <= now()
	   OR last_seen_at <= now() - make_interval(secs => least(greatest(p_idle, 60), 86400));
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END
$$;

REVOKE ALL ON FUNCTION session_current(bytea, integer),
	session_login_succeeded(bigint, bytea, bytea, integer, inet, text, text),
	session_login_failed(bigint, inet, text, text),
	session_end(bytea, inet),
	session_end_all(bytea, inet),
	session_password_change(bytea, integer, text, bytea, bytea, integer, inet, text),
	session_purge(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION session_current(bytea, integer),
	session_login_succeeded(bigint, bytea, bytea, integer, inet, text, text),
	session_login_failed(bigint, inet, text, text),
	session_end(bytea, inet),
	session_end_all(bytea, inet),
	session_password_change(bytea, integer, text, bytea, bytea, integer, inet, text),
	session_purge(integer) TO portal_web;
-- The admin pool checks sessions, counts failed confirmations like failed
-- sign-ins, and purges; it signs in nobody.
GRANT EXECUTE ON FUNCTION session_current(bytea, integer),
	session_login_failed(bigint, inet, text, text),
	session_end(bytea, inet),
	session_purge(integer) TO portal_admin;

-- portal_web: reads what it reads, writes none of these tables.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON users, sessions, user_roles, role_reports, audit_log,
	login_throttle FROM portal_web;
REVOKE UPDATE (failed_logins, locked_until, last_login_at, hashed_password, password_changed_at,
	must_change_password) ON users FROM portal_web;
REVOKE USAGE ON SEQUENCE sessions_id_seq, audit_log_id_seq FROM portal_web;

-- portal_admin: the touch is session_current's now; of sessions it updates
-- only the confirmation.
REVOKE UPDATE ON sessions FROM portal_admin;
GRANT UPDATE (admin_confirmed_until) ON sessions TO portal_admin;

-- The access maintenance functions (0004, 0006) were executable by PUBLIC:
-- anyone could hold the grant lock and stall every grant change, or prune
-- and rebuild report_access. Only the owner calls them now, from the
-- SECURITY DEFINER triggers (which run as the owner whoever fires them)
-- and for bulk loads. Trigger functions cannot be called directly; their
-- EXECUTE goes too, as the triggers do not need it.
REVOKE EXECUTE ON FUNCTION access_lock(), access_prune(bigint[], bigint[]), access_rebuild(),
	access_user_roles_added(), access_user_roles_removed(), access_role_reports_added(),
	access_role_reports_removed(), access_role_active_changed(), access_counts_follow(),
	reports_listing_follow(), set_updated_at() FROM PUBLIC;
