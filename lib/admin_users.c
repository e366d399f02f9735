/*
 * admin_users: SQL, form checks and handlers of the admin pool's users area
 * (see admin_users.h). Responses: 400 for a form with invalid values, 409
 * for a duplicate, a stale version or the last-superuser guard. A user's
 * roles change through preview.h (who gains and who loses, then confirm).
 */
#include "admin_users.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "preview.h"
#include "auth.h"
#include "session.h"
#include "users.h"

/* The SQL keeps its own layout, one clause per line. */
/* clang-format off */
#define STR_(x) #x
#define STR(x) STR_(x)

/* The columns of one user, named u_* so that they do not shadow cur's
 * username, email, display_name and is_superuser in the same row. u_locked:
 * the addresses from which sign-in with the user's name is throttled now,
 * NULL when none (users.locked_until no longer blocks anyone). */
#define USER_COLUMNS                                                                             \
	" u.id AS u_id, u.username::text AS u_username, u.display_name AS u_name,"              \
	" u.email::text AS u_email, u.is_active AS u_active, u.is_superuser AS u_superuser,"    \
	" nullif((SELECT count(*) FROM user_login_throttle x"                                   \
	"  WHERE x.user_id = u.id AND x.throttled), 0) AS u_locked,"                            \
	" to_char(u.last_login_at AT TIME ZONE 'Europe/Amsterdam', 'DD-MM-YYYY HH24:MI')"       \
	"  AS u_last_login,"

/* The users list: $3 search, $4 active ("", "1", "0"), $5 superuser (the
 * same), $6 throttled ("", "1"), $7 offset; the session's row with one row
 * per user of the page beside it. Case- and accent-insensitive substring
 * search on username, name and email; % and _ in the search are literal. A sequential scan of 10,000
 * users stays in the milliseconds, so no trigram index is needed. The
 * throttled filter is IN, not a correlated EXISTS: a hashed subplan that
 * runs once from the throttled rows (users' key indexes, 0007), where
 * EXISTS hashed both names of every user (8 ms instead of 125-200 ms). */
static const char sql_users_list[] =
	SESSION_CTE
	"SELECT cur.*, l.* FROM cur LEFT JOIN LATERAL ("
	" SELECT p.*, (SELECT count(*) FROM user_roles_current ur WHERE ur.user_id = p.u_id) AS u_roles,"
	"  '/admin/users/' || p.u_id AS u_href"
	" FROM (SELECT" USER_COLUMNS " u.username AS u_sort, count(*) OVER () AS total"
	"  FROM users u, (SELECT '%' || replace(replace(replace(f_unaccent(lower($3::text)),"
	"   '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' AS pat) q"
	"  WHERE ($3::text = '' OR f_unaccent(lower(u.username::text)) LIKE q.pat"
	"   OR f_unaccent(lower(u.display_name)) LIKE q.pat"
	"   OR f_unaccent(lower(u.email::text)) LIKE q.pat)"
	"   AND ($4::text = '' OR u.is_active = ($4::text = '1'))"
	"   AND ($5::text = '' OR u.is_superuser = ($5::text = '1'))"
	"   AND ($6::text = '' OR u.id IN (SELECT x.user_id FROM user_login_throttle x"
	"    WHERE x.throttled))"
	"  ORDER BY u.username LIMIT " STR(ADMIN_PAGE_SIZE) " OFFSET $7::int) p"
	" ORDER BY p.u_sort) l ON true";

/* The user page: $3 id; the session's row with the user, once per role.
 * ~200 roles: the user's own (inactive ones too, marked), then the active
 * roles the user could get, all in the page's one round trip. */
