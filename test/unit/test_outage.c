/*
 * Unit tests for lib/outage.c: the lines an outage writes, read back through
 * a pipe that log_set_fd points at, within one process and across a fork
 * (the pool's workers share the state).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "outage.h"

static int pipe_fd[2];
static char logbuf[65536];

static int setup(void **state)
{
	(void)state;
	if (pipe(pipe_fd) != 0 || fcntl(pipe_fd[0], F_SETFL, O_NONBLOCK) != 0)
		return -1;
	log_set_fd(pipe_fd[1]);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	outage_ended();
	log_set_fd(2);
	outage_unshare();
	close(pipe_fd[0]);
	close(pipe_fd[1]);
	return 0;
}

/* Everything logged since the last call. */
static const char *drain(void)
{
	ssize_t n = read(pipe_fd[0], logbuf, sizeof(logbuf) - 1);
	logbuf[n > 0 ? n : 0] = '\0';
	return logbuf;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static void test_an_outage_is_logged_once_with_its_error_however_many_fail(void **state)
{
	(void)state;
	for (int i = 0; i < 1000; i++)
		outage_failed("connect", "connection refused");
	const char *log = drain();
	assert_int_equal(count(log, "msg=\"database unavailable\""), 1);
	assert_non_null(strstr(log, "during=connect error=\"connection refused\""));
	assert_int_equal(count(log, "\n"), 1);
	assert_true(outage_active());
}

static void test_its_end_is_logged_once_with_the_count(void **state)
{
	(void)state;
	for (int i = 0; i < 7; i++)
		outage_failed("connect", "connection refused");
	drain();
	outage_ended();
	outage_ended();
	const char *log = drain();
	assert_int_equal(count(log, "msg=\"database available again\""), 1);
	assert_non_null(strstr(log, "failures=7"));
	assert_false(outage_active());
}

static void test_a_connection_without_an_outage_logs_nothing(void **state)
{
	(void)state;
	outage_ended();
	assert_string_equal(drain(), "");
}

static void test_while_it_lasts_a_count_at_most_once_a_second(void **state)
{
	(void)state;
	outage_failed("connect", "x");
	for (int i = 0; i < 50; i++)
		outage_failed("connect", "x");
	drain();
	/* Nothing more within the second, then one line with the count. */
	sleep_ms(1050);
	for (int i = 0; i < 50; i++)
		outage_failed("session_check", "x");
	const char *log = drain();
	assert_int_equal(count(log, "msg=\"database still unavailable\""), 1);
	assert_non_null(strstr(log, "failures=52"));
}

static void test_shared_state_makes_one_account_for_every_process(void **state)
{
	(void)state;
	assert_int_equal(outage_share(), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		outage_failed("connect", "refused in the child");
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(outage_active());
	outage_failed("connect", "refused in the parent");
	const char *log = drain();
	assert_int_equal(count(log, "msg=\"database unavailable\""), 1);
	assert_non_null(strstr(log, "refused in the child"));
	outage_ended();
	assert_int_equal(count(drain(), "failures=2"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_an_outage_is_logged_once_with_its_error_however_many_fail, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_its_end_is_logged_once_with_the_count, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_a_connection_without_an_outage_logs_nothing,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_while_it_lasts_a_count_at_most_once_a_second,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_shared_state_makes_one_account_for_every_process, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
