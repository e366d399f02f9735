/*
 * buf: growable NUL-terminated byte buffer (see buf.h).
 */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

static _Noreturn void out_of_memory(void)
{
	fputs("level=fatal msg=\"out of memory\"\n", stderr);
	abort();
}

/*
 * Makes room for extra more bytes. The old block is returned, not freed, and
 * the caller frees it after writing: the bytes being appended (or a printf
 * argument) may point into it, as in buf_append(b, b->data, b->len).
 */
static char *buf_grow(struct buf *b, size_t extra)
{
	if (extra > SIZE_MAX / 2 - b->len - 1)
		out_of_memory();
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return NULL;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	char *p = malloc(cap);
	if (p == NULL)
		out_of_memory();
	if (b->data)
		memcpy(p, b->data, b->len + 1);
	char *old = b->data;
	b->data = p;
	b->cap = cap;
	return old;
}

void buf_append_slow(struct buf *b, const char *s, size_t len)
{
	char *old = buf_grow(b, len);
	if (len)
		memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
	free(old);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n <= 0)
		return;
	char *old = buf_grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	free(old);
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}
