/*
 * Unit tests for lib/app.c: the request cycle of app_handle with a route
 * table of its own and the real templates and catalogue (run from the
 * repository root), error pages, language choice, redirects to sign-in and
 * URL encoding. No database: no route here touches one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "app.h"
#include "log.h"

/* ---- the program under test ---- */

static void h_ok(struct ctx *c)
{
	app_text(c, 200, "fine");
}

static void h_item_get(struct ctx *c)
{
	char text[64];
	snprintf(text, sizeof(text), "item %lld of %zu", c->match.ids[0], c->match.n_ids);
	app_text(c, 200, text);
}

static void h_item_post(struct ctx *c)
{
	char text[64];
	snprintf(text, sizeof(text), "posted %lld %s", c->match.ids[0],
	         field_str(&c->fields, "name", "-"));
	app_text(c, 200, text);
}

/* A list with typed fields: the cycle answers a bad one before this runs. */
static void h_list(struct ctx *c)
{
	char text[64];
	snprintf(text, sizeof(text), "page %lld q %s", field_int(&c->fields, "page", 1),
	         field_str(&c->fields, "q", ""));
	app_text(c, 200, text);
}

/* A POST with a guard, as app_session_post and the admin pool's have one:
 * "?deny" stands for a failed session or CSRF check, answered first. */
static void h_guarded(struct ctx *c)
{
	if (strcmp(c->req->raw_query, "deny") == 0) {
		app_error(c, 403);
		return;
	}
	if (!app_fields_ok(c))
		return;
	char text[64];
	snprintf(text, sizeof(text), "count %lld", field_int(&c->fields, "count", 0));
	app_text(c, 200, text);
}

static const struct field item_fields[] = {
	{ "name", FIELD_TEXT, FIELD_FORM, 0, 0, NULL },
	FIELDS_END,
};

static const struct field list_fields[] = {
	{ "page", FIELD_INT, FIELD_QUERY, 1, 100, NULL },
	{ "q", FIELD_TEXT, FIELD_QUERY | FIELD_TRIM, 0, 5, NULL },
	FIELDS_END,
};

static const struct field guarded_fields[] = {
	{ "count", FIELD_INT, FIELD_FORM | FIELD_REQUIRED, 1, 9, NULL },
	FIELDS_END,
};

static void h_page(struct ctx *c)
{
	tvars_str(c->vars, "csrf", "c5rf70k3n");
	tvars_str(c->vars, "next", "/reports?a=1&b=\"x\"");
	tvars_bool(c->vars, "error", 1);
	app_render(c, 200, "login");
}

/* The report page without its variables: the render must fail. */
static void h_broken(struct ctx *c)
{
	app_render(c, 200, "report");
}

static void h_private(struct ctx *c)
{
	app_redirect_login(c);
}

static const struct route routes[] = {
	{ "GET", "/ok", h_ok, NULL },
	{ "GET", "/items/{id}", h_item_get, NULL },
	{ "POST", "/items/{id}", h_item_post, item_fields },
	{ "GET", "/page", h_page, NULL },
	{ "GET", "/broken", h_broken, NULL },
	{ "GET", "/private", h_private, NULL },
	{ "GET", "/list", h_list, list_fields },
	{ "POST", "/guarded", h_guarded, guarded_fields },
};

static const struct app_spec spec = {
	.name = "portal-test",
	.routes = routes,
	.n_routes = sizeof(routes) / sizeof(routes[0]),
	.stmt_sets = NULL,
};

static struct app app;

