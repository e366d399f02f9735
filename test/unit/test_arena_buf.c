/*
 * Unit tests for lib/arena.c and lib/buf.c: chunk growth, large and aligned
 * allocations, reuse after reset, and buffers built from long or
 * self-referencing input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "arena.h"
#include "buf.h"

static void test_arena_grows_across_chunk_boundary_without_overlap(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	enum { N = 3000 };
	unsigned char *p[N];

	/* 3000 x 100 bytes spans many 4-64 KiB chunks; each block keeps its
	 * own pattern only if no two blocks overlap. */
	for (int i = 0; i < N; i++) {
		p[i] = arena_alloc(&a, 100);
		memset(p[i], i & 0xff, 100);
	}
	for (int i = 0; i < N; i++)
		for (int j = 0; j < 100; j++)
			assert_int_equal(p[i][j], i & 0xff);
	arena_free(&a);
	assert_null(a.head);
}

static void test_arena_serves_allocation_larger_than_any_chunk(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	char *small = arena_strdup(&a, "before");
	size_t big_len = 1024 * 1024;
	unsigned char *big = arena_alloc(&a, big_len);

	for (size_t i = 0; i < big_len; i++)
		assert_int_equal(big[i], 0);
	memset(big, 0xab, big_len);
	char *after = arena_strdup(&a, "after");
	assert_string_equal(small, "before");
	assert_string_equal(after, "after");
	assert_int_equal(big[0], 0xab);
	assert_int_equal(big[big_len - 1], 0xab);
	arena_free(&a);
}

static void test_arena_returns_aligned_zeroed_memory(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	size_t sizes[] = { 1, 3, 7, 8, 15, 16, 17, 33, 0, 5000, 1 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *p = arena_alloc(&a, sizes[i]);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
		for (size_t j = 0; j < sizes[i]; j++)
			assert_int_equal(p[j], 0);
		memset(p, 0xff, sizes[i]);
	}
	arena_free(&a);
}

static void test_arena_keeps_working_after_reset(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;

	for (int round = 0; round < 5; round++) {
		char *s[200];
		for (int i = 0; i < 200; i++)
			s[i] = arena_printf(&a, "round %d item %d %0500d", round, i, 0);
		for (int i = 0; i < 200; i++) {
			char want[64];
			int n = snprintf(want, sizeof(want), "round %d item %d ", round, i);
			assert_memory_equal(s[i], want, (size_t)n);
			assert_int_equal(strlen(s[i]), (size_t)n + 500);
		}
		arena_reset(&a);
		assert_non_null(a.head);
		/* Memory handed out after a reset is zeroed again. */
		unsigned char *z = arena_alloc(&a, 64);
		for (int j = 0; j < 64; j++)
			assert_int_equal(z[j], 0);
	}
	arena_free(&a);
}

static void test_arena_string_helpers_copy_exactly(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;

	assert_string_equal(arena_strndup(&a, "abcdef", 3), "abc");
	assert_string_equal(arena_strndup(&a, "", 0), "");
	assert_null(arena_strdup(&a, NULL));
	assert_string_equal(arena_printf(&a, "%s-%d", "x", 42), "x-42");
	arena_free(&a);
}

/* Runs fn in a child and reports whether it died of SIGABRT. */
static int aborts(void (*fn)(void))
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* No core files from the expected abort. */
		signal(SIGABRT, SIG_DFL);
		fn();
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void alloc_size_max(void)
{
	struct arena a = ARENA_INIT;
	unsigned char *p = arena_alloc(&a, SIZE_MAX);
	/* Before the fix this returned a 16-byte block. */
	p[100] = 1;
	arena_free(&a);
}

static void test_arena_aborts_instead_of_wrapping_a_huge_size(void **state)
{
	(void)state;
	assert_true(aborts(alloc_size_max));
}

static void append_size_max(void)
{
	struct buf b = { 0 };
	buf_puts(&b, "x");
	/* Before the fix len + extra + 1 wrapped and memcpy ran off the end. */
	buf_append(&b, "y", SIZE_MAX);
	buf_free(&b);
}

static void test_buf_aborts_instead_of_wrapping_a_huge_length(void **state)
{
	(void)state;
	assert_true(aborts(append_size_max));
}

