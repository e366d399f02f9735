/*
 * fuzz_csv: the input is a users file as `portalctl import users` reads it:
 * it goes to ctl_import_parse as is. Then the same bytes, cut into lines and
 * on commas into four cells, are written with the CSV cell writer (lib/csv.h)
 * under the header and parsed back: every row must come back with its cells
 * (trimmed, with the formula guard's apostrophe) and its line number.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "ctl_import.h"
#include "ctl_roles.h"
#include "req.h"
#include "users.h"

enum { MAX_ROWS = 40, FIELDS = 4 };

/* detail goes out with control characters and bytes >= 0x7f as \xNN. */
static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_csv: invariant broken: %s", what);
	if (detail != NULL) {
		fputs(": ", stderr);
		for (const unsigned char *p = (const unsigned char *)detail; *p; p++)
			fprintf(stderr, *p < 0x20 || *p >= 0x7f ? "\\x%02x" : "%c", *p);
	}
	fputc('\n', stderr);
	abort();
}

/* The problems are printed on the operator's terminal: lines of text
 * "u.csv:N: ..." and nothing that a terminal would act on. */
static void check_errs(const struct buf *errs, int n)
{
	const char *s = buf_str(errs);
	size_t lines = 0;

	if (!utf8_valid(s, errs->len))
		fail("a problem message is not valid UTF-8", s);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			fail("a problem message holds a control character", s);
		lines += *p == '\n';
	}
	for (const char *line = s; *line; line = strchr(line, '\n') + 1)
		if (strncmp(line, "u.csv:", 6) != 0)
			fail("a problem line does not start with the file name", s);
	size_t want = n >= 50 ? 51 : (size_t)n;
	if (lines != want)
		fail("one line per problem", s);
}

/* What ctl_import_parse promises when it finds no problem. */
static void check_import(const struct ctl_import *im)
{
	char err[512];

	for (size_t i = 0; i < im->nroles; i++) {
		if (ctl_check_role_name(im->role_names[i], err, sizeof err) != 0)
			fail("a role name that fails its check", im->role_names[i]);
		if (i > 0 && strcasecmp(im->role_names[i - 1], im->role_names[i]) >= 0)
			fail("role names not distinct and sorted", im->role_names[i]);
	}
	for (size_t i = 0; i < im->nrows; i++) {
		const struct ctl_import_row *r = &im->rows[i];
		if (users_check_username(r->username, err, sizeof err) != 0)
			fail("a username that fails its check", r->username);
		if (users_check_email(r->email, err, sizeof err) != 0)
			fail("an email that fails its check", r->email);
		if (r->display_name[0] != '\0' &&
		    users_check_display_name(r->display_name, err, sizeof err) != 0)
			fail("a display name that fails its check", r->display_name);
		if (i > 0 && r->line <= im->rows[i - 1].line)
			fail("rows out of line order", r->username);
		for (size_t j = 0; j < r->nroles; j++) {
			if (r->roles[j] >= im->nroles)
				fail("a role index out of range", r->username);
			for (size_t k = 0; k < j; k++)
				if (r->roles[k] == r->roles[j])
					fail("a role twice in one row", r->username);
		}
		for (size_t k = 0; k < i; k++) {
			if (strcasecmp(im->rows[k].username, r->username) == 0)
				fail("a username twice", r->username);
			if (strcasecmp(im->rows[k].email, r->email) == 0)
				fail("an email twice", r->email);
		}
	}
}

/* 1 when s holds a byte no cell may hold: a C0 control other than tab,
 * CR and LF, or DEL (NUL cannot be in s: it ends the cell here). */
static int reader_refuses(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\t' && *p != '\r' && *p != '\n') || *p == 0x7f)
			return 1;
	return 0;
}

