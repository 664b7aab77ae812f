/*
 * Licenses: not edited here; the show page has the license file's and
 * its e-mails' panel (support/license.c) and a link to the hostnames
 * the version service saw.
 */

#include <sys/types.h>

#include "resources/resources.h"
#include "support/support.h"

#define LICENSE_TYPES(X)						\
	X("cloud", "Cloud")						\
	X("offline_cloud", "Offline cloud")				\
	X("legacy", "Legacy")

static const struct field fields[] = {
	ID,
	ENUM(license_type, "Type", F_COL, LICENSE_TYPES),
	BOOL(trial, "Trial", F_COL),
	TEXT(name, "Name", F_COL | F_SEARCH),
	TEXT(company, "Company", F_COL | F_SEARCH),
	TEXT(email, "Email", F_COL | F_SEARCH),
	TIME(issued_at, "Issued at", F_COL),
	DATE(starts_at, "Starts at", F_COL),
	DATE(expires_at, "Expires at", F_COL),
	INT(user_count, "User count", F_COL),
	SUBSCRIPTION(F_LIST | F_SHOW),
	ENUM(gitlab_plan, "GitLab plan", F_COL, PAID_PLANS),
	END_FIELDS
};

const struct resource licenses_resource = {
	RESOURCE(licenses, "Licenses", "License"),
	.search_expr = "t.search_text",
	.from = "licenses t LEFT JOIN zuora_subscriptions s ON s.id = "
	    "t.zuora_subscription_id",
	.title_expr = "t.name || ' (' || " LABEL_SQL("t.license_type",
	    LICENSE_TYPES) " || ')'",
	NEWEST_FIRST(issued_at),
	.fields = fields,
	.lookup_label = "Lookup hostnames",
	.lookup_fmt = "/licenses/{id}/hostnames",
};

const struct edit_resource licenses_edit = {
	.name = "licenses", .table = "licenses",
	.show_extras = license_show_extras,
};
