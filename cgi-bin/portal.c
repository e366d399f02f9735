/*
 * portal: the employees' pool. Routes and thin handlers; everything they
 * call lives in lib/.
 */
#include <string.h>

#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "auth.h"
#include "catalog.h"
#include "field.h"
#include "log.h"
#include "metrics.h"
#include "pager.h"
#include "requests.h"
#include "session.h"
#include "spnego.h"
#include "sso.h"
#include "users.h"

/* The sign-in page, without a database round trip, for whoever has no
 * session cookie; the home page (kinds of catalog.h's home_page) for
 * whoever has one that holds. */
static void get_root(struct ctx *c)
{
	if (req_cookie(c->req, SESSION_COOKIE) == NULL) {
		resp_redirect(c->resp, 303, "/login");
		return;
	}
	PGresult *res = app_session_read(c, "home_page", 0, NULL);
	if (res == NULL)
		return;
	struct catalog_ranges rg;
	catalog_split(res, &rg);
	tvars_rows_range(c->vars, "favourites", res, rg.fav_first, rg.fav_n);
	tvars_rows_range(c->vars, "recent", res, rg.recent_first, rg.recent_n);
	tvars_rows_range(c->vars, "new", res, rg.new_first, rg.new_n);
	long visible = (long)db_int(res, 0, "n_visible");
	tvars_int(c->vars, "n_more", (long)db_int(res, 0, "total") - rg.new_n);
	tvars_int(c->vars, "n_visible", visible);
	tvars_bool(c->vars, "none_granted", visible == 0);
	if (!db_is_null(res, 0, "updated"))
		tvars_str(c->vars, "since", db_text(res, 0, "updated"));
	tvars_str(c->vars, "here", "/");
	app_render(c, 200, "home");
	PQclear(res);
}

/* ---- sign-in ---- */

/*
 * The sign-in form has no session to bind its CSRF token to, so it gets a
 * pre-session cookie with a random value that the form must repeat
 * (double submit; the cookie is HttpOnly and __Host-, so no other site
 * can set or read it).
 */
static const char *presession_token(struct ctx *c)
{
	const char *have = req_cookie(c->req, PRESESSION_COOKIE);
	unsigned char raw[AUTH_TOKEN_BYTES + 1];
	if (have && strlen(have) == AUTH_TOKEN_B64 - 1 &&
	    auth_b64url_decode(have, raw, sizeof(raw)) == AUTH_TOKEN_BYTES)
		return have;
	char *tok = arena_alloc(c->arena, AUTH_TOKEN_B64);
	if (auth_random(raw, AUTH_TOKEN_BYTES) < 0)
		return NULL;
	auth_b64url_encode(raw, AUTH_TOKEN_BYTES, tok);
	struct cookie ck = { .name = PRESESSION_COOKIE,
		             .value = tok,
		             .path = "/",
		             .max_age = -1,
		             .secure = 1,
		             .http_only = 1,
		             .same_site = "Strict" };
	resp_set_cookie(c->resp, &ck);
	return tok;
}

/* The link that signs in by single sign-on again: /login, next kept. */
static const char *sso_href(struct ctx *c, const char *next)
{
	if (!(c->app->cfg.auth.mask & (SSO_NEGOTIATE | SSO_REMOTE_USER)))
		return "";
	if (!session_local_path(next))
		return "/login";
	struct buf b = { 0 };
	buf_puts(&b, "/login?next=");
	app_url_encode(&b, next);
	char *out = arena_strdup(c->arena, buf_str(&b));
	buf_free(&b);
	return out;
}

/* throttled: seconds this address must wait before the name is tried
 * again (0: not throttled). A 401 offers Kerberos (WWW-Authenticate:
 * Negotiate, RFC 4559): a browser with a ticket answers it and is signed
 * in; one without shows this page, the form. */
static void render_login(struct ctx *c, int status, const char *next, int failed, int throttled)
{
	const char *tok = presession_token(c);
	if (tok == NULL) {
		app_error(c, 500);
		return;
	}
	tvars_str(c->vars, "csrf", tok);
	tvars_str(c->vars, "next", session_local_path(next) ? next : "");
	tvars_bool(c->vars, "error", failed);
	tvars_bool(c->vars, "throttled", throttled > 0);
	tvars_int(c->vars, "wait", throttled);
	tvars_bool(c->vars, "sso_only", !(c->app->cfg.auth.mask & SSO_PASSWORD));
	tvars_str(c->vars, "sso_href", sso_href(c, next));
	tvars_bool(c->vars, "sso_windows", (c->app->cfg.auth.mask & SSO_NEGOTIATE) != 0);
	if (status == 401)
		resp_header(c->resp, "WWW-Authenticate", "Negotiate");
	app_render(c, status, "login");
}

