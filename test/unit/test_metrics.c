/*
 * Unit tests of lib/metrics.c: what the counters count and how /metrics
 * shows them (text exposition format 0.0.4).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"

static const struct route routes[] = {
	{ "GET", "/reports", NULL, NULL },
	{ "GET", "/reports/{id}", NULL, NULL },
	{ "POST", "/login", NULL, NULL },
	{ "GET", "/a\"b\\c", NULL, NULL },
};
static const size_t nroutes = sizeof(routes) / sizeof(routes[0]);

static struct metrics m;

static int setup(void **state)
{
	(void)state;
	memset(&m, 0, sizeof(m));
	metrics_attach(&m);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	metrics_attach(NULL);
	return 0;
}

/* The exposition of m with a pool of 1 busy and 3 idle workers. */
static char *format(struct buf *out)
{
	struct metrics_pool p = {
		.pool = "portal", .busy = 1, .idle = 3, .restarts = 2, .recycled = 5, .timeouts = 1
	};
	buf_reset(out);
	metrics_format(&m, &p, routes, nroutes, out);
	return (char *)buf_str(out);
}

static void assert_has(const char *text, const char *line)
{
	if (strstr(text, line) == NULL)
		fail_msg("missing line: %s\n--- in ---\n%s", line, text);
}

static void test_requests_are_counted_by_route_method_and_status(void **state)
{
	(void)state;
	struct buf out = { 0 };
	metrics_request(1, 200, 0.002);
	metrics_request(1, 200, 0.003);
	metrics_request(2, 404, 0.001);
	metrics_request(0, 405, 0.001);   /* no route matched */
	metrics_request(1, 299, 0.001);   /* a status without a series of its own */
	metrics_request(999, 200, 0.001); /* past the table: unmatched */
	char *t = format(&out);
	assert_has(t, "# TYPE portal_http_requests_total counter\n");
	assert_has(t,
	           "portal_http_requests_total{pool=\"portal\",route=\"/reports\",method=\"GET\","
	           "status=\"200\"} 2\n");
	assert_has(t, "portal_http_requests_total{pool=\"portal\",route=\"/reports/{id}\","
	              "method=\"GET\",status=\"404\"} 1\n");
	assert_has(t, "portal_http_requests_total{pool=\"portal\",route=\"unmatched\","
	              "method=\"any\",status=\"405\"} 1\n");
	assert_has(t, "portal_http_requests_total{pool=\"portal\",route=\"unmatched\","
	              "method=\"any\",status=\"200\"} 1\n");
	assert_has(t,
	           "portal_http_requests_total{pool=\"portal\",route=\"/reports\",method=\"GET\","
	           "status=\"other\"} 1\n");
	/* Only series that counted something. */
	assert_null(strstr(t, "route=\"/login\""));
	buf_free(&out);
}

static void test_the_histogram_is_cumulative_with_sum_and_count(void **state)
{
	(void)state;
	struct buf out = { 0 };
	metrics_request(3, 303, 0.005); /* on a bound: that bucket */
	metrics_request(3, 303, 0.0051);
	metrics_request(3, 200, 0.3);
	metrics_request(3, 200, 11.0); /* over the last bound: +Inf only */
	char *t = format(&out);
	const char *pre = "portal_http_request_duration_seconds_bucket{pool=\"portal\","
	                  "route=\"/login\",method=\"POST\",le=";
	char line[256];
	static const struct {
		const char *le;
		int n;
	} want[] = { { "0.005", 1 }, { "0.01", 2 }, { "0.25", 2 },
		     { "0.5", 3 },   { "10", 3 },   { "+Inf", 4 } };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(line, sizeof(line), "%s\"%s\"} %d\n", pre, want[i].le, want[i].n);
		assert_has(t, line);
	}
	assert_has(t, "# TYPE portal_http_request_duration_seconds histogram\n");
	assert_has(t, "portal_http_request_duration_seconds_sum{pool=\"portal\",route=\"/login\","
	              "method=\"POST\"} 11.310100\n");
	assert_has(t, "portal_http_request_duration_seconds_count{pool=\"portal\",route=\"/login\","
	              "method=\"POST\"} 4\n");
	buf_free(&out);
}

static void test_label_values_are_escaped(void **state)
{
	(void)state;
	struct buf out = { 0 };
	metrics_request(4, 200, 0.001);
	char *t = format(&out);
	assert_has(t, "route=\"/a\\\"b\\\\c\"");
	buf_free(&out);
}

