/*
 * Reconciliations (quarterly seat reconciliation, QSR): the seats a
 * subscription used over what it paid for, invoiced on a day.
 */

#include <sys/types.h>

#include "resources/resources.h"

#define QSR_STATUSES(X)							\
	X("pending", "Pending")						\
	X("processed", "Processed")					\
	X("failed", "Failed")						\
	X("skipped", "Skipped")

static const struct field fields[] = {
	ID,
	TEXT(customer_name, "Customer name", F_COL | F_SEARCH),
	SUBSCRIPTION_NAME(F_COL | F_SEARCH),
	ENUM(status, "Status", F_COL, QSR_STATUSES),
	DATE(reconcile_on, "Reconcile on", F_COL),
	TIME(done_at, "Done at", F_COL),
	TEXT(skip_reason, "Skip reason", F_COL),
	INT(user_count, "User count", F_COL),
	DECIMAL(invoiced_amount, "Invoiced amount", F_COL),
	TEXT(error_message, "Error message", F_COL),
	TEXT(salesforce_opportunity_id, "SFDC opportunity ID",
	    F_SHOW | F_FILTER),
	CREATED,
	END_FIELDS
};

/* Filters match error messages in a lower-cased copy (migration 012). */
static const char *const lower_copies[] = {
	"error_message", "t.error_search", NULL
};

const struct resource reconciliations_resource = {
	RESOURCE(reconciliations, "Reconciliations", "Reconciliation"),
	.search_expr = "t.search_text",
	.lower_copies = lower_copies,
	.from = "reconciliations t",
	.title_expr = "t.subscription_name || ' on ' || t.reconcile_on",
	NEWEST_FIRST(reconcile_on),
	.fields = fields,
};
