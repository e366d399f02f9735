/*
 * users: the operations on users, for every front end (see users.h): one
 * statement per change, each with its rules and its audit row; and what
 * `portalctl user` needs around them: arguments, passwords read from a pipe
 * or without echo from a terminal, and an aligned table.
 */
#include "users.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "req.h"
#include "table.h"

/* The SQL below is laid out by hand, one clause a line. */
/* clang-format off */

/*
 * The operations on users, for every front end (the admin pool, portalctl):
 * each is one statement that checks its rule, makes its change and writes
 * its audit row. $1 the acting user's id or NULL, $2 the channel ("web",
 * "portalctl"), $3 the client's address or NULL: the audit row's actor,
 * details "via" and ip.
 */

/* Creates a user: $4 username, $5 email, $6 display name, $7 superuser,
 * $8 PHC or NULL (no password yet), $9 must change the password. The id
 * and name, or who has the name or the email already: the duplicate checks
 * run first so that a taken name is an answer, not a unique violation; a
 * concurrent insert still ends in one (DB_CONFLICT). */
static const char sql_user_create[] =
	"WITH dup AS ("
	" SELECT (SELECT username::text FROM users WHERE username = $4::citext) AS by_name,"
	"  (SELECT username::text FROM users WHERE email = $5::citext) AS by_email),"
	" n AS (INSERT INTO users (username, email, display_name, is_superuser,"
	"   hashed_password, password_changed_at, must_change_password)"
	"  SELECT $4::citext, $5::citext, $6::text, $7::boolean, $8::text,"
	"   CASE WHEN $8::text IS NULL THEN NULL ELSE now() END, $9::boolean"
	"  FROM dup WHERE by_name IS NULL AND by_email IS NULL"
	"  RETURNING *),"
	" audit AS (SELECT audit_write($1::bigint, $2::text, $3::inet, 'user.created', 'user', n.id,"
	"   jsonb_build_object('after', to_jsonb(n) - 'hashed_password',"
	"    'password', $8::text IS NOT NULL))"
	"  FROM n)"
	" SELECT (SELECT id FROM n) AS id, (SELECT username::text FROM n) AS username,"
	"  by_name, by_email, (SELECT count(*) FROM audit) AS audited FROM dup";

/*
 * Provisions a user from a list kept elsewhere (the CSV import, the
 * directory, single sign-on): since schema/0016 the statement is the
 * function user_provision(), so that the portal pool, which may not write
 * users, can provision through it too (sso_user_provision(), below). $4
 * username, $5 email, $6 display name ('' keeps the stored one), $7 the
 * source; the columns say what it did (0016 has the rules).
 */
static const char sql_user_provision[] =
	"SELECT * FROM user_provision($1::bigint, $2::text, $3::inet, $4::text, $5::text,"
	" $6::text, $7::text)";

/* Single sign-on's provisioning, as portal_web: $1 ip, $2 username, $3
 * email, $4 method. The new id, NULL when the name or address is taken. */
static const char sql_user_provision_sso[] =
	"SELECT sso_user_provision($1::inet, $2::text, $3::text, $4::text) AS id";

/* The id and name of user $1 (no row when none). */
static const char sql_user_find[] =
	"SELECT id, username::text FROM users WHERE username = $1::citext";

/*
 * Changes user $4: $5 the version the change was based on (updated_at), or
 * NULL for whatever is stored; $6 display name, $7 email, $8 superuser,
 * $9 active, each NULL to keep it. The rules, for every front end:
 * - the last active superuser stays one (refused): sup locks every active
 *   superuser and the target, in id order (so two of these statements
 *   cannot deadlock), and re-reads them as committed, so of two
 *   administrators demoting each other at once the second sees the first's
 *   change and is refused; NO KEY UPDATE leaves grants (foreign-key share
 *   locks) alone;
 * - a version that is not the stored one is stale; the UPDATE repeats the
 *   check on the locked row;
 * - an email another user has is taken;
 * - a change to what is already stored is no change (same), with no row
 *   written and no audit row;
 * - an inactive user keeps no session: they end with the deactivation (and
 *   any left on an inactive user go too).
 */
