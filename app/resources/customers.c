/*
 * Customers: the list, the show page and the edit form (the Guide's
 * "Update customer details" and "Login activated"), and beyond them:
 *
 *	POST /admin/customers/<id>/impersonate
 *		an audited grant (impersonation_grants, at most one hour,
 *		single use; only its token's hash kept), then a redirect to
 *		<portal_base_url>/admin_impersonation?token=<token>
 *	POST /admin/customers/<id>/one_time_sign_in
 *		a new one-time sign-in URL (older unused ones retired)
 *
 * the customer page's panels (one-time sign-in URL, impersonations, Zuora
 * sync, "Renew trial" on its GitLab groups), and what an edit brings
 * along in its transaction: the Zuora contact sync in the outbox (for a
 * customer, and for a billing account contact).
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resources/resources.h"

/* Listed and edited: the name and label of each, once. */
#define FIRST_NAME	first_name, "First name"
#define LAST_NAME	last_name, "Last name"
#define EMAIL		email, "Email"
#define LOGIN_ACTIVATED	login_activated, "Login activated"

static const struct field fields[] = {
	ID,
	TEXT(FIRST_NAME, F_COL | F_SEARCH),
	TEXT(LAST_NAME, F_COL | F_SEARCH),
	TEXT(EMAIL, F_COL | F_SEARCH),
	TEXT(company, "Company", F_COL | F_SEARCH),
	BOOL(LOGIN_ACTIVATED, F_COL),
	INT(uid, "GitLab.com user ID", F_SHOW | F_FILTER | F_SORT),
	CREATED,
	UPDATED,
	END_FIELDS
};

static const struct related related[] = {
	{ "Billing account membership", "billing_account_memberships",
	    "customer_id", NULL },
	{ "Zuora subscriptions", "zuora_subscriptions", "billing_account_id",
	    "SELECT billing_account_id FROM billing_account_memberships "
	    "WHERE customer_id = $1::bigint" },
	{ "GitLab groups", "namespaces", "owner_customer_id", NULL },
	{ "Orders", "orders", "customer_id", NULL },
	END_RELATED
};

const struct resource customers_resource = {
	RESOURCE(customers, "Customers", "Customer"),
	.search_expr = "t.search_text",
	.bigram_expr = "t.search_bigrams",
	.from = "customers t",
	.title_expr = "t.first_name || ' ' || t.last_name",
	NEWEST_FIRST(id),
	.fields = fields, .related = related,
	/* A subscription is visible to a customer through their
	 * membership. */
	.badge_expr = "EXISTS (SELECT 1 FROM billing_account_memberships m "
	    "JOIN zuora_subscriptions s ON s.billing_account_id = "
	    "m.billing_account_id WHERE m.customer_id = t.id)",
	.badge_label = "Subscription",
};

static const struct form_field form_fields[] = {
	INPUT(FIRST_NAME, FORM_TEXT, .flags = FORM_REQUIRED, .max = 255),
	INPUT(LAST_NAME, FORM_TEXT, .flags = FORM_REQUIRED, .max = 255),
	INPUT(EMAIL, FORM_EMAIL, .flags = FORM_REQUIRED, .max = 254,
	    .hint = "First name, last name and email are synced to the "
	    "matching Zuora Bill_To / Sold_To contact."),
	INPUT(LOGIN_ACTIVATED, FORM_BOOL,
	    .hint = "Untick to block this customer from signing in to the "
	    "Customers Portal (their GitLab.com account is not affected)."),
	END_INPUTS
};

static const struct write_constraint rules[] = {
	UNIQUE("customers_email_key", "email",
	    "Email is already used by another customer."),
	CHECK("email_address_check", "email",
	    "Email is not a valid email address."),
	CHECK("customers_first_name_check", "first_name",
	    "First name can't be blank (at most 255 characters)."),
	CHECK("customers_last_name_check", "last_name",
	    "Last name can't be blank (at most 255 characters)."),
	/* Their Zuora contacts change with them (customer_after_update). */
	CHECK("billing_account_contacts_first_name_check", "first_name",
	    "First name is too long for the customer's Zuora contact (at most "
	    "100 characters)."),
	CHECK("billing_account_contacts_last_name_check", "last_name",
	    "Last name is too long for the customer's Zuora contact (at most "
	    "100 characters)."),
	END_RULES
};

const struct edit_resource customers_edit = {
	.name = "customers", .table = "customers",
	.fields = form_fields,
	.constraints = rules,
	.after_update = customer_after_update,
	.show_extras = customer_show_extras,
	.updated = "Customer successfully updated",
};

static int	 impersonate_answer(struct http_request *, struct app_req *,
		    const char *, const char *, const char *);
static void	 gitlab_groups_actions(struct app_req *, const char *,
		    json_t *);
