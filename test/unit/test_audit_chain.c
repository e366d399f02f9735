/*
 * Unit tests for lib/audit_chain.c: the link (sha256 of the previous hash
 * and the canonical text), hex and checkpoint parsing, and the verdicts of
 * a walk over rows held in memory: intact, changed, removed, out of turn,
 * beyond the head, a removed tail, a rewritten head, a stale checkpoint.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "audit_chain.h"

enum { N = 5 };

/* A chain of N rows built in memory: seq 1..N, ids 10, 20, ... */
struct row {
	long long seq, id;
	char canon[64];
	unsigned char hash[AUDIT_HASH_LEN];
};

static void build(struct row *rows, int n)
{
	unsigned char prev[AUDIT_HASH_LEN] = { 0 };

	for (int i = 0; i < n; i++) {
		rows[i].seq = i + 1;
		rows[i].id = 10 * (i + 1);
		snprintf(rows[i].canon, sizeof rows[i].canon, "audit-v1|1:%d|2:%lld|5:x.one", i + 1,
		         rows[i].id);
		assert_int_equal(
		    audit_chain_link(prev, rows[i].canon, strlen(rows[i].canon), rows[i].hash), 0);
		memcpy(prev, rows[i].hash, AUDIT_HASH_LEN);
	}
}

/* Walks rows[0..n) from the genesis against the head (head_seq, head_hash);
 * returns the verdict. */
static enum audit_verdict walk(struct audit_walk *w, const struct row *rows, int n,
                               long long head_seq, const unsigned char *head_hash)
{
	audit_walk_start(w, 0, NULL, head_seq, head_hash);
	for (int i = 0; i < n; i++) {
		if (audit_walk_row(w, rows[i].seq, rows[i].id, rows[i].canon, strlen(rows[i].canon),
		                   rows[i].hash) != 0)
			return w->verdict;
	}
	audit_walk_end(w);
	return w->verdict;
}

static void test_link_is_sha256_of_previous_hash_and_text(void **state)
{
	unsigned char prev[AUDIT_HASH_LEN] = { 0 }, out[AUDIT_HASH_LEN];
	char hex[AUDIT_HASH_HEX + 1];
	(void)state;
	/* sha256 of 32 zero bytes followed by "abc" (Python's hashlib). */
	assert_int_equal(audit_chain_link(prev, "abc", 3, out), 0);
	audit_chain_hex(out, hex);
	assert_string_equal(hex,
	                    "365aa7d8f7f9402c4b9434502b4cc89ddb09fe50d7cd95b493b834c62d5a5370");
}

static void test_link_of_a_long_text_equals_the_short_path(void **state)
{
	static char big[10000];
	unsigned char prev[AUDIT_HASH_LEN] = { 7 }, a[AUDIT_HASH_LEN], b[AUDIT_HASH_LEN];
	(void)state;
	memset(big, 'q', sizeof big);
	assert_int_equal(audit_chain_link(prev, big, sizeof big, a), 0);
	assert_int_equal(audit_chain_link(prev, big, sizeof big, b), 0);
	assert_memory_equal(a, b, AUDIT_HASH_LEN);
	assert_int_equal(audit_chain_link(prev, big, 100, b), 0);
	assert_memory_not_equal(a, b, AUDIT_HASH_LEN);
}

static void test_hex_round_trips_and_refuses_bad_digits(void **state)
{
	unsigned char h[AUDIT_HASH_LEN], back[AUDIT_HASH_LEN];
	char hex[AUDIT_HASH_HEX + 1];
	(void)state;
	for (int i = 0; i < AUDIT_HASH_LEN; i++)
		h[i] = (unsigned char)(i * 37);
	audit_chain_hex(h, hex);
	assert_int_equal(audit_chain_unhex(hex, strlen(hex), back), 0);
	assert_memory_equal(h, back, AUDIT_HASH_LEN);
	hex[5] = 'g';
	assert_int_equal(audit_chain_unhex(hex, strlen(hex), back), -1);
	assert_int_equal(audit_chain_unhex("00", 2, back), -1);
}

static void test_bytea_text_needs_backslash_x_and_32_bytes(void **state)
{
	char s[2 + AUDIT_HASH_HEX + 1] = "\\x";
	unsigned char h[AUDIT_HASH_LEN];
	(void)state;
	memset(s + 2, 'A', AUDIT_HASH_HEX);
	s[2 + AUDIT_HASH_HEX] = '\0';
	assert_int_equal(audit_chain_parse_bytea(s, h), 0);
	assert_int_equal(h[0], 0xaa);
	assert_int_equal(audit_chain_parse_bytea(s + 2, h), -1);
	s[10] = '\0';
	assert_int_equal(audit_chain_parse_bytea(s, h), -1);
	assert_int_equal(audit_chain_parse_bytea(NULL, h), -1);
}

