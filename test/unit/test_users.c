/*
 * Unit tests for lib/users.c without a database: the arguments of
 * `portalctl user`, the value checks, the policy texts, reading a password
 * from a pipe and (on a pseudo-terminal) without echo, and the table.
 * The SQL itself is tested through build/portalctl by test/cli/run.
 */
#define _GNU_SOURCE /* ptsname_r */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"
#include "outage.h"
#include "req.h"
#include "users.h"

static char err[512];

/* Parses a NULL-terminated list of arguments. */
static int parse(struct users_args *a, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	va_start(ap, a);
	for (char *s = va_arg(ap, char *); s != NULL && argc < 31; s = va_arg(ap, char *))
		argv[argc++] = s;
	va_end(ap);
	argv[argc] = NULL;
	err[0] = '\0';
	return users_parse_args(argc, argv, a, err, sizeof err);
}

/* ---- arguments ---- */

/* The line the import and the directory sync print for a provisioning. */
static void test_a_provisioning_is_described_in_one_line(void **state)
{
	(void)state;
	struct users_new u = { .username = "jan", .email = "jan@ced.nl", .display_name = "" };
	struct users_outcome o = { .created = 1 };
	struct buf out = { 0 };

	users_describe_provision(&out, &u, &o);
	assert_string_equal(buf_str(&out), "create user \"jan\" (jan@ced.nl, \"jan\")\n");

	buf_reset(&out);
	o = (struct users_outcome){ .updated = 1 };
	snprintf(o.email, sizeof o.email, "%s", "j@old.nl");
	snprintf(o.display_name, sizeof o.display_name, "%s", "Jan");
	users_describe_provision(&out, &u, &o); /* no name given: the stored one stays */
	assert_string_equal(buf_str(&out), "update user \"jan\": email j@old.nl -> jan@ced.nl\n");

	buf_reset(&out);
	u.display_name = "Jan de Vries";
	snprintf(o.email, sizeof o.email, "%s", "jan@ced.nl");
	users_describe_provision(&out, &u, &o);
	assert_string_equal(buf_str(&out),
	                    "update user \"jan\": name \"Jan\" -> \"Jan de Vries\"\n");

	buf_reset(&out);
	o = (struct users_outcome){ .id = 7 }; /* unchanged */
	users_describe_provision(&out, &u, &o);
	assert_string_equal(buf_str(&out), "");
	buf_free(&out);
}

static void test_add_takes_every_option_in_either_form(void **state)
{
	struct users_args a;
	(void)state;

	assert_int_equal(parse(&a, "add", "bram", "--email", "b@ced.example", "--name=Bram J",
	                       "--superuser", "--password-stdin", NULL),
	                 0);
	assert_int_equal(a.cmd, USERS_ADD);
	assert_string_equal(a.name, "bram");
	assert_string_equal(a.email, "b@ced.example");
	assert_string_equal(a.display_name, "Bram J");
	assert_true(a.superuser);
	assert_true(a.password_stdin);
}

static void test_add_takes_the_name_after_the_options(void **state)
{
	struct users_args a;
	(void)state;

	assert_int_equal(parse(&a, "add", "--email=c@ced.example", "carla", NULL), 0);
	assert_string_equal(a.name, "carla");
	assert_string_equal(a.email, "c@ced.example");
	assert_null(a.display_name);
	assert_false(a.superuser);
	assert_false(a.password_stdin);
}

static void test_add_without_email_is_a_usage_error(void **state)
{
	struct users_args a;
	(void)state;

	assert_int_equal(parse(&a, "add", "bram", NULL), -1);
	assert_string_equal(err, "add: missing --email");
}

static void test_an_option_without_its_value_is_named(void **state)
{
	struct users_args a;
	(void)state;

	assert_int_equal(parse(&a, "add", "bram", "--email", NULL), -1);
	assert_string_equal(err, "add: --email needs a value");
}

