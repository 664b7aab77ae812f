/*
 * Sign-in with OpenID Connect (authorization code flow) through
 * liboauth2's openidc support, and the access decisions' answers.
 *
 * liboauth2 runs the relying-party protocol: the authorization request
 * with a state cookie and PKCE (S256), the callback's state check, the
 * token exchange, the ID token's signature against the provider's JWKS
 * and its exp/iat, and the userinfo call.  What it leaves undone is done
 * here:
 *
 *  - Provider metadata: liboauth2 takes it as a JSON string, so it is
 *    fetched from <issuer>/.well-known/openid-configuration, checked
 *    (its issuer must be ours) and handed over.  If the provider is down
 *    at start-up the panel starts anyway and each worker retries on the
 *    first sign-in, answering 503 meanwhile.
 *  - iss, aud/azp, exp, iat and nonce of the ID token.  liboauth2 sends a
 *    nonce but keeps no copy, so the nonce is read back from the
 *    authorization request it built and kept, sealed, in a transaction
 *    cookie named after the state (cdot_txn_<state>), with the return
 *    path; the callback checks the ID token's nonce against it.  A
 *    state is taken once: the callback records it in PostgreSQL
 *    (session_marks, see auth/marks.h) before the provider is asked, and a
 *    second callback with it, on any instance, is refused even with its
 *    cookies replayed.
 *  - The session: liboauth2's own session cookie never leaves the
 *    worker.  The claims are read back from it, checked, and the app's
 *    own sealed cookie is issued (auth/session.c).
 *  - Cookies: every cookie liboauth2 sets is rewritten through
 *    render_cookie() (HttpOnly, SameSite=Lax, Secure on https);
 *    liboauth2 would omit HttpOnly over http and use SameSite=None.
 *  - X-Forwarded-* headers are dropped unless they come from the trusted
 *    proxy; liboauth2 is never shown the browser's Host or forwarded
 *    headers anyway: the URLs it builds come from base_url.
 *  - Its 410 for requests whose Accept lacks text/html never happens:
 *    the requests it sees always accept HTML, and anonymous JSON clients
 *    get a 401 with the sign-in URL before liboauth2 is involved.
 *
 * The token exchange, the JWKS download and the userinfo call block in
 * libcurl, so the callback's liboauth2 work runs in a Kore task (http/bg.c, a
 * thread of the worker): the worker keeps serving other requests
 * meanwhile, and the calls are bounded by oidc_http_timeout besides.  The
 * metadata download of a lazy retry runs in a task too.  Task threads
 * never touch Kore's allocator or the request: they fill in their job,
 * and the request's handler, re-entered when the task ends, does the
 * rest.
 *
 * Nothing secret is logged: not codes, tokens, cookies or query strings.
 * liboauth2's own messages are not written anywhere; only the name of the
 * liboauth2 function that failed first is logged, with our reason.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kore/kore.h>
#include <kore/http.h>

#include <oauth2/cfg.h>
#include <oauth2/http.h>
#include <oauth2/log.h>
#include <oauth2/mem.h>
#include <oauth2/oauth2.h>
#include <oauth2/openidc.h>
#include <oauth2/session.h>
#include <oauth2/util.h>

#include "app.h"
#include "auth/auth.h"
#include "auth/marks.h"

#define CALLBACK_PATH		"/auth/callback"
#define SIGNIN_PATH		"/auth/signin"
#define RETURN_DEFAULT		"/admin"

#define METADATA_START_TIMEOUT	5	/* seconds, in the parent */
#define METADATA_RETRY		2	/* seconds between tries when down */
#define METADATA_MAX		(64 * 1024)

#define STATE_MAX		64
#define CODE_MAX		2048
#define RETURN_MAX		400
#define CLAIM_SKEW		60
#define COOKIES_MAX		8192

#define PROVIDER_READY		0
#define PROVIDER_PENDING	1
#define PROVIDER_FAILED		2

#define JOB_METADATA		1
#define JOB_CALLBACK		2

/* What liboauth2 said, kept without its messages (they can hold secrets). */
struct oidc_diag {
	char		where[96];
	int		errors;
	int		unreachable;
	int		http_status;
};

/*
 * Work for a task thread (http/bg.c).  Only plain malloc(3) memory and
 * liboauth2 or jansson objects are touched in the thread.
 */
struct auth_job {
	int			 kind;
	struct oidc_diag	 diag;

	/* JOB_CALLBACK: in. */
	char			*query;
	char			*cookie;
	char			 state[STATE_MAX + 1];
	char			 nonce[STATE_MAX + 1];
	char			 return_to[RETURN_MAX + 1];

	/* Out. */
	int			 ok;
	char			 why[128];
	char			*metadata;
	json_t			*id_claims;
	json_t			*userinfo;
};

struct base_url {
	char		scheme[8];
	char		host[256];
	unsigned long	port;
	char		path[256];
};

static oauth2_cfg_openidc_t	*oidc = NULL;
static oauth2_cfg_session_t	*oidc_session = NULL;
static oauth2_log_t		*quiet = NULL;
static struct base_url		 base;
static char			 redirect_uri[512];
static time_t			 retry_after = 0;

static void	 oidc_sink(oauth2_log_sink_t *, const char *, unsigned long,
		    const char *, oauth2_log_level_t, const char *);
static oauth2_log_t	*oidc_log_new(struct oidc_diag *);
static int	 base_parse(const char *, struct base_url *);
static oauth2_http_request_t *oreq_new(oauth2_log_t *, const char *,
		    const char *, const char *);
static int	 url_ok(const char *);
static char	*metadata_fetch(oauth2_log_t *, long, char *, size_t);
static int	 provider_configure(oauth2_log_t *, const char *, char *,
		    size_t);
static int	 provider_ensure(struct http_request *, struct app_req *);
static struct auth_job *job_new(int);
static void	 job_start(struct http_request *, struct app_req *,
		    struct auth_job *);
static void	 job_free(void *);
static void	 job_run(void *);
static void	 callback_run(struct auth_job *);
static int	 callback_start(struct http_request *, struct app_req *);
static int	 callback_finish(struct http_request *, struct app_req *);
static const char *claims_check(struct auth_job *, const char **,
		    json_t **);
static int	 return_ok(const char *);
static const char *param_once(const struct params *, const char *);
static int	 token_ok(const char *, size_t);
static int	 auth_page(struct http_request *, struct app_req *, int,
		    const char *, const char *, const char *);
static int	 auth_page_to(struct http_request *, struct app_req *, int,
		    const char *, const char *, const char *, const char *);
static void	 signin_href(struct http_request *, struct kore_buf *);
static int	 auth_deny_unchecked(struct http_request *, struct app_req *);
static void	 cookies_forward(oauth2_log_t *, oauth2_http_response_t *,
		    struct http_request *);
