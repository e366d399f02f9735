/*
 * sso: the parts of single sign-on that need neither the network nor a
 * database, so that every verdict has a unit test: the list of sign-in
 * methods (PORTAL_AUTH), the Authorization header of SPNEGO (RFC 4559:
 * "Negotiate" and a base64 token; anything else, Basic included, is never
 * used), standard base64 for its tokens, the mapping of a Kerberos
 * principal name@REALM to a username, and the check of a REMOTE_USER that
 * nginx set. The GSS-API exchange itself is in spnego.c; the session it
 * opens, in session.c.
 */
#ifndef SSO_H
#define SSO_H

#include <stddef.h>

/* A sign-in method, as PORTAL_AUTH names it: "password", "negotiate",
 * "remote-user". Bits, so that a set of them is a mask. */
enum sso_method {
	SSO_PASSWORD = 1,
	SSO_NEGOTIATE = 2,
	SSO_REMOTE_USER = 4,
};

/* The name of a single method as PORTAL_AUTH and sessions.auth_method spell
 * it; NULL for anything but one of the three bits. */
const char *sso_method_name(enum sso_method m);

/* The methods in the order configured, at most three (each once). */
struct sso_methods {
	enum sso_method order[3];
	int n;
	unsigned mask; /* the OR of order[0..n) */
};

/*
 * Parses PORTAL_AUTH: methods separated by commas, blanks around each
 * allowed ("negotiate, password"). Returns 0, or -1 with a message in err
 * naming the problem: an empty list or item, an unknown method (quoted),
 * or a method named twice.
 */
int sso_parse_methods(const char *list, struct sso_methods *out, char *err, size_t errlen);

/* The longest Authorization value the pool takes (a Kerberos ticket from
 * Active Directory with a large PAC is some 12 KiB of base64; nginx's
 * default header buffers stop at 8 KiB per line anyway). */
#define SSO_TOKEN_B64_MAX 65536

enum sso_authz {
	SSO_AUTHZ_NONE,      /* no Authorization header, or an empty one */
	SSO_AUTHZ_NEGOTIATE, /* "Negotiate <base64>": *token and *len point at the base64 */
	SSO_AUTHZ_OTHER,     /* another scheme (Basic, Bearer, NTLM ...): never used */
	SSO_AUTHZ_BAD,       /* "Negotiate" without a token, or one that is not base64 */
};

/*
 * Classifies an Authorization header value (HTTP_AUTHORIZATION). The
 * scheme is case-insensitive (RFC 7235), one or more spaces separate it
 * from the token, and the token must be standard base64 with correct
 * padding, at most SSO_TOKEN_B64_MAX characters, with nothing after it but
 * blanks. On SSO_AUTHZ_NEGOTIATE, *token points into header and *len is
 * the token's length (trailing blanks excluded).
 */
enum sso_authz sso_parse_authorization(const char *header, const char **token, size_t *len);

/*
 * Decodes len characters of standard base64 (RFC 4648 section 4, padded)
 * into out (cap bytes). Returns the number of bytes, or -1 when the input
 * is not base64 (a character outside the alphabet, a length not a multiple
 * of four, padding in the wrong place, non-zero bits after the last
 * character) or out is too small.
 */
long sso_b64_decode(const char *in, size_t len, unsigned char *out, size_t cap);

/* The length of the base64 of n bytes, with its NUL. */
#define SSO_B64_LEN(n) ((((n) + 2) / 3) * 4 + 1)

/* Encodes n bytes as padded standard base64 into out (SSO_B64_LEN(n)
 * bytes), NUL-terminated. */
void sso_b64_encode(const unsigned char *in, size_t n, char *out);

enum sso_principal {
	SSO_PRINCIPAL_OK,
	SSO_PRINCIPAL_OTHER_REALM, /* a user of another realm: refused */
	SSO_PRINCIPAL_BAD,         /* not name@REALM: no realm, an empty or too long name,
	                              an instance (name/admin, HTTP/host), an escape, a control
	                              or blank character */
};

/*
 * Maps a Kerberos principal as gss_display_name shows it ("anna@CED.EXAMPLE")
 * to the username: the part before the last '@' when the part after it is
 * realm exactly (realms are case-sensitive), into user (cap bytes). A
 * principal with an instance ("anna/admin@...") is no user's. Returns
 * SSO_PRINCIPAL_OK with user set, else one of the refusals, user "".
 */
enum sso_principal sso_principal_user(const char *principal, const char *realm, char *user,
                                      size_t cap);

/*
 * Checks a REMOTE_USER that nginx passed (the FastCGI parameter, which only
 * the server sets; never a client's header): 1 when it can name a user (1
 * to 64 characters of valid UTF-8, no blank or control character, as
 * users.username allows), else 0.
 */
int sso_remote_user_ok(const char *value);

#endif
