/*
 * Unit tests for lib/log.c: the line format, escaping, level filtering and
 * truncation, read back through a pipe that log_set_fd points at.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

static int pipe_fd[2];

static int setup(void **state)
{
	(void)state;
	if (pipe(pipe_fd) != 0)
		return -1;
	/* Non-blocking, so "nothing was written" reads as EAGAIN. */
	if (fcntl(pipe_fd[0], F_SETFL, O_NONBLOCK) != 0)
		return -1;
	log_set_fd(pipe_fd[1]);
	log_set_level(LOG_INFO);
	log_set_request(NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	log_set_fd(2);
	log_set_request(NULL);
	close(pipe_fd[0]);
	close(pipe_fd[1]);
	return 0;
}

/* Reads what one log_event wrote; returns its length (-1 when nothing). */
static ssize_t read_line(char *out, size_t n)
{
	ssize_t len = read(pipe_fd[0], out, n - 1);
	if (len >= 0)
		out[len] = '\0';
	return len;
}

static size_t count_char(const char *s, char c)
{
	size_t k = 0;
	for (; *s; s++)
		k += *s == c;
	return k;
}

static void test_log_line_has_level_msg_pid_fields_and_request(void **state)
{
	char got[4096], want[256];
	(void)state;

	log_set_request("3f2a");
	log_info("signed in", "user=%d ip=%s", 42, "10.0.0.7");
	assert_true(read_line(got, sizeof got) > 0);
	snprintf(want, sizeof want,
	         "level=info msg=\"signed in\" pid=%ld user=42 ip=10.0.0.7 req=3f2a\n",
	         (long)getpid());
	assert_string_equal(got, want);
}

static void test_log_line_without_fields_or_request_ends_after_pid(void **state)
{
	char got[4096], want[256];
	(void)state;

	log_warn("disk low", NULL);
	assert_true(read_line(got, sizeof got) > 0);
	snprintf(want, sizeof want, "level=warn msg=\"disk low\" pid=%ld\n", (long)getpid());
	assert_string_equal(got, want);
}

static void test_log_msg_escapes_quotes_and_backslashes(void **state)
{
	char got[4096];
	(void)state;

	log_error("say \"hi\" \\ now", NULL);
	assert_true(read_line(got, sizeof got) > 0);
	assert_non_null(strstr(got, "level=error msg=\"say \\\"hi\\\" \\\\ now\" pid="));
}

static void test_log_fields_cannot_forge_a_second_line(void **state)
{
	char got[4096];
	(void)state;

	log_info("sign-in failed", "user=%s", "bob\nlevel=error msg=\"forged\"\r\x7f");
	assert_true(read_line(got, sizeof got) > 0);
	assert_int_equal(count_char(got, '\n'), 1);
	assert_non_null(strstr(got, "user=bob?level=error msg=\"forged\"??\n"));
}

static void test_log_drops_debug_lines_at_info_level(void **state)
{
	char got[4096];
	(void)state;

	log_debug("noise", "n=%d", 1);
	assert_int_equal(read_line(got, sizeof got), -1);
	assert_int_equal(errno, EAGAIN);

	log_set_level(LOG_DEBUG);
	assert_int_equal(log_get_level(), LOG_DEBUG);
	log_debug("noise", "n=%d", 2);
	assert_true(read_line(got, sizeof got) > 0);
	assert_memory_equal(got, "level=debug msg=\"noise\"", 23);
}

static void test_log_drops_info_and_warn_at_error_level(void **state)
{
	char got[4096];
	(void)state;

	log_set_level(LOG_ERROR);
	log_info("a", NULL);
	log_warn("b", NULL);
	assert_int_equal(read_line(got, sizeof got), -1);
	log_error("c", NULL);
	assert_true(read_line(got, sizeof got) > 0);
	assert_int_equal(count_char(got, '\n'), 1);
}

static void test_log_cuts_a_long_line_at_2k_keeping_request_and_newline(void **state)
{
	char big[5000], got[8192];
	ssize_t len;
	(void)state;

	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	log_set_request("ab12");
	log_info("long", "v=%s", big);
	len = read_line(got, sizeof got);
	assert_true(len > 1000);
	assert_true(len <= 2048);
	assert_int_equal(count_char(got, '\n'), 1);
	assert_string_equal(got + len - 16, "aaa... req=ab12\n");
}

