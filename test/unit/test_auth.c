/*
 * Unit tests for lib/auth.c: argon2id hashing and verification, PHC parsing
 * and the rehash decision, the password policy and its shipped list,
 * base64url, hex, random bytes and constant-time comparison.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth.h"
#include "common_passwords.h"

/* Small parameters keep the suite fast; one test uses the defaults. */
static const struct auth_params fast = { .m_kib = 1024, .t = 1, .p = 1 };

static const char good_phc[] = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA"
                               "$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY";

static void hash_fast(const char *pw, char *out)
{
	assert_int_equal(auth_hash(pw, strlen(pw), &fast, out, AUTH_PHC_MAX), 0);
}

/* Repeats the UTF-8 character ch n times into out. */
static char *repeat(char *out, const char *ch, size_t n)
{
	size_t cl = strlen(ch);
	for (size_t i = 0; i < n; i++)
		memcpy(out + i * cl, ch, cl);
	out[n * cl] = '\0';
	return out;
}

/* ---- hashing and verification ---- */

static void test_hash_then_verify_accepts_the_password(void **state)
{
	char phc[AUTH_PHC_MAX];
	(void)state;

	hash_fast("correct horse battery", phc);
	assert_int_equal(auth_verify(phc, "correct horse battery", 21), 1);
}

static void test_verify_rejects_a_wrong_password(void **state)
{
	char phc[AUTH_PHC_MAX];
	(void)state;

	hash_fast("correct horse battery", phc);
	assert_int_equal(auth_verify(phc, "correct horse batterz", 21), 0);
	assert_int_equal(auth_verify(phc, "correct horse battery", 20), 0);
	assert_int_equal(auth_verify(phc, "", 0), 0);
}

static void test_non_ascii_password_verifies_as_its_bytes(void **state)
{
	const char *pw = "wachtwoord-\xc3\xab\xc3\xb1\xe2\x82\xac-\xe4\xba\x8c";
	char phc[AUTH_PHC_MAX];
	(void)state;

	hash_fast(pw, phc);
	assert_int_equal(auth_verify(phc, pw, strlen(pw)), 1);
	/* The same letters without the accents are a different password. */
	assert_int_equal(auth_verify(phc, "wachtwoord-en-2", 15), 0);
}

static void test_password_bytes_after_a_nul_count(void **state)
{
	char phc[AUTH_PHC_MAX];
	(void)state;

	assert_int_equal(auth_hash("abc\0def", 7, &fast, phc, sizeof(phc)), 0);
	assert_int_equal(auth_verify(phc, "abc\0def", 7), 1);
	assert_int_equal(auth_verify(phc, "abc", 3), 0);
}

static void test_two_hashes_of_one_password_differ_by_salt(void **state)
{
	char a[AUTH_PHC_MAX], b[AUTH_PHC_MAX];
	(void)state;

	hash_fast("same password twice", a);
	hash_fast("same password twice", b);
	assert_string_not_equal(a, b);
	assert_int_equal(auth_verify(a, "same password twice", 19), 1);
	assert_int_equal(auth_verify(b, "same password twice", 19), 1);
}

static void test_default_params_give_the_owasp_phc_prefix(void **state)
{
	static const char prefix[] = "$argon2id$v=19$m=19456,t=2,p=1$";
	char phc[AUTH_PHC_MAX];
	struct auth_params got;
	(void)state;

	assert_int_equal(
	    auth_hash("default parameters", 18, &auth_default_params, phc, sizeof(phc)), 0);
	assert_memory_equal(phc, prefix, sizeof(prefix) - 1);
	/* 16-byte salt and 32-byte hash: 22 and 43 base64 characters. */
	assert_int_equal(strlen(phc), sizeof(prefix) - 1 + 22 + 1 + 43);
	assert_int_equal(auth_phc_params(phc, &got), 0);
	assert_int_equal(got.m_kib, 19456);
	assert_int_equal(got.t, 2);
	assert_int_equal(got.p, 1);
	assert_int_equal(auth_verify(phc, "default parameters", 18), 1);
	assert_int_equal(auth_needs_rehash(phc, &auth_default_params), 0);
}

