/*
 * app: what the two pool programs share around their route tables: the
 * command line, configuration, templates and catalogue, the worker's request
 * cycle (read, parse, route, render, write, log) and the error pages.
 * cgi-bin/portal.c and portal-admin.c are a route table, their handlers and
 * a call to app_main.
 */
#ifndef APP_H
#define APP_H

#include <stddef.h>

#include "arena.h"
#include "cfg.h"
#include "db.h"
#include "field.h"
#include "i18n.h"
#include "replica.h"
#include "req.h"
#include "resp.h"
#include "router.h"
#include "session.h"
#include "tmpl.h"

/* What a pool program is: its name, routes and prepared statements. */
struct app_spec {
	const char *name; /* "portal" or "portal-admin" */
	const struct route *routes;
	size_t n_routes;
	/* NULL-terminated list of statement tables, each ending in { NULL }:
	 * every module that runs SQL exports its own table. */
	const struct db_stmt *const *stmt_sets;
};

struct app {
	const struct app_spec *spec;
	struct cfg cfg;
	const char *env_file; /* --env, default ".env" */
	struct tmpl_set *tmpl;
	struct msgcat *msgs;
	struct db *db;              /* the worker's connection; NULL in the master */
	struct db *db_read;         /* its connection to PORTAL_READ_URL, NULL without one */
	struct replica_clock clock; /* the primary's WAL positions noted (replica.h) */
	double read_paused_ms;      /* monotonic ms until which reads skip the standby */
	int touch_due;              /* the last request's session wants session_touch */
	char touch_token[67];       /* its token parameter */
	struct db_stmt *stmts;      /* stmt_sets flattened, for db_new */
	long long req_uid;   /* the signed-in user of the last request, 0: none (access log) */
	size_t req_route;    /* its route's index + 1, 0: none matched (metrics) */
	int purges_sessions; /* the pool has session_stmts: it runs session_purge */
};

/* Everything a handler sees of its request. */
struct ctx {
	struct app *app;
	struct request *req;
	struct response *resp;
	struct arena *arena;
	struct route_match match;
	const char *lang;       /* "nl" or "en" */
	struct tvars *vars;     /* page variables; lang and req_id preset */
	struct session user;    /* set by app_session_query; uid 0 when signed out */
	struct fieldset fields; /* the route's declared fields, checked (field.h) */
};

/*
 * Parses the command line (--listen PATH, --socket-mode OCTAL, --socket-group
 * NAME, --workers N, --max-requests M, --request-timeout S, --env FILE,
 * --check, --help, --version; flags override the environment),
 * loads configuration, templates and catalogue (any error stops the start
 * with a message naming its cause), opens the socket and runs the pool.
 * --check loads everything and exits 0 without serving. Returns the exit
 * status for main.
 */
int app_main(int argc, char **argv, const struct app_spec *spec);

/*
 * Handles one request: parses envp and body, routes, runs the handler or an
 * error page, and leaves the complete response in resp. Exposed for tests.
 */
void app_handle(struct app *app, struct arena *a, char *const *envp, const char *body,
                size_t body_len, struct response *resp);

/* Renders page (with the layout) into the response with status. A render
 * error becomes the 500 page and a log line. */
void app_render(struct ctx *c, int status, const char *page);

/* Seconds a 503 tells the client to wait (Retry-After). */
#define APP_RETRY_AFTER "5"

/* The error page for status (400, 403, 404, 405, 409, 413, 500, 503); a 503
 * carries Retry-After. */
void app_error(struct ctx *c, int status);

/* app_error with the message of key as what is wrong (the error pages'
 * error_detail). */
void app_error_msg(struct ctx *c, int status, const char *key);

/* The error page that fits a failed database call: 503 when unavailable or
 * timed out, 409 on a conflict, 400 for invalid input, else 500. */
void app_db_error(struct ctx *c, enum db_status st);

/*
 * Runs the SESSION_CTE statement stmt for a signed-in page, with $1 and $2
 * filled from the session cookie and the idle timeout and extra[] as $3...
 * (at most APP_MAX_EXTRA of them; more is a bug, answered 500 and logged).
 * On success returns the result (caller PQclears), fills c->user and sets
 * the layout's variable "user" (display_name, username, is_superuser, csrf).
 * Without a valid session it answers 303 to /login?next=<this path>; on a
 * database failure it answers the error page; both return NULL.
 */
#define APP_MAX_EXTRA 14
PGresult *app_session_query(struct ctx *c, const char *stmt, int n_extra, const char *const *extra);

/* Appends s percent-encoded for a URL query value or path segment:
 * everything but unreserved characters (and '/') is %XX. */
void app_url_encode(struct buf *out, const char *s);

/*
 * app_session_query for a page that only reads and whose statement begins
 * with SESSION_READ_CTE: with PORTAL_READ_URL it runs on the standby, and
 * the answer is kept when it is at most PORTAL_MAX_LAG_MS stale (replica.h);
 * otherwise (too stale, the session not there yet, the standby down) the
 * statement runs on the primary, and a standby that failed or fell behind
 * is left alone for a while. Without PORTAL_READ_URL it is app_session_query.
 */
PGresult *app_session_read(struct ctx *c, const char *stmt, int n_extra, const char *const *extra);

/* app_session_query for a POST that changes something: also checks the
 * session's CSRF token and Origin / Sec-Fetch-Site, answering 403 (and
 * returning NULL) when they are wrong. */
PGresult *app_session_post(struct ctx *c, const char *stmt, int n_extra, const char *const *extra);

/*
 * The verdict on the route's declared fields (field.h) for a POST: 1 when
 * they passed, else answers 400 (the readable error page, with a log line
 * naming the field) and returns 0. A GET's fields are answered by the
 * request cycle before its handler runs; a POST's wait for its guard, so
 * that a signed-out visitor, someone who may not see the page and a POST
 * without its CSRF token get the 303, 404 or 403 they got before a field
 * was looked at: app_session_post and the admin pool's POST guard call
 * this once those checks have passed.
 */
int app_fields_ok(struct ctx *c);

/* The first {id} of the matched route as a statement parameter. */
const char *app_id_param(struct ctx *c);

/* Answers 303 to /login with next set to the current path (and query). */
void app_redirect_login(struct ctx *c);

/* Adds the session cookie (value, or deletion when value is NULL). */
void app_set_session_cookie(struct ctx *c, const char *value);

/* The catalogue text of key in the request's language, or NULL for a NULL
 * key. For texts the handler chooses (a form error); the key must exist. */
const char *app_msg(const struct ctx *c, const char *key);

/* Answers status with a plain-text body. */
void app_text(struct ctx *c, int status, const char *text);

/* The /healthz handler of both pools: "ok" and 200 when the database
 * answers, 503 otherwise. */
void app_healthz(struct ctx *c);

/* The operators' status page of both pools (/status, /admin/status): the
 * pool's scoreboard (pool_status) and "database: ok" or "unavailable", as
 * text/plain. Only for this machine: a request with a REMOTE_ADDR other than
 * loopback gets 404 (over the socket itself, without one, it is answered). */
void app_status(struct ctx *c);
/* The pool's metrics for Prometheus (/metrics, /admin/metrics; metrics.h),
 * text exposition format 0.0.4, for this machine only as app_status. */
void app_metrics(struct ctx *c);

#endif
