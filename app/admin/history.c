/*
 * History pages: every event on one record, or on a whole resource,
 * newest first, from the versions rows the database's triggers write.
 * An update shows each changed field as old -> new; a create or delete
 * shows the record's values at that moment.  Fields are named by their
 * labels, in the resource's order, with their values as the pages show
 * them (enum choices in words, times to the second in UTC); bookkeeping
 * columns (lock_version, updated_at, search columns) are left out.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin/resource.h"

#define HISTORY_PER_PAGE	50

/* An event, and when, to the second in UTC, as read and as a machine
 * reads it. */
#define HISTORY_SELECT \
	"SELECT id, item_id, event, changes::text AS changes, actor, " \
	"ticket_url, to_char(created_at AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD HH24:MI:SS \"UTC\"') AS at, " \
	"to_char(created_at AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS at_iso FROM versions "

static json_t	*changes_view(const struct resource *, const char *,
		    const char *);
static void	 change_add(json_t *, const char *, const char *,
		    const struct field *, const char *, json_t *);
static json_t	*value_text(const struct field *, json_t *);
static int	 time_text(const char *, char *, size_t);
static int	 column_hidden(const char *);
static const char *expr_column(const char *, char *, size_t);
static void	 column_label(const char *, char *, size_t);
static const char *event_label(const char *);
static PGresult	*history_read(struct app_req *, const struct resource *,
		    const char *, long);
static json_t	*events_view(const struct resource *, PGresult *);

/*
 * Bookkeeping, not data: the row's version counter and touch time, and
 * the search columns derived from it (search_text, search_bigrams,
 * error_search, ...).  The database leaves most of them out of history
 * (audit_row()); rows written before it did still carry them.
 */
static int
column_hidden(const char *name)
{
	size_t	len;

	len = strlen(name);
	if (strcmp(name, "lock_version") == 0 ||
	    strcmp(name, "updated_at") == 0 ||
	    strcmp(name, "token_sha256") == 0 ||
	    strncmp(name, "search_", 7) == 0)
		return (1);
	if (len > 7 && strcmp(name + len - 7, "_search") == 0)
		return (1);
	if (len > 8 && strcmp(name + len - 8, "_bigrams") == 0)
		return (1);
	if (len > 9 && strcmp(name + len - 9, "_tsvector") == 0)
		return (1);

	return (0);
}

