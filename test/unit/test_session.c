/*
 * Unit tests for the parts of lib/session.c that need no database: the
 * cookie-to-parameter conversion, the redirect target check, the CSRF check
 * and reading a session row from a result.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "session.h"

/* ---- session_token_param ---- */

static void test_token_param_of_valid_cookie_is_bytea_hex_of_its_bytes(void **state)
{
	(void)state;
	unsigned char raw[AUTH_TOKEN_BYTES];
	char cookie[AUTH_TOKEN_B64], hex[2 * AUTH_TOKEN_BYTES + 1], out[67];

	for (int round = 0; round < 20; round++) {
		assert_int_equal(auth_random(raw, sizeof(raw)), 0);
		auth_b64url_encode(raw, sizeof(raw), cookie);
		assert_int_equal(strlen(cookie), 43);
		auth_hex(raw, sizeof(raw), hex);

		memset(out, 'Z', sizeof(out));
		assert_int_equal(session_token_param(cookie, out), 0);
		assert_memory_equal(out, "\\x", 2);
		assert_string_equal(out + 2, hex);
		assert_int_equal(strlen(out), 66);
	}
}

static void test_token_param_is_lower_case_hex(void **state)
{
	(void)state;
	unsigned char raw[AUTH_TOKEN_BYTES];
	char cookie[AUTH_TOKEN_B64], out[67];

	memset(raw, 0xAB, sizeof(raw));
	auth_b64url_encode(raw, sizeof(raw), cookie);
	assert_int_equal(session_token_param(cookie, out), 0);
	for (size_t i = 2; i < 66; i++)
		assert_true((out[i] >= '0' && out[i] <= '9') || (out[i] >= 'a' && out[i] <= 'f'));
	assert_int_equal(strncmp(out + 2, "abababab", 8), 0);
}

static void test_token_param_rejects_absent_or_wrong_length_cookie(void **state)
{
	(void)state;
	unsigned char raw[AUTH_TOKEN_BYTES];
	char cookie[AUTH_TOKEN_B64], longer[AUTH_TOKEN_B64 + 1], out[67];

	assert_int_equal(auth_random(raw, sizeof(raw)), 0);
	auth_b64url_encode(raw, sizeof(raw), cookie);

	assert_int_equal(session_token_param(NULL, out), -1);
	assert_int_equal(session_token_param("", out), -1);

	char shorter[AUTH_TOKEN_B64];
	memcpy(shorter, cookie, 42);
	shorter[42] = '\0';
	assert_int_equal(session_token_param(shorter, out), -1);

	memcpy(longer, cookie, 43);
	longer[43] = 'A';
	longer[44] = '\0';
	assert_int_equal(session_token_param(longer, out), -1);
}

static void test_token_param_rejects_standard_base64_characters_and_padding(void **state)
{
	(void)state;
	unsigned char raw[AUTH_TOKEN_BYTES];
	char cookie[AUTH_TOKEN_B64], bad[AUTH_TOKEN_B64 + 1], out[67];

	assert_int_equal(auth_random(raw, sizeof(raw)), 0);
	auth_b64url_encode(raw, sizeof(raw), cookie);

	memcpy(bad, cookie, sizeof(cookie));
	bad[10] = '+';
	assert_int_equal(session_token_param(bad, out), -1);

	memcpy(bad, cookie, sizeof(cookie));
	bad[20] = '/';
	assert_int_equal(session_token_param(bad, out), -1);

	/* 43 characters with '=' inside, and 44 with '=' padding at the end. */
	memcpy(bad, cookie, sizeof(cookie));
	bad[42] = '=';
	assert_int_equal(session_token_param(bad, out), -1);

	memcpy(bad, cookie, 43);
	bad[43] = '=';
	bad[44] = '\0';
	assert_int_equal(session_token_param(bad, out), -1);

	memcpy(bad, cookie, sizeof(cookie));
	bad[5] = ' ';
	assert_int_equal(session_token_param(bad, out), -1);
}

/* ---- session_local_path ---- */

