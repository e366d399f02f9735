/*
 * migrate: the schema migration runner behind `portalctl migrate`. Lists the
 * numbered SQL files, compares them with public.schema_migrations and applies
 * what is pending, one transaction per file, serialised by an advisory lock.
 */
#include "migrate.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The SQL below is laid out by hand, one clause a line. */
/* clang-format off */

/* Starts a migration's transaction, quiet about notices, holding the
 * advisory lock that serialises runs. Any fixed number will do, as long as
 * nothing else in the database uses it. */
#define BEGIN_LOCKED \
	"BEGIN; SET LOCAL client_min_messages = warning; " \
	"SELECT pg_advisory_xact_lock(7264183011)"

/* The sha256 of $1 (bytea) in hex: a file's checksum. */
static const char sql_checksum[] = "SELECT encode(sha256($1), 'hex')";

/* Creates the table of applied migrations when there is none, under the
 * lock, in its own transaction. */
static const char sql_create_table[] =
	BEGIN_LOCKED "; "
	"CREATE TABLE IF NOT EXISTS public.schema_migrations ("
	" version integer PRIMARY KEY CHECK (version > 0),"
	" name text NOT NULL,"
	" checksum text NOT NULL,"
	" applied_at timestamptz NOT NULL DEFAULT now()); "
	"COMMIT";

/* Whether the table of applied migrations exists. */
static const char sql_table_exists[] =
	"SELECT to_regclass('public.schema_migrations') IS NOT NULL";

/* Every applied migration, by version. */
static const char sql_applied_list[] =
	"SELECT version, name, checksum,"
	" to_char(applied_at, 'YYYY-MM-DD HH24:MI:SSOF')"
	" FROM public.schema_migrations ORDER BY version";

/* The checksum of migration $1 when it is applied (no row when not). */
static const char sql_applied_checksum[] =
	"SELECT checksum FROM public.schema_migrations WHERE version = $1";

/* Records migration $1 (version), $2 (name), $3 (checksum) as applied. */
static const char sql_record_applied[] =
	"INSERT INTO public.schema_migrations (version, name, checksum)"
	" VALUES ($1, $2, $3)";

/* clang-format on */

/* A migration is SQL text, not data: anything bigger is a mistake. */
#define MAX_FILE_BYTES (64L * 1024 * 1024)

#define BYTEAOID 17

struct plan {
	struct migrate_file *files;
	char **texts; /* file contents, NUL-terminated, parallel to files */
	size_t *lens;
	size_t nfiles;
	struct migrate_applied *applied;
	size_t napplied;
	struct migrate_row *rows;
	size_t nrows;
};

static void say(const struct migrate_opts *o, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(const struct migrate_opts *o, const char *level, const char *fmt, ...)
{
	va_list ap;

	fprintf(o->err, "%s: %s: ", o->prog, level);
	va_start(ap, fmt);
	vfprintf(o->err, fmt, ap);
	va_end(ap);
	fputc('\n', o->err);
}

/* The server's message without the trailing newline libpq keeps. */
static void say_pq(const struct migrate_opts *o, const char *what, const char *pqmsg)
{
	size_t n = strlen(pqmsg);

	while (n > 0 && (pqmsg[n - 1] == '\n' || pqmsg[n - 1] == ' '))
		n--;
	say(o, "error", "%s: %.*s", what, (int)n, pqmsg);
}

int migrate_parse_name(const char *filename, int *version, char *name, size_t namelen)
{
	const char *p = filename;
	const char *stem;
	size_t n;
	int v = 0;

	if (!isdigit((unsigned char)p[0]))
		return 0;
	for (int i = 0; i < 4; i++, p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (*p++ != '_' || v == 0)
		return -1;
	stem = p;
	n = strlen(stem);
	if (n <= 4 || strcmp(stem + n - 4, ".sql") != 0)
		return -1;
	n -= 4;
	if (n > MIGRATE_NAME_MAX || n + 1 > namelen)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)stem[i];
		if (!(isalnum(c) || c == '_' || c == '-') || c > 127)
			return -1;
	}
	memcpy(name, stem, n);
	name[n] = '\0';
	*version = v;
	return 1;
}

