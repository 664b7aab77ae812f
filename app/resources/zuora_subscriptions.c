/*
 * Zuora subscriptions: read from Zuora; not edited here.  The show page
 * has the running temporary extension's panel (support/extension.c).
 */

#include <sys/types.h>

#include "resources/resources.h"
#include "support/support.h"
#include "support/eligibility.h"

#define DEPLOYMENT_TYPES(X)						\
	X("saas", "SaaS")						\
	X("sm", "SM")
#define SUBSCRIPTION_STATUSES(X)					\
	X("active", "Active")						\
	X("cancelled", "Cancelled")					\
	X("expired", "Expired")

static const struct field fields[] = {
	ID,
	TEXT(name, "Name", F_COL | F_SEARCH),
	TEXT(zuora_subscription_id, "Zuora subscription ID",
	    F_SHOW | F_FILTER | F_SEARCH),
	BILLING_ACCOUNT(F_SHOW),
	ENUM(deployment_type, "Type", F_COL, DEPLOYMENT_TYPES),
	ENUM(gitlab_plan, "Plan", F_SHOW | F_FILTER, PAID_PLANS),
	ENUM(status, "Status", F_SHOW | F_FILTER, SUBSCRIPTION_STATUSES),
	DATE(term_start_date, "Start date", F_COL),
	DATE(term_end_date, "End date", F_COL),
	INT(seats, "Seats", F_SHOW | F_FILTER | F_SORT),
	INT(max_seats_used, "Max seats used", F_SHOW | F_FILTER | F_SORT),
	INT(seats_owed, "Owed seats", F_COL),
	BOOL(cloud_licensing, "Cloud licensing", F_COL),
	BOOL(operational_metrics, "Operational metrics", F_COL),
	BOOL(quarterly_coterms, "Quarterly coterms", F_COL),
	BOOL(auto_renew, "Auto renew", F_COL),
	BOOL(turn_on_seat_reconciliation, "QSR", F_SHOW | F_FILTER),
	CREATED,
	UPDATED,
	END_FIELDS
};

static const struct related related[] = {
	{ "Licenses", "licenses", "zuora_subscription_id", NULL },
	{ "License seat links", "license_seat_links",
	    "zuora_subscription_id", NULL },
	{ "Reconciliations", "reconciliations", "zuora_subscription_id",
	    NULL },
	{ "Temporary extensions", "temporary_extensions",
	    "zuora_subscription_id", NULL },
	{ "GitLab namespace", "namespaces", "zuora_subscription_id", NULL },
	{ "Orders", "orders", "zuora_subscription_id", NULL },
	END_RELATED
};

const struct resource zuora_subscriptions_resource = {
	RESOURCE(zuora_subscriptions, "Zuora subscriptions",
	    "Zuora subscription"),
	.from = "zuora_subscriptions t "
	    "JOIN billing_accounts b ON b.id = t.billing_account_id",
	.title_expr = "t.name",
	NEWEST_FIRST(id),
	.fields = fields, .related = related,
};

/* The extension badge and panel, then Eligibility (support/). */
static void
subscription_extras(struct app_req *ctx, const char *id, json_t *view)
{
	subscription_show_extras(ctx, id, view);
	eligibility_show_extras(ctx, id, view);
}

const struct edit_resource zuora_subscriptions_edit = {
	.name = "zuora_subscriptions", .table = "zuora_subscriptions",
	.show_extras = subscription_extras,
};
