/*
 * ctl_directory: portalctl's directory sync and group mappings (see
 * ctl_directory.h): the directory read whole with libldap, then each user
 * through users_provision, grants_change and users_update, with the
 * decisions and bookkeeping of lib/directory.c.
 */
#include "ctl_directory.h"

#include <errno.h>
#include <fcntl.h>
#include <ldap.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "ctl.h"
#include "ctl_roles.h"
#include "directory.h"
#include "grants.h"
#include "log.h"
#include "req.h"
#include "users.h"

#define PLURAL(n) ((n) == 1 ? "" : "s")

/* ---- settings ----------------------------------------------------------------- */

int ctl_directory_read_secret(const char *path, char *out, size_t outlen, char *err, size_t errlen)
{
	struct stat st;
	size_t n = 0;
	int fd, rc = -1;
	char c;

	if (outlen > 0)
		out[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "PORTAL_LDAP_BIND_PASSWORD_FILE: could not open \"%s\": %s",
		         path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "PORTAL_LDAP_BIND_PASSWORD_FILE: \"%s\" is not a file", path);
		goto out;
	}
	if (st.st_mode & S_IROTH) {
		snprintf(err, errlen,
		         "PORTAL_LDAP_BIND_PASSWORD_FILE: \"%s\" may be read by everyone "
		         "(chmod o-r it)",
		         path);
		goto out;
	}
	/* Byte by byte up to the first newline: nothing after it is read. */
	for (;;) {
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen,
			         "PORTAL_LDAP_BIND_PASSWORD_FILE: could not read \"%s\": %s", path,
			         strerror(errno));
			goto out;
		}
		if (r == 0 || c == '\n')
			break;
		if (c == '\0') {
			snprintf(err, errlen,
			         "PORTAL_LDAP_BIND_PASSWORD_FILE: \"%s\" holds a NUL byte", path);
			goto out;
		}
		if (n + 1 >= outlen) {
			snprintf(
			    err, errlen,
			    "PORTAL_LDAP_BIND_PASSWORD_FILE: the first line of \"%s\" is longer "
			    "than %zu bytes",
			    path, outlen - 1);
			goto out;
		}
		out[n++] = c;
	}
	if (n > 0 && out[n - 1] == '\r')
		n--;
	if (n == 0) {
		snprintf(err, errlen,
		         "PORTAL_LDAP_BIND_PASSWORD_FILE: the first line of \"%s\" is empty", path);
		goto out;
	}
	out[n] = '\0';
	rc = (int)n;
out:
	close(fd);
	if (rc < 0)
		explicit_bzero(out, outlen);
	return rc;
}

static int is_filter(const char *f)
{
	size_t n = strlen(f);

	return n >= 2 && f[0] == '(' && f[n - 1] == ')';
}

int ctl_directory_check_settings(const struct cfg *cfg, char *err, size_t errlen)
{
	char key[DIRECTORY_DN_MAX + 1];

	if (cfg->ldap_url[0] == '\0') {
		snprintf(err, errlen, "PORTAL_LDAP_URL is not set (e.g. ldaps://dc1.ced.example)");
		return -1;
	}
	if (strncasecmp(cfg->ldap_url, "ldap://", 7) != 0 &&
	    strncasecmp(cfg->ldap_url, "ldaps://", 8) != 0 &&
	    strncasecmp(cfg->ldap_url, "ldapi://", 8) != 0) {
		snprintf(err, errlen,
		         "PORTAL_LDAP_URL: \"%.200s\" is not an ldap://, ldaps:// or ldapi:// URL",
		         cfg->ldap_url);
		return -1;
	}
	if (cfg->ldap_base[0] == '\0') {
		snprintf(err, errlen,
		         "PORTAL_LDAP_BASE is not set (e.g. OU=Staff,DC=ced,DC=example)");
		return -1;
	}
	if (directory_dn_key(cfg->ldap_base, key, sizeof key) != 0) {
		snprintf(err, errlen, "PORTAL_LDAP_BASE: \"%.200s\" is not a DN", cfg->ldap_base);
		return -1;
	}
	if (cfg->ldap_group_base[0] != '\0' &&
	    directory_dn_key(cfg->ldap_group_base, key, sizeof key) != 0) {
		snprintf(err, errlen, "PORTAL_LDAP_GROUP_BASE: \"%.200s\" is not a DN",
		         cfg->ldap_group_base);
		return -1;
	}
	if (cfg->ldap_bind_dn[0] != '\0' && cfg->ldap_bind_password_file[0] == '\0') {
		snprintf(err, errlen,
		         "PORTAL_LDAP_BIND_DN is set but PORTAL_LDAP_BIND_PASSWORD_FILE is not");
		return -1;
	}
	if (cfg->ldap_bind_dn[0] == '\0' && cfg->ldap_bind_password_file[0] != '\0') {
		snprintf(err, errlen,
		         "PORTAL_LDAP_BIND_PASSWORD_FILE is set but PORTAL_LDAP_BIND_DN is not");
		return -1;
	}
	if (cfg->ldap_bind_dn[0] != '\0' &&
	    directory_dn_key(cfg->ldap_bind_dn, key, sizeof key) != 0) {
		snprintf(err, errlen, "PORTAL_LDAP_BIND_DN: \"%.200s\" is not a DN",
		         cfg->ldap_bind_dn);
		return -1;
	}
	if (!is_filter(cfg->ldap_user_filter)) {
		snprintf(err, errlen, "PORTAL_LDAP_USER_FILTER: \"%.200s\" is not in parentheses",
		         cfg->ldap_user_filter);
		return -1;
	}
	if (cfg->ldap_groups_by_member && !is_filter(cfg->ldap_group_filter)) {
		snprintf(err, errlen, "PORTAL_LDAP_GROUP_FILTER: \"%.200s\" is not in parentheses",
		         cfg->ldap_group_filter);
		return -1;
	}
	return 0;
}

/* ---- reading the directory ------------------------------------------------------ */

struct entry {
	const char *dn, *key; /* key: directory_dn_key of dn */
	const char *username, *email, *name;
	const char *problem; /* why it is skipped; NULL: synced */
	const char **groups; /* keys */
	size_t ngroups;
};

struct pair {
	size_t entry;
	const char *group;
};

