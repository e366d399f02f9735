/*
 * catalog: the SQL of the employees' pages (see catalog.h). Every statement
 * begins with SESSION_CTE; the list page returns its several lists as kinds
 * of one result, in a fixed order, so the page is one round trip.
 */
#include "catalog.h"

#include "links.h"

#include <string.h>
#include <strings.h>

#include "session.h"

/*
 * The SQL below is laid out by hand, one clause a line; clang-format would
 * reflow the string concatenations around the macros.
 */
/* clang-format off */

/*
 * The signed-in user as InitPlan parameters rather than a join with "cur":
 * an index scan on (user_id, sort key) = (UID, ...) then yields its rows in
 * order, and a LIMIT stops it after the page. Without a session both are
 * NULL, which matches nothing.
 */
#define UID "(SELECT uid FROM cur)"
#define SU  "(SELECT is_superuser FROM cur)"
/*
 * The user's role set (schema 0013_role_sets.sql): what the user may see is
 * what the set may see. An InitPlan too, so that the scans below are index
 * ranges of role_set_reports in list order for one set id. Of the user's
 * periods (0017_membership_dates.sql) the one that holds now.
 */
#define SET                                                                                        \
	"(SELECT us.set_id FROM user_role_sets us WHERE us.user_id = " UID                         \
	" AND us.valid_from <= now() AND us.valid_until > now())"

/* One report by id ($3), if visible. */
#define ONE_VISIBLE_CTE                                                                            \
	", one AS ("                                                                               \
	" SELECT r.* FROM cur JOIN reports r ON r.id = $3::bigint"                                 \
	" WHERE cur.is_superuser OR (r.status = 'published' AND EXISTS ("                          \
	"  SELECT 1 FROM role_set_reports a WHERE a.set_id = " SET " AND a.report_id = r.id))) "

/*
 * The list page is four statements, one per way of listing, so that each
 * plan holds only the branches it may run (a plan's executor start-up costs
 * in proportion to its nodes, run or not). They share their parameters as a
 * prefix, so one array serves them all (catalog_list_stmt):
 *   $1 token, $2 idle timeout (SESSION_CTE), $3 offset,
 *   $4 category, $5 sort ("title" or "updated"), $6 search text.
 *
 * Rows come in order of kind ("ord"), then of the columns sort_at (DESC),
 * sort_key and id, which each kind fills with its own order: one sort of
 * the few rows shown, rather than a numbering (a window function) per kind,
 * whose start-up costs more than the sort.
 */

/* Accent- and case-insensitive substring search of report r on the indexed
 * expression; % and _ typed by the user are literal. The pattern is an
 * InitPlan, computed once: in a generic plan an expression of $6 would be
 * evaluated again for every report. */
#define MATCHES_R                                                                                  \
	"report_search_text(r.title, r.description) LIKE (SELECT '%' || replace(replace(replace("  \
	"f_unaccent(lower($6::text)), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')"

/* A list sorted by $5: by title, or by last update then title. The first
 * key of the two orders (NULL when by title). */
#define SORT_AT(upd) "CASE WHEN $5::text = 'updated' THEN " upd " END"
#define LIST_ORDER(upd, key, id) SORT_AT(upd) " DESC NULLS LAST, " key ", " id

#define DATE_NL(col) "to_char(" col " AT TIME ZONE 'Europe/Amsterdam', 'DD-MM-YYYY')"

/*
 * The columns every row of a list result has: the session (only in the "me"
 * row), the counts, then one report (or one category). Hrefs come from SQL
 * because templates cannot build strings, by design.
 */
#define NO_SESSION                                                                                 \
	"NULL::bigint, NULL::bigint, NULL::text, NULL::text, NULL::text, NULL::boolean,"            \
	" NULL::boolean, NULL::text, NULL::boolean, NULL::text, NULL::bigint, NULL::bigint, "
#define REPORT_COLS(t)                                                                             \
	t ".id, " t ".title, " t ".description, " t ".category, " t ".status::text,"                \
	" " DATE_NL(t ".updated_at") ", '/reports/' || " t ".id, '/go/' || " t ".id,"               \
	" '/reports/' || " t ".id || '/favourite', " t ".status = 'draft',"                          \
	" " t ".status = 'archived'"

