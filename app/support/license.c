/*
 * Legacy licenses (Trials for SM, temporary extensions of self-managed
 * subscriptions) and the e-mail that carries them.
 *
 * A license is a file a GitLab instance imports: its attributes (see
 * attributes() below, the keys GitLab's license library writes) in the
 * library's encrypted format (lib/license_file.c), made with the private key
 * of license_private_key; an instance holding license_public_key as its
 * .license_encryption_key.pub reads it.  README.md, "Licenses", shows how
 * to decode a file with openssl.  license_read() decodes a stored file as
 * an instance would, for the license's page; a file in the panel's former
 * format (signed JSON) is recognised there and its signature checked.
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

#include "lib/license_file.h"
#include "lib/pem.h"
#include "support/support.h"

#define LICENSE_KEY_BITS	2048

static EVP_PKEY	*sign_key = NULL;
static EVP_PKEY	*read_key = NULL;

static int	 sign(EVP_PKEY *, const char *, size_t, unsigned char **,
		    size_t *);
static int	 verify(EVP_PKEY *, const char *, size_t,
		    const unsigned char *, size_t);

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
	if (!ok) {
		EVP_PKEY_free(pub);
		(void)snprintf(err, errlen, "license_public_key: %s is not "
		    "the public key of %s", app_cfg.license_public_key,
		    app_cfg.license_private_key);
		EVP_PKEY_free(priv);
		return (-1);
	}

	sign_key = priv;
	read_key = pub;
	return (0);
}

/*
 * A license file as a GitLab instance reads it, with the public key: its
 * attributes (a new reference), or NULL with why in err.  *old is set for
 * a file in the panel's former format (signed JSON, before files were in
 * GitLab's format), whose signature is then checked instead: GitLab
 * cannot import such a file, but staff can still read what it says.
 */
json_t *
license_read(const char *file, int *old, char *err, size_t errlen)
{
	json_t		*env, *attrs;
	const char	*d64, *s64;
	unsigned char	*raw, *data, *sig;
	size_t		 rawlen, dlen, slen;
	char		*text;

	*old = 0;
	if (read_key == NULL) {
		(void)snprintf(err, errlen, "no public key is configured "
		    "(license_public_key)");
		return (NULL);
	}
	if ((text = license_file_import(read_key, file, err, errlen)) !=
	    NULL) {
		attrs = json_loads(text, 0, NULL);
		free(text);
		if (attrs == NULL)
			(void)snprintf(err, errlen, "the attributes are not "
			    "JSON");
		return (attrs);
	}

	/* The former format: base64 of {"algorithm", "data", "signature"}. */
	attrs = NULL;
	env = NULL;
	data = sig = NULL;
	if ((raw = license_file_decode64(file, strlen(file), &rawlen)) ==
	    NULL || (env = json_loadb((const char *)raw, rawlen, 0,
	    NULL)) == NULL || json_object_get(env, "algorithm") == NULL)
		goto done;
	*old = 1;
	d64 = json_string_value(json_object_get(env, "data"));
	s64 = json_string_value(json_object_get(env, "signature"));
	if (d64 == NULL || s64 == NULL ||
	    (data = license_file_decode64(d64, strlen(d64), &dlen)) == NULL ||
	    (sig = license_file_decode64(s64, strlen(s64), &slen)) == NULL ||
	    !verify(read_key, (const char *)data, dlen, sig, slen)) {
		(void)snprintf(err, errlen, "the former format's signature "
		    "does not verify");
		goto done;
	}
	attrs = json_loadb((const char *)data, dlen, 0, NULL);

done:
	free(raw);
	free(data);
	free(sig);
	json_decref(env);

	return (attrs);
}

int
license_signing_ready(void)
{
	return (sign_key != NULL);
}

/*
 * The license's attributes as GitLab's license library writes them (its
 * keys in its order): the licensee, the dates (issued_at is the first
 * day, which the library also calls starts_at; admins and users are told
 * from a week before the end; changes are blocked from the end), the
 * flags, and the restrictions GitLab reads: users, plan, trial, our id,
 * the subscription.  JSON text, malloc'd.
 */
