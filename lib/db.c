/*
 * db: one PostgreSQL connection per worker, with its statements prepared once
 * per connection. A lost connection is dropped at once and rebuilt by the next
 * call, so a database restart costs a few 503s and no worker restarts.
 */
#include "db.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metrics.h"
#include "outage.h"

struct db {
	const char *conninfo;
	int statement_timeout_ms;
	int generic_plans;
	const struct db_stmt *stmts;
	size_t n_stmts;
	PGconn *conn;       /* NULL when not connected */
	int connected_once; /* a later connection is a reconnect (metrics) */
	char sqlstate[6];
	char message[256];
};

struct db *db_new(const char *conninfo, int statement_timeout_ms, const struct db_stmt *stmts,
                  size_t n_stmts)
{
	struct db *db = calloc(1, sizeof *db);

	if (db == NULL)
		return NULL;
	db->conninfo = conninfo;
	db->statement_timeout_ms = statement_timeout_ms > 0 ? statement_timeout_ms : 0;
	db->stmts = stmts;
	db->n_stmts = n_stmts;
	return db;
}

static void db_close(struct db *db)
{
	if (db->conn != NULL) {
		PQfinish(db->conn);
		db->conn = NULL;
	}
}

void db_free(struct db *db)
{
	if (db == NULL)
		return;
	db_close(db);
	free(db);
}

void db_set_generic_plans(struct db *db, int on)
{
	db->generic_plans = on != 0;
}

/* Keeps the first line of a libpq or server message, for the caller and the log. */
static void set_error(struct db *db, const char *sqlstate, const char *message)
{
	size_t n;

	snprintf(db->sqlstate, sizeof db->sqlstate, "%s", sqlstate ? sqlstate : "");
	if (message == NULL)
		message = "";
	n = strcspn(message, "\n");
	if (n >= sizeof db->message)
		n = sizeof db->message - 1;
	memcpy(db->message, message, n);
	db->message[n] = '\0';
}

static void clear_error(struct db *db)
{
	db->sqlstate[0] = '\0';
	db->message[0] = '\0';
}

/* A connection failure: count it towards the outage (which logs it once,
 * not per request), forget the connection, let the next call retry. */
static enum db_status lost(struct db *db, const char *what)
{
	set_error(db, NULL, db->conn ? PQerrorMessage(db->conn) : "out of memory");
	outage_failed(what, db->message);
	metrics_db_error();
	db_close(db);
	return DB_UNAVAILABLE;
}

static enum db_status prepare_all(struct db *db)
{
	for (size_t i = 0; i < db->n_stmts; i++) {
		const struct db_stmt *s = &db->stmts[i];
		PGresult *res = PQprepare(db->conn, s->name, s->sql, s->nparams, NULL);
		char q[300];

		if (PQresultStatus(res) == PGRES_COMMAND_OK) {
			PQclear(res);
			continue;
		}
		if (PQstatus(db->conn) == CONNECTION_BAD) {
			PQclear(res);
			return lost(db, "prepare");
		}
		set_error(db, PQresultErrorField(res, PG_DIAG_SQLSTATE),
		          PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
		log_error("statement does not prepare", "stmt=%s sqlstate=%s error=%s", s->name,
		          db->sqlstate, log_quote(q, sizeof q, db->message));
		PQclear(res);
		/* Closed, so that no call runs with half the statements missing. */
		db_close(db);
		return DB_ERROR;
	}
	return DB_OK;
}

enum db_status db_connect(struct db *db)
{
	/*
	 * Keywords before "dbname" are defaults that the URI overrides; the
	 * URI's own application_name, if any, wins over the fallback.
	 * gssencmode: libpq's "prefer" looks for Kerberos credentials on every
	 * connect, which loads and initialises the Kerberos libraries in each
	 * worker (2 MiB of its resident memory) to find none; a URI with
	 * gssencmode=prefer or require (or PGGSSENCMODE) still asks for it.
	 * An empty value is no value to libpq.
	 */
	const char *const keys[] = { "gssencmode", "dbname", "fallback_application_name", NULL };
	const char *const values[] = { getenv("PGGSSENCMODE") ? "" : "disable", db->conninfo,
		                       "rapportageportaal", NULL };
	char sql[96];
	PGresult *res;