struct dir {
	struct arena ar;
	struct entry *e;
	size_t n, cap;
	struct pair *pairs; /* (entry, group key), distributed into e[].groups at the end */
	size_t npairs, pairs_cap;
	struct entry **by_key; /* the entries sorted by key, for the member variant */
};

static void dir_free(struct dir *d)
{
	free(d->e);
	free(d->pairs);
	free(d->by_key);
	arena_free(&d->ar);
	memset(d, 0, sizeof *d);
}

static void add_pair(struct dir *d, size_t entry, const char *group)
{
	if (d->npairs == d->pairs_cap) {
		d->pairs_cap = d->pairs_cap ? d->pairs_cap * 2 : 256;
		d->pairs = realloc(d->pairs, d->pairs_cap * sizeof *d->pairs);
		if (d->pairs == NULL)
			abort();
	}
	d->pairs[d->npairs++] = (struct pair){ entry, group };
}

/* The message of a failed LDAP call: the library's text and the server's
 * diagnostic message, if it gave one. */
static void ldap_problem(LDAP *ld, int rc, const char *what, char *err, size_t errlen)
{
	char *diag = NULL;

	if (ld != NULL)
		(void)ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	snprintf(err, errlen, "%s: %s%s%.300s%s", what, ldap_err2string(rc),
	         diag && diag[0] ? " (" : "", diag ? diag : "", diag && diag[0] ? ")" : "");
	ldap_memfree(diag);
}

/* Connects and binds. NULL with the message in err. */
static LDAP *ldap_open_bind(const struct cfg *cfg, const char *password, char *err, size_t errlen)
{
	struct timeval tv = { cfg->ldap_timeout, 0 };
	struct berval cred = { 0, NULL };
	int version = LDAP_VERSION3, rc;
	char what[1400];
	LDAP *ld = NULL;

	rc = ldap_initialize(&ld, cfg->ldap_url);
	if (rc != LDAP_SUCCESS) {
		snprintf(err, errlen, "PORTAL_LDAP_URL \"%.200s\": %s", cfg->ldap_url,
		         ldap_err2string(rc));
		return NULL;
	}
	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv) != LDAP_OPT_SUCCESS) {
		snprintf(err, errlen, "could not set the LDAP options");
		ldap_unbind_ext_s(ld, NULL, NULL);
		return NULL;
	}
	if (password != NULL) {
		cred.bv_val = (char *)password;
		cred.bv_len = strlen(password);
	}
	rc = ldap_sasl_bind_s(ld, cfg->ldap_bind_dn[0] ? cfg->ldap_bind_dn : NULL, LDAP_SASL_SIMPLE,
	                      &cred, NULL, NULL, NULL);
	if (rc == LDAP_SUCCESS)
		return ld;
	if (rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_TIMEOUT) {
		snprintf(what, sizeof what,
		         "could not reach the directory at %.300s (PORTAL_LDAP_URL)",
		         cfg->ldap_url);
		ldap_problem(ld, rc, what, err, errlen);
	} else if (rc == LDAP_INVALID_CREDENTIALS) {
		snprintf(err, errlen,
		         "the directory refused the bind as \"%.300s\": %s (check "
		         "PORTAL_LDAP_BIND_DN and PORTAL_LDAP_BIND_PASSWORD_FILE)",
		         cfg->ldap_bind_dn, ldap_err2string(rc));
	} else {
		snprintf(what, sizeof what,
		         "could not bind to the directory at %.300s as \"%.300s\"", cfg->ldap_url,
		         cfg->ldap_bind_dn[0] ? cfg->ldap_bind_dn : "(anonymous)");
		ldap_problem(ld, rc, what, err, errlen);
	}
	ldap_unbind_ext_s(ld, NULL, NULL);
	return NULL;
}

/* Copies the first value of attr ("" when there is none: *count 0). */
static const char *first_value(LDAP *ld, LDAPMessage *m, const char *attr, struct arena *ar,
                               int *count, int *has_nul)
{
	struct berval **v = ldap_get_values_len(ld, m, attr);
	const char *s;

	*count = v ? ldap_count_values_len(v) : 0;
	*has_nul = 0;
	if (*count == 0) {
		ldap_value_free_len(v);
		return "";
	}
	*has_nul = memchr(v[0]->bv_val, '\0', v[0]->bv_len) != NULL;
	s = arena_strndup(ar, v[0]->bv_val, v[0]->bv_len);
	ldap_value_free_len(v);
	return s;
}

struct search_ctx {
	const struct cfg *cfg;
	struct dir *d;
	char *err;
	size_t errlen;
};

/* Why an entry's values cannot become a user (n* how many values each
 * attribute had, z* whether the first holds a NUL byte), or NULL. The
 * checks are those of `user add`. */
static const char *value_problem(const struct cfg *cfg, const struct entry *e, int nu, int ne,
                                 int nn, int z1, int z2, int z3, struct arena *ar)
{
	char msg[512];

	if (nu == 0)
		return arena_printf(ar, "it has no %s", cfg->ldap_username_attr);
	if (z1 || users_check_username(e->username, msg, sizeof msg) != 0)
		return arena_printf(ar, "%s: %s", cfg->ldap_username_attr,
		                    z1 ? "holds a NUL byte" : msg);
	if (ne == 0)
		return arena_printf(ar, "it has no %s", cfg->ldap_email_attr);
	if (z2 || users_check_email(e->email, msg, sizeof msg) != 0)
		return arena_printf(ar, "%s: %s", cfg->ldap_email_attr,
		                    z2 ? "holds a NUL byte" : msg);
	if (nn > 0 && (z3 || users_check_display_name(e->name, msg, sizeof msg) != 0))
		return arena_printf(ar, "%s: %s", cfg->ldap_name_attr,
		                    z3 ? "holds a NUL byte" : msg);
	return NULL;
}

