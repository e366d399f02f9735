/*
 * test_admin_users: the parts of the admin users area that need no database:
 * the form checks, the initial-password check, the list filters, the
 * notices, and the shape of the statement table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "admin_users.h"

/* What the check reported, field by field. */
struct seen {
	int n;
	const char *field[8];
	const char *key[8];
};

static void record(void *ctx, const char *field, const char *key)
{
	struct seen *s = ctx;
	if (s->n < 8) {
		s->field[s->n] = field;
		s->key[s->n] = key;
	}
	s->n++;
}

static const char *key_of(const struct seen *s, const char *field)
{
	for (int i = 0; i < s->n && i < 8; i++)
		if (strcmp(s->field[i], field) == 0)
			return s->key[i];
	return NULL;
}

static void test_check_accepts_a_complete_new_user(void **state)
{
	(void)state;
	struct user_form f = { "zoe", "zoe@example.org", "Zoë Ünal", 0, 1 };
	struct seen s = { 0 };
	assert_int_equal(admin_user_check(&f, 1, record, &s), 0);
	assert_int_equal(s.n, 0);
}

static void test_check_names_each_missing_field_as_required(void **state)
{
	(void)state;
	struct user_form f = { "", "", "", 0, 1 };
	struct seen s = { 0 };
	assert_int_equal(admin_user_check(&f, 1, record, &s), 3);
	assert_string_equal(key_of(&s, "username"), "admin.error.required");
	assert_string_equal(key_of(&s, "email"), "admin.error.required");
	assert_string_equal(key_of(&s, "display_name"), "admin.error.required");
}

static void test_check_refuses_a_username_with_a_space(void **state)
{
	(void)state;
	struct user_form f = { "zoe unal", "zoe@example.org", "Zoë", 0, 1 };
	struct seen s = { 0 };
	assert_int_equal(admin_user_check(&f, 1, record, &s), 1);
	assert_string_equal(key_of(&s, "username"), "admin.users.error.username");
}

static void test_check_refuses_a_username_over_64_characters(void **state)
{
	(void)state;
	char name[66];
	memset(name, 'a', 65);
	name[65] = '\0';
	struct user_form f = { name, "zoe@example.org", "Zoë", 0, 1 };
	struct seen s = { 0 };
	assert_int_equal(admin_user_check(&f, 1, record, &s), 1);
	assert_string_equal(key_of(&s, "username"), "admin.users.error.username");
}

static void test_check_ignores_the_username_of_an_existing_user(void **state)
{
	(void)state;
	struct user_form f = { "", "zoe@example.org", "Zoë", 1, 0 };
	struct seen s = { 0 };
	assert_int_equal(admin_user_check(&f, 0, record, &s), 0);
}

static void test_check_refuses_an_email_without_a_domain_dot(void **state)
{
	(void)state;
	struct user_form f = { "zoe", "zoe@localhost", "Zoë", 0, 1 };
	struct seen s = { 0 };
	assert_int_equal(admin_user_check(&f, 1, record, &s), 1);
	assert_string_equal(key_of(&s, "email"), "admin.users.error.email");
}

static void test_check_refuses_a_display_name_with_a_control_character(void **state)
{
	(void)state;
	struct user_form f = { "zoe", "zoe@example.org", "Zo\x01", 0, 1 };
	struct seen s = { 0 };
	assert_int_equal(admin_user_check(&f, 0, record, &s), 1);
	assert_string_equal(key_of(&s, "display_name"), "admin.error.control");
}

/* Issue 11, item 9: invisible and bidirectional characters passed. */
static void test_check_refuses_invisible_characters_in_username_and_display_name(void **state)
{
	(void)state;
	/* clang-format off */ /* split after each \x escape, as written */
	struct user_form f = { "dir\xe2\x80\x8b" "k", "zoe@example.org", "Zo\xe2\x80\xae" "e", 0, 1 };
	/* clang-format on */
	struct seen s = { 0 };
	assert_int_equal(admin_user_check(&f, 1, record, &s), 2);
	assert_string_equal(key_of(&s, "username"), "admin.error.invisible");
	assert_string_equal(key_of(&s, "display_name"), "admin.error.invisible");
}

static void test_password_problem_requires_a_password(void **state)
{
	(void)state;
	assert_string_equal(admin_user_password_problem("", "zoe"), "admin.error.required");
}

static void test_password_problem_applies_the_policy(void **state)
{
	(void)state;
	assert_string_equal(admin_user_password_problem("kort", "zoe"), "password.too_short");
	assert_string_equal(admin_user_password_problem("xx-zoe_unal-xx-yy", "ZOE_UNAL"),
	                    "password.has_username");
	assert_null(admin_user_password_problem("Lente-in-het-bos-42", "zoe"));
}

/* Checks the query string q (a=1&b=2) against fields; -1 when a field
 * answers 400. */
static int check_query(struct arena *a, const struct field *fields, const char *q,
                       struct fieldset *fs)
{
	struct kvlist l;
	assert_int_equal(req_parse_urlencoded(a, q, strlen(q), &req_default_limits, &l), REQ_OK);
	return field_check(fs, fields, &l, NULL, a);
}

