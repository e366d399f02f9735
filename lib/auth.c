/*
 * auth: argon2id password hashes as PHC strings, the rehash decision, the
 * password policy, random tokens and their base64url/hex forms, and
 * constant-time comparison (see auth.h). Pure computation: no database.
 */
#include "auth.h"

#include <argon2.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common_passwords.h"
#include "req.h"

const struct auth_params auth_default_params = {
	.m_kib = 19456,
	.t = 2,
	.p = 1,
};

enum {
	SALT_BYTES = 16,
	HASH_BYTES = 32,
	/* Bounds on what a PHC string may carry: argon2's own minimums, and
	 * maximums far above anything we write, so a parse never overflows. */
	PHC_SALT_MIN = ARGON2_MIN_SALT_LENGTH,
	PHC_SALT_MAX = 64,
	PHC_HASH_MIN = ARGON2_MIN_OUTLEN,
	PHC_HASH_MAX = 64,
	POLICY_MIN_CHARS = 12,
	POLICY_MAX_CHARS = 256,
	/* The most bytes a policy-conforming password can have. */
	POLICY_MAX_BYTES = 4 * POLICY_MAX_CHARS,
};

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int auth_random(unsigned char *out, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = getrandom(out + done, n - done, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

/*
 * Decodes n characters of unpadded base64 over alphabet. Returns the number
 * of bytes, or -1. Leftover bits must be zero, as argon2's own decoder
 * demands: every byte string then has exactly one spelling.
 */
static int b64_decode(const char *alphabet, const char *s, size_t n, unsigned char *out,
                      size_t outlen)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;

	/* n bounded by INT_MAX keeps the count of output bytes an int. */
	if (n % 4 == 1 || n > INT_MAX || n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0) > outlen)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *pos = s[i] == '\0' ? NULL : strchr(alphabet, s[i]);
		if (pos == NULL)
			return -1;
		acc = (acc << 6 | (uint32_t)(pos - alphabet)) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	if ((acc & ((1u << bits) - 1)) != 0)
		return -1;
	return (int)o;
}

void auth_b64url_encode(const unsigned char *in, size_t n, char *out)
{
	size_t o = 0;
	size_t i = 0;

	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64_url[v >> 18 & 63];
		out[o++] = b64_url[v >> 12 & 63];
		out[o++] = b64_url[v >> 6 & 63];
		out[o++] = b64_url[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		out[o++] = b64_url[v >> 18 & 63];
		out[o++] = b64_url[v >> 12 & 63];
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64_url[v >> 18 & 63];
		out[o++] = b64_url[v >> 12 & 63];
		out[o++] = b64_url[v >> 6 & 63];
	}
	out[o] = '\0';
}

int auth_b64url_decode(const char *s, unsigned char *out, size_t outlen)
{
	if (s == NULL)
		return -1;
	return b64_decode(b64_url, s, strlen(s), out, outlen);
}

void auth_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int auth_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return 0;
	size_t n = strlen(a);
	if (strlen(b) != n)
		return 0;
	/* volatile keeps the compiler from turning the loop into an early exit. */
	volatile unsigned char diff = 0;
	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
	return diff == 0;
}

/* Parses a decimal uint32 with no sign and no leading zeros at *s, up to the
 * delimiter; advances *s past the delimiter. */
static int parse_u32(const char **s, char delim, uint32_t *out)
{
	const char *p = *s;
	uint64_t v = 0;

	if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' && p[1] <= '9'))
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	if (*p != delim)
		return -1;
	*out = (uint32_t)v;
	*s = p + 1;
	return 0;
}

/* Checks that the n characters at s are base64 of min..max bytes. */
static int phc_b64_ok(const char *s, size_t n, size_t min, size_t max)
{
	unsigned char tmp[PHC_SALT_MAX > PHC_HASH_MAX ? PHC_SALT_MAX : PHC_HASH_MAX];
	int r = b64_decode(b64_std, s, n, tmp, max);
	return r >= 0 && (size_t)r >= min;
}

