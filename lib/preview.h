/*
 * preview: what a change of access would do, before it is saved (issue 16
 * item 5). For a change of a role's members or reports, a role switched
 * off or on, or a report's status, preview_run computes who gains and who
 * loses which reports by the rules the pages use, literally: in one
 * transaction it copies what report_access holds for the users and
 * reports the change may touch (published reports, active users who are
 * not superusers: lib/catalog.c shows a superuser everything and an
 * inactive user nothing, so neither gains or loses), per role set as the
 * model keeps it, applies the change through its one home (grants_change,
 * roles_update, reports_update, with their audit rows), reads the same
 * again, compares and rolls back. Nothing of a preview stays: no grant,
 * no audit row (test/unit/test_preview.c, test/admin-roles/run).
 *
 * A save is the same run with the token of the preview it confirms: when
 * the run's own token is that one, it commits; otherwise it rolls back and
 * answers PREVIEW_CHANGED with the fresh preview, so the admin pool
 * answers 409 and shows it. The token is a sha256 (PostgreSQL's) over the
 * rows that decide the outcome (the roles with their members and reports,
 * or the report's status and version) and over the outcome itself (every
 * pair gained and lost, as measured in the save's own transaction): one
 * home, preview.c's two statements. A preview takes no lock of its own,
 * only those of the operation it runs.
 *
 * The admin pool (admin_roles, admin_reports) and portalctl (ctl_roles,
 * ctl_reports: --dry-run) both call preview_run; neither has a copy.
 */
#ifndef PREVIEW_H
#define PREVIEW_H

#include <stdio.h>

#include "audit.h"
#include "db.h"
#include "grants.h"
#include "reports.h"
#include "roles.h"

/* The statements of this module, terminated by { NULL }. The handle must
 * also hold grants_stmts, roles_stmts and reports_stmts. */
extern const struct db_stmt preview_stmts[];

/* How many lines of gains and of losses a preview lists at most. */
#define PREVIEW_LINES 20

/* A token: 64 hex digits and a NUL. */
#define PREVIEW_TOKEN_LEN 65

enum preview_kind {
	PREVIEW_MEMBERS_ADD,       /* users ids join role id */
	PREVIEW_MEMBERS_REMOVE,    /* users ids leave role id */
	PREVIEW_REPORTS_ADD,       /* role id grants reports ids */
	PREVIEW_REPORTS_REMOVE,    /* role id no longer grants reports ids */
	PREVIEW_ROLE_ACTIVE,       /* role id switched on or off (active) */
	PREVIEW_REPORT_UPDATE,     /* report id changed (report, version), its status too */
	PREVIEW_USER_ROLES_ADD,    /* user id joins roles ids (the user page) */
	PREVIEW_USER_ROLES_REMOVE, /* user id leaves roles ids */
};

/* A proposed change. Strings are borrowed for the call. */
struct preview_change {
	enum preview_kind kind;
	long long id;        /* the role; the report (REPORT_UPDATE); the user (USER_ROLES) */
	const char *ids;     /* the other side's ids, "{1,2}" (not ROLE_ACTIVE, REPORT_UPDATE) */
	int active;          /* PREVIEW_ROLE_ACTIVE: 1 on, 0 off */
	const char *version; /* PREVIEW_REPORT_UPDATE: the edit form's, or NULL */
	const struct reports_values *report; /* PREVIEW_REPORT_UPDATE: the values */
	/* PREVIEW_MEMBERS_ADD: the memberships' dates (grants_members; NULL
	 * open). The preview counts what changes now. */
	const char *from, *until;
};

enum preview_status {
	PREVIEW_OK = 0,    /* previewed (rolled back), or saved when a token was given */
	PREVIEW_NOT_FOUND, /* the role, report or user, or one of ids, does not exist (a
	                      role among USER_ROLES' ids that does not is skipped) */
	PREVIEW_STALE,     /* PREVIEW_REPORT_UPDATE: the form's version is not the stored one */
	PREVIEW_CHANGED, /* the token is not this run's: nothing saved; *out is the fresh preview */
	PREVIEW_DB_ERROR, /* out->db says how (DB_INVALID: a CHECK of the change) */
};

/* One line of a preview: a user who gains or loses a report. Points into
 * the preview's result. */
struct preview_line {
	long long user_id, report_id;
	const char *username, *display_name, *title;
};

struct preview {
	long users_gaining, users_losing; /* distinct users */
	long pairs_gained, pairs_lost;    /* (user, report) pairs */
	char token[PREVIEW_TOKEN_LEN];
	const char *subject; /* the role's name, the report's title or the user's name (into res) */
	struct preview_line gained[PREVIEW_LINES], lost[PREVIEW_LINES];
	int n_gained, n_lost; /* lines listed: the first by username, then title */
	int saved;            /* 1 when the change was committed */
	enum db_status db;    /* on PREVIEW_DB_ERROR */
	/* The operation's own answer, when it ran: */
	struct grants_outcome grants;  /* members and reports */
	enum roles_status roles;       /* PREVIEW_ROLE_ACTIVE */
	enum reports_status reports;   /* PREVIEW_REPORT_UPDATE */
	struct reports_outcome report; /* PREVIEW_REPORT_UPDATE: old_status */
	PGresult *res;                 /* owns the lines; preview_free */
};

/*
 * Runs change c as actor a in a transaction of its own on db's connection
 * (no transaction may be open). token NULL: a preview, always rolled back.
 * token given: a save, committed only when this run's token equals it
 * (else PREVIEW_CHANGED, rolled back). Fills *out (counts, lines, token)
 * on PREVIEW_OK and PREVIEW_CHANGED; the caller calls preview_free(out)
 * whatever the answer.
 */
enum preview_status preview_run(struct db *db, const struct audit_actor *a,
                                const struct preview_change *c, const char *token,
                                struct preview *out);

/* Frees what *p holds (safe on a zeroed or freed one). */
void preview_free(struct preview *p);

/* 1 when s has the shape of a token (64 lowercase hex digits). */
int preview_token_ok(const char *s);

/* The scope word of kind in the statements: "members", "reports", "role",
 * "report" or "user". */
const char *preview_kind_scope(enum preview_kind kind);

/*
 * Prints p for the console: "gains: N users, M user-report pairs", the
 * listed gains as "  + username (Display Name): report ID \"Title\"" and
 * "  ... and N more" where the list is cut, then the same for "losses:"
 * with "-". Control characters in names are printed as '?'.
 */
void preview_print(FILE *out, const struct preview *p);

#endif
