/*
 * liboauth2's blocking calls, in a Kore task (http/bg.c, a thread of the
 * worker): the callback's token exchange, JWKS download and userinfo
 * call, and the metadata download of a lazy retry.  The worker keeps
 * serving other requests meanwhile, and the calls are bounded by
 * oidc_http_timeout besides.  Task threads never touch Kore's allocator
 * or the request: they fill in their job, and the request's handler,
 * re-entered when the task ends, does the rest.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kore/kore.h>
#include <kore/http.h>

#include <oauth2/http.h>
#include <oauth2/log.h>
#include <oauth2/openidc.h>
#include <oauth2/session.h>

#include "app.h"
#include "auth/auth.h"

#define METADATA_RETRY		2	/* seconds between tries when down */

static time_t	 retry_after = 0;

static void	 callback_run(struct auth_job *);
static int	 provider_take(struct http_request *, struct app_req *);

/* The pages only: each case logs its own reason. */
static const struct auth_refusal provider_down = {
	NULL, NULL, NULL,
	HTTP_STATUS_SERVICE_UNAVAILABLE, "Sign-in is unavailable",
	"The sign-in service cannot be reached right now, so nobody can "
	"sign in. Try again in a moment.", "Try again"
};

static const struct auth_refusal job_mixed = {
	NULL, NULL, NULL,
	HTTP_STATUS_INTERNAL_ERROR, "Sign-in did not complete",
	"Something went wrong while signing in. Start the sign-in again.",
	"Sign in again"
};

/*
 * The provider's configuration, fetched now in a task if this worker has
 * none yet (the provider was down at start).  PROVIDER_FAILED means a 503
 * page was rendered.
 */
int
provider_ensure(struct http_request *req, struct app_req *ctx)
{
	struct auth_job		*job;

	if (oidc != NULL)
		return (PROVIDER_READY);

	if ((job = bg_arg(ctx, job_run)) == NULL) {
		if (time(NULL) >= retry_after) {
			job_start(req, ctx, job_new(JOB_METADATA));
			return (PROVIDER_PENDING);
		}
		(void)auth_refuse(req, ctx, &provider_down, NULL, NULL);
		return (PROVIDER_FAILED);
	}

	if (job->kind != JOB_METADATA) {
		(void)auth_refuse(req, ctx, &job_mixed, NULL, NULL);
		return (PROVIDER_FAILED);
	}

	switch (bg_wait(req, ctx)) {
	case BG_RUNNING:
		return (PROVIDER_PENDING);
	case BG_OVERDUE:
		retry_after = time(NULL) + METADATA_RETRY;
		auth_log("error", "sign-in provider unavailable", ctx,
		    "discovery did not finish in time", NULL);
		(void)auth_refuse(req, ctx, &provider_down, NULL, NULL);
		return (PROVIDER_FAILED);
	}

	return (provider_take(req, ctx));
}

/* The metadata task is over: configure the provider from what it got. */
static int
provider_take(struct http_request *req, struct app_req *ctx)
{
	struct auth_job		*job;
	char			 err[256];
	int			 ok;

	job = bg_take(ctx);
	ok = 0;
	if (job->metadata != NULL) {
		if (provider_configure(oidc_quiet, job->metadata, err,
		    sizeof(err)) == 0)
			ok = 1;
		else
			(void)kore_strlcpy(job->why, err, sizeof(job->why));
	}
	if (ok)
		auth_log("info", "sign-in provider ready", ctx, NULL, NULL);
	else
		auth_log("warning", "sign-in provider unavailable", ctx,
		    job->why, NULL);
	job_free(job);

	if (oidc != NULL)
		return (PROVIDER_READY);

	retry_after = time(NULL) + METADATA_RETRY;
	(void)auth_refuse(req, ctx, &provider_down, NULL, NULL);
	return (PROVIDER_FAILED);
}

struct auth_job *
job_new(int kind)
{
	struct auth_job		*job;

	if ((job = calloc(1, sizeof(*job))) == NULL)
		fatalx("sign-in: out of memory");
	job->kind = kind;

	return (job);
}

