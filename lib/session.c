/*
 * session: sign-in, sessions, sign-out, password change and the admin
 * pool's confirmation (see session.h). All SQL of this module is in the
 * table below; each function is at most two round trips, and every change
 * writes its audit row in the same statement (inside the SECURITY DEFINER
 * function of schema/0010 for the portal pool's), so the log cannot miss
 * what happened.
 */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* clang-format off */
/*
 * Sign-in is throttled per (name as typed, client address), never per
 * account: failures from one address must not keep the owner out from
 * another (schema/0007_login_throttle.sql). The key is login_throttle_key()
 * of the typed name, known or not, so an unknown name is throttled exactly
 * like a known one: sha256 of it lower-cased and cut to 320 characters,
 * never the text, which is now and then a password typed into the wrong
 * field. A missing address counts as '::'.
 */
#define THROTTLE_KEY(login, ip) " login_throttle_key(" login "::text), coalesce(" ip "::inet, '::') "

/* $1 login, $2 ip. Always one row: wait (seconds, NULL when the pair may
 * try now), then the account or NULLs. Sign-in columns only: portal_web may
 * write nothing else of users. */
static const char sql_login_lookup[] =
	"SELECT w.wait, u.id, u.hashed_password, u.is_active"
	" FROM (SELECT ceil(extract(epoch FROM max(next_allowed_at) - now()))::int AS wait"
	"  FROM login_throttle WHERE (name_hash, ip) = (" THROTTLE_KEY("$1", "$2") ")"
	"   AND next_allowed_at > now()) w"
	" LEFT JOIN LATERAL (SELECT id, hashed_password, is_active FROM users"
	"  WHERE username = $1::citext OR email = $1::citext"
	"  ORDER BY (username = $1::citext) DESC LIMIT 1) u ON true";

/*
 * Since 0010 the portal pool writes no table of sign-in itself: each change
 * is one SECURITY DEFINER function that does only that change, with its
 * audit row (schema/0010_seal_portal_web.sql says what each may do).
 *
 * $1 uid, $2 token, $3 csrf secret, $4 ip, $5 user agent, $6 lifetime s,
 * $7 login as typed. NULL when the account may not sign in (any more).
 * There is no rehash here: storing a hash the caller computed is a password
 * reset the database cannot check.
 */
static const char sql_login_success[] =
	"SELECT session_login_succeeded($1::bigint, $2::bytea, $3::bytea, $6::int, $4::inet,"
	" $5::text, $7::text, 'password', NULL) AS id";

/*
 * $1 uid or NULL, $2 ip, $3 reason, $4 login as typed. Every failure counts
 * for its pair (name, ip), whatever the reason (an unknown name too); from
 * the 5th within a day the pair waits 1, 2, 4 ... s, up to 15 minutes.
 * users.failed_logins still counts wrong passwords in a row, for the admin
 * pages and other tools; nothing locks the account any more.
 */
static const char sql_login_failure[] =
	"SELECT session_login_failed($1::bigint, $2::inet, $3::text, $4::text) AS failures";

/*
 * Single sign-on (schema/0016): $1 the username the pool mapped. The
 * account or no row; whether it may sign in is decided again by
 * session_login_succeeded() below.
 */
static const char sql_login_sso_lookup[] =
	"SELECT id, is_active FROM users WHERE username = $1::citext";

/* $1 uid, $2 token, $3 csrf, $4 ip, $5 user agent, $6 lifetime s, $7
 * username, $8 method, $9 identity: the one function that opens sessions,
 * with the method ('negotiate', 'remote-user'). NULL when refused. */
static const char sql_login_sso_success[] =
	"SELECT session_login_succeeded($1::bigint, $2::bytea, $3::bytea, $6::int, $4::inet,"
	" $5::text, $7::text, $8::text, $9::text) AS id";

static const char sql_session_check[] = SESSION_CTE "SELECT * FROM cur";

static const char sql_session_touch[] = "SELECT session_touch($1::bytea, $2::int)";

/* $1 the idle timeout in seconds: exactly the sessions SESSION_CTE no
 * longer accepts. */
