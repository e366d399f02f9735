/*
 * ctl_audit: portalctl audit tail, verify and checkpoint (see ctl_audit.h).
 * A verify streams the rows through a cursor, CTL_AUDIT_FETCH at a time, with the
 * canonical text from the database's audit_canonical() (its one
 * definition) and hashed here, so a verify trusts no hash the database
 * computed.
 */
#include "ctl_audit.h"

#include <stdlib.h>
#include <string.h>

#include "audit_chain.h"
#include "ctl.h"
#include "log.h"

#define PROG CTL_PROG

/* clang-format off */

/* Latest $1 entries, printed oldest first as tail does. */
static const char sql_audit_tail[] =
	"SELECT to_char(l.at AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD HH24:MI:SS') AS at,"
	" coalesce(u.username::text, CASE WHEN l.details->>'via' = 'portalctl'"
		"  THEN '(portalctl)' ELSE '-' END) AS actor, l.action,"
	" coalesce(l.target_type || ' ' || l.target_id, l.target_type, '-') AS target,"
	" CASE WHEN l.details = '{}'::jsonb THEN '' ELSE l.details::text END AS details"
	" FROM (SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT $1::int) l"
	" LEFT JOIN users u ON u.id = l.actor_id ORDER BY l.at, l.id";

/* clang-format on */

static const char sql_checkpoint[] =
    "SELECT w.id, w.seq, encode(w.hash, 'hex') AS hash"
    " FROM audit_write(NULL, 'portalctl', NULL, 'audit.checkpoint', NULL, NULL, NULL) w";

const struct db_stmt ctl_audit_stmts[] = {
	{ "ctl_audit_tail", sql_audit_tail, 1 },
	{ "ctl_audit_checkpoint", sql_checkpoint, 0 },
	{ NULL, NULL, 0 },
};

/* Runs sql on conn; returns the result when its status is want, else NULL
 * with the message printed. */
static PGresult *q(PGconn *conn, const char *sql, int n, const char *const *p, ExecStatusType want,
                   FILE *err)
{
	PGresult *res = PQexecParams(conn, sql, n, NULL, p, NULL, NULL, 0);

	if (PQresultStatus(res) != want) {
		fprintf(err, PROG ": audit verify: %s", PQresultErrorMessage(res));
		PQclear(res);
		return NULL;
	}
	return res;
}

/* The rows of one FETCH into the walk. Returns 1 when the walk goes on, 0
 * when it stopped at a verdict, -1 on a malformed row (a message printed). */
static int walk_rows(struct audit_walk *w, const PGresult *res, FILE *err)
{
	for (int i = 0; i < PQntuples(res); i++) {
		unsigned char stored[AUDIT_HASH_LEN];
		long long seq = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		long long id = strtoll(PQgetvalue(res, i, 1), NULL, 10);

		if (audit_chain_parse_bytea(PQgetvalue(res, i, 3), stored) != 0) {
			fprintf(err,
			        PROG ": audit verify: row id %lld (seq %lld) has no 32-byte hash\n",
			        id, seq);
			return -1;
		}
		if (audit_walk_row(w, seq, id, PQgetvalue(res, i, 2),
		                   (size_t)PQgetlength(res, i, 2), stored) != 0)
			return 0;
	}
	return 1;
}

