/*
 * What kind of key was pasted into the global search (app/search/keys.c).
 */

#include <string.h>

#include <check.h>

#include "unit.h"

#include "search/search.h"

Suite	*search_keys_suite(void);

/* The kinds of key as search_key_check() leaves it. */
static int
kinds_of(const char *typed)
{
	static char	key[512];
	size_t		len;

	len = strlen(typed);
	ck_assert_uint_lt(len, sizeof(key));
	memcpy(key, typed, len + 1);
	ck_assert_int_eq(search_key_check(key, &len), KEY_OK);

	return (search_key_kinds(key));
}

START_TEST(kinds)
{
	ck_assert(kinds_of("dana@Example.com") & KEY_EMAIL);
	ck_assert(kinds_of("<dana@example.com>") & KEY_EMAIL);
	ck_assert(kinds_of("@example.com") & KEY_DOMAIN);
	ck_assert(kinds_of("example.com") & KEY_HOSTNAME);
	ck_assert(!(kinds_of("1.5") & KEY_DOMAIN));
	ck_assert(kinds_of("2c92a0fd5a5ffd0b015a6a1b2c3d4e5f") & KEY_ZUORA_ID);
	ck_assert(kinds_of("0016100001ABCDE") & KEY_SFDC_ACCOUNT);
	ck_assert(kinds_of("0066100001ABCDEFGH") & KEY_SFDC_OPPORTUNITY);
	ck_assert(kinds_of("12345") & KEY_NUMBER);
	ck_assert(!(kinds_of("1234567890123456789") & KEY_NUMBER));
	ck_assert(kinds_of("'A-S00039268'") & KEY_NAME);
	ck_assert_int_eq(kinds_of("Quantumflow Solutions"), KEY_TEXT);
}
END_TEST

START_TEST(checks)
{
	char	key[16];
	size_t	len;

	strcpy(key, "  \"\"  ");
	len = strlen(key);
	ck_assert_int_eq(search_key_check(key, &len), KEY_EMPTY);
	strcpy(key, "a\tb\x01");
	len = strlen(key);
	ck_assert_int_eq(search_key_check(key, &len), KEY_CONTROL);
}
END_TEST

Suite *
search_keys_suite(void)
{
	const TTest	*tests[] = { kinds, checks, NULL };

	return (unit_suite("search_keys", "keys", 0, tests));
}
