/*
 * GET /auth/callback: the end of a sign-in.  Checked here first (cheap
 * refusals need no provider), then liboauth2 in a task (auth/task.c: the
 * state cookie, the token exchange with the PKCE verifier, the ID
 * token's signature against the provider's JWKS and its exp/iat, the
 * userinfo call), then what liboauth2 does not check (iss, aud/azp,
 * exp, iat, and the nonce kept in the transaction cookie by
 * auth/signin.c), then the app's own session (auth/session.c).
 *
 * A state is taken once: the callback records it in PostgreSQL
 * (session_marks, auth/marks_db.c) before the provider is asked, and a
 * second callback with it, on any instance, is refused even with its
 * cookies replayed.  liboauth2's own session cookie never leaves the
 * worker: the claims are read back from it in the task.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "app.h"
#include "auth/auth.h"
#include "auth/marks.h"
#include "lib/validate.h"

#define CODE_MAX		2048

static int	 callback_start(struct http_request *, struct app_req *);
static int	 callback_error(struct http_request *, struct app_req *);
static const struct auth_refusal *callback_query(struct app_req *,
		    const char **, const char **);
static const struct auth_refusal *state_take(struct http_request *,
		    const char *, struct auth_job *, char *);
static void	 job_input(struct auth_job *, const char *, const char *,
		    const char *);
static int	 callback_finish(struct http_request *, struct app_req *);
static int	 callback_signed_in(struct http_request *, struct app_req *,
		    struct auth_job *);
static void	 signed_in_log(struct app_req *);
static const char *claims_check(struct auth_job *, const char **,
		    json_t **);
static const char *claims_party(json_t *);
static const char *claims_times(json_t *);
static const char *claims_email(json_t *, json_t *, const char **);

static const struct auth_refusal provider_refused = {
	"warning", "sign-in refused by the provider", "provider error",
	HTTP_STATUS_FORBIDDEN, "Sign-in did not complete",
	"The sign-in service did not sign you in (it was cancelled or "
	"refused there).", "Sign in again"
};

static const struct auth_refusal malformed = {
	"warning", "sign-in refused", "malformed callback",
	HTTP_STATUS_BAD_REQUEST, "Sign-in did not complete",
	"This sign-in link is not complete. Start the sign-in again.",
	"Sign in again"
};

static const struct auth_refusal other_issuer = {
	"warning", "sign-in refused", "callback from another issuer",
	HTTP_STATUS_BAD_REQUEST, "Sign-in did not complete",
	"This sign-in answer came from another sign-in service. Start the "
	"sign-in again.", "Sign in again"
};

/*
 * The state could not be taken: the database is down.  Fail closed, a
 * state that cannot be recorded as used could be used again.
 */
static const struct auth_refusal state_unrecorded = {
	"error", "sign-in failed", "used state could not be recorded",
	HTTP_STATUS_SERVICE_UNAVAILABLE, "Sign-in is unavailable",
	"The sign-in could not be completed because the database cannot be "
	"reached right now. Start the sign-in again in a moment.",
	"Sign in again"
};

static const struct auth_refusal state_bad = {
	"warning", "sign-in refused", "unknown, expired or used state",
	HTTP_STATUS_BAD_REQUEST, "Sign-in expired",
	"This sign-in has expired, was already used, or was started in "
	"another browser. Start the sign-in again.", "Sign in again"
};

static const struct auth_refusal task_overdue = {
	"error", "sign-in failed", "the sign-in task did not finish in time",
	HTTP_STATUS_SERVICE_UNAVAILABLE, "Sign-in is unavailable",
	"The sign-in service did not answer in time, so the sign-in could "
	"not be completed. Try again in a moment.", "Try again"
};

static const struct auth_refusal provider_unreachable = {
	"warning", "sign-in failed", "provider not reachable",
	HTTP_STATUS_SERVICE_UNAVAILABLE, "Sign-in is unavailable",
	"The sign-in service did not answer, so the sign-in could not be "
	"completed. Try again in a moment.", "Try again"
};

static const struct auth_refusal answer_refused = {
	"warning", "sign-in failed", NULL,
	HTTP_STATUS_BAD_REQUEST, "Sign-in did not complete",
	"The sign-in could not be completed: the sign-in link was invalid "
	"or already used, or the answer of the sign-in service could not be "
	"verified. Start the sign-in again.", "Sign in again"
};

