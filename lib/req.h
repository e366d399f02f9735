/*
 * req: the parsed, validated HTTP request a handler sees. Built from the
 * FastCGI parameters and body before any handler runs: the path is decoded,
 * query and form fields are decoded and checked for UTF-8 and limits, cookies
 * are split. Malformed input is refused here with a req_error, which the
 * caller answers with 400 (or 413 for REQ_TOO_LARGE); handlers never see it.
 * All memory comes from the request's arena.
 */
#ifndef REQ_H
#define REQ_H

#include <stddef.h>

#include "arena.h"

struct kv {
	const char *key;
	const char *value; /* NUL-terminated, valid UTF-8, no NUL inside */
	size_t value_len;
};

struct kvlist {
	struct kv *items;
	size_t n;
};

enum req_error {
	REQ_OK = 0,
	REQ_BAD_ENCODING,    /* a truncated or non-hex %-escape */
	REQ_BAD_UTF8,        /* a decoded value or key that is not valid UTF-8, or holds NUL */
	REQ_TOO_LARGE,       /* body over max_body, or query over max_body */
	REQ_TOO_MANY_FIELDS, /* more than max_fields fields */
	REQ_FIELD_TOO_LONG,  /* a decoded key or value over max_field_len */
	REQ_DUPLICATE_KEY,   /* a key given twice that does not end in "[]" */
	REQ_BAD_REQUEST,     /* anything else: a missing method, a path not starting with '/' */
};

struct req_limits {
	size_t max_body;      /* bytes of form body (and of the query string) */
	size_t max_fields;    /* fields per query or form */
	size_t max_field_len; /* bytes of one decoded key or value */
};

/* 64 KiB body, 200 fields, 16 KiB per field. */
extern const struct req_limits req_default_limits;

struct request {
	struct arena *arena;
	const char *method;          /* "GET", "POST", ...; HEAD is kept as "HEAD" */
	const char *path;            /* decoded path of REQUEST_URI, starts with '/' */
	const char *raw_query;       /* QUERY_STRING as given, "" when none */
	struct kvlist query;         /* decoded QUERY_STRING */
	struct kvlist form;          /* decoded application/x-www-form-urlencoded body (POST) */
	struct kvlist cookies;       /* from HTTP_COOKIE; malformed pairs are skipped */
	const char *remote_addr;     /* REMOTE_ADDR, "" when absent */
	const char *user_agent;      /* HTTP_USER_AGENT, "" when absent */
	const char *accept_language; /* HTTP_ACCEPT_LANGUAGE, "" when absent */
	const char *origin;          /* HTTP_ORIGIN, NULL when absent */
	const char *sec_fetch_site;  /* HTTP_SEC_FETCH_SITE, NULL when absent */
	const char *host;            /* HTTP_HOST, "" when absent */
	int https;                   /* HTTPS=on */
	const char *remote_user;     /* the FastCGI parameter REMOTE_USER (set by nginx, never
	                                by a client's header), NULL when absent or empty */
	const char *authorization;   /* HTTP_AUTHORIZATION, NULL when absent */
	char id[17];                 /* request id: 16 hex digits from getrandom */
};

/*
 * Fills r from envp (the FastCGI parameters as "NAME=value" strings) and the
 * body (body_len bytes, already read by the caller, at most limits->max_body
 * plus one so that an oversized body is detected). The form is parsed only
 * for POST with Content-Type application/x-www-form-urlencoded (parameters
 * after ';' allowed). Returns REQ_OK or the first error found.
 */
enum req_error req_parse(struct request *r, struct arena *a, char *const *envp, const char *body,
                         size_t body_len, const struct req_limits *limits);

/*
 * Decodes an application/x-www-form-urlencoded string ('+' is space) of len
 * bytes into out, with the checks above. An empty string gives no fields;
 * "a=" gives a with value ""; "a" gives a with value "". Empty pairs ("a=1&&b=2")
 * are skipped.
 */
enum req_error req_parse_urlencoded(struct arena *a, const char *s, size_t len,
                                    const struct req_limits *limits, struct kvlist *out);

/*
 * Splits a Cookie header ("a=1; b=2") into out. Values are not decoded;
 * surrounding double quotes are removed. Pairs without '=' or with an empty
 * name are skipped; for a name given twice the first wins (browsers send the
 * most specific first).
 */
void req_parse_cookies(struct arena *a, const char *header, struct kvlist *out);

/* The value of key in l, or NULL when absent. For a "name[]" key, the first. */
const char *kv_get(const struct kvlist *l, const char *key);

/* Shorthands on r: query field, form field, cookie. NULL when absent. */
const char *req_query(const struct request *r, const char *key);
const char *req_form(const struct request *r, const char *key);
const char *req_cookie(const struct request *r, const char *name);

/* A readable English description of e, for the log. */
const char *req_error_str(enum req_error e);

/* Returns 1 when the len bytes at s are valid UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF), else 0. */
int utf8_valid(const char *s, size_t len);

/* The number of code points of the len bytes at s, or -1 when they are not
 * valid UTF-8 or hold a NUL byte. */
long utf8_count(const char *s, size_t len);

/* The length of the longest start of s that has at most max bytes and ends
 * between two characters: a message quoting a long value with "%.*s" cuts
 * there, so that the terminal gets no broken character. */
size_t utf8_prefix(const char *s, size_t max);

/* The number of characters (code points) of valid UTF-8 s, as PostgreSQL's
 * char_length counts them. */
size_t utf8_length(const char *s);

/*
 * Characters that no name, title, category or description may hold, because
 * they are not seen, or change how the text around them reads, so that one
 * value can pass for another (a role "HR\u202Erotceri" shown as "HR
 * ...Directie" read backwards): the C0 controls and DEL, the C1 controls
 * (U+0080-U+009F), and the invisible and bidirectional format characters
 * U+00AD, U+061C, U+180E, U+200B-U+200F, U+2028-U+202E, U+2060-U+2064,
 * U+2066-U+206F, U+FEFF, U+FFF9-U+FFFB and the tags U+E0000-U+E007F. The
 * database refuses the same set (portal_visible_text(), in
 * schema/0008_visible_text.sql); keep the two in step.
 *
 * str_hidden_char returns the first such character of s as a code point,
 * or -1 when there is none. With STR_LINE_BREAKS in flags, tab, LF and CR
 * are allowed (free text: descriptions). Bytes that are not valid UTF-8 are
 * skipped: validity is utf8_valid's question.
 */
enum { STR_LINE_BREAKS = 1 };
long str_hidden_char(const char *s, int flags);

/* 1 when s holds a character of the set above (line breaks included). */
int str_has_control(const char *s);

/* 1 when cp is a control character (C0, DEL, C1), 0 when it is one of the
 * invisible or bidirectional format characters. */
int str_hidden_is_control(long cp);

/*
 * For the command line's messages: when s holds a character of the set
 * (flags as for str_hidden_char), writes "invalid WHAT: it contains a
 * control character (U+001B)" or "... an invisible or bidirectional
 * formatting character (U+202E)" into err and returns -1; else returns 0.
 * The message never holds the character itself.
 */
int str_check_visible(const char *what, const char *s, int flags, char *err, size_t errlen);

#endif