static void test_hash_refuses_an_output_buffer_too_small(void **state)
{
	char phc[AUTH_PHC_MAX];
	(void)state;

	assert_int_equal(auth_hash("long enough pw", 14, &fast, phc, 40), -1);
}

static void test_hash_refuses_parameters_argon2_refuses(void **state)
{
	const struct auth_params no_time = { .m_kib = 1024, .t = 0, .p = 1 };
	const struct auth_params no_memory = { .m_kib = 4, .t = 1, .p = 1 };
	char phc[AUTH_PHC_MAX];
	(void)state;

	assert_int_equal(auth_hash("long enough pw", 14, &no_time, phc, sizeof(phc)), -1);
	assert_int_equal(auth_hash("long enough pw", 14, &no_memory, phc, sizeof(phc)), -1);
}

static void test_verify_rejects_malformed_strings(void **state)
{
	char phc[AUTH_PHC_MAX];
	(void)state;

	hash_fast("pw", phc);
	phc[strlen(phc) - 1] = '\0'; /* cut the hash short */
	assert_int_equal(auth_verify(phc, "pw", 2), 0);
	assert_int_equal(auth_verify(NULL, "pw", 2), 0);
	assert_int_equal(auth_verify("", "pw", 2), 0);
	assert_int_equal(auth_verify("$2b$12$abcdefghijklmnopqrstuv", "pw", 2), 0);
}

static void test_dummy_hash_is_well_formed_and_made_once_per_params(void **state)
{
	const struct auth_params other = { .m_kib = 2048, .t = 1, .p = 1 };
	struct auth_params got;
	(void)state;

	const char *a = auth_dummy_hash(&fast);
	assert_non_null(a);
	assert_int_equal(auth_phc_params(a, &got), 0);
	assert_int_equal(got.m_kib, fast.m_kib);
	assert_int_equal(got.t, fast.t);
	assert_ptr_equal(auth_dummy_hash(&fast), a);

	const char *b = auth_dummy_hash(&other);
	assert_non_null(b);
	assert_int_equal(auth_phc_params(b, &got), 0);
	assert_int_equal(got.m_kib, 2048);
	/* The first stays valid and cached while another set is in use. */
	assert_ptr_equal(auth_dummy_hash(&fast), a);
	assert_int_equal(auth_phc_params(a, &got), 0);
	assert_int_equal(got.m_kib, fast.m_kib);
	/* Nobody knows its password. */
	assert_int_equal(auth_verify(a, "", 0), 0);
}

/* ---- PHC parsing and rehash ---- */

static void test_phc_params_parses_a_good_string(void **state)
{
	struct auth_params got = { 0 };
	(void)state;

	assert_int_equal(auth_phc_params(good_phc, &got), 0);
	assert_int_equal(got.m_kib, 19456);
	assert_int_equal(got.t, 2);
	assert_int_equal(got.p, 1);
	assert_int_equal(auth_phc_params(good_phc, NULL), 0);
}

