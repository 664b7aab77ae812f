/*
 * Configuration parsing: good files, environment overrides, and every way
 * a setting can be wrong, each named in the error.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "unit.h"

#include "lib/config.h"

Suite	*config_suite(void);

static const char *base =
    "database_url postgresql://cdot@127.0.0.1/cdot\n"
    "base_url http://127.0.0.1:8080   # trailing comment\n"
    "oidc_issuer http://127.0.0.1:9400\n"
    "oidc_client_id cdot-admin-dev\n"
    "oidc_client_secret s3cret#not-a-comment\n"
    "session_secret 0123456789abcdef0123456789abcdef\n"
    "\n"
    "# a comment line\n"
    "group okta-cdot-prod-support-admins support_admin\n"
    "group okta-cdot-stg-support-admins support_admin\n"
    "group okta-cdot-prod-editors editor\n"
    "group okta-power editor, read_only\n"
    "portal_base_url https://customers.example.com\n"
    "version_base_url https://version.example.com\n";

static const char	*env_db;

static const char *
no_env(const char *name)
{
	(void)name;
	return (NULL);
}

static const char *
some_env(const char *name)
{
	if (strcmp(name, "CDOT_DATABASE_URL") == 0)
		return (env_db);
	if (strcmp(name, "CDOT_SESSION_IDLE") == 0)
		return ("60");
	return (NULL);
}

/* base with one line replaced (or removed when with is ""). */
static char *
with_line(const char *prefix, const char *with)
{
	static char	 out[4096];
	const char	*p, *nl;
	size_t		 n;

	out[0] = '\0';
	for (p = base; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		n = (size_t)(nl - p);
		if (strncmp(p, prefix, strlen(prefix)) == 0) {
			if (*with != '\0') {
				strcat(out, with);
				strcat(out, "\n");
			}
			continue;
		}
		strncat(out, p, n + 1);
	}

	return (out);
}

static void
expect_error(const char *src, const char *needle)
{
	struct app_config	cfg;
	char			err[CONFIG_ERRLEN];

	err[0] = '\0';
	ck_assert_int_eq(config_parse(&cfg, src, "app.conf", no_env, err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, needle) != NULL, "error '%s' lacks '%s'",
	    err, needle);
}

