/*
 * Transactions for every write.  See db/write.h.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/write.h"

/* The connection of the transaction in progress, if any. */
static PGconn	*txn_conn = NULL;

static void	 txn_fail(struct write_txn *, PGresult *, const char *);
static void	 txn_ended(struct write_txn *);
static long	 result_rows(PGresult *);

/*
 * Open a transaction with actor (and ticket, "" for none) set for the
 * history triggers.  Returns -1 when the database cannot be reached.
 */
int
write_begin(struct write_txn *w, struct app_req *ctx, const char *actor,
    const char *ticket)
{
	PGresult	*res;
	const char	*params[2];
	int		 attempt;

	memset(w, 0, sizeof(*w));
	w->ctx = ctx;
	w->t0 = log_now_us();

	/* A transaction left open by anyone is ended before a new one. */
	write_guard();

	/*
	 * A connection that dropped since its last use (PostgreSQL
	 * restarted) fails its BEGIN: nothing has run yet, so begin once
	 * more on a fresh one, as db_exec() does for single statements.
	 */
	for (attempt = 0;; attempt++) {
		if ((w->conn = db_conn()) == NULL) {
			w->failed = 1;
			(void)snprintf(w->message, sizeof(w->message),
			    "the database cannot be reached");
			return (-1);
		}
		res = PQexec(w->conn, "BEGIN");
		if (PQresultStatus(res) == PGRES_COMMAND_OK || attempt > 0 ||
		    PQstatus(w->conn) != CONNECTION_BAD)
			break;
		PQclear(res);
	}

	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		txn_fail(w, res, "BEGIN");
		PQclear(res);
		return (-1);
	}
	PQclear(res);
	w->open = 1;
	txn_conn = w->conn;

	params[0] = actor;
	params[1] = ticket != NULL ? ticket : "";
	if ((res = write_exec(w, "SELECT set_config('cdot.actor', $1, true), "
	    "set_config('cdot.ticket', $2, true)", 2, params)) == NULL)
		return (-1);
	PQclear(res);

	return (0);
}

/*
 * The identity recorded in history for changes made through the panel:
 * "admin:<email>", or NULL when nobody is signed in.  It is the write
 * path's (the actor of every transaction), read from the request the
 * session layer filled in, so that writing needs nothing of auth/.
 */
const char *
session_actor(const struct app_req *ctx, char *buf, size_t len)
{
	int	n;

	if (ctx->session != SESSION_VALID || ctx->user[0] == '\0')
		return (NULL);

	n = snprintf(buf, len, "admin:%s", ctx->user);
	if (n < 0 || (size_t)n >= len)
		return (NULL);

	return (buf);
}

/*
 * A transaction whose actor is the signed-in person, admin:<email>, with
 * the ticket (already validated; NULL: none) history records beside it.
 */
int
write_begin_admin(struct write_txn *w, struct app_req *ctx,
    const char *ticket)
{
	char		actor[APP_USER_MAX + 8];

	if (session_actor(ctx, actor, sizeof(actor)) == NULL) {
		memset(w, 0, sizeof(*w));
		w->failed = 1;
		(void)snprintf(w->message, sizeof(w->message),
		    "nobody is signed in");
		return (-1);
	}

	return (write_begin(w, ctx, actor, ticket));
}

static void
txn_fail(struct write_txn *w, PGresult *res, const char *what)
{
	const char	*state, *name;
	PGresult	*rb;

	w->failed = 1;
	state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	name = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
	(void)snprintf(w->sqlstate, sizeof(w->sqlstate), "%s",
	    state ? state : "");
	(void)snprintf(w->constraint, sizeof(w->constraint), "%s",
	    name ? name : "");
	(void)snprintf(w->message, sizeof(w->message), "%s",
	    res ? PQresultErrorMessage(res) : PQerrorMessage(w->conn));

	/* Refusals by a constraint are expected; anything else is logged. */
	if (!write_is_constraint(w)) {
		kore_log(LOG_ERR, "write failed in %s: %s", what, w->message);
		metrics_db_error();
	}

	if (w->open) {
		rb = PQexec(w->conn, "ROLLBACK");
		PQclear(rb);
	}
	txn_ended(w);
}

static void
txn_ended(struct write_txn *w)
{
	w->open = 0;
	txn_conn = NULL;
	if (w->ctx != NULL)
		w->ctx->db_us += log_now_us() - w->t0;
}

