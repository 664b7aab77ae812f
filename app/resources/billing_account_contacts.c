/*
 * Billing account contacts: the Bill_To and Sold_To contacts of billing
 * accounts, as Zuora has them.  An edit is queued for sync to Zuora
 * (contact_after_update, resources/customers.c); a new one is imported
 * from Zuora by its ID:
 *
 *	POST /admin/billing_account_contacts	("Import from Zuora")
 *		GET /v1/contacts/{zuora_contact_id} (resources/zuora_job.c);
 *		the contact is created here, attached to its billing account
 *		when we have it
 *
 * What is read (Zuora's REST API, "Retrieve a contact"): accountId,
 * firstName, lastName, workEmail, address1, address2, city, state,
 * zipCode, country (name or ISO code).
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "resources/resources.h"

/* Listed and edited: the name and label of each, once. */
#define FIRST_NAME		first_name, "First name"
#define LAST_NAME		last_name, "Last name"
#define WORK_EMAIL		work_email, "Work email"
#define ZUORA_CONTACT_ID	zuora_contact_id, "Zuora contact ID"
#define ADDRESS1		address1, "Address 1"
#define ADDRESS2		address2, "Address 2"
#define CITY			city, "City"
#define STATE			state, "State"
#define POSTAL_CODE		postal_code, "Postal code"
#define COUNTRY			country, "Country"

static const struct field fields[] = {
	ID,
	TEXT(FIRST_NAME, F_COL | F_SEARCH),
	TEXT(LAST_NAME, F_COL | F_SEARCH),
	TEXT(WORK_EMAIL, F_COL | F_SEARCH),
	TEXT(ZUORA_CONTACT_ID, F_SHOW | F_FILTER | F_SEARCH),
	BELONGS_TO(billing_account, "Billing account",
	    "b.zuora_account_name || ' (' || b.zuora_account_id || ')'",
	    F_LIST | F_SHOW, billing_accounts, billing_account_id,
	    "Billing account ID"),
	TEXT(ADDRESS1, F_SHOW),
	TEXT(ADDRESS2, F_SHOW),
	TEXT(CITY, F_SHOW | F_FILTER),
	TEXT(STATE, F_SHOW | F_FILTER),
	TEXT(POSTAL_CODE, F_SHOW | F_FILTER),
	TEXT(COUNTRY, F_COL),
	CREATED,
	UPDATED,
	END_FIELDS
};

const struct resource billing_account_contacts_resource = {
	RESOURCE(billing_account_contacts, "Billing account contacts",
	    "Billing account contact"),
	.search_expr = "t.search_text",
	.bigram_expr = "t.search_bigrams",
	.from = "billing_account_contacts t "
	    "LEFT JOIN billing_accounts b ON b.id = t.billing_account_id",
	.title_expr = "t.first_name || ' ' || t.last_name",
	NEWEST_FIRST(id),
	.fields = fields,
};

/* The edit form: the Guide's list, in its order. */
const struct form_field contact_form_fields[] = {
	INPUT(FIRST_NAME, FORM_TEXT, .flags = FORM_REQUIRED, .max = 100),
	INPUT(LAST_NAME, FORM_TEXT, .flags = FORM_REQUIRED, .max = 100),
	INPUT(WORK_EMAIL, FORM_EMAIL, .flags = FORM_REQUIRED, .max = 254),
	INPUT(ADDRESS1, FORM_TEXT, .max = 255),
	INPUT(ADDRESS2, FORM_TEXT, .max = 255),
	INPUT(COUNTRY, FORM_COUNTRY, .flags = FORM_REQUIRED, .max = 100),
	INPUT(STATE, FORM_STATE, .max = 100,
	    .hint = "For the United States and Canada, a state or province "
	    "(name or code, e.g. California or CA); free text elsewhere."),
	INPUT(CITY, FORM_TEXT, .max = 100),
	INPUT(POSTAL_CODE, FORM_TEXT, .max = 20),
	END_INPUTS
};

static const struct form_field create_fields[] = {
	INPUT(ZUORA_CONTACT_ID, FORM_ZUORA_ID, .flags = FORM_REQUIRED,
	    .max = 32,
	    .hint = "32 hexadecimal characters, as Zuora shows it. The "
	    "contact is imported from Zuora with all its details."),
	END_INPUTS
};

