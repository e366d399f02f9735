/*
 * Unit tests of lib/ctl.c: the argument parser, ids and the PostgreSQL array literal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl.h"

/* ---- arguments ---- */

static const char *const add_opts[] = { "--title=", "--url=", "--dry-run", NULL };

static int parse(int argc, char **argv, int nargs, struct ctl_args *a, char *err)
{
	return ctl_parse_args(argc, argv, add_opts, nargs, "ROLE USER", a, err, 256);
}

static void test_args_take_values_in_both_spellings_and_flags(void **state)
{
	char *argv[] = { "add", "--title", "Omzet", "X", "--url=https://a.example/", "--dry-run" };
	struct ctl_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(6, argv, 1, &a, err), 0);
	assert_string_equal(a.val[0], "Omzet");
	assert_string_equal(a.val[1], "https://a.example/");
	assert_int_equal(a.flag[2], 1);
	assert_int_equal(a.npos, 1);
	assert_string_equal(a.pos[0], "X");
}

static void test_args_reject_unknown_option_naming_it(void **state)
{
	char *argv[] = { "list", "--bogus" };
	struct ctl_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(2, argv, 0, &a, err), -1);
	assert_string_equal(err, "list: unknown option \"--bogus\"");
}

static void test_args_reject_missing_value_and_option_given_twice(void **state)
{
	char *argv1[] = { "add", "--title" };
	char *argv2[] = { "add", "--title=a", "--title", "b" };
	struct ctl_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(2, argv1, 0, &a, err), -1);
	assert_string_equal(err, "add: --title needs a value");
	assert_int_equal(parse(4, argv2, 0, &a, err), -1);
	assert_string_equal(err, "add: --title given twice");
}

static void test_args_count_positional_arguments_exactly(void **state)
{
	char *few[] = { "grant-user", "HR" };
	char *many[] = { "grant-user", "HR", "bram", "carla" };
	struct ctl_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(2, few, 2, &a, err), -1);
	assert_string_equal(err, "grant-user: missing argument (expected ROLE USER)");
	assert_int_equal(parse(4, many, 2, &a, err), -1);
	assert_string_equal(err, "grant-user: unexpected argument \"carla\"");
}

static void test_args_double_dash_makes_a_dash_name_positional(void **state)
{
	char *argv[] = { "grant-user", "--", "-HR", "--title" };
	struct ctl_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(4, argv, 2, &a, err), 0);
	assert_string_equal(a.pos[0], "-HR");
	assert_string_equal(a.pos[1], "--title");
	assert_null(a.val[0]);
}

static void test_args_help_wins_over_missing_arguments(void **state)
{
	char *argv[] = { "grant-user", "-h" };
	struct ctl_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(2, argv, 2, &a, err), 0);
	assert_int_equal(a.help, 1);
}

/* ---- values ---- */

static void test_id_accepts_positive_numbers_only(void **state)
{
	long long id = 0;

	(void)state;
	assert_int_equal(ctl_parse_id("42", &id), 0);
	assert_int_equal(id, 42);
	assert_int_equal(ctl_parse_id("0", &id), -1);
	assert_int_equal(ctl_parse_id("042", &id), -1);
	assert_int_equal(ctl_parse_id("-1", &id), -1);
	assert_int_equal(ctl_parse_id("1x", &id), -1);
	assert_int_equal(ctl_parse_id("", &id), -1);
	assert_int_equal(ctl_parse_id("1234567890123456789", &id), -1);
}

static void test_text_array_escapes_quotes_and_backslashes(void **state)
{
	const char *items[] = { "HR", "a \"b\"", "c\\d", "x,y" };
	struct buf b = { 0 };

	(void)state;
	ctl_text_array(&b, items, 4);
	assert_string_equal(buf_str(&b), "{\"HR\",\"a \\\"b\\\"\",\"c\\\\d\",\"x,y\"}");
	buf_reset(&b);
	ctl_text_array(&b, items, 0);
	assert_string_equal(buf_str(&b), "{}");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args_take_values_in_both_spellings_and_flags),
		cmocka_unit_test(test_args_reject_unknown_option_naming_it),
		cmocka_unit_test(test_args_reject_missing_value_and_option_given_twice),
		cmocka_unit_test(test_args_count_positional_arguments_exactly),
		cmocka_unit_test(test_args_double_dash_makes_a_dash_name_positional),
		cmocka_unit_test(test_args_help_wins_over_missing_arguments),
		cmocka_unit_test(test_id_accepts_positive_numbers_only),
		cmocka_unit_test(test_text_array_escapes_quotes_and_backslashes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
