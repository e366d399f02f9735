/*
 * ctl_import: portalctl's all-or-nothing CSV import of users (see
 * ctl_import.h): the file read and checked whole first (lib/csv's reader,
 * the value checks of `user add`), then one transaction.
 */
#include "ctl_import.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grants.h"
#include "csv.h"
#include "ctl.h"
#include "ctl_roles.h"
#include "req.h"
#include "users.h"

enum { IMPORT_MAX_PROBLEMS = 50, IMPORT_FIELDS = 4 };

/*
 * The SQL below is laid out by hand, one clause a line, the C indentation
 * showing the structure. The users are provisioned by users_provision and
 * their roles granted by grants_change, each with its audit rows (actor
 * NULL, "via": "portalctl"); the import adds one summary row.
 */
/* clang-format off */
/* The ids of the roles named in $1 (text[]), in its order, NULL for a name
 * that is no role. */
static const char sql_import_roles[] =
	"SELECT r.id FROM unnest($1::text[]) WITH ORDINALITY AS t(n, i)"
	" LEFT JOIN roles r ON r.name = t.n::citext ORDER BY t.i";

/* The names of the roles of $2 (bigint[]) that user $1 does not have yet. */
static const char sql_import_missing[] =
	"SELECT r.name::text FROM roles r WHERE r.id = ANY ($2::bigint[])"
	" AND NOT EXISTS (SELECT 1 FROM user_roles_current ur WHERE ur.user_id = $1::bigint"
		"  AND ur.role_id = r.id) ORDER BY lower(r.name::text), r.id";

/* The import's one summary audit row: $1 file, $2 rows, $3 created,
 * $4 updated, $5 granted. */
static const char sql_import_summary[] =
	"SELECT id FROM audit_write(NULL, 'portalctl', NULL, 'import.users', NULL, NULL,"
	" jsonb_build_object('file', $1::text, 'rows', $2::int, 'created', $3::int,"
	"  'updated', $4::int, 'granted', $5::int))";

/* clang-format on */

const struct db_stmt ctl_import_stmts[] = {
	{ "ctl_import_roles", sql_import_roles, 1 },
	{ "ctl_import_missing", sql_import_missing, 2 },
	{ "ctl_import_summary", sql_import_summary, 5 },
	{ NULL, NULL, 0 },
};

/* ---- reading the file -------------------------------------------------------- */

/* Copies s without leading and trailing blanks (space, tab). */
static const char *trimmed(struct arena *ar, const char *s)
{
	size_t n;

	s += strspn(s, " \t");
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return arena_strndup(ar, s, n);
}

static int header_is(const char *got, const char *want, const char *alt)
{
	return strcasecmp(got, want) == 0 || (alt != NULL && strcasecmp(got, alt) == 0);
}

struct problems {
	struct buf *errs;
	const char *fname;
	int n;
};

static void problem(struct problems *pr, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(struct problems *pr, long line, const char *fmt, ...)
{
	va_list ap;

	pr->n++;
	if (pr->n > IMPORT_MAX_PROBLEMS)
		return;
	buf_printf(pr->errs, "%s:%ld: ", pr->fname, line);
	va_start(ap, fmt);
	buf_vprintf(pr->errs, fmt, ap);
	va_end(ap);
	buf_putc(pr->errs, '\n');
	if (pr->n == IMPORT_MAX_PROBLEMS)
		buf_printf(pr->errs, "%s: too many problems, stopped looking\n", pr->fname);
}

struct keyed {
	const char *key;
	long line;
	size_t index;
};

static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcasecmp(x->key, y->key);

	if (c != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Appends key (on line) to *v, grown as needed. */
static void keyed_push(struct keyed **v, size_t *n, size_t *cap, const char *key, long line)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = realloc(*v, *cap * sizeof **v);
		if (*v == NULL)
			abort();
	}
	(*v)[*n] = (struct keyed){ key, line, *n };
	(*n)++;
}

