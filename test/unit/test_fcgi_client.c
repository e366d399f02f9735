/*
 * Unit tests for lib/fcgi_client.c and portalctl status (lib/status.c): a real
 * pool whose worker speaks FastCGI through libfcgi on a real unix socket.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <fcgiapp.h>

#include "fcgi_client.h"
#include "log.h"
#include "pool.h"
#include "status.h"

static char sock_path[108];
static pid_t master;

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* /status: 200 and the pool's page; /teapot: 418 and the params it got;
 * anything else 404, as the admin pool answers /status. */
static void serve_fcgi(void *ctx, int fd, volatile sig_atomic_t *stop)
{
	(void)ctx;
	if (FCGX_Init() != 0)
		return;
	FCGX_Request fr;
	FCGX_InitRequest(&fr, fd, 0);
	while (!*stop) {
		if (pool_wait_readable(fd) <= 0)
			continue;
		if (FCGX_Accept_r(&fr) < 0)
			continue;
		const char *uri = FCGX_GetParam("REQUEST_URI", fr.envp);
		const char *method = FCGX_GetParam("REQUEST_METHOD", fr.envp);
		if (uri && strcmp(uri, "/status") == 0) {
			struct buf b = { 0 };
			pool_status(&b);
			FCGX_FPrintF(fr.out, "Content-Type: text/plain\r\n\r\n%s", buf_str(&b));
			buf_free(&b);
		} else if (uri && strcmp(uri, "/teapot") == 0) {
			FCGX_FPrintF(fr.out,
			             "Status: 418 I'm a teapot\r\nContent-Type: text/plain\r\n\r\n"
			             "method=%s uri=%s remote=%s\n",
			             method ? method : "", uri,
			             FCGX_GetParam("REMOTE_ADDR", fr.envp) ? "set" : "none");
		} else if (uri && strcmp(uri, "/empty-status") == 0) {
			FCGX_FPrintF(fr.out, "Status:\r\n\r\n404 in the body\n");
		} else if (uri && strcmp(uri, "/signed-status") == 0) {
			FCGX_FPrintF(fr.out, "Status: +404\r\n\r\nno\n");
		} else if (uri && strcmp(uri, "/lf-headers") == 0) {
			FCGX_FPrintF(fr.out,
			             "Content-Type: text/plain\n\nStatus: 500\r\n\r\nbody\n");
		} else {
			FCGX_FPrintF(fr.out, "Status: 404 Not Found\r\n\r\nno\n");
		}
		FCGX_Finish_r(&fr);
	}
}

static int reload_ok(void *ctx)
{
	(void)ctx;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	snprintf(sock_path, sizeof(sock_path), "/tmp/test_fcgi_client.%d.sock", (int)getpid());
	char err[256];
	int fd = pool_listen(sock_path, 0600, NULL, err, sizeof(err));
	if (fd < 0)
		return -1;
	master = fork();
	if (master < 0)
		return -1;
	if (master == 0) {
		log_set_level(LOG_ERROR);
		struct pool_opts o = {
			.name = "fcgitest", .listen_fd = fd, .workers = 1, .drain_timeout = 2
		};
		struct pool_ops ops = { .reload = reload_ok, .serve = serve_fcgi };
		_exit(pool_run(&o, &ops));
	}
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kill(master, SIGTERM);
	int status;
	waitpid(master, &status, 0);
	unlink(sock_path);
	return 0;
}

