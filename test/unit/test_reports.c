/*
 * Unit tests of lib/reports.c that need no database: without one, each
 * operation answers REPORTS_DB_ERROR with the database's status (the page's 503),
 * and writes nothing. What the operations do to rows is for the suites
 * (test/admin-reports, test/admin-roles, test/cli-admin); that their audit
 * rows take the actor is test_sql's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <string.h>

#include <cmocka.h>

#include "log.h"
#include "outage.h"
#include "reports.h"

/* Port 1 on loopback: refused at once. */
#define NOWHERE "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"

static void test_without_a_database_create_and_update_answer_unavailable(void **state)
{
	(void)state;
	struct db *db = db_new(NOWHERE, 5000, reports_stmts, 2);
	struct reports_outcome o;
	log_set_level(LOG_ERROR); /* the outage's line is not under test */
	assert_non_null(db);
	assert_int_equal(reports_create(db, &audit_console,
	                                &(struct reports_values){ "T", "https://x.example/",
	                                                          "Algemeen", "", "draft" },
	                                &o),
	                 REPORTS_DB_ERROR);
	assert_int_equal(o.db, DB_UNAVAILABLE);
	assert_int_equal(reports_update(db, &audit_console, 1, NULL,
	                                &(struct reports_values){ .status = "draft" }, &o),
	                 REPORTS_DB_ERROR);
	assert_int_equal(o.db, DB_UNAVAILABLE);
	assert_int_equal(reports_set_owner(db, &audit_console, 1, "anna", NULL, &o),
	                 REPORTS_DB_ERROR);
	assert_int_equal(o.db, DB_UNAVAILABLE);
	outage_ended();
	db_free(db);
}

static void test_the_owner_statement_writes_beside_the_report_and_audits(void **state)
{
	(void)state;
	const struct db_stmt *s = reports_stmts;
	while (s->name != NULL && strcmp(s->name, "reports_set_owner") != 0)
		s++;
	assert_non_null(s->name);
	assert_int_equal(s->nparams, 6);
	/* a hand-over leaves the report's row (and updated_at) alone */
	assert_null(strstr(s->sql, "UPDATE reports"));
	assert_non_null(strstr(s->sql, "INSERT INTO report_owners"));
	assert_non_null(strstr(s->sql, "'report.owner_changed'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_a_database_create_and_update_answer_unavailable),
		cmocka_unit_test(test_the_owner_statement_writes_beside_the_report_and_audits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
