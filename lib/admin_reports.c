/*
 * admin_reports: SQL and validation of the admin pool's reports area (see
 * admin_reports.h). A change of a report's status goes through preview.h.
 */
#include "admin_reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "links.h"
#include "preview.h"
#include "reports.h"

#include "catalog.h"
#include "req.h"
#include "session.h"

/* The SQL below is laid out by hand, one clause a line. */
/* clang-format off */

/* An accent- and case-insensitive substring pattern; % and _ typed by the
 * user are literal. */
#define LIKE_PATTERN(p)                                                                          \
	"'%' || replace(replace(replace(f_unaccent(lower(" p ")), '\\', '\\\\'), '%', '\\%'),"    \
	" '_', '\\_') || '%'"

/* The start page: the session's row with the counts of users, roles,
 * reports and throttled users. */
static const char sql_dashboard_counts[] =
	SESSION_CTE
	"SELECT cur.*, " ADMIN_KEEPS " AS keeps,"
	" (SELECT count(*) FROM users WHERE is_active) AS users_active,"
	" (SELECT count(*) FROM users) AS users_total,"
	" (SELECT count(*) FROM roles WHERE is_active) AS roles_active,"
	" (SELECT count(*) FROM reports WHERE status = 'published') AS reports_published,"
	" (SELECT count(*) FROM reports) AS reports_total,"
	" (SELECT count(DISTINCT user_id) FROM user_login_throttle WHERE throttled)"
	"  AS users_locked,"
	" (SELECT count(*) FROM reports r WHERE r.status <> 'archived' AND NOT EXISTS ("
	"  SELECT 1 FROM report_owners o JOIN users u ON u.id = o.user_id AND u.is_active"
	"  WHERE o.report_id = r.id)) AS reports_without_owner"
	" FROM cur";

/* The reports list: $3 search, $4 status ("" for all), $5 offset, $6 only
 * those without an active owner; the
 * session's row with one row per report of the page (at most 50). */
static const char sql_reports_list[] =
	SESSION_CTE
	"SELECT cur.*, l.* FROM cur LEFT JOIN LATERAL ("
	" SELECT r.id, r.title, r.category, r.status::text AS status,"
	"  to_char(r.updated_at AT TIME ZONE 'Europe/Amsterdam', 'DD-MM-YYYY HH24:MI') AS updated,"
	"  '/admin/reports/' || r.id AS href, r.status = 'draft' AS is_draft,"
	"  r.status = 'archived' AS is_archived, ou.display_name AS owner_name,"
	"  NOT coalesce(ou.is_active, false) AS no_owner, count(*) OVER () AS total"
	" FROM reports r LEFT JOIN report_owners o ON o.report_id = r.id"
	" LEFT JOIN users ou ON ou.id = o.user_id"
	" WHERE ($3::text = '' OR report_search_text(r.title, r.description) LIKE "
	LIKE_PATTERN("$3::text") ")"
	"  AND ($4::text = '' OR r.status::text = $4::text)"
	/* "without an owner": none, or one who is inactive (schema 0024) */
	"  AND (NOT $6::boolean OR ou.is_active IS NOT TRUE)"
	" ORDER BY lower(r.title), r.id LIMIT 50 OFFSET $5::int) l ON true";

/* The report page: $3 id; the session's row with the report (NULL id when
 * none) once per role that grants it, and whether its link is broken
 * (lib/links.h: the failure, since when). */
static const char sql_report_page[] =
	SESSION_CTE
	"SELECT cur.*, r.id, r.title, r.description, r.url, r.category, r.status::text AS status,"
	" r.updated_at::text AS version,"
	" to_char(r.updated_at AT TIME ZONE 'Europe/Amsterdam', 'DD-MM-YYYY HH24:MI') AS updated,"
	" g.role_id, g.role_name, g.role_active, '/admin/roles/' || g.role_id AS role_href,"
	/* the owner (schema 0024) */
	" ou.username::text AS owner_username, ou.display_name AS owner_name,"
	" coalesce(ou.is_active, false) AS owner_active, o.contact,"
	" to_char(o.since AT TIME ZONE 'Europe/Amsterdam', 'DD-MM-YYYY HH24:MI') AS owner_since,"
	" lc.report_id IS NOT NULL AS link_broken, lc.failure AS link_failure,"
	" lc.http_status AS link_status, lc.error AS link_error,"
	" lc.failures_in_row AS link_failures,"
	" " DB_DATE_TIME_NL("lc.failing_since") " AS link_since"
	" FROM cur LEFT JOIN reports r ON r.id = $3::bigint"
	" LEFT JOIN report_owners o ON o.report_id = r.id LEFT JOIN users ou ON ou.id = o.user_id"
	" LEFT JOIN link_checks lc ON lc.report_id = r.id AND " LINKS_BROKEN_SQL("lc", "r")
	" LEFT JOIN LATERAL (SELECT ro.id AS role_id, ro.name::text AS role_name,"
	"  ro.is_active AS role_active FROM role_reports rr JOIN roles ro ON ro.id = rr.role_id"
	"  WHERE rr.report_id = r.id ORDER BY lower(ro.name)) g ON true";

