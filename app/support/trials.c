/*
 * Support > Trial changes (SaaS): the Guide's "Trial Management (SaaS)".
 *
 *	GET  /admin/support/trials		the list: support/lists.c
 *	GET  /admin/support/trials/<id>/edit	plan and end date
 *	POST /admin/support/trials/<id>		save them
 *	GET  /admin/support/trials/<id>/cancel	"Cancel this trial?"
 *	POST /admin/support/trials/<id>/cancel	cancel it
 *
 * An active or expired trial can be edited: a new plan and a last day
 * not before today (UTC), so an expired trial becomes active again; its
 * namespace follows the trial's plan (from Free, from the trial's old
 * plan, or from its subscription's plan for a paid customer's trial).
 * An active trial can be cancelled: its namespace goes back to Free, or
 * to its subscription's plan.  A cancelled trial is history.
 *
 * Every change needs a Zendesk ticket link and is one transaction as
 * admin:<email> with that ticket, the lock_version read with the form
 * compared first (409 with both versions when someone changed it).
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/support.h"

#define SCREEN		"/admin/support/trials"

static const char *const trial_plans[] = {
	"ultimate_trial", "Ultimate trial",
	"premium_trial", "Premium trial",
	"ultimate_trial_paid_customer", "Ultimate trial (paid customer)",
	NULL
};

static const struct form_field edit_fields[] = {
	{ .name = "plan", .label = "Trial type", .type = FORM_SELECT,
	    .flags = FORM_REQUIRED, .options = trial_plans,
	    .hint = "A paid customer's namespace (linked to a subscription) "
	    "can only have the Ultimate trial for paid customers." },
	{ .name = "ends_on", .label = "Trial ends on", .type = FORM_DATE,
	    .flags = FORM_REQUIRED | FORM_NOT_PAST, .max = 10,
	    .hint = "The trial's last day; not before today (UTC). An "
	    "expired trial becomes active again." },
	SUPPORT_TICKET_FIELD,
	{ .name = NULL }
};

static const struct form_field cancel_fields[] = {
	SUPPORT_TICKET_FIELD,
	{ .name = NULL }
};

static const struct write_constraint trial_rules[] = {
	{ "23514", "trials_dates_check", "ends_on",
	    "Trial ends on can't be before the day the trial started." },
	{ "23505", "trials_one_active_key", NULL,
	    "This namespace already has another active trial, so this one "
	    "cannot be made active." },
	{ "23514", "namespaces_plan_subscription_check", "plan",
	    "This namespace is paid for by a subscription: its trial can "
	    "only be the Ultimate trial for paid customers." },
	{ NULL, NULL, NULL, NULL }
};

/* lock_version, the edit fields (no ticket yet), then what is shown. */
#define TRIAL_SQL \
	"SELECT t.lock_version, t.plan, t.ends_on::text, NULL::text, " \
	"t.status, " \
	"t.namespace_id, n.path, n.gitlab_id::text, n.plan, " \
	"t.starts_on::text, s.name, n.zuora_subscription_id::text " \
	"FROM trials t JOIN namespaces n ON n.id = t.namespace_id " \
	"LEFT JOIN zuora_subscriptions s ON s.id = n.zuora_subscription_id " \
	"WHERE t.id = $1::bigint"

#define COL_STATUS	4
#define COL_NS		5
#define COL_PATH	6
#define COL_GITLAB_ID	7
#define COL_NS_PLAN	8
#define COL_STARTS	9
#define COL_SUB		10

static json_t	*trial_summary(PGresult *, const char *);
static PGresult	*trial_read(struct http_request *, struct app_req *,
		    struct write_txn *);
static int	 trial_summary_read(struct app_req *, json_t **);
static int	 edit_render(struct http_request *, struct app_req *,
		    struct form *, json_t *, int);
static int	 cancel_render(struct http_request *, struct app_req *,
		    struct form *, json_t *, int);