static const char sql_user_update[] =
	"WITH sup AS (SELECT id, is_active AND is_superuser AS active_su FROM users"
	"  WHERE (is_active AND is_superuser) OR id = $4::bigint ORDER BY id FOR NO KEY UPDATE),"
	" old AS (SELECT * FROM users WHERE id = $4::bigint),"
	" want AS (SELECT coalesce($6::text, display_name) AS display_name,"
	"   coalesce($7::citext, email) AS email, coalesce($8::boolean, is_superuser) AS is_superuser,"
	"   coalesce($9::boolean, is_active) AS is_active FROM old),"
	" chk AS (SELECT"
	"   $5::timestamptz IS NOT NULL"
	"    AND (SELECT updated_at FROM old) IS DISTINCT FROM $5::timestamptz AS stale,"
	"   EXISTS (SELECT 1 FROM sup WHERE id = $4::bigint AND active_su)"
	"    AND NOT (SELECT is_superuser AND is_active FROM want)"
	"    AND NOT EXISTS (SELECT 1 FROM sup WHERE id <> $4::bigint AND active_su) AS refused,"
	"   EXISTS (SELECT 1 FROM users u, want w WHERE u.email = w.email AND u.id <> $4::bigint)"
	"    AS email_taken,"
	"   (SELECT (o.display_name, o.email::text, o.is_superuser, o.is_active)"
	"     IS NOT DISTINCT FROM (w.display_name, w.email::text, w.is_superuser, w.is_active)"
	"    FROM old o, want w) AS same),"
	" upd AS (UPDATE users u SET display_name = w.display_name, email = w.email,"
	"   is_superuser = w.is_superuser, is_active = w.is_active FROM chk, want w"
	"  WHERE u.id = $4::bigint AND ($5::timestamptz IS NULL OR u.updated_at = $5::timestamptz)"
	"   AND NOT chk.stale AND NOT chk.refused AND NOT chk.email_taken AND NOT chk.same"
	"  RETURNING u.*),"
	" s AS (DELETE FROM sessions WHERE user_id = $4::bigint"
	"   AND NOT (SELECT is_active FROM want)"
	"   AND (SELECT NOT stale AND NOT refused AND NOT email_taken FROM chk)"
	"  RETURNING id),"
	" audit AS (SELECT audit_write($1::bigint, $2::text, $3::inet,"
	"   CASE WHEN old.is_active AND NOT upd.is_active THEN 'user.deactivated'"
	"    WHEN NOT old.is_active AND upd.is_active THEN 'user.activated'"
	"    ELSE 'user.updated' END, 'user', upd.id,"
	"   jsonb_build_object('before', to_jsonb(old) - 'hashed_password',"
	"    'after', to_jsonb(upd) - 'hashed_password', 'sessions_ended', (SELECT count(*) FROM s)))"
	"  FROM old, upd)"
	" SELECT (SELECT count(*) FROM old) AS found, (SELECT username::text FROM old) AS username,"
	"  chk.stale, chk.refused, chk.email_taken, chk.same,"
	"  (SELECT count(*) FROM upd) AS updated, (SELECT count(*) FROM s) AS sessions_ended,"
	"  (SELECT count(*) FROM audit) AS audited"
	" FROM chk";

/* Sets user $4's password to PHC $5; $6 true: the user must choose their
 * own at the next sign-in (an administrator's reset), false: not, NULL:
 * as it was. Ends the user's sessions and lifts a lock and the throttling
 * of sign-in (the failed guesses were at the old password). The DELETE
 * sees the sessions as they were when the statement began: all go. */
static const char sql_user_set_password[] =
	"WITH u AS (UPDATE users SET hashed_password = $5::text, password_changed_at = now(),"
	"  must_change_password = coalesce($6::boolean, must_change_password),"
	"  failed_logins = 0, locked_until = NULL"
	"  WHERE id = $4::bigint RETURNING id, must_change_password),"
	" s AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM u) RETURNING id),"
	" t AS (SELECT login_throttle_clear(id) AS n FROM u),"
	" audit AS (SELECT audit_write($1::bigint, $2::text, $3::inet,"
	"   CASE WHEN $6::boolean THEN 'password.reset' ELSE 'password.set' END, 'user', u.id,"
	"   jsonb_build_object('must_change_password', u.must_change_password,"
	"    'sessions_ended', (SELECT count(*) FROM s),"
	"    'throttled_addresses', (SELECT n FROM t)))"
	"  FROM u)"
	" SELECT (SELECT count(*) FROM u) AS found, (SELECT count(*) FROM s) AS sessions_ended,"
	"  (SELECT count(*) FROM audit) AS audited";

/* Unlocks user $4: clears failed_logins and any old lock, and lifts the
 * throttling of sign-in with the user's name from every address
 * (login_throttle_clear). What was lifted; no row when there is no user.
 * The RETURNING of u cannot see the old values: "old" keeps them. */
