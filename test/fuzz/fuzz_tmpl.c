/*
 * fuzz_tmpl: the shipped templates (templates/, or PORTAL_TEMPLATES) with
 * hostile data. The input is 8 shape bytes (which page, which language,
 * list lengths, rows or scopes, column types) and then the values, split at
 * NUL bytes, that fill every variable the templates read (tmpl_check.h:
 * \x01 true, \x02 false, \x03 null, \x04 a number, else a string). Each
 * page is rendered twice, with these values and with harmless ones of the
 * same shape, and the two outputs must have the same markup; no value may
 * put a javascript: or data: URL in an href, src or action.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "tmpl.h"
#include "tmpl_check.h"

static struct tmpl_set *set;
static struct msgcat *msgs;
static struct tc_model model;
static struct tc_node *tree;
static char *pages[128];
static size_t npages;

static void read_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	size_t n;
	if (f == NULL)
		abort();
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(out, chunk, n);
	fclose(f);
}

/* Every *.xhtml under dir: its name goes to pages, its expressions to
 * the model. */
static void scan(const char *dir, const char *rel)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (d == NULL)
		abort();
	while ((e = readdir(d)) != NULL) {
		char path[1024], sub[512];
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			scan(path, sub);
			continue;
		}
		size_t n = strlen(sub);
		if (n <= 6 || strcmp(sub + n - 6, ".xhtml") != 0)
			continue;
		struct buf text = { 0 };
		read_file(path, &text);
		tc_model_read(&model, text.data, text.len);
		buf_free(&text);
		sub[n - 6] = '\0';
		if (strcmp(sub, "layout") != 0 && npages < sizeof pages / sizeof pages[0])
			pages[npages++] = strdup(sub);
	}
	closedir(d);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *dir = getenv("PORTAL_TEMPLATES") ? getenv("PORTAL_TEMPLATES") : "templates";
	char err[512], path[1024];
	if (tmpl_load(dir, &set, err, sizeof err) != 0) {
		fprintf(stderr, "fuzz_tmpl: %s\n", err);
		exit(1);
	}
	snprintf(path, sizeof path, "%s/messages", dir);
	if (msgcat_load(path, &msgs, err, sizeof err) != 0) {
		fprintf(stderr, "fuzz_tmpl: %s\n", err);
		exit(1);
	}
	scan(dir, "");
	/* Every placeholder of every message. */
	for (int l = 0; l < 2; l++) {
		struct buf text = { 0 };
		snprintf(path, sizeof path, "%s/messages/%s.msg", dir, l ? "en" : "nl");
		read_file(path, &text);
		tc_add_placeholders(&model, buf_str(&text));
		buf_free(&text);
	}
	tree = tc_tree(&model);
	/* Unsafe URLs are logged; the log is not what this tests. */
	log_set_level(LOG_ERROR);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t shape[8] = { 0 };
	memcpy(shape, data, size < 8 ? size : 8);
	const char *rest = size > 8 ? (const char *)data + 8 : "";
	size_t rest_len = size > 8 ? size - 8 : 0;

	/* The values: NUL-separated, each a C string. */
	char *copy = malloc(rest_len + 1);
	const char **vals = malloc((rest_len + 1) * sizeof *vals);
	size_t nvals = 0;
	if (copy == NULL || vals == NULL)
		abort();
	memcpy(copy, rest, rest_len);
	copy[rest_len] = '\0';
	for (size_t i = 0; i < rest_len;) {
		vals[nvals++] = copy + i;
		i += strlen(copy + i) + 1;
	}

	struct tc_input in = { .shape = shape, .nshape = 8, .vals = vals, .nvals = nvals };
	const char *page = pages[tc_bits(&in, 8) % npages];
	const char *lang = tc_bits(&in, 1) ? "en" : "nl";
	int fragment = (int)tc_bits(&in, 1);

	struct arena ar = ARENA_INIT;
	struct tvars *va, *vb;
	tc_scopes(tree, &in, &ar, &va, &vb);
	struct buf oa = { 0 }, ob = { 0 };
	char ea[512], eb[512];
	int ra, rb;
	if (fragment) {
		ra = tmpl_render_fragment(set, msgs, lang, page, va, &oa, ea, sizeof ea);
		rb = tmpl_render_fragment(set, msgs, lang, page, vb, &ob, eb, sizeof eb);
	} else {
		ra = tmpl_render(set, msgs, lang, page, va, &oa, ea, sizeof ea);
		rb = tmpl_render(set, msgs, lang, page, vb, &ob, eb, sizeof eb);
	}
	tc_compare_renders(ra, ea, &oa, rb, eb, &ob);

	buf_free(&oa);
	buf_free(&ob);
	tc_clear(&in);
	arena_free(&ar);
	free(vals);
	free(copy);
	return 0;
}
