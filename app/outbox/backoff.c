/*
 * When to try again: exponential backoff from outbox_backoff_ms, doubling
 * with each failed attempt, at most an hour.  No Kore or libpq, so that
 * it is unit-tested (tests/unit/test_validate.c).
 */

#include "outbox/outbox.h"

/* The wait after the attempts-th failed attempt (1, 2, ...). */
long
outbox_backoff_ms(int attempts, long base_ms)
{
	long	ms;
	int	i;

	if (base_ms < 1)
		base_ms = 1;
	if (attempts < 1)
		attempts = 1;

	ms = base_ms;
	for (i = 1; i < attempts; i++) {
		if (ms >= OUTBOX_BACKOFF_MAX_MS / 2)
			return (OUTBOX_BACKOFF_MAX_MS);
		ms *= 2;
	}

	return (ms < OUTBOX_BACKOFF_MAX_MS ? ms : OUTBOX_BACKOFF_MAX_MS);
}
