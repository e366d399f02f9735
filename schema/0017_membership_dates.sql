-- 0017: memberships that start and end (issue 16, item 1).
--
-- A user's membership of a role may have a start (valid_from) and an end
-- (valid_until): it counts from valid_from (inclusive) until valid_until
-- (exclusive); NULL is open on that side. Access must end at that instant
-- on every page, without a job that runs at the end date. So the access
-- structures of 0013 hold, per user, not one role set but the periods to
-- come: user_role_sets gets (valid_from, valid_until), and a user has
-- consecutive periods [-infinity, t1), [t1, t2), ... [tn, infinity), each
-- pointing at the set of the roles valid throughout it. A reader takes the
-- period that holds now(): exactly one. The sets of coming periods are made
-- when the membership is granted and kept exact like every other set (a
-- report granted to one of their roles reaches them), so the moment a
-- membership starts or ends is one row further in an index, not a write.
--
-- Periods that have ended stay until the user's memberships change again
-- (then they are dropped, and their sets collected): harmless, as nobody
-- reads a period that does not hold now().

ALTER TABLE user_roles
	ADD COLUMN valid_from timestamptz,
	ADD COLUMN valid_until timestamptz,
	ADD CONSTRAINT user_roles_valid_check
		CHECK ((valid_from IS NULL OR isfinite(valid_from))
		       AND (valid_until IS NULL OR isfinite(valid_until))
		       AND (valid_from IS NULL OR valid_until IS NULL OR valid_from < valid_until));
COMMENT ON COLUMN user_roles.valid_from IS 'the membership counts from this instant (NULL: from its grant)';
COMMENT ON COLUMN user_roles.valid_until IS 'the membership counts until this instant, exclusive (NULL: no end)';
-- Memberships that end, for the admin pages and a review of what expires.
CREATE INDEX user_roles_valid_until_idx ON user_roles (valid_until) WHERE valid_until IS NOT NULL;

-- An instant as administrators type it: ISO 8601, a date ("2027-03-31":
-- its midnight) or a date and time ("2027-03-31T17:00", seconds optional),
-- with an offset ("Z", "+01:00", "+0100", "+01") or without one: then Dutch
-- local time (Europe/Amsterdam), whatever the server's TimeZone. NULL for
-- NULL. lib/grants.c checks the form first (grants_time_check), so that a
-- typing error gets a clear answer; this is the meaning.
CREATE FUNCTION portal_local_time(p text) RETURNS timestamptz
	LANGUAGE sql STABLE
	AS $$
	SELECT CASE WHEN p ~ '[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$'
		    THEN p::timestamptz
		    ELSE p::timestamp AT TIME ZONE 'Europe/Amsterdam' END
$$;

-- The one definition of "a member now", for every reader that means it
-- (counts, member lists, the account page, the access views, the sync).
CREATE VIEW user_roles_current AS
SELECT ur.user_id, ur.role_id, ur.granted_at, ur.granted_by, ur.valid_from, ur.valid_until
FROM user_roles ur
WHERE (ur.valid_from IS NULL OR ur.valid_from <= now())
  AND (ur.valid_until IS NULL OR ur.valid_until > now());

ALTER TABLE user_role_sets
	ADD COLUMN valid_from timestamptz NOT NULL DEFAULT '-infinity',
	ADD COLUMN valid_until timestamptz NOT NULL DEFAULT 'infinity',
	ADD CONSTRAINT user_role_sets_valid_check CHECK (valid_from < valid_until),
	DROP CONSTRAINT user_role_sets_pkey,
	ADD PRIMARY KEY (user_id, valid_from);

CREATE OR REPLACE VIEW report_access AS
SELECT us.user_id, a.report_id, a.published, a.category, a.sort_title, a.updated_at
FROM user_role_sets us JOIN role_set_reports a ON a.set_id = us.set_id
WHERE us.valid_from <= now() AND us.valid_until > now();

CREATE OR REPLACE VIEW user_category_counts AS
SELECT us.user_id, c.category, c.n
FROM user_role_sets us JOIN role_set_category_counts c ON c.set_id = us.set_id
WHERE us.valid_from <= now() AND us.valid_until > now();

