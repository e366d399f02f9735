/*
 * Unit tests for lib/sso.c (the method list, the Authorization header,
 * base64, principals and REMOTE_USER) and the refusals of lib/spnego.c that
 * need no KDC (no keytab, garbage tokens). test/sso/run has the rest, with
 * a real KDC.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spnego.h"
#include "sso.h"

/* ---- PORTAL_AUTH ---- */

static void test_methods_keep_their_order(void **state)
{
	(void)state;
	struct sso_methods m;
	char err[200];
	assert_int_equal(sso_parse_methods("negotiate,password", &m, err, sizeof(err)), 0);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.order[0], SSO_NEGOTIATE);
	assert_int_equal(m.order[1], SSO_PASSWORD);
	assert_int_equal(m.mask, SSO_NEGOTIATE | SSO_PASSWORD);
	assert_int_equal(
	    sso_parse_methods(" remote-user , password,negotiate ", &m, err, sizeof(err)), 0);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.order[0], SSO_REMOTE_USER);
	assert_int_equal(m.order[2], SSO_NEGOTIATE);
	assert_int_equal(sso_parse_methods("negotiate", &m, err, sizeof(err)), 0);
	assert_int_equal(m.mask, SSO_NEGOTIATE);
}

static void test_methods_refuse_empty_lists_and_items(void **state)
{
	(void)state;
	struct sso_methods m;
	char err[200];
	const char *bad[] = { "", " ", ",", "password,", ",password", "password,,negotiate", NULL };
	for (const char **b = bad; *b; b++) {
		err[0] = '\0';
		assert_int_equal(sso_parse_methods(*b, &m, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "empty"));
	}
	assert_int_equal(sso_parse_methods(NULL, &m, err, sizeof(err)), -1);
}

static void test_methods_refuse_unknown_names_and_quote_them_safely(void **state)
{
	(void)state;
	struct sso_methods m;
	char err[200];
	assert_int_equal(sso_parse_methods("negotiate,basic", &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "\"basic\" is not a sign-in method"));
	/* Case matters, as for every other setting. */
	assert_int_equal(sso_parse_methods("Password", &m, err, sizeof(err)), -1);
	assert_int_equal(sso_parse_methods("kerberos", &m, err, sizeof(err)), -1);
	assert_int_equal(sso_parse_methods("pass\x1bword", &m, err, sizeof(err)), -1);
	assert_null(strchr(err, '\x1b'));
}

static void test_methods_refuse_a_method_named_twice(void **state)
{
	(void)state;
	struct sso_methods m;
	char err[200];
	assert_int_equal(sso_parse_methods("password,negotiate,password", &m, err, sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "\"password\" is named twice"));
}

static void test_method_names_are_those_of_the_sessions_table(void **state)
{
	(void)state;
	assert_string_equal(sso_method_name(SSO_PASSWORD), "password");
	assert_string_equal(sso_method_name(SSO_NEGOTIATE), "negotiate");
	assert_string_equal(sso_method_name(SSO_REMOTE_USER), "remote-user");
	assert_null(sso_method_name(SSO_PASSWORD | SSO_NEGOTIATE));
	assert_null(sso_method_name(0));
}

/* ---- Authorization ---- */

static void test_authorization_finds_a_negotiate_token(void **state)
{
	(void)state;
	const char *t;
	size_t n;
	const char *h = "Negotiate YIIBAAYGKwYBBQUCoA==";
	assert_int_equal(sso_parse_authorization(h, &t, &n), SSO_AUTHZ_NEGOTIATE);
	assert_ptr_equal(t, h + 10);
	assert_int_equal(n, strlen("YIIBAAYGKwYBBQUCoA=="));
	/* The scheme in any case, blanks around. */
	assert_int_equal(sso_parse_authorization("  nEgOtIaTe   YWJj  ", &t, &n),
	                 SSO_AUTHZ_NEGOTIATE);
	assert_int_equal(n, 4);
	assert_memory_equal(t, "YWJj", 4);
}

