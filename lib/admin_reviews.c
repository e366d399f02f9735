/*
 * admin_reviews: the admin pool's reviews pages (see admin_reviews.h); the
 * statements and the operations are lib/reviews.c's.
 */
#include "admin_reviews.h"

#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "admin_access.h"
#include "grants.h"
#include "requests.h"
#include "reviews.h"

#include "buf.h"
#include "req.h"
#include "session.h"

/*
 * The pages' statements; the operations are lib/reviews.c's. Laid out by
 * hand, one clause a line.
 */
/* clang-format off */

/* The signed-in user (a SESSION_CTE's cur) sees item i: a superuser, or
 * an owner of its role. */
#define SEES_ITEM(i)                                                                              \
	"(cur.is_superuser OR EXISTS (SELECT 1 FROM role_owners o WHERE o.role_id = " i ".role_id" \
	" AND o.user_id = cur.uid))"

/* A review's state as booleans for the templates. */
#define STATES(v)                                                                                 \
	v ".state_now = 'open' AS is_open, " v ".state_now = 'due' AS is_due, "                     \
	v ".state_now = 'closed' AS is_closed, " v ".unreviewed = 'remove' AS rule_remove"


/*
 * The admin list of reviews ($3 the offset), open first: for an owner
 * only those with items of their roles, counted over those.
 */
static const char sql_admin_list[] =
	SESSION_CTE
	"SELECT cur.*, " ADMIN_KEEPS " AS keeps, l.*"
	" FROM cur LEFT JOIN LATERAL ("
	" SELECT v.id, ro.name::text AS role_name, v.role_id IS NULL AS all_roles,"
	"  " DB_DATE_TIME_NL("v.started_at") " AS started, " DB_DATE_TIME_NL("v.due_at") " AS due,"
	"  " DB_DATE_TIME_NL("v.closed_at") " AS closed, " STATES("v") ","
	"  '/admin/reviews/' || v.id AS href, n.items, n.decided, n.to_remove,"
	"  count(*) OVER () AS total"
	" FROM access_reviews_now v LEFT JOIN roles ro ON ro.id = v.role_id"
	" CROSS JOIN LATERAL (SELECT count(*) AS items, count(i.decision) AS decided,"
	"  count(*) FILTER (WHERE i.decision = 'remove') AS to_remove"
	"  FROM access_review_items i WHERE i.review_id = v.id AND " SEES_ITEM("i") ") n"
	" WHERE cur.is_superuser OR n.items > 0"
	" ORDER BY v.closed_at IS NOT NULL, v.due_at, v.id LIMIT 50 OFFSET $3::int) l ON true"
	" ORDER BY l.closed IS NOT NULL, l.id";

/*
 * A review's page: $3 the review, $4 undecided only, $5 the offset. Every
 * row the review (NULL id when it does not exist) with its counts over
 * what the user sees (n_items 0: nothing to see), then one item (at most
 * 50, by role and name; item_role NULL when none).
 */
