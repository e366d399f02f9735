/*
 * ctl_admin: portalctl's role, report, access, audit and import commands
 * (see ctl_admin.h): the SQL in the table below, the checks of the values,
 * the CSV reader of the users import and the console tables.
 */
#include "ctl_admin.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin_access.h"
#include "admin_grants.h"
#include "csv.h"
#include "users.h"
#include "req.h"
#include "table.h"

#define PROG "portalctl"

/* ---- SQL ------------------------------------------------------------------ */

/*
 * The SQL below is laid out by hand, one clause a line, the C indentation
 * showing the structure; clang-format would cut the string concatenations
 * around the macros into pieces. Every change is one statement with its
 * audit row (actor NULL, "via": "portalctl").
 */
/* clang-format off */

#define DAY(col)    "to_char(" col " AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD')"
#define YES_NO(col) "CASE WHEN " col " THEN 'yes' ELSE 'no' END"

/* Adds role $1 with description $2; the new id (NULL when taken) and the
 * name as stored. A taken name (in any case) inserts nothing and answers
 * the name as stored: the second subquery reads the snapshot before the
 * insert. */
static const char sql_role_add[] =
	"WITH n AS (INSERT INTO roles (name, description) VALUES ($1::citext, $2::text)"
		"  ON CONFLICT (name) DO NOTHING RETURNING *),"
	" a AS (INSERT INTO audit_log (actor_id, action, target_type, target_id, details)"
		"  SELECT NULL, 'role.created', 'role', n.id,"
		"   jsonb_build_object('via', 'portalctl', 'after', to_jsonb(n)) FROM n)"
	" SELECT (SELECT id FROM n), (SELECT name::text FROM roles WHERE name = $1::citext)";

/* Every role with its numbers of members and reports, as a console table. */
static const char sql_role_list[] =
	"SELECT ro.id::text AS id, ro.name::text AS name,"
	" CASE WHEN ro.is_active THEN 'yes' ELSE 'no' END AS active,"
	" (SELECT count(*) FROM user_roles ur WHERE ur.role_id = ro.id)::text AS members,"
	" (SELECT count(*) FROM role_reports rr WHERE rr.role_id = ro.id)::text AS reports"
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

/* Adds a report: $1 title, $2 url, $3 category, $4 description, $5 status;
 * the new id. */
static const char sql_report_add[] =
	"WITH n AS (INSERT INTO reports (title, url, category, description, status)"
		"  VALUES ($1, $2, $3, $4, $5::report_status) RETURNING *),"
	" a AS (INSERT INTO audit_log (actor_id, action, target_type, target_id, details)"
		"  SELECT NULL, 'report.created', 'report', n.id,"
		"   jsonb_build_object('via', 'portalctl', 'after', to_jsonb(n)) FROM n)"
	" SELECT id FROM n";

/* Every report, as a console table. */
static const char sql_report_list[] =
	"SELECT id::text AS id, status::text AS status, category, title"
	" FROM reports ORDER BY reports.id";

/* Sets report $1's status to $2; the report's id and old status, and
 * reports changed. The same status again is no change and no audit row. */
static const char sql_report_set_status[] =
	"WITH old AS (SELECT * FROM reports WHERE id = $1::bigint FOR UPDATE),"
	" upd AS (UPDATE reports r SET status = $2::report_status FROM old"
		"  WHERE r.id = old.id AND old.status <> $2::report_status RETURNING r.*),"
	" a AS (INSERT INTO audit_log (actor_id, action, target_type, target_id, details)"
		"  SELECT NULL, CASE WHEN upd.status = 'archived' THEN 'report.archived'"
		"   ELSE 'report.updated' END, 'report', upd.id, jsonb_build_object('via', 'portalctl',"
		"   'before', to_jsonb(old), 'after', to_jsonb(upd)) FROM old, upd)"
	" SELECT old.id, old.status::text, (SELECT count(*) FROM upd) FROM old";

/* User $1 by name, for `access user`. */
static const char sql_access_user_find[] =
	"SELECT id, username::text, display_name, email::text, is_active, is_superuser"
	" FROM users WHERE username = $1::citext";

/* The roles of user $1 (id), as a console table. */
static const char sql_access_user_roles[] =
	"SELECT ro.name::text AS role, " YES_NO("ro.is_active") " AS active,"
	" " DAY("ur.granted_at") " AS since"
	" FROM user_roles ur JOIN roles ro ON ro.id = ur.role_id WHERE ur.user_id = $1::bigint"
	" ORDER BY lower(ro.name::text), ro.id";

/* The reports user $1 (id) sees, as a console table: the catalogue's rule
 * (lib/catalog.c), published reports through active roles; "since" is when
 * the earliest path opened. */
static const char sql_access_user_reports[] =
	"SELECT r.id::text AS id, r.title, r.category,"
	" string_agg(ro.name::text, ', ' ORDER BY lower(ro.name::text)) AS via,"
	" " DAY("min(greatest(ur.granted_at, rr.granted_at))") " AS since"
	" FROM user_roles ur JOIN roles ro ON ro.id = ur.role_id AND ro.is_active"
	" JOIN role_reports rr ON rr.role_id = ur.role_id"
	" JOIN reports r ON r.id = rr.report_id AND r.status = 'published'"
	" WHERE ur.user_id = $1::bigint GROUP BY r.id ORDER BY lower(r.title), r.id";

/* Report $1 by id, for `access report`. */
static const char sql_access_report_find[] =
	"SELECT id, title, status::text FROM reports WHERE id = $1::bigint";

/* The roles that grant report $1, with their active members, as a console
 * table. */
static const char sql_access_report_roles[] =
	"SELECT ro.name::text AS role, " YES_NO("ro.is_active") " AS active,"
	" (SELECT count(*) FROM user_roles m JOIN users mu ON mu.id = m.user_id AND mu.is_active"
		"  WHERE m.role_id = ro.id)::text AS \"active members\","
	" " DAY("rr.granted_at") " AS since"
	" FROM role_reports rr JOIN roles ro ON ro.id = rr.role_id WHERE rr.report_id = $1::bigint"
	" ORDER BY lower(ro.name::text), ro.id";

/* The active users who see report $1 through active roles, as a console
 * table. */
static const char sql_access_report_users[] =
	"SELECT u.username::text AS username, u.display_name AS name,"
	" string_agg(ro.name::text, ', ' ORDER BY lower(ro.name::text)) AS via,"
	" " DAY("min(greatest(ur.granted_at, rr.granted_at))") " AS since"
	" FROM role_reports rr JOIN roles ro ON ro.id = rr.role_id AND ro.is_active"
	" JOIN user_roles ur ON ur.role_id = rr.role_id"
	" JOIN users u ON u.id = ur.user_id AND u.is_active"
	" WHERE rr.report_id = $1::bigint GROUP BY u.id ORDER BY lower(u.username::text), u.id";

