/*
 * admin_reports: the SQL of the reports area of the admin pool (list,
 * create, edit, archive) and the validation of its form.
 */
#ifndef ADMIN_REPORTS_H
#define ADMIN_REPORTS_H

#include "db.h"
#include "field.h"

struct ctx;

/* Statements, terminated by { NULL }:
 *  admin_dashboard       counts of users, roles, reports for the start page
 *  admin_reports_list    $3 search, $4 status ("" all), $5 offset
 *  admin_report_page     $3 id: the report (NULL id when none), its
 *                        version, one row per role that grants it, and
 *                        whether its link is broken (link_broken,
 *                        link_failure, link_status, link_error,
 *                        link_failures, link_since: lib/links.h)
 *  admin_report_create   $1 actor, $2 ip, $3 title, $4 url, $5 category,
 *                        $6 description, $7 status: the new id
 *  admin_report_update   $1 actor, $2 ip, $3 id, $4 version, $5..$9 as above:
 *                        columns found, updated (found and not updated: stale)
 */
extern const struct db_stmt admin_reports_stmts[];

struct report_form {
	const char *title;
	const char *url;
	const char *category;
	const char *description;
	const char *status;
};

/* Checks a report form; for the first problem of each field calls
 * bad(ctx, field, message_key). Returns the number of problems. */
int admin_report_check(const struct report_form *f,
                       void (*bad)(void *ctx, const char *field, const char *key), void *ctx);

/* The declared fields (field.h): the list's q (at most 200 characters),
 * status (at most 20) and page; the report page's ?saved; the form's
 * values, archive and version (for create and update alike). */
extern const struct field admin_reports_list_fields[], admin_report_fields[],
    admin_report_form_fields[];

/* Handlers: GET /admin/ (start page), GET /admin/reports, GET
 * /admin/reports/new, POST /admin/reports, GET and POST /admin/reports/{id}. */
void admin_get_index(struct ctx *c);
void admin_get_reports(struct ctx *c);
void admin_get_report_new(struct ctx *c);
void admin_post_report_create(struct ctx *c);
void admin_get_report(struct ctx *c);
void admin_post_report_update(struct ctx *c);

/* POST /admin/reports/{id}/owner: owner (a user's name) and contact
 * (reports_set_owner); 303 back to the report, 400 for an unknown user
 * or a bad contact. */
extern const struct field admin_report_owner_fields[];
void admin_post_report_owner(struct ctx *c);

#endif