/* One user entry into d. */
static int take_user(LDAP *ld, LDAPMessage *m, struct search_ctx *sc)
{
	const struct cfg *cfg = sc->cfg;
	struct dir *d = sc->d;
	char key[DIRECTORY_DN_MAX + 1];
	struct entry *e;
	char *dn = ldap_get_dn(ld, m);
	int nu, ne, nn, z1, z2, z3;

	if (dn == NULL) {
		snprintf(sc->err, sc->errlen, "the directory sent an entry without a DN");
		return -1;
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 256;
		d->e = realloc(d->e, d->cap * sizeof *d->e);
		if (d->e == NULL)
			abort();
	}
	e = &d->e[d->n];
	memset(e, 0, sizeof *e);
	e->dn = arena_strdup(&d->ar, dn);
	ldap_memfree(dn);
	e->username = first_value(ld, m, cfg->ldap_username_attr, &d->ar, &nu, &z1);
	e->email = first_value(ld, m, cfg->ldap_email_attr, &d->ar, &ne, &z2);
	e->name = first_value(ld, m, cfg->ldap_name_attr, &d->ar, &nn, &z3);
	if (directory_dn_key(e->dn, key, sizeof key) != 0) {
		e->key = "";
		e->problem = "its DN is not one the portal can compare";
	} else {
		e->key = arena_strdup(&d->ar, key);
		e->problem = value_problem(cfg, e, nu, ne, nn, z1, z2, z3, &d->ar);
	}
	if (!cfg->ldap_groups_by_member) {
		struct berval **v = ldap_get_values_len(ld, m, "memberOf");

		for (int i = 0; v != NULL && v[i] != NULL; i++) {
			char *g = arena_strndup(&d->ar, v[i]->bv_val, v[i]->bv_len);

			if (strlen(g) == v[i]->bv_len && directory_dn_key(g, key, sizeof key) == 0)
				add_pair(d, d->n, arena_strdup(&d->ar, key));
		}
		ldap_value_free_len(v);
	}
	d->n++;
	return 0;
}

static int by_key_cmp(const void *a, const void *b)
{
	return strcmp((*(struct entry *const *)a)->key, (*(struct entry *const *)b)->key);
}

/* The entry whose DN has key; (size_t)-1 when none. */
static size_t find_by_key(const struct dir *d, const char *key)
{
	size_t lo = 0, hi = d->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(d->by_key[mid]->key, key);

		if (c == 0)
			return (size_t)(d->by_key[mid] - d->e);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (size_t)-1;
}

/* One group entry (the member variant): each member that is a user read
 * gets the group. */
static int take_group(LDAP *ld, LDAPMessage *m, struct search_ctx *sc)
{
	struct dir *d = sc->d;
	char key[DIRECTORY_DN_MAX + 1], mkey[DIRECTORY_DN_MAX + 1];
	char *dn = ldap_get_dn(ld, m);
	struct berval **v;
	const char *gkey;

	if (dn == NULL) {
		snprintf(sc->err, sc->errlen, "the directory sent an entry without a DN");
		return -1;
	}
	if (directory_dn_key(dn, key, sizeof key) != 0) {
		ldap_memfree(dn);
		return 0;
	}
	ldap_memfree(dn);
	gkey = arena_strdup(&d->ar, key);
	v = ldap_get_values_len(ld, m, "member");
	for (int i = 0; v != NULL && v[i] != NULL; i++) {
		char *mdn = arena_strndup(&d->ar, v[i]->bv_val, v[i]->bv_len);
		size_t at;

		if (strlen(mdn) != v[i]->bv_len || directory_dn_key(mdn, mkey, sizeof mkey) != 0)
			continue;
		at = find_by_key(d, mkey);
		if (at != (size_t)-1)
			add_pair(d, at, gkey);
	}
	ldap_value_free_len(v);
	return 0;
}

/*
 * Searches base (subtree) with filter for attrs, page by page, calling
 * each on every entry. -1 with the message in err on any failure: a
 * search that did not finish reads as one that failed, so that a user
 * missing from an unfinished answer is never taken for a leaver.
 */
static int paged_search(LDAP *ld, const char *base, const char *filter, char **attrs,
                        const char *setting,
                        int (*each)(LDAP *, LDAPMessage *, struct search_ctx *),
                        struct search_ctx *sc)
{
	const struct cfg *cfg = sc->cfg;
	struct berval cookie = { 0, NULL };
	int rc = -1, pages = 0;

	for (;;) {
		struct timeval tv = { cfg->ldap_timeout, 0 };
		LDAPControl *page = NULL, *ctrls[2] = { NULL, NULL }, **sctrls = NULL, *pr;
		LDAPMessage *res = NULL;
		int code = LDAP_SUCCESS, r;
		ber_int_t estimate = 0;
		char what[1400];

		r = ldap_create_page_control(ld, (ber_int_t)cfg->ldap_page_size,
		                             cookie.bv_val ? &cookie : NULL, 0, &page);
		if (r != LDAP_SUCCESS) {
			ldap_problem(ld, r, "could not make the paged results control", sc->err,
			             sc->errlen);
			break;
		}
		ctrls[0] = page;
		r = ldap_search_ext_s(ld, base, LDAP_SCOPE_SUBTREE, filter, attrs, 0, ctrls, NULL,
		                      &tv, LDAP_NO_LIMIT, &res);
		ldap_control_free(page);
		if (r != LDAP_SUCCESS) {
			if (r == LDAP_FILTER_ERROR)
				snprintf(what, sizeof what,
				         "%s \"%.300s\" is not a valid LDAP filter", setting,
				         filter);
			else if (r == LDAP_NO_SUCH_OBJECT)
				snprintf(what, sizeof what,
				         "the directory has no entry \"%.300s\" (%s)", base,
				         strcmp(setting, "PORTAL_LDAP_USER_FILTER") == 0
				             ? "PORTAL_LDAP_BASE"
				             : "PORTAL_LDAP_GROUP_BASE");
			else if (r == LDAP_SERVER_DOWN || r == LDAP_TIMEOUT)
				snprintf(what, sizeof what, "the directory stopped answering");
			else
				snprintf(what, sizeof what,
				         "could not search \"%.300s\" for %.300s", base, filter);
			ldap_problem(ld, r, what, sc->err, sc->errlen);
			ldap_msgfree(res);
			break;
		}
		for (LDAPMessage *m = ldap_first_entry(ld, res); m != NULL;
		     m = ldap_next_entry(ld, m)) {
			if (each(ld, m, sc) != 0) {
				ldap_msgfree(res);
				goto out;
			}
		}
		r = ldap_parse_result(ld, res, &code, NULL, NULL, NULL, &sctrls, 1);
		if (r != LDAP_SUCCESS || code != LDAP_SUCCESS) {
			ldap_problem(ld, r != LDAP_SUCCESS ? r : code, "the search failed", sc->err,
			             sc->errlen);
			ldap_controls_free(sctrls);
			break;
		}
		pages++;
		pr = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, sctrls, NULL);
		ber_memfree(cookie.bv_val);
		cookie.bv_val = NULL;
		cookie.bv_len = 0;
		if (pr != NULL &&
		    ldap_parse_pageresponse_control(ld, pr, &estimate, &cookie) != LDAP_SUCCESS) {
			snprintf(sc->err, sc->errlen,
			         "the directory's paged results could not be read");
			ldap_controls_free(sctrls);
			break;
		}
		ldap_controls_free(sctrls);
		if (pr == NULL || cookie.bv_val == NULL || cookie.bv_len == 0) {
			rc = 0;
			break;
		}
	}
