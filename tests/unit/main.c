/*
 * The unit test runner: every Check suite of the Kore-independent parts.
 */

#include <stdlib.h>

#include <check.h>

Suite	*tmpl_suite(void);
Suite	*config_suite(void);
Suite	*params_suite(void);
Suite	*validate_suite(void);
Suite	*support_suite(void);
Suite	*marks_suite(void);
Suite	*gitlab_suite(void);
Suite	*license_file_suite(void);

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

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);

	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
