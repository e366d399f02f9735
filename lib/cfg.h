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
 * DATABASE_URL is not required here; programs that need it check it.
 * PORTAL_AUTH with negotiate needs PORTAL_KRB5_KEYTAB and PORTAL_KRB5_REALM.
 */
int cfg_load(struct cfg *c, char *const *envp, const char *dotenv, char *err, size_t errlen);

#endif
