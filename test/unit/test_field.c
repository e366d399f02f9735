/*
 * Unit tests for lib/field.c: every type with its bounds, absent and empty
 * values, required fields, repeated values, bad UTF-8, numbers that
 * overflow, lenient fields, trimming, query against form, and the getters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "field.h"

static struct arena ar;

static int teardown(void **state)
{
	(void)state;
	arena_free(&ar);
	return 0;
}

/* A list of n pairs key, value, as req_parse leaves them (raw: the tests
 * can put what req_parse would refuse). */
static struct kvlist list(size_t n, const char *const *kv)
{
	struct kvlist l = { arena_alloc(&ar, sizeof(struct kv) * (n + 1)), n };
	for (size_t i = 0; i < n; i++)
		l.items[i] = (struct kv){ kv[2 * i], kv[2 * i + 1], strlen(kv[2 * i + 1]) };
	return l;
}

/* Checks one query pair key=value against fields. */
static int check1(const struct field *fields, const char *key, const char *value,
                  struct fieldset *fs)
{
	const char *kv[] = { key, value };
	struct kvlist q = list(1, kv);
	return field_check(fs, fields, &q, NULL, &ar);
}

static const struct field ints[] = {
	{ "n", FIELD_INT, FIELD_QUERY, -5, 10, NULL },
	{ "any", FIELD_INT, FIELD_QUERY, 0, 0, NULL },
	FIELDS_END,
};

static void test_int_within_bounds_is_read(void **state)
{
	(void)state;
	struct fieldset fs;
	assert_int_equal(check1(ints, "n", "10", &fs), 0);
	assert_int_equal(field_int(&fs, "n", 0), 10);
	assert_int_equal(check1(ints, "n", "-5", &fs), 0);
	assert_int_equal(field_int(&fs, "n", 0), -5);
	assert_int_equal(check1(ints, "n", "007", &fs), 0);
	assert_int_equal(field_int(&fs, "n", 0), 7);
	assert_true(field_present(&fs, "n"));
	assert_false(field_present(&fs, "any"));
}

static void test_int_out_of_bounds_is_bad(void **state)
{
	(void)state;
	struct fieldset fs;
	assert_int_equal(check1(ints, "n", "11", &fs), -1);
	assert_ptr_equal(fs.bad, &ints[0]);
	assert_int_equal(field_get(&fs, "n")->problem, FIELD_OUT_OF_RANGE);
	assert_int_equal(field_int(&fs, "n", 3), 3);
	assert_int_equal(check1(ints, "n", "-6", &fs), -1);
	assert_int_equal(field_get(&fs, "n")->problem, FIELD_OUT_OF_RANGE);
}

static void test_int_that_is_not_a_plain_number_is_bad(void **state)
{
	(void)state;
	struct fieldset fs;
	const char *bad[] = { "1x", " 1", "1 ", "+1", "-", "1.5", "0x10", "١" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(check1(ints, "n", bad[i], &fs), -1);
		assert_int_equal(field_get(&fs, "n")->problem, FIELD_NOT_A_NUMBER);
	}
}

static void test_int_overflow_is_bad_and_the_limits_are_not(void **state)
{
	(void)state;
	struct fieldset fs;
	assert_int_equal(check1(ints, "any", "9223372036854775807", &fs), 0);
	assert_true(field_int(&fs, "any", 0) == INT64_MAX);
	assert_int_equal(check1(ints, "any", "-9223372036854775808", &fs), 0);
	assert_true(field_int(&fs, "any", 0) == INT64_MIN);
	assert_int_equal(check1(ints, "any", "9223372036854775808", &fs), -1);
	assert_int_equal(field_get(&fs, "any")->problem, FIELD_NOT_A_NUMBER);
	assert_int_equal(check1(ints, "any", "-9223372036854775809", &fs), -1);
	assert_int_equal(check1(ints, "any", "99999999999999999999999", &fs), -1);
}

static const struct field ids[] = {
	{ "id", FIELD_ID, FIELD_QUERY, 0, 0, NULL },
	{ "small", FIELD_ID, FIELD_QUERY, 1, 100, NULL },
	FIELDS_END,
};

