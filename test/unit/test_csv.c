/*
 * Unit tests for lib/csv.c: RFC 4180 quoting, line ends, NULL versus empty
 * cells, and the apostrophe that keeps spreadsheets from running formulas.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "buf.h"
#include "csv.h"

/* Writes cells (NULL-terminated list, with the marker NUL_CELL for a SQL
 * NULL) as one line and compares the result with expected. */
static const char NUL_CELL[] = "<null>";

static void line_is(const char *expected, const char *const *cells)
{
	struct buf b = { 0 };
	struct csv w;
	csv_init(&w, &b);
	for (const char *const *c = cells; *c; c++)
		csv_cell(&w, *c == NUL_CELL ? NULL : *c);
	csv_end_row(&w);
	assert_string_equal(buf_str(&b), expected);
	buf_free(&b);
}

static void test_csv_writes_plain_cells_unquoted_with_crlf(void **state)
{
	(void)state;
	const char *cells[] = { "anna", "Financiën", "42", NULL };
	line_is("anna,Financiën,42\r\n", cells);
}

static void test_csv_quotes_a_cell_with_a_comma(void **state)
{
	(void)state;
	const char *cells[] = { "Omzet, per maand", "x", NULL };
	line_is("\"Omzet, per maand\",x\r\n", cells);
}

static void test_csv_doubles_quotes_inside_a_quoted_cell(void **state)
{
	(void)state;
	const char *cells[] = { "De \"beste\" cijfers", "\"", NULL };
	line_is("\"De \"\"beste\"\" cijfers\",\"\"\"\"\r\n", cells);
}

static void test_csv_quotes_cells_with_line_breaks_and_keeps_them(void **state)
{
	(void)state;
	const char *cells[] = { "regel 1\nregel 2", "a\r\nb", NULL };
	line_is("\"regel 1\nregel 2\",\"a\r\nb\"\r\n", cells);
}

static void test_csv_tells_null_from_empty(void **state)
{
	(void)state;
	const char *cells[] = { NUL_CELL, "", NUL_CELL, NULL };
	line_is(",\"\",\r\n", cells);
}

static void test_csv_prefixes_each_formula_lead_with_an_apostrophe(void **state)
{
	(void)state;
	const char *cells[] = { "=1+1", "+31 20", "-5", "@SUM(A1)", "\tx", NULL };
	line_is("'=1+1,'+31 20,'-5,'@SUM(A1),'\tx\r\n", cells);
}

static void test_csv_puts_the_apostrophe_inside_the_quotes(void **state)
{
	(void)state;
	/* The apostrophe must follow the opening quote: before it, the quote
	 * would no longer open a quoted field. */
	const char *cells[] = { "=HYPERLINK(\"http://x\",\"a, b\")", "\rx", NULL };
	line_is("\"'=HYPERLINK(\"\"http://x\"\",\"\"a, b\"\")\",\"'\rx\"\r\n", cells);
}

static void test_csv_leaves_formula_characters_alone_after_the_first(void **state)
{
	(void)state;
	const char *cells[] = { "a=b", " =1", "x-y@z", NULL };
	line_is("a=b, =1,x-y@z\r\n", cells);
}

static void test_csv_starts_each_line_without_a_separator(void **state)
{
	(void)state;
	struct buf b = { 0 };
	struct csv w;
	csv_init(&w, &b);
	csv_cell(&w, "a");
	csv_cell(&w, "b");
	csv_end_row(&w);
	csv_cell(&w, "c");
	csv_end_row(&w);
	csv_cell(&w, NULL);
	csv_end_row(&w);
	assert_string_equal(buf_str(&b), "a,b\r\nc\r\n\r\n");
	buf_free(&b);
}

static void test_csv_cell_n_writes_only_len_bytes(void **state)
{
	(void)state;
	struct buf b = { 0 };
	struct csv w;
	csv_init(&w, &b);
	csv_cell_n(&w, "abc,def", 3);
	csv_cell_n(&w, "x\"yz", 2);
	csv_cell_n(&w, NULL, 5);
	assert_string_equal(buf_str(&b), "abc,\"x\"\"\",");
	buf_free(&b);
}

static void test_csv_appends_to_what_the_buffer_holds(void **state)
{
	(void)state;
	struct buf b = { 0 };
	buf_puts(&b, CSV_UTF8_BOM);
	struct csv w;
	csv_init(&w, &b);
	csv_cell(&w, "username");
	csv_end_row(&w);
	assert_int_equal(b.len, 3 + 10);
	assert_memory_equal(b.data, "\xEF\xBB\xBFusername\r\n", 13);
	buf_free(&b);
}

