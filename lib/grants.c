/*
 * grants: grant and revoke statements (see grants.h).
 */
#include "grants.h"

#include <stdlib.h>
#include <string.h>

static int run(struct db *db, const char *stmt, int n, const struct audit_actor *a,
               const char *ids_a, const char *ids_b, const char *from, const char *until,
               struct grants_outcome *out, enum db_status *st);

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
/* The same, for a role's members: only the roles the actor may keep
 * (schema 0018, role_may_keep: the console, a superuser, or the role's
 * owner) count as existing; the others are "missing", so a front end
 * answers as for a role that does not exist. */
#define EXISTING_KEPT(ta)                                                                         \
	"WITH a AS (SELECT id FROM " ta " WHERE id = ANY ($4::bigint[])),"                        \
	" b AS (SELECT id FROM roles WHERE id = ANY ($5::bigint[])"                                \
	"  AND role_may_keep($1::bigint, id)),"
#define MISSING                                                                                  \
	" SELECT cardinality(ARRAY(SELECT DISTINCT unnest($4::bigint[]))) - (SELECT count(*) FROM a)" \
	"  AS missing_a,"                                                                        \
	" cardinality(ARRAY(SELECT DISTINCT unnest($5::bigint[]))) - (SELECT count(*) FROM b)"    \
	"  AS missing_b, (SELECT count(*) FROM ch) AS changed,"                                  \
	" (SELECT count(*) FROM audit) AS audited"
#define AUDIT(action, target, col, other)                                                         \
	" audit AS (SELECT audit_write($1::bigint, $2::text, $3::inet, '" action "', '" target "',"  \
	"   ch." col ", jsonb_build_object('" other "', ch." other ")) FROM ch)"

/*
 * A membership with its dates ($6 from, $7 until; NULL open): new pairs are
 * added, pairs with other dates get these (an end extended, shortened or
 * taken away), with the dates before and after in the audit row.
 */
#define DATES_JSON(f, u)                                                                           \
	"jsonb_strip_nulls(jsonb_build_object('valid_from', " f ", 'valid_until', " u "))"
static const char sql_grant_user_roles[] =
	EXISTING_KEPT("users")
	" old AS (SELECT ur.user_id, ur.role_id, ur.valid_from, ur.valid_until FROM user_roles ur"
	"  WHERE ur.user_id IN (SELECT id FROM a) AND ur.role_id IN (SELECT id FROM b)),"
	" ch AS (INSERT INTO user_roles AS ur (user_id, role_id, granted_by, valid_from, valid_until)"
	"  SELECT a.id, b.id, $1::bigint, portal_local_time($6::text), portal_local_time($7::text)"
	"  FROM a, b"
	"  ON CONFLICT (user_id, role_id) DO UPDATE"
	"  SET valid_from = excluded.valid_from, valid_until = excluded.valid_until"
	"  WHERE (ur.valid_from, ur.valid_until)"
	"   IS DISTINCT FROM (excluded.valid_from, excluded.valid_until)"
	"  RETURNING ur.user_id, ur.role_id, ur.valid_from, ur.valid_until),"
	" audit AS (SELECT audit_write($1::bigint, $2::text, $3::inet,"
	"   CASE WHEN old.user_id IS NULL THEN 'role.member_added' ELSE 'role.member_dates_changed' END,"
	"   'role', ch.role_id, jsonb_build_object('user_id', ch.user_id)"
	"   || " DATES_JSON("ch.valid_from", "ch.valid_until")
	"   || CASE WHEN old.user_id IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('before', "
	DATES_JSON("old.valid_from", "old.valid_until") ") END)"
	"  FROM ch LEFT JOIN old ON old.user_id = ch.user_id AND old.role_id = ch.role_id)"
	MISSING ", (SELECT count(*) FROM ch JOIN old USING (user_id, role_id)) AS redated";

static const char sql_revoke_user_roles[] =
	EXISTING_KEPT("users")
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
	{ "grant_user_roles", sql_grant_user_roles, 7 },
	{ "revoke_user_roles", sql_revoke_user_roles, 5 },
	{ "grant_role_reports", sql_grant_role_reports, 5 },
	{ "revoke_role_reports", sql_revoke_role_reports, 5 },
	{ NULL, NULL, 0 },
};
/* clang-format on */

int grants_change(struct db *db, const char *stmt, const struct audit_actor *a, const char *ids_a,
                  const char *ids_b, struct grants_outcome *out, enum db_status *st)
{
	if (strcmp(stmt, "grant_user_roles") == 0)
		return grants_members(db, a, ids_a, ids_b, NULL, NULL, out, st);
	return run(db, stmt, 5, a, ids_a, ids_b, NULL, NULL, out, st);
}

int grants_members(struct db *db, const struct audit_actor *a, const char *user_ids,
                   const char *role_ids, const char *from, const char *until,
                   struct grants_outcome *out, enum db_status *st)
{
	return run(db, "grant_user_roles", 7, a, user_ids, role_ids, from, until, out, st);
}

static int run(struct db *db, const char *stmt, int n, const struct audit_actor *a,
               const char *ids_a, const char *ids_b, const char *from, const char *until,
               struct grants_outcome *out, enum db_status *st)
{
	const char *p[AUDIT_NPARAMS + 4];
	PGresult *res;

	audit_params(a, p);
	p[3] = ids_a;
	p[4] = ids_b;
	p[5] = from;
	p[6] = until;
	res = db_exec(db, stmt, n, p, st);
	if (res == NULL)
		return -1;
	out->missing_a = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	out->missing_b = strtol(PQgetvalue(res, 0, 1), NULL, 10);
	out->changed = strtol(PQgetvalue(res, 0, 2), NULL, 10);
	out->redated = PQnfields(res) > 4 ? strtol(PQgetvalue(res, 0, 4), NULL, 10) : 0;
	PQclear(res);
	return 0;
}

/* Digits: n of them at s. */
static int digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int grants_time_check(const char *s)
{
	if (s == NULL || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
	    !digits(s + 8, 2))
		return -1;
	int month = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
	if (month < 1 || month > 12 || day < 1 || day > 31)
		return -1;
	s += 10;
	if (*s == '\0')
		return 0;
	if (*s != 'T' && *s != ' ')
		return -1;
	if (!digits(s + 1, 2) || s[3] != ':' || !digits(s + 4, 2))
		return -1;
	if ((s[1] - '0') * 10 + (s[2] - '0') > 23 || s[4] > '5')
		return -1;
	s += 6;
	if (*s == ':') {
		if (!digits(s + 1, 2) || s[1] > '5')
			return -1;
		s += 3;
	}
	if (*s == '\0' || (s[0] == 'Z' && s[1] == '\0'))
		return 0;
	if (*s != '+' && *s != '-')
		return -1;
	if (!digits(s + 1, 2))
		return -1;
	s += 3;
	if (*s == ':')
		s++;
	if (*s == '\0')
		return 0;
	return digits(s, 2) && s[2] == '\0' ? 0 : -1;
}
