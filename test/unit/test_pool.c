/*
 * Unit tests for lib/pool.c: a real master with real workers on a real unix
 * socket. Each worker answers a connection with its pid, so the tests can
 * see which worker served them.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "log.h"
#include "pool.h"

static char sock_path[108];
static char spawn_log[128];

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static void note_spawn(void)
{
	int fd = open(spawn_log, O_WRONLY | O_APPEND | O_CREAT, 0600);
	if (fd >= 0) {
		ssize_t w = write(fd, "x", 1);
		assert_int_equal(w, 1);
		close(fd);
	}
}

static int count_spawns(void)
{
	struct stat st;
	return stat(spawn_log, &st) == 0 ? (int)st.st_size : 0;
}

/* A worker's loop: each connection is answered with what answer writes. */
static void serve_answers(int fd, volatile sig_atomic_t *stop, int (*answer)(char *, size_t))
{
	while (!*stop) {
		int r = pool_wait_readable(fd);
		if (r <= 0)
			continue;
		int c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		char msg[32];
		int n = answer(msg, sizeof(msg));
		ssize_t w = write(c, msg, (size_t)n);
		close(c);
		if (w != n)
			_exit(4); /* the master logs it; the test sees a missing answer */
	}
}

static int answer_pid(char *out, size_t n)
{
	return snprintf(out, n, "%d\n", (int)getpid());
}

/* A worker that answers every connection with its pid. */
static void serve_pid(void *ctx, int fd, volatile sig_atomic_t *stop)
{
	(void)ctx;
	note_spawn();
	serve_answers(fd, stop, answer_pid);
}

/* A worker that dies at once: the master must back off. */
static void serve_crash(void *ctx, int fd, volatile sig_atomic_t *stop)
{
	(void)ctx;
	(void)fd;
	(void)stop;
	note_spawn();
	_exit(3);
}

/* A worker that answers every connection with the pool's status page, seen
 * from inside a request to /busy?secret=1 that then counts as slow. */
static void serve_status(void *ctx, int fd, volatile sig_atomic_t *stop)
{
	(void)ctx;
	while (!*stop) {
		int r = pool_wait_readable(fd);
		if (r <= 0)
			continue;
		int c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		pool_request_begin("GET", "/busy?secret=1", 30);
		struct buf b = { 0 };
		pool_status(&b);
		ssize_t w = write(c, b.data, b.len);
		close(c);
		pool_request_end(1500);
		buf_free(&b);
		if (w < 0)
			_exit(4);
	}
}

/* A worker stuck in its first request, deaf to everything but SIGKILL. */
static void serve_stuck(void *ctx, int fd, volatile sig_atomic_t *stop)
{
	(void)ctx;
	(void)fd;
	(void)stop;
	note_spawn();
	pool_request_begin("GET", "/stuck", 1);
	for (;;)
		pause();
}

static int answer_turn(char *out, size_t n)
{
	return snprintf(out, n, "%d\n", pool_take_turn(3600));
}

/* A worker that answers whether pool_take_turn gave it the turn. */
static void serve_turn(void *ctx, int fd, volatile sig_atomic_t *stop)
{
	(void)ctx;
	serve_answers(fd, stop, answer_turn);
}

static int reload_ok(void *ctx)
{
	(void)ctx;
	return 0;
}

static pid_t start_pool(void (*serve)(void *, int, volatile sig_atomic_t *), int workers)
{
	char err[256];
	int fd = pool_listen(sock_path, 0600, NULL, err, sizeof(err));
	assert_true(fd >= 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Quiet: the master's log lines are not under test here. */
		log_set_level(LOG_ERROR);
		struct pool_opts o = {
			.name = "test", .listen_fd = fd, .workers = workers, .drain_timeout = 2
		};
		struct pool_ops ops = { .reload = reload_ok, .serve = serve };
		_exit(pool_run(&o, &ops));
	}
	close(fd);
	return pid;
}

/* Connects and reads the whole answer into out (NUL-terminated). Returns its
 * length, or -1. */
