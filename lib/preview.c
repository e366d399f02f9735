/*
 * preview: what a change of access would do, computed by applying it in a
 * transaction and comparing report_access before and after (see
 * preview.h). Two statements of its own around the operation's one home.
 */
#include "preview.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/*
 * The SQL below is laid out by hand, one clause a line. Both statements
 * take the scope of a change: $1 what it changes ("members", "reports",
 * "role", "report", "user": preview_kind_scope), $2 the role (the report,
 * the user), $3 the other side's ids (bigint[] as text, or NULL). The scope
 * is the users and reports the change can touch: a membership change
 * touches its users and the role's (or roles') reports, a report grant the
 * role's members and those reports, a role switched the role's members and
 * its reports, a report's status that report for everyone. Within it, a
 * pair counts when the list page would show it (lib/catalog.c): the user
 * active (only an active user has a session) and not a superuser (who sees
 * every report, before and after alike), the report published and in
 * report_access.
 *
 * report_access is the view user_role_sets JOIN role_set_reports (schema
 * 0013), and the statements read those two tables as the view does, so
 * that the copy and the comparison follow the model: a user points at a
 * set, a set holds reports. Users who point at the same set before and the
 * same set after (a "move", sb -> sa) gain and lose the same reports, so
 * the comparison is made once per move, not once per user. A change of
 * report_access's definition is a change of US_CURRENT below.
 */
/* clang-format off */
#define SCOPE                                                                                   \
	" su AS (SELECT u.id FROM users u WHERE u.is_active AND NOT u.is_superuser"              \
	"   AND CASE $1::text"                                                                   \
	"    WHEN 'members' THEN u.id = ANY ($3::bigint[])"                                      \
	"    WHEN 'report' THEN true"                                                            \
	"    WHEN 'user' THEN u.id = $2::bigint"                                                 \
	"    ELSE EXISTS (SELECT 1 FROM user_roles ur"                                           \
	"     WHERE ur.role_id = $2::bigint AND ur.user_id = u.id) END),"                       \
	" sr AS (SELECT p.id FROM reports p WHERE CASE $1::text"                                 \
	"    WHEN 'reports' THEN p.id = ANY ($3::bigint[])"                                      \
	"    WHEN 'report' THEN p.id = $2::bigint"                                               \
	"    WHEN 'user' THEN EXISTS (SELECT 1 FROM role_reports rr"                             \
	"     WHERE rr.role_id = ANY ($3::bigint[]) AND rr.report_id = p.id)"                    \
	"    ELSE EXISTS (SELECT 1 FROM role_reports rr"                                         \
	"     WHERE rr.role_id = $2::bigint AND rr.report_id = p.id) END),"                     \
	/* the scope's users and the sets they point at now, as report_access joins them */    \
	" us_now AS (SELECT us.user_id, us.set_id FROM user_role_sets us"                        \
	"   WHERE " US_CURRENT " AND us.user_id IN (SELECT id FROM su)),"                        \
	/* what those sets hold now of the scope's reports, published */                        \
	" sets_now AS (SELECT a.set_id, a.report_id FROM role_set_reports a"                    \
	"   WHERE a.published AND a.set_id IN (SELECT set_id FROM us_now)"                       \
	"    AND a.report_id IN (SELECT id FROM sr))"

/* Which rows of user_role_sets us report_access joins: its WHERE (schema
 * 0017: each user's period that holds now). */
#define US_CURRENT "us.valid_from <= now() AND us.valid_until > now()"

/*
 * Before the change: copies the scope's users' sets and those sets'
 * reports into preview_before; answers whether the role, report or user
 * exists and the state hash: the scope's parameters, the roles' active
 * flags and versions with their members and reports, or the report's
 * status and version. It locks nothing: the transaction takes the locks
 * the operation takes, in its order (schema 0013, and the audit chain's
 * head in audit_write), and no others, so that a preview or a save can
 * deadlock with nothing that the operation alone could not. What changes
 * between this statement and the next shows in the outcome, which the
 * token covers: a save whose outcome is not the preview's saves nothing.
 */
