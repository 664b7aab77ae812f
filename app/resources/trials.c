/*
 * "Renew trial" (the Guide's Trials section), from a customer's GitLab
 * groups or a trial's page:
 *
 *	GET  /admin/trials/<id>/renew_trial	the form: a new end date
 *	POST /admin/trials/<id>/renew_trial	save it
 *
 * The date may not be before today (UTC).  An expired trial becomes
 * active again, and a namespace that fell back to Free gets the trial's
 * plan back; a cancelled trial cannot be renewed.  lock_version checked
 * like every edit; one transaction as admin:<email>.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "admin/edit.h"
#include "support/support.h"

static const struct form_field renew_fields[] = {
	{ .name = "ends_on", .label = "Trial ends on", .type = FORM_DATE,
	    .flags = FORM_REQUIRED | FORM_NOT_PAST, .max = 10,
	    .hint = "The trial's new last day; not before today (UTC)." },
	{ .name = NULL }
};

static const struct write_constraint renew_rules[] = {
	{ "23514", "trials_dates_check", "ends_on",
	    "Trial ends on can't be before the day the trial started." },
	{ "23505", "trials_one_active_key", NULL,
	    "This namespace already has another active trial, so this one "
	    "cannot be renewed." },
	{ NULL, NULL, NULL, NULL }
};

#define RENEW_SQL \
	"SELECT t.lock_version, t.ends_on::text, t.status, t.namespace_id, " \
	"t.plan FROM trials t WHERE t.id = $1::bigint"

static int	 renew_render(struct http_request *, struct app_req *,
		    struct form *, int);

static int
renew_render(struct http_request *req, struct app_req *ctx, struct form *f,
    int status)
{
	char	action[160];

	(void)snprintf(action, sizeof(action), "/admin/trials/%s/renew_trial",
	    ctx->args[0]);
	return (edit_render_form(req, ctx, resource_find("trials"),
	    ctx->args[0], f, status, "Renew trial", action, "Update"));
}

int
trial_renew_form(struct http_request *req, struct app_req *ctx)
{
	struct form	 f;
	PGresult	*res;
	const char	*params[1];
	int		 ret;

	params[0] = ctx->args[0];
	if ((res = db_exec(ctx, RENEW_SQL, 1, params)) == NULL)
		return (edit_db_error(req, ctx));
	if (PQntuples(res) == 0) {
		PQclear(res);
		return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no such trial."));
	}

	form_init(&f, renew_fields);
	form_load(&f, res, 0, 0);
	if (strcmp(PQgetvalue(res, 0, 2), "cancelled") == 0)
		form_alert(&f, "This trial was cancelled: it cannot be "
		    "renewed.");
	PQclear(res);

	ret = renew_render(req, ctx, &f, HTTP_STATUS_OK);
	form_free(&f);

	return (ret);
}

int
trial_renew(struct http_request *req, struct app_req *ctx)
{
	struct write_txn	 w;
	struct form		 mine, cur;
	PGresult		*res;
	const char		*params[3];
	char			 href[160], msg[160], status[16], ns[32];
	char			 plan[64];
	int			 ret, code;

	(void)snprintf(href, sizeof(href), "/admin/trials/%s", ctx->args[0]);

	form_init(&mine, renew_fields);
	form_read(&mine, &ctx->form);
	if (!form_lock_ok(&mine)) {
		form_free(&mine);
		return (render_error(req, ctx, HTTP_STATUS_BAD_REQUEST,
		    "The form lacks the trial's version (lock_version); open "
		    "the Renew trial page again."));
	}
	if (form_validate(&mine, ctx) > 0) {
		ret = renew_render(req, ctx, &mine, 422);
		form_free(&mine);
		return (ret);
	}

	params[0] = ctx->args[0];
	if (write_begin_admin(&w, ctx, NULL) == -1 ||
	    (res = write_exec(&w, RENEW_SQL " FOR UPDATE", 1, params)) ==
	    NULL) {
		write_rollback(&w);
		form_free(&mine);
		return (edit_db_error(req, ctx));
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		write_rollback(&w);
		form_free(&mine);
		return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no such trial."));
	}

	form_init(&cur, renew_fields);
	form_load(&cur, res, 0, 0);
	(void)kore_strlcpy(status, PQgetvalue(res, 0, 2), sizeof(status));
	(void)kore_strlcpy(ns, PQgetvalue(res, 0, 3), sizeof(ns));
	(void)kore_strlcpy(plan, PQgetvalue(res, 0, 4), sizeof(plan));
	PQclear(res);

	if (strcmp(cur.lock_version, mine.lock_version) != 0) {
		write_rollback(&w);
		(void)snprintf(msg, sizeof(msg),
		    "/admin/trials/%s/renew_trial", ctx->args[0]);
		ret = edit_render_conflict(req, ctx, resource_find("trials"),
		    ctx->args[0], &mine, &cur, msg);
		goto done;
	}

	if (strcmp(status, "cancelled") == 0) {
		write_rollback(&w);
		form_alert(&mine, "This trial was cancelled: it cannot be "
		    "renewed.");
		ret = renew_render(req, ctx, &mine, 422);
		goto done;
	}

	if (strcmp(status, "active") == 0 &&
	    strcmp(form_value(&mine, "ends_on"),
	    form_value(&cur, "ends_on")) == 0) {
		write_rollback(&w);
		ret = edit_flash_redirect(req, "notice", "Nothing was changed.",
		    href);
		goto done;
	}

	params[0] = ctx->args[0];
	params[1] = mine.lock_version;
	params[2] = form_value(&mine, "ends_on");
	if (write_exec_count(&w, "UPDATE trials SET ends_on = $3::date, "
	    "status = 'active' WHERE id = $1::bigint AND "
	    "lock_version = $2::integer", 3, params) != 1)
		goto failed;

	/* An expired trial's namespace went back to Free: the plan returns. */
	params[0] = ns;
	params[1] = plan;
	if (strcmp(status, "expired") == 0 &&
	    write_exec_count(&w, "UPDATE namespaces SET plan = $2 WHERE "
	    "id = $1::bigint AND plan = 'free' AND zuora_subscription_id IS "
	    "NULL", 2, params) < 0)
		goto failed;

	(void)snprintf(msg, sizeof(msg), "Trial renewed: it now ends on %s.%s",
	    form_value(&mine, "ends_on"), gitlab_queued_note(&w));
	if (write_commit(&w) == -1)
		goto failed;

	ret = edit_flash_redirect(req, "notice", msg, href);
	goto done;

failed:
	write_rollback(&w);
	code = edit_write_status(&w, renew_rules, &mine);
	ret = code == 422 ? renew_render(req, ctx, &mine, 422) :
	    edit_db_error(req, ctx);
done:
	form_free(&mine);
	form_free(&cur);

	return (ret);
}
