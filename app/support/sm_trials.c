/*
 * Support > Trials for SM: the Guide's "Generate a Self-Managed Legacy
 * Trial License" (Mechanizer's emergency license).
 *
 *	GET  /admin/support/sm_trials
 *		legacy trial licenses, newest first (support/lists.c)
 *	GET  /admin/support/sm_trials/new
 *		user email, user count, start and end date, plan, ticket
 *	POST /admin/support/sm_trials
 *		make it: signed (support/license.c), e-mailed to that address
 *
 * and for every license with a file, on its page (any role that reads
 * licenses):
 *
 *	GET  /admin/licenses/<id>/download	the license file
 *
 * The license is made in one transaction as admin:<email> with the
 * Zendesk ticket, together with its e-mail in the outbox: both or
 * neither.  The licensee is the customer with that email when there is
 * one (name, company), else the address itself.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/support.h"

#define SCREEN		"/admin/support/sm_trials"
#define SUBJECT \
	"[GitLab Transactions] Your GitLab Self-Managed trial license"

static const char *const plans[] = {
	"ultimate", "Ultimate",
	"premium", "Premium",
	NULL
};

static const struct form_field new_fields[] = {
	{ .name = "email", .label = "User email", .type = FORM_EMAIL,
	    .flags = FORM_REQUIRED, .max = 254,
	    .hint = "The license is e-mailed to this address." },
	{ .name = "user_count", .label = "User count", .type = FORM_INT,
	    .flags = FORM_REQUIRED | FORM_POSITIVE, .max = 16 },
	{ .name = "starts_at", .label = "Start date", .type = FORM_DATE,
	    .flags = FORM_REQUIRED, .max = 10,
	    .hint = "The license's first day." },
	{ .name = "expires_at", .label = "End date", .type = FORM_DATE,
	    .flags = FORM_REQUIRED | FORM_NOT_PAST, .max = 10,
	    .hint = "The license's last day; not before today (UTC)." },
	{ .name = "plan", .label = "Plan", .type = FORM_SELECT,
	    .flags = FORM_REQUIRED, .options = plans },
	SUPPORT_TICKET_FIELD,
	{ .name = NULL }
};

static const struct write_constraint license_rules[] = {
	{ "23514", "licenses_dates_check", "expires_at",
	    "End date can't be before the start date." },
	{ "23514", "email_address_check", "email",
	    "User email is not a valid email address." },
	{ "23514", "licenses_user_count_check", "user_count",
	    "User count must be a whole number above 0." },
	{ NULL, NULL, NULL, NULL }
};

static int	 new_render(struct http_request *, struct app_req *,
		    struct form *, int);
static char	*mail_body(const char *, const char *, const char *,
		    const char *, const char *, const char *);

static int
new_render(struct http_request *req, struct app_req *ctx, struct form *f,
    int status)
{
	if (!license_signing_ready())
		form_alert(f, "License signing is not configured "
		    "(license_private_key and license_public_key), so no "
		    "license can be made.");
	return (support_render_form(req, ctx, status, "New SM trial license",
	    SCREEN, NULL, f, SCREEN, "Save", SCREEN, NULL));
}

/* GET /admin/support/sm_trials/new */
int
support_sm_trial_new(struct http_request *req, struct app_req *ctx)
{
	struct form	 f;
	PGresult	*res;
	int		 ret;

	form_init(&f, new_fields);
	/* Defaults: a 30-day Ultimate trial from today; the query's wins. */
	if ((res = db_exec(ctx, "SELECT CURRENT_DATE::text, "
	    "(CURRENT_DATE + 30)::text", 0, NULL)) != NULL) {
		form_set(&f, "starts_at", PQgetvalue(res, 0, 0));
		form_set(&f, "expires_at", PQgetvalue(res, 0, 1));
		PQclear(res);
	}
	form_set(&f, "plan", "ultimate");
	if (param_last(&ctx->query, "email") != NULL)
		form_set(&f, "email", param_last(&ctx->query, "email"));

	ret = new_render(req, ctx, &f, HTTP_STATUS_OK);
	form_free(&f);

	return (ret);
}

