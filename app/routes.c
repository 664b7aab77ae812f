/*
 * The route table: the one place that says which role each route needs.
 * Routes are tried in order; the first whose pattern and method match
 * wins.  A route whose need is 0 is refused to everyone (deny by
 * default), and the route table test fails on it.
 */

#include <sys/types.h>

#include "app.h"
#include "admin/resource.h"
#include "admin/edit.h"
#include "support/support.h"

#define GET	HTTP_METHOD_GET
#define POST	HTTP_METHOD_POST

const struct app_route app_routes[] = {
	{ GET,	"/",			NEED_PUBLIC,	page_root, "root" },
	{ GET,	"/healthz",		NEED_PUBLIC,	page_healthz, "health" },
	{ GET,	"/livez",		NEED_PUBLIC,	page_livez, "liveness" },
	{ GET,	"/metrics",		NEED_PUBLIC,	page_metrics, "metrics" },
	{ GET,	"/assets/*",		NEED_PUBLIC,	assets_serve, "asset" },

	/* Where GitLab.com finds our tokens' keys (support/gitlab_sync.c). */
	{ GET,	"/.well-known/openid-configuration", NEED_PUBLIC,
	    page_gitlab_discovery, "openid configuration" },
	{ GET,	"/oauth/discovery/keys", NEED_PUBLIC,	page_gitlab_jwks,
	    "token keys" },

	/* Signing in and out (auth/auth.c); signing out needs a session. */
	{ GET,	"/auth/signin",		NEED_PUBLIC,	auth_signin,
	    "sign in" },
	{ GET,	"/auth/callback",	NEED_PUBLIC,	auth_callback,
	    "sign-in callback" },
	{ POST,	"/auth/signout",	NEED_SIGNED_IN,	auth_signout,
	    "sign out" },
	{ GET,	"/auth/signedout",	NEED_PUBLIC,	auth_signedout,
	    "signed out" },
	/* The sign-in page (RailsAdmin's /admin/sign_in lead here). */
	{ GET,	"/auth/sign_in",	NEED_PUBLIC,	page_sign_in,
	    "sign-in page" },

	{ GET,	"/admin",		ROLE_ANY,	page_dashboard,
	    "dashboard" },

	/*
	 * The Support menu (app/support*.c): support admins only.  Before
	 * the generic routes, so that /admin/support/... is never taken for
	 * a resource.
	 */
	{ GET,	"/admin/support/trials", ROLE_SUPPORT_ADMIN, support_trials,
	    "support: trial changes" },
	{ GET,	"/admin/support/trials/:id/edit", ROLE_SUPPORT_ADMIN,
	    support_trial_edit_form, "support: edit trial form" },
	{ POST,	"/admin/support/trials/:id", ROLE_SUPPORT_ADMIN,
	    support_trial_update, "support: edit trial" },
	{ GET,	"/admin/support/trials/:id/cancel", ROLE_SUPPORT_ADMIN,
	    support_trial_cancel_form, "support: cancel trial form" },
	{ POST,	"/admin/support/trials/:id/cancel", ROLE_SUPPORT_ADMIN,
	    support_trial_cancel, "support: cancel trial" },
	{ GET,	"/admin/support/sm_trials", ROLE_SUPPORT_ADMIN,
	    support_sm_trials, "support: SM trial licenses" },
	{ GET,	"/admin/support/sm_trials/new", ROLE_SUPPORT_ADMIN,
	    support_sm_trial_new, "support: new SM trial license form" },
	{ POST,	"/admin/support/sm_trials", ROLE_SUPPORT_ADMIN,
	    support_sm_trial_create, "support: new SM trial license" },
	{ GET,	"/admin/support/namespaces", ROLE_SUPPORT_ADMIN,
	    support_namespaces, "support: namespace controls" },
	{ POST,	"/admin/support/namespaces/:id/:name", ROLE_SUPPORT_ADMIN,
	    support_namespace_action, "support: namespace control" },
	{ POST,	"/admin/support/gitlab_sync/:id/retry", ROLE_SUPPORT_ADMIN,
	    gitlab_sync_retry, "support: retry GitLab.com request" },
	{ POST,	"/admin/namespaces/:id/refresh_from_gitlab",
	    ROLE_EDITOR | ROLE_SUPPORT_ADMIN, namespace_refresh_from_gitlab,
	    "refresh from GitLab.com" },

	/* One search box for every record (search/global.c). */
	{ GET,	"/admin/search",	ROLE_ANY | ROUTE_READ, page_search,
	    "global search" },

	/* Browsing: every resource, for every role; lists may read the
	 * standby (ROUTE_READ), a record's page reads the primary. */
	{ GET,	"/admin/:name",		ROLE_ANY | ROUTE_READ, page_list,
	    "list" },
	{ GET,	"/admin/:name/export.csv", ROLE_ANY | ROUTE_READ,
	    page_export, "export" },
	{ GET,	"/admin/:name/history",	ROLE_ANY | ROUTE_READ, page_history,
	    "resource history" },
	{ GET,	"/admin/:name/:id",	ROLE_ANY,	page_show, "show" },
	{ GET,	"/admin/:name/:id/history", ROLE_ANY | ROUTE_READ,
	    page_history, "record history" },
	/* Everything that happened to a customer's records (admin/). */
	{ GET,	"/admin/customers/:id/timeline", ROLE_ANY | ROUTE_READ,
	    page_customer_timeline, "customer timeline" },
	/* A license's file, for whoever reads its page (support/). */
	{ GET,	"/admin/licenses/:id/download", ROLE_ANY, license_download,
	    "download license file" },

	/*
	 * Editing (app/edit*.c): editors only.  RailsAdmin's URLs for the
	 * generic forms (a resource without an edit descriptor answers
	 * 404), then each custom action of a record.
	 */
	{ GET,	"/admin/:name/new",	ROLE_EDITOR,	edit_new, "new form" },
	{ POST,	"/admin/:name",		ROLE_EDITOR,	edit_create, "create" },
	{ GET,	"/admin/:name/:id/edit", ROLE_EDITOR,	edit_form,
	    "edit form" },
	{ POST,	"/admin/:name/:id",	ROLE_EDITOR,	edit_update, "update" },
	{ GET,	"/admin/:name/:id/delete", ROLE_EDITOR,	edit_delete_confirm,
	    "delete confirmation" },
	{ POST,	"/admin/:name/:id/delete", ROLE_EDITOR,	edit_delete,
	    "delete" },
	{ POST,	"/admin/customers/:id/impersonate", ROLE_EDITOR,
	    customer_impersonate, "impersonate" },
	{ POST,	"/admin/customers/:id/one_time_sign_in", ROLE_EDITOR,
	    customer_one_time_sign_in, "new one-time sign-in URL" },
	{ POST,	"/admin/billing_accounts/:id/refresh_from_zuora", ROLE_EDITOR,
	    billing_account_refresh, "refresh from Zuora" },
	{ GET,	"/admin/trials/:id/renew_trial", ROLE_EDITOR,
	    trial_renew_form, "renew trial form" },
	{ POST,	"/admin/trials/:id/renew_trial", ROLE_EDITOR, trial_renew,
	    "renew trial" },

	/* The customers portal redeems tokens: a service token, no session. */
	{ POST,	"/api/v1/one_time_sign_in/redeem", NEED_PUBLIC | ROUTE_API,
	    api_one_time_sign_in_redeem, "redeem one-time sign-in" },
	{ POST,	"/api/v1/impersonation/redeem", NEED_PUBLIC | ROUTE_API,
	    api_impersonation_redeem, "redeem impersonation" },

	/* The sales system (SFDC) requests temporary extensions. */
	{ POST,	"/api/v1/temporary_extensions", NEED_PUBLIC | ROUTE_API,
	    api_temporary_extension_create, "create temporary extension" },
};

const size_t app_nroutes = sizeof(app_routes) / sizeof(app_routes[0]);