static char *
attributes(const struct license_req *rq, const char *id, const char *notify)
{
	json_t	*a, *who, *r;
	char	*s;

	who = json_pack("{s:s}", "Name", rq->name);
	if (rq->company != NULL && *rq->company != '\0')
		json_object_set_new(who, "Company", json_string(rq->company));
	json_object_set_new(who, "Email", json_string(rq->email));

	r = json_pack("{s:I, s:s, s:b, s:I}", "active_user_count",
	    (json_int_t)strtoll(rq->user_count, NULL, 10), "plan", rq->plan,
	    "trial", 1, "id", (json_int_t)strtoll(id, NULL, 10));
	if (rq->zuora_subscription_id != NULL)
		json_object_set_new(r, "subscription_id",
		    json_string(rq->zuora_subscription_id));
	if (rq->subscription_name != NULL)
		json_object_set_new(r, "subscription_name",
		    json_string(rq->subscription_name));

	a = json_pack("{s:i, s:o, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, "
	    "s:b, s:b, s:b, s:b, s:b, s:o}",
	    "version", 1,
	    "licensee", who,
	    "issued_at", rq->starts_at,
	    "expires_at", rq->expires_at,
	    "notify_admins_at", notify,
	    "notify_users_at", notify,
	    "block_changes_at", rq->expires_at,
	    "cloud_licensing_enabled", 0,
	    "offline_cloud_licensing_enabled", 0,
	    "auto_renew_enabled", 0,
	    "seat_reconciliation_enabled", 0,
	    "operational_metrics_enabled", 0,
	    "generated_from_customers_dot", 1,
	    "generated_from_cancellation", 0,
	    "temporary_extension", rq->temporary_extension,
	    "restrictions", r);
	if (a == NULL)
		fatalx("license: cannot build the attributes");
	if ((s = json_dumps(a, JSON_COMPACT)) == NULL)
		fatalx("license: out of memory");
	json_decref(a);

	return (s);
}

/*
 * Make and insert a legacy trial license in the transaction, a file in
 * GitLab's format (lib/license_file.c); its id in id.  With file not NULL,
 * the license file too (kore_free it).  -1 when the transaction failed
 * (the reason is in w) or encrypting did (w->failed is then 0).
 */
int
license_issue(struct write_txn *w, const struct license_req *rq, char *id,
    size_t idlen, char **file)
{
	PGresult	*res;
	const char	*params[10];
	char		*attrs, *text, notify[16], err[128];

	if (file != NULL)
		*file = NULL;
	if (sign_key == NULL)
		return (-1);

	/* The id goes into the license, so it is taken first. */
	params[0] = rq->starts_at;
	params[1] = rq->expires_at;
	res = write_exec(w, "SELECT nextval(pg_get_serial_sequence("
	    "'licenses', 'id'))::text AS id, "
	    "greatest($1::date, $2::date - 7)::text AS notify", 2, params);
	if (res == NULL)
		return (-1);
	(void)kore_strlcpy(id, DB_COL(res, 0, "id"), idlen);
	(void)kore_strlcpy(notify, DB_COL(res, 0, "notify"), sizeof(notify));
	PQclear(res);

	attrs = attributes(rq, id, notify);
	text = license_file_export(sign_key, attrs, err, sizeof(err));
	free(attrs);
	if (text == NULL) {
		kore_log(LOG_ERR, "license: %s", err);
		write_rollback(w);
		return (-1);
	}

	params[0] = id;
	params[1] = rq->name;
	params[2] = rq->company;
	params[3] = rq->email;
	params[4] = rq->starts_at;
	params[5] = rq->expires_at;
	params[6] = rq->user_count;
	params[7] = rq->subscription;
	params[8] = rq->plan;
	params[9] = text;
	if (write_exec_count(w, "INSERT INTO licenses (id, license_type, "
	    "trial, name, company, email, starts_at, expires_at, user_count, "
	    "zuora_subscription_id, gitlab_plan, license_file) VALUES "
	    "($1::bigint, 'legacy', true, $2, $3, $4, $5::date, $6::date, "
	    "$7::integer, $8::bigint, $9, $10)", 10, params) != 1) {
		free(text);
		return (-1);
	}

	if (file != NULL)
		*file = kore_strdup(text);
	free(text);

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
	return (mail_queue_file(w, record_type, record_id, to, subject, body,
	    NULL, NULL));
}

/* The same, with a file attached (filename and its text), or none. */
int
mail_queue_file(struct write_txn *w, const char *record_type,
    const char *record_id, const char *to, const char *subject,
    const char *body, const char *filename, const char *content)
{
	const char	*params[7];

	params[0] = to;
	params[1] = subject;
	params[2] = body;
	params[3] = record_type;
	params[4] = record_id;
	params[5] = filename;
	params[6] = content;
	if (write_outbox(w, "email", "INSERT INTO outbox (kind, payload, "
	    "record_type, record_id) VALUES ('email', jsonb_build_object("
	    "'to', $1::text, 'subject', $2::text, 'body', $3::text) || "
	    "CASE WHEN $6::text IS NULL THEN '{}'::jsonb ELSE "
	    "jsonb_build_object('attachment', jsonb_build_object('filename', "
	    "$6::text, 'content', $7::text)) END, $4, $5::bigint)", 7,
	    params, NULL) != 1)
		return (-1);

	return (0);
}