static void test_an_option_given_twice_is_refused(void **state)
{
	struct users_args a;
	(void)state;

	assert_int_equal(parse(&a, "add", "bram", "--email=a@b.nl", "--email", "c@d.nl", NULL), -1);
	assert_string_equal(err, "add: --email given twice");
}

static void test_an_unknown_option_is_named(void **state)
{
	struct users_args a;
	(void)state;

	assert_int_equal(parse(&a, "unlock", "bram", "--superuser", NULL), -1);
	assert_string_equal(err, "unlock: unknown option \"--superuser\"");
	/* --emailx is not --email with a value glued on. */
	assert_int_equal(parse(&a, "add", "bram", "--emailx=a@b.nl", NULL), -1);
	assert_string_equal(err, "add: unknown option \"--emailx=a@b.nl\"");
}

static void test_an_unknown_subcommand_is_named(void **state)
{
	struct users_args a;
	(void)state;

	assert_int_equal(parse(&a, "remove", "bram", NULL), -1);
	assert_string_equal(err, "remove: unknown subcommand");
}

static void test_a_second_name_is_an_unexpected_argument(void **state)
{
	struct users_args a;
	(void)state;

	assert_int_equal(parse(&a, "deactivate", "bram", "carla", NULL), -1);
	assert_string_equal(err, "deactivate: unexpected argument \"carla\"");
}

static void test_commands_on_a_user_need_its_name(void **state)
{
	static const char *const subs[] = { "passwd", "unlock", "expire", "deactivate",
		                            "activate" };
	struct users_args a;
	char want[64];
	(void)state;

	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		assert_int_equal(parse(&a, subs[i], NULL), -1);
		snprintf(want, sizeof want, "%s: missing user name", subs[i]);
		assert_string_equal(err, want);
	}
	assert_int_equal(parse(&a, "expire", "carla", NULL), 0);
	assert_int_equal(a.cmd, USERS_EXPIRE);
	assert_string_equal(a.name, "carla");
	assert_int_equal(parse(&a, "activate", "dirk", NULL), 0);
	assert_int_equal(a.cmd, USERS_ACTIVATE);
	assert_string_equal(a.name, "dirk");
}

static void test_list_takes_no_name_and_accepts_all(void **state)
{
	struct users_args a;
	(void)state;

	assert_int_equal(parse(&a, "list", NULL), 0);
	assert_int_equal(a.cmd, USERS_LIST);
	assert_null(a.name);
	assert_int_equal(parse(&a, "list", "--all", NULL), 0);
	assert_int_equal(parse(&a, "list", "anna", NULL), -1);
	assert_string_equal(err, "list: unexpected argument \"anna\"");
}

static void test_help_wins_anywhere(void **state)
{
	struct users_args a;
	(void)state;

	assert_int_equal(parse(&a, "--help", NULL), 0);
	assert_int_equal(a.cmd, USERS_HELP);
	assert_int_equal(parse(&a, "add", "-h", NULL), 0);
	assert_int_equal(a.cmd, USERS_HELP);
	assert_int_equal(parse(&a, "help", NULL), 0);
	assert_int_equal(a.cmd, USERS_HELP);
}

static void test_double_dash_lets_a_name_start_with_a_dash(void **state)
{
	struct users_args a;
	(void)state;

	assert_int_equal(parse(&a, "unlock", "--", "-odd", NULL), 0);
	assert_string_equal(a.name, "-odd");
	assert_int_equal(parse(&a, "unlock", "-odd", NULL), -1);
}

/* ---- values ---- */

static void test_username_rules_follow_the_table(void **state)
{
	char name[2 * 65 + 1];
	(void)state;

	assert_int_equal(users_check_username("bram", err, sizeof err), 0);
	assert_int_equal(users_check_username("", err, sizeof err), -1);
	assert_string_equal(err, "user name is empty");
	assert_int_equal(users_check_username("a b", err, sizeof err), -1);
	assert_non_null(strstr(err, "\"a b\""));
	assert_int_equal(users_check_username("a\tb", err, sizeof err), -1);
	assert_int_equal(users_check_username("a\xff", err, sizeof err), -1);
	assert_string_equal(err, "user name is not valid UTF-8");
	/* 64 characters of two bytes each fit: the limit is in characters. */
	for (int i = 0; i < 64; i++)
		memcpy(name + 2 * i, "\xc3\xa9", 2);
	name[128] = '\0';
	assert_int_equal(users_check_username(name, err, sizeof err), 0);
	memcpy(name + 128, "\xc3\xa9", 3);
	assert_int_equal(users_check_username(name, err, sizeof err), -1);
	assert_non_null(strstr(err, "longer than 64 characters"));
}

