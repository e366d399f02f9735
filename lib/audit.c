/*
 * audit: the actor of a change, as its audit row takes it (see audit.h).
 */
#include "audit.h"

#include <stddef.h>
#include <stdio.h>

const struct audit_actor audit_console = { NULL, "portalctl", NULL };

void audit_params(const struct audit_actor *a, const char **p)
{
	p[0] = a->id;
	p[1] = a->via;
	p[2] = a->ip;
}

void audit_params_on(const struct audit_actor *a, long long id, char idtext[AUDIT_ID_LEN],
                     const char **p)
{
	audit_params(a, p);
	snprintf(idtext, AUDIT_ID_LEN, "%lld", id);
	p[3] = idtext;
}
