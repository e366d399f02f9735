/*
 * ctl_reviews: portalctl's review commands (review start, list, show,
 * decide, close, close-due) over lib/reviews.h, the same operations as the
 * admin pool's reviews pages; actor the console (audit_console). The
 * command functions check their values first, then connect, print results
 * to out and messages "portalctl: ..." to err, and return the exit status
 * (0 done, also "already so"; 1 failed).
 */
#ifndef CTL_REVIEWS_H
#define CTL_REVIEWS_H

#include <stdio.h>

#include "db.h"

/* The statements of this module, terminated by { NULL }. The handle must
 * also hold reviews_stmts, grants_stmts and ctl_role_stmts. */
extern const struct db_stmt ctl_review_stmts[];

/* start: role (a name) or all (role NULL), due (grants_time_check's
 * forms), unreviewed "keep" or "remove". */
int ctl_review_start(struct db *db, const char *role, int all, const char *due,
                     const char *unreviewed, FILE *out, FILE *err);
int ctl_review_list(struct db *db, FILE *out, FILE *err);
/* show: the items as a table, or (csv 1) the auditor's CSV. */
int ctl_review_show(struct db *db, const char *id, int csv, FILE *out, FILE *err);
int ctl_review_decide(struct db *db, const char *id, const char *role, const char *user,
                      const char *decision, const char *note, FILE *out, FILE *err);
int ctl_review_close(struct db *db, const char *id, FILE *out, FILE *err);
int ctl_review_close_due(struct db *db, FILE *out, FILE *err);

#endif
