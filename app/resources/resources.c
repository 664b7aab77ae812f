/*
 * Every resource of the panel, described once.  A descriptor reads like
 * a form: what the table is, which fields it shows, how each may be
 * searched, filtered and sorted, and which lists hang off a record.
 *
 * The expressions here are the only SQL identifiers the list engine
 * uses; the (field, id) and trigram indexes of sql/migrations are made
 * for the searchable and sortable ones.
 */

#include <sys/types.h>

#include "admin/resource.h"

/*
 * The choices of each enum field: the value stored in the database (what
 * filters and URLs use), then the words staff use for it (what the pages
 * show), pairs ending with NULL.  Each list is written once, as an X-macro,
 * so that a record's title can say the same words in SQL (LABEL_SQL).
 */
#define DEPLOYMENT_TYPES(X)						\
	X("saas", "SaaS")						\
	X("sm", "SM")
#define SUBSCRIPTION_STATUSES(X)					\
	X("active", "Active")						\
	X("cancelled", "Cancelled")					\
	X("expired", "Expired")
#define PAID_PLANS(X)							\
	X("premium", "Premium")						\
	X("ultimate", "Ultimate")					\
	X("starter", "Starter")						\
	X("bronze", "Bronze")						\
	X("silver", "Silver")						\
	X("gold", "Gold")
#define TRIAL_PLANS(X)							\
	X("premium_trial", "Premium trial")				\
	X("ultimate_trial", "Ultimate trial")				\
	X("ultimate_trial_paid_customer", "Ultimate trial (paid customer)")
#define NAMESPACE_PLANS(X)						\
	X("free", "Free")						\
	X("premium", "Premium")						\
	X("ultimate", "Ultimate")					\
	X("bronze", "Bronze")						\
	X("silver", "Silver")						\
	X("gold", "Gold")						\
	TRIAL_PLANS(X)							\
	X("opensource", "Open Source")
#define TRIAL_STATUSES(X)						\
	X("active", "Active")						\
	X("expired", "Expired")						\
	X("cancelled", "Cancelled")
#define LICENSE_TYPES(X)						\
	X("cloud", "Cloud")						\
	X("offline_cloud", "Offline cloud")				\
	X("legacy", "Legacy")
#define PAYMENT_STATUSES(X)						\
	X("paid", "Paid")						\
	X("unpaid", "Unpaid")						\
	X("partially_paid", "Partially paid")
#define PAYMENT_KINDS(X)						\
	X("credit_card", "Credit card")					\
	X("ach", "ACH")
#define ACH_ACCOUNT_TYPES(X)						\
	X("checking", "Checking")					\
	X("savings", "Savings")						\
	X("business_checking", "Business checking")
#define QSR_STATUSES(X)							\
	X("pending", "Pending")						\
	X("processed", "Processed")					\
	X("failed", "Failed")						\
	X("skipped", "Skipped")
#define NAMESPACE_KINDS(X)						\
	X("user", "Personal")						\
	X("group", "Group")

#define OPTION(value, label)	value, label,
#define WHEN(value, label)	" WHEN '" value "' THEN '" label "'"
/* SQL: the words for the value of expr (text), itself if it has none. */
#define LABEL_SQL(expr, LIST) \
	"CASE " expr LIST(WHEN) " ELSE (" expr ")::text END"

static const char *const deployment_types[] = {
	DEPLOYMENT_TYPES(OPTION) NULL };
static const char *const subscription_statuses[] = {
	SUBSCRIPTION_STATUSES(OPTION) NULL };
static const char *const paid_plans[] = { PAID_PLANS(OPTION) NULL };
static const char *const namespace_plans[] = {
	NAMESPACE_PLANS(OPTION) NULL };
static const char *const trial_plans[] = { TRIAL_PLANS(OPTION) NULL };
static const char *const trial_statuses[] = { TRIAL_STATUSES(OPTION) NULL };
static const char *const license_types[] = { LICENSE_TYPES(OPTION) NULL };
static const char *const payment_statuses[] = {
	PAYMENT_STATUSES(OPTION) NULL };
static const char *const payment_kinds[] = { PAYMENT_KINDS(OPTION) NULL };
static const char *const ach_account_types[] = {
	ACH_ACCOUNT_TYPES(OPTION) NULL };
static const char *const qsr_statuses[] = { QSR_STATUSES(OPTION) NULL };
static const char *const namespace_kinds[] = {
	NAMESPACE_KINDS(OPTION) NULL };

#define ID	{ "id", "ID", "t.id", FT_INT, F_COL, NULL, NULL, NULL }
#define CREATED	{ "created_at", "Created at", "t.created_at", FT_TIME, \
		    F_COL, NULL, NULL, NULL }
#define UPDATED	{ "updated_at", "Updated at", "t.updated_at", FT_TIME, \
		    F_SHOW | F_FILTER | F_SORT, NULL, NULL, NULL }
#define END	{ NULL, NULL, NULL, FT_TEXT, 0, NULL, NULL, NULL }

/* A subscription is visible to a customer through their membership. */
#define CUSTOMER_HAS_SUBSCRIPTION \
	"EXISTS (SELECT 1 FROM billing_account_memberships m " \
	"JOIN zuora_subscriptions s ON s.billing_account_id = " \
	"m.billing_account_id WHERE m.customer_id = t.id)"