static const struct write_constraint rules[] = {
	UNIQUE("billing_account_contacts_zuora_contact_id_key",
	    "zuora_contact_id", "This Zuora contact was already imported."),
	CHECK("email_address_check", "work_email",
	    "Work email is not a valid email address."),
	FOREIGN_KEY("billing_account_contacts_country_fkey", "country",
	    "Country is not a known country."),
	CHECK("billing_account_contacts_first_name_check", "first_name",
	    "First name can't be blank (at most 100 characters)."),
	CHECK("billing_account_contacts_last_name_check", "last_name",
	    "Last name can't be blank (at most 100 characters)."),
	CHECK("billing_account_contacts_postal_code_check", "postal_code",
	    "Postal code is too long (at most 20 characters)."),
	END_RULES
};

const struct edit_resource billing_account_contacts_edit = {
	.name = "billing_account_contacts",
	.table = "billing_account_contacts",
	.fields = contact_form_fields,
	.create_fields = create_fields,
	.create = contact_import,
	.new_label = "Import from Zuora",
	.new_hint = "A contact that exists in Zuora but not here is imported "
	    "by its Zuora contact ID, with everything Zuora has on it.",
	.constraints = rules,
	.after_update = contact_after_update,
	.show_extras = contact_show_extras,
	.created = "Billing account contact imported from Zuora",
	.updated = "Billing account contact successfully updated",
};

/* Where each field of the edit form is in Zuora's contact. */
static const struct {
	const char	*field;
	const char	*zuora;
} zuora_keys[] = {
	{ "first_name", "firstName" }, { "last_name", "lastName" },
	{ "work_email", "workEmail" }, { "address1", "address1" },
	{ "address2", "address2" }, { "country", "country" },
	{ "state", "state" }, { "city", "city" },
	{ "postal_code", "zipCode" }, { NULL, NULL }
};

static int	 import_form(struct http_request *, struct app_req *,
		    struct form *, int);
static int	 import_finish(struct http_request *, struct app_req *,
		    struct zjob *);
static int	 import_values(struct app_req *, const struct zjob *,
		    struct form *, struct form *);
static void	 import_account(struct app_req *, const struct zjob *, char *,
		    size_t);
static int	 import_insert(struct http_request *, struct app_req *,
		    struct form *, const struct form *, const struct zjob *);

void
contact_show_extras(struct app_req *ctx, const char *id, json_t *view)
{
	outbox_panel(ctx, view, "billing_account_contacts", id);
}

static int
import_form(struct http_request *req, struct app_req *ctx, struct form *f,
    int status)
{
	return (edit_render_form(req, ctx, &billing_account_contacts_resource,
	    NULL, f, status, "New Billing account contact",
	    "/admin/billing_account_contacts", "Import from Zuora"));
}

/* POST /admin/billing_account_contacts: import one contact by its id. */
int
contact_import(struct http_request *req, struct app_req *ctx)
{
	struct form	 f;
	struct zjob	*job;
	PGresult	*res;
	const char	*params[1];
	char		 msg[256];
	int		 ret, state;

	form_init(&f, create_fields);
	form_read(&f, &ctx->form);

	state = bg_wait(req, ctx);
	if (state == BG_RUNNING) {
		ret = KORE_RESULT_RETRY;
		goto done;
	}
	if (state == BG_OVERDUE) {
		form_alert(&f, "Zuora did not answer in time, so nothing was "
		    "imported. Try again later.");
		ret = import_form(req, ctx, &f, HTTP_STATUS_GATEWAY_TIMEOUT);
		goto done;
	}
	if (state == BG_DONE) {
		job = bg_take(ctx);
		ret = import_finish(req, ctx, job);
		zjob_free(job);
		goto done;
	}

	if (form_validate(&f, ctx) > 0) {
		ret = import_form(req, ctx, &f, 422);
		goto done;
	}

	params[0] = form_value(&f, "zuora_contact_id");
	if ((res = db_exec(ctx, "SELECT id FROM billing_account_contacts "
	    "WHERE zuora_contact_id = $1", 1, params)) == NULL) {
		ret = edit_db_error(req, ctx);
		goto done;
	}
	if (PQntuples(res) > 0) {
		(void)snprintf(msg, sizeof(msg), "This Zuora contact was "
		    "already imported: it is billing account contact #%s.",
		    DB_COL(res, 0, "id"));
		PQclear(res);
		form_error(&f, "zuora_contact_id", msg);
		ret = import_form(req, ctx, &f, 422);
		goto done;
	}
	PQclear(res);

	job = zjob_new("contacts", form_value(&f, "zuora_contact_id"));
	zjob_start(req, ctx, job);
	ret = KORE_RESULT_RETRY;
done:
	form_free(&f);

	return (ret);
}