static ssize_t ask(char *out, size_t cap)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	if (c < 0)
		return -1;
	if (connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(c);
		return -1;
	}
	size_t len = 0;
	ssize_t n;
	while (len + 1 < cap && (n = read(c, out + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(c);
	return len > 0 ? (ssize_t)len : -1;
}

/* Connects and returns the pid of the worker that answered, or -1. */
static int ask_pid(void)
{
	char buf[32];
	return ask(buf, sizeof(buf)) > 0 ? atoi(buf) : -1;
}

static int stop_pool(pid_t master)
{
	kill(master, SIGTERM);
	int status = -1;
	for (int i = 0; i < 100; i++) {
		if (waitpid(master, &status, WNOHANG) == master)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		sleep_ms(50);
	}
	kill(master, SIGKILL);
	waitpid(master, &status, 0);
	return -1;
}

static int setup(void **state)
{
	(void)state;
	snprintf(sock_path, sizeof(sock_path), "/tmp/test_pool.%d.sock", (int)getpid());
	snprintf(spawn_log, sizeof(spawn_log), "/tmp/test_pool.%d.spawns", (int)getpid());
	unlink(spawn_log);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(sock_path);
	unlink(spawn_log);
	return 0;
}

static void test_listen_creates_socket_with_requested_mode(void **state)
{
	(void)state;
	char err[256];
	int fd = pool_listen(sock_path, 0640, NULL, err, sizeof(err));
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(stat(sock_path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	close(fd);
}

static void test_listen_refuses_to_replace_a_regular_file(void **state)
{
	(void)state;
	int f = open(sock_path, O_WRONLY | O_CREAT, 0600);
	assert_true(f >= 0);
	close(f);
	char err[256];
	assert_int_equal(pool_listen(sock_path, 0600, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a socket"));
	struct stat st;
	assert_int_equal(stat(sock_path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
}

static int can_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	int rc = c >= 0 ? connect(c, (struct sockaddr *)&sa, sizeof(sa)) : -1;
	if (c >= 0)
		close(c);
	return rc == 0;
}

static void test_listen_refuses_a_path_where_a_pool_listens(void **state)
{
	(void)state;
	char err[256];
	int fd = pool_listen(sock_path, 0600, NULL, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(pool_listen(sock_path, 0600, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a running pool listens there"));
	assert_non_null(strstr(err, sock_path));
	/* The first socket is untouched: still there, still answering. */
	assert_true(can_connect(sock_path));
	close(fd);
}

static void test_listen_replaces_a_socket_nobody_listens_on(void **state)
{
	(void)state;
	char err[256];
	int fd = pool_listen(sock_path, 0600, NULL, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd); /* the pool died: its file stays behind */
	assert_false(can_connect(sock_path));
	fd = pool_listen(sock_path, 0600, NULL, err, sizeof(err));
	assert_true(fd >= 0);
	assert_true(can_connect(sock_path));
	close(fd);
}

static void test_unlisten_removes_only_the_socket_it_made(void **state)
{
	(void)state;
	char err[256];
	int fd = pool_listen(sock_path, 0600, NULL, err, sizeof(err));
	assert_true(fd >= 0);
	/* Another pool's socket now stands at the path. */
	assert_int_equal(unlink(sock_path), 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	int other = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(other >= 0);
	assert_int_equal(bind(other, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(other, 4), 0);
	pool_unlisten(sock_path);
	assert_true(can_connect(sock_path));
	close(other);
	close(fd);
	unlink(sock_path);

	fd = pool_listen(sock_path, 0600, NULL, err, sizeof(err));
	assert_true(fd >= 0);
	pool_unlisten(sock_path);
	struct stat st;
	assert_int_equal(lstat(sock_path, &st), -1);
	close(fd);
}

/*
 * In a child, so that the stop it takes stays there: SIGTERM arrives while a
 * "request" runs (blocked, pending), and the socket is ready when the worker
 * waits again, as under steady load. ppoll alone returns the socket and
 * leaves the signal pending; the worker must take it and stop.
 */
static void test_wait_readable_takes_a_sigterm_that_came_during_a_request(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[256];
		int fd = pool_listen(sock_path, 0600, NULL, err, sizeof(err));
		if (fd < 0 || !can_connect(sock_path)) /* a connection waits: ready */
			_exit(2);
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGTERM);
		sigprocmask(SIG_BLOCK, &s, NULL);
		kill(getpid(), SIGTERM);
		int first = pool_wait_readable(fd);
		_exit(first == 0 ? 0 : 1);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_sleep_ends_at_once_on_a_pending_stop(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGTERM);
		sigprocmask(SIG_BLOCK, &s, NULL);
		if (pool_sleep(1) != 0) /* nothing pending: sleeps, no stop */
			_exit(2);
		kill(getpid(), SIGTERM);
		_exit(pool_sleep(60000) == 1 ? 0 : 1);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_one_worker_of_the_pool_gets_the_turn(void **state)
{
	(void)state;
	pid_t master = start_pool(serve_turn, 3);
	char buf[8];
	int answers = 0, turns = 0;
	for (int i = 0; i < 200 && answers < 12; i++) {
		if (ask(buf, sizeof(buf)) > 0) {
			answers++;
			turns += atoi(buf);
		} else {
			sleep_ms(20);
		}
	}
	assert_int_equal(answers, 12);
	assert_int_equal(turns, 1);
	assert_int_equal(stop_pool(master), 0);
	assert_int_equal(pool_take_turn(1), 0); /* outside a pool: never */
}

static void test_listen_without_path_or_socket_says_what_to_give(void **state)
{
	(void)state;
	char err[256];
	unsetenv("LISTEN_FDS");
	assert_int_equal(pool_listen(NULL, 0600, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--listen"));
}

static void test_workers_answer_and_a_killed_worker_is_replaced(void **state)
{
	(void)state;
	pid_t master = start_pool(serve_pid, 2);
	int victim = -1;
	for (int i = 0; i < 100 && victim <= 0; i++) {
		victim = ask_pid();
		if (victim <= 0)
			sleep_ms(20);
	}
	assert_true(victim > 0);
	assert_int_equal(kill(victim, SIGKILL), 0);
	sleep_ms(300);
	/* The pool is whole again: requests keep being answered, never by the
	 * dead worker, and a third worker pid appears. */
	int spawns_before = count_spawns();
	assert_true(spawns_before >= 3);
	for (int i = 0; i < 20; i++) {
		int p = ask_pid();
		assert_true(p > 0);
		assert_int_not_equal(p, victim);
	}
	assert_int_equal(stop_pool(master), 0);
}

static void test_reload_replaces_every_worker(void **state)
{
	(void)state;
	pid_t master = start_pool(serve_pid, 1);
	int before = -1;
	for (int i = 0; i < 100 && before <= 0; i++) {
		before = ask_pid();
		if (before <= 0)
			sleep_ms(20);
	}
	assert_true(before > 0);
	kill(master, SIGHUP);
	sleep_ms(400);
	int after = ask_pid();
	assert_true(after > 0);
	assert_int_not_equal(after, before);
	/* The old worker has left. */
	assert_int_equal(kill(before, 0), -1);
	assert_int_equal(stop_pool(master), 0);
}

static void test_sigterm_stops_master_and_workers(void **state)
{
	(void)state;
	pid_t master = start_pool(serve_pid, 2);
	int w = -1;
	for (int i = 0; i < 100 && w <= 0; i++) {
		w = ask_pid();
		if (w <= 0)
			sleep_ms(20);
	}
	assert_true(w > 0);
	assert_int_equal(stop_pool(master), 0);
	sleep_ms(100);
	assert_int_equal(kill(w, 0), -1);
}

static void test_crash_loop_backs_off(void **state)
{
	(void)state;
	pid_t master = start_pool(serve_crash, 1);
	sleep_ms(1500);
	int spawns = count_spawns();
	/* Without back-off a fork loop makes thousands in 1.5 s; with
	 * 0.2, 0.4, 0.8 s delays it is a handful. */
	assert_true(spawns >= 2);
	assert_true(spawns <= 8);
	assert_int_equal(stop_pool(master), 0);
}

static void test_status_page_shows_the_workers_and_counts_requests(void **state)
{
	(void)state;
	pid_t master = start_pool(serve_status, 2);
	char page[4096];
	ssize_t n = -1;
	for (int i = 0; i < 100 && n <= 0; i++) {
		n = ask(page, sizeof(page));
		if (n <= 0)
			sleep_ms(20);
	}
	assert_true(n > 0);
	sleep_ms(50);
	assert_true(ask(page, sizeof(page)) > 0);
	assert_non_null(strstr(page, "pool: test\n"));
	char want[64];
	snprintf(want, sizeof(want), "pid: %d\n", (int)master);
	assert_non_null(strstr(page, want));
	assert_non_null(strstr(page, "workers: 2\n"));
	assert_non_null(strstr(page, "generation: 1\n"));
	/* The first request ended (over 1 s: slow) before the second began. */
	assert_non_null(strstr(page, "requests: 1\n"));
	assert_non_null(strstr(page, "slow_requests: 1\n"));
	assert_non_null(strstr(page, "restarts: 0\n"));
	/* The answering worker sees itself busy, with the path but no query. */
	assert_non_null(strstr(page, "state=busy"));
	assert_non_null(strstr(page, "method=GET path=/busy\n"));
	assert_null(strstr(page, "secret"));
	assert_int_equal(stop_pool(master), 0);
}

static void test_status_page_counts_a_restart_after_a_kill(void **state)
{
	(void)state;
	pid_t master = start_pool(serve_status, 1);
	char page[4096];
	ssize_t n = -1;
	for (int i = 0; i < 100 && n <= 0; i++) {
		n = ask(page, sizeof(page));
		if (n <= 0)
			sleep_ms(20);
	}
	assert_true(n > 0);
	/* The answering worker is on its own page from its first request on. */
	char *w = strstr(page, "worker: pid=");
	assert_non_null(w);
	int victim = atoi(w + strlen("worker: pid="));
	assert_int_equal(kill(victim, SIGKILL), 0);
	sleep_ms(300);
	assert_true(ask(page, sizeof(page)) > 0);
	assert_non_null(strstr(page, "restarts: 1\n"));
	assert_non_null(strstr(page, "workers: 1\n"));
	char dead[48];
	snprintf(dead, sizeof(dead), "pid=%d ", victim);
	assert_null(strstr(page, dead));
	assert_int_equal(stop_pool(master), 0);
}

static void test_master_kills_a_worker_stuck_past_its_timeout(void **state)
{
	(void)state;
	pid_t master = start_pool(serve_stuck, 1);
	/* Timeout 1 s, grace POOL_TIMEOUT_GRACE, the master looks every second. */
	for (int i = 0; i < 60 && count_spawns() < 2; i++)
		sleep_ms(100);
	assert_true(count_spawns() >= 2);
	assert_int_equal(stop_pool(master), 0);
}

static void test_request_calls_outside_a_pool_do_nothing(void **state)
{
	(void)state;
	pool_request_begin("GET", "/", 1);
	pool_request_end(5);
	struct buf b = { 0 };
	pool_status(&b);
	assert_string_equal(buf_str(&b), "pool: -\n");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_listen_creates_socket_with_requested_mode,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_refuses_to_replace_a_regular_file,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_listen_without_path_or_socket_says_what_to_give, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_refuses_a_path_where_a_pool_listens,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_replaces_a_socket_nobody_listens_on,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_unlisten_removes_only_the_socket_it_made,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_wait_readable_takes_a_sigterm_that_came_during_a_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sleep_ends_at_once_on_a_pending_stop, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_one_worker_of_the_pool_gets_the_turn, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_workers_answer_and_a_killed_worker_is_replaced,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_replaces_every_worker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigterm_stops_master_and_workers, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_crash_loop_backs_off, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_status_page_shows_the_workers_and_counts_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_page_counts_a_restart_after_a_kill,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_master_kills_a_worker_stuck_past_its_timeout,
		                                setup, teardown),
		cmocka_unit_test(test_request_calls_outside_a_pool_do_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