/*
 * Start the job in a task bound to the request, which sleeps until the
 * task ends (http/bg.c).  Every call in it is bounded by oidc_http_timeout;
 * past that, with the grace, the task is overdue.  The job stays with
 * the request until the handler takes it, or is freed with the request
 * once its task is over.
 */
void
job_start(struct http_request *req, struct app_req *ctx,
    struct auth_job *job)
{
	u_int64_t	calls;

	calls = job->kind == JOB_CALLBACK ? 4 : 1;
	bg_start(req, ctx, job_run, job, job_free,
	    calls * (u_int64_t)app_cfg.oidc_http_timeout * 1000);
}

void
job_free(void *arg)
{
	struct auth_job		*job = arg;

	free(job->query);
	if (job->cookie != NULL) {
		explicit_bzero(job->cookie, strlen(job->cookie));
		free(job->cookie);
	}
	free(job->metadata);
	if (job->id_claims != NULL)
		json_decref(job->id_claims);
	if (job->userinfo != NULL)
		json_decref(job->userinfo);
	explicit_bzero(job, sizeof(*job));
	free(job);
}

/* A task thread: blocking calls to the provider, nothing else. */
void
job_run(void *arg)
{
	struct auth_job		*job = arg;
	oauth2_log_t		*log;

	switch (job->kind) {
	case JOB_METADATA:
		log = oidc_log_new(&job->diag);
		job->metadata = metadata_fetch(log, app_cfg.oidc_http_timeout,
		    job->why, sizeof(job->why));
		oauth2_log_free(log);
		break;
	case JOB_CALLBACK:
		callback_run(job);
		break;
	}
}

/*
 * In a task thread: liboauth2 handles the callback (state cookie, token
 * exchange with the PKCE verifier, ID token signature, userinfo) and
 * saves its session; the claims are read back from that session.
 */
static void
callback_run(struct auth_job *job)
{
	oauth2_log_t		*log;
	oauth2_http_request_t	*r, *sr;
	oauth2_http_response_t	*resp;
	oauth2_session_rec_t	*rec;
	json_t			*claims, *v;
	const char		*sc, *end;
	char			*cookie;
	size_t			 len;

	resp = NULL;
	claims = NULL;
	cookie = NULL;
	log = oidc_log_new(&job->diag);

	if ((r = oidc_request(log, CALLBACK_PATH, job->query,
	    job->cookie)) == NULL) {
		(void)snprintf(job->why, sizeof(job->why), "out of memory");
		goto done;
	}

	if (!oauth2_openidc_handle(log, oidc, r, &resp, &claims) ||
	    resp == NULL ||
	    oauth2_http_response_status_code_get(log, resp) != 302) {
		(void)snprintf(job->why, sizeof(job->why), "%s",
		    job->diag.unreachable ? "provider not reachable" :
		    "provider's answer refused");
		goto done;
	}

	sc = oauth2_http_response_header_set_cookie_prefix_get(log, resp,
	    OIDC_SESSION_COOKIE "=");
	if (sc == NULL) {
		(void)snprintf(job->why, sizeof(job->why), "no claims");
		goto done;
	}
	if ((end = strchr(sc, ';')) == NULL)
		end = sc + strlen(sc);
	len = (size_t)(end - sc);
	if ((cookie = malloc(len + 1)) == NULL)
		goto done;
	memcpy(cookie, sc, len);
	cookie[len] = '\0';

	rec = NULL;
	if ((sr = oidc_request(log, "/", NULL, cookie)) != NULL) {
		if (oauth2_session_load(log, oidc_session, sr, &rec) &&
		    rec != NULL) {
			if ((v = oauth2_session_rec_id_token_claims_get(log,
			    rec)) != NULL)
				job->id_claims = json_deep_copy(v);
			if ((v = oauth2_session_rec_userinfo_claims_get(log,
			    rec)) != NULL)
				job->userinfo = json_deep_copy(v);
		}
		if (rec != NULL)
			oauth2_session_rec_free(log, rec);
		oauth2_http_request_free(log, sr);
	}

	if (job->id_claims == NULL)
		(void)snprintf(job->why, sizeof(job->why), "no claims");
	else
		job->ok = 1;

done:
	if (cookie != NULL) {
		explicit_bzero(cookie, strlen(cookie));
		free(cookie);
	}
	oidc_handled_free(log, r, resp, claims);
}
