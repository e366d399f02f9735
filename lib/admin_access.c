/*
 * admin_access: SQL and handlers of the admin pool's access views, the
 * access matrix export and report usage (see admin_access.h).
 */
#include "admin_access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "csv.h"
#include "log.h"

/*
 * The SQL below is laid out by hand, one clause a line, the C indentation
 * showing the structure; clang-format would cut the string concatenations
 * around the macros into pieces.
 */
/* clang-format off */

/* Case- and accent-insensitive substring pattern; % and _ typed are literal. */
#define LIKE_PATTERN(p) \
	"'%' || replace(replace(replace(f_unaccent(lower(" p ")), '\\', '\\\\'), '%', '\\%')," \
	" '_', '\\_') || '%'"

#define DATE_NL(col) "to_char(" col " AT TIME ZONE 'Europe/Amsterdam', 'DD-MM-YYYY')"

/* Until when a report stays visible through the memberships of a group of
 * paths: the latest end, NULL when one of them does not end. */
#define UNTIL "CASE WHEN bool_or(ur.valid_until IS NULL) THEN NULL ELSE max(ur.valid_until) END AS until"

/* Both searches of the start page: $3 user search, $4 report search (""
 * for none); 51 rows tell that there are more. */
static const char sql_access_find[] =
	SESSION_CTE
	", hu AS (SELECT u.id, u.display_name AS label, u.username::text AS x_username,"
		"  u.email::text AS x_email, u.is_active, false AS is_draft, false AS is_archived,"
		"  '/admin/access/users/' || u.id AS href,"
		"  row_number() OVER (ORDER BY lower(u.display_name), u.id) AS n"
		"  FROM users u WHERE $3::text <> '' AND f_unaccent(lower(u.username::text || ' '"
			"   || u.display_name || ' ' || u.email::text)) LIKE " LIKE_PATTERN("$3::text")
		"  ORDER BY n LIMIT 51)"
	", hr AS (SELECT r.id, r.title, NULL::text, NULL::text,"
		"  true, r.status = 'draft', r.status = 'archived', '/admin/access/reports/' || r.id,"
		"  row_number() OVER (ORDER BY lower(r.title), r.id) AS n"
		"  FROM reports r WHERE $4::text <> '' AND (r.id::text = $4::text"
			"   OR f_unaccent(lower(r.title)) LIKE " LIKE_PATTERN("$4::text") ")"
		"  ORDER BY n LIMIT 51)"
	" SELECT cur.*, x.* FROM cur LEFT JOIN LATERAL ("
		"  SELECT 1 AS k, hu.* FROM hu UNION ALL SELECT 2, hr.* FROM hr ORDER BY 1, n) x ON true";

/* What user $3 sees, one page from offset $4: the catalogue's rule
 * (lib/catalog.c), published reports through active roles, computed from
 * the grants themselves so that each report can name the roles it comes
 * through. "since" is when the earliest path opened. */
static const char sql_access_user[] =
	SESSION_CTE
	", u AS (SELECT * FROM users WHERE id = $3::bigint)"
	", vis AS (SELECT r.id, r.title, r.category,"
		"  string_agg(ro.name::text, ', ' ORDER BY lower(ro.name::text)) AS via,"
		"  min(greatest(ur.granted_at, rr.granted_at)) AS since, " UNTIL ""
		"  FROM u JOIN user_roles_current ur ON ur.user_id = u.id"
		"  JOIN roles ro ON ro.id = ur.role_id AND ro.is_active"
		"  JOIN role_reports rr ON rr.role_id = ur.role_id"
		"  JOIN reports r ON r.id = rr.report_id AND r.status = 'published'"
		"  GROUP BY r.id)"
	", pg AS (SELECT *, row_number() OVER (ORDER BY lower(title), id) AS n FROM vis"
		"  ORDER BY n LIMIT 50 OFFSET $4::int)"
	" SELECT cur.*, u.id AS u_id, u.username::text AS u_username, u.display_name AS u_name,"
	"  u.email::text AS u_email, u.is_active AS u_active, u.is_superuser AS u_superuser,"
	"  '/admin/users/' || u.id AS u_href, (SELECT count(*) FROM vis) AS total,"
	"  (SELECT count(*) FROM reports) AS n_reports, x.*"
	" FROM cur LEFT JOIN u ON true LEFT JOIN LATERAL ("
		"  SELECT 1 AS k, row_number() OVER (ORDER BY lower(ro.name::text), ro.id) AS n,"
		"   ro.id AS x_id, ro.name::text AS x_name, ro.is_active AS x_active,"
			" NULL::text AS x_category, NULL::text AS x_via,"
		"   " DATE_NL("ur.granted_at") " AS x_since, '/admin/roles/' || ro.id AS x_href,"
		"   NULL::text AS x_href2, " DB_DATE_TIME_NL("ur.valid_until") " AS x_until,"
		"   " DB_DATE_TIME_NL("ur.valid_from") " AS x_from,"
		"   ur.valid_from > now() AS x_future, ur.valid_until <= now() AS x_expired"
		"  FROM user_roles ur JOIN roles ro ON ro.id = ur.role_id WHERE ur.user_id = u.id"
		"  UNION ALL"
		"  SELECT 2, pg.n, pg.id, pg.title, true, pg.category, pg.via, " DATE_NL("pg.since") ","
		"   '/admin/access/reports/' || pg.id, '/admin/reports/' || pg.id,"
		"   " DB_DATE_TIME_NL("pg.until") ", NULL, false, false FROM pg"
		"  ORDER BY 1, 2) x ON true";

