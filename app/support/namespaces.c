/*
 * Support > Namespace controls (SaaS): the Guide's "Namespace Controls".
 *
 *	GET  /admin/support/namespaces?tab=<action>&namespace=<ID or path>
 *	     &subscription=<Zuora subscription ID or name>
 *		the action's tab: find the namespace (and/or subscription),
 *		see it as it is now, and the action's form
 *	POST /admin/support/namespaces/<namespace>/<action>
 *		do it, on the namespace (our id) the form was read for
 *
 * Actions (tabs):
 *	extra_ci_minutes	the new total of extra CI minutes
 *	additional_storage	additional storage in MiB
 *	clear_subscription	unlink a subscription from its namespace,
 *				which goes to Free
 *	force_reassociate	link a subscription to another namespace; the
 *				previous one goes to Free
 *	reset_max_seats		the namespace's max seats used
 *	extend_subscription	a temporary extension of the namespace's
 *				subscription (support/extension.c); a
 *				namespace that had a trial is sent to its
 *				trial instead
 *
 * Finding comes first so that the person sees what they change; the form
 * carries the namespace's lock_version (and, for a subscription, where it
 * was linked), compared under lock before anything is written: a change
 * made meanwhile gets 409 with the current values beside theirs.  Every
 * action needs a Zendesk ticket link and is one transaction as
 * admin:<email> with that ticket.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/support.h"
#include "lib/validate.h"

#define SCREEN		"/admin/support/namespaces"

#define A_MINUTES	0
#define A_STORAGE	1
#define A_CLEAR		2
#define A_REASSOCIATE	3
#define A_SEATS		4
#define A_EXTEND	5

struct ns_action {
	int			 id;
	const char		*name;
	const char		*label;
	int			 need_ns;
	int			 need_sub;
	const char		*column;	/* what it sets, or NULL */
	const struct form_field	*fields;
	const char		*intro;
	const char		*submit;
};

/* A form of one whole number (the new value) and the ticket. */
#define NUMBER_FORM(name_, label_, hint_) { \
	{ .name = name_, .label = label_, .type = FORM_INT, \
	    .flags = FORM_REQUIRED, .max = 16, .hint = hint_ }, \
	SUPPORT_TICKET_FIELD, \
	{ .name = NULL } \
}

static const struct form_field minutes_fields[] = NUMBER_FORM(
    "extra_ci_minutes", "Extra CI minutes", "The new total of extra shared "
    "runner CI minutes, not an amount to add to the current one.");

static const struct form_field storage_fields[] = NUMBER_FORM(
    "additional_storage_mib", "Additional storage (MiB)", "The new "
    "additional storage, in MiB (1 GiB = 1024 MiB).");

static const struct form_field seats_fields[] = NUMBER_FORM(
    "max_seats_used", "Max seats used", "The new maximum seat count of the "
    "namespace.");

static const struct form_field ticket_fields[] = {
	SUPPORT_TICKET_FIELD,
	{ .name = NULL }
};

static const struct form_field extend_fields[] = {
	{ .name = "reason", .label = "Reason", .type = FORM_TEXT,
	    .flags = FORM_REQUIRED, .max = 255,
	    .hint = "Why the customer needs more time, e.g. \xe2\x80\x9c"
	    "Procurement delay\xe2\x80\x9d." },
	{ .name = "salesforce_opportunity_id",
	    .label = "SFDC renewal opportunity ID", .type = FORM_SFDC_ID,
	    .max = 18, .hint = "Optional: 15 or 18 letters and digits." },
	{ .name = "notes", .label = "Notes", .type = FORM_TEXT, .max = 4000 },
	SUPPORT_TICKET_FIELD,
	{ .name = NULL }
};

static const struct ns_action actions[] = {
	{ A_MINUTES, "extra_ci_minutes", "Set extra CI minutes", 1, 0,
	    "extra_ci_minutes", minutes_fields,
	    "Set a namespace's extra shared runner CI minutes. The value is "
	    "the new total, not added to the existing value.", "Submit" },
	{ A_STORAGE, "additional_storage", "Set additional storage", 1, 0,
	    "additional_storage_mib", storage_fields,
	    "Set a namespace's additional storage, in MiB.", "Submit" },
	{ A_CLEAR, "clear_subscription", "Clear subscription", 0, 1, NULL,
	    ticket_fields,
	    "Unlink a subscription from its namespace; the namespace goes to "
	    "the Free tier.", "Submit" },
	{ A_REASSOCIATE, "force_reassociate", "Force re-associate", 1, 1, NULL,
	    ticket_fields,
	    "Link a subscription to another namespace (the target); the "
	    "namespace it was linked to goes to the Free tier.", "Submit" },
	{ A_SEATS, "reset_max_seats", "Reset max seats", 1, 0,
	    "max_seats_used", seats_fields,
	    "Reset the maximum seat count of a namespace.", "Submit" },
	{ A_EXTEND, "extend_subscription", "Extend subscription", 1, 0, NULL,
	    extend_fields,
	    "Temporarily extend a soon-to-expire (or just expired) "
	    "subscription of a namespace: to 21 days after its end date, "
	    "within the rules of temporary extensions. A namespace that had "
	    "a trial is extended through its trial instead.", "Submit" },
	{ -1, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL }
};

