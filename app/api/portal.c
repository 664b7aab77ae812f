/*
 * The customers portal's API: it redeems the tokens the panel hands out.
 *
 *	POST /api/v1/one_time_sign_in/redeem	{"token": "..."}
 *	POST /api/v1/impersonation/redeem	{"token": "..."}
 *
 * The caller is a service, not a browser: it sends
 * "Authorization: Bearer <portal_service_token>", compared in constant
 * time, and no cookies, so these routes are NEED_PUBLIC | ROUTE_API in
 * the route table (no session, no CSRF form token) and check the token
 * here.  Answers are JSON: 200 {customer_id, email, ...} or an error with
 * a stable code:
 *
 *	400 bad_request		the body is not {"token": "<string>"}
 *	401 unauthorized	missing or wrong service token
 *	403 login_deactivated	the customer may not sign in (one-time only)
 *	404 invalid_token	no such token
 *	410 token_used		already redeemed
 *	410 token_expired	past its expiry
 *	415 unsupported_media_type
 *	503 not_configured / unavailable
 *
 * Redeeming is one transaction (actor "api:customers_portal"): the token
 * is marked used and, for a one-time sign-in, the customer's next URL is
 * made, both recorded in history.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/edit.h"

#define API_BODY_MAX		8192
#define API_TOKEN_MAX		128
#define API_ACTOR		"api:customers_portal"
#define API_TOKEN_BAD		"The body must be a JSON object with a " \
				    "\"token\" string."

#define KIND_ONE_TIME		1
#define KIND_IMPERSONATION	2

static int	 api_error(struct http_request *, int, const char *,
		    const char *);
static int	 api_token(struct http_request *, char *, size_t);
static int	 api_redeem(struct http_request *, struct app_req *, int);

static int
api_error(struct http_request *req, int status, const char *code,
    const char *message)
{
	return (api_answer(req, status, json_pack("{s:s, s:s}", "error",
	    code, "message", message)));
}

/* The body's token: 1, or 0 after answering with an error. */
static int
api_token(struct http_request *req, char *out, size_t outlen)
{
	json_t		*body;
	const char	*tok;

	if ((body = api_json_body(req, API_BODY_MAX, 0, API_TOKEN_BAD,
	    api_error)) == NULL)
		return (0);
	tok = json_string_value(json_object_get(body, "token"));
	if (tok == NULL || *tok == '\0' || strlen(tok) >= outlen ||
	    strlen(tok) > API_TOKEN_MAX) {
		json_decref(body);
		(void)api_error(req, HTTP_STATUS_BAD_REQUEST, "bad_request",
		    API_TOKEN_BAD);
		return (0);
	}
	(void)kore_strlcpy(out, tok, outlen);
	json_decref(body);

	return (1);
}

/* Why a token found is not redeemed: its column holding bad. */
static const struct {
	const char	*column;
	const char	*bad;
	int		 status;
	const char	*code;
	const char	*message;
} refusals[] = {
	{ "used", "t", HTTP_STATUS_GONE, "token_used",
	    "This token was already used." },
	{ "expired", "t", HTTP_STATUS_GONE, "token_expired",
	    "This token has expired." },
	{ "login_activated", "f", HTTP_STATUS_FORBIDDEN, "login_deactivated",
	    "This customer's sign-in is deactivated." },
};

/* The caller is the portal: 1, or 0 after answering. */
static int
redeem_caller_ok(struct http_request *req)
{
	if (app_cfg.portal_service_token[0] == '\0') {
		(void)api_error(req, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "not_configured", "The portal service token is not set "
		    "(portal_service_token).");
		return (0);
	}
	if (!api_service_ok(req, app_cfg.portal_service_token)) {
		(void)api_error(req, HTTP_STATUS_UNAUTHORIZED,
		    "unauthorized", "A valid service token is required.");
		return (0);
	}

	return (1);
}

/*
 * The token of hash, locked in w: its id and customer, and the answer
 * (*out); or -1 after answering (w rolled back when it was refused).
 */
