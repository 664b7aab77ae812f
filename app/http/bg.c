/*
 * Blocking work a person waits for (a call to Zuora, the sign-in's calls
 * to the OpenID provider), run in a Kore task thread so that the worker
 * keeps serving everyone else meanwhile.
 *
 *	bg_start()	runs fn(arg) in a task bound to the request, which
 *			sleeps; the handler returns KORE_RESULT_RETRY
 *	bg_wait()	called when the handler runs again: BG_RUNNING (keep
 *			sleeping, return KORE_RESULT_RETRY) or BG_DONE
 *	bg_take()	the finished job's argument, now the handler's
 *	bg_arg()	the job's argument, still the job's (which work the
 *			request has in progress)
 *
 * The function runs in another thread: it may use only malloc(3) memory,
 * jansson, libcurl (clients/zuora.c) and liboauth2 (auth/task.c), never
 * Kore or the worker's database connection.  Its own time limits (zuora_http_timeout
 * or oidc_http_timeout for each exchange) bound it; a watchdog answers
 * for a task that overstays even so (a thread stopped by the sandbox
 * never ends, and its request would wait forever).
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "app.h"

#include <kore/tasks.h>

/*
 * How long past its calls' own bounds a task may take before it is
 * overdue: the thread's own work and its scheduling.
 */
#define BG_GRACE_MS	5000

struct bg_job {
	struct kore_task	 task;
	void			(*fn)(void *);
	void			(*dtor)(void *);
	void			*arg;
	int			 running;
	int			 overdue;
	u_int64_t		 deadline;
	LIST_ENTRY(bg_job)	 list;
};

static LIST_HEAD(, bg_job)	 jobs = LIST_HEAD_INITIALIZER(jobs);
static struct kore_timer	*watchdog = NULL;

static int	 bg_run(struct kore_task *);
static void	 bg_watchdog(void *, u_int64_t);
static void	 bg_free(struct bg_job *);

static int
bg_run(struct kore_task *t)
{
	struct bg_job	*job = (struct bg_job *)t;

	job->fn(job->arg);
	return (KORE_RESULT_OK);
}

/* Every second: wake the requests whose task is past its deadline. */
static void
bg_watchdog(void *arg, u_int64_t now)
{
	struct bg_job	*job;

	(void)arg;
	LIST_FOREACH(job, &jobs, list) {
		if (!job->running || job->overdue || now < job->deadline ||
		    job->task.req == NULL)
			continue;
		job->overdue = 1;
		http_request_wakeup(job->task.req);
	}
}

/*
 * Start fn(arg) in a task for this request; bound_ms (the caller's bound
 * on its calls) and a grace later the task is overdue.  arg is freed with
 * dtor unless bg_take() takes it.
 */
void
bg_start(struct http_request *req, struct app_req *ctx, void (*fn)(void *),
    void *arg, void (*dtor)(void *), u_int64_t bound_ms)
{
	struct bg_job	*job;

	if (ctx->bg != NULL)
		fatalx("bg_start: a job is already running");

	if ((job = calloc(1, sizeof(*job))) == NULL)
		fatalx("bg_start: out of memory");
	job->fn = fn;
	job->arg = arg;
	job->dtor = dtor;
	job->deadline = kore_time_ms() + bound_ms + BG_GRACE_MS;
	LIST_INSERT_HEAD(&jobs, job, list);
	if (watchdog == NULL)
		watchdog = kore_timer_add(bg_watchdog, 1000, NULL, 0);

	kore_task_create(&job->task, bg_run);
	kore_task_bind_request(&job->task, req);
	job->running = 1;
	ctx->bg = job;
	kore_task_run(&job->task);
}

/* BG_NONE: no job; BG_RUNNING: sleep on; BG_DONE; BG_OVERDUE. */
int
bg_wait(struct http_request *req, struct app_req *ctx)
{
	struct bg_job	*job;

	if ((job = ctx->bg) == NULL)
		return (BG_NONE);

	if (job->running) {
		if (kore_task_state(&job->task) != KORE_TASK_STATE_FINISHED) {
			if (job->overdue)
				return (BG_OVERDUE);
			http_request_sleep(req);
			return (BG_RUNNING);
		}
		kore_task_destroy(&job->task);
		job->running = 0;
	}

	return (BG_DONE);
}

/* The argument of the request's job if it runs fn; still the job's. */
void *
bg_arg(struct app_req *ctx, void (*fn)(void *))
{
	struct bg_job	*job;

	if ((job = ctx->bg) == NULL || job->fn != fn)
		return (NULL);

	return (job->arg);
}

/* The finished job's argument; the job itself is gone afterwards. */
void *
bg_take(struct app_req *ctx)
{
	struct bg_job	*job;
	void		*arg;

	if ((job = ctx->bg) == NULL || job->running)
		return (NULL);
	arg = job->arg;
	job->arg = NULL;
	bg_free(job);
	ctx->bg = NULL;

	return (arg);
}

static void
bg_free(struct bg_job *job)
{
	LIST_REMOVE(job, list);
	if (job->arg != NULL && job->dtor != NULL)
		job->dtor(job->arg);
	free(job);
}

/*
 * When Kore frees the request (possibly several times while a task still
 * runs): the job goes once its task is over, whoever ended it.
 */
void
bg_req_free(struct app_req *ctx)
{
	struct bg_job	*job;

	if ((job = ctx->bg) == NULL)
		return;

	if (job->running) {
		if (job->task.req != NULL) {
			if (kore_task_state(&job->task) !=
			    KORE_TASK_STATE_FINISHED)
				return;
			kore_task_destroy(&job->task);
		}
		job->running = 0;
	}
	bg_free(job);
	ctx->bg = NULL;
}