out:
	ber_memfree(cookie.bv_val);
	log_debug("directory search", "pages=%d ok=%d", pages, rc == 0);
	return rc;
}

static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->entry != y->entry)
		return x->entry < y->entry ? -1 : 1;
	return strcmp(x->group, y->group);
}

/* Reads every user and their groups into d. -1 with the message in err. */
static int read_directory(const struct cfg *cfg, const char *password, struct dir *d, char *err,
                          size_t errlen)
{
	char *uattrs[5] = { (char *)cfg->ldap_username_attr, (char *)cfg->ldap_email_attr,
		            (char *)cfg->ldap_name_attr, NULL, NULL };
	char *gattrs[2] = { "member", NULL };
	struct search_ctx sc = { cfg, d, err, errlen };
	LDAP *ld;
	int rc;

	if (!cfg->ldap_groups_by_member)
		uattrs[3] = "memberOf";
	ld = ldap_open_bind(cfg, password, err, errlen);
	if (ld == NULL)
		return -1;
	rc = paged_search(ld, cfg->ldap_base, cfg->ldap_user_filter, uattrs,
	                  "PORTAL_LDAP_USER_FILTER", take_user, &sc);
	if (rc == 0 && cfg->ldap_groups_by_member) {
		d->by_key = malloc((d->n + 1) * sizeof(struct entry *));
		if (d->by_key == NULL)
			abort();
		for (size_t i = 0; i < d->n; i++)
			d->by_key[i] = &d->e[i];
		qsort(d->by_key, d->n, sizeof(struct entry *), by_key_cmp);
		rc = paged_search(
		    ld, cfg->ldap_group_base[0] ? cfg->ldap_group_base : cfg->ldap_base,
		    cfg->ldap_group_filter, gattrs, "PORTAL_LDAP_GROUP_FILTER", take_group, &sc);
	}
	ldap_unbind_ext_s(ld, NULL, NULL);
	if (rc != 0)
		return -1;
	/* Each entry's groups: a slice of the sorted pairs, each group once. */
	if (d->npairs > 0) {
		const char **keys = arena_alloc(&d->ar, d->npairs * sizeof *keys);
		size_t k = 0;

		qsort(d->pairs, d->npairs, sizeof *d->pairs, pair_cmp);
		for (size_t i = 0; i < d->npairs; i++) {
			struct entry *e = &d->e[d->pairs[i].entry];

			if (e->ngroups > 0 &&
			    strcmp(e->groups[e->ngroups - 1], d->pairs[i].group) == 0)
				continue;
			if (e->ngroups == 0)
				e->groups = &keys[k];
			keys[k++] = d->pairs[i].group;
			e->ngroups++;
		}
	}
	return 0;
}

/* ---- the sync ------------------------------------------------------------------- */

struct known {
	long long id;
	const char *username;
	int active, by_sync, present;
};

struct sync {
	struct db *db;
	const struct cfg *cfg;
	struct dir d;
	struct known *k;
	size_t nk;
	struct directory_mapping *maps;
	const char **map_names; /* role names, by maps[] */
	size_t nmaps;
	PGresult *maps_res, *known_res;
	int dry_run;
	struct buf lines;
	long created, updated, deactivated, activated, given, taken, skipped, sessions;
	FILE *err;
};

static int known_cmp(const void *a, const void *b)
{
	return strcasecmp(((const struct known *)a)->username, ((const struct known *)b)->username);
}

static struct known *find_known(struct sync *s, const char *username)
{
	struct known key = { 0, username, 0, 0, 0 };

	return s->nk ? bsearch(&key, s->k, s->nk, sizeof *s->k, known_cmp) : NULL;
}

static int entry_name_cmp(const void *a, const void *b)
{
	return strcasecmp((*(struct entry *const *)a)->username,
	                  (*(struct entry *const *)b)->username);
}

/* Two entries with one username (any case) are both skipped: which of them
 * is the person is not the portal's to guess. */
static void skip_duplicates(struct dir *d)
{
	struct entry **ix = malloc((d->n + 1) * sizeof(struct entry *));

	if (ix == NULL)
		abort();
	for (size_t i = 0; i < d->n; i++)
		ix[i] = &d->e[i];
	qsort(ix, d->n, sizeof(struct entry *), entry_name_cmp);
	for (size_t i = 1; i < d->n; i++) {
		struct entry *a = ix[i - 1], *b = ix[i];

		if (a->username[0] != '\0' && strcasecmp(a->username, b->username) == 0) {
			const char *why = arena_printf(
			    &d->ar, "another entry has the same username \"%s\"", b->username);
			if (a->problem == NULL)
				a->problem = why;
			if (b->problem == NULL)
				b->problem = why;
		}
	}
	free(ix);
}

static int simple(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	PQclear(res);
	return ok ? 0 : -1;
}

/* A real run commits each user on its own (a long transaction holding an
 * audit row would hold up every sign-in: schema/README.md, 0009); a dry run
 * is one transaction, rolled back at the end. */
static int tx_begin(struct sync *s)
{
	if (s->dry_run)
		return 0;
	if (simple(db_conn(s->db), "BEGIN") != 0) {
		fprintf(s->err, CTL_PROG ": directory sync: could not begin: %s",
		        PQerrorMessage(db_conn(s->db)));
		return -1;
	}
	return 0;
}

