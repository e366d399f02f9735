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

struct buf {
	char *data; /* NUL-terminated; NULL until the first append */
	size_t len;
	size_t cap;
};

/* Appends len bytes of s. */
void buf_append(struct buf *b, const char *s, size_t len);
/* Appends the NUL-terminated string s (nothing when s is NULL). */
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
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
