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
	if ((res = db_exec(ctx, "SELECT CURRENT_DATE::text AS starts_at, "
	    "(CURRENT_DATE + 30)::text AS expires_at", 0, NULL)) != NULL) {
		form_set(&f, "starts_at", DB_COL(res, 0, "starts_at"));
		form_set(&f, "expires_at", DB_COL(res, 0, "expires_at"));
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

/* The licensee: the customer with that email, if any. */
struct licensee {
	char		 name[256];
	char		 company[256];
	int		 has_company;
};

/*
 * The form checked before anything is written: 0 to go on, or 1 when it
 * was answered (*ret): the form again with its messages (422), or
 * signing not configured (503).
 */
static int
new_form_check(struct http_request *req, struct app_req *ctx,
    struct form *f, int *ret)
{
	int	status;

	status = 0;
	if (form_validate(f, ctx) > 0) {
		status = 422;
	} else if (strcmp(form_value(f, "expires_at"),
	    form_value(f, "starts_at")) < 0) {
		form_error(f, "expires_at", "End date can't be before the "
		    "start date.");
		status = 422;
	} else if (!license_signing_ready()) {
		status = HTTP_STATUS_SERVICE_UNAVAILABLE;
	}
	if (status == 0)
		return (0);

	*ret = new_render(req, ctx, f, status);
	return (1);
}

/* Who the license is for: the customer with that email, or the email. */
static int
licensee_read(struct app_req *ctx, const char *email, struct licensee *who)
{
	PGresult	*res;
	const char	*params[1];

	params[0] = email;
	if ((res = db_exec(ctx, "SELECT first_name || ' ' || last_name AS "
	    "name, company FROM customers WHERE lower(email) = lower($1) "
	    "LIMIT 1", 1, params)) == NULL)
		return (-1);

	memset(who, 0, sizeof(*who));
	(void)kore_strlcpy(who->name, email, sizeof(who->name));
	if (PQntuples(res) == 1) {
		(void)kore_strlcpy(who->name, DB_COL(res, 0, "name"),
		    sizeof(who->name));
		if (!DB_NULL(res, 0, "company")) {
			(void)kore_strlcpy(who->company,
			    DB_COL(res, 0, "company"), sizeof(who->company));
			who->has_company = 1;
		}
	}
	PQclear(res);

	return (0);
}

/*
 * In w: the license, signed, and its e-mail with the file attached.
 * Returns 0 with the license's id in id, or -1.
 */
static int
license_write(struct write_txn *w, const struct license_req *lr,
    char *id, size_t idlen)
{
	char	*license, *body, fname[64];
	int	 rc;

	license = NULL;
	if (license_issue(w, lr, id, idlen, &license) == -1)
		return (-1);

	body = mail_body(lr->name, lr->plan, lr->user_count, lr->starts_at,
	    lr->expires_at, license);
	(void)snprintf(fname, sizeof(fname), LICENSE_FILENAME, id);
	rc = mail_queue_file(w, "licenses", id, lr->email, SUBJECT, body,
	    fname, license);
	kore_free(license);
	kore_free(body);

	return (rc);
}

/* The license of f for who, made in one transaction, and the answer. */
static int
license_create(struct http_request *req, struct app_req *ctx,
    struct form *f, const struct licensee *who)
{
	struct write_txn	 w;
	struct license_req	 lr;
	char			 id[32], href[64], msg[400];

	memset(&lr, 0, sizeof(lr));
	lr.name = who->name;
	lr.company = who->has_company ? who->company : NULL;
	lr.email = form_value(f, "email");
	lr.user_count = form_value(f, "user_count");
	lr.starts_at = form_value(f, "starts_at");
	lr.expires_at = form_value(f, "expires_at");
	lr.plan = form_value(f, "plan");

	if (write_begin_admin(&w, ctx,
	    form_value(f, "zendesk_ticket")) == -1 ||
	    license_write(&w, &lr, id, sizeof(id)) == -1 ||
	    write_commit(&w) == -1)
		goto failed;

	log_event("trial license issued", json_pack("{s:s, s:s, s:s, s:s}",
	    "license_id", id, "email", lr.email, "plan", lr.plan,
	    "user_count", lr.user_count));
	(void)snprintf(href, sizeof(href), "/admin/licenses/%s", id);
	(void)snprintf(msg, sizeof(msg), "Trial license created; it is being "
	    "e-mailed to %s.", lr.email);
	return (edit_flash_redirect(req, "notice", msg, href));

failed:
	write_rollback(&w);
	if (edit_write_status(&w, license_rules, f) == 422)
		return (new_render(req, ctx, f, 422));
	return (edit_db_error(req, ctx));
}

/* POST /admin/support/sm_trials */
int
support_sm_trial_create(struct http_request *req, struct app_req *ctx)
{
	struct licensee	 who;
	struct form	 f;
	int		 ret;

	form_init(&f, new_fields);
	form_read(&f, &ctx->form);
	if (new_form_check(req, ctx, &f, &ret))
		goto done;

	if (licensee_read(ctx, form_value(&f, "email"), &who) == -1)
		ret = edit_db_error(req, ctx);
	else
		ret = license_create(req, ctx, &f, &who);

done:
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
	int		 ret;

	params[0] = ctx->args[0];
	if ((res = db_exec(ctx, "SELECT license_file FROM licenses WHERE "
	    "id = $1::bigint AND license_file IS NOT NULL", 1, params)) ==
	    NULL)
		return (edit_db_error(req, ctx));
	if (PQntuples(res) == 0) {
		ret = render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "This license has no license file to download.");
		goto done;
	}

	log_event("license downloaded", json_pack("{s:s, s:s}", "license_id",
	    ctx->args[0], "user", ctx->user));

	(void)snprintf(disp, sizeof(disp), "attachment; "
	    "filename=\"" LICENSE_FILENAME "\"", ctx->args[0]);
	http_response_header(req, "content-type", "application/octet-stream");
	http_response_header(req, "content-disposition", disp);
	http_response_header(req, "cache-control", "no-store");
	http_response_header(req, "x-content-type-options", "nosniff");
	http_response(req, HTTP_STATUS_OK, DB_COL(res, 0, "license_file"),
	    (size_t)PQgetlength(res, 0, PQfnumber(res, "license_file")));
	ret = KORE_RESULT_OK;
done:
	PQclear(res);

	return (ret);
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

/* An e-mail about the license (row i of res): its JSON and its panel row. */
static void
email_row(json_t *panel, json_t *rows, PGresult *res, int i)
{
	static const char *const cols[] = { "queued_at", "to", "status",
	    "attempts", "sent_at", "last_error" };
	json_t		*r, *cells;
	const char	*v;
	size_t		 k;

	r = json_object();
	cells = json_array();
	for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
		v = DB_NULL(res, i, cols[k]) ? NULL : DB_COL(res, i, cols[k]);
		if (v != NULL)
			json_object_set_new(r, cols[k], json_string(v));
		json_array_append_new(cells, support_cell(v, NULL));
	}
	json_array_append_new(rows, r);
	edit_panel_row(panel, cells);
}

