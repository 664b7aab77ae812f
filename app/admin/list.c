/*
 * The generic pages over a resource descriptor: list (search, filters,
 * sort, pages), show (with related lists) and the list's JSON.
 *
 * Lists never count a whole table: a page is read with one row more than
 * it shows (to know whether there is a next one), and the total is
 * counted only up to LIST_COUNT_MAX rows, shown as "more than N" beyond.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/resource.h"

static json_t	*row_view(const struct resource *, PGresult *, int, int);
static json_t	*cell_view(const struct field *, PGresult *, int, int *);
static json_t	*columns_view(const struct list_query *);
static json_t	*filter_fields_view(const struct resource *);
static json_t	*resource_view(const struct resource *);
static long long match_ids(struct app_req *, const struct list_query *,
		    char **, int *);
static char	*page_ids(struct app_req *, const struct list_query *);
static int	 list_rows(struct app_req *, const struct list_query *,
		    json_t *, json_t *);
static int	 page_rows(struct app_req *, const struct list_query *,
		    char *, int, json_t *);
static void	 limit_offset(struct sql *, int, long);
static int	 offset_param(struct sql *, long);
static json_t	*pages_view(const struct list_query *, long long, int);
static json_t	*lookup_view(const struct resource *, const char *);
static json_t	*related_view(struct app_req *, const struct related *,
		    const char *);
static void	 actions_icons(json_t *, int);
static int	 has_filters(const struct params *);
static void	 related_names(json_t *, const struct related *);

static json_t *
resource_view(const struct resource *res)
{
	json_t	*v;

	v = json_pack("{s:s, s:s, s:s, s:s}", "name", res->name, "label",
	    res->label, "singular", res->singular, "path",
	    resource_path(res));
	if (res->note != NULL)
		json_object_set_new(v, "note", json_string(res->note));

	return (v);
}

/* enum field_type's names, as cells give them to the templates. */
static const char *const field_types[] = {
	"text", "int", "decimal", "date", "time", "bool", "enum",
};
_Static_assert(sizeof(field_types) / sizeof(field_types[0]) == FT_ENUM + 1,
    "a field type without a name");

/*
 * The Fulfillment Guide's icons: a row's Edit is the pencil it tells
 * staff to click (its Show and History, ℹ️ and 📕, are in the templates),
 * and a show page's Delete reads "x Delete".  Rows (row 1) get "icon",
 * shown alone with the label as the link's accessible name; a show
 * page's buttons (row 0) get "prefix", shown before the label.
 */
static void
actions_icons(json_t *acts, int row)
{
	json_t		*a;
	const char	*name;
	size_t		 i;

	json_array_foreach(acts, i, a) {
		if ((name = json_string_value(json_object_get(a, "name"))) ==
		    NULL)
			continue;
		if (row && strcmp(name, "edit") == 0)
			json_object_set_new(a, "icon", json_string(
			    "\xe2\x9c\x8e"));			/* ✎ */
		else if (row && strcmp(name, "delete") == 0)
			json_object_set_new(a, "icon", json_string(
			    "\xe2\x9c\x96"));			/* ✖ */
		else if (!row && strcmp(name, "delete") == 0)
			json_object_set_new(a, "prefix", json_string("x"));
	}
}

/* One cell: the field's value as shown, with its link. */
static json_t *
cell_view(const struct field *f, PGresult *res, int row, int *col)
{
	json_t		*cell;
	const char	*v, *linked;
	char		 href[160];

	v = list_value(res, row, (*col)++);

	cell = json_object();
	json_object_set_new(cell, "name", json_string(f->name));
	/* For the page's styles: dates never break, long text is clipped. */
	json_object_set_new(cell, "type", json_string(field_types[f->type]));
	if (f->type == FT_TEXT && v != NULL)
		json_object_set_new(cell, "is_text", json_true());
	if (v == NULL) {
		json_object_set_new(cell, "value", json_null());
		json_object_set_new(cell, "blank", json_true());
	} else if (f->type == FT_BOOL) {
		json_object_set_new(cell, "value", json_string(
		    strcmp(v, "true") == 0 ? "Yes" : "No"));
		json_object_set_new(cell, strcmp(v, "true") == 0 ? "yes" :
		    "no", json_true());
	} else if (f->flags & F_MASKED) {
		json_object_set_new(cell, "value",
		    json_sprintf("\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2"
		    "\xe2\x80\xa2 %s", v));
	} else {
		json_object_set_new(cell, "value", json_string(v));
	}

	if (f->link != NULL) {
		linked = list_value(res, row, (*col)++);
		if (linked != NULL && v != NULL) {
			(void)snprintf(href, sizeof(href), "/admin/%s/%s",
			    f->link, linked);
			json_object_set_new(cell, "href", json_string(href));
		}
	}

	return (cell);
}

