/*
 * requests: the one home of access on request (schema 0021, issue 16). A
 * role can be requestable, with a longest duration; a signed-in user asks
 * for it with a reason and a duration (the portal pool, through the
 * SECURITY DEFINER functions that take the session's token, so a request
 * is always the user's own); an owner of the role or a superuser approves
 * or refuses it with a note (the admin pool, portalctl), and approval gives
 * a membership that ends after that duration, through grants. A request
 * nobody handles expires 7 days after it was made, without a job
 * (access_requests_now). Every step is audited: access.requested,
 * access.withdrawn, access.approved, access.refused, and the membership's
 * role.member_added.
 */
#ifndef REQUESTS_H
#define REQUESTS_H

#include "audit.h"
#include "cfg.h"
#include "db.h"

/* The portal pool's statements (the page, submit, withdraw) and those of
 * the admin pool and portalctl (decide, the list of what waits),
 * terminated by { NULL }. */
extern const struct db_stmt requests_stmts[];
extern const struct db_stmt requests_admin_stmts[];

/* The longest reason or note, in characters. */
enum { REQUESTS_TEXT_MAX = 1000 };

/* The message key of what is wrong with a reason (required) or a note
 * (optional: required 0), NULL when it is fine: blank, too long, a
 * control or invisible character (the schema's CHECKs say the same). */
const char *requests_text_problem(const char *s, int required);

enum requests_submit {
	REQUESTS_OK = 0,
	REQUESTS_NO_SESSION, /* the session ended meanwhile */
	REQUESTS_NO_ROLE,    /* no active requestable role with that id */
	REQUESTS_BAD_DAYS,   /* outside 1 .. the role's maximum */
	REQUESTS_BAD_REASON, /* refused by the database's rule */
	REQUESTS_MEMBER,     /* a member now already */
	REQUESTS_PENDING,    /* a request for it waits already */
	REQUESTS_DB_ERROR,   /* *st says how */
};

/* The session user of token_param (session_token_param) asks for role
 * role_id for days days with reason. */
enum requests_submit requests_submit(struct db *db, const struct cfg *cfg, const char *token_param,
                                     const char *role_id, const char *reason, const char *days,
                                     const char *ip, enum db_status *st);

/* The session user withdraws their pending request: 1 done, 0 no such
 * pending request of theirs, -1 with *st. */
int requests_withdraw(struct db *db, const struct cfg *cfg, const char *token_param,
                      const char *request_id, const char *ip, enum db_status *st);

enum requests_decision {
	REQUESTS_DECIDED = 0,
	REQUESTS_NOT_FOUND,   /* no such request, or one of a role the actor may not keep */
	REQUESTS_NOT_PENDING, /* decided, withdrawn or expired already */
	REQUESTS_DECIDE_ERROR /* *st says how */
};

/* Approves (approve 1) or refuses request_id as actor a, with note (NULL
 * or "" for none), in one transaction with the membership that approval
 * gives (until now + the request's days, grants_members). *role_id gets
 * the request's role (for the page to return to) when found. */
enum requests_decision requests_decide(struct db *db, const struct audit_actor *a,
                                       const char *request_id, int approve, const char *note,
                                       long long *role_id, enum db_status *st);

#endif
