/*
 * app: start-up, the worker's request cycle and error pages shared by the
 * pool programs (see app.h).
 */
#include "app.h"

#include <errno.h>
#include <fastcgi.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "errpages.h"
#include "log.h"
#include "metrics.h"
#include "pool.h"

extern char **environ;

#define PORTAL_VERSION "0.1.0"

struct opts {
	const char *listen;
	int socket_mode;
	const char *socket_group;
	int workers;         /* -1: from configuration */
	int max_requests;    /* -1: from configuration */
	int request_timeout; /* -1: from configuration */
	int check_only;
	const char *error_pages; /* --error-pages DIR */
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- responses ---- */

static void render_fallback(struct ctx *c, int status)
{
	/* The template for the error page itself failed: say it plainly. */
	resp_reset(c->resp);
	c->resp->status = status;
	c->resp->content_type = "text/plain; charset=utf-8";
	buf_printf(&c->resp->body, "%d %s\n", status, resp_reason(status));
}

void app_render(struct ctx *c, int status, const char *page)
{
	char err[512];
	buf_reset(&c->resp->body);
	c->resp->status = status;
	if (tmpl_render(c->app->tmpl, c->app->msgs, c->lang, page, c->vars, &c->resp->body, err,
	                sizeof(err)) == 0)
		return;
	char q[600];
	log_error("template render failed", "page=%s error=%s", page, log_quote(q, sizeof(q), err));
	buf_reset(&c->resp->body);
	c->resp->status = 500;
	if (tmpl_render(c->app->tmpl, c->app->msgs, c->lang, "error/500", c->vars, &c->resp->body,
	                err, sizeof(err)) != 0)
		render_fallback(c, 500);
}

void app_error(struct ctx *c, int status)
{
	char page[16];
	snprintf(page, sizeof(page), "error/%d", status);
	if (!tmpl_exists(c->app->tmpl, page)) {
		render_fallback(c, status);
	} else {
		app_render(c, status, page);
		if (c->resp->status == 500 && status != 500)
			return; /* the render failed and became a 500 page */
		c->resp->status = status;
	}
	/* A 503 means the database (or the worker's time) ran out: worth trying
	 * again shortly, and saying so lets clients and proxies wait. */
	if (status == 503)
		resp_header(c->resp, "Retry-After", APP_RETRY_AFTER);
}

void app_error_msg(struct ctx *c, int status, const char *key)
{
	tvars_str(c->vars, "error_detail", app_msg(c, key));
	app_error(c, status);
}

void app_db_error(struct ctx *c, enum db_status st)
{
	switch (st) {
	case DB_UNAVAILABLE:
	case DB_TIMEOUT:
		app_error(c, 503);
		break;
	case DB_CONFLICT:
		app_error(c, 409);
		break;
	case DB_INVALID:
		app_error(c, 400);
		break;
	default:
		app_error(c, 500);
		break;
	}
}

const char *app_msg(const struct ctx *c, const char *key)
{
	if (key == NULL)
		return NULL;
	const char *m = msgcat_get(c->app->msgs, c->lang, key);
	if (m == NULL)
		log_error("message key missing from the catalogue", "key=%s", key);
	return m ? m : key;
}

void app_text(struct ctx *c, int status, const char *text)
{
	buf_reset(&c->resp->body);
	c->resp->status = status;
	c->resp->content_type = "text/plain; charset=utf-8";
	buf_puts(&c->resp->body, text);
}

void app_healthz(struct ctx *c)
{
	if (db_ping(c->app->db) == DB_OK)
		app_text(c, 200, "ok\n");
	else {
		app_text(c, 503, "database unavailable\n");
		resp_header(c->resp, "Retry-After", APP_RETRY_AFTER);
	}
}

/* ---- sessions ---- */

void app_url_encode(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p)) {
			buf_putc(out, (char)*p);
		} else {
			buf_putc(out, '%');
			buf_putc(out, hex[*p >> 4]);
			buf_putc(out, hex[*p & 15]);
		}
	}
}

void app_redirect_login(struct ctx *c)
{
	struct buf loc = { 0 };
	buf_puts(&loc, "/login?next=");
	struct buf next = { 0 };
	buf_puts(&next, c->req->path);
	if (c->req->raw_query[0]) {
		buf_putc(&next, '?');
		buf_puts(&next, c->req->raw_query);
	}
	app_url_encode(&loc, buf_str(&next));
	resp_redirect(c->resp, 303, buf_str(&loc));
	buf_free(&loc);
	buf_free(&next);
}

void app_set_session_cookie(struct ctx *c, const char *value)
{
	struct cookie ck = {
		.name = SESSION_COOKIE,
		.value = value ? value : "",
		.path = "/",
		.max_age = value ? -1 : 0,
		.secure = 1,
		.http_only = 1,
		.same_site = "Lax",
	};
	resp_set_cookie(c->resp, &ck);
}