static const char sql_user_page[] =
	SESSION_CTE
	"SELECT cur.*," USER_COLUMNS " u.updated_at::text AS u_version, u.failed_logins AS u_failed,"
	" u.must_change_password AS u_must_change,"
	" u.hashed_password IS NOT NULL AND NOT u.must_change_password AS u_expirable,"
	" u.failed_logins > 0 OR u.locked_until IS NOT NULL"
	"  OR EXISTS (SELECT 1 FROM user_login_throttle x WHERE x.user_id = u.id) AS u_unlockable,"
	" to_char(u.created_at AT TIME ZONE 'Europe/Amsterdam', 'DD-MM-YYYY HH24:MI') AS u_created,"
	" (SELECT count(*) FROM sessions s WHERE s.user_id = u.id AND s.expires_at > now())"
	"  AS u_sessions,"
	" r.role_id, r.role_name, r.role_active, r.has_role, r.role_since, r.role_until,"
	" r.role_future, r.role_expired,"
	" '/admin/roles/' || r.role_id AS role_href"
	" FROM cur LEFT JOIN users u ON u.id = $3::bigint"
	" LEFT JOIN LATERAL (SELECT ro.id AS role_id, ro.name::text AS role_name,"
	"  ro.is_active AS role_active, ur.user_id IS NOT NULL AS has_role,"
	"  to_char(ur.granted_at AT TIME ZONE 'Europe/Amsterdam', 'DD-MM-YYYY') AS role_since,"
	"  " DB_DATE_TIME_NL("ur.valid_until") " AS role_until, ur.valid_from > now() AS role_future,"
	"  ur.valid_until <= now() AS role_expired"
	"  FROM roles ro LEFT JOIN user_roles ur ON ur.role_id = ro.id AND ur.user_id = u.id"
	"  WHERE ur.user_id IS NOT NULL OR ro.is_active"
	"  ORDER BY has_role DESC, lower(ro.name), ro.id) r ON u.id IS NOT NULL";

/* The username of user $1 (no row when none). */
static const char sql_user_name[] =
	"SELECT username::text FROM users WHERE id = $1::bigint";

const struct db_stmt admin_users_stmts[] = {
	{ "admin_users_list", sql_users_list, 7 },
	{ "admin_user_page", sql_user_page, 3 },
	{ "admin_user_name", sql_user_name, 1 },
	{ NULL, NULL, 0 },
};
/* clang-format on */

/* ---- checks ---- */

int admin_user_check(const struct user_form *f, int is_new,
                     void (*bad)(void *ctx, const char *field, const char *key), void *ctx)
{
	char err[256];
	int n = 0;
	long hidden;
	if (is_new) {
		if (f->username[0] == '\0') {
			bad(ctx, "username", "admin.error.required");
			n++;
		} else if ((hidden = str_hidden_char(f->username, 0)) >= 0 &&
		           !str_hidden_is_control(hidden)) {
			bad(ctx, "username", "admin.error.invisible");
			n++;
		} else if (users_check_username(f->username, err, sizeof(err)) != 0) {
			bad(ctx, "username", "admin.users.error.username");
			n++;
		}
	}
	if (f->email[0] == '\0') {
		bad(ctx, "email", "admin.error.required");
		n++;
	} else if (users_check_email(f->email, err, sizeof(err)) != 0) {
		bad(ctx, "email", "admin.users.error.email");
		n++;
	}
	if (f->display_name[0] == '\0') {
		bad(ctx, "display_name", "admin.error.required");
		n++;
	} else if (users_check_display_name(f->display_name, err, sizeof(err)) != 0) {
		const char *key = admin_text_problem(f->display_name, 200, 0);
		bad(ctx, "display_name", key != NULL ? key : "admin.error.too_long");
		n++;
	}
	return n;
}

const char *admin_user_password_problem(const char *password, const char *username)
{
	if (password[0] == '\0')
		return "admin.error.required";
	enum auth_policy p = auth_check_policy(password, username);
	return p == AUTH_POLICY_OK ? NULL : auth_policy_key(p);
}

/* ---- the fields of each route ---- */

