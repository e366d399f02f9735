/*
 * status: the shared scoreboard of a pool and the page made from it, plus
 * portalctl status, which fetches that page from each pool's socket.
 */
#include "status.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "fcgi_client.h"

#define DEFAULT_PORTAL_SOCKET "/run/rapportageportaal/portal.sock"
#define DEFAULT_ADMIN_SOCKET  "/run/rapportageportaal/admin.sock"

enum { FETCH_TIMEOUT_MS = 5000, MAX_SOCKETS = 16 };

static size_t board_size(int nrows)
{
	return sizeof(struct status_board) + (size_t)nrows * sizeof(struct status_worker);
}

struct status_board *status_board_new(int nrows)
{
	if (nrows < 1)
		nrows = 1;
	/* Anonymous and shared: the workers forked later write into the very
	 * pages the master reads; nothing to name or clean up on disk. */
	void *p = mmap(NULL, board_size(nrows), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	               -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	struct status_board *b = p;
	memset(b, 0, board_size(nrows));
	b->nrows = nrows;
	return b;
}

void status_board_free(struct status_board *b)
{
	if (b)
		munmap(b, board_size(b->nrows));
}

double status_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void status_metrics(const struct status_board *b, double now, const struct route *routes, size_t n,
                    struct buf *out)
{
	struct metrics_pool p = { .pool = b->pool,
		                  .restarts = b->restarts,
		                  .recycled = b->recycled,
		                  .timeouts = b->timeouts,
		                  .uptime_s = now - b->started };
	for (int i = 0; i < b->nrows; i++) {
		const struct status_worker *w = &b->rows[i];
		if (__atomic_load_n(&w->pid, __ATOMIC_ACQUIRE) <= 0)
			continue;
		if (__atomic_load_n(&w->busy, __ATOMIC_ACQUIRE))
			p.busy++;
		else
			p.idle++;
	}
	metrics_format(&b->metrics, &p, routes, n, out);
}

void status_format(const struct status_board *b, double now, struct buf *out)
{
	int alive = 0, busy = 0;
	for (int i = 0; i < b->nrows; i++) {
		const struct status_worker *w = &b->rows[i];
		if (__atomic_load_n(&w->pid, __ATOMIC_ACQUIRE) <= 0)
			continue;
		alive++;
		if (__atomic_load_n(&w->busy, __ATOMIC_ACQUIRE))
			busy++;
	}
	buf_printf(out, "pool: %s\n", b->pool);
	buf_printf(out, "pid: %d\n", b->master_pid);
	buf_printf(out, "uptime_s: %.0f\n", now - b->started);
	buf_printf(out, "generation: %d\n", b->generation);
	buf_printf(out, "workers: %d\n", alive);
	buf_printf(out, "workers_configured: %d\n", b->workers);
	buf_printf(out, "workers_busy: %d\n", busy);
	buf_printf(out, "requests: %ld\n", __atomic_load_n(&b->served, __ATOMIC_RELAXED));
	buf_printf(out, "slow_requests: %ld\n", __atomic_load_n(&b->slow, __ATOMIC_RELAXED));
	buf_printf(out, "timeouts: %ld\n", b->timeouts);
	buf_printf(out, "restarts: %ld\n", b->restarts);
	buf_printf(out, "recycled: %ld\n", b->recycled);
	for (int i = 0; i < b->nrows; i++) {
		const struct status_worker *w = &b->rows[i];
		int pid = __atomic_load_n(&w->pid, __ATOMIC_ACQUIRE);
		if (pid <= 0)
			continue;
		int is_busy = __atomic_load_n(&w->busy, __ATOMIC_ACQUIRE);
		buf_printf(out, "worker: pid=%d generation=%d state=%s requests=%ld", pid,
		           w->generation, is_busy ? "busy" : "idle",
		           __atomic_load_n(&w->served, __ATOMIC_RELAXED));
		if (is_busy) {
			/* The worker may be writing the next request's path while we
			 * read: copy it bounded and cut at the first NUL. */
			char method[STATUS_METHOD_MAX], path[STATUS_PATH_MAX];
			memcpy(method, w->method, sizeof(method));
			memcpy(path, w->path, sizeof(path));
			method[sizeof(method) - 1] = '\0';
			path[sizeof(path) - 1] = '\0';
			buf_printf(out, " request_ms=%.0f method=%s path=%s",
			           (now - w->req_started) * 1e3, method[0] ? method : "-",
			           path[0] ? path : "-");
		}
		buf_putc(out, '\n');
	}
}

/* ---- portalctl status ---- */

static int fetch_one(const char *sock, FILE *out, FILE *err)
{
	struct buf body = { 0 };
	char e[256];
	int status = 0;
	int rc = fcgi_client_get(sock, "/status", FETCH_TIMEOUT_MS, &status, &body, e, sizeof(e));
	if (rc == 0 && status == 404) {
		/* The admin pool serves only /admin/. */
		buf_reset(&body);
		rc = fcgi_client_get(sock, "/admin/status", FETCH_TIMEOUT_MS, &status, &body, e,
		                     sizeof(e));
	}
	if (rc < 0) {
		fprintf(err, "portalctl status: %s: %s\n", sock, e);
		buf_free(&body);
		return 1;
	}
	fprintf(out, "== %s\n%s", sock, buf_str(&body));
	buf_free(&body);
	if (status != 200) {
		fprintf(err, "portalctl status: %s answered %d\n", sock, status);
		return 1;
	}
	return 0;
}

int status_command(int argc, char **argv, FILE *out, FILE *err)
{
	const char *socks[MAX_SOCKETS];
	int n = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc && n < MAX_SOCKETS) {
			socks[n++] = argv[++i];
		} else {
			fprintf(err, "usage: portalctl status [--socket PATH]...\n");
			return 2;
		}
	}
	if (n == 0) {
		socks[n++] = DEFAULT_PORTAL_SOCKET;
		socks[n++] = DEFAULT_ADMIN_SOCKET;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		if (i > 0)
			fputc('\n', out);
		if (fetch_one(socks[i], out, err) != 0)
			rc = 1;
	}
	return rc;
}
