/*
 * fuzz_i18n: the input is a pair of message catalogues, nl.msg and en.msg,
 * split at the first 0xff byte (which no valid catalogue holds; without
 * one, en.msg is a copy of nl.msg). They are written to a scratch folder
 * and loaded with msgcat_load; a catalogue that loads must give, for every
 * "key = text" line, that text, as a plain reading of the format here does.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "req.h"

static char dir[64];

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_i18n: invariant broken: %s: %s\n", what, detail ? detail : "");
	abort();
}

static void write_file(const char *name, const uint8_t *d, size_t n)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL || (n > 0 && fwrite(d, 1, n, f) != n) || fclose(f) != 0)
		abort();
}

static void remove_dir(void)
{
	char path[128];
	snprintf(path, sizeof path, "%s/nl.msg", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/en.msg", dir);
	unlink(path);
	rmdir(dir);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Every line of the file, read as i18n.h describes the format, must be
 * what msgcat_get answers for its key in lang. */
static void check_file(const struct msgcat *m, const char *lang, const uint8_t *d, size_t n)
{
	char *text = malloc(n + 1);
	if (text == NULL)
		abort();
	memcpy(text, d, n);
	text[n] = '\0';
	for (char *line = text, *next; line != NULL; line = next) {
		char *nl = strchr(line, '\n');
		next = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		size_t len = strlen(line);
		while (len > 0 && is_space(line[len - 1]))
			line[--len] = '\0';
		while (is_space(*line))
			line++;
		if (*line == '\0' || *line == '#')
			continue;
		char *eq = strchr(line, '=');
		if (eq == NULL)
			fail("a line without '=' was accepted", line);
		char *key_end = eq;
		while (key_end > line && is_space(key_end[-1]))
			key_end--;
		*key_end = '\0';
		const char *want = eq + 1;
		while (is_space(*want))
			want++;
		const char *got = msgcat_get(m, lang, line);
		if (got == NULL)
			fail("a key of the file is missing", line);
		if (strcmp(got, want) != 0)
			fail("a message differs from its line", line);
		if (!utf8_valid(got, strlen(got)))
			fail("a message that is not valid UTF-8", line);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (dir[0] == '\0') {
		snprintf(dir, sizeof dir, "/tmp/fuzz_i18n.XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
		atexit(remove_dir);
	}
	const uint8_t *sep = memchr(data, 0xff, size);
	const uint8_t *nl = data, *en = data;
	size_t nl_len = size, en_len = size;
	if (sep != NULL) {
		nl_len = (size_t)(sep - data);
		en = sep + 1;
		en_len = size - nl_len - 1;
	}
	write_file("nl.msg", nl, nl_len);
	write_file("en.msg", en, en_len);

	struct msgcat *m;
	char err[512];
	if (msgcat_load(dir, &m, err, sizeof err) == 0) {
		check_file(m, "nl", nl, nl_len);
		check_file(m, "en", en, en_len);
		if (msgcat_get(m, "nl", "") != NULL)
			fail("the empty key has a message", "");
		msgcat_free(m);
	} else if (err[0] == '\0' || memchr(err, '\0', sizeof err) == NULL) {
		fail("a refused catalogue without a message", err);
	}
	return 0;
}