/* A namespace as the page shows it and the actions use it. */
struct ns_row {
	int		found;
	char		id[32];
	char		gitlab_id[32];
	char		path[256];
	char		name[256];
	char		plan[64];
	char		lock[16];
	char		sub[32];		/* zuora_subscriptions.id */
	char		sub_name[72];
	char		sub_type[8];
	char		minutes[16];
	char		storage[16];
	char		seats[16];
	char		expires[16];
	char		trial[32];		/* its latest trial */
	char		trial_status[16];
};

struct sub_row {
	int		found;
	char		id[32];
	char		zid[40];
	char		name[72];
	char		type[8];
	char		plan[16];
	char		term_end[16];
	char		status[16];
	char		ns[32];			/* its namespace */
	char		ns_path[256];
	char		ns_gitlab_id[32];
};

#define NS_SQL \
	"SELECT n.id, n.gitlab_id::text AS gitlab_id, n.path, n.name, " \
	"n.plan, n.lock_version::text AS lock, " \
	"n.zuora_subscription_id::text AS sub, s.name AS sub_name, " \
	"s.deployment_type AS sub_type, n.extra_ci_minutes::text AS minutes, " \
	"n.additional_storage_mib::text AS storage, " \
	"n.max_seats_used::text AS seats, " \
	"greatest(n.subscription_expires_on, s.term_end_date)::text " \
	"AS expires, lt.id::text AS trial, lt.status AS trial_status " \
	"FROM namespaces n LEFT JOIN zuora_subscriptions s ON " \
	"s.id = n.zuora_subscription_id LEFT JOIN LATERAL (SELECT t.id, " \
	"t.status FROM trials t WHERE t.namespace_id = n.id " \
	"ORDER BY t.id DESC LIMIT 1) lt ON true "

#define SUB_SQL \
	"SELECT s.id, s.zuora_subscription_id AS zid, s.name, " \
	"s.deployment_type AS type, s.gitlab_plan AS plan, " \
	"s.term_end_date::text AS term_end, s.status, n.id::text AS ns, " \
	"n.path AS ns_path, n.gitlab_id::text AS ns_gitlab_id " \
	"FROM zuora_subscriptions s " \
	"LEFT JOIN namespaces n ON n.zuora_subscription_id = s.id "

static const struct ns_action *action_find(const char *);
static int	 ns_fetch(struct app_req *, struct write_txn *, const char *,
		    int, struct ns_row *);
static int	 sub_fetch(struct app_req *, struct write_txn *, const char *,
		    int, struct sub_row *);
static void	 ns_copy(PGresult *, struct ns_row *);
static void	 sub_copy(PGresult *, struct sub_row *);
static json_t	*ns_view(const struct ns_row *);
static json_t	*sub_view(const struct sub_row *);
static const char *blocked_why(const struct ns_action *,
		    const struct ns_row *, const struct sub_row *, char *,
		    size_t, char *, size_t);
static int	 lookup_add(json_t *, const char *, const char *,
		    const char *, int, const char *);
static int	 action_rows(struct app_req *, struct write_txn *,
		    const struct ns_action *, const char *, struct ns_row *,
		    struct sub_row *);
static int	 action_not_found(struct http_request *, struct app_req *);
static int	 page(struct http_request *, struct app_req *,
		    const struct ns_action *, const char *, const char *,
		    struct form *, int, const char *);
static int	 page_live(struct http_request *, struct app_req *,
		    const struct ns_action *, const char *, const char *,
		    struct form *, int, const char *, json_t *,
		    const char *);
static json_t	*drift_view(const struct ns_row *, json_t *, const char *);
static const char *current_value(const struct ns_action *,
		    const struct ns_row *);
static void	 tab_href(const struct ns_action *, const struct ns_row *,
		    const struct sub_row *, char *, size_t);

static const struct ns_action *
action_find(const char *name)
{
	const struct ns_action	*a;

	for (a = actions; a->name != NULL; a++) {
		if (strcmp(a->name, name) == 0)
			return (a);
	}

	return (NULL);
}

static void
ns_copy(PGresult *res, struct ns_row *n)
{
	memset(n, 0, sizeof(*n));
	n->found = 1;
	SUPPORT_COPY(res, n, id);
	SUPPORT_COPY(res, n, gitlab_id);
	SUPPORT_COPY(res, n, path);
	SUPPORT_COPY(res, n, name);
	SUPPORT_COPY(res, n, plan);
	SUPPORT_COPY(res, n, lock);
	SUPPORT_COPY(res, n, sub);
	SUPPORT_COPY(res, n, sub_name);
	SUPPORT_COPY(res, n, sub_type);
	SUPPORT_COPY(res, n, minutes);
	SUPPORT_COPY(res, n, storage);
	SUPPORT_COPY(res, n, seats);
	SUPPORT_COPY(res, n, expires);
	SUPPORT_COPY(res, n, trial);
	SUPPORT_COPY(res, n, trial_status);
}

static void
sub_copy(PGresult *res, struct sub_row *s)
{
	memset(s, 0, sizeof(*s));
	s->found = 1;
	SUPPORT_COPY(res, s, id);
	SUPPORT_COPY(res, s, zid);
	SUPPORT_COPY(res, s, name);
	SUPPORT_COPY(res, s, type);
	SUPPORT_COPY(res, s, plan);
	SUPPORT_COPY(res, s, term_end);
	SUPPORT_COPY(res, s, status);
	SUPPORT_COPY(res, s, ns);
	SUPPORT_COPY(res, s, ns_path);
	SUPPORT_COPY(res, s, ns_gitlab_id);
}