static const struct field customer_fields[] = {
	ID,
	{ "first_name", "First name", "t.first_name", FT_TEXT,
	    F_COL | F_SEARCH, NULL, NULL, NULL },
	{ "last_name", "Last name", "t.last_name", FT_TEXT,
	    F_COL | F_SEARCH, NULL, NULL, NULL },
	{ "email", "Email", "t.email", FT_TEXT, F_COL | F_SEARCH,
	    NULL, NULL, NULL },
	{ "company", "Company", "t.company", FT_TEXT, F_COL | F_SEARCH,
	    NULL, NULL, NULL },
	{ "login_activated", "Login activated", "t.login_activated",
	    FT_BOOL, F_COL, NULL, NULL, NULL },
	{ "uid", "GitLab.com user ID", "t.uid", FT_INT,
	    F_SHOW | F_FILTER | F_SORT, NULL, NULL, NULL },
	CREATED,
	UPDATED,
	END
};

static const struct related customer_related[] = {
	{ "Billing account membership", "billing_account_memberships",
	    "customer_id", NULL },
	{ "Zuora subscriptions", "zuora_subscriptions", "billing_account_id",
	    "SELECT billing_account_id FROM billing_account_memberships "
	    "WHERE customer_id = $1::bigint" },
	{ "GitLab groups", "namespaces", "owner_customer_id", NULL },
	{ "Orders", "orders", "customer_id", NULL },
	{ NULL, NULL, NULL, NULL }
};

static const struct resource customers = {
	.search_expr = "t.search_text",
	.bigram_expr = "t.search_bigrams",
	.name = "customers", .label = "Customers", .singular = "Customer",
	.table = "customers", .from = "customers t",
	.title_expr = "t.first_name || ' ' || t.last_name",
	.default_sort = "id", .default_reverse = 1,
	.fields = customer_fields, .related = customer_related,
	.badge_expr = CUSTOMER_HAS_SUBSCRIPTION,
	.badge_label = "Subscription",
};

static const struct field billing_account_fields[] = {
	ID,
	{ "zuora_account_name", "Zuora account name", "t.zuora_account_name",
	    FT_TEXT, F_COL | F_SEARCH, NULL, NULL, NULL },
	{ "zuora_account_id", "Zuora account ID", "t.zuora_account_id",
	    FT_TEXT, F_COL | F_SEARCH, NULL, NULL, NULL },
	{ "salesforce_account_id", "SFDC account ID",
	    "t.salesforce_account_id", FT_TEXT, F_SHOW | F_FILTER | F_SEARCH,
	    NULL, NULL, NULL },
	{ "company", "Company", "t.company", FT_TEXT, F_COL | F_SEARCH,
	    NULL, NULL, NULL },
	{ "po_required", "PO required", "t.po_required", FT_BOOL,
	    F_COL, NULL, NULL, NULL },
	{ "portal_required", "Portal required", "t.portal_required",
	    FT_BOOL, F_SHOW | F_FILTER, NULL, NULL, NULL },
	{ "support_hold", "Support hold", "t.support_hold", FT_BOOL,
	    F_COL, NULL, NULL, NULL },
	{ "credit_hold", "Credit hold", "t.credit_hold", FT_BOOL,
	    F_COL, NULL, NULL, NULL },
	{ "auto_pay", "Auto-pay", "t.auto_pay", FT_BOOL,
	    F_SHOW | F_FILTER, NULL, NULL, NULL },
	{ "currency", "Currency", "t.currency", FT_TEXT,
	    F_SHOW | F_FILTER, NULL, NULL, NULL },
	{ "bill_to", "Bill_To contact",
	    "bt.first_name || ' ' || bt.last_name || ' <' || bt.work_email "
	    "|| '>'", FT_TEXT, F_SHOW, NULL, "billing_account_contacts",
	    "t.bill_to_contact_id" },
	{ "sold_to", "Sold_To contact",
	    "st.first_name || ' ' || st.last_name || ' <' || st.work_email "
	    "|| '>'", FT_TEXT, F_SHOW, NULL, "billing_account_contacts",
	    "t.sold_to_contact_id" },
	CREATED,
	UPDATED,
	END
};

static const struct related billing_account_related[] = {
	{ "Memberships", "billing_account_memberships", "billing_account_id",
	    NULL },
	{ "Contacts", "billing_account_contacts", "billing_account_id", NULL },
	{ "Zuora subscriptions", "zuora_subscriptions", "billing_account_id",
	    NULL },
	{ "Invoices", "invoices", "billing_account_id", NULL },
	{ "Payment methods", "payment_methods", "billing_account_id", NULL },
	{ "Orders", "orders", "billing_account_id", NULL },
	{ NULL, NULL, NULL, NULL }
};

