/*
 * Tokens the customers portal redeems: one-time sign-in URLs and
 * impersonation grants.  Only the SHA-256 of a token is ever stored.
 *
 * An impersonation token is 32 random bytes, shown once (in the redirect
 * to the portal) and never again.
 *
 * A one-time sign-in URL is shown on the customer page for as long as it
 * is unused, yet must not be stored either.  So its token is derived:
 * HMAC-SHA256(session_secret, "cdot/one-time-sign-in/v1:<row id>:<customer
 * id>"), base64url.  The row keeps only the token's SHA-256; the page
 * derives the token again from the row and checks it against that hash
 * before showing it.  A database dump alone signs nobody in, and changing
 * session_secret retires every outstanding URL (the page then offers a
 * new one).
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "admin/edit.h"

#define OTS_LABEL	"cdot/one-time-sign-in/v1"

static void	b64url(const u_int8_t *, size_t, char *, size_t);

static void
b64url(const u_int8_t *in, size_t len, char *out, size_t outlen)
{
	static const char	 abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t			 i, o;
	u_int32_t		 v;

	o = 0;
	for (i = 0; i < len && o + 4 < outlen; i += 3) {
		v = (u_int32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (u_int32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = abc[(v >> 18) & 63];
		out[o++] = abc[(v >> 12) & 63];
		if (i + 1 < len)
			out[o++] = abc[(v >> 6) & 63];
		if (i + 2 < len)
			out[o++] = abc[v & 63];
	}
	out[o] = '\0';
}

/* 32 random bytes, base64url: 43 characters. */
void
token_random(char *out, size_t len)
{
	u_int8_t	rnd[32];

	arc4random_buf(rnd, sizeof(rnd));
	b64url(rnd, sizeof(rnd), out, len);
	explicit_bzero(rnd, sizeof(rnd));
}

/* The SHA-256 of a token, as 64 hexadecimal characters. */
void
token_sha256_hex(const char *token, char out[65])
{
	u_int8_t	md[SHA256_DIGEST_LENGTH];
	size_t		i;

	(void)SHA256((const unsigned char *)token, strlen(token), md);
	for (i = 0; i < sizeof(md); i++)
		(void)snprintf(out + i * 2, 3, "%02x", md[i]);
}

/* Compare secrets in constant time (their hashes: equal lengths). */
int
token_equal(const char *a, const char *b)
{
	u_int8_t	ha[SHA256_DIGEST_LENGTH], hb[SHA256_DIGEST_LENGTH];

	(void)SHA256((const unsigned char *)a, strlen(a), ha);
	(void)SHA256((const unsigned char *)b, strlen(b), hb);

	return (CRYPTO_memcmp(ha, hb, sizeof(ha)) == 0);
}

/* The token of one-time sign-in row id of customer (see above). */
void
token_one_time(const char *id, const char *customer_id, char *out,
    size_t len)
{
	u_int8_t	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	char		 msg[128];

	(void)snprintf(msg, sizeof(msg), "%s:%s:%s", OTS_LABEL, id,
	    customer_id);
	mdlen = 0;
	if (HMAC(EVP_sha256(), app_cfg.session_secret,
	    (int)strlen(app_cfg.session_secret), (const unsigned char *)msg,
	    strlen(msg), md, &mdlen) == NULL)
		fatalx("HMAC failed");
	b64url(md, mdlen, out, len);
	explicit_bzero(md, sizeof(md));
}

/*
 * A new one-time sign-in token for customer, in the caller's transaction
 * (the trigger records it in history).  Returns 0, or -1 (rolled back).
 */
int
token_one_time_issue(struct write_txn *w, const char *customer_id)
{
	PGresult	*res;
	const char	*params[4];
	char		 id[32], token[64], hash[65], ttl[32];

	res = write_exec(w, "SELECT nextval(pg_get_serial_sequence("
	    "'one_time_sign_in_tokens', 'id')) AS id", 0, NULL);
	if (res == NULL)
		return (-1);
	(void)kore_strlcpy(id, DB_COL(res, 0, "id"), sizeof(id));
	PQclear(res);

	token_one_time(id, customer_id, token, sizeof(token));
	token_sha256_hex(token, hash);
	explicit_bzero(token, sizeof(token));
	(void)snprintf(ttl, sizeof(ttl), "%ld", app_cfg.one_time_sign_in_ttl);

	params[0] = id;
	params[1] = customer_id;
	params[2] = hash;
	params[3] = ttl;
	if (write_exec_count(w, "INSERT INTO one_time_sign_in_tokens "
	    "(id, customer_id, token_sha256, expires_at) VALUES "
	    "($1::bigint, $2::bigint, decode($3, 'hex'), "
	    "now() + make_interval(secs => $4::double precision))",
	    4, params) != 1)
		return (-1);

	return (0);
}

/*
 * The customer's one-time sign-in URL: the newest unused, unexpired
 * token whose hash still matches what the app derives.  NULL when there
 * is none (never made, used, expired, or made with another secret).
 */
json_t *
token_one_time_view(struct app_req *ctx, const char *customer_id)
{
	PGresult	*res;
	const char	*params[1];
	char		 token[64], hash[65];
	json_t		*v;

	params[0] = customer_id;
	res = db_exec(ctx, "SELECT id, encode(token_sha256, 'hex') AS "
	    "token_sha256, to_char(expires_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD HH24:MI') AS expires_at "
	    "FROM one_time_sign_in_tokens WHERE customer_id = $1::bigint "
	    "AND used_at IS NULL AND expires_at > now() "
	    "ORDER BY created_at DESC, id DESC LIMIT 1", 1, params);
	if (res == NULL)
		return (NULL);

	v = NULL;
	if (PQntuples(res) == 1) {
		token_one_time(DB_COL(res, 0, "id"), customer_id, token,
		    sizeof(token));
		token_sha256_hex(token, hash);
		if (strcmp(hash, DB_COL(res, 0, "token_sha256")) == 0) {
			v = json_pack("{s:s, s:s}", "url", "", "expires_at",
			    DB_COL(res, 0, "expires_at"));
			json_object_set_new(v, "url", json_sprintf(
			    "%s/sign_in/one_time?token=%s",
			    app_cfg.portal_base_url, token));
		}
		explicit_bzero(token, sizeof(token));
	}
	PQclear(res);

	return (v);
}