static const char sql_preview_before[] =
	"WITH lr AS (SELECT r.id, r.is_active, r.updated_at FROM roles r"
	"   WHERE CASE $1::text WHEN 'user' THEN r.id = ANY ($3::bigint[])"
	"    WHEN 'report' THEN false ELSE r.id = $2::bigint END),"
	" lp AS (SELECT p.id, p.status, p.updated_at FROM reports p"
	"   WHERE $1::text = 'report' AND p.id = $2::bigint),"
	" lu AS (SELECT u.id FROM users u WHERE $1::text = 'user' AND u.id = $2::bigint),"
	SCOPE ","
	" ins AS (INSERT INTO preview_before (user_id, set_id, report_id)"
	"   SELECT user_id, set_id, NULL FROM us_now"
	"   UNION ALL SELECT NULL, set_id, report_id FROM sets_now RETURNING 1)"
	" SELECT CASE $1::text WHEN 'user' THEN (SELECT count(*) FROM lu)"
	"   ELSE (SELECT count(*) FROM lr) + (SELECT count(*) FROM lp) END AS found,"
	"  (SELECT count(*) FROM ins) AS copied,"
	"  encode(sha256(convert_to(concat_ws('|', $1::text, $2::bigint::text,"
	"   coalesce($3::bigint[]::text, ''),"
	"   coalesce((SELECT string_agg(id::text || ' ' || is_active::text || ' ' || updated_at::text,"
	"     ',' ORDER BY id) FROM lr), ''),"
	"   coalesce((SELECT status::text || ' ' || updated_at::text FROM lp), ''),"
	"   coalesce((SELECT string_agg(ur.role_id::text || ':' || ur.user_id::text, ','"
	"     ORDER BY ur.role_id, ur.user_id) FROM user_roles ur"
	"     WHERE ur.role_id IN (SELECT id FROM lr)), ''),"
	"   coalesce((SELECT string_agg(rr.role_id::text || ':' || rr.report_id::text, ','"
	"     ORDER BY rr.role_id, rr.report_id) FROM role_reports rr"
	"     WHERE rr.role_id IN (SELECT id FROM lr)), '')),"
	"   'UTF8')), 'hex') AS state";

/* The first $5 lines of kind k (ord) from the changes ch (cg or cl): the
 * first $5 users of a move that changes, by username, then their reports
 * by title. */
#define LINES(ord, k, ch)                                                                       \
	" UNION ALL (SELECT " ord ", '" k "', row_number() OVER (ORDER BY lower(f.username),"     \
	"   f.user_id, lower(p.title), p.id), NULL, NULL, NULL, NULL, NULL, NULL,"               \
	"   f.user_id, f.username, f.display_name, p.id, p.title"                               \
	"  FROM (SELECT m.user_id, m.sb, m.sa, u.username::text AS username, u.display_name"     \
	"    FROM moved m JOIN users u ON u.id = m.user_id"                                      \
	"    WHERE EXISTS (SELECT 1 FROM " ch " x WHERE x.sb = m.sb AND x.sa = m.sa)"             \
	"    ORDER BY lower(u.username::text), u.id LIMIT $5::int) f"                            \
	"  JOIN " ch " x ON x.sb = f.sb AND x.sa = f.sa JOIN reports p ON p.id = x.report_id"     \
	"  ORDER BY lower(f.username), f.user_id, lower(p.title), p.id LIMIT $5::int)"

/* The users (n) and pairs of the moves that change by ch. */
#define USERS_OF(ch)                                                                            \
	"(SELECT coalesce(sum(v.n), 0) FROM moves v"                                             \
	"  WHERE EXISTS (SELECT 1 FROM " ch " x WHERE x.sb = v.sb AND x.sa = v.sa))"
#define PAIRS_OF(ch) "(SELECT coalesce(sum(x.n), 0) FROM " ch " x)"

/* The outcome as text for the token, without set ids (a set made by a
 * rolled-back preview gets another id when it is made again): per move
 * that changes, its users, the reports they gain and those they lose. */
