/*
 * One bounded HTTP exchange over libcurl, for the clients of external
 * systems (Zuora: clients/zuora.c; GitLab.com: clients/gitlab.c).  No
 * Kore dependency and only malloc(3) memory: it runs in Kore task threads and in the outbox
 * worker alike.
 *
 * Every exchange is bounded: connect and whole-transfer timeouts, no
 * signals (threads), no redirects, http and https only, answers of at
 * most HTTPC_BODY_MAX bytes.
 */

#ifndef CDOT_HTTPC_H
#define CDOT_HTTPC_H

#include <jansson.h>

#define HTTPC_ERRLEN		128
#define HTTPC_BODY_MAX		(1024 * 1024)

struct httpc_req {
	const char		*url;
	const char		*method;
	const char *const	*headers;	/* "Name: value", NULL-ended */
	const char		*body;		/* or NULL */
	long			 timeout;	/* seconds */
};

struct httpc_res {
	long		 status;	/* 0: no answer */
	json_t		*json;		/* the answer, if it is JSON */
	long		 retry_after;	/* seconds, from Retry-After; -1 */
	char		 error[HTTPC_ERRLEN];	/* why there is no answer */
};

int	 httpc_global_init(void);
int	 httpc_exchange(const struct httpc_req *, struct httpc_res *);
void	 httpc_res_clear(struct httpc_res *);
long	 httpc_retry_after(const char *, long);

#endif