static void	 auth_log(const char *, const char *, struct app_req *,
		    const char *, const struct oidc_diag *);

/*
 * liboauth2's log sink: remembers where it first failed, whether libcurl
 * could not reach the provider and the provider's last HTTP status.  The
 * messages themselves are dropped: some carry codes and tokens.
 */
static void
oidc_sink(oauth2_log_sink_t *sink, const char *file, unsigned long line,
    const char *function, oauth2_log_level_t level, const char *msg)
{
	struct oidc_diag	*d;

	(void)file;
	(void)line;

	if ((d = oauth2_log_sink_ctx_get(sink)) == NULL || function == NULL ||
	    msg == NULL)
		return;

	if (strcmp(function, "oauth2_http_call") == 0) {
		if (strncmp(msg, "curl_easy_perform() failed", 26) == 0)
			d->unreachable = 1;
		else if (strncmp(msg, "HTTP response code=", 19) == 0)
			d->http_status = atoi(msg + 19);
	}

	if (level <= OAUTH2_LOG_ERROR && d->errors++ == 0)
		(void)snprintf(d->where, sizeof(d->where), "%s", function);
}

/* A liboauth2 log that only feeds d (NULL d: says nothing at all). */
static oauth2_log_t *
oidc_log_new(struct oidc_diag *d)
{
	oauth2_log_sink_t	*sink;
	oauth2_log_t		*log;

	if ((sink = oauth2_log_sink_create(d != NULL ? OAUTH2_LOG_DEBUG :
	    OAUTH2_LOG_ERROR, oidc_sink, d)) == NULL)
		return (NULL);
	if ((log = oauth2_log_init(d != NULL ? OAUTH2_LOG_DEBUG :
	    OAUTH2_LOG_ERROR, sink)) == NULL) {
		oauth2_mem_free(sink);
		return (NULL);
	}

	return (log);
}

/*
 * Once, in the parent: liboauth2's globals (libcurl, the semaphores and
 * shared cache every worker inherits, the crypto passphrase), the shared
 * marks (auth/marks.c), the cookie key, and the provider if it answers.
 */
int
auth_parent_init(char *err, size_t errlen)
{
	struct oidc_diag	 diag;
	oauth2_log_sink_t	*sink;
	oauth2_log_t		*log;
	oauth2_http_request_t	*r;
	char			*meta, *url, why[128];
	const char		*e;
	int			 ok;

	if (strstr(app_cfg.oidc_scopes, "openid") == NULL) {
		(void)snprintf(err, errlen, "setting 'oidc_scopes' must "
		    "include 'openid'");
		return (-1);
	}
	if (app_cfg.oidc_http_timeout > 60) {
		(void)snprintf(err, errlen, "setting 'oidc_http_timeout' must "
		    "be at most 60 seconds");
		return (-1);
	}
	if (base_parse(app_cfg.base_url, &base) == -1) {
		(void)snprintf(err, errlen, "setting 'base_url' is not a URL "
		    "this panel can be served at");
		return (-1);
	}
	if ((size_t)snprintf(redirect_uri, sizeof(redirect_uri), "%s%s",
	    app_cfg.base_url, CALLBACK_PATH) >= sizeof(redirect_uri)) {
		(void)snprintf(err, errlen, "setting 'base_url' is too long");
		return (-1);
	}

	if (session_init(app_cfg.session_secret) == -1) {
		(void)snprintf(err, errlen, "cannot derive the cookie key");
		return (-1);
	}

	/* libcurl's and OpenSSL's globals; its log says nothing. */
	memset(&diag, 0, sizeof(diag));
	if ((sink = oauth2_log_sink_create(OAUTH2_LOG_ERROR, oidc_sink,
	    NULL)) == NULL ||
	    (quiet = oauth2_init(OAUTH2_LOG_ERROR, sink)) == NULL ||
	    (log = oidc_log_new(&diag)) == NULL) {
		(void)snprintf(err, errlen, "liboauth2 did not initialise");
		return (-1);
	}

	if ((e = oauth2_crypto_passphrase_set(log, NULL,
	    app_cfg.session_secret)) != NULL) {
		(void)snprintf(err, errlen, "liboauth2 passphrase: %s", e);
		return (-1);
	}

	/*
	 * Shared memory, made before the workers fork: liboauth2's default
	 * cache (for the JWKS).  Used states and ended sessions are in the
	 * database (auth_mark()), not here.
	 */
	if (oauth2_cfg_set_cache(log, NULL, "shm", "name=default&"
	    "max_entries=64&max_val_size=16384") != NULL) {
		(void)snprintf(err, errlen, "shared memory for sign-in "
		    "could not be made");
		return (-1);
	}

	/* liboauth2's session: only a carrier from its callback to ours. */
	if ((oidc_session = oauth2_cfg_session_init(log)) == NULL ||
	    oauth2_cfg_session_set_options(log, oidc_session, "cookie",
	    "name=cdot&cookie.name=" OIDC_SESSION_COOKIE "&max_duration=600&"
	    "inactivity_timeout=600") != NULL) {
		(void)snprintf(err, errlen, "liboauth2 session settings "
		    "refused");
		return (-1);
	}

	/* liboauth2 must see the callback where base_url puts it. */
	ok = 0;
	if ((r = oreq_new(log, CALLBACK_PATH, NULL, NULL)) != NULL) {
		url = oauth2_http_request_url_path_get(log, r);
		ok = url != NULL && strcmp(url, redirect_uri) == 0;
		if (url != NULL)
			oauth2_mem_free(url);
		oauth2_http_request_free(log, r);
	}
	if (!ok) {
		(void)snprintf(err, errlen, "setting 'base_url' must be "
		    "scheme://host[:port] without a default port or a path");
		return (-1);
	}

	if ((meta = metadata_fetch(log, METADATA_START_TIMEOUT, why,
	    sizeof(why))) != NULL) {
		if (provider_configure(log, meta, err, errlen) == -1) {
			free(meta);
			return (-1);
		}
		free(meta);
		log_event("sign-in provider ready", json_pack("{s:s}",
		    "issuer", app_cfg.oidc_issuer));
	} else {
		log_event("sign-in provider not ready, workers retry on the "
		    "first sign-in", json_pack("{s:s, s:s, s:s}", "level",
		    "warning", "issuer", app_cfg.oidc_issuer, "reason", why));
	}

	oauth2_log_free(log);
	return (0);
}

