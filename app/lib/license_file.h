/*
 * License files in the format of GitLab's license library (the
 * gitlab-license gem, Gitlab::License#export and .import), so that a
 * GitLab instance holding our public key (.license_encryption_key.pub)
 * imports them:
 *
 *	1. the attributes as JSON (support/license.c builds them);
 *	2. encrypted with AES-128-CBC (PKCS#7 padding) under a random
 *	   16-byte key and IV;
 *	3. that key encrypted with the RSA private key, PKCS#1 v1.5 type 1
 *	   padding (Ruby's OpenSSL::PKey::RSA#private_encrypt);
 *	4. the envelope {"data", "key", "iv"}, each the base64 of its bytes
 *	   as Ruby's Base64.encode64 writes it (lines of 60 characters,
 *	   each ending "\n"), as JSON;
 *	5. the envelope's JSON, Base64.encode64'd likewise: the file.
 *
 * Import is the reverse: base64 (whitespace and a BEGIN/END boundary
 * line ignored), the envelope, the key recovered with the public key,
 * AES-128-CBC.  No Kore dependency: unit-tested.
 */

#ifndef CDOT_LICENSE_FILE_H
#define CDOT_LICENSE_FILE_H

#include <stddef.h>

#include <openssl/evp.h>

char	*license_file_export(EVP_PKEY *, const char *, char *, size_t);
char	*license_file_import(EVP_PKEY *, const char *, char *, size_t);
char	*license_file_encode64(const unsigned char *, size_t);
unsigned char *license_file_decode64(const char *, size_t, size_t *);

#endif
