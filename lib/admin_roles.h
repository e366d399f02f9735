/*
 * admin_roles: the roles area of the admin pool: list, create, edit,
 * deactivate and activate a role, and its members and granted reports as
 * searchable, paginated checkbox lists (usable with 10,000 users and 5,000
 * reports: a page never holds more than 50 rows of any list).
 */
#ifndef ADMIN_ROLES_H
#define ADMIN_ROLES_H

#include <libpq-fe.h>

#include "db.h"
#include "field.h"

struct ctx;

/* Statements, terminated by { NULL }:
 *  admin_roles_list   $3 name search, $4 offset: one row per role of the
 *                     page (id, name, description, is_active, href,
 *                     n_members, n_reports, total), NULL id when none
 *  admin_role_page    $3 id, $4 text[] {member filter, member search,
 *                     report filter, report search, category}, $5 int[]
 *                     offsets {members, member candidates, reports, report
 *                     candidates}: the "role" row (session, role_id NULL
 *                     when none, name, description, role_active, version,
 *                     n_members, n_reports), then kinds "member", "cand",
 *                     "report", "rcand", "cat" (id, label, sub, extra,
 *                     active, href, total)
 *  admin_role_create  $1 actor, $2 ip, $3 name, $4 description: the new id,
 *                     no row when the name is taken (any case)
 *  admin_role_update  $1 actor, $2 ip, $3 id, $4 version, $5 name,
 *                     $6 description: found, current (version matches),
 *                     duplicate (another role has the name), updated
 *  admin_role_set_active $1 actor, $2 ip, $3 id, $4 "true" or "false":
 *                     found, changed
 */
extern const struct db_stmt admin_roles_stmts[];

/* Checks a role's name and description; for the first problem of each
 * field calls bad(ctx, field, message_key). Returns the number of problems. */
int admin_role_check(const char *name, const char *description,
                     void (*bad)(void *ctx, const char *field, const char *key), void *ctx);

/* Where each kind's rows start and how many there are in an admin_role_page
 * result (rows of one kind are contiguous). */
struct admin_role_ranges {
	int member_first, member_n;
	int cand_first, cand_n;
	int report_first, report_n;
	int rcand_first, rcand_n;
	int cat_first, cat_n;
	int group_first, group_n;     /* the directory groups that give the role */
	int owner_first, owner_n;     /* the role's owners (schema 0018) */
	int request_first, request_n; /* requests that wait (schema 0021) */
};
void admin_roles_split(const PGresult *res, struct admin_role_ranges *out);

/* Appends s as one element of a PostgreSQL array literal: double-quoted,
 * with '"' and '\' escaped. */
struct buf;
void admin_roles_array_item(struct buf *out, const char *s);

/* The declared fields (field.h): the list's q (at most 200 characters) and
 * page; the new role's name and description; the role page's view (its
 * searches mf, member_q, rf, report_q, category, at most 200 characters
 * each, and the pages mpage, cpage, rpage, kpage of its four lists) and
 * notice (done, n: lenient); a save's view, name, description and version
 * (required); the view alone (activate, deactivate); the view and the
 * checked user_id[] or report_id[]. */
extern const struct field admin_roles_list_fields[], admin_role_create_fields[],
    admin_role_fields[], admin_role_update_fields[], admin_role_view_fields[],
    admin_role_members_fields[], admin_role_reports_fields[];

/* Handlers: GET /admin/roles, GET /admin/roles/new, POST /admin/roles,
 * GET and POST /admin/roles/{id}, POST /admin/roles/{id}/deactivate and
 * /activate, POST /admin/roles/{id}/members/add and /members/remove, POST
 * /admin/roles/{id}/reports/add and /reports/remove. */
void admin_get_roles(struct ctx *c);
void admin_get_role_new(struct ctx *c);
void admin_post_role_create(struct ctx *c);
void admin_get_role(struct ctx *c);
void admin_post_role_update(struct ctx *c);
void admin_post_role_deactivate(struct ctx *c);
void admin_post_role_activate(struct ctx *c);
void admin_post_role_members_add(struct ctx *c);
void admin_post_role_members_remove(struct ctx *c);
/* POST /admin/roles/{id}/members/dates: the checked members get the dates
 * of the form (valid_from, valid_until; empty: open). */
void admin_post_role_members_dates(struct ctx *c);
/* POST /admin/roles/{id}/owners/add and /owners/remove (superusers only):
 * the user named in the form (username) owns the role, or no longer; an
 * owner keeps the role's members (schema 0018). */
void admin_post_role_owners_add(struct ctx *c);
void admin_post_role_owners_remove(struct ctx *c);
extern const struct field admin_role_owners_fields[];

/* POST /admin/requests/{id}/decide (a superuser or the role's owner):
 * decision approve or refuse, with an optional note, through
 * requests_decide; back to the role's page. 404 for a request of a role
 * the user may not keep, 409 when it was decided, withdrawn or expired. */
void admin_post_request_decide(struct ctx *c);
extern const struct field admin_request_decide_fields[];
void admin_post_role_reports_add(struct ctx *c);
void admin_post_role_reports_remove(struct ctx *c);

#endif