/* Who sees report $3, one page from offset $4: active users through active
 * roles. Listed whatever the report's status (the page says when it is not
 * published: then only superusers see it now, and these users will once it
 * is). */
static const char sql_access_report[] =
	SESSION_CTE
	", r AS (SELECT * FROM reports WHERE id = $3::bigint)"
	", who AS (SELECT u.id, u.display_name, u.username::text AS username,"
		"  string_agg(ro.name::text, ', ' ORDER BY lower(ro.name::text)) AS via,"
		"  min(greatest(ur.granted_at, rr.granted_at)) AS since, " UNTIL ""
		"  FROM r JOIN role_reports rr ON rr.report_id = r.id"
		"  JOIN roles ro ON ro.id = rr.role_id AND ro.is_active"
		"  JOIN user_roles_current ur ON ur.role_id = rr.role_id"
		"  JOIN users u ON u.id = ur.user_id AND u.is_active"
		"  GROUP BY u.id)"
	", pg AS (SELECT *, row_number() OVER (ORDER BY lower(display_name), id) AS n FROM who"
		"  ORDER BY n LIMIT 50 OFFSET $4::int)"
	" SELECT cur.*, r.id AS r_id, r.title AS r_title, r.status::text AS r_status,"
	"  r.status = 'published' AS r_published, '/admin/reports/' || r.id AS r_href,"
	"  (SELECT count(*) FROM who) AS total,"
	"  (SELECT count(*) FROM users WHERE is_active AND is_superuser) AS n_superusers, x.*"
	" FROM cur LEFT JOIN r ON true LEFT JOIN LATERAL ("
		"  SELECT 1 AS k, row_number() OVER (ORDER BY lower(ro.name::text), ro.id) AS n,"
		"   ro.id AS x_id, ro.name::text AS x_name, NULL::text AS x_username, ro.is_active AS x_active,"
		"   (SELECT count(*) FROM user_roles_current m JOIN users mu ON mu.id = m.user_id"
			"    AND mu.is_active WHERE m.role_id = ro.id) AS x_members, NULL::text AS x_via,"
		"   " DATE_NL("rr.granted_at") " AS x_since, '/admin/roles/' || ro.id AS x_href,"
		"   NULL::text AS x_until"
		"  FROM role_reports rr JOIN roles ro ON ro.id = rr.role_id WHERE rr.report_id = r.id"
		"  UNION ALL"
		"  SELECT 2, pg.n, pg.id, pg.display_name, pg.username, true, NULL, pg.via,"
		"   " DATE_NL("pg.since") ", '/admin/access/users/' || pg.id,"
		"   " DB_DATE_TIME_NL("pg.until") " FROM pg"
		"  ORDER BY 1, 2) x ON true";

/* Views per report over 30 and 90 days and the last opening: per report two
 * probes of report_views (report_id, viewed_at), so the page costs the
 * number of reports, not of views. "never" lists published reports that no
 * one ever opened. */
