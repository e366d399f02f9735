/*
 * explain: the plans of the portal's statements as the portal runs them, for
 * test/browse/run. Prepares session_stmts and catalog_stmts through lib/db.c,
 * then EXPLAIN ANALYZEs each case of stdin with a custom and a generic plan.
 *
 *   explain CONNINFO [PLANDIR] <cases
 *
 * A case is one line: label, statement and its parameters, separated by tabs
 * (an empty field is the empty string; lines starting with '#' are skipped).
 * Each runs in a transaction that is rolled back, so report_go records
 * nothing. Output: first "role NAME superuser=on|off", then one line per
 * case and plan mode:
 *
 *   LABEL/custom <tab> MS <tab> Node Type on relation, Node Type, ...
 *
 * MS is the execution time; the list holds the nodes that ran (actual loops
 * above zero), in plan order, without repeats. With PLANDIR the whole plan of
 * each goes to PLANDIR/LABEL-MODE.txt, one node a line, indented.
 * Exit status 0 when every case ran, 1 otherwise.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "catalog.h"
#include "db.h"
#include "session.h"

#define MAX_PARAMS 8

/* Every node of an EXPLAIN (FORMAT JSON) result with its depth, in plan
 * order: the path of child positions sorts a tree depth first. */
static const char sql_nodes[] =
    "WITH RECURSIVE t(node, path) AS ("
    " SELECT $1::jsonb -> 0 -> 'Plan', ARRAY[1]"
    " UNION ALL"
    " SELECT c.value, t.path || c.ord::int"
    " FROM t, jsonb_array_elements(t.node -> 'Plans') WITH ORDINALITY c(value, ord))"
    " SELECT cardinality(path) - 1 AS depth, what,"
    "  coalesce(' using ' || (node ->> 'Index Name'), '')"
    "   || coalesce(' (' || (node ->> 'Parent Relationship') || ')', '')"
    "   || ' rows=' || coalesce(node ->> 'Actual Rows', '?')"
    "   || ' loops=' || coalesce(node ->> 'Actual Loops', '?')"
    "   || ' hit=' || coalesce(node ->> 'Shared Hit Blocks', '?')"
    "   || ' read=' || coalesce(node ->> 'Shared Read Blocks', '?')"
    "   || coalesce(' filter: ' || (node ->> 'Filter'), '') AS detail,"
    "  ran, ($1::jsonb -> 0 ->> 'Execution Time') AS ms,"
    /* The summary names each kind of node that ran once. */
    "  ran AND row_number() OVER (PARTITION BY what, ran ORDER BY path) = 1 AS listed"
    " FROM t, LATERAL (SELECT coalesce((node ->> 'Actual Loops')::numeric > 0, false) AS ran,"
    "  (node ->> 'Node Type') || coalesce(' on ' || (node ->> 'Relation Name'), '') AS what) w"
    " ORDER BY path";

static int run_command(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "explain: %s: %s", sql, PQerrorMessage(conn));
	PQclear(res);
	return ok ? 0 : -1;
}