static const char *const tristate[] = { "", "1", "0" };
static const char *const yes_no[] = { "1", "0", NULL };
static const char *const yes[] = { "1", NULL };

/* The filters: "" (absent) is all, "1" and "0" the two halves; anything
 * else answers 400. */
const struct field admin_users_list_fields[] = {
	{ "q", FIELD_TEXT, FIELD_QUERY, 0, 200, NULL },
	{ "active", FIELD_ENUM, FIELD_QUERY, 0, 0, yes_no },
	{ "superuser", FIELD_ENUM, FIELD_QUERY, 0, 0, yes_no },
	{ "locked", FIELD_ENUM, FIELD_QUERY, 0, 0, yes },
	PAGER_FIELD("page"),
	FIELDS_END,
};

/* The notices a change leaves in its redirect (?done=...&n=...); another
 * value shows none. */
static const char *const notices[] = { "created",       "saved",      "password",
	                               "unlocked",      "expired",    "roles_added",
	                               "roles_removed", "roles_none", NULL };

const struct field admin_user_fields[] = {
	{ "done", FIELD_ENUM, FIELD_QUERY | FIELD_LENIENT, 0, 0, notices },
	{ "n", FIELD_INT, FIELD_QUERY | FIELD_LENIENT, 0, 999999, NULL },
	FIELDS_END,
};

/* The password is taken as typed: spaces are part of it. */
const struct field admin_user_create_fields[] = {
	ADMIN_FORM_TEXT("username"),
	ADMIN_FORM_TEXT("email"),
	ADMIN_FORM_TEXT("display_name"),
	ADMIN_CHECKBOX("superuser"),
	{ "password", FIELD_TEXT, FIELD_FORM, 0, 0, NULL },
	FIELDS_END,
};

const struct field admin_user_update_fields[] = {
	ADMIN_FORM_TEXT("email"), ADMIN_FORM_TEXT("display_name"), ADMIN_CHECKBOX("superuser"),
	ADMIN_CHECKBOX("active"), ADMIN_FORM_TEXT("version"),      FIELDS_END,
};

const struct field admin_user_password_fields[] = {
	{ "password", FIELD_TEXT, FIELD_FORM, 0, 0, NULL },
	FIELDS_END,
};

/* The checked roles: ids, 400 when any is not one. */
const struct field admin_user_roles_fields[] = {
	{ "role_id[]", FIELD_ID, FIELD_FORM | FIELD_MULTI, 0, 0, NULL },
	ADMIN_PREVIEW_TOKEN,
	FIELDS_END,
};

/* The choices of a filter select, with the current one selected. */
static void set_options(struct ctx *c, const char *key, const char *current,
                        const char *const *labels)
{
	struct tvars *items[3];
	for (size_t i = 0; i < 3; i++) {
		items[i] = tvars_new(c->arena);
		tvars_str(items[i], "value", tristate[i]);
		tvars_str(items[i], "label", app_msg(c, labels[i]));
		tvars_bool(items[i], "selected", strcmp(current, tristate[i]) == 0);
	}
	tvars_list(c->vars, key, items, 3);
}

static int hash_password(struct ctx *c, const char *password, char *out)
{
	struct auth_params p = auth_default_params;
	p.m_kib = (uint32_t)c->app->cfg.argon2_m_kib;
	p.t = (uint32_t)c->app->cfg.argon2_t;
	return auth_hash(password, strlen(password), &p, out, AUTH_PHC_MAX);
}

/* ---- the list ---- */

