/*
 * links: do the reports' links still work? (issue 18, item 4). The one home
 * of the link check: which outcome of a request counts as a working link
 * and which as what kind of failure, the "failed twice in a row" rule, the
 * requests themselves (libcurl's multi interface: HEAD, then GET where HEAD
 * is refused, at most N at once, a timeout per request, redirects within a
 * limit, http and https only), and the statements that read what to check
 * and store the outcomes in link_checks (schema 0023). `portalctl links
 * check` (lib/ctl_links.c) is its front end; the admin pages read what it
 * stored (lib/admin_links.c, admin_reports.c) with LINKS_BROKEN_SQL.
 */
#ifndef LINKS_H
#define LINKS_H

#include <stddef.h>

#include "db.h"

/* A link is broken, and shown to administrators, when this many checks in
 * a row failed (and the report's URL is still the one checked). */
#define LINKS_BROKEN_AFTER 2
#define LINKS_STR_(x)      #x
#define LINKS_STR(x)       LINKS_STR_(x)
/* SQL: whether link_checks row lc is a broken link of report r now. */
#define LINKS_BROKEN_SQL(lc, r)                                                                    \
	"(" lc ".failures_in_row >= " LINKS_STR(LINKS_BROKEN_AFTER) " AND " lc ".url = " r ".url)"

#define LINKS_USER_AGENT   "Rapportageportaal-linkcheck/1 (+intranet)"
#define LINKS_MAX_REDIRS   5
#define LINKS_PARALLEL     8  /* default of --parallel */
#define LINKS_TIMEOUT_S    10 /* default of --timeout */
#define LINKS_PARALLEL_MAX 64
#define LINKS_TIMEOUT_MAX  300

/* ---- the rules (no I/O: each has a unit test) ----------------------------- */

/* What one request's outcome means. */
enum links_verdict {
	LINKS_WORKS,     /* an answer of 200-399, or 401/403: the server is there and
	                    asks the viewer to sign in, which the checker cannot */
	LINKS_FAILED,    /* final: see the kind */
	LINKS_RETRY_GET, /* HEAD was refused (any answer of 400 or more, or a server
	                    that drops HEAD): ask again with GET */
};

/* The kind of a failure, as link_checks.failure stores it. */
enum links_failure {
	LINKS_NONE = 0,
	LINKS_STATUS,    /* an answer of 400 or more (after redirects) */
	LINKS_TIMEOUT,   /* no answer within the timeout */
	LINKS_DNS,       /* the host name is unknown */
	LINKS_CONNECT,   /* no connection (refused, unreachable) */
	LINKS_TLS,       /* the TLS handshake or the certificate failed */
	LINKS_REDIRECTS, /* more redirects than LINKS_MAX_REDIRS */
	LINKS_PROTOCOL,  /* not http or https (also a redirect to one), a bad URL */
	LINKS_OTHER,     /* anything else: the error text says what */
};

/*
 * Classifies one request: is_head (1 for HEAD, 0 for GET), curl_code (the
 * CURLcode of the transfer), http_status (CURLINFO_RESPONSE_CODE, 0 when no
 * answer), body_cut (1 when the transfer was ended on purpose at the first
 * byte of a GET's body, which curl reports as a write error). Sets *kind
 * (LINKS_NONE unless failed). HEAD is retried with GET when refused; a
 * timeout, an unknown host or no connection is not, since GET would fail
 * the same way and double the time.
 */
enum links_verdict links_classify(int is_head, int curl_code, long http_status, int body_cut,
                                  enum links_failure *kind);

/* The stored name of kind ("status", "timeout", ...); NULL for LINKS_NONE. */
const char *links_failure_name(enum links_failure kind);

/* The count of failures in a row after a check: 0 when it worked; else one
 * more than before when the URL is the one checked last time (same_url),
 * else 1 (an edited link starts again). */
int links_failures_after(int failures_before, int same_url, int failed);

/* 1 when failures_in_row failures in a row make a broken link. */
int links_is_broken(int failures_in_row);

/* ---- the checks --------------------------------------------------------------- */

struct links_opts {
	int parallel;  /* at most this many requests at once, 1..LINKS_PARALLEL_MAX */
	int timeout_s; /* per request, 1..LINKS_TIMEOUT_MAX */
};

/* One link to check (id and url point into the caller's memory) and its
 * outcome. */
struct links_check {
	long long id;
	const char *url;
	/* outcome, set by links_run */
	long http_status;           /* the final answer's status, 0 when none */
	enum links_failure failure; /* LINKS_NONE when it works */
	char error[256];            /* what went wrong, "" when it works or for LINKS_STATUS */
	long elapsed_ms;            /* HEAD and, when retried, GET together */
	int used_get;               /* the outcome is GET's */
	double checked_at;          /* when the check started, seconds since the epoch */
};

/*
 * Checks every link of checks[0..n) with libcurl's multi interface, at most
 * o->parallel at once, and fills in their outcomes. Returns 0, or -1 with a
 * message in err when libcurl could not be set up (no check is then made).
 */
int links_run(struct links_check *checks, size_t n, const struct links_opts *o, char *err,
              size_t errlen);

/* ---- the statements ------------------------------------------------------------ */

/*
 *  links_lock     no parameters: pg_try_advisory_lock of the check, "t" when
 *                 this session has it (one check at a time; it is held until
 *                 the connection ends)
 *  links_targets  $1 report ids (bigint[] literal, NULL for all): the
 *                 published reports to check, by id: id, url,
 *                 failures_in_row (0 when never checked), last_url (NULL)
 *  links_store    $1..$8 arrays (bigint[] ids, text[] urls, int[] statuses,
 *                 text[] failures, text[] errors, int[] elapsed ms, int[]
 *                 failures in a row, float8[] checked_at as epoch; NULL
 *                 elements for SQL NULL) and $9 text[] methods: upserts
 *                 link_checks (a report deleted meanwhile is skipped) and
 *                 returns the stored rows by id as portalctl's table: id,
 *                 result (the status, or the failure and error), ms,
 *                 failed (failures in a row), url
 */
extern const struct db_stmt links_stmts[];

/*
 * Stores the outcomes of checks[0..n) with links_store; failures_before[i]
 * and same_url[i] are what links_targets said of checks[i]. Returns the
 * table's result (the caller PQclears), or NULL with *st saying why.
 */
PGresult *links_store(struct db *db, const struct links_check *checks, const int *failures_before,
                      const int *same_url, size_t n, enum db_status *st);

#endif
