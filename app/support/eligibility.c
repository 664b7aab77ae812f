/*
 * A subscription's eligibility, rule by rule, from the Fulfillment Guide:
 *
 *	auto_renewal		"Auto-Renewal eligibility": we will
 *				not attempt to auto-renew if ..., and
 *				the subscriptions and accounts excluded
 *				from it; also the feature table
 *				(multi-year deals, resellers, community
 *				programs)
 *	qsr			"QSR eligibility": enrolled
 *				(TurnOnSeatReconciliation__c), the account
 *				settings that exclude it, the last
 *				reconciliation
 *	temporary_extension	"Temporary renewal extensions": the
 *				checks the extension service runs
 *				(elig_ext_checks, shared with
 *				support/extension.c), as of today
 *
 * Each rule: name, verdict (pass, fail, not_applicable), the data it rests
 * on, and the Guide's wording.  One query reads everything, as of the
 * database's CURRENT_DATE (UTC), like the extension service.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clients/zuora.h"
#include "support/eligibility.h"

#define ELIG_DATA_MAX	256

#define ELIG_SQL \
	"SELECT s.status, s.deployment_type, " \
	"s.term_start_date::text AS term_start, " \
	"s.term_end_date::text AS term_end, " \
	"s.term_end_date - s.term_start_date AS term_days, " \
	"round((s.term_end_date - s.term_start_date) / 30.44)::int " \
	"AS term_months, s.cloud_licensing, s.auto_renew, " \
	"s.turn_on_seat_reconciliation AS qsr_enrolled, s.seats, " \
	"s.max_seats_used, s.seats_owed, s.sales_channel, s.partner_name, " \
	"s.community_program, s.product_name, s.enterprise_agile_planning, " \
	"b.po_required, b.portal_required, b.support_hold, b.credit_hold, " \
	"b.auto_pay, pm.kind AS pm_kind, pm.card_type, pm.card_last4, " \
	"lpad(pm.card_expiration_month::text, 2, '0') || '/' || " \
	"pm.card_expiration_year AS card_expires, " \
	"pm.card_expiration_year * 12 + pm.card_expiration_month < " \
	"extract(year FROM CURRENT_DATE)::int * 12 + " \
	"extract(month FROM CURRENT_DATE)::int AS card_expired, " \
	"r.status AS qsr_status, r.reconcile_on::text AS qsr_on, " \
	"coalesce(r.error_message, r.skip_reason) AS qsr_error, " \
	"(SELECT min(n.reconcile_on)::text FROM reconciliations n WHERE " \
	"n.zuora_subscription_id = s.id AND n.reconcile_on > CURRENT_DATE) " \
	"AS qsr_next, (s.term_end_date + 21)::text AS ext_ends_on, " \
	ELIG_EXT_COLUMNS \
	"FROM zuora_subscriptions s " \
	"JOIN billing_accounts b ON b.id = s.billing_account_id " \
	"LEFT JOIN billing_account_contacts st ON " \
	"st.id = b.sold_to_contact_id " \
	"LEFT JOIN payment_methods pm ON pm.billing_account_id = b.id AND " \
	"pm.is_default " \
	"LEFT JOIN LATERAL (SELECT l.status, l.reconcile_on, " \
	"l.error_message, l.skip_reason FROM reconciliations l WHERE " \
	"l.zuora_subscription_id = s.id AND l.reconcile_on <= CURRENT_DATE " \
	"ORDER BY l.reconcile_on DESC, l.id DESC LIMIT 1) r ON true " \
	"WHERE s.id = $1::bigint"

/* The Zuora account settings that exclude from auto-renewal and QSR. */
static const struct {
	const char	*column;
	const char	*label;
	const char	*field;
	const char	*guide;
} account_settings[] = {
	{ "po_required", "PO not required", "PO required",
	    "Account.PO Required = Yes (customer notifies GitLab they have a "
	    "\"no PO, no Pay policy\", booking requirement and pre-billing)" },
	{ "portal_required", "Portal not required", "Portal required",
	    "Account.Portal Required = Yes (customer notifies GitLab that "
	    "they require invoices to be manually uploaded to a billing "
	    "portal)" },
	{ "support_hold", "Not on support hold", "Support hold",
	    "Account.Support Hold = Yes (customers are placed on support hold "
	    "when accounts become >90 days past due without payment "
	    "commitment)" },
	{ "credit_hold", "Not on credit hold", "Credit hold",
	    "Account.Credit Hold = Yes (customers are placed on credit hold "
	    "when any balance is written off to bad debt)" },
	{ NULL, NULL, NULL, NULL }
};

