/*
 * requests: access on request (see requests.h).
 */
#include "requests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grants.h"
#include "req.h"
#include "session.h"

/* clang-format off */

/* The state of a request as booleans for the templates, from q.state_now. */
#define STATES(q)                                                                                  \
	q ".state_now = 'pending' AS is_pending, " q ".state_now = 'approved' AS is_approved, "     \
	q ".state_now = 'refused' AS is_refused, " q ".state_now = 'withdrawn' AS is_withdrawn, "   \
	q ".state_now = 'expired' AS is_expired"

/*
 * The page of requests ($1, $2 the session): the roles the user may ask
 * for (kind 1: active, requestable, not a member now, nothing pending),
 * with the reports they open (the first ten titles, and how many), and the
 * user's own requests (kind 2, the last 50, newest first).
 */
static const char sql_requests_page[] =
	SESSION_CTE
	"SELECT cur.*, x.* FROM cur LEFT JOIN LATERAL ("
	" SELECT 1 AS k, ro.id, ro.name::text AS name, ro.description, ro.request_max_days AS max_days,"
	"  (SELECT string_agg(z.title, ', ' ORDER BY lower(z.title)) FROM (SELECT p.title"
	"    FROM role_reports rr JOIN reports p ON p.id = rr.report_id AND p.status = 'published'"
	"    WHERE rr.role_id = ro.id ORDER BY lower(p.title) LIMIT 10) z) AS opens,"
	"  (SELECT count(*) FROM role_reports rr JOIN reports p ON p.id = rr.report_id"
	"    AND p.status = 'published' WHERE rr.role_id = ro.id) AS n_opens,"
	"  NULL::integer AS days, NULL::text AS reason, NULL::text AS created, NULL::text AS decided,"
	"  NULL::text AS note, NULL::text AS expires, NULL::boolean AS is_pending,"
	"  NULL::boolean AS is_approved, NULL::boolean AS is_refused, NULL::boolean AS is_withdrawn,"
	"  NULL::boolean AS is_expired, 'reason-' || ro.id AS reason_id, 'days-' || ro.id AS days_id,"
	"  NULL::text AS withdraw_action, lower(ro.name::text) AS ord"
	" FROM roles ro WHERE ro.is_active AND ro.requestable"
	"  AND NOT EXISTS (SELECT 1 FROM user_roles_current ur WHERE ur.user_id = cur.uid"
	"   AND ur.role_id = ro.id)"
	"  AND NOT EXISTS (SELECT 1 FROM access_requests_now q WHERE q.user_id = cur.uid"
	"   AND q.role_id = ro.id AND q.state_now = 'pending')"
	" UNION ALL"
	" SELECT 2, q.id, ro.name::text, NULL, NULL, NULL, NULL, q.days, q.reason,"
	"  " DB_DATE_TIME_NL("q.created_at") ", " DB_DATE_TIME_NL("q.decided_at") ", q.note,"
	"  " DB_DATE_TIME_NL("q.expires_at") ", " STATES("q") ", NULL, NULL,"
	"  '/requests/' || q.id || '/withdraw', lpad((9223372036854775807 - q.id)::text, 20, '0')"
	" FROM (SELECT * FROM access_requests_now q WHERE q.user_id = cur.uid"
	"  ORDER BY q.created_at DESC, q.id DESC LIMIT 50) q JOIN roles ro ON ro.id = q.role_id"
	" ORDER BY 1, ord) x ON true";

static const char sql_requests_submit[] =
	"SELECT access_request_submit($1::bytea, $2::int, $3::bigint, $4::text, $5::int, $6::inet)"
	" AS outcome";

static const char sql_requests_withdraw[] =
	"SELECT access_request_withdraw($1::bytea, $2::int, $3::bigint, $4::inet) AS done";

