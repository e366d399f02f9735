/*
 * admin: guard, actor, form and list helpers of the admin pool (see
 * admin.h). The SQL of each area lives in admin_<area>.c.
 */
#include "admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 303 to /admin/confirm?next=<this page> (a GET; a POST returns to the
 * overview, as its form is gone). */
static void redirect_confirm(struct ctx *c)
{
	struct buf b = { 0 };
	buf_puts(&b, "/admin/confirm?next=");
	if (strcmp(c->req->method, "GET") == 0) {
		struct buf here = { 0 };
		buf_puts(&here, c->req->path);
		if (c->req->raw_query[0]) {
			buf_putc(&here, '?');
			buf_puts(&here, c->req->raw_query);
		}
		app_url_encode(&b, buf_str(&here));
		buf_free(&here);
	} else {
		app_url_encode(&b, "/admin/");
	}
	resp_redirect(c->resp, 303, arena_strdup(c->arena, buf_str(&b)));
	buf_free(&b);
}

/* 1 when the first row of res says its user keeps a role ("keeps"). */
static int keeps(const PGresult *res)
{
	int col = PQfnumber(res, "keeps");
	return col >= 0 && PQntuples(res) > 0 && PQgetvalue(res, 0, col)[0] == 't';
}

/* The session and superuser check of every admin page, without the
 * confirmation (the confirmation page itself); with keepers, also a role's
 * owner, as the statement's "keeps" column says. */
static PGresult *gate_query(struct ctx *c, const char *stmt, int n_extra, const char *const *extra,
                            int keepers)
{
	PGresult *res = app_session_query(c, stmt, n_extra, extra);
	if (res == NULL)
		return NULL;
	if (!c->user.is_superuser && !(keepers && keeps(res))) {
		PQclear(res);
		app_error(c, 404);
		return NULL;
	}
	return res;
}

static PGresult *superuser_query(struct ctx *c, const char *stmt, int n_extra,
                                 const char *const *extra)
{
	return gate_query(c, stmt, n_extra, extra, 0);
}

/* The confirmation step of every admin page: see admin_page_query. */
static PGresult *confirmed(struct ctx *c, PGresult *res)
{
	if (res == NULL)
		return NULL;
	/* A session the portal pool could have made is not enough: the admin
	 * pool itself must have seen the password (admin_confirmed_until, read
	 * by the same statement's session check). */
	if (!c->user.admin_confirmed) {
		PQclear(res);
		redirect_confirm(c);
		return NULL;
	}
	return res;
}

PGresult *admin_page_query(struct ctx *c, const char *stmt, int n_extra, const char *const *extra)
{
	return confirmed(c, superuser_query(c, stmt, n_extra, extra));
}

PGresult *admin_keeper_page_query(struct ctx *c, const char *stmt, int n_extra,
                                  const char *const *extra)
{
	return confirmed(c, gate_query(c, stmt, n_extra, extra, 1));
}

/* For a POST: the session, superuser or keeper (and, when confirm, the
 * confirmation) and CSRF checks, with c->user copied out of the result. */
static int post_guard(struct ctx *c, int confirm, int keepers)
{
	PGresult *res =
	    gate_query(c, keepers ? "admin_keeper_check" : "session_check", 0, NULL, keepers);
	if (confirm)
		res = confirmed(c, res);
	if (res == NULL)
		return 0;
	/* c->user points into res: keep copies of what the change needs. */
	c->user.csrf = arena_strdup(c->arena, c->user.csrf);
	c->user.username = arena_strdup(c->arena, c->user.username);
	c->user.display_name = arena_strdup(c->arena, c->user.display_name);
	c->user.email = arena_strdup(c->arena, c->user.email);
	PQclear(res);
	if (!session_csrf_ok(c->req, c->user.csrf)) {
		app_error(c, 403);
		return 0;
	}
	return app_fields_ok(c);
}

int admin_post_guard(struct ctx *c)
{
	return post_guard(c, 1, 0);
}

int admin_keeper_post_guard(struct ctx *c)
{
	return post_guard(c, 1, 1);
}

void admin_actor(const struct ctx *c, struct admin_actor *a)
{
	/* a is an out-parameter: cppcheck's whole-program check misreads it. */
	/* cppcheck-suppress ctuuninitvar */
	snprintf(a->id, sizeof(a->id), "%lld", c->user.uid);
	a->ip = c->req->remote_addr && c->req->remote_addr[0] ? c->req->remote_addr : NULL;
	a->audit = (struct audit_actor){ a->id, "web", a->ip };
}

