/*
 * The Support menu (support_admin only) and temporary renewal extensions
 * (issue 7):
 *
 *	support/lists.c		the menu's lists, described for the list
 *				engine (Trial changes, Trials for SM)
 *	support/trials.c	Trial changes (SaaS): edit, cancel
 *	support/sm_trials.c	Trials for SM: legacy trial licenses; the
 *				license page's file download and emails
 *	support/namespaces.c	Namespace controls (SaaS)
 *	support/extension.c	the temporary extension service: guardrails
 *				and creation, for both callers below
 *	api/extensions.c	the sales system's (SFDC's) API
 *	support/license.c	signed legacy licenses and their e-mail
 *	support/gitlab_sync.c	GitLab.com: the sync panel, retries, live
 *				lookups, Refresh from GitLab.com, the keys
 *				GitLab verifies our tokens with
 *	support/support.c	what the screens share: the ticket field, the
 *				transaction with actor and ticket, pages
 *
 * Every change is one transaction through db/write.h, with the person
 * (admin:<email>) or the API (api:sfdc) as actor and the Zendesk ticket
 * in cdot.ticket, so that history records both.
 */

#ifndef CDOT_SUPPORT_H
#define CDOT_SUPPORT_H

#include "admin/edit.h"

#define SUPPORT_TICKET_FIELD \
	{ .name = "zendesk_ticket", .label = "Zendesk ticket link", \
	    .type = FORM_ZENDESK, .flags = FORM_REQUIRED, .max = 128, \
	    .hint = "The ticket this change is for, " \
	    "https://<subdomain>.zendesk.com/agent/tickets/<number>; it is " \
	    "kept with the change in history." }