/*
 * With remote-user on (PORTAL_AUTH), nginx's REMOTE_USER is who the front
 * end says is there, on every request. A session made from it holds only
 * while it says the same; any other session, only while it names no one
 * else (a password or Kerberos session of anna's ends when the front end
 * says bob).
 */
static int identity_changed(const struct ctx *c)
{
	if (!(c->app->cfg.auth.mask & SSO_REMOTE_USER))
		return 0;
	const char *front = c->req->remote_user;
	if (c->user.auth_method && strcmp(c->user.auth_method, "remote-user") == 0)
		return front == NULL || c->user.auth_identity == NULL ||
		       strcmp(front, c->user.auth_identity) != 0;
	return front != NULL &&
	       (c->user.username == NULL || strcasecmp(front, c->user.username) != 0);
}

/* The parameters of a session statement: the token ($1), the idle timeout
 * ($2), then extra. Returns 0, or -1 having answered (no cookie: sign-in). */
static int session_params(struct ctx *c, const char *stmt, int n_extra, const char *const *extra,
                          char tok[67], char idle[16], const char **p)
{
	if (session_token_param(req_cookie(c->req, SESSION_COOKIE), tok) < 0) {
		app_redirect_login(c);
		return -1;
	}
	if (n_extra < 0 || n_extra > APP_MAX_EXTRA) {
		log_error("too many statement parameters", "stmt=%s n=%d", stmt, n_extra);
		app_error(c, 500);
		return -1;
	}
	snprintf(idle, 16, "%d", c->app->cfg.session_idle);
	p[0] = tok;
	p[1] = idle;
	for (int i = 0; i < n_extra; i++)
		p[2 + i] = extra[i];
	return 0;
}

/* What every session statement's answer goes through: the session found
 * (else sign-in), the front end's identity, a password to choose, and the
 * page's user variables. Returns res, or NULL having answered. */
static PGresult *session_answer(struct ctx *c, PGresult *res, const char *tok)
{
	enum db_status st;
	if (!session_from_result(res, &c->user)) {
		PQclear(res);
		/* A dead session's cookie is of no further use. */
		app_set_session_cookie(c, NULL);
		app_redirect_login(c);
		return NULL;
	}
	if (identity_changed(c)) {
		/* The front end now vouches for someone else, or no longer for
		 * anyone: this session ends, and sign-in starts again. */
		log_info("front-end identity changed, session ended", "user=%lld method=%s",
		         c->user.uid, c->user.auth_method);
		PQclear(res);
		st = session_logout(c->app->db, req_cookie(c->req, SESSION_COOKIE),
		                    c->req->remote_addr);
		memset(&c->user, 0, sizeof(c->user));
		if (st != DB_OK) {
			app_db_error(c, st);
			return NULL;
		}
		app_set_session_cookie(c, NULL);
		app_redirect_login(c);
		return NULL;
	}
	/* An account set up by an administrator chooses its own password
	 * before it does anything else. */
	if (c->user.must_change_password && strncmp(c->req->path, "/account", 8) != 0 &&
	    strcmp(c->req->path, "/logout") != 0 && strcmp(c->req->path, "/admin/password") != 0) {
		PQclear(res);
		resp_redirect(c->resp, 303, "/account?change=required");
		return NULL;
	}
	/* A SESSION_READ_CTE statement left the touch for after the answer. */
	if (c->user.touch_due) {
		c->app->touch_due = 1;
		snprintf(c->app->touch_token, sizeof(c->app->touch_token), "%s", tok);
	}
	struct tvars *u = tvars_new(c->arena);
	tvars_str(u, "display_name", c->user.display_name);
	tvars_str(u, "username", c->user.username);
	tvars_str(u, "email", c->user.email);
	tvars_bool(u, "is_superuser", c->user.is_superuser);
	tvars_obj(c->vars, "user", u);
	tvars_str(c->vars, "csrf", c->user.csrf);
	return res;
}

PGresult *app_session_query(struct ctx *c, const char *stmt, int n_extra, const char *const *extra)
{
	char tok[67], idle[16];
	const char *p[2 + APP_MAX_EXTRA];
	if (session_params(c, stmt, n_extra, extra, tok, idle, p) < 0)
		return NULL;
	enum db_status st;
	PGresult *res = db_exec(c->app->db, stmt, 2 + n_extra, p, &st);
	if (res == NULL) {
		app_db_error(c, st);
		return NULL;
	}
	return session_answer(c, res, tok);
}

/* How long reads skip a standby that failed, or fell behind the bound. */
enum { READ_PAUSE_DOWN_MS = 5000, READ_PAUSE_BEHIND_MS = 1000 };

/* Notes the primary's WAL position when a note is due. 0, or -1 when the
 * primary did not answer (then the standby is not used: nothing bounds it). */
