/*
 * fuzz_sso: single sign-on's parsers of untrusted input (lib/sso.c), each
 * against its promise. The first byte picks one, the rest is its input:
 * the Authorization header (a Negotiate token found is inside the header,
 * base64 by the alphabet, and decodes and encodes back to itself), strict
 * base64 (what decodes encodes back to the same text), a principal of the
 * realm CED.EXAMPLE (a name found is the principal without "@CED.EXAMPLE"
 * and a username), PORTAL_AUTH (a list taken names each method once) and
 * REMOTE_USER.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "req.h"
#include "sso.h"

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_sso: invariant broken: %s\n", what);
	abort();
}

static void check_authorization(const char *h)
{
	const char *t;
	size_t n;
	enum sso_authz a = sso_parse_authorization(h, &t, &n);
	if (a != SSO_AUTHZ_NEGOTIATE) {
		if (t != NULL || n != 0)
			fail("a token without Negotiate");
		return;
	}
	if (t < h || t + n > h + strlen(h) || n == 0 || n % 4 != 0 || n > SSO_TOKEN_B64_MAX)
		fail("the token is not inside the header, or of a bad length");
	unsigned char *raw = malloc(n);
	char *back = malloc(n + 1);
	if (raw == NULL || back == NULL)
		abort();
	long got = sso_b64_decode(t, n, raw, n);
	if (got >= 0) {
		sso_b64_encode(raw, (size_t)got, back);
		if (strlen(back) != n || memcmp(back, t, n) != 0)
			fail("a token decodes to bytes that encode otherwise");
	}
	free(raw);
	free(back);
}

static void check_b64(const char *s, size_t len)
{
	unsigned char *raw = malloc(len + 1);
	char *back = malloc(len + 8);
	if (raw == NULL || back == NULL)
		abort();
	long got = sso_b64_decode(s, len, raw, len + 1);
	if (got >= 0) {
		if ((size_t)got > len)
			fail("more bytes than characters");
		sso_b64_encode(raw, (size_t)got, back);
		if (strlen(back) != len || memcmp(back, s, len) != 0)
			fail("base64 that decodes does not encode back to itself");
	}
	free(raw);
	free(back);
}

static void check_principal(const char *p)
{
	char user[300];
	enum sso_principal r = sso_principal_user(p, "CED.EXAMPLE", user, sizeof(user));
	if (r != SSO_PRINCIPAL_OK) {
		if (user[0] != '\0')
			fail("a refused principal left a name");
		return;
	}
	size_t n = strlen(user);
	if (strncmp(p, user, n) != 0 || strcmp(p + n, "@CED.EXAMPLE") != 0)
		fail("the name is not the principal without its realm");
	if (strchr(user, '/') || strchr(user, '\\') || !sso_remote_user_ok(user))
		fail("the name is no username");
}

static void check_methods(const char *s)
{
	struct sso_methods m;
	char err[200];
	if (sso_parse_methods(s, &m, err, sizeof(err)) != 0) {
		if (err[0] == '\0' || str_has_control(err))
			fail("a refusal without a readable message");
		return;
	}
	unsigned seen = 0;
	if (m.n < 1 || m.n > 3)
		fail("a list of no method or more than three");
	for (int i = 0; i < m.n; i++) {
		if (sso_method_name(m.order[i]) == NULL || (seen & (unsigned)m.order[i]))
			fail("a method unknown or twice");
		seen |= (unsigned)m.order[i];
	}
	if (seen != m.mask)
		fail("the mask is not the methods'");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t len = size - 1;
	char *s = malloc(len + 1);
	if (s == NULL)
		abort();
	memcpy(s, data + 1, len);
	s[len] = '\0';
	switch (data[0] % 5) {
	case 0:
		check_authorization(s);
		break;
	case 1:
		check_b64(s, len);
		break;
	case 2:
		check_principal(s);
		break;
	case 3:
		check_methods(s);
		break;
	default:
		if (sso_remote_user_ok(s) && (!utf8_valid(s, strlen(s)) || strlen(s) > 256))
			fail("REMOTE_USER taken that is no username");
		break;
	}
	free(s);
	return 0;
}
