/*
 * req: turns FastCGI parameters and a request body into a checked struct
 * request (see req.h): percent-decoding, UTF-8 validation, field limits,
 * cookie splitting. Every byte a handler later reads has passed through here.
 */
#include "req.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

const struct req_limits req_default_limits = {
	.max_body = (size_t)64 * 1024,
	.max_fields = 200,
	.max_field_len = (size_t)16 * 1024,
};

/* Longest decoded path we accept; nginx's own default header buffer is 1 KiB,
 * so anything longer is a client playing games, not a real link. */
enum { PATH_MAX_LEN = 2048 };

int utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len;

	while (p < end) {
		unsigned char c = *p;
		if (c < 0x80) {
			p++;
			continue;
		}
		/* The ranges of the second byte follow RFC 3629's table, which
		 * is what rules out overlongs, surrogates and > U+10FFFF. */
		unsigned char lo = 0x80, hi = 0xbf;
		size_t n;
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else {
			return 0;
		}
		if ((size_t)(end - p) <= n)
			return 0;
		if (p[1] < lo || p[1] > hi)
			return 0;
		for (size_t i = 2; i <= n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		p += n + 1;
	}
	return 1;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Decodes len bytes of s into out, which has room for len bytes (decoding
 * never grows). plus_is_space is set for form encoding, not for paths.
 * Checks UTF-8 only when a byte >= 0x80 was seen: almost every field is
 * ASCII and then costs a single pass.
 */
static enum req_error pct_decode(const char *s, size_t len, int plus_is_space, char *out,
                                 size_t *out_len)
{
	size_t j = 0;
	unsigned char high = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			if (len - i < 3)
				return REQ_BAD_ENCODING;
			int h = hexval((unsigned char)s[i + 1]);
			int l = hexval((unsigned char)s[i + 2]);
			if (h < 0 || l < 0)
				return REQ_BAD_ENCODING;
			c = (unsigned char)(h << 4 | l);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		if (c == '\0')
			return REQ_BAD_UTF8;
		high |= c;
		out[j++] = (char)c;
	}
	if ((high & 0x80) && !utf8_valid(out, j))
		return REQ_BAD_UTF8;
	*out_len = j;
	return REQ_OK;
}

static int ends_in_brackets(const char *k, size_t len)
{
	return len >= 2 && k[len - 2] == '[' && k[len - 1] == ']';
}

struct key_sig {
	uint32_t hash;
	size_t len;
};

/* FNV-1a: keys are short, so anything heavier would cost more than it saves. */
static uint32_t key_hash(const char *k, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)k[i]) * 16777619u;
	return h;
}

static size_t count_byte(const char *s, size_t len, char c)
{
	size_t n = 0;
	const char *end = s + len;
	const char *p;

	while (s < end && (p = memchr(s, c, (size_t)(end - s))) != NULL) {
		n++;
		s = p + 1;
	}
	return n;
}

/*
 * All keys and values are decoded into one arena block of len + 1 bytes:
 * a decoded key fits where its encoded form was and its NUL where the '='
 * was; a value likewise with its NUL where the '&' was.
 */
