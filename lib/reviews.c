/*
 * reviews: periodic reviews of role memberships (see reviews.h).
 */
#include "reviews.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grants.h"

/* clang-format off */

/* $1, the actor, may start and close reviews: the console, or an active
 * superuser. */
#define MAY_GOVERN                                                                                \
	"($1::bigint IS NULL OR EXISTS (SELECT 1 FROM users u WHERE u.id = $1::bigint"             \
	" AND u.is_active AND u.is_superuser))"

/* Role r is in a review not closed yet: the review's role, or among its items. */
#define IN_OPEN_REVIEW(r)                                                                         \
	"EXISTS (SELECT 1 FROM access_reviews v WHERE v.closed_at IS NULL AND (v.role_id = " r      \
	" OR EXISTS (SELECT 1 FROM access_review_items i WHERE i.review_id = v.id"                 \
	" AND i.role_id = " r ")))"

/*
 * Starts a review: $1 to $3 the actor, $4 the role's name ("" all roles
 * not in an open review), $5 the due instant (portal_local_time), $6 the
 * rule for the unreviewed. outcome: ok, actor, role, due, busy or empty.
 */
static const char sql_start[] =
	"WITH chk AS (SELECT CASE"
	"  WHEN NOT " MAY_GOVERN " THEN 'actor'"
	"  WHEN $4::text <> '' AND NOT EXISTS (SELECT 1 FROM roles WHERE name = $4::text::citext) THEN 'role'"
	"  WHEN portal_local_time($5::text) <= now() THEN 'due'"
	"  WHEN EXISTS (SELECT 1 FROM roles r WHERE r.name = $4::text::citext AND " IN_OPEN_REVIEW("r.id") ")"
	"   THEN 'busy'"
	"  ELSE 'ok' END AS outcome),"
	" ro AS (SELECT r.id FROM roles r, chk WHERE chk.outcome = 'ok'"
	"  AND (r.name = $4::text::citext OR ($4::text = '' AND NOT " IN_OPEN_REVIEW("r.id") "))),"
	" mem AS (SELECT ur.role_id, ur.user_id, ur.valid_from, ur.valid_until FROM user_roles ur"
	"  WHERE ur.role_id IN (SELECT id FROM ro)"
	"  AND (ur.valid_until IS NULL OR ur.valid_until > now())),"
	" v AS (INSERT INTO access_reviews (role_id, due_at, unreviewed, started_by)"
	"  SELECT (SELECT id FROM roles WHERE name = $4::text::citext), portal_local_time($5::text), $6::text,"
	"   $1::bigint WHERE EXISTS (SELECT 1 FROM mem) RETURNING *),"
	" it AS (INSERT INTO access_review_items (review_id, role_id, user_id, valid_from, valid_until)"
	"  SELECT v.id, mem.role_id, mem.user_id, mem.valid_from, mem.valid_until FROM v, mem),"
	" audit AS (SELECT audit_write($1::bigint, $2::text, $3::inet, 'review.started', 'review', v.id,"
	"   jsonb_build_object('role_id', v.role_id, 'due_at', v.due_at, 'unreviewed', v.unreviewed,"
	"   'items', (SELECT count(*) FROM mem), 'roles', (SELECT count(DISTINCT role_id) FROM mem)))"
	"  FROM v)"
	" SELECT CASE WHEN chk.outcome = 'ok' AND NOT EXISTS (SELECT 1 FROM mem) THEN 'empty'"
	"  ELSE chk.outcome END AS outcome, (SELECT id FROM v) AS id,"
	" (SELECT count(*) FROM mem) AS items, (SELECT count(DISTINCT role_id) FROM mem) AS roles,"
	" (SELECT count(*) FROM audit) AS audited FROM chk";

/*
 * Decides an item: $4 the review, $5 the role, $6 the user, $7 keep or
 * remove, $8 the note. Only an item of a role the actor may keep is
 * found; only an open review's is changed.
 */