/*
 * A namespace by what Support types (by_id 0: its GitLab.com namespace
 * ID or its path) or by our id (by_id 1); in a transaction (w) locked.
 * 1 found, 0 not, -1 the database failed.
 */
static int
ns_fetch(struct app_req *ctx, struct write_txn *w, const char *key,
    int by_id, struct ns_row *n)
{
	PGresult	*res;
	const char	*params[1], *sql;
	char		 typed[256];
	int		 found;

	memset(n, 0, sizeof(*n));
	(void)kore_strlcpy(typed, key, sizeof(typed));
	params[0] = trim_space(typed);
	if (by_id) {
		sql = w != NULL ? NS_SQL "WHERE n.id = $1::bigint FOR UPDATE "
		    "OF n" : NS_SQL "WHERE n.id = $1::bigint";
	} else {
		sql = NS_SQL "WHERE n.gitlab_id = (CASE WHEN $1 ~ "
		    "'^[0-9]{1,18}$' THEN $1 END)::bigint OR "
		    "lower(n.path) = lower($1) ORDER BY (n.gitlab_id::text = "
		    "$1) DESC LIMIT 1";
	}
	res = w != NULL ? write_exec(w, sql, 1, params) :
	    db_exec(ctx, sql, 1, params);
	if (res == NULL)
		return (-1);
	found = PQntuples(res) > 0;
	if (found)
		ns_copy(res, n);
	PQclear(res);

	return (found);
}

/* A subscription by Zuora subscription ID or name, or by our id. */
static int
sub_fetch(struct app_req *ctx, struct write_txn *w, const char *key,
    int by_id, struct sub_row *s)
{
	PGresult	*res;
	const char	*params[1], *sql;
	char		 typed[128], *p;
	int		 found;

	memset(s, 0, sizeof(*s));
	(void)kore_strlcpy(typed, key, sizeof(typed));
	params[0] = trim_space(typed);
	if (by_id) {
		sql = w != NULL ? SUB_SQL "WHERE s.id = $1::bigint FOR UPDATE "
		    "OF s" : SUB_SQL "WHERE s.id = $1::bigint";
	} else {
		/* Zuora ids are lower-case hex; names are upper-case. */
		if (strlen(params[0]) == 32) {
			for (p = (char *)params[0]; *p != '\0'; p++)
				*p = (char)tolower((unsigned char)*p);
		}
		sql = SUB_SQL "WHERE s.zuora_subscription_id = $1 OR "
		    "s.name IN ($1, upper($1)) LIMIT 1";
	}
	res = w != NULL ? write_exec(w, sql, 1, params) :
	    db_exec(ctx, sql, 1, params);
	if (res == NULL)
		return (-1);
	found = PQntuples(res) > 0;
	if (found)
		sub_copy(res, s);
	PQclear(res);

	return (found);
}

static json_t *
ns_view(const struct ns_row *n)
{
	json_t	*o, *dl;
	char	 href[64], sub[64];

	(void)snprintf(href, sizeof(href), "/admin/namespaces/%s", n->id);
	(void)snprintf(sub, sizeof(sub), "/admin/zuora_subscriptions/%s",
	    n->sub);
	dl = json_array();
	support_dl(dl, "Namespace", n->path, href);
	support_dl(dl, "Namespace ID", n->gitlab_id, NULL);
	support_dl(dl, "Name", n->name, NULL);
	support_dl(dl, "Plan", n->plan, NULL);
	support_dl(dl, "Subscription", n->sub_name, n->sub[0] ? sub : NULL);
	support_dl(dl, "Subscription expires on", n->expires, NULL);
	support_dl(dl, "Extra CI minutes", n->minutes, NULL);
	support_dl(dl, "Additional storage (MiB)", n->storage, NULL);
	support_dl(dl, "Max seats used", n->seats, NULL);
	if (n->trial[0] != '\0') {
		(void)snprintf(href, sizeof(href), "/admin/trials/%s",
		    n->trial);
		support_dl(dl, "Latest trial", n->trial_status, href);
	}

	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s, s:s, "
	    "s:s, s:s?, s:s?, s:o}",
	    "id", n->id, "gitlab_id", n->gitlab_id, "path", n->path,
	    "name", n->name, "plan", n->plan, "lock_version", n->lock,
	    "subscription", n->sub[0] ? n->sub_name : NULL,
	    "subscription_expires_on", n->expires[0] ? n->expires : NULL,
	    "extra_ci_minutes", n->minutes,
	    "additional_storage_mib", n->storage,
	    "max_seats_used", n->seats,
	    "trial_id", n->trial[0] ? n->trial : NULL,
	    "trial_status", n->trial[0] ? n->trial_status : NULL,
	    "fields", dl);

	return (o);
}