static void test_authorization_without_one_is_none(void **state)
{
	(void)state;
	const char *t = "x";
	size_t n = 9;
	assert_int_equal(sso_parse_authorization(NULL, &t, &n), SSO_AUTHZ_NONE);
	assert_null(t);
	assert_int_equal(n, 0);
	assert_int_equal(sso_parse_authorization("", &t, &n), SSO_AUTHZ_NONE);
	assert_int_equal(sso_parse_authorization("   ", &t, &n), SSO_AUTHZ_NONE);
}

static void test_authorization_basic_and_others_are_never_negotiate(void **state)
{
	(void)state;
	const char *t;
	size_t n;
	const char *other[] = { "Basic YW5uYTpwdw==", "basic YW5uYTpwdw==", "Bearer abc",
		                "NTLM TlRMTVNTUAAB",  "Negotiates YWJj",    "Negotiat YWJj",
		                "Kerberos YWJj",      "NegotiateYWJj",      NULL };
	for (const char **o = other; *o; o++) {
		assert_int_equal(sso_parse_authorization(*o, &t, &n), SSO_AUTHZ_OTHER);
		assert_null(t);
	}
}

static void test_authorization_garbled_negotiate_is_bad(void **state)
{
	(void)state;
	const char *t;
	size_t n;
	const char *bad[] = { "Negotiate",
		              "Negotiate ",
		              "Negotiate !!!!",
		              "Negotiate YWJ",
		              "Negotiate YW Jj",
		              "Negotiate YWJj extra",
		              "Negotiate YW\tJj",
		              "Negotiate YW-_",
		              "Negotiate \xc3\xa9\xc3\xa9",
		              NULL };
	for (const char **b = bad; *b; b++)
		assert_int_equal(sso_parse_authorization(*b, &t, &n), SSO_AUTHZ_BAD);
}

static void test_authorization_refuses_a_token_over_the_limit(void **state)
{
	(void)state;
	const char *t;
	size_t n;
	size_t len = SSO_TOKEN_B64_MAX + 4;
	char *h = malloc(10 + len + 1);
	assert_non_null(h);
	memcpy(h, "Negotiate ", 10);
	memset(h + 10, 'A', len);
	h[10 + len] = '\0';
	assert_int_equal(sso_parse_authorization(h, &t, &n), SSO_AUTHZ_BAD);
	h[10 + SSO_TOKEN_B64_MAX] = '\0';
	assert_int_equal(sso_parse_authorization(h, &t, &n), SSO_AUTHZ_NEGOTIATE);
	assert_int_equal(n, SSO_TOKEN_B64_MAX);
	free(h);
}

/* ---- base64 ---- */

static void test_b64_round_trips_every_length(void **state)
{
	(void)state;
	unsigned char in[300], out[300];
	char enc[SSO_B64_LEN(300)];
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 11);
	for (size_t n = 0; n <= sizeof(in); n++) {
		sso_b64_encode(in, n, enc);
		assert_int_equal(strlen(enc), SSO_B64_LEN(n) - 1);
		long got = sso_b64_decode(enc, strlen(enc), out, sizeof(out));
		assert_int_equal(got, (long)n);
		assert_memory_equal(in, out, n);
	}
}

static void test_b64_matches_rfc_4648_vectors(void **state)
{
	(void)state;
	const char *plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	const char *coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	char enc[16];
	unsigned char dec[16];
	for (int i = 0; i < 7; i++) {
		sso_b64_encode((const unsigned char *)plain[i], strlen(plain[i]), enc);
		assert_string_equal(enc, coded[i]);
		assert_int_equal(sso_b64_decode(coded[i], strlen(coded[i]), dec, sizeof(dec)),
		                 (long)strlen(plain[i]));
		assert_memory_equal(dec, plain[i], strlen(plain[i]));
	}
}

static void test_b64_refuses_what_is_not_base64(void **state)
{
	(void)state;
	unsigned char out[16];
	const char *bad[] = { "Zg=",  "Zg",   "Z===", "=Zg=", "Zg==Zg==", "Zm9v!",
		              "Zm-v", "Zm_v", "Zh==", "Zm9=", "Zg=A",     NULL };
	for (const char **b = bad; *b; b++)
		assert_int_equal(sso_b64_decode(*b, strlen(*b), out, sizeof(out)), -1);
	/* A NUL inside the given length is no base64 character either. */
	assert_int_equal(sso_b64_decode("Z\0g=", 4, out, sizeof(out)), -1);
	/* Too small an output is refused, not overrun. */
	assert_int_equal(sso_b64_decode("Zm9vYmFy", 8, out, 5), -1);
}