/* Splits line (modified) at tabs into at most max fields; returns the count. */
static int split_tabs(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;
	while (n < max) {
		fields[n++] = p;
		char *tab = strchr(p, '\t');
		if (tab == NULL)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	return n;
}

/* EXPLAIN ... EXECUTE stmt('p1', ...): the parameters as quoted literals. */
static int explain_sql(PGconn *conn, struct buf *sql, char **fields, int n)
{
	buf_reset(sql);
	buf_puts(sql, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE ");
	char *name = PQescapeIdentifier(conn, fields[1], strlen(fields[1]));
	if (name == NULL)
		return -1;
	buf_puts(sql, name);
	PQfreemem(name);
	if (n > 2) {
		buf_putc(sql, '(');
		for (int i = 2; i < n; i++) {
			char *lit = PQescapeLiteral(conn, fields[i], strlen(fields[i]));
			if (lit == NULL)
				return -1;
			buf_puts(sql, i > 2 ? ", " : "");
			buf_puts(sql, lit);
			PQfreemem(lit);
		}
		buf_putc(sql, ')');
	}
	return 0;
}

/* Prints the summary line of one plan and writes its tree to plandir. */
static int report_plan(PGconn *conn, const char *label, const char *mode, const char *json,
                       const char *plandir)
{
	const char *params[] = { json };
	PGresult *res = PQexecParams(conn, sql_nodes, 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) == 0) {
		fprintf(stderr, "explain: %s/%s: reading the plan: %s", label, mode,
		        PQerrorMessage(conn));
		PQclear(res);
		return -1;
	}
	FILE *f = NULL;
	if (plandir != NULL) {
		struct buf path = { 0 };
		buf_printf(&path, "%s/%s-%s.txt", plandir, label, mode);
		f = fopen(buf_str(&path), "w");
		if (f == NULL)
			perror(buf_str(&path));
		buf_free(&path);
	}
	struct buf ran = { 0 };
	printf("%s/%s\t%s\t", label, mode, PQgetvalue(res, 0, 4));
	for (int i = 0; i < PQntuples(res); i++) {
		const char *what = PQgetvalue(res, i, 1);
		if (f != NULL)
			fprintf(f, "%*s%s%s%s\n", 2 * atoi(PQgetvalue(res, i, 0)), "", what,
			        PQgetvalue(res, i, 2),
			        strcmp(PQgetvalue(res, i, 3), "t") == 0 ? "" : " (never executed)");
		if (strcmp(PQgetvalue(res, i, 5), "t") == 0) {
			if (ran.len > 0)
				buf_puts(&ran, ", ");
			buf_puts(&ran, what);
		}
	}
	printf("%s\n", buf_str(&ran));
	fflush(stdout);
	buf_free(&ran);
	if (f != NULL && fclose(f) != 0)
		perror("explain: writing the plan");
	PQclear(res);
	return 0;
}

/* Runs one case in one plan mode; returns 0 when it ran. */
static int run_case(PGconn *conn, char **fields, int n, const char *mode, const char *plandir)
{
	struct buf sql = { 0 };
	struct buf set = { 0 };
	int rc = -1;
	buf_printf(&set, "SET plan_cache_mode = force_%s_plan", mode);
	if (run_command(conn, buf_str(&set)) < 0 || explain_sql(conn, &sql, fields, n) < 0 ||
	    run_command(conn, "BEGIN") < 0)
		goto out;
	PGresult *res = PQexec(conn, buf_str(&sql));
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		fprintf(stderr, "explain: %s/%s: %s", fields[0], mode, PQerrorMessage(conn));
		PQclear(res);
		run_command(conn, "ROLLBACK");
		goto out;
	}
	char *json = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (json == NULL || run_command(conn, "ROLLBACK") < 0) {
		free(json);
		goto out;
	}
	rc = report_plan(conn, fields[0], mode, json, plandir);
	free(json);
out:
	buf_free(&sql);
	buf_free(&set);
	return rc;
}

/* The portal's own statement list: session_stmts then catalog_stmts. */
static struct db_stmt *portal_stmts(size_t *n)
{
	const struct db_stmt *const sets[] = { session_stmts, catalog_stmts, NULL };
	size_t count = 0;
	for (const struct db_stmt *const *set = sets; *set; set++)
		for (const struct db_stmt *st = *set; st->name; st++)
			count++;
	struct db_stmt *all = calloc(count + 1, sizeof(*all));
	if (all == NULL)
		return NULL;
	count = 0;
	for (const struct db_stmt *const *set = sets; *set; set++)
		for (const struct db_stmt *st = *set; st->name; st++)
			all[count++] = *st;
	*n = count;
	return all;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: explain CONNINFO [PLANDIR] <cases\n");
		return 2;
	}
	size_t n_stmts;
	struct db_stmt *stmts = portal_stmts(&n_stmts);
	struct db *db = stmts ? db_new(argv[1], 30000, stmts, n_stmts) : NULL;
	if (db == NULL) {
		fprintf(stderr, "explain: out of memory\n");
		free(stmts);
		return 1;
	}
	if (db_connect(db) != DB_OK) {
		fprintf(stderr, "explain: cannot connect or prepare: %s\n", db_last_message(db));
		db_free(db);
		free(stmts);
		return 1;
	}
	PGconn *conn = db_conn(db);
	/* The pool's role, so that its grants are what the plans run under. */
	PGresult *res = PQexec(conn, "SET ROLE portal_web");
	PQclear(res);
	res = PQexec(conn, "SELECT current_user,"
	                   " (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)");
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		printf("role %s superuser=%s\n", PQgetvalue(res, 0, 0),
		       strcmp(PQgetvalue(res, 0, 1), "t") == 0 ? "on" : "off");
	PQclear(res);

	const char *plandir = argc == 3 ? argv[2] : NULL;
	static const char *const modes[] = { "custom", "generic" };
	int failed = 0;
	char line[4096];
	while (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		char *fields[2 + MAX_PARAMS];
		int n = split_tabs(line, fields, 2 + MAX_PARAMS);
		if (n < 2) {
			fprintf(stderr, "explain: a case needs a label and a statement: %s\n",
			        line);
			failed = 1;
			continue;
		}
		for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
			if (run_case(conn, fields, n, modes[m], plandir) < 0)
				failed = 1;
	}
	db_free(db);
	free(stmts);
	return failed;
}