static const struct auth_refusal claims_refused = {
	"warning", "sign-in refused", NULL,
	HTTP_STATUS_BAD_REQUEST, "Sign-in did not complete",
	"The answer of the sign-in service could not be verified, so you "
	"were not signed in. Start the sign-in again.", "Sign in again"
};

static const struct auth_refusal session_failed = {
	"warning", "sign-in failed", "session not issued",
	HTTP_STATUS_INTERNAL_ERROR, "Sign-in did not complete",
	"The session could not be started. Start the sign-in again.",
	"Sign in again"
};

/*
 * GET /auth/callback?code=...&state=...[&iss=...]: checked here first
 * (cheap refusals need no provider), then liboauth2 in a task, then the
 * claims, then the session.
 */
int
auth_callback(struct http_request *req, struct app_req *ctx)
{
	struct auth_job		*job;
	int			 rc;

	if ((job = bg_arg(ctx, job_run)) != NULL && job->kind == JOB_CALLBACK)
		return (callback_finish(req, ctx));

	if ((rc = provider_ensure(req, ctx)) != PROVIDER_READY)
		return (rc == PROVIDER_PENDING ? KORE_RESULT_RETRY :
		    KORE_RESULT_OK);

	return (callback_start(req, ctx));
}

static int
callback_start(struct http_request *req, struct app_req *ctx)
{
	const struct auth_refusal	*no;
	struct auth_job			*job;
	const char			*code, *state;
	char				*val;
	int				 rc;

	if (params_get(&ctx->query, "error") != NULL)
		return (callback_error(req, ctx));
	if ((no = callback_query(ctx, &code, &state)) != NULL)
		return (auth_refuse(req, ctx, no, NULL, NULL));

	job = job_new(JOB_CALLBACK);
	val = kore_malloc(COOKIE_VALUE_MAX);
	if ((no = state_take(req, state, job, val)) != NULL) {
		job_free(job);
		rc = auth_refuse(req, ctx, no, NULL, NULL);
		goto out;
	}

	job_input(job, code, state, val);
	job_start(req, ctx, job);
	rc = KORE_RESULT_RETRY;

out:
	explicit_bzero(val, COOKIE_VALUE_MAX);
	kore_free(val);
	return (rc);
}

/* The provider sent the person back without signing them in. */
static int
callback_error(struct http_request *req, struct app_req *ctx)
{
	const char	*state;

	if ((state = param_once(&ctx->query, "state")) != NULL &&
	    token_ok(state, STATE_MAX))
		state_cookies_clear(req, state);

	return (auth_refuse(req, ctx, &provider_refused, NULL, NULL));
}

/* The callback's code and state, each given once; NULL or a refusal. */
static const struct auth_refusal *
callback_query(struct app_req *ctx, const char **code, const char **state)
{
	const char	*iss;

	*code = param_once(&ctx->query, "code");
	*state = param_once(&ctx->query, "state");
	if (*code == NULL || *state == NULL || !token_ok(*state, STATE_MAX) ||
	    strlen(*code) > CODE_MAX || strlen(*code) == 0)
		return (&malformed);

	/* RFC 9207: the provider names itself; it must be ours. */
	if (params_get(&ctx->query, "iss") != NULL &&
	    ((iss = param_once(&ctx->query, "iss")) == NULL ||
	    strcmp(iss, app_cfg.oidc_issuer) != 0))
		return (&other_issuer);

	return (NULL);
}

/*
 * The sign-in this browser started with state: its transaction cookie
 * (nonce, return path, start time, into job) and liboauth2's state
 * cookie (into val, COOKIE_VALUE_MAX bytes).  Everything the browser sent
 * is checked first; the state is taken (recorded as used, atomically: 1
 * when this request took it) last, so that only a sign-in this browser
 * started writes a mark.  NULL, or the refusal.
 */
