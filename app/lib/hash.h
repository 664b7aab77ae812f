/*
 * A quick hash of a string, for the tables that look texts up (prepared
 * statements, marks): FNV-1a, not meant to withstand chosen inputs.
 */

#ifndef CDOT_HASH_H
#define CDOT_HASH_H

#include <sys/types.h>

static inline u_int64_t
hash_str(const char *s)
{
	u_int64_t	hash;

	hash = 14695981039346656037ULL;
	for (; *s != '\0'; s++) {
		hash ^= (unsigned char)*s;
		hash *= 1099511628211ULL;
	}

	return (hash);
}

#endif