/* Latest $1 entries, printed oldest first as tail does. */
static const char sql_audit_tail[] =
	"SELECT to_char(l.at AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD HH24:MI:SS') AS at,"
	" coalesce(u.username::text, CASE WHEN l.details->>'via' = 'portalctl'"
		"  THEN '(portalctl)' ELSE '-' END) AS actor, l.action,"
	" coalesce(l.target_type || ' ' || l.target_id, l.target_type, '-') AS target,"
	" CASE WHEN l.details = '{}'::jsonb THEN '' ELSE l.details::text END AS details"
	" FROM (SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT $1::int) l"
	" LEFT JOIN users u ON u.id = l.actor_id ORDER BY l.at, l.id";

/* The ids of the roles named in $1 (text[]), in its order, NULL for a name
 * that is no role. */
static const char sql_import_roles[] =
	"SELECT r.id FROM unnest($1::text[]) WITH ORDINALITY AS t(n, i)"
	" LEFT JOIN roles r ON r.name = t.n::citext ORDER BY t.i";

/*
 * One row of an import: $1 username, $2 email, $3 display name, $4 the
 * file's name. Creates the user (no password) or updates email and display
 * name when they differ ($3 '' keeps the name), with its audit row. An
 * email that another user has writes nothing and names that user. An email
 * that differs only in case is not a change (citext).
 */
static const char sql_import_user[] =
	"WITH old AS (SELECT * FROM users WHERE username = $1::citext FOR UPDATE),"
	" taken AS (SELECT username::text AS who FROM users"
		"  WHERE email = $2::citext AND username <> $1::citext),"
	" ins AS (INSERT INTO users (username, email, display_name)"
		"  SELECT $1::citext, $2::citext, coalesce(nullif($3::text, ''), $1::text)"
		"  WHERE NOT EXISTS (SELECT 1 FROM old) AND NOT EXISTS (SELECT 1 FROM taken)"
		"  RETURNING *),"
	" upd AS (UPDATE users u SET email = $2::citext,"
		"   display_name = coalesce(nullif($3::text, ''), u.display_name) FROM old"
		"  WHERE u.id = old.id AND NOT EXISTS (SELECT 1 FROM taken)"
		"   AND (old.email <> $2::citext OR ($3::text <> '' AND old.display_name <> $3::text))"
		"  RETURNING u.*),"
	" a AS (INSERT INTO audit_log (actor_id, action, target_type, target_id, details)"
		"  SELECT NULL::bigint, 'user.created', 'user', ins.id, jsonb_build_object('via', 'portalctl',"
		"   'import', $4::text, 'after', to_jsonb(ins) - 'hashed_password') FROM ins"
		"  UNION ALL"
		"  SELECT NULL, 'user.updated', 'user', upd.id, jsonb_build_object('via', 'portalctl',"
		"   'import', $4::text, 'before', to_jsonb(old) - 'hashed_password',"
		"   'after', to_jsonb(upd) - 'hashed_password') FROM old, upd)"
	" SELECT coalesce((SELECT id FROM ins), (SELECT id FROM old)) AS id,"
	"  (SELECT count(*) FROM ins) AS created, (SELECT count(*) FROM upd) AS updated,"
	"  (SELECT min(who) FROM taken) AS taken_by,"
	"  (SELECT email::text FROM old) AS old_email, (SELECT display_name FROM old) AS old_name,"
	"  (SELECT email::text FROM upd) AS new_email, (SELECT display_name FROM upd) AS new_name";

/* The names of the roles of $2 (bigint[]) that user $1 does not have yet. */
static const char sql_import_missing[] =
	"SELECT r.name::text FROM roles r WHERE r.id = ANY ($2::bigint[])"
	" AND NOT EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = $1::bigint"
		"  AND ur.role_id = r.id) ORDER BY lower(r.name::text), r.id";

/* The import's one summary audit row: $1 file, $2 rows, $3 created,
 * $4 updated, $5 granted. */
static const char sql_import_summary[] =
	"INSERT INTO audit_log (actor_id, action, details)"
	" VALUES (NULL, 'import.users', jsonb_build_object('via', 'portalctl', 'file', $1::text,"
	"  'rows', $2::int, 'created', $3::int, 'updated', $4::int, 'granted', $5::int))";

/* Every grant path through an active user and an active role, whatever
 * the report's status (the last column says it: only published reports
 * are seen by their users). In primary-key order, so the cursor streams. */
const char ctl_access_export_sql[] =
	"SELECT u.username::text, ro.name::text, r.id, r.title,"
	" to_char(greatest(ur.granted_at, rr.granted_at) AT TIME ZONE 'Europe/Amsterdam',"
	"  'YYYY-MM-DD HH24:MI:SS'), r.status::text"
	" FROM user_roles ur JOIN users u ON u.id = ur.user_id AND u.is_active"
	" JOIN roles ro ON ro.id = ur.role_id AND ro.is_active"
	" JOIN role_reports rr ON rr.role_id = ur.role_id JOIN reports r ON r.id = rr.report_id"
	" ORDER BY ur.user_id, ur.role_id, rr.report_id";

/* clang-format on */

const struct db_stmt ctl_stmts[] = {
	{ "ctl_role_add", sql_role_add, 2 },
	{ "ctl_role_list", sql_role_list, 0 },
	{ "ctl_role_user_ids", sql_role_user_ids, 2 },
	{ "ctl_role_report_ids", sql_role_report_ids, 2 },
	{ "ctl_report_add", sql_report_add, 5 },
	{ "ctl_report_list", sql_report_list, 0 },
	{ "ctl_report_set_status", sql_report_set_status, 2 },
	{ "ctl_access_user_find", sql_access_user_find, 1 },
	{ "ctl_access_user_roles", sql_access_user_roles, 1 },
	{ "ctl_access_user_reports", sql_access_user_reports, 1 },
	{ "ctl_access_report_find", sql_access_report_find, 1 },
	{ "ctl_access_report_roles", sql_access_report_roles, 1 },
	{ "ctl_access_report_users", sql_access_report_users, 1 },
	{ "ctl_audit_tail", sql_audit_tail, 1 },
	{ "ctl_import_roles", sql_import_roles, 1 },
	{ "ctl_import_user", sql_import_user, 4 },
	{ "ctl_import_missing", sql_import_missing, 2 },
	{ "ctl_import_summary", sql_import_summary, 5 },
	{ NULL, NULL, 0 },
};

const char *const ctl_access_export_header[] = {
	"username", "role", "report_id", "report_title", "granted_since", "report_status", NULL,
};

/* ---- arguments ------------------------------------------------------------ */

/* The index of arg's option in opts, with *inline_val set for "--x=v";
 * -1 when it is none of them. */
static int find_opt(const char *const *opts, const char *arg, const char **inline_val)
{
	*inline_val = NULL;
	for (int k = 0; opts != NULL && opts[k] != NULL; k++) {
		size_t n = strlen(opts[k]);
		int valued = n > 0 && opts[k][n - 1] == '=';

		if (valued)
			n--;
		if (strncmp(arg, opts[k], n) != 0)
			continue;
		if (arg[n] == '\0')
			return k;
		if (valued && arg[n] == '=') {
			*inline_val = arg + n + 1;
			return k;
		}
	}
	return -1;
}

