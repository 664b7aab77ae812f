/*
 * The one write path.  Every change made through the panel is one
 * transaction on the worker's connection:
 *
 *	write_begin()	BEGIN, then the actor (and ticket) as transaction-local
 *			settings that the history triggers read
 *	write_exec()	the change, as parameterised statements (lock_version
 *			checked by the caller's WHERE clause)
 *	write_outbox()	work for the outbox worker (Zuora, GitLab.com,
 *			e-mail): its rows, and the NOTIFY that wakes it
 *	write_commit()	COMMIT: the change, its history and its outbox rows
 *			together, or nothing
 *
 * Any failing statement rolls the transaction back at once and keeps the
 * SQLSTATE and constraint name, which write_constraint() maps to a message
 * beside the form field concerned.  write_rollback() is safe to call at any
 * time; write_guard() (when a request ends) rolls back a transaction that
 * a code path forgot, so no transaction ever outlives its request.
 */

#ifndef CDOT_WRITE_H
#define CDOT_WRITE_H

#include "app.h"

#define WRITE_ERRLEN		256
#define WRITE_NAMELEN		64

struct write_txn {
	struct app_req		*ctx;
	PGconn			*conn;
	int			 open;
	int			 failed;
	u_int64_t		 t0;
	char			 sqlstate[6];
	char			 constraint[WRITE_NAMELEN];
	char			 message[WRITE_ERRLEN];
};

/* A constraint (or a whole SQLSTATE class when name is NULL) and what a
 * person reads when it refuses a change. */
struct write_constraint {
	const char		*sqlstate;
	const char		*name;
	const char		*field;		/* NULL: the whole form */
	const char		*message;
};

int		 write_begin(struct write_txn *, struct app_req *,
		    const char *actor, const char *ticket);
int		 write_begin_admin(struct write_txn *, struct app_req *,
		    const char *);
PGresult	*write_exec(struct write_txn *, const char *, int,
		    const char *const *);
long		 write_exec_count(struct write_txn *, const char *, int,
		    const char *const *);
long		 write_outbox(struct write_txn *, const char *, const char *,
		    int, const char *const *, PGresult **);
int		 write_commit(struct write_txn *);
void		 write_rollback(struct write_txn *);
int		 write_is_constraint(const struct write_txn *);
const struct write_constraint *write_constraint(const struct write_txn *,
		    const struct write_constraint *);
void		 write_guard(void);

#endif
