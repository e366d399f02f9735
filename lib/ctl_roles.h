/*
 * ctl_roles: portalctl's role commands (role add, list, grant-user,
 * revoke-user, add-owner, remove-owner, set-requestable, activate,
 * deactivate, grant-report, revoke-report, and the requests of roles) and
 * the checks of a role's name and description. Every change is one
 * statement with its audit_log row (actor NULL, details "via":
 * "portalctl"); grants go through grants, as the admin pool's do.
 *
 * The command functions validate their values first, then connect (a bad
 * value never waits for the database), then print to out (results) and err
 * (messages "portalctl: ..." naming the offending value). They return the
 * exit status: 0 done (also "already so, nothing changed"), 1 failed.
 */
#ifndef CTL_ROLES_H
#define CTL_ROLES_H

#include <stddef.h>
#include <stdio.h>

#include "db.h"

/* The statements of this module, terminated by { NULL }. The handle must
 * also hold grants_stmts (and for --dry-run preview_stmts, roles_stmts and
 * reports_stmts). */
extern const struct db_stmt ctl_role_stmts[];

/* Role name: not blank, at most 100 characters, valid UTF-8, no control
 * characters. Description: at most 2000 characters of valid UTF-8. Return
 * 0, or -1 with a message naming the value in err. */
int ctl_check_role_name(const char *s, char *err, size_t errlen);
int ctl_check_role_description(const char *s, char *err, size_t errlen);

int ctl_role_add(struct db *db, const char *name, const char *description, FILE *out, FILE *err);
int ctl_role_list(struct db *db, FILE *out, FILE *err);
/* grant-user / revoke-user (grant 1 / 0): ROLE by name, USER by username;
 * a grant from `from` until `until` (NULL: open; grants_time_check's
 * forms), and granting again changes the dates. dry 1 (--dry-run): prints
 * the change's preview (lib/preview.h: who gains and who loses which
 * reports, as of now) and changes nothing. */
int ctl_role_user(struct db *db, int grant, const char *role, const char *user, const char *from,
                  const char *until, int dry, FILE *out, FILE *err);
/* grant-report / revoke-report: ROLE by name, REPORT by id; dry as above. */
int ctl_role_report(struct db *db, int grant, const char *role, const char *report, int dry,
                    FILE *out, FILE *err);

/* add-owner / remove-owner (add 1 / 0): USER (a username) owns ROLE (by
 * name), or no longer, through roles_owner; an owner keeps the role's
 * members in the admin pool. */
int ctl_role_owner(struct db *db, int add, const char *role, const char *user, FILE *out,
                   FILE *err);

/* set-requestable ROLE [--max-days N] | --off (on 1 / 0): whether users
 * may request the role (schema 0021), through roles_update. */
int ctl_role_requestable(struct db *db, const char *role, int on, const char *max_days, FILE *out,
                         FILE *err);

/* activate / deactivate ROLE (active 1 / 0, ROLE by name) through
 * roles_update: switching a role off takes its access away at once, on
 * gives it back (audit role.activated, role.deactivated). dry 1
 * (--dry-run): prints the preview (PREVIEW_ROLE_ACTIVE) and changes
 * nothing. */
int ctl_role_active(struct db *db, const char *role, int active, int dry, FILE *out, FILE *err);

/* A note of a decision (requests, reviews: requests_text_problem's rule,
 * blank is none): 0, or -1 with the message naming the problem. */
int ctl_check_note(const char *note, FILE *err);

/* requests list: what waits for a decision, oldest first (for a mail
 * script); requests approve / refuse ID [--note T] through requests_decide
 * (the console may decide any request). */
int ctl_requests_list(struct db *db, FILE *out, FILE *err);
int ctl_requests_decide(struct db *db, const char *id, int approve, const char *note, FILE *out,
                        FILE *err);

#endif