static int cmp_version(const void *a, const void *b)
{
	const struct migrate_file *x = a;
	const struct migrate_file *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

int migrate_list(const char *dir, struct migrate_file **files, size_t *n, char *err, size_t errlen)
{
	struct migrate_file *v = NULL;
	size_t len = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	*files = NULL;
	*n = 0;
	d = opendir(dir);
	if (d == NULL) {
		snprintf(err, errlen, "could not open schema directory \"%s\": %s", dir,
		         strerror(errno));
		return -1;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		struct migrate_file f;
		struct stat st;
		int r;

		if (de->d_name[0] == '.')
			continue;
		memset(&f, 0, sizeof f);
		r = migrate_parse_name(de->d_name, &f.version, f.name, sizeof f.name);
		if (r == 0)
			continue;
		if (r < 0) {
			snprintf(
			    err, errlen,
			    "%s/%s: not a valid migration name (expected NNNN_name.sql: four "
			    "digits from 0001, \"_\", letters, digits, \"_\" or \"-\", \".sql\")",
			    dir, de->d_name);
			goto fail;
		}
		if ((size_t)snprintf(f.path, sizeof f.path, "%s/%s", dir, de->d_name) >=
		    sizeof f.path) {
			snprintf(err, errlen, "%s: path too long", de->d_name);
			goto fail;
		}
		/* parse_name bounded the length: at most 4 + 1 + MIGRATE_NAME_MAX + 4 */
		memcpy(f.file, de->d_name, strlen(de->d_name) + 1);
		if (stat(f.path, &st) != 0 || !S_ISREG(st.st_mode)) {
			snprintf(err, errlen, "%s: not a regular file", f.path);
			goto fail;
		}
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct migrate_file *nv = realloc(v, ncap * sizeof *v);
			if (nv == NULL) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			v = nv;
			cap = ncap;
		}
		v[len++] = f;
	}
	if (errno != 0) {
		snprintf(err, errlen, "could not read schema directory \"%s\": %s", dir,
		         strerror(errno));
		goto fail;
	}
	closedir(d);
	if (len > 1)
		qsort(v, len, sizeof *v, cmp_version);
	for (size_t i = 1; i < len; i++) {
		if (v[i].version == v[i - 1].version) {
			snprintf(err, errlen, "%s/%s and %s/%s: two migrations with version %04d",
			         dir, v[i - 1].file, dir, v[i].file, v[i].version);
			free(v);
			return -1;
		}
	}
	*files = v;
	*n = len;
	return 0;
fail:
	closedir(d);
	free(v);
	return -1;
}

size_t migrate_merge(const struct migrate_file *files, size_t nfiles,
                     const struct migrate_applied *applied, size_t napplied,
                     struct migrate_row *rows)
{
	size_t i = 0, j = 0, k = 0;

	while (i < nfiles || j < napplied) {
		struct migrate_row *r = &rows[k++];

		if (j >= napplied || (i < nfiles && files[i].version < applied[j].version)) {
			*r = (struct migrate_row){ files[i].version, MIGRATE_PENDING, &files[i],
				                   NULL };
			i++;
		} else if (i >= nfiles || applied[j].version < files[i].version) {
			*r = (struct migrate_row){ applied[j].version, MIGRATE_MISSING, NULL,
				                   &applied[j] };
			j++;
		} else {
			enum migrate_state s = strcmp(files[i].checksum, applied[j].checksum) == 0
			                           ? MIGRATE_APPLIED
			                           : MIGRATE_EDITED;
			*r = (struct migrate_row){ files[i].version, s, &files[i], &applied[j] };
			i++;
			j++;
		}
	}
	return k;
}

int migrate_line_of(const char *text, size_t len, long pos)
{
	long chars = 0;
	int line = 1;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((c & 0xC0) == 0x80)
			continue; /* a UTF-8 continuation byte is not a character */
		if (++chars >= pos)
			break;
		if (c == '\n')
			line++;
	}
	return line;
}

/* Reads the whole file; a NUL byte is refused because PQexec would cut there. */
static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t used = 0, cap = 0;

	if (f == NULL) {
		snprintf(err, errlen, "could not open \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t got;

		if (cap - used < 4096) {
			char *nt;
			if (cap >= (size_t)MAX_FILE_BYTES) {
				snprintf(err, errlen, "%s: larger than %ld bytes", path,
				         MAX_FILE_BYTES);
				goto fail;
			}
			cap = cap ? cap * 2 : 16384;
			nt = realloc(text, cap + 1);
			if (nt == NULL) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			text = nt;
		}
		got = fread(text + used, 1, cap - used, f);
		used += got;
		if (got == 0) {
			if (ferror(f)) {
				snprintf(err, errlen, "could not read \"%s\": %s", path,
				         strerror(errno));
				goto fail;
			}
			break;
		}
	}
	fclose(f);
	text[used] = '\0';
	if (memchr(text, '\0', used) != NULL) {
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		free(text);
		return NULL;
	}
	*len = used;
	return text;
fail:
	fclose(f);
	free(text);
	return NULL;
}

