/*
 * fuzz_cfg: the input is a .env file, then (after the first NUL byte) the
 * environment, one "NAME=value" a line. The file goes to cfg_load through a
 * memfd. A configuration that loads holds only values in their ranges; a
 * refused one has a message, with no control character in it when only the
 * file was given, and never the value of DATABASE_URL (it may hold a
 * password).
 */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cfg.h"

enum { MAX_ENV = 32 };

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_cfg: invariant broken: %s: %s\n", what, detail ? detail : "");
	abort();
}

static int in(int v, int lo, int hi)
{
	return v >= lo && v <= hi;
}

static void check_cfg(const struct cfg *c)
{
	if (memchr(c->database_url, '\0', sizeof c->database_url) == NULL ||
	    memchr(c->templates, '\0', sizeof c->templates) == NULL || c->templates[0] == '\0')
		fail("a string setting not NUL-terminated in its field, or empty templates", "");
	if (!in(c->workers, 1, 256) || !in(c->max_requests, 0, 1000000000) ||
	    !in(c->request_timeout, 1, 3600) || !in(c->statement_timeout, 10, 600000) ||
	    !in(c->session_idle, 60, 86400) || !in(c->session_max, 300, 604800) ||
	    !in(c->argon2_m_kib, 8192, 1048576) || !in(c->argon2_t, 1, 10))
		fail("a number setting out of its range", "");
	if (!in(c->ldap_timeout, 1, 300) || !in(c->ldap_page_size, 1, 10000) ||
	    !in(c->ldap_deactivate_max, 0, 1000000) ||
	    !in(c->ldap_deactivate_max_percent, 0, 100) || !in(c->ldap_groups_by_member, 0, 1))
		fail("an LDAP number setting out of its range", "");
	/* The attribute names: never empty, a letter or digit first, no blank. */
	const char *attrs[] = { c->ldap_username_attr, c->ldap_email_attr, c->ldap_name_attr };
	for (size_t i = 0; i < 3; i++)
		if (memchr(attrs[i], '\0', sizeof c->ldap_username_attr) == NULL ||
		    attrs[i][0] == '\0' || attrs[i][0] == '-' || strpbrk(attrs[i], " \t;=") != NULL)
			fail("an LDAP attribute name that is none", attrs[i]);
	if (strcmp(c->lang, "nl") != 0 && strcmp(c->lang, "en") != 0)
		fail("a language other than nl or en", c->lang);
	if (!in((int)c->log_level, LOG_DEBUG, LOG_ERROR))
		fail("an unknown log level", "");
}

/* file with every letter and digit of its DATABASE_URL lines' values
 * changed to the next one ("a" to "b", "9" to "0"): the same shape to the
 * parser, another secret. Returns 0 when there was none. */
static int other_secret(char *file)
{
	int changed = 0;
	for (char *p = file; p != NULL; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		p += strspn(p, " \t");
		if (strncmp(p, "export", 6) == 0 && (p[6] == ' ' || p[6] == '\t'))
			p += 6 + strspn(p + 6, " \t");
		if (strncmp(p, "DATABASE_URL=", 13) != 0)
			continue;
		for (char *v = p + 13; *v != '\0' && *v != '\n'; v++) {
			if ((*v >= 'a' && *v < 'z') || (*v >= 'A' && *v < 'Z') ||
			    (*v >= '0' && *v < '9'))
				*v = (char)(*v + 1);
			else if (*v == 'z' || *v == 'Z' || *v == '9')
				*v = (char)(*v == '9' ? '0' : *v - 25);
			else
				continue;
			changed = 1;
		}
	}
	return changed;
}

static int load(int fd, const char *path, const char *file, char *const *envp, struct cfg *c,
                char *err, size_t errlen)
{
	size_t n = strlen(file);
	if (ftruncate(fd, 0) != 0 || pwrite(fd, file, n, 0) != (ssize_t)n)
		abort();
	memset(err, 0, errlen);
	return cfg_load(c, envp, path, err, errlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create("fuzz_cfg.env", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}

	char *copy = malloc(size + 1);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	size_t file_len = strlen(copy);

	char *envp[MAX_ENV + 1];
	size_t n = 0;
	if (file_len < size) {
		for (char *line = copy + file_len + 1, *next; line && n < MAX_ENV; line = next) {
			char *nl = strchr(line, '\n');
			next = nl ? nl + 1 : NULL;
			if (nl)
				*nl = '\0';
			envp[n++] = line;
		}
	}
	envp[n] = NULL;

	struct cfg c;
	char err[512], err2[512];
	if (load(fd, path, copy, envp, &c, err, sizeof err) == 0) {
		check_cfg(&c);
	} else {
		if (err[0] == '\0')
			fail("a refused configuration without a message", "");
		if (n == 0)
			for (const unsigned char *p = (const unsigned char *)err; *p; p++)
				if (*p < 0x20 || *p == 0x7f)
					fail("a control character in a message", err);
		/* The message must not change with the secret. */
		if (other_secret(copy) && (load(fd, path, copy, envp, &c, err2, sizeof err2) == 0 ||
		                           strcmp(err, err2) != 0))
			fail("a message shows the value of DATABASE_URL", err);
	}
	free(copy);
	return 0;
}