static const char sql_session_purge[] = "SELECT session_purge($1::int) AS n";

/* $1 token, $2 ip: the user's id, NULL when there was no such session. */
static const char sql_logout[] = "SELECT session_end($1::bytea, $2::inet) AS uid";

/* $1 token, $2 ip: the number of sessions ended, NULL when none was live. */
static const char sql_logout_all[] = "SELECT session_end_all($1::bytea, $2::inet) AS n";

static const char sql_password_hash[] =
	"SELECT hashed_password, is_superuser FROM users WHERE id = $1 AND is_active";

/* $1 token, $2 idle s, $3 new hash, $4 new token, $5 csrf, $6 lifetime s,
 * $7 ip, $8 user agent: the new session's id, NULL when refused (no live
 * session, or a superuser's). */
static const char sql_password_change[] =
	"SELECT session_password_change($1::bytea, $2::int, $3::text, $4::bytea, $5::bytea,"
	" $6::int, $7::inet, $8::text) AS id";

/* $1 uid, $2 new hash, $3 new token, $4 csrf, $5 ip, $6 user agent, $7
 * lifetime s, $8 confirmation s. As portal_admin: a superuser's own
 * password, which portal_web's session_password_change() refuses. The new
 * session is confirmed: the current password was checked just now. The
 * DELETE does not see the INSERT (one snapshot): the new session stays. */
static const char sql_password_change_admin[] =
	"WITH u AS (UPDATE users SET hashed_password = $2::text, password_changed_at = now(),"
	"  failed_logins = 0, locked_until = NULL, must_change_password = false"
	"  WHERE id = $1::bigint AND is_superuser AND is_active RETURNING id),"
	" d AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM u)),"
	" s AS (INSERT INTO sessions (token_hash, user_id, csrf_secret, expires_at, ip, user_agent,"
	"   admin_confirmed_until)"
	"  SELECT sha256($3::bytea), id, $4::bytea, now() + make_interval(secs => $7::int),"
	"   $5::inet, left($6, 512), now() + make_interval(secs => $8::int) FROM u RETURNING id),"
	" audit AS (SELECT audit_write(id, 'web', $5::inet, 'password.changed', 'user', id,"
	"   jsonb_build_object('pool', 'admin')) FROM u)"
	" SELECT id, (SELECT count(*) FROM audit) AS audited FROM s";

/*
 * The admin pool's confirmation, as portal_admin (the only role that may
 * write admin_confirmed_until): $1 token, $2 uid, $3 seconds, $4 ip, $5 new
 * hash or NULL (the rehash to the configured parameters, which the admin
 * pool may do as it resets passwords anyway). Fixed, not sliding: until
 * $3 s from now, whatever happens meanwhile.
 */
static const char sql_admin_confirm[] =
	"WITH s AS (UPDATE sessions SET admin_confirmed_until = now() + make_interval(secs => $3::int)"
	"  WHERE token_hash = sha256($1::bytea) AND user_id = $2::bigint AND expires_at > now()"
	"  RETURNING id, user_id, admin_confirmed_until),"
	" h AS (UPDATE users SET hashed_password = $5::text"
	"  WHERE $5::text IS NOT NULL AND id IN (SELECT user_id FROM s)),"
	" audit AS (SELECT audit_write(user_id, 'web', $4::inet, 'admin.confirmed', 'user', user_id,"
	"   jsonb_build_object('until', admin_confirmed_until, 'rehashed', $5::text IS NOT NULL))"
	"  FROM s)"
	" SELECT id, (SELECT count(*) FROM audit) AS audited FROM s";

/* The account page in one round trip: the session check, the user's active
 * roles (with the end of a membership that ends: "Financiën (until
 * 31-03-2027 17:00)", $3 the word for "until") and every live session of
 * the user (this one marked). */