static void test_phc_params_rejects_malformed_strings(void **state)
{
	static const char *const bad[] = {
		"",
		"$argon2id",
		"$argon2id$v=19$m=19456,t=2,p=1",
		"$argon2id$v=19$m=19456,t=2,p=1$",
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA",
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$",
		/* other variants, versions and algorithms */
		"$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams",
		"$argon2d$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams",
		"$argon2id$v=16$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams",
		"$argon2id$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams",
		"$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
		"argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams",
		/* numbers */
		"$argon2id$v=19$m=,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams",
		"$argon2id$v=19$m=-1,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams",
		"$argon2id$v=19$m=+19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams",
		"$argon2id$v=19$m=019456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams",
		"$argon2id$v=19$m=4294967296,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams",
		"$argon2id$v=19$m=19456x,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams",
		"$argon2id$v=19$m=19456,t=0,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams",
		"$argon2id$v=19$m=19456,t=2,p=0$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams",
		"$argon2id$v=19$m=7,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams",
		"$argon2id$v=19$m=16,t=2,p=4$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams",
		/* field order and separators */
		"$argon2id$v=19$t=2,m=19456,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams",
		"$argon2id$v=19$m=19456,t=2$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams",
		"$argon2id$v=19$m=19456 ,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams",
		"$argon2id$v=19$m=19456,t=2,p=1,k=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams",
		/* base64: padding, url alphabet, impossible length, stray bits, sizes */
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA==$YWJjZGVmZ2hpams",
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams=",
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2F-dA$YWJjZGVmZ2hpams",
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVm_2hpams",
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdAAAA$YWJjZGVmZ2hpams",
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdB$YWJjZGVmZ2hpams",
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbA$YWJjZGVmZ2hpams",
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YWJj",
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams$",
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpams ",
	};
	struct auth_params got;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (auth_phc_params(bad[i], &got) != -1)
			fail_msg("accepted: %s", bad[i]);
	}
	assert_int_equal(auth_phc_params(NULL, &got), -1);
}

static void test_phc_params_rejects_a_string_longer_than_phc_max(void **state)
{
	char s[AUTH_PHC_MAX + 100];
	(void)state;

	/* Well-formed, with 48-byte salt and hash, but too long to store. */
	int n = snprintf(s, sizeof(s), "$argon2id$v=19$m=19456,t=2,p=1$");
	assert_true(n > 0);
	memset(s + n, 'A', 64);
	s[n + 64] = '$';
	memset(s + n + 65, 'A', 64);
	s[n + 129] = '\0';
	assert_true(strlen(s) >= AUTH_PHC_MAX);
	assert_int_equal(auth_phc_params(s, NULL), -1);
}

static void test_needs_rehash_when_a_parameter_is_weaker(void **state)
{
	const struct auth_params more_m = { .m_kib = 19457, .t = 2, .p = 1 };
	const struct auth_params more_t = { .m_kib = 19456, .t = 3, .p = 1 };
	const struct auth_params more_p = { .m_kib = 19456, .t = 2, .p = 2 };
	(void)state;

	assert_int_equal(auth_needs_rehash(good_phc, &more_m), 1);
	assert_int_equal(auth_needs_rehash(good_phc, &more_t), 1);
	assert_int_equal(auth_needs_rehash(good_phc, &more_p), 1);
}

static void test_needs_rehash_for_other_algorithms_and_garbage(void **state)
{
	(void)state;

	assert_int_equal(auth_needs_rehash("$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA"
	                                   "$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY",
	                                   &auth_default_params),
	                 1);
	assert_int_equal(auth_needs_rehash("$argon2id$v=16$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA"
	                                   "$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY",
	                                   &auth_default_params),
	                 1);
	assert_int_equal(auth_needs_rehash("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0"
	                                   "jWMUW",
	                                   &auth_default_params),
	                 1);
	assert_int_equal(auth_needs_rehash("", &auth_default_params), 1);
	assert_int_equal(auth_needs_rehash(NULL, &auth_default_params), 1);
}

static void test_needs_no_rehash_for_equal_or_stronger_params(void **state)
{
	const struct auth_params weaker = { .m_kib = 1024, .t = 1, .p = 1 };
	(void)state;

	assert_int_equal(auth_needs_rehash(good_phc, &auth_default_params), 0);
	assert_int_equal(auth_needs_rehash(good_phc, &weaker), 0);
}

static void test_a_fast_hash_needs_rehash_to_the_defaults(void **state)
{
	char phc[AUTH_PHC_MAX];
	(void)state;

	hash_fast("upgrade me later", phc);
	assert_int_equal(auth_needs_rehash(phc, &fast), 0);
	assert_int_equal(auth_needs_rehash(phc, &auth_default_params), 1);
}