static json_t *
sub_view(const struct sub_row *s)
{
	json_t	*o, *dl;
	char	 href[64], ns[64];

	(void)snprintf(href, sizeof(href), "/admin/zuora_subscriptions/%s",
	    s->id);
	(void)snprintf(ns, sizeof(ns), "/admin/namespaces/%s", s->ns);
	dl = json_array();
	support_dl(dl, "Subscription", s->name, href);
	support_dl(dl, "Zuora subscription ID", s->zid, NULL);
	support_dl(dl, "Type", strcmp(s->type, "sm") == 0 ? "Self-Managed" :
	    "SaaS", NULL);
	support_dl(dl, "Plan", s->plan, NULL);
	support_dl(dl, "Status", s->status, NULL);
	support_dl(dl, "End date", s->term_end, NULL);
	support_dl(dl, "Linked namespace", s->ns_path, s->ns[0] ? ns : NULL);

	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:o}",
	    "id", s->id, "zuora_subscription_id", s->zid, "name", s->name,
	    "deployment_type", s->type, "term_end_date", s->term_end,
	    "namespace", s->ns[0] ? s->ns_path : NULL, "fields", dl);

	return (o);
}

/*
 * Why the action cannot be done on what was found, or NULL; a link to
 * go instead in href (the trial, for an extension).
 */
static const char *
blocked_why(const struct ns_action *a, const struct ns_row *n,
    const struct sub_row *s, char *buf, size_t len, char *href,
    size_t hlen)
{
	href[0] = '\0';
	switch (a->id) {
	case A_CLEAR:
		if (s->ns[0] == '\0') {
			(void)snprintf(buf, len, "Subscription %s is not "
			    "linked to any namespace: there is nothing to "
			    "clear.", s->name);
			return (buf);
		}
		break;
	case A_REASSOCIATE:
		if (strcmp(s->type, "saas") != 0) {
			(void)snprintf(buf, len, "Subscription %s is for "
			    "self-managed GitLab: only SaaS subscriptions are "
			    "linked to a namespace.", s->name);
			return (buf);
		}
		if (strcmp(s->ns, n->id) == 0) {
			(void)snprintf(buf, len, "Subscription %s is already "
			    "linked to %s.", s->name, n->path);
			return (buf);
		}
		if (n->sub[0] != '\0') {
			(void)snprintf(buf, len, "Namespace %s is linked to "
			    "subscription %s: clear that subscription first.",
			    n->path, n->sub_name);
			return (buf);
		}
		break;
	case A_EXTEND:
		if (n->trial[0] != '\0') {
			(void)snprintf(buf, len, "Namespace %s had a trial: "
			    "extend it through the trial instead.", n->path);
			(void)snprintf(href, hlen, "/admin/support/trials/%s/"
			    "edit", n->trial);
			return (buf);
		}
		if (n->sub[0] == '\0') {
			(void)snprintf(buf, len, "Namespace %s has no "
			    "subscription to extend.", n->path);
			return (buf);
		}
		break;
	}

	return (NULL);
}

/* The action's tab, showing the namespace or subscription it was for. */
static void
tab_href(const struct ns_action *a, const struct ns_row *n,
    const struct sub_row *s, char *buf, size_t len)
{
	char	*q;

	q = support_urlencode(a->need_ns ? n->gitlab_id : s->zid);
	(void)snprintf(buf, len, SCREEN "?tab=%s&%s=%s", a->name,
	    a->need_ns ? "namespace" : "subscription", q);
	kore_free(q);
}

/* The namespace's value that an action sets (its first field), or NULL. */
static const char *
current_value(const struct ns_action *a, const struct ns_row *n)
{
	switch (a->id) {
	case A_MINUTES:
		return (n->minutes);
	case A_STORAGE:
		return (n->storage);
	case A_SEATS:
		return (n->seats);
	default:
		return (NULL);
	}
}

/*
 * A lookup's field, as typed (value), added to lookups.  rc is what
 * looking value up gave (1 found, 0 not or not looked up, -1 the database
 * failed); an empty value was not looked up and is no error.  Returns 1
 * if found, 0 if not, -1 (nothing added) if the database failed.
 */
static int
lookup_add(json_t *lookups, const char *name, const char *label,
    const char *value, int rc, const char *missing)
{
	json_t	*fv;
	char	 msg[256];	/* missing (under 64), the 100 bytes quoted */

	if (*value == '\0')
		rc = 0;
	else if (rc == -1)
		return (-1);

	fv = json_pack("{s:s, s:s, s:s}", "name", name, "label", label,
	    "value", value);
	if (*value != '\0' && rc == 0) {
		/* Cut to 100 bytes, perhaps within a character: mended. */
		(void)snprintf(msg, sizeof(msg), "No %s \xe2\x80\x9c%.100s"
		    "\xe2\x80\x9d.", missing, value);
		params_utf8_repair(msg);
		json_object_set_new(fv, "error", json_string(msg));
	}
	json_array_append_new(lookups, fv);

	return (rc);
}

/*
 * The namespace as GitLab.com has it beside the panel's copy, each field
 * that differs marked; or the panel's copy alone with why (note).
 */
static json_t *
drift_view(const struct ns_row *n, json_t *live, const char *note)
{
	json_t	*rows;

	if (live == NULL)
		return (json_pack("{s:s, s:b}", "note", note, "unavailable",
		    1));
	rows = json_array();
	gitlab_drift_add(rows, "Plan", n->plan, live, "plan");
	gitlab_drift_add(rows, "Extra CI minutes", n->minutes, live,
	    "extra_shared_runners_minutes_limit");
	gitlab_drift_add(rows, "Additional storage (MiB)", n->storage, live,
	    "additional_purchased_storage_size");
	gitlab_drift_add(rows, "Max seats used", n->seats, live,
	    "max_seats_used");
	gitlab_drift_add(rows, "Subscription ends on", n->expires, live,
	    "end_date");
	gitlab_drift_add(rows, "Trial", strcmp(n->trial_status, "active") ==
	    0 ? "yes" : "no", live, "trial");

	return (json_pack("{s:o, s:b}", "rows", rows, "has_rows", 1));
}

