/*
 * csv: RFC 4180 cells with formula-injection protection (see csv.h for the
 * rules and why).
 */
#include "csv.h"

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