/* Names every key that is also on an earlier line (ASCII case ignored). */
static void duplicates(struct problems *pr, struct keyed *k, size_t n, const char *what)
{
	if (n < 2)
		return;
	qsort(k, n, sizeof *k, keyed_cmp);
	for (size_t i = 1; i < n; i++) {
		size_t first = i - 1;

		while (first > 0 && strcasecmp(k[first - 1].key, k[i].key) == 0)
			first--;
		if (strcasecmp(k[i - 1].key, k[i].key) == 0)
			problem(pr, k[i].line, "%s \"%s\" is also on line %ld", what, k[i].key,
			        k[first].line);
	}
}

/* Splits the roles field on ';' into row->roles (indexes filled later:
 * here they point into names, grown as needed). */
static void split_roles(struct ctl_import *im, struct problems *pr, long line, const char *field,
                        struct keyed **names, size_t *nnames, size_t *cap,
                        struct ctl_import_row *row)
{
	const char *p = field;
	size_t count = 1;
	char err[256];

	for (const char *q = field; *q != '\0'; q++)
		count += *q == ';';
	row->roles = arena_alloc(&im->arena, count * sizeof *row->roles);
	row->nroles = 0;
	for (;;) {
		const char *semi = strchr(p, ';');
		size_t len = semi ? (size_t)(semi - p) : strlen(p);
		const char *name = trimmed(&im->arena, arena_strndup(&im->arena, p, len));

		if (name[0] != '\0') {
			if (ctl_check_role_name(name, err, sizeof err) != 0) {
				problem(pr, line, "%s", err);
			} else {
				row->roles[row->nroles++] = *nnames;
				keyed_push(names, nnames, cap, name, line);
			}
		}
		if (semi == NULL)
			break;
		p = semi + 1;
	}
}

int ctl_import_parse(const char *data, size_t len, const char *fname, struct ctl_import *im,
                     struct buf *errs)
{
	struct problems pr = { errs, fname, 0 };
	struct csv_reader r;
	struct keyed *users = NULL, *emails = NULL, *names = NULL;
	size_t cap = 0, nnames = 0, rows_cap = 0;
	size_t nusers = 0, users_cap = 0, nemails = 0, emails_cap = 0;
	const char *f[IMPORT_FIELDS];
	int header_seen = 0;

	memset(im, 0, sizeof *im);
	csv_reader_init(&r, data, len);
	if (len >= 3 && memcmp(data, CSV_UTF8_BOM, 3) == 0)
		r.p += 3;
	for (;;) {
		char err[512];
		long start;
		int nf, rc = csv_read_record(&r, &im->arena, f, IMPORT_FIELDS, &nf, &start, err,
		                             sizeof err);
		struct ctl_import_row *row;

		if (rc == 0)
			break;
		if (rc < 0) {
			problem(&pr, start, "%s", err);
			if (pr.n >= IMPORT_MAX_PROBLEMS)
				break;
			continue;
		}
		if (nf == 1 && f[0][0] == '\0')
			continue; /* a blank line */
		if (!header_seen) {
			header_seen = 1;
			if (nf != IMPORT_FIELDS ||
			    !header_is(trimmed(&im->arena, f[0]), "username", NULL) ||
			    !header_is(trimmed(&im->arena, f[1]), "email", NULL) ||
			    !header_is(trimmed(&im->arena, f[2]), "display name", "display_name") ||
			    !header_is(trimmed(&im->arena, f[3]), "roles", NULL)) {
				problem(&pr, start,
				        "the first line must be the header "
				        "\"username,email,display name,roles\"");
				break;
			}
			continue;
		}
		if (nf != IMPORT_FIELDS) {
			problem(&pr, start,
			        "expected 4 fields (username,email,display name,roles), "
			        "found %d",
			        nf);
			continue;
		}
		for (int i = 0; i < IMPORT_FIELDS; i++) {
			if (utf8_count(f[i], strlen(f[i])) < 0) {
				problem(&pr, start, "not valid UTF-8");
				nf = -1;
				break;
			}
		}
		if (nf < 0)
			continue;
		if (im->nrows == rows_cap) {
			rows_cap = rows_cap ? rows_cap * 2 : 64;
			im->rows = realloc(im->rows, rows_cap * sizeof *im->rows);
			if (im->rows == NULL)
				abort();
		}
		row = &im->rows[im->nrows++];
		memset(row, 0, sizeof *row);
		row->line = start;
		row->username = trimmed(&im->arena, f[0]);
		row->email = trimmed(&im->arena, f[1]);
		row->display_name = trimmed(&im->arena, f[2]);
		/* Only values that pass their check are compared for
		 * duplicates: a refused one is named once, on its own line. */
		if (users_check_username(row->username, err, sizeof err) != 0)
			problem(&pr, start, "%s", err);
		else
			keyed_push(&users, &nusers, &users_cap, row->username, start);
		if (row->email[0] == '\0')
			problem(&pr, start, "email address is empty");
		else if (users_check_email(row->email, err, sizeof err) != 0)
			problem(&pr, start, "%s", err);
		else
			keyed_push(&emails, &nemails, &emails_cap, row->email, start);
		if (row->display_name[0] != '\0' &&
		    users_check_display_name(row->display_name, err, sizeof err) != 0)
			problem(&pr, start, "%s", err);
		split_roles(im, &pr, start, f[3], &names, &nnames, &cap, row);
		if (pr.n >= IMPORT_MAX_PROBLEMS)
			break;
	}
	if (!header_seen && pr.n == 0)
		problem(&pr, 1,
		        "the file is empty: expected the header "
		        "\"username,email,display name,roles\"");

