/*
 * One libpq connection per worker to the primary, and one to the standby
 * when reads may go there (db/standby.c says when), used synchronously.
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
#include "lib/hash.h"

#define DB_PREPARED_MAX		256

/* The statements prepared on a connection, named "cdot_<index>". */
struct prepared {
	u_int64_t	 hash;
	char		*sql;
};

/* A worker's connection to one server, and what is prepared on it. */
struct db_link {
	PGconn		*conn;
	struct prepared	 prepared[DB_PREPARED_MAX];
	int		 nprepared;
};

static struct db_link	primary;
static struct db_link	standby;

/* Whether the last failed statement failed for want of a connection. */
static int	 last_failure_down = 0;

static int		 db_connect(struct db_link *, const char *);
static PGconn		*link_conn(struct db_link *, const char *);
static PGresult		*db_run(struct app_req *, const char *, int,
			    const char *const *, int);
static const char	*prepared_name(struct db_link *, const char *, int,
			    char *, size_t);
static void		 prepared_forget(struct db_link *);
static PGresult		*run_once(struct db_link *, PGconn *, const char *,
			    int, const char *const *, int, int *);
static int		 run_failed(struct db_link *, PGconn *, PGresult *,
			    int *);
static int		 plan_is_stale(const PGresult *);

void
db_worker_init(void)
{
	/* Connect lazily: a database that is down must not stop a worker. */
	primary.conn = NULL;
	standby.conn = NULL;
}

/*
 * A new connection to url with the panel's session settings: statements
 * time out, and dates are UTC whatever the server's default.
 * statement_timeout 0 (none) is for long, streamed reads such as exports.
 */
static PGconn *
connect_url(const char *url, long statement_timeout_ms,
    const char *connect_timeout)
{
	char		 options[96];
	const char	*keys[] = { "connect_timeout", "application_name",
			    "dbname", "options", NULL };
	const char	*vals[5];

	(void)snprintf(options, sizeof(options),
	    "-c statement_timeout=%ld -c TimeZone=UTC", statement_timeout_ms);

	/* Later keys win: the URL may set its own connect_timeout. */
	vals[0] = connect_timeout;
	vals[1] = "cdot-admin";
	vals[2] = url;
	vals[3] = options;
	vals[4] = NULL;

	return (PQconnectdbParams(keys, vals, 1));
}

/* A new connection to the primary (database_url). */
PGconn *
db_connect_new(long statement_timeout_ms)
{
	return (connect_url(app_cfg.database_url, statement_timeout_ms, "3"));
}

/*
 * A new connection for a request's long read (an export): to the standby
 * when the request reads from it and it is fit, else to the primary.
 */
PGconn *
db_connect_read(struct app_req *ctx, long statement_timeout_ms)
{
	PGconn	*c;

	if (ctx->read_standby && db_standby_fit()) {
		c = connect_url(app_cfg.database_read_url,
		    statement_timeout_ms, "1");
		if (c != NULL && PQstatus(c) == CONNECTION_OK)
			return (c);
		PQfinish(c);
	}

	return (db_connect_new(statement_timeout_ms));
}

static int
db_connect(struct db_link *l, const char *url)
{
	if (l->conn != NULL)
		PQfinish(l->conn);
	prepared_forget(l);
	/* A standby that does not answer at once is passed over. */
	l->conn = connect_url(url, app_cfg.db_statement_timeout_ms,
	    l == &standby ? "1" : "3");

	if (l->conn == NULL || PQstatus(l->conn) != CONNECTION_OK) {
		kore_log(LOG_ERR, "database connection failed (%s): %s",
		    l == &standby ? "standby" : "primary",
		    l->conn ? PQerrorMessage(l->conn) : "out of memory");
		metrics_db_error();
		return (-1);
	}

	return (0);
}

/* l's connection to url, (re)connected if needed, or NULL. */
static PGconn *
link_conn(struct db_link *l, const char *url)
{
	if (l->conn == NULL)
		return (db_connect(l, url) == 0 ? l->conn : NULL);

	if (PQstatus(l->conn) != CONNECTION_OK) {
		/* A new session: nothing is prepared on it. */
		prepared_forget(l);
		PQreset(l->conn);
		if (PQstatus(l->conn) != CONNECTION_OK) {
			metrics_db_error();
			return (NULL);
		}
	}

	return (l->conn);
}

/* The worker's connection to the primary, (re)connected if needed. */
PGconn *
db_conn(void)
{
	return (link_conn(&primary, app_cfg.database_url));
}