static void	 one_time_sign_in_panel(struct app_req *, const char *,
		    json_t *);
static void	 impersonations_panel(struct app_req *, const char *,
		    json_t *);
static json_t	*cell(const char *, const char *);

static json_t *
cell(const char *value, const char *href)
{
	json_t	*c;

	c = json_pack("{s:s}", "value", value != NULL ? value :
	    "\xe2\x80\x94");
	if (href != NULL)
		json_object_set_new(c, "href", json_string(href));
	return (c);
}

/* The customer an action is about, locked for its transaction. */
#define CUSTOMER_LOCK \
	"SELECT 1 FROM customers WHERE id = $1::bigint FOR UPDATE"

int
customer_impersonate(struct http_request *req, struct app_req *ctx)
{
	struct write_txn	 w;
	PGresult		*res;
	const char		*params[4];
	char			 actor[APP_USER_MAX + 8], token[64], hash[65];
	char			 ttl[32], expires[64];
	int			 ret;

	if (session_actor(ctx, actor, sizeof(actor)) == NULL)
		return (edit_db_error(req, ctx));

	token_random(token, sizeof(token));
	token_sha256_hex(token, hash);
	(void)snprintf(ttl, sizeof(ttl), "%ld", app_cfg.impersonation_ttl);

	if (record_lock(req, ctx, &w, CUSTOMER_LOCK, "customer", &res,
	    &ret) == -1)
		goto done;
	PQclear(res);

	params[0] = ctx->args[0];
	params[1] = actor;
	params[2] = hash;
	params[3] = ttl;
	res = write_exec(&w, "INSERT INTO impersonation_grants (customer_id, "
	    "admin_identity, token_sha256, expires_at) VALUES ($1::bigint, $2, "
	    "decode($3, 'hex'), now() + make_interval(secs => "
	    "$4::double precision)) RETURNING to_char(expires_at AT TIME ZONE "
	    "'UTC', 'YYYY-MM-DD HH24:MI:SS') AS expires_at", 4, params);
	if (res == NULL || write_commit(&w) == -1) {
		if (res != NULL)
			PQclear(res);
		write_rollback(&w);
		ret = edit_db_error(req, ctx);
		goto done;
	}
	(void)kore_strlcpy(expires, DB_COL(res, 0, "expires_at"),
	    sizeof(expires));
	PQclear(res);

	/* log_event() takes its fields. */
	log_event("impersonation granted", json_pack("{s:s, s:s}",
	    "customer_id", ctx->args[0], "admin_identity", actor));
	ret = impersonate_answer(req, ctx, actor, token, expires);
done:
	explicit_bzero(token, sizeof(token));

	return (ret);
}

/* The portal's URL with the grant's token: a redirect, or JSON. */
static int
impersonate_answer(struct http_request *req, struct app_req *ctx,
    const char *actor, const char *token, const char *expires)
{
	json_t	*out;
	char	*url;

	url = kore_malloc(strlen(app_cfg.portal_base_url) + 64 +
	    strlen(token));
	(void)sprintf(url, "%s/admin_impersonation?token=%s",
	    app_cfg.portal_base_url, token);

	if (ctx->wants_json) {
		out = json_pack("{s:s, s:s, s:s, s:s}", "customer_id",
		    ctx->args[0], "admin_identity", actor,
		    "impersonation_url", url, "expires_at", expires);
	} else {
		out = NULL;
		http_response_header(req, "location", url);
		http_response_header(req, "cache-control", "no-store");
		http_response_header(req, "referrer-policy", "no-referrer");
		http_response(req, HTTP_STATUS_SEE_OTHER, NULL, 0);
	}
	explicit_bzero(url, strlen(url));
	kore_free(url);

	if (out != NULL)
		return (render_json(req, HTTP_STATUS_OK, out));
	return (KORE_RESULT_OK);
}

int
customer_one_time_sign_in(struct http_request *req, struct app_req *ctx)
{
	struct write_txn	 w;
	PGresult		*res;
	const char		*params[1];
	char			 href[128];
	int			 ret;

	(void)snprintf(href, sizeof(href), "/admin/customers/%s",
	    ctx->args[0]);

	if (record_lock(req, ctx, &w, CUSTOMER_LOCK, "customer", &res,
	    &ret) == -1)
		return (ret);
	PQclear(res);

	/* Only the newest URL works: the others are retired now. */
	params[0] = ctx->args[0];
	if (write_exec_count(&w, "UPDATE one_time_sign_in_tokens SET "
	    "expires_at = now() WHERE customer_id = $1::bigint AND used_at "
	    "IS NULL AND expires_at > now() AND created_at < now()", 1,
	    params) < 0 || token_one_time_issue(&w, ctx->args[0]) == -1 ||
	    write_commit(&w) == -1) {
		write_rollback(&w);
		return (edit_db_error(req, ctx));
	}

	return (edit_flash_redirect(req, "notice", "A new one-time sign-in "
	    "URL was made; the previous one no longer works.", href));
}