/*
 * The page of an action's tab: lookups as typed (ns_q, sub_q), what they
 * found, and the form (typed: after a refusal; else a fresh one).
 */
static int
page(struct http_request *req, struct app_req *ctx, const struct ns_action *a,
    const char *ns_q, const char *sub_q, struct form *typed, int status,
    const char *alert)
{
	return (page_live(req, ctx, a, ns_q, sub_q, typed, status, alert,
	    NULL, NULL));
}

/* The tabs of the screen, a's active. */
static json_t *
tabs_view(const struct ns_action *a)
{
	const struct ns_action	*t;
	json_t			*tabs;

	tabs = json_array();
	for (t = actions; t->name != NULL; t++) {
		json_array_append_new(tabs, json_pack("{s:s, s:s, s:o, s:b}",
		    "name", t->name, "label", t->label, "href",
		    json_sprintf(SCREEN "?tab=%s", t->name), "active",
		    t == a));
	}

	return (tabs);
}

/*
 * The lookups a's tab needs, as typed (ns_q, sub_q), into view, and what
 * they found into n and s.  Returns 1 when all were found, 0 when not,
 * -1 when the database failed.
 */
static int
lookups_view(struct app_req *ctx, json_t *view, const struct ns_action *a,
    const char *ns_q, const char *sub_q, struct ns_row *n, struct sub_row *s)
{
	json_t	*lookups;
	int	 ready, rc;

	lookups = json_array();
	json_object_set_new(view, "lookups", lookups);
	ready = 1;
	if (a->need_ns) {
		rc = *ns_q != '\0' && strlen(ns_q) <= 255 ?
		    ns_fetch(ctx, NULL, ns_q, 0, n) : 0;
		if ((rc = lookup_add(lookups, "namespace",
		    a->id == A_REASSOCIATE ? "Target namespace ID or path" :
		    "Namespace ID or path", ns_q, rc,
		    "namespace has the ID or path")) == -1)
			return (-1);
		ready = rc;
	}
	if (a->need_sub) {
		rc = *sub_q != '\0' && strlen(sub_q) <= 100 ?
		    sub_fetch(ctx, NULL, sub_q, 0, s) : 0;
		if ((rc = lookup_add(lookups, "subscription",
		    "Zuora subscription ID or name", sub_q, rc,
		    "subscription has the Zuora subscription ID or name")) ==
		    -1)
			return (-1);
		ready = ready && rc;
	}

	return (ready);
}

/* Why the action cannot be taken here, with a link (href) if any. */
static void
blocked_view(json_t *view, const char *why, const char *href)
{
	json_t	*b;

	b = json_pack("{s:s}", "message", why);
	if (href[0] != '\0') {
		json_object_set_new(b, "href", json_string(href));
		json_object_set_new(b, "link", json_string("Edit the trial"));
	}
	json_object_set_new(view, "blocked", b);
}

/*
 * The action's form on n (and s): as typed after a refusal, else fresh
 * with the current value; at n's current version.
 */
static void
form_add(struct app_req *ctx, json_t *view, const struct ns_action *a,
    const struct ns_row *n, const struct sub_row *s, struct form *typed,
    const char *alert)
{
	struct form	 fresh, *f;
	json_t		*fv, *hidden;
	const char	*v;
	char		 action[96], back[1024];

	f = typed;
	if (typed == NULL) {
		form_init(&fresh, a->fields);
		if ((v = current_value(a, n)) != NULL)
			form_set(&fresh, a->fields[0].name, v);
		f = &fresh;
	}
	/* A conflict shows the current version; re-sending applies. */
	(void)kore_strlcpy(f->lock_version, n->lock, sizeof(f->lock_version));
	(void)snprintf(action, sizeof(action), SCREEN "/%s/%s", n->id,
	    a->name);
	if (alert != NULL)
		form_alert(f, alert);
	fv = form_view(ctx, f, action, a->submit);
	tab_href(a, n, s, back, sizeof(back));
	json_object_set_new(fv, "cancel_href", json_string(back));
	hidden = json_array();
	if (s->found) {
		json_array_append_new(hidden, json_pack("{s:s, s:s}",
		    "name", "subscription", "value", s->id));
		json_array_append_new(hidden, json_pack("{s:s, s:s}",
		    "name", "previous", "value", s->ns[0] ? s->ns : "none"));
	}
	json_object_set_new(fv, "hidden", hidden);
	json_object_set_new(view, "form", fv);
	json_object_set_new(view, "form_title", json_string(a->label));
	if (typed == NULL)
		form_free(&fresh);
}

/*
 * The same, with what GitLab.com said of the namespace (live, or NULL
 * and live_note; both NULL: it was not asked).
 */