static const char sql_admin_page[] =
	SESSION_CTE
	", v AS (SELECT v.* FROM cur JOIN access_reviews_now v ON v.id = $3::bigint),"
	" seen AS (SELECT i.* FROM cur, v JOIN access_review_items i ON i.review_id = v.id"
	"  WHERE " SEES_ITEM("i") "),"
	" n AS (SELECT count(*) AS n_items, count(decision) AS n_decided,"
	"  count(*) FILTER (WHERE decision = 'remove') AS n_remove,"
	"  count(*) FILTER (WHERE decision = 'keep') AS n_keep,"
	"  count(*) FILTER (WHERE outcome = 'removed') AS n_removed,"
	"  count(*) FILTER (WHERE outcome = 'gone') AS n_gone FROM seen),"
	" it AS (SELECT i.role_id AS item_role, i.user_id AS item_user, ro.name::text AS role_name_i,"
	"  u.username::text AS username_i, u.display_name AS display_name_i, u.is_active AS user_active,"
	"  " DB_DATE_TIME_NL("i.valid_from") " AS vfrom, " DB_DATE_TIME_NL("i.valid_until") " AS until,"
	"  i.decision = 'keep' AS is_keep, i.decision = 'remove' AS is_remove,"
	"  i.decision IS NULL AS undecided, i.note, " DB_DATE_TIME_NL("i.decided_at") " AS decided_at,"
	"  CASE WHEN i.decided_at IS NOT NULL THEN coalesce(du.username::text, 'portalctl') END"
	"  AS decided_by, i.outcome = 'kept' AS out_kept,"
	"  i.outcome = 'removed' AS out_removed, i.outcome = 'gone' AS out_gone,"
	"  'note-' || i.role_id || '-' || i.user_id AS note_id,"
	"  'item-' || i.role_id || '-' || i.user_id AS item_anchor,"
	"  count(*) OVER () AS total,"
	"  row_number() OVER (ORDER BY lower(ro.name::text), lower(u.display_name), u.id) AS seq"
	"  FROM seen i JOIN roles ro ON ro.id = i.role_id JOIN users u ON u.id = i.user_id"
	"  LEFT JOIN users du ON du.id = i.decided_by"
	"  WHERE NOT $4::boolean OR i.decision IS NULL ORDER BY seq LIMIT 50 OFFSET $5::int)"
	" SELECT cur.*, " ADMIN_KEEPS " AS keeps,"
	"  v.id AS review_id, rv.name::text AS role_name, v.role_id IS NULL AS all_roles,"
	"  " DB_DATE_TIME_NL("v.started_at") " AS started, " DB_DATE_TIME_NL("v.due_at") " AS due,"
	"  " DB_DATE_TIME_NL("v.closed_at") " AS closed,"
	/* no user: the console (portalctl, the timer) */
	"  coalesce(su.username::text, 'portalctl') AS started_by,"
	"  coalesce(cu.username::text, 'portalctl') AS closed_by, " STATES("v") ", n.*, it.*"
	" FROM cur LEFT JOIN v ON true LEFT JOIN roles rv ON rv.id = v.role_id"
	" LEFT JOIN users su ON su.id = v.started_by LEFT JOIN users cu ON cu.id = v.closed_by"
	" CROSS JOIN n LEFT JOIN it ON true ORDER BY it.seq";

/* Before the CSV: the session, and whether review $3 exists with items
 * the user sees (a superuser sees every review). */
static const char sql_admin_check[] =
	SESSION_CTE
	"SELECT cur.*, " ADMIN_KEEPS " AS keeps,"
	" to_char(now() AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD') AS today,"
	" EXISTS (SELECT 1 FROM access_reviews v WHERE v.id = $3::bigint AND (cur.is_superuser"
	"  OR EXISTS (SELECT 1 FROM access_review_items i WHERE i.review_id = v.id"
	"   AND " SEES_ITEM("i") "))) AS visible FROM cur";

/* clang-format on */

const struct db_stmt admin_reviews_stmts[] = {
	{ "admin_reviews_list", sql_admin_list, 3 },
	{ "admin_review_page", sql_admin_page, 5 },
	{ "admin_review_check", sql_admin_check, 3 },
	{ NULL, NULL, 0 },
};

static const char *const rules[] = { "keep", "remove", NULL };
static const char *const decisions[] = { "keep", "remove", NULL };
static const char *const one[] = { "1", NULL };

const struct field admin_reviews_list_fields[] = {
	PAGER_FIELD("page"),
	FIELDS_END,
};

const struct field admin_review_start_fields[] = {
	{ "role", FIELD_TEXT, FIELD_FORM | FIELD_TRIM, 0, 100, NULL },
	/* <input type="datetime-local">: Dutch local time (grants_time_check) */
	{ "due", FIELD_TEXT, FIELD_FORM | FIELD_TRIM, 0, 40, NULL },
	{ "unreviewed", FIELD_ENUM, FIELD_FORM | FIELD_REQUIRED, 0, 0, rules },
	FIELDS_END,
};

const struct field admin_review_fields[] = {
	PAGER_FIELD("page"),
	{ "undecided", FIELD_ENUM, FIELD_QUERY | FIELD_LENIENT, 0, 0, one },
	{ "done", FIELD_TEXT, FIELD_QUERY | FIELD_LENIENT, 0, 40, NULL },
	FIELDS_END,
};

const struct field admin_review_decide_fields[] = {
	{ "role_id", FIELD_ID, FIELD_FORM | FIELD_REQUIRED, 0, 0, NULL },
	{ "user_id", FIELD_ID, FIELD_FORM | FIELD_REQUIRED, 0, 0, NULL },
	{ "decision", FIELD_ENUM, FIELD_FORM | FIELD_REQUIRED, 0, 0, decisions },
	{ "note", FIELD_TEXT, FIELD_FORM | FIELD_TRIM, 0, 8000, NULL },
	/* where to return: the page and the filter of the list */
	{ "page", FIELD_INT, FIELD_FORM | FIELD_LENIENT, 1, 1000000, NULL },
	{ "undecided", FIELD_ENUM, FIELD_FORM | FIELD_LENIENT, 0, 0, one },
	FIELDS_END,
};

