/*
 * License seat links: what a self-managed instance reports of its users
 * each day.
 */

#include <sys/types.h>

#include "resources/resources.h"

static const struct field fields[] = {
	ID,
	SUBSCRIPTION_NAME(F_COL | F_SEARCH),
	TEXT(company, "Company", F_COL | F_SEARCH),
	TEXT(hostname, "Hostname", F_COL | F_SEARCH),
	INT(license_user_count, "License user count", F_COL),
	INT(billable_user_count, "Billable user count", F_COL),
	INT(max_historical_user_count, "Max historical user count", F_COL),
	TEXT(gitlab_version, "GitLab version", F_COL),
	TIME(synced_at, "Synced at", F_COL),
	END_FIELDS
};

const struct resource license_seat_links_resource = {
	RESOURCE(license_seat_links, "License seat links", "License seat link"),
	.search_expr = "t.search_text",
	.search_values = "license_seat_link_texts",
	.from = "license_seat_links t",
	.title_expr = "t.hostname || ' at ' || to_char(t.synced_at AT TIME "
	    "ZONE 'UTC', 'YYYY-MM-DD')",
	NEWEST_FIRST(synced_at),
	.fields = fields,
};