/* ---- policy ---- */

static void test_policy_rejects_eleven_characters(void **state)
{
	(void)state;
	assert_int_equal(auth_check_policy("abcdefghjkm", "jan"), AUTH_POLICY_TOO_SHORT);
	assert_int_equal(auth_check_policy("", "jan"), AUTH_POLICY_TOO_SHORT);
}

static void test_policy_accepts_twelve_characters(void **state)
{
	(void)state;
	assert_int_equal(auth_check_policy("vlinder-krab", "jan"), AUTH_POLICY_OK);
}

static void test_policy_accepts_256_and_rejects_257_characters(void **state)
{
	char pw[300];
	(void)state;

	repeat(pw, "x", 256);
	pw[0] = 'Q'; /* not a common password either way */
	assert_int_equal(auth_check_policy(pw, "jan"), AUTH_POLICY_OK);
	repeat(pw, "x", 257);
	assert_int_equal(auth_check_policy(pw, "jan"), AUTH_POLICY_TOO_LONG);
}

static void test_policy_counts_a_multibyte_character_as_one(void **state)
{
	char pw[1100];
	(void)state;

	/* 24 bytes but 12 characters. */
	assert_int_equal(auth_check_policy(repeat(pw, "\xc3\xa9", 12), "jan"), AUTH_POLICY_OK);
	/* 33 bytes but 11 characters. */
	assert_int_equal(auth_check_policy(repeat(pw, "\xe2\x82\xac", 11), "jan"),
	                 AUTH_POLICY_TOO_SHORT);
	/* 1024 bytes, 256 four-byte characters, is still allowed. */
	assert_int_equal(auth_check_policy(repeat(pw, "\xf0\x9f\x94\x91", 256), "jan"),
	                 AUTH_POLICY_OK);
	assert_int_equal(auth_check_policy(repeat(pw, "\xf0\x9f\x94\x91", 257), "jan"),
	                 AUTH_POLICY_TOO_LONG);
}

static void test_policy_rejects_invalid_utf8(void **state)
{
	(void)state;
	/* Latin-1 é, an overlong '/', a lone continuation byte, a surrogate. */
	assert_int_equal(auth_check_policy("wachtwoord-caf\xe9-lang", "jan"), AUTH_POLICY_NOT_UTF8);
	assert_int_equal(auth_check_policy("abcdefghijkl\xc0\xaf", "jan"), AUTH_POLICY_NOT_UTF8);
	assert_int_equal(auth_check_policy("abcdefghijkl\x80", "jan"), AUTH_POLICY_NOT_UTF8);
	assert_int_equal(auth_check_policy("abcdefghijkl\xed\xa0\x80", "jan"),
	                 AUTH_POLICY_NOT_UTF8);
	/* Invalid takes precedence over short. */
	assert_int_equal(auth_check_policy("\xff", "jan"), AUTH_POLICY_NOT_UTF8);
}

static void test_policy_rejects_username_inside_in_other_case(void **state)
{
	(void)state;
	assert_int_equal(auth_check_policy("mijnJanssen-wachtwoord", "jansSEN"),
	                 AUTH_POLICY_HAS_USERNAME);
	assert_int_equal(auth_check_policy("zonder-hem-erin", "jansen"), AUTH_POLICY_OK);
}

static void test_policy_rejects_password_equal_to_username(void **state)
{
	(void)state;
	assert_int_equal(auth_check_policy("Pieter.de.Vries", "pieter.de.vries"),
	                 AUTH_POLICY_HAS_USERNAME);
}

static void test_policy_skips_the_username_rule_for_an_empty_username(void **state)
{
	(void)state;
	assert_int_equal(auth_check_policy("vlinder-krab", ""), AUTH_POLICY_OK);
	assert_int_equal(auth_check_policy("vlinder-krab", NULL), AUTH_POLICY_OK);
}

