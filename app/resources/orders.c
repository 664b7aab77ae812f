/*
 * Orders: what was bought, by whom, for which subscription and GitLab
 * namespace.
 */

#include <sys/types.h>

#include "resources/resources.h"

static const struct field fields[] = {
	INT(id, "Order ID", F_COL | F_SEARCH),
	BELONGS_TO(billing_account, "Billing account", "b.zuora_account_name",
	    F_LIST | F_SHOW | F_SEARCH, billing_accounts, billing_account_id,
	    "Billing account ID"),
	BELONGS_TO(customer, "Customer", "c.email", F_SHOW, customers,
	    customer_id, "Customer ID"),
	BELONGS_TO(subscription_name, "Subscription name",
	    "t.subscription_name", F_COL | F_SEARCH, zuora_subscriptions,
	    zuora_subscription_id, "Zuora subscription ID"),
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
