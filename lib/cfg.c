/*
 * cfg: loads and validates the configuration from defaults, a .env file and
 * the environment (see cfg.h). Every setting is described once in a table,
 * so a new one is a row there plus a field in struct cfg.
 */
#include "cfg.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "req.h"

enum cfg_kind {
	CFG_INT,
	CFG_STR,
	CFG_LANG,
	CFG_LEVEL,
	CFG_AUTH,
	CFG_OPT_STR,
	CFG_DEV,
	CFG_ATTR,
	CFG_GROUPS
};

struct cfg_setting {
	const char *name;
	enum cfg_kind kind;
	size_t off;  /* offset of the field in struct cfg */
	size_t size; /* CFG_STR: size of the char array */
	long min, max;
};

#define INT_SETTING(name, field, lo, hi)                                                           \
	{                                                                                          \
		name, CFG_INT, offsetof(struct cfg, field), 0, lo, hi                              \
	}
#define STR_SETTING(name, field)                                                                   \
	{                                                                                          \
		name, CFG_STR, offsetof(struct cfg, field), sizeof(((struct cfg *)0)->field), 0, 0 \
	}
#define ATTR_SETTING(name, field)                                                                  \
	{                                                                                          \
		name, CFG_ATTR, offsetof(struct cfg, field), sizeof(((struct cfg *)0)->field), 0,  \
		    0                                                                              \
	}
#define DEV_SETTING(name)                                                                          \
	{                                                                                          \
		name, CFG_DEV, 0, 0, 0, 0                                                          \
	}

static const struct cfg_setting settings[] = {
	STR_SETTING("DATABASE_URL", database_url),
	INT_SETTING("PORTAL_WORKERS", workers, 1, 256),
	INT_SETTING("PORTAL_MAX_REQUESTS", max_requests, 0, 1000000000),
	INT_SETTING("PORTAL_REQUEST_TIMEOUT", request_timeout, 1, 3600),
	INT_SETTING("PORTAL_STATEMENT_TIMEOUT", statement_timeout, 10, 600000),
	{ "PORTAL_READ_URL", CFG_OPT_STR, offsetof(struct cfg, read_url),
	  sizeof(((struct cfg *)0)->read_url), 0, 0 },
	INT_SETTING("PORTAL_MAX_LAG_MS", max_lag_ms, 10, 600000),
	INT_SETTING("PORTAL_SESSION_IDLE", session_idle, 60, 86400),
	INT_SETTING("PORTAL_SESSION_MAX", session_max, 300, 604800),
	INT_SETTING("PORTAL_ARGON2_M_KIB", argon2_m_kib, 8192, 1048576),
	INT_SETTING("PORTAL_ARGON2_T", argon2_t, 1, 10),
	{ "PORTAL_LANG", CFG_LANG, offsetof(struct cfg, lang), sizeof(((struct cfg *)0)->lang), 0,
	  0 },
	STR_SETTING("PORTAL_TEMPLATES", templates),
	{ "PORTAL_LOG_LEVEL", CFG_LEVEL, offsetof(struct cfg, log_level), 0, 0, 0 },
	{ "PORTAL_AUTH", CFG_AUTH, offsetof(struct cfg, auth), 0, 0, 0 },
	{ "PORTAL_KRB5_KEYTAB", CFG_OPT_STR, offsetof(struct cfg, krb5_keytab),
	  sizeof(((struct cfg *)0)->krb5_keytab), 0, 0 },
	{ "PORTAL_KRB5_REALM", CFG_OPT_STR, offsetof(struct cfg, krb5_realm),
	  sizeof(((struct cfg *)0)->krb5_realm), 0, 0 },
	INT_SETTING("PORTAL_SSO_PROVISION", sso_provision, 0, 1),
	{ "PORTAL_SSO_CONTACT", CFG_OPT_STR, offsetof(struct cfg, sso_contact),
	  sizeof(((struct cfg *)0)->sso_contact), 0, 0 },
	STR_SETTING("PORTAL_LDAP_URL", ldap_url),
	STR_SETTING("PORTAL_LDAP_BASE", ldap_base),
	STR_SETTING("PORTAL_LDAP_BIND_DN", ldap_bind_dn),
	STR_SETTING("PORTAL_LDAP_BIND_PASSWORD_FILE", ldap_bind_password_file),
	STR_SETTING("PORTAL_LDAP_USER_FILTER", ldap_user_filter),
	ATTR_SETTING("PORTAL_LDAP_USERNAME_ATTR", ldap_username_attr),
	ATTR_SETTING("PORTAL_LDAP_EMAIL_ATTR", ldap_email_attr),
	ATTR_SETTING("PORTAL_LDAP_NAME_ATTR", ldap_name_attr),
	{ "PORTAL_LDAP_GROUPS", CFG_GROUPS, offsetof(struct cfg, ldap_groups_by_member), 0, 0, 0 },
	STR_SETTING("PORTAL_LDAP_GROUP_FILTER", ldap_group_filter),
	STR_SETTING("PORTAL_LDAP_GROUP_BASE", ldap_group_base),
	INT_SETTING("PORTAL_LDAP_TIMEOUT", ldap_timeout, 1, 300),
	INT_SETTING("PORTAL_LDAP_PAGE_SIZE", ldap_page_size, 1, 10000),
	INT_SETTING("PORTAL_LDAP_DEACTIVATE_MAX", ldap_deactivate_max, 0, 1000000),
	INT_SETTING("PORTAL_LDAP_DEACTIVATE_MAX_PERCENT", ldap_deactivate_max_percent, 0, 100),
	/* Read by deploy/dev only; known here so that a typo in them is
	 * still caught while they themselves pass. */
	DEV_SETTING("PORTAL_HTTP_PORT"),
	DEV_SETTING("PORTAL_HTTPS_PORT"),
	DEV_SETTING("PORTAL_PG_PORT"),
	DEV_SETTING("PORTAL_VAR"),
};

