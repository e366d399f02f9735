/*
 * csv: RFC 4180 CSV, written into a buf one cell at a time (the exports of
 * the admin pool and portalctl) and read one record at a time (portalctl's
 * import of users).
 *
 * Quoting: a cell is put in double quotes when it holds a comma, a double
 * quote, CR or LF, or when it is the empty string; a double quote inside is
 * doubled. A NULL cell is written as nothing at all, so an importer that
 * cares (PostgreSQL's COPY ... CSV) can tell NULL from "". Lines end in CRLF.
 *
 * Formula injection: spreadsheets (Excel, LibreOffice, Google Sheets) run a
 * cell that starts with = + - @ as a formula, and TAB or CR before one of
 * those is skipped by some of them. Data in these exports comes from users
 * (a report title typed by an administrator, a username from an import), so
 * such a cell gets a leading apostrophe: the spreadsheet shows the text as
 * text. The price: a value read back by a program has the apostrophe (a
 * negative number "-5" comes out as "'-5"); the exports here hold no negative
 * numbers. See OWASP "CSV Injection".
 */
#ifndef CSV_H
#define CSV_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"

/* The UTF-8 byte order mark: put first in a file meant for spreadsheets, so
 * that Excel reads the text as UTF-8 rather than the system code page. */
#define CSV_UTF8_BOM "\xEF\xBB\xBF"

/* A line being written: cells go to out, separated by commas. */
struct csv {
	struct buf *out;
	size_t cells; /* cells written on the current line */
};

/* Starts writing to out (appends; out keeps what it holds). */
void csv_init(struct csv *w, struct buf *out);

/* Appends a cell: s (NUL-terminated) or NULL for SQL NULL. */
void csv_cell(struct csv *w, const char *s);

/* Appends the cell of len bytes at s; NULL s is SQL NULL (len ignored). */
void csv_cell_n(struct csv *w, const char *s, size_t len);

/* Ends the current line (CRLF). */
void csv_end_row(struct csv *w);

/* Returns 1 when a cell with this first byte gets the apostrophe. */
int csv_formula_lead(char c);

/* ---- reading ---- */

/* Input of known length: every byte counts, a NUL too. */
struct csv_reader {
	const char *p, *end;
	long line; /* the line p is on */
};

/* Reads the len bytes at data, from line 1. */
void csv_reader_init(struct csv_reader *r, const char *data, size_t len);

/*
 * Reads one record into fields (at most max, copied into ar); *nfields is
 * the count found (may exceed max: the rest are dropped). Returns 1 with a
 * record, 0 at the end of input, -1 with a message in err ("quoted field
 * opened on line 3 is not closed", "field 1 holds a NUL byte"); after -1 the
 * reader stands on the next line. *start is the record's first line, or for
 * a refused byte the line it is on. A blank line is a record of one empty
 * field. Refused in any field, quoted or not: NUL, the other C0 controls but
 * tab, CR and LF, DEL, and a CR that ends no line; a line break inside a
 * quoted field is part of the value.
 */
int csv_read_record(struct csv_reader *r, struct arena *ar, const char **fields, int max,
                    int *nfields, long *start, char *err, size_t errlen);

#endif
