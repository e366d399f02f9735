/*
 * roles: the one home of the operations on roles, for every front end (the
 * admin pool, portalctl): create, and change the name, the description or
 * whether it is active; its owners (who keep its members). Each is one statement that checks its
 * rules (a name taken in any case, a stale edit, "already so" as no change), makes the change and
 * writes its audit_log row with the actor, the channel and the address (audit.h). A front end reads
 * its input, checks it (roles_check_* in ctl_roles and admin_role_check, the same limits), calls
 * one of these and turns the enum into a page or a message. Granting goes through grants.
 */
#ifndef ROLES_H
#define ROLES_H

#include "audit.h"
#include "db.h"

/* The statements of this module, terminated by { NULL }. */
extern const struct db_stmt roles_stmts[];

enum roles_status {
	ROLES_OK = 0,
	ROLES_NOT_FOUND, /* no role with that id */
	ROLES_TAKEN,     /* another role has the name (in any case) */
	ROLES_UNCHANGED, /* update: already so; nothing written */
	ROLES_STALE,     /* update: changed since the version given */
	ROLES_NO_USER,   /* owner: no user with that name */
	ROLES_DB_ERROR,  /* the database failed: o->db says how */
};

struct roles_outcome {
	enum db_status db; /* on ROLES_DB_ERROR */
	long long id;      /* create: the new role's id */
	char name[400];    /* create, ROLES_TAKEN: the name as the other role has it */
};

/* Creates role name with description, audit 'role.created' (details: via,
 * the row). ROLES_OK (o->id), ROLES_TAKEN (o->name) or ROLES_DB_ERROR. */
enum roles_status roles_create(struct db *db, const struct audit_actor *a, const char *name,
                               const char *description, struct roles_outcome *o);

/* A change of a role: NULL (or -1) keeps a value; version the updated_at
 * the change was based on (an edit form's), NULL for whatever is stored. */
struct roles_change {
	const char *version;
	const char *name, *description;
	int active; /* 0, 1, or -1: keep */
	/* Access on request (schema 0021): "t" or "f", and the longest duration
	 * in days (1..3660) as text; NULL keeps them. */
	const char *requestable, *max_days;
};

/* Changes role id, audit 'role.updated', 'role.deactivated' or
 * 'role.activated' (details: via, before, after). Switching a role off or
 * on takes its access away or gives it at once (the trigger on
 * roles.is_active). ROLES_OK, ROLES_UNCHANGED, ROLES_NOT_FOUND, ROLES_STALE,
 * ROLES_TAKEN or ROLES_DB_ERROR. */
enum roles_status roles_update(struct db *db, const struct audit_actor *a, long long id,
                               const struct roles_change *c, struct roles_outcome *o);

/* Makes user `username` an owner of role id (add 1), or no longer (0):
 * audit 'role.owner_added' / 'role.owner_removed' (details: via,
 * user_id). An owner keeps the role's members in the admin pool (schema
 * 0018, role_may_keep). ROLES_OK, ROLES_UNCHANGED (already so, nothing
 * written), ROLES_NOT_FOUND (no such role), ROLES_NO_USER or
 * ROLES_DB_ERROR. */
enum roles_status roles_owner(struct db *db, const struct audit_actor *a, int add, long long id,
                              const char *username, struct roles_outcome *o);

#endif
