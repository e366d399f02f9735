/*
 * admin_audit: the audit log viewer of the admin pool: audit_log filtered
 * by actor, action, target and date range, newest first, paginated, and the
 * same selection as CSV. audit_log is append-only for both application
 * roles (schema/0003_grants.sql): nothing here or anywhere else in the
 * pools can change it.
 */
#ifndef ADMIN_AUDIT_H
#define ADMIN_AUDIT_H

#include "db.h"
#include "field.h"

struct ctx;

/* Statements, terminated by { NULL }:
 *  admin_audit_list  $3 actor username, $4 action, $5 target type, $6 target
 *                    id ("" for any of these), $7 the days as a daterange
 *                    ("[2026-01-01,2026-01-31]", both days included,
 *                    Europe/Amsterdam; an empty end is open), $8 offset.
 *                    Rows k=1: the distinct actions; k=2: at most 51
 *                    entries (the 51st says there is a next page).
 */
extern const struct db_stmt admin_audit_stmts[];

/* The export's SELECT: the same filters as $1..$5, every matching entry,
 * newest first; and its header (fixed identifiers, NULL-terminated). */
extern const char admin_audit_export_sql[];
extern const char *const admin_audit_export_header[];

/* The filter form as read from the query string. */
struct audit_filter {
	const char *actor;
	const char *action;
	const char *target_type;
	const char *target_id;
	const char *from;
	const char *to;
};

/* Checks a filter; for the first problem of each field calls bad(ctx,
 * field, message_key). Returns the number of problems. Dates must be real
 * calendar dates written YYYY-MM-DD, the target id a positive number. */
int admin_audit_check(const struct audit_filter *f,
                      void (*bad)(void *ctx, const char *field, const char *key), void *ctx);

/* The declared fields (field.h): the filter (trimmed text: its values'
 * rules, dates among them, are admin_audit_check's, shown at the fields),
 * and for the page also page. */
extern const struct field admin_audit_fields[], admin_audit_csv_fields[];

/* Handlers: GET /admin/audit (?actor=&action=&target_type=&target_id=
 * &from=&to=&page=) and GET /admin/audit.csv (the same filters). */
void admin_get_audit(struct ctx *c);
void admin_get_audit_csv(struct ctx *c);

#endif
