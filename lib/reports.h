/*
 * reports: the one home of the operations on reports, for every front end
 * (the admin pool, portalctl): create, and change any of title, url,
 * category, description and status; its owner and contact (schema 0024).
 * Each is one statement that makes the
 * change and writes its audit_log row with the actor, the channel and the
 * address (audit.h); a stale edit and "already so" are answers, not
 * changes. The values are checked before (admin_report_check, which
 * ctl_reports words for the console); the schema's CHECKs back them.
 */
#ifndef REPORTS_H
#define REPORTS_H

#include "audit.h"
#include "db.h"

/* The statements of this module, terminated by { NULL }. */
extern const struct db_stmt reports_stmts[];

enum reports_status {
	REPORTS_OK = 0,
	REPORTS_NOT_FOUND, /* no report with that id */
	REPORTS_UNCHANGED, /* update: already so; nothing written */
	REPORTS_STALE,     /* update: changed since the version given */
	REPORTS_NO_USER,   /* set_owner: no user with that name */
	REPORTS_DB_ERROR,  /* the database failed (DB_INVALID: a CHECK): o->db says how */
};

struct reports_outcome {
	enum db_status db;   /* on REPORTS_DB_ERROR */
	long long id;        /* create: the new report's id */
	char old_status[16]; /* update: the status before */
};

/* The values of a report; for an update, NULL keeps a value. status is
 * draft, published or archived. */
struct reports_values {
	const char *title, *url, *category, *description, *status;
};

/* Creates the report (every value given), audit 'report.created'
 * (details: via, the row). REPORTS_OK (o->id) or REPORTS_DB_ERROR. */
enum reports_status reports_create(struct db *db, const struct audit_actor *a,
                                   const struct reports_values *v, struct reports_outcome *o);

/* Changes report id; version the updated_at the change was based on (an
 * edit form's), NULL for whatever is stored. Audit 'report.archived' when
 * it becomes archived, else 'report.updated' (details: via, before, after).
 * REPORTS_OK, REPORTS_UNCHANGED, REPORTS_NOT_FOUND, REPORTS_STALE or
 * REPORTS_DB_ERROR; o->old_status when found. */
enum reports_status reports_update(struct db *db, const struct audit_actor *a, long long id,
                                   const char *version, const struct reports_values *v,
                                   struct reports_outcome *o);

/* The longest contact, in characters (the schema's CHECK, 0024). */
enum { REPORTS_CONTACT_MAX = 200 };

/* Makes user `username` (any case) the owner of report id, and contact
 * whom to ask besides ("" none; NULL keeps it): audit
 * 'report.owner_changed' (details: via, before and after, each owner_id and
 * contact). username NULL keeps the owner (a contact alone). REPORTS_OK,
 * REPORTS_UNCHANGED (already so, nothing written), REPORTS_NOT_FOUND,
 * REPORTS_NO_USER or REPORTS_DB_ERROR. The contact is checked before
 * (admin_text_problem, at most REPORTS_CONTACT_MAX); the schema backs it. */
enum reports_status reports_set_owner(struct db *db, const struct audit_actor *a, long long id,
                                      const char *username, const char *contact,
                                      struct reports_outcome *o);

#endif