static void test_policy_rejects_common_password_in_upper_case(void **state)
{
	(void)state;
	assert_int_equal(auth_check_policy("WACHTWOORD123", "jan"), AUTH_POLICY_COMMON);
	assert_int_equal(auth_check_policy("Password1234", "jan"), AUTH_POLICY_COMMON);
	assert_int_equal(auth_check_policy("QwertyUiop12", "jan"), AUTH_POLICY_COMMON);
	/* One character more and it is not on the list. */
	assert_int_equal(auth_check_policy("Password1234x", "jan"), AUTH_POLICY_OK);
}

static void test_common_list_is_sorted_lower_case_and_long_enough(void **state)
{
	size_t n = sizeof(common_passwords) / sizeof(common_passwords[0]);
	(void)state;

	assert_true(n >= 200);
	for (size_t i = 0; i < n; i++) {
		const char *s = common_passwords[i];
		assert_true(strlen(s) >= 12);
		for (const char *c = s; *c != '\0'; c++) {
			if (*c >= 'A' && *c <= 'Z')
				fail_msg("upper case in: %s", s);
		}
		if (i > 0 && strcmp(common_passwords[i - 1], s) >= 0)
			fail_msg("out of order: %s, %s", common_passwords[i - 1], s);
	}
}

static void test_policy_finds_every_entry_of_the_common_list(void **state)
{
	size_t n = sizeof(common_passwords) / sizeof(common_passwords[0]);
	(void)state;

	for (size_t i = 0; i < n; i++) {
		if (auth_check_policy(common_passwords[i], "") != AUTH_POLICY_COMMON)
			fail_msg("not found: %s", common_passwords[i]);
	}
}

static void test_policy_keys_name_each_result(void **state)
{
	(void)state;
	assert_string_equal(auth_policy_key(AUTH_POLICY_OK), "password.ok");
	assert_string_equal(auth_policy_key(AUTH_POLICY_TOO_SHORT), "password.too_short");
	assert_string_equal(auth_policy_key(AUTH_POLICY_TOO_LONG), "password.too_long");
	assert_string_equal(auth_policy_key(AUTH_POLICY_NOT_UTF8), "password.not_utf8");
	assert_string_equal(auth_policy_key(AUTH_POLICY_HAS_USERNAME), "password.has_username");
	assert_string_equal(auth_policy_key(AUTH_POLICY_COMMON), "password.common");
}

/* ---- encodings, randomness, comparison ---- */

static void test_b64url_round_trips_lengths_0_to_40(void **state)
{
	unsigned char in[40], back[40];
	char enc[4 * 14 + 1];
	(void)state;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 250);
	for (size_t n = 0; n <= sizeof(in); n++) {
		auth_b64url_encode(in, n, enc);
		assert_int_equal(strlen(enc), (n * 4 + 2) / 3);
		assert_int_equal(auth_b64url_decode(enc, back, sizeof(back)), (int)n);
		assert_memory_equal(back, in, n);
	}
}

static void test_b64url_matches_rfc4648_vectors(void **state)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{ "", "" },
		{ "f", "Zg" },
		{ "fo", "Zm8" },
		{ "foo", "Zm9v" },
		{ "foob", "Zm9vYg" },
		{ "fooba", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy" },
		/* Where standard base64 says '+' and '/'. */
		{ "\xfb\xff\xbf", "-_-_" },
		{ "\xff\xff\xff", "____" },
		{ "\xf8", "-A" },
		{ "\xfc", "_A" },
	};
	char enc[16];
	unsigned char dec[16];
	(void)state;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t n = strlen(v[i].in);
		auth_b64url_encode((const unsigned char *)v[i].in, n, enc);
		assert_string_equal(enc, v[i].out);
		assert_int_equal(auth_b64url_decode(v[i].out, dec, sizeof(dec)), (int)n);
		assert_memory_equal(dec, v[i].in, n);
	}
}

