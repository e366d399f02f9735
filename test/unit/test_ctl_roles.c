/*
 * Unit tests of lib/ctl_roles.c: the checks of a role's name and description.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl_roles.h"
#include "req.h"

static void test_role_name_rejects_blank_control_and_long_names(void **state)
{
	char err[256], longname[120];

	(void)state;
	assert_int_equal(ctl_check_role_name("Financiën", err, sizeof err), 0);
	assert_int_equal(ctl_check_role_name("  ", err, sizeof err), -1);
	assert_string_equal(err, "role name is blank");
	assert_int_equal(ctl_check_role_name("HR\x1b[2J", err, sizeof err), -1);
	assert_non_null(strstr(err, "control character"));
	assert_int_equal(ctl_check_role_name("Fin\xe9", err, sizeof err), -1);
	assert_string_equal(err, "role name is not valid UTF-8");
	memset(longname, 'a', 101);
	longname[101] = '\0';
	assert_int_equal(ctl_check_role_name(longname, err, sizeof err), -1);
	assert_non_null(strstr(err, "longer than 100 characters"));
	longname[100] = '\0';
	assert_int_equal(ctl_check_role_name(longname, err, sizeof err), 0);
}

/* Issue 11, item 9: "HR" + U+202E + "eitceriD" reads as "HRDirectie". */
static void test_role_checks_refuse_invisible_and_bidi_characters(void **state)
{
	char err[256];

	(void)state;
	/* clang-format off */ /* split after each \x escape, as written */
	assert_int_equal(ctl_check_role_name("HR\xe2\x80\xae" "eitceriD", err, sizeof err), -1);
	/* clang-format on */
	assert_string_equal(err, "invalid role name: it contains an invisible or bidirectional "
	                         "formatting character (U+202E)");
	assert_int_equal(ctl_check_role_description("Zie \xe2\x81\xa7hier", err, sizeof err), -1);
	assert_string_equal(err, "invalid description: it contains an invisible or bidirectional "
	                         "formatting character (U+2067)");
	assert_int_equal(ctl_check_role_description("Twee\nregels", err, sizeof err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_name_rejects_blank_control_and_long_names),
		cmocka_unit_test(test_role_checks_refuse_invisible_and_bidi_characters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
