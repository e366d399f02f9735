-- Access per role set (issue 13): what a grant change costs grows with what
-- it changes in the model, not with users × reports.
--
-- Until now report_access held one row per (user, report), kept by
-- statement triggers under one global advisory lock: 100,000 users joining
-- a role of 300 reports wrote 30 million rows, and every other grant change
-- in the organisation waited for it. Most users share their set of roles
-- with many others (a department, a function, the all-staff role), so:
--
--   role_sets                 each distinct set of active roles, once
--                             (role_ids sorted; '{}' is the empty set)
--   user_role_sets            every user points at the set of their active
--                             roles (the empty set without any)
--   role_set_reports          what a set may see, with the copies the list
--                             sorts and filters on (as report_access had)
--   role_set_category_counts  a set's published reports per category
--
-- report_access and user_category_counts become views over these with the
-- columns they had, so every reader keeps working; the list page reads the
-- tables directly (lib/catalog.c), through the user's set id.
--
-- Who maintains what, in the transaction of the change (statement triggers):
--   * the mapping (user → set) depends on user_roles and roles.is_active:
--     a membership change or a role switched recomputes the set of the
--     users concerned only (access_users_recompute), interning sets that
--     did not exist yet (their content computed once from role_reports);
--   * a set's content depends on role_reports (and the reports' copied
--     columns) only, never on is_active: a report granted to or revoked
--     from a role changes the sets that contain that role
--     (access_pairs_changed); a report's title, category, status or
--     updated_at changes its rows (reports_listing_follow);
--   * the counts follow role_set_reports, whoever writes it;
--   * sets no user points at any more are deleted at commit by a deferred
--     constraint trigger (access_gc), the empty set never.
--
-- Locking: row locks instead of the global advisory lock, always taken in
-- the order roles → users (their user_role_sets rows) → reports → sets, each
-- in id order. The role comes first because an UPDATE of roles locks its
-- row before any trigger runs.
--   * a membership change locks its roles and the users' other roles FOR SHARE
--     (a switch of such a role
--     waits for it, or it for the switch), then the users;
--   * a role switch holds its row (the UPDATE), then locks its members;
--   * creating a set locks its roles FOR KEY SHARE and its reports FOR
--     SHARE, so that a grant to one of those roles (which locks the role
--     FOR UPDATE before it looks for the sets containing it) or a change of
--     one of those reports (which holds the report's row) waits until the
--     new set is committed and visible, or the set waits for them and reads
--     their result;
--   * whoever writes a set's rows locks the set FOR NO KEY UPDATE first;
--     whoever points a user at a set holds it FOR KEY SHARE;
--   * the garbage collector takes FOR UPDATE ... SKIP LOCKED, so it never
--     waits: a set in use by a running transaction is left for later.
-- Changes that touch different users, roles and reports do not wait for
-- each other; a change waits for a running change only where the two share
-- a user, a role, a report or a set being written.
--
-- access_rebuild() recomputes everything from scratch; test/db/run compares
-- it with the incremental result after every kind of change, also after
-- concurrent changes from two sessions.

-- ---- what 0004 and 0006 maintained --------------------------------------

DROP TRIGGER user_roles_access_ins ON user_roles;
DROP TRIGGER user_roles_access_del ON user_roles;
DROP TRIGGER user_roles_access_upd_old ON user_roles;
DROP TRIGGER user_roles_access_upd_new ON user_roles;
DROP TRIGGER role_reports_access_ins ON role_reports;
DROP TRIGGER role_reports_access_del ON role_reports;
DROP TRIGGER role_reports_access_upd_old ON role_reports;
DROP TRIGGER role_reports_access_upd_new ON role_reports;
DROP TRIGGER roles_access_active ON roles;
DROP TABLE report_access;
DROP TABLE user_category_counts;
DROP FUNCTION access_user_roles_added(), access_user_roles_removed(),
	access_role_reports_added(), access_role_reports_removed(),
	access_role_active_changed(), access_counts_follow(),
	access_prune(bigint[], bigint[]), access_rebuild(), access_lock(),
	user_category_counts_apply(bigint[], text[], integer[]);

-- ---- the structures -------------------------------------------------------

-- A set of role ids, sorted, without duplicates: the one spelling of a set.
CREATE FUNCTION role_ids_normal(p_ids bigint[]) RETURNS boolean
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	AS $$SELECT p_ids = ARRAY(SELECT DISTINCT x FROM unnest(p_ids) x ORDER BY 1)
		AND array_position(p_ids, NULL) IS NULL$$;

CREATE TABLE role_sets (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	role_ids bigint[] NOT NULL,
	CONSTRAINT role_sets_role_ids_key UNIQUE (role_ids),
	CONSTRAINT role_sets_role_ids_check CHECK (role_ids_normal(role_ids))
);
-- The sets that contain a role (a grant to that role changes them).
CREATE INDEX role_sets_role_ids_gin ON role_sets USING gin (role_ids);

-- set_id has no foreign key: a check per row doubled the cost of 100,000
-- users moving at once. Who points a user at a set holds the set FOR KEY
-- SHARE (access_sets_intern), and the garbage collector deletes only sets
-- nobody points at, so the reference holds all the same (test/db/run).
CREATE TABLE user_role_sets (
	user_id bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	set_id bigint NOT NULL
);
CREATE INDEX user_role_sets_set_id_idx ON user_role_sets (set_id);

-- No foreign keys: a check per row would cost more than the row when a
-- set is made, and the writers below keep them (the garbage collector
-- deletes a set's rows with it; a report's deletion takes its rows along).
CREATE TABLE role_set_reports (
	set_id bigint NOT NULL,
	report_id bigint NOT NULL,
	published boolean NOT NULL,
	category text NOT NULL,
	sort_title text NOT NULL,
	updated_at timestamptz NOT NULL,
	PRIMARY KEY (set_id, report_id)
);
COMMENT ON COLUMN role_set_reports.published IS 'copy of reports.status = published, kept by triggers';
COMMENT ON COLUMN role_set_reports.category IS 'copy of reports.category, kept by triggers';
COMMENT ON COLUMN role_set_reports.sort_title IS 'copy of lower(reports.title), kept by triggers';
COMMENT ON COLUMN role_set_reports.updated_at IS 'copy of reports.updated_at, kept by triggers';
CREATE INDEX role_set_reports_report_id_idx ON role_set_reports (report_id);
-- The list's three orders, as 0006 had them per user, now per set.
CREATE INDEX role_set_reports_title_idx ON role_set_reports (set_id, sort_title, report_id)
	WHERE published;
CREATE INDEX role_set_reports_updated_idx ON role_set_reports (set_id, updated_at DESC)
	WHERE published;
CREATE INDEX role_set_reports_category_idx ON role_set_reports (set_id, category)
	WHERE published;

CREATE TABLE role_set_category_counts (
	set_id bigint NOT NULL,
	category text NOT NULL,
	n integer NOT NULL,
	PRIMARY KEY (set_id, category),
	CONSTRAINT role_set_category_counts_n_check CHECK (n > 0)
);

-- Sets that may have lost their last user in this transaction, for the
-- garbage collector at commit (always empty between transactions).
CREATE TABLE role_set_gc (
	set_ids bigint[] NOT NULL,
	xact xid8 NOT NULL DEFAULT pg_current_xact_id()
);

INSERT INTO role_sets (role_ids) VALUES ('{}');

-- The names every reader knows, with the columns they had.
CREATE VIEW report_access AS
SELECT us.user_id, a.report_id, a.published, a.category, a.sort_title, a.updated_at
FROM user_role_sets us JOIN role_set_reports a ON a.set_id = us.set_id;

CREATE VIEW user_category_counts AS
SELECT us.user_id, c.category, c.n
FROM user_role_sets us JOIN role_set_category_counts c ON c.set_id = us.set_id;

-- ---- the counts follow role_set_reports -----------------------------------

-- Adds delta n to the count of (set, category), for parallel arrays; a
-- count that reaches zero is deleted, decrements touch existing rows only
-- (the garbage collector deletes a set's counts before its rows).
CREATE FUNCTION role_set_counts_apply(p_sets bigint[], p_cats text[], p_n integer[])
	RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	IF p_sets IS NULL THEN
		RETURN;
	END IF;
	DELETE FROM role_set_category_counts c
	USING unnest(p_sets, p_cats, p_n) d(set_id, category, n)
	WHERE c.set_id = d.set_id AND c.category = d.category AND d.n < 0 AND c.n + d.n <= 0;
	UPDATE role_set_category_counts c SET n = c.n + d.n
	FROM unnest(p_sets, p_cats, p_n) d(set_id, category, n)
	WHERE c.set_id = d.set_id AND c.category = d.category AND d.n < 0;
	INSERT INTO role_set_category_counts AS c (set_id, category, n)
	SELECT d.set_id, d.category, d.n
	FROM unnest(p_sets, p_cats, p_n) d(set_id, category, n)
	WHERE d.n > 0
	ORDER BY 1, 2
	ON CONFLICT (set_id, category) DO UPDATE SET n = c.n + excluded.n;
END
$$;

CREATE FUNCTION role_set_counts_follow() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	-- bulk changes sort and hash 100,000 users in memory
	SET work_mem = '64MB'
	AS $$
DECLARE
	d_sets bigint[];
	d_cats text[];
	d_n integer[];
BEGIN
	IF TG_OP = 'INSERT' THEN
		SELECT array_agg(set_id), array_agg(category), array_agg(n)
		INTO d_sets, d_cats, d_n
		FROM (SELECT set_id, category, count(*)::integer AS n FROM new_rows
		      WHERE published GROUP BY 1, 2) d;
	ELSIF TG_OP = 'DELETE' THEN
		SELECT array_agg(set_id), array_agg(category), array_agg(n)
		INTO d_sets, d_cats, d_n
		FROM (SELECT set_id, category, -count(*)::integer AS n FROM old_rows
		      WHERE published GROUP BY 1, 2) d;
	ELSE
		SELECT array_agg(set_id), array_agg(category), array_agg(n)
		INTO d_sets, d_cats, d_n
		FROM (SELECT set_id, category, sum(n)::integer AS n FROM (
			SELECT set_id, category, 1 AS n FROM new_rows WHERE published
			UNION ALL
			SELECT set_id, category, -1 FROM old_rows WHERE published) x
		      GROUP BY 1, 2 HAVING sum(n) <> 0) d;
	END IF;
	PERFORM role_set_counts_apply(d_sets, d_cats, d_n);
	RETURN NULL;
END
$$;

CREATE TRIGGER role_set_reports_counts_ins AFTER INSERT ON role_set_reports
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION role_set_counts_follow();
CREATE TRIGGER role_set_reports_counts_del AFTER DELETE ON role_set_reports
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION role_set_counts_follow();
CREATE TRIGGER role_set_reports_counts_upd AFTER UPDATE ON role_set_reports
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION role_set_counts_follow();

-- ---- the mapping: users → their set ---------------------------------------

-- The set ids of the sets p_sets (role_ids as text, '{1,5}'), each locked FOR
-- KEY SHARE so that the garbage collector leaves it, made where missing:
-- their roles locked FOR KEY SHARE and the reports they grant FOR SHARE
-- first, then their content from role_reports. Returns (role_ids text, id).
CREATE FUNCTION access_sets_intern(p_sets text[])
	RETURNS TABLE (role_ids text, set_id bigint)
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	-- bulk changes sort and hash 100,000 users in memory
	SET work_mem = '64MB'
	AS $$
#variable_conflict use_column
DECLARE
	v_missing text[];
	v_new bigint[];
BEGIN
	LOOP
		PERFORM 1 FROM (SELECT s.id FROM role_sets s
				JOIN unnest(p_sets) d(t) ON s.role_ids = d.t::bigint[]
				ORDER BY s.id FOR KEY SHARE OF s) x;
		SELECT array_agg(d.t) INTO v_missing FROM unnest(p_sets) d(t)
		WHERE NOT EXISTS (SELECT 1 FROM role_sets s WHERE s.role_ids = d.t::bigint[]);
		EXIT WHEN v_missing IS NULL;
		PERFORM 1 FROM (SELECT id FROM roles
				WHERE id IN (SELECT unnest(d.t::bigint[]) FROM unnest(v_missing) d(t))
				ORDER BY id FOR KEY SHARE) x;
		PERFORM 1 FROM (SELECT id FROM reports WHERE id IN (
				SELECT rr.report_id FROM role_reports rr WHERE rr.role_id IN (
					SELECT unnest(d.t::bigint[]) FROM unnest(v_missing) d(t)))
				ORDER BY id FOR SHARE) x;
		-- Another transaction making the same set: ON CONFLICT waits for
		-- it, then the loop locks the set it made.
		WITH ins AS (
			INSERT INTO role_sets (role_ids)
			SELECT d.t::bigint[] FROM unnest(v_missing) d(t) ORDER BY 1
			ON CONFLICT (role_ids) DO NOTHING
			RETURNING id)
		SELECT array_agg(id) INTO v_new FROM ins;
		IF v_new IS NOT NULL THEN
			INSERT INTO role_set_reports (set_id, report_id, published, category,
						      sort_title, updated_at)
			SELECT g.set_id, r.id, r.status = 'published', r.category, lower(r.title),
			       r.updated_at
			FROM (SELECT DISTINCT s.id AS set_id, rr.report_id
			      FROM role_sets s CROSS JOIN unnest(s.role_ids) x(role_id)
			      JOIN role_reports rr ON rr.role_id = x.role_id
			      WHERE s.id = ANY (v_new)) g
			JOIN reports r ON r.id = g.report_id
			ORDER BY 1, 2;
		END IF;
	END LOOP;
	RETURN QUERY SELECT d.t, s.id FROM unnest(p_sets) d(t)
		JOIN role_sets s ON s.role_ids = d.t::bigint[];
END
$$;

-- Points the users p_users at the set of their active roles. p_roles are
-- the roles whose membership of these users changed: locked FOR SHARE
-- first, with the users' other roles, so that a switch of such a role
-- (which recomputes its members) and this change see each other. Then the
-- users' rows, then the sets.
CREATE FUNCTION access_users_recompute(p_users bigint[], p_roles bigint[]) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	-- bulk changes sort and hash 100,000 users in memory
	SET work_mem = '64MB'
	AS $$
DECLARE
	v_users bigint[];
	v_targets text[];
	v_old bigint[];
	v_sets text[];
	v_ids bigint[];
BEGIN
	IF p_users IS NULL OR cardinality(p_users) = 0 THEN
		RETURN;
	END IF;
	-- Before the users: every role these users have, as well (their new
	-- sets are made of those). A switch of one of them holds its role and
	-- then waits for its members; taking a role after the users would
	-- close a circle with it (and a grant to another of its roles). A
	-- switch itself (p_roles NULL) holds its role already: it takes the
	-- other roles only FOR KEY SHARE, for the sets it makes.
	PERFORM 1 FROM (SELECT id FROM roles
			WHERE id IN (SELECT unnest(p_roles))
			   OR (p_roles IS NOT NULL
			       AND id IN (SELECT ur.role_id FROM user_roles ur
					  WHERE ur.user_id IN (SELECT unnest(p_users))))
			ORDER BY id FOR SHARE) x;
	PERFORM 1 FROM (SELECT user_id FROM user_role_sets
			WHERE user_id IN (SELECT unnest(p_users)) ORDER BY user_id FOR NO KEY UPDATE) x;
	-- A fresh snapshot: every change that held these users before is in it.
	SELECT array_agg(c.user_id), array_agg(c.target), array_agg(DISTINCT c.set_id)
	INTO v_users, v_targets, v_old
	FROM (SELECT us.user_id, us.set_id, coalesce(t.ids, '{}')::text AS target, cs.role_ids
	      FROM user_role_sets us
	      JOIN role_sets cs ON cs.id = us.set_id
	      LEFT JOIN (SELECT ur.user_id, array_agg(ur.role_id ORDER BY ur.role_id) AS ids
			 FROM user_roles ur JOIN roles ro ON ro.id = ur.role_id AND ro.is_active
			 WHERE ur.user_id IN (SELECT unnest(p_users))
			 GROUP BY ur.user_id) t ON t.user_id = us.user_id
	      WHERE us.user_id IN (SELECT unnest(p_users))) c
	WHERE c.role_ids::text <> c.target;
	IF v_users IS NULL THEN
		RETURN;
	END IF;
	SELECT array_agg(i.role_ids), array_agg(i.set_id) INTO v_sets, v_ids
	FROM access_sets_intern(ARRAY(SELECT DISTINCT unnest(v_targets))) i;
	UPDATE user_role_sets us SET set_id = i.set_id
	FROM unnest(v_users, v_targets) c(user_id, target)
	JOIN unnest(v_sets, v_ids) i(role_ids, set_id) ON i.role_ids = c.target
	WHERE us.user_id = c.user_id;
	INSERT INTO role_set_gc (set_ids) VALUES (v_old);
END
$$;

CREATE FUNCTION access_user_roles_changed() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
DECLARE
	v_users bigint[];
	v_roles bigint[];
BEGIN
	IF TG_OP = 'INSERT' THEN
		SELECT array_agg(DISTINCT user_id), array_agg(DISTINCT role_id) INTO v_users, v_roles
		FROM new_rows;
	ELSIF TG_OP = 'DELETE' THEN
		SELECT array_agg(DISTINCT user_id), array_agg(DISTINCT role_id) INTO v_users, v_roles
		FROM old_rows;
	ELSE
		SELECT array_agg(DISTINCT user_id), array_agg(DISTINCT role_id) INTO v_users, v_roles
		FROM (SELECT user_id, role_id FROM old_rows
		      UNION ALL SELECT user_id, role_id FROM new_rows) x;
	END IF;
	PERFORM access_users_recompute(v_users, v_roles);
	RETURN NULL;
END
$$;

-- A role switched on or off: its members move to the set of their active
-- roles. The UPDATE holds the role's row already.
CREATE FUNCTION access_roles_active_changed() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
DECLARE
	v_users bigint[];
BEGIN
	SELECT array_agg(DISTINCT ur.user_id) INTO v_users
	FROM old_rows o JOIN new_rows n ON n.id = o.id AND n.is_active IS DISTINCT FROM o.is_active
	JOIN user_roles ur ON ur.role_id = n.id;
	PERFORM access_users_recompute(v_users, NULL);
	RETURN NULL;
END
$$;

-- A new user points at the empty set.
CREATE FUNCTION access_users_added() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	INSERT INTO user_role_sets (user_id, set_id)
	SELECT n.id, (SELECT s.id FROM role_sets s WHERE s.role_ids = '{}')
	FROM new_rows n ORDER BY 1;
	RETURN NULL;
END
$$;

-- A user deleted (the cascade takes their row): their set may be garbage.
CREATE FUNCTION access_user_sets_removed() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	INSERT INTO role_set_gc (set_ids) SELECT array_agg(DISTINCT set_id) FROM old_rows
	HAVING count(*) > 0;
	RETURN NULL;
END
$$;

-- ---- the content: sets → reports -------------------------------------------

-- The pairs (role, report) of p_roles and p_reports (parallel arrays) were
-- granted or revoked: every set that contains such a role gets the report,
-- or loses it unless another of its roles grants it. Locks the roles FOR
-- UPDATE (a set being made with one of them finishes first, and is then
-- found here), the reports FOR SHARE, the sets FOR NO KEY UPDATE.
CREATE FUNCTION access_pairs_changed(p_roles bigint[], p_reports bigint[]) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	-- bulk changes sort and hash 100,000 users in memory
	SET work_mem = '64MB'
	AS $$
DECLARE
	v_sets bigint[];
BEGIN
	IF p_roles IS NULL THEN
		RETURN;
	END IF;
	PERFORM 1 FROM (SELECT id FROM roles WHERE id IN (SELECT unnest(p_roles))
			ORDER BY id FOR UPDATE) x;
	PERFORM 1 FROM (SELECT id FROM reports WHERE id IN (SELECT unnest(p_reports))
			ORDER BY id FOR SHARE) x;
	SELECT array_agg(id) INTO v_sets
	FROM (SELECT id FROM role_sets
	      WHERE role_ids && (SELECT array_agg(DISTINCT r) FROM unnest(p_roles) r)
	      ORDER BY id FOR NO KEY UPDATE) x;
	IF v_sets IS NULL THEN
		RETURN;
	END IF;
	DELETE FROM role_set_reports a
	USING (SELECT DISTINCT s.id AS set_id, c.report_id, s.role_ids
	       FROM unnest(p_roles, p_reports) c(role_id, report_id)
	       JOIN role_sets s ON s.id = ANY (v_sets) AND c.role_id = ANY (s.role_ids)) p
	WHERE a.set_id = p.set_id AND a.report_id = p.report_id
	  AND NOT EXISTS (SELECT 1 FROM role_reports rr
			  WHERE rr.report_id = p.report_id AND rr.role_id = ANY (p.role_ids));
	INSERT INTO role_set_reports (set_id, report_id, published, category, sort_title, updated_at)
	SELECT p.set_id, r.id, r.status = 'published', r.category, lower(r.title), r.updated_at
	FROM (SELECT DISTINCT s.id AS set_id, c.report_id, s.role_ids
	      FROM unnest(p_roles, p_reports) c(role_id, report_id)
	      JOIN role_sets s ON s.id = ANY (v_sets) AND c.role_id = ANY (s.role_ids)) p
	JOIN reports r ON r.id = p.report_id
	WHERE EXISTS (SELECT 1 FROM role_reports rr
		      WHERE rr.report_id = p.report_id AND rr.role_id = ANY (p.role_ids))
	ORDER BY 1, 2
	ON CONFLICT DO NOTHING;
END
$$;

CREATE FUNCTION access_role_reports_changed() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
DECLARE
	v_roles bigint[];
	v_reports bigint[];
BEGIN
	IF TG_OP = 'INSERT' THEN
		SELECT array_agg(role_id), array_agg(report_id) INTO v_roles, v_reports
		FROM (SELECT DISTINCT role_id, report_id FROM new_rows) x;
	ELSIF TG_OP = 'DELETE' THEN
		SELECT array_agg(role_id), array_agg(report_id) INTO v_roles, v_reports
		FROM (SELECT DISTINCT role_id, report_id FROM old_rows) x;
	ELSE
		SELECT array_agg(role_id), array_agg(report_id) INTO v_roles, v_reports
		FROM ((SELECT role_id, report_id FROM old_rows EXCEPT SELECT role_id, report_id FROM new_rows)
		      UNION
		      (SELECT role_id, report_id FROM new_rows EXCEPT SELECT role_id, report_id FROM old_rows)) x;
	END IF;
	PERFORM access_pairs_changed(v_roles, v_reports);
	RETURN NULL;
END
$$;

-- A report's copied columns changed (or it was deleted): its rows in every
-- set, the sets locked first; and report_category_counts, as in 0006.
CREATE OR REPLACE FUNCTION reports_listing_follow() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
DECLARE
	d_cats text[];
	d_n integer[];
	v_ids bigint[];
BEGIN
	IF TG_OP = 'UPDATE' THEN
		SELECT array_agg(n.id) INTO v_ids
		FROM old_rows o JOIN new_rows n ON n.id = o.id
		WHERE (o.status = 'published', o.category, lower(o.title), o.updated_at)
		      IS DISTINCT FROM (n.status = 'published', n.category, lower(n.title), n.updated_at);
		IF v_ids IS NULL THEN
			RETURN NULL;
		END IF;
		PERFORM 1 FROM (SELECT id FROM role_sets WHERE id IN (
				SELECT set_id FROM role_set_reports WHERE report_id = ANY (v_ids))
				ORDER BY id FOR NO KEY UPDATE) x;
		UPDATE role_set_reports a
		SET published = n.status = 'published', category = n.category,
		    sort_title = lower(n.title), updated_at = n.updated_at
		FROM new_rows n
		WHERE a.report_id = n.id AND n.id = ANY (v_ids)
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
		SELECT array_agg(id) INTO v_ids FROM old_rows;
		PERFORM 1 FROM (SELECT id FROM role_sets WHERE id IN (
				SELECT set_id FROM role_set_reports WHERE report_id = ANY (v_ids))
				ORDER BY id FOR NO KEY UPDATE) x;
		DELETE FROM role_set_reports WHERE report_id = ANY (v_ids);
		SELECT array_agg(category), array_agg(n) INTO d_cats, d_n
		FROM (SELECT category, -count(*)::integer AS n FROM old_rows GROUP BY 1) d;
	END IF;
	PERFORM report_category_counts_apply(d_cats, d_n);
	RETURN NULL;
END
$$;

-- ---- garbage: sets nobody points at ------------------------------------

-- At commit, the sets this transaction's users left: deleted when no user
-- points at them. FOR UPDATE SKIP LOCKED: a set that a running transaction
-- holds (it is pointing a user at it, or writing its rows) is left alone,
-- so this never waits and cannot deadlock; the next collection (of any
-- transaction that moved users) sweeps up to 100 such leftovers, and
-- access_rebuild() keeps none. The empty set stays.
CREATE FUNCTION access_gc() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	-- bulk changes sort and hash 100,000 users in memory
	SET work_mem = '64MB'
	AS $$
DECLARE
	v_cand bigint[];
	v_dead bigint[];
BEGIN
	WITH d AS (DELETE FROM role_set_gc WHERE xact = pg_current_xact_id() RETURNING set_ids)
	SELECT array_agg(DISTINCT x) INTO v_cand FROM d, unnest(d.set_ids) x;
	IF v_cand IS NULL THEN
		RETURN NULL;
	END IF;
	-- And up to 100 other unused sets: those that an earlier collection
	-- left because a running transaction held them.
	v_cand := v_cand || ARRAY(SELECT s.id FROM role_sets s WHERE s.role_ids <> '{}'
		AND NOT EXISTS (SELECT 1 FROM user_role_sets us WHERE us.set_id = s.id) LIMIT 100);
	SELECT array_agg(id) INTO v_dead
	FROM (SELECT id FROM role_sets WHERE id = ANY (v_cand) AND role_ids <> '{}'
	      ORDER BY id FOR UPDATE SKIP LOCKED) x;
	-- A fresh snapshot: whoever pointed a user at one of them has committed.
	SELECT array_agg(x) INTO v_dead FROM unnest(v_dead) x
	WHERE NOT EXISTS (SELECT 1 FROM user_role_sets us WHERE us.set_id = x);
	IF v_dead IS NULL THEN
		RETURN NULL;
	END IF;
	DELETE FROM role_set_category_counts WHERE set_id = ANY (v_dead);
	DELETE FROM role_set_reports WHERE set_id = ANY (v_dead);
	DELETE FROM role_sets WHERE id = ANY (v_dead);
	RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER role_set_gc_at_commit AFTER INSERT ON role_set_gc
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION access_gc();

-- ---- from scratch ------------------------------------------------------------

-- Recomputes every set, every user's set, the sets' content and all counts
-- from the grants and reports: after bulk loads with the triggers off, and
-- as the reference the tests compare the triggers' result with. Grant and
-- report changes wait for it (SHARE locks on their tables); the pages read
-- on (EXCLUSIVE on the access tables lets readers through).
CREATE FUNCTION access_rebuild() RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	-- bulk changes sort and hash 100,000 users in memory
	SET work_mem = '64MB'
	AS $$
BEGIN
	LOCK TABLE roles, reports, user_roles, role_reports IN SHARE MODE;
	LOCK TABLE role_sets, user_role_sets, role_set_reports, role_set_category_counts,
		role_set_gc IN EXCLUSIVE MODE;
	DELETE FROM role_set_gc;
	DELETE FROM role_set_category_counts;
	DELETE FROM role_set_reports;
	DELETE FROM user_role_sets;
	DELETE FROM role_sets;
	CREATE TEMP TABLE access_rebuild_targets ON COMMIT DROP AS
	SELECT u.id AS user_id, coalesce(t.ids, '{}') AS role_ids
	FROM users u
	LEFT JOIN (SELECT ur.user_id, array_agg(ur.role_id ORDER BY ur.role_id) AS ids
		   FROM user_roles ur JOIN roles ro ON ro.id = ur.role_id AND ro.is_active
		   GROUP BY ur.user_id) t ON t.user_id = u.id;
	INSERT INTO role_sets (role_ids)
	SELECT role_ids FROM access_rebuild_targets UNION SELECT '{}' ORDER BY 1;
	INSERT INTO user_role_sets (user_id, set_id)
	SELECT t.user_id, s.id FROM access_rebuild_targets t JOIN role_sets s ON s.role_ids = t.role_ids
	ORDER BY 1;
	DROP TABLE access_rebuild_targets;
	INSERT INTO role_set_reports (set_id, report_id, published, category, sort_title, updated_at)
	SELECT g.set_id, r.id, r.status = 'published', r.category, lower(r.title), r.updated_at
	FROM (SELECT DISTINCT s.id AS set_id, rr.report_id
	      FROM role_sets s CROSS JOIN unnest(s.role_ids) x(role_id)
	      JOIN role_reports rr ON rr.role_id = x.role_id) g
	JOIN reports r ON r.id = g.report_id
	ORDER BY 1, 2;
	-- Recomputed last: right with the counts' triggers on or off.
	DELETE FROM role_set_category_counts;
	INSERT INTO role_set_category_counts (set_id, category, n)
	SELECT set_id, category, count(*) FROM role_set_reports WHERE published GROUP BY 1, 2
	ORDER BY 1, 2;
	DELETE FROM report_category_counts;
	INSERT INTO report_category_counts (category, n)
	SELECT category, count(*) FROM reports GROUP BY 1;
END
$$;

-- ---- triggers ------------------------------------------------------------------

CREATE TRIGGER user_roles_access_ins AFTER INSERT ON user_roles
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION access_user_roles_changed();
CREATE TRIGGER user_roles_access_del AFTER DELETE ON user_roles
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION access_user_roles_changed();
CREATE TRIGGER user_roles_access_upd AFTER UPDATE ON user_roles
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION access_user_roles_changed();

CREATE TRIGGER role_reports_access_ins AFTER INSERT ON role_reports
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION access_role_reports_changed();
CREATE TRIGGER role_reports_access_del AFTER DELETE ON role_reports
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION access_role_reports_changed();
CREATE TRIGGER role_reports_access_upd AFTER UPDATE ON role_reports
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION access_role_reports_changed();

CREATE TRIGGER roles_access_active AFTER UPDATE ON roles
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION access_roles_active_changed();

CREATE TRIGGER user_role_sets_gc_del AFTER DELETE ON user_role_sets
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION access_user_sets_removed();

CREATE TRIGGER users_access_ins AFTER INSERT ON users
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION access_users_added();

SELECT access_rebuild();

-- ---- privileges (the seals of 0010 and 0011) ---------------------------------

-- Both pools read; neither writes any of it (only the owner's triggers do).
GRANT SELECT ON role_sets, user_role_sets, role_set_reports, role_set_category_counts,
	report_access, user_category_counts TO portal_web, portal_admin;
REVOKE EXECUTE ON FUNCTION role_ids_normal(bigint[]),
	role_set_counts_apply(bigint[], text[], integer[]),
	role_set_counts_follow(), access_sets_intern(text[]),
	access_users_recompute(bigint[], bigint[]), access_user_roles_changed(),
	access_roles_active_changed(), access_users_added(), access_user_sets_removed(),
	access_pairs_changed(bigint[], bigint[]), access_role_reports_changed(), access_gc(),
	access_rebuild() FROM PUBLIC;
