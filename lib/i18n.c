/*
 * i18n: the two message catalogues (nl, en) loaded from "key = text" files
 * into one open-addressing hash table, and the choice of page language from
 * the lang cookie and Accept-Language (see i18n.h).
 */
#include "i18n.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

enum { LANG_NL, LANG_EN, NLANG };

static const char *const lang_file[NLANG] = { "nl.msg", "en.msg" };

struct msg {
	const char *key;
	const char *text[NLANG];
	int line[NLANG];
};

struct msgcat {
	struct arena arena;
	struct msg *msgs;
	size_t n, cap;
	size_t *slots; /* index + 1 into msgs; 0 is empty; size is a power of two */
	size_t nslots;
};

static uint64_t hash_key(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static struct msg *find(const struct msgcat *m, const char *key)
{
	if (m->nslots == 0)
		return NULL;
	size_t mask = m->nslots - 1;
	for (size_t i = hash_key(key) & mask;; i = (i + 1) & mask) {
		size_t s = m->slots[i];
		if (s == 0)
			return NULL;
		if (strcmp(m->msgs[s - 1].key, key) == 0)
			return &m->msgs[s - 1];
	}
}

static void slot_put(size_t *slots, size_t nslots, const struct msg *msgs, size_t idx)
{
	size_t mask = nslots - 1;
	size_t i = hash_key(msgs[idx].key) & mask;
	while (slots[i] != 0)
		i = (i + 1) & mask;
	slots[i] = idx + 1;
}

/* Adds a new key (the caller checked it is absent) and returns its entry. */
static struct msg *add(struct msgcat *m, const char *key)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct msg *v = arena_alloc(&m->arena, cap * sizeof(*v));
		if (m->n > 0)
			memcpy(v, m->msgs, m->n * sizeof(*v));
		m->msgs = v;
		m->cap = cap;
	}
	/* Keep the table at most half full so probes stay short. */
	if ((m->n + 1) * 2 > m->nslots) {
		size_t nslots = m->nslots ? m->nslots * 2 : 128;
		size_t *slots = arena_alloc(&m->arena, nslots * sizeof(*slots));
		for (size_t i = 0; i < m->n; i++)
			slot_put(slots, nslots, m->msgs, i);
		m->slots = slots;
		m->nslots = nslots;
	}
	struct msg *e = &m->msgs[m->n];
	memset(e, 0, sizeof(*e));
	e->key = key;
	slot_put(m->slots, m->nslots, m->msgs, m->n);
	m->n++;
	return e;
}

static int valid_key(const char *s, size_t len)
{
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return 0;
	}
	return 1;
}

static int valid_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			n = 1;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (i + n >= len)
			return 0;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		/* Reject overlong forms, surrogates and values past U+10FFFF. */
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			return 0;
		i += n + 1;
	}
	return 1;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int load_file(struct msgcat *m, const char *dir, int lang, char *err, size_t errlen)
{
	char path[4096];
	int pn = snprintf(path, sizeof(path), "%s/%s", dir, lang_file[lang]);
	if (pn < 0 || (size_t)pn >= sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t linecap = 0;
	ssize_t got;
	int lineno = 0, rc = 0;
	while ((got = getline(&line, &linecap, f)) >= 0) {
		lineno++;
		size_t len = (size_t)got;
		if (memchr(line, '\0', len) != NULL || !valid_utf8((unsigned char *)line, len)) {
			snprintf(err, errlen, "%s:%d: not valid UTF-8", path, lineno);
			rc = -1;
			break;
		}
		while (len > 0 && is_space(line[len - 1]))
			len--;
		size_t start = 0;
		while (start < len && is_space(line[start]))
			start++;
		if (start == len || line[start] == '#')
			continue;
		const char *eq = memchr(line + start, '=', len - start);
		if (eq == NULL) {
			snprintf(err, errlen, "%s:%d: expected \"key = text\"", path, lineno);
			rc = -1;
			break;
		}
		size_t klen = (size_t)(eq - (line + start));
		while (klen > 0 && is_space(line[start + klen - 1]))
			klen--;
		if (!valid_key(line + start, klen)) {
			snprintf(err, errlen, "%s:%d: bad key \"%.*s\" (allowed: a-z 0-9 _ . -)",
			         path, lineno, (int)klen, line + start);
			rc = -1;
			break;
		}
		size_t t = (size_t)(eq + 1 - line);
		while (t < len && is_space(line[t]))
			t++;
		char *key = arena_strndup(&m->arena, line + start, klen);
		struct msg *e = find(m, key);
		if (e == NULL) {
			if (lang != LANG_NL) {
				snprintf(err, errlen, "%s:%d: key \"%s\" missing in %s", path,
				         lineno, key, lang_file[LANG_NL]);
				rc = -1;
				break;
			}
			e = add(m, key);
		} else if (e->text[lang] != NULL) {
			snprintf(err, errlen, "%s:%d: key \"%s\" defined twice (first on line %d)",
			         path, lineno, key, e->line[lang]);
			rc = -1;
			break;
		}
		e->text[lang] = arena_strndup(&m->arena, line + t, len - t);
		e->line[lang] = lineno;
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = -1;
	}
	free(line);
	fclose(f);
	return rc;
}

int msgcat_load(const char *dir, struct msgcat **out, char *err, size_t errlen)
{
	*out = NULL;
	struct msgcat *m = calloc(1, sizeof(*m));
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int lang = 0; lang < NLANG; lang++) {
		if (load_file(m, dir, lang, err, errlen) != 0) {
			msgcat_free(m);
			return -1;
		}
	}
	for (size_t i = 0; i < m->n; i++) {
		if (m->msgs[i].text[LANG_EN] == NULL) {
			snprintf(err, errlen, "%s/%s: key \"%s\" missing (defined in %s line %d)",
			         dir, lang_file[LANG_EN], m->msgs[i].key, lang_file[LANG_NL],
			         m->msgs[i].line[LANG_NL]);
			msgcat_free(m);
			return -1;
		}
	}
	*out = m;
	return 0;
}

