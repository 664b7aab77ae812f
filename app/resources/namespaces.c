/*
 * GitLab namespaces: not edited here; the show page has the GitLab.com
 * sync panel and "Refresh from GitLab.com" (support/).
 */

#include <sys/types.h>

#include "resources/resources.h"
#include "support/support.h"

#define NAMESPACE_KINDS(X)						\
	X("user", "Personal")						\
	X("group", "Group")
#define NAMESPACE_PLANS(X)						\
	X("free", "Free")						\
	X("premium", "Premium")						\
	X("ultimate", "Ultimate")					\
	X("bronze", "Bronze")						\
	X("silver", "Silver")						\
	X("gold", "Gold")						\
	TRIAL_PLANS(X)							\
	X("opensource", "Open Source")

static const struct field fields[] = {
	ID,
	INT(gitlab_id, "Namespace ID", F_COL | F_SEARCH),
	TEXT(path, "Path", F_COL | F_SEARCH),
	TEXT(name, "Name", F_COL | F_SEARCH),
	ENUM(kind, "Kind", F_COL, NAMESPACE_KINDS),
	ENUM(plan, "Plan", F_COL, NAMESPACE_PLANS),
	DATE_AS(trial_ends_on, "Trial ends on",
	    "(SELECT max(tr.ends_on) FROM trials tr WHERE tr.namespace_id = "
	    "t.id AND tr.status <> 'cancelled')", F_LIST | F_SHOW),
	BELONGS_TO(owner, "Owner", "c.email", F_LIST | F_SHOW, customers,
	    owner_customer_id, "Owner ID"),
	SUBSCRIPTION(F_LIST | F_SHOW),
	DATE_AS(subscription_expires_on, "Subscription expires on",
	    "greatest(t.subscription_expires_on, s.term_end_date)", F_SHOW),
	INT(extra_ci_minutes, "Extra CI minutes", F_SHOW | F_FILTER | F_SORT),
	INT(additional_storage_mib, "Additional storage (MiB)",
	    F_SHOW | F_FILTER | F_SORT),
	INT(max_seats_used, "Max seats used", F_SHOW | F_FILTER | F_SORT),
	CREATED,
	UPDATED,
	END_FIELDS
};

static const struct related related[] = {
	{ "Trials", "trials", "namespace_id", NULL },
	END_RELATED
};

const struct resource namespaces_resource = {
	RESOURCE(namespaces, "Namespaces", "Namespace"),
	.search_expr = "t.search_text",
	.from = "namespaces t LEFT JOIN customers c ON c.id = "
	    "t.owner_customer_id LEFT JOIN zuora_subscriptions s ON s.id = "
	    "t.zuora_subscription_id",
	.title_expr = "t.path",
	NEWEST_FIRST(id),
	.fields = fields, .related = related,
};

const struct edit_resource namespaces_edit = {
	.name = "namespaces", .table = "namespaces",
	.show_extras = namespace_show_extras,
};
