/*
 * Reads from Zuora that a person waits for:
 *
 *	POST /admin/billing_accounts/<id>/refresh_from_zuora
 *		GET /v1/accounts/{zuora_account_id}; the fields Zuora owns
 *		(PO required, portal required, support hold, credit hold,
 *		auto-pay, currency) are written if they changed, and history
 *		records what changed
 *	POST /admin/billing_account_contacts	("Add new")
 *		GET /v1/contacts/{zuora_contact_id}; the contact is created
 *		here, attached to its billing account when we have it
 *
 * The call runs in a Kore task (http/bg.c), bounded by zuora_http_timeout, so
 * a slow Zuora holds up only the person who asked.  If Zuora cannot be
 * reached nothing changes and they are told so.
 *
 * What is read (Zuora's REST API, "Retrieve an account" / "Retrieve a
 * contact"):
 *	account: basicInfo.{PORequired__c, PortalRequired__c, SupportHold__c,
 *		 CreditHold__c} (true/false or "Yes"/"No"),
 *		 billingAndPayment.{autoPay, currency}
 *	contact: accountId, firstName, lastName, workEmail, address1,
 *		 address2, city, state, zipCode, country (name or ISO code)
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/edit.h"
#include "clients/zuora.h"

/* Work for the task thread: plain memory only. */
struct zjob {
	char			 path[128];
	struct zuora_session	 session;
	struct zuora_result	 result;
};

struct zflag {
	const char	*column;
	const char	*label;
	const char	*section;
	const char	*key;
};

/* The fields Zuora owns, where they are in its answer. */
static const struct zflag zuora_flags[] = {
	{ "po_required", "PO required", "basicInfo", "PORequired__c" },
	{ "portal_required", "Portal required", "basicInfo",
	    "PortalRequired__c" },
	{ "support_hold", "Support hold", "basicInfo", "SupportHold__c" },
	{ "credit_hold", "Credit hold", "basicInfo", "CreditHold__c" },
	{ "auto_pay", "Auto-pay", "billingAndPayment", "autoPay" },
	{ NULL, NULL, NULL, NULL }
};

#define NFLAGS		5

/*
 * The task's bound: the Zuora exchanges it may make, each allowed twice
 * zuora_http_timeout.
 */
#define ZJOB_CALLS	2
#define ZJOB_BOUND_MS	((u_int64_t)ZJOB_CALLS * 2 * \
			    (u_int64_t)app_cfg.zuora_http_timeout * 1000)

static void	 zjob_run(void *);
static void	 zjob_free(void *);
static struct zjob *zjob_new(const char *, const char *);
static int	 zuora_bool(json_t *, int *);
static const char *zuora_why(const struct zuora_result *, char *, size_t);
static int	 refresh_apply(struct http_request *, struct app_req *,
		    struct zjob *);
static int	 import_finish(struct http_request *, struct app_req *,
		    struct zjob *);
static int	 import_form(struct http_request *, struct app_req *,
		    struct form *, int);

/* In the task thread: one call to Zuora. */
static void
zjob_run(void *arg)
{
	struct zjob		*job = arg;
	struct zuora_cfg	 cfg;

	cfg.base_url = app_cfg.zuora_base_url;
	cfg.client_id = app_cfg.zuora_client_id;
	cfg.client_secret = app_cfg.zuora_client_secret;
	cfg.timeout = app_cfg.zuora_http_timeout;
	(void)zuora_call(&cfg, &job->session, "GET", job->path, NULL,
	    &job->result);
}

static void
zjob_free(void *arg)
{
	struct zjob	*job = arg;

	zuora_result_clear(&job->result);
	explicit_bzero(&job->session, sizeof(job->session));
	free(job);
}

static struct zjob *
zjob_new(const char *what, const char *id)
{
	struct zjob	*job;

	if ((job = calloc(1, sizeof(*job))) == NULL)
		fatalx("zuora job: out of memory");
	(void)snprintf(job->path, sizeof(job->path), "/v1/%s/%s", what, id);

	return (job);
}

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

