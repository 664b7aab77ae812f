/*
 * Trials of GitLab.com namespaces: the list and show page, and "Renew
 * trial" (the Guide's Trials section), from a customer's GitLab groups,
 * the list's rows or a trial's page:
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

#include "resources/resources.h"
#include "support/support.h"

#define TRIAL_STATUSES(X)						\
	X("active", "Active")						\
	X("expired", "Expired")						\
	X("cancelled", "Cancelled")

static const struct field fields[] = {
	ID,
	BELONGS_TO(namespace, "Namespace", "n.path", F_LIST | F_SHOW | F_SEARCH,
	    namespaces, namespace_id, "Namespace ID"),
	ENUM(plan, "Plan", F_COL, TRIAL_PLANS),
	DATE(starts_on, "Starts on", F_COL),
	DATE(ends_on, "Ends on", F_COL),
	ENUM(status, "Status", F_COL, TRIAL_STATUSES),
	TIME(cancelled_at, "Cancelled at", F_SHOW | F_FILTER),
	CREATED,
	UPDATED,
	END_FIELDS
};

const struct resource trials_resource = {
	RESOURCE(trials, "Trials", "Trial"),
	.from = "trials t JOIN namespaces n ON n.id = t.namespace_id",
	.title_expr = "n.path || ' ' || " LABEL_SQL("t.plan", TRIAL_PLANS),
	NEWEST_FIRST(id),
	.fields = fields,
};

/* "Renew Trial" on the rows of trials that are not cancelled. */
const struct edit_resource trials_edit = {
	.name = "trials", .table = "trials",
	.row_action = "renew_trial", .row_action_label = "Renew Trial",
	.row_action_where = "status <> 'cancelled'",
};

static const struct form_field renew_fields[] = {
	INPUT(ends_on, "Trial ends on", FORM_DATE,
	    .flags = FORM_REQUIRED | FORM_NOT_PAST, .max = 10,
	    .hint = "The trial's new last day; not before today (UTC)."),
	END_INPUTS
};

static const struct write_constraint renew_rules[] = {
	CHECK("trials_dates_check", "ends_on",
	    "Trial ends on can't be before the day the trial started."),
	UNIQUE("trials_one_active_key", NULL,
	    "This namespace already has another active trial, so this one "
	    "cannot be renewed."),
	END_RULES
};

/* The form's lock_version and fields, then what renewing depends on. */
#define RENEW_SQL \
	"SELECT t.lock_version, t.ends_on::text AS ends_on, t.status, " \
	"t.namespace_id, t.plan FROM trials t WHERE t.id = $1::bigint"

/* The trial as it is, beyond the form. */
struct renew_trial {
	char	status[16];
	char	namespace_id[32];
	char	plan[64];
};

static int	 renew_render(struct http_request *, struct app_req *,
		    struct form *, int);
static int	 renew_save(struct http_request *, struct app_req *,
		    struct write_txn *, struct form *, struct form *,
		    const struct renew_trial *);

static int
renew_render(struct http_request *req, struct app_req *ctx, struct form *f,
    int status)
{
	char	action[160];

	(void)snprintf(action, sizeof(action), "/admin/trials/%s/renew_trial",
	    ctx->args[0]);
	return (edit_render_form(req, ctx, &trials_resource, ctx->args[0], f,
	    status, "Renew trial", action, "Update"));
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
	if (strcmp(DB_COL(res, 0, "status"), "cancelled") == 0)
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
	struct renew_trial	 t;
	PGresult		*res;
	int			 ret;

	form_init(&mine, renew_fields);
	form_init(&cur, renew_fields);
	form_read(&mine, &ctx->form);
	if (!form_lock_ok(&mine)) {
		ret = render_error(req, ctx, HTTP_STATUS_BAD_REQUEST,
		    "The form lacks the trial's version (lock_version); open "
		    "the Renew trial page again.");
		goto done;
	}
	if (form_validate(&mine, ctx) > 0) {
		ret = renew_render(req, ctx, &mine, 422);
		goto done;
	}

	if (record_lock(req, ctx, &w, RENEW_SQL " FOR UPDATE", "trial", &res,
	    &ret) == -1)
		goto done;

	form_load(&cur, res, 0, 0);
	(void)kore_strlcpy(t.status, DB_COL(res, 0, "status"),
	    sizeof(t.status));
	(void)kore_strlcpy(t.namespace_id, DB_COL(res, 0, "namespace_id"),
	    sizeof(t.namespace_id));
	(void)kore_strlcpy(t.plan, DB_COL(res, 0, "plan"), sizeof(t.plan));
	PQclear(res);

	ret = renew_save(req, ctx, &w, &mine, &cur, &t);
done:
	form_free(&mine);
	form_free(&cur);

	return (ret);
}

/*
 * In the open transaction w, with the trial locked as it is (cur, t):
 * renew it as mine says, unless it changed meanwhile or cannot be.
 */
static int
renew_save(struct http_request *req, struct app_req *ctx,
    struct write_txn *w, struct form *mine, struct form *cur,
    const struct renew_trial *t)
{
	const char	*params[3];
	char		 href[160], msg[160];

	(void)snprintf(href, sizeof(href), "/admin/trials/%s", ctx->args[0]);

	if (strcmp(cur->lock_version, mine->lock_version) != 0) {
		write_rollback(w);
		(void)snprintf(msg, sizeof(msg),
		    "/admin/trials/%s/renew_trial", ctx->args[0]);
		return (edit_render_conflict(req, ctx, &trials_resource,
		    ctx->args[0], mine, cur, msg));
	}
	if (strcmp(t->status, "cancelled") == 0) {
		write_rollback(w);
		form_alert(mine, "This trial was cancelled: it cannot be "
		    "renewed.");
		return (renew_render(req, ctx, mine, 422));
	}
	if (strcmp(t->status, "active") == 0 &&
	    strcmp(form_value(mine, "ends_on"),
	    form_value(cur, "ends_on")) == 0) {
		write_rollback(w);
		return (edit_flash_redirect(req, "notice",
		    "Nothing was changed.", href));
	}

	params[0] = ctx->args[0];
	params[1] = mine->lock_version;
	params[2] = form_value(mine, "ends_on");
	if (write_exec_count(w, "UPDATE trials SET ends_on = $3::date, "
	    "status = 'active' WHERE id = $1::bigint AND "
	    "lock_version = $2::integer", 3, params) != 1)
		goto failed;

	/* An expired trial's namespace went back to Free: the plan returns. */
	params[0] = t->namespace_id;
	params[1] = t->plan;
	if (strcmp(t->status, "expired") == 0 &&
	    write_exec_count(w, "UPDATE namespaces SET plan = $2 WHERE "
	    "id = $1::bigint AND plan = 'free' AND zuora_subscription_id IS "
	    "NULL", 2, params) < 0)
		goto failed;

	(void)snprintf(msg, sizeof(msg), "Trial renewed: it now ends on %s.%s",
	    form_value(mine, "ends_on"), gitlab_queued_note(w));
	if (write_commit(w) == -1)
		goto failed;

	return (edit_flash_redirect(req, "notice", msg, href));

failed:
	write_rollback(w);
	if (edit_write_status(w, renew_rules, mine) == 422)
		return (renew_render(req, ctx, mine, 422));
	return (edit_db_error(req, ctx));
}