static void test_client_gets_status_and_body_of_a_page(void **state)
{
	(void)state;
	struct buf body = { 0 };
	char err[256] = "";
	int status = 0, rc = -1;
	for (int i = 0; i < 100 && rc < 0; i++) {
		rc = fcgi_client_get(sock_path, "/teapot", 2000, &status, &body, err, sizeof(err));
		if (rc < 0)
			sleep_ms(20);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(status, 418);
	/* A GET with the path, and no client address: it came over the socket. */
	assert_string_equal(buf_str(&body), "method=GET uri=/teapot remote=none\n");
	buf_free(&body);
}

static void test_client_defaults_to_200_without_a_status_header(void **state)
{
	(void)state;
	struct buf body = { 0 };
	char err[256] = "";
	int status = 0, rc = -1;
	for (int i = 0; i < 100 && rc < 0; i++) {
		rc = fcgi_client_get(sock_path, "/status", 2000, &status, &body, err, sizeof(err));
		if (rc < 0)
			sleep_ms(20);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(status, 200);
	assert_non_null(strstr(buf_str(&body), "pool: fcgitest\n"));
	buf_free(&body);
}

/* Found by test/fuzz/fuzz_fcgi_client: an empty Status header took its
 * number from the body (strtol skips line breaks), and headers ended with
 * LF alone ran on to a CRLF CRLF in the body, where a "Status:" counted. */
static void test_client_reads_the_status_only_from_its_header_line(void **state)
{
	(void)state;
	struct buf body = { 0 };
	char err[256] = "";
	int status = 0;
	assert_int_equal(
	    fcgi_client_get(sock_path, "/empty-status", 2000, &status, &body, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "malformed Status header");
	assert_int_equal(
	    fcgi_client_get(sock_path, "/signed-status", 2000, &status, &body, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "malformed Status header");
	assert_int_equal(
	    fcgi_client_get(sock_path, "/lf-headers", 2000, &status, &body, err, sizeof(err)), 0);
	assert_int_equal(status, 200);
	assert_string_equal(buf_str(&body), "Status: 500\r\n\r\nbody\n");
	buf_free(&body);
}

static void test_client_says_when_nobody_listens(void **state)
{
	(void)state;
	struct buf body = { 0 };
	char err[256] = "";
	int status = 0;
	assert_int_equal(fcgi_client_get("/tmp/no-such-socket-here.sock", "/status", 500, &status,
	                                 &body, err, sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "connect"));
	buf_free(&body);
}

static void test_status_command_prints_each_pool_page(void **state)
{
	(void)state;
	char *argv[] = { "status", "--socket", sock_path, NULL };
	char *text = NULL, *errtext = NULL;
	size_t len = 0, errlen = 0;
	int rc = -1;
	for (int i = 0; i < 100 && rc != 0; i++) {
		FILE *out = open_memstream(&text, &len);
		FILE *err = open_memstream(&errtext, &errlen);
		rc = status_command(3, argv, out, err);
		fclose(out);
		fclose(err);
		if (rc != 0) {
			free(text);
			free(errtext);
			text = errtext = NULL;
			sleep_ms(20);
		}
	}
	assert_int_equal(rc, 0);
	assert_non_null(strstr(text, "== "));
	assert_non_null(strstr(text, sock_path));
	assert_non_null(strstr(text, "pool: fcgitest\n"));
	assert_non_null(strstr(text, "workers: 1\n"));
	free(text);
	free(errtext);
}

static void test_status_command_fails_for_a_missing_pool(void **state)
{
	(void)state;
	char *argv[] = { "status", "--socket", "/tmp/no-such-socket-here.sock", NULL };
	char *text = NULL, *errtext = NULL;
	size_t len = 0, errlen = 0;
	FILE *out = open_memstream(&text, &len);
	FILE *err = open_memstream(&errtext, &errlen);
	assert_int_equal(status_command(3, argv, out, err), 1);
	fclose(out);
	fclose(err);
	assert_non_null(strstr(errtext, "/tmp/no-such-socket-here.sock"));
	free(text);
	free(errtext);
}

static void test_status_command_refuses_unknown_options(void **state)
{
	(void)state;
	char *argv[] = { "status", "--bogus", NULL };
	FILE *devnull = fopen("/dev/null", "w");
	assert_non_null(devnull);
	assert_int_equal(status_command(2, argv, devnull, devnull), 2);
	fclose(devnull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_gets_status_and_body_of_a_page),
		cmocka_unit_test(test_client_defaults_to_200_without_a_status_header),
		cmocka_unit_test(test_client_reads_the_status_only_from_its_header_line),
		cmocka_unit_test(test_client_says_when_nobody_listens),
		cmocka_unit_test(test_status_command_prints_each_pool_page),
		cmocka_unit_test(test_status_command_fails_for_a_missing_pool),
		cmocka_unit_test(test_status_command_refuses_unknown_options),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
