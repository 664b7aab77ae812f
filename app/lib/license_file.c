/*
 * GitLab's license file format.  See lib/license_file.h.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "lib/license_file.h"

#define AES_BYTES	16
#define B64_LINE	60

static int	 aes(int, const unsigned char *, const unsigned char *,
		    const unsigned char *, size_t, unsigned char **, size_t *);
static int	 rsa_key(int, EVP_PKEY *, const unsigned char *, size_t,
		    unsigned char *, size_t *);
static void	 fail(char *, size_t, const char *);

static void
fail(char *err, size_t errlen, const char *why)
{
	(void)snprintf(err, errlen, "%s", why);
	ERR_clear_error();
}

/* Ruby's Base64.encode64: lines of 60 characters, each ending "\n". */
char *
license_file_encode64(const unsigned char *p, size_t len)
{
	size_t	 chunk, in, out;
	char	*s;
	int	 n;

	/* Every 45 bytes make a line of 60 characters and a newline. */
	if ((s = malloc((len / 45 + 1) * (B64_LINE + 1) + 1)) == NULL)
		return (NULL);
	for (in = 0, out = 0; in < len; in += chunk) {
		chunk = len - in < 45 ? len - in : 45;
		n = EVP_EncodeBlock((unsigned char *)s + out, p + in,
		    (int)chunk);
		out += (size_t)n;
		s[out++] = '\n';
	}
	s[out] = '\0';

	return (s);
}

/*
 * The bytes of base64 text, leniently as Ruby's Base64.decode64: anything
 * outside the alphabet is skipped.  NULL when it is not base64.
 */
unsigned char *
license_file_decode64(const char *s, size_t len, size_t *outlen)
{
	unsigned char	*clean, *out;
	size_t		 i, n, pad;
	int		 got;

	if ((clean = malloc(len + 4)) == NULL)
		return (NULL);
	for (i = 0, n = 0; i < len; i++) {
		if (isalnum((unsigned char)s[i]) || s[i] == '+' ||
		    s[i] == '/' || s[i] == '=')
			clean[n++] = (unsigned char)s[i];
	}
	out = NULL;
	if (n == 0 || n % 4 != 0 || (out = malloc(n / 4 * 3 + 1)) == NULL)
		goto done;
	got = EVP_DecodeBlock(out, clean, (int)n);
	pad = (clean[n - 1] == '=') + (clean[n - 2] == '=');
	if (got < 0 || (size_t)got < pad) {
		free(out);
		out = NULL;
		goto done;
	}
	*outlen = (size_t)got - pad;
	out[*outlen] = '\0';

done:
	free(clean);
	return (out);
}

/* AES-128-CBC with PKCS#7 padding, one way (enc 1) or the other. */
static int
aes(int enc, const unsigned char *key, const unsigned char *iv,
    const unsigned char *in, size_t len, unsigned char **out, size_t *outlen)
{
	EVP_CIPHER_CTX	*c;
	int		 n, m, ok;

	*out = NULL;
	if ((c = EVP_CIPHER_CTX_new()) == NULL ||
	    (*out = malloc(len + AES_BYTES + 1)) == NULL) {
		EVP_CIPHER_CTX_free(c);
		return (-1);
	}
	n = m = 0;
	ok = EVP_CipherInit_ex(c, EVP_aes_128_cbc(), NULL, key, iv, enc) == 1 &&
	    EVP_CipherUpdate(c, *out, &n, in, (int)len) == 1 &&
	    EVP_CipherFinal_ex(c, *out + n, &m) == 1;
	EVP_CIPHER_CTX_free(c);
	if (!ok) {
		free(*out);
		*out = NULL;
		return (-1);
	}
	*outlen = (size_t)(n + m);
	(*out)[*outlen] = '\0';

	return (0);
}

/*
 * The AES key through RSA with PKCS#1 v1.5 type 1 padding and no digest:
 * "private encrypt" with the private key (enc 1), recovered with the
 * public key (enc 0).  out holds EVP_PKEY_get_size() bytes.
 */
static int
rsa_key(int enc, EVP_PKEY *key, const unsigned char *in, size_t len,
    unsigned char *out, size_t *outlen)
{
	EVP_PKEY_CTX	*c;
	int		 ok;

	if ((c = EVP_PKEY_CTX_new(key, NULL)) == NULL)
		return (-1);
	if (enc) {
		ok = EVP_PKEY_sign_init(c) == 1 &&
		    EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) == 1 &&
		    EVP_PKEY_sign(c, out, outlen, in, len) == 1;
	} else {
		ok = EVP_PKEY_verify_recover_init(c) == 1 &&
		    EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) == 1 &&
		    EVP_PKEY_verify_recover(c, out, outlen, in, len) == 1;
	}
	EVP_PKEY_CTX_free(c);

	return (ok ? 0 : -1);
}