static const struct resource billing_accounts = {
	.search_expr = "t.search_text",
	.name = "billing_accounts", .label = "Billing accounts",
	.singular = "Billing account", .table = "billing_accounts",
	.from = "billing_accounts t "
	    "LEFT JOIN billing_account_contacts bt ON bt.id = "
	    "t.bill_to_contact_id "
	    "LEFT JOIN billing_account_contacts st ON st.id = "
	    "t.sold_to_contact_id",
	.title_expr = "t.zuora_account_name",
	.default_sort = "id", .default_reverse = 1,
	.fields = billing_account_fields, .related = billing_account_related,
	.badge_expr = "EXISTS (SELECT 1 FROM zuora_subscriptions s "
	    "WHERE s.billing_account_id = t.id)",
	.badge_label = "Subscription",
};

static const struct field contact_fields[] = {
	ID,
	{ "first_name", "First name", "t.first_name", FT_TEXT,
	    F_COL | F_SEARCH, NULL, NULL, NULL },
	{ "last_name", "Last name", "t.last_name", FT_TEXT,
	    F_COL | F_SEARCH, NULL, NULL, NULL },
	{ "work_email", "Work email", "t.work_email", FT_TEXT,
	    F_COL | F_SEARCH, NULL, NULL, NULL },
	{ "zuora_contact_id", "Zuora contact ID", "t.zuora_contact_id",
	    FT_TEXT, F_SHOW | F_FILTER | F_SEARCH, NULL, NULL, NULL },
	{ "billing_account", "Billing account",
	    "b.zuora_account_name || ' (' || b.zuora_account_id || ')'",
	    FT_TEXT, F_LIST | F_SHOW, NULL, "billing_accounts",
	    "t.billing_account_id" },
	{ "billing_account_id", "Billing account ID", "t.billing_account_id",
	    FT_INT, F_HIDDEN, NULL, NULL, NULL },
	{ "address1", "Address 1", "t.address1", FT_TEXT, F_SHOW,
	    NULL, NULL, NULL },
	{ "address2", "Address 2", "t.address2", FT_TEXT, F_SHOW,
	    NULL, NULL, NULL },
	{ "city", "City", "t.city", FT_TEXT, F_SHOW | F_FILTER,
	    NULL, NULL, NULL },
	{ "state", "State", "t.state", FT_TEXT, F_SHOW | F_FILTER,
	    NULL, NULL, NULL },
	{ "postal_code", "Postal code", "t.postal_code", FT_TEXT,
	    F_SHOW | F_FILTER, NULL, NULL, NULL },
	{ "country", "Country", "t.country", FT_TEXT, F_COL,
	    NULL, NULL, NULL },
	CREATED,
	UPDATED,
	END
};

static const struct resource billing_account_contacts = {
	.search_expr = "t.search_text",
	.bigram_expr = "t.search_bigrams",
	.name = "billing_account_contacts", .label = "Billing account contacts",
	.singular = "Billing account contact",
	.table = "billing_account_contacts",
	.from = "billing_account_contacts t "
	    "LEFT JOIN billing_accounts b ON b.id = t.billing_account_id",
	.title_expr = "t.first_name || ' ' || t.last_name",
	.default_sort = "id", .default_reverse = 1,
	.fields = contact_fields,
};

static const struct field membership_fields[] = {
	ID,
	{ "customer", "Customer",
	    "c.first_name || ' ' || c.last_name || ' <' || c.email || '>'",
	    FT_TEXT, F_LIST | F_SHOW, NULL, "customers", "t.customer_id" },
	{ "customer_email", "Customer email", "c.email", FT_TEXT,
	    F_FILTER | F_SEARCH, NULL, NULL, NULL },
	{ "billing_account", "Billing account",
	    "b.zuora_account_name || ' (' || b.zuora_account_id || ')'",
	    FT_TEXT, F_LIST | F_SHOW, NULL, "billing_accounts",
	    "t.billing_account_id" },
	{ "zuora_account_name", "Zuora account name", "b.zuora_account_name",
	    FT_TEXT, F_FILTER | F_SEARCH, NULL, NULL, NULL },
	{ "customer_id", "Customer ID", "t.customer_id", FT_INT, F_HIDDEN,
	    NULL, NULL, NULL },
	{ "billing_account_id", "Billing account ID", "t.billing_account_id",
	    FT_INT, F_HIDDEN, NULL, NULL, NULL },
	CREATED,
	END
};

static const struct resource billing_account_memberships = {
	.name = "billing_account_memberships",
	.label = "Billing account memberships",
	.singular = "Billing account membership",
	.table = "billing_account_memberships",
	.from = "billing_account_memberships t "
	    "JOIN customers c ON c.id = t.customer_id "
	    "JOIN billing_accounts b ON b.id = t.billing_account_id",
	.title_expr = "c.email || ' in ' || b.zuora_account_name",
	.default_sort = "id", .default_reverse = 1,
	.fields = membership_fields,
};

