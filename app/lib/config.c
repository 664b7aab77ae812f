/*
 * Application settings parser.  See lib/config.h.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config.h"
#include "lib/validate.h"

#define CONFIG_FILE_MAX		(256 * 1024)
#define CONFIG_ENV_MAX		128

enum setting_type {
	SETTING_STRING,
	SETTING_URL,
	SETTING_SECRET,
	SETTING_TOKEN,		/* a secret of 32 characters or more */
	SETTING_SECONDS,
	SETTING_MS,
	SETTING_COUNT,		/* a whole number from 1 to 1000 */
};

struct setting {
	const char		*key;
	enum setting_type	 type;
	size_t			 offset;
	int			 required;
	const char		*fallback;
};

#define S(k, t, r, d)	{ #k, t, offsetof(struct app_config, k), r, d }

/*
 * Every setting the application knows.  A key in the file that is not here
 * is an error: a typo must not silently fall back to a default.
 */
static const struct setting settings[] = {
	S(database_url,		SETTING_SECRET,	1, NULL),
	S(base_url,		SETTING_URL,	1, NULL),
	S(oidc_issuer,		SETTING_URL,	1, NULL),
	S(oidc_client_id,	SETTING_STRING,	1, NULL),
	S(oidc_client_secret,	SETTING_SECRET,	1, NULL),
	S(session_secret,	SETTING_TOKEN,	1, NULL),
	S(session_lifetime,	SETTING_SECONDS, 0, "28800"),
	S(session_idle,		SETTING_SECONDS, 0, "1800"),
	S(db_statement_timeout_ms, SETTING_MS,	0, "10000"),
	S(portal_base_url,	SETTING_URL,	1, NULL),
	S(version_base_url,	SETTING_URL,	1, NULL),
	S(trusted_proxy,	SETTING_STRING,	0, ""),
	S(oidc_scopes,		SETTING_STRING,	0,
	    "openid email profile groups"),
	S(oidc_http_timeout,	SETTING_SECONDS, 0, "10"),
	/* Editing: Zuora's REST API, the customers portal, the outbox. */
	S(zuora_base_url,	SETTING_URL,	0, "https://rest.zuora.com"),
	S(zuora_client_id,	SETTING_STRING,	0, ""),
	S(zuora_client_secret,	SETTING_SECRET,	0, ""),
	S(zuora_http_timeout,	SETTING_SECONDS, 0, "10"),
	S(portal_service_token,	SETTING_TOKEN,	0, ""),
	S(impersonation_ttl,	SETTING_SECONDS, 0, "300"),
	S(one_time_sign_in_ttl,	SETTING_SECONDS, 0, "604800"),
	S(outbox_poll_ms,	SETTING_MS,	0, "1000"),
	S(outbox_backoff_ms,	SETTING_MS,	0, "5000"),
	/* Support: temporary extensions, trial licenses, e-mail. */
	S(sales_service_token,	SETTING_TOKEN,	0, ""),
	S(trade_restricted_countries, SETTING_STRING, 0,
	    "CU IR KP SY RU BY"),
	S(license_private_key,	SETTING_STRING,	0, ""),
	S(license_public_key,	SETTING_STRING,	0, ""),
	S(smtp_url,		SETTING_SECRET,	0, ""),
	S(mail_from,		SETTING_STRING,	0,
	    "noreply@example.com"),
	S(smtp_timeout,		SETTING_SECONDS, 0, "30"),
	/* Operating several instances: metrics' readers, the instance. */
	S(metrics_allow,	SETTING_STRING,	0, "127.0.0.1 ::1"),
	S(metrics_token,	SETTING_TOKEN,	0, ""),
	S(instance_name,	SETTING_STRING,	0, ""),
	S(database_read_url,	SETTING_SECRET,	0, ""),
	S(replica_max_lag,	SETTING_SECONDS, 0, "5"),
	S(shutdown_grace,	SETTING_SECONDS, 0, "20"),
	/* CSV exports: idle and total bounds, and one person's share. */
	S(export_idle_timeout,	SETTING_SECONDS, 0, "60"),
	S(export_max_time,	SETTING_SECONDS, 0, "1800"),
	S(export_per_person,	SETTING_COUNT,	0, "2"),
	/* GitLab.com: the subscriptions internal API (clients/gitlab.c). */
	S(gitlab_base_url,	SETTING_URL,	0, "https://gitlab.com"),
	S(gitlab_jwt_key,	SETTING_SECRET,	0, ""),
	S(gitlab_http_timeout,	SETTING_SECONDS, 0, "10"),
};

#define NSETTINGS	(sizeof(settings) / sizeof(settings[0]))

static const struct {
	const char	*name;
	int		 role;
} role_names[] = {
	{ "read_only",		ROLE_READ_ONLY },
	{ "editor",		ROLE_EDITOR },
	{ "support_admin",	ROLE_SUPPORT_ADMIN },
};