static void test_checkpoint_parses_seq_and_hash(void **state)
{
	char cp[128];
	unsigned char h[AUDIT_HASH_LEN];
	long long seq = 0;
	(void)state;
	snprintf(cp, sizeof cp, "42:%064d", 0);
	assert_int_equal(audit_chain_parse_checkpoint(cp, &seq, h), 0);
	assert_int_equal(seq, 42);
	snprintf(cp, sizeof cp, "042:%064d", 0);
	assert_int_equal(audit_chain_parse_checkpoint(cp, &seq, h), -1);
	snprintf(cp, sizeof cp, ":%064d", 0);
	assert_int_equal(audit_chain_parse_checkpoint(cp, &seq, h), -1);
	snprintf(cp, sizeof cp, "4x:%064d", 0);
	assert_int_equal(audit_chain_parse_checkpoint(cp, &seq, h), -1);
	snprintf(cp, sizeof cp, "1234567890123456789:%064d", 0);
	assert_int_equal(audit_chain_parse_checkpoint(cp, &seq, h), -1);
	assert_int_equal(audit_chain_parse_checkpoint("42:abc", &seq, h), -1);
	assert_int_equal(audit_chain_parse_checkpoint("42", &seq, h), -1);
}

static void test_walk_of_an_intact_chain_counts_every_row(void **state)
{
	struct row rows[N];
	struct audit_walk w;
	(void)state;
	build(rows, N);
	assert_int_equal(walk(&w, rows, N, N, rows[N - 1].hash), AUDIT_INTACT);
	assert_int_equal(w.rows, N);
	assert_non_null(strstr(w.message, "5 rows, chain intact up to seq 5"));
}

static void test_walk_of_an_empty_log_is_intact_at_the_genesis(void **state)
{
	unsigned char zero[AUDIT_HASH_LEN] = { 0 };
	struct audit_walk w;
	(void)state;
	assert_int_equal(walk(&w, NULL, 0, 0, zero), AUDIT_INTACT);
	assert_non_null(strstr(w.message, "0 rows"));
}

static void test_walk_names_a_changed_row_by_its_id(void **state)
{
	struct row rows[N];
	struct audit_walk w;
	(void)state;
	build(rows, N);
	rows[2].canon[strlen(rows[2].canon) - 1] = 'X';
	assert_int_equal(walk(&w, rows, N, N, rows[N - 1].hash), AUDIT_CHANGED);
	assert_non_null(strstr(w.message, "row id 30 (seq 3) was changed"));
	assert_int_equal(w.rows, 2);
}

static void test_walk_names_the_row_after_a_removed_one(void **state)
{
	struct row rows[N];
	struct audit_walk w;
	(void)state;
	build(rows, N);
	memmove(&rows[1], &rows[2], 3 * sizeof rows[0]);
	assert_int_equal(walk(&w, rows, N - 1, N, rows[N - 2].hash), AUDIT_REMOVED);
	assert_non_null(strstr(w.message, "row seq 2 is missing before row id 30 (seq 3)"));
}

static void test_walk_names_a_range_of_removed_rows(void **state)
{
	struct row rows[N];
	struct audit_walk w;
	(void)state;
	build(rows, N);
	memmove(&rows[1], &rows[3], 2 * sizeof rows[0]);
	assert_int_equal(walk(&w, rows, N - 2, N, rows[N - 3].hash), AUDIT_REMOVED);
	assert_non_null(strstr(w.message, "rows seq 2 to 3 are missing before row id 40"));
}

static void test_walk_names_a_repeated_seq_as_out_of_turn(void **state)
{
	struct row rows[N];
	struct audit_walk w;
	(void)state;
	build(rows, N);
	rows[3] = rows[2];
	rows[3].id = 99;
	assert_int_equal(walk(&w, rows, N, N, rows[N - 1].hash), AUDIT_OUT_OF_TURN);
	assert_non_null(strstr(w.message, "row id 99 has seq 3"));
}

static void test_walk_names_a_row_with_a_lower_id_than_its_predecessor(void **state)
{
	unsigned char prev[AUDIT_HASH_LEN];
	struct row rows[N];
	struct audit_walk w;
	(void)state;
	build(rows, N);
	/* Row 4 rechained correctly, but with an id below row 3's. */
	rows[3].id = 25;
	memcpy(prev, rows[2].hash, AUDIT_HASH_LEN);
	audit_chain_link(prev, rows[3].canon, strlen(rows[3].canon), rows[3].hash);
	assert_int_equal(walk(&w, rows, 4, 4, rows[3].hash), AUDIT_OUT_OF_TURN);
	assert_non_null(strstr(w.message, "row id 25 (seq 4) follows row id 30 (seq 3)"));
}