static const char sql_user_unlock[] =
	"WITH old AS (SELECT id, failed_logins, locked_until FROM users"
	"  WHERE id = $4::bigint FOR UPDATE),"
	" u AS (UPDATE users SET failed_logins = 0, locked_until = NULL FROM old"
	"  WHERE users.id = old.id RETURNING users.id),"
	" t AS (SELECT login_throttle_clear(id) AS n FROM u),"
	" audit AS (SELECT audit_write($1::bigint, $2::text, $3::inet, 'account.unlocked', 'user', u.id,"
	"   jsonb_build_object("
	"    'before', jsonb_build_object('failed_logins', old.failed_logins,"
	"     'locked_until', old.locked_until, 'throttled_addresses', t.n),"
	"    'after', jsonb_build_object('failed_logins', 0, 'locked_until', NULL,"
	"     'throttled_addresses', 0)))"
	"  FROM old, u, t)"
	" SELECT old.failed_logins,"
	"  CASE WHEN old.locked_until > now()"
	"   THEN to_char(old.locked_until, 'YYYY-MM-DD HH24:MI:SS') ELSE '' END AS locked_until,"
	"  t.n AS throttled, (SELECT count(*) FROM audit) AS audited"
	" FROM old, t";

/* Expires user $4's password (must_change_password), unless it has none
 * or it is expired already: then nothing is written. */
static const char sql_user_expire_password[] =
	"WITH old AS (SELECT id, hashed_password IS NOT NULL AS has_password, must_change_password"
	"  FROM users WHERE id = $4::bigint FOR NO KEY UPDATE),"
	" u AS (UPDATE users SET must_change_password = true FROM old"
	"  WHERE users.id = old.id AND old.has_password AND NOT old.must_change_password"
	"  RETURNING users.id),"
	" audit AS (SELECT audit_write($1::bigint, $2::text, $3::inet, 'password.expired', 'user', u.id,"
	"   jsonb_build_object('before', jsonb_build_object('must_change_password', false),"
	"    'after', jsonb_build_object('must_change_password', true)))"
	"  FROM u)"
	" SELECT old.has_password, old.must_change_password AS already,"
	"  (SELECT count(*) FROM u) AS expired, (SELECT count(*) FROM audit) AS audited"
	" FROM old";

/* Every user, as portalctl's table: column names are the table's header. Times in the server's time zone.
 * The throttled counts are joined once, from the throttled rows (users' key
 * indexes, 0007), not looked up per user: that would hash both names of
 * every user. */
static const char sql_users_list[] =
	"SELECT id::text AS id, username::text AS username, email::text AS email,"
	" display_name AS name, CASE WHEN is_superuser THEN 'yes' ELSE 'no' END AS superuser,"
	" concat_ws(', ', CASE WHEN is_active THEN 'active' ELSE 'inactive' END,"
	"  'sign-in throttled from ' || x.n || ' address(es)',"
	"  CASE WHEN hashed_password IS NULL THEN 'no password' END) AS status,"
	" coalesce(to_char(last_login_at, 'YYYY-MM-DD HH24:MI'), 'never') AS \"last sign-in\""
	" FROM users LEFT JOIN (SELECT user_id, count(*) AS n FROM user_login_throttle"
	"  WHERE throttled GROUP BY user_id) x ON x.user_id = users.id"
	" ORDER BY username, id";

/* clang-format on */

const struct db_stmt users_stmts[] = {
	{ "users_create", sql_user_create, 9 },
	{ "users_provision", sql_user_provision, 7 },
	{ "users_find", sql_user_find, 1 },
	{ "users_update", sql_user_update, 9 },
	{ "users_set_password", sql_user_set_password, 6 },
	{ "users_unlock", sql_user_unlock, 4 },
	{ "users_expire_password", sql_user_expire_password, 4 },
	{ "users_list", sql_users_list, 0 },
	{ NULL, NULL, 0 },
};

/* The portal pool's: it prepares only this one of the module. */
const struct db_stmt users_sso_stmts[] = {
	{ "users_provision_sso", sql_user_provision_sso, 4 },
	{ NULL, NULL, 0 },
};

/* ---- values -------------------------------------------------------------- */

/* Each check below looks for control characters, and the invisible and
 * bidirectional characters (str_check_visible, one set for every name),
 * before any message names the value: the message goes to a terminal,
 * which would act on the controls or show the value as another. */

int users_check_username(const char *s, char *err, size_t errlen)
{
	long n = utf8_count(s, strlen(s));

	if (n < 0) {
		snprintf(err, errlen, "user name is not valid UTF-8");
		return -1;
	}
	if (n == 0) {
		snprintf(err, errlen, "user name is empty");
		return -1;
	}
	/* Control and invisible characters here, ASCII spaces below; the
	 * database also refuses the other Unicode spaces, and its message then
	 * names the constraint. */
	if (str_check_visible("user name", s, 0, err, errlen) != 0)
		return -1;
	if (n > 64) {
		snprintf(err, errlen, "user name \"%.*s...\" is longer than 64 characters",
		         (int)utf8_prefix(s, 64), s);
		return -1;
	}
	if (strchr(s, ' ') != NULL) {
		snprintf(
		    err, errlen,
		    "invalid user name \"%s\": white space and control characters are not allowed",
		    s);
		return -1;
	}
	return 0;
}