int ctl_parse_args(int argc, char **argv, const char *const *opts, int nargs, const char *args_text,
                   struct ctl_args *a, char *err, size_t errlen)
{
	const char *sub = argc > 0 ? argv[0] : "";
	int options_done = 0;

	memset(a, 0, sizeof *a);
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *v;
		int k;

		if (!options_done && strcmp(arg, "--") == 0) {
			options_done = 1;
			continue;
		}
		if (!options_done && (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)) {
			a->help = 1;
			return 0;
		}
		if (!options_done && arg[0] == '-' && arg[1] != '\0') {
			size_t n;

			k = find_opt(opts, arg, &v);
			if (k < 0 || k >= CTL_MAX_OPTS) {
				snprintf(err, errlen, "%s: unknown option \"%s\"", sub, arg);
				return -1;
			}
			n = strlen(opts[k]);
			if (opts[k][n - 1] != '=') {
				a->flag[k] = 1;
				continue;
			}
			if (a->val[k] != NULL) {
				snprintf(err, errlen, "%s: %.*s given twice", sub, (int)(n - 1),
				         opts[k]);
				return -1;
			}
			if (v == NULL) {
				if (i + 1 >= argc) {
					snprintf(err, errlen, "%s: %.*s needs a value", sub,
					         (int)(n - 1), opts[k]);
					return -1;
				}
				v = argv[++i];
			}
			a->val[k] = v;
			continue;
		}
		if (a->npos >= nargs || a->npos >= CTL_MAX_ARGS) {
			snprintf(err, errlen, "%s: unexpected argument \"%s\"", sub, arg);
			return -1;
		}
		a->pos[a->npos++] = arg;
	}
	if (a->npos < nargs) {
		snprintf(err, errlen, "%s: missing argument (expected %s)", sub, args_text);
		return -1;
	}
	return 0;
}

int ctl_parse_id(const char *s, long long *id)
{
	size_t n = strlen(s);

	if (n == 0 || n > 18 || strspn(s, "0123456789") != n || s[0] == '0')
		return -1;
	*id = strtoll(s, NULL, 10);
	return 0;
}

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

int ctl_status_ok(const char *s)
{
	return strcmp(s, "draft") == 0 || strcmp(s, "published") == 0 || strcmp(s, "archived") == 0;
}

struct report_msgs {
	const struct report_form *f;
	struct buf *msgs;
};

/* The admin form's message keys, in words for the console. */
static void report_bad(void *ctx, const char *field, const char *key)
{
	struct report_msgs *m = ctx;
	const struct report_form *f = m->f;
	const char *url = str_has_control(f->url) ? "(control character)" : f->url;
	const char *status = str_has_control(f->status) ? "(control character)" : f->status;

	if (strcmp(key, "admin.error.required") == 0) {
		buf_printf(m->msgs, "--%s is required\n", field);
	} else if (strcmp(field, "url") == 0) {
		buf_printf(m->msgs,
		           "invalid URL \"%.*s\": an http:// or https:// address of at most 2000 "
		           "characters, without spaces or control characters\n",
		           (int)utf8_prefix(url, 200), url);
	} else if (strcmp(field, "status") == 0) {
		buf_printf(m->msgs, "invalid status \"%.*s\": draft, published or archived\n",
		           (int)utf8_prefix(status, 64), status);
	} else if (strcmp(key, "admin.error.control") == 0 ||
	           strcmp(key, "admin.error.invisible") == 0) {
		const char *v = strcmp(field, "title") == 0      ? f->title
		                : strcmp(field, "category") == 0 ? f->category
		                                                 : f->description;
		char err[256];

		str_check_visible(field, v, strcmp(field, "description") == 0 ? STR_LINE_BREAKS : 0,
		                  err, sizeof err);
		buf_printf(m->msgs, "%s\n", err);
	} else if (strcmp(field, "title") == 0) {
		buf_printf(m->msgs, "invalid title: at most 200 characters\n");
	} else if (strcmp(field, "category") == 0) {
		buf_printf(m->msgs, "invalid category: at most 100 characters\n");
	} else {
		buf_printf(m->msgs, "invalid %s: at most 4000 characters\n", field);
	}
}

int ctl_check_report(const struct report_form *f, struct buf *msgs)
{
	struct report_msgs m = { f, msgs };
	const char *fields[] = { f->title, f->url, f->category, f->description, f->status };
	int n = 0;

	/* admin_report_check counts characters assuming valid UTF-8, which the
	 * web form guarantees and the command line does not. */
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		if (utf8_count(fields[i], strlen(fields[i])) < 0) {
			buf_printf(msgs, "a value is not valid UTF-8\n");
			return 1;
		}
	}
	if (f->category[0] != '\0' && f->category[strspn(f->category, " \t")] == '\0') {
		buf_printf(msgs, "invalid category: it is blank\n");
		n++;
	}
	if (f->title[0] != '\0' && f->title[strspn(f->title, " \t")] == '\0') {
		buf_printf(msgs, "invalid title: it is blank\n");
		return n + 1;
	}
	return n + admin_report_check(f, report_bad, &m);
}

void ctl_text_array(struct buf *out, const char *const *items, size_t n)
{
	buf_putc(out, '{');
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(out, ',');
		buf_putc(out, '"');
		for (const char *p = items[i]; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				buf_putc(out, '\\');
			buf_putc(out, *p);
		}
		buf_putc(out, '"');
	}
	buf_putc(out, '}');
}

/* ---- tables ---------------------------------------------------------------- */

/* ---- the CSV reader --------------------------------------------------------- */

enum { IMPORT_MAX_PROBLEMS = 50, IMPORT_FIELDS = 4 };

struct reader {
	const char *p, *end;
	long line; /* the line p is on */
};

/*
 * A byte no cell may hold: NUL and the other C0 controls, and DEL. Tab, CR
 * and LF are the exceptions, each where CSV gives it a meaning: LF or CRLF
 * ends a record, and inside a quoted field is part of the value (RFC 4180);
 * a tab is a blank, trimmed around a value. The value checks (users_check_*,
 * ctl_check_role_name) then refuse a tab or line break inside a value, as
 * `user add` does, naming the field. Refusing the rest here, from the real
 * length of the file, is what keeps a NUL from cutting a value short: the
 * C strings after the reader would end at it ("dirk\0x" read as "dirk").
 */
static int cell_byte_refused(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
}

static void cell_byte_message(unsigned char c, int field, char *err, size_t errlen)
{
	if (c == '\0')
		snprintf(err, errlen, "field %d holds a NUL byte", field);
	else
		snprintf(err, errlen, "field %d holds a control character (0x%02x)", field, c);
}

