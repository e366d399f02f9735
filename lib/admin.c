/*
 * admin: guard, actor, form and list helpers of the admin pool (see
 * admin.h). The SQL of each area lives in admin_<area>.c.
 */
#include "admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

PGresult *admin_page_query(struct ctx *c, const char *stmt, int n_extra, const char *const *extra)
{
	PGresult *res = app_session_query(c, stmt, n_extra, extra);
	if (res == NULL)
		return NULL;
	if (!c->user.is_superuser) {
		PQclear(res);
		app_error(c, 404);
		return NULL;
	}
	return res;
}

int admin_post_guard(struct ctx *c)
{
	PGresult *res = admin_page_query(c, "session_check", 0, NULL);
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
	return 1;
}

void admin_actor(const struct ctx *c, struct admin_actor *a)
{
	/* a is an out-parameter: cppcheck's whole-program check misreads it. */
	/* cppcheck-suppress ctuuninitvar */
	snprintf(a->id, sizeof(a->id), "%lld", c->user.uid);
	a->ip = c->req->remote_addr && c->req->remote_addr[0] ? c->req->remote_addr : NULL;
}

const char *admin_field(struct ctx *c, const char *name)
{
	const char *v = req_form(c->req, name);
	if (v == NULL)
		return "";
	while (*v == ' ' || *v == '\t')
		v++;
	size_t n = strlen(v);
	while (n > 0 &&
	       (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n'))
		n--;
	return arena_strndup(c->arena, v, n);
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

long admin_page_number(struct ctx *c)
{
	const char *p = req_query(c->req, "page");
	if (p == NULL || *p == '\0')
		return 1;
	char *end;
	long v = strtol(p, &end, 10);
	return *end == '\0' && v >= 1 && v <= 100000 ? v : -1;
}

void admin_pagination(struct ctx *c, const char *base, long page, long total)
{
	long pages = (total + ADMIN_PAGE_SIZE - 1) / ADMIN_PAGE_SIZE;
	tvars_int(c->vars, "page", page);
	tvars_int(c->vars, "page_count", pages);
	tvars_int(c->vars, "total", total);
	tvars_str(c->vars, "prev_href",
	          page > 1 && page <= pages ? arena_printf(c->arena, "%spage=%ld", base, page - 1)
	                                    : NULL);
	tvars_str(c->vars, "next_href",
	          page < pages ? arena_printf(c->arena, "%spage=%ld", base, page + 1) : NULL);
}

const char *admin_id_array(struct ctx *c, const char *name)
{
	struct buf b = { 0 };
	buf_putc(&b, '{');
	size_t n = 0;
	for (size_t i = 0; i < c->req->form.n; i++) {
		const struct kv *f = &c->req->form.items[i];
		if (strcmp(f->key, name) != 0)
			continue;
		size_t len = strlen(f->value);
		if (len == 0 || len > 18 || strspn(f->value, "0123456789") != len ||
		    f->value[0] == '0') {
			buf_free(&b);
			return NULL;
		}
		if (n++)
			buf_putc(&b, ',');
		buf_puts(&b, f->value);
	}
	buf_putc(&b, '}');
	const char *out = n ? arena_strdup(c->arena, buf_str(&b)) : NULL;
	buf_free(&b);
	return out;
}

int admin_db_ok(struct ctx *c, enum db_status st)
{
	if (st == DB_OK)
		return 1;
	if (st != DB_CONFLICT && st != DB_INVALID)
		app_db_error(c, st);
	return 0;
}
