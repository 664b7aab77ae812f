/*
 * The global search, /admin/search?query=: one box for every record.
 *
 * A key is recognised first (keys.c), then looked up in three stages,
 * each run only when the ones before it found nothing:
 *   1. exact look-ups, each an indexed equality on the columns that kind
 *      of key can name (migration 020 adds the indexes they lacked), and
 *      for a number every resource's record ID;
 *   2. partial look-ups of the same kinds: the others at an e-mail's
 *      domain, the hostnames in a domain;
 *   3. the resources' own list searches (admin/query.c), a few rows each,
 *      for a key with a word of SEARCH_WORD_MIN characters or more (what
 *      the trigram indexes need: a table is scanned whole for a letter),
 *      of the resources whose search reads their own columns: one that
 *      reads a joined table's (an order by its account's name, a trial by
 *      its namespace's path) would read every match of a common word in
 *      that table, and its records belong to one found here.  The page
 *      links to their lists, searched for the same.
 * Results are grouped by resource, best first; exactly one match sends
 * the browser to it (JSON clients get its href).
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "admin/resource.h"
#include "lib/validate.h"
#include "search/search.h"

/* Rows shown per resource; one more is read to know there are more. */
#define GROUP_ROWS		5
#define GROUP_READ		"6"
/* Rows of a list search ranked (exact matches first) per resource. */
#define TEXT_RANKED		"50"
#define GROUPS_MAX		24

#define STAGE_EXACT		0
#define STAGE_PARTIAL		1

/* What $1 is: the key as typed, or its domain (after an '@'). */
#define FORM_KEY		0
#define FORM_DOMAIN		1

struct lookup {
	int		 kinds;		/* KEY_* it applies to */
	int		 stage;
	int		 form;
	const char	*resource;
	const char	*matched;	/* SQL: the line saying what matched */
	const char	*where;		/* SQL over the resource's FROM, $1 */
	const char	*order;		/* NULL: newest record first */
};

/*
 * Subscriptions whose self-managed instances report a hostname, read
 * once as an array: "t.id IN (subquery)" let a generic plan walk the
 * subscriptions in order and probe the seat links for each (75 ms at
 * 20,000,000 seat links, against 1 ms).
 */
#define SEAT_LINKS_FROM(cond) \
	"(ARRAY(SELECT DISTINCT l.zuora_subscription_id FROM " \
	"license_seat_links l WHERE reverse(lower(l.hostname)) " cond "))"
#define HOSTNAME_IS	SEAT_LINKS_FROM("= reverse(lower($1))")
#define HOSTNAME_IN	SEAT_LINKS_FROM("LIKE reverse('.' || lower($1)) " \
			    "|| '%' LIMIT 500")
#define DOMAIN_OF(col)	"lower(split_part(" col ", '@', 2)) = lower($1)"

/*
 * The look-ups, in the order their resources are shown.  Every condition
 * reads an index: see sql/migrations/020_global_search.sql.
 */
