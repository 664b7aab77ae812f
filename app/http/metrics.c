/*
 * Prometheus metrics shared by all workers.  The parent maps one
 * anonymous shared region before the workers are forked; workers add to
 * it with atomic operations, so /metrics on any worker shows the totals
 * of all of them (and of workers that were restarted).
 */

#include <sys/types.h>
#include <sys/mman.h>

#include <string.h>

#include "app.h"

/* Statuses counted on their own; anything else is counted as "other". */
static const int	statuses[] = {
	200, 204, 301, 302, 303, 304, 400, 401, 403, 404, 405, 409, 410,
	413, 415, 422, 500, 502, 503, 504, 0
};
#define NSTATUS		(sizeof(statuses) / sizeof(statuses[0]))

/* Latency buckets in microseconds (the +Inf bucket is the count). */
static const u_int64_t	buckets[] = {
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000
};
#define NBUCKET		(sizeof(buckets) / sizeof(buckets[0]))

struct route_stats {
	u_int64_t	by_status[NSTATUS];
	u_int64_t	le[NBUCKET];
	u_int64_t	count;
	u_int64_t	sum_us;
};

struct metrics_shm {
	u_int64_t		db_errors;
	struct route_stats	routes[];
};

static struct metrics_shm	*shm = NULL;
static size_t			 nslots = 0;

/* One slot per route plus one for requests that matched no route. */
int
metrics_init(size_t nroutes)
{
	size_t		len;
	void		*p;

	nslots = nroutes + 1;
	len = sizeof(struct metrics_shm) + nslots * sizeof(struct route_stats);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED)
		return (-1);

	memset(p, 0, len);
	shm = p;

	return (0);
}

void
metrics_observe(int route, int status, u_int64_t us)
{
	struct route_stats	*rs;
	size_t			 i, slot;

	if (shm == NULL)
		return;

	slot = (route >= 0 && (size_t)route < nslots - 1) ?
	    (size_t)route : nslots - 1;
	rs = &shm->routes[slot];

	for (i = 0; i < NSTATUS - 1; i++) {
		if (statuses[i] == status)
			break;
	}
	__atomic_fetch_add(&rs->by_status[i], 1, __ATOMIC_RELAXED);

	for (i = 0; i < NBUCKET; i++) {
		if (us <= buckets[i])
			__atomic_fetch_add(&rs->le[i], 1, __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&rs->count, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&rs->sum_us, us, __ATOMIC_RELAXED);
}

void
metrics_db_error(void)
{
	if (shm != NULL)
		__atomic_fetch_add(&shm->db_errors, 1, __ATOMIC_RELAXED);
}

static const char *
slot_label(size_t slot)
{
	return (slot < nslots - 1 ? app_routes[slot].pattern : "unmatched");
}

static const char *
slot_method(size_t slot)
{
	return (slot < nslots - 1 ?
	    http_method_text(app_routes[slot].method) : "any");
}

void
metrics_render(struct kore_buf *b, const char *inst)
{
	struct route_stats	*rs;
	size_t			 s, i;
	u_int64_t		 v;

	kore_buf_appendf(b, "# HELP cdot_http_requests_total HTTP requests "
	    "by route and status.\n# TYPE cdot_http_requests_total counter\n");
	for (s = 0; s < nslots; s++) {
		rs = &shm->routes[s];
		for (i = 0; i < NSTATUS; i++) {
			v = __atomic_load_n(&rs->by_status[i],
			    __ATOMIC_RELAXED);
			if (v == 0)
				continue;
			if (statuses[i] != 0) {
				kore_buf_appendf(b, "cdot_http_requests_total"
				    "{instance=\"%s\",method=\"%s\",route="
				    "\"%s\",status=\"%d\"} %llu\n", inst,
				    slot_method(s), slot_label(s), statuses[i],
				    (unsigned long long)v);
			} else {
				kore_buf_appendf(b, "cdot_http_requests_total"
				    "{instance=\"%s\",method=\"%s\",route="
				    "\"%s\",status=\"other\"} %llu\n", inst,
				    slot_method(s), slot_label(s),
				    (unsigned long long)v);
			}
		}
	}

	kore_buf_appendf(b, "# HELP cdot_http_request_duration_seconds "
	    "Time from a request's arrival to its end.\n"
	    "# TYPE cdot_http_request_duration_seconds histogram\n");
	for (s = 0; s < nslots; s++) {
		rs = &shm->routes[s];
		v = __atomic_load_n(&rs->count, __ATOMIC_RELAXED);
		if (v == 0)
			continue;
		for (i = 0; i < NBUCKET; i++) {
			kore_buf_appendf(b,
			    "cdot_http_request_duration_seconds_bucket"
			    "{instance=\"%s\",method=\"%s\",route=\"%s\","
			    "le=\"%g\"} %llu\n", inst,
			    slot_method(s), slot_label(s),
			    (double)buckets[i] / 1e6, (unsigned long long)
			    __atomic_load_n(&rs->le[i], __ATOMIC_RELAXED));
		}
		kore_buf_appendf(b, "cdot_http_request_duration_seconds_bucket"
		    "{instance=\"%s\",method=\"%s\",route=\"%s\","
		    "le=\"+Inf\"} %llu\n", inst, slot_method(s), slot_label(s),
		    (unsigned long long)v);
		kore_buf_appendf(b, "cdot_http_request_duration_seconds_sum"
		    "{instance=\"%s\",method=\"%s\",route=\"%s\"} %.6f\n",
		    inst, slot_method(s), slot_label(s),
		    (double)__atomic_load_n(&rs->sum_us, __ATOMIC_RELAXED) /
		    1e6);
		kore_buf_appendf(b, "cdot_http_request_duration_seconds_count"
		    "{instance=\"%s\",method=\"%s\",route=\"%s\"} %llu\n",
		    inst, slot_method(s), slot_label(s),
		    (unsigned long long)v);
	}

	kore_buf_appendf(b, "# HELP cdot_db_errors_total Failed database "
	    "connections and statements.\n# TYPE cdot_db_errors_total "
	    "counter\ncdot_db_errors_total{instance=\"%s\"} %llu\n", inst,
	    (unsigned long long)__atomic_load_n(&shm->db_errors,
	    __ATOMIC_RELAXED));
}