static void test_email_rules_follow_the_table(void **state)
{
	static const char *const good[] = { "a@b.nl", "anna.devries@ced.example", "x@b.c.",
		                            "\xc3\xa9@voorbeeld.nl" };
	static const char *const bad[] = { "ab.nl", "@b.nl",    "a@b",      "a@.nl",
		                           "a@b.",  "a@b@c.nl", "a b@c.nl", "a@b.nl " };
	char want[128];
	(void)state;

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_int_equal(users_check_email(good[i], err, sizeof err), 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(users_check_email(bad[i], err, sizeof err), -1);
		snprintf(want, sizeof want, "invalid email address \"%s\"", bad[i]);
		assert_string_equal(err, want);
	}
	/* A control character is not echoed to the terminal. */
	assert_int_equal(users_check_email("a\x1b[2J@b.nl", err, sizeof err), -1);
	assert_null(strchr(err, '\x1b'));
}

static void test_display_name_rules_follow_the_table(void **state)
{
	char longname[202];
	(void)state;

	assert_int_equal(users_check_display_name("Financi\xc3\xabn", err, sizeof err), 0);
	assert_int_equal(users_check_display_name("  \t", err, sizeof err), -1);
	assert_string_equal(err, "name is blank");
	assert_int_equal(users_check_display_name("a\nb", err, sizeof err), -1);
	memset(longname, 'x', 201);
	longname[201] = '\0';
	assert_int_equal(users_check_display_name(longname, err, sizeof err), -1);
	longname[200] = '\0';
	assert_int_equal(users_check_display_name(longname, err, sizeof err), 0);
}

/* Found by test/fuzz/fuzz_csv: a message quoting the value sent a carriage
 * return or an escape sequence from an import file to the terminal. */
static void test_no_value_check_echoes_a_control_character(void **state)
{
	char value[251];
	(void)state;

	assert_int_equal(users_check_username("\r", err, sizeof err), -1);
	assert_null(strchr(err, '\r'));
	assert_int_equal(users_check_username("a\x1b[2Jb", err, sizeof err), -1);
	assert_null(strchr(err, '\x1b'));
	/* Too long and a control character: still not echoed. */
	memset(value, 'x', sizeof value - 1);
	value[sizeof value - 1] = '\0';
	memcpy(value + 10, "\x1b[2J", 4);
	assert_int_equal(users_check_username(value, err, sizeof err), -1);
	assert_null(strchr(err, '\x1b'));
	assert_int_equal(users_check_display_name(value, err, sizeof err), -1);
	assert_null(strchr(err, '\x1b'));
}

/* Issue 11, item 9: a user could be named, or display as, another. The
 * message names the field and the character, never the character itself. */
static void test_value_checks_refuse_invisible_and_bidi_characters(void **state)
{
	(void)state;

	assert_int_equal(users_check_username("dirk\xe2\x80\x8b", err, sizeof err), -1);
	assert_string_equal(err, "invalid user name: it contains an invisible or bidirectional "
	                         "formatting character (U+200B)");
	/* clang-format off */ /* split after each \x escape, as written */
	assert_int_equal(users_check_display_name("Dirk \xe2\x80\xae" "kuB", err, sizeof err), -1);
	/* clang-format on */
	assert_string_equal(err, "invalid name: it contains an invisible or bidirectional "
	                         "formatting character (U+202E)");
	assert_int_equal(users_check_display_name("Dirk\xc2\x85", err, sizeof err), -1);
	assert_string_equal(err, "invalid name: it contains a control character (U+0085)");
	assert_int_equal(users_check_email("dirk\xef\xbb\xbf@ced.example", err, sizeof err), -1);
	assert_null(strstr(err, "\xef\xbb\xbf"));
	assert_int_equal(users_check_display_name("Dirk van Dijk", err, sizeof err), 0);
}

