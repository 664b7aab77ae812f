/*
 * Zuora REST calls over libcurl.  See clients/zuora.h.
 *
 * Authentication is Zuora's OAuth 2.0 client credentials: POST
 * /oauth/token with zuora_client_id and zuora_client_secret gives a bearer
 * token, kept in the caller's zuora_session until a minute before it
 * expires (or until Zuora answers 401 to it).  With no client id set, calls
 * go without Authorization (a local stand-in for Zuora).
 *
 * Every exchange is bounded (lib/httpc.c).  Nothing secret is ever put in an
 * error message.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "lib/httpc.h"
#include "clients/zuora.h"

#define ZUORA_URL_MAX		1024
#define TOKEN_MARGIN		60

static int	 exchange(const struct zuora_cfg *, const char *, const char *,
		    const char *, const char *, const char *,
		    struct zuora_result *);
static int	 token_get(const struct zuora_cfg *, struct zuora_session *,
		    struct zuora_result *);

int
zuora_global_init(void)
{
	return (httpc_global_init());
}

/* A Zuora id: 32 lower-case hexadecimal characters. */
int
zuora_id_valid(const char *s)
{
	size_t		i;

	if (s == NULL)
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		if (!isxdigit((unsigned char)s[i]) ||
		    isupper((unsigned char)s[i]))
			return (0);
	}

	return (i == 32);
}

/* Worth trying again later: no answer, or Zuora's own trouble. */
int
zuora_retryable(const struct zuora_result *r)
{
	if (r->outcome == ZUORA_UNREACHABLE || r->outcome == ZUORA_BAD_ANSWER)
		return (1);
	return (r->status == 408 || r->status == 429);
}

void
zuora_result_clear(struct zuora_result *r)
{
	if (r->body != NULL)
		json_decref(r->body);
	memset(r, 0, sizeof(*r));
}

/*
 * One HTTP exchange.  The result's outcome says how it went; its body is
 * the parsed JSON answer when there was one.
 */
static int
exchange(const struct zuora_cfg *cfg, const char *method, const char *path,
    const char *ctype, const char *payload, const char *bearer,
    struct zuora_result *r)
{
	struct httpc_req	 q;
	struct httpc_res	 a;
	json_t			*ok;
	const char		*hdrs[4];
	char			 url[ZUORA_URL_MAX], type[128];
	char			 auth[ZUORA_TOKEN_MAX + 32];
	size_t			 n;
	int			 answered;

	memset(r, 0, sizeof(*r));
	if ((size_t)snprintf(url, sizeof(url), "%s%s", cfg->base_url,
	    path) >= sizeof(url)) {
		r->outcome = ZUORA_REFUSED;
		(void)snprintf(r->error, sizeof(r->error), "URL too long");
		return (r->outcome);
	}

	n = 0;
	hdrs[n++] = "Accept: application/json";
	if (ctype != NULL) {
		(void)snprintf(type, sizeof(type), "Content-Type: %s", ctype);
		hdrs[n++] = type;
	}
	if (bearer != NULL && *bearer != '\0') {
		(void)snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
		    bearer);
		hdrs[n++] = auth;
	}
	hdrs[n] = NULL;

	q.url = url;
	q.method = method;
	q.headers = hdrs;
	q.body = payload;
	q.timeout = cfg->timeout;
	answered = httpc_exchange(&q, &a) == 0;
	explicit_bzero(auth, sizeof(auth));
	r->status = a.status;
	r->body = a.json;

	if (!answered) {
		r->outcome = ZUORA_UNREACHABLE;
		(void)snprintf(r->error, sizeof(r->error), "no answer from "
		    "Zuora to %s %s: %s", method, path, a.error);
	} else if (r->status >= 500) {
		r->outcome = ZUORA_UNREACHABLE;
		(void)snprintf(r->error, sizeof(r->error),
		    "%s %s: Zuora answered %ld", method, path, r->status);
	} else if (r->status == 404) {
		r->outcome = ZUORA_NOT_FOUND;
		(void)snprintf(r->error, sizeof(r->error),
		    "%s %s: not found in Zuora", method, path);
	} else if (r->status < 200 || r->status >= 300) {
		r->outcome = ZUORA_REFUSED;
		(void)snprintf(r->error, sizeof(r->error),
		    "%s %s: Zuora answered %ld", method, path, r->status);
	} else if (r->body == NULL || !json_is_object(r->body)) {
		r->outcome = ZUORA_BAD_ANSWER;
		(void)snprintf(r->error, sizeof(r->error),
		    "%s %s: the answer is not a JSON object", method, path);
	} else if ((ok = json_object_get(r->body, "success")) != NULL &&
	    json_is_false(ok)) {
		r->outcome = ZUORA_REFUSED;
		(void)snprintf(r->error, sizeof(r->error),
		    "%s %s: Zuora refused it (success: false)", method, path);
	} else {
		r->outcome = ZUORA_OK;
	}

	return (r->outcome);
}

