/*
 * The unit test runner: every Check suite of the Kore-independent parts.
 */

#include <stddef.h>
#include <stdlib.h>

#include <check.h>

#include "unit.h"

Suite	*tmpl_suite(void);
Suite	*config_suite(void);
Suite	*params_suite(void);
Suite	*validate_suite(void);
Suite	*support_suite(void);
Suite	*marks_suite(void);
Suite	*gitlab_suite(void);
Suite	*license_file_suite(void);
Suite	*search_keys_suite(void);

Suite *
unit_suite(const char *name, const char *tcname, int timeout,
    const TTest *tests[])
{
	Suite	*s;

	s = suite_create(name);
	unit_tcase(s, tcname, timeout, tests);
	return (s);
}

void
unit_tcase(Suite *s, const char *name, int timeout, const TTest *tests[])
{
	TCase	*tc;
	size_t	 i;

	tc = tcase_create(name);
	if (timeout > 0)
		tcase_set_timeout(tc, timeout);
	for (i = 0; tests[i] != NULL; i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
}

int
main(void)
{
	SRunner		*sr;
	int		 failed;

	sr = srunner_create(tmpl_suite());
	srunner_add_suite(sr, config_suite());
	srunner_add_suite(sr, params_suite());
	srunner_add_suite(sr, validate_suite());
	srunner_add_suite(sr, support_suite());
	srunner_add_suite(sr, marks_suite());
	srunner_add_suite(sr, gitlab_suite());
	srunner_add_suite(sr, license_file_suite());
	srunner_add_suite(sr, search_keys_suite());

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);

	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
