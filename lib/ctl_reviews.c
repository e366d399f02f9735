/*
 * ctl_reviews: portalctl's review commands (see ctl_reviews.h).
 */
#include "ctl_reviews.h"

#include <string.h>

#include "audit.h"
#include "ctl.h"
#include "grants.h"
#include "ctl_roles.h"
#include "reviews.h"

/* clang-format off */

/* Every review, open first: id, role (or "(all)"), started, due, state,
 * items, decided, to remove. */
static const char sql_list[] =
	"SELECT v.id::text AS id, coalesce(ro.name::text, '(all)') AS role,"
	" " CTL_TIME("v.started_at") " AS started, " CTL_TIME("v.due_at") " AS due,"
	" v.state_now AS state, v.unreviewed AS unreviewed,"
	" (SELECT count(*) FROM access_review_items i WHERE i.review_id = v.id)::text AS items,"
	" (SELECT count(decision) FROM access_review_items i WHERE i.review_id = v.id)::text AS decided,"
	" (SELECT count(*) FROM access_review_items i WHERE i.review_id = v.id"
	"  AND i.decision = 'remove')::text AS remove"
	" FROM access_reviews_now v LEFT JOIN roles ro ON ro.id = v.role_id"
	" ORDER BY v.closed_at IS NOT NULL, v.due_at, v.id";

/* The items of review $1 as a table: role, user, until, decision, by,
 * when, outcome, note. */
static const char sql_items[] =
	"SELECT ro.name::text AS role, u.username::text AS \"user\","
	" " CTL_TIME("i.valid_until") " AS until, coalesce(i.decision, '') AS decision,"
	" CASE WHEN i.decided_at IS NULL THEN '' ELSE coalesce(du.username::text, 'portalctl') END"
	" AS by, " CTL_TIME("i.decided_at") " AS decided,"
	" coalesce(i.outcome, '') AS outcome,"
	" replace(replace(coalesce(i.note, ''), E'\\n', ' '), E'\\r', ' ') AS note"
	" FROM access_review_items i JOIN roles ro ON ro.id = i.role_id"
	" JOIN users u ON u.id = i.user_id LEFT JOIN users du ON du.id = i.decided_by"
	" WHERE i.review_id = $1::bigint ORDER BY lower(ro.name::text), lower(u.username::text)";

static const char sql_exists[] =
	"SELECT state_now FROM access_reviews_now WHERE id = $1::bigint";

/* clang-format on */

const struct db_stmt ctl_review_stmts[] = {
	{ "ctl_review_list", sql_list, 0 },
	{ "ctl_review_items", sql_items, 1 },
	{ "ctl_review_exists", sql_exists, 1 },
	{ NULL, NULL, 0 },
};

static int bad_id(const char *id, FILE *err)
{
	long long n;
	if (ctl_parse_id(id, &n) == 0)
		return 0;
	fprintf(err, CTL_PROG ": invalid review id \"%s\": expected a positive number\n", id);
	return -1;
}

int ctl_review_start(struct db *db, const char *role, int all, const char *due,
                     const char *unreviewed, FILE *out, FILE *err)
{
	if ((role == NULL) == !all) {
		fprintf(err, CTL_PROG ": review start: give --role ROLE or --all\n");
		return 2;
	}
	if (due == NULL || grants_time_check(due) != 0) {
		fprintf(err,
		        CTL_PROG ": invalid --due \"%s\": expected ISO 8601 such as "
		                 "2027-03-31T17:00+01:00, 2027-03-31T17:00 or 2027-03-31\n",
		        due ? due : "");
		return 1;
	}
	if (unreviewed == NULL ||
	    (strcmp(unreviewed, "keep") != 0 && strcmp(unreviewed, "remove") != 0)) {
		fprintf(err, CTL_PROG ": invalid --unreviewed \"%s\": expected keep or remove\n",
		        unreviewed ? unreviewed : "");
		return 1;
	}
	if (ctl_open(db, err) != 0)
		return 1;
	struct reviews_outcome o;
	enum db_status st;
	switch (reviews_start(db, &audit_console, all ? "" : role, due, unreviewed, &o, &st)) {
	case REVIEWS_OK:
		fprintf(out, "review %lld started: %ld membership%s of %ld role%s, due %s\n", o.id,
		        o.items, o.items == 1 ? "" : "s", o.roles, o.roles == 1 ? "" : "s", due);
		return 0;
	case REVIEWS_NOT_FOUND:
		fprintf(err, CTL_PROG ": no role \"%s\"\n", role);
		return 1;
	case REVIEWS_BAD_DUE:
		fprintf(err, CTL_PROG ": --due %s is not in the future\n", due);
		return 1;
	case REVIEWS_BUSY:
		fprintf(err, CTL_PROG ": a review of role \"%s\" is open already\n", role);
		return 1;
	case REVIEWS_EMPTY:
		fprintf(err, CTL_PROG ": no memberships to review%s\n",
		        all ? " (every role with members is in an open review already)" : "");
		return 1;
	default:
		ctl_db_failed(db, "start the review", err);
		return 1;
	}
}

