/*
 * ctl_links: `portalctl links check`, the front end of lib/links.h: its
 * arguments, one check at a time (an advisory lock), the table it prints.
 */
#ifndef CTL_LINKS_H
#define CTL_LINKS_H

#include <stdio.h>

#include "db.h"

/*
 * Checks the links of the published reports (only those of reports, a
 * comma-separated list of ids, when not NULL), at most parallel (text, NULL
 * for LINKS_PARALLEL) at once, each request within timeout seconds (NULL for
 * LINKS_TIMEOUT_S), stores the outcomes (links_store) and prints one line
 * per report: id, result (status code or failure), ms, failed (in a row),
 * url; then how many failed. db holds links_stmts. Returns 0 when it ran,
 * whatever it found; 1 when it could not (no database, another check
 * running, an id that is no published report, libcurl); 2 for a bad value.
 */
int ctl_links_check(struct db *db, const char *parallel, const char *timeout, const char *reports,
                    FILE *out, FILE *err);

#endif
