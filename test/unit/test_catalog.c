/*
 * Unit tests for the parts of lib/catalog.c that need no database: choosing
 * the list statement, splitting a list result into its kinds of rows, and
 * the check of the URLs that /go/{id} redirects to.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"

#define TEXT_OID 25

/* A result with the columns (id, col) and one row per kind in kinds. */
static PGresult *result_of_kinds(const char *col, const char *const *kinds, int n)
{
	PGresAttDesc attrs[] = {
		{ "id", 0, 0, 0, TEXT_OID, -1, -1 },
		{ (char *)col, 0, 0, 0, TEXT_OID, -1, -1 },
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

static void test_split_finds_each_kind_after_the_me_row(void **state)
{
	(void)state;
	const char *const kinds[] = { "me", "page", "page", "page", "cat", "cat", "fav" };
	PGresult *res = result_of_kinds("kind", kinds, 7);
	struct catalog_ranges r;

	memset(&r, 0x55, sizeof(r));
	catalog_split(res, &r);
	assert_int_equal(r.page_first, 1);
	assert_int_equal(r.page_n, 3);
	assert_int_equal(r.cat_first, 4);
	assert_int_equal(r.cat_n, 2);
	assert_int_equal(r.fav_first, 6);
	assert_int_equal(r.fav_n, 1);
	assert_int_equal(r.recent_first, 0);
	assert_int_equal(r.recent_n, 0);
	PQclear(res);
}

/* The home page's result: favourites, recent, new after the "me" row. */
static void test_split_finds_the_home_pages_three_lists(void **state)
{
	(void)state;
	const char *const kinds[] = {
		"me", "fav", "fav", "recent", "recent", "recent", "new", "new"
	};
	PGresult *res = result_of_kinds("kind", kinds, 8);
	struct catalog_ranges r;

	catalog_split(res, &r);
	assert_int_equal(r.page_n, 0);
	assert_int_equal(r.cat_n, 0);
	assert_int_equal(r.fav_first, 1);
	assert_int_equal(r.fav_n, 2);
	assert_int_equal(r.recent_first, 3);
	assert_int_equal(r.recent_n, 3);
	assert_int_equal(r.new_first, 6);
	assert_int_equal(r.new_n, 2);
	PQclear(res);
}

/* The home page's statement takes SESSION_CTE's two parameters only. */
static void test_home_stmt_takes_the_session_only(void **state)
{
	(void)state;
	const struct db_stmt *st = catalog_stmts;
	while (st->name != NULL && strcmp(st->name, "home_page") != 0)
		st++;
	assert_non_null(st->name);
	assert_int_equal(st->nparams, 2);
	assert_non_null(strstr(st->sql, "session_read("));
}

/* The statement's parameters: SESSION_CTE's two, then the first np of
 * { offset, category, sort, q }. */
static void expect_list_stmt(const char *q, const char *cat, const char *sort, const char *name,
                             int np)
{
	int n = -1;
	const char *got = catalog_list_stmt(q, cat, sort, &n);
	assert_string_equal(got, name);
	assert_int_equal(n, np);
	const struct db_stmt *st = catalog_stmts;
	while (st->name != NULL && strcmp(st->name, name) != 0)
		st++;
	assert_non_null(st->name);
	assert_int_equal(st->nparams, 2 + np);
}

static void test_list_stmt_is_chosen_by_search_category_and_sort(void **state)
{
	(void)state;
	expect_list_stmt("", "", "title", "reports_title", 1);
	expect_list_stmt("", "", "updated", "reports_updated", 1);
	expect_list_stmt("", "HR", "title", "reports_category", 3);
	expect_list_stmt("", "HR", "updated", "reports_category", 3);
	expect_list_stmt("omzet", "", "title", "reports_search", 4);
	expect_list_stmt("omzet", "HR", "updated", "reports_search", 4);
}

static void test_split_of_empty_result_has_no_rows_of_any_kind(void **state)
{
	(void)state;
	PGresult *res = result_of_kinds("kind", NULL, 0);
	struct catalog_ranges r;

	memset(&r, 0x55, sizeof(r));
	catalog_split(res, &r);
	assert_int_equal(r.page_n, 0);
	assert_int_equal(r.cat_n, 0);
	assert_int_equal(r.fav_n, 0);
	assert_int_equal(r.recent_n, 0);
	assert_int_equal(r.new_n, 0);
	assert_int_equal(r.page_first, 0);
	PQclear(res);
}

static void test_split_without_kind_column_has_no_rows_of_any_kind(void **state)
{
	(void)state;
	const char *const kinds[] = { "me", "page", "page" };
	PGresult *res = result_of_kinds("sort", kinds, 3);
	struct catalog_ranges r;

	memset(&r, 0x55, sizeof(r));
	catalog_split(res, &r);
	assert_int_equal(r.page_n, 0);
	assert_int_equal(r.cat_n, 0);
	assert_int_equal(r.fav_n, 0);
	assert_int_equal(r.recent_n, 0);
	PQclear(res);
}

static void test_url_ok_accepts_http_and_https_in_any_case(void **state)
{
	(void)state;
	assert_int_equal(catalog_url_ok("https://bi.ced.example/report?id=7&x=%20"), 1);
	assert_int_equal(catalog_url_ok("http://intranet.example/"), 1);
	assert_int_equal(catalog_url_ok("HTTPS://BI.EXAMPLE/"), 1);
	assert_int_equal(catalog_url_ok("HtTp://x"), 1);
}

static void test_url_ok_refuses_scheme_without_host(void **state)
{
	(void)state;
	assert_int_equal(catalog_url_ok("https://"), 0);
	assert_int_equal(catalog_url_ok("http://"), 0);
	assert_int_equal(catalog_url_ok(""), 0);
	assert_int_equal(catalog_url_ok(NULL), 0);
}

static void test_url_ok_refuses_other_schemes(void **state)
{
	(void)state;
	assert_int_equal(catalog_url_ok("javascript:alert(1)"), 0);
	assert_int_equal(catalog_url_ok("ftp://x"), 0);
	assert_int_equal(catalog_url_ok("data:text/html,<script>alert(1)</script>"), 0);
	assert_int_equal(catalog_url_ok("//evil.example/"), 0);
	assert_int_equal(catalog_url_ok("/reports"), 0);
	assert_int_equal(catalog_url_ok("httpx://x"), 0);
}

static void test_url_ok_refuses_whitespace_and_control_characters(void **state)
{
	(void)state;
	assert_int_equal(catalog_url_ok(" https://x"), 0);
	assert_int_equal(catalog_url_ok("https://x y"), 0);
	assert_int_equal(catalog_url_ok("https://x\t"), 0);
	assert_int_equal(catalog_url_ok("https://x\r\nSet-Cookie: a=b"), 0);
	assert_int_equal(catalog_url_ok("https://x\x7f"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_finds_each_kind_after_the_me_row),
		cmocka_unit_test(test_split_finds_the_home_pages_three_lists),
		cmocka_unit_test(test_home_stmt_takes_the_session_only),
		cmocka_unit_test(test_split_of_empty_result_has_no_rows_of_any_kind),
		cmocka_unit_test(test_list_stmt_is_chosen_by_search_category_and_sort),
		cmocka_unit_test(test_split_without_kind_column_has_no_rows_of_any_kind),
		cmocka_unit_test(test_url_ok_accepts_http_and_https_in_any_case),
		cmocka_unit_test(test_url_ok_refuses_scheme_without_host),
		cmocka_unit_test(test_url_ok_refuses_other_schemes),
		cmocka_unit_test(test_url_ok_refuses_whitespace_and_control_characters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