#define OUTCOME                                                                                 \
	"coalesce((SELECT string_agg(o.t, ';' ORDER BY o.t) FROM ("                              \
	"  SELECT (SELECT string_agg(m.user_id::text, ',' ORDER BY m.user_id) FROM moved m"      \
	"     WHERE m.sb = v.sb AND m.sa = v.sa)"                                                \
	"   || '+' || coalesce((SELECT string_agg(x.report_id::text, ',' ORDER BY x.report_id)"   \
	"     FROM cg x WHERE x.sb = v.sb AND x.sa = v.sa), '')"                                  \
	"   || '-' || coalesce((SELECT string_agg(x.report_id::text, ',' ORDER BY x.report_id)"   \
	"     FROM cl x WHERE x.sb = v.sb AND x.sa = v.sa), '') AS t"                             \
	"  FROM moves v WHERE EXISTS (SELECT 1 FROM cg x WHERE x.sb = v.sb AND x.sa = v.sa)"     \
	"   OR EXISTS (SELECT 1 FROM cl x WHERE x.sb = v.sb AND x.sa = v.sa)) o), '')"

/*
 * After the change: the scope's users' sets and their reports now against
 * the copy (which it deletes, so that a committed save leaves none): each
 * user's move from the set before (sb) to the set now (sa), the moves with
 * their numbers of users, the reports each move gains (cg: in sa now, not
 * in sb before) and loses (cl); the counts, the token (sha256 of $4, the
 * state hash, and the outcome) and the first $5 lines of each list.
 */
static const char sql_preview_after[] =
	"WITH" SCOPE ","
	" b AS (DELETE FROM preview_before WHERE xact = pg_current_xact_id()"
	"   RETURNING user_id, set_id, report_id),"
	" sets_before AS MATERIALIZED (SELECT set_id, report_id FROM b WHERE user_id IS NULL),"
	" moved AS MATERIALIZED (SELECT b.user_id, b.set_id AS sb, n.set_id AS sa"
	"   FROM b JOIN us_now n ON n.user_id = b.user_id WHERE b.user_id IS NOT NULL),"
	" moves AS MATERIALIZED (SELECT sb, sa, count(*) AS n FROM moved GROUP BY sb, sa),"
	" sets_after AS MATERIALIZED (SELECT set_id, report_id FROM sets_now),"
	" cg AS MATERIALIZED (SELECT v.sb, v.sa, v.n, a.report_id FROM moves v"
	"   JOIN sets_after a ON a.set_id = v.sa"
	"   WHERE NOT EXISTS (SELECT 1 FROM sets_before s"
	"    WHERE s.set_id = v.sb AND s.report_id = a.report_id)),"
	" cl AS MATERIALIZED (SELECT v.sb, v.sa, v.n, s.report_id FROM moves v"
	"   JOIN sets_before s ON s.set_id = v.sb"
	"   WHERE NOT EXISTS (SELECT 1 FROM sets_after a"
	"    WHERE a.set_id = v.sa AND a.report_id = s.report_id)),"
	" s AS (SELECT " USERS_OF("cg") " AS users_gaining, " PAIRS_OF("cg") " AS pairs_gained,"
	"   " USERS_OF("cl") " AS users_losing, " PAIRS_OF("cl") " AS pairs_lost,"
	"   encode(sha256(convert_to(concat_ws('|', $4::text, " OUTCOME "), 'UTF8')), 'hex')"
	"   AS token)"
	" SELECT 0 AS ord, 'sum' AS kind, 0::bigint AS seq, s.users_gaining, s.pairs_gained,"
	"  s.users_losing, s.pairs_lost, s.token,"
	"  CASE $1::text WHEN 'report' THEN (SELECT title FROM reports WHERE id = $2::bigint)"
	"   WHEN 'user' THEN (SELECT display_name FROM users WHERE id = $2::bigint)"
	"   ELSE (SELECT name::text FROM roles WHERE id = $2::bigint) END AS subject,"
	"  NULL::bigint AS user_id, NULL::text AS username,"
	"  NULL::text AS display_name, NULL::bigint AS report_id, NULL::text AS title FROM s"
	LINES("1", "gain", "cg")
	LINES("2", "lose", "cl")
	" ORDER BY ord, seq";

