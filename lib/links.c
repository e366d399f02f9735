/*
 * links: the link check of the reports (see links.h): the rules, the
 * requests with libcurl's multi interface, and the statements of
 * link_checks (schema 0023).
 */
#include "links.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"

/* ---- the rules ------------------------------------------------------------------ */

static const char *const failure_names[] = {
	[LINKS_NONE] = NULL,
	[LINKS_STATUS] = "status",
	[LINKS_TIMEOUT] = "timeout",
	[LINKS_DNS] = "dns",
	[LINKS_CONNECT] = "connect",
	[LINKS_TLS] = "tls",
	[LINKS_REDIRECTS] = "redirects",
	[LINKS_PROTOCOL] = "protocol",
	[LINKS_OTHER] = "other",
};

const char *links_failure_name(enum links_failure kind)
{
	if ((size_t)kind >= sizeof failure_names / sizeof failure_names[0])
		return NULL;
	return failure_names[kind];
}

/* The failure a transfer error means, when it is not an answer. */
static enum links_failure failure_of(int curl_code)
{
	switch (curl_code) {
	case CURLE_OPERATION_TIMEDOUT:
		return LINKS_TIMEOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return LINKS_DNS;
	case CURLE_COULDNT_CONNECT:
		return LINKS_CONNECT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return LINKS_TLS;
	case CURLE_TOO_MANY_REDIRECTS:
		return LINKS_REDIRECTS;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return LINKS_PROTOCOL;
	default:
		return LINKS_OTHER;
	}
}

/* A server that drops a HEAD or answers it with garbage may still serve GET. */
static int head_dropped(int curl_code)
{
	return curl_code == CURLE_GOT_NOTHING || curl_code == CURLE_RECV_ERROR ||
	       curl_code == CURLE_WEIRD_SERVER_REPLY || curl_code == CURLE_PARTIAL_FILE ||
	       curl_code == CURLE_HTTP2 || curl_code == CURLE_HTTP2_STREAM;
}

enum links_verdict links_classify(int is_head, int curl_code, long http_status, int body_cut,
                                  enum links_failure *kind)
{
	int answered =
	    curl_code == CURLE_OK || (!is_head && body_cut && curl_code == CURLE_WRITE_ERROR);

	*kind = LINKS_NONE;
	if (!answered) {
		if (is_head && head_dropped(curl_code))
			return LINKS_RETRY_GET;
		*kind = failure_of(curl_code);
		return LINKS_FAILED;
	}
	if (http_status < 100) {
		*kind = LINKS_OTHER;
		return LINKS_FAILED;
	}
	/* 401 and 403: the server is there and wants the viewer signed in
	 * (Kerberos on the intranet answers every unauthenticated request so):
	 * the link works for those who may see it. */
	if ((http_status >= 200 && http_status < 400) || http_status == 401 || http_status == 403)
		return LINKS_WORKS;
	if (is_head && http_status >= 400)
		return LINKS_RETRY_GET;
	*kind = LINKS_STATUS;
	return LINKS_FAILED;
}

int links_failures_after(int failures_before, int same_url, int failed)
{
	if (!failed)
		return 0;
	if (!same_url || failures_before < 0)
		return 1;
	return failures_before + 1;
}

int links_is_broken(int failures_in_row)
{
	return failures_in_row >= LINKS_BROKEN_AFTER;
}

/* ---- the checks ------------------------------------------------------------------- */

/* One transfer in flight: the easy handle is reused for the GET after a
 * refused HEAD and for the next link. */
struct xfer {
	CURL *h;
	struct links_check *c;
	int is_head;
	int body_cut;
	struct timespec start;
	char errbuf[CURL_ERROR_SIZE];
};

static double seconds(const struct timespec *t)
{
	return (double)t->tv_sec + (double)t->tv_nsec / 1e9;
}

/* The body of a GET is not wanted: the answer's status is known once the
 * first byte arrives, so the transfer ends there (a write error to curl). */
static size_t cut_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;

	(void)data;
	if (size * nmemb == 0)
		return 0;
	x->body_cut = 1;
	return 0;
}

static size_t skip_header(char *data, size_t size, size_t nitems, void *arg)
{
	(void)data;
	(void)arg;
	return size * nitems;
}

/* Sets up x's handle for its link, HEAD or GET. Returns 0 or -1. */
static int xfer_setup(struct xfer *x, const struct links_opts *o)
{
	CURL *h = x->h;
	long ms = (long)o->timeout_s * 1000L;
	int bad = 0;

	curl_easy_reset(h);
	x->body_cut = 0;
	x->errbuf[0] = '\0';
	bad |= curl_easy_setopt(h, CURLOPT_URL, x->c->url) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_PRIVATE, x) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)LINKS_MAX_REDIRS) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_USERAGENT, LINKS_USER_AGENT) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, skip_header) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cut_body) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_WRITEDATA, x) != CURLE_OK;
	if (x->is_head)
		bad |= curl_easy_setopt(h, CURLOPT_NOBODY, 1L) != CURLE_OK;
	else
		bad |= curl_easy_setopt(h, CURLOPT_HTTPGET, 1L) != CURLE_OK;
	return bad ? -1 : 0;
}

