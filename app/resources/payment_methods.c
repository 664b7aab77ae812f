/*
 * Payment methods: a card or a bank account (ACH) of a billing account,
 * of which only the last 4 digits are ever stored.
 */

#include <sys/types.h>

#include "resources/resources.h"

#define PAYMENT_KINDS(X)						\
	X("credit_card", "Credit card")					\
	X("ach", "ACH")
#define ACH_ACCOUNT_TYPES(X)						\
	X("checking", "Checking")					\
	X("savings", "Savings")						\
	X("business_checking", "Business checking")

static const struct field fields[] = {
	ID,
	BILLING_ACCOUNT(F_LIST | F_SHOW),
	ENUM(kind, "Kind", F_COL, PAYMENT_KINDS),
	BOOL(is_default, "Default", F_COL),
	TEXT(card_last4, "Card ending in", F_LIST | F_SHOW | F_MASKED),
	TEXT(card_type, "Card type", F_COL),
	TEXT(name_on_card, "Name on card", F_COL | F_SEARCH),
	TEXT_AS(card_expiration, "Expiration",
	    "lpad(t.card_expiration_month::text, 2, '0') || '/' || "
	    "t.card_expiration_year", F_LIST | F_SHOW),
	TEXT(ach_routing_number, "Routing number", F_LIST | F_SHOW),
	TEXT(ach_account_number_last4, "Account number",
	    F_LIST | F_SHOW | F_MASKED),
	ENUM(ach_account_type, "Account type", F_LIST | F_SHOW,
	    ACH_ACCOUNT_TYPES),
	TEXT(ach_bank_name, "Bank name", F_COL),
	TEXT(ach_account_name, "Account name", F_COL | F_SEARCH),
	END_FIELDS
};

const struct resource payment_methods_resource = {
	RESOURCE(payment_methods, "Payment methods", "Payment method"),
	.from = "payment_methods t JOIN billing_accounts b ON b.id = "
	    "t.billing_account_id",
	.title_expr = "CASE t.kind WHEN 'ach' THEN 'ACH account ending in ' "
	    "|| t.ach_account_number_last4 ELSE t.card_type || ' ending in ' "
	    "|| t.card_last4 END",
	NEWEST_FIRST(id),
	.fields = fields,
	.note = "Card and bank account numbers are never stored: only their "
	    "last 4 digits.",
};
