/*
 * session: sign-in, server-side sessions and sign-out, in SQL. A session is
 * a random 32-byte token in the cookie and only sha256(token) in the
 * database. Every authenticated page runs ONE statement that begins with
 * SESSION_CTE: it checks the session (idle and absolute timeouts, active
 * user), touches last_seen_at at most once a minute, and the page's own
 * query joins the CTE "cur" for its data.
 */
#ifndef SESSION_H
#define SESSION_H

#include <libpq-fe.h>

#include "auth.h"
#include "cfg.h"
#include "db.h"
#include "req.h"

#define SESSION_COOKIE    "__Host-portal_session"
#define PRESESSION_COOKIE "__Host-portal_presession"

/*
 * The session check every authenticated statement starts with. Parameters:
 * $1 the token as bytea text ("\x..."), $2 the idle timeout in seconds.
 * Defines "cur" with one row (sid, uid, username, display_name, email,
 * is_superuser, must_change_password, csrf) when the session is valid, none
 * otherwise.
 */
/* clang-format off */
#define SESSION_CTE                                                                              \
	"WITH cur AS ("                                                                          \
	" SELECT s.id AS sid, u.id AS uid, u.username::text AS username, u.display_name,"        \
	"  u.email::text AS email, u.is_superuser, u.must_change_password,"                      \
	"  encode(s.csrf_secret, 'hex') AS csrf"                                                 \
	" FROM sessions s JOIN users u ON u.id = s.user_id"                                      \
	" WHERE s.token_hash = sha256($1::bytea) AND s.expires_at > now()"                       \
	"  AND s.last_seen_at > now() - make_interval(secs => $2::int) AND u.is_active),"        \
	" touch AS (UPDATE sessions SET last_seen_at = now()"                                    \
	"  WHERE id = (SELECT sid FROM cur) AND last_seen_at < now() - interval '1 minute') "
/* clang-format on */

/* The statements of this module, terminated by { NULL }. */
extern const struct db_stmt session_stmts[];

/* The signed-in user, read from a row of a SESSION_CTE statement. Strings
 * point into the PGresult. */
struct session {
	long long sid;
	long long uid;
	const char *username;
	const char *display_name;
	const char *email;
	int is_superuser;
	int must_change_password; /* an administrator set the password */
	const char *csrf;         /* 64 hex digits: the form token of this session */
};

/*
 * Turns the session cookie (base64url of 32 bytes) into the $1 parameter
 * of SESSION_CTE ("\x" + 64 hex digits, 67 bytes with NUL). Returns 0, or
 * -1 when the cookie is absent or malformed (then there is no session).
 */
int session_token_param(const char *cookie, char out[67]);

/* Reads row 0 of res into s. Returns 1 when res has a session row, else 0. */
int session_from_result(const PGresult *res, struct session *s);

/*
 * Checks the session alone (for handlers that need no page data, and for
 * POSTs before they change anything). Returns the result (caller PQclears)
 * with *st; a missing or invalid session gives a result with zero rows.
 * token_param as from session_token_param.
 */
PGresult *session_check(struct db *db, const struct cfg *cfg, const char *token_param,
                        enum db_status *st);

enum login_result {
	LOGIN_OK,
	LOGIN_FAILED,    /* unknown user, wrong password, inactive, no password: all alike */
	LOGIN_THROTTLED, /* too many failures of this name from this address: not checked */
	LOGIN_ERROR,     /* the database failed: *st says how */
};

/*
 * Signs in: looks the user up by username or email, verifies the password
 * (against a dummy hash when there is no usable one, so every failure costs
 * the same), and in a second statement either creates the session (with a
 * rehash when the stored parameters are weaker than configured) or counts
 * the failure for the pair (login as typed, ip). From the 5th failure of a
 * pair within a day, that pair waits 1, 2, 4 ... s, up to 15 minutes, before
 * its next attempt is checked at all: LOGIN_THROTTLED, with *retry_after
 * the seconds left (the same for a known and an unknown name; other
 * addresses are not affected). Success clears the pair. Both write their
 * audit_log row in the same statement. On LOGIN_OK, cookie_out
 * (AUTH_TOKEN_B64 bytes) holds the new session token.
 */
enum login_result session_login(struct db *db, const struct cfg *cfg, const char *login,
                                const char *password, const char *ip, const char *user_agent,
                                char *cookie_out, int *retry_after, enum db_status *st);

/* Ends session sid of user uid (sign-out), with its audit row. */
enum db_status session_logout(struct db *db, long long sid, long long uid, const char *ip);

/* Ends every session of uid ("sign out everywhere"), with its audit row. */
enum db_status session_logout_all(struct db *db, long long uid, const char *ip);

/*
 * Deletes every session past its idle or absolute timeout, which no page
 * accepts any more (a pool runs it every SESSION_PURGE_S seconds, see
 * app.c). Returns the number deleted, or -1 with *st on a failure.
 */
long session_purge(struct db *db, const struct cfg *cfg, enum db_status *st);
enum { SESSION_PURGE_S = 300 };

/*
 * Changes the password of uid to new_password (already checked against the
 * policy) after verifying current against the stored hash: ends every
 * session of the user and opens a new one for this browser (cookie_out as in
 * session_login). Returns 0 on success, 1 when current is wrong, -1 on a
 * failure (*st says which; DB_ERROR when hashing failed).
 */
int session_change_password(struct db *db, const struct cfg *cfg, long long uid,
                            const char *current, const char *new_password, const char *ip,
                            const char *user_agent, char *cookie_out, enum db_status *st);

/* Checks the CSRF token of a POST: the form field "csrf" equals expected
 * (constant time), and Origin / Sec-Fetch-Site, when the browser sends them,
 * say same origin. Returns 1 when the request may proceed. */
int session_csrf_ok(const struct request *r, const char *expected);

/* Returns 1 when next is a local path that is safe to redirect to: starts
 * with one '/', no backslash, no control character, at most 1024 bytes. */
int session_local_path(const char *next);

#endif
