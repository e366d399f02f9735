/*
 * catalog: the SQL of the employees' pages (see catalog.h). Every statement
 * begins with SESSION_CTE; the list page returns its several lists as kinds
 * of one result, in a fixed order, so the page is one round trip.
 */
#include "catalog.h"

#include <string.h>
#include <strings.h>

#include "session.h"

/*
 * What the user may see: through report_access (kept exact by triggers),
 * published only; superusers everything. Each branch is gated on
 * is_superuser so only one of them runs.
 */
#define VISIBLE_CTE                                                                              \
	", vis AS ("                                                                             \
	" SELECT r.id, r.title, r.description, r.category, r.status, r.updated_at"               \
	" FROM cur JOIN report_access a ON a.user_id = cur.uid"                                  \
	" JOIN reports r ON r.id = a.report_id"                                                  \
	" WHERE NOT cur.is_superuser AND r.status = 'published'"                                 \
	" UNION ALL"                                                                             \
	" SELECT r.id, r.title, r.description, r.category, r.status, r.updated_at"               \
	" FROM cur JOIN reports r ON cur.is_superuser) "

/* One report by id ($3), if visible. */
#define ONE_VISIBLE_CTE                                                                          \
	", one AS ("                                                                             \
	" SELECT r.* FROM cur JOIN reports r ON r.id = $3::bigint"                               \
	" WHERE cur.is_superuser OR (r.status = 'published' AND EXISTS ("                        \
	"  SELECT 1 FROM report_access a WHERE a.user_id = cur.uid AND a.report_id = r.id))) "

#define DATE_NL(col) "to_char(" col " AT TIME ZONE 'Europe/Amsterdam', 'DD-MM-YYYY')"

/*
 * The columns every row of reports_page has: the session (only in the "me"
 * row), the counts, then one report (or one category). Hrefs come from SQL
 * because templates cannot build strings, by design.
 */
#define NO_SESSION                                                                               \
	"NULL::bigint, NULL::bigint, NULL::text, NULL::text, NULL::text, NULL::boolean,"          \
	" NULL::text, NULL::bigint, NULL::bigint, "
#define REPORT_COLS(t)                                                                           \
	t ".id, " t ".title, " t ".description, " t ".category, " t ".status::text,"              \
	" " DATE_NL(t ".updated_at") ", '/reports/' || " t ".id, '/go/' || " t ".id,"             \
	" '/reports/' || " t ".id || '/favourite', " t ".status = 'draft',"                        \
	" " t ".status = 'archived'"

static const char sql_reports_page[] =
	SESSION_CTE VISIBLE_CTE
	/* Accent- and case-insensitive substring search; % and _ typed by the
	 * user are literal. */
	", hit AS (SELECT * FROM vis WHERE $3::text = '' OR report_search_text(title, description)"
	"  LIKE '%' || replace(replace(replace(f_unaccent(lower($3::text)),"
	"   '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')"
	", shown AS (SELECT * FROM hit WHERE $4::text = '' OR category = $4::text)"
	", page AS (SELECT *, row_number() OVER (ORDER BY"
	"   CASE WHEN $5::text = 'updated' THEN updated_at END DESC NULLS LAST,"
	"   lower(title), id) AS seq"
	"  FROM shown ORDER BY seq LIMIT 25 OFFSET $6::int)"
	", home AS (SELECT $3::text = '' AND $4::text = '' AND $6::int = 0 AS yes)"
	" SELECT 0 AS ord, 'me' AS kind, cur.sid, cur.uid, cur.username, cur.display_name,"
	"  cur.email, cur.is_superuser, cur.csrf,"
	"  (SELECT count(*) FROM shown) AS total, (SELECT count(*) FROM vis) AS n_visible,"
	"  NULL::bigint AS id, NULL::text AS title, NULL::text AS description,"
	"  NULL::text AS category, NULL::text AS status, NULL::text AS updated,"
	"  NULL::text AS href, NULL::text AS go_href, NULL::text AS fav_action,"
	"  NULL::boolean AS is_draft, NULL::boolean AS is_archived,"
	"  NULL::bigint AS n, NULL::boolean AS is_fav, 0::bigint AS seq"
	" FROM cur"
	" UNION ALL"
	" SELECT 1, 'page', " NO_SESSION REPORT_COLS("p") ", NULL,"
	"  EXISTS (SELECT 1 FROM favourites f, cur WHERE f.user_id = cur.uid"
	"   AND f.report_id = p.id), p.seq"
	" FROM page p"
	" UNION ALL"
	" SELECT 2, 'cat', " NO_SESSION "NULL, NULL, NULL, h.category, NULL, NULL, NULL, NULL,"
	"  NULL, NULL, NULL, count(*), NULL, row_number() OVER (ORDER BY lower(h.category))"
	" FROM hit h GROUP BY h.category"
	" UNION ALL"
	" SELECT 3, 'fav', " NO_SESSION REPORT_COLS("v") ", NULL, true,"
	"  row_number() OVER (ORDER BY lower(v.title), v.id)"
	" FROM cur JOIN favourites f ON f.user_id = cur.uid JOIN vis v ON v.id = f.report_id"
	" WHERE (SELECT yes FROM home)"
	" UNION ALL"
	" SELECT 4, 'recent', " NO_SESSION REPORT_COLS("v") ", NULL, NULL,"
	"  row_number() OVER (ORDER BY rv.last DESC)"
	" FROM (SELECT report_id, max(viewed_at) AS last FROM ("
	"   SELECT report_id, viewed_at FROM report_views, cur WHERE user_id = cur.uid"
	"   ORDER BY viewed_at DESC LIMIT 100) x"
	"  GROUP BY report_id ORDER BY last DESC LIMIT 5) rv"
	" JOIN vis v ON v.id = rv.report_id"
	" WHERE (SELECT yes FROM home)"
	" ORDER BY ord, seq";

