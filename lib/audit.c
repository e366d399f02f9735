/*
 * audit: the actor of a change, as its audit row takes it (see audit.h).
 */
#include "audit.h"

#include <stddef.h>

const struct audit_actor audit_console = { NULL, "portalctl", NULL };

void audit_params(const struct audit_actor *a, const char **p)
{
	p[0] = a->id;
	p[1] = a->via;
	p[2] = a->ip;
}