static const char sql_account_page[] = SESSION_READ_CTE
	"SELECT cur.*,"
	" coalesce((SELECT string_agg(r.name::text || coalesce(' (' || $3::text || ' '"
	"   || " DB_DATE_TIME_NL("ur.valid_until") " || ')', ''), ', ' ORDER BY r.name)"
	"  FROM user_roles_current ur"
	"  JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = cur.uid AND r.is_active), '')"
	"  AS role_names,"
	" EXISTS (SELECT 1 FROM role_owners o WHERE o.user_id = cur.uid) AS keeps_roles,"
	" s.id = cur.sid AS is_current,"
	" to_char(s.created_at AT TIME ZONE 'Europe/Amsterdam', 'DD-MM-YYYY HH24:MI') AS created,"
	" to_char(s.last_seen_at AT TIME ZONE 'Europe/Amsterdam', 'DD-MM-YYYY HH24:MI') AS seen,"
	" coalesce(host(s.ip), '') AS ip, coalesce(s.user_agent, '') AS user_agent,"
	" s.auth_method = 'password' AS by_password, s.auth_method = 'negotiate' AS by_negotiate,"
	" s.auth_method = 'remote-user' AS by_remote_user"
	" FROM cur JOIN sessions s ON s.user_id = cur.uid AND s.expires_at > now()"
	"  AND s.last_seen_at > now() - make_interval(secs => $2::int)"
	" ORDER BY s.id = cur.sid DESC, s.last_seen_at DESC";

const struct db_stmt session_stmts[] = {
	{ "account_page", sql_account_page, 3 },
	{ "login_lookup", sql_login_lookup, 2 },
	{ "login_success", sql_login_success, 7 },
	{ "login_failure", sql_login_failure, 4 },
	{ "login_sso_lookup", sql_login_sso_lookup, 1 },
	{ "login_sso_success", sql_login_sso_success, 9 },
	{ "session_check", sql_session_check, 2 },
	{ "session_touch", sql_session_touch, 2 },
	{ "session_purge", sql_session_purge, 1 },
	{ "logout", sql_logout, 2 },
	{ "logout_all", sql_logout_all, 2 },
	{ "password_hash", sql_password_hash, 1 },
	{ "password_change", sql_password_change, 8 },
	{ "password_change_admin", sql_password_change_admin, 8 },
	{ "admin_confirm", sql_admin_confirm, 5 },
	{ NULL, NULL, 0 },
};
/* clang-format on */

/* "\x" and 2n hex digits: the bytea text form of n bytes. */
static void bytea_param(const unsigned char *b, size_t n, char *out)
{
	out[0] = '\\';
	out[1] = 'x';
	auth_hex(b, n, out + 2);
}

int session_token_param(const char *cookie, char out[67])
{
	unsigned char raw[AUTH_TOKEN_BYTES + 1];
	if (cookie == NULL || strlen(cookie) != AUTH_TOKEN_B64 - 1)
		return -1;
	if (auth_b64url_decode(cookie, raw, sizeof(raw)) != AUTH_TOKEN_BYTES)
		return -1;
	bytea_param(raw, AUTH_TOKEN_BYTES, out);
	return 0;
}

static const char *col(const PGresult *res, const char *name)
{
	int c = PQfnumber(res, name);
	return c < 0 || PQgetisnull(res, 0, c) ? NULL : PQgetvalue(res, 0, c);
}

int session_from_result(const PGresult *res, struct session *s)
{
	memset(s, 0, sizeof(*s));
	if (res == NULL || PQntuples(res) < 1 || col(res, "sid") == NULL)
		return 0;
	s->sid = db_int(res, 0, "sid");
	s->uid = db_int(res, 0, "uid");
	s->username = col(res, "username");
	s->display_name = col(res, "display_name");
	s->email = col(res, "email");
	const char *su = col(res, "is_superuser");
	s->is_superuser = su && su[0] == 't';
	const char *mc = col(res, "must_change_password");
	s->must_change_password = mc && mc[0] == 't';
	const char *ac = col(res, "admin_confirmed");
	s->admin_confirmed = ac && ac[0] == 't';
	s->csrf = col(res, "csrf");
	s->auth_method = col(res, "auth_method");
	if (s->auth_method == NULL)
		s->auth_method = "password";
	s->auth_identity = col(res, "auth_identity");
	const char *td = col(res, "touch_due");
	s->touch_due = td && td[0] == 't';
	s->replay_lsn = col(res, "replay_lsn");
	return 1;
}