/* "Renew trial" on each GitLab group that has a trial. */
static void
gitlab_groups_actions(struct app_req *ctx, const char *id, json_t *view)
{
	PGresult	*res;
	json_t		*rel, *rows, *row;
	const char	*params[1], *nid;
	size_t		 i, k;
	int		 j, n;

	rows = NULL;
	json_array_foreach(json_object_get(view, "related"), i, rel) {
		if (strcmp(json_string_value(json_object_get(rel, "label")),
		    "GitLab groups") == 0)
			rows = json_object_get(rel, "rows");
	}
	if (rows == NULL || json_array_size(rows) == 0)
		return;

	params[0] = id;
	res = db_exec(ctx, "SELECT n.id AS namespace_id, (SELECT tr.id FROM "
	    "trials tr WHERE tr.namespace_id = n.id AND tr.status <> "
	    "'cancelled' ORDER BY tr.ends_on DESC, tr.id DESC LIMIT 1) AS "
	    "trial_id FROM namespaces n WHERE n.owner_customer_id = "
	    "$1::bigint", 1, params);
	if (res == NULL)
		return;

	n = PQntuples(res);
	json_array_foreach(rows, k, row) {
		nid = json_string_value(json_object_get(row, "id"));
		for (j = 0; nid != NULL && j < n; j++) {
			if (strcmp(DB_COL(res, j, "namespace_id"), nid) != 0 ||
			    DB_NULL(res, j, "trial_id"))
				continue;
			json_object_set_new(row, "row_actions", json_pack(
			    "[{s:s, s:s, s:o}]", "name", "renew_trial",
			    "label", "Renew Trial", "href", json_sprintf(
			    "/admin/trials/%s/renew_trial?return_to="
			    "/admin/customers/%s", DB_COL(res, j, "trial_id"),
			    id)));
		}
	}
	PQclear(res);
}

/* The one-time sign-in URL: a credential, for editors only. */
static void
one_time_sign_in_panel(struct app_req *ctx, const char *id, json_t *view)
{
	json_t	*panel, *url, *form;
	char	 href[128];

	panel = edit_panel(view, "one_time_sign_in", "One time sign in url");
	if (!edit_is_editor(ctx)) {
		json_object_set_new(panel, "note", json_string("Only editors "
		    "can see and share the one-time sign-in URL."));
		return;
	}

	(void)snprintf(href, sizeof(href),
	    "/admin/customers/%s/one_time_sign_in", id);
	form = json_pack("{s:s, s:s}", "action", href, "label", "");
	if ((url = token_one_time_view(ctx, id)) != NULL) {
		json_object_set(panel, "url", json_object_get(url, "url"));
		json_object_set_new(panel, "note", json_sprintf(
		    "Share it only with the customer. It signs them in "
		    "to the Customers Portal once (not to GitLab.com); "
		    "a new one is made after it is used. Valid until "
		    "%s UTC.", json_string_value(json_object_get(url,
		    "expires_at"))));
		json_object_set_new(form, "label", json_string(
		    "Replace it with a new URL"));
		json_decref(url);
	} else {
		json_object_set_new(panel, "note", json_string("There "
		    "is no unused one-time sign-in URL for this "
		    "customer."));
		json_object_set_new(form, "label", json_string(
		    "Make a one-time sign-in URL"));
	}
	json_object_set_new(panel, "form", form);
}

/* Who impersonated this customer, and when. */
static void
impersonations_panel(struct app_req *ctx, const char *id, json_t *view)
{
	PGresult	*res;
	json_t		*panel;
	const char	*params[1];
	char		 href[128];
	int		 i, n;

	panel = edit_panel(view, "impersonations", "Impersonations");
	json_object_set_new(panel, "columns", json_pack("[s, s, s, s, s]",
	    "Made by", "At (UTC)", "Expires at (UTC)", "Used at (UTC)",
	    "History"));
	params[0] = id;
	res = db_exec(ctx, "SELECT id, admin_identity, to_char(created_at AT "
	    "TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS created_at, "
	    "to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
	    "AS expires_at, to_char(used_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD HH24:MI:SS') AS used_at FROM impersonation_grants "
	    "WHERE customer_id = $1::bigint ORDER BY id DESC LIMIT 10", 1,
	    params);
	if (res != NULL) {
		n = PQntuples(res);
		for (i = 0; i < n; i++) {
			(void)snprintf(href, sizeof(href),
			    "/admin/impersonation_grants/%s/history",
			    DB_COL(res, i, "id"));
			edit_panel_row(panel, json_pack("[o, o, o, o, o]",
			    cell(DB_COL(res, i, "admin_identity"), NULL),
			    cell(DB_COL(res, i, "created_at"), NULL),
			    cell(DB_COL(res, i, "expires_at"), NULL),
			    cell(DB_NULL(res, i, "used_at") ? NULL :
			    DB_COL(res, i, "used_at"), NULL),
			    cell("History", href)));
		}
		PQclear(res);
	}
	if (!json_is_true(json_object_get(panel, "has_rows")))
		json_object_set_new(panel, "note", json_string("Nobody has "
		    "impersonated this customer."));
}