static int	setting_set(struct app_config *, const struct setting *,
		    const char *, const char *, int, char *, size_t);
static int	group_add(struct app_config *, char *, const char *, int,
		    char *, size_t);
static void	env_name(const char *, char *, size_t);
static int	config_line(struct app_config *, char *, const char *, int,
		    int *, char *, size_t);
static int	config_env(struct app_config *, config_getenv, int *, char *,
		    size_t);
static int	config_defaults(struct app_config *, const char *,
		    const int *, char *, size_t);
static int	config_check(struct app_config *, const char *, char *,
		    size_t);
static int	countries_normalise(struct app_config *, const char *,
		    char *, size_t);

int
config_role_parse(const char *name)
{
	size_t		i;

	for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++) {
		if (strcmp(role_names[i].name, name) == 0)
			return (role_names[i].role);
	}

	return (0);
}

const char *
config_role_name(int role)
{
	size_t		i;

	for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++) {
		if (role_names[i].role == role)
			return (role_names[i].name);
	}

	return (NULL);
}

int
config_roles_for_group(const struct app_config *cfg, const char *group)
{
	size_t		i;
	int		r;

	r = 0;
	for (i = 0; i < cfg->ngroups; i++) {
		if (strcmp(cfg->groups[i].name, group) == 0)
			r |= cfg->groups[i].roles;
	}

	return (r);
}

