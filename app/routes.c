/*
 * The route table: the one place that says which role each route needs.
 * Routes are tried in order; the first whose pattern and method match
 * wins.  A route whose need is 0 is refused to everyone (deny by
 * default), and the route table test fails on it.
 */

#include <sys/types.h>

#include "app.h"
#include "resource.h"

#define GET	HTTP_METHOD_GET
#define POST	HTTP_METHOD_POST

const struct app_route app_routes[] = {
	{ GET,	"/",			NEED_PUBLIC,	page_root, "root" },
	{ GET,	"/healthz",		NEED_PUBLIC,	page_healthz, "health" },
	{ GET,	"/metrics",		NEED_PUBLIC,	page_metrics, "metrics" },
	{ GET,	"/assets/*",		NEED_PUBLIC,	assets_serve, "asset" },

	{ GET,	"/admin",		ROLE_ANY,	page_dashboard,
	    "dashboard" },
	/* Browsing: every resource, for every role. */
	{ GET,	"/admin/:name",		ROLE_ANY,	page_list, "list" },
	{ GET,	"/admin/:name/export.csv", ROLE_ANY,	page_export,
	    "export" },
	{ GET,	"/admin/:name/history",	ROLE_ANY,	page_history,
	    "resource history" },
	{ GET,	"/admin/:name/:id",	ROLE_ANY,	page_show, "show" },
	{ GET,	"/admin/:name/:id/history", ROLE_ANY,	page_history,
	    "record history" },
	{ GET,	"/admin/support/:name",	ROLE_SUPPORT_ADMIN, page_pending,
	    "support screen" },
};

const size_t app_nroutes = sizeof(app_routes) / sizeof(app_routes[0]);
