/*
 * Unit tests of lib/ctl_admin.c: argument parsing, value checks, the
 * PostgreSQL array literal and the CSV users import
 * parser (everything that needs no database).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl_admin.h"
#include "req.h"

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

/* ---- the import parser ---- */

#define HEADER "username,email,display name,roles\n"

static int parse_csv(const char *csv, struct ctl_import *im, struct buf *errs)
{
	return ctl_import_parse(csv, strlen(csv), "u.csv", im, errs);
}

static void test_import_reads_rows_with_quotes_commas_and_roles(void **state)
{
	const char *csv =
	    "\xEF\xBB\xBF" HEADER "bram,bram@ced.example,\"Janssen, Bram\",HR; Financiën\r\n"
	    "\r\n"
	    "carla , carla@ced.example,\"Carla \"\"C\"\" de Wit\",\n";
	struct ctl_import im;
	struct buf errs = { 0 };

	(void)state;
	assert_int_equal(parse_csv(csv, &im, &errs), 0);
	assert_string_equal(buf_str(&errs), "");
	assert_int_equal(im.nrows, 2);
	assert_int_equal(im.rows[0].line, 2);
	assert_string_equal(im.rows[0].username, "bram");
	assert_string_equal(im.rows[0].display_name, "Janssen, Bram");
	assert_int_equal(im.rows[0].nroles, 2);
	assert_int_equal(im.rows[1].line, 4);
	assert_string_equal(im.rows[1].username, "carla");
	assert_string_equal(im.rows[1].display_name, "Carla \"C\" de Wit");
	assert_int_equal(im.rows[1].nroles, 0);
	/* Distinct role names, sorted regardless of case. */
	assert_int_equal(im.nroles, 2);
	assert_string_equal(im.role_names[im.rows[0].roles[0]], "HR");
	assert_string_equal(im.role_names[im.rows[0].roles[1]], "Financiën");
	assert_string_equal(im.role_names[0], "Financiën");
	ctl_import_free(&im);
	buf_free(&errs);
}

static void test_import_merges_role_names_that_differ_in_case(void **state)
{
	const char *csv = HEADER "a,a@x.example,,HR;hr;;Directie\n"
	                         "b,b@x.example,,directie\n";
	struct ctl_import im;
	struct buf errs = { 0 };

	(void)state;
	assert_int_equal(parse_csv(csv, &im, &errs), 0);
	assert_int_equal(im.nroles, 2);
	assert_int_equal(im.rows[0].nroles, 2);
	assert_int_equal(im.rows[1].nroles, 1);
	assert_int_equal(im.rows[1].roles[0], im.rows[0].roles[1]);
	assert_int_equal(im.role_line[im.rows[1].roles[0]], 2);
	ctl_import_free(&im);
	buf_free(&errs);
}

static void test_import_counts_lines_inside_quoted_fields(void **state)
{
	const char *csv = HEADER "a,a@x.example,\"two\nlines\",\n"
	                         "b,bad,,\n";
	struct ctl_import im;
	struct buf errs = { 0 };

	(void)state;
	/* The line break is a control character in a display name, and the
	 * bad email is on line 4, not 3. */
	assert_int_equal(parse_csv(csv, &im, &errs), 2);
	assert_non_null(strstr(buf_str(&errs), "u.csv:2: invalid name"));
	assert_non_null(strstr(buf_str(&errs), "u.csv:4: invalid email address \"bad\""));
	ctl_import_free(&im);
	buf_free(&errs);
}

static void test_import_rejects_a_wrong_header(void **state)
{
	struct ctl_import im;
	struct buf errs = { 0 };

	(void)state;
	assert_int_equal(parse_csv("user,email,name,roles\na,a@x.example,,\n", &im, &errs), 1);
	assert_non_null(strstr(buf_str(&errs), "u.csv:1: the first line must be the header"));
	ctl_import_free(&im);
	buf_reset(&errs);
	assert_int_equal(parse_csv("USERNAME, Email ,display_name,Roles\n", &im, &errs), 0);
	assert_int_equal(im.nrows, 0);
	ctl_import_free(&im);
	buf_free(&errs);
}

static void test_import_rejects_an_empty_file(void **state)
{
	struct ctl_import im;
	struct buf errs = { 0 };

	(void)state;
	assert_int_equal(parse_csv("\n\n", &im, &errs), 1);
	assert_non_null(strstr(buf_str(&errs), "the file is empty"));
	ctl_import_free(&im);
	buf_free(&errs);
}