const struct db_stmt preview_stmts[] = {
	{ "preview_before", sql_preview_before, 3 },
	{ "preview_after", sql_preview_after, 5 },
	{ NULL, NULL, 0 },
};
/* clang-format on */

const char *preview_kind_scope(enum preview_kind kind)
{
	switch (kind) {
	case PREVIEW_MEMBERS_ADD:
	case PREVIEW_MEMBERS_REMOVE:
		return "members";
	case PREVIEW_REPORTS_ADD:
	case PREVIEW_REPORTS_REMOVE:
		return "reports";
	case PREVIEW_ROLE_ACTIVE:
		return "role";
	case PREVIEW_REPORT_UPDATE:
		return "report";
	case PREVIEW_USER_ROLES_ADD:
	case PREVIEW_USER_ROLES_REMOVE:
		return "user";
	}
	return "role";
}

int preview_token_ok(const char *s)
{
	if (s == NULL)
		return 0;
	size_t n = 0;
	for (; s[n]; n++)
		if (!isdigit((unsigned char)s[n]) && !(s[n] >= 'a' && s[n] <= 'f'))
			return 0;
	return n == PREVIEW_TOKEN_LEN - 1;
}

void preview_free(struct preview *p)
{
	if (p->res != NULL)
		PQclear(p->res);
	p->res = NULL;
	p->n_gained = p->n_lost = 0;
}

/*
 * Previews and saves from a preview run one at a time (every pool, every
 * portalctl): taken first in their transaction, before any row lock. The
 * operations' own statements lock rows before the audit chain's head
 * (audit_write) and some rows after it; as single statements they hold
 * both for a moment, but a preview holds them until it has compared and
 * rolled back, and two previews at once (a membership and a report's
 * status, say) were seen to deadlock within a few tries. Any fixed number
 * will do, as long as nothing else uses it (migrate.c, directory.c and
 * 0004 use others).
 */
#define PREVIEW_LOCK "SELECT pg_advisory_xact_lock(7370726576)"

/* Runs a transaction command on the connection; 0 when it succeeded. */
static int command(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType want = strncmp(sql, "SELECT", 6) == 0 ? PGRES_TUPLES_OK : PGRES_COMMAND_OK;
	int ok = res != NULL && PQresultStatus(res) == want;
	PQclear(res);
	return ok ? 0 : -1;
}

/* Rolls back when a transaction is open on conn (also a failed one). */
static void rollback(PGconn *conn)
{
	if (conn != NULL && PQtransactionStatus(conn) != PQTRANS_IDLE &&
	    PQtransactionStatus(conn) != PQTRANS_UNKNOWN)
		(void)command(conn, "ROLLBACK");
}

/* 1 when the connection is still the one the transaction began on and the
 * transaction is open and healthy: the next statement may not run outside
 * it (db_exec would reconnect and run it on its own, and commit it). */
static int in_tx(struct db *db, PGconn *conn)
{
	return db_conn(db) == conn && conn != NULL && PQtransactionStatus(conn) == PQTRANS_INTRANS;
}

