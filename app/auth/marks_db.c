/*
 * The marks in the database: the SQL side of auth/marks.c, used by the
 * sessions (auth/session.c: ended sessions) and the callback
 * (auth/callback.c: used states).  It needs nothing else of auth/.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "auth/auth.h"
#include "auth/marks.h"

/*
 * The marks: ended sessions and used sign-in states, in PostgreSQL
 * (session_marks, see auth/marks.h and sql/migrations/018), so that every
 * worker of every instance sees them, a restart forgets none and no
 * number of them fills anything up.  Keyed by (kind, SHA-256 of the id);
 * expiry is by the database's clock, so every instance agrees on it.
 *
 *	auth_mark()	records kind:id for ttl seconds: 1 when recorded,
 *			0 when a live mark was there already (a state used
 *			before: the caller refuses it), -1 when it could
 *			not be recorded.  Atomic: of two requests marking
 *			the same id at once, on any instances, one gets 1.
 *	auth_marked()	1 when kind:id is marked and the mark has not
 *			expired, 0 when not, -1 when the database could
 *			not say (callers fail closed).  One look-up by
 *			primary key, prepared once per connection: it runs
 *			on every signed-in request.
 *
 * Expired marks are deleted when a mark is recorded, at most once a
 * minute per worker (marks_sweep_due()); until then they count as absent.
 */
int
auth_mark(const char *kind, const char *id, long ttl)
{
	static time_t	 swept = 0;
	PGresult	*res;
	const char	*params[3];
	char		 key[MARKS_KEY_HEX], secs[32];
	int		 r;

	if (!marks_kind_valid(kind) || ttl <= 0 ||
	    marks_key(id, key, sizeof(key)) == -1)
		return (-1);
	(void)snprintf(secs, sizeof(secs), "%ld", ttl);

	params[0] = kind;
	params[1] = key;
	params[2] = secs;
	res = db_exec_cached(NULL,
	    "INSERT INTO session_marks (kind, key, expires_at) "
	    "VALUES ($1, decode($2, 'hex'), "
	    "now() + $3::bigint * interval '1 second') "
	    "ON CONFLICT (kind, key) DO UPDATE "
	    "SET expires_at = EXCLUDED.expires_at, created_at = now() "
	    "WHERE session_marks.expires_at <= now()", 3, params);
	if (res == NULL)
		return (-1);
	r = strcmp(PQcmdTuples(res), "1") == 0 ? 1 : 0;
	PQclear(res);

	/* The mark is in; a sweep that fails is tried again later. */
	if (marks_sweep_due(&swept, time(NULL))) {
		res = db_exec(NULL, "DELETE FROM session_marks "
		    "WHERE expires_at <= now()", 0, NULL);
		if (res != NULL)
			PQclear(res);
		else
			swept = 0;
	}

	return (r);
}

int
auth_marked(struct app_req *ctx, const char *kind, const char *id)
{
	PGresult	*res;
	const char	*params[2];
	char		 key[MARKS_KEY_HEX];
	int		 r;

	if (!marks_kind_valid(kind) || marks_key(id, key, sizeof(key)) == -1)
		return (-1);

	params[0] = kind;
	params[1] = key;
	res = db_exec_cached(ctx,
	    "SELECT 1 FROM session_marks "
	    "WHERE kind = $1 AND key = decode($2, 'hex') "
	    "AND expires_at > now()", 2, params);
	if (res == NULL)
		return (-1);
	r = PQntuples(res) > 0;
	PQclear(res);

	return (r);
}