static const char *plan_label(const char *);

static const char *
plan_label(const char *plan)
{
	const struct form_field	*fd = &edit_fields[0];
	const char		*l;

	l = option_label(fd, plan);
	return (l != NULL ? l : plan);
}

/* What the forms show about the trial (rows of TRIAL_SQL). */
static json_t *
trial_summary(PGresult *res, const char *id)
{
	json_t	*dl;
	char	 href[64], ns[64];

	dl = json_array();
	(void)snprintf(href, sizeof(href), "/admin/trials/%s", id);
	(void)snprintf(ns, sizeof(ns), "/admin/namespaces/%s",
	    PQgetvalue(res, 0, COL_NS));
	support_dl(dl, "Trial", id, href);
	support_dl(dl, "Namespace", PQgetvalue(res, 0, COL_PATH), ns);
	support_dl(dl, "Namespace ID", PQgetvalue(res, 0, COL_GITLAB_ID),
	    NULL);
	support_dl(dl, "Namespace plan", PQgetvalue(res, 0, COL_NS_PLAN),
	    NULL);
	support_dl(dl, "Subscription", PQgetisnull(res, 0, COL_SUB) ? NULL :
	    PQgetvalue(res, 0, COL_SUB), NULL);
	support_dl(dl, "Status", PQgetvalue(res, 0, COL_STATUS), NULL);
	support_dl(dl, "Trial type", plan_label(PQgetvalue(res, 0, 1)),
	    NULL);
	support_dl(dl, "Started on", PQgetvalue(res, 0, COL_STARTS), NULL);
	support_dl(dl, "Ends on", PQgetvalue(res, 0, 2), NULL);

	return (dl);
}

/*
 * The trial (a row of TRIAL_SQL), with its namespace locked in w's
 * transaction when there is one (rolled back on failure), or NULL after
 * answering.
 */
static PGresult *
trial_read(struct http_request *req, struct app_req *ctx,
    struct write_txn *w)
{
	PGresult	*res;
	const char	*params[1];

	params[0] = ctx->args[0];
	res = w != NULL ? write_exec(w, TRIAL_SQL " FOR UPDATE OF t, n", 1,
	    params) : db_exec(ctx, TRIAL_SQL, 1, params);
	if (res == NULL) {
		if (w != NULL)
			write_rollback(w);
		(void)edit_db_error(req, ctx);
		return (NULL);
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		if (w != NULL)
			write_rollback(w);
		(void)render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no such trial.");
		return (NULL);
	}

	return (res);
}

/* The trial's summary for a form shown again (NULL if it is gone). */
static int
trial_summary_read(struct app_req *ctx, json_t **summary)
{
	PGresult	*res;
	const char	*params[1];

	params[0] = ctx->args[0];
	if ((res = db_exec(ctx, TRIAL_SQL, 1, params)) == NULL)
		return (-1);
	*summary = PQntuples(res) ? trial_summary(res, ctx->args[0]) : NULL;
	PQclear(res);

	return (0);
}

/* The trial's namespace (our id) in buf, or NULL. */
static const char *
trial_namespace(struct app_req *ctx, char *buf, size_t len)
{
	PGresult	*res;
	const char	*params[1];
	int		 found;

	params[0] = ctx->args[0];
	if ((res = db_exec(ctx, "SELECT namespace_id::text FROM trials WHERE "
	    "id = $1::bigint", 1, params)) == NULL)
		return (NULL);
	if ((found = PQntuples(res) == 1))
		(void)kore_strlcpy(buf, PQgetvalue(res, 0, 0), len);
	PQclear(res);

	return (found ? buf : NULL);
}

static int
edit_render(struct http_request *req, struct app_req *ctx, struct form *f,
    json_t *summary, int status)
{
	char	action[96], ns[32];

	(void)snprintf(action, sizeof(action), SCREEN "/%s", ctx->args[0]);
	return (support_render_form(req, ctx, status, "Edit trial", SCREEN,
	    summary, f, action, "Save", SCREEN, trial_namespace(ctx, ns,
	    sizeof(ns))));
}