static void test_sign_ins_lockouts_database_and_workers(void **state)
{
	(void)state;
	struct buf out = { 0 };
	metrics_signin(METRICS_PASSWORD, METRICS_SUCCESS);
	metrics_signin(METRICS_PASSWORD, METRICS_FAILURE);
	metrics_signin(METRICS_PASSWORD, METRICS_FAILURE);
	metrics_signin(METRICS_PASSWORD, METRICS_THROTTLED);
	metrics_signin(METRICS_NEGOTIATE, METRICS_REFUSED);
	metrics_signin(METRICS_METHODS, METRICS_SUCCESS); /* out of range: ignored */
	metrics_db_error();
	metrics_db_reconnect();
	metrics_db_reconnect();
	char *t = format(&out);
	assert_has(t,
	           "portal_signins_total{pool=\"portal\",method=\"password\",outcome=\"success\"} "
	           "1\n");
	assert_has(t,
	           "portal_signins_total{pool=\"portal\",method=\"password\",outcome=\"failure\"} "
	           "2\n");
	assert_has(t,
	           "portal_signins_total{pool=\"portal\",method=\"negotiate\",outcome=\"refused\"} "
	           "1\n");
	assert_has(t, "portal_signins_total{pool=\"portal\",method=\"remote-user\","
	              "outcome=\"success\"} 0\n");
	assert_has(t, "portal_signin_lockouts_total{pool=\"portal\"} 1\n");
	assert_has(t, "portal_db_errors_total{pool=\"portal\"} 1\n");
	assert_has(t, "portal_db_reconnects_total{pool=\"portal\"} 2\n");
	assert_has(t, "portal_workers{pool=\"portal\",state=\"busy\"} 1\n");
	assert_has(t, "portal_workers{pool=\"portal\",state=\"idle\"} 3\n");
	assert_has(t, "portal_worker_restarts_total{pool=\"portal\",reason=\"died\"} 2\n");
	assert_has(t, "portal_worker_restarts_total{pool=\"portal\",reason=\"recycled\"} 5\n");
	assert_has(t, "portal_request_timeouts_total{pool=\"portal\"} 1\n");
	buf_free(&out);
}

/* Every metric has its HELP and TYPE before its first sample, and every
 * line is a comment or "name{labels} value". */
static void test_every_line_is_well_formed(void **state)
{
	(void)state;
	struct buf out = { 0 };
	metrics_request(1, 200, 0.01);
	metrics_signin(METRICS_PASSWORD, METRICS_SUCCESS);
	char *t = format(&out);
	assert_true(out.len > 0 && t[out.len - 1] == '\n');
	for (char *line = t, *end; *line; line = end + 1) {
		end = strchr(line, '\n');
		assert_non_null(end);
		*end = '\0';
		if (line[0] == '#') {
			assert_true(strncmp(line, "# HELP portal_", 14) == 0 ||
			            strncmp(line, "# TYPE portal_", 14) == 0);
		} else {
			char *brace = strchr(line, '{'), *close = strrchr(line, '}');
			assert_non_null(brace);
			assert_non_null(close);
			assert_true(close > brace && close[1] == ' ' && close[2] != '\0');
			*brace = '\0';
			/* the family's TYPE came before (histograms by their base name) */
			char type[160];
			snprintf(type, sizeof(type), "# TYPE %s ", line);
			const char *suffixes[] = { "_bucket", "_sum", "_count" };
			size_t len = strlen(line);
			for (size_t i = 0; i < 3; i++) {
				size_t sl = strlen(suffixes[i]);
				if (len > sl && strcmp(line + len - sl, suffixes[i]) == 0 &&
				    strncmp(line, "portal_http_request_duration_seconds", 36) == 0)
					snprintf(type, sizeof(type), "# TYPE %.*s ",
					         (int)(len - sl), line);
			}
			*brace = '{';
			assert_true(strstr(t, type) != NULL && strstr(t, type) < line);
		}
		*end = '\n';
	}
	buf_free(&out);
}

static void test_without_a_pool_nothing_is_counted(void **state)
{
	(void)state;
	metrics_attach(NULL);
	metrics_request(1, 200, 0.01);
	metrics_signin(METRICS_PASSWORD, METRICS_SUCCESS);
	metrics_db_error();
	assert_int_equal(m.count[1], 0);
	assert_int_equal(m.signins[METRICS_PASSWORD][METRICS_SUCCESS], 0);
	assert_int_equal(m.db_errors, 0);
	struct buf out = { 0 };
	struct metrics_pool none = { .pool = "-" };
	metrics_format(NULL, &none, routes, nroutes, &out);
	assert_non_null(strstr(buf_str(&out), "portal_workers{pool=\"-\",state=\"busy\"} 0\n"));
	assert_null(strstr(buf_str(&out), "portal_http_requests_total{"));
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_requests_are_counted_by_route_method_and_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_histogram_is_cumulative_with_sum_and_count,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_label_values_are_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sign_ins_lockouts_database_and_workers, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_every_line_is_well_formed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_without_a_pool_nothing_is_counted, setup,
		                                teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