const struct db_stmt admin_reports_stmts[] = {
	{ "admin_dashboard", sql_dashboard_counts, 2 },
	{ "admin_reports_list", sql_reports_list, 6 },
	{ "admin_report_page", sql_report_page, 3 },
	{ NULL, NULL, 0 },
};
/* clang-format on */

int admin_report_check(const struct report_form *f,
                       void (*bad)(void *ctx, const char *field, const char *key), void *ctx)
{
	int n = 0;
	const char *key;
	if (f->title[0] == '\0') {
		bad(ctx, "title", "admin.error.required");
		n++;
	} else if ((key = admin_text_problem(f->title, 200, 0)) != NULL) {
		bad(ctx, "title", key);
		n++;
	}
	if (f->url[0] == '\0') {
		bad(ctx, "url", "admin.error.required");
		n++;
	} else if (!catalog_url_ok(f->url) || utf8_length(f->url) > 2000) {
		bad(ctx, "url", "admin.error.url");
		n++;
	}
	if ((key = admin_text_problem(f->category, 100, 0)) != NULL) {
		bad(ctx, "category", key);
		n++;
	}
	/* Free text: line breaks are welcome, the rest of the set is not. */
	if ((key = admin_text_problem(f->description, 4000, STR_LINE_BREAKS)) != NULL) {
		bad(ctx, "description", key);
		n++;
	}
	if (strcmp(f->status, "draft") != 0 && strcmp(f->status, "published") != 0 &&
	    strcmp(f->status, "archived") != 0) {
		bad(ctx, "status", "admin.error.status");
		n++;
	}
	return n;
}

/* ---- start page ---- */

void admin_get_index(struct ctx *c)
{
	PGresult *res = admin_keeper_page_query(c, "admin_dashboard", 0, NULL);
	if (res == NULL)
		return;
	if (!c->user.is_superuser) {
		/* A role's owner: their roles are all there is for them here. */
		PQclear(res);
		resp_redirect(c->resp, 303, "/admin/roles");
		return;
	}
	tvars_row(c->vars, "stats", res, 0);
	app_render(c, 200, "admin/index");
	PQclear(res);
}

/* ---- reports ---- */

static const char *const statuses[] = { "draft", "published", "archived" };

/* The status choices for a select, with the current one selected. */
static void set_status_options(struct ctx *c, const char *key, const char *current, int with_all)
{
	struct tvars *items[4];
	size_t n = 0;
	if (with_all) {
		struct tvars *o = tvars_new(c->arena);
		tvars_str(o, "value", "");
		tvars_str(o, "label", app_msg(c, "admin.reports.all_statuses"));
		tvars_bool(o, "selected", current[0] == '\0');
		items[n++] = o;
	}
	for (size_t i = 0; i < 3; i++) {
		struct tvars *o = tvars_new(c->arena);
		tvars_str(o, "value", statuses[i]);
		tvars_str(o, "label", app_msg(c, arena_printf(c->arena, "status.%s", statuses[i])));
		tvars_bool(o, "selected", strcmp(current, statuses[i]) == 0);
		items[n++] = o;
	}
	tvars_list(c->vars, key, items, n);
}

/* ---- the fields of each route ---- */

static const char *const without_owner[] = { "none", NULL };

/* The list's status filter is any short text: one the list does not know
 * finds nothing. */
const struct field admin_reports_list_fields[] = {
	{ "q", FIELD_TEXT, FIELD_QUERY, 0, 200, NULL },
	{ "status", FIELD_TEXT, FIELD_QUERY, 0, 20, NULL },
	{ "owner", FIELD_ENUM, FIELD_QUERY | FIELD_LENIENT, 0, 0, without_owner },
	PAGER_FIELD("page"),
	FIELDS_END,
};

