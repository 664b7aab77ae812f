/*
 * Application settings: conf/app.conf, one "key value" per line, with
 * environment overrides (CDOT_<KEY> in upper case) so that secrets and the
 * database connection string need not live in a file.
 *
 * The parser is table-driven and has no Kore dependency so that it can be
 * unit-tested; a missing, unknown or malformed setting is an error that
 * names the setting (and the line, when it came from the file).
 */

#ifndef CDOT_CONFIG_H
#define CDOT_CONFIG_H

#include <stddef.h>

#define CONFIG_ERRLEN		512
#define CONFIG_GROUPS_MAX	32

/* Roles add up: a person's roles are the OR of their groups' roles. */
#define ROLE_READ_ONLY		0x01
#define ROLE_EDITOR		0x02
#define ROLE_SUPPORT_ADMIN	0x04

struct config_group {
	char		*name;
	int		 roles;
};

struct app_config {
	char			*database_url;
	char			*base_url;
	char			*oidc_issuer;
	char			*oidc_client_id;
	char			*oidc_client_secret;
	char			*session_secret;
	long			 session_lifetime;
	long			 session_idle;
	long			 db_statement_timeout_ms;
	char			*portal_base_url;
	char			*version_base_url;
	char			*trusted_proxy;
	char			*oidc_scopes;
	long			 oidc_http_timeout;

	/* Editing (issue 6): Zuora, the customers portal, the outbox. */
	char			*zuora_base_url;
	char			*zuora_client_id;
	char			*zuora_client_secret;
	long			 zuora_http_timeout;
	char			*portal_service_token;
	long			 impersonation_ttl;
	long			 one_time_sign_in_ttl;
	long			 outbox_poll_ms;
	long			 outbox_backoff_ms;

	/*
	 * Support (issue 7): the sales system's API token, the countries
	 * refused a temporary extension, the key pair that signs licenses,
	 * and e-mail (delivered over SMTP by the outbox worker).
	 */
	char			*sales_service_token;
	char			*trade_restricted_countries;
	char			*license_private_key;
	char			*license_public_key;
	char			*smtp_url;
	char			*mail_from;
	long			 smtp_timeout;

	/*
	 * GitLab.com's subscriptions internal API: where, the key that
	 * signs its tokens (a PEM file, or the PEM text), and seconds for
	 * each call.
	 */
	char			*gitlab_base_url;
	char			*gitlab_jwt_key;
	long			 gitlab_http_timeout;

	/*
	 * Several instances: the addresses that may read /metrics, a token
	 * that may too (Authorization: Bearer), and this instance's name in
	 * the metrics (its host name when empty).
	 */
	char			*metrics_allow;
	char			*metrics_token;
	char			*instance_name;

	/*
	 * Reads of lists, searches, history and exports go to
	 * database_read_url (a standby; empty: the primary) while it is no
	 * more than replica_max_lag seconds behind.  SIGTERM lets requests
	 * in flight finish for up to shutdown_grace seconds.
	 */
	char			*database_read_url;
	long			 replica_max_lag;
	long			 shutdown_grace;

	/*
	 * A CSV export ends when its reader takes nothing for
	 * export_idle_timeout seconds or after export_max_time seconds in
	 * all; a person runs at most export_per_person at once (per
	 * worker, of its EXPORTS_MAX).
	 */
	long			 export_idle_timeout;
	long			 export_max_time;
	long			 export_per_person;

	struct config_group	 groups[CONFIG_GROUPS_MAX];
	size_t			 ngroups;
};

typedef const char	*(*config_getenv)(const char *);

int	config_load(struct app_config *, const char *path, config_getenv,
	    char *err, size_t errlen);
int	config_parse(struct app_config *, const char *src, const char *name,
	    config_getenv, char *err, size_t errlen);
void	config_free(struct app_config *);
int	config_role_parse(const char *);
const char *config_role_name(int);
int	config_roles_for_group(const struct app_config *, const char *);
char	*trim_space(char *);

#endif
