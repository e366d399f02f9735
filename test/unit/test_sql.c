/*
 * Unit tests for the SQL of every module, as a whole: every statement of
 * every *_stmts table has a name of its own and as many parameters as its
 * text uses, and no source file has its SQL cut into strings of one or two
 * characters a line (what clang-format made of lib/admin_roles.c before its
 * SQL went into a clang-format off block), and no statement writes the
 * audit log but through audit_write(). Run from the top of the tree.
 */
#include <ctype.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "admin_access.h"
#include "admin_audit.h"
#include "grants.h"
#include "admin_reports.h"
#include "admin_reviews.h"
#include "admin_roles.h"
#include "admin_users.h"
#include "catalog.h"
#include "ctl_access.h"
#include "ctl_audit.h"
#include "ctl_import.h"
#include "ctl_reports.h"
#include "ctl_reviews.h"
#include "ctl_roles.h"
#include "directory.h"
#include "admin_links.h"
#include "links.h"
#include "preview.h"
#include "reports.h"
#include "requests.h"
#include "reviews.h"
#include "roles.h"
#include "db.h"
#include "session.h"
#include "users.h"

/* clang-format off */
static const struct db_stmt *const all_tables[] = {
	session_stmts,
	catalog_stmts,
	admin_access_stmts,
	admin_audit_stmts,
	grants_stmts,
	admin_reports_stmts,
	admin_roles_stmts,
	admin_users_stmts,
	ctl_role_stmts,
	ctl_report_stmts,
	ctl_access_stmts,
	ctl_audit_stmts,
	ctl_import_stmts,
	directory_stmts,
	users_stmts,
	users_sso_stmts,
	roles_stmts,
	reports_stmts,
	preview_stmts,
	requests_stmts,
	requests_admin_stmts,
	reviews_stmts,
	admin_reviews_stmts,
	ctl_review_stmts,
	links_stmts,
	admin_links_stmts,
	NULL,
};
/* clang-format on */

/* The highest $n in sql, 0 when none. */
static int highest_param(const char *sql)
{
	int max = 0;
	for (const char *p = strchr(sql, '$'); p != NULL; p = strchr(p + 1, '$')) {
		if (!isdigit((unsigned char)p[1]))
			continue;
		int n = atoi(p + 1);
		if (n > max)
			max = n;
	}
	return max;
}

static void test_every_statement_has_a_name_of_its_own(void **state)
{
	(void)state;
	size_t n = 0;
	const char *names[512];
	for (const struct db_stmt *const *t = all_tables; *t != NULL; t++) {
		for (const struct db_stmt *st = *t; st->name != NULL; st++) {
			assert_non_null(st->sql);
			assert_true(st->name[0] != '\0');
			for (const char *c = st->name; *c; c++)
				assert_true(islower((unsigned char)*c) ||
				            isdigit((unsigned char)*c) || *c == '_');
			for (size_t i = 0; i < n; i++)
				if (strcmp(names[i], st->name) == 0)
					fail_msg("statement name \"%s\" is used twice", st->name);
			assert_true(n < sizeof(names) / sizeof(names[0]));
			names[n++] = st->name;
		}
	}
	assert_true(n > 50);
}

static void test_every_statement_declares_the_parameters_its_text_uses(void **state)
{
	(void)state;
	for (const struct db_stmt *const *t = all_tables; *t != NULL; t++)
		for (const struct db_stmt *st = *t; st->name != NULL; st++)
			if (highest_param(st->sql) != st->nparams)
				fail_msg("statement %s: nparams %d, but its text uses up to $%d",
				         st->name, st->nparams, highest_param(st->sql));
}

/* Whether line is nothing but a string literal of one or two characters
 * (an escape such as "\n" is not counted). */
static int is_cut_string(const char *line)
{
	while (*line == ' ' || *line == '\t')
		line++;
	if (line[0] != '"')
		return 0;
	const char *end = strchr(line + 1, '"');
	if (end == NULL || end == line + 1 || end - line - 1 > 2)
		return 0;
	if (memchr(line + 1, '\\', (size_t)(end - line - 1)) != NULL)
		return 0;
	for (const char *p = end + 1; *p; p++)
		if (*p != ' ' && *p != '\t' && *p != '\n')
			return 0;
	return 1;
}

static void test_is_cut_string_finds_the_strings_clang_format_cut(void **state)
{
	(void)state;
	assert_true(is_cut_string("\t\t\t\t\"A\"\n"));
	assert_true(is_cut_string("                 \" \"\n"));
	assert_true(is_cut_string("\t\"OR\""));
	assert_false(is_cut_string("\t\"\\n\"\n"));
	assert_false(is_cut_string("\t\" AND \"\n"));
	assert_false(is_cut_string("\t\"(\" CATEGORY\n"));
	assert_false(is_cut_string("\treturn 0;\n"));
}

