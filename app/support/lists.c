/*
 * The Support menu's lists, described for the list engine (admin/list.c,
 * admin/screen.c): the same search, filters, sort and pages as every
 * list, at the Support menu's paths, listed only by Support's routes
 * (support admins).  Their rows link to the records' own pages.
 *
 *	GET /admin/support/trials	Trial changes (SaaS)
 *	GET /admin/support/sm_trials	Trials for SM
 */

#include <sys/types.h>

#include <string.h>

#include "support/support.h"

#define END	{ NULL, NULL, NULL, FT_TEXT, 0, NULL, NULL, NULL }

static const char *const trial_plans[] = {
	"ultimate_trial", "Ultimate trial",
	"premium_trial", "Premium trial",
	"ultimate_trial_paid_customer", "Ultimate trial (paid customer)",
	NULL
};

static const char *const trial_statuses[] = {
	"active", "Active",
	"expired", "Expired",
	"cancelled", "Cancelled",
	NULL
};

static const char *const license_plans[] = {
	"ultimate", "Ultimate",
	"premium", "Premium",
	NULL
};

static const struct field trial_fields[] = {
	{ "id", "Trial", "t.id", FT_INT, F_LIST | F_SORT, NULL, NULL, NULL },
	{ "namespace", "Namespace", "n.path", FT_TEXT, F_LIST, NULL,
	    "namespaces", "t.namespace_id" },
	/* The namespace's path and name, in its table's search column. */
	{ "namespace_text", "Namespace", "n.search_text", FT_TEXT, F_SEARCH,
	    NULL, NULL, NULL },
	{ "gitlab_id", "Namespace ID", "n.gitlab_id", FT_INT,
	    F_LIST | F_SEARCH, NULL, NULL, NULL },
	{ "owner", "Owner", "c.email", FT_TEXT, F_LIST | F_SEARCH, NULL,
	    "customers", "n.owner_customer_id" },
	{ "plan", "Type", "t.plan", FT_ENUM, F_LIST | F_FILTER, trial_plans,
	    NULL, NULL },
	{ "starts_on", "Starts on", "t.starts_on", FT_DATE,
	    F_LIST | F_FILTER | F_SORT, NULL, NULL, NULL },
	{ "ends_on", "Ends on", "t.ends_on", FT_DATE,
	    F_LIST | F_FILTER | F_SORT, NULL, NULL, NULL },
	{ "status", "Status", "t.status", FT_ENUM, F_LIST | F_FILTER,
	    trial_statuses, NULL, NULL },
	END
};

/* Edit an active or expired trial; cancel an active one. */
static const struct row_action trial_actions[] = {
	{ "edit", "Edit", "/admin/support/trials/{id}/edit",
	    "t.status <> 'cancelled'", NULL },
	{ "cancel", "Cancel", "/admin/support/trials/{id}/cancel",
	    "t.status = 'active'", "\xe2\x9b\x94" },		/* ⛔ */
	{ NULL, NULL, NULL, NULL, NULL }
};

const struct resource support_trials_list = {
	.name = "support_trials", .label = "Trial changes (SaaS)",
	.singular = "Trial", .table = "trials",
	.from = "trials t JOIN namespaces n ON n.id = t.namespace_id "
	    "LEFT JOIN customers c ON c.id = n.owner_customer_id",
	.title_expr = "n.path",
	.default_sort = "id", .default_reverse = 1,
	.fields = trial_fields,
	.path = "/admin/support/trials",
	.note = "Edit the trial type and end date of an active or expired "
	    "trial of a GitLab.com namespace, or cancel an active trial. "
	    "Search by namespace path, namespace ID or owner's email. Every "
	    "change needs the Zendesk ticket it is for.",
	.records = "trials",
	.row_actions = trial_actions,
	/* A cancelled trial is history: shown when asked for. */
	.default_query = "f[status][0][o]=in&f[status][0][v][]=active&"
	    "f[status][0][v][]=expired",
};

static const struct field license_fields[] = {
	{ "id", "License", "t.id", FT_INT, F_LIST | F_SORT, NULL, NULL,
	    NULL },
	{ "name", "Name", "t.name", FT_TEXT, F_LIST | F_SEARCH, NULL, NULL,
	    NULL },
	{ "company", "Company", "t.company", FT_TEXT, F_LIST | F_SEARCH,
	    NULL, NULL, NULL },
	{ "email", "Email", "t.email", FT_TEXT, F_LIST | F_SEARCH, NULL,
	    NULL, NULL },
	{ "user_count", "Users", "t.user_count", FT_INT, F_LIST, NULL, NULL,
	    NULL },
	{ "gitlab_plan", "Plan", "t.gitlab_plan", FT_ENUM,
	    F_LIST | F_FILTER, license_plans, NULL, NULL },
	{ "starts_at", "Starts", "t.starts_at", FT_DATE,
	    F_LIST | F_FILTER | F_SORT, NULL, NULL, NULL },
	{ "expires_at", "Expires", "t.expires_at", FT_DATE,
	    F_LIST | F_FILTER | F_SORT, NULL, NULL, NULL },
	{ "issued_at", "Issued at", "t.issued_at", FT_TIME,
	    F_LIST | F_FILTER | F_SORT, NULL, NULL, NULL },
	END
};

static const struct row_action license_actions[] = {
	{ "download", "Download", "/admin/licenses/{id}/download",
	    "t.license_file IS NOT NULL", NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};

static const char	*license_alert(void);

const struct resource support_sm_trials_list = {
	.search_expr = "t.search_text",
	.name = "support_sm_trials", .label = "Trials for SM",
	.singular = "Trial license", .table = "licenses",
	/* The legacy trial licenses among all licenses. */
	.from = "(SELECT * FROM licenses WHERE license_type = 'legacy' AND "
	    "trial) t",
	.title_expr = "t.name",
	.default_sort = "issued_at", .default_reverse = 1,
	.fields = license_fields,
	.path = "/admin/support/sm_trials",
	.note = "Legacy trial licenses for GitLab Self-Managed, newest first. "
	    "A new license is signed and e-mailed to the user's address.",
	.records = "licenses",
	.row_actions = license_actions,
	.new_href = "/admin/support/sm_trials/new",
	.new_label = "Add new License",
	.alert = license_alert,
};


static const char *
license_alert(void)
{
	if (license_signing_ready())
		return (NULL);

	return ("License signing is not configured (license_private_key and "
	    "license_public_key), so no license can be made.");
}

/*
 * GET /admin/support/trials.  The former ?status= (active, expired,
 * cancelled, all) still reads as the status filter.
 */
int
support_trials(struct http_request *req, struct app_req *ctx)
{
	const struct field	*f;
	const char		*status;
	int			 rc;

	f = resource_field(&support_trials_list, "status");
	status = param_last(&ctx->query, "status");
	rc = 0;
	if (status != NULL && (strcmp(status, "all") == 0 ||
	    field_option_label(f, status) != NULL))
		rc = params_add(&ctx->query, "f[status][s][o]", "in");
	if (rc == 0 && status != NULL && field_option_label(f, status) != NULL)
		rc = params_add(&ctx->query, "f[status][s][v][]", status);
	if (rc == -1)
		return (render_error(req, ctx, HTTP_STATUS_INTERNAL_ERROR,
		    "Out of memory."));

	return (list_screen_page(req, ctx, &support_trials_list));
}

/* GET /admin/support/sm_trials */
int
support_sm_trials(struct http_request *req, struct app_req *ctx)
{
	return (list_screen_page(req, ctx, &support_sm_trials_list));
}
