/*
 * PEM keys.  See lib/pem.h.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "lib/pem.h"

/* OpenSSL's reason for what failed on path, in err. */
void
pem_ssl_error(char *err, size_t errlen, const char *what, const char *path)
{
	unsigned long	e;
	char		buf[160];

	e = ERR_get_error();
	ERR_error_string_n(e, buf, sizeof(buf));
	(void)snprintf(err, errlen, "%s %s: %s", what, path,
	    e != 0 ? buf : "unknown error");
	ERR_clear_error();
}

/*
 * The private (or public) key of a PEM file, named by the setting that
 * gives it; NULL with the reason in err.  A value that is itself a PEM
 * text (an environment variable holding the key) is read as such.
 */
EVP_PKEY *
pem_key(const char *setting, const char *path, int private, char *err,
    size_t errlen)
{
	BIO		*bio;
	EVP_PKEY	*key;
	const char	*shown;
	char		 what[80];

	if (strncmp(path, "-----BEGIN ", 11) == 0) {
		bio = BIO_new_mem_buf(path, -1);
		shown = "(the PEM text in the setting)";
	} else {
		bio = BIO_new_file(path, "r");
		shown = path;
	}
	if (bio == NULL) {
		(void)snprintf(what, sizeof(what), "%s: cannot read", setting);
		pem_ssl_error(err, errlen, what, shown);
		return (NULL);
	}
	key = private ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) :
	    PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (key == NULL) {
		(void)snprintf(what, sizeof(what), "%s: not a PEM %s key:",
		    setting, private ? "private" : "public");
		pem_ssl_error(err, errlen, what, shown);
	}

	return (key);
}
