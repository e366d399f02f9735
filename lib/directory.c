/*
 * directory: the directory sync's own rules and bookkeeping (see
 * directory.h): the group mappings, the users and grants the sync made or
 * matched, the deactivation limit and the comparison of DNs.
 */
#include "directory.h"

#include <string.h>

#include "req.h"

const struct audit_actor audit_directory = { NULL, "directory", NULL };

/*
 * The SQL below is laid out by hand, one clause a line. The mapping
 * statements write their audit row in the same statement (audit_write in
 * a CTE named audit that the final SELECT reads); the bookkeeping
 * statements write none of their own: the changes they follow (a user
 * created, a role given) have theirs, through users and grants.
 */
/* clang-format off */

/* Maps group $4 (its key $5) to role $6 (by name, any case). */
static const char sql_map[] =
	"WITH r AS (SELECT id, name::text AS name FROM roles WHERE name = $6::citext),"
	" ins AS (INSERT INTO directory_group_roles (group_dn, group_key, role_id)"
	"  SELECT $4::text, $5::text, r.id FROM r ON CONFLICT DO NOTHING"
	"  RETURNING role_id, group_dn),"
	" audit AS (SELECT audit_write($1::bigint, $2::text, $3::inet, 'role.group_mapped', 'role',"
	"   ins.role_id, jsonb_build_object('group', ins.group_dn)) FROM ins)"
	" SELECT (SELECT id FROM r) AS role_id, (SELECT name FROM r) AS role_name,"
	"  (SELECT count(*) FROM ins) AS changed, (SELECT count(*) FROM audit) AS audited";

/* Unmaps group $4 (by its key $5, or as typed) from role $6. */
static const char sql_unmap[] =
	"WITH r AS (SELECT id, name::text AS name FROM roles WHERE name = $6::citext),"
	" del AS (DELETE FROM directory_group_roles d USING r"
	"  WHERE d.role_id = r.id AND (d.group_key = $5::text OR d.group_dn = $4::text)"
	"  RETURNING d.role_id, d.group_dn),"
	" audit AS (SELECT audit_write($1::bigint, $2::text, $3::inet, 'role.group_unmapped', 'role',"
	"   del.role_id, jsonb_build_object('group', del.group_dn)) FROM del)"
	" SELECT (SELECT id FROM r) AS role_id, (SELECT name FROM r) AS role_name,"
	"  (SELECT count(*) FROM del) AS changed, (SELECT count(*) FROM audit) AS audited";

/* The mappings of role $1 ('' for all), as a console table. */
static const char sql_group_list[] =
	"SELECT r.name::text AS role, d.group_dn AS \"group\","
	" (SELECT count(*) FROM directory_grants g WHERE g.role_id = r.id)::text"
	"  AS \"members by sync\""
	" FROM directory_group_roles d JOIN roles r ON r.id = d.role_id"
	" WHERE $1::text = '' OR r.name = $1::citext"
	" ORDER BY lower(r.name::text), d.group_key";

static const char sql_mappings[] =
	"SELECT d.group_key, d.role_id, r.name::text AS role_name"
	" FROM directory_group_roles d JOIN roles r ON r.id = d.role_id"
	" ORDER BY d.role_id, d.group_key";

static const char sql_known[] =
	"SELECT du.user_id, u.username::text AS username, u.is_active,"
	" du.deactivated_at IS NOT NULL AS by_sync"
	" FROM directory_users du JOIN users u ON u.id = du.user_id"
	" ORDER BY du.user_id";

static const char sql_seen[] =
	"INSERT INTO directory_users (user_id, dn, created_by_sync, groups)"
	" VALUES ($1::bigint, $2::text, $3::boolean, $4::text)"
	" ON CONFLICT (user_id) DO UPDATE SET dn = EXCLUDED.dn, groups = EXCLUDED.groups,"
	"  last_seen_at = now(), deactivated_at = NULL";

/* The sync's grants of role $1, with their users' groups as last seen. */
static const char sql_role_owned[] =
	"SELECT g.user_id, du.groups FROM directory_grants g"
	" JOIN directory_users du ON du.user_id = g.user_id"
	" WHERE g.role_id = $1::bigint ORDER BY g.user_id";

static const char sql_gone[] =
	"UPDATE directory_users SET deactivated_at = now() WHERE user_id = $1::bigint";

static const char sql_user_roles[] =
	"SELECT ur.role_id, r.name::text AS role_name, g.role_id IS NOT NULL AS owned"
	" FROM user_roles_current ur JOIN roles r ON r.id = ur.role_id LEFT JOIN directory_grants g"
	"  ON g.user_id = ur.user_id AND g.role_id = ur.role_id"
	" WHERE ur.user_id = $1::bigint ORDER BY ur.role_id";

/* Only grants that exist become the sync's (the foreign key would refuse
 * others; a concurrent revoke is simply not recorded). */
static const char sql_own[] =
	"INSERT INTO directory_grants (user_id, role_id)"
	" SELECT ur.user_id, ur.role_id FROM user_roles ur"
	" WHERE ur.user_id = $1::bigint AND ur.role_id = ANY ($2::bigint[])"
	" ON CONFLICT DO NOTHING";

static const char sql_summary[] =
	"SELECT id FROM audit_write($1::bigint, $2::text, $3::inet, 'directory.synced', NULL, NULL,"
	" $4::jsonb || jsonb_build_object('url', $5::text))";

/* One run at a time: the timer's and one by hand would otherwise both
 * create the same joiner. A session lock, held across the run's many
 * transactions. */
