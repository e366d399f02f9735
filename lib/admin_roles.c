/*
 * admin_roles: SQL, validation and handlers of the admin pool's roles area
 * (see admin_roles.h). Changes of access (members, reports, active) go
 * through preview.h, which applies them through grants.h and roles.h after
 * the admin has seen who gains and who loses; report_access
 * follows by trigger, also when a role is switched off or on.
 */
#include "admin_roles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "grants.h"
#include "preview.h"
#include "requests.h"
#include "roles.h"

#include "buf.h"
#include "req.h"
#include "session.h"

/*
 * The SQL below is laid out by hand, one clause a line, the C indentation
 * showing the structure; clang-format would cut the string concatenations
 * around the macros into pieces.
 */
/* clang-format off */

/* An accent- and case-insensitive substring pattern; % and _ typed by the
 * user are literal. */
#define PAT(p) \
	"'%' || replace(replace(replace(f_unaccent(lower(" p ")), '\\', '\\\\'), '%', '\\%')," \
	" '_', '\\_') || '%'"

/* The page's searches ($4) and offsets ($5), by position. */
#define MEMBER_FILTER "($4::text[])[1]"
#define MEMBER_SEARCH "($4::text[])[2]"
#define REPORT_FILTER "($4::text[])[3]"
#define REPORT_SEARCH "($4::text[])[4]"
#define CATEGORY      "($4::text[])[5]"
#define OFFSET(n)     "($5::int[])[" #n "]"

#define USER_TEXT(u) \
	"f_unaccent(lower(" u ".username::text || ' ' || " u ".display_name || ' ' || " u \
	".email::text))"
#define REPORT_TEXT(r) "report_search_text(" r ".title, " r ".description)"

/* The membership's dates (members only) after the list columns. */
#define NO_DATES "NULL::text, NULL::text, NULL::boolean, NULL::boolean"

/* The columns before the list columns, in every row but the "role" row. */
#define NO_HEAD \
	" NULL::bigint, NULL::bigint, NULL::text, NULL::text, NULL::text, NULL::boolean," \
	" NULL::boolean, NULL::text, NULL::boolean, NULL::bigint, NULL::text, NULL::text," \
	" NULL::boolean," \
	" NULL::text, NULL::boolean, NULL::boolean, NULL::integer, NULL::bigint, NULL::bigint," \
	" NULL::bigint, NULL::text,"

/*
 * The roles list: $3 name search ("" for all), $4 offset. The session's
 * row, with one row per role of the page (at most 50, by name) beside it.
 */
static const char sql_roles_list[] =
	SESSION_CTE
	"SELECT cur.*, " ADMIN_KEEPS " AS keeps, l.* FROM cur LEFT JOIN LATERAL ("
	" SELECT p.id, p.name, p.description, p.is_active, '/admin/roles/' || p.id AS href,"
	"  (SELECT count(*) FROM user_roles_current ur WHERE ur.role_id = p.id) AS n_members,"
	"  (SELECT count(*) FROM role_reports rr WHERE rr.role_id = p.id) AS n_reports,"
	"  (SELECT count(*) FROM access_requests_now q WHERE q.role_id = p.id"
	"   AND q.state_now = 'pending') AS n_waiting, p.total"
	" FROM (SELECT r.id, r.name::text AS name, r.description, r.is_active,"
	"   count(*) OVER () AS total FROM roles r"
	"  WHERE ($3::text = '' OR f_unaccent(lower(r.name::text)) LIKE " PAT("$3::text") ")"
	"  AND ((SELECT is_superuser FROM cur) OR EXISTS (SELECT 1 FROM role_owners o"
	"   WHERE o.role_id = r.id AND o.user_id = (SELECT uid FROM cur)))"
	"  ORDER BY lower(r.name::text), r.id LIMIT 50 OFFSET $4::int) p) l ON true"
	" ORDER BY lower(l.name), l.id";

/*
 * One statement for the whole role page: $3 role id, $4 the searches
 * (text[], see MEMBER_FILTER ...), $5 the lists' offsets (int[]). The role
 * with the session, then each list as a kind of row (at most 50 rows each,
 * whatever the numbers of users and reports). Candidates are listed only
 * when searched for.
 */
