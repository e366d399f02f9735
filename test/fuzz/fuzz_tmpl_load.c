/*
 * fuzz_tmpl_load: templates from the input. Up to three files split at form
 * feeds (\f): page.xhtml, inc.xhtml and layout.xhtml (a small default for
 * each one missing; a fourth part is the shape of the values, else a hash
 * of the input is) are written to a scratch folder and loaded with
 * tmpl_load, which must load them or refuse them with "file:line: cause",
 * never crash. What loads is rendered, page in layout and inc alone, with
 * hostile values and with harmless ones of the same shape (tmpl_check.h):
 * the markup must be the same, and no value may make a URL attribute
 * javascript: or data:. The messages are fixed, with placeholders.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "tmpl.h"
#include "tmpl_check.h"

#define NS "xmlns:t=\"" TC_NS "\""

static char dir[64], msgdir[80];
static struct msgcat *msgs;

static const char *const files[] = { "page.xhtml", "inc.xhtml", "layout.xhtml" };
static const char *const defaults[] = {
	"<div " NS " t:title=\"m.title\"><p t:text=\"v.a\">x</p></div>",
	"<span " NS " t:text=\"v.b\">i</span>",
	"<html " NS "><head><title t:text=\"page_title\">t</title></head>"
	"<body><main t:body=\"\">b</main></body></html>",
};

/* Keys a template may name; their placeholders are in the model too. */
static const char msg_text[] = "m.title = Titel {v.a}\n"
                               "m.text = Tekst & <b>{v.b}</b>\n"
                               "m.url = javascript:alert({v.a})\n"
                               "m.rel = /reports?q={v.a}\n"
                               "m.plain = Hallo\n";

static const char *hostile[] = {
	"<script>alert(1)</script>",
	"javascript:alert(1)",
	"\" onmouseover=\"alert(1)",
	"\x01",
	" javascript:x",
	"data:text/html,<b>",
	"&amp;&#39;",
	"\x02",
	"JaVaScRiPt:alert(1)",
	"\x04 42",
	"\xc0\xaf\xff",
	"\x03",
};

static void write_file(const char *d, const char *name, const char *text, size_t n)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", d, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL || (n > 0 && fwrite(text, 1, n, f) != n) || fclose(f) != 0)
		abort();
}

static void cleanup(void)
{
	char path[128];
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		unlink(path);
	}
	snprintf(path, sizeof path, "%s/nl.msg", msgdir);
	unlink(path);
	snprintf(path, sizeof path, "%s/en.msg", msgdir);
	unlink(path);
	rmdir(msgdir);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[512];
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof dir, "/tmp/fuzz_tmpl_load.XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	/* Inside dir, so that it goes with it; tmpl_load reads only *.xhtml. */
	snprintf(msgdir, sizeof msgdir, "%s/messages", dir);
	if (mkdir(msgdir, 0700) != 0)
		abort();
	atexit(cleanup);
	write_file(msgdir, "nl.msg", msg_text, strlen(msg_text));
	write_file(msgdir, "en.msg", msg_text, strlen(msg_text));
	if (msgcat_load(msgdir, &msgs, err, sizeof err) != 0)
		abort();
	log_set_level(LOG_ERROR);
	return 0;
}

static void render_pair(struct tmpl_set *set, const struct tc_node *tree, int fragment,
                        const uint8_t *shape, size_t nshape)
{
	struct tc_input in = { .shape = shape,
		               .nshape = nshape,
		               .vals = hostile,
		               .nvals = sizeof hostile / sizeof hostile[0] };
	struct arena ar = ARENA_INIT;
	struct tvars *va, *vb;
	struct buf oa = { 0 }, ob = { 0 };
	char ea[512], eb[512];
	int ra, rb;

	tc_scopes(tree, &in, &ar, &va, &vb);
	if (fragment) {
		ra = tmpl_render_fragment(set, msgs, "nl", "inc", va, &oa, ea, sizeof ea);
		rb = tmpl_render_fragment(set, msgs, "nl", "inc", vb, &ob, eb, sizeof eb);
	} else {
		ra = tmpl_render(set, msgs, "en", "page", va, &oa, ea, sizeof ea);
		rb = tmpl_render(set, msgs, "en", "page", vb, &ob, eb, sizeof eb);
	}
	tc_compare_renders(ra, ea, &oa, rb, eb, &ob);
	buf_free(&oa);
	buf_free(&ob);
	tc_clear(&in);
	arena_free(&ar);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *part[4] = { defaults[0], defaults[1], defaults[2], NULL };
	size_t len[4] = { strlen(defaults[0]), strlen(defaults[1]), strlen(defaults[2]), 0 };
	size_t off = 0;
	for (int i = 0; i < 4 && off <= size; i++) {
		const char *ff = memchr(text + off, '\f', size - off);
		size_t n = ff ? (size_t)(ff - (text + off)) : size - off;
		if (n > 0 || i == 0) {
			part[i] = text + off;
			len[i] = n;
		}
		if (ff == NULL)
			break;
		off += n + 1;
	}
	for (int i = 0; i < 3; i++)
		write_file(dir, files[i], part[i], len[i]);

	struct tmpl_set *set;
	char err[512];
	memset(err, 0, sizeof err);
	if (tmpl_load(dir, &set, err, sizeof err) != 0) {
		/* Refused: with a message that names a file (and a line). */
		if (strncmp(err, dir, strlen(dir)) != 0 && strstr(err, "unknown") == NULL)
			tc_fail("a refused template without file in its message", err);
		return 0;
	}
	struct tc_model model = { 0 };
	for (int i = 0; i < 3; i++)
		tc_model_read(&model, part[i], len[i]);
	tc_add_placeholders(&model, msg_text);
	struct tc_node *tree = tc_tree(&model);
	/* The shape: a fourth part when there is one, else a hash of the
	 * input (FNV-1a), so that the templates stay plain text. */
	uint8_t hash[8];
	const uint8_t *shape = (const uint8_t *)part[3];
	size_t nshape = len[3];
	if (shape == NULL) {
		uint64_t h = 14695981039346656037ULL;
		for (size_t i = 0; i < size; i++)
			h = (h ^ data[i]) * 1099511628211ULL;
		memcpy(hash, &h, sizeof hash);
		shape = hash;
		nshape = sizeof hash;
	}
	render_pair(set, tree, 0, shape, nshape);
	render_pair(set, tree, 1, shape, nshape);
	tc_tree_free(tree);
	tc_model_free(&model);
	tmpl_free(set);
	return 0;
}
