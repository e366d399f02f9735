/*
 * Unit tests for lib/directory.c: the decisions of the directory sync that
 * touch no database or directory: how a group's DN is compared, which
 * roles a user's groups give, what the sync gives and takes (never a role
 * given by hand), and the deactivation limit. What the statements do to
 * rows is test/ldap's; that they are well formed, test_sql's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "directory.h"

static const char *key(const char *dn)
{
	static char out[DIRECTORY_DN_MAX + 1];

	if (directory_dn_key(dn, out, sizeof out) != 0)
		return NULL;
	return out;
}

static void test_dn_key_ignores_capitals_and_blanks_around_separators(void **state)
{
	(void)state;
	assert_string_equal(key("CN=Finance, OU=Groups,DC=ced,DC=example"),
	                    "cn=finance,ou=groups,dc=ced,dc=example");
	assert_string_equal(key("cn = finance ,ou=groups ,  dc=ced,dc=example"),
	                    "cn=finance,ou=groups,dc=ced,dc=example");
	assert_string_equal(key("cn=finance,ou=groups,dc=ced,dc=example"),
	                    "cn=finance,ou=groups,dc=ced,dc=example");
}

static void test_dn_key_keeps_blanks_inside_a_value(void **state)
{
	(void)state;
	assert_string_equal(key("CN=Team  A ,OU=Groups"), "cn=team  a,ou=groups");
}

static void test_dn_key_keeps_escapes_and_multivalued_rdns(void **state)
{
	(void)state;
	assert_string_equal(key("CN=Smith\\, John,OU=People"), "cn=smith\\, john,ou=people");
	assert_string_equal(key("CN=A\\2CB,OU=x"), "cn=a\\2cb,ou=x");
	assert_string_equal(key("cn=a + uid=b,dc=x"), "cn=a+uid=b,dc=x");
	assert_string_equal(key("cn=a;dc=x"), "cn=a,dc=x");
	assert_string_equal(key("CN=Financiën,DC=x"), "cn=financiën,dc=x");
}

static void test_dn_key_refuses_what_is_no_dn(void **state)
{
	(void)state;
	char out[64];

	assert_null(key(""));
	assert_null(key("finance"));
	assert_null(key("=x,dc=y"));
	assert_null(key("cn=x,,dc=y"));
	assert_null(key("cn=x,dc"));
	assert_null(key("c n=x"));
	assert_null(key("cn=x\\"));
	assert_null(key("cn=x\ndc=y"));
	assert_null(key("cn=\xff"));
	/* Too long for out: refused, and out left empty. */
	assert_int_equal(directory_dn_key("cn=a-rather-long-name,dc=example", out, 8), -1);
	assert_string_equal(out, "");
}

static void test_dn_key_refuses_more_than_the_schema_holds(void **state)
{
	(void)state;
	char dn[DIRECTORY_DN_MAX + 8];

	memset(dn, 'a', sizeof dn);
	memcpy(dn, "cn=", 3);
	dn[DIRECTORY_DN_MAX] = '\0';
	assert_non_null(key(dn));
	dn[DIRECTORY_DN_MAX] = 'a';
	dn[DIRECTORY_DN_MAX + 1] = '\0';
	assert_null(key(dn));
}

static const struct directory_mapping maps[] = {
	{ "cn=fin,dc=x", 10 },
	{ "cn=fin-all,dc=x", 10 }, /* a second group for the same role */
	{ "cn=hr,dc=x", 20 },
	{ "cn=it,dc=x", 30 },
};

static void test_wanted_roles_come_from_the_mapped_groups_each_once(void **state)
{
	(void)state;
	const char *groups[] = { "cn=hr,dc=x", "cn=fin-all,dc=x", "cn=fin,dc=x", "cn=other,dc=x" };
	long long out[4];
	size_t n = directory_wanted_roles(groups, 4, maps, 4, out);

	assert_int_equal(n, 2);
	assert_int_equal(out[0], 10);
	assert_int_equal(out[1], 20);
}

static void test_wanted_roles_of_no_group_or_no_mapping_are_none(void **state)
{
	(void)state;
	const char *groups[] = { "cn=fin,dc=x" };
	long long out[4];

	assert_int_equal(directory_wanted_roles(NULL, 0, maps, 4, out), 0);
	assert_int_equal(directory_wanted_roles(groups, 1, maps, 0, out), 0);
}

static void test_diff_gives_what_is_missing_and_takes_its_own_unwanted(void **state)
{
	(void)state;
	const long long wanted[] = { 10, 20 };
	const struct directory_held held[] = { { 20, 1 }, { 30, 1 } };
	long long give[2], take[2];
	size_t ngive, ntake;

	directory_role_diff(wanted, 2, held, 2, give, &ngive, take, &ntake);
	assert_int_equal(ngive, 1);
	assert_int_equal(give[0], 10);
	assert_int_equal(ntake, 1);
	assert_int_equal(take[0], 30);
}

static void test_diff_never_takes_a_role_given_by_hand(void **state)
{
	(void)state;
	const struct directory_held held[] = { { 10, 0 }, { 30, 0 } };
	long long give[1], take[2];
	size_t ngive, ntake;

	directory_role_diff(NULL, 0, held, 2, give, &ngive, take, &ntake);
	assert_int_equal(ngive, 0);
	assert_int_equal(ntake, 0);
}

