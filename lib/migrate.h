/*
 * migrate: brings a database up to the schema in a directory of numbered SQL
 * files (NNNN_name.sql). Each pending file runs in a transaction of its own
 * and is recorded in public.schema_migrations with the sha256 of its bytes
 * (computed by PostgreSQL, so no crypto library is needed). An applied file
 * that was edited afterwards stops everything: fix it by adding a new file.
 * Concurrent runs serialise on an advisory lock.
 */
#ifndef MIGRATE_H
#define MIGRATE_H

#include <libpq-fe.h>
#include <stdio.h>
#include <stddef.h>

#define MIGRATE_NAME_MAX 100 /* the part between "NNNN_" and ".sql" */

struct migrate_file {
	int version;                      /* 1..9999 */
	char name[MIGRATE_NAME_MAX + 1];  /* "tables" */
	char file[MIGRATE_NAME_MAX + 10]; /* "0002_tables.sql" */
	char path[4096];                  /* dir + "/" + file */
	char checksum[65];                /* sha256 hex, "" until computed */
};

/* A row of schema_migrations. */
struct migrate_applied {
	int version;
	char name[MIGRATE_NAME_MAX + 1];
	char checksum[65];
	char applied_at[40];
};

enum migrate_state {
	MIGRATE_PENDING, /* on disk, not applied */
	MIGRATE_APPLIED, /* applied, file unchanged */
	MIGRATE_EDITED,  /* applied, file changed since: an error */
	MIGRATE_MISSING, /* applied, file gone: a warning */
};

/* One version as seen from both sides; pointers into the merged arrays. */
struct migrate_row {
	int version;
	enum migrate_state state;
	const struct migrate_file *file;       /* NULL when MIGRATE_MISSING */
	const struct migrate_applied *applied; /* NULL when MIGRATE_PENDING */
};

/*
 * Classifies a directory entry name. Returns 1 for a migration name
 * (*version and name, of namelen bytes, filled), 0 for a name that is not
 * meant as a migration (it does not start with a digit: roles.sql, README.md)
 * and -1 for a malformed one ("001_x.sql", "0001-x.sql", "0001_x.sql~",
 * "0000_x.sql").
 */
int migrate_parse_name(const char *filename, int *version, char *name, size_t namelen);

/*
 * Lists the migrations in dir by version. Returns 0 with *files (malloc'd,
 * free() it; NULL when *n is 0) and *n, or -1 with err naming the file or
 * directory: a malformed name, two files with one version, an unreadable
 * directory.
 */
int migrate_list(const char *dir, struct migrate_file **files, size_t *n, char *err, size_t errlen);

/*
 * Merges the files (by version, checksums filled) with the recorded rows (by
 * version) into rows, which must hold nfiles + napplied entries, by version.
 * Returns the number of rows.
 */
size_t migrate_merge(const struct migrate_file *files, size_t nfiles,
                     const struct migrate_applied *applied, size_t napplied,
                     struct migrate_row *rows);

/* The 1-based line of the 1-based character position pos (as PostgreSQL
 * reports it, counting UTF-8 characters) in text of len bytes. */
int migrate_line_of(const char *text, size_t len, long pos);

struct migrate_opts {
	const char *dir;  /* the schema directory */
	const char *prog; /* prefix of messages on err, e.g. "portalctl" */
	FILE *out;        /* progress and the status table */
	FILE *err;        /* warnings and errors */
};

/*
 * Applies every pending migration in order, connected as the owner of the
 * database. Nothing is applied when an applied file was edited. Returns 0
 * (also when there was nothing to do) or 1 after writing why on o->err.
 */
int migrate_apply(PGconn *conn, const struct migrate_opts *o);

/*
 * Writes one line per version (version, state, applied_at, file) on o->out
 * without changing the database. Returns 0, or 1 when an applied file was
 * edited or on error.
 */
int migrate_status(PGconn *conn, const struct migrate_opts *o);

#endif