const struct field admin_report_fields[] = {
	{ "saved", FIELD_TEXT, FIELD_QUERY | FIELD_LENIENT, 0, 0, NULL },
	{ "owner_error", FIELD_TEXT, FIELD_QUERY | FIELD_LENIENT, 0, 40, NULL },
	FIELDS_END,
};

/* The values' rules are admin_report_check's, worded at the fields. The
 * form's "Archiveren" button (archive, any value) saves it as archived. */
const struct field admin_report_form_fields[] = {
	ADMIN_FORM_TEXT("title"),
	ADMIN_FORM_TEXT("url"),
	ADMIN_FORM_TEXT("category"),
	ADMIN_FORM_TEXT("description"),
	ADMIN_FORM_TEXT("status"),
	{ "archive", FIELD_TEXT, FIELD_FORM | FIELD_LENIENT, 0, 0, NULL },
	ADMIN_FORM_TEXT("version"),
	ADMIN_PREVIEW_TOKEN,
	FIELDS_END,
};

void admin_get_reports(struct ctx *c)
{
	const char *q = field_str(&c->fields, "q", "");
	const char *status = field_str(&c->fields, "status", "");
	struct pager pg = pager_make(field_int(&c->fields, "page", 1), ADMIN_PAGE_SIZE);
	int none = field_str(&c->fields, "owner", NULL) != NULL;
	const char *p[] = { q, status, arena_printf(c->arena, "%ld", pager_offset(&pg)),
		            none ? "t" : "f" };
	PGresult *res = admin_page_query(c, "admin_reports_list", 4, p);
	if (res == NULL)
		return;
	int empty = db_is_null(res, 0, "id");
	tvars_rows_range(c->vars, "reports", res, 0, empty ? 0 : PQntuples(res));
	long total = empty ? 0 : (long)db_int(res, 0, "total");
	struct buf base = { 0 };
	buf_puts(&base, "/admin/reports?q=");
	app_url_encode(&base, q);
	buf_printf(&base, "&status=%s&%s", status, none ? "owner=none&" : "");
	pager_set_total(&pg, total);
	admin_pager_vars(c, buf_str(&base), &pg);
	buf_free(&base);
	tvars_str(c->vars, "q", q);
	tvars_bool(c->vars, "without_owner", none);
	set_status_options(c, "statuses", status, 1);
	app_render(c, 200, "admin/reports");
	PQclear(res);
}

/* Renders the report form: for a new report (id NULL) or an existing one,
 * with the values and errors given. roles: the result carrying granting
 * roles, or NULL. */
static void render_report_form(struct ctx *c, int status, const char *id, const char *version,
                               const struct report_form *f, struct tvars *errors,
                               const PGresult *roles)
{
	struct tvars *form = tvars_new(c->arena);
	tvars_str(form, "title", f->title);
	tvars_str(form, "url", f->url);
	tvars_str(form, "category", f->category);
	tvars_str(form, "description", f->description);
	tvars_str(form, "version", version);
	tvars_obj(c->vars, "form", form);
	tvars_obj(c->vars, "errors", errors);
	tvars_str(c->vars, "id", id);
	tvars_str(c->vars, "action",
	          id ? arena_printf(c->arena, "/admin/reports/%s", id) : "/admin/reports");
	set_status_options(c, "statuses", f->status, 0);
	/* the owner (a re-rendered form without the page's row shows none) */
	if (id != NULL) {
		tvars_str(c->vars, "owner_action",
		          arena_printf(c->arena, "/admin/reports/%s/owner", id));
		if (roles != NULL)
			tvars_row(c->vars, "owner", roles, 0);
		else
			tvars_obj(c->vars, "owner", tvars_new(c->arena));
	}
	if (roles != NULL && db_bool(roles, 0, "link_broken")) {
		struct tvars *link = tvars_new(c->arena);
		tvars_str(link, "failure",
		          app_msg(c, arena_printf(c->arena, "admin.links.failure.%s",
		                                  db_text(roles, 0, "link_failure"))));
		tvars_str(link, "http_status", db_text(roles, 0, "link_status"));
		tvars_str(link, "error", db_text(roles, 0, "link_error"));
		tvars_str(link, "failures", db_text(roles, 0, "link_failures"));
		tvars_str(link, "since", db_text(roles, 0, "link_since"));
		tvars_obj(c->vars, "link", link);
	}
	int has_roles = roles && !db_is_null(roles, 0, "role_id");
	tvars_rows_range(c->vars, "roles", roles, 0, has_roles ? PQntuples(roles) : 0);
	app_render(c, status, "admin/report");
}