static int group_setup(void **state)
{
	(void)state;
	char err[512];
	memset(&app, 0, sizeof(app));
	app.spec = &spec;
	cfg_defaults(&app.cfg);
	app.env_file = ".env";
	if (tmpl_load("templates", &app.tmpl, err, sizeof(err)) < 0) {
		fprintf(stderr, "tmpl_load: %s (run from the repository root)\n", err);
		return -1;
	}
	if (msgcat_load("templates/messages", &app.msgs, err, sizeof(err)) < 0) {
		fprintf(stderr, "msgcat_load: %s\n", err);
		tmpl_free(app.tmpl);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tmpl_free(app.tmpl);
	msgcat_free(app.msgs);
	return 0;
}

/* ---- one request per test ---- */

struct fixture {
	struct arena arena;
	struct response resp;
	struct buf out;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -1;
	resp_init(&f->resp);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	resp_free(&f->resp);
	buf_free(&f->out);
	arena_free(&f->arena);
	free(f);
	return 0;
}

static void handle(struct fixture *f, char *const *envp, const char *body, size_t len)
{
	app_handle(&app, &f->arena, envp, body, len, &f->resp);
}

static const char *body_of(const struct fixture *f)
{
	return buf_str(&f->resp.body);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* Log lines go to a temporary file, so that a test can read them. */
static FILE *log_capture(void)
{
	FILE *fp = tmpfile();
	assert_non_null(fp);
	log_set_fd(fileno(fp));
	return fp;
}

/* Stops capturing; returns how many captured lines hold needle. */
static int log_count(FILE *fp, const char *needle)
{
	char line[2200];
	int n = 0;
	log_set_fd(STDERR_FILENO);
	rewind(fp);
	while (fgets(line, sizeof(line), fp))
		if (strstr(line, needle))
			n++;
	fclose(fp);
	return n;
}

/* ---- routing and error pages ---- */

static void test_route_runs_its_handler(void **state)
{
	struct fixture *f = *state;
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/ok", NULL };

	handle(f, env, NULL, 0);
	assert_int_equal(f->resp.status, 200);
	assert_string_equal(body_of(f), "fine");
	assert_string_equal(f->resp.content_type, "text/plain; charset=utf-8");
}

static void test_unknown_path_gives_dutch_404_page_by_default(void **state)
{
	struct fixture *f = *state;
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/nope", NULL };

	handle(f, env, NULL, 0);
	assert_int_equal(f->resp.status, 404);
	assert_string_equal(f->resp.content_type, "text/html; charset=utf-8");
	assert_non_null(strstr(body_of(f), "<!DOCTYPE html>"));
	assert_non_null(strstr(body_of(f), "<html lang=\"nl\""));
	assert_non_null(strstr(body_of(f), "Pagina niet gevonden"));
	assert_non_null(
	    strstr(body_of(f), "Deze pagina bestaat niet of is niet voor u beschikbaar."));
	assert_null(strstr(body_of(f), "Page not found"));
}

static void test_unknown_path_gives_english_404_page_for_english_browser(void **state)
{
	struct fixture *f = *state;
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/nope",
		        "HTTP_ACCEPT_LANGUAGE=en-GB,en;q=0.9", NULL };

	handle(f, env, NULL, 0);
	assert_int_equal(f->resp.status, 404);
	assert_non_null(strstr(body_of(f), "<html lang=\"en\""));
	assert_non_null(strstr(body_of(f), "Page not found"));
	assert_non_null(strstr(body_of(f), "This page does not exist or is not available to you."));
	assert_null(strstr(body_of(f), "Pagina niet gevonden"));
}

static void test_404_serialises_with_status_line_first(void **state)
{
	struct fixture *f = *state;
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/nope", NULL };

	handle(f, env, NULL, 0);
	resp_serialize(&f->resp, 0, &f->out);
	const char *s = buf_str(&f->out);
	assert_int_equal(strncmp(s, "Status: 404 Not Found\r\n", 23), 0);
	assert_non_null(strstr(s, "Content-Type: text/html; charset=utf-8\r\n"));
	assert_non_null(strstr(s, "\r\n\r\n<!DOCTYPE html>"));
}

static void test_lang_cookie_beats_accept_language(void **state)
{
	struct fixture *f = *state;
	char *en[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/nope", "HTTP_ACCEPT_LANGUAGE=nl",
		       "HTTP_COOKIE=theme=dark; lang=en", NULL };

	handle(f, en, NULL, 0);
	assert_non_null(strstr(body_of(f), "Page not found"));

	resp_reset(&f->resp);
	char *nl[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/nope", "HTTP_ACCEPT_LANGUAGE=en",
		       "HTTP_COOKIE=lang=nl", NULL };
	handle(f, nl, NULL, 0);
	assert_non_null(strstr(body_of(f), "Pagina niet gevonden"));
}

static void test_post_on_get_only_path_gives_405_with_allow(void **state)
{
	struct fixture *f = *state;
	char *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/ok",
		        "CONTENT_TYPE=application/x-www-form-urlencoded", "CONTENT_LENGTH=3",
		        NULL };

	handle(f, env, "a=1", 3);
	assert_int_equal(f->resp.status, 405);
	assert_string_equal(buf_str(&f->resp.headers), "Allow: GET, HEAD\r\n");
	assert_non_null(strstr(body_of(f), "Handeling niet toegestaan"));
	assert_string_equal(f->resp.content_type, "text/html; charset=utf-8");
}