static void test_list_filters_accept_only_known_values(void **state)
{
	(void)state;
	struct arena ar = ARENA_INIT, *a = &ar;
	struct fieldset fs;
	assert_int_equal(check_query(a, admin_users_list_fields, "active=&superuser=&locked=", &fs),
	                 0);
	assert_string_equal(field_str(&fs, "active", ""), "");
	assert_int_equal(
	    check_query(a, admin_users_list_fields, "active=1&superuser=0&locked=1", &fs), 0);
	assert_string_equal(field_str(&fs, "superuser", ""), "0");
	assert_int_equal(check_query(a, admin_users_list_fields, "active=0&superuser=1", &fs), 0);
	assert_int_equal(check_query(a, admin_users_list_fields, "active=yes", &fs), -1);
	assert_string_equal(fs.bad->name, "active");
	assert_int_equal(check_query(a, admin_users_list_fields, "superuser=2", &fs), -1);
	assert_int_equal(check_query(a, admin_users_list_fields, "locked=0", &fs), -1);
	assert_int_equal(check_query(a, admin_users_list_fields, "active=1+", &fs), -1);
	arena_free(a);
}

static void test_list_refuses_a_long_search_and_a_bad_page(void **state)
{
	(void)state;
	struct arena ar = ARENA_INIT, *a = &ar;
	struct fieldset fs;
	char q[256] = "q=";
	memset(q + 2, 'x', 201);
	q[203] = '\0';
	assert_int_equal(check_query(a, admin_users_list_fields, q, &fs), -1);
	assert_string_equal(fs.bad->name, "q");
	q[202] = '\0';
	assert_int_equal(check_query(a, admin_users_list_fields, q, &fs), 0);
	assert_int_equal(check_query(a, admin_users_list_fields, "page=0", &fs), -1);
	assert_int_equal(check_query(a, admin_users_list_fields, "page=100001", &fs), -1);
	assert_int_equal(check_query(a, admin_users_list_fields, "page=", &fs), 0);
	assert_int_equal(field_int(&fs, "page", 1), 1);
	arena_free(a);
}

static void test_notice_knows_each_change_and_nothing_else(void **state)
{
	(void)state;
	struct arena ar = ARENA_INIT, *a = &ar;
	struct fieldset fs;
	assert_int_equal(check_query(a, admin_user_fields, "done=created", &fs), 0);
	assert_string_equal(field_str(&fs, "done", NULL), "created");
	assert_int_equal(check_query(a, admin_user_fields, "done=roles_added&n=3", &fs), 0);
	assert_string_equal(field_str(&fs, "done", NULL), "roles_added");
	assert_int_equal(field_int(&fs, "n", 0), 3);
	assert_int_equal(check_query(a, admin_user_fields, "done=roles_none", &fs), 0);
	assert_string_equal(field_str(&fs, "done", NULL), "roles_none");
	/* Unknown notices and counts are shown as none, never a 400. */
	assert_int_equal(check_query(a, admin_user_fields, "done=saved2&n=1234567", &fs), 0);
	assert_null(field_str(&fs, "done", NULL));
	assert_int_equal(field_int(&fs, "n", 0), 0);
	assert_int_equal(check_query(a, admin_user_fields, "done=", &fs), 0);
	assert_null(field_str(&fs, "done", NULL));
	arena_free(a);
}

/* The highest $N in sql. */
static int max_param(const char *sql)
{
	int max = 0;
	for (const char *p = strchr(sql, '$'); p != NULL; p = strchr(p + 1, '$')) {
		int n = (int)strtol(p + 1, NULL, 10);
		if (n > max)
			max = n;
	}
	return max;
}

static void test_every_statement_declares_the_parameters_it_uses(void **state)
{
	(void)state;
	size_t n = 0;
	for (const struct db_stmt *s = admin_users_stmts; s->name != NULL; s++, n++) {
		assert_int_equal(strncmp(s->name, "admin_user", 10), 0);
		if (max_param(s->sql) != s->nparams)
			fail_msg("%s uses $%d but declares %d", s->name, max_param(s->sql),
			         s->nparams);
	}
	assert_int_equal(n, 3); /* the changes are lib/users.c's operations */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_accepts_a_complete_new_user),
		cmocka_unit_test(test_check_names_each_missing_field_as_required),
		cmocka_unit_test(test_check_refuses_a_username_with_a_space),
		cmocka_unit_test(test_check_refuses_a_username_over_64_characters),
		cmocka_unit_test(test_check_ignores_the_username_of_an_existing_user),
		cmocka_unit_test(test_check_refuses_an_email_without_a_domain_dot),
		cmocka_unit_test(test_check_refuses_a_display_name_with_a_control_character),
		cmocka_unit_test(
		    test_check_refuses_invisible_characters_in_username_and_display_name),
		cmocka_unit_test(test_password_problem_requires_a_password),
		cmocka_unit_test(test_password_problem_applies_the_policy),
		cmocka_unit_test(test_list_filters_accept_only_known_values),
		cmocka_unit_test(test_list_refuses_a_long_search_and_a_bad_page),
		cmocka_unit_test(test_notice_knows_each_change_and_nothing_else),
		cmocka_unit_test(test_every_statement_declares_the_parameters_it_uses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
