/*
 * What a person gets when they may not go on, and the pages about
 * signing in: the access check's refusals (auth_deny()), the sign-in's
 * refusals (auth_refuse(): logged, then a page with a button to start
 * again), and the checks of what the browser sent that the sign-in
 * pages share.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/auth.h"

static int	 auth_deny_signed_out(struct http_request *, struct app_req *);
static int	 auth_deny_unchecked(struct http_request *, struct app_req *);
static json_t	*deny_view(struct app_req *, const char *, int, const char *,
		    const char *);
static void	 request_target(struct http_request *, struct kore_buf *);
static void	 signin_href(struct http_request *, struct kore_buf *);

/*
 * The answer when the access check of the dispatcher says no.
 */
int
auth_deny(struct http_request *req, struct app_req *ctx, int why)
{
	json_t		*view;

	switch (why) {
	case AUTH_DENY_SIGNED_OUT:
		if (ctx->session == SESSION_UNCHECKED)
			return (auth_deny_unchecked(req, ctx));
		return (auth_deny_signed_out(req, ctx));
	case AUTH_DENY_NO_ROLE:
		view = deny_view(ctx, "No access", HTTP_STATUS_FORBIDDEN,
		    "no_role", "Your account is not in any group that gives "
		    "access to CustomersDot Admin.");
		return (render_page(req, ctx, HTTP_STATUS_FORBIDDEN,
		    "noaccess", view));
	case AUTH_DENY_CSRF:
		view = deny_view(ctx, "Forbidden", HTTP_STATUS_FORBIDDEN,
		    "csrf", "The form could not be accepted: it has expired "
		    "or did not come from this site, so nothing was changed. "
		    "Go back, reload the page and try again.");
		return (render_page(req, ctx, HTTP_STATUS_FORBIDDEN, "error",
		    view));
	case AUTH_DENY_ROLE:
	default:
		view = deny_view(ctx, "Forbidden", HTTP_STATUS_FORBIDDEN,
		    "role", "Your account does not have access to this page.");
		return (render_page(req, ctx, HTTP_STATUS_FORBIDDEN, "error",
		    view));
	}
}

/*
 * Not signed in: a form post is refused with a page (nothing changed),
 * a JSON client gets a 401 with the sign-in URL, a page redirects to
 * the sign-in.
 */
static int
auth_deny_signed_out(struct http_request *req, struct app_req *ctx)
{
	struct kore_buf	*href;
	json_t		*view;
	int		 ret;

	href = kore_buf_alloc(256);
	signin_href(req, href);

	if (req->method == HTTP_METHOD_POST) {
		view = deny_view(ctx, "Forbidden", HTTP_STATUS_FORBIDDEN,
		    "signed_out", "You are not signed in (your session may "
		    "have ended), so nothing was changed. Sign in and try "
		    "again.");
		json_object_set_new(view, "retry_href",
		    json_string(kore_buf_stringify(href, NULL)));
		json_object_set_new(view, "retry_label",
		    json_string("Sign in"));
		ret = render_page(req, ctx, HTTP_STATUS_FORBIDDEN,
		    "auth_error", view);
	} else if (ctx->wants_json) {
		view = deny_view(ctx, "Unauthorized",
		    HTTP_STATUS_UNAUTHORIZED, ctx->session == SESSION_EXPIRED ?
		    "session_expired" : "signed_out", "Sign in first.");
		json_object_set_new(view, "signin_url",
		    json_string(kore_buf_stringify(href, NULL)));
		ret = render_json(req, HTTP_STATUS_UNAUTHORIZED, view);
	} else {
		ret = render_redirect(req, kore_buf_stringify(href, NULL));
	}

	kore_buf_free(href);
	return (ret);
}

/* A refusal's view model: its title, status, reason and message. */
static json_t *
deny_view(struct app_req *ctx, const char *title, int status,
    const char *reason, const char *error)
{
	json_t		*view;

	view = render_view(ctx, title);
	json_object_set_new(view, "status", json_integer(status));
	json_object_set_new(view, "reason", json_string(reason));
	json_object_set_new(view, "error", json_string(error));

	return (view);
}

/*
 * The session's cookie opened but whether it was signed out could not be
 * looked up (session_load()): fail closed, but say so instead of sending
 * the person to sign in again, and keep the cookie so that the same
 * request works once the database is back.  503 when it cannot be
 * reached (worth trying again), 500 when it answered with an error.
 */
static int
auth_deny_unchecked(struct http_request *req, struct app_req *ctx)
{
	struct kore_buf	*ret;
	json_t		*view;
	const char	*r;
	char		 msg[320];
	int		 status, res;

	if (db_last_failure_down()) {
		status = HTTP_STATUS_SERVICE_UNAVAILABLE;
		(void)snprintf(msg, sizeof(msg), "Your session could not be "
		    "checked because the database cannot be reached right "
		    "now, so nothing was shown or changed. Try again in a "
		    "moment; you do not need to sign in again.");
	} else {
		status = HTTP_STATUS_INTERNAL_ERROR;
		(void)snprintf(msg, sizeof(msg), "Your session could not be "
		    "checked, so nothing was shown or changed. Something went "
		    "wrong on our side; it has been logged with request id "
		    "%s.", ctx->request_id);
	}

	ret = kore_buf_alloc(256);
	request_target(req, ret);
	r = kore_buf_stringify(ret, NULL);
	if (req->method == HTTP_METHOD_POST || !return_ok(r))
		r = RETURN_DEFAULT;

	view = deny_view(ctx, http_status_text(status), status,
	    "session_unchecked", msg);
	json_object_set_new(view, "retry_href", json_string(r));
	json_object_set_new(view, "retry_label", json_string("Try again"));
	res = render_page(req, ctx, status, "auth_error", view);
	kore_buf_free(ret);

	return (res);
}