/*
 * Decides request $4 as actor $1 to $3: $5 approve, $6 note ("" none).
 * Only a request of a role the actor may keep (role_may_keep) is found;
 * only a pending one is decided. Returns the request's role, and on
 * approval the user and the end of the membership to give (now + days,
 * with its offset, as grants_members takes it).
 */
static const char sql_requests_decide[] =
	"WITH q AS (SELECT r.*, request_state_now(r.state, r.created_at) AS state_now"
	"  FROM access_requests r WHERE r.id = $4::bigint AND role_may_keep($1::bigint, r.role_id)"
	"  FOR UPDATE),"
	" d AS (UPDATE access_requests r"
	"  SET state = (CASE WHEN $5::boolean THEN 'approved' ELSE 'refused' END)::access_request_state,"
	"   decided_at = now(), decided_by = $1::bigint, note = nullif(btrim($6::text), '')"
	"  FROM q WHERE r.id = q.id AND q.state_now = 'pending' RETURNING r.*),"
	" audit AS (SELECT audit_write($1::bigint, $2::text, $3::inet, 'access.' || d.state::text,"
	"   'role', d.role_id, jsonb_build_object('request_id', d.id, 'user_id', d.user_id,"
	"   'days', d.days) || CASE WHEN d.note IS NULL THEN '{}'::jsonb"
	"   ELSE jsonb_build_object('note', d.note) END) FROM d)"
	" SELECT (SELECT count(*) FROM q) AS found, (SELECT role_id FROM q) AS role_id,"
	"  (SELECT user_id FROM d WHERE d.state = 'approved') AS user_id,"
	"  (SELECT to_char(now() + make_interval(days => d.days), 'YYYY-MM-DD\"T\"HH24:MI:SSOF')"
	"   FROM d) AS until,"
	"  (SELECT count(*) FROM d) AS decided, (SELECT count(*) FROM audit) AS audited";

/* What waits for a decision (portalctl requests), oldest first, as a
 * console table. */
static const char sql_requests_waiting[] =
	"SELECT q.id::text AS id, ro.name::text AS role, u.username::text AS \"user\","
	" q.days::text AS days,"
	" to_char(q.created_at AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD HH24:MI') AS asked,"
	" to_char(q.expires_at AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD HH24:MI') AS expires,"
	" coalesce((SELECT string_agg(ou.username::text, ', ' ORDER BY lower(ou.username::text))"
	"  FROM role_owners o JOIN users ou ON ou.id = o.user_id WHERE o.role_id = ro.id), '')"
	"  AS owners,"
	" replace(replace(q.reason, E'\\n', ' '), E'\\r', ' ') AS reason"
	" FROM access_requests_now q JOIN roles ro ON ro.id = q.role_id JOIN users u ON u.id = q.user_id"
	" WHERE q.state_now = 'pending' ORDER BY q.created_at, q.id";

/* clang-format on */

const struct db_stmt requests_stmts[] = {
	{ "requests_page", sql_requests_page, 2 },
	{ "requests_submit", sql_requests_submit, 6 },
	{ "requests_withdraw", sql_requests_withdraw, 4 },
	{ NULL, NULL, 0 },
};

const struct db_stmt requests_admin_stmts[] = {
	{ "requests_decide", sql_requests_decide, 6 },
	{ "requests_waiting", sql_requests_waiting, 0 },
	{ NULL, NULL, 0 },
};

const char *requests_text_problem(const char *s, int required)
{
	const char *p = s ? s : "";
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p == '\0')
		return required ? "requests.error.reason_required" : NULL;
	if (utf8_length(s) > REQUESTS_TEXT_MAX)
		return "requests.error.too_long";
	long cp = str_hidden_char(s, STR_LINE_BREAKS);
	if (cp >= 0)
		return str_hidden_is_control(cp) ? "requests.error.control"
		                                 : "requests.error.invisible";
	return NULL;
}