/* The column of an expression that is one ("t.first_name"), or NULL. */
static const char *
expr_column(const char *expr, char *buf, size_t size)
{
	const char	*p;

	if (expr == NULL || strncmp(expr, "t.", 2) != 0 || expr[2] == '\0')
		return (NULL);
	for (p = expr + 2; *p != '\0'; p++) {
		if (!(*p == '_' || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9')))
			return (NULL);
	}
	if (strlen(expr + 2) >= size)
		return (NULL);
	(void)memcpy(buf, expr + 2, strlen(expr + 2) + 1);

	return (buf);
}

/*
 * A column no field describes, in words: "bill_to_contact_id" is
 * "Bill to contact ID".
 */
static void
column_label(const char *name, char *buf, size_t size)
{
	static const char *const	 words[] = {
		"id", "ID", "gitlab", "GitLab", "ci", "CI", "mib", "MiB",
		"url", "URL", "uid", "UID", "sfdc", "SFDC", "ach", "ACH",
		"gl", "GitLab", NULL
	};
	const char	*w, *e, *out;
	size_t		 len, i, n, off;

	off = 0;
	for (w = name; *w != '\0'; w = e) {
		while (*w == '_')
			w++;
		if (*w == '\0')
			break;
		for (e = w; *e != '\0' && *e != '_'; e++)
			;
		len = (size_t)(e - w);
		out = w;
		n = len;
		for (i = 0; words[i] != NULL; i += 2) {
			if (strlen(words[i]) == len &&
			    strncmp(words[i], w, len) == 0) {
				out = words[i + 1];
				n = strlen(out);
				break;
			}
		}
		if (off > 0 && off + 1 < size)
			buf[off++] = ' ';
		for (i = 0; i < n && off + 1 < size; i++, off++) {
			buf[off] = out[i];
			if (off == 0 && out[i] >= 'a' && out[i] <= 'z')
				buf[off] = out[i] - 'a' + 'A';
		}
	}
	buf[off] = '\0';
}

static const char *
event_label(const char *event)
{
	if (strcmp(event, "create") == 0)
		return ("Created");
	if (strcmp(event, "update") == 0)
		return ("Updated");
	if (strcmp(event, "delete") == 0)
		return ("Deleted");
	return (event);
}

/*
 * A time as the database writes it into JSON (to_jsonb(timestamptz):
 * "2024-05-01T16:03:27.123456+02:00") as people read it: to the second,
 * in UTC, "2024-05-01 14:03:27 UTC".  Returns -1 for anything else.
 */
static int
time_text(const char *s, char *buf, size_t size)
{
	struct tm	 tm;
	time_t		 t;
	int		 n, oh, om, sign;
	const char	*p;

	memset(&tm, 0, sizeof(tm));
	n = 0;
	if (strlen(s) < 20 || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n",
	    &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
	    &tm.tm_sec, &n) != 6 || n != 19)
		return (-1);
	p = s + n;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	oh = om = 0;
	if (strcmp(p, "Z") == 0) {
		sign = 0;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		n = 0;
		if (sscanf(p + 1, "%2d%n", &oh, &n) != 1 || n != 2)
			return (-1);
		p += 3;
		if (*p == ':') {
			n = 0;
			if (sscanf(p + 1, "%2d%n", &om, &n) != 1 || n != 2)
				return (-1);
			p += 3;
		}
		/* Seconds of an offset (old local mean times) are dropped. */
		if (*p == ':')
			p += 3;
		if (*p != '\0')
			return (-1);
	} else {
		return (-1);
	}

	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return (-1);
	t -= sign * (oh * 3600 + om * 60);
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		return (-1);

	return (0);
}

/* A JSON value as the text a person reads. */
static json_t *
value_text(const struct field *f, json_t *v)
{
	const char	*label;
	char		*s, when[40];
	json_t		*out;

	if (v == NULL || json_is_null(v))
		return (json_null());
	if (json_is_string(v)) {
		if (f != NULL && f->type == FT_ENUM &&
		    (label = field_option_label(f, json_string_value(v))) !=
		    NULL)
			return (json_string(label));
		if (time_text(json_string_value(v), when, sizeof(when)) == 0)
			return (json_string(when));
		return (json_incref(v));
	}
	if (json_is_true(v))
		return (json_string("Yes"));
	if (json_is_false(v))
		return (json_string("No"));

	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	out = json_string(s != NULL ? s : "");
	free(s);
	return (out);
}

/* One changed (or, for a create or delete, recorded) column. */
static void
change_add(json_t *list, const char *event, const char *key,
    const struct field *f, const char *label, json_t *v)
{
	if (strcmp(event, "update") == 0 && json_is_array(v) &&
	    json_array_size(v) == 2) {
		json_array_append_new(list, json_pack("{s:s, s:s, s:o, s:o}",
		    "field", key, "label", label,
		    "old", value_text(f, json_array_get(v, 0)),
		    "new", value_text(f, json_array_get(v, 1))));
	} else {
		json_array_append_new(list, json_pack("{s:s, s:s, s:o}",
		    "field", key, "label", label, "value", value_text(f, v)));
	}
}

/*
 * The columns of a versions row as the record's fields: in the order of
 * the resource's descriptor, under their labels, bookkeeping left out;
 * then any column no field describes, in words.
 */
static json_t *
changes_view(const struct resource *res, const char *event,
    const char *text)
{
	const struct field	*f;
	json_t			*changes, *list, *v, *done;
	const char		*key, *col;
	char			 buf[64], label[160];
	json_error_t		 err;
	int			 linked;

	list = json_array();
	if ((changes = json_loads(text, 0, &err)) == NULL ||
	    !json_is_object(changes)) {
		json_decref(changes);
		return (list);
	}
	done = json_object();

	for (f = res->fields; f->name != NULL; f++) {
		for (linked = 0; linked < 2; linked++) {
			if (linked)
				col = expr_column(f->link_expr, buf,
				    sizeof(buf));
			else if (json_object_get(changes, f->name) != NULL)
				col = f->name;
			else
				col = expr_column(f->expr, buf, sizeof(buf));
			if (col == NULL || column_hidden(col) ||
			    json_object_get(done, col) != NULL ||
			    (v = json_object_get(changes, col)) == NULL)
				continue;
			/* The id a linked field shows the name of. */
			if (linked) {
				(void)snprintf(label, sizeof(label), "%s%s",
				    f->label, strstr(f->label, "ID") != NULL ?
				    "" : " ID");
			} else {
				(void)snprintf(label, sizeof(label), "%s",
				    f->label);
			}
			change_add(list, event, col, linked ? NULL : f,
			    label, v);
			json_object_set_new(done, col, json_true());
		}
	}

	json_object_foreach(changes, key, v) {
		if (column_hidden(key) || json_object_get(done, key) != NULL)
			continue;
		column_label(key, label, sizeof(label));
		change_add(list, event, key, NULL, label, v);
	}

	json_decref(done);
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
	json_t			*view, *events;
	char			 title[160];
	long			 page;
	int			 one, more;

	if ((res = resource_find(ctx->args[0])) == NULL) {
		return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no page at this address."));
	}
	one = ctx->nargs > 1;

	if ((page = history_page(ctx)) == -1) {
		return (render_error(req, ctx, HTTP_STATUS_BAD_REQUEST,
		    "The page must be a number from 1 to 400."));
	}
	if ((pr = history_read(ctx, res, one ? ctx->args[1] : NULL,
	    page)) == NULL)
		return (render_db_error(req, ctx));
	events = events_view(res, pr);
	more = PQntuples(pr) > HISTORY_PER_PAGE;
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
	history_pager(view, page, more);

	return (render_page(req, ctx, HTTP_STATUS_OK, "history", view));
}

/* Newer and Older links of a page of events (history, timeline). */
void
history_pager(json_t *view, long page, int more)
{
	if (page > 1) {
		json_object_set_new(view, "prev_href", json_sprintf("?page=%ld",
		    page - 1));
	}
	if (more) {
		json_object_set_new(view, "next_href", json_sprintf("?page=%ld",
		    page + 1));
	}
}

/* The page asked for (1 when none), or -1 when it is not one. */
long
history_page(struct app_req *ctx)
{
	const char	*v;
	char		*end;
	long		 page;

	if ((v = params_get(&ctx->query, "page")) == NULL)
		return (1);
	page = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || page < 1 || page > LIST_PAGE_MAX)
		return (-1);

	return (page);
}

