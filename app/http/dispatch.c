/*
 * The one Kore handler.  Every request comes here: it gets a request id,
 * its parameters parsed with bounds, a route from the route table, an
 * access decision from the role that route declares, and is logged and
 * counted when Kore frees it.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

#define BODY_MAX	(1024 * 1024)

int		 app_dispatch(struct http_request *);

static struct app_req	*req_ctx_new(struct http_request *);
static void	 req_ctx_free(struct http_request *);
static int	 req_method(const struct http_request *);
static int	 segment_valid(const char *, size_t, int);
static int	 req_read_form(struct http_request *, struct app_req *);
static void	 req_read_target(struct http_request *, struct app_req *,
		    const struct app_route *, int);
static int	 req_access(struct http_request *, struct app_req *,
		    const struct app_route *);

int
app_dispatch(struct http_request *req)
{
	struct app_req		*ctx;
	const struct app_route	*r;
	char			 err[PARAMS_ERRLEN];
	int			 i, method, path_matched;

	/* A handler that returned KORE_RESULT_RETRY is called again. */
	if ((ctx = req->hdlr_extra) != NULL && ctx->route >= 0)
		return (app_routes[ctx->route].handler(req, ctx));

	/* First come, first served (http/request_order.c). */
	if (request_order_wait(req))
		return (KORE_RESULT_RETRY);

	ctx = req_ctx_new(req);
	method = req_method(req);

	/* Who is asking, from headers only a trusted proxy may set. */
	auth_strip_forwarded(req);
	session_load(req, ctx);

	/* RailsAdmin's singular paths, kept by staff (http/railsadmin.c). */
	if (railsadmin_redirect(req) == KORE_RESULT_OK)
		return (KORE_RESULT_OK);

	if (req->query_string != NULL &&
	    params_parse(&ctx->query, req->query_string,
	    strlen(req->query_string), err, sizeof(err)) == -1)
		return (render_error(req, ctx, HTTP_STATUS_BAD_REQUEST, err));

	path_matched = 0;
	r = NULL;
	for (i = 0; i < (int)app_nroutes; i++) {
		ctx->nargs = 0;
		if (!app_route_match(app_routes[i].pattern, req->path, ctx))
			continue;
		path_matched = 1;
		if (app_routes[i].method != method)
			continue;
		r = &app_routes[i];
		break;
	}

	if (r == NULL) {
		if (path_matched) {
			return (render_error(req, ctx,
			    HTTP_STATUS_METHOD_NOT_ALLOWED,
			    "That action is not available with this method."));
		}
		return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no page at this address."));
	}

	ctx->route = i;

	if (!req_access(req, ctx, r))
		return (KORE_RESULT_OK);

	/* Using the panel keeps the session from going idle. */
	if (!(r->need & NEED_PUBLIC))
		session_touch(req, ctx);

	req_read_target(req, ctx, r, method);

	/*
	 * A service's API (ROUTE_API) is not a browser's form: no session
	 * to forge a request with, so no CSRF token; it reads its own body.
	 */
	if (method == HTTP_METHOD_POST && (r->need & ROUTE_API))
		return (r->handler(req, ctx));

	if (method == HTTP_METHOD_POST && req_read_form(req, ctx) == -1)
		return (KORE_RESULT_OK);

	/* Every state-changing request carries the session's token. */
	if (method == HTTP_METHOD_POST && !session_csrf_ok(ctx))
		return (auth_deny(req, ctx, AUTH_DENY_CSRF));

	return (r->handler(req, ctx));
}

/*
 * Where this request's reads go.  A person's save marks their next
 * replica_max_lag seconds (and two more for the worker's once-a-second
 * check of the lag) for the primary, on whichever instance they land:
 * a standby may not have the change yet, and a person must see what they
 * just saved.  Otherwise a ROUTE_READ page reads the standby while it is
 * fit (db/standby.c).  Signing in, the session's own rows, and every form
 * and record page read the primary.
 */
static void
req_read_target(struct http_request *req, struct app_req *ctx,
    const struct app_route *r, int method)
{
	char	*v;

	if (app_cfg.database_read_url[0] == '\0')
		return;
	if (method == HTTP_METHOD_POST && !(r->need & ROUTE_API)) {
		render_cookie(req, READ_PRIMARY_COOKIE, "1",
		    app_cfg.replica_max_lag + 2);
		return;
	}
	if (method != HTTP_METHOD_GET || !(r->need & ROUTE_READ))
		return;
	http_populate_cookies(req);
	ctx->read_standby = !http_request_cookie(req, READ_PRIMARY_COOKIE, &v);
}

/*
 * Match path against a pattern of '/'-separated segments: a literal, ":id"
 * (a positive decimal integer), ":name" (lower-case letters, digits and
 * '_'), or a final "*" (the rest of the path, which must not climb with
 * "..").  Captured segments go to ctx->args in order.
 */
int
app_route_match(const char *pattern, const char *path, struct app_req *ctx)
{
	const char	*p, *s, *pe, *se;
	size_t		 plen, slen;

	p = pattern;
	s = path;
	ctx->nargs = 0;

	for (;;) {
		if (*p != '/' || *s != '/')
			return (*p == '\0' && *s == '\0');
		p++;
		s++;

		pe = strchr(p, '/');
		plen = pe ? (size_t)(pe - p) : strlen(p);
		se = strchr(s, '/');
		slen = se ? (size_t)(se - s) : strlen(s);

		if (plen == 1 && *p == '*') {
			if (*s == '\0' || strstr(s, "..") != NULL ||
			    strlen(s) >= APP_ARG_MAX ||
			    ctx->nargs == APP_ARGS_MAX)
				return (0);
			(void)kore_strlcpy(ctx->args[ctx->nargs++], s,
			    APP_ARG_MAX);
			return (1);
		}

		if (*p == ':') {
			if (ctx->nargs == APP_ARGS_MAX || !segment_valid(s,
			    slen, plen == 3 && strncmp(p, ":id", 3) == 0))
				return (0);
			memcpy(ctx->args[ctx->nargs], s, slen);
			ctx->args[ctx->nargs++][slen] = '\0';
		} else if (plen != slen || strncmp(p, s, plen) != 0) {
			return (0);
		}

		p += plen;
		s += slen;
	}
}

