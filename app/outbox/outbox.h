/*
 * cdot-outbox: the worker that delivers the outbox to external systems.
 * See main.c.
 */

#ifndef CDOT_OUTBOX_H
#define CDOT_OUTBOX_H

/* Attempts before a row is given up ("failed"). */
#define OUTBOX_MAX_ATTEMPTS	10

/* The longest wait between two attempts. */
#define OUTBOX_BACKOFF_MAX_MS	(3600L * 1000)

long	outbox_backoff_ms(int, long);

#endif