static const char sql_role_page[] =
	SESSION_CTE
	", ro AS (SELECT r.* FROM cur JOIN roles r ON r.id = $3::bigint)"
	/* the members */
	", mem AS (SELECT u.id, u.username::text AS label, u.display_name AS sub,"
		"  u.email::text AS extra, u.is_active AS active, count(*) OVER () AS total,"
		"  row_number() OVER (ORDER BY lower(u.display_name), u.id) AS seq,"
		"  " DB_DATE_TIME_NL("ur.valid_until") " AS until,"
		"  " DB_DATE_TIME_NL("ur.valid_from") " AS vfrom,"
		"  ur.valid_until <= now() AS expired, ur.valid_from > now() AS future"
		"  FROM ro JOIN user_roles ur ON ur.role_id = ro.id"
			" JOIN users u ON u.id = ur.user_id"
		"  WHERE " MEMBER_FILTER " = ''"
			" OR " USER_TEXT("u") " LIKE " PAT(MEMBER_FILTER)
		"  ORDER BY seq LIMIT 50 OFFSET " OFFSET(1) ")"
	/* the users who could be members */
	", cand AS (SELECT u.id, u.username::text AS label, u.display_name AS sub,"
		"  u.email::text AS extra, u.is_active AS active, count(*) OVER () AS total,"
		"  row_number() OVER (ORDER BY lower(u.display_name), u.id) AS seq"
		"  FROM ro, users u"
		"  WHERE " MEMBER_SEARCH " <> ''"
			" AND " USER_TEXT("u") " LIKE " PAT(MEMBER_SEARCH)
		"  AND NOT EXISTS (SELECT 1 FROM user_roles ur WHERE ur.role_id = ro.id"
			"   AND ur.user_id = u.id)"
		"  ORDER BY seq LIMIT 50 OFFSET " OFFSET(2) ")"
	/* the role's reports */
	", rep AS (SELECT p.id, p.title AS label, p.category AS sub, p.status::text AS extra,"
		"  p.status = 'published' AS active, count(*) OVER () AS total,"
		"  row_number() OVER (ORDER BY lower(p.title), p.id) AS seq"
		"  FROM ro JOIN role_reports rr ON rr.role_id = ro.id"
			" JOIN reports p ON p.id = rr.report_id"
		"  WHERE " REPORT_FILTER " = ''"
			" OR " REPORT_TEXT("p") " LIKE " PAT(REPORT_FILTER)
		"  ORDER BY seq LIMIT 50 OFFSET " OFFSET(3) ")"
	/* the reports that could be the role's */
	", rcand AS (SELECT p.id, p.title AS label, p.category AS sub, p.status::text AS extra,"
		"  p.status = 'published' AS active, count(*) OVER () AS total,"
		"  row_number() OVER (ORDER BY lower(p.title), p.id) AS seq"
		"  FROM ro, reports p"
		"  WHERE (" REPORT_SEARCH " <> '' OR " CATEGORY " <> '')"
		"  AND (" REPORT_SEARCH " = ''"
			" OR " REPORT_TEXT("p") " LIKE " PAT(REPORT_SEARCH) ")"
		"  AND (" CATEGORY " = '' OR p.category = " CATEGORY ")"
		"  AND NOT EXISTS (SELECT 1 FROM role_reports rr WHERE rr.role_id = ro.id"
			"   AND rr.report_id = p.id)"
		"  ORDER BY seq LIMIT 50 OFFSET " OFFSET(4) ")"
	" SELECT 0 AS ord, 'role' AS kind, cur.sid, cur.uid, cur.username, cur.display_name,"
	"  cur.email, cur.is_superuser, cur.must_change_password, cur.csrf, cur.admin_confirmed,"
	"  ro.id AS role_id, ro.name::text AS name, ro.description, ro.is_active AS role_active,"
	"  ro.updated_at::text AS version, role_may_keep(cur.uid, ro.id) AS keeps,"
	"  ro.requestable, ro.request_max_days AS max_days,"
	"  (SELECT count(*) FROM user_roles_current ur WHERE ur.role_id = ro.id) AS n_members,"
	"  (SELECT count(*) FROM role_reports rr WHERE rr.role_id = ro.id) AS n_reports,"
	/* the open review with the role's members (schema 0022), and its due date */
	"  rv.id AS open_review, " DB_DATE_TIME_NL("rv.due_at") " AS review_due,"
	"  NULL::bigint AS id, NULL::text AS label, NULL::text AS sub, NULL::text AS extra,"
	"  NULL::boolean AS active, NULL::text AS href, NULL::bigint AS total, 0::bigint AS seq,"
	"  NULL::text AS until, NULL::text AS vfrom, NULL::boolean AS expired,"
	"  NULL::boolean AS future"
	" FROM cur LEFT JOIN ro ON true"
	" LEFT JOIN LATERAL (SELECT v.id, v.due_at FROM access_reviews v WHERE v.closed_at IS NULL"
	"  AND v.due_at > now() AND EXISTS (SELECT 1 FROM access_review_items i"
	"  WHERE i.review_id = v.id AND i.role_id = ro.id) ORDER BY v.due_at LIMIT 1) rv ON true"
	" UNION ALL SELECT 1, 'member'," NO_HEAD
	" m.id, m.label, m.sub, m.extra, m.active,"
	"  '/admin/users/' || m.id, m.total, m.seq, m.until, m.vfrom, m.expired, m.future FROM mem m"
	" UNION ALL SELECT 2, 'cand'," NO_HEAD
	" m.id, m.label, m.sub, m.extra, m.active,"
	"  '/admin/users/' || m.id, m.total, m.seq, " NO_DATES " FROM cand m"
	" UNION ALL SELECT 3, 'report'," NO_HEAD
	" p.id, p.label, p.sub, p.extra, p.active,"
	"  '/admin/reports/' || p.id, p.total, p.seq, " NO_DATES " FROM rep p"
	" UNION ALL SELECT 4, 'rcand'," NO_HEAD
	" p.id, p.label, p.sub, p.extra, p.active,"
	"  '/admin/reports/' || p.id, p.total, p.seq, " NO_DATES " FROM rcand p"
	" UNION ALL SELECT 5, 'cat'," NO_HEAD
	" NULL, k.category, NULL, NULL,"
	"  k.category = " CATEGORY ", NULL, NULL, row_number() OVER (ORDER BY lower(k.category)),"
	"  " NO_DATES ""
	" FROM ro, (SELECT DISTINCT category FROM reports) k"
	/* the role's owners (schema 0018) */
	" UNION ALL SELECT 7, 'owner'," NO_HEAD
	" u.id, u.username::text, u.display_name, u.email::text, u.is_active,"
	"  '/admin/users/' || u.id, NULL, row_number() OVER (ORDER BY lower(u.display_name), u.id),"
	"  " NO_DATES
	" FROM ro JOIN role_owners o ON o.role_id = ro.id JOIN users u ON u.id = o.user_id"
	/* the requests that wait for a decision (schema 0021), oldest first,
	 * at most 50: label the user, sub their name, extra the reason, total
	 * the days asked, vfrom when asked, until when it expires */
	" UNION ALL SELECT 8, 'request'," NO_HEAD
	" q.id, u.username::text, u.display_name, q.reason, NULL, '/admin/requests/' || q.id || '/decide',"
	"  q.days, row_number() OVER (ORDER BY q.created_at, q.id),"
	"  " DB_DATE_TIME_NL("q.expires_at") ", " DB_DATE_TIME_NL("q.created_at") ", NULL, NULL"
	" FROM ro JOIN LATERAL (SELECT * FROM access_requests_now q WHERE q.role_id = ro.id"
	"  AND q.state_now = 'pending' ORDER BY q.created_at, q.id LIMIT 50) q ON true"
	" JOIN users u ON u.id = q.user_id"
	/* the directory groups that give the role (schema 0015), at most 50 */
	" UNION ALL SELECT 6, 'group'," NO_HEAD
	" NULL, g.group_dn, NULL, NULL, NULL, NULL, NULL, g.seq, " NO_DATES ""
	" FROM (SELECT d.group_dn, row_number() OVER (ORDER BY d.group_key) AS seq"
	"  FROM ro JOIN directory_group_roles d ON d.role_id = ro.id"
	"  ORDER BY d.group_key LIMIT 50) g"
	" ORDER BY ord, seq";

