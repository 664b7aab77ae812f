/*
 * GitLab.com in the panel (issue 17): what was sent to it, what it has.
 *
 *	GET  /.well-known/openid-configuration	where GitLab finds the keys
 *	GET  /oauth/discovery/keys		that verify our tokens (JWKS)
 *	POST /admin/support/gitlab_sync/<row>/retry
 *		send a failed request again (support admins)
 *	POST /admin/namespaces/<id>/refresh_from_gitlab
 *		bring the panel's copy in line with GitLab.com (editors and
 *		support admins), recorded in history as gitlab.com
 *
 * Requests to GitLab.com are outbox rows that the database's triggers
 * write with every change of a namespace or a trial (migration 017); the
 * outbox worker delivers them.  The "GitLab.com sync" panel shows them on
 * a namespace's page and in Namespace controls; reads a person waits for
 * (a live lookup, a refresh) run in a Kore task, bounded by
 * gitlab_http_timeout.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/support.h"
#include "clients/gitlab.h"

/* A read of GitLab.com: one call, each allowed twice its timeout. */
#define GJOB_BOUND_MS	((u_int64_t)2 * \
			    (u_int64_t)app_cfg.gitlab_http_timeout * 1000)

#define NS_PATH		GITLAB_API_PREFIX "/namespaces/"
#define DASH		"\xe2\x80\x94"

struct gjob {
	char			 path[160];
	struct gitlab_result	 result;
};

static struct gitlab_key	 app_gkey;
static char			 app_issuer[1024];

static void	 gjob_run(void *);
static int	 refresh_apply(struct http_request *, struct app_req *,
		    struct gjob *);
static const char *gitlab_text(json_t *, char *, size_t);

/* In the parent: the signing key, if one is configured. */
int
gitlab_keys_load(char *err, size_t errlen)
{
	(void)snprintf(app_issuer, sizeof(app_issuer), "%s/",
	    app_cfg.base_url);
	if (app_cfg.gitlab_jwt_key[0] == '\0')
		return (0);

	return (gitlab_key_load(app_cfg.gitlab_jwt_key, &app_gkey, err,
	    errlen));
}

int
gitlab_ready(void)
{
	return (app_gkey.jwk != NULL);
}

/* GET /.well-known/openid-configuration: GitLab reads it to find jwks_uri. */
int
page_gitlab_discovery(struct http_request *req, struct app_req *ctx)
{
	(void)ctx;
	return (render_json(req, HTTP_STATUS_OK, json_pack("{s:s, s:o, "
	    "s:[s], s:[s], s:[s]}", "issuer", app_issuer, "jwks_uri",
	    json_sprintf("%s/oauth/discovery/keys", app_cfg.base_url),
	    "id_token_signing_alg_values_supported", "RS256",
	    "subject_types_supported", "public",
	    "response_types_supported", "id_token")));
}

/* GET /oauth/discovery/keys: the public half of gitlab_jwt_key. */
int
page_gitlab_jwks(struct http_request *req, struct app_req *ctx)
{
	json_t	*jwks;

	if ((jwks = gitlab_jwks(&app_gkey)) == NULL)
		return (render_error(req, ctx, HTTP_STATUS_INTERNAL_ERROR,
		    "The keys could not be read."));
	return (render_json(req, HTTP_STATUS_OK, jwks));
}

/*
 * What a person is told after a change: that GitLab.com will follow, if
 * the transaction queued a request to it.  "" otherwise.
 */
const char *
gitlab_queued_note(struct write_txn *w)
{
	long	n;

	n = write_exec_count(w, "SELECT 1 FROM outbox WHERE "
	    "kind = 'gitlab_namespace_sync' AND "
	    "created_txid = pg_current_xact_id()", 0, NULL);
	if (n <= 0)
		return ("");
	return (" The change is queued for GitLab.com.");
}