static void test_unsupported_method_lists_every_method_of_the_path(void **state)
{
	struct fixture *f = *state;
	char *env[] = { "REQUEST_METHOD=DELETE", "REQUEST_URI=/items/5", NULL };

	handle(f, env, NULL, 0);
	assert_int_equal(f->resp.status, 405);
	assert_string_equal(buf_str(&f->resp.headers), "Allow: GET, HEAD, POST\r\n");
}

static void test_head_runs_the_get_route(void **state)
{
	struct fixture *f = *state;
	char *env[] = { "REQUEST_METHOD=HEAD", "REQUEST_URI=/ok", NULL };

	handle(f, env, NULL, 0);
	assert_int_equal(f->resp.status, 200);
	assert_string_equal(body_of(f), "fine");
	resp_serialize(&f->resp, 1, &f->out);
	assert_int_equal(strncmp(buf_str(&f->out), "Status: 200 OK\r\n", 16), 0);
	assert_null(strstr(buf_str(&f->out), "fine"));
}

static void test_id_in_path_reaches_the_handler(void **state)
{
	struct fixture *f = *state;
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/items/123456789012", NULL };

	handle(f, env, NULL, 0);
	assert_int_equal(f->resp.status, 200);
	assert_string_equal(body_of(f), "item 123456789012 of 1");
}

static void test_malformed_id_is_not_found(void **state)
{
	struct fixture *f = *state;
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/items/012", NULL };

	handle(f, env, NULL, 0);
	assert_int_equal(f->resp.status, 404);
}

static void test_post_form_reaches_the_handler(void **state)
{
	struct fixture *f = *state;
	const char body[] = "name=J%C3%A1n+de+Vries";
	char *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/items/7",
		        "CONTENT_TYPE=application/x-www-form-urlencoded; charset=utf-8",
		        "CONTENT_LENGTH=22", NULL };

	assert_int_equal(strlen(body), 22);
	handle(f, env, body, strlen(body));
	assert_int_equal(f->resp.status, 200);
	assert_string_equal(body_of(f), "posted 7 Ján de Vries");
}

/* ---- declared fields ---- */

static void test_get_with_valid_fields_reads_typed_values(void **state)
{
	struct fixture *f = *state;
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/list?page=7&q=+ab+",
		        "QUERY_STRING=page=7&q=+ab+", NULL };

	handle(f, env, NULL, 0);
	assert_int_equal(f->resp.status, 200);
	assert_string_equal(body_of(f), "page 7 q ab");
}

static void test_get_with_a_bad_field_gives_400_before_the_handler(void **state)
{
	struct fixture *f = *state;
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/list?page=101", "QUERY_STRING=page=101",
		        NULL };
	FILE *log = log_capture();

	handle(f, env, NULL, 0);
	assert_int_equal(log_count(log, "field=page problem=\"out of range\""), 1);
	assert_int_equal(f->resp.status, 400);
	assert_non_null(strstr(body_of(f), "Ongeldig verzoek"));
	assert_null(strstr(body_of(f), "page "));
}

static void test_get_with_an_absent_field_takes_the_default(void **state)
{
	struct fixture *f = *state;
	char *env[] = { "REQUEST_METHOD=GET",
		        "REQUEST_URI=/list?page=", "QUERY_STRING=page=", NULL };

	handle(f, env, NULL, 0);
	assert_int_equal(f->resp.status, 200);
	assert_string_equal(body_of(f), "page 1 q ");
}

