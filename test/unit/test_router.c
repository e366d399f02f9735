/*
 * Unit tests for lib/router.c: literal and {id} patterns, the id rules,
 * HEAD on GET routes, 405 with Allow, and trailing slashes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "router.h"

/* Distinct handlers, so a test can tell which route matched. */
static void h_home(struct ctx *c)
{
	(void)c;
}
static void h_list(struct ctx *c)
{
	(void)c;
}
static void h_show(struct ctx *c)
{
	(void)c;
}
static void h_grant(struct ctx *c)
{
	(void)c;
}
static void h_login_form(struct ctx *c)
{
	(void)c;
}
static void h_login(struct ctx *c)
{
	(void)c;
}
static void h_new(struct ctx *c)
{
	(void)c;
}
static void h_delete(struct ctx *c)
{
	(void)c;
}

static const struct route routes[] = {
	{ "GET", "/", h_home, NULL },
	{ "GET", "/reports", h_list, NULL },
	{ "GET", "/reports/new", h_new, NULL },
	{ "GET", "/reports/{id}", h_show, NULL },
	{ "POST", "/roles/{id}/reports/{id}", h_grant, NULL },
	{ "GET", "/login", h_login_form, NULL },
	{ "POST", "/login", h_login, NULL },
	{ "POST", "/reports/{id}/delete", h_delete, NULL },
	{ "GET", "/a{id}", h_home, NULL },
};
static const size_t n_routes = sizeof(routes) / sizeof(routes[0]);

static enum route_result match(const char *method, const char *path, struct route_match *m)
{
	return router_match(routes, n_routes, method, path, m);
}

static void test_literal_path_matches(void **state)
{
	(void)state;
	struct route_match m;

	assert_int_equal(match("GET", "/", &m), ROUTE_FOUND);
	assert_ptr_equal(m.route->handler, h_home);
	assert_int_equal(m.n_ids, 0);
	assert_int_equal(match("GET", "/reports", &m), ROUTE_FOUND);
	assert_ptr_equal(m.route->handler, h_list);
	assert_int_equal(match("GET", "/report", &m), ROUTE_NOT_FOUND);
	assert_null(m.route);
	assert_int_equal(match("GET", "/reportsx", &m), ROUTE_NOT_FOUND);
}

static void test_literal_route_before_id_route_wins(void **state)
{
	(void)state;
	struct route_match m;

	assert_int_equal(match("GET", "/reports/new", &m), ROUTE_FOUND);
	assert_ptr_equal(m.route->handler, h_new);
}

static void test_id_segment_captures_the_number(void **state)
{
	(void)state;
	struct route_match m;

	assert_int_equal(match("GET", "/reports/42", &m), ROUTE_FOUND);
	assert_ptr_equal(m.route->handler, h_show);
	assert_int_equal(m.n_ids, 1);
	assert_int_equal(m.ids[0], 42);
}

static void test_two_id_segments_are_captured_left_to_right(void **state)
{
	(void)state;
	struct route_match m;

	assert_int_equal(match("POST", "/roles/7/reports/1234567", &m), ROUTE_FOUND);
	assert_ptr_equal(m.route->handler, h_grant);
	assert_int_equal(m.n_ids, 2);
	assert_int_equal(m.ids[0], 7);
	assert_int_equal(m.ids[1], 1234567);
}

static void test_id_with_leading_zero_is_rejected(void **state)
{
	(void)state;
	struct route_match m;

	assert_int_equal(match("GET", "/reports/042", &m), ROUTE_NOT_FOUND);
	assert_int_equal(match("GET", "/reports/0", &m), ROUTE_NOT_FOUND);
}

static void test_id_that_is_not_a_plain_number_is_rejected(void **state)
{
	(void)state;
	struct route_match m;

	assert_int_equal(match("GET", "/reports/-1", &m), ROUTE_NOT_FOUND);
	assert_int_equal(match("GET", "/reports/+1", &m), ROUTE_NOT_FOUND);
	assert_int_equal(match("GET", "/reports/12a", &m), ROUTE_NOT_FOUND);
	assert_int_equal(match("GET", "/reports/1.0", &m), ROUTE_NOT_FOUND);
	assert_int_equal(match("GET", "/reports/ 1", &m), ROUTE_NOT_FOUND);
	assert_int_equal(match("GET", "/reports/", &m), ROUTE_NOT_FOUND);
}

static void test_id_with_too_many_digits_is_rejected(void **state)
{
	(void)state;
	struct route_match m;

	assert_int_equal(match("GET", "/reports/999999999999999999", &m), ROUTE_FOUND);
	assert_int_equal(m.ids[0], 999999999999999999LL);
	assert_int_equal(match("GET", "/reports/1000000000000000000", &m), ROUTE_NOT_FOUND);
	assert_int_equal(match("GET", "/reports/99999999999999999999999", &m), ROUTE_NOT_FOUND);
}

static void test_id_inside_a_segment_is_literal_text(void **state)
{
	(void)state;
	struct route_match m;

	assert_int_equal(match("GET", "/a5", &m), ROUTE_NOT_FOUND);
	assert_int_equal(match("GET", "/a{id}", &m), ROUTE_FOUND);
	assert_int_equal(m.n_ids, 0);
}