static const struct field subscription_fields[] = {
	ID,
	{ "name", "Name", "t.name", FT_TEXT, F_COL | F_SEARCH,
	    NULL, NULL, NULL },
	{ "zuora_subscription_id", "Zuora subscription ID",
	    "t.zuora_subscription_id", FT_TEXT, F_SHOW | F_FILTER | F_SEARCH,
	    NULL, NULL, NULL },
	{ "billing_account", "Billing account", "b.zuora_account_name",
	    FT_TEXT, F_SHOW, NULL, "billing_accounts",
	    "t.billing_account_id" },
	{ "billing_account_id", "Billing account ID", "t.billing_account_id",
	    FT_INT, F_HIDDEN, NULL, NULL, NULL },
	{ "deployment_type", "Type", "t.deployment_type", FT_ENUM, F_COL,
	    deployment_types, NULL, NULL },
	{ "gitlab_plan", "Plan", "t.gitlab_plan", FT_ENUM, F_SHOW | F_FILTER,
	    paid_plans, NULL, NULL },
	{ "status", "Status", "t.status", FT_ENUM, F_SHOW | F_FILTER,
	    subscription_statuses, NULL, NULL },
	{ "term_start_date", "Start date", "t.term_start_date", FT_DATE,
	    F_COL, NULL, NULL, NULL },
	{ "term_end_date", "End date", "t.term_end_date", FT_DATE, F_COL,
	    NULL, NULL, NULL },
	{ "seats", "Seats", "t.seats", FT_INT, F_SHOW | F_FILTER | F_SORT,
	    NULL, NULL, NULL },
	{ "max_seats_used", "Max seats used", "t.max_seats_used", FT_INT,
	    F_SHOW | F_FILTER | F_SORT, NULL, NULL, NULL },
	{ "seats_owed", "Owed seats", "t.seats_owed", FT_INT, F_COL,
	    NULL, NULL, NULL },
	{ "cloud_licensing", "Cloud licensing", "t.cloud_licensing", FT_BOOL,
	    F_COL, NULL, NULL, NULL },
	{ "operational_metrics", "Operational metrics",
	    "t.operational_metrics", FT_BOOL, F_COL, NULL, NULL, NULL },
	{ "quarterly_coterms", "Quarterly coterms", "t.quarterly_coterms",
	    FT_BOOL, F_COL, NULL, NULL, NULL },
	{ "auto_renew", "Auto renew", "t.auto_renew", FT_BOOL, F_COL,
	    NULL, NULL, NULL },
	{ "turn_on_seat_reconciliation", "QSR",
	    "t.turn_on_seat_reconciliation", FT_BOOL, F_SHOW | F_FILTER,
	    NULL, NULL, NULL },
	CREATED,
	UPDATED,
	END
};

static const struct related subscription_related[] = {
	{ "Licenses", "licenses", "zuora_subscription_id", NULL },
	{ "License seat links", "license_seat_links",
	    "zuora_subscription_id", NULL },
	{ "Reconciliations", "reconciliations", "zuora_subscription_id",
	    NULL },
	{ "Temporary extensions", "temporary_extensions",
	    "zuora_subscription_id", NULL },
	{ "GitLab namespace", "namespaces", "zuora_subscription_id", NULL },
	{ "Orders", "orders", "zuora_subscription_id", NULL },
	{ NULL, NULL, NULL, NULL }
};

static const struct resource zuora_subscriptions = {
	.name = "zuora_subscriptions", .label = "Zuora subscriptions",
	.singular = "Zuora subscription", .table = "zuora_subscriptions",
	.from = "zuora_subscriptions t "
	    "JOIN billing_accounts b ON b.id = t.billing_account_id",
	.title_expr = "t.name",
	.default_sort = "id", .default_reverse = 1,
	.fields = subscription_fields, .related = subscription_related,
};

static const struct field invoice_fields[] = {
	ID,
	{ "zuora_invoice_number", "Invoice", "t.zuora_invoice_number",
	    FT_TEXT, F_COL | F_SEARCH, NULL, NULL, NULL },
	{ "billing_account", "Billing account", "b.zuora_account_name",
	    FT_TEXT, F_LIST | F_SHOW, NULL, "billing_accounts",
	    "t.billing_account_id" },
	{ "billing_account_id", "Billing account ID", "t.billing_account_id",
	    FT_INT, F_HIDDEN, NULL, NULL, NULL },
	{ "invoice_date", "Date", "t.invoice_date", FT_DATE, F_COL,
	    NULL, NULL, NULL },
	{ "amount", "Amount", "t.amount", FT_DECIMAL, F_COL, NULL, NULL,
	    NULL },
	{ "payment_status", "Payment status", "t.payment_status", FT_ENUM,
	    F_COL, payment_statuses, NULL, NULL },
	{ "balance", "Balance", "t.balance", FT_DECIMAL, F_COL, NULL, NULL,
	    NULL },
	{ "due_date", "Due date", "t.due_date", FT_DATE, F_COL, NULL, NULL,
	    NULL },
	END
};

static const struct resource invoices = {
	.name = "invoices", .label = "Invoices", .singular = "Invoice",
	.table = "invoices",
	.from = "invoices t JOIN billing_accounts b ON b.id = "
	    "t.billing_account_id",
	.title_expr = "t.zuora_invoice_number",
	.default_sort = "invoice_date", .default_reverse = 1,
	.fields = invoice_fields,
};

