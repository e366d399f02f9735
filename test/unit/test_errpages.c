/*
 * Unit tests for lib/errpages.c: the static error pages nginx serves, made
 * from the real templates and catalogue (run from the repository root) into
 * a scratch folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "errpages.h"

struct fixture {
	struct tmpl_set *tmpl;
	struct msgcat *msgs;
	char dir[64];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[512];
	if (f == NULL || tmpl_load("templates", &f->tmpl, err, sizeof(err)) < 0 ||
	    msgcat_load("templates/messages", &f->msgs, err, sizeof(err)) < 0) {
		fprintf(stderr, "setup: %s (run from the repository root)\n", err);
		return -1;
	}
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_errpages.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[128];
	for (size_t i = 0; i < errpages_n_codes; i++) {
		snprintf(path, sizeof(path), "%s/%d.nl.html", f->dir, errpages_codes[i]);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%d.en.html", f->dir, errpages_codes[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/sub", f->dir);
	rmdir(path);
	rmdir(f->dir);
	tmpl_free(f->tmpl);
	msgcat_free(f->msgs);
	free(f);
	return 0;
}

/* The file's contents, or NULL when it cannot be read; the caller frees. */
static char *slurp(const char *dir, const char *name)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *fp = fopen(path, "r");
	if (fp == NULL)
		return NULL;
	static char data[65536];
	size_t n = fread(data, 1, sizeof(data) - 1, fp);
	fclose(fp);
	data[n] = '\0';
	return strdup(data);
}

static void test_writes_one_page_per_code_and_language(void **state)
{
	struct fixture *f = *state;
	char err[512] = "";
	assert_int_equal(errpages_write(f->tmpl, f->msgs, f->dir, err, sizeof(err)),
	                 (int)(2 * errpages_n_codes));
	for (size_t i = 0; i < errpages_n_codes; i++) {
		char name[32];
		snprintf(name, sizeof(name), "%d.nl.html", errpages_codes[i]);
		char *nl = slurp(f->dir, name);
		snprintf(name, sizeof(name), "%d.en.html", errpages_codes[i]);
		char *en = slurp(f->dir, name);
		assert_non_null(nl);
		assert_non_null(en);
		assert_non_null(strstr(nl, "<!DOCTYPE html>"));
		assert_non_null(strstr(nl, "<html lang=\"nl\">"));
		assert_non_null(strstr(en, "<html lang=\"en\">"));
		assert_non_null(strstr(nl, "/static/portal.css"));
		free(nl);
		free(en);
	}
}

static void test_the_rate_limit_page_speaks_dutch_and_english(void **state)
{
	struct fixture *f = *state;
	char err[512] = "";
	assert_true(errpages_write(f->tmpl, f->msgs, f->dir, err, sizeof(err)) > 0);
	char *nl = slurp(f->dir, "429.nl.html");
	char *en = slurp(f->dir, "429.en.html");
	assert_non_null(nl);
	assert_non_null(en);
	assert_non_null(strstr(nl, "<title>Te veel pogingen — Rapportageportaal</title>"));
	assert_non_null(strstr(en, "<title>Too many attempts — Rapportageportaal</title>"));
	assert_null(strstr(en, "Te veel pogingen"));
	free(nl);
	free(en);
}

/* nginx's own 403, 404, 405 and 501 (static files, TRACE, CONNECT, an unknown
 * Transfer-Encoding) showed its English stock pages before these were made. */
static void test_the_pages_nginx_refuses_with_are_made_in_both_languages(void **state)
{
	struct fixture *f = *state;
	char err[512] = "";
	assert_true(errpages_write(f->tmpl, f->msgs, f->dir, err, sizeof(err)) > 0);
	static const char *const want[][3] = {
		{ "403", "Geen toegang", "Access denied" },
		{ "404", "Pagina niet gevonden", "Page not found" },
		{ "405", "Handeling niet toegestaan", "Action not allowed" },
		{ "501", "Niet ondersteund", "Not supported" },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char name[32], title[128];
		snprintf(name, sizeof(name), "%s.nl.html", want[i][0]);
		char *nl = slurp(f->dir, name);
		snprintf(name, sizeof(name), "%s.en.html", want[i][0]);
		char *en = slurp(f->dir, name);
		assert_non_null(nl);
		assert_non_null(en);
		snprintf(title, sizeof(title), "<title>%s — Rapportageportaal</title>", want[i][1]);
		assert_non_null(strstr(nl, title));
		snprintf(title, sizeof(title), "<title>%s — Rapportageportaal</title>", want[i][2]);
		assert_non_null(strstr(en, title));
		free(nl);
		free(en);
	}
}

static void test_a_page_without_request_shows_no_reference_user_or_language_links(void **state)
{
	struct fixture *f = *state;
	char err[512] = "";
	assert_true(errpages_write(f->tmpl, f->msgs, f->dir, err, sizeof(err)) > 0);
	char *nl = slurp(f->dir, "503.nl.html");
	assert_non_null(nl);
	assert_non_null(strstr(nl, "Tijdelijk niet beschikbaar"));
	assert_null(strstr(nl, "Referentie"));
	assert_null(strstr(nl, "Uitloggen"));
	assert_null(strstr(nl, "hreflang"));
	free(nl);
}

static void test_a_missing_folder_is_made(void **state)
{
	struct fixture *f = *state;
	char dir[96], err[512] = "";
	snprintf(dir, sizeof(dir), "%s/sub", f->dir);
	assert_true(errpages_write(f->tmpl, f->msgs, dir, err, sizeof(err)) > 0);
	char *p = slurp(dir, "400.en.html");
	assert_non_null(p);
	assert_non_null(strstr(p, "Bad request"));
	free(p);
	for (size_t i = 0; i < errpages_n_codes; i++) {
		char path[128];
		snprintf(path, sizeof(path), "%s/%d.nl.html", dir, errpages_codes[i]);
		assert_int_equal(unlink(path), 0);
		snprintf(path, sizeof(path), "%s/%d.en.html", dir, errpages_codes[i]);
		assert_int_equal(unlink(path), 0);
	}
}

static void test_a_folder_that_cannot_be_made_is_named_in_the_error(void **state)
{
	struct fixture *f = *state;
	char err[512] = "";
	assert_int_equal(
	    errpages_write(f->tmpl, f->msgs, "/nonexistent/errpages", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/errpages"));
}

static void test_a_template_set_without_the_error_pages_is_refused(void **state)
{
	struct fixture *f = *state;
	struct tmpl_set *good;
	char err[512] = "";
	assert_int_equal(tmpl_load("test/unit/fixtures/tmpl/good", &good, err, sizeof(err)), 0);
	assert_int_equal(errpages_write(good, f->msgs, f->dir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "error/400"));
	tmpl_free(good);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writes_one_page_per_code_and_language),
		cmocka_unit_test(test_the_rate_limit_page_speaks_dutch_and_english),
		cmocka_unit_test(test_the_pages_nginx_refuses_with_are_made_in_both_languages),
		cmocka_unit_test(
		    test_a_page_without_request_shows_no_reference_user_or_language_links),
		cmocka_unit_test(test_a_missing_folder_is_made),
		cmocka_unit_test(test_a_folder_that_cannot_be_made_is_named_in_the_error),
		cmocka_unit_test(test_a_template_set_without_the_error_pages_is_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