static const struct auth_refusal *
state_take(struct http_request *req, const char *state, struct auth_job *job,
    char *val)
{
	json_t		*txn;
	const char	*nonce, *ret, *s;
	char		 name[sizeof(OIDC_STATE_PREFIX) + STATE_MAX];
	json_int_t	 t;
	int		 used;

	(void)snprintf(name, sizeof(name), "%s%s", TXN_COOKIE_PREFIX, state);
	if ((txn = session_open_cookie(req, name)) == NULL)
		return (&state_bad);
	nonce = json_string_value(json_object_get(txn, "n"));
	ret = json_string_value(json_object_get(txn, "r"));
	s = json_string_value(json_object_get(txn, "s"));
	t = json_integer_value(json_object_get(txn, "t"));

	(void)snprintf(name, sizeof(name), "%s%s", OIDC_STATE_PREFIX, state);
	used = 0;
	if (nonce != NULL && ret != NULL && s != NULL &&
	    token_ok(nonce, STATE_MAX) && return_ok(ret) &&
	    strcmp(s, state) == 0 && t <= time(NULL) + CLAIM_SKEW &&
	    time(NULL) - t <= AUTH_TXN_TIMEOUT &&
	    session_cookie_get(req, name, val, COOKIE_VALUE_MAX) == 1 &&
	    (used = auth_mark(MARK_USED_STATE, state, AUTH_TXN_TIMEOUT +
	    CLAIM_SKEW)) == 1) {
		(void)kore_strlcpy(job->state, state, sizeof(job->state));
		(void)kore_strlcpy(job->nonce, nonce, sizeof(job->nonce));
		(void)kore_strlcpy(job->return_to, ret,
		    sizeof(job->return_to));
	}
	json_decref(txn);

	if (used == 1)
		return (NULL);
	return (used == -1 ? &state_unrecorded : &state_bad);
}

/*
 * What liboauth2 sees of the callback: only what was checked, the code
 * and state, and liboauth2's own state cookie (its value in val).
 */
static void
job_input(struct auth_job *job, const char *code, const char *state,
    const char *val)
{
	struct kore_buf		*b;

	b = kore_buf_alloc(256);
	kore_buf_appendf(b, "code=");
	url_append(b, code);
	kore_buf_appendf(b, "&state=");
	url_append(b, state);
	job->query = strdup(kore_buf_stringify(b, NULL));
	explicit_bzero(b->data, b->offset);
	kore_buf_reset(b);
	kore_buf_appendf(b, "%s%s=%s", OIDC_STATE_PREFIX, state, val);
	job->cookie = strdup(kore_buf_stringify(b, NULL));
	explicit_bzero(b->data, b->offset);
	kore_buf_free(b);
	if (job->query == NULL || job->cookie == NULL)
		fatalx("sign-in: out of memory");
}

static int
callback_finish(struct http_request *req, struct app_req *ctx)
{
	struct auth_job		*job;
	int			 rc;

	switch (bg_wait(req, ctx)) {
	case BG_RUNNING:
		return (KORE_RESULT_RETRY);
	case BG_OVERDUE:
		return (auth_refuse(req, ctx, &task_overdue, NULL, NULL));
	}
	job = bg_take(ctx);

	/* One try per state (callback_start() took it), whatever happens. */
	state_cookies_clear(req, job->state);

	if (!job->ok) {
		if (job->diag.unreachable || job->diag.http_status >= 500)
			rc = auth_refuse(req, ctx, &provider_unreachable, NULL,
			    &job->diag);
		else
			rc = auth_refuse(req, ctx, &answer_refused, job->why,
			    &job->diag);
	} else {
		rc = callback_signed_in(req, ctx, job);
	}

	job_free(job);
	return (rc);
}

/* liboauth2 is content: the claims are checked, the session starts. */
static int
callback_signed_in(struct http_request *req, struct app_req *ctx,
    struct auth_job *job)
{
	json_t		*groups;
	const char	*email, *why;
	int		 r;

	if ((why = claims_check(job, &email, &groups)) != NULL)
		return (auth_refuse(req, ctx, &claims_refused, why,
		    &job->diag));

	r = session_issue(req, ctx, email, groups);
	json_decref(groups);
	if (r == -1)
		return (auth_refuse(req, ctx, &session_failed, NULL, NULL));

	signed_in_log(ctx);
	return (render_redirect(req, job->return_to));
}

static void
signed_in_log(struct app_req *ctx)
{
	json_t		*roles;
	char		 actor[APP_USER_MAX + 8];
	int		 r;

	roles = json_array();
	for (r = ROLE_READ_ONLY; r <= ROLE_SUPPORT_ADMIN; r <<= 1) {
		if (ctx->roles & r)
			json_array_append_new(roles,
			    json_string(config_role_name(r)));
	}
	log_event("signed in", json_pack("{s:s, s:s, s:s, s:o}",
	    "request_id", ctx->request_id, "user", ctx->user, "actor",
	    session_actor(ctx, actor, sizeof(actor)) ? actor : "",
	    "roles", roles));
}

