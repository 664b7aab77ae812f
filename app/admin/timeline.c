/*
 * A customer's timeline: everything that happened to them and to the
 * records around them, newest first, from the versions rows the
 * database's triggers write.
 *
 *	GET /admin/customers/<id>/timeline[?page=N]
 *		the whole timeline, a page at a time (HTML or JSON)
 *
 * and its panel on the customer's page (the newest events, with a link
 * to the rest).  The records are the customer; their memberships, now
 * and past (a removal is an event of theirs too); the billing accounts
 * they belong to now, with those accounts' contacts, subscriptions,
 * orders, licenses and temporary extensions; the namespaces they own or
 * that those subscriptions pay for, with their trials; the customer's
 * orders and impersonations.  Each event is shown as the history pages
 * show it (admin/history.c), with the record it happened to.
 */

#include <sys/types.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "admin/resource.h"

#define TIMELINE_PER_PAGE	50
#define TIMELINE_PANEL		20

/*
 * $1 the customer, $2 the events to skip, $3 the events to return.  Each
 * record's newest $2 + $3 events come from versions_item_idx, and only
 * those are merged: a page costs the same however long the history.  The
 * removed memberships are found by versions_membership_customer_idx
 * (migration 022), the orders in two arms so that each uses its index
 * (an OR of the two reads the whole table).
 */
#define TIMELINE_SQL \
	"WITH a AS (SELECT billing_account_id AS id" \
	" FROM billing_account_memberships WHERE customer_id = $1::bigint)," \
	" m AS (SELECT id FROM billing_account_memberships" \
	" WHERE customer_id = $1::bigint" \
	" UNION SELECT item_id FROM versions" \
	" WHERE item_type = 'billing_account_memberships'" \
	" AND event <> 'update' AND changes->>'customer_id' = $1::bigint::text)," \
	" s AS (SELECT z.id FROM zuora_subscriptions z" \
	" WHERE z.billing_account_id IN (SELECT id FROM a))," \
	" n AS (SELECT id FROM namespaces WHERE owner_customer_id = $1::bigint" \
	" UNION SELECT id FROM namespaces" \
	" WHERE zuora_subscription_id IN (SELECT id FROM s))," \
	" items (item_type, item_id) AS (" \
	" SELECT 'customers'::text, $1::bigint" \
	" UNION ALL SELECT 'billing_account_memberships', id FROM m" \
	" UNION ALL SELECT 'billing_accounts', id FROM a" \
	" UNION ALL SELECT 'billing_account_contacts', c.id" \
	" FROM billing_account_contacts c" \
	" WHERE c.billing_account_id IN (SELECT id FROM a)" \
	" UNION ALL SELECT 'zuora_subscriptions', id FROM s" \
	" UNION ALL SELECT 'orders', id FROM (SELECT id FROM orders" \
	" WHERE customer_id = $1::bigint UNION SELECT id FROM orders" \
	" WHERE billing_account_id IN (SELECT id FROM a)) o" \
	" UNION ALL SELECT 'licenses', l.id FROM licenses l" \
	" WHERE l.zuora_subscription_id IN (SELECT id FROM s)" \
	" UNION ALL SELECT 'temporary_extensions', x.id" \
	" FROM temporary_extensions x" \
	" WHERE x.zuora_subscription_id IN (SELECT id FROM s)" \
	" UNION ALL SELECT 'namespaces', id FROM n" \
	" UNION ALL SELECT 'trials', t.id FROM trials t" \
	" WHERE t.namespace_id IN (SELECT id FROM n)" \
	" UNION ALL SELECT 'impersonation_grants', g.id" \
	" FROM impersonation_grants g WHERE g.customer_id = $1::bigint)" \
	" SELECT v.id, v.item_type, v.item_id, v.event," \
	" v.changes::text AS changes, v.actor, v.ticket_url," \
	" to_char(v.created_at AT TIME ZONE 'UTC'," \
	" 'YYYY-MM-DD HH24:MI:SS \"UTC\"') AS at," \
	" to_char(v.created_at AT TIME ZONE 'UTC'," \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS at_iso" \
	" FROM items i CROSS JOIN LATERAL (SELECT * FROM versions w" \
	" WHERE w.item_type = i.item_type AND w.item_id = i.item_id" \
	" ORDER BY w.id DESC LIMIT $2::bigint + $3::bigint) v" \
	" ORDER BY v.id DESC LIMIT $3::bigint OFFSET $2::bigint"

static const struct resource	*resource_by_table(const char *);
static json_t	*timeline_event(PGresult *, int);
static json_t	*timeline_events(struct app_req *, const char *, long, int,
		    int *);
static json_t	*customer_title(struct app_req *, const char *, int *);

/* The resource whose rows versions.item_type names, or NULL. */
static const struct resource *
resource_by_table(const char *table)
{
	int	i;

	for (i = 0; resources[i] != NULL; i++) {
		if (strcmp(resources[i]->table, table) == 0)
			return (resources[i]);
	}

	return (NULL);
}

