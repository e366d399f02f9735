-- The session check of the pages that only read, without a write (issue 17):
-- such a page can then run on a hot standby, and its statement never writes
-- on the primary either.
--
-- session_current() (0010, 0016) touches last_seen_at when it is more than a
-- minute old, in the page's own statement: on a standby that UPDATE fails.
-- session_read() checks the same session by the same rules and writes
-- nothing; it says whether the touch is due (touch_due) and, on a standby,
-- how far it has replayed the primary's WAL (replay_lsn, NULL on a primary),
-- from which the pool bounds how stale the page may be (lib/replica.h).
-- The pool then touches the session after the answer, on the primary, with
-- session_touch(): once a minute per session, off the page's path.
--
-- The admin pool and every page that writes keep session_current().

CREATE FUNCTION session_read(p_token bytea, p_idle integer)
	RETURNS TABLE (sid bigint, uid bigint, username text, display_name text, email text,
		is_superuser boolean, must_change_password boolean, csrf text,
		admin_confirmed boolean, auth_method text, auth_identity text,
		touch_due boolean, replay_lsn text)
	LANGUAGE sql VOLATILE STRICT SECURITY DEFINER SET search_path = public, pg_temp
	ROWS 1
	AS $$
	SELECT s.id, u.id, u.username::text, u.display_name, u.email::text, u.is_superuser,
		u.must_change_password, encode(s.csrf_secret, 'hex'),
		coalesce(s.admin_confirmed_until > now(), false), s.auth_method, s.auth_identity,
		s.last_seen_at < now() - interval '1 minute',
		pg_last_wal_replay_lsn()::text
	FROM sessions s JOIN users u ON u.id = s.user_id
	WHERE s.token_hash = sha256(p_token) AND s.expires_at > now()
	  AND s.last_seen_at > now() - make_interval(secs => least(greatest(p_idle, 60), 86400))
	  AND u.is_active
$$;

-- The touch that session_read() left out: last_seen_at = now() for the
-- session of p_token if it is still valid (by the rules above) and its
-- touch is due. Returns whether it touched.
CREATE FUNCTION session_touch(p_token bytea, p_idle integer) RETURNS boolean
	LANGUAGE sql VOLATILE STRICT SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
	WITH t AS (
		UPDATE sessions s SET last_seen_at = now()
		WHERE s.token_hash = sha256(p_token) AND s.expires_at > now()
		  AND s.last_seen_at > now() - make_interval(secs => least(greatest(p_idle, 60), 86400))
		  AND s.last_seen_at < now() - interval '1 minute'
		RETURNING 1)
	SELECT EXISTS (SELECT 1 FROM t)
$$;

REVOKE ALL ON FUNCTION session_read(bytea, integer), session_touch(bytea, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION session_read(bytea, integer), session_touch(bytea, integer)
	TO portal_web;
