/*
 * Invoices: read from Zuora, listed here with what is still owed.
 */

#include <sys/types.h>

#include "resources/resources.h"

#define PAYMENT_STATUSES(X)						\
	X("paid", "Paid")						\
	X("unpaid", "Unpaid")						\
	X("partially_paid", "Partially paid")

static const struct field fields[] = {
	ID,
	TEXT(zuora_invoice_number, "Invoice", F_COL | F_SEARCH),
	BILLING_ACCOUNT(F_LIST | F_SHOW),
	DATE(invoice_date, "Date", F_COL),
	DECIMAL(amount, "Amount", F_COL),
	ENUM(payment_status, "Payment status", F_COL, PAYMENT_STATUSES),
	DECIMAL(balance, "Balance", F_COL),
	DATE(due_date, "Due date", F_COL),
	END_FIELDS
};

const struct resource invoices_resource = {
	RESOURCE(invoices, "Invoices", "Invoice"),
	.from = "invoices t JOIN billing_accounts b ON b.id = "
	    "t.billing_account_id",
	.title_expr = "t.zuora_invoice_number",
	NEWEST_FIRST(invoice_date),
	.fields = fields,
};
