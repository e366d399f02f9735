/*
 * ctl_reports: portalctl's report commands (report add, list, set-status,
 * set-owner)
 * and the checks of a report's values, as the admin form makes them
 * (admin_report_check), in words for the console.
 *
 * The command functions validate their values first, then connect (a bad
 * value never waits for the database), then print to out (results) and err
 * (messages "portalctl: ..." naming the offending value). They return the
 * exit status: 0 done (also "already so, nothing changed"), 1 failed.
 */
#ifndef CTL_REPORTS_H
#define CTL_REPORTS_H

#include <stdio.h>

#include "admin_reports.h"
#include "buf.h"
#include "db.h"

/* The statements of this module, terminated by { NULL }. */
extern const struct db_stmt ctl_report_stmts[];

/* 1 when s is draft, published or archived. */
int ctl_status_ok(const char *s);

/* Checks a report as the admin form does (admin_report_check): appends one
 * line per problem to msgs, naming the value ("invalid URL \"ftp://x\": ...").
 * Returns the number of problems. */
int ctl_check_report(const struct report_form *f, struct buf *msgs);

/* Prints the new id alone on a line. f->category NULL: "Algemeen",
 * description NULL: "", status NULL: "draft"; owner (a user's name) NULL:
 * none yet. The report and its owner are added together or not at all. */
int ctl_report_add(struct db *db, const struct report_form *f, const char *owner, FILE *out,
                   FILE *err);
/* set-owner: user owns report id from now on, contact whom to ask besides
 * ("" none, NULL keeps it); reports_set_owner. */
int ctl_report_set_owner(struct db *db, const char *id, const char *user, const char *contact,
                         FILE *out, FILE *err);
int ctl_report_list(struct db *db, FILE *out, FILE *err);
/* dry 1 (--dry-run): prints the change's preview (lib/preview.h: who gains
 * and who loses the report) and changes nothing; the handle must then hold
 * preview_stmts too. */
int ctl_report_set_status(struct db *db, const char *id, const char *status, int dry, FILE *out,
                          FILE *err);

#endif