/* ---- the list, and starting a review ---- */

/* Renders the list (status 200, or 400 with errors at the start form's
 * fields and its values kept). */
static void render_list(struct ctx *c, int status, struct tvars *form, struct tvars *errors)
{
	/* a start form's POST, answered with the list: its first page */
	int get = strcmp(c->req->method, "POST") != 0;
	struct pager pg = pager_make(get ? field_int(&c->fields, "page", 1) : 1, ADMIN_PAGE_SIZE);
	const char *p[] = { arena_printf(c->arena, "%ld", pager_offset(&pg)) };
	PGresult *res = admin_keeper_page_query(c, "admin_reviews_list", 1, p);
	if (res == NULL)
		return;
	int empty = db_is_null(res, 0, "id");
	tvars_rows_range(c->vars, "reviews", res, 0, empty ? 0 : PQntuples(res));
	pager_set_total(&pg, empty ? 0 : strtol(db_text(res, 0, "total"), NULL, 10));
	admin_pager_vars(c, "/admin/reviews?", &pg);
	if (form == NULL) {
		form = tvars_new(c->arena);
		tvars_bool(form, "keep", 1);
	}
	tvars_obj(c->vars, "form", form);
	tvars_obj(c->vars, "errors", errors ? errors : tvars_new(c->arena));
	app_render(c, status, "admin/reviews");
	PQclear(res);
}

void admin_get_reviews(struct ctx *c)
{
	render_list(c, 200, NULL, NULL);
}

void admin_post_review_start(struct ctx *c)
{
	if (!admin_post_guard(c))
		return;
	const char *role = field_str(&c->fields, "role", "");
	const char *due = field_str(&c->fields, "due", "");
	const char *rule = field_str(&c->fields, "unreviewed", "keep");
	struct tvars *form = tvars_new(c->arena), *errors = tvars_new(c->arena);
	tvars_str(form, "role", role);
	tvars_str(form, "due", due);
	tvars_bool(form, "remove", strcmp(rule, "remove") == 0);
	tvars_bool(form, "keep", strcmp(rule, "remove") != 0);
	if (due[0] == '\0' || grants_time_check(due) != 0) {
		admin_error(c, errors, "due", "admin.reviews.error.due");
		render_list(c, 400, form, errors);
		return;
	}
	struct admin_actor a;
	admin_actor(c, &a);
	struct reviews_outcome o;
	enum db_status st;
	switch (reviews_start(c->app->db, &a.audit, role, due, rule, &o, &st)) {
	case REVIEWS_OK:
		resp_redirect(c->resp, 303,
		              arena_printf(c->arena, "/admin/reviews/%lld?done=started", o.id));
		return;
	case REVIEWS_NOT_FOUND:
		admin_error(c, errors, "role", "admin.reviews.error.role");
		break;
	case REVIEWS_BAD_DUE:
		admin_error(c, errors, "due", "admin.reviews.error.due_past");
		break;
	case REVIEWS_BUSY:
		admin_error(c, errors, "role", "admin.reviews.error.busy");
		break;
	case REVIEWS_EMPTY:
		admin_error(c, errors, "role", "admin.reviews.error.empty");
		break;
	default:
		app_db_error(c, st);
		return;
	}
	render_list(c, 400, form, errors);
}

/* ---- a review ---- */

/* The review's page with the list's filter and page: base + "?undecided=1&"
 * or base + "?". */
static const char *list_href(struct ctx *c, int undecided)
{
	return arena_printf(c->arena, "/admin/reviews/%s?%s", app_id_param(c),
	                    undecided ? "undecided=1&" : "");
}

