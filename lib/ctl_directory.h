/*
 * ctl_directory: portalctl's directory commands: `directory sync` (users
 * and their groups read from LDAP with libldap, then created, updated,
 * given and taken roles, deactivated and activated through users and
 * grants, with the bookkeeping and decisions of directory) and `role
 * map-group`, `unmap-group` and `groups` (which group gives which role).
 *
 * The directory is read whole, page by page (RFC 2696), before the
 * database is touched: an unreachable server, refused credentials, a bad
 * filter or base, or any error before the last page changes nothing.
 * The command functions print results to out and messages
 * ("portalctl: ...") to err and return the exit status: 0 done, 1 failed.
 */
#ifndef CTL_DIRECTORY_H
#define CTL_DIRECTORY_H

#include <stddef.h>
#include <stdio.h>

#include "cfg.h"
#include "db.h"

/* The handle must hold directory_stmts, users_stmts and grants_stmts. */

/*
 * Reads the bind password: the first line of the file at path (without
 * its "\n" or "\r\n"; nothing after it is read). Refused: a file that
 * others than its owner and group may read, an empty first line, a NUL
 * byte, more than outlen - 1 bytes. Returns the length, or -1 with a
 * message naming the file in err. out is wiped on error.
 */
int ctl_directory_read_secret(const char *path, char *out, size_t outlen, char *err, size_t errlen);

/*
 * Checks the settings the sync needs before anything is read: URL and base
 * set, the URL an ldap://, ldaps:// or ldapi:// URL, a password file when a
 * bind DN is set (and none without one), the base and group base valid DNs,
 * the filters in parentheses. Returns 0, or -1 with a message naming the
 * setting in err.
 */
int ctl_directory_check_settings(const struct cfg *cfg, char *err, size_t errlen);

/* portalctl directory sync [--dry-run] [--force]. */
int ctl_directory_sync(struct db *db, const struct cfg *cfg, int dry_run, int force, FILE *out,
                       FILE *err);

/* portalctl role map-group GROUP-DN ROLE (map 1) / unmap-group (map 0). */
int ctl_directory_map(struct db *db, int map, const char *group_dn, const char *role, FILE *out,
                      FILE *err);

/* portalctl role groups: every mapping as a table. */
int ctl_directory_groups(struct db *db, FILE *out, FILE *err);

#endif
