/*
 * GitLab's subscriptions internal API.  See clients/gitlab.h.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjose/cjose.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "clients/gitlab.h"
#include "lib/httpc.h"
#include "lib/pem.h"

#define GITLAB_KEY_BITS		2048
#define GITLAB_URL_MAX		1024

/* The RSA parameters of a JWK, as OpenSSL names them. */
static const char *const rsa_params[] = {
	OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_D,
	OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
	OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
	OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
};
#define NPARAMS		(sizeof(rsa_params) / sizeof(rsa_params[0]))

static cjose_jwk_t	*jwk_from_pkey(EVP_PKEY *);
static int		 thumbprint(cjose_jwk_t *, char *, size_t);
static void		 message_of(json_t *, char *, size_t);
static char		*json_dumps_new(json_t *, size_t);

/* The text of a new object (NULL stays NULL), which is then released. */
static char *
json_dumps_new(json_t *o, size_t flags)
{
	char	*s;

	if (o == NULL)
		return (NULL);
	s = json_dumps(o, flags);
	json_decref(o);

	return (s);
}

/* cjose's JWK of an RSA private key: its parameters, copied. */
static cjose_jwk_t *
jwk_from_pkey(EVP_PKEY *pkey)
{
	cjose_jwk_rsa_keyspec	 spec;
	cjose_jwk_t		*jwk;
	BIGNUM			*bn;
	uint8_t			*buf[NPARAMS];
	size_t			 len[NPARAMS], i;

	jwk = NULL;
	memset(buf, 0, sizeof(buf));
	for (i = 0; i < NPARAMS; i++) {
		bn = NULL;
		if (!EVP_PKEY_get_bn_param(pkey, rsa_params[i], &bn))
			goto done;
		len[i] = (size_t)BN_num_bytes(bn);
		if ((buf[i] = malloc(len[i] ? len[i] : 1)) != NULL)
			(void)BN_bn2bin(bn, buf[i]);
		BN_clear_free(bn);
		if (buf[i] == NULL)
			goto done;
	}

	spec.e = buf[0]; spec.elen = len[0];
	spec.n = buf[1]; spec.nlen = len[1];
	spec.d = buf[2]; spec.dlen = len[2];
	spec.p = buf[3]; spec.plen = len[3];
	spec.q = buf[4]; spec.qlen = len[4];
	spec.dp = buf[5]; spec.dplen = len[5];
	spec.dq = buf[6]; spec.dqlen = len[6];
	spec.qi = buf[7]; spec.qilen = len[7];
	jwk = cjose_jwk_create_RSA_spec(&spec, NULL);

done:
	for (i = 0; i < NPARAMS; i++) {
		if (buf[i] != NULL) {
			explicit_bzero(buf[i], len[i]);
			free(buf[i]);
		}
	}

	return (jwk);
}

/*
 * The key's RFC 7638 thumbprint, base64url of the SHA-256 of
 * {"e":...,"kty":"RSA","n":...}: a kid that names this key and no other.
 */
static int
thumbprint(cjose_jwk_t *jwk, char *kid, size_t len)
{
	json_t		*pub;
	char		*pubjson, *canon, *b64;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	size_t		 b64len;
	int		 rc;

	rc = -1;
	canon = NULL;
	b64 = NULL;
	pub = NULL;
	if ((pubjson = cjose_jwk_to_json(jwk, false, NULL)) == NULL)
		goto done;
	if ((pub = json_loads(pubjson, 0, NULL)) == NULL)
		goto done;
	canon = json_dumps_new(json_pack("{s:O, s:s, s:O}",
	    "e", json_object_get(pub, "e"), "kty", "RSA",
	    "n", json_object_get(pub, "n")), JSON_COMPACT | JSON_SORT_KEYS);
	if (canon == NULL || !EVP_Digest(canon, strlen(canon), md, &mdlen,
	    EVP_sha256(), NULL))
		goto done;
	if (!cjose_base64url_encode(md, mdlen, &b64, &b64len, NULL) ||
	    b64len >= len)
		goto done;
	memcpy(kid, b64, b64len);
	kid[b64len] = '\0';
	rc = 0;

done:
	if (b64 != NULL)
		cjose_get_dealloc()(b64);
	if (pubjson != NULL)
		cjose_get_dealloc()(pubjson);
	free(canon);
	json_decref(pub);

	return (rc);
}