static int note_primary(struct app *app, double now)
{
	if (!replica_note_due(&app->clock, now, app->cfg.max_lag_ms))
		return 0;
	enum db_status st;
	PGresult *res = db_exec(app->db, "wal_lsn", 0, NULL, &st);
	unsigned long long lsn;
	int rc = -1;
	if (res != NULL && PQntuples(res) == 1 &&
	    replica_lsn_parse(PQgetvalue(res, 0, 0), &lsn) == 0) {
		replica_note(&app->clock, now, lsn);
		rc = 0;
	}
	PQclear(res);
	return rc;
}

/* The standby's answer res is good to show: a session found, and the
 * standby (replay_lsn) within the bound, or a primary (no replay_lsn:
 * target_session_attrs=prefer-standby found no standby). */
static int fresh_enough(struct app *app, const PGresult *res, double now)
{
	struct session s;
	if (!session_from_result(res, &s))
		return 0; /* perhaps a session the standby has not replayed yet */
	if (s.replay_lsn == NULL)
		return 1;
	unsigned long long replay;
	if (replica_lsn_parse(s.replay_lsn, &replay) < 0)
		return 0;
	double stale = replica_staleness(&app->clock, now, replay);
	if (stale >= 0 && stale <= app->cfg.max_lag_ms)
		return 1;
	/* Not yet at the only notes there are, all within the bound (a
	 * worker's first reads): no bound known, but no sign of lag either. */
	if (stale < 0 && now - app->clock.note[0].ms <= app->cfg.max_lag_ms)
		return 0;
	app->read_paused_ms = now + READ_PAUSE_BEHIND_MS;
	log_info("standby behind the bound: reading from the primary",
	         "stale_ms=%.0f max_lag_ms=%d", stale, app->cfg.max_lag_ms);
	return 0;
}

PGresult *app_session_read(struct ctx *c, const char *stmt, int n_extra, const char *const *extra)
{
	struct app *app = c->app;
	double now = now_ms();
	if (app->db_read == NULL || now < app->read_paused_ms || note_primary(app, now) < 0)
		return app_session_query(c, stmt, n_extra, extra);
	char tok[67], idle[16];
	const char *p[2 + APP_MAX_EXTRA];
	if (session_params(c, stmt, n_extra, extra, tok, idle, p) < 0)
		return NULL;
	enum db_status st;
	PGresult *res = db_exec(app->db_read, stmt, 2 + n_extra, p, &st);
	if (res == NULL) {
		app->read_paused_ms = now + READ_PAUSE_DOWN_MS;
		log_warn("standby unavailable: reading from the primary", "stmt=%s", stmt);
		metrics_read(METRICS_READ_PRIMARY);
		return app_session_query(c, stmt, n_extra, extra);
	}
	if (!fresh_enough(app, res, now_ms())) {
		PQclear(res);
		metrics_read(METRICS_READ_PRIMARY);
		return app_session_query(c, stmt, n_extra, extra);
	}
	metrics_read(METRICS_READ_STANDBY);
	return session_answer(c, res, tok);
}

PGresult *app_session_post(struct ctx *c, const char *stmt, int n_extra, const char *const *extra)
{
	PGresult *res = app_session_query(c, stmt, n_extra, extra);
	if (res != NULL && !session_csrf_ok(c->req, c->user.csrf)) {
		PQclear(res);
		app_error(c, 403);
		return NULL;
	}
	if (res != NULL && !app_fields_ok(c)) {
		PQclear(res);
		return NULL;
	}
	return res;
}

int app_fields_ok(struct ctx *c)
{
	const struct field *f = c->fields.bad;
	c->fields.answered = 1;
	if (f == NULL)
		return 1;
	const struct field_value *v = field_get(&c->fields, f->name);
	log_info("bad field", "field=%s problem=\"%s\"", f->name,
	         field_problem_str(v ? v->problem : FIELD_FINE));
	app_error(c, 400);
	return 0;
}

const char *app_id_param(struct ctx *c)
{
	return arena_printf(c->arena, "%lld", c->match.ids[0]);
}

/* ---- the request cycle ---- */

/* The layout's nl/en switch: /lang?to=xx&next=<this page>. */
static void set_lang_links(struct ctx *c)
{
	static const char *const langs[] = { "nl", "en" };
	struct buf here = { 0 }, href = { 0 };
	buf_puts(&here, c->req->path);
	if (c->req->raw_query[0]) {
		buf_putc(&here, '?');
		buf_puts(&here, c->req->raw_query);
	}
	for (size_t i = 0; i < 2; i++) {
		buf_reset(&href);
		buf_printf(&href, "/lang?to=%s&next=", langs[i]);
		app_url_encode(&href, buf_str(&here));
		char key[16];
		snprintf(key, sizeof(key), "lang_href_%s", langs[i]);
		tvars_str(c->vars, key, buf_str(&href));
	}
	buf_free(&here);
	buf_free(&href);
}

