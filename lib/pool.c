/*
 * pool: prefork master and worker supervision (see pool.h).
 * The master blocks its signals and takes them synchronously with
 * sigtimedwait, so there is no handler state to reason about.
 */
/* ppoll(2) is a GNU extension. */
#define _GNU_SOURCE
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "outage.h"
#include "status.h"

enum { MAX_WORKERS = 256, SD_LISTEN_FDS_START = 3 };

struct slot {
	pid_t pid;         /* 0: empty */
	int generation;    /* workers of an older generation are leaving */
	double started;    /* monotonic seconds */
	double restart_at; /* when an empty slot may be refilled */
	int quick_deaths;  /* consecutive deaths within 2 s of start */
	int killed;        /* the master killed it for a request over its timeout */
};

static volatile sig_atomic_t worker_stop;
/* The socket file pool_listen bound, so that pool_unlisten removes that one
 * and no other. */
static struct own_socket {
	dev_t dev;
	ino_t ino;
	int made;
} own_socket;
/* Shared with every worker; NULL when it could not be mapped (the pool then
 * runs without a status page or the timeout backstop). */
static struct status_board *board;
/* In a worker: its own row of the board. */
static struct status_worker *my_row;

static double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int set_flags(int fd, char *err, size_t errlen)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		snprintf(err, errlen, "cannot set flags on listening socket: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int is_listening_socket(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);
	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v;
}

/* A whole non-negative number from the environment, or -1. */
static long env_number(const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && v >= 0 ? v : -1;
}

/*
 * 1 (with err) when a live pool accepts connections on the socket at sa:
 * starting over it would take its path away. A unix socket's connect
 * succeeds at once when something listens (EAGAIN when its queue is full:
 * alive too) and fails with ECONNREFUSED when its process is gone.
 */
static int someone_listens(const struct sockaddr_un *sa, char *err, size_t errlen)
{
	int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (probe < 0)
		return 0;
	int rc = connect(probe, (const struct sockaddr *)sa, sizeof(*sa));
	int e = errno;
	close(probe);
	if (rc == 0 || e == EAGAIN) {
		snprintf(err, errlen,
		         "--listen \"%s\": a running pool listens there; stop it first "
		         "(or reload it with SIGHUP)",
		         sa->sun_path);
		return 1;
	}
	if (e != ECONNREFUSED && e != ENOENT) {
		snprintf(err, errlen, "--listen \"%s\": cannot tell whether a pool listens: %s",
		         sa->sun_path, strerror(e));
		return 1;
	}
	return 0;
}