START_TEST(test_parse_good)
{
	struct app_config	cfg;
	char			err[CONFIG_ERRLEN];

	ck_assert_int_eq(config_parse(&cfg, base, "app.conf", no_env, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(cfg.database_url, "postgresql://cdot@127.0.0.1/cdot");
	ck_assert_str_eq(cfg.base_url, "http://127.0.0.1:8080");
	ck_assert_str_eq(cfg.oidc_client_secret, "s3cret#not-a-comment");
	ck_assert_int_eq(cfg.session_lifetime, 28800);
	ck_assert_int_eq(cfg.session_idle, 1800);
	ck_assert_int_eq(cfg.db_statement_timeout_ms, 10000);
	ck_assert_str_eq(cfg.trusted_proxy, "");
	ck_assert_int_eq((int)cfg.ngroups, 4);
	config_free(&cfg);
}
END_TEST

START_TEST(test_roles_add_up)
{
	struct app_config	cfg;
	char			err[CONFIG_ERRLEN];

	ck_assert_int_eq(config_parse(&cfg, base, "app.conf", no_env, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(config_roles_for_group(&cfg,
	    "okta-cdot-prod-support-admins"), ROLE_SUPPORT_ADMIN);
	ck_assert_int_eq(config_roles_for_group(&cfg,
	    "okta-cdot-stg-support-admins"), ROLE_SUPPORT_ADMIN);
	ck_assert_int_eq(config_roles_for_group(&cfg, "okta-power"),
	    ROLE_EDITOR | ROLE_READ_ONLY);
	ck_assert_int_eq(config_roles_for_group(&cfg, "everyone"), 0);
	ck_assert_int_eq(config_role_parse("editor"), ROLE_EDITOR);
	ck_assert_int_eq(config_role_parse("admin"), 0);
	ck_assert_str_eq(config_role_name(ROLE_SUPPORT_ADMIN),
	    "support_admin");
	config_free(&cfg);
}
END_TEST

START_TEST(test_env_overrides)
{
	struct app_config	cfg;
	char			err[CONFIG_ERRLEN];

	env_db = "host=db.internal dbname=cdot";
	ck_assert_int_eq(config_parse(&cfg, base, "app.conf", some_env, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(cfg.database_url, "host=db.internal dbname=cdot");
	ck_assert_int_eq(cfg.session_idle, 60);
	config_free(&cfg);

	/* A secret given only in the environment. */
	ck_assert_int_eq(config_parse(&cfg, with_line("database_url", ""),
	    "app.conf", some_env, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.database_url, "host=db.internal dbname=cdot");
	config_free(&cfg);

	/* A malformed override is named by its variable. */
	env_db = "";
	ck_assert_int_eq(config_parse(&cfg, base, "app.conf", some_env, err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "CDOT_DATABASE_URL") != NULL, "%s", err);
}
END_TEST

START_TEST(test_missing_setting)
{
	expect_error(with_line("oidc_issuer", ""),
	    "missing setting 'oidc_issuer' (or environment CDOT_OIDC_ISSUER)");
	expect_error(with_line("session_secret", ""),
	    "missing setting 'session_secret'");
}
END_TEST

START_TEST(test_unknown_and_duplicate)
{
	char	src[4096];

	snprintf(src, sizeof(src), "%sdatabse_url x\n", base);
	expect_error(src, "app.conf:15: unknown setting 'databse_url'");

	snprintf(src, sizeof(src), "%sbase_url http://x\n", base);
	expect_error(src, "app.conf:15: setting 'base_url' given twice");
}
END_TEST

START_TEST(test_malformed_values)
{
	expect_error(with_line("base_url", "base_url 127.0.0.1:8080"),
	    "setting 'base_url' must be an http:// or https:// URL");
	expect_error(with_line("base_url", "base_url http://x/"),
	    "must not end with '/'");
	expect_error(with_line("session_secret", "session_secret short"),
	    "'session_secret' must be at least 32 characters");
	/* The service tokens may be unset (their default), never short. */
	expect_error(with_line("base_url", "base_url http://x\n"
	    "portal_service_token short"),
	    "'portal_service_token' must be at least 32 characters");
	expect_error(with_line("base_url", "base_url http://x\n"
	    "sales_service_token short"),
	    "'sales_service_token' must be at least 32 characters");
	expect_error(with_line("oidc_client_id", "oidc_client_id"),
	    "setting 'oidc_client_id' is empty");

	expect_error(with_line("base_url", "base_url http://x\n"
	    "session_idle 10x"), "'session_idle' must be a whole number");
	expect_error(with_line("base_url", "base_url http://x\n"
	    "session_idle 0"), "'session_idle' must be a whole number");
	expect_error(with_line("base_url", "base_url http://x\n"
	    "session_lifetime 99999999999999999999"),
	    "'session_lifetime' must be a whole number");
	expect_error(with_line("base_url", "base_url http://x\n"
	    "session_idle 90000"), "'session_idle' must not exceed");
}
END_TEST

START_TEST(test_bad_groups)
{
	expect_error(with_line("group okta-cdot-prod-editors",
	    "group okta-cdot-prod-editors superuser"),
	    "app.conf:11: unknown role 'superuser'");
	expect_error(with_line("group okta-cdot-prod-editors", "group lonely"),
	    "'group' needs a group name and a role");
}
END_TEST

START_TEST(test_load_file)
{
	struct app_config	cfg;
	char			err[CONFIG_ERRLEN], path[] = "/tmp/cfgXXXXXX";
	FILE			*fp;
	int			fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	fputs(base, fp);
	fclose(fp);

	ck_assert_int_eq(config_load(&cfg, path, no_env, err, sizeof(err)), 0);
	config_free(&cfg);
	unlink(path);

	ck_assert_int_eq(config_load(&cfg, "/nonexistent/app.conf", no_env,
	    err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "/nonexistent/app.conf: cannot open") !=
	    NULL, "%s", err);
}
END_TEST

START_TEST(test_oidc_settings)
{
	struct app_config	cfg;
	char			err[CONFIG_ERRLEN], src[4096];

	/* Defaults: the scopes that bring email and groups, 10 seconds. */
	ck_assert_int_eq(config_parse(&cfg, base, "app.conf", no_env, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(cfg.oidc_scopes, "openid email profile groups");
	ck_assert_int_eq(cfg.oidc_http_timeout, 10);
	config_free(&cfg);

	/* A value with spaces is kept whole. */
	snprintf(src, sizeof(src), "%soidc_scopes openid email groups\n"
	    "oidc_http_timeout 5\n", base);
	ck_assert_int_eq(config_parse(&cfg, src, "app.conf", no_env, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(cfg.oidc_scopes, "openid email groups");
	ck_assert_int_eq(cfg.oidc_http_timeout, 5);
	config_free(&cfg);

	snprintf(src, sizeof(src), "%soidc_http_timeout 0\n", base);
	expect_error(src, "'oidc_http_timeout' must be a whole number");
}
END_TEST

Suite *
config_suite(void)
{
	const TTest	*tests[] = {
	    test_parse_good, test_roles_add_up, test_env_overrides,
	    test_missing_setting, test_unknown_and_duplicate,
	    test_malformed_values, test_bad_groups, test_load_file,
	    test_oidc_settings, NULL
	};

	return (unit_suite("config", "parse", 0, tests));
}