/* "x" and then n e-diaeresis (2 bytes each), and tail. */
static const char *x_and_e(char *out, size_t outlen, int n, const char *tail)
{
	size_t w = 0;
	out[w++] = 'x';
	for (int i = 0; i < n && w + 2 < outlen; i++, w += 2)
		memcpy(out + w, "\xc3\xab", 2);
	snprintf(out + w, outlen - w, "%s", tail);
	return out;
}

/* Found by test/fuzz/fuzz_csv: "%.64s" cut a long value in the middle of a
 * character, and the terminal got a broken one. */
static void test_a_long_value_is_quoted_without_splitting_a_character(void **state)
{
	char value[1024];
	(void)state;

	assert_int_equal(
	    users_check_username(x_and_e(value, sizeof value, 64, ""), err, sizeof err), -1);
	assert_non_null(strstr(err, "longer than 64 characters"));
	assert_true(utf8_count(err, strlen(err)) >= 0);
	assert_int_equal(
	    users_check_email(x_and_e(value, sizeof value, 254, "@b.nl"), err, sizeof err), -1);
	assert_non_null(strstr(err, "longer than 254 characters"));
	assert_true(utf8_count(err, strlen(err)) >= 0);
	assert_int_equal(
	    users_check_display_name(x_and_e(value, sizeof value, 200, ""), err, sizeof err), -1);
	assert_non_null(strstr(err, "longer than 200 characters"));
	assert_true(utf8_count(err, strlen(err)) >= 0);
}

static void test_check_new_names_the_bad_value(void **state)
{
	struct users_args a;
	(void)state;

	assert_int_equal(parse(&a, "add", "bram", "--email", "bram-at-ced", NULL), 0);
	assert_int_equal(users_check_new(&a, err, sizeof err), -1);
	assert_string_equal(err, "invalid email address \"bram-at-ced\"");
	assert_int_equal(parse(&a, "add", "bram", "--email", "b@ced.nl", "--name", " ", NULL), 0);
	assert_int_equal(users_check_new(&a, err, sizeof err), -1);
	assert_string_equal(err, "name is blank");
	assert_int_equal(parse(&a, "add", "bram", "--email", "b@ced.nl", NULL), 0);
	assert_int_equal(users_check_new(&a, err, sizeof err), 0);
}

static void test_policy_results_read_as_english(void **state)
{
	(void)state;

	assert_string_equal(users_policy_text(AUTH_POLICY_OK), "");
	assert_string_equal(users_policy_text(AUTH_POLICY_TOO_SHORT), "shorter than 12 characters");
	assert_string_equal(users_policy_text(AUTH_POLICY_TOO_LONG), "longer than 256 characters");
	assert_string_equal(users_policy_text(AUTH_POLICY_NOT_UTF8), "not valid UTF-8");
	assert_non_null(strstr(users_policy_text(AUTH_POLICY_HAS_USERNAME), "user name"));
	assert_non_null(strstr(users_policy_text(AUTH_POLICY_COMMON), "common"));
	assert_string_equal(users_policy_text(auth_check_policy("kort", "bram")),
	                    "shorter than 12 characters");
}

/* ---- passwords from a pipe ---- */

/* The read end of a pipe that holds len bytes of data and then ends. */
static int pipe_with(const char *data, size_t len)
{
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], data, len), (ssize_t)len);
	close(fds[1]);
	return fds[0];
}

static void test_a_piped_password_loses_only_its_newline(void **state)
{
	static const char in[] = " spaces and cr \r\n";
	char pw[USERS_PASSWORD_MAX + 1];
	int fd = pipe_with(in, sizeof in - 1);
	(void)state;

	assert_int_equal(users_read_password(fd, pw, sizeof pw, err, sizeof err), 16);
	assert_string_equal(pw, " spaces and cr \r");
	close(fd);
}

