/*
 * csv: writes RFC 4180 CSV into a buf, one cell at a time, for the exports
 * of the admin pool and portalctl.
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

#endif