/* Reads one record into fields (at most max, in the arena); *nfields is
 * the count found (may exceed max: the rest are dropped). Returns 1 with a
 * record, 0 at the end of input, -1 with a message in err. *start is the
 * record's first line, or with -1 for a refused byte the line it is on. A
 * blank line is a record of one empty field. */
static int read_record(struct reader *r, struct arena *ar, const char **fields, int max,
                       int *nfields, long *start, char *err, size_t errlen)
{
	struct buf cell = { 0 };
	int n = 0, rc = 1;

	*start = r->line;
	*nfields = 0;
	if (r->p >= r->end)
		return 0;
	for (;;) {
		int quoted = 0;

		buf_reset(&cell);
		buf_append(&cell, "", 0); /* data is never NULL */
		if (r->p < r->end && *r->p == '"') {
			long qline = r->line;

			quoted = 1;
			r->p++;
			for (;;) {
				if (r->p >= r->end) {
					snprintf(err, errlen,
					         "quoted field opened on line %ld is not closed",
					         qline);
					rc = -1;
					goto out;
				}
				if (*r->p == '"') {
					if (r->p + 1 < r->end && r->p[1] == '"') {
						buf_putc(&cell, '"');
						r->p += 2;
						continue;
					}
					r->p++;
					break;
				}
				if (cell_byte_refused((unsigned char)*r->p)) {
					cell_byte_message((unsigned char)*r->p, n + 1, err, errlen);
					*start = r->line;
					rc = -1;
					goto out;
				}
				if (*r->p == '\n')
					r->line++;
				buf_putc(&cell, *r->p++);
			}
		}
		while (r->p < r->end && *r->p != ',' && *r->p != '\n' &&
		       !(*r->p == '\r' && (r->p + 1 == r->end || r->p[1] == '\n'))) {
			if (quoted) {
				snprintf(err, errlen, "unexpected character after a closing quote");
				rc = -1;
				goto out;
			}
			if (*r->p == '"') {
				snprintf(err, errlen,
				         "a quote inside an unquoted field (quote the whole field "
				         "and write the quote twice)");
				rc = -1;
				goto out;
			}
			/* A CR here ends no line: it is a stray control character. */
			if (cell_byte_refused((unsigned char)*r->p) || *r->p == '\r') {
				cell_byte_message((unsigned char)*r->p, n + 1, err, errlen);
				*start = r->line;
				rc = -1;
				goto out;
			}
			buf_putc(&cell, *r->p++);
		}
		if (n < max)
			fields[n] = arena_strndup(ar, cell.data, cell.len);
		n++;
		if (r->p >= r->end)
			break;
		if (*r->p == ',') {
			r->p++;
			continue;
		}
		if (*r->p == '\r')
			r->p++;
		r->p++; /* the '\n' */
		r->line++;
		break;
	}
	*nfields = n;
out:
	if (rc < 0) {
		/* Skip to the next line, so that the next record can be read. */
		while (r->p < r->end && *r->p != '\n')
			r->p++;
		if (r->p < r->end) {
			r->p++;
			r->line++;
		}
	}
	buf_free(&cell);
	return rc;
}

/* Copies s without leading and trailing blanks (space, tab). */
static const char *trimmed(struct arena *ar, const char *s)
{
	size_t n;

	s += strspn(s, " \t");
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return arena_strndup(ar, s, n);
}

static int header_is(const char *got, const char *want, const char *alt)
{
	return strcasecmp(got, want) == 0 || (alt != NULL && strcasecmp(got, alt) == 0);
}

struct problems {
	struct buf *errs;
	const char *fname;
	int n;
};

static void problem(struct problems *pr, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(struct problems *pr, long line, const char *fmt, ...)
{
	va_list ap;

	pr->n++;
	if (pr->n > IMPORT_MAX_PROBLEMS)
		return;
	buf_printf(pr->errs, "%s:%ld: ", pr->fname, line);
	va_start(ap, fmt);
	buf_vprintf(pr->errs, fmt, ap);
	va_end(ap);
	buf_putc(pr->errs, '\n');
	if (pr->n == IMPORT_MAX_PROBLEMS)
		buf_printf(pr->errs, "%s: too many problems, stopped looking\n", pr->fname);
}

struct keyed {
	const char *key;
	long line;
	size_t index;
};

static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcasecmp(x->key, y->key);

	if (c != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Appends key (on line) to *v, grown as needed. */
static void keyed_push(struct keyed **v, size_t *n, size_t *cap, const char *key, long line)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = realloc(*v, *cap * sizeof **v);
		if (*v == NULL)
			abort();
	}
	(*v)[*n] = (struct keyed){ key, line, *n };
	(*n)++;
}

/* Names every key that is also on an earlier line (ASCII case ignored). */
static void duplicates(struct problems *pr, struct keyed *k, size_t n, const char *what)
{
	if (n < 2)
		return;
	qsort(k, n, sizeof *k, keyed_cmp);
	for (size_t i = 1; i < n; i++) {
		size_t first = i - 1;

		while (first > 0 && strcasecmp(k[first - 1].key, k[i].key) == 0)
			first--;
		if (strcasecmp(k[i - 1].key, k[i].key) == 0)
			problem(pr, k[i].line, "%s \"%s\" is also on line %ld", what, k[i].key,
			        k[first].line);
	}
}

/* Splits the roles field on ';' into row->roles (indexes filled later:
 * here they point into names, grown as needed). */
static void split_roles(struct ctl_import *im, struct problems *pr, long line, const char *field,
                        struct keyed **names, size_t *nnames, size_t *cap,
                        struct ctl_import_row *row)
{
	const char *p = field;
	size_t count = 1;
	char err[256];

	for (const char *q = field; *q != '\0'; q++)
		count += *q == ';';
	row->roles = arena_alloc(&im->arena, count * sizeof *row->roles);
	row->nroles = 0;
	for (;;) {
		const char *semi = strchr(p, ';');
		size_t len = semi ? (size_t)(semi - p) : strlen(p);
		const char *name = trimmed(&im->arena, arena_strndup(&im->arena, p, len));

		if (name[0] != '\0') {
			if (ctl_check_role_name(name, err, sizeof err) != 0) {
				problem(pr, line, "%s", err);
			} else {
				row->roles[row->nroles++] = *nnames;
				keyed_push(names, nnames, cap, name, line);
			}
		}
		if (semi == NULL)
			break;
		p = semi + 1;
	}
}

int ctl_import_parse(const char *data, size_t len, const char *fname, struct ctl_import *im,
                     struct buf *errs)
{
	struct problems pr = { errs, fname, 0 };
	struct reader r = { data, data + len, 1 };
	struct keyed *users = NULL, *emails = NULL, *names = NULL;
	size_t cap = 0, nnames = 0, rows_cap = 0;
	size_t nusers = 0, users_cap = 0, nemails = 0, emails_cap = 0;
	const char *f[IMPORT_FIELDS];
	int header_seen = 0;

