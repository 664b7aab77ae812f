/*
 * Temporary renewal extensions: one service for both callers, the sales
 * system's API (api/extensions.c, actor api:sfdc, created_by "sfdc") and
 * Support's "Extend subscription" (support/namespaces.c, admin:<email>).
 *
 * extension_create() runs inside the caller's transaction:
 *
 *  1. The subscription row is locked (FOR UPDATE; its billing account
 *     FOR SHARE), so two requests for one subscription are taken one
 *     after the other: the second sees the first's extension.
 *  2. A cancelled subscription cannot be extended; a self-managed one
 *     needs a number of users.
 *  3. The guardrails, in this order (the order of the Fulfillment
 *     Guide's table), the first that fails refuses the request with its
 *     exact message:
 *	outside_window		today (UTC: the database's CURRENT_DATE)
 *				is
 *				not between term end - 15 and term end + 13
 *	already_extended	an extension of the current renewal term
 *				(renewal_term_start = term end) has started
 *	upcoming_extension	an extension of the subscription has not
 *				started yet (starts_on > today)
 *	bad_debt		the billing account is on support hold or
 *				credit hold
 *	trade_restricted	the Sold_To contact's country is one of
 *				trade_restricted_countries
 *  4. The extension: renewal_term_start = starts_on = the term end date,
 *     ends_on = term end + 21.  Self-managed: a legacy trial license for
 *     the base plan (Premium or Ultimate), users as asked, from the term
 *     end to ends_on, linked to the extension.  SaaS: the linked
 *     namespace's subscription_expires_on moves to ends_on.
 *  5. An e-mail to the Sold_To contact ("[GitLab Transactions] GitLab
 *     Temporary Renewal Extension"; with the license key for SM) through
 *     the outbox.
 *
 * The unique key temporary_extensions_renewal_term_key backs rule 3b
 * should anything get past the lock.  Each step logs one JSON line:
 * functionality "temporary_extension", workflow "guardrail_check",
 * "create_sm_extension" or "create_saas_extension" (the API logs
 * "api_request"), zuora_subscription_id, salesforce_opportunity_id.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/eligibility.h"

/*
 * The contact's name, e-mail and company as stored: at most 255
 * characters each (the contact's name two of 100 and a space), of up to
 * 4 bytes, copied whole into the license and the e-mail.
 */
#define EXT_TEXT_MAX	1024

#define SUBJECT \
	"[GitLab Transactions] GitLab Temporary Renewal Extension"

#define EXT_SQL \
	"SELECT s.id, s.zuora_subscription_id, s.name AS subscription_name, " \
	"s.deployment_type, " \
	"s.status, s.gitlab_plan, s.term_end_date::text AS term_end, " \
	"CURRENT_DATE::text AS today, " \
	"coalesce(st.first_name || ' ' || st.last_name, " \
	"bt.first_name || ' ' || bt.last_name) AS contact, " \
	"coalesce(st.work_email, bt.work_email) AS email, " \
	"coalesce(b.company, b.zuora_account_name) AS company, " \
	"(s.term_end_date + 21)::text AS ends_on, " \
	"n.id::text AS namespace_id, n.path AS ns_path, " \
	ELIG_EXT_COLUMNS \
	"FROM zuora_subscriptions s " \
	"JOIN billing_accounts b ON b.id = s.billing_account_id " \
	"LEFT JOIN billing_account_contacts st ON " \
	"st.id = b.sold_to_contact_id " \
	"LEFT JOIN billing_account_contacts bt ON " \
	"bt.id = b.bill_to_contact_id " \
	"LEFT JOIN namespaces n ON n.zuora_subscription_id = s.id "

#define EXT_LOCK	" FOR UPDATE OF s FOR SHARE OF b"