enum requests_submit requests_submit(struct db *db, const struct cfg *cfg, const char *token_param,
                                     const char *role_id, const char *reason, const char *days,
                                     const char *ip, enum db_status *st)
{
	char idle[16];
	snprintf(idle, sizeof idle, "%d", cfg->session_idle);
	const char *p[] = { token_param, idle, role_id, reason, days, ip };
	PGresult *res = db_exec(db, "requests_submit", 6, p, st);
	if (res == NULL)
		return REQUESTS_DB_ERROR;
	static const struct {
		const char *word;
		enum requests_submit r;
	} outcomes[] = {
		{ "ok", REQUESTS_OK },
		{ "session", REQUESTS_NO_SESSION },
		{ "role", REQUESTS_NO_ROLE },
		{ "days", REQUESTS_BAD_DAYS },
		{ "reason", REQUESTS_BAD_REASON },
		{ "member", REQUESTS_MEMBER },
		{ "pending", REQUESTS_PENDING },
	};
	const char *o = db_text(res, 0, "outcome");
	enum requests_submit r = REQUESTS_DB_ERROR;
	*st = DB_ERROR;
	for (size_t i = 0; o && i < sizeof outcomes / sizeof outcomes[0]; i++)
		if (strcmp(o, outcomes[i].word) == 0) {
			r = outcomes[i].r;
			*st = DB_OK;
		}
	PQclear(res);
	return r;
}

int requests_withdraw(struct db *db, const struct cfg *cfg, const char *token_param,
                      const char *request_id, const char *ip, enum db_status *st)
{
	char idle[16];
	snprintf(idle, sizeof idle, "%d", cfg->session_idle);
	const char *p[] = { token_param, idle, request_id, ip };
	PGresult *res = db_exec(db, "requests_withdraw", 4, p, st);
	if (res == NULL)
		return -1;
	int done = db_bool(res, 0, "done");
	PQclear(res);
	return done;
}

enum requests_decision requests_decide(struct db *db, const struct audit_actor *a,
                                       const char *request_id, int approve, const char *note,
                                       long long *role_id, enum db_status *st)
{
	const char *p[AUDIT_NPARAMS + 3];
	enum requests_decision r = REQUESTS_DECIDE_ERROR;

	*st = db_connect(db);
	if (*st != DB_OK || (*st = db_command(db, "BEGIN")) != DB_OK)
		return REQUESTS_DECIDE_ERROR;
	audit_params(a, p);
	p[3] = request_id;
	p[4] = approve ? "t" : "f";
	p[5] = note ? note : "";
	PGresult *res = db_exec(db, "requests_decide", 6, p, st);
	if (res == NULL)
		goto rollback;
	*role_id = db_int(res, 0, "role_id");
	if (db_int(res, 0, "found") == 0) {
		r = REQUESTS_NOT_FOUND;
	} else if (db_int(res, 0, "decided") == 0) {
		r = REQUESTS_NOT_PENDING;
	} else if (!db_is_null(res, 0, "user_id")) {
		/* Approved: the membership, until now + the request's days. */
		char users[32], roles[32];
		struct grants_outcome g;
		snprintf(users, sizeof users, "{%s}", db_text(res, 0, "user_id"));
		snprintf(roles, sizeof roles, "{%lld}", *role_id);
		if (grants_members(db, a, users, roles, NULL, db_text(res, 0, "until"), &g, st) !=
		        0 ||
		    g.missing_a || g.missing_b) {
			if (*st == DB_OK)
				*st = DB_CONFLICT; /* the user or role went meanwhile */
			PQclear(res);
			goto rollback;
		}
		r = REQUESTS_DECIDED;
	} else {
		r = REQUESTS_DECIDED;
	}
	PQclear(res);
	if ((*st = db_command(db, r == REQUESTS_DECIDED ? "COMMIT" : "ROLLBACK")) != DB_OK)
		return REQUESTS_DECIDE_ERROR;
	return r;
rollback:
	db_command(db, "ROLLBACK");
	return REQUESTS_DECIDE_ERROR;
}
