/*
 * spnego: Kerberos sign-in over HTTP (SPNEGO, RFC 4559) on the acceptor's
 * side, with MIT's GSS-API. One call per request: the pool is stateless,
 * so only exchanges that complete in one step (Kerberos, which is what
 * browsers and curl send with a ticket) are accepted; anything that would
 * need a second round (NTLM inside SPNEGO) is refused like a bad token.
 * The service key comes from the keytab named by PORTAL_KRB5_KEYTAB
 * (through GSS-API's credential store, so the process environment is not
 * changed); replayed tokens are refused by the replay cache of MIT
 * Kerberos. Parsing of the header and of the principal is in sso.c.
 */
#ifndef SPNEGO_H
#define SPNEGO_H

#include <stddef.h>

#include "buf.h"

enum spnego_result {
	SPNEGO_OK,      /* the client is *principal */
	SPNEGO_REFUSED, /* a bad, replayed, expired or incomplete token: the client's fault */
	SPNEGO_ERROR,   /* the server cannot accept (keytab missing or unreadable ...) */
};

/* The longest principal name kept; longer ones are refused. */
#define SPNEGO_PRINCIPAL_MAX 512

/*
 * Accepts the decoded token tok (len bytes) with the keys of keytab.
 * On SPNEGO_OK, principal (SPNEGO_PRINCIPAL_MAX bytes) holds the client's
 * name as gss_display_name shows it ("anna@CED.EXAMPLE") and reply gets the
 * base64 of the token for the client (mutual authentication: the value of
 * "WWW-Authenticate: Negotiate <reply>"), or stays empty when there is
 * none. On the other results, why (whylen bytes) says what GSS-API said,
 * for the log. Allocates nothing that outlives the call but what reply
 * holds (the caller's buffer).
 */
enum spnego_result spnego_accept(const char *keytab, const unsigned char *tok, size_t len,
                                 char *principal, struct buf *reply, char *why, size_t whylen);

#endif