/* A value of GitLab's answer as the panel shows it: "" for none. */
static const char *
gitlab_text(json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		(void)snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		(void)snprintf(buf, len, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
	else if (json_is_boolean(v))
		(void)snprintf(buf, len, "%s", json_is_true(v) ? "yes" : "no");
	else
		buf[0] = '\0';

	return (buf);
}

/* A request's row of the sync panel (row i of the panel's query). */
static json_t *
sync_row(PGresult *res, int i, int retry)
{
	json_t		*cells;
	const char	*status, *err, *applied;
	char		 what[256], answer[320], href[96], state[96];

	status = DB_COL(res, i, "status");
	err = DB_COL(res, i, "last_error");
	if (strcmp(status, "pending") == 0)
		(void)snprintf(state, sizeof(state), "%s%s%s",
		    *err != '\0' ? "queued (retrying)" : "queued",
		    *DB_COL(res, i, "next") ? ", next try " : "",
		    DB_COL(res, i, "next"));
	else
		(void)snprintf(state, sizeof(state), "%s", status);
	(void)snprintf(state + strlen(state), sizeof(state) - strlen(state),
	    " (%s %s)", DB_COL(res, i, "attempts"),
	    strcmp(DB_COL(res, i, "attempts"), "1") == 0 ? "attempt" :
	    "attempts");
	(void)snprintf(what, sizeof(what), "%s \xe2\x80\xa6%s %s",
	    DB_COL(res, i, "method"), DB_COL(res, i, "path"),
	    DB_COL(res, i, "body"));
	if (*err != '\0')
		(void)snprintf(answer, sizeof(answer), "%s", err);
	else if (*DB_COL(res, i, "last_status") != '\0')
		(void)snprintf(answer, sizeof(answer), "HTTP %s",
		    DB_COL(res, i, "last_status"));
	else
		(void)snprintf(answer, sizeof(answer), DASH);
	applied = DB_COL(res, i, "applied");

	cells = json_pack("[{s:s}, {s:s}, {s:s, s:s}, {s:s}, {s:s}]",
	    "value", DB_COL(res, i, "queued"), "value", what, "value", state,
	    "sync_status", status, "value", *applied ? applied : DASH,
	    "value", answer);
	if (retry && strcmp(status, "failed") == 0) {
		(void)snprintf(href, sizeof(href), "/admin/support/"
		    "gitlab_sync/%s/retry", DB_COL(res, i, "id"));
		json_array_append_new(cells, json_pack("{s:s, s:s}",
		    "value", "Retry", "post", href));
	}

	return (cells);
}

/* What the panel says below its rows. */
static const char *
sync_note(int n, int pending)
{
	if (n == 0)
		return ("Nothing was sent to GitLab.com for this namespace "
		    "from the panel.");
	if (pending)
		return ("Queued changes are sent to GitLab.com in the "
		    "background, in the order they were made, and retried "
		    "while GitLab.com cannot be reached.");

	return ("Changes are sent to GitLab.com in the background, in the "
	    "order they were made.");
}

/*
 * The "GitLab.com sync" panel of a namespace (our id): its requests,
 * newest first, with GitLab's answer; a failed one can be sent again by
 * a support admin.
 */
void
gitlab_sync_panel(struct app_req *ctx, json_t *view, const char *ns)
{
	PGresult	*res;
	json_t		*panel;
	const char	*params[1];
	int		 i, n, pending, retry;

	panel = edit_panel(view, "gitlab_sync", "GitLab.com sync");
	json_object_set_new(panel, "columns", json_pack("[s, s, s, s, s]",
	    "Queued at (UTC)", "Request", "Status", "Applied at (UTC)",
	    "GitLab.com's answer"));
	/* Not the page's own form or URL (the Support screen has both). */
	json_object_set_new(panel, "form", json_false());
	json_object_set_new(panel, "url", json_false());
	params[0] = ns;
	res = db_exec(ctx, "SELECT id, status, attempts::text AS attempts, "
	    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
	    "AS queued, CASE WHEN status = 'pending' AND attempts > 0 THEN "
	    "to_char(next_attempt_at AT TIME ZONE 'UTC', 'HH24:MI:SS') END "
	    "AS next, to_char(sent_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD HH24:MI:SS') AS applied, last_error, "
	    "last_status::text AS last_status, payload ->> 'method' AS method, "
	    "substr(payload ->> 'path', length('" NS_PATH "')) AS path, "
	    "left((payload -> 'body')::text, 160) AS body FROM outbox "
	    "WHERE kind = 'gitlab_namespace_sync' AND "
	    "record_type = 'namespaces' AND record_id = $1::bigint "
	    "ORDER BY id DESC LIMIT 10", 1, params);
	n = res != NULL ? PQntuples(res) : 0;
	pending = 0;
	retry = (ctx->roles & ROLE_SUPPORT_ADMIN) != 0;
	for (i = 0; i < n; i++) {
		pending |= strcmp(DB_COL(res, i, "status"), "pending") == 0;
		edit_panel_row(panel, sync_row(res, i, retry));
	}
	if (res != NULL)
		PQclear(res);

	json_object_set_new(panel, "note", json_string(sync_note(n,
	    pending)));
	json_object_set_new(panel, "sync", json_true());
}

/* A namespace's page: its sync panel and "Refresh from GitLab.com". */
void
namespace_show_extras(struct app_req *ctx, const char *id, json_t *view)
{
	char	href[160];

	if ((ctx->roles & (ROLE_EDITOR | ROLE_SUPPORT_ADMIN)) != 0) {
		(void)snprintf(href, sizeof(href),
		    "/admin/namespaces/%s/refresh_from_gitlab", id);
		edit_action(view, "refresh_from_gitlab",
		    "Refresh from GitLab.com", href, 1);
	}
	gitlab_sync_panel(ctx, view, id);
}

/*
 * POST /admin/support/gitlab_sync/<row>/retry: a failed request is
 * queued again, unless a later request to the same path already sent
 * every field it holds (sending it would undo that later change).
 */
int
gitlab_sync_retry(struct http_request *req, struct app_req *ctx)
{
	struct write_txn	 w;
	PGresult		*res;
	const char		*params[1];
	char			 href[96], ns[32];
	int			 found;

	params[0] = ctx->args[0];
	if (write_begin_admin(&w, ctx, NULL) == -1)
		return (edit_db_error(req, ctx));
	if (write_outbox(&w, "gitlab", "UPDATE outbox o SET status = "
	    "'pending', attempts = 0, next_attempt_at = now(), claim = NULL "
	    "WHERE o.id = $1::bigint AND o.kind = 'gitlab_namespace_sync' "
	    "AND o.status = 'failed' AND NOT EXISTS (SELECT 1 FROM outbox l "
	    "WHERE l.order_key = o.order_key AND l.id > o.id AND "
	    "l.status <> 'failed' AND l.payload ->> 'path' = "
	    "o.payload ->> 'path' AND (l.payload -> 'body') ?& ARRAY(SELECT "
	    "jsonb_object_keys(o.payload -> 'body'))) RETURNING "
	    "record_id::text AS namespace_id", 1, params, &res) == -1)
		return (edit_db_error(req, ctx));
	found = PQntuples(res) == 1;
	if (found)
		(void)kore_strlcpy(ns, DB_COL(res, 0, "namespace_id"),
		    sizeof(ns));
	PQclear(res);
	if (!found) {
		write_rollback(&w);
		return (render_error(req, ctx, HTTP_STATUS_CONFLICT, "This "
		    "request is not a failed one any more, or a later change "
		    "of the same fields has reached GitLab.com since: sending "
		    "it again would undo that change."));
	}
	if (write_commit(&w) == -1)
		return (edit_db_error(req, ctx));

	(void)snprintf(href, sizeof(href), "/admin/namespaces/%s", ns);
	return (edit_flash_redirect(req, "notice", "The request is queued "
	    "for GitLab.com again.", href));
}

/* In the task thread: one read of GitLab.com. */
static void
gjob_run(void *arg)
{
	struct gjob		*job = arg;
	struct gitlab_cfg	 cfg;

	cfg.base_url = app_cfg.gitlab_base_url;
	cfg.issuer = app_issuer;
	cfg.key = &app_gkey;
	cfg.timeout = app_cfg.gitlab_http_timeout;
	(void)gitlab_call(&cfg, "GET", job->path, NULL, &job->result);
}

void
gitlab_job_free(void *arg)
{
	struct gjob	*job = arg;

	gitlab_result_clear(&job->result);
	free(job);
}

/* Start reading namespace gitlab_id from GitLab.com for this request. */
void
gitlab_lookup_start(struct http_request *req, struct app_req *ctx,
    const char *gitlab_id)
{
	struct gjob	*job;

	if ((job = calloc(1, sizeof(*job))) == NULL)
		fatalx("gitlab job: out of memory");
	(void)snprintf(job->path, sizeof(job->path), NS_PATH "%s", gitlab_id);
	bg_start(req, ctx, gjob_run, job, gitlab_job_free, GJOB_BOUND_MS);
}

/*
 * What a finished lookup found: GitLab's namespace (a new reference), or
 * NULL with what a person is told in why, ending with what follows (so).
 */
json_t *
gitlab_lookup_result(void *arg, const char *so, char *why, size_t len)
{
	struct gjob	*job = arg;

	if (job->result.outcome == GITLAB_OK &&
	    json_is_object(job->result.body))
		return (json_incref(job->result.body));
	if (job->result.outcome == GITLAB_NOT_FOUND)
		(void)snprintf(why, len, "GitLab.com has no such namespace.");
	else if (job->result.outcome == GITLAB_RETRY)
		(void)snprintf(why, len, "GitLab.com cannot be reached, so "
		    "%s.", so);
	else
		(void)snprintf(why, len, "GitLab.com refused the lookup "
		    "(HTTP %ld), so %s.", job->result.status, so);

	return (NULL);
}

/*
 * A row of the comparison with GitLab.com: the field, the panel's value,
 * GitLab.com's, and whether they differ.
 */
void
gitlab_drift_add(json_t *rows, const char *label, const char *ours,
    json_t *live, const char *key)
{
	char	theirs[128];
	int	differs;

	(void)gitlab_text(json_object_get(live, key), theirs, sizeof(theirs));
	differs = strcmp(ours, theirs) != 0;
	json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:b}",
	    "label", label, "panel", *ours ? ours : "\xe2\x80\x94",
	    "gitlab", *theirs ? theirs : "\xe2\x80\x94", "differs", differs));
}

