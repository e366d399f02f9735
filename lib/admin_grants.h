/*
 * admin_grants: adding and removing grants (users <-> roles, roles <->
 * reports), shared by the admin pool's users and roles pages and by
 * portalctl. One side is usually a single id and the other a checkbox list:
 * every pair of the two arrays is granted or revoked, in one statement with
 * one audit_log row per pair that changed. report_access follows by trigger.
 */
#ifndef ADMIN_GRANTS_H
#define ADMIN_GRANTS_H

#include "db.h"

/*
 * Statements, terminated by { NULL }. Parameters of each: $1 actor id (NULL
 * for portalctl), $2 ip (or NULL), $3 via ("admin" or "portalctl"), $4 and
 * $5 id arrays as text ("{1,2,3}"). They return one row: missing_a and
 * missing_b (how many ids of $4 / $5 do not exist) and changed (pairs added
 * or removed; pairs already so are left alone).
 *   grant_user_roles    $4 user ids, $5 role ids
 *   revoke_user_roles   $4 user ids, $5 role ids
 *   grant_role_reports  $4 role ids, $5 report ids
 *   revoke_role_reports $4 role ids, $5 report ids
 */
extern const struct db_stmt admin_grants_stmts[];

struct grant_result {
	long missing_a;
	long missing_b;
	long changed;
};

/* Runs one of the statements above. Returns 0 with *out filled, or -1 with
 * *st saying why. */
int admin_grant(struct db *db, const char *stmt, const char *actor, const char *ip, const char *via,
                const char *ids_a, const char *ids_b, struct grant_result *out, enum db_status *st);

#endif