static void test_id_takes_what_the_router_takes(void **state)
{
	(void)state;
	struct fieldset fs;
	assert_int_equal(check1(ids, "id", "1", &fs), 0);
	assert_int_equal(field_int(&fs, "id", 0), 1);
	assert_int_equal(check1(ids, "id", "999999999999999999", &fs), 0);
	assert_int_equal(field_int(&fs, "id", 0), 999999999999999999LL);
	const char *bad[] = { "0", "01", "-1", "1000000000000000000", "1a" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(check1(ids, "id", bad[i], &fs), -1);
		assert_int_equal(field_get(&fs, "id")->problem, FIELD_NOT_A_NUMBER);
	}
	assert_int_equal(check1(ids, "small", "101", &fs), -1);
	assert_int_equal(field_get(&fs, "small")->problem, FIELD_OUT_OF_RANGE);
}

static const struct field texts[] = {
	{ "t", FIELD_TEXT, FIELD_QUERY, 2, 4, NULL },
	{ "trim", FIELD_TEXT, FIELD_QUERY | FIELD_TRIM, 0, 3, NULL },
	FIELDS_END,
};

static void test_text_length_counts_characters_not_bytes(void **state)
{
	(void)state;
	struct fieldset fs;
	assert_int_equal(check1(texts, "t", "ëëëë", &fs), 0);
	assert_string_equal(field_str(&fs, "t", NULL), "ëëëë");
	assert_int_equal(check1(texts, "t", "ëëëëë", &fs), -1);
	assert_int_equal(field_get(&fs, "t")->problem, FIELD_TOO_LONG);
	assert_int_equal(check1(texts, "t", "x", &fs), -1);
	assert_int_equal(field_get(&fs, "t")->problem, FIELD_TOO_SHORT);
}

static void test_text_may_be_empty_and_is_then_present(void **state)
{
	(void)state;
	struct fieldset fs;
	assert_int_equal(check1(texts, "trim", "", &fs), 0);
	assert_true(field_present(&fs, "trim"));
	assert_string_equal(field_str(&fs, "trim", "default"), "");
}

static void test_trim_removes_spaces_tabs_and_line_breaks_before_the_bounds(void **state)
{
	(void)state;
	struct fieldset fs;
	assert_int_equal(check1(texts, "trim", " \t abc\r\n ", &fs), 0);
	assert_string_equal(field_str(&fs, "trim", NULL), "abc");
	assert_int_equal(check1(texts, "trim", " a b ", &fs), 0);
	assert_string_equal(field_str(&fs, "trim", NULL), "a b");
	assert_int_equal(check1(texts, "trim", " abcd ", &fs), -1);
}

static void test_bad_utf8_is_bad_for_every_type(void **state)
{
	(void)state;
	struct fieldset fs;
	assert_int_equal(check1(texts, "t", "a\xc3", &fs), -1);
	assert_int_equal(field_get(&fs, "t")->problem, FIELD_BAD_UTF8);
	assert_int_equal(check1(texts, "t", "\xc0\xaf", &fs), -1); /* overlong '/' */
	assert_int_equal(field_get(&fs, "t")->problem, FIELD_BAD_UTF8);
	assert_int_equal(check1(ints, "n", "\xff", &fs), -1);
	assert_int_equal(field_get(&fs, "n")->problem, FIELD_BAD_UTF8);
}

static const struct field bools[] = {
	{ "b", FIELD_BOOL, FIELD_FORM, 0, 0, NULL },
	{ "soft", FIELD_BOOL, FIELD_FORM | FIELD_LENIENT, 0, 0, NULL },
	FIELDS_END,
};

static void test_bool_takes_the_words_of_a_checkbox(void **state)
{
	(void)state;
	struct fieldset fs;
	const char *yes[] = { "b", "1" }, *on[] = { "b", "on" }, *no[] = { "b", "0" },
	           *off[] = { "b", "off" }, *what[] = { "b", "yes" };
	struct kvlist f = list(1, yes);
	assert_int_equal(field_check(&fs, bools, NULL, &f, &ar), 0);
	assert_int_equal(field_int(&fs, "b", 0), 1);
	f = list(1, on);
	assert_int_equal(field_check(&fs, bools, NULL, &f, &ar), 0);
	assert_int_equal(field_int(&fs, "b", 0), 1);
	f = list(1, no);
	assert_int_equal(field_check(&fs, bools, NULL, &f, &ar), 0);
	assert_int_equal(field_int(&fs, "b", 1), 0);
	f = list(1, off);
	assert_int_equal(field_check(&fs, bools, NULL, &f, &ar), 0);
	assert_int_equal(field_int(&fs, "b", 1), 0);
	f = list(1, what);
	assert_int_equal(field_check(&fs, bools, NULL, &f, &ar), -1);
	assert_int_equal(field_get(&fs, "b")->problem, FIELD_NOT_A_CHOICE);
}

