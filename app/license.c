/*
 * Signed legacy licenses (Trials for SM, temporary extensions of
 * self-managed subscriptions) and the e-mail that carries them.
 *
 * A license is a JSON document, its "data":
 *
 *	{"expires_at":"2025-07-01","id":123,
 *	 "issued_at":"2025-06-01T10:00:00Z",
 *	 "licensee":{"company":"...","email":"...","name":"..."},
 *	 "plan":"ultimate","starts_at":"2025-06-01","trial":true,
 *	 "type":"legacy","user_count":50,"version":1,
 *	 "zuora_subscription_id":null}
 *
 * (compact, keys sorted), signed with RSA PKCS#1 v1.5 over SHA-256 with
 * the private key of license_private_key.  The license file (the "license
 * key" a customer pastes into GitLab, licenses.license_file) is the base64
 * of the envelope
 *
 *	{"algorithm":"RSA-SHA256","data":"<base64 of data>",
 *	 "signature":"<base64 of the signature>"}
 *
 * in lines of 76 characters.  Anyone with the public key verifies it with
 * openssl alone (README.md, "Licenses"):
 *
 *	base64 -d license.gitlab-license > envelope.json
 *	jq -r .data envelope.json | base64 -d > data.json
 *	jq -r .signature envelope.json | base64 -d > signature.bin
 *	openssl dgst -sha256 -verify license_public.pem \
 *	    -signature signature.bin data.json
 *
 * The key pair is read once, in the parent before the workers start
 * (license_keys_load), and checked: an RSA key of at least 2048 bits whose
 * public half is license_public_key.  Without both settings no license
 * can be made (license_signing_ready() is 0) and the screens say so.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "pem.h"
#include "support.h"

#define LICENSE_LINE		76
#define LICENSE_KEY_BITS	2048

static EVP_PKEY	*sign_key = NULL;

static char	*b64(const unsigned char *, size_t);
static char	*wrap(const char *);
static int	 sign(EVP_PKEY *, const char *, size_t, unsigned char **,
		    size_t *);
static int	 verify(EVP_PKEY *, const char *, size_t,
		    const unsigned char *, size_t);

/* Base64 without line breaks (malloc'd). */
static char *
b64(const unsigned char *p, size_t len)
{
	char	*out;

	if ((out = malloc(4 * ((len + 2) / 3) + 1)) == NULL)
		fatalx("license: out of memory");
	(void)EVP_EncodeBlock((unsigned char *)out, p, (int)len);

	return (out);
}

/* The text in lines of LICENSE_LINE characters, each ending "\n". */
static char *
wrap(const char *s)
{
	size_t	 len, i, o;
	char	*out;

	len = strlen(s);
	if ((out = malloc(len + len / LICENSE_LINE + 2)) == NULL)
		fatalx("license: out of memory");
	for (i = 0, o = 0; i < len; i++) {
		out[o++] = s[i];
		if ((i + 1) % LICENSE_LINE == 0 || i + 1 == len)
			out[o++] = '\n';
	}
	out[o] = '\0';

	return (out);
}

static int
sign(EVP_PKEY *key, const char *data, size_t len, unsigned char **sig,
    size_t *siglen)
{
	EVP_MD_CTX	*md;
	int		 ok;

	*sig = NULL;
	if ((md = EVP_MD_CTX_new()) == NULL)
		return (-1);
	ok = EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestSign(md, NULL, siglen, (const unsigned char *)data,
	    len) == 1 && (*sig = malloc(*siglen)) != NULL &&
	    EVP_DigestSign(md, *sig, siglen, (const unsigned char *)data,
	    len) == 1;
	EVP_MD_CTX_free(md);
	if (!ok) {
		free(*sig);
		*sig = NULL;
		ERR_clear_error();
		return (-1);
	}

	return (0);
}

static int
verify(EVP_PKEY *key, const char *data, size_t len, const unsigned char *sig,
    size_t siglen)
{
	EVP_MD_CTX	*md;
	int		 ok;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return (0);
	ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestVerify(md, sig, siglen, (const unsigned char *)data,
	    len) == 1;
	EVP_MD_CTX_free(md);
	ERR_clear_error();

	return (ok);
}

/*
 * In the parent: read and check the key pair.  0 (also when signing is
 * not configured), or -1 with the reason in err.
 */
int
license_keys_load(char *err, size_t errlen)
{
	static const char	 probe[] = "cdot license key check";
	EVP_PKEY		*priv, *pub;
	unsigned char		*sig;
	size_t			 siglen;
	int			 ok;

	if (app_cfg.license_private_key[0] == '\0')
		return (0);

	if ((priv = pem_key("license_private_key",
	    app_cfg.license_private_key, 1, err, errlen)) == NULL)
		return (-1);
	if ((pub = pem_key("license_public_key", app_cfg.license_public_key,
	    0, err, errlen)) == NULL) {
		EVP_PKEY_free(priv);
		return (-1);
	}

	if (EVP_PKEY_base_id(priv) != EVP_PKEY_RSA ||
	    EVP_PKEY_bits(priv) < LICENSE_KEY_BITS) {
		(void)snprintf(err, errlen, "license_private_key: %s must be "
		    "an RSA key of at least %d bits",
		    app_cfg.license_private_key, LICENSE_KEY_BITS);
		EVP_PKEY_free(priv);
		EVP_PKEY_free(pub);
		return (-1);
	}

	/* What is signed with one must verify with the other. */
	ok = sign(priv, probe, sizeof(probe) - 1, &sig, &siglen) == 0 &&
	    verify(pub, probe, sizeof(probe) - 1, sig, siglen);
	free(sig);
	EVP_PKEY_free(pub);
	if (!ok) {
		(void)snprintf(err, errlen, "license_public_key: %s is not "
		    "the public key of %s", app_cfg.license_public_key,
		    app_cfg.license_private_key);
		EVP_PKEY_free(priv);
		return (-1);
	}

	sign_key = priv;
	return (0);
}