void admin_get_report_new(struct ctx *c)
{
	PGresult *res = admin_page_query(c, "session_check", 0, NULL);
	if (res == NULL)
		return;
	struct report_form f = { "", "https://", "", "", "draft" };
	render_report_form(c, 200, NULL, NULL, &f, tvars_new(c->arena), NULL);
	PQclear(res);
}

void admin_get_report(struct ctx *c)
{
	const char *p[] = { app_id_param(c) };
	PGresult *res = admin_page_query(c, "admin_report_page", 1, p);
	if (res == NULL)
		return;
	if (db_is_null(res, 0, "id")) {
		PQclear(res);
		app_error(c, 404);
		return;
	}
	struct report_form f = { db_text(res, 0, "title"), db_text(res, 0, "url"),
		                 db_text(res, 0, "category"), db_text(res, 0, "description"),
		                 db_text(res, 0, "status") };
	tvars_bool(c->vars, "saved", field_present(&c->fields, "saved"));
	tvars_row(c->vars, "owner", res, 0);
	tvars_str(c->vars, "owner_action",
	          arena_printf(c->arena, "/admin/reports/%s/owner", app_id_param(c)));
	render_report_form(c, 200, app_id_param(c), db_text(res, 0, "version"), &f,
	                   tvars_new(c->arena), res);
	PQclear(res);
}

static void read_report_form(struct ctx *c, struct report_form *f)
{
	const struct fieldset *in = &c->fields;
	f->title = field_str(in, "title", "");
	f->url = field_str(in, "url", "");
	f->category = field_str(in, "category", "");
	f->description = field_str(in, "description", "");
	f->status = field_str(in, "status", "");
	if (field_present(in, "archive"))
		f->status = "archived";
	if (f->category[0] == '\0')
		f->category = "Algemeen";
}

void admin_post_report_create(struct ctx *c)
{
	if (!admin_post_guard(c))
		return;
	struct report_form f;
	read_report_form(c, &f);
	struct admin_form fe = { c, tvars_new(c->arena) };
	if (admin_report_check(&f, admin_form_bad, &fe) > 0) {
		render_report_form(c, 400, NULL, NULL, &f, fe.errors, NULL);
		return;
	}
	struct admin_actor a;
	admin_actor(c, &a);
	struct reports_values v = { f.title, f.url, f.category, f.description, f.status };
	struct reports_outcome o;
	if (reports_create(c->app->db, &a.audit, &v, &o) != REPORTS_OK) {
		if (o.db == DB_INVALID) {
			admin_error(c, fe.errors, "form", "admin.error.invalid");
			render_report_form(c, 400, NULL, NULL, &f, fe.errors, NULL);
		} else {
			app_db_error(c, o.db);
		}
		return;
	}
	resp_redirect(c->resp, 303, arena_printf(c->arena, "/admin/reports/%lld?saved=1", o.id));
}

/* The report form again after a stale save: what is stored now (409). */
static void render_stale(struct ctx *c, struct tvars *errors)
{
	const char *g[] = { app_id_param(c) };
	PGresult *res = admin_page_query(c, "admin_report_page", 1, g);
	if (res == NULL)
		return;
	struct report_form now = { db_text(res, 0, "title"), db_text(res, 0, "url"),
		                   db_text(res, 0, "category"), db_text(res, 0, "description"),
		                   db_text(res, 0, "status") };
	admin_error(c, errors, "form", "admin.error.stale");
	render_report_form(c, 409, app_id_param(c), db_text(res, 0, "version"), &now, errors, res);
	PQclear(res);
}

/* The preview of a change of status: who gains and who loses the report,
 * and the confirm form carrying the form's values (status 200, or 409 when
 * a confirm found the data changed). */
static void render_status_preview(struct ctx *c, int status, const struct preview *p,
                                  const struct report_form *f, const char *version)
{
	const struct admin_hidden h[] = {
		{ "title", f->title },       { "url", f->url },
		{ "category", f->category }, { "description", f->description },
		{ "status", f->status },     { "version", version },
	};
	tvars_str(c->vars, "old_status",
	          app_msg(c, arena_printf(c->arena, "status.%s", p->report.old_status)));
	tvars_str(c->vars, "new_status",
	          app_msg(c, arena_printf(c->arena, "status.%s", f->status)));
	admin_render_preview(c, status, p, "status", 0, c->req->path,
	                     arena_printf(c->arena, "/admin/reports/%s", app_id_param(c)), h,
	                     sizeof h / sizeof h[0]);
}

