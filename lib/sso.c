/*
 * sso: the method list, the Authorization header, base64 and the mapping of
 * principals to usernames (see sso.h). Pure functions: no I/O, no globals.
 */
#include "sso.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "req.h"

static const struct {
	enum sso_method m;
	const char *name;
} methods[] = {
	{ SSO_PASSWORD, "password" },
	{ SSO_NEGOTIATE, "negotiate" },
	{ SSO_REMOTE_USER, "remote-user" },
};

const char *sso_method_name(enum sso_method m)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (methods[i].m == m)
			return methods[i].name;
	return NULL;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int sso_parse_methods(const char *list, struct sso_methods *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	const char *p = list ? list : "";
	for (;;) {
		while (is_blank(*p))
			p++;
		const char *start = p;
		while (*p && *p != ',')
			p++;
		const char *end = p;
		while (end > start && is_blank(end[-1]))
			end--;
		size_t n = (size_t)(end - start);
		if (n == 0) {
			snprintf(err, errlen,
			         "an empty entry: name the methods separated by commas, such as "
			         "\"negotiate,password\"");
			return -1;
		}
		enum sso_method m = 0;
		for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
			if (strlen(methods[i].name) == n && memcmp(methods[i].name, start, n) == 0)
				m = methods[i].m;
		if (m == 0) {
			char q[40];
			size_t k = 0;
			for (size_t i = 0; i < n && k + 1 < sizeof(q); i++)
				q[k++] = (start[i] >= 0x20 && start[i] < 0x7f) ? start[i] : '?';
			q[k] = '\0';
			snprintf(
			    err, errlen,
			    "\"%s\" is not a sign-in method (password, negotiate or remote-user)",
			    q);
			return -1;
		}
		if (out->mask & (unsigned)m) {
			snprintf(err, errlen, "\"%s\" is named twice", sso_method_name(m));
			return -1;
		}
		out->order[out->n++] = m;
		out->mask |= (unsigned)m;
		if (*p == '\0')
			return 0;
		p++; /* the comma */
	}
}

/* ---- base64 ---- */

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long sso_b64_decode(const char *in, size_t len, unsigned char *out, size_t cap)
{
	if (len % 4 != 0)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < len; i += 4) {
		int v[4], pad = 0;
		for (int k = 0; k < 4; k++) {
			unsigned char c = (unsigned char)in[i + (size_t)k];
			if (c == '=') {
				/* Only in the last group, only as its last one or two. */
				if (i + 4 != len || k < 2)
					return -1;
				pad++;
				v[k] = 0;
				continue;
			}
			if (pad > 0)
				return -1; /* a character after '=' */
			v[k] = b64_value(c);
			if (v[k] < 0)
				return -1;
		}
		unsigned long w = ((unsigned long)v[0] << 18) | ((unsigned long)v[1] << 12) |
		                  ((unsigned long)v[2] << 6) | (unsigned long)v[3];
		/* Bits the padding cuts off must be zero: one encoding per input. */
		if ((pad == 1 && (w & 0xff) != 0) || (pad == 2 && (w & 0xffff) != 0))
			return -1;
		size_t n = (size_t)(3 - pad);
		if (o + n > cap)
			return -1;
		out[o++] = (unsigned char)(w >> 16);
		if (n > 1)
			out[o++] = (unsigned char)(w >> 8);
		if (n > 2)
			out[o++] = (unsigned char)w;
	}
	return (long)o;
}

void sso_b64_encode(const unsigned char *in, size_t n, char *out)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned long w = (unsigned long)in[i] << 16;
		if (i + 1 < n)
			w |= (unsigned long)in[i + 1] << 8;
		if (i + 2 < n)
			w |= in[i + 2];
		out[o++] = abc[(w >> 18) & 63];
		out[o++] = abc[(w >> 12) & 63];
		out[o++] = i + 1 < n ? abc[(w >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? abc[w & 63] : '=';
	}
	out[o] = '\0';
}

/* ---- the Authorization header ---- */

enum sso_authz sso_parse_authorization(const char *header, const char **token, size_t *len)
{
	*token = NULL;
	*len = 0;
	if (header == NULL)
		return SSO_AUTHZ_NONE;
	const char *p = header;
	while (is_blank(*p))
		p++;
	if (*p == '\0')
		return SSO_AUTHZ_NONE;
	const char *scheme = p;
	while (*p && !is_blank(*p))
		p++;
	if ((size_t)(p - scheme) != 9 || strncasecmp(scheme, "Negotiate", 9) != 0)
		return SSO_AUTHZ_OTHER;
	while (is_blank(*p))
		p++;
	const char *t = p;
	while (*p && !is_blank(*p))
		p++;
	size_t n = (size_t)(p - t);
	while (is_blank(*p))
		p++;
	if (n == 0 || *p != '\0' || n > SSO_TOKEN_B64_MAX || n % 4 != 0)
		return SSO_AUTHZ_BAD;
	for (size_t i = 0; i < n; i++)
		if (b64_value((unsigned char)t[i]) < 0 && t[i] != '=')
			return SSO_AUTHZ_BAD;
	*token = t;
	*len = n;
	return SSO_AUTHZ_NEGOTIATE;
}

/* ---- names ---- */

/* A username as users.username takes it: 1 to 64 characters of UTF-8, no
 * blank, control, invisible or bidirectional character (users_username_check
 * and portal_visible_text). */
static int username_ok(const char *s, size_t n)
{
	if (n == 0 || !utf8_valid(s, n))
		return 0;
	char tmp[64 * 4 + 1];
	if (n >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (utf8_length(tmp) > 64 || str_hidden_char(tmp, 0) >= 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (tmp[i] == ' ' || tmp[i] == '\t' || tmp[i] == '\n' || tmp[i] == '\r' ||
		    tmp[i] == '\v' || tmp[i] == '\f')
			return 0;
	/* The Unicode spaces, which [[:space:]] may take too: U+00A0, U+1680,
	 * U+2000-U+200A, U+202F, U+205F, U+3000. */
	for (const unsigned char *u = (const unsigned char *)tmp; *u; u++) {
		if ((u[0] == 0xc2 && u[1] == 0xa0) ||
		    (u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80) ||
		    (u[0] == 0xe2 && u[1] == 0x80 && (u[2] <= 0x8a || u[2] == 0xaf)) ||
		    (u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f) ||
		    (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80))
			return 0;
	}
	return 1;
}

enum sso_principal sso_principal_user(const char *principal, const char *realm, char *user,
                                      size_t cap)
{
	if (cap > 0)
		user[0] = '\0';
	if (principal == NULL || realm == NULL || realm[0] == '\0')
		return SSO_PRINCIPAL_BAD;
	const char *at = strrchr(principal, '@');
	if (at == NULL)
		return SSO_PRINCIPAL_BAD;
	size_t n = (size_t)(at - principal);
	/* An escaped character ("a\@b") or an instance ("HTTP/host", "anna/admin")
	 * is no user's name. */
	if (memchr(principal, '\\', n) || memchr(principal, '/', n) || !username_ok(principal, n))
		return SSO_PRINCIPAL_BAD;
	if (strcmp(at + 1, realm) != 0)
		return SSO_PRINCIPAL_OTHER_REALM;
	if (n + 1 > cap)
		return SSO_PRINCIPAL_BAD;
	memcpy(user, principal, n);
	user[n] = '\0';
	return SSO_PRINCIPAL_OK;
}

int sso_remote_user_ok(const char *value)
{
	return value != NULL && username_ok(value, strlen(value));
}
