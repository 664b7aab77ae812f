/*
 * Customers and contacts beyond the generic edit form:
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
 * along in its transaction: the Zuora contact sync in the outbox.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/edit.h"

static int	 customer_exists(struct write_txn *, const char *);
static void	 gitlab_groups_actions(struct app_req *, const char *,
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

/* 1 when the customer exists (locked for the transaction), 0, -1. */
static int
customer_exists(struct write_txn *w, const char *id)
{
	const char	*params[1];
	long		 n;

	params[0] = id;
	n = write_exec_count(w, "SELECT 1 FROM customers WHERE "
	    "id = $1::bigint FOR UPDATE", 1, params);
	return (n < 0 ? -1 : n > 0);
}

int
customer_impersonate(struct http_request *req, struct app_req *ctx)
{
	struct write_txn	 w;
	PGresult		*res;
	json_t			*out;
	const char		*params[4];
	char			 actor[APP_USER_MAX + 8], token[64], hash[65];
	char			 ttl[32], *url, expires[64];
	int			 found;

	if (session_actor(ctx, actor, sizeof(actor)) == NULL)
		return (edit_db_error(req, ctx));

	token_random(token, sizeof(token));
	token_sha256_hex(token, hash);
	(void)snprintf(ttl, sizeof(ttl), "%ld", app_cfg.impersonation_ttl);

	if (write_begin_admin(&w, ctx, NULL) == -1 ||
	    (found = customer_exists(&w, ctx->args[0])) == -1) {
		write_rollback(&w);
		explicit_bzero(token, sizeof(token));
		return (edit_db_error(req, ctx));
	}
	if (!found) {
		write_rollback(&w);
		explicit_bzero(token, sizeof(token));
		return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no such customer."));
	}

	params[0] = ctx->args[0];
	params[1] = actor;
	params[2] = hash;
	params[3] = ttl;
	res = write_exec(&w, "INSERT INTO impersonation_grants (customer_id, "
	    "admin_identity, token_sha256, expires_at) VALUES ($1::bigint, $2, "
	    "decode($3, 'hex'), now() + make_interval(secs => "
	    "$4::double precision)) RETURNING to_char(expires_at AT TIME ZONE "
	    "'UTC', 'YYYY-MM-DD HH24:MI:SS')", 4, params);
	if (res == NULL || write_commit(&w) == -1) {
		if (res != NULL)
			PQclear(res);
		write_rollback(&w);
		explicit_bzero(token, sizeof(token));
		return (edit_db_error(req, ctx));
	}
	(void)kore_strlcpy(expires, PQgetvalue(res, 0, 0), sizeof(expires));
	PQclear(res);

	/* log_event() takes its fields. */
	log_event("impersonation granted", json_pack("{s:s, s:s}",
	    "customer_id", ctx->args[0], "admin_identity", actor));
	out = json_pack("{s:s, s:s}", "customer_id", ctx->args[0],
	    "admin_identity", actor);

	url = kore_malloc(strlen(app_cfg.portal_base_url) + 64 +
	    strlen(token));
	(void)sprintf(url, "%s/admin_impersonation?token=%s",
	    app_cfg.portal_base_url, token);
	explicit_bzero(token, sizeof(token));

	if (ctx->wants_json) {
		json_object_set_new(out, "impersonation_url", json_string(url));
		json_object_set_new(out, "expires_at", json_string(expires));
		kore_free(url);
		return (render_json(req, HTTP_STATUS_OK, out));
	}
	json_decref(out);

	http_response_header(req, "location", url);
	http_response_header(req, "cache-control", "no-store");
	http_response_header(req, "referrer-policy", "no-referrer");
	http_response(req, HTTP_STATUS_SEE_OTHER, NULL, 0);
	explicit_bzero(url, strlen(url));
	kore_free(url);

	return (KORE_RESULT_OK);
}

int
customer_one_time_sign_in(struct http_request *req, struct app_req *ctx)
{
	struct write_txn	 w;
	const char		*params[1];
	char			 href[128];
	int			 found;

	(void)snprintf(href, sizeof(href), "/admin/customers/%s",
	    ctx->args[0]);

	if (write_begin_admin(&w, ctx, NULL) == -1 ||
	    (found = customer_exists(&w, ctx->args[0])) == -1) {
		write_rollback(&w);
		return (edit_db_error(req, ctx));
	}
	if (!found) {
		write_rollback(&w);
		return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no such customer."));
	}

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
	res = db_exec(ctx, "SELECT n.id, (SELECT tr.id FROM trials tr WHERE "
	    "tr.namespace_id = n.id AND tr.status <> 'cancelled' ORDER BY "
	    "tr.ends_on DESC, tr.id DESC LIMIT 1) FROM namespaces n WHERE "
	    "n.owner_customer_id = $1::bigint", 1, params);
	if (res == NULL)
		return;

	n = PQntuples(res);
	json_array_foreach(rows, k, row) {
		nid = json_string_value(json_object_get(row, "id"));
		for (j = 0; nid != NULL && j < n; j++) {
			if (strcmp(PQgetvalue(res, j, 0), nid) != 0 ||
			    PQgetisnull(res, j, 1))
				continue;
			json_object_set_new(row, "row_actions", json_pack(
			    "[{s:s, s:s, s:o}]", "name", "renew_trial",
			    "label", "Renew Trial", "href", json_sprintf(
			    "/admin/trials/%s/renew_trial?return_to="
			    "/admin/customers/%s", PQgetvalue(res, j, 1), id)));
		}
	}
	PQclear(res);
}

