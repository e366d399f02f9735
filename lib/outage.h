/*
 * outage: one account of a database outage for a whole pool. When the
 * database goes away every request of every worker fails; logging each
 * failure would write tens of thousands of lines a minute and bury the one
 * that matters. Instead the pool logs the outage once when it starts (with
 * the error), a running count at most once a second while it lasts, and once
 * when it ends. The state lives in memory shared by the master and its
 * workers (outage_share, before the first fork); a program that never calls
 * outage_share (portalctl, the tests) keeps it to itself.
 */
#ifndef OUTAGE_H
#define OUTAGE_H

/* Maps the shared state, in the master before it forks. Returns 0, or -1
 * (errno set) when mmap fails: then each process keeps its own account,
 * which logs per worker but still once per outage. */
int outage_share(void);

/*
 * A connection to the database failed (during names the call: "connect",
 * a statement's name) with error, the first line of libpq's message. The
 * first failure of an outage logs "database unavailable" with the error;
 * later ones are counted, and "database still unavailable" with the count
 * so far is logged at most once a second (by whichever failure comes then).
 */
void outage_failed(const char *during, const char *error);

/* A connection succeeded: when an outage was going on, logs "database
 * available again" with its length and the number of failures, once. */
void outage_ended(void);

/* 1 while an outage is going on (for the tests and the status page). */
int outage_active(void);

/* Forgets the shared state (tests; a pool that stops). */
void outage_unshare(void);

#endif
