-- 0024: every report has an owner people can ask (issue 18, item 2).
--
-- A report's owner is a user, with an optional contact (a text or an e-mail
-- address: whom to ask, when not the owner). They are kept beside the report,
-- not in its row, so that handing a report over does not change what the list
-- pages show as its last change (reports.updated_at and the copies the
-- triggers keep of it). A report without a row here, or whose owner is
-- inactive or gone, is "without an owner": the admin pool lists those. Every
-- change is lib/reports.c's reports_set_owner (audited report.owner_changed,
-- with the owner and contact before and after).

CREATE TABLE report_owners (
	report_id bigint PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE,
	user_id bigint REFERENCES users (id) ON DELETE SET NULL,
	contact text,
	since timestamptz NOT NULL DEFAULT now(),
	set_by bigint REFERENCES users (id) ON DELETE SET NULL,
	CONSTRAINT report_owners_contact_check
		CHECK (contact IS NULL OR (btrim(contact) <> '' AND char_length(contact) <= 200
		       AND portal_visible_text(contact)))
);
CREATE INDEX report_owners_user_id_idx ON report_owners (user_id);

GRANT SELECT ON report_owners TO portal_web, portal_admin;
GRANT INSERT, UPDATE (user_id, contact, since, set_by) ON report_owners TO portal_admin;
