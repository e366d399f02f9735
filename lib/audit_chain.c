/*
 * audit_chain: computing and checking the links of the hash-chained audit
 * log (see audit_chain.h). The walk names the first row where the chain
 * breaks, by its id, and checks every link: no row is skipped.
 */
#include "audit_chain.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

int audit_chain_link(const unsigned char prev[AUDIT_HASH_LEN], const char *canon, size_t len,
                     unsigned char out[AUDIT_HASH_LEN])
{
	unsigned char stack[4096];
	unsigned char *in = stack;

	if (len > sizeof stack - AUDIT_HASH_LEN) {
		in = malloc(AUDIT_HASH_LEN + len);
		if (in == NULL)
			return -1;
	}
	memcpy(in, prev, AUDIT_HASH_LEN);
	memcpy(in + AUDIT_HASH_LEN, canon, len);
	SHA256(in, AUDIT_HASH_LEN + len, out);
	if (in != stack)
		free(in);
	return 0;
}

void audit_chain_hex(const unsigned char hash[AUDIT_HASH_LEN], char out[AUDIT_HASH_HEX + 1])
{
	auth_hex(hash, AUDIT_HASH_LEN, out);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int audit_chain_unhex(const char *s, size_t len, unsigned char out[AUDIT_HASH_LEN])
{
	if (len != AUDIT_HASH_HEX)
		return -1;
	for (size_t i = 0; i < AUDIT_HASH_LEN; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int audit_chain_parse_bytea(const char *s, unsigned char out[AUDIT_HASH_LEN])
{
	if (s == NULL || s[0] != '\\' || s[1] != 'x')
		return -1;
	return audit_chain_unhex(s + 2, strlen(s + 2), out);
}

int audit_chain_parse_checkpoint(const char *s, long long *seq, unsigned char hash[AUDIT_HASH_LEN])
{
	const char *colon = s ? strchr(s, ':') : NULL;
	long long v = 0;
	size_t n;

	if (colon == NULL)
		return -1;
	n = (size_t)(colon - s);
	if (n < 1 || n > 18 || s[0] == '0')
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (audit_chain_unhex(colon + 1, strlen(colon + 1), hash) != 0)
		return -1;
	*seq = v;
	return 0;
}

void audit_walk_start(struct audit_walk *w, long long seq, const unsigned char *hash,
                      long long head_seq, const unsigned char head_hash[AUDIT_HASH_LEN])
{
	memset(w, 0, sizeof *w);
	w->seq = seq;
	w->start_seq = seq;
	if (hash != NULL)
		memcpy(w->hash, hash, AUDIT_HASH_LEN);
	w->head_seq = head_seq;
	memcpy(w->head_hash, head_hash, AUDIT_HASH_LEN);
}

static int fail(struct audit_walk *w, enum audit_verdict v)
{
	w->verdict = v;
	return -1;
}

int audit_walk_checkpoint(struct audit_walk *w, int found, long long id,
                          const unsigned char stored[AUDIT_HASH_LEN])
{
	char a[AUDIT_HASH_HEX + 1], b[AUDIT_HASH_HEX + 1];

	if (!found) {
		snprintf(w->message, sizeof w->message,
		         "no row has the checkpoint's seq %lld: it was removed, or the checkpoint "
		         "is not of this log",
		         w->seq);
		return fail(w, AUDIT_BAD_CHECKPOINT);
	}
	if (memcmp(stored, w->hash, AUDIT_HASH_LEN) != 0) {
		audit_chain_hex(stored, a);
		audit_chain_hex(w->hash, b);
		snprintf(w->message, sizeof w->message,
		         "row id %lld (seq %lld) does not match the checkpoint: stored hash %s, "
		         "checkpoint %s (the log was rewritten up to it)",
		         id, w->seq, a, b);
		return fail(w, AUDIT_BAD_CHECKPOINT);
	}
	w->id = id;
	return 0;
}

int audit_walk_row(struct audit_walk *w, long long seq, long long id, const char *canon, size_t len,
                   const unsigned char stored[AUDIT_HASH_LEN])
{
	unsigned char computed[AUDIT_HASH_LEN];
	char a[AUDIT_HASH_HEX + 1], b[AUDIT_HASH_HEX + 1];

	if (w->verdict != AUDIT_INTACT)
		return -1;
	if (seq <= w->seq) {
		snprintf(w->message, sizeof w->message,
		         "row id %lld has seq %lld, which row id %lld has already: inserted out "
		         "of turn",
		         id, seq, w->id);
		return fail(w, AUDIT_OUT_OF_TURN);
	}
	if (seq > w->head_seq) {
		snprintf(w->message, sizeof w->message,
		         "row id %lld (seq %lld) is beyond the chain head (seq %lld): inserted out "
		         "of turn",
		         id, seq, w->head_seq);
		return fail(w, AUDIT_BEYOND_HEAD);
	}
	if (seq != w->seq + 1) {
		if (seq - 1 == w->seq + 1)
			snprintf(w->message, sizeof w->message,
			         "row seq %lld is missing before row id %lld (seq %lld): removed",
			         w->seq + 1, id, seq);
		else
			snprintf(w->message, sizeof w->message,
			         "rows seq %lld to %lld are missing before row id %lld (seq %lld): "
			         "removed",
			         w->seq + 1, seq - 1, id, seq);
		return fail(w, AUDIT_REMOVED);
	}
	if (audit_chain_link(w->hash, canon, len, computed) != 0) {
		snprintf(w->message, sizeof w->message, "out of memory at row id %lld", id);
		return fail(w, AUDIT_CHANGED);
	}
	if (memcmp(computed, stored, AUDIT_HASH_LEN) != 0) {
		audit_chain_hex(stored, a);
		audit_chain_hex(computed, b);
		snprintf(w->message, sizeof w->message,
		         "row id %lld (seq %lld) was changed: stored hash %s computed %s", id, seq,
		         a, b);
		return fail(w, AUDIT_CHANGED);
	}
	/* Ids are drawn under the chain's lock, so they rise along it. */
	if (w->id != 0 && id <= w->id) {
		snprintf(
		    w->message, sizeof w->message,
		    "row id %lld (seq %lld) follows row id %lld (seq %lld) but has a lower id: "
		    "inserted out of turn",
		    id, seq, w->id, w->seq);
		return fail(w, AUDIT_OUT_OF_TURN);
	}
	w->seq = seq;
	w->id = id;
	memcpy(w->hash, stored, AUDIT_HASH_LEN);
	w->rows++;
	return 0;
}

int audit_walk_end(struct audit_walk *w)
{
	char a[AUDIT_HASH_HEX + 1], b[AUDIT_HASH_HEX + 1];

	if (w->verdict != AUDIT_INTACT)
		return -1;
	if (w->head_seq > w->seq) {
		snprintf(w->message, sizeof w->message,
		         "the chain ends at seq %lld (row id %lld) but its head says seq %lld: the "
		         "last %lld row%s removed",
		         w->seq, w->id, w->head_seq, w->head_seq - w->seq,
		         w->head_seq - w->seq == 1 ? " was" : "s were");
		return fail(w, AUDIT_TAIL_REMOVED);
	}
	if (memcmp(w->head_hash, w->hash, AUDIT_HASH_LEN) != 0) {
		audit_chain_hex(w->head_hash, a);
		audit_chain_hex(w->hash, b);
		snprintf(
		    w->message, sizeof w->message,
		    "the chain head (seq %lld) holds hash %s, but row id %lld has %s: the head "
		    "or the last row was rewritten",
		    w->head_seq, a, w->id, b);
		return fail(w, AUDIT_HEAD_MISMATCH);
	}
	audit_chain_hex(w->hash, a);
	if (w->start_seq > 0)
		snprintf(
		    w->message, sizeof w->message,
		    "%lld rows after checkpoint seq %lld, chain intact up to seq %lld (hash %s)",
		    w->rows, w->start_seq, w->seq, a);
	else
		snprintf(w->message, sizeof w->message,
		         "%lld rows, chain intact up to seq %lld (hash %s)", w->rows, w->seq, a);
	return 0;
}