	if (db->conn != NULL) {
		/* An idle connection has nothing to read unless the server is
		 * telling us it is going away (a restart sends FATAL 57P01 and
		 * closes; we use no LISTEN). Then reconnect before the statement
		 * rather than fail it: retrying a failed statement instead could
		 * run an INSERT twice. A rare harmless message (a ParameterStatus
		 * after a configuration reload) costs one reconnect. */
		struct pollfd pfd = { .fd = PQsocket(db->conn), .events = POLLIN };
		if (PQstatus(db->conn) == CONNECTION_OK && pfd.fd >= 0 && poll(&pfd, 1, 0) == 0)
			return DB_OK;
		db_close(db);
	}
	clear_error(db);
	db->conn = PQconnectdbParams(keys, values, 1);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK)
		return lost(db, "connect");

	/* A SET rather than "options": it leaves any options in the URI alone.
	 * One round trip for both settings: PQexec returns the last result and
	 * stops at the first error. */
	snprintf(sql, sizeof sql, "SET statement_timeout = %d%s", db->statement_timeout_ms,
	         db->generic_plans ? "; SET plan_cache_mode = force_generic_plan" : "");
	res = PQexec(db->conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		char q[300];
		PQclear(res);
		if (PQstatus(db->conn) == CONNECTION_BAD)
			return lost(db, "connect");
		set_error(db, NULL, PQerrorMessage(db->conn));
		log_error("could not set statement_timeout or plan_cache_mode", "error=%s",
		          log_quote(q, sizeof q, db->message));
		db_close(db);
		return DB_ERROR;
	}
	PQclear(res);
	enum db_status st = prepare_all(db);
	if (st == DB_OK) {
		outage_ended();
		if (db->connected_once)
			metrics_db_reconnect();
		db->connected_once = 1;
	}
	return st;
}

/* Class 22 (data exception) messages quote the offending input, which may be
 * a parameter: those are logged by SQLSTATE and constraint only. */
static void log_failure(const struct db *db, const char *name, enum db_status st,
                        const PGresult *res)
{
	const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
	enum log_level level = st == DB_ERROR ? LOG_ERROR : st == DB_TIMEOUT ? LOG_WARN : LOG_INFO;
	char q[300];

	if (strncmp(db->sqlstate, "22", 2) == 0)
		log_event(level, "query failed", "stmt=%s sqlstate=%s constraint=%s", name,
		          db->sqlstate, constraint ? constraint : "-");
	else
		log_event(level, "query failed", "stmt=%s sqlstate=%s constraint=%s error=%s", name,
		          db->sqlstate, constraint ? constraint : "-",
		          log_quote(q, sizeof q, db->message));
}

PGresult *db_exec(struct db *db, const char *name, int nparams, const char *const *params,
                  enum db_status *st)
{
	PGresult *res;
	ExecStatusType rs;
	const char *primary;

	*st = db_connect(db);
	if (*st != DB_OK)
		return NULL;
	clear_error(db);
	res = PQexecPrepared(db->conn, name, nparams, params, NULL, NULL, 0);
	rs = PQresultStatus(res);
	if (rs == PGRES_TUPLES_OK || rs == PGRES_COMMAND_OK) {
		*st = DB_OK;
		return res;
	}
	if (res == NULL || PQstatus(db->conn) == CONNECTION_BAD) {
		PQclear(res);
		*st = lost(db, name);
		return NULL;
	}
	primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	set_error(db, PQresultErrorField(res, PG_DIAG_SQLSTATE),
	          primary ? primary : PQresultErrorMessage(res));
	*st = db_status_from_sqlstate(db->sqlstate);
	if (*st == DB_UNAVAILABLE || *st == DB_TIMEOUT || *st == DB_ERROR)
		metrics_db_error();
	if (*st == DB_UNAVAILABLE)
		outage_failed(name, db->message); /* the server is going away (57P01, 08xxx) */
	else
		log_failure(db, name, *st, res);
	PQclear(res);
	/* The server lost our statements (DISCARD ALL, a pooler switching
	 * backends): start afresh on the next call. */
	if (strcmp(db->sqlstate, "26000") == 0)
		db_close(db);
	if (*st == DB_UNAVAILABLE)
		db_close(db);
	return NULL;
}

