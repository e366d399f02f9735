/*
 * Unit tests of lib/audit.c: the actor as the operations' $1 to $3.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "audit.h"

static void test_params_are_actor_channel_and_address_in_that_order(void **state)
{
	(void)state;
	const struct audit_actor a = { "42", "web", "10.0.0.7" };
	const char *p[AUDIT_NPARAMS];
	audit_params(&a, p);
	assert_string_equal(p[0], "42");
	assert_string_equal(p[1], "web");
	assert_string_equal(p[2], "10.0.0.7");
}

static void test_the_console_is_nobody_from_nowhere_via_portalctl(void **state)
{
	(void)state;
	const char *p[AUDIT_NPARAMS];
	audit_params(&audit_console, p);
	assert_null(p[0]);
	assert_string_equal(p[1], "portalctl");
	assert_null(p[2]);
}

static void test_params_on_a_row_add_its_id_in_decimal(void **state)
{
	(void)state;
	char idtext[AUDIT_ID_LEN];
	const char *p[AUDIT_NPARAMS + 1];
	audit_params_on(&audit_console, 9007199254740993LL, idtext, p);
	assert_null(p[0]);
	assert_string_equal(p[1], "portalctl");
	assert_ptr_equal(p[3], idtext);
	assert_string_equal(p[3], "9007199254740993");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params_are_actor_channel_and_address_in_that_order),
		cmocka_unit_test(test_the_console_is_nobody_from_nowhere_via_portalctl),
		cmocka_unit_test(test_params_on_a_row_add_its_id_in_decimal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