#define USAGE_ORDER \
	"CASE WHEN $4::text = 'title' THEN lower(title) END," \
	" CASE WHEN $4::text = 'last' THEN last_at END DESC NULLS LAST," \
	" CASE WHEN $4::text = 'views90' THEN v90 END DESC," \
	" v30 DESC, v90 DESC, last_at DESC NULLS LAST, lower(title), id"

/* The report usage page: $3 "all" or "never", $4 sort (USAGE_ORDER),
 * $5 offset. */
static const char sql_report_usage[] =
	SESSION_CTE
	", st AS (SELECT r.id, r.title, r.status, v.v30, v.v90, lv.last_at"
		"  FROM reports r"
		"  LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE rv.viewed_at > now() - interval '30 days')"
			"   AS v30, count(*) AS v90 FROM report_views rv"
			"   WHERE rv.report_id = r.id AND rv.viewed_at > now() - interval '90 days') v ON true"
		"  LEFT JOIN LATERAL (SELECT max(rv.viewed_at) AS last_at FROM report_views rv"
			"   WHERE rv.report_id = r.id) lv ON true"
		"  WHERE $3::text <> 'never' OR (r.status = 'published' AND lv.last_at IS NULL))"
	", pg AS (SELECT *, row_number() OVER (ORDER BY " USAGE_ORDER ") AS n FROM st"
		"  ORDER BY n LIMIT 50 OFFSET $5::int)"
	" SELECT cur.*, (SELECT count(*) FROM st) AS total,"
	"  (SELECT count(*) FROM reports r WHERE r.status = 'published' AND NOT EXISTS ("
		"   SELECT 1 FROM report_views rv WHERE rv.report_id = r.id)) AS n_never, p.*"
	" FROM cur LEFT JOIN LATERAL (SELECT pg.id, pg.title, pg.status::text AS status,"
		"  pg.status = 'draft' AS is_draft, pg.status = 'archived' AS is_archived,"
		"  pg.v30, pg.v90, to_char(pg.last_at AT TIME ZONE 'Europe/Amsterdam', 'DD-MM-YYYY HH24:MI')"
		"  AS last_opened, '/admin/reports/' || pg.id AS href,"
		"  '/admin/access/reports/' || pg.id AS access_href"
		"  FROM pg ORDER BY pg.n) p ON true";

/* The session and today's date (Europe/Amsterdam), for the file name of a
 * CSV export, before the export's cursor is opened. */
static const char sql_export_session_today[] =
	SESSION_CTE
	"SELECT cur.*, to_char(now() AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD') AS today"
	" FROM cur";

/* The access matrix (see admin_access.h), read through a cursor. */
const char admin_access_export_sql[] =
	"SELECT u.username::text, ro.name::text, r.id, r.title,"
	" to_char(greatest(ur.granted_at, rr.granted_at) AT TIME ZONE 'Europe/Amsterdam',"
	"  'YYYY-MM-DD HH24:MI:SS'),"
	" r.status::text, u.is_active::text, ro.is_active::text,"
	" (u.is_active AND ro.is_active AND r.status = 'published'"
	"  AND (ur.valid_from IS NULL OR ur.valid_from <= now())"
	"  AND (ur.valid_until IS NULL OR ur.valid_until > now()))::text,"
	" to_char(ur.valid_from AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD HH24:MI:SS'),"
	" to_char(ur.valid_until AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD HH24:MI:SS')"
	" FROM user_roles ur JOIN users u ON u.id = ur.user_id JOIN roles ro ON ro.id = ur.role_id"
	" JOIN role_reports rr ON rr.role_id = ur.role_id JOIN reports r ON r.id = rr.report_id"
	" ORDER BY ur.user_id, ur.role_id, rr.report_id";

/* clang-format on */

const char *const admin_access_export_header[] = {
	"username",    "role",        "report_id", "report_title", "granted_since", "report_status",
	"user_active", "role_active", "effective", "valid_from",   "valid_until",   NULL,
};

const struct db_stmt admin_access_stmts[] = {
	{ "admin_access_find", sql_access_find, 4 },
	{ "admin_access_user", sql_access_user, 4 },
	{ "admin_access_report", sql_access_report, 4 },
	{ "admin_report_usage", sql_report_usage, 5 },
	{ "admin_csv_check", sql_export_session_today, 2 },
	{ NULL, NULL, 0 },
};

/* ---- the CSV export ---- */