/* A bearer token for the session, fetched when missing or expiring. */
static int
token_get(const struct zuora_cfg *cfg, struct zuora_session *s,
    struct zuora_result *r)
{
	CURL		*c;
	char		*id, *secret, *form;
	const char	*tok;
	json_int_t	 ttl;
	size_t		 len;

	if (cfg->client_id == NULL || *cfg->client_id == '\0') {
		s->token[0] = '\0';
		return (0);
	}
	if (s->token[0] != '\0' && time(NULL) + TOKEN_MARGIN < s->expires)
		return (0);
	s->token[0] = '\0';

	if ((c = curl_easy_init()) == NULL)
		return (-1);
	id = curl_easy_escape(c, cfg->client_id, 0);
	secret = curl_easy_escape(c, cfg->client_secret ?
	    cfg->client_secret : "", 0);
	curl_easy_cleanup(c);
	if (id == NULL || secret == NULL) {
		curl_free(id);
		curl_free(secret);
		return (-1);
	}

	len = strlen(id) + strlen(secret) + 80;
	if ((form = malloc(len)) == NULL) {
		curl_free(id);
		curl_free(secret);
		return (-1);
	}
	(void)snprintf(form, len, "grant_type=client_credentials&"
	    "client_id=%s&client_secret=%s", id, secret);
	curl_free(id);
	explicit_bzero(secret, strlen(secret));
	curl_free(secret);

	(void)exchange(cfg, "POST", "/oauth/token",
	    "application/x-www-form-urlencoded", form, NULL, r);
	explicit_bzero(form, len);
	free(form);

	if (r->outcome != ZUORA_OK) {
		/* Bad credentials are Zuora refusing us, not being down. */
		(void)snprintf(r->error, sizeof(r->error),
		    "sign-in to Zuora failed (%s)", r->status ?
		    "refused" : "no answer");
		return (-1);
	}

	tok = json_string_value(json_object_get(r->body, "access_token"));
	ttl = json_integer_value(json_object_get(r->body, "expires_in"));
	if (tok == NULL || strlen(tok) >= sizeof(s->token)) {
		zuora_result_clear(r);
		r->outcome = ZUORA_BAD_ANSWER;
		(void)snprintf(r->error, sizeof(r->error),
		    "sign-in to Zuora failed (no access token)");
		return (-1);
	}
	(void)snprintf(s->token, sizeof(s->token), "%s", tok);
	s->expires = time(NULL) + (ttl > 0 ? (time_t)ttl : 300);
	zuora_result_clear(r);

	return (0);
}

/*
 * One call to Zuora's REST API: method and path (already made safe by the
 * caller: ids are checked with zuora_id_valid), an optional JSON body.
 * The result is the caller's to clear.  Returns the outcome.
 */
int
zuora_call(const struct zuora_cfg *cfg, struct zuora_session *s,
    const char *method, const char *path, json_t *body,
    struct zuora_result *r)
{
	char		*payload;
	int		 attempt;

	payload = NULL;
	if (body != NULL &&
	    (payload = json_dumps(body, JSON_COMPACT)) == NULL) {
		memset(r, 0, sizeof(*r));
		r->outcome = ZUORA_REFUSED;
		(void)snprintf(r->error, sizeof(r->error), "out of memory");
		return (r->outcome);
	}

	memset(r, 0, sizeof(*r));
	for (attempt = 0; attempt < 2; attempt++) {
		if (token_get(cfg, s, r) == -1) {
			if (r->outcome == ZUORA_OK)
				r->outcome = ZUORA_UNREACHABLE;
			if (r->error[0] == '\0')
				(void)snprintf(r->error, sizeof(r->error),
				    "sign-in to Zuora failed");
			break;
		}
		(void)exchange(cfg, method, path, payload ?
		    "application/json" : NULL, payload, s->token, r);
		/* A token Zuora no longer takes: get a new one, once. */
		if (r->status != 401 || s->token[0] == '\0')
			break;
		s->token[0] = '\0';
		zuora_result_clear(r);
	}

	free(payload);

	return (r->outcome);
}
