/*
 * GET /auth/signin: the start of a sign-in.  liboauth2 builds the
 * authorization request (a state cookie, PKCE S256, a nonce); it keeps no
 * copy of the nonce, so the nonce is read back from the request it built
 * and kept, sealed, in a transaction cookie named after the state
 * (cdot_txn_<state>) with the path to return to; the callback checks the
 * ID token's nonce against it (auth/callback.c).
 *
 * Every cookie liboauth2 sets is rewritten through render_cookie()
 * (HttpOnly, SameSite=Lax, Secure on https); liboauth2 would omit
 * HttpOnly over http and use SameSite=None.
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

#include "app.h"
#include "auth/auth.h"

#define COOKIES_MAX		8192

static void	 txn_prune(struct http_request *);
static int	 signin_redirect(struct http_request *, const char *,
		    struct oidc_diag *);
static int	 txn_seal(struct http_request *, const char *, const char *);
static void	 cookies_forward(oauth2_log_t *, oauth2_http_response_t *,
		    struct http_request *);

static const struct auth_refusal signin_failed = {
	"warning", "sign-in could not start",
	"authorization request not built",
	HTTP_STATUS_SERVICE_UNAVAILABLE, "Sign-in is unavailable",
	"The sign-in could not be started. Try again in a moment.",
	"Try again"
};

struct cookie_collect {
	struct kore_buf	*buf;
	const char	*prefix;
};

static int
cookie_collect_cb(const char *name, size_t nlen, const char *val,
    size_t vlen, void *arg)
{
	struct cookie_collect	*c = arg;
	size_t			 plen;

	plen = strlen(c->prefix);
	if (nlen <= plen || memcmp(name, c->prefix, plen) != 0)
		return (0);
	if (c->buf->offset + nlen + vlen + 3 > COOKIES_MAX)
		return (1);

	if (c->buf->offset > 0)
		kore_buf_append(c->buf, "; ", 2);
	kore_buf_append(c->buf, name, nlen);
	kore_buf_append(c->buf, "=", 1);
	kore_buf_append(c->buf, val, vlen);
	return (0);
}

/*
 * Transaction cookies of sign-ins started earlier and never finished
 * (a closed tab, a double click) would pile up until the request headers
 * no longer fit.  Like liboauth2 with its state cookies, keep the newest
 * few and clear the rest, and any that does not open.
 */
#define TXN_KEEP	3
#define TXN_SEEN_MAX	16

struct txn_seen {
	struct http_request	*req;
	size_t			 n;
	char			 name[TXN_SEEN_MAX][sizeof(TXN_COOKIE_PREFIX) +
				    STATE_MAX];
	json_int_t		 t[TXN_SEEN_MAX];
};

static int
txn_seen_cb(const char *name, size_t nlen, const char *val, size_t vlen,
    void *arg)
{
	struct txn_seen	*ts = arg;
	json_t		*txn;
	size_t		 plen;

	(void)val;
	(void)vlen;

	plen = strlen(TXN_COOKIE_PREFIX);
	if (nlen <= plen || memcmp(name, TXN_COOKIE_PREFIX, plen) != 0 ||
	    nlen >= sizeof(ts->name[0]))
		return (0);
	if (ts->n == TXN_SEEN_MAX)
		return (1);

	memcpy(ts->name[ts->n], name, nlen);
	ts->name[ts->n][nlen] = '\0';
	txn = session_open_cookie(ts->req, ts->name[ts->n]);
	ts->t[ts->n] = txn ? json_integer_value(json_object_get(txn, "t")) :
	    0;
	if (txn != NULL)
		json_decref(txn);
	ts->n++;

	return (0);
}

static void
txn_prune(struct http_request *req)
{
	struct txn_seen	*ts;
	size_t		 i, j, newer;

	ts = kore_calloc(1, sizeof(*ts));
	ts->req = req;
	(void)session_cookie_each(req, txn_seen_cb, ts);

	for (i = 0; i < ts->n; i++) {
		newer = 0;
		for (j = 0; j < ts->n; j++) {
			if (j != i && (ts->t[j] > ts->t[i] ||
			    (ts->t[j] == ts->t[i] && j > i)))
				newer++;
		}
		if (ts->t[i] == 0 || newer >= TXN_KEEP)
			render_cookie(req, ts->name[i], "", 0);
	}

	kore_free(ts);
}

/*
 * GET /auth/signin[?return_to=<local path>]: liboauth2 builds the
 * authorization request; the nonce and the return path are kept in the
 * transaction cookie; off to the provider.
 */
int
auth_signin(struct http_request *req, struct app_req *ctx)
{
	struct oidc_diag	 diag;
	const char		*ret;
	int			 rc;

	if ((rc = provider_ensure(req, ctx)) != PROVIDER_READY)
		return (rc == PROVIDER_PENDING ? KORE_RESULT_RETRY :
		    KORE_RESULT_OK);

	ret = params_get(&ctx->query, "return_to");
	if (ret == NULL || !return_ok(ret))
		ret = RETURN_DEFAULT;

	txn_prune(req);

	memset(&diag, 0, sizeof(diag));
	if (signin_redirect(req, ret, &diag) == -1)
		return (auth_refuse(req, ctx, &signin_failed, NULL, &diag));

	return (KORE_RESULT_OK);
}

