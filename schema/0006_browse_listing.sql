-- The reports list reads its 25 rows, not every visible report.
--
-- report_access (0004) says who may see which report. The list page also
-- needs, per user, the published reports in title order or by last update,
-- filtered by category, and counts per category. Joining report_access with
-- reports for that visits every visible report on every page view (about 550
-- for a user with five roles). So report_access carries copies of what the
-- list sorts and filters on (published, category, lower(title), updated_at),
-- indexed per user, and user_category_counts holds the number of visible
-- published reports per user and category. Both are kept exact in the same
-- transaction as the change that affects them:
--
--   * grant changes: the 0004 trigger functions, redefined below to write the
--     copied columns too;
--   * report changes (title, category, status, updated_at): a trigger on
--     reports updates that report's rows in report_access;
--   * user_category_counts follows every insert, delete and update of
--     report_access, whoever makes it (the triggers above, cascades);
--   * report_category_counts counts every report (all statuses) per category:
--     the superusers' side panel.
--
-- access_rebuild() recomputes all of it; the database and browse tests
-- compare the maintained rows with that recomputation.

ALTER TABLE report_access
	ADD COLUMN published boolean,
	ADD COLUMN category text,
	ADD COLUMN sort_title text,
	ADD COLUMN updated_at timestamptz;

UPDATE report_access a
SET published = r.status = 'published', category = r.category, sort_title = lower(r.title),
    updated_at = r.updated_at
FROM reports r
WHERE r.id = a.report_id;

-- NOT NULL without defaults: a writer that does not copy the report's columns
-- fails loudly instead of hiding a report from the list.
ALTER TABLE report_access
	ALTER COLUMN published SET NOT NULL,
	ALTER COLUMN category SET NOT NULL,
	ALTER COLUMN sort_title SET NOT NULL,
	ALTER COLUMN updated_at SET NOT NULL;

COMMENT ON COLUMN report_access.published IS 'copy of reports.status = published, kept by triggers';
COMMENT ON COLUMN report_access.category IS 'copy of reports.category, kept by triggers';
COMMENT ON COLUMN report_access.sort_title IS 'copy of lower(reports.title), kept by triggers';
COMMENT ON COLUMN report_access.updated_at IS 'copy of reports.updated_at, kept by triggers';

-- The list's three orders for one user: by title, by last update (ties by
-- title: an incremental sort of equal timestamps), and one category (sorted
-- after the index finds its rows, a twelfth of the visible set).
CREATE INDEX report_access_title_idx ON report_access (user_id, sort_title, report_id)
	WHERE published;
CREATE INDEX report_access_updated_idx ON report_access (user_id, updated_at DESC)
	WHERE published;
CREATE INDEX report_access_category_idx ON report_access (user_id, category)
	WHERE published;

-- Superusers see every report in every status, straight from reports.
CREATE INDEX reports_sort_title_idx ON reports (lower(title), id);
CREATE INDEX reports_updated_at_idx ON reports (updated_at DESC);
CREATE INDEX reports_category_title_idx ON reports (category, lower(title), id);

-- Rows with n = 0 are deleted, so the side panel is the table as it stands.
CREATE TABLE user_category_counts (
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	category text NOT NULL,
	n integer NOT NULL,
	PRIMARY KEY (user_id, category),
	CONSTRAINT user_category_counts_n_check CHECK (n > 0)
);

CREATE TABLE report_category_counts (
	category text PRIMARY KEY,
	n integer NOT NULL,
	CONSTRAINT report_category_counts_n_check CHECK (n > 0)
);

-- Adds delta n to the count of (user, category), for parallel arrays. A
-- count that reaches zero is deleted; decrements only touch existing rows,
-- so a cascade that removed the user's counts first is harmless.
CREATE FUNCTION user_category_counts_apply(p_users bigint[], p_cats text[], p_n integer[])
	RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	IF p_users IS NULL THEN
		RETURN;
	END IF;
	DELETE FROM user_category_counts c
	USING unnest(p_users, p_cats, p_n) d(user_id, category, n)
	WHERE c.user_id = d.user_id AND c.category = d.category AND d.n < 0 AND c.n + d.n <= 0;
	UPDATE user_category_counts c SET n = c.n + d.n
	FROM unnest(p_users, p_cats, p_n) d(user_id, category, n)
	WHERE c.user_id = d.user_id AND c.category = d.category AND d.n < 0;
	INSERT INTO user_category_counts AS c (user_id, category, n)
	SELECT d.user_id, d.category, d.n
	FROM unnest(p_users, p_cats, p_n) d(user_id, category, n)
	WHERE d.n > 0
	ORDER BY 1, 2
	ON CONFLICT (user_id, category) DO UPDATE SET n = c.n + excluded.n;
