/*
 * Marks (auth/marks.c): the sessions signed out and the sign-in states already
 * used, kept in PostgreSQL (session_marks, sql/migrations/018) so every
 * worker of every instance sees them and a restart forgets none.  What
 * is stored for an id and when to sweep; auth/marks_db.c runs the SQL.
 * No Kore dependency, for the unit tests.
 */

#ifndef CDOT_MARKS_H
#define CDOT_MARKS_H

#include <sys/types.h>

#include <time.h>

/* session_marks.kind */
#define MARK_ENDED_SESSION	"ended_session"
#define MARK_USED_STATE		"used_state"

#define MARKS_ID_MAX		128	/* longest id: a session id, a state */
#define MARKS_KEY_HEX		65	/* SHA-256 as hex, with its NUL */
#define MARKS_SWEEP_INTERVAL	60	/* seconds between a worker's sweeps */

int	 marks_kind_valid(const char *);
int	 marks_key(const char *, char *, size_t);
int	 marks_sweep_due(time_t *, time_t);

#endif
