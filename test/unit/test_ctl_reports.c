/*
 * Unit tests of lib/ctl_reports.c: the checks of a report's values, in words for the console.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl_reports.h"
#include "ctl_roles.h"
#include "req.h"

static void test_report_check_refuses_invisible_characters_naming_the_field(void **state)
{
	/* clang-format off */ /* split after each \x escape, as written */
	struct report_form f = { "Omzet\xe2\x80\x8b", "https://bi.example/o", "Fin\xc2\xad" "ance",
		                 "Regel\r\nmet \xe2\x80\xaa", "draft" };
	/* clang-format on */
	struct buf msgs = { 0 };

	(void)state;
	assert_int_equal(ctl_check_report(&f, &msgs), 3);
	assert_non_null(strstr(buf_str(&msgs), "invalid title: it contains an invisible or "
	                                       "bidirectional formatting character (U+200B)\n"));
	assert_non_null(strstr(buf_str(&msgs), "invalid category: it contains an invisible or "
	                                       "bidirectional formatting character (U+00AD)\n"));
	assert_non_null(strstr(buf_str(&msgs), "invalid description: it contains an invisible or "
	                                       "bidirectional formatting character (U+202A)\n"));
	buf_reset(&msgs);
	f.title = "Omzet\x1b[2J";
	f.category = "Financi\xc3\xabn";
	f.description = "Regel\r\nmet\ttab";
	assert_int_equal(ctl_check_report(&f, &msgs), 1);
	assert_string_equal(buf_str(&msgs),
	                    "invalid title: it contains a control character (U+001B)\n");
	buf_free(&msgs);
}

/* Found by test/fuzz/fuzz_csv: "%.64s" cut a long value in the middle of a
 * character, and the terminal got a broken one. */
static void test_a_long_value_is_quoted_without_splitting_a_character(void **state)
{
	char err[256], value[512];
	struct report_form f = { "Omzet", value, "Algemeen", "", value };
	struct buf msgs = { 0 };

	(void)state;
	value[0] = 'x';
	for (int i = 0; i < 101; i++)
		memcpy(value + 1 + 2 * i, "\xc3\xab", 2);
	value[203] = '\0';
	assert_int_equal(ctl_check_role_name(value, err, sizeof err), -1);
	assert_non_null(strstr(err, "longer than 100 characters"));
	assert_true(utf8_count(err, strlen(err)) >= 0);
	assert_int_equal(ctl_check_report(&f, &msgs), 2);
	assert_non_null(strstr(buf_str(&msgs), "invalid URL"));
	assert_non_null(strstr(buf_str(&msgs), "invalid status"));
	assert_true(utf8_count(buf_str(&msgs), msgs.len) >= 0);
	buf_free(&msgs);
}

static void test_status_is_one_of_the_three(void **state)
{
	(void)state;
	assert_true(ctl_status_ok("draft"));
	assert_true(ctl_status_ok("published"));
	assert_true(ctl_status_ok("archived"));
	assert_false(ctl_status_ok("Published"));
	assert_false(ctl_status_ok(""));
}

static void test_report_check_names_the_bad_url_and_status(void **state)
{
	struct report_form f = { "Omzet", "javascript:alert(1)", "Algemeen", "", "live" };
	struct buf msgs = { 0 };

	(void)state;
	assert_int_equal(ctl_check_report(&f, &msgs), 2);
	assert_non_null(strstr(buf_str(&msgs), "invalid URL \"javascript:alert(1)\""));
	assert_non_null(strstr(buf_str(&msgs), "invalid status \"live\""));
	buf_free(&msgs);
}

static void test_report_check_accepts_a_good_report_and_requires_title(void **state)
{
	struct report_form good = { "Omzet", "https://bi.example/omzet", "Financiën", "", "draft" };
	struct report_form blank = { " ", "https://bi.example/", "Algemeen", "", "draft" };
	struct report_form none = { "", "https://bi.example/", "Algemeen", "", "draft" };
	struct buf msgs = { 0 };

	(void)state;
	assert_int_equal(ctl_check_report(&good, &msgs), 0);
	assert_string_equal(buf_str(&msgs), "");
	assert_int_equal(ctl_check_report(&blank, &msgs), 1);
	assert_non_null(strstr(buf_str(&msgs), "title: it is blank"));
	buf_reset(&msgs);
	assert_int_equal(ctl_check_report(&none, &msgs), 1);
	assert_string_equal(buf_str(&msgs), "--title is required\n");
	buf_free(&msgs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_check_refuses_invisible_characters_naming_the_field),
		cmocka_unit_test(test_a_long_value_is_quoted_without_splitting_a_character),
		cmocka_unit_test(test_status_is_one_of_the_three),
		cmocka_unit_test(test_report_check_names_the_bad_url_and_status),
		cmocka_unit_test(test_report_check_accepts_a_good_report_and_requires_title),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