/* Favourite or recent report v is still visible to the user. */
#define STILL_VISIBLE_V                                                                            \
	"(" SU " OR (v.status = 'published' AND EXISTS (SELECT 1 FROM role_set_reports a"           \
	"  WHERE a.set_id = " SET " AND a.report_id = v.id)))"

/*
 * The lists read what they show, not every visible report (schema
 * 0006_browse_listing.sql): without a search, the page's 25 ids come from
 * one index of role_set_reports in list order (the user's set) and the
 * counts from role_set_category_counts; superusers read reports and
 * report_category_counts
 * the same way. Each statement has the user's branch and the superuser's,
 * gated on the session, so one of the two runs. CTE pg holds the page's
 * ids with their sort_at and sort_key (PAGE_IDS, or the search's own).
 */

/*
 * CTE pg, the page's ids without a search: the user's branch reads
 * role_set_reports, the superuser's reports, each in list order (order_a,
 * order_r) after its filter (and_a, and_r), the first sort key (at_a, at_r)
 * as the list sorts on it.
 */
#define PAGE_IDS(at_a, and_a, order_a, at_r, and_r, order_r)                                       \
	", pg AS ("                                                                                \
	"  (SELECT a.report_id AS id, " at_a " AS sort_at, a.sort_title AS sort_key"                \
	"   FROM role_set_reports a WHERE NOT " SU " AND a.set_id = " SET " AND a.published" and_a  \
	"   ORDER BY " order_a " LIMIT 25 OFFSET $3::int)"                                          \
	"  UNION ALL"                                                                              \
	"  (SELECT r.id, " at_r ", lower(r.title) FROM reports r WHERE " SU and_r                   \
	"   ORDER BY " order_r " LIMIT 25 OFFSET $3::int))"

/* The side panel without a search: every category of the visible set. */
#define CATS_VISIBLE                                                                               \
	", cats AS ("                                                                              \
	"  SELECT c.category, c.n::bigint AS n FROM role_set_category_counts c"                    \
	"  WHERE NOT " SU " AND c.set_id = " SET                                                   \
	"  UNION ALL"                                                                              \
	"  SELECT c.category, c.n::bigint FROM report_category_counts c WHERE " SU ")"

/* The number of reports the user may see, search or not. */
#define N_VISIBLE                                                                                  \
	"CASE WHEN cur.is_superuser THEN (SELECT coalesce(sum(n), 0) FROM report_category_counts)" \
	" ELSE (SELECT coalesce(sum(n), 0) FROM role_set_category_counts c WHERE c.set_id = " SET ")" \
	" END"

/*
 * The "me" row every list result starts with: the session, the list's
 * total and the user's number of visible reports; "updated" is NULL in the
 * lists, the start of "new for you" on the home page. LIST_ROWS: the "me"
 * row, the page's reports (kind "page", from CTE pg) and the side panel
 * (kind "cat", from CTE cats, by name). The 25 reports are looked up by
 * primary key: OFFSET 0 keeps that a nested loop. The copied status decided order and counts; the
 * shown rows check the report itself as well.
 */
#define ME_ROW(total, n_visible, updated)                                                          \
	" SELECT 0 AS ord, 'me' AS kind, cur.sid, cur.uid, cur.username, cur.display_name,"        \
	"  cur.email, cur.is_superuser, cur.must_change_password, cur.csrf, cur.touch_due,"        \
	"  cur.replay_lsn, " total " AS total,"                                                    \
	"  " n_visible " AS n_visible,"                                                            \
	"  NULL::bigint AS id, NULL::text AS title, NULL::text AS description,"                    \
	"  NULL::text AS category, NULL::text AS status, " updated " AS updated,"                  \
	"  NULL::text AS href, NULL::text AS go_href, NULL::text AS fav_action,"                   \
	"  NULL::boolean AS is_draft, NULL::boolean AS is_archived,"                               \
	"  NULL::bigint AS n, NULL::boolean AS is_fav,"                                            \
	"  NULL::timestamptz AS sort_at, NULL::text AS sort_key"                                   \
	" FROM cur"