int users_check_email(const char *s, char *err, size_t errlen)
{
	long n = utf8_count(s, strlen(s));
	const char *at, *dot;

	if (n < 0) {
		snprintf(err, errlen, "email address is not valid UTF-8");
		return -1;
	}
	/* Names the value, except for control characters, which could rewrite
	 * the operator's terminal. */
	if (str_check_visible("email address", s, 0, err, errlen) != 0)
		return -1;
	if (n > 254) {
		snprintf(err, errlen, "email address \"%.*s...\" is longer than 254 characters",
		         (int)utf8_prefix(s, 64), s);
		return -1;
	}
	/* local@domain.tld: one "@", something before it, and a dot in the
	 * domain with something on either side (users_email_check). */
	at = strchr(s, '@');
	dot = NULL;
	if (at != NULL && at[1] != '\0') {
		for (const char *p = at + 2; *p != '\0' && p[1] != '\0'; p++) {
			if (*p == '.') {
				dot = p;
				break;
			}
		}
	}
	if (at == NULL || at == s || strchr(at + 1, '@') != NULL || strchr(s, ' ') != NULL ||
	    dot == NULL) {
		/* 254 characters can be 1016 bytes: more than a message holds. */
		size_t cut = utf8_prefix(s, 200);
		snprintf(err, errlen, "invalid email address \"%.*s%s\"", (int)cut, s,
		         s[cut] != '\0' ? "..." : "");
		return -1;
	}
	return 0;
}

int users_check_display_name(const char *s, char *err, size_t errlen)
{
	long n = utf8_count(s, strlen(s));

	if (n < 0) {
		snprintf(err, errlen, "name is not valid UTF-8");
		return -1;
	}
	if (s[strspn(s, " \t\n\r\v\f")] == '\0') {
		snprintf(err, errlen, "name is blank");
		return -1;
	}
	if (str_check_visible("name", s, 0, err, errlen) != 0)
		return -1;
	if (n > 200) {
		snprintf(err, errlen, "name \"%.*s...\" is longer than 200 characters",
		         (int)utf8_prefix(s, 64), s);
		return -1;
	}
	return 0;
}

const char *users_policy_text(enum auth_policy p)
{
	switch (p) {
	case AUTH_POLICY_OK:
		return "";
	case AUTH_POLICY_TOO_SHORT:
		return "shorter than 12 characters";
	case AUTH_POLICY_TOO_LONG:
		return "longer than 256 characters";
	case AUTH_POLICY_NOT_UTF8:
		return "not valid UTF-8";
	case AUTH_POLICY_HAS_USERNAME:
		return "it contains the user name";
	case AUTH_POLICY_COMMON:
		return "it is a commonly used password, easy to guess";
	}
	return "not accepted by the password policy";
}

/* ---- arguments ----------------------------------------------------------- */

static const struct {
	const char *name;
	enum users_cmd cmd;
} subcommands[] = {
	{ "add", USERS_ADD },
	{ "passwd", USERS_PASSWD },
	{ "unlock", USERS_UNLOCK },
	{ "expire", USERS_EXPIRE },
	{ "deactivate", USERS_DEACTIVATE },
	{ "activate", USERS_ACTIVATE },
	{ "list", USERS_LIST },
	{ "help", USERS_HELP },
};

/*
 * Matches argv[*i] against the option opt ("--email"), as "--email VALUE" or
 * "--email=VALUE". Returns 1 with *val set (and *i past the value), 0 when it
 * is another option, -1 with a message when the value is missing or the
 * option was given before (*val not NULL).
 */
static int option_value(int argc, char **argv, int *i, const char *sub, const char *opt,
                        const char **val, char *err, size_t errlen)
{
	size_t n = strlen(opt);
	const char *arg = argv[*i];

	if (strncmp(arg, opt, n) != 0 || (arg[n] != '\0' && arg[n] != '='))
		return 0;
	if (*val != NULL) {
		snprintf(err, errlen, "%s: %s given twice", sub, opt);
		return -1;
	}
	if (arg[n] == '=') {
		*val = arg + n + 1;
		return 1;
	}
	if (*i + 1 >= argc) {
		snprintf(err, errlen, "%s: %s needs a value", sub, opt);
		return -1;
	}
	*i += 1;
	*val = argv[*i];
	return 1;
}

/* The flags and options of sub; returns 1 when arg was one, 0 when not,
 * -1 on error. */
