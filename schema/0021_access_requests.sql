-- 0021: access on request (issue 16, item 3).
--
-- A role can be requestable, with a longest duration (request_max_days).
-- A signed-in user asks for it with a reason and a duration; an owner of
-- the role (0018) or a superuser approves or refuses it with a note;
-- approval gives a membership that ends after that duration (0017). A
-- request nobody handles expires 7 days after it was made, without a job:
-- request_state_now() is the one definition of a request's state,
-- and every reader goes through access_requests_now. Every step is audited
-- (access.requested, access.withdrawn, access.approved, access.refused).
--
-- The portal pool (portal_web) writes nothing but through the two SECURITY
-- DEFINER functions below, which take the session's token: a request is
-- always the session user's own.

ALTER TABLE roles
	ADD COLUMN requestable boolean NOT NULL DEFAULT false,
	ADD COLUMN request_max_days integer NOT NULL DEFAULT 90,
	ADD CONSTRAINT roles_request_max_days_check CHECK (request_max_days BETWEEN 1 AND 3660);

CREATE TYPE access_request_state AS ENUM ('pending', 'approved', 'refused', 'withdrawn');

CREATE TABLE access_requests (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role_id bigint NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
	reason text NOT NULL,
	days integer NOT NULL,
	state access_request_state NOT NULL DEFAULT 'pending',
	created_at timestamptz NOT NULL DEFAULT now(),
	decided_at timestamptz,
	decided_by bigint REFERENCES users (id) ON DELETE SET NULL,
	note text,
	CONSTRAINT access_requests_reason_check
		CHECK (btrim(reason) <> '' AND char_length(reason) <= 1000
		       AND portal_visible_text(reason, true)),
	CONSTRAINT access_requests_days_check CHECK (days BETWEEN 1 AND 3660),
	CONSTRAINT access_requests_note_check
		CHECK (note IS NULL OR (char_length(note) <= 1000 AND portal_visible_text(note, true)))
);
CREATE INDEX access_requests_user_idx ON access_requests (user_id, created_at DESC);
CREATE INDEX access_requests_pending_idx ON access_requests (role_id, created_at)
	WHERE state = 'pending';

-- A request's state now: a pending one made more than 7 days ago has expired.
CREATE FUNCTION request_state_now(p_state access_request_state, p_created timestamptz)
	RETURNS text
	LANGUAGE sql STABLE
	AS $$
	SELECT CASE WHEN p_state = 'pending' AND p_created <= now() - interval '7 days'
		    THEN 'expired' ELSE p_state::text END
$$;

CREATE VIEW access_requests_now AS
SELECT q.*, request_state_now(q.state, q.created_at) AS state_now,
       q.created_at + interval '7 days' AS expires_at
FROM access_requests q;

-- The session user of p_token (rules of session_current), or NULL.
CREATE FUNCTION access_request_session_user(p_token bytea, p_idle integer) RETURNS bigint
	LANGUAGE sql STABLE STRICT SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
	SELECT u.id FROM sessions s JOIN users u ON u.id = s.user_id
	WHERE s.token_hash = sha256(p_token) AND s.expires_at > now()
	  AND s.last_seen_at > now() - make_interval(secs => least(greatest(p_idle, 60), 86400))
	  AND u.is_active
$$;

-- The session user asks for role p_role for p_days with p_reason. Returns
-- 'ok', or why not: 'session' (no valid session), 'role' (no such active
-- requestable role), 'days' (outside 1 .. the role's maximum), 'reason'
-- (blank, too long or with invisible characters), 'member' (the user is a
-- member now), 'pending' (a request for it waits already).
CREATE FUNCTION access_request_submit(p_token bytea, p_idle integer, p_role bigint,
		p_reason text, p_days integer, p_ip inet)
	RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
DECLARE
	v_uid bigint := access_request_session_user(p_token, p_idle);
	v_max integer;
	v_id bigint;
BEGIN
	IF v_uid IS NULL THEN
		RETURN 'session';
	END IF;
	SELECT request_max_days INTO v_max FROM roles
	WHERE id = p_role AND is_active AND requestable FOR KEY SHARE;
	IF NOT FOUND THEN
		RETURN 'role';
	END IF;
	IF p_days IS NULL OR p_days < 1 OR p_days > v_max THEN
		RETURN 'days';
	END IF;
	IF p_reason IS NULL OR btrim(p_reason) = '' OR char_length(p_reason) > 1000
	   OR NOT portal_visible_text(p_reason, true) THEN
		RETURN 'reason';
	END IF;
	-- One request at a time per user and role: the user's row serialises them.
	PERFORM 1 FROM users WHERE id = v_uid FOR NO KEY UPDATE;
	IF EXISTS (SELECT 1 FROM user_roles_current WHERE user_id = v_uid AND role_id = p_role) THEN
		RETURN 'member';
	END IF;
	IF EXISTS (SELECT 1 FROM access_requests_now WHERE user_id = v_uid AND role_id = p_role
		   AND state_now = 'pending') THEN
		RETURN 'pending';
	END IF;
	INSERT INTO access_requests (user_id, role_id, reason, days)
	VALUES (v_uid, p_role, p_reason, p_days) RETURNING id INTO v_id;
	PERFORM audit_write(v_uid, 'web', p_ip, 'access.requested', 'role', p_role,
		jsonb_build_object('request_id', v_id, 'days', p_days, 'reason', p_reason));
	RETURN 'ok';
END
$$;

-- The session user withdraws their pending request p_request. Returns
-- whether it did.
CREATE FUNCTION access_request_withdraw(p_token bytea, p_idle integer, p_request bigint,
		p_ip inet)
	RETURNS boolean
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
DECLARE
	v_uid bigint := access_request_session_user(p_token, p_idle);
	v_role bigint;
BEGIN
	UPDATE access_requests q SET state = 'withdrawn', decided_at = now(), decided_by = v_uid
	WHERE q.id = p_request AND q.user_id = v_uid
	  AND request_state_now(q.state, q.created_at) = 'pending'
	RETURNING role_id INTO v_role;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM audit_write(v_uid, 'web', p_ip, 'access.withdrawn', 'role', v_role,
		jsonb_build_object('request_id', p_request));
	RETURN true;
END
$$;

GRANT SELECT ON access_requests, access_requests_now TO portal_web, portal_admin;
GRANT UPDATE (state, decided_at, decided_by, note) ON access_requests TO portal_admin;
GRANT UPDATE (requestable, request_max_days) ON roles TO portal_admin;
REVOKE EXECUTE ON FUNCTION request_state_now(access_request_state, timestamptz),
	access_request_session_user(bytea, integer),
	access_request_submit(bytea, integer, bigint, text, integer, inet),
	access_request_withdraw(bytea, integer, bigint, inet) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION request_state_now(access_request_state, timestamptz)
	TO portal_web, portal_admin;
GRANT EXECUTE ON FUNCTION access_request_submit(bytea, integer, bigint, text, integer, inet),
	access_request_withdraw(bytea, integer, bigint, inet) TO portal_web;
