/*
 * outage: the log of a database outage, once per pool (see outage.h).
 * Processes agree through compare-and-swap on a few integers in a shared
 * page: whoever turns "down" from 0 to 1 logs the start, whoever moves the
 * last report's time on by a second logs the count, whoever turns "down"
 * back to 0 logs the end. The counts are a guide, not an audit: a failure
 * racing the start of an outage may be counted in the one before.
 */
#include "outage.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "log.h"

struct outage_state {
	int down;
	long long since_ms;    /* monotonic, when it began */
	long long reported_ms; /* monotonic, the last line about it */
	long failures;
};

static struct outage_state local;
static struct outage_state *st = &local;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int outage_share(void)
{
	void *p = mmap(NULL, sizeof(struct outage_state), PROT_READ | PROT_WRITE,
	               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	memcpy(p, st, sizeof(struct outage_state));
	st = p;
	return 0;
}

void outage_unshare(void)
{
	if (st == &local)
		return;
	local = *st;
	munmap(st, sizeof(struct outage_state));
	st = &local;
}

static double seconds_since(long long ms, long long now)
{
	return ms > 0 && now > ms ? (double)(now - ms) / 1e3 : 0;
}

void outage_failed(const char *during, const char *error)
{
	char q[300];
	long long now = now_ms();
	int up = 0;
	if (__atomic_compare_exchange_n(&st->down, &up, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&st->since_ms, now, __ATOMIC_RELEASE);
		__atomic_store_n(&st->reported_ms, now, __ATOMIC_RELEASE);
		__atomic_store_n(&st->failures, 1, __ATOMIC_RELEASE);
		log_warn("database unavailable", "during=%s error=%s", during,
		         log_quote(q, sizeof q, error));
		return;
	}
	long n = __atomic_add_fetch(&st->failures, 1, __ATOMIC_ACQ_REL);
	long long last = __atomic_load_n(&st->reported_ms, __ATOMIC_ACQUIRE);
	if (now - last < 1000 || !__atomic_compare_exchange_n(&st->reported_ms, &last, now, 0,
	                                                      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;
	log_warn("database still unavailable", "failures=%ld down_s=%.1f error=%s", n,
	         seconds_since(__atomic_load_n(&st->since_ms, __ATOMIC_ACQUIRE), now),
	         log_quote(q, sizeof q, error));
}

void outage_ended(void)
{
	int down = 1;
	if (__atomic_load_n(&st->down, __ATOMIC_ACQUIRE) == 0 ||
	    !__atomic_compare_exchange_n(&st->down, &down, 0, 0, __ATOMIC_ACQ_REL,
	                                 __ATOMIC_ACQUIRE))
		return;
	log_info("database available again", "failures=%ld down_s=%.1f",
	         __atomic_load_n(&st->failures, __ATOMIC_ACQUIRE),
	         seconds_since(__atomic_load_n(&st->since_ms, __ATOMIC_ACQUIRE), now_ms()));
}

int outage_active(void)
{
	return __atomic_load_n(&st->down, __ATOMIC_ACQUIRE);
}
