-- Sign-in throttling per (name as typed, client address), instead of a lock
-- on the account: failures from one address must never keep the owner out
-- from another. The portal pool writes the rows in its sign-in statements
-- (lib/session.c); the admin pool and portalctl read and clear them through
-- user_login_throttle and login_throttle_clear() below.

-- The one definition of a name's key: sha256 of what was typed in the
-- sign-in form (a username or an email address), lower-cased and cut to 320
-- characters. People type their password into the name field now and then,
-- so the typed text is never stored, only this hash. The cut is kept from
-- when the text itself was the key: no account's name is that long (64 and
-- 254 characters at most), so it never merges an account with another name,
-- and it bounds the work of lower() and sha256 on a name of any length.
-- IMMUTABLE (convert_to is only STABLE, but the database's encoding is fixed
-- for its lifetime) so that users can have indexes on it; the SQL-standard
-- body is bound at creation and does not depend on search_path.
-- EXECUTE stays with PUBLIC, as for f_unaccent and portal_visible_text: it
-- reads nothing and computes what anyone can with sha256(), and only roles
-- with USAGE on the schema (0003) can reach it. portal_web (sign-in) and
-- portal_admin (user_login_throttle, the indexes below) need it.
CREATE FUNCTION public.login_throttle_key(name text) RETURNS bytea
	LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
	RETURN sha256(convert_to(left(lower(name), 320), 'UTF8'));

COMMENT ON FUNCTION public.login_throttle_key(text) IS
	'sha256 of a sign-in name, lower-cased and cut to 320 characters: the key of login_throttle';

-- name_hash: login_throttle_key() of the typed name, whether or not an
-- account has it, so that unknown names are throttled exactly like known ones.
-- Rows older than a day are pruned by the sign-in statements themselves.
CREATE TABLE login_throttle (
	name_hash bytea NOT NULL,
	ip inet NOT NULL,
	failures integer NOT NULL,
	last_failure_at timestamptz NOT NULL DEFAULT now(),
	next_allowed_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (name_hash, ip),
	CONSTRAINT login_throttle_name_hash_check CHECK (octet_length(name_hash) = 32),
	CONSTRAINT login_throttle_failures_check CHECK (failures > 0)
);
-- The pruning of rows older than a day.
CREATE INDEX login_throttle_last_failure_at_idx ON login_throttle (last_failure_at);

-- The keys of every account's two names, so that a join of the view below
-- starts from the few rows of login_throttle and finds their accounts by
-- index instead of hashing both names of every user (10,000 users: the
-- admin dashboard's count 165 ms without them, 1.6 ms with them; see
-- schema/README.md).
CREATE INDEX users_username_throttle_key_idx ON users (login_throttle_key(username::text));
CREATE INDEX users_email_throttle_key_idx ON users (login_throttle_key(email::text));

-- The one definition of which rows belong to an account: those of its
-- username and of its email address, the two names sign-in accepts.
CREATE VIEW user_login_throttle AS
	SELECT u.id AS user_id, t.name_hash, t.ip, t.failures, t.last_failure_at,
		t.next_allowed_at, t.next_allowed_at > now() AS throttled
	FROM users u
	JOIN login_throttle t
		ON t.name_hash IN (login_throttle_key(u.username::text), login_throttle_key(u.email::text));

-- Unlock and password reset: deletes every row of the account. Returns the
-- number of addresses that were throttled at that moment.
CREATE FUNCTION login_throttle_clear(p_user_id bigint) RETURNS integer
	LANGUAGE sql VOLATILE SET search_path = public, pg_temp
	AS $$
	WITH d AS (DELETE FROM login_throttle t
		WHERE (t.name_hash, t.ip) IN (SELECT name_hash, ip FROM user_login_throttle
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