/* clang-format on */

/* The session, and whether its user keeps a role: the guard of the POSTs
 * that owners may make (lib/admin.c, admin_keeper_post_guard). */
static const char sql_keeper_check[] =
    SESSION_CTE "SELECT cur.*, " ADMIN_KEEPS " AS keeps FROM cur";

const struct db_stmt admin_roles_stmts[] = {
	{ "admin_keeper_check", sql_keeper_check, 2 },
	{ "admin_roles_list", sql_roles_list, 4 },
	{ "admin_role_page", sql_role_page, 5 },
	{ NULL, NULL, 0 },
};

int admin_role_check(const char *name, const char *description,
                     void (*bad)(void *ctx, const char *field, const char *key), void *ctx)
{
	int n = 0;
	const char *key;
	if (name[0] == '\0') {
		bad(ctx, "name", "admin.error.required");
		n++;
	} else if ((key = admin_text_problem(name, 100, 0)) != NULL) {
		bad(ctx, "name", key);
		n++;
	}
	/* Line breaks are welcome in a description; other controls, and the
	 * invisible and bidirectional characters, are not: free text can
	 * still be made to read as something else. */
	if ((key = admin_text_problem(description, 2000, STR_LINE_BREAKS)) != NULL) {
		bad(ctx, "description", key);
		n++;
	}
	return n;
}

void admin_roles_split(const PGresult *res, struct admin_role_ranges *out)
{
	memset(out, 0, sizeof(*out));
	int kind = PQfnumber(res, "kind");
	if (kind < 0)
		return;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *k = PQgetvalue(res, i, kind);
		int *first, *n;
		if (strcmp(k, "member") == 0) {
			first = &out->member_first;
			n = &out->member_n;
		} else if (strcmp(k, "cand") == 0) {
			first = &out->cand_first;
			n = &out->cand_n;
		} else if (strcmp(k, "report") == 0) {
			first = &out->report_first;
			n = &out->report_n;
		} else if (strcmp(k, "rcand") == 0) {
			first = &out->rcand_first;
			n = &out->rcand_n;
		} else if (strcmp(k, "cat") == 0) {
			first = &out->cat_first;
			n = &out->cat_n;
		} else if (strcmp(k, "group") == 0) {
			first = &out->group_first;
			n = &out->group_n;
		} else if (strcmp(k, "owner") == 0) {
			first = &out->owner_first;
			n = &out->owner_n;
		} else if (strcmp(k, "request") == 0) {
			first = &out->request_first;
			n = &out->request_n;
		} else {
			continue;
		}
		if (*n == 0)
			*first = i;
		(*n)++;
	}
}

void admin_roles_array_item(struct buf *out, const char *s)
{
	buf_putc(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(out, '\\');
		buf_putc(out, *s);
	}
	buf_putc(out, '"');
}

/* ---- the state of the role page: searches and pages ---- */

enum { V_MEMBER_FILTER, V_MEMBER_SEARCH, V_REPORT_FILTER, V_REPORT_SEARCH, V_CATEGORY, N_SEARCH };
enum { P_MEMBERS, P_CANDS, P_REPORTS, P_RCANDS, N_PAGES };

static const char *const search_names[N_SEARCH] = { "mf", "member_q", "rf", "report_q",
	                                            "category" };
static const char *const page_names[N_PAGES] = { "mpage", "cpage", "rpage", "kpage" };

struct role_view {
	const char *s[N_SEARCH];
	long page[N_PAGES];
};

/* ---- the fields of each route ---- */

/* The notices a change leaves in its redirect (?done=...&n=...); another
 * value shows none. */
/* clang-format off */
static const char *const dones[] = {
	"created", "saved", "deactivated", "activated", "members_added", "members_removed",
	"reports_added", "reports_removed", "none_selected", "members_dated", "owner_added",
	"owner_removed", "owner_unchanged", "request_approved", "request_refused", NULL
};
/* clang-format on */

/* The view of the role page in its query: the searches (at most 200
 * characters each) and the four lists' pages. */
#define VIEW_QUERY_TEXT(name)                                                                      \
	{                                                                                          \
		(name), FIELD_TEXT, FIELD_QUERY, 0, 200, NULL                                      \
	}
