/*
 * Billing accounts: the list, the show page and the edit form.  The
 * panel owns the name, company and SFDC account ID; the holds, PO and
 * portal flags, auto-pay and currency are Zuora's and only ever come
 * from "Refresh from Zuora":
 *
 *	POST /admin/billing_accounts/<id>/refresh_from_zuora
 *		GET /v1/accounts/{zuora_account_id} (resources/zuora_job.c);
 *		the fields Zuora owns are written if they changed, and
 *		history records what changed
 *
 * What is read (Zuora's REST API, "Retrieve an account"):
 * basicInfo.{PORequired__c, PortalRequired__c, SupportHold__c,
 * CreditHold__c} (true/false or "Yes"/"No"), billingAndPayment.{autoPay,
 * currency}.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "resources/resources.h"
#include "support/eligibility.h"

/* Listed, and edited or shown on the edit form: name and label, once. */
#define ZUORA_ACCOUNT_ID	zuora_account_id, "Zuora account ID"
#define COMPANY			company, "Company"
#define SALESFORCE_ACCOUNT_ID	salesforce_account_id, "SFDC account ID"
#define PO_REQUIRED		po_required, "PO required"
#define PORTAL_REQUIRED		portal_required, "Portal required"
#define SUPPORT_HOLD		support_hold, "Support hold"
#define CREDIT_HOLD		credit_hold, "Credit hold"
#define AUTO_PAY		auto_pay, "Auto-pay"
#define CURRENCY		currency, "Currency"

static const struct field fields[] = {
	ID,
	TEXT(zuora_account_name, "Zuora account name", F_COL | F_SEARCH),
	TEXT(ZUORA_ACCOUNT_ID, F_COL | F_SEARCH),
	TEXT(SALESFORCE_ACCOUNT_ID, F_SHOW | F_FILTER | F_SEARCH),
	TEXT(COMPANY, F_COL | F_SEARCH),
	BOOL(PO_REQUIRED, F_COL),
	BOOL(PORTAL_REQUIRED, F_SHOW | F_FILTER),
	BOOL(SUPPORT_HOLD, F_COL),
	BOOL(CREDIT_HOLD, F_COL),
	BOOL(AUTO_PAY, F_SHOW | F_FILTER),
	TEXT(CURRENCY, F_SHOW | F_FILTER),
	TEXT_AS(bill_to, "Bill_To contact",
	    "bt.first_name || ' ' || bt.last_name || ' <' || bt.work_email "
	    "|| '>'", F_SHOW,
	    LINK("billing_account_contacts", "t.bill_to_contact_id")),
	TEXT_AS(sold_to, "Sold_To contact",
	    "st.first_name || ' ' || st.last_name || ' <' || st.work_email "
	    "|| '>'", F_SHOW,
	    LINK("billing_account_contacts", "t.sold_to_contact_id")),
	CREATED,
	UPDATED,
	END_FIELDS
};

static const struct related related[] = {
	{ "Memberships", "billing_account_memberships", "billing_account_id",
	    NULL },
	{ "Contacts", "billing_account_contacts", "billing_account_id", NULL },
	{ "Zuora subscriptions", "zuora_subscriptions", "billing_account_id",
	    NULL },
	{ "Invoices", "invoices", "billing_account_id", NULL },
	{ "Payment methods", "payment_methods", "billing_account_id", NULL },
	{ "Orders", "orders", "billing_account_id", NULL },
	END_RELATED
};

const struct resource billing_accounts_resource = {
	RESOURCE(billing_accounts, "Billing accounts", "Billing account"),
	.search_expr = "t.search_text",
	.from = "billing_accounts t "
	    "LEFT JOIN billing_account_contacts bt ON bt.id = "
	    "t.bill_to_contact_id "
	    "LEFT JOIN billing_account_contacts st ON st.id = "
	    "t.sold_to_contact_id",
	.title_expr = "t.zuora_account_name",
	NEWEST_FIRST(id),
	.fields = fields, .related = related,
	.badge_expr = "EXISTS (SELECT 1 FROM zuora_subscriptions s "
	    "WHERE s.billing_account_id = t.id)",
	.badge_label = "Subscription",
};