#define DIRECTORY_LOCK_KEY "hashtext('rapportageportaal.directory_sync')"
static const char sql_lock[] =
	"SELECT pg_try_advisory_lock(" DIRECTORY_LOCK_KEY ") AS locked";
static const char sql_unlock[] =
	"SELECT pg_advisory_unlock(" DIRECTORY_LOCK_KEY ")";

/* clang-format on */

const struct db_stmt directory_stmts[] = {
	{ "directory_map", sql_map, 6 },
	{ "directory_unmap", sql_unmap, 6 },
	{ "directory_group_list", sql_group_list, 1 },
	{ "directory_mappings", sql_mappings, 0 },
	{ "directory_known", sql_known, 0 },
	{ "directory_seen", sql_seen, 4 },
	{ "directory_role_owned", sql_role_owned, 1 },
	{ "directory_gone", sql_gone, 1 },
	{ "directory_user_roles", sql_user_roles, 1 },
	{ "directory_own", sql_own, 2 },
	{ "directory_summary", sql_summary, 5 },
	{ "directory_lock", sql_lock, 0 },
	{ "directory_unlock", sql_unlock, 0 },
	{ NULL, NULL, 0 },
};

/* ---- decisions --------------------------------------------------------------- */

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/*
 * One pass over the DN, RDN by RDN (RFC 4514): blanks before and after
 * each type, each value and each separator are dropped unless escaped; an
 * escaped character is copied with its backslash. A value's inner blanks
 * stay ("cn=Team A").
 */
int directory_dn_key(const char *dn, char *out, size_t outlen)
{
	size_t len = strlen(dn), o = 0;
	const char *p = dn;
	int in_value = 0, have_type = 0;
	size_t pending = 0; /* blanks seen inside a value, written if more follows */

	if (outlen > 0)
		out[0] = '\0';
	if (len == 0 || len > DIRECTORY_DN_MAX || outlen < len + 1 || utf8_count(dn, len) < 0)
		return -1;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)dn[i] < 0x20 || dn[i] == 0x7f)
			return -1;
	while (*p != '\0') {
		char c = *p;

		if (c == '\\') {
			if (p[1] == '\0' || !in_value)
				goto bad;
			for (; pending > 0; pending--)
				out[o++] = ' ';
			out[o++] = '\\';
			out[o++] = lower(p[1]);
			p += 2;
			continue;
		}
		if (!in_value) {
			if (is_blank(c)) {
				p++;
				continue;
			}
			if (c == '=') {
				if (!have_type)
					goto bad;
				out[o++] = '=';
				in_value = 1;
				pending = 0;
				p++;
				/* Blanks after '=' belong to no value. */
				while (is_blank(*p))
					p++;
				continue;
			}
			if (c == ',' || c == '+' || c == ';')
				goto bad;
			if (have_type && o > 0 && is_blank(p[-1]))
				goto bad; /* "c n=x": a blank inside a type */
			out[o++] = lower(c);
			have_type = 1;
			p++;
			continue;
		}
		if (c == ',' || c == '+' || c == ';') {
			out[o++] = c == '+' ? '+' : ',';
			in_value = 0;
			have_type = 0;
			pending = 0;
			p++;
			continue;
		}
		if (is_blank(c)) {
			pending++;
			p++;
			continue;
		}
		for (; pending > 0; pending--)
			out[o++] = ' ';
		out[o++] = lower(c);
		p++;
	}
	if (!in_value)
		goto bad;
	out[o] = '\0';
	return 0;
bad:
	out[0] = '\0';
	return -1;
}

size_t directory_wanted_roles(const char *const *groups, size_t n,
                              const struct directory_mapping *m, size_t nm, long long *out)
{
	size_t k = 0;

	for (size_t i = 0; i < nm; i++) {
		size_t j;

		for (j = 0; j < k && out[j] != m[i].role_id; j++)
			;
		if (j < k)
			continue;
		for (j = 0; j < n; j++) {
			if (strcmp(groups[j], m[i].key) == 0) {
				out[k++] = m[i].role_id;
				break;
			}
		}
	}
	return k;
}

void directory_role_diff(const long long *wanted, size_t nwanted, const struct directory_held *held,
                         size_t nheld, long long *give, size_t *ngive, long long *take,
                         size_t *ntake)
{
	*ngive = 0;
	*ntake = 0;
	for (size_t i = 0; i < nwanted; i++) {
		size_t j;

		for (j = 0; j < nheld && held[j].role_id != wanted[i]; j++)
			;
		if (j == nheld)
			give[(*ngive)++] = wanted[i];
	}
	for (size_t j = 0; j < nheld; j++) {
		size_t i;

		if (!held[j].owned)
			continue;
		for (i = 0; i < nwanted && wanted[i] != held[j].role_id; i++)
			;
		if (i == nwanted)
			take[(*ntake)++] = held[j].role_id;
	}
}

size_t directory_groups_split(char *s, const char **out, size_t max)
{
	size_t n = 0;

	while (*s != '\0' && n < max) {
		char *nl = strchr(s, '\n');

		if (nl != NULL)
			*nl = '\0';
		if (*s != '\0')
			out[n++] = s;
		if (nl == NULL)
			break;
		s = nl + 1;
	}
	return n;
}

int directory_limit_exceeded(long n, long known, long max_count, long max_percent)
{
	if (n <= 0 || n <= max_count)
		return 0;
	/* n > known * max_percent / 100, without rounding or overflow. */
	return (long long)n * 100 > (long long)known * max_percent;
}