/* The view in a POST's hidden fields, trimmed (its pages go back to 1). */
#define VIEW_FORM_TEXT(name)                                                                       \
	{                                                                                          \
		(name), FIELD_TEXT, FIELD_FORM | FIELD_TRIM, 0, 200, NULL                          \
	}
#define VIEW_FORM                                                                                  \
	VIEW_FORM_TEXT("mf"), VIEW_FORM_TEXT("member_q"), VIEW_FORM_TEXT("rf"),                    \
	    VIEW_FORM_TEXT("report_q"), VIEW_FORM_TEXT("category")

const struct field admin_roles_list_fields[] = {
	{ "q", FIELD_TEXT, FIELD_QUERY, 0, 200, NULL },
	PAGER_FIELD("page"),
	FIELDS_END,
};

const struct field admin_role_create_fields[] = {
	ADMIN_FORM_TEXT("name"),
	ADMIN_FORM_TEXT("description"),
	FIELDS_END,
};

const struct field admin_role_fields[] = {
	VIEW_QUERY_TEXT("mf"),
	VIEW_QUERY_TEXT("member_q"),
	VIEW_QUERY_TEXT("rf"),
	VIEW_QUERY_TEXT("report_q"),
	VIEW_QUERY_TEXT("category"),
	PAGER_FIELD("mpage"),
	PAGER_FIELD("cpage"),
	PAGER_FIELD("rpage"),
	PAGER_FIELD("kpage"),
	{ "done", FIELD_ENUM, FIELD_QUERY | FIELD_LENIENT, 0, 0, dones },
	{ "n", FIELD_INT, FIELD_QUERY | FIELD_LENIENT, 0, 0, NULL },
	FIELDS_END,
};

/* A save without its version is no form of ours: 400. */
const struct field admin_role_update_fields[] = {
	VIEW_FORM,
	ADMIN_FORM_TEXT("name"),
	ADMIN_FORM_TEXT("description"),
	{ "version", FIELD_TEXT, FIELD_FORM | FIELD_TRIM | FIELD_REQUIRED, 0, 0, NULL },
	/* access on request (schema 0021): a checkbox and the longest duration */
	{ "requestable", FIELD_TEXT, FIELD_FORM, 0, 10, NULL },
	{ "request_max_days", FIELD_INT, FIELD_FORM, 1, 3660, NULL },
	FIELDS_END,
};

const struct field admin_role_view_fields[] = {
	VIEW_FORM,
	ADMIN_PREVIEW_TOKEN,
	FIELDS_END,
};

/* The checked users or reports: ids, 400 when any is not one. */
const struct field admin_role_members_fields[] = {
	VIEW_FORM,
	{ "user_id[]", FIELD_ID, FIELD_FORM | FIELD_MULTI, 0, 0, NULL },
	/* A membership's dates: <input type="datetime-local">, Dutch local time
	 * (grants_time_check); empty is open. */
	{ "valid_from", FIELD_TEXT, FIELD_FORM | FIELD_TRIM, 0, 40, NULL },
	{ "valid_until", FIELD_TEXT, FIELD_FORM | FIELD_TRIM, 0, 40, NULL },
	ADMIN_PREVIEW_TOKEN,
	FIELDS_END,
};

const struct field admin_role_owners_fields[] = {
	VIEW_FORM,
	{ "username", FIELD_TEXT, FIELD_FORM | FIELD_TRIM, 0, 200, NULL },
	FIELDS_END,
};

const struct field admin_role_reports_fields[] = {
	VIEW_FORM,
	{ "report_id[]", FIELD_ID, FIELD_FORM | FIELD_MULTI, 0, 0, NULL },
	ADMIN_PREVIEW_TOKEN,
	FIELDS_END,
};

/* Reads the view from the query (GET) or from the form's hidden fields (a
 * POST, pages back to 1), as the route's fields declare them. */
static void read_view(struct ctx *c, struct role_view *v, int from_form)
{
	for (int i = 0; i < N_SEARCH; i++)
		v->s[i] = field_str(&c->fields, search_names[i], "");
	for (int i = 0; i < N_PAGES; i++)
		v->page[i] = from_form ? 1 : (long)field_int(&c->fields, page_names[i], 1);
}

/* The role page's href for view v, with extra ("done=saved&n=1", or NULL)
 * and anchor ("members", or NULL). */
static const char *view_href(struct ctx *c, const char *id, const struct role_view *v,
                             const char *extra, const char *anchor)
{
	struct buf b = { 0 };
	buf_printf(&b, "/admin/roles/%s", id);
	char sep = '?';
	for (int i = 0; i < N_SEARCH; i++) {
		if (v->s[i][0] == '\0')
			continue;
		buf_printf(&b, "%c%s=", sep, search_names[i]);
		app_url_encode(&b, v->s[i]);
		sep = '&';
	}
	for (int i = 0; i < N_PAGES; i++) {
		if (v->page[i] <= 1)
			continue;
		buf_printf(&b, "%c%s=%ld", sep, page_names[i], v->page[i]);
		sep = '&';
	}
	if (extra)
		buf_printf(&b, "%c%s", sep, extra);
	if (anchor)
		buf_printf(&b, "#%s", anchor);
	const char *out = arena_strdup(c->arena, buf_str(&b));
	buf_free(&b);
	return out;
}

/* The link to page n of one list of the role page, the view otherwise
 * kept: a pager_href_fn. */
struct view_link {
	struct ctx *c;
	const char *id;
	const struct role_view *v;
	int which;
	const char *anchor;
};