/* base_url as liboauth2 wants it: scheme, host, port (and no path). */
static int
base_parse(const char *url, struct base_url *b)
{
	const char	*p, *host, *colon, *slash;
	char		*end;
	size_t		 hlen;
	unsigned long	 port;

	memset(b, 0, sizeof(*b));
	if (strncmp(url, "https://", 8) == 0) {
		(void)kore_strlcpy(b->scheme, "https", sizeof(b->scheme));
		b->port = 443;
		host = url + 8;
	} else if (strncmp(url, "http://", 7) == 0) {
		(void)kore_strlcpy(b->scheme, "http", sizeof(b->scheme));
		b->port = 80;
		host = url + 7;
	} else {
		return (-1);
	}

	slash = strchr(host, '/');
	if (slash != NULL)
		return (-1);
	for (p = host; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr(".-:[]", *p) == NULL)
			return (-1);
	}

	colon = strrchr(host, ':');
	if (colon != NULL && strchr(colon, ']') == NULL) {
		port = strtoul(colon + 1, &end, 10);
		if (colon[1] == '\0' || *end != '\0' || port == 0 ||
		    port > 65535)
			return (-1);
		b->port = port;
		hlen = (size_t)(colon - host);
	} else {
		hlen = strlen(host);
	}

	if (hlen == 0 || hlen >= sizeof(b->host))
		return (-1);
	memcpy(b->host, host, hlen);
	b->host[hlen] = '\0';

	return (0);
}

/*
 * A request as liboauth2 sees it: built from base_url, never from the
 * browser's Host or X-Forwarded-* headers, and always accepting HTML (so
 * liboauth2 redirects instead of answering 410).
 */
static oauth2_http_request_t *
oreq_new(oauth2_log_t *log, const char *path, const char *query,
    const char *cookie)
{
	oauth2_http_request_t	*r;
	int			 ok;

	if ((r = oauth2_http_request_init(log)) == NULL)
		return (NULL);

	ok = oauth2_http_request_scheme_set(log, r, base.scheme) &&
	    oauth2_http_request_hostname_set(log, r, base.host) &&
	    oauth2_http_request_port_set(log, r, base.port) &&
	    oauth2_http_request_path_set(log, r, path) &&
	    oauth2_http_request_method_set(log, r, OAUTH2_HTTP_METHOD_GET) &&
	    oauth2_http_request_header_set(log, r, "Accept", "text/html");
	if (ok && query != NULL)
		ok = oauth2_http_request_query_set(log, r, query);
	if (ok && cookie != NULL && *cookie != '\0')
		ok = oauth2_http_request_header_set(log, r, "Cookie", cookie);

	if (!ok) {
		oauth2_http_request_free(log, r);
		return (NULL);
	}

	return (r);
}

/* An endpoint from the metadata: https, or http when the issuer is. */
static int
url_ok(const char *u)
{
	const char	*p;

	if (u == NULL || strlen(u) > 1024)
		return (0);
	for (p = u; *p != '\0'; p++) {
		if (!isgraph((unsigned char)*p))
			return (0);
	}
	if (strncmp(u, "https://", 8) == 0)
		return (1);

	return (strncmp(u, "http://", 7) == 0 &&
	    strncmp(app_cfg.oidc_issuer, "http://", 7) == 0);
}

/*
 * GET <issuer>/.well-known/openid-configuration, bounded by timeout.
 * Returns the metadata liboauth2 needs as a JSON string (malloc'd), or
 * NULL with the reason in why.  Runs in the parent or in a task thread.
 */
static char *
metadata_fetch(oauth2_log_t *log, long timeout, char *why, size_t whylen)
{
	oauth2_http_call_ctx_t		*hc;
	oauth2_http_status_code_t	 status;
	json_t				*m, *min, *v;
	char				 url[1024], *resp, *out;
	const char			*issuer, *authz, *token, *jwks, *ui;
	size_t				 i;
	int				 ok, s256;

	resp = NULL;
	status = 0;
	if ((size_t)snprintf(url, sizeof(url),
	    "%s/.well-known/openid-configuration", app_cfg.oidc_issuer) >=
	    sizeof(url)) {
		(void)snprintf(why, whylen, "issuer URL too long");
		return (NULL);
	}

	if ((hc = oauth2_http_call_ctx_init(log)) == NULL) {
		(void)snprintf(why, whylen, "out of memory");
		return (NULL);
	}
	ok = oauth2_http_call_ctx_timeout_set(log, hc, (int)timeout) &&
	    oauth2_http_get(log, url, NULL, hc, &resp, &status);
	oauth2_http_call_ctx_free(log, hc);

	if (!ok || resp == NULL) {
		if (resp != NULL)
			oauth2_mem_free(resp);
		(void)snprintf(why, whylen, "discovery not reachable");
		return (NULL);
	}
	if (status != 200 || strlen(resp) > METADATA_MAX) {
		oauth2_mem_free(resp);
		(void)snprintf(why, whylen, "discovery answered HTTP %u",
		    (unsigned int)status);
		return (NULL);
	}

	m = json_loads(resp, JSON_REJECT_DUPLICATES, NULL);
	oauth2_mem_free(resp);
	if (m == NULL || !json_is_object(m)) {
		if (m != NULL)
			json_decref(m);
		(void)snprintf(why, whylen, "discovery is not a JSON object");
		return (NULL);
	}

	issuer = json_string_value(json_object_get(m, "issuer"));
	authz = json_string_value(json_object_get(m,
	    "authorization_endpoint"));
	token = json_string_value(json_object_get(m, "token_endpoint"));
	jwks = json_string_value(json_object_get(m, "jwks_uri"));
	ui = json_string_value(json_object_get(m, "userinfo_endpoint"));

	/* PKCE S256 must be on offer when the provider lists methods. */
	s256 = 1;
	if ((v = json_object_get(m, "code_challenge_methods_supported")) !=
	    NULL) {
		s256 = 0;
		for (i = 0; json_is_array(v) && i < json_array_size(v); i++) {
			if (json_is_string(json_array_get(v, i)) &&
			    strcmp(json_string_value(json_array_get(v, i)),
			    "S256") == 0)
				s256 = 1;
		}
	}

	out = NULL;
	if (issuer == NULL || strcmp(issuer, app_cfg.oidc_issuer) != 0) {
		(void)snprintf(why, whylen, "discovery names another issuer");
	} else if (!url_ok(authz) || !url_ok(token) || !url_ok(jwks) ||
	    (ui != NULL && !url_ok(ui))) {
		(void)snprintf(why, whylen, "discovery lacks an endpoint");
	} else if (!s256) {
		(void)snprintf(why, whylen, "provider does not offer PKCE "
		    "S256");
	} else {
		min = json_pack("{s:s, s:s, s:s, s:s}", "issuer", issuer,
		    "authorization_endpoint", authz, "token_endpoint", token,
		    "jwks_uri", jwks);
		if (min != NULL && ui != NULL)
			json_object_set_new(min, "userinfo_endpoint",
			    json_string(ui));
		if (min != NULL)
			out = json_dumps(min, JSON_COMPACT);
		if (out == NULL)
			(void)snprintf(why, whylen, "out of memory");
		json_decref(min);
	}

	json_decref(m);
	return (out);
}