/* Applies c through its one home. Returns PREVIEW_OK or why not. */
static enum preview_status apply(struct db *db, const struct audit_actor *a,
                                 const struct preview_change *c, struct preview *out)
{
	static const char *const grant_stmts[] = { "grant_user_roles", "revoke_user_roles",
		                                   "grant_role_reports", "revoke_role_reports" };
	char one[32]; /* c->id as an array: the role, or the user */
	snprintf(one, sizeof one, "{%lld}", c->id);
	switch (c->kind) {
	case PREVIEW_MEMBERS_ADD:
	case PREVIEW_MEMBERS_REMOVE:
	case PREVIEW_REPORTS_ADD:
	case PREVIEW_REPORTS_REMOVE: {
		int members = c->kind == PREVIEW_MEMBERS_ADD || c->kind == PREVIEW_MEMBERS_REMOVE;
		int r = c->kind == PREVIEW_MEMBERS_ADD
		            ? grants_members(db, a, c->ids, one, c->from, c->until, &out->grants,
		                             &out->db)
		            : grants_change(db, grant_stmts[c->kind], a, members ? c->ids : one,
		                            members ? one : c->ids, &out->grants, &out->db);
		if (r != 0)
			return PREVIEW_DB_ERROR;
		if (out->grants.missing_a > 0 || out->grants.missing_b > 0)
			return PREVIEW_NOT_FOUND;
		return PREVIEW_OK;
	}
	case PREVIEW_ROLE_ACTIVE: {
		struct roles_change ch = { .active = c->active ? 1 : 0 };
		struct roles_outcome o;
		out->roles = roles_update(db, a, c->id, &ch, &o);
		out->db = o.db;
		switch (out->roles) {
		case ROLES_OK:
		case ROLES_UNCHANGED:
			return PREVIEW_OK;
		case ROLES_NOT_FOUND:
			return PREVIEW_NOT_FOUND;
		case ROLES_STALE:
			return PREVIEW_STALE;
		default:
			return PREVIEW_DB_ERROR;
		}
	}
	case PREVIEW_USER_ROLES_ADD:
	case PREVIEW_USER_ROLES_REMOVE:
		/* A role that does not exist (a list out of date) is skipped. */
		if (grants_change(db,
		                  c->kind == PREVIEW_USER_ROLES_ADD ? "grant_user_roles"
		                                                    : "revoke_user_roles",
		                  a, one, c->ids, &out->grants, &out->db) != 0)
			return PREVIEW_DB_ERROR;
		return out->grants.missing_a > 0 ? PREVIEW_NOT_FOUND : PREVIEW_OK;
	case PREVIEW_REPORT_UPDATE:
		out->reports = reports_update(db, a, c->id, c->version, c->report, &out->report);
		out->db = out->report.db;
		switch (out->reports) {
		case REPORTS_OK:
		case REPORTS_UNCHANGED:
			return PREVIEW_OK;
		case REPORTS_NOT_FOUND:
			return PREVIEW_NOT_FOUND;
		case REPORTS_STALE:
			return PREVIEW_STALE;
		default:
			return PREVIEW_DB_ERROR;
		}
	}
	return PREVIEW_DB_ERROR;
}

/* Fills the counts, token and lines of out from a preview_after result,
 * which out then owns. */
static void take_result(struct preview *out, PGresult *res)
{
	out->res = res;
	out->users_gaining = (long)db_int(res, 0, "users_gaining");
	out->pairs_gained = (long)db_int(res, 0, "pairs_gained");
	out->users_losing = (long)db_int(res, 0, "users_losing");
	out->pairs_lost = (long)db_int(res, 0, "pairs_lost");
	snprintf(out->token, sizeof out->token, "%s", db_text(res, 0, "token"));
	out->subject = db_text(res, 0, "subject");
	for (int i = 1; i < PQntuples(res); i++) {
		const char *k = db_text(res, i, "kind");
		int gain = strcmp(k, "gain") == 0;
		int *n = gain ? &out->n_gained : &out->n_lost;
		struct preview_line *l = gain ? out->gained : out->lost;
		if (*n >= PREVIEW_LINES)
			continue;
		l[*n].user_id = db_int(res, i, "user_id");
		l[*n].report_id = db_int(res, i, "report_id");
		l[*n].username = db_text(res, i, "username");
		l[*n].display_name = db_text(res, i, "display_name");
		l[*n].title = db_text(res, i, "title");
		(*n)++;
	}
}

enum preview_status preview_run(struct db *db, const struct audit_actor *a,
                                const struct preview_change *c, const char *token,
                                struct preview *out)
{
	char id[24], lines[16], state[PREVIEW_TOKEN_LEN];
	const char *p[5];
	enum preview_status rc;
	PGresult *res;