static const struct form_field form_fields[] = {
	INPUT(zuora_account_name, "Account name", FORM_TEXT,
	    .flags = FORM_REQUIRED, .max = 255),
	INPUT(COMPANY, FORM_TEXT, .max = 255),
	INPUT(SALESFORCE_ACCOUNT_ID, FORM_SFDC_ID, .max = 18,
	    .hint = "15 or 18 letters and digits, e.g. 0014M00001kQx7bQAC."),
	END_INPUTS
};

/* Zuora's, read-only on the edit form. */
static const struct edit_shown shown[] = {
	SHOWN(ZUORA_ACCOUNT_ID),
	SHOWN_YES_NO(PO_REQUIRED),
	SHOWN_YES_NO(PORTAL_REQUIRED),
	SHOWN_YES_NO(SUPPORT_HOLD),
	SHOWN_YES_NO(CREDIT_HOLD),
	SHOWN_YES_NO(AUTO_PAY),
	SHOWN(CURRENCY),
	END_SHOWN
};

static const struct write_constraint rules[] = {
	CHECK("billing_accounts_zuora_account_name_check",
	    "zuora_account_name",
	    "Account name can't be blank (at most 255 characters)."),
	CHECK("billing_accounts_company_check", "company",
	    "Company is too long (at most 255 characters)."),
	CHECK("billing_accounts_salesforce_account_id_check",
	    "salesforce_account_id",
	    "SFDC account ID must be 15 or 18 letters and digits."),
	END_RULES
};

const struct edit_resource billing_accounts_edit = {
	.name = "billing_accounts", .table = "billing_accounts",
	.fields = form_fields,
	.shown = shown,
	.shown_note = "These fields are owned by Zuora and cannot be changed "
	    "here: change them in Zuora, then use \xe2\x80\x9cRefresh from "
	    "Zuora\xe2\x80\x9d on the billing account.",
	.constraints = rules,
	.show_extras = billing_account_show_extras,
	.updated = "Billing account successfully updated",
};

/* The boolean fields Zuora owns (columns, labels), where its answer has
 * them. */
struct zflag {
	const char	*column;
	const char	*label;
	const char	*section;
	const char	*key;
};

#define ZFLAG(...)			ZFLAG_(__VA_ARGS__)
#define ZFLAG_(n, l, section, key)	{ #n, l, section, key }

static const struct zflag zuora_flags[] = {
	ZFLAG(PO_REQUIRED, "basicInfo", "PORequired__c"),
	ZFLAG(PORTAL_REQUIRED, "basicInfo", "PortalRequired__c"),
	ZFLAG(SUPPORT_HOLD, "basicInfo", "SupportHold__c"),
	ZFLAG(CREDIT_HOLD, "basicInfo", "CreditHold__c"),
	ZFLAG(AUTO_PAY, "billingAndPayment", "autoPay"),
	{ NULL, NULL, NULL, NULL }
};

#define NFLAGS		5

static int	 zuora_bool(json_t *, int *);
static int	 refresh_apply(struct http_request *, struct app_req *,
		    struct zjob *);
static int	 refresh_failed(struct http_request *, struct app_req *,
		    const char *, const char *, const char *);
static int	 refresh_read(const struct zjob *, int *, char *, size_t,
		    char *, size_t);
static int	 refresh_write(struct http_request *, struct app_req *,
		    const struct zjob *, const int *, const char *,
		    const char *);

/* Zuora's booleans: true/false, or the custom fields' "Yes"/"No". */
static int
zuora_bool(json_t *v, int *out)
{
	const char	*s;

	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return (0);
	}
	if ((s = json_string_value(v)) == NULL)
		return (-1);
	if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "true") == 0) {
		*out = 1;
		return (0);
	}
	if (strcasecmp(s, "no") == 0 || strcasecmp(s, "false") == 0 ||
	    *s == '\0') {
		*out = 0;
		return (0);
	}

	return (-1);
}