static int
page_live(struct http_request *req, struct app_req *ctx,
    const struct ns_action *a, const char *ns_q, const char *sub_q,
    struct form *typed, int status, const char *alert, json_t *live,
    const char *live_note)
{
	struct ns_row		 n;
	struct sub_row		 s;
	json_t			*view;
	const char		*why;
	char			 buf[1024], href[96];
	int			 ready;

	memset(&n, 0, sizeof(n));
	memset(&s, 0, sizeof(s));
	view = support_view(ctx, "Namespace controls (SaaS)", NULL);
	json_object_set_new(view, "tab", json_string(a->name));
	json_object_set_new(view, "action", json_pack("{s:s, s:s, s:s}",
	    "name", a->name, "label", a->label, "intro", a->intro));
	json_object_set_new(view, "tabs", tabs_view(a));
	if ((ready = lookups_view(ctx, view, a, ns_q, sub_q, &n, &s)) == -1)
		goto db_error;

	if (n.found) {
		json_object_set_new(view, "namespace", ns_view(&n));
		if (live != NULL || live_note != NULL)
			json_object_set_new(view, "gitlab", drift_view(&n,
			    live, live_note));
		gitlab_sync_panel(ctx, view, n.id);
	}
	if (s.found)
		json_object_set_new(view, "subscription", sub_view(&s));

	/* For clearing, the namespace is the one the subscription is on. */
	if (ready && a->id == A_CLEAR && s.ns[0] != '\0' &&
	    ns_fetch(ctx, NULL, s.ns, 1, &n) != 1)
		goto db_error;

	if (ready && (why = blocked_why(a, &n, &s, buf, sizeof(buf), href,
	    sizeof(href))) != NULL) {
		blocked_view(view, why, href);
		ready = 0;
	}
	if (ready)
		form_add(ctx, view, a, &n, &s, typed, alert);
	else if (alert != NULL)
		blocked_view(view, alert, "");

	return (render_page(req, ctx, status, "support_namespaces", view));

db_error:
	json_decref(view);
	return (edit_db_error(req, ctx));
}

/*
 * GET /admin/support/namespaces: a namespace found here is also read live
 * from GitLab.com, in a task (the worker serves others meanwhile).
 */
int
support_namespaces(struct http_request *req, struct app_req *ctx)
{
	const struct ns_action	*a;
	struct ns_row		 n;
	const char		*ns_q;
	json_t			*live;
	void			*job;
	char			 why[256];
	int			 ret;

	if ((a = action_find(support_query(ctx, "tab"))) == NULL)
		a = &actions[0];
	ns_q = support_query(ctx, "namespace");

	switch (bg_wait(req, ctx)) {
	case BG_RUNNING:
		return (KORE_RESULT_RETRY);
	case BG_OVERDUE:
		return (page_live(req, ctx, a, ns_q,
		    support_query(ctx, "subscription"), NULL, HTTP_STATUS_OK,
		    NULL, NULL, "GitLab.com did not answer in time, so the "
		    "values shown are the panel's own copy."));
	case BG_DONE:
		job = bg_take(ctx);
		live = gitlab_lookup_result(job, "the values shown are the "
		    "panel's own copy", why, sizeof(why));
		gitlab_job_free(job);
		ret = page_live(req, ctx, a, ns_q,
		    support_query(ctx, "subscription"), NULL, HTTP_STATUS_OK,
		    NULL, live, why);
		json_decref(live);
		return (ret);
	}

	if (a->need_ns && gitlab_ready() && *ns_q != '\0' &&
	    strlen(ns_q) <= 255 && ns_fetch(ctx, NULL, ns_q, 0, &n) == 1) {
		gitlab_lookup_start(req, ctx, n.gitlab_id);
		return (KORE_RESULT_RETRY);
	}

	return (page_live(req, ctx, a, ns_q, support_query(ctx, "subscription"),
	    NULL, HTTP_STATUS_OK, NULL, NULL, gitlab_ready() || *ns_q == '\0' ?
	    NULL : "GitLab.com is not configured (gitlab_jwt_key), so the "
	    "values shown are the panel's own copy."));
}

/*
 * What a POST acts on: the namespace (by our id, from the path) and, for
 * an action on a subscription, the subscription (our id, sub_id); in w
 * locked, or as they are.  1 found, 0 not, -1 the database failed.
 */
static int
action_rows(struct app_req *ctx, struct write_txn *w,
    const struct ns_action *a, const char *sub_id, struct ns_row *n,
    struct sub_row *s)
{
	int	rc;

	memset(s, 0, sizeof(*s));
	if ((rc = ns_fetch(ctx, w, ctx->args[0], 1, n)) != 1)
		return (rc);
	if (!a->need_sub)
		return (1);

	return (sub_fetch(ctx, w, sub_id, 1, s));
}

static int
action_not_found(struct http_request *req, struct app_req *ctx)
{
	return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
	    "There is no such namespace or subscription; it may have been "
	    "deleted."));
}

/*
 * A write that failed: rolled back, and the page again with a message
 * beside a field (422), or the database error page.
 */
static int
action_failed(struct http_request *req, struct app_req *ctx,
    struct write_txn *w, const struct ns_action *a, struct form *f,
    const struct ns_row *n, const struct sub_row *s)
{
	write_rollback(w);
	if (edit_write_status(w, NULL, f) == 422)
		return (page(req, ctx, a, n->gitlab_id, s->zid, f, 422, NULL));

	return (edit_db_error(req, ctx));
}

/*
 * The locked rows as they are now against the form: changed or moved
 * since it was read (409), a subscription not on that namespace (400),
 * or the action blocked.  Returns 1 when answered (rolled back), else 0.
 */
