/*
 * portalctl: the operator's command line: schema migrations, users, roles,
 * reports, access reviews, the audit log, imports, the reports' link check
 * and the pools' status.
 * Each command group is a table entry below; the SQL lives in lib/.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grants.h"
#include "auth.h"
#include "cfg.h"
#include "ctl.h"
#include "ctl_access.h"
#include "ctl_audit.h"
#include "ctl_directory.h"
#include "ctl_import.h"
#include "ctl_links.h"
#include "ctl_reports.h"
#include "ctl_roles.h"
#include "preview.h"
#include "reports.h"
#include "requests.h"
#include "reviews.h"
#include "ctl_reviews.h"
#include "roles.h"
#include "db.h"
#include "directory.h"
#include "links.h"
#include "log.h"
#include "migrate.h"
#include "status.h"
#include "users.h"

#ifndef PORTAL_VERSION
#define PORTAL_VERSION "0.1.0"
#endif

/* make passes $(PREFIX)/share/rapportageportaal, where make install puts the schema. */
#ifndef PORTAL_DATADIR
#define PORTAL_DATADIR "/usr/local/share/rapportageportaal"
#endif

#define PROG             "portalctl"
#define INSTALLED_SCHEMA PORTAL_DATADIR "/schema"

extern char **environ;

/* What every command gets: the configuration and, when it asked for one, a
 * connected database. */
struct ctx {
	struct cfg cfg;
	struct db *db;
	struct db_stmt *stmts; /* the handle's statements (open_db), freed after it */
};

struct command {
	const char *name;
	const char *args;
	const char *help;
	int needs_db;
	/* argv[0] is the command name. Returns the exit status. */
	int (*run)(struct ctx *c, int argc, char **argv);
};

static int cmd_migrate(struct ctx *c, int argc, char **argv);
static int open_db(struct ctx *c, int statement_timeout, const struct db_stmt *const *tables,
                   int connect_now);
static int cmd_help(struct ctx *c, int argc, char **argv);
static int cmd_version(struct ctx *c, int argc, char **argv);
static int cmd_user(struct ctx *c, int argc, char **argv);
static int cmd_role(struct ctx *c, int argc, char **argv);
static int cmd_requests(struct ctx *c, int argc, char **argv);
static int cmd_review(struct ctx *c, int argc, char **argv);
static int cmd_report(struct ctx *c, int argc, char **argv);
static int cmd_access(struct ctx *c, int argc, char **argv);
static int cmd_audit(struct ctx *c, int argc, char **argv);
static int cmd_import(struct ctx *c, int argc, char **argv);
static int cmd_directory(struct ctx *c, int argc, char **argv);
static int cmd_links(struct ctx *c, int argc, char **argv);
static int cmd_status(struct ctx *c, int argc, char **argv);

static const struct command commands[] = {
	{ "migrate", "[--dir DIR] [--status]",
	  "apply pending schema migrations, or list them with --status", 0, cmd_migrate },
	{ "user", "SUBCOMMAND [ARGS]",
	  "add, passwd, unlock, expire, deactivate, activate, list (user --help)", 0, cmd_user },
	{ "role", "SUBCOMMAND [ARGS]",
	  "add, list, grant-user, revoke-user, add-owner, remove-owner, activate, "
	  "deactivate, grant-report, revoke-report, map-group, "
	  "unmap-group, groups (role --help)",
	  0, cmd_role },
	{ "requests", "SUBCOMMAND [ARGS]",
	  "list, approve, refuse: access on request (requests --help)", 0, cmd_requests },
	{ "review", "SUBCOMMAND [ARGS]",
	  "start, list, show, decide, close, close-due: periodic reviews (review --help)", 0,
	  cmd_review },
	{ "report", "SUBCOMMAND [ARGS]", "add, list, set-status (report --help)", 0, cmd_report },
	{ "access", "SUBCOMMAND [ARGS]", "who sees what: user, report, export (access --help)", 0,
	  cmd_access },
	{ "audit", "SUBCOMMAND [ARGS]", "tail, verify, checkpoint: the audit log (audit --help)", 0,
	  cmd_audit },
	{ "import", "users FILE [--dry-run]",
	  "create or update users and their roles (import --help)", 0, cmd_import },
	{ "directory", "sync [--dry-run] [--force]",
	  "users and roles from LDAP / AD (directory --help)", 0, cmd_directory },
	{ "links", "check [--parallel N] [--timeout S]",
	  "do the published reports' links work? (links --help)", 0, cmd_links },
	{ "status", "[--socket PATH]...", "ask the running pools how they are (status --help)", 0,
	  cmd_status },
	{ "version", "", "print the version", 0, cmd_version },
	{ "help", "", "print this help", 0, cmd_help },
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fprintf(f, "usage: " PROG " [--env FILE] COMMAND [ARGS]\n\n"
	           "Commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++) {
		char left[64];

		snprintf(left, sizeof left, "%s %s", commands[i].name, commands[i].args);
		fprintf(f, "  %-32s %s\n", left, commands[i].help);
	}
	fprintf(f, "\nOptions:\n"
	           "  --env FILE                       read settings from FILE (default: .env, "
	           "if present)\n\n"
	           "Settings come from the environment and the .env file; DATABASE_URL names "
	           "the\ndatabase (connect as its owner, portal_owner, to migrate).\n");
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmd_migrate(struct ctx *c, int argc, char **argv)
{
	struct migrate_opts o = { NULL, PROG, stdout, stderr };
	int status = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: " PROG " migrate [--dir DIR] [--status]\n\n"
			       "Applies the pending schema/NNNN_*.sql files in order, each in\n"
			       "its own transaction, as the database owner. --status lists them\n"
			       "instead; an applied file that was edited since is refused (exit "
			       "1).\n");
			return 0;
		} else if (strcmp(argv[i], "--status") == 0) {
			status = 1;
		} else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
			o.dir = argv[++i];
		} else if (strncmp(argv[i], "--dir=", 6) == 0) {
			o.dir = argv[i] + 6;
		} else {
			fprintf(stderr, PROG ": migrate: unexpected argument \"%s\"\n", argv[i]);
			fprintf(stderr, "usage: " PROG " migrate [--dir DIR] [--status]\n");
			return 2;
		}
	}
	if (o.dir == NULL)
		o.dir = is_dir("schema") || !is_dir(INSTALLED_SCHEMA) ? "schema" : INSTALLED_SCHEMA;
	if (open_db(c, 0, NULL, 1) != 0)
		return 1;
	if (status)
		return migrate_status(db_conn(c->db), &o);
	return migrate_apply(db_conn(c->db), &o);
}

static int cmd_help(struct ctx *c, int argc, char **argv)
{
	(void)c;
	(void)argc;
	(void)argv;
	usage(stdout);
	return 0;
}

static int cmd_version(struct ctx *c, int argc, char **argv)
{
	(void)c;
	(void)argc;
	(void)argv;
	printf(PROG " (rapportageportaal) " PORTAL_VERSION "\n");
	return 0;
}

/* ---- user ---------------------------------------------------------------- */