/*
 * The signing key of the setting gitlab_jwt_key (a PEM file, or the PEM
 * text itself): an RSA key of at least 2048 bits.  0, or -1 with the
 * reason in err.
 */
int
gitlab_key_load(const char *path, struct gitlab_key *k, char *err,
    size_t errlen)
{
	EVP_PKEY	*pkey;
	cjose_jwk_t	*jwk;

	memset(k, 0, sizeof(*k));
	if ((pkey = pem_key("gitlab_jwt_key", path, 1, err, errlen)) == NULL)
		return (-1);
	if (EVP_PKEY_base_id(pkey) != EVP_PKEY_RSA ||
	    EVP_PKEY_bits(pkey) < GITLAB_KEY_BITS) {
		(void)snprintf(err, errlen, "gitlab_jwt_key: must be an RSA "
		    "key of at least %d bits", GITLAB_KEY_BITS);
		EVP_PKEY_free(pkey);
		return (-1);
	}
	jwk = jwk_from_pkey(pkey);
	EVP_PKEY_free(pkey);
	if (jwk == NULL || thumbprint(jwk, k->kid, sizeof(k->kid)) == -1 ||
	    !cjose_jwk_set_kid(jwk, k->kid, strlen(k->kid), NULL)) {
		(void)snprintf(err, errlen, "gitlab_jwt_key: the key could "
		    "not be made a JWK");
		if (jwk != NULL)
			cjose_jwk_release(jwk);
		return (-1);
	}
	k->jwk = jwk;

	return (0);
}

void
gitlab_key_free(struct gitlab_key *k)
{
	if (k->jwk != NULL)
		cjose_jwk_release(k->jwk);
	memset(k, 0, sizeof(*k));
}

/*
 * A token for one request (malloc'd compact JWS), or NULL: RS256 signed,
 * valid from now for GITLAB_JWT_TTL seconds, with a jti of its own.
 */
char *
gitlab_jwt(const struct gitlab_key *k, const char *issuer, long now)
{
	cjose_header_t	*hdr;
	cjose_jws_t	*jws;
	unsigned char	 rnd[16];
	char		 jti[33], *claims, *out;
	const char	*compact;
	size_t		 i;

	out = NULL;
	claims = NULL;
	jws = NULL;
	if (k->jwk == NULL || (hdr = cjose_header_new(NULL)) == NULL)
		return (NULL);
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto done;
	for (i = 0; i < sizeof(rnd); i++)
		(void)snprintf(jti + 2 * i, 3, "%02x", rnd[i]);
	claims = json_dumps_new(json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s}",
	    "iss", issuer, "sub", GITLAB_JWT_SUB, "aud", GITLAB_JWT_AUD,
	    "iat", (json_int_t)now, "nbf", (json_int_t)now,
	    "exp", (json_int_t)(now + GITLAB_JWT_TTL), "jti", jti),
	    JSON_COMPACT);
	if (claims == NULL ||
	    !cjose_header_set(hdr, CJOSE_HDR_ALG, CJOSE_HDR_ALG_RS256, NULL) ||
	    !cjose_header_set(hdr, "typ", "JWT", NULL) ||
	    !cjose_header_set(hdr, CJOSE_HDR_KID, k->kid, NULL))
		goto done;
	if ((jws = cjose_jws_sign(k->jwk, hdr, (const uint8_t *)claims,
	    strlen(claims), NULL)) == NULL)
		goto done;
	if (cjose_jws_export(jws, &compact, NULL))
		out = strdup(compact);

done:
	if (jws != NULL)
		cjose_jws_release(jws);
	cjose_header_release(hdr);
	free(claims);

	return (out);
}

/* The public key as a JWKS, {"keys": [{kty, kid, e, n, use, alg}]}. */
json_t *
gitlab_jwks(const struct gitlab_key *k)
{
	json_t	*pub;
	char	*s;

	if (k->jwk == NULL)
		return (json_pack("{s:[]}", "keys"));
	if ((s = cjose_jwk_to_json(k->jwk, false, NULL)) == NULL)
		return (NULL);
	pub = json_loads(s, 0, NULL);
	cjose_get_dealloc()(s);
	if (pub == NULL)
		return (NULL);
	json_object_set_new(pub, "use", json_string("sig"));
	json_object_set_new(pub, "alg", json_string("RS256"));

	return (json_pack("{s:[o]}", "keys", pub));
}

void
gitlab_result_clear(struct gitlab_result *r)
{
	if (r->body != NULL)
		json_decref(r->body);
	memset(r, 0, sizeof(*r));
	r->retry_after = -1;
}