static int
action_refused(struct http_request *req, struct app_req *ctx,
    struct write_txn *w, const struct ns_action *a, struct form *f,
    const struct ns_row *n, const struct sub_row *s, const char *previous,
    int *ret)
{
	const char	*why;
	char		 buf[1024], href[96];

	why = NULL;
	if (strcmp(n->lock, f->lock_version) != 0 || (a->need_sub &&
	    strcmp(s->ns[0] != '\0' ? s->ns : "none", previous) != 0)) {
		write_rollback(w);
		*ret = page(req, ctx, a, n->gitlab_id, s->zid, f,
		    HTTP_STATUS_CONFLICT, "Someone changed this namespace or "
		    "subscription after you looked it up, so nothing was "
		    "changed. Its current state is shown; submit again to "
		    "apply your change.");
	} else if (a->id == A_CLEAR && strcmp(s->ns, n->id) != 0) {
		write_rollback(w);
		*ret = render_error(req, ctx, HTTP_STATUS_BAD_REQUEST,
		    "This subscription is not linked to that namespace.");
	} else if ((why = blocked_why(a, n, s, buf, sizeof(buf), href,
	    sizeof(href))) != NULL) {
		write_rollback(w);
		*ret = href[0] != '\0' ? edit_flash_redirect(req, "alert", why,
		    href) : page(req, ctx, a, n->gitlab_id, s->zid, f, 422,
		    why);
	} else {
		return (0);
	}

	return (1);
}

/* A namespace's number (a's column) set: 1 when it is already so. */
static int
action_set_value(struct write_txn *w, const struct ns_action *a,
    struct form *f, const struct ns_row *n, char *msg, size_t len)
{
	const char	*params[3], *v;
	char		 sql[256];

	v = form_value(f, a->fields[0].name);
	if (strcmp(v, current_value(a, n)) == 0)
		return (1);
	params[0] = n->id;
	params[1] = f->lock_version;
	params[2] = v;
	(void)snprintf(sql, sizeof(sql), "UPDATE namespaces SET %s = "
	    "$3::integer WHERE id = $1::bigint AND "
	    "lock_version = $2::integer", a->column);
	if (write_exec_count(w, sql, 3, params) != 1)
		return (-1);
	(void)snprintf(msg, len, "%s of %s: %s (was %s).",
	    a->fields[0].label, n->path, v, current_value(a, n));

	return (0);
}

/* The subscription unlinked from its namespace, which goes to Free. */
static int
action_clear(struct write_txn *w, struct form *f, const struct ns_row *n,
    const struct sub_row *s, char *msg, size_t len)
{
	const char	*params[3];

	params[0] = n->id;
	params[1] = f->lock_version;
	params[2] = s->id;
	if (write_exec_count(w, "UPDATE namespaces SET "
	    "zuora_subscription_id = NULL, plan = 'free', "
	    "subscription_expires_on = NULL WHERE id = $1::bigint AND "
	    "lock_version = $2::integer AND "
	    "zuora_subscription_id = $3::bigint", 3, params) != 1)
		return (-1);
	(void)snprintf(msg, len, "Subscription %s cleared from %s, which is "
	    "now on Free.", s->name, n->path);

	return (0);
}

/*
 * The subscription moved to n; the namespace it was on (prev) goes to
 * Free first, and keeps an end date of its own.
 */
static int
action_reassociate(struct app_req *ctx, struct write_txn *w,
    struct form *f, const struct ns_row *n, const struct sub_row *s,
    char *msg, size_t len)
{
	struct ns_row	 prev;
	const char	*params[4];

	memset(&prev, 0, sizeof(prev));
	if (s->ns[0] != '\0') {
		if (ns_fetch(ctx, w, s->ns, 1, &prev) != 1)
			return (-1);
		params[0] = prev.id;
		if (write_exec_count(w, "UPDATE namespaces SET "
		    "zuora_subscription_id = NULL, plan = 'free', "
		    "subscription_expires_on = NULL WHERE "
		    "id = $1::bigint", 1, params) != 1)
			return (-1);
	}
	params[0] = n->id;
	params[1] = f->lock_version;
	params[2] = s->id;
	params[3] = s->plan;
	if (write_exec_count(w, "UPDATE namespaces SET "
	    "zuora_subscription_id = $3::bigint, "
	    "plan = namespace_plan_for($4) WHERE id = $1::bigint AND "
	    "lock_version = $2::integer", 4, params) != 1)
		return (-1);
	if (prev.found && prev.expires[0] != '\0' &&
	    strcmp(prev.expires, s->term_end) != 0) {
		params[1] = prev.expires;
		if (write_exec_count(w, "UPDATE namespaces SET "
		    "subscription_expires_on = $2::date WHERE "
		    "id = $1::bigint", 2, params) != 1)
			return (-1);
	}
	if (prev.found)
		(void)snprintf(msg, len, "Subscription %s moved to %s; %s is "
		    "now on Free.", s->name, n->path, prev.path);
	else
		(void)snprintf(msg, len, "Subscription %s linked to %s.",
		    s->name, n->path);

	return (0);
}