void admin_get_review(struct ctx *c)
{
	int undecided = field_str(&c->fields, "undecided", NULL) != NULL;
	struct pager pg = pager_make(field_int(&c->fields, "page", 1), ADMIN_PAGE_SIZE);
	const char *p[] = { app_id_param(c), undecided ? "t" : "f",
		            arena_printf(c->arena, "%ld", pager_offset(&pg)) };
	PGresult *res = admin_keeper_page_query(c, "admin_review_page", 3, p);
	if (res == NULL)
		return;
	if (db_is_null(res, 0, "review_id") ||
	    (!c->user.is_superuser && db_int(res, 0, "n_items") == 0)) {
		PQclear(res);
		app_error(c, 404);
		return;
	}
	int none = db_is_null(res, 0, "item_role");
	tvars_row(c->vars, "review", res, 0);
	tvars_rows_range(c->vars, "items", res, 0, none ? 0 : PQntuples(res));
	pager_set_total(&pg, none ? 0 : strtol(db_text(res, 0, "total"), NULL, 10));
	admin_pager_vars(c, list_href(c, undecided), &pg);
	const char *base = arena_printf(c->arena, "/admin/reviews/%s", app_id_param(c));
	tvars_str(c->vars, "decide_action", arena_printf(c->arena, "%s/decide", base));
	tvars_str(c->vars, "close_action", arena_printf(c->arena, "%s/close", base));
	tvars_str(c->vars, "csv_href", arena_printf(c->arena, "%s/csv", base));
	tvars_str(c->vars, "all_href", base);
	tvars_str(c->vars, "undecided_href", arena_printf(c->arena, "%s?undecided=1", base));
	tvars_bool(c->vars, "undecided", undecided);
	tvars_int(c->vars, "page", pg.page);
	struct tvars *d = tvars_new(c->arena);
	const char *done = field_str(&c->fields, "done", NULL);
	if (done != NULL)
		tvars_bool(d, done, 1);
	tvars_obj(c->vars, "done", d);
	app_render(c, 200, "admin/review");
	PQclear(res);
}

void admin_post_review_decide(struct ctx *c)
{
	if (!admin_keeper_post_guard(c))
		return;
	const char *note = field_str(&c->fields, "note", "");
	const char *problem = requests_text_problem(note, 0);
	if (problem != NULL) {
		app_error_msg(c, 400, problem);
		return;
	}
	const char *role = field_str(&c->fields, "role_id", "");
	const char *user = field_str(&c->fields, "user_id", "");
	struct admin_actor a;
	admin_actor(c, &a);
	enum db_status st;
	switch (reviews_decide(c->app->db, &a.audit, app_id_param(c), role, user,
	                       field_str(&c->fields, "decision", ""), note, &st)) {
	case REVIEWS_OK:
	case REVIEWS_UNCHANGED:
		resp_redirect(
		    c->resp, 303,
		    arena_printf(c->arena, "%spage=%lld#item-%s-%s",
		                 list_href(c, field_str(&c->fields, "undecided", NULL) != NULL),
		                 (long long)field_int(&c->fields, "page", 1), role, user));
		return;
	case REVIEWS_NOT_FOUND:
		app_error(c, 404);
		return;
	case REVIEWS_CLOSED:
		app_error_msg(c, 409, "admin.reviews.error.closed");
		return;
	default:
		app_db_error(c, st);
		return;
	}
}

void admin_post_review_close(struct ctx *c)
{
	if (!admin_post_guard(c))
		return;
	struct admin_actor a;
	admin_actor(c, &a);
	struct reviews_outcome o;
	enum db_status st;
	switch (reviews_close(c->app->db, &a.audit, app_id_param(c), &o, &st)) {
	case REVIEWS_OK:
		resp_redirect(
		    c->resp, 303,
		    arena_printf(c->arena, "/admin/reviews/%s?done=closed", app_id_param(c)));
		return;
	case REVIEWS_NOT_FOUND:
		app_error(c, 404);
		return;
	case REVIEWS_CLOSED:
		app_error_msg(c, 409, "admin.reviews.error.closed_already");
		return;
	default:
		app_db_error(c, st);
		return;
	}
}

void admin_get_review_csv(struct ctx *c)
{
	const char *p[] = { app_id_param(c) };
	PGresult *res = admin_keeper_page_query(c, "admin_review_check", 1, p);
	if (res == NULL)
		return;
	if (!db_bool(res, 0, "visible")) {
		PQclear(res);
		app_error(c, 404);
		return;
	}
	const char *name = arena_printf(c->arena, "toegangsreview-%s-%s.csv", app_id_param(c),
	                                db_text(res, 0, "today"));
	PQclear(res);
	struct admin_actor a;
	admin_actor(c, &a);
	const char *q[] = { app_id_param(c), a.id };
	admin_csv_response(c, name, reviews_export_sql, 2, q, reviews_export_header);
}
