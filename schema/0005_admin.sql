-- Administration: accounts an administrator creates must choose their own
-- password at the first sign-in, and the audit log is searched by action,
-- target and time.

ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

-- The user clears it by changing the password; only administrators set it.
GRANT UPDATE (must_change_password) ON users TO portal_web;

CREATE INDEX audit_log_action_at_idx ON audit_log (action, at);
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id, at);
-- Usage per report over the last 30 and 90 days (report_views by report and
-- time is indexed already), and the user list ordered by name.
CREATE INDEX users_display_name_idx ON users (lower(display_name));
