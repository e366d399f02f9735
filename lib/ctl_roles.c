/*
 * ctl_roles: portalctl's role commands and the checks of a role's name and
 * description (see ctl_roles.h). Grants go through grants, as the
 * admin pool's do.
 */
#include "ctl_roles.h"

#include <stdlib.h>
#include <string.h>

#include "grants.h"
#include "requests.h"
#include "ctl.h"
#include "preview.h"
#include "req.h"
#include "roles.h"

/*
 * The SQL below is laid out by hand, one clause a line, the C indentation
 * showing the structure. Every change is one statement with its audit row
 * (actor NULL, "via": "portalctl").
 */
/* clang-format off */

/* Every role with its numbers of members and reports, as a console table. */
static const char sql_role_list[] =
	"SELECT ro.id::text AS id, ro.name::text AS name,"
	" CASE WHEN ro.is_active THEN 'yes' ELSE 'no' END AS active,"
	" (SELECT count(*) FROM user_roles_current ur WHERE ur.role_id = ro.id)::text AS members,"
	" (SELECT count(*) FROM role_reports rr WHERE rr.role_id = ro.id)::text AS reports,"
	" coalesce((SELECT string_agg(u.username::text, ', ' ORDER BY lower(u.username::text))"
	"  FROM role_owners o JOIN users u ON u.id = o.user_id WHERE o.role_id = ro.id), '') AS owners"
	" FROM roles ro ORDER BY lower(ro.name::text), ro.id";

/* Role $1 and user $2 by name, for a grant: one row, NULL where none. */
static const char sql_role_user_ids[] =
	"SELECT r.id, r.name::text, r.is_active, u.id, u.username::text"
	" FROM (SELECT 1) x LEFT JOIN roles r ON r.name = $1::citext"
	" LEFT JOIN users u ON u.username = $2::citext";

/* Role $1 by name and report $2 by id, for a grant: one row, NULL where
 * none. */
static const char sql_role_report_ids[] =
	"SELECT r.id, r.name::text, r.is_active, p.id, p.title"
	" FROM (SELECT 1) x LEFT JOIN roles r ON r.name = $1::citext"
	" LEFT JOIN reports p ON p.id = $2::bigint";

/* clang-format on */

const struct db_stmt ctl_role_stmts[] = {
	{ "ctl_role_list", sql_role_list, 0 },
	{ "ctl_role_user_ids", sql_role_user_ids, 2 },
	{ "ctl_role_report_ids", sql_role_report_ids, 2 },
	{ NULL, NULL, 0 },
};

/* ---- values ------------------------------------------------------------------ */

int ctl_check_role_name(const char *s, char *err, size_t errlen)
{
	long n = utf8_count(s, strlen(s));

	if (n < 0) {
		snprintf(err, errlen, "role name is not valid UTF-8");
		return -1;
	}
	if (s[strspn(s, " \t\n\r\v\f")] == '\0') {
		snprintf(err, errlen, "role name is blank");
		return -1;
	}
	if (str_check_visible("role name", s, 0, err, errlen) != 0)
		return -1;
	if (n > 100) {
		snprintf(err, errlen, "role name \"%.*s...\" is longer than 100 characters",
		         (int)utf8_prefix(s, 64), s);
		return -1;
	}
	return 0;
}

int ctl_check_role_description(const char *s, char *err, size_t errlen)
{
	long n = utf8_count(s, strlen(s));

	if (n < 0) {
		snprintf(err, errlen, "description is not valid UTF-8");
		return -1;
	}
	if (n > 2000) {
		snprintf(err, errlen, "description is longer than 2000 characters");
		return -1;
	}
	return str_check_visible("description", s, STR_LINE_BREAKS, err, errlen);
}

/* ---- roles ------------------------------------------------------------------ */