int
billing_account_refresh(struct http_request *req, struct app_req *ctx)
{
	struct zjob	*job;
	PGresult	*res;
	const char	*params[1];
	char		 href[160];
	int		 ret;

	(void)snprintf(href, sizeof(href), "/admin/billing_accounts/%s",
	    ctx->args[0]);

	switch (bg_wait(req, ctx)) {
	case BG_RUNNING:
		return (KORE_RESULT_RETRY);
	case BG_OVERDUE:
		if (ctx->wants_json) {
			return (render_json(req, HTTP_STATUS_GATEWAY_TIMEOUT,
			    json_pack("{s:s, s:s}", "error", "zuora_timeout",
			    "message", "Zuora did not answer in time; nothing "
			    "was changed.")));
		}
		return (edit_flash_redirect(req, "alert", "Zuora did not "
		    "answer in time, so nothing was changed. Try again "
		    "later.", href));
	case BG_DONE:
		job = bg_take(ctx);
		ret = refresh_apply(req, ctx, job);
		zjob_free(job);
		return (ret);
	}

	params[0] = ctx->args[0];
	res = db_exec(ctx, "SELECT zuora_account_id FROM billing_accounts "
	    "WHERE id = $1::bigint", 1, params);
	if (res == NULL)
		return (edit_db_error(req, ctx));
	if (PQntuples(res) == 0 ||
	    !zuora_id_valid(DB_COL(res, 0, "zuora_account_id"))) {
		PQclear(res);
		return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no such billing account."));
	}
	job = zjob_new("accounts", DB_COL(res, 0, "zuora_account_id"));
	/* Its subscriptions' sales channel, program and product too. */
	(void)snprintf(job->subs_path, sizeof(job->subs_path),
	    "/v1/subscriptions/accounts/%s", DB_COL(res, 0,
	    "zuora_account_id"));
	PQclear(res);

	zjob_start(req, ctx, job);
	return (KORE_RESULT_RETRY);
}

/* Zuora answered about the account: write what changed. */
static int
refresh_apply(struct http_request *req, struct app_req *ctx,
    struct zjob *job)
{
	char	why[ZUORA_ERRLEN + 64], href[160], msg[512], currency[4];
	int	vals[NFLAGS];

	(void)snprintf(href, sizeof(href), "/admin/billing_accounts/%s",
	    ctx->args[0]);

	if (job->result.outcome != ZUORA_OK) {
		(void)zuora_why(&job->result, why, sizeof(why));
		kore_log(LOG_WARNING, "refresh from Zuora failed: %s",
		    job->result.error);
		(void)snprintf(msg, sizeof(msg), "Refresh from Zuora failed: "
		    "%s. Nothing was changed.", why);
		return (refresh_failed(req, ctx,
		    job->result.outcome == ZUORA_NOT_FOUND ?
		    "zuora_not_found" : "zuora_unavailable", msg, href));
	}
	if (refresh_read(job, vals, currency, sizeof(currency), msg,
	    sizeof(msg)) == -1) {
		return (refresh_failed(req, ctx, "zuora_bad_answer", msg,
		    href));
	}

	return (refresh_write(req, ctx, job, vals, currency, href));
}

/* Nothing was changed: why, as JSON (502) or on the account's page. */
static int
refresh_failed(struct http_request *req, struct app_req *ctx,
    const char *error, const char *msg, const char *href)
{
	if (ctx->wants_json) {
		return (render_json(req, HTTP_STATUS_BAD_GATEWAY,
		    json_pack("{s:s, s:s}", "error", error, "message", msg)));
	}
	return (edit_flash_redirect(req, "alert", msg, href));
}

/* The flags (vals, in zuora_flags' order) and currency Zuora answered. */
static int
refresh_read(const struct zjob *job, int *vals, char *currency,
    size_t currency_len, char *msg, size_t len)
{
	json_t		*v;
	const char	*cur;
	int		 i, flag;

	for (i = 0; zuora_flags[i].column != NULL; i++) {
		v = json_object_get(json_object_get(job->result.body,
		    zuora_flags[i].section), zuora_flags[i].key);
		if (zuora_bool(v, &flag) == -1)
			break;
		vals[i] = flag;
	}
	cur = json_string_value(json_object_get(json_object_get(
	    job->result.body, "billingAndPayment"), "currency"));
	if (zuora_flags[i].column != NULL || cur == NULL || strlen(cur) != 3 ||
	    !isupper((unsigned char)cur[0]) || !isupper((unsigned char)cur[1])
	    || !isupper((unsigned char)cur[2])) {
		(void)snprintf(msg, len, "Refresh from Zuora failed: "
		    "Zuora's answer lacks %s. Nothing was changed.",
		    zuora_flags[i].column != NULL ? zuora_flags[i].label :
		    "a currency");
		return (-1);
	}
	(void)kore_strlcpy(currency, cur, currency_len);

	return (0);
}

