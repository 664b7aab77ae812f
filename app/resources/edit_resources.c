/*
 * What staff may edit, described once per resource (see admin/edit.h): the
 * fields of each form, what is shown read-only, and what each constraint
 * of the table means to a person.  The constraint names are those of
 * sql/migrations (stable, see sql/README.md).
 */

#include <sys/types.h>

#include "admin/edit.h"
#include "support/support.h"
#include "support/eligibility.h"

#define END_FIELDS	{ .name = NULL }
#define END_RULES	{ NULL, NULL, NULL, NULL }

/* Customers: the Guide's "Update customer details" and "Login activated". */
static const struct form_field customer_fields[] = {
	{ .name = "first_name", .label = "First name", .type = FORM_TEXT,
	    .flags = FORM_REQUIRED, .max = 255 },
	{ .name = "last_name", .label = "Last name", .type = FORM_TEXT,
	    .flags = FORM_REQUIRED, .max = 255 },
	{ .name = "email", .label = "Email", .type = FORM_EMAIL,
	    .flags = FORM_REQUIRED, .max = 254,
	    .hint = "First name, last name and email are synced to the "
	    "matching Zuora Bill_To / Sold_To contact." },
	{ .name = "login_activated", .label = "Login activated",
	    .type = FORM_BOOL,
	    .hint = "Untick to block this customer from signing in to the "
	    "Customers Portal (their GitLab.com account is not affected)." },
	END_FIELDS
};

static const struct write_constraint customer_rules[] = {
	{ "23505", "customers_email_key", "email",
	    "Email is already used by another customer." },
	{ "23514", "email_address_check", "email",
	    "Email is not a valid email address." },
	{ "23514", "customers_first_name_check", "first_name",
	    "First name can't be blank (at most 255 characters)." },
	{ "23514", "customers_last_name_check", "last_name",
	    "Last name can't be blank (at most 255 characters)." },
	/* Their Zuora contacts change with them (customer_after_update). */
	{ "23514", "billing_account_contacts_first_name_check", "first_name",
	    "First name is too long for the customer's Zuora contact (at most "
	    "100 characters)." },
	{ "23514", "billing_account_contacts_last_name_check", "last_name",
	    "Last name is too long for the customer's Zuora contact (at most "
	    "100 characters)." },
	END_RULES
};

static const struct edit_resource customers = {
	.name = "customers", .table = "customers",
	.fields = customer_fields,
	.constraints = customer_rules,
	.after_update = customer_after_update,
	.show_extras = customer_show_extras,
	.updated = "Customer successfully updated",
};

/*
 * Billing accounts: the panel owns the name, company and SFDC account
 * ID; the holds, PO and portal flags, auto-pay and currency are Zuora's
 * and only ever come from "Refresh from Zuora".
 */
static const struct form_field billing_account_fields[] = {
	{ .name = "zuora_account_name", .label = "Account name",
	    .type = FORM_TEXT, .flags = FORM_REQUIRED, .max = 255 },
	{ .name = "company", .label = "Company", .type = FORM_TEXT,
	    .max = 255 },
	{ .name = "salesforce_account_id", .label = "SFDC account ID",
	    .type = FORM_SFDC_ID, .max = 18,
	    .hint = "15 or 18 letters and digits, e.g. 0014M00001kQx7bQAC." },
	END_FIELDS
};

#define YES_NO(c)	"CASE WHEN " c " THEN 'Yes' ELSE 'No' END"

static const struct edit_shown billing_account_shown[] = {
	{ "Zuora account ID", "t.zuora_account_id" },
	{ "PO required", YES_NO("t.po_required") },
	{ "Portal required", YES_NO("t.portal_required") },
	{ "Support hold", YES_NO("t.support_hold") },
	{ "Credit hold", YES_NO("t.credit_hold") },
	{ "Auto-pay", YES_NO("t.auto_pay") },
	{ "Currency", "t.currency" },
	{ NULL, NULL }
};

