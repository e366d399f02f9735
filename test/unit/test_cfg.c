/*
 * Unit tests for lib/cfg.c: defaults, the .env file and its syntax, the
 * precedence of the environment, and the messages for every invalid value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cfg.h"

static char dir[64];
static char env_path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "%s", "/tmp/test_cfg.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(env_path, sizeof env_path, "%s/.env", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(env_path);
	rmdir(dir);
	return 0;
}

static void write_dotenv(const char *text)
{
	FILE *f = fopen(env_path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Loads with envp and no .env; returns cfg_load's result, message in err. */
static int load_env(struct cfg *c, char *const *envp, char *err, size_t errlen)
{
	err[0] = '\0';
	return cfg_load(c, envp, NULL, err, errlen);
}

static void test_cfg_defaults_match_the_documented_values(void **state)
{
	struct cfg c;
	char err[256];
	char *envp[] = { NULL };
	(void)state;

	assert_int_equal(load_env(&c, envp, err, sizeof err), 0);
	assert_string_equal(c.database_url, "");
	assert_int_equal(c.workers, 4);
	assert_int_equal(c.max_requests, 10000);
	assert_int_equal(c.request_timeout, 30);
	assert_int_equal(c.statement_timeout, 5000);
	assert_int_equal(c.session_idle, 1800);
	assert_int_equal(c.session_max, 43200);
	assert_int_equal(c.argon2_m_kib, 19456);
	assert_int_equal(c.argon2_t, 2);
	assert_string_equal(c.lang, "nl");
	assert_string_equal(c.templates, "templates");
	assert_int_equal(c.log_level, LOG_INFO);
}

static void test_cfg_reads_every_setting_from_the_environment(void **state)
{
	struct cfg c;
	char err[256];
	char *envp[] = { "DATABASE_URL=postgresql://portal@/portal?port=5433",
		         "PORTAL_WORKERS=8",
		         "PORTAL_MAX_REQUESTS=0",
		         "PORTAL_REQUEST_TIMEOUT=60",
		         "PORTAL_STATEMENT_TIMEOUT=250",
		         "PORTAL_SESSION_IDLE=600",
		         "PORTAL_SESSION_MAX=3600",
		         "PORTAL_ARGON2_M_KIB=65536",
		         "PORTAL_ARGON2_T=3",
		         "PORTAL_LANG=en",
		         "PORTAL_TEMPLATES=/usr/share/portal/templates",
		         "PORTAL_LOG_LEVEL=warn",
		         NULL };
	(void)state;

	assert_int_equal(load_env(&c, envp, err, sizeof err), 0);
	assert_string_equal(c.database_url, "postgresql://portal@/portal?port=5433");
	assert_int_equal(c.workers, 8);
	assert_int_equal(c.max_requests, 0);
	assert_int_equal(c.request_timeout, 60);
	assert_int_equal(c.statement_timeout, 250);
	assert_int_equal(c.session_idle, 600);
	assert_int_equal(c.session_max, 3600);
	assert_int_equal(c.argon2_m_kib, 65536);
	assert_int_equal(c.argon2_t, 3);
	assert_string_equal(c.lang, "en");
	assert_string_equal(c.templates, "/usr/share/portal/templates");
	assert_int_equal(c.log_level, LOG_WARN);
}

static void test_cfg_environment_overrides_dotenv(void **state)
{
	struct cfg c;
	char err[256] = "";
	char *envp[] = { "PORTAL_WORKERS=16", NULL };
	(void)state;

	write_dotenv("PORTAL_WORKERS=8\nPORTAL_LANG=en\n");
	assert_int_equal(cfg_load(&c, envp, env_path, err, sizeof err), 0);
	assert_int_equal(c.workers, 16);
	assert_string_equal(c.lang, "en");
}

