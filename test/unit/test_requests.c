/*
 * Unit tests of lib/requests.c that need no database: the checks of a
 * reason and a note (the schema's CHECKs say the same; test/requests/run
 * shows both refusing), and the statements by the names and parameters the
 * pools call. What the statements do is test/requests/run's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "requests.h"

static void test_a_reason_is_required_a_note_is_not(void **state)
{
	(void)state;
	assert_string_equal(requests_text_problem("", 1), "requests.error.reason_required");
	assert_string_equal(requests_text_problem(" \t\r\n", 1), "requests.error.reason_required");
	assert_string_equal(requests_text_problem(NULL, 1), "requests.error.reason_required");
	assert_null(requests_text_problem("", 0));
	assert_null(requests_text_problem(NULL, 0));
	assert_null(requests_text_problem("Voor de kwartaalcijfers", 1));
	assert_null(requests_text_problem("Regel één\nRegel twee\ttab", 1));
}

static void test_a_text_is_at_most_1000_characters_not_bytes(void **state)
{
	(void)state;
	char s[3 * 1001 + 1];
	size_t n = 0;
	for (int i = 0; i < 1000; i++) {
		memcpy(s + n, "\xc3\xa9", 2); /* é: two bytes, one character */
		n += 2;
	}
	s[n] = '\0';
	assert_null(requests_text_problem(s, 1));
	memcpy(s + n, "e", 2);
	assert_string_equal(requests_text_problem(s, 1), "requests.error.too_long");
}

static void test_hidden_and_control_characters_are_refused(void **state)
{
	(void)state;
	assert_string_equal(requests_text_problem("Omdat \xe2\x80\xae", 1),
	                    "requests.error.invisible"); /* U+202E */
	assert_string_equal(requests_text_problem("a\xe2\x80\x8b", 0),
	                    "requests.error.invisible"); /* U+200B */
	assert_string_equal(requests_text_problem("a\x1b[2J", 1), "requests.error.control");
}

static const struct db_stmt *find(const struct db_stmt *t, const char *name)
{
	for (; t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

static void test_the_statements_are_there_by_name(void **state)
{
	(void)state;
	const struct db_stmt *s = find(requests_stmts, "requests_submit");
	assert_non_null(s);
	assert_int_equal(s->nparams, 6);
	assert_non_null(strstr(s->sql, "access_request_submit($1::bytea"));
	assert_non_null((s = find(requests_stmts, "requests_withdraw")));
	assert_int_equal(s->nparams, 4);
	assert_non_null((s = find(requests_stmts, "requests_page")));
	assert_int_equal(s->nparams, 2);
	assert_non_null((s = find(requests_admin_stmts, "requests_decide")));
	assert_int_equal(s->nparams, 6);
	/* decided only for a role the actor may keep, and audited */
	assert_non_null(strstr(s->sql, "role_may_keep($1::bigint"));
	assert_non_null(strstr(s->sql, "audit_write($1::bigint, $2::text, $3::inet,"));
	assert_non_null((s = find(requests_admin_stmts, "requests_waiting")));
	assert_int_equal(s->nparams, 0);
	assert_null(find(requests_stmts, "requests_decide"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_reason_is_required_a_note_is_not),
		cmocka_unit_test(test_a_text_is_at_most_1000_characters_not_bytes),
		cmocka_unit_test(test_hidden_and_control_characters_are_refused),
		cmocka_unit_test(test_the_statements_are_there_by_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