static const struct field payment_method_fields[] = {
	ID,
	{ "billing_account", "Billing account", "b.zuora_account_name",
	    FT_TEXT, F_LIST | F_SHOW, NULL, "billing_accounts",
	    "t.billing_account_id" },
	{ "billing_account_id", "Billing account ID", "t.billing_account_id",
	    FT_INT, F_HIDDEN, NULL, NULL, NULL },
	{ "kind", "Kind", "t.kind", FT_ENUM, F_COL, payment_kinds, NULL,
	    NULL },
	{ "is_default", "Default", "t.is_default", FT_BOOL, F_COL, NULL,
	    NULL, NULL },
	{ "card_last4", "Card ending in", "t.card_last4", FT_TEXT,
	    F_LIST | F_SHOW | F_MASKED, NULL, NULL, NULL },
	{ "card_type", "Card type", "t.card_type", FT_TEXT, F_COL, NULL,
	    NULL, NULL },
	{ "name_on_card", "Name on card", "t.name_on_card", FT_TEXT,
	    F_COL | F_SEARCH, NULL, NULL, NULL },
	{ "card_expiration", "Expiration",
	    "lpad(t.card_expiration_month::text, 2, '0') || '/' || "
	    "t.card_expiration_year", FT_TEXT, F_LIST | F_SHOW, NULL, NULL,
	    NULL },
	{ "ach_routing_number", "Routing number", "t.ach_routing_number",
	    FT_TEXT, F_LIST | F_SHOW, NULL, NULL, NULL },
	{ "ach_account_number_last4", "Account number",
	    "t.ach_account_number_last4", FT_TEXT,
	    F_LIST | F_SHOW | F_MASKED, NULL, NULL, NULL },
	{ "ach_account_type", "Account type", "t.ach_account_type", FT_ENUM,
	    F_LIST | F_SHOW, ach_account_types, NULL, NULL },
	{ "ach_bank_name", "Bank name", "t.ach_bank_name", FT_TEXT,
	    F_COL, NULL, NULL, NULL },
	{ "ach_account_name", "Account name", "t.ach_account_name", FT_TEXT,
	    F_COL | F_SEARCH, NULL, NULL, NULL },
	END
};

static const struct resource payment_methods = {
	.name = "payment_methods", .label = "Payment methods",
	.singular = "Payment method", .table = "payment_methods",
	.from = "payment_methods t JOIN billing_accounts b ON b.id = "
	    "t.billing_account_id",
	.title_expr = "CASE t.kind WHEN 'ach' THEN 'ACH account ending in ' "
	    "|| t.ach_account_number_last4 ELSE t.card_type || ' ending in ' "
	    "|| t.card_last4 END",
	.default_sort = "id", .default_reverse = 1,
	.fields = payment_method_fields,
	.note = "Card and bank account numbers are never stored: only their "
	    "last 4 digits.",
};

static const struct field license_fields[] = {
	ID,
	{ "license_type", "Type", "t.license_type", FT_ENUM, F_COL,
	    license_types, NULL, NULL },
	{ "trial", "Trial", "t.trial", FT_BOOL, F_COL, NULL, NULL, NULL },
	{ "name", "Name", "t.name", FT_TEXT, F_COL | F_SEARCH, NULL, NULL,
	    NULL },
	{ "company", "Company", "t.company", FT_TEXT, F_COL | F_SEARCH,
	    NULL, NULL, NULL },
	{ "email", "Email", "t.email", FT_TEXT, F_COL | F_SEARCH, NULL,
	    NULL, NULL },
	{ "issued_at", "Issued at", "t.issued_at", FT_TIME, F_COL, NULL,
	    NULL, NULL },
	{ "starts_at", "Starts at", "t.starts_at", FT_DATE, F_COL, NULL,
	    NULL, NULL },
	{ "expires_at", "Expires at", "t.expires_at", FT_DATE, F_COL, NULL,
	    NULL, NULL },
	{ "user_count", "User count", "t.user_count", FT_INT, F_COL, NULL,
	    NULL, NULL },
	{ "subscription", "Zuora subscription", "s.name", FT_TEXT,
	    F_LIST | F_SHOW, NULL, "zuora_subscriptions",
	    "t.zuora_subscription_id" },
	{ "zuora_subscription_id", "Zuora subscription ID",
	    "t.zuora_subscription_id", FT_INT, F_HIDDEN, NULL, NULL, NULL },
	{ "gitlab_plan", "GitLab plan", "t.gitlab_plan", FT_ENUM, F_COL,
	    paid_plans, NULL, NULL },
	END
};

static const struct resource licenses = {
	.search_expr = "t.search_text",
	.name = "licenses", .label = "Licenses", .singular = "License",
	.table = "licenses",
	.from = "licenses t LEFT JOIN zuora_subscriptions s ON s.id = "
	    "t.zuora_subscription_id",
	.title_expr = "t.name || ' (' || " LABEL_SQL("t.license_type",
	    LICENSE_TYPES) " || ')'",
	.default_sort = "issued_at", .default_reverse = 1,
	.fields = license_fields,
	.lookup_label = "Lookup hostnames",
	.lookup_fmt = "/licenses/{id}/hostnames",
};

