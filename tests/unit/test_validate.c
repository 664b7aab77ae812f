/*
 * Form value checks (app/lib/validate.c) and the outbox's backoff
 * (app/outbox/backoff.c).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "unit.h"

#include "lib/config.h"
#include "lib/validate.h"
#include "outbox/outbox.h"

Suite	*validate_suite(void);

START_TEST(email_good)
{
	ck_assert(valid_email("dana.whitfield@northwind-robotics.com"));
	ck_assert(valid_email("a+tag@sub.example.co.uk"));
	ck_assert(valid_email("o'neill@example.ie"));
	ck_assert(valid_email("x@y.io"));
}
END_TEST

START_TEST(email_bad)
{
	ck_assert(!valid_email(""));
	ck_assert(!valid_email("not-an-email"));
	ck_assert(!valid_email("@example.com"));
	ck_assert(!valid_email("a@"));
	ck_assert(!valid_email("a@b"));
	ck_assert(!valid_email("a@b.c"));
	ck_assert(!valid_email("a b@example.com"));
	ck_assert(!valid_email("a@@example.com"));
	ck_assert(!valid_email("a@ex ample.com"));
	ck_assert(!valid_email(".a@example.com"));
	ck_assert(!valid_email("a.@example.com"));
	ck_assert(!valid_email("a..b@example.com"));
	ck_assert(!valid_email("a@-example.com"));
	ck_assert(!valid_email("a@example-.com"));
	ck_assert(!valid_email("a@example..com"));
	ck_assert(!valid_email("a@example.c0m"));
	ck_assert(!valid_email("<a>@example.com"));
}
END_TEST

START_TEST(email_lengths)
{
	char	buf[300];

	memset(buf, 'a', 65);
	strcpy(buf + 65, "@example.com");
	ck_assert(!valid_email(buf));		/* local part over 64 */
	memset(buf, 'a', 64);
	strcpy(buf + 64, "@example.com");
	ck_assert(valid_email(buf));
	memset(buf, 'b', 250);
	memcpy(buf, "a@", 2);
	strcpy(buf + 250, ".com");
	ck_assert(!valid_email(buf));		/* over 254 */
}
END_TEST

START_TEST(dates)
{
	ck_assert(valid_date("2024-02-29"));
	ck_assert(valid_date("2000-02-29"));
	ck_assert(!valid_date("1900-02-29"));
	ck_assert(!valid_date("2023-02-29"));
	ck_assert(!valid_date("2024-13-01"));
	ck_assert(!valid_date("2024-04-31"));
	ck_assert(!valid_date("2024-4-1"));
	ck_assert(!valid_date("24-04-01"));
	ck_assert(!valid_date("2024/04/01"));
	ck_assert(!valid_date("2024-04-01T00"));
	ck_assert(!valid_date(""));
}
END_TEST

START_TEST(ids)
{
	ck_assert(valid_sfdc_id("0014M00001kQx7b"));
	ck_assert(valid_sfdc_id("0014M00001kQx7bQAC"));
	ck_assert(!valid_sfdc_id("0014M00001kQx7bQA"));
	ck_assert(!valid_sfdc_id("0014M00001kQx7bQAC-"));
	ck_assert(valid_hex("8a8aa0008aff6981018b0619305f4d1d", 32));
	ck_assert(!valid_hex("8A8AA0008AFF6981018B0619305F4D1D", 32));
	ck_assert(!valid_hex("8a8aa0008aff6981018b0619305f4d1", 32));
	ck_assert(!valid_hex("8a8aa0008aff6981018b0619305f4d1g", 32));
}
END_TEST

START_TEST(text)
{
	char	s[32];

	ck_assert_uint_eq(utf8_chars("Jürgen"), 6);
	ck_assert_uint_eq(utf8_chars(""), 0);
	strcpy(s, "  \tDana \n");
	ck_assert_str_eq(trim_space(s), "Dana");
	ck_assert_int_eq(today_utc(s, sizeof(s)), 0);
	ck_assert(valid_date(s));
}
END_TEST

