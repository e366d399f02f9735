/*
 * Unit tests of lib/roles.c that need no database: without one, each
 * operation answers ROLES_DB_ERROR with the database's status (the page's 503),
 * and writes nothing. What the operations do to rows is for the suites
 * (test/admin-reports, test/admin-roles, test/cli-admin); that their audit
 * rows take the actor is test_sql's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "log.h"
#include "outage.h"
#include "roles.h"

/* Port 1 on loopback: refused at once. */
#define NOWHERE "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"

static void test_without_a_database_create_and_update_answer_unavailable(void **state)
{
	(void)state;
	struct db *db = db_new(NOWHERE, 5000, roles_stmts, 2);
	struct roles_outcome o;
	log_set_level(LOG_ERROR); /* the outage's line is not under test */
	assert_non_null(db);
	assert_int_equal(roles_create(db, &audit_console, "Team", "", &o), ROLES_DB_ERROR);
	assert_int_equal(o.db, DB_UNAVAILABLE);
	assert_int_equal(roles_update(db, &audit_console, 1,
	                              &(struct roles_change){ .name = "x", .active = -1 }, &o),
	                 ROLES_DB_ERROR);
	assert_int_equal(o.db, DB_UNAVAILABLE);
	outage_ended();
	db_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_a_database_create_and_update_answer_unavailable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
