/*
 * Billing account memberships: which customer may use which billing
 * account (a customer has at most one).  Made and deleted here, never
 * edited.
 */

#include <sys/types.h>

#include "resources/resources.h"

static const struct field fields[] = {
	ID,
	TEXT_AS(customer, "Customer",
	    "c.first_name || ' ' || c.last_name || ' <' || c.email || '>'",
	    F_LIST | F_SHOW, LINK("customers", "t.customer_id")),
	TEXT_AS(customer_email, "Customer email", "c.email",
	    F_FILTER | F_SEARCH),
	TEXT_AS(billing_account, "Billing account",
	    "b.zuora_account_name || ' (' || b.zuora_account_id || ')'",
	    F_LIST | F_SHOW, LINK("billing_accounts", "t.billing_account_id")),
	TEXT_AS(zuora_account_name, "Zuora account name",
	    "b.zuora_account_name", F_FILTER | F_SEARCH),
	INT(customer_id, "Customer ID", F_HIDDEN),
	INT(billing_account_id, "Billing account ID", F_HIDDEN),
	CREATED,
	END_FIELDS
};

const struct resource billing_account_memberships_resource = {
	RESOURCE(billing_account_memberships, "Billing account memberships",
	    "Billing account membership"),
	.from = "billing_account_memberships t "
	    "JOIN customers c ON c.id = t.customer_id "
	    "JOIN billing_accounts b ON b.id = t.billing_account_id",
	.title_expr = "c.email || ' in ' || b.zuora_account_name",
	NEWEST_FIRST(id),
	.fields = fields,
};

/*
 * The new form: a customer and a billing account, each typed as an ID
 * or a natural key (email; Zuora account ID) or picked from the search
 * as you type.  The CASE keeps a non-number from reaching the bigint
 * cast.
 */
static const struct form_field create_fields[] = {
	INPUT(customer_id, "Customer", FORM_REF,
	    .flags = FORM_REQUIRED, .max = 254,
	    .hint = "Start typing a name or email and pick the customer; "
	    "or type their ID or exact email.",
	    .lookup = "/admin/customers",
	    .lookup_label = "{title} <{email}>",
	    .ref_sql = "SELECT id FROM customers WHERE id = (CASE WHEN $1 ~ "
	    "'^[0-9]{1,18}$' THEN $1 END)::bigint OR lower(email) = "
	    "lower($1) ORDER BY id LIMIT 1",
	    .label_sql = "SELECT first_name || ' ' || last_name || ' <' || "
	    "email || '>' FROM customers WHERE id = $1::bigint"),
	INPUT(billing_account_id, "Billing account", FORM_REF,
	    .flags = FORM_REQUIRED, .max = 255,
	    .hint = "Start typing the account name and pick it; or type its "
	    "ID or Zuora account ID.",
	    .lookup = "/admin/billing_accounts",
	    .lookup_label = "{title} ({zuora_account_id})",
	    .ref_sql = "SELECT id FROM billing_accounts WHERE id = (CASE WHEN "
	    "$1 ~ '^[0-9]{1,18}$' THEN $1 END)::bigint OR zuora_account_id = "
	    "lower($1) ORDER BY id LIMIT 1",
	    .label_sql = "SELECT zuora_account_name || ' (' || "
	    "zuora_account_id || ')' FROM billing_accounts WHERE "
	    "id = $1::bigint"),
	END_INPUTS
};

static const struct write_constraint rules[] = {
	UNIQUE("billing_account_memberships_customer_id_key", "customer_id",
	    "This customer already has a billing account membership, and a "
	    "customer can have only one. Delete that membership first to "
	    "link another billing account."),
	FOREIGN_KEY("billing_account_memberships_customer_id_fkey",
	    "customer_id", "This customer no longer exists."),
	FOREIGN_KEY("billing_account_memberships_billing_account_id_fkey",
	    "billing_account_id", "This billing account no longer exists."),
	END_RULES
};

const struct edit_resource billing_account_memberships_edit = {
	.name = "billing_account_memberships",
	.table = "billing_account_memberships",
	.create_fields = create_fields,
	.constraints = rules,
	.deletable = 1,
	.created = "Billing account membership successfully created",
	.deleted = "Billing account membership successfully deleted",
};
