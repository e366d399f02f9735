-- A new role set's content read report by report (issue 13).
--
-- access_sets_intern() (0013) filled a new set's role_set_reports with a
-- join of the set's (role, report) pairs and reports, and the planner
-- made it a hash join: a sequential scan of every report to hash them,
-- for the few hundred the set grants. Measured with auto_explain on the
-- scale data (test/data/scale.sql, 10,000 reports, 100,000 users): a new
-- user with five roles made one new set of 416 reports, and the hash of
-- reports took 7.7 of the statement's 46 ms; at 100,000 reports it would
-- take ten times that. Here each pair looks its report up by primary key
-- (LATERAL ... OFFSET 0 keeps the nested loop), so a set costs what it
-- holds, whatever the size of the catalogue. The function is otherwise
-- 0013's, line for line.

-- The set ids of the sets p_sets (role_ids as text, '{1,5}'), each locked FOR
-- KEY SHARE so that the garbage collector leaves it, made where missing:
-- their roles locked FOR KEY SHARE and the reports they grant FOR SHARE
-- first, then their content from role_reports. Returns (role_ids text, id).
CREATE OR REPLACE FUNCTION access_sets_intern(p_sets text[])
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
			      WHERE s.id = ANY (v_new)) g,
			LATERAL (SELECT * FROM reports r WHERE r.id = g.report_id OFFSET 0) r
			ORDER BY 1, 2;
		END IF;
	END LOOP;
	RETURN QUERY SELECT d.t, s.id FROM unnest(p_sets) d(t)
		JOIN role_sets s ON s.role_ids = d.t::bigint[];
END
$$;
