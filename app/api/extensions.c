/*
 * The sales system's API: SFDC's "Request Temporary Extension" button.
 *
 *	POST /api/v1/temporary_extensions
 *	Authorization: Bearer <sales_service_token>
 *	Content-Type: application/json
 *
 *	{"zuora_subscription_id": "<Zuora's 32 hex id>",
 *	 "salesforce_opportunity_id": "<15 or 18 letters and digits>",
 *	 "reason": "...", "users": 25, "notes": "..."}
 *
 * users is needed for a self-managed subscription (the license's seats)
 * and ignored for SaaS; notes is optional.  The answer is 201 with the
 * extension, or an error with a stable code:
 *
 *	{"error": {"code": "outside_window", "message": "Temporary extension
 *	 can be requested 15 days prior to subscription expiry up until 13
 *	 days after subscription expiry"}}
 *
 *	400 bad_request		the body is not what is described above
 *				("field" names the culprit)
 *	401 unauthorized	missing or wrong service token
 *	404 not_found		no subscription has that Zuora id
 *	415 unsupported_media_type
 *	422 outside_window, already_extended, upcoming_extension, bad_debt,
 *	    trade_restricted (the guardrails, support/extension.c), and
 *	    subscription_cancelled
 *	503 not_configured, unavailable
 *
 * A repeat of a request already answered (SFDC retries after a time-out
 * of its own) is answered as the first time, 201 and the same body, and
 * makes nothing: a request with the same Idempotency-Key header, or
 * without one, for the same subscription and Salesforce opportunity in
 * the current term (extension_replay()).  A key used before for another
 * subscription is refused (422 idempotency_key_reused).
 *
 * A service, not a browser: NEED_PUBLIC | ROUTE_API in the route table
 * (no session, no CSRF form token); the token is compared in constant
 * time.  The change is recorded in history as api:sfdc, the extension's
 * created_by is "sfdc".
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/support.h"
#include "lib/validate.h"

#define API_BODY_MAX		16384
#define API_ACTOR		"api:sfdc"
#define API_CREATED_BY		"sfdc"

struct api_ext {
	char		zuora_subscription_id[33];
	char		opportunity[19];
	char		users[16];
	char		*reason;
	char		*notes;
};

static int	 ext_error(struct http_request *, int, const char *,
		    const char *, const char *);
static int	 ext_replay(struct http_request *, struct app_req *,
		    const struct ext_request *);
static int	 idempotency_key(struct http_request *, const char **);
static int	 ext_error_fn(struct http_request *, int, const char *,
		    const char *);
static int	 ext_parse(json_t *, struct api_ext *, const char **,
		    const char **);
static int	 text_ok(const char *, size_t, int);

static int
ext_error(struct http_request *req, int status, const char *code,
    const char *message, const char *field)
{
	json_t	*e;

	e = json_pack("{s:s, s:s}", "code", code, "message", message);
	if (field != NULL)
		json_object_set_new(e, "field", json_string(field));

	return (api_answer(req, status, json_pack("{s:o}", "error", e)));
}

/* An error about no field in particular. */
static int
ext_error_fn(struct http_request *req, int status, const char *code,
    const char *message)
{
	return (ext_error(req, status, code, message, NULL));
}

/* Text of at most max characters, no control characters (but \n, \t). */
static int
text_ok(const char *s, size_t max, int multiline)
{
	const char	*p;

	if (!params_utf8_valid(s, strlen(s)) || utf8_chars(s) > max)
		return (0);
	for (p = s; *p != '\0'; p++) {
		if (multiline && (*p == '\n' || *p == '\t' || *p == '\r'))
			continue;
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return (0);
	}

	return (1);
}

