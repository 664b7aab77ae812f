/*
 * Whether a request's reads may go to the standby (database_read_url).
 *
 * Each worker asks the standby at most once a second how far behind it
 * is, and once every STANDBY_RETRY seconds after it could not be reached,
 * so that a standby that is down costs a request nothing.  A standby is
 * fit when it answers and either is no longer in recovery (promoted) or
 * streams from a primary no more than replica_max_lag seconds behind.  A
 * standby in recovery that streams from nowhere may be any age behind:
 * it is not used.
 *
 * "Behind" is the age of the last transaction it replayed, and nothing
 * when it has replayed all it received: the usual measure, which
 * overstates the lag after an idle spell (so reads briefly go to the
 * primary) and never understates it.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"

#define STANDBY_CHECK_EVERY	1	/* seconds */
#define STANDBY_RETRY		5	/* seconds, after it was unreachable */

enum standby_state {
	STANDBY_UNCHECKED,
	STANDBY_FIT,
	STANDBY_BEHIND,
	STANDBY_NOT_STREAMING,
	STANDBY_UNREACHABLE,
};

static enum standby_state	 state = STANDBY_UNCHECKED;
static time_t			 checked_at;
static double			 lag;

static const char	*lag_sql =
	"SELECT pg_is_in_recovery() AS recovering, "
	"EXISTS (SELECT 1 FROM pg_stat_wal_receiver) AS streaming, "
	"CASE WHEN NOT pg_is_in_recovery() OR "
	"pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
	"ELSE COALESCE(extract(epoch FROM now() - "
	"pg_last_xact_replay_timestamp()), 0) END AS lag";

static time_t
now_s(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);

	return (ts.tv_sec);
}

static void
standby_check(void)
{
	PGconn		*c;
	PGresult	*res;

	checked_at = now_s();
	if ((c = db_standby_conn()) == NULL) {
		state = STANDBY_UNREACHABLE;
		return;
	}

	res = PQexec(c, lag_sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		kore_log(LOG_NOTICE, "standby check failed: %s",
		    PQresultErrorMessage(res));
		state = STANDBY_UNREACHABLE;
		PQclear(res);
		return;
	}

	lag = strtod(DB_COL(res, 0, "lag"), NULL);
	if (strcmp(DB_COL(res, 0, "recovering"), "f") == 0)
		state = STANDBY_FIT;
	else if (strcmp(DB_COL(res, 0, "streaming"), "t") != 0)
		state = STANDBY_NOT_STREAMING;
	else if (lag > (double)app_cfg.replica_max_lag)
		state = STANDBY_BEHIND;
	else
		state = STANDBY_FIT;
	PQclear(res);
}

/* May reads go to the standby now? */
int
db_standby_fit(void)
{
	time_t	every;

	if (app_cfg.database_read_url[0] == '\0')
		return (0);

	every = state == STANDBY_UNREACHABLE ? STANDBY_RETRY :
	    STANDBY_CHECK_EVERY;
	if (state == STANDBY_UNCHECKED || now_s() - checked_at >= every)
		standby_check();

	return (state == STANDBY_FIT);
}

/* A statement found the standby gone: leave it until the next retry. */
void
db_standby_down(void)
{
	state = STANDBY_UNREACHABLE;
	checked_at = now_s();
}

/*
 * The standby's part of /healthz: its state, freshly checked, and how far
 * behind it is.  Reads fall back to the primary, so it never makes the
 * instance unready.
 */
json_t *
db_standby_health(void)
{
	static const char	*names[] = {
		[STANDBY_UNCHECKED] = "unchecked",
		[STANDBY_FIT] = "ok",
		[STANDBY_BEHIND] = "behind",
		[STANDBY_NOT_STREAMING] = "not streaming",
		[STANDBY_UNREACHABLE] = "unreachable",
	};

	if (app_cfg.database_read_url[0] == '\0')
		return (json_pack("{s:s}", "status", "not configured"));

	standby_check();

	return (json_pack("{s:s, s:f, s:i, s:s}", "status", names[state],
	    "lag_seconds", lag, "max_lag_seconds",
	    (int)app_cfg.replica_max_lag, "reads_from",
	    state == STANDBY_FIT ? "standby" : "primary"));
}
