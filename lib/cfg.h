/*
 * cfg: the configuration of every program, from the environment and
 * optionally a .env file (KEY=VALUE lines; the real environment wins).
 * Every value is validated at start; an unknown PORTAL_* name or an invalid
 * value stops the start with a message naming the variable.
 */
#ifndef CFG_H
#define CFG_H

#include <stddef.h>

#include "log.h"
#include "sso.h"

struct cfg {
	char database_url[1024]; /* DATABASE_URL: a libpq URI or conninfo */
	char read_url[1024];     /* PORTAL_READ_URL: a standby for the pages that only read, "" */
	int max_lag_ms;          /* PORTAL_MAX_LAG_MS, 10..600000, default 1000: its bound */
	int workers;             /* PORTAL_WORKERS, 1..256, default 4 */
	int max_requests;        /* PORTAL_MAX_REQUESTS, 0 = never recycle, default 10000 */
	int request_timeout;     /* PORTAL_REQUEST_TIMEOUT seconds, 1..3600, default 30 */
	int statement_timeout; /* PORTAL_STATEMENT_TIMEOUT milliseconds, 10..600000, default 5000 */
	int session_idle;      /* PORTAL_SESSION_IDLE seconds, 60..86400, default 1800 */
	int session_max;       /* PORTAL_SESSION_MAX seconds, 300..604800, default 43200 */
	int argon2_m_kib;      /* PORTAL_ARGON2_M_KIB, 8192..1048576, default 19456 */
	int argon2_t;          /* PORTAL_ARGON2_T, 1..10, default 2 */
	char lang[3];          /* PORTAL_LANG, "nl" or "en", default "nl" */
	char templates[512];   /* PORTAL_TEMPLATES, a directory, default "templates" */
	enum log_level log_level; /* PORTAL_LOG_LEVEL, default info */
	/* Single sign-on (README.md, "Single sign-on"). */
	struct sso_methods auth; /* PORTAL_AUTH, e.g. "negotiate,password"; default "password" */
	char krb5_keytab[512];   /* PORTAL_KRB5_KEYTAB: the service's keytab, "" for none */
	char krb5_realm[256];    /* PORTAL_KRB5_REALM: whose principals are users, "" for none */
	int sso_provision;       /* PORTAL_SSO_PROVISION, 0 or 1: create unknown SSO users */
	char sso_contact[256];   /* PORTAL_SSO_CONTACT: whom a refused user asks, "" for none */

	/* The directory (portalctl directory sync); empty strings: not set. */
	char ldap_url[1024];               /* PORTAL_LDAP_URL: ldap:// or ldaps://, required */
	char ldap_base[1024];              /* PORTAL_LDAP_BASE: where the users are, required */
	char ldap_bind_dn[1024];           /* PORTAL_LDAP_BIND_DN: "" binds anonymously */
	char ldap_bind_password_file[512]; /* PORTAL_LDAP_BIND_PASSWORD_FILE: its first line */
	char ldap_user_filter[1024]; /* PORTAL_LDAP_USER_FILTER, default (objectClass=inetOrgPerson)
	                              */
	char ldap_username_attr[64]; /* PORTAL_LDAP_USERNAME_ATTR, default uid */
	char ldap_email_attr[64];    /* PORTAL_LDAP_EMAIL_ATTR, default mail */
	char ldap_name_attr[64];     /* PORTAL_LDAP_NAME_ATTR, default displayName */
	int ldap_groups_by_member;   /* PORTAL_LDAP_GROUPS: memberOf (0, default) or member (1) */
	char ldap_group_filter[1024];    /* PORTAL_LDAP_GROUP_FILTER, default
	                                    (objectClass=groupOfNames) */
	char ldap_group_base[1024];      /* PORTAL_LDAP_GROUP_BASE: "" is PORTAL_LDAP_BASE */
	int ldap_timeout;                /* PORTAL_LDAP_TIMEOUT seconds, 1..300, default 10 */
	int ldap_page_size;              /* PORTAL_LDAP_PAGE_SIZE, 1..10000, default 500 */
	int ldap_deactivate_max;         /* PORTAL_LDAP_DEACTIVATE_MAX, 0..1000000, default 5 */
	int ldap_deactivate_max_percent; /* PORTAL_LDAP_DEACTIVATE_MAX_PERCENT, 0..100, default 10
	                                  */
};

/* Fills c with the defaults above (database_url empty). */
void cfg_defaults(struct cfg *c);

/*
 * Loads the configuration: defaults, then the KEY=VALUE lines of dotenv
 * (a path; NULL or a missing file means none), then envp (a NULL-terminated
 * "KEY=VALUE" array such as environ), later sources overriding earlier ones.
 * .env lines: blank lines and '#' comments are skipped, an optional
 * "export " prefix and single or double quotes around the value are allowed.
 * Names other than DATABASE_URL and PORTAL_* are ignored. Known PORTAL_*
 * names that only the dev environment reads (PORTAL_HTTP_PORT,
 * PORTAL_HTTPS_PORT, PORTAL_PG_PORT, PORTAL_VAR) are accepted and ignored.
 * Returns 0, or -1 with a message in err such as
 *   PORTAL_WORKERS: "abc" is not a whole number from 1 to 256
 *   PORTAL_WROKERS: unknown setting (known: PORTAL_WORKERS, ...)
 *   .env line 3: expected KEY=VALUE
 * DATABASE_URL is not required here; programs that need it check it, as
 * portalctl directory sync checks PORTAL_LDAP_URL and PORTAL_LDAP_BASE.
 * PORTAL_AUTH with negotiate needs PORTAL_KRB5_KEYTAB and PORTAL_KRB5_REALM.
 * LDAP attribute names (PORTAL_LDAP_*_ATTR) are a letter and then letters,
 * digits and '-', or a numeric OID, at most 63 bytes.
 */
int cfg_load(struct cfg *c, char *const *envp, const char *dotenv, char *err, size_t errlen);

#endif