/*
 * Build this process's liboauth2 configuration from the metadata.  It
 * is made once and never changed afterwards (task threads read it), so
 * it is only ever built in the main thread, before any task uses it.
 */
static int
provider_configure(oauth2_log_t *log, const char *metadata, char *err,
    size_t errlen)
{
	oauth2_cfg_openidc_t	*c;
	oauth2_openidc_client_t	*client;
	struct kore_buf		*b;
	char			*rv;

	if (oidc != NULL)
		return (0);
	if ((c = oauth2_cfg_openidc_init(log)) == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return (-1);
	}

	b = kore_buf_alloc(512);
	kore_buf_appendf(b, "redirect_uri=");
	url_append(b, redirect_uri);
	kore_buf_appendf(b, "&state.cookie.name.prefix=%s"
	    "&state.cookie.timeout=%d&state.cookie.max=4"
	    "&state.cookie.delete.oldest=true&unauth_action=auth",
	    OIDC_STATE_PREFIX, AUTH_TXN_TIMEOUT);
	rv = oauth2_cfg_openidc_set_options(log, c,
	    kore_buf_stringify(b, NULL));
	kore_buf_reset(b);

	if (rv == NULL)
		rv = oauth2_cfg_openidc_provider_resolver_set_options(log, c,
		    "string", metadata, "session=cdot");

	if (rv == NULL) {
		kore_buf_appendf(b, "client_id=");
		url_append(b, app_cfg.oidc_client_id);
		kore_buf_appendf(b, "&client_secret=");
		url_append(b, app_cfg.oidc_client_secret);
		kore_buf_appendf(b, "&scope=");
		url_append(b, app_cfg.oidc_scopes);
		kore_buf_appendf(b,
		    "&token_endpoint_auth_method=client_secret_basic");
		rv = oauth2_openidc_client_set_options(log, c, "string",
		    kore_buf_stringify(b, NULL), "session=cdot");
		/* The client secret was in there. */
		if (b->offset > 0)
			explicit_bzero(b->data, b->offset);
	}
	kore_buf_free(b);

	if (rv != NULL) {
		(void)snprintf(err, errlen, "liboauth2 refused the settings: "
		    "%s", rv);
		oauth2_mem_free(rv);
		oauth2_cfg_openidc_free(log, c);
		return (-1);
	}

	/* Unset, liboauth2 hands libcurl no timeout at all. */
	if ((client = oauth2_cfg_openidc_client_get(log, c)) == NULL ||
	    !oauth2_openidc_client_http_timeout_set(log, client,
	    (oauth2_uint_t)app_cfg.oidc_http_timeout)) {
		(void)snprintf(err, errlen, "liboauth2 client not set up");
		oauth2_cfg_openidc_free(log, c);
		return (-1);
	}

	oidc = c;
	return (0);
}

/*
 * The provider's configuration, fetched now in a task if this worker has
 * none yet (the provider was down at start).  PROVIDER_FAILED means a 503
 * page was rendered.
 */