static int parse_option(int argc, char **argv, int *i, struct users_args *a, const char *sub,
                        char *err, size_t errlen)
{
	const char *arg = argv[*i];
	int r;

	if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
		a->cmd = USERS_HELP;
		return 1;
	}
	if (a->cmd == USERS_ADD) {
		r = option_value(argc, argv, i, sub, "--email", &a->email, err, errlen);
		if (r == 0)
			r = option_value(argc, argv, i, sub, "--name", &a->display_name, err,
			                 errlen);
		if (r != 0)
			return r;
		if (strcmp(arg, "--superuser") == 0) {
			a->superuser = 1;
			return 1;
		}
		if (strcmp(arg, "--password-stdin") == 0) {
			a->password_stdin = 1;
			return 1;
		}
	}
	/* Every user is listed anyway; --all is accepted for those who ask. */
	if (a->cmd == USERS_LIST && strcmp(arg, "--all") == 0)
		return 1;
	snprintf(err, errlen, "%s: unknown option \"%s\"", sub, arg);
	return -1;
}

int users_parse_args(int argc, char **argv, struct users_args *a, char *err, size_t errlen)
{
	const char *sub;
	int options_done = 0, found = 0;

	memset(a, 0, sizeof *a);
	if (argc < 1 || argv[0] == NULL) {
		snprintf(err, errlen, "missing subcommand");
		return -1;
	}
	sub = argv[0];
	for (size_t k = 0; k < sizeof subcommands / sizeof subcommands[0]; k++) {
		if (strcmp(sub, subcommands[k].name) == 0) {
			a->cmd = subcommands[k].cmd;
			found = 1;
		}
	}
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		a->cmd = USERS_HELP;
		found = 1;
	}
	if (!found) {
		snprintf(err, errlen, "%s: unknown subcommand", sub);
		return -1;
	}
	if (a->cmd == USERS_HELP)
		return 0;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!options_done && strcmp(arg, "--") == 0) {
			options_done = 1;
			continue;
		}
		if (!options_done && arg[0] == '-' && arg[1] != '\0') {
			if (parse_option(argc, argv, &i, a, sub, err, errlen) < 0)
				return -1;
			if (a->cmd == USERS_HELP)
				return 0;
			continue;
		}
		if (a->cmd == USERS_LIST || a->name != NULL) {
			snprintf(err, errlen, "%s: unexpected argument \"%s\"", sub, arg);
			return -1;
		}
		a->name = arg;
	}

	if (a->cmd != USERS_LIST && a->name == NULL) {
		snprintf(err, errlen, "%s: missing user name", sub);
		return -1;
	}
	if (a->cmd == USERS_ADD && a->email == NULL) {
		snprintf(err, errlen, "add: missing --email");
		return -1;
	}
	return 0;
}

int users_check_new(const struct users_args *a, char *err, size_t errlen)
{
	if (users_check_username(a->name, err, errlen) != 0 ||
	    users_check_email(a->email, err, errlen) != 0 ||
	    (a->display_name != NULL &&
	     users_check_display_name(a->display_name, err, errlen) != 0))
		return -1;
	return 0;
}

/* ---- passwords ----------------------------------------------------------- */

static void wipe(char *p, size_t n)
{
	explicit_bzero(p, n);
}

/* Reads up to a newline; *eof says the input ended before any byte. */
static int read_line(int fd, char *out, size_t outlen, int *eof, char *err, size_t errlen)
{
	size_t n = 0, max = outlen > 0 ? outlen - 1 : 0;
	int got = 0, nul = 0, too_long = 0;

	if (max > USERS_PASSWORD_MAX)
		max = USERS_PASSWORD_MAX;
	*eof = 0;
	for (;;) {
		char ch;
		ssize_t r = read(fd, &ch, 1);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "could not read the password: %s", strerror(errno));
			wipe(out, outlen);
			return -1;
		}
		if (r == 0)
			break;
		got = 1;
		if (ch == '\n')
			break;
		/* The rest of the line is read anyway, so that a refused
		 * password leaves no tail behind for a later reader. */
		if (ch == '\0')
			nul = 1;
		else if (n >= max)
			too_long = 1;
		else
			out[n++] = ch;
	}
	wipe(&out[n], outlen - n);
	if (!got) {
		*eof = 1;
		return -1;
	}
	if (nul || too_long) {
		wipe(out, outlen);
		if (nul)
			snprintf(err, errlen, "password rejected: it contains a NUL byte");
		else
			snprintf(err, errlen, "password rejected: longer than %d bytes",
			         USERS_PASSWORD_MAX);
		return -1;
	}
	return (int)n;
}

int users_read_password(int fd, char *out, size_t outlen, char *err, size_t errlen)
{
	int eof, n = read_line(fd, out, outlen, &eof, err, errlen);

	if (n < 0 && eof)
		snprintf(err, errlen, "no password on standard input (expected one line)");
	return n;
}