/* What a person is told; the details go to the log. */
static const char *
zuora_why(const struct zuora_result *r, char *buf, size_t len)
{
	switch (r->outcome) {
	case ZUORA_NOT_FOUND:
		(void)snprintf(buf, len, "Zuora has no such record");
		break;
	case ZUORA_REFUSED:
		if (r->status != 0)
			(void)snprintf(buf, len, "Zuora refused the request "
			    "(HTTP %ld)", r->status);
		else
			(void)snprintf(buf, len, "Zuora refused the request");
		break;
	case ZUORA_BAD_ANSWER:
		(void)snprintf(buf, len, "Zuora's answer could not be read");
		break;
	default:
		(void)snprintf(buf, len, "Zuora could not be reached");
		break;
	}

	return (buf);
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
	if (PQntuples(res) == 0 || !zuora_id_valid(PQgetvalue(res, 0, 0))) {
		PQclear(res);
		return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no such billing account."));
	}
	job = zjob_new("accounts", PQgetvalue(res, 0, 0));
	PQclear(res);

	bg_start(req, ctx, zjob_run, job, zjob_free, ZJOB_BOUND_MS);
	return (KORE_RESULT_RETRY);
}

/* Zuora answered about the account: write what changed. */
static int
refresh_apply(struct http_request *req, struct app_req *ctx,
    struct zjob *job)
{
	struct write_txn	 w;
	struct kore_buf		*changed;
	PGresult		*res;
	const char		*params[NFLAGS + 2], *cur;
	char			 why[ZUORA_ERRLEN + 64], href[160], msg[512];
	char			 currency[4];
	json_t			*v;
	int			 i, flag, vals[NFLAGS], n;

	(void)snprintf(href, sizeof(href), "/admin/billing_accounts/%s",
	    ctx->args[0]);

	if (job->result.outcome != ZUORA_OK) {
		(void)zuora_why(&job->result, why, sizeof(why));
		kore_log(LOG_WARNING, "refresh from Zuora failed: %s",
		    job->result.error);
		(void)snprintf(msg, sizeof(msg), "Refresh from Zuora failed: "
		    "%s. Nothing was changed.", why);
		if (ctx->wants_json) {
			return (render_json(req, HTTP_STATUS_BAD_GATEWAY,
			    json_pack("{s:s, s:s}", "error",
			    job->result.outcome == ZUORA_NOT_FOUND ?
			    "zuora_not_found" : "zuora_unavailable",
			    "message", msg)));
		}
		return (edit_flash_redirect(req, "alert", msg, href));
	}

	for (i = 0; zuora_flags[i].column != NULL; i++) {
		v = json_object_get(json_object_get(job->result.body,
		    zuora_flags[i].section), zuora_flags[i].key);
		if (zuora_bool(v, &flag) == -1)
			break;
		vals[i] = flag;
		params[i + 1] = flag ? "true" : "false";
	}
	cur = json_string_value(json_object_get(json_object_get(
	    job->result.body, "billingAndPayment"), "currency"));
	if (zuora_flags[i].column != NULL || cur == NULL || strlen(cur) != 3 ||
	    !isupper((unsigned char)cur[0]) || !isupper((unsigned char)cur[1])
	    || !isupper((unsigned char)cur[2])) {
		(void)snprintf(msg, sizeof(msg), "Refresh from Zuora failed: "
		    "Zuora's answer lacks %s. Nothing was changed.",
		    zuora_flags[i].column != NULL ? zuora_flags[i].label :
		    "a currency");
		if (ctx->wants_json) {
			return (render_json(req, HTTP_STATUS_BAD_GATEWAY,
			    json_pack("{s:s, s:s}", "error", "zuora_bad_answer",
			    "message", msg)));
		}
		return (edit_flash_redirect(req, "alert", msg, href));
	}
	(void)kore_strlcpy(currency, cur, sizeof(currency));
	params[0] = ctx->args[0];
	params[NFLAGS + 1] = currency;

	if (write_begin_admin(&w, ctx, NULL) == -1 ||
	    (res = write_exec(&w, "SELECT po_required, portal_required, "
	    "support_hold, credit_hold, auto_pay, currency FROM "
	    "billing_accounts WHERE id = $1::bigint FOR UPDATE", 1,
	    params)) == NULL) {
		write_rollback(&w);
		return (edit_db_error(req, ctx));
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		write_rollback(&w);
		return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no such billing account."));
	}