/* Starts the check of c on x (HEAD first). Returns 0, or -1 when the
 * transfer could not be set up (the check is then a failure of kind other). */
static int xfer_start(CURLM *m, struct xfer *x, struct links_check *c, const struct links_opts *o)
{
	struct timespec now;

	x->c = c;
	x->is_head = 1;
	clock_gettime(CLOCK_MONOTONIC, &x->start);
	clock_gettime(CLOCK_REALTIME, &now);
	c->checked_at = seconds(&now);
	if (xfer_setup(x, o) != 0 || curl_multi_add_handle(m, x->h) != CURLM_OK) {
		c->failure = LINKS_OTHER;
		snprintf(c->error, sizeof c->error, "could not set up the request");
		x->c = NULL;
		return -1;
	}
	return 0;
}

/* A transfer of x ended with code: the check's outcome, or the GET after a
 * refused HEAD. Returns 1 when x is busy again (the GET), 0 when free. */
static int xfer_done(CURLM *m, struct xfer *x, CURLcode code, const struct links_opts *o)
{
	struct links_check *c = x->c;
	struct timespec end;
	enum links_failure kind;
	enum links_verdict v;
	long status = 0;

	curl_multi_remove_handle(m, x->h);
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	v = links_classify(x->is_head, (int)code, status, x->body_cut, &kind);
	if (v == LINKS_RETRY_GET) {
		x->is_head = 0;
		if (xfer_setup(x, o) == 0 && curl_multi_add_handle(m, x->h) == CURLM_OK)
			return 1;
		v = LINKS_FAILED;
		kind = LINKS_OTHER;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	c->elapsed_ms = (long)((seconds(&end) - seconds(&x->start)) * 1000.0 + 0.5);
	c->used_get = !x->is_head;
	c->failure = v == LINKS_WORKS ? LINKS_NONE : kind;
	c->http_status = c->failure == LINKS_NONE || c->failure == LINKS_STATUS ? status : 0;
	c->error[0] = '\0';
	if (c->failure != LINKS_NONE && c->failure != LINKS_STATUS)
		snprintf(c->error, sizeof c->error, "%s",
		         x->errbuf[0] != '\0' ? x->errbuf : curl_easy_strerror(code));
	x->c = NULL;
	return 0;
}

int links_run(struct links_check *checks, size_t n, const struct links_opts *o, char *err,
              size_t errlen)
{
	size_t slots = (size_t)o->parallel, next = 0, busy = 0;
	struct xfer *x = NULL;
	CURLM *m = NULL;
	int rc = -1;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "could not initialise libcurl");
		return -1;
	}
	if (slots > n)
		slots = n;
	if (slots == 0) {
		curl_global_cleanup();
		return 0;
	}
	m = curl_multi_init();
	x = calloc(slots, sizeof *x);
	if (m == NULL || x == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < slots; i++) {
		x[i].h = curl_easy_init();
		if (x[i].h == NULL) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	for (;;) {
		CURLMsg *msg;
		int running, left;

		for (size_t i = 0; i < slots && next < n; i++) {
			if (x[i].c == NULL && xfer_start(m, &x[i], &checks[next++], o) == 0)
				busy++;
		}
		if (busy == 0 && next >= n)
			break;
		if (curl_multi_perform(m, &running) != CURLM_OK) {
			snprintf(err, errlen, "libcurl failed while checking");
			goto out;
		}
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			struct xfer *done = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&done);
			if (done != NULL && done->c != NULL &&
			    xfer_done(m, done, msg->data.result, o) == 0)
				busy--;
		}
		if (busy > 0 && curl_multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK) {
			snprintf(err, errlen, "libcurl failed while waiting");
			goto out;
		}
	}
	rc = 0;
out:
	for (size_t i = 0; x != NULL && i < slots; i++) {
		if (x[i].h != NULL) {
			if (x[i].c != NULL)
				curl_multi_remove_handle(m, x[i].h);
			curl_easy_cleanup(x[i].h);
		}
	}
	free(x);
	if (m != NULL)
		curl_multi_cleanup(m);
	curl_global_cleanup();
	return rc;
}

/* ---- the statements -------------------------------------------------------------- */

/* clang-format off */