	memset(im, 0, sizeof *im);
	if (len >= 3 && memcmp(data, CSV_UTF8_BOM, 3) == 0)
		r.p += 3;
	for (;;) {
		char err[512];
		long start;
		int nf, rc = read_record(&r, &im->arena, f, IMPORT_FIELDS, &nf, &start, err,
		                         sizeof err);
		struct ctl_import_row *row;

		if (rc == 0)
			break;
		if (rc < 0) {
			problem(&pr, start, "%s", err);
			if (pr.n >= IMPORT_MAX_PROBLEMS)
				break;
			continue;
		}
		if (nf == 1 && f[0][0] == '\0')
			continue; /* a blank line */
		if (!header_seen) {
			header_seen = 1;
			if (nf != IMPORT_FIELDS ||
			    !header_is(trimmed(&im->arena, f[0]), "username", NULL) ||
			    !header_is(trimmed(&im->arena, f[1]), "email", NULL) ||
			    !header_is(trimmed(&im->arena, f[2]), "display name", "display_name") ||
			    !header_is(trimmed(&im->arena, f[3]), "roles", NULL)) {
				problem(&pr, start,
				        "the first line must be the header "
				        "\"username,email,display name,roles\"");
				break;
			}
			continue;
		}
		if (nf != IMPORT_FIELDS) {
			problem(&pr, start,
			        "expected 4 fields (username,email,display name,roles), "
			        "found %d",
			        nf);
			continue;
		}
		for (int i = 0; i < IMPORT_FIELDS; i++) {
			if (utf8_count(f[i], strlen(f[i])) < 0) {
				problem(&pr, start, "not valid UTF-8");
				nf = -1;
				break;
			}
		}
		if (nf < 0)
			continue;
		if (im->nrows == rows_cap) {
			rows_cap = rows_cap ? rows_cap * 2 : 64;
			im->rows = realloc(im->rows, rows_cap * sizeof *im->rows);
			if (im->rows == NULL)
				abort();
		}
		row = &im->rows[im->nrows++];
		memset(row, 0, sizeof *row);
		row->line = start;
		row->username = trimmed(&im->arena, f[0]);
		row->email = trimmed(&im->arena, f[1]);
		row->display_name = trimmed(&im->arena, f[2]);
		/* Only values that pass their check are compared for
		 * duplicates: a refused one is named once, on its own line. */
		if (users_check_username(row->username, err, sizeof err) != 0)
			problem(&pr, start, "%s", err);
		else
			keyed_push(&users, &nusers, &users_cap, row->username, start);
		if (row->email[0] == '\0')
			problem(&pr, start, "email address is empty");
		else if (users_check_email(row->email, err, sizeof err) != 0)
			problem(&pr, start, "%s", err);
		else
			keyed_push(&emails, &nemails, &emails_cap, row->email, start);
		if (row->display_name[0] != '\0' &&
		    users_check_display_name(row->display_name, err, sizeof err) != 0)
			problem(&pr, start, "%s", err);
		split_roles(im, &pr, start, f[3], &names, &nnames, &cap, row);
		if (pr.n >= IMPORT_MAX_PROBLEMS)
			break;
	}
	if (!header_seen && pr.n == 0)
		problem(&pr, 1,
		        "the file is empty: expected the header "
		        "\"username,email,display name,roles\"");

	/* Duplicates in the file, by username and by email. */
	if (pr.n < IMPORT_MAX_PROBLEMS) {
		duplicates(&pr, users, nusers, "user");
		duplicates(&pr, emails, nemails, "email address");
	}

	/* The distinct role names; each row's roles become indexes into them. */
	if (nnames > 0) {
		size_t *slot = malloc(nnames * sizeof *slot), d = 0;
		struct keyed *sorted = malloc(nnames * sizeof *sorted);

		if (slot == NULL || sorted == NULL)
			abort();
		for (size_t i = 0; i < nnames; i++) {
			sorted[i] = names[i];
			sorted[i].index = i;
		}
		qsort(sorted, nnames, sizeof *sorted, keyed_cmp);
		im->role_names = arena_alloc(&im->arena, nnames * sizeof *im->role_names);
		im->role_line = arena_alloc(&im->arena, nnames * sizeof *im->role_line);
		for (size_t i = 0; i < nnames; i++) {
			if (i == 0 || strcasecmp(sorted[i - 1].key, sorted[i].key) != 0) {
				im->role_names[d] = sorted[i].key;
				im->role_line[d] = sorted[i].line;
				d++;
			}
			slot[sorted[i].index] = d - 1;
		}
		im->nroles = d;
		/* Rows held positions in names; a name twice in a row counts once. */
		for (size_t i = 0; i < im->nrows; i++) {
			struct ctl_import_row *row = &im->rows[i];
			size_t k = 0;

			for (size_t j = 0; j < row->nroles; j++) {
				size_t s = slot[row->roles[j]], m;

				for (m = 0; m < k && row->roles[m] != s; m++)
					;
				if (m == k)
					row->roles[k++] = s;
			}
			row->nroles = k;
		}
		free(slot);
		free(sorted);
	}
	free(users);
	free(emails);
	free(names);
	return pr.n;
}

void ctl_import_free(struct ctl_import *im)
{
	free(im->rows);
	arena_free(&im->arena);
	memset(im, 0, sizeof *im);
}

/* ---- database helpers ------------------------------------------------------ */

static int open_conn(struct db *db, FILE *err)
{
	if (db_connect(db) != DB_OK) {
		fprintf(err, PROG ": could not connect to the database: %s\n", db_last_message(db));
		return -1;
	}
	return 0;
}

/* Runs a statement; on failure prints "could not WHAT: reason". */
static PGresult *run(struct db *db, const char *stmt, int n, const char *const *p, const char *what,
                     FILE *err)
{
	enum db_status st;
	PGresult *res = db_exec(db, stmt, n, p, &st);

	if (res == NULL)
		fprintf(err, PROG ": could not %s: %s\n", what,
		        db_last_message(db)[0] ? db_last_message(db) : "the database failed");
	return res;
}

