/*
 * grants: the one home of granting and revoking users <-> roles and
 * roles <-> reports, for every front end (the admin pool's users and roles
 * pages, `portalctl role grant-*`, the CSV import). One side is usually a
 * single id and the other a checkbox list: every pair of the two arrays is
 * granted or revoked in one statement, with one audit row per pair that
 * changed (audit_write, with the actor). A membership may start and end
 * (schema/0017_membership_dates.sql). A pair already so is no change;
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
 *   grant_user_roles    $4 user ids, $5 role ids, $6 valid from, $7 valid
 *                       until (timestamptz text or NULL: open); a pair that
 *                       is a membership with other dates gets these dates
 *                       (audited as role.member_dates_changed, with the
 *                       dates before)
 *   revoke_user_roles   $4 user ids, $5 role ids
 *   grant_role_reports  $4 role ids, $5 report ids
 *   revoke_role_reports $4 role ids, $5 report ids
 */
extern const struct db_stmt grants_stmts[];

struct grants_outcome {
	long missing_a;
	long missing_b;
	long changed;
	long redated; /* of those, memberships that got other dates (grant_user_roles) */
};

/* Runs one of the statements above as actor a (grant_user_roles without
 * dates: memberships that do not end). Returns 0 with *out filled, or -1
 * with *st saying why. */
int grants_change(struct db *db, const char *stmt, const struct audit_actor *a, const char *ids_a,
                  const char *ids_b, struct grants_outcome *out, enum db_status *st);

/* grant_user_roles with dates: the memberships count from `from` until
 * `until` (either NULL: open; text PostgreSQL reads as timestamptz, such
 * as ISO 8601), schema/0017_membership_dates.sql. Granting again changes
 * the dates. A start not before the end is refused by the database
 * (DB_CONSTRAINT, constraint user_roles_valid_check). */
int grants_members(struct db *db, const struct audit_actor *a, const char *user_ids,
                   const char *role_ids, const char *from, const char *until,
                   struct grants_outcome *out, enum db_status *st);

/*
 * 0 when s is an instant as grants_members takes it: "2027-03-31",
 * "2027-03-31T17:00" (or a blank for the T; seconds optional), with an
 * offset or without ("Z", "+01:00", "+0100", "+01"; without: Dutch local
 * time, schema 0017's portal_local_time). -1 otherwise, NULL included.
 * The form only: a day that the month lacks is the database's to refuse.
 */
int grants_time_check(const char *s);

#endif
