/*
 * portal-admin: the administrators' pool, everything under /admin/. It
 * connects as the database role portal_admin, which may change users, roles,
 * reports and grants; the employees' pool cannot. Only active superusers get
 * past admin_page_query / admin_post_guard (everyone else sees 404), and
 * only once they have given their password again at /admin/confirm.
 * The handlers live with their SQL in lib/admin_<area>.c: this file is the
 * route table, each route with the table of fields its handler reads
 * (declared beside the handler, checked before it runs: lib/field.h).
 */
#include "admin.h"
#include "admin_access.h"
#include "admin_audit.h"
#include "admin_links.h"
#include "grants.h"
#include "admin_reports.h"
#include "admin_roles.h"
#include "admin_users.h"
#include "preview.h"
#include "reports.h"
#include "requests.h"
#include "reviews.h"
#include "admin_reviews.h"
#include "roles.h"
#include "users.h"

static const struct route routes[] = {
	{ "GET", "/admin/confirm", admin_get_confirm, admin_confirm_get_fields },
	{ "POST", "/admin/confirm", admin_post_confirm, admin_confirm_post_fields },
	{ "GET", "/admin/password", admin_get_password, NULL },
	{ "POST", "/admin/password", admin_post_password, admin_password_fields },
	{ "GET", "/admin/", admin_get_index, NULL },
	{ "GET", "/admin/reports", admin_get_reports, admin_reports_list_fields },
	{ "GET", "/admin/reports/new", admin_get_report_new, NULL },
	{ "POST", "/admin/reports", admin_post_report_create, admin_report_form_fields },
	{ "GET", "/admin/reports/{id}", admin_get_report, admin_report_fields },
	{ "POST", "/admin/reports/{id}", admin_post_report_update, admin_report_form_fields },
	{ "POST", "/admin/reports/{id}/owner", admin_post_report_owner, admin_report_owner_fields },
	{ "GET", "/admin/roles", admin_get_roles, admin_roles_list_fields },
	{ "GET", "/admin/roles/new", admin_get_role_new, NULL },
	{ "POST", "/admin/roles", admin_post_role_create, admin_role_create_fields },
	{ "GET", "/admin/roles/{id}", admin_get_role, admin_role_fields },
	{ "POST", "/admin/roles/{id}", admin_post_role_update, admin_role_update_fields },
	{ "POST", "/admin/roles/{id}/deactivate", admin_post_role_deactivate,
	  admin_role_view_fields },
	{ "POST", "/admin/roles/{id}/activate", admin_post_role_activate, admin_role_view_fields },
	{ "POST", "/admin/roles/{id}/members/add", admin_post_role_members_add,
	  admin_role_members_fields },
	{ "POST", "/admin/roles/{id}/members/remove", admin_post_role_members_remove,
	  admin_role_members_fields },
	{ "POST", "/admin/roles/{id}/members/dates", admin_post_role_members_dates,
	  admin_role_members_fields },
	{ "POST", "/admin/requests/{id}/decide", admin_post_request_decide,
	  admin_request_decide_fields },
	{ "GET", "/admin/reviews", admin_get_reviews, admin_reviews_list_fields },
	{ "POST", "/admin/reviews", admin_post_review_start, admin_review_start_fields },
	{ "GET", "/admin/reviews/{id}", admin_get_review, admin_review_fields },
	{ "POST", "/admin/reviews/{id}/decide", admin_post_review_decide,
	  admin_review_decide_fields },
	{ "POST", "/admin/reviews/{id}/close", admin_post_review_close, NULL },
	{ "GET", "/admin/reviews/{id}/csv", admin_get_review_csv, NULL },
	{ "POST", "/admin/roles/{id}/owners/add", admin_post_role_owners_add,
	  admin_role_owners_fields },
	{ "POST", "/admin/roles/{id}/owners/remove", admin_post_role_owners_remove,
	  admin_role_owners_fields },
	{ "POST", "/admin/roles/{id}/reports/add", admin_post_role_reports_add,
	  admin_role_reports_fields },
	{ "POST", "/admin/roles/{id}/reports/remove", admin_post_role_reports_remove,
	  admin_role_reports_fields },
	{ "GET", "/admin/users", admin_get_users, admin_users_list_fields },
	{ "GET", "/admin/users/new", admin_get_user_new, NULL },
	{ "POST", "/admin/users", admin_post_user_create, admin_user_create_fields },
	{ "GET", "/admin/users/{id}", admin_get_user, admin_user_fields },
	{ "POST", "/admin/users/{id}", admin_post_user_update, admin_user_update_fields },
	{ "POST", "/admin/users/{id}/password", admin_post_user_password,
	  admin_user_password_fields },
	{ "POST", "/admin/users/{id}/unlock", admin_post_user_unlock, NULL },
	{ "POST", "/admin/users/{id}/expire", admin_post_user_expire, NULL },
	{ "POST", "/admin/users/{id}/roles/add", admin_post_user_roles_add,
	  admin_user_roles_fields },
	{ "POST", "/admin/users/{id}/roles/remove", admin_post_user_roles_remove,
	  admin_user_roles_fields },
	{ "GET", "/admin/access", admin_get_access, admin_access_fields },
	{ "GET", "/admin/access.csv", admin_get_access_csv, NULL },
	{ "GET", "/admin/access/users/{id}", admin_get_access_user, admin_access_page_fields },
	{ "GET", "/admin/access/reports/{id}", admin_get_access_report, admin_access_page_fields },
	{ "GET", "/admin/usage", admin_get_usage, admin_usage_fields },
	{ "GET", "/admin/links", admin_get_links, admin_links_fields },
	{ "GET", "/admin/audit", admin_get_audit, admin_audit_fields },
	{ "GET", "/admin/audit.csv", admin_get_audit_csv, admin_audit_csv_fields },
	{ "GET", "/admin/healthz", app_healthz, NULL },
	{ "GET", "/admin/status", app_status, NULL },
	{ "GET", "/admin/metrics", app_metrics, NULL },
};

static const struct db_stmt *const stmt_sets[] = {
	session_stmts,     admin_reports_stmts, grants_stmts,      admin_roles_stmts,
	admin_users_stmts, admin_access_stmts,  admin_audit_stmts, users_stmts,
	roles_stmts,       reports_stmts,       preview_stmts,     requests_admin_stmts,
	reviews_stmts,     admin_reviews_stmts, admin_links_stmts, NULL
};

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