/* A result row laid out by list_select(res, flag). */
static json_t *
row_view(const struct resource *res, PGresult *pr, int row, int flag)
{
	const struct field	*f;
	json_t			*cells, *r;
	const char		*id, *badge;
	int			 col;

	id = list_value(pr, row, 0);
	cells = json_array();
	col = 1;
	for (f = res->fields; f->name != NULL; f++) {
		if (f->flags & flag)
			json_array_append_new(cells, cell_view(f, pr, row,
			    &col));
	}
	badge = list_value(pr, row, col++);

	r = json_pack("{s:s, s:o, s:s?}", "id", id, "cells", cells, "title",
	    list_value(pr, row, col));
	json_object_set_new(r, "show_href", json_sprintf("/admin/%s/%s",
	    res->name, id));
	json_object_set_new(r, "history_href",
	    json_sprintf("/admin/%s/%s/history", res->name, id));
	if (res->badge_expr != NULL && badge != NULL &&
	    strcmp(badge, "t") == 0)
		json_object_set_new(r, "badge", json_string(res->badge_label));

	return (r);
}

static json_t *
columns_view(const struct list_query *q)
{
	const struct field	*f;
	json_t			*cols, *c;
	char			*qs;
	int			 sorted, reverse;

	cols = json_array();
	for (f = q->res->fields; f->name != NULL; f++) {
		if (!(f->flags & F_LIST))
			continue;
		c = json_pack("{s:s, s:s, s:b}", "name", f->name, "label",
		    f->label, "searchable", (f->flags & F_SEARCH) != 0);
		if (f->flags & F_SORT) {
			sorted = q->sort == f;
			/* A second click on a sorted column turns it round. */
			reverse = sorted ? !q->reverse :
			    (f->type == FT_DATE || f->type == FT_TIME);
			qs = list_query_string(q, "sort", f->name, reverse);
			json_object_set_new(c, "sort_href", json_sprintf("%s%s",
			    resource_path(q->res), qs));
			kore_free(qs);
			if (sorted) {
				json_object_set_new(c, q->reverse ?
				    "sorted_desc" : "sorted_asc", json_true());
			}
		}
		json_array_append_new(cols, c);
	}

	return (cols);
}

static json_t *
filter_fields_view(const struct resource *res)
{
	const struct field	*f;
	json_t			*list;

	list = json_array();
	for (f = res->fields; f->name != NULL; f++) {
		if (f->flags & F_FILTER) {
			json_array_append_new(list, json_pack("{s:s, s:s}",
			    "name", f->name, "label", f->label));
		}
	}

	return (list);
}

/*
 * The bounded count of matching rows (at most LIST_COUNT_MAX + 1), in one
 * round trip, and when that is all of them (at most LIST_COUNT_MAX) *ids
 * is an array literal of their ids for the page query, else NULL.  Lists
 * in id order need nothing else from the rows to place them: *ids then
 * holds just the page's (*sliced is 1), so PostgreSQL reads 25 rows, not
 * every match.  Returns the count, or -1 on a database error.
 */