static void test_csv_formula_lead_knows_exactly_six_characters(void **state)
{
	(void)state;
	int n = 0;
	for (int c = 1; c < 256; c++)
		n += csv_formula_lead((char)c);
	assert_int_equal(n, 6);
	assert_true(csv_formula_lead('='));
	assert_true(csv_formula_lead('\r'));
	assert_false(csv_formula_lead('\n'));
	assert_false(csv_formula_lead('\''));
}

/* ---- reading ---- */

static void test_reader_reads_quoted_fields_with_commas_quotes_and_line_breaks(void **state)
{
	(void)state;
	static const char in[] = "a,\"b,\"\"c\"\"\",\"d\ne\"\r\nlast\n";
	struct csv_reader r;
	struct arena ar = ARENA_INIT;
	const char *f[4];
	int n;
	long start;
	char err[128];
	csv_reader_init(&r, in, sizeof in - 1);
	assert_int_equal(csv_read_record(&r, &ar, f, 4, &n, &start, err, sizeof err), 1);
	assert_int_equal(n, 3);
	assert_int_equal(start, 1);
	assert_string_equal(f[0], "a");
	assert_string_equal(f[1], "b,\"c\"");
	assert_string_equal(f[2], "d\ne");
	assert_int_equal(csv_read_record(&r, &ar, f, 4, &n, &start, err, sizeof err), 1);
	assert_int_equal(start, 3); /* the line break inside the quotes counted */
	assert_int_equal(n, 1);
	assert_string_equal(f[0], "last");
	assert_int_equal(csv_read_record(&r, &ar, f, 4, &n, &start, err, sizeof err), 0);
	arena_free(&ar);
}

static void test_reader_refuses_a_nul_byte_and_goes_on_at_the_next_line(void **state)
{
	(void)state;
	static const char in[] = "dirk\0x,evil\nok,1\n";
	struct csv_reader r;
	struct arena ar = ARENA_INIT;
	const char *f[4];
	int n;
	long start;
	char err[128];
	csv_reader_init(&r, in, sizeof in - 1);
	assert_int_equal(csv_read_record(&r, &ar, f, 4, &n, &start, err, sizeof err), -1);
	assert_string_equal(err, "field 1 holds a NUL byte");
	assert_int_equal(start, 1);
	assert_int_equal(csv_read_record(&r, &ar, f, 4, &n, &start, err, sizeof err), 1);
	assert_int_equal(start, 2);
	assert_string_equal(f[0], "ok");
	arena_free(&ar);
}

static void test_reader_names_an_unclosed_quote_by_its_line(void **state)
{
	(void)state;
	static const char in[] = "a\n\"open,b\nc\n";
	struct csv_reader r;
	struct arena ar = ARENA_INIT;
	const char *f[4];
	int n;
	long start;
	char err[128];
	csv_reader_init(&r, in, sizeof in - 1);
	assert_int_equal(csv_read_record(&r, &ar, f, 4, &n, &start, err, sizeof err), 1);
	assert_int_equal(csv_read_record(&r, &ar, f, 4, &n, &start, err, sizeof err), -1);
	assert_string_equal(err, "quoted field opened on line 2 is not closed");
	arena_free(&ar);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_writes_plain_cells_unquoted_with_crlf),
		cmocka_unit_test(test_csv_quotes_a_cell_with_a_comma),
		cmocka_unit_test(test_csv_doubles_quotes_inside_a_quoted_cell),
		cmocka_unit_test(test_csv_quotes_cells_with_line_breaks_and_keeps_them),
		cmocka_unit_test(test_csv_tells_null_from_empty),
		cmocka_unit_test(test_csv_prefixes_each_formula_lead_with_an_apostrophe),
		cmocka_unit_test(test_csv_puts_the_apostrophe_inside_the_quotes),
		cmocka_unit_test(test_csv_leaves_formula_characters_alone_after_the_first),
		cmocka_unit_test(test_csv_starts_each_line_without_a_separator),
		cmocka_unit_test(test_csv_cell_n_writes_only_len_bytes),
		cmocka_unit_test(test_csv_appends_to_what_the_buffer_holds),
		cmocka_unit_test(test_csv_formula_lead_knows_exactly_six_characters),
		cmocka_unit_test(
		    test_reader_reads_quoted_fields_with_commas_quotes_and_line_breaks),
		cmocka_unit_test(test_reader_refuses_a_nul_byte_and_goes_on_at_the_next_line),
		cmocka_unit_test(test_reader_names_an_unclosed_quote_by_its_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