/* Zuora answered about the contact: check it like a form, then insert. */
static int
import_finish(struct http_request *req, struct app_req *ctx,
    struct zjob *job)
{
	struct form	 f, c;
	char		 why[ZUORA_ERRLEN + 64], msg[512];
	int		 ret;

	form_init(&f, create_fields);
	form_read(&f, &ctx->form);
	(void)form_validate(&f, ctx);
	form_init(&c, contact_form_fields);

	if (job->result.outcome == ZUORA_NOT_FOUND) {
		form_error(&f, "zuora_contact_id", "Zuora has no contact with "
		    "this ID.");
		ret = import_form(req, ctx, &f, 422);
	} else if (job->result.outcome != ZUORA_OK ||
	    form_value(&f, "zuora_contact_id") == NULL) {
		kore_log(LOG_WARNING, "contact import from Zuora failed: %s",
		    job->result.error);
		(void)snprintf(msg, sizeof(msg), "%s, so nothing was imported. "
		    "Try again later.", zuora_why(&job->result, why,
		    sizeof(why)));
		form_alert(&f, msg);
		ret = import_form(req, ctx, &f, HTTP_STATUS_BAD_GATEWAY);
	} else if (import_values(ctx, job, &c, &f) == -1)
		ret = import_form(req, ctx, &f, 422);
	else
		ret = import_insert(req, ctx, &f, &c, job);

	form_free(&f);
	form_free(&c);

	return (ret);
}

/*
 * Zuora's values go through the contact form's own checks (into c); -1
 * with the reason on the import form f when they fail them.
 */
static int
import_values(struct app_req *ctx, const struct zjob *job, struct form *c,
    struct form *f)
{
	char	msg[512];
	int	i, k;

	for (i = 0; zuora_keys[i].field != NULL; i++) {
		form_set(c, zuora_keys[i].field, json_string_value(
		    json_object_get(job->result.body, zuora_keys[i].zuora)));
	}
	if (form_validate(c, ctx) == 0)
		return (0);

	for (k = 0; k < c->n && c->error[k] == NULL; k++)
		;
	(void)snprintf(msg, sizeof(msg), "Zuora's contact cannot be "
	    "imported as it is: %s Fix it in Zuora, then import it again.",
	    k < c->n ? c->error[k] : (c->alert ? c->alert : ""));
	form_alert(f, msg);

	return (-1);
}

/* The contact's billing account here, or "" when we do not have it. */
static void
import_account(struct app_req *ctx, const struct zjob *job, char *account,
    size_t len)
{
	PGresult	*res;
	const char	*params[1];

	account[0] = '\0';
	params[0] = json_string_value(json_object_get(job->result.body,
	    "accountId"));
	if (params[0] == NULL || !zuora_id_valid(params[0]))
		return;
	if ((res = db_exec(ctx, "SELECT id FROM billing_accounts "
	    "WHERE zuora_account_id = $1", 1, params)) == NULL)
		return;
	if (PQntuples(res) == 1)
		(void)kore_strlcpy(account, DB_COL(res, 0, "id"), len);
	PQclear(res);
}

/* The checked contact c, imported by the form f. */
static int
import_insert(struct http_request *req, struct app_req *ctx, struct form *f,
    const struct form *c, const struct zjob *job)
{
	struct write_txn	 w;
	PGresult		*res;
	const char		*params[11];
	char			 href[160], account[32];
	int			 i, ok;

	/* Attached to its billing account when that account is here. */
	import_account(ctx, job, account, sizeof(account));
	params[0] = form_value(f, "zuora_contact_id");
	params[1] = account[0] != '\0' ? account : NULL;
	for (i = 0; i < c->n; i++)
		params[i + 2] = c->value[i];

	ok = 0;
	if (write_begin_admin(&w, ctx, NULL) == 0 &&
	    (res = write_exec(&w, "INSERT INTO billing_account_contacts "
	    "(zuora_contact_id, billing_account_id, first_name, last_name, "
	    "work_email, address1, address2, country, state, city, "
	    "postal_code) VALUES ($1, $2::bigint, $3, $4, $5, $6, $7, $8, $9, "
	    "$10, $11) RETURNING id", 11, params)) != NULL) {
		(void)snprintf(href, sizeof(href),
		    "/admin/billing_account_contacts/%s", DB_COL(res, 0, "id"));
		PQclear(res);
		ok = write_commit(&w) == 0;
	}
	if (ok) {
		return (edit_flash_redirect(req, "notice",
		    billing_account_contacts_edit.created, href));
	}

	write_rollback(&w);
	if (edit_write_status(&w, rules, f) == 422)
		return (import_form(req, ctx, f, 422));
	return (edit_db_error(req, ctx));
}