static void test_log_cut_line_without_request_ends_with_dots_and_newline(void **state)
{
	char big[3000], got[8192];
	ssize_t len;
	(void)state;

	memset(big, 'b', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	log_info("long", "v=%s", big);
	len = read_line(got, sizeof got);
	assert_true(len > 1000 && len <= 2048);
	assert_string_equal(got + len - 5, "b...\n");
}

static void test_log_cut_never_splits_a_utf8_character(void **state)
{
	char big[4001], got[8192];
	(void)state;

	/* "é" is C3 A9; with an odd prefix a blind cut would land inside it
	 * at one of the two parities tried here. */
	for (int odd = 0; odd < 2; odd++) {
		size_t k = 0;
		if (odd)
			big[k++] = 'x';
		while (k + 2 < sizeof big) {
			big[k++] = (char)0xc3;
			big[k++] = (char)0xa9;
		}
		big[k] = '\0';
		log_info("utf8", "v=%s", big);
		assert_true(read_line(got, sizeof got) > 0);
		char *dots = strstr(got, "...");
		assert_non_null(dots);
		assert_int_equal((unsigned char)dots[-2], 0xc3);
		assert_int_equal((unsigned char)dots[-1], 0xa9);
	}
}

static void test_log_request_id_is_cut_to_16_bytes_and_sanitised(void **state)
{
	char got[4096];
	(void)state;

	log_set_request("abc def=1234567890xyz");
	log_info("x", NULL);
	assert_true(read_line(got, sizeof got) > 0);
	assert_non_null(strstr(got, " req=abc?def?12345678\n"));

	log_set_request(NULL);
	log_info("x", NULL);
	assert_true(read_line(got, sizeof got) > 0);
	assert_null(strstr(got, "req="));
}

static void test_log_event_preserves_errno(void **state)
{
	char got[4096];
	(void)state;

	errno = ENOSPC;
	log_info("x", "e=%d", 1);
	assert_int_equal(errno, ENOSPC);
	assert_true(read_line(got, sizeof got) > 0);
}

static void test_log_parse_level_accepts_the_four_names_in_any_case(void **state)
{
	enum log_level l = LOG_INFO;
	(void)state;

	assert_int_equal(log_parse_level("debug", &l), 0);
	assert_int_equal(l, LOG_DEBUG);
	assert_int_equal(log_parse_level("info", &l), 0);
	assert_int_equal(l, LOG_INFO);
	assert_int_equal(log_parse_level("WARN", &l), 0);
	assert_int_equal(l, LOG_WARN);
	assert_int_equal(log_parse_level("error", &l), 0);
	assert_int_equal(l, LOG_ERROR);
}

static void test_log_parse_level_rejects_unknown_names(void **state)
{
	enum log_level l = LOG_WARN;
	(void)state;

	assert_int_equal(log_parse_level("warning", &l), -1);
	assert_int_equal(log_parse_level("", &l), -1);
	assert_int_equal(log_parse_level("info ", &l), -1);
	assert_int_equal(log_parse_level(NULL, &l), -1);
	assert_int_equal(l, LOG_WARN);
}

static void test_log_quote_escapes_quotes_backslashes_and_controls(void **state)
{
	char q[64];
	(void)state;

	assert_ptr_equal(log_quote(q, sizeof q, "a\"b\\c\nd\te"), q);
	assert_string_equal(q, "\"a\\\"b\\\\c?d?e\"");
}

static void test_log_quote_keeps_a_value_that_exactly_fits(void **state)
{
	char q[8];
	(void)state;

	assert_string_equal(log_quote(q, sizeof q, "abcde"), "\"abcde\"");
}

static void test_log_quote_cuts_a_long_value_with_dots_inside_the_quotes(void **state)
{
	char q[10];
	(void)state;

	assert_string_equal(log_quote(q, sizeof q, "abcdefghijkl"), "\"abcd...\"");
	assert_string_equal(log_quote(q, sizeof q, "abcdef"), "\"abcdef\"");
	assert_string_equal(log_quote(q, sizeof q, "abcdefgh"), "\"abcd...\"");
}

static void test_log_quote_never_splits_an_escape_or_utf8_character(void **state)
{
	char q[8];
	(void)state;

	assert_string_equal(log_quote(q, sizeof q, "a\"bcdefgh"), "\"a...\"");
	assert_string_equal(log_quote(q, sizeof q,
	                              "a\xc3\xa9"
	                              "bcdefg"),
	                    "\"a...\"");
	assert_string_equal(log_quote(q, sizeof q,
	                              "\xc3\xa9"
	                              "bcdefg"),
	                    "\"\xc3\xa9...\"");
}

static void test_log_quote_handles_null_and_tiny_buffers(void **state)
{
	char q[8];
	(void)state;

	assert_string_equal(log_quote(q, sizeof q, NULL), "\"\"");
	assert_string_equal(log_quote(q, 0, "abc"), "");
	assert_string_equal(log_quote(q, 2, "abc"), "");
	assert_string_equal(log_quote(q, 3, "abc"), "\"\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_log_line_has_level_msg_pid_fields_and_request,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_log_line_without_fields_or_request_ends_after_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_msg_escapes_quotes_and_backslashes, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_log_fields_cannot_forge_a_second_line, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_log_drops_debug_lines_at_info_level, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_log_drops_info_and_warn_at_error_level, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(
		    test_log_cuts_a_long_line_at_2k_keeping_request_and_newline, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_log_cut_line_without_request_ends_with_dots_and_newline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_cut_never_splits_a_utf8_character, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(
		    test_log_request_id_is_cut_to_16_bytes_and_sanitised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_event_preserves_errno, setup, teardown),
		cmocka_unit_test(test_log_parse_level_accepts_the_four_names_in_any_case),
		cmocka_unit_test(test_log_parse_level_rejects_unknown_names),
		cmocka_unit_test(test_log_quote_escapes_quotes_backslashes_and_controls),
		cmocka_unit_test(test_log_quote_keeps_a_value_that_exactly_fits),
		cmocka_unit_test(test_log_quote_cuts_a_long_value_with_dots_inside_the_quotes),
		cmocka_unit_test(test_log_quote_never_splits_an_escape_or_utf8_character),
		cmocka_unit_test(test_log_quote_handles_null_and_tiny_buffers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