static void test_no_source_has_its_sql_cut_into_one_character_lines(void **state)
{
	(void)state;
	const char *const patterns[] = { "lib/*.c", "cgi-bin/*.c", NULL };
	size_t files = 0;
	for (const char *const *pat = patterns; *pat != NULL; pat++) {
		glob_t g;
		assert_int_equal(glob(*pat, 0, NULL, &g), 0);
		for (size_t i = 0; i < g.gl_pathc; i++) {
			FILE *f = fopen(g.gl_pathv[i], "r");
			assert_non_null(f);
			char line[4096];
			int lineno = 0;
			while (fgets(line, sizeof(line), f) != NULL) {
				lineno++;
				if (is_cut_string(line))
					fail_msg(
					    "%s:%d: a string of one or two characters on a line "
					    "of its own: lay the SQL out by hand in a "
					    "clang-format off block",
					    g.gl_pathv[i], lineno);
			}
			fclose(f);
			files++;
		}
		globfree(&g);
	}
	assert_true(files > 10);
}

/*
 * The audit log has one writer, audit_write() (schema/0011): no statement
 * of lib/ and no source inserts into audit_log itself. The operations on
 * users, roles, reports and grants (users.c, roles.c, reports.c,
 * grants.c) call it with the actor as $1 to $3 (audit.h), in a CTE named
 * audit that their final SELECT reads: a CTE that only SELECTs is not run
 * unless something reads it, and then no audit row would be written.
 */
static void test_no_statement_inserts_into_audit_log_itself(void **state)
{
	(void)state;
	for (const struct db_stmt *const *t = all_tables; *t != NULL; t++)
		for (const struct db_stmt *st = *t; st->name != NULL; st++)
			if (strstr(st->sql, "INTO audit_log") != NULL ||
			    strstr(st->sql, "into audit_log") != NULL)
				fail_msg("%s inserts into audit_log: call audit_write()", st->name);

	const char *const patterns[] = { "lib/*.c", "cgi-bin/*.c", NULL };
	size_t files = 0;
	for (const char *const *pat = patterns; *pat != NULL; pat++) {
		glob_t g;
		assert_int_equal(glob(*pat, 0, NULL, &g), 0);
		for (size_t i = 0; i < g.gl_pathc; i++, files++) {
			FILE *f = fopen(g.gl_pathv[i], "r");
			char line[4096];
			int lineno = 0;
			assert_non_null(f);
			while (fgets(line, sizeof(line), f) != NULL) {
				lineno++;
				if (strstr(line, "INTO audit_log") != NULL)
					fail_msg("%s:%d inserts into audit_log: call audit_write()",
					         g.gl_pathv[i], lineno);
			}
			fclose(f);
		}
		globfree(&g);
	}
	assert_true(files > 10);
}

static void test_every_statement_that_audits_reads_its_audit_cte(void **state)
{
	(void)state;
	int n = 0;
	for (const struct db_stmt *const *t = all_tables; *t != NULL; t++) {
		for (const struct db_stmt *st = *t; st->name != NULL; st++) {
			if (strstr(st->sql, " audit AS (") == NULL)
				continue;
			n++;
			if (strstr(st->sql, "(SELECT count(*) FROM audit)") == NULL)
				fail_msg("%s: its audit CTE is not read, so it would not run",
				         st->name);
		}
	}
	assert_true(n >= 15);
}

static void test_every_operation_writes_its_audit_row_with_actor_channel_and_address(void **state)
{
	(void)state;
	static const struct db_stmt *const ops[] = { users_stmts,  roles_stmts,     reports_stmts,
		                                     grants_stmts, directory_stmts, reviews_stmts,
		                                     NULL };
	int n = 0;
	for (const struct db_stmt *const *t = ops; *t != NULL; t++) {
		for (const struct db_stmt *s = *t; s->name != NULL; s++) {
			const char *a = strstr(s->sql, "audit_write(");
			if (a == NULL)
				continue; /* a read: users_find, users_list */
			n++;
			for (; a != NULL; a = strstr(a + 1, "audit_write("))
				if (strncmp(a, "audit_write($1::bigint, $2::text, $3::inet,", 43) !=
				    0)
					fail_msg("%s: its audit row does not take the actor as "
					         "$1 to $3",
					         s->name);
		}
	}
	/* users: create, update, set_password, unlock, expire (provision is
	 * schema/0016's user_provision()); roles: create, update, owner add
	 * and remove; reports: create, update, set_owner; grants: four;
	 * directory: map, unmap, the run's summary; reviews: start, decide,
	 * close */
	assert_int_equal(n, 22);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_every_operation_writes_its_audit_row_with_actor_channel_and_address),
		cmocka_unit_test(test_no_statement_inserts_into_audit_log_itself),
		cmocka_unit_test(test_every_statement_that_audits_reads_its_audit_cte),
		cmocka_unit_test(test_every_statement_has_a_name_of_its_own),
		cmocka_unit_test(test_every_statement_declares_the_parameters_its_text_uses),
		cmocka_unit_test(test_is_cut_string_finds_the_strings_clang_format_cut),
		cmocka_unit_test(test_no_source_has_its_sql_cut_into_one_character_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