void
customer_show_extras(struct app_req *ctx, const char *id, json_t *view)
{
	PGresult	*res;
	json_t		*panel, *url, *form;
	const char	*params[1];
	char		 href[128];
	int		 i, n;

	if (edit_is_editor(ctx)) {
		(void)snprintf(href, sizeof(href),
		    "/admin/customers/%s/impersonate", id);
		edit_action(view, "impersonate", "Impersonate", href, 1);
	}

	/* The one-time sign-in URL: a credential, for editors only. */
	panel = edit_panel(view, "one_time_sign_in", "One time sign in url");
	if (!edit_is_editor(ctx)) {
		json_object_set_new(panel, "note", json_string("Only editors "
		    "can see and share the one-time sign-in URL."));
	} else {
		(void)snprintf(href, sizeof(href),
		    "/admin/customers/%s/one_time_sign_in", id);
		form = json_pack("{s:s, s:s}", "action", href, "label", "");
		if ((url = token_one_time_view(ctx, id)) != NULL) {
			json_object_set(panel, "url", json_object_get(url,
			    "url"));
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
	panel = edit_panel(view, "impersonations", "Impersonations");
	json_object_set_new(panel, "columns", json_pack("[s, s, s, s, s]",
	    "Made by", "At (UTC)", "Expires at (UTC)", "Used at (UTC)",
	    "History"));
	params[0] = id;
	res = db_exec(ctx, "SELECT id, admin_identity, to_char(created_at AT "
	    "TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), to_char(expires_at AT "
	    "TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), to_char(used_at AT "
	    "TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM "
	    "impersonation_grants WHERE customer_id = $1::bigint ORDER BY id "
	    "DESC LIMIT 10", 1, params);
	if (res != NULL) {
		n = PQntuples(res);
		for (i = 0; i < n; i++) {
			(void)snprintf(href, sizeof(href),
			    "/admin/impersonation_grants/%s/history",
			    PQgetvalue(res, i, 0));
			edit_panel_row(panel, json_pack("[o, o, o, o, o]",
			    cell(PQgetvalue(res, i, 1), NULL),
			    cell(PQgetvalue(res, i, 2), NULL),
			    cell(PQgetvalue(res, i, 3), NULL),
			    cell(PQgetisnull(res, i, 4) ? NULL :
			    PQgetvalue(res, i, 4), NULL),
			    cell("History", href)));
		}
		PQclear(res);
	}
	if (!json_is_true(json_object_get(panel, "has_rows")))
		json_object_set_new(panel, "note", json_string("Nobody has "
		    "impersonated this customer."));

	outbox_panel(ctx, view, "customers", id);
	customer_timeline_panel(ctx, id, view);

	if (edit_is_editor(ctx))
		gitlab_groups_actions(ctx, id, view);
}

void
contact_show_extras(struct app_req *ctx, const char *id, json_t *view)
{
	outbox_panel(ctx, view, "billing_account_contacts", id);
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
	n = write_exec_count(w,
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
	    " 'customers', $1::bigint FROM upd", 5, params);
	if (n < 0)
		return (-1);
	if (n > 0 && write_exec_count(w, "SELECT pg_notify('cdot_outbox', "
	    "'zuora_contact_sync')", 0, NULL) < 0)
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
	if (write_exec_count(w, "INSERT INTO outbox (kind, payload, "
	    "record_type, record_id) SELECT 'zuora_contact_sync', "
	    "jsonb_build_object('zuora_contact_id', c.zuora_contact_id, "
	    "'billing_account_contact_id', c.id, 'contact', "
	    "jsonb_build_object('firstName', c.first_name, 'lastName', "
	    "c.last_name, 'workEmail', c.work_email, 'address1', c.address1, "
	    "'address2', c.address2, 'city', c.city, 'state', c.state, "
	    "'zipCode', c.postal_code, 'country', co.name)), "
	    "'billing_account_contacts', c.id FROM billing_account_contacts c "
	    "JOIN countries co ON co.code = c.country WHERE c.id = $1::bigint",
	    1, params) != 1)
		return (-1);
	if (write_exec_count(w, "SELECT pg_notify('cdot_outbox', "
	    "'zuora_contact_sync')", 0, NULL) < 0)
		return (-1);

	return (0);
}
