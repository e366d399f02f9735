/*
 * errpages: renders the error pages that nginx serves as static files (see
 * errpages.h). No request, no session: the layout shows neither the signed-in
 * user nor the language links, and the page gives no request reference.
 */
#include "errpages.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"

const int errpages_codes[] = { 400, 403, 404, 405, 413, 429, 501, 503 };
const size_t errpages_n_codes = sizeof(errpages_codes) / sizeof(errpages_codes[0]);

static const char *const langs[] = { "nl", "en" };

/* Writes len bytes of s to path through path.tmp and rename(2). */
static int write_file(const char *path, const char *s, size_t len, char *err, size_t errlen)
{
	char tmp[4096];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	FILE *f = fopen(tmp, "w");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	int ok = fwrite(s, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", ok ? path : tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int errpages_write(const struct tmpl_set *set, const struct msgcat *msgs, const char *dir,
                   char *err, size_t errlen)
{
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	struct arena a = ARENA_INIT;
	struct buf out = { 0 };
	int written = 0;
	for (size_t i = 0; i < errpages_n_codes && written >= 0; i++) {
		char page[32];
		snprintf(page, sizeof(page), "error/%d", errpages_codes[i]);
		for (size_t l = 0; l < sizeof(langs) / sizeof(langs[0]); l++) {
			char path[4096], rerr[512];
			buf_reset(&out);
			if (tmpl_render(set, msgs, langs[l], page, tvars_new(&a), &out, rerr,
			                sizeof(rerr)) != 0) {
				snprintf(err, errlen, "%s (%s): %s", page, langs[l], rerr);
				written = -1;
				break;
			}
			if ((size_t)snprintf(path, sizeof(path), "%s/%d.%s.html", dir,
			                     errpages_codes[i], langs[l]) >= sizeof(path)) {
				snprintf(err, errlen, "%s: path too long", dir);
				written = -1;
				break;
			}
			if (write_file(path, buf_str(&out), out.len, err, errlen) < 0) {
				written = -1;
				break;
			}
			written++;
		}
	}
	buf_free(&out);
	arena_free(&a);
	return written;
}