	changed = kore_buf_alloc(128);
	for (i = 0, n = 0; i < NFLAGS; i++) {
		if ((strcmp(PQgetvalue(res, 0, i), "t") == 0) != vals[i]) {
			kore_buf_appendf(changed, "%s%s", n++ ? ", " : "",
			    zuora_flags[i].label);
		}
	}
	if (strcmp(PQgetvalue(res, 0, NFLAGS), currency) != 0)
		kore_buf_appendf(changed, "%sCurrency", n++ ? ", " : "");
	PQclear(res);

	if (n == 0) {
		write_rollback(&w);
		kore_buf_free(changed);
		return (edit_flash_redirect(req, "notice", "Refreshed from "
		    "Zuora: nothing had changed.", href));
	}

	if (write_exec_count(&w, "UPDATE billing_accounts SET "
	    "po_required = $2, portal_required = $3, support_hold = $4, "
	    "credit_hold = $5, auto_pay = $6, currency = $7 "
	    "WHERE id = $1::bigint", NFLAGS + 2, params) != 1 ||
	    write_commit(&w) == -1) {
		write_rollback(&w);
		kore_buf_free(changed);
		return (edit_db_error(req, ctx));
	}

	(void)snprintf(msg, sizeof(msg), "Refreshed from Zuora: %s changed.",
	    kore_buf_stringify(changed, NULL));
	kore_buf_free(changed);

	return (edit_flash_redirect(req, "notice", msg, href));
}

static int
import_form(struct http_request *req, struct app_req *ctx, struct form *f,
    int status)
{
	const struct resource	*res;

	res = resource_find("billing_account_contacts");
	return (edit_render_form(req, ctx, res, NULL, f, status,
	    "New Billing account contact", "/admin/billing_account_contacts",
	    "Import from Zuora"));
}

/* POST /admin/billing_account_contacts: import one contact by its id. */
int
contact_import(struct http_request *req, struct app_req *ctx)
{
	const struct edit_resource	*er;
	struct form			 f;
	struct zjob			*job;
	PGresult			*res;
	const char			*params[1];
	char				 msg[256];
	int				 ret, state;

	er = edit_find("billing_account_contacts");
	form_init(&f, er->create_fields);
	form_read(&f, &ctx->form);

	state = bg_wait(req, ctx);
	if (state == BG_RUNNING) {
		form_free(&f);
		return (KORE_RESULT_RETRY);
	}
	if (state == BG_OVERDUE) {
		form_alert(&f, "Zuora did not answer in time, so nothing was "
		    "imported. Try again later.");
		ret = import_form(req, ctx, &f, HTTP_STATUS_GATEWAY_TIMEOUT);
		form_free(&f);
		return (ret);
	}
	if (state == BG_DONE) {
		form_free(&f);
		job = bg_take(ctx);
		ret = import_finish(req, ctx, job);
		zjob_free(job);
		return (ret);
	}

	if (form_validate(&f, ctx) > 0) {
		ret = import_form(req, ctx, &f, 422);
		form_free(&f);
		return (ret);
	}

	params[0] = form_value(&f, "zuora_contact_id");
	if ((res = db_exec(ctx, "SELECT id FROM billing_account_contacts "
	    "WHERE zuora_contact_id = $1", 1, params)) == NULL) {
		form_free(&f);
		return (edit_db_error(req, ctx));
	}
	if (PQntuples(res) > 0) {
		(void)snprintf(msg, sizeof(msg), "This Zuora contact was "
		    "already imported: it is billing account contact #%s.",
		    PQgetvalue(res, 0, 0));
		PQclear(res);
		form_error(&f, "zuora_contact_id", msg);
		ret = import_form(req, ctx, &f, 422);
		form_free(&f);
		return (ret);
	}
	PQclear(res);

	job = zjob_new("contacts", form_value(&f, "zuora_contact_id"));
	form_free(&f);
	bg_start(req, ctx, zjob_run, job, zjob_free, ZJOB_BOUND_MS);

	return (KORE_RESULT_RETRY);
}

