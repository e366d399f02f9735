/*
 * ctl_admin: what is behind portalctl's role, report, access, audit and
 * import commands: their SQL, the checks of their values, the CSV import of
 * users, and the console output. Every change is one statement with its
 * audit_log row (actor NULL, details "via": "portalctl"); grants go through
 * admin_grants, as the admin pool's do.
 *
 * The command functions validate their values first, then connect (a bad
 * value never waits for the database), then print to out (results) and err
 * (messages "portalctl: ..." naming the offending value). They return the
 * exit status: 0 done (also "already so, nothing changed"), 1 failed.
 */
#ifndef CTL_ADMIN_H
#define CTL_ADMIN_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdio.h>

#include "admin_reports.h"
#include "arena.h"
#include "buf.h"
#include "db.h"

/* The statements of this module, terminated by { NULL }. The handle must
 * also hold admin_grants_stmts (role grant-*, import users). */
extern const struct db_stmt ctl_stmts[];

/* ---- arguments ----------------------------------------------------------- */

enum { CTL_MAX_ARGS = 4, CTL_MAX_OPTS = 8 };

/* The parsed arguments of one subcommand; strings point into argv. */
struct ctl_args {
	int help; /* --help or -h was given */
	int npos; /* positional arguments */
	const char *pos[CTL_MAX_ARGS];
	const char *val[CTL_MAX_OPTS]; /* value of opts[i], NULL when not given */
	int flag[CTL_MAX_OPTS];        /* 1 when flag opts[i] was given */
};

/*
 * Parses argv (argv[0] is the subcommand, used in messages). opts is a
 * NULL-terminated list of at most CTL_MAX_OPTS names: "--title=" takes a
 * value (as "--title T" or "--title=T"), "--dry-run" is a flag. Options go
 * before or after the positional arguments; "--" ends them. Exactly
 * nargs positional arguments are expected; args_text names them for the
 * message ("ROLE USER"). Returns 0 (also for --help, with a->help set), or
 * -1 with a message in err ("grant-user: missing argument (expected ROLE
 * USER)", "list: unknown option \"--x\"", "add: --title given twice").
 */
int ctl_parse_args(int argc, char **argv, const char *const *opts, int nargs, const char *args_text,
                   struct ctl_args *a, char *err, size_t errlen);

/* ---- values -------------------------------------------------------------- */

/* A database id: 1 to 18 decimal digits, not starting with 0. Returns 0
 * with *id, or -1. */
int ctl_parse_id(const char *s, long long *id);

/* Role name: not blank, at most 100 characters, valid UTF-8, no control
 * characters. Description: at most 2000 characters of valid UTF-8. Return
 * 0, or -1 with a message naming the value in err. */
int ctl_check_role_name(const char *s, char *err, size_t errlen);
int ctl_check_role_description(const char *s, char *err, size_t errlen);

/* 1 when s is draft, published or archived. */
int ctl_status_ok(const char *s);

/* Checks a report as the admin form does (admin_report_check): appends one
 * line per problem to msgs, naming the value ("invalid URL \"ftp://x\": ...").
 * Returns the number of problems. */
int ctl_check_report(const struct report_form *f, struct buf *msgs);

/* Appends the PostgreSQL array literal of items ({"a","b \"c\""}) to out. */
void ctl_text_array(struct buf *out, const char *const *items, size_t n);

/* ---- the CSV import of users ----------------------------------------------- */

struct ctl_import_row {
	long line;                /* where the record starts in the file */
	const char *username;     /* trimmed, checked */
	const char *email;        /* trimmed, checked */
	const char *display_name; /* trimmed; "" keeps the stored one (new: the username) */
	size_t nroles;
	size_t *roles; /* indexes into ctl_import.role_names */
};

struct ctl_import {
	struct arena arena; /* every string and array below */
	struct ctl_import_row *rows;
	size_t nrows;
	const char **role_names; /* distinct (ASCII case-insensitive), sorted */
	long *role_line;         /* the first line that names each */
	size_t nroles;
};

/*
 * Parses a users file: RFC 4180 CSV (fields in double quotes may hold
 * commas, quotes written twice and line breaks; lines end in LF or CRLF; a
 * UTF-8 byte order mark is skipped; blank lines are skipped). The first
 * record is the header "username,email,display name,roles" (names in any
 * case, "display_name" accepted). Every record has those 4 fields; roles
 * are separated by ';' inside the field, with blanks around each name
 * ignored. Usernames and emails may each appear once in the file (case is
 * ignored). Values are checked as `user add` checks them.
 *
 * All len bytes count: a NUL byte, another C0 control character or DEL in
 * any field, quoted or not, is a problem of its line ("field 1 holds a NUL
 * byte"), as is a CR that ends no line. A tab, or a line break inside a
 * quoted field, is read as CSV reads it, and then refused inside a value
 * by the value checks (a tab around a value is a blank, trimmed).
 *
 * Returns the number of problems (0: im is filled), each appended to errs
 * as "FILE:LINE: message\n"; after 50 it stops. im is always to be freed
 * with ctl_import_free.
 */
int ctl_import_parse(const char *data, size_t len, const char *fname, struct ctl_import *im,
                     struct buf *errs);
void ctl_import_free(struct ctl_import *im);

/* ---- the commands ---------------------------------------------------------- */

int ctl_role_add(struct db *db, const char *name, const char *description, FILE *out, FILE *err);
int ctl_role_list(struct db *db, FILE *out, FILE *err);
/* grant-user / revoke-user (grant 1 / 0): ROLE by name, USER by username. */
int ctl_role_user(struct db *db, int grant, const char *role, const char *user, FILE *out,
                  FILE *err);
/* grant-report / revoke-report: ROLE by name, REPORT by id. */
int ctl_role_report(struct db *db, int grant, const char *role, const char *report, FILE *out,
                    FILE *err);

/* Prints the new id alone on a line. f->category NULL: "Algemeen",
 * description NULL: "", status NULL: "draft". */
int ctl_report_add(struct db *db, const struct report_form *f, FILE *out, FILE *err);
int ctl_report_list(struct db *db, FILE *out, FILE *err);
int ctl_report_set_status(struct db *db, const char *id, const char *status, FILE *out, FILE *err);

int ctl_access_user(struct db *db, const char *username, FILE *out, FILE *err);
int ctl_access_report(struct db *db, const char *id, FILE *out, FILE *err);
/* The access matrix as CSV (lib/csv.h), streamed through a cursor. */
int ctl_access_export(struct db *db, FILE *out, FILE *err);
extern const char ctl_access_export_sql[];
extern const char *const ctl_access_export_header[]; /* NULL-terminated */

/* n: NULL for 20, else 1 to 10000. */
int ctl_audit_tail(struct db *db, const char *n, FILE *out, FILE *err);

/* path "-" reads standard input. */
int ctl_import_users(struct db *db, const char *path, int dry_run, FILE *out, FILE *err);

#endif