int pool_listen(const char *path, int mode, const char *group, char *err, size_t errlen)
{
	const char *fds = getenv("LISTEN_FDS");
	const char *pid = getenv("LISTEN_PID");
	if (fds && pid && env_number(pid) == (long)getpid()) {
		/* Both pools take exactly one socket each (one .socket unit). */
		if (env_number(fds) != 1 || !is_listening_socket(SD_LISTEN_FDS_START)) {
			snprintf(
			    err, errlen,
			    "LISTEN_FDS=%s: expected exactly one listening socket from systemd",
			    fds);
			return -1;
		}
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDNAMES");
		int fd = SD_LISTEN_FDS_START;
		return set_flags(fd, err, errlen) < 0 ? -1 : fd;
	}
	if (path == NULL) {
		if (is_listening_socket(0)) {
			/* Keep fd 0 free for what stdin means elsewhere. */
			int fd = fcntl(0, F_DUPFD_CLOEXEC, 3);
			if (fd < 0) {
				snprintf(err, errlen, "cannot dup fd 0: %s", strerror(errno));
				return -1;
			}
			int devnull = open("/dev/null", O_RDONLY);
			if (devnull >= 0 && devnull != 0) {
				dup2(devnull, 0);
				close(devnull);
			}
			return set_flags(fd, err, errlen) < 0 ? -1 : fd;
		}
		snprintf(err, errlen,
		         "no socket: give --listen PATH, start under systemd socket activation, "
		         "or pass a listening socket as fd 0");
		return -1;
	}

	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "--listen \"%s\": path longer than %zu bytes", path,
		         sizeof(sa.sun_path) - 1);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "--listen \"%s\": exists and is not a socket", path);
			close(fd);
			return -1;
		}
		if (someone_listens(&sa, err, errlen)) {
			close(fd);
			return -1;
		}
		/* Left behind by a pool that is gone. */
		unlink(path);
	}
	/* Bind with a tight umask, then open up to the requested mode: no moment
	 * where the socket is wider than asked. */
	mode_t old = umask(0177);
	int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0 || listen(fd, 1024) < 0) {
		snprintf(err, errlen, "--listen \"%s\": %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (group) {
		struct group *g = getgrnam(group);
		if (g == NULL || chown(path, (uid_t)-1, g->gr_gid) < 0) {
			snprintf(err, errlen, "--socket-group \"%s\": %s", group,
			         g ? strerror(errno) : "no such group");
			close(fd);
			return -1;
		}
	}
	if (chmod(path, (mode_t)mode) < 0 || lstat(path, &st) < 0) {
		snprintf(err, errlen, "chmod \"%s\": %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	own_socket = (struct own_socket){ .dev = st.st_dev, .ino = st.st_ino, .made = 1 };
	return fd;
}

void pool_unlisten(const char *path)
{
	struct stat st;
	if (path == NULL || !own_socket.made)
		return;
	/* Only the file this process bound: a newer pool may have taken the
	 * path since (after ours was removed by hand, say), and removing its
	 * socket would cut every new request off while it runs on unseen. */
	if (lstat(path, &st) == 0 && st.st_dev == own_socket.dev && st.st_ino == own_socket.ino)
		unlink(path);
	own_socket.made = 0;
}

static void on_worker_signal(int sig)
{
	(void)sig;
	worker_stop = 1;
}

static sigset_t stop_signals(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGHUP);
	return s;
}

/*
 * Takes a SIGTERM or SIGINT that is pending (it arrived while a request ran,
 * with the signals blocked) or that comes within *wait, setting worker_stop.
 * ppoll alone is not enough: when the socket is already readable Linux
 * returns from ppoll without delivering a signal that the mask it installs
 * would let through, so under steady load a pending SIGTERM could wait for a
 * quiet moment that never comes. Returns 1 when the worker must stop.
 */
static int take_stop_signal_within(const struct timespec *wait)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGINT);
	if (sigtimedwait(&s, NULL, wait) > 0)
		worker_stop = 1;
	return worker_stop;
}

static int take_stop_signal(void)
{
	const struct timespec zero = { 0, 0 };
	return take_stop_signal_within(&zero);
}

int pool_sleep(int ms)
{
	const struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	return take_stop_signal_within(&ts);
}

int pool_wait_readable(int fd)
{
	if (take_stop_signal())
		return 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	sigset_t open_mask;
	sigprocmask(SIG_SETMASK, NULL, &open_mask);
	sigdelset(&open_mask, SIGTERM);
	sigdelset(&open_mask, SIGINT);
	int n = ppoll(&p, 1, NULL, &open_mask);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	/* A signal that came while the socket was ready is still pending. */
	return take_stop_signal() ? 0 : 1;
}

void pool_request_begin(const char *method, const char *path, int timeout_s)
{
	struct status_worker *w = my_row;
	if (w == NULL)
		return;
	snprintf(w->method, sizeof(w->method), "%s", method ? method : "");
	size_t n = 0;
	/* The path only: query values may carry what does not belong there. */
	while (path && path[n] && path[n] != '?' && n + 1 < sizeof(w->path))
		n++;
	memcpy(w->path, path ? path : "", n);
	w->path[n] = '\0';
	w->timeout = timeout_s;
	w->req_started = status_now();
	/* Busy last: the master must never see busy with a stale start time. */
	__atomic_store_n(&w->busy, 1, __ATOMIC_RELEASE);
}

void pool_request_progress(void)
{
	if (my_row != NULL)
		my_row->req_started = status_now();
}

