/*
 * The workers' shared marks (app/marks.c): set, found, expired, a full
 * run refused, and seen across fork(2) as the workers see them.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "hash.h"
#include "marks.h"

Suite	*marks_suite(void);

/* n keys that all start at the same slot, into keys[i] (32 bytes each). */
static void
same_slot_keys(char keys[][32], int n)
{
	u_int64_t	 slot;
	int		 found, i;

	(void)snprintf(keys[0], 32, "sid:0");
	slot = hash_str(keys[0]) & (MARKS_SLOTS - 1);
	found = 1;
	for (i = 1; found < n; i++) {
		(void)snprintf(keys[found], 32, "sid:%d", i);
		if ((hash_str(keys[found]) & (MARKS_SLOTS - 1)) == slot)
			found++;
	}
}

START_TEST(set_and_found)
{
	ck_assert_int_eq(marks_init(), 0);
	ck_assert(!marks_has("sid:abc"));
	ck_assert_int_eq(marks_set("sid:abc", 60), 0);
	ck_assert(marks_has("sid:abc"));
	ck_assert(!marks_has("state:abc"));
	ck_assert(!marks_has("sid:ab"));
	ck_assert(!marks_has(""));
	/* Marked again: still one mark. */
	ck_assert_int_eq(marks_set("sid:abc", 120), 0);
	ck_assert(marks_has("sid:abc"));
}
END_TEST

START_TEST(bad_arguments)
{
	char	long_key[MARKS_KEY_MAX + 1];

	/* Before the table exists: nothing is marked, nothing can be. */
	ck_assert(!marks_has("sid:abc"));
	ck_assert_int_eq(marks_set("sid:abc", 60), -1);

	ck_assert_int_eq(marks_init(), 0);
	memset(long_key, 'k', sizeof(long_key) - 1);
	long_key[sizeof(long_key) - 1] = '\0';
	ck_assert_int_eq(marks_set(long_key, 60), -1);
	ck_assert(!marks_has(long_key));
	long_key[MARKS_KEY_MAX - 1] = '\0';
	ck_assert_int_eq(marks_set(long_key, 60), 0);
	ck_assert(marks_has(long_key));
	ck_assert_int_eq(marks_set("sid:x", 0), -1);
	ck_assert_int_eq(marks_set("sid:x", -5), -1);
	ck_assert(!marks_has("sid:x"));
}
END_TEST

START_TEST(full_run_refused)
{
	char	keys[MARKS_RUN + 1][32];
	int	i;

	ck_assert_int_eq(marks_init(), 0);
	same_slot_keys(keys, MARKS_RUN + 1);
	for (i = 0; i < MARKS_RUN; i++)
		ck_assert_int_eq(marks_set(keys[i], 60), 0);
	ck_assert_int_eq(marks_set(keys[MARKS_RUN], 60), -1);
	for (i = 0; i < MARKS_RUN; i++)
		ck_assert(marks_has(keys[i]));
	ck_assert(!marks_has(keys[MARKS_RUN]));
}
END_TEST

START_TEST(expired_passed_then_reused)
{
	char	keys[3][32];

	ck_assert_int_eq(marks_init(), 0);
	same_slot_keys(keys, 3);
	ck_assert_int_eq(marks_set(keys[0], 1), 0);
	ck_assert_int_eq(marks_set(keys[1], 60), 0);
	ck_assert(marks_has(keys[0]));
	sleep(2);
	/* The first slot's mark is over; the look-up goes on past it. */
	ck_assert(!marks_has(keys[0]));
	ck_assert(marks_has(keys[1]));
	/* Its slot takes the next key of the run. */
	ck_assert_int_eq(marks_set(keys[2], 60), 0);
	ck_assert(marks_has(keys[1]));
	ck_assert(marks_has(keys[2]));
	ck_assert(!marks_has(keys[0]));
}
END_TEST

START_TEST(seen_across_fork)
{
	pid_t	pid;
	int	status;

	ck_assert_int_eq(marks_init(), 0);
	if ((pid = fork()) == 0)
		_exit(marks_set("state:from-child", 60) == 0 ? 0 : 1);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert(marks_has("state:from-child"));
}
END_TEST

Suite *
marks_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("marks");
	tc = tcase_create("marks");
	/* First: it looks at the table before it is made. */
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, set_and_found);
	tcase_add_test(tc, full_run_refused);
	tcase_add_test(tc, expired_passed_then_reused);
	tcase_add_test(tc, seen_across_fork);
	suite_add_tcase(s, tc);

	return (s);
}
