/*
 * The Kore-independent parts of the Support menu (issue 7): Zendesk
 * ticket links, the settings it adds, and the e-mails the outbox worker
 * sends (RFC 5322, MIME).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "unit.h"

#include "lib/config.h"
#include "outbox/mail.h"
#include "lib/validate.h"

Suite	*support_suite(void);

static const char *conf_base =
    "database_url postgresql://cdot@127.0.0.1/cdot\n"
    "base_url http://127.0.0.1:8080\n"
    "oidc_issuer http://127.0.0.1:9400\n"
    "oidc_client_id cdot-admin-dev\n"
    "oidc_client_secret s3cret\n"
    "session_secret 0123456789abcdef0123456789abcdef\n"
    "portal_base_url https://customers.example.com\n"
    "version_base_url https://version.example.com\n";

static const char *
no_env(const char *name)
{
	(void)name;
	return (NULL);
}

/* conf_base plus extra lines: 0 or -1, the error in err. */
static int
parse_with(struct app_config *cfg, const char *extra, char *err, size_t len)
{
	char	src[4096];

	(void)snprintf(src, sizeof(src), "%s%s", conf_base, extra);
	err[0] = '\0';
	return (config_parse(cfg, src, "app.conf", no_env, err, len));
}

START_TEST(zendesk_links)
{
	ck_assert(valid_zendesk_url(
	    "https://gitlab.zendesk.com/agent/tickets/512345"));
	ck_assert(valid_zendesk_url(
	    "https://gitlab-federal-support.zendesk.com/agent/tickets/1"));
	ck_assert(valid_zendesk_url(
	    "https://a.zendesk.com/agent/tickets/123456789012"));

	ck_assert(!valid_zendesk_url(NULL));
	ck_assert(!valid_zendesk_url(""));
	ck_assert(!valid_zendesk_url(
	    "http://gitlab.zendesk.com/agent/tickets/512345"));
	ck_assert(!valid_zendesk_url(
	    "https://gitlab.zendesk.com/agent/tickets/"));
	ck_assert(!valid_zendesk_url(
	    "https://gitlab.zendesk.com/agent/tickets/0123"));
	ck_assert(!valid_zendesk_url(
	    "https://gitlab.zendesk.com/agent/tickets/1234567890123"));
	ck_assert(!valid_zendesk_url(
	    "https://gitlab.zendesk.com/agent/tickets/512345/"));
	ck_assert(!valid_zendesk_url(
	    "https://gitlab.zendesk.com/agent/tickets/512345?x=1"));
	ck_assert(!valid_zendesk_url(
	    "https://gitlab.zendesk.com.evil.example/agent/tickets/1"));
	ck_assert(!valid_zendesk_url(
	    "https://evil.example/gitlab.zendesk.com/agent/tickets/1"));
	ck_assert(!valid_zendesk_url(
	    "https://-gitlab.zendesk.com/agent/tickets/1"));
	ck_assert(!valid_zendesk_url(
	    "https://git_lab.zendesk.com/agent/tickets/1"));
	ck_assert(!valid_zendesk_url("https://.zendesk.com/agent/tickets/1"));
	ck_assert(!valid_zendesk_url(
	    "https://a.b.zendesk.com/agent/tickets/1"));
	ck_assert(!valid_zendesk_url(
	    "https://gitlab.zendesk.com/agent/tickets/12 34"));
	ck_assert(!valid_zendesk_url(
	    " https://gitlab.zendesk.com/agent/tickets/1"));
}
END_TEST