static const struct write_constraint billing_account_rules[] = {
	{ "23514", "billing_accounts_zuora_account_name_check",
	    "zuora_account_name",
	    "Account name can't be blank (at most 255 characters)." },
	{ "23514", "billing_accounts_company_check", "company",
	    "Company is too long (at most 255 characters)." },
	{ "23514", "billing_accounts_salesforce_account_id_check",
	    "salesforce_account_id",
	    "SFDC account ID must be 15 or 18 letters and digits." },
	END_RULES
};

static const struct edit_resource billing_accounts = {
	.name = "billing_accounts", .table = "billing_accounts",
	.fields = billing_account_fields,
	.shown = billing_account_shown,
	.shown_note = "These fields are owned by Zuora and cannot be changed "
	    "here: change them in Zuora, then use \xe2\x80\x9cRefresh from "
	    "Zuora\xe2\x80\x9d on the billing account.",
	.constraints = billing_account_rules,
	.show_extras = billing_account_show_extras,
	.updated = "Billing account successfully updated",
};

/* Billing account contacts: the Guide's list, in its order. */
const struct form_field contact_form_fields[] = {
	{ .name = "first_name", .label = "First name", .type = FORM_TEXT,
	    .flags = FORM_REQUIRED, .max = 100 },
	{ .name = "last_name", .label = "Last name", .type = FORM_TEXT,
	    .flags = FORM_REQUIRED, .max = 100 },
	{ .name = "work_email", .label = "Work email", .type = FORM_EMAIL,
	    .flags = FORM_REQUIRED, .max = 254 },
	{ .name = "address1", .label = "Address 1", .type = FORM_TEXT,
	    .max = 255 },
	{ .name = "address2", .label = "Address 2", .type = FORM_TEXT,
	    .max = 255 },
	{ .name = "country", .label = "Country", .type = FORM_COUNTRY,
	    .flags = FORM_REQUIRED, .max = 100 },
	{ .name = "state", .label = "State", .type = FORM_STATE, .max = 100,
	    .hint = "For the United States and Canada, a state or province "
	    "(name or code, e.g. California or CA); free text elsewhere." },
	{ .name = "city", .label = "City", .type = FORM_TEXT, .max = 100 },
	{ .name = "postal_code", .label = "Postal code", .type = FORM_TEXT,
	    .max = 20 },
	END_FIELDS
};

static const struct form_field contact_new_fields[] = {
	{ .name = "zuora_contact_id", .label = "Zuora contact ID",
	    .type = FORM_ZUORA_ID, .flags = FORM_REQUIRED, .max = 32,
	    .hint = "32 hexadecimal characters, as Zuora shows it. The "
	    "contact is imported from Zuora with all its details." },
	END_FIELDS
};

static const struct write_constraint contact_rules[] = {
	{ "23505", "billing_account_contacts_zuora_contact_id_key",
	    "zuora_contact_id", "This Zuora contact was already imported." },
	{ "23514", "email_address_check", "work_email",
	    "Work email is not a valid email address." },
	{ "23503", "billing_account_contacts_country_fkey", "country",
	    "Country is not a known country." },
	{ "23514", "billing_account_contacts_first_name_check", "first_name",
	    "First name can't be blank (at most 100 characters)." },
	{ "23514", "billing_account_contacts_last_name_check", "last_name",
	    "Last name can't be blank (at most 100 characters)." },
	{ "23514", "billing_account_contacts_postal_code_check",
	    "postal_code", "Postal code is too long (at most 20 characters)." },
	END_RULES
};

static const struct edit_resource billing_account_contacts = {
	.name = "billing_account_contacts",
	.table = "billing_account_contacts",
	.fields = contact_form_fields,
	.create_fields = contact_new_fields,
	.create = contact_import,
	.new_label = "Import from Zuora",
	.new_hint = "A contact that exists in Zuora but not here is imported "
	    "by its Zuora contact ID, with everything Zuora has on it.",
	.constraints = contact_rules,
	.after_update = contact_after_update,
	.show_extras = contact_show_extras,
	.created = "Billing account contact imported from Zuora",
	.updated = "Billing account contact successfully updated",
};