/*
 * Saves the report form. A change of status goes through the preview
 * (lib/preview.h): without the confirm form's token the POST shows who
 * gains and who loses the report; with it, it saves when the data are
 * still as previewed, else 409 with the fresh preview. A save that keeps
 * the status saves at once, as before.
 */
void admin_post_report_update(struct ctx *c)
{
	if (!admin_post_guard(c))
		return;
	struct report_form f;
	read_report_form(c, &f);
	const char *version = field_str(&c->fields, "version", "");
	const char *token = field_str(&c->fields, "token", NULL);
	struct admin_form fe = { c, tvars_new(c->arena) };
	if (token != NULL && !preview_token_ok(token)) {
		app_error(c, 400);
		return;
	}
	if (admin_report_check(&f, admin_form_bad, &fe) > 0) {
		render_report_form(c, 400, app_id_param(c), version, &f, fe.errors, NULL);
		return;
	}
	struct admin_actor a;
	admin_actor(c, &a);
	struct reports_values v = { f.title, f.url, f.category, f.description, f.status };
	struct preview_change ch = { .kind = PREVIEW_REPORT_UPDATE,
		                     .id = c->match.ids[0],
		                     .version = version,
		                     .report = &v };
	struct preview p;
	enum preview_status ps = preview_run(c->app->db, &a.audit, &ch, token, &p);
	if (ps == PREVIEW_OK && !p.saved && strcmp(p.report.old_status, f.status) != 0) {
		render_status_preview(c, 200, &p, &f, version);
		preview_free(&p);
		return;
	}
	if (ps == PREVIEW_CHANGED) {
		render_status_preview(c, 409, &p, &f, version);
		preview_free(&p);
		return;
	}
	int saved = p.saved;
	enum db_status dbst = p.db;
	preview_free(&p);
	if (ps == PREVIEW_OK && !saved) {
		/* The status stays: nothing to preview, save at once. */
		struct reports_outcome o;
		enum reports_status st =
		    reports_update(c->app->db, &a.audit, c->match.ids[0], version, &v, &o);
		dbst = o.db;
		ps = st == REPORTS_OK || st == REPORTS_UNCHANGED ? PREVIEW_OK
		     : st == REPORTS_NOT_FOUND                   ? PREVIEW_NOT_FOUND
		     : st == REPORTS_STALE                       ? PREVIEW_STALE
		                                                 : PREVIEW_DB_ERROR;
	}
	switch (ps) {
	case PREVIEW_OK:
		resp_redirect(c->resp, 303,
		              arena_printf(c->arena, "/admin/reports/%s?saved=1", app_id_param(c)));
		return;
	case PREVIEW_NOT_FOUND:
		app_error(c, 404);
		return;
	case PREVIEW_STALE:
		/* Someone saved in between: show what is stored now, change nothing. */
		render_stale(c, fe.errors);
		return;
	default:
		if (dbst == DB_INVALID) {
			admin_error(c, fe.errors, "form", "admin.error.invalid");
			render_report_form(c, 400, app_id_param(c), version, &f, fe.errors, NULL);
		} else {
			app_db_error(c, dbst);
		}
		return;
	}
}

/* ---- the owner ---- */

const struct field admin_report_owner_fields[] = {
	{ "owner", FIELD_TEXT, FIELD_FORM | FIELD_TRIM | FIELD_REQUIRED, 1, 64, NULL },
	{ "contact", FIELD_TEXT, FIELD_FORM | FIELD_TRIM, 0, 1000, NULL },
	FIELDS_END,
};

void admin_post_report_owner(struct ctx *c)
{
	if (!admin_post_guard(c))
		return;
	const char *contact = field_str(&c->fields, "contact", "");
	const char *problem = admin_text_problem(contact, REPORTS_CONTACT_MAX, 0);
	if (problem != NULL) {
		app_error_msg(c, 400, problem);
		return;
	}
	struct admin_actor a;
	admin_actor(c, &a);
	struct reports_outcome o;
	long long id = strtoll(app_id_param(c), NULL, 10);
	switch (reports_set_owner(c->app->db, &a.audit, id, field_str(&c->fields, "owner", ""),
	                          contact, &o)) {
	case REPORTS_OK:
	case REPORTS_UNCHANGED:
		resp_redirect(c->resp, 303,
		              arena_printf(c->arena, "/admin/reports/%lld?saved=owner#owner", id));
		return;
	case REPORTS_NOT_FOUND:
		app_error(c, 404);
		return;
	case REPORTS_NO_USER:
		app_error_msg(c, 400, "admin.report.owner_unknown");
		return;
	default:
		app_db_error(c, o.db);
		return;
	}
}