#define LIST_ROWS(total, n_visible)                                                                \
	ME_ROW(total, n_visible, "NULL::text")                                                     \
	" UNION ALL"                                                                               \
	" SELECT 1, 'page', " NO_SESSION REPORT_COLS("r") ", NULL,"                                \
	"  EXISTS (SELECT 1 FROM favourites f WHERE f.user_id = " UID " AND f.report_id = r.id),"  \
	"  p.sort_at, p.sort_key"                                                                  \
	" FROM pg p, LATERAL (SELECT * FROM reports r WHERE r.id = p.id OFFSET 0) r"               \
	" WHERE " SU " OR r.status = 'published'"                                                  \
	" UNION ALL"                                                                               \
	" SELECT 2, 'cat', " NO_SESSION "NULL, NULL, NULL, c.category, NULL, NULL, NULL, NULL,"    \
	"  NULL, NULL, NULL, c.n, NULL, NULL, lower(c.category)"                                   \
	" FROM cats c"

/* The home page's favourites (kind "fav", by title) and the five reports
 * viewed last (kind "recent"). */
#define HOME_ROWS                                                                                  \
	" UNION ALL"                                                                               \
	" SELECT 3, 'fav', " NO_SESSION REPORT_COLS("v") ", NULL, true, NULL, lower(v.title)"      \
	" FROM favourites f JOIN reports v ON v.id = f.report_id"                                  \
	" WHERE f.user_id = " UID " AND " STILL_VISIBLE_V                                          \
	" UNION ALL"                                                                               \
	" SELECT 4, 'recent', " NO_SESSION REPORT_COLS("v") ", NULL, NULL, rv.last, NULL"          \
	" FROM (SELECT report_id, max(viewed_at) AS last FROM ("                                   \
	"   SELECT report_id, viewed_at FROM report_views WHERE user_id = " UID                    \
	"   ORDER BY viewed_at DESC LIMIT 100) x"                                                   \
	"  GROUP BY report_id ORDER BY last DESC LIMIT 5) rv"                                      \
	" JOIN reports v ON v.id = rv.report_id"                                                   \
	" WHERE " STILL_VISIBLE_V

/* Categories that differ only in case are told apart by the last key. */
#define LIST_END " ORDER BY ord, sort_at DESC NULLS LAST, sort_key, id, category"

#define SUM_CATS "(SELECT coalesce(sum(n), 0) FROM cats)"

/* Every visible report by title. */
static const char sql_reports_title[] =
	SESSION_READ_CTE CATS_VISIBLE
	PAGE_IDS("NULL::timestamptz", "", "a.sort_title, a.report_id",
	         "NULL", "", "lower(r.title), r.id")
	LIST_ROWS(SUM_CATS, SUM_CATS) LIST_END;

/* Every visible report, last updated first. */
static const char sql_reports_updated[] =
	SESSION_READ_CTE CATS_VISIBLE
	PAGE_IDS("a.updated_at", "", "a.updated_at DESC, a.sort_title, a.report_id",
	         "r.updated_at", "", "r.updated_at DESC, lower(r.title), r.id")
	LIST_ROWS(SUM_CATS, SUM_CATS) LIST_END;

/* One category ($4), in either order ($5). */
static const char sql_reports_category[] =
	SESSION_READ_CTE CATS_VISIBLE
	PAGE_IDS(SORT_AT("a.updated_at"), " AND a.category = $4::text",
	         LIST_ORDER("a.updated_at", "a.sort_title", "a.report_id"),
	         SORT_AT("r.updated_at"), " AND r.category = $4::text",
	         LIST_ORDER("r.updated_at", "lower(r.title)", "r.id"))
	LIST_ROWS("(SELECT coalesce(sum(n), 0) FROM cats WHERE category = $4::text)", SUM_CATS)
	LIST_END;

/*
 * A search ($6), in one category ($4, "" for all) or not, in either order
 * ($5). The one list that visits every visible report: it goes from the
 * user's rows to reports (OFFSET 0 keeps that order), since matching the
 * search text costs more per report than the lookup, and a common word
 * matches far more reports than the user may see. The side panel counts
 * the matches.
 */