void app_handle(struct app *app, struct arena *a, char *const *envp, const char *body,
                size_t body_len, struct response *resp)
{
	struct request req;
	memset(&req, 0, sizeof(req));
	enum req_error e = req_parse(&req, a, envp, body, body_len, &req_default_limits);
	log_set_request(req.id[0] ? req.id : NULL);

	struct ctx c = { .app = app, .req = &req, .resp = resp, .arena = a };
	c.lang = i18n_negotiate(req_cookie(&req, "lang"), req.accept_language, app->cfg.lang);
	c.vars = tvars_new(a);
	tvars_str(c.vars, "req_id", req.id);
	if (e == REQ_OK)
		set_lang_links(&c);

	if (e != REQ_OK) {
		char q[256];
		log_info("bad request", "error=%s", log_quote(q, sizeof(q), req_error_str(e)));
		app_error(&c, e == REQ_TOO_LARGE ? 413 : 400);
		return;
	}
	switch (
	    router_match(app->spec->routes, app->spec->n_routes, req.method, req.path, &c.match)) {
	case ROUTE_FOUND:
		app->req_route = (size_t)(c.match.route - app->spec->routes) + 1;
		/* Every declared field is checked before the handler; a GET with a
		 * bad one is answered here (app_fields_ok says why a POST waits). */
		field_check(&c.fields, c.match.route->fields, &req.query, &req.form, a);
		if (strcmp(req.method, "POST") != 0 && !app_fields_ok(&c))
			break;
		c.match.route->handler(&c);
		break;
	case ROUTE_METHOD_NOT_ALLOWED:
		resp_header(resp, "Allow", c.match.allow);
		app_error(&c, 405);
		break;
	default:
		app_error(&c, 404);
		break;
	}
	app->req_uid = c.user.uid;
}

static const char *env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);
	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/*
 * Reads the body: at most max_body + 1 bytes, so that req_parse can tell an
 * oversized body from one that fits. Returns the length read.
 */
static size_t read_body(FCGX_Request *fr, struct arena *a, char **out)
{
	const char *cl = env_get(fr->envp, "CONTENT_LENGTH");
	long want = cl ? strtol(cl, NULL, 10) : 0;
	size_t cap = req_default_limits.max_body + 1;
	if (want <= 0) {
		*out = NULL;
		return 0;
	}
	if ((size_t)want < cap)
		cap = (size_t)want;
	char *body = arena_alloc(a, cap + 1);
	int got = FCGX_GetStr(body, (int)cap, fr->in);
	*out = body;
	return got > 0 ? (size_t)got : 0;
}

/* The write function of streamed responses: into the FastCGI stream, which
 * sends whenever its buffer fills. */
