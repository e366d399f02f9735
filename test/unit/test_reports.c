/*
 * Unit tests of lib/reports.c that need no database: its statements each write
 * their audit row with the actor's three parameters (audit.h), and declare
 * the parameters they use. What they do to rows is for the suites
 * (test/admin-reports, test/admin-roles, test/cli-admin).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reports.h"

static int max_param(const char *sql)
{
	int highest = 0;
	for (const char *p = strchr(sql, '$'); p != NULL; p = strchr(p + 1, '$'))
		if (atoi(p + 1) > highest)
			highest = atoi(p + 1);
	return highest;
}

static void test_every_statement_declares_the_parameters_it_uses(void **state)
{
	(void)state;
	for (const struct db_stmt *s = reports_stmts; s->name != NULL; s++)
		if (max_param(s->sql) != s->nparams)
			fail_msg("%s uses $%d but declares %d", s->name, max_param(s->sql),
			         s->nparams);
}

static void test_every_change_writes_its_audit_row_with_actor_channel_and_address(void **state)
{
	(void)state;
	for (const struct db_stmt *s = reports_stmts; s->name != NULL; s++) {
		const char *a = strstr(s->sql, "INSERT INTO audit_log");
		if (a == NULL)
			fail_msg("%s writes no audit row", s->name);
		if (strstr(a, "$1::bigint") == NULL || strstr(a, "'via', $2::text") == NULL ||
		    strstr(a, "$3::inet") == NULL)
			fail_msg("%s: its audit row does not take the actor as $1 to $3", s->name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_statement_declares_the_parameters_it_uses),
		cmocka_unit_test(
		    test_every_change_writes_its_audit_row_with_actor_channel_and_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
