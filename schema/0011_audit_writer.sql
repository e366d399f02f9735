-- One writer of the audit log (issue 12, item 2).
--
-- Until now every operation wrote its own INSERT INTO audit_log (some dozen
-- statements in lib/ and the functions of 0010), and portal_admin could
-- append any row it liked. From here on exactly one thing writes audit
-- rows: audit_write() below. Every operation of lib/ (users, roles,
-- reports, grants, sessions, the import, the audit checkpoint) calls it in
-- the statement that makes its change, so the row is in the same
-- transaction; the functions of 0010 are redefined here to call it. The
-- database refuses every other writer:
--  * portal_admin loses INSERT on audit_log (portal_web lost it in 0010);
--    the pools' roles may only EXECUTE audit_write, and portal_web not even
--    that: its rows come from its own SECURITY DEFINER functions;
--  * audit_log_by_writer, a BEFORE INSERT trigger that fires before the
--    chain's (triggers fire in name order), refuses a row unless
--    audit_write is writing it: the function sets portal.audit_writer
--    around its INSERT and clears it after (set_config, local to the
--    transaction; a function's SET clause may not name a custom setting
--    unless a superuser made it), so a plain INSERT of the owner
--    (portalctl connects as the owner) fails too.
--    Whoever may INSERT (the owner, a superuser) could set that flag by
--    hand; neither pool role may INSERT at all, and the chain (0009) shows
--    any row written past the trigger by a superuser.

-- Writes one audit row: p_actor the acting user (NULL: nobody, the
-- console), p_via the channel (web, portalctl, sso, directory; NULL: none
-- named), p_ip the client address, p_action the event ("user.created"),
-- p_target_type and p_target_id what it is about, p_details the values
-- before and after (NULL: none). The channel goes into details as "via",
-- where every reader of the log has found it since 0003. Returns the row
-- as stored, linked by the chain's trigger (0009): its id, seq and hash.
-- A statement calls it in a CTE that its final SELECT reads (a CTE that
-- only SELECTs is not run unless read), or in FROM for one row.
CREATE FUNCTION audit_write(p_actor bigint, p_via text, p_ip inet, p_action text,
		p_target_type text, p_target_id bigint, p_details jsonb)
	RETURNS audit_log
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, public, pg_temp
	AS $$
DECLARE
	v_row audit_log;
BEGIN
	IF p_action IS NULL OR p_action !~ '^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$' THEN
		RAISE EXCEPTION 'audit_write: action must be like "user.created", not %', p_action
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF p_via IS NOT NULL AND p_via NOT IN ('web', 'portalctl', 'sso', 'directory') THEN
		RAISE EXCEPTION 'audit_write: unknown channel %', p_via
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM set_config('portal.audit_writer', 'on', true);
	INSERT INTO public.audit_log (actor_id, action, target_type, target_id, details, ip)
	VALUES (p_actor, p_action, p_target_type, p_target_id,
		coalesce(p_details, '{}'::jsonb)
			|| CASE WHEN p_via IS NULL THEN '{}'::jsonb
				ELSE jsonb_build_object('via', p_via) END,
		p_ip)
	RETURNING * INTO v_row;
	PERFORM set_config('portal.audit_writer', '', true);
	RETURN v_row;
END
$$;

CREATE FUNCTION audit_log_by_writer() RETURNS trigger
	LANGUAGE plpgsql
	AS $$
BEGIN
	IF coalesce(current_setting('portal.audit_writer', true), '') <> 'on' THEN
		RAISE EXCEPTION 'audit rows are written by audit_write() only'
			USING ERRCODE = 'insufficient_privilege',
			HINT = 'SELECT audit_write(actor, channel, address, action, target type, target id, details)';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER audit_log_by_writer BEFORE INSERT ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_log_by_writer();

REVOKE ALL ON FUNCTION audit_write(bigint, text, inet, text, text, bigint, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION audit_log_by_writer() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_write(bigint, text, inet, text, text, bigint, jsonb) TO portal_admin;
REVOKE INSERT ON audit_log FROM portal_admin;

-- The functions of 0010, each as it was but for its audit row, which now
-- comes from audit_write with the channel "web" (the pools are its only
-- callers). Their grants stay as 0010 made them.

CREATE OR REPLACE FUNCTION session_login_succeeded(p_uid bigint, p_token bytea, p_csrf bytea,
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
	PERFORM audit_write(p_uid, 'web', p_ip, 'login.success', 'user', p_uid,
		jsonb_build_object('rehashed', false));
	RETURN v_sid;
END
$$;

CREATE OR REPLACE FUNCTION session_login_failed(p_uid bigint, p_ip inet, p_reason text, p_login text)
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
	PERFORM audit_write(v_uid, 'web', p_ip,
		CASE WHEN p_reason = 'admin_confirm' THEN 'admin.confirm_failed' ELSE 'login.failure' END,
		'user', v_uid, jsonb_build_object('reason', p_reason));
	IF v_failures = 5 THEN
		PERFORM audit_write(v_uid, 'web', p_ip, 'login.throttled', 'user', v_uid,
			jsonb_build_object('until', v_next, 'failures', v_failures));
	END IF;
	RETURN v_failures;
END
$$;

CREATE OR REPLACE FUNCTION session_end(p_token bytea, p_ip inet) RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
DECLARE
	v_uid bigint;
BEGIN
	DELETE FROM sessions WHERE token_hash = sha256(p_token) RETURNING user_id INTO v_uid;
	IF v_uid IS NOT NULL THEN
		PERFORM audit_write(v_uid, 'web', p_ip, 'logout', 'user', v_uid, NULL);
	END IF;
	RETURN v_uid;
END
$$;

CREATE OR REPLACE FUNCTION session_end_all(p_token bytea, p_ip inet) RETURNS bigint
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
	PERFORM audit_write(v_uid, 'web', p_ip, 'sessions.ended_all', 'user', v_uid,
		jsonb_build_object('sessions', v_n));
	RETURN v_n;
END
$$;

CREATE OR REPLACE FUNCTION session_password_change(p_token bytea, p_idle integer, p_hash text,
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
	PERFORM audit_write(v_uid, 'web', p_ip, 'password.changed', 'user', v_uid, NULL);
	RETURN v_sid;
END
$$;