static int fcgx_write(void *sink, const char *data, size_t len)
{
	/* A stream may take longer than one request's budget; what must not
	 * happen is a stall, so each chunk renews the deadline. */
	pool_request_progress();
	while (len > 0) {
		int n = len > 65536 ? 65536 : (int)len;
		if (FCGX_PutStr(data, n, sink) < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static void log_access(const struct app *app, char *const *envp, const struct response *resp,
                       double ms, long long uid)
{
	const char *method = env_get(envp, "REQUEST_METHOD");
	const char *uri = env_get(envp, "REQUEST_URI");
	char path[256];
	/* The path only: query values may carry what does not belong in a log. */
	size_t n = 0;
	if (uri)
		while (uri[n] && uri[n] != '?' && n + 1 < sizeof(path))
			n++;
	memcpy(path, uri ? uri : "", n);
	path[n] = '\0';
	char q[300], user[24] = "-";
	if (uid > 0)
		snprintf(user, sizeof(user), "%lld", uid);
	log_info("request", "pool=%s method=%s path=%s status=%d ms=%.2f user=%s worker=%d",
	         app->spec->name, method ? method : "-", log_quote(q, sizeof(q), path),
	         resp->status, ms, user, (int)getpid());
}

/* ---- the request timeout ----
 *
 * Around each request the worker arms alarm(request_timeout). When it fires
 * the handler is stuck (a query waiting on a lock, say): SIGALRM writes a 503
 * page, made when the worker started, straight to the connection as FastCGI
 * records (write(2) only: nothing that could deadlock inside a signal
 * handler) and the worker exits with POOL_EXIT_TIMEOUT; the master logs it
 * and forks a replacement. The alarm is off while the answer is written, so
 * a client never gets half a page and then the 503.
 */

static struct buf timeout_answer;             /* the serialised 503, made once per worker */
static volatile sig_atomic_t timeout_fd = -1; /* the connection while armed */
static volatile sig_atomic_t timeout_req_id;

static void fcgi_header(unsigned char h[FCGI_HEADER_LEN], int type, int id, size_t len)
{
	h[0] = FCGI_VERSION_1;
	h[1] = (unsigned char)type;
	h[2] = (unsigned char)((id >> 8) & 0xff);
	h[3] = (unsigned char)(id & 0xff);
	h[4] = (unsigned char)((len >> 8) & 0xff);
	h[5] = (unsigned char)(len & 0xff);
	h[6] = 0;
	h[7] = 0;
}

static void write_all_raw(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		c += w;
		n -= (size_t)w;
	}
}

/* Writes all of iov[0..n), resuming after partial writes. Returns 0 or -1. */
static int writev_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/*
 * Sends data as FastCGI stdout records straight to the connection, a page in
 * one writev: libfcgi's stream would cut it into 8 KiB writes, each of which
 * wakes nginx. That stream stays empty, so FCGX_Finish_r adds only the end
 * of stdout and of the request. Returns 0, or -1 when the connection failed.
 */
static int send_stdout(const FCGX_Request *fr, const char *data, size_t len)
{
	enum { RECORD = 32768, BATCH = 16 };
	unsigned char h[BATCH][FCGI_HEADER_LEN];
	struct iovec iov[2 * BATCH];
	while (len > 0) {
		int n = 0;
		for (int r = 0; r < BATCH && len > 0; r++) {
			size_t part = len < RECORD ? len : RECORD;
			fcgi_header(h[r], FCGI_STDOUT, fr->requestId, part);
			iov[n++] = (struct iovec){ .iov_base = h[r], .iov_len = FCGI_HEADER_LEN };
			iov[n++] = (struct iovec){ .iov_base = (void *)data, .iov_len = part };
			data += part;
			len -= part;
		}
		if (writev_all(fr->ipcFd, iov, n) < 0)
			return -1;
	}
	return 0;
}

static void on_request_timeout(int sig)
{
	(void)sig;
	int fd = timeout_fd, id = timeout_req_id;
	if (fd >= 0) {
		unsigned char h[FCGI_HEADER_LEN];
		size_t off = 0;
		while (off < timeout_answer.len) {
			size_t len = timeout_answer.len - off;
			if (len > 32768)
				len = 32768;
			fcgi_header(h, FCGI_STDOUT, id, len);
			write_all_raw(fd, h, sizeof(h));
			write_all_raw(fd, timeout_answer.data + off, len);
			off += len;
		}
		fcgi_header(h, FCGI_STDOUT, id, 0);
		write_all_raw(fd, h, sizeof(h));
		unsigned char end[FCGI_HEADER_LEN + sizeof(FCGI_EndRequestBody)] = { 0 };
		fcgi_header(end, FCGI_END_REQUEST, id, sizeof(FCGI_EndRequestBody));
		end[FCGI_HEADER_LEN + 4] = FCGI_REQUEST_COMPLETE;
		write_all_raw(fd, end, sizeof(end));
	}
	_exit(POOL_EXIT_TIMEOUT);
}

/* The 503 page in the default language, as the worker's answer to a request
 * that ran out of time. */
static void make_timeout_answer(struct app *app, struct buf *out)
{
	struct arena a = ARENA_INIT;
	struct request req;
	memset(&req, 0, sizeof(req));
	req.arena = &a;
	req.method = "GET";
	req.path = "/";
	req.raw_query = "";
	req.remote_addr = "";
	req.user_agent = "";
	req.accept_language = "";
	req.host = "";
	struct response resp;
	resp_init(&resp);
	struct ctx c = {
		.app = app, .req = &req, .resp = &resp, .arena = &a, .lang = app->cfg.lang
	};
	c.vars = tvars_new(&a);
	tvars_str(c.vars, "req_id", "");
	set_lang_links(&c);
	app_error(&c, 503);
	resp_serialize(&resp, 0, out);
	resp_free(&resp);
	arena_free(&a);
}

static void arm_timeout(const FCGX_Request *fr, int seconds)
{
	timeout_req_id = fr->requestId;
	timeout_fd = fr->ipcFd;
	alarm((unsigned)seconds);
}

static void disarm_timeout(void)
{
	alarm(0);
	timeout_fd = -1;
}

/* 1 when the pool program runs the statement set stmts. */
static int has_stmts(const struct app_spec *spec, const struct db_stmt *stmts)
{
	for (const struct db_stmt *const *set = spec->stmt_sets; set && *set; set++)
		if (*set == stmts)
			return 1;
	return 0;
}

/*
 * A new worker connects before it takes its first request, and waits for a
 * connection up to CONNECT_GRACE_MS. During a reload both generations are
 * alive for a moment: where the database has few free connection slots, the
 * new workers find them taken by the old ones, which leave within the time
 * of the request in hand. Accepting meanwhile would answer 503 to requests
 * that a moment's wait serves; the workers that did connect take them. Past
 * the grace the database is taken to be down: the worker serves (503 pages,
 * and db_exec reconnects on every request) rather than let requests queue.
 */
enum { CONNECT_GRACE_MS = 2000, CONNECT_RETRY_MS = 25 };

static void connect_before_serving(struct db *db)
{
	double until = now_ms() + CONNECT_GRACE_MS;
	while (db_connect(db) == DB_UNAVAILABLE && now_ms() < until)
		if (pool_sleep(CONNECT_RETRY_MS))
			return;
}

static void serve(void *ctx, int listen_fd, volatile sig_atomic_t *stop)
{
	struct app *app = ctx;
	size_t n = 0;
	for (const struct db_stmt *const *set = app->spec->stmt_sets; set && *set; set++)
		for (const struct db_stmt *st = *set; st->name; st++)
			n++;
	app->stmts = calloc(n + 1, sizeof(*app->stmts));
	if (app->stmts == NULL) {
		log_error("out of memory", NULL);
		return;
	}
	n = 0;
	for (const struct db_stmt *const *set = app->spec->stmt_sets; set && *set; set++)
		for (const struct db_stmt *st = *set; st->name; st++)
			app->stmts[n++] = *st;
	app->db = db_new(app->cfg.database_url, app->cfg.statement_timeout, app->stmts, n);
	if (app->db == NULL) {
		log_error("out of memory", NULL);
		return;
	}
	/* The pool that runs the catalogue's statements plans them once per
	 * connection: each list statement has a branch for users and one for
	 * superusers, switched by the session, and PostgreSQL would otherwise plan
	 * it afresh on every call (about 1 ms, more than it takes to run).
	 * test/browse/run checks that the generic plans stay index-driven. The
	 * admin pool keeps PostgreSQL's choice: its filters ("$n = '' OR ...") want
	 * a plan that knows which ones are set.
	 */
	db_set_generic_plans(app->db, has_stmts(app->spec, catalog_stmts));
	/* The pages that only read may run on a standby (app_session_read):
	 * the portal pool's, with PORTAL_READ_URL set. Connected at the first
	 * read, not before serving: a standby down must not delay the pool. */
	if (app->cfg.read_url[0] && has_stmts(app->spec, catalog_stmts)) {
		app->db_read = db_new(app->cfg.read_url, app->cfg.statement_timeout, app->stmts, n);
		if (app->db_read == NULL)
			log_error("out of memory: reading from the primary only", NULL);
		else
			db_set_generic_plans(app->db_read, 1);
	}
	/* Every pool that has sessions keeps them trimmed. */
	app->purges_sessions = has_stmts(app->spec, session_stmts);
	connect_before_serving(app->db);

	make_timeout_answer(app, &timeout_answer);
	struct sigaction sa = { .sa_handler = on_request_timeout };
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) < 0)
		log_error("cannot catch SIGALRM: the master's backstop alone ends slow requests",
		          "error=\"%s\"", strerror(errno));

	if (FCGX_Init() != 0) {
		log_error("FCGX_Init failed", NULL);
		return;
	}
	FCGX_Request fr;
	FCGX_InitRequest(&fr, listen_fd, 0);
	struct arena a = ARENA_INIT;
	struct response resp;
	resp_init(&resp);
	struct buf out = { 0 };
	long served = 0;

	while (!*stop && (app->cfg.max_requests == 0 || served < app->cfg.max_requests)) {
		int r = pool_wait_readable(listen_fd);
		if (r <= 0) {
			if (r < 0) {
				log_error("poll failed", "error=\"%s\"", strerror(errno));
				break;
			}
			continue;
		}
		/* The socket is non-blocking: when another worker took the
		 * connection first, accept fails with EAGAIN and we wait again. */
		int rc = FCGX_Accept_r(&fr);
		if (rc < 0) {
			if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -EINTR)
				continue;
			log_error("accept failed", "rc=%d", rc);
			break;
		}
		double t0 = now_ms();
		const char *method = env_get(fr.envp, "REQUEST_METHOD");
		pool_request_begin(method, env_get(fr.envp, "REQUEST_URI"),
		                   app->cfg.request_timeout);
		arm_timeout(&fr, app->cfg.request_timeout);
		char *body;
		size_t len = read_body(&fr, &a, &body);
		app->req_uid = 0;
		app->req_route = 0;
		app->touch_due = 0;
		app_handle(app, &a, fr.envp, body, len, &resp);
		disarm_timeout();
		resp_serialize(&resp, method && strcmp(method, "HEAD") == 0, &out);
		if (send_stdout(&fr, out.data, out.len) < 0)
			log_warn("client went away", NULL);
		else if (resp.stream && !(method && strcmp(method, "HEAD") == 0) &&
		         resp.stream(resp.stream_arg, fcgx_write, fr.out) != 0)
			log_warn("streamed response ended early", NULL);
		double ms = now_ms() - t0;
		log_access(app, fr.envp, &resp, ms, app->req_uid);
		/* libfcgi closes with shutdown, then waits for nginx to close
		 * first, reading what it still sends, so that closing with unread
		 * input cannot reset the connection. Once stdin has ended nginx
		 * sends nothing more: then a plain close is as safe and spares the
		 * worker that wait. nginx sends the end of stdin with the request,
		 * so reading up to it does not wait; a client that never sends it
		 * keeps the worker busy until the master's timeout backstop. */
		if (FCGX_GetChar(fr.in) == EOF && FCGX_GetError(fr.in) == 0)
			FCGX_Detach(&fr);
		FCGX_Finish_r(&fr);
		pool_request_end(ms);
		metrics_request(app->req_route, resp.status, ms / 1e3);
		/* The session's touch that its page left out, on the primary,
		 * after the answer: at most once a minute per session. */
		if (app->touch_due)
			session_touch(app->db, &app->cfg, app->touch_token);
		/* After the answer, so that no request waits for it. */
		if (app->purges_sessions && pool_take_turn(SESSION_PURGE_S)) {
			enum db_status st;
			session_purge(app->db, &app->cfg, &st);
		}
		log_set_request(NULL);
		arena_reset(&a);
		resp_reset(&resp);
		buf_reset(&out);
		served++;
	}
	FCGX_Free(&fr, 1);
	arena_free(&a);
	resp_free(&resp);
	buf_free(&out);
	buf_free(&timeout_answer);
	db_free(app->db);
	app->db = NULL;
	db_free(app->db_read);
	app->db_read = NULL;
	free(app->stmts);
	app->stmts = NULL;
}