static const char *view_page_href(void *arg, long n)
{
	const struct view_link *l = arg;
	struct role_view w = *l->v;
	w.page[l->which] = n;
	return view_href(l->c, l->id, &w, NULL, l->anchor);
}

/* Sets key to a list of one pager (page, page_count, prev_href, next_href)
 * when the list has more than one page, else to an empty list. */
static void set_pager(struct ctx *c, const char *key, const char *id, const struct role_view *v,
                      int which, long total, const char *anchor)
{
	struct pager p = pager_make(v->page[which], ADMIN_PAGE_SIZE);
	pager_set_total(&p, total);
	if (pager_pages(&p) <= 1) {
		tvars_list(c->vars, key, NULL, 0);
		return;
	}
	struct tvars *pg = tvars_new(c->arena);
	struct view_link link = { c, id, v, which, anchor };
	pager_vars(pg, &p, view_page_href, &link);
	struct tvars *items[] = { pg };
	tvars_list(c->vars, key, items, 1);
}

/* One list of the page: rows, total and pager. */
static void set_list(struct ctx *c, const PGresult *res, const char *key, int first, int n,
                     const char *id, const struct role_view *v, int which, const char *anchor)
{
	tvars_rows_range(c->vars, key, res, first, n);
	long total = n > 0 ? strtol(db_text(res, first, "total"), NULL, 10) : 0;
	tvars_int(c->vars, arena_printf(c->arena, "%s_total", key), total);
	tvars_bool(c->vars, arena_printf(c->arena, "%s_more", key), total > n);
	set_pager(c, arena_printf(c->arena, "%s_pager", key), id, v, which, total, anchor);
}

/* The notice of ?done= and its count ?n=, on the GET page; a page
 * re-rendered after a POST shows none. */
static void set_done(struct ctx *c)
{
	struct tvars *d = tvars_new(c->arena);
	int get = strcmp(c->req->method, "POST") != 0;
	const char *done = get ? field_str(&c->fields, "done", NULL) : NULL;
	if (done != NULL)
		tvars_bool(d, done, 1);
	tvars_obj(c->vars, "done", d);
	tvars_int(c->vars, "n", get ? field_int(&c->fields, "n", 0) : 0);
}

/* Renders the role page from an admin_role_page result; name and
 * description are the form's values (the stored ones unless a save
 * failed), errors the messages at its fields. */
static void render_role(struct ctx *c, int status, const PGresult *res, const struct role_view *v,
                        const char *name, const char *description, struct tvars *errors)
{
	const char *id = app_id_param(c);
	struct admin_role_ranges r;
	admin_roles_split(res, &r);
	tvars_row(c->vars, "role", res, 0);
	tvars_str(c->vars, "id", id);
	struct tvars *form = tvars_new(c->arena);
	tvars_str(form, "name", name);
	tvars_str(form, "description", description);
	tvars_str(form, "version", db_text(res, 0, "version"));
	tvars_obj(c->vars, "form", form);
	tvars_obj(c->vars, "errors", errors);
	struct tvars *view = tvars_new(c->arena);
	for (int i = 0; i < N_SEARCH; i++)
		tvars_str(view, search_names[i], v->s[i]);
	tvars_obj(c->vars, "view", view);
	const char *base = arena_printf(c->arena, "/admin/roles/%s", id);
	tvars_str(c->vars, "action", base);
	tvars_str(c->vars, "deactivate_action", arena_printf(c->arena, "%s/deactivate", base));
	tvars_str(c->vars, "activate_action", arena_printf(c->arena, "%s/activate", base));
	tvars_str(c->vars, "members_add", arena_printf(c->arena, "%s/members/add", base));
	tvars_str(c->vars, "members_remove", arena_printf(c->arena, "%s/members/remove", base));
	tvars_str(c->vars, "members_dates", arena_printf(c->arena, "%s/members/dates", base));
	tvars_str(c->vars, "reports_add", arena_printf(c->arena, "%s/reports/add", base));
	tvars_str(c->vars, "reports_remove", arena_printf(c->arena, "%s/reports/remove", base));
	tvars_str(c->vars, "search_action", base);
	set_list(c, res, "members", r.member_first, r.member_n, id, v, P_MEMBERS, "members");
	set_list(c, res, "cands", r.cand_first, r.cand_n, id, v, P_CANDS, "add-members");
	set_list(c, res, "reports", r.report_first, r.report_n, id, v, P_REPORTS, "reports");
	set_list(c, res, "rcands", r.rcand_first, r.rcand_n, id, v, P_RCANDS, "add-reports");
	tvars_rows_range(c->vars, "categories", res, r.cat_first, r.cat_n);
	tvars_rows_range(c->vars, "groups", res, r.group_first, r.group_n);
	tvars_rows_range(c->vars, "owners", res, r.owner_first, r.owner_n);
	tvars_rows_range(c->vars, "requests", res, r.request_first, r.request_n);
	if (!db_is_null(res, 0, "open_review"))
		tvars_str(
		    c->vars, "review_href",
		    arena_printf(c->arena, "/admin/reviews/%s", db_text(res, 0, "open_review")));
	tvars_str(c->vars, "owners_add", arena_printf(c->arena, "%s/owners/add", base));
	tvars_str(c->vars, "owners_remove", arena_printf(c->arena, "%s/owners/remove", base));
	tvars_bool(c->vars, "member_searched", v->s[V_MEMBER_SEARCH][0] != '\0');
	tvars_bool(c->vars, "report_searched",
	           v->s[V_REPORT_SEARCH][0] != '\0' || v->s[V_CATEGORY][0] != '\0');
	tvars_bool(c->vars, "no_category", v->s[V_CATEGORY][0] == '\0');
	set_done(c);
	app_render(c, status, "admin/role");
}

