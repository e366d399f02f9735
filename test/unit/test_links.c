/*
 * Unit tests of lib/links.c that need no network or database: what an
 * outcome of a request means (works, failed and of which kind, or HEAD
 * refused: ask with GET), the count of failures in a row and the "failed
 * twice in a row" rule, and the statements by name. The requests and the
 * store are test/links/run's, against a local server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "links.h"

/* The verdict of one request, with its kind in *k. */
static enum links_verdict verdict(int head, int code, long status, int cut, enum links_failure *k)
{
	return links_classify(head, code, status, cut, k);
}

static void test_an_answer_of_200_to_399_works(void **state)
{
	enum links_failure k;
	(void)state;
	assert_int_equal(verdict(1, CURLE_OK, 200, 0, &k), LINKS_WORKS);
	assert_int_equal(k, LINKS_NONE);
	assert_int_equal(verdict(1, CURLE_OK, 204, 0, &k), LINKS_WORKS);
	/* a 3xx that was not followed (no Location, 304) is an answer */
	assert_int_equal(verdict(1, CURLE_OK, 304, 0, &k), LINKS_WORKS);
	assert_int_equal(verdict(0, CURLE_OK, 399, 0, &k), LINKS_WORKS);
}

static void test_a_sign_in_asked_for_works(void **state)
{
	enum links_failure k;
	(void)state;
	assert_int_equal(verdict(1, CURLE_OK, 401, 0, &k), LINKS_WORKS);
	assert_int_equal(verdict(0, CURLE_OK, 403, 0, &k), LINKS_WORKS);
	assert_int_equal(k, LINKS_NONE);
}

static void test_a_refused_head_is_asked_again_with_get(void **state)
{
	enum links_failure k;
	(void)state;
	assert_int_equal(verdict(1, CURLE_OK, 405, 0, &k), LINKS_RETRY_GET);
	assert_int_equal(verdict(1, CURLE_OK, 501, 0, &k), LINKS_RETRY_GET);
	assert_int_equal(verdict(1, CURLE_OK, 404, 0, &k), LINKS_RETRY_GET);
	assert_int_equal(verdict(1, CURLE_OK, 500, 0, &k), LINKS_RETRY_GET);
	/* a server that drops a HEAD, or answers it with garbage */
	assert_int_equal(verdict(1, CURLE_GOT_NOTHING, 0, 0, &k), LINKS_RETRY_GET);
	assert_int_equal(verdict(1, CURLE_RECV_ERROR, 0, 0, &k), LINKS_RETRY_GET);
	assert_int_equal(verdict(1, CURLE_WEIRD_SERVER_REPLY, 0, 0, &k), LINKS_RETRY_GET);
}

static void test_an_error_answer_to_get_is_a_status_failure(void **state)
{
	enum links_failure k;
	(void)state;
	assert_int_equal(verdict(0, CURLE_OK, 404, 0, &k), LINKS_FAILED);
	assert_int_equal(k, LINKS_STATUS);
	assert_int_equal(verdict(0, CURLE_OK, 500, 0, &k), LINKS_FAILED);
	assert_int_equal(k, LINKS_STATUS);
	assert_int_equal(verdict(0, CURLE_OK, 405, 0, &k), LINKS_FAILED);
	assert_int_equal(k, LINKS_STATUS);
}

static void test_a_get_cut_at_its_body_is_an_answer(void **state)
{
	enum links_failure k;
	(void)state;
	assert_int_equal(verdict(0, CURLE_WRITE_ERROR, 200, 1, &k), LINKS_WORKS);
	assert_int_equal(verdict(0, CURLE_WRITE_ERROR, 404, 1, &k), LINKS_FAILED);
	assert_int_equal(k, LINKS_STATUS);
	/* a write error that was not ours is not */
	assert_int_equal(verdict(0, CURLE_WRITE_ERROR, 200, 0, &k), LINKS_FAILED);
	assert_int_equal(k, LINKS_OTHER);
}

