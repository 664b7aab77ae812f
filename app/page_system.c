/*
 * Operational endpoints: health, metrics, and the site root.
 */

#include <sys/types.h>

#include "app.h"

/* 200 when the database answers, 503 otherwise; never cached. */
int
page_healthz(struct http_request *req, struct app_req *ctx)
{
	json_t		*body;
	int		 ok;

	ok = db_ping(ctx) == 0;
	body = json_pack("{s:s, s:s}", "status", ok ? "ok" : "unavailable",
	    "database", ok ? "ok" : "unreachable");

	return (render_json(req, ok ? HTTP_STATUS_OK :
	    HTTP_STATUS_SERVICE_UNAVAILABLE, body));
}

int
page_metrics(struct http_request *req, struct app_req *ctx)
{
	struct kore_buf	*b;

	(void)ctx;

	b = kore_buf_alloc(8192);
	metrics_render(b);
	http_response_header(req, "content-type",
	    "text/plain; version=0.0.4; charset=utf-8");
	http_response_header(req, "cache-control", "no-store");
	http_response(req, HTTP_STATUS_OK, b->data, b->offset);
	kore_buf_free(b);

	return (KORE_RESULT_OK);
}

int
page_root(struct http_request *req, struct app_req *ctx)
{
	(void)ctx;

	return (render_redirect(req, "/admin"));
}