static void test_only_the_first_line_is_read(void **state)
{
	static const char in[] = "first-password-1\nsecond line\n";
	char pw[USERS_PASSWORD_MAX + 1], rest[32];
	int fd = pipe_with(in, sizeof in - 1);
	(void)state;

	assert_int_equal(users_read_password(fd, pw, sizeof pw, err, sizeof err), 16);
	assert_string_equal(pw, "first-password-1");
	assert_int_equal(read(fd, rest, sizeof rest), 12);
	assert_memory_equal(rest, "second line\n", 12);
	close(fd);
}

static void test_a_last_line_without_newline_counts(void **state)
{
	char pw[USERS_PASSWORD_MAX + 1];
	int fd = pipe_with("no-newline-at-all", 17);
	(void)state;

	assert_int_equal(users_read_password(fd, pw, sizeof pw, err, sizeof err), 17);
	assert_string_equal(pw, "no-newline-at-all");
	close(fd);
}

static void test_no_input_at_all_is_an_error_but_an_empty_line_is_not(void **state)
{
	char pw[USERS_PASSWORD_MAX + 1];
	int fd = pipe_with("", 0);
	(void)state;

	assert_int_equal(users_read_password(fd, pw, sizeof pw, err, sizeof err), -1);
	assert_non_null(strstr(err, "no password on standard input"));
	close(fd);
	/* An empty password is the policy's to refuse, with its own message. */
	fd = pipe_with("\n", 1);
	assert_int_equal(users_read_password(fd, pw, sizeof pw, err, sizeof err), 0);
	assert_string_equal(pw, "");
	close(fd);
}

static void test_an_overlong_line_is_refused_and_consumed(void **state)
{
	char in[USERS_PASSWORD_MAX + 3], pw[USERS_PASSWORD_MAX + 1], rest[8];
	int fd;
	(void)state;

	memset(in, 'x', USERS_PASSWORD_MAX + 1);
	memcpy(in + USERS_PASSWORD_MAX + 1, "\nz", 2);
	fd = pipe_with(in, sizeof in);
	assert_int_equal(users_read_password(fd, pw, sizeof pw, err, sizeof err), -1);
	assert_string_equal(err, "password rejected: longer than 1024 bytes");
	assert_int_equal(pw[0], '\0');
	assert_int_equal(read(fd, rest, sizeof rest), 1);
	assert_int_equal(rest[0], 'z');
	close(fd);
}

static void test_a_password_of_exactly_the_limit_is_read(void **state)
{
	char in[USERS_PASSWORD_MAX + 1], pw[USERS_PASSWORD_MAX + 1];
	int fd;
	(void)state;

	memset(in, 'y', USERS_PASSWORD_MAX);
	in[USERS_PASSWORD_MAX] = '\n';
	fd = pipe_with(in, sizeof in);
	assert_int_equal(users_read_password(fd, pw, sizeof pw, err, sizeof err),
	                 USERS_PASSWORD_MAX);
	close(fd);
}

static void test_a_nul_byte_in_the_password_is_refused(void **state)
{
	char pw[USERS_PASSWORD_MAX + 1];
	int fd = pipe_with("abc\0def-ghijkl\n", 15);
	(void)state;

	assert_int_equal(users_read_password(fd, pw, sizeof pw, err, sizeof err), -1);
	assert_string_equal(err, "password rejected: it contains a NUL byte");
	close(fd);
}

/* ---- passwords from a terminal ---- */

struct pty {
	int master;
	int slave; /* the parent's own, so the terminal outlives the child */
	char name[64];
};

static void pty_open(struct pty *p)
{
	p->master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(p->master >= 0);
	assert_int_equal(grantpt(p->master), 0);
	assert_int_equal(unlockpt(p->master), 0);
	assert_int_equal(ptsname_r(p->master, p->name, sizeof p->name), 0);
	p->slave = open(p->name, O_RDWR | O_NOCTTY);
	assert_true(p->slave >= 0);
}