static int tx_end(struct sync *s, int ok)
{
	PGconn *conn = db_conn(s->db);

	if (s->dry_run)
		return ok ? 0 : -1;
	if (conn == NULL)
		return -1;
	if (ok && PQtransactionStatus(conn) == PQTRANS_INTRANS) {
		if (simple(conn, "COMMIT") == 0)
			return 0;
		fprintf(s->err, CTL_PROG ": directory sync: could not commit: %s",
		        PQerrorMessage(conn));
		return -1;
	}
	if (PQstatus(conn) == CONNECTION_OK)
		(void)simple(conn, "ROLLBACK");
	return -1;
}

static void ids_literal(struct buf *b, const long long *ids, size_t n)
{
	buf_putc(b, '{');
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s%lld", i ? "," : "", ids[i]);
	buf_putc(b, '}');
}

static const char *map_role_name(const struct sync *s, long long id)
{
	for (size_t i = 0; i < s->nmaps; i++)
		if (s->maps[i].role_id == id)
			return s->map_names[i];
	return "?";
}

/* The roles of one user: given and taken per the mappings. -1: the
 * database failed (printed). */
static int sync_roles(struct sync *s, const struct entry *e, long long uid)
{
	char idtext[AUDIT_ID_LEN];
	const char *p[2] = { idtext, NULL };
	struct directory_held *held = NULL;
	long long *wanted = NULL, *give = NULL, *take = NULL;
	size_t nwanted, nheld, ngive, ntake;
	struct buf uids = { 0 }, rids = { 0 };
	struct grants_outcome g;
	enum db_status st;
	PGresult *res;
	int rc = -1;

	snprintf(idtext, sizeof idtext, "%lld", uid);
	res = ctl_run(s->db, "directory_user_roles", 1, p, "read the user's roles", s->err);
	if (res == NULL)
		return -1;
	nheld = (size_t)PQntuples(res);
	held = calloc(nheld + 1, sizeof *held);
	wanted = calloc(s->nmaps + 1, sizeof *wanted);
	give = calloc(s->nmaps + 1, sizeof *give);
	take = calloc(nheld + 1, sizeof *take);
	if (held == NULL || wanted == NULL || give == NULL || take == NULL)
		abort();
	for (size_t i = 0; i < nheld; i++) {
		held[i].role_id = db_int(res, (int)i, "role_id");
		held[i].owned = db_bool(res, (int)i, "owned");
	}
	nwanted = directory_wanted_roles(e->groups, e->ngroups, s->maps, s->nmaps, wanted);
	directory_role_diff(wanted, nwanted, held, nheld, give, &ngive, take, &ntake);
	buf_printf(&uids, "{%lld}", uid);
	if (ngive > 0) {
		ids_literal(&rids, give, ngive);
		if (grants_change(s->db, "grant_user_roles", &audit_directory, buf_str(&uids),
		                  buf_str(&rids), &g, &st) != 0)
			goto dbfail;
		p[1] = buf_str(&rids);
		PGresult *own = ctl_run(s->db, "directory_own", 2, p, "record the grants", s->err);
		if (own == NULL)
			goto out;
		PQclear(own);
		s->given += g.changed;
		for (size_t i = 0; i < ngive; i++)
			buf_printf(&s->lines, "give role \"%s\" to user \"%s\"\n",
			           map_role_name(s, give[i]), e->username);
	}
	if (ntake > 0) {
		buf_reset(&rids);
		ids_literal(&rids, take, ntake);
		if (grants_change(s->db, "revoke_user_roles", &audit_directory, buf_str(&uids),
		                  buf_str(&rids), &g, &st) != 0)
			goto dbfail;
		s->taken += g.changed;
		for (size_t i = 0; i < ntake; i++)
			for (size_t j = 0; j < nheld; j++)
				if (held[j].role_id == take[i])
					buf_printf(&s->lines, "take role \"%s\" from user \"%s\"\n",
					           db_text(res, (int)j, "role_name"), e->username);
	}
	rc = 0;
	goto out;
dbfail:
	fprintf(s->err, CTL_PROG ": directory sync: could not change the roles of \"%s\": %s\n",
	        e->username,
	        db_last_message(s->db)[0] ? db_last_message(s->db) : "the database failed");
out:
	PQclear(res);
	buf_free(&uids);
	buf_free(&rids);
	free(held);
	free(wanted);
	free(give);
	free(take);
	return rc;
}

/* One entry of the directory: provisioned, activated again if the sync had
 * deactivated it, its roles. 0 (also skipped), -1: the database failed. */
static int sync_entry(struct sync *s, struct entry *e)
{
	const struct users_new u = { .username = e->username,
		                     .email = e->email,
		                     .display_name = e->name };
	struct known *k = find_known(s, e->username);
	struct users_outcome o;
	char idtext[AUDIT_ID_LEN];
	const char *p[4];
	struct buf groups = { 0 };
	PGresult *res;

	switch (users_provision(s->db, &audit_directory, &u, e->dn, &o)) {
	case USERS_EMAIL_TAKEN:
		fprintf(s->err,
		        CTL_PROG ": directory sync: skipped \"%s\": email address \"%s\" is "
		                 "already used by user \"%s\"\n",
		        e->dn, e->email, o.username);
		s->skipped++;
		return 0;
	case USERS_DB_ERROR:
		fprintf(s->err, CTL_PROG ": directory sync: could not provision \"%s\": %s\n",
		        e->username,
		        db_last_message(s->db)[0] ? db_last_message(s->db) : "the database failed");
		return -1;
	default:
		break;
	}
	s->created += o.created;
	s->updated += o.updated;
	users_describe_provision(&s->lines, &u, &o);
	snprintf(idtext, sizeof idtext, "%lld", o.id);
	for (size_t i = 0; i < e->ngroups; i++)
		buf_printf(&groups, "%s%s", i ? "\n" : "", e->groups[i]);
	p[0] = idtext;
	p[1] = e->dn;
	p[2] = o.created ? "t" : "f";
	p[3] = buf_str(&groups);
	res = ctl_run(s->db, "directory_seen", 4, p, "record the user as seen", s->err);
	buf_free(&groups);
	if (res == NULL)
		return -1;
	PQclear(res);
	if (k != NULL && !k->active && k->by_sync) {
		struct users_change on = { .superuser = -1, .active = 1 };
		struct users_outcome a;
		enum users_status st = users_update(s->db, &audit_directory, o.id, &on, &a);

		if (st == USERS_OK) {
			s->activated++;
			buf_printf(&s->lines, "activate user \"%s\" (back in the directory)\n",
			           e->username);
		} else if (st != USERS_UNCHANGED) {
			fprintf(s->err,
			        CTL_PROG ": directory sync: could not activate \"%s\": %s\n",
			        e->username, db_last_message(s->db));
			return -1;
		}
	}
	return sync_roles(s, e, o.id);
}

