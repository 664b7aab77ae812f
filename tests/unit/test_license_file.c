/*
 * License files in GitLab's format: what is exported imports with the
 * public key, and nothing else does; base64 as Ruby writes and reads it.
 */

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "unit.h"
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "lib/license_file.h"

Suite	*license_file_suite(void);

static const char attrs[] = "{\"version\":1,\"licensee\":{\"Name\":"
    "\"Zo\xc3\xab\"},\"issued_at\":\"2026-12-06\"}";

START_TEST(test_export_imports)
{
	EVP_PKEY	*k, *other;
	char		*file, *back, err[128];
	size_t		 i, col;

	ck_assert_ptr_nonnull(k = EVP_RSA_gen(2048));
	ck_assert_ptr_nonnull(other = EVP_RSA_gen(2048));
	file = license_file_export(k, attrs, err, sizeof(err));
	ck_assert_ptr_nonnull(file);
	/* Lines of at most 60 characters, each ending "\n". */
	for (i = 0, col = 0; file[i] != '\0'; i++) {
		col = file[i] == '\n' ? 0 : col + 1;
		ck_assert_uint_le(col, 60);
	}
	ck_assert_int_eq(file[strlen(file) - 1], '\n');

	back = license_file_import(k, file, err, sizeof(err));
	ck_assert_ptr_nonnull(back);
	ck_assert_str_eq(back, attrs);
	free(back);

	/* Another key cannot read it. */
	ck_assert_ptr_null(license_file_import(other, file, err,
	    sizeof(err)));
	ck_assert_str_eq(err, "the key could not be decrypted with the "
	    "public key");

	/* Nor can a file that is not one. */
	ck_assert_ptr_null(license_file_import(k, "not a license", err,
	    sizeof(err)));
	ck_assert_ptr_null(license_file_import(k, "", err, sizeof(err)));

	free(file);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
}
END_TEST

START_TEST(test_base64_as_ruby)
{
	unsigned char	 bytes[100], *back;
	char		*s;
	size_t		 len, i;

	for (i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)(i * 7);
	s = license_file_encode64(bytes, sizeof(bytes));
	/* 100 bytes: 60 + 60 + 16 characters, each line ending "\n". */
	ck_assert_uint_eq(strlen(s), 60 + 1 + 60 + 1 + 16 + 1);
	ck_assert_int_eq(s[60], '\n');
	back = license_file_decode64(s, strlen(s), &len);
	ck_assert_uint_eq(len, sizeof(bytes));
	ck_assert_int_eq(memcmp(back, bytes, len), 0);
	free(back);
	free(s);

	back = license_file_decode64("aGk=\n", 5, &len);
	ck_assert_uint_eq(len, 2);
	ck_assert_int_eq(memcmp(back, "hi", 2), 0);
	free(back);
	ck_assert_ptr_null(license_file_decode64("abc", 3, &len));
	ck_assert_ptr_null(license_file_decode64("", 0, &len));
}
END_TEST

Suite *
license_file_suite(void)
{
	const TTest	*tests[] = {
	    test_export_imports, test_base64_as_ruby, NULL
	};

	return (unit_suite("license_file", "core", 30, tests));
}
