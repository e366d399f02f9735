/*
 * users: the one home of the operations on users, for every front end (the
 * admin pool's handlers, `portalctl user`): create, change (display name,
 * email, superuser, active), set or reset the password, unlock. Each is one
 * statement that checks its rules (a taken name or email, the last active
 * superuser, a stale edit, "already so" as no change), makes the change and
 * writes its audit_log row with the actor, the channel and the client's
 * address, so the log cannot miss a change. A front end reads its input,
 * calls one of them and turns the enum it returns into a page or a message.
 * The parts of `portalctl user` that need no database (arguments, reading a
 * password from a pipe or a terminal, the policy messages, the table) are
 * here as well, where tests can reach them.
 */
#ifndef USERS_H
#define USERS_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdio.h>

#include "audit.h"
#include "auth.h"
#include "buf.h"
#include "db.h"

/* Bytes of one password line, without the newline: 256 characters of
 * 4-byte UTF-8 fit, anything longer fails the policy anyway. */
#define USERS_PASSWORD_MAX 1024

/* The statements of this module, terminated by { NULL }. */
extern const struct db_stmt users_stmts[];
/* The statement of users_provision_sso, for the portal pool alone. */
extern const struct db_stmt users_sso_stmts[];

enum users_cmd {
	USERS_ADD,
	USERS_PASSWD,
	USERS_UNLOCK,
	USERS_EXPIRE,
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
 * Parses argv (argv[0] is the subcommand: add, passwd, unlock, expire,
 * deactivate, activate, list, help). Options may be given as "--email E" or
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
	USERS_NOT_FOUND,      /* no such user */
	USERS_EXISTS,         /* create: the username is taken (in any case) */
	USERS_EMAIL_TAKEN,    /* create, update: the email is another user's */
	USERS_UNCHANGED,      /* update: already so; nothing written */
	USERS_LAST_SUPERUSER, /* update: refused, nobody could administer */
	USERS_STALE,          /* update: changed since the version given */
	USERS_NO_PASSWORD,    /* expire: the account has no password to expire */
	USERS_DB_ERROR,       /* the database failed: o->db and db_last_message() say why */
};

/* What a call found or did. */
struct users_outcome {
	enum db_status db;      /* on USERS_DB_ERROR: how the database failed */
	long long id;           /* the user's id (0 when not found) */
	char username[260];     /* as stored; for USERS_EMAIL_TAKEN by create: whose it is */
	long sessions_ended;    /* update (deactivation), set_password */
	int refused;            /* update: the last active superuser would go */
	int email_taken;        /* update: the email is another user's */
	long failed_logins;     /* unlock: the count before */
	char locked_until[32];  /* unlock: the lock it lifted, "" when none was in force */
	long throttled;         /* unlock: addresses whose sign-in throttling it lifted */
	int created, updated;   /* provision: which it did */
	char email[256];        /* provision: the email before an update */
	char display_name[808]; /* provision: the display name before an update */
};

/* A new user. superuser and must_change_password 0 or 1; phc the argon2id
 * PHC string, or NULL for an account that cannot sign in until a password
 * is set. */
struct users_new {
	const char *username, *email, *display_name, *phc;
	int superuser, must_change_password;
};

/*
 * Creates the user, audit 'user.created' (details: via, the row as stored
 * but its hash, whether it has a password). Returns USERS_OK (o->id,
 * o->username), USERS_EXISTS (o->username: who has the name; also a
 * concurrent insert of the same name), USERS_EMAIL_TAKEN (o->username:
 * whose it is) or USERS_DB_ERROR.
 */
enum users_status users_create(struct db *db, const struct audit_actor *a,
                               const struct users_new *u, struct users_outcome *o);

/*
 * Provisions user u->username from a list kept elsewhere (the CSV import,
 * the directory sync), source naming it (the file, the entry's DN) in the audit row:
 * creates the user without a password (audit 'user.created'), or updates
 * email and display name where they differ (u->display_name "" keeps the
 * stored one; audit 'user.updated' with before and after). Only
 * username, email and display_name of u are read. Returns USERS_OK
 * (o->created or o->updated set, o->id; o->email and o->display_name the
 * values before an update), USERS_UNCHANGED (o->id), USERS_EMAIL_TAKEN
 * (o->username: whose it is; nothing written) or USERS_DB_ERROR.
 */