int ctl_role_add(struct db *db, const char *name, const char *description, FILE *out, FILE *err)
{
	char msg[256];
	struct roles_outcome o;

	description = description ? description : "";
	if (ctl_check_role_name(name, msg, sizeof msg) != 0 ||
	    ctl_check_role_description(description, msg, sizeof msg) != 0) {
		fprintf(err, CTL_PROG ": %s\n", msg);
		return 1;
	}
	if (ctl_open(db, err) != 0)
		return 1;
	switch (roles_create(db, &audit_console, name, description, &o)) {
	case ROLES_OK:
		fprintf(out, "role \"%s\" created (id %lld)\n", name, o.id);
		return 0;
	case ROLES_TAKEN:
		fprintf(err, CTL_PROG ": role \"%s\" already exists", name);
		if (o.name[0] != '\0' && strcmp(o.name, name) != 0)
			fprintf(err, " (as \"%s\")", o.name);
		fputc('\n', err);
		return 1;
	default:
		ctl_db_failed(db, "add the role", err);
		return 1;
	}
}

int ctl_role_list(struct db *db, FILE *out, FILE *err)
{
	if (ctl_open(db, err) != 0)
		return 1;
	return ctl_list(db, "ctl_role_list", 0, NULL, "list the roles", "role", "roles", out, err);
}

/* Grants (with the dates) or revokes one membership through grants. */
static int grant_member(struct db *db, int grant, long long user, long long role, const char *from,
                        const char *until, struct grants_outcome *g, FILE *err)
{
	char ids_a[32], ids_b[32];
	enum db_status st;
	int r;

	snprintf(ids_a, sizeof ids_a, "{%lld}", user);
	snprintf(ids_b, sizeof ids_b, "{%lld}", role);
	if (grant)
		r = grants_members(db, &audit_console, ids_a, ids_b, from, until, g, &st);
	else
		r = grants_change(db, "revoke_user_roles", &audit_console, ids_a, ids_b, g, &st);
	if (r != 0) {
		if (st == DB_INVALID && strstr(db_last_message(db), "user_roles_valid_check"))
			fprintf(err,
			        CTL_PROG ": --from must come before --until; nothing changed\n");
		else
			ctl_db_failed(db, "change the grant", err);
		return -1;
	}
	return 0;
}

/* Grants or revokes one pair through grants; prints what changed. */
static int grant_pair(struct db *db, const char *stmt, long long a, long long b,
                      struct grants_outcome *g, FILE *err)
{
	char ids_a[32], ids_b[32];
	enum db_status st;

	snprintf(ids_a, sizeof ids_a, "{%lld}", a);
	snprintf(ids_b, sizeof ids_b, "{%lld}", b);
	if (grants_change(db, stmt, &audit_console, ids_a, ids_b, g, &st) != 0) {
		ctl_db_failed(db, "change the grant", err);
		return -1;
	}
	return 0;
}

/* 1, with the message, when option opt has a value that is no instant. */
static int bad_time(FILE *err, const char *opt, const char *v)
{
	if (v == NULL || grants_time_check(v) == 0)
		return 0;
	fprintf(err,
	        CTL_PROG ": invalid %s \"%s\": expected ISO 8601, e.g. 2027-03-31 or "
	                 "2027-03-31T17:00+01:00\n",
	        opt, v);
	return 1;
}

/* " from F until U" for the dates given, into buf. */
static const char *dates_text(char *buf, size_t n, const char *from, const char *until)
{
	snprintf(buf, n, "%s%s%s%s", from ? " from " : "", from ? from : "", until ? " until " : "",
	         until ? until : "");
	return buf;
}

/* Prints the preview of a change for --dry-run (head names it); exit status. */
static int dry_run(struct db *db, const struct preview_change *ch, const char *head, FILE *out,
                   FILE *err)
{
	struct preview p;
	enum preview_status st = preview_run(db, &audit_console, ch, NULL, &p);
	int rc = 1;
	if (st == PREVIEW_OK) {
		fprintf(out, "dry run: %s\n", head);
		preview_print(out, &p);
		fputs("nothing was changed\n", out);
		rc = 0;
	} else if (st == PREVIEW_NOT_FOUND) {
		fprintf(err, CTL_PROG ": it was removed meanwhile; nothing changed\n");
	} else {
		ctl_db_failed(db, "preview the change", err);
	}
	preview_free(&p);
	return rc;
}