static void test_local_path_accepts_local_paths(void **state)
{
	(void)state;
	assert_int_equal(session_local_path("/reports"), 1);
	assert_int_equal(session_local_path("/reports?q=a%20b"), 1);
	assert_int_equal(session_local_path("/"), 1);
	assert_int_equal(session_local_path("/reports/12?sort=updated&page=2"), 1);
}

static void test_local_path_rejects_other_hosts_and_schemes(void **state)
{
	(void)state;
	assert_int_equal(session_local_path("//evil.example"), 0);
	assert_int_equal(session_local_path("/\\evil.example"), 0);
	assert_int_equal(session_local_path("https://evil.example"), 0);
	assert_int_equal(session_local_path("evil"), 0);
	assert_int_equal(session_local_path(""), 0);
	assert_int_equal(session_local_path(NULL), 0);
}

static void test_local_path_rejects_control_characters_and_backslash(void **state)
{
	(void)state;
	assert_int_equal(session_local_path("/\r\nX: y"), 0);
	assert_int_equal(session_local_path("/a\\b"), 0);
	assert_int_equal(session_local_path("/a\tb"), 0);
	assert_int_equal(session_local_path("/a\x7f"), 0);
}

static void test_local_path_accepts_1024_bytes_and_rejects_more(void **state)
{
	(void)state;
	char path[2001];

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[2000] = '\0';
	assert_int_equal(session_local_path(path), 0);

	path[1024] = '\0';
	assert_int_equal(strlen(path), 1024);
	assert_int_equal(session_local_path(path), 1);

	path[1024] = 'a';
	path[1025] = '\0';
	assert_int_equal(session_local_path(path), 0);
}

/* ---- session_csrf_ok ---- */

struct csrf_fixture {
	struct arena arena;
	struct request req;
	char token[65];
};

static int csrf_setup(void **state)
{
	static struct csrf_fixture f;
	memset(&f, 0, sizeof(f));
	unsigned char raw[32];
	if (auth_random(raw, sizeof(raw)) < 0)
		return -1;
	auth_hex(raw, sizeof(raw), f.token);
	f.req.arena = &f.arena;
	f.req.method = "POST";
	f.req.path = "/logout";
	f.req.host = "portal.example";
	*state = &f;
	return 0;
}

static int csrf_teardown(void **state)
{
	struct csrf_fixture *f = *state;
	arena_free(&f->arena);
	return 0;
}

static void set_form(struct csrf_fixture *f, const char *body)
{
	assert_int_equal(
	    req_parse_urlencoded(&f->arena, body, strlen(body), &req_default_limits, &f->req.form),
	    REQ_OK);
}

static void set_form_token(struct csrf_fixture *f, const char *token)
{
	char body[200];
	snprintf(body, sizeof(body), "next=%%2Freports&csrf=%s", token);
	set_form(f, body);
}

static void test_csrf_accepts_matching_token_without_browser_headers(void **state)
{
	struct csrf_fixture *f = *state;
	set_form_token(f, f->token);
	assert_int_equal(session_csrf_ok(&f->req, f->token), 1);
}

static void test_csrf_refuses_missing_token(void **state)
{
	struct csrf_fixture *f = *state;
	set_form(f, "next=%2Freports");
	assert_int_equal(session_csrf_ok(&f->req, f->token), 0);
}

static void test_csrf_refuses_wrong_token_of_same_length(void **state)
{
	struct csrf_fixture *f = *state;
	char wrong[65];
	memcpy(wrong, f->token, sizeof(wrong));
	wrong[63] = wrong[63] == '0' ? '1' : '0';
	set_form_token(f, wrong);
	assert_int_equal(session_csrf_ok(&f->req, f->token), 0);
}

static void test_csrf_refuses_token_of_different_length(void **state)
{
	struct csrf_fixture *f = *state;
	char prefix[65];
	memcpy(prefix, f->token, sizeof(prefix));
	prefix[63] = '\0';
	set_form_token(f, prefix);
	assert_int_equal(session_csrf_ok(&f->req, f->token), 0);

	char longer[70];
	snprintf(longer, sizeof(longer), "%s00", f->token);
	set_form_token(f, longer);
	assert_int_equal(session_csrf_ok(&f->req, f->token), 0);
}

