/*
 * table: aligned text tables of query results (see table.h).
 */
#include "table.h"

#include <stdlib.h>

#include "req.h"

static void put_cell(FILE *out, const char *s, size_t width, int last)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, out);
	if (last) {
		fputc('\n', out);
		return;
	}
	for (size_t w = utf8_length(s); w < width + 2; w++)
		fputc(' ', out);
}

int table_print(FILE *out, const PGresult *res, const char *one, const char *many)
{
	int ncols = PQnfields(res), nrows = PQntuples(res);
	if (ncols > 0) {
		size_t *width = calloc((size_t)ncols, sizeof(*width));
		if (width == NULL)
			return -1;
		for (int c = 0; c < ncols; c++) {
			width[c] = utf8_length(PQfname(res, c));
			for (int r = 0; r < nrows; r++) {
				size_t w = utf8_length(PQgetvalue(res, r, c));
				if (w > width[c])
					width[c] = w;
			}
		}
		for (int c = 0; c < ncols; c++)
			put_cell(out, PQfname(res, c), width[c], c == ncols - 1);
		for (int c = 0; c < ncols; c++) {
			for (size_t w = 0; w < width[c]; w++)
				fputc('-', out);
			fputs(c == ncols - 1 ? "\n" : "  ", out);
		}
		for (int r = 0; r < nrows; r++)
			for (int c = 0; c < ncols; c++)
				put_cell(out, PQgetvalue(res, r, c), width[c], c == ncols - 1);
		free(width);
	}
	fprintf(out, "(%d %s)\n", nrows, nrows == 1 ? one : many);
	return fflush(out) != 0 || ferror(out) ? -1 : 0;
}