static void test_walk_names_a_row_beyond_the_head(void **state)
{
	struct row rows[N];
	struct audit_walk w;
	(void)state;
	build(rows, N);
	assert_int_equal(walk(&w, rows, N, N - 1, rows[N - 2].hash), AUDIT_BEYOND_HEAD);
	assert_non_null(strstr(w.message, "row id 50 (seq 5) is beyond the chain head (seq 4)"));
}

static void test_walk_sees_a_removed_tail_from_the_head(void **state)
{
	struct row rows[N];
	struct audit_walk w;
	(void)state;
	build(rows, N);
	assert_int_equal(walk(&w, rows, N - 2, N, rows[N - 1].hash), AUDIT_TAIL_REMOVED);
	assert_non_null(strstr(w.message, "ends at seq 3 (row id 30) but its head says seq 5"));
}

static void test_walk_sees_a_head_with_another_hash(void **state)
{
	struct row rows[N];
	struct audit_walk w;
	(void)state;
	build(rows, N);
	assert_int_equal(walk(&w, rows, N, N, rows[0].hash), AUDIT_HEAD_MISMATCH);
}

static void test_walk_from_a_checkpoint_checks_its_row_then_the_rest(void **state)
{
	struct row rows[N];
	struct audit_walk w;
	(void)state;
	build(rows, N);
	audit_walk_start(&w, 2, rows[1].hash, N, rows[N - 1].hash);
	assert_int_equal(audit_walk_checkpoint(&w, 1, rows[1].id, rows[1].hash), 0);
	for (int i = 2; i < N; i++)
		assert_int_equal(audit_walk_row(&w, rows[i].seq, rows[i].id, rows[i].canon,
		                                strlen(rows[i].canon), rows[i].hash),
		                 0);
	assert_int_equal(audit_walk_end(&w), 0);
	assert_non_null(strstr(w.message, "3 rows after checkpoint seq 2"));
}

static void test_walk_refuses_a_checkpoint_whose_row_changed_or_went(void **state)
{
	struct row rows[N];
	struct audit_walk w;
	(void)state;
	build(rows, N);
	audit_walk_start(&w, 2, rows[1].hash, N, rows[N - 1].hash);
	assert_int_equal(audit_walk_checkpoint(&w, 1, rows[1].id, rows[2].hash), -1);
	assert_int_equal(w.verdict, AUDIT_BAD_CHECKPOINT);
	assert_non_null(strstr(w.message, "row id 20 (seq 2) does not match the checkpoint"));
	audit_walk_start(&w, 2, rows[1].hash, N, rows[N - 1].hash);
	assert_int_equal(audit_walk_checkpoint(&w, 0, 0, rows[1].hash), -1);
	assert_non_null(strstr(w.message, "no row has the checkpoint's seq 2"));
}

static void test_walk_stops_at_the_first_break(void **state)
{
	struct row rows[N];
	struct audit_walk w;
	(void)state;
	build(rows, N);
	rows[1].canon[0] = 'A';
	rows[3].canon[0] = 'A';
	assert_int_equal(walk(&w, rows, N, N, rows[N - 1].hash), AUDIT_CHANGED);
	assert_non_null(strstr(w.message, "row id 20"));
	assert_int_equal(audit_walk_row(&w, 6, 60, "x", 1, rows[0].hash), -1);
	assert_int_equal(audit_walk_end(&w), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_is_sha256_of_previous_hash_and_text),
		cmocka_unit_test(test_link_of_a_long_text_equals_the_short_path),
		cmocka_unit_test(test_hex_round_trips_and_refuses_bad_digits),
		cmocka_unit_test(test_bytea_text_needs_backslash_x_and_32_bytes),
		cmocka_unit_test(test_checkpoint_parses_seq_and_hash),
		cmocka_unit_test(test_walk_of_an_intact_chain_counts_every_row),
		cmocka_unit_test(test_walk_of_an_empty_log_is_intact_at_the_genesis),
		cmocka_unit_test(test_walk_names_a_changed_row_by_its_id),
		cmocka_unit_test(test_walk_names_the_row_after_a_removed_one),
		cmocka_unit_test(test_walk_names_a_range_of_removed_rows),
		cmocka_unit_test(test_walk_names_a_repeated_seq_as_out_of_turn),
		cmocka_unit_test(test_walk_names_a_row_with_a_lower_id_than_its_predecessor),
		cmocka_unit_test(test_walk_names_a_row_beyond_the_head),
		cmocka_unit_test(test_walk_sees_a_removed_tail_from_the_head),
		cmocka_unit_test(test_walk_sees_a_head_with_another_hash),
		cmocka_unit_test(test_walk_from_a_checkpoint_checks_its_row_then_the_rest),
		cmocka_unit_test(test_walk_refuses_a_checkpoint_whose_row_changed_or_went),
		cmocka_unit_test(test_walk_stops_at_the_first_break),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