/* The e-mail that carries the license (kore_free it). */
static char *
mail_body(const char *name, const char *plan, const char *users,
    const char *starts, const char *expires, const char *license)
{
	struct kore_buf	*b;
	char		*s;

	b = kore_buf_alloc(2048);
	kore_buf_appendf(b, "Hello %s,\n\n", name);
	kore_buf_appendf(b, "Here is your GitLab %s trial license for GitLab "
	    "Self-Managed: %s users, from %s until %s.\n\n",
	    strcmp(plan, "premium") == 0 ? "Premium" : "Ultimate", users,
	    starts, expires);
	kore_buf_appendf(b, "To use it, sign in to your GitLab instance as an "
	    "administrator, open the Admin Area, choose Subscription, then "
	    "\"Add license\", and upload the attached .gitlab-license file "
	    "(or paste the license key below).\n\n");
	kore_buf_appendf(b, "%s\nGitLab Transactions\n", license);
	s = kore_strdup(kore_buf_stringify(b, NULL));
	kore_buf_free(b);

	return (s);
}

/* POST /admin/support/sm_trials */
int
support_sm_trial_create(struct http_request *req, struct app_req *ctx)
{
	struct write_txn	 w;
	struct license_req	 lr;
	struct form		 f;
	PGresult		*res;
	const char		*params[1];
	char			 id[32], name[256], company[256], href[64], fname[64];
	char			 msg[400], *license, *body;
	int			 ret, code, has_company;

	form_init(&f, new_fields);
	form_read(&f, &ctx->form);
	if (form_validate(&f, ctx) > 0) {
		ret = new_render(req, ctx, &f, 422);
		form_free(&f);
		return (ret);
	}
	if (strcmp(form_value(&f, "expires_at"),
	    form_value(&f, "starts_at")) < 0) {
		form_error(&f, "expires_at", "End date can't be before the "
		    "start date.");
		ret = new_render(req, ctx, &f, 422);
		form_free(&f);
		return (ret);
	}
	if (!license_signing_ready()) {
		ret = new_render(req, ctx, &f, HTTP_STATUS_SERVICE_UNAVAILABLE);
		form_free(&f);
		return (ret);
	}

	/* The licensee: the customer with that email, if any. */
	params[0] = form_value(&f, "email");
	if ((res = db_exec(ctx, "SELECT first_name || ' ' || last_name, "
	    "company FROM customers WHERE lower(email) = lower($1) LIMIT 1",
	    1, params)) == NULL) {
		form_free(&f);
		return (edit_db_error(req, ctx));
	}
	has_company = 0;
	(void)kore_strlcpy(name, form_value(&f, "email"), sizeof(name));
	if (PQntuples(res) == 1) {
		(void)kore_strlcpy(name, PQgetvalue(res, 0, 0), sizeof(name));
		if (!PQgetisnull(res, 0, 1)) {
			(void)kore_strlcpy(company, PQgetvalue(res, 0, 1),
			    sizeof(company));
			has_company = 1;
		}
	}
	PQclear(res);

	memset(&lr, 0, sizeof(lr));
	lr.name = name;
	lr.company = has_company ? company : NULL;
	lr.email = form_value(&f, "email");
	lr.user_count = form_value(&f, "user_count");
	lr.starts_at = form_value(&f, "starts_at");
	lr.expires_at = form_value(&f, "expires_at");
	lr.plan = form_value(&f, "plan");

	license = NULL;
	if (write_begin_admin(&w, ctx,
	    form_value(&f, "zendesk_ticket")) == -1 ||
	    license_issue(&w, &lr, id, sizeof(id), &license) == -1)
		goto failed;

	body = mail_body(name, lr.plan, lr.user_count, lr.starts_at,
	    lr.expires_at, license);
	(void)snprintf(fname, sizeof(fname), LICENSE_FILENAME, id);
	ret = mail_queue_file(&w, "licenses", id, lr.email, SUBJECT, body,
	    fname, license);
	kore_free(license);
	kore_free(body);
	if (ret == -1 || write_commit(&w) == -1)
		goto failed;

	log_event("trial license issued", json_pack("{s:s, s:s, s:s, s:s}",
	    "license_id", id, "email", lr.email, "plan", lr.plan,
	    "user_count", lr.user_count));
	form_free(&f);
	(void)snprintf(href, sizeof(href), "/admin/licenses/%s", id);
	(void)snprintf(msg, sizeof(msg), "Trial license created; it is being "
	    "e-mailed to %s.", lr.email);
	return (edit_flash_redirect(req, "notice", msg, href));

failed:
	write_rollback(&w);
	code = edit_write_status(&w, license_rules, &f);
	ret = code == 422 ? new_render(req, ctx, &f, 422) :
	    edit_db_error(req, ctx);
	form_free(&f);

	return (ret);
}