enum req_error req_parse_urlencoded(struct arena *a, const char *s, size_t len,
                                    const struct req_limits *limits, struct kvlist *out)
{
	out->items = NULL;
	out->n = 0;
	if (len > limits->max_body)
		return REQ_TOO_LARGE;
	if (len == 0)
		return REQ_OK;

	size_t cap = count_byte(s, len, '&') + 1;
	if (cap > limits->max_fields)
		cap = limits->max_fields ? limits->max_fields : 1;
	struct kv *items = arena_alloc(a, cap * sizeof(*items));
	/* Key hashes and lengths, so that the duplicate check reaches memcmp
	 * only for a real duplicate even when all keys are the same length. */
	struct key_sig *sigs = arena_alloc(a, cap * sizeof(*sigs));
	char *store = arena_alloc(a, len + 1);
	out->items = items;

	const char *end = s + len;
	const char *p = s;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		const char *eq = memchr(p, '=', (size_t)(amp - p));
		const char *key_end = eq ? eq : amp;
		if (key_end == p)
			return REQ_BAD_REQUEST;
		if (out->n == limits->max_fields)
			return REQ_TOO_MANY_FIELDS;

		char *key = store + (p - s);
		size_t key_len;
		enum req_error e = pct_decode(p, (size_t)(key_end - p), 1, key, &key_len);
		if (e != REQ_OK)
			return e;
		if (key_len > limits->max_field_len)
			return REQ_FIELD_TOO_LONG;
		key[key_len] = '\0';

		char *value = key + key_len; /* "" for a pair without '=' */
		size_t value_len = 0;
		if (eq) {
			value = store + (eq + 1 - s);
			e = pct_decode(eq + 1, (size_t)(amp - eq - 1), 1, value, &value_len);
			if (e != REQ_OK)
				return e;
			if (value_len > limits->max_field_len)
				return REQ_FIELD_TOO_LONG;
			value[value_len] = '\0';
		}

		uint32_t hash = key_hash(key, key_len);
		if (!ends_in_brackets(key, key_len)) {
			for (size_t i = 0; i < out->n; i++)
				if (sigs[i].hash == hash && sigs[i].len == key_len &&
				    memcmp(items[i].key, key, key_len) == 0)
					return REQ_DUPLICATE_KEY;
		}
		sigs[out->n].hash = hash;
		sigs[out->n].len = key_len;
		items[out->n].key = key;
		items[out->n].value = value;
		items[out->n].value_len = value_len;
		out->n++;
		p = amp + 1;
	}
	return REQ_OK;
}

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

void req_parse_cookies(struct arena *a, const char *header, struct kvlist *out)
{
	out->items = NULL;
	out->n = 0;
	if (header == NULL || header[0] == '\0')
		return;

	size_t len = strlen(header);
	size_t cap = count_byte(header, len, ';') + 1;
	out->items = arena_alloc(a, cap * sizeof(*out->items));
	/* Names and values are cut out of a private copy in place. */
	char *copy = arena_strndup(a, header, len);
	char *end = copy + len;

	for (char *p = copy; p < end;) {
		char *semi = memchr(p, ';', (size_t)(end - p));
		if (semi == NULL)
			semi = end;
		char *next = semi + 1;
		char *seg = p, *seg_end = semi;
		p = next;

		while (seg < seg_end && is_ows(*seg))
			seg++;
		while (seg_end > seg && is_ows(seg_end[-1]))
			seg_end--;
		char *eq = memchr(seg, '=', (size_t)(seg_end - seg));
		if (eq == NULL)
			continue;
		char *name_end = eq;
		while (name_end > seg && is_ows(name_end[-1]))
			name_end--;
		if (name_end == seg)
			continue;
		char *value = eq + 1;
		while (value < seg_end && is_ows(*value))
			value++;
		char *value_end = seg_end;
		if (value_end - value >= 2 && *value == '"' && value_end[-1] == '"') {
			value++;
			value_end--;
		}
		size_t name_len = (size_t)(name_end - seg);
		size_t value_len = (size_t)(value_end - value);
		if (!utf8_valid(seg, name_len) || !utf8_valid(value, value_len))
			continue;

		int dup = 0;
		for (size_t i = 0; i < out->n && !dup; i++)
			dup = strlen(out->items[i].key) == name_len &&
			      memcmp(out->items[i].key, seg, name_len) == 0;
		if (dup)
			continue;
		*name_end = '\0';
		*value_end = '\0';
		out->items[out->n].key = seg;
		out->items[out->n].value = value;
		out->items[out->n].value_len = value_len;
		out->n++;
	}
}

const char *kv_get(const struct kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].key, key) == 0)
			return l->items[i].value;
	return NULL;
}

const char *req_query(const struct request *r, const char *key)
{
	return kv_get(&r->query, key);
}

const char *req_form(const struct request *r, const char *key)
{
	return kv_get(&r->form, key);
}

const char *req_cookie(const struct request *r, const char *name)
{
	return kv_get(&r->cookies, name);
}