/* The subscription as read under lock, and the extension's parts. */
struct ext_sub {
	char		 id[32];
	char		 status[16];
	char		 term_end[16];
	char		 today[16];
	char		 plan_name[16];
	char		 contact[EXT_TEXT_MAX];
	char		 email[EXT_TEXT_MAX];
	char		 company[EXT_TEXT_MAX];
	char		 ns_path[256];
	int		 type_sm;
	/* The first guardrail that fails (support/eligibility.c), if any. */
	int		 refused;
	char		 refusal[EXT_MSG_MAX];
	const char	*users;		/* as asked, for SM; else NULL */
};

static int	 refuse(struct write_txn *, struct ext_result *, int,
		    const char *);
static int	 ext_read(struct write_txn *, const struct ext_request *,
		    struct ext_result *, struct ext_sub *);
static void	 ext_copy(PGresult *, struct ext_result *, struct ext_sub *);
static int	 ext_check(struct write_txn *, const struct ext_request *,
		    struct ext_result *, struct ext_sub *);
static int	 ext_guardrail(const struct ext_sub *, struct ext_result *);
static int	 ext_license(struct write_txn *, struct ext_result *,
		    const struct ext_sub *, char **);
static int	 ext_insert(struct write_txn *, const struct ext_request *,
		    struct ext_result *, const struct ext_sub *);
static int	 ext_mail(struct write_txn *, const struct ext_result *,
		    const struct ext_sub *, const char *);
static int	 ext_failed(struct write_txn *, struct ext_result *);
static json_t	*number_or_null(const char *);
static char	*mail_body(const char *, const char *, const char *,
		    const char *, const char *, const char *, const char *,
		    const char *);

int
extension_http_status(int code)
{
	switch (code) {
	case EXT_OK:
		return (HTTP_STATUS_CREATED);
	case EXT_NOT_FOUND:
		return (HTTP_STATUS_NOT_FOUND);
	case EXT_BAD_REQUEST:
		return (HTTP_STATUS_BAD_REQUEST);
	case EXT_NOT_CONFIGURED:
	case EXT_UNAVAILABLE:
		return (HTTP_STATUS_SERVICE_UNAVAILABLE);
	default:
		return (422);
	}
}

/*
 * One JSON log line of a step: what the request was about and, when
 * given, how it ended; extra (consumed) adds fields.
 */
void
extension_log(const char *workflow, const char *msg,
    const struct ext_request *rq, const struct ext_result *out, json_t *extra)
{
	json_t		*o;
	const char	*zid;

	zid = out != NULL && out->zuora_subscription_id[0] != '\0' ?
	    out->zuora_subscription_id : rq->zuora_subscription_id;
	o = json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:s?}",
	    "functionality", "temporary_extension",
	    "workflow", workflow,
	    "zuora_subscription_id", zid,
	    "salesforce_opportunity_id", rq->salesforce_opportunity_id,
	    "via", rq->via,
	    "created_by", rq->created_by);
	if (out != NULL && out->code != EXT_OK) {
		json_object_set_new(o, "outcome", json_string("refused"));
		json_object_set_new(o, "code",
		    json_string(extension_code(out->code)));
		json_object_set_new(o, "reason", json_string(out->message));
	}
	if (extra != NULL) {
		json_object_update(o, extra);
		json_decref(extra);
	}
	log_event(msg, o);
}

/* The log line of an extension made (and committed). */
void
extension_log_created(const struct ext_request *rq,
    const struct ext_result *out)
{
	extension_log(strcmp(out->deployment_type, "sm") == 0 ?
	    "create_sm_extension" : "create_saas_extension",
	    "temporary extension created", rq, out, json_pack("{s:s, s:s, "
	    "s:s, s:s?, s:s?}", "extension_id", out->id, "ends_on",
	    out->ends_on, "deployment_type", out->deployment_type,
	    "license_id", out->license_id[0] != '\0' ? out->license_id : NULL,
	    "namespace_id", out->namespace_id[0] != '\0' ?
	    out->namespace_id : NULL));
}