/* The bytes go as a binary bytea parameter, so no escaping can change them. */
static int checksum(PGconn *conn, const struct migrate_opts *o, const char *text, size_t len,
                    char out[65])
{
	static const Oid types[1] = { BYTEAOID };
	const int formats[1] = { 1 };
	const char *values[1] = { text };
	int lengths[1];
	PGresult *res;
	int ok;

	if (len > (size_t)MAX_FILE_BYTES)
		return -1;
	lengths[0] = (int)len;
	res = PQexecParams(conn, sql_checksum, 1, types, values, lengths, formats, 0);
	ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
	     PQgetlength(res, 0, 0) == 64;
	if (ok)
		memcpy(out, PQgetvalue(res, 0, 0), 65);
	else
		say_pq(o, "could not compute a checksum", PQerrorMessage(conn));
	PQclear(res);
	return ok ? 0 : -1;
}

/* Runs sql (one or more statements, no results wanted). */
static int run(PGconn *conn, const struct migrate_opts *o, const char *sql, const char *what)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType s = PQresultStatus(res);
	int ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;

	if (!ok)
		say_pq(o, what, PQerrorMessage(conn));
	PQclear(res);
	return ok ? 0 : -1;
}

static void rollback(PGconn *conn)
{
	PQclear(PQexec(conn, "ROLLBACK"));
}

static int create_table(PGconn *conn, const struct migrate_opts *o)
{
	if (run(conn, o, sql_create_table, "could not create schema_migrations") != 0) {
		rollback(conn);
		return -1;
	}
	return 0;
}

static int load_applied(PGconn *conn, const struct migrate_opts *o, struct plan *p)
{
	PGresult *res;
	int rows;

	res = PQexec(conn, sql_table_exists);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		say_pq(o, "could not read schema_migrations", PQerrorMessage(conn));
		PQclear(res);
		return -1;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		PQclear(res);
		return 0; /* never migrated: everything is pending */
	}
	PQclear(res);

	res = PQexec(conn, sql_applied_list);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		say_pq(o, "could not read schema_migrations", PQerrorMessage(conn));
		PQclear(res);
		return -1;
	}
	rows = PQntuples(res);
	if (rows > 0) {
		p->applied = calloc((size_t)rows, sizeof *p->applied);
		if (p->applied == NULL) {
			say(o, "error", "out of memory");
			PQclear(res);
			return -1;
		}
	}
	for (int i = 0; i < rows; i++) {
		struct migrate_applied *a = &p->applied[i];

		a->version = (int)strtol(PQgetvalue(res, i, 0), NULL, 10);
		snprintf(a->name, sizeof a->name, "%s", PQgetvalue(res, i, 1));
		snprintf(a->checksum, sizeof a->checksum, "%s", PQgetvalue(res, i, 2));
		snprintf(a->applied_at, sizeof a->applied_at, "%s", PQgetvalue(res, i, 3));
	}
	p->napplied = (size_t)rows;
	PQclear(res);
	return 0;
}

static void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->nfiles && p->texts != NULL; i++)
		free(p->texts[i]);
	free(p->texts);
	free(p->lens);
	free(p->files);
	free(p->applied);
	free(p->rows);
	memset(p, 0, sizeof *p);
}

/* Reads the directory and the table and pairs them up; warns about what is
 * odd but not fatal (a recorded file gone, a renamed file). */
