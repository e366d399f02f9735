/*
 * Unit tests for lib/resp.c: header checks against response splitting,
 * Set-Cookie attributes, redirects, and the exact serialised bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "resp.h"

static int setup(void **state)
{
	static struct response r;
	resp_init(&r);
	*state = &r;
	return 0;
}

static int teardown(void **state)
{
	resp_free(*state);
	return 0;
}

static void test_init_sets_defaults(void **state)
{
	struct response *r = *state;

	assert_int_equal(r->status, 200);
	assert_string_equal(r->content_type, "text/html; charset=utf-8");
	assert_int_equal(r->no_store, 1);
	assert_int_equal(r->headers.len, 0);
	assert_int_equal(r->body.len, 0);
}

static void test_header_is_added_as_a_line(void **state)
{
	struct response *r = *state;

	assert_int_equal(resp_header(r, "X-Frame-Options", "DENY"), 0);
	assert_int_equal(resp_header(r, "Vary", "Cookie,\tAccept-Language"), 0);
	assert_string_equal(buf_str(&r->headers),
	                    "X-Frame-Options: DENY\r\nVary: Cookie,\tAccept-Language\r\n");
}

static void test_header_rejects_cr_lf_in_value(void **state)
{
	struct response *r = *state;

	assert_int_equal(resp_header(r, "X-A", "ok\r\nSet-Cookie: evil=1"), -1);
	assert_int_equal(resp_header(r, "X-A", "ok\nx"), -1);
	assert_int_equal(resp_header(r, "X-A", "ok\rx"), -1);
	assert_int_equal(resp_header(r, "X-A", "bell\a"), -1);
	assert_int_equal(resp_header(r, "X-A", NULL), -1);
	assert_int_equal(r->headers.len, 0);
}

static void test_header_rejects_name_that_is_not_a_token(void **state)
{
	struct response *r = *state;

	assert_int_equal(resp_header(r, "X-A\r\nEvil", "1"), -1);
	assert_int_equal(resp_header(r, "X A", "1"), -1);
	assert_int_equal(resp_header(r, "X:A", "1"), -1);
	assert_int_equal(resp_header(r, "", "1"), -1);
	assert_int_equal(resp_header(r, NULL, "1"), -1);
	assert_int_equal(r->headers.len, 0);
}

static void test_cookie_has_all_attributes_in_order(void **state)
{
	struct response *r = *state;
	struct cookie c = { .name = "sid",
		            .value = "abc-DEF_123",
		            .max_age = 3600,
		            .secure = 1,
		            .http_only = 1,
		            .same_site = "Lax" };

	assert_int_equal(resp_set_cookie(r, &c), 0);
	assert_string_equal(buf_str(&r->headers),
	                    "Set-Cookie: sid=abc-DEF_123; Path=/; Max-Age=3600; "
	                    "Secure; HttpOnly; SameSite=Lax\r\n");
}

static void test_session_cookie_omits_max_age(void **state)
{
	struct response *r = *state;
	struct cookie c = { .name = "lang", .value = "nl", .path = "/admin/", .max_age = -1 };

	assert_int_equal(resp_set_cookie(r, &c), 0);
	assert_string_equal(buf_str(&r->headers), "Set-Cookie: lang=nl; Path=/admin/\r\n");
}

static void test_deleting_cookie_adds_expires_in_the_past(void **state)
{
	struct response *r = *state;
	struct cookie c = { .name = "sid",
		            .value = "",
		            .max_age = 0,
		            .secure = 1,
		            .http_only = 1,
		            .same_site = "Strict" };

	assert_int_equal(resp_set_cookie(r, &c), 0);
	assert_string_equal(
	    buf_str(&r->headers),
	    "Set-Cookie: sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 "
	    "GMT; Secure; HttpOnly; SameSite=Strict\r\n");
}

static void test_cookie_rejects_bad_name_value_path_or_samesite(void **state)
{
	struct response *r = *state;
	struct cookie c = { .name = "sid", .value = "ok", .max_age = -1 };

	c.value = "a;b";
	assert_int_equal(resp_set_cookie(r, &c), -1);
	c.value = "a b";
	assert_int_equal(resp_set_cookie(r, &c), -1);
	c.value = "a\r\nSet-Cookie: x=y";
	assert_int_equal(resp_set_cookie(r, &c), -1);
	c.value = "\"q\"";
	assert_int_equal(resp_set_cookie(r, &c), -1);
	c.value = "ok";
	c.name = "s=id";
	assert_int_equal(resp_set_cookie(r, &c), -1);
	c.name = "";
	assert_int_equal(resp_set_cookie(r, &c), -1);
	c.name = "sid";
	c.path = "/;Domain=evil";
	assert_int_equal(resp_set_cookie(r, &c), -1);
	c.path = "/";
	c.same_site = "lax; x";
	assert_int_equal(resp_set_cookie(r, &c), -1);
	assert_int_equal(r->headers.len, 0);
}

static void test_serialize_writes_exact_response(void **state)
{
	struct response *r = *state;
	struct buf out = { 0 };

	r->status = 404;
	assert_int_equal(resp_header(r, "X-Request-Id", "00ff"), 0);
	buf_puts(&r->body, "<p>niet gevonden</p>");
	resp_serialize(r, 0, &out);
	assert_string_equal(buf_str(&out), "Status: 404 Not Found\r\n"
	                                   "Content-Type: text/html; charset=utf-8\r\n"
	                                   "Cache-Control: no-store\r\n"
	                                   "X-Request-Id: 00ff\r\n"
	                                   "Content-Length: 20\r\n"
	                                   "\r\n"
	                                   "<p>niet gevonden</p>");
	buf_free(&out);
}

static void test_serialize_omits_cache_control_when_cacheable(void **state)
{
	struct response *r = *state;
	struct buf out = { 0 };

	r->no_store = 0;
	r->content_type = "text/plain";
	buf_puts(&r->body, "ok\n");
	resp_serialize(r, 0, &out);
	assert_string_equal(buf_str(&out), "Status: 200 OK\r\n"
	                                   "Content-Type: text/plain\r\n"
	                                   "Content-Length: 3\r\n"
	                                   "\r\n"
	                                   "ok\n");
	buf_free(&out);
}

static void test_serialize_for_head_omits_body_but_keeps_length(void **state)
{
	struct response *r = *state;
	struct buf out = { 0 };

	buf_puts(&r->body, "hello");
	resp_serialize(r, 1, &out);
	assert_string_equal(buf_str(&out), "Status: 200 OK\r\n"
	                                   "Content-Type: text/html; charset=utf-8\r\n"
	                                   "Cache-Control: no-store\r\n"
	                                   "Content-Length: 5\r\n"
	                                   "\r\n");
	buf_free(&out);
}

static void test_serialize_keeps_binary_body_with_nul(void **state)
{
	struct response *r = *state;
	struct buf out = { 0 };

	r->no_store = 0;
	r->content_type = "application/octet-stream";
	buf_append(&r->body, "a\0b", 3);
	resp_serialize(r, 0, &out);
	const char want[] = "Status: 200 OK\r\nContent-Type: application/octet-stream\r\n"
	                    "Content-Length: 3\r\n\r\na\0b";
	assert_int_equal(out.len, sizeof(want) - 1);
	assert_memory_equal(out.data, want, sizeof(want) - 1);
	buf_free(&out);
}

static void test_redirect_sets_status_location_and_escaped_body(void **state)
{
	struct response *r = *state;
	struct buf out = { 0 };
	struct cookie c = { .name = "sid", .value = "t", .max_age = -1 };

	buf_puts(&r->body, "old body");
	assert_int_equal(resp_set_cookie(r, &c), 0);
	resp_redirect(r, 303, "/reports?a=1&b=\"<x>'");
	assert_int_equal(r->status, 303);
	resp_serialize(r, 0, &out);
	const char *body = "<!DOCTYPE html>\n<a href=\"/reports?a=1&amp;b=&quot;&lt;x&gt;&#39;\">"
	                   "/reports?a=1&amp;b=&quot;&lt;x&gt;&#39;</a>\n";
	char want[512];
	snprintf(want, sizeof(want),
	         "Status: 303 See Other\r\n"
	         "Content-Type: text/html; charset=utf-8\r\n"
	         "Cache-Control: no-store\r\n"
	         "Set-Cookie: sid=t; Path=/\r\n"
	         "Location: /reports?a=1&b=\"<x>'\r\n"
	         "Content-Length: %zu\r\n\r\n%s",
	         strlen(body), body);
	assert_string_equal(buf_str(&out), want);
	buf_free(&out);
}

static void test_redirect_never_writes_crlf_into_location(void **state)
{
	struct response *r = *state;

	resp_redirect(r, 302, "/x\r\nSet-Cookie: evil=1");
	assert_int_equal(r->status, 302);
	assert_string_equal(buf_str(&r->headers), "Location: /\r\n");
	assert_null(strstr(buf_str(&r->body), "evil"));
}

static void test_redirect_replaces_a_non_redirect_status(void **state)
{
	struct response *r = *state;

	resp_redirect(r, 200, "/a");
	assert_int_equal(r->status, 303);
	resp_reset(r);
	resp_redirect(r, 308, "/b");
	assert_int_equal(r->status, 308);
}

static void test_reason_phrases(void **state)
{
	(void)state;
	assert_string_equal(resp_reason(200), "OK");
	assert_string_equal(resp_reason(303), "See Other");
	assert_string_equal(resp_reason(400), "Bad Request");
	assert_string_equal(resp_reason(405), "Method Not Allowed");
	assert_string_equal(resp_reason(413), "Content Too Large");
	assert_string_equal(resp_reason(503), "Service Unavailable");
	assert_string_equal(resp_reason(299), "Unknown");
}

static void test_reset_restores_defaults_and_empties(void **state)
{
	struct response *r = *state;

	r->status = 500;
	r->no_store = 0;
	r->content_type = "text/plain";
	assert_int_equal(resp_header(r, "X-A", "1"), 0);
	buf_puts(&r->body, "x");
	resp_reset(r);
	assert_int_equal(r->status, 200);
	assert_int_equal(r->no_store, 1);
	assert_string_equal(r->content_type, "text/html; charset=utf-8");
	assert_string_equal(buf_str(&r->headers), "");
	assert_string_equal(buf_str(&r->body), "");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_sets_defaults),
		T(test_header_is_added_as_a_line),
		T(test_header_rejects_cr_lf_in_value),
		T(test_header_rejects_name_that_is_not_a_token),
		T(test_cookie_has_all_attributes_in_order),
		T(test_session_cookie_omits_max_age),
		T(test_deleting_cookie_adds_expires_in_the_past),
		T(test_cookie_rejects_bad_name_value_path_or_samesite),
		T(test_serialize_writes_exact_response),
		T(test_serialize_omits_cache_control_when_cacheable),
		T(test_serialize_for_head_omits_body_but_keeps_length),
		T(test_serialize_keeps_binary_body_with_nul),
		T(test_redirect_sets_status_location_and_escaped_body),
		T(test_redirect_never_writes_crlf_into_location),
		T(test_redirect_replaces_a_non_redirect_status),
		T(test_reason_phrases),
		T(test_reset_restores_defaults_and_empties),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