static const struct field seat_link_fields[] = {
	ID,
	{ "subscription_name", "Subscription name", "t.subscription_name",
	    FT_TEXT, F_COL | F_SEARCH, NULL, "zuora_subscriptions",
	    "t.zuora_subscription_id" },
	{ "zuora_subscription_id", "Zuora subscription ID",
	    "t.zuora_subscription_id", FT_INT, F_HIDDEN, NULL, NULL, NULL },
	{ "company", "Company", "t.company", FT_TEXT, F_COL | F_SEARCH,
	    NULL, NULL, NULL },
	{ "hostname", "Hostname", "t.hostname", FT_TEXT, F_COL | F_SEARCH,
	    NULL, NULL, NULL },
	{ "license_user_count", "License user count", "t.license_user_count",
	    FT_INT, F_COL, NULL, NULL, NULL },
	{ "billable_user_count", "Billable user count",
	    "t.billable_user_count", FT_INT, F_COL, NULL, NULL, NULL },
	{ "max_historical_user_count", "Max historical user count",
	    "t.max_historical_user_count", FT_INT, F_COL, NULL, NULL, NULL },
	{ "gitlab_version", "GitLab version", "t.gitlab_version", FT_TEXT,
	    F_COL, NULL, NULL, NULL },
	{ "synced_at", "Synced at", "t.synced_at", FT_TIME, F_COL, NULL,
	    NULL, NULL },
	END
};

static const struct resource license_seat_links = {
	.search_expr = "t.search_text",
	.name = "license_seat_links", .label = "License seat links",
	.singular = "License seat link", .table = "license_seat_links",
	.from = "license_seat_links t",
	.title_expr = "t.hostname || ' at ' || to_char(t.synced_at AT TIME "
	    "ZONE 'UTC', 'YYYY-MM-DD')",
	.default_sort = "synced_at", .default_reverse = 1,
	.fields = seat_link_fields,
};

static const struct field order_fields[] = {
	{ "id", "Order ID", "t.id", FT_INT, F_COL | F_SEARCH, NULL, NULL,
	    NULL },
	{ "billing_account", "Billing account", "b.zuora_account_name",
	    FT_TEXT, F_LIST | F_SHOW | F_SEARCH, NULL, "billing_accounts",
	    "t.billing_account_id" },
	{ "billing_account_id", "Billing account ID", "t.billing_account_id",
	    FT_INT, F_HIDDEN, NULL, NULL, NULL },
	{ "customer", "Customer", "c.email", FT_TEXT, F_SHOW, NULL,
	    "customers", "t.customer_id" },
	{ "customer_id", "Customer ID", "t.customer_id", FT_INT, F_HIDDEN,
	    NULL, NULL, NULL },
	{ "subscription_name", "Subscription name", "t.subscription_name",
	    FT_TEXT, F_COL | F_SEARCH, NULL, "zuora_subscriptions",
	    "t.zuora_subscription_id" },
	{ "zuora_subscription_id", "Zuora subscription ID",
	    "t.zuora_subscription_id", FT_INT, F_HIDDEN, NULL, NULL, NULL },
	{ "gl_namespace_id", "GitLab namespace ID", "t.gl_namespace_id",
	    FT_INT, F_COL | F_SEARCH, NULL, NULL, NULL },
	{ "gl_namespace_name", "GitLab namespace name", "t.gl_namespace_name",
	    FT_TEXT, F_COL | F_SEARCH, NULL, NULL, NULL },
	{ "product_name", "Product", "t.product_name", FT_TEXT, F_COL,
	    NULL, NULL, NULL },
	{ "quantity", "Quantity", "t.quantity", FT_INT, F_COL, NULL, NULL,
	    NULL },
	{ "trial", "Trial", "t.trial", FT_BOOL, F_SHOW | F_FILTER, NULL,
	    NULL, NULL },
	{ "start_date", "Start date", "t.start_date", FT_DATE,
	    F_SHOW | F_FILTER | F_SORT, NULL, NULL, NULL },
	{ "end_date", "End date", "t.end_date", FT_DATE,
	    F_SHOW | F_FILTER | F_SORT, NULL, NULL, NULL },
	CREATED,
	UPDATED,
	END
};

static const struct resource orders = {
	.name = "orders", .label = "Orders", .singular = "Order",
	.table = "orders",
	.from = "orders t JOIN billing_accounts b ON b.id = "
	    "t.billing_account_id LEFT JOIN customers c ON c.id = "
	    "t.customer_id",
	.title_expr = "'Order ' || t.id",
	.default_sort = "id", .default_reverse = 1,
	.fields = order_fields,
};

