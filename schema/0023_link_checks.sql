-- 0023: links that work (issue 18, item 4).
--
-- `portalctl links check` requests every published report's URL and keeps
-- here the last outcome per report: when (checked_at), which URL it asked
-- (url: an edited link is a new link, its count starts again), how long it
-- took, the HTTP status of the final answer (after redirects) or, when
-- there was none, what went wrong (failure, a short kind the pages name in
-- their language, and error, the client library's detail), the method that
-- answered (HEAD, or GET where HEAD was refused), and how many checks in a
-- row failed with the time the first of them was made (failing_since).
-- What counts as failed, and the count itself, are lib/links.c's; a link
-- that failed twice in a row (failures_in_row >= 2, LINKS_BROKEN_AFTER)
-- is shown to administrators (/admin/links and the report's admin page).
--
-- The check is a console job: in production it connects as portal_admin
-- (admin.env), which may write this table; the owner may too (dev, .env).
-- portal_web may read it: a report's owner is to see the warning on the
-- report's page (issue 18, item 2).

CREATE TABLE link_checks (
	report_id bigint PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE,
	url text NOT NULL,
	checked_at timestamptz NOT NULL,
	method text NOT NULL,
	http_status integer,
	failure text,
	error text,
	elapsed_ms integer NOT NULL,
	failures_in_row integer NOT NULL,
	failing_since timestamptz,
	CONSTRAINT link_checks_method_check CHECK (method IN ('HEAD', 'GET')),
	CONSTRAINT link_checks_http_status_check CHECK (http_status BETWEEN 100 AND 999),
	CONSTRAINT link_checks_failure_check
		CHECK (failure IN ('status', 'timeout', 'dns', 'connect', 'tls', 'redirects',
				   'protocol', 'other')),
	-- A working link and a failure of kind status have the answer's status;
	-- the other kinds had no answer.
	CONSTRAINT link_checks_failure_status_check
		CHECK ((http_status IS NOT NULL) = (failure IS NULL OR failure = 'status')),
	CONSTRAINT link_checks_error_check CHECK (char_length(error) <= 500),
	CONSTRAINT link_checks_elapsed_check CHECK (elapsed_ms >= 0),
	CONSTRAINT link_checks_failures_check
		CHECK (failures_in_row >= 0
		       AND (failures_in_row = 0) = (failure IS NULL)
		       AND (failures_in_row = 0) = (failing_since IS NULL))
);
-- The admin list: links failing now, oldest failure first.
CREATE INDEX link_checks_failing_idx ON link_checks (failing_since, report_id)
	WHERE failures_in_row > 0;

GRANT SELECT ON link_checks TO portal_web, portal_admin;
GRANT INSERT, UPDATE ON link_checks TO portal_admin;
