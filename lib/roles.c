/*
 * roles: the operations on roles (see roles.h): one statement each, with
 * its rules and its audit row. $1 to $3 are the actor (audit.h).
 */
#include "roles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* clang-format off */

/* Creates role $4 with description $5; the new id (NULL when taken) and
 * the name as stored. A taken name (in any case) inserts nothing and
 * answers the name as the other role has it: the second subquery reads the
 * snapshot before the insert. */
static const char sql_role_create[] =
	"WITH n AS (INSERT INTO roles (name, description) VALUES ($4::citext, $5::text)"
	"  ON CONFLICT (name) DO NOTHING RETURNING *),"
	" audit AS (SELECT audit_write($1::bigint, $2::text, $3::inet, 'role.created', 'role', n.id,"
	"   jsonb_build_object('after', to_jsonb(n))) FROM n)"
	" SELECT (SELECT id FROM n) AS id,"
	"  (SELECT name::text FROM roles WHERE name = $4::citext) AS taken_as,"
	"  (SELECT count(*) FROM audit) AS audited";

/*
 * Changes role $4: $5 the version (updated_at) the change was based on, or
 * NULL for whatever is stored; $6 name, $7 description, $8 active, $9
 * requestable, $10 request_max_days (schema 0021), each NULL to keep it. The row is locked first, so a concurrent change is seen
 * as committed; the UPDATE repeats the version check. A name another role
 * has is taken; a change to what is stored is no change, with no audit row.
 */
static const char sql_role_update[] =
	"WITH old AS (SELECT * FROM roles WHERE id = $4::bigint FOR UPDATE),"
	" want AS (SELECT coalesce($6::citext, name) AS name,"
	"   coalesce($7::text, description) AS description,"
	"   coalesce($8::boolean, is_active) AS is_active,"
	"   coalesce($9::boolean, requestable) AS requestable,"
	"   coalesce($10::int, request_max_days) AS request_max_days FROM old),"
	" chk AS (SELECT"
	"   $5::timestamptz IS NOT NULL"
	"    AND (SELECT updated_at FROM old) IS DISTINCT FROM $5::timestamptz AS stale,"
	"   EXISTS (SELECT 1 FROM roles r, want w WHERE r.name = w.name AND r.id <> $4::bigint)"
	"    AS taken,"
	"   (SELECT (o.name::text, o.description, o.is_active, o.requestable, o.request_max_days)"
	"     IS NOT DISTINCT FROM (w.name::text, w.description, w.is_active, w.requestable,"
	"      w.request_max_days)"
	"    FROM old o, want w) AS same),"
	" upd AS (UPDATE roles r SET name = w.name, description = w.description,"
	"   is_active = w.is_active, requestable = w.requestable,"
	"   request_max_days = w.request_max_days FROM chk, want w"
	"  WHERE r.id = $4::bigint AND ($5::timestamptz IS NULL OR r.updated_at = $5::timestamptz)"
	"   AND NOT chk.stale AND NOT chk.taken AND NOT chk.same"
	"  RETURNING r.*),"
	" audit AS (SELECT audit_write($1::bigint, $2::text, $3::inet,"
	"   CASE WHEN old.is_active AND NOT upd.is_active THEN 'role.deactivated'"
	"    WHEN NOT old.is_active AND upd.is_active THEN 'role.activated'"
	"    ELSE 'role.updated' END, 'role', upd.id,"
	"   jsonb_build_object('before', to_jsonb(old), 'after', to_jsonb(upd)))"
	"  FROM old, upd)"
	" SELECT (SELECT count(*) FROM old) AS found, chk.stale, chk.taken, chk.same,"
	"  (SELECT count(*) FROM upd) AS updated, (SELECT count(*) FROM audit) AS audited"
	" FROM chk";

/*
 * A role's owners (schema 0018): $4 role id, $5 username. Adding one that
 * is an owner already, or removing one that is not, is no change and
 * writes no audit row.
 */
#define OWNER_FIND                                                                                 \
	"WITH r AS (SELECT id FROM roles WHERE id = $4::bigint),"                                  \
	" u AS (SELECT id FROM users WHERE username = $5::citext),"
#define OWNER_OUTCOME(action)                                                                      \
	" audit AS (SELECT audit_write($1::bigint, $2::text, $3::inet, '" action "', 'role',"      \
	"   ch.role_id, jsonb_build_object('user_id', ch.user_id)) FROM ch)"                        \
	" SELECT (SELECT count(*) FROM r) AS role_found, (SELECT count(*) FROM u) AS user_found,"  \
	"  (SELECT count(*) FROM ch) AS changed, (SELECT count(*) FROM audit) AS audited"
