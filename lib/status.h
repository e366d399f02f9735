/*
 * status: the pool's scoreboard and the operators' status page. The
 * scoreboard is a table in memory shared by a pool's master and its workers
 * (mapped before the first fork): each worker writes only its own row, the
 * master the rows' identity and the pool's totals. GET /status (and
 * portalctl status, over the pool's socket) shows it as "key: value" lines.
 */
#ifndef STATUS_H
#define STATUS_H

#include <stdio.h>

#include "buf.h"
#include "metrics.h"

enum { STATUS_METHOD_MAX = 8, STATUS_PATH_MAX = 80, STATUS_SLOW_MS = 1000 };

/* One worker. Counters are updated with atomic operations: the master reads
 * them while the worker writes. */
struct status_worker {
	int pid;            /* 0: the row is unused */
	int generation;     /* older than the board's: leaving after a reload */
	int busy;           /* 1 while a request runs */
	int timeout;        /* seconds the current request may take, 0: no limit */
	double started;     /* monotonic seconds, when the worker was forked */
	double req_started; /* monotonic seconds, start of the current request */
	long served;
	char method[STATUS_METHOD_MAX];
	char path[STATUS_PATH_MAX]; /* the path only, never the query */
};

struct status_board {
	char pool[32];
	int master_pid;
	int generation;
	int workers;            /* configured per generation */
	double started;         /* monotonic seconds, when the master started */
	long served;            /* requests answered by all workers since the start */
	long slow;              /* of those, over STATUS_SLOW_MS */
	long timeouts;          /* requests cut off by the request timeout */
	long restarts;          /* workers replaced after dying or being killed */
	long recycled;          /* workers replaced after max_requests */
	long long turn_ms;      /* monotonic ms: when the next pool_take_turn is due */
	struct metrics metrics; /* the workers' counters for GET /metrics */
	int nrows;
	struct status_worker rows[];
};

/* Maps a zeroed board of nrows rows shared with every later fork. Returns
 * NULL (errno set) when mmap fails. */
struct status_board *status_board_new(int nrows);
void status_board_free(struct status_board *b);

/* Monotonic seconds, the board's clock. */
double status_now(void);

/*
 * Appends the status page of b at time now: pool-wide "key: value" lines
 * (pool, pid, uptime_s, generation, workers, workers_busy, requests,
 * slow_requests, timeouts, restarts, recycled), then one "worker:" line per
 * live worker with pid, generation, state (idle or busy), requests and, when
 * busy, request_ms, method and path.
 */
void status_format(const struct status_board *b, double now, struct buf *out);

/* Appends GET /metrics of b at time now (metrics_format): the counters, and
 * the workers busy and idle, restarts and timeouts of the board. routes are
 * the pool's n routes. */
void status_metrics(const struct status_board *b, double now, const struct route *routes, size_t n,
                    struct buf *out);

/*
 * portalctl status: fetches GET /status from each pool socket over FastCGI
 * (the admin pool answers 404 there, so then GET /admin/status) and prints
 * the pages to out, each headed by "== SOCKET". argv[0] is the command name; options:
 * --socket PATH (repeatable; default /run/rapportageportaal/portal.sock and
 * admin.sock). Returns 0 when every pool answered 200, 1 when one did not
 * (its error is printed to err), 2 on a usage error.
 */
int status_command(int argc, char **argv, FILE *out, FILE *err);

#endif
