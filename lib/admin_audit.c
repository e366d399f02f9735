/*
 * admin_audit: SQL, filter checks and handlers of the audit log viewer and
 * its CSV export (see admin_audit.h).
 */
#include "admin_audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "admin_access.h"

/*
 * The SQL below is laid out by hand, one clause a line; clang-format would
 * cut the string concatenations around the macro into pieces.
 */
/* clang-format off */

/*
 * The filters, with the placeholders of each statement. An action matches
 * exactly, or as a family: "user" and "user." match "user.created". Dates
 * are days in Europe/Amsterdam, both ends included. Each empty filter is
 * switched off by its own "= ''" test, the dates by an unbounded end of
 * the range (one parameter for both: a page statement has at most six of
 * its own, see app_session_query); the entries come newest first from
 * audit_log_at_idx, the action and target through their own indexes.
 */
#define AUDIT_WHERE(actor, action, ttype, tid, days) \
	" (" actor "::text = '' OR l.actor_id = (SELECT id FROM users" \
	"   WHERE username = " actor "::text::citext))" \
	" AND (" action "::text = '' OR l.action = " action "::text" \
	"  OR starts_with(l.action, rtrim(" action "::text, '.') || '.'))" \
	" AND (" ttype "::text = '' OR l.target_type = " ttype "::text)" \
	" AND (" tid "::text = '' OR l.target_id = nullif(" tid "::text, '')::bigint)" \
	" AND (lower_inf(" days "::daterange) OR l.at >= lower(" days "::daterange)::timestamp" \
	"  AT TIME ZONE 'Europe/Amsterdam')" \
	" AND (upper_inf(" days "::daterange) OR l.at < upper(" days "::daterange)::timestamp" \
	"  AT TIME ZONE 'Europe/Amsterdam')"

/*
 * The audit log page: $3 actor, $4 action, $5 target type, $6 target id,
 * $7 days (a daterange), $8 offset; rows k=1 the distinct actions for the
 * filter's suggestions, k=2 the entries of the page (51 tell that there
 * are more). The actions come by skipping through audit_log_action_at_idx:
 * one probe per action rather than a scan of the whole log.
 */
static const char sql_audit_page[] =
	SESSION_CTE
	", acts AS (SELECT a FROM (WITH RECURSIVE t(a) AS ("
		"  SELECT min(action) FROM audit_log"
		"  UNION ALL SELECT (SELECT min(action) FROM audit_log WHERE action > t.a)"
		"  FROM t WHERE t.a IS NOT NULL) SELECT a FROM t WHERE a IS NOT NULL) s)"
	", hits AS (SELECT l.*, row_number() OVER (ORDER BY l.at DESC, l.id DESC) AS n"
		"  FROM audit_log l WHERE" AUDIT_WHERE("$3", "$4", "$5", "$6", "$7")
		"  ORDER BY l.at DESC, l.id DESC LIMIT 51 OFFSET $8::int)"
	" SELECT cur.*, x.* FROM cur LEFT JOIN LATERAL ("
		"  SELECT 1 AS k, row_number() OVER (ORDER BY a) AS n, a AS action, NULL::text AS at,"
		"   NULL::text AS actor, NULL::text AS actor_name, NULL::text AS target_type,"
		"   NULL::bigint AS target_id, NULL::text AS target_href, NULL::text AS details,"
		"   NULL::text AS ip FROM acts"
		"  UNION ALL"
		"  SELECT 2, h.n, h.action,"
		"   to_char(h.at AT TIME ZONE 'Europe/Amsterdam', 'DD-MM-YYYY HH24:MI:SS'),"
		"   u.username::text, u.display_name, h.target_type, h.target_id,"
		"   CASE WHEN h.target_id IS NULL THEN NULL"
			"    WHEN h.target_type = 'user' THEN '/admin/users/' || h.target_id"
			"    WHEN h.target_type = 'role' THEN '/admin/roles/' || h.target_id"
			"    WHEN h.target_type = 'report' THEN '/admin/reports/' || h.target_id END,"
		"   jsonb_pretty(nullif(h.details, '{}'::jsonb)), host(h.ip)"
		"  FROM hits h LEFT JOIN users u ON u.id = h.actor_id"
		"  ORDER BY 1, 2) x ON true";

/* The CSV export of the entries the filters $1..$5 (as $3..$7 above)
 * match, newest first, read through a cursor. */
