/*
 * Unit tests of lib/ctl_import.c: the CSV users import parser (everything that needs no
 * database).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl_import.h"
#include "req.h"

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