#define GUIDE_EXCLUDED	"Accounts and Subscriptions excluded from " \
			"auto-renewal: "
#define GUIDE_NOT_ATTEMPTED "We will not attempt to auto-renew if: "

static int	 is_true(PGresult *, const char *);
static const char *yes_no(PGresult *, const char *);
static int	 rule(json_t *, const char *, const char *, const char *,
		    int, const char *);
static int	 account_rules(PGresult *, json_t *, const char *);
static int	 channel_rule(PGresult *, json_t *, const char *);
static int	 program_rule(PGresult *, json_t *, const char *);
static int	 qsr_failed_rule(PGresult *, json_t *);
static int	 card_rule(PGresult *, json_t *);
static int	 term_rule(PGresult *, json_t *);
static json_t	*section(const char *, const char *, const char *,
		    json_t *);
static void	 section_answer(json_t *, int, const char *);
static json_t	*auto_renewal_section(PGresult *);
static json_t	*qsr_section(PGresult *);
static json_t	*extension_section(PGresult *);
static int	 country_listed(const char *, const char *);
static void	 refresh_values(json_t *, const char **, char *, size_t,
		    int *);

static int
is_true(PGresult *res, const char *column)
{
	return (strcmp(DB_COL(res, 0, column), "t") == 0);
}

static const char *
yes_no(PGresult *res, const char *column)
{
	return (is_true(res, column) ? "Yes" : "No");
}

/* Append a rule; returns 1 when it fails, for counting. */
static int
rule(json_t *rules, const char *name, const char *label, const char *guide,
    int verdict, const char *data)
{
	static const char	*names[] = {
		"pass", "fail", "not_applicable"
	};
	static const char	*labels[] = {
		"Pass", "Fail", "Not applicable"
	};

	json_array_append_new(rules, json_pack("{s:s, s:s, s:s, s:s, s:s, "
	    "s:s}", "name", name, "rule", label, "guide", guide, "verdict",
	    names[verdict], "verdict_label", labels[verdict], "data", data));

	return (verdict == ELIG_FAIL);
}

/* PO required, Portal required, Support hold, Credit hold. */
static int
account_rules(PGresult *res, json_t *rules, const char *prefix)
{
	char	guide[ELIG_DATA_MAX], data[ELIG_DATA_MAX];
	int	i, failed;

	failed = 0;
	for (i = 0; account_settings[i].column != NULL; i++) {
		(void)snprintf(guide, sizeof(guide), "%s%s", prefix,
		    account_settings[i].guide);
		(void)snprintf(data, sizeof(data), "%s: %s",
		    account_settings[i].field,
		    yes_no(res, account_settings[i].column));
		failed += rule(rules, account_settings[i].column,
		    account_settings[i].label, guide,
		    is_true(res, account_settings[i].column) ? ELIG_FAIL :
		    ELIG_PASS, data);
	}

	return (failed);
}

/* Bought directly, or through a reseller or channel partner. */
static int
channel_rule(PGresult *res, json_t *rules, const char *guide)
{
	const char	*channel;
	char		 data[ELIG_DATA_MAX];

	channel = DB_COL(res, 0, "sales_channel");
	if (strcmp(channel, "direct") == 0) {
		(void)snprintf(data, sizeof(data), "Bought directly from "
		    "GitLab");
	} else {
		(void)snprintf(data, sizeof(data), "Bought through a %s: %s",
		    strcmp(channel, "reseller") == 0 ? "reseller" :
		    "channel partner", DB_NULL(res, 0, "partner_name") ?
		    "name not recorded" : DB_COL(res, 0, "partner_name"));
	}

	return (rule(rules, "sales_channel", "Bought directly from GitLab",
	    guide, strcmp(channel, "direct") == 0 ? ELIG_PASS : ELIG_FAIL,
	    data));
}

