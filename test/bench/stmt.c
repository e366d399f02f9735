/*
 * stmt: prints one of the portal's prepared statements exactly as the built
 * library has it, so that test/bench/run measures whatever lib/ holds today
 * rather than a copy of the SQL that drifts.
 *
 *   stmt NAME      the SQL text of NAME (session_stmts or catalog_stmts)
 *   stmt -n NAME   its number of parameters
 *
 * Exit status 0, or 1 when there is no statement NAME.
 */
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "db.h"
#include "session.h"

static const struct db_stmt *find_stmt(const char *name)
{
	const struct db_stmt *const sets[] = { session_stmts, catalog_stmts, NULL };
	for (const struct db_stmt *const *set = sets; *set; set++)
		for (const struct db_stmt *st = *set; st->name; st++)
			if (strcmp(st->name, name) == 0)
				return st;
	return NULL;
}

int main(int argc, char **argv)
{
	int count = argc == 3 && strcmp(argv[1], "-n") == 0;
	if (argc != 2 + count || argv[1 + count][0] == '-') {
		fprintf(stderr, "usage: stmt [-n] NAME\n");
		return 2;
	}
	const struct db_stmt *st = find_stmt(argv[1 + count]);
	if (st == NULL) {
		fprintf(stderr, "stmt: no statement named \"%s\" in the library\n",
		        argv[1 + count]);
		return 1;
	}
	if (count)
		printf("%d\n", st->nparams);
	else
		printf("%s\n", st->sql);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("stmt: writing");
		return 1;
	}
	return 0;
}
