/*
 * fuzz_req: the input is a FastCGI request as nginx hands it over: lines
 * "NAME=value" (the parameters, one envp entry each) up to the first empty
 * line, then the body. It goes to req_parse; the body also goes straight to
 * req_parse_urlencoded (default and tiny limits) and req_parse_cookies.
 * On REQ_OK every promise of req.h is checked; a broken one aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "req.h"

enum { MAX_PARAMS = 64 };

static const struct req_limits tiny = { .max_body = 64, .max_fields = 3, .max_field_len = 8 };

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_req: invariant broken: %s\n", what);
	abort();
}

static void check_str(const char *s, const char *what)
{
	if (s == NULL)
		fail(what);
	if (!utf8_valid(s, strlen(s)))
		fail(what);
}

static int is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int ends_in_brackets(const char *k)
{
	size_t n = strlen(k);
	return n >= 2 && k[n - 2] == '[' && k[n - 1] == ']';
}

/* Every field: a key and a value of valid UTF-8 within the limits, the
 * value's length as given, no key twice unless it ends in "[]", and
 * kv_get finding the first of each key. */
static void check_fields(const struct kvlist *l, const struct req_limits *lim)
{
	if (l->n > lim->max_fields || (l->n > 0 && l->items == NULL))
		fail("field count over the limit");
	for (size_t i = 0; i < l->n; i++) {
		const struct kv *f = &l->items[i];
		check_str(f->key, "a key is not valid UTF-8");
		check_str(f->value, "a value is not valid UTF-8");
		if (f->key[0] == '\0')
			fail("an empty key");
		if (strlen(f->value) != f->value_len)
			fail("strlen(value) != value_len");
		if (strlen(f->key) > lim->max_field_len || f->value_len > lim->max_field_len)
			fail("a field over max_field_len");
		for (size_t j = 0; j < i; j++)
			if (strcmp(l->items[j].key, f->key) == 0 && !ends_in_brackets(f->key))
				fail("a duplicate key was accepted");
		const char *first = kv_get(l, f->key);
		for (size_t j = 0; j <= i; j++) {
			if (strcmp(l->items[j].key, f->key) == 0) {
				if (first != l->items[j].value)
					fail("kv_get does not find the first of a key");
				break;
			}
		}
	}
}

/* Percent-encodes every byte that is not unreserved, so that decoding
 * gives the bytes back exactly. */
static void encode(char **w, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.') {
			*(*w)++ = (char)*p;
		} else {
			*(*w)++ = '%';
			*(*w)++ = hex[*p >> 4];
			*(*w)++ = hex[*p & 15];
		}
	}
}

/* Encodes l again and parses the result: the same fields must come back. */
static void check_round_trip(struct arena *a, const struct kvlist *l)
{
	size_t cap = 1;
	for (size_t i = 0; i < l->n; i++)
		cap += 3 * (strlen(l->items[i].key) + l->items[i].value_len) + 2;
	char *s = arena_alloc(a, cap), *w = s;
	for (size_t i = 0; i < l->n; i++) {
		if (i > 0)
			*w++ = '&';
		encode(&w, l->items[i].key);
		*w++ = '=';
		encode(&w, l->items[i].value);
	}
	struct req_limits lim = { .max_body = (size_t)(w - s),
		                  .max_fields = l->n,
		                  .max_field_len = (size_t)-1 };
	struct kvlist back;
	if (req_parse_urlencoded(a, s, (size_t)(w - s), &lim, &back) != REQ_OK || back.n != l->n)
		fail("re-encoded fields do not parse again");
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(back.items[i].key, l->items[i].key) != 0 ||
		    strcmp(back.items[i].value, l->items[i].value) != 0)
			fail("re-encoded fields come back different");
}

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Cookies: non-empty names without '=', ';' or blanks at either end, no
 * ';' in a value, valid UTF-8, each name once. */
static void check_cookies(const struct kvlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct kv *c = &l->items[i];
		check_str(c->key, "a cookie name is not valid UTF-8");
		check_str(c->value, "a cookie value is not valid UTF-8");
		size_t n = strlen(c->key);
		if (n == 0 || strpbrk(c->key, "=;") != NULL || is_ows(c->key[0]) ||
		    is_ows(c->key[n - 1]))
			fail("a malformed cookie name");
		if (strchr(c->value, ';') != NULL || strlen(c->value) != c->value_len)
			fail("a malformed cookie value");
		for (size_t j = 0; j < i; j++)
			if (strcmp(l->items[j].key, c->key) == 0)
				fail("a cookie name twice");
	}
}

static const char *param(char *const *envp, const char *name)
{
	size_t n = strlen(name);
	for (; *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

static void check_request(const struct request *r, char *const *envp, size_t body_len)
{
	check_str(r->method, "method");
	if (r->method[0] == '\0')
		fail("an empty method");
	for (const char *c = r->method; *c; c++)
		if (!is_tchar((unsigned char)*c))
			fail("a method that is not a token");
	check_str(r->path, "path is not valid UTF-8");
	if (r->path[0] != '/' || strlen(r->path) > 2048)
		fail("path does not start with '/' or is too long");
	check_fields(&r->query, &req_default_limits);
	check_fields(&r->form, &req_default_limits);
	check_cookies(&r->cookies);
	if (r->raw_query == NULL || r->remote_addr == NULL || r->user_agent == NULL ||
	    r->accept_language == NULL || r->host == NULL || strlen(r->id) != 16)
		fail("a field that is never NULL is NULL");
	const char *qs = param(envp, "QUERY_STRING");
	if (qs != NULL && strcmp(qs, r->raw_query) != 0)
		fail("raw_query is not QUERY_STRING");
	if (r->form.n > 0 && strcmp(r->method, "POST") != 0)
		fail("a form parsed for a method other than POST");
	if (body_len > req_default_limits.max_body)
		fail("an oversized body was accepted");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A NUL-terminated copy: the parameters are cut out of it in place. */
	char *copy = malloc(size + 1);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';

	char *envp[MAX_PARAMS + 1];
	size_t n = 0;
	char *p = copy, *end = copy + size;
	const char *body = "";
	size_t body_len = 0;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == p) {
			body = p + 1;
			body_len = (size_t)(end - body);
			break;
		}
		if (nl != NULL)
			*nl = '\0';
		if (n < MAX_PARAMS)
			envp[n++] = p;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	envp[n] = NULL;

	struct arena a = ARENA_INIT;
	struct request r;
	if (req_parse(&r, &a, envp, body, body_len, NULL) == REQ_OK)
		check_request(&r, envp, body_len);

	struct kvlist l;
	if (req_parse_urlencoded(&a, body, body_len, &req_default_limits, &l) == REQ_OK) {
		check_fields(&l, &req_default_limits);
		check_round_trip(&a, &l);
	}
	if (req_parse_urlencoded(&a, body, body_len, &tiny, &l) == REQ_OK)
		check_fields(&l, &tiny);

	/* A header is a C string: the body up to its first NUL. */
	req_parse_cookies(&a, body, &l);
	check_cookies(&l);

	arena_free(&a);
	free(copy);
	return 0;
}
