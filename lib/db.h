/*
 * db: a worker's one PostgreSQL connection. Statements are named and
 * prepared once per connection; every query runs under statement_timeout.
 * When the server goes away the query fails with DB_UNAVAILABLE (the caller
 * answers 503) and the next db_exec reconnects and prepares again, so a
 * worker survives a database restart without being restarted itself.
 */
#ifndef DB_H
#define DB_H

#include <libpq-fe.h>
#include <stddef.h>

struct db_stmt {
	const char *name; /* unique per program, e.g. "session_check" */
	const char *sql;  /* $1..$n placeholders; parameters are text */
	int nparams;
};

enum db_status {
	DB_OK = 0,
	DB_UNAVAILABLE, /* no connection, or it broke: answer 503 */
	DB_CONFLICT,    /* unique violation (SQLSTATE 23505) or serialization failure */
	DB_INVALID, /* a CHECK, NOT NULL or foreign-key violation, or invalid input (22xxx, 23xxx)
	             */
	DB_TIMEOUT, /* statement_timeout hit (57014) */
	DB_ERROR,   /* anything else: a bug, logged */
};

struct db;

/*
 * Creates the handle; does not connect yet (the first db_exec does).
 * conninfo and the statements array must outlive the handle. Returns NULL
 * only when out of memory.
 */
struct db *db_new(const char *conninfo, int statement_timeout_ms, const struct db_stmt *stmts,
                  size_t n_stmts);
void db_free(struct db *db);

/*
 * on: every prepared statement of this handle's connections runs a generic
 * plan (plan_cache_mode = force_generic_plan), planned once per connection,
 * instead of PostgreSQL's choice, which re-plans a statement on every call
 * when it estimates a custom plan cheaper. For statement sets whose branches
 * are switched by their parameters or the session (catalog.c's list
 * statements): a generic plan prunes them at run time for the same execution
 * cost, without planning each call. Takes effect on the next
 * connect; off by default.
 */
void db_set_generic_plans(struct db *db, int on);

/*
 * Connects when not connected (setting statement_timeout and preparing every
 * statement). Returns DB_OK or DB_UNAVAILABLE. A statement that fails to
 * prepare is a bug: it is logged with its name and the server's message and
 * gives DB_ERROR.
 */
enum db_status db_connect(struct db *db);

/*
 * Runs the prepared statement name with params (text, NULL for SQL NULL).
 * Returns the result (the caller PQclear()s it) with *st = DB_OK, or NULL
 * with *st saying why; the server's message is logged (without parameters,
 * which may hold secrets). A broken connection is closed so that the next
 * call reconnects.
 */
PGresult *db_exec(struct db *db, const char *name, int nparams, const char *const *params,
                  enum db_status *st);

/* Runs SELECT 1. Returns DB_OK or DB_UNAVAILABLE. */
enum db_status db_ping(struct db *db);

/* The connection, for programs (portalctl, migrations) that need more than
 * prepared statements; NULL when not connected. */
PGconn *db_conn(struct db *db);

/* Runs a command without parameters or rows (BEGIN, COMMIT, ROLLBACK, a
 * SET) on the handle's connection, connecting when needed. Returns DB_OK,
 * or the status of its failure (db_status_from_sqlstate; DB_UNAVAILABLE
 * when there is no connection). */
enum db_status db_command(struct db *db, const char *sql);

/* The SQLSTATE and primary message of the last failed db_exec, "" when none. */
const char *db_last_sqlstate(const struct db *db);
const char *db_last_message(const struct db *db);

/* The integer in column col (by name) of row row of res; 0 when the column
 * is missing, NULL or not a whole number. For counts and ids, which the
 * server always sends as decimal text. */
long long db_int(const PGresult *res, int row, const char *col);

/* 1 when column col (by name) of row row of res is boolean true ("t");
 * 0 for false, SQL NULL, or no such column or row. */
int db_bool(const PGresult *res, int row, const char *col);

/* The text in column col (by name) of row row of res: "" for SQL NULL, NULL
 * only when there is no such column or row. Points into res. */
const char *db_text(const PGresult *res, int row, const char *col);

/* 1 when column col of row row is SQL NULL, or there is no such column or
 * row (the empty row of a LEFT JOIN that found nothing). */
int db_is_null(const PGresult *res, int row, const char *col);

/* Where the rows whose column col equals value start (*first) and how many
 * there are (*n), for results that carry several lists told apart by a
 * "kind" column, each contiguous. *n is 0 when there are none. */
void db_kind_range(const PGresult *res, const char *col, const char *value, int *first, int *n);

/* Maps a SQLSTATE (NULL for a connection failure) to a db_status. */
enum db_status db_status_from_sqlstate(const char *sqlstate);

/* SQL text: a timestamptz column as the pages show an instant, local time
 * in the Netherlands ("31-03-2027 17:00"). */
#define DB_DATE_TIME_NL(col)                                                                       \
	"to_char(" col " AT TIME ZONE 'Europe/Amsterdam', 'DD-MM-YYYY HH24:MI')"

#endif