static const char sql_decide[] =
	"WITH v AS (SELECT state_now FROM access_reviews_now WHERE id = $4::bigint),"
	" old AS (SELECT i.* FROM access_review_items i WHERE i.review_id = $4::bigint"
	"  AND i.role_id = $5::bigint AND i.user_id = $6::bigint AND role_may_keep($1::bigint, i.role_id)"
	"  FOR UPDATE),"
	" ch AS (UPDATE access_review_items i SET decision = $7::text,"
	"  note = nullif(btrim($8::text), ''), decided_at = now(), decided_by = $1::bigint"
	"  FROM old WHERE (SELECT state_now FROM v) = 'open' AND i.review_id = old.review_id"
	"  AND i.role_id = old.role_id AND i.user_id = old.user_id"
	"  AND (old.decision, old.note) IS DISTINCT FROM ($7::text, nullif(btrim($8::text), ''))"
	"  RETURNING i.review_id, i.role_id, i.user_id, i.decision, i.note, old.decision AS before),"
	" audit AS (SELECT audit_write($1::bigint, $2::text, $3::inet, 'review.decided', 'review',"
	"   ch.review_id, jsonb_build_object('role_id', ch.role_id, 'user_id', ch.user_id,"
	"   'decision', ch.decision) || jsonb_strip_nulls(jsonb_build_object('note', ch.note,"
	"   'before', ch.before))) FROM ch)"
	" SELECT (SELECT state_now FROM v) AS state, (SELECT count(*) FROM old) AS found,"
	" (SELECT count(*) FROM ch) AS changed, (SELECT count(*) FROM audit) AS audited";

/*
 * Closes review $4: every item's outcome (gone when the membership no
 * longer counts now or later; else removed when decided so, or unreviewed
 * under the rule remove; else kept), the review closed, and its audit row.
 * found is 0 for an actor who may not govern.
 */
static const char sql_close[] =
	"WITH v AS (SELECT * FROM access_reviews WHERE id = $4::bigint AND " MAY_GOVERN " FOR UPDATE),"
	" o AS (UPDATE access_review_items i SET outcome = CASE"
	"   WHEN NOT EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = i.user_id"
	"    AND ur.role_id = i.role_id AND (ur.valid_until IS NULL OR ur.valid_until > now()))"
	"    THEN 'gone'"
	"   WHEN coalesce(i.decision, v.unreviewed) = 'remove' THEN 'removed' ELSE 'kept' END"
	"  FROM v WHERE v.closed_at IS NULL AND i.review_id = v.id RETURNING i.outcome, i.decision),"
	" cl AS (UPDATE access_reviews r SET closed_at = now(), closed_by = $1::bigint FROM v"
	"  WHERE r.id = v.id AND v.closed_at IS NULL RETURNING r.id, r.due_at),"
	" n AS (SELECT count(*) FILTER (WHERE outcome = 'kept') AS kept,"
	"  count(*) FILTER (WHERE outcome = 'removed') AS removed,"
	"  count(*) FILTER (WHERE outcome = 'gone') AS gone,"
	"  count(*) FILTER (WHERE decision IS NULL) AS unreviewed FROM o),"
	" audit AS (SELECT audit_write($1::bigint, $2::text, $3::inet, 'review.closed', 'review', cl.id,"
	"   jsonb_build_object('kept', n.kept, 'removed', n.removed, 'gone', n.gone,"
	"   'unreviewed', n.unreviewed, 'before_due', cl.due_at > now())) FROM cl, n)"
	" SELECT (SELECT count(*) FROM v) AS found, (SELECT count(*) FROM cl) AS closed, n.*,"
	" (SELECT count(*) FROM audit) AS audited FROM n";

/* The memberships a closed review $1 takes away, per role (grants' arrays). */
static const char sql_removals[] =
	"SELECT role_id, '{' || string_agg(user_id::text, ',' ORDER BY user_id) || '}' AS users"
	" FROM access_review_items WHERE review_id = $1::bigint AND outcome = 'removed'"
	" GROUP BY role_id ORDER BY role_id";

