/*
 * ctl_audit: portalctl's audit commands (see ctl_audit.h).
 */
#include "ctl_audit.h"

#include "ctl.h"

/*
 * The SQL below is laid out by hand, one clause a line, the C indentation
 * showing the structure. Every change is one statement with its audit row
 * (actor NULL, "via": "portalctl").
 */
/* clang-format off */
/* Latest $1 entries, printed oldest first as tail does. */
static const char sql_audit_tail[] =
	"SELECT to_char(l.at AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD HH24:MI:SS') AS at,"
	" coalesce(u.username::text, CASE WHEN l.details->>'via' = 'portalctl'"
		"  THEN '(portalctl)' ELSE '-' END) AS actor, l.action,"
	" coalesce(l.target_type || ' ' || l.target_id, l.target_type, '-') AS target,"
	" CASE WHEN l.details = '{}'::jsonb THEN '' ELSE l.details::text END AS details"
	" FROM (SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT $1::int) l"
	" LEFT JOIN users u ON u.id = l.actor_id ORDER BY l.at, l.id";

/* clang-format on */

const struct db_stmt ctl_audit_stmts[] = {
	{ "ctl_audit_tail", sql_audit_tail, 1 },
	{ NULL, NULL, 0 },
};

/* ---- audit ------------------------------------------------------------------- */

int ctl_audit_tail(struct db *db, const char *n, FILE *out, FILE *err)
{
	const char *p[1] = { n ? n : "20" };
	long long v;

	if (ctl_parse_id(p[0], &v) != 0 || v > 10000) {
		fprintf(err, CTL_PROG ": invalid number of entries \"%s\": expected 1 to 10000\n",
		        p[0]);
		return 1;
	}
	if (ctl_open(db, err) != 0)
		return 1;
	return ctl_list(db, "ctl_audit_tail", 1, p, "read the audit log", "entry", "entries", out,
	                err);
}