	memset(out, 0, sizeof *out);
	if ((out->db = db_connect(db)) != DB_OK)
		return PREVIEW_DB_ERROR;
	PGconn *conn = db_conn(db);
	if (conn == NULL || PQtransactionStatus(conn) != PQTRANS_IDLE ||
	    command(conn, "BEGIN") != 0) {
		out->db = DB_UNAVAILABLE;
		return PREVIEW_DB_ERROR;
	}
	if (command(conn, PREVIEW_LOCK) != 0) {
		/* Most likely the statement timeout, waiting for a long preview. */
		out->db = DB_TIMEOUT;
		rc = PREVIEW_DB_ERROR;
		goto fail;
	}
	snprintf(id, sizeof id, "%lld", c->id);
	snprintf(lines, sizeof lines, "%d", PREVIEW_LINES);
	p[0] = preview_kind_scope(c->kind);
	p[1] = id;
	p[2] = c->kind == PREVIEW_ROLE_ACTIVE || c->kind == PREVIEW_REPORT_UPDATE ? NULL : c->ids;
	res = db_exec(db, "preview_before", 3, p, &out->db);
	if (res == NULL) {
		rc = PREVIEW_DB_ERROR;
		goto fail;
	}
	int found = db_int(res, 0, "found") > 0;
	snprintf(state, sizeof state, "%s", db_text(res, 0, "state"));
	PQclear(res);
	if (!found) {
		rc = PREVIEW_NOT_FOUND;
		goto fail;
	}
	if (!in_tx(db, conn)) {
		out->db = DB_UNAVAILABLE;
		rc = PREVIEW_DB_ERROR;
		goto fail;
	}
	if ((rc = apply(db, a, c, out)) != PREVIEW_OK)
		goto fail;
	if (!in_tx(db, conn)) {
		out->db = DB_UNAVAILABLE;
		rc = PREVIEW_DB_ERROR;
		goto fail;
	}
	p[3] = state;
	p[4] = lines;
	res = db_exec(db, "preview_after", 5, p, &out->db);
	if (res == NULL) {
		rc = PREVIEW_DB_ERROR;
		goto fail;
	}
	take_result(out, res);
	if (token == NULL || strcmp(token, out->token) != 0) {
		rollback(conn);
		return token == NULL ? PREVIEW_OK : PREVIEW_CHANGED;
	}
	if (!in_tx(db, conn) || command(conn, "COMMIT") != 0) {
		/* A failed COMMIT (a serialization failure at commit) saved nothing. */
		out->db = DB_CONFLICT;
		rc = PREVIEW_DB_ERROR;
		goto fail;
	}
	out->saved = 1;
	return PREVIEW_OK;
fail:
	rollback(conn == db_conn(db) ? conn : NULL);
	return rc;
}

/* Prints s with control characters as '?'. */
static void put_clean(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

static void print_lines(FILE *out, char sign, const struct preview_line *l, int n, long total)
{
	for (int i = 0; i < n; i++) {
		fprintf(out, "  %c ", sign);
		put_clean(out, l[i].username);
		fputs(" (", out);
		put_clean(out, l[i].display_name);
		fprintf(out, "): report %lld \"", l[i].report_id);
		put_clean(out, l[i].title);
		fputs("\"\n", out);
	}
	if (total > n)
		fprintf(out, "  ... and %ld more\n", total - n);
}

void preview_print(FILE *out, const struct preview *p)
{
	fprintf(out, "gains: %ld %s, %ld user-report %s\n", p->users_gaining,
	        p->users_gaining == 1 ? "user" : "users", p->pairs_gained,
	        p->pairs_gained == 1 ? "pair" : "pairs");
	print_lines(out, '+', p->gained, p->n_gained, p->pairs_gained);
	fprintf(out, "losses: %ld %s, %ld user-report %s\n", p->users_losing,
	        p->users_losing == 1 ? "user" : "users", p->pairs_lost,
	        p->pairs_lost == 1 ? "pair" : "pairs");
	print_lines(out, '-', p->lost, p->n_lost, p->pairs_lost);
}