/* GET /admin/support/trials/<id>/edit */
int
support_trial_edit_form(struct http_request *req, struct app_req *ctx)
{
	struct form	 f;
	PGresult	*res;
	json_t		*summary;
	int		 ret;

	if ((res = trial_read(req, ctx, NULL)) == NULL)
		return (KORE_RESULT_OK);

	form_init(&f, edit_fields);
	form_load(&f, res, 0, 0);
	if (strcmp(PQgetvalue(res, 0, COL_STATUS), "cancelled") == 0)
		form_alert(&f, "This trial was cancelled: it cannot be "
		    "changed.");
	summary = trial_summary(res, ctx->args[0]);
	PQclear(res);

	ret = edit_render(req, ctx, &f, summary, HTTP_STATUS_OK);
	form_free(&f);

	return (ret);
}

/* POST /admin/support/trials/<id> */
int
support_trial_update(struct http_request *req, struct app_req *ctx)
{
	struct write_txn	 w;
	struct form		 mine, cur;
	PGresult		*res;
	json_t			*summary;
	const char		*params[4];
	char			 status[16], ns[32], old_plan[64];
	char			 path[256];
	char			 href[128], msg[512];
	int			 ret, code;

	form_init(&mine, edit_fields);
	form_init(&cur, edit_fields);
	form_read(&mine, &ctx->form);
	if (!form_lock_ok(&mine)) {
		form_free(&mine);
		return (render_error(req, ctx, HTTP_STATUS_BAD_REQUEST,
		    "The form lacks the trial's version (lock_version); open "
		    "the edit page again."));
	}

	if (form_validate(&mine, ctx) > 0) {
		if (trial_summary_read(ctx, &summary) == -1) {
			form_free(&mine);
			return (edit_db_error(req, ctx));
		}
		ret = edit_render(req, ctx, &mine, summary, 422);
		form_free(&mine);
		return (ret);
	}

	if (write_begin_admin(&w, ctx, form_value(&mine, "zendesk_ticket")) ==
	    -1) {
		form_free(&mine);
		return (edit_db_error(req, ctx));
	}
	if ((res = trial_read(req, ctx, &w)) == NULL) {
		form_free(&mine);
		return (KORE_RESULT_OK);
	}

	form_load(&cur, res, 0, 0);
	(void)kore_strlcpy(status, PQgetvalue(res, 0, COL_STATUS),
	    sizeof(status));
	(void)kore_strlcpy(ns, PQgetvalue(res, 0, COL_NS), sizeof(ns));
	(void)kore_strlcpy(old_plan, PQgetvalue(res, 0, 1), sizeof(old_plan));
	(void)kore_strlcpy(path, PQgetvalue(res, 0, COL_PATH), sizeof(path));
	summary = trial_summary(res, ctx->args[0]);
	PQclear(res);

	if (strcmp(cur.lock_version, mine.lock_version) != 0) {
		write_rollback(&w);
		json_decref(summary);
		(void)snprintf(href, sizeof(href), "/admin/trials/%s",
		    ctx->args[0]);
		(void)snprintf(msg, sizeof(msg), SCREEN "/%s", ctx->args[0]);
		ret = support_conflict(req, ctx, path, href, &mine, &cur, msg);
		goto done;
	}

	if (strcmp(status, "cancelled") == 0) {
		write_rollback(&w);
		form_alert(&mine, "This trial was cancelled: it cannot be "
		    "changed.");
		ret = edit_render(req, ctx, &mine, summary, 422);
		goto done;
	}

	if (strcmp(status, "active") == 0 &&
	    strcmp(form_value(&mine, "plan"), form_value(&cur, "plan")) == 0 &&
	    strcmp(form_value(&mine, "ends_on"),
	    form_value(&cur, "ends_on")) == 0) {
		write_rollback(&w);
		json_decref(summary);
		ret = edit_flash_redirect(req, "notice", "Nothing was changed.",
		    SCREEN);
		goto done;
	}

	params[0] = ctx->args[0];
	params[1] = mine.lock_version;
	params[2] = form_value(&mine, "plan");
	params[3] = form_value(&mine, "ends_on");
	if (write_exec_count(&w, "UPDATE trials SET plan = $3, "
	    "ends_on = $4::date, status = 'active' WHERE id = $1::bigint AND "
	    "lock_version = $2::integer", 4, params) != 1)
		goto failed;

	/*
	 * The namespace follows its trial: from Free (an expired trial), the
	 * trial's old plan, or (a paid customer's trial) its subscription's
	 * plan.  Another plan (a paid plan of its own) is left alone.
	 */
	params[0] = ns;
	params[1] = form_value(&mine, "plan");
	params[2] = old_plan;
	if (write_exec_count(&w, "UPDATE namespaces n SET plan = $2 "
	    "WHERE n.id = $1::bigint AND n.plan <> $2 AND (n.plan = $3 OR "
	    "(n.plan = 'free' AND n.zuora_subscription_id IS NULL) OR "
	    "n.plan = (SELECT s.gitlab_plan FROM zuora_subscriptions s "
	    "WHERE s.id = n.zuora_subscription_id))", 3, params) < 0)
		goto failed;

	(void)snprintf(msg, sizeof(msg), "Trial of %s updated: %s until %s.%s",
	    path, plan_label(form_value(&mine, "plan")),
	    form_value(&mine, "ends_on"), gitlab_queued_note(&w));
	if (write_commit(&w) == -1)
		goto failed;

	json_decref(summary);
	ret = edit_flash_redirect(req, "notice", msg, SCREEN);
	goto done;

failed:
	write_rollback(&w);
	code = edit_write_status(&w, trial_rules, &mine);
	if (code == 422)
		ret = edit_render(req, ctx, &mine, summary, 422);
	else {
		json_decref(summary);
		ret = edit_db_error(req, ctx);
	}
done:
	form_free(&mine);
	form_free(&cur);

	return (ret);
}