const char *req_error_str(enum req_error e)
{
	switch (e) {
	case REQ_OK:
		return "ok";
	case REQ_BAD_ENCODING:
		return "bad percent-encoding";
	case REQ_BAD_UTF8:
		return "invalid UTF-8 or NUL";
	case REQ_TOO_LARGE:
		return "request too large";
	case REQ_TOO_MANY_FIELDS:
		return "too many fields";
	case REQ_FIELD_TOO_LONG:
		return "field too long";
	case REQ_DUPLICATE_KEY:
		return "duplicate field";
	case REQ_BAD_REQUEST:
		return "bad request";
	}
	return "unknown error";
}

/*
 * The request id only has to tell log lines apart, so when getrandom is
 * unavailable a mix of time, pid and a counter is good enough.
 */
static void make_request_id(char id[17])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char bytes[8];
	ssize_t got;

	do
		got = getrandom(bytes, sizeof(bytes), GRND_NONBLOCK);
	while (got < 0 && errno == EINTR);
	if (got != (ssize_t)sizeof(bytes)) {
		static uint64_t counter;
		struct timespec ts = { 0 };
		(void)clock_gettime(CLOCK_MONOTONIC, &ts);
		uint64_t v = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
		             ((uint64_t)getpid() << 40) ^ (++counter * 0x9e3779b97f4a7c15ULL);
		for (size_t i = 0; i < sizeof(bytes); i++)
			bytes[i] = (unsigned char)(v >> (8 * i));
	}
	for (size_t i = 0; i < sizeof(bytes); i++) {
		id[2 * i] = hex[bytes[i] >> 4];
		id[2 * i + 1] = hex[bytes[i] & 0xf];
	}
	id[16] = '\0';
}

enum param {
	P_REQUEST_METHOD,
	P_REQUEST_URI,
	P_DOCUMENT_URI,
	P_SCRIPT_NAME,
	P_PATH_INFO,
	P_QUERY_STRING,
	P_CONTENT_TYPE,
	P_CONTENT_LENGTH,
	P_HTTP_COOKIE,
	P_REMOTE_ADDR,
	P_HTTP_USER_AGENT,
	P_HTTP_ACCEPT_LANGUAGE,
	P_HTTP_ORIGIN,
	P_HTTP_SEC_FETCH_SITE,
	P_HTTP_HOST,
	P_HTTPS,
	P_REMOTE_USER,
	P_HTTP_AUTHORIZATION,
	P_COUNT
};

static const struct {
	const char *name;
	size_t len;
} param_names[P_COUNT] = {
#define P(x) [P_##x] = { #x, sizeof(#x) - 1 }
	P(REQUEST_METHOD), P(REQUEST_URI),         P(DOCUMENT_URI),    P(SCRIPT_NAME),
	P(PATH_INFO),      P(QUERY_STRING),        P(CONTENT_TYPE),    P(CONTENT_LENGTH),
	P(HTTP_COOKIE),    P(REMOTE_ADDR),         P(HTTP_USER_AGENT), P(HTTP_ACCEPT_LANGUAGE),
	P(HTTP_ORIGIN),    P(HTTP_SEC_FETCH_SITE), P(HTTP_HOST),       P(HTTPS),
	P(REMOTE_USER),    P(HTTP_AUTHORIZATION),
#undef P
};

/* One pass over envp; the first occurrence of a name wins. */
static void read_params(char *const *envp, const char *vals[P_COUNT])
{
	for (size_t i = 0; i < P_COUNT; i++)
		vals[i] = NULL;
	if (envp == NULL)
		return;
	for (; *envp; envp++) {
		const char *e = *envp;
		const char *eq = strchr(e, '=');
		if (eq == NULL)
			continue;
		size_t n = (size_t)(eq - e);
		for (size_t i = 0; i < P_COUNT; i++) {
			if (param_names[i].len == n && vals[i] == NULL &&
			    memcmp(param_names[i].name, e, n) == 0) {
				vals[i] = eq + 1;
				break;
			}
		}
	}
}

static const char *dup_or(struct arena *a, const char *s, const char *dflt)
{
	return s ? arena_strdup(a, s) : dflt;
}

