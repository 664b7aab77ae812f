/*
 * A graceful stop.
 *
 * Kore's worker quits at once on SIGTERM, dropping the requests it is
 * serving.  Here SIGTERM (sent by the parent on its own SIGTERM, or by the
 * kernel when the parent dies) starts a drain instead:
 *
 *  1. /healthz answers 503, so that the load balancer sends no more;
 *  2. the worker stops taking the accept lock, which takes the listening
 *     socket out of its event loop;
 *  3. once every worker of the instance has done so, the listening socket
 *     is shut down: new connections are refused at once, and the load
 *     balancer sends them to another instance, instead of waiting in the
 *     queue of a process about to exit;
 *  4. each response closes its connection, idle connections are closed,
 *     and the worker quits when it holds no connection, or after
 *     shutdown_grace seconds, whichever comes first.
 *
 * Step 3 waits for step 2 everywhere because Kore treats an error on a
 * listening socket still in a worker's event loop as fatal.  With a single
 * worker (Kore's "solo" mode) the worker holds the accept lock for good and
 * the socket never leaves its loop: there the socket is shut down at once
 * and its first event takes it out of the loop here.
 */

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <signal.h>
#include <string.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "app.h"

#define DRAIN_TICK_MS		100

/* Kore's solo mode: one HTTP worker (worker_count counts two more). */
#define SOLO_WORKER_COUNT	(KORE_WORKER_BASE + 1)

enum drain_phase {
	DRAIN_NONE,
	DRAIN_LEAVING,		/* the listening socket leaves the loop */
	DRAIN_OUT,		/* it has left; finishing requests */
};

/* Shared by the instance's workers: how many have left the socket. */
struct drain_shared {
	volatile u_int32_t	out;
};

static struct drain_shared	*shared = NULL;
static volatile sig_atomic_t	 requested = 0;
static enum drain_phase		 phase = DRAIN_NONE;
static u_int64_t		 started;
static int			 socket_shut = 0;

static void	drain_signal(int);
static void	drain_tick(void *, u_int64_t);
static void	drain_begin(u_int64_t);
static void	listeners_shut(void);
static void	solo_listener_event(void *, int);
static void	idle_connections_close(void);

/* In the parent, before the workers start. */
int
drain_init(void)
{
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		shared = NULL;
		return (-1);
	}
	shared->out = 0;

	return (0);
}

/* In each worker: SIGTERM drains; SIGQUIT and SIGINT still quit at once. */
void
drain_worker_init(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = drain_signal;
	if (sigfillset(&sa.sa_mask) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1) {
		kore_log(LOG_WARNING, "SIGTERM will not drain: %s", errno_s);
		return;
	}

	kore_timer_add(drain_tick, DRAIN_TICK_MS, NULL, 0);
}

/* Is this worker stopping?  (/healthz then answers 503.) */
int
drain_stopping(void)
{
	return (requested != 0);
}

static void
drain_signal(int sig)
{
	(void)sig;
	requested = 1;
}

static void
drain_tick(void *arg, u_int64_t now)
{
	u_int32_t	workers;

	(void)arg;

	if (!requested)
		return;

	switch (phase) {
	case DRAIN_NONE:
		drain_begin(now);
		return;
	case DRAIN_LEAVING:
		/* A whole turn of the loop has passed: the socket is out. */
		__sync_fetch_and_add(&shared->out, 1);
		phase = DRAIN_OUT;
		break;
	case DRAIN_OUT:
		break;
	}

	workers = worker_count - KORE_WORKER_BASE;
	if (!socket_shut && shared->out >= workers)
		listeners_shut();

	idle_connections_close();

	if (worker_active_connections == 0 ||
	    now - started >= (u_int64_t)app_cfg.shutdown_grace * 1000) {
		kore_log(LOG_NOTICE, "stopping: %u connection(s) left",
		    worker_active_connections);
		/* Kore's own way out of the worker's loop. */
		sig_recv = SIGQUIT;
	}
}

static void
drain_begin(u_int64_t now)
{
	struct kore_server	*srv;
	struct listener		*l;

	kore_log(LOG_NOTICE, "SIGTERM: finishing requests in flight "
	    "(at most %ld s)", app_cfg.shutdown_grace);
	started = now;

	/* Responses from now on close their connection. */
	http_keepalive_time = 0;

	if (shared == NULL || worker_count == SOLO_WORKER_COUNT) {
		LIST_FOREACH(srv, &kore_servers, list) {
			LIST_FOREACH(l, &srv->listeners, list)
				l->evt.handle = solo_listener_event;
		}
		listeners_shut();
		phase = DRAIN_OUT;
		return;
	}

	/* Never busy enough for the lock: Kore drops the socket. */
	worker_max_connections = 0;
	phase = DRAIN_LEAVING;
}

/*
 * Stop listening, for the whole instance (the socket is shared with the
 * parent and the other workers): connections are refused from now on.
 */
static void
listeners_shut(void)
{
	struct kore_server	*srv;
	struct listener		*l;

	LIST_FOREACH(srv, &kore_servers, list) {
		LIST_FOREACH(l, &srv->listeners, list) {
			if (l->fd != -1)
				(void)shutdown(l->fd, SHUT_RDWR);
		}
	}
	socket_shut = 1;
}

/* Solo mode: the shut socket's first event takes it out of the loop. */
static void
solo_listener_event(void *arg, int error)
{
	static int	removed = 0;

	(void)arg;
	(void)error;

	if (!removed) {
		removed = 1;
		kore_platform_disable_accept();
	}
}

/*
 * Close the connections that wait for a next request: nothing is lost,
 * and the load balancer opens its next one elsewhere.  A connection with
 * a request under way, a response being sent, or part of a request read
 * is left to finish.
 */
static void
idle_connections_close(void)
{
	struct connection	*c, *next;

	for (c = TAILQ_FIRST(&connections); c != NULL; c = next) {
		next = TAILQ_NEXT(c, list);
		if (c->proto != CONN_PROTO_HTTP ||
		    c->state != CONN_STATE_ESTABLISHED)
			continue;
		if (!TAILQ_EMPTY(&c->http_requests) ||
		    !TAILQ_EMPTY(&c->send_queue))
			continue;
		if (c->rnb != NULL && c->rnb->s_off > 0)
			continue;
		kore_connection_disconnect(c);
	}
}
