/*
 * fuzz_text: the small pure functions that take untrusted text, each against
 * its promise or a plain reference written here. The first byte picks one,
 * the rest is its input: migrate_parse_name (file names in schema/),
 * migrate_line_of, log_quote and log_event (values in log lines),
 * utf8_valid / utf8_count / utf8_prefix, tmpl_url_safe (URLs from data),
 * tmpl_escape_text / tmpl_escape_attr, i18n_negotiate (Accept-Language),
 * str_hidden_char / str_has_control / str_check_visible (names).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "log.h"
#include "migrate.h"
#include "req.h"
#include "tmpl.h"
#include "url_scheme.h"

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_text: invariant broken: %s\n", what);
	abort();
}

static int is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* ---- references ---- */

/* UTF-8 by the definition (RFC 3629): decode, then refuse overlongs,
 * surrogates and values above U+10FFFF. */
static int ref_utf8_valid(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned c = s[i], n, cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (i + n >= len)
			return 0;
		for (unsigned k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		static const unsigned min[] = { 0, 0x80, 0x800, 0x10000 };
		if (cp < min[n] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += n + 1;
	}
	return 1;
}

/* The characters no name may hold, as req.h lists them (and
 * schema/0008_visible_text.sql), written out once more. */
static int ref_hidden(unsigned cp, int line_breaks)
{
	if (line_breaks && (cp == '\t' || cp == '\n' || cp == '\r'))
		return 0;
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0xad || cp == 0x61c ||
	       cp == 0x180e || (cp >= 0x200b && cp <= 0x200f) || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2064) ||
	       (cp >= 0x2066 && cp <= 0x2069) || (cp >= 0x206a && cp <= 0x206f) || cp == 0xfeff ||
	       (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0xe0000 && cp <= 0xe007f);
}

/* The first hidden character of s, reading it as UTF-8 and stepping over
 * one byte wherever no valid character starts; -1 when there is none. */
static long ref_first_hidden(const unsigned char *s, int line_breaks)
{
	size_t len = strlen((const char *)s);

	for (size_t i = 0; i < len;) {
		size_t n = s[i] < 0x80 ? 1 : s[i] < 0xe0 ? 2 : s[i] < 0xf0 ? 3 : 4;
		if (i + n > len || !ref_utf8_valid(s + i, n)) {
			i++;
			continue;
		}
		unsigned cp = n == 1 ? s[i] : s[i] & (0xffu >> (n + 1));
		for (size_t k = 1; k < n; k++)
			cp = cp << 6 | (s[i + k] & 0x3f);
		if (ref_hidden(cp, line_breaks))
			return (long)cp;
		i += n;
	}
	return -1;
}

/* ---- the functions ---- */

static void fuzz_migrate_name(const char *s)
{
	char name[MIGRATE_NAME_MAX + 1], again[MIGRATE_NAME_MAX + 16];
	int version = -1;
	int r = migrate_parse_name(s, &version, name, sizeof name);

	if (r == 0 && s[0] >= '0' && s[0] <= '9')
		fail("a name starting with a digit was not taken as meant for a migration");
	if (r != 1)
		return;
	if (version < 1 || version > 9999 || name[0] == '\0' || strlen(name) > MIGRATE_NAME_MAX)
		fail("version or name out of range");
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			fail("a character outside [A-Za-z0-9_-] in a migration name");
	snprintf(again, sizeof again, "%04d_%s.sql", version, name);
	if (strcmp(again, s) != 0)
		fail("version and name do not make the file name again");
	/* struct migrate_file's file[] holds the whole name. */
	if (strlen(s) >= sizeof(((struct migrate_file *)0)->file))
		fail("a file name longer than migrate_file.file");
}

static void fuzz_line_of(const uint8_t *d, size_t n)
{
	if (n < 2)
		return;
	long pos = (long)(d[0] | d[1] << 8) - 1000;
	const char *text = (const char *)d + 2;
	size_t len = n - 2;
	int lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	int got = migrate_line_of(text, len, pos);
	if (got < 1 || got > lines)
		fail("migrate_line_of outside the text");
}