/* One user the sync knows who is gone from the directory. */
static int sync_leaver(struct sync *s, const struct known *k)
{
	struct users_change off = { .superuser = -1, .active = 0 };
	char idtext[AUDIT_ID_LEN];
	const char *p[1] = { idtext };
	struct users_outcome o;
	PGresult *res;

	switch (users_update(s->db, &audit_directory, k->id, &off, &o)) {
	case USERS_OK:
		s->deactivated++;
		s->sessions += o.sessions_ended;
		buf_printf(
		    &s->lines,
		    "deactivate user \"%s\" (gone from the directory; %ld session%s ended)\n",
		    k->username, o.sessions_ended, PLURAL(o.sessions_ended));
		break;
	case USERS_UNCHANGED:
	case USERS_NOT_FOUND:
		return 0;
	case USERS_LAST_SUPERUSER:
		fprintf(s->err,
		        CTL_PROG ": directory sync: kept user \"%s\": it is the last active "
		                 "superuser\n",
		        k->username);
		return 0;
	default:
		fprintf(s->err, CTL_PROG ": directory sync: could not deactivate \"%s\": %s\n",
		        k->username,
		        db_last_message(s->db)[0] ? db_last_message(s->db) : "the database failed");
		return -1;
	}
	snprintf(idtext, sizeof idtext, "%lld", k->id);
	res = ctl_run(s->db, "directory_gone", 1, p, "record the deactivation", s->err);
	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

/* The mappings and the known users, into s. -1: printed. */
static int load_state(struct sync *s)
{
	s->maps_res =
	    ctl_run(s->db, "directory_mappings", 0, NULL, "read the group mappings", s->err);
	if (s->maps_res == NULL)
		return -1;
	s->nmaps = (size_t)PQntuples(s->maps_res);
	s->maps = calloc(s->nmaps + 1, sizeof *s->maps);
	s->map_names = calloc(s->nmaps + 1, sizeof *s->map_names);
	if (s->maps == NULL || s->map_names == NULL)
		abort();
	for (size_t i = 0; i < s->nmaps; i++) {
		s->maps[i].key = db_text(s->maps_res, (int)i, "group_key");
		s->maps[i].role_id = db_int(s->maps_res, (int)i, "role_id");
		s->map_names[i] = db_text(s->maps_res, (int)i, "role_name");
	}
	s->known_res =
	    ctl_run(s->db, "directory_known", 0, NULL, "read the users it knows", s->err);
	if (s->known_res == NULL)
		return -1;
	s->nk = (size_t)PQntuples(s->known_res);
	s->k = calloc(s->nk + 1, sizeof *s->k);
	if (s->k == NULL)
		abort();
	for (size_t i = 0; i < s->nk; i++) {
		s->k[i].id = db_int(s->known_res, (int)i, "user_id");
		s->k[i].username = db_text(s->known_res, (int)i, "username");
		s->k[i].active = db_bool(s->known_res, (int)i, "is_active");
		s->k[i].by_sync = db_bool(s->known_res, (int)i, "by_sync");
	}
	qsort(s->k, s->nk, sizeof *s->k, known_cmp);
	return 0;
}

static void sync_free(struct sync *s)
{
	dir_free(&s->d);
	free(s->k);
	free(s->maps);
	free(s->map_names);
	PQclear(s->maps_res);
	PQclear(s->known_res);
	buf_free(&s->lines);
}

/* Everything after the directory was read and the lock taken. */
static int sync_run(struct sync *s, int force, long *known_active, long *leavers)
{
	struct buf details = { 0 };
	const char *p[5];
	PGresult *res;
	int failed = 0;

	if (load_state(s) != 0)
		return -1;
	/* Who is present: every entry with a username, skipped or not (a
	 * value the portal cannot take is no reason to switch anyone off). */
	for (size_t i = 0; i < s->d.n; i++) {
		struct known *k = s->d.e[i].username[0] ? find_known(s, s->d.e[i].username) : NULL;
		if (k != NULL)
			k->present = 1;
	}
	*known_active = 0;
	*leavers = 0;
	for (size_t i = 0; i < s->nk; i++) {
		*known_active += s->k[i].active;
		*leavers += s->k[i].active && !s->k[i].present;
	}
	if (!force && *leavers > 0 &&
	    (directory_limit_exceeded(*leavers, *known_active, s->cfg->ldap_deactivate_max,
	                              s->cfg->ldap_deactivate_max_percent) ||
	     s->d.n == 0)) {
		fprintf(s->err,
		        CTL_PROG ": directory sync: refused: it would deactivate %ld of the %ld "
		                 "active users it knows (%s), who are gone from the directory:\n",
		        *leavers, *known_active,
		        s->d.n == 0 ? "the directory returned no users at all"
		                    : "more than PORTAL_LDAP_DEACTIVATE_MAX and "
		                      "PORTAL_LDAP_DEACTIVATE_MAX_PERCENT allow");
		for (size_t i = 0; i < s->nk; i++)
			if (s->k[i].active && !s->k[i].present)
				fprintf(s->err, "  %s\n", s->k[i].username);
		fprintf(s->err,
		        CTL_PROG ": check PORTAL_LDAP_BASE and PORTAL_LDAP_USER_FILTER (a "
		                 "dry run shows the whole plan); if they are right, run it with "
		                 "--force. Nothing was changed.\n");
		return -2;
	}
	if (s->dry_run && simple(db_conn(s->db), "BEGIN") != 0) {
		fprintf(s->err, CTL_PROG ": directory sync: could not begin: %s",
		        PQerrorMessage(db_conn(s->db)));
		return -1;
	}
	for (size_t i = 0; i < s->d.n && !failed; i++) {
		struct entry *e = &s->d.e[i];

		if (e->problem != NULL) {
			fprintf(s->err, CTL_PROG ": directory sync: skipped \"%s\": %s\n", e->dn,
			        e->problem);
			s->skipped++;
			continue;
		}
		if (tx_begin(s) != 0) {
			failed = 1;
			break;
		}
		failed = tx_end(s, sync_entry(s, e) == 0) != 0;
	}
	for (size_t i = 0; i < s->nk && !failed; i++) {
		if (!s->k[i].active || s->k[i].present)
			continue;
		if (tx_begin(s) != 0) {
			failed = 1;
			break;
		}
		failed = tx_end(s, sync_leaver(s, &s->k[i]) == 0) != 0;
	}
	if (!failed) {
		buf_printf(&details,
		           "{\"entries\": %zu, \"created\": %ld, \"updated\": %ld, "
		           "\"deactivated\": %ld, \"activated\": %ld, \"roles_given\": %ld, "
		           "\"roles_taken\": %ld, \"skipped\": %ld, \"forced\": %s}",
		           s->d.n, s->created, s->updated, s->deactivated, s->activated, s->given,
		           s->taken, s->skipped, force ? "true" : "false");
		audit_params(&audit_directory, p);
		p[3] = buf_str(&details);
		p[4] = s->cfg->ldap_url;
		failed = tx_begin(s) != 0;
		if (!failed) {
			res = ctl_run(s->db, "directory_summary", 5, p, "write the audit row",
			              s->err);
			PQclear(res);
			failed = tx_end(s, res != NULL) != 0;
		}
	}
	buf_free(&details);
	if (s->dry_run && db_conn(s->db) != NULL && PQstatus(db_conn(s->db)) == CONNECTION_OK)
		(void)simple(db_conn(s->db), "ROLLBACK");
	return failed ? -1 : 0;
}

int ctl_directory_sync(struct db *db, const struct cfg *cfg, int dry_run, int force, FILE *out,
                       FILE *err)
{
	char msg[2048], password[1024], q[512];
	struct sync s;
	long known_active = 0, leavers = 0;
	int rc = 1, r;
	PGresult *lock;

	memset(&s, 0, sizeof s);
	s.db = db;
	s.cfg = cfg;
	s.dry_run = dry_run;
	s.err = err;
	if (ctl_directory_check_settings(cfg, msg, sizeof msg) != 0) {
		fprintf(err, CTL_PROG ": directory sync: %s\n", msg);
		return 1;
	}
	if (cfg->ldap_bind_password_file[0] != '\0' &&
	    ctl_directory_read_secret(cfg->ldap_bind_password_file, password, sizeof password, msg,
	                              sizeof msg) < 0) {
		fprintf(err, CTL_PROG ": directory sync: %s\n", msg);
		return 1;
	}
	r = read_directory(cfg, cfg->ldap_bind_password_file[0] ? password : NULL, &s.d, msg,
	                   sizeof msg);
	explicit_bzero(password, sizeof password);
	if (r != 0) {
		fprintf(err, CTL_PROG ": directory sync: %s; nothing was changed\n", msg);
		log_error("directory sync failed", "reason=%s", log_quote(q, sizeof q, msg));
		dir_free(&s.d);
		return 1;
	}
	skip_duplicates(&s.d);
	if (ctl_open(db, err) != 0) {
		dir_free(&s.d);
		return 1;
	}
	lock = ctl_run(db, "directory_lock", 0, NULL, "take the sync's lock", err);
	if (lock == NULL) {
		dir_free(&s.d);
		return 1;
	}
	r = db_bool(lock, 0, "locked");
	PQclear(lock);
	if (!r) {
		fprintf(err,
		        CTL_PROG ": directory sync: another directory sync is running; nothing "
		                 "was changed\n");
		dir_free(&s.d);
		return 1;
	}
	r = sync_run(&s, force, &known_active, &leavers);
	lock = ctl_run(db, "directory_unlock", 0, NULL, "release the sync's lock", err);
	PQclear(lock);
	if (r == 0) {
		fputs(buf_str(&s.lines), out);
		fprintf(out,
		        "%s: %zu entr%s in the directory; %s%ld user%s created, %ld updated, %ld "
		        "deactivated (%ld session%s ended), %ld activated again, %ld role%s given, "
		        "%ld taken, %ld entr%s skipped%s\n",
		        dry_run ? "dry run" : "directory sync", s.d.n, s.d.n == 1 ? "y" : "ies",
		        dry_run ? "would be: " : "", s.created, PLURAL(s.created), s.updated,
		        s.deactivated, s.sessions, PLURAL(s.sessions), s.activated, s.given,
		        PLURAL(s.given), s.taken, s.skipped, s.skipped == 1 ? "y" : "ies",
		        dry_run ? "; nothing was changed" : "");
		log_info("directory sync",
		         "dry_run=%d entries=%zu created=%ld updated=%ld "
		         "deactivated=%ld activated=%ld roles_given=%ld "
		         "roles_taken=%ld skipped=%ld sessions_ended=%ld",
		         dry_run, s.d.n, s.created, s.updated, s.deactivated, s.activated, s.given,
		         s.taken, s.skipped, s.sessions);
		rc = fflush(out) != 0 ? 1 : 0;
	} else if (r == -2) {
		log_warn("directory sync refused", "leavers=%ld known_active=%ld", leavers,
		         known_active);
	} else {
		fputs(buf_str(&s.lines), out);
		fprintf(err, CTL_PROG ": directory sync: stopped by the database; %s\n",
		        dry_run
		            ? "nothing was changed"
		            : "the users listed above were changed, the rest not (run it again)");
		log_error("directory sync failed", "reason=database");
	}
	sync_free(&s);
	return rc;
}

/* ---- group mappings --------------------------------------------------------------- */

/*
 * After group_key no longer gives role_id: takes the role from the users the
 * sync gave it to and whose groups (as last seen) no longer give it, by the
 * same rule as the sync (directory_wanted_roles), so that unmapping a group
 * takes the access at once and not an hour later. Returns how many lost it,
 * or -1 (printed).
 */
static long take_unmapped(struct db *db, long long role_id, FILE *err)
{
	char rid[AUDIT_ID_LEN];
	const char *p[1] = { rid };
	PGresult *maps = NULL, *owned = NULL;
	struct directory_mapping *m = NULL;
	struct buf uids = { 0 };
	long n = -1, lost = 0;
	size_t nm;

	snprintf(rid, sizeof rid, "%lld", role_id);
	maps = ctl_run(db, "directory_mappings", 0, NULL, "read the group mappings", err);
	if (maps == NULL)
		goto out;
	owned = ctl_run(db, "directory_role_owned", 1, p, "read the sync's grants", err);
	if (owned == NULL)
		goto out;
	nm = (size_t)PQntuples(maps);
	m = calloc(nm + 1, sizeof *m);
	if (m == NULL)
		abort();
	for (size_t i = 0; i < nm; i++) {
		m[i].key = db_text(maps, (int)i, "group_key");
		m[i].role_id = db_int(maps, (int)i, "role_id");
	}
	buf_putc(&uids, '{');
	for (int i = 0; i < PQntuples(owned); i++) {
		const char *stored = db_text(owned, i, "groups");
		size_t max = strlen(stored) / 2 + 1; /* a key is at least "a=b" */
		char *text = strdup(stored);
		const char **keys = calloc(max + 1, sizeof *keys);
		long long *wanted = calloc(nm + 1, sizeof *wanted);
		size_t nk, nw, j;

		if (text == NULL || keys == NULL || wanted == NULL)
			abort();
		nk = directory_groups_split(text, keys, max);
		nw = directory_wanted_roles(keys, nk, m, nm, wanted);
		for (j = 0; j < nw && wanted[j] != role_id; j++)
			;
		if (j == nw)
			buf_printf(&uids, "%s%lld", lost++ ? "," : "", db_int(owned, i, "user_id"));
		free(text);
		free(keys);
		free(wanted);
	}
	buf_putc(&uids, '}');
	if (lost > 0) {
		struct grants_outcome g;
		enum db_status st;
		char role_arr[AUDIT_ID_LEN + 3];

		snprintf(role_arr, sizeof role_arr, "{%lld}", role_id);
		if (grants_change(db, "revoke_user_roles", &audit_console, buf_str(&uids), role_arr,
		                  &g, &st) != 0) {
			fprintf(err, CTL_PROG ": could not take the role: %s\n",
			        db_last_message(db)[0] ? db_last_message(db)
			                               : "the database failed");
			goto out;
		}
		lost = g.changed;
	}
	n = lost;
out:
	PQclear(maps);
	PQclear(owned);
	free(m);
	buf_free(&uids);
	return n;
}

int ctl_directory_map(struct db *db, int map, const char *group_dn, const char *role, FILE *out,
                      FILE *err)
{
	char key[DIRECTORY_DN_MAX + 1], msg[256];
	const char *p[6];
	PGresult *res;
	int rc = 1;

	if (directory_dn_key(group_dn, key, sizeof key) != 0) {
		fprintf(err,
		        CTL_PROG ": invalid group DN \"%.200s\": expected e.g. "
		                 "CN=Finance,OU=Groups,DC=ced,DC=example\n",
		        str_check_visible("group DN", group_dn, 0, msg, sizeof msg) == 0 ? group_dn
		                                                                         : "?");
		return 1;
	}
	if (ctl_check_role_name(role, msg, sizeof msg) != 0) {
		fprintf(err, CTL_PROG ": %s\n", msg);
		return 1;
	}
	if (ctl_open(db, err) != 0)
		return 1;
	/* Unmapping takes the role at once, in the transaction of the unmap,
	 * and not while a sync runs (which read the mappings when it began). */
	if (!map) {
		PGresult *lock =
		    ctl_run(db, "directory_lock", 0, NULL, "take the sync's lock", err);
		int locked = lock != NULL && db_bool(lock, 0, "locked");

		PQclear(lock);
		if (lock == NULL)
			return 1;
		if (!locked) {
			fprintf(err, CTL_PROG ": a directory sync is running; nothing changed, try "
			                      "again when it is done\n");
			return 1;
		}
		if (simple(db_conn(db), "BEGIN") != 0) {
			fprintf(err, CTL_PROG ": could not begin: %s", PQerrorMessage(db_conn(db)));
			goto unlock;
		}
	}
	audit_params(&audit_console, p);
	p[3] = group_dn;
	p[4] = key;
	p[5] = role;
	res = ctl_run(db, map ? "directory_map" : "directory_unmap", 6, p,
	              map ? "map the group" : "unmap the group", err);
	if (res == NULL)
		goto unlock;
	if (db_is_null(res, 0, "role_id")) {
		fprintf(err, CTL_PROG ": no role \"%s\"\n", role);
	} else {
		const char *rn = db_text(res, 0, "role_name");
		int changed = db_int(res, 0, "changed") > 0;
		long lost = 0;

		if (!map && changed) {
			lost = take_unmapped(db, db_int(res, 0, "role_id"), err);
			if (lost < 0 || simple(db_conn(db), "COMMIT") != 0) {
				if (lost >= 0)
					fprintf(err, CTL_PROG ": could not commit: %s",
					        PQerrorMessage(db_conn(db)));
				PQclear(res);
				goto unlock;
			}
		}
		rc = 0;
		if (map && changed)
			fprintf(out,
			        "group \"%s\" now gives role \"%s\" (to its members at the next "
			        "directory sync)\n",
			        group_dn, rn);
		else if (map)
			fprintf(out, "group \"%s\" gives role \"%s\" already; nothing changed\n",
			        group_dn, rn);
		else if (changed)
			fprintf(out,
			        "group \"%s\" no longer gives role \"%s\"; %ld user%s who had it "
			        "from the directory through this group alone lost it\n",
			        group_dn, rn, lost, PLURAL(lost));
		else
			fprintf(out, "group \"%s\" did not give role \"%s\"; nothing changed\n",
			        group_dn, rn);
	}
	PQclear(res);
unlock:
	if (!map) {
		PGconn *conn = db_conn(db);
		PGresult *un;

		if (conn != NULL && PQtransactionStatus(conn) != PQTRANS_IDLE)
			(void)simple(conn, "ROLLBACK");
		un = ctl_run(db, "directory_unlock", 0, NULL, "release the sync's lock", err);
		PQclear(un);
	}
	return rc;
}

int ctl_directory_groups(struct db *db, FILE *out, FILE *err)
{
	const char *p[1] = { "" };

	if (ctl_open(db, err) != 0)
		return 1;
	return ctl_list(db, "directory_group_list", 1, p, "list the group mappings", "mapping",
	                "mappings", out, err);
}