/*
 * GET /admin/licenses/<id>/download: the license file, as an attachment,
 * for whoever may read the license's page.  Each download is logged.
 */
int
license_download(struct http_request *req, struct app_req *ctx)
{
	PGresult	*res;
	const char	*params[1];
	char		 disp[128];

	params[0] = ctx->args[0];
	if ((res = db_exec(ctx, "SELECT license_file FROM licenses WHERE "
	    "id = $1::bigint AND license_file IS NOT NULL", 1, params)) ==
	    NULL)
		return (edit_db_error(req, ctx));
	if (PQntuples(res) == 0) {
		PQclear(res);
		return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "This license has no license file to download."));
	}

	log_event("license downloaded", json_pack("{s:s, s:s}", "license_id",
	    ctx->args[0], "user", ctx->user));

	(void)snprintf(disp, sizeof(disp), "attachment; "
	    "filename=\"" LICENSE_FILENAME "\"", ctx->args[0]);
	http_response_header(req, "content-type", "application/octet-stream");
	http_response_header(req, "content-disposition", disp);
	http_response_header(req, "cache-control", "no-store");
	http_response_header(req, "x-content-type-options", "nosniff");
	http_response(req, HTTP_STATUS_OK, PQgetvalue(res, 0, 0),
	    (size_t)PQgetlength(res, 0, 0));
	PQclear(res);

	return (KORE_RESULT_OK);
}

/* A value of the license's attributes as the page shows it. */
static void
content_row(json_t *panel, json_t *rows, const char *field, json_t *v)
{
	char	*s;

	s = json_is_string(v) ? strdup(json_string_value(v)) :
	    json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	if (s == NULL)
		return;
	edit_panel_row(panel, json_pack("[o, o]", support_cell(field, NULL),
	    support_cell(s, NULL)));
	json_array_append_new(rows, json_pack("{s:s, s:s}", "field", field,
	    "value", s));
	free(s);
}

/*
 * "What GitLab reads": the license file decoded with the public key as a
 * GitLab instance decodes it, attribute by attribute (licensee and
 * restrictions flattened), so staff see what the customer got.
 */
static void
license_content_panel(json_t *view, const char *file)
{
	json_t		*panel, *attrs, *rows, *v, *sub;
	const char	*key, *skey;
	char		 err[160], name[96];
	int		 old;

	panel = edit_panel(view, "license_file", "What GitLab reads");
	json_object_set_new(panel, "columns", json_pack("[s, s]", "Attribute",
	    "Value"));
	rows = json_array();
	attrs = license_read(file, &old, err, sizeof(err));
	if (attrs != NULL) {
		json_object_foreach(attrs, key, v) {
			if (!json_is_object(v)) {
				content_row(panel, rows, key, v);
				continue;
			}
			json_object_foreach(v, skey, sub) {
				(void)snprintf(name, sizeof(name), "%s.%s",
				    key, skey);
				content_row(panel, rows, name, sub);
			}
		}
	}
	if (old) {
		json_object_set_new(panel, "note", json_string(attrs != NULL ?
		    "Made in this panel's former format (signed JSON), which "
		    "GitLab cannot import; its signature verifies. Issue a "
		    "new license for the customer: new licenses are in "
		    "GitLab's format." : "Made in this panel's former format, "
		    "which GitLab cannot import, and its signature does not "
		    "verify."));
	} else if (attrs != NULL) {
		json_object_set_new(panel, "note", json_string("The license "
		    "file decoded with the public key (license_public_key), "
		    "as a GitLab instance imports it (GitLab's license format: "
		    "AES-128-CBC data, RSA-encrypted key)."));
	} else {
		json_object_set_new(panel, "note", json_sprintf("The license "
		    "file cannot be read with the public key: %s.", err));
	}
	json_object_set_new(view, "license_content", json_pack("{s:s, s:o, "
	    "s:O?}", "format", old ? "former" : attrs != NULL ? "gitlab" :
	    "unreadable", "rows", rows, "attributes", attrs));
	json_decref(attrs);
}