static const char sql_owner_add[] =
	OWNER_FIND
	" ch AS (INSERT INTO role_owners (role_id, user_id, added_by)"
	"  SELECT r.id, u.id, $1::bigint FROM r, u ON CONFLICT DO NOTHING"
	"  RETURNING role_id, user_id),"
	OWNER_OUTCOME("role.owner_added");
static const char sql_owner_remove[] =
	OWNER_FIND
	" ch AS (DELETE FROM role_owners o USING r, u WHERE o.role_id = r.id AND o.user_id = u.id"
	"  RETURNING o.role_id, o.user_id),"
	OWNER_OUTCOME("role.owner_removed");

/* clang-format on */

const struct db_stmt roles_stmts[] = {
	{ "roles_owner_add", sql_owner_add, 5 },
	{ "roles_owner_remove", sql_owner_remove, 5 },
	{ "roles_create", sql_role_create, 5 },
	{ "roles_update", sql_role_update, 10 },
	{ NULL, NULL, 0 },
};

enum roles_status roles_create(struct db *db, const struct audit_actor *a, const char *name,
                               const char *description, struct roles_outcome *o)
{
	const char *p[AUDIT_NPARAMS + 2];

	memset(o, 0, sizeof *o);
	audit_params(a, p);
	p[3] = name;
	p[4] = description ? description : "";
	PGresult *res = db_exec(db, "roles_create", 5, p, &o->db);
	if (res == NULL && o->db == DB_CONFLICT) {
		/* Taken by a concurrent insert. */
		snprintf(o->name, sizeof o->name, "%s", name);
		return ROLES_TAKEN;
	}
	if (res == NULL)
		return ROLES_DB_ERROR;
	enum roles_status rc = ROLES_OK;
	if (db_is_null(res, 0, "id")) {
		snprintf(o->name, sizeof o->name, "%s", db_text(res, 0, "taken_as"));
		rc = ROLES_TAKEN;
	} else {
		o->id = db_int(res, 0, "id");
	}
	PQclear(res);
	return rc;
}

enum roles_status roles_update(struct db *db, const struct audit_actor *a, long long id,
                               const struct roles_change *c, struct roles_outcome *o)
{
	char idtext[AUDIT_ID_LEN];
	const char *p[AUDIT_NPARAMS + 7];

	memset(o, 0, sizeof *o);
	audit_params_on(a, id, idtext, p);
	p[4] = c->version;
	p[5] = c->name;
	p[6] = c->description;
	p[7] = c->active < 0 ? NULL : c->active ? "t" : "f";
	p[8] = c->requestable;
	p[9] = c->max_days;
	PGresult *res = db_exec(db, "roles_update", 10, p, &o->db);
	if (res == NULL)
		return o->db == DB_CONFLICT ? ROLES_TAKEN : ROLES_DB_ERROR;
	enum roles_status rc;
	int taken = db_bool(res, 0, "taken"), same = db_bool(res, 0, "same");
	if (db_int(res, 0, "found") == 0)
		rc = ROLES_NOT_FOUND;
	else if (db_bool(res, 0, "stale") || (!taken && !same && db_int(res, 0, "updated") == 0))
		rc = ROLES_STALE; /* also: changed between the check and the UPDATE */
	else if (taken)
		rc = ROLES_TAKEN;
	else if (same)
		rc = ROLES_UNCHANGED;
	else
		rc = ROLES_OK;
	o->id = id;
	PQclear(res);
	return rc;
}

enum roles_status roles_owner(struct db *db, const struct audit_actor *a, int add, long long id,
                              const char *username, struct roles_outcome *o)
{
	char idtext[AUDIT_ID_LEN];
	const char *p[AUDIT_NPARAMS + 2];

	memset(o, 0, sizeof *o);
	audit_params_on(a, id, idtext, p);
	p[4] = username;
	PGresult *res = db_exec(db, add ? "roles_owner_add" : "roles_owner_remove", 5, p, &o->db);
	if (res == NULL)
		return ROLES_DB_ERROR;
	enum roles_status rc = ROLES_OK;
	if (db_int(res, 0, "role_found") == 0)
		rc = ROLES_NOT_FOUND;
	else if (db_int(res, 0, "user_found") == 0)
		rc = ROLES_NO_USER;
	else if (db_int(res, 0, "changed") == 0)
		rc = ROLES_UNCHANGED;
	o->id = id;
	PQclear(res);
	return rc;
}