START_TEST(support_settings)
{
	struct app_config	cfg;
	char			err[CONFIG_ERRLEN];

	/* Defaults. */
	ck_assert_int_eq(parse_with(&cfg, "", err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.trade_restricted_countries, "CU IR KP SY RU BY");
	ck_assert_str_eq(cfg.sales_service_token, "");
	ck_assert_str_eq(cfg.smtp_url, "");
	ck_assert_str_eq(cfg.license_private_key, "");
	ck_assert_int_eq(cfg.smtp_timeout, 30);
	config_free(&cfg);

	/* Countries: codes in any case, blanks or commas between. */
	ck_assert_int_eq(parse_with(&cfg, "trade_restricted_countries "
	    "cu, ir  kp,SY\n", err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.trade_restricted_countries, "CU IR KP SY");
	config_free(&cfg);
	ck_assert_int_eq(parse_with(&cfg, "trade_restricted_countries\n",
	    err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.trade_restricted_countries, "");
	config_free(&cfg);
	ck_assert_int_eq(parse_with(&cfg, "trade_restricted_countries "
	    "CU CUB\n", err, sizeof(err)), -1);
	ck_assert(strstr(err, "trade_restricted_countries") != NULL);
	ck_assert_int_eq(parse_with(&cfg, "trade_restricted_countries "
	    "C1\n", err, sizeof(err)), -1);

	/* The relay, the sender, the token, the key pair. */
	ck_assert_int_eq(parse_with(&cfg, "smtp_url smtp://relay:25\n"
	    "mail_from noreply@gitlab.example\n", err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.smtp_url, "smtp://relay:25");
	config_free(&cfg);
	ck_assert_int_eq(parse_with(&cfg, "smtp_url http://relay:25\n", err,
	    sizeof(err)), -1);
	ck_assert(strstr(err, "smtp_url") != NULL);
	ck_assert_int_eq(parse_with(&cfg, "mail_from nobody\n", err,
	    sizeof(err)), -1);
	ck_assert(strstr(err, "mail_from") != NULL);
	ck_assert_int_eq(parse_with(&cfg, "mail_from a@b.c\r\nBcc: x@y.z\n",
	    err, sizeof(err)), -1);
	ck_assert_int_eq(parse_with(&cfg, "sales_service_token short\n", err,
	    sizeof(err)), -1);
	ck_assert(strstr(err, "sales_service_token") != NULL);
	ck_assert_int_eq(parse_with(&cfg, "license_private_key k.pem\n", err,
	    sizeof(err)), -1);
	ck_assert(strstr(err, "license_public_key") != NULL);
}
END_TEST

START_TEST(mail_ascii)
{
	struct mail_msg	 m;
	char		*s;
	size_t		 len;

	memset(&m, 0, sizeof(m));
	m.from_name = MAIL_FROM_NAME;
	m.from = "noreply@customers.example.com";
	m.to = "dana@northwind.example";
	m.subject = "[GitLab Transactions] GitLab Temporary Renewal Extension";
	m.body = "Hello Dana,\n\n.a line with a dot\nBye\n";
	m.message_id = "outbox.42.1700000000@customers.example.com";
	m.date = 1700000000;

	ck_assert_ptr_nonnull(s = mail_build(&m, &len));
	ck_assert_uint_eq(strlen(s), len);
	ck_assert(strncmp(s, "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n",
	    39) == 0);
	ck_assert(strstr(s, "\r\nFrom: \"GitLab Transactions\" "
	    "<noreply@customers.example.com>\r\n") != NULL);
	ck_assert(strstr(s, "\r\nTo: <dana@northwind.example>\r\n") != NULL);
	ck_assert(strstr(s, "\r\nSubject: [GitLab Transactions] GitLab "
	    "Temporary Renewal Extension\r\n") != NULL);
	ck_assert(strstr(s, "\r\nMessage-ID: <outbox.42.1700000000@"
	    "customers.example.com>\r\n") != NULL);
	ck_assert(strstr(s, "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n\r\nHello Dana,\r\n\r\n"
	    ".a line with a dot\r\nBye\r\n") != NULL);
	/* Every line ends in CRLF. */
	ck_assert(strstr(s, "\n") != NULL);
	ck_assert_str_eq(s + len - 2, "\r\n");
	free(s);
}
END_TEST

/* A license attached: multipart/mixed, the text and the file, base64. */
START_TEST(mail_attachment)
{
	struct mail_msg	 m;
	char		*s;
	size_t		 len;

	memset(&m, 0, sizeof(m));
	m.from_name = MAIL_FROM_NAME;
	m.from = "noreply@customers.example.com";
	m.to = "dana@northwind.example";
	m.subject = "Your license";
	m.body = "Hello\n";
	m.message_id = "outbox.7.1700000000@customers.example.com";
	m.date = 1700000000;
	m.attachment_name = "license-7.gitlab-license";
	m.attachment = "abc\n";

	ck_assert_ptr_nonnull(s = mail_build(&m, &len));
	ck_assert(strstr(s, "Content-Type: multipart/mixed; boundary=\""
	    "=_cdot_part_boundary\"\r\n") != NULL);
	ck_assert(strstr(s, "--=_cdot_part_boundary\r\nContent-Type: "
	    "text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64"
	    "\r\n\r\nSGVsbG8K\r\n") != NULL);
	ck_assert(strstr(s, "Content-Disposition: attachment; filename=\""
	    "license-7.gitlab-license\"\r\nContent-Transfer-Encoding: "
	    "base64\r\n\r\nYWJjCg==\r\n--=_cdot_part_boundary--\r\n") !=
	    NULL);
	free(s);

	/* A name that could break out of its quotes is refused. */
	m.attachment_name = "a\"b.gitlab-license";
	ck_assert_ptr_null(mail_build(&m, &len));
	m.attachment_name = NULL;
	ck_assert_ptr_null(mail_build(&m, &len));
}
END_TEST

START_TEST(mail_utf8)
{
	struct mail_msg	 m;
	char		*s, *b;
	size_t		 len;

	memset(&m, 0, sizeof(m));
	m.from_name = MAIL_FROM_NAME;
	m.from = "noreply@customers.example.com";
	m.to = "juergen@helios.example";
	m.subject = "Ihre Lizenz f\xc3\xbcr J\xc3\xbcrgen "
	    "\xe2\x80\x94 \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";
	m.body = "Gr\xc3\xbc\xc3\x9f" "e\n";
	m.message_id = "x@y.example";
	m.date = 0;

	ck_assert_ptr_nonnull(s = mail_build(&m, &len));
	ck_assert(strstr(s, "Subject: =?UTF-8?B?") != NULL);
	/* Folded into several words, none longer than 75 characters. */
	ck_assert(strstr(s, "?=\r\n =?UTF-8?B?") != NULL);
	ck_assert(strstr(s, "Content-Transfer-Encoding: base64\r\n\r\n") !=
	    NULL);
	b = mail_base64((const unsigned char *)m.body, strlen(m.body), 76);
	ck_assert(strstr(s, b) != NULL);
	free(b);
	free(s);

	b = mail_base64((const unsigned char *)"foobar", 6, 0);
	ck_assert_str_eq(b, "Zm9vYmFy");
	free(b);
	b = mail_base64((const unsigned char *)"fooba", 5, 0);
	ck_assert_str_eq(b, "Zm9vYmE=");
	free(b);
	b = mail_base64((const unsigned char *)"f", 1, 0);
	ck_assert_str_eq(b, "Zg==");
	free(b);
}
END_TEST

START_TEST(mail_no_injection)
{
	struct mail_msg	 m;
	char		*s;
	size_t		 len;

	memset(&m, 0, sizeof(m));
	m.from_name = MAIL_FROM_NAME;
	m.from = "noreply@customers.example.com";
	m.to = "a@b.example\r\nBcc: victim@example.com";
	m.subject = "Hi";
	m.body = "x\n";
	m.message_id = "x@y.example";
	ck_assert_ptr_null(mail_build(&m, &len));
	m.to = "a b@c.example";
	ck_assert_ptr_null(mail_build(&m, &len));
	m.to = "<a@b.example>";
	ck_assert_ptr_null(mail_build(&m, &len));
	m.to = "a@b.example";
	m.message_id = "x@y>\r\nBcc: v@e.com";
	ck_assert_ptr_null(mail_build(&m, &len));

	/* A line break in the subject is a blank, not a new header. */
	m.message_id = "x@y.example";
	m.subject = "Hi\r\nBcc: victim@example.com";
	ck_assert_ptr_nonnull(s = mail_build(&m, &len));
	ck_assert(strstr(s, "Subject: Hi  Bcc: victim@example.com\r\n") !=
	    NULL);
	ck_assert(strstr(s, "\r\nBcc:") == NULL);
	free(s);

	ck_assert(valid_email("a@b.example"));
	ck_assert(!valid_email("a@b"));
	ck_assert(!valid_email("@b.example"));
	ck_assert(!valid_email("a@@b.example"));
}
END_TEST

Suite *
support_suite(void)
{
	const TTest	*tests[] = {
	    zendesk_links, support_settings, mail_ascii, mail_utf8,
	    mail_attachment, mail_no_injection, NULL
	};

	return (unit_suite("support", "core", 0, tests));
}