/* Education, Open Source or Startups. */
static int
program_rule(PGresult *res, json_t *rules, const char *guide)
{
	const char	*program, *label;
	char		 data[ELIG_DATA_MAX];

	program = DB_COL(res, 0, "community_program");
	if (strcmp(program, "education") == 0)
		label = "GitLab for Education";
	else if (strcmp(program, "open_source") == 0)
		label = "GitLab for Open Source";
	else if (strcmp(program, "startups") == 0)
		label = "GitLab for Startups";
	else
		label = "None";
	(void)snprintf(data, sizeof(data), "Community program: %s", label);

	return (rule(rules, "community_program", "Not a community program",
	    guide, strcmp(program, "none") == 0 ? ELIG_PASS : ELIG_FAIL,
	    data));
}

/* On QSR, but the last reconciliation failed and seats are owed. */
static int
qsr_failed_rule(PGresult *res, json_t *rules)
{
	char	data[ELIG_DATA_MAX];
	int	verdict;

	if (!is_true(res, "qsr_enrolled")) {
		verdict = ELIG_NA;
		(void)snprintf(data, sizeof(data), "Not on QSR");
	} else if (DB_NULL(res, 0, "qsr_status")) {
		verdict = ELIG_PASS;
		(void)snprintf(data, sizeof(data), "No reconciliation yet; "
		    "%s owed seats", DB_COL(res, 0, "seats_owed"));
	} else {
		verdict = strcmp(DB_COL(res, 0, "qsr_status"), "failed") == 0 &&
		    strcmp(DB_COL(res, 0, "seats_owed"), "0") != 0 ?
		    ELIG_FAIL : ELIG_PASS;
		(void)snprintf(data, sizeof(data), "Last reconciliation %s "
		    "(%s); %s owed seats (%s used, %s in the subscription)",
		    DB_COL(res, 0, "qsr_status"), DB_COL(res, 0, "qsr_on"),
		    DB_COL(res, 0, "seats_owed"),
		    DB_COL(res, 0, "max_seats_used"), DB_COL(res, 0, "seats"));
	}

	return (rule(rules, "qsr_failed_overage", "QSR did not fail with "
	    "an overage", GUIDE_NOT_ATTEMPTED "Customer is on QSR, but QSR "
	    "failed and there's overage", verdict, data));
}

/* Auto-Pay = Yes: the default card must not have expired. */
static int
card_rule(PGresult *res, json_t *rules)
{
	char	data[ELIG_DATA_MAX];
	int	verdict;

	if (!is_true(res, "auto_pay")) {
		verdict = ELIG_NA;
		(void)snprintf(data, sizeof(data), "Auto-Pay = No: an invoice "
		    "is sent instead");
	} else if (strcmp(DB_COL(res, 0, "pm_kind"), "credit_card") != 0) {
		verdict = ELIG_NA;
		(void)snprintf(data, sizeof(data), "Auto-Pay = Yes; the "
		    "default payment method is %s",
		    DB_NULL(res, 0, "pm_kind") ? "not set" : "ACH");
	} else {
		verdict = is_true(res, "card_expired") ? ELIG_FAIL : ELIG_PASS;
		(void)snprintf(data, sizeof(data), "Auto-Pay = Yes; default "
		    "card %s ending in %s %s %s", DB_COL(res, 0, "card_type"),
		    DB_COL(res, 0, "card_last4"), verdict == ELIG_FAIL ?
		    "expired" : "expires", DB_COL(res, 0, "card_expires"));
	}

	return (rule(rules, "card_expired", "Credit card not expired",
	    GUIDE_NOT_ATTEMPTED "Customer's credit card is expired (if "
	    "billing account has Auto-Pay = Yes)", verdict, data));
}

