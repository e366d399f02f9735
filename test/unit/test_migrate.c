/*
 * Unit tests for the parts of lib/migrate.c that need no database: file
 * names, directory listing, pairing files with recorded rows, error lines.
 * The database side is tested by test/db/run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migrate.h"

struct tmpdir {
	char path[64];
};

static void touch(const char *dir, const char *name)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("SELECT 1;\n", f);
	fclose(f);
}

static int setup_dir(void **state)
{
	struct tmpdir *t = calloc(1, sizeof *t);

	assert_non_null(t);
	snprintf(t->path, sizeof t->path, "/tmp/test_migrate.XXXXXX");
	assert_non_null(mkdtemp(t->path));
	*state = t;
	return 0;
}

static int teardown_dir(void **state)
{
	struct tmpdir *t = *state;
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->path);
	assert_int_equal(system(cmd), 0);
	free(t);
	return 0;
}

static int parse(const char *filename, int *version, char *name)
{
	return migrate_parse_name(filename, version, name, MIGRATE_NAME_MAX + 1);
}

static void test_parse_name_reads_version_and_name(void **state)
{
	char name[MIGRATE_NAME_MAX + 1];
	int v = 0;

	(void)state;
	assert_int_equal(parse("0002_tables.sql", &v, name), 1);
	assert_int_equal(v, 2);
	assert_string_equal(name, "tables");
	assert_int_equal(parse("9999_add-report_owner2.sql", &v, name), 1);
	assert_int_equal(v, 9999);
	assert_string_equal(name, "add-report_owner2");
}

static void test_parse_name_ignores_files_not_starting_with_a_digit(void **state)
{
	char name[MIGRATE_NAME_MAX + 1];
	int v = 0;

	(void)state;
	assert_int_equal(parse("roles.sql", &v, name), 0);
	assert_int_equal(parse("README.md", &v, name), 0);
	assert_int_equal(parse("seed", &v, name), 0);
	assert_int_equal(parse("_0001_x.sql", &v, name), 0);
}

static void test_parse_name_rejects_malformed_migration_names(void **state)
{
	static const char *const bad[] = {
		"001_x.sql",     /* three digits */
		"00001_x.sql",   /* five digits */
		"0001-x.sql",    /* hyphen after the version */
		"0001x.sql",     /* no separator */
		"0000_x.sql",    /* version 0 */
		"0001_.sql",     /* empty name */
		"0001_x.sql~",   /* editor backup */
		"0001_x.SQL",    /* wrong case of the suffix */
		"0001_x",        /* no suffix */
		"0001_a b.sql",  /* space */
		"0001_é.sql",    /* non-ASCII */
		"0001_x.sql.sql" /* a dot in the name */
	};
	char name[MIGRATE_NAME_MAX + 1];
	int v;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = -7;
		if (parse(bad[i], &v, name) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(v, -7);
	}
}

static void test_parse_name_rejects_name_longer_than_the_limit(void **state)
{
	char stem[MIGRATE_NAME_MAX + 2];
	char file[MIGRATE_NAME_MAX + 32];
	char name[MIGRATE_NAME_MAX + 1];
	int v;

	(void)state;
	memset(stem, 'a', sizeof stem);
	stem[MIGRATE_NAME_MAX] = '\0';
	snprintf(file, sizeof file, "0001_%s.sql", stem);
	assert_int_equal(parse(file, &v, name), 1);
	assert_int_equal(strlen(name), MIGRATE_NAME_MAX);
	stem[MIGRATE_NAME_MAX] = 'a';
	stem[MIGRATE_NAME_MAX + 1] = '\0';
	snprintf(file, sizeof file, "0001_%s.sql", stem);
	assert_int_equal(parse(file, &v, name), -1);
}

static void test_parse_name_rejects_name_that_does_not_fit_the_buffer(void **state)
{
	char name[4];
	int v;

	(void)state;
	assert_int_equal(migrate_parse_name("0001_abc.sql", &v, name, sizeof name), 1);
	assert_int_equal(migrate_parse_name("0001_abcd.sql", &v, name, sizeof name), -1);
}