/* What the signal handler needs: async-signal-safe state only. */
static volatile sig_atomic_t tty_fd_saved = -1;
static volatile sig_atomic_t prompt_fd_saved = -1;
static struct termios tty_saved;

static const int tty_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define N_TTY_SIGNALS (sizeof tty_signals / sizeof tty_signals[0])

/* Puts the echo back, then lets the signal do what it would have done
 * (raise is delivered once the handler returns and unblocks it). */
static void restore_tty_on_signal(int sig)
{
	int saved_errno = errno;
	struct sigaction dfl;

	if (tty_fd_saved >= 0)
		(void)tcsetattr(tty_fd_saved, TCSANOW, &tty_saved);
	if (prompt_fd_saved >= 0)
		(void)!write(prompt_fd_saved, "\n", 1);
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	(void)sigaction(sig, &dfl, NULL);
	(void)raise(sig);
	errno = saved_errno;
}

static int write_all(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len > 0) {
		ssize_t w = write(fd, s, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		len -= (size_t)w;
	}
	return 0;
}

/* One prompt and one line without echo; "\n" afterwards, since the
 * user's Enter was not echoed. */
static int ask(int tty_fd, int prompt_fd, const char *prompt, char *out, size_t outlen, char *err,
               size_t errlen)
{
	int eof, n;

	if (write_all(prompt_fd, prompt) != 0) {
		snprintf(err, errlen, "could not write the prompt: %s", strerror(errno));
		return -1;
	}
	n = read_line(tty_fd, out, outlen, &eof, err, errlen);
	(void)write_all(prompt_fd, "\n");
	if (n < 0 && eof)
		snprintf(err, errlen, "no password given");
	return n;
}

int users_prompt_password(int tty_fd, int prompt_fd, char *out, size_t outlen, char *err,
                          size_t errlen)
{
	struct sigaction old[N_TTY_SIGNALS], sa;
	struct termios noecho;
	char *again = NULL;
	int n = -1, m;

	if (tcgetattr(tty_fd, &tty_saved) != 0) {
		snprintf(err, errlen, "could not read the terminal settings: %s", strerror(errno));
		return -1;
	}
	again = malloc(outlen);
	if (again == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	tty_fd_saved = tty_fd;
	prompt_fd_saved = prompt_fd;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = restore_tty_on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < N_TTY_SIGNALS; i++)
		sigaddset(&sa.sa_mask, tty_signals[i]);
	for (size_t i = 0; i < N_TTY_SIGNALS; i++) {
		if (sigaction(tty_signals[i], &sa, &old[i]) != 0) {
			snprintf(err, errlen, "could not set a signal handler: %s",
			         strerror(errno));
			while (i-- > 0)
				(void)sigaction(tty_signals[i], &old[i], NULL);
			goto out;
		}
	}

	noecho = tty_saved;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	/* TCSAFLUSH: what was typed before the prompt is not the password. */
	if (tcsetattr(tty_fd, TCSAFLUSH, &noecho) != 0) {
		snprintf(err, errlen, "could not switch off the echo: %s", strerror(errno));
		goto restore;
	}
	n = ask(tty_fd, prompt_fd, "New password: ", out, outlen, err, errlen);
	if (n >= 0) {
		m = ask(tty_fd, prompt_fd, "Repeat: ", again, outlen, err, errlen);
		if (m < 0 || m != n || memcmp(out, again, (size_t)n) != 0) {
			if (m >= 0)
				snprintf(err, errlen, "passwords do not match");
			wipe(out, outlen);
			n = -1;
		}
	}
	(void)tcsetattr(tty_fd, TCSANOW, &tty_saved);
restore:
	for (size_t i = 0; i < N_TTY_SIGNALS; i++)
		(void)sigaction(tty_signals[i], &old[i], NULL);
out:
	tty_fd_saved = -1;
	prompt_fd_saved = -1;
	wipe(again, outlen);
	free(again);
	return n;
}

/* ---- database ------------------------------------------------------------ */

static void outcome_clear(struct users_outcome *o)
{
	memset(o, 0, sizeof *o);
}

static void copy_name(struct users_outcome *o, const PGresult *res, int col)
{
	snprintf(o->username, sizeof o->username, "%s", PQgetvalue(res, 0, col));
}

/* Runs an operation; NULL (with o->db set) when the database failed. */
static PGresult *run_op(struct db *db, const char *stmt, int n, const char *const *p,
                        struct users_outcome *o)
{
	PGresult *res = db_exec(db, stmt, n, p, &o->db);
	if (res != NULL && PQntuples(res) > 1) {
		PQclear(res);
		o->db = DB_ERROR;
		return NULL;
	}
	return res;
}

