/*
 * metrics: counters in the pool's shared scoreboard and their exposition
 * for Prometheus (see metrics.h).
 */
#include "metrics.h"

#include <stdio.h>
#include <string.h>

static struct metrics *live;

/* The statuses the pools answer, each a series of its own; any other
 * counts as the last slot, shown as "other". */
static const int codes[METRICS_CODES - 1] = { 200, 201, 204, 301, 302, 303, 304, 400,
	                                      401, 403, 404, 405, 409, 410, 413, 414,
	                                      415, 421, 429, 500, 502, 503, 504 };

/* Upper bounds of the latency buckets in seconds: Prometheus' defaults. */
static const double bounds[METRICS_BUCKETS] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
	                                        0.5,   1,    2.5,   5,    10 };
static const char *const bound_text[METRICS_BUCKETS] = { "0.005", "0.01", "0.025", "0.05",
	                                                 "0.1",   "0.25", "0.5",   "1",
	                                                 "2.5",   "5",    "10" };

static const char *const method_names[METRICS_METHODS] = { "password", "negotiate", "remote-user" };
static const char *const outcome_names[METRICS_OUTCOMES] = { "success", "failure", "refused",
	                                                     "throttled" };

void metrics_attach(struct metrics *m)
{
	live = m;
}

static void add(unsigned long long *c, unsigned long long n)
{
	__atomic_add_fetch(c, n, __ATOMIC_RELAXED);
}

