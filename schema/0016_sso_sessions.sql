-- Single sign-on (issue 15): a session records how it was made.
--
-- Until now every session came from a password checked by the portal pool.
-- From here on a session can also come from a Kerberos ticket (SPNEGO,
-- checked by the portal pool with GSS-API against the service's keytab) or
-- from a REMOTE_USER that nginx set after its auth_request (an OIDC or SAML
-- front end). sessions.auth_method says which; sessions.auth_identity keeps
-- what the front end or the KDC said (the principal, the REMOTE_USER), so
-- that the pool can end a session whose front-end identity changes.
--
-- The one function that opens sessions, session_login_succeeded(), takes
-- the method and the identity; its seven-argument form (the pools before
-- this migration) stays as a wrapper for 'password', so that the old pools
-- keep signing in until they are restarted. What it opens for an SSO method,
-- and why that is no more power than before:
--  * an active account with the username p_login, with or without a
--    password (SSO users often have none). portal_web could already open a
--    session for any active account with a password; now also for those
--    without one. Such a session is still no admin power: /admin/ needs the
--    confirmation, which asks for a password the account does not have.
--  * the audit row is login.success with the channel "sso" and the method
--    and identity in its details; failed_logins and the sign-in throttle,
--    which are about passwords, are left as they are.

ALTER TABLE sessions
	ADD COLUMN auth_method text NOT NULL DEFAULT 'password'
		CONSTRAINT sessions_auth_method_check
		CHECK (auth_method IN ('password', 'negotiate', 'remote-user')),
	ADD COLUMN auth_identity text
		CONSTRAINT sessions_auth_identity_check
		CHECK (char_length(auth_identity) <= 512 AND portal_visible_text(auth_identity));

-- Opens a session for p_uid (see 0010 for the password case, unchanged):
-- p_method 'password' needs an active account with a password that has the
-- name typed (p_login, username or email); 'negotiate' and 'remote-user'
-- need an active account whose username is p_login, the name the pool
-- mapped from p_identity (the principal or REMOTE_USER). Returns the session
-- id, NULL when p_uid may not sign in this way.
CREATE FUNCTION session_login_succeeded(p_uid bigint, p_token bytea, p_csrf bytea,
		p_lifetime integer, p_ip inet, p_user_agent text, p_login text,
		p_method text, p_identity text)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
DECLARE
	v_sid bigint;
	v_password boolean := p_method = 'password';
BEGIN
	IF p_method IS NULL OR p_method NOT IN ('password', 'negotiate', 'remote-user') THEN
		RAISE EXCEPTION 'session_login_succeeded: unknown method %', p_method
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF v_password THEN
		PERFORM 1 FROM users
		WHERE id = p_uid AND is_active AND hashed_password IS NOT NULL
		  AND (username = p_login::citext OR email = p_login::citext)
		FOR NO KEY UPDATE;
	ELSE
		PERFORM 1 FROM users
		WHERE id = p_uid AND is_active AND username = p_login::citext
		FOR NO KEY UPDATE;
	END IF;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	INSERT INTO sessions (token_hash, user_id, csrf_secret, expires_at, ip, user_agent,
		auth_method, auth_identity)
	VALUES (sha256(p_token), p_uid, p_csrf,
		now() + make_interval(secs => least(greatest(coalesce(p_lifetime, 0), 300), 604800)),
		p_ip, left(p_user_agent, 512), p_method,
		CASE WHEN v_password THEN NULL ELSE left(p_identity, 512) END)
	RETURNING id INTO v_sid;
	DELETE FROM sessions WHERE user_id = p_uid AND expires_at < now();
	IF v_password THEN
		UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = now()
		WHERE id = p_uid;
		DELETE FROM login_throttle
		WHERE (name_hash, ip) = (login_throttle_key(p_login), coalesce(p_ip, '::'))
		   OR last_failure_at < now() - interval '1 day';
		PERFORM audit_write(p_uid, 'web', p_ip, 'login.success', 'user', p_uid,
			jsonb_build_object('rehashed', false, 'method', p_method));
	ELSE
		UPDATE users SET last_login_at = now() WHERE id = p_uid;
		PERFORM audit_write(p_uid, 'sso', p_ip, 'login.success', 'user', p_uid,
			jsonb_build_object('method', p_method, 'identity', left(p_identity, 512)));
	END IF;
	RETURN v_sid;
END
$$;

-- The form of 0010/0011, for pools built before this migration.
CREATE OR REPLACE FUNCTION session_login_succeeded(p_uid bigint, p_token bytea, p_csrf bytea,
		p_lifetime integer, p_ip inet, p_user_agent text, p_login text)
	RETURNS bigint
	LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
	SELECT session_login_succeeded(p_uid, p_token, p_csrf, p_lifetime, p_ip, p_user_agent,
		p_login, 'password', NULL)
$$;

-- session_current() of 0010 with two more columns: how the session was
-- made and the identity the front end gave. A function's result type
-- cannot change in place, so it is made again (with its grants); the
-- pools' statements read it through "SELECT * FROM session_current(...)"
-- and are planned again.
DROP FUNCTION session_current(bytea, integer);
CREATE FUNCTION session_current(p_token bytea, p_idle integer)
	RETURNS TABLE (sid bigint, uid bigint, username text, display_name text, email text,
		is_superuser boolean, must_change_password boolean, csrf text,
		admin_confirmed boolean, auth_method text, auth_identity text)
	LANGUAGE plpgsql VOLATILE STRICT SECURITY DEFINER SET search_path = public, pg_temp
	ROWS 1
	AS $$
#variable_conflict use_column
DECLARE
	r record;
BEGIN
	SELECT s.id, s.last_seen_at, s.csrf_secret, s.admin_confirmed_until, u.id AS user_id,
		u.username, u.display_name, u.email, u.is_superuser, u.must_change_password,
		s.auth_method AS method, s.auth_identity AS identity
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
	auth_method := r.method;
	auth_identity := r.identity;
	RETURN NEXT;
END
$$;

REVOKE ALL ON FUNCTION session_current(bytea, integer),
	session_login_succeeded(bigint, bytea, bytea, integer, inet, text, text, text, text)
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION session_current(bytea, integer) TO portal_web, portal_admin;
GRANT EXECUTE ON FUNCTION
	session_login_succeeded(bigint, bytea, bytea, integer, inet, text, text, text, text)
	TO portal_web;

-- Provisioning (PORTAL_SSO_PROVISION=1): a user whom single sign-on vouched
-- for but the portal does not know is created at sign-in. The portal pool
-- may not write users (0010), so provisioning moves into a function: the
-- statement that lib/users.c ran for users_provision() (the CSV import, the
-- directory) is now user_provision(), its one home, and users_provision()
-- calls it. The portal pool gets sso_user_provision() only, which creates a
-- user that no one has the name or the address of (no password, no role,
-- not a superuser) through that same function, and never changes one.
--
-- user_provision: $1 actor, $2 channel, $3 address (the audit row's), $4
-- username, $5 email, $6 display name ('' keeps the stored one, or the
-- username for a new user), $7 the source (written into the audit row as
-- "import"). Creates the user (no password) or, when they differ, updates
-- email and display name. An email another user has writes nothing and
-- names that user. The values before and after, for the caller to show.
CREATE FUNCTION user_provision(p_actor bigint, p_via text, p_ip inet, p_username text,
		p_email text, p_display_name text, p_source text)
	RETURNS TABLE (id bigint, created bigint, updated bigint, taken_by text, old_email text,
		old_name text, audited bigint)
	LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
	WITH old AS (SELECT * FROM users WHERE username = $4::citext FOR UPDATE),
	 taken AS (SELECT username::text AS who FROM users
	  WHERE email = $5::citext AND username <> $4::citext),
	 ins AS (INSERT INTO users (username, email, display_name)
	  SELECT $4::citext, $5::citext, coalesce(nullif($6::text, ''), $4::text)
	  WHERE NOT EXISTS (SELECT 1 FROM old) AND NOT EXISTS (SELECT 1 FROM taken)
	  RETURNING *),
	 upd AS (UPDATE users u SET email = $5::citext,
	   display_name = coalesce(nullif($6::text, ''), u.display_name) FROM old
	  WHERE u.id = old.id AND NOT EXISTS (SELECT 1 FROM taken)
	   AND (old.email <> $5::citext OR ($6::text <> '' AND old.display_name <> $6::text))
	  RETURNING u.*),
	 audit AS (SELECT audit_write($1::bigint, $2::text, $3::inet, 'user.created', 'user', ins.id,
	   jsonb_build_object('import', $7::text, 'after', to_jsonb(ins) - 'hashed_password'))
	  FROM ins
	  UNION ALL
	  SELECT audit_write($1::bigint, $2::text, $3::inet, 'user.updated', 'user', upd.id,
	   jsonb_build_object('import', $7::text, 'before', to_jsonb(old) - 'hashed_password',
	    'after', to_jsonb(upd) - 'hashed_password'))
	  FROM old, upd)
	 SELECT coalesce((SELECT id FROM ins), (SELECT id FROM old)),
	  (SELECT count(*) FROM ins), (SELECT count(*) FROM upd),
	  (SELECT min(who) FROM taken),
	  (SELECT email::text FROM old), (SELECT display_name FROM old),
	  (SELECT count(*) FROM audit)
$$;

-- The portal pool's provisioning at sign-in: p_username unknown to the
-- portal, p_email an address no user has, p_method how single sign-on
-- vouched for the person. Returns the new user's id; NULL when a user has
-- that name or address already (nothing written).
CREATE FUNCTION sso_user_provision(p_ip inet, p_username text, p_email text, p_method text)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
DECLARE
	v_id bigint;
BEGIN
	IF p_method IS NULL OR p_method NOT IN ('negotiate', 'remote-user') THEN
		RAISE EXCEPTION 'sso_user_provision: unknown method %', p_method
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF EXISTS (SELECT 1 FROM users WHERE username = p_username::citext
		OR email = p_email::citext) THEN
		RETURN NULL;
	END IF;
	SELECT p.id INTO v_id
	FROM user_provision(NULL, 'sso', p_ip, p_username, p_email, '', 'sso:' || p_method) p
	WHERE p.created > 0;
	RETURN v_id;
END
$$;

REVOKE ALL ON FUNCTION user_provision(bigint, text, inet, text, text, text, text),
	sso_user_provision(inet, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION user_provision(bigint, text, inet, text, text, text, text)
	TO portal_admin;
GRANT EXECUTE ON FUNCTION sso_user_provision(inet, text, text, text) TO portal_web;