static void test_diff_does_not_give_again_a_role_held_by_hand(void **state)
{
	(void)state;
	const long long wanted[] = { 10 };
	const struct directory_held held[] = { { 10, 0 } };
	long long give[1], take[1];
	size_t ngive, ntake;

	directory_role_diff(wanted, 1, held, 1, give, &ngive, take, &ntake);
	assert_int_equal(ngive, 0);
	assert_int_equal(ntake, 0);
}

static void test_diff_of_a_user_in_step_changes_nothing(void **state)
{
	(void)state;
	const long long wanted[] = { 10, 20 };
	const struct directory_held held[] = { { 10, 1 }, { 20, 1 }, { 40, 0 } };
	long long give[2], take[3];
	size_t ngive, ntake;

	directory_role_diff(wanted, 2, held, 3, give, &ngive, take, &ntake);
	assert_int_equal(ngive, 0);
	assert_int_equal(ntake, 0);
}

static void test_limit_refuses_only_past_both_the_count_and_the_share(void **state)
{
	(void)state;
	/* defaults: 5 users, 10 % */
	assert_false(directory_limit_exceeded(0, 0, 5, 10));
	assert_false(directory_limit_exceeded(5, 8, 5, 10));      /* a few of a small directory */
	assert_true(directory_limit_exceeded(6, 8, 5, 10));       /* more than 5 and than 10 % */
	assert_false(directory_limit_exceeded(50, 1000, 5, 10));  /* 5 %: a share is fine */
	assert_false(directory_limit_exceeded(100, 1000, 5, 10)); /* exactly 10 % */
	assert_true(directory_limit_exceeded(101, 1000, 5, 10));
	assert_true(directory_limit_exceeded(6, 0, 5, 10)); /* nobody known active: any share */
}

static void test_limit_of_zero_refuses_any_deactivation(void **state)
{
	(void)state;
	assert_true(directory_limit_exceeded(1, 1000, 0, 0));
	assert_false(directory_limit_exceeded(0, 1000, 0, 0));
	assert_false(directory_limit_exceeded(1000, 1000, 1000000, 100));
}

static void test_limit_does_not_overflow(void **state)
{
	(void)state;
	assert_false(directory_limit_exceeded(2000000000L, 2000000000L, 5, 100));
	assert_true(directory_limit_exceeded(2000000000L, 2000000000L, 5, 99));
}

static void test_groups_split_reads_one_key_a_line(void **state)
{
	(void)state;
	char text[] = "cn=fin,dc=x\n\ncn=hr,dc=x\ncn=it,dc=x";
	char empty[] = "";
	const char *keys[4];

	assert_int_equal(directory_groups_split(text, keys, 4), 3);
	assert_string_equal(keys[0], "cn=fin,dc=x");
	assert_string_equal(keys[1], "cn=hr,dc=x");
	assert_string_equal(keys[2], "cn=it,dc=x");
	assert_int_equal(directory_groups_split(empty, keys, 4), 0);
}

static void test_groups_split_stops_at_max(void **state)
{
	(void)state;
	char text[] = "a=1\nb=2\nc=3\n";
	const char *keys[2];

	assert_int_equal(directory_groups_split(text, keys, 2), 2);
	assert_string_equal(keys[1], "b=2");
}

static void test_statements_are_there_by_name(void **state)
{
	(void)state;
	const char *const names[] = { "directory_map",        "directory_unmap",
		                      "directory_group_list", "directory_mappings",
		                      "directory_known",      "directory_seen",
		                      "directory_role_owned", "directory_gone",
		                      "directory_user_roles", "directory_own",
		                      "directory_summary",    "directory_lock",
		                      "directory_unlock" };
	size_t n = 0;

	for (const struct db_stmt *s = directory_stmts; s->name != NULL; s++, n++) {
		assert_true(n < sizeof names / sizeof names[0]);
		assert_string_equal(s->name, names[n]);
	}
	assert_int_equal(n, sizeof names / sizeof names[0]);
	assert_string_equal(audit_directory.via, "directory");
	assert_null(audit_directory.id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dn_key_ignores_capitals_and_blanks_around_separators),
		cmocka_unit_test(test_dn_key_keeps_blanks_inside_a_value),
		cmocka_unit_test(test_dn_key_keeps_escapes_and_multivalued_rdns),
		cmocka_unit_test(test_dn_key_refuses_what_is_no_dn),
		cmocka_unit_test(test_dn_key_refuses_more_than_the_schema_holds),
		cmocka_unit_test(test_wanted_roles_come_from_the_mapped_groups_each_once),
		cmocka_unit_test(test_wanted_roles_of_no_group_or_no_mapping_are_none),
		cmocka_unit_test(test_diff_gives_what_is_missing_and_takes_its_own_unwanted),
		cmocka_unit_test(test_diff_never_takes_a_role_given_by_hand),
		cmocka_unit_test(test_diff_does_not_give_again_a_role_held_by_hand),
		cmocka_unit_test(test_diff_of_a_user_in_step_changes_nothing),
		cmocka_unit_test(test_limit_refuses_only_past_both_the_count_and_the_share),
		cmocka_unit_test(test_limit_of_zero_refuses_any_deactivation),
		cmocka_unit_test(test_limit_does_not_overflow),
		cmocka_unit_test(test_groups_split_reads_one_key_a_line),
		cmocka_unit_test(test_groups_split_stops_at_max),
		cmocka_unit_test(test_statements_are_there_by_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