/* ---- principals ---- */

static void test_principal_of_the_realm_is_its_username(void **state)
{
	(void)state;
	char u[80];
	assert_int_equal(sso_principal_user("anna@CED.EXAMPLE", "CED.EXAMPLE", u, sizeof(u)),
	                 SSO_PRINCIPAL_OK);
	assert_string_equal(u, "anna");
	assert_int_equal(sso_principal_user("j.de.vries@CED.EXAMPLE", "CED.EXAMPLE", u, sizeof(u)),
	                 SSO_PRINCIPAL_OK);
	assert_string_equal(u, "j.de.vries");
	assert_int_equal(sso_principal_user("zo\xc3\xab@CED.EXAMPLE", "CED.EXAMPLE", u, sizeof(u)),
	                 SSO_PRINCIPAL_OK);
	assert_string_equal(u, "zo\xc3\xab");
}

static void test_principal_of_another_realm_is_refused(void **state)
{
	(void)state;
	char u[80] = "x";
	assert_int_equal(sso_principal_user("anna@OTHER.EXAMPLE", "CED.EXAMPLE", u, sizeof(u)),
	                 SSO_PRINCIPAL_OTHER_REALM);
	assert_string_equal(u, "");
	/* Realms are case-sensitive, and a suffix is not the realm. */
	assert_int_equal(sso_principal_user("anna@ced.example", "CED.EXAMPLE", u, sizeof(u)),
	                 SSO_PRINCIPAL_OTHER_REALM);
	assert_int_equal(sso_principal_user("anna@SUB.CED.EXAMPLE", "CED.EXAMPLE", u, sizeof(u)),
	                 SSO_PRINCIPAL_OTHER_REALM);
	assert_int_equal(sso_principal_user("anna@CED.EXAMPLE.EVIL", "CED.EXAMPLE", u, sizeof(u)),
	                 SSO_PRINCIPAL_OTHER_REALM);
	/* The last '@' separates the realm: anna@CED.EXAMPLE@EVIL is EVIL's
	 * (an enterprise name of another realm). */
	assert_int_equal(sso_principal_user("anna@CED.EXAMPLE@EVIL", "CED.EXAMPLE", u, sizeof(u)),
	                 SSO_PRINCIPAL_OTHER_REALM);
}

static void test_principal_that_is_no_user_is_refused(void **state)
{
	(void)state;
	char u[80];
	const char *bad[] = {
		"anna",
		"@CED.EXAMPLE",
		"anna/admin@CED.EXAMPLE",
		"HTTP/portal.ced.example@CED.EXAMPLE",
		"a\\@b@CED.EXAMPLE",
		"an na@CED.EXAMPLE",
		"anna\t@CED.EXAMPLE",
		"an\xe2\x80\xaena@CED.EXAMPLE",
		"an\xc2\xa0na@CED.EXAMPLE",
		"an\xff@CED.EXAMPLE",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@CED.EXAMPLE",
		NULL
	};
	for (const char **b = bad; *b; b++)
		assert_int_equal(sso_principal_user(*b, "CED.EXAMPLE", u, sizeof(u)),
		                 SSO_PRINCIPAL_BAD);
	assert_int_equal(sso_principal_user("anna@CED.EXAMPLE", "", u, sizeof(u)),
	                 SSO_PRINCIPAL_BAD);
	assert_int_equal(sso_principal_user(NULL, "CED.EXAMPLE", u, sizeof(u)), SSO_PRINCIPAL_BAD);
	/* A buffer too small is a refusal, not a cut name. */
	assert_int_equal(sso_principal_user("anna@CED.EXAMPLE", "CED.EXAMPLE", u, 4),
	                 SSO_PRINCIPAL_BAD);
}