#define NSETTINGS (sizeof settings / sizeof settings[0])

void cfg_defaults(struct cfg *c)
{
	memset(c, 0, sizeof *c);
	c->workers = 4;
	c->max_lag_ms = 1000;
	c->max_requests = 10000;
	c->request_timeout = 30;
	c->statement_timeout = 5000;
	c->session_idle = 1800;
	c->session_max = 43200;
	c->argon2_m_kib = 19456;
	c->argon2_t = 2;
	memcpy(c->lang, "nl", 3);
	snprintf(c->templates, sizeof c->templates, "%s", "templates");
	c->log_level = LOG_INFO;
	c->auth.order[0] = SSO_PASSWORD;
	c->auth.n = 1;
	c->auth.mask = SSO_PASSWORD;
	snprintf(c->ldap_user_filter, sizeof c->ldap_user_filter, "%s",
	         "(objectClass=inetOrgPerson)");
	snprintf(c->ldap_username_attr, sizeof c->ldap_username_attr, "%s", "uid");
	snprintf(c->ldap_email_attr, sizeof c->ldap_email_attr, "%s", "mail");
	snprintf(c->ldap_name_attr, sizeof c->ldap_name_attr, "%s", "displayName");
	snprintf(c->ldap_group_filter, sizeof c->ldap_group_filter, "%s",
	         "(objectClass=groupOfNames)");
	c->ldap_timeout = 10;
	c->ldap_page_size = 500;
	c->ldap_deactivate_max = 5;
	c->ldap_deactivate_max_percent = 10;
}

/* An LDAP attribute description (RFC 4512): a letter, then letters, digits
 * and '-'; or a numeric OID. Options (";lang-nl") are not taken. */
static int is_attr_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63)
		return 0;
	if (s[0] >= '0' && s[0] <= '9') {
		int dot = 1;
		for (const char *p = s; *p; p++) {
			if (*p == '.') {
				if (dot)
					return 0;
				dot = 1;
			} else if (*p >= '0' && *p <= '9') {
				dot = 0;
			} else {
				return 0;
			}
		}
		return !dot;
	}
	for (const char *p = s; *p; p++) {
		int alpha = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
		if (!alpha && !(p > s && ((*p >= '0' && *p <= '9') || *p == '-')))
			return 0;
	}
	return 1;
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Strict whole numbers: strtol alone would take " 4", "+4" and "4abc"; a
 * setting that looks odd is more likely a mistake than a wish.
 */