/* This request's path and query, as the browser asked for them. */
static void
request_target(struct http_request *req, struct kore_buf *b)
{
	kore_buf_appendf(b, "%s", req->path);
	if (req->query_string != NULL && *req->query_string != '\0')
		kore_buf_appendf(b, "?%s", req->query_string);
}

/* /auth/signin?return_to=<this request's path and query, if local>. */
static void
signin_href(struct http_request *req, struct kore_buf *b)
{
	struct kore_buf	*ret;
	const char	*r;

	ret = kore_buf_alloc(256);
	request_target(req, ret);
	r = kore_buf_stringify(ret, NULL);

	kore_buf_appendf(b, "%s", SIGNIN_PATH);
	if (req->method != HTTP_METHOD_POST && return_ok(r) &&
	    strcmp(r, RETURN_DEFAULT) != 0) {
		kore_buf_appendf(b, "?return_to=");
		url_append(b, r);
	}
	kore_buf_free(ret);
}

/*
 * A sign-in refused: logged (unless r says nothing to log; reason, when
 * given, instead of r's), then r's page.
 */
int
auth_refuse(struct http_request *req, struct app_req *ctx,
    const struct auth_refusal *r, const char *reason,
    const struct oidc_diag *d)
{
	if (r->level != NULL)
		auth_log(r->level, r->event, ctx, reason != NULL ? reason :
		    r->reason, d);

	return (auth_page(req, ctx, r->status, r->title, r->message,
	    r->label));
}

/* Both cookies of a sign-in's state, cleared: it is tried only once. */
void
state_cookies_clear(struct http_request *req, const char *state)
{
	char		 name[sizeof(OIDC_STATE_PREFIX) + STATE_MAX];

	(void)snprintf(name, sizeof(name), "%s%s", TXN_COOKIE_PREFIX, state);
	render_cookie(req, name, "", 0);
	(void)snprintf(name, sizeof(name), "%s%s", OIDC_STATE_PREFIX, state);
	render_cookie(req, name, "", 0);
}

/* A page about signing in, with a link to start it again. */
int
auth_page(struct http_request *req, struct app_req *ctx, int status,
    const char *title, const char *message, const char *retry)
{
	return (auth_page_to(req, ctx, status, title, message, SIGNIN_PATH,
	    retry));
}

/* The same, its button leading to href (a path of this site). */
int
auth_page_to(struct http_request *req, struct app_req *ctx, int status,
    const char *title, const char *message, const char *href,
    const char *label)
{
	json_t		*view;

	view = render_view(ctx, title);
	json_object_set_new(view, "status", json_integer(status));
	json_object_set_new(view, "error", json_string(message));
	json_object_set_new(view, "retry_href", json_string(href));
	json_object_set_new(view, "retry_label", json_string(label));

	return (render_page(req, ctx, status, "auth_error", view));
}

/*
 * Where to go after signing in: a path of this site only.  One leading
 * '/', not "//" (another host), no '\' (browsers read it as '/'), no
 * control characters, nothing under /auth/ (no loops), bounded.
 */
int
return_ok(const char *r)
{
	const char	*p;

	if (r[0] != '/' || r[1] == '/' || r[1] == '\\' ||
	    strlen(r) > RETURN_MAX || strncmp(r, "/auth/", 6) == 0 ||
	    strcmp(r, "/auth") == 0)
		return (0);

	for (p = r; *p != '\0'; p++) {
		if (*p == '\\' || !isprint((unsigned char)*p))
			return (0);
	}

	return (1);
}

/* A parameter given exactly once, or NULL. */
const char *
param_once(const struct params *p, const char *key)
{
	const char	*v;
	size_t		 i;

	v = NULL;
	for (i = 0; i < p->n; i++) {
		if (strcmp(p->v[i].key, key) != 0)
			continue;
		if (v != NULL)
			return (NULL);
		v = p->v[i].val;
	}

	return (v);
}

/* state and nonce as liboauth2 makes them: base64url, bounded. */
int
token_ok(const char *s, size_t max)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= max || (!isalnum((unsigned char)s[i]) &&
		    s[i] != '-' && s[i] != '_'))
			return (0);
	}

	return (i >= 8);
}

/* One log line about a sign-in: our reason, liboauth2's failing spot. */
void
auth_log(const char *level, const char *msg, struct app_req *ctx,
    const char *reason, const struct oidc_diag *d)
{
	json_t	*obj;

	obj = json_pack("{s:s, s:s}", "level", level, "request_id",
	    ctx->request_id);
	if (reason != NULL)
		json_object_set_new(obj, "reason", json_string(reason));
	if (d != NULL && d->where[0] != '\0')
		json_object_set_new(obj, "oidc_function",
		    json_string(d->where));
	if (d != NULL && d->http_status != 0)
		json_object_set_new(obj, "oidc_http_status",
		    json_integer(d->http_status));
	log_event(msg, obj);
}