static void test_csrf_refuses_empty_token_against_empty_expectation(void **state)
{
	struct csrf_fixture *f = *state;
	/* An empty presession cookie must not let an empty form field through. */
	set_form(f, "csrf=");
	assert_int_equal(session_csrf_ok(&f->req, ""), 0);
	assert_int_equal(session_csrf_ok(&f->req, NULL), 0);
}

static void test_csrf_refuses_when_nothing_is_expected(void **state)
{
	struct csrf_fixture *f = *state;
	set_form_token(f, f->token);
	assert_int_equal(session_csrf_ok(&f->req, NULL), 0);
}

static void test_csrf_accepts_origin_of_own_host(void **state)
{
	struct csrf_fixture *f = *state;
	set_form_token(f, f->token);
	f->req.origin = "https://portal.example";
	assert_int_equal(session_csrf_ok(&f->req, f->token), 1);
}

static void test_csrf_refuses_other_origin_even_with_good_token(void **state)
{
	struct csrf_fixture *f = *state;
	set_form_token(f, f->token);

	f->req.origin = "https://evil.example";
	assert_int_equal(session_csrf_ok(&f->req, f->token), 0);
	f->req.origin = "null";
	assert_int_equal(session_csrf_ok(&f->req, f->token), 0);
	f->req.origin = "http://portal.example";
	assert_int_equal(session_csrf_ok(&f->req, f->token), 0);
	f->req.origin = "https://portal.example.evil.example";
	assert_int_equal(session_csrf_ok(&f->req, f->token), 0);
}

static void test_csrf_accepts_same_origin_and_none_fetch_site(void **state)
{
	struct csrf_fixture *f = *state;
	set_form_token(f, f->token);

	f->req.sec_fetch_site = "same-origin";
	assert_int_equal(session_csrf_ok(&f->req, f->token), 1);
	f->req.sec_fetch_site = "none";
	assert_int_equal(session_csrf_ok(&f->req, f->token), 1);
	f->req.origin = "https://portal.example";
	f->req.sec_fetch_site = "same-origin";
	assert_int_equal(session_csrf_ok(&f->req, f->token), 1);
}

static void test_csrf_refuses_cross_site_and_same_site_fetch(void **state)
{
	struct csrf_fixture *f = *state;
	set_form_token(f, f->token);

	f->req.sec_fetch_site = "cross-site";
	assert_int_equal(session_csrf_ok(&f->req, f->token), 0);
	f->req.sec_fetch_site = "same-site";
	assert_int_equal(session_csrf_ok(&f->req, f->token), 0);
	/* The Origin alone cannot make up for a cross-site fetch. */
	f->req.origin = "https://portal.example";
	f->req.sec_fetch_site = "cross-site";
	assert_int_equal(session_csrf_ok(&f->req, f->token), 0);
}

static void test_csrf_refuses_bad_token_from_same_origin(void **state)
{
	struct csrf_fixture *f = *state;
	set_form_token(f, "00");
	f->req.origin = "https://portal.example";
	f->req.sec_fetch_site = "same-origin";
	assert_int_equal(session_csrf_ok(&f->req, f->token), 0);
}

/* ---- session_from_result ---- */

#define BOOL_OID 16
#define INT8_OID 20
#define TEXT_OID 25

