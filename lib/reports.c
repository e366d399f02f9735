/*
 * reports: the operations on reports (see reports.h): one statement each,
 * with its audit row. $1 to $3 are the actor (audit.h).
 */
#include "reports.h"

#include <stdio.h>
#include <string.h>

/* clang-format off */

/* Creates a report: $4 title, $5 url, $6 category, $7 description,
 * $8 status; the new id. */
static const char sql_report_create[] =
	"WITH n AS (INSERT INTO reports (title, url, category, description, status)"
	"  VALUES ($4::text, $5::text, $6::text, $7::text, $8::report_status) RETURNING *),"
	" audit AS (SELECT audit_write($1::bigint, $2::text, $3::inet, 'report.created', 'report', n.id,"
	"   jsonb_build_object('after', to_jsonb(n))) FROM n)"
	" SELECT id, (SELECT count(*) FROM audit) AS audited FROM n";

/*
 * Changes report $4: $5 the version (updated_at) the change was based on,
 * or NULL for whatever is stored; $6 title, $7 url, $8 category,
 * $9 description, $10 status, each NULL to keep it. The row is locked
 * first, so a concurrent change is seen as committed; the UPDATE repeats
 * the version check. A change to what is stored is no change, with no
 * audit row.
 */
static const char sql_report_update[] =
	"WITH old AS (SELECT * FROM reports WHERE id = $4::bigint FOR UPDATE),"
	" want AS (SELECT coalesce($6::text, title) AS title, coalesce($7::text, url) AS url,"
	"   coalesce($8::text, category) AS category,"
	"   coalesce($9::text, description) AS description,"
	"   coalesce($10::report_status, status) AS status FROM old),"
	" chk AS (SELECT"
	"   $5::timestamptz IS NOT NULL"
	"    AND (SELECT updated_at FROM old) IS DISTINCT FROM $5::timestamptz AS stale,"
	"   (SELECT (o.title, o.url, o.category, o.description, o.status)"
	"     IS NOT DISTINCT FROM (w.title, w.url, w.category, w.description, w.status)"
	"    FROM old o, want w) AS same),"
	" upd AS (UPDATE reports r SET title = w.title, url = w.url, category = w.category,"
	"   description = w.description, status = w.status FROM chk, want w"
	"  WHERE r.id = $4::bigint AND ($5::timestamptz IS NULL OR r.updated_at = $5::timestamptz)"
	"   AND NOT chk.stale AND NOT chk.same"
	"  RETURNING r.*),"
	" audit AS (SELECT audit_write($1::bigint, $2::text, $3::inet,"
	"   CASE WHEN upd.status = 'archived' AND old.status <> 'archived'"
	"    THEN 'report.archived' ELSE 'report.updated' END, 'report', upd.id,"
	"   jsonb_build_object('before', to_jsonb(old), 'after', to_jsonb(upd)))"
	"  FROM old, upd)"
	" SELECT (SELECT count(*) FROM old) AS found, (SELECT status::text FROM old) AS old_status,"
	"  chk.stale, chk.same, (SELECT count(*) FROM upd) AS updated,"
	"  (SELECT count(*) FROM audit) AS audited"
	" FROM chk";

/*
 * The owner of report $4: $5 the user's name (NULL keeps the owner), $6 the
 * contact ("" none, NULL keeps it). A report without an owner row gets one.
 * no_user: $5 names nobody; same: already so (nothing written).
 */