static void test_principal_of_64_characters_is_a_username(void **state)
{
	(void)state;
	char p[100], u[100];
	memset(p, 'a', 64);
	strcpy(p + 64, "@R");
	assert_int_equal(sso_principal_user(p, "R", u, sizeof(u)), SSO_PRINCIPAL_OK);
	assert_int_equal(strlen(u), 64);
}

/* ---- REMOTE_USER ---- */

static void test_remote_user_must_be_a_username(void **state)
{
	(void)state;
	assert_true(sso_remote_user_ok("anna"));
	assert_true(sso_remote_user_ok("anna@ced.example"));
	assert_false(sso_remote_user_ok(NULL));
	assert_false(sso_remote_user_ok(""));
	assert_false(sso_remote_user_ok("an na"));
	assert_false(sso_remote_user_ok("anna\n"));
	assert_false(sso_remote_user_ok("an\xe2\x80\x8bna"));
	assert_false(sso_remote_user_ok("\xc3"));
	char long_name[70];
	memset(long_name, 'x', 65);
	long_name[65] = '\0';
	assert_false(sso_remote_user_ok(long_name));
}

/* ---- spnego: what needs no KDC ---- */

static void test_spnego_without_a_keytab_is_the_servers_problem(void **state)
{
	(void)state;
	char principal[SPNEGO_PRINCIPAL_MAX] = "x", why[300];
	struct buf reply = { 0 };
	unsigned char tok[] = { 0x60, 0x03, 0x06, 0x01, 0x00 };
	assert_int_equal(spnego_accept("", tok, sizeof(tok), principal, &reply, why, sizeof(why)),
	                 SPNEGO_ERROR);
	assert_string_equal(principal, "");
	assert_non_null(strstr(why, "PORTAL_KRB5_KEYTAB"));
	assert_int_equal(reply.len, 0);
}

static void test_spnego_refuses_garbage_and_names_nobody(void **state)
{
	(void)state;
	char principal[SPNEGO_PRINCIPAL_MAX], why[300];
	struct buf reply = { 0 };
	unsigned char tok[64];
	for (size_t i = 0; i < sizeof(tok); i++)
		tok[i] = (unsigned char)(i * 91 + 7);
	/* A keytab that is not there: refused or an error, never OK. */
	enum spnego_result r = spnego_accept("/nonexistent/portal.keytab", tok, sizeof(tok),
	                                     principal, &reply, why, sizeof(why));
	assert_int_not_equal(r, SPNEGO_OK);
	assert_string_equal(principal, "");
	r = spnego_accept("/nonexistent/portal.keytab", tok, 1, principal, &reply, why,
	                  sizeof(why));
	assert_int_not_equal(r, SPNEGO_OK);
	assert_int_equal(reply.len, 0);
	buf_free(&reply);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_methods_keep_their_order),
		cmocka_unit_test(test_methods_refuse_empty_lists_and_items),
		cmocka_unit_test(test_methods_refuse_unknown_names_and_quote_them_safely),
		cmocka_unit_test(test_methods_refuse_a_method_named_twice),
		cmocka_unit_test(test_method_names_are_those_of_the_sessions_table),
		cmocka_unit_test(test_authorization_finds_a_negotiate_token),
		cmocka_unit_test(test_authorization_without_one_is_none),
		cmocka_unit_test(test_authorization_basic_and_others_are_never_negotiate),
		cmocka_unit_test(test_authorization_garbled_negotiate_is_bad),
		cmocka_unit_test(test_authorization_refuses_a_token_over_the_limit),
		cmocka_unit_test(test_b64_round_trips_every_length),
		cmocka_unit_test(test_b64_matches_rfc_4648_vectors),
		cmocka_unit_test(test_b64_refuses_what_is_not_base64),
		cmocka_unit_test(test_principal_of_the_realm_is_its_username),
		cmocka_unit_test(test_principal_of_another_realm_is_refused),
		cmocka_unit_test(test_principal_that_is_no_user_is_refused),
		cmocka_unit_test(test_principal_of_64_characters_is_a_username),
		cmocka_unit_test(test_remote_user_must_be_a_username),
		cmocka_unit_test(test_spnego_without_a_keytab_is_the_servers_problem),
		cmocka_unit_test(test_spnego_refuses_garbage_and_names_nobody),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
