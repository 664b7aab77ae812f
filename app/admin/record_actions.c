/*
 * What a record offers those who may edit it, on its show page and on
 * its row of a list: Edit, Delete and the resource's row action (from
 * its edit descriptor, admin/edit.h), and the show page's own panels.
 * The list and show pages (admin/list.c) add these; the editing pages
 * themselves are admin/edit.c.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "admin/edit.h"

const struct edit_resource *
edit_find(const char *name)
{
	size_t		i;

	for (i = 0; edit_resources[i] != NULL; i++) {
		if (strcmp(edit_resources[i]->name, name) == 0)
			return (edit_resources[i]);
	}

	return (NULL);
}

int
edit_is_editor(const struct app_req *ctx)
{
	return ((ctx->roles & ROLE_EDITOR) != 0);
}

/* A button on a show page: a link (GET) or a form that posts. */
void
edit_action(json_t *view, const char *name, const char *label,
    const char *href, int post)
{
	json_t		*list;
	const char	*key;

	key = post ? "post_actions" : "actions";
	if ((list = json_object_get(view, key)) == NULL) {
		list = json_array();
		json_object_set_new(view, key, list);
	}
	json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "name", name,
	    "label", label, "href", href));
}

/*
 * Which of the records (ids, a PostgreSQL array literal "{1,2}") the row
 * action is offered on: their ids as a JSON object of true, or NULL (the
 * database failed: offered on none).
 */
static json_t *
row_action_ids(struct app_req *ctx, const struct edit_resource *er,
    const char *ids)
{
	PGresult	*res;
	json_t		*ok;
	const char	*params[1];
	char		 sql[256];
	int		 i;

	params[0] = ids;
	(void)snprintf(sql, sizeof(sql), "SELECT id::text AS id FROM %s WHERE "
	    "id = ANY($1::bigint[]) AND (%s)", er->table,
	    er->row_action_where != NULL ? er->row_action_where : "true");
	if ((res = db_exec(ctx, sql, 1, params)) == NULL)
		return (NULL);
	ok = json_object();
	for (i = 0; i < PQntuples(res); i++)
		json_object_set_new(ok, DB_COL(res, i, "id"), json_true());
	PQclear(res);

	return (ok);
}

/* Edit and delete buttons, and the resource's own panels and actions. */
void
edit_show_decorate(struct app_req *ctx, const struct resource *res,
    const char *id, json_t *view)
{
	const struct edit_resource	*er;
	json_t				*offered;
	char				 href[128];

	if ((er = edit_find(res->name)) == NULL)
		return;

	if (edit_is_editor(ctx)) {
		if (er->fields != NULL) {
			(void)snprintf(href, sizeof(href), "/admin/%s/%s/edit",
			    res->name, id);
			edit_action(view, "edit", "Edit", href, 0);
		}
		(void)snprintf(href, sizeof(href), "{%s}", id);
		if (er->row_action != NULL && (offered = row_action_ids(ctx, er,
		    href)) != NULL) {
			if (json_object_get(offered, id) != NULL) {
				(void)snprintf(href, sizeof(href),
				    "/admin/%s/%s/%s", res->name, id,
				    er->row_action);
				edit_action(view, er->row_action,
				    er->row_action_label, href, 0);
			}
			json_decref(offered);
		}
		if (er->deletable) {
			(void)snprintf(href, sizeof(href),
			    "/admin/%s/%s/delete", res->name, id);
			edit_action(view, "delete", "Delete", href, 0);
		}
	}

	if (er->show_extras != NULL)
		er->show_extras(ctx, id, view);
}

/* "Add new" on the list, and Edit / Delete on each row, for editors. */
void
edit_list_decorate(struct app_req *ctx, const struct resource *res,
    json_t *view)
{
	const struct edit_resource	*er;
	struct kore_buf			*ids;
	json_t				*rows, *row, *acts, *offered;
	const char			*id;
	size_t				 i;

	if (!edit_is_editor(ctx) || (er = edit_find(res->name)) == NULL)
		return;

	if (er->create_fields != NULL || er->create != NULL) {
		json_object_set_new(view, "new_href", json_sprintf(
		    "/admin/%s/new", res->name));
		json_object_set_new(view, "new_label", json_string("Add new"));
	}

	rows = json_object_get(view, "rows");
	offered = NULL;
	if (er->row_action != NULL) {
		ids = kore_buf_alloc(256);
		json_array_foreach(rows, i, row) {
			if ((id = json_string_value(json_object_get(row,
			    "id"))) != NULL && strspn(id, "0123456789") ==
			    strlen(id) && *id != '\0')
				kore_buf_appendf(ids, "%s%s", ids->offset ?
				    "," : "{", id);
		}
		kore_buf_appendf(ids, "%s", ids->offset ? "}" : "{}");
		offered = row_action_ids(ctx, er, kore_buf_stringify(ids,
		    NULL));
		kore_buf_free(ids);
	}
	json_array_foreach(rows, i, row) {
		if ((id = json_string_value(json_object_get(row, "id"))) ==
		    NULL)
			continue;
		acts = json_array();
		if (er->fields != NULL) {
			json_array_append_new(acts, json_pack("{s:s, s:s, s:o}",
			    "name", "edit", "label", "Edit", "href",
			    json_sprintf("/admin/%s/%s/edit", res->name, id)));
		}
		if (er->row_action != NULL && offered != NULL &&
		    json_object_get(offered, id) != NULL) {
			json_array_append_new(acts, json_pack("{s:s, s:s, s:o}",
			    "name", er->row_action, "label",
			    er->row_action_label, "href", json_sprintf(
			    "/admin/%s/%s/%s", res->name, id,
			    er->row_action)));
		}
		if (er->deletable) {
			json_array_append_new(acts, json_pack("{s:s, s:s, s:o}",
			    "name", "delete", "label", "Delete", "href",
			    json_sprintf("/admin/%s/%s/delete", res->name,
			    id)));
		}
		json_object_set_new(row, "row_actions", acts);
	}
	json_decref(offered);
}
