/*
 * catalog: the employees' view of the reports, in SQL. Each page is ONE
 * prepared statement that begins with SESSION_CTE ($1 token, $2 idle), so the
 * session check, the authorisation and the page's data cost one round trip
 * whatever the number of roles. What a user may see is what the user's role
 * set may see (role_set_reports through user_role_sets, schema 0013, kept by
 * triggers on every grant change; report_access is the view of it per
 * user) joined with published reports;
 * superusers see every report in every status.
 */
#ifndef CATALOG_H
#define CATALOG_H

#include <libpq-fe.h>

#include "db.h"

#define CATALOG_PAGE_SIZE 25

/* The statements of this module, terminated by { NULL }:
 *  reports_title     the list page, one statement per way of listing; their
 *  reports_updated   parameters after SESSION_CTE's are a shared prefix of
 *  reports_category  $3 offset, $4 category, $5 sort ("title" or "updated"),
 *  reports_search    $6 search text (see catalog_list_stmt). Rows in order:
 *                    one "me" row (the session, total, the user's number of
 *                    visible reports), then kinds "page" and "cat"
 *  home_page         the home page: the "me" row (total: the number of
 *                    reports new for the user; updated: since when, NULL on
 *                    a first visit), then kinds "fav" (every favourite, by
 *                    title), "recent" (the five viewed last) and "new" (the
 *                    five that became visible last)
 *  report_page       $3 report id: the session row with the report's
 *                    columns, NULL when the report is not visible
 *  report_go         $3 report id: records the view and returns its url,
 *                    NULL when not visible
 *  favourite_set     $1 user id, $2 report id, $3 "add" or "remove":
 *                    returns one row when the report is visible to the user
 */
extern const struct db_stmt catalog_stmts[];

/*
 * The list statement for a search q ("" for none), a category ("" for all)
 * and a sort ("title" or "updated"), and in *nparams how many of its
 * parameters follow SESSION_CTE's: pass the first *nparams of
 * { offset, category, sort, q }.
 */
const char *catalog_list_stmt(const char *q, const char *category, const char *sort, int *nparams);

/* Where each kind's rows start and how many there are in a list
 * result (rows of one kind are contiguous). */
struct catalog_ranges {
	int page_first, page_n;
	int cat_first, cat_n;
	int fav_first, fav_n;
	int recent_first, recent_n;
	int new_first, new_n;
};
void catalog_split(const PGresult *res, struct catalog_ranges *out);

/* Returns 1 when url is an absolute http or https URL with no whitespace or
 * control characters: the only kind /go/{id} redirects to. */
int catalog_url_ok(const char *url);

#endif
