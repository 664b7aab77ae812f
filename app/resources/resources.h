/*
 * What the resources' files share: the descriptors the engine reads
 * (listed in resources/registry.c), the plans more than one resource
 * offers, the lock of the record an action changes, and a read from
 * Zuora in a Kore task.
 */

#ifndef CDOT_RESOURCES_H
#define CDOT_RESOURCES_H

#include "admin/edit.h"
#include "clients/zuora.h"

/* The list, show, history and export pages of each resource. */
extern const struct resource	customers_resource;
extern const struct resource	billing_accounts_resource;
extern const struct resource	billing_account_contacts_resource;
extern const struct resource	billing_account_memberships_resource;
extern const struct resource	zuora_subscriptions_resource;
extern const struct resource	invoices_resource;
extern const struct resource	payment_methods_resource;
extern const struct resource	licenses_resource;
extern const struct resource	license_seat_links_resource;
extern const struct resource	orders_resource;
extern const struct resource	reconciliations_resource;
extern const struct resource	namespaces_resource;
extern const struct resource	trials_resource;
extern const struct resource	temporary_extensions_resource;
extern const struct resource	impersonation_grants_resource;

/* Their edit, new and delete pages, actions and panels. */
extern const struct edit_resource	customers_edit;
extern const struct edit_resource	billing_accounts_edit;
extern const struct edit_resource	billing_account_contacts_edit;
extern const struct edit_resource	billing_account_memberships_edit;
extern const struct edit_resource	trials_edit;
extern const struct edit_resource	licenses_edit;
extern const struct edit_resource	zuora_subscriptions_edit;
extern const struct edit_resource	namespaces_edit;

/*
 * The records many resources link to, each with its id as a hidden
 * filter (admin/resource.h, BELONGS_TO): the billing account (joined as
 * b), the customer (c), the Zuora subscription (s, or by the name the
 * record keeps of it).
 */
#define BILLING_ACCOUNT(fl)						\
	BELONGS_TO(billing_account, "Billing account",			\
	    "b.zuora_account_name", fl, billing_accounts,		\
	    billing_account_id, "Billing account ID")
#define CUSTOMER(fl)							\
	BELONGS_TO(customer, "Customer", "c.email", fl, customers,	\
	    customer_id, "Customer ID")
#define SUBSCRIPTION(fl)						\
	BELONGS_TO(subscription, "Zuora subscription", "s.name", fl,	\
	    zuora_subscriptions, zuora_subscription_id,			\
	    "Zuora subscription ID")
#define SUBSCRIPTION_NAME(fl)						\
	BELONGS_TO(subscription_name, "Subscription name",		\
	    "t.subscription_name", fl, zuora_subscriptions,		\
	    zuora_subscription_id, "Zuora subscription ID")

/*
 * The choices of an enum field: X(value stored, words shown), written
 * once so that a record's title can say the same words in SQL
 * (LABEL_SQL).  These are offered by more than one resource.
 */
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

/*
 * A GET from Zuora run in a Kore task (http/bg.c), so that a slow Zuora
 * holds up only the person who asked; bounded by ZJOB_BOUND_MS.
 */
struct zjob {
	char			 path[128];
	struct zuora_session	 session;
	struct zuora_result	 result;
	/* Refresh: the account's subscriptions, read after it (or ""). */
	char			 subs_path[128];
	struct zuora_result	 subs;
};

/* The Zuora exchanges a job may make, each allowed twice the timeout. */
#define ZJOB_CALLS	3
#define ZJOB_BOUND_MS	((u_int64_t)ZJOB_CALLS * 2 * \
			    (u_int64_t)app_cfg.zuora_http_timeout * 1000)

/* resources/record.c */
int		 record_lock(struct http_request *, struct app_req *,
		    struct write_txn *, const char *, const char *,
		    PGresult **, int *);

struct zjob	*zjob_new(const char *, const char *);
void		 zjob_start(struct http_request *, struct app_req *,
		    struct zjob *);
void		 zjob_free(void *);
const char	*zuora_why(const struct zuora_result *, char *, size_t);

#endif