/*
 * The versions rows of a page of the resource's history, or of record
 * id's (id not NULL): one more than the page shows, to know whether
 * there is a next one.  NULL when the database failed.
 */
static PGresult *
history_read(struct app_req *ctx, const struct resource *res,
    const char *id, long page)
{
	const char	*params[3];
	char		 offset[32];

	(void)snprintf(offset, sizeof(offset), "%ld",
	    (page - 1) * HISTORY_PER_PAGE);
	params[0] = res->table;
	params[1] = offset;
	params[2] = id;

	return (db_exec_cached(ctx, id != NULL ?
	    HISTORY_SELECT "WHERE item_type = $1 AND item_id = $3::bigint "
	    "ORDER BY id DESC LIMIT 51 OFFSET $2::bigint" :
	    HISTORY_SELECT "WHERE item_type = $1 "
	    "ORDER BY id DESC LIMIT 51 OFFSET $2::bigint",
	    id != NULL ? 3 : 2, params));
}

/*
 * One versions row as the history pages show it, from a statement that
 * names HISTORY_SELECT's columns (the customer timeline's too).
 */
json_t *
history_event(const struct resource *res, PGresult *pr, int i)
{
	json_t		*ev;
	const char	*event;

	event = DB_COL(pr, i, "event");
	ev = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s?, s:s}",
	    "id", DB_COL(pr, i, "id"),
	    "item_id", DB_COL(pr, i, "item_id"),
	    "event", event,
	    "changes", changes_view(res, event, DB_COL(pr, i, "changes")),
	    "actor", DB_COL(pr, i, "actor"),
	    "ticket_url", DB_NULL(pr, i, "ticket_url") ? NULL :
	    DB_COL(pr, i, "ticket_url"),
	    "at", DB_COL(pr, i, "at"));
	json_object_set_new(ev, "at_iso",
	    json_string(DB_COL(pr, i, "at_iso")));
	json_object_set_new(ev, "event_label",
	    json_string(event_label(event)));
	json_object_set_new(ev, "is_update",
	    json_boolean(strcmp(event, "update") == 0));
	json_object_set_new(ev, "record_href", json_sprintf(
	    "/admin/%s/%s", res->name, DB_COL(pr, i, "item_id")));

	return (ev);
}

/* The events of a page, from history_read()'s rows. */
static json_t *
events_view(const struct resource *res, PGresult *pr)
{
	json_t		*events;
	int		 i, n;

	events = json_array();
	n = PQntuples(pr);
	for (i = 0; i < n && i < HISTORY_PER_PAGE; i++)
		json_array_append_new(events, history_event(res, pr, i));

	return (events);
}
