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

/*
 * lock_version, the edit fields (no ticket yet), in that order (form_load()),
 * then what is shown.
 */
#define TRIAL_SQL \
	"SELECT t.lock_version, t.plan, t.ends_on::text AS ends_on, " \
	"NULL::text AS zendesk_ticket, t.status, " \
	"t.namespace_id::text AS namespace_id, n.path, " \
	"n.gitlab_id::text AS gitlab_id, n.plan AS namespace_plan, " \
	"t.starts_on::text AS starts_on, s.name AS subscription " \
	"FROM trials t JOIN namespaces n ON n.id = t.namespace_id " \
	"LEFT JOIN zuora_subscriptions s ON s.id = n.zuora_subscription_id " \
	"WHERE t.id = $1::bigint"

/* A trial as read under lock, and its summary for the page. */
struct trial_row {
	char		 lock[16];
	char		 status[16];
	char		 ns[32];
	char		 plan[64];
	char		 path[256];
	json_t		*summary;
};

/* Why a locked trial is not edited as asked. */
#define REFUSE_NONE		0
#define REFUSE_CONFLICT		1
#define REFUSE_CANCELLED	2
#define REFUSE_UNCHANGED	3

typedef int	(*trial_render)(struct http_request *, struct app_req *,
		    struct form *, json_t *, int);

static json_t	*trial_summary(PGresult *, const char *);
static PGresult	*trial_read(struct http_request *, struct app_req *,
		    struct write_txn *);
static int	 trial_summary_read(struct app_req *, json_t **);
static int	 trial_form_check(struct http_request *, struct app_req *,
		    struct form *, const char *, trial_render, int *);
static int	 trial_lock(struct http_request *, struct app_req *,
		    struct write_txn *, struct form *, struct form *,
		    struct trial_row *);
static int	 trial_write_failed(struct http_request *, struct app_req *,
		    struct write_txn *, struct form *, json_t *,
		    trial_render);
static int	 trial_update_refusal(struct form *, struct form *,
		    const struct trial_row *);
static int	 trial_update_refused(struct http_request *,
		    struct app_req *, int, struct form *, struct form *,
		    struct trial_row *);
static int	 trial_update_write(struct http_request *, struct app_req *,
		    struct write_txn *, struct form *, struct trial_row *);
static int	 trial_cancel_refused(struct http_request *,
		    struct app_req *, struct form *, struct trial_row *);
static int	 trial_cancel_write(struct http_request *, struct app_req *,
		    struct write_txn *, struct form *, struct trial_row *);
static int	 trial_page(struct http_request *, struct app_req *,
		    struct form *, json_t *, int, const char *, const char *,
		    const char *);
static int	 trial_form_get(struct http_request *, struct app_req *,
		    const struct form_field *, int, const char *, int,
		    const char *, trial_render);
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
	    DB_COL(res, 0, "namespace_id"));
	support_dl(dl, "Trial", id, href);
	support_dl(dl, "Namespace", DB_COL(res, 0, "path"), ns);
	support_dl(dl, "Namespace ID", DB_COL(res, 0, "gitlab_id"), NULL);
	support_dl(dl, "Namespace plan", DB_COL(res, 0, "namespace_plan"),
	    NULL);
	support_dl(dl, "Subscription", DB_NULL(res, 0, "subscription") ?
	    NULL : DB_COL(res, 0, "subscription"), NULL);
	support_dl(dl, "Status", DB_COL(res, 0, "status"), NULL);
	support_dl(dl, "Trial type", plan_label(DB_COL(res, 0, "plan")),
	    NULL);
	support_dl(dl, "Started on", DB_COL(res, 0, "starts_on"), NULL);
	support_dl(dl, "Ends on", DB_COL(res, 0, "ends_on"), NULL);

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
	if (res != NULL && PQntuples(res) > 0)
		return (res);

	if (w != NULL)
		write_rollback(w);
	if (res == NULL) {
		(void)edit_db_error(req, ctx);
	} else {
		PQclear(res);
		(void)render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no such trial.");
	}

	return (NULL);
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
	if ((res = db_exec(ctx, "SELECT namespace_id::text AS namespace_id "
	    "FROM trials WHERE id = $1::bigint", 1, params)) == NULL)
		return (NULL);
	if ((found = PQntuples(res) == 1))
		(void)kore_strlcpy(buf, DB_COL(res, 0, "namespace_id"), len);
	PQclear(res);

	return (found ? buf : NULL);
}

