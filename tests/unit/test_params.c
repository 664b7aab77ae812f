/*
 * Query string and form parsing: decoding, repeated keys, and the bounds.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "unit.h"

#include "lib/params.h"

Suite	*params_suite(void);

static int
parse(struct params *p, const char *s)
{
	char	err[PARAMS_ERRLEN];

	params_init(p);
	return (params_parse(p, s, strlen(s), err, sizeof(err)));
}

START_TEST(test_basic)
{
	struct params	p;

	ck_assert_int_eq(parse(&p, "query=jane+doe&page=2&empty=&flag"), 0);
	ck_assert_int_eq((int)p.n, 4);
	ck_assert_str_eq(params_get(&p, "query"), "jane doe");
	ck_assert_str_eq(params_get(&p, "page"), "2");
	ck_assert_str_eq(params_get(&p, "empty"), "");
	ck_assert_str_eq(params_get(&p, "flag"), "");
	ck_assert_ptr_null(params_get(&p, "missing"));
	params_free(&p);
}
END_TEST

START_TEST(test_rails_filters_and_repeats)
{
	struct params	p;

	ck_assert_int_eq(parse(&p,
	    "f%5Berror_message%5D%5B98073%5D%5Bo%5D=like&"
	    "f%5Berror_message%5D%5B98073%5D%5Bv%5D=MaxAdditionalSeatsExceededError"
	    "&a=1&a=2&&"), 0);
	ck_assert_str_eq(params_get(&p, "f[error_message][98073][o]"), "like");
	ck_assert_str_eq(params_get(&p, "f[error_message][98073][v]"),
	    "MaxAdditionalSeatsExceededError");
	ck_assert_int_eq((int)p.n, 4);
	ck_assert_str_eq(p.v[2].val, "1");
	ck_assert_str_eq(p.v[3].val, "2");
	params_free(&p);
}
END_TEST

START_TEST(test_utf8_and_newlines)
{
	struct params	p;

	ck_assert_int_eq(parse(&p, "name=Ren%C3%A9e&addr=line1%0D%0Aline2"),
	    0);
	ck_assert_str_eq(params_get(&p, "name"), "Ren\xc3\xa9" "e");
	ck_assert_str_eq(params_get(&p, "addr"), "line1\r\nline2");
	params_free(&p);
}
END_TEST

START_TEST(test_rejects)
{
	struct params	 p;
	char		*big;
	size_t		 i;
	const char	*bad[] = {
		"a=%zz", "a=%4", "a=%", "a=%00", "=value", "a=%ff",
		"a=%C0%80",		/* overlong */
		"a=%ED%A0%80",		/* surrogate */
		"a=%F4%90%80%80",	/* past U+10FFFF */
		"a=%E2%82",		/* truncated */
	};

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse(&p, bad[i]) == -1, "accepted %s", bad[i]);
		params_free(&p);
	}

	/* Too many parameters. */
	big = malloc(PARAMS_MAX * 4 + 16);
	big[0] = '\0';
	for (i = 0; i <= PARAMS_MAX; i++)
		strcat(big, "a=1&");
	ck_assert_int_eq(parse(&p, big), -1);
	params_free(&p);

	/* A key over the limit. */
	memset(big, 'k', PARAMS_KEY_MAX + 1);
	strcpy(big + PARAMS_KEY_MAX + 1, "=1");
	ck_assert_int_eq(parse(&p, big), -1);
	params_free(&p);
	free(big);
}
END_TEST

START_TEST(test_utf8_repair)
{
	char	cut[32], whole[32], bad[32];

	/* "Σ" cut after its first byte by a bounded copy, then more text. */
	(void)snprintf(cut, sizeof(cut), "'%.4s' x", "a\xce\xa3\xce\xa3");
	ck_assert(!params_utf8_valid(cut, strlen(cut)));
	params_utf8_repair(cut);
	ck_assert_str_eq(cut, "'a\xce\xa3' x");

	/* What is whole stays whole, four-byte characters included. */
	(void)snprintf(whole, sizeof(whole), "%s", "R\xc3\xa9" "e \xf0\x9f\x99\x82");
	params_utf8_repair(whole);
	ck_assert_str_eq(whole, "R\xc3\xa9" "e \xf0\x9f\x99\x82");

	/* Stray continuation bytes, a surrogate, a cut at the very end. */
	(void)snprintf(bad, sizeof(bad), "%s",
	    "\x80" "a\xed\xa0\x80" "b\xe2\x82");
	params_utf8_repair(bad);
	ck_assert_str_eq(bad, "ab");
	ck_assert(params_utf8_valid(bad, strlen(bad)));
}
END_TEST

Suite *
params_suite(void)
{
	const TTest	*tests[] = {
	    test_basic, test_rails_filters_and_repeats, test_utf8_and_newlines,
	    test_rejects, test_utf8_repair, NULL
	};

	return (unit_suite("params", "parse", 0, tests));
}