/* A 12-month term: one year from the start date (365 or 366 days). */
static int
term_rule(PGresult *res, json_t *rules)
{
	const char	*days;
	char		 data[ELIG_DATA_MAX];
	int		 twelve;

	days = DB_COL(res, 0, "term_days");
	twelve = strcmp(days, "365") == 0 || strcmp(days, "366") == 0;
	(void)snprintf(data, sizeof(data), "%s months (%s days, %s to %s)",
	    twelve ? "12" : DB_COL(res, 0, "term_months"), days,
	    DB_COL(res, 0, "term_start"), DB_COL(res, 0, "term_end"));

	return (rule(rules, "term", "12-month term", GUIDE_EXCLUDED
	    "Subscriptions with non-standard term (not a 12-month term); "
	    "multi-year deals have no auto-renewal", twelve ? ELIG_PASS :
	    ELIG_FAIL, data));
}

static json_t *
section(const char *key, const char *title, const char *question,
    json_t *rules)
{
	return (json_pack("{s:s, s:s, s:s, s:o}", "key", key, "title", title,
	    "question", question, "rules", rules));
}

/* Set a section's verdict and answer. */
static void
section_answer(json_t *s, int yes, const char *answer)
{
	json_object_set_new(s, "verdict", json_string(yes ? "yes" : "no"));
	json_object_set_new(s, "answer", json_string(answer));
}

static json_t *
auto_renewal_section(PGresult *res)
{
	json_t		*rules, *s;
	char		 data[ELIG_DATA_MAX], answer[ELIG_DATA_MAX];
	int		 failed, sm;

	rules = json_array();
	sm = strcmp(DB_COL(res, 0, "deployment_type"), "sm") == 0;
	(void)snprintf(data, sizeof(data), "Status: %s",
	    DB_COL(res, 0, "status"));
	failed = rule(rules, "active", "Subscription is active", "Only an "
	    "active subscription renews at the end of its term",
	    strcmp(DB_COL(res, 0, "status"), "active") == 0 ? ELIG_PASS :
	    ELIG_FAIL, data);
	failed += rule(rules, "auto_renew", "Auto-renew is on", "By default, "
	    "subscriptions are set to auto-renew; the customer may turn it "
	    "off (Subscription.TurnOnAutoRenew__c)", is_true(res,
	    "auto_renew") ? ELIG_PASS : ELIG_FAIL, is_true(res, "auto_renew") ?
	    "Auto renew: On" : "Auto renew: Off");
	(void)snprintf(data, sizeof(data), "%s; cloud licensing: %s",
	    sm ? "Self-Managed" : "GitLab.com (SaaS)",
	    yes_no(res, "cloud_licensing"));
	failed += rule(rules, "cloud_licensing", "On Cloud Licensing "
	    "(Self-Managed)", GUIDE_NOT_ATTEMPTED "Self-Managed customer is "
	    "not on Cloud Licensing", !sm ? ELIG_NA : is_true(res,
	    "cloud_licensing") ? ELIG_PASS : ELIG_FAIL, data);
	failed += rule(rules, "qsr_enrolled", "On QSR", GUIDE_NOT_ATTEMPTED
	    "Customer is not on QSR", is_true(res, "qsr_enrolled") ?
	    ELIG_PASS : ELIG_FAIL, is_true(res, "qsr_enrolled") ?
	    "Enrolled in QSR" : "Not enrolled in QSR");
	failed += qsr_failed_rule(res, rules);
	failed += card_rule(res, rules);
	failed += channel_rule(res, rules, GUIDE_EXCLUDED "Subscriptions "
	    "purchased through a Reseller or another Channel partner (where "
	    "the customer didn't transact with GitLab directly)");
	failed += program_rule(res, rules, GUIDE_EXCLUDED "Subscriptions for "
	    "Education, OSS, or Startup (Community Programs)");
	failed += term_rule(res, rules);
	(void)snprintf(data, sizeof(data), "Product: %s",
	    DB_NULL(res, 0, "product_name") ? "not recorded" :
	    DB_COL(res, 0, "product_name"));
	failed += rule(rules, "enterprise_agile_planning", "No Enterprise "
	    "Agile Planning product", GUIDE_EXCLUDED "Subscriptions with an "
	    "Enterprise Agile Planning product", is_true(res,
	    "enterprise_agile_planning") ? ELIG_FAIL : ELIG_PASS, data);
	failed += account_rules(res, rules, GUIDE_EXCLUDED);

	if (failed == 0)
		(void)snprintf(answer, sizeof(answer), "Yes: auto-renewal "
		    "will be attempted on %s.", DB_COL(res, 0, "term_end"));
	else
		(void)snprintf(answer, sizeof(answer), "No: auto-renewal will "
		    "not be attempted (%d rule%s fail%s).", failed,
		    failed == 1 ? "" : "s", failed == 1 ? "s" : "");
	s = section("auto_renewal", "Auto-renewal", "Will auto-renewal be "
	    "attempted at the end of the term?", rules);
	section_answer(s, failed == 0, answer);

	return (s);
}