/* One start at a time (reviews_start). */
static const char sql_lock[] =
	"SELECT pg_advisory_xact_lock('access_reviews'::regclass::oid::bigint)";

/* The reviews past their due date, not closed yet. */
static const char sql_due[] =
	"SELECT id FROM access_reviews WHERE closed_at IS NULL AND due_at <= now() ORDER BY id";

/* An instant in the CSV: local time, NULL (an empty field) for none. */
#define TS(col) "to_char(" col " AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD HH24:MI:SS')"

const char reviews_export_sql[] =
	"SELECT i.review_id, ro.name::text, u.username::text, u.display_name, u.is_active::text,"
	" " TS("i.valid_from") ", " TS("i.valid_until") ", i.decision, i.note,"
	" CASE WHEN i.decided_at IS NOT NULL THEN coalesce(du.username::text, 'portalctl') END,"
	" " TS("i.decided_at") ", i.outcome, " TS("v.started_at") ", " TS("v.due_at") ","
	" v.unreviewed, " TS("v.closed_at")
	" FROM access_review_items i JOIN access_reviews v ON v.id = i.review_id"
	" JOIN roles ro ON ro.id = i.role_id JOIN users u ON u.id = i.user_id"
	" LEFT JOIN users du ON du.id = i.decided_by"
	" WHERE i.review_id = $1::bigint AND ($2::bigint IS NULL OR role_may_keep($2::bigint, i.role_id))"
	" ORDER BY lower(ro.name::text), lower(u.username::text)";

/* clang-format on */

const char *const reviews_export_header[] = {
	"review_id",   "role",     "username",   "display_name", "user_active", "valid_from",
	"valid_until", "decision", "note",       "decided_by",   "decided_at",  "outcome",
	"started_at",  "due_at",   "unreviewed", "closed_at",    NULL,
};

const struct db_stmt reviews_stmts[] = {
	{ "reviews_lock", sql_lock, 0 },
	{ "reviews_start", sql_start, 6 },
	{ "reviews_decide", sql_decide, 8 },
	{ "reviews_close", sql_close, 4 },
	{ "reviews_removals", sql_removals, 1 },
	{ "reviews_due", sql_due, 0 },
	{ NULL, NULL, 0 },
};

enum reviews_status reviews_start(struct db *db, const struct audit_actor *a, const char *role,
                                  const char *due, const char *unreviewed,
                                  struct reviews_outcome *o, enum db_status *st)
{
	const char *p[AUDIT_NPARAMS + 3];
	audit_params(a, p);
	p[3] = role;
	p[4] = due;
	p[5] = unreviewed;
	/* Starts are rare: one at a time, so two cannot both take a role. */
	*st = db_command(db, "BEGIN");
	if (*st != DB_OK)
		return REVIEWS_DB_ERROR;
	PGresult *res = db_exec(db, "reviews_lock", 0, NULL, st);
	if (res == NULL)
		goto rollback;
	PQclear(res);
	res = db_exec(db, "reviews_start", 6, p, st);
	if (res == NULL)
		goto rollback;
	static const struct {
		const char *word;
		enum reviews_status r;
	} outcomes[] = {
		{ "ok", REVIEWS_OK },          { "actor", REVIEWS_FORBIDDEN },
		{ "role", REVIEWS_NOT_FOUND }, { "due", REVIEWS_BAD_DUE },
		{ "busy", REVIEWS_BUSY },      { "empty", REVIEWS_EMPTY },
	};
	const char *word = db_text(res, 0, "outcome");
	enum reviews_status r = REVIEWS_DB_ERROR;
	for (size_t i = 0; word && i < sizeof outcomes / sizeof outcomes[0]; i++)
		if (strcmp(word, outcomes[i].word) == 0)
			r = outcomes[i].r;
	o->id = db_int(res, 0, "id");
	o->items = (long)db_int(res, 0, "items");
	o->roles = (long)db_int(res, 0, "roles");
	PQclear(res);
	if (r == REVIEWS_DB_ERROR) {
		*st = DB_ERROR;
		goto rollback;
	}
	*st = db_command(db, r == REVIEWS_OK ? "COMMIT" : "ROLLBACK");
	return *st == DB_OK ? r : REVIEWS_DB_ERROR;
rollback:
	db_command(db, "ROLLBACK");
	return REVIEWS_DB_ERROR;
}