int
license_signing_ready(void)
{
	return (sign_key != NULL);
}

/*
 * Make, sign and insert a legacy trial license in the transaction; its
 * id in id.  With file not NULL, the license file too (kore_free it).
 * -1 when the transaction failed (the reason is in w) or signing did
 * (w->failed is then 0).
 */
int
license_issue(struct write_txn *w, const struct license_req *rq, char *id,
    size_t idlen, char **file)
{
	PGresult	*res;
	json_t		*data, *env;
	const char	*params[12];
	char		*data_s, *env_s, *sig_b64, *data_b64, *file_b64;
	char		*wrapped, issued[32];
	unsigned char	*sig;
	size_t		 siglen;
	long long	 users;

	if (file != NULL)
		*file = NULL;
	if (sign_key == NULL)
		return (-1);

	/* The id goes into the signed document, so it is taken first. */
	res = write_exec(w, "SELECT nextval(pg_get_serial_sequence("
	    "'licenses', 'id'))::text, to_char(now() AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')", 0, NULL);
	if (res == NULL)
		return (-1);
	(void)kore_strlcpy(id, PQgetvalue(res, 0, 0), idlen);
	(void)kore_strlcpy(issued, PQgetvalue(res, 0, 1), sizeof(issued));
	PQclear(res);

	users = strtoll(rq->user_count, NULL, 10);
	data = json_pack("{s:i, s:I, s:s, s:b, s:{s:s, s:s, s:s?}, s:I, "
	    "s:s, s:s, s:s, s:s, s:s?}",
	    "version", 1,
	    "id", (json_int_t)strtoll(id, NULL, 10),
	    "type", "legacy",
	    "trial", 1,
	    "licensee", "name", rq->name, "email", rq->email, "company",
	    rq->company,
	    "user_count", (json_int_t)users,
	    "starts_at", rq->starts_at,
	    "expires_at", rq->expires_at,
	    "plan", rq->plan,
	    "issued_at", issued,
	    "zuora_subscription_id", rq->zuora_subscription_id);
	if (data == NULL)
		fatalx("license: cannot build the document");
	if ((data_s = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS)) ==
	    NULL)
		fatalx("license: out of memory");
	json_decref(data);

	if (sign(sign_key, data_s, strlen(data_s), &sig, &siglen) == -1) {
		kore_log(LOG_ERR, "license: signing failed");
		free(data_s);
		write_rollback(w);
		return (-1);
	}

	data_b64 = b64((const unsigned char *)data_s, strlen(data_s));
	sig_b64 = b64(sig, siglen);
	free(sig);
	free(data_s);
	env = json_pack("{s:s, s:s, s:s}", "algorithm", "RSA-SHA256",
	    "data", data_b64, "signature", sig_b64);
	free(data_b64);
	free(sig_b64);
	if ((env_s = json_dumps(env, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		fatalx("license: out of memory");
	json_decref(env);
	file_b64 = b64((const unsigned char *)env_s, strlen(env_s));
	free(env_s);
	wrapped = wrap(file_b64);
	free(file_b64);

	params[0] = id;
	params[1] = rq->name;
	params[2] = rq->company;
	params[3] = rq->email;
	params[4] = rq->starts_at;
	params[5] = rq->expires_at;
	params[6] = rq->user_count;
	params[7] = rq->subscription;
	params[8] = rq->plan;
	params[9] = wrapped;
	if (write_exec_count(w, "INSERT INTO licenses (id, license_type, "
	    "trial, name, company, email, starts_at, expires_at, user_count, "
	    "zuora_subscription_id, gitlab_plan, license_file) VALUES "
	    "($1::bigint, 'legacy', true, $2, $3, $4, $5::date, $6::date, "
	    "$7::integer, $8::bigint, $9, $10)", 10, params) != 1) {
		free(wrapped);
		return (-1);
	}

	if (file != NULL)
		*file = kore_strdup(wrapped);
	free(wrapped);

	return (0);
}

/*
 * Queue an e-mail in the transaction (the outbox worker sends it over
 * SMTP), about record_type/record_id.  0 or -1.
 */
int
mail_queue(struct write_txn *w, const char *record_type,
    const char *record_id, const char *to, const char *subject,
    const char *body)
{
	const char	*params[5];

	params[0] = to;
	params[1] = subject;
	params[2] = body;
	params[3] = record_type;
	params[4] = record_id;
	if (write_exec_count(w, "INSERT INTO outbox (kind, payload, "
	    "record_type, record_id) VALUES ('email', jsonb_build_object("
	    "'to', $1::text, 'subject', $2::text, 'body', $3::text), $4, "
	    "$5::bigint)", 5, params) != 1)
		return (-1);
	if (write_exec_count(w, "SELECT pg_notify('cdot_outbox', 'email')",
	    0, NULL) < 0)
		return (-1);

	return (0);
}