-- The periods of the users p_users from now on,
-- from their memberships of active roles: the one definition of which
-- roles count when, for the triggers and for access_rebuild(). Boundaries
-- in the past fold into -infinity, so a user without dates has one period
-- [-infinity, infinity). Only users that have rows in user_role_sets
-- (a user being deleted has none). Inlined into its callers (plain SQL).
CREATE FUNCTION access_periods(p_users bigint[])
	RETURNS TABLE (user_id bigint, valid_from timestamptz, valid_until timestamptz, role_ids bigint[])
	LANGUAGE sql STABLE
	AS $$
	WITH m AS (
		SELECT ur.user_id, ur.role_id,
		       CASE WHEN ur.valid_from > now() THEN ur.valid_from ELSE '-infinity' END AS f,
		       coalesce(ur.valid_until, 'infinity') AS u
		FROM user_roles ur JOIN roles ro ON ro.id = ur.role_id AND ro.is_active
		WHERE ur.user_id IN (SELECT unnest(p_users))
		  AND (ur.valid_until IS NULL OR ur.valid_until > now())),
	b AS (SELECT us.user_id, '-infinity'::timestamptz AS t FROM user_role_sets us
	      WHERE us.user_id IN (SELECT unnest(p_users))
	      UNION SELECT m.user_id, m.f FROM m WHERE m.f > '-infinity'
	      UNION SELECT m.user_id, m.u FROM m WHERE m.u < 'infinity'),
	p AS (SELECT b.user_id, b.t AS pf,
		     lead(b.t, 1, 'infinity') OVER (PARTITION BY b.user_id ORDER BY b.t) AS pu
	      FROM b)
	SELECT p.user_id, p.pf, p.pu,
	       coalesce(array_agg(m.role_id ORDER BY m.role_id) FILTER (WHERE m.role_id IS NOT NULL),
			'{}')
	FROM p LEFT JOIN m ON m.user_id = p.user_id AND m.f <= p.pf AND m.u >= p.pu
	GROUP BY p.user_id, p.pf, p.pu
$$;

-- 0013's, with periods: points the users p_users at the sets of their
-- periods. Locks as 0013's (roles, then the users' rows, then the sets);
-- a user's first period (from -infinity) is always there and is locked
-- with the rest, so two changes of one user serialise on it.
CREATE OR REPLACE FUNCTION access_users_recompute(p_users bigint[], p_roles bigint[]) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	-- bulk changes sort and hash 100,000 users in memory
	SET work_mem = '64MB'
	AS $$
DECLARE
	v_users bigint[];
	v_from timestamptz[];
	v_until timestamptz[];
	v_targets text[];
	v_old bigint[];
	v_sets text[];
	v_ids bigint[];
