/*
 * Marks shared by the workers (marks.c): signed-out sessions and used
 * sign-in states.  No Kore dependency, for the unit tests.
 */

#ifndef CDOT_MARKS_H
#define CDOT_MARKS_H

#include <sys/types.h>

#define MARKS_KEY_MAX		128
#define MARKS_SLOTS		8192	/* a power of two */
#define MARKS_RUN		32	/* slots a key may be found in */

int	 marks_init(void);
int	 marks_set(const char *, long);
int	 marks_has(const char *);

#endif
