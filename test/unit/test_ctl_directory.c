/*
 * Unit tests for lib/ctl_directory.c that need no directory or database:
 * the bind password file (first line only, its line end, a file everyone
 * may read, empty, NUL, too long) and the check of the settings before
 * anything is read. The sync itself runs against slapd in test/ldap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cfg.h"
#include "ctl_directory.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "%s", "/tmp/test_ctl_directory.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/pw", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

static void write_file(const char *data, size_t len, mode_t mode)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static int secret(char *out, size_t outlen, char *err, size_t errlen)
{
	err[0] = '\0';
	return ctl_directory_read_secret(path, out, outlen, err, errlen);
}

static void test_secret_is_the_first_line_without_its_line_end(void **state)
{
	(void)state;
	char out[64], err[256];

	write_file("s3cret pass\nsecond line\n", 24, 0600);
	assert_int_equal(secret(out, sizeof out, err, sizeof err), 11);
	assert_string_equal(out, "s3cret pass");
	write_file("crlf\r\n", 6, 0640);
	assert_int_equal(secret(out, sizeof out, err, sizeof err), 4);
	assert_string_equal(out, "crlf");
	write_file("no newline", 10, 0400);
	assert_int_equal(secret(out, sizeof out, err, sizeof err), 10);
	assert_string_equal(out, "no newline");
}

static void test_secret_that_everyone_may_read_is_refused(void **state)
{
	(void)state;
	char out[64], err[256];

	write_file("pw\n", 3, 0644);
	assert_int_equal(secret(out, sizeof out, err, sizeof err), -1);
	assert_non_null(strstr(err, "may be read by everyone"));
	assert_string_equal(out, "");
}

static void test_secret_empty_nul_or_too_long_is_refused_and_wiped(void **state)
{
	(void)state;
	char out[8], err[256];

	write_file("\nafter\n", 7, 0600);
	assert_int_equal(secret(out, sizeof out, err, sizeof err), -1);
	assert_non_null(strstr(err, "is empty"));
	write_file("", 0, 0600);
	assert_int_equal(secret(out, sizeof out, err, sizeof err), -1);
	write_file("ab\0cd\n", 6, 0600);
	assert_int_equal(secret(out, sizeof out, err, sizeof err), -1);
	assert_non_null(strstr(err, "NUL byte"));
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 0);
	write_file("12345678\n", 9, 0600);
	assert_int_equal(secret(out, sizeof out, err, sizeof err), -1);
	assert_non_null(strstr(err, "longer than 7 bytes"));
	for (size_t i = 0; i < sizeof out; i++)
		assert_int_equal(out[i], 0);
	write_file("1234567\n", 8, 0600);
	assert_int_equal(secret(out, sizeof out, err, sizeof err), 7);
}

static void test_secret_missing_file_names_setting_and_file(void **state)
{
	(void)state;
	char out[8], err[256];

	assert_int_equal(secret(out, sizeof out, err, sizeof err), -1);
	assert_non_null(strstr(err, "PORTAL_LDAP_BIND_PASSWORD_FILE: could not open"));
	assert_non_null(strstr(err, path));
}

/* The settings of a sync that is set up, loaded from envp. */
static void load(struct cfg *c, char *const *extra)
{
	char *envp[24], err[256];
	size_t n = 0;

	envp[n++] = "PORTAL_LDAP_URL=ldaps://dc1.ced.example";
	envp[n++] = "PORTAL_LDAP_BASE=OU=Staff,DC=ced,DC=example";
	envp[n++] = "PORTAL_LDAP_BIND_DN=CN=svc-portal,OU=Service,DC=ced,DC=example";
	envp[n++] = "PORTAL_LDAP_BIND_PASSWORD_FILE=/etc/rapportageportaal/ldap-password";
	for (size_t i = 0; extra != NULL && extra[i] != NULL; i++)
		envp[n++] = extra[i];
	envp[n] = NULL;
	assert_int_equal(cfg_load(c, envp, NULL, err, sizeof err), 0);
}