static void pty_close(struct pty *p)
{
	close(p->slave);
	close(p->master);
}

static int echo_on(const struct pty *p)
{
	struct termios t;

	assert_int_equal(tcgetattr(p->slave, &t), 0);
	return (t.c_lflag & ECHO) != 0;
}

/*
 * Appends what the master side shows to seen (NUL-terminated) until it
 * holds needle, for at most 5 seconds. Returns 1 when found.
 */
static int wait_for(int master, const char *needle, char *seen, size_t seenlen)
{
	size_t n = strlen(seen);

	for (int waited = 0; waited < 5000 && strstr(seen, needle) == NULL; waited += 50) {
		struct pollfd pfd = { master, POLLIN, 0 };
		ssize_t r;

		if (poll(&pfd, 1, 50) <= 0)
			continue;
		r = read(master, seen + n, seenlen - n - 1);
		if (r <= 0)
			break;
		n += (size_t)r;
		seen[n] = '\0';
	}
	return strstr(seen, needle) != NULL;
}

/* The child: prompts on the terminal, exits 0 when it read want, 3 when
 * the prompt failed (with the message on the terminal), 4 otherwise. */
static pid_t start_prompt(const struct pty *p, const char *want)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		char pw[USERS_PASSWORD_MAX + 1], msg[256];
		int fd = open(p->name, O_RDWR | O_NOCTTY);
		int n = users_prompt_password(fd, fd, pw, sizeof pw, msg, sizeof msg);

		if (n < 0) {
			(void)!write(fd, msg, strlen(msg));
			(void)!write(fd, "|", 1);
			_exit(3);
		}
		_exit(strcmp(pw, want) == 0 && (size_t)n == strlen(want) ? 0 : 4);
	}
	return pid;
}