/* Refuse with code and message; the transaction is rolled back. */
static int
refuse(struct write_txn *w, struct ext_result *out, int code,
    const char *message)
{
	write_rollback(w);
	out->code = code;
	(void)kore_strlcpy(out->message, message, sizeof(out->message));

	return (-1);
}

/* The e-mail to the customer (kore_free it). */
static char *
mail_body(const char *contact, const char *subscription, const char *type,
    const char *term_end, const char *ends_on, const char *users,
    const char *license, const char *namespace)
{
	struct kore_buf	*b;
	char		*s;

	b = kore_buf_alloc(2048);
	kore_buf_appendf(b, "Hello %s,\n\n", contact);
	kore_buf_appendf(b, "Your GitLab subscription %s ends on %s. While "
	    "its renewal is processed, your access is temporarily extended "
	    "until %s.\n\n", subscription, term_end, ends_on);
	if (strcmp(type, "sm") == 0) {
		kore_buf_appendf(b, "Below is a temporary license key for %s "
		    "users of your GitLab Self-Managed instance. Add it in "
		    "the Admin Area under Subscription (\"Add license\"). "
		    "It is for your base plan only: add-ons such as GitLab "
		    "Duo are not included. Once your renewal is complete, "
		    "apply your renewed license or activation code.\n\n",
		    users);
		kore_buf_appendf(b, "%s\n", license);
	} else {
		kore_buf_appendf(b, "Nothing needs to be done: the new "
		    "expiration date%s%s is applied on GitLab.com.\n\n",
		    namespace != NULL ? " of " : "",
		    namespace != NULL ? namespace : "");
	}
	kore_buf_appendf(b, "Access temporarily extended until %s.\n\n"
	    "GitLab Transactions\n", ends_on);
	s = kore_buf_stringify(b, NULL);
	s = kore_strdup(s);
	kore_buf_free(b);

	return (s);
}

int
extension_create(struct write_txn *w, const struct ext_request *rq,
    struct ext_result *out)
{
	struct ext_sub	 sub;
	char		*license;
	int		 rc;

	memset(out, 0, sizeof(*out));
	out->code = EXT_OK;
	if (ext_read(w, rq, out, &sub) == -1 ||
	    ext_check(w, rq, out, &sub) == -1)
		return (-1);
	if (sub.type_sm && !license_signing_ready())
		return (refuse(w, out, EXT_NOT_CONFIGURED, "License signing is "
		    "not configured (license_private_key), so no license can "
		    "be made"));

	license = NULL;
	rc = 0;
	if ((sub.type_sm && ext_license(w, out, &sub, &license) == -1) ||
	    ext_insert(w, rq, out, &sub) == -1 ||
	    ext_mail(w, out, &sub, license) == -1)
		rc = ext_failed(w, out);
	kore_free(license);

	return (rc);
}

/*
 * The subscription of rq locked in w and read into out and sub; -1 when
 * there is none (or the database did not answer), refused.
 */
static int
ext_read(struct write_txn *w, const struct ext_request *rq,
    struct ext_result *out, struct ext_sub *sub)
{
	PGresult	*res;
	const char	*params[1], *sql;
	char		 msg[EXT_MSG_MAX];

	if (rq->zuora_subscription_id != NULL) {
		sql = EXT_SQL "WHERE s.zuora_subscription_id = $1" EXT_LOCK;
		params[0] = rq->zuora_subscription_id;
	} else {
		sql = EXT_SQL "WHERE s.id = $1::bigint" EXT_LOCK;
		params[0] = rq->subscription;
	}
	if ((res = write_exec(w, sql, 1, params)) == NULL)
		return (refuse(w, out, EXT_UNAVAILABLE, "The database did not "
		    "answer, so nothing was changed. Try again in a moment."));

	if (PQntuples(res) == 0) {
		PQclear(res);
		(void)snprintf(msg, sizeof(msg), "No subscription has the "
		    "Zuora subscription ID %s", params[0]);
		return (refuse(w, out, EXT_NOT_FOUND, msg));
	}
	ext_copy(res, out, sub);
	PQclear(res);

