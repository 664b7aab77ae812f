/*
 * A small client for the few Zuora REST calls the panel makes:
 *
 *	POST /oauth/token		OAuth 2.0 client credentials
 *	GET  /v1/accounts/{id}		Refresh from Zuora (billing accounts)
 *	GET  /v1/contacts/{id}		import a contact by its Zuora id
 *	PUT  /v1/contacts/{id}		contact sync (the outbox worker)
 *
 * Blocking libcurl with hard time limits, no Kore dependency: the module
 * calls it from a Kore task thread, the outbox worker (cdot-outbox) from
 * its loop.  Only malloc(3) memory and jansson objects are used, so it is
 * safe in a thread that must not touch Kore's allocator.
 */

#ifndef CDOT_ZUORA_H
#define CDOT_ZUORA_H

#include <time.h>

#include <jansson.h>

#define ZUORA_ERRLEN		256
#define ZUORA_TOKEN_MAX		2048

/* What a call needs; strings are borrowed. */
struct zuora_cfg {
	const char	*base_url;
	const char	*client_id;
	const char	*client_secret;
	long		 timeout;	/* seconds, for each HTTP exchange */
};

/* An access token, kept by the caller between calls. */
struct zuora_session {
	char		 token[ZUORA_TOKEN_MAX];
	time_t		 expires;
};

/* How a call ended. */
#define ZUORA_OK		0	/* 2xx and "success" not false */
#define ZUORA_UNREACHABLE	1	/* no answer: connect, timeout, 5xx */
#define ZUORA_NOT_FOUND		2	/* 404 */
#define ZUORA_REFUSED		3	/* another 4xx, or success: false */
#define ZUORA_BAD_ANSWER	4	/* an answer that is not JSON */

struct zuora_result {
	int		 outcome;
	long		 status;	/* HTTP status, 0 without an answer */
	json_t		*body;		/* the parsed answer, or NULL */
	char		 error[ZUORA_ERRLEN];
};

int	 zuora_global_init(void);
int	 zuora_call(const struct zuora_cfg *, struct zuora_session *,
	    const char *method, const char *path, json_t *body,
	    struct zuora_result *);
void	 zuora_result_clear(struct zuora_result *);
int	 zuora_id_valid(const char *);
int	 zuora_retryable(const struct zuora_result *);

#endif
