/*
 * Requests run in the order they arrived.
 *
 * Kore puts each request it reads at the head of the worker's queue and
 * runs the queue from the head, so a busy worker runs the newest request
 * first.  A worker blocks while a request waits on the database, so its
 * queue holds one request from each client waiting on it; a client whose
 * next request happened to be read last was served first, again and
 * again, while another's request waited behind newer ones.  At 8
 * connections on the full-name search, two clients of the same worker
 * were served 249 and 84 times in 4 seconds (median 14 and 50 ms).
 *
 * So a request that has not started yet gives way (KORE_RESULT_RETRY)
 * while one that arrived before it, and has not started either, is still
 * queued behind it: Kore reaches that one in the same pass.  Started
 * requests (a handler waiting on a background job) are not in the way.
 * A timer due at once then brings the worker back to the requests that
 * gave way: with requests queued and no timer, Kore waits up to 100 ms
 * for a network event before it runs its queue again.
 */

#include <sys/types.h>

#include "app.h"

static void	 request_order_wake(void *, u_int64_t);

static int	 wake_armed = 0;

/* 1 if req must wait for an older request, which then runs first. */
int
request_order_wait(struct http_request *req)
{
	struct http_request	*older;

	if (req->hdlr_extra != NULL)
		return (0);

	/*
	 * Toward the tail of Kore's queue: requests read before req.  One
	 * that is whole, not yet started and not being dropped runs first.
	 */
	for (older = TAILQ_NEXT(req, list); older != NULL;
	    older = TAILQ_NEXT(older, list)) {
		if ((older->flags & HTTP_REQUEST_COMPLETE) &&
		    !(older->flags & HTTP_REQUEST_DELETE) &&
		    older->hdlr_extra == NULL)
			break;
	}
	if (older == NULL)
		return (0);

	if (!wake_armed) {
		(void)kore_timer_add(request_order_wake, 0, NULL,
		    KORE_TIMER_ONESHOT);
		wake_armed = 1;
	}

	return (1);
}

static void
request_order_wake(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;

	wake_armed = 0;
}
