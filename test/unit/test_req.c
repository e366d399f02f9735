/*
 * Unit tests for lib/req.c: urlencoded decoding and its refusals, UTF-8
 * validation, cookie splitting, and req_parse over fake FastCGI parameters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "req.h"

static int setup(void **state)
{
	struct arena *a = calloc(1, sizeof(*a));
	if (a == NULL)
		return -1;
	*state = a;
	return 0;
}

static int teardown(void **state)
{
	arena_free(*state);
	free(*state);
	return 0;
}

static enum req_error form(void **state, const char *s, struct kvlist *out)
{
	return req_parse_urlencoded(*state, s, strlen(s), &req_default_limits, out);
}

static enum req_error form_err(void **state, const char *s)
{
	struct kvlist l;
	return form(state, s, &l);
}

/* ---- urlencoded ---- */

static void test_form_decodes_pairs_in_order(void **state)
{
	struct kvlist l;

	assert_int_equal(form(state, "a=1&b=two&c=3", &l), REQ_OK);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.items[0].key, "a");
	assert_string_equal(l.items[0].value, "1");
	assert_string_equal(l.items[1].key, "b");
	assert_string_equal(l.items[1].value, "two");
	assert_int_equal(l.items[1].value_len, 3);
	assert_string_equal(l.items[2].key, "c");
	assert_string_equal(kv_get(&l, "c"), "3");
	assert_null(kv_get(&l, "d"));
}

static void test_form_decodes_plus_as_space(void **state)
{
	struct kvlist l;

	assert_int_equal(form(state, "q=hello+world+&k+y=%2B", &l), REQ_OK);
	assert_string_equal(kv_get(&l, "q"), "hello world ");
	assert_string_equal(kv_get(&l, "k y"), "+");
}

static void test_form_decodes_mixed_case_hex(void **state)
{
	struct kvlist l;

	assert_int_equal(form(state, "a=%2f%2F%c3%A9%C3%a9", &l), REQ_OK);
	assert_string_equal(kv_get(&l, "a"), "//\xc3\xa9\xc3\xa9");
	assert_int_equal(l.items[0].value_len, 6);
}

static void test_form_decodes_keys_too(void **state)
{
	struct kvlist l;

	assert_int_equal(form(state, "na%6De=x&ids%5B%5D=1&ids[]=2", &l), REQ_OK);
	assert_string_equal(kv_get(&l, "name"), "x");
	assert_int_equal(l.n, 3);
	assert_string_equal(l.items[1].key, "ids[]");
	assert_string_equal(l.items[2].key, "ids[]");
}

static void test_form_allows_empty_values(void **state)
{
	struct kvlist l;

	assert_int_equal(form(state, "a=&b&c=", &l), REQ_OK);
	assert_int_equal(l.n, 3);
	assert_string_equal(kv_get(&l, "a"), "");
	assert_string_equal(kv_get(&l, "b"), "");
	assert_int_equal(l.items[1].value_len, 0);
	assert_string_equal(kv_get(&l, "c"), "");
}