/* The worker's connection to the standby, or NULL. */
PGconn *
db_standby_conn(void)
{
	if (app_cfg.database_read_url[0] == '\0')
		return (NULL);

	return (link_conn(&standby, app_cfg.database_read_url));
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

/*
 * The link a statement of ctx runs on: the standby for a request that
 * reads from it while it is fit, else the primary.
 */
static struct db_link *
link_for(struct app_req *ctx, int primary_only, const char **url)
{
	if (!primary_only && ctx != NULL && ctx->read_standby &&
	    db_standby_fit()) {
		*url = app_cfg.database_read_url;
		return (&standby);
	}
	*url = app_cfg.database_url;

	return (&primary);
}

static PGresult *
db_run(struct app_req *ctx, const char *sql, int nparams,
    const char *const *params, int cached)
{
	PGresult	*res;
	PGconn		*c;
	struct db_link	*l;
	const char	*url;
	u_int64_t	 t0;
	int		 attempt, st, primary_only, prepared, retry;

	res = NULL;
	t0 = log_now_us();
	last_failure_down = 1;
	primary_only = 0;

	for (attempt = 0; attempt < 2; attempt++) {
		l = link_for(ctx, primary_only, &url);
		if ((c = link_conn(l, url)) == NULL) {
			/* The standby is gone: the primary reads instead. */
			if (l == &standby) {
				db_standby_down();
				primary_only = 1;
				continue;
			}
			break;
		}
		last_failure_down = 0;

		res = run_once(l, c, sql, nparams, params, cached, &prepared);
		st = PQresultStatus(res);
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
			break;

		/*
		 * A migration changed what a prepared statement reads: drop
		 * them all and run this one as it is now.
		 */
		if (prepared && plan_is_stale(res)) {
			PQclear(res);
			res = NULL;
			prepared_forget(l);
			PQclear(PQexec(c, "DEALLOCATE ALL"));
			cached = 0;
			continue;
		}

		retry = run_failed(l, c, res, &primary_only);
		res = NULL;
		if (!retry)
			break;
	}

	if (ctx != NULL)
		ctx->db_us += log_now_us() - t0;

	return (res);
}

/*
 * The statement on c: as a prepared statement when cached (and a name
 * is to be had), *prepared saying which.
 */
static PGresult *
run_once(struct db_link *l, PGconn *c, const char *sql, int nparams,
    const char *const *params, int cached, int *prepared)
{
	const char	*name;
	char		 namebuf[32];

	name = NULL;
	if (cached)
		name = prepared_name(l, sql, nparams, namebuf, sizeof(namebuf));
	*prepared = name != NULL;
	if (name != NULL)
		return (PQexecPrepared(c, name, nparams, params, NULL, NULL,
		    0));

	return (PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0));
}

/*
 * A statement failed on l (res, freed here): logged and counted.
 * Whether it is worth another try: what failed on the standby (gone, or
 * a query cancelled by its recovery) is read from the primary instead
 * (*primary_only); on the primary only a dropped connection is.
 */
static int
run_failed(struct db_link *l, PGconn *c, PGresult *res, int *primary_only)
{
	kore_log(LOG_ERR, "database error (%s): %s",
	    l == &standby ? "standby" : "primary",
	    PQresultErrorMessage(res));
	metrics_db_error();
	PQclear(res);

	if (l == &standby) {
		if (PQstatus(c) == CONNECTION_BAD)
			db_standby_down();
		*primary_only = 1;
		return (1);
	}

	if (PQstatus(c) != CONNECTION_BAD)
		return (0);
	last_failure_down = 1;
	return (1);
}

/*
 * The name of sql prepared on c, preparing it if needed, or NULL when it
 * cannot be (too many prepared already, or PostgreSQL refused it: then
 * running it unprepared reports why).
 */
static const char *
prepared_name(struct db_link *l, const char *sql, int nparams, char *name,
    size_t len)
{
	PGresult	*res;
	u_int64_t	 hash;
	int		 i, ok;

	/* Compare hashes first, texts only when they agree. */
	hash = hash_str(sql);

	for (i = 0; i < l->nprepared; i++) {
		if (l->prepared[i].hash == hash &&
		    strcmp(l->prepared[i].sql, sql) == 0)
			break;
	}
	if (i == DB_PREPARED_MAX)
		return (NULL);
	(void)snprintf(name, len, "cdot_%d", i);
	if (i < l->nprepared)
		return (name);

	res = PQprepare(l->conn, name, sql, nparams, NULL);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (!ok)
		return (NULL);

	l->prepared[i].hash = hash;
	l->prepared[i].sql = kore_strdup(sql);
	l->nprepared++;

	return (name);
}

static void
prepared_forget(struct db_link *l)
{
	int	i;

	for (i = 0; i < l->nprepared; i++)
		kore_free(l->prepared[i].sql);
	l->nprepared = 0;
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