	return (0);
}

/* What the row of EXT_SQL says about the subscription, and its plan. */
static void
ext_copy(PGresult *res, struct ext_result *out, struct ext_sub *sub)
{
	struct elig_ext_check	 checks[ELIG_EXT_NCHECKS];
	const char		*plan;
	int			 first;

	memset(sub, 0, sizeof(*sub));
	SUPPORT_COPY(res, sub, id);
	SUPPORT_COPY(res, sub, status);
	SUPPORT_COPY(res, out, zuora_subscription_id);
	SUPPORT_COPY(res, out, subscription_name);
	SUPPORT_COPY(res, out, deployment_type);
	SUPPORT_COPY(res, sub, term_end);
	SUPPORT_COPY(res, sub, today);
	(void)kore_strlcpy(out->renewal_term_start, sub->term_end,
	    sizeof(out->renewal_term_start));
	SUPPORT_COPY(res, out, ends_on);
	(void)kore_strlcpy(sub->contact, DB_COL(res, 0, DB_NULL(res, 0,
	    "contact") ? "company" : "contact"), sizeof(sub->contact));
	SUPPORT_COPY(res, sub, email);
	SUPPORT_COPY(res, sub, company);
	if (!DB_NULL(res, 0, "namespace_id")) {
		SUPPORT_COPY(res, out, namespace_id);
		SUPPORT_COPY(res, sub, ns_path);
	}
	sub->type_sm = strcmp(out->deployment_type, "sm") == 0;

	/* The guardrails: the checks the Eligibility panel shows too. */
	first = elig_ext_checks(res, 0, app_cfg.trade_restricted_countries,
	    checks);
	if (first >= 0) {
		sub->refused = checks[first].code;
		(void)kore_strlcpy(sub->refusal, checks[first].message,
		    sizeof(sub->refusal));
	}

	/* The base plan of the license: Premium or Ultimate. */
	plan = DB_COL(res, 0, "gitlab_plan");
	(void)kore_strlcpy(sub->plan_name, strcmp(plan, "ultimate") == 0 ||
	    strcmp(plan, "gold") == 0 ? "ultimate" : "premium",
	    sizeof(sub->plan_name));
}

/*
 * A subscription that can be extended: not cancelled, users for SM, and
 * the guardrails passed (logged either way).  -1 when refused.
 */
static int
ext_check(struct write_txn *w, const struct ext_request *rq,
    struct ext_result *out, struct ext_sub *sub)
{
	long long	 n;
	int		 rc;

	if (strcmp(sub->status, "cancelled") == 0)
		return (refuse(w, out, EXT_CANCELLED, "Subscription is "
		    "cancelled"));

	if (sub->type_sm) {
		n = rq->users != NULL ? strtoll(rq->users, NULL, 10) : 0;
		if (n < 1 || n > 1000000) {
			(void)kore_strlcpy(out->field, "users",
			    sizeof(out->field));
			return (refuse(w, out, EXT_BAD_REQUEST, "users must "
			    "be a whole number from 1 to 1000000 for a "
			    "self-managed subscription"));
		}
		sub->users = rq->users;
	}

	rc = ext_guardrail(sub, out);
	if (rc == -1) {
		extension_log("guardrail_check", "temporary extension refused",
		    rq, out, json_pack("{s:s, s:s, s:s}", "term_end_date",
		    sub->term_end, "today", sub->today, "deployment_type",
		    out->deployment_type));
		write_rollback(w);
		return (-1);
	}
	extension_log("guardrail_check", "temporary extension guardrails "
	    "passed", rq, out, json_pack("{s:s, s:s, s:s, s:s}", "outcome",
	    "passed", "term_end_date", sub->term_end, "today", sub->today,
	    "deployment_type", out->deployment_type));

	return (0);
}
/*
 * The guardrails, in order: the first that fails sets out's code and
 * message, and -1 is returned.
 */