enum reviews_status reviews_decide(struct db *db, const struct audit_actor *a,
                                   const char *review_id, const char *role_id, const char *user_id,
                                   const char *decision, const char *note, enum db_status *st)
{
	const char *p[AUDIT_NPARAMS + 5];
	audit_params(a, p);
	p[3] = review_id;
	p[4] = role_id;
	p[5] = user_id;
	p[6] = decision;
	p[7] = note ? note : "";
	PGresult *res = db_exec(db, "reviews_decide", 8, p, st);
	if (res == NULL)
		return REVIEWS_DB_ERROR;
	enum reviews_status r;
	if (db_int(res, 0, "found") == 0)
		r = REVIEWS_NOT_FOUND;
	else if (strcmp(db_text(res, 0, "state"), "open") != 0)
		r = REVIEWS_CLOSED;
	else
		r = db_int(res, 0, "changed") > 0 ? REVIEWS_OK : REVIEWS_UNCHANGED;
	PQclear(res);
	return r;
}

enum reviews_status reviews_close(struct db *db, const struct audit_actor *a, const char *review_id,
                                  struct reviews_outcome *o, enum db_status *st)
{
	const char *p[AUDIT_NPARAMS + 1];
	enum reviews_status r = REVIEWS_DB_ERROR;
	audit_params(a, p);
	p[3] = review_id;
	if ((*st = db_command(db, "BEGIN")) != DB_OK)
		return REVIEWS_DB_ERROR;
	PGresult *res = db_exec(db, "reviews_close", 4, p, st);
	if (res == NULL)
		goto rollback;
	o->kept = (long)db_int(res, 0, "kept");
	o->removed = (long)db_int(res, 0, "removed");
	o->gone = (long)db_int(res, 0, "gone");
	o->unreviewed = (long)db_int(res, 0, "unreviewed");
	if (db_int(res, 0, "found") == 0)
		r = REVIEWS_NOT_FOUND;
	else if (db_int(res, 0, "closed") == 0)
		r = REVIEWS_CLOSED;
	else
		r = REVIEWS_OK;
	PQclear(res);
	if (r != REVIEWS_OK) {
		*st = db_command(db, "ROLLBACK");
		return *st == DB_OK ? r : REVIEWS_DB_ERROR;
	}
	/* The memberships to take away, role by role, through grants. */
	res = db_exec(db, "reviews_removals", 1, p + 3, st);
	if (res == NULL)
		goto rollback;
	for (int i = 0; i < PQntuples(res); i++) {
		char role[32];
		struct grants_outcome g;
		snprintf(role, sizeof role, "{%s}", db_text(res, i, "role_id"));
		if (grants_change(db, "revoke_user_roles", a, db_text(res, i, "users"), role, &g,
		                  st) != 0) {
			PQclear(res);
			goto rollback;
		}
	}
	PQclear(res);
	*st = db_command(db, "COMMIT");
	return *st == DB_OK ? REVIEWS_OK : REVIEWS_DB_ERROR;
rollback:
	db_command(db, "ROLLBACK");
	return REVIEWS_DB_ERROR;
}

int reviews_close_due(struct db *db, const struct audit_actor *a, long *closed, enum db_status *st)
{
	*closed = 0;
	PGresult *res = db_exec(db, "reviews_due", 0, NULL, st);
	if (res == NULL)
		return -1;
	int rc = 0;
	for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
		struct reviews_outcome o;
		switch (reviews_close(db, a, PQgetvalue(res, i, 0), &o, st)) {
		case REVIEWS_OK:
			(*closed)++;
			break;
		case REVIEWS_CLOSED: /* closed meanwhile by someone else */
			break;
		default:
			rc = -1;
		}
	}
	PQclear(res);
	return rc;
}
