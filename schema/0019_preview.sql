-- The preview of a change (issue 16 item 5, lib/preview.c): before a role's
-- members or reports change, a role is switched off or on, or a report's
-- status changes, the admin page and `portalctl ... --dry-run` show who
-- gains and who loses which reports. lib/preview.c does it literally, in
-- one transaction: it copies the pairs of report_access the change may
-- touch into preview_before, applies the change through its one home
-- (lib/grants.c, lib/roles.c, lib/reports.c), compares report_access with
-- the copy (deleting the copy as it reads it), and rolls back; a confirmed
-- save commits instead, when the outcome is the one the preview showed.
--
-- So the table is always empty between transactions: its rows are private
-- to the transaction that wrote them (xact), deleted by the same
-- transaction or rolled back with it. Unlogged: a copy that never outlives
-- its transaction needs no WAL, and a crash leaves nothing to keep.
CREATE UNLOGGED TABLE preview_before (
	xact xid8 NOT NULL DEFAULT pg_current_xact_id(),
	user_id bigint NOT NULL,
	report_id bigint NOT NULL
);
CREATE INDEX preview_before_xact_idx ON preview_before (xact);

COMMENT ON TABLE preview_before IS
	'report_access pairs before a previewed change (lib/preview.c); empty between transactions';

-- The admin pool previews and saves; the portal pool never changes access.
GRANT SELECT, INSERT, DELETE ON preview_before TO portal_admin;