/*
 * GitLab's own words from an error answer: {"message": "..."},
 * {"message": {"field": ["...", ...]}} or {"error": "..."}.
 */
static void
message_of(json_t *body, char *buf, size_t len)
{
	json_t		*m, *list, *v;
	const char	*field;
	size_t		 off, i;

	buf[0] = '\0';
	if (!json_is_object(body))
		return;
	if ((m = json_object_get(body, "message")) == NULL)
		m = json_object_get(body, "error");
	if (json_is_string(m)) {
		(void)snprintf(buf, len, "%s", json_string_value(m));
		return;
	}
	if (!json_is_object(m))
		return;
	off = 0;
	json_object_foreach(m, field, list) {
		json_array_foreach(list, i, v) {
			if (!json_is_string(v) || off >= len)
				continue;
			off += (size_t)snprintf(buf + off, len - off, "%s%s %s",
			    off ? "; " : "", field, json_string_value(v));
		}
	}
}

/*
 * One call: method and path (under GITLAB_API_PREFIX, made safe by the
 * caller: namespace ids are numbers), an optional JSON body.  The result
 * is the caller's to clear.  Returns the outcome.
 */
int
gitlab_call(const struct gitlab_cfg *cfg, const char *method,
    const char *path, json_t *body, struct gitlab_result *r)
{
	struct httpc_req	 q;
	struct httpc_res	 a;
	const char		*hdrs[4];
	char			 url[GITLAB_URL_MAX], said[GITLAB_ERRLEN / 2];
	char			*token, *payload, *auth;
	size_t			 alen;

	memset(r, 0, sizeof(*r));
	r->retry_after = -1;
	r->outcome = GITLAB_REFUSED;
	if ((size_t)snprintf(url, sizeof(url), "%s%s", cfg->base_url,
	    path) >= sizeof(url)) {
		(void)snprintf(r->error, sizeof(r->error), "URL too long");
		return (r->outcome);
	}
	if ((token = gitlab_jwt(cfg->key, cfg->issuer,
	    (long)time(NULL))) == NULL) {
		(void)snprintf(r->error, sizeof(r->error), "no token could be "
		    "made for GitLab.com (gitlab_jwt_key)");
		return (r->outcome);
	}
	payload = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	alen = strlen(token) + 48;
	if ((auth = malloc(alen)) == NULL || (body != NULL && payload == NULL)) {
		free(auth);
		free(payload);
		free(token);
		(void)snprintf(r->error, sizeof(r->error), "out of memory");
		return (r->outcome);
	}
	(void)snprintf(auth, alen, "X-CUSTOMERS-DOT-INTERNAL-TOKEN: %s", token);
	free(token);
	hdrs[0] = "Accept: application/json";
	hdrs[1] = auth;
	hdrs[2] = payload != NULL ? "Content-Type: application/json" : NULL;
	hdrs[3] = NULL;

	q.url = url;
	q.method = method;
	q.headers = hdrs;
	q.body = payload;
	q.timeout = cfg->timeout;
	/* Messages name the path after the API's prefix, to stay short. */
	if (strncmp(path, GITLAB_API_PREFIX, sizeof(GITLAB_API_PREFIX) - 1) == 0)
		path += sizeof(GITLAB_API_PREFIX) - 1;
	if (httpc_exchange(&q, &a) == -1) {
		r->outcome = GITLAB_RETRY;
		(void)snprintf(r->error, sizeof(r->error), "no answer from "
		    "GitLab.com to %s \xe2\x80\xa6%s: %s", method, path,
		    a.error);
	} else {
		r->status = a.status;
		r->body = a.json;
		r->retry_after = a.retry_after;
		message_of(r->body, said, sizeof(said));
		if (r->status >= 200 && r->status < 300)
			r->outcome = GITLAB_OK;
		else if (r->status >= 500 || r->status == 429 ||
		    r->status == 408)
			r->outcome = GITLAB_RETRY;
		else if (r->status == 404)
			r->outcome = GITLAB_NOT_FOUND;
		if (r->outcome != GITLAB_OK)
			(void)snprintf(r->error, sizeof(r->error), "GitLab.com "
			    "answered %ld to %s \xe2\x80\xa6%s%s%s", r->status,
			    method, path, said[0] ? ": " : "", said);
	}
	free(payload);
	explicit_bzero(auth, alen);
	free(auth);

	return (r->outcome);
}