static void test_form_skips_empty_pairs(void **state)
{
	struct kvlist l;

	assert_int_equal(form(state, "&a=1&&b=2&", &l), REQ_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(kv_get(&l, "a"), "1");
	assert_string_equal(kv_get(&l, "b"), "2");
	assert_int_equal(form(state, "", &l), REQ_OK);
	assert_int_equal(l.n, 0);
	assert_int_equal(form(state, "&&&", &l), REQ_OK);
	assert_int_equal(l.n, 0);
}

static void test_form_keeps_value_after_second_equals_sign(void **state)
{
	struct kvlist l;

	assert_int_equal(form(state, "t=a=b==", &l), REQ_OK);
	assert_string_equal(kv_get(&l, "t"), "a=b==");
}

static void test_form_rejects_empty_key(void **state)
{
	assert_int_equal(form_err(state, "=1"), REQ_BAD_REQUEST);
	assert_int_equal(form_err(state, "a=1&=2"), REQ_BAD_REQUEST);
}

static void test_form_rejects_truncated_percent_escape(void **state)
{
	assert_int_equal(form_err(state, "a=%"), REQ_BAD_ENCODING);
	assert_int_equal(form_err(state, "a=%4"), REQ_BAD_ENCODING);
	assert_int_equal(form_err(state, "a=%4&b=1"), REQ_BAD_ENCODING);
	assert_int_equal(form_err(state, "a=x%"), REQ_BAD_ENCODING);
	assert_int_equal(form_err(state, "%=1"), REQ_BAD_ENCODING);
}

static void test_form_does_not_read_an_escape_past_the_given_length(void **state)
{
	struct kvlist l;

	/* A body is not NUL-terminated: the "1" after len must stay unread. */
	assert_int_equal(req_parse_urlencoded(*state, "a=%41", 4, &req_default_limits, &l),
	                 REQ_BAD_ENCODING);
	assert_int_equal(req_parse_urlencoded(*state, "a=%41", 3, &req_default_limits, &l),
	                 REQ_BAD_ENCODING);
}

static void test_form_rejects_non_hex_escape(void **state)
{
	assert_int_equal(form_err(state, "a=%zz"), REQ_BAD_ENCODING);
	assert_int_equal(form_err(state, "a=%g0"), REQ_BAD_ENCODING);
	assert_int_equal(form_err(state, "a=%0g"), REQ_BAD_ENCODING);
	assert_int_equal(form_err(state, "a=%+1"), REQ_BAD_ENCODING);
}

static void test_form_rejects_encoded_nul(void **state)
{
	assert_int_equal(form_err(state, "a=x%00y"), REQ_BAD_UTF8);
	assert_int_equal(form_err(state, "a%00=1"), REQ_BAD_UTF8);
}

static void test_form_rejects_raw_nul_in_body(void **state)
{
	struct kvlist l;

	assert_int_equal(req_parse_urlencoded(*state, "a=x\0y", 5, &req_default_limits, &l),
	                 REQ_BAD_UTF8);
}

static void test_form_rejects_overlong_utf8(void **state)
{
	assert_int_equal(form_err(state, "a=%C0%AF"), REQ_BAD_UTF8);
	assert_int_equal(form_err(state, "a=%E0%80%AF"), REQ_BAD_UTF8);
	assert_int_equal(form_err(state, "a=%F0%80%80%AF"), REQ_BAD_UTF8);
}

static void test_form_rejects_utf16_surrogates(void **state)
{
	assert_int_equal(form_err(state, "a=%ED%A0%80"), REQ_BAD_UTF8);
	assert_int_equal(form_err(state, "a=%ED%BF%BF"), REQ_BAD_UTF8);
}

static void test_form_rejects_code_points_above_u10ffff(void **state)
{
	assert_int_equal(form_err(state, "a=%F4%90%80%80"), REQ_BAD_UTF8);
	assert_int_equal(form_err(state, "a=%F5%80%80%80"), REQ_BAD_UTF8);
}

static void test_form_rejects_truncated_utf8_sequences(void **state)
{
	assert_int_equal(form_err(state, "a=%C3"), REQ_BAD_UTF8);
	assert_int_equal(form_err(state, "a=%E2%82"), REQ_BAD_UTF8);
	assert_int_equal(form_err(state, "a=%E2%82x"), REQ_BAD_UTF8);
	assert_int_equal(form_err(state, "a=%80"), REQ_BAD_UTF8);
	assert_int_equal(form_err(state, "a=%FF"), REQ_BAD_UTF8);
}

static void test_form_rejects_invalid_utf8_in_key(void **state)
{
	assert_int_equal(form_err(state, "%C0%AF=1"), REQ_BAD_UTF8);
}

static void test_form_accepts_valid_multibyte_utf8(void **state)
{
	struct kvlist l;

	/* é, €, U+10FFFF, U+1F600 (raw and escaped). */
	assert_int_equal(form(state, "a=%C3%A9%E2%82%AC%F4%8F%BF%BF\xf0\x9f\x98\x80", &l), REQ_OK);
	assert_string_equal(kv_get(&l, "a"),
	                    "\xc3\xa9\xe2\x82\xac\xf4\x8f\xbf\xbf\xf0\x9f\x98\x80");
}

static void test_form_rejects_duplicate_keys(void **state)
{
	assert_int_equal(form_err(state, "a=1&b=2&a=3"), REQ_DUPLICATE_KEY);
	/* Equal after decoding is still a duplicate. */
	assert_int_equal(form_err(state, "a+b=1&a%20b=2"), REQ_DUPLICATE_KEY);
	assert_int_equal(form_err(state, "a&a"), REQ_DUPLICATE_KEY);
}

static void test_form_keeps_repeated_bracket_keys_in_order(void **state)
{
	struct kvlist l;

	assert_int_equal(form(state, "ids[]=3&x=0&ids[]=1&ids[]=2", &l), REQ_OK);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.items[0].value, "3");
	assert_string_equal(l.items[2].value, "1");
	assert_string_equal(l.items[3].value, "2");
	assert_string_equal(kv_get(&l, "ids[]"), "3");
}

static void test_form_tells_prefix_keys_apart(void **state)
{
	struct kvlist l;

	assert_int_equal(form(state, "ab=1&a=2&abc=3", &l), REQ_OK);
	assert_int_equal(l.n, 3);
	assert_string_equal(kv_get(&l, "a"), "2");
}

static void test_form_rejects_too_many_fields(void **state)
{
	struct req_limits lim = { .max_body = 1000, .max_fields = 3, .max_field_len = 100 };
	struct kvlist l;

	assert_int_equal(req_parse_urlencoded(*state, "a=1&b=2&c=3", 11, &lim, &l), REQ_OK);
	assert_int_equal(l.n, 3);
	assert_int_equal(req_parse_urlencoded(*state, "a=1&b=2&c=3&d", 13, &lim, &l),
	                 REQ_TOO_MANY_FIELDS);
	/* Empty pairs do not count. */
	assert_int_equal(req_parse_urlencoded(*state, "a=1&&&b=2&&c=3&", 15, &lim, &l), REQ_OK);
}

