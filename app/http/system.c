/*
 * Operational endpoints: health, metrics, and the site root.
 */

#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "admin/edit.h"

/*
 * 200 when the primary answers, 503 otherwise or while the instance
 * stops (it is readiness, for the load balancer); never cached.  The
 * standby is reported beside it, but never makes the instance unready:
 * its reads go to the primary meanwhile.
 */
int
page_healthz(struct http_request *req, struct app_req *ctx)
{
	json_t		*body;
	int		 ok;

	/* Stopping: the load balancer must send no more (http/drain.c). */
	if (drain_stopping()) {
		body = json_pack("{s:s}", "status", "stopping");
		return (render_json(req, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    body));
	}

	ok = db_ping(ctx) == 0;
	body = json_pack("{s:s, s:s, s:o}", "status",
	    ok ? "ok" : "unavailable", "database", ok ? "ok" : "unreachable",
	    "read_database", db_standby_health());

	return (render_json(req, ok ? HTTP_STATUS_OK :
	    HTTP_STATUS_SERVICE_UNAVAILABLE, body));
}

/*
 * Who may read /metrics: an address of metrics_allow, or anyone with the
 * metrics_token as a bearer token.
 */
static int
metrics_allowed(struct http_request *req)
{
	char	 addr[INET6_ADDRSTRLEN], list[1024], *w, *last;

	if (app_cfg.metrics_token[0] != '\0' &&
	    api_service_ok(req, app_cfg.metrics_token))
		return (1);
	if (auth_peer_addr(req, addr, sizeof(addr)) == -1)
		return (0);
	(void)kore_strlcpy(list, app_cfg.metrics_allow, sizeof(list));
	for (w = strtok_r(list, " \t,", &last); w != NULL;
	    w = strtok_r(NULL, " \t,", &last)) {
		if (strcmp(w, addr) == 0)
			return (1);
	}

	return (0);
}

/* This instance's name in the metrics: instance_name, or the host's. */
static const char *
instance(void)
{
	static char	name[256];

	if (name[0] != '\0')
		return (name);
	if (app_cfg.instance_name[0] != '\0')
		(void)kore_strlcpy(name, app_cfg.instance_name, sizeof(name));
	else if (gethostname(name, sizeof(name) - 1) == -1)
		(void)kore_strlcpy(name, "cdot", sizeof(name));
	/* A label value: no quote, backslash or line break. */
	name[strcspn(name, "\"\\\n")] = '\0';

	return (name);
}

int
page_metrics(struct http_request *req, struct app_req *ctx)
{
	static const char	 refused[] = "Metrics are for the addresses "
				    "of metrics_allow, or with metrics_token.\n";
	struct kore_buf		*b;

	(void)ctx;

	if (!metrics_allowed(req)) {
		http_response_header(req, "content-type", "text/plain");
		http_response(req, HTTP_STATUS_FORBIDDEN, refused,
		    sizeof(refused) - 1);
		return (KORE_RESULT_OK);
	}
	b = kore_buf_alloc(8192);
	metrics_render(b, instance());
	http_response_header(req, "content-type",
	    "text/plain; version=0.0.4; charset=utf-8");
	http_response_header(req, "cache-control", "no-store");
	http_response(req, HTTP_STATUS_OK, b->data, b->offset);
	kore_buf_free(b);

	return (KORE_RESULT_OK);
}

/*
 * GET /livez: the process answers (for the load balancer's liveness
 * check; it reads no database: /healthz is readiness).
 */
int
page_livez(struct http_request *req, struct app_req *ctx)
{
	(void)ctx;
	http_response_header(req, "content-type", "text/plain");
	http_response_header(req, "cache-control", "no-store");
	http_response(req, HTTP_STATUS_OK, "ok\n", 3);

	return (KORE_RESULT_OK);
}

int
page_root(struct http_request *req, struct app_req *ctx)
{
	(void)ctx;

	return (render_redirect(req, "/admin"));
}
