/*
 * SMTP delivery with libcurl: MAIL FROM, RCPT TO, DATA to the relay of
 * smtp_url (smtp:// tries STARTTLS when offered; smtps:// is TLS from
 * the start; credentials, if the relay wants them, in the URL).  libcurl
 * escapes lines starting with a dot.  See mail.h.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "outbox/mail.h"

struct reader {
	const char	*p;
	size_t		 left;
};

static size_t	 reader_cb(char *, size_t, size_t, void *);

static size_t
reader_cb(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct reader	*r = arg;
	size_t		 n;

	n = size * nmemb;
	if (n > r->left)
		n = r->left;
	memcpy(buf, r->p, n);
	r->p += n;
	r->left -= n;

	return (n);
}

int
smtp_send(const char *url, long timeout, const char *from, const char *to,
    const char *msg, size_t len, struct smtp_result *res)
{
	CURL			*c;
	CURLcode		 rc;
	struct curl_slist	*rcpt;
	struct reader		 r;
	char			 env_from[300], env_to[300];
	char			 errbuf[CURL_ERROR_SIZE];

	memset(res, 0, sizeof(*res));
	res->outcome = SMTP_RETRY;

	if ((c = curl_easy_init()) == NULL) {
		(void)snprintf(res->error, sizeof(res->error),
		    "SMTP: libcurl could not start");
		return (res->outcome);
	}

	(void)snprintf(env_from, sizeof(env_from), "<%s>", from);
	(void)snprintf(env_to, sizeof(env_to), "<%s>", to);
	rcpt = curl_slist_append(NULL, env_to);
	r.p = msg;
	r.left = len;
	errbuf[0] = '\0';

	(void)curl_easy_setopt(c, CURLOPT_URL, url);
	(void)curl_easy_setopt(c, CURLOPT_MAIL_FROM, env_from);
	(void)curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	(void)curl_easy_setopt(c, CURLOPT_READFUNCTION, reader_cb);
	(void)curl_easy_setopt(c, CURLOPT_READDATA, &r);
	(void)curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	(void)curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)len);
	(void)curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	(void)curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
	(void)curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
	    timeout < 10 ? timeout : 10L);
	(void)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);

	rc = curl_easy_perform(c);
	(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->reply);

	if (rc == CURLE_OK) {
		res->outcome = SMTP_SENT;
	} else {
		res->outcome = res->reply >= 500 && res->reply < 600 ?
		    SMTP_REFUSED : SMTP_RETRY;
		(void)snprintf(res->error, sizeof(res->error), "SMTP: %s%s%s"
		    " (reply %ld)", curl_easy_strerror(rc), errbuf[0] ? ": " :
		    "", errbuf, res->reply);
	}

	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);

	return (res->outcome);
}
