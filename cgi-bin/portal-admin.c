/*
 * portal-admin: the administrators' pool, everything under /admin/. It
 * connects as the database role portal_admin, which may change users, roles,
 * reports and grants; the employees' pool cannot.
 */
#include "app.h"

static const struct route routes[] = {
	{ "GET", "/admin/healthz", app_healthz },
};

static const struct app_spec spec = {
	.name = "portal-admin",
	.routes = routes,
	.n_routes = sizeof(routes) / sizeof(routes[0]),
};

int main(int argc, char **argv)
{
	return app_main(argc, argv, &spec);
}