/* Runs admin_role_page for view v. NULL when answered (no session, not a
 * superuser, database failure, or 404 when the role does not exist). */
static PGresult *role_page_query(struct ctx *c, const struct role_view *v)
{
	struct buf s = { 0 }, o = { 0 };
	buf_putc(&s, '{');
	for (int i = 0; i < N_SEARCH; i++) {
		if (i)
			buf_putc(&s, ',');
		admin_roles_array_item(&s, v->s[i]);
	}
	buf_putc(&s, '}');
	buf_putc(&o, '{');
	for (int i = 0; i < N_PAGES; i++)
		buf_printf(&o, "%s%ld", i ? "," : "", (v->page[i] - 1) * ADMIN_PAGE_SIZE);
	buf_putc(&o, '}');
	const char *p[] = { app_id_param(c), arena_strdup(c->arena, buf_str(&s)),
		            arena_strdup(c->arena, buf_str(&o)) };
	buf_free(&s);
	buf_free(&o);
	PGresult *res = admin_keeper_page_query(c, "admin_role_page", 3, p);
	if (res == NULL)
		return NULL;
	if (db_is_null(res, 0, "role_id")) {
		PQclear(res);
		app_error(c, 404);
		return NULL;
	}
	return res;
}

/* ---- the list and the new role ---- */

void admin_get_roles(struct ctx *c)
{
	const char *q = field_str(&c->fields, "q", "");
	struct pager pg = pager_make(field_int(&c->fields, "page", 1), ADMIN_PAGE_SIZE);
	const char *p[] = { q, arena_printf(c->arena, "%ld", pager_offset(&pg)) };
	PGresult *res = admin_keeper_page_query(c, "admin_roles_list", 2, p);
	if (res == NULL)
		return;
	int empty = db_is_null(res, 0, "id");
	tvars_rows_range(c->vars, "roles", res, 0, empty ? 0 : PQntuples(res));
	long total = empty ? 0 : strtol(db_text(res, 0, "total"), NULL, 10);
	struct buf base = { 0 };
	buf_puts(&base, "/admin/roles?q=");
	app_url_encode(&base, q);
	buf_putc(&base, '&');
	pager_set_total(&pg, total);
	admin_pager_vars(c, buf_str(&base), &pg);
	buf_free(&base);
	tvars_str(c->vars, "q", q);
	app_render(c, 200, "admin/roles");
	PQclear(res);
}

static void render_new(struct ctx *c, int status, const char *name, const char *description,
                       struct tvars *errors)
{
	struct tvars *form = tvars_new(c->arena);
	tvars_str(form, "name", name);
	tvars_str(form, "description", description);
	tvars_obj(c->vars, "form", form);
	tvars_obj(c->vars, "errors", errors);
	app_render(c, status, "admin/role-new");
}

void admin_get_role_new(struct ctx *c)
{
	PGresult *res = admin_page_query(c, "session_check", 0, NULL);
	if (res == NULL)
		return;
	render_new(c, 200, "", "", tvars_new(c->arena));
	PQclear(res);
}

void admin_post_role_create(struct ctx *c)
{
	if (!admin_post_guard(c))
		return;
	const char *name = field_str(&c->fields, "name", "");
	const char *description = field_str(&c->fields, "description", "");
	struct admin_form fe = { c, tvars_new(c->arena) };
	if (admin_role_check(name, description, admin_form_bad, &fe) > 0) {
		render_new(c, 400, name, description, fe.errors);
		return;
	}
	struct admin_actor a;
	admin_actor(c, &a);
	struct roles_outcome o;
	switch (roles_create(c->app->db, &a.audit, name, description, &o)) {
	case ROLES_OK:
		resp_redirect(c->resp, 303,
		              arena_printf(c->arena, "/admin/roles/%lld?done=created", o.id));
		return;
	case ROLES_TAKEN:
		admin_error(c, fe.errors, "name", "admin.roles.error.taken");
		render_new(c, 400, name, description, fe.errors);
		return;
	default:
		if (o.db == DB_INVALID) {
			/* A CHECK the form does not know. */
			admin_error(c, fe.errors, "form", "admin.error.invalid");
			render_new(c, 400, name, description, fe.errors);
		} else {
			app_db_error(c, o.db);
		}
		return;
	}
}

/* ---- one role ---- */

void admin_get_role(struct ctx *c)
{
	struct role_view v;
	read_view(c, &v, 0);
	PGresult *res = role_page_query(c, &v);
	if (res == NULL)
		return;
	render_role(c, 200, res, &v, db_text(res, 0, "name"), db_text(res, 0, "description"),
	            tvars_new(c->arena));
	PQclear(res);
}

/* Re-renders the page after a failed save: with the posted values (400),
 * or with the stored ones (409, stale). */
static void rerender(struct ctx *c, int status, const struct role_view *v, const char *name,
                     const char *description, struct tvars *errors)
{
	PGresult *res = role_page_query(c, v);
	if (res == NULL)
		return;
	if (status == 409) {
		name = db_text(res, 0, "name");
		description = db_text(res, 0, "description");
	}
	render_role(c, status, res, v, name, description, errors);
	PQclear(res);
}