/* Row 0's column named like a member of dst, copied into it. */
#define SUPPORT_COPY(res, dst, member) \
	(void)kore_strlcpy((dst)->member, DB_COL((res), 0, #member), \
	    sizeof((dst)->member))

/* support/support.c */
json_t	*support_view(struct app_req *, const char *, const char *);
int	 support_render_form(struct http_request *, struct app_req *, int,
	    const char *, const char *, json_t *, struct form *,
	    const char *, const char *, const char *, const char *);
int	 support_conflict(struct http_request *, struct app_req *,
	    const char *, const char *, struct form *, struct form *,
	    const char *);
char	*support_urlencode(const char *);
json_t	*support_cell(const char *, const char *);
json_t	*support_dl(json_t *, const char *, const char *, const char *);
const char *support_query(struct app_req *, const char *);

/* support/trials.c */
int	 support_trials(struct http_request *, struct app_req *);
int	 support_trial_edit_form(struct http_request *, struct app_req *);
int	 support_trial_update(struct http_request *, struct app_req *);
int	 support_trial_cancel_form(struct http_request *, struct app_req *);
int	 support_trial_cancel(struct http_request *, struct app_req *);

/* support/sm_trials.c */
int	 support_sm_trials(struct http_request *, struct app_req *);
int	 support_sm_trial_new(struct http_request *, struct app_req *);
int	 support_sm_trial_create(struct http_request *, struct app_req *);
int	 license_download(struct http_request *, struct app_req *);
void	 license_show_extras(struct app_req *, const char *, json_t *);

/* support/namespaces.c */
int	 support_namespaces(struct http_request *, struct app_req *);
int	 support_namespace_action(struct http_request *, struct app_req *);

/* support/gitlab_sync.c */
int		 gitlab_keys_load(char *, size_t);
int		 gitlab_ready(void);
int		 page_gitlab_discovery(struct http_request *, struct app_req *);
int		 page_gitlab_jwks(struct http_request *, struct app_req *);
const char	*gitlab_queued_note(struct write_txn *);
void		 gitlab_sync_panel(struct app_req *, json_t *, const char *);
void		 namespace_show_extras(struct app_req *, const char *,
		    json_t *);
int		 gitlab_sync_retry(struct http_request *, struct app_req *);
int		 namespace_refresh_from_gitlab(struct http_request *,
		    struct app_req *);
void		 gitlab_lookup_start(struct http_request *, struct app_req *,
		    const char *);
json_t		*gitlab_lookup_result(void *, const char *, char *, size_t);
void		 gitlab_job_free(void *);
void		 gitlab_drift_add(json_t *, const char *, const char *,
		    json_t *, const char *);

/* support/license.c */
struct license_req {
	const char	*name;
	const char	*company;	/* or NULL */
	const char	*email;
	const char	*user_count;
	const char	*starts_at;	/* YYYY-MM-DD */
	const char	*expires_at;
	const char	*plan;		/* premium, ultimate */
	const char	*subscription;	/* our id, or NULL */
	const char	*zuora_subscription_id;	/* Zuora's, or NULL */
	const char	*subscription_name;	/* or NULL */
	int		 temporary_extension;
};

int	 license_keys_load(char *, size_t);
int	 license_signing_ready(void);
json_t	*license_read(const char *, int *, char *, size_t);
int	 license_issue(struct write_txn *, const struct license_req *,
	    char *, size_t, char **);
int	 mail_queue(struct write_txn *, const char *, const char *,
	    const char *, const char *, const char *);
int	 mail_queue_file(struct write_txn *, const char *, const char *,
	    const char *, const char *, const char *, const char *,
	    const char *);
#define LICENSE_FILENAME	"license-%s.gitlab-license"

/* support/extension.c */
#define EXT_OK			0
#define EXT_NOT_FOUND		1
#define EXT_BAD_REQUEST		2
#define EXT_OUTSIDE_WINDOW	3
#define EXT_ALREADY_EXTENDED	4
#define EXT_UPCOMING		5
#define EXT_BAD_DEBT		6
#define EXT_TRADE_RESTRICTED	7
#define EXT_CANCELLED		8
#define EXT_NOT_CONFIGURED	9
#define EXT_UNAVAILABLE		10

#define EXT_MSG_MAX		256

struct ext_request {
	/* The subscription: Zuora's id, or ours (zuora_subscriptions.id). */
	const char	*zuora_subscription_id;
	const char	*subscription;
	const char	*salesforce_opportunity_id;	/* or NULL */
	const char	*reason;
	const char	*notes;				/* or NULL */
	const char	*users;				/* or NULL */
	const char	*created_by;	/* "sfdc" or "admin:<email>" */
	const char	*via;		/* "api" or "support" (logs) */
	const char	*idempotency_key;		/* or NULL */
};

struct ext_result {
	int		 code;
	char		 message[EXT_MSG_MAX];
	char		 field[32];	/* EXT_BAD_REQUEST: which */
	char		 id[32];
	char		 zuora_subscription_id[40];
	char		 subscription_name[72];
	char		 deployment_type[8];
	char		 ends_on[16];
	char		 license_id[32];
	char		 namespace_id[32];
	/* As saved, for the answer: the term end it starts on (the renewal
	 * term's start), users ("" for none), when. */
	char		 renewal_term_start[16];
	char		 users[16];
	char		 created_at[32];
};

int		 extension_create(struct write_txn *,
		    const struct ext_request *, struct ext_result *);
const char	*extension_code(int);
int		 extension_http_status(int);
void		 extension_log(const char *, const char *,
		    const struct ext_request *, const struct ext_result *,
		    json_t *);
void		 extension_log_created(const struct ext_request *,
		    const struct ext_result *);
json_t		*extension_json(const struct ext_request *,
		    const struct ext_result *);
json_t		*extension_replay(struct app_req *, const struct ext_request *,
		    int *, char *, size_t);
void		 subscription_show_extras(struct app_req *, const char *,
		    json_t *);

/* api/extensions.c */
int	 api_temporary_extension_create(struct http_request *,
	    struct app_req *);

/* support/lists.c: Support's lists, listed in resources/registry.c. */
extern const struct resource	support_trials_list;
extern const struct resource	support_sm_trials_list;

#endif