static json_t *
qsr_section(PGresult *res)
{
	json_t		*rules, *s;
	char		 data[ELIG_DATA_MAX];
	const char	*status, *answer;
	int		 failed, enrolled;

	rules = json_array();
	enrolled = is_true(res, "qsr_enrolled");
	rule(rules, "qsr_enrolled", "Enrolled in QSR", "A new or renewed "
	    "subscription is opted into Quarterly Reconciliation "
	    "(Subscription.TurnOnSeatReconciliation__c = Yes)", enrolled ?
	    ELIG_PASS : ELIG_FAIL, enrolled ? "TurnOnSeatReconciliation__c: "
	    "Yes" : "TurnOnSeatReconciliation__c: No");
	failed = account_rules(res, rules, "We exclude from QSRs any "
	    "subscription where the Account has: ");
	failed += channel_rule(res, rules, "Feature availability: customers "
	    "purchasing through a GitLab Reseller or other Channel/Alliance "
	    "Partner have no Quarterly Subscription Reconciliation");
	failed += program_rule(res, rules, "Feature availability: GitLab for "
	    "Education, Open Source and Startups customers have no Quarterly "
	    "Subscription Reconciliation");

	status = DB_COL(res, 0, "qsr_status");
	if (DB_NULL(res, 0, "qsr_status"))
		(void)snprintf(data, sizeof(data), "None yet");
	else
		(void)snprintf(data, sizeof(data), "%c%s on %s%s%s",
		    status[0] - 'a' + 'A', status + 1,
		    DB_COL(res, 0, "qsr_on"), DB_NULL(res, 0, "qsr_error") ?
		    "" : ": ", DB_COL(res, 0, "qsr_error"));
	if (!DB_NULL(res, 0, "qsr_next"))
		(void)snprintf(data + strlen(data), sizeof(data) -
		    strlen(data), "; next on %s", DB_COL(res, 0, "qsr_next"));
	rule(rules, "last_reconciliation", "Last reconciliation", "The "
	    "Reconciliations list shows each reconciliation's status; a "
	    "failed one is not reconciled until it is processed again",
	    DB_NULL(res, 0, "qsr_status") ? ELIG_NA : strcmp(status,
	    "failed") == 0 ? ELIG_FAIL : ELIG_PASS, data);

	if (enrolled && failed == 0)
		answer = "Yes: enrolled in QSR and eligible.";
	else if (enrolled)
		answer = "Enrolled in QSR, but not eligible: the Zuora "
		    "Workflow turns TurnOnSeatReconciliation__c off.";
	else if (failed == 0)
		answer = "No: not enrolled in QSR, though eligible.";
	else
		answer = "No: not enrolled in QSR, and not eligible.";
	s = section("qsr", "Quarterly Subscription Reconciliation (QSR)",
	    "Is it enrolled in QSR, and eligible?", rules);
	section_answer(s, enrolled && failed == 0, answer);

	return (s);
}

