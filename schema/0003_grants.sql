-- What the two application roles may do (roles created by schema/roles.sql).
-- The database enforces the split between the pools: a bug in the portal pool
-- cannot change who sees what, and nobody but the owner can rewrite history
-- in audit_log. A new table in a later migration gets its grants there.

REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO portal_web, portal_admin;

-- portal_web: browse, sign in, account.
GRANT SELECT ON users, roles, reports, user_roles, role_reports TO portal_web;
-- Sign-in bookkeeping and the user's own password change; never the identity
-- or the privileges of an account.
GRANT UPDATE (failed_logins, locked_until, last_login_at, hashed_password, password_changed_at)
	ON users TO portal_web;
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO portal_web;
GRANT INSERT ON audit_log TO portal_web;
GRANT USAGE ON SEQUENCE sessions_id_seq, audit_log_id_seq TO portal_web;

-- portal_admin: everything the portal pool may, plus administration.
GRANT SELECT ON users, roles, reports, user_roles, role_reports TO portal_admin;
GRANT INSERT, UPDATE ON users, roles, reports, user_roles, role_reports TO portal_admin;
GRANT DELETE ON user_roles, role_reports TO portal_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO portal_admin;
GRANT SELECT, INSERT ON audit_log TO portal_admin;
GRANT USAGE ON SEQUENCE users_id_seq, roles_id_seq, reports_id_seq, sessions_id_seq,
	audit_log_id_seq TO portal_admin;