static void test_post_with_a_bad_field_is_answered_at_its_guard(void **state)
{
	struct fixture *f = *state;
	const char body[] = "count=10";
	char *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/guarded",
		        "CONTENT_TYPE=application/x-www-form-urlencoded", "CONTENT_LENGTH=8",
		        NULL };

	handle(f, env, body, strlen(body));
	assert_int_equal(f->resp.status, 400);
	assert_null(strstr(body_of(f), "count"));
}

static void test_post_refused_by_its_guard_is_not_a_400(void **state)
{
	struct fixture *f = *state;
	char *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/guarded?deny",
		        "QUERY_STRING=deny",   "CONTENT_TYPE=application/x-www-form-urlencoded",
		        "CONTENT_LENGTH=0",    NULL };

	/* count is missing, but the guard's 403 comes first, as before. */
	handle(f, env, "", 0);
	assert_int_equal(f->resp.status, 403);
}

static void test_post_with_valid_fields_passes_its_guard(void **state)
{
	struct fixture *f = *state;
	const char body[] = "count=3";
	char *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/guarded",
		        "CONTENT_TYPE=application/x-www-form-urlencoded", "CONTENT_LENGTH=7",
		        NULL };

	handle(f, env, body, strlen(body));
	assert_int_equal(f->resp.status, 200);
	assert_string_equal(body_of(f), "count 3");
}

static void test_malformed_query_gives_400_page(void **state)
{
	struct fixture *f = *state;
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/ok?%zz", "QUERY_STRING=%zz", NULL };

	handle(f, env, NULL, 0);
	assert_int_equal(f->resp.status, 400);
	assert_non_null(strstr(body_of(f), "Ongeldig verzoek"));
	assert_null(strstr(body_of(f), "fine"));
}

static void test_oversized_body_gives_413_without_running_the_handler(void **state)
{
	struct fixture *f = *state;
	size_t len = req_default_limits.max_body + 1;
	char *body = malloc(len);
	assert_non_null(body);
	memset(body, 'a', len);
	body[0] = 'n';
	body[1] = '=';
	char cl[32];
	snprintf(cl, sizeof(cl), "CONTENT_LENGTH=%zu", len);
	char *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/items/7",
		        "CONTENT_TYPE=application/x-www-form-urlencoded", cl, NULL };

	handle(f, env, body, len);
	free(body);
	assert_int_equal(f->resp.status, 413);
	assert_null(strstr(body_of(f), "posted"));
	assert_non_null(strstr(body_of(f), "Verzoek te groot"));
}

/* ---- rendering ---- */

static void test_page_renders_with_layout_and_escaped_variables(void **state)
{
	struct fixture *f = *state;
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/page?x=1", "QUERY_STRING=x=1", NULL };

	handle(f, env, NULL, 0);
	assert_int_equal(f->resp.status, 200);
	const char *b = body_of(f);
	assert_int_equal(count(b, "<!DOCTYPE html>"), 1);
	assert_non_null(strstr(b, "<title>Inloggen — Rapportageportaal</title>"));
	assert_non_null(strstr(b, "value=\"c5rf70k3n\""));
	assert_non_null(strstr(b, "value=\"/reports?a=1&amp;b=&quot;x&quot;\""));
	assert_non_null(strstr(b, "Gebruikersnaam of wachtwoord onjuist"));
	/* The language switch leads back to this page and query. */
	assert_non_null(strstr(b, "href=\"/lang?to=en&amp;next=/page%3Fx%3D1\""));
}