int auth_phc_params(const char *phc, struct auth_params *out)
{
	static const char prefix[] = "$argon2id$v=19$m=";
	struct auth_params p;

	if (phc == NULL || strnlen(phc, AUTH_PHC_MAX) >= AUTH_PHC_MAX)
		return -1;
	if (strncmp(phc, prefix, sizeof(prefix) - 1) != 0)
		return -1;
	const char *s = phc + sizeof(prefix) - 1;
	if (parse_u32(&s, ',', &p.m_kib) != 0 || strncmp(s, "t=", 2) != 0)
		return -1;
	s += 2;
	if (parse_u32(&s, ',', &p.t) != 0 || strncmp(s, "p=", 2) != 0)
		return -1;
	s += 2;
	if (parse_u32(&s, '$', &p.p) != 0)
		return -1;
	/* argon2 refuses these at verification; a string it cannot verify is
	 * not well-formed. */
	if (p.t < ARGON2_MIN_TIME || p.p < ARGON2_MIN_LANES || p.p > ARGON2_MAX_LANES ||
	    p.m_kib < ARGON2_MIN_MEMORY || (uint64_t)p.m_kib < 8 * (uint64_t)p.p)
		return -1;

	const char *salt = s;
	const char *dollar = strchr(salt, '$');
	if (dollar == NULL)
		return -1;
	const char *hash = dollar + 1;
	if (!phc_b64_ok(salt, (size_t)(dollar - salt), PHC_SALT_MIN, PHC_SALT_MAX) ||
	    !phc_b64_ok(hash, strlen(hash), PHC_HASH_MIN, PHC_HASH_MAX))
		return -1;
	if (out != NULL)
		*out = p;
	return 0;
}

int auth_needs_rehash(const char *phc, const struct auth_params *want)
{
	struct auth_params have;

	if (want == NULL)
		want = &auth_default_params;
	if (auth_phc_params(phc, &have) != 0)
		return 1;
	return have.m_kib < want->m_kib || have.t < want->t || have.p < want->p;
}

int auth_hash(const char *password, size_t len, const struct auth_params *params, char *out,
              size_t outlen)
{
	unsigned char salt[SALT_BYTES];

	if (out == NULL || params == NULL || (password == NULL && len != 0) || len > UINT32_MAX)
		return -1;
	if (password == NULL)
		password = "";
	size_t need = argon2_encodedlen(params->t, params->m_kib, params->p, SALT_BYTES, HASH_BYTES,
	                                Argon2_id);
	if (need > outlen || need > AUTH_PHC_MAX)
		return -1;
	if (auth_random(salt, sizeof(salt)) != 0)
		return -1;
	int r = argon2id_hash_encoded(params->t, params->m_kib, params->p, password, len, salt,
	                              sizeof(salt), HASH_BYTES, out, outlen);
	if (r != ARGON2_OK)
		return -1;
	return 0;
}

int auth_verify(const char *phc, const char *password, size_t len)
{
	if (auth_phc_params(phc, NULL) != 0 || (password == NULL && len != 0) || len > UINT32_MAX)
		return 0;
	if (password == NULL)
		password = "";
	return argon2id_verify(phc, password, len) == ARGON2_OK;
}

/*
 * A few slots, so that a caller holding the pointer for one set of parameters
 * keeps a valid string while another set is used; in practice there is one.
 */
enum { DUMMY_SLOTS = 4 };

static struct {
	int used;
	struct auth_params params;
	char phc[AUTH_PHC_MAX];
} dummy[DUMMY_SLOTS];
static unsigned dummy_next;

