/*
 * grants: grant and revoke statements (see grants.h).
 */
#include "grants.h"

#include <stdlib.h>

/*
 * The SQL below is laid out by hand, one clause a line. Every statement
 * takes $1 to $3 the actor (audit.h), $4 and $5 the ids of the two sides
 * (bigint[] as text), grants or revokes every pair of them with one audit
 * row each, and returns how many ids of each side do not exist and how
 * many pairs changed (see grants.h).
 */
/* clang-format off */
/* Which ids of the two arrays exist, typed once for all four statements. */
#define EXISTING(ta, tb)                                                                         \
	"WITH a AS (SELECT id FROM " ta " WHERE id = ANY ($4::bigint[])),"                        \
	" b AS (SELECT id FROM " tb " WHERE id = ANY ($5::bigint[])),"
#define MISSING                                                                                  \
	" SELECT cardinality(ARRAY(SELECT DISTINCT unnest($4::bigint[]))) - (SELECT count(*) FROM a)" \
	"  AS missing_a,"                                                                        \
	" cardinality(ARRAY(SELECT DISTINCT unnest($5::bigint[]))) - (SELECT count(*) FROM b)"    \
	"  AS missing_b, (SELECT count(*) FROM ch) AS changed,"                                  \
	" (SELECT count(*) FROM audit) AS audited"
#define AUDIT(action, target, col, other)                                                         \
	" audit AS (SELECT audit_write($1::bigint, $2::text, $3::inet, '" action "', '" target "',"  \
	"   ch." col ", jsonb_build_object('" other "', ch." other ")) FROM ch)"

static const char sql_grant_user_roles[] =
	EXISTING("users", "roles")
	" ch AS (INSERT INTO user_roles (user_id, role_id, granted_by)"
	"  SELECT a.id, b.id, $1::bigint FROM a, b ON CONFLICT DO NOTHING"
	"  RETURNING user_id, role_id),"
	AUDIT("role.member_added", "role", "role_id", "user_id") MISSING;

static const char sql_revoke_user_roles[] =
	EXISTING("users", "roles")
	" ch AS (DELETE FROM user_roles WHERE user_id IN (SELECT id FROM a)"
	"  AND role_id IN (SELECT id FROM b) RETURNING user_id, role_id),"
	AUDIT("role.member_removed", "role", "role_id", "user_id") MISSING;

static const char sql_grant_role_reports[] =
	EXISTING("roles", "reports")
	" ch AS (INSERT INTO role_reports (role_id, report_id, granted_by)"
	"  SELECT a.id, b.id, $1::bigint FROM a, b ON CONFLICT DO NOTHING"
	"  RETURNING role_id, report_id),"
	AUDIT("role.report_added", "role", "role_id", "report_id") MISSING;

static const char sql_revoke_role_reports[] =
	EXISTING("roles", "reports")
	" ch AS (DELETE FROM role_reports WHERE role_id IN (SELECT id FROM a)"
	"  AND report_id IN (SELECT id FROM b) RETURNING role_id, report_id),"
	AUDIT("role.report_removed", "role", "role_id", "report_id") MISSING;

const struct db_stmt grants_stmts[] = {
	{ "grant_user_roles", sql_grant_user_roles, 5 },
	{ "revoke_user_roles", sql_revoke_user_roles, 5 },
	{ "grant_role_reports", sql_grant_role_reports, 5 },
	{ "revoke_role_reports", sql_revoke_role_reports, 5 },
	{ NULL, NULL, 0 },
};
/* clang-format on */

int grants_change(struct db *db, const char *stmt, const struct audit_actor *a, const char *ids_a,
                  const char *ids_b, struct grants_outcome *out, enum db_status *st)
{
	const char *p[AUDIT_NPARAMS + 2];
	PGresult *res;

	audit_params(a, p);
	p[3] = ids_a;
	p[4] = ids_b;
	res = db_exec(db, stmt, 5, p, st);
	if (res == NULL)
		return -1;
	out->missing_a = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	out->missing_b = strtol(PQgetvalue(res, 0, 1), NULL, 10);
	out->changed = strtol(PQgetvalue(res, 0, 2), NULL, 10);
	PQclear(res);
	return 0;
}
