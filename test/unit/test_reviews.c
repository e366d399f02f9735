/*
 * Unit tests of lib/reviews.c, lib/admin_reviews.c and lib/ctl_reviews.c that need no database:
 * the statements by the names and parameters the front ends call, with
 * the rules they must hold (who may decide, start and close; audited), the
 * CSV's header, and portalctl's checks of its values before it connects.
 * What the statements do is test/reviews/run's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "admin_reviews.h"
#include "ctl_reviews.h"
#include "reviews.h"

/* The statement name of the operations' table or the admin pages'. */
static const struct db_stmt *find(const char *name)
{
	const struct db_stmt *const tables[] = { reviews_stmts, admin_reviews_stmts };
	for (size_t k = 0; k < 2; k++)
		for (const struct db_stmt *t = tables[k]; t->name != NULL; t++)
			if (strcmp(t->name, name) == 0)
				return t;
	return NULL;
}

static void test_the_statements_are_there_by_name(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		int n;
	} want[] = {
		{ "reviews_lock", 0 },       { "reviews_start", 6 },
		{ "reviews_decide", 8 },     { "reviews_close", 4 },
		{ "reviews_removals", 1 },   { "reviews_due", 0 },
		{ "admin_reviews_list", 3 }, { "admin_review_page", 5 },
		{ "admin_review_check", 3 },
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const struct db_stmt *s = find(want[i].name);
		assert_non_null(s);
		assert_int_equal(s->nparams, want[i].n);
	}
}

static void test_each_change_holds_its_rule_and_is_audited(void **state)
{
	(void)state;
	/* an owner decides only for the roles they may keep */
	assert_non_null(
	    strstr(find("reviews_decide")->sql, "role_may_keep($1::bigint, i.role_id)"));
	assert_non_null(strstr(find("reviews_decide")->sql, "'review.decided'"));
	/* only the console or an active superuser starts and closes */
	assert_non_null(strstr(find("reviews_start")->sql, "u.is_active AND u.is_superuser"));
	assert_non_null(strstr(find("reviews_close")->sql, "u.is_active AND u.is_superuser"));
	assert_non_null(strstr(find("reviews_start")->sql, "'review.started'"));
	assert_non_null(strstr(find("reviews_close")->sql, "'review.closed'"));
	/* a review's items are the memberships that count now or later */
	assert_non_null(
	    strstr(find("reviews_start")->sql, "ur.valid_until IS NULL OR ur.valid_until > now()"));
	/* the CSV shows an owner only the roles they may keep */
	assert_non_null(strstr(reviews_export_sql, "role_may_keep($2::bigint, i.role_id)"));
}

static void test_the_csv_header_names_every_column(void **state)
{
	(void)state;
	size_t n = 0;
	while (reviews_export_header[n] != NULL)
		n++;
	assert_int_equal(n, 16);
	assert_string_equal(reviews_export_header[0], "review_id");
	assert_string_equal(reviews_export_header[7], "decision");
	assert_string_equal(reviews_export_header[11], "outcome");
}

/* review start with a NULL database: its checks must answer before it connects. */
static int start(const char *role, int all, const char *due, const char *rule, char *err,
                 size_t len)
{
	FILE *out = fopen("/dev/null", "w"), *e = fmemopen(err, len, "w");
	int rc = ctl_review_start(NULL, role, all, due, rule, out, e);
	fclose(out);
	fclose(e);
	return rc;
}

static void test_portalctl_checks_its_values_before_it_connects(void **state)
{
	(void)state;
	char err[512];
	assert_int_equal(start(NULL, 0, "2027-03-31", "keep", err, sizeof err), 2);
	assert_non_null(strstr(err, "--role ROLE or --all"));
	assert_int_equal(start("Financiën", 1, "2027-03-31", "keep", err, sizeof err), 2);
	assert_int_equal(start("Financiën", 0, "31-03-2027", "keep", err, sizeof err), 1);
	assert_non_null(strstr(err, "invalid --due \"31-03-2027\""));
	assert_int_equal(start("Financiën", 0, NULL, "keep", err, sizeof err), 1);
	assert_int_equal(start("Financiën", 0, "2027-03-31T17:00+01:00", "maybe", err, sizeof err),
	                 1);
	assert_non_null(strstr(err, "expected keep or remove"));

	FILE *out = fopen("/dev/null", "w"), *e = fmemopen(err, sizeof err, "w");
	assert_int_equal(ctl_review_decide(NULL, "x1", "r", "u", "keep", NULL, out, e), 1);
	fflush(e);
	assert_non_null(strstr(err, "invalid review id \"x1\""));
	rewind(e);
	memset(err, 0, sizeof err);
	assert_int_equal(ctl_review_decide(NULL, "1", "r", "u", "later", NULL, out, e), 1);
	fflush(e);
	assert_non_null(strstr(err, "invalid decision \"later\""));
	rewind(e);
	memset(err, 0, sizeof err);
	assert_int_equal(ctl_review_decide(NULL, "1", "r", "u", "keep", "a\x1b[2J", out, e), 1);
	fflush(e);
	assert_non_null(strstr(err, "invalid --note"));
	rewind(e);
	memset(err, 0, sizeof err);
	assert_int_equal(ctl_review_close(NULL, "0", out, e), 1);
	assert_int_equal(ctl_review_show(NULL, "-3", 0, out, e), 1);
	fclose(out);
	fclose(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_statements_are_there_by_name),
		cmocka_unit_test(test_each_change_holds_its_rule_and_is_audited),
		cmocka_unit_test(test_the_csv_header_names_every_column),
		cmocka_unit_test(test_portalctl_checks_its_values_before_it_connects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