/*
 * One statement in the transaction.  The result, or NULL after the
 * transaction was rolled back (the reason is in w).
 */
PGresult *
write_exec(struct write_txn *w, const char *sql, int n,
    const char *const *params)
{
	PGresult	*res;
	int		 st;

	if (!w->open)
		return (NULL);

	res = PQexecParams(w->conn, sql, n, NULL, params, NULL, NULL, 0);
	st = PQresultStatus(res);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return (res);

	txn_fail(w, res, "a statement");
	PQclear(res);

	return (NULL);
}

/* Rows a statement touched, or -1 after it failed (rolled back). */
long
write_exec_count(struct write_txn *w, const char *sql, int n,
    const char *const *params)
{
	PGresult	*res;
	long		 rows;

	if ((res = write_exec(w, sql, n, params)) == NULL)
		return (-1);
	rows = result_rows(res);
	PQclear(res);

	return (rows);
}

/* The rows a statement returned, or touched when it returns none. */
static long
result_rows(PGresult *res)
{
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		return (PQntuples(res));

	return (strtol(PQcmdTuples(res), NULL, 10));
}

/*
 * Work for the outbox worker: sql queues the rows (an INSERT INTO outbox,
 * or an UPDATE that sets failed rows pending again), then, when it queued
 * any, NOTIFY cdot_outbox with kind wakes the worker at once instead of
 * at its next poll.  PostgreSQL delivers the notification at COMMIT and
 * drops it on ROLLBACK, so the worker never looks for rows not there yet.
 * Returns the number of rows queued, or -1 (rolled back).  With res
 * non-NULL the statement's result (its RETURNING rows) is left there for
 * the caller to PQclear(); it is NULL after a failure.
 */
long
write_outbox(struct write_txn *w, const char *kind, const char *sql, int n,
    const char *const *params, PGresult **res)
{
	PGresult	*r;
	const char	*notify[1];
	long		 rows;

	if (res != NULL)
		*res = NULL;
	if ((r = write_exec(w, sql, n, params)) == NULL)
		return (-1);
	rows = result_rows(r);

	notify[0] = kind;
	if (rows > 0 && write_exec_count(w, "SELECT pg_notify('cdot_outbox', "
	    "$1)", 1, notify) < 0)
		rows = -1;

	if (res != NULL && rows != -1) {
		*res = r;
		r = NULL;
	}
	if (r != NULL)
		PQclear(r);

	return (rows);
}

/* COMMIT; deferred constraints may still refuse it (then -1). */
int
write_commit(struct write_txn *w)
{
	PGresult	*res;

	if (!w->open)
		return (-1);

	res = PQexec(w->conn, "COMMIT");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		/* A failed COMMIT has ended the transaction either way. */
		w->open = 0;
		txn_fail(w, res, "COMMIT");
		PQclear(res);
		return (-1);
	}
	PQclear(res);
	txn_ended(w);

	return (0);
}

void
write_rollback(struct write_txn *w)
{
	PGresult	*res;

	if (!w->open)
		return;
	res = PQexec(w->conn, "ROLLBACK");
	PQclear(res);
	txn_ended(w);
}

/* Refused by the data (integrity, check, length, format), not broken. */
int
write_is_constraint(const struct write_txn *w)
{
	return (strncmp(w->sqlstate, "23", 2) == 0 ||
	    strncmp(w->sqlstate, "22", 2) == 0);
}

/* The entry of map that explains why the transaction failed, or NULL. */
const struct write_constraint *
write_constraint(const struct write_txn *w, const struct write_constraint *map)
{
	const struct write_constraint	*c;

	if (!w->failed || map == NULL)
		return (NULL);

	for (c = map; c->sqlstate != NULL; c++) {
		if (strcmp(c->sqlstate, w->sqlstate) != 0)
			continue;
		if (c->name == NULL || strcmp(c->name, w->constraint) == 0)
			return (c);
	}

	return (NULL);
}

/*
 * No transaction outlives a request: one still open on the worker's
 * connection is a bug somewhere, rolled back here and logged.
 */
void
write_guard(void)
{
	PGresult	*res;
	PGconn		*c;

	if ((c = txn_conn) == NULL)
		return;
	txn_conn = NULL;
	if (PQstatus(c) != CONNECTION_OK ||
	    PQtransactionStatus(c) == PQTRANS_IDLE)
		return;

	kore_log(LOG_ERR, "a transaction was left open; rolled back");
	res = PQexec(c, "ROLLBACK");
	PQclear(res);
}