/*
 * A captured segment: an id is a bigint without leading zeroes (at most
 * 18 digits, so it always fits), a name is [a-z0-9_]+.
 */
static int
segment_valid(const char *s, size_t len, int is_id)
{
	size_t		i;

	if (len == 0 || len >= APP_ARG_MAX)
		return (0);
	if (is_id && (len > 18 || s[0] == '0'))
		return (0);

	for (i = 0; i < len; i++) {
		if (isdigit((unsigned char)s[i]))
			continue;
		if (is_id)
			return (0);
		if (!islower((unsigned char)s[i]) && s[i] != '_')
			return (0);
	}

	return (1);
}

static struct app_req *
req_ctx_new(struct http_request *req)
{
	struct app_req	*ctx;
	const char	*accept;
	u_int8_t	 rnd[16];
	size_t		 i;

	ctx = kore_calloc(1, sizeof(*ctx));
	ctx->start_us = log_now_us();
	ctx->route = -1;
	params_init(&ctx->query);
	params_init(&ctx->form);

	arc4random_buf(rnd, sizeof(rnd));
	for (i = 0; i < sizeof(rnd); i++) {
		(void)snprintf(ctx->request_id + i * 2, 3, "%02x",
		    rnd[i]);
	}

	if (http_request_header(req, "accept", &accept) &&
	    strstr(accept, "application/json") != NULL)
		ctx->wants_json = 1;

	req->hdlr_extra = ctx;
	req->onfree = req_ctx_free;
	http_response_header(req, "x-request-id", ctx->request_id);

	return (ctx);
}

/*
 * Kore calls this when it frees the request (possibly more than once
 * while tasks finish); log and count exactly once, then let Kore free
 * hdlr_extra itself.
 */
static void
req_ctx_free(struct http_request *req)
{
	struct app_req	*ctx;

	if ((ctx = req->hdlr_extra) == NULL)
		return;

	/* A sign-in job is freed once its task is over. */
	auth_req_free(ctx);
	/* So is an editing task; no transaction outlives its request. */
	edit_req_free(ctx);

	if (ctx->finished)
		return;
	ctx->finished = 1;

	log_request(req, ctx);
	metrics_observe(ctx->route, req->status,
	    log_now_us() - ctx->start_us);

	params_free(&ctx->query);
	params_free(&ctx->form);
}

static int
req_method(const struct http_request *req)
{
	/* HEAD is GET without a body; Kore drops the body itself. */
	if (req->method == HTTP_METHOD_HEAD)
		return (HTTP_METHOD_GET);

	return (req->method);
}

static int
req_read_form(struct http_request *req, struct app_req *ctx)
{
	struct kore_buf	*buf;
	const char	*ctype;
	char		 data[4096], err[PARAMS_ERRLEN];
	ssize_t		 n;
	int		 ret;

	if (!http_request_header(req, "content-type", &ctype) ||
	    strncasecmp(ctype, "application/x-www-form-urlencoded",
	    33) != 0) {
		(void)render_error(req, ctx, HTTP_STATUS_UNSUPPORTED_MEDIA_TYPE,
		    "Forms must be sent as application/x-www-form-urlencoded.");
		return (-1);
	}

	buf = kore_buf_alloc(1024);
	for (;;) {
		if ((n = http_body_read(req, data, sizeof(data))) == -1) {
			kore_buf_free(buf);
			(void)render_error(req, ctx, HTTP_STATUS_BAD_REQUEST,
			    "The form could not be read.");
			return (-1);
		}
		if (n == 0)
			break;
		if (buf->offset + (size_t)n > BODY_MAX) {
			kore_buf_free(buf);
			(void)render_error(req, ctx,
			    HTTP_STATUS_REQUEST_ENTITY_TOO_LARGE,
			    "The form is too large.");
			return (-1);
		}
		kore_buf_append(buf, data, (size_t)n);
	}

	ret = params_parse(&ctx->form, (const char *)buf->data, buf->offset,
	    err, sizeof(err));
	kore_buf_free(buf);

	if (ret == -1) {
		(void)render_error(req, ctx, HTTP_STATUS_BAD_REQUEST, err);
		return (-1);
	}

	return (0);
}

/*
 * The only place where access is decided, from what the route declares.
 * A route that declares nothing is refused to everyone.  Anonymous
 * requests are sent to sign in (a JSON client gets 401, a form post 403);
 * a signed-in person in no mapped group gets the "no access" page.
 */
static int
req_access(struct http_request *req, struct app_req *ctx,
    const struct app_route *r)
{
	if (r->need & NEED_PUBLIC)
		return (1);

	if (ctx->session != SESSION_VALID) {
		(void)auth_deny(req, ctx, AUTH_DENY_SIGNED_OUT);
		return (0);
	}

	if (r->need & NEED_SIGNED_IN)
		return (1);

	if ((r->need & ROLE_ANY) != 0 && (ctx->roles & r->need) != 0)
		return (1);

	(void)auth_deny(req, ctx, ctx->roles == 0 ? AUTH_DENY_NO_ROLE :
	    AUTH_DENY_ROLE);
	return (0);
}