enum db_status session_touch(struct db *db, const struct cfg *cfg, const char *token_param)
{
	char idle[16];
	enum db_status st;
	snprintf(idle, sizeof(idle), "%d", cfg->session_idle);
	const char *p[] = { token_param, idle };
	PGresult *res = db_exec(db, "session_touch", 2, p, &st);
	PQclear(res);
	return st;
}

PGresult *session_check(struct db *db, const struct cfg *cfg, const char *token_param,
                        enum db_status *st)
{
	char idle[16];
	snprintf(idle, sizeof(idle), "%d", cfg->session_idle);
	const char *p[] = { token_param, idle };
	return db_exec(db, "session_check", 2, p, st);
}

/* A fresh token and CSRF secret, as the cookie value and bytea parameters. */
static int new_secrets(char *cookie_out, char token_param[67], char csrf_param[67])
{
	unsigned char tok[AUTH_TOKEN_BYTES], csrf[AUTH_TOKEN_BYTES];
	if (auth_random(tok, sizeof(tok)) < 0 || auth_random(csrf, sizeof(csrf)) < 0)
		return -1;
	auth_b64url_encode(tok, sizeof(tok), cookie_out);
	bytea_param(tok, sizeof(tok), token_param);
	bytea_param(csrf, sizeof(csrf), csrf_param);
	return 0;
}

static struct auth_params cfg_params(const struct cfg *cfg)
{
	struct auth_params p = auth_default_params;
	p.m_kib = (uint32_t)cfg->argon2_m_kib;
	p.t = (uint32_t)cfg->argon2_t;
	return p;
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static enum db_status record_failure(struct db *db, const char *uid, const char *ip,
                                     const char *reason, const char *login)
{
	enum db_status st;
	const char *p[] = { uid, nonempty(ip), reason, login };
	PGresult *res = db_exec(db, "login_failure", 4, p, &st);
	if (db_int(res, 0, "failures") == 5)
		log_info("sign-in throttled from now on", "user=%s ip=%s", uid ? uid : "-",
		         ip && *ip ? ip : "-");
	PQclear(res);
	return st;
}

/*
 * The password check of sign-in and of the admin pool's confirmation: the
 * (login, ip) throttle first, then always one argon2 verification (against
 * a dummy hash when the account has no usable one), so time says nothing
 * about the account; a failure is counted for the pair with reason, or
 * fail_reason when set (the confirmation's). When want_uid is nonzero, the
 * account must be that one. On LOGIN_OK, uid_out holds the account's id and
 * hash_out the stored hash (AUTH_PHC_MAX bytes).
 */
static enum login_result check_password(struct db *db, const struct cfg *cfg, const char *login,
                                        const char *password, const char *ip, long long want_uid,
                                        const char *fail_reason, char uid_out[24], char *hash_out,
                                        int *retry_after, enum db_status *st)
{
	struct auth_params want = cfg_params(cfg);
	const char *p1[] = { login, nonempty(ip) };
	*retry_after = 0;
	PGresult *res = db_exec(db, "login_lookup", 2, p1, st);
	if (res == NULL)
		return LOGIN_ERROR;
	if (PQntuples(res) != 1) {
		PQclear(res);
		*st = DB_ERROR;
		return LOGIN_ERROR;
	}

	int found = !PQgetisnull(res, 0, 1);
	if (found && want_uid != 0 && strtoll(PQgetvalue(res, 0, 1), NULL, 10) != want_uid)
		found = 0;
	const char *uid = found ? PQgetvalue(res, 0, 1) : NULL;

	/* A throttled pair is answered before any check, known name or not: no
	 * verification, no count, no audit row (they would cost the attacker
	 * nothing and the log its space). */
	if (!PQgetisnull(res, 0, 0)) {
		int wait = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
		*retry_after = wait > 0 ? wait : 1;
		log_info("sign-in throttled", "user=%s ip=%s wait=%d", uid ? uid : "-",
		         ip && *ip ? ip : "-", *retry_after);
		PQclear(res);
		return LOGIN_THROTTLED;
	}

	const char *hash = found && !PQgetisnull(res, 0, 2) ? PQgetvalue(res, 0, 2) : NULL;
	int active = found && PQgetvalue(res, 0, 3)[0] == 't';

	int usable = hash && active && strlen(hash) < AUTH_PHC_MAX;
	int ok = auth_verify(usable ? hash : auth_dummy_hash(&want), password, strlen(password));
	ok = ok && usable;

	if (!ok) {
		const char *reason = fail_reason    ? fail_reason
		                     : !found       ? "unknown_user"
		                     : !active      ? "inactive"
		                     : hash == NULL ? "no_password"
		                                    : "bad_password";
		*st = record_failure(db, uid, ip, reason, login);
		log_info("password check failed", "user=%s reason=%s ip=%s", uid ? uid : "-",
		         reason, ip && *ip ? ip : "-");
		PQclear(res);
		return *st == DB_OK ? LOGIN_FAILED : LOGIN_ERROR;
	}
	snprintf(uid_out, 24, "%s", uid);
	snprintf(hash_out, AUTH_PHC_MAX, "%s", hash);
	PQclear(res);
	return LOGIN_OK;
}

enum login_result session_login(struct db *db, const struct cfg *cfg, const char *login,
                                const char *password, const char *ip, const char *user_agent,
                                char *cookie_out, int *retry_after, enum db_status *st)
{
	char uid[24], hash[AUTH_PHC_MAX];
	enum login_result lr =
	    check_password(db, cfg, login, password, ip, 0, NULL, uid, hash, retry_after, st);
	if (lr != LOGIN_OK)
		return lr;

	char tok[67], csrf[67], life[16];
	if (new_secrets(cookie_out, tok, csrf) < 0) {
		*st = DB_ERROR;
		return LOGIN_ERROR;
	}
	snprintf(life, sizeof(life), "%d", cfg->session_max);
	const char *p2[] = { uid, tok, csrf, nonempty(ip), user_agent, life, login };
	PGresult *res = db_exec(db, "login_success", 7, p2, st);
	int created = res && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0);
	PQclear(res);
	if (!created) {
		if (*st == DB_OK)
			*st = DB_ERROR;
		return LOGIN_ERROR;
	}
	log_info("signed in", "user=%s ip=%s", uid, ip && *ip ? ip : "-");
	return LOGIN_OK;
}