/* POST /admin/namespaces/<id>/refresh_from_gitlab */
int
namespace_refresh_from_gitlab(struct http_request *req, struct app_req *ctx)
{
	struct gjob	*job;
	PGresult	*res;
	const char	*params[1];
	char		 href[160], gid[32];
	int		 ret;

	(void)snprintf(href, sizeof(href), "/admin/namespaces/%s",
	    ctx->args[0]);
	switch (bg_wait(req, ctx)) {
	case BG_RUNNING:
		return (KORE_RESULT_RETRY);
	case BG_OVERDUE:
		return (edit_flash_redirect(req, "alert", "GitLab.com did not "
		    "answer in time, so nothing was changed. Try again later.",
		    href));
	case BG_DONE:
		job = bg_take(ctx);
		ret = refresh_apply(req, ctx, job);
		gitlab_job_free(job);
		return (ret);
	}

	if (!gitlab_ready())
		return (edit_flash_redirect(req, "alert", "GitLab.com is not "
		    "configured (gitlab_jwt_key), so nothing was read.", href));
	params[0] = ctx->args[0];
	res = db_exec(ctx, "SELECT gitlab_id::text AS gitlab_id FROM "
	    "namespaces WHERE id = $1::bigint", 1, params);
	if (res == NULL)
		return (edit_db_error(req, ctx));
	if (PQntuples(res) == 0) {
		PQclear(res);
		return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no such namespace."));
	}
	(void)kore_strlcpy(gid, DB_COL(res, 0, "gitlab_id"), sizeof(gid));
	PQclear(res);

	gitlab_lookup_start(req, ctx, gid);
	return (KORE_RESULT_RETRY);
}