/* ---- the operators' status page ---- */

/* nginx lets only this machine reach /status; a request straight over the
 * socket (portalctl status) carries no address. Anything else means a site
 * forgot its allow/deny lines: answer as if there were no such page. */
static int is_local(const char *addr)
{
	return addr == NULL || addr[0] == '\0' || strncmp(addr, "127.", 4) == 0 ||
	       strcmp(addr, "::1") == 0 || strncmp(addr, "::ffff:127.", 11) == 0;
}

void app_status(struct ctx *c)
{
	if (!is_local(c->req->remote_addr)) {
		app_error(c, 404);
		return;
	}
	struct buf *b = &c->resp->body;
	buf_reset(b);
	c->resp->status = 200;
	c->resp->content_type = "text/plain; charset=utf-8";
	pool_status(b);
	buf_printf(b, "database: %s\n",
	           c->app->db && db_ping(c->app->db) == DB_OK ? "ok" : "unavailable");
}

/* GET /metrics (and /admin/metrics): the pool's counters for Prometheus,
 * for this machine only like the status page. */
void app_metrics(struct ctx *c)
{
	if (!is_local(c->req->remote_addr)) {
		app_error(c, 404);
		return;
	}
	struct buf *b = &c->resp->body;
	buf_reset(b);
	c->resp->status = 200;
	c->resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	pool_metrics(c->app->spec->routes, c->app->spec->n_routes, b);
}