static long long
match_ids(struct app_req *ctx, const struct list_query *q, char **ids,
    int *sliced)
{
	struct sql	 s;
	PGresult	*pr;
	long long	 n;
	int		 from;

	*ids = NULL;
	*sliced = q->sort == NULL || strcmp(q->sort->expr, "t.id") == 0;
	sql_init(&s);
	if (*sliced) {
		from = offset_param(&s, (q->page - 1) * q->per);
		kore_buf_appendf(s.text, "SELECT count(*) AS n, (array_agg(id "
		    "ORDER BY id %s))[$%d::int + 1 : $%d::int + %d] AS ids",
		    q->sort == NULL || q->reverse ? "DESC" : "ASC", from, from,
		    q->per);
	} else {
		kore_buf_appendf(s.text, "SELECT count(*) AS n, array_agg(id) "
		    "AS ids");
	}
	kore_buf_appendf(s.text, " FROM (SELECT t.id FROM %s", q->res->from);
	list_where(&s, q);
	kore_buf_appendf(s.text, " LIMIT %d) matches", LIST_COUNT_MAX + 1);

	n = -1;
	if ((pr = sql_exec(ctx, &s)) != NULL) {
		n = strtoll(DB_COL(pr, 0, "n"), NULL, 10);
		if (n <= LIST_COUNT_MAX) {
			*ids = kore_strdup(DB_NULL(pr, 0, "ids") ? "{}" :
			    DB_COL(pr, 0, "ids"));
		}
		PQclear(pr);
	}
	sql_free(&s);

	return (n);
}

/*
 * More matches than the bounded count: the page's ids, found in list order
 * by PostgreSQL, as an array literal, or NULL on a database error.  Only
 * ids: the columns, joins and subqueries of the list are then computed
 * for the page's rows alone, not for every row the sort goes through.
 */
static char *
page_ids(struct app_req *ctx, const struct list_query *q)
{
	struct sql	 s;
	PGresult	*pr;
	char		*out;

	sql_init(&s);
	kore_buf_appendf(s.text, "SELECT array_agg(id) AS ids FROM (SELECT "
	    "t.id FROM %s", q->res->from);
	list_where(&s, q);
	list_order(&s, q);
	limit_offset(&s, q->per, (q->page - 1) * q->per);
	kore_buf_appendf(s.text, ") page");
	pr = sql_exec(ctx, &s);
	sql_free(&s);
	if (pr == NULL)
		return (NULL);

	out = kore_strdup(DB_NULL(pr, 0, "ids") ? "{}" : DB_COL(pr, 0, "ids"));
	PQclear(pr);

	return (out);
}

/*
 * LIMIT and OFFSET, the offset as a parameter: each page of a list is
 * then the same statement, prepared once (db_exec_cached()).
 */
static void
limit_offset(struct sql *s, int limit, long offset)
{
	kore_buf_appendf(s->text, " LIMIT %d OFFSET $%d::bigint", limit,
	    offset_param(s, offset));
}

/* A page's offset as a parameter of s; returns its $n. */
static int
offset_param(struct sql *s, long offset)
{
	char	v[24];

	(void)snprintf(v, sizeof(v), "%ld", offset);
	return (sql_param_own(s, kore_strdup(v)));
}

static json_t *
pages_view(const struct list_query *q, long long total, int shown)
{
	json_t		*v;
	char		*qs;
	long long	 first;

	first = (q->page - 1) * q->per + 1;
	v = json_pack("{s:b, s:I, s:I, s:I}", "has_rows", shown > 0,
	    "number", (json_int_t)q->page,
	    "from", (json_int_t)(shown ? first : 0),
	    "to", (json_int_t)(shown ? first + shown - 1 : 0));

	if (total > LIST_COUNT_MAX) {
		json_object_set_new(v, "total_label",
		    json_sprintf("more than %d", LIST_COUNT_MAX));
	} else if (total >= 0) {
		json_object_set_new(v, "total", json_integer(total));
		json_object_set_new(v, "total_label",
		    json_sprintf("%lld", total));
	}

	if (q->page > 1) {
		qs = list_query_string(q, "page", NULL, (int)q->page - 1);
		json_object_set_new(v, "prev_href", json_sprintf("%s%s",
		    resource_path(q->res), qs));
		kore_free(qs);
	}
	if (first - 1 + shown < total && q->page < LIST_PAGE_MAX) {
		qs = list_query_string(q, "page", NULL, (int)q->page + 1);
		json_object_set_new(v, "next_href", json_sprintf("%s%s",
		    resource_path(q->res), qs));
		kore_free(qs);
	}

	return (v);
}