static json_t *
extension_section(PGresult *res)
{
	static const char	*guide[ELIG_EXT_NCHECKS] = {
		"Extension can be generated 1-15 days before subscription "
		    "end date or 1-13 days after subscription end date",
		"There can only be one 21-day temporary extension per "
		    "renewal",
		"There is an existing temporary extension for the renewal, "
		    "which hasn't started yet",
		"Billing team has identified this account as having bad "
		    "debt (Support hold or Credit hold on the Zuora Billing "
		    "Account)",
		"Customers with the SoldTo address in a trade restricted "
		    "country are not eligible for a temporary extension"
	};
	static const char	*label[ELIG_EXT_NCHECKS] = {
		"Within the request window",
		"No extension in this renewal term",
		"No upcoming extension",
		"No bad debt",
		"Sold_To country not trade restricted"
	};
	struct elig_ext_check	 c[ELIG_EXT_NCHECKS];
	json_t			*rules, *s;
	char			 answer[ELIG_DATA_MAX], data[64];
	int			 first, i, cancelled;

	rules = json_array();
	cancelled = strcmp(DB_COL(res, 0, "status"), "cancelled") == 0;
	(void)snprintf(data, sizeof(data), "Status: %s",
	    DB_COL(res, 0, "status"));
	rule(rules, "subscription_cancelled", "Subscription not cancelled",
	    "A cancelled subscription cannot be extended", cancelled ?
	    ELIG_FAIL : ELIG_PASS, data);
	first = elig_ext_checks(res, 0, app_cfg.trade_restricted_countries,
	    c);
	for (i = 0; i < ELIG_EXT_NCHECKS; i++) {
		rule(rules, c[i].name, label[i], guide[i], c[i].verdict,
		    c[i].data);
		if (c[i].verdict == ELIG_FAIL)
			json_object_set_new(json_array_get(rules,
			    json_array_size(rules) - 1), "message",
			    json_string(c[i].message));
	}

	if (cancelled)
		(void)snprintf(answer, sizeof(answer), "No: Subscription is "
		    "cancelled");
	else if (first >= 0)
		(void)snprintf(answer, sizeof(answer), "No: %s",
		    c[first].message);
	else
		(void)snprintf(answer, sizeof(answer), "Yes: a temporary "
		    "extension can be requested today; it would end on %s.",
		    DB_COL(res, 0, "ext_ends_on"));
	s = section("temporary_extension", "Temporary renewal extension",
	    "Could a temporary extension be requested today?", rules);
	section_answer(s, !cancelled && first < 0, answer);

	return (s);
}

/* Is the two-letter code cc one of list ("CU IR KP")? */
static int
country_listed(const char *list, const char *cc)
{
	const char	*p;

	if (list == NULL || strlen(cc) != 2)
		return (0);
	for (p = list; *p != '\0'; p++) {
		if ((p == list || p[-1] == ' ') && strncmp(p, cc, 2) == 0 &&
		    (p[2] == ' ' || p[2] == '\0'))
			return (1);
	}

	return (0);
}

/*
 * The temporary extension guardrails for row i of a result that selected
 * ELIG_EXT_COLUMNS, in the service's order; restricted is
 * app_cfg.trade_restricted_countries.  Every check gets its verdict and
 * data; a failed one the service's refusal.  Returns the index of the
 * first that fails (the one the service refuses with), or -1.
 */
int
elig_ext_checks(PGresult *res, int i, const char *restricted,
    struct elig_ext_check c[ELIG_EXT_NCHECKS])
{
	const char	*today, *term_end, *v;
	int		 k, first;

	memset(c, 0, sizeof(*c) * ELIG_EXT_NCHECKS);
	today = DB_COL(res, i, "ext_today");
	term_end = DB_COL(res, i, "ext_term_end");
	c[0].code = EXT_OUTSIDE_WINDOW;
	c[0].verdict = strcmp(today, DB_COL(res, i, "ext_window_opens")) >=
	    0 && strcmp(today, DB_COL(res, i, "ext_window_closes")) <= 0 ?
	    ELIG_PASS : ELIG_FAIL;
	(void)snprintf(c[0].data, sizeof(c[0].data), "From %s to %s (the "
	    "term ends %s); today is %s", DB_COL(res, i, "ext_window_opens"),
	    DB_COL(res, i, "ext_window_closes"), term_end, today);
	(void)kore_strlcpy(c[0].message, ELIG_MSG_WINDOW,
	    sizeof(c[0].message));

