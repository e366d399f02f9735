/*
 * buf: a growable byte buffer, always NUL-terminated, for building response
 * bodies, headers and log lines without fixed-size arrays.
 * Allocation failure aborts the process (a worker is cheap to replace, a
 * half-written page is not worth recovering).
 */
#ifndef BUF_H
#define BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct buf {
	char *data; /* NUL-terminated; NULL until the first append */
	size_t len;
	size_t cap;
};

/* Appends len bytes of s (which may point into b). */
void buf_append_slow(struct buf *b, const char *s, size_t len);
/*
 * The common case inline: the bytes fit (len < cap - b->len, which also
 * rules out an overflow of len), so no call, no growth. A page is a few
 * thousand appends; callgrind counted the call to the out-of-line version
 * and its capacity check as 9 % of a list page's instructions in the pool.
 */
static inline void buf_append(struct buf *b, const char *s, size_t len)
{
	if (b->data != NULL && len < b->cap - b->len) {
		if (len)
			memcpy(b->data + b->len, s, len);
		b->len += len;
		b->data[b->len] = '\0';
		return;
	}
	buf_append_slow(b, s, len);
}
/* Appends the NUL-terminated string s (nothing when s is NULL). */
static inline void buf_puts(struct buf *b, const char *s)
{
	if (s)
		buf_append(b, s, strlen(s));
}
static inline void buf_putc(struct buf *b, char c)
{
	buf_append(b, &c, 1);
}
/* Appends printf-formatted text. */
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);
/* Frees the memory; the buffer is empty and usable again. */
void buf_free(struct buf *b);
/* The contents as a C string: "" when empty, never NULL. */
const char *buf_str(const struct buf *b);

#endif
