/*
 * Temporary extensions: the history of those granted (made by the
 * Support menu, support/extension.c), under its own path.
 */

#include <sys/types.h>

#include "resources/resources.h"

static const struct field fields[] = {
	ID,
	SUBSCRIPTION(F_LIST | F_SHOW | F_SEARCH),
	TEXT(salesforce_opportunity_id, "SFDC opportunity ID",
	    F_COL | F_SEARCH),
	TEXT(reason, "Reason", F_COL),
	INT(users, "Users", F_COL),
	DATE(renewal_term_start, "Renewal term starts",
	    F_SHOW | F_FILTER | F_SORT),
	DATE(starts_on, "Starts on", F_COL),
	DATE(ends_on, "Ends on", F_COL),
	TEXT(created_by, "Created by", F_COL),
	TEXT_AS(license, "License", "l.name", F_SHOW,
	    LINK("licenses", "t.license_id")),
	TEXT(notes, "Notes", F_SHOW),
	CREATED,
	END_FIELDS
};

const struct resource temporary_extensions_resource = {
	RESOURCE(temporary_extensions, "Temporary extensions",
	    "Temporary extension"),
	.from = "temporary_extensions t JOIN zuora_subscriptions s ON s.id = "
	    "t.zuora_subscription_id LEFT JOIN licenses l ON l.id = "
	    "t.license_id",
	.title_expr = "'Extension of ' || s.name",
	NEWEST_FIRST(id),
	.fields = fields,
	.path = "/admin/temporary_extension_history",
};