BEGIN
	IF p_users IS NULL OR cardinality(p_users) = 0 THEN
		RETURN;
	END IF;
	PERFORM 1 FROM (SELECT id FROM roles
			WHERE id IN (SELECT unnest(p_roles))
			   OR (p_roles IS NOT NULL
			       AND id IN (SELECT ur.role_id FROM user_roles ur
					  WHERE ur.user_id IN (SELECT unnest(p_users))))
			ORDER BY id FOR SHARE) x;
	PERFORM 1 FROM (SELECT us.user_id FROM user_role_sets us
			WHERE us.user_id IN (SELECT unnest(p_users))
			ORDER BY us.user_id, us.valid_from FOR NO KEY UPDATE) x;
	-- A fresh snapshot: every change that held these users before is in it.
	-- The new periods of the users whose periods differ from what they are.
	WITH n AS (SELECT a.user_id, a.valid_from, a.valid_until, a.role_ids::text AS target
		   FROM access_periods(p_users) a),
	o AS (SELECT us.user_id, us.valid_from, us.valid_until, cs.role_ids::text AS ids, us.set_id
	      FROM user_role_sets us JOIN role_sets cs ON cs.id = us.set_id
	      WHERE us.user_id IN (SELECT unnest(p_users))),
	d AS (SELECT DISTINCT coalesce(n.user_id, o.user_id) AS user_id
	      FROM n FULL JOIN o ON o.user_id = n.user_id AND o.valid_from = n.valid_from
	      WHERE n.user_id IS NULL OR o.user_id IS NULL OR o.valid_until <> n.valid_until
		 OR o.ids <> n.target)
	SELECT array_agg(n.user_id), array_agg(n.valid_from), array_agg(n.valid_until),
	       array_agg(n.target),
	       (SELECT array_agg(DISTINCT o.set_id) FROM o WHERE o.user_id IN (SELECT user_id FROM d))
	INTO v_users, v_from, v_until, v_targets, v_old
	FROM n WHERE n.user_id IN (SELECT user_id FROM d);
	IF v_users IS NULL THEN
		RETURN;
	END IF;
	SELECT array_agg(i.role_ids), array_agg(i.set_id) INTO v_sets, v_ids
	FROM access_sets_intern(ARRAY(SELECT DISTINCT unnest(v_targets))) i;
	-- Periods that no longer begin where they did go; the others are
	-- pointed at their new set (a user without dates: one row, updated,
	-- as 0013 did); new ones are added.
	DELETE FROM user_role_sets us
	WHERE us.user_id IN (SELECT unnest(v_users))
	  AND NOT EXISTS (SELECT 1 FROM unnest(v_users, v_from) c(user_id, f)
			  WHERE c.user_id = us.user_id AND c.f = us.valid_from);
	UPDATE user_role_sets us SET set_id = i.set_id, valid_until = c.u
	FROM unnest(v_users, v_from, v_until, v_targets) c(user_id, f, u, target)
	JOIN unnest(v_sets, v_ids) i(role_ids, set_id) ON i.role_ids = c.target
	WHERE us.user_id = c.user_id AND us.valid_from = c.f
	  AND (us.set_id <> i.set_id OR us.valid_until <> c.u);
	INSERT INTO user_role_sets (user_id, valid_from, valid_until, set_id)
	SELECT c.user_id, c.f, c.u, i.set_id
	FROM unnest(v_users, v_from, v_until, v_targets) c(user_id, f, u, target)
	JOIN unnest(v_sets, v_ids) i(role_ids, set_id) ON i.role_ids = c.target
	WHERE NOT EXISTS (SELECT 1 FROM user_role_sets us
			  WHERE us.user_id = c.user_id AND us.valid_from = c.f)
	ORDER BY 1, 2;
	INSERT INTO role_set_gc (set_ids) VALUES (v_old);
END
$$;

-- 0013's, with periods.
CREATE OR REPLACE FUNCTION access_rebuild() RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	-- bulk changes sort and hash 100,000 users in memory
	SET work_mem = '64MB'
	AS $$
BEGIN
	LOCK TABLE roles, reports, user_roles, role_reports IN SHARE MODE;
	LOCK TABLE role_sets, user_role_sets, role_set_reports, role_set_category_counts,
		role_set_gc IN EXCLUSIVE MODE;
	-- Every user gets one row first, for access_periods() to find.
	CREATE TEMP TABLE access_rebuild_users ON COMMIT DROP AS SELECT id FROM users;
	DELETE FROM role_set_gc;
	DELETE FROM role_set_category_counts;
	DELETE FROM role_set_reports;
	DELETE FROM user_role_sets;
	DELETE FROM role_sets;
	INSERT INTO role_sets (role_ids) VALUES ('{}');
	INSERT INTO user_role_sets (user_id, set_id)
	SELECT id, (SELECT id FROM role_sets) FROM access_rebuild_users ORDER BY 1;
	CREATE TEMP TABLE access_rebuild_targets ON COMMIT DROP AS
	SELECT * FROM access_periods(ARRAY(SELECT id FROM access_rebuild_users));
	INSERT INTO role_sets (role_ids)
	SELECT DISTINCT role_ids FROM access_rebuild_targets WHERE role_ids <> '{}' ORDER BY 1;
	DELETE FROM user_role_sets;
	INSERT INTO user_role_sets (user_id, valid_from, valid_until, set_id)
	SELECT t.user_id, t.valid_from, t.valid_until, s.id
	FROM access_rebuild_targets t JOIN role_sets s ON s.role_ids = t.role_ids
	ORDER BY 1, 2;
	DROP TABLE access_rebuild_targets;
	DROP TABLE access_rebuild_users;
	-- The deletions above queued sets for the collector: nothing is garbage.
	DELETE FROM role_set_gc;
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

GRANT SELECT ON user_roles_current TO portal_web, portal_admin;
REVOKE EXECUTE ON FUNCTION portal_local_time(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_local_time(text) TO portal_admin;
REVOKE EXECUTE ON FUNCTION access_periods(bigint[]) FROM PUBLIC;