static int
ext_guardrail(const struct ext_sub *sub, struct ext_result *out)
{
	if (sub->refused == EXT_OK)
		return (0);
	out->code = sub->refused;
	(void)kore_strlcpy(out->message, sub->refusal, sizeof(out->message));

	return (-1);
}

/* Self-managed: the legacy trial license for the base plan. */
static int
ext_license(struct write_txn *w, struct ext_result *out,
    const struct ext_sub *sub, char **license)
{
	struct license_req	 lr;

	memset(&lr, 0, sizeof(lr));
	lr.name = sub->contact;
	lr.company = sub->company;
	lr.email = sub->email;
	lr.user_count = sub->users;
	lr.starts_at = sub->term_end;
	lr.expires_at = out->ends_on;
	lr.plan = sub->plan_name;
	lr.subscription = sub->id;
	lr.zuora_subscription_id = out->zuora_subscription_id;
	lr.subscription_name = out->subscription_name;
	lr.temporary_extension = 1;

	return (license_issue(w, &lr, out->license_id,
	    sizeof(out->license_id), license));
}

/*
 * The extension's row, and for SaaS the namespace's paid plan ending with
 * it.  -1 when the database refused either.
 */
static int
ext_insert(struct write_txn *w, const struct ext_request *rq,
    struct ext_result *out, const struct ext_sub *sub)
{
	PGresult	*res;
	const char	*params[10];

	params[0] = sub->id;
	params[1] = rq->salesforce_opportunity_id;
	params[2] = rq->reason;
	params[3] = rq->notes;
	params[4] = sub->users;
	params[5] = sub->term_end;
	params[6] = rq->created_by;
	params[7] = sub->type_sm ? out->license_id : NULL;
	params[8] = out->ends_on;
	params[9] = rq->idempotency_key;
	if ((res = write_exec(w, "INSERT INTO temporary_extensions "
	    "(zuora_subscription_id, salesforce_opportunity_id, reason, notes, "
	    "users, renewal_term_start, starts_on, ends_on, created_by, "
	    "license_id, idempotency_key) VALUES ($1::bigint, $2, $3, $4, "
	    "$5::integer, $6::date, $6::date, $9::date, $7, $8::bigint, $10) "
	    "RETURNING id, to_char(created_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created_at", 10,
	    params)) == NULL)
		return (-1);
	(void)kore_strlcpy(out->id, DB_COL(res, 0, "id"), sizeof(out->id));
	(void)kore_strlcpy(out->created_at, DB_COL(res, 0, "created_at"),
	    sizeof(out->created_at));
	(void)kore_strlcpy(out->users, sub->users != NULL ? sub->users : "",
	    sizeof(out->users));
	PQclear(res);

	if (sub->type_sm || out->namespace_id[0] == '\0')
		return (0);
	params[0] = out->namespace_id;
	params[1] = out->ends_on;
	if (write_exec_count(w, "UPDATE namespaces SET "
	    "subscription_expires_on = $2::date WHERE id = $1::bigint",
	    2, params) != 1)
		return (-1);

	return (0);
}

/* The e-mail to the Sold_To contact, with the license file for SM. */
static int
ext_mail(struct write_txn *w, const struct ext_result *out,
    const struct ext_sub *sub, const char *license)
{
	char	*body, fname[64];
	int	 rc;

	body = mail_body(sub->contact, out->subscription_name,
	    out->deployment_type, sub->term_end, out->ends_on, sub->users,
	    license, sub->ns_path[0] != '\0' ? sub->ns_path : NULL);
	(void)snprintf(fname, sizeof(fname), LICENSE_FILENAME,
	    out->license_id);
	rc = mail_queue_file(w, "temporary_extensions", out->id, sub->email,
	    SUBJECT, body, license != NULL ? fname : NULL, license);
	kore_free(body);

	return (rc);
}

/*
 * A write that failed: rolled back, out says why (the renewal term's
 * unique key, another constraint, or the database).  Returns -1.
 */
