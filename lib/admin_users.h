/*
 * admin_users: the users area of the admin pool: the list with search and
 * filters, create, edit (with the last-superuser guard), password reset,
 * unlock, and the user's roles. The SQL and the form checks live here.
 */
#ifndef ADMIN_USERS_H
#define ADMIN_USERS_H

#include "db.h"
#include "field.h"

struct ctx;

/* Statements, terminated by { NULL }. Page statements start with
 * SESSION_CTE ($1, $2); changes take $1 actor, $2 ip.
 *  admin_users_list      $3 search, $4 active ("", "1", "0"), $5 superuser
 *                        (same), $6 locked ("", "1"), $7 offset: one page,
 *                        columns u_* and total
 *  admin_user_page       $3 id: the user (u_id NULL when none) and one row
 *                        per role: first those the user has (has_role),
 *                        then the active roles the user does not have
 *  admin_user_name       $1 id: the username (no row when none)
 *  admin_user_create     $3 username, $4 email, $5 display name,
 *                        $6 superuser, $7 PHC: id (NULL when taken),
 *                        name_taken, email_taken
 *  admin_user_update     $3 id, $4 version, $5 display name, $6 email,
 *                        $7 superuser, $8 active: found, stale, refused
 *                        (the last active superuser would go), email_taken,
 *                        updated
 *  admin_user_password   $3 id, $4 PHC: users changed (0 or 1)
 *  admin_user_unlock     $3 id: users changed (0 or 1)
 */
extern const struct db_stmt admin_users_stmts[];

struct user_form {
	const char *username; /* only checked when creating */
	const char *email;
	const char *display_name;
	int superuser;
	int active;
};

/* Checks a user form (the username too when is_new); for the first problem
 * of each field calls bad(ctx, field, message_key). Returns the number of
 * problems. */
int admin_user_check(const struct user_form *f, int is_new,
                     void (*bad)(void *ctx, const char *field, const char *key), void *ctx);

/* The message key of what is wrong with an initial password chosen for
 * username (empty, or against the policy), or NULL when it will do. */
const char *admin_user_password_problem(const char *password, const char *username);

/* The declared fields (field.h) of the routes below: the list's q (at most
 * 200 characters), active and superuser ("1", "0" or absent), locked ("1"
 * or absent) and page; the user page's notice (done, n: lenient); the
 * forms' fields; the checked role ids. */
extern const struct field admin_users_list_fields[], admin_user_fields[],
    admin_user_create_fields[], admin_user_update_fields[], admin_user_password_fields[],
    admin_user_roles_fields[];

/* Handlers: GET /admin/users, GET /admin/users/new, POST /admin/users, GET
 * and POST /admin/users/{id}, POST /admin/users/{id}/password, .../unlock,
 * .../roles/add and .../roles/remove. */
void admin_get_users(struct ctx *c);
void admin_get_user_new(struct ctx *c);
void admin_post_user_create(struct ctx *c);
void admin_get_user(struct ctx *c);
void admin_post_user_update(struct ctx *c);
void admin_post_user_password(struct ctx *c);
void admin_post_user_unlock(struct ctx *c);
void admin_post_user_expire(struct ctx *c);
void admin_post_user_roles_add(struct ctx *c);
void admin_post_user_roles_remove(struct ctx *c);

#endif
