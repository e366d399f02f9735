/*
 * portal-admin: the administrators' pool, everything under /admin/. It
 * connects as the database role portal_admin, which may change users, roles,
 * reports and grants; the employees' pool cannot. Only active superusers get
 * past admin_page_query / admin_post_guard; everyone else sees 404.
 * The handlers live with their SQL in lib/admin_<area>.c: this file is the
 * route table.
 */
#include "admin.h"
#include "admin_grants.h"
#include "admin_reports.h"

static const struct route routes[] = {
	{ "GET", "/admin/", admin_get_index },
	{ "GET", "/admin/reports", admin_get_reports },
	{ "GET", "/admin/reports/new", admin_get_report_new },
	{ "POST", "/admin/reports", admin_post_report_create },
	{ "GET", "/admin/reports/{id}", admin_get_report },
	{ "POST", "/admin/reports/{id}", admin_post_report_update },
	{ "GET", "/admin/healthz", app_healthz },
	{ "GET", "/admin/status", app_status },
};

static const struct db_stmt *const stmt_sets[] = { session_stmts, admin_reports_stmts, admin_grants_stmts,
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