static void test_import_names_malformed_csv_with_its_line(void **state)
{
	const char *csv = HEADER "a,a@x.example,x\"y,\n"
	                         "\"b\"c,b@x.example,,\n"
	                         "c,c@x.example,,\n"
	                         "d,\"d@x.example,,\n";
	struct ctl_import im;
	struct buf errs = { 0 };

	(void)state;
	assert_int_equal(parse_csv(csv, &im, &errs), 3);
	assert_non_null(strstr(buf_str(&errs), "u.csv:2: a quote inside an unquoted field"));
	assert_non_null(strstr(buf_str(&errs), "u.csv:3: unexpected character after a closing"));
	assert_non_null(strstr(buf_str(&errs), "u.csv:5: quoted field opened on line 5"));
	ctl_import_free(&im);
	buf_free(&errs);
}

static void test_import_requires_four_fields(void **state)
{
	struct ctl_import im;
	struct buf errs = { 0 };

	(void)state;
	assert_int_equal(parse_csv(HEADER "a,a@x.example\nb,b@x.example,,,x\n", &im, &errs), 2);
	assert_non_null(strstr(buf_str(&errs), "u.csv:2: expected 4 fields"));
	assert_non_null(strstr(buf_str(&errs), "found 5"));
	ctl_import_free(&im);
	buf_free(&errs);
}

static void test_import_rejects_duplicate_usernames_and_emails_in_any_case(void **state)
{
	const char *csv = HEADER "bram,b1@x.example,,\n"
	                         "carla,c@x.example,,\n"
	                         "BRAM,b2@x.example,,\n"
	                         "dirk,C@X.example,,\n";
	struct ctl_import im;
	struct buf errs = { 0 };

	(void)state;
	assert_int_equal(parse_csv(csv, &im, &errs), 2);
	assert_non_null(strstr(buf_str(&errs), "u.csv:4: user \"BRAM\" is also on line 2"));
	assert_non_null(
	    strstr(buf_str(&errs), "u.csv:5: email address \"C@X.example\" is also on line 3"));
	ctl_import_free(&im);
	buf_free(&errs);
}

/* Found by test/fuzz/fuzz_csv: a value refused on its own line was named
 * again as a duplicate, raw, control characters and all ("user \"a\rb\" is
 * also on line 2" sent a carriage return to the terminal). */
static void test_import_names_no_duplicate_of_a_value_it_refused(void **state)
{
	const char *csv = HEADER "\"a\rb\",a@x.example,,\n"
	                         "\"a\rb\",b@x.example,,\n"
	                         "c,,,\n"
	                         "d,,,\n";
	struct ctl_import im;
	struct buf errs = { 0 };

	(void)state;
	assert_int_equal(parse_csv(csv, &im, &errs), 4);
	assert_null(strchr(buf_str(&errs), '\r'));
	assert_null(strstr(buf_str(&errs), "is also on line"));
	assert_non_null(strstr(buf_str(&errs), "u.csv:3: invalid user name"));
	assert_non_null(strstr(buf_str(&errs), "u.csv:5: email address is empty"));
	ctl_import_free(&im);
	buf_free(&errs);
}

/* Issue 11, item 8: the cell reader copied a field with a NUL byte and the
 * checks after it saw the C string, so "dirk\0x" was the user dirk and the
 * row updated that user's email. Every byte of the file counts. */
static void test_import_refuses_a_nul_byte_naming_file_line_and_field(void **state)
{
	static const char csv[] = HEADER "bram,bram@ced.example,,\n"
	                                 "dirk\0x,attacker@evil.example,,Directie\n"
	                                 "carla,carla@ced.example,,\"HR\0;Directie\"\n";
	struct ctl_import im;
	struct buf errs = { 0 };

	(void)state;
	assert_int_equal(ctl_import_parse(csv, sizeof csv - 1, "u.csv", &im, &errs), 2);
	assert_non_null(strstr(buf_str(&errs), "u.csv:3: field 1 holds a NUL byte"));
	assert_non_null(strstr(buf_str(&errs), "u.csv:4: field 4 holds a NUL byte"));
	ctl_import_free(&im);
	buf_free(&errs);
}

/* The other C0 controls and DEL are refused by the reader too, quoted or
 * not; a line break or tab inside a quoted field is left to the value
 * checks (no field of the users file may hold one, each says so), and a
 * carriage return that ends no line is refused where it stands. */
static void test_import_refuses_control_characters_in_any_cell(void **state)
{
	const char *csv = HEADER "a,a@x.example,\"Esc \x1b[2J\",\n"
	                         "b,b@x.example\x7f,,\n"
	                         "c,c@x.example,C\rd,\n"
	                         "d,d@x.example,\"D\te\",\n"
	                         "e,e@x.example,,\"HR\x0b\"\n";
	struct ctl_import im;
	struct buf errs = { 0 };

	(void)state;
	assert_int_equal(parse_csv(csv, &im, &errs), 5);
	assert_non_null(
	    strstr(buf_str(&errs), "u.csv:2: field 3 holds a control character (0x1b)"));
	assert_non_null(
	    strstr(buf_str(&errs), "u.csv:3: field 2 holds a control character (0x7f)"));
	assert_non_null(
	    strstr(buf_str(&errs), "u.csv:4: field 3 holds a control character (0x0d)"));
	assert_non_null(strstr(buf_str(&errs), "u.csv:5: invalid name"));
	assert_non_null(
	    strstr(buf_str(&errs), "u.csv:6: field 4 holds a control character (0x0b)"));
	assert_null(strpbrk(buf_str(&errs), "\x1b\x7f\r\t\x0b"));
	ctl_import_free(&im);
	buf_free(&errs);
}