static const char *bool_param(int v)
{
	return v < 0 ? NULL : v ? "t" : "f";
}

enum users_status users_create(struct db *db, const struct audit_actor *a,
                               const struct users_new *u, struct users_outcome *o)
{
	const char *p[9];
	enum users_status rc;

	outcome_clear(o);
	audit_params(a, p);
	p[3] = u->username;
	p[4] = u->email;
	p[5] = u->display_name;
	p[6] = bool_param(u->superuser);
	p[7] = u->phc;
	p[8] = bool_param(u->must_change_password);
	PGresult *res = run_op(db, "users_create", 9, p, o);
	if (res == NULL && o->db == DB_CONFLICT) {
		/* Taken by a concurrent insert, after the check. */
		snprintf(o->username, sizeof o->username, "%s",
		         strstr(db_last_message(db), "users_email_key") ? "" : u->username);
		return strstr(db_last_message(db), "users_email_key") ? USERS_EMAIL_TAKEN
		                                                      : USERS_EXISTS;
	}
	if (res == NULL)
		return USERS_DB_ERROR;
	if (!PQgetisnull(res, 0, 0)) {
		o->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		copy_name(o, res, 1);
		rc = USERS_OK;
	} else if (!PQgetisnull(res, 0, 2)) {
		copy_name(o, res, 2);
		rc = USERS_EXISTS;
	} else {
		copy_name(o, res, 3);
		rc = USERS_EMAIL_TAKEN;
	}
	PQclear(res);
	return rc;
}

enum users_status users_provision(struct db *db, const struct audit_actor *a,
                                  const struct users_new *u, const char *source,
                                  struct users_outcome *o)
{
	const char *p[AUDIT_NPARAMS + 4];
	enum users_status rc;

	outcome_clear(o);
	audit_params(a, p);
	p[3] = u->username;
	p[4] = u->email;
	p[5] = u->display_name ? u->display_name : "";
	p[6] = source;
	PGresult *res = run_op(db, "users_provision", 7, p, o);
	if (res == NULL)
		return USERS_DB_ERROR;
	if (!db_is_null(res, 0, "taken_by")) {
		snprintf(o->username, sizeof o->username, "%s", db_text(res, 0, "taken_by"));
		rc = USERS_EMAIL_TAKEN;
	} else {
		o->id = db_int(res, 0, "id");
		o->created = db_int(res, 0, "created") > 0;
		o->updated = db_int(res, 0, "updated") > 0;
		snprintf(o->email, sizeof o->email, "%s", db_text(res, 0, "old_email"));
		snprintf(o->display_name, sizeof o->display_name, "%s",
		         db_text(res, 0, "old_name"));
		rc = o->created || o->updated ? USERS_OK : USERS_UNCHANGED;
	}
	PQclear(res);
	return rc;
}

void users_describe_provision(struct buf *out, const struct users_new *u,
                              const struct users_outcome *o)
{
	const char *given = u->display_name ? u->display_name : "";

	if (o->created) {
		buf_printf(out, "create user \"%s\" (%s, \"%s\")\n", u->username, u->email,
		           given[0] ? given : u->username);
	} else if (o->updated) {
		/* The email as given is stored; the name only when one was given. */
		const char *name = given[0] ? given : o->display_name;

		buf_printf(out, "update user \"%s\":", u->username);
		if (strcmp(o->email, u->email) != 0)
			buf_printf(out, " email %s -> %s", o->email, u->email);
		if (strcmp(o->display_name, name) != 0)
			buf_printf(out, " name \"%s\" -> \"%s\"", o->display_name, name);
		buf_putc(out, '\n');
	}
}

enum users_status users_provision_sso(struct db *db, const char *ip, const char *username,
                                      const char *email, const char *method,
                                      struct users_outcome *o)
{
	outcome_clear(o);
	const char *p[] = { ip && *ip ? ip : NULL, username, email, method };
	PGresult *res = run_op(db, "users_provision_sso", 4, p, o);
	if (res == NULL)
		return o->db == DB_CONFLICT ? USERS_EXISTS : USERS_DB_ERROR;
	enum users_status rc = USERS_EXISTS;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
		o->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		o->created = 1;
		rc = USERS_OK;
	}
	PQclear(res);
	return rc;
}

enum users_status users_find(struct db *db, const char *name, struct users_outcome *o)
{
	const char *p[1] = { name };

	outcome_clear(o);
	PGresult *res = run_op(db, "users_find", 1, p, o);
	if (res == NULL)
		return USERS_DB_ERROR;
	enum users_status rc = PQntuples(res) == 0 ? USERS_NOT_FOUND : USERS_OK;
	if (rc == USERS_OK) {
		o->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		copy_name(o, res, 1);
	}
	PQclear(res);
	return rc;
}