/*
 * GitLab.com answered: write its plan, CI minutes, storage and max seats
 * into the panel's copy as gitlab.com (which the triggers do not send
 * back), and say what changed.
 */
static int
refresh_apply(struct http_request *req, struct app_req *ctx,
    struct gjob *job)
{
	struct write_txn	 w;
	PGresult		*res;
	json_t			*ns;
	const char		*params[5];
	char			 href[160], why[256], msg[512];
	char			 minutes[32], storage[32], seats[32], plan[64];
	long			 n;

	(void)snprintf(href, sizeof(href), "/admin/namespaces/%s",
	    ctx->args[0]);
	if ((ns = gitlab_lookup_result(job, "nothing was changed", why,
	    sizeof(why))) == NULL)
		return (edit_flash_redirect(req, "alert", why, href));

	params[0] = ctx->args[0];
	params[1] = *gitlab_text(json_object_get(ns, "plan"), plan,
	    sizeof(plan)) ? plan : NULL;
	params[2] = *gitlab_text(json_object_get(ns,
	    "extra_shared_runners_minutes_limit"), minutes,
	    sizeof(minutes)) ? minutes : NULL;
	params[3] = *gitlab_text(json_object_get(ns,
	    "additional_purchased_storage_size"), storage,
	    sizeof(storage)) ? storage : NULL;
	params[4] = *gitlab_text(json_object_get(ns, "max_seats_used"),
	    seats, sizeof(seats)) ? seats : NULL;
	json_decref(ns);

