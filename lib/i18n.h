/*
 * i18n: message catalogues and the choice of language. Dutch first, English
 * second: every user-visible text lives in templates/messages/{nl,en}.msg,
 * never in C.
 *
 * Catalogue format, UTF-8: one "key = text" per line; blank lines and lines
 * starting with '#' are skipped; keys are [a-z0-9_.-]+. Text may hold {expr}
 * placeholders, filled by the template engine.
 */
#ifndef I18N_H
#define I18N_H

#include <stddef.h>

struct msgcat;

/*
 * Loads dir/nl.msg and dir/en.msg. Both must define the same keys: a key in
 * one and not the other is an error. Returns 0, or -1 with err naming file,
 * line and problem:  templates/messages/en.msg: key "login.title" missing
 * (defined in nl.msg line 4)
 */
int msgcat_load(const char *dir, struct msgcat **out, char *err, size_t errlen);
void msgcat_free(struct msgcat *m);

/* The text of key in lang ("nl" or "en"; anything else means "nl"),
 * or NULL when the key is unknown. */
const char *msgcat_get(const struct msgcat *m, const char *lang, const char *key);

/*
 * Picks the page language: the lang cookie when it is "nl" or "en", else the
 * first supported language in Accept-Language by q-value ("en-GB;q=0.8"
 * matches en), else fallback. Returns a static string, "nl" or "en".
 */
const char *i18n_negotiate(const char *cookie, const char *accept_language, const char *fallback);

#endif