enum session_sso_result session_login_sso(struct db *db, const struct cfg *cfg, const char *method,
                                          const char *username, const char *identity,
                                          const char *ip, const char *user_agent, char *cookie_out,
                                          long long *uid_out, enum db_status *st)
{
	const char *p1[] = { username };
	if (uid_out)
		*uid_out = 0;
	PGresult *res = db_exec(db, "login_sso_lookup", 1, p1, st);
	if (res == NULL)
		return SESSION_SSO_ERROR;
	if (PQntuples(res) != 1) {
		PQclear(res);
		log_info("single sign-on: no such user", "method=%s ip=%s", method,
		         ip && *ip ? ip : "-");
		return SESSION_SSO_UNKNOWN;
	}
	char uid[24];
	snprintf(uid, sizeof(uid), "%s", PQgetvalue(res, 0, 0));
	int active = PQgetvalue(res, 0, 1)[0] == 't';
	PQclear(res);
	if (uid_out)
		*uid_out = strtoll(uid, NULL, 10);
	if (!active) {
		log_info("single sign-on refused: inactive user", "user=%s method=%s ip=%s", uid,
		         method, ip && *ip ? ip : "-");
		return SESSION_SSO_INACTIVE;
	}

	char tok[67], csrf[67], life[16];
	if (new_secrets(cookie_out, tok, csrf) < 0) {
		*st = DB_ERROR;
		return SESSION_SSO_ERROR;
	}
	snprintf(life, sizeof(life), "%d", cfg->session_max);
	const char *p2[] = { uid,  tok,      csrf,   nonempty(ip), user_agent,
		             life, username, method, identity };
	res = db_exec(db, "login_sso_success", 9, p2, st);
	if (res == NULL)
		return SESSION_SSO_ERROR;
	int created = PQntuples(res) == 1 && !PQgetisnull(res, 0, 0);
	PQclear(res);
	if (!created) {
		/* Switched off between the two statements. */
		log_info("single sign-on refused: inactive user", "user=%s method=%s ip=%s", uid,
		         method, ip && *ip ? ip : "-");
		return SESSION_SSO_INACTIVE;
	}
	log_info("signed in", "user=%s method=%s ip=%s", uid, method, ip && *ip ? ip : "-");
	return SESSION_SSO_OK;
}