void admin_pager_vars(struct ctx *c, const char *base, const struct pager *p)
{
	struct pager_base b = { c->arena, base };
	pager_vars(c->vars, p, pager_href_base, &b);
	tvars_int(c->vars, "total", p->total);
}

void admin_error(struct ctx *c, struct tvars *errors, const char *field, const char *key)
{
	tvars_str(errors, field, app_msg(c, key));
}

void admin_form_bad(void *form, const char *field, const char *key)
{
	struct admin_form *f = form;
	admin_error(f->c, f->errors, field, key);
}

const char *admin_text_problem(const char *s, size_t max, int flags)
{
	long cp;

	if (utf8_length(s) > max)
		return "admin.error.too_long";
	cp = str_hidden_char(s, flags);
	if (cp < 0)
		return NULL;
	return str_hidden_is_control(cp) ? "admin.error.control" : "admin.error.invisible";
}

/* ---- "confirm it's you" ---- */

/* Where the confirmation returns to: next when it is an admin page, else
 * the overview. */
static const char *confirm_next(const char *next)
{
	if (next && session_local_path(next) && strncmp(next, "/admin/", 7) == 0 &&
	    strncmp(next, "/admin/confirm", 14) != 0)
		return next;
	return "/admin/";
}

/* failed: the password was wrong; wait > 0: throttled for wait seconds. */
static void render_confirm(struct ctx *c, int status, const char *next, int failed, int wait)
{
	tvars_str(c->vars, "next", confirm_next(next));
	tvars_bool(c->vars, "error", failed);
	tvars_bool(c->vars, "throttled", wait > 0);
	tvars_int(c->vars, "wait", wait);
	app_render(c, status, "admin/confirm");
}

const struct field admin_confirm_get_fields[] = {
	{ "next", FIELD_TEXT, FIELD_QUERY | FIELD_LENIENT, 0, 0, NULL },
	FIELDS_END,
};

const struct field admin_confirm_post_fields[] = {
	{ "next", FIELD_TEXT, FIELD_FORM | FIELD_LENIENT, 0, 0, NULL },
	{ "password", FIELD_TEXT, FIELD_FORM | FIELD_LENIENT, 0, 0, NULL },
	FIELDS_END,
};

void admin_get_confirm(struct ctx *c)
{
	PGresult *res = gate_query(c, "admin_keeper_check", 0, NULL, 1);
	if (res == NULL)
		return;
	render_confirm(c, 200, field_str(&c->fields, "next", NULL), 0, 0);
	PQclear(res);
}

void admin_post_confirm(struct ctx *c)
{
	if (!post_guard(c, 0, 1))
		return;
	const char *next = field_str(&c->fields, "next", NULL);
	const char *password = field_str(&c->fields, "password", "");
	if (password[0] == '\0') {
		render_confirm(c, 200, next, 1, 0);
		return;
	}
	int wait = 0;
	enum db_status st = DB_OK;
	switch (session_admin_confirm(c->app->db, &c->app->cfg, req_cookie(c->req, SESSION_COOKIE),
	                              c->user.uid, c->user.username, password, c->req->remote_addr,
	                              &wait, &st)) {
	case LOGIN_OK:
		resp_redirect(c->resp, 303, confirm_next(next));
		break;
	case LOGIN_FAILED:
		render_confirm(c, 200, next, 1, 0);
		break;
	case LOGIN_THROTTLED:
		resp_header(c->resp, "Retry-After", arena_printf(c->arena, "%d", wait));
		render_confirm(c, 429, next, 0, wait);
		break;
	case LOGIN_ERROR:
		app_db_error(c, st);
		break;
	}
}

/* ---- a superuser's own password ---- */

static void render_password(struct ctx *c, int status, const char *error)
{
	tvars_str(c->vars, "error", app_msg(c, error));
	app_render(c, status, "admin/password");
}

const struct field admin_password_fields[] = {
	{ "current_password", FIELD_TEXT, FIELD_FORM | FIELD_LENIENT, 0, 0, NULL },
	{ "new_password", FIELD_TEXT, FIELD_FORM | FIELD_LENIENT, 0, 0, NULL },
	{ "new_password_confirm", FIELD_TEXT, FIELD_FORM | FIELD_LENIENT, 0, 0, NULL },
	FIELDS_END,
};

