/*
 * auth: passwords and tokens. argon2id hashing stored as PHC strings, the
 * decision to rehash, the password policy, session tokens and their
 * base64url form, constant-time comparison. No database here: the SQL of
 * sign-in and sessions lives in session.c.
 */
#ifndef AUTH_H
#define AUTH_H

#include <stddef.h>
#include <stdint.h>

/* A PHC string: $argon2id$v=19$m=19456,t=2,p=1$<salt b64>$<hash b64> */
#define AUTH_PHC_MAX     160
#define AUTH_TOKEN_BYTES 32
#define AUTH_TOKEN_B64   44 /* base64url of 32 bytes, unpadded (43) + NUL */

struct auth_params {
	uint32_t m_kib; /* memory cost */
	uint32_t t;     /* iterations */
	uint32_t p;     /* lanes */
};

/* OWASP's minimum for argon2id: m=19456 KiB, t=2, p=1. */
extern const struct auth_params auth_default_params;

/*
 * Hashes password (len bytes, any bytes including non-ASCII UTF-8) with
 * argon2id, a fresh 16-byte salt from getrandom and 32-byte output, into out
 * (at least AUTH_PHC_MAX bytes) as a PHC string. Returns 0 or -1.
 */
int auth_hash(const char *password, size_t len, const struct auth_params *params, char *out,
              size_t outlen);

/* Returns 1 when password matches the PHC string, 0 when not or when the
 * string is malformed. Costs one argon2id computation either way for a
 * well-formed string. */
int auth_verify(const char *phc, const char *password, size_t len);

/* A well-formed PHC string of a random password, with the given parameters,
 * made once per process: verifying against it costs what a real verification
 * costs, so an unknown username takes as long as a known one. */
const char *auth_dummy_hash(const struct auth_params *params);

/* Parses the parameters of an argon2id PHC string. Returns 0, or -1 when it
 * is not a well-formed argon2id v=19 string. */
int auth_phc_params(const char *phc, struct auth_params *out);

/* Returns 1 when phc should be rehashed: malformed, not argon2id v=19, or
 * any of m, t, p weaker than want. */
int auth_needs_rehash(const char *phc, const struct auth_params *want);

enum auth_policy {
	AUTH_POLICY_OK = 0,
	AUTH_POLICY_TOO_SHORT, /* fewer than 12 characters (code points) */
	AUTH_POLICY_TOO_LONG,  /* more than 256 characters */
	AUTH_POLICY_NOT_UTF8,
	AUTH_POLICY_HAS_USERNAME, /* equal to or contains the username, any case */
	AUTH_POLICY_COMMON,       /* on the shipped list of common passwords, any case */
};

/* Checks password against the policy: 12..256 characters, not containing
 * the username (case-insensitive ASCII), not a common password. No
 * composition rules. */
enum auth_policy auth_check_policy(const char *password, const char *username);

/* The message-catalogue key of a policy result ("password.too_short", ...). */
const char *auth_policy_key(enum auth_policy p);

/* The form of a password change (current, the new one and its repeat, any
 * of them NULL when absent) for username: the catalogue key of its first
 * problem ("account.fields_missing", "account.passwords_differ", a policy
 * key), or NULL when it may go ahead. The current password is checked
 * against the stored hash by whoever changes it. */
const char *auth_password_change_problem(const char *current, const char *next, const char *confirm,
                                         const char *username);

/* Fills out with n random bytes from getrandom. Returns 0 or -1. */
int auth_random(unsigned char *out, size_t n);

/* base64url without padding. encode writes a NUL-terminated string (out
 * needs 4*ceil(n/3)+1 bytes); decode returns the number of bytes written, or
 * -1 when s is not base64url or does not fit outlen. */
void auth_b64url_encode(const unsigned char *in, size_t n, char *out);
int auth_b64url_decode(const char *s, unsigned char *out, size_t outlen);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void auth_hex(const unsigned char *in, size_t n, char *out);

/* Constant-time equality of two strings: time depends only on their
 * lengths. Returns 1 when equal. NULL is never equal. */
int auth_equal(const char *a, const char *b);

#endif