enum users_status users_provision(struct db *db, const struct audit_actor *a,
                                  const struct users_new *u, const char *source,
                                  struct users_outcome *o);

/*
 * Appends to out the line a front end prints for users_provision's outcome o
 * of u: "create user "NAME" (EMAIL, "DISPLAY NAME")" or "update user "NAME":"
 * with each field that changed (email a -> b, name "a" -> "b"), then a
 * newline; nothing when o says neither. The CSV import and the directory
 * sync both print it.
 */
void users_describe_provision(struct buf *out, const struct users_new *u,
                              const struct users_outcome *o);

/*
 * The portal pool's provisioning at a single sign-on (PORTAL_SSO_PROVISION=1):
 * creates username with email, no password, no role, through the same
 * provisioning as users_provision (schema/0016: sso_user_provision() calls
 * user_provision(), audit 'user.created' with channel sso and source
 * "sso:METHOD"). Never changes an existing user. USERS_OK (o->id),
 * USERS_EXISTS (the name or address is taken, also by a concurrent
 * sign-in; nothing written) or USERS_DB_ERROR.
 */
enum users_status users_provision_sso(struct db *db, const char *ip, const char *username,
                                      const char *email, const char *method,
                                      struct users_outcome *o);

/* Looks the user up by name (any case). USERS_OK with o->id and
 * o->username, USERS_NOT_FOUND or USERS_DB_ERROR. */
enum users_status users_find(struct db *db, const char *name, struct users_outcome *o);

/* A change of a user: NULL (or -1) keeps a value. version: the updated_at
 * the change was based on (an edit form's), NULL for whatever is stored. */
struct users_change {
	const char *version;
	const char *display_name, *email;
	int superuser, active; /* 0, 1, or -1: keep */
};

/*
 * Changes user id, audit 'user.updated', 'user.deactivated' or
 * 'user.activated' (details: via, before and after, sessions ended).
 * Deactivating ends every session of the user (and an inactive user keeps
 * none: any left are ended, o->sessions_ended). Returns USERS_OK,
 * USERS_UNCHANGED (already so), USERS_NOT_FOUND, USERS_STALE,
 * USERS_LAST_SUPERUSER or USERS_EMAIL_TAKEN (both may hold: o->refused,
 * o->email_taken), or USERS_DB_ERROR. The active superusers are locked for
 * the check: two concurrent calls cannot take away the last two.
 */
enum users_status users_update(struct db *db, const struct audit_actor *a, long long id,
                               const struct users_change *c, struct users_outcome *o);

/*
 * Sets user id's password (phc) and password_changed_at, clears
 * failed_logins, locked_until and the sign-in throttling of the user's name,
 * and ends every session of the user (o->sessions_ended). must_change 1: the
 * user chooses their own at the next sign-in (audit 'password.reset'), 0:
 * not, -1: as it was (both 'password.set'). USERS_OK, USERS_NOT_FOUND or
 * USERS_DB_ERROR.
 */
enum users_status users_set_password(struct db *db, const struct audit_actor *a, long long id,
                                     const char *phc, int must_change, struct users_outcome *o);

/* failed_logins = 0, locked_until = NULL, the user's login_throttle rows
 * deleted (login_throttle_clear), audit 'account.unlocked' with what was
 * lifted (o->failed_logins, o->locked_until, o->throttled). */
enum users_status users_unlock(struct db *db, const struct audit_actor *a, long long id,
                               struct users_outcome *o);

/* Expires user id's password: the user must choose a new one at the next
 * page (must_change_password), without anyone knowing it in between; the
 * password itself, the sessions and a lock stay. Audit 'password.expired'.
 * USERS_OK, USERS_UNCHANGED (expired already; nothing written),
 * USERS_NO_PASSWORD, USERS_NOT_FOUND or USERS_DB_ERROR. */
enum users_status users_expire_password(struct db *db, const struct audit_actor *a, long long id,
                                        struct users_outcome *o);

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
