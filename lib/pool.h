/*
 * pool: the prefork process model shared by both pool programs. A master
 * process owns the listening socket, forks N workers, replaces a worker that
 * dies (backing off when they die in a loop), reloads on SIGHUP (new workers
 * first, then the old ones finish their request and leave) and stops on
 * SIGTERM/SIGINT (workers finish what is in flight). The master never runs
 * request code, so a crashing worker cannot take it down.
 */
#ifndef POOL_H
#define POOL_H

#include <signal.h>
#include <stddef.h>

#include "buf.h"
#include "router.h"

/* The exit status of a worker that gave up on a request over its timeout
 * (after answering it 503): replaced at once, counted as a timeout. */
enum { POOL_EXIT_TIMEOUT = 75 };

struct pool_ops {
	/* Master, on SIGHUP: prepare new state for the next workers. Returns 0,
	 * or -1 to keep the old state (the failure is the callback's to log). */
	int (*reload)(void *ctx);
	/* Worker: serve requests from listen_fd until *stop is set or
	 * max_requests were served (0: no limit), then return. Runs in the
	 * child with SIGTERM, SIGINT and SIGHUP blocked: it should unblock them
	 * only while waiting for a connection (see pool_wait_readable). */
	void (*serve)(void *ctx, int listen_fd, volatile sig_atomic_t *stop);
	void *ctx;
};

struct pool_opts {
	const char *name; /* for the log: "portal", "portal-admin" */
	int listen_fd;
	int workers;
	int drain_timeout; /* seconds a stopping worker may take before SIGKILL */
};

/*
 * Opens the listening socket: a socket passed by systemd (LISTEN_FDS and
 * LISTEN_PID), else fd 0 when it is a listening socket (the FastCGI and
 * spawn-fcgi convention), else a new unix socket at path with the given
 * mode (e.g. 0660) and, when group is not NULL, that group. A socket file
 * already at path is replaced when nothing listens on it (a pool that died)
 * and refused when a live pool does. The socket is made non-blocking and
 * close-on-exec. Returns the fd, or -1 with err saying what failed.
 */
int pool_listen(const char *path, int mode, const char *group, char *err, size_t errlen);

/* Removes the socket file at path if it is the one pool_listen made in this
 * process (same device and inode), and nothing else. */
void pool_unlisten(const char *path);

/* Runs the master until SIGTERM or SIGINT. Returns the exit status. */
int pool_run(const struct pool_opts *opts, const struct pool_ops *ops);

/*
 * In a worker: waits until fd is readable with the pool's stop signals
 * deliverable only during the wait. Returns 1 when readable, 0 when a
 * signal arrived (check *stop), -1 on error.
 */
int pool_wait_readable(int fd);

/* In a worker: sleeps ms milliseconds, or less when a stop signal comes.
 * Returns 1 when the worker must stop (the serve loop's *stop is set). */
int pool_sleep(int ms);

/*
 * In a worker: a request starts (method and path, never the query, show on
 * the status page). When it is still running timeout_s seconds later (0: no
 * limit) plus a grace of POOL_TIMEOUT_GRACE seconds, the master kills the
 * worker with SIGKILL and replaces it: the backstop for a worker that its own
 * alarm could not stop. No-op outside a pool.
 */
void pool_request_begin(const char *method, const char *path, int timeout_s);

/* In a worker, while it streams a long answer: progress was made, so the
 * master's stuck-request deadline counts again from now. */
void pool_request_progress(void);

/* In a worker: the request is answered after ms milliseconds (counted in
 * the totals, and as slow when over STATUS_SLOW_MS). No-op outside a pool. */
void pool_request_end(double ms);

/* In a worker: 1 for exactly one worker of the pool once every period_s
 * seconds (the first call of a pool gets it), else 0; always 0 outside a
 * pool. For housekeeping that one worker should do for all. */
int pool_take_turn(int period_s);

/* Appends this pool's status page (status_format) to out; "pool: -" and
 * nothing else outside a pool. */
void pool_status(struct buf *out);
/* Appends this pool's GET /metrics (status_metrics) to out; without a
 * board, only the gauges (pool "-"). */
void pool_metrics(const struct route *routes, size_t n, struct buf *out);

enum { POOL_TIMEOUT_GRACE = 2 };

#endif