static int
ext_failed(struct write_txn *w, struct ext_result *out)
{
	write_rollback(w);
	if (strcmp(w->constraint, "temporary_extensions_renewal_term_key") ==
	    0) {
		out->code = EXT_ALREADY_EXTENDED;
		(void)kore_strlcpy(out->message, ELIG_MSG_AVAILED,
		    sizeof(out->message));
	} else if (write_is_constraint(w)) {
		out->code = EXT_BAD_REQUEST;
		(void)snprintf(out->message, sizeof(out->message), "The "
		    "extension was refused by the database (%s)",
		    w->constraint[0] != '\0' ? w->constraint : w->sqlstate);
	} else {
		out->code = EXT_UNAVAILABLE;
		(void)kore_strlcpy(out->message, "The database did not "
		    "answer, so nothing was changed. Try again in a moment.",
		    sizeof(out->message));
	}

	return (-1);
}

/* A whole number kept as text, or null for "" (none). */
static json_t *
number_or_null(const char *v)
{
	return (*v != '\0' ? json_integer(strtoll(v, NULL, 10)) : json_null());
}

/* The extension as the API answers it: as asked (rq), and as saved (out). */
json_t *
extension_json(const struct ext_request *rq, const struct ext_result *out)
{
	return (json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s, s:s?, s:o, s:s, "
	    "s:s, s:s, s:s, s:o, s:s, s:o}",
	    "id", (json_int_t)strtoll(out->id, NULL, 10),
	    "zuora_subscription_id", out->zuora_subscription_id,
	    "subscription_name", out->subscription_name,
	    "deployment_type", out->deployment_type,
	    "salesforce_opportunity_id", rq->salesforce_opportunity_id,
	    "reason", rq->reason,
	    "notes", rq->notes,
	    "users", number_or_null(out->users),
	    "renewal_term_start", out->renewal_term_start,
	    "starts_on", out->renewal_term_start,
	    "ends_on", out->ends_on,
	    "created_by", rq->created_by,
	    "license_id", number_or_null(out->license_id),
	    "created_at", out->created_at,
	    "message", json_sprintf("Access temporarily extended until %s",
	    out->ends_on)));
}

/*
 * The sales system's repeat of a request it already made: the extension
 * made for the same Idempotency-Key, or (without a key) for the same
 * subscription and Salesforce opportunity in the subscription's current
 * term, as the first answer gave it (a new reference); NULL when there is
 * none (or the database did not answer).  *other is set when the key
 * was used for another subscription: the request is then refused.  The
 * extension's id in id.
 */
