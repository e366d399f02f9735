/*
 * resp: builds a response (status, checked headers, Set-Cookie, body) and
 * serialises it as one FastCGI/CGI response (see resp.h). Header values are
 * checked here so that no handler can split a header with CR/LF.
 */
#include "resp.h"

#include <stdio.h>
#include <string.h>

static const char default_content_type[] = "text/html; charset=utf-8";

void resp_init(struct response *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 200;
	r->content_type = default_content_type;
	r->no_store = 1;
}

void resp_reset(struct response *r)
{
	buf_reset(&r->headers);
	buf_reset(&r->body);
	r->status = 200;
	r->content_type = default_content_type;
	r->no_store = 1;
	r->stream = NULL;
	r->stream_arg = NULL;
}

void resp_free(struct response *r)
{
	buf_free(&r->headers);
	buf_free(&r->body);
}

static int is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int is_token(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++)
		if (!is_tchar((unsigned char)*s))
			return 0;
	return 1;
}

/* RFC 9110 field-value: no control characters but HTAB. Besides CR and LF
 * this refuses the other controls too, which no legitimate header needs. */
static int is_field_value(const char *s)
{
	if (s == NULL)
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

int resp_header(struct response *r, const char *name, const char *value)
{
	if (!is_token(name) || !is_field_value(value))
		return -1;
	buf_puts(&r->headers, name);
	buf_append(&r->headers, ": ", 2);
	buf_puts(&r->headers, value);
	buf_append(&r->headers, "\r\n", 2);
	return 0;
}

/* RFC 6265 cookie-octet: printable ASCII without space, '"', ',', ';', '\'. */
static int is_cookie_value(const char *s)
{
	if (s == NULL)
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\')
			return 0;
	}
	return 1;
}

/* RFC 6265 av-octet, for Path: any CHAR but controls and ';'. */
static int is_attr_value(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c > 0x7e || c == ';')
			return 0;
	}
	return 1;
}

int resp_set_cookie(struct response *r, const struct cookie *c)
{
	const char *path = c->path ? c->path : "/";
	const char *ss = c->same_site;

	if (!is_token(c->name) || !is_cookie_value(c->value) || !is_attr_value(path))
		return -1;
	if (ss != NULL && strcmp(ss, "Lax") != 0 && strcmp(ss, "Strict") != 0 &&
	    strcmp(ss, "None") != 0)
		return -1;

	struct buf *h = &r->headers;
	buf_printf(h, "Set-Cookie: %s=%s; Path=%s", c->name, c->value, path);
	if (c->max_age >= 0)
		buf_printf(h, "; Max-Age=%ld", c->max_age);
	/* Max-Age=0 alone is ignored by some old clients; Expires in the past
	 * is understood by all. */
	if (c->max_age == 0)
		buf_puts(h, "; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
	if (c->secure)
		buf_puts(h, "; Secure");
	if (c->http_only)
		buf_puts(h, "; HttpOnly");
	if (ss != NULL)
		buf_printf(h, "; SameSite=%s", ss);
	buf_append(h, "\r\n", 2);
	return 0;
}

static void html_escape(struct buf *b, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *rep;
		switch (*s) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		buf_append(b, run, (size_t)(s - run));
		buf_puts(b, rep);
		run = s + 1;
	}
	buf_append(b, run, (size_t)(s - run));
}

/*
 * Keeps headers already added (a Set-Cookie before the redirect after
 * sign-in must survive) and replaces the body. A location that could not
 * be a header value becomes "/", so a redirect never splits a header.
 */
void resp_redirect(struct response *r, int status, const char *location)
{
	if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308)
		status = 303;
	if (location == NULL || *location == '\0' || !is_field_value(location))
		location = "/";
	r->status = status;
	r->content_type = default_content_type;
	(void)resp_header(r, "Location", location);
	buf_reset(&r->body);
	buf_puts(&r->body, "<!DOCTYPE html>\n<a href=\"");
	html_escape(&r->body, location);
	buf_puts(&r->body, "\">");
	html_escape(&r->body, location);
	buf_puts(&r->body, "</a>\n");
}

const char *resp_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 204:
		return "No Content";
	case 301:
		return "Moved Permanently";
	case 302:
		return "Found";
	case 303:
		return "See Other";
	case 304:
		return "Not Modified";
	case 307:
		return "Temporary Redirect";
	case 308:
		return "Permanent Redirect";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 422:
		return "Unprocessable Content";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	}
	return "Unknown";
}

void resp_serialize(const struct response *r, int head_only, struct buf *out)
{
	buf_printf(out, "Status: %d %s\r\n", r->status, resp_reason(r->status));
	if (r->content_type != NULL && r->content_type[0] != '\0') {
		buf_puts(out, "Content-Type: ");
		buf_puts(out, r->content_type);
		buf_append(out, "\r\n", 2);
	}
	if (r->no_store)
		buf_puts(out, "Cache-Control: no-store\r\n");
	buf_append(out, buf_str(&r->headers), r->headers.len);
	if (r->stream) {
		buf_puts(out, "\r\n");
		return;
	}
	buf_printf(out, "Content-Length: %zu\r\n\r\n", r->body.len);
	if (!head_only)
		buf_append(out, buf_str(&r->body), r->body.len);
}