static const char *check(char *const *extra)
{
	static char err[512];
	struct cfg c;

	load(&c, extra);
	err[0] = '\0';
	return ctl_directory_check_settings(&c, err, sizeof err) == 0 ? NULL : err;
}

static void test_settings_of_a_configured_sync_pass(void **state)
{
	(void)state;
	char *member[] = { "PORTAL_LDAP_GROUPS=member", NULL };
	assert_null(check(NULL));
	assert_null(check(member));
}

static void test_settings_name_what_is_missing_or_wrong(void **state)
{
	(void)state;
	struct cfg c;
	char err[256];
	char *http[] = { "PORTAL_LDAP_URL=http://dc1", NULL };
	char *base[] = { "PORTAL_LDAP_BASE=Staff", NULL };
	char *filter[] = { "PORTAL_LDAP_USER_FILTER=objectClass=user", NULL };
	char *gfilter[] = { "PORTAL_LDAP_GROUPS=member", "PORTAL_LDAP_GROUP_FILTER=x", NULL };
	char *gbase[] = { "PORTAL_LDAP_GROUP_BASE=nope", NULL };

	cfg_defaults(&c);
	assert_int_equal(ctl_directory_check_settings(&c, err, sizeof err), -1);
	assert_non_null(strstr(err, "PORTAL_LDAP_URL is not set"));
	assert_non_null(strstr(check(http), "PORTAL_LDAP_URL: \"http://dc1\" is not an ldap://"));
	assert_non_null(strstr(check(base), "PORTAL_LDAP_BASE: \"Staff\" is not a DN"));
	assert_non_null(strstr(check(filter), "PORTAL_LDAP_USER_FILTER"));
	assert_non_null(strstr(check(gfilter), "PORTAL_LDAP_GROUP_FILTER"));
	assert_non_null(strstr(check(gbase), "PORTAL_LDAP_GROUP_BASE"));
}

static void test_settings_bind_dn_and_password_file_go_together(void **state)
{
	(void)state;
	struct cfg c;
	char err[256];
	char *envp[] = { "PORTAL_LDAP_URL=ldap://127.0.0.1", "PORTAL_LDAP_BASE=dc=x",
		         "PORTAL_LDAP_BIND_DN=cn=svc,dc=x", NULL };
	char *envp2[] = { "PORTAL_LDAP_URL=ldap://127.0.0.1", "PORTAL_LDAP_BASE=dc=x",
		          "PORTAL_LDAP_BIND_PASSWORD_FILE=/x", NULL };
	char *anon[] = { "PORTAL_LDAP_URL=ldap://127.0.0.1", "PORTAL_LDAP_BASE=dc=x", NULL };

	assert_int_equal(cfg_load(&c, envp, NULL, err, sizeof err), 0);
	assert_int_equal(ctl_directory_check_settings(&c, err, sizeof err), -1);
	assert_non_null(strstr(err, "PORTAL_LDAP_BIND_PASSWORD_FILE is not"));
	assert_int_equal(cfg_load(&c, envp2, NULL, err, sizeof err), 0);
	assert_int_equal(ctl_directory_check_settings(&c, err, sizeof err), -1);
	assert_non_null(strstr(err, "PORTAL_LDAP_BIND_DN is not"));
	assert_int_equal(cfg_load(&c, anon, NULL, err, sizeof err), 0);
	assert_int_equal(ctl_directory_check_settings(&c, err, sizeof err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_secret_is_the_first_line_without_its_line_end,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_secret_that_everyone_may_read_is_refused,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_secret_empty_nul_or_too_long_is_refused_and_wiped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secret_missing_file_names_setting_and_file,
		                                setup, teardown),
		cmocka_unit_test(test_settings_of_a_configured_sync_pass),
		cmocka_unit_test(test_settings_name_what_is_missing_or_wrong),
		cmocka_unit_test(test_settings_bind_dn_and_password_file_go_together),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