	/* Duplicates in the file, by username and by email. */
	if (pr.n < IMPORT_MAX_PROBLEMS) {
		duplicates(&pr, users, nusers, "user");
		duplicates(&pr, emails, nemails, "email address");
	}

	/* The distinct role names; each row's roles become indexes into them. */
	if (nnames > 0) {
		size_t *slot = malloc(nnames * sizeof *slot), d = 0;
		struct keyed *sorted = malloc(nnames * sizeof *sorted);

		if (slot == NULL || sorted == NULL)
			abort();
		for (size_t i = 0; i < nnames; i++) {
			sorted[i] = names[i];
			sorted[i].index = i;
		}
		qsort(sorted, nnames, sizeof *sorted, keyed_cmp);
		im->role_names = arena_alloc(&im->arena, nnames * sizeof *im->role_names);
		im->role_line = arena_alloc(&im->arena, nnames * sizeof *im->role_line);
		for (size_t i = 0; i < nnames; i++) {
			if (i == 0 || strcasecmp(sorted[i - 1].key, sorted[i].key) != 0) {
				im->role_names[d] = sorted[i].key;
				im->role_line[d] = sorted[i].line;
				d++;
			}
			slot[sorted[i].index] = d - 1;
		}
		im->nroles = d;
		/* Rows held positions in names; a name twice in a row counts once. */
		for (size_t i = 0; i < im->nrows; i++) {
			struct ctl_import_row *row = &im->rows[i];
			size_t k = 0;

			for (size_t j = 0; j < row->nroles; j++) {
				size_t s = slot[row->roles[j]], m;

				for (m = 0; m < k && row->roles[m] != s; m++)
					;
				if (m == k)
					row->roles[k++] = s;
			}
			row->nroles = k;
		}
		free(slot);
		free(sorted);
	}
	free(users);
	free(emails);
	free(names);
	return pr.n;
}

void ctl_import_free(struct ctl_import *im)
{
	free(im->rows);
	arena_free(&im->arena);
	memset(im, 0, sizeof *im);
}

/* ---- import ------------------------------------------------------------------ */

enum { IMPORT_MAX_BYTES = 64 * 1024 * 1024 };

#define PLURAL(n) ((n) == 1 ? "" : "s")