static int print_table(PGresult *res, const char *one, const char *many, FILE *out, FILE *err)
{
	int rc = table_print(out, res, one, many);

	PQclear(res);
	if (rc != 0) {
		fprintf(err, PROG ": could not write the list: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

static int list(struct db *db, const char *stmt, int n, const char *const *p, const char *what,
                const char *one, const char *many, FILE *out, FILE *err)
{
	PGresult *res = run(db, stmt, n, p, what, err);

	return res == NULL ? 1 : print_table(res, one, many, out, err);
}

static int is_true(const PGresult *res, int row, int col)
{
	return strcmp(PQgetvalue(res, row, col), "t") == 0;
}

/* ---- roles ------------------------------------------------------------------ */

int ctl_role_add(struct db *db, const char *name, const char *description, FILE *out, FILE *err)
{
	const char *p[2] = { name, description ? description : "" };
	char msg[256];
	PGresult *res;
	int rc = 0;

	if (ctl_check_role_name(name, msg, sizeof msg) != 0 ||
	    ctl_check_role_description(p[1], msg, sizeof msg) != 0) {
		fprintf(err, PROG ": %s\n", msg);
		return 1;
	}
	if (open_conn(db, err) != 0)
		return 1;
	res = run(db, "ctl_role_add", 2, p, "add the role", err);
	if (res == NULL)
		return 1;
	if (!PQgetisnull(res, 0, 0)) {
		fprintf(out, "role \"%s\" created (id %s)\n", name, PQgetvalue(res, 0, 0));
	} else {
		fprintf(err, PROG ": role \"%s\" already exists", name);
		if (!PQgetisnull(res, 0, 1) && strcmp(PQgetvalue(res, 0, 1), name) != 0)
			fprintf(err, " (as \"%s\")", PQgetvalue(res, 0, 1));
		fputc('\n', err);
		rc = 1;
	}
	PQclear(res);
	return rc;
}

int ctl_role_list(struct db *db, FILE *out, FILE *err)
{
	if (open_conn(db, err) != 0)
		return 1;
	return list(db, "ctl_role_list", 0, NULL, "list the roles", "role", "roles", out, err);
}

/* Grants or revokes one pair through admin_grants; prints what changed. */
static int grant_pair(struct db *db, const char *stmt, long long a, long long b,
                      struct grant_result *g, FILE *err)
{
	char ids_a[32], ids_b[32];
	enum db_status st;

	snprintf(ids_a, sizeof ids_a, "{%lld}", a);
	snprintf(ids_b, sizeof ids_b, "{%lld}", b);
	if (admin_grant(db, stmt, NULL, NULL, "portalctl", ids_a, ids_b, g, &st) != 0) {
		fprintf(err, PROG ": could not change the grant: %s\n",
		        db_last_message(db)[0] ? db_last_message(db) : "the database failed");
		return -1;
	}
	return 0;
}

int ctl_role_user(struct db *db, int grant, const char *role, const char *user, FILE *out,
                  FILE *err)
{
	const char *p[2] = { role, user };
	struct grant_result g;
	PGresult *res;
	int rc = 1;

	if (open_conn(db, err) != 0)
		return 1;
	res = run(db, "ctl_role_user_ids", 2, p, "look up the role and user", err);
	if (res == NULL)
		return 1;
	if (PQgetisnull(res, 0, 0)) {
		fprintf(err, PROG ": no role \"%s\"\n", role);
	} else if (PQgetisnull(res, 0, 3)) {
		fprintf(err, PROG ": no user \"%s\"\n", user);
	} else if (grant_pair(db, grant ? "grant_user_roles" : "revoke_user_roles",
	                      strtoll(PQgetvalue(res, 0, 3), NULL, 10),
	                      strtoll(PQgetvalue(res, 0, 0), NULL, 10), &g, err) == 0) {
		const char *rn = PQgetvalue(res, 0, 1), *un = PQgetvalue(res, 0, 4);

		rc = 0;
		if (g.missing_a || g.missing_b) {
			fprintf(err, PROG ": the %s was removed meanwhile; nothing changed\n",
			        g.missing_a ? "user" : "role");
			rc = 1;
		} else if (grant && g.changed) {
			fprintf(out, "user \"%s\" now has role \"%s\"%s\n", un, rn,
			        is_true(res, 0, 2)
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

int ctl_role_report(struct db *db, int grant, const char *role, const char *report, FILE *out,
                    FILE *err)
{
	const char *p[2] = { role, report };
	struct grant_result g;
	long long id;
	PGresult *res;
	int rc = 1;

	if (ctl_parse_id(report, &id) != 0) {
		fprintf(err, PROG ": invalid report id \"%s\": expected a positive number\n",
		        report);
		return 1;
	}
	if (open_conn(db, err) != 0)
		return 1;
	res = run(db, "ctl_role_report_ids", 2, p, "look up the role and report", err);
	if (res == NULL)
		return 1;
	if (PQgetisnull(res, 0, 0)) {
		fprintf(err, PROG ": no role \"%s\"\n", role);
	} else if (PQgetisnull(res, 0, 3)) {
		fprintf(err, PROG ": no report with id %s\n", report);
	} else if (grant_pair(db, grant ? "grant_role_reports" : "revoke_role_reports",
	                      strtoll(PQgetvalue(res, 0, 0), NULL, 10), id, &g, err) == 0) {
		const char *rn = PQgetvalue(res, 0, 1), *title = PQgetvalue(res, 0, 4);

		rc = 0;
		if (g.missing_a || g.missing_b) {
			fprintf(err, PROG ": the %s was removed meanwhile; nothing changed\n",
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

/* ---- reports ---------------------------------------------------------------- */

int ctl_report_add(struct db *db, const struct report_form *in, FILE *out, FILE *err)
{
	struct report_form f = { in->title ? in->title : "", in->url ? in->url : "",
		                 in->category ? in->category : "Algemeen",
		                 in->description ? in->description : "",
		                 in->status ? in->status : "draft" };
	const char *p[5] = { f.title, f.url, f.category, f.description, f.status };
	struct buf msgs = { 0 };
	PGresult *res;

	if (ctl_check_report(&f, &msgs) > 0) {
		for (const char *s = buf_str(&msgs); *s != '\0';) {
			const char *nl = strchr(s, '\n');
			int n = nl ? (int)(nl - s) : (int)strlen(s);

			fprintf(err, PROG ": %.*s\n", n, s);
			s += n + (nl != NULL);
		}
		buf_free(&msgs);
		return 1;
	}
	buf_free(&msgs);
	if (open_conn(db, err) != 0)
		return 1;
	res = run(db, "ctl_report_add", 5, p, "add the report", err);
	if (res == NULL)
		return 1;
	fprintf(out, "%s\n", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

int ctl_report_list(struct db *db, FILE *out, FILE *err)
{
	if (open_conn(db, err) != 0)
		return 1;
	return list(db, "ctl_report_list", 0, NULL, "list the reports", "report", "reports", out,
	            err);
}

int ctl_report_set_status(struct db *db, const char *id, const char *status, FILE *out, FILE *err)
{
	const char *p[2] = { id, status };
	long long n;
	PGresult *res;

	if (ctl_parse_id(id, &n) != 0) {
		fprintf(err, PROG ": invalid report id \"%s\": expected a positive number\n", id);
		return 1;
	}
	if (!ctl_status_ok(status)) {
		fprintf(err,
		        PROG ": invalid status \"%s\"\n"
		             "HINT:  The status is one of draft, published, archived.\n",
		        str_has_control(status) ? "(control character)" : status);
		return 1;
	}
	if (open_conn(db, err) != 0)
		return 1;
	res = run(db, "ctl_report_set_status", 2, p, "set the status", err);
	if (res == NULL)
		return 1;
	if (PQntuples(res) == 0) {
		fprintf(err, PROG ": no report with id %s\n", id);
		PQclear(res);
		return 1;
	}
	if (strcmp(PQgetvalue(res, 0, 2), "0") == 0)
		fprintf(out, "report %s is already %s; nothing changed\n", id, status);
	else
		fprintf(out, "report %s: %s -> %s\n", id, PQgetvalue(res, 0, 1), status);
	PQclear(res);
	return 0;
}

/* ---- access ------------------------------------------------------------------ */

int ctl_access_user(struct db *db, const char *username, FILE *out, FILE *err)
{
	const char *p[1] = { username };
	char id[32];
	PGresult *res;

	if (open_conn(db, err) != 0)
		return 1;
	res = run(db, "ctl_access_user_find", 1, p, "look up the user", err);
	if (res == NULL)
		return 1;
	if (PQntuples(res) == 0) {
		fprintf(err, PROG ": no user \"%s\"\n", username);
		PQclear(res);
		return 1;
	}
	snprintf(id, sizeof id, "%s", PQgetvalue(res, 0, 0));
	fprintf(out, "user %s (%s, %s)%s%s\n", PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
	        PQgetvalue(res, 0, 3), is_true(res, 0, 4) ? "" : ", inactive",
	        is_true(res, 0, 5) ? ", superuser" : "");
	if (!is_true(res, 0, 4))
		fputs("Inactive: the user cannot sign in and sees nothing now; the reports "
		      "below are what the roles would give once activated.\n",
		      out);
	if (is_true(res, 0, 5))
		fputs("Superuser: sees every report, whatever the roles below.\n", out);
	PQclear(res);
	p[0] = id;
	fputs("\nRoles:\n", out);
	if (list(db, "ctl_access_user_roles", 1, p, "list the roles", "role", "roles", out, err))
		return 1;
	fputs("\nReports seen through them (published reports of active roles):\n", out);
	return list(db, "ctl_access_user_reports", 1, p, "list the reports", "report", "reports",
	            out, err);
}

int ctl_access_report(struct db *db, const char *id, FILE *out, FILE *err)
{
	const char *p[1] = { id };
	long long n;
	PGresult *res;

	if (ctl_parse_id(id, &n) != 0) {
		fprintf(err, PROG ": invalid report id \"%s\": expected a positive number\n", id);
		return 1;
	}
	if (open_conn(db, err) != 0)
		return 1;
	res = run(db, "ctl_access_report_find", 1, p, "look up the report", err);
	if (res == NULL)
		return 1;
	if (PQntuples(res) == 0) {
		fprintf(err, PROG ": no report with id %s\n", id);
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
	if (list(db, "ctl_access_report_roles", 1, p, "list the roles", "role", "roles", out, err))
		return 1;
	fputs("\nUsers who see it through them (active users, active roles; superusers see it "
	      "anyway):\n",
	      out);
	return list(db, "ctl_access_report_users", 1, p, "list the users", "user", "users", out,
	            err);
}

static int flush_to(void *arg, struct buf *b)
{
	FILE *out = arg;

	if (b->len > 0 && fwrite(b->data, 1, b->len, out) != b->len)
		return -1;
	buf_reset(b);
	return 0;
}

int ctl_access_export(struct db *db, FILE *out, FILE *err)
{
	struct buf b = { 0 };
	enum db_status st;
	int rc;

	if (open_conn(db, err) != 0)
		return 1;
	rc = admin_csv_export(db_conn(db), ctl_access_export_sql, 0, NULL, ctl_access_export_header,
	                      &b, flush_to, out, &st);
	if (rc == 0 && flush_to(out, &b) != 0)
		rc = -1;
	buf_free(&b);
	if (rc == 0 && fflush(out) != 0)
		rc = -1;
	if (rc != 0) {
		fprintf(err, PROG ": the export failed: %s\n",
		        ferror(out)                      ? strerror(errno)
		        : PQerrorMessage(db_conn(db))[0] ? PQerrorMessage(db_conn(db))
		                                         : "the database failed");
		return 1;
	}
	return 0;
}

/* ---- audit ------------------------------------------------------------------- */

int ctl_audit_tail(struct db *db, const char *n, FILE *out, FILE *err)
{
	const char *p[1] = { n ? n : "20" };
	long long v;

	if (ctl_parse_id(p[0], &v) != 0 || v > 10000) {
		fprintf(err, PROG ": invalid number of entries \"%s\": expected 1 to 10000\n",
		        p[0]);
		return 1;
	}
	if (open_conn(db, err) != 0)
		return 1;
	return list(db, "ctl_audit_tail", 1, p, "read the audit log", "entry", "entries", out, err);
}

/* ---- import ------------------------------------------------------------------ */

enum { IMPORT_MAX_BYTES = 64 * 1024 * 1024 };

#define PLURAL(n) ((n) == 1 ? "" : "s")

static int read_file(const char *path, struct buf *data, FILE *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (f == NULL) {
		fprintf(err, PROG ": could not open \"%s\": %s\n", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_append(data, chunk, n);
		if (data->len > IMPORT_MAX_BYTES) {
			fprintf(err, PROG ": \"%s\" is larger than %d MiB\n", path,
			        IMPORT_MAX_BYTES / (1024 * 1024));
			break;
		}
	}
	if (ferror(f) || data->len > IMPORT_MAX_BYTES) {
		if (ferror(f))
			fprintf(err, PROG ": could not read \"%s\": %s\n", path, strerror(errno));
		if (f != stdin)
			fclose(f);
		return -1;
	}
	if (f != stdin)
		fclose(f);
	buf_append(data, "", 0);
	return 0;
}

static int simple(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	PQclear(res);
	return ok ? 0 : -1;
}

struct import_run {
	struct db *db;
	const struct ctl_import *im;
	long long *role_ids;
	struct problems pr;
	struct buf lines; /* what changed, printed once the outcome is known */
	long created, updated, granted;
	FILE *err;
};

/* Resolves the role names; unknown ones are problems. -1: the database. */
static int import_roles(struct import_run *ir)
{
	struct buf arr = { 0 };
	const char *p[1];
	PGresult *res;

	ir->role_ids = calloc(ir->im->nroles + 1, sizeof *ir->role_ids);
	if (ir->role_ids == NULL)
		abort();
	if (ir->im->nroles == 0)
		return 0;
	ctl_text_array(&arr, ir->im->role_names, ir->im->nroles);
	p[0] = buf_str(&arr);
	res = run(ir->db, "ctl_import_roles", 1, p, "look up the roles", ir->err);
	buf_free(&arr);
	if (res == NULL)
		return -1;
	for (size_t i = 0; i < ir->im->nroles && i < (size_t)PQntuples(res); i++) {
		if (PQgetisnull(res, (int)i, 0))
			problem(&ir->pr, ir->im->role_line[i], "no role \"%s\"",
			        ir->im->role_names[i]);
		else
			ir->role_ids[i] = strtoll(PQgetvalue(res, (int)i, 0), NULL, 10);
	}
	PQclear(res);
	return 0;
}

/* One row: the user, then the roles it lacks. -1: the database failed. */
static int import_row(struct import_run *ir, const struct ctl_import_row *row, const char *file)
{
	const char *p[4] = { row->username, row->email, row->display_name, file };
	struct buf ids = { 0 }, uid = { 0 };
	struct grant_result g;
	enum db_status st;
	PGresult *res;
	long long id;
	int rc = 0;

	res = run(ir->db, "ctl_import_user", 4, p, "import the user", ir->err);
	if (res == NULL)
		return -1;
	if (!PQgetisnull(res, 0, 3)) {
		problem(&ir->pr, row->line, "email address \"%s\" is already used by user \"%s\"",
		        row->email, PQgetvalue(res, 0, 3));
		PQclear(res);
		return 0;
	}
	id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	if (strcmp(PQgetvalue(res, 0, 1), "1") == 0) {
		ir->created++;
		buf_printf(&ir->lines, "create user \"%s\" (%s, \"%s\")\n", row->username,
		           row->email, row->display_name[0] ? row->display_name : row->username);
	} else if (strcmp(PQgetvalue(res, 0, 2), "1") == 0) {
		ir->updated++;
		buf_printf(&ir->lines, "update user \"%s\":", row->username);
		if (strcmp(PQgetvalue(res, 0, 4), PQgetvalue(res, 0, 6)) != 0)
			buf_printf(&ir->lines, " email %s -> %s", PQgetvalue(res, 0, 4),
			           PQgetvalue(res, 0, 6));
		if (strcmp(PQgetvalue(res, 0, 5), PQgetvalue(res, 0, 7)) != 0)
			buf_printf(&ir->lines, " name \"%s\" -> \"%s\"", PQgetvalue(res, 0, 5),
			           PQgetvalue(res, 0, 7));
		buf_putc(&ir->lines, '\n');
	}
	PQclear(res);
	if (row->nroles == 0)
		return 0;

	buf_putc(&ids, '{');
	for (size_t i = 0; i < row->nroles; i++)
		buf_printf(&ids, "%s%lld", i ? "," : "", ir->role_ids[row->roles[i]]);
	buf_putc(&ids, '}');
	buf_printf(&uid, "%lld", id);
	p[0] = buf_str(&uid);
	p[1] = buf_str(&ids);
	res = run(ir->db, "ctl_import_missing", 2, p, "read the user's roles", ir->err);
	if (res == NULL) {
		rc = -1;
	} else if (PQntuples(res) > 0) {
		for (int i = 0; i < PQntuples(res); i++)
			buf_printf(&ir->lines, "grant role \"%s\" to user \"%s\"\n",
			           PQgetvalue(res, i, 0), row->username);
		buf_reset(&uid);
		buf_printf(&uid, "{%lld}", id);
		if (admin_grant(ir->db, "grant_user_roles", NULL, NULL, "portalctl", buf_str(&uid),
		                buf_str(&ids), &g, &st) != 0) {
			fprintf(ir->err, PROG ": could not grant the roles of \"%s\": %s\n",
			        row->username, db_last_message(ir->db));
			rc = -1;
		} else {
			ir->granted += g.changed;
		}
	}
	PQclear(res);
	buf_free(&ids);
	buf_free(&uid);
	return rc;
}

/* Everything inside the transaction; -1 when the database failed. */
static int import_all(struct import_run *ir, const char *path)
{
	char n[4][24];
	const char *p[5] = { path, n[0], n[1], n[2], n[3] };
	PGresult *res;

	if (import_roles(ir) != 0)
		return -1;
	if (ir->pr.n > 0)
		return 0;
	for (size_t i = 0; i < ir->im->nrows; i++) {
		if (import_row(ir, &ir->im->rows[i], path) != 0)
			return -1;
	}
	snprintf(n[0], sizeof n[0], "%zu", ir->im->nrows);
	snprintf(n[1], sizeof n[1], "%ld", ir->created);
	snprintf(n[2], sizeof n[2], "%ld", ir->updated);
	snprintf(n[3], sizeof n[3], "%ld", ir->granted);
	res = run(ir->db, "ctl_import_summary", 5, p, "write the audit row", ir->err);
	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

int ctl_import_users(struct db *db, const char *path, int dry_run, FILE *out, FILE *err)
{
	struct ctl_import im;
	struct buf data = { 0 }, errs = { 0 };
	struct import_run ir;
	PGconn *conn;
	int rc = 1, failed;

	memset(&ir, 0, sizeof ir);
	if (read_file(path, &data, err) != 0) {
		buf_free(&data);
		return 1;
	}
	if (ctl_import_parse(data.data, data.len, path, &im, &errs) > 0) {
		fputs(buf_str(&errs), err);
		fprintf(err, PROG ": %s: nothing imported\n", path);
		goto out;
	}
	if (open_conn(db, err) != 0)
		goto out;
	conn = db_conn(db);
	ir.db = db;
	ir.im = &im;
	ir.err = err;
	ir.pr = (struct problems){ &errs, path, 0 };
	/* All or nothing: one transaction, rolled back on any problem and
	 * always for a dry run, which so sees exactly what the import would. */
	if (simple(conn, "BEGIN") != 0) {
		fprintf(err, PROG ": could not begin the import: %s", PQerrorMessage(conn));
		goto out;
	}
	failed = import_all(&ir, path) != 0;
	/* A broken connection would make db_exec reconnect outside the
	 * transaction: only an intact one is committed. */
	if (!failed && ir.pr.n == 0 && !dry_run && PQtransactionStatus(conn) == PQTRANS_INTRANS) {
		if (simple(conn, "COMMIT") != 0) {
			fprintf(err, PROG ": could not commit the import: %s",
			        PQerrorMessage(conn));
			failed = 1;
		}
	} else if (PQstatus(conn) == CONNECTION_OK) {
		(void)simple(conn, "ROLLBACK");
	}
	if (failed || ir.pr.n > 0) {
		fputs(buf_str(&errs), err);
		fprintf(err, PROG ": %s: nothing imported\n", path);
		goto out;
	}
	fputs(buf_str(&ir.lines), out);
	if (dry_run)
		fprintf(
		    out,
		    "dry run: %zu row%s; would create %ld user%s, update %ld, grant %ld role%s; "
		    "nothing was changed\n",
		    im.nrows, PLURAL(im.nrows), ir.created, PLURAL(ir.created), ir.updated,
		    ir.granted, PLURAL(ir.granted));
	else
		fprintf(out,
		        "imported %s: %zu row%s; %ld user%s created, %ld updated, %ld role%s "
		        "granted\n",
		        path, im.nrows, PLURAL(im.nrows), ir.created, PLURAL(ir.created),
		        ir.updated, ir.granted, PLURAL(ir.granted));
	rc = fflush(out) != 0 ? 1 : 0;
out:
	ctl_import_free(&im);
	free(ir.role_ids);
	buf_free(&ir.lines);
	buf_free(&data);
	buf_free(&errs);
	return rc;
}
