/*
 * grants: the one home of granting and revoking users <-> roles and
 * roles <-> reports, for every front end (the admin pool's users and roles
 * pages, `portalctl role grant-*`, the CSV import). One side is usually a
 * single id and the other a checkbox list: every pair of the two arrays is
 * granted or revoked in one statement, with one audit row per pair that
 * changed (audit_write, with the actor). A pair already so is no change;
 * ids that do not exist are counted, not granted. report_access follows by
 * trigger.
 */
#ifndef GRANTS_H
#define GRANTS_H

#include "audit.h"
#include "db.h"

/*
 * Statements, terminated by { NULL }. Parameters of each: $1 to $3 the
 * actor (audit.h), $4 and $5 id arrays as text ("{1,2,3}"). They return
 * one row: missing_a and missing_b (how many ids of $4 / $5 do not exist),
 * changed (pairs added or removed) and audited (their audit rows).
 *   grant_user_roles    $4 user ids, $5 role ids
 *   revoke_user_roles   $4 user ids, $5 role ids
 *   grant_role_reports  $4 role ids, $5 report ids
 *   revoke_role_reports $4 role ids, $5 report ids
 */
extern const struct db_stmt grants_stmts[];

struct grants_outcome {
	long missing_a;
	long missing_b;
	long changed;
};

/* Runs one of the statements above as actor a. Returns 0 with *out
 * filled, or -1 with *st saying why. */
int grants_change(struct db *db, const char *stmt, const struct audit_actor *a, const char *ids_a,
                  const char *ids_b, struct grants_outcome *out, enum db_status *st);

#endif