static int
cancel_render(struct http_request *req, struct app_req *ctx, struct form *f,
    json_t *summary, int status)
{
	char	action[96], ns[32];

	(void)snprintf(action, sizeof(action), SCREEN "/%s/cancel",
	    ctx->args[0]);
	return (support_render_form(req, ctx, status, "Cancel trial", SCREEN,
	    summary, f, action, "Confirm", SCREEN, trial_namespace(ctx, ns,
	    sizeof(ns))));
}

/* GET /admin/support/trials/<id>/cancel */
int
support_trial_cancel_form(struct http_request *req, struct app_req *ctx)
{
	struct form	 f;
	PGresult	*res;
	json_t		*summary;
	int		 ret;

	if ((res = trial_read(req, ctx, NULL)) == NULL)
		return (KORE_RESULT_OK);

	form_init(&f, cancel_fields);
	(void)kore_strlcpy(f.lock_version, PQgetvalue(res, 0, 0),
	    sizeof(f.lock_version));
	if (strcmp(PQgetvalue(res, 0, COL_STATUS), "active") != 0)
		form_alert(&f, "Only an active trial can be cancelled.");
	summary = trial_summary(res, ctx->args[0]);
	PQclear(res);

	ret = cancel_render(req, ctx, &f, summary, HTTP_STATUS_OK);
	form_free(&f);

	return (ret);
}