	if (write_begin(&w, ctx, "gitlab.com", NULL) == -1)
		return (edit_db_error(req, ctx));
	res = write_exec(&w, "UPDATE namespaces n SET "
	    "plan = coalesce($2, n.plan), "
	    "extra_ci_minutes = coalesce($3::integer, n.extra_ci_minutes), "
	    "additional_storage_mib = coalesce($4::integer, "
	    "n.additional_storage_mib), "
	    "max_seats_used = coalesce($5::integer, n.max_seats_used) "
	    "WHERE n.id = $1::bigint AND (n.plan, n.extra_ci_minutes, "
	    "n.additional_storage_mib, n.max_seats_used) IS DISTINCT FROM "
	    "(coalesce($2, n.plan), coalesce($3::integer, n.extra_ci_minutes), "
	    "coalesce($4::integer, n.additional_storage_mib), "
	    "coalesce($5::integer, n.max_seats_used)) RETURNING n.id", 5,
	    params);
	if (res == NULL) {
		if (write_is_constraint(&w))
			return (edit_flash_redirect(req, "alert", "GitLab.com's "
			    "values do not fit this namespace here (its plan "
			    "and subscription disagree), so nothing was "
			    "changed.", href));
		return (edit_db_error(req, ctx));
	}
	n = PQntuples(res);
	PQclear(res);
	if (write_commit(&w) == -1)
		return (edit_db_error(req, ctx));

	(void)snprintf(msg, sizeof(msg), "%s", n == 0 ? "The panel already "
	    "had GitLab.com's values; nothing was changed." : "The panel's "
	    "copy now has GitLab.com's values; History shows what changed.");
	return (edit_flash_redirect(req, "notice", msg, href));
}