static void test_import_refuses_invisible_characters_in_names_and_roles(void **state)
{
	/* clang-format off */ /* split after each \x escape, as written */
	const char *csv = HEADER "dirk\xe2\x80\x8b,d@x.example,,\n"
	                         "e,e@x.example,\"Eva \xe2\x80\xae" "kuB\",\n"
	                         "f,f@x.example,,HR;\xe2\x81\xa6" "Directie\n";
	/* clang-format on */
	struct ctl_import im;
	struct buf errs = { 0 };

	(void)state;
	assert_int_equal(parse_csv(csv, &im, &errs), 3);
	assert_non_null(strstr(buf_str(&errs), "u.csv:2: invalid user name: it contains an "
	                                       "invisible or bidirectional formatting character "
	                                       "(U+200B)"));
	assert_non_null(strstr(buf_str(&errs), "u.csv:3: invalid name: it contains an invisible"));
	assert_non_null(strstr(buf_str(&errs), "u.csv:4: invalid role name: it contains an "
	                                       "invisible or bidirectional formatting character "
	                                       "(U+2066)"));
	assert_null(strstr(buf_str(&errs), "\xe2\x80"));
	ctl_import_free(&im);
	buf_free(&errs);
}

static void test_import_rejects_invalid_utf8_and_bad_role_names(void **state)
{
	const char *csv = HEADER "a\xff,a@x.example,,\n"
	                         "b,b@x.example,,HR\x01\n";
	struct ctl_import im;
	struct buf errs = { 0 };

	(void)state;
	assert_int_equal(parse_csv(csv, &im, &errs), 2);
	assert_non_null(strstr(buf_str(&errs), "u.csv:2: not valid UTF-8"));
	assert_non_null(
	    strstr(buf_str(&errs), "u.csv:3: field 4 holds a control character (0x01)"));
	ctl_import_free(&im);
	buf_free(&errs);
}

static void test_import_stops_after_fifty_problems(void **state)
{
	struct buf csv = { 0 }, errs = { 0 };
	struct ctl_import im;
	size_t lines = 0;

	(void)state;
	buf_puts(&csv, HEADER);
	for (int i = 0; i < 200; i++)
		buf_printf(&csv, "u%d,bad,,\n", i);
	assert_true(ctl_import_parse(csv.data, csv.len, "u.csv", &im, &errs) >= 50);
	for (const char *p = buf_str(&errs); *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 51);
	assert_non_null(strstr(buf_str(&errs), "too many problems"));
	ctl_import_free(&im);
	buf_free(&csv);
	buf_free(&errs);
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
		cmocka_unit_test(test_role_name_rejects_blank_control_and_long_names),
		cmocka_unit_test(test_role_checks_refuse_invisible_and_bidi_characters),
		cmocka_unit_test(test_report_check_refuses_invisible_characters_naming_the_field),
		cmocka_unit_test(test_a_long_value_is_quoted_without_splitting_a_character),
		cmocka_unit_test(test_status_is_one_of_the_three),
		cmocka_unit_test(test_report_check_names_the_bad_url_and_status),
		cmocka_unit_test(test_report_check_accepts_a_good_report_and_requires_title),
		cmocka_unit_test(test_text_array_escapes_quotes_and_backslashes),
		cmocka_unit_test(test_import_reads_rows_with_quotes_commas_and_roles),
		cmocka_unit_test(test_import_merges_role_names_that_differ_in_case),
		cmocka_unit_test(test_import_counts_lines_inside_quoted_fields),
		cmocka_unit_test(test_import_rejects_a_wrong_header),
		cmocka_unit_test(test_import_rejects_an_empty_file),
		cmocka_unit_test(test_import_names_malformed_csv_with_its_line),
		cmocka_unit_test(test_import_requires_four_fields),
		cmocka_unit_test(test_import_rejects_duplicate_usernames_and_emails_in_any_case),
		cmocka_unit_test(test_import_names_no_duplicate_of_a_value_it_refused),
		cmocka_unit_test(test_import_refuses_a_nul_byte_naming_file_line_and_field),
		cmocka_unit_test(test_import_refuses_control_characters_in_any_cell),
		cmocka_unit_test(test_import_refuses_invisible_characters_in_names_and_roles),
		cmocka_unit_test(test_import_rejects_invalid_utf8_and_bad_role_names),
		cmocka_unit_test(test_import_stops_after_fifty_problems),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