int
config_load(struct app_config *cfg, const char *path, config_getenv env,
    char *err, size_t errlen)
{
	FILE		*fp;
	struct stat	 st;
	char		*src;
	size_t		 n;
	int		 ret;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
		    strerror(errno));
		return (-1);
	}

	src = NULL;
	ret = -1;
	if (fstat(fileno(fp), &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > CONFIG_FILE_MAX) {
		snprintf(err, errlen, "%s: not a regular file under %d bytes",
		    path, CONFIG_FILE_MAX);
		goto out;
	}
	if ((src = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	n = fread(src, 1, (size_t)st.st_size, fp);
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: read error", path);
		goto out;
	}
	src[n] = '\0';

	ret = config_parse(cfg, src, path, env, err, errlen);

out:
	free(src);
	fclose(fp);
	return (ret);
}

/*
 * The settings of src (the file called name), then the environment's
 * CDOT_<KEY> over them, then the defaults of those not given, then the
 * checks across settings.  0, or -1 with cfg empty and the reason in err.
 */
int
config_parse(struct app_config *cfg, const char *src, const char *name,
    config_getenv env, char *err, size_t errlen)
{
	char		*copy, *line, *next;
	int		 lineno, seen[NSETTINGS], ret;

	memset(cfg, 0, sizeof(*cfg));
	memset(seen, 0, sizeof(seen));

	if ((copy = strdup(src)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return (-1);
	}

	ret = -1;
	lineno = 0;
	for (line = copy; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (config_line(cfg, line, name, lineno, seen, err,
		    errlen) == -1)
			goto out;
	}

	if (config_env(cfg, env, seen, err, errlen) == -1 ||
	    config_defaults(cfg, name, seen, err, errlen) == -1 ||
	    config_check(cfg, name, err, errlen) == -1)
		goto out;
	ret = 0;

out:
	free(copy);
	if (ret == -1)
		config_free(cfg);
	return (ret);
}

/* One line of the file: "key value", a group line, blank or comment. */
static int
config_line(struct app_config *cfg, char *line, const char *name,
    int lineno, int *seen, char *err, size_t errlen)
{
	char		*key, *val, *hash;
	size_t		 i;

	/* A '#' starts a comment only at the start of a word. */
	for (hash = line; (hash = strchr(hash, '#')) != NULL; hash++) {
		if (hash == line || isspace((unsigned char)hash[-1])) {
			*hash = '\0';
			break;
		}
	}

	key = trim_space(line);
	if (*key == '\0')
		return (0);

	for (val = key; *val != '\0' && !isspace((unsigned char)*val); val++)
		;
	if (*val != '\0')
		*val++ = '\0';
	val = trim_space(val);

	if (strcmp(key, "group") == 0)
		return (group_add(cfg, val, name, lineno, err, errlen));

	for (i = 0; i < NSETTINGS; i++) {
		if (strcmp(settings[i].key, key) == 0)
			break;
	}
	if (i == NSETTINGS) {
		snprintf(err, errlen, "%s:%d: unknown setting '%s'",
		    name, lineno, key);
		return (-1);
	}
	if (seen[i]) {
		snprintf(err, errlen, "%s:%d: setting '%s' given twice", name,
		    lineno, key);
		return (-1);
	}
	seen[i] = 1;

	return (setting_set(cfg, &settings[i], val, name, lineno, err,
	    errlen));
}

/* Environment overrides win over the file: CDOT_<KEY>. */
static int
config_env(struct app_config *cfg, config_getenv env, int *seen, char *err,
    size_t errlen)
{
	char		 envname[CONFIG_ENV_MAX];
	const char	*ev;
	size_t		 i;

	for (i = 0; env != NULL && i < NSETTINGS; i++) {
		env_name(settings[i].key, envname, sizeof(envname));
		if ((ev = env(envname)) == NULL)
			continue;
		if (setting_set(cfg, &settings[i], ev, envname, 0, err,
		    errlen) == -1)
			return (-1);
		seen[i] = 1;
	}

	return (0);
}

/* The settings given nowhere: their defaults, or an error if required. */
static int
config_defaults(struct app_config *cfg, const char *name, const int *seen,
    char *err, size_t errlen)
{
	const struct setting	*s;
	char			 envname[CONFIG_ENV_MAX];
	size_t			 i;

	for (i = 0; i < NSETTINGS; i++) {
		s = &settings[i];
		if (seen[i])
			continue;
		if (s->required) {
			env_name(s->key, envname, sizeof(envname));
			snprintf(err, errlen, "%s: missing setting '%s' "
			    "(or environment %s)", name, s->key, envname);
			return (-1);
		}
		if (setting_set(cfg, s, s->fallback, "default", 0,
		    err, errlen) == -1)
			return (-1);
	}

	return (0);
}

/* What a single setting's check cannot see: settings that go together. */
static int
config_check(struct app_config *cfg, const char *name, char *err,
    size_t errlen)
{
	/* The database refuses longer grants (impersonation_grants). */
	if (cfg->impersonation_ttl > 3600) {
		snprintf(err, errlen, "%s: setting 'impersonation_ttl' must "
		    "not exceed 3600 seconds", name);
		return (-1);
	}

	if (cfg->session_idle > cfg->session_lifetime) {
		snprintf(err, errlen, "%s: setting 'session_idle' must not "
		    "exceed 'session_lifetime'", name);
		return (-1);
	}

	if (countries_normalise(cfg, name, err, errlen) == -1)
		return (-1);

	if (cfg->smtp_url[0] != '\0' &&
	    strncmp(cfg->smtp_url, "smtp://", 7) != 0 &&
	    strncmp(cfg->smtp_url, "smtps://", 8) != 0) {
		snprintf(err, errlen, "%s: setting 'smtp_url' must be an "
		    "smtp:// or smtps:// URL (or empty: no e-mail)", name);
		return (-1);
	}

	if (!valid_email(cfg->mail_from)) {
		snprintf(err, errlen, "%s: setting 'mail_from' must be an "
		    "e-mail address (name@example.com)", name);
		return (-1);
	}

	/* The license key pair goes together. */
	if ((cfg->license_private_key[0] == '\0') !=
	    (cfg->license_public_key[0] == '\0')) {
		snprintf(err, errlen, "%s: settings 'license_private_key' "
		    "and 'license_public_key' go together: set both or "
		    "neither", name);
		return (-1);
	}

	return (0);
}

void
config_free(struct app_config *cfg)
{
	size_t		i;
	char		**p;

	for (i = 0; i < NSETTINGS; i++) {
		if (settings[i].type == SETTING_SECONDS ||
		    settings[i].type == SETTING_MS ||
		    settings[i].type == SETTING_COUNT)
			continue;
		p = (char **)((char *)cfg + settings[i].offset);
		free(*p);
		*p = NULL;
	}

	for (i = 0; i < cfg->ngroups; i++)
		free(cfg->groups[i].name);
	cfg->ngroups = 0;
}

static int
setting_set(struct app_config *cfg, const struct setting *s, const char *val,
    const char *name, int lineno, char *err, size_t errlen)
{
	char		 where[64], **dst, *end;
	long		*num, v, max;

	if (lineno > 0)
		(void)snprintf(where, sizeof(where), "%s:%d", name, lineno);
	else
		(void)snprintf(where, sizeof(where), "%s", name);

	switch (s->type) {
	case SETTING_SECONDS:
	case SETTING_MS:
	case SETTING_COUNT:
		if (s->type == SETTING_SECONDS)
			max = 31L * 86400;
		else if (s->type == SETTING_MS)
			max = 3600000L;
		else
			max = 1000;
		errno = 0;
		v = strtol(val, &end, 10);
		if (*val == '\0' || *end != '\0' || errno != 0 ||
		    v < 1 || v > max) {
			snprintf(err, errlen, "%s: setting '%s' must be a "
			    "whole number from 1 to %ld, not '%s'", where,
			    s->key, max, val);
			return (-1);
		}
		num = (long *)((char *)cfg + s->offset);
		*num = v;
		return (0);
	case SETTING_URL:
		if (strncmp(val, "http://", 7) != 0 &&
		    strncmp(val, "https://", 8) != 0) {
			snprintf(err, errlen, "%s: setting '%s' must be an "
			    "http:// or https:// URL", where, s->key);
			return (-1);
		}
		if (val[strlen(val) - 1] == '/') {
			snprintf(err, errlen, "%s: setting '%s' must not end "
			    "with '/'", where, s->key);
			return (-1);
		}
		break;
	case SETTING_TOKEN:
		if ((s->required || *val != '\0') && strlen(val) < 32) {
			snprintf(err, errlen, "%s: setting '%s' must be at "
			    "least 32 characters", where, s->key);
			return (-1);
		}
		/* FALLTHROUGH */
	case SETTING_SECRET:
	case SETTING_STRING:
		if (*val == '\0' && s->required) {
			snprintf(err, errlen, "%s: setting '%s' is empty",
			    where, s->key);
			return (-1);
		}
		break;
	}

	dst = (char **)((char *)cfg + s->offset);
	free(*dst);
	if ((*dst = strdup(val)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", where);
		return (-1);
	}

	return (0);
}

/* "group <okta group name> <role>[,<role>...]" */
static int
group_add(struct app_config *cfg, char *val, const char *name, int lineno,
    char *err, size_t errlen)
{
	char	*group, *list, *role, *save;
	int	 r, roles;

	group = val;
	for (list = val; *list != '\0' &&
	    !isspace((unsigned char)*list); list++)
		;
	if (*list != '\0')
		*list++ = '\0';
	list = trim_space(list);

	if (*group == '\0' || *list == '\0') {
		snprintf(err, errlen, "%s:%d: 'group' needs a group name and "
		    "a role", name, lineno);
		return (-1);
	}

	roles = 0;
	for (role = strtok_r(list, ",", &save); role != NULL;
	    role = strtok_r(NULL, ",", &save)) {
		role = trim_space(role);
		if ((r = config_role_parse(role)) == 0) {
			snprintf(err, errlen, "%s:%d: unknown role '%s' "
			    "(read_only, editor, support_admin)", name,
			    lineno, role);
			return (-1);
		}
		roles |= r;
	}

	if (cfg->ngroups == CONFIG_GROUPS_MAX) {
		snprintf(err, errlen, "%s:%d: more than %d groups", name,
		    lineno, CONFIG_GROUPS_MAX);
		return (-1);
	}

	if ((cfg->groups[cfg->ngroups].name = strdup(group)) == NULL) {
		snprintf(err, errlen, "%s:%d: out of memory", name, lineno);
		return (-1);
	}
	cfg->groups[cfg->ngroups++].roles = roles;

	return (0);
}

/*
 * Blanks off both ends, in place.  Here, not in lib/validate.c, so that every
 * program that reads the configuration has it (the outbox worker too).
 */
char *
trim_space(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';

	return (s);
}

/* The environment variable that overrides a setting: CDOT_<KEY>. */
static void
env_name(const char *key, char *buf, size_t len)
{
	size_t		i;

	(void)snprintf(buf, len, "CDOT_%s", key);
	for (i = 5; buf[i] != '\0'; i++)
		buf[i] = (char)toupper((unsigned char)buf[i]);
}

/*
 * trade_restricted_countries: ISO 3166-1 alpha-2 codes separated by
 * blanks or commas, kept as upper-case codes separated by one space.
 */
static int
countries_normalise(struct app_config *cfg, const char *name, char *err,
    size_t errlen)
{
	const char	*p;
	char		*out, *o;
	size_t		 n;

	if ((out = malloc(strlen(cfg->trade_restricted_countries) + 1)) ==
	    NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return (-1);
	}

	o = out;
	for (p = cfg->trade_restricted_countries; *p != '\0'; ) {
		if (isspace((unsigned char)*p) || *p == ',') {
			p++;
			continue;
		}
		for (n = 0; isalpha((unsigned char)p[n]); n++)
			;
		if (n != 2 || (p[n] != '\0' && p[n] != ',' &&
		    !isspace((unsigned char)p[n]))) {
			snprintf(err, errlen, "%s: setting "
			    "'trade_restricted_countries' must be ISO 3166-1 "
			    "alpha-2 country codes separated by spaces, e.g. "
			    "\"CU IR KP SY\"", name);
			free(out);
			return (-1);
		}
		if (o != out)
			*o++ = ' ';
		*o++ = (char)toupper((unsigned char)p[0]);
		*o++ = (char)toupper((unsigned char)p[1]);
		p += 2;
	}
	*o = '\0';

	free(cfg->trade_restricted_countries);
	cfg->trade_restricted_countries = out;

	return (0);
}