static const struct lookup lookups[] = {
	{ KEY_EMAIL, STAGE_EXACT, FORM_KEY, "customers",
	    "'Email ' || t.email", "lower(t.email) = lower($1)", NULL },
	{ KEY_NUMBER, STAGE_EXACT, FORM_KEY, "customers",
	    "'GitLab.com user ID ' || t.uid", "t.uid = $1::bigint", NULL },
	{ KEY_DOMAIN, STAGE_EXACT, FORM_DOMAIN, "customers",
	    "'Email ' || t.email", DOMAIN_OF("t.email"), NULL },
	{ KEY_EMAIL, STAGE_PARTIAL, FORM_DOMAIN, "customers",
	    "'Same domain: ' || t.email", DOMAIN_OF("t.email"), NULL },
	{ KEY_ZUORA_ID, STAGE_EXACT, FORM_KEY, "billing_accounts",
	    "'Zuora account ID ' || t.zuora_account_id",
	    "t.zuora_account_id = lower($1)", NULL },
	{ KEY_SFDC_ACCOUNT, STAGE_EXACT, FORM_KEY, "billing_accounts",
	    "'SFDC account ID ' || t.salesforce_account_id",
	    "left(t.salesforce_account_id, 15) = left($1, 15)", NULL },
	{ KEY_EMAIL, STAGE_EXACT, FORM_KEY, "billing_account_contacts",
	    "'Work email ' || t.work_email",
	    "lower(t.work_email) = lower($1)", NULL },
	{ KEY_ZUORA_ID, STAGE_EXACT, FORM_KEY, "billing_account_contacts",
	    "'Zuora contact ID ' || t.zuora_contact_id",
	    "t.zuora_contact_id = lower($1)", NULL },
	{ KEY_DOMAIN, STAGE_EXACT, FORM_DOMAIN, "billing_account_contacts",
	    "'Work email ' || t.work_email", DOMAIN_OF("t.work_email"), NULL },
	{ KEY_EMAIL, STAGE_PARTIAL, FORM_DOMAIN, "billing_account_contacts",
	    "'Same domain: ' || t.work_email", DOMAIN_OF("t.work_email"),
	    NULL },
	{ KEY_NAME, STAGE_EXACT, FORM_KEY, "zuora_subscriptions",
	    "'Subscription name ' || t.name", "t.name IN ($1, upper($1))",
	    NULL },
	{ KEY_ZUORA_ID, STAGE_EXACT, FORM_KEY, "zuora_subscriptions",
	    "'Zuora subscription ID ' || t.zuora_subscription_id",
	    "t.zuora_subscription_id = lower($1)", NULL },
	{ KEY_HOSTNAME, STAGE_EXACT, FORM_KEY, "zuora_subscriptions",
	    "'Seat links from ' || lower($1)", "t.id = ANY " HOSTNAME_IS, NULL },
	{ KEY_DOMAIN, STAGE_PARTIAL, FORM_KEY, "zuora_subscriptions",
	    "'Seat links from a host in ' || lower($1)",
	    "t.id = ANY " HOSTNAME_IN, NULL },
	{ KEY_NAME, STAGE_EXACT, FORM_KEY, "invoices",
	    "'Invoice ' || t.zuora_invoice_number",
	    "t.zuora_invoice_number IN ($1, upper($1))", NULL },
	{ KEY_ZUORA_ID, STAGE_EXACT, FORM_KEY, "payment_methods",
	    "'Zuora payment method ID ' || t.zuora_payment_method_id",
	    "t.zuora_payment_method_id = lower($1)", NULL },
	{ KEY_EMAIL, STAGE_EXACT, FORM_KEY, "licenses",
	    "'Email ' || t.email", "lower(t.email) = lower($1)",
	    "t.issued_at DESC, t.id DESC" },
	{ KEY_DOMAIN, STAGE_EXACT, FORM_DOMAIN, "licenses",
	    "'Email ' || t.email", DOMAIN_OF("t.email"), NULL },
	{ KEY_EMAIL, STAGE_PARTIAL, FORM_DOMAIN, "licenses",
	    "'Same domain: ' || t.email", DOMAIN_OF("t.email"), NULL },
	{ KEY_HOSTNAME, STAGE_EXACT, FORM_KEY, "licenses",
	    "'Subscription ' || s.name || ' has seat links from ' || "
	    "lower($1)", "t.zuora_subscription_id = ANY " HOSTNAME_IS,
	    "t.issued_at DESC, t.id DESC" },
	{ KEY_NUMBER, STAGE_EXACT, FORM_KEY, "namespaces",
	    "'Namespace ID ' || t.gitlab_id", "t.gitlab_id = $1::bigint",
	    NULL },
	{ KEY_PATH, STAGE_EXACT, FORM_KEY, "namespaces",
	    "'Path ' || t.path", "lower(t.path) = lower($1)", NULL },
	{ KEY_NUMBER, STAGE_EXACT, FORM_KEY, "orders",
	    "'Order ID ' || t.id", "t.id = $1::bigint", NULL },
	{ KEY_NUMBER, STAGE_EXACT, FORM_KEY, "orders",
	    "'GitLab namespace ID ' || t.gl_namespace_id",
	    "t.gl_namespace_id = $1::bigint", NULL },
	{ KEY_SFDC_OPPORTUNITY, STAGE_EXACT, FORM_KEY, "reconciliations",
	    "'SFDC opportunity ID ' || t.salesforce_opportunity_id",
	    "left(t.salesforce_opportunity_id, 15) = left($1, 15)", NULL },
	{ KEY_SFDC_OPPORTUNITY, STAGE_EXACT, FORM_KEY, "temporary_extensions",
	    "'SFDC opportunity ID ' || t.salesforce_opportunity_id",
	    "left(t.salesforce_opportunity_id, 15) = left($1, 15)", NULL },
};