static void test_form_rejects_default_limit_plus_one_fields(void **state)
{
	char s[4096];
	size_t n = 0;
	struct kvlist l;

	for (int i = 0; i < 201; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%sk%d=", i ? "&" : "", i);
	assert_int_equal(req_parse_urlencoded(*state, s, n, &req_default_limits, &l),
	                 REQ_TOO_MANY_FIELDS);
	/* The same minus its last field is fine. */
	char *last = strrchr(s, '&');
	assert_int_equal(
	    req_parse_urlencoded(*state, s, (size_t)(last - s), &req_default_limits, &l), REQ_OK);
	assert_int_equal(l.n, 200);
	assert_string_equal(l.items[199].key, "k199");
}

static void test_form_rejects_overlong_field(void **state)
{
	struct req_limits lim = { .max_body = 1000, .max_fields = 10, .max_field_len = 4 };
	struct kvlist l;

	assert_int_equal(req_parse_urlencoded(*state, "a=1234", 6, &lim, &l), REQ_OK);
	assert_int_equal(req_parse_urlencoded(*state, "a=12345", 7, &lim, &l), REQ_FIELD_TOO_LONG);
	assert_int_equal(req_parse_urlencoded(*state, "abcde=1", 7, &lim, &l), REQ_FIELD_TOO_LONG);
	/* The limit applies to decoded bytes: 4 escapes are 4 bytes. */
	assert_int_equal(req_parse_urlencoded(*state, "a=%41%42%43%44", 14, &lim, &l), REQ_OK);
	assert_string_equal(kv_get(&l, "a"), "ABCD");
}

static void test_form_rejects_input_over_max_body(void **state)
{
	struct req_limits lim = { .max_body = 8, .max_fields = 10, .max_field_len = 100 };
	struct kvlist l;

	assert_int_equal(req_parse_urlencoded(*state, "a=123456", 8, &lim, &l), REQ_OK);
	assert_int_equal(req_parse_urlencoded(*state, "a=1234567", 9, &lim, &l), REQ_TOO_LARGE);
}

static void test_utf8_valid_accepts_and_rejects_by_rfc3629(void **state)
{
	(void)state;
	assert_true(utf8_valid("", 0));
	assert_true(utf8_valid("plain", 5));
	assert_true(utf8_valid("\xc2\x80", 2));
	assert_true(utf8_valid("\xed\x9f\xbf", 3));     /* U+D7FF */
	assert_true(utf8_valid("\xee\x80\x80", 3));     /* U+E000 */
	assert_true(utf8_valid("\xf4\x8f\xbf\xbf", 4)); /* U+10FFFF */
	assert_false(utf8_valid("\xc1\xbf", 2));
	assert_false(utf8_valid("\xe0\x9f\xbf", 3));
	assert_false(utf8_valid("\xf0\x8f\xbf\xbf", 4));
	assert_false(utf8_valid("\xc3", 1));
	assert_false(utf8_valid("\xe2\x82\xac", 2));
	assert_false(utf8_valid("\xc3\xc3", 2));
	assert_false(utf8_valid("\xf8\x88\x80\x80\x80", 5));
}

/* ---- cookies ---- */

static void test_cookies_split_pairs_and_trim_spaces(void **state)
{
	struct kvlist l;

	req_parse_cookies(*state, "  sid=abc;theme = dark ;  lang=nl  ", &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(kv_get(&l, "sid"), "abc");
	assert_string_equal(kv_get(&l, "theme"), "dark");
	assert_string_equal(kv_get(&l, "lang"), "nl");
	assert_int_equal(l.items[2].value_len, 2);
}

static void test_cookies_remove_surrounding_quotes(void **state)
{
	struct kvlist l;

	req_parse_cookies(*state, "a=\"quoted value\"; b=\"; c=\"\"; d=\"x", &l);
	assert_string_equal(kv_get(&l, "a"), "quoted value");
	assert_string_equal(kv_get(&l, "b"), "\"");
	assert_string_equal(kv_get(&l, "c"), "");
	assert_string_equal(kv_get(&l, "d"), "\"x");
}

static void test_cookies_skip_pairs_without_equals_or_name(void **state)
{
	struct kvlist l;

	req_parse_cookies(*state, "flag; =v; a=1; ;;  = w; b=", &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0].key, "a");
	assert_string_equal(l.items[0].value, "1");
	assert_string_equal(l.items[1].key, "b");
	assert_string_equal(l.items[1].value, "");
}

static void test_cookies_keep_first_of_duplicate_names(void **state)
{
	struct kvlist l;

	req_parse_cookies(*state, "sid=specific; other=1; sid=general", &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(kv_get(&l, "sid"), "specific");
}

static void test_cookies_do_not_decode_values(void **state)
{
	struct kvlist l;

	req_parse_cookies(*state, "a=x%20y+z; b=c=d", &l);
	assert_string_equal(kv_get(&l, "a"), "x%20y+z");
	assert_string_equal(kv_get(&l, "b"), "c=d");
}

static void test_cookies_from_empty_or_missing_header_are_empty(void **state)
{
	struct kvlist l;

	req_parse_cookies(*state, "", &l);
	assert_int_equal(l.n, 0);
	req_parse_cookies(*state, NULL, &l);
	assert_int_equal(l.n, 0);
	req_parse_cookies(*state, " ; ;", &l);
	assert_int_equal(l.n, 0);
}

static void test_cookies_skip_invalid_utf8(void **state)
{
	struct kvlist l;

	req_parse_cookies(*state, "bad=\xc0\xaf; good=1", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(kv_get(&l, "good"), "1");
}

/* ---- req_parse ---- */

static enum req_error parse(void **state, struct request *r, char *const *env, const char *body)
{
	return req_parse(r, *state, env, body, body ? strlen(body) : 0, &req_default_limits);
}

static void test_parse_get_with_query(void **state)
{
	char *env[] = {
		"REQUEST_METHOD=GET",
		"REQUEST_URI=/reports/%C3%A9t%C3%A9?q=sales+2024&page=2",
		"QUERY_STRING=q=sales+2024&page=2",
		"REMOTE_ADDR=10.0.0.7",
		"HTTP_USER_AGENT=curl/8",
		"HTTP_ACCEPT_LANGUAGE=nl,en;q=0.8",
		"HTTP_HOST=portal.example",
		"HTTP_COOKIE=sid=tok; lang=en",
		"HTTPS=on",
		NULL,
	};
	struct request r;

	assert_int_equal(parse(state, &r, env, NULL), REQ_OK);
	assert_string_equal(r.method, "GET");
	assert_string_equal(r.path, "/reports/\xc3\xa9t\xc3\xa9");
	assert_string_equal(r.raw_query, "q=sales+2024&page=2");
	assert_string_equal(req_query(&r, "q"), "sales 2024");
	assert_string_equal(req_query(&r, "page"), "2");
	assert_int_equal(r.form.n, 0);
	assert_null(req_form(&r, "q"));
	assert_string_equal(req_cookie(&r, "sid"), "tok");
	assert_string_equal(req_cookie(&r, "lang"), "en");
	assert_string_equal(r.remote_addr, "10.0.0.7");
	assert_string_equal(r.user_agent, "curl/8");
	assert_string_equal(r.accept_language, "nl,en;q=0.8");
	assert_string_equal(r.host, "portal.example");
	assert_null(r.origin);
	assert_null(r.sec_fetch_site);
	assert_int_equal(r.https, 1);
	assert_ptr_equal(r.arena, *state);
	assert_int_equal(strlen(r.id), 16);
	assert_int_equal(strspn(r.id, "0123456789abcdef"), 16);
}

static void test_parse_gives_each_request_a_different_id(void **state)
{
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/", NULL };
	struct request r1, r2;

	assert_int_equal(parse(state, &r1, env, NULL), REQ_OK);
	assert_int_equal(parse(state, &r2, env, NULL), REQ_OK);
	assert_string_not_equal(r1.id, r2.id);
}

static void test_parse_fills_defaults_for_absent_params(void **state)
{
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/", "HTTPS=", NULL };
	struct request r;

	assert_int_equal(parse(state, &r, env, NULL), REQ_OK);
	assert_string_equal(r.path, "/");
	assert_string_equal(r.raw_query, "");
	assert_int_equal(r.query.n, 0);
	assert_int_equal(r.cookies.n, 0);
	assert_string_equal(r.remote_addr, "");
	assert_string_equal(r.user_agent, "");
	assert_string_equal(r.accept_language, "");
	assert_string_equal(r.host, "");
	assert_int_equal(r.https, 0);
}

static void test_parse_post_with_form(void **state)
{
	char *env[] = {
		"REQUEST_METHOD=POST",
		"REQUEST_URI=/login",
		"QUERY_STRING=",
		"CONTENT_TYPE=application/x-www-form-urlencoded; charset=UTF-8",
		"CONTENT_LENGTH=38",
		"HTTP_ORIGIN=https://portal.example",
		"HTTP_SEC_FETCH_SITE=same-origin",
		NULL,
	};
	const char *body = "username=anna&password=p%40ss+w&csrf=x";
	struct request r;

	assert_int_equal(parse(state, &r, env, body), REQ_OK);
	assert_string_equal(r.method, "POST");
	assert_string_equal(r.path, "/login");
	assert_int_equal(r.form.n, 3);
	assert_string_equal(req_form(&r, "username"), "anna");
	assert_string_equal(req_form(&r, "password"), "p@ss w");
	assert_string_equal(r.origin, "https://portal.example");
	assert_string_equal(r.sec_fetch_site, "same-origin");
}

static void test_parse_accepts_form_content_type_in_any_case(void **state)
{
	char *env[] = {
		"REQUEST_METHOD=POST",
		"REQUEST_URI=/x",
		"CONTENT_TYPE=Application/X-WWW-Form-Urlencoded",
		NULL,
	};
	struct request r;

	assert_int_equal(parse(state, &r, env, "a=1"), REQ_OK);
	assert_string_equal(req_form(&r, "a"), "1");
}

static void test_parse_leaves_form_empty_for_other_content_types(void **state)
{
	char *env[] = {
		"REQUEST_METHOD=POST",
		"REQUEST_URI=/upload",
		"CONTENT_TYPE=multipart/form-data; boundary=x",
		NULL,
	};
	char *env2[] = {
		"REQUEST_METHOD=POST",
		"REQUEST_URI=/upload",
		"CONTENT_TYPE=application/x-www-form-urlencodedX",
		NULL,
	};
	char *env3[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/upload", NULL };
	struct request r;

	assert_int_equal(parse(state, &r, env, "a=1&%zz"), REQ_OK);
	assert_int_equal(r.form.n, 0);
	assert_int_equal(parse(state, &r, env2, "a=1"), REQ_OK);
	assert_int_equal(r.form.n, 0);
	assert_int_equal(parse(state, &r, env3, "a=1"), REQ_OK);
	assert_int_equal(r.form.n, 0);
}

static void test_parse_leaves_form_empty_for_get(void **state)
{
	char *env[] = {
		"REQUEST_METHOD=GET",
		"REQUEST_URI=/",
		"CONTENT_TYPE=application/x-www-form-urlencoded",
		NULL,
	};
	struct request r;

	assert_int_equal(parse(state, &r, env, "a=1"), REQ_OK);
	assert_int_equal(r.form.n, 0);
}

static void test_parse_rejects_oversized_body(void **state)
{
	char *env[] = {
		"REQUEST_METHOD=POST",
		"REQUEST_URI=/login",
		"CONTENT_TYPE=application/x-www-form-urlencoded",
		NULL,
	};
	struct req_limits lim = { .max_body = 10, .max_fields = 10, .max_field_len = 10 };
	struct request r;

	assert_int_equal(req_parse(&r, *state, env, "a=12345678", 10, &lim), REQ_OK);
	/* The caller reads max_body + 1 bytes to detect this. */
	assert_int_equal(req_parse(&r, *state, env, "a=123456789", 11, &lim), REQ_TOO_LARGE);
}

static void test_parse_rejects_content_length_over_max_body(void **state)
{
	char *env[] = {
		"REQUEST_METHOD=POST",
		"REQUEST_URI=/login",
		"CONTENT_LENGTH=99999999999999999999999999",
		NULL,
	};
	char *env_bad[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/", "CONTENT_LENGTH=12x", NULL };
	struct request r;

	assert_int_equal(parse(state, &r, env, ""), REQ_TOO_LARGE);
	assert_int_equal(parse(state, &r, env_bad, ""), REQ_BAD_REQUEST);
}

static void test_parse_rejects_oversized_query(void **state)
{
	struct req_limits lim = { .max_body = 10, .max_fields = 10, .max_field_len = 10 };
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/", "QUERY_STRING=a=123456789", NULL };
	struct request r;

	assert_int_equal(req_parse(&r, *state, env, NULL, 0, &lim), REQ_TOO_LARGE);
}

static void test_parse_reports_query_errors(void **state)
{
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/", "QUERY_STRING=a=%4", NULL };
	char *env_dup[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/", "QUERY_STRING=a=1&a=2", NULL };
	struct request r;

	assert_int_equal(parse(state, &r, env, NULL), REQ_BAD_ENCODING);
	assert_int_equal(parse(state, &r, env_dup, NULL), REQ_DUPLICATE_KEY);
}

static void test_parse_reports_form_errors(void **state)
{
	char *env[] = {
		"REQUEST_METHOD=POST",
		"REQUEST_URI=/x",
		"CONTENT_TYPE=application/x-www-form-urlencoded",
		NULL,
	};
	struct request r;

	assert_int_equal(parse(state, &r, env, "a=%C0%AF"), REQ_BAD_UTF8);
}

static void test_parse_rejects_path_decoding_errors(void **state)
{
	char *bad_escape[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/a%2", NULL };
	char *bad_hex[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/a%zz?x=1", NULL };
	char *nul[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/a%00b", NULL };
	char *overlong[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/%C0%AE%C0%AE/", NULL };
	char *relative[] = { "REQUEST_METHOD=GET", "REQUEST_URI=reports", NULL };
	char *absolute[] = { "REQUEST_METHOD=GET", "REQUEST_URI=http://x/", NULL };
	char *empty[] = { "REQUEST_METHOD=GET", "REQUEST_URI=", NULL };
	struct request r;

	assert_int_equal(parse(state, &r, bad_escape, NULL), REQ_BAD_ENCODING);
	assert_int_equal(parse(state, &r, bad_hex, NULL), REQ_BAD_ENCODING);
	assert_int_equal(parse(state, &r, nul, NULL), REQ_BAD_UTF8);
	assert_int_equal(parse(state, &r, overlong, NULL), REQ_BAD_UTF8);
	assert_int_equal(parse(state, &r, relative, NULL), REQ_BAD_REQUEST);
	assert_int_equal(parse(state, &r, absolute, NULL), REQ_BAD_REQUEST);
	assert_int_equal(parse(state, &r, empty, NULL), REQ_BAD_REQUEST);
}

static void test_parse_keeps_plus_literal_in_path(void **state)
{
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/a+b%20c", NULL };
	struct request r;

	assert_int_equal(parse(state, &r, env, NULL), REQ_OK);
	assert_string_equal(r.path, "/a+b c");
}

static void test_parse_rejects_path_over_2048_bytes(void **state)
{
	static char uri[16 + 2050];
	char *env[] = { "REQUEST_METHOD=GET", uri, NULL };
	struct request r;

	memcpy(uri, "REQUEST_URI=", 12);
	uri[12] = '/';
	memset(uri + 13, 'a', 2047);
	uri[13 + 2047] = '\0';
	assert_int_equal(parse(state, &r, env, NULL), REQ_OK);
	assert_int_equal(strlen(r.path), 2048);
	uri[13 + 2047] = 'a';
	uri[13 + 2048] = '\0';
	assert_int_equal(parse(state, &r, env, NULL), REQ_TOO_LARGE);
}

static void test_parse_measures_path_limit_after_decoding(void **state)
{
	/* 1000 escapes: 3001 raw bytes, 1001 decoded. */
	static char uri[12 + 3002];
	char *env[] = { "REQUEST_METHOD=GET", uri, NULL };
	struct request r;

	memcpy(uri, "REQUEST_URI=/", 13);
	for (int i = 0; i < 1000; i++)
		memcpy(uri + 13 + 3 * i, "%41", 3);
	uri[13 + 3000] = '\0';
	assert_int_equal(parse(state, &r, env, NULL), REQ_OK);
	assert_int_equal(strlen(r.path), 1001);
	assert_int_equal(r.path[1000], 'A');
}

static void test_parse_falls_back_to_document_uri_and_script_name(void **state)
{
	char *doc[] = { "REQUEST_METHOD=GET", "DOCUMENT_URI=/from%20doc", NULL };
	char *script[] = { "REQUEST_METHOD=GET", "SCRIPT_NAME=/cgi", "PATH_INFO=/x/1", NULL };
	char *none[] = { "REQUEST_METHOD=GET", NULL };
	struct request r;

	assert_int_equal(parse(state, &r, doc, NULL), REQ_OK);
	assert_string_equal(r.path, "/from doc");
	assert_int_equal(parse(state, &r, script, NULL), REQ_OK);
	assert_string_equal(r.path, "/cgi/x/1");
	assert_int_equal(parse(state, &r, none, NULL), REQ_BAD_REQUEST);
}

static void test_parse_takes_query_from_uri_without_query_string(void **state)
{
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/s?q=a%26b", NULL };
	struct request r;

	assert_int_equal(parse(state, &r, env, NULL), REQ_OK);
	assert_string_equal(r.path, "/s");
	assert_string_equal(r.raw_query, "q=a%26b");
	assert_string_equal(req_query(&r, "q"), "a&b");
}

static void test_parse_keeps_head_as_head(void **state)
{
	char *env[] = { "REQUEST_METHOD=HEAD", "REQUEST_URI=/reports?x=1", "QUERY_STRING=x=1",
		        NULL };
	struct request r;

	assert_int_equal(parse(state, &r, env, NULL), REQ_OK);
	assert_string_equal(r.method, "HEAD");
	assert_string_equal(r.path, "/reports");
	assert_string_equal(req_query(&r, "x"), "1");
}

static void test_parse_rejects_missing_or_malformed_method(void **state)
{
	char *none[] = { "REQUEST_URI=/", "REMOTE_ADDR=10.1.2.3", NULL };
	char *empty[] = { "REQUEST_METHOD=", "REQUEST_URI=/", NULL };
	char *spaced[] = { "REQUEST_METHOD=GE T", "REQUEST_URI=/", NULL };
	struct request r;

	assert_int_equal(parse(state, &r, none, NULL), REQ_BAD_REQUEST);
	/* A refused request still carries what the log needs. */
	assert_string_equal(r.remote_addr, "10.1.2.3");
	assert_int_equal(strlen(r.id), 16);
	assert_int_equal(parse(state, &r, empty, NULL), REQ_BAD_REQUEST);
	assert_int_equal(parse(state, &r, spaced, NULL), REQ_BAD_REQUEST);
}

/* A user from nginx is the FastCGI parameter REMOTE_USER, which only the
 * server sets; a client's headers arrive as HTTP_* and never become it. */
static void test_remote_user_comes_only_from_the_fastcgi_parameter(void **state)
{
	char *spoofed[] = { "REQUEST_METHOD=GET",
		            "REQUEST_URI=/login",
		            "HTTP_REMOTE_USER=anna",
		            "HTTP_X_REMOTE_USER=anna",
		            "HTTP_X_FORWARDED_USER=anna",
		            "HTTP_REMOTE_USER_=anna",
		            "REMOTE_USERX=anna",
		            "REMOTE_USE=anna",
		            NULL };
	char *set[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/login", "HTTP_REMOTE_USER=bram",
		        "REMOTE_USER=anna", NULL };
	char *empty[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/login", "REMOTE_USER=", NULL };
	struct request r;

	assert_int_equal(parse(state, &r, spoofed, NULL), REQ_OK);
	assert_null(r.remote_user);
	assert_int_equal(parse(state, &r, set, NULL), REQ_OK);
	assert_string_equal(r.remote_user, "anna");
	assert_int_equal(parse(state, &r, empty, NULL), REQ_OK);
	assert_null(r.remote_user);
}

static void test_authorization_header_is_kept_as_sent(void **state)
{
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/login",
		        "HTTP_AUTHORIZATION=Negotiate YWJj", NULL };
	char *none[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/login", NULL };
	struct request r;

	assert_int_equal(parse(state, &r, env, NULL), REQ_OK);
	assert_string_equal(r.authorization, "Negotiate YWJj");
	assert_int_equal(parse(state, &r, none, NULL), REQ_OK);
	assert_null(r.authorization);
}

static void test_parse_copies_strings_into_the_arena(void **state)
{
	char method[] = "REQUEST_METHOD=GET";
	char addr[] = "REMOTE_ADDR=10.0.0.1";
	char *env[] = { method, "REQUEST_URI=/", addr, NULL };
	struct request r;

	assert_int_equal(parse(state, &r, env, NULL), REQ_OK);
	memset(addr, 'x', sizeof(addr) - 1);
	memset(method, 'x', sizeof(method) - 1);
	assert_string_equal(r.remote_addr, "10.0.0.1");
	assert_string_equal(r.method, "GET");
}

static void test_error_strings_are_distinct(void **state)
{
	(void)state;
	for (int i = REQ_OK; i <= REQ_BAD_REQUEST; i++)
		for (int j = i + 1; j <= REQ_BAD_REQUEST; j++)
			assert_string_not_equal(req_error_str((enum req_error)i),
			                        req_error_str((enum req_error)j));
	assert_string_equal(req_error_str(REQ_DUPLICATE_KEY), "duplicate field");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

static void test_utf8_count_counts_code_points_and_refuses_bad_input(void **state)
{
	(void)state;
	assert_int_equal(utf8_count("", 0), 0);
	assert_int_equal(utf8_count("Financi\xc3\xabn", 10),
	                 9); /* e-diaeresis: 2 bytes, 1 character */
	assert_int_equal(utf8_count("\xe2\x82\xac\xf0\x9f\x98\x80", 7), 2); /* euro sign, emoji */
	assert_int_equal(utf8_count("a\0b", 3), -1);                        /* NUL inside */
	assert_int_equal(utf8_count("\xc0\xaf", 2), -1);                    /* overlong */
	assert_int_equal(utf8_count("\xed\xa0\x80", 3), -1);                /* surrogate */
	assert_int_equal(utf8_count("\xe2\x82", 2), -1);                    /* truncated */
}

static void test_utf8_prefix_never_splits_a_character(void **state)
{
	(void)state;
	assert_int_equal(utf8_prefix("", 4), 0);
	assert_int_equal(utf8_prefix("abc", 4), 3);   /* shorter than max: all of it */
	assert_int_equal(utf8_prefix("abcde", 4), 4); /* ASCII: max itself */
	/* "x" and three e-diaeresis: a cut at 4 bytes would split the second. */
	assert_int_equal(utf8_prefix("x\xc3\xab\xc3\xab\xc3\xab", 4), 3);
	assert_int_equal(utf8_prefix("x\xc3\xab\xc3\xab\xc3\xab", 5), 5);
	assert_int_equal(utf8_prefix("\xf0\x9f\x98\x80!", 3), 0); /* an emoji is 4 bytes */
	assert_int_equal(utf8_prefix("\xf0\x9f\x98\x80!", 4), 4);
}

/* Issue 11, item 9: str_has_control knew only C0 and DEL, so a role named
 * with U+202E (right-to-left override) read as another role. */
static void test_str_has_control_refuses_invisible_and_bidi_characters(void **state)
{
	/* clang-format off */ /* split after each \x escape, as written */
	static const char *const refused[] = {
		"HR\xe2\x80\xae" "eitceriD",  /* U+202E right-to-left override */
		"Direc\xe2\x80\x8btie",       /* U+200B zero width space */
		"a\xe2\x80\x8c" "b", "a\xe2\x80\x8d" "b", "a\xe2\x80\x8e" "b", "a\xe2\x80\x8f" "b",
		"a\xe2\x80\xaa" "b", "a\xe2\x80\xab" "b", "a\xe2\x80\xac" "b", "a\xe2\x80\xad" "b",
		"a\xe2\x81\xa0" "b", "a\xe2\x81\xa4" "b",   /* U+2060, U+2064 */
		"a\xe2\x81\xa6" "b", "a\xe2\x81\xa9" "b",   /* U+2066 isolate, U+2069 pop */
		"a\xe2\x81\xaf" "b",                        /* U+206F */
		"\xef\xbb\xbf" "a",                          /* U+FEFF byte order mark */
		"Finan\xc2\xad" "ci\xc3\xabn",               /* U+00AD soft hyphen */
		"a\xd8\x9c" "b",                             /* U+061C Arabic letter mark */
		"a\xe1\xa0\x8e" "b",                         /* U+180E */
		"a\xc2\x80" "b", "a\xc2\x85" "b", "a\xc2\x9f" "b", /* C1: U+0080, NEL, U+009F */
		"a\xe2\x80\xa8" "b", "a\xe2\x80\xa9" "b",   /* U+2028, U+2029 */
		"a\xef\xbf\xb9" "b",                         /* U+FFF9 */
		"a\xf3\xa0\x80\x81" "b", "a\xf3\xa0\x81\xbf" "b", /* tags U+E0001, U+E007F */
		"a\x1b" "b", "a\x7f" "b", "a\tb", "a\nb",
	};
	static const char *const visible[] = {
		"Financi\xc3\xabn", "Directie", "\xc2\xa0", /* no-break space is seen as space */
		"\xc2\xa1", "\xc2\xae", "\xd8\x9b",          /* U+00A1, U+00AE, U+061B */
		"\xe2\x80\x8a", "\xe2\x80\x90", "\xe2\x80\xaf", /* U+200A, U+2010, U+202F */
		"\xe2\x81\xa5", "\xef\xbb\xbe", "\xef\xbf\xbc", /* U+2065, U+FEFE, U+FFFC */
		"\xf0\x9f\x98\x80", "\xf3\xa0\x82\x80",     /* an emoji, U+E0080 */
		"\xe0\xa4\xb9\xe0\xa4\xbf",                  /* Devanagari */
	};
	/* clang-format on */
	(void)state;

	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		if (!str_has_control(refused[i]))
			fail_msg("not refused: #%zu", i);
	}
	for (size_t i = 0; i < sizeof visible / sizeof visible[0]; i++) {
		if (str_has_control(visible[i]))
			fail_msg("refused: #%zu", i);
	}
}

static void test_str_hidden_char_names_the_first_and_allows_breaks_when_asked(void **state)
{
	char err[128];
	(void)state;

	assert_int_equal(str_hidden_char("ok", 0), -1);
	/* clang-format off */ /* split after each \x escape, as written */
	assert_int_equal(str_hidden_char("a\xe2\x80\xae" "b\x1b", 0), 0x202e);
	/* clang-format on */
	assert_int_equal(str_hidden_char("a\xf3\xa0\x80\x81", 0), 0xe0001);
	assert_int_equal(str_hidden_char("a\r\n\tb", 0), '\r');
	assert_int_equal(str_hidden_char("a\r\n\tb", STR_LINE_BREAKS), -1);
	assert_int_equal(str_hidden_char("a\n\xe2\x80\x8b", STR_LINE_BREAKS), 0x200b);
	assert_int_equal(str_hidden_char("a\n\x0b", STR_LINE_BREAKS), 0x0b);
	assert_int_equal(str_hidden_char("a\n\xc2\x85", STR_LINE_BREAKS), 0x85);
	/* Not UTF-8: skipped here, utf8_valid refuses it. */
	assert_int_equal(str_hidden_char("\xff\xe2\x80", 0), -1);
	assert_true(str_hidden_is_control(0x1b));
	assert_true(str_hidden_is_control(0x85));
	assert_false(str_hidden_is_control(0x202e));

	assert_int_equal(str_check_visible("role name", "Directie", 0, err, sizeof err), 0);
	assert_int_equal(str_check_visible("role name", "HR\xe2\x80\xae", 0, err, sizeof err), -1);
	assert_string_equal(err, "invalid role name: it contains an invisible or bidirectional "
	                         "formatting character (U+202E)");
	assert_int_equal(str_check_visible("title", "a\x1b[2J", 0, err, sizeof err), -1);
	assert_string_equal(err, "invalid title: it contains a control character (U+001B)");
	assert_int_equal(str_check_visible("x", "a\xf3\xa0\x80\x81", 0, err, sizeof err), -1);
	assert_non_null(strstr(err, "(U+E0001)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_remote_user_comes_only_from_the_fastcgi_parameter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_authorization_header_is_kept_as_sent, setup,
		                                teardown),
		cmocka_unit_test(test_utf8_count_counts_code_points_and_refuses_bad_input),
		cmocka_unit_test(test_utf8_prefix_never_splits_a_character),
		cmocka_unit_test(test_str_has_control_refuses_invisible_and_bidi_characters),
		cmocka_unit_test(test_str_hidden_char_names_the_first_and_allows_breaks_when_asked),
		T(test_form_decodes_pairs_in_order),
		T(test_form_decodes_plus_as_space),
		T(test_form_decodes_mixed_case_hex),
		T(test_form_decodes_keys_too),
		T(test_form_allows_empty_values),
		T(test_form_skips_empty_pairs),
		T(test_form_keeps_value_after_second_equals_sign),
		T(test_form_rejects_empty_key),
		T(test_form_rejects_truncated_percent_escape),
		T(test_form_does_not_read_an_escape_past_the_given_length),
		T(test_form_rejects_non_hex_escape),
		T(test_form_rejects_encoded_nul),
		T(test_form_rejects_raw_nul_in_body),
		T(test_form_rejects_overlong_utf8),
		T(test_form_rejects_utf16_surrogates),
		T(test_form_rejects_code_points_above_u10ffff),
		T(test_form_rejects_truncated_utf8_sequences),
		T(test_form_rejects_invalid_utf8_in_key),
		T(test_form_accepts_valid_multibyte_utf8),
		T(test_form_rejects_duplicate_keys),
		T(test_form_keeps_repeated_bracket_keys_in_order),
		T(test_form_tells_prefix_keys_apart),
		T(test_form_rejects_too_many_fields),
		T(test_form_rejects_default_limit_plus_one_fields),
		T(test_form_rejects_overlong_field),
		T(test_form_rejects_input_over_max_body),
		T(test_utf8_valid_accepts_and_rejects_by_rfc3629),
		T(test_cookies_split_pairs_and_trim_spaces),
		T(test_cookies_remove_surrounding_quotes),
		T(test_cookies_skip_pairs_without_equals_or_name),
		T(test_cookies_keep_first_of_duplicate_names),
		T(test_cookies_do_not_decode_values),
		T(test_cookies_from_empty_or_missing_header_are_empty),
		T(test_cookies_skip_invalid_utf8),
		T(test_parse_get_with_query),
		T(test_parse_gives_each_request_a_different_id),
		T(test_parse_fills_defaults_for_absent_params),
		T(test_parse_post_with_form),
		T(test_parse_accepts_form_content_type_in_any_case),
		T(test_parse_leaves_form_empty_for_other_content_types),
		T(test_parse_leaves_form_empty_for_get),
		T(test_parse_rejects_oversized_body),
		T(test_parse_rejects_content_length_over_max_body),
		T(test_parse_rejects_oversized_query),
		T(test_parse_reports_query_errors),
		T(test_parse_reports_form_errors),
		T(test_parse_rejects_path_decoding_errors),
		T(test_parse_keeps_plus_literal_in_path),
		T(test_parse_rejects_path_over_2048_bytes),
		T(test_parse_measures_path_limit_after_decoding),
		T(test_parse_falls_back_to_document_uri_and_script_name),
		T(test_parse_takes_query_from_uri_without_query_string),
		T(test_parse_keeps_head_as_head),
		T(test_parse_rejects_missing_or_malformed_method),
		T(test_parse_copies_strings_into_the_arena),
		T(test_error_strings_are_distinct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
