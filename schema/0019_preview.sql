-- The preview of a change (issue 16 item 5, lib/preview.c): before a role's
-- members or reports change, a role is switched off or on, or a report's
-- status changes, the admin page and `portalctl ... --dry-run` show who
-- gains and who loses which reports. lib/preview.c does it literally, in
-- one transaction: it copies what report_access (a view over user_role_sets
-- and role_set_reports, 0013) holds for the users and reports the change
-- can touch into preview_before, applies the change through its one home
-- (lib/grants.c, lib/roles.c, lib/reports.c), compares report_access's
-- tables with the copy (deleting the copy as it reads it), and rolls back;
-- a confirmed save commits instead, when the outcome is the one the
-- preview showed.
--
-- The copy is kept as the model keeps access, per role set, so that its
-- size follows the model and not users × reports (the all-staff role of
-- 100,000 members and 300 reports is 100,000 rows of the first kind and a
-- few hundred sets' rows of the second, not 30 million pairs):
--   (user_id, set_id, NULL)      a user of the scope pointed at that set
--   (NULL, set_id, report_id)    that set held that published report of the scope
--
-- The table is always empty between transactions: its rows are private to
-- the transaction that wrote them (xact), deleted by the same transaction
-- or rolled back with it. Unlogged: a copy that never outlives its
-- transaction needs no WAL, and a crash leaves nothing to keep.
CREATE UNLOGGED TABLE preview_before (
	xact xid8 NOT NULL DEFAULT pg_current_xact_id(),
	user_id bigint,
	set_id bigint NOT NULL,
	report_id bigint,
	CONSTRAINT preview_before_kind_check CHECK ((user_id IS NULL) <> (report_id IS NULL))
);
CREATE INDEX preview_before_xact_idx ON preview_before (xact);

COMMENT ON TABLE preview_before IS
	'report_access as it was before a previewed change, per role set (lib/preview.c); empty between transactions';

-- The admin pool previews and saves; the portal pool never changes access.
GRANT SELECT, INSERT, DELETE ON preview_before TO portal_admin;