void admin_get_users(struct ctx *c)
{
	const char *q = field_str(&c->fields, "q", "");
	const char *active = field_str(&c->fields, "active", "");
	const char *superuser = field_str(&c->fields, "superuser", "");
	const char *locked = field_str(&c->fields, "locked", "");
	struct pager pg = pager_make(field_int(&c->fields, "page", 1), ADMIN_PAGE_SIZE);
	const char *p[] = { q, active, superuser, locked,
		            arena_printf(c->arena, "%ld", pager_offset(&pg)) };
	PGresult *res = admin_page_query(c, "admin_users_list", 5, p);
	if (res == NULL)
		return;
	int empty = db_is_null(res, 0, "u_id");
	tvars_rows_range(c->vars, "users", res, 0, empty ? 0 : PQntuples(res));
	long total = empty ? 0 : strtol(db_text(res, 0, "total"), NULL, 10);
	struct buf base = { 0 };
	buf_puts(&base, "/admin/users?q=");
	app_url_encode(&base, q);
	buf_printf(&base, "&active=%s&superuser=%s&locked=%s&", active, superuser, locked);
	pager_set_total(&pg, total);
	admin_pager_vars(c, buf_str(&base), &pg);
	buf_free(&base);
	tvars_str(c->vars, "q", q);
	tvars_bool(c->vars, "locked", locked[0] != '\0');
	static const char *const active_labels[] = { "admin.users.all", "admin.users.active_yes",
		                                     "admin.users.active_no" };
	static const char *const super_labels[] = { "admin.users.all", "admin.users.super_yes",
		                                    "admin.users.super_no" };
	set_options(c, "actives", active, active_labels);
	set_options(c, "superusers", superuser, super_labels);
	app_render(c, 200, "admin/users");
	PQclear(res);
}

/* ---- create ---- */

static void render_new(struct ctx *c, int status, const struct user_form *f, struct tvars *errors)
{
	struct tvars *form = tvars_new(c->arena);
	tvars_str(form, "username", f->username);
	tvars_str(form, "email", f->email);
	tvars_str(form, "display_name", f->display_name);
	tvars_bool(form, "superuser", f->superuser);
	tvars_obj(c->vars, "form", form);
	tvars_obj(c->vars, "errors", errors);
	app_render(c, status, "admin/user-new");
}

void admin_get_user_new(struct ctx *c)
{
	PGresult *res = admin_page_query(c, "session_check", 0, NULL);
	if (res == NULL)
		return;
	struct user_form f = { "", "", "", 0, 1 };
	render_new(c, 200, &f, tvars_new(c->arena));
	PQclear(res);
}

void admin_post_user_create(struct ctx *c)
{
	if (!admin_post_guard(c))
		return;
	const struct fieldset *in = &c->fields;
	struct user_form f = { field_str(in, "username", ""), field_str(in, "email", ""),
		               field_str(in, "display_name", ""),
		               (int)field_int(in, "superuser", 0), 1 };
	const char *password = field_str(in, "password", "");
	struct admin_form fe = { c, tvars_new(c->arena) };
	int bad = admin_user_check(&f, 1, admin_form_bad, &fe);
	const char *pw_key = admin_user_password_problem(password, f.username);
	if (pw_key != NULL) {
		admin_error(c, fe.errors, "password", pw_key);
		bad++;
	}
	if (bad > 0) {
		render_new(c, 400, &f, fe.errors);
		return;
	}
	char phc[AUTH_PHC_MAX];
	if (hash_password(c, password, phc) != 0) {
		app_error(c, 500);
		return;
	}
	struct admin_actor aa;
	admin_actor(c, &aa);
	const struct audit_actor *a = &aa.audit;
	struct users_new u = { f.username, f.email, f.display_name, phc, f.superuser, 1 };
	struct users_outcome o;
	switch (users_create(c->app->db, a, &u, &o)) {
	case USERS_OK:
		resp_redirect(c->resp, 303,
		              arena_printf(c->arena, "/admin/users/%lld?done=created", o.id));
		return;
	case USERS_EXISTS:
		admin_error(c, fe.errors, "username", "admin.users.error.username_taken");
		render_new(c, 409, &f, fe.errors);
		return;
	case USERS_EMAIL_TAKEN:
		admin_error(c, fe.errors, "email", "admin.users.error.email_taken");
		render_new(c, 409, &f, fe.errors);
		return;
	default:
		if (o.db == DB_INVALID) {
			admin_error(c, fe.errors, "form", "admin.error.invalid");
			render_new(c, 400, &f, fe.errors);
		} else {
			app_db_error(c, o.db);
		}
		return;
	}
}

