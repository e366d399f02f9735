/*
 * csv: RFC 4180 cells with formula-injection protection, and the reader of
 * records (see csv.h for the rules and why).
 */
#include "csv.h"

#include <stdio.h>
#include <string.h>

void csv_init(struct csv *w, struct buf *out)
{
	w->out = out;
	w->cells = 0;
}

int csv_formula_lead(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

void csv_cell_n(struct csv *w, const char *s, size_t len)
{
	if (w->cells++ > 0)
		buf_putc(w->out, ',');
	if (s == NULL)
		return;
	int guard = len > 0 && csv_formula_lead(s[0]);
	int quote = len == 0;
	for (size_t i = 0; i < len && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (!quote) {
		if (guard)
			buf_putc(w->out, '\'');
		buf_append(w->out, s, len);
		return;
	}
	buf_putc(w->out, '"');
	if (guard)
		buf_putc(w->out, '\'');
	const char *p = s, *end = s + len;
	while (p < end) {
		const char *q = memchr(p, '"', (size_t)(end - p));
		if (q == NULL) {
			buf_append(w->out, p, (size_t)(end - p));
			break;
		}
		buf_append(w->out, p, (size_t)(q - p) + 1);
		buf_putc(w->out, '"');
		p = q + 1;
	}
	buf_putc(w->out, '"');
}

void csv_cell(struct csv *w, const char *s)
{
	csv_cell_n(w, s, s ? strlen(s) : 0);
}

void csv_end_row(struct csv *w)
{
	buf_append(w->out, "\r\n", 2);
	w->cells = 0;
}

void csv_reader_init(struct csv_reader *r, const char *data, size_t len)
{
	r->p = data;
	r->end = data + len;
	r->line = 1;
}

/* ---- reading --------------------------------------------------------------- */

/*
 * A byte no cell may hold: NUL and the other C0 controls, and DEL. Tab, CR
 * and LF are the exceptions, each where CSV gives it a meaning: LF or CRLF
 * ends a record, and inside a quoted field is part of the value (RFC 4180);
 * a tab is a blank, trimmed around a value. The value checks (users_check_*,
 * ctl_check_role_name) then refuse a tab or line break inside a value, as
 * `user add` does, naming the field. Refusing the rest here, from the real
 * length of the file, is what keeps a NUL from cutting a value short: the
 * C strings after the reader would end at it ("dirk\0x" read as "dirk").
 */
static int cell_byte_refused(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
}

static void cell_byte_message(unsigned char c, int field, char *err, size_t errlen)
{
	if (c == '\0')
		snprintf(err, errlen, "field %d holds a NUL byte", field);
	else
		snprintf(err, errlen, "field %d holds a control character (0x%02x)", field, c);
}

int csv_read_record(struct csv_reader *r, struct arena *ar, const char **fields, int max,
                    int *nfields, long *start, char *err, size_t errlen)
{
	struct buf cell = { 0 };
	int n = 0, rc = 1;

	*start = r->line;
	*nfields = 0;
	if (r->p >= r->end)
		return 0;
	for (;;) {
		int quoted = 0;

		buf_reset(&cell);
		buf_append(&cell, "", 0); /* data is never NULL */
		if (r->p < r->end && *r->p == '"') {
			long qline = r->line;

			quoted = 1;
			r->p++;
			for (;;) {
				if (r->p >= r->end) {
					snprintf(err, errlen,
					         "quoted field opened on line %ld is not closed",
					         qline);
					rc = -1;
					goto out;
				}
				if (*r->p == '"') {
					if (r->p + 1 < r->end && r->p[1] == '"') {
						buf_putc(&cell, '"');
						r->p += 2;
						continue;
					}
					r->p++;
					break;
				}
				if (cell_byte_refused((unsigned char)*r->p)) {
					cell_byte_message((unsigned char)*r->p, n + 1, err, errlen);
					*start = r->line;
					rc = -1;
					goto out;
				}
				if (*r->p == '\n')
					r->line++;
				buf_putc(&cell, *r->p++);
			}
		}
		while (r->p < r->end && *r->p != ',' && *r->p != '\n' &&
		       !(*r->p == '\r' && (r->p + 1 == r->end || r->p[1] == '\n'))) {
			if (quoted) {
				snprintf(err, errlen, "unexpected character after a closing quote");
				rc = -1;
				goto out;
			}
			if (*r->p == '"') {
				snprintf(err, errlen,
				         "a quote inside an unquoted field (quote the whole field "
				         "and write the quote twice)");
				rc = -1;
				goto out;
			}
			/* A CR here ends no line: it is a stray control character. */
			if (cell_byte_refused((unsigned char)*r->p) || *r->p == '\r') {
				cell_byte_message((unsigned char)*r->p, n + 1, err, errlen);
				*start = r->line;
				rc = -1;
				goto out;
			}
			buf_putc(&cell, *r->p++);
		}
		if (n < max)
			fields[n] = arena_strndup(ar, cell.data, cell.len);
		n++;
		if (r->p >= r->end)
			break;
		if (*r->p == ',') {
			r->p++;
			continue;
		}
		if (*r->p == '\r')
			r->p++;
		r->p++; /* the '\n' */
		r->line++;
		break;
	}
	*nfields = n;
out:
	if (rc < 0) {
		/* Skip to the next line, so that the next record can be read. */
		while (r->p < r->end && *r->p != '\n')
			r->p++;
		if (r->p < r->end) {
			r->p++;
			r->line++;
		}
	}
	buf_free(&cell);
	return rc;
}