void
customer_show_extras(struct app_req *ctx, const char *id, json_t *view)
{
	char	 href[128];

	if (edit_is_editor(ctx)) {
		(void)snprintf(href, sizeof(href),
		    "/admin/customers/%s/impersonate", id);
		edit_action(view, "impersonate", "Impersonate", href, 1);
	}
	one_time_sign_in_panel(ctx, id, view);
	impersonations_panel(ctx, id, view);
	outbox_panel(ctx, view, "customers", id);
	customer_timeline_panel(ctx, id, view);
	if (edit_is_editor(ctx))
		gitlab_groups_actions(ctx, id, view);
}

/*
 * A customer's name or email changed: the matching Zuora contacts (the
 * Bill_To / Sold_To of their billing account with their old email) get
 * the new values here and a sync to Zuora in the outbox, in the same
 * transaction.
 */
int
customer_after_update(struct write_txn *w, const char *id,
    const struct form *mine, const struct form *cur)
{
	const char	*params[5];
	long		 n;
	int		 i;

	for (i = 0; i < mine->n; i++) {
		if (strcmp(mine->fields[i].name, "login_activated") == 0)
			continue;
		if (mine->value[i] == NULL || cur->value[i] == NULL ||
		    strcmp(mine->value[i], cur->value[i]) != 0)
			break;
	}
	if (i == mine->n)
		return (0);

	params[0] = id;
	params[1] = form_value(cur, "email");
	params[2] = form_value(mine, "first_name");
	params[3] = form_value(mine, "last_name");
	params[4] = form_value(mine, "email");
	n = write_outbox(w, "zuora_contact_sync",
	    "WITH matched AS ("
	    " SELECT DISTINCT bc.id FROM billing_account_memberships m"
	    " JOIN billing_accounts b ON b.id = m.billing_account_id"
	    " JOIN billing_account_contacts bc ON bc.id IN"
	    " (b.bill_to_contact_id, b.sold_to_contact_id)"
	    " WHERE m.customer_id = $1::bigint"
	    " AND lower(bc.work_email) = lower($2::text)"
	    "), upd AS ("
	    " UPDATE billing_account_contacts c SET first_name = $3::text,"
	    " last_name = $4::text, work_email = $5::text FROM matched"
	    " WHERE c.id = matched.id RETURNING c.id, c.zuora_contact_id"
	    ") INSERT INTO outbox (kind, payload, record_type, record_id)"
	    " SELECT 'zuora_contact_sync', jsonb_build_object("
	    " 'zuora_contact_id', upd.zuora_contact_id,"
	    " 'billing_account_contact_id', upd.id,"
	    " 'contact', jsonb_build_object('firstName', $3::text,"
	    " 'lastName', $4::text, 'workEmail', $5::text)),"
	    " 'customers', $1::bigint FROM upd", 5, params, NULL);
	if (n < 0)
		return (-1);

	return (0);
}

/* An edited contact is queued for sync to its Zuora contact. */
int
contact_after_update(struct write_txn *w, const char *id,
    const struct form *mine, const struct form *cur)
{
	const char	*params[1];

	(void)mine;
	(void)cur;

	params[0] = id;
	if (write_outbox(w, "zuora_contact_sync", "INSERT INTO outbox (kind, "
	    "payload, record_type, record_id) SELECT 'zuora_contact_sync', "
	    "jsonb_build_object('zuora_contact_id', c.zuora_contact_id, "
	    "'billing_account_contact_id', c.id, 'contact', "
	    "jsonb_build_object('firstName', c.first_name, 'lastName', "
	    "c.last_name, 'workEmail', c.work_email, 'address1', c.address1, "
	    "'address2', c.address2, 'city', c.city, 'state', c.state, "
	    "'zipCode', c.postal_code, 'country', co.name)), "
	    "'billing_account_contacts', c.id FROM billing_account_contacts c "
	    "JOIN countries co ON co.code = c.country WHERE c.id = $1::bigint",
	    1, params, NULL) != 1)
		return (-1);

	return (0);
}
