/*
 * admin_links: the admin pool's list of broken links, GET /admin/links:
 * the published reports whose link failed LINKS_BROKEN_AFTER times in a
 * row or more (lib/links.h, as `portalctl links check` stored it), with the
 * failure, since when and a link to the report's admin page. Superusers
 * only; a report's owner sees the warning on the report's page
 * (lib/catalog.c, report_page), other employees never.
 */
#ifndef ADMIN_LINKS_H
#define ADMIN_LINKS_H

#include "db.h"
#include "field.h"

struct ctx;

/* Statements, terminated by { NULL }:
 *  admin_links_list  $3 offset: the session's row with one row per broken
 *                    link of the page (at most 50; NULL id when none),
 *                    oldest failure first, and the total */
extern const struct db_stmt admin_links_stmts[];

/* The list's fields: page. */
extern const struct field admin_links_fields[];

/* GET /admin/links. */
void admin_get_links(struct ctx *c);

#endif