static const char sql_reports_search[] =
	SESSION_READ_CTE
	", hit AS ("
	"  SELECT r.id, r.title, r.category, r.updated_at FROM role_set_reports a,"
	"   LATERAL (SELECT * FROM reports r WHERE r.id = a.report_id OFFSET 0) r"
	"  WHERE NOT " SU " AND a.set_id = " SET " AND a.published"
	"   AND r.status = 'published' AND " MATCHES_R
	"  UNION ALL"
	"  SELECT r.id, r.title, r.category, r.updated_at FROM reports r"
	"  WHERE " SU " AND " MATCHES_R ")"
	", cats AS (SELECT h.category, count(*) AS n FROM hit h GROUP BY h.category)"
	", pg AS ("
	"  SELECT h.id, " SORT_AT("h.updated_at") " AS sort_at, lower(h.title) AS sort_key"
	"  FROM hit h WHERE $4::text = '' OR h.category = $4::text"
	"  ORDER BY " LIST_ORDER("h.updated_at", "lower(h.title)", "h.id")
	"  LIMIT 25 OFFSET $3::int)"
	LIST_ROWS("(SELECT coalesce(sum(n), 0) FROM cats WHERE $4::text = '' OR category = $4::text)",
	          N_VISIBLE)
	LIST_END;

/*
 * The home page (schema 0026_home.sql): the "me" row with the number of
 * reports new for the user (total) and the start of "new for you"
 * (updated, NULL on a first visit), the favourites, the five reports viewed
 * last, and the five that became visible last (kind "new", by that moment).
 *
 * SINCE is the session's start of "new for you". "mine" are the user's
 * memberships that count now with the moment each opened; a report is new
 * when its earliest open path opened after SINCE: a path opens at the
 * latest of its membership's start, the role's activation, the role's
 * grant of the report and the report's publication. "paths" is every report
 * of the user's roles with its earliest path (the few hundred rows of one
 * index range per role, no report read); only those whose path opened or
 * that were published (an index range) after SINCE are read, and shown
 * only while visible (STILL_VISIBLE_V, the rule of every list). For
 * superusers, who see every report, new is published after SINCE.
 *
 * CTE since reads the session's row once (NULL on a first visit, and
 * without a session); SINCE is that moment, '-infinity' for NULL.
 */
#define SINCE "(SELECT coalesce(at, '-infinity') FROM since)"
#define SINCE_NL                                                                                   \
	"(SELECT to_char(at AT TIME ZONE 'Europe/Amsterdam', 'DD-MM-YYYY HH24:MI') FROM since)"

static const char sql_home_page[] =
	SESSION_READ_CTE
	", since AS (SELECT max(s.since) AS at FROM sessions s WHERE s.id = (SELECT sid FROM cur))"
	", mine AS ("
	"  SELECT ur.role_id,"
	"   greatest(coalesce(ur.valid_from, ur.granted_at), ro.active_since) AS opened"
	"  FROM user_roles_current ur JOIN roles ro ON ro.id = ur.role_id AND ro.is_active"
	"  WHERE ur.user_id = " UID " AND NOT " SU ")"
	", paths AS ("
	"  SELECT rr.report_id AS id, min(greatest(m.opened, rr.granted_at)) AS opened"
	"  FROM mine m JOIN role_reports rr ON rr.role_id = m.role_id GROUP BY rr.report_id)"
	", new AS ("
	"  SELECT v.id, greatest(p.opened, v.published_at) AS at"
	"  FROM paths p JOIN reports v ON v.id = p.id"
	"  WHERE (p.opened > " SINCE " OR p.id IN (SELECT r.id FROM reports r"
	"    WHERE r.status = 'published' AND r.published_at > " SINCE "))"
	"   AND v.status = 'published' AND " STILL_VISIBLE_V
	"  UNION ALL"
	"  SELECT v.id, v.published_at FROM reports v"
	"  WHERE " SU " AND v.status = 'published' AND v.published_at > " SINCE ")"
	ME_ROW("(SELECT count(*) FROM new)", N_VISIBLE, SINCE_NL)
	HOME_ROWS
	" UNION ALL"
	" SELECT 5, 'new', " NO_SESSION REPORT_COLS("v") ", NULL,"
	"  EXISTS (SELECT 1 FROM favourites f WHERE f.user_id = " UID " AND f.report_id = v.id),"
	"  n.at, lower(v.title)"
	" FROM (SELECT id, at FROM new ORDER BY at DESC, id LIMIT 5) n JOIN reports v ON v.id = n.id"
	LIST_END;

/* The report page: $3 report id; the session's row with the report, when
 * visible, and the roles it comes through. */
