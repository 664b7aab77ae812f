/*
 * Structured logs: one JSON object per line on standard output.  A
 * request line carries its id, method, path (never the query string,
 * which can hold search terms about customers), status, durations and
 * the signed-in person; never cookies, tokens or other headers.
 */

#include <sys/types.h>
#include <sys/time.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"

static void	log_write(json_t *);

u_int64_t
log_now_us(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((u_int64_t)ts.tv_sec * 1000000 + (u_int64_t)ts.tv_nsec / 1000);
}

static void
log_write(json_t *obj)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 stamp[40], *line;
	size_t		 len;
	ssize_t		 n;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	(void)gmtime_r(&ts.tv_sec, &tm);
	len = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	(void)snprintf(stamp + len, sizeof(stamp) - len, ".%03ldZ",
	    ts.tv_nsec / 1000000);
	json_object_set_new(obj, "time", json_string(stamp));

	if ((line = json_dumps(obj, JSON_COMPACT |
	    JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6))) ==
	    NULL)
		return;

	/* One write per line, so lines of several workers never interleave. */
	len = strlen(line);
	line[len] = '\n';
	n = write(STDOUT_FILENO, line, len + 1);
	(void)n;
	line[len] = '\0';
	free(line);
}

void
log_request(struct http_request *req, struct app_req *ctx)
{
	json_t		*obj;
	u_int64_t	 total;

	total = log_now_us() - ctx->start_us;

	obj = json_object();
	json_object_set_new(obj, "level", json_string("info"));
	json_object_set_new(obj, "msg", json_string("request"));
	json_object_set_new(obj, "request_id", json_string(ctx->request_id));
	json_object_set_new(obj, "method",
	    json_string(http_method_text(req->method)));
	json_object_set_new(obj, "path", json_string(req->path));
	json_object_set_new(obj, "route", ctx->route >= 0 ?
	    json_string(app_routes[ctx->route].pattern) : json_null());
	json_object_set_new(obj, "status", json_integer(req->status));
	json_object_set_new(obj, "duration_ms",
	    json_real((double)total / 1000.0));
	json_object_set_new(obj, "db_ms",
	    json_real((double)ctx->db_us / 1000.0));
	if (ctx->session_us > 0) {
		json_object_set_new(obj, "session_check_ms",
		    json_real((double)ctx->session_us / 1000.0));
	}
	json_object_set_new(obj, "app_ms", json_real(
	    (double)(total - (ctx->db_us < total ? ctx->db_us : total)) /
	    1000.0));
	json_object_set_new(obj, "user", ctx->user[0] != '\0' ?
	    json_string(ctx->user) : json_null());

	log_write(obj);
	json_decref(obj);
}

/* An application event: msg plus the fields of obj (which is consumed). */
void
log_event(const char *msg, json_t *obj)
{
	if (obj == NULL)
		obj = json_object();
	json_object_set_new(obj, "msg", json_string(msg));
	if (json_object_get(obj, "level") == NULL)
		json_object_set_new(obj, "level", json_string("info"));
	log_write(obj);
	json_decref(obj);
}