static void test_list_orders_by_version_and_skips_other_files(void **state)
{
	struct tmpdir *t = *state;
	struct migrate_file *files;
	char sub[128], err[512];
	size_t n;

	touch(t->path, "0010_c.sql");
	touch(t->path, "0002_b.sql");
	touch(t->path, "0001_a.sql");
	touch(t->path, "roles.sql");
	touch(t->path, "README.md");
	touch(t->path, ".0003_swap.sql.swp");
	snprintf(sub, sizeof sub, "%s/seed", t->path);
	assert_int_equal(mkdir(sub, 0700), 0);

	assert_int_equal(migrate_list(t->path, &files, &n, err, sizeof err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(files[0].version, 1);
	assert_string_equal(files[0].file, "0001_a.sql");
	assert_string_equal(files[0].name, "a");
	assert_int_equal(files[1].version, 2);
	assert_int_equal(files[2].version, 10);
	assert_string_equal(files[2].file, "0010_c.sql");
	snprintf(sub, sizeof sub, "%s/0010_c.sql", t->path);
	assert_string_equal(files[2].path, sub);
	assert_string_equal(files[2].checksum, "");
	free(files);
}

static void test_list_rejects_two_files_with_one_version_naming_both(void **state)
{
	struct tmpdir *t = *state;
	struct migrate_file *files = (void *)1;
	char err[512];
	size_t n = 9;

	touch(t->path, "0001_a.sql");
	touch(t->path, "0002_b.sql");
	touch(t->path, "0002_c.sql");
	assert_int_equal(migrate_list(t->path, &files, &n, err, sizeof err), -1);
	assert_null(files);
	assert_int_equal(n, 0);
	assert_non_null(strstr(err, "0002_b.sql"));
	assert_non_null(strstr(err, "0002_c.sql"));
	assert_non_null(strstr(err, "version 0002"));
}

static void test_list_rejects_malformed_name_naming_the_file(void **state)
{
	struct tmpdir *t = *state;
	struct migrate_file *files;
	char err[512];
	size_t n;

	touch(t->path, "0001_a.sql");
	touch(t->path, "002_b.sql");
	assert_int_equal(migrate_list(t->path, &files, &n, err, sizeof err), -1);
	assert_null(files);
	assert_non_null(strstr(err, "/002_b.sql"));
	assert_non_null(strstr(err, "not a valid migration name"));
}

static void test_list_rejects_directory_with_a_migration_name(void **state)
{
	struct tmpdir *t = *state;
	struct migrate_file *files;
	char sub[128], err[512];
	size_t n;

	snprintf(sub, sizeof sub, "%s/0001_a.sql", t->path);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(migrate_list(t->path, &files, &n, err, sizeof err), -1);
	assert_non_null(strstr(err, "0001_a.sql: not a regular file"));
}

static void test_list_of_empty_directory_is_empty(void **state)
{
	struct tmpdir *t = *state;
	struct migrate_file *files = (void *)1;
	char err[512];
	size_t n = 9;

	assert_int_equal(migrate_list(t->path, &files, &n, err, sizeof err), 0);
	assert_int_equal(n, 0);
	assert_null(files);
}

static void test_list_of_missing_directory_names_it(void **state)
{
	struct migrate_file *files;
	char err[512];
	size_t n;

	(void)state;
	assert_int_equal(migrate_list("/nonexistent/schema", &files, &n, err, sizeof err), -1);
	assert_non_null(strstr(err, "\"/nonexistent/schema\""));
	assert_non_null(strstr(err, "No such file"));
}

static void set_file(struct migrate_file *f, int version, const char *checksum)
{
	memset(f, 0, sizeof *f);
	f->version = version;
	snprintf(f->name, sizeof f->name, "m%d", version);
	snprintf(f->file, sizeof f->file, "%04d_m%d.sql", version, version);
	snprintf(f->checksum, sizeof f->checksum, "%s", checksum);
}

static void set_applied(struct migrate_applied *a, int version, const char *checksum)
{
	memset(a, 0, sizeof *a);
	a->version = version;
	snprintf(a->name, sizeof a->name, "m%d", version);
	snprintf(a->checksum, sizeof a->checksum, "%s", checksum);
}

static void test_merge_pairs_files_with_recorded_rows_by_version(void **state)
{
	struct migrate_file f[4];
	struct migrate_applied a[3];
	struct migrate_row rows[7];
	size_t n;

	(void)state;
	set_file(&f[0], 1, "aaaa");
	set_file(&f[1], 2, "bbbb");
	set_file(&f[2], 4, "dddd");
	set_file(&f[3], 5, "eeee");
	set_applied(&a[0], 1, "aaaa"); /* unchanged */
	set_applied(&a[1], 2, "b000"); /* edited since */
	set_applied(&a[2], 3, "cccc"); /* file gone */

	n = migrate_merge(f, 4, a, 3, rows);
	assert_int_equal(n, 5);
	assert_int_equal(rows[0].version, 1);
	assert_int_equal(rows[0].state, MIGRATE_APPLIED);
	assert_ptr_equal(rows[0].file, &f[0]);
	assert_ptr_equal(rows[0].applied, &a[0]);
	assert_int_equal(rows[1].state, MIGRATE_EDITED);
	assert_int_equal(rows[2].version, 3);
	assert_int_equal(rows[2].state, MIGRATE_MISSING);
	assert_null(rows[2].file);
	assert_int_equal(rows[3].version, 4);
	assert_int_equal(rows[3].state, MIGRATE_PENDING);
	assert_null(rows[3].applied);
	assert_int_equal(rows[4].version, 5);
	assert_int_equal(rows[4].state, MIGRATE_PENDING);
}

static void test_merge_of_fresh_database_makes_everything_pending(void **state)
{
	struct migrate_file f[2];
	struct migrate_row rows[2];

	(void)state;
	set_file(&f[0], 1, "aaaa");
	set_file(&f[1], 2, "bbbb");
	assert_int_equal(migrate_merge(f, 2, NULL, 0, rows), 2);
	assert_int_equal(rows[0].state, MIGRATE_PENDING);
	assert_int_equal(rows[1].state, MIGRATE_PENDING);
	assert_int_equal(migrate_merge(NULL, 0, NULL, 0, rows), 0);
}

static void test_line_of_counts_newlines_before_the_position(void **state)
{
	static const char sql[] = "SELECT 1;\n\nCREAT TABLE x;\n";

	(void)state;
	assert_int_equal(migrate_line_of(sql, strlen(sql), 1), 1);
	assert_int_equal(migrate_line_of(sql, strlen(sql), 10), 1); /* the first '\n' */
	assert_int_equal(migrate_line_of(sql, strlen(sql), 11), 2);
	assert_int_equal(migrate_line_of(sql, strlen(sql), 12), 3); /* "CREAT" */
}

static void test_line_of_counts_utf8_characters_not_bytes(void **state)
{
	/* "é" is two bytes but one character in PostgreSQL's position. */
	static const char sql[] = "-- é\nX";

	(void)state;
	assert_int_equal(migrate_line_of(sql, strlen(sql), 5), 1); /* the '\n' */
	assert_int_equal(migrate_line_of(sql, strlen(sql), 6), 2); /* "X" */
}

static void test_line_of_position_past_the_end_gives_the_last_line(void **state)
{
	static const char sql[] = "a\nb\nc";

	(void)state;
	assert_int_equal(migrate_line_of(sql, strlen(sql), 1000), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_name_reads_version_and_name),
		cmocka_unit_test(test_parse_name_ignores_files_not_starting_with_a_digit),
		cmocka_unit_test(test_parse_name_rejects_malformed_migration_names),
		cmocka_unit_test(test_parse_name_rejects_name_longer_than_the_limit),
		cmocka_unit_test(test_parse_name_rejects_name_that_does_not_fit_the_buffer),
		cmocka_unit_test_setup_teardown(test_list_orders_by_version_and_skips_other_files,
		                                setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_list_rejects_two_files_with_one_version_naming_both, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(test_list_rejects_malformed_name_naming_the_file,
		                                setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_list_rejects_directory_with_a_migration_name,
		                                setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_list_of_empty_directory_is_empty, setup_dir,
		                                teardown_dir),
		cmocka_unit_test(test_list_of_missing_directory_names_it),
		cmocka_unit_test(test_merge_pairs_files_with_recorded_rows_by_version),
		cmocka_unit_test(test_merge_of_fresh_database_makes_everything_pending),
		cmocka_unit_test(test_line_of_counts_newlines_before_the_position),
		cmocka_unit_test(test_line_of_counts_utf8_characters_not_bytes),
		cmocka_unit_test(test_line_of_position_past_the_end_gives_the_last_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