static int wait_child(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void test_the_prompt_reads_twice_without_echo_and_restores_it(void **state)
{
	char seen[1024] = "";
	struct pty p;
	pid_t pid;
	int status;
	(void)state;

	pty_open(&p);
	assert_true(echo_on(&p));
	pid = start_prompt(&p, "Geheim-wachtwoord-42");
	assert_true(wait_for(p.master, "New password: ", seen, sizeof seen));
	assert_false(echo_on(&p));
	assert_int_equal(write(p.master, "Geheim-wachtwoord-42\n", 21), 21);
	assert_true(wait_for(p.master, "Repeat: ", seen, sizeof seen));
	assert_int_equal(write(p.master, "Geheim-wachtwoord-42\n", 21), 21);
	status = wait_child(pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	(void)wait_for(p.master, "\x01", seen, sizeof seen); /* drain; never found */
	assert_null(strstr(seen, "Geheim"));
	assert_true(echo_on(&p));
	pty_close(&p);
}

static void test_the_prompt_refuses_two_different_passwords(void **state)
{
	char seen[1024] = "";
	struct pty p;
	pid_t pid;
	int status;
	(void)state;

	pty_open(&p);
	pid = start_prompt(&p, "");
	assert_true(wait_for(p.master, "New password: ", seen, sizeof seen));
	assert_int_equal(write(p.master, "Eerste-wachtwoord-1\n", 20), 20);
	assert_true(wait_for(p.master, "Repeat: ", seen, sizeof seen));
	assert_int_equal(write(p.master, "Tweede-wachtwoord-2\n", 20), 20);
	assert_true(wait_for(p.master, "passwords do not match|", seen, sizeof seen));
	status = wait_child(pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
	assert_true(echo_on(&p));
	pty_close(&p);
}

static void test_ctrl_c_at_the_prompt_restores_the_echo(void **state)
{
	char seen[1024] = "";
	struct pty p;
	pid_t pid;
	int status;
	(void)state;

	pty_open(&p);
	pid = start_prompt(&p, "");
	assert_true(wait_for(p.master, "New password: ", seen, sizeof seen));
	assert_false(echo_on(&p));
	assert_int_equal(kill(pid, SIGINT), 0);
	status = wait_child(pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGINT);
	assert_true(echo_on(&p));
	pty_close(&p);
}

static void test_the_prompt_needs_a_terminal(void **state)
{
	char pw[USERS_PASSWORD_MAX + 1];
	int fd = pipe_with("x\n", 2);
	(void)state;

	assert_int_equal(users_prompt_password(fd, STDERR_FILENO, pw, sizeof pw, err, sizeof err),
	                 -1);
	assert_non_null(strstr(err, "terminal"));
	close(fd);
}

/* ---- the table ---- */

static PGresult *make_result(int ncols, const char *const *names, int nrows,
                             const char *const *cells)
{
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc attrs[8];

	assert_non_null(res);
	assert_true(ncols <= 8);
	memset(attrs, 0, sizeof attrs);
	for (int c = 0; c < ncols; c++) {
		attrs[c].name = (char *)names[c];
		attrs[c].typid = 25; /* text */
		attrs[c].typlen = -1;
		attrs[c].atttypmod = -1;
	}
	assert_int_equal(PQsetResultAttrs(res, ncols, attrs), 1);
	for (int r = 0; r < nrows; r++) {
		for (int c = 0; c < ncols; c++) {
			const char *v = cells[r * ncols + c];

			assert_int_equal(PQsetvalue(res, r, c, (char *)v, (int)strlen(v)), 1);
		}
	}
	return res;
}

static char *print(const PGresult *res)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(users_print_table(f, res), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void test_the_table_lines_up_in_characters(void **state)
{
	static const char *const names[] = { "id", "name", "status" };
	static const char *const cells[] = {
		"1",        "Financi\xc3\xabn",
		"active", /* 9 characters, 10 bytes */
		"12",       "Jo",
		"inactive",
	};
	PGresult *res = make_result(3, names, 2, cells);
	char *text = print(res);
	(void)state;

	assert_string_equal(text, "id  name       status\n"
	                          "--  ---------  --------\n"
	                          "1   Financi\xc3\xabn  active\n"
	                          "12  Jo         inactive\n"
	                          "(2 users)\n");
	free(text);
	PQclear(res);
}

static void test_an_empty_table_still_has_its_header(void **state)
{
	static const char *const names[] = { "id", "username" };
	static const char *const one[] = { "7", "x" };
	PGresult *res = make_result(2, names, 0, NULL);
	char *text = print(res);
	(void)state;

	assert_string_equal(text, "id  username\n--  --------\n(0 users)\n");
	free(text);
	PQclear(res);
	res = make_result(2, names, 1, one);
	text = print(res);
	assert_non_null(strstr(text, "\n(1 user)\n"));
	free(text);
	PQclear(res);
}

/* ---- the statements ---- */

static void test_every_statement_declares_the_parameters_it_uses(void **state)
{
	size_t n = 0;
	(void)state;

	for (; users_stmts[n].name != NULL; n++) {
		const char *sql = users_stmts[n].sql;
		int highest = 0;

		for (const char *p = strchr(sql, '$'); p != NULL; p = strchr(p + 1, '$')) {
			int k = atoi(p + 1);

			if (k > highest)
				highest = k;
		}
		assert_int_equal(highest, users_stmts[n].nparams);
		for (size_t m = 0; m < n; m++)
			assert_string_not_equal(users_stmts[m].name, users_stmts[n].name);
	}
	assert_int_equal(n, 8);
}

/* Every operation's audit row shows the rows without their hash. */
static void test_no_statement_writes_the_hash_into_the_audit_log(void **state)
{
	(void)state;
	for (const struct db_stmt *s = users_stmts; s->name != NULL; s++) {
		const char *j = strstr(s->sql, "to_jsonb(");
		for (; j != NULL; j = strstr(j + 1, "to_jsonb(")) {
			const char *close = strchr(j, ')');
			assert_non_null(close);
			if (strncmp(close, ") - 'hashed_password'", 21) != 0)
				fail_msg("%s: to_jsonb without - 'hashed_password'", s->name);
		}
	}
}

/* Without a database every operation answers USERS_DB_ERROR with the
 * database's status (the page's 503). */
static void test_without_a_database_the_operations_answer_unavailable(void **state)
{
	(void)state;
	struct db *db =
	    db_new("postgresql://nobody@127.0.0.1:1/none?connect_timeout=1", 5000, users_stmts, 2);
	const struct users_new u = { .username = "anna", .email = "anna@ced.example" };
	struct users_outcome o;
	log_set_level(LOG_ERROR); /* the outage's line is not under test */
	assert_non_null(db);
	assert_int_equal(users_provision(db, &audit_console, &u, "people.csv", &o), USERS_DB_ERROR);
	assert_int_equal(o.db, DB_UNAVAILABLE);
	assert_int_equal(users_create(db, &audit_console, &u, &o), USERS_DB_ERROR);
	assert_int_equal(o.db, DB_UNAVAILABLE);
	assert_int_equal(users_unlock(db, &audit_console, 1, &o), USERS_DB_ERROR);
	assert_int_equal(o.db, DB_UNAVAILABLE);
	outage_ended();
	db_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_a_database_the_operations_answer_unavailable),
		cmocka_unit_test(test_a_provisioning_is_described_in_one_line),
		cmocka_unit_test(test_add_takes_every_option_in_either_form),
		cmocka_unit_test(test_add_takes_the_name_after_the_options),
		cmocka_unit_test(test_add_without_email_is_a_usage_error),
		cmocka_unit_test(test_an_option_without_its_value_is_named),
		cmocka_unit_test(test_an_option_given_twice_is_refused),
		cmocka_unit_test(test_an_unknown_option_is_named),
		cmocka_unit_test(test_an_unknown_subcommand_is_named),
		cmocka_unit_test(test_a_second_name_is_an_unexpected_argument),
		cmocka_unit_test(test_commands_on_a_user_need_its_name),
		cmocka_unit_test(test_list_takes_no_name_and_accepts_all),
		cmocka_unit_test(test_help_wins_anywhere),
		cmocka_unit_test(test_double_dash_lets_a_name_start_with_a_dash),
		cmocka_unit_test(test_username_rules_follow_the_table),
		cmocka_unit_test(test_email_rules_follow_the_table),
		cmocka_unit_test(test_display_name_rules_follow_the_table),
		cmocka_unit_test(test_no_value_check_echoes_a_control_character),
		cmocka_unit_test(test_value_checks_refuse_invisible_and_bidi_characters),
		cmocka_unit_test(test_a_long_value_is_quoted_without_splitting_a_character),
		cmocka_unit_test(test_check_new_names_the_bad_value),
		cmocka_unit_test(test_policy_results_read_as_english),
		cmocka_unit_test(test_a_piped_password_loses_only_its_newline),
		cmocka_unit_test(test_only_the_first_line_is_read),
		cmocka_unit_test(test_a_last_line_without_newline_counts),
		cmocka_unit_test(test_no_input_at_all_is_an_error_but_an_empty_line_is_not),
		cmocka_unit_test(test_an_overlong_line_is_refused_and_consumed),
		cmocka_unit_test(test_a_password_of_exactly_the_limit_is_read),
		cmocka_unit_test(test_a_nul_byte_in_the_password_is_refused),
		cmocka_unit_test(test_the_prompt_reads_twice_without_echo_and_restores_it),
		cmocka_unit_test(test_the_prompt_refuses_two_different_passwords),
		cmocka_unit_test(test_ctrl_c_at_the_prompt_restores_the_echo),
		cmocka_unit_test(test_the_prompt_needs_a_terminal),
		cmocka_unit_test(test_the_table_lines_up_in_characters),
		cmocka_unit_test(test_an_empty_table_still_has_its_header),
		cmocka_unit_test(test_every_statement_declares_the_parameters_it_uses),
		cmocka_unit_test(test_no_statement_writes_the_hash_into_the_audit_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
