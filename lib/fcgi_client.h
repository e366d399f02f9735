/*
 * fcgi_client: the smallest FastCGI client, enough for an operator's tool to
 * ask a pool for one page over its unix socket (portalctl status) without
 * nginx in between.
 */
#ifndef FCGI_CLIENT_H
#define FCGI_CLIENT_H

#include <stddef.h>

#include "buf.h"

/*
 * Sends GET path (no query) to the FastCGI responder on the unix socket
 * sock_path and waits at most timeout_ms for the whole answer. On success
 * returns 0 with *status the HTTP status (the Status: header, 200 when
 * absent) and body holding what follows the headers (appended). Returns -1
 * with err saying what failed (connect, timeout, malformed answer).
 */
int fcgi_client_get(const char *sock_path, const char *path, int timeout_ms, int *status,
                    struct buf *body, char *err, size_t errlen);

#endif