int ctl_role_user(struct db *db, int grant, const char *role, const char *user, const char *from,
                  const char *until, int dry, FILE *out, FILE *err)
{
	const char *p[2] = { role, user };
	struct grants_outcome g;
	char dates[160];
	PGresult *res;
	int rc = 1;

	if (bad_time(err, "--from", from) || bad_time(err, "--until", until))
		return 1;
	dates_text(dates, sizeof dates, from, until);
	if (ctl_open(db, err) != 0)
		return 1;
	res = ctl_run(db, "ctl_role_user_ids", 2, p, "look up the role and user", err);
	if (res == NULL)
		return 1;
	if (PQgetisnull(res, 0, 0)) {
		fprintf(err, CTL_PROG ": no role \"%s\"\n", role);
	} else if (PQgetisnull(res, 0, 3)) {
		fprintf(err, CTL_PROG ": no user \"%s\"\n", user);
	} else if (dry) {
		char ids[32], head[600];
		snprintf(ids, sizeof ids, "{%s}", PQgetvalue(res, 0, 3));
		struct preview_change ch = { .kind = grant ? PREVIEW_MEMBERS_ADD
			                                   : PREVIEW_MEMBERS_REMOVE,
			                     .id = strtoll(PQgetvalue(res, 0, 0), NULL, 10),
			                     .ids = ids,
			                     .from = from,
			                     .until = until };
		snprintf(head, sizeof head, "%s role \"%s\" %s user \"%s\"",
		         grant ? "give" : "take", PQgetvalue(res, 0, 1), grant ? "to" : "from",
		         PQgetvalue(res, 0, 4));
		rc = dry_run(db, &ch, head, out, err);
	} else if (grant_member(db, grant, strtoll(PQgetvalue(res, 0, 3), NULL, 10),
	                        strtoll(PQgetvalue(res, 0, 0), NULL, 10), from, until, &g,
	                        err) == 0) {
		const char *rn = PQgetvalue(res, 0, 1), *un = PQgetvalue(res, 0, 4);

		rc = 0;
		if (g.missing_a || g.missing_b) {
			fprintf(err, CTL_PROG ": the %s was removed meanwhile; nothing changed\n",
			        g.missing_a ? "user" : "role");
			rc = 1;
		} else if (grant && g.redated) {
			fprintf(out, "user \"%s\" has role \"%s\" now%s\n", un, rn,
			        dates[0] ? dates : " without an end (the dates are gone)");
		} else if (grant && g.changed) {
			fprintf(out, "user \"%s\" now has role \"%s\"%s%s\n", un, rn, dates,
			        ctl_is_true(res, 0, 2)
			            ? ""
			            : " (the role is inactive: it grants nothing until "
			              "it is activated)");
		} else if (grant) {
			fprintf(out, "user \"%s\" already has role \"%s\"; nothing changed\n", un,
			        rn);
		} else if (g.changed) {
			fprintf(out, "user \"%s\" no longer has role \"%s\"\n", un, rn);
		} else {
			fprintf(out, "user \"%s\" did not have role \"%s\"; nothing changed\n", un,
			        rn);
		}
	}
	PQclear(res);
	return rc;
}