const char *auth_dummy_hash(const struct auth_params *params)
{
	unsigned char pw[32];
	char pw_text[2 * sizeof(pw) + 1];

	if (params == NULL)
		params = &auth_default_params;
	for (unsigned i = 0; i < DUMMY_SLOTS; i++) {
		if (dummy[i].used && dummy[i].params.m_kib == params->m_kib &&
		    dummy[i].params.t == params->t && dummy[i].params.p == params->p)
			return dummy[i].phc;
	}
	if (auth_random(pw, sizeof(pw)) != 0)
		return NULL;
	auth_hex(pw, sizeof(pw), pw_text);
	unsigned slot = dummy_next % DUMMY_SLOTS;
	dummy[slot].used = 0;
	if (auth_hash(pw_text, strlen(pw_text), params, dummy[slot].phc, sizeof(dummy[slot].phc)) !=
	    0)
		return NULL;
	dummy[slot].params = *params;
	dummy[slot].used = 1;
	dummy_next++;
	return dummy[slot].phc;
}

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* strcasestr for ASCII letters only, so that the result does not depend on
 * the locale and multi-byte characters compare byte for byte. */
static int contains_ascii_nocase(const char *hay, size_t hn, const char *needle, size_t nn)
{
	if (nn > hn)
		return 0;
	for (size_t i = 0; i + nn <= hn; i++) {
		size_t j = 0;
		while (j < nn && ascii_lower((unsigned char)hay[i + j]) ==
		                     ascii_lower((unsigned char)needle[j]))
			j++;
		if (j == nn)
			return 1;
	}
	return 0;
}

static int cmp_entry(const void *key, const void *entry)
{
	return strcmp(key, *(const char *const *)entry);
}

static int is_common(const char *password, size_t len)
{
	char lower[POLICY_MAX_BYTES + 1];

	if (len >= sizeof(lower))
		return 0;
	for (size_t i = 0; i < len; i++)
		lower[i] = (char)ascii_lower((unsigned char)password[i]);
	lower[len] = '\0';
	return bsearch(lower, common_passwords,
	               sizeof(common_passwords) / sizeof(common_passwords[0]),
	               sizeof(common_passwords[0]), cmp_entry) != NULL;
}

enum auth_policy auth_check_policy(const char *password, const char *username)
{
	if (password == NULL)
		return AUTH_POLICY_TOO_SHORT;
	size_t len = strlen(password);
	if (!utf8_valid(password, len))
		return AUTH_POLICY_NOT_UTF8;
	/* Valid UTF-8: every code point has exactly one non-continuation byte. */
	size_t chars = 0;
	for (size_t i = 0; i < len; i++)
		chars += ((unsigned char)password[i] & 0xc0) != 0x80;
	if (chars < POLICY_MIN_CHARS)
		return AUTH_POLICY_TOO_SHORT;
	if (chars > POLICY_MAX_CHARS)
		return AUTH_POLICY_TOO_LONG;
	if (username != NULL && username[0] != '\0' &&
	    contains_ascii_nocase(password, len, username, strlen(username)))
		return AUTH_POLICY_HAS_USERNAME;
	if (is_common(password, len))
		return AUTH_POLICY_COMMON;
	return AUTH_POLICY_OK;
}

const char *auth_policy_key(enum auth_policy p)
{
	switch (p) {
	case AUTH_POLICY_OK:
		return "password.ok";
	case AUTH_POLICY_TOO_SHORT:
		return "password.too_short";
	case AUTH_POLICY_TOO_LONG:
		return "password.too_long";
	case AUTH_POLICY_NOT_UTF8:
		return "password.not_utf8";
	case AUTH_POLICY_HAS_USERNAME:
		return "password.has_username";
	case AUTH_POLICY_COMMON:
		return "password.common";
	}
	/* Not a value auth_check_policy returns: refuse rather than say ok. */
	return "password.too_short";
}

const char *auth_password_change_problem(const char *current, const char *next, const char *confirm,
                                         const char *username)
{
	if (current == NULL || next == NULL || confirm == NULL)
		return "account.fields_missing";
	if (strcmp(next, confirm) != 0)
		return "account.passwords_differ";
	enum auth_policy p = auth_check_policy(next, username);
	return p == AUTH_POLICY_OK ? NULL : auth_policy_key(p);
}