/*
 * Memberships: a customer and a billing account, each typed as an ID or
 * a natural key (email; Zuora account ID) or picked from the search as
 * you type.  The CASE keeps a non-number from reaching the bigint cast.
 */
static const struct form_field membership_fields[] = {
	{ .name = "customer_id", .label = "Customer", .type = FORM_REF,
	    .flags = FORM_REQUIRED, .max = 254,
	    .hint = "Start typing a name or email and pick the customer; "
	    "or type their ID or exact email.",
	    .lookup = "/admin/customers",
	    .lookup_label = "{title} <{email}>",
	    .ref_sql = "SELECT id FROM customers WHERE id = (CASE WHEN $1 ~ "
	    "'^[0-9]{1,18}$' THEN $1 END)::bigint OR lower(email) = "
	    "lower($1) ORDER BY id LIMIT 1",
	    .label_sql = "SELECT first_name || ' ' || last_name || ' <' || "
	    "email || '>' FROM customers WHERE id = $1::bigint" },
	{ .name = "billing_account_id", .label = "Billing account",
	    .type = FORM_REF, .flags = FORM_REQUIRED, .max = 255,
	    .hint = "Start typing the account name and pick it; or type its "
	    "ID or Zuora account ID.",
	    .lookup = "/admin/billing_accounts",
	    .lookup_label = "{title} ({zuora_account_id})",
	    .ref_sql = "SELECT id FROM billing_accounts WHERE id = (CASE WHEN "
	    "$1 ~ '^[0-9]{1,18}$' THEN $1 END)::bigint OR zuora_account_id = "
	    "lower($1) ORDER BY id LIMIT 1",
	    .label_sql = "SELECT zuora_account_name || ' (' || "
	    "zuora_account_id || ')' FROM billing_accounts WHERE "
	    "id = $1::bigint" },
	END_FIELDS
};

static const struct write_constraint membership_rules[] = {
	{ "23505", "billing_account_memberships_customer_id_key",
	    "customer_id", "This customer already has a billing account "
	    "membership, and a customer can have only one. Delete that "
	    "membership first to link another billing account." },
	{ "23503", "billing_account_memberships_customer_id_fkey",
	    "customer_id", "This customer no longer exists." },
	{ "23503", "billing_account_memberships_billing_account_id_fkey",
	    "billing_account_id", "This billing account no longer exists." },
	END_RULES
};

static const struct edit_resource billing_account_memberships = {
	.name = "billing_account_memberships",
	.table = "billing_account_memberships",
	.create_fields = membership_fields,
	.constraints = membership_rules,
	.deletable = 1,
	.created = "Billing account membership successfully created",
	.deleted = "Billing account membership successfully deleted",
};

/* Trials: "Renew trial" (resources/trials.c). */
static const struct edit_resource trials = {
	.name = "trials", .table = "trials",
	.row_action = "renew_trial", .row_action_label = "Renew Trial",
	.row_action_where = "status <> 'cancelled'",
};

/*
 * Not edited here, but with panels of their own (issue 7): a license's
 * file and e-mails; a subscription's running temporary extension.
 */
static const struct edit_resource licenses = {
	.name = "licenses", .table = "licenses",
	.show_extras = license_show_extras,
};

static const struct edit_resource zuora_subscriptions = {
	.name = "zuora_subscriptions", .table = "zuora_subscriptions",
	.show_extras = eligibility_show_extras,
};

/* Namespaces: the GitLab.com sync panel, Refresh from GitLab.com. */
static const struct edit_resource namespaces = {
	.name = "namespaces", .table = "namespaces",
	.show_extras = namespace_show_extras,
};

const struct edit_resource *edit_resources[] = {
	&customers,
	&billing_accounts,
	&billing_account_contacts,
	&billing_account_memberships,
	&trials,
	&licenses,
	&zuora_subscriptions,
	&namespaces,
	NULL
};
