/*
 * Shared by the unit test files: a Check suite made from a list of tests,
 * so that each file names its tests once and nothing else.
 */

#ifndef UNIT_H
#define UNIT_H

#include <check.h>

/*
 * The tests are a NULL-terminated array of the names START_TEST made; a
 * timeout of 0 keeps Check's default (CK_DEFAULT_TIMEOUT).
 */
Suite	*unit_suite(const char *, const char *, int, const TTest *[]);
void	 unit_tcase(Suite *, const char *, int, const TTest *[]);

#endif
