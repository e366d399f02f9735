/*
 * audit: who makes a change, as every operation on users, roles and
 * reports (lib/users.c, lib/roles.c, lib/reports.c) writes it into its audit
 * row: the acting user, the channel and the client's address. Each of those
 * operations takes the actor as its first three statement parameters, in
 * this order, so that the audit row of every front end reads alike.
 */
#ifndef AUDIT_H
#define AUDIT_H

struct audit_actor {
	const char *id;  /* the acting user's id in decimal; NULL: nobody (the console) */
	const char *via; /* the channel: "web", "portalctl" */
	const char *ip;  /* the client's address; NULL: none */
};

/* portalctl's: nobody signed in, from no address. */
extern const struct audit_actor audit_console;

/* Number of statement parameters audit_params fills: $1 actor id,
 * $2 channel, $3 address. */
enum { AUDIT_NPARAMS = 3 };

/* Fills p[0..2] from a (pointers into a). */
void audit_params(const struct audit_actor *a, const char **p);

/* For an operation on one row: p[0..2] as audit_params, and p[3] the row's
 * id in decimal, written into idtext. */
enum { AUDIT_ID_LEN = 24 };
void audit_params_on(const struct audit_actor *a, long long id, char idtext[AUDIT_ID_LEN],
                     const char **p);

#endif
