/*
 * ctl_access: portalctl's access commands (see ctl_access.h): what a user
 * sees, who sees a report, and the access matrix as CSV.
 */
#include "ctl_access.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "admin_access.h"
#include "ctl.h"

/*
 * The SQL below is laid out by hand, one clause a line, the C indentation
 * showing the structure. Every change is one statement with its audit row
 * (actor NULL, "via": "portalctl").
 */
/* clang-format off */
/* Until when a group of paths keeps a report visible: the latest end of
 * their memberships, "" when one does not end. */
#define CTL_UNTIL                                                                                  \
	"CASE WHEN bool_or(ur.valid_until IS NULL) THEN '' ELSE "                                  \
	CTL_TIME("max(ur.valid_until)") " END AS until"

/* User $1 by name, for `access user`. */
static const char sql_access_user_find[] =
	"SELECT id, username::text, display_name, email::text, is_active, is_superuser"
	" FROM users WHERE username = $1::citext";

/* The roles of user $1 (id), as a console table. */
static const char sql_access_user_roles[] =
	"SELECT ro.name::text AS role, " CTL_YES_NO("ro.is_active") " AS active,"
	" " CTL_DAY("ur.granted_at") " AS since, " CTL_TIME("ur.valid_from") " AS \"from\","
	" " CTL_TIME("ur.valid_until") " AS until,"
	" CASE WHEN ur.valid_from > now() THEN 'not yet' WHEN ur.valid_until <= now() THEN 'expired'"
	"  ELSE 'yes' END AS counts"
	" FROM user_roles ur JOIN roles ro ON ro.id = ur.role_id WHERE ur.user_id = $1::bigint"
	" ORDER BY lower(ro.name::text), ro.id";

/* The reports user $1 (id) sees, as a console table: the catalogue's rule
 * (lib/catalog.c), published reports through active roles; "since" is when
 * the earliest path opened. */
static const char sql_access_user_reports[] =
	"SELECT r.id::text AS id, r.title, r.category,"
	" string_agg(ro.name::text, ', ' ORDER BY lower(ro.name::text)) AS via,"
	" " CTL_DAY("min(greatest(ur.granted_at, rr.granted_at))") " AS since, " CTL_UNTIL
	" FROM user_roles_current ur JOIN roles ro ON ro.id = ur.role_id AND ro.is_active"
	" JOIN role_reports rr ON rr.role_id = ur.role_id"
	" JOIN reports r ON r.id = rr.report_id AND r.status = 'published'"
	" WHERE ur.user_id = $1::bigint GROUP BY r.id ORDER BY lower(r.title), r.id";

/* Report $1 by id, for `access report`. */
static const char sql_access_report_find[] =
	"SELECT id, title, status::text FROM reports WHERE id = $1::bigint";

/* The roles that grant report $1, with their active members, as a console
 * table. */
static const char sql_access_report_roles[] =
	"SELECT ro.name::text AS role, " CTL_YES_NO("ro.is_active") " AS active,"
	" (SELECT count(*) FROM user_roles_current m JOIN users mu ON mu.id = m.user_id AND mu.is_active"
		"  WHERE m.role_id = ro.id)::text AS \"active members\","
	" " CTL_DAY("rr.granted_at") " AS since"
	" FROM role_reports rr JOIN roles ro ON ro.id = rr.role_id WHERE rr.report_id = $1::bigint"
	" ORDER BY lower(ro.name::text), ro.id";

/* The active users who see report $1 through active roles, as a console
 * table. */
static const char sql_access_report_users[] =
	"SELECT u.username::text AS username, u.display_name AS name,"
	" string_agg(ro.name::text, ', ' ORDER BY lower(ro.name::text)) AS via,"
	" " CTL_DAY("min(greatest(ur.granted_at, rr.granted_at))") " AS since, " CTL_UNTIL
	" FROM role_reports rr JOIN roles ro ON ro.id = rr.role_id AND ro.is_active"
	" JOIN user_roles_current ur ON ur.role_id = rr.role_id"
	" JOIN users u ON u.id = ur.user_id AND u.is_active"
	" WHERE rr.report_id = $1::bigint GROUP BY u.id ORDER BY lower(u.username::text), u.id";

/* Every grant path through an active user, an active role and a membership
 * that counts now, whatever the report's status (report_status says it:
 * only published reports are seen by their users), with the membership's
 * end. In primary-key order, so the cursor streams. */