START_TEST(backoff)
{
	ck_assert_int_eq(outbox_backoff_ms(1, 500), 500);
	ck_assert_int_eq(outbox_backoff_ms(2, 500), 1000);
	ck_assert_int_eq(outbox_backoff_ms(3, 500), 2000);
	ck_assert_int_eq(outbox_backoff_ms(0, 500), 500);
	ck_assert_int_eq(outbox_backoff_ms(10, 5000), 5000L * 512);
	ck_assert_int_eq(outbox_backoff_ms(11, 5000), OUTBOX_BACKOFF_MAX_MS);
	ck_assert_int_eq(outbox_backoff_ms(1000, 5000), OUTBOX_BACKOFF_MAX_MS);
	ck_assert_int_eq(outbox_backoff_ms(3, 0), 4);
}
END_TEST

/* The editing settings: defaults, and what is refused. */
static const char *edit_base =
    "database_url postgresql://cdot@127.0.0.1/cdot\n"
    "base_url http://127.0.0.1:8080\n"
    "oidc_issuer http://127.0.0.1:9400\n"
    "oidc_client_id cdot\n"
    "oidc_client_secret s3cret\n"
    "session_secret 0123456789abcdef0123456789abcdef\n"
    "portal_base_url https://customers.example.com\n"
    "version_base_url https://version.example.com\n";

static int
edit_config(const char *extra, struct app_config *cfg, char *err, size_t len)
{
	char	src[2048];

	(void)snprintf(src, sizeof(src), "%s%s", edit_base, extra);
	return (config_parse(cfg, src, "app.conf", NULL, err, len));
}

START_TEST(edit_settings)
{
	struct app_config	cfg;
	char			err[CONFIG_ERRLEN];

	ck_assert_int_eq(edit_config("", &cfg, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.zuora_base_url, "https://rest.zuora.com");
	ck_assert_str_eq(cfg.portal_service_token, "");
	ck_assert_int_eq(cfg.zuora_http_timeout, 10);
	ck_assert_int_eq(cfg.impersonation_ttl, 300);
	ck_assert_int_eq(cfg.outbox_backoff_ms, 5000);
	config_free(&cfg);

	ck_assert_int_eq(edit_config("zuora_base_url http://127.0.0.1:9410\n"
	    "portal_service_token 0123456789abcdef0123456789abcdef\n"
	    "impersonation_ttl 3600\n", &cfg, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.zuora_base_url, "http://127.0.0.1:9410");
	config_free(&cfg);

	ck_assert_int_eq(edit_config("portal_service_token short\n", &cfg,
	    err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "portal_service_token"));
	ck_assert_int_eq(edit_config("impersonation_ttl 3601\n", &cfg, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "impersonation_ttl"));
	ck_assert_int_eq(edit_config("zuora_base_url rest.zuora.com\n", &cfg,
	    err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "zuora_base_url"));
	ck_assert_int_eq(edit_config("outbox_backoff_ms 0\n", &cfg, err,
	    sizeof(err)), -1);
}
END_TEST

START_TEST(words)
{
	ck_assert(text_has_word("Quantumflow Solutions", 8, 3));
	ck_assert(text_has_word("a b abc", 8, 3));
	ck_assert(text_has_word("Li Nguyen", 8, 3));
	ck_assert(!text_has_word("a b", 8, 3));
	ck_assert(!text_has_word("Li Wu", 8, 3));
	/* Characters, not bytes: two accented letters are two. */
	ck_assert(!text_has_word("\xc3\xa9\xc3\xa9", 8, 3));
	ck_assert(text_has_word("\xc3\xa9\xc3\xa9\xc3\xa9", 8, 3));
	ck_assert(!text_has_word("", 8, 3));
	/* Only the words a search reads count. */
	ck_assert(text_has_word("a b c abc", 4, 3));
	ck_assert(!text_has_word("a b c d abc", 4, 3));
	ck_assert_uint_eq(utf8_chars_n("\xc3\xa9t\xc3\xa9", 5), 3);
	ck_assert_uint_eq(utf8_chars_n("\xc3\xa9t\xc3\xa9", 3), 2);
}
END_TEST

Suite *
validate_suite(void)
{
	const TTest	*tests[] = {
	    email_good, email_bad, email_lengths, dates, ids, text, backoff,
	    edit_settings, words, NULL
	};

	return (unit_suite("validate", "values", 0, tests));
}
