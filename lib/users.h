/*
 * users: the user administration behind `portalctl user`: add, set a
 * password, unlock, deactivate, activate and list. Every change is one
 * statement that writes its audit_log row too (actor NULL: the operator at
 * the console), so the log cannot miss a change. The parts that need no
 * database (arguments, reading a password from a pipe or a terminal, the
 * policy messages, the table) are here as well, where tests can reach them.
 */
#ifndef USERS_H
#define USERS_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdio.h>

#include "auth.h"
#include "db.h"

/* Bytes of one password line, without the newline: 256 characters of
 * 4-byte UTF-8 fit, anything longer fails the policy anyway. */
#define USERS_PASSWORD_MAX 1024

/* The statements of this module, terminated by { NULL }. */
extern const struct db_stmt users_stmts[];

enum users_cmd {
	USERS_ADD,
	USERS_PASSWD,
	USERS_UNLOCK,
	USERS_DEACTIVATE,
	USERS_ACTIVATE,
	USERS_LIST,
	USERS_HELP,
};

/* The parsed arguments of `portalctl user SUBCOMMAND ...`; strings point
 * into argv. */
struct users_args {
	enum users_cmd cmd;
	const char *name;         /* the username; NULL for list and help */
	const char *email;        /* add: required */
	const char *display_name; /* add: NULL means the username */
	int superuser;            /* add --superuser */
	int password_stdin;       /* add --password-stdin */
};

/*
 * Parses argv (argv[0] is the subcommand: add, passwd, unlock, deactivate,
 * activate, list, help). Options may be given as "--email E" or
 * "--email=E", before or after NAME; "--" ends the options. Returns 0, or
 * -1 with a message in err such as
 *   add: missing --email
 *   unlock: unexpected argument "x"
 *   frob: unknown subcommand
 * (a usage error: exit status 2). The values themselves are checked by
 * users_check_new.
 */
int users_parse_args(int argc, char **argv, struct users_args *a, char *err, size_t errlen);

/* Checks name, email and display name of an add against the rules of the
 * users table (below), so that a bad value is named before anything is
 * read or written. Returns 0, or -1 with the message in err. */
int users_check_new(const struct users_args *a, char *err, size_t errlen);

/* Each returns 0, or -1 with a message naming the value in err:
 * username: 1 to 64 characters of UTF-8, no white space or control characters;
 * email: at most 254 characters, local@domain.tld with no white space,
 *   control characters or second "@" (the users_email_check constraint);
 * display name: not blank, at most 200 characters, no control characters. */
int users_check_username(const char *s, char *err, size_t errlen);
int users_check_email(const char *s, char *err, size_t errlen);
int users_check_display_name(const char *s, char *err, size_t errlen);

/* The policy result in plain English for the console ("shorter than 12
 * characters"); "" for AUTH_POLICY_OK. */
const char *users_policy_text(enum auth_policy p);

/*
 * Reads one password line from fd (a pipe or a file): the bytes up to the
 * first '\n' or the end of input; only that '\n' is removed (a '\r' or
 * spaces are part of the password). Reads byte by byte, so nothing after
 * the line is consumed. out needs USERS_PASSWORD_MAX + 1 bytes. Returns the
 * length, or -1 with a message in err: no input at all, a line longer than
 * USERS_PASSWORD_MAX bytes, a NUL byte, a read error. out is wiped on error.
 */
int users_read_password(int fd, char *out, size_t outlen, char *err, size_t errlen);

/*
 * Asks for a new password on a terminal: writes "New password: " to
 * prompt_fd, reads a line from tty_fd without echo, then "Repeat: " and a
 * second line; the two must match. Echo is restored on every path,
 * including SIGINT, SIGTERM, SIGHUP and SIGQUIT (the handler restores the
 * terminal, then the signal takes its default course). Returns the length,
 * or -1 with a message in err. out needs USERS_PASSWORD_MAX + 1 bytes.
 */
int users_prompt_password(int tty_fd, int prompt_fd, char *out, size_t outlen, char *err,
                          size_t errlen);

enum users_status {
	USERS_OK = 0,
	USERS_NOT_FOUND,      /* no user with that name */
	USERS_EXISTS,         /* add: the username is taken (in any case) */
	USERS_EMAIL_TAKEN,    /* add: the email is used by another user */
	USERS_UNCHANGED,      /* (de)activate: already in that state; nothing written */
	USERS_LAST_SUPERUSER, /* deactivate: refused, nobody could administer */
	USERS_DB_ERROR,       /* the database failed: db_last_message() says why */
};

/* What a call found or did. */
struct users_outcome {
	long long id;          /* the user's id (0 when not found) */
	char username[260];    /* as stored; for USERS_EMAIL_TAKEN the user who has the email */
	long sessions_ended;   /* passwd, deactivate */
	long failed_logins;    /* unlock: the count before */
	char locked_until[32]; /* unlock: the lock it lifted, "" when none was in force */
	long throttled;        /* unlock: addresses whose sign-in throttling it lifted */
};

/*
 * Creates the user of a (cmd USERS_ADD). phc: the argon2id PHC string, or
 * NULL for an account that cannot sign in until a password is set. One
 * statement: the duplicate checks, the INSERT and the audit row
 * ('user.created'). Returns USERS_OK (o->id set), USERS_EXISTS,
 * USERS_EMAIL_TAKEN (o->username: whose it is) or USERS_DB_ERROR.
 */
enum users_status users_add(struct db *db, const struct users_args *a, const char *phc,
                            struct users_outcome *o);

/* Looks the user up by name (any case). USERS_OK with o->id and
 * o->username, USERS_NOT_FOUND or USERS_DB_ERROR. */
enum users_status users_find(struct db *db, const char *name, struct users_outcome *o);

/*
 * Sets the password (phc), password_changed_at, clears failed_logins,
 * locked_until and the sign-in throttling of the user's name, and ends every
 * session of the user, with the audit row ('password.set', {"via":
 * "portalctl", "sessions_ended": n, "throttled_addresses": m}).
 */
enum users_status users_set_password(struct db *db, const char *name, const char *phc,
                                     struct users_outcome *o);

/* failed_logins = 0, locked_until = NULL, the user's login_throttle rows
 * deleted (login_throttle_clear), audit 'account.unlocked'. */
enum users_status users_unlock(struct db *db, const char *name, struct users_outcome *o);

/*
 * is_active = false and every session ended, audit 'user.deactivated'.
 * The last active superuser is refused (USERS_LAST_SUPERUSER); the active
 * superusers are locked for the check, so two concurrent calls cannot
 * deactivate the last two. An inactive user gives USERS_UNCHANGED (any
 * session left is still ended).
 */
enum users_status users_deactivate(struct db *db, const char *name, struct users_outcome *o);

/* is_active = true, audit 'user.activated'; USERS_UNCHANGED when active. */
enum users_status users_activate(struct db *db, const char *name, struct users_outcome *o);

/* The list, sorted by username: a result for users_print_table (the caller
 * PQclear()s it), or NULL with *st. */
PGresult *users_list(struct db *db, enum db_status *st);

/*
 * Prints res as an aligned table: a header of the column names, a rule,
 * one line per row (columns padded to their widest value in characters,
 * not bytes, so "Financiën" lines up), and "(N users)". Returns 0, or -1
 * on a write error.
 */
int users_print_table(FILE *out, const PGresult *res);

#endif