void admin_post_role_update(struct ctx *c)
{
	if (!admin_post_guard(c))
		return;
	struct role_view v;
	read_view(c, &v, 1);
	const char *name = field_str(&c->fields, "name", "");
	const char *description = field_str(&c->fields, "description", "");
	const char *version = field_str(&c->fields, "version", "");
	struct admin_form fe = { c, tvars_new(c->arena) };
	if (admin_role_check(name, description, admin_form_bad, &fe) > 0) {
		rerender(c, 400, &v, name, description, fe.errors);
		return;
	}
	struct admin_actor a;
	admin_actor(c, &a);
	struct roles_change ch = {
		.version = version,
		.name = name,
		.description = description,
		.active = -1,
		.requestable = field_present(&c->fields, "requestable") ? "t" : "f",
		.max_days = field_str(&c->fields, "request_max_days", NULL),
	};
	struct roles_outcome o;
	switch (roles_update(c->app->db, &a.audit, c->match.ids[0], &ch, &o)) {
	case ROLES_OK:
	case ROLES_UNCHANGED:
		resp_redirect(c->resp, 303, view_href(c, app_id_param(c), &v, "done=saved", NULL));
		return;
	case ROLES_NOT_FOUND:
		app_error(c, 404);
		return;
	case ROLES_STALE:
		/* Someone saved in between: show what is stored now, change nothing. */
		admin_error(c, fe.errors, "form", "admin.error.stale");
		rerender(c, 409, &v, name, description, fe.errors);
		return;
	case ROLES_TAKEN:
		admin_error(c, fe.errors, "name", "admin.roles.error.taken");
		rerender(c, 400, &v, name, description, fe.errors);
		return;
	default:
		if (o.db == DB_INVALID) {
			admin_error(c, fe.errors, "form", "admin.error.invalid");
			rerender(c, 400, &v, name, description, fe.errors);
		} else {
			app_db_error(c, o.db);
		}
		return;
	}
}

/* 400, saying what is wrong with the dates of a membership. */
static void bad_dates(struct ctx *c)
{
	app_error_msg(c, 400, "admin.roles.bad_dates");
}

/*
 * The preview step of a change of this role's access (lib/preview.h): a
 * POST without a token previews ch and shows who gains and who loses,
 * with a form to confirm; a POST with the token of that preview (the
 * confirm form) saves, when the data are still as previewed, and else
 * answers 409 with the fresh preview. field, when not NULL, is the MULTI
 * id field whose values the confirm form carries. Returns 1 when saved
 * (*p filled; the caller preview_frees it), 0 when answered.
 */
static int preview_or_save(struct ctx *c, const struct preview_change *ch, const char *kind,
                           const char *field, const struct role_view *v, struct preview *p)
{
	memset(p, 0, sizeof *p); /* the caller preview_frees it, whatever the answer */
	const char *token = field_str(&c->fields, "token", NULL);
	if (token != NULL && !preview_token_ok(token)) {
		app_error(c, 400);
		return 0;
	}
	struct admin_actor a;
	admin_actor(c, &a);
	enum preview_status st = preview_run(c->app->db, &a.audit, ch, token, p);
	if (st == PREVIEW_OK && p->saved)
		return 1;
	if (st == PREVIEW_NOT_FOUND) {
		app_error(c, 404);
		return 0;
	}
	if (st == PREVIEW_DB_ERROR && p->db == DB_INVALID &&
	    strstr(db_last_message(c->app->db), "user_roles_valid_check")) {
		bad_dates(c);
		return 0;
	}
	if (st != PREVIEW_OK && st != PREVIEW_CHANGED) {
		app_db_error(c, p->db);
		return 0;
	}
	const struct field_value *ids = field ? field_get(&c->fields, field) : NULL;
	size_t n_ids = ids && ids->present ? ids->n : 0;
	struct admin_hidden *h = arena_alloc(c->arena, (N_SEARCH + n_ids + 2) * sizeof *h);
	size_t n = 0;
	for (int i = 0; i < N_SEARCH; i++)
		h[n++] = (struct admin_hidden){ search_names[i], v->s[i] };
	for (size_t i = 0; i < n_ids; i++)
		h[n++] = (struct admin_hidden){ field, ids->all[i] };
	/* a membership's dates go with the confirmation too */
	if (ch->from)
		h[n++] = (struct admin_hidden){ "valid_from", ch->from };
	if (ch->until)
		h[n++] = (struct admin_hidden){ "valid_until", ch->until };
	admin_render_preview(c, st == PREVIEW_CHANGED ? 409 : 200, p, kind, (long)n_ids,
	                     c->req->path, view_href(c, app_id_param(c), v, NULL, NULL), h, n);
	return 0;
}

static void post_set_active(struct ctx *c, int active)
{
	if (!admin_post_guard(c))
		return;
	struct role_view v;
	read_view(c, &v, 1);
	struct preview_change ch = { .kind = PREVIEW_ROLE_ACTIVE,
		                     .id = c->match.ids[0],
		                     .active = active };
	struct preview p;
	int saved = preview_or_save(c, &ch, active ? "activate" : "deactivate", NULL, &v, &p);
	preview_free(&p);
	if (!saved)
		return;
	resp_redirect(c->resp, 303,
	              view_href(c, app_id_param(c), &v,
	                        active ? "done=activated" : "done=deactivated", NULL));
}

void admin_post_role_deactivate(struct ctx *c)
{
	post_set_active(c, 0);
}

void admin_post_role_activate(struct ctx *c)
{
	post_set_active(c, 1);
}

/* Adds or removes the checked ids of field (users or reports) to or from
 * this role (kind, one of the grants' changes), through the preview. */