struct group {
	const struct resource	*res;
	json_t			*rows;
	int			 more;
	int			 exact;		/* has an exact match */
	int			 order;
};

struct search {
	const char		*key;
	int			 kinds;
	struct group		 groups[GROUPS_MAX];
	int			 ngroups;
	int			 total;
	/* The lists a text search left to their own pages: all of them
	 * when no word is long enough to read an index. */
	const struct resource	*elsewhere[GROUPS_MAX];
	int			 nelsewhere;
	int			 short_words;
};

static struct group	*group_get(struct search *, const struct resource *);
static void		 group_rows(struct search *, const struct resource *,
			    PGresult *);
static int		 run_sql(struct app_req *, struct search *,
			    const struct resource *, struct sql *);
static int		 run_lookups(struct app_req *, struct search *, int);
static int		 run_ids(struct app_req *, struct search *);
static int		 run_text(struct app_req *, struct search *,
			    const struct resource *);
static int		 run_stages(struct app_req *, struct search *);
static int		 group_cmp(const void *, const void *);
static json_t		*groups_view(struct search *, const char **);
static json_t		*kinds_view(int);
static json_t		*elsewhere_view(struct search *);
static json_t		*list_href(const struct resource *, const char *);
static void		 search_free(struct search *);

/* The group of res's rows, made on first use. */
static struct group *
group_get(struct search *srch, const struct resource *res)
{
	struct group	*g;
	int		 i;

	for (i = 0; i < srch->ngroups; i++) {
		if (srch->groups[i].res == res)
			return (&srch->groups[i]);
	}
	if (srch->ngroups == GROUPS_MAX)
		fatalx("search: more than %d groups", GROUPS_MAX);

	g = &srch->groups[srch->ngroups];
	memset(g, 0, sizeof(*g));
	g->res = res;
	g->rows = json_array();
	g->order = srch->ngroups++;

	return (g);
}

/*
 * A look-up's rows (columns id, title, matched, exact) into res's group:
 * a record found by two look-ups is shown once, under the first.
 */
static void
group_rows(struct search *srch, const struct resource *res, PGresult *pr)
{
	struct group	*g;
	json_t		*row;
	const char	*id;
	size_t		 k;
	int		 i, n, seen, exact;

	n = PQntuples(pr);
	if (n == 0)
		return;
	g = group_get(srch, res);
	for (i = 0; i < n; i++) {
		id = DB_COL(pr, i, "id");
		seen = 0;
		json_array_foreach(g->rows, k, row) {
			if (strcmp(json_string_value(json_object_get(row,
			    "id")), id) == 0)
				seen = 1;
		}
		if (seen)
			continue;
		if (json_array_size(g->rows) == GROUP_ROWS) {
			g->more = 1;
			break;
		}
		exact = strcmp(DB_COL(pr, i, "exact"), "t") == 0;
		g->exact |= exact;
		json_array_append_new(g->rows, json_pack("{s:s, s:s?, s:s?, "
		    "s:o, s:b}", "id", id, "title", DB_NULL(pr, i, "title") ?
		    NULL : DB_COL(pr, i, "title"), "matched",
		    DB_NULL(pr, i, "matched") ? NULL :
		    DB_COL(pr, i, "matched"), "href", json_sprintf(
		    "/admin/%s/%s", res->name, id), "exact", exact));
		srch->total++;
	}
}