/* A trial's form page: its title, action (the trial's path + suffix). */
static int
trial_page(struct http_request *req, struct app_req *ctx, struct form *f,
    json_t *summary, int status, const char *title, const char *suffix,
    const char *submit)
{
	char	action[96], ns[32];

	(void)snprintf(action, sizeof(action), SCREEN "/%s%s", ctx->args[0],
	    suffix);
	return (support_render_form(req, ctx, status, title, SCREEN,
	    summary, f, action, submit, SCREEN, trial_namespace(ctx, ns,
	    sizeof(ns))));
}

static int
edit_render(struct http_request *req, struct app_req *ctx, struct form *f,
    json_t *summary, int status)
{
	return (trial_page(req, ctx, f, summary, status, "Edit trial", "",
	    "Save"));
}

static int
cancel_render(struct http_request *req, struct app_req *ctx, struct form *f,
    json_t *summary, int status)
{
	return (trial_page(req, ctx, f, summary, status, "Cancel trial",
	    "/cancel", "Confirm"));
}

/*
 * The page of a trial's form (fields; the trial's values in it when
 * values), with alert when the trial's status is (is 1) or is not (is 0)
 * status.
 */
static int
trial_form_get(struct http_request *req, struct app_req *ctx,
    const struct form_field *fields, int values, const char *status, int is,
    const char *alert, trial_render render)
{
	struct form	 f;
	PGresult	*res;
	json_t		*summary;
	int		 ret;

	if ((res = trial_read(req, ctx, NULL)) == NULL)
		return (KORE_RESULT_OK);

	form_init(&f, fields);
	if (values)
		form_load(&f, res, 0, 0);
	else
		(void)kore_strlcpy(f.lock_version,
		    DB_COL(res, 0, "lock_version"), sizeof(f.lock_version));
	if ((strcmp(DB_COL(res, 0, "status"), status) == 0) == is)
		form_alert(&f, alert);
	summary = trial_summary(res, ctx->args[0]);
	PQclear(res);

	ret = render(req, ctx, &f, summary, HTTP_STATUS_OK);
	form_free(&f);

	return (ret);
}

/* GET /admin/support/trials/<id>/edit */
int
support_trial_edit_form(struct http_request *req, struct app_req *ctx)
{
	return (trial_form_get(req, ctx, edit_fields, 1, "cancelled", 1,
	    "This trial was cancelled: it cannot be changed.", edit_render));
}

/* GET /admin/support/trials/<id>/cancel */
int
support_trial_cancel_form(struct http_request *req, struct app_req *ctx)
{
	return (trial_form_get(req, ctx, cancel_fields, 0, "active", 0,
	    "Only an active trial can be cancelled.", cancel_render));
}

/*
 * A posted form (f, read) checked before anything is locked: 0 to go
 * on, or 1 when it was answered (*ret): no lock_version (400), or the
 * form again with its messages (422).
 */
static int
trial_form_check(struct http_request *req, struct app_req *ctx,
    struct form *f, const char *page, trial_render render, int *ret)
{
	json_t	*summary;
	char	 msg[128];

	if (!form_lock_ok(f)) {
		(void)snprintf(msg, sizeof(msg), "The form lacks the trial's "
		    "version (lock_version); open the %s page again.", page);
		*ret = render_error(req, ctx, HTTP_STATUS_BAD_REQUEST, msg);
		return (1);
	}
	if (form_validate(f, ctx) == 0)
		return (0);

	if (trial_summary_read(ctx, &summary) == -1)
		*ret = edit_db_error(req, ctx);
	else
		*ret = render(req, ctx, f, summary, 422);

	return (1);
}

/*
 * The transaction with f's ticket, the trial and its namespace locked in
 * it and read into tr (and into cur, the form as it is now, if not
 * NULL).  Returns 0, or -1 after answering (nothing left open).
 */
static int
trial_lock(struct http_request *req, struct app_req *ctx,
    struct write_txn *w, struct form *f, struct form *cur,
    struct trial_row *tr)
{
	PGresult	*res;

	if (write_begin_admin(w, ctx, form_value(f, "zendesk_ticket")) ==
	    -1) {
		(void)edit_db_error(req, ctx);
		return (-1);
	}
	if ((res = trial_read(req, ctx, w)) == NULL)
		return (-1);