static void test_buf_starts_empty_and_resets(void **state)
{
	(void)state;
	struct buf b = { 0 };

	assert_string_equal(buf_str(&b), "");
	buf_puts(&b, "hello");
	buf_putc(&b, '!');
	buf_puts(&b, NULL);
	assert_string_equal(buf_str(&b), "hello!");
	assert_int_equal(b.len, 6);
	buf_reset(&b);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(b.len, 0);
	buf_append(&b, "a\0b", 3);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 4);
	buf_free(&b);
	assert_null(b.data);
	assert_string_equal(buf_str(&b), "");
	buf_puts(&b, "again");
	assert_string_equal(buf_str(&b), "again");
	buf_free(&b);
}

static void test_buf_printf_writes_strings_longer_than_initial_capacity(void **state)
{
	(void)state;
	struct buf b = { 0 };
	size_t n = 100000;
	char *big = malloc(n + 1);

	assert_non_null(big);
	memset(big, 'x', n);
	big[n] = '\0';
	buf_puts(&b, "head:");
	buf_printf(&b, "[%s]%d", big, 7);
	assert_int_equal(b.len, 5 + 1 + n + 1 + 1);
	assert_memory_equal(b.data, "head:[", 6);
	assert_memory_equal(b.data + 6, big, n);
	assert_string_equal(b.data + 6 + n, "]7");
	buf_printf(&b, "%s", "");
	assert_int_equal(b.len, 5 + 1 + n + 1 + 1);
	free(big);
	buf_free(&b);
}

static void test_buf_appends_its_own_contents_across_growth(void **state)
{
	(void)state;
	struct buf b = { 0 };

	buf_puts(&b, "abcdefgh");
	/* Each doubling crosses the capacity and reallocates: the source
	 * must survive that. */
	for (int i = 0; i < 8; i++)
		buf_append(&b, b.data, b.len);
	assert_int_equal(b.len, 8 * 256);
	for (size_t i = 0; i < b.len; i++)
		assert_int_equal(b.data[i], "abcdefgh"[i % 8]);
	buf_free(&b);
}

/* buf_append's inline path takes what fits with its NUL; one byte more
 * goes through the growing path. Both leave the same contents. */
static void test_buf_fills_its_capacity_exactly_then_grows(void **state)
{
	(void)state;
	struct buf b = { 0 };
	char chunk[600];

	memset(chunk, 'z', sizeof(chunk));
	buf_putc(&b, 'a');
	size_t cap = b.cap;
	assert_true(cap > 1);
	buf_append(&b, chunk, cap - b.len - 1); /* fills it, NUL included */
	assert_int_equal(b.cap, cap);
	assert_int_equal(b.len, cap - 1);
	assert_int_equal(b.data[b.len], '\0');
	buf_putc(&b, 'b'); /* one past: grows */
	assert_true(b.cap > cap);
	assert_int_equal(b.len, cap);
	assert_int_equal(b.data[0], 'a');
	assert_int_equal(b.data[cap - 2], 'z');
	assert_int_equal(b.data[cap - 1], 'b');
	assert_int_equal(b.data[cap], '\0');
	/* After a reset the memory stays and short appends reuse it. */
	char *mem = b.data;
	buf_reset(&b);
	buf_append(&b, "", 0);
	buf_puts(&b, "kept");
	assert_ptr_equal(b.data, mem);
	assert_string_equal(b.data, "kept");
	buf_free(&b);
}

static void test_buf_printf_may_format_its_own_contents(void **state)
{
	(void)state;
	struct buf b = { 0 };

	buf_puts(&b, "ab");
	for (int i = 0; i < 10; i++)
		buf_printf(&b, "%s", b.data);
	assert_int_equal(b.len, 2 * 1024);
	for (size_t i = 0; i < b.len; i++)
		assert_int_equal(b.data[i], "ab"[i % 2]);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_grows_across_chunk_boundary_without_overlap),
		cmocka_unit_test(test_arena_serves_allocation_larger_than_any_chunk),
		cmocka_unit_test(test_arena_returns_aligned_zeroed_memory),
		cmocka_unit_test(test_arena_keeps_working_after_reset),
		cmocka_unit_test(test_arena_string_helpers_copy_exactly),
		cmocka_unit_test(test_arena_aborts_instead_of_wrapping_a_huge_size),
		cmocka_unit_test(test_buf_aborts_instead_of_wrapping_a_huge_length),
		cmocka_unit_test(test_buf_starts_empty_and_resets),
		cmocka_unit_test(test_buf_printf_writes_strings_longer_than_initial_capacity),
		cmocka_unit_test(test_buf_appends_its_own_contents_across_growth),
		cmocka_unit_test(test_buf_fills_its_capacity_exactly_then_grows),
		cmocka_unit_test(test_buf_printf_may_format_its_own_contents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
