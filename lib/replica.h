/*
 * replica: how stale a page read on a hot standby may be (issue 17).
 *
 * The portal pool may read its pages that only read (the list, a report's
 * page, the account page) on PORTAL_READ_URL, a streaming replica. A page
 * from a standby shows every transaction the standby has replayed; which
 * those are is known by WAL position, not by time. So each worker notes the
 * primary's position (pg_current_wal_lsn()) now and then, with the time it
 * asked; every commit before that time lies below that position. A page read
 * on the standby carries the standby's replay position (session_read()'s
 * replay_lsn): if the standby has replayed up to a position noted at time T,
 * the page shows every commit made before T, so it is at most now - T stale.
 * The worker keeps the page when that is within PORTAL_MAX_LAG_MS, and reads
 * it again on the primary otherwise. A revoked grant is therefore gone from
 * every page within that bound, however far a standby falls behind.
 *
 * This module is the bookkeeping, without I/O: the positions noted, when the
 * next is due, and the staleness of a page. lib/app.c does the asking.
 */
#ifndef REPLICA_H
#define REPLICA_H

#include "db.h"

/* The statement that asks the primary for its position ("wal_lsn", no
 * parameters, one row: the pg_lsn as text), terminated by { NULL }. */
extern const struct db_stmt replica_stmts[];

enum { REPLICA_NOTES = 8 };

/* The primary's WAL positions noted by this worker, newest last. */
struct replica_clock {
	struct {
		double ms;              /* monotonic ms when the primary was asked */
		unsigned long long lsn; /* what pg_current_wal_lsn() answered */
	} note[REPLICA_NOTES];
	int n;
};

/* Parses a pg_lsn's text ("16/B374D848": two hex numbers of at most 8
 * digits). Returns 0, or -1 when text is not one. */
int replica_lsn_parse(const char *text, unsigned long long *out);

/* Notes that the primary was at lsn when asked at ms (the oldest note goes
 * when all are taken). A note older than the newest is ignored. */
void replica_note(struct replica_clock *c, double ms, unsigned long long lsn);

/* 1 when the primary should be asked again before a read at now_ms: no note
 * yet, or the newest is older than a quarter of max_lag_ms (so a standby
 * that keeps up is always found within the bound). */
int replica_note_due(const struct replica_clock *c, double now_ms, int max_lag_ms);

/* How many ms old, at now_ms, the newest noted time is whose position a
 * standby at replay has reached: the staleness bound of a page it read.
 * -1 when it has reached none of the notes. */
double replica_staleness(const struct replica_clock *c, double now_ms, unsigned long long replay);

#endif
