/*
 * ctl: what every portalctl command module (ctl_roles, ctl_reports,
 * ctl_access, ctl_audit, ctl_import; users for the user commands) shares:
 * one argument parser for all subcommands, database ids, array literals, and
 * the database calls that print their own failure as "portalctl: could not
 * WHAT: reason". The statement tables of those modules all go into
 * portalctl's one database handle (cgi-bin/portalctl.c).
 */
#ifndef CTL_H
#define CTL_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "db.h"

#define CTL_PROG "portalctl"

/* SQL pieces the modules' statements share: a day in Amsterdam, yes/no. */
#define CTL_DAY(col)    "to_char(" col " AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD')"
#define CTL_YES_NO(col) "CASE WHEN " col " THEN 'yes' ELSE 'no' END"
/* An instant, Dutch local time with its offset then ("2027-03-31 17:00+01",
 * "2027-07-01 09:00+02"; not the session's TimeZone), "" for NULL. */
#define CTL_TIME(col)                                                                              \
	"coalesce(to_char(" col " AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD HH24:MI') || '+'"   \
	" || lpad((extract(epoch FROM (" col " AT TIME ZONE 'Europe/Amsterdam') - (" col           \
	" AT TIME ZONE 'UTC')) / 3600)::int::text, 2, '0'), '')"

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

/* Appends the PostgreSQL array literal of items ({"a","b \"c\""}) to out. */
void ctl_text_array(struct buf *out, const char *const *items, size_t n);

/* ---- database calls -------------------------------------------------------- */

/* Connects; on failure prints "could not connect to the database" to err
 * and returns -1. */
int ctl_open(struct db *db, FILE *err);

/* Prints "could not WHAT: reason" to err, the reason the database's last
 * message ("the database failed" when it gave none). */
void ctl_db_failed(struct db *db, const char *what, FILE *err);

/* Runs statement stmt with its n parameters; on failure prints "could not
 * WHAT: reason" to err and returns NULL. The caller PQclears. */
PGresult *ctl_run(struct db *db, const char *stmt, int n, const char *const *p, const char *what,
                  FILE *err);

/* Prints res as a table (lib/table.h: "N one" / "N many" under it) and
 * PQclears it. Returns the exit status. */
int ctl_print_table(PGresult *res, const char *one, const char *many, FILE *out, FILE *err);

/* ctl_run, then ctl_print_table. Returns the exit status. */
int ctl_list(struct db *db, const char *stmt, int n, const char *const *p, const char *what,
             const char *one, const char *many, FILE *out, FILE *err);

/* Writes the CSV of select with its n parameters p and header to out
 * (lib/admin_access.h, admin_csv_export: one transaction, streamed); on
 * failure prints "the export failed: reason" to err. Connected already.
 * Returns the exit status. */
int ctl_export_csv(struct db *db, const char *select, int n, const char *const *p,
                   const char *const *header, FILE *out, FILE *err);

/* 1 when column col of row row is boolean true. */
int ctl_is_true(const PGresult *res, int row, int col);

#endif