/* ---- one user ---- */

/* The user page's data; NULL when answered (no session, not a superuser,
 * no such user, the database failed). */
static PGresult *load_user(struct ctx *c)
{
	const char *p[] = { app_id_param(c) };
	PGresult *res = admin_page_query(c, "admin_user_page", 1, p);
	if (res == NULL)
		return NULL;
	if (db_is_null(res, 0, "u_id")) {
		PQclear(res);
		app_error(c, 404);
		return NULL;
	}
	return res;
}

/* Renders the user page from res (admin_user_page); the edit form shows f
 * and version when given (a re-rendered submission), else what is stored. */
static void render_user(struct ctx *c, int status, const PGresult *res, const struct user_form *f,
                        const char *version, struct tvars *errors)
{
	const char *id = app_id_param(c);
	struct tvars *form = tvars_new(c->arena);
	tvars_str(form, "display_name", f ? f->display_name : db_text(res, 0, "u_name"));
	tvars_str(form, "email", f ? f->email : db_text(res, 0, "u_email"));
	tvars_bool(form, "superuser", f ? f->superuser : db_bool(res, 0, "u_superuser"));
	tvars_bool(form, "active", f ? f->active : db_bool(res, 0, "u_active"));
	tvars_str(form, "version", version ? version : db_text(res, 0, "u_version"));
	tvars_obj(c->vars, "form", form);
	tvars_obj(c->vars, "errors", errors);
	tvars_row(c->vars, "u", res, 0);
	tvars_str(c->vars, "action", arena_printf(c->arena, "/admin/users/%s", id));
	tvars_str(c->vars, "password_action",
	          arena_printf(c->arena, "/admin/users/%s/password", id));
	tvars_str(c->vars, "unlock_action", arena_printf(c->arena, "/admin/users/%s/unlock", id));
	tvars_str(c->vars, "expire_action", arena_printf(c->arena, "/admin/users/%s/expire", id));
	tvars_str(c->vars, "roles_add_action",
	          arena_printf(c->arena, "/admin/users/%s/roles/add", id));
	tvars_str(c->vars, "roles_remove_action",
	          arena_printf(c->arena, "/admin/users/%s/roles/remove", id));
	int n = db_is_null(res, 0, "role_id") ? 0 : PQntuples(res), mine = 0;
	while (mine < n && db_bool(res, mine, "has_role"))
		mine++;
	tvars_rows_range(c->vars, "member_roles", res, 0, mine);
	tvars_rows_range(c->vars, "other_roles", res, mine, n - mine);
	app_render(c, status, "admin/user");
}

/* Renders the user page again after a refused change, with status. */
static void rerender_user(struct ctx *c, int status, const struct user_form *f, const char *version,
                          struct tvars *errors)
{
	PGresult *res = load_user(c);
	if (res == NULL)
		return;
	tvars_obj(c->vars, "done", tvars_new(c->arena));
	render_user(c, status, res, f, version, errors);
	PQclear(res);
}

void admin_get_user(struct ctx *c)
{
	PGresult *res = load_user(c);
	if (res == NULL)
		return;
	struct tvars *done = tvars_new(c->arena);
	const char *key = field_str(&c->fields, "done", NULL);
	if (key != NULL)
		tvars_bool(done, key, 1);
	tvars_obj(c->vars, "done", done);
	tvars_int(c->vars, "n", field_int(&c->fields, "n", 0));
	render_user(c, 200, res, NULL, NULL, tvars_new(c->arena));
	PQclear(res);
}