static int
redeem_lookup(struct http_request *req, struct write_txn *w, int kind,
    const char *hash, char *id, char *customer, size_t len, json_t **out)
{
	PGresult	*res;
	const char	*params[1];
	size_t		 i;

	params[0] = hash;
	res = write_exec(w, kind == KIND_ONE_TIME ?
	    "SELECT t.id, t.customer_id, c.email, t.used_at IS NOT NULL AS "
	    "used, t.expires_at <= now() AS expired, c.login_activated, "
	    "NULL AS admin_identity "
	    "FROM one_time_sign_in_tokens t JOIN customers c ON "
	    "c.id = t.customer_id WHERE t.token_sha256 = decode($1, 'hex') "
	    "FOR UPDATE OF t" :
	    "SELECT g.id, g.customer_id, c.email, g.used_at IS NOT NULL AS "
	    "used, g.expires_at <= now() AS expired, true AS login_activated, "
	    "g.admin_identity "
	    "FROM impersonation_grants g JOIN customers c ON "
	    "c.id = g.customer_id WHERE g.token_sha256 = decode($1, 'hex') "
	    "FOR UPDATE OF g", 1, params);
	if (res == NULL) {
		(void)api_error(req, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "unavailable", "The database cannot be reached.");
		return (-1);
	}

	if (PQntuples(res) == 0) {
		(void)api_error(req, HTTP_STATUS_NOT_FOUND, "invalid_token",
		    "No such token.");
		goto refused;
	}
	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		if (strcmp(DB_COL(res, 0, refusals[i].column),
		    refusals[i].bad) == 0) {
			(void)api_error(req, refusals[i].status,
			    refusals[i].code, refusals[i].message);
			goto refused;
		}
	}

	(void)kore_strlcpy(id, DB_COL(res, 0, "id"), len);
	(void)kore_strlcpy(customer, DB_COL(res, 0, "customer_id"), len);
	*out = json_pack("{s:I, s:s}", "customer_id",
	    (json_int_t)strtoll(customer, NULL, 10), "email",
	    DB_COL(res, 0, "email"));
	if (kind == KIND_IMPERSONATION)
		json_object_set_new(*out, "admin_identity",
		    json_string(DB_COL(res, 0, "admin_identity")));
	PQclear(res);

	return (0);

refused:
	PQclear(res);
	write_rollback(w);

	return (-1);
}

static int
api_redeem(struct http_request *req, struct app_req *ctx, int kind)
{
	struct write_txn	 w;
	json_t			*out;
	const char		*params[1];
	char			 token[API_TOKEN_MAX + 1], hash[65];
	char			 id[32], customer[32];

	if (!redeem_caller_ok(req) || !api_token(req, token, sizeof(token)))
		return (KORE_RESULT_OK);

	token_sha256_hex(token, hash);
	explicit_bzero(token, sizeof(token));

	if (write_begin(&w, ctx, API_ACTOR, "") == -1) {
		return (api_error(req, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "unavailable", "The database cannot be reached."));
	}
	if (redeem_lookup(req, &w, kind, hash, id, customer, sizeof(id),
	    &out) == -1)
		return (KORE_RESULT_OK);

	params[0] = id;
	if (write_exec_count(&w, kind == KIND_ONE_TIME ?
	    "UPDATE one_time_sign_in_tokens SET used_at = now() "
	    "WHERE id = $1::bigint" :
	    "UPDATE impersonation_grants SET used_at = now() "
	    "WHERE id = $1::bigint", 1, params) != 1 ||
	    (kind == KIND_ONE_TIME &&
	    token_one_time_issue(&w, customer) == -1) ||
	    write_commit(&w) == -1) {
		write_rollback(&w);
		json_decref(out);
		return (api_error(req, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "unavailable", "The token could not be redeemed; try "
		    "again."));
	}

	return (render_json(req, HTTP_STATUS_OK, out));
}

int
api_one_time_sign_in_redeem(struct http_request *req, struct app_req *ctx)
{
	return (api_redeem(req, ctx, KIND_ONE_TIME));
}

int
api_impersonation_redeem(struct http_request *req, struct app_req *ctx)
{
	return (api_redeem(req, ctx, KIND_IMPERSONATION));
}