static void test_no_answer_is_a_failure_of_its_kind_and_not_retried(void **state)
{
	enum links_failure k;
	(void)state;
	assert_int_equal(verdict(1, CURLE_OPERATION_TIMEDOUT, 0, 0, &k), LINKS_FAILED);
	assert_int_equal(k, LINKS_TIMEOUT);
	assert_int_equal(verdict(1, CURLE_COULDNT_RESOLVE_HOST, 0, 0, &k), LINKS_FAILED);
	assert_int_equal(k, LINKS_DNS);
	assert_int_equal(verdict(1, CURLE_COULDNT_CONNECT, 0, 0, &k), LINKS_FAILED);
	assert_int_equal(k, LINKS_CONNECT);
	assert_int_equal(verdict(1, CURLE_PEER_FAILED_VERIFICATION, 0, 0, &k), LINKS_FAILED);
	assert_int_equal(k, LINKS_TLS);
	assert_int_equal(verdict(1, CURLE_SSL_CONNECT_ERROR, 0, 0, &k), LINKS_FAILED);
	assert_int_equal(k, LINKS_TLS);
	assert_int_equal(verdict(1, CURLE_TOO_MANY_REDIRECTS, 301, 0, &k), LINKS_FAILED);
	assert_int_equal(k, LINKS_REDIRECTS);
	assert_int_equal(verdict(1, CURLE_UNSUPPORTED_PROTOCOL, 0, 0, &k), LINKS_FAILED);
	assert_int_equal(k, LINKS_PROTOCOL);
	assert_int_equal(verdict(0, CURLE_GOT_NOTHING, 0, 0, &k), LINKS_FAILED);
	assert_int_equal(k, LINKS_OTHER);
	/* an "answer" without a status */
	assert_int_equal(verdict(1, CURLE_OK, 0, 0, &k), LINKS_FAILED);
	assert_int_equal(k, LINKS_OTHER);
}

static void test_every_kind_has_the_name_the_schema_allows(void **state)
{
	(void)state;
	assert_null(links_failure_name(LINKS_NONE));
	assert_string_equal(links_failure_name(LINKS_STATUS), "status");
	assert_string_equal(links_failure_name(LINKS_TIMEOUT), "timeout");
	assert_string_equal(links_failure_name(LINKS_DNS), "dns");
	assert_string_equal(links_failure_name(LINKS_CONNECT), "connect");
	assert_string_equal(links_failure_name(LINKS_TLS), "tls");
	assert_string_equal(links_failure_name(LINKS_REDIRECTS), "redirects");
	assert_string_equal(links_failure_name(LINKS_PROTOCOL), "protocol");
	assert_string_equal(links_failure_name(LINKS_OTHER), "other");
	assert_null(links_failure_name((enum links_failure)99));
}

static void test_failures_in_a_row_count_up_and_a_success_ends_them(void **state)
{
	(void)state;
	assert_int_equal(links_failures_after(0, 0, 1), 1); /* never checked */
	assert_int_equal(links_failures_after(0, 1, 1), 1);
	assert_int_equal(links_failures_after(1, 1, 1), 2);
	assert_int_equal(links_failures_after(2, 1, 1), 3);
	assert_int_equal(links_failures_after(5, 1, 0), 0);
	assert_int_equal(links_failures_after(0, 0, 0), 0);
}

static void test_an_edited_link_starts_counting_again(void **state)
{
	(void)state;
	assert_int_equal(links_failures_after(4, 0, 1), 1);
	assert_int_equal(links_failures_after(4, 0, 0), 0);
}

static void test_a_link_is_broken_after_failing_twice_in_a_row(void **state)
{
	(void)state;
	assert_false(links_is_broken(0));
	assert_false(links_is_broken(1));
	assert_true(links_is_broken(2));
	assert_true(links_is_broken(7));
	assert_true(links_is_broken(links_failures_after(links_failures_after(0, 0, 1), 1, 1)));
	assert_non_null(strstr(LINKS_BROKEN_SQL("lc", "r"), "lc.failures_in_row >= 2"));
	assert_non_null(strstr(LINKS_BROKEN_SQL("lc", "r"), "lc.url = r.url"));
}

static const struct db_stmt *find(const char *name)
{
	for (const struct db_stmt *s = links_stmts; s->name != NULL; s++) {
		if (strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

static void test_the_statements_are_there_by_name(void **state)
{
	const struct db_stmt *s;
	(void)state;
	assert_non_null((s = find("links_lock")));
	assert_int_equal(s->nparams, 0);
	assert_non_null((s = find("links_targets")));
	assert_int_equal(s->nparams, 1);
	assert_non_null(strstr(s->sql, "r.status = 'published'"));
	assert_non_null((s = find("links_store")));
	assert_int_equal(s->nparams, 9);
	assert_non_null(strstr(s->sql, "ON CONFLICT (report_id) DO UPDATE"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_answer_of_200_to_399_works),
		cmocka_unit_test(test_a_sign_in_asked_for_works),
		cmocka_unit_test(test_a_refused_head_is_asked_again_with_get),
		cmocka_unit_test(test_an_error_answer_to_get_is_a_status_failure),
		cmocka_unit_test(test_a_get_cut_at_its_body_is_an_answer),
		cmocka_unit_test(test_no_answer_is_a_failure_of_its_kind_and_not_retried),
		cmocka_unit_test(test_every_kind_has_the_name_the_schema_allows),
		cmocka_unit_test(test_failures_in_a_row_count_up_and_a_success_ends_them),
		cmocka_unit_test(test_an_edited_link_starts_counting_again),
		cmocka_unit_test(test_a_link_is_broken_after_failing_twice_in_a_row),
		cmocka_unit_test(test_the_statements_are_there_by_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