const char admin_audit_export_sql[] =
	"SELECT l.id, to_char(l.at AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD HH24:MI:SS'),"
	" u.username::text, l.action, l.target_type, l.target_id, l.details::text, host(l.ip)"
	" FROM audit_log l LEFT JOIN users u ON u.id = l.actor_id"
	" WHERE" AUDIT_WHERE("$1", "$2", "$3", "$4", "$5")
	" ORDER BY l.at DESC, l.id DESC";

/* clang-format on */

const char *const admin_audit_export_header[] = {
	"id", "at", "actor", "action", "target_type", "target_id", "details", "ip", NULL,
};

const struct db_stmt admin_audit_stmts[] = {
	{ "admin_audit_list", sql_audit_page, 8 },
	{ NULL, NULL, 0 },
};

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* "YYYY-MM-DD" naming a real day of the years 1900..9999. */
static int date_ok(const char *s)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= days[m - 1] + (m == 2 && leap(y));
}

int admin_audit_check(const struct audit_filter *f,
                      void (*bad)(void *ctx, const char *field, const char *key), void *ctx)
{
	int n = 0;
	if (strlen(f->actor) > 254 || str_has_control(f->actor)) {
		bad(ctx, "actor", "admin.error.too_long");
		n++;
	}
	if (strlen(f->action) > 100 || str_has_control(f->action)) {
		bad(ctx, "action", "admin.error.too_long");
		n++;
	}
	if (strlen(f->target_type) > 50 || str_has_control(f->target_type)) {
		bad(ctx, "target_type", "admin.error.too_long");
		n++;
	}
	size_t tl = strlen(f->target_id);
	if (tl > 0 &&
	    (tl > 18 || strspn(f->target_id, "0123456789") != tl || f->target_id[0] == '0')) {
		bad(ctx, "target_id", "admin.audit.error.target_id");
		n++;
	}
	if (f->from[0] != '\0' && !date_ok(f->from)) {
		bad(ctx, "from", "admin.audit.error.date");
		n++;
	}
	if (f->to[0] != '\0' && !date_ok(f->to)) {
		bad(ctx, "to", "admin.audit.error.date");
		n++;
	} else if (f->from[0] != '\0' && f->to[0] != '\0' && date_ok(f->from) &&
	           strcmp(f->from, f->to) > 0) {
		bad(ctx, "to", "admin.audit.error.range");
		n++;
	}
	return n;
}

/* ---- the fields of each route ---- */

#define FILTER_TEXT(name)                                                                          \
	{                                                                                          \
		(name), FIELD_TEXT, FIELD_QUERY | FIELD_TRIM, 0, 0, NULL                           \
	}
#define FILTER                                                                                     \
	FILTER_TEXT("actor"), FILTER_TEXT("action"), FILTER_TEXT("target_type"),                   \
	    FILTER_TEXT("target_id"), FILTER_TEXT("from"), FILTER_TEXT("to")

const struct field admin_audit_fields[] = {
	FILTER,
	PAGER_FIELD("page"),
	FIELDS_END,
};

const struct field admin_audit_csv_fields[] = {
	FILTER,
	FIELDS_END,
};

static void read_filter(struct ctx *c, struct audit_filter *f)
{
	const struct fieldset *in = &c->fields;
	f->actor = field_str(in, "actor", "");
	f->action = field_str(in, "action", "");
	f->target_type = field_str(in, "target_type", "");
	f->target_id = field_str(in, "target_id", "");
	f->from = field_str(in, "from", "");
	f->to = field_str(in, "to", "");
}

/* The checked dates as a daterange literal, both days included; an empty
 * date leaves that end open: "[2026-01-01,]". */
static const char *days(struct ctx *c, const struct audit_filter *f)
{
	return arena_printf(c->arena, "[%s,%s]", f->from, f->to);
}

/* The filter as a query string "actor=...&...&to=..." for links. */
static const char *filter_query(struct ctx *c, const struct audit_filter *f)
{
	const char *names[] = { "actor", "action", "target_type", "target_id", "from", "to" };
	const char *values[] = {
		f->actor, f->action, f->target_type, f->target_id, f->from, f->to
	};
	struct buf b = { 0 };
	for (size_t i = 0; i < 6; i++) {
		buf_printf(&b, "%s%s=", i ? "&" : "", names[i]);
		app_url_encode(&b, values[i]);
	}
	const char *out = arena_strdup(c->arena, buf_str(&b));
	buf_free(&b);
	return out;
}