static const char cmd_user_synopsis[] =
    "usage: " PROG " user add NAME --email EMAIL [--name \"FULL NAME\"] [--superuser]\n"
    "                          [--password-stdin]\n"
    "       " PROG " user passwd NAME\n"
    "       " PROG " user unlock NAME\n"
    "       " PROG " user expire NAME\n"
    "       " PROG " user deactivate NAME\n"
    "       " PROG " user activate NAME\n"
    "       " PROG " user list\n";

static const char cmd_user_help_text[] =
    "\n"
    "  add NAME --email EMAIL [--name \"FULL NAME\"] [--superuser] [--password-stdin]\n"
    "      Creates the user; the name shown in the portal defaults to NAME. Without\n"
    "      --password-stdin the account has no password and cannot sign in until\n"
    "      \"user passwd\". With it, one line is read from standard input (only the\n"
    "      newline is removed), e.g.  printf '%s\\n' \"$PW\" | " PROG " user add ...\n"
    "      User names and email addresses are unique regardless of case.\n"
    "  passwd NAME\n"
    "      Sets a new password: one line from standard input when that is not a\n"
    "      terminal, otherwise asked for twice without echo. Ends every session of\n"
    "      the user and lifts a lock.\n"
    "  unlock NAME\n"
    "      Clears the failed sign-ins and the lock that too many of them set.\n"
    "  expire NAME\n"
    "      Expires the password: the user must choose a new one before anything\n"
    "      else at the next page. Sessions and the password itself stay.\n"
    "  deactivate NAME\n"
    "      Switches the account off and ends its sessions at once. The last active\n"
    "      superuser cannot be deactivated.\n"
    "  activate NAME\n"
    "      Switches the account on again.\n"
    "  list\n"
    "      Every user, sorted by user name: id, user name, email, name, superuser,\n"
    "      status (active or inactive, locked until when, no password) and last\n"
    "      sign-in.\n"
    "\n"
    "Passwords: 12 to 256 characters, not containing the user name, not a common\n"
    "password. They are hashed with argon2id (PORTAL_ARGON2_M_KIB, PORTAL_ARGON2_T)\n"
    "and never shown or logged. Each change is written to audit_log in the same\n"
    "transaction as the change itself (action user.created, password.set,\n"
    "account.unlocked, password.expired, user.deactivated, user.activated; actor\n"
    "empty).\n"
    "\n"
    "Exit status: 0 done, 1 failed (the message says why), 2 usage error.\n";

static void cmd_user_usage(FILE *f)
{
	fputs(cmd_user_synopsis, f);
}

static int cmd_user_usage_error(void)
{
	fprintf(stderr, "Try \"" PROG " user --help\" for more information.\n");
	return 2;
}

/* The user commands prepare their own statements, so they connect here and
 * not through the command table's needs_db (and a usage error never waits
 * for a database). */
static int cmd_user_connect(struct ctx *c)
{
	const struct db_stmt *const tables[] = { users_stmts, NULL };

	return open_db(c, c->cfg.statement_timeout, tables, 1);
}

/* Reads the new password (a pipe, or twice without echo from a terminal),
 * checks the policy and hashes it into phc. The clear text is wiped here. */
static int cmd_user_new_password(const struct ctx *c, const char *username, char *phc,
                                 size_t phclen)
{
	struct auth_params params = auth_default_params;
	char pw[USERS_PASSWORD_MAX + 1], err[256];
	enum auth_policy pol;
	int n;

	if (isatty(STDIN_FILENO))
		n = users_prompt_password(STDIN_FILENO, STDERR_FILENO, pw, sizeof pw, err,
		                          sizeof err);
	else
		n = users_read_password(STDIN_FILENO, pw, sizeof pw, err, sizeof err);
	if (n < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return -1;
	}
	pol = auth_check_policy(pw, username);
	if (pol != AUTH_POLICY_OK) {
		explicit_bzero(pw, sizeof pw);
		fprintf(stderr, PROG ": password rejected: %s\n", users_policy_text(pol));
		return -1;
	}
	params.m_kib = (uint32_t)c->cfg.argon2_m_kib;
	params.t = (uint32_t)c->cfg.argon2_t;
	n = auth_hash(pw, (size_t)n, &params, phc, phclen);
	explicit_bzero(pw, sizeof pw);
	if (n != 0) {
		fprintf(stderr, PROG ": could not hash the password (argon2id, m=%d KiB)\n",
		        c->cfg.argon2_m_kib);
		return -1;
	}
	return 0;
}

/* The message for the outcomes every command shares; returns the exit status. */
static int cmd_user_failed(const struct ctx *c, enum users_status st, const char *what,
                           const char *name)
{
	if (st == USERS_NOT_FOUND) {
		fprintf(stderr, PROG ": no user \"%s\"\n", name);
	} else {
		fprintf(stderr, PROG ": could not %s user \"%s\": %s\n", what, name,
		        db_last_message(c->db)[0] ? db_last_message(c->db) : "unexpected answer");
	}
	return 1;
}

