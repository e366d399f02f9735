/*
 * Unit tests of lib/replica.c: WAL positions, the notes of the primary's
 * position, and the staleness bound of a page read on a standby.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "replica.h"

static void test_lsn_text_is_two_hex_numbers(void **state)
{
	(void)state;
	unsigned long long v = 0;
	assert_int_equal(replica_lsn_parse("0/0", &v), 0);
	assert_true(v == 0);
	assert_int_equal(replica_lsn_parse("16/B374D848", &v), 0);
	assert_true(v == (0x16ULL << 32 | 0xB374D848ULL));
	assert_int_equal(replica_lsn_parse("ffffffff/ffffffff", &v), 0);
	assert_true(v == 0xffffffffffffffffULL);
	/* Positions order as numbers, not as text. */
	unsigned long long a, b;
	assert_int_equal(replica_lsn_parse("0/FFFFFFFF", &a), 0);
	assert_int_equal(replica_lsn_parse("1/0", &b), 0);
	assert_true(a < b);
	const char *bad[] = { "",    "/",     "0/",          "/0",   "0",   "0/0/0",
		              "g/0", "0/12x", "123456789/0", "0/ 1", "-1/0" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(replica_lsn_parse(bad[i], &v), -1);
	assert_int_equal(replica_lsn_parse(NULL, &v), -1);
}

static void test_a_note_is_due_when_none_is_recent(void **state)
{
	(void)state;
	struct replica_clock c = { 0 };
	assert_true(replica_note_due(&c, 1000, 1000));
	replica_note(&c, 1000, 100);
	assert_false(replica_note_due(&c, 1250, 1000)); /* a quarter of the bound: not yet */
	assert_true(replica_note_due(&c, 1251, 1000));
}

static void test_staleness_is_the_age_of_the_newest_note_the_standby_reached(void **state)
{
	(void)state;
	struct replica_clock c = { 0 };
	replica_note(&c, 1000, 100);
	replica_note(&c, 1300, 200);
	replica_note(&c, 1600, 300);
	/* Replayed up to 250: it has what the primary had at 1300, not at 1600. */
	assert_true(replica_staleness(&c, 2000, 250) == 700);
	assert_true(replica_staleness(&c, 2000, 300) == 400);
	assert_true(replica_staleness(&c, 2000, 1000) == 400);
	assert_true(replica_staleness(&c, 2000, 100) == 1000);
	/* Behind every note: no bound at all. */
	assert_true(replica_staleness(&c, 2000, 99) == -1);
	struct replica_clock empty = { 0 };
	assert_true(replica_staleness(&empty, 2000, 1000) == -1);
}

static void test_the_oldest_note_goes_and_time_never_runs_back(void **state)
{
	(void)state;
	struct replica_clock c = { 0 };
	for (int i = 0; i < REPLICA_NOTES + 3; i++)
		replica_note(&c, 1000.0 + i * 100, 10ULL * (unsigned long long)(i + 1));
	assert_int_equal(c.n, REPLICA_NOTES);
	assert_true(c.note[0].lsn == 40); /* the first three went */
	assert_true(c.note[REPLICA_NOTES - 1].lsn == 110);
	replica_note(&c, 500, 999); /* older than the newest: ignored */
	assert_true(c.note[REPLICA_NOTES - 1].lsn == 110);
	assert_true(replica_staleness(&c, 3000, 39) == -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lsn_text_is_two_hex_numbers),
		cmocka_unit_test(test_a_note_is_due_when_none_is_recent),
		cmocka_unit_test(test_staleness_is_the_age_of_the_newest_note_the_standby_reached),
		cmocka_unit_test(test_the_oldest_note_goes_and_time_never_runs_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