static void test_cfg_dotenv_skips_comments_and_blanks_and_takes_export_and_quotes(void **state)
{
	struct cfg c;
	char err[256] = "";
	char *envp[] = { NULL };
	(void)state;

	write_dotenv("# local settings\n"
	             "\n"
	             "   \n"
	             "  # indented comment\n"
	             "export PORTAL_WORKERS=7\n"
	             "PORTAL_TEMPLATES=\"/srv/my templates\"\n"
	             "DATABASE_URL='postgresql://u@h/db?x=1#frag'\n"
	             "PORTAL_LOG_LEVEL=debug   # chatty while developing\n"
	             "PORTAL_ARGON2_T=4  \n"
	             "PORTAL_LANG=en\r\n");
	assert_int_equal(cfg_load(&c, envp, env_path, err, sizeof err), 0);
	assert_string_equal(err, "");
	assert_int_equal(c.workers, 7);
	assert_string_equal(c.templates, "/srv/my templates");
	assert_string_equal(c.database_url, "postgresql://u@h/db?x=1#frag");
	assert_int_equal(c.log_level, LOG_DEBUG);
	assert_int_equal(c.argon2_t, 4);
	assert_string_equal(c.lang, "en");
}

static void test_cfg_dotenv_double_quotes_unescape_quote_and_backslash(void **state)
{
	struct cfg c;
	char err[256] = "";
	(void)state;

	write_dotenv("PORTAL_TEMPLATES=\"a\\\"b\\\\c\\n\"  # trailing comment\n"
	             "DATABASE_URL=host=db#1\n");
	assert_int_equal(cfg_load(&c, NULL, env_path, err, sizeof err), 0);
	assert_string_equal(c.templates, "a\"b\\c\\n");
	/* A '#' inside a bare value is data; only " #" starts a comment. */
	assert_string_equal(c.database_url, "host=db#1");
}

static void test_cfg_missing_dotenv_is_not_an_error(void **state)
{
	struct cfg c;
	char err[256] = "";
	(void)state;

	assert_int_equal(cfg_load(&c, NULL, env_path, err, sizeof err), 0);
	assert_int_equal(c.workers, 4);
}

static void test_cfg_unreadable_dotenv_is_an_error_naming_it(void **state)
{
	struct cfg c;
	char err[256] = "";
	(void)state;

	/* A directory opens but cannot be read, even for root (who can read a
	 * mode-000 file, so that would not test anything under CI). */
	assert_int_equal(cfg_load(&c, NULL, dir, err, sizeof err), -1);
	assert_memory_equal(err, dir, strlen(dir));
	assert_non_null(strstr(err, ": "));
}