static void set_filter_vars(struct ctx *c, const struct audit_filter *f, struct tvars *errors)
{
	struct tvars *form = tvars_new(c->arena);
	tvars_str(form, "actor", f->actor);
	tvars_str(form, "action", f->action);
	tvars_str(form, "target_type", f->target_type);
	tvars_str(form, "target_id", f->target_id);
	tvars_str(form, "from", f->from);
	tvars_str(form, "to", f->to);
	tvars_obj(c->vars, "form", form);
	tvars_obj(c->vars, "errors", errors);
	/* The target types the pools write; another typed into the URL still
	 * filters, and then shows as "all" here. */
	static const char *const types[] = { "", "user", "role", "report" };
	struct tvars *items[4];
	for (size_t i = 0; i < 4; i++) {
		items[i] = tvars_new(c->arena);
		tvars_str(items[i], "value", types[i]);
		tvars_str(items[i], "label",
		          app_msg(c, arena_printf(c->arena, "admin.audit.type_%s",
		                                  i ? types[i] : "any")));
		tvars_bool(items[i], "selected", strcmp(f->target_type, types[i]) == 0);
	}
	tvars_list(c->vars, "target_types", items, 4);
	tvars_str(c->vars, "csv_href",
	          arena_printf(c->arena, "/admin/audit.csv?%s", filter_query(c, f)));
}

void admin_get_audit(struct ctx *c)
{
	struct audit_filter f;
	read_filter(c, &f);
	struct pager pg = pager_make(field_int(&c->fields, "page", 1), ADMIN_PAGE_SIZE);
	struct admin_form fe = { c, tvars_new(c->arena) };
	if (admin_audit_check(&f, admin_form_bad, &fe) > 0) {
		/* Show the form with its messages, and no entries. */
		PGresult *res = admin_page_query(c, "session_check", 0, NULL);
		if (res == NULL)
			return;
		set_filter_vars(c, &f, fe.errors);
		tvars_rows_range(c->vars, "actions", NULL, 0, 0);
		tvars_rows_range(c->vars, "entries", NULL, 0, 0);
		struct pager none = pager_make(1, ADMIN_PAGE_SIZE);
		pager_set_more(&none, 0);
		pager_vars(c->vars, &none, pager_href_base, NULL);
		app_render(c, 400, "admin/audit");
		PQclear(res);
		return;
	}
	const char *p[] = { f.actor,       f.action,
		            f.target_type, f.target_id,
		            days(c, &f),   arena_printf(c->arena, "%ld", pager_offset(&pg)) };
	PGresult *res = admin_page_query(c, "admin_audit_list", 6, p);
	if (res == NULL)
		return;
	int af, an, ef, en;
	db_kind_range(res, "k", "1", &af, &an);
	db_kind_range(res, "k", "2", &ef, &en);
	set_filter_vars(c, &f, fe.errors);
	tvars_rows_range(c->vars, "actions", res, af, an);
	tvars_rows_range(c->vars, "entries", res, ef, en > ADMIN_PAGE_SIZE ? ADMIN_PAGE_SIZE : en);
	/* The log can be long: no count(*) of it, a 51st row says "there is more". */
	struct pager_base base = { c->arena, arena_printf(c->arena, "/admin/audit?%s&",
		                                          filter_query(c, &f)) };
	pager_set_more(&pg, en > ADMIN_PAGE_SIZE);
	pager_vars(c->vars, &pg, pager_href_base, &base);
	app_render(c, 200, "admin/audit");
	PQclear(res);
}

void admin_get_audit_csv(struct ctx *c)
{
	struct audit_filter f;
	read_filter(c, &f);
	struct admin_form fe = { c, tvars_new(c->arena) };
	PGresult *res = admin_page_query(c, "admin_csv_check", 0, NULL);
	if (res == NULL)
		return;
	const char *d = PQgetvalue(res, 0, PQfnumber(res, "today"));
	const char *name =
	    arena_printf(c->arena, "logboek-%s.csv", strlen(d) == 10 ? d : "onbekend");
	PQclear(res);
	if (admin_audit_check(&f, admin_form_bad, &fe) > 0) {
		app_error(c, 400);
		return;
	}
	const char *p[] = { f.actor, f.action, f.target_type, f.target_id, days(c, &f) };
	admin_csv_response(c, name, admin_audit_export_sql, 5, p, admin_audit_export_header);
}
