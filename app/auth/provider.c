/*
 * The sign-in provider as liboauth2 sees it: its globals, made once in
 * the parent (libcurl, the shared cache, the crypto passphrase), and this
 * process's configuration of the provider, built from the metadata
 * fetched from <issuer>/.well-known/openid-configuration (liboauth2 takes
 * it as a JSON string, not a discovery URL), checked (its issuer must be
 * ours, PKCE S256 on offer) and handed over.  If the provider is down at
 * start-up the panel starts anyway and each worker retries on the first
 * sign-in (provider_ensure(), auth/task.c).
 *
 * liboauth2 is never shown the browser's Host or X-Forwarded-* headers:
 * every request it sees is built here from base_url, and always accepts
 * HTML (so it redirects instead of answering 410).
 *
 * Nothing secret is logged: liboauth2's own messages are dropped; only
 * the name of the liboauth2 function that failed first is kept.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#define METADATA_START_TIMEOUT	5	/* seconds, in the parent */
#define METADATA_MAX		(64 * 1024)

struct base_url {
	char		scheme[8];
	char		host[256];
	unsigned long	port;
	char		path[256];
};

oauth2_cfg_openidc_t		*oidc = NULL;
oauth2_cfg_session_t		*oidc_session = NULL;
oauth2_log_t			*oidc_quiet = NULL;

static struct base_url		 base;
static char			 redirect_uri[512];

static void	 oidc_sink(oauth2_log_sink_t *, const char *, unsigned long,
		    const char *, oauth2_log_level_t, const char *);
static int	 settings_check(char *, size_t);
static oauth2_log_t *globals_init(struct oidc_diag *, char *, size_t);
static int	 callback_url_check(oauth2_log_t *, char *, size_t);
static int	 provider_first(oauth2_log_t *, char *, size_t);
static int	 base_parse(const char *, struct base_url *);
static int	 url_ok(const char *);
static json_t	*discovery_get(oauth2_log_t *, long, char *, size_t);
static int	 pkce_s256(json_t *);
static char	*metadata_pick(json_t *, char *, size_t);

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
oauth2_log_t *
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
 * What a call of oauth2_openidc_handle() leaves behind (its request, its
 * response and claims, each possibly NULL), freed with the log.
 */
void
oidc_handled_free(oauth2_log_t *log, oauth2_http_request_t *r,
    oauth2_http_response_t *resp, json_t *claims)
{
	if (claims != NULL)
		json_decref(claims);
	if (resp != NULL)
		oauth2_http_response_free(log, resp);
	if (r != NULL)
		oauth2_http_request_free(log, r);
	oauth2_log_free(log);
}

/*
 * Once, in the parent: liboauth2's globals (libcurl, the semaphores and
 * shared cache every worker inherits, the crypto passphrase), the cookie
 * key, and the provider if it answers.
 */
int
auth_parent_init(char *err, size_t errlen)
{
	struct oidc_diag	 diag;
	oauth2_log_t		*log;
	int			 rc;

	if (settings_check(err, errlen) == -1)
		return (-1);
	if (session_init(app_cfg.session_secret) == -1) {
		(void)snprintf(err, errlen, "cannot derive the cookie key");
		return (-1);
	}

	memset(&diag, 0, sizeof(diag));
	if ((log = globals_init(&diag, err, errlen)) == NULL)
		return (-1);

	rc = -1;
	if (callback_url_check(log, err, errlen) == -1 ||
	    provider_first(log, err, errlen) == -1)
		goto out;
	rc = 0;

out:
	oauth2_log_free(log);
	return (rc);
}

/* The settings liboauth2 relies on; base_url parsed into base. */
static int
settings_check(char *err, size_t errlen)
{
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

	return (0);
}

/*
 * liboauth2's globals: libcurl's and OpenSSL's (with a log that says
 * nothing), the passphrase, the shared cache and its session settings.
 * A log feeding diag, for the rest of the parent's set-up, or NULL.
 */
static oauth2_log_t *
globals_init(struct oidc_diag *diag, char *err, size_t errlen)
{
	oauth2_log_sink_t	*sink;
	oauth2_log_t		*log;
	const char		*e;

	if ((sink = oauth2_log_sink_create(OAUTH2_LOG_ERROR, oidc_sink,
	    NULL)) == NULL ||
	    (oidc_quiet = oauth2_init(OAUTH2_LOG_ERROR, sink)) == NULL ||
	    (log = oidc_log_new(diag)) == NULL) {
		(void)snprintf(err, errlen, "liboauth2 did not initialise");
		return (NULL);
	}

	if ((e = oauth2_crypto_passphrase_set(log, NULL,
	    app_cfg.session_secret)) != NULL) {
		(void)snprintf(err, errlen, "liboauth2 passphrase: %s", e);
		goto fail;
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
		goto fail;
	}

	/* liboauth2's session: only a carrier from its callback to ours. */
	if ((oidc_session = oauth2_cfg_session_init(log)) == NULL ||
	    oauth2_cfg_session_set_options(log, oidc_session, "cookie",
	    "name=cdot&cookie.name=" OIDC_SESSION_COOKIE "&max_duration=600&"
	    "inactivity_timeout=600") != NULL) {
		(void)snprintf(err, errlen, "liboauth2 session settings "
		    "refused");
		goto fail;
	}

	return (log);

fail:
	oauth2_log_free(log);
	return (NULL);
}