/* One versions row as the history pages show it, with its record. */
static json_t *
timeline_event(PGresult *pr, int i)
{
	const struct resource	*res;
	const char		*item_id;
	json_t			*ev;

	if ((res = resource_by_table(DB_COL(pr, i, "item_type"))) == NULL)
		return (NULL);
	item_id = DB_COL(pr, i, "item_id");
	ev = history_event(res, pr, i);
	json_object_set_new(ev, "item_type", json_string(res->name));
	json_object_set_new(ev, "record_label", json_sprintf("%s #%s",
	    res->singular, item_id));
	json_object_set_new(ev, "history_href", json_sprintf(
	    "/admin/%s/%s/history", res->name, item_id));

	return (ev);
}

/*
 * The customer's events from the offset-th newest, at most per of them;
 * *more says whether there are older ones.  NULL when the database
 * failed.
 */
static json_t *
timeline_events(struct app_req *ctx, const char *id, long offset, int per,
    int *more)
{
	PGresult	*pr;
	json_t		*events, *ev;
	const char	*params[3];
	char		 off[32], lim[32];
	int		 i, n;

	(void)snprintf(off, sizeof(off), "%ld", offset);
	(void)snprintf(lim, sizeof(lim), "%d", per + 1);
	params[0] = id;
	params[1] = off;
	params[2] = lim;
	if ((pr = db_exec_cached(ctx, TIMELINE_SQL, 3, params)) == NULL)
		return (NULL);

	events = json_array();
	n = PQntuples(pr);
	for (i = 0; i < n && i < per; i++) {
		if ((ev = timeline_event(pr, i)) != NULL)
			json_array_append_new(events, ev);
	}
	*more = n > per;
	PQclear(pr);

	return (events);
}

/*
 * The customer's name as their page shows it; *found is 0 when there is
 * no such customer.  NULL when the database failed.
 */
static json_t *
customer_title(struct app_req *ctx, const char *id, int *found)
{
	const struct resource	*res;
	PGresult		*pr;
	struct kore_buf		*sql;
	json_t			*title;
	const char		*params[1];
	int			 err;

	*found = 0;
	title = NULL;
	sql = kore_buf_alloc(256);
	/* An id past bigint's range names no customer. */
	(void)kore_strtonum(id, 10, 1, LLONG_MAX, &err);
	if (err != KORE_RESULT_OK || (res = resource_find("customers")) ==
	    NULL) {
		title = json_null();
		goto out;
	}

	kore_buf_appendf(sql, "SELECT %s AS title FROM %s WHERE t.id = "
	    "$1::bigint", res->title_expr, res->from);
	params[0] = id;
	if ((pr = db_exec_cached(ctx, kore_buf_stringify(sql, NULL), 1,
	    params)) == NULL)
		goto out;
	if (PQntuples(pr) == 1) {
		*found = 1;
		title = json_string(DB_COL(pr, 0, "title"));
	} else {
		title = json_null();
	}
	PQclear(pr);

out:
	kore_buf_free(sql);
	return (title);
}

/* /admin/customers/<id>/timeline */
int
page_customer_timeline(struct http_request *req, struct app_req *ctx)
{
	const char	*id;
	json_t		*view, *events, *name;
	char		 title[320];
	long		 page;
	int		 found, more;

	id = ctx->args[0];
	if ((page = history_page(ctx)) == -1) {
		return (render_error(req, ctx, HTTP_STATUS_BAD_REQUEST,
		    "The page must be a number from 1 to 400."));
	}
	if ((name = customer_title(ctx, id, &found)) == NULL)
		return (render_db_error(req, ctx));
	if (!found) {
		json_decref(name);
		return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no such customer."));
	}
	if ((events = timeline_events(ctx, id, (page - 1) *
	    TIMELINE_PER_PAGE, TIMELINE_PER_PAGE, &more)) == NULL) {
		json_decref(name);
		return (render_db_error(req, ctx));
	}

	(void)snprintf(title, sizeof(title), "Timeline of %s",
	    json_string_value(name));
	view = render_view(ctx, title);
	json_object_set_new(view, "customer", json_pack("{s:s, s:o, s:o}",
	    "id", id, "name", name, "href",
	    json_sprintf("/admin/customers/%s", id)));
	json_object_set_new(view, "events", events);
	json_object_set_new(view, "page", json_integer(page));
	history_pager(view, page, more);

	return (render_page(req, ctx, HTTP_STATUS_OK, "timeline", view));
}

/* The newest events on the customer's page, with a link to them all. */
void
customer_timeline_panel(struct app_req *ctx, const char *id, json_t *view)
{
	json_t	*events;
	int	 more;

	if ((events = timeline_events(ctx, id, 0, TIMELINE_PANEL,
	    &more)) == NULL)
		return;
	json_object_set_new(view, "timeline", json_pack("{s:o, s:b, s:o}",
	    "events", events, "more", more, "href",
	    json_sprintf("/admin/customers/%s/timeline", id)));
}
