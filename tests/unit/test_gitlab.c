/*
 * GitLab.com's client without the network: the tokens it signs (checked
 * with cjose against the JWKS the panel publishes, as GitLab does), the
 * keys it refuses, and the Retry-After values it honours.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "unit.h"
#include <cjose/cjose.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "clients/gitlab.h"
#include "lib/httpc.h"

Suite	*gitlab_suite(void);

/* A PEM file of a new RSA key of bits; the caller unlinks it. */
static char *
key_file(unsigned int bits)
{
	static char	 path[64];
	EVP_PKEY	*k;
	FILE		*f;
	int		 fd;

	(void)snprintf(path, sizeof(path), "/tmp/cdot-gitlab-key.XXXXXX");
	ck_assert_int_ne(fd = mkstemp(path), -1);
	ck_assert_ptr_nonnull(f = fdopen(fd, "w"));
	ck_assert_ptr_nonnull(k = EVP_RSA_gen(bits));
	ck_assert_int_eq(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL,
	    NULL), 1);
	EVP_PKEY_free(k);
	(void)fclose(f);

	return (path);
}

START_TEST(test_token_verifies_with_published_key)
{
	struct gitlab_key	 k;
	cjose_jws_t		*jws;
	cjose_jwk_t		*pub;
	cjose_header_t		*hdr;
	json_t			*jwks, *claims;
	uint8_t			*plain;
	size_t			 plen;
	char			 err[256], *token, *s, *path;
	long			 now = (long)time(NULL);

	path = key_file(2048);
	ck_assert_int_eq(gitlab_key_load(path, &k, err, sizeof(err)), 0);
	(void)unlink(path);
	ck_assert_uint_ge(strlen(k.kid), 40);

	token = gitlab_jwt(&k, "https://customers.example.com/", now);
	ck_assert_ptr_nonnull(token);
	jwks = gitlab_jwks(&k);
	ck_assert_int_eq(json_array_size(json_object_get(jwks, "keys")), 1);
	ck_assert_ptr_null(json_object_get(json_array_get(
	    json_object_get(jwks, "keys"), 0), "d"));
	s = json_dumps(json_array_get(json_object_get(jwks, "keys"), 0), 0);
	pub = cjose_jwk_import(s, strlen(s), NULL);
	free(s);
	ck_assert_ptr_nonnull(pub);

	jws = cjose_jws_import(token, strlen(token), NULL);
	ck_assert_ptr_nonnull(jws);
	ck_assert(cjose_jws_verify(jws, pub, NULL));
	hdr = cjose_jws_get_protected(jws);
	ck_assert_str_eq(cjose_header_get(hdr, CJOSE_HDR_ALG, NULL), "RS256");
	ck_assert_str_eq(cjose_header_get(hdr, CJOSE_HDR_KID, NULL), k.kid);
	ck_assert(cjose_jws_get_plaintext(jws, &plain, &plen, NULL));
	claims = json_loadb((const char *)plain, plen, 0, NULL);
	ck_assert_ptr_nonnull(claims);
	ck_assert_str_eq(json_string_value(json_object_get(claims, "iss")),
	    "https://customers.example.com/");
	ck_assert_str_eq(json_string_value(json_object_get(claims, "sub")),
	    "customers-dot-internal-api");
	ck_assert_str_eq(json_string_value(json_object_get(claims, "aud")),
	    "gitlab-subscriptions");
	ck_assert_int_eq(json_integer_value(json_object_get(claims, "exp")) -
	    json_integer_value(json_object_get(claims, "iat")), 300);
	ck_assert_int_eq(json_integer_value(json_object_get(claims, "iat")),
	    now);

	json_decref(claims);
	cjose_jws_release(jws);
	cjose_jwk_release(pub);
	json_decref(jwks);
	free(token);
	gitlab_key_free(&k);
}
END_TEST

START_TEST(test_keys_refused)
{
	struct gitlab_key	 k;
	char			 err[256], *path;

	ck_assert_int_eq(gitlab_key_load("/nonexistent/key.pem", &k, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "gitlab_jwt_key: cannot read"));
	path = key_file(1024);
	ck_assert_int_eq(gitlab_key_load(path, &k, err, sizeof(err)), -1);
	(void)unlink(path);
	ck_assert_ptr_nonnull(strstr(err, "at least 2048 bits"));
	ck_assert_ptr_null(k.jwk);
	ck_assert_ptr_null(gitlab_jwt(&k, "https://x/", 0));
}
END_TEST

START_TEST(test_retry_after)
{
	char	date[64];
	time_t	now = 1767225600;	/* 2026-01-01T00:00:00Z */
	struct tm tm;

	ck_assert_int_eq(httpc_retry_after("7", now), 7);
	ck_assert_int_eq(httpc_retry_after(" 120\r\n", now), 120);
	ck_assert_int_eq(httpc_retry_after("0", now), 0);
	ck_assert_int_eq(httpc_retry_after("9999999", now), 86400);
	ck_assert_int_eq(httpc_retry_after("soon", now), -1);
	ck_assert_int_eq(httpc_retry_after("7 seconds", now), -1);
	ck_assert_int_eq(httpc_retry_after("", now), -1);

	(void)gmtime_r(&(time_t){ now + 30 }, &tm);
	(void)strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	ck_assert_int_eq(httpc_retry_after(date, now), 30);
	ck_assert_int_eq(httpc_retry_after("Thu, 01 Jan 1970 00:00:00 GMT",
	    now), 0);
}
END_TEST

Suite *
gitlab_suite(void)
{
	const TTest	*tests[] = {
	    test_token_verifies_with_published_key, test_keys_refused,
	    test_retry_after, NULL
	};

	return (unit_suite("gitlab", "core", 30, tests));
}