void pool_request_end(double ms)
{
	struct status_worker *w = my_row;
	if (w == NULL)
		return;
	__atomic_store_n(&w->busy, 0, __ATOMIC_RELEASE);
	__atomic_add_fetch(&w->served, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&board->served, 1, __ATOMIC_RELAXED);
	if (ms > STATUS_SLOW_MS)
		__atomic_add_fetch(&board->slow, 1, __ATOMIC_RELAXED);
}

int pool_take_turn(int period_s)
{
	if (board == NULL)
		return 0;
	long long now = (long long)(status_now() * 1e3);
	long long due = __atomic_load_n(&board->turn_ms, __ATOMIC_ACQUIRE);
	return now >= due &&
	       __atomic_compare_exchange_n(&board->turn_ms, &due, now + (long long)period_s * 1000,
	                                   0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

void pool_metrics(const struct route *routes, size_t n, struct buf *out)
{
	if (board == NULL) {
		struct metrics_pool none = { .pool = "-" };
		metrics_format(NULL, &none, routes, n, out);
		return;
	}
	status_metrics(board, status_now(), routes, n, out);
}

void pool_status(struct buf *out)
{
	if (board == NULL) {
		buf_puts(out, "pool: -\n");
		return;
	}
	status_format(board, status_now(), out);
}

/* Prepares row i of the board for a new worker, before the fork, so that
 * the worker's own writes never race with the master's reset. */
static void reset_row(int i, int generation)
{
	if (board == NULL || i >= board->nrows)
		return;
	struct status_worker *w = &board->rows[i];
	__atomic_store_n(&w->pid, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&w->busy, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&w->served, 0, __ATOMIC_RELAXED);
	w->generation = generation;
	w->timeout = 0;
	w->started = status_now();
	w->req_started = 0;
	w->method[0] = '\0';
	w->path[0] = '\0';
}

static void set_row_pid(int i, pid_t pid)
{
	if (board != NULL && i < board->nrows)
		__atomic_store_n(&board->rows[i].pid, (int)pid, __ATOMIC_RELEASE);
}

static pid_t spawn(const struct pool_opts *o, const struct pool_ops *ops, int row, int generation)
{
	reset_row(row, generation);
	pid_t master = getpid();
	pid_t pid = fork();
	if (pid > 0)
		set_row_pid(row, pid);
	if (pid != 0)
		return pid; /* parent, or -1 */
	my_row = board && row < board->nrows ? &board->rows[row] : NULL;
	/* The master writes the same pid after fork returns; writing it here too
	 * means the worker's first request already sees itself on the page. */
	if (my_row)
		__atomic_store_n(&my_row->pid, (int)getpid(), __ATOMIC_RELEASE);

	/* Worker: leave with the master, whatever kills it. The SIGTERM is
	 * taken like any other stop (take_stop_signal): the request in hand is
	 * finished, no new one accepted. A master that died before prctl took
	 * effect has left us with another parent (init, or a subreaper). */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != master)
		_exit(0);
	struct sigaction sa = { .sa_handler = on_worker_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	sigset_t s = stop_signals();
	sigprocmask(SIG_BLOCK, &s, NULL);
	worker_stop = 0;
	ops->serve(ops->ctx, o->listen_fd, &worker_stop);
	_exit(0);
}

static int count_alive(const struct slot *slots, int n, int generation_min)
{
	int c = 0;
	for (int i = 0; i < n; i++)
		if (slots[i].pid > 0 && slots[i].generation >= generation_min)
			c++;
	return c;
}

static struct slot *find_pid(struct slot *slots, int n, pid_t pid)
{
	for (int i = 0; i < n; i++)
		if (slots[i].pid == pid)
			return &slots[i];
	return NULL;
}

static void describe_exit(int status, char *out, size_t n)
{
	if (WIFEXITED(status))
		snprintf(out, n, "exit=%d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(out, n, "signal=%d", WTERMSIG(status));
	else
		snprintf(out, n, "status=%d", status);
}

/* Logs a request that went over its timeout, with what row i of the board
 * says the worker was doing. */
static void log_timeout(const char *name, int i, pid_t pid, const char *how)
{
	char q[STATUS_PATH_MAX + 8];
	const char *method = "-", *path = "-";
	double ms = 0;
	if (board && i < board->nrows) {
		const struct status_worker *w = &board->rows[i];
		method = w->method[0] ? w->method : "-";
		path = log_quote(q, sizeof(q), w->path);
		ms = (status_now() - w->req_started) * 1e3;
	}
	log_warn("request over the timeout, worker replaced",
	         "pool=%s pid=%d %s method=%s path=%s ms=%.0f", name, (int)pid, how, method, path,
	         ms);
}

/*
 * The backstop of the request timeout: a worker whose alarm did not end a
 * request (it hangs with the alarm blocked, or in the kernel) is killed once
 * the request is POOL_TIMEOUT_GRACE seconds past its limit.
 */
static void kill_overdue(const char *name, struct slot *slots, int nslots)
{
	if (board == NULL)
		return;
	double t = status_now();
	for (int i = 0; i < nslots && i < board->nrows; i++) {
		struct slot *s = &slots[i];
		const struct status_worker *w = &board->rows[i];
		if (s->pid <= 0 || s->killed || w->timeout <= 0 ||
		    !__atomic_load_n(&w->busy, __ATOMIC_ACQUIRE))
			continue;
		if (t - w->req_started <= w->timeout + POOL_TIMEOUT_GRACE)
			continue;
		log_warn("worker stuck past the request timeout, killing",
		         "pool=%s pid=%d timeout=%d", name, (int)s->pid, w->timeout);
		kill(s->pid, SIGKILL);
		s->killed = 1;
	}
}

int pool_run(const struct pool_opts *o, const struct pool_ops *ops)
{
	int n = o->workers;
	if (n < 1 || n > MAX_WORKERS)
		n = n < 1 ? 1 : MAX_WORKERS;
	/* Twice the slots: during a reload both generations are alive. */
	struct slot slots[2 * MAX_WORKERS];
	memset(slots, 0, sizeof(slots));
	int nslots = 2 * n;
	int generation = 1;

	board = status_board_new(nslots);
	if (board == NULL) {
		log_error("cannot map the scoreboard: no status page, no timeout backstop",
		          "pool=%s error=\"%s\"", o->name, strerror(errno));
	} else {
		snprintf(board->pool, sizeof(board->pool), "%s", o->name);
		board->master_pid = (int)getpid();
		board->workers = n;
		board->generation = generation;
		board->started = status_now();
		metrics_attach(&board->metrics);
	}

	if (outage_share() < 0)
		log_warn("cannot map the outage state: each worker logs an outage itself",
		         "pool=%s error=\"%s\"", o->name, strerror(errno));

	sigset_t set = stop_signals();
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	log_info("pool started", "pool=%s workers=%d", o->name, n);
	int stopping = 0;
	double stop_deadline = 0;
	for (;;) {
		double t = now_mono();
		/* Keep n workers of the current generation. */
		if (!stopping) {
			for (int i = 0; i < nslots && count_alive(slots, nslots, generation) < n;
			     i++) {
				struct slot *s = &slots[i];
				if (s->pid != 0 || s->restart_at > t)
					continue;
				pid_t pid = spawn(o, ops, i, generation);
				if (pid < 0) {
					log_error("fork failed", "pool=%s error=\"%s\"", o->name,
					          strerror(errno));
					s->restart_at = t + 1;
					break;
				}
				s->pid = pid;
				s->generation = generation;
				s->started = t;
				s->killed = 0;
			}
		}
		if (stopping && count_alive(slots, nslots, 0) == 0)
			break;

		/* Wake at the next pending restart, or within a second. */
		double wait = 1.0;
		for (int i = 0; i < nslots; i++)
			if (slots[i].pid == 0 && slots[i].restart_at > t &&
			    slots[i].restart_at - t < wait)
				wait = slots[i].restart_at - t;
		if (stopping && stop_deadline - t < wait)
			wait = stop_deadline - t > 0 ? stop_deadline - t : 0.01;
		struct timespec ts = { (time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9) };
		siginfo_t si;
		int sig = sigtimedwait(&set, &si, &ts);

		if (sig == SIGTERM || sig == SIGINT) {
			if (!stopping) {
				log_info("stopping", "pool=%s signal=%d", o->name, sig);
				stopping = 1;
				stop_deadline = now_mono() + o->drain_timeout;
				for (int i = 0; i < nslots; i++)
					if (slots[i].pid > 0)
						kill(slots[i].pid, SIGTERM);
			}
		} else if (sig == SIGHUP && !stopping) {
			if (ops->reload(ops->ctx) == 0) {
				/* Start the new generation before the old one leaves, so
				 * that there is always a worker ready to accept. */
				int old = generation++;
				if (board)
					board->generation = generation;
				for (int i = 0;
				     i < nslots && count_alive(slots, nslots, generation) < n;
				     i++) {
					struct slot *s = &slots[i];
					if (s->pid != 0)
						continue;
					pid_t pid = spawn(o, ops, i, generation);
					if (pid < 0)
						break;
					*s = (struct slot){ .pid = pid,
						            .generation = generation,
						            .started = now_mono() };
				}
				for (int i = 0; i < nslots; i++)
					if (slots[i].pid > 0 && slots[i].generation <= old)
						kill(slots[i].pid, SIGTERM);
				log_info("reloaded", "pool=%s generation=%d", o->name, generation);
			} else {
				log_warn("reload refused, old workers keep serving", "pool=%s",
				         o->name);
			}
		}

		/* Reap every child that has exited. */
		int status;
		pid_t pid;
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			struct slot *s = find_pid(slots, nslots, pid);
			if (s == NULL)
				continue;
			double lived = now_mono() - s->started;
			int clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
			int timed_out = s->killed || (WIFEXITED(status) &&
			                              WEXITSTATUS(status) == POOL_EXIT_TIMEOUT);
			int current = s->generation == generation;
			char how[32];
			describe_exit(status, how, sizeof(how));
			if (timed_out) {
				log_timeout(o->name, (int)(s - slots), pid, how);
				if (board)
					board->timeouts++;
			}
			s->pid = 0;
			set_row_pid((int)(s - slots), 0);
			if (stopping || !current)
				continue;
			if (clean || timed_out) {
				/* Recycled after max_requests, or cut off by the
				 * timeout (its own fault, not a crash): replace at once. */
				if (board) {
					if (clean)
						board->recycled++;
					else
						board->restarts++;
				}
				s->quick_deaths = 0;
				s->restart_at = 0;
				continue;
			}
			if (board)
				board->restarts++;
			s->quick_deaths = lived < 2.0 ? s->quick_deaths + 1 : 0;
			double delay = 0;
			/* One early death (a kill, an unlucky first request) is not a
			 * loop: replace at once. Two in a row are: 0.4, 0.8 ... 10 s. */
			if (s->quick_deaths > 1) {
				delay = 0.1 *
				        (double)(1 << (s->quick_deaths < 8 ? s->quick_deaths : 8));
				if (delay > 10)
					delay = 10;
				log_warn("worker crash loop, backing off",
				         "pool=%s pid=%d %s delay=%.1fs", o->name, (int)pid, how,
				         delay);
			} else {
				log_warn("worker died, replacing", "pool=%s pid=%d %s", o->name,
				         (int)pid, how);
			}
			s->restart_at = now_mono() + delay;
		}

		if (!stopping)
			kill_overdue(o->name, slots, nslots);

		if (stopping && now_mono() >= stop_deadline) {
			for (int i = 0; i < nslots; i++)
				if (slots[i].pid > 0) {
					log_warn("worker did not finish in time, killing",
					         "pool=%s pid=%d", o->name, (int)slots[i].pid);
					kill(slots[i].pid, SIGKILL);
				}
			stop_deadline = now_mono() + 5;
		}
	}
	log_info("pool stopped", "pool=%s", o->name);
	status_board_free(board);
	board = NULL;
	outage_unshare();
	return 0;
}
