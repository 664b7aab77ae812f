/*
 * PEM keys through OpenSSL, for what signs: licenses (support/license.c)
 * and the tokens of GitLab's subscriptions API (clients/gitlab.c).  No
 * Kore dependency: the outbox worker links it too.
 */

#ifndef CDOT_PEM_H
#define CDOT_PEM_H

#include <stddef.h>

#include <openssl/evp.h>

EVP_PKEY	*pem_key(const char *, const char *, int, char *, size_t);
void		 pem_ssl_error(char *, size_t, const char *, const char *);

#endif