static const struct field reconciliation_fields[] = {
	ID,
	{ "customer_name", "Customer name", "t.customer_name", FT_TEXT,
	    F_COL | F_SEARCH, NULL, NULL, NULL },
	{ "subscription_name", "Subscription name", "t.subscription_name",
	    FT_TEXT, F_COL | F_SEARCH, NULL, "zuora_subscriptions",
	    "t.zuora_subscription_id" },
	{ "zuora_subscription_id", "Zuora subscription ID",
	    "t.zuora_subscription_id", FT_INT, F_HIDDEN, NULL, NULL, NULL },
	{ "status", "Status", "t.status", FT_ENUM, F_COL, qsr_statuses,
	    NULL, NULL },
	{ "reconcile_on", "Reconcile on", "t.reconcile_on", FT_DATE, F_COL,
	    NULL, NULL, NULL },
	{ "done_at", "Done at", "t.done_at", FT_TIME, F_COL, NULL, NULL,
	    NULL },
	{ "skip_reason", "Skip reason", "t.skip_reason", FT_TEXT, F_COL,
	    NULL, NULL, NULL },
	{ "user_count", "User count", "t.user_count", FT_INT, F_COL, NULL,
	    NULL, NULL },
	{ "invoiced_amount", "Invoiced amount", "t.invoiced_amount",
	    FT_DECIMAL, F_COL, NULL, NULL, NULL },
	{ "error_message", "Error message", "t.error_message", FT_TEXT,
	    F_COL, NULL, NULL, NULL },
	{ "salesforce_opportunity_id", "SFDC opportunity ID",
	    "t.salesforce_opportunity_id", FT_TEXT, F_SHOW | F_FILTER, NULL,
	    NULL, NULL },
	CREATED,
	END
};

static const char *const reconciliation_lower_copies[] = {
	"error_message", "t.error_search", NULL
};

static const struct resource reconciliations = {
	.search_expr = "t.search_text",
	.lower_copies = reconciliation_lower_copies,
	.name = "reconciliations", .label = "Reconciliations",
	.singular = "Reconciliation", .table = "reconciliations",
	.from = "reconciliations t",
	.title_expr = "t.subscription_name || ' on ' || t.reconcile_on",
	.default_sort = "reconcile_on", .default_reverse = 1,
	.fields = reconciliation_fields,
};

static const struct field namespace_fields[] = {
	ID,
	{ "gitlab_id", "Namespace ID", "t.gitlab_id", FT_INT,
	    F_COL | F_SEARCH, NULL, NULL, NULL },
	{ "path", "Path", "t.path", FT_TEXT, F_COL | F_SEARCH, NULL, NULL,
	    NULL },
	{ "name", "Name", "t.name", FT_TEXT, F_COL | F_SEARCH, NULL, NULL,
	    NULL },
	{ "kind", "Kind", "t.kind", FT_ENUM, F_COL, namespace_kinds, NULL,
	    NULL },
	{ "plan", "Plan", "t.plan", FT_ENUM, F_COL, namespace_plans, NULL,
	    NULL },
	{ "trial_ends_on", "Trial ends on",
	    "(SELECT max(tr.ends_on) FROM trials tr WHERE tr.namespace_id = "
	    "t.id AND tr.status <> 'cancelled')", FT_DATE, F_LIST | F_SHOW,
	    NULL, NULL, NULL },
	{ "owner", "Owner", "c.email", FT_TEXT, F_LIST | F_SHOW, NULL,
	    "customers", "t.owner_customer_id" },
	{ "owner_customer_id", "Owner ID", "t.owner_customer_id", FT_INT,
	    F_HIDDEN, NULL, NULL, NULL },
	{ "subscription", "Zuora subscription", "s.name", FT_TEXT,
	    F_LIST | F_SHOW, NULL, "zuora_subscriptions",
	    "t.zuora_subscription_id" },
	{ "zuora_subscription_id", "Zuora subscription ID",
	    "t.zuora_subscription_id", FT_INT, F_HIDDEN, NULL, NULL, NULL },
	{ "subscription_expires_on", "Subscription expires on",
	    "greatest(t.subscription_expires_on, s.term_end_date)", FT_DATE,
	    F_SHOW, NULL, NULL, NULL },
	{ "extra_ci_minutes", "Extra CI minutes", "t.extra_ci_minutes",
	    FT_INT, F_SHOW | F_FILTER | F_SORT, NULL, NULL, NULL },
	{ "additional_storage_mib", "Additional storage (MiB)",
	    "t.additional_storage_mib", FT_INT, F_SHOW | F_FILTER | F_SORT,
	    NULL, NULL, NULL },
	{ "max_seats_used", "Max seats used", "t.max_seats_used", FT_INT,
	    F_SHOW | F_FILTER | F_SORT, NULL, NULL, NULL },
	CREATED,
	UPDATED,
	END
};

static const struct related namespace_related[] = {
	{ "Trials", "trials", "namespace_id", NULL },
	{ NULL, NULL, NULL, NULL }
};

static const struct resource namespaces = {
	.search_expr = "t.search_text",
	.name = "namespaces", .label = "Namespaces", .singular = "Namespace",
	.table = "namespaces",
	.from = "namespaces t LEFT JOIN customers c ON c.id = "
	    "t.owner_customer_id LEFT JOIN zuora_subscriptions s ON s.id = "
	    "t.zuora_subscription_id",
	.title_expr = "t.path",
	.default_sort = "id", .default_reverse = 1,
	.fields = namespace_fields, .related = namespace_related,
};