/* POST /admin/support/trials/<id>/cancel */
int
support_trial_cancel(struct http_request *req, struct app_req *ctx)
{
	struct write_txn	 w;
	struct form		 f;
	PGresult		*res;
	json_t			*summary;
	const char		*params[3];
	char			 lock[16], status[16], ns[32], plan[64];
	char			 path[256], msg[512];
	int			 ret, code;

	form_init(&f, cancel_fields);
	form_read(&f, &ctx->form);
	if (!form_lock_ok(&f)) {
		form_free(&f);
		return (render_error(req, ctx, HTTP_STATUS_BAD_REQUEST,
		    "The form lacks the trial's version (lock_version); open "
		    "the cancel page again."));
	}

	if (form_validate(&f, ctx) > 0) {
		if (trial_summary_read(ctx, &summary) == -1) {
			form_free(&f);
			return (edit_db_error(req, ctx));
		}
		ret = cancel_render(req, ctx, &f, summary, 422);
		form_free(&f);
		return (ret);
	}

	if (write_begin_admin(&w, ctx,
	    form_value(&f, "zendesk_ticket")) == -1) {
		form_free(&f);
		return (edit_db_error(req, ctx));
	}
	if ((res = trial_read(req, ctx, &w)) == NULL) {
		form_free(&f);
		return (KORE_RESULT_OK);
	}
	(void)kore_strlcpy(lock, PQgetvalue(res, 0, 0), sizeof(lock));
	(void)kore_strlcpy(status, PQgetvalue(res, 0, COL_STATUS),
	    sizeof(status));
	(void)kore_strlcpy(ns, PQgetvalue(res, 0, COL_NS), sizeof(ns));
	(void)kore_strlcpy(plan, PQgetvalue(res, 0, 1), sizeof(plan));
	(void)kore_strlcpy(path, PQgetvalue(res, 0, COL_PATH), sizeof(path));
	summary = trial_summary(res, ctx->args[0]);
	PQclear(res);

	/* Changed since the page was read: show it as it is now. */
	if (strcmp(lock, f.lock_version) != 0) {
		write_rollback(&w);
		(void)kore_strlcpy(f.lock_version, lock,
		    sizeof(f.lock_version));
		form_alert(&f, "This trial was changed by someone else after "
		    "you opened this page, so it was not cancelled. Its "
		    "current state is shown above: confirm again to cancel "
		    "it.");
		ret = cancel_render(req, ctx, &f, summary,
		    HTTP_STATUS_CONFLICT);
		goto done;
	}
	if (strcmp(status, "active") != 0) {
		write_rollback(&w);
		form_alert(&f, "Only an active trial can be cancelled.");
		ret = cancel_render(req, ctx, &f, summary, 422);
		goto done;
	}

	params[0] = ctx->args[0];
	params[1] = f.lock_version;
	if (write_exec_count(&w, "UPDATE trials SET status = 'cancelled', "
	    "cancelled_at = now() WHERE id = $1::bigint AND "
	    "lock_version = $2::integer", 2, params) != 1)
		goto failed;

	/* Back to Free, or to the plan its subscription pays for. */
	params[0] = ns;
	params[1] = plan;
	if (write_exec_count(&w, "UPDATE namespaces n SET plan = coalesce(("
	    "SELECT namespace_plan_for(s.gitlab_plan) FROM "
	    "zuora_subscriptions s WHERE s.id = n.zuora_subscription_id), "
	    "'free') WHERE n.id = $1::bigint AND n.plan = $2", 2, params) < 0)
		goto failed;

	(void)snprintf(msg, sizeof(msg), "Trial of %s cancelled.%s", path,
	    gitlab_queued_note(&w));
	if (write_commit(&w) == -1)
		goto failed;

	json_decref(summary);
	ret = edit_flash_redirect(req, "notice", msg, SCREEN);
	goto done;

failed:
	write_rollback(&w);
	code = edit_write_status(&w, trial_rules, &f);
	if (code == 422)
		ret = cancel_render(req, ctx, &f, summary, 422);
	else {
		json_decref(summary);
		ret = edit_db_error(req, ctx);
	}
done:
	form_free(&f);

	return (ret);
}