int
page_list(struct http_request *req, struct app_req *ctx)
{
	const struct resource	*res;
	struct list_query	 q;
	json_t			*view, *rows, *row;
	size_t			 k;
	int			 status;
	char			*qs;

	if ((res = resource_find(ctx->args[0])) == NULL)
		return (page_pending(req, ctx));

	view = render_view(ctx, res->label);
	json_object_set_new(view, "resource", resource_view(res));
	json_object_set_new(view, "filter_fields", filter_fields_view(res));

	status = HTTP_STATUS_OK;
	rows = json_array();
	if (list_query_parse(ctx, &q, res, &ctx->query) == -1) {
		status = HTTP_STATUS_BAD_REQUEST;
		json_object_set_new(view, "error", json_string(q.error));
	} else if (list_rows(ctx, &q, view, rows) == -1) {
		list_query_free(&q);
		json_decref(rows);
		json_decref(view);
		return (render_db_error(req, ctx));
	}

	json_object_set_new(view, "search", json_string(q.search != NULL ?
	    q.search : ""));
	json_object_set_new(view, "filters", list_filters_view(&q));
	json_object_set_new(view, "has_filters",
	    json_boolean(q.nfilters > 0 || q.add != NULL));
	json_object_set_new(view, "columns", columns_view(&q));
	json_object_set_new(view, "rows", rows);
	if (q.sort != NULL) {
		json_object_set_new(view, "sort", json_string(q.sort->name));
		json_object_set_new(view, "sort_reverse",
		    json_string(q.reverse ? "true" : "false"));
	}
	qs = list_query_string(&q, NULL, NULL, 0);
	json_object_set_new(view, "export_href", json_sprintf("%s/export.csv%s",
	    res->path != NULL ? res->path : resource_path(res), qs));
	kore_free(qs);
	json_object_set_new(view, "history_href", json_sprintf(
	    "/admin/%s/history", res->name));
	edit_list_decorate(ctx, res, view);
	list_screen_decorate(ctx, res, view);
	json_array_foreach(rows, k, row)
		actions_icons(json_object_get(row, "row_actions"), 1);
	list_query_free(&q);

	return (render_page(req, ctx, status, "list", view));
}

/*
 * The page's rows, appended to rows, and the pages around it in view.
 * Returns 0, or -1 on a database error.
 *
 * The page's rows are read by id.  Few matches (the bounded count found
 * them all): sort just those (in id order, the page's are already
 * picked).  PostgreSQL, which cannot tell from a substring how rare it
 * is, would otherwise walk the sort column's index through the whole
 * table looking for them.  More matches than that: they are not rare,
 * and page_ids() walks the sort order for the page's ids.
 */
static int
list_rows(struct app_req *ctx, const struct list_query *q, json_t *view,
    json_t *rows)
{
	long long	 total;
	int		 n, sliced;
	char		*ids;

	total = match_ids(ctx, q, &ids, &sliced);
	if (total > LIST_COUNT_MAX) {
		ids = page_ids(ctx, q);
		sliced = 1;
	}
	if (total == -1 || ids == NULL) {
		kore_free(ids);
		return (-1);
	}
	if ((n = page_rows(ctx, q, ids, sliced, rows)) == -1)
		return (-1);
	json_object_set_new(view, "pages", pages_view(q, total, n));

	return (0);
}

/*
 * The rows of the page (ids, an array literal the statement takes over:
 * the page's alone when sliced, else every match), appended to rows.
 * Returns how many, or -1 on a database error.
 */
static int
page_rows(struct app_req *ctx, const struct list_query *q, char *ids,
    int sliced, json_t *rows)
{
	struct sql	 s;
	PGresult	*pr;
	int		 i, n;

	sql_init(&s);
	list_select(&s, q->res, F_LIST);
	kore_buf_appendf(s.text, " WHERE t.id = ANY($%d::bigint[])",
	    sql_param_own(&s, ids));
	list_order(&s, q);
	limit_offset(&s, q->per, sliced ? 0 : (q->page - 1) * q->per);

	n = -1;
	if ((pr = sql_exec(ctx, &s)) != NULL) {
		n = PQntuples(pr);
		for (i = 0; i < n; i++)
			json_array_append_new(rows, row_view(q->res, pr, i,
			    F_LIST));
		PQclear(pr);
	}
	sql_free(&s);

	return (n);
}

