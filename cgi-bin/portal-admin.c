/*
 * portal-admin: the administrators' pool, everything under /admin/. It
 * connects as the database role portal_admin, which may change users, roles,
 * reports and grants; the employees' pool cannot. Only active superusers get
 * past admin_page_query / admin_post_guard (everyone else sees 404), and
 * only once they have given their password again at /admin/confirm.
 * The handlers live with their SQL in lib/admin_<area>.c: this file is the
 * route table.
 */
#include "admin.h"
#include "admin_access.h"
#include "admin_audit.h"
#include "grants.h"
#include "admin_reports.h"
#include "admin_roles.h"
#include "admin_users.h"
#include "reports.h"
#include "roles.h"
#include "users.h"

static const struct route routes[] = {
	{ "GET", "/admin/confirm", admin_get_confirm },
	{ "POST", "/admin/confirm", admin_post_confirm },
	{ "GET", "/admin/password", admin_get_password },
	{ "POST", "/admin/password", admin_post_password },
	{ "GET", "/admin/", admin_get_index },
	{ "GET", "/admin/reports", admin_get_reports },
	{ "GET", "/admin/reports/new", admin_get_report_new },
	{ "POST", "/admin/reports", admin_post_report_create },
	{ "GET", "/admin/reports/{id}", admin_get_report },
	{ "POST", "/admin/reports/{id}", admin_post_report_update },
	{ "GET", "/admin/roles", admin_get_roles },
	{ "GET", "/admin/roles/new", admin_get_role_new },
	{ "POST", "/admin/roles", admin_post_role_create },
	{ "GET", "/admin/roles/{id}", admin_get_role },
	{ "POST", "/admin/roles/{id}", admin_post_role_update },
	{ "POST", "/admin/roles/{id}/deactivate", admin_post_role_deactivate },
	{ "POST", "/admin/roles/{id}/activate", admin_post_role_activate },
	{ "POST", "/admin/roles/{id}/members/add", admin_post_role_members_add },
	{ "POST", "/admin/roles/{id}/members/remove", admin_post_role_members_remove },
	{ "POST", "/admin/roles/{id}/reports/add", admin_post_role_reports_add },
	{ "POST", "/admin/roles/{id}/reports/remove", admin_post_role_reports_remove },
	{ "GET", "/admin/users", admin_get_users },
	{ "GET", "/admin/users/new", admin_get_user_new },
	{ "POST", "/admin/users", admin_post_user_create },
	{ "GET", "/admin/users/{id}", admin_get_user },
	{ "POST", "/admin/users/{id}", admin_post_user_update },
	{ "POST", "/admin/users/{id}/password", admin_post_user_password },
	{ "POST", "/admin/users/{id}/unlock", admin_post_user_unlock },
	{ "POST", "/admin/users/{id}/roles/add", admin_post_user_roles_add },
	{ "POST", "/admin/users/{id}/roles/remove", admin_post_user_roles_remove },
	{ "GET", "/admin/access", admin_get_access },
	{ "GET", "/admin/access.csv", admin_get_access_csv },
	{ "GET", "/admin/access/users/{id}", admin_get_access_user },
	{ "GET", "/admin/access/reports/{id}", admin_get_access_report },
	{ "GET", "/admin/usage", admin_get_usage },
	{ "GET", "/admin/audit", admin_get_audit },
	{ "GET", "/admin/audit.csv", admin_get_audit_csv },
	{ "GET", "/admin/healthz", app_healthz },
	{ "GET", "/admin/status", app_status },
};

static const struct db_stmt *const stmt_sets[] = { session_stmts,
	                                           admin_reports_stmts,
	                                           grants_stmts,
	                                           admin_roles_stmts,
	                                           admin_users_stmts,
	                                           admin_access_stmts,
	                                           admin_audit_stmts,
	                                           users_stmts,
	                                           roles_stmts,
	                                           reports_stmts,
	                                           NULL };

static const struct app_spec spec = {
	.name = "portal-admin",
	.routes = routes,
	.n_routes = sizeof(routes) / sizeof(routes[0]),
	.stmt_sets = stmt_sets,
};

int main(int argc, char **argv)
{
	return app_main(argc, argv, &spec);
}
