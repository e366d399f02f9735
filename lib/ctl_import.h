/*
 * ctl_import: portalctl's import of users from a CSV file, all or nothing:
 * the whole file is read and checked first (lib/csv's reader, the value
 * checks of `user add`), then created, updated and granted in one
 * transaction, with a summary audit row; a dry run changes nothing.
 *
 * The command functions validate their values first, then connect (a bad
 * value never waits for the database), then print to out (results) and err
 * (messages "portalctl: ..." naming the offending value). They return the
 * exit status: 0 done (also "already so, nothing changed"), 1 failed.
 */
#ifndef CTL_IMPORT_H
#define CTL_IMPORT_H

#include <stddef.h>
#include <stdio.h>

#include "arena.h"
#include "buf.h"
#include "db.h"

/* The statements of this module, terminated by { NULL }. The handle must
 * also hold users_stmts and grants_stmts. */
extern const struct db_stmt ctl_import_stmts[];

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

/* path "-" reads standard input. */
int ctl_import_users(struct db *db, const char *path, int dry_run, FILE *out, FILE *err);

#endif