END
$$;

CREATE FUNCTION report_category_counts_apply(p_cats text[], p_n integer[]) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	IF p_cats IS NULL THEN
		RETURN;
	END IF;
	DELETE FROM report_category_counts c
	USING unnest(p_cats, p_n) d(category, n)
	WHERE c.category = d.category AND d.n < 0 AND c.n + d.n <= 0;
	UPDATE report_category_counts c SET n = c.n + d.n
	FROM unnest(p_cats, p_n) d(category, n)
	WHERE c.category = d.category AND d.n < 0;
	INSERT INTO report_category_counts AS c (category, n)
	SELECT d.category, d.n FROM unnest(p_cats, p_n) d(category, n)
	WHERE d.n > 0
	ORDER BY 1
	ON CONFLICT (category) DO UPDATE SET n = c.n + excluded.n;
END
$$;

-- user_category_counts follows report_access: +1 for every published row
-- that appears, -1 for every one that goes, both for an update that changes
-- published or category. Statement triggers with transition tables, so a
-- role switched on for 50,000 pairs costs one pass.
CREATE FUNCTION access_counts_follow() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
DECLARE
	d_users bigint[];
	d_cats text[];
	d_n integer[];
BEGIN
	IF TG_OP = 'INSERT' THEN
		SELECT array_agg(user_id), array_agg(category), array_agg(n)
		INTO d_users, d_cats, d_n
		FROM (SELECT user_id, category, count(*)::integer AS n FROM new_rows
		      WHERE published GROUP BY 1, 2) d;
	ELSIF TG_OP = 'DELETE' THEN
		SELECT array_agg(user_id), array_agg(category), array_agg(n)
		INTO d_users, d_cats, d_n
		FROM (SELECT user_id, category, -count(*)::integer AS n FROM old_rows
		      WHERE published GROUP BY 1, 2) d;
	ELSE
		SELECT array_agg(user_id), array_agg(category), array_agg(n)
		INTO d_users, d_cats, d_n
		FROM (SELECT user_id, category, sum(n)::integer AS n FROM (
			SELECT user_id, category, 1 AS n FROM new_rows WHERE published
			UNION ALL
			SELECT user_id, category, -1 FROM old_rows WHERE published) x
		      GROUP BY 1, 2 HAVING sum(n) <> 0) d;
	END IF;
	PERFORM user_category_counts_apply(d_users, d_cats, d_n);
	RETURN NULL;
END
$$;

CREATE TRIGGER report_access_counts_ins AFTER INSERT ON report_access
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION access_counts_follow();
CREATE TRIGGER report_access_counts_del AFTER DELETE ON report_access
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION access_counts_follow();
CREATE TRIGGER report_access_counts_upd AFTER UPDATE ON report_access
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION access_counts_follow();

-- A report's title, category, status or updated_at changed: its rows in
-- report_access follow, and report_category_counts. access_lock() orders
-- this with grant changes, which copy the report's columns when they add
-- rows: whichever comes second sees the first one committed.
CREATE FUNCTION reports_listing_follow() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
DECLARE
	d_cats text[];
	d_n integer[];
BEGIN
	IF TG_OP = 'UPDATE' THEN
		IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
			       WHERE (o.status = 'published', o.category, lower(o.title), o.updated_at)
				     IS DISTINCT FROM
				     (n.status = 'published', n.category, lower(n.title), n.updated_at))
		THEN
			RETURN NULL;
		END IF;
		PERFORM access_lock();
		UPDATE report_access a
		SET published = n.status = 'published', category = n.category,
		    sort_title = lower(n.title), updated_at = n.updated_at
		FROM new_rows n
		WHERE a.report_id = n.id
		  AND (a.published, a.category, a.sort_title, a.updated_at) IS DISTINCT FROM
		      (n.status = 'published', n.category, lower(n.title), n.updated_at);
		SELECT array_agg(category), array_agg(n) INTO d_cats, d_n
		FROM (SELECT category, sum(n)::integer AS n FROM (
			SELECT category, 1 AS n FROM new_rows
			UNION ALL
			SELECT category, -1 FROM old_rows) x
		      GROUP BY 1 HAVING sum(n) <> 0) d;
	ELSIF TG_OP = 'INSERT' THEN
		SELECT array_agg(category), array_agg(n) INTO d_cats, d_n
		FROM (SELECT category, count(*)::integer AS n FROM new_rows GROUP BY 1) d;
	ELSE
		SELECT array_agg(category), array_agg(n) INTO d_cats, d_n
		FROM (SELECT category, -count(*)::integer AS n FROM old_rows GROUP BY 1) d;
	END IF;
	PERFORM report_category_counts_apply(d_cats, d_n);
	RETURN NULL;