	if (cur != NULL)
		form_load(cur, res, 0, 0);
	(void)kore_strlcpy(tr->lock, DB_COL(res, 0, "lock_version"),
	    sizeof(tr->lock));
	(void)kore_strlcpy(tr->status, DB_COL(res, 0, "status"),
	    sizeof(tr->status));
	(void)kore_strlcpy(tr->ns, DB_COL(res, 0, "namespace_id"),
	    sizeof(tr->ns));
	(void)kore_strlcpy(tr->plan, DB_COL(res, 0, "plan"),
	    sizeof(tr->plan));
	(void)kore_strlcpy(tr->path, DB_COL(res, 0, "path"),
	    sizeof(tr->path));
	tr->summary = trial_summary(res, ctx->args[0]);
	PQclear(res);

	return (0);
}

/*
 * A write refused or failed: rolled back, and the form again with the
 * message beside its field (422), or the database error page.  Takes the
 * summary.
 */
static int
trial_write_failed(struct http_request *req, struct app_req *ctx,
    struct write_txn *w, struct form *f, json_t *summary,
    trial_render render)
{
	write_rollback(w);
	if (edit_write_status(w, trial_rules, f) == 422)
		return (render(req, ctx, f, summary, 422));

	json_decref(summary);
	return (edit_db_error(req, ctx));
}

/* POST /admin/support/trials/<id> */
int
support_trial_update(struct http_request *req, struct app_req *ctx)
{
	struct write_txn	 w;
	struct trial_row	 tr;
	struct form		 mine, cur;
	int			 ret, why;

	form_init(&mine, edit_fields);
	form_init(&cur, edit_fields);
	form_read(&mine, &ctx->form);
	if (trial_form_check(req, ctx, &mine, "edit", edit_render, &ret))
		goto done;
	if (trial_lock(req, ctx, &w, &mine, &cur, &tr) == -1) {
		ret = KORE_RESULT_OK;
		goto done;
	}

	if ((why = trial_update_refusal(&mine, &cur, &tr)) != REFUSE_NONE) {
		write_rollback(&w);
		ret = trial_update_refused(req, ctx, why, &mine, &cur, &tr);
	} else {
		ret = trial_update_write(req, ctx, &w, &mine, &tr);
	}

done:
	form_free(&mine);
	form_free(&cur);

	return (ret);
}

/*
 * Whether the locked trial can take mine: changed by someone else since
 * the form was read, cancelled, or (active) already as asked.
 */
static int
trial_update_refusal(struct form *mine, struct form *cur,
    const struct trial_row *tr)
{
	if (strcmp(cur->lock_version, mine->lock_version) != 0)
		return (REFUSE_CONFLICT);
	if (strcmp(tr->status, "cancelled") == 0)
		return (REFUSE_CANCELLED);
	if (strcmp(tr->status, "active") == 0 &&
	    strcmp(form_value(mine, "plan"), form_value(cur, "plan")) == 0 &&
	    strcmp(form_value(mine, "ends_on"),
	    form_value(cur, "ends_on")) == 0)
		return (REFUSE_UNCHANGED);

	return (REFUSE_NONE);
}

/* The page for a refusal (why), after the rollback.  Takes the summary. */
static int
trial_update_refused(struct http_request *req, struct app_req *ctx, int why,
    struct form *mine, struct form *cur, struct trial_row *tr)
{
	char	href[128], action[128];

	if (why == REFUSE_CANCELLED) {
		form_alert(mine, "This trial was cancelled: it cannot be "
		    "changed.");
		return (edit_render(req, ctx, mine, tr->summary, 422));
	}

	json_decref(tr->summary);
	if (why == REFUSE_UNCHANGED)
		return (edit_flash_redirect(req, "notice",
		    "Nothing was changed.", SCREEN));

	(void)snprintf(href, sizeof(href), "/admin/trials/%s", ctx->args[0]);
	(void)snprintf(action, sizeof(action), SCREEN "/%s", ctx->args[0]);
	return (support_conflict(req, ctx, tr->path, href, mine, cur,
	    action));
}

/*
 * The trial as asked, active, and its namespace following it: from Free
 * (an expired trial), the trial's old plan, or (a paid customer's trial)
 * its subscription's plan.  Another plan (a paid plan of its own) is
 * left alone.  Takes the summary.
 */
static int
trial_update_write(struct http_request *req, struct app_req *ctx,
    struct write_txn *w, struct form *mine, struct trial_row *tr)
{
	const char	*params[4];
	char		 msg[512];

	params[0] = ctx->args[0];
	params[1] = mine->lock_version;
	params[2] = form_value(mine, "plan");
	params[3] = form_value(mine, "ends_on");
	if (write_exec_count(w, "UPDATE trials SET plan = $3, "
	    "ends_on = $4::date, status = 'active' WHERE id = $1::bigint AND "
	    "lock_version = $2::integer", 4, params) != 1)
		goto failed;