static void test_b64url_decode_rejects_padding_std_alphabet_and_bad_length(void **state)
{
	unsigned char out[64];
	(void)state;

	assert_int_equal(auth_b64url_decode("Zg==", out, sizeof(out)), -1);
	assert_int_equal(auth_b64url_decode("Zm8=", out, sizeof(out)), -1);
	assert_int_equal(auth_b64url_decode("+/+/", out, sizeof(out)), -1);
	assert_int_equal(auth_b64url_decode("ab+d", out, sizeof(out)), -1);
	assert_int_equal(auth_b64url_decode("ab/d", out, sizeof(out)), -1);
	assert_int_equal(auth_b64url_decode("Z", out, sizeof(out)), -1);
	assert_int_equal(auth_b64url_decode("Zm9vY", out, sizeof(out)), -1);
	assert_int_equal(auth_b64url_decode("Zm 9v", out, sizeof(out)), -1);
	assert_int_equal(auth_b64url_decode("Zm9v\n", out, sizeof(out)), -1);
	assert_int_equal(auth_b64url_decode(NULL, out, sizeof(out)), -1);
}

static void test_b64url_decode_rejects_nonzero_leftover_bits(void **state)
{
	unsigned char out[8];
	(void)state;

	/* "Zg" is "f"; "Zh" carries the same byte plus stray bits. */
	assert_int_equal(auth_b64url_decode("Zh", out, sizeof(out)), -1);
	assert_int_equal(auth_b64url_decode("Zm9", out, sizeof(out)), -1);
}

static void test_b64url_decode_refuses_output_that_does_not_fit(void **state)
{
	unsigned char out[8];
	(void)state;

	memset(out, 0xaa, sizeof(out));
	assert_int_equal(auth_b64url_decode("Zm9vYmFy", out, 5), -1);
	assert_int_equal(out[5], 0xaa);
	assert_int_equal(auth_b64url_decode("Zm9vYmFy", out, 6), 6);
	assert_memory_equal(out, "foobar", 6);
}

static void test_a_token_encodes_to_43_characters(void **state)
{
	unsigned char tok[AUTH_TOKEN_BYTES], back[AUTH_TOKEN_BYTES];
	char enc[AUTH_TOKEN_B64];
	(void)state;

	assert_int_equal(auth_random(tok, sizeof(tok)), 0);
	auth_b64url_encode(tok, sizeof(tok), enc);
	assert_int_equal(strlen(enc), AUTH_TOKEN_B64 - 1);
	assert_int_equal(auth_b64url_decode(enc, back, sizeof(back)), AUTH_TOKEN_BYTES);
	assert_memory_equal(back, tok, sizeof(tok));
}