static int
provider_ensure(struct http_request *req, struct app_req *ctx)
{
	struct auth_job		*job;
	char			 err[256];
	int			 ok;

	if (oidc != NULL)
		return (PROVIDER_READY);

	if ((job = bg_arg(ctx, job_run)) == NULL) {
		if (time(NULL) >= retry_after) {
			job_start(req, ctx, job_new(JOB_METADATA));
			return (PROVIDER_PENDING);
		}
		(void)auth_page(req, ctx, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "Sign-in is unavailable",
		    "The sign-in service cannot be reached right now, so "
		    "nobody can sign in. Try again in a moment.", "Try again");
		return (PROVIDER_FAILED);
	}

	if (job->kind != JOB_METADATA) {
		(void)auth_page(req, ctx, HTTP_STATUS_INTERNAL_ERROR,
		    "Sign-in did not complete", "Something went wrong while "
		    "signing in. Start the sign-in again.", "Sign in again");
		return (PROVIDER_FAILED);
	}
	switch (bg_wait(req, ctx)) {
	case BG_RUNNING:
		return (PROVIDER_PENDING);
	case BG_OVERDUE:
		retry_after = time(NULL) + METADATA_RETRY;
		auth_log("error", "sign-in provider unavailable", ctx,
		    "discovery did not finish in time", NULL);
		(void)auth_page(req, ctx, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "Sign-in is unavailable", "The sign-in service cannot be "
		    "reached right now, so nobody can sign in. Try again in a "
		    "moment.", "Try again");
		return (PROVIDER_FAILED);
	}

	job = bg_take(ctx);
	ok = 0;
	if (job->metadata != NULL) {
		if (provider_configure(quiet, job->metadata, err,
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
	(void)auth_page(req, ctx, HTTP_STATUS_SERVICE_UNAVAILABLE,
	    "Sign-in is unavailable",
	    "The sign-in service cannot be reached right now, so nobody can "
	    "sign in. Try again in a moment.", "Try again");
	return (PROVIDER_FAILED);
}

static struct auth_job *
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
static void
job_start(struct http_request *req, struct app_req *ctx,
    struct auth_job *job)
{
	u_int64_t	calls;

	calls = job->kind == JOB_CALLBACK ? 4 : 1;
	bg_start(req, ctx, job_run, job, job_free,
	    calls * (u_int64_t)app_cfg.oidc_http_timeout * 1000);
}

static void
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

/*
 * Kore frees a request (possibly several times while a task still runs):
 * the sign-in job goes with its task (bg_req_free(), from dispatch), the
 * session here.
 */
void
auth_req_free(struct app_req *ctx)
{
	if (ctx->sess != NULL) {
		json_decref(ctx->sess);
		ctx->sess = NULL;
	}
}

/* A task thread: blocking calls to the provider, nothing else. */
static void
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

	if ((r = oreq_new(log, CALLBACK_PATH, job->query,
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
	if ((sr = oreq_new(log, "/", NULL, cookie)) != NULL) {
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
	if (claims != NULL)
		json_decref(claims);
	if (resp != NULL)
		oauth2_http_response_free(log, resp);
	if (r != NULL)
		oauth2_http_request_free(log, r);
	oauth2_log_free(log);
}

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
 * authorization request (state cookie, PKCE S256, nonce); the nonce and
 * the return path are kept in the transaction cookie; off to the
 * provider.
 */
int
auth_signin(struct http_request *req, struct app_req *ctx)
{
	struct cookie_collect	 cc;
	struct oidc_diag	 diag;
	struct params		 lp;
	oauth2_log_t		*log;
	oauth2_http_request_t	*r;
	oauth2_http_response_t	*resp;
	json_t			*claims, *txn;
	const char		*ret, *loc, *q, *state, *nonce;
	char			 name[sizeof(TXN_COOKIE_PREFIX) + STATE_MAX];
	char			 err[PARAMS_ERRLEN];
	int			 rc;

	if ((rc = provider_ensure(req, ctx)) != PROVIDER_READY)
		return (rc == PROVIDER_PENDING ? KORE_RESULT_RETRY :
		    KORE_RESULT_OK);

	ret = params_get(&ctx->query, "return_to");
	if (ret == NULL || !return_ok(ret))
		ret = RETURN_DEFAULT;

	txn_prune(req);

	cc.buf = kore_buf_alloc(1024);
	cc.prefix = OIDC_STATE_PREFIX;
	(void)session_cookie_each(req, cookie_collect_cb, &cc);

	memset(&diag, 0, sizeof(diag));
	params_init(&lp);
	resp = NULL;
	claims = NULL;
	rc = -1;
	log = oidc_log_new(&diag);

	r = oreq_new(log, SIGNIN_PATH, NULL, kore_buf_stringify(cc.buf,
	    NULL));
	if (r == NULL || !oauth2_openidc_handle(log, oidc, r, &resp,
	    &claims) || resp == NULL ||
	    oauth2_http_response_status_code_get(log, resp) != 302 ||
	    (loc = oauth2_http_response_header_get(log, resp,
	    "Location")) == NULL || (q = strchr(loc, '?')) == NULL ||
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
	if (txn == NULL || session_seal_cookie(req, name, txn,
	    AUTH_TXN_TIMEOUT) == -1) {
		if (txn != NULL)
			json_decref(txn);
		goto out;
	}
	json_decref(txn);

	cookies_forward(log, resp, req);
	http_response_header(req, "location", loc);
	http_response_header(req, "cache-control", "no-store");
	http_response(req, HTTP_STATUS_FOUND, NULL, 0);
	rc = 0;

out:
	params_free(&lp);
	kore_buf_free(cc.buf);
	if (claims != NULL)
		json_decref(claims);
	if (resp != NULL)
		oauth2_http_response_free(log, resp);
	if (r != NULL)
		oauth2_http_request_free(log, r);
	oauth2_log_free(log);

	if (rc == -1) {
		auth_log("warning", "sign-in could not start", ctx,
		    "authorization request not built", &diag);
		return (auth_page(req, ctx, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "Sign-in is unavailable", "The sign-in could not be "
		    "started. Try again in a moment.", "Try again"));
	}

	return (KORE_RESULT_OK);
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
	struct auth_job		*job;
	struct kore_buf		*b;
	json_t			*txn;
	const char		*code, *state, *iss, *nonce, *ret;
	char			 name[sizeof(OIDC_STATE_PREFIX) + STATE_MAX];
	char			*val;
	json_int_t		 t;
	int			 used;

	if (params_get(&ctx->query, "error") != NULL) {
		if ((state = param_once(&ctx->query, "state")) != NULL &&
		    token_ok(state, STATE_MAX)) {
			(void)snprintf(name, sizeof(name), "%s%s",
			    TXN_COOKIE_PREFIX, state);
			render_cookie(req, name, "", 0);
			(void)snprintf(name, sizeof(name), "%s%s",
			    OIDC_STATE_PREFIX, state);
			render_cookie(req, name, "", 0);
		}
		auth_log("warning", "sign-in refused by the provider", ctx,
		    "provider error", NULL);
		return (auth_page(req, ctx, HTTP_STATUS_FORBIDDEN,
		    "Sign-in did not complete", "The sign-in service did not "
		    "sign you in (it was cancelled or refused there).",
		    "Sign in again"));
	}

	code = param_once(&ctx->query, "code");
	state = param_once(&ctx->query, "state");
	if (code == NULL || state == NULL || !token_ok(state, STATE_MAX) ||
	    strlen(code) > CODE_MAX || strlen(code) == 0) {
		auth_log("warning", "sign-in refused", ctx,
		    "malformed callback", NULL);
		return (auth_page(req, ctx, HTTP_STATUS_BAD_REQUEST,
		    "Sign-in did not complete", "This sign-in link is not "
		    "complete. Start the sign-in again.", "Sign in again"));
	}

	/* RFC 9207: the provider names itself; it must be ours. */
	if (params_get(&ctx->query, "iss") != NULL &&
	    ((iss = param_once(&ctx->query, "iss")) == NULL ||
	    strcmp(iss, app_cfg.oidc_issuer) != 0)) {
		auth_log("warning", "sign-in refused", ctx,
		    "callback from another issuer", NULL);
		return (auth_page(req, ctx, HTTP_STATUS_BAD_REQUEST,
		    "Sign-in did not complete", "This sign-in answer came from "
		    "another sign-in service. Start the sign-in again.",
		    "Sign in again"));
	}

	(void)snprintf(name, sizeof(name), "%s%s", TXN_COOKIE_PREFIX, state);
	txn = session_open_cookie(req, name);
	nonce = txn ? json_string_value(json_object_get(txn, "n")) : NULL;
	ret = txn ? json_string_value(json_object_get(txn, "r")) : NULL;
	t = txn ? json_integer_value(json_object_get(txn, "t")) : 0;

	(void)snprintf(name, sizeof(name), "%s%s", OIDC_STATE_PREFIX, state);
	val = kore_malloc(COOKIE_VALUE_MAX);

	/*
	 * Everything the browser sent is checked first; the state is taken
	 * (recorded as used, atomically: 1 when this request took it) last,
	 * so that only a sign-in this browser started writes a mark.
	 */
	used = 0;

	if (txn == NULL || nonce == NULL || ret == NULL ||
	    !token_ok(nonce, STATE_MAX) || !return_ok(ret) ||
	    !json_is_string(json_object_get(txn, "s")) ||
	    strcmp(json_string_value(json_object_get(txn, "s")), state) != 0 ||
	    t > time(NULL) + CLAIM_SKEW ||
	    time(NULL) - t > AUTH_TXN_TIMEOUT ||
	    session_cookie_get(req, name, val, COOKIE_VALUE_MAX) != 1 ||
	    (used = auth_mark(MARK_USED_STATE, state, AUTH_TXN_TIMEOUT +
	    CLAIM_SKEW)) != 1) {
		kore_free(val);
		if (txn != NULL)
			json_decref(txn);
		/*
		 * The state could not be taken: the database is down.  Fail
		 * closed, a state that cannot be recorded as used could be
		 * used again.
		 */
		if (used == -1) {
			auth_log("error", "sign-in failed", ctx,
			    "used state could not be recorded", NULL);
			return (auth_page(req, ctx,
			    HTTP_STATUS_SERVICE_UNAVAILABLE,
			    "Sign-in is unavailable", "The sign-in could not "
			    "be completed because the database cannot be "
			    "reached right now. Start the sign-in again in a "
			    "moment.", "Sign in again"));
		}
		auth_log("warning", "sign-in refused", ctx,
		    "unknown, expired or used state", NULL);
		return (auth_page(req, ctx, HTTP_STATUS_BAD_REQUEST,
		    "Sign-in expired", "This sign-in has expired, was already "
		    "used, or was started in another browser. Start the "
		    "sign-in again.", "Sign in again"));
	}

	job = job_new(JOB_CALLBACK);
	(void)kore_strlcpy(job->state, state, sizeof(job->state));
	(void)kore_strlcpy(job->nonce, nonce, sizeof(job->nonce));
	(void)kore_strlcpy(job->return_to, ret, sizeof(job->return_to));
	json_decref(txn);

	/* What liboauth2 sees: only what was checked above. */
	b = kore_buf_alloc(256);
	kore_buf_appendf(b, "code=");
	url_append(b, code);
	kore_buf_appendf(b, "&state=");
	url_append(b, state);
	job->query = strdup(kore_buf_stringify(b, NULL));
	explicit_bzero(b->data, b->offset);
	kore_buf_reset(b);
	kore_buf_appendf(b, "%s=%s", name, val);
	job->cookie = strdup(kore_buf_stringify(b, NULL));
	explicit_bzero(b->data, b->offset);
	kore_buf_free(b);
	explicit_bzero(val, COOKIE_VALUE_MAX);
	kore_free(val);
	if (job->query == NULL || job->cookie == NULL)
		fatalx("sign-in: out of memory");

	job_start(req, ctx, job);
	return (KORE_RESULT_RETRY);
}

static int
callback_finish(struct http_request *req, struct app_req *ctx)
{
	struct auth_job		*job;
	json_t			*groups, *roles;
	const char		*email, *why;
	char			 ret[RETURN_MAX + 1], actor[APP_USER_MAX + 8];
	char			 name[sizeof(OIDC_STATE_PREFIX) + STATE_MAX];
	int			 status, r;

	switch (bg_wait(req, ctx)) {
	case BG_RUNNING:
		return (KORE_RESULT_RETRY);
	case BG_OVERDUE:
		auth_log("error", "sign-in failed", ctx, "the sign-in task did "
		    "not finish in time", NULL);
		return (auth_page(req, ctx, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "Sign-in is unavailable", "The sign-in service did not "
		    "answer in time, so the sign-in could not be completed. "
		    "Try again in a moment.", "Try again"));
	}
	job = bg_take(ctx);

	/* One try per state (callback_start() took it), whatever happens. */
	(void)snprintf(name, sizeof(name), "%s%s", TXN_COOKIE_PREFIX,
	    job->state);
	render_cookie(req, name, "", 0);
	(void)snprintf(name, sizeof(name), "%s%s", OIDC_STATE_PREFIX,
	    job->state);
	render_cookie(req, name, "", 0);

	if (!job->ok) {
		if (job->diag.unreachable || job->diag.http_status >= 500) {
			status = HTTP_STATUS_SERVICE_UNAVAILABLE;
			auth_log("warning", "sign-in failed", ctx,
			    "provider not reachable", &job->diag);
		} else {
			status = HTTP_STATUS_BAD_REQUEST;
			auth_log("warning", "sign-in failed", ctx, job->why,
			    &job->diag);
		}
		job_free(job);
		if (status == HTTP_STATUS_SERVICE_UNAVAILABLE) {
			return (auth_page(req, ctx, status,
			    "Sign-in is unavailable", "The sign-in service did "
			    "not answer, so the sign-in could not be "
			    "completed. Try again in a moment.", "Try again"));
		}
		return (auth_page(req, ctx, status, "Sign-in did not complete",
		    "The sign-in could not be completed: the sign-in link was "
		    "invalid or already used, or the answer of the sign-in "
		    "service could not be verified. Start the sign-in again.",
		    "Sign in again"));
	}

	if ((why = claims_check(job, &email, &groups)) != NULL) {
		auth_log("warning", "sign-in refused", ctx, why, &job->diag);
		job_free(job);
		return (auth_page(req, ctx, HTTP_STATUS_BAD_REQUEST,
		    "Sign-in did not complete", "The answer of the sign-in "
		    "service could not be verified, so you were not signed "
		    "in. Start the sign-in again.", "Sign in again"));
	}

	r = session_issue(req, ctx, email, groups);
	json_decref(groups);
	(void)kore_strlcpy(ret, job->return_to, sizeof(ret));
	job_free(job);

	if (r == -1) {
		auth_log("warning", "sign-in failed", ctx,
		    "session not issued", NULL);
		return (auth_page(req, ctx, HTTP_STATUS_INTERNAL_ERROR,
		    "Sign-in did not complete", "The session could not be "
		    "started. Start the sign-in again.", "Sign in again"));
	}

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

	return (render_redirect(req, ret));
}

/*
 * What liboauth2 does not check.  Returns NULL when the ID token is ours
 * (email and groups set; groups is a new reference) or the reason.
 */
static const char *
claims_check(struct auth_job *job, const char **email, json_t **groups)
{
	json_t		*id, *ui, *aud, *v, *src;
	const char	*iss, *azp, *nonce, *sub, *usub, *e;
	json_int_t	 exp, iat;
	time_t		 now;
	size_t		 i;
	int		 found;
	char		*p;

	id = job->id_claims;
	ui = job->userinfo;
	now = time(NULL);

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

	if (!json_is_integer(json_object_get(id, "exp")) ||
	    !json_is_integer(json_object_get(id, "iat")))
		return ("ID token without exp or iat");
	exp = json_integer_value(json_object_get(id, "exp"));
	iat = json_integer_value(json_object_get(id, "iat"));
	if (now >= exp + CLAIM_SKEW)
		return ("ID token expired");
	if (iat > now + CLAIM_SKEW ||
	    iat < now - AUTH_TXN_TIMEOUT - CLAIM_SKEW)
		return ("ID token issued at an odd time");

	nonce = json_string_value(json_object_get(id, "nonce"));
	if (nonce == NULL || !session_equal(nonce, job->nonce))
		return ("ID token nonce does not match");

	sub = json_string_value(json_object_get(id, "sub"));
	if (sub == NULL || *sub == '\0')
		return ("ID token without sub");

	/* Userinfo counts only when it is about the same subject. */
	usub = ui ? json_string_value(json_object_get(ui, "sub")) : NULL;
	if (usub == NULL || strcmp(usub, sub) != 0)
		ui = NULL;

	src = json_object_get(id, "email") != NULL ? id : ui;
	e = src ? json_string_value(json_object_get(src, "email")) : NULL;
	if (e == NULL || *e == '\0')
		return ("no email claim");
	if (json_is_false(json_object_get(src, "email_verified")))
		return ("email not verified");
	if (strlen(e) > AUTH_EMAIL_MAX)
		return ("email too long");

	v = json_object_get(id, "groups");
	if (v == NULL && ui != NULL)
		v = json_object_get(ui, "groups");
	if (v != NULL && !json_is_array(v))
		return ("groups claim is not a list");
	*groups = v != NULL ? json_incref(v) : json_array();

	/* Keep the lower-cased address in the ID token copy for the caller. */
	v = json_string(e);
	if (v == NULL) {
		json_decref(*groups);
		return ("email is not text");
	}
	for (p = (char *)json_string_value(v); *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	json_object_set_new(id, "cdot_email", v);
	*email = json_string_value(v);

	return (NULL);
}

/*
 * POST /auth/signout (CSRF-checked by the dispatcher): the session ends
 * for every copy of its cookie, on every instance.  The provider's own
 * session (Okta's) is left alone, as staff expect of an internal tool.
 *
 * If the end cannot be recorded (the database is down), session_end()
 * changes nothing and the person is told so, still signed in: clearing
 * only this browser's cookie would look like a sign-out while a copy of
 * the cookie kept working.
 */
int
auth_signout(struct http_request *req, struct app_req *ctx)
{
	char		 user[APP_USER_MAX], buf[APP_USER_MAX + 8];
	const char	*actor;

	(void)kore_strlcpy(user, ctx->user, sizeof(user));
	if ((actor = session_actor(ctx, buf, sizeof(buf))) == NULL)
		actor = "";
	session_end(req, ctx);

	if (ctx->session == SESSION_VALID) {
		log_event("sign-out failed", json_pack("{s:s, s:s, s:s, s:s, "
		    "s:s}", "level", "error", "request_id", ctx->request_id,
		    "user", user, "actor", actor, "reason", "the end of the "
		    "session could not be recorded"));
		return (auth_page_to(req, ctx, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "Sign-out did not complete", "You are still signed in: "
		    "the end of your session could not be recorded (the "
		    "database did not answer), so signing out here would not "
		    "have held for copies of your session. Try again in a "
		    "moment.", RETURN_DEFAULT, "Back to the dashboard"));
	}

	log_event("signed out", json_pack("{s:s, s:s, s:s}", "request_id",
	    ctx->request_id, "user", user, "actor", actor));

	return (render_redirect(req, "/auth/signedout"));
}

/* GET /auth/signedout */
int
auth_signedout(struct http_request *req, struct app_req *ctx)
{
	json_t	*view;

	view = render_view(ctx, "Signed out");
	return (render_page(req, ctx, HTTP_STATUS_OK, "signedout", view));
}

/*
 * The answer when the access check of the dispatcher says no.
 */
int
auth_deny(struct http_request *req, struct app_req *ctx, int why)
{
	struct kore_buf	*href;
	json_t		*view;
	int		 ret;

	switch (why) {
	case AUTH_DENY_SIGNED_OUT:
		if (ctx->session == SESSION_UNCHECKED)
			return (auth_deny_unchecked(req, ctx));
		href = kore_buf_alloc(256);
		signin_href(req, href);
		if (req->method == HTTP_METHOD_POST) {
			view = render_view(ctx, "Forbidden");
			json_object_set_new(view, "status",
			    json_integer(HTTP_STATUS_FORBIDDEN));
			json_object_set_new(view, "reason",
			    json_string("signed_out"));
			json_object_set_new(view, "error", json_string(
			    "You are not signed in (your session may have "
			    "ended), so nothing was changed. Sign in and try "
			    "again."));
			json_object_set_new(view, "retry_href",
			    json_string(kore_buf_stringify(href, NULL)));
			json_object_set_new(view, "retry_label",
			    json_string("Sign in"));
			ret = render_page(req, ctx, HTTP_STATUS_FORBIDDEN,
			    "auth_error", view);
		} else if (ctx->wants_json) {
			view = render_view(ctx, "Unauthorized");
			json_object_set_new(view, "status",
			    json_integer(HTTP_STATUS_UNAUTHORIZED));
			json_object_set_new(view, "reason", json_string(
			    ctx->session == SESSION_EXPIRED ?
			    "session_expired" : "signed_out"));
			json_object_set_new(view, "error",
			    json_string("Sign in first."));
			json_object_set_new(view, "signin_url",
			    json_string(kore_buf_stringify(href, NULL)));
			ret = render_json(req, HTTP_STATUS_UNAUTHORIZED, view);
		} else {
			ret = render_redirect(req,
			    kore_buf_stringify(href, NULL));
		}
		kore_buf_free(href);
		return (ret);
	case AUTH_DENY_NO_ROLE:
		view = render_view(ctx, "No access");
		json_object_set_new(view, "status",
		    json_integer(HTTP_STATUS_FORBIDDEN));
		json_object_set_new(view, "reason", json_string("no_role"));
		json_object_set_new(view, "error", json_string("Your account "
		    "is not in any group that gives access to CustomersDot "
		    "Admin."));
		return (render_page(req, ctx, HTTP_STATUS_FORBIDDEN,
		    "noaccess", view));
	case AUTH_DENY_CSRF:
		view = render_view(ctx, "Forbidden");
		json_object_set_new(view, "status",
		    json_integer(HTTP_STATUS_FORBIDDEN));
		json_object_set_new(view, "reason", json_string("csrf"));
		json_object_set_new(view, "error", json_string("The form "
		    "could not be accepted: it has expired or did not come "
		    "from this site, so nothing was changed. Go back, reload "
		    "the page and try again."));
		return (render_page(req, ctx, HTTP_STATUS_FORBIDDEN, "error",
		    view));
	case AUTH_DENY_ROLE:
	default:
		view = render_view(ctx, "Forbidden");
		json_object_set_new(view, "status",
		    json_integer(HTTP_STATUS_FORBIDDEN));
		json_object_set_new(view, "reason", json_string("role"));
		json_object_set_new(view, "error", json_string("Your account "
		    "does not have access to this page."));
		return (render_page(req, ctx, HTTP_STATUS_FORBIDDEN, "error",
		    view));
	}
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
	kore_buf_appendf(ret, "%s", req->path);
	if (req->query_string != NULL && *req->query_string != '\0')
		kore_buf_appendf(ret, "?%s", req->query_string);
	r = kore_buf_stringify(ret, NULL);
	if (req->method == HTTP_METHOD_POST || !return_ok(r))
		r = RETURN_DEFAULT;

	view = render_view(ctx, http_status_text(status));
	json_object_set_new(view, "status", json_integer(status));
	json_object_set_new(view, "reason", json_string("session_unchecked"));
	json_object_set_new(view, "error", json_string(msg));
	json_object_set_new(view, "retry_href", json_string(r));
	json_object_set_new(view, "retry_label", json_string("Try again"));
	res = render_page(req, ctx, status, "auth_error", view);
	kore_buf_free(ret);

	return (res);
}

/* /auth/signin?return_to=<this request's path and query, if local>. */
static void
signin_href(struct http_request *req, struct kore_buf *b)
{
	struct kore_buf	*ret;
	const char	*r;

	ret = kore_buf_alloc(256);
	kore_buf_appendf(ret, "%s", req->path);
	if (req->query_string != NULL && *req->query_string != '\0')
		kore_buf_appendf(ret, "?%s", req->query_string);
	r = kore_buf_stringify(ret, NULL);

	kore_buf_appendf(b, "%s", SIGNIN_PATH);
	if (req->method != HTTP_METHOD_POST && return_ok(r) &&
	    strcmp(r, RETURN_DEFAULT) != 0) {
		kore_buf_appendf(b, "?return_to=");
		url_append(b, r);
	}
	kore_buf_free(ret);
}

/* A page about signing in, with a link to start it again. */
static int
auth_page(struct http_request *req, struct app_req *ctx, int status,
    const char *title, const char *message, const char *retry)
{
	return (auth_page_to(req, ctx, status, title, message, SIGNIN_PATH,
	    retry));
}

/* The same, its button leading to href (a path of this site). */
static int
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
static int
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
static const char *
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
static int
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

/*
 * The marks: ended sessions and used sign-in states, in PostgreSQL
 * (session_marks, see auth/marks.h and sql/migrations/018), so that every
 * worker of every instance sees them, a restart forgets none and no
 * number of them fills anything up.  Keyed by (kind, SHA-256 of the id);
 * expiry is by the database's clock, so every instance agrees on it.
 *
 *	auth_mark()	records kind:id for ttl seconds: 1 when recorded,
 *			0 when a live mark was there already (a state used
 *			before: the caller refuses it), -1 when it could
 *			not be recorded.  Atomic: of two requests marking
 *			the same id at once, on any instances, one gets 1.
 *	auth_marked()	1 when kind:id is marked and the mark has not
 *			expired, 0 when not, -1 when the database could
 *			not say (callers fail closed).  One look-up by
 *			primary key, prepared once per connection: it runs
 *			on every signed-in request.
 *
 * Expired marks are deleted when a mark is recorded, at most once a
 * minute per worker (marks_sweep_due()); until then they count as absent.
 */
int
auth_mark(const char *kind, const char *id, long ttl)
{
	static time_t	 swept = 0;
	PGresult	*res;
	const char	*params[3];
	char		 key[MARKS_KEY_HEX], secs[32];
	int		 r;

	if (!marks_kind_valid(kind) || ttl <= 0 ||
	    marks_key(id, key, sizeof(key)) == -1)
		return (-1);
	(void)snprintf(secs, sizeof(secs), "%ld", ttl);

	params[0] = kind;
	params[1] = key;
	params[2] = secs;
	res = db_exec_cached(NULL,
	    "INSERT INTO session_marks (kind, key, expires_at) "
	    "VALUES ($1, decode($2, 'hex'), "
	    "now() + $3::bigint * interval '1 second') "
	    "ON CONFLICT (kind, key) DO UPDATE "
	    "SET expires_at = EXCLUDED.expires_at, created_at = now() "
	    "WHERE session_marks.expires_at <= now()", 3, params);
	if (res == NULL)
		return (-1);
	r = strcmp(PQcmdTuples(res), "1") == 0 ? 1 : 0;
	PQclear(res);

	/* The mark is in; a sweep that fails is tried again later. */
	if (marks_sweep_due(&swept, time(NULL))) {
		res = db_exec(NULL, "DELETE FROM session_marks "
		    "WHERE expires_at <= now()", 0, NULL);
		if (res != NULL)
			PQclear(res);
		else
			swept = 0;
	}

	return (r);
}

int
auth_marked(struct app_req *ctx, const char *kind, const char *id)
{
	PGresult	*res;
	const char	*params[2];
	char		 key[MARKS_KEY_HEX];
	int		 r;

	if (!marks_kind_valid(kind) || marks_key(id, key, sizeof(key)) == -1)
		return (-1);

	params[0] = kind;
	params[1] = key;
	res = db_exec_cached(ctx,
	    "SELECT 1 FROM session_marks "
	    "WHERE kind = $1 AND key = decode($2, 'hex') "
	    "AND expires_at > now()", 2, params);
	if (res == NULL)
		return (-1);
	r = PQntuples(res) > 0;
	PQclear(res);

	return (r);
}

/*
 * X-Forwarded-* and Forwarded say what a proxy saw; only the configured
 * proxy may say it.  From anyone else they are removed before anything
 * reads them.
 */
void
auth_strip_forwarded(struct http_request *req)
{
	struct http_header	*hdr, *next;
	char			 addr[INET6_ADDRSTRLEN];

	if (app_cfg.trusted_proxy[0] != '\0' &&
	    auth_peer_addr(req, addr, sizeof(addr)) == 0 &&
	    strcmp(addr, app_cfg.trusted_proxy) == 0)
		return;

	for (hdr = TAILQ_FIRST(&req->req_headers); hdr != NULL; hdr = next) {
		next = TAILQ_NEXT(hdr, list);
		if (strncasecmp(hdr->header, "x-forwarded-", 12) != 0 &&
		    strcasecmp(hdr->header, "forwarded") != 0)
			continue;
		TAILQ_REMOVE(&req->req_headers, hdr, list);
		kore_pool_put(&http_header_pool, hdr);
	}
}

/* The connection's peer address as text: 0, or -1 when it has none. */
int
auth_peer_addr(struct http_request *req, char *addr, size_t len)
{
	const void	*src;

	if (req->owner == NULL)
		return (-1);
	if (req->owner->family == AF_INET)
		src = &req->owner->addr.ipv4.sin_addr;
	else if (req->owner->family == AF_INET6)
		src = &req->owner->addr.ipv6.sin6_addr;
	else
		return (-1);

	return (inet_ntop(req->owner->family, src, addr, (socklen_t)len) !=
	    NULL ? 0 : -1);
}

/* One log line about a sign-in: our reason, liboauth2's failing spot. */
static void
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
