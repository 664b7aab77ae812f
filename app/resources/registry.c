/*
 * The resources the engine knows (admin/list.c, admin/edit.c), in the
 * order of the navigation; each is described in its own file of this
 * folder.  The route table test and the RailsAdmin paths
 * (http/railsadmin.c) follow this list.
 */

#include <sys/types.h>

#include "resources/resources.h"
#include "support/support.h"

const struct resource *resources[] = {
	&customers_resource,
	&billing_accounts_resource,
	&billing_account_contacts_resource,
	&billing_account_memberships_resource,
	&zuora_subscriptions_resource,
	&invoices_resource,
	&payment_methods_resource,
	&licenses_resource,
	&license_seat_links_resource,
	&orders_resource,
	&reconciliations_resource,
	&namespaces_resource,
	&trials_resource,
	&temporary_extensions_resource,
	&impersonation_grants_resource,
	NULL
};

/* Those that may be edited, or have actions and panels of their own. */
const struct edit_resource *edit_resources[] = {
	&customers_edit,
	&billing_accounts_edit,
	&billing_account_contacts_edit,
	&billing_account_memberships_edit,
	&trials_edit,
	&licenses_edit,
	&zuora_subscriptions_edit,
	&namespaces_edit,
	NULL
};

/*
 * Lists on screens of their own menus (Support's), found by their path,
 * never by /admin/<name> (admin/screen.c).
 */
const struct resource *list_screens[] = {
	&support_trials_list,
	&support_sm_trials_list,
	NULL
};