static int read_file(const char *path, struct buf *data, FILE *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (f == NULL) {
		fprintf(err, CTL_PROG ": could not open \"%s\": %s\n", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_append(data, chunk, n);
		if (data->len > IMPORT_MAX_BYTES) {
			fprintf(err, CTL_PROG ": \"%s\" is larger than %d MiB\n", path,
			        IMPORT_MAX_BYTES / (1024 * 1024));
			break;
		}
	}
	if (ferror(f) || data->len > IMPORT_MAX_BYTES) {
		if (ferror(f))
			fprintf(err, CTL_PROG ": could not read \"%s\": %s\n", path,
			        strerror(errno));
		if (f != stdin)
			fclose(f);
		return -1;
	}
	if (f != stdin)
		fclose(f);
	buf_append(data, "", 0);
	return 0;
}

static int simple(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	PQclear(res);
	return ok ? 0 : -1;
}

struct import_run {
	struct db *db;
	const struct ctl_import *im;
	long long *role_ids;
	struct problems pr;
	struct buf lines; /* what changed, printed once the outcome is known */
	long created, updated, granted;
	FILE *err;
};

/* Resolves the role names; unknown ones are problems. -1: the database. */
static int import_roles(struct import_run *ir)
{
	struct buf arr = { 0 };
	const char *p[1];
	PGresult *res;

	ir->role_ids = calloc(ir->im->nroles + 1, sizeof *ir->role_ids);
	if (ir->role_ids == NULL)
		abort();
	if (ir->im->nroles == 0)
		return 0;
	ctl_text_array(&arr, ir->im->role_names, ir->im->nroles);
	p[0] = buf_str(&arr);
	res = ctl_run(ir->db, "ctl_import_roles", 1, p, "look up the roles", ir->err);
	buf_free(&arr);
	if (res == NULL)
		return -1;
	for (size_t i = 0; i < ir->im->nroles && i < (size_t)PQntuples(res); i++) {
		if (PQgetisnull(res, (int)i, 0))
			problem(&ir->pr, ir->im->role_line[i], "no role \"%s\"",
			        ir->im->role_names[i]);
		else
			ir->role_ids[i] = strtoll(PQgetvalue(res, (int)i, 0), NULL, 10);
	}
	PQclear(res);
	return 0;
}

/* One row: the user, then the roles it lacks. -1: the database failed. */
static int import_row(struct import_run *ir, const struct ctl_import_row *row, const char *file)
{
	const struct users_new u = { .username = row->username,
		                     .email = row->email,
		                     .display_name = row->display_name };
	const char *p[2];
	struct buf ids = { 0 }, uid = { 0 };
	struct users_outcome o;
	struct grants_outcome g;
	enum db_status st;
	PGresult *res;
	long long id;
	int rc = 0;

	switch (users_provision(ir->db, &audit_console, &u, file, &o)) {
	case USERS_EMAIL_TAKEN:
		problem(&ir->pr, row->line, "email address \"%s\" is already used by user \"%s\"",
		        row->email, o.username);
		return 0;
	case USERS_DB_ERROR:
		fprintf(ir->err, CTL_PROG ": could not import the user: %s\n",
		        db_last_message(ir->db)[0] ? db_last_message(ir->db)
		                                   : "the database failed");
		return -1;
	default:
		break;
	}
	id = o.id;
	ir->created += o.created;
	ir->updated += o.updated;
	users_describe_provision(&ir->lines, &u, &o);
	if (row->nroles == 0)
		return 0;

	buf_putc(&ids, '{');
	for (size_t i = 0; i < row->nroles; i++)
		buf_printf(&ids, "%s%lld", i ? "," : "", ir->role_ids[row->roles[i]]);
	buf_putc(&ids, '}');
	buf_printf(&uid, "%lld", id);
	p[0] = buf_str(&uid);
	p[1] = buf_str(&ids);
	res = ctl_run(ir->db, "ctl_import_missing", 2, p, "read the user's roles", ir->err);
	if (res == NULL) {
		rc = -1;
	} else if (PQntuples(res) > 0) {
		for (int i = 0; i < PQntuples(res); i++)
			buf_printf(&ir->lines, "grant role \"%s\" to user \"%s\"\n",
			           PQgetvalue(res, i, 0), row->username);
		buf_reset(&uid);
		buf_printf(&uid, "{%lld}", id);
		if (grants_change(ir->db, "grant_user_roles", &audit_console, buf_str(&uid),
		                  buf_str(&ids), &g, &st) != 0) {
			fprintf(ir->err, CTL_PROG ": could not grant the roles of \"%s\": %s\n",
			        row->username, db_last_message(ir->db));
			rc = -1;
		} else {
			ir->granted += g.changed;
		}
	}
	PQclear(res);
	buf_free(&ids);
	buf_free(&uid);
	return rc;
}

/* Everything inside the transaction; -1 when the database failed. */
static int import_all(struct import_run *ir, const char *path)
{
	char n[4][24];
	const char *p[5] = { path, n[0], n[1], n[2], n[3] };
	PGresult *res;

	if (import_roles(ir) != 0)
		return -1;
	if (ir->pr.n > 0)
		return 0;
	for (size_t i = 0; i < ir->im->nrows; i++) {
		if (import_row(ir, &ir->im->rows[i], path) != 0)
			return -1;
	}
	snprintf(n[0], sizeof n[0], "%zu", ir->im->nrows);
	snprintf(n[1], sizeof n[1], "%ld", ir->created);
	snprintf(n[2], sizeof n[2], "%ld", ir->updated);
	snprintf(n[3], sizeof n[3], "%ld", ir->granted);
	res = ctl_run(ir->db, "ctl_import_summary", 5, p, "write the audit row", ir->err);
	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

int ctl_import_users(struct db *db, const char *path, int dry_run, FILE *out, FILE *err)
{
	struct ctl_import im;
	struct buf data = { 0 }, errs = { 0 };
	struct import_run ir;
	PGconn *conn;
	int rc = 1, failed;

	memset(&ir, 0, sizeof ir);
	if (read_file(path, &data, err) != 0) {
		buf_free(&data);
		return 1;
	}
	if (ctl_import_parse(data.data, data.len, path, &im, &errs) > 0) {
		fputs(buf_str(&errs), err);
		fprintf(err, CTL_PROG ": %s: nothing imported\n", path);
		goto out;
	}
	if (ctl_open(db, err) != 0)
		goto out;
	conn = db_conn(db);
	ir.db = db;
	ir.im = &im;
	ir.err = err;
	ir.pr = (struct problems){ &errs, path, 0 };
	/* All or nothing: one transaction, rolled back on any problem and
	 * always for a dry run, which so sees exactly what the import would. */
	if (simple(conn, "BEGIN") != 0) {
		fprintf(err, CTL_PROG ": could not begin the import: %s", PQerrorMessage(conn));
		goto out;
	}
	failed = import_all(&ir, path) != 0;
	/* A broken connection would make db_exec reconnect outside the
	 * transaction: only an intact one is committed. */
	if (!failed && ir.pr.n == 0 && !dry_run && PQtransactionStatus(conn) == PQTRANS_INTRANS) {
		if (simple(conn, "COMMIT") != 0) {
			fprintf(err, CTL_PROG ": could not commit the import: %s",
			        PQerrorMessage(conn));
			failed = 1;
		}
	} else if (PQstatus(conn) == CONNECTION_OK) {
		(void)simple(conn, "ROLLBACK");
	}
	if (failed || ir.pr.n > 0) {
		fputs(buf_str(&errs), err);
		fprintf(err, CTL_PROG ": %s: nothing imported\n", path);
		goto out;
	}
	fputs(buf_str(&ir.lines), out);
	if (dry_run)
		fprintf(
		    out,
		    "dry run: %zu row%s; would create %ld user%s, update %ld, grant %ld role%s; "
		    "nothing was changed\n",
		    im.nrows, PLURAL(im.nrows), ir.created, PLURAL(ir.created), ir.updated,
		    ir.granted, PLURAL(ir.granted));
	else
		fprintf(out,
		        "imported %s: %zu row%s; %ld user%s created, %ld updated, %ld role%s "
		        "granted\n",
		        path, im.nrows, PLURAL(im.nrows), ir.created, PLURAL(ir.created),
		        ir.updated, ir.granted, PLURAL(ir.granted));
	rc = fflush(out) != 0 ? 1 : 0;
out:
	ctl_import_free(&im);
	free(ir.role_ids);
	buf_free(&ir.lines);
	buf_free(&data);
	buf_free(&errs);
	return rc;
}