/* Maps a failed result to a status and logs it; NULL res: the connection. */
static enum db_status export_failed(PGconn *conn, PGresult *res, const char *step)
{
	enum db_status st;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (PQstatus(conn) == CONNECTION_BAD || state == NULL)
		st = DB_UNAVAILABLE;
	else
		st = db_status_from_sqlstate(state);
	char q[300];
	log_event(st == DB_ERROR ? LOG_ERROR : LOG_WARN, "csv export failed",
	          "step=%s sqlstate=%s error=%s", step, state ? state : "-",
	          log_quote(q, sizeof q, PQerrorMessage(conn)));
	PQclear(res);
	return st;
}

/* Runs a statement without result rows; 0 or -1 with *st. */
static int command(PGconn *conn, const char *sql, int nparams, const char *const *params,
                   const char *step, enum db_status *st)
{
	PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		*st = export_failed(conn, res, step);
		return -1;
	}
	PQclear(res);
	return 0;
}

int admin_csv_export(PGconn *conn, const char *select, int nparams, const char *const *params,
                     const char *const *header, struct buf *out,
                     int (*flush)(void *arg, struct buf *out), void *arg, enum db_status *st)
{
	*st = DB_OK;
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
		*st = DB_UNAVAILABLE;
		return -1;
	}
	struct csv w;
	csv_init(&w, out);
	for (const char *const *h = header; *h; h++)
		csv_cell(&w, *h);
	csv_end_row(&w);

	/* REPEATABLE READ: every chunk comes from one snapshot, so a grant
	 * changed half-way does not show up twice or not at all. */
	if (command(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, "begin", st))
		return -1;
	struct buf declare = { 0 };
	buf_puts(&declare, "DECLARE admin_csv NO SCROLL CURSOR FOR ");
	buf_puts(&declare, select);
	int rc = command(conn, buf_str(&declare), nparams, params, "declare", st);
	buf_free(&declare);
	char fetch[64];
	snprintf(fetch, sizeof fetch, "FETCH FORWARD %d FROM admin_csv", ADMIN_CSV_CHUNK);
	while (rc == 0) {
		PGresult *res = PQexec(conn, fetch);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			*st = export_failed(conn, res, "fetch");
			rc = -1;
			break;
		}
		int rows = PQntuples(res), cols = PQnfields(res);
		for (int i = 0; i < rows; i++) {
			for (int j = 0; j < cols; j++)
				csv_cell_n(&w,
				           PQgetisnull(res, i, j) ? NULL : PQgetvalue(res, i, j),
				           (size_t)PQgetlength(res, i, j));
			csv_end_row(&w);
		}
		PQclear(res);
		if (flush && flush(arg, out) != 0) {
			*st = DB_ERROR;
			rc = -1;
			break;
		}
		if (rows < ADMIN_CSV_CHUNK)
			break;
	}
	if (rc == 0)
		return command(conn, "COMMIT", 0, NULL, "commit", st);
	/* Leave the connection out of the transaction for the next request;
	 * on a broken one the next db_exec reconnects. */
	if (PQstatus(conn) == CONNECTION_OK) {
		enum db_status ignored;
		command(conn, "ROLLBACK", 0, NULL, "rollback", &ignored);
	}
	return -1;
}

/*
 * Sizes: on test/data/large.sql (10,000 users, 200 roles, 5,000 reports)
 * the access matrix has 3.3 million grant paths and the file is 336 MB, so
 * it is streamed: the handler checks access and sets the response up, and
 * after the headers have gone out the worker runs the export, sending each
 * chunk of ADMIN_CSV_CHUNK rows as it comes. The worker holds one chunk.
 */
struct csv_stream {
	struct db *db;
	const char *select;
	int nparams;
	const char **params; /* copied into the arena: the stream outlives the handler */
	const char *const *header;
	resp_write_fn write;
	void *sink;
};

static int csv_flush(void *arg, struct buf *out)
{
	struct csv_stream *s = arg;
	int rc = s->write(s->sink, buf_str(out), out->len);
	buf_reset(out);
	return rc;
}

