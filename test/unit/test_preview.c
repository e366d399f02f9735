/*
 * Unit tests of lib/preview.c that need no database: the scope words the
 * statements know, the shape of a token, the console's preview (counts,
 * lines, "... and N more", control characters), the rules of visibility
 * the statements spell as the list page does, and that without a database
 * a preview or a save answers the database's status and saves nothing.
 * What a preview does to rows (nothing) and who it lists are for the
 * suites (test/admin-roles, test/admin-reports, test/cli-admin).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"
#include "outage.h"
#include "preview.h"

/* Port 1 on loopback: refused at once. */
#define NOWHERE "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"

static const char *sql_of(const char *name)
{
	for (const struct db_stmt *s = preview_stmts; s->name != NULL; s++)
		if (strcmp(s->name, name) == 0)
			return s->sql;
	fail_msg("no statement %s", name);
	return NULL;
}

/* What preview_print writes for p, in a buffer the caller frees. */
static char *printed(const struct preview *p)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	preview_print(f, p);
	fclose(f);
	return out;
}

static void test_each_kind_has_the_scope_word_the_statements_know(void **state)
{
	(void)state;
	const struct {
		enum preview_kind k;
		const char *scope;
	} cases[] = {
		{ PREVIEW_MEMBERS_ADD, "members" }, { PREVIEW_MEMBERS_REMOVE, "members" },
		{ PREVIEW_REPORTS_ADD, "reports" }, { PREVIEW_REPORTS_REMOVE, "reports" },
		{ PREVIEW_ROLE_ACTIVE, "role" },    { PREVIEW_REPORT_UPDATE, "report" },
		{ PREVIEW_USER_ROLES_ADD, "user" }, { PREVIEW_USER_ROLES_REMOVE, "user" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_string_equal(preview_kind_scope(cases[i].k), cases[i].scope);
		char quoted[32];
		snprintf(quoted, sizeof quoted, "'%s'", cases[i].scope);
		if (cases[i].k != PREVIEW_ROLE_ACTIVE) /* "role": the CASE's ELSE */
			assert_non_null(strstr(sql_of("preview_before"), quoted));
	}
}

static void test_the_statements_count_what_the_list_page_shows(void **state)
{
	(void)state;
	/* lib/catalog.c: a superuser sees everything, an inactive user has no
	 * session, everyone else the published reports of their set; the
	 * statements read report_access's two tables as the view joins them. */
	for (const struct db_stmt *s = preview_stmts; s->name != NULL; s++) {
		assert_non_null(strstr(s->sql, "FROM user_role_sets us"));
		assert_non_null(strstr(s->sql, "FROM role_set_reports a"));
		assert_non_null(strstr(s->sql, "WHERE a.published"));
		assert_non_null(strstr(s->sql, "u.is_active AND NOT u.is_superuser"));
	}
}

static void test_the_copy_takes_no_lock_is_private_and_deleted_as_it_is_read(void **state)
{
	(void)state;
	const char *before = sql_of("preview_before"), *after = sql_of("preview_after");
	assert_non_null(strstr(before, "INSERT INTO preview_before"));
	/* No lock of its own: only the operation's, in the operation's order. */
	assert_null(strstr(before, "FOR UPDATE"));
	assert_null(strstr(before, "FOR SHARE"));
	assert_null(strstr(after, "FOR UPDATE"));
	assert_null(strstr(after, "FOR SHARE"));
	assert_non_null(
	    strstr(after, "DELETE FROM preview_before WHERE xact = pg_current_xact_id()"));
	assert_non_null(strstr(after, "sha256("));
	assert_null(strstr(before, "audit_write("));
	assert_null(strstr(after, "audit_write("));
}

static void test_a_token_is_64_lowercase_hex_digits(void **state)
{
	(void)state;
	char t[80];
	memset(t, 'a', 64);
	t[64] = '\0';
	assert_true(preview_token_ok(t));
	memcpy(t, "0123456789abcdef", 16);
	assert_true(preview_token_ok(t));
	t[63] = '\0';
	assert_false(preview_token_ok(t)); /* 63 */
	t[63] = 'f';
	t[64] = 'f';
	t[65] = '\0';
	assert_false(preview_token_ok(t)); /* 65 */
	t[64] = '\0';
	t[10] = 'A';
	assert_false(preview_token_ok(t)); /* upper case */
	t[10] = 'g';
	assert_false(preview_token_ok(t));
	t[10] = ' ';
	assert_false(preview_token_ok(t));
	assert_false(preview_token_ok(""));
	assert_false(preview_token_ok(NULL));
}

static void test_the_console_lists_gains_and_losses_and_says_how_many_more(void **state)
{
	(void)state;
	struct preview p = { 0 };
	p.users_gaining = 2;
	p.pairs_gained = 5;
	p.gained[0] = (struct preview_line){ 7, 3, "jjansen", "Jan Jansen", "Omzet" };
	p.gained[1] = (struct preview_line){ 8, 3, "pdevries", "Piet de Vries", "Omzet" };
	p.n_gained = 2;
	char *out = printed(&p);
	assert_string_equal(out, "gains: 2 users, 5 user-report pairs\n"
	                         "  + jjansen (Jan Jansen): report 3 \"Omzet\"\n"
	                         "  + pdevries (Piet de Vries): report 3 \"Omzet\"\n"
	                         "  ... and 3 more\n"
	                         "losses: 0 users, 0 user-report pairs\n");
	free(out);
}

static void test_the_console_says_one_user_and_one_pair(void **state)
{
	(void)state;
	struct preview p = { 0 };
	p.users_losing = 1;
	p.pairs_lost = 1;
	p.lost[0] = (struct preview_line){ 7, 12, "jjansen", "Jan Jansen", "Verzuim" };
	p.n_lost = 1;
	char *out = printed(&p);
	assert_string_equal(out, "gains: 0 users, 0 user-report pairs\n"
	                         "losses: 1 user, 1 user-report pair\n"
	                         "  - jjansen (Jan Jansen): report 12 \"Verzuim\"\n");
	free(out);
}

static void test_the_console_prints_control_characters_as_question_marks(void **state)
{
	(void)state;
	struct preview p = { 0 };
	p.users_gaining = 1;
	p.pairs_gained = 1;
	p.gained[0] = (struct preview_line){ 1, 2, "a\033[2Jb", "x\ny", "t\x7f" };
	p.n_gained = 1;
	char *out = printed(&p);
	assert_non_null(strstr(out, "  + a?[2Jb (x?y): report 2 \"t?\"\n"));
	assert_null(strchr(out, '\033'));
	free(out);
}

static void test_without_a_database_a_preview_or_save_answers_unavailable(void **state)
{
	(void)state;
	size_t n = 0;
	while (preview_stmts[n].name != NULL)
		n++;
	struct db *db = db_new(NOWHERE, 5000, preview_stmts, n);
	assert_non_null(db);
	log_set_level(LOG_ERROR); /* the outage's line is not under test */
	struct preview_change c = { .kind = PREVIEW_MEMBERS_ADD, .id = 1, .ids = "{2}" };
	struct preview p;
	char token[PREVIEW_TOKEN_LEN];
	memset(token, 'a', 64);
	token[64] = '\0';
	const char *tokens[] = { NULL, token };
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(preview_run(db, &audit_console, &c, tokens[i], &p),
		                 PREVIEW_DB_ERROR);
		assert_int_equal(p.db, DB_UNAVAILABLE);
		assert_int_equal(p.saved, 0);
		assert_null(p.res);
		assert_int_equal(p.n_gained + p.n_lost, 0);
		preview_free(&p);
		preview_free(&p); /* twice is harmless */
	}
	outage_ended();
	db_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_kind_has_the_scope_word_the_statements_know),
		cmocka_unit_test(test_the_statements_count_what_the_list_page_shows),
		cmocka_unit_test(test_the_copy_takes_no_lock_is_private_and_deleted_as_it_is_read),
		cmocka_unit_test(test_a_token_is_64_lowercase_hex_digits),
		cmocka_unit_test(test_the_console_lists_gains_and_losses_and_says_how_many_more),
		cmocka_unit_test(test_the_console_says_one_user_and_one_pair),
		cmocka_unit_test(test_the_console_prints_control_characters_as_question_marks),
		cmocka_unit_test(test_without_a_database_a_preview_or_save_answers_unavailable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
