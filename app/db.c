/*
 * One libpq connection per worker, used synchronously.
 *
 * Kore's pgsql pool never reconnects after PostgreSQL restarts; this
 * connection does: a connection found broken is reset before use, and a
 * single statement that failed because the connection dropped is tried
 * once more on a fresh one (a statement outside a transaction either ran
 * or did not).  connect_timeout bounds how long a worker can block on a
 * database that is down, and statement_timeout how long on a slow query.
 *
 * Statements whose best plan does not depend on their values (a record by
 * id, its related lists, its history, a page of rows by id) go through
 * db_exec_cached(): prepared once per connection, so that PostgreSQL
 * plans them once instead of on every request, which for a page of a few
 * rows by id costs more than running it.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "hash.h"

static PGconn	*conn = NULL;

#define DB_PREPARED_MAX		256

/* The statements prepared on conn, named "cdot_<index>". */
struct prepared {
	u_int64_t	 hash;
	char		*sql;
};

static struct prepared	prepared[DB_PREPARED_MAX];
static int		nprepared = 0;

/* Whether the last failed statement failed for want of a connection. */
static int	 last_failure_down = 0;

static int		 db_connect(void);
static PGresult		*db_run(struct app_req *, const char *, int,
			    const char *const *, int);
static const char	*prepared_name(PGconn *, const char *, int, char *,
			    size_t);
static void		 prepared_forget(void);
static int		 plan_is_stale(const PGresult *);

void
db_worker_init(void)
{
	/* Connect lazily: a database that is down must not stop a worker. */
	conn = NULL;
}

/*
 * A new connection with the panel's session settings: statements time
 * out, and dates are UTC whatever the server's default.  statement_timeout
 * 0 (none) is for long, streamed reads such as exports.
 */
PGconn *
db_connect_new(long statement_timeout_ms)
{
	char		 options[96];
	const char	*keys[] = { "connect_timeout", "application_name",
			    "dbname", "options", NULL };
	const char	*vals[5];

	(void)snprintf(options, sizeof(options),
	    "-c statement_timeout=%ld -c TimeZone=UTC", statement_timeout_ms);

	/* Later keys win: the URL may set its own connect_timeout. */
	vals[0] = "3";
	vals[1] = "cdot-admin";
	vals[2] = app_cfg.database_url;
	vals[3] = options;
	vals[4] = NULL;

	return (PQconnectdbParams(keys, vals, 1));
}

static int
db_connect(void)
{
	if (conn != NULL)
		PQfinish(conn);
	prepared_forget();
	conn = db_connect_new(app_cfg.db_statement_timeout_ms);

	if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
		kore_log(LOG_ERR, "database connection failed: %s",
		    conn ? PQerrorMessage(conn) : "out of memory");
		metrics_db_error();
		return (-1);
	}

	return (0);
}

/* The worker's connection, (re)connected if needed, or NULL. */
PGconn *
db_conn(void)
{
	if (conn == NULL)
		return (db_connect() == 0 ? conn : NULL);

	if (PQstatus(conn) != CONNECTION_OK) {
		/* A new session: nothing is prepared on it. */
		prepared_forget();
		PQreset(conn);
		if (PQstatus(conn) != CONNECTION_OK) {
			metrics_db_error();
			return (NULL);
		}
	}

	return (conn);
}

/*
 * Run one parameterised statement.  Returns the result (the caller
 * PQclear()s it) when it succeeded, or NULL after logging why.
 */
PGresult *
db_exec(struct app_req *ctx, const char *sql, int nparams,
    const char *const *params)
{
	return (db_run(ctx, sql, nparams, params, 0));
}

/* db_exec() for a statement whose plan may be kept (see the top). */
PGresult *
db_exec_cached(struct app_req *ctx, const char *sql, int nparams,
    const char *const *params)
{
	return (db_run(ctx, sql, nparams, params, 1));
}

static PGresult *
db_run(struct app_req *ctx, const char *sql, int nparams,
    const char *const *params, int cached)
{
	PGresult	*res;
	PGconn		*c;
	const char	*name;
	char		 namebuf[32];
	u_int64_t	 t0;
	int		 attempt, st;

	res = NULL;
	t0 = log_now_us();
	last_failure_down = 1;

	for (attempt = 0; attempt < 2; attempt++) {
		if ((c = db_conn()) == NULL)
			break;
		last_failure_down = 0;

		name = NULL;
		if (cached) {
			name = prepared_name(c, sql, nparams, namebuf,
			    sizeof(namebuf));
		}
		if (name != NULL) {
			res = PQexecPrepared(c, name, nparams, params, NULL,
			    NULL, 0);
		} else {
			res = PQexecParams(c, sql, nparams, NULL, params, NULL,
			    NULL, 0);
		}
		st = PQresultStatus(res);
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
			break;

		/*
		 * A migration changed what a prepared statement reads: drop
		 * them all and run this one as it is now.
		 */
		if (name != NULL && plan_is_stale(res)) {
			PQclear(res);
			res = NULL;
			prepared_forget();
			PQclear(PQexec(c, "DEALLOCATE ALL"));
			cached = 0;
			continue;
		}

		kore_log(LOG_ERR, "database error: %s",
		    PQresultErrorMessage(res));
		metrics_db_error();
		PQclear(res);
		res = NULL;

		/* Only a dropped connection is worth a second try. */
		if (PQstatus(c) != CONNECTION_BAD)
			break;
		last_failure_down = 1;
	}

	if (ctx != NULL)
		ctx->db_us += log_now_us() - t0;

	return (res);
}

/*
 * The name of sql prepared on c, preparing it if needed, or NULL when it
 * cannot be (too many prepared already, or PostgreSQL refused it: then
 * running it unprepared reports why).
 */
static const char *
prepared_name(PGconn *c, const char *sql, int nparams, char *name,
    size_t len)
{
	PGresult	*res;
	u_int64_t	 hash;
	int		 i, ok;

	/* Compare hashes first, texts only when they agree. */
	hash = hash_str(sql);

	for (i = 0; i < nprepared; i++) {
		if (prepared[i].hash == hash &&
		    strcmp(prepared[i].sql, sql) == 0)
			break;
	}
	if (i == DB_PREPARED_MAX)
		return (NULL);
	(void)snprintf(name, len, "cdot_%d", i);
	if (i < nprepared)
		return (name);

	res = PQprepare(c, name, sql, nparams, NULL);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (!ok)
		return (NULL);

	prepared[i].hash = hash;
	prepared[i].sql = kore_strdup(sql);
	nprepared++;

	return (name);
}

static void
prepared_forget(void)
{
	int	i;

	for (i = 0; i < nprepared; i++)
		kore_free(prepared[i].sql);
	nprepared = 0;
}

/* The prepared statement no longer fits the tables, or is gone. */
static int
plan_is_stale(const PGresult *res)
{
	const char	*state;

	if ((state = PQresultErrorField(res, PG_DIAG_SQLSTATE)) == NULL)
		return (0);

	/* 0A000: "cached plan must not change result type"; 26000: no
	 * such prepared statement. */
	return (strcmp(state, "0A000") == 0 || strcmp(state, "26000") == 0);
}

/* After db_exec() returned NULL: was the database unreachable? */
int
db_last_failure_down(void)
{
	return (last_failure_down);
}

int
db_ping(struct app_req *ctx)
{
	PGresult	*res;

	if ((res = db_exec(ctx, "SELECT 1", 0, NULL)) == NULL)
		return (-1);
	PQclear(res);

	return (0);
}
