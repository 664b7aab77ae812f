/*
 * History pages: every event on one record, or on a whole resource,
 * newest first, from the versions rows the database's triggers write.
 * An update shows each changed field as old -> new; a create or delete
 * shows the record's values at that moment.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resource.h"

#define HISTORY_PER_PAGE	50

static json_t	*changes_view(const struct resource *, const char *,
		    const char *);
static json_t	*value_text(json_t *);
static const char *field_label(const struct resource *, const char *);

static const char *
field_label(const struct resource *res, const char *name)
{
	const struct field	*f;

	if ((f = resource_field(res, name)) != NULL)
		return (f->label);
	return (name);
}

/* A JSON value as the text a person reads. */
static json_t *
value_text(json_t *v)
{
	char	*s;
	json_t	*out;

	if (v == NULL || json_is_null(v))
		return (json_null());
	if (json_is_string(v))
		return (json_incref(v));
	if (json_is_true(v))
		return (json_string("Yes"));
	if (json_is_false(v))
		return (json_string("No"));

	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	out = json_string(s != NULL ? s : "");
	free(s);
	return (out);
}

static json_t *
changes_view(const struct resource *res, const char *event,
    const char *text)
{
	json_t		*changes, *list, *v;
	const char	*key;
	json_error_t	 err;

	list = json_array();
	if ((changes = json_loads(text, 0, &err)) == NULL)
		return (list);

	json_object_foreach(changes, key, v) {
		if (strcmp(event, "update") == 0 && json_is_array(v) &&
		    json_array_size(v) == 2) {
			json_array_append_new(list, json_pack("{s:s, s:s, s:o, "
			    "s:o}", "field", key, "label",
			    field_label(res, key), "old",
			    value_text(json_array_get(v, 0)), "new",
			    value_text(json_array_get(v, 1))));
		} else {
			json_array_append_new(list, json_pack("{s:s, s:s, "
			    "s:o}", "field", key, "label",
			    field_label(res, key), "value", value_text(v)));
		}
	}
	json_decref(changes);

	return (list);
}

/*
 * /admin/<resource>/history and /admin/<resource>/<id>/history; the
 * resource history links each event to its record.
 */
int
page_history(struct http_request *req, struct app_req *ctx)
{
	const struct resource	*res;
	PGresult		*pr;
	json_t			*view, *events, *ev;
	const char		*params[3], *page_s;
	char			 offset[32], title[160], *end;
	long			 page;
	int			 i, n, one;

	if ((res = resource_find(ctx->args[0])) == NULL) {
		return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no page at this address."));
	}
	one = ctx->nargs > 1;

	page = 1;
	if ((page_s = params_get(&ctx->query, "page")) != NULL) {
		page = strtol(page_s, &end, 10);
		if (*page_s == '\0' || *end != '\0' || page < 1 ||
		    page > LIST_PAGE_MAX) {
			return (render_error(req, ctx, HTTP_STATUS_BAD_REQUEST,
			    "The page must be a number from 1 to 400."));
		}
	}
	(void)snprintf(offset, sizeof(offset), "%ld",
	    (page - 1) * HISTORY_PER_PAGE);

	params[0] = res->table;
	params[1] = offset;
	params[2] = one ? ctx->args[1] : NULL;
	pr = db_exec_cached(ctx, one ?
	    "SELECT id, item_id, event, changes::text, actor, ticket_url, "
	    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
	    "FROM versions WHERE item_type = $1 AND item_id = $3::bigint "
	    "ORDER BY id DESC LIMIT 51 OFFSET $2::bigint" :
	    "SELECT id, item_id, event, changes::text, actor, ticket_url, "
	    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
	    "FROM versions WHERE item_type = $1 "
	    "ORDER BY id DESC LIMIT 51 OFFSET $2::bigint",
	    one ? 3 : 2, params);
	if (pr == NULL) {
		return (render_db_error(req, ctx));
	}

	events = json_array();
	n = PQntuples(pr);
	for (i = 0; i < n && i < HISTORY_PER_PAGE; i++) {
		ev = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s?, s:s}",
		    "id", PQgetvalue(pr, i, 0),
		    "item_id", PQgetvalue(pr, i, 1),
		    "event", PQgetvalue(pr, i, 2),
		    "changes", changes_view(res, PQgetvalue(pr, i, 2),
		    PQgetvalue(pr, i, 3)),
		    "actor", PQgetvalue(pr, i, 4),
		    "ticket_url", PQgetisnull(pr, i, 5) ? NULL :
		    PQgetvalue(pr, i, 5),
		    "at", PQgetvalue(pr, i, 6));
		json_object_set_new(ev, "is_update", json_boolean(
		    strcmp(PQgetvalue(pr, i, 2), "update") == 0));
		json_object_set_new(ev, "record_href", json_sprintf(
		    "/admin/%s/%s", res->name, PQgetvalue(pr, i, 1)));
		json_array_append_new(events, ev);
	}
	PQclear(pr);

	if (one) {
		(void)snprintf(title, sizeof(title), "History of %s #%s",
		    res->singular, ctx->args[1]);
	} else {
		(void)snprintf(title, sizeof(title), "History of %s",
		    res->label);
	}

	view = render_view(ctx, title);
	json_object_set_new(view, "resource", json_pack("{s:s, s:s, s:s}",
	    "name", res->name, "label", res->label, "path",
	    resource_path(res)));
	json_object_set_new(view, "events", events);
	json_object_set_new(view, "one_record", json_boolean(one));
	if (one) {
		json_object_set_new(view, "record_href", json_sprintf(
		    "/admin/%s/%s", res->name, ctx->args[1]));
	}
	if (page > 1) {
		json_object_set_new(view, "prev_href", json_sprintf("?page=%ld",
		    page - 1));
	}
	if (n > HISTORY_PER_PAGE) {
		json_object_set_new(view, "next_href", json_sprintf("?page=%ld",
		    page + 1));
	}

	return (render_page(req, ctx, HTTP_STATUS_OK, "history", view));
}