/*
 * A related list's resource, and its link in the show page's list of
 * sections in the Fulfillment Guide's words: the label in title case
 * ("Zuora Subscriptions", "GitLab Groups"), and "List Invoices", "List
 * Payment Methods" for the two the Guide names so.
 */
static void
related_names(json_t *v, const struct related *rel)
{
	char		 words[96];
	size_t		 i;
	int		 list;

	list = strcmp(rel->resource, "invoices") == 0 ||
	    strcmp(rel->resource, "payment_methods") == 0;
	(void)snprintf(words, sizeof(words), "%s%s", list ? "List " : "",
	    rel->label);
	for (i = 0; words[i] != '\0'; i++) {
		if ((i == 0 || words[i - 1] == ' ') &&
		    words[i] >= 'a' && words[i] <= 'z')
			words[i] = (char)(words[i] - 'a' + 'A');
	}
	json_object_set_new(v, "resource", json_string(rel->resource));
	json_object_set_new(v, "nav_label", json_string(words));
}

/* A related list on a show page: the first rows and a link to all. */
static json_t *
related_view(struct app_req *ctx, const struct related *rel, const char *id)
{
	const struct resource	*res;
	const struct field	*f;
	struct sql		 s;
	PGresult		*pr;
	json_t			*v, *rows, *cols;
	const char		*value, *params[1];
	char			*owned;
	int			 i, n;

	if ((res = resource_find(rel->resource)) == NULL ||
	    (f = resource_field(res, rel->field)) == NULL)
		fatalx("related list %s: unknown %s.%s", rel->label,
		    rel->resource, rel->field);

	owned = NULL;
	value = id;
	if (rel->value_sql != NULL) {
		params[0] = id;
		if ((pr = db_exec_cached(ctx, rel->value_sql, 1, params)) ==
		    NULL)
			return (NULL);
		if (PQntuples(pr) == 0 || PQgetisnull(pr, 0, 0)) {
			PQclear(pr);
			v = json_pack("{s:s, s:[], s:[], s:b}", "label",
			    rel->label, "columns", "rows", "empty", 1);
			related_names(v, rel);
			return (v);
		}
		owned = kore_strdup(PQgetvalue(pr, 0, 0));
		value = owned;
		PQclear(pr);
	}

	sql_init(&s);
	list_select(&s, res, F_LIST);
	n = sql_param(&s, value);
	kore_buf_appendf(s.text, " WHERE %s = $%d::bigint", f->expr, n);
	kore_buf_appendf(s.text, " ORDER BY %s %s, t.id DESC LIMIT 11",
	    resource_field(res, res->default_sort)->expr,
	    res->default_reverse ? "DESC" : "ASC");

	pr = sql_exec(ctx, &s);
	sql_free(&s);
	if (pr == NULL) {
		kore_free(owned);
		return (NULL);
	}

	cols = json_array();
	for (f = res->fields; f->name != NULL; f++) {
		if (f->flags & F_LIST)
			json_array_append_new(cols, json_pack("{s:s}", "label",
			    f->label));
	}

	rows = json_array();
	n = PQntuples(pr);
	for (i = 0; i < n && i < 10; i++)
		json_array_append_new(rows, row_view(res, pr, i, F_LIST));
	PQclear(pr);

	v = json_pack("{s:s, s:o, s:o, s:b, s:b}", "label", rel->label,
	    "columns", cols, "rows", rows, "empty", n == 0, "more", n > 10);
	related_names(v, rel);
	json_object_set_new(v, "all_href", json_sprintf(
	    "%s?f%%5B%s%%5D%%5B0%%5D%%5Bo%%5D=eq&f%%5B%s%%5D%%5B0%%5D"
	    "%%5Bv%%5D=%s", resource_path(res), rel->field, rel->field,
	    value));
	kore_free(owned);

	return (v);
}

/*
 * The version service's page for this record: version_base_url, then
 * lookup_fmt with its "{id}" replaced by the record's id.
 */