static PGresult *session_result(int rows, const char *email, const char *superuser)
{
	PGresAttDesc attrs[] = {
		{ "sid", 0, 0, 0, INT8_OID, 8, -1 },
		{ "uid", 0, 0, 0, INT8_OID, 8, -1 },
		{ "username", 0, 0, 0, TEXT_OID, -1, -1 },
		{ "display_name", 0, 0, 0, TEXT_OID, -1, -1 },
		{ "email", 0, 0, 0, TEXT_OID, -1, -1 },
		{ "is_superuser", 0, 0, 0, BOOL_OID, 1, -1 },
		{ "csrf", 0, 0, 0, TEXT_OID, -1, -1 },
	};
	const char *values[] = {
		"9000000000",
		"42",
		"jdevries",
		"Jan de Vries",
		email,
		superuser,
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	};
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	assert_non_null(res);
	assert_int_equal(PQsetResultAttrs(res, 7, attrs), 1);
	for (int r = 0; r < rows; r++)
		for (int c = 0; c < 7; c++) {
			/* A NULL value becomes SQL NULL (length -1). */
			char *v = (char *)values[c];
			int len = v ? (int)strlen(v) : -1;
			assert_int_equal(PQsetvalue(res, r, c, v, len), 1);
		}
	return res;
}

static void test_from_result_reads_every_column_of_the_row(void **state)
{
	(void)state;
	PGresult *res = session_result(1, "jan@example.nl", "t");
	struct session s;

	assert_int_equal(session_from_result(res, &s), 1);
	assert_int_equal(s.sid, 9000000000LL);
	assert_int_equal(s.uid, 42);
	assert_string_equal(s.username, "jdevries");
	assert_string_equal(s.display_name, "Jan de Vries");
	assert_string_equal(s.email, "jan@example.nl");
	assert_int_equal(s.is_superuser, 1);
	assert_string_equal(s.csrf,
	                    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	PQclear(res);
}

static void test_from_result_reads_false_superuser_and_null_email(void **state)
{
	(void)state;
	PGresult *res = session_result(1, NULL, "f");
	struct session s;

	assert_int_equal(session_from_result(res, &s), 1);
	assert_int_equal(s.uid, 42);
	assert_int_equal(s.is_superuser, 0);
	assert_null(s.email);
	PQclear(res);
}

static void test_from_result_without_rows_is_no_session(void **state)
{
	(void)state;
	PGresult *res = session_result(0, "jan@example.nl", "t");
	struct session s;

	memset(&s, 0x55, sizeof(s));
	assert_int_equal(session_from_result(res, &s), 0);
	assert_int_equal(s.uid, 0);
	assert_int_equal(s.sid, 0);
	assert_null(s.username);
	PQclear(res);

	assert_int_equal(session_from_result(NULL, &s), 0);
	assert_int_equal(s.uid, 0);
}

#define C(f) cmocka_unit_test_setup_teardown(f, csrf_setup, csrf_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_param_of_valid_cookie_is_bytea_hex_of_its_bytes),
		cmocka_unit_test(test_token_param_is_lower_case_hex),
		cmocka_unit_test(test_token_param_rejects_absent_or_wrong_length_cookie),
		cmocka_unit_test(test_token_param_rejects_standard_base64_characters_and_padding),
		cmocka_unit_test(test_local_path_accepts_local_paths),
		cmocka_unit_test(test_local_path_rejects_other_hosts_and_schemes),
		cmocka_unit_test(test_local_path_rejects_control_characters_and_backslash),
		cmocka_unit_test(test_local_path_accepts_1024_bytes_and_rejects_more),
		C(test_csrf_accepts_matching_token_without_browser_headers),
		C(test_csrf_refuses_missing_token),
		C(test_csrf_refuses_wrong_token_of_same_length),
		C(test_csrf_refuses_token_of_different_length),
		C(test_csrf_refuses_empty_token_against_empty_expectation),
		C(test_csrf_refuses_when_nothing_is_expected),
		C(test_csrf_accepts_origin_of_own_host),
		C(test_csrf_refuses_other_origin_even_with_good_token),
		C(test_csrf_accepts_same_origin_and_none_fetch_site),
		C(test_csrf_refuses_cross_site_and_same_site_fetch),
		C(test_csrf_refuses_bad_token_from_same_origin),
		cmocka_unit_test(test_from_result_reads_every_column_of_the_row),
		cmocka_unit_test(test_from_result_reads_false_superuser_and_null_email),
		cmocka_unit_test(test_from_result_without_rows_is_no_session),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
