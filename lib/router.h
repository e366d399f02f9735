/*
 * router: picks a handler by method and path. Patterns are literal paths
 * where a segment "{id}" matches a positive decimal number (no sign, no
 * leading zero, at most 18 digits). HEAD matches GET routes. When the path
 * matches but the method does not, the caller answers 405 with Allow.
 */
#ifndef ROUTER_H
#define ROUTER_H

#include <stddef.h>

struct ctx;   /* the request context, defined in app.h */
struct field; /* a declared field, defined in field.h */

struct route {
	const char *method;  /* "GET" or "POST" */
	const char *pattern; /* "/reports/{id}" */
	void (*handler)(struct ctx *);
	/* The fields the handler reads, checked before it runs (field.h):
	 * a table ending in { NULL }, or NULL for none. */
	const struct field *fields;
};

enum route_result { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_METHOD_NOT_ALLOWED };

#define ROUTE_MAX_IDS 4

struct route_match {
	const struct route *route;
	long long ids[ROUTE_MAX_IDS]; /* the {id} values, left to right */
	size_t n_ids;
	char allow[64]; /* on ROUTE_METHOD_NOT_ALLOWED: "GET, HEAD, POST" */
};

/* Matches method and path against the n routes, first match wins. */
enum route_result router_match(const struct route *routes, size_t n, const char *method,
                               const char *path, struct route_match *m);

#endif