static void test_trailing_slash_matters(void **state)
{
	(void)state;
	struct route_match m;

	assert_int_equal(match("GET", "/reports/", &m), ROUTE_NOT_FOUND);
	assert_int_equal(match("GET", "/reports/42/", &m), ROUTE_NOT_FOUND);
	assert_int_equal(match("GET", "/login/", &m), ROUTE_NOT_FOUND);
	assert_int_equal(match("GET", "//", &m), ROUTE_NOT_FOUND);
}

static void test_head_matches_get_route(void **state)
{
	(void)state;
	struct route_match m;

	assert_int_equal(match("HEAD", "/reports/9", &m), ROUTE_FOUND);
	assert_ptr_equal(m.route->handler, h_show);
	assert_int_equal(m.ids[0], 9);
	assert_int_equal(match("HEAD", "/login", &m), ROUTE_FOUND);
	assert_ptr_equal(m.route->handler, h_login_form);
}

static void test_method_picks_between_routes_of_one_path(void **state)
{
	(void)state;
	struct route_match m;

	assert_int_equal(match("POST", "/login", &m), ROUTE_FOUND);
	assert_ptr_equal(m.route->handler, h_login);
	assert_int_equal(match("GET", "/login", &m), ROUTE_FOUND);
	assert_ptr_equal(m.route->handler, h_login_form);
}

static void test_wrong_method_gives_405_with_allow(void **state)
{
	(void)state;
	struct route_match m;

	assert_int_equal(match("POST", "/reports/42", &m), ROUTE_METHOD_NOT_ALLOWED);
	assert_null(m.route);
	assert_string_equal(m.allow, "GET, HEAD");
	assert_int_equal(match("DELETE", "/login", &m), ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(m.allow, "GET, HEAD, POST");
}

static void test_405_for_post_only_route_allows_only_post(void **state)
{
	(void)state;
	struct route_match m;

	assert_int_equal(match("GET", "/reports/3/delete", &m), ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(m.allow, "POST");
	assert_int_equal(match("HEAD", "/roles/1/reports/2", &m), ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(m.allow, "POST");
}

static void test_405_lists_get_first_whatever_the_table_order(void **state)
{
	(void)state;
	static const struct route t[] = {
		{ "POST", "/x", h_login, NULL },
		{ "PUT", "/x", h_login, NULL },
		{ "GET", "/x", h_login_form, NULL },
		{ "POST", "/x", h_login, NULL },
	};
	struct route_match m;

	assert_int_equal(router_match(t, 4, "DELETE", "/x", &m), ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(m.allow, "GET, HEAD, POST, PUT");
}

static void test_405_allow_list_that_would_overflow_is_cut_cleanly(void **state)
{
	(void)state;
	static const struct route t[] = {
		{ "GET", "/x", h_login_form, NULL },
		{ "METHODNUMBERONE", "/x", h_login, NULL },
		{ "METHODNUMBERTWO", "/x", h_login, NULL },
		{ "METHODNUMBERTHREE", "/x", h_login, NULL },
		{ "METHODNUMBERFOUR", "/x", h_login, NULL },
		{ "POST", "/x", h_login, NULL },
	};
	struct route_match m;

	assert_int_equal(router_match(t, 6, "DELETE", "/x", &m), ROUTE_METHOD_NOT_ALLOWED);
	assert_true(strlen(m.allow) < sizeof(m.allow));
	/* 62 bytes fit; ", POST" after them would not. */
	assert_string_equal(m.allow,
	                    "GET, HEAD, METHODNUMBERONE, METHODNUMBERTWO, METHODNUMBERTHREE");
}

static void test_empty_table_finds_nothing(void **state)
{
	(void)state;
	struct route_match m;

	assert_int_equal(router_match(NULL, 0, "GET", "/", &m), ROUTE_NOT_FOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_path_matches),
		cmocka_unit_test(test_literal_route_before_id_route_wins),
		cmocka_unit_test(test_id_segment_captures_the_number),
		cmocka_unit_test(test_two_id_segments_are_captured_left_to_right),
		cmocka_unit_test(test_id_with_leading_zero_is_rejected),
		cmocka_unit_test(test_id_that_is_not_a_plain_number_is_rejected),
		cmocka_unit_test(test_id_with_too_many_digits_is_rejected),
		cmocka_unit_test(test_id_inside_a_segment_is_literal_text),
		cmocka_unit_test(test_trailing_slash_matters),
		cmocka_unit_test(test_head_matches_get_route),
		cmocka_unit_test(test_method_picks_between_routes_of_one_path),
		cmocka_unit_test(test_wrong_method_gives_405_with_allow),
		cmocka_unit_test(test_405_for_post_only_route_allows_only_post),
		cmocka_unit_test(test_405_lists_get_first_whatever_the_table_order),
		cmocka_unit_test(test_405_allow_list_that_would_overflow_is_cut_cleanly),
		cmocka_unit_test(test_empty_table_finds_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
