/*
 * url_scheme.h: the scheme of a URL as a browser finds it, the reference
 * that fuzz_text (tmpl_url_safe) and tmpl_check.h (rendered URL attributes)
 * hold the template engine's URL check against.
 */
#ifndef URL_SCHEME_H
#define URL_SCHEME_H

#include <stddef.h>

/* The scheme of a URL as a browser finds it (WHATWG URL): leading C0
 * controls and spaces are stripped, tabs and newlines anywhere removed; a
 * scheme is an ASCII letter, then letters, digits, '+', '-', '.', up to ':'.
 * Writes it lowercased into out; returns 0 when there is none (relative). */
static inline int fz_browser_scheme(const char *url, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)url;
	size_t n = 0;

	while (*p != '\0' && *p <= 0x20)
		p++;
	for (; *p != '\0'; p++) {
		if (*p == '\t' || *p == '\n' || *p == '\r')
			continue;
		if (*p == ':')
			break;
		int letter = (*p | 0x20) >= 'a' && (*p | 0x20) <= 'z';
		int other = (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.';
		if (!(letter || (n > 0 && other)))
			return 0;
		if (n + 1 < outlen)
			out[n++] = (char)(letter ? (*p | 0x20) : *p);
	}
	out[n] = '\0';
	return *p == ':' && n > 0;
}

#endif
