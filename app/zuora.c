/*
 * Zuora REST calls over libcurl.  See zuora.h.
 *
 * Authentication is Zuora's OAuth 2.0 client credentials: POST
 * /oauth/token with zuora_client_id and zuora_client_secret gives a bearer
 * token, kept in the caller's zuora_session until a minute before it
 * expires (or until Zuora answers 401 to it).  With no client id set, calls
 * go without Authorization (a local stand-in for Zuora).
 *
 * Every exchange is bounded: connect and whole-transfer timeouts, no
 * signals (threads), no redirects, answers of at most ZUORA_BODY_MAX bytes.
 * Nothing secret is ever put in an error message.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "zuora.h"

#define ZUORA_BODY_MAX		(1024 * 1024)
#define ZUORA_URL_MAX		1024
#define TOKEN_MARGIN		60

struct sink {
	char		*data;
	size_t		 len;
	size_t		 cap;
	int		 overflow;
};

static size_t	 sink_write(char *, size_t, size_t, void *);
static int	 exchange(const struct zuora_cfg *, const char *, const char *,
		    const char *, const char *, const char *,
		    struct zuora_result *);
static int	 token_get(const struct zuora_cfg *, struct zuora_session *,
		    struct zuora_result *);

int
zuora_global_init(void)
{
	return (curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1);
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

static size_t
sink_write(char *p, size_t size, size_t n, void *arg)
{
	struct sink	*s = arg;
	size_t		 len, ncap;
	char		*nd;

	len = size * n;
	if (s->len + len + 1 > ZUORA_BODY_MAX) {
		s->overflow = 1;
		return (0);
	}
	if (s->len + len + 1 > s->cap) {
		ncap = s->cap ? s->cap : 4096;
		while (ncap < s->len + len + 1)
			ncap *= 2;
		if ((nd = realloc(s->data, ncap)) == NULL)
			return (0);
		s->data = nd;
		s->cap = ncap;
	}
	memcpy(s->data + s->len, p, len);
	s->len += len;
	s->data[s->len] = '\0';

	return (len);
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
	CURL			*c;
	CURLcode		 cc;
	struct curl_slist	*hdrs;
	struct sink		 sink;
	json_error_t		 jerr;
	json_t			*ok;
	char			 url[ZUORA_URL_MAX], *auth;
	size_t			 alen;

	memset(r, 0, sizeof(*r));
	memset(&sink, 0, sizeof(sink));

	if ((size_t)snprintf(url, sizeof(url), "%s%s", cfg->base_url,
	    path) >= sizeof(url)) {
		r->outcome = ZUORA_REFUSED;
		(void)snprintf(r->error, sizeof(r->error), "URL too long");
		return (r->outcome);
	}

	if ((c = curl_easy_init()) == NULL) {
		r->outcome = ZUORA_UNREACHABLE;
		(void)snprintf(r->error, sizeof(r->error), "out of memory");
		return (r->outcome);
	}

	hdrs = curl_slist_append(NULL, "Accept: application/json");
	auth = NULL;
	if (ctype != NULL) {
		alen = strlen(ctype) + 16;
		if ((auth = malloc(alen)) != NULL) {
			(void)snprintf(auth, alen, "Content-Type: %s", ctype);
			hdrs = curl_slist_append(hdrs, auth);
			free(auth);
		}
	}
	if (bearer != NULL && *bearer != '\0') {
		alen = strlen(bearer) + 32;
		if ((auth = malloc(alen)) != NULL) {
			(void)snprintf(auth, alen, "Authorization: Bearer %s",
			    bearer);
			hdrs = curl_slist_append(hdrs, auth);
			explicit_bzero(auth, alen);
			free(auth);
		}
	}

	(void)curl_easy_setopt(c, CURLOPT_URL, url);
	(void)curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	(void)curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	(void)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, cfg->timeout);
	(void)curl_easy_setopt(c, CURLOPT_TIMEOUT, cfg->timeout);
	(void)curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	(void)curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(c, CURLOPT_USERAGENT, "cdot-admin/1");
	(void)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	(void)curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	if (payload != NULL) {
		(void)curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
		(void)curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(payload));
	}

	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);

	if (cc != CURLE_OK) {
		r->outcome = ZUORA_UNREACHABLE;
		(void)snprintf(r->error, sizeof(r->error), "no answer from "
		    "Zuora to %s %s: %s", method, path, sink.overflow ?
		    "answer too large" : curl_easy_strerror(cc));
		free(sink.data);
		return (r->outcome);
	}

	if (sink.len > 0)
		r->body = json_loadb(sink.data, sink.len, 0, &jerr);
	free(sink.data);

	if (r->status >= 500) {
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