static int csv_stream(void *arg, resp_write_fn write, void *sink)
{
	struct csv_stream *s = arg;
	struct buf out = { 0 };
	enum db_status st;
	s->write = write;
	s->sink = sink;
	buf_puts(&out, CSV_UTF8_BOM);
	int rc = admin_csv_export(db_conn(s->db), s->select, s->nparams, s->params, s->header, &out,
	                          csv_flush, s, &st);
	if (rc != 0) {
		/* The status line went out long ago: say it in the file, so a
		 * truncated export is never mistaken for a whole one. */
		buf_reset(&out);
		buf_puts(&out,
		         "\r\nEXPORT INCOMPLETE: the database stopped answering; export again\r\n");
		csv_flush(s, &out);
	}
	buf_free(&out);
	return rc;
}

void admin_csv_response(struct ctx *c, const char *filename, const char *select, int nparams,
                        const char *const *params, const char *const *header)
{
	if (db_conn(c->app->db) == NULL) {
		app_error(c, 503);
		return;
	}
	struct csv_stream *s = arena_alloc(c->arena, sizeof(*s));
	s->db = c->app->db;
	s->select = select;
	s->nparams = nparams;
	s->header = header;
	s->params = arena_alloc(c->arena, sizeof(*s->params) * (size_t)(nparams + 1));
	for (int i = 0; i < nparams; i++)
		s->params[i] = arena_strdup(c->arena, params[i]);
	char cd[160];
	snprintf(cd, sizeof cd, "attachment; filename=\"%s\"", filename);
	if (resp_header(c->resp, "Content-Disposition", cd) != 0) {
		app_error(c, 500);
		return;
	}
	c->resp->status = 200;
	c->resp->content_type = "text/csv; charset=utf-8";
	c->resp->stream = csv_stream;
	c->resp->stream_arg = s;
}

/* The file name's date from an admin_csv_check result: "YYYY-MM-DD". */
static const char *csv_today(struct ctx *c, const PGresult *res)
{
	const char *d = PQgetvalue(res, 0, PQfnumber(res, "today"));
	return arena_strdup(c->arena, strlen(d) == 10 ? d : "onbekend");
}

void admin_get_access_csv(struct ctx *c)
{
	PGresult *res = admin_page_query(c, "admin_csv_check", 0, NULL);
	if (res == NULL)
		return;
	const char *name = arena_printf(c->arena, "toegangsmatrix-%s.csv", csv_today(c, res));
	PQclear(res);
	admin_csv_response(c, name, admin_access_export_sql, 0, NULL, admin_access_export_header);
}

/* ---- pages ---- */

/* ---- the fields of each route ---- */

const struct field admin_access_fields[] = {
	{ "user", FIELD_TEXT, FIELD_QUERY | FIELD_TRIM, 0, 200, NULL },
	{ "report", FIELD_TEXT, FIELD_QUERY | FIELD_TRIM, 0, 200, NULL },
	FIELDS_END,
};

const struct field admin_access_page_fields[] = {
	PAGER_FIELD("page"),
	FIELDS_END,
};

static const char *const usage_sorts[] = { "views30", "views90", "last", "title", NULL };
static const char *const usage_never[] = { "1", NULL };

/* An empty sort is the first; never is "1" or nothing. */
const struct field admin_usage_fields[] = {
	{ "sort", FIELD_ENUM, FIELD_QUERY, 0, 0, usage_sorts },
	{ "never", FIELD_ENUM, FIELD_QUERY, 0, 0, usage_never },
	PAGER_FIELD("page"),
	FIELDS_END,
};

void admin_get_access(struct ctx *c)
{
	const char *uq = field_str(&c->fields, "user", "");
	const char *rq = field_str(&c->fields, "report", "");
	const char *p[] = { uq, rq };
	PGresult *res = admin_page_query(c, "admin_access_find", 2, p);
	if (res == NULL)
		return;
	int uf, un, rf, rn;
	db_kind_range(res, "k", "1", &uf, &un);
	db_kind_range(res, "k", "2", &rf, &rn);
	tvars_str(c->vars, "user_q", uq);
	tvars_str(c->vars, "report_q", rq);
	tvars_bool(c->vars, "user_searched", uq[0] != '\0');
	tvars_bool(c->vars, "report_searched", rq[0] != '\0');
	tvars_bool(c->vars, "user_more", un > ADMIN_PAGE_SIZE);
	tvars_bool(c->vars, "report_more", rn > ADMIN_PAGE_SIZE);
	tvars_rows_range(c->vars, "users", res, uf, un > ADMIN_PAGE_SIZE ? ADMIN_PAGE_SIZE : un);
	tvars_rows_range(c->vars, "reports", res, rf, rn > ADMIN_PAGE_SIZE ? ADMIN_PAGE_SIZE : rn);
	app_render(c, 200, "admin/access");
	PQclear(res);
}

