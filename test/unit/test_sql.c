/*
 * Unit tests for the SQL of every module, as a whole: every statement of
 * every *_stmts table has a name of its own and as many parameters as its
 * text uses, and no source file has its SQL cut into strings of one or two
 * characters a line (what clang-format made of lib/admin_roles.c before its
 * SQL went into a clang-format off block). Run from the top of the tree.
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
#include "admin_grants.h"
#include "admin_reports.h"
#include "admin_roles.h"
#include "admin_users.h"
#include "catalog.h"
#include "ctl_access.h"
#include "ctl_audit.h"
#include "ctl_import.h"
#include "ctl_reports.h"
#include "ctl_roles.h"
#include "reports.h"
#include "roles.h"
#include "db.h"
#include "session.h"
#include "users.h"

static const struct db_stmt *const all_tables[] = {
	session_stmts,
	catalog_stmts,
	admin_access_stmts,
	admin_audit_stmts,
	admin_grants_stmts,
	admin_reports_stmts,
	admin_roles_stmts,
	admin_users_stmts,
	ctl_role_stmts,
	ctl_report_stmts,
	ctl_access_stmts,
	ctl_audit_stmts,
	ctl_import_stmts,
	users_stmts,
	roles_stmts,
	reports_stmts,
	NULL,
};

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

/* The operations on users, roles and reports (lib/users.c, roles.c,
 * reports.c) write their audit row with the actor as $1 to $3 (audit.h). */
static void test_every_operation_writes_its_audit_row_with_actor_channel_and_address(void **state)
{
	(void)state;
	static const struct db_stmt *const ops[] = { users_stmts, roles_stmts, reports_stmts,
		                                     NULL };
	int n = 0;
	for (const struct db_stmt *const *t = ops; *t != NULL; t++) {
		for (const struct db_stmt *s = *t; s->name != NULL; s++) {
			const char *a = strstr(s->sql, "INSERT INTO audit_log");
			if (a == NULL)
				continue; /* a read: users_find, users_list */
			n++;
			if (strstr(a, "$1::bigint") == NULL ||
			    strstr(a, "'via', $2::text") == NULL || strstr(a, "$3::inet") == NULL)
				fail_msg("%s: its audit row does not take the actor as $1 to $3",
				         s->name);
		}
	}
	assert_int_equal(n, 8); /* 4 of users, 2 of roles, 2 of reports */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_every_operation_writes_its_audit_row_with_actor_channel_and_address),
		cmocka_unit_test(test_every_statement_has_a_name_of_its_own),
		cmocka_unit_test(test_every_statement_declares_the_parameters_its_text_uses),
		cmocka_unit_test(test_is_cut_string_finds_the_strings_clang_format_cut),
		cmocka_unit_test(test_no_source_has_its_sql_cut_into_one_character_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
