/*
 * Unit tests for lib/status.c: the page made from a scoreboard filled by
 * hand, and a board shared with a forked child.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "status.h"

static void test_page_lists_totals_and_each_live_worker(void **state)
{
	(void)state;
	struct status_board *b = status_board_new(4);
	assert_non_null(b);
	snprintf(b->pool, sizeof(b->pool), "%s", "portal");
	b->master_pid = 100;
	b->generation = 3;
	b->workers = 2;
	b->started = 1000;
	b->served = 42;
	b->slow = 2;
	b->timeouts = 1;
	b->restarts = 5;
	b->recycled = 7;
	b->rows[0] = (struct status_worker){ .pid = 101, .generation = 3, .served = 40 };
	b->rows[2] = (struct status_worker){ .pid = 102,
		                             .generation = 3,
		                             .busy = 1,
		                             .served = 2,
		                             .req_started = 1059.5,
		                             .method = "POST",
		                             .path = "/login" };
	struct buf out = { 0 };
	status_format(b, 1060, &out);
	assert_string_equal(buf_str(&out),
	                    "pool: portal\n"
	                    "pid: 100\n"
	                    "uptime_s: 60\n"
	                    "generation: 3\n"
	                    "workers: 2\n"
	                    "workers_configured: 2\n"
	                    "workers_busy: 1\n"
	                    "requests: 42\n"
	                    "slow_requests: 2\n"
	                    "timeouts: 1\n"
	                    "restarts: 5\n"
	                    "recycled: 7\n"
	                    "worker: pid=101 generation=3 state=idle requests=40\n"
	                    "worker: pid=102 generation=3 state=busy requests=2 request_ms=500 "
	                    "method=POST path=/login\n");
	buf_free(&out);
	status_board_free(b);
}

static void test_board_is_shared_with_a_forked_child(void **state)
{
	(void)state;
	struct status_board *b = status_board_new(1);
	assert_non_null(b);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		b->rows[0].served = 9;
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(b->rows[0].served, 9);
	status_board_free(b);
}

static void test_clock_moves_forward(void **state)
{
	(void)state;
	double a = status_now();
	usleep(2000);
	assert_true(status_now() > a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_lists_totals_and_each_live_worker),
		cmocka_unit_test(test_board_is_shared_with_a_forked_child),
		cmocka_unit_test(test_clock_moves_forward),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
