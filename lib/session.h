/*
 * session: sign-in, server-side sessions and sign-out, in SQL. A session is
 * a random 32-byte token in the cookie and only sha256(token) in the
 * database. Every authenticated page runs ONE statement that begins with
 * SESSION_CTE: it checks the session (idle and absolute timeouts, active
 * user), touches last_seen_at at most once a minute, and the page's own
 * query joins the CTE "cur" for its data. Every write goes through a
 * SECURITY DEFINER function of schema/0010_seal_portal_web.sql.
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
 * is_superuser, must_change_password, csrf, admin_confirmed, auth_method,
 * auth_identity; schema/0016) when the
 * session is valid, none otherwise. session_current() (SECURITY DEFINER,
 * schema/0010_seal_portal_web.sql) checks and touches: neither pool's role
 * may update sessions itself. It is VOLATILE, so "cur" is computed once
 * per statement, however often the statement reads it.
 */
/* clang-format off */
#define SESSION_CTE                                                                              \
	"WITH cur AS (SELECT * FROM session_current($1::bytea, $2::int)) "
/*
 * The same check for the pages that only read (the list, a report's page,
 * the account page): session_read() (schema/0020_session_read.sql) writes
 * nothing, so the statement can run on a hot standby; "cur" has two more
 * columns, touch_due (the touch is due: the pool calls session_touch after
 * the answer) and replay_lsn (how far a standby has replayed, NULL on the
 * primary; lib/replica.h).
 */
#define SESSION_READ_CTE                                                                         \
	"WITH cur AS (SELECT * FROM session_read($1::bytea, $2::int)) "
/* clang-format on */

/* How long the admin pool's "confirm it's you" step holds: fixed from the
 * moment of the confirmation, not extended by use. */
enum { SESSION_ADMIN_CONFIRM_S = 900 };

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
	int must_change_password;  /* an administrator set the password */
	const char *csrf;          /* 64 hex digits: the form token of this session */
	int admin_confirmed;       /* the admin pool's confirmation holds (admin_confirmed_until) */
	const char *auth_method;   /* how it was made: "password", "negotiate", "remote-user" */
	const char *auth_identity; /* what single sign-on said (principal, REMOTE_USER), or NULL */
	int touch_due;             /* SESSION_READ_CTE: last_seen_at is over a minute old */
	const char *replay_lsn; /* SESSION_READ_CTE on a standby: its replay position, else NULL */
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
/*
 * Touches the session of token_param (last_seen_at = now()) when it is
 * valid and the touch is due: what a SESSION_READ_CTE page left out, run on
 * the primary after the answer. DB_OK, or why not.
 */
enum db_status session_touch(struct db *db, const struct cfg *cfg, const char *token_param);

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
 * the same), and in a second statement either creates the session
 * (session_login_succeeded(); no rehash: see schema/0010) or counts the
 * failure for the pair (login as typed, ip) (session_login_failed()). From the 5th failure of a
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

enum session_sso_result {
	SESSION_SSO_OK,
	SESSION_SSO_UNKNOWN,  /* no user has the name */
	SESSION_SSO_INACTIVE, /* the user is switched off */
	SESSION_SSO_ERROR,    /* the database failed: *st says how */
};

/*
 * Signs in a user whom single sign-on vouched for: method "negotiate" (a
 * Kerberos ticket the pool accepted) or "remote-user" (nginx's REMOTE_USER),
 * username the name mapped from identity (the principal, the REMOTE_USER as
 * given). No password, no throttle: the identity was proven elsewhere. The
 * session records method and identity, and session_login_succeeded() writes
 * the audit row login.success (channel sso, the method and identity in its
 * details). On SESSION_SSO_OK, cookie_out (AUTH_TOKEN_B64 bytes) holds the
 * new session token; *uid_out (when not NULL) the user's id on OK and
 * INACTIVE.
 */
enum session_sso_result session_login_sso(struct db *db, const struct cfg *cfg, const char *method,
                                          const char *username, const char *identity,
                                          const char *ip, const char *user_agent, char *cookie_out,
                                          long long *uid_out, enum db_status *st);

/*
 * The admin pool's "confirm it's you": verifies password for the signed-in
 * superuser uid (username as the sign-in name) with the throttling and the
 * timing of sign-in (a failure counts for the pair (username, ip), with
 * audit row admin.confirm_failed), then sets the session's
 * admin_confirmed_until to SESSION_ADMIN_CONFIRM_S from now, with audit row
 * admin.confirmed (and the rehash sign-in no longer does, when the stored
 * parameters are weaker than configured). cookie is the session cookie's
 * value. Results as session_login (LOGIN_FAILED: wrong password).
 */
enum login_result session_admin_confirm(struct db *db, const struct cfg *cfg, const char *cookie,
                                        long long uid, const char *username, const char *password,
                                        const char *ip, int *retry_after, enum db_status *st);

/* Ends the session of the session cookie's value cookie (sign-out), with
 * its audit row; nothing when cookie is malformed. */
enum db_status session_logout(struct db *db, const char *cookie, const char *ip);

/* Ends every session of the user of the session cookie ("sign out
 * everywhere"), with its audit row; uid only for the log. */
enum db_status session_logout_all(struct db *db, const char *cookie, long long uid, const char *ip);

/*
 * Deletes every session past its idle or absolute timeout, which no page
 * accepts any more (a pool runs it every SESSION_PURGE_S seconds, see
 * app.c). Returns the number deleted, or -1 with *st on a failure.
 */
long session_purge(struct db *db, const struct cfg *cfg, enum db_status *st);
enum { SESSION_PURGE_S = 300 };

/*
 * Changes the password of uid, the user of the session cookie's value
 * cookie, to new_password (already checked against the policy) after
 * verifying current against the stored hash: ends every session of the
 * user and opens a new one for this browser (cookie_out as in
 * session_login). The database's session_password_change() takes the
 * session, not the user: it changes only the session's own user's password,
 * and never a superuser's. Returns 0 on success, 1 when current is wrong, 2
 * when the user is a superuser (refused in the portal pool), -1 on a
 * failure (*st says which; DB_ERROR when hashing failed).
 */
int session_change_password(struct db *db, const struct cfg *cfg, const char *cookie, long long uid,
                            const char *current, const char *new_password, const char *ip,
                            const char *user_agent, char *cookie_out, enum db_status *st);

/* The same for a superuser, in the admin pool (as portal_admin): 2 when the
 * user is not a superuser. The new session is confirmed for the admin pool
 * (SESSION_ADMIN_CONFIRM_S), as the current password was just checked. */
int session_admin_change_password(struct db *db, const struct cfg *cfg, const char *cookie,
                                  long long uid, const char *current, const char *new_password,
                                  const char *ip, const char *user_agent, char *cookie_out,
                                  enum db_status *st);

/* Checks the CSRF token of a POST: the form field "csrf" equals expected
 * (constant time), and Origin / Sec-Fetch-Site, when the browser sends them,
 * say same origin. Returns 1 when the request may proceed. */
int session_csrf_ok(const struct request *r, const char *expected);

/* Returns 1 when next is a local path that is safe to redirect to: starts
 * with one '/', no backslash, no control character, at most 1024 bytes. */
int session_local_path(const char *next);

#endif
