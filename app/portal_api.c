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
#include <strings.h>

#include "edit.h"

#define API_BODY_MAX		8192
#define API_TOKEN_MAX		128
#define API_ACTOR		"api:customers_portal"

#define KIND_ONE_TIME		1
#define KIND_IMPERSONATION	2

static int	 api_error(struct http_request *, int, const char *,
		    const char *);
static int	 api_authorized(struct http_request *);
static int	 api_token(struct http_request *, char *, size_t);
static int	 api_redeem(struct http_request *, struct app_req *, int);

static int
api_error(struct http_request *req, int status, const char *code,
    const char *message)
{
	if (status == HTTP_STATUS_UNAUTHORIZED)
		http_response_header(req, "www-authenticate", "Bearer");
	return (render_json(req, status, json_pack("{s:s, s:s}", "error",
	    code, "message", message)));
}

/* The service token, compared in constant time. */
static int
api_authorized(struct http_request *req)
{
	const char	*h;

	if (!http_request_header(req, "authorization", &h) ||
	    strncasecmp(h, "Bearer ", 7) != 0)
		return (0);
	h += 7;
	while (*h == ' ')
		h++;

	return (*h != '\0' && token_equal(h, app_cfg.portal_service_token));
}

/* The body's token: 1, or 0 after answering with an error. */
static int
api_token(struct http_request *req, char *out, size_t outlen)
{
	struct kore_buf	*buf;
	json_t		*body;
	json_error_t	 jerr;
	const char	*ctype, *tok;
	char		 data[1024];
	ssize_t		 n;

	if (!http_request_header(req, "content-type", &ctype) ||
	    strncasecmp(ctype, "application/json", 16) != 0) {
		(void)api_error(req, HTTP_STATUS_UNSUPPORTED_MEDIA_TYPE,
		    "unsupported_media_type", "Send the body as "
		    "application/json.");
		return (0);
	}

	buf = kore_buf_alloc(256);
	for (;;) {
		if ((n = http_body_read(req, data, sizeof(data))) == -1 ||
		    buf->offset + (size_t)n > API_BODY_MAX) {
			kore_buf_free(buf);
			(void)api_error(req, HTTP_STATUS_BAD_REQUEST,
			    "bad_request", "The body could not be read or is "
			    "too large.");
			return (0);
		}
		if (n == 0)
			break;
		kore_buf_append(buf, data, (size_t)n);
	}

	body = json_loadb((const char *)buf->data, buf->offset, 0, &jerr);
	kore_buf_free(buf);
	tok = body ? json_string_value(json_object_get(body, "token")) : NULL;
	if (tok == NULL || *tok == '\0' || strlen(tok) >= outlen ||
	    strlen(tok) > API_TOKEN_MAX) {
		if (body != NULL)
			json_decref(body);
		(void)api_error(req, HTTP_STATUS_BAD_REQUEST, "bad_request",
		    "The body must be a JSON object with a \"token\" string.");
		return (0);
	}
	(void)kore_strlcpy(out, tok, outlen);
	json_decref(body);

	return (1);
}

static int
api_redeem(struct http_request *req, struct app_req *ctx, int kind)
{
	struct write_txn	 w;
	PGresult		*res;
	json_t			*out;
	const char		*params[1];
	char			 token[API_TOKEN_MAX + 1], hash[65];
	char			 id[32], customer[32];

	if (app_cfg.portal_service_token[0] == '\0') {
		return (api_error(req, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "not_configured", "The portal service token is not set "
		    "(portal_service_token)."));
	}
	if (!api_authorized(req)) {
		return (api_error(req, HTTP_STATUS_UNAUTHORIZED,
		    "unauthorized", "A valid service token is required."));
	}
	if (!api_token(req, token, sizeof(token)))
		return (KORE_RESULT_OK);

	token_sha256_hex(token, hash);
	explicit_bzero(token, sizeof(token));
	params[0] = hash;

	if (write_begin(&w, ctx, API_ACTOR, "") == -1) {
		return (api_error(req, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "unavailable", "The database cannot be reached."));
	}

	res = write_exec(&w, kind == KIND_ONE_TIME ?
	    "SELECT t.id, t.customer_id, c.email, t.used_at IS NOT NULL, "
	    "t.expires_at <= now(), c.login_activated, NULL "
	    "FROM one_time_sign_in_tokens t JOIN customers c ON "
	    "c.id = t.customer_id WHERE t.token_sha256 = decode($1, 'hex') "
	    "FOR UPDATE OF t" :
	    "SELECT g.id, g.customer_id, c.email, g.used_at IS NOT NULL, "
	    "g.expires_at <= now(), true, g.admin_identity "
	    "FROM impersonation_grants g JOIN customers c ON "
	    "c.id = g.customer_id WHERE g.token_sha256 = decode($1, 'hex') "
	    "FOR UPDATE OF g", 1, params);
	if (res == NULL) {
		return (api_error(req, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "unavailable", "The database cannot be reached."));
	}

	if (PQntuples(res) == 0) {
		PQclear(res);
		write_rollback(&w);
		return (api_error(req, HTTP_STATUS_NOT_FOUND, "invalid_token",
		    "No such token."));
	}
	if (strcmp(PQgetvalue(res, 0, 3), "t") == 0) {
		PQclear(res);
		write_rollback(&w);
		return (api_error(req, HTTP_STATUS_GONE, "token_used",
		    "This token was already used."));
	}
	if (strcmp(PQgetvalue(res, 0, 4), "t") == 0) {
		PQclear(res);
		write_rollback(&w);
		return (api_error(req, HTTP_STATUS_GONE, "token_expired",
		    "This token has expired."));
	}
	if (strcmp(PQgetvalue(res, 0, 5), "t") != 0) {
		PQclear(res);
		write_rollback(&w);
		return (api_error(req, HTTP_STATUS_FORBIDDEN,
		    "login_deactivated", "This customer's sign-in is "
		    "deactivated."));
	}

	(void)kore_strlcpy(id, PQgetvalue(res, 0, 0), sizeof(id));
	(void)kore_strlcpy(customer, PQgetvalue(res, 0, 1), sizeof(customer));
	out = json_pack("{s:I, s:s}", "customer_id",
	    (json_int_t)strtoll(customer, NULL, 10), "email",
	    PQgetvalue(res, 0, 2));
	if (kind == KIND_IMPERSONATION) {
		json_object_set_new(out, "admin_identity",
		    json_string(PQgetvalue(res, 0, 6)));
	}
	PQclear(res);

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