static const char sql_report_set_owner[] =
	"WITH r AS (SELECT id FROM reports WHERE id = $4::bigint FOR UPDATE),"
	" old AS (SELECT o.* FROM report_owners o, r WHERE o.report_id = r.id),"
	" u AS (SELECT id FROM users WHERE $5::text IS NOT NULL AND username = $5::text::citext),"
	" want AS (SELECT coalesce((SELECT id FROM u), (SELECT user_id FROM old)) AS user_id,"
	"   CASE WHEN $6::text IS NULL THEN (SELECT contact FROM old)"
	"    ELSE nullif(btrim($6::text), '') END AS contact),"
	" chk AS (SELECT $5::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM u) AS no_user,"
	"   EXISTS (SELECT 1 FROM old) AND (SELECT (o.user_id, o.contact) FROM old o)"
	"    IS NOT DISTINCT FROM (SELECT (w.user_id, w.contact) FROM want w) AS same),"
	" upd AS (INSERT INTO report_owners AS o (report_id, user_id, contact, set_by)"
	"  SELECT r.id, w.user_id, w.contact, $1::bigint FROM r, want w, chk"
	"  WHERE NOT chk.no_user AND NOT chk.same"
	"  ON CONFLICT (report_id) DO UPDATE SET user_id = excluded.user_id,"
	"   contact = excluded.contact, set_by = excluded.set_by, since = now()"
	"  RETURNING o.*),"
	" audit AS (SELECT audit_write($1::bigint, $2::text, $3::inet, 'report.owner_changed', 'report',"
	"   upd.report_id, jsonb_build_object('before', jsonb_build_object('owner_id',"
	"   (SELECT user_id FROM old), 'contact', (SELECT contact FROM old)), 'after',"
	"   jsonb_build_object('owner_id', upd.user_id, 'contact', upd.contact))) FROM upd)"
	" SELECT (SELECT count(*) FROM r) AS found, chk.no_user, chk.same,"
	"  (SELECT count(*) FROM audit) AS audited FROM chk";

/* clang-format on */

const struct db_stmt reports_stmts[] = {
	{ "reports_set_owner", sql_report_set_owner, 6 },
	{ "reports_create", sql_report_create, 8 },
	{ "reports_update", sql_report_update, 10 },
	{ NULL, NULL, 0 },
};

enum reports_status reports_create(struct db *db, const struct audit_actor *a,
                                   const struct reports_values *v, struct reports_outcome *o)
{
	const char *p[AUDIT_NPARAMS + 5];

	memset(o, 0, sizeof *o);
	audit_params(a, p);
	p[3] = v->title;
	p[4] = v->url;
	p[5] = v->category;
	p[6] = v->description;
	p[7] = v->status;
	PGresult *res = db_exec(db, "reports_create", 8, p, &o->db);
	if (res == NULL)
		return REPORTS_DB_ERROR;
	o->id = db_int(res, 0, "id");
	PQclear(res);
	return REPORTS_OK;
}

enum reports_status reports_update(struct db *db, const struct audit_actor *a, long long id,
                                   const char *version, const struct reports_values *v,
                                   struct reports_outcome *o)
{
	char idtext[AUDIT_ID_LEN];
	const char *p[AUDIT_NPARAMS + 7];

	memset(o, 0, sizeof *o);
	audit_params_on(a, id, idtext, p);
	p[4] = version;
	p[5] = v->title;
	p[6] = v->url;
	p[7] = v->category;
	p[8] = v->description;
	p[9] = v->status;
	PGresult *res = db_exec(db, "reports_update", 10, p, &o->db);
	if (res == NULL)
		return REPORTS_DB_ERROR;
	enum reports_status rc;
	int same = db_bool(res, 0, "same");
	if (db_int(res, 0, "found") == 0)
		rc = REPORTS_NOT_FOUND;
	else if (db_bool(res, 0, "stale") || (!same && db_int(res, 0, "updated") == 0))
		rc = REPORTS_STALE; /* also: changed between the check and the UPDATE */
	else if (same)
		rc = REPORTS_UNCHANGED;
	else
		rc = REPORTS_OK;
	o->id = id;
	snprintf(o->old_status, sizeof o->old_status, "%s", db_text(res, 0, "old_status"));
	PQclear(res);
	return rc;
}

enum reports_status reports_set_owner(struct db *db, const struct audit_actor *a, long long id,
                                      const char *username, const char *contact,
                                      struct reports_outcome *o)
{
	char idtext[AUDIT_ID_LEN];
	const char *p[AUDIT_NPARAMS + 3];
	memset(o, 0, sizeof *o);
	audit_params_on(a, id, idtext, p);
	p[4] = username;
	p[5] = contact;
	PGresult *res = db_exec(db, "reports_set_owner", 6, p, &o->db);
	if (res == NULL)
		return REPORTS_DB_ERROR;
	enum reports_status rc;
	if (db_int(res, 0, "found") == 0)
		rc = REPORTS_NOT_FOUND;
	else if (db_bool(res, 0, "no_user"))
		rc = REPORTS_NO_USER;
	else if (db_bool(res, 0, "same"))
		rc = REPORTS_UNCHANGED;
	else
		rc = REPORTS_OK;
	o->id = id;
	PQclear(res);
	return rc;
}