static void test_lenient_field_reads_a_bad_value_as_absent(void **state)
{
	(void)state;
	struct fieldset fs;
	const char *kv[] = { "soft", "x" };
	struct kvlist f = list(1, kv);
	assert_int_equal(field_check(&fs, bools, NULL, &f, &ar), 0);
	assert_null(fs.bad);
	assert_false(field_present(&fs, "soft"));
	assert_int_equal(field_get(&fs, "soft")->problem, FIELD_NOT_A_CHOICE);
	assert_int_equal(field_int(&fs, "soft", 0), 0);
}

static const char *const colours[] = { "red", "green", NULL };
static const struct field enums[] = {
	{ "c", FIELD_ENUM, FIELD_QUERY, 0, 0, colours },
	FIELDS_END,
};

static void test_enum_gives_the_index_and_the_choice(void **state)
{
	(void)state;
	struct fieldset fs;
	assert_int_equal(check1(enums, "c", "green", &fs), 0);
	assert_int_equal(field_int(&fs, "c", -1), 1);
	assert_string_equal(field_str(&fs, "c", NULL), "green");
	assert_ptr_equal(field_str(&fs, "c", NULL), colours[1]);
	assert_int_equal(check1(enums, "c", "Green", &fs), -1);
	assert_int_equal(field_get(&fs, "c")->problem, FIELD_NOT_A_CHOICE);
	assert_int_equal(check1(enums, "c", "red ", &fs), -1);
}

static void test_empty_value_of_a_number_or_choice_is_absent(void **state)
{
	(void)state;
	struct fieldset fs;
	assert_int_equal(check1(ints, "n", "", &fs), 0);
	assert_false(field_present(&fs, "n"));
	assert_int_equal(field_int(&fs, "n", 4), 4);
	assert_int_equal(check1(enums, "c", "", &fs), 0);
	assert_string_equal(field_str(&fs, "c", "red"), "red");
}

static const struct field required[] = {
	{ "must", FIELD_TEXT, FIELD_FORM | FIELD_TRIM | FIELD_REQUIRED, 0, 0, NULL },
	{ "also", FIELD_INT, FIELD_FORM | FIELD_REQUIRED, 0, 0, NULL },
	FIELDS_END,
};

static void test_required_field_missing_or_empty_is_bad(void **state)
{
	(void)state;
	struct fieldset fs;
	const char *kv[] = { "must", "  ", "also", "1" };
	struct kvlist f = list(2, kv);
	assert_int_equal(field_check(&fs, required, NULL, &f, &ar), -1);
	assert_ptr_equal(fs.bad, &required[0]);
	assert_int_equal(field_get(&fs, "must")->problem, FIELD_MISSING);
	f = list(1, kv + 2);
	assert_int_equal(field_check(&fs, required, NULL, &f, &ar), -1);
	assert_ptr_equal(fs.bad, &required[0]);
	const char *both[] = { "must", "v", "also", "" };
	f = list(2, both);
	assert_int_equal(field_check(&fs, required, NULL, &f, &ar), -1);
	assert_ptr_equal(fs.bad, &required[1]);
	const char *good[] = { "must", " v ", "also", "2" };
	f = list(2, good);
	assert_int_equal(field_check(&fs, required, NULL, &f, &ar), 0);
	assert_string_equal(field_str(&fs, "must", NULL), "v");
}

static void test_form_field_is_not_read_from_the_query(void **state)
{
	(void)state;
	struct fieldset fs;
	const char *kv[] = { "must", "v", "also", "2" };
	struct kvlist q = list(2, kv);
	assert_int_equal(field_check(&fs, required, &q, NULL, &ar), -1);
	assert_int_equal(field_get(&fs, "must")->problem, FIELD_MISSING);
}

static void test_repeated_single_field_is_bad(void **state)
{
	(void)state;
	struct fieldset fs;
	const char *kv[] = { "n", "1", "n", "2" };
	struct kvlist q = list(2, kv);
	assert_int_equal(field_check(&fs, ints, &q, NULL, &ar), -1);
	assert_int_equal(field_get(&fs, "n")->problem, FIELD_REPEATED);
}

static const struct field multi[] = {
	{ "id[]", FIELD_ID, FIELD_FORM | FIELD_MULTI, 0, 0, NULL },
	FIELDS_END,
};

