/*
 * The marks' Kore-independent part (app/auth/marks.c): the kinds the table
 * takes, the key stored for an id (its SHA-256, never the id), and how
 * often a worker sweeps.  Recording and looking marks up in PostgreSQL
 * is tested end to end in tests/integration/auth_marks.test.mjs.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "unit.h"

#include "auth/marks.h"

Suite	*marks_suite(void);

START_TEST(kinds)
{
	ck_assert(marks_kind_valid(MARK_ENDED_SESSION));
	ck_assert(marks_kind_valid(MARK_USED_STATE));
	ck_assert(marks_kind_valid("ended_session"));
	ck_assert(marks_kind_valid("used_state"));
	ck_assert(!marks_kind_valid("sid"));
	ck_assert(!marks_kind_valid("state"));
	ck_assert(!marks_kind_valid(""));
	ck_assert(!marks_kind_valid("ended_session "));
	ck_assert(!marks_kind_valid(NULL));
}
END_TEST

START_TEST(key_is_sha256_hex)
{
	char	key[MARKS_KEY_HEX];

	/* FIPS 180-2's example: what PostgreSQL's sha256('abc') gives. */
	ck_assert_int_eq(marks_key("abc", key, sizeof(key)), 0);
	ck_assert_str_eq(key, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	ck_assert_uint_eq(strlen(key), MARKS_KEY_HEX - 1);

	/* A session id as auth/session.c makes them: its value is not kept. */
	ck_assert_int_eq(marks_key("q0Ry9Tz1-_Ab3kLmN0pQrw", key,
	    sizeof(key)), 0);
	ck_assert_uint_eq(strlen(key), 64);
	ck_assert_ptr_null(strstr(key, "q0Ry9Tz1"));
	ck_assert_uint_eq(strspn(key, "0123456789abcdef"), 64);
}
END_TEST

START_TEST(key_differs_by_id)
{
	char	a[MARKS_KEY_HEX], b[MARKS_KEY_HEX], c[MARKS_KEY_HEX];

	ck_assert_int_eq(marks_key("state-one", a, sizeof(a)), 0);
	ck_assert_int_eq(marks_key("state-one", b, sizeof(b)), 0);
	ck_assert_int_eq(marks_key("state-onf", c, sizeof(c)), 0);
	ck_assert_str_eq(a, b);
	ck_assert_str_ne(a, c);
}
END_TEST

START_TEST(key_bad_arguments)
{
	char	id[MARKS_ID_MAX + 2], key[MARKS_KEY_HEX];

	ck_assert_int_eq(marks_key("", key, sizeof(key)), -1);
	ck_assert_int_eq(marks_key(NULL, key, sizeof(key)), -1);
	ck_assert_int_eq(marks_key("abc", key, sizeof(key) - 1), -1);

	memset(id, 'k', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	ck_assert_int_eq(marks_key(id, key, sizeof(key)), -1);
	id[MARKS_ID_MAX] = '\0';
	ck_assert_int_eq(marks_key(id, key, sizeof(key)), 0);
}
END_TEST

START_TEST(sweep_at_most_once_a_minute)
{
	time_t	last, now;

	now = 1700000000;
	last = 0;
	/* A worker's first mark sweeps. */
	ck_assert(marks_sweep_due(&last, now));
	ck_assert_int_eq(last, now);
	ck_assert(!marks_sweep_due(&last, now));
	ck_assert(!marks_sweep_due(&last, now + MARKS_SWEEP_INTERVAL - 1));
	ck_assert_int_eq(last, now);
	ck_assert(marks_sweep_due(&last, now + MARKS_SWEEP_INTERVAL));
	ck_assert_int_eq(last, now + MARKS_SWEEP_INTERVAL);

	/* A clock that went back does not put the next sweep off. */
	ck_assert(marks_sweep_due(&last, now - 3600));
	ck_assert_int_eq(last, now - 3600);
	ck_assert(!marks_sweep_due(&last, now - 3600 + 1));
}
END_TEST

Suite *
marks_suite(void)
{
	const TTest	*tests[] = {
	    kinds, key_is_sha256_hex, key_differs_by_id, key_bad_arguments,
	    sweep_at_most_once_a_minute, NULL
	};

	return (unit_suite("marks", "marks", 0, tests));
}