const char ctl_access_export_sql[] =
	"SELECT u.username::text, ro.name::text, r.id, r.title,"
	" to_char(greatest(ur.granted_at, rr.granted_at) AT TIME ZONE 'Europe/Amsterdam',"
	"  'YYYY-MM-DD HH24:MI:SS'), r.status::text,"
	" to_char(ur.valid_until AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD HH24:MI:SS')"
	" FROM user_roles_current ur JOIN users u ON u.id = ur.user_id AND u.is_active"
	" JOIN roles ro ON ro.id = ur.role_id AND ro.is_active"
	" JOIN role_reports rr ON rr.role_id = ur.role_id JOIN reports r ON r.id = rr.report_id"
	" ORDER BY ur.user_id, ur.role_id, rr.report_id";

/* clang-format on */

const struct db_stmt ctl_access_stmts[] = {
	{ "ctl_access_user_find", sql_access_user_find, 1 },
	{ "ctl_access_user_roles", sql_access_user_roles, 1 },
	{ "ctl_access_user_reports", sql_access_user_reports, 1 },
	{ "ctl_access_report_find", sql_access_report_find, 1 },
	{ "ctl_access_report_roles", sql_access_report_roles, 1 },
	{ "ctl_access_report_users", sql_access_report_users, 1 },
	{ NULL, NULL, 0 },
};

const char *const ctl_access_export_header[] = {
	"username",      "role",          "report_id",   "report_title",
	"granted_since", "report_status", "valid_until", NULL,
};

/* ---- access ------------------------------------------------------------------ */

int ctl_access_user(struct db *db, const char *username, FILE *out, FILE *err)
{
	const char *p[1] = { username };
	char id[32];
	PGresult *res;

	if (ctl_open(db, err) != 0)
		return 1;
	res = ctl_run(db, "ctl_access_user_find", 1, p, "look up the user", err);
	if (res == NULL)
		return 1;
	if (PQntuples(res) == 0) {
		fprintf(err, CTL_PROG ": no user \"%s\"\n", username);
		PQclear(res);
		return 1;
	}
	snprintf(id, sizeof id, "%s", PQgetvalue(res, 0, 0));
	fprintf(out, "user %s (%s, %s)%s%s\n", PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
	        PQgetvalue(res, 0, 3), ctl_is_true(res, 0, 4) ? "" : ", inactive",
	        ctl_is_true(res, 0, 5) ? ", superuser" : "");
	if (!ctl_is_true(res, 0, 4))
		fputs("Inactive: the user cannot sign in and sees nothing now; the reports "
		      "below are what the roles would give once activated.\n",
		      out);
	if (ctl_is_true(res, 0, 5))
		fputs("Superuser: sees every report, whatever the roles below.\n", out);
	PQclear(res);
	p[0] = id;
	fputs("\nRoles:\n", out);
	if (ctl_list(db, "ctl_access_user_roles", 1, p, "list the roles", "role", "roles", out,
	             err))
		return 1;
	fputs("\nReports seen through them (published reports of active roles):\n", out);
	return ctl_list(db, "ctl_access_user_reports", 1, p, "list the reports", "report",
	                "reports", out, err);
}

int ctl_access_report(struct db *db, const char *id, FILE *out, FILE *err)
{
	const char *p[1] = { id };
	long long n;
	PGresult *res;

	if (ctl_parse_id(id, &n) != 0) {
		fprintf(err, CTL_PROG ": invalid report id \"%s\": expected a positive number\n",
		        id);
		return 1;
	}
	if (ctl_open(db, err) != 0)
		return 1;
	res = ctl_run(db, "ctl_access_report_find", 1, p, "look up the report", err);
	if (res == NULL)
		return 1;
	if (PQntuples(res) == 0) {
		fprintf(err, CTL_PROG ": no report with id %s\n", id);
		PQclear(res);
		return 1;
	}
	fprintf(out, "report %s \"%s\", %s\n", id, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2));
	if (strcmp(PQgetvalue(res, 0, 2), "published") != 0)
		fputs("Not published: only superusers see it now; the users below will once it "
		      "is published.\n",
		      out);
	PQclear(res);
	fputs("\nRoles that grant it:\n", out);
	if (ctl_list(db, "ctl_access_report_roles", 1, p, "list the roles", "role", "roles", out,
	             err))
		return 1;
	fputs("\nUsers who see it through them (active users, active roles; superusers see it "
	      "anyway):\n",
	      out);
	return ctl_list(db, "ctl_access_report_users", 1, p, "list the users", "user", "users", out,
	                err);
}

int ctl_access_export(struct db *db, FILE *out, FILE *err)
{
	if (ctl_open(db, err) != 0)
		return 1;
	return ctl_export_csv(db, ctl_access_export_sql, 0, NULL, ctl_access_export_header, out,
	                      err);
}