/*
 * A license's page: the download for a license with a file, what GitLab
 * reads in it, and the e-mails that carried it.
 */
void
license_show_extras(struct app_req *ctx, const char *id, json_t *view)
{
	PGresult	*res;
	json_t		*panel, *rows;
	const char	*params[1];
	char		 href[96];
	int		 i;

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
		license_content_panel(view, DB_COL(res, 0, "license_file"));
	}
	PQclear(res);

	/* E-mails about this license (or the extension it was made for). */
	panel = edit_panel(view, "emails", "E-mails");
	json_object_set_new(panel, "columns", json_pack("[s, s, s, s, s, s]",
	    "Queued at (UTC)", "To", "Status", "Attempts", "Sent at (UTC)",
	    "Last error"));
	rows = json_array();
	res = db_exec(ctx, "SELECT to_char(o.created_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD HH24:MI:SS') AS queued_at, "
	    "o.payload->>'to' AS \"to\", o.status, "
	    "o.attempts::text AS attempts, "
	    "to_char(o.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
	    "AS sent_at, o.last_error FROM outbox o "
	    "WHERE o.kind = 'email' AND ((o.record_type = 'licenses' AND "
	    "o.record_id = $1::bigint) OR (o.record_type = "
	    "'temporary_extensions' AND o.record_id IN (SELECT e.id FROM "
	    "temporary_extensions e WHERE e.license_id = $1::bigint))) "
	    "ORDER BY o.id DESC LIMIT 10", 1, params);
	if (res != NULL) {
		for (i = 0; i < PQntuples(res); i++)
			email_row(panel, rows, res, i);
		PQclear(res);
	}
	json_object_set_new(view, "emails", rows);
	json_object_set_new(panel, "note", json_string(json_array_size(rows) ?
	    "E-mails are sent in the background (SMTP) and retried while the "
	    "mail relay is unavailable." : "No e-mail was sent about this "
	    "license from the panel."));
}