/*
 * The license file of the attributes (JSON text), malloc'd; NULL with
 * the reason in err.
 */
char *
license_file_export(EVP_PKEY *priv, const char *attrs, char *err,
    size_t errlen)
{
	unsigned char	 key[AES_BYTES], iv[AES_BYTES], *data, *ekey;
	char		*d64, *k64, *i64, *env, *file;
	size_t		 dlen, klen;
	json_t		*o;

	file = env = d64 = k64 = i64 = NULL;
	data = NULL;
	klen = (size_t)EVP_PKEY_get_size(priv);
	if ((ekey = malloc(klen)) == NULL) {
		fail(err, errlen, "out of memory");
		return (NULL);
	}
	if (RAND_bytes(key, sizeof(key)) != 1 ||
	    RAND_bytes(iv, sizeof(iv)) != 1) {
		fail(err, errlen, "no random key could be made");
		goto done;
	}
	if (aes(1, key, iv, (const unsigned char *)attrs, strlen(attrs),
	    &data, &dlen) == -1 || rsa_key(1, priv, key, sizeof(key), ekey,
	    &klen) == -1) {
		fail(err, errlen, "the license could not be encrypted");
		goto done;
	}
	d64 = license_file_encode64(data, dlen);
	k64 = license_file_encode64(ekey, klen);
	i64 = license_file_encode64(iv, sizeof(iv));
	o = (d64 && k64 && i64) ? json_pack("{s:s, s:s, s:s}", "data", d64,
	    "key", k64, "iv", i64) : NULL;
	env = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (env == NULL || (file = license_file_encode64(
	    (const unsigned char *)env, strlen(env))) == NULL)
		fail(err, errlen, "out of memory");

done:
	explicit_bzero(key, sizeof(key));
	free(data);
	free(ekey);
	free(d64);
	free(k64);
	free(i64);
	free(env);

	return (file);
}

/*
 * The attributes (JSON text, malloc'd) of a license file, read as a
 * GitLab instance reads it with the public key; NULL with the reason.
 */
char *
license_file_import(EVP_PKEY *pub, const char *file, char *err,
    size_t errlen)
{
	json_t		*env;
	const char	*f[3];
	unsigned char	*raw, *part[3], key[512], *out;
	size_t		 rawlen, len[3], klen, outlen, i;
	const char	*p, *body;

	out = NULL;
	env = NULL;
	memset(part, 0, sizeof(part));
	/* A boundary line ("----BEGIN GITLAB LICENSE----") is not data. */
	body = file;
	if ((p = strstr(file, "BEGIN ")) != NULL &&
	    (p = strchr(p, '\n')) != NULL)
		body = p + 1;
	rawlen = (p = strstr(body, "END ")) != NULL ? (size_t)(p - body) :
	    strlen(body);
	while (p != NULL && rawlen > 0 && body[rawlen - 1] == '-')
		rawlen--;

	if ((raw = license_file_decode64(body, rawlen, &rawlen)) == NULL ||
	    (env = json_loadb((const char *)raw, rawlen, 0, NULL)) == NULL) {
		fail(err, errlen, "not a license file (no envelope)");
		goto done;
	}
	f[0] = json_string_value(json_object_get(env, "data"));
	f[1] = json_string_value(json_object_get(env, "key"));
	f[2] = json_string_value(json_object_get(env, "iv"));
	for (i = 0; i < 3; i++) {
		if (f[i] == NULL || (part[i] = license_file_decode64(f[i],
		    strlen(f[i]), &len[i])) == NULL) {
			fail(err, errlen, "a field is missing from the "
			    "envelope (data, key, iv)");
			goto done;
		}
	}
	klen = sizeof(key);
	if ((size_t)EVP_PKEY_get_size(pub) > sizeof(key) ||
	    rsa_key(0, pub, part[1], len[1], key, &klen) == -1) {
		fail(err, errlen, "the key could not be decrypted with the "
		    "public key");
		goto done;
	}
	if (klen != AES_BYTES || len[2] != AES_BYTES || aes(0, key, part[2],
	    part[0], len[0], &out, &outlen) == -1)
		fail(err, errlen, "the data could not be decrypted");

done:
	explicit_bzero(key, sizeof(key));
	for (i = 0; i < 3; i++)
		free(part[i]);
	json_decref(env);
	free(raw);

	return ((char *)out);
}
