/*
 * A subscription's eligibility, explained rule by rule from the
 * Fulfillment Guide (issue 22): will auto-renewal be attempted at the
 * term's end, is it in (and eligible for) Quarterly Subscription
 * Reconciliation, and could a temporary renewal extension be requested
 * today.  support/eligibility.c; the subscription page's "Eligibility"
 * panel and its JSON.
 *
 * The temporary extension guardrails are one implementation shared with
 * the extension service (support/extension.c): a query that names the
 * subscription "s", its billing account "b" and the Sold_To contact "st"
 * selects ELIG_EXT_COLUMNS, and elig_ext_checks() turns that row into
 * every check's verdict, in the order the service applies them, with the
 * message the service refuses with.
 */

#ifndef CDOT_ELIGIBILITY_H
#define CDOT_ELIGIBILITY_H

#include "support/support.h"

#define ELIG_PASS		0
#define ELIG_FAIL		1
#define ELIG_NA			2	/* not applicable */

/* The service's refusals, word for word (the Guide's error table). */
#define ELIG_MSG_WINDOW \
	"Temporary extension can be requested 15 days prior to subscription " \
	"expiry up until 13 days after subscription expiry"
#define ELIG_MSG_AVAILED \
	"Subscription has already availed an extension in the current " \
	"renewal term"
#define ELIG_MSG_UPCOMING \
	"Subscription has an upcoming extension starting on "
#define ELIG_MSG_BAD_DEBT \
	"Customer account labeled as having bad debt"
#define ELIG_MSG_RESTRICTED \
	"Customer account belongs to a trade restricted country"

/*
 * What the guardrails look at, by name: the window (15 days before to 13
 * days after the term end date) and today as the database's CURRENT_DATE
 * (UTC); the start of an extension of the current renewal term that has
 * started; the first extension that has not started yet; the holds; the
 * Sold_To country.
 */
#define ELIG_EXT_COLUMNS \
	"s.term_end_date::text AS ext_term_end, " \
	"CURRENT_DATE::text AS ext_today, " \
	"(s.term_end_date - 15)::text AS ext_window_opens, " \
	"(s.term_end_date + 13)::text AS ext_window_closes, " \
	"(SELECT min(e.starts_on)::text FROM temporary_extensions e " \
	"WHERE e.zuora_subscription_id = s.id AND " \
	"e.renewal_term_start = s.term_end_date AND " \
	"e.starts_on <= CURRENT_DATE) AS ext_availed_on, " \
	"(SELECT min(e.starts_on)::text FROM temporary_extensions e " \
	"WHERE e.zuora_subscription_id = s.id AND " \
	"e.starts_on > CURRENT_DATE) AS ext_upcoming_on, " \
	"b.support_hold AS ext_support_hold, " \
	"b.credit_hold AS ext_credit_hold, " \
	"st.country AS ext_sold_to_country "

#define ELIG_EXT_NCHECKS	5

struct elig_ext_check {
	int		 code;		/* EXT_OUTSIDE_WINDOW ... */
	const char	*name;		/* extension_code(code) */
	int		 verdict;	/* ELIG_PASS or ELIG_FAIL */
	char		 data[192];	/* what the verdict rests on */
	/* The service's refusal, when the check fails. */
	char		 message[EXT_MSG_MAX];
};

int	 elig_ext_checks(PGresult *, int, const char *,
	    struct elig_ext_check [ELIG_EXT_NCHECKS]);

json_t	*eligibility_json(struct app_req *, const char *);
void	 eligibility_show_extras(struct app_req *, const char *, json_t *);
int	 elig_refresh_subscriptions(struct write_txn *, const char *,
	    json_t *);

#endif