static const struct field trial_fields[] = {
	ID,
	{ "namespace", "Namespace", "n.path", FT_TEXT,
	    F_LIST | F_SHOW | F_SEARCH, NULL, "namespaces", "t.namespace_id" },
	{ "namespace_id", "Namespace ID", "t.namespace_id", FT_INT, F_HIDDEN,
	    NULL, NULL, NULL },
	{ "plan", "Plan", "t.plan", FT_ENUM, F_COL, trial_plans, NULL,
	    NULL },
	{ "starts_on", "Starts on", "t.starts_on", FT_DATE, F_COL, NULL,
	    NULL, NULL },
	{ "ends_on", "Ends on", "t.ends_on", FT_DATE, F_COL, NULL, NULL,
	    NULL },
	{ "status", "Status", "t.status", FT_ENUM, F_COL, trial_statuses,
	    NULL, NULL },
	{ "cancelled_at", "Cancelled at", "t.cancelled_at", FT_TIME,
	    F_SHOW | F_FILTER, NULL, NULL, NULL },
	CREATED,
	UPDATED,
	END
};

static const struct resource trials = {
	.name = "trials", .label = "Trials", .singular = "Trial",
	.table = "trials",
	.from = "trials t JOIN namespaces n ON n.id = t.namespace_id",
	.title_expr = "n.path || ' ' || " LABEL_SQL("t.plan", TRIAL_PLANS),
	.default_sort = "id", .default_reverse = 1,
	.fields = trial_fields,
};

static const struct field extension_fields[] = {
	ID,
	{ "subscription", "Zuora subscription", "s.name", FT_TEXT,
	    F_LIST | F_SHOW | F_SEARCH, NULL, "zuora_subscriptions",
	    "t.zuora_subscription_id" },
	{ "zuora_subscription_id", "Zuora subscription ID",
	    "t.zuora_subscription_id", FT_INT, F_HIDDEN, NULL, NULL, NULL },
	{ "salesforce_opportunity_id", "SFDC opportunity ID",
	    "t.salesforce_opportunity_id", FT_TEXT, F_COL | F_SEARCH, NULL,
	    NULL, NULL },
	{ "reason", "Reason", "t.reason", FT_TEXT, F_COL, NULL, NULL, NULL },
	{ "users", "Users", "t.users", FT_INT, F_COL, NULL, NULL, NULL },
	{ "renewal_term_start", "Renewal term starts",
	    "t.renewal_term_start", FT_DATE, F_SHOW | F_FILTER | F_SORT,
	    NULL, NULL, NULL },
	{ "starts_on", "Starts on", "t.starts_on", FT_DATE, F_COL, NULL,
	    NULL, NULL },
	{ "ends_on", "Ends on", "t.ends_on", FT_DATE, F_COL, NULL, NULL,
	    NULL },
	{ "created_by", "Created by", "t.created_by", FT_TEXT, F_COL, NULL,
	    NULL, NULL },
	{ "license", "License", "l.name", FT_TEXT, F_SHOW, NULL, "licenses",
	    "t.license_id" },
	{ "notes", "Notes", "t.notes", FT_TEXT, F_SHOW, NULL, NULL, NULL },
	CREATED,
	END
};

static const struct resource temporary_extensions = {
	.name = "temporary_extensions", .label = "Temporary extensions",
	.singular = "Temporary extension", .table = "temporary_extensions",
	.from = "temporary_extensions t JOIN zuora_subscriptions s ON s.id = "
	    "t.zuora_subscription_id LEFT JOIN licenses l ON l.id = "
	    "t.license_id",
	.title_expr = "'Extension of ' || s.name",
	.default_sort = "id", .default_reverse = 1,
	.fields = extension_fields,
	.path = "/admin/temporary_extension_history",
};

/*
 * Impersonations (editing, issue 6): not in the navigation; reached from
 * a customer's page, so that each grant's history can be read.
 */
static const struct field impersonation_fields[] = {
	ID,
	{ "customer", "Customer", "c.email", FT_TEXT, F_LIST | F_SHOW, NULL,
	    "customers", "t.customer_id" },
	{ "customer_id", "Customer ID", "t.customer_id", FT_INT, F_HIDDEN,
	    NULL, NULL, NULL },
	{ "admin_identity", "Made by", "t.admin_identity", FT_TEXT,
	    F_LIST | F_SHOW | F_FILTER, NULL, NULL, NULL },
	{ "expires_at", "Expires at", "t.expires_at", FT_TIME,
	    F_LIST | F_SHOW, NULL, NULL, NULL },
	{ "used_at", "Used at", "t.used_at", FT_TIME, F_LIST | F_SHOW, NULL,
	    NULL, NULL },
	CREATED,
	END
};

static const struct resource impersonation_grants = {
	.name = "impersonation_grants", .label = "Impersonations",
	.singular = "Impersonation", .table = "impersonation_grants",
	.from = "impersonation_grants t JOIN customers c ON c.id = "
	    "t.customer_id",
	.title_expr = "'Impersonation of ' || c.email || ' by ' || "
	    "t.admin_identity",
	.default_sort = "id", .default_reverse = 1,
	.fields = impersonation_fields,
	.note = "Each grant opened the Customers Portal as the customer once, "
	    "for at most an hour. Only a hash of its token is kept.",
};

const struct resource *resources[] = {
	&customers,
	&billing_accounts,
	&billing_account_contacts,
	&billing_account_memberships,
	&zuora_subscriptions,
	&invoices,
	&payment_methods,
	&licenses,
	&license_seat_links,
	&orders,
	&reconciliations,
	&namespaces,
	&trials,
	&temporary_extensions,
	&impersonation_grants,
	NULL
};
