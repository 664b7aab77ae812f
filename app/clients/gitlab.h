/*
 * A client for GitLab's subscriptions internal API, through which
 * CustomersDot provisions GitLab.com:
 *
 *	GET /api/v4/internal/gitlab_subscriptions/namespaces/:id
 *	PUT /api/v4/internal/gitlab_subscriptions/namespaces/:id
 *	    extra_shared_runners_minutes_limit,
 *	    additional_purchased_storage_size (MiB) and _ends_on,
 *	    gitlab_subscription_attributes {plan_code, seats, start_date,
 *	    end_date, auto_renew, trial, trial_starts_on, trial_ends_on}
 *	GET, PUT .../namespaces/:id/gitlab_subscription	(max_seats_used)
 *
 * Each request carries a short-lived JWT in X-CUSTOMERS-DOT-INTERNAL-TOKEN
 * as GitLab verifies it (ee/lib/gitlab_subscriptions/api/internal/
 * auth.rb): RS256 with a "kid" that GitLab finds in the JWKS it reads
 * from the issuer's /.well-known/openid-configuration; claims iss (that
 * document's issuer: base_url with a slash), sub customers-dot-internal-
 * api, aud gitlab-subscriptions, and exp five minutes on.  The panel
 * serves that document and the JWKS (gitlab_jwks()).  Signing is cjose's.
 *
 * No Kore dependency, only malloc(3) memory: the outbox worker delivers
 * with it, the panel reads a namespace with it from a Kore task.
 */

#ifndef CDOT_GITLAB_H
#define CDOT_GITLAB_H

#include <jansson.h>

#define GITLAB_ERRLEN		512
#define GITLAB_KID_MAX		64
#define GITLAB_API_PREFIX	"/api/v4/internal/gitlab_subscriptions"
#define GITLAB_JWT_SUB		"customers-dot-internal-api"
#define GITLAB_JWT_AUD		"gitlab-subscriptions"
#define GITLAB_JWT_TTL		300

/* The signing key: cjose's JWK and its RFC 7638 thumbprint as kid. */
struct gitlab_key {
	void		*jwk;
	char		 kid[GITLAB_KID_MAX];
};

/* What a call needs; strings are borrowed. */
struct gitlab_cfg {
	const char		*base_url;
	const char		*issuer;
	const struct gitlab_key	*key;
	long			 timeout;	/* seconds */
};

/* How a call ended. */
#define GITLAB_OK		0	/* 2xx */
#define GITLAB_RETRY		1	/* no answer, 5xx, 408, 429 */
#define GITLAB_NOT_FOUND	2	/* 404 */
#define GITLAB_REFUSED		3	/* another 4xx, or not configured */

struct gitlab_result {
	int		 outcome;
	long		 status;	/* HTTP status, 0 without an answer */
	long		 retry_after;	/* seconds (429, 503), or -1 */
	json_t		*body;		/* the parsed answer, or NULL */
	char		 error[GITLAB_ERRLEN];	/* GitLab's message */
};

int	 gitlab_key_load(const char *, struct gitlab_key *, char *, size_t);
void	 gitlab_key_free(struct gitlab_key *);
char	*gitlab_jwt(const struct gitlab_key *, const char *, long);
json_t	*gitlab_jwks(const struct gitlab_key *);
int	 gitlab_call(const struct gitlab_cfg *, const char *, const char *,
	    json_t *, struct gitlab_result *);
void	 gitlab_result_clear(struct gitlab_result *);

#endif
