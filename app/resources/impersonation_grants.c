/*
 * Impersonations: not in the navigation; reached from a customer's page
 * (resources/customers.c makes them), so that each grant's history can
 * be read.
 */

#include <sys/types.h>

#include "resources/resources.h"

static const struct field fields[] = {
	ID,
	CUSTOMER(F_LIST | F_SHOW),
	TEXT(admin_identity, "Made by", F_LIST | F_SHOW | F_FILTER),
	TIME(expires_at, "Expires at", F_LIST | F_SHOW),
	TIME(used_at, "Used at", F_LIST | F_SHOW),
	CREATED,
	END_FIELDS
};

const struct resource impersonation_grants_resource = {
	RESOURCE(impersonation_grants, "Impersonations", "Impersonation"),
	.from = "impersonation_grants t JOIN customers c ON c.id = "
	    "t.customer_id",
	.title_expr = "'Impersonation of ' || c.email || ' by ' || "
	    "t.admin_identity",
	NEWEST_FIRST(id),
	.fields = fields,
	.note = "Each grant opened the Customers Portal as the customer once, "
	    "for at most an hour. Only a hash of its token is kept.",
};