/* ---- start-up and reload ---- */

struct state {
	struct cfg cfg;
	struct tmpl_set *tmpl;
	struct msgcat *msgs;
};

/* The templates and catalogue of s->cfg.templates into s; on failure
 * neither is kept. */
static int load_pages(struct state *s, char *err, size_t errlen)
{
	if (tmpl_load(s->cfg.templates, &s->tmpl, err, errlen) < 0)
		return -1;
	char dir[600];
	snprintf(dir, sizeof(dir), "%s/messages", s->cfg.templates);
	if (msgcat_load(dir, &s->msgs, err, errlen) < 0) {
		tmpl_free(s->tmpl);
		s->tmpl = NULL;
		return -1;
	}
	return 0;
}

static int load_state(struct app *app, struct state *s, const struct opts *o, char *err,
                      size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if (cfg_load(&s->cfg, environ, app->env_file, err, errlen) < 0)
		return -1;
	if (s->cfg.database_url[0] == '\0') {
		snprintf(err, errlen,
		         "DATABASE_URL is not set: set it in the environment or in %s "
		         "(e.g. postgresql://portal_web@localhost:5432/rapportageportaal)",
		         app->env_file);
		return -1;
	}
	/* A keytab the pool cannot read would refuse every ticket: say so now. */
	if ((s->cfg.auth.mask & SSO_NEGOTIATE) && access(s->cfg.krb5_keytab, R_OK) != 0) {
		snprintf(err, errlen, "PORTAL_KRB5_KEYTAB: cannot read %s: %s", s->cfg.krb5_keytab,
		         strerror(errno));
		return -1;
	}
	if (o->workers > 0)
		s->cfg.workers = o->workers;
	if (o->max_requests >= 0)
		s->cfg.max_requests = o->max_requests;
	if (o->request_timeout > 0)
		s->cfg.request_timeout = o->request_timeout;
	return load_pages(s, err, errlen);
}

static void adopt_state(struct app *app, struct state *s)
{
	tmpl_free(app->tmpl);
	msgcat_free(app->msgs);
	app->cfg = s->cfg;
	app->tmpl = s->tmpl;
	app->msgs = s->msgs;
	log_set_level(app->cfg.log_level);
}

static struct opts reload_opts;

static int reload(void *ctx)
{
	struct app *app = ctx;
	struct state s;
	char err[1024];
	if (load_state(app, &s, &reload_opts, err, sizeof(err)) < 0) {
		char q[1100];
		log_error("reload failed", "error=%s", log_quote(q, sizeof(q), err));
		return -1;
	}
	adopt_state(app, &s);
	return 0;
}