int ctl_role_report(struct db *db, int grant, const char *role, const char *report, int dry,
                    FILE *out, FILE *err)
{
	const char *p[2] = { role, report };
	struct grants_outcome g;
	long long id;
	PGresult *res;
	int rc = 1;

	if (ctl_parse_id(report, &id) != 0) {
		fprintf(err, CTL_PROG ": invalid report id \"%s\": expected a positive number\n",
		        report);
		return 1;
	}
	if (ctl_open(db, err) != 0)
		return 1;
	res = ctl_run(db, "ctl_role_report_ids", 2, p, "look up the role and report", err);
	if (res == NULL)
		return 1;
	if (PQgetisnull(res, 0, 0)) {
		fprintf(err, CTL_PROG ": no role \"%s\"\n", role);
	} else if (PQgetisnull(res, 0, 3)) {
		fprintf(err, CTL_PROG ": no report with id %s\n", report);
	} else if (dry) {
		char ids[32], head[600];
		snprintf(ids, sizeof ids, "{%lld}", id);
		struct preview_change ch = { .kind = grant ? PREVIEW_REPORTS_ADD
			                                   : PREVIEW_REPORTS_REMOVE,
			                     .id = strtoll(PQgetvalue(res, 0, 0), NULL, 10),
			                     .ids = ids };
		snprintf(head, sizeof head, "role \"%s\" %s report %s \"%s\"",
		         PQgetvalue(res, 0, 1), grant ? "grants" : "no longer grants", report,
		         PQgetvalue(res, 0, 4));
		rc = dry_run(db, &ch, head, out, err);
	} else if (grant_pair(db, grant ? "grant_role_reports" : "revoke_role_reports",
	                      strtoll(PQgetvalue(res, 0, 0), NULL, 10), id, &g, err) == 0) {
		const char *rn = PQgetvalue(res, 0, 1), *title = PQgetvalue(res, 0, 4);

		rc = 0;
		if (g.missing_a || g.missing_b) {
			fprintf(err, CTL_PROG ": the %s was removed meanwhile; nothing changed\n",
			        g.missing_a ? "role" : "report");
			rc = 1;
		} else if (grant && g.changed) {
			fprintf(out, "role \"%s\" now grants report %s \"%s\"\n", rn, report,
			        title);
		} else if (grant) {
			fprintf(out,
			        "role \"%s\" already grants report %s \"%s\"; nothing changed\n",
			        rn, report, title);
		} else if (g.changed) {
			fprintf(out, "role \"%s\" no longer grants report %s \"%s\"\n", rn, report,
			        title);
		} else {
			fprintf(out,
			        "role \"%s\" did not grant report %s \"%s\"; nothing changed\n", rn,
			        report, title);
		}
	}
	PQclear(res);
	return rc;
}

/* Role `role` by name (and user `user`, who may not exist): its id and
 * name as stored into *id and rn, the user's name as stored (or as given)
 * into un. -1 with the message when there is no such role or the lookup
 * failed. */
static int find_role(struct db *db, const char *role, const char *user, long long *id, char rn[400],
                     char un[400], FILE *err)
{
	const char *p[2] = { role, user };
	PGresult *res = ctl_run(db, "ctl_role_user_ids", 2, p, "look up the role", err);
	if (res == NULL)
		return -1;
	int rc = -1;
	if (PQgetisnull(res, 0, 0)) {
		fprintf(err, CTL_PROG ": no role \"%s\"\n", role);
	} else {
		*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		snprintf(rn, 400, "%s", PQgetvalue(res, 0, 1));
		snprintf(un, 400, "%s", PQgetisnull(res, 0, 4) ? user : PQgetvalue(res, 0, 4));
		rc = 0;
	}
	PQclear(res);
	return rc;
}

int ctl_role_owner(struct db *db, int add, const char *role, const char *user, FILE *out, FILE *err)
{
	struct roles_outcome o;
	int rc = 1;
	long long id;
	char rn[400], un[400];

	if (ctl_open(db, err) != 0 || find_role(db, role, user, &id, rn, un, err) != 0)
		return 1;
	switch (roles_owner(db, &audit_console, add, id, user, &o)) {
	case ROLES_OK:
		fprintf(out,
		        add ? "user \"%s\" now owns role \"%s\"\n"
		            : "user \"%s\" no longer owns role \"%s\"\n",
		        un, rn);
		rc = 0;
		break;
	case ROLES_UNCHANGED:
		fprintf(out,
		        add ? "user \"%s\" already owns role \"%s\"; nothing changed\n"
		            : "user \"%s\" did not own role \"%s\"; nothing changed\n",
		        un, rn);
		rc = 0;
		break;
	case ROLES_NOT_FOUND:
		fprintf(err, CTL_PROG ": the role was removed meanwhile; nothing changed\n");
		break;
	case ROLES_NO_USER:
		fprintf(err, CTL_PROG ": no user \"%s\"\n", user);
		break;
	default:
		ctl_db_failed(db, "change the owners", err);
		break;
	}
	return rc;
}