/* Runs s (freed here) and files its rows under res; -1 on an error. */
static int
run_sql(struct app_req *ctx, struct search *srch, const struct resource *res,
    struct sql *s)
{
	PGresult	*pr;

	pr = sql_exec(ctx, s);
	sql_free(s);
	if (pr == NULL)
		return (-1);
	group_rows(srch, res, pr);
	PQclear(pr);

	return (0);
}

/* The look-ups of a stage that the key's kinds can match. */
static int
run_lookups(struct app_req *ctx, struct search *srch, int stage)
{
	const struct lookup	*lk;
	const struct resource	*res;
	struct sql		 s;
	size_t			 i;

	for (i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
		lk = &lookups[i];
		if (lk->stage != stage || !(lk->kinds & srch->kinds))
			continue;
		if ((res = resource_find(lk->resource)) == NULL)
			fatalx("search: no resource %s", lk->resource);
		sql_init(&s);
		sql_param(&s, lk->form == FORM_DOMAIN ?
		    search_key_domain(srch->key) : srch->key);
		kore_buf_appendf(s.text, "SELECT t.id AS id, (%s)::text AS "
		    "title, (%s)::text AS matched, %s AS exact FROM %s "
		    "WHERE %s ORDER BY %s LIMIT " GROUP_READ, res->title_expr,
		    lk->matched, stage == STAGE_EXACT ? "true" : "false",
		    res->from, lk->where, lk->order != NULL ? lk->order :
		    "t.id DESC");
		/* A LIKE prefix reads the index only when planned with
		 * the value in hand. */
		s.by_value = strstr(lk->where, " LIKE ") != NULL;
		if (run_sql(ctx, srch, res, &s) == -1)
			return (-1);
	}

	return (0);
}

/* A number is also a record's ID, in any resource. */
static int
run_ids(struct app_req *ctx, struct search *srch)
{
	struct sql	s;
	size_t		i;

	for (i = 0; resources[i] != NULL; i++) {
		/* An order's ID is a look-up of its own (Order ID). */
		if (strcmp(resources[i]->name, "orders") == 0)
			continue;
		sql_init(&s);
		sql_param(&s, srch->key);
		kore_buf_appendf(s.text, "SELECT t.id AS id, (%s)::text AS "
		    "title, 'ID ' || t.id AS matched, true AS exact FROM %s "
		    "WHERE t.id = $1::bigint", resources[i]->title_expr,
		    resources[i]->from);
		if (run_sql(ctx, srch, resources[i], &s) == -1)
			return (-1);
	}

	return (0);
}

/*
 * A resource's own list search for the key, as its list page runs it: a
 * few of its matches, those where a field is the key itself first.
 */
