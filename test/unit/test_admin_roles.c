/*
 * Unit tests for the parts of lib/admin_roles.c that need no database: the
 * check of a role's form, splitting an admin_role_page result into its lists,
 * and the quoting of the searches as an array literal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "admin_roles.h"
#include "buf.h"

#define TEXT_OID 25

struct problems {
	int n;
	char fields[4][32];
	char keys[4][64];
};

static void note(void *ctx, const char *field, const char *key)
{
	struct problems *p = ctx;
	if (p->n < 4) {
		snprintf(p->fields[p->n], sizeof(p->fields[0]), "%s", field);
		snprintf(p->keys[p->n], sizeof(p->keys[0]), "%s", key);
	}
	p->n++;
}

static void test_role_check_accepts_a_plain_name_and_multiline_description(void **state)
{
	(void)state;
	struct problems p = { 0 };
	assert_int_equal(
	    admin_role_check("Financiën", "Regel één\r\nRegel twee\tmet tab", note, &p), 0);
	assert_int_equal(p.n, 0);
}

static void test_role_check_requires_a_name(void **state)
{
	(void)state;
	struct problems p = { 0 };
	assert_int_equal(admin_role_check("", "", note, &p), 1);
	assert_string_equal(p.fields[0], "name");
	assert_string_equal(p.keys[0], "admin.error.required");
}

static void test_role_check_counts_characters_not_bytes(void **state)
{
	(void)state;
	char name[2 * 101 + 1];
	/* 100 two-byte characters are allowed, 101 are not. */
	for (size_t i = 0; i < 100; i++)
		memcpy(name + 2 * i, "\xc3\xab", 2);
	name[200] = '\0';
	struct problems p = { 0 };
	assert_int_equal(admin_role_check(name, "", note, &p), 0);
	memcpy(name + 200, "\xc3\xab", 3);
	assert_int_equal(admin_role_check(name, "", note, &p), 1);
	assert_string_equal(p.fields[0], "name");
	assert_string_equal(p.keys[0], "admin.error.too_long");
}

static void test_role_check_rejects_control_characters_in_the_name(void **state)
{
	(void)state;
	struct problems p = { 0 };
	assert_int_equal(admin_role_check("Rol\nmet regel", "", note, &p), 1);
	assert_string_equal(p.fields[0], "name");
}

static void test_role_check_rejects_a_long_or_escaped_description(void **state)
{
	(void)state;
	char desc[2002];
	memset(desc, 'x', 2001);
	desc[2001] = '\0';
	struct problems p = { 0 };
	assert_int_equal(admin_role_check("Rol", desc, note, &p), 1);
	assert_string_equal(p.fields[0], "description");
	struct problems q = { 0 };
	assert_int_equal(admin_role_check("", "bel\x07", note, &q), 2);
	assert_string_equal(q.fields[1], "description");
}

/* Issue 11, item 9: a role could be named to read as another. */
static void test_role_check_refuses_invisible_and_bidi_characters(void **state)
{
	(void)state;
	struct problems p = { 0 };
	/* clang-format off */ /* split after each \x escape, as written */
	assert_int_equal(admin_role_check("HR\xe2\x80\xae" "eitceriD", "", note, &p), 1);
	/* clang-format on */
	assert_string_equal(p.fields[0], "name");
	assert_string_equal(p.keys[0], "admin.error.invisible");
	struct problems q = { 0 };
	assert_int_equal(admin_role_check("Rol", "Zie\xe2\x81\xa6 hier", note, &q), 1);
	assert_string_equal(q.fields[0], "description");
	assert_string_equal(q.keys[0], "admin.error.invisible");
	/* Line breaks stay welcome in a description, an escape does not. */
	struct problems r = { 0 };
	assert_int_equal(admin_role_check("Rol", "Twee\r\nregels\tmet tab", note, &r), 0);
	assert_int_equal(admin_role_check("Rol\x1b", "", note, &r), 1);
	assert_string_equal(r.keys[0], "admin.error.control");
}

/* A result with the columns (id, kind) and one row per kind in kinds. */
static PGresult *result_of_kinds(const char *const *kinds, int n)
{
	PGresAttDesc attrs[] = {
		{ "id", 0, 0, 0, TEXT_OID, -1, -1 },
		{ "kind", 0, 0, 0, TEXT_OID, -1, -1 },
	};
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	assert_non_null(res);
	assert_int_equal(PQsetResultAttrs(res, 2, attrs), 1);
	for (int i = 0; i < n; i++) {
		char id[16];
		snprintf(id, sizeof(id), "%d", i + 1);
		assert_int_equal(PQsetvalue(res, i, 0, id, (int)strlen(id)), 1);
		assert_int_equal(PQsetvalue(res, i, 1, (char *)kinds[i], (int)strlen(kinds[i])), 1);
	}
	return res;
}

static void test_split_finds_each_list_after_the_role_row(void **state)
{
	(void)state;
	const char *kinds[] = { "role",  "member", "member", "cand", "report",
		                "rcand", "rcand",  "rcand",  "cat" };
	PGresult *res = result_of_kinds(kinds, 9);
	struct admin_role_ranges r;
	admin_roles_split(res, &r);
	assert_int_equal(r.member_first, 1);
	assert_int_equal(r.member_n, 2);
	assert_int_equal(r.cand_first, 3);
	assert_int_equal(r.cand_n, 1);
	assert_int_equal(r.report_first, 4);
	assert_int_equal(r.report_n, 1);
	assert_int_equal(r.rcand_first, 5);
	assert_int_equal(r.rcand_n, 3);
	assert_int_equal(r.cat_first, 8);
	assert_int_equal(r.cat_n, 1);
	PQclear(res);
}

static void test_split_leaves_absent_lists_empty(void **state)
{
	(void)state;
	const char *kinds[] = { "role", "report", "surprise" };
	PGresult *res = result_of_kinds(kinds, 3);
	struct admin_role_ranges r;
	admin_roles_split(res, &r);
	assert_int_equal(r.member_n, 0);
	assert_int_equal(r.cand_n, 0);
	assert_int_equal(r.rcand_n, 0);
	assert_int_equal(r.cat_n, 0);
	assert_int_equal(r.report_first, 1);
	assert_int_equal(r.report_n, 1);
	PQclear(res);
}

static void test_array_item_quotes_and_escapes_quotes_and_backslashes(void **state)
{
	(void)state;
	struct buf b = { 0 };
	buf_putc(&b, '{');
	admin_roles_array_item(&b, "a,b");
	buf_putc(&b, ',');
	admin_roles_array_item(&b, "");
	buf_putc(&b, ',');
	admin_roles_array_item(&b, "zeg \"hoi\" \\o/ {}");
	buf_putc(&b, '}');
	assert_string_equal(buf_str(&b), "{\"a,b\",\"\",\"zeg \\\"hoi\\\" \\\\o/ {}\"}");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_check_accepts_a_plain_name_and_multiline_description),
		cmocka_unit_test(test_role_check_requires_a_name),
		cmocka_unit_test(test_role_check_counts_characters_not_bytes),
		cmocka_unit_test(test_role_check_rejects_control_characters_in_the_name),
		cmocka_unit_test(test_role_check_refuses_invisible_and_bidi_characters),
		cmocka_unit_test(test_role_check_rejects_a_long_or_escaped_description),
		cmocka_unit_test(test_split_finds_each_list_after_the_role_row),
		cmocka_unit_test(test_split_leaves_absent_lists_empty),
		cmocka_unit_test(test_array_item_quotes_and_escapes_quotes_and_backslashes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
