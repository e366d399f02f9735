/*
 * ctl_links: portalctl links check (see ctl_links.h); the checks and the
 * store are lib/links.c's.
 */
#include "ctl_links.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ctl.h"
#include "links.h"

/* A whole number lo..hi in s. Returns 0 with *v, or -1. */
static int parse_int(const char *s, int lo, int hi, int *v)
{
	char *end;
	long n;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	n = strtol(s, &end, 10);
	if (*end != '\0' || n < lo || n > hi)
		return -1;
	*v = (int)n;
	return 0;
}

/* The array literal of the ids in list ("3,7,9"), or -1 naming the bad one. */
static int parse_ids(const char *list, struct buf *out, FILE *err)
{
	const char *s = list;

	buf_putc(out, '{');
	for (;;) {
		size_t len = strcspn(s, ",");
		char one[32];
		long long id;

		if (len == 0 || len >= sizeof one) {
			fprintf(err,
			        CTL_PROG ": links check: invalid --reports \"%s\": report ids "
			                 "separated by commas\n",
			        list);
			return -1;
		}
		memcpy(one, s, len);
		one[len] = '\0';
		if (ctl_parse_id(one, &id) != 0) {
			fprintf(err, CTL_PROG ": links check: invalid report id \"%s\"\n", one);
			return -1;
		}
		buf_printf(out, "%s%lld", out->len > 1 ? "," : "", id);
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	buf_putc(out, '}');
	return 0;
}

/* With --reports, every id must be a published report: say which are not. */
static int all_found(const PGresult *res, const char *list, FILE *err)
{
	int missing = 0;

	for (const char *s = list; *s != '\0';) {
		size_t len = strcspn(s, ",");
		int found = 0;

		for (int i = 0; i < PQntuples(res) && !found; i++)
			found = strlen(PQgetvalue(res, i, 0)) == len &&
			        strncmp(PQgetvalue(res, i, 0), s, len) == 0;
		if (!found) {
			fprintf(err, CTL_PROG ": links check: no published report with id %.*s\n",
			        (int)len, s);
			missing++;
		}
		s += len + (s[len] == ',');
	}
	return missing == 0;
}

int ctl_links_check(struct db *db, const char *parallel, const char *timeout, const char *reports,
                    FILE *out, FILE *err)
{
	struct links_opts o = { LINKS_PARALLEL, LINKS_TIMEOUT_S };
	struct links_check *checks = NULL;
	int *before = NULL, *same = NULL;
	struct buf ids = { 0 };
	PGresult *res, *table;
	enum db_status st;
	char msg[256];
	int n, failed = 0, broken = 0, rc = 1;

	if (parallel != NULL && parse_int(parallel, 1, LINKS_PARALLEL_MAX, &o.parallel) != 0) {
		fprintf(err, CTL_PROG ": links check: invalid --parallel \"%s\": 1 to %d\n",
		        parallel, LINKS_PARALLEL_MAX);
		return 2;
	}
	if (timeout != NULL && parse_int(timeout, 1, LINKS_TIMEOUT_MAX, &o.timeout_s) != 0) {
		fprintf(err, CTL_PROG ": links check: invalid --timeout \"%s\": 1 to %d seconds\n",
		        timeout, LINKS_TIMEOUT_MAX);
		return 2;
	}
	if (reports != NULL && parse_ids(reports, &ids, err) != 0) {
		buf_free(&ids);
		return 2;
	}
	res = ctl_run(db, "links_lock", 0, NULL, "start the link check", err);
	if (res == NULL)
		goto out;
	if (!ctl_is_true(res, 0, 0)) {
		PQclear(res);
		fprintf(err, CTL_PROG ": links check: another link check is running; try again "
		                      "when it is done\n");
		goto out;
	}
	PQclear(res);
	{
		const char *p[] = { reports != NULL ? buf_str(&ids) : NULL };

		res = ctl_run(db, "links_targets", 1, p, "read the published reports", err);
	}
	if (res == NULL)
		goto out;
	if (reports != NULL && !all_found(res, reports, err)) {
		PQclear(res);
		goto out;
	}
	n = PQntuples(res);
	checks = calloc((size_t)n + 1, sizeof *checks);
	before = calloc((size_t)n + 1, sizeof *before);
	same = calloc((size_t)n + 1, sizeof *same);
	if (checks == NULL || before == NULL || same == NULL) {
		PQclear(res);
		fprintf(err, CTL_PROG ": out of memory\n");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		checks[i].id = db_int(res, i, "id");
		checks[i].url = db_text(res, i, "url");
		before[i] = (int)db_int(res, i, "failures_in_row");
		same[i] = !db_is_null(res, i, "last_url") &&
		          strcmp(db_text(res, i, "last_url"), checks[i].url) == 0;
	}
	if (links_run(checks, (size_t)n, &o, msg, sizeof msg) != 0) {
		PQclear(res);
		fprintf(err, CTL_PROG ": links check: %s\n", msg);
		goto out;
	}
	table = links_store(db, checks, before, same, (size_t)n, &st);
	PQclear(res); /* the urls of checks point into it */
	if (table == NULL) {
		ctl_db_failed(db, "store the outcomes", err);
		goto out;
	}
	for (int i = 0; i < PQntuples(table); i++) {
		long long f = db_int(table, i, "failed");

		failed += f > 0;
		broken += links_is_broken((int)f);
	}
	if (ctl_print_table(table, "report", "reports", out, err) != 0)
		goto out;
	fprintf(out, "%d failed, %d of them %d times or more in a row (/admin/links)\n", failed,
	        broken, LINKS_BROKEN_AFTER);
	rc = 0;
out:
	free(checks);
	free(before);
	free(same);
	buf_free(&ids);
	return rc;
}