/* Runs a {id} page with ?page=: $3 id, $4 offset. NULL when answered. */
static PGresult *id_page_query(struct ctx *c, const char *stmt, struct pager *pg)
{
	*pg = pager_make(field_int(&c->fields, "page", 1), ADMIN_PAGE_SIZE);
	const char *p[] = { app_id_param(c), arena_printf(c->arena, "%ld", pager_offset(pg)) };
	return admin_page_query(c, stmt, 2, p);
}

void admin_get_access_user(struct ctx *c)
{
	struct pager pg;
	PGresult *res = id_page_query(c, "admin_access_user", &pg);
	if (res == NULL)
		return;
	if (db_is_null(res, 0, "u_id")) {
		PQclear(res);
		app_error(c, 404);
		return;
	}
	int rf, rn, vf, vn;
	db_kind_range(res, "k", "1", &rf, &rn);
	db_kind_range(res, "k", "2", &vf, &vn);
	tvars_row(c->vars, "u", res, 0);
	tvars_rows_range(c->vars, "roles", res, rf, rn);
	tvars_rows_range(c->vars, "reports", res, vf, vn);
	pager_set_total(&pg, (long)db_int(res, 0, "total"));
	admin_pager_vars(c, arena_printf(c->arena, "/admin/access/users/%s?", app_id_param(c)),
	                 &pg);
	app_render(c, 200, "admin/access_user");
	PQclear(res);
}

void admin_get_access_report(struct ctx *c)
{
	struct pager pg;
	PGresult *res = id_page_query(c, "admin_access_report", &pg);
	if (res == NULL)
		return;
	if (db_is_null(res, 0, "r_id")) {
		PQclear(res);
		app_error(c, 404);
		return;
	}
	int rf, rn, uf, un;
	db_kind_range(res, "k", "1", &rf, &rn);
	db_kind_range(res, "k", "2", &uf, &un);
	tvars_row(c->vars, "r", res, 0);
	tvars_rows_range(c->vars, "roles", res, rf, rn);
	tvars_rows_range(c->vars, "users", res, uf, un);
	pager_set_total(&pg, (long)db_int(res, 0, "total"));
	admin_pager_vars(c, arena_printf(c->arena, "/admin/access/reports/%s?", app_id_param(c)),
	                 &pg);
	app_render(c, 200, "admin/access_report");
	PQclear(res);
}

void admin_get_usage(struct ctx *c)
{
	int never_only = field_present(&c->fields, "never");
	size_t s = (size_t)field_int(&c->fields, "sort", 0);
	struct pager pg = pager_make(field_int(&c->fields, "page", 1), ADMIN_PAGE_SIZE);
	const char *p[] = { never_only ? "never" : "all", usage_sorts[s],
		            arena_printf(c->arena, "%ld", pager_offset(&pg)) };
	PGresult *res = admin_page_query(c, "admin_report_usage", 3, p);
	if (res == NULL)
		return;
	int empty = db_is_null(res, 0, "id");
	tvars_rows_range(c->vars, "reports", res, 0, empty ? 0 : PQntuples(res));
	tvars_row(c->vars, "stats", res, 0);
	tvars_bool(c->vars, "never", never_only);
	/* Column headers link to their sort; the current one is marked. */
	struct tvars *sorts = tvars_new(c->arena);
	for (size_t i = 0; i < 4; i++) {
		tvars_str(sorts, usage_sorts[i],
		          arena_printf(c->arena, "/admin/usage?never=%s&sort=%s",
		                       never_only ? "1" : "", usage_sorts[i]));
		tvars_bool(sorts, arena_printf(c->arena, "%s_current", usage_sorts[i]), i == s);
	}
	tvars_obj(c->vars, "sorts", sorts);
	pager_set_total(&pg, (long)db_int(res, 0, "total"));
	admin_pager_vars(c,
	                 arena_printf(c->arena, "/admin/usage?never=%s&sort=%s&",
	                              never_only ? "1" : "", usage_sorts[s]),
	                 &pg);
	app_render(c, 200, "admin/usage");
	PQclear(res);
}
