/*
 * directory: the rules of the directory sync (`portalctl directory sync`)
 * that are new to the portal, in one place: which group gives which role
 * (the administrators' mapping), which users the sync made or matched
 * ("seen in the directory"), which role grants came from the sync and so
 * may be taken by it (a role given by hand never is), how many users one
 * run may deactivate, and how a group's DN is compared. Users, grants,
 * sessions and audit rows still change only through their own operations
 * (users, grants, audit_write): this module decides what to ask of them,
 * and keeps its bookkeeping (schema/0015_directory.sql).
 *
 * The decisions (directory_dn_key, directory_wanted_roles,
 * directory_role_diff, directory_limit_exceeded) touch no database or
 * directory, so every verdict has a unit test; lib/ctl_directory.c does the
 * reading (LDAP) and the writing.
 */
#ifndef DIRECTORY_H
#define DIRECTORY_H

#include <stddef.h>

#include "audit.h"
#include "db.h"

/* The sync's actor: nobody signed in, channel "directory", no address. */
extern const struct audit_actor audit_directory;

/*
 * Statements, terminated by { NULL }; $1 to $3 the actor where a statement
 * writes an audit row (audit.h).
 *   directory_map         $4 group DN, $5 its key, $6 role name: maps the group to the
 *                         role (audit role.group_mapped); role_id, role_name (NULL: no
 *                         such role), changed (0: mapped already)
 *   directory_unmap       the same, unmaps (role.group_unmapped)
 *   directory_group_list  $1 role name or '' for every role: group, role (a table)
 *   directory_mappings    every mapping: group_key, role_id, role_name
 *   directory_known       every user the sync made or matched: user_id, username,
 *                         is_active, by_sync (the sync deactivated the user)
 *   directory_seen        $1 user id, $2 DN, $3 created by the sync, $4 its groups'
 *                         keys, one a line: the user is in the directory
 *                         (deactivated_at cleared)
 *   directory_role_owned  $1 role id: the sync's grants of it, user_id and groups (the
 *                         keys as last seen, one a line)
 *   directory_gone        $1 user id: the sync deactivated the user
 *   directory_user_roles  $1 user id: role_id, role_name, owned (the grant is the sync's)
 *   directory_own         $1 user id, $2 role ids: these grants are the sync's
 *   directory_summary     $4 details (jsonb), $5 the directory's URL: the run's audit
 *                         row directory.synced
 *   directory_lock        the run's session lock: locked (false: another run holds it)
 *   directory_unlock      releases it
 */
extern const struct db_stmt directory_stmts[];

/* Bytes of a DN, and of its key, at most (the schema's CHECKs). */
enum { DIRECTORY_DN_MAX = 1024 };

/*
 * The key a group's DN is compared by: the DN with the blanks around its
 * separators (',', '+', '=') dropped and ASCII letters lower-cased, escapes
 * ("\,", "\2C") kept as written (and lower-cased), so that
 * "CN=Finance, OU=Groups,DC=ced,DC=example" and
 * "cn=finance,ou=groups,dc=ced,dc=example" are one group. Writes the key
 * into out (outlen bytes, DIRECTORY_DN_MAX + 1 is enough). Returns 0, or
 * -1 when dn is empty, longer than DIRECTORY_DN_MAX bytes, not valid
 * UTF-8, holds a control character, ends in a lone '\', or has an RDN
 * without "=" or with an empty attribute type (out is then "").
 */
int directory_dn_key(const char *dn, char *out, size_t outlen);

/* One mapping: a group's key and the role it gives. */
struct directory_mapping {
	const char *key;
	long long role_id;
};

/*
 * The roles a user in groups (their keys, n of them) gets by the mappings
 * m (nm of them): each role once, in the order of m. out holds at least nm
 * ids. Returns how many.
 */
size_t directory_wanted_roles(const char *const *groups, size_t n,
                              const struct directory_mapping *m, size_t nm, long long *out);

/* A role the user has, and whether that grant is the sync's. */
struct directory_held {
	long long role_id;
	int owned;
};

/*
 * What the sync changes for one user: give the wanted roles the user does
 * not have (give, at most nwanted), take the sync's own grants that are no
 * longer wanted (take, at most nheld). A role the user has by hand (not
 * owned) is never taken, and a wanted role the user has by hand is not
 * given again (it stays the hand's). Sets *ngive and *ntake.
 */
void directory_role_diff(const long long *wanted, size_t nwanted, const struct directory_held *held,
                         size_t nheld, long long *give, size_t *ngive, long long *take,
                         size_t *ntake);

/*
 * Splits s (group keys, one a line, as directory_users.groups holds them)
 * in place into out (at most max); empty lines are skipped. Returns how
 * many. The keys point into s.
 */
size_t directory_groups_split(char *s, const char **out, size_t max);

/*
 * Whether deactivating n of the known active users in one run is more than
 * the limits allow: more than max_count users AND more than max_percent
 * per cent of known (both must be passed for a refusal, so that a small
 * directory may lose a few and a large one a share). 1: refuse (unless
 * --force), 0: allowed.
 */
int directory_limit_exceeded(long n, long known, long max_count, long max_percent);

#endif