void admin_post_user_update(struct ctx *c)
{
	if (!admin_post_guard(c))
		return;
	const struct fieldset *in = &c->fields;
	struct user_form f = { "", field_str(in, "email", ""), field_str(in, "display_name", ""),
		               (int)field_int(in, "superuser", 0),
		               (int)field_int(in, "active", 0) };
	const char *version = field_str(in, "version", "");
	struct admin_form fe = { c, tvars_new(c->arena) };
	if (admin_user_check(&f, 0, admin_form_bad, &fe) > 0) {
		rerender_user(c, 400, &f, version, fe.errors);
		return;
	}
	struct admin_actor aa;
	admin_actor(c, &aa);
	const struct audit_actor *a = &aa.audit;
	struct users_change ch = { version, f.display_name, f.email, f.superuser, f.active };
	struct users_outcome o;
	switch (users_update(c->app->db, a, c->match.ids[0], &ch, &o)) {
	case USERS_OK:
	case USERS_UNCHANGED:
		resp_redirect(
		    c->resp, 303,
		    arena_printf(c->arena, "/admin/users/%s?done=saved", app_id_param(c)));
		return;
	case USERS_NOT_FOUND:
		app_error(c, 404);
		return;
	case USERS_STALE:
		/* Someone saved in between: show what is stored now. */
		admin_error(c, fe.errors, "form", "admin.error.stale");
		rerender_user(c, 409, NULL, NULL, fe.errors);
		return;
	case USERS_LAST_SUPERUSER:
	case USERS_EMAIL_TAKEN:
		if (o.refused)
			admin_error(c, fe.errors, f.superuser ? "active" : "superuser",
			            "admin.users.error.last_superuser");
		if (o.email_taken || o.db == DB_CONFLICT)
			admin_error(c, fe.errors, "email", "admin.users.error.email_taken");
		rerender_user(c, 409, &f, version, fe.errors);
		return;
	default:
		if (o.db == DB_INVALID) {
			admin_error(c, fe.errors, "form", "admin.error.invalid");
			rerender_user(c, 400, &f, version, fe.errors);
		} else {
			app_db_error(c, o.db);
		}
		return;
	}
}

/* Answers the error page when a change statement failed; 1 when st is OK. */
static int change_ok(struct ctx *c, enum db_status st)
{
	if (st == DB_OK)
		return 1;
	app_db_error(c, st);
	return 0;
}

/* Redirects to the user page with the notice done after an operation on
 * one user; 404 when there is no such user, the error page when the
 * database failed. */
static void after_change(struct ctx *c, enum users_status st, const struct users_outcome *o,
                         const char *done)
{
	if (st == USERS_NOT_FOUND) {
		app_error(c, 404);
		return;
	}
	if (st != USERS_OK) {
		app_db_error(c, o->db);
		return;
	}
	resp_redirect(c->resp, 303,
	              arena_printf(c->arena, "/admin/users/%s?done=%s", app_id_param(c), done));
}

void admin_post_user_password(struct ctx *c)
{
	if (!admin_post_guard(c))
		return;
	const char *p[] = { app_id_param(c) };
	enum db_status st;
	PGresult *res = db_exec(c->app->db, "admin_user_name", 1, p, &st);
	if (!change_ok(c, st))
		return;
	if (PQntuples(res) == 0) {
		PQclear(res);
		app_error(c, 404);
		return;
	}
	const char *username = arena_strdup(c->arena, PQgetvalue(res, 0, 0));
	PQclear(res);
	const char *password = field_str(&c->fields, "password", "");
	const char *key = admin_user_password_problem(password, username);
	if (key != NULL) {
		struct tvars *errors = tvars_new(c->arena);
		admin_error(c, errors, "password", key);
		rerender_user(c, 400, NULL, NULL, errors);
		return;
	}
	char phc[AUTH_PHC_MAX];
	if (hash_password(c, password, phc) != 0) {
		app_error(c, 500);
		return;
	}
	struct admin_actor aa;
	admin_actor(c, &aa);
	const struct audit_actor *a = &aa.audit;
	struct users_outcome o;
	after_change(c, users_set_password(c->app->db, a, c->match.ids[0], phc, 1, &o), &o,
	             "password");
}

