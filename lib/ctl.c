/*
 * ctl: what every portalctl command module shares (see ctl.h): the argument
 * parser, ids, array literals, and the database calls that print their own
 * failure.
 */
#include "ctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "admin_access.h"
#include "table.h"

/* ---- arguments ------------------------------------------------------------ */

/* The index of arg's option in opts, with *inline_val set for "--x=v";
 * -1 when it is none of them. */
static int find_opt(const char *const *opts, const char *arg, const char **inline_val)
{
	*inline_val = NULL;
	for (int k = 0; opts != NULL && opts[k] != NULL; k++) {
		size_t n = strlen(opts[k]);
		int valued = n > 0 && opts[k][n - 1] == '=';

		if (valued)
			n--;
		if (strncmp(arg, opts[k], n) != 0)
			continue;
		if (arg[n] == '\0')
			return k;
		if (valued && arg[n] == '=') {
			*inline_val = arg + n + 1;
			return k;
		}
	}
	return -1;
}

int ctl_parse_args(int argc, char **argv, const char *const *opts, int nargs, const char *args_text,
                   struct ctl_args *a, char *err, size_t errlen)
{
	const char *sub = argc > 0 ? argv[0] : "";
	int options_done = 0;

	memset(a, 0, sizeof *a);
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *v;
		int k;

		if (!options_done && strcmp(arg, "--") == 0) {
			options_done = 1;
			continue;
		}
		if (!options_done && (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)) {
			a->help = 1;
			return 0;
		}
		if (!options_done && arg[0] == '-' && arg[1] != '\0') {
			size_t n;

			k = find_opt(opts, arg, &v);
			if (k < 0 || k >= CTL_MAX_OPTS) {
				snprintf(err, errlen, "%s: unknown option \"%s\"", sub, arg);
				return -1;
			}
			n = strlen(opts[k]);
			if (opts[k][n - 1] != '=') {
				a->flag[k] = 1;
				continue;
			}
			if (a->val[k] != NULL) {
				snprintf(err, errlen, "%s: %.*s given twice", sub, (int)(n - 1),
				         opts[k]);
				return -1;
			}
			if (v == NULL) {
				if (i + 1 >= argc) {
					snprintf(err, errlen, "%s: %.*s needs a value", sub,
					         (int)(n - 1), opts[k]);
					return -1;
				}
				v = argv[++i];
			}
			a->val[k] = v;
			continue;
		}
		if (a->npos >= nargs || a->npos >= CTL_MAX_ARGS) {
			snprintf(err, errlen, "%s: unexpected argument \"%s\"", sub, arg);
			return -1;
		}
		a->pos[a->npos++] = arg;
	}
	if (a->npos < nargs) {
		snprintf(err, errlen, "%s: missing argument (expected %s)", sub, args_text);
		return -1;
	}
	return 0;
}

int ctl_parse_id(const char *s, long long *id)
{
	size_t n = strlen(s);

	if (n == 0 || n > 18 || strspn(s, "0123456789") != n || s[0] == '0')
		return -1;
	*id = strtoll(s, NULL, 10);
	return 0;
}

void ctl_text_array(struct buf *out, const char *const *items, size_t n)
{
	buf_putc(out, '{');
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(out, ',');
		buf_putc(out, '"');
		for (const char *p = items[i]; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				buf_putc(out, '\\');
			buf_putc(out, *p);
		}
		buf_putc(out, '"');
	}
	buf_putc(out, '}');
}

/* ---- database calls ------------------------------------------------------------ */

int ctl_open(struct db *db, FILE *err)
{
	if (db_connect(db) != DB_OK) {
		fprintf(err, CTL_PROG ": could not connect to the database: %s\n",
		        db_last_message(db));
		return -1;
	}
	return 0;
}

void ctl_db_failed(struct db *db, const char *what, FILE *err)
{
	fprintf(err, CTL_PROG ": could not %s: %s\n", what,
	        db_last_message(db)[0] ? db_last_message(db) : "the database failed");
}

/* Runs a statement; on failure prints "could not WHAT: reason". */
PGresult *ctl_run(struct db *db, const char *stmt, int n, const char *const *p, const char *what,
                  FILE *err)
{
	enum db_status st;
	PGresult *res = db_exec(db, stmt, n, p, &st);

	if (res == NULL)
		ctl_db_failed(db, what, err);
	return res;
}

int ctl_print_table(PGresult *res, const char *one, const char *many, FILE *out, FILE *err)
{
	int rc = table_print(out, res, one, many);

	PQclear(res);
	if (rc != 0) {
		fprintf(err, CTL_PROG ": could not write the list: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

int ctl_list(struct db *db, const char *stmt, int n, const char *const *p, const char *what,
             const char *one, const char *many, FILE *out, FILE *err)
{
	PGresult *res = ctl_run(db, stmt, n, p, what, err);

	return res == NULL ? 1 : ctl_print_table(res, one, many, out, err);
}

int ctl_is_true(const PGresult *res, int row, int col)
{
	return strcmp(PQgetvalue(res, row, col), "t") == 0;
}

static int flush_to(void *arg, struct buf *b)
{
	FILE *out = arg;

	if (b->len > 0 && fwrite(b->data, 1, b->len, out) != b->len)
		return -1;
	buf_reset(b);
	return 0;
}

int ctl_export_csv(struct db *db, const char *select, int n, const char *const *p,
                   const char *const *header, FILE *out, FILE *err)
{
	struct buf b = { 0 };
	enum db_status st;
	int rc = admin_csv_export(db_conn(db), select, n, p, header, &b, flush_to, out, &st);
	if (rc == 0 && flush_to(out, &b) != 0)
		rc = -1;
	buf_free(&b);
	if (rc == 0 && fflush(out) != 0)
		rc = -1;
	if (rc != 0) {
		fprintf(err, CTL_PROG ": the export failed: %s\n",
		        ferror(out)                      ? strerror(errno)
		        : PQerrorMessage(db_conn(db))[0] ? PQerrorMessage(db_conn(db))
		                                         : "the database failed");
		return 1;
	}
	return 0;
}