/*
 * --error-pages DIR: the static pages of lib/errpages, from the templates of
 * the configuration (PORTAL_TEMPLATES). It needs no DATABASE_URL: make
 * install and the dev environment run it where no database is set.
 */
static int write_error_pages(struct app *app, const char *dir)
{
	struct state s;
	char err[1024];
	memset(&s, 0, sizeof(s));
	if (cfg_load(&s.cfg, environ, app->env_file, err, sizeof(err)) < 0 ||
	    load_pages(&s, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", app->spec->name, err);
		return 1;
	}
	int n = errpages_write(s.tmpl, s.msgs, dir, err, sizeof(err));
	tmpl_free(s.tmpl);
	msgcat_free(s.msgs);
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", app->spec->name, err);
		return 1;
	}
	printf("%s: %d error pages written to %s\n", app->spec->name, n, dir);
	return 0;
}

static void usage(FILE *f, const char *name)
{
	fprintf(f,
	        "usage: %s [--listen PATH] [--socket-mode MODE] [--socket-group GROUP]\n"
	        "       %*s [--workers N] [--max-requests M] [--request-timeout S]\n"
	        "       %*s [--env FILE] [--check]\n"
	        "       %s --error-pages DIR\n"
	        "\n"
	        "Runs the %s FastCGI worker pool. The socket comes from systemd socket\n"
	        "activation, from fd 0, or from --listen. Configuration: environment and\n"
	        "the .env file (see README.md). SIGHUP reloads, SIGTERM stops.\n"
	        "--error-pages writes the static error pages nginx shows into DIR.\n",
	        name, (int)strlen(name), "", (int)strlen(name), "", name, name);
}

static int parse_int(const char *flag, const char *s, int lo, int hi, int base, int *out)
{
	char *end;
	errno = 0;
	long v = s ? strtol(s, &end, base) : 0;
	if (s == NULL || *s == '\0' || *end != '\0' || errno || v < lo || v > hi) {
		fprintf(stderr, "%s: \"%s\" is not a number from %d to %d\n", flag, s ? s : "", lo,
		        hi);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int app_main(int argc, char **argv, const struct app_spec *spec)
{
	struct app app = { .spec = spec, .env_file = ".env" };
	struct opts o = {
		.socket_mode = 0660, .workers = -1, .max_requests = -1, .request_timeout = -1
	};

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout, spec->name);
			return 0;
		} else if (strcmp(a, "--version") == 0) {
			printf("%s %s\n", spec->name, PORTAL_VERSION);
			return 0;
		} else if (strcmp(a, "--check") == 0) {
			o.check_only = 1;
			continue;
		} else if (v == NULL) {
			fprintf(stderr, "%s: unknown option or missing value: %s\n", spec->name, a);
			usage(stderr, spec->name);
			return 2;
		} else if (strcmp(a, "--error-pages") == 0) {
			o.error_pages = v;
		} else if (strcmp(a, "--listen") == 0) {
			o.listen = v;
		} else if (strcmp(a, "--socket-group") == 0) {
			o.socket_group = v;
		} else if (strcmp(a, "--env") == 0) {
			app.env_file = v;
		} else if (strcmp(a, "--socket-mode") == 0) {
			if (parse_int(a, v, 0, 0777, 8, &o.socket_mode) < 0)
				return 2;
		} else if (strcmp(a, "--workers") == 0) {
			if (parse_int(a, v, 1, 256, 10, &o.workers) < 0)
				return 2;
		} else if (strcmp(a, "--max-requests") == 0) {
			if (parse_int(a, v, 0, 100000000, 10, &o.max_requests) < 0)
				return 2;
		} else if (strcmp(a, "--request-timeout") == 0) {
			if (parse_int(a, v, 1, 3600, 10, &o.request_timeout) < 0)
				return 2;
		} else {
			fprintf(stderr, "%s: unknown option: %s\n", spec->name, a);
			usage(stderr, spec->name);
			return 2;
		}
		i++;
	}

	struct state s;
	char err[1024];
	if (o.error_pages)
		return write_error_pages(&app, o.error_pages);
	if (load_state(&app, &s, &o, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", spec->name, err);
		return 1;
	}
	adopt_state(&app, &s);
	if (o.check_only) {
		printf("%s: configuration and templates are valid\n", spec->name);
		tmpl_free(app.tmpl);
		msgcat_free(app.msgs);
		return 0;
	}
	reload_opts = o;

	int fd = pool_listen(o.listen, o.socket_mode, o.socket_group, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", spec->name, err);
		return 1;
	}
	struct pool_opts po = {
		.name = spec->name,
		.listen_fd = fd,
		.workers = app.cfg.workers,
		.drain_timeout = app.cfg.request_timeout + 5,
	};
	struct pool_ops ops = { .reload = reload, .serve = serve, .ctx = &app };
	int rc = pool_run(&po, &ops);
	close(fd);
	pool_unlisten(o.listen);
	tmpl_free(app.tmpl);
	msgcat_free(app.msgs);
	return rc;
}
