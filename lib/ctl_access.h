/*
 * ctl_access: portalctl's access commands: what a user sees (and through
 * which roles), who sees a report, and the whole access matrix as CSV.
 *
 * The command functions validate their values first, then connect (a bad
 * value never waits for the database), then print to out (results) and err
 * (messages "portalctl: ..." naming the offending value). They return the
 * exit status: 0 done (also "already so, nothing changed"), 1 failed.
 */
#ifndef CTL_ACCESS_H
#define CTL_ACCESS_H

#include <stdio.h>

#include "db.h"

/* The statements of this module, terminated by { NULL }. */
extern const struct db_stmt ctl_access_stmts[];

int ctl_access_user(struct db *db, const char *username, FILE *out, FILE *err);
int ctl_access_report(struct db *db, const char *id, FILE *out, FILE *err);
/* The access matrix as CSV (lib/csv.h), streamed through a cursor. */
int ctl_access_export(struct db *db, FILE *out, FILE *err);
extern const char ctl_access_export_sql[];
extern const char *const ctl_access_export_header[]; /* NULL-terminated */

#endif