static int plan_load(PGconn *conn, const struct migrate_opts *o, struct plan *p)
{
	char err[4352];

	memset(p, 0, sizeof *p);
	if (migrate_list(o->dir, &p->files, &p->nfiles, err, sizeof err) != 0) {
		say(o, "error", "%s", err);
		return -1;
	}
	if (p->nfiles > 0) {
		p->texts = calloc(p->nfiles, sizeof *p->texts);
		p->lens = calloc(p->nfiles, sizeof *p->lens);
		if (p->texts == NULL || p->lens == NULL) {
			say(o, "error", "out of memory");
			goto fail;
		}
	}
	for (size_t i = 0; i < p->nfiles; i++) {
		p->texts[i] = read_file(p->files[i].path, &p->lens[i], err, sizeof err);
		if (p->texts[i] == NULL) {
			say(o, "error", "%s", err);
			goto fail;
		}
		if (checksum(conn, o, p->texts[i], p->lens[i], p->files[i].checksum) != 0)
			goto fail;
	}
	if (load_applied(conn, o, p) != 0)
		goto fail;
	if (p->nfiles + p->napplied > 0) {
		p->rows = calloc(p->nfiles + p->napplied, sizeof *p->rows);
		if (p->rows == NULL) {
			say(o, "error", "out of memory");
			goto fail;
		}
	}
	p->nrows = migrate_merge(p->files, p->nfiles, p->applied, p->napplied, p->rows);
	for (size_t i = 0; i < p->nrows; i++) {
		const struct migrate_row *r = &p->rows[i];

		if (r->state == MIGRATE_MISSING)
			say(o, "warning",
			    "migration %04d_%s.sql was applied on %s but is not in %s any more",
			    r->version, r->applied->name, r->applied->applied_at, o->dir);
		else if (r->applied != NULL && strcmp(r->file->name, r->applied->name) != 0)
			say(o, "warning", "%s was applied under the name %04d_%s.sql",
			    r->file->file, r->version, r->applied->name);
	}
	return 0;
fail:
	plan_free(p);
	return -1;
}

static int report_edited(const struct plan *p, const struct migrate_opts *o)
{
	int edited = 0;

	for (size_t i = 0; i < p->nrows; i++) {
		const struct migrate_row *r = &p->rows[i];

		if (r->state != MIGRATE_EDITED)
			continue;
		say(o, "error",
		    "%s was changed after it was applied on %s (checksum %.12s..., recorded "
		    "%.12s...)",
		    r->file->path, r->applied->applied_at, r->file->checksum, r->applied->checksum);
		edited++;
	}
	if (edited > 0)
		fprintf(o->err,
		        "HINT:  Never edit an applied migration: restore the file and put the "
		        "change in a new one.\n");
	return edited;
}

static void report_failure(const struct migrate_opts *o, const struct migrate_file *f,
                           const char *text, size_t len, const PGresult *res, PGconn *conn)
{
	const char *pos = res ? PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
	const char *where = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;

	if (primary == NULL) {
		say_pq(o, f->path, PQerrorMessage(conn));
	} else if (pos != NULL) {
		say(o, "error", "%s, line %d: %s", f->path,
		    migrate_line_of(text, len, strtol(pos, NULL, 10)), primary);
	} else {
		say(o, "error", "%s: %s", f->path, primary);
	}
	if (detail != NULL)
		fprintf(o->err, "DETAIL:  %s\n", detail);
	if (hint != NULL)
		fprintf(o->err, "HINT:  %s\n", hint);
	if (where != NULL)
		fprintf(o->err, "CONTEXT:  %s\n", where);
	say(o, "error", "%s was rolled back: nothing of it was applied", f->file);
}

/* A COPY ... FROM STDIN in a file would leave the connection waiting for data. */
static void end_copy(PGconn *conn, PGresult *res)
{
	PGresult *r;

	if (PQresultStatus(res) == PGRES_COPY_IN) {
		PQputCopyEnd(conn, "COPY FROM STDIN is not supported in migrations");
	} else if (PQresultStatus(res) == PGRES_COPY_OUT) {
		char *buf;
		while (PQgetCopyData(conn, &buf, 0) > 0)
			PQfreemem(buf);
	}
	while ((r = PQgetResult(conn)) != NULL)
		PQclear(r);
}