/* 0, or -1 with the field and the message to answer. */
static int
ext_parse(json_t *body, struct api_ext *x, const char **field,
    const char **why)
{
	json_t		*v;
	const char	*s;
	char		*p;
	json_int_t	 n;

	memset(x, 0, sizeof(*x));

	*field = "zuora_subscription_id";
	*why = "zuora_subscription_id must be Zuora's subscription ID: 32 "
	    "hexadecimal characters.";
	if ((s = json_string_value(json_object_get(body, *field))) == NULL ||
	    strlen(s) != 32)
		return (-1);
	(void)kore_strlcpy(x->zuora_subscription_id, s,
	    sizeof(x->zuora_subscription_id));
	for (p = x->zuora_subscription_id; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!valid_hex(x->zuora_subscription_id, 32))
		return (-1);

	*field = "salesforce_opportunity_id";
	*why = "salesforce_opportunity_id must be a Salesforce ID: 15 or 18 "
	    "letters and digits.";
	if ((s = json_string_value(json_object_get(body, *field))) == NULL ||
	    strlen(s) >= sizeof(x->opportunity) || !valid_sfdc_id(s))
		return (-1);
	(void)kore_strlcpy(x->opportunity, s, sizeof(x->opportunity));

	*field = "reason";
	*why = "reason must be a text of 1 to 255 characters, on one line.";
	if ((s = json_string_value(json_object_get(body, *field))) == NULL ||
	    !text_ok(s, 255, 0))
		return (-1);
	x->reason = kore_strdup(s);
	if (*trim_space(x->reason) == '\0')
		return (-1);

	*field = "users";
	*why = "users must be a whole number from 1 to 1000000 (the seats of "
	    "a self-managed license); for SaaS it is ignored (0 or left "
	    "out).";
	v = json_object_get(body, *field);
	if (v != NULL && !json_is_null(v)) {
		if (json_is_integer(v))
			n = json_integer_value(v);
		else if ((s = json_string_value(v)) != NULL && *s != '\0' &&
		    strlen(s) <= 7 && strspn(s, "0123456789") == strlen(s))
			n = strtoll(s, NULL, 10);
		else
			return (-1);
		if (n < 0 || n > 1000000)
			return (-1);
		/* 0: none (SaaS); self-managed then needs some. */
		if (n > 0)
			(void)snprintf(x->users, sizeof(x->users), "%lld",
			    (long long)n);
	}

	*field = "notes";
	*why = "notes must be a text of at most 4000 characters.";
	v = json_object_get(body, *field);
	if (v != NULL && !json_is_null(v)) {
		if ((s = json_string_value(v)) == NULL || !text_ok(s, 4000, 1))
			return (-1);
		if (*s != '\0')
			x->notes = kore_strdup(s);
	}

	*field = NULL;
	*why = NULL;
	return (0);
}

/* POST /api/v1/temporary_extensions */
/*
 * The Idempotency-Key header, if any (*key NULL without one): 0, or -1
 * when it is not 1 to 255 printable ASCII characters.
 */
static int
idempotency_key(struct http_request *req, const char **key)
{
	const char	*v, *p;

	*key = NULL;
	if (!http_request_header(req, "idempotency-key", &v))
		return (0);
	if (*v == '\0' || strlen(v) > 255)
		return (-1);
	for (p = v; *p != '\0'; p++) {
		if (*p < 0x20 || *p > 0x7e)
			return (-1);
	}
	*key = v;

	return (0);
}

/* The caller is the sales system: 1, or 0 after answering. */
static int
sales_caller_ok(struct http_request *req)
{
	if (app_cfg.sales_service_token[0] == '\0') {
		(void)ext_error(req, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "not_configured", "The sales service token is not set "
		    "(sales_service_token).", NULL);
		return (0);
	}
	if (!api_service_ok(req, app_cfg.sales_service_token)) {
		(void)ext_error(req, HTTP_STATUS_UNAUTHORIZED, "unauthorized",
		    "A valid service token is required.", NULL);
		return (0);
	}

	return (1);
}

/* A body that does not parse: logged with what can be told, and 400. */
static int
ext_bad_body(struct http_request *req, json_t *body, struct ext_request *rq,
    const char *field, const char *why)
{
	rq->zuora_subscription_id = json_string_value(
	    json_object_get(body, "zuora_subscription_id"));
	rq->salesforce_opportunity_id = json_string_value(
	    json_object_get(body, "salesforce_opportunity_id"));
	if (rq->zuora_subscription_id != NULL &&
	    strlen(rq->zuora_subscription_id) > 64)
		rq->zuora_subscription_id = NULL;
	if (rq->salesforce_opportunity_id != NULL &&
	    strlen(rq->salesforce_opportunity_id) > 64)
		rq->salesforce_opportunity_id = NULL;
	extension_log("api_request", "temporary extension request refused",
	    rq, NULL, json_pack("{s:s, s:s, s:i, s:s}", "outcome", "refused",
	    "code", "bad_request", "status", 400, "field", field));

	return (ext_error(req, HTTP_STATUS_BAD_REQUEST, "bad_request", why,
	    field));
}

/* The extension made and committed, or why not, in out. */
static void
ext_run(struct app_req *ctx, const struct ext_request *rq,
    struct ext_result *out)
{
	struct write_txn	 w;

	if (write_begin(&w, ctx, API_ACTOR, "") == -1) {
		memset(out, 0, sizeof(*out));
		out->code = EXT_UNAVAILABLE;
		(void)kore_strlcpy(out->message, "The database cannot be "
		    "reached.", sizeof(out->message));
	} else if (extension_create(&w, rq, out) == 0 &&
	    write_commit(&w) == -1) {
		/*
		 * Every constraint of the extension is checked by its INSERT
		 * (extension_create() answers those): a COMMIT that fails
		 * has lost the connection.  It has ended the transaction.
		 */
		out->code = EXT_UNAVAILABLE;
		(void)kore_strlcpy(out->message, "The extension could not be "
		    "saved; try again.", sizeof(out->message));
	}
}

