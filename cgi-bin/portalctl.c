/*
 * portalctl: the operator's command line for the portal database. For now it
 * applies schema migrations; user, role and report commands join the command
 * table below as they are written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "db.h"
#include "log.h"
#include "migrate.h"

#ifndef PORTAL_VERSION
#define PORTAL_VERSION "0.1.0"
#endif

#define PROG             "portalctl"
#define INSTALLED_SCHEMA "/usr/local/share/rapportageportaal/schema"

extern char **environ;

/* What every command gets: the configuration and, when it asked for one, a
 * connected database. */
struct ctx {
	struct cfg cfg;
	struct db *db;
};

struct command {
	const char *name;
	const char *args;
	const char *help;
	int needs_db;
	/* argv[0] is the command name. Returns the exit status. */
	int (*run)(struct ctx *c, int argc, char **argv);
};

static int cmd_migrate(struct ctx *c, int argc, char **argv);
static int cmd_help(struct ctx *c, int argc, char **argv);
static int cmd_version(struct ctx *c, int argc, char **argv);

static const struct command commands[] = {
	{ "migrate", "[--dir DIR] [--status]",
	  "apply pending schema migrations, or list them with --status", 1, cmd_migrate },
	{ "version", "", "print the version", 0, cmd_version },
	{ "help", "", "print this help", 0, cmd_help },
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fprintf(f, "usage: " PROG " [--env FILE] COMMAND [ARGS]\n\n"
	           "Commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++) {
		char left[64];

		snprintf(left, sizeof left, "%s %s", commands[i].name, commands[i].args);
		fprintf(f, "  %-32s %s\n", left, commands[i].help);
	}
	fprintf(f, "\nOptions:\n"
	           "  --env FILE                       read settings from FILE (default: .env, "
	           "if present)\n\n"
	           "Settings come from the environment and the .env file; DATABASE_URL names "
	           "the\ndatabase (connect as its owner, portal_owner, to migrate).\n");
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmd_migrate(struct ctx *c, int argc, char **argv)
{
	struct migrate_opts o = { NULL, PROG, stdout, stderr };
	int status = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--status") == 0) {
			status = 1;
		} else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
			o.dir = argv[++i];
		} else if (strncmp(argv[i], "--dir=", 6) == 0) {
			o.dir = argv[i] + 6;
		} else {
			fprintf(stderr, PROG ": migrate: unexpected argument \"%s\"\n", argv[i]);
			fprintf(stderr, "usage: " PROG " migrate [--dir DIR] [--status]\n");
			return 2;
		}
	}
	if (o.dir == NULL)
		o.dir = is_dir("schema") || !is_dir(INSTALLED_SCHEMA) ? "schema" : INSTALLED_SCHEMA;
	if (status)
		return migrate_status(db_conn(c->db), &o);
	return migrate_apply(db_conn(c->db), &o);
}

static int cmd_help(struct ctx *c, int argc, char **argv)
{
	(void)c;
	(void)argc;
	(void)argv;
	usage(stdout);
	return 0;
}

static int cmd_version(struct ctx *c, int argc, char **argv)
{
	(void)c;
	(void)argc;
	(void)argv;
	printf(PROG " (rapportageportaal) " PORTAL_VERSION "\n");
	return 0;
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	}
	return NULL;
}

/* Connects without a statement_timeout: a migration may build a big index. */
static int open_db(struct ctx *c)
{
	enum db_status st;

	if (c->cfg.database_url[0] == '\0') {
		fprintf(stderr, PROG ": DATABASE_URL is not set\n"
		                     "HINT:  Set it in the environment or in .env, e.g. "
		                     "DATABASE_URL=postgresql://portal_owner@localhost:5432/"
		                     "rapportageportaal\n");
		return -1;
	}
	c->db = db_new(c->cfg.database_url, 0, NULL, 0);
	if (c->db == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return -1;
	}
	st = db_connect(c->db);
	if (st != DB_OK) {
		fprintf(stderr, PROG ": could not connect to the database: %s\n",
		        db_last_message(c->db));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct command *cmd;
	const char *env = NULL;
	struct ctx c = { 0 };
	char err[1024];
	int i = 1, rc;

	if (i < argc && strcmp(argv[i], "--env") == 0) {
		if (i + 1 >= argc) {
			fprintf(stderr, PROG ": --env needs a file name\n");
			usage(stderr);
			return 2;
		}
		env = argv[i + 1];
		i += 2;
		if (access(env, R_OK) != 0) {
			fprintf(stderr, PROG ": could not read --env file \"%s\": %s\n", env,
			        strerror(errno));
			return 1;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
		return cmd_help(&c, argc - i, argv + i);
	if (strcmp(argv[i], "--version") == 0)
		return cmd_version(&c, argc - i, argv + i);
	cmd = find_command(argv[i]);
	if (cmd == NULL) {
		fprintf(stderr, PROG ": unknown command \"%s\"\n", argv[i]);
		usage(stderr);
		return 2;
	}

	if (cfg_load(&c.cfg, environ, env ? env : ".env", err, sizeof err) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	log_set_level(c.cfg.log_level);
	if (cmd->needs_db && open_db(&c) != 0) {
		db_free(c.db);
		return 1;
	}
	rc = cmd->run(&c, argc - i, argv + i);
	db_free(c.db);
	return rc;
}