enum login_result session_admin_confirm(struct db *db, const struct cfg *cfg, const char *cookie,
                                        long long uid, const char *username, const char *password,
                                        const char *ip, int *retry_after, enum db_status *st)
{
	char tok[67], uidbuf[24], hash[AUTH_PHC_MAX];
	*retry_after = 0;
	if (session_token_param(cookie, tok) < 0) {
		*st = DB_ERROR;
		return LOGIN_ERROR;
	}
	enum login_result lr = check_password(db, cfg, username, password, ip, uid, "admin_confirm",
	                                      uidbuf, hash, retry_after, st);
	if (lr != LOGIN_OK)
		return lr;

	/* The confirmation is also where a superuser's hash gets the configured
	 * parameters: sign-in in the portal pool no longer rehashes. */
	struct auth_params want = cfg_params(cfg);
	char rehash[AUTH_PHC_MAX], secs[16];
	const char *new_hash = NULL;
	if (auth_needs_rehash(hash, &want) &&
	    auth_hash(password, strlen(password), &want, rehash, sizeof(rehash)) == 0)
		new_hash = rehash;
	snprintf(secs, sizeof(secs), "%d", SESSION_ADMIN_CONFIRM_S);
	const char *p[] = { tok, uidbuf, secs, nonempty(ip), new_hash };
	PGresult *res = db_exec(db, "admin_confirm", 5, p, st);
	int done = res && PQntuples(res) == 1;
	PQclear(res);
	if (!done) {
		if (*st == DB_OK)
			*st = DB_ERROR;
		return LOGIN_ERROR;
	}
	log_info("administrator confirmed", "user=%s ip=%s rehashed=%d", uidbuf,
	         ip && *ip ? ip : "-", new_hash != NULL);
	return LOGIN_OK;
}