enum db_status db_command(struct db *db, const char *sql)
{
	enum db_status st = db_connect(db);
	if (st != DB_OK)
		return st;
	clear_error(db);
	PGresult *res = PQexec(db->conn, sql);
	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		PQclear(res);
		return DB_OK;
	}
	if (res == NULL || PQstatus(db->conn) == CONNECTION_BAD) {
		PQclear(res);
		return lost(db, sql);
	}
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	set_error(db, PQresultErrorField(res, PG_DIAG_SQLSTATE),
	          primary ? primary : PQresultErrorMessage(res));
	PQclear(res);
	return db_status_from_sqlstate(db->sqlstate);
}

enum db_status db_ping(struct db *db)
{
	PGresult *res;
	enum db_status st = db_connect(db);

	if (st != DB_OK)
		return DB_UNAVAILABLE;
	res = PQexec(db->conn, "SELECT 1");
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		PQclear(res);
		return DB_OK;
	}
	PQclear(res);
	if (PQstatus(db->conn) == CONNECTION_BAD)
		return lost(db, "ping");
	set_error(db, NULL, PQerrorMessage(db->conn));
	return DB_UNAVAILABLE;
}

PGconn *db_conn(struct db *db)
{
	return db->conn;
}

const char *db_last_sqlstate(const struct db *db)
{
	return db->sqlstate;
}

const char *db_last_message(const struct db *db)
{
	return db->message;
}

/*
 * 40001 and 40P01 (serialization failure, deadlock) are worth one retry by the
 * caller, like a unique violation is worth a message: both are conflicts.
 * Class 08 and the 57P0x shutdowns mean the server is (going) away; 53300 is a
 * full server. 55P03 (lock_timeout) is a timeout like 57014.
 */
enum db_status db_status_from_sqlstate(const char *sqlstate)
{
	if (sqlstate == NULL)
		return DB_UNAVAILABLE;
	if (strlen(sqlstate) != 5)
		return DB_ERROR;
	if (strcmp(sqlstate, "23505") == 0 || strcmp(sqlstate, "40001") == 0 ||
	    strcmp(sqlstate, "40P01") == 0)
		return DB_CONFLICT;
	if (strcmp(sqlstate, "57014") == 0 || strcmp(sqlstate, "55P03") == 0)
		return DB_TIMEOUT;
	if (strncmp(sqlstate, "22", 2) == 0 || strncmp(sqlstate, "23", 2) == 0)
		return DB_INVALID;
	if (strncmp(sqlstate, "08", 2) == 0 || strcmp(sqlstate, "57P01") == 0 ||
	    strcmp(sqlstate, "57P02") == 0 || strcmp(sqlstate, "57P03") == 0 ||
	    strcmp(sqlstate, "53300") == 0)
		return DB_UNAVAILABLE;
	return DB_ERROR;
}

long long db_int(const PGresult *res, int row, const char *col)
{
	int c = res ? PQfnumber(res, col) : -1;
	if (c < 0 || row < 0 || row >= PQntuples(res) || PQgetisnull(res, row, c))
		return 0;
	const char *v = PQgetvalue(res, row, c);
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	return errno == 0 && end != v && *end == '\0' ? n : 0;
}

int db_bool(const PGresult *res, int row, const char *col)
{
	const char *v = db_text(res, row, col);
	return v != NULL && strcmp(v, "t") == 0;
}

const char *db_text(const PGresult *res, int row, const char *col)
{
	int c = res ? PQfnumber(res, col) : -1;
	if (c < 0 || row < 0 || row >= PQntuples(res))
		return NULL;
	return PQgetvalue(res, row, c);
}

int db_is_null(const PGresult *res, int row, const char *col)
{
	int c = res ? PQfnumber(res, col) : -1;
	return c < 0 || row < 0 || row >= PQntuples(res) || PQgetisnull(res, row, c);
}

void db_kind_range(const PGresult *res, const char *col, const char *value, int *first, int *n)
{
	int c = res ? PQfnumber(res, col) : -1;
	int rows = c < 0 ? 0 : PQntuples(res);
	*first = 0;
	*n = 0;
	for (int i = 0; i < rows; i++) {
		if (PQgetisnull(res, i, c) || strcmp(PQgetvalue(res, i, c), value) != 0)
			continue;
		if (*n == 0)
			*first = i;
		(*n)++;
	}
}