/* A temporary extension of n's subscription (support/extension.c). */
static int
action_extend(struct http_request *req, struct app_req *ctx,
    struct write_txn *w, const struct ns_action *a, struct form *f,
    const struct ns_row *n, const struct sub_row *s, const char *back)
{
	struct ext_request	 rq;
	struct ext_result	 out;
	char			 actor[APP_USER_MAX + 8], msg[1024];

	if (session_actor(ctx, actor, sizeof(actor)) == NULL)
		return (action_failed(req, ctx, w, a, f, n, s));
	memset(&rq, 0, sizeof(rq));
	rq.subscription = n->sub;
	rq.salesforce_opportunity_id = form_value(f,
	    "salesforce_opportunity_id");
	rq.reason = form_value(f, "reason");
	rq.notes = form_value(f, "notes");
	rq.created_by = actor;
	rq.via = "support";
	if (extension_create(w, &rq, &out) == -1) {
		if (out.code == EXT_UNAVAILABLE)
			return (edit_db_error(req, ctx));
		return (page(req, ctx, a, n->gitlab_id, s->zid, f, 422,
		    out.message));
	}

	(void)snprintf(msg, sizeof(msg), "Subscription %s temporarily "
	    "extended until %s.%s", out.subscription_name, out.ends_on,
	    gitlab_queued_note(w));
	if (write_commit(w) == -1)
		return (action_failed(req, ctx, w, a, f, n, s));
	extension_log_created(&rq, &out);

	return (edit_flash_redirect(req, "notice", msg, back));
}

/* The action on the locked rows, committed, and the answer. */
static int
action_write(struct http_request *req, struct app_req *ctx,
    struct write_txn *w, const struct ns_action *a, struct form *f,
    const struct ns_row *n, const struct sub_row *s)
{
	char	back[256], msg[1024];
	size_t	len;
	int	rc;

	tab_href(a, n, s, back, sizeof(back));
	switch (a->id) {
	case A_CLEAR:
		rc = action_clear(w, f, n, s, msg, sizeof(msg));
		break;
	case A_REASSOCIATE:
		rc = action_reassociate(ctx, w, f, n, s, msg, sizeof(msg));
		break;
	case A_EXTEND:
		return (action_extend(req, ctx, w, a, f, n, s, back));
	default:
		rc = action_set_value(w, a, f, n, msg, sizeof(msg));
		break;
	}

	if (rc == 1) {
		write_rollback(w);
		return (edit_flash_redirect(req, "notice", "Nothing was "
		    "changed.", back));
	}
	if (rc == -1)
		return (action_failed(req, ctx, w, a, f, n, s));

	len = strlen(msg);
	(void)snprintf(msg + len, sizeof(msg) - len, "%s",
	    gitlab_queued_note(w));
	if (write_commit(w) == -1)
		return (action_failed(req, ctx, w, a, f, n, s));

	return (edit_flash_redirect(req, "notice", msg, back));
}

/*
 * A valid form: the namespace and subscription read once, locked, in the
 * transaction that changes them.
 */
static int
action_run(struct http_request *req, struct app_req *ctx,
    const struct ns_action *a, struct form *f, const char *sub_id,
    const char *previous)
{
	struct write_txn	 w;
	struct ns_row		 n;
	struct sub_row		 s;
	int			 rc, ret;

	rc = -1;
	if (write_begin_admin(&w, ctx,
	    form_value(f, "zendesk_ticket")) == -1 ||
	    (rc = action_rows(ctx, &w, a, sub_id, &n, &s)) != 1) {
		write_rollback(&w);
		return (rc == 0 ? action_not_found(req, ctx) :
		    edit_db_error(req, ctx));
	}
	if (action_refused(req, ctx, &w, a, f, &n, &s, previous, &ret))
		return (ret);

	return (action_write(req, ctx, &w, a, f, &n, &s));
}

/*
 * A form in error, shown again with the namespace and subscription as
 * they are (looked up by GitLab ID and Zuora's ID).
 */
static int
action_invalid(struct http_request *req, struct app_req *ctx,
    const struct ns_action *a, struct form *f, const char *sub_id)
{
	struct ns_row	 n;
	struct sub_row	 s;
	int		 rc;

	rc = action_rows(ctx, NULL, a, sub_id, &n, &s);
	if (rc == 1)
		return (page(req, ctx, a, n.gitlab_id, s.zid, f, 422, NULL));

	return (rc == 0 ? action_not_found(req, ctx) :
	    edit_db_error(req, ctx));
}

/* POST /admin/support/namespaces/<id>/<action> */
int
support_namespace_action(struct http_request *req, struct app_req *ctx)
{
	const struct ns_action	*a;
	struct form		 f;
	const char		*sub_id, *previous;
	int			 ret;

	if ((a = action_find(ctx->args[1])) == NULL)
		return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no such namespace control."));

	form_init(&f, a->fields);
	form_read(&f, &ctx->form);
	sub_id = param_last(&ctx->form, "subscription");
	previous = param_last(&ctx->form, "previous");
	if (!form_lock_ok(&f) || (a->need_sub && (sub_id == NULL ||
	    previous == NULL || strspn(sub_id, "0123456789") !=
	    strlen(sub_id) || *sub_id == '\0' || strlen(sub_id) > 18)))
		ret = render_error(req, ctx, HTTP_STATUS_BAD_REQUEST,
		    "The form lacks what it was read for (the namespace's "
		    "lock_version, the subscription); find the namespace "
		    "again.");
	else if (form_validate(&f, ctx) > 0)
		ret = action_invalid(req, ctx, a, &f, sub_id);
	else
		ret = action_run(req, ctx, a, &f, sub_id, previous);
	form_free(&f);

	return (ret);
}
