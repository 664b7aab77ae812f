/*
 * One libpq connection per worker, used synchronously.
 *
 * Kore's pgsql pool never reconnects after PostgreSQL restarts; this
 * connection does: a connection found broken is reset before use, and a
 * single statement that failed because the connection dropped is tried
 * once more on a fresh one (a statement outside a transaction either ran
 * or did not).  connect_timeout bounds how long a worker can block on a
 * database that is down, and statement_timeout how long on a slow query.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "app.h"

static PGconn	*conn = NULL;

/* Whether the last failed statement failed for want of a connection. */
static int	 last_failure_down = 0;

static int	db_connect(void);

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
	PGresult	*res;
	PGconn		*c;
	u_int64_t	 t0;
	int		 attempt, st;

	res = NULL;
	t0 = log_now_us();
	last_failure_down = 1;

	for (attempt = 0; attempt < 2; attempt++) {
		if ((c = db_conn()) == NULL)
			break;
		last_failure_down = 0;

		res = PQexecParams(c, sql, nparams, NULL, params, NULL,
		    NULL, 0);
		st = PQresultStatus(res);
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
			break;

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