static int cmd_user_add(struct ctx *c, const struct users_args *a)
{
	char phc[AUTH_PHC_MAX], err[512];
	struct users_outcome o;
	enum users_status st;
	int rc = 0;

	if (users_check_new(a, err, sizeof err) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	if (a->password_stdin && cmd_user_new_password(c, a->name, phc, sizeof phc) != 0)
		return 1;
	if (cmd_user_connect(c) != 0)
		return 1;
	struct users_new u = { a->name,
		               a->email,
		               a->display_name ? a->display_name : a->name,
		               a->password_stdin ? phc : NULL,
		               a->superuser,
		               0 };
	st = users_create(c->db, &audit_console, &u, &o);
	explicit_bzero(phc, sizeof phc);
	switch (st) {
	case USERS_OK:
		printf("user \"%s\" created (id %lld)%s\n", o.username, o.id,
		       a->password_stdin ? ""
		                         : "; it has no password: set one with \"" PROG
		                           " user passwd\"");
		break;
	case USERS_EXISTS:
		if (strcmp(o.username, a->name) == 0)
			fprintf(stderr, PROG ": user \"%s\" already exists\n", a->name);
		else
			fprintf(stderr, PROG ": user \"%s\" already exists (as \"%s\")\n", a->name,
			        o.username);
		rc = 1;
		break;
	case USERS_EMAIL_TAKEN:
		fprintf(stderr, PROG ": email \"%s\" is already used by user \"%s\"\n", a->email,
		        o.username);
		rc = 1;
		break;
	default:
		rc = cmd_user_failed(c, st, "add", a->name);
		break;
	}
	return rc;
}

static int cmd_user_passwd(struct ctx *c, const struct users_args *a)
{
	char phc[AUTH_PHC_MAX];
	struct users_outcome o;
	enum users_status st;

	/* Before the prompt: nobody should type a password twice for a typo. */
	if (cmd_user_connect(c) != 0)
		return 1;
	st = users_find(c->db, a->name, &o);
	if (st != USERS_OK)
		return cmd_user_failed(c, st, "find", a->name);
	if (cmd_user_new_password(c, o.username, phc, sizeof phc) != 0)
		return 1;
	struct users_outcome done;
	st = users_set_password(c->db, &audit_console, o.id, phc, -1, &done);
	explicit_bzero(phc, sizeof phc);
	if (st != USERS_OK)
		return cmd_user_failed(c, st, "set the password of", a->name);
	printf("password of user \"%s\" set; %ld session%s ended\n", o.username,
	       done.sessions_ended, done.sessions_ended == 1 ? "" : "s");
	return 0;
}

static int cmd_user_unlock(struct ctx *c, const struct users_args *a)
{
	struct users_outcome o;
	enum users_status st;

	if (cmd_user_connect(c) != 0)
		return 1;
	struct users_outcome who;
	st = users_find(c->db, a->name, &who);
	if (st == USERS_OK)
		st = users_unlock(c->db, &audit_console, who.id, &o);
	if (st != USERS_OK)
		return cmd_user_failed(c, st, "unlock", a->name);
	snprintf(o.username, sizeof o.username, "%s", who.username);
	if (o.throttled > 0)
		printf("user \"%s\" unlocked (sign-in was throttled from %ld address%s; %ld failed "
		       "sign-ins cleared)\n",
		       o.username, o.throttled, o.throttled == 1 ? "" : "es", o.failed_logins);
	else if (o.locked_until[0] != '\0')
		printf("user \"%s\" unlocked (was locked until %s after %ld failed sign-ins)\n",
		       o.username, o.locked_until, o.failed_logins);
	else
		printf("user \"%s\" unlocked (was not locked; %ld failed sign-ins cleared)\n",
		       o.username, o.failed_logins);
	return 0;
}

static int cmd_user_expire(struct ctx *c, const struct users_args *a)
{
	struct users_outcome who, o;
	enum users_status st;

	if (cmd_user_connect(c) != 0)
		return 1;
	st = users_find(c->db, a->name, &who);
	if (st == USERS_OK)
		st = users_expire_password(c->db, &audit_console, who.id, &o);
	switch (st) {
	case USERS_OK:
		printf("password of user \"%s\" expired: a new one is asked for at the next page\n",
		       who.username);
		return 0;
	case USERS_UNCHANGED:
		printf("password of user \"%s\" was expired already\n", who.username);
		return 0;
	case USERS_NO_PASSWORD:
		fprintf(stderr,
		        PROG
		        ": user \"%s\" has no password to expire (set one with \"user passwd\")\n",
		        who.username);
		return 1;
	default:
		return cmd_user_failed(c, st, "expire the password of", a->name);
	}
}

static int cmd_user_deactivate(struct ctx *c, const struct users_args *a)
{
	struct users_outcome o;
	enum users_status st;

	if (cmd_user_connect(c) != 0)
		return 1;
	struct users_change off = { .superuser = -1, .active = 0 };
	st = users_find(c->db, a->name, &o);
	if (st == USERS_OK)
		st = users_update(c->db, &audit_console, o.id, &off, &o);
	switch (st) {
	case USERS_OK:
		printf("user \"%s\" deactivated; %ld session%s ended\n", o.username,
		       o.sessions_ended, o.sessions_ended == 1 ? "" : "s");
		return 0;
	case USERS_UNCHANGED:
		printf("user \"%s\" was already inactive\n", o.username);
		return 0;
	case USERS_LAST_SUPERUSER:
		fprintf(stderr,
		        PROG ": cannot deactivate user \"%s\": it is the last active superuser\n"
		             "HINT:  Make another user a superuser first, or add one with \"" PROG
		             " user add NAME --email EMAIL --superuser\".\n",
		        o.username);
		return 1;
	default:
		return cmd_user_failed(c, st, "deactivate", a->name);
	}
}

static int cmd_user_activate(struct ctx *c, const struct users_args *a)
{
	struct users_outcome o;
	enum users_status st;

	if (cmd_user_connect(c) != 0)
		return 1;
	struct users_change on = { .superuser = -1, .active = 1 };
	st = users_find(c->db, a->name, &o);
	if (st == USERS_OK)
		st = users_update(c->db, &audit_console, o.id, &on, &o);
	if (st == USERS_UNCHANGED) {
		printf("user \"%s\" was already active\n", o.username);
		return 0;
	}
	if (st != USERS_OK)
		return cmd_user_failed(c, st, "activate", a->name);
	printf("user \"%s\" activated\n", o.username);
	return 0;
}

static int cmd_user_list(struct ctx *c)
{
	enum db_status st;
	PGresult *res;
	int rc;

	if (cmd_user_connect(c) != 0)
		return 1;
	res = users_list(c->db, &st);
	if (res == NULL) {
		fprintf(stderr, PROG ": could not list the users: %s\n", db_last_message(c->db));
		return 1;
	}
	rc = users_print_table(stdout, res);
	PQclear(res);
	if (rc != 0) {
		fprintf(stderr, PROG ": could not write the list: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

static int cmd_user(struct ctx *c, int argc, char **argv)
{
	struct users_args a;
	char err[512];

	if (argc < 2) {
		fprintf(stderr, PROG ": user: missing subcommand\n");
		return cmd_user_usage_error();
	}
	if (users_parse_args(argc - 1, argv + 1, &a, err, sizeof err) != 0) {
		fprintf(stderr, PROG ": user %s\n", err);
		return cmd_user_usage_error();
	}
	switch (a.cmd) {
	case USERS_ADD:
		return cmd_user_add(c, &a);
	case USERS_PASSWD:
		return cmd_user_passwd(c, &a);
	case USERS_UNLOCK:
		return cmd_user_unlock(c, &a);
	case USERS_EXPIRE:
		return cmd_user_expire(c, &a);
	case USERS_DEACTIVATE:
		return cmd_user_deactivate(c, &a);
	case USERS_ACTIVATE:
		return cmd_user_activate(c, &a);
	case USERS_LIST:
		return cmd_user_list(c);
	case USERS_HELP:
		break;
	}
	cmd_user_usage(stdout);
	fputs(cmd_user_help_text, stdout);
	return 0;
}

/* ---- role, report, access, audit, import (lib/ctl_*.c) ------------------------ */

/* One subcommand of a group: its options (for ctl_parse_args), how many
 * arguments it takes and what they are called, and what runs it. */
struct subcommand {
	const char *name;
	const char *opts[CTL_MAX_OPTS + 1];
	int nargs;
	const char *args;
	int (*run)(struct ctx *c, const struct ctl_args *a);
};

/* These commands check their values before they connect. */
static int cmd_admin_db(struct ctx *c)
{
	const struct db_stmt *const tables[] = {
		ctl_role_stmts,   ctl_report_stmts, ctl_access_stmts, ctl_audit_stmts,
		ctl_import_stmts, grants_stmts,     roles_stmts,      reports_stmts,
		preview_stmts,    users_stmts,      directory_stmts,  requests_admin_stmts,
		reviews_stmts,    ctl_review_stmts, links_stmts,      NULL
	};

	return open_db(c, c->cfg.statement_timeout, tables, 0);
}

/*
 * Runs argv[1] of group (argv[0] is the group) from subs. Usage errors are
 * exit status 2 with a hint at "GROUP --help"; --help anywhere prints the
 * synopsis and help text.
 */
static int run_group(struct ctx *c, int argc, char **argv, const struct subcommand *subs,
                     size_t nsubs, const char *synopsis, const char *help)
{
	const char *group = argv[0];
	struct ctl_args a;
	char err[512];

	if (argc < 2) {
		fprintf(stderr, PROG ": %s: missing subcommand\n", group);
		goto usage;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)
		goto help;
	for (size_t i = 0; i < nsubs; i++) {
		if (strcmp(argv[1], subs[i].name) != 0)
			continue;
		if (ctl_parse_args(argc - 1, argv + 1, subs[i].opts, subs[i].nargs, subs[i].args,
		                   &a, err, sizeof err) != 0) {
			fprintf(stderr, PROG ": %s %s\n", group, err);
			goto usage;
		}
		if (a.help)
			goto help;
		if (cmd_admin_db(c) != 0)
			return 1;
		return subs[i].run(c, &a);
	}
	fprintf(stderr, PROG ": %s %s: unknown subcommand\n", group, argv[1]);
usage:
	fprintf(stderr, "Try \"" PROG " %s --help\" for more information.\n", group);
	return 2;
help:
	fputs(synopsis, stdout);
	fputs(help, stdout);
	return 0;
}

static const char exit_text[] = "\nExit status: 0 done (also when it was so already: the "
                                "message says \"nothing\nchanged\"), 1 failed (the message "
                                "says why), 2 usage error.\n";

/* -- role -- */

static const char cmd_role_synopsis[] =
    "usage: " PROG " role add NAME [--description D]\n"
    "       " PROG " role list\n"
    "       " PROG " role grant-user ROLE USER [--from TIME] [--until TIME] [--dry-run]\n"
    "       " PROG " role revoke-user ROLE USER [--dry-run]\n"
    "       " PROG " role add-owner ROLE USER\n"
    "       " PROG " role remove-owner ROLE USER\n"
    "       " PROG " role set-requestable ROLE [--max-days N] [--off]\n"
    "       " PROG " role activate ROLE [--dry-run]\n"
    "       " PROG " role deactivate ROLE [--dry-run]\n"
    "       " PROG " role grant-report ROLE REPORT_ID [--dry-run]\n"
    "       " PROG " role revoke-report ROLE REPORT_ID [--dry-run]\n"
    "       " PROG " role map-group GROUP-DN ROLE\n"
    "       " PROG " role unmap-group GROUP-DN ROLE\n"
    "       " PROG " role groups\n";

static const char cmd_role_help[] =
    "\n"
    "  add NAME [--description D]\n"
    "      Creates an active role. Names are unique regardless of case, at most 100\n"
    "      characters.\n"
    "  list\n"
    "      Every role: id, name, active, members (users with the role now), reports\n"
    "      (reports it grants) and owners.\n"
    "  grant-user ROLE USER [--from TIME] [--until TIME], revoke-user ROLE USER\n"
    "      Gives USER (a user name) the role ROLE (a role name), or takes it away.\n"
    "      With --from and --until the membership counts from TIME until TIME (ISO\n"
    "      8601: 2027-03-31T17:00+01:00, 2027-03-31T17:00, 2027-03-31; without an\n"
    "      offset Dutch local time, a date alone is its midnight): access ends at that\n"
    "      instant everywhere. The same command again changes the dates (without\n"
    "      them: no end); the change is audited (role.member_dates_changed).\n"
    "  add-owner ROLE USER, remove-owner ROLE USER\n"
    "      USER owns ROLE, or no longer: an owner keeps the role's members (and their\n"
    "      dates) in the admin pool, and nothing else (audit role.owner_added,\n"
    "      role.owner_removed). \"role list\" shows the owners.\n"
    "  set-requestable ROLE [--max-days N], set-requestable ROLE --off\n"
    "      Users may ask for ROLE on their page \"Toegang aanvragen\", for at most N\n"
    "      days (1 to 3660; default as it was, 90 for a new role), or no longer;\n"
    "      the role's owners or a superuser decide (\"" PROG " requests\").\n"
    "  activate ROLE, deactivate ROLE\n"
    "      Switches the role on or off: an inactive role grants nothing, so its\n"
    "      members lose its reports at once and get them back when it is activated\n"
    "      (audit role.activated, role.deactivated). Members and reports stay.\n"
    "  grant-report ROLE REPORT_ID, revoke-report ROLE REPORT_ID\n"
    "      Lets the role see the report, or no longer.\n"
    "  --dry-run (with grant-user, revoke-user, activate, deactivate, grant-report\n"
    "  and revoke-report)\n"
    "      Prints who would gain and who would lose which reports (the counts and\n"
    "      the first 20 of each, by the rules of the list page: published reports,\n"
    "      active users, superusers left out) and changes nothing (exit status 0).\n"
    "  map-group GROUP-DN ROLE, unmap-group GROUP-DN ROLE\n"
    "      The directory group GROUP-DN (e.g. \"CN=Finance,OU=Groups,DC=ced,DC=example\";\n"
    "      capitals and blanks around \",\" and \"=\" do not count) gives ROLE to its\n"
    "      members, or no longer: \"" PROG " directory sync\" gives and takes the role.\n"
    "      unmap-group takes it at once from whom the sync gave it and whose groups\n"
    "      (as the last sync saw them) no longer give it (audit role.group_mapped,\n"
    "      role.group_unmapped, role.member_removed).\n"
    "  groups\n"
    "      Every mapping: role, group and how many members have the role from the\n"
    "      sync.\n"
    "\n"
    "A grant that exists already, a revoke of one that does not, or a role switched\n"
    "to what it is, changes nothing and says so (exit status 0): scripts can repeat\n"
    "them. Each change is written to audit_log in the same statement (role.created,\n"
    "role.member_added, role.member_removed, role.report_added, role.report_removed,\n"
    "role.activated, role.deactivated; actor empty, via portalctl). An inactive role\n"
    "grants nothing until it is activated.\n";

static int cmd_role_add(struct ctx *c, const struct ctl_args *a)
{
	return ctl_role_add(c->db, a->pos[0], a->val[0], stdout, stderr);
}

static int cmd_role_list(struct ctx *c, const struct ctl_args *a)
{
	(void)a;
	return ctl_role_list(c->db, stdout, stderr);
}

static int cmd_role_grant_user(struct ctx *c, const struct ctl_args *a)
{
	return ctl_role_user(c->db, 1, a->pos[0], a->pos[1], a->val[0], a->val[1], a->flag[2],
	                     stdout, stderr);
}

static int cmd_role_revoke_user(struct ctx *c, const struct ctl_args *a)
{
	return ctl_role_user(c->db, 0, a->pos[0], a->pos[1], NULL, NULL, a->flag[0], stdout,
	                     stderr);
}

static int cmd_role_add_owner(struct ctx *c, const struct ctl_args *a)
{
	return ctl_role_owner(c->db, 1, a->pos[0], a->pos[1], stdout, stderr);
}

static int cmd_role_remove_owner(struct ctx *c, const struct ctl_args *a)
{
	return ctl_role_owner(c->db, 0, a->pos[0], a->pos[1], stdout, stderr);
}

static int cmd_role_requestable(struct ctx *c, const struct ctl_args *a)
{
	return ctl_role_requestable(c->db, a->pos[0], !a->flag[1], a->val[0], stdout, stderr);
}

static int cmd_role_activate(struct ctx *c, const struct ctl_args *a)
{
	return ctl_role_active(c->db, a->pos[0], 1, a->flag[0], stdout, stderr);
}

static int cmd_role_deactivate(struct ctx *c, const struct ctl_args *a)
{
	return ctl_role_active(c->db, a->pos[0], 0, a->flag[0], stdout, stderr);
}

static int cmd_role_grant_report(struct ctx *c, const struct ctl_args *a)
{
	return ctl_role_report(c->db, 1, a->pos[0], a->pos[1], a->flag[0], stdout, stderr);
}

static int cmd_role_revoke_report(struct ctx *c, const struct ctl_args *a)
{
	return ctl_role_report(c->db, 0, a->pos[0], a->pos[1], a->flag[0], stdout, stderr);
}

static int cmd_role_map_group(struct ctx *c, const struct ctl_args *a)
{
	return ctl_directory_map(c->db, 1, a->pos[0], a->pos[1], stdout, stderr);
}

static int cmd_role_unmap_group(struct ctx *c, const struct ctl_args *a)
{
	return ctl_directory_map(c->db, 0, a->pos[0], a->pos[1], stdout, stderr);
}

static int cmd_role_groups(struct ctx *c, const struct ctl_args *a)
{
	(void)a;
	return ctl_directory_groups(c->db, stdout, stderr);
}

static const struct subcommand role_subs[] = {
	{ "add", { "--description=", NULL }, 1, "NAME", cmd_role_add },
	{ "list", { NULL }, 0, "", cmd_role_list },
	{ "grant-user",
	  { "--from=", "--until=", "--dry-run", NULL },
	  2,
	  "ROLE USER",
	  cmd_role_grant_user },
	{ "revoke-user", { "--dry-run", NULL }, 2, "ROLE USER", cmd_role_revoke_user },
	{ "add-owner", { NULL }, 2, "ROLE USER", cmd_role_add_owner },
	{ "remove-owner", { NULL }, 2, "ROLE USER", cmd_role_remove_owner },
	{ "set-requestable", { "--max-days=", "--off", NULL }, 1, "ROLE", cmd_role_requestable },
	{ "activate", { "--dry-run", NULL }, 1, "ROLE", cmd_role_activate },
	{ "deactivate", { "--dry-run", NULL }, 1, "ROLE", cmd_role_deactivate },
	{ "grant-report", { "--dry-run", NULL }, 2, "ROLE REPORT_ID", cmd_role_grant_report },
	{ "revoke-report", { "--dry-run", NULL }, 2, "ROLE REPORT_ID", cmd_role_revoke_report },
	{ "map-group", { NULL }, 2, "GROUP-DN ROLE", cmd_role_map_group },
	{ "unmap-group", { NULL }, 2, "GROUP-DN ROLE", cmd_role_unmap_group },
	{ "groups", { NULL }, 0, "", cmd_role_groups },
};

static int cmd_role(struct ctx *c, int argc, char **argv)
{
	static char help[sizeof cmd_role_help + sizeof exit_text];

	snprintf(help, sizeof help, "%s%s", cmd_role_help, exit_text);
	return run_group(c, argc, argv, role_subs, sizeof role_subs / sizeof role_subs[0],
	                 cmd_role_synopsis, help);
}

/* -- requests -- */

static const char cmd_requests_synopsis[] = "usage: " PROG " requests list\n"
                                            "       " PROG " requests approve ID [--note T]\n"
                                            "       " PROG " requests refuse ID [--note T]\n";

static const char cmd_requests_help[] =
    "\n"
    "  list\n"
    "      The requests for access that wait for a decision, oldest first: id, role,\n"
    "      user, days asked, when, when it expires (7 days after), the role's owners\n"
    "      and the reason. For a mail script that tells the owners.\n"
    "  approve ID [--note T], refuse ID [--note T]\n"
    "      Decides the request: approval makes the user a member of the role until\n"
    "      now + the days asked. Audited (access.approved, access.refused,\n"
    "      role.member_added). A request decided, withdrawn or expired already is\n"
    "      refused (exit status 1).\n";

static int cmd_requests_list(struct ctx *c, const struct ctl_args *a)
{
	(void)a;
	return ctl_requests_list(c->db, stdout, stderr);
}

static int cmd_requests_approve(struct ctx *c, const struct ctl_args *a)
{
	return ctl_requests_decide(c->db, a->pos[0], 1, a->val[0], stdout, stderr);
}

static int cmd_requests_refuse(struct ctx *c, const struct ctl_args *a)
{
	return ctl_requests_decide(c->db, a->pos[0], 0, a->val[0], stdout, stderr);
}

static const struct subcommand requests_subs[] = {
	{ "list", { NULL }, 0, "", cmd_requests_list },
	{ "approve", { "--note=", NULL }, 1, "ID", cmd_requests_approve },
	{ "refuse", { "--note=", NULL }, 1, "ID", cmd_requests_refuse },
};

static int cmd_requests(struct ctx *c, int argc, char **argv)
{
	static char help[sizeof cmd_requests_help + sizeof exit_text];

	snprintf(help, sizeof help, "%s%s", cmd_requests_help, exit_text);
	return run_group(c, argc, argv, requests_subs,
	                 sizeof requests_subs / sizeof requests_subs[0], cmd_requests_synopsis,
	                 help);
}

/* -- review -- */

static const char cmd_review_synopsis[] =
    "usage: " PROG " review start (--role ROLE | --all) --due TIME --unreviewed keep|remove\n"
    "       " PROG " review list\n"
    "       " PROG " review show ID [--csv]\n"
    "       " PROG " review decide ID ROLE USER keep|remove [--note T]\n"
    "       " PROG " review close ID\n"
    "       " PROG " review close-due\n";

static const char cmd_review_help[] =
    "\n"
    "Periodic reviews of role memberships: the owners of each role (or a\n"
    "superuser) mark every member keep or remove until the due date; closing\n"
    "carries it out.\n"
    "\n"
    "  start (--role ROLE | --all) --due TIME --unreviewed keep|remove\n"
    "      Starts a review of ROLE, or of every role not in an open review, due at\n"
    "      TIME (ISO 8601 as for \"role grant-user\": 2027-03-31T17:00+01:00; without\n"
    "      an offset Dutch local time). Its items are the memberships that count\n"
    "      now or later. --unreviewed says what happens at the close to members\n"
    "      nobody reviewed. Audited (review.started).\n"
    "  list\n"
    "      Every review, open first: id, role, started, due, state (open, due,\n"
    "      closed), the rule, items, decided and marked remove.\n"
    "  show ID [--csv]\n"
    "      The review's memberships with who decided what and when, and the\n"
    "      outcome; --csv writes the auditor's CSV (the admin pool's download).\n"
    "  decide ID ROLE USER keep|remove [--note T]\n"
    "      Marks USER's membership of ROLE in review ID; until the due date it can\n"
    "      be changed. Audited (review.decided).\n"
    "  close ID\n"
    "      Closes the review now and carries it out: members marked remove, and\n"
    "      under --unreviewed remove the unreviewed, lose the role\n"
    "      (role.member_removed); every item gets its outcome (kept, removed, gone:\n"
    "      the membership had ended already). Audited (review.closed).\n"
    "  close-due\n"
    "      Closes every review past its due date (the timer portal-review-close\n"
    "      runs it every 10 minutes).\n";

static int cmd_review_start(struct ctx *c, const struct ctl_args *a)
{
	return ctl_review_start(c->db, a->val[0], a->flag[1], a->val[2], a->val[3], stdout, stderr);
}

static int cmd_review_list(struct ctx *c, const struct ctl_args *a)
{
	(void)a;
	return ctl_review_list(c->db, stdout, stderr);
}

static int cmd_review_show(struct ctx *c, const struct ctl_args *a)
{
	return ctl_review_show(c->db, a->pos[0], a->flag[0], stdout, stderr);
}

static int cmd_review_decide(struct ctx *c, const struct ctl_args *a)
{
	return ctl_review_decide(c->db, a->pos[0], a->pos[1], a->pos[2], a->pos[3], a->val[0],
	                         stdout, stderr);
}

static int cmd_review_close(struct ctx *c, const struct ctl_args *a)
{
	return ctl_review_close(c->db, a->pos[0], stdout, stderr);
}

static int cmd_review_close_due(struct ctx *c, const struct ctl_args *a)
{
	(void)a;
	return ctl_review_close_due(c->db, stdout, stderr);
}

static const struct subcommand review_subs[] = {
	{ "start",
	  { "--role=", "--all", "--due=", "--unreviewed=", NULL },
	  0,
	  "",
	  cmd_review_start },
	{ "list", { NULL }, 0, "", cmd_review_list },
	{ "show", { "--csv", NULL }, 1, "ID", cmd_review_show },
	{ "decide", { "--note=", NULL }, 4, "ID ROLE USER DECISION", cmd_review_decide },
	{ "close", { NULL }, 1, "ID", cmd_review_close },
	{ "close-due", { NULL }, 0, "", cmd_review_close_due },
};

static int cmd_review(struct ctx *c, int argc, char **argv)
{
	static char help[sizeof cmd_review_help + sizeof exit_text];

	snprintf(help, sizeof help, "%s%s", cmd_review_help, exit_text);
	return run_group(c, argc, argv, review_subs, sizeof review_subs / sizeof review_subs[0],
	                 cmd_review_synopsis, help);
}

/* -- report -- */

static const char cmd_report_synopsis[] =
    "usage: " PROG " report add --title T --url U [--category C] [--description D]\n"
    "                            [--status S] [--owner USER]\n"
    "       " PROG " report list\n"
    "       " PROG " report set-owner ID USER [--contact TEXT]\n"
    "       " PROG " report set-status ID STATUS [--dry-run]\n";

static const char cmd_report_help[] =
    "\n"
    "  add --title T --url U [--category C] [--description D] [--status S]\n"
    "      [--owner USER]\n"
    "      Creates the report and prints its id (alone on the line, for scripts).\n"
    "      The values are checked as the admin form checks them: a title of at most\n"
    "      200 characters, an http:// or https:// URL, a category (default\n"
    "      \"Algemeen\") of at most 100, a description of at most 4000. The status is\n"
    "      draft unless told: draft, published or archived.\n"
    "      USER owns it (see set-owner); without --owner it is listed \"without an\n"
    "      owner\" for the administrators.\n"
    "  list\n"
    "      Every report: id, status, category, title and owner, by id.\n"
    "  set-owner ID USER [--contact TEXT]\n"
    "      Hands the report over to USER, who is shown on the report's page as whom\n"
    "      to ask; --contact names someone or an address besides (at most 200\n"
    "      characters; \"\" for none). Audited as report.owner_changed.\n"
    "  set-status ID STATUS\n"
    "      Publishes, archives or takes back to draft. Only published reports are\n"
    "      seen by the users their roles grant them to. --dry-run prints who would\n"
    "      gain and who would lose the report and changes nothing (exit status 0).\n"
    "\n"
    "Each change is written to audit_log in the same statement (report.created,\n"
    "report.archived, report.updated with the row before and after,\n"
    "report.owner_changed).\n";

static int cmd_report_add(struct ctx *c, const struct ctl_args *a)
{
	struct report_form f = { a->val[0], a->val[1], a->val[2], a->val[3], a->val[4] };

	return ctl_report_add(c->db, &f, a->val[5], stdout, stderr);
}

static int cmd_report_list(struct ctx *c, const struct ctl_args *a)
{
	(void)a;
	return ctl_report_list(c->db, stdout, stderr);
}

static int cmd_report_set_status(struct ctx *c, const struct ctl_args *a)
{
	return ctl_report_set_status(c->db, a->pos[0], a->pos[1], a->flag[0], stdout, stderr);
}

static int cmd_report_set_owner(struct ctx *c, const struct ctl_args *a)
{
	return ctl_report_set_owner(c->db, a->pos[0], a->pos[1], a->val[0], stdout, stderr);
}

static const struct subcommand report_subs[] = {
	{ "add",
	  { "--title=", "--url=", "--category=", "--description=", "--status=", "--owner=", NULL },
	  0,
	  "",
	  cmd_report_add },
	{ "list", { NULL }, 0, "", cmd_report_list },
	{ "set-status", { "--dry-run", NULL }, 2, "ID STATUS", cmd_report_set_status },
	{ "set-owner", { "--contact=", NULL }, 2, "ID USER", cmd_report_set_owner },
};

static int cmd_report(struct ctx *c, int argc, char **argv)
{
	static char help[sizeof cmd_report_help + sizeof exit_text];

	snprintf(help, sizeof help, "%s%s", cmd_report_help, exit_text);
	return run_group(c, argc, argv, report_subs, sizeof report_subs / sizeof report_subs[0],
	                 cmd_report_synopsis, help);
}

/* -- access -- */

static const char cmd_access_synopsis[] = "usage: " PROG " access user NAME\n"
                                          "       " PROG " access report ID\n"
                                          "       " PROG " access export > access.csv\n";

static const char cmd_access_help[] =
    "\n"
    "  user NAME\n"
    "      The user's roles (with whether each is active and since when) and the\n"
    "      reports the user sees through them: published reports of active roles,\n"
    "      each with the roles it comes through.\n"
    "  report ID\n"
    "      The roles that grant the report and the users who see it through them\n"
    "      (active users of active roles), each with the roles it comes through.\n"
    "  export\n"
    "      The access matrix as CSV on standard output, for access reviews: one line\n"
    "      per grant path through an active user and an active role, with the\n"
    "      header username,role,report_id,report_title,granted_since,report_status.\n"
    "      granted_since is the later of the two grants (Europe/Amsterdam); only\n"
    "      lines with report_status \"published\" give access now. Quoting and the\n"
    "      guard against spreadsheet formulas are those of the web export; the file\n"
    "      is streamed, not held in memory.\n"
    "\n"
    "Superusers see every report, whatever their roles. Exit status: 0 done,\n"
    "1 failed (no such user or report), 2 usage error.\n";

static int cmd_access_user(struct ctx *c, const struct ctl_args *a)
{
	return ctl_access_user(c->db, a->pos[0], stdout, stderr);
}

static int cmd_access_report(struct ctx *c, const struct ctl_args *a)
{
	return ctl_access_report(c->db, a->pos[0], stdout, stderr);
}

static int cmd_access_export(struct ctx *c, const struct ctl_args *a)
{
	(void)a;
	return ctl_access_export(c->db, stdout, stderr);
}

static const struct subcommand access_subs[] = {
	{ "user", { NULL }, 1, "NAME", cmd_access_user },
	{ "report", { NULL }, 1, "ID", cmd_access_report },
	{ "export", { NULL }, 0, "", cmd_access_export },
};

static int cmd_access(struct ctx *c, int argc, char **argv)
{
	return run_group(c, argc, argv, access_subs, sizeof access_subs / sizeof access_subs[0],
	                 cmd_access_synopsis, cmd_access_help);
}

/* -- audit -- */

static const char cmd_audit_synopsis[] = "usage: " PROG " audit tail [-n N]\n"
                                         "       " PROG " audit verify [--from SEQ:HASH]\n"
                                         "       " PROG " audit checkpoint\n";

static const char cmd_audit_help[] =
    "\n"
    "  tail [-n N]\n"
    "      The latest N entries of audit_log (default 20, at most 10000), oldest\n"
    "      first: time (Europe/Amsterdam), actor (the user, \"(portalctl)\" for this\n"
    "      program), action, target and details. The admin pages (/admin/audit)\n"
    "      filter and export the whole log.\n"
    "  verify [--from SEQ:HASH]\n"
    "      Checks the hash chain of audit_log: every row in seq order, from the\n"
    "      first (or from a checkpoint), each hash recomputed here as\n"
    "      sha256(previous hash || the row's canonical text), seq without gaps,\n"
    "      ids rising, and the chain head agreeing with the last row. Prints\n"
    "      \"audit verify: N rows, chain intact up to seq S (hash H)\", or names the\n"
    "      first row that was changed, removed or inserted out of turn by its id\n"
    "      (exit 1). With --from, the checkpoint's row must still have its hash.\n"
    "  checkpoint\n"
    "      Writes an audit.checkpoint row and prints its link SEQ:HASH. Keep it\n"
    "      outside the database (a ticket, a mail to the auditor): whoever can\n"
    "      rewrite the whole log can also rewrite its chain, but not that copy.\n"
    "\n"
    "Exit status: 0 done (verify: the chain is intact), 1 failed (verify: it is\n"
    "not, or the database could not be read), 2 usage error.\n";

static int cmd_audit_tail(struct ctx *c, const struct ctl_args *a)
{
	return ctl_audit_tail(c->db, a->val[0], stdout, stderr);
}

static int cmd_audit_verify(struct ctx *c, const struct ctl_args *a)
{
	return ctl_audit_verify(c->db, a->val[0], stdout, stderr);
}

static int cmd_audit_checkpoint(struct ctx *c, const struct ctl_args *a)
{
	(void)a;
	return ctl_audit_checkpoint(c->db, stdout, stderr);
}

static const struct subcommand audit_subs[] = {
	{ "tail", { "-n=", NULL }, 0, "", cmd_audit_tail },
	{ "verify", { "--from=", NULL }, 0, "", cmd_audit_verify },
	{ "checkpoint", { NULL }, 0, "", cmd_audit_checkpoint },
};

static int cmd_audit(struct ctx *c, int argc, char **argv)
{
	return run_group(c, argc, argv, audit_subs, sizeof audit_subs / sizeof audit_subs[0],
	                 cmd_audit_synopsis, cmd_audit_help);
}

/* -- import -- */

static const char cmd_import_synopsis[] = "usage: " PROG " import users FILE.csv [--dry-run]\n";

static const char cmd_import_help[] =
    "\n"
    "  users FILE.csv [--dry-run]\n"
    "      Reads users from FILE.csv (\"-\": standard input): CSV (RFC 4180, UTF-8)\n"
    "      whose first line is the header\n"
    "          username,email,display name,roles\n"
    "      and then one user per line. roles holds role names separated by \";\",\n"
    "      e.g. \"Financiën;HR\" (blanks around a name are ignored).\n"
    "      For each line: a user who does not exist is created, without a password\n"
    "      (set one with \"" PROG " user passwd\"; an empty display name means the\n"
    "      user name); an existing user gets the email and display name of the file\n"
    "      when they differ (an empty display name keeps the stored one; the user's\n"
    "      active state is left alone); and the user is given the listed roles it\n"
    "      lacks. Roles the user has and the file does not list are kept: the\n"
    "      import only adds. Running the same file twice changes nothing the second\n"
    "      time.\n"
    "      The import is one transaction: any problem (malformed CSV, a NUL byte or\n"
    "      another control character in a field, an invalid user name or email, a\n"
    "      user or email twice in the file, an unknown role, an email another user\n"
    "      has) changes nothing; every problem found is named\n"
    "      as FILE:LINE: message, and the exit status is 1.\n"
    "      It prints what changes (create, update and grant lines) and a summary.\n"
    "      With --dry-run it does all of this in a transaction that is rolled back:\n"
    "      it prints what would change and changes nothing.\n"
    "      audit_log gets user.created, user.updated and role.member_added rows\n"
    "      (actor empty, via portalctl) and one import.users row with the counts.\n"
    "\n"
    "Exit status: 0 done, 1 failed (nothing was changed), 2 usage error.\n";

static int cmd_import_users(struct ctx *c, const struct ctl_args *a)
{
	return ctl_import_users(c->db, a->pos[0], a->flag[0], stdout, stderr);
}

static const struct subcommand import_subs[] = {
	{ "users", { "--dry-run", NULL }, 1, "FILE.csv", cmd_import_users },
};

static int cmd_import(struct ctx *c, int argc, char **argv)
{
	return run_group(c, argc, argv, import_subs, sizeof import_subs / sizeof import_subs[0],
	                 cmd_import_synopsis, cmd_import_help);
}

/* -- directory -- */

static const char cmd_directory_synopsis[] =
    "usage: " PROG " directory sync [--dry-run] [--force]\n";

static const char cmd_directory_help[] =
    "\n"
    "  sync [--dry-run] [--force]\n"
    "      Reads the users under PORTAL_LDAP_BASE that match PORTAL_LDAP_USER_FILTER\n"
    "      (page by page) and their groups (memberOf, or the member attribute of\n"
    "      the groups: PORTAL_LDAP_GROUPS), binding as PORTAL_LDAP_BIND_DN with the\n"
    "      password in PORTAL_LDAP_BIND_PASSWORD_FILE. Then, per user: creates it\n"
    "      (without a password) or updates its email and display name; gives the\n"
    "      roles its groups are mapped to (\"role map-group\") and takes those the\n"
    "      sync gave that its groups no longer give (a role given by hand is never\n"
    "      taken); activates again a user the sync had deactivated. Users the sync\n"
    "      made or matched before and who are gone from the directory are\n"
    "      deactivated, their sessions ended; users made by hand and never seen in\n"
    "      the directory are left alone. It refuses (changing nothing) to\n"
    "      deactivate more than PORTAL_LDAP_DEACTIVATE_MAX (5) users and more than\n"
    "      PORTAL_LDAP_DEACTIVATE_MAX_PERCENT (10) % of the active users it knows\n"
    "      in one run, unless --force.\n"
    "      The directory is read whole before anything is changed: a server that\n"
    "      cannot be reached, refused credentials, a bad filter or base change\n"
    "      nothing (exit 1). It prints every change and a summary, and logs it;\n"
    "      audit_log gets each change (via directory) and one directory.synced row.\n"
    "      --dry-run does all of it in a transaction that is rolled back: it prints\n"
    "      what would change and changes nothing.\n"
    "\n"
    "Exit status: 0 done, 1 failed or refused (the message says why), 2 usage error.\n";

static int cmd_directory_sync(struct ctx *c, const struct ctl_args *a)
{
	return ctl_directory_sync(c->db, &c->cfg, a->flag[0], a->flag[1], stdout, stderr);
}

static const struct subcommand directory_subs[] = {
	{ "sync", { "--dry-run", "--force", NULL }, 0, "", cmd_directory_sync },
};

static int cmd_directory(struct ctx *c, int argc, char **argv)
{
	return run_group(c, argc, argv, directory_subs,
	                 sizeof directory_subs / sizeof directory_subs[0], cmd_directory_synopsis,
	                 cmd_directory_help);
}

/* -- links -- */

static const char cmd_links_synopsis[] =
    "usage: " PROG " links check [--parallel N] [--timeout S] [--reports ID,...]\n";

static const char cmd_links_help[] =
    "\n"
    "  check [--parallel N] [--timeout S] [--reports ID,...]\n"
    "      Requests the URL of every published report (or of those listed), at\n"
    "      most N at once (default 8, at most 64): HEAD, and GET where HEAD is\n"
    "      refused (an answer of 400 or more, or none), each request within S\n"
    "      seconds (default 10, at most 300), redirects followed up to 5, http and\n"
    "      https only, as \"" LINKS_USER_AGENT "\".\n"
    "      A link works when the final answer is 200-399, or 401/403 (it asks for\n"
    "      a sign-in). Stores each outcome (status or failure, time taken, when)\n"
    "      and counts the failures in a row; a link that failed twice in a row is\n"
    "      listed for administrators on /admin/links and warned of on the report's\n"
    "      admin page. Prints one line per report: id, result (the status code, or\n"
    "      the failure: timeout, dns, connect, tls, redirects, protocol, other),\n"
    "      ms, failed (in a row) and url; then how many failed. One check runs at a\n"
    "      time. Not audited: it changes no one's access.\n"
    "\n"
    "Exit status: 0 it ran, whatever it found; 1 it could not run (no database,\n"
    "another check running, an id that is no published report); 2 usage error.\n";

static int cmd_links_check(struct ctx *c, const struct ctl_args *a)
{
	return ctl_links_check(c->db, a->val[0], a->val[1], a->val[2], stdout, stderr);
}

static const struct subcommand links_subs[] = {
	{ "check", { "--parallel=", "--timeout=", "--reports=", NULL }, 0, "", cmd_links_check },
};

static int cmd_links(struct ctx *c, int argc, char **argv)
{
	return run_group(c, argc, argv, links_subs, sizeof links_subs / sizeof links_subs[0],
	                 cmd_links_synopsis, cmd_links_help);
}

/* ---- status ---------------------------------------------------------------- */

static const char cmd_status_help[] =
    "usage: " PROG " status [--socket PATH]...\n"
    "\n"
    "Asks each pool over its FastCGI socket for its status page (GET /status, or\n"
    "/admin/status for the admin pool) and prints it, headed by \"== SOCKET\":\n"
    "workers with pid, state and requests served, the totals, restarts and\n"
    "uptime. Without --socket: /run/rapportageportaal/portal.sock and\n"
    "/run/rapportageportaal/admin.sock (run as root or a member of www-data).\n"
    "In the dev environment of make start:\n"
    "    " PROG " status --socket var/run/portal.sock --socket var/run/admin.sock\n"
    "\n"
    "Exit status: 0 every pool answered, 1 one did not (the error says which),\n"
    "2 usage error.\n";

/* Needs no database: the pools answer for themselves. */
static int cmd_status(struct ctx *c, int argc, char **argv)
{
	(void)c;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--socket") == 0) {
			i++;
			continue;
		}
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(cmd_status_help, stdout);
			return 0;
		}
	}
	return status_command(argc, argv, stdout, stderr);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	}
	return NULL;
}