static unsigned long long get(const unsigned long long *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

static int code_slot(int status)
{
	for (int i = 0; i < METRICS_CODES - 1; i++)
		if (codes[i] == status)
			return i;
	return METRICS_CODES - 1;
}

void metrics_request(size_t route, int status, double seconds)
{
	if (live == NULL)
		return;
	if (route >= METRICS_ROUTES)
		route = 0;
	if (seconds < 0)
		seconds = 0;
	add(&live->requests[route][code_slot(status)], 1);
	for (int i = 0; i < METRICS_BUCKETS; i++)
		if (seconds <= bounds[i]) {
			add(&live->buckets[route][i], 1);
			break;
		}
	add(&live->count[route], 1);
	add(&live->sum_us[route], (unsigned long long)(seconds * 1e6 + 0.5));
}

void metrics_db_error(void)
{
	if (live != NULL)
		add(&live->db_errors, 1);
}

void metrics_db_reconnect(void)
{
	if (live != NULL)
		add(&live->db_reconnects, 1);
}

void metrics_signin(enum metrics_method method, enum metrics_outcome outcome)
{
	if (live == NULL || (unsigned)method >= METRICS_METHODS ||
	    (unsigned)outcome >= METRICS_OUTCOMES)
		return;
	add(&live->signins[method][outcome], 1);
	if (outcome == METRICS_THROTTLED)
		add(&live->lockouts, 1);
}

void metrics_read(enum metrics_read where)
{
	if (live != NULL && (unsigned)where < METRICS_READS)
		add(&live->reads[where], 1);
}

/* A label value as the format wants it: backslash, quote and newline
 * escaped. */
static void label(struct buf *out, const char *name, const char *value)
{
	buf_printf(out, "%s=\"", name);
	for (const char *s = value; *s; s++) {
		if (*s == '\\' || *s == '"')
			buf_putc(out, '\\');
		if (*s == '\n') {
			buf_puts(out, "\\n");
			continue;
		}
		buf_putc(out, *s);
	}
	buf_putc(out, '"');
}

static void head(struct buf *out, const char *name, const char *type, const char *help)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{pool="...", then the caller's labels. */
static void series(struct buf *out, const char *name, const char *pool)
{
	buf_printf(out, "%s{", name);
	label(out, "pool", pool);
}

static void route_labels(struct buf *out, const struct route *routes, size_t n, size_t r)
{
	int known = r > 0 && r - 1 < n;
	buf_putc(out, ',');
	label(out, "route", known ? routes[r - 1].pattern : "unmatched");
	buf_putc(out, ',');
	label(out, "method", known ? routes[r - 1].method : "any");
}

static void requests(const struct metrics *m, const struct metrics_pool *p,
                     const struct route *routes, size_t n, struct buf *out)
{
	head(out, "portal_http_requests_total", "counter",
	     "Requests answered, by route, method and HTTP status.");
	for (size_t r = 0; m && r < METRICS_ROUTES; r++)
		for (int c = 0; c < METRICS_CODES; c++) {
			unsigned long long v = get(&m->requests[r][c]);
			if (v == 0)
				continue;
			series(out, "portal_http_requests_total", p->pool);
			route_labels(out, routes, n, r);
			if (c < METRICS_CODES - 1)
				buf_printf(out, ",status=\"%d\"} %llu\n", codes[c], v);
			else
				buf_printf(out, ",status=\"other\"} %llu\n", v);
		}

	const char *h = "portal_http_request_duration_seconds";
	head(out, h, "histogram",
	     "Time from accepting a request to its answer written, by route and method.");
	for (size_t r = 0; m && r < METRICS_ROUTES; r++) {
		unsigned long long count = get(&m->count[r]), cum = 0;
		if (count == 0)
			continue;
		for (int b = 0; b < METRICS_BUCKETS; b++) {
			cum += get(&m->buckets[r][b]);
			/* A request counted between the reads of two buckets
			 * must not make a bucket exceed the count after it. */
			if (cum > count)
				cum = count;
			series(out, "portal_http_request_duration_seconds_bucket", p->pool);
			route_labels(out, routes, n, r);
			buf_printf(out, ",le=\"%s\"} %llu\n", bound_text[b], cum);
		}
		series(out, "portal_http_request_duration_seconds_bucket", p->pool);
		route_labels(out, routes, n, r);
		buf_printf(out, ",le=\"+Inf\"} %llu\n", count);
		series(out, "portal_http_request_duration_seconds_sum", p->pool);
		route_labels(out, routes, n, r);
		buf_printf(out, "} %.6f\n", (double)get(&m->sum_us[r]) / 1e6);
		series(out, "portal_http_request_duration_seconds_count", p->pool);
		route_labels(out, routes, n, r);
		buf_printf(out, "} %llu\n", count);
	}
}

static void single(struct buf *out, const char *name, const char *type, const char *help,
                   const char *pool, unsigned long long v)
{
	head(out, name, type, help);
	series(out, name, pool);
	buf_printf(out, "} %llu\n", v);
}

void metrics_format(const struct metrics *m, const struct metrics_pool *p,
                    const struct route *routes, size_t n, struct buf *out)
{
	requests(m, p, routes, n, out);

	head(out, "portal_workers", "gauge",
	     "Live workers of the pool, busy with a request or idle.");
	series(out, "portal_workers", p->pool);
	buf_printf(out, ",state=\"busy\"} %d\n", p->busy);
	series(out, "portal_workers", p->pool);
	buf_printf(out, ",state=\"idle\"} %d\n", p->idle);

	head(out, "portal_worker_restarts_total", "counter",
	     "Workers replaced: after dying or being killed (died), or after their "
	     "PORTAL_MAX_REQUESTS (recycled).");
	series(out, "portal_worker_restarts_total", p->pool);
	buf_printf(out, ",reason=\"died\"} %ld\n", p->restarts);
	series(out, "portal_worker_restarts_total", p->pool);
	buf_printf(out, ",reason=\"recycled\"} %ld\n", p->recycled);

	single(out, "portal_request_timeouts_total", "counter",
	       "Requests cut off by the request timeout (PORTAL_REQUEST_TIMEOUT).", p->pool,
	       (unsigned long long)p->timeouts);
	single(out, "portal_db_errors_total", "counter",
	       "Database statements and connections that failed for the server's reasons "
	       "(unavailable, timeout, error), not for the input's.",
	       p->pool, m ? get(&m->db_errors) : 0);
	single(out, "portal_db_reconnects_total", "counter",
	       "Database connections made again after one was lost or closed.", p->pool,
	       m ? get(&m->db_reconnects) : 0);

	head(out, "portal_signins_total", "counter",
	     "Sign-ins by method (password, negotiate, remote-user) and outcome (success, "
	     "failure, refused, throttled).");
	for (int i = 0; m && i < METRICS_METHODS; i++)
		for (int o = 0; o < METRICS_OUTCOMES; o++) {
			series(out, "portal_signins_total", p->pool);
			buf_printf(out, ",method=\"%s\",outcome=\"%s\"} %llu\n", method_names[i],
			           outcome_names[o], get(&m->signins[i][o]));
		}
	single(out, "portal_signin_lockouts_total", "counter",
	       "Sign-ins refused because the name and address must wait (throttled).", p->pool,
	       m ? get(&m->lockouts) : 0);

	head(out, "portal_db_reads_total", "counter",
	     "Pages that only read, with PORTAL_READ_URL set: read on the standby, or on the "
	     "primary instead (standby down, behind PORTAL_MAX_LAG_MS, or the session not "
	     "replayed yet).");
	series(out, "portal_db_reads_total", p->pool);
	buf_printf(out, ",on=\"standby\"} %llu\n", m ? get(&m->reads[METRICS_READ_STANDBY]) : 0);
	series(out, "portal_db_reads_total", p->pool);
	buf_printf(out, ",on=\"primary\"} %llu\n", m ? get(&m->reads[METRICS_READ_PRIMARY]) : 0);

	head(out, "portal_uptime_seconds", "gauge", "Seconds since the pool's master started.");
	series(out, "portal_uptime_seconds", p->pool);
	buf_printf(out, "} %.3f\n", p->uptime_s);
}