/* s without blanks at either end, into out (room for strlen(s) + 1). */
static void trim_into(char *out, const char *s)
{
	s += strspn(s, " \t");
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* The cell as the reader gives it back: with the writer's apostrophe,
 * trimmed as the importer trims. */
static char *expected(const char *cell)
{
	size_t n = strlen(cell);
	char *g = malloc(n + 2), *out = malloc(n + 2);
	if (g == NULL || out == NULL)
		abort();
	snprintf(g, n + 2, "%s%s", n > 0 && csv_formula_lead(cell[0]) ? "'" : "", cell);
	trim_into(out, g);
	free(g);
	return out;
}

/* 1 when one of the ';'-separated names of field (trimmed) is name. */
static int role_in(const char *field, const char *name)
{
	char *copy = expected(field), *save = NULL;
	int found = 0;
	for (char *t = strtok_r(copy, ";", &save); t && !found; t = strtok_r(NULL, ";", &save)) {
		char *tt = malloc(strlen(t) + 1);
		if (tt == NULL)
			abort();
		trim_into(tt, t);
		found = strcasecmp(tt, name) == 0;
		free(tt);
	}
	free(copy);
	return found;
}

static void round_trip(const uint8_t *data, size_t size)
{
	/* Cells: the input's lines, cut on commas; a NUL ends a cell. */
	char *text = malloc(size + 1);
	if (text == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	const char *cells[MAX_ROWS][FIELDS];
	size_t nrows = 0;
	char *p = text, *end = text + size;
	while (p < end && nrows < MAX_ROWS) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *line_end = nl ? nl : end;
		*line_end = '\0';
		char *c = p;
		for (int f = 0; f < FIELDS; f++) {
			cells[nrows][f] = c;
			char *comma = f < FIELDS - 1 ? strchr(c, ',') : NULL;
			if (comma != NULL) {
				*comma = '\0';
				c = comma + 1;
			} else {
				c = line_end; /* the remaining cells are empty */
			}
		}
		nrows++;
		p = line_end + 1;
	}

	struct buf out = { 0 };
	struct csv w;
	long line_of[MAX_ROWS];
	long line = 1;
	if (size > 0 && (data[0] & 1))
		buf_puts(&out, CSV_UTF8_BOM);
	csv_init(&w, &out);
	csv_cell(&w, "username");
	csv_cell(&w, "email");
	csv_cell(&w, "display name");
	csv_cell(&w, "roles");
	csv_end_row(&w);
	line++;
	for (size_t r = 0; r < nrows; r++) {
		size_t before = out.len;
		line_of[r] = line;
		for (int f = 0; f < FIELDS; f++)
			csv_cell(&w, cells[r][f]);
		csv_end_row(&w);
		for (size_t i = before; i < out.len; i++)
			line += out.data[i] == '\n';
	}

	struct ctl_import im;
	struct buf errs = { 0 };
	int n = ctl_import_parse(out.data, out.len, "u.csv", &im, &errs);
	check_errs(&errs, n);
	if (n < 50) {
		/* The rows the importer keeps: those whose cells are all UTF-8
		 * without a control character the reader refuses. */
		size_t k = 0;
		for (size_t r = 0; r < nrows; r++) {
			int valid = 1;
			for (int f = 0; f < FIELDS; f++)
				valid = valid && utf8_valid(cells[r][f], strlen(cells[r][f])) &&
				        !reader_refuses(cells[r][f]);
			if (!valid)
				continue;
			if (k >= im.nrows)
				fail("a written row did not come back", cells[r][0]);
			const struct ctl_import_row *got = &im.rows[k++];
			char *u = expected(cells[r][0]), *e = expected(cells[r][1]),
			     *d = expected(cells[r][2]);
			if (got->line != line_of[r])
				fail("a row came back with another line number", cells[r][0]);
			if (strcmp(got->username, u) != 0 || strcmp(got->email, e) != 0 ||
			    strcmp(got->display_name, d) != 0)
				fail("a row came back different", cells[r][0]);
			for (size_t j = 0; n == 0 && j < got->nroles; j++)
				if (!role_in(cells[r][3], im.role_names[got->roles[j]]))
					fail("a role came back that was not written", cells[r][3]);
			free(u);
			free(e);
			free(d);
		}
		if (k != im.nrows)
			fail("more rows came back than were written", NULL);
	}
	ctl_import_free(&im);
	buf_free(&errs);
	buf_free(&out);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_import im;
	struct buf errs = { 0 };
	int n = ctl_import_parse((const char *)data, size, "u.csv", &im, &errs);

	if (n < 0)
		fail("a negative problem count", NULL);
	check_errs(&errs, n);
	if (n == 0)
		check_import(&im);
	ctl_import_free(&im);
	buf_free(&errs);

	round_trip(data, size);
	return 0;
}