/* Zuora answered about the contact: check it like a form, then insert. */
static int
import_finish(struct http_request *req, struct app_req *ctx,
    struct zjob *job)
{
	static const struct {
		const char	*field;
		const char	*zuora;
	} map[] = {
		{ "first_name", "firstName" }, { "last_name", "lastName" },
		{ "work_email", "workEmail" }, { "address1", "address1" },
		{ "address2", "address2" }, { "country", "country" },
		{ "state", "state" }, { "city", "city" },
		{ "postal_code", "zipCode" }, { NULL, NULL }
	};
	const struct edit_resource	*er;
	struct write_txn		 w;
	struct form			 f, c;
	PGresult			*res;
	const char			*params[11], *acct, *zid;
	char				 why[ZUORA_ERRLEN + 64], msg[512];
	char				 href[160], account[32];
	int				 i, k, status, ret;

	er = edit_find("billing_account_contacts");
	form_init(&f, er->create_fields);
	form_read(&f, &ctx->form);
	(void)form_validate(&f, ctx);
	zid = form_value(&f, "zuora_contact_id");

	if (job->result.outcome == ZUORA_NOT_FOUND) {
		form_error(&f, "zuora_contact_id", "Zuora has no contact with "
		    "this ID.");
		ret = import_form(req, ctx, &f, 422);
		form_free(&f);
		return (ret);
	}
	if (job->result.outcome != ZUORA_OK || zid == NULL) {
		kore_log(LOG_WARNING, "contact import from Zuora failed: %s",
		    job->result.error);
		(void)snprintf(msg, sizeof(msg), "%s, so nothing was imported. "
		    "Try again later.", zuora_why(&job->result, why,
		    sizeof(why)));
		form_alert(&f, msg);
		ret = import_form(req, ctx, &f, HTTP_STATUS_BAD_GATEWAY);
		form_free(&f);
		return (ret);
	}

	/* Zuora's values go through the contact form's own checks. */
	form_init(&c, contact_form_fields);
	for (i = 0; map[i].field != NULL; i++) {
		form_set(&c, map[i].field, json_string_value(json_object_get(
		    job->result.body, map[i].zuora)));
	}
	if (form_validate(&c, ctx) > 0) {
		for (k = 0; k < c.n && c.error[k] == NULL; k++)
			;
		(void)snprintf(msg, sizeof(msg), "Zuora's contact cannot be "
		    "imported as it is: %s Fix it in Zuora, then import it "
		    "again.", k < c.n ? c.error[k] : (c.alert ? c.alert : ""));
		form_alert(&f, msg);
		ret = import_form(req, ctx, &f, 422);
		form_free(&f);
		form_free(&c);
		return (ret);
	}

	/* Attached to its billing account when that account is here. */
	account[0] = '\0';
	acct = json_string_value(json_object_get(job->result.body,
	    "accountId"));
	if (acct != NULL && zuora_id_valid(acct)) {
		params[0] = acct;
		if ((res = db_exec(ctx, "SELECT id FROM billing_accounts "
		    "WHERE zuora_account_id = $1", 1, params)) != NULL) {
			if (PQntuples(res) == 1)
				(void)kore_strlcpy(account,
				    PQgetvalue(res, 0, 0), sizeof(account));
			PQclear(res);
		}
	}

	params[0] = zid;
	params[1] = account[0] != '\0' ? account : NULL;
	for (i = 0; i < c.n; i++)
		params[i + 2] = c.value[i];

	res = NULL;
	if (write_begin_admin(&w, ctx, NULL) == 0 &&
	    (res = write_exec(&w, "INSERT INTO billing_account_contacts "
	    "(zuora_contact_id, billing_account_id, first_name, last_name, "
	    "work_email, address1, address2, country, state, city, "
	    "postal_code) VALUES ($1, $2::bigint, $3, $4, $5, $6, $7, $8, $9, "
	    "$10, $11) RETURNING id", 11, params)) != NULL) {
		(void)snprintf(href, sizeof(href),
		    "/admin/billing_account_contacts/%s",
		    PQgetvalue(res, 0, 0));
		PQclear(res);
		if (write_commit(&w) == -1)
			res = NULL;
	}
	form_free(&c);

	if (res == NULL) {
		write_rollback(&w);
		status = edit_write_status(&w, er->constraints, &f);
		ret = status == 422 ? import_form(req, ctx, &f, 422) :
		    edit_db_error(req, ctx);
		form_free(&f);
		return (ret);
	}
	form_free(&f);

	return (edit_flash_redirect(req, "notice", er->created, href));
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