static int
run_text(struct app_req *ctx, struct search *srch,
    const struct resource *res)
{
	const struct field	*f;
	struct list_query	 q;
	struct params		 p;
	struct kore_buf		*exact, *shown;
	struct sql		 s;
	int			 rc, n;

	rc = 0;
	memset(&q, 0, sizeof(q));
	params_init(&p);
	exact = kore_buf_alloc(256);
	shown = kore_buf_alloc(256);
	if (params_add(&p, "query", srch->key) == -1 ||
	    list_query_parse(ctx, &q, res, &p) == -1)
		goto done;

	sql_init(&s);
	n = sql_param(&s, srch->key);
	kore_buf_appendf(exact, "false");
	kore_buf_appendf(shown, "NULL");
	for (f = res->fields; f->name != NULL; f++) {
		if (!(f->flags & F_SEARCH) || f->type != FT_TEXT)
			continue;
		kore_buf_appendf(exact, " OR lower((%s)::text) = lower($%d)",
		    f->expr, n);
		kore_buf_appendf(shown, ", %s", f->expr);
	}
	kore_buf_appendf(s.text, "SELECT id, title, matched, exact FROM "
	    "(SELECT t.id AS id, (%s)::text AS title, concat_ws(' · ', %s) "
	    "AS matched, coalesce(%s, false) AS exact FROM %s",
	    res->title_expr, kore_buf_stringify(shown, NULL),
	    kore_buf_stringify(exact, NULL), res->from);
	list_where(&s, &q);
	kore_buf_appendf(s.text, " LIMIT " TEXT_RANKED ") m ORDER BY exact "
	    "DESC, id DESC LIMIT " GROUP_READ);
	/*
	 * Prepared, unlike the list's own search: a search runs one such
	 * statement per resource, the same few texts whatever the words
	 * (they are parameters), and planning each anew cost more than
	 * running it.  Every condition a search writes reads its index with
	 * the value given at run time (GIN, or a btree on equality), and
	 * PostgreSQL keeps planning anew whenever that looks cheaper.
	 */
	s.by_value = 0;
	rc = run_sql(ctx, srch, res, &s);

done:
	list_query_free(&q);
	kore_buf_free(exact);
	kore_buf_free(shown);
	params_free(&p);

	return (rc);
}

/* Exact look-ups, then partial ones, then the lists' searches. */
static int
run_stages(struct app_req *ctx, struct search *srch)
{
	const struct field	*f;
	size_t			 i;

	if (run_lookups(ctx, srch, STAGE_EXACT) == -1)
		return (-1);
	if ((srch->kinds & KEY_NUMBER) && run_ids(ctx, srch) == -1)
		return (-1);
	if (srch->total == 0 && run_lookups(ctx, srch, STAGE_PARTIAL) == -1)
		return (-1);
	if (srch->total > 0)
		return (0);

	srch->short_words = !text_has_word(srch->key, LIST_WORDS_MAX,
	    SEARCH_WORD_MIN);
	for (i = 0; resources[i] != NULL; i++) {
		for (f = resources[i]->fields; f->name != NULL; f++) {
			if (f->flags & F_SEARCH)
				break;
		}
		if (f->name == NULL)
			continue;
		if (srch->short_words || list_search_joins(resources[i])) {
			if (srch->nelsewhere < GROUPS_MAX)
				srch->elsewhere[srch->nelsewhere++] =
				    resources[i];
			continue;
		}
		if (run_text(ctx, srch, resources[i]) == -1)
			return (-1);
	}

	return (0);
}

/* The address of res's list searched for the key. */
static json_t *
list_href(const struct resource *res, const char *key)
{
	struct kore_buf	*href;
	json_t		*v;

	href = kore_buf_alloc(128);
	kore_buf_appendf(href, "%s?query=", resource_path(res));
	url_append(href, key);
	v = json_stringn((const char *)href->data, href->offset);
	kore_buf_free(href);

	return (v);
}

/* Links to the lists a text search left to their own pages. */
static json_t *
elsewhere_view(struct search *srch)
{
	json_t	*v;
	int	 i;

	v = json_array();
	for (i = 0; i < srch->nelsewhere; i++) {
		json_array_append_new(v, json_pack("{s:s, s:s, s:o}",
		    "resource", srch->elsewhere[i]->name, "label",
		    srch->elsewhere[i]->label, "href",
		    list_href(srch->elsewhere[i], srch->key)));
	}

	return (json_pack("{s:o}", "lists", v));
}

/* Groups with an exact match first, then in the look-ups' order. */
static int
group_cmp(const void *a, const void *b)
{
	const struct group	*ga = a, *gb = b;

	if (ga->exact != gb->exact)
		return (gb->exact - ga->exact);

	return (ga->order - gb->order);
}

/*
 * The groups for the page (the search's rows move into them), and in
 * *one the href of the only match, if there is exactly one.
 */