/* Returns 1 when applied, 0 when another run applied it meanwhile, -1 on error. */
static int apply_one(PGconn *conn, const struct migrate_opts *o, const struct migrate_file *f,
                     const char *text, size_t len)
{
	char version[16];
	const char *params[3] = { version, f->name, f->checksum };
	PGresult *res;
	ExecStatusType s;

	snprintf(version, sizeof version, "%d", f->version);
	if (run(conn, o, BEGIN_LOCKED, "could not start a transaction") != 0)
		goto fail;

	/* Another run may have applied it while we waited for the lock. */
	res = PQexecParams(conn, sql_applied_checksum, 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		say_pq(o, "could not read schema_migrations", PQerrorMessage(conn));
		PQclear(res);
		goto fail;
	}
	if (PQntuples(res) == 1) {
		int same = strcmp(PQgetvalue(res, 0, 0), f->checksum) == 0;
		PQclear(res);
		rollback(conn);
		if (same)
			return 0;
		say(o, "error", "%s was applied meanwhile with different contents", f->path);
		return -1;
	}
	PQclear(res);

	res = PQexec(conn, text);
	s = PQresultStatus(res);
	if (s == PGRES_COPY_IN || s == PGRES_COPY_OUT) {
		end_copy(conn, res);
		say(o, "error", "%s: COPY from or to the client is not supported in a migration",
		    f->path);
		PQclear(res);
		goto fail;
	}
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY) {
		report_failure(o, f, text, len, res, conn);
		PQclear(res);
		goto fail;
	}
	PQclear(res);
	if (PQtransactionStatus(conn) != PQTRANS_INTRANS) {
		say(o, "error",
		    "%s ended the transaction itself (a COMMIT or ROLLBACK in the file?): it may "
		    "be partly applied and is not recorded; repair the database by hand and "
		    "remove the transaction control from the file",
		    f->path);
		goto fail;
	}

	res = PQexecParams(conn, sql_record_applied, 3, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		say_pq(o, "could not record the migration", PQerrorMessage(conn));
		PQclear(res);
		goto fail;
	}
	PQclear(res);
	if (run(conn, o, "COMMIT", f->path) != 0)
		goto fail;
	return 1;
fail:
	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
		rollback(conn);
	return -1;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

int migrate_apply(PGconn *conn, const struct migrate_opts *o)
{
	struct plan p;
	int applied = 0, latest = 0;

	if (create_table(conn, o) != 0 || plan_load(conn, o, &p) != 0)
		return 1;
	if (report_edited(&p, o) > 0) {
		say(o, "error", "nothing was applied");
		plan_free(&p);
		return 1;
	}
	for (size_t i = 0; i < p.nrows; i++) {
		if (p.rows[i].state != MIGRATE_PENDING && p.rows[i].version > latest)
			latest = p.rows[i].version;
	}
	for (size_t i = 0; i < p.nrows; i++) {
		const struct migrate_row *r = &p.rows[i];
		size_t fi = (size_t)(r->file - p.files);
		struct timespec t0;
		int rc;

		if (r->state != MIGRATE_PENDING)
			continue;
		if (r->version < latest)
			say(o, "warning",
			    "applying %s out of order: version %04d is applied already",
			    r->file->file, latest);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = apply_one(conn, o, r->file, p.texts[fi], p.lens[fi]);
		if (rc < 0) {
			say(o, "error", "stopped at %s; %d migration%s applied before it",
			    r->file->file, applied, applied == 1 ? " was" : "s were");
			plan_free(&p);
			return 1;
		}
		if (rc > 0) {
			fprintf(o->out, "applied %s (%.0f ms)\n", r->file->file, ms_since(&t0));
			applied++;
		}
		if (r->version > latest)
			latest = r->version;
	}
	if (applied == 0)
		fprintf(o->out, "database is up to date at version %04d; nothing to apply\n",
		        latest);
	else
		fprintf(o->out, "applied %d migration%s; database is at version %04d\n", applied,
		        applied == 1 ? "" : "s", latest);
	plan_free(&p);
	return 0;
}

int migrate_status(PGconn *conn, const struct migrate_opts *o)
{
	static const char *const names[] = {
		[MIGRATE_PENDING] = "pending",
		[MIGRATE_APPLIED] = "applied",
		[MIGRATE_EDITED] = "EDITED",
		[MIGRATE_MISSING] = "MISSING",
	};
	struct plan p;
	int edited;

	if (plan_load(conn, o, &p) != 0)
		return 1;
	fprintf(o->out, "%-7s  %-7s  %-22s  %s\n", "version", "state", "applied_at", "file");
	for (size_t i = 0; i < p.nrows; i++) {
		const struct migrate_row *r = &p.rows[i];
		char file[MIGRATE_NAME_MAX + 10];

		if (r->file != NULL)
			snprintf(file, sizeof file, "%s", r->file->file);
		else
			snprintf(file, sizeof file, "%04d_%s.sql", r->version, r->applied->name);
		fprintf(o->out, "%04d     %-7s  %-22s  %s\n", r->version, names[r->state],
		        r->applied ? r->applied->applied_at : "", file);
	}
	edited = report_edited(&p, o);
	plan_free(&p);
	return edited > 0 ? 1 : 0;
}
