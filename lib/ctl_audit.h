/*
 * ctl_audit: portalctl's audit commands.
 *
 * The command functions validate their values first, then connect (a bad
 * value never waits for the database), then print to out (results) and err
 * (messages "portalctl: ..." naming the offending value). They return the
 * exit status: 0 done (also "already so, nothing changed"), 1 failed.
 */
#ifndef CTL_AUDIT_H
#define CTL_AUDIT_H

#include <stdio.h>

#include "db.h"

/* The statements of this module, terminated by { NULL }. */
extern const struct db_stmt ctl_audit_stmts[];

/* n: NULL for 20, else 1 to 10000. */
int ctl_audit_tail(struct db *db, const char *n, FILE *out, FILE *err);

#endif
