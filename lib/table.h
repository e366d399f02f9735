/*
 * table: query results as aligned text tables for portalctl. Widths count
 * characters, not bytes, and control characters print as '?', so a value
 * can neither misalign the table nor rewrite the terminal.
 */
#ifndef TABLE_H
#define TABLE_H

#include <libpq-fe.h>
#include <stdio.h>

/*
 * Prints res: the column names, a rule, the rows padded to the widest value
 * of each column (no trailing blanks), then "(N one)" or "(N many)".
 * Returns 0, or -1 on a write error.
 */
int table_print(FILE *out, const PGresult *res, const char *one, const char *many);

#endif