	c[1].code = EXT_ALREADY_EXTENDED;
	c[1].verdict = DB_NULL(res, i, "ext_availed_on") ? ELIG_PASS :
	    ELIG_FAIL;
	(void)snprintf(c[1].data, sizeof(c[1].data), c[1].verdict ==
	    ELIG_PASS ? "None for the renewal term starting %s%s" :
	    "The extension for the renewal term starting %s started on %s",
	    term_end, DB_COL(res, i, "ext_availed_on"));
	(void)kore_strlcpy(c[1].message, ELIG_MSG_AVAILED,
	    sizeof(c[1].message));

	c[2].code = EXT_UPCOMING;
	v = DB_COL(res, i, "ext_upcoming_on");
	c[2].verdict = DB_NULL(res, i, "ext_upcoming_on") ? ELIG_PASS :
	    ELIG_FAIL;
	(void)snprintf(c[2].data, sizeof(c[2].data), c[2].verdict ==
	    ELIG_PASS ? "None starts after today%s" : "One starts on %s", v);
	if (c[2].verdict == ELIG_FAIL)
		(void)snprintf(c[2].message, sizeof(c[2].message),
		    ELIG_MSG_UPCOMING "%s", v);

	c[3].code = EXT_BAD_DEBT;
	c[3].verdict = strcmp(DB_COL(res, i, "ext_support_hold"), "t") == 0 ||
	    strcmp(DB_COL(res, i, "ext_credit_hold"), "t") == 0 ?
	    ELIG_FAIL : ELIG_PASS;
	(void)snprintf(c[3].data, sizeof(c[3].data), "Support hold: %s; "
	    "Credit hold: %s", strcmp(DB_COL(res, i, "ext_support_hold"),
	    "t") == 0 ? "Yes" : "No", strcmp(DB_COL(res, i,
	    "ext_credit_hold"), "t") == 0 ? "Yes" : "No");
	(void)kore_strlcpy(c[3].message, ELIG_MSG_BAD_DEBT,
	    sizeof(c[3].message));

	c[4].code = EXT_TRADE_RESTRICTED;
	v = DB_COL(res, i, "ext_sold_to_country");
	c[4].verdict = country_listed(restricted, v) ? ELIG_FAIL : ELIG_PASS;
	(void)snprintf(c[4].data, sizeof(c[4].data), "Sold_To country: %s%s%s",
	    *v != '\0' ? v : "not recorded", c[4].verdict == ELIG_FAIL ?
	    "; trade restricted: " : "", c[4].verdict == ELIG_FAIL ?
	    restricted : "");
	(void)kore_strlcpy(c[4].message, ELIG_MSG_RESTRICTED,
	    sizeof(c[4].message));

	first = -1;
	for (k = 0; k < ELIG_EXT_NCHECKS; k++) {
		c[k].name = extension_code(c[k].code);
		if (c[k].verdict == ELIG_FAIL && first == -1)
			first = k;
	}

	return (first);
}

/* A subscription's eligibility (a new reference), or NULL if none. */
json_t *
eligibility_json(struct app_req *ctx, const char *id)
{
	PGresult	*res;
	json_t		*e;
	const char	*params[1];

	params[0] = id;
	if ((res = db_exec(ctx, ELIG_SQL, 1, params)) == NULL)
		return (json_pack("{s:s}", "unavailable", "The database did "
		    "not answer, so eligibility cannot be shown. Reload the "
		    "page in a moment."));
	e = NULL;
	if (PQntuples(res) == 1) {
		e = json_pack("{s:s, s:[o, o, o]}", "as_of",
		    DB_COL(res, 0, "ext_today"), "sections",
		    auto_renewal_section(res), qsr_section(res),
		    extension_section(res));
	}
	PQclear(res);

	return (e);
}

/*
 * The subscription page: its temporary extension badge and panel
 * (support/extension.c), and its eligibility.
 */
void
eligibility_show_extras(struct app_req *ctx, const char *id, json_t *view)
{
	json_t	*e;

	if ((e = eligibility_json(ctx, id)) != NULL)
		json_object_set_new(view, "eligibility", e);
}

/*
 * What Zuora's "List subscriptions by account key" says of one
 * subscription (sub): its sales channel, partner and community program
 * (vals[0..2]), its first product's name (product, "" for none) and
 * whether any rate plan is an Enterprise Agile Planning product.
 */
