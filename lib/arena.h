/*
 * arena: a per-request region allocator. Everything a request parses or
 * builds is taken from its arena and released at once when the request ends,
 * so handlers never free and never leak.
 * Allocation failure aborts the process, as in buf.h.
 */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
};

#define ARENA_INIT                                                                                 \
	{                                                                                          \
		NULL                                                                               \
	}

/* Returns size bytes, aligned for any type, zero-filled. Never NULL. */
void *arena_alloc(struct arena *a, size_t size);
/* Copies the first len bytes of s and a terminating NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t len);
/* Copies s (NULL gives NULL). */
char *arena_strdup(struct arena *a, const char *s);
/* printf into arena memory. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Frees all but the first chunk and forgets every allocation: for reuse
 * between requests without returning memory to malloc each time. */
void arena_reset(struct arena *a);
/* Frees everything. */
void arena_free(struct arena *a);

#endif
