-- Sign-in throttling per (name as typed, client address), instead of a lock
-- on the account: failures from one address must never keep the owner out
-- from another. The portal pool writes the rows in its sign-in statements
-- (lib/session.c); the admin pool and portalctl read and clear them through
-- user_login_throttle and login_throttle_clear() below.

-- username: what was typed in the sign-in form (a username or an email
-- address), lower-cased and cut to 320 characters, whether or not an account
-- has it, so that unknown names are throttled exactly like known ones.
-- Rows older than a day are pruned by the sign-in statements themselves.
CREATE TABLE login_throttle (
	username text NOT NULL,
	ip inet NOT NULL,
	failures integer NOT NULL,
	last_failure_at timestamptz NOT NULL DEFAULT now(),
	next_allowed_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (username, ip),
	CONSTRAINT login_throttle_username_check
		CHECK (username = lower(username) AND char_length(username) BETWEEN 1 AND 320),
	CONSTRAINT login_throttle_failures_check CHECK (failures > 0)
);
-- The pruning of rows older than a day.
CREATE INDEX login_throttle_last_failure_at_idx ON login_throttle (last_failure_at);

-- The one definition of which rows belong to an account: those of its
-- username and of its email address, the two names sign-in accepts.
CREATE VIEW user_login_throttle AS
	SELECT u.id AS user_id, t.username, t.ip, t.failures, t.last_failure_at,
		t.next_allowed_at, t.next_allowed_at > now() AS throttled
	FROM users u
	JOIN login_throttle t ON t.username IN (lower(u.username::text), lower(u.email::text));

-- Unlock and password reset: deletes every row of the account. Returns the
-- number of addresses that were throttled at that moment.
CREATE FUNCTION login_throttle_clear(p_user_id bigint) RETURNS integer
	LANGUAGE sql VOLATILE SET search_path = public, pg_temp
	AS $$
	WITH d AS (DELETE FROM login_throttle t
		WHERE (t.username, t.ip) IN (SELECT username, ip FROM user_login_throttle
			WHERE user_id = p_user_id)
		RETURNING t.next_allowed_at > now() AS throttled)
	SELECT count(*) FILTER (WHERE throttled)::integer FROM d
	$$;
REVOKE ALL ON FUNCTION login_throttle_clear(bigint) FROM PUBLIC;

-- portal_web: sign-in counts failures, clears its pair on success and prunes.
GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO portal_web;
-- portal_admin: shows and clears the rows of an account (its unlock and
-- password reset), nothing else.
GRANT SELECT, DELETE ON login_throttle TO portal_admin;
GRANT SELECT ON user_login_throttle TO portal_admin;
GRANT EXECUTE ON FUNCTION login_throttle_clear(bigint) TO portal_admin;