END
$$;

CREATE TRIGGER reports_listing_ins AFTER INSERT ON reports
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION reports_listing_follow();
CREATE TRIGGER reports_listing_del AFTER DELETE ON reports
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION reports_listing_follow();
CREATE TRIGGER reports_listing_upd AFTER UPDATE ON reports
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION reports_listing_follow();

-- The grant triggers of 0004, now writing the copied columns with each pair.
CREATE OR REPLACE FUNCTION access_user_roles_added() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	PERFORM access_lock();
	INSERT INTO report_access (user_id, report_id, published, category, sort_title, updated_at)
	SELECT g.user_id, r.id, r.status = 'published', r.category, lower(r.title), r.updated_at
	FROM (SELECT DISTINCT n.user_id, rr.report_id
	      FROM new_rows n
	      JOIN roles ro ON ro.id = n.role_id AND ro.is_active
	      JOIN role_reports rr ON rr.role_id = n.role_id) g
	JOIN reports r ON r.id = g.report_id
	ON CONFLICT DO NOTHING;
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION access_role_reports_added() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	PERFORM access_lock();
	INSERT INTO report_access (user_id, report_id, published, category, sort_title, updated_at)
	SELECT g.user_id, r.id, r.status = 'published', r.category, lower(r.title), r.updated_at
	FROM (SELECT DISTINCT ur.user_id, n.report_id
	      FROM new_rows n
	      JOIN roles ro ON ro.id = n.role_id AND ro.is_active
	      JOIN user_roles ur ON ur.role_id = n.role_id) g
	JOIN reports r ON r.id = g.report_id
	ON CONFLICT DO NOTHING;
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION access_role_active_changed() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	IF OLD.is_active = NEW.is_active THEN
		RETURN NULL;
	END IF;
	PERFORM access_lock();
	IF NEW.is_active THEN
		INSERT INTO report_access (user_id, report_id, published, category, sort_title,
					   updated_at)
		SELECT g.user_id, r.id, r.status = 'published', r.category, lower(r.title),
		       r.updated_at
		FROM (SELECT DISTINCT ur.user_id, rr.report_id
		      FROM user_roles ur JOIN role_reports rr ON rr.role_id = ur.role_id
		      WHERE ur.role_id = NEW.id) g
		JOIN reports r ON r.id = g.report_id
		ON CONFLICT DO NOTHING;
	ELSE
		PERFORM access_prune(ARRAY(SELECT user_id FROM user_roles WHERE role_id = NEW.id),
				     ARRAY(SELECT report_id FROM role_reports WHERE role_id = NEW.id));
	END IF;
	RETURN NULL;
END
$$;

-- Recomputes report_access, its copied columns and both count tables from
-- the grants and reports: after bulk loads with the triggers off, and as the
-- reference the tests compare the triggers' result with. With the triggers
-- on it is still right (the counts are recomputed last), only slower.
CREATE OR REPLACE FUNCTION access_rebuild() RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	PERFORM access_lock();
	DELETE FROM report_access;
	INSERT INTO report_access (user_id, report_id, published, category, sort_title, updated_at)
	SELECT g.user_id, r.id, r.status = 'published', r.category, lower(r.title), r.updated_at
	FROM (SELECT DISTINCT ur.user_id, rr.report_id
	      FROM user_roles ur
	      JOIN roles ro ON ro.id = ur.role_id AND ro.is_active
	      JOIN role_reports rr ON rr.role_id = ur.role_id) g
	JOIN reports r ON r.id = g.report_id;
	DELETE FROM user_category_counts;
	INSERT INTO user_category_counts (user_id, category, n)
	SELECT user_id, category, count(*) FROM report_access WHERE published GROUP BY 1, 2
	ORDER BY 1, 2; -- a user's rows together: the list reads them all
	DELETE FROM report_category_counts;
	INSERT INTO report_category_counts (category, n)
	SELECT category, count(*) FROM reports GROUP BY 1;
END
$$;

SELECT access_rebuild();

GRANT SELECT ON user_category_counts, report_category_counts TO portal_web, portal_admin;

-- The two helpers take any deltas: only the triggers above (running as the
-- owner) may call them.
REVOKE EXECUTE ON FUNCTION user_category_counts_apply(bigint[], text[], integer[]),
	report_category_counts_apply(text[], integer[]) FROM PUBLIC;