static void test_cfg_rejects_each_malformed_integer_with_the_allowed_range(void **state)
{
	static const char *const bad[][2] = {
		{ "PORTAL_WORKERS=", "PORTAL_WORKERS: \"\" is not a whole number from 1 to 256" },
		{ "PORTAL_WORKERS=abc",
		  "PORTAL_WORKERS: \"abc\" is not a whole number from 1 to 256" },
		{ "PORTAL_WORKERS=12abc",
		  "PORTAL_WORKERS: \"12abc\" is not a whole number from 1 to 256" },
		{ "PORTAL_WORKERS=-1",
		  "PORTAL_WORKERS: \"-1\" is not a whole number from 1 to 256" },
		{ "PORTAL_WORKERS=+4",
		  "PORTAL_WORKERS: \"+4\" is not a whole number from 1 to 256" },
		{ "PORTAL_WORKERS= 4",
		  "PORTAL_WORKERS: \" 4\" is not a whole number from 1 to 256" },
		{ "PORTAL_WORKERS=4 ",
		  "PORTAL_WORKERS: \"4 \" is not a whole number from 1 to 256" },
		{ "PORTAL_WORKERS=-", "PORTAL_WORKERS: \"-\" is not a whole number from 1 to 256" },
		{ "PORTAL_WORKERS=0", "PORTAL_WORKERS: \"0\" is not a whole number from 1 to 256" },
		{ "PORTAL_WORKERS=257",
		  "PORTAL_WORKERS: \"257\" is not a whole number from 1 to 256" },
		{ "PORTAL_WORKERS=99999999999999999999",
		  "PORTAL_WORKERS: \"99999999999999999999\" is not a whole number from 1 to 256" },
		{ "PORTAL_ARGON2_T=0x2",
		  "PORTAL_ARGON2_T: \"0x2\" is not a whole number from 1 to 10" },
		{ "PORTAL_STATEMENT_TIMEOUT=9",
		  "PORTAL_STATEMENT_TIMEOUT: \"9\" is not a whole number from 10 to 600000" },
		{ "PORTAL_MAX_REQUESTS=-1",
		  "PORTAL_MAX_REQUESTS: \"-1\" is not a whole number from 0 to 1000000000" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct cfg c;
		char err[256];
		char *envp[] = { (char *)bad[i][0], NULL };
		assert_int_equal(load_env(&c, envp, err, sizeof err), -1);
		assert_string_equal(err, bad[i][1]);
	}
}

static void test_cfg_accepts_the_bounds_of_a_range(void **state)
{
	struct cfg c;
	char err[256];
	char *low[] = { "PORTAL_WORKERS=1", "PORTAL_ARGON2_M_KIB=8192", NULL };
	char *high[] = { "PORTAL_WORKERS=256", "PORTAL_ARGON2_M_KIB=1048576", NULL };
	(void)state;

	assert_int_equal(load_env(&c, low, err, sizeof err), 0);
	assert_int_equal(c.workers, 1);
	assert_int_equal(c.argon2_m_kib, 8192);
	assert_int_equal(load_env(&c, high, err, sizeof err), 0);
	assert_int_equal(c.workers, 256);
	assert_int_equal(c.argon2_m_kib, 1048576);
}

static void test_cfg_quotes_a_hostile_value_harmlessly(void **state)
{
	struct cfg c;
	char err[256];
	char *envp[] = { "PORTAL_WORKERS=4\"\n", NULL };
	(void)state;

	assert_int_equal(load_env(&c, envp, err, sizeof err), -1);
	assert_string_equal(err, "PORTAL_WORKERS: \"4\\\"?\" is not a whole number from 1 to 256");
}

static void test_cfg_unknown_portal_name_is_named_with_a_suggestion(void **state)
{
	struct cfg c;
	char err[256];
	char *envp[] = { "PORTAL_WROKERS=4", NULL };
	(void)state;

	assert_int_equal(load_env(&c, envp, err, sizeof err), -1);
	assert_string_equal(err, "PORTAL_WROKERS: unknown setting (did you mean PORTAL_WORKERS?)");
}

static void test_cfg_read_url_and_its_lag_bound(void **state)
{
	struct cfg c;
	char err[256];
	char *envp[] = {
		"PORTAL_READ_URL=postgresql:///rp?host=/run/r&target_session_attrs=prefer-standby",
		"PORTAL_MAX_LAG_MS=250", NULL
	};
	(void)state;

	assert_int_equal(load_env(&c, envp, err, sizeof err), 0);
	assert_string_equal(c.read_url,
	                    "postgresql:///rp?host=/run/r&target_session_attrs=prefer-standby");
	assert_int_equal(c.max_lag_ms, 250);
	char *none[] = { NULL };
	assert_int_equal(load_env(&c, none, err, sizeof err), 0);
	assert_string_equal(c.read_url, "");
	assert_int_equal(c.max_lag_ms, 1000);
	char *bad[] = { "PORTAL_MAX_LAG_MS=5", NULL };
	assert_int_equal(load_env(&c, bad, err, sizeof err), -1);
	assert_non_null(strstr(err, "PORTAL_MAX_LAG_MS"));
}

static void test_cfg_unknown_portal_name_far_from_any_lists_the_known_ones(void **state)
{
	struct cfg c;
	char err[1024];
	char *envp[] = { "PORTAL_COLOUR_SCHEME=dark", NULL };
	(void)state;

	assert_int_equal(load_env(&c, envp, err, sizeof err), -1);
	assert_memory_equal(err, "PORTAL_COLOUR_SCHEME: unknown setting (known: PORTAL_WORKERS, ",
	                    62);
	assert_non_null(strstr(err, "PORTAL_LOG_LEVEL, "));
	assert_non_null(strstr(err, "PORTAL_AUTH, PORTAL_KRB5_KEYTAB, PORTAL_KRB5_REALM, "));
	assert_non_null(strstr(err, "PORTAL_SSO_CONTACT, PORTAL_LDAP_URL, "));
	assert_non_null(strstr(err, "PORTAL_LDAP_DEACTIVATE_MAX_PERCENT)"));
	/* Dev-only names are not advertised to production operators. */
	assert_null(strstr(err, "PORTAL_PG_PORT"));
}

static void test_cfg_ignores_names_that_are_not_ours(void **state)
{
	struct cfg c;
	char err[256];
	char *envp[] = { "HOME=/root", "PATH=/usr/bin",  "portal_workers=abc",
		         "PORTALX=1",  "NO_EQUALS_SIGN", NULL };
	(void)state;

	assert_int_equal(load_env(&c, envp, err, sizeof err), 0);
	assert_int_equal(c.workers, 4);
}

static void test_cfg_accepts_and_ignores_dev_only_names(void **state)
{
	struct cfg c;
	char err[256];
	char *envp[] = { "PORTAL_HTTP_PORT=8080", "PORTAL_HTTPS_PORT=8443", "PORTAL_PG_PORT=5433",
		         "PORTAL_VAR=/work/var", NULL };
	(void)state;

	assert_int_equal(load_env(&c, envp, err, sizeof err), 0);
}

static void test_cfg_rejects_a_language_other_than_nl_or_en(void **state)
{
	struct cfg c;
	char err[256];
	char *envp[] = { "PORTAL_LANG=de", NULL };
	char *upper[] = { "PORTAL_LANG=NL", NULL };
	(void)state;

	assert_int_equal(load_env(&c, envp, err, sizeof err), -1);
	assert_string_equal(err, "PORTAL_LANG: \"de\" is not a supported language (nl or en)");
	assert_int_equal(load_env(&c, upper, err, sizeof err), -1);
}

static void test_cfg_rejects_an_unknown_log_level(void **state)
{
	struct cfg c;
	char err[256];
	char *envp[] = { "PORTAL_LOG_LEVEL=verbose", NULL };
	(void)state;

	assert_int_equal(load_env(&c, envp, err, sizeof err), -1);
	assert_string_equal(
	    err, "PORTAL_LOG_LEVEL: \"verbose\" is not a log level (debug, info, warn or error)");
}

static void test_cfg_rejects_a_too_long_database_url_without_echoing_it(void **state)
{
	struct cfg c;
	char err[256];
	char fits[14 + 1023 + 1], toolong[14 + 1024 + 1];
	char *ok_env[] = { fits, NULL };
	char *bad_env[] = { toolong, NULL };
	(void)state;

	snprintf(fits, sizeof fits, "DATABASE_URL=%01023d", 0);
	snprintf(toolong, sizeof toolong, "DATABASE_URL=%01024d", 0);
	assert_int_equal(load_env(&c, ok_env, err, sizeof err), 0);
	assert_int_equal(strlen(c.database_url), 1023);
	assert_int_equal(load_env(&c, bad_env, err, sizeof err), -1);
	assert_string_equal(err, "DATABASE_URL: value too long (at most 1023 bytes)");
}

static void test_cfg_rejects_a_too_long_or_empty_templates_directory(void **state)
{
	struct cfg c;
	char err[256];
	char toolong[18 + 512 + 1];
	char *bad_env[] = { toolong, NULL };
	char *empty_env[] = { "PORTAL_TEMPLATES=", NULL };
	(void)state;

	snprintf(toolong, sizeof toolong, "PORTAL_TEMPLATES=%0512d", 0);
	assert_int_equal(load_env(&c, bad_env, err, sizeof err), -1);
	assert_string_equal(err, "PORTAL_TEMPLATES: value too long (at most 511 bytes)");
	assert_int_equal(load_env(&c, empty_env, err, sizeof err), -1);
	assert_string_equal(err, "PORTAL_TEMPLATES: must not be empty");
}

static void test_cfg_malformed_dotenv_line_is_numbered(void **state)
{
	struct cfg c;
	char err[512], want[512];
	(void)state;

	write_dotenv("# comment\nPORTAL_WORKERS=4\nthis is not a setting\n");
	assert_int_equal(cfg_load(&c, NULL, env_path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s line 3: expected KEY=VALUE", env_path);
	assert_string_equal(err, want);

	write_dotenv("PORTAL_WORKERS = 4\n");
	assert_int_equal(cfg_load(&c, NULL, env_path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s line 1: expected KEY=VALUE", env_path);
	assert_string_equal(err, want);
}

static void test_cfg_dotenv_quote_errors_are_numbered(void **state)
{
	struct cfg c;
	char err[512], want[512];
	(void)state;

	write_dotenv("\nPORTAL_TEMPLATES=\"unterminated\n");
	assert_int_equal(cfg_load(&c, NULL, env_path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s line 2: no closing quote", env_path);
	assert_string_equal(err, want);

	write_dotenv("PORTAL_TEMPLATES='a'b\n");
	assert_int_equal(cfg_load(&c, NULL, env_path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s line 1: unexpected text after the closing quote", env_path);
	assert_string_equal(err, want);
}

static void test_cfg_invalid_value_in_dotenv_names_file_line_and_variable(void **state)
{
	struct cfg c;
	char err[512], want[512];
	(void)state;

	write_dotenv("PORTAL_LANG=en\nPORTAL_WORKERS=many\n");
	assert_int_equal(cfg_load(&c, NULL, env_path, err, sizeof err), -1);
	snprintf(want, sizeof want,
	         "%s line 2: PORTAL_WORKERS: \"many\" is not a whole number from 1 to 256",
	         env_path);
	assert_string_equal(err, want);
}

static void test_cfg_failed_load_leaves_the_configuration_unchanged(void **state)
{
	struct cfg c, before;
	char err[256];
	char *good[] = { "PORTAL_WORKERS=9", NULL };
	char *bad[] = { "PORTAL_LANG=en", "PORTAL_WORKERS=x", NULL };
	(void)state;

	assert_int_equal(load_env(&c, good, err, sizeof err), 0);
	before = c;
	assert_int_equal(load_env(&c, bad, err, sizeof err), -1);
	/* Field by field: struct assignment need not copy padding. */
	assert_int_equal(c.workers, 9);
	assert_string_equal(c.lang, before.lang);
	assert_string_equal(c.lang, "nl");
}

static void test_cfg_failure_without_an_error_buffer_still_fails(void **state)
{
	struct cfg c;
	char *bad[] = { "PORTAL_WORKERS=x", NULL };
	(void)state;

	assert_int_equal(cfg_load(&c, bad, NULL, NULL, 0), -1);
}

static void test_cfg_auth_defaults_to_password_alone(void **state)
{
	struct cfg c;
	char err[256];
	char *envp[] = { NULL };
	(void)state;

	assert_int_equal(load_env(&c, envp, err, sizeof err), 0);
	assert_int_equal(c.auth.n, 1);
	assert_int_equal(c.auth.mask, SSO_PASSWORD);
	assert_string_equal(c.krb5_keytab, "");
	assert_string_equal(c.krb5_realm, "");
	assert_int_equal(c.sso_provision, 0);
	assert_string_equal(c.sso_contact, "");
}

static void test_cfg_negotiate_needs_keytab_and_realm(void **state)
{
	struct cfg c;
	char err[256];
	char *alone[] = { "PORTAL_AUTH=negotiate,password", NULL };
	char *no_realm[] = { "PORTAL_AUTH=negotiate,password", "PORTAL_KRB5_KEYTAB=/etc/k.keytab",
		             NULL };
	char *both[] = { "PORTAL_AUTH=negotiate,password",
		         "PORTAL_KRB5_KEYTAB=/etc/k.keytab",
		         "PORTAL_KRB5_REALM=CED.EXAMPLE",
		         "PORTAL_SSO_PROVISION=1",
		         "PORTAL_SSO_CONTACT=de servicedesk (toestel 1234)",
		         NULL };
	(void)state;

	assert_int_equal(load_env(&c, alone, err, sizeof err), -1);
	assert_non_null(strstr(err, "PORTAL_AUTH: negotiate needs PORTAL_KRB5_KEYTAB"));
	assert_int_equal(load_env(&c, no_realm, err, sizeof err), -1);
	assert_non_null(strstr(err, "PORTAL_KRB5_REALM"));
	assert_int_equal(load_env(&c, both, err, sizeof err), 0);
	assert_int_equal(c.auth.mask, SSO_NEGOTIATE | SSO_PASSWORD);
	assert_int_equal(c.auth.order[0], SSO_NEGOTIATE);
	assert_string_equal(c.krb5_keytab, "/etc/k.keytab");
	assert_string_equal(c.krb5_realm, "CED.EXAMPLE");
	assert_int_equal(c.sso_provision, 1);
	assert_string_equal(c.sso_contact, "de servicedesk (toestel 1234)");
}

static void test_cfg_auth_errors_name_the_variable(void **state)
{
	struct cfg c;
	char err[256];
	char *unknown[] = { "PORTAL_AUTH=password,basic", NULL };
	char *twice[] = { "PORTAL_AUTH=remote-user,remote-user", NULL };
	char *empty[] = { "PORTAL_AUTH=", NULL };
	char *provision[] = { "PORTAL_SSO_PROVISION=yes", NULL };
	char *control[] = { "PORTAL_SSO_CONTACT=a\x1b[31mb", NULL };
	(void)state;

	assert_int_equal(load_env(&c, unknown, err, sizeof err), -1);
	assert_string_equal(err, "PORTAL_AUTH: \"basic\" is not a sign-in method (password, "
	                         "negotiate or remote-user)");
	assert_int_equal(load_env(&c, twice, err, sizeof err), -1);
	assert_string_equal(err, "PORTAL_AUTH: \"remote-user\" is named twice");
	assert_int_equal(load_env(&c, empty, err, sizeof err), -1);
	assert_non_null(strstr(err, "PORTAL_AUTH: an empty entry"));
	assert_int_equal(load_env(&c, provision, err, sizeof err), -1);
	assert_non_null(strstr(err, "PORTAL_SSO_PROVISION"));
	assert_int_equal(load_env(&c, control, err, sizeof err), -1);
	assert_string_equal(err, "PORTAL_SSO_CONTACT: contains a control character");
}

static void test_cfg_remote_user_alone_needs_no_kerberos(void **state)
{
	struct cfg c;
	char err[256];
	char *envp[] = { "PORTAL_AUTH=remote-user", NULL };
	(void)state;

	assert_int_equal(load_env(&c, envp, err, sizeof err), 0);
	assert_int_equal(c.auth.mask, SSO_REMOTE_USER);
}

static void test_cfg_ldap_settings_have_their_documented_defaults(void **state)
{
	struct cfg c;
	char err[256];
	char *envp[] = { NULL };
	(void)state;

	assert_int_equal(load_env(&c, envp, err, sizeof err), 0);
	assert_string_equal(c.ldap_url, "");
	assert_string_equal(c.ldap_base, "");
	assert_string_equal(c.ldap_user_filter, "(objectClass=inetOrgPerson)");
	assert_string_equal(c.ldap_username_attr, "uid");
	assert_string_equal(c.ldap_email_attr, "mail");
	assert_string_equal(c.ldap_name_attr, "displayName");
	assert_int_equal(c.ldap_groups_by_member, 0);
	assert_string_equal(c.ldap_group_filter, "(objectClass=groupOfNames)");
	assert_int_equal(c.ldap_timeout, 10);
	assert_int_equal(c.ldap_page_size, 500);
	assert_int_equal(c.ldap_deactivate_max, 5);
	assert_int_equal(c.ldap_deactivate_max_percent, 10);
}

static void test_cfg_ldap_settings_for_active_directory_load(void **state)
{
	struct cfg c;
	char err[256];
	char *envp[] = { "PORTAL_LDAP_USERNAME_ATTR=sAMAccountName",
		         "PORTAL_LDAP_GROUPS=MEMBER",
		         "PORTAL_LDAP_NAME_ATTR=2.5.4.3",
		         "PORTAL_LDAP_DEACTIVATE_MAX=0",
		         "PORTAL_LDAP_DEACTIVATE_MAX_PERCENT=100",
		         NULL };
	(void)state;

	assert_int_equal(load_env(&c, envp, err, sizeof err), 0);
	assert_string_equal(c.ldap_username_attr, "sAMAccountName");
	assert_int_equal(c.ldap_groups_by_member, 1);
	assert_string_equal(c.ldap_name_attr, "2.5.4.3");
	assert_int_equal(c.ldap_deactivate_max, 0);
	assert_int_equal(c.ldap_deactivate_max_percent, 100);
}

static void test_cfg_ldap_bad_values_name_the_setting(void **state)
{
	struct cfg c;
	char err[256];
	(void)state;
	const char *bad[][2] = {
		{ "PORTAL_LDAP_USERNAME_ATTR=uid;lang-nl",
		  "PORTAL_LDAP_USERNAME_ATTR: \"uid;lang-nl\" is not an LDAP attribute name" },
		{ "PORTAL_LDAP_EMAIL_ATTR=1mail", "PORTAL_LDAP_EMAIL_ATTR" },
		{ "PORTAL_LDAP_NAME_ATTR=2.5..4", "PORTAL_LDAP_NAME_ATTR" },
		{ "PORTAL_LDAP_NAME_ATTR=-x", "PORTAL_LDAP_NAME_ATTR" },
		{ "PORTAL_LDAP_GROUPS=groups",
		  "PORTAL_LDAP_GROUPS: \"groups\" is neither memberOf" },
		{ "PORTAL_LDAP_DEACTIVATE_MAX_PERCENT=101", "PORTAL_LDAP_DEACTIVATE_MAX_PERCENT" },
		{ "PORTAL_LDAP_PAGE_SIZE=0", "PORTAL_LDAP_PAGE_SIZE" },
		{ "PORTAL_LDAP_TIMEOUT=301", "PORTAL_LDAP_TIMEOUT" },
		{ "PORTAL_LDAP_URL=", "PORTAL_LDAP_URL: must not be empty" },
		{ "PORTAL_LDAP_BASEDN=dc=x", "did you mean PORTAL_LDAP_BASE?" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *envp[] = { (char *)bad[i][0], NULL };
		assert_int_equal(load_env(&c, envp, err, sizeof err), -1);
		if (strstr(err, bad[i][1]) == NULL)
			fail_msg("%s: message \"%s\" lacks \"%s\"", bad[i][0], err, bad[i][1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cfg_defaults_match_the_documented_values),
		cmocka_unit_test(test_cfg_reads_every_setting_from_the_environment),
		cmocka_unit_test_setup_teardown(test_cfg_environment_overrides_dotenv, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(
		    test_cfg_dotenv_skips_comments_and_blanks_and_takes_export_and_quotes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_cfg_dotenv_double_quotes_unescape_quote_and_backslash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cfg_missing_dotenv_is_not_an_error, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_cfg_unreadable_dotenv_is_an_error_naming_it,
		                                setup, teardown),
		cmocka_unit_test(test_cfg_rejects_each_malformed_integer_with_the_allowed_range),
		cmocka_unit_test(test_cfg_accepts_the_bounds_of_a_range),
		cmocka_unit_test(test_cfg_quotes_a_hostile_value_harmlessly),
		cmocka_unit_test(test_cfg_unknown_portal_name_is_named_with_a_suggestion),
		cmocka_unit_test(test_cfg_read_url_and_its_lag_bound),
		cmocka_unit_test(test_cfg_unknown_portal_name_far_from_any_lists_the_known_ones),
		cmocka_unit_test(test_cfg_ignores_names_that_are_not_ours),
		cmocka_unit_test(test_cfg_accepts_and_ignores_dev_only_names),
		cmocka_unit_test(test_cfg_rejects_a_language_other_than_nl_or_en),
		cmocka_unit_test(test_cfg_rejects_an_unknown_log_level),
		cmocka_unit_test(test_cfg_rejects_a_too_long_database_url_without_echoing_it),
		cmocka_unit_test(test_cfg_rejects_a_too_long_or_empty_templates_directory),
		cmocka_unit_test_setup_teardown(test_cfg_malformed_dotenv_line_is_numbered, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_cfg_dotenv_quote_errors_are_numbered, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(
		    test_cfg_invalid_value_in_dotenv_names_file_line_and_variable, setup, teardown),
		cmocka_unit_test(test_cfg_auth_defaults_to_password_alone),
		cmocka_unit_test(test_cfg_negotiate_needs_keytab_and_realm),
		cmocka_unit_test(test_cfg_auth_errors_name_the_variable),
		cmocka_unit_test(test_cfg_remote_user_alone_needs_no_kerberos),
		cmocka_unit_test(test_cfg_failed_load_leaves_the_configuration_unchanged),
		cmocka_unit_test(test_cfg_failure_without_an_error_buffer_still_fails),
		cmocka_unit_test(test_cfg_ldap_settings_have_their_documented_defaults),
		cmocka_unit_test(test_cfg_ldap_settings_for_active_directory_load),
		cmocka_unit_test(test_cfg_ldap_bad_values_name_the_setting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
