/*
 * Bounded HTTP exchanges.  See lib/httpc.h.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "lib/httpc.h"

#define RETRY_AFTER_MAX		(24L * 3600)

struct sink {
	char		*data;
	size_t		 len;
	size_t		 cap;
	int		 overflow;
};

static size_t	 sink_write(char *, size_t, size_t, void *);
static size_t	 header_seen(char *, size_t, size_t, void *);

int
httpc_global_init(void)
{
	return (curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1);
}

void
httpc_res_clear(struct httpc_res *r)
{
	if (r->json != NULL)
		json_decref(r->json);
	memset(r, 0, sizeof(*r));
	r->retry_after = -1;
}

static size_t
sink_write(char *p, size_t size, size_t n, void *arg)
{
	struct sink	*s = arg;
	size_t		 len, ncap;
	char		*nd;

	len = size * n;
	if (s->len + len + 1 > HTTPC_BODY_MAX) {
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
 * Seconds a Retry-After value asks for (delay-seconds or an HTTP-date,
 * RFC 9110 10.2.3), at most a day; -1 when it says nothing usable.
 */
long
httpc_retry_after(const char *v, long now)
{
	struct tm	 tm;
	char		*end;
	long		 secs;
	time_t		 at;

	while (*v == ' ' || *v == '\t')
		v++;
	if (isdigit((unsigned char)*v)) {
		secs = strtol(v, &end, 10);
		while (*end == ' ' || *end == '\t' || *end == '\r' ||
		    *end == '\n')
			end++;
		if (*end != '\0')
			return (-1);
		return (secs > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : secs);
	}

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm)) == NULL)
		return (-1);
	if ((at = timegm(&tm)) == (time_t)-1)
		return (-1);
	secs = (long)at - now;
	if (secs < 0)
		return (0);
	return (secs > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : secs);
}

/* Only Retry-After is kept of the answer's headers. */
static size_t
header_seen(char *p, size_t size, size_t n, void *arg)
{
	struct httpc_res	*r = arg;
	size_t			 len = size * n;
	char			 line[128];

	if (len > 12 && len < sizeof(line) &&
	    strncasecmp(p, "Retry-After:", 12) == 0) {
		memcpy(line, p + 12, len - 12);
		line[len - 12] = '\0';
		r->retry_after = httpc_retry_after(line, (long)time(NULL));
	}

	return (len);
}

/*
 * One exchange.  0 when there was an answer (r->status, and r->json when
 * it is JSON), -1 when not (r->error says why; nothing secret).
 */
int
httpc_exchange(const struct httpc_req *q, struct httpc_res *r)
{
	CURL			*c;
	CURLcode		 cc;
	struct curl_slist	*hdrs, *next;
	struct sink		 sink;
	json_error_t		 jerr;
	size_t			 i;

	memset(r, 0, sizeof(*r));
	r->retry_after = -1;
	memset(&sink, 0, sizeof(sink));

	if ((c = curl_easy_init()) == NULL) {
		(void)snprintf(r->error, sizeof(r->error), "out of memory");
		return (-1);
	}
	hdrs = NULL;
	for (i = 0; q->headers != NULL && q->headers[i] != NULL; i++) {
		if ((next = curl_slist_append(hdrs, q->headers[i])) == NULL)
			break;
		hdrs = next;
	}

	(void)curl_easy_setopt(c, CURLOPT_URL, q->url);
	(void)curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
	(void)curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	(void)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, q->timeout);
	(void)curl_easy_setopt(c, CURLOPT_TIMEOUT, q->timeout);
	(void)curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	(void)curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(c, CURLOPT_USERAGENT, "cdot-admin/1");
	(void)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	(void)curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	(void)curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_seen);
	(void)curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	if (q->body != NULL) {
		(void)curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
		(void)curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(q->body));
	}

	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);

	if (cc != CURLE_OK) {
		r->status = 0;
		(void)snprintf(r->error, sizeof(r->error), "%s",
		    sink.overflow ? "answer too large" :
		    curl_easy_strerror(cc));
		free(sink.data);
		return (-1);
	}

	if (sink.len > 0)
		r->json = json_loadb(sink.data, sink.len, 0, &jerr);
	free(sink.data);

	return (0);
}
