/*
 * Orders: what was bought, by whom, for which subscription and GitLab
 * namespace.
 */

#include <sys/types.h>

#include "resources/resources.h"

static const struct field fields[] = {
	INT(id, "Order ID", F_COL | F_SEARCH),
	BILLING_ACCOUNT(F_LIST | F_SHOW | F_SEARCH),
	CUSTOMER(F_SHOW),
	SUBSCRIPTION_NAME(F_COL | F_SEARCH),
	INT(gl_namespace_id, "GitLab namespace ID", F_COL | F_SEARCH),
	TEXT(gl_namespace_name, "GitLab namespace name", F_COL | F_SEARCH),
	TEXT(product_name, "Product", F_COL),
	INT(quantity, "Quantity", F_COL),
	BOOL(trial, "Trial", F_SHOW | F_FILTER),
	DATE(start_date, "Start date", F_SHOW | F_FILTER | F_SORT),
	DATE(end_date, "End date", F_SHOW | F_FILTER | F_SORT),
	CREATED,
	UPDATED,
	END_FIELDS
};

const struct resource orders_resource = {
	RESOURCE(orders, "Orders", "Order"),
	.from = "orders t JOIN billing_accounts b ON b.id = "
	    "t.billing_account_id LEFT JOIN customers c ON c.id = "
	    "t.customer_id",
	.title_expr = "'Order ' || t.id",
	NEWEST_FIRST(id),
	.fields = fields,
};