static const char sql_report_page[] =
	SESSION_CTE ONE_VISIBLE_CTE
	"SELECT cur.*, one.id, one.title, one.description, one.category, one.status::text,"
	" " DATE_NL("one.updated_at") " AS updated, '/go/' || one.id AS go_href,"
	" '/reports/' || one.id || '/favourite' AS fav_action,"
	" one.status = 'draft' AS is_draft, one.status = 'archived' AS is_archived,"
	" (SELECT string_agg(ro.name::text, ', ' ORDER BY ro.name) FROM user_roles ur"
	"  JOIN roles ro ON ro.id = ur.role_id AND ro.is_active"
	"  JOIN role_reports rr ON rr.role_id = ur.role_id AND rr.report_id = one.id"
	"  WHERE ur.user_id = cur.uid) AS via_roles,"
	" EXISTS (SELECT 1 FROM favourites f WHERE f.user_id = cur.uid"
	"  AND f.report_id = one.id) AS is_fav"
	" FROM cur LEFT JOIN one ON true";

/* The view is recorded only when the report is visible (the INSERT reads
 * "one", which is empty otherwise). */
static const char sql_report_go[] =
	SESSION_CTE ONE_VISIBLE_CTE
	", seen AS (INSERT INTO report_views (user_id, report_id)"
	"  SELECT cur.uid, one.id FROM cur, one)"
	" SELECT cur.*, one.url FROM cur LEFT JOIN one ON true";

static const char sql_favourite_set[] =
	"WITH one AS (SELECT r.id FROM reports r JOIN users u ON u.id = $1::bigint"
	"  WHERE r.id = $2::bigint AND (u.is_superuser OR (r.status = 'published' AND EXISTS ("
	"   SELECT 1 FROM report_access a WHERE a.user_id = u.id AND a.report_id = r.id)))),"
	" ins AS (INSERT INTO favourites (user_id, report_id) SELECT $1::bigint, id FROM one"
	"  WHERE $3::text = 'add' ON CONFLICT DO NOTHING),"
	" del AS (DELETE FROM favourites WHERE user_id = $1::bigint AND report_id = $2::bigint"
	"  AND $3::text = 'remove' AND EXISTS (SELECT 1 FROM one))"
	" SELECT id FROM one";

const struct db_stmt catalog_stmts[] = {
	{ "reports_page", sql_reports_page, 6 },
	{ "report_page", sql_report_page, 3 },
	{ "report_go", sql_report_go, 3 },
	{ "favourite_set", sql_favourite_set, 3 },
	{ NULL, NULL, 0 },
};

void catalog_split(const PGresult *res, struct catalog_ranges *out)
{
	memset(out, 0, sizeof(*out));
	int kind = PQfnumber(res, "kind");
	int rows = PQntuples(res);
	if (kind < 0)
		return;
	for (int i = 0; i < rows; i++) {
		const char *k = PQgetvalue(res, i, kind);
		int *first = NULL, *n = NULL;
		if (strcmp(k, "page") == 0) {
			first = &out->page_first;
			n = &out->page_n;
		} else if (strcmp(k, "cat") == 0) {
			first = &out->cat_first;
			n = &out->cat_n;
		} else if (strcmp(k, "fav") == 0) {
			first = &out->fav_first;
			n = &out->fav_n;
		} else if (strcmp(k, "recent") == 0) {
			first = &out->recent_first;
			n = &out->recent_n;
		} else {
			continue;
		}
		if (*n == 0)
			*first = i;
		(*n)++;
	}
}

int catalog_url_ok(const char *url)
{
	if (url == NULL)
		return 0;
	size_t skip;
	if (strncasecmp(url, "https://", 8) == 0)
		skip = 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		skip = 7;
	else
		return 0;
	if (url[skip] == '\0')
		return 0;
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return 0;
	return 1;
}
