/*
 * Unit tests of lib/grants.c that need no database: the four statements
 * are there by the names the front ends call, and without a database
 * grants_change answers -1 with the database's status (the page's 503) and
 * leaves the outcome alone. What they do to rows is for the suites
 * (test/admin-roles, test/admin-users, test/cli-admin); that their audit
 * rows take the actor is test_sql's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "grants.h"
#include "log.h"
#include "outage.h"

/* Port 1 on loopback: refused at once. */
#define NOWHERE "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"

static void test_the_four_statements_take_the_actor_and_two_id_arrays(void **state)
{
	(void)state;
	const char *const names[] = { "grant_user_roles", "revoke_user_roles", "grant_role_reports",
		                      "revoke_role_reports" };
	size_t n = 0;
	for (const struct db_stmt *s = grants_stmts; s->name != NULL; s++, n++) {
		assert_true(n < 4);
		assert_string_equal(s->name, names[n]);
		/* grant_user_roles takes a membership's dates too (0017) */
		assert_int_equal(s->nparams, n == 0 ? 7 : 5);
		assert_non_null(strstr(s->sql, "$4::bigint[]"));
		assert_non_null(strstr(s->sql, "$5::bigint[]"));
	}
	assert_int_equal(n, 4);
}

static void test_without_a_database_a_change_answers_unavailable(void **state)
{
	(void)state;
	struct db *db = db_new(NOWHERE, 5000, grants_stmts, 2);
	struct grants_outcome g = { 7, 8, 9, 10 };
	enum db_status st = DB_OK;
	log_set_level(LOG_ERROR); /* the outage's line is not under test */
	assert_non_null(db);
	assert_int_equal(
	    grants_change(db, "grant_user_roles", &audit_console, "{1}", "{2}", &g, &st), -1);
	assert_int_equal(st, DB_UNAVAILABLE);
	assert_int_equal(g.missing_a, 7);
	assert_int_equal(g.changed, 9);
	outage_ended();
	db_free(db);
}

static void test_instants_as_iso_8601_are_taken(void **state)
{
	(void)state;
	const char *const good[] = {
		"2027-03-31",          "2027-03-31T17:00",       "2027-03-31 17:00",
		"2027-03-31T17:00:59", "2027-03-31T17:00+01:00", "2027-03-31T17:00:00Z",
		"2027-03-31T17:00-05", "2027-03-31T17:00+0100",  "2027-12-01T00:00",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_int_equal(grants_time_check(good[i]), 0);
}

static void test_other_text_is_no_instant(void **state)
{
	(void)state;
	const char *const bad[] = {
		"",
		"tomorrow",
		"31-03-2027",
		"2027-3-31",
		"2027-13-01",
		"2027-00-10",
		"2027-03-32",
		"2027-03-31T",
		"2027-03-31T24:00",
		"2027-03-31T17:60",
		"2027-03-31T17",
		"2027-03-31T17:00:61",
		"2027-03-31T17:00+1",
		"2027-03-31T17:00+01:0",
		"2027-03-31T17:00+01:00 ",
		"2027-03-31T17:00Zulu",
		"2027-03-31T17:00'; DROP TABLE users; --",
		"2027-03-31x",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(grants_time_check(bad[i]), -1);
	assert_int_equal(grants_time_check(NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_four_statements_take_the_actor_and_two_id_arrays),
		cmocka_unit_test(test_without_a_database_a_change_answers_unavailable),
		cmocka_unit_test(test_instants_as_iso_8601_are_taken),
		cmocka_unit_test(test_other_text_is_no_instant),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
