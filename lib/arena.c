/*
 * arena: chunked region allocator (see arena.h). Chunks double in size up to
 * 64 KiB; a larger request gets a chunk of its own.
 */
#include "arena.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

enum { CHUNK_MIN = 4096, CHUNK_MAX = 65536 };

static _Noreturn void out_of_memory(void)
{
	fputs("level=fatal msg=\"out of memory\"\n", stderr);
	abort();
}

static struct arena_chunk *chunk_new(size_t size)
{
	if (size > SIZE_MAX - sizeof(struct arena_chunk))
		out_of_memory();
	struct arena_chunk *c = malloc(sizeof(*c) + size);
	if (c == NULL)
		out_of_memory();
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

void *arena_alloc(struct arena *a, size_t size)
{
	const size_t align = alignof(max_align_t);
	/* A size near SIZE_MAX (a caller's overflowed n * size) would round up
	 * to a tiny block; no arena can satisfy it anyway. */
	if (size > SIZE_MAX - align)
		out_of_memory();
	size = (size + align - 1) & ~(align - 1);
	if (size == 0)
		size = align;
	struct arena_chunk *c = a->head;
	if (c == NULL || c->size - c->used < size) {
		size_t want = c ? c->size * 2 : CHUNK_MIN;
		if (want > CHUNK_MAX)
			want = CHUNK_MAX;
		if (want < size)
			want = size;
		struct arena_chunk *n = chunk_new(want);
		n->next = c;
		a->head = c = n;
	}
	void *p = c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap, copy;
	va_start(ap, fmt);
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		n = 0;
	char *p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_reset(struct arena *a)
{
	struct arena_chunk *c = a->head;
	if (c == NULL)
		return;
	/* Keep the oldest chunk (the tail): it is the one every request needs. */
	while (c->next) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	c->used = 0;
	a->head = c;
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head;
	while (c) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}
