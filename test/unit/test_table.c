/*
 * Unit tests of lib/table.c: aligned text tables of query results, built on
 * hand-made PGresults (no database).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "table.h"

static PGresult *make_result(int nrows, const char *const *names, const char *const *cells,
                             int ncols)
{
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc attrs[4];

	memset(attrs, 0, sizeof attrs);
	for (int c = 0; c < ncols; c++) {
		attrs[c].name = (char *)names[c];
		attrs[c].typid = 25;
		attrs[c].typlen = -1;
	}
	assert_int_equal(PQsetResultAttrs(res, ncols, attrs), 1);
	for (int r = 0; r < nrows; r++) {
		for (int c = 0; c < ncols; c++) {
			const char *v = cells[r * ncols + c];

			assert_int_equal(PQsetvalue(res, r, c, (char *)v, (int)strlen(v)), 1);
		}
	}
	return res;
}

static char *print_to_string(const PGresult *res, const char *one, const char *many)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(table_print(f, res, one, many), 0);
	fclose(f);
	return text;
}

static void test_table_aligns_by_characters_not_bytes(void **state)
{
	const char *names[] = { "name", "active" };
	const char *cells[] = { "Financiën", "yes", "HR", "no" };
	PGresult *res = make_result(2, names, cells, 2);
	char *text = print_to_string(res, "role", "roles");

	(void)state;
	assert_string_equal(text, "name       active\n"
	                          "---------  ------\n"
	                          "Financiën  yes\n"
	                          "HR         no\n"
	                          "(2 roles)\n");
	free(text);
	PQclear(res);
}

static void test_table_shows_control_characters_as_question_marks(void **state)
{
	const char *names[] = { "title" };
	const char *cells[] = { "a\x1b[2Jb" };
	PGresult *res = make_result(1, names, cells, 1);
	char *text = print_to_string(res, "report", "reports");

	(void)state;
	assert_non_null(strstr(text, "a?[2Jb\n"));
	assert_null(strchr(text, '\x1b'));
	assert_non_null(strstr(text, "(1 report)\n"));
	free(text);
	PQclear(res);
}

static void test_table_of_no_columns_still_counts(void **state)
{
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	char *text = print_to_string(res, "user", "users");

	(void)state;
	assert_string_equal(text, "(0 users)\n");
	free(text);
	PQclear(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_aligns_by_characters_not_bytes),
		cmocka_unit_test(test_table_shows_control_characters_as_question_marks),
		cmocka_unit_test(test_table_of_no_columns_still_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