static const char sql_report_page[] =
	SESSION_READ_CTE ONE_VISIBLE_CTE
	"SELECT cur.*, one.id, one.title, one.description, one.category, one.status::text,"
	" " DATE_NL("one.updated_at") " AS updated, '/go/' || one.id AS go_href,"
	" '/reports/' || one.id || '/favourite' AS fav_action,"
	" one.status = 'draft' AS is_draft, one.status = 'archived' AS is_archived,"
	" (SELECT string_agg(ro.name::text, ', ' ORDER BY ro.name) FROM user_roles_current ur"
	"  JOIN roles ro ON ro.id = ur.role_id AND ro.is_active"
	"  JOIN role_reports rr ON rr.role_id = ur.role_id AND rr.report_id = one.id"
	"  WHERE ur.user_id = cur.uid) AS via_roles,"
	" EXISTS (SELECT 1 FROM favourites f WHERE f.user_id = cur.uid"
	"  AND f.report_id = one.id) AS is_fav,"
	/* whom to ask (schema 0024): an active owner, and the contact */
	" ou.display_name AS owner_name, 'mailto:' || ou.email::text AS owner_mailto, o.contact,"
	/* its link failed twice in a row (schema 0023): shown to its owner and
	 * to superusers only */
	" (o.user_id = cur.uid OR cur.is_superuser) AND EXISTS (SELECT 1 FROM link_checks lc"
	"  WHERE lc.report_id = one.id AND " LINKS_BROKEN_SQL("lc", "one") ") AS link_broken"
	" FROM cur LEFT JOIN one ON true LEFT JOIN report_owners o ON o.report_id = one.id"
	" LEFT JOIN users ou ON ou.id = o.user_id AND ou.is_active";

/* Opening a report: $3 report id; the session's row with the report's url
 * when visible. The view is recorded only when the report is visible (the
 * INSERT reads "one", which is empty otherwise). */
static const char sql_report_go[] =
	SESSION_CTE ONE_VISIBLE_CTE
	", seen AS (INSERT INTO report_views (user_id, report_id)"
	"  SELECT cur.uid, one.id FROM cur, one)"
	" SELECT cur.*, one.url FROM cur LEFT JOIN one ON true";

/* Adds ($3 "add") or removes ($3 "remove") report $2 as a favourite of
 * user $1; the report's id when the user may see it (no row otherwise). */
static const char sql_favourite_set[] =
	"WITH one AS (SELECT r.id FROM reports r JOIN users u ON u.id = $1::bigint"
	"  WHERE r.id = $2::bigint AND (u.is_superuser OR (r.status = 'published' AND EXISTS ("
	"   SELECT 1 FROM report_access a WHERE a.user_id = u.id AND a.report_id = r.id)))),"
	" ins AS (INSERT INTO favourites (user_id, report_id) SELECT $1::bigint, id FROM one"
	"  WHERE $3::text = 'add' ON CONFLICT DO NOTHING),"
	" del AS (DELETE FROM favourites WHERE user_id = $1::bigint AND report_id = $2::bigint"
	"  AND $3::text = 'remove' AND EXISTS (SELECT 1 FROM one))"
	" SELECT id FROM one";

/* clang-format on */

const struct db_stmt catalog_stmts[] = {
	{ "reports_title", sql_reports_title, 3 },
	{ "reports_updated", sql_reports_updated, 3 },
	{ "reports_category", sql_reports_category, 5 },
	{ "reports_search", sql_reports_search, 6 },
	{ "home_page", sql_home_page, 2 },
	{ "report_page", sql_report_page, 3 },
	{ "report_go", sql_report_go, 3 },
	{ "favourite_set", sql_favourite_set, 3 },
	{ NULL, NULL, 0 },
};

const char *catalog_list_stmt(const char *q, const char *category, const char *sort, int *nparams)
{
	if (q[0] != '\0') {
		*nparams = 4;
		return "reports_search";
	}
	if (category[0] != '\0') {
		*nparams = 3;
		return "reports_category";
	}
	*nparams = 1;
	return strcmp(sort, "updated") == 0 ? "reports_updated" : "reports_title";
}

void catalog_split(const PGresult *res, struct catalog_ranges *out)
{
	db_kind_range(res, "kind", "page", &out->page_first, &out->page_n);
	db_kind_range(res, "kind", "cat", &out->cat_first, &out->cat_n);
	db_kind_range(res, "kind", "fav", &out->fav_first, &out->fav_n);
	db_kind_range(res, "kind", "recent", &out->recent_first, &out->recent_n);
	db_kind_range(res, "kind", "new", &out->new_first, &out->new_n);
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
