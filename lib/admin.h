/*
 * admin: what every page of the admin pool shares. Only active superusers
 * reach /admin/, and the owners of roles the pages of their roles (schema
 * 0018): for anyone else every admin page answers 404, as if it did not
 * exist. Every change is a POST with the session's CSRF token and runs
 * in ONE statement together with its audit_log row (actor, action, target,
 * before and after as jsonb, address), so a failed change leaves no trace
 * and a successful one cannot miss its record. Edit forms carry the row's
 * version (updated_at); saving a stale form changes nothing and answers 409.
 */
#ifndef ADMIN_H
#define ADMIN_H

#include "app.h"
#include "audit.h"
#include "field.h"
#include "pager.h"
#include "preview.h"

/* SQL: whether the signed-in user (a SESSION_CTE's cur) owns any role:
 * such a user reaches the roles pages for their roles (schema 0018). */
#define ADMIN_KEEPS "EXISTS (SELECT 1 FROM role_owners o WHERE o.user_id = cur.uid)"

/* The page size of admin lists (pager.h). */
#define ADMIN_PAGE_SIZE 50

/*
 * Runs a SESSION_CTE statement for an admin page (as app_session_query) and
 * answers 404 unless the user is an active superuser, and 303 to
 * /admin/confirm?next=<this page> unless the session's "confirm it's you"
 * step holds (cur.admin_confirmed, read by the same statement). Sets the
 * variables csrf and user. NULL when answered already.
 */
PGresult *admin_page_query(struct ctx *c, const char *stmt, int n_extra, const char *const *extra);

/*
 * The same for the pages a role's owner may see too (schema 0018: the
 * roles list and the pages of the roles they own): besides superusers, a
 * user for whom the statement's first row has keeps = true passes. What an
 * owner may change is decided again by the statement that changes it
 * (lib/grants.c, role_may_keep).
 */
PGresult *admin_keeper_page_query(struct ctx *c, const char *stmt, int n_extra,
                                  const char *const *extra);

/*
 * GET and POST /admin/confirm: the password asked again before the first
 * admin page of a session and every SESSION_ADMIN_CONFIRM_S after (fixed
 * from the confirmation, not sliding), since a session alone may have been
 * made by the portal pool, whose database role can open sessions for
 * anyone. The POST checks CSRF, then session_admin_confirm, and returns to
 * next (an /admin/ path; else /admin/). Superusers only (404).
 */
void admin_get_confirm(struct ctx *c);
void admin_post_confirm(struct ctx *c);
extern const struct field admin_confirm_get_fields[], admin_confirm_post_fields[];

/*
 * GET and POST /admin/password: a superuser's own password change, which
 * the portal pool may not make (its database role could otherwise reset a
 * superuser's password with a session it made). The account page's form
 * posts here for superusers; fields and checks as there (current, new,
 * repeated, the policy); the current password is the confirmation, so it
 * needs none before, and also works while must_change_password is set.
 * Success: a new, confirmed session and 303 to /account?done=password.
 */
void admin_get_password(struct ctx *c);
void admin_post_password(struct ctx *c);
extern const struct field admin_password_fields[];

/* For a POST: session, superuser, confirmation and CSRF token, then the
 * route's declared fields (app_fields_ok). Returns 1 when the change may
 * proceed (c->user is set), 0 when the response is answered (303 to sign in
 * or to /admin/confirm, 404, 403, 400). */
int admin_post_guard(struct ctx *c);

/* admin_post_guard for the changes a role's owner may make too (its
 * members): a superuser or a user who owns any role passes here; the
 * change's statement refuses a role the user does not own. */
int admin_keeper_post_guard(struct ctx *c);

/* Who makes a change here: the signed-in administrator's id and address,
 * and the same as the operations of lib/users.c, roles.c and reports.c take
 * it (audit points into this struct, channel "web"). */
struct admin_actor {
	char id[24];
	const char *ip; /* NULL when unknown */
	struct audit_actor audit;
};
void admin_actor(const struct ctx *c, struct admin_actor *a);

/* Adds the message of key as errors.<field> (the form shows it at the
 * field) and counts it. */
void admin_error(struct ctx *c, struct tvars *errors, const char *field, const char *key);

/* Collects a form's problems at their fields: pass admin_form_bad and a
 * struct admin_form to a checker such as admin_report_check, then render
 * errors with the form. */
struct admin_form {
	struct ctx *c;
	struct tvars *errors;
};
void admin_form_bad(void *form, const char *field, const char *key);

/* The message key for a text field's value s (valid UTF-8) that is longer
 * than max characters ("admin.error.too_long") or holds a control character
 * ("admin.error.control") or an invisible or bidirectional format character
 * ("admin.error.invisible"; str_hidden_char, flags as there); NULL when it
 * is none of these. */
const char *admin_text_problem(const char *s, size_t max, int flags);

/* Declares a trimmed text field of a form, as the admin forms read them
 * (their checks, such as admin_role_check, word the messages at the
 * field), and a checkbox, a lenient FIELD_BOOL (unchecked when anything
 * else is sent). */
#define ADMIN_FORM_TEXT(name)                                                                      \
	{                                                                                          \
		(name), FIELD_TEXT, FIELD_FORM | FIELD_TRIM, 0, 0, NULL                            \
	}
#define ADMIN_CHECKBOX(name)                                                                       \
	{                                                                                          \
		(name), FIELD_BOOL, FIELD_FORM | FIELD_LENIENT, 0, 0, NULL                         \
	}

/* The pagination of an admin list (pager_vars) with its links base +
 * "page=N" (base up to and including '?' or '&'), and total. */
void admin_pager_vars(struct ctx *c, const char *base, const struct pager *p);

/* Maps the outcome of a change statement to a response when it failed:
 * DB_CONFLICT and DB_INVALID re-render nothing here (the caller re-renders
 * its form), others give the error page. Returns 1 when st is DB_OK. */
int admin_db_ok(struct ctx *c, enum db_status st);

/* A hidden field of a preview's confirm form. */
struct admin_hidden {
	const char *name, *value;
};

/*
 * The preview step of a change of access (lib/preview.h): renders
 * templates/admin/preview.xhtml with status (200; 409 when the save found
 * the data changed since the preview, p then the fresh one): what the
 * change is (kind: members_add, members_remove, reports_add,
 * reports_remove, deactivate, activate or status; n_selected the ids
 * chosen; p->subject the role or report), who gains and who loses (counts
 * and the first lines), and the confirm form that posts hidden, p's token
 * and the CSRF token to action. back: the page to return to unsaved.
 */
void admin_render_preview(struct ctx *c, int status, const struct preview *p, const char *kind,
                          long n_selected, const char *action, const char *back,
                          const struct admin_hidden *hidden, size_t n_hidden);

/* The confirm form's token field, declared in the fields of every route
 * that previews: absent, the POST previews; present, it saves when the
 * token is still the data's (64 hex digits, else 400). */
#define ADMIN_PREVIEW_TOKEN                                                                        \
	{                                                                                          \
		"token", FIELD_TEXT, FIELD_FORM, 64, 64, NULL                                      \
	}

#endif