static void fuzz_log_quote(const uint8_t *d, size_t n)
{
	if (n < 1)
		return;
	size_t size = d[0];
	char *s = malloc(n);
	char *out = malloc(size + 1);
	if (s == NULL || out == NULL)
		abort();
	memcpy(s, d + 1, n - 1);
	s[n - 1] = '\0';
	memset(out, 'Z', size + 1);
	const char *r = log_quote(out, size, s);
	if (out[size] != 'Z')
		fail("log_quote wrote past its buffer");
	if (size < 3) {
		free(s);
		free(out);
		return;
	}
	size_t len = strlen(r);
	if (len >= size || len < 2 || r[0] != '"' || r[len - 1] != '"')
		fail("log_quote's value is not quoted within its buffer");
	/* Between the quotes: no control character, '"' and '\\' only escaped;
	 * unescaped, it is s (control characters as '?') or a start of it
	 * followed by "...". */
	struct buf plain = { 0 };
	for (size_t i = 1; i < len - 1; i++) {
		if (is_control((unsigned char)r[i]))
			fail("a control character in a quoted log value");
		if (r[i] == '"')
			fail("an unescaped quote in a quoted log value");
		if (r[i] == '\\') {
			if (i + 1 >= len - 1 || (r[i + 1] != '"' && r[i + 1] != '\\'))
				fail("a lone backslash in a quoted log value");
			i++;
		}
		buf_putc(&plain, r[i]);
	}
	for (char *p = s; *p; p++)
		if (is_control((unsigned char)*p))
			*p = '?';
	const char *got = buf_str(&plain);
	if (strcmp(got, s) != 0) {
		/* Below 6 bytes there is room for the quotes and dots alone. */
		size_t k = plain.len;
		if (size < 6
		        ? strspn(got, ".") != k
		        : k < 3 || strcmp(got + k - 3, "...") != 0 || strncmp(got, s, k - 3) != 0)
			fail("a quoted log value that is neither the value nor a start of it");
		if (utf8_valid(s, strlen(s)) && !utf8_valid(got, k))
			fail("log_quote cut a character");
	}
	buf_free(&plain);
	free(s);
	free(out);
}

static int log_pipe[2] = { -1, -1 };

static void fuzz_log_event(const char *s)
{
	char line[8192];

	if (log_pipe[0] < 0) {
		if (pipe(log_pipe) != 0)
			abort();
		log_set_fd(log_pipe[1]);
	}
	log_set_request(s);
	log_event(LOG_WARN, s, "value=%s other=%s", s, s);
	log_set_request(NULL);
	ssize_t n = read(log_pipe[0], line, sizeof line);
	if (n <= 0 || n > 2048)
		fail("a log line is empty or longer than 2 KiB");
	if (line[n - 1] != '\n')
		fail("a log line does not end in a newline");
	for (ssize_t i = 0; i < n - 1; i++)
		if (is_control((unsigned char)line[i]))
			fail("a control character inside a log line");
	if (utf8_valid(s, strlen(s)) && !utf8_valid(line, (size_t)n))
		fail("a log line cut a character");
}

static void fuzz_utf8(const uint8_t *d, size_t n)
{
	const char *s = (const char *)d;
	int valid = ref_utf8_valid(d, n);

	if (utf8_valid(s, n) != valid)
		fail("utf8_valid differs from the definition");
	long count = utf8_count(s, n);
	if ((count >= 0) != (valid && memchr(s, '\0', n) == NULL))
		fail("utf8_count refuses what it should take, or takes what it should refuse");
	if (count >= 0) {
		long ref = 0;
		for (size_t i = 0; i < n; i++)
			ref += (d[i] & 0xc0) != 0x80;
		if (count != ref)
			fail("utf8_count counts wrong");
		/* Every cut utf8_prefix chooses leaves valid UTF-8 on both sides. */
		char *z = malloc(n + 1);
		if (z == NULL)
			abort();
		memcpy(z, s, n);
		z[n] = '\0';
		for (size_t max = 0; max <= n + 1; max++) {
			size_t cut = utf8_prefix(z, max);
			if (cut > max || (max >= n && cut != n) || (max < n && max - cut > 3))
				fail("utf8_prefix cuts too much or too little");
			if (!utf8_valid(z, cut) || !utf8_valid(z + cut, n - cut))
				fail("utf8_prefix cut a character");
		}
		if (utf8_length(z) != (size_t)count)
			fail("utf8_length differs from utf8_count");
		free(z);
	}
}