/*
 * What liboauth2 does not check.  Returns NULL when the ID token is ours
 * (email and groups set; groups is a new reference) or the reason.
 */
static const char *
claims_check(struct auth_job *job, const char **email, json_t **groups)
{
	json_t		*id, *ui, *g, *v;
	const char	*nonce, *sub, *usub, *e, *why;
	char		*p;

	id = job->id_claims;
	if ((why = claims_party(id)) != NULL ||
	    (why = claims_times(id)) != NULL)
		return (why);

	nonce = json_string_value(json_object_get(id, "nonce"));
	if (nonce == NULL || !session_equal(nonce, job->nonce))
		return ("ID token nonce does not match");

	sub = json_string_value(json_object_get(id, "sub"));
	if (sub == NULL || *sub == '\0')
		return ("ID token without sub");

	/* Userinfo counts only when it is about the same subject. */
	ui = job->userinfo;
	usub = ui ? json_string_value(json_object_get(ui, "sub")) : NULL;
	if (usub == NULL || strcmp(usub, sub) != 0)
		ui = NULL;

	if ((why = claims_email(id, ui, &e)) != NULL)
		return (why);

	g = json_object_get(id, "groups");
	if (g == NULL && ui != NULL)
		g = json_object_get(ui, "groups");
	if (g != NULL && !json_is_array(g))
		return ("groups claim is not a list");

	/* Keep the lower-cased address in the ID token copy for the caller. */
	if ((v = json_string(e)) == NULL)
		return ("email is not text");
	for (p = (char *)json_string_value(v); *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	json_object_set_new(id, "cdot_email", v);
	*email = json_string_value(v);
	*groups = g != NULL ? json_incref(g) : json_array();

	return (NULL);
}

/* The ID token is from our issuer, for us (aud, and azp when needed). */
static const char *
claims_party(json_t *id)
{
	json_t		*aud, *v;
	const char	*iss, *azp;
	size_t		 i;
	int		 found;

	iss = json_string_value(json_object_get(id, "iss"));
	if (iss == NULL || strcmp(iss, app_cfg.oidc_issuer) != 0)
		return ("ID token from another issuer");

	aud = json_object_get(id, "aud");
	found = 0;
	if (json_is_string(aud)) {
		found = strcmp(json_string_value(aud),
		    app_cfg.oidc_client_id) == 0;
	} else if (json_is_array(aud)) {
		json_array_foreach(aud, i, v) {
			if (json_is_string(v) && strcmp(json_string_value(v),
			    app_cfg.oidc_client_id) == 0)
				found = 1;
		}
	}
	if (!found)
		return ("ID token for another audience");

	azp = json_string_value(json_object_get(id, "azp"));
	if ((json_is_array(aud) && json_array_size(aud) > 1 && azp == NULL) ||
	    (azp != NULL && strcmp(azp, app_cfg.oidc_client_id) != 0))
		return ("ID token for another party");

	return (NULL);
}

/* exp and iat present, not expired, issued during this sign-in. */
static const char *
claims_times(json_t *id)
{
	json_int_t	 exp, iat;
	time_t		 now;

	if (!json_is_integer(json_object_get(id, "exp")) ||
	    !json_is_integer(json_object_get(id, "iat")))
		return ("ID token without exp or iat");

	now = time(NULL);
	exp = json_integer_value(json_object_get(id, "exp"));
	iat = json_integer_value(json_object_get(id, "iat"));
	if (now >= exp + CLAIM_SKEW)
		return ("ID token expired");
	if (iat > now + CLAIM_SKEW ||
	    iat < now - AUTH_TXN_TIMEOUT - CLAIM_SKEW)
		return ("ID token issued at an odd time");

	return (NULL);
}

/* The address: from the ID token, else from userinfo (ui, or NULL). */
static const char *
claims_email(json_t *id, json_t *ui, const char **email)
{
	json_t		*src;
	const char	*e;

	src = json_object_get(id, "email") != NULL ? id : ui;
	e = src ? json_string_value(json_object_get(src, "email")) : NULL;
	if (e == NULL || *e == '\0')
		return ("no email claim");
	if (json_is_false(json_object_get(src, "email_verified")))
		return ("email not verified");
	if (strlen(e) > EMAIL_MAX)
		return ("email too long");

	*email = e;
	return (NULL);
}
