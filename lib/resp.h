/*
 * resp: the response a handler builds: status, headers, a Set-Cookie
 * builder and a body buffer, serialised in one go as a FastCGI/CGI response
 * ("Status: 200 OK\r\nName: value\r\n...\r\n\r\nbody").
 */
#ifndef RESP_H
#define RESP_H

#include <stddef.h>

#include "buf.h"

/* Writes len bytes of a streamed body to the client. Returns 0, or -1 when
 * the client is gone. */
typedef int (*resp_write_fn)(void *sink, const char *data, size_t len);

struct response {
	int status;               /* default 200 */
	const char *content_type; /* default "text/html; charset=utf-8" */
	int no_store;       /* adds Cache-Control: no-store (default 1: pages carry user data) */
	struct buf headers; /* extra header lines, each ending in \r\n */
	struct buf body;
	/*
	 * A body too big to hold in memory (an export): when set, body is
	 * ignored, the headers go out without Content-Length, and then the
	 * worker calls stream(stream_arg, write, sink) to produce the body piece
	 * by piece. stream_arg must outlive the handler (arena memory). Returns
	 * 0, or -1 when it had to stop early.
	 */
	int (*stream)(void *arg, resp_write_fn write, void *sink);
	void *stream_arg;
};

struct cookie {
	const char *name;
	const char *value;
	const char *path; /* NULL gives "/" */
	long max_age;     /* seconds; -1 for a session cookie, 0 to delete */
	int secure;
	int http_only;
	const char *same_site; /* "Lax", "Strict", "None" or NULL */
};

void resp_init(struct response *r);
/* Empties headers and body and restores the defaults, keeping memory. */
void resp_reset(struct response *r);
void resp_free(struct response *r);

/* Adds "name: value". Returns 0, or -1 (and adds nothing) when either holds
 * CR, LF or NUL, or name is not a token. */
int resp_header(struct response *r, const char *name, const char *value);

/* Adds a Set-Cookie header. Returns 0, or -1 when name or value holds
 * characters a cookie may not (name: token; value: cookie-octets). */
int resp_set_cookie(struct response *r, const struct cookie *c);

/* Sets status (301, 302, 303, 307 or 308), Location and a short body. */
void resp_redirect(struct response *r, int status, const char *location);

/* The reason phrase of status ("Not Found"), or "Unknown". */
const char *resp_reason(int status);

/* Writes status line, headers and (unless head_only) body into out; for a
 * streamed response only the status line and headers. */
void resp_serialize(const struct response *r, int head_only, struct buf *out);

#endif