/*
 * liboauth2's authorization request, given the state cookies the browser
 * holds, answered as a redirect to the provider: 0, or -1 with nothing
 * answered.
 */
static int
signin_redirect(struct http_request *req, const char *ret,
    struct oidc_diag *diag)
{
	struct cookie_collect	 cc;
	oauth2_log_t		*log;
	oauth2_http_request_t	*r;
	oauth2_http_response_t	*resp;
	json_t			*claims;
	const char		*loc;
	int			 rc;

	cc.buf = kore_buf_alloc(1024);
	cc.prefix = OIDC_STATE_PREFIX;
	(void)session_cookie_each(req, cookie_collect_cb, &cc);

	resp = NULL;
	claims = NULL;
	rc = -1;
	log = oidc_log_new(diag);

	r = oidc_request(log, SIGNIN_PATH, NULL, kore_buf_stringify(cc.buf,
	    NULL));
	if (r == NULL || !oauth2_openidc_handle(log, oidc, r, &resp,
	    &claims) || resp == NULL ||
	    oauth2_http_response_status_code_get(log, resp) != 302 ||
	    (loc = oauth2_http_response_header_get(log, resp,
	    "Location")) == NULL || txn_seal(req, loc, ret) == -1)
		goto out;

	cookies_forward(log, resp, req);
	http_response_header(req, "location", loc);
	http_response_header(req, "cache-control", "no-store");
	http_response(req, HTTP_STATUS_FOUND, NULL, 0);
	rc = 0;

out:
	kore_buf_free(cc.buf);
	oidc_handled_free(log, r, resp, claims);

	return (rc);
}

/*
 * The transaction cookie for the authorization request at loc: its state
 * and nonce, the path to return to and when it started.  0 or -1.
 */
static int
txn_seal(struct http_request *req, const char *loc, const char *ret)
{
	struct params	 lp;
	json_t		*txn;
	const char	*q, *state, *nonce;
	char		 name[sizeof(TXN_COOKIE_PREFIX) + STATE_MAX];
	char		 err[PARAMS_ERRLEN];
	int		 rc;

	params_init(&lp);
	txn = NULL;
	rc = -1;
	if ((q = strchr(loc, '?')) == NULL ||
	    params_parse(&lp, q + 1, strlen(q + 1), err, sizeof(err)) == -1)
		goto out;

	state = params_get(&lp, "state");
	nonce = params_get(&lp, "nonce");
	if (state == NULL || nonce == NULL ||
	    !token_ok(state, STATE_MAX) || !token_ok(nonce, STATE_MAX))
		goto out;

	txn = json_pack("{s:s, s:s, s:s, s:I}", "s", state, "n", nonce,
	    "r", ret, "t", (json_int_t)time(NULL));
	(void)snprintf(name, sizeof(name), "%s%s", TXN_COOKIE_PREFIX, state);
	if (txn != NULL && session_seal_cookie(req, name, txn,
	    AUTH_TXN_TIMEOUT) == 0)
		rc = 0;

out:
	if (txn != NULL)
		json_decref(txn);
	params_free(&lp);
	return (rc);
}

/*
 * liboauth2's state cookies go out through render_cookie() with the same
 * attributes as every other cookie of the panel.  Only state cookies are
 * forwarded.
 */
struct fwd {
	struct http_request	*req;
};

static bool
cookie_forward_cb(oauth2_log_t *log, void *rec, const char *name,
    const char *value)
{
	struct fwd	*f = rec;
	const char	*eq, *semi;
	char		 cname[128], cval[COOKIE_HEADER_MAX];
	size_t		 nlen, vlen;

	(void)log;

	if (strcasecmp(name, "Set-Cookie") != 0 ||
	    strncmp(value, OIDC_STATE_PREFIX, strlen(OIDC_STATE_PREFIX)) != 0)
		return (true);
	if ((eq = strchr(value, '=')) == NULL)
		return (true);
	if ((semi = strchr(eq, ';')) == NULL)
		semi = eq + strlen(eq);

	nlen = (size_t)(eq - value);
	vlen = (size_t)(semi - eq - 1);
	if (nlen >= sizeof(cname) || vlen >= sizeof(cval))
		return (true);
	memcpy(cname, value, nlen);
	cname[nlen] = '\0';
	memcpy(cval, eq + 1, vlen);
	cval[vlen] = '\0';

	if (vlen == 0 || strstr(semi, "Max-Age=0") != NULL)
		render_cookie(f->req, cname, "", 0);
	else
		render_cookie(f->req, cname, cval, AUTH_TXN_TIMEOUT);

	return (true);
}

static void
cookies_forward(oauth2_log_t *log, oauth2_http_response_t *resp,
    struct http_request *req)
{
	struct fwd	f;

	f.req = req;
	oauth2_http_response_headers_loop(log, resp, cookie_forward_cb, &f);
}