static int is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int is_form_type(const char *ct)
{
	static const char form[] = "application/x-www-form-urlencoded";
	const size_t n = sizeof(form) - 1;

	if (ct == NULL)
		return 0;
	while (is_ows(*ct))
		ct++;
	if (strncasecmp(ct, form, n) != 0)
		return 0;
	ct += n;
	while (is_ows(*ct))
		ct++;
	return *ct == '\0' || *ct == ';';
}

/* Decodes the path part of the request target into r->path. */
static enum req_error parse_path(struct request *r, const char *raw, size_t len)
{
	if (len == 0 || raw[0] != '/')
		return REQ_BAD_REQUEST;
	/* Each escape decodes three bytes to one, so longer input cannot fit. */
	if (len > 3 * (size_t)PATH_MAX_LEN)
		return REQ_TOO_LARGE;
	char *path = arena_alloc(r->arena, len + 1);
	size_t n;
	enum req_error e = pct_decode(raw, len, 0, path, &n);
	if (e != REQ_OK)
		return e;
	if (n > PATH_MAX_LEN)
		return REQ_TOO_LARGE;
	path[n] = '\0';
	r->path = path;
	return REQ_OK;
}

enum req_error req_parse(struct request *r, struct arena *a, char *const *envp, const char *body,
                         size_t body_len, const struct req_limits *limits)
{
	const char *v[P_COUNT];

	memset(r, 0, sizeof(*r));
	r->arena = a;
	make_request_id(r->id);
	if (limits == NULL)
		limits = &req_default_limits;
	read_params(envp, v);

	/* Fields that cannot fail come first, so that a refused request can
	 * still be logged with its address and agent. */
	r->method = "";
	r->path = "";
	r->raw_query = "";
	r->remote_addr = dup_or(a, v[P_REMOTE_ADDR], "");
	r->user_agent = dup_or(a, v[P_HTTP_USER_AGENT], "");
	r->accept_language = dup_or(a, v[P_HTTP_ACCEPT_LANGUAGE], "");
	r->origin = dup_or(a, v[P_HTTP_ORIGIN], NULL);
	r->sec_fetch_site = dup_or(a, v[P_HTTP_SEC_FETCH_SITE], NULL);
	r->host = dup_or(a, v[P_HTTP_HOST], "");
	r->https = v[P_HTTPS] != NULL && strcasecmp(v[P_HTTPS], "on") == 0;
	/* Only nginx sets REMOTE_USER (a client's headers arrive as HTTP_*);
	 * an empty one, as an unset nginx variable gives, is none. */
	r->remote_user =
	    v[P_REMOTE_USER] && v[P_REMOTE_USER][0] ? arena_strdup(a, v[P_REMOTE_USER]) : NULL;
	r->authorization = dup_or(a, v[P_HTTP_AUTHORIZATION], NULL);
	req_parse_cookies(a, v[P_HTTP_COOKIE], &r->cookies);

	const char *m = v[P_REQUEST_METHOD];
	if (m == NULL || m[0] == '\0')
		return REQ_BAD_REQUEST;
	for (const char *c = m; *c; c++)
		if (!is_tchar((unsigned char)*c))
			return REQ_BAD_REQUEST;
	r->method = arena_strdup(a, m);

	enum req_error e;
	const char *uri = v[P_REQUEST_URI];
	const char *uri_query = NULL;
	if (uri != NULL) {
		const char *q = strchr(uri, '?');
		size_t n = q ? (size_t)(q - uri) : strlen(uri);
		uri_query = q ? q + 1 : NULL;
		e = parse_path(r, uri, n);
	} else if (v[P_DOCUMENT_URI] != NULL) {
		e = parse_path(r, v[P_DOCUMENT_URI], strlen(v[P_DOCUMENT_URI]));
	} else {
		const char *script = v[P_SCRIPT_NAME] ? v[P_SCRIPT_NAME] : "";
		const char *info = v[P_PATH_INFO] ? v[P_PATH_INFO] : "";
		char *joined = arena_printf(a, "%s%s", script, info);
		e = parse_path(r, joined, strlen(joined));
	}
	if (e != REQ_OK)
		return e;

	const char *query = v[P_QUERY_STRING] ? v[P_QUERY_STRING] : uri_query;
	if (query != NULL) {
		size_t qlen = strlen(query);
		if (qlen > limits->max_body)
			return REQ_TOO_LARGE;
		r->raw_query = arena_strndup(a, query, qlen);
		e = req_parse_urlencoded(a, r->raw_query, qlen, limits, &r->query);
		if (e != REQ_OK)
			return e;
	}

	const char *cl = v[P_CONTENT_LENGTH];
	if (cl != NULL && cl[0] != '\0') {
		size_t n = 0;
		for (const char *c = cl; *c; c++) {
			if (*c < '0' || *c > '9')
				return REQ_BAD_REQUEST;
			if (n > limits->max_body || n > SIZE_MAX / 10 - 1)
				return REQ_TOO_LARGE;
			n = n * 10 + (size_t)(*c - '0');
		}
		if (n > limits->max_body)
			return REQ_TOO_LARGE;
	}
	if (body_len > limits->max_body)
		return REQ_TOO_LARGE;

	if (strcmp(r->method, "POST") == 0 && is_form_type(v[P_CONTENT_TYPE])) {
		e = req_parse_urlencoded(a, body ? body : "", body ? body_len : 0, limits,
		                         &r->form);
		if (e != REQ_OK)
			return e;
	}
	return REQ_OK;
}

