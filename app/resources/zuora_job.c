/*
 * A read from Zuora that a person waits for ("Refresh from Zuora", a
 * contact's import): one GET in a Kore task (http/bg.c), bounded by
 * zuora_http_timeout, so a slow Zuora holds up only the person who
 * asked.  If Zuora cannot be reached nothing changes and they are told
 * so (zuora_why()).
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resources/resources.h"

static void	 zjob_run(void *);

/* In the task thread (plain memory only): one call to Zuora. */
static void
zjob_run(void *arg)
{
	struct zjob		*job = arg;
	struct zuora_cfg	 cfg;

	cfg.base_url = app_cfg.zuora_base_url;
	cfg.client_id = app_cfg.zuora_client_id;
	cfg.client_secret = app_cfg.zuora_client_secret;
	cfg.timeout = app_cfg.zuora_http_timeout;
	(void)zuora_call(&cfg, &job->session, "GET", job->path, NULL,
	    &job->result);
	if (job->result.outcome == ZUORA_OK && job->subs_path[0] != '\0')
		(void)zuora_call(&cfg, &job->session, "GET", job->subs_path,
		    NULL, &job->subs);
}

void
zjob_free(void *arg)
{
	struct zjob	*job = arg;

	zuora_result_clear(&job->result);
	zuora_result_clear(&job->subs);
	explicit_bzero(&job->session, sizeof(job->session));
	free(job);
}

/* A job for GET /v1/<what>/<id>. */
struct zjob *
zjob_new(const char *what, const char *id)
{
	struct zjob	*job;

	if ((job = calloc(1, sizeof(*job))) == NULL)
		fatalx("zuora job: out of memory");
	(void)snprintf(job->path, sizeof(job->path), "/v1/%s/%s", what, id);

	return (job);
}

/* The request waits (KORE_RESULT_RETRY) until bg_wait() says done. */
void
zjob_start(struct http_request *req, struct app_req *ctx, struct zjob *job)
{
	bg_start(req, ctx, zjob_run, job, zjob_free, ZJOB_BOUND_MS);
}

/* What a person is told; the details go to the log. */
const char *
zuora_why(const struct zuora_result *r, char *buf, size_t len)
{
	switch (r->outcome) {
	case ZUORA_NOT_FOUND:
		(void)snprintf(buf, len, "Zuora has no such record");
		break;
	case ZUORA_REFUSED:
		if (r->status != 0)
			(void)snprintf(buf, len, "Zuora refused the request "
			    "(HTTP %ld)", r->status);
		else
			(void)snprintf(buf, len, "Zuora refused the request");
		break;
	case ZUORA_BAD_ANSWER:
		(void)snprintf(buf, len, "Zuora's answer could not be read");
		break;
	default:
		(void)snprintf(buf, len, "Zuora could not be reached");
		break;
	}

	return (buf);
}
