/*
 * The dashboard: how many records each screen holds.
 *
 * Counting every row of a table of tens of millions on each visit is what
 * makes admin dashboards slow, so large tables show PostgreSQL's own
 * estimate (pg_class.reltuples, kept by autovacuum) marked as such, and
 * only small tables are counted exactly.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "app.h"

#define EXACT_BELOW	10000

static const struct {
	const char	*label;
	const char	*table;
	const char	*href;
} counted[] = {
	{ "Customers", "customers", "/admin/customers" },
	{ "Billing accounts", "billing_accounts", "/admin/billing_accounts" },
	{ "Billing account contacts", "billing_account_contacts",
	    "/admin/billing_account_contacts" },
	{ "Billing account memberships", "billing_account_memberships",
	    "/admin/billing_account_memberships" },
	{ "Zuora subscriptions", "zuora_subscriptions",
	    "/admin/zuora_subscriptions" },
	{ "Invoices", "invoices", "/admin/invoices" },
	{ "Payment methods", "payment_methods", "/admin/payment_methods" },
	{ "Orders", "orders", "/admin/orders" },
	{ "Reconciliations", "reconciliations", "/admin/reconciliations" },
	{ "Temporary extensions", "temporary_extensions",
	    "/admin/temporary_extension_history" },
	{ "Licenses", "licenses", "/admin/licenses" },
	{ "License seat links", "license_seat_links",
	    "/admin/license_seat_links" },
	{ "Namespaces", "namespaces", "/admin/namespaces" },
	{ "Trials", "trials", "/admin/trials" },
};

#define NCOUNTED	(sizeof(counted) / sizeof(counted[0]))

static long long	count_exact(struct app_req *, const char *);

int
page_dashboard(struct http_request *req, struct app_req *ctx)
{
	PGresult	*res;
	json_t		*view, *cards;
	long long	 n;
	int		 row, estimated, found;
	size_t		 i;
	const char	*sql;

	/* One round trip for every estimate; the table names are ours. */
	sql = "SELECT c.relname, c.reltuples::bigint AS reltuples "
	    "FROM pg_class c "
	    "JOIN pg_namespace s ON s.oid = c.relnamespace "
	    "WHERE s.nspname = current_schema() AND c.relkind = 'r'";
	if ((res = db_exec_cached(ctx, sql, 0, NULL)) == NULL) {
		return (render_db_error(req, ctx));
	}

	cards = json_array();
	for (i = 0; i < NCOUNTED; i++) {
		found = 0;
		n = -1;
		for (row = 0; row < PQntuples(res); row++) {
			if (strcmp(DB_COL(res, row, "relname"),
			    counted[i].table) == 0) {
				found = 1;
				n = strtoll(DB_COL(res, row, "reltuples"), NULL,
				    10);
				break;
			}
		}
		if (!found)
			continue;

		estimated = 1;
		if (n < EXACT_BELOW) {
			n = count_exact(ctx, counted[i].table);
			estimated = 0;
		}

		json_array_append_new(cards, json_pack(
		    "{s:s, s:s, s:s, s:I, s:b}",
		    "label", counted[i].label, "table", counted[i].table,
		    "href", counted[i].href, "count", (json_int_t)n,
		    "estimated", estimated));
	}
	PQclear(res);

	view = render_view(ctx, "Dashboard");
	json_object_set_new(view, "counts", cards);

	return (render_page(req, ctx, HTTP_STATUS_OK, "dashboard", view));
}

static long long
count_exact(struct app_req *ctx, const char *table)
{
	PGresult	*res;
	char		 sql[128];
	long long	 n;

	/* table comes from the constant list above, never from a request. */
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) AS n FROM %s",
	    table);
	if ((res = db_exec(ctx, sql, 0, NULL)) == NULL)
		return (-1);
	n = strtoll(DB_COL(res, 0, "n"), NULL, 10);
	PQclear(res);

	return (n);
}