static void test_render_failure_becomes_500_page_without_partial_output(void **state)
{
	struct fixture *f = *state;
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/broken", NULL };
	FILE *captured = log_capture();

	handle(f, env, NULL, 0);
	int logged = log_count(captured, "template render failed");
	assert_int_equal(f->resp.status, 500);
	assert_string_equal(f->resp.content_type, "text/html; charset=utf-8");
	const char *b = body_of(f);
	assert_int_equal(count(b, "<!DOCTYPE html>"), 1);
	assert_int_equal(count(b, "</html>"), 1);
	assert_non_null(strstr(b, "Er ging iets mis"));
	/* The report page's own text got as far as its crumbs: none may show. */
	assert_null(strstr(b, "Alle rapportages"));
	assert_null(strstr(b, "Titel"));
	/* The reference is the request id: 16 hex digits. */
	const char *ref = strstr(b, "Referentie: ");
	assert_non_null(ref);
	ref += strlen("Referentie: ");
	for (int i = 0; i < 16; i++)
		assert_non_null(strchr("0123456789abcdef", ref[i]));
	assert_int_equal(logged, 1);
}

/* ---- redirects and encoding ---- */

static void test_redirect_login_carries_path_and_query_encoded(void **state)
{
	struct fixture *f = *state;
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/private?q=a%20b&sort=title",
		        "QUERY_STRING=q=a%20b&sort=title", NULL };

	handle(f, env, NULL, 0);
	assert_int_equal(f->resp.status, 303);
	assert_string_equal(buf_str(&f->resp.headers),
	                    "Location: /login?next=/private%3Fq%3Da%2520b%26sort%3Dtitle\r\n");
}

static void test_redirect_login_without_query_has_no_question_mark(void **state)
{
	struct fixture *f = *state;
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/private", NULL };

	handle(f, env, NULL, 0);
	assert_int_equal(f->resp.status, 303);
	assert_string_equal(buf_str(&f->resp.headers), "Location: /login?next=/private\r\n");
}

static void test_url_encode_keeps_unreserved_and_slash(void **state)
{
	(void)state;
	struct buf b = { 0 };
	app_url_encode(&b, "AZaz09-._~/x");
	assert_string_equal(buf_str(&b), "AZaz09-._~/x");
	buf_free(&b);
}

static void test_url_encode_escapes_query_delimiters_and_space(void **state)
{
	(void)state;
	struct buf b = { 0 };
	app_url_encode(&b, "a b?c=d&e+f%#");
	assert_string_equal(buf_str(&b), "a%20b%3Fc%3Dd%26e%2Bf%25%23");
	buf_free(&b);
}

static void test_url_encode_escapes_utf8_bytes_in_upper_case_hex(void **state)
{
	(void)state;
	struct buf b = { 0 };
	app_url_encode(&b, "\xc3\xa9");
	assert_string_equal(buf_str(&b), "%C3%A9");
	buf_reset(&b);
	app_url_encode(&b, "");
	assert_string_equal(buf_str(&b), "");
	buf_free(&b);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_route_runs_its_handler),
		T(test_unknown_path_gives_dutch_404_page_by_default),
		T(test_unknown_path_gives_english_404_page_for_english_browser),
		T(test_404_serialises_with_status_line_first),
		T(test_lang_cookie_beats_accept_language),
		T(test_post_on_get_only_path_gives_405_with_allow),
		T(test_unsupported_method_lists_every_method_of_the_path),
		T(test_head_runs_the_get_route),
		T(test_id_in_path_reaches_the_handler),
		T(test_malformed_id_is_not_found),
		T(test_post_form_reaches_the_handler),
		T(test_get_with_valid_fields_reads_typed_values),
		T(test_get_with_a_bad_field_gives_400_before_the_handler),
		T(test_get_with_an_absent_field_takes_the_default),
		T(test_post_with_a_bad_field_is_answered_at_its_guard),
		T(test_post_refused_by_its_guard_is_not_a_400),
		T(test_post_with_valid_fields_passes_its_guard),
		T(test_malformed_query_gives_400_page),
		T(test_oversized_body_gives_413_without_running_the_handler),
		T(test_page_renders_with_layout_and_escaped_variables),
		T(test_render_failure_becomes_500_page_without_partial_output),
		T(test_redirect_login_carries_path_and_query_encoded),
		T(test_redirect_login_without_query_has_no_question_mark),
		T(test_url_encode_keeps_unreserved_and_slash),
		T(test_url_encode_escapes_query_delimiters_and_space),
		T(test_url_encode_escapes_utf8_bytes_in_upper_case_hex),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
