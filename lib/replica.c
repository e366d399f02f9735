/*
 * replica: the staleness bound of pages read on a standby (see replica.h).
 */
#include "replica.h"

#include <string.h>

const struct db_stmt replica_stmts[] = {
	{ "wal_lsn", "SELECT pg_current_wal_lsn()::text", 0 },
	{ NULL, NULL, 0 },
};

static int hex_part(const char **s, char end, unsigned long long *out)
{
	int n = 0;
	unsigned long long v = 0;
	for (; **s && **s != end; (*s)++, n++) {
		char ch = **s;
		int d = ch >= '0' && ch <= '9'   ? ch - '0'
		        : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
		        : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
		                                 : -1;
		if (d < 0 || n == 8)
			return -1;
		v = v << 4 | (unsigned)d;
	}
	if (n == 0 || **s != end)
		return -1;
	*out = v;
	return 0;
}

int replica_lsn_parse(const char *text, unsigned long long *out)
{
	unsigned long long hi, lo;
	if (text == NULL || hex_part(&text, '/', &hi) < 0)
		return -1;
	text++;
	if (hex_part(&text, '\0', &lo) < 0)
		return -1;
	*out = hi << 32 | lo;
	return 0;
}

void replica_note(struct replica_clock *c, double ms, unsigned long long lsn)
{
	if (c->n > 0 && ms < c->note[c->n - 1].ms)
		return;
	if (c->n == REPLICA_NOTES) {
		memmove(&c->note[0], &c->note[1], sizeof(c->note[0]) * (REPLICA_NOTES - 1));
		c->n--;
	}
	c->note[c->n].ms = ms;
	c->note[c->n].lsn = lsn;
	c->n++;
}

int replica_note_due(const struct replica_clock *c, double now_ms, int max_lag_ms)
{
	return c->n == 0 || now_ms - c->note[c->n - 1].ms > max_lag_ms / 4.0;
}

double replica_staleness(const struct replica_clock *c, double now_ms, unsigned long long replay)
{
	for (int i = c->n - 1; i >= 0; i--)
		if (c->note[i].lsn <= replay)
			return now_ms - c->note[i].ms;
	return -1;
}