static void
refresh_values(json_t *sub, const char **vals, char *product, size_t len,
    int *eap)
{
	const char	*owner, *account, *channel, *program, *name;
	json_t		*plan;
	size_t		 i;

	account = json_string_value(json_object_get(sub, "accountId"));
	owner = json_string_value(json_object_get(sub,
	    "invoiceOwnerAccountId"));
	channel = json_string_value(json_object_get(sub, "ChannelType__c"));
	program = json_string_value(json_object_get(sub,
	    "CommunityProgram__c"));
	if (owner == NULL || account == NULL || strcmp(owner, account) == 0) {
		vals[0] = "direct";
		vals[1] = NULL;
	} else {
		vals[0] = channel != NULL && (strcasecmp(channel,
		    "Channel Partner") == 0 || strcasecmp(channel,
		    "Alliance Partner") == 0) ? "channel_partner" : "reseller";
		vals[1] = json_string_value(json_object_get(sub,
		    "invoiceOwnerAccountName"));
	}
	vals[2] = program == NULL ? "none" : strcasecmp(program,
	    "Education") == 0 ? "education" : strcasecmp(program,
	    "Open Source") == 0 ? "open_source" : strcasecmp(program,
	    "Startups") == 0 ? "startups" : "none";

	product[0] = '\0';
	*eap = 0;
	json_array_foreach(json_object_get(sub, "ratePlans"), i, plan) {
		if ((name = json_string_value(json_object_get(plan,
		    "productName"))) == NULL || *name == '\0')
			continue;
		if (product[0] == '\0')
			(void)kore_strlcpy(product, name, len);
		if (strstr(name, "Enterprise Agile Planning") != NULL)
			*eap = 1;
	}
}

/*
 * Refresh from Zuora, in the caller's transaction: the eligibility
 * columns (migration 021) of the billing account's subscriptions, from
 * Zuora's "List subscriptions by account key" answer.  Returns how many
 * subscriptions changed, or -1 (the database refused; roll back).
 */
int
elig_refresh_subscriptions(struct write_txn *w, const char *account,
    json_t *answer)
{
	json_t		*sub;
	const char	*params[7], *zid;
	char		 product[256];
	size_t		 i;
	long		 n, changed;
	int		 eap;

	changed = 0;
	json_array_foreach(json_object_get(answer, "subscriptions"), i, sub) {
		zid = json_string_value(json_object_get(sub, "id"));
		if (zid == NULL || !zuora_id_valid(zid))
			continue;
		refresh_values(sub, params + 2, product, sizeof(product),
		    &eap);
		params[0] = zid;
		params[1] = account;
		params[5] = product[0] != '\0' ? product : NULL;
		params[6] = eap ? "true" : "false";
		n = write_exec_count(w, "UPDATE zuora_subscriptions SET "
		    "sales_channel = $3, partner_name = $4, "
		    "community_program = $5, product_name = $6, "
		    "enterprise_agile_planning = $7::boolean "
		    "WHERE zuora_subscription_id = $1 AND "
		    "billing_account_id = $2::bigint AND (sales_channel, "
		    "partner_name, community_program, product_name, "
		    "enterprise_agile_planning) IS DISTINCT FROM ($3, $4, $5, "
		    "$6, $7::boolean)", 7, params);
		if (n < 0)
			return (-1);
		changed += n;
	}

	return ((int)changed);
}

/* The name of an extension outcome (the API's error codes, the log). */
const char *
extension_code(int code)
{
	switch (code) {
	case EXT_OK:
		return ("created");
	case EXT_NOT_FOUND:
		return ("not_found");
	case EXT_BAD_REQUEST:
		return ("bad_request");
	case EXT_OUTSIDE_WINDOW:
		return ("outside_window");
	case EXT_ALREADY_EXTENDED:
		return ("already_extended");
	case EXT_UPCOMING:
		return ("upcoming_extension");
	case EXT_BAD_DEBT:
		return ("bad_debt");
	case EXT_TRADE_RESTRICTED:
		return ("trade_restricted");
	case EXT_CANCELLED:
		return ("subscription_cancelled");
	case EXT_NOT_CONFIGURED:
		return ("not_configured");
	default:
		return ("unavailable");
	}
}
