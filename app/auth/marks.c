/*
 * Marks: the sessions signed out (every copy of their cookie is refused
 * until it would have ended anyway) and the sign-in states already used
 * (a replayed callback is refused).  They live in PostgreSQL, in
 * session_marks (sql/migrations/018_session_marks.sql); this file holds
 * what does not need the database, for auth/marks_db.c and the unit tests:
 *
 *	marks_kind_valid()	whether kind is one the table accepts
 *	marks_key()		the key stored for an id: its SHA-256 as hex
 *				(never the id itself, so a copy of the
 *				table signs nobody in)
 *	marks_sweep_due()	whether a worker should delete the expired
 *				marks now: at most once a minute
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "auth/marks.h"

int
marks_kind_valid(const char *kind)
{
	return (kind != NULL && (strcmp(kind, MARK_ENDED_SESSION) == 0 ||
	    strcmp(kind, MARK_USED_STATE) == 0));
}

/*
 * SHA-256 of id, in lower-case hex (what decode(..., 'hex') reads).
 * -1 for an empty or too long id or too small a buffer.
 */
int
marks_key(const char *id, char *out, size_t outlen)
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		md[EVP_MAX_MD_SIZE];
	unsigned int		mdlen, i;
	size_t			len;

	if (id == NULL || (len = strlen(id)) == 0 || len > MARKS_ID_MAX ||
	    outlen < MARKS_KEY_HEX)
		return (-1);

	if (EVP_Digest(id, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen * 2 + 1 != MARKS_KEY_HEX)
		return (-1);

	for (i = 0; i < mdlen; i++) {
		out[i * 2] = hex[md[i] >> 4];
		out[i * 2 + 1] = hex[md[i] & 0x0f];
	}
	out[mdlen * 2] = '\0';

	return (0);
}

/*
 * Whether the expired marks should be deleted now, given when this
 * worker last did (*last, 0: never); if so *last becomes now.  A clock
 * that went back counts as due, so a sweep is never put off for long.
 */
int
marks_sweep_due(time_t *last, time_t now)
{
	if (*last != 0 && now >= *last &&
	    now - *last < MARKS_SWEEP_INTERVAL)
		return (0);

	*last = now;
	return (1);
}