/* One check at a time: the second waits for nothing and says so. */
static const char sql_lock[] =
	"SELECT pg_try_advisory_lock(hashtext('portalctl links check')) AS locked";

static const char sql_targets[] =
	"SELECT r.id, r.url, coalesce(lc.failures_in_row, 0) AS failures_in_row,"
	"  lc.url AS last_url"
	" FROM reports r LEFT JOIN link_checks lc ON lc.report_id = r.id"
	" WHERE r.status = 'published'"
	"  AND ($1::bigint[] IS NULL OR r.id = ANY ($1::bigint[]))"
	" ORDER BY r.id";

/* failing_since: when the first failure of the current row of them was
 * checked; the count itself is links_failures_after's. */
static const char sql_store[] =
	"WITH v AS ("
	"  SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::text[],"
	"   $6::int[], $7::int[], $8::float8[], $9::text[])"
	"  AS v (report_id, url, http_status, failure, error, elapsed_ms, failures, checked,"
	"   method)),"
	" up AS ("
	"  INSERT INTO link_checks AS lc (report_id, url, checked_at, method, http_status,"
	"   failure, error, elapsed_ms, failures_in_row, failing_since)"
	"  SELECT v.report_id, v.url, to_timestamp(v.checked), v.method, v.http_status,"
	"   v.failure, v.error, v.elapsed_ms, v.failures,"
	"   CASE WHEN v.failures > 0 THEN to_timestamp(v.checked) END"
	"  FROM v JOIN reports r ON r.id = v.report_id"
	"  ON CONFLICT (report_id) DO UPDATE SET"
	"   url = EXCLUDED.url, checked_at = EXCLUDED.checked_at, method = EXCLUDED.method,"
	"   http_status = EXCLUDED.http_status, failure = EXCLUDED.failure,"
	"   error = EXCLUDED.error, elapsed_ms = EXCLUDED.elapsed_ms,"
	"   failures_in_row = EXCLUDED.failures_in_row,"
	"   failing_since = CASE WHEN EXCLUDED.failures_in_row = 0 THEN NULL"
	"    WHEN EXCLUDED.failures_in_row = 1 THEN EXCLUDED.checked_at"
	"    ELSE coalesce(lc.failing_since, EXCLUDED.checked_at) END"
	"  RETURNING lc.report_id)"
	" SELECT v.report_id::text AS id, coalesce(v.http_status::text, v.failure) AS result,"
	"  v.elapsed_ms::text AS ms, v.failures::text AS failed, v.url"
	" FROM v JOIN up ON up.report_id = v.report_id"
	" ORDER BY v.report_id";

/* clang-format on */

const struct db_stmt links_stmts[] = {
	{ "links_lock", sql_lock, 0 },
	{ "links_targets", sql_targets, 1 },
	{ "links_store", sql_store, 9 },
	{ NULL, NULL, 0 },
};

/* Appends s to the array literal b as a quoted element, or NULL. */
static void array_text(struct buf *b, const char *s)
{
	if (b->len > 1)
		buf_putc(b, ',');
	if (s == NULL) {
		buf_puts(b, "NULL");
		return;
	}
	buf_putc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

PGresult *links_store(struct db *db, const struct links_check *checks, const int *failures_before,
                      const int *same_url, size_t n, enum db_status *st)
{
	struct buf a[9] = { 0 };
	const char *p[9];
	PGresult *res;

	for (size_t k = 0; k < 9; k++)
		buf_putc(&a[k], '{');
	for (size_t i = 0; i < n; i++) {
		const struct links_check *c = &checks[i];
		int failed = c->failure != LINKS_NONE;
		char num[64];

		snprintf(num, sizeof num, "%lld", c->id);
		array_text(&a[0], num);
		array_text(&a[1], c->url);
		snprintf(num, sizeof num, "%ld", c->http_status);
		array_text(&a[2], c->http_status > 0 ? num : NULL);
		array_text(&a[3], links_failure_name(c->failure));
		array_text(&a[4], c->error[0] != '\0' ? c->error : NULL);
		snprintf(num, sizeof num, "%ld", c->elapsed_ms);
		array_text(&a[5], num);
		snprintf(num, sizeof num, "%d",
		         links_failures_after(failures_before[i], same_url[i], failed));
		array_text(&a[6], num);
		snprintf(num, sizeof num, "%.6f", c->checked_at);
		array_text(&a[7], num);
		array_text(&a[8], c->used_get ? "GET" : "HEAD");
	}
	for (size_t k = 0; k < 9; k++) {
		buf_putc(&a[k], '}');
		p[k] = buf_str(&a[k]);
	}
	res = db_exec(db, "links_store", 9, p, st);
	for (size_t k = 0; k < 9; k++)
		buf_free(&a[k]);
	return res;
}