static void fuzz_url(const char *url)
{
	char scheme[32];
	if (!tmpl_url_safe(url))
		return;
	if (fz_browser_scheme(url, scheme, sizeof scheme) && strcmp(scheme, "http") != 0 &&
	    strcmp(scheme, "https") != 0 && strcmp(scheme, "mailto") != 0)
		fail("tmpl_url_safe let through a scheme a browser would run");
}

/* Undoes the five escapes; anything else after '&' is a failure. */
static void unescape(const char *s, struct buf *out)
{
	static const char *const ents[][2] = {
		{ "&amp;", "&" },   { "&lt;", "<" },  { "&gt;", ">" },
		{ "&quot;", "\"" }, { "&#39;", "'" },
	};
	while (*s) {
		if (*s != '&') {
			buf_putc(out, *s++);
			continue;
		}
		size_t i;
		for (i = 0; i < 5; i++)
			if (strncmp(s, ents[i][0], strlen(ents[i][0])) == 0)
				break;
		if (i == 5)
			fail("an unescaped '&' in escaped output");
		buf_puts(out, ents[i][1]);
		s += strlen(ents[i][0]);
	}
}

static void fuzz_escape(const uint8_t *d, size_t n)
{
	/* NUL bytes go through the escapers but not through a C string. */
	char *s = malloc(n + 1);
	if (s == NULL)
		abort();
	memcpy(s, d, n);
	s[n] = '\0';
	size_t len = strlen(s);
	struct buf text = { 0 }, attr = { 0 }, back = { 0 };
	tmpl_escape_text(&text, s, len);
	tmpl_escape_attr(&attr, s, len);
	if (strpbrk(buf_str(&text), "<>") != NULL)
		fail("'<' or '>' left in escaped text");
	if (strpbrk(buf_str(&attr), "<>\"'") != NULL)
		fail("'<', '>' or a quote left in an escaped attribute");
	unescape(buf_str(&text), &back);
	if (strcmp(buf_str(&back), s) != 0)
		fail("escaped text does not give the text back");
	buf_reset(&back);
	unescape(buf_str(&attr), &back);
	if (strcmp(buf_str(&back), s) != 0)
		fail("an escaped attribute does not give the value back");
	buf_free(&text);
	buf_free(&attr);
	buf_free(&back);
	free(s);
}

static void fuzz_hidden(const char *s)
{
	char err[160], want[16];

	for (int flags = 0; flags <= STR_LINE_BREAKS; flags++) {
		long got = str_hidden_char(s, flags);
		if (got != ref_first_hidden((const unsigned char *)s, flags))
			fail("str_hidden_char differs from the list");
		int r = str_check_visible("value", s, flags, err, sizeof err);
		if ((r != 0) != (got >= 0))
			fail("str_check_visible disagrees with str_hidden_char");
		if (r == 0)
			continue;
		/* The message names the character and never holds one. */
		snprintf(want, sizeof want, "(U+%04lX)", got);
		if (strstr(err, want) == NULL)
			fail("str_check_visible does not name the character");
		for (const unsigned char *p = (const unsigned char *)err; *p; p++)
			if (*p < 0x20 || *p >= 0x7f)
				fail("str_check_visible's message holds more than printable ASCII");
	}
	if (str_has_control(s) != (str_hidden_char(s, 0) >= 0))
		fail("str_has_control is not str_hidden_char");
}

static void fuzz_negotiate(const char *s)
{
	const char *r = i18n_negotiate(NULL, s, "en");
	if (strcmp(r, "nl") != 0 && strcmp(r, "en") != 0)
		fail("i18n_negotiate picked neither nl nor en");
	if (strcmp(i18n_negotiate("en", s, "nl"), "en") != 0)
		fail("the lang cookie does not win");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const uint8_t *d = data + 1;
	size_t n = size - 1;
	char *s = malloc(n + 1);
	if (s == NULL)
		abort();
	memcpy(s, d, n);
	s[n] = '\0';

	switch (data[0] % 9) {
	case 0:
		fuzz_migrate_name(s);
		break;
	case 1:
		fuzz_line_of(d, n);
		break;
	case 2:
		fuzz_log_quote(d, n);
		break;
	case 3:
		fuzz_log_event(s);
		break;
	case 4:
		fuzz_utf8(d, n);
		break;
	case 5:
		fuzz_url(s);
		break;
	case 6:
		fuzz_escape(d, n);
		break;
	case 7:
		fuzz_negotiate(s);
		break;
	case 8:
		fuzz_hidden(s);
		break;
	}
	free(s);
	return 0;
}