static json_t *
lookup_view(const struct resource *res, const char *id)
{
	const char	*mark;

	if ((mark = strstr(res->lookup_fmt, "{id}")) == NULL)
		fatalx("%s: lookup_fmt lacks {id}", res->name);

	return (json_pack("{s:s, s:o}", "label", res->lookup_label, "href",
	    json_sprintf("%s%.*s%s%s", app_cfg.version_base_url,
	    (int)(mark - res->lookup_fmt), res->lookup_fmt, id, mark + 4)));
}

int
page_show(struct http_request *req, struct app_req *ctx)
{
	const struct resource	*res;
	const struct related	*rel;
	const struct field	*f;
	struct sql		 s;
	PGresult		*pr;
	json_t			*view, *row, *fields, *cells, *related, *rv, *r;
	size_t			 i, k;
	int			 n;

	if ((res = resource_find(ctx->args[0])) == NULL)
		return (render_not_found_guess(req, ctx, ctx->args[0]));

	sql_init(&s);
	list_select(&s, res, F_SHOW);
	n = sql_param(&s, ctx->args[1]);
	kore_buf_appendf(s.text, " WHERE t.id = $%d::bigint", n);
	pr = sql_exec(ctx, &s);
	sql_free(&s);

	if (pr == NULL) {
		return (render_db_error(req, ctx));
	}
	if (PQntuples(pr) == 0) {
		PQclear(pr);
		return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no such record; it may have been deleted."));
	}

	row = row_view(res, pr, 0, F_SHOW);
	PQclear(pr);

	/* Label each value for the show page's definition list. */
	fields = json_array();
	cells = json_object_get(row, "cells");
	i = 0;
	for (f = res->fields; f->name != NULL; f++) {
		if (!(f->flags & F_SHOW))
			continue;
		rv = json_deep_copy(json_array_get(cells, i++));
		json_object_set_new(rv, "label", json_string(f->label));
		json_array_append_new(fields, rv);
	}

	related = json_array();
	for (rel = res->related; rel != NULL && rel->label != NULL; rel++) {
		if ((rv = related_view(ctx, rel, ctx->args[1])) != NULL)
			json_array_append_new(related, rv);
	}

	view = render_view(ctx, json_string_value(json_object_get(row,
	    "title")) != NULL ? json_string_value(json_object_get(row,
	    "title")) : res->singular);
	json_object_set_new(view, "resource", resource_view(res));
	json_object_set_new(view, "record", row);
	json_object_set_new(view, "fields", fields);
	json_object_set_new(view, "related", related);
	if (res->lookup_fmt != NULL)
		json_object_set_new(view, "lookup", lookup_view(res,
		    ctx->args[1]));
	edit_show_decorate(ctx, res, ctx->args[1], view);
	actions_icons(json_object_get(view, "actions"), 0);
	json_array_foreach(related, i, rv) {
		json_array_foreach(json_object_get(rv, "rows"), k, r)
			actions_icons(json_object_get(r, "row_actions"), 1);
	}
	json_object_set_new(view, "has_related",
	    json_boolean(json_array_size(related) > 0));

	return (render_page(req, ctx, HTTP_STATUS_OK, "show", view));
}

static int
has_filters(const struct params *p)
{
	size_t	i;

	for (i = 0; i < p->n; i++) {
		if (strncmp(p->v[i].key, "f[", 2) == 0)
			return (1);
	}

	return (0);
}

/*
 * The list page of a screen (a resource of list_screens[]): its default
 * filters when the request names none, then the engine's list.
 */
int
list_screen_page(struct http_request *req, struct app_req *ctx,
    const struct resource *res)
{
	char	err[PARAMS_ERRLEN];

	if (res->default_query != NULL && !has_filters(&ctx->query) &&
	    params_parse(&ctx->query, res->default_query,
	    strlen(res->default_query), err, sizeof(err)) == -1)
		fatalx("%s: default_query: %s", res->path, err);

	(void)kore_strlcpy(ctx->args[0], res->path + strlen("/admin/"),
	    sizeof(ctx->args[0]));
	ctx->nargs = 1;

	return (page_list(req, ctx));
}