void msgcat_free(struct msgcat *m)
{
	if (m == NULL)
		return;
	arena_free(&m->arena);
	free(m);
}

const char *msgcat_get(const struct msgcat *m, const char *lang, const char *key)
{
	if (m == NULL || key == NULL)
		return NULL;
	const struct msg *e = find(m, key);
	if (e == NULL)
		return NULL;
	int l = (lang != NULL && strcmp(lang, "en") == 0) ? LANG_EN : LANG_NL;
	return e->text[l];
}

static int ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Parses a q-value ("1", "0.8", "1.000") into thousandths; -1 if malformed. */
static int parse_q(const char *s, size_t len)
{
	if (len == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	int q = (s[0] - '0') * 1000;
	if (len == 1)
		return q;
	if (s[1] != '.' || len > 5)
		return -1;
	int scale = 100;
	for (size_t i = 2; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		q += (s[i] - '0') * scale;
		scale /= 10;
	}
	return q > 1000 ? -1 : q;
}

/* Which supported language a language range names: "en-GB" is en. */
static const char *match_tag(const char *s, size_t len)
{
	size_t primary = 0;
	while (primary < len && s[primary] != '-')
		primary++;
	if (primary != 2)
		return NULL;
	char a = (char)ascii_lower((unsigned char)s[0]), b = (char)ascii_lower((unsigned char)s[1]);
	if (a == 'n' && b == 'l')
		return "nl";
	if (a == 'e' && b == 'n')
		return "en";
	return NULL;
}

static void trim(const char **s, size_t *len)
{
	while (*len > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

const char *i18n_negotiate(const char *cookie, const char *accept_language, const char *fallback)
{
	if (cookie != NULL && strcmp(cookie, "nl") == 0)
		return "nl";
	if (cookie != NULL && strcmp(cookie, "en") == 0)
		return "en";
	const char *best = NULL;
	int best_q = 0;
	const char *p = accept_language;
	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *semi = memchr(p, ';', len);
		const char *tag = p;
		size_t tlen = semi ? (size_t)(semi - p) : len;
		trim(&tag, &tlen);
		int q = 1000;
		if (semi != NULL) {
			const char *par = semi + 1;
			size_t plen = len - (size_t)(par - p);
			trim(&par, &plen);
			if (plen >= 2 && (par[0] == 'q' || par[0] == 'Q') && par[1] == '=') {
				const char *v = par + 2;
				size_t vlen = plen - 2;
				trim(&v, &vlen);
				q = parse_q(v, vlen);
			} else {
				q = -1;
			}
		}
		const char *lang = match_tag(tag, tlen);
		/* Strictly greater: among equal q-values the first listed wins. */
		if (lang != NULL && q > best_q) {
			best = lang;
			best_q = q;
		}
		p = end ? end + 1 : NULL;
	}
	if (best != NULL)
		return best;
	return (fallback != NULL && strcmp(fallback, "en") == 0) ? "en" : "nl";
}
