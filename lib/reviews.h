/*
 * reviews: the one home of periodic reviews of role memberships (schema
 * 0022, issue 16), for the admin pool and portalctl. A superuser (or the
 * console) starts a review of one role, or of every role not in an open
 * review already, with a due date and the rule for members nobody
 * reviewed (keep or remove); the memberships that count now or later are
 * its items. Until the due date each owner of a role (role_may_keep) or a
 * superuser marks its members keep or remove, with an optional note.
 * Closing (by hand, or every due review by `portalctl review close-due`)
 * gives each item its outcome (kept, removed, or gone when the membership
 * had ended already) and takes the removed memberships away through
 * grants, in one transaction. Audited: review.started, review.decided,
 * review.closed, and role.member_removed per membership.
 */
#ifndef REVIEWS_H
#define REVIEWS_H

#include "audit.h"
#include "db.h"

/* The statements of the operations below, terminated by { NULL } (the
 * admin pool's pages have theirs in lib/admin_reviews.c). */
extern const struct db_stmt reviews_stmts[];

/* The review's CSV, for the auditor ($1 the review, $2 whose view: a
 * user's id, who sees the items of the roles they may keep, or NULL for
 * all), and its header: one line per item, who decided what and when, and
 * the outcome (lib/admin_access.h, admin_csv_export). */
extern const char reviews_export_sql[];
extern const char *const reviews_export_header[];

/* A note is checked as a request's (requests_text_problem(note, 0)): the
 * schema's CHECKs are the same. */

enum reviews_status {
	REVIEWS_OK = 0,
	REVIEWS_NOT_FOUND, /* no such review or role, or none the actor may see */
	REVIEWS_FORBIDDEN, /* start, close: not a superuser */
	REVIEWS_BAD_DUE,   /* start: the due date is not in the future */
	REVIEWS_BUSY,      /* start: the role is in an open review already */
	REVIEWS_EMPTY,     /* start: no memberships to review */
	REVIEWS_CLOSED,    /* decide, close: past the due date or closed already */
	REVIEWS_UNCHANGED, /* decide: already so */
	REVIEWS_DB_ERROR,  /* *st says how */
};

struct reviews_outcome {
	long long id;             /* start: the new review */
	long items, roles;        /* start: how many memberships, of how many roles */
	long kept, removed, gone; /* close */
	long unreviewed;          /* close: items nobody decided */
};

/* Starts a review of role `role` (a name; "" for all roles) due at `due`
 * (as grants_time_check takes it) with unreviewed "keep" or "remove". */
enum reviews_status reviews_start(struct db *db, const struct audit_actor *a, const char *role,
                                  const char *due, const char *unreviewed,
                                  struct reviews_outcome *o, enum db_status *st);

/* Marks the membership of user_id in role_id of review_id "keep" or
 * "remove" with note ("" or NULL for none). */
enum reviews_status reviews_decide(struct db *db, const struct audit_actor *a,
                                   const char *review_id, const char *role_id, const char *user_id,
                                   const char *decision, const char *note, enum db_status *st);

/* Closes review_id and carries it out (see above), in one transaction. */
enum reviews_status reviews_close(struct db *db, const struct audit_actor *a, const char *review_id,
                                  struct reviews_outcome *o, enum db_status *st);

/* Closes every review past its due date, each in its own transaction;
 * *closed counts them. 0, or -1 with *st (those closed before stay so). */
int reviews_close_due(struct db *db, const struct audit_actor *a, long *closed, enum db_status *st);

#endif