static void post_grant(struct ctx *c, enum preview_kind kind, const char *field, const char *done,
                       const char *anchor)
{
	static const char *const kinds[] = { "members_add", "members_remove", "reports_add",
		                             "reports_remove" };
	/* A role's members may be kept by its owners too (the statement
	 * refuses a role the user does not own: 404); its reports not. */
	int members = kind == PREVIEW_MEMBERS_ADD || kind == PREVIEW_MEMBERS_REMOVE;
	if (!(members ? admin_keeper_post_guard(c) : admin_post_guard(c)))
		return;
	struct role_view v;
	read_view(c, &v, 1);
	const char *ids = field_id_array(&c->fields, field);
	if (ids == NULL) {
		resp_redirect(c->resp, 303,
		              view_href(c, app_id_param(c), &v, "done=none_selected", anchor));
		return;
	}
	const char *from = NULL, *until = NULL;
	if (kind == PREVIEW_MEMBERS_ADD) {
		/* Memberships with their dates: new ones, or the checked members'
		 * dates changed. */
		from = field_str(&c->fields, "valid_from", "");
		until = field_str(&c->fields, "valid_until", "");
		if ((from[0] && grants_time_check(from) != 0) ||
		    (until[0] && grants_time_check(until) != 0)) {
			bad_dates(c);
			return;
		}
		from = from[0] ? from : NULL;
		until = until[0] ? until : NULL;
	}
	struct preview_change ch = {
		.kind = kind, .id = c->match.ids[0], .ids = ids, .from = from, .until = until
	};
	struct preview p;
	int saved = preview_or_save(c, &ch, kinds[kind], field, &v, &p);
	long changed = p.grants.changed;
	preview_free(&p);
	if (!saved)
		return;
	resp_redirect(c->resp, 303,
	              view_href(c, app_id_param(c), &v,
	                        arena_printf(c->arena, "done=%s&n=%ld", done, changed), anchor));
}

void admin_post_role_members_add(struct ctx *c)
{
	post_grant(c, PREVIEW_MEMBERS_ADD, "user_id[]", "members_added", "members");
}

/* The checked members get the form's dates (none: no end). */
void admin_post_role_members_dates(struct ctx *c)
{
	post_grant(c, PREVIEW_MEMBERS_ADD, "user_id[]", "members_dated", "members");
}

void admin_post_role_members_remove(struct ctx *c)
{
	post_grant(c, PREVIEW_MEMBERS_REMOVE, "user_id[]", "members_removed", "members");
}

/* Adds or removes the owner named in the form (superusers only). */
static void post_owner(struct ctx *c, int add)
{
	if (!admin_post_guard(c))
		return;
	struct role_view v;
	read_view(c, &v, 1);
	const char *username = field_str(&c->fields, "username", "");
	if (username[0] == '\0') {
		resp_redirect(c->resp, 303,
		              view_href(c, app_id_param(c), &v, "done=none_selected", "owners"));
		return;
	}
	struct admin_actor a;
	admin_actor(c, &a);
	struct roles_outcome o;
	const char *done;
	switch (roles_owner(c->app->db, &a.audit, add, c->match.ids[0], username, &o)) {
	case ROLES_OK:
		done = add ? "done=owner_added" : "done=owner_removed";
		break;
	case ROLES_UNCHANGED:
		done = "done=owner_unchanged";
		break;
	case ROLES_NOT_FOUND:
		app_error(c, 404);
		return;
	case ROLES_NO_USER:
		app_error_msg(c, 400, "admin.roles.owner_no_user");
		return;
	default:
		app_db_error(c, o.db);
		return;
	}
	resp_redirect(c->resp, 303, view_href(c, app_id_param(c), &v, done, "owners"));
}

void admin_post_role_owners_add(struct ctx *c)
{
	post_owner(c, 1);
}

void admin_post_role_owners_remove(struct ctx *c)
{
	post_owner(c, 0);
}

static const char *const decisions[] = { "approve", "refuse", NULL };
const struct field admin_request_decide_fields[] = {
	{ "decision", FIELD_ENUM, FIELD_FORM | FIELD_REQUIRED, 0, 0, decisions },
	{ "note", FIELD_TEXT, FIELD_FORM | FIELD_TRIM, 0, 8000, NULL },
	FIELDS_END,
};

void admin_post_request_decide(struct ctx *c)
{
	if (!admin_keeper_post_guard(c))
		return;
	int approve = strcmp(field_str(&c->fields, "decision", ""), "approve") == 0;
	const char *note = field_str(&c->fields, "note", "");
	const char *problem = requests_text_problem(note, 0);
	if (problem != NULL) {
		app_error_msg(c, 400, problem);
		return;
	}
	struct admin_actor a;
	admin_actor(c, &a);
	long long role = 0;
	enum db_status st;
	switch (requests_decide(c->app->db, &a.audit, app_id_param(c), approve, note, &role, &st)) {
	case REQUESTS_DECIDED:
		resp_redirect(c->resp, 303,
		              arena_printf(c->arena, "/admin/roles/%lld?done=%s#requests", role,
		                           approve ? "request_approved" : "request_refused"));
		return;
	case REQUESTS_NOT_FOUND:
		app_error(c, 404);
		return;
	case REQUESTS_NOT_PENDING:
		app_error_msg(c, 409, "admin.requests.not_pending");
		return;
	default:
		app_db_error(c, st);
		return;
	}
}

void admin_post_role_reports_add(struct ctx *c)
{
	post_grant(c, PREVIEW_REPORTS_ADD, "report_id[]", "reports_added", "reports");
}

void admin_post_role_reports_remove(struct ctx *c)
{
	post_grant(c, PREVIEW_REPORTS_REMOVE, "report_id[]", "reports_removed", "reports");
}