void admin_get_password(struct ctx *c)
{
	PGresult *res = superuser_query(c, "session_check", 0, NULL);
	if (res == NULL)
		return;
	render_password(c, 200, NULL);
	PQclear(res);
}

void admin_post_password(struct ctx *c)
{
	if (!post_guard(c, 0, 0))
		return;
	const char *current = field_str(&c->fields, "current_password", NULL);
	const char *next = field_str(&c->fields, "new_password", NULL);
	const char *confirm = field_str(&c->fields, "new_password_confirm", NULL);
	const char *error = auth_password_change_problem(current, next, confirm, c->user.username);
	if (error) {
		render_password(c, 400, error);
		return;
	}
	char cookie[AUTH_TOKEN_B64];
	enum db_status st = DB_OK;
	int rc = session_admin_change_password(
	    c->app->db, &c->app->cfg, req_cookie(c->req, SESSION_COOKIE), c->user.uid, current,
	    next, c->req->remote_addr, c->req->user_agent, cookie, &st);
	if (rc == 1 || rc == 2) {
		render_password(c, 400, "account.current_wrong");
	} else if (rc < 0) {
		app_db_error(c, st);
	} else {
		app_set_session_cookie(c, cookie);
		resp_redirect(c->resp, 303, "/account?done=password");
	}
}

int admin_db_ok(struct ctx *c, enum db_status st)
{
	if (st == DB_OK)
		return 1;
	if (st != DB_CONFLICT && st != DB_INVALID)
		app_db_error(c, st);
	return 0;
}

/* One line of a preview as template variables. */
static struct tvars *preview_line_vars(struct ctx *c, const struct preview_line *l)
{
	struct tvars *v = tvars_new(c->arena);
	tvars_int(v, "user_id", l->user_id);
	tvars_str(v, "username", l->username);
	tvars_str(v, "display_name", l->display_name);
	tvars_int(v, "report_id", l->report_id);
	tvars_str(v, "title", l->title);
	return v;
}

static void preview_lines(struct ctx *c, const char *key, const struct preview_line *l, int n,
                          long total)
{
	struct tvars *items[PREVIEW_LINES];
	for (int i = 0; i < n && i < PREVIEW_LINES; i++)
		items[i] = preview_line_vars(c, &l[i]);
	tvars_list(c->vars, key, items, (size_t)n);
	tvars_int(c->vars, arena_printf(c->arena, "%s_more", key), total - n);
	tvars_bool(c->vars, arena_printf(c->arena, "%s_cut", key), total > n);
}

void admin_render_preview(struct ctx *c, int status, const struct preview *p, const char *kind,
                          long n_selected, const char *action, const char *back,
                          const struct admin_hidden *hidden, size_t n_hidden)
{
	struct tvars *k = tvars_new(c->arena);
	tvars_bool(k, kind, 1);
	tvars_obj(c->vars, "kind", k);
	tvars_int(c->vars, "n_selected", n_selected);
	tvars_str(c->vars, "subject", p->subject ? p->subject : "");
	struct tvars *sum = tvars_new(c->arena);
	tvars_int(sum, "users_gaining", p->users_gaining);
	tvars_int(sum, "pairs_gained", p->pairs_gained);
	tvars_int(sum, "users_losing", p->users_losing);
	tvars_int(sum, "pairs_lost", p->pairs_lost);
	tvars_obj(c->vars, "sum", sum);
	preview_lines(c, "gained", p->gained, p->n_gained, p->pairs_gained);
	preview_lines(c, "lost", p->lost, p->n_lost, p->pairs_lost);
	tvars_int(c->vars, "shown", PREVIEW_LINES);
	tvars_str(c->vars, "token", p->token);
	tvars_str(c->vars, "action", action);
	tvars_str(c->vars, "back", back);
	tvars_bool(c->vars, "stale", status == 409);
	struct tvars **items = arena_alloc(c->arena, (n_hidden + 1) * sizeof(void *));
	for (size_t i = 0; i < n_hidden; i++) {
		items[i] = tvars_new(c->arena);
		tvars_str(items[i], "name", hidden[i].name);
		tvars_str(items[i], "value", hidden[i].value);
	}
	tvars_list(c->vars, "hidden", items, n_hidden);
	app_render(c, status, "admin/preview");
}