static json_t *
groups_view(struct search *srch, const char **one)
{
	struct group	*g;
	json_t		*groups, *v;
	int		 i;

	*one = NULL;
	qsort(srch->groups, (size_t)srch->ngroups, sizeof(srch->groups[0]),
	    group_cmp);
	groups = json_array();
	for (i = 0; i < srch->ngroups; i++) {
		g = &srch->groups[i];
		v = json_pack("{s:s, s:s, s:s, s:o, s:b, s:b}", "resource",
		    g->res->name, "label", g->res->label, "singular",
		    g->res->singular, "rows", g->rows, "more", g->more,
		    "exact", g->exact);
		if (g->more)
			json_object_set_new(v, "all_href",
			    list_href(g->res, srch->key));
		if (srch->total == 1 && !g->more)
			*one = json_string_value(json_object_get(
			    json_array_get(g->rows, 0), "href"));
		json_array_append_new(groups, v);
		g->rows = NULL;
	}

	return (groups);
}

/* What groups_view() did not take. */
static void
search_free(struct search *srch)
{
	int	i;

	for (i = 0; i < srch->ngroups; i++) {
		if (srch->groups[i].rows != NULL)
			json_decref(srch->groups[i].rows);
		srch->groups[i].rows = NULL;
	}
}

static json_t *
kinds_view(int kinds)
{
	json_t	*v;
	int	 k;

	v = json_array();
	for (k = 1; k <= KEY_TEXT; k <<= 1) {
		if (kinds & k)
			json_array_append_new(v,
			    json_string(search_key_kind_name(k)));
	}

	return (v);
}

int
page_search(struct http_request *req, struct app_req *ctx)
{
	struct search	 srch;
	json_t		*view, *groups;
	const char	*one, *v;
	char		*key;
	size_t		 len;
	int		 status, rc;

	memset(&srch, 0, sizeof(srch));
	v = params_get(&ctx->query, "query");
	len = v != NULL ? strlen(v) : 0;
	key = kore_strdup(v != NULL ? v : "");
	view = render_view(ctx, "Search");
	status = HTTP_STATUS_OK;
	groups = NULL;
	one = NULL;

	switch (search_key_check(key, &len)) {
	case KEY_EMPTY:
		json_object_set_new(view, "hint", json_true());
		break;
	case KEY_TOO_LONG:
		status = HTTP_STATUS_BAD_REQUEST;
		json_object_set_new(view, "error", json_sprintf("The search "
		    "is too long (at most %d characters).", SEARCH_CHARS_MAX));
		break;
	case KEY_CONTROL:
		status = HTTP_STATUS_BAD_REQUEST;
		json_object_set_new(view, "error", json_string("The search "
		    "may not contain control characters."));
		break;
	default:
		srch.key = key;
		srch.kinds = search_key_kinds(key);
		if (run_stages(ctx, &srch) == -1) {
			rc = render_db_error(req, ctx);
			json_decref(view);
			goto done;
		}
		groups = groups_view(&srch, &one);
		json_object_set_new(view, "kinds", kinds_view(srch.kinds));
		if (srch.nelsewhere > 0)
			json_object_set_new(view, "elsewhere",
			    elsewhere_view(&srch));
		json_object_set_new(view, "short_words", json_boolean(
		    srch.short_words));
		json_object_set_new(view, "empty", json_boolean(
		    srch.total == 0));
		json_object_set_new(view, "total", json_integer(srch.total));
		break;
	}

	json_object_set_new(view, "query", json_string(key));
	json_object_set_new(view, "global_query", json_string(key));
	json_object_set_new(view, "groups", groups != NULL ? groups :
	    json_array());
	if (one != NULL && !ctx->wants_json) {
		rc = render_redirect(req, one);
		json_decref(view);
		goto done;
	}
	if (one != NULL)
		json_object_set_new(view, "href", json_string(one));
	rc = render_page(req, ctx, status, "search", view);

done:
	search_free(&srch);
	kore_free(key);

	return (rc);
}
