/*
 * Unit tests for lib/i18n.c: loading the nl/en catalogues, their checks, and
 * choosing the page language from cookie and Accept-Language.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"

struct cat {
	char dir[64];
	struct msgcat *m;
	char err[512];
};

static void write_file(const char *dir, const char *name, const char *content)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

/* Writes nl.msg and en.msg into a fresh folder and loads them. */
static int cat_load(struct cat *c, const char *nl, const char *en)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->dir, sizeof(c->dir), "/tmp/test_i18n.XXXXXX");
	assert_non_null(mkdtemp(c->dir));
	write_file(c->dir, "nl.msg", nl);
	write_file(c->dir, "en.msg", en);
	return msgcat_load(c->dir, &c->m, c->err, sizeof(c->err));
}

static void cat_free(struct cat *c)
{
	char path[128];
	msgcat_free(c->m);
	snprintf(path, sizeof(path), "%s/nl.msg", c->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/en.msg", c->dir);
	unlink(path);
	rmdir(c->dir);
}

static void expect_error(const char *nl, const char *en, const char *want1, const char *want2)
{
	struct cat c;
	assert_int_equal(cat_load(&c, nl, en), -1);
	assert_null(c.m);
	if (strstr(c.err, want1) == NULL || strstr(c.err, want2) == NULL)
		fail_msg("error \"%s\" lacks \"%s\" or \"%s\"", c.err, want1, want2);
	cat_free(&c);
}

static void test_catalogue_returns_text_per_language(void **state)
{
	(void)state;
	struct cat c;
	int rc = cat_load(&c,
	                  "# opmerking\n\nlogin.title = Inloggen\n  greet.hi=Hallo {name}  \r\n"
	                  "empty =\neq = a = b\n",
	                  "login.title = Sign in\ngreet.hi = Hello {name}\nempty = \neq = a = b\n");
	if (rc != 0)
		fail_msg("%s", c.err);
	assert_string_equal(msgcat_get(c.m, "nl", "login.title"), "Inloggen");
	assert_string_equal(msgcat_get(c.m, "en", "login.title"), "Sign in");
	assert_string_equal(msgcat_get(c.m, "nl", "greet.hi"), "Hallo {name}");
	assert_string_equal(msgcat_get(c.m, "en", "empty"), "");
	assert_string_equal(msgcat_get(c.m, "en", "eq"), "a = b");
	cat_free(&c);
}

static void test_unknown_language_means_dutch_and_unknown_key_is_null(void **state)
{
	(void)state;
	struct cat c;
	assert_int_equal(cat_load(&c, "k = nl\n", "k = en\n"), 0);
	assert_string_equal(msgcat_get(c.m, "de", "k"), "nl");
	assert_string_equal(msgcat_get(c.m, NULL, "k"), "nl");
	assert_null(msgcat_get(c.m, "nl", "missing"));
	assert_null(msgcat_get(c.m, "en", "k2"));
	cat_free(&c);
}

static void test_many_keys_are_all_found(void **state)
{
	(void)state;
	char *nl = malloc(40000), *en = malloc(40000);
	assert_non_null(nl);
	assert_non_null(en);
	size_t a = 0, b = 0;
	for (int i = 0; i < 1000; i++) {
		a += (size_t)snprintf(nl + a, 40000 - a, "k.%d = nl %d\n", i, i);
		b += (size_t)snprintf(en + b, 40000 - b, "k.%d = en %d\n", 999 - i, 999 - i);
	}
	struct cat c;
	assert_int_equal(cat_load(&c, nl, en), 0);
	for (int i = 0; i < 1000; i++) {
		char key[16], want[16];
		snprintf(key, sizeof(key), "k.%d", i);
		snprintf(want, sizeof(want), "en %d", i);
		assert_string_equal(msgcat_get(c.m, "en", key), want);
	}
	cat_free(&c);
	free(nl);
	free(en);
}

static void test_key_missing_in_english_names_file_and_key(void **state)
{
	(void)state;
	expect_error("a = 1\nlogin.title = Inloggen\n", "a = 1\n", "en.msg: key \"login.title\"",
	             "nl.msg line 2");
}

static void test_key_only_in_english_is_an_error(void **state)
{
	(void)state;
	expect_error("a = 1\n", "a = 1\n\nextra = x\n", "en.msg:3:", "\"extra\"");
}

static void test_duplicate_key_is_an_error(void **state)
{
	(void)state;
	expect_error("a = 1\nb = 2\na = 3\n", "a = 1\nb = 2\n", "nl.msg:3:", "twice");
}

static void test_malformed_lines_are_errors(void **state)
{
	(void)state;
	expect_error("a = 1\njust text\n", "a = 1\n", "nl.msg:2:", "key = text");
	expect_error("Login.Title = x\n", "Login.Title = x\n", "nl.msg:1:", "bad key");
	expect_error(" = x\n", " = x\n", "nl.msg:1:", "bad key");
	expect_error("a = 1\n", "a = caf\xe9\n", "en.msg:1:", "UTF-8");
	expect_error("a = \xc0\xaf\n", "a = 1\n", "nl.msg:1:", "UTF-8");
}

static void test_missing_file_is_an_error(void **state)
{
	(void)state;
	struct msgcat *m = NULL;
	char err[256];
	assert_int_equal(msgcat_load("/nonexistent/messages", &m, err, sizeof(err)), -1);
	assert_null(m);
	assert_non_null(strstr(err, "/nonexistent/messages/nl.msg"));
}

static void test_real_catalogues_load_with_matching_keys(void **state)
{
	(void)state;
	struct msgcat *m;
	char err[512];
	if (msgcat_load("templates/messages", &m, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(msgcat_get(m, "nl", "login.heading"), "Inloggen");
	assert_string_equal(msgcat_get(m, "en", "login.heading"), "Sign in");
	assert_string_equal(msgcat_get(m, "nl", "login.username"), "Gebruikersnaam of e-mailadres");
	msgcat_free(m);
}

static void test_negotiate_cookie_wins(void **state)
{
	(void)state;
	assert_string_equal(i18n_negotiate("en", "nl;q=1", "nl"), "en");
	assert_string_equal(i18n_negotiate("nl", "en", "en"), "nl");
	/* A cookie that is not a supported language is ignored. */
	assert_string_equal(i18n_negotiate("fr", "en", "nl"), "en");
	assert_string_equal(i18n_negotiate("EN", NULL, "nl"), "nl");
}

static void test_negotiate_orders_by_q_value(void **state)
{
	(void)state;
	assert_string_equal(i18n_negotiate(NULL, "nl;q=0.5, en-GB;q=0.8", "nl"), "en");
	assert_string_equal(i18n_negotiate(NULL, "de, en;q=0.3, nl;q=0.7", "en"), "nl");
	assert_string_equal(i18n_negotiate(NULL, "fr-CA,fr;q=0.9,EN-us;q=0.8,nl-BE;q=0.5", "nl"),
	                    "en");
	assert_string_equal(i18n_negotiate(NULL, "en;q=1.0, nl", "nl"), "en");
	assert_string_equal(i18n_negotiate(NULL, "nl;q=0.9, en;q=0.95", "nl"), "en");
}

static void test_negotiate_equal_q_keeps_first_listed(void **state)
{
	(void)state;
	assert_string_equal(i18n_negotiate(NULL, "en, nl", "nl"), "en");
	assert_string_equal(i18n_negotiate(NULL, "nl;q=0.5,en;q=0.5", "en"), "nl");
}

static void test_negotiate_skips_refused_and_malformed_entries(void **state)
{
	(void)state;
	assert_string_equal(i18n_negotiate(NULL, "en;q=0, nl;q=0.1", "en"), "nl");
	assert_string_equal(i18n_negotiate(NULL, "en;q=0", "nl"), "nl");
	assert_string_equal(i18n_negotiate(NULL, "en;q=2, nl;q=0.2", "en"), "nl");
	assert_string_equal(i18n_negotiate(NULL, "eng, enx-y", "nl"), "nl");
}

static void test_negotiate_falls_back(void **state)
{
	(void)state;
	assert_string_equal(i18n_negotiate(NULL, NULL, "en"), "en");
	assert_string_equal(i18n_negotiate(NULL, "", "nl"), "nl");
	assert_string_equal(i18n_negotiate(NULL, "de, fr;q=0.5, *", "en"), "en");
	assert_string_equal(i18n_negotiate(NULL, "de", "xx"), "nl");
	assert_string_equal(i18n_negotiate(NULL, "de", NULL), "nl");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue_returns_text_per_language),
		cmocka_unit_test(test_unknown_language_means_dutch_and_unknown_key_is_null),
		cmocka_unit_test(test_many_keys_are_all_found),
		cmocka_unit_test(test_key_missing_in_english_names_file_and_key),
		cmocka_unit_test(test_key_only_in_english_is_an_error),
		cmocka_unit_test(test_duplicate_key_is_an_error),
		cmocka_unit_test(test_malformed_lines_are_errors),
		cmocka_unit_test(test_missing_file_is_an_error),
		cmocka_unit_test(test_real_catalogues_load_with_matching_keys),
		cmocka_unit_test(test_negotiate_cookie_wins),
		cmocka_unit_test(test_negotiate_orders_by_q_value),
		cmocka_unit_test(test_negotiate_equal_q_keeps_first_listed),
		cmocka_unit_test(test_negotiate_skips_refused_and_malformed_entries),
		cmocka_unit_test(test_negotiate_falls_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