/* Writes Zuora's values if any changed, and says which did. */
static int
refresh_write(struct http_request *req, struct app_req *ctx,
    const struct zjob *job, const int *vals, const char *currency,
    const char *href)
{
	struct write_txn	 w;
	struct kore_buf		*changed;
	PGresult		*res;
	const char		*params[NFLAGS + 2];
	char			 msg[512];
	int			 i, n, na, subs, ret;

	params[0] = ctx->args[0];
	for (i = 0; i < NFLAGS; i++)
		params[i + 1] = vals[i] ? "true" : "false";
	params[NFLAGS + 1] = currency;

	changed = kore_buf_alloc(128);
	if (record_lock(req, ctx, &w, "SELECT po_required, portal_required, "
	    "support_hold, credit_hold, auto_pay, currency FROM "
	    "billing_accounts WHERE id = $1::bigint FOR UPDATE",
	    "billing account", &res, &ret) == -1)
		goto done;

	for (i = 0, n = 0; i < NFLAGS; i++) {
		if ((strcmp(DB_COL(res, 0, zuora_flags[i].column), "t") == 0) !=
		    vals[i]) {
			kore_buf_appendf(changed, "%s%s", n++ ? ", " : "",
			    zuora_flags[i].label);
		}
	}
	if (strcmp(DB_COL(res, 0, "currency"), currency) != 0)
		kore_buf_appendf(changed, "%sCurrency", n++ ? ", " : "");
	PQclear(res);

	/* The subscriptions' eligibility columns, when Zuora listed them. */
	na = n;
	subs = job->subs.outcome == ZUORA_OK && job->subs.body != NULL ?
	    elig_refresh_subscriptions(&w, ctx->args[0], job->subs.body) : 0;
	if (subs == -1) {
		write_rollback(&w);
		ret = edit_db_error(req, ctx);
		goto done;
	}
	if (subs > 0)
		kore_buf_appendf(changed, "%s%d subscription%s", n++ ? ", " :
		    "", subs, subs == 1 ? "" : "s");

	if (n == 0) {
		write_rollback(&w);
		ret = edit_flash_redirect(req, "notice", "Refreshed from "
		    "Zuora: nothing had changed.", href);
		goto done;
	}

	if ((na > 0 && write_exec_count(&w, "UPDATE billing_accounts SET "
	    "po_required = $2, portal_required = $3, support_hold = $4, "
	    "credit_hold = $5, auto_pay = $6, currency = $7 "
	    "WHERE id = $1::bigint", NFLAGS + 2, params) != 1) ||
	    write_commit(&w) == -1) {
		write_rollback(&w);
		ret = edit_db_error(req, ctx);
		goto done;
	}

	(void)snprintf(msg, sizeof(msg), "Refreshed from Zuora: %s changed.",
	    kore_buf_stringify(changed, NULL));
	ret = edit_flash_redirect(req, "notice", msg, href);
done:
	kore_buf_free(changed);

	return (ret);
}

/* The billing account page: "Refresh from Zuora" for editors. */
void
billing_account_show_extras(struct app_req *ctx, const char *id,
    json_t *view)
{
	json_t	*panel;
	char	 href[160];

	if (edit_is_editor(ctx)) {
		(void)snprintf(href, sizeof(href),
		    "/admin/billing_accounts/%s/refresh_from_zuora", id);
		edit_action(view, "refresh_from_zuora", "Refresh from Zuora",
		    href, 1);
	}
	panel = edit_panel(view, "zuora_owned", "Owned by Zuora");
	json_object_set_new(panel, "note", json_string("PO required, portal "
	    "required, support hold, credit hold, auto-pay and currency come "
	    "from Zuora and are changed there; \xe2\x80\x9cRefresh from "
	    "Zuora\xe2\x80\x9d reads them again and records what changed in "
	    "History."));
}
