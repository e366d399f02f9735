/*
 * errpages: the static error pages nginx shows for the errors it answers
 * itself, when no pool is asked or none answers: a pool that is down or too
 * slow (502, 503, 504), a body, URL or header over nginx's limits (413, 414,
 * 400), the sign-in rate limit (429), a method nginx refuses (405: TRACE,
 * CONNECT, a POST to a static file), a Transfer-Encoding it does not know
 * (501), and a file or folder under /static/ that is missing or has no index
 * (404, 403). They come from the same templates
 * and catalogue as the pools' own error pages, rendered once (at install, and
 * when the dev environment starts) into one file per page and language, so
 * such a visitor too reads a page of the portal in Dutch or English.
 */
#ifndef ERRPAGES_H
#define ERRPAGES_H

#include <stddef.h>

#include "i18n.h"
#include "tmpl.h"

/* The pages written, as status codes; nginx maps its other codes onto these
 * (414 and 494 onto 400; 502 and 504 onto 503): see deploy/nginx/. */
extern const int errpages_codes[];
extern const size_t errpages_n_codes;

/*
 * Renders the template "error/CODE" in the layout for each code above and
 * each language ("nl", "en") into DIR/CODE.LANG.html (for example
 * dir/429.en.html), creating dir (mode 0755) when it does not exist. Each
 * file is written to a temporary name and renamed, so nginx never serves half
 * a page. Returns the number of files written, or -1 with err naming the
 * template or the file that failed.
 */
int errpages_write(const struct tmpl_set *set, const struct msgcat *msgs, const char *dir,
                   char *err, size_t errlen);

#endif