/*
 * A license's page: the download for a license with a file, what GitLab
 * reads in it, and the e-mails that carried it.
 */
void
license_show_extras(struct app_req *ctx, const char *id, json_t *view)
{
	PGresult	*res;
	json_t		*panel, *rows, *r;
	const char	*params[1];
	char		 href[96];
	size_t		 i;

	params[0] = id;
	if ((res = db_exec(ctx, "SELECT license_file FROM licenses WHERE "
	    "id = $1::bigint AND license_file IS NOT NULL", 1,
	    params)) == NULL)
		return;
	if (PQntuples(res) == 1) {
		(void)snprintf(href, sizeof(href),
		    "/admin/licenses/%s/download", id);
		edit_action(view, "download", "Download license file", href,
		    0);
		json_object_set_new(view, "download_href", json_string(href));
		license_content_panel(view, PQgetvalue(res, 0, 0));
	}
	PQclear(res);

	/* E-mails about this license (or the extension it was made for). */
	panel = edit_panel(view, "emails", "E-mails");
	json_object_set_new(panel, "columns", json_pack("[s, s, s, s, s, s]",
	    "Queued at (UTC)", "To", "Status", "Attempts", "Sent at (UTC)",
	    "Last error"));
	rows = json_array();
	res = db_exec(ctx, "SELECT to_char(o.created_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD HH24:MI:SS'), o.payload->>'to', o.status, "
	    "o.attempts::text, to_char(o.sent_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD HH24:MI:SS'), o.last_error FROM outbox o "
	    "WHERE o.kind = 'email' AND ((o.record_type = 'licenses' AND "
	    "o.record_id = $1::bigint) OR (o.record_type = "
	    "'temporary_extensions' AND o.record_id IN (SELECT e.id FROM "
	    "temporary_extensions e WHERE e.license_id = $1::bigint))) "
	    "ORDER BY o.id DESC LIMIT 10", 1, params);
	if (res != NULL) {
		for (i = 0; i < (size_t)PQntuples(res); i++) {
			r = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?}",
			    "queued_at", PQgetvalue(res, i, 0),
			    "to", PQgetvalue(res, i, 1),
			    "status", PQgetvalue(res, i, 2),
			    "attempts", PQgetvalue(res, i, 3),
			    "sent_at", PQgetisnull(res, i, 4) ? NULL :
			    PQgetvalue(res, i, 4),
			    "last_error", PQgetisnull(res, i, 5) ? NULL :
			    PQgetvalue(res, i, 5));
			json_array_append_new(rows, r);
			edit_panel_row(panel, json_pack("[o, o, o, o, o, o]",
			    support_cell(PQgetvalue(res, i, 0), NULL),
			    support_cell(PQgetvalue(res, i, 1), NULL),
			    support_cell(PQgetvalue(res, i, 2), NULL),
			    support_cell(PQgetvalue(res, i, 3), NULL),
			    support_cell(PQgetisnull(res, i, 4) ? NULL :
			    PQgetvalue(res, i, 4), NULL),
			    support_cell(PQgetisnull(res, i, 5) ? NULL :
			    PQgetvalue(res, i, 5), NULL)));
		}
		PQclear(res);
	}
	json_object_set_new(view, "emails", rows);
	json_object_set_new(panel, "note", json_string(json_array_size(rows) ?
	    "E-mails are sent in the background (SMTP) and retried while the "
	    "mail relay is unavailable." : "No e-mail was sent about this "
	    "license from the panel."));
}