int ctl_role_requestable(struct db *db, const char *role, int on, const char *max_days, FILE *out,
                         FILE *err)
{
	long long days = 0;
	if (max_days && (ctl_parse_id(max_days, &days) != 0 || days > 3660)) {
		fprintf(err, CTL_PROG ": invalid --max-days \"%s\": expected 1 to 3660\n",
		        max_days);
		return 1;
	}
	long long id;
	char rn[400], un[400];
	if (ctl_open(db, err) != 0 || find_role(db, role, "", &id, rn, un, err) != 0)
		return 1;
	struct roles_change ch = { .active = -1,
		                   .requestable = on ? "t" : "f",
		                   .max_days = max_days };
	struct roles_outcome o;
	switch (roles_update(db, &audit_console, id, &ch, &o)) {
	case ROLES_OK:
		if (on)
			fprintf(out, "role \"%s\" may be requested now%s%s%s\n", rn,
			        max_days ? ", for at most " : "", max_days ? max_days : "",
			        max_days ? " days" : "");
		else
			fprintf(out, "role \"%s\" may no longer be requested\n", rn);
		return 0;
	case ROLES_UNCHANGED:
		fprintf(out, "role \"%s\" was so already; nothing changed\n", rn);
		return 0;
	default:
		ctl_db_failed(db, "change the role", err);
		return 1;
	}
}

int ctl_role_active(struct db *db, const char *role, int active, int dry, FILE *out, FILE *err)
{
	long long id;
	char rn[400], un[400];
	if (ctl_open(db, err) != 0 || find_role(db, role, "", &id, rn, un, err) != 0)
		return 1;
	if (dry) {
		struct preview_change ch = { .kind = PREVIEW_ROLE_ACTIVE,
			                     .id = id,
			                     .active = active };
		char head[600];
		snprintf(head, sizeof head, "%s role \"%s\"", active ? "activate" : "deactivate",
		         rn);
		return dry_run(db, &ch, head, out, err);
	}
	struct roles_change ch = { .active = active ? 1 : 0 };
	struct roles_outcome o;
	switch (roles_update(db, &audit_console, id, &ch, &o)) {
	case ROLES_OK:
		fprintf(out, "role \"%s\" %s\n", rn, active ? "activated" : "deactivated");
		return 0;
	case ROLES_UNCHANGED:
		fprintf(out, "role \"%s\" is %s already; nothing changed\n", rn,
		        active ? "active" : "inactive");
		return 0;
	case ROLES_NOT_FOUND:
		fprintf(err, CTL_PROG ": the role was removed meanwhile; nothing changed\n");
		return 1;
	case ROLES_STALE:
		fprintf(err,
		        CTL_PROG
		        ": role \"%s\" was changed meanwhile; nothing changed, try again\n",
		        rn);
		return 1;
	default:
		ctl_db_failed(db, "change the role", err);
		return 1;
	}
}

int ctl_requests_list(struct db *db, FILE *out, FILE *err)
{
	if (ctl_open(db, err) != 0)
		return 1;
	return ctl_list(db, "requests_waiting", 0, NULL, "list the requests", "request waits",
	                "requests wait", out, err);
}

int ctl_check_note(const char *note, FILE *err)
{
	const char *problem = requests_text_problem(note, 0);
	if (problem == NULL)
		return 0;
	fprintf(err, CTL_PROG ": invalid --note: %s\n",
	        strcmp(problem, "requests.error.too_long") == 0
	            ? "at most 1000 characters"
	            : "it holds a control or invisible character");
	return -1;
}

int ctl_requests_decide(struct db *db, const char *id, int approve, const char *note, FILE *out,
                        FILE *err)
{
	long long n;
	if (ctl_parse_id(id, &n) != 0) {
		fprintf(err, CTL_PROG ": invalid request id \"%s\": expected a positive number\n",
		        id);
		return 1;
	}
	if (ctl_check_note(note, err) != 0)
		return 1;
	if (ctl_open(db, err) != 0)
		return 1;
	long long role = 0;
	enum db_status st;
	switch (requests_decide(db, &audit_console, id, approve, note, &role, &st)) {
	case REQUESTS_DECIDED:
		fprintf(out, "request %s %s\n", id, approve ? "approved" : "refused");
		return 0;
	case REQUESTS_NOT_FOUND:
		fprintf(err, CTL_PROG ": no request %s\n", id);
		return 1;
	case REQUESTS_NOT_PENDING:
		fprintf(err,
		        CTL_PROG ": request %s was decided, withdrawn or expired already; nothing "
		                 "changed\n",
		        id);
		return 1;
	default:
		ctl_db_failed(db, "decide the request", err);
		return 1;
	}
}
