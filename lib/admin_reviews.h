/*
 * admin_reviews: the reviews area of the admin pool (lib/reviews.h, schema
 * 0022): the list of reviews and, for superusers, the form that starts
 * one; a review's page with its items (50 a page, optionally only the
 * undecided), where owners mark the members of their roles keep or remove
 * and superusers close it; its CSV for the auditor. Owners see only the
 * reviews and items of the roles they own; every other review answers 404
 * to them, as does everything here to anyone else.
 */
#ifndef ADMIN_REVIEWS_H
#define ADMIN_REVIEWS_H

#include "db.h"
#include "field.h"

struct ctx;

/* The pages' statements, terminated by { NULL }: admin_reviews_list ($1
 * $2 the session, $3 the offset), admin_review_page ($3 the review, $4 "t"
 * for undecided items only, $5 the offset) and admin_review_check ($3 the
 * review: whether the user sees it, before the CSV); an owner sees only
 * the items of their roles. */
extern const struct db_stmt admin_reviews_stmts[];

/* The declared fields of each route (field.h). */
extern const struct field admin_reviews_list_fields[], admin_review_start_fields[],
    admin_review_fields[], admin_review_decide_fields[];

/* GET /admin/reviews (?page=), POST /admin/reviews (start: role, due,
 * unreviewed), GET /admin/reviews/{id} (?page=, ?undecided=1, ?done=),
 * POST /admin/reviews/{id}/decide (role_id, user_id, decision, note),
 * POST /admin/reviews/{id}/close, GET /admin/reviews/{id}/csv. */
void admin_get_reviews(struct ctx *c);
void admin_post_review_start(struct ctx *c);
void admin_get_review(struct ctx *c);
void admin_post_review_decide(struct ctx *c);
void admin_post_review_close(struct ctx *c);
void admin_get_review_csv(struct ctx *c);

#endif