int ctl_review_list(struct db *db, FILE *out, FILE *err)
{
	if (ctl_open(db, err) != 0)
		return 1;
	return ctl_list(db, "ctl_review_list", 0, NULL, "list the reviews", "review", "reviews",
	                out, err);
}

/* 0 when review id exists; else the message and -1. */
static int find_review(struct db *db, const char *id, FILE *err)
{
	const char *p[] = { id };
	PGresult *res = ctl_run(db, "ctl_review_exists", 1, p, "look up the review", err);
	if (res == NULL)
		return -1;
	int found = PQntuples(res) > 0;
	PQclear(res);
	if (!found)
		fprintf(err, CTL_PROG ": no review %s\n", id);
	return found ? 0 : -1;
}

int ctl_review_show(struct db *db, const char *id, int csv, FILE *out, FILE *err)
{
	if (bad_id(id, err) != 0)
		return 1;
	if (ctl_open(db, err) != 0 || find_review(db, id, err) != 0)
		return 1;
	const char *p[] = { id, NULL };
	if (csv)
		return ctl_export_csv(db, reviews_export_sql, 2, p, reviews_export_header, out,
		                      err);
	return ctl_list(db, "ctl_review_items", 1, p, "list the review's items", "membership",
	                "memberships", out, err);
}

int ctl_review_decide(struct db *db, const char *id, const char *role, const char *user,
                      const char *decision, const char *note, FILE *out, FILE *err)
{
	if (bad_id(id, err) != 0)
		return 1;
	if (strcmp(decision, "keep") != 0 && strcmp(decision, "remove") != 0) {
		fprintf(err, CTL_PROG ": invalid decision \"%s\": expected keep or remove\n",
		        decision);
		return 1;
	}
	if (ctl_check_note(note, err) != 0)
		return 1;
	if (ctl_open(db, err) != 0 || find_review(db, id, err) != 0)
		return 1;
	const char *p[] = { role, user };
	PGresult *res = ctl_run(db, "ctl_role_user_ids", 2, p, "look up the role and user", err);
	if (res == NULL)
		return 1;
	int rc = 1;
	char rid[32], uid[32];
	if (PQgetisnull(res, 0, 0)) {
		fprintf(err, CTL_PROG ": no role \"%s\"\n", role);
	} else if (PQgetisnull(res, 0, 3)) {
		fprintf(err, CTL_PROG ": no user \"%s\"\n", user);
	} else {
		snprintf(rid, sizeof rid, "%s", PQgetvalue(res, 0, 0));
		snprintf(uid, sizeof uid, "%s", PQgetvalue(res, 0, 3));
		rc = 0;
	}
	PQclear(res);
	if (rc != 0)
		return rc;
	enum db_status st;
	switch (reviews_decide(db, &audit_console, id, rid, uid, decision, note, &st)) {
	case REVIEWS_OK:
		fprintf(out, "review %s: %s in \"%s\": %s\n", id, user, role, decision);
		return 0;
	case REVIEWS_UNCHANGED:
		fprintf(out, "review %s: %s in \"%s\" is %s already; nothing changed\n", id, user,
		        role, decision);
		return 0;
	case REVIEWS_NOT_FOUND:
		fprintf(err, CTL_PROG ": review %s has no membership of %s in \"%s\"\n", id, user,
		        role);
		return 1;
	case REVIEWS_CLOSED:
		fprintf(err,
		        CTL_PROG ": review %s is past its due date or closed; nothing changed\n",
		        id);
		return 1;
	default:
		ctl_db_failed(db, "record the decision", err);
		return 1;
	}
}

static void print_closed(FILE *out, const char *id, const struct reviews_outcome *o)
{
	fprintf(
	    out,
	    "review %s closed: %ld kept, %ld removed, %ld had ended already (%ld not reviewed)\n",
	    id, o->kept, o->removed, o->gone, o->unreviewed);
}

int ctl_review_close(struct db *db, const char *id, FILE *out, FILE *err)
{
	if (bad_id(id, err) != 0)
		return 1;
	if (ctl_open(db, err) != 0)
		return 1;
	struct reviews_outcome o;
	enum db_status st;
	switch (reviews_close(db, &audit_console, id, &o, &st)) {
	case REVIEWS_OK:
		print_closed(out, id, &o);
		return 0;
	case REVIEWS_NOT_FOUND:
		fprintf(err, CTL_PROG ": no review %s\n", id);
		return 1;
	case REVIEWS_CLOSED:
		fprintf(out, "review %s is closed already; nothing changed\n", id);
		return 0;
	default:
		ctl_db_failed(db, "close the review", err);
		return 1;
	}
}

int ctl_review_close_due(struct db *db, FILE *out, FILE *err)
{
	if (ctl_open(db, err) != 0)
		return 1;
	long n;
	enum db_status st;
	if (reviews_close_due(db, &audit_console, &n, &st) != 0) {
		ctl_db_failed(db, "close the due reviews", err);
		fprintf(err, CTL_PROG ": %ld closed before the failure\n", n);
		return 1;
	}
	fprintf(out, "%ld review%s closed\n", n, n == 1 ? "" : "s");
	return 0;
}
