/*
 * Marks shared by every worker: the sessions signed out (every copy of
 * their cookie is refused until it would have gone idle anyway) and the
 * sign-in states already used (a replayed callback is refused).
 *
 * A table in memory mapped before the workers fork, found by the key's
 * hash with linear probing.  Every signed-in request looks here, so a
 * look-up reads the few slots of its key's run, not the whole table.
 *
 *	marks_init()	maps the table (in the parent)
 *	marks_set()	marks key for ttl seconds; -1 if its run is full of
 *			live marks, the key is too long or ttl not above 0
 *	marks_has()	whether key is marked and its mark has not expired
 *
 * A key goes to the first free or expired slot of its run, so a slot
 * never used ends every run that passes it: a look-up stops there.
 */

#include <sys/types.h>
#include <sys/mman.h>

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "hash.h"
#include "marks.h"

#define MARKS_SPINS	64		/* tries before yielding the CPU */

/* The slots' heads apart from their keys: a run's are in one place. */
struct mark_head {
	u_int64_t	hash;
	int64_t		expires;	/* 0: never used */
};

struct marks_table {
	bool			lock;		/* __atomic_test_and_set()'s */
	struct mark_head	heads[MARKS_SLOTS];
	char			keys[MARKS_SLOTS][MARKS_KEY_MAX];
};

static struct marks_table	*table = NULL;

static void		marks_lock(void);
static void		marks_unlock(void);

int
marks_init(void)
{
	void	*p;

	p = mmap(NULL, sizeof(*table), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return (-1);
	table = p;

	return (0);
}

int
marks_set(const char *key, long ttl)
{
	struct mark_head	*h;
	u_int64_t		 hash;
	int64_t			 now;
	size_t			 i, slot, len;
	int			 free_slot;

	if (table == NULL || ttl <= 0 ||
	    (len = strlen(key)) >= MARKS_KEY_MAX)
		return (-1);

	hash = hash_str(key);
	now = time(NULL);
	free_slot = -1;

	marks_lock();
	for (i = 0; i < MARKS_RUN; i++) {
		slot = (hash + i) & (MARKS_SLOTS - 1);
		h = &table->heads[slot];
		if (h->expires > now && h->hash == hash &&
		    strcmp(table->keys[slot], key) == 0) {
			if (h->expires < now + ttl)
				h->expires = now + ttl;
			marks_unlock();
			return (0);
		}
		if (free_slot == -1 && h->expires <= now)
			free_slot = (int)slot;
		if (h->expires == 0)
			break;
	}
	if (free_slot != -1) {
		h = &table->heads[free_slot];
		memcpy(table->keys[free_slot], key, len + 1);
		h->hash = hash;
		h->expires = now + ttl;
	}
	marks_unlock();

	return (free_slot == -1 ? -1 : 0);
}

int
marks_has(const char *key)
{
	struct mark_head	*h;
	u_int64_t		 hash;
	int64_t			 now;
	size_t			 i, slot;
	int			 found;

	if (table == NULL || strlen(key) >= MARKS_KEY_MAX)
		return (0);

	hash = hash_str(key);
	now = time(NULL);
	found = 0;

	marks_lock();
	for (i = 0; i < MARKS_RUN; i++) {
		slot = (hash + i) & (MARKS_SLOTS - 1);
		h = &table->heads[slot];
		if (h->expires == 0)
			break;
		if (h->expires > now && h->hash == hash &&
		    strcmp(table->keys[slot], key) == 0) {
			found = 1;
			break;
		}
	}
	marks_unlock();

	return (found);
}

/*
 * Held for a few slots' reads: spin, and give the CPU away now and then
 * in case its holder was put aside.
 */
static void
marks_lock(void)
{
	int	spins;

	spins = 0;
	while (__atomic_test_and_set(&table->lock, __ATOMIC_ACQUIRE)) {
		if (++spins == MARKS_SPINS) {
			(void)sched_yield();
			spins = 0;
		}
	}
}

static void
marks_unlock(void)
{
	__atomic_clear(&table->lock, __ATOMIC_RELEASE);
}
