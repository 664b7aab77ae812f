/*
 * Lists of other menus over the list engine.  Support's lists are
 * resources too (list_screens[], described beside their screens in
 * support/lists.c): the same search, filters, sort and pages as every
 * list, at their own path, each listed by its own route, which decides
 * who may see it.  A screen's name never comes from /admin/<name>: it is
 * found by its path ("support/trials" for /admin/support/trials), which
 * no one-segment :name of a route can spell.
 *
 * And for any list, row actions offered where their condition holds
 * (struct row_action), several to a row.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "admin/resource.h"

#define ROW_ACTIONS_MAX		8

static void	 screen_links(const struct resource *, json_t *);
static json_t	*row_actions_offered(struct app_req *,
		    const struct resource *, json_t *);
static void	 row_actions_add(const struct resource *, json_t *,
		    const char *);


/* A screen's rows link to the pages of their records. */
static void
screen_links(const struct resource *res, json_t *view)
{
	json_t		*row;
	const char	*id;
	size_t		 i;

	json_array_foreach(json_object_get(view, "rows"), i, row) {
		if ((id = json_string_value(json_object_get(row, "id"))) ==
		    NULL)
			continue;
		json_object_set_new(row, "show_href", json_sprintf(
		    "/admin/%s/%s", res->records, id));
		json_object_set_new(row, "history_href", json_sprintf(
		    "/admin/%s/%s/history", res->records, id));
	}
	json_object_set_new(view, "history_href", json_sprintf(
	    "/admin/%s/history", res->records));
	/* Exported by no route of its own. */
	(void)json_object_del(view, "export_href");
}

/*
 * Which row actions each row is offered: an object from the row's id to
 * a string of 't' and 'f', one for each action, or NULL on a database
 * error (the rows then offer none).
 */
static json_t *
row_actions_offered(struct app_req *ctx, const struct resource *res,
    json_t *rows)
{
	struct sql	 s;
	struct kore_buf	*ids;
	PGresult	*pr;
	json_t		*offered, *row;
	const char	*id;
	char		 col[24], flags[ROW_ACTIONS_MAX + 1];
	size_t		 i, k;
	int		 n, r;

	sql_init(&s);
	kore_buf_appendf(s.text, "SELECT t.id::text AS row_id");
	for (k = 0; res->row_actions[k].name != NULL; k++) {
		if (k == ROW_ACTIONS_MAX)
			fatalx("%s: more than %d row actions", res->name,
			    ROW_ACTIONS_MAX);
		kore_buf_appendf(s.text, ", (%s) AS a%zu",
		    res->row_actions[k].when != NULL ?
		    res->row_actions[k].when : "true", k);
	}
	ids = kore_buf_alloc(256);
	kore_buf_appendf(ids, "{");
	json_array_foreach(rows, i, row) {
		id = json_string_value(json_object_get(row, "id"));
		if (id != NULL && *id != '\0' && strspn(id, "0123456789") ==
		    strlen(id))
			kore_buf_appendf(ids, "%s%s", ids->offset > 1 ? "," :
			    "", id);
	}
	kore_buf_appendf(ids, "}");
	kore_buf_appendf(s.text, " FROM %s WHERE t.id = ANY($%d::bigint[])",
	    res->from, sql_param_own(&s, kore_strdup(kore_buf_stringify(ids,
	    NULL))));
	kore_buf_free(ids);

	offered = NULL;
	if ((pr = sql_exec(ctx, &s)) != NULL) {
		offered = json_object();
		for (r = 0, n = PQntuples(pr); r < n; r++) {
			for (i = 0; i < k; i++) {
				(void)snprintf(col, sizeof(col), "a%zu", i);
				flags[i] = DB_COL(pr, r, col)[0];
			}
			flags[k] = '\0';
			json_object_set_new(offered, DB_COL(pr, r, "row_id"),
			    json_string(flags));
		}
		PQclear(pr);
	}
	sql_free(&s);

	return (offered);
}

/* The actions a row is offered (flags: row_actions_offered()'s). */
static void
row_actions_add(const struct resource *res, json_t *row, const char *flags)
{
	const struct row_action	*a;
	json_t			*acts, *act;
	const char		*id, *mark;
	size_t			 k;

	if ((id = json_string_value(json_object_get(row, "id"))) == NULL)
		return;
	if ((acts = json_object_get(row, "row_actions")) == NULL) {
		acts = json_array();
		json_object_set_new(row, "row_actions", acts);
	}
	for (k = 0; res->row_actions[k].name != NULL; k++) {
		a = &res->row_actions[k];
		if (flags == NULL || flags[k] != 't')
			continue;
		if ((mark = strstr(a->href, "{id}")) == NULL)
			fatalx("%s: row action %s lacks {id}", res->name,
			    a->name);
		act = json_pack("{s:s, s:s, s:o}", "name", a->name, "label",
		    a->label, "href", json_sprintf("%.*s%s%s",
		    (int)(mark - a->href), a->href, id, mark + 4));
		if (a->icon != NULL)
			json_object_set_new(act, "icon", json_string(a->icon));
		json_array_append_new(acts, act);
	}
}

/*
 * What a list's descriptor adds to its page beyond the engine's: a
 * screen's links to its records, its "Add new" button and warning, and
 * each row's actions.
 */
void
list_screen_decorate(struct app_req *ctx, const struct resource *res,
    json_t *view)
{
	json_t		*rows, *row, *offered;
	const char	*id;
	size_t		 i;

	if (res->records != NULL)
		screen_links(res, view);
	if (res->new_href != NULL) {
		json_object_set_new(view, "new_href",
		    json_string(res->new_href));
		json_object_set_new(view, "new_label",
		    json_string(res->new_label));
	}
	if (res->alert != NULL && res->alert() != NULL)
		json_object_set_new(view, "alert", json_string(res->alert()));
	if (res->row_actions == NULL)
		return;

	rows = json_object_get(view, "rows");
	offered = row_actions_offered(ctx, res, rows);
	json_array_foreach(rows, i, row) {
		id = json_string_value(json_object_get(row, "id"));
		row_actions_add(res, row, offered != NULL && id != NULL ?
		    json_string_value(json_object_get(offered, id)) : NULL);
	}
	json_decref(offered);
}