long utf8_count(const char *s, size_t len)
{
	if (memchr(s, '\0', len) != NULL || !utf8_valid(s, len))
		return -1;
	long n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

size_t utf8_prefix(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	/* At a cut, the byte after it starting a character means none is split. */
	if (n == max)
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	return n;
}

size_t utf8_length(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p & 0xc0) != 0x80;
	return n;
}

/* The set of req.h's str_hidden_char, as inclusive ranges of code points;
 * the first two are the controls. */
static const struct {
	long lo, hi;
} hidden[] = {
	{ 0x0000, 0x001f }, { 0x007f, 0x009f }, { 0x00ad, 0x00ad }, { 0x061c, 0x061c },
	{ 0x180e, 0x180e }, { 0x200b, 0x200f }, { 0x2028, 0x202e }, { 0x2060, 0x2064 },
	{ 0x2066, 0x206f }, { 0xfeff, 0xfeff }, { 0xfff9, 0xfffb }, { 0xe0000, 0xe007f },
};

/* The code point of the valid UTF-8 sequence at p (at most end), with its
 * length in *n; -1 with *n = 1 when the bytes there are not one. */
static long decode_one(const unsigned char *p, const unsigned char *end, size_t *n)
{
	size_t len = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;

	*n = 1;
	if ((size_t)(end - p) < len || !utf8_valid((const char *)p, len))
		return -1;
	*n = len;
	if (len == 1)
		return *p;
	long cp = *p & (0x7f >> len);
	for (size_t i = 1; i < len; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	return cp;
}

long str_hidden_char(const char *s, int flags)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);

	while (p < end) {
		size_t n;
		long cp;

		/* Most text is ASCII: one comparison a byte. */
		if (*p >= 0x20 && *p < 0x7f) {
			p++;
			continue;
		}
		cp = decode_one(p, end, &n);
		p += n;
		if (cp < 0)
			continue;
		if ((flags & STR_LINE_BREAKS) && (cp == '\t' || cp == '\n' || cp == '\r'))
			continue;
		for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
			if (cp >= hidden[i].lo && cp <= hidden[i].hi)
				return cp;
	}
	return -1;
}

int str_has_control(const char *s)
{
	return str_hidden_char(s, 0) >= 0;
}

int str_hidden_is_control(long cp)
{
	return cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f);
}

int str_check_visible(const char *what, const char *s, int flags, char *err, size_t errlen)
{
	long cp = str_hidden_char(s, flags);

	if (cp < 0)
		return 0;
	snprintf(err, errlen, "invalid %s: it contains %s (U+%04lX)", what,
	         str_hidden_is_control(cp) ? "a control character"
	                                   : "an invisible or bidirectional formatting character",
	         cp);
	return -1;
}
