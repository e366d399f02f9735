/*
 * ctl_audit: portalctl audit tail, verify and checkpoint: the latest
 * entries as a table, and the database side of the hash-chained audit log
 * (the links and their checks are audit_chain's). Both print to out (results) and err ("portalctl:
 * ...") and return the exit status: 0 done and intact, 1 failed or tampered with.
 */
#ifndef CTL_AUDIT_H
#define CTL_AUDIT_H

#include <stdio.h>

#include "db.h"

/* The statements of this module, terminated by { NULL }. */
extern const struct db_stmt ctl_audit_stmts[];

/* The size of a verify's FETCH, rows per round trip. */
enum { CTL_AUDIT_FETCH = 10000 };

/*
 * Walks the chain in seq order, from the genesis (from NULL) or from a
 * checkpoint "SEQ:HASH" (whose row must still have that hash), in one
 * read-only snapshot, and prints "audit verify: N rows, chain intact up to
 * seq S (hash H)" (0), or names the first row where it breaks (1). An
 * invalid checkpoint is exit status 2, before connecting.
 */
int ctl_audit_verify(struct db *db, const char *from, FILE *out, FILE *err);

/* n: NULL for 20, else 1 to 10000. */
int ctl_audit_tail(struct db *db, const char *n, FILE *out, FILE *err);

/* Writes an audit.checkpoint row (via portalctl) and prints its link
 * "SEQ:HASH" alone on a line, for `audit verify --from`; logs it. */
int ctl_audit_checkpoint(struct db *db, FILE *out, FILE *err);

#endif