enum db_status session_logout(struct db *db, const char *cookie, const char *ip)
{
	char tok[67];
	if (session_token_param(cookie, tok) < 0)
		return DB_OK;
	const char *p[] = { tok, nonempty(ip) };
	enum db_status st;
	PGresult *res = db_exec(db, "logout", 2, p, &st);
	if (st == DB_OK && res && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		log_info("signed out", "user=%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return st;
}

enum db_status session_logout_all(struct db *db, const char *cookie, long long uid, const char *ip)
{
	char tok[67];
	if (session_token_param(cookie, tok) < 0)
		return DB_OK;
	const char *p[] = { tok, nonempty(ip) };
	enum db_status st;
	PQclear(db_exec(db, "logout_all", 2, p, &st));
	if (st == DB_OK)
		log_info("signed out everywhere", "user=%lld", uid);
	return st;
}

long session_purge(struct db *db, const struct cfg *cfg, enum db_status *st)
{
	char idle[16];
	snprintf(idle, sizeof(idle), "%d", cfg->session_idle);
	const char *p[] = { idle };
	PGresult *res = db_exec(db, "session_purge", 1, p, st);
	if (res == NULL)
		return -1;
	long n = PQntuples(res) == 1 ? strtol(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	PQclear(res);
	if (n > 0)
		log_info("expired sessions removed", "sessions=%ld", n);
	return n;
}

/* The password change of both pools: admin 0 is the portal pool's (refuses
 * a superuser: 2), admin 1 the admin pool's (only a superuser: else 2). */
static int change_password(struct db *db, const struct cfg *cfg, const char *cookie, long long uid,
                           const char *current, const char *new_password, const char *ip,
                           const char *user_agent, char *cookie_out, enum db_status *st, int admin)
{
	struct auth_params want = cfg_params(cfg);
	char u[24], oldtok[67];
	if (session_token_param(cookie, oldtok) < 0) {
		*st = DB_ERROR;
		return -1;
	}
	snprintf(u, sizeof(u), "%lld", uid);
	const char *p1[] = { u };
	PGresult *res = db_exec(db, "password_hash", 1, p1, st);
	if (res == NULL)
		return -1;
	int has = PQntuples(res) == 1 && !PQgetisnull(res, 0, 0);
	int superuser = has && PQgetvalue(res, 0, 1)[0] == 't';
	int ok = auth_verify(has ? PQgetvalue(res, 0, 0) : auth_dummy_hash(&want), current,
	                     strlen(current));
	PQclear(res);
	if (!ok || !has) {
		log_info("password change refused: wrong current password", "user=%s", u);
		return 1;
	}
	if (superuser != admin) {
		log_info("password change refused: not this pool's", "user=%s superuser=%d", u,
		         superuser);
		return 2;
	}

	char hash[AUTH_PHC_MAX], tok[67], csrf[67], life[16], idle[16], confirm[16];
	if (auth_hash(new_password, strlen(new_password), &want, hash, sizeof(hash)) < 0 ||
	    new_secrets(cookie_out, tok, csrf) < 0) {
		*st = DB_ERROR;
		return -1;
	}
	snprintf(life, sizeof(life), "%d", cfg->session_max);
	snprintf(idle, sizeof(idle), "%d", cfg->session_idle);
	snprintf(confirm, sizeof(confirm), "%d", SESSION_ADMIN_CONFIRM_S);
	if (admin) {
		const char *p2[] = { u, hash, tok, csrf, nonempty(ip), user_agent, life, confirm };
		res = db_exec(db, "password_change_admin", 8, p2, st);
	} else {
		const char *p2[] = {
			oldtok, idle, hash, tok, csrf, life, nonempty(ip), user_agent
		};
		res = db_exec(db, "password_change", 8, p2, st);
	}
	int done = res && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0);
	PQclear(res);
	if (!done) {
		if (*st == DB_OK)
			*st = DB_ERROR;
		return -1;
	}
	log_info("password changed", "user=%s", u);
	return 0;
}

int session_change_password(struct db *db, const struct cfg *cfg, const char *cookie, long long uid,
                            const char *current, const char *new_password, const char *ip,
                            const char *user_agent, char *cookie_out, enum db_status *st)
{
	return change_password(db, cfg, cookie, uid, current, new_password, ip, user_agent,
	                       cookie_out, st, 0);
}

int session_admin_change_password(struct db *db, const struct cfg *cfg, const char *cookie,
                                  long long uid, const char *current, const char *new_password,
                                  const char *ip, const char *user_agent, char *cookie_out,
                                  enum db_status *st)
{
	return change_password(db, cfg, cookie, uid, current, new_password, ip, user_agent,
	                       cookie_out, st, 1);
}

int session_csrf_ok(const struct request *r, const char *expected)
{
	if (expected == NULL || expected[0] == '\0' || !auth_equal(req_form(r, "csrf"), expected))
		return 0;
	/* Browsers say where a request comes from; scripts (curl) say nothing,
	 * and the token alone protects them. */
	if (r->sec_fetch_site && strcmp(r->sec_fetch_site, "same-origin") != 0 &&
	    strcmp(r->sec_fetch_site, "none") != 0)
		return 0;
	if (r->origin) {
		char want[300];
		snprintf(want, sizeof(want), "https://%s", r->host);
		if (strcmp(r->origin, want) != 0)
			return 0;
	}
	return 1;
}

int session_local_path(const char *next)
{
	if (next == NULL || next[0] != '/' || next[1] == '/' || next[1] == '\\')
		return 0;
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)next; *p; p++, n++)
		if (*p == '\\' || *p < 0x20 || *p == 0x7f || n >= 1024)
			return 0;
	return 1;
}
