-- 0026: what the home page needs to say "new for you" (issue 18, item 1).
--
-- A report is new for a user when it became visible to them after their
-- previous visit. It becomes visible at the latest of the moments its path
-- opened: the membership began (user_roles.valid_from, else granted_at), the
-- role was granted the report (role_reports.granted_at), the role was last
-- activated (roles.active_since) and the report was last published
-- (reports.published_at); through several roles, at the earliest such path.
-- The two columns below are kept by triggers, so no front end can forget them.
--
-- The previous visit belongs to the session: when a session opens, `since`
-- is the user's last activity before it (the latest last_seen_at of their
-- other sessions, else their previous sign-in). It stays fixed for the
-- session's life, so the home page is a read (it may run on a standby) and
-- what is new does not vanish on the second look.

-- The backfill is no change to the reports or roles: their updated_at (and
-- the list's order by it) stays.
ALTER TABLE reports ADD COLUMN published_at timestamptz;
ALTER TABLE reports DISABLE TRIGGER reports_updated_at;
UPDATE reports SET published_at = created_at WHERE status = 'published';
ALTER TABLE reports ENABLE TRIGGER reports_updated_at;
COMMENT ON COLUMN reports.published_at IS 'when it was last published; NULL while never published';

ALTER TABLE roles ADD COLUMN active_since timestamptz;
ALTER TABLE roles DISABLE TRIGGER roles_updated_at;
UPDATE roles SET active_since = created_at WHERE is_active;
ALTER TABLE roles ENABLE TRIGGER roles_updated_at;
COMMENT ON COLUMN roles.active_since IS 'when it was last activated; NULL while never active';

CREATE FUNCTION reports_published_at() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.status = 'published' AND (TG_OP = 'INSERT' OR OLD.status <> 'published') THEN
		NEW.published_at := now();
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER reports_published_at BEFORE INSERT OR UPDATE OF status ON reports
	FOR EACH ROW EXECUTE FUNCTION reports_published_at();

CREATE FUNCTION roles_active_since() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.is_active AND (TG_OP = 'INSERT' OR NOT OLD.is_active) THEN
		NEW.active_since := now();
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER roles_active_since BEFORE INSERT OR UPDATE OF is_active ON roles
	FOR EACH ROW EXECUTE FUNCTION roles_active_since();

ALTER TABLE sessions ADD COLUMN since timestamptz;
COMMENT ON COLUMN sessions.since IS 'the user''s last activity before this session: "new for you" starts here; NULL on a first visit';

-- SECURITY DEFINER: sessions are inserted by the sign-in functions, which
-- run as the owner already; users.last_login_at is still the previous
-- sign-in here, as they update it after the insert.
CREATE FUNCTION sessions_since() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	SELECT greatest((SELECT max(s.last_seen_at) FROM sessions s WHERE s.user_id = NEW.user_id),
	                (SELECT u.last_login_at FROM users u WHERE u.id = NEW.user_id))
	INTO NEW.since;
	RETURN NEW;
END
$$;
CREATE TRIGGER sessions_since BEFORE INSERT ON sessions
	FOR EACH ROW EXECUTE FUNCTION sessions_since();
REVOKE EXECUTE ON FUNCTION reports_published_at(), roles_active_since(), sessions_since()
	FROM PUBLIC;

-- "New for you" reads, per role of the user, the grants made since a moment,
-- and the reports published since one.
CREATE INDEX role_reports_granted_at_idx ON role_reports (role_id, granted_at);
CREATE INDEX reports_published_at_idx ON reports (published_at) WHERE status = 'published';