/* ---- single sign-on ---- */

/* Single sign-on vouched for name, but the portal does not let it in:
 * why is "unknown", "inactive", "realm" or "bad". */
static void render_sso_refused(struct ctx *c, const char *why, const char *name)
{
	static const char *const whys[] = { "unknown", "inactive", "realm", "bad" };
	for (size_t i = 0; i < sizeof(whys) / sizeof(whys[0]); i++)
		tvars_bool(c->vars, whys[i], strcmp(why, whys[i]) == 0);
	tvars_str(c->vars, "name", name);
	tvars_str(c->vars, "contact", c->app->cfg.sso_contact);
	tvars_bool(c->vars, "password", (c->app->cfg.auth.mask & SSO_PASSWORD) != 0);
	app_render(c, 403, "sso");
}

/*
 * Creates the account of username, unknown to the portal, whom single
 * sign-on vouched for (PORTAL_SSO_PROVISION=1): no password, no role, an
 * email address from the identity or the realm. Returns 1 when it was made
 * (or another request made it meanwhile).
 */
static int sso_provision(struct ctx *c, const char *method, const char *username)
{
	const char *realm = c->app->cfg.krb5_realm;
	const char *email = strchr(username, '@') ? username : NULL;
	if (email == NULL && realm[0]) {
		char *e = arena_printf(c->arena, "%s@%s", username, realm);
		for (char *p = strchr(e, '@'); *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		email = e;
	}
	char err[200];
	if (email == NULL || users_check_email(email, err, sizeof(err)) < 0) {
		log_info("single sign-on: cannot provision, no email address", "method=%s", method);
		return 0;
	}
	struct users_outcome o;
	switch (users_provision_sso(c->app->db, c->req->remote_addr, username, email, method, &o)) {
	case USERS_OK:
		log_info("single sign-on: user provisioned", "user=%lld method=%s", o.id, method);
		return 1;
	case USERS_EXISTS:
		return 1;
	default:
		log_info("single sign-on: provisioning refused", "method=%s", method);
		return 0;
	}
}

/* Opens the session of username, whom method vouched for (identity: what
 * it said), and goes on to next. */
static void sso_sign_in(struct ctx *c, const char *method, const char *username,
                        const char *identity, const char *next)
{
	char cookie[AUTH_TOKEN_B64];
	enum db_status st = DB_OK;
	long long uid;
	enum session_sso_result r =
	    session_login_sso(c->app->db, &c->app->cfg, method, username, identity,
	                      c->req->remote_addr, c->req->user_agent, cookie, &uid, &st);
	if (r == SESSION_SSO_UNKNOWN && c->app->cfg.sso_provision &&
	    sso_provision(c, method, username))
		r = session_login_sso(c->app->db, &c->app->cfg, method, username, identity,
		                      c->req->remote_addr, c->req->user_agent, cookie, &uid, &st);
	enum metrics_method m =
	    strcmp(method, "negotiate") == 0 ? METRICS_NEGOTIATE : METRICS_REMOTE_USER;
	if (r == SESSION_SSO_OK)
		metrics_signin(m, METRICS_SUCCESS);
	else if (r == SESSION_SSO_UNKNOWN || r == SESSION_SSO_INACTIVE)
		metrics_signin(m, METRICS_REFUSED);
	switch (r) {
	case SESSION_SSO_OK:
		app_set_session_cookie(c, cookie);
		resp_redirect(c->resp, 303, session_local_path(next) ? next : "/");
		break;
	case SESSION_SSO_UNKNOWN:
		render_sso_refused(c, "unknown", identity);
		break;
	case SESSION_SSO_INACTIVE:
		render_sso_refused(c, "inactive", identity);
		break;
	case SESSION_SSO_ERROR:
		app_db_error(c, st);
		break;
	}
}

/* Authorization: Negotiate <token>: the token checked with the service's
 * keytab, the principal mapped to a username of the configured realm. */
static void sign_in_negotiate(struct ctx *c, const char *b64, size_t len, const char *next)
{
	const struct cfg *cfg = &c->app->cfg;
	size_t cap = len / 4 * 3;
	unsigned char *raw = arena_alloc(c->arena, cap + 1);
	long n = sso_b64_decode(b64, len, raw, cap);
	if (n <= 0) {
		log_info("kerberos token refused", "why=\"not base64\"");
		app_error(c, 400);
		return;
	}
	char principal[SPNEGO_PRINCIPAL_MAX], why[512], q[600];
	struct buf reply = { 0 };
	enum spnego_result r =
	    spnego_accept(cfg->krb5_keytab, raw, (size_t)n, principal, &reply, why, sizeof(why));
	if (r == SPNEGO_ERROR) {
		/* The server's problem (keytab): the form, and no new challenge. */
		log_error("kerberos sign-in unavailable", "why=%s", log_quote(q, sizeof(q), why));
		buf_free(&reply);
		render_login(c, 200, next, 0, 0);
		return;
	}
	if (r == SPNEGO_REFUSED) {
		metrics_signin(METRICS_NEGOTIATE, METRICS_FAILURE);
		log_info("kerberos token refused", "why=%s ip=%s", log_quote(q, sizeof(q), why),
		         c->req->remote_addr[0] ? c->req->remote_addr : "-");
		buf_free(&reply);
		render_login(c, 401, next, 0, 0);
		return;
	}
	if (reply.len > 0)
		resp_header(c->resp, "WWW-Authenticate",
		            arena_printf(c->arena, "Negotiate %s", buf_str(&reply)));
	buf_free(&reply);
	char user[260];
	switch (sso_principal_user(principal, cfg->krb5_realm, user, sizeof(user))) {
	case SSO_PRINCIPAL_OK:
		sso_sign_in(c, "negotiate", user, principal, next);
		break;
	case SSO_PRINCIPAL_OTHER_REALM:
		metrics_signin(METRICS_NEGOTIATE, METRICS_REFUSED);
		log_info("kerberos sign-in refused: another realm", "principal=%s",
		         log_quote(q, sizeof(q), principal));
		render_sso_refused(c, "realm", principal);
		break;
	default:
		metrics_signin(METRICS_NEGOTIATE, METRICS_REFUSED);
		log_info("kerberos sign-in refused: not a user's principal", "principal=%s",
		         log_quote(q, sizeof(q), principal));
		render_sso_refused(c, "bad", principal);
		break;
	}
}

/*
 * GET /login: the configured methods in their order (PORTAL_AUTH). A
 * REMOTE_USER that nginx set (the FastCGI parameter, never a header) signs
 * its user in; so does an Authorization: Negotiate with a good ticket
 * (a garbled one is 400, a refused one 401 and the form). Otherwise the
 * form, as 401 with WWW-Authenticate: Negotiate when Kerberos is on. Right
 * after signing out (?signed_out=1) neither is taken and there is no
 * challenge, or the browser would be signed straight back in; the page's
 * link (/login) signs in again.
 */
static void get_login(struct ctx *c)
{
	const struct cfg *cfg = &c->app->cfg;
	const char *next = field_str(&c->fields, "next", NULL);
	int signed_out = field_present(&c->fields, "signed_out");
	for (int i = 0; i < cfg->auth.n && !signed_out; i++) {
		if (cfg->auth.order[i] == SSO_REMOTE_USER && c->req->remote_user) {
			if (!sso_remote_user_ok(c->req->remote_user)) {
				log_info("remote-user refused: not a username", NULL);
				render_sso_refused(c, "bad", "REMOTE_USER");
				return;
			}
			sso_sign_in(c, "remote-user", c->req->remote_user, c->req->remote_user,
			            next);
			return;
		}
		if (cfg->auth.order[i] == SSO_NEGOTIATE) {
			const char *tok;
			size_t len;
			switch (sso_parse_authorization(c->req->authorization, &tok, &len)) {
			case SSO_AUTHZ_NEGOTIATE:
				sign_in_negotiate(c, tok, len, next);
				return;
			case SSO_AUTHZ_BAD:
				log_info("kerberos token refused", "why=\"malformed header\"");
				app_error(c, 400);
				return;
			default:
				break; /* none, or Basic and the like: never used */
			}
		}
	}
	int challenge =
	    (cfg->auth.mask & SSO_NEGOTIATE) && !field_present(&c->fields, "signed_out");
	render_login(c, challenge ? 401 : 200, next, 0, 0);
}

static void post_login(struct ctx *c)
{
	const char *next = field_str(&c->fields, "next", NULL);
	if (!(c->app->cfg.auth.mask & SSO_PASSWORD)) {
		app_error(c, 403);
		return;
	}
	if (!session_csrf_ok(c->req, req_cookie(c->req, PRESESSION_COOKIE))) {
		app_error(c, 403);
		return;
	}
	const char *login = field_str(&c->fields, "username", "");
	const char *password = field_str(&c->fields, "password", "");
	if (login[0] == '\0' || password[0] == '\0') {
		metrics_signin(METRICS_PASSWORD, METRICS_FAILURE);
		render_login(c, 200, next, 1, 0);
		return;
	}
	char cookie[AUTH_TOKEN_B64], wait[16];
	int retry_after;
	enum db_status st;
	switch (session_login(c->app->db, &c->app->cfg, login, password, c->req->remote_addr,
	                      c->req->user_agent, cookie, &retry_after, &st)) {
	case LOGIN_OK:
		metrics_signin(METRICS_PASSWORD, METRICS_SUCCESS);
		app_set_session_cookie(c, cookie);
		resp_redirect(c->resp, 303, session_local_path(next) ? next : "/");
		break;
	case LOGIN_FAILED:
		metrics_signin(METRICS_PASSWORD, METRICS_FAILURE);
		render_login(c, 200, next, 1, 0);
		break;
	case LOGIN_THROTTLED:
		metrics_signin(METRICS_PASSWORD, METRICS_THROTTLED);
		/* Says what it is (the name as typed, from this address), known or
		 * not: it tells nobody anything about the account. */
		snprintf(wait, sizeof(wait), "%d", retry_after);
		resp_header(c->resp, "Retry-After", wait);
		render_login(c, 429, next, 0, retry_after);
		break;
	default:
		app_db_error(c, st);
		break;
	}
}

/* Where a sign-out lands: the form, and with single sign-on on without
 * it (no challenge, no REMOTE_USER taken), or the browser would be signed
 * straight back in. */
static const char *signed_out_href(const struct ctx *c)
{
	return (c->app->cfg.auth.mask & (SSO_NEGOTIATE | SSO_REMOTE_USER)) ? "/login?signed_out=1"
	                                                                   : "/login";
}

/* Sign-out of a session that is already gone is still a sign-out. */
static void post_logout(struct ctx *c)
{
	PGresult *res = app_session_query(c, "session_check", 0, NULL);
	if (res == NULL) {
		if (c->resp->status == 303) {
			resp_reset(c->resp);
			app_set_session_cookie(c, NULL);
			resp_redirect(c->resp, 303, signed_out_href(c));
		}
		return;
	}
	if (!session_csrf_ok(c->req, c->user.csrf)) {
		PQclear(res);
		app_error(c, 403);
		return;
	}
	enum db_status st =
	    session_logout(c->app->db, req_cookie(c->req, SESSION_COOKIE), c->req->remote_addr);
	PQclear(res);
	if (st != DB_OK) {
		app_db_error(c, st);
		return;
	}
	app_set_session_cookie(c, NULL);
	resp_redirect(c->resp, 303, signed_out_href(c));
}

/* ---- account ---- */

/* Renders the account page from a result of "account_page"; notice and
 * error are message keys or NULL. */
static void render_account(struct ctx *c, PGresult *res, int status, const char *notice,
                           const char *error)
{
	tvars_row(c->vars, "account", res, 0);
	tvars_rows(c->vars, "sessions", res);
	tvars_str(c->vars, "notice", app_msg(c, notice));
	tvars_str(c->vars, "error", app_msg(c, error));
	/* A superuser's password is changed by the admin pool, never by
	 * portal_web (schema/0010_seal_portal_web.sql). */
	tvars_str(c->vars, "password_action",
	          c->user.is_superuser ? "/admin/password" : "/account/password");
	app_render(c, status, "account");
}

static void get_account(struct ctx *c)
{
	const char *until = app_msg(c, "account.until");
	PGresult *res = app_session_read(c, "account_page", 1, &until);
	if (res == NULL)
		return;
	const char *notice = NULL;
	if (field_present(&c->fields, "done"))
		notice = "account.password_changed";
	else if (c->user.must_change_password)
		notice = "account.change_required";
	render_account(c, res, 200, notice, NULL);
	PQclear(res);
}

static void post_logout_all(struct ctx *c)
{
	PGresult *res = app_session_post(c, "session_check", 0, NULL);
	if (res == NULL)
		return;
	enum db_status st = session_logout_all(c->app->db, req_cookie(c->req, SESSION_COOKIE),
	                                       c->user.uid, c->req->remote_addr);
	PQclear(res);
	if (st != DB_OK) {
		app_db_error(c, st);
		return;
	}
	app_set_session_cookie(c, NULL);
	resp_redirect(c->resp, 303, signed_out_href(c));
}

static void post_password(struct ctx *c)
{
	const char *until = app_msg(c, "account.until");
	PGresult *res = app_session_post(c, "account_page", 1, &until);
	if (res == NULL)
		return;
	const char *current = field_str(&c->fields, "current_password", NULL);
	const char *next = field_str(&c->fields, "new_password", NULL);
	const char *confirm = field_str(&c->fields, "new_password_confirm", NULL);
	const char *error = auth_password_change_problem(current, next, confirm, c->user.username);
	if (error) {
		render_account(c, res, 400, NULL, error);
		PQclear(res);
		return;
	}
	char cookie[AUTH_TOKEN_B64];
	enum db_status st = DB_OK;
	int rc = session_change_password(
	    c->app->db, &c->app->cfg, req_cookie(c->req, SESSION_COOKIE), c->user.uid, current,
	    next, c->req->remote_addr, c->req->user_agent, cookie, &st);
	if (rc == 1) {
		render_account(c, res, 400, NULL, "account.current_wrong");
	} else if (rc == 2) {
		render_account(c, res, 403, NULL, "account.password_superuser");
	} else if (rc < 0) {
		app_db_error(c, st);
	} else {
		app_set_session_cookie(c, cookie);
		resp_redirect(c->resp, 303, "/account?done=password");
	}
	PQclear(res);
}

/* ---- browsing ---- */

struct list_query {
	const char *q;        /* trimmed search text, "" for none */
	const char *category; /* "" for all */
	const char *sort;     /* "title" or "updated" */
	long page;            /* 1-based */
};

/* "/reports?q=..&category=..&sort=..&page=N": only what differs from the
 * defaults, so the plain list stays "/reports". */
static const char *list_href(struct ctx *c, const struct list_query *lq, const char *category,
                             const char *sort, long page)
{
	struct buf b = { 0 };
	buf_puts(&b, "/reports");
	char sep = '?';
	if (lq->q[0]) {
		buf_printf(&b, "%cq=", sep);
		app_url_encode(&b, lq->q);
		sep = '&';
	}
	if (category[0]) {
		buf_printf(&b, "%ccategory=", sep);
		app_url_encode(&b, category);
		sep = '&';
	}
	if (strcmp(sort, "updated") == 0) {
		buf_printf(&b, "%csort=updated", sep);
		sep = '&';
	}
	if (page > 1)
		buf_printf(&b, "%cpage=%ld", sep, page);
	char *out = arena_strdup(c->arena, buf_str(&b));
	buf_free(&b);
	return out;
}

/* The list's search (trimmed, at most 200 characters), category (at most
 * 200), sort (anything but "updated" is by title) and page. */
static const char *const sorts[] = { "title", "updated", NULL };
static const struct field list_fields[] = {
	{ "q", FIELD_TEXT, FIELD_QUERY | FIELD_TRIM, 0, 200, NULL },
	{ "category", FIELD_TEXT, FIELD_QUERY, 0, 200, NULL },
	{ "sort", FIELD_ENUM, FIELD_QUERY | FIELD_LENIENT, 0, 0, sorts },
	PAGER_FIELD("page"),
	FIELDS_END,
};

static void read_list_query(struct ctx *c, struct list_query *lq)
{
	lq->q = field_str(&c->fields, "q", "");
	lq->category = field_str(&c->fields, "category", "");
	lq->sort = field_str(&c->fields, "sort", "title");
	lq->page = pager_make(field_int(&c->fields, "page", 1), CATALOG_PAGE_SIZE).page;
}

/* The list's link to page n, the rest of the query kept: a pager_href_fn. */
struct list_link {
	struct ctx *c;
	const struct list_query *lq;
};

static const char *list_page_href(void *arg, long n)
{
	const struct list_link *l = arg;
	return list_href(l->c, l->lq, l->lq->category, l->lq->sort, n);
}

static void set_pagination(struct ctx *c, const struct list_query *lq, long total)
{
	struct pager pg = pager_make(lq->page, CATALOG_PAGE_SIZE);
	pager_set_total(&pg, total);
	struct list_link link = { c, lq };
	pager_links(c->vars, c->arena, &pg, list_page_href, &link);
	pager_vars(c->vars, &pg, list_page_href, &link);
}

static void set_categories(struct ctx *c, const struct list_query *lq, const PGresult *res,
                           const struct catalog_ranges *rg)
{
	int col = PQfnumber(res, "category"), ncol = PQfnumber(res, "n");
	struct tvars **items =
	    arena_alloc(c->arena, sizeof(struct tvars *) * (size_t)(rg->cat_n + 1));
	for (int i = 0; i < rg->cat_n; i++) {
		const char *name = PQgetvalue(res, rg->cat_first + i, col);
		struct tvars *it = tvars_new(c->arena);
		tvars_str(it, "name", name);
		tvars_str(it, "n", PQgetvalue(res, rg->cat_first + i, ncol));
		tvars_bool(it, "current", strcmp(name, lq->category) == 0);
		tvars_str(it, "href", list_href(c, lq, name, lq->sort, 1));
		items[i] = it;
	}
	tvars_list(c->vars, "categories", items, (size_t)rg->cat_n);
	tvars_str(c->vars, "all_href", list_href(c, lq, "", lq->sort, 1));
}

static void get_reports(struct ctx *c)
{
	struct list_query lq;
	read_list_query(c, &lq);
	struct pager pg = pager_make(lq.page, CATALOG_PAGE_SIZE);
	char offset[24];
	snprintf(offset, sizeof(offset), "%ld", pager_offset(&pg));
	const char *p[] = { offset, lq.category, lq.sort, lq.q };
	int np;
	const char *stmt = catalog_list_stmt(lq.q, lq.category, lq.sort, &np);
	PGresult *res = app_session_read(c, stmt, np, p);
	if (res == NULL)
		return;
	struct catalog_ranges rg;
	catalog_split(res, &rg);
	long total = (long)db_int(res, 0, "total");
	long visible = (long)db_int(res, 0, "n_visible");

	tvars_rows_range(c->vars, "reports", res, rg.page_first, rg.page_n);
	set_categories(c, &lq, res, &rg);
	set_pagination(c, &lq, total);
	tvars_int(c->vars, "total", total);
	tvars_str(c->vars, "q", lq.q);
	tvars_str(c->vars, "category", lq.category);
	tvars_bool(c->vars, "sort_updated", strcmp(lq.sort, "updated") == 0);
	tvars_str(c->vars, "sort_title_href", list_href(c, &lq, lq.category, "title", 1));
	tvars_str(c->vars, "sort_updated_href", list_href(c, &lq, lq.category, "updated", 1));
	tvars_bool(c->vars, "filtered", lq.q[0] || lq.category[0]);
	tvars_bool(c->vars, "none_granted", visible == 0);
	tvars_bool(c->vars, "no_match", visible > 0 && total == 0);
	tvars_str(c->vars, "here", list_href(c, &lq, lq.category, lq.sort, lq.page));
	app_render(c, 200, "reports");
	PQclear(res);
}

static void get_report(struct ctx *c)
{
	const char *p[] = { app_id_param(c) };
	PGresult *res = app_session_read(c, "report_page", 1, p);
	if (res == NULL)
		return;
	/* Not there and not visible look the same: no enumeration. */
	if (db_is_null(res, 0, "id")) {
		PQclear(res);
		app_error(c, 404);
		return;
	}
	tvars_row(c->vars, "report", res, 0);
	tvars_str(c->vars, "here", c->req->path);
	app_render(c, 200, "report");
	PQclear(res);
}

static void get_go(struct ctx *c)
{
	const char *p[] = { app_id_param(c) };
	PGresult *res = app_session_query(c, "report_go", 1, p);
	if (res == NULL)
		return;
	const char *url = db_is_null(res, 0, "url") ? NULL : db_text(res, 0, "url");
	if (url == NULL) {
		app_error(c, 404);
	} else if (!catalog_url_ok(url)) {
		char q[256];
		log_warn("report url refused", "report=%lld url=%s", c->match.ids[0],
		         log_quote(q, sizeof(q), url));
		app_error(c, 404);
	} else {
		resp_redirect(c->resp, 303, url);
	}
	PQclear(res);
}

static void post_favourite(struct ctx *c)
{
	PGresult *res = app_session_post(c, "session_check", 0, NULL);
	if (res == NULL)
		return;
	const char *action = field_str(&c->fields, "action", NULL);
	char uid[24];
	snprintf(uid, sizeof(uid), "%lld", c->user.uid);
	PQclear(res);
	const char *p[] = { uid, app_id_param(c), action };
	enum db_status st;
	res = db_exec(c->app->db, "favourite_set", 3, p, &st);
	if (res == NULL) {
		app_db_error(c, st);
		return;
	}
	int visible = PQntuples(res) == 1;
	PQclear(res);
	if (!visible) {
		app_error(c, 404);
		return;
	}
	const char *next = field_str(&c->fields, "next", NULL);
	resp_redirect(c->resp, 303,
	              session_local_path(next)
	                  ? next
	                  : arena_printf(c->arena, "/reports/%lld", c->match.ids[0]));
}

/* ---- access on request (lib/requests.h) ---- */

/* Renders the requests page from a "requests_page" result; notice and
 * error are message keys or NULL. */
static void render_requests(struct ctx *c, PGresult *res, int status, const char *notice,
                            const char *error)
{
	int first, n;
	db_kind_range(res, "k", "1", &first, &n);
	tvars_rows_range(c->vars, "roles", res, first, n);
	db_kind_range(res, "k", "2", &first, &n);
	tvars_rows_range(c->vars, "mine", res, first, n);
	tvars_str(c->vars, "notice", app_msg(c, notice));
	tvars_str(c->vars, "error", app_msg(c, error));
	app_render(c, status, "requests");
}

static const char *const request_dones[] = { "requested", "withdrawn", NULL };

static void get_requests(struct ctx *c)
{
	PGresult *res = app_session_query(c, "requests_page", 0, NULL);
	if (res == NULL)
		return;
	const char *done = field_str(&c->fields, "done", NULL);
	render_requests(c, res, 200, done ? arena_printf(c->arena, "requests.done.%s", done) : NULL,
	                NULL);
	PQclear(res);
}

/* The page again with status and the message of error: the form's
 * problem, nothing stored. */
static void requests_refused(struct ctx *c, int status, const char *error)
{
	PGresult *res = app_session_query(c, "requests_page", 0, NULL);
	if (res == NULL)
		return;
	render_requests(c, res, status, NULL, error);
	PQclear(res);
}

static void post_request(struct ctx *c)
{
	PGresult *res = app_session_post(c, "session_check", 0, NULL);
	if (res == NULL)
		return;
	PQclear(res);
	const char *reason = field_str(&c->fields, "reason", "");
	const char *problem = requests_text_problem(reason, 1);
	if (problem != NULL) {
		requests_refused(c, 400, problem);
		return;
	}
	char tok[67];
	if (session_token_param(req_cookie(c->req, SESSION_COOKIE), tok) < 0) {
		app_redirect_login(c);
		return;
	}
	enum db_status st;
	switch (requests_submit(c->app->db, &c->app->cfg, tok, field_str(&c->fields, "role_id", ""),
	                        reason, field_str(&c->fields, "days", ""), c->req->remote_addr,
	                        &st)) {
	case REQUESTS_OK:
		resp_redirect(c->resp, 303, "/requests?done=requested");
		return;
	case REQUESTS_NO_SESSION:
		app_redirect_login(c);
		return;
	case REQUESTS_NO_ROLE:
		app_error(c, 404);
		return;
	case REQUESTS_BAD_DAYS:
		requests_refused(c, 400, "requests.error.days");
		return;
	case REQUESTS_BAD_REASON:
		requests_refused(c, 400, "requests.error.invisible");
		return;
	case REQUESTS_MEMBER:
		requests_refused(c, 409, "requests.error.member");
		return;
	case REQUESTS_PENDING:
		requests_refused(c, 409, "requests.error.pending");
		return;
	default:
		app_db_error(c, st);
		return;
	}
}

static void post_request_withdraw(struct ctx *c)
{
	PGresult *res = app_session_post(c, "session_check", 0, NULL);
	if (res == NULL)
		return;
	PQclear(res);
	char tok[67];
	if (session_token_param(req_cookie(c->req, SESSION_COOKIE), tok) < 0) {
		app_redirect_login(c);
		return;
	}
	enum db_status st;
	int done = requests_withdraw(c->app->db, &c->app->cfg, tok, app_id_param(c),
	                             c->req->remote_addr, &st);
	if (done < 0)
		app_db_error(c, st);
	else if (done == 0)
		app_error(c, 404);
	else
		resp_redirect(c->resp, 303, "/requests?done=withdrawn");
}

/* The nl/en switch in the header: remembered in a cookie for a year. */
static void get_lang(struct ctx *c)
{
	const char *to = field_str(&c->fields, "to", "nl");
	const char *next = field_str(&c->fields, "next", NULL);
	struct cookie ck = { .name = "lang",
		             .value = to,
		             .path = "/",
		             .max_age = 31536000,
		             .secure = 1,
		             .http_only = 1,
		             .same_site = "Lax" };
	resp_set_cookie(c->resp, &ck);
	resp_redirect(c->resp, 303, session_local_path(next) ? next : "/");
}

/* ---- the routes and their fields ---- */

/* Where to go after sign-in, a favourite or the language switch: any text
 * (session_local_path decides whether it is followed). */
#define NEXT(from)                                                                                 \
	{                                                                                          \
		"next", FIELD_TEXT, (from) | FIELD_LENIENT, 0, 0, NULL                             \
	}
/* Passwords and the name typed at sign-in: as typed; an empty one is the
 * form's own message. */
#define TYPED(name)                                                                                \
	{                                                                                          \
		(name), FIELD_TEXT, FIELD_FORM | FIELD_LENIENT, 0, 0, NULL                         \
	}

static const struct field login_fields[] = {
	NEXT(FIELD_QUERY),
	{ "signed_out", FIELD_BOOL, FIELD_QUERY | FIELD_LENIENT, 0, 0, NULL },
	FIELDS_END,
};
static const struct field login_post_fields[] = { NEXT(FIELD_FORM), TYPED("username"),
	                                          TYPED("password"), FIELDS_END };
static const char *const dones[] = { "password", NULL };
static const struct field account_fields[] = {
	{ "done", FIELD_ENUM, FIELD_QUERY | FIELD_LENIENT, 0, 0, dones },
	FIELDS_END,
};
static const struct field password_fields[] = { TYPED("current_password"), TYPED("new_password"),
	                                        TYPED("new_password_confirm"), FIELDS_END };
static const char *const actions[] = { "add", "remove", NULL };
static const struct field favourite_fields[] = {
	{ "action", FIELD_ENUM, FIELD_FORM | FIELD_REQUIRED, 0, 0, actions },
	NEXT(FIELD_FORM),
	FIELDS_END,
};
static const struct field requests_fields[] = {
	{ "done", FIELD_ENUM, FIELD_QUERY | FIELD_LENIENT, 0, 0, request_dones },
	FIELDS_END,
};
static const struct field request_fields[] = {
	{ "role_id", FIELD_ID, FIELD_FORM | FIELD_REQUIRED, 0, 0, NULL },
	{ "reason", FIELD_TEXT, FIELD_FORM, 0, 8000, NULL },
	{ "days", FIELD_INT, FIELD_FORM | FIELD_REQUIRED, 1, 3660, NULL },
	FIELDS_END,
};
static const char *const langs[] = { "nl", "en", NULL };
static const struct field lang_fields[] = {
	{ "to", FIELD_ENUM, FIELD_QUERY | FIELD_REQUIRED, 0, 0, langs },
	NEXT(FIELD_QUERY),
	FIELDS_END,
};

static const struct route routes[] = {
	{ "GET", "/", get_root, NULL },
	{ "GET", "/login", get_login, login_fields },
	{ "POST", "/login", post_login, login_post_fields },
	{ "POST", "/logout", post_logout, NULL },
	{ "GET", "/account", get_account, account_fields },
	{ "POST", "/account/password", post_password, password_fields },
	{ "POST", "/account/logout-all", post_logout_all, NULL },
	{ "GET", "/reports", get_reports, list_fields },
	{ "GET", "/reports/{id}", get_report, NULL },
	{ "POST", "/reports/{id}/favourite", post_favourite, favourite_fields },
	{ "GET", "/go/{id}", get_go, NULL },
	{ "GET", "/requests", get_requests, requests_fields },
	{ "POST", "/requests", post_request, request_fields },
	{ "POST", "/requests/{id}/withdraw", post_request_withdraw, NULL },
	{ "GET", "/lang", get_lang, lang_fields },
	{ "GET", "/healthz", app_healthz, NULL },
	{ "GET", "/status", app_status, NULL },
	{ "GET", "/metrics", app_metrics, NULL },
};

static const struct db_stmt *const stmt_sets[] = { session_stmts,   catalog_stmts,  replica_stmts,
	                                           users_sso_stmts, requests_stmts, NULL };

static const struct app_spec spec = {
	.name = "portal",
	.routes = routes,
	.n_routes = sizeof(routes) / sizeof(routes[0]),
	.stmt_sets = stmt_sets,
};

int main(int argc, char **argv)
{
	return app_main(argc, argv, &spec);
}
