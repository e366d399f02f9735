-- audit_canonical() in PL/pgSQL: the same audit-v1 text, three times faster.
--
-- 0009 wrote it in SQL, calling audit_canonical_field() once per field. That
-- helper uses its argument twice (its length, then its text), and PostgreSQL
-- does not inline a SQL function whose argument is used more than once when
-- the argument is itself a function call (l.seq::text, to_char(...)), so
-- every row made nine SQL-function calls through the executor: 16 us a row,
-- and `portalctl audit verify` of 1,000,000 rows took 37 s on a 2-core VM
-- (issue 12 asks for < 30 s). Here each field is computed once and appended
-- in a loop: 3.6 s instead of 11.8 s for a verify of 300,000 rows on the same
-- machine (schema/README.md). The text is byte for byte the one 0009 defines
-- (its comment there is the definition): test/db/run compares it with a
-- literal for a row with every kind of field, NULLs and an infinite time
-- included, so chains written before this migration verify as they did.
-- The chain's trigger calls this function too, so each audit row costs less.

CREATE OR REPLACE FUNCTION audit_canonical(l audit_log) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	AS $$
DECLARE
	f text;
	s text := 'audit-v1';
BEGIN
	FOREACH f IN ARRAY ARRAY[
		l.seq::text,
		l.id::text,
		CASE WHEN isfinite(l.at)
			THEN to_char(l.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
			ELSE l.at::text END,
		l.actor_id::text,
		l.action,
		l.target_type,
		l.target_id::text,
		l.details::text,
		l.ip::text]
	LOOP
		s := s || coalesce('|' || octet_length(f) || ':' || f, '|-');
	END LOOP;
	RETURN s;
END
$$;
