/*
 * router: matches a method and decoded path against a route table (see
 * router.h). A linear scan: the tables hold a few dozen routes, and a
 * string compare per route costs less than building anything cleverer.
 */
#include "router.h"

#include <stdio.h>
#include <string.h>

enum { ID_MAX_DIGITS = 18 };

/*
 * Matches path against pattern, storing the {id} values in ids. "{id}" is a
 * placeholder only as a whole segment; elsewhere it is literal text.
 */
static int match_pattern(const char *pattern, const char *path, long long ids[ROUTE_MAX_IDS],
                         size_t *n_ids)
{
	const char *p = pattern, *s = path;

	*n_ids = 0;
	while (*p) {
		if (p[0] == '{' && p > pattern && p[-1] == '/' && strncmp(p, "{id}", 4) == 0 &&
		    (p[4] == '/' || p[4] == '\0')) {
			if (*n_ids == ROUTE_MAX_IDS || *s < '1' || *s > '9')
				return 0;
			long long v = 0;
			int digits = 0;
			while (*s >= '0' && *s <= '9') {
				if (++digits > ID_MAX_DIGITS)
					return 0;
				v = v * 10 + (*s - '0');
				s++;
			}
			if (*s != '/' && *s != '\0')
				return 0;
			ids[(*n_ids)++] = v;
			p += 4;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	return *s == '\0';
}

static void allow_add(char *allow, size_t size, const char *method)
{
	size_t len = strlen(allow);
	size_t mlen = strlen(method);

	/* Whole-word search: "GET" must not be found inside "GET2". */
	for (const char *f = allow; (f = strstr(f, method)) != NULL; f += mlen)
		if ((f == allow || f[-1] == ' ') && (f[mlen] == ',' || f[mlen] == '\0'))
			return;
	int n = snprintf(allow + len, size - len, "%s%s", len ? ", " : "", method);
	/* A list that does not fit keeps the methods that did. */
	if (n < 0 || (size_t)n >= size - len)
		allow[len] = '\0';
}

enum route_result router_match(const struct route *routes, size_t n, const char *method,
                               const char *path, struct route_match *m)
{
	long long ids[ROUTE_MAX_IDS];
	size_t n_ids;
	int path_matched = 0, get_allowed = 0;
	int is_head = strcmp(method, "HEAD") == 0;

	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < n; i++) {
		const struct route *rt = &routes[i];
		if (!match_pattern(rt->pattern, path, ids, &n_ids))
			continue;
		if (strcmp(rt->method, method) == 0 ||
		    (is_head && strcmp(rt->method, "GET") == 0)) {
			m->route = rt;
			memcpy(m->ids, ids, n_ids * sizeof(ids[0]));
			m->n_ids = n_ids;
			m->allow[0] = '\0';
			return ROUTE_FOUND;
		}
		path_matched = 1;
		if (strcmp(rt->method, "GET") == 0)
			get_allowed = 1;
	}
	if (!path_matched)
		return ROUTE_NOT_FOUND;

	/* GET (and with it HEAD) first, then the rest in table order. */
	if (get_allowed) {
		allow_add(m->allow, sizeof(m->allow), "GET");
		allow_add(m->allow, sizeof(m->allow), "HEAD");
	}
	for (size_t i = 0; i < n; i++)
		if (match_pattern(routes[i].pattern, path, ids, &n_ids))
			allow_add(m->allow, sizeof(m->allow), routes[i].method);
	return ROUTE_METHOD_NOT_ALLOWED;
}
