/*
 * metrics: the pools' counters for Prometheus, and GET /metrics made of
 * them (text exposition format 0.0.4). The counters live in the pool's
 * scoreboard (status.h), in memory shared by the master and every worker:
 * a worker adds to them with atomic operations, so they are summed over the
 * pool by construction and outlive the worker that counted them (a
 * restarted or recycled worker loses nothing). They start at zero when the
 * pool starts; a reload keeps them.
 *
 * Outside a pool (unit tests, portalctl) nothing is attached and counting
 * does nothing.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>

#include "buf.h"
#include "router.h"

/* Routes beyond METRICS_ROUTES - 1 count as unmatched; the first slot is
 * requests no route matched (404, 405, 400 before routing). */
enum { METRICS_ROUTES = 64, METRICS_CODES = 24, METRICS_BUCKETS = 11 };

enum metrics_method { METRICS_PASSWORD, METRICS_NEGOTIATE, METRICS_REMOTE_USER, METRICS_METHODS };

/*
 * How a sign-in ended: success (a session), failure (wrong name or password,
 * a ticket refused), refused (single sign-on vouched for someone the portal
 * does not let in: unknown, inactive, another realm) or throttled (the name
 * and address must wait; also counted in lockouts).
 */
enum metrics_outcome {
	METRICS_SUCCESS,
	METRICS_FAILURE,
	METRICS_REFUSED,
	METRICS_THROTTLED,
	METRICS_OUTCOMES
};

/* Where a page that only reads was read (app_session_read, with
 * PORTAL_READ_URL): on the standby, or on the primary instead. */
enum metrics_read { METRICS_READ_STANDBY, METRICS_READ_PRIMARY, METRICS_READS };

struct metrics {
	unsigned long long requests[METRICS_ROUTES][METRICS_CODES];
	/* Requests per latency bucket, not cumulative: bucket i holds those
	 * over bound i - 1 and at most bound i; over the last bound: count
	 * minus the rest. */
	unsigned long long buckets[METRICS_ROUTES][METRICS_BUCKETS];
	unsigned long long count[METRICS_ROUTES];
	unsigned long long sum_us[METRICS_ROUTES];
	unsigned long long db_errors;     /* statements that failed for the server's reasons */
	unsigned long long db_reconnects; /* connections made again after one was lost */
	unsigned long long signins[METRICS_METHODS][METRICS_OUTCOMES];
	unsigned long long lockouts;
	unsigned long long reads[METRICS_READS];
};

/* The metrics this process counts into (the pool's, shared), or NULL. */
void metrics_attach(struct metrics *m);

/*
 * One answered request: route the index of the matched route plus one (0:
 * none), status the HTTP status, seconds from accept to the answer written.
 */
void metrics_request(size_t route, int status, double seconds);
void metrics_db_error(void);
void metrics_db_reconnect(void);
void metrics_signin(enum metrics_method method, enum metrics_outcome outcome);
void metrics_read(enum metrics_read where);

/* What /metrics shows beside the counters, read off the scoreboard. */
struct metrics_pool {
	const char *pool; /* "portal" or "portal-admin" */
	int busy, idle;   /* live workers */
	long restarts, recycled, timeouts;
	double uptime_s;
};

/*
 * Appends the exposition of m (may be NULL: only what p says) to out:
 * portal_http_requests_total{route,method,status}, the histogram
 * portal_http_request_duration_seconds{route,method}, portal_workers{state},
 * portal_worker_restarts_total{reason}, portal_request_timeouts_total,
 * portal_db_errors_total, portal_db_reconnects_total,
 * portal_signins_total{method,outcome}, portal_signin_lockouts_total,
 * portal_db_reads_total{on="standby"|"primary"} and
 * portal_uptime_seconds, each with HELP and TYPE, every series labelled
 * pool. routes are the pool's n routes (labels: their pattern and method).
 */
void metrics_format(const struct metrics *m, const struct metrics_pool *p,
                    const struct route *routes, size_t n, struct buf *out);

#endif