/* liboauth2 must see the callback where base_url puts it. */
static int
callback_url_check(oauth2_log_t *log, char *err, size_t errlen)
{
	oauth2_http_request_t	*r;
	char			*url;
	int			 ok;

	ok = 0;
	if ((r = oidc_request(log, CALLBACK_PATH, NULL, NULL)) != NULL) {
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

	return (0);
}

/*
 * The provider, if it answers now; if not, the workers try again on the
 * first sign-in.  -1 only when its metadata was refused by liboauth2.
 */
static int
provider_first(oauth2_log_t *log, char *err, size_t errlen)
{
	char		*meta, why[128];
	int		 rc;

	if ((meta = metadata_fetch(log, METADATA_START_TIMEOUT, why,
	    sizeof(why))) == NULL) {
		log_event("sign-in provider not ready, workers retry on the "
		    "first sign-in", json_pack("{s:s, s:s, s:s}", "level",
		    "warning", "issuer", app_cfg.oidc_issuer, "reason", why));
		return (0);
	}

	rc = provider_configure(log, meta, err, errlen);
	free(meta);
	if (rc == 0)
		log_event("sign-in provider ready", json_pack("{s:s}",
		    "issuer", app_cfg.oidc_issuer));

	return (rc);
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
oauth2_http_request_t *
oidc_request(oauth2_log_t *log, const char *path, const char *query,
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
char *
metadata_fetch(oauth2_log_t *log, long timeout, char *why, size_t whylen)
{
	json_t		*m;
	char		*out;

	if ((m = discovery_get(log, timeout, why, whylen)) == NULL)
		return (NULL);
	out = metadata_pick(m, why, whylen);
	json_decref(m);

	return (out);
}

/* The discovery document as a JSON object, or NULL and why. */
static json_t *
discovery_get(oauth2_log_t *log, long timeout, char *why, size_t whylen)
{
	oauth2_http_call_ctx_t		*hc;
	oauth2_http_status_code_t	 status;
	json_t				*m;
	char				 url[1024], *resp;
	int				 ok;

	resp = NULL;
	status = 0;
	m = NULL;
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
		(void)snprintf(why, whylen, "discovery not reachable");
		goto out;
	}
	if (status != 200 || strlen(resp) > METADATA_MAX) {
		(void)snprintf(why, whylen, "discovery answered HTTP %u",
		    (unsigned int)status);
		goto out;
	}

	m = json_loads(resp, JSON_REJECT_DUPLICATES, NULL);
	if (m != NULL && !json_is_object(m)) {
		json_decref(m);
		m = NULL;
	}
	if (m == NULL)
		(void)snprintf(why, whylen, "discovery is not a JSON object");

out:
	if (resp != NULL)
		oauth2_mem_free(resp);
	return (m);
}

/* PKCE S256 must be on offer when the provider lists methods. */
static int
pkce_s256(json_t *m)
{
	json_t		*v, *e;
	size_t		 i;

	if ((v = json_object_get(m, "code_challenge_methods_supported")) ==
	    NULL)
		return (1);

	json_array_foreach(v, i, e) {
		if (json_is_string(e) &&
		    strcmp(json_string_value(e), "S256") == 0)
			return (1);
	}

	return (0);
}

/*
 * What liboauth2 needs of the metadata, once checked: our issuer, its
 * endpoints, PKCE S256.  A JSON string (malloc'd), or NULL and why.
 */
static char *
metadata_pick(json_t *m, char *why, size_t whylen)
{
	json_t		*min;
	const char	*issuer, *authz, *token, *jwks, *ui;
	char		*out;

	issuer = json_string_value(json_object_get(m, "issuer"));
	authz = json_string_value(json_object_get(m,
	    "authorization_endpoint"));
	token = json_string_value(json_object_get(m, "token_endpoint"));
	jwks = json_string_value(json_object_get(m, "jwks_uri"));
	ui = json_string_value(json_object_get(m, "userinfo_endpoint"));

	if (issuer == NULL || strcmp(issuer, app_cfg.oidc_issuer) != 0) {
		(void)snprintf(why, whylen, "discovery names another issuer");
		return (NULL);
	}
	if (!url_ok(authz) || !url_ok(token) || !url_ok(jwks) ||
	    (ui != NULL && !url_ok(ui))) {
		(void)snprintf(why, whylen, "discovery lacks an endpoint");
		return (NULL);
	}
	if (!pkce_s256(m)) {
		(void)snprintf(why, whylen, "provider does not offer PKCE "
		    "S256");
		return (NULL);
	}

	out = NULL;
	min = json_pack("{s:s, s:s, s:s, s:s}", "issuer", issuer,
	    "authorization_endpoint", authz, "token_endpoint", token,
	    "jwks_uri", jwks);
	if (min != NULL && ui != NULL)
		json_object_set_new(min, "userinfo_endpoint", json_string(ui));
	if (min != NULL) {
		out = json_dumps(min, JSON_COMPACT);
		json_decref(min);
	}
	if (out == NULL)
		(void)snprintf(why, whylen, "out of memory");

	return (out);
}

/*
 * Build this process's liboauth2 configuration from the metadata.  It
 * is made once and never changed afterwards (task threads read it), so
 * it is only ever built in the main thread, before any task uses it.
 */
int
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
		goto fail;
	}

	/* Unset, liboauth2 hands libcurl no timeout at all. */
	if ((client = oauth2_cfg_openidc_client_get(log, c)) == NULL ||
	    !oauth2_openidc_client_http_timeout_set(log, client,
	    (oauth2_uint_t)app_cfg.oidc_http_timeout)) {
		(void)snprintf(err, errlen, "liboauth2 client not set up");
		goto fail;
	}

	oidc = c;
	return (0);

fail:
	oauth2_cfg_openidc_free(log, c);
	return (-1);
}
