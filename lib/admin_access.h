/*
 * admin_access: who can see what, in both directions, the access matrix as
 * CSV for periodic access reviews, and the usage of each report; plus the
 * cursor-based CSV export that the audit log export shares.
 */
#ifndef ADMIN_ACCESS_H
#define ADMIN_ACCESS_H

#include "buf.h"
#include "db.h"
#include "field.h"

struct ctx;

/* Statements, terminated by { NULL }:
 *  admin_access_find    $3 user search, $4 report search ("" for none):
 *                       rows k=1 users, k=2 reports, at most 51 of each
 *  admin_access_user    $3 user id, $4 offset: the user (u_* columns, NULL
 *                       u_id when none), total; rows k=1 the user's roles,
 *                       k=2 one page of the reports visible through them
 *  admin_access_report  $3 report id, $4 offset: the report (r_*), total,
 *                       n_superusers; rows k=1 granting roles, k=2 one page
 *                       of the users who see it through them
 *  admin_report_usage   $3 "all" or "never", $4 sort ("views30", "views90",
 *                       "last", "title"), $5 offset
 *  admin_csv_check      the session and today's date (Europe/Amsterdam),
 *                       for the file name of a CSV export
 */
extern const struct db_stmt admin_access_stmts[];

/*
 * The access matrix: one line per grant path user -> role -> report, for
 * EVERY grant in user_roles x role_reports, whatever the state of user,
 * role and report, with those states as columns. An access review has to
 * see dormant grants too: reactivating a role or a user, or publishing a
 * draft, brings them back without anyone granting anything. "effective" is
 * true when the path gives access now (active user, active role, published
 * report). granted_since is the later of the two grants (Europe/Amsterdam).
 * Superusers see every report whatever their grants; the matrix lists
 * grants only. Ordered by user id, role id, report id, which the primary
 * keys deliver without a sort, so the cursor streams from the first row.
 * The header names are fixed identifiers, not translated: scripts read them.
 */
extern const char admin_access_export_sql[];
extern const char *const admin_access_export_header[]; /* NULL-terminated */

/* Rows fetched per round trip by admin_csv_export. */
#define ADMIN_CSV_CHUNK 5000

/*
 * Runs select (with nparams text params, $1...) in a read-only transaction
 * on conn through a cursor, ADMIN_CSV_CHUNK rows at a time, and appends the
 * header line and each row as a CSV line (every column a cell, in order;
 * SQL NULL as an empty unquoted cell) to out. After each chunk, when flush
 * is not NULL, calls flush(arg, out), which may write out somewhere and
 * empty it (portalctl: to stdout); a non-zero return stops the export.
 * Returns 0, or -1 with *st saying why (the transaction is rolled back and
 * the failure logged; out then holds a partial file). conn must not be in a
 * transaction.
 */
int admin_csv_export(PGconn *conn, const char *select, int nparams, const char *const *params,
                     const char *const *header, struct buf *out,
                     int (*flush)(void *arg, struct buf *out), void *arg, enum db_status *st);

/*
 * Answers a CSV download of select: text/csv, UTF-8 with a byte order mark
 * (so that Excel reads it as UTF-8), attachment named filename. The session
 * must have been checked. The body is streamed after the headers, one chunk
 * of ADMIN_CSV_CHUNK rows at a time (a full matrix is hundreds of MB); should
 * the database fail half-way, the file ends with an "EXPORT INCOMPLETE" line.
 */
void admin_csv_response(struct ctx *c, const char *filename, const char *select, int nparams,
                        const char *const *params, const char *const *header);

/* The declared fields (field.h): the searches user and report (trimmed, at
 * most 200 characters); page of the {id} pages; the usage page's sort
 * (views30, views90, last, title), never ("1") and page. */
extern const struct field admin_access_fields[], admin_access_page_fields[], admin_usage_fields[];

/* Handlers: GET /admin/access (?user=, ?report=), /admin/access/users/{id},
 * /admin/access/reports/{id} (?page=), /admin/access.csv, /admin/usage
 * (?never=1, ?sort=, ?page=). */
void admin_get_access(struct ctx *c);
void admin_get_access_user(struct ctx *c);
void admin_get_access_report(struct ctx *c);
void admin_get_access_csv(struct ctx *c);
void admin_get_usage(struct ctx *c);

#endif