static int parse_int(const char *s, long min, long max, int *out)
{
	const char *digits = s[0] == '-' ? s + 1 : s;
	char *end;
	long v;

	if (*digits < '0' || *digits > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

/* Edit distance of two short names, for "did you mean". */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[65];

	if (la > 64 || lb > 64)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static void unknown_setting(const char *where, const char *name, char *err, size_t errlen)
{
	const char *best = NULL;
	size_t best_d = 3; /* more than two edits is not a typo */
	char known[1024];
	size_t pos = 0;

	for (size_t i = 0; i < NSETTINGS; i++) {
		size_t d = distance(name, settings[i].name);
		if (d < best_d) {
			best_d = d;
			best = settings[i].name;
		}
	}
	if (best != NULL) {
		seterr(err, errlen, "%s%s: unknown setting (did you mean %s?)", where, name, best);
		return;
	}
	known[0] = '\0';
	for (size_t i = 0; i < NSETTINGS && pos < sizeof known; i++) {
		if (settings[i].kind == CFG_DEV || strncmp(settings[i].name, "PORTAL_", 7) != 0)
			continue;
		int n = snprintf(known + pos, sizeof known - pos, "%s%s", pos ? ", " : "",
		                 settings[i].name);
		if (n < 0)
			break;
		pos += (size_t)n;
	}
	seterr(err, errlen, "%s%s: unknown setting (known: %s)", where, name, known);
}

/*
 * Applies one NAME=value to c. where prefixes messages ("" or
 * "path line N: "). Values are quoted in messages through log_quote, which
 * bounds them and makes control characters harmless; DATABASE_URL is never
 * quoted since it may hold a password.
 */
static int apply(struct cfg *c, const char *where, const char *name, const char *value, char *err,
                 size_t errlen)
{
	const struct cfg_setting *s = NULL;
	char q[80];
	int v;

	if (strcmp(name, "DATABASE_URL") != 0 && strncmp(name, "PORTAL_", 7) != 0)
		return 0;
	for (size_t i = 0; i < NSETTINGS; i++)
		if (strcmp(name, settings[i].name) == 0)
			s = &settings[i];
	if (s == NULL) {
		unknown_setting(where, name, err, errlen);
		return -1;
	}

	char *field = (char *)c + s->off;
	switch (s->kind) {
	case CFG_INT:
		if (parse_int(value, s->min, s->max, &v) == 0) {
			memcpy(field, &v, sizeof v);
			return 0;
		}
		seterr(err, errlen, "%s%s: %s is not a whole number from %ld to %ld", where, name,
		       log_quote(q, sizeof q, value), s->min, s->max);
		return -1;
	case CFG_STR:
		if (value[0] == '\0' && s->off != offsetof(struct cfg, database_url)) {
			seterr(err, errlen, "%s%s: must not be empty", where, name);
			return -1;
		}
		if (strlen(value) >= s->size) {
			seterr(err, errlen, "%s%s: value too long (at most %zu bytes)", where, name,
			       s->size - 1);
			return -1;
		}
		memcpy(field, value, strlen(value) + 1);
		return 0;
	case CFG_LANG:
		if (strcmp(value, "nl") == 0 || strcmp(value, "en") == 0) {
			memcpy(field, value, 3);
			return 0;
		}
		seterr(err, errlen, "%s%s: %s is not a supported language (nl or en)", where, name,
		       log_quote(q, sizeof q, value));
		return -1;
	case CFG_LEVEL:
		if (log_parse_level(value, &c->log_level) == 0)
			return 0;
		seterr(err, errlen, "%s%s: %s is not a log level (debug, info, warn or error)",
		       where, name, log_quote(q, sizeof q, value));
		return -1;
	case CFG_AUTH: {
		char why[160];
		if (sso_parse_methods(value, &c->auth, why, sizeof why) == 0)
			return 0;
		seterr(err, errlen, "%s%s: %s", where, name, why);
		return -1;
	}
	case CFG_OPT_STR:
		if (strlen(value) >= s->size) {
			seterr(err, errlen, "%s%s: value too long (at most %zu bytes)", where, name,
			       s->size - 1);
			return -1;
		}
		if (str_has_control(value)) {
			seterr(err, errlen, "%s%s: contains a control character", where, name);
			return -1;
		}
		memcpy(field, value, strlen(value) + 1);
		return 0;
	case CFG_ATTR:
		if (is_attr_name(value)) {
			memcpy(field, value, strlen(value) + 1);
			return 0;
		}
		seterr(err, errlen, "%s%s: %s is not an LDAP attribute name", where, name,
		       log_quote(q, sizeof q, value));
		return -1;
	case CFG_GROUPS:
		if (strcasecmp(value, "memberOf") == 0 || strcasecmp(value, "member") == 0) {
			v = strcasecmp(value, "member") == 0;
			memcpy(field, &v, sizeof v);
			return 0;
		}
		seterr(err, errlen,
		       "%s%s: %s is neither memberOf (the users' attribute) nor member (the "
		       "groups')",
		       where, name, log_quote(q, sizeof q, value));
		return -1;
	case CFG_DEV:
		return 0;
	}
	return 0;
}

static int is_name_char(char ch, int first)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_' ||
	       (!first && ch >= '0' && ch <= '9');
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/*
 * Parses one .env line in place. Returns 1 with *name and *value set, 0 for
 * a blank or comment line, or -1 with a message. The accepted form is what
 * shells and docker's env files agree on: [export ]NAME=value, the value
 * bare (a " #" starts a comment, trailing blanks dropped), 'single quoted'
 * (taken as is) or "double quoted" (\" and \\ escaped).
 */
static int parse_line(char *p, char **name, char **value, const char **why)
{
	while (is_blank(*p))
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	if (strncmp(p, "export", 6) == 0 && is_blank(p[6])) {
		p += 6;
		while (is_blank(*p))
			p++;
	}
	*why = "expected KEY=VALUE";
	if (!is_name_char(*p, 1))
		return -1;
	*name = p;
	while (is_name_char(*p, 0))
		p++;
	if (*p != '=')
		return -1;
	*p++ = '\0';
	*value = p;

	if (*p == '"' || *p == '\'') {
		char quote = *p++;
		char *w = *value;
		for (;; p++) {
			if (*p == '\0') {
				*why = "no closing quote";
				return -1;
			}
			if (*p == quote)
				break;
			if (quote == '"' && *p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			*w++ = *p;
		}
		*w = '\0';
		p++;
		while (is_blank(*p))
			p++;
		if (*p != '\0' && *p != '#') {
			*why = "unexpected text after the closing quote";
			return -1;
		}
		return 1;
	}
	char *end = p;
	for (; *p != '\0'; p++) {
		if (*p == '#' && p > *value && is_blank(p[-1]))
			break;
		if (!is_blank(*p))
			end = p + 1;
	}
	*end = '\0';
	return 1;
}

static int load_dotenv(struct cfg *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0;
	int rc = 0;

	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
		char where[320];
		char *name, *value;
		const char *why = "";

		lineno++;
		snprintf(where, sizeof where, "%s line %d: ", path, lineno);
		if (strlen(line) != (size_t)len) {
			seterr(err, errlen, "%scontains a NUL byte", where);
			rc = -1;
			break;
		}
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		switch (parse_line(line, &name, &value, &why)) {
		case -1:
			seterr(err, errlen, "%s%s", where, why);
			rc = -1;
			break;
		case 1:
			rc = apply(c, where, name, value, err, errlen);
			break;
		default:
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	if (fclose(f) != 0 && rc == 0) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	return rc;
}

int cfg_load(struct cfg *c, char *const *envp, const char *dotenv, char *err, size_t errlen)
{
	/* Built aside and copied on success, so a failed reload (SIGHUP)
	 * leaves the running configuration as it was. */
	struct cfg n;

	cfg_defaults(&n);
	if (dotenv != NULL && load_dotenv(&n, dotenv, err, errlen) != 0)
		return -1;
	for (size_t i = 0; envp != NULL && envp[i] != NULL; i++) {
		const char *eq = strchr(envp[i], '=');
		char name[128];

		if (eq == NULL)
			continue;
		/* Longer names are never ours; only the prefix matters. */
		size_t len = (size_t)(eq - envp[i]);
		if (len >= sizeof name)
			len = sizeof name - 1;
		memcpy(name, envp[i], len);
		name[len] = '\0';
		if (apply(&n, "", name, eq + 1, err, errlen) != 0)
			return -1;
	}
	/* Kerberos needs the service's key and the realm whose users these are. */
	if ((n.auth.mask & SSO_NEGOTIATE) &&
	    (n.krb5_keytab[0] == '\0' || n.krb5_realm[0] == '\0')) {
		seterr(err, errlen,
		       "PORTAL_AUTH: negotiate needs PORTAL_KRB5_KEYTAB (the service's keytab) and "
		       "PORTAL_KRB5_REALM (such as CED.EXAMPLE)");
		return -1;
	}
	*c = n;
	return 0;
}
