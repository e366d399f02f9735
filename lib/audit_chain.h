/*
 * audit_chain: the links of the hash-chained audit log and the walk that
 * checks them (schema/0009_audit_chain.sql makes them). A row's hash is
 * sha256(the hash of the row before || the row's canonical text, as
 * audit_canonical() in the database writes it); before seq 1 stands the
 * genesis, 32 zero bytes. No database here: the caller streams the rows in
 * seq order into audit_walk_row, so the verdicts are testable in memory.
 */
#ifndef AUDIT_CHAIN_H
#define AUDIT_CHAIN_H

#include <stddef.h>

enum { AUDIT_HASH_LEN = 32, AUDIT_HASH_HEX = 64 };

/* out = sha256(prev || canon[0..len)). Returns 0, or -1 when out of memory
 * (a canonical text over 4 KiB is copied to the heap). */
int audit_chain_link(const unsigned char prev[AUDIT_HASH_LEN], const char *canon, size_t len,
                     unsigned char out[AUDIT_HASH_LEN]);

/* Writes the 64 lower-case hex digits of hash and a NUL to out (65 bytes). */
void audit_chain_hex(const unsigned char hash[AUDIT_HASH_LEN], char out[AUDIT_HASH_HEX + 1]);

/* Reads exactly 64 hex digits (either case) from s[0..len). Returns 0, or
 * -1 for any other length or character. */
int audit_chain_unhex(const char *s, size_t len, unsigned char out[AUDIT_HASH_LEN]);

/* Reads a bytea of 32 bytes in PostgreSQL's text form ("\x" and 64 hex
 * digits). Returns 0 or -1. */
int audit_chain_parse_bytea(const char *s, unsigned char out[AUDIT_HASH_LEN]);

/* Reads a checkpoint "SEQ:HASH" as `portalctl audit checkpoint` prints it:
 * SEQ 1 to 18 decimal digits without a leading 0, HASH 64 hex digits.
 * Returns 0 with *seq and hash, or -1. */
int audit_chain_parse_checkpoint(const char *s, long long *seq, unsigned char hash[AUDIT_HASH_LEN]);

enum audit_verdict {
	AUDIT_INTACT = 0,
	AUDIT_CHANGED,       /* a row's stored hash is not its computed one */
	AUDIT_REMOVED,       /* a gap in seq: rows before this one are gone */
	AUDIT_OUT_OF_TURN,   /* seq repeated, or an id lower than the row's before */
	AUDIT_BEYOND_HEAD,   /* a row after the chain head's seq */
	AUDIT_TAIL_REMOVED,  /* the head names a seq after the last row */
	AUDIT_HEAD_MISMATCH, /* the head's hash is not the last row's */
	AUDIT_BAD_CHECKPOINT /* the checkpoint's row is missing or has another hash */
};

/* The state of one walk. Fill it with audit_walk_start; read verdict,
 * message (one line, no newline), rows and the last link afterwards. */
struct audit_walk {
	long long seq; /* the last link checked: the start, then each row's */
	long long id;  /* its row's id, 0 at the start */
	unsigned char hash[AUDIT_HASH_LEN];
	long long start_seq;
	long long rows; /* rows checked */
	long long head_seq;
	unsigned char head_hash[AUDIT_HASH_LEN];
	enum audit_verdict verdict;
	char message[512];
};

/*
 * Starts a walk after the link (seq, hash): seq 0 with hash NULL for the
 * genesis, or a checkpoint (then call audit_walk_checkpoint with its row
 * first). head_seq and head_hash: the chain head (audit_chain_head), read
 * in the same snapshot as the rows.
 */
void audit_walk_start(struct audit_walk *w, long long seq, const unsigned char *hash,
                      long long head_seq, const unsigned char head_hash[AUDIT_HASH_LEN]);

/* The checkpoint's own row: found 0 when no row has the checkpoint's seq,
 * else its id and stored hash. Returns 0 when it matches, -1 with the
 * verdict AUDIT_BAD_CHECKPOINT. */
int audit_walk_checkpoint(struct audit_walk *w, int found, long long id,
                          const unsigned char stored[AUDIT_HASH_LEN]);

/*
 * The next row in seq order: checks that seq follows the last link, that
 * the stored hash is sha256(last hash || canon), that id is above the last
 * row's and that seq is not beyond the head. Returns 0, or -1 with verdict
 * and message set (the walk stops there; later calls return -1).
 */
int audit_walk_row(struct audit_walk *w, long long seq, long long id, const char *canon, size_t len,
                   const unsigned char stored[AUDIT_HASH_LEN]);

/* After the last row: the head must name the last link. Returns 0 with the
 * "intact" message, or -1. */
int audit_walk_end(struct audit_walk *w);

#endif