json_t *
extension_replay(struct app_req *ctx, const struct ext_request *rq,
    int *other, char *id, size_t idlen)
{
	PGresult		*res;
	struct ext_request	 was;
	struct ext_result	 out;
	const char		*params[3];
	json_t			*answer;

	*other = 0;
	params[0] = rq->zuora_subscription_id;
	params[1] = rq->salesforce_opportunity_id;
	params[2] = rq->idempotency_key;
	res = db_exec(ctx, "SELECT e.id, s.zuora_subscription_id, "
	    "s.name AS subscription_name, s.deployment_type, "
	    "e.salesforce_opportunity_id, e.reason, e.notes, "
	    "coalesce(e.users::text, '') AS users, "
	    "e.renewal_term_start::text AS renewal_term_start, "
	    "e.ends_on::text AS ends_on, e.created_by, "
	    "coalesce(e.license_id::text, '') AS license_id, "
	    "to_char(e.created_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created_at, "
	    "s.zuora_subscription_id = $1 AS same FROM temporary_extensions e "
	    "JOIN zuora_subscriptions s ON s.id = e.zuora_subscription_id "
	    "WHERE e.created_by = 'sfdc' AND CASE WHEN $3::text IS NOT NULL "
	    "THEN e.idempotency_key = $3 ELSE s.zuora_subscription_id = $1 "
	    "AND e.salesforce_opportunity_id = $2 AND "
	    "e.renewal_term_start = s.term_end_date END "
	    "ORDER BY e.id DESC LIMIT 1", 3, params);
	answer = NULL;
	if (res == NULL)
		return (NULL);
	if (PQntuples(res) == 0)
		goto done;
	if (strcmp(DB_COL(res, 0, "same"), "t") != 0) {
		*other = 1;
		goto done;
	}

	memset(&was, 0, sizeof(was));
	memset(&out, 0, sizeof(out));
	was.salesforce_opportunity_id = DB_NULL(res, 0,
	    "salesforce_opportunity_id") ? NULL :
	    DB_COL(res, 0, "salesforce_opportunity_id");
	was.reason = DB_COL(res, 0, "reason");
	was.notes = DB_NULL(res, 0, "notes") ? NULL : DB_COL(res, 0, "notes");
	was.created_by = DB_COL(res, 0, "created_by");
	SUPPORT_COPY(res, &out, id);
	SUPPORT_COPY(res, &out, zuora_subscription_id);
	SUPPORT_COPY(res, &out, subscription_name);
	SUPPORT_COPY(res, &out, deployment_type);
	SUPPORT_COPY(res, &out, users);
	SUPPORT_COPY(res, &out, renewal_term_start);
	SUPPORT_COPY(res, &out, ends_on);
	SUPPORT_COPY(res, &out, license_id);
	SUPPORT_COPY(res, &out, created_at);
	answer = extension_json(&was, &out);
	(void)kore_strlcpy(id, out.id, idlen);

done:
	PQclear(res);

	return (answer);
}

/*
 * A subscription's page: while an extension of its current renewal term
 * runs (starts_on <= today <= ends_on), the badge "Access temporarily
 * extended until YYYY-MM-DD".
 */
void
subscription_show_extras(struct app_req *ctx, const char *id, json_t *view)
{
	PGresult	*res;
	json_t		*record, *panel;
	const char	*params[1];
	char		 badge[96], href[96];

	params[0] = id;
	res = db_exec(ctx, "SELECT e.id, e.ends_on::text AS ends_on, "
	    "e.starts_on::text AS starts_on "
	    "FROM temporary_extensions e JOIN zuora_subscriptions s ON "
	    "s.id = e.zuora_subscription_id WHERE s.id = $1::bigint AND "
	    "e.renewal_term_start = s.term_end_date AND "
	    "e.starts_on <= CURRENT_DATE AND CURRENT_DATE <= e.ends_on "
	    "ORDER BY e.ends_on DESC LIMIT 1", 1, params);
	if (res == NULL)
		return;
	if (PQntuples(res) == 1) {
		(void)snprintf(badge, sizeof(badge), "Access temporarily "
		    "extended until %s", DB_COL(res, 0, "ends_on"));
		if ((record = json_object_get(view, "record")) != NULL)
			json_object_set_new(record, "badge",
			    json_string(badge));
		json_object_set_new(view, "temporary_extension", json_pack(
		    "{s:s, s:s, s:s, s:s}", "id", DB_COL(res, 0, "id"),
		    "starts_on", DB_COL(res, 0, "starts_on"), "ends_on",
		    DB_COL(res, 0, "ends_on"), "message", badge));
		panel = edit_panel(view, "temporary_extension",
		    "Temporary extension");
		json_object_set_new(panel, "note", json_string(badge));
		json_object_set_new(panel, "columns", json_pack("[s, s, s]",
		    "Extension", "Starts on", "Ends on"));
		(void)snprintf(href, sizeof(href),
		    "/admin/temporary_extensions/%s", DB_COL(res, 0, "id"));
		edit_panel_row(panel, json_pack("[o, {s:s}, {s:s}]",
		    support_cell(DB_COL(res, 0, "id"), href),
		    "value", DB_COL(res, 0, "starts_on"),
		    "value", DB_COL(res, 0, "ends_on")));
	}
	PQclear(res);
}