	params[0] = tr->ns;
	params[1] = form_value(mine, "plan");
	params[2] = tr->plan;
	if (write_exec_count(w, "UPDATE namespaces n SET plan = $2 "
	    "WHERE n.id = $1::bigint AND n.plan <> $2 AND (n.plan = $3 OR "
	    "(n.plan = 'free' AND n.zuora_subscription_id IS NULL) OR "
	    "n.plan = (SELECT s.gitlab_plan FROM zuora_subscriptions s "
	    "WHERE s.id = n.zuora_subscription_id))", 3, params) < 0)
		goto failed;

	(void)snprintf(msg, sizeof(msg), "Trial of %s updated: %s until %s.%s",
	    tr->path, plan_label(form_value(mine, "plan")),
	    form_value(mine, "ends_on"), gitlab_queued_note(w));
	if (write_commit(w) == -1)
		goto failed;

	json_decref(tr->summary);
	return (edit_flash_redirect(req, "notice", msg, SCREEN));

failed:
	return (trial_write_failed(req, ctx, w, mine, tr->summary,
	    edit_render));
}

/* POST /admin/support/trials/<id>/cancel */
int
support_trial_cancel(struct http_request *req, struct app_req *ctx)
{
	struct write_txn	 w;
	struct trial_row	 tr;
	struct form		 f;
	int			 ret;

	form_init(&f, cancel_fields);
	form_read(&f, &ctx->form);
	if (trial_form_check(req, ctx, &f, "cancel", cancel_render, &ret))
		goto done;
	if (trial_lock(req, ctx, &w, &f, NULL, &tr) == -1) {
		ret = KORE_RESULT_OK;
		goto done;
	}

	if (strcmp(tr.lock, f.lock_version) != 0 ||
	    strcmp(tr.status, "active") != 0) {
		write_rollback(&w);
		ret = trial_cancel_refused(req, ctx, &f, &tr);
	} else {
		ret = trial_cancel_write(req, ctx, &w, &f, &tr);
	}

done:
	form_free(&f);

	return (ret);
}

/*
 * Changed since the page was read (shown as it is now, to confirm
 * again), or no longer active.  Takes the summary.
 */
static int
trial_cancel_refused(struct http_request *req, struct app_req *ctx,
    struct form *f, struct trial_row *tr)
{
	if (strcmp(tr->lock, f->lock_version) != 0) {
		(void)kore_strlcpy(f->lock_version, tr->lock,
		    sizeof(f->lock_version));
		form_alert(f, "This trial was changed by someone else after "
		    "you opened this page, so it was not cancelled. Its "
		    "current state is shown above: confirm again to cancel "
		    "it.");
		return (cancel_render(req, ctx, f, tr->summary,
		    HTTP_STATUS_CONFLICT));
	}

	form_alert(f, "Only an active trial can be cancelled.");
	return (cancel_render(req, ctx, f, tr->summary, 422));
}

/*
 * The trial cancelled, its namespace back to Free or to the plan its
 * subscription pays for.  Takes the summary.
 */
static int
trial_cancel_write(struct http_request *req, struct app_req *ctx,
    struct write_txn *w, struct form *f, struct trial_row *tr)
{
	const char	*params[2];
	char		 msg[512];

	params[0] = ctx->args[0];
	params[1] = f->lock_version;
	if (write_exec_count(w, "UPDATE trials SET status = 'cancelled', "
	    "cancelled_at = now() WHERE id = $1::bigint AND "
	    "lock_version = $2::integer", 2, params) != 1)
		goto failed;

	params[0] = tr->ns;
	params[1] = tr->plan;
	if (write_exec_count(w, "UPDATE namespaces n SET plan = coalesce(("
	    "SELECT namespace_plan_for(s.gitlab_plan) FROM "
	    "zuora_subscriptions s WHERE s.id = n.zuora_subscription_id), "
	    "'free') WHERE n.id = $1::bigint AND n.plan = $2", 2, params) < 0)
		goto failed;

	(void)snprintf(msg, sizeof(msg), "Trial of %s cancelled.%s", tr->path,
	    gitlab_queued_note(w));
	if (write_commit(w) == -1)
		goto failed;

	json_decref(tr->summary);
	return (edit_flash_redirect(req, "notice", msg, SCREEN));

failed:
	return (trial_write_failed(req, ctx, w, f, tr->summary,
	    cancel_render));
}