enum users_status users_update(struct db *db, const struct audit_actor *a, long long id,
                               const struct users_change *c, struct users_outcome *o)
{
	char idtext[AUDIT_ID_LEN];
	const char *p[9];

	outcome_clear(o);
	audit_params_on(a, id, idtext, p);
	p[4] = c->version;
	p[5] = c->display_name;
	p[6] = c->email;
	p[7] = bool_param(c->superuser);
	p[8] = bool_param(c->active);
	PGresult *res = run_op(db, "users_update", 9, p, o);
	if (res == NULL)
		return o->db == DB_CONFLICT ? USERS_EMAIL_TAKEN : USERS_DB_ERROR;
	enum users_status rc;
	if (db_int(res, 0, "found") == 0) {
		rc = USERS_NOT_FOUND;
	} else {
		o->id = id;
		snprintf(o->username, sizeof o->username, "%s", db_text(res, 0, "username"));
		o->sessions_ended = (long)db_int(res, 0, "sessions_ended");
		o->refused = db_bool(res, 0, "refused");
		o->email_taken = db_bool(res, 0, "email_taken");
		/* Not updated, though nothing refused it: changed between the
		 * check and the UPDATE, which is stale too. */
		int stale = db_bool(res, 0, "stale") ||
		            (!o->refused && !o->email_taken && !db_bool(res, 0, "same") &&
		             db_int(res, 0, "updated") == 0);
		if (stale)
			rc = USERS_STALE;
		else if (o->refused)
			rc = USERS_LAST_SUPERUSER;
		else if (o->email_taken)
			rc = USERS_EMAIL_TAKEN;
		else if (db_bool(res, 0, "same"))
			rc = USERS_UNCHANGED;
		else
			rc = USERS_OK;
	}
	PQclear(res);
	return rc;
}

enum users_status users_set_password(struct db *db, const struct audit_actor *a, long long id,
                                     const char *phc, int must_change, struct users_outcome *o)
{
	char idtext[AUDIT_ID_LEN];
	const char *p[6];

	outcome_clear(o);
	audit_params_on(a, id, idtext, p);
	p[4] = phc;
	p[5] = bool_param(must_change);
	PGresult *res = run_op(db, "users_set_password", 6, p, o);
	if (res == NULL)
		return USERS_DB_ERROR;
	enum users_status rc = db_int(res, 0, "found") == 0 ? USERS_NOT_FOUND : USERS_OK;
	o->id = id;
	o->sessions_ended = (long)db_int(res, 0, "sessions_ended");
	PQclear(res);
	return rc;
}

enum users_status users_unlock(struct db *db, const struct audit_actor *a, long long id,
                               struct users_outcome *o)
{
	char idtext[AUDIT_ID_LEN];
	const char *p[4];

	outcome_clear(o);
	audit_params_on(a, id, idtext, p);
	PGresult *res = run_op(db, "users_unlock", 4, p, o);
	if (res == NULL)
		return USERS_DB_ERROR;
	enum users_status rc = PQntuples(res) == 0 ? USERS_NOT_FOUND : USERS_OK;
	if (rc == USERS_OK) {
		o->id = id;
		o->failed_logins = (long)db_int(res, 0, "failed_logins");
		snprintf(o->locked_until, sizeof o->locked_until, "%s",
		         db_text(res, 0, "locked_until"));
		o->throttled = (long)db_int(res, 0, "throttled");
	}
	PQclear(res);
	return rc;
}

enum users_status users_expire_password(struct db *db, const struct audit_actor *a, long long id,
                                        struct users_outcome *o)
{
	char idtext[AUDIT_ID_LEN];
	const char *p[4];
	enum users_status rc;

	outcome_clear(o);
	audit_params_on(a, id, idtext, p);
	PGresult *res = run_op(db, "users_expire_password", 4, p, o);
	if (res == NULL)
		return USERS_DB_ERROR;
	if (PQntuples(res) == 0)
		rc = USERS_NOT_FOUND;
	else if (!db_bool(res, 0, "has_password"))
		rc = USERS_NO_PASSWORD;
	else if (db_int(res, 0, "expired") == 0)
		rc = USERS_UNCHANGED;
	else
		rc = USERS_OK;
	o->id = id;
	PQclear(res);
	return rc;
}

PGresult *users_list(struct db *db, enum db_status *st)
{
	return db_exec(db, "users_list", 0, NULL, st);
}

/* ---- the table ----------------------------------------------------------- */

int users_print_table(FILE *out, const PGresult *res)
{
	return table_print(out, res, "user", "users");
}