/* The answer to the sales system, once the extension was tried (out). */
static int
ext_answer(struct http_request *req, struct app_req *ctx,
    const struct ext_request *rq, const struct ext_result *out)
{
	json_t	*ext;
	char	 loc[96];
	int	 ret;

	/* The same request, made at the same time, got there first. */
	if ((out->code == EXT_ALREADY_EXTENDED || out->code == EXT_UPCOMING ||
	    (out->code == EXT_BAD_REQUEST && rq->idempotency_key != NULL)) &&
	    (ret = ext_replay(req, ctx, rq)) != -1)
		return (ret);

	if (out->code != EXT_OK) {
		extension_log("api_request", "temporary extension request "
		    "refused", rq, out, json_pack("{s:i}", "status",
		    extension_http_status(out->code)));
		return (ext_error(req, extension_http_status(out->code),
		    extension_code(out->code), out->message,
		    out->field[0] != '\0' ? out->field : NULL));
	}

	extension_log_created(rq, out);
	extension_log("api_request", "temporary extension request answered",
	    rq, out, json_pack("{s:s, s:i, s:s}", "outcome", "created",
	    "status", 201, "extension_id", out->id));

	ext = extension_json(rq, out);
	(void)snprintf(loc, sizeof(loc), "/admin/temporary_extensions/%s",
	    out->id);
	http_response_header(req, "location", loc);

	return (render_json(req, HTTP_STATUS_CREATED, ext));
}

/*
 * The answer to a repeat of a request already answered (201 and its
 * body, as the first time), or a refusal of a key used for another
 * subscription; -1 when the request is no repeat.
 */
static int
ext_replay(struct http_request *req, struct app_req *ctx,
    const struct ext_request *rq)
{
	json_t	*answer;
	char	 id[32], loc[96];
	int	 other;

	if ((answer = extension_replay(ctx, rq, &other, id,
	    sizeof(id))) == NULL) {
		if (!other)
			return (-1);
		extension_log("api_request", "temporary extension request "
		    "refused", rq, NULL, json_pack("{s:s, s:i}", "code",
		    "idempotency_key_reused", "status", 422));
		return (ext_error(req, 422, "idempotency_key_reused", "This "
		    "Idempotency-Key was used for another subscription's "
		    "extension.", "Idempotency-Key"));
	}
	extension_log("api_request", "temporary extension request answered "
	    "again", rq, NULL, json_pack("{s:s, s:i, s:s}", "outcome",
	    "repeated", "status", 201, "extension_id", id));
	(void)snprintf(loc, sizeof(loc), "/admin/temporary_extensions/%s", id);
	http_response_header(req, "location", loc);

	return (render_json(req, HTTP_STATUS_CREATED, answer));
}

int
api_temporary_extension_create(struct http_request *req, struct app_req *ctx)
{
	struct ext_request	 rq;
	struct ext_result	 out;
	struct api_ext		 x;
	json_t			*body;
	const char		*field, *why;
	int			 ret;

	if (!sales_caller_ok(req) || (body = api_json_body(req, API_BODY_MAX,
	    JSON_REJECT_DUPLICATES, "The body must be a JSON object.",
	    ext_error_fn)) == NULL)
		return (KORE_RESULT_OK);

	memset(&rq, 0, sizeof(rq));
	rq.via = "api";
	rq.created_by = API_CREATED_BY;
	if (ext_parse(body, &x, &field, &why) == -1) {
		ret = ext_bad_body(req, body, &rq, field, why);
		json_decref(body);
		goto done;
	}
	json_decref(body);

	rq.zuora_subscription_id = x.zuora_subscription_id;
	rq.salesforce_opportunity_id = x.opportunity;
	rq.reason = trim_space(x.reason);
	rq.notes = x.notes;
	rq.users = x.users[0] != '\0' ? x.users : NULL;
	if (idempotency_key(req, &rq.idempotency_key) == -1) {
		ret = ext_error(req, HTTP_STATUS_BAD_REQUEST, "bad_request",
		    "The Idempotency-Key header must be 1 to 255 printable "
		    "ASCII characters.", "Idempotency-Key");
		goto done;
	}
	extension_log("api_request", "temporary extension requested", &rq,
	    NULL, x.users[0] != '\0' ? json_pack("{s:s}", "users", x.users) :
	    NULL);

	/* A repeat of a request already answered: that answer again. */
	if ((ret = ext_replay(req, ctx, &rq)) == -1) {
		ext_run(ctx, &rq, &out);
		ret = ext_answer(req, ctx, &rq, &out);
	}

done:
	kore_free(x.reason);
	kore_free(x.notes);

	return (ret);
}
