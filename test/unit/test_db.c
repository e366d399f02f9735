/*
 * Unit tests for lib/db.c that need no server: the SQLSTATE classes, and a
 * handle whose server cannot be reached (every call fails with
 * DB_UNAVAILABLE and tries again, nothing crashes or leaks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "log.h"
#include "outage.h"

/* Port 1 on loopback: refused at once, so the tests do not wait. */
#define NOWHERE "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"

static const struct db_stmt stmts[] = {
	{ "one", "SELECT 1", 0 },
	{ "echo", "SELECT $1::text", 1 },
	{ NULL, NULL, 0 },
};

/* Log lines go to a temporary file, so that a test can count them. */
static FILE *log_capture(void)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	log_set_fd(fileno(f));
	return f;
}

/* Stops capturing; returns how many captured lines hold needle. */
static int log_count(FILE *f, const char *needle)
{
	char line[2200];
	int n = 0;
	log_set_fd(STDERR_FILENO);
	rewind(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			n++;
	fclose(f);
	return n;
}

static void test_conflicts_are_unique_violation_serialization_and_deadlock(void **state)
{
	(void)state;
	assert_int_equal(db_status_from_sqlstate("23505"), DB_CONFLICT);
	assert_int_equal(db_status_from_sqlstate("40001"), DB_CONFLICT);
	assert_int_equal(db_status_from_sqlstate("40P01"), DB_CONFLICT);
}

static void test_constraint_and_data_errors_are_invalid_input(void **state)
{
	(void)state;
	assert_int_equal(db_status_from_sqlstate("23514"), DB_INVALID); /* check */
	assert_int_equal(db_status_from_sqlstate("23502"), DB_INVALID); /* not null */
	assert_int_equal(db_status_from_sqlstate("23503"), DB_INVALID); /* foreign key */
	assert_int_equal(db_status_from_sqlstate("22P02"), DB_INVALID); /* bad text rep. */
	assert_int_equal(db_status_from_sqlstate("22001"), DB_INVALID); /* too long */
	assert_int_equal(db_status_from_sqlstate("22003"), DB_INVALID); /* out of range */
}

static void test_statement_and_lock_timeouts_are_timeouts(void **state)
{
	(void)state;
	assert_int_equal(db_status_from_sqlstate("57014"), DB_TIMEOUT);
	assert_int_equal(db_status_from_sqlstate("55P03"), DB_TIMEOUT);
}

static void test_connection_failures_and_shutdowns_are_unavailable(void **state)
{
	(void)state;
	assert_int_equal(db_status_from_sqlstate(NULL), DB_UNAVAILABLE);
	assert_int_equal(db_status_from_sqlstate("08006"), DB_UNAVAILABLE);
	assert_int_equal(db_status_from_sqlstate("08001"), DB_UNAVAILABLE);
	assert_int_equal(db_status_from_sqlstate("57P01"), DB_UNAVAILABLE); /* admin shutdown */
	assert_int_equal(db_status_from_sqlstate("57P03"), DB_UNAVAILABLE); /* starting up */
	assert_int_equal(db_status_from_sqlstate("53300"), DB_UNAVAILABLE); /* too many conns */
}

static void test_other_states_are_errors(void **state)
{
	(void)state;
	assert_int_equal(db_status_from_sqlstate("42601"), DB_ERROR); /* syntax */
	assert_int_equal(db_status_from_sqlstate("42501"), DB_ERROR); /* permission */
	assert_int_equal(db_status_from_sqlstate("XX000"), DB_ERROR);
	assert_int_equal(db_status_from_sqlstate("26000"), DB_ERROR);
	assert_int_equal(db_status_from_sqlstate(""), DB_ERROR);
	assert_int_equal(db_status_from_sqlstate("2350"), DB_ERROR);
	assert_int_equal(db_status_from_sqlstate("235050"), DB_ERROR);
}

static void test_new_handle_is_not_connected_and_frees_cleanly(void **state)
{
	(void)state;
	struct db *db = db_new(NOWHERE, 5000, stmts, 2);
	assert_non_null(db);
	assert_null(db_conn(db));
	assert_string_equal(db_last_sqlstate(db), "");
	assert_string_equal(db_last_message(db), "");
	db_free(db);
	db_free(NULL);
}

static void test_exec_without_server_is_unavailable_and_retries_each_call(void **state)
{
	(void)state;
	struct db *db = db_new(NOWHERE, 5000, stmts, 2);
	assert_non_null(db);
	const char *p[] = { "x" };
	FILE *captured = log_capture();

	for (int i = 0; i < 2; i++) {
		enum db_status st = DB_OK;
		PGresult *res = db_exec(db, "echo", 1, p, &st);
		assert_null(res);
		assert_int_equal(st, DB_UNAVAILABLE);
		assert_null(db_conn(db));
		/* A connection failure has no SQLSTATE but does say what happened. */
		assert_string_equal(db_last_sqlstate(db), "");
		assert_true(strlen(db_last_message(db)) > 0);
		assert_null(strchr(db_last_message(db), '\n'));
	}
	/* Each call tried to connect again rather than remembering the failure
	 * (the message above was cleared and set anew each time), and the
	 * outage was logged once, not per call. */
	assert_int_equal(log_count(captured, "msg=\"database unavailable\" "), 1);
	outage_ended();
	db_free(db);
}

static void test_connect_and_ping_without_server_are_unavailable(void **state)
{
	(void)state;
	struct db *db = db_new(NOWHERE, 5000, stmts, 2);
	assert_non_null(db);

	assert_int_equal(db_connect(db), DB_UNAVAILABLE);
	assert_null(db_conn(db));
	assert_int_equal(db_ping(db), DB_UNAVAILABLE);
	assert_int_equal(db_ping(db), DB_UNAVAILABLE);
	assert_null(db_conn(db));
	db_free(db);
}

static void test_db_int_reads_numbers_by_column_and_refuses_the_rest(void **state)
{
	(void)state;
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	assert_non_null(res);
	PGresAttDesc at[2] = {
		{ .name = (char *)"total", .typid = 20, .typlen = 8, .atttypmod = -1 },
		{ .name = (char *)"label", .typid = 25, .typlen = -1, .atttypmod = -1 },
	};
	assert_int_equal(PQsetResultAttrs(res, 2, at), 1);
	const char *rows[4][2] = { { "9007199254740993", "12x" },
		                   { "-4", "" },
		                   { NULL, "99999999999999999999" },
		                   { "0", " 7" } };
	for (int r = 0; r < 4; r++)
		for (int c = 0; c < 2; c++)
			assert_int_equal(PQsetvalue(res, r, c, (char *)rows[r][c],
			                            rows[r][c] ? (int)strlen(rows[r][c]) : -1),
			                 1);
	assert_true(db_int(res, 0, "total") == 9007199254740993LL);
	assert_true(db_int(res, 1, "total") == -4);
	assert_true(db_int(res, 2, "total") == 0); /* SQL NULL */
	assert_true(db_int(res, 0, "label") == 0); /* trailing garbage */
	assert_true(db_int(res, 1, "label") == 0); /* empty */
	assert_true(db_int(res, 2, "label") == 0); /* overflow */
	assert_true(db_int(res, 0, "missing") == 0);
	assert_true(db_int(res, 9, "total") == 0); /* no such row */
	assert_true(db_int(NULL, 0, "total") == 0);
	PQclear(res);
}

static void test_db_bool_is_true_only_for_t(void **state)
{
	(void)state;
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	assert_non_null(res);
	PGresAttDesc at[1] = {
		{ .name = (char *)"ok", .typid = 16, .typlen = 1, .atttypmod = -1 }
	};
	assert_int_equal(PQsetResultAttrs(res, 1, at), 1);
	assert_int_equal(PQsetvalue(res, 0, 0, (char *)"t", 1), 1);
	assert_int_equal(PQsetvalue(res, 1, 0, (char *)"f", 1), 1);
	assert_int_equal(PQsetvalue(res, 2, 0, NULL, -1), 1);
	assert_true(db_bool(res, 0, "ok"));
	assert_false(db_bool(res, 1, "ok"));
	assert_false(db_bool(res, 2, "ok"));      /* SQL NULL */
	assert_false(db_bool(res, 3, "ok"));      /* no such row */
	assert_false(db_bool(res, 0, "missing")); /* no such column */
	PQclear(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conflicts_are_unique_violation_serialization_and_deadlock),
		cmocka_unit_test(test_constraint_and_data_errors_are_invalid_input),
		cmocka_unit_test(test_statement_and_lock_timeouts_are_timeouts),
		cmocka_unit_test(test_connection_failures_and_shutdowns_are_unavailable),
		cmocka_unit_test(test_other_states_are_errors),
		cmocka_unit_test(test_new_handle_is_not_connected_and_frees_cleanly),
		cmocka_unit_test(test_exec_without_server_is_unavailable_and_retries_each_call),
		cmocka_unit_test(test_connect_and_ping_without_server_are_unavailable),
		cmocka_unit_test(test_db_int_reads_numbers_by_column_and_refuses_the_rest),
		cmocka_unit_test(test_db_bool_is_true_only_for_t),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