static void test_random_fills_differently_each_call(void **state)
{
	unsigned char a[32], b[32];
	(void)state;

	assert_int_equal(auth_random(a, sizeof(a)), 0);
	assert_int_equal(auth_random(b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(auth_random(a, 0), 0);
}

static void test_hex_is_lower_case_two_digits_per_byte(void **state)
{
	const unsigned char in[] = { 0x00, 0x0f, 0xa5, 0xff, 0x10 };
	char out[2 * sizeof(in) + 1];
	(void)state;

	auth_hex(in, sizeof(in), out);
	assert_string_equal(out, "000fa5ff10");
	auth_hex(in, 0, out);
	assert_string_equal(out, "");
}

static void test_equal_compares_whole_strings(void **state)
{
	(void)state;
	assert_int_equal(auth_equal("abc123", "abc123"), 1);
	assert_int_equal(auth_equal("", ""), 1);
	assert_int_equal(auth_equal("abc123", "abc124"), 0);
	assert_int_equal(auth_equal("xbc123", "abc123"), 0);
	assert_int_equal(auth_equal("abc", "abc123"), 0);
	assert_int_equal(auth_equal("abc123", "abc"), 0);
	assert_int_equal(auth_equal(NULL, "abc"), 0);
	assert_int_equal(auth_equal("abc", NULL), 0);
	assert_int_equal(auth_equal(NULL, NULL), 0);
}

static void test_password_change_form_names_its_first_problem(void **state)
{
	(void)state;
	assert_string_equal(auth_password_change_problem(NULL, "x", "x", "anna"),
	                    "account.fields_missing");
	assert_string_equal(
	    auth_password_change_problem("oud", "Lente-in-het-bos-1", "Lente-in-het-bos-2", "anna"),
	    "account.passwords_differ");
	assert_string_equal(auth_password_change_problem("oud", "kort", "kort", "anna"),
	                    auth_policy_key(AUTH_POLICY_TOO_SHORT));
	assert_null(auth_password_change_problem("oud", "Lente-in-het-bos-1", "Lente-in-het-bos-1",
	                                         "anna"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_then_verify_accepts_the_password),
		cmocka_unit_test(test_verify_rejects_a_wrong_password),
		cmocka_unit_test(test_non_ascii_password_verifies_as_its_bytes),
		cmocka_unit_test(test_password_bytes_after_a_nul_count),
		cmocka_unit_test(test_two_hashes_of_one_password_differ_by_salt),
		cmocka_unit_test(test_default_params_give_the_owasp_phc_prefix),
		cmocka_unit_test(test_hash_refuses_an_output_buffer_too_small),
		cmocka_unit_test(test_hash_refuses_parameters_argon2_refuses),
		cmocka_unit_test(test_verify_rejects_malformed_strings),
		cmocka_unit_test(test_dummy_hash_is_well_formed_and_made_once_per_params),
		cmocka_unit_test(test_phc_params_parses_a_good_string),
		cmocka_unit_test(test_phc_params_rejects_malformed_strings),
		cmocka_unit_test(test_phc_params_rejects_a_string_longer_than_phc_max),
		cmocka_unit_test(test_needs_rehash_when_a_parameter_is_weaker),
		cmocka_unit_test(test_needs_rehash_for_other_algorithms_and_garbage),
		cmocka_unit_test(test_needs_no_rehash_for_equal_or_stronger_params),
		cmocka_unit_test(test_a_fast_hash_needs_rehash_to_the_defaults),
		cmocka_unit_test(test_policy_rejects_eleven_characters),
		cmocka_unit_test(test_policy_accepts_twelve_characters),
		cmocka_unit_test(test_policy_accepts_256_and_rejects_257_characters),
		cmocka_unit_test(test_policy_counts_a_multibyte_character_as_one),
		cmocka_unit_test(test_policy_rejects_invalid_utf8),
		cmocka_unit_test(test_policy_rejects_username_inside_in_other_case),
		cmocka_unit_test(test_policy_rejects_password_equal_to_username),
		cmocka_unit_test(test_policy_skips_the_username_rule_for_an_empty_username),
		cmocka_unit_test(test_policy_rejects_common_password_in_upper_case),
		cmocka_unit_test(test_common_list_is_sorted_lower_case_and_long_enough),
		cmocka_unit_test(test_policy_finds_every_entry_of_the_common_list),
		cmocka_unit_test(test_policy_keys_name_each_result),
		cmocka_unit_test(test_b64url_round_trips_lengths_0_to_40),
		cmocka_unit_test(test_b64url_matches_rfc4648_vectors),
		cmocka_unit_test(test_b64url_decode_rejects_padding_std_alphabet_and_bad_length),
		cmocka_unit_test(test_b64url_decode_rejects_nonzero_leftover_bits),
		cmocka_unit_test(test_b64url_decode_refuses_output_that_does_not_fit),
		cmocka_unit_test(test_a_token_encodes_to_43_characters),
		cmocka_unit_test(test_random_fills_differently_each_call),
		cmocka_unit_test(test_hex_is_lower_case_two_digits_per_byte),
		cmocka_unit_test(test_equal_compares_whole_strings),
		cmocka_unit_test(test_password_change_form_names_its_first_problem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