/*
 * Makes the database handle with the statements of tables (a NULL-terminated
 * list of { NULL }-terminated arrays, copied into one: db_new takes a single
 * array) and, when connect_now, connects. Commands that check their values
 * first pass 0: the first statement connects. Returns 0, or -1 with the
 * message printed.
 */
static int open_db(struct ctx *c, int statement_timeout, const struct db_stmt *const *tables,
                   int connect_now)
{
	size_t n = 0, k = 0;

	if (c->cfg.database_url[0] == '\0') {
		fprintf(stderr, PROG ": DATABASE_URL is not set\n"
		                     "HINT:  Set it in the environment or in .env, e.g. "
		                     "DATABASE_URL=postgresql://portal_owner@localhost:5432/"
		                     "rapportageportaal\n");
		return -1;
	}
	for (size_t t = 0; tables != NULL && tables[t] != NULL; t++) {
		for (const struct db_stmt *s = tables[t]; s->name != NULL; s++)
			n++;
	}
	c->stmts = calloc(n + 1, sizeof *c->stmts);
	if (c->stmts == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return -1;
	}
	for (size_t t = 0; tables != NULL && tables[t] != NULL; t++) {
		for (const struct db_stmt *s = tables[t]; s->name != NULL; s++)
			c->stmts[k++] = *s;
	}
	c->db = db_new(c->cfg.database_url, statement_timeout, c->stmts, n);
	if (c->db == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return -1;
	}
	if (connect_now && db_connect(c->db) != DB_OK) {
		fprintf(stderr, PROG ": could not connect to the database: %s\n",
		        db_last_message(c->db));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct command *cmd;
	const char *env = NULL;
	struct ctx c = { 0 };
	char err[1024];
	int i = 1, rc;

	if (i < argc && strcmp(argv[i], "--env") == 0) {
		if (i + 1 >= argc) {
			fprintf(stderr, PROG ": --env needs a file name\n");
			usage(stderr);
			return 2;
		}
		env = argv[i + 1];
		i += 2;
		if (access(env, R_OK) != 0) {
			fprintf(stderr, PROG ": could not read --env file \"%s\": %s\n", env,
			        strerror(errno));
			return 1;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
		return cmd_help(&c, argc - i, argv + i);
	if (strcmp(argv[i], "--version") == 0)
		return cmd_version(&c, argc - i, argv + i);
	cmd = find_command(argv[i]);
	if (cmd == NULL) {
		fprintf(stderr, PROG ": unknown command \"%s\"\n", argv[i]);
		usage(stderr);
		return 2;
	}

	if (cfg_load(&c.cfg, environ, env ? env : ".env", err, sizeof err) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	log_set_level(c.cfg.log_level);
	/* Connects without a statement_timeout: a migration may build a big index. */
	if (cmd->needs_db && open_db(&c, 0, NULL, 1) != 0) {
		db_free(c.db);
		free(c.stmts);
		return 1;
	}
	rc = cmd->run(&c, argc - i, argv + i);
	db_free(c.db);
	free(c.stmts);
	return rc;
}