void admin_post_user_unlock(struct ctx *c)
{
	if (!admin_post_guard(c))
		return;
	struct admin_actor aa;
	admin_actor(c, &aa);
	const struct audit_actor *a = &aa.audit;
	struct users_outcome o;
	after_change(c, users_unlock(c->app->db, a, c->match.ids[0], &o), &o, "unlocked");
}

/* Expires the password: the user chooses a new one at their next page.
 * Expired already is done as well; an account without a password has
 * none to expire (409). */
void admin_post_user_expire(struct ctx *c)
{
	if (!admin_post_guard(c))
		return;
	struct admin_actor aa;
	admin_actor(c, &aa);
	struct users_outcome o;
	enum users_status st = users_expire_password(c->app->db, &aa.audit, c->match.ids[0], &o);
	if (st == USERS_NO_PASSWORD) {
		app_error(c, 409);
		return;
	}
	after_change(c, st == USERS_UNCHANGED ? USERS_OK : st, &o, "expired");
}

/* Adds or removes the checked roles ("role_id[]") of the user, through
 * the preview (preview.h): without the confirm form's token the POST shows
 * who gains and who loses which reports; with it, it saves when the data
 * are still as previewed, else 409 with the fresh preview. A role id that
 * does not exist (a role list out of date) is skipped; the others change. */
static void change_roles(struct ctx *c, enum preview_kind kind, const char *done)
{
	if (!admin_post_guard(c))
		return;
	const char *roles = field_id_array(&c->fields, "role_id[]");
	if (roles == NULL) {
		resp_redirect(
		    c->resp, 303,
		    arena_printf(c->arena, "/admin/users/%s?done=roles_none", app_id_param(c)));
		return;
	}
	const char *token = field_str(&c->fields, "token", NULL);
	if (token != NULL && !preview_token_ok(token)) {
		app_error(c, 400);
		return;
	}
	struct admin_actor a;
	admin_actor(c, &a);
	struct preview_change ch = { .kind = kind, .id = c->match.ids[0], .ids = roles };
	struct preview p;
	enum preview_status st = preview_run(c->app->db, &a.audit, &ch, token, &p);
	if ((st == PREVIEW_OK && !p.saved) || st == PREVIEW_CHANGED) {
		const struct field_value *ids = field_get(&c->fields, "role_id[]");
		struct admin_hidden *h = arena_alloc(c->arena, ids->n * sizeof *h);
		for (size_t i = 0; i < ids->n; i++)
			h[i] = (struct admin_hidden){ "role_id[]", ids->all[i] };
		admin_render_preview(
		    c, st == PREVIEW_CHANGED ? 409 : 200, &p,
		    kind == PREVIEW_USER_ROLES_ADD ? "user_roles_add" : "user_roles_remove",
		    (long)ids->n, c->req->path,
		    arena_printf(c->arena, "/admin/users/%s", app_id_param(c)), h, ids->n);
		preview_free(&p);
		return;
	}
	long changed = p.grants.changed;
	enum db_status dbst = p.db;
	preview_free(&p);
	if (st == PREVIEW_NOT_FOUND) {
		app_error(c, 404);
		return;
	}
	if (st != PREVIEW_OK) {
		app_db_error(c, dbst);
		return;
	}
	resp_redirect(c->resp, 303,
	              arena_printf(c->arena, "/admin/users/%s?done=%s&n=%ld", app_id_param(c), done,
	                           changed));
}

void admin_post_user_roles_add(struct ctx *c)
{
	change_roles(c, PREVIEW_USER_ROLES_ADD, "roles_added");
}

void admin_post_user_roles_remove(struct ctx *c)
{
	change_roles(c, PREVIEW_USER_ROLES_REMOVE, "roles_removed");
}