static void test_multi_field_keeps_every_value_in_order(void **state)
{
	(void)state;
	struct fieldset fs;
	const char *kv[] = { "id[]", "3", "other", "x", "id[]", "12" };
	struct kvlist f = list(3, kv);
	assert_int_equal(field_check(&fs, multi, NULL, &f, &ar), 0);
	const struct field_value *v = field_get(&fs, "id[]");
	assert_int_equal(v->n, 2);
	assert_int_equal(v->nums[0], 3);
	assert_int_equal(v->nums[1], 12);
	assert_string_equal(v->all[1], "12");
	assert_string_equal(field_id_array(&fs, "id[]"), "{3,12}");
}

static void test_multi_field_with_one_bad_value_is_bad_even_an_empty_one(void **state)
{
	(void)state;
	struct fieldset fs;
	const char *kv[] = { "id[]", "3", "id[]", "x" };
	struct kvlist f = list(2, kv);
	assert_int_equal(field_check(&fs, multi, NULL, &f, &ar), -1);
	assert_null(field_id_array(&fs, "id[]"));
	const char *empty[] = { "id[]", "" };
	f = list(1, empty);
	assert_int_equal(field_check(&fs, multi, NULL, &f, &ar), -1);
	assert_int_equal(field_get(&fs, "id[]")->problem, FIELD_NOT_A_NUMBER);
}

static void test_multi_field_absent_gives_no_array(void **state)
{
	(void)state;
	struct fieldset fs;
	assert_int_equal(field_check(&fs, multi, NULL, NULL, &ar), 0);
	assert_false(field_present(&fs, "id[]"));
	assert_null(field_id_array(&fs, "id[]"));
}

static void test_route_without_fields_checks_nothing(void **state)
{
	(void)state;
	struct fieldset fs;
	const char *kv[] = { "page", "x" };
	struct kvlist q = list(1, kv);
	assert_int_equal(field_check(&fs, NULL, &q, NULL, &ar), 0);
	assert_int_equal(fs.n, 0);
	assert_null(fs.bad);
}

static void test_undeclared_field_reads_as_its_default(void **state)
{
	(void)state;
	struct fieldset fs;
	assert_int_equal(check1(ints, "undeclared", "5", &fs), 0);
	assert_null(field_get(&fs, "undeclared"));
	assert_int_equal(field_int(&fs, "undeclared", 9), 9);
	assert_string_equal(field_str(&fs, "undeclared", "d"), "d");
}

static void test_first_bad_field_in_table_order_is_named(void **state)
{
	(void)state;
	struct fieldset fs;
	const char *kv[] = { "any", "x", "n", "99" };
	struct kvlist q = list(2, kv);
	assert_int_equal(field_check(&fs, ints, &q, NULL, &ar), -1);
	assert_ptr_equal(fs.bad, &ints[0]);
	assert_int_equal(field_get(&fs, "any")->problem, FIELD_NOT_A_NUMBER);
}

static void test_every_problem_has_a_name(void **state)
{
	(void)state;
	for (int p = FIELD_FINE; p <= FIELD_NOT_A_CHOICE; p++)
		assert_string_not_equal(field_problem_str((enum field_problem)p), "unknown");
}

#define T(fn) cmocka_unit_test_teardown(fn, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_int_within_bounds_is_read),
		T(test_int_out_of_bounds_is_bad),
		T(test_int_that_is_not_a_plain_number_is_bad),
		T(test_int_overflow_is_bad_and_the_limits_are_not),
		T(test_id_takes_what_the_router_takes),
		T(test_text_length_counts_characters_not_bytes),
		T(test_text_may_be_empty_and_is_then_present),
		T(test_trim_removes_spaces_tabs_and_line_breaks_before_the_bounds),
		T(test_bad_utf8_is_bad_for_every_type),
		T(test_bool_takes_the_words_of_a_checkbox),
		T(test_lenient_field_reads_a_bad_value_as_absent),
		T(test_enum_gives_the_index_and_the_choice),
		T(test_empty_value_of_a_number_or_choice_is_absent),
		T(test_required_field_missing_or_empty_is_bad),
		T(test_form_field_is_not_read_from_the_query),
		T(test_repeated_single_field_is_bad),
		T(test_multi_field_keeps_every_value_in_order),
		T(test_multi_field_with_one_bad_value_is_bad_even_an_empty_one),
		T(test_multi_field_absent_gives_no_array),
		T(test_route_without_fields_checks_nothing),
		T(test_undeclared_field_reads_as_its_default),
		T(test_first_bad_field_in_table_order_is_named),
		T(test_every_problem_has_a_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
