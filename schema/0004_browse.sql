-- Browsing: who may see what (precomputed), favourites and report views.
--
-- report_access holds one row per (user, report) that some ACTIVE role of the
-- user grants. The browse pages read it instead of joining every grant, so a
-- page costs its 25 rows rather than all of the user's grants. It says nothing
-- about whether the user is active (the session check does) or whether the
-- report is published (the page query does): those take effect on the next
-- request by themselves. Triggers keep it exact on every change of
-- user_roles, role_reports and roles.is_active; access_rebuild() recomputes it
-- whole, and the database tests compare the two.

CREATE TABLE report_access (
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	report_id bigint NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
	PRIMARY KEY (user_id, report_id)
);
CREATE INDEX report_access_report_id_idx ON report_access (report_id);

-- Grant changes take this lock and then recompute: under READ COMMITTED each
-- statement in these functions takes a new snapshot, so it sees every grant
-- change committed before the lock was granted. Without it, two concurrent
-- revocations could each see the other's grant still standing and leave
-- access behind.
CREATE FUNCTION access_lock() RETURNS void
	LANGUAGE sql VOLATILE
	AS $$SELECT pg_advisory_xact_lock(7428351)$$;

-- Removes the pairs that no active grant covers any more, among all pairs of
-- p_users, or of p_reports, or of both (a NULL array means "any"). Removals
-- look at all pairs of the affected users or reports rather than at what the
-- removed grant covered: when a role is deleted, the cascade may have removed
-- its grants on the other side already.
CREATE FUNCTION access_prune(p_users bigint[], p_reports bigint[]) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	DELETE FROM report_access a
	WHERE (p_users IS NULL OR a.user_id = ANY (p_users))
	  AND (p_reports IS NULL OR a.report_id = ANY (p_reports))
	  AND NOT EXISTS (
		SELECT 1 FROM user_roles ur
		JOIN roles ro ON ro.id = ur.role_id AND ro.is_active
		JOIN role_reports rr ON rr.role_id = ur.role_id AND rr.report_id = a.report_id
		WHERE ur.user_id = a.user_id);
END
$$;

CREATE FUNCTION access_user_roles_added() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	PERFORM access_lock();
	INSERT INTO report_access (user_id, report_id)
	SELECT DISTINCT n.user_id, rr.report_id
	FROM new_rows n
	JOIN roles ro ON ro.id = n.role_id AND ro.is_active
	JOIN role_reports rr ON rr.role_id = n.role_id
	ON CONFLICT DO NOTHING;
	RETURN NULL;
END
$$;

CREATE FUNCTION access_user_roles_removed() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	PERFORM access_lock();
	PERFORM access_prune(ARRAY(SELECT DISTINCT user_id FROM old_rows), NULL);
	RETURN NULL;
END
$$;

CREATE FUNCTION access_role_reports_added() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	PERFORM access_lock();
	INSERT INTO report_access (user_id, report_id)
	SELECT DISTINCT ur.user_id, n.report_id
	FROM new_rows n
	JOIN roles ro ON ro.id = n.role_id AND ro.is_active
	JOIN user_roles ur ON ur.role_id = n.role_id
	ON CONFLICT DO NOTHING;
	RETURN NULL;
END
$$;

CREATE FUNCTION access_role_reports_removed() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	PERFORM access_lock();
	PERFORM access_prune(NULL, ARRAY(SELECT DISTINCT report_id FROM old_rows));
	RETURN NULL;
END
$$;

-- A role switched on grants its reports to its members again; switched off,
-- its pairs are pruned unless another active role covers them.
CREATE FUNCTION access_role_active_changed() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	IF OLD.is_active = NEW.is_active THEN
		RETURN NULL;
	END IF;
	PERFORM access_lock();
	IF NEW.is_active THEN
		INSERT INTO report_access (user_id, report_id)
		SELECT DISTINCT ur.user_id, rr.report_id
		FROM user_roles ur JOIN role_reports rr ON rr.role_id = ur.role_id
		WHERE ur.role_id = NEW.id
		ON CONFLICT DO NOTHING;
	ELSE
		PERFORM access_prune(ARRAY(SELECT user_id FROM user_roles WHERE role_id = NEW.id),
				     ARRAY(SELECT report_id FROM role_reports WHERE role_id = NEW.id));
	END IF;
	RETURN NULL;
END
$$;

-- Recomputes everything: after bulk loads with the triggers off, and as the
-- reference the tests compare the triggers' result with.
CREATE FUNCTION access_rebuild() RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	PERFORM access_lock();
	DELETE FROM report_access;
	INSERT INTO report_access (user_id, report_id)
	SELECT DISTINCT ur.user_id, rr.report_id
	FROM user_roles ur
	JOIN roles ro ON ro.id = ur.role_id AND ro.is_active
	JOIN role_reports rr ON rr.role_id = ur.role_id;
END
$$;

CREATE TRIGGER user_roles_access_ins AFTER INSERT ON user_roles
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION access_user_roles_added();
CREATE TRIGGER user_roles_access_del AFTER DELETE ON user_roles
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION access_user_roles_removed();
-- An UPDATE of a grant row is a removal and an addition.
CREATE TRIGGER user_roles_access_upd_old AFTER UPDATE ON user_roles
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION access_user_roles_removed();
CREATE TRIGGER user_roles_access_upd_new AFTER UPDATE ON user_roles
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION access_user_roles_added();

CREATE TRIGGER role_reports_access_ins AFTER INSERT ON role_reports
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION access_role_reports_added();
CREATE TRIGGER role_reports_access_del AFTER DELETE ON role_reports
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION access_role_reports_removed();
CREATE TRIGGER role_reports_access_upd_old AFTER UPDATE ON role_reports
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION access_role_reports_removed();
CREATE TRIGGER role_reports_access_upd_new AFTER UPDATE ON role_reports
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION access_role_reports_added();

CREATE TRIGGER roles_access_active AFTER UPDATE OF is_active ON roles
	FOR EACH ROW EXECUTE FUNCTION access_role_active_changed();

-- Whatever grants existed before this migration.
SELECT access_rebuild();

-- Favourites: a star per user and report. Shown only while the report is
-- visible to the user; kept when it is not, so it comes back with the access.
CREATE TABLE favourites (
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	report_id bigint NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, report_id)
);
CREATE INDEX favourites_report_id_idx ON favourites (report_id);

-- Every opening of a report through /go/{id}: "recently viewed" and usage.
CREATE TABLE report_views (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	report_id bigint NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
	viewed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_views_user_id_idx ON report_views (user_id, viewed_at DESC);
CREATE INDEX report_views_report_id_idx ON report_views (report_id, viewed_at);

-- The listing sorts visible reports by title or by last update, and counts
-- per category.
CREATE INDEX reports_status_updated_idx ON reports (status, updated_at DESC);
CREATE INDEX reports_category_idx ON reports (category);

GRANT SELECT ON report_access TO portal_web, portal_admin;
GRANT SELECT, INSERT, DELETE ON favourites TO portal_web;
GRANT SELECT ON favourites TO portal_admin;
GRANT SELECT, INSERT ON report_views TO portal_web;
GRANT SELECT ON report_views TO portal_admin;
GRANT USAGE ON SEQUENCE report_views_id_seq TO portal_web;