static int walk(PGconn *conn, const char *from, FILE *out, FILE *err)
{
	unsigned char head_hash[AUDIT_HASH_LEN], from_hash[AUDIT_HASH_LEN];
	long long from_seq = 0, head_seq;
	char seqtext[24];
	const char *p[1] = { seqtext };
	struct audit_walk w;
	PGresult *res;
	int go = 1;

	if (from != NULL && audit_chain_parse_checkpoint(from, &from_seq, from_hash) != 0)
		return 2; /* checked by the caller already */
	res = q(conn, "SELECT seq, hash FROM audit_chain_head", 0, NULL, PGRES_TUPLES_OK, err);
	if (res == NULL)
		return 1;
	if (PQntuples(res) != 1 || audit_chain_parse_bytea(PQgetvalue(res, 0, 1), head_hash) != 0) {
		fprintf(err, PROG ": audit verify: audit_chain_head does not hold one head\n");
		PQclear(res);
		return 1;
	}
	head_seq = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	audit_walk_start(&w, from_seq, from != NULL ? from_hash : NULL, head_seq, head_hash);

	snprintf(seqtext, sizeof seqtext, "%lld", from_seq);
	if (from != NULL) {
		unsigned char stored[AUDIT_HASH_LEN] = { 0 };
		int found;

		res = q(conn, "SELECT id, hash FROM audit_log WHERE seq = $1::bigint", 1, p,
		        PGRES_TUPLES_OK, err);
		if (res == NULL)
			return 1;
		found = PQntuples(res) == 1 &&
		        audit_chain_parse_bytea(PQgetvalue(res, 0, 1), stored) == 0;
		if (audit_walk_checkpoint(&w, found,
		                          found ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0,
		                          stored) != 0)
			go = 0;
		PQclear(res);
	}
	if (go) {
		res = q(conn,
		        "DECLARE audit_walk NO SCROLL CURSOR FOR"
		        " SELECT l.seq, l.id, audit_canonical(l), l.hash FROM audit_log l"
		        " WHERE l.seq > $1::bigint ORDER BY l.seq",
		        1, p, PGRES_COMMAND_OK, err);
		if (res == NULL)
			return 1;
		PQclear(res);
	}
	while (go == 1) {
		char fetch[64];

		snprintf(fetch, sizeof fetch, "FETCH %d FROM audit_walk", CTL_AUDIT_FETCH);
		res = q(conn, fetch, 0, NULL, PGRES_TUPLES_OK, err);
		if (res == NULL)
			return 1;
		go = PQntuples(res) == 0 ? 2 : walk_rows(&w, res, err);
		PQclear(res);
		if (go < 0)
			return 1;
	}
	if (go == 2 && audit_walk_end(&w) == 0) {
		fprintf(out, "audit verify: %s\n", w.message);
		return 0;
	}
	fprintf(out, "audit verify: %s\n", w.message);
	log_warn("audit chain broken", "verdict=%d seq=%lld id=%lld", (int)w.verdict, w.seq, w.id);
	return 1;
}

int ctl_audit_verify(struct db *db, const char *from, FILE *out, FILE *err)
{
	unsigned char hash[AUDIT_HASH_LEN];
	long long seq;
	PGconn *conn;
	PGresult *res;
	int rc;

	if (from != NULL && audit_chain_parse_checkpoint(from, &seq, hash) != 0) {
		fprintf(err,
		        PROG ": audit verify: invalid checkpoint \"%s\" (expected SEQ:HASH as "
		             "\"" PROG " audit checkpoint\" prints it)\n",
		        from);
		return 2;
	}
	if (db_connect(db) != DB_OK || (conn = db_conn(db)) == NULL) {
		fprintf(err, PROG ": could not connect to the database: %s\n", db_last_message(db));
		return 1;
	}
	/* The bytes audit_canonical() hashed are UTF-8, whatever the client's locale. */
	if (PQsetClientEncoding(conn, "UTF8") != 0) {
		fprintf(err, PROG ": audit verify: %s", PQerrorMessage(conn));
		return 1;
	}
	/* One snapshot for the head and every row: writers go on meanwhile. */
	res = q(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, PGRES_COMMAND_OK,
	        err);
	if (res == NULL)
		return 1;
	PQclear(res);
	rc = walk(conn, from, out, err);
	PQclear(PQexec(conn, "ROLLBACK"));
	return rc;
}

int ctl_audit_checkpoint(struct db *db, FILE *out, FILE *err)
{
	enum db_status st;
	PGresult *res = db_exec(db, "ctl_audit_checkpoint", 0, NULL, &st);

	if (res == NULL || PQntuples(res) != 1) {
		fprintf(err, PROG ": could not write the checkpoint: %s\n",
		        db_last_message(db)[0] ? db_last_message(db) : "unexpected answer");
		PQclear(res);
		return 1;
	}
	fprintf(out, "%s:%s\n", db_text(res, 0, "seq"), db_text(res, 0, "hash"));
	log_info("audit checkpoint", "seq=%s hash=%s id=%s", db_text(res, 0, "seq"),
	         db_text(res, 0, "hash"), db_text(res, 0, "id"));
	PQclear(res);
	return 0;
}

int ctl_audit_tail(struct db *db, const char *n, FILE *out, FILE *err)
{
	const char *p[1] = { n ? n : "20" };
	long long v;

	if (ctl_parse_id(p[0], &v) != 0 || v > 10000) {
		fprintf(err, CTL_PROG ": invalid number of entries \"%s\": expected 1 to 10000\n",
		        p[0]);
		return 1;
	}
	if (ctl_open(db, err) != 0)
		return 1;
	return ctl_list(db, "ctl_audit_tail", 1, p, "read the audit log", "entry", "entries", out,
	                err);
}
