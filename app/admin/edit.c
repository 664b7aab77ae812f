/*
 * The generic editing pages over edit descriptors (admin/edit.h):
 *
 *	GET  /admin/<resource>/new		new form
 *	POST /admin/<resource>			create
 *	GET  /admin/<resource>/<id>/edit	edit form
 *	POST /admin/<resource>/<id>		update
 *	GET  /admin/<resource>/<id>/delete	"Are you sure?"
 *	POST /admin/<resource>/<id>/delete	delete
 *
 * Every change is one transaction (db/write.h) as admin:<email>.  The form
 * carries the lock_version it was read at; the row is locked and its
 * lock_version compared before anything is written, and a mismatch gets
 * the 409 conflict page (their values beside the current ones, nothing
 * overwritten).  A refused form comes back with what was typed and a
 * message beside each wrong field (422).  Success: a flash and a 303.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/edit.h"

static const struct edit_resource *edit_lookup(struct http_request *,
		    struct app_req *, const struct resource **, int);
static char	*record_title(struct app_req *, const struct resource *,
		    const char *, int *);
static void	 record_view(json_t *, const struct resource *, const char *,
		    const char *);
static PGresult	*record_load(struct app_req *, struct write_txn *,
		    const struct edit_resource *, const char *);
static json_t	*shown_view(struct app_req *, const struct edit_resource *,
		    const char *);
static json_t	*value_row(const char *, const char *);
static int	 form_changed(const struct form *, const struct form *);
static int	 create_write(struct app_req *, struct write_txn *,
		    const struct edit_resource *, const struct form *, char *,
		    size_t);
static int	 update_begin(struct app_req *, struct write_txn *,
		    const struct edit_resource *, const char *,
		    struct form *);
static long	 update_write(struct write_txn *,
		    const struct edit_resource *, const char *,
		    const struct form *);

/* The descriptor and resource of ctx->args[0], or NULL after a 404. */
static const struct edit_resource *
edit_lookup(struct http_request *req, struct app_req *ctx,
    const struct resource **res, int what)
{
	const struct edit_resource	*er;

	er = edit_find(ctx->args[0]);
	*res = resource_find(ctx->args[0]);
	if (er == NULL || *res == NULL ||
	    (what == 'e' && er->fields == NULL) ||
	    (what == 'n' && er->create_fields == NULL && er->create == NULL) ||
	    (what == 'd' && !er->deletable)) {
		(void)render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no page at this address.");
		return (NULL);
	}

	return (er);
}

int
edit_db_error(struct http_request *req, struct app_req *ctx)
{
	return (render_error(req, ctx, HTTP_STATUS_SERVICE_UNAVAILABLE,
	    "The database did not answer, so nothing was changed. Try again "
	    "in a moment."));
}

/*
 * Where a form sends back to when it came from another page: return_to
 * from the form or the query, only a plain path of the panel.
 */
const char *
edit_return_to(struct app_req *ctx)
{
	const char	*p;
	size_t		 i;

	if ((p = param_last(&ctx->form, "return_to")) == NULL &&
	    (p = param_last(&ctx->query, "return_to")) == NULL)
		return (NULL);
	if (strncmp(p, "/admin/", 7) != 0 || strlen(p) > 120 ||
	    strstr(p, "//") != NULL || strstr(p, "..") != NULL)
		return (NULL);
	for (i = 0; p[i] != '\0'; i++) {
		if (!isalnum((unsigned char)p[i]) && p[i] != '/' &&
		    p[i] != '_' && p[i] != '-')
			return (NULL);
	}

	return (p);
}

/* A flash, then a 303 to location (or to the form's return_to). */
int
edit_flash_redirect(struct http_request *req, const char *kind,
    const char *message, const char *location)
{
	const char	*back;

	back = req->hdlr_extra != NULL ? edit_return_to(req->hdlr_extra) :
	    NULL;
	(void)render_flash_set(req, kind, message);
	return (render_redirect(req, back != NULL ? back : location));
}

/* The record's title (kore_free it); NULL with *found 0 or on error. */
static char *
record_title(struct app_req *ctx, const struct resource *res, const char *id,
    int *found)
{
	struct sql	 s;
	PGresult	*pr;
	char		*title;
	int		 n;

	*found = 0;
	sql_init(&s);
	n = sql_param(&s, id);
	kore_buf_appendf(s.text, "SELECT %s AS title FROM %s WHERE "
	    "t.id = $%d::bigint", res->title_expr, res->from, n);
	pr = sql_exec(ctx, &s);
	sql_free(&s);
	if (pr == NULL) {
		*found = -1;
		return (NULL);
	}

	title = NULL;
	if (PQntuples(pr) == 1) {
		*found = 1;
		title = kore_strdup(DB_NULL(pr, 0, "title") ? res->singular :
		    DB_COL(pr, 0, "title"));
	}
	PQclear(pr);

	return (title);
}

static void
record_view(json_t *view, const struct resource *res, const char *id,
    const char *title)
{
	json_object_set_new(view, "resource", json_pack("{s:s, s:s, s:s, s:s}",
	    "name", res->name, "label", res->label, "singular",
	    res->singular, "path", resource_path(res)));
	if (id == NULL)
		return;
	json_object_set_new(view, "record", json_pack("{s:s, s:s}", "id", id,
	    "title", title != NULL ? title : res->singular));
	json_object_set_new(json_object_get(view, "record"), "show_href",
	    json_sprintf("/admin/%s/%s", res->name, id));
	json_object_set_new(json_object_get(view, "record"), "history_href",
	    json_sprintf("/admin/%s/%s/history", res->name, id));
}

/*
 * lock_version and the edit fields of record id; in a transaction (w not
 * NULL) the row is locked until it ends.
 */
static PGresult *
record_load(struct app_req *ctx, struct write_txn *w,
    const struct edit_resource *er, const char *id)
{
	struct kore_buf		*b;
	const struct form_field	*fd;
	const char		*params[1];
	PGresult		*res;

	b = kore_buf_alloc(256);
	kore_buf_appendf(b, "SELECT lock_version");
	for (fd = er->fields; fd->name != NULL; fd++)
		kore_buf_appendf(b, ", %s", fd->name);
	kore_buf_appendf(b, " FROM %s WHERE id = $1::bigint%s", er->table,
	    w != NULL ? " FOR UPDATE" : "");

	params[0] = id;
	if (w != NULL)
		res = write_exec(w, kore_buf_stringify(b, NULL), 1, params);
	else
		res = db_exec(ctx, kore_buf_stringify(b, NULL), 1, params);
	kore_buf_free(b);

	return (res);
}

/* A value shown read-only under its label; "—" for none. */
static json_t *
value_row(const char *label, const char *value)
{
	return (json_pack("{s:s, s:s}", "label", label, "value",
	    value != NULL ? value : "\xe2\x80\x94"));
}

static json_t *
shown_view(struct app_req *ctx, const struct edit_resource *er,
    const char *id)
{
	struct kore_buf		*b;
	const struct edit_shown	*sh;
	const char		*params[1];
	PGresult		*res;
	json_t			*list;
	int			 i;

	list = json_array();
	if (er->shown == NULL)
		return (list);

	b = kore_buf_alloc(256);
	kore_buf_appendf(b, "SELECT ");
	for (sh = er->shown; sh->label != NULL; sh++) {
		kore_buf_appendf(b, "%s%s", sh == er->shown ? "" : ", ",
		    sh->expr);
	}
	kore_buf_appendf(b, " FROM %s t WHERE t.id = $1::bigint", er->table);
	params[0] = id;
	res = db_exec(ctx, kore_buf_stringify(b, NULL), 1, params);
	kore_buf_free(b);
	if (res == NULL)
		return (list);

	/* The descriptor's expressions, in its order. */
	if (PQntuples(res) == 1) {
		for (i = 0, sh = er->shown; sh->label != NULL; sh++, i++)
			json_array_append_new(list, value_row(sh->label,
			    list_value(res, 0, i)));
	}
	PQclear(res);

	return (list);
}

/*
 * The form page: an edit form (id set), a new form, or an action's form;
 * with the record's title, what was typed and the messages.
 */
int
edit_render_form(struct http_request *req, struct app_req *ctx,
    const struct resource *res, const char *id, struct form *f, int status,
    const char *title, const char *action, const char *submit)
{
	const struct edit_resource	*er;
	json_t				*view, *fv;
	const char			*back;
	char				*rt, own[128];
	int				 found;

	rt = NULL;
	if (id != NULL)
		rt = record_title(ctx, res, id, &found);

	view = render_view(ctx, title);
	record_view(view, res, id, rt);
	fv = form_view(ctx, f, action, submit);
	json_object_set_new(fv, "cancel_href", id != NULL ?
	    json_sprintf("/admin/%s/%s", res->name, id) :
	    json_string(resource_path(res)));
	/* A page to go back to (an action started from another page). */
	if ((back = edit_return_to(ctx)) != NULL) {
		json_object_set_new(fv, "hidden", json_pack("[{s:s, s:s}]",
		    "name", "return_to", "value", back));
		json_object_set_new(fv, "cancel_href", json_string(back));
	}
	json_object_set_new(view, "form", fv);
	if (rt != NULL)
		json_object_set_new(view, "subtitle", json_string(rt));
	kore_free(rt);

	/* The read-only values belong on the record's own edit form. */
	er = edit_find(res->name);
	(void)snprintf(own, sizeof(own), "/admin/%s/%s", res->name,
	    id != NULL ? id : "");
	if (er != NULL && id != NULL && er->shown != NULL &&
	    strcmp(action, own) == 0) {
		json_object_set_new(view, "shown", shown_view(ctx, er, id));
		if (er->shown_note != NULL)
			json_object_set_new(view, "shown_note",
			    json_string(er->shown_note));
	}
	if (er != NULL && id == NULL && er->new_hint != NULL)
		json_object_set_new(view, "intro", json_string(er->new_hint));

	return (render_page(req, ctx, status, "form", view));
}

/*
 * After a failed write: the HTTP status to answer with.  A refusal the
 * descriptor explains becomes a message beside its field (422); another
 * refusal by the data a message above the form (422); anything else is
 * the database failing (503).
 */
int
edit_write_status(struct write_txn *w, const struct write_constraint *map,
    struct form *f)
{
	const struct write_constraint	*c;

	if ((c = write_constraint(w, map)) != NULL) {
		form_error(f, c->field, c->message);
		return (422);
	}
	if (write_is_constraint(w)) {
		form_alert(f, "The database refused this change, so nothing "
		    "was saved. Check the values and try again.");
		return (422);
	}

	return (HTTP_STATUS_SERVICE_UNAVAILABLE);
}

/* GET /admin/<resource>/new */
int
edit_new(struct http_request *req, struct app_req *ctx)
{
	const struct edit_resource	*er;
	const struct resource		*res;
	struct form			 f;
	char				 title[128];
	int				 ret;

	if ((er = edit_lookup(req, ctx, &res, 'n')) == NULL)
		return (KORE_RESULT_OK);

	form_init(&f, er->create_fields);
	/* Prefilled from the query: /admin/x/new?customer_id=12 */
	form_read(&f, &ctx->query);
	(void)snprintf(title, sizeof(title), "New %s", res->singular);
	ret = edit_render_form(req, ctx, res, NULL, &f, HTTP_STATUS_OK,
	    title, resource_path(res), er->new_label ? er->new_label : "Save");
	form_free(&f);

	return (ret);
}

/* POST /admin/<resource> */
int
edit_create(struct http_request *req, struct app_req *ctx)
{
	const struct edit_resource	*er;
	const struct resource		*res;
	struct write_txn		 w;
	struct form			 f;
	char				 title[128], id[32], href[128];
	int				 ret;

	if ((er = edit_lookup(req, ctx, &res, 'n')) == NULL)
		return (KORE_RESULT_OK);
	if (er->create != NULL)
		return (er->create(req, ctx));

	(void)snprintf(title, sizeof(title), "New %s", res->singular);
	form_init(&f, er->create_fields);
	form_read(&f, &ctx->form);

	if (form_validate(&f, ctx) > 0) {
		ret = edit_render_form(req, ctx, res, NULL, &f, 422, title,
		    resource_path(res), "Save");
	} else if (create_write(ctx, &w, er, &f, id, sizeof(id)) == 0) {
		(void)snprintf(href, sizeof(href), "/admin/%s/%s", res->name,
		    id);
		ret = edit_flash_redirect(req, "notice", er->created, href);
	} else if (edit_write_status(&w, er->constraints, &f) == 422) {
		ret = edit_render_form(req, ctx, res, NULL, &f, 422, title,
		    resource_path(res), "Save");
	} else {
		ret = edit_db_error(req, ctx);
	}
	form_free(&f);

	return (ret);
}

/*
 * INSERT the new record with f's values and commit; its id in id.
 * Returns 0, or -1 (rolled back; w tells why).
 */
static int
create_write(struct app_req *ctx, struct write_txn *w,
    const struct edit_resource *er, const struct form *f, char *id,
    size_t idlen)
{
	const struct form_field	*fd;
	struct kore_buf		*b;
	PGresult		*pr;
	const char		*params[FORM_FIELDS_MAX];
	int			 i;

	b = kore_buf_alloc(256);
	kore_buf_appendf(b, "INSERT INTO %s (", er->table);
	for (i = 0, fd = er->create_fields; fd->name != NULL; fd++, i++) {
		kore_buf_appendf(b, "%s%s", i ? ", " : "", fd->name);
		params[i] = f->value[i];
	}
	kore_buf_appendf(b, ") VALUES (");
	for (i = 0, fd = er->create_fields; fd->name != NULL; fd++, i++)
		kore_buf_appendf(b, "%s$%d", i ? ", " : "", i + 1);
	kore_buf_appendf(b, ") RETURNING id");

	pr = NULL;
	if (write_begin_admin(w, ctx, NULL) == 0 &&
	    (pr = write_exec(w, kore_buf_stringify(b, NULL), f->n,
	    params)) != NULL) {
		(void)kore_strlcpy(id, DB_COL(pr, 0, "id"), idlen);
		PQclear(pr);
		if (write_commit(w) == -1)
			pr = NULL;
	}
	kore_buf_free(b);

	if (pr == NULL) {
		write_rollback(w);
		return (-1);
	}

	return (0);
}

/* GET /admin/<resource>/<id>/edit */
int
edit_form(struct http_request *req, struct app_req *ctx)
{
	const struct edit_resource	*er;
	const struct resource		*res;
	struct form			 f;
	PGresult			*pr;
	char				 title[128], action[128];
	int				 ret;

	if ((er = edit_lookup(req, ctx, &res, 'e')) == NULL)
		return (KORE_RESULT_OK);

	if ((pr = record_load(ctx, NULL, er, ctx->args[1])) == NULL)
		return (edit_db_error(req, ctx));
	if (PQntuples(pr) == 0) {
		PQclear(pr);
		return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no such record; it may have been deleted."));
	}

	form_init(&f, er->fields);
	form_load(&f, pr, 0, 0);
	PQclear(pr);

	(void)snprintf(title, sizeof(title), "Edit %s", res->singular);
	(void)snprintf(action, sizeof(action), "/admin/%s/%s", res->name,
	    ctx->args[1]);
	ret = edit_render_form(req, ctx, res, ctx->args[1], &f, HTTP_STATUS_OK,
	    title, action, "Save");
	form_free(&f);

	return (ret);
}

/* Do the saved values differ from what is in the database? */
static int
form_changed(const struct form *mine, const struct form *cur)
{
	int	i;

	for (i = 0; i < mine->n; i++) {
		if ((mine->value[i] == NULL) != (cur->value[i] == NULL))
			return (1);
		if (mine->value[i] != NULL &&
		    strcmp(mine->value[i], cur->value[i]) != 0)
			return (1);
	}

	return (0);
}

/*
 * 409: someone saved this record since the form was read.  Their values
 * beside the current ones, and the form again with theirs, now at the
 * current lock_version, to apply them over the other change on purpose.
 */
int
edit_render_conflict(struct http_request *req, struct app_req *ctx,
    const struct resource *res, const char *id, struct form *mine,
    struct form *cur, const char *action)
{
	json_t		*view, *rows, *fv;
	const char	*back;
	char		 own[128], *rt;
	int		 found;

	(void)snprintf(own, sizeof(own), "/admin/%s/%s", res->name, id);

	(void)kore_strlcpy(mine->lock_version, cur->lock_version,
	    sizeof(mine->lock_version));

	rows = form_conflict_rows(mine, cur);

	rt = record_title(ctx, res, id, &found);
	view = render_view(ctx, "This record was changed by someone else");
	record_view(view, res, id, rt);
	if (rt != NULL)
		json_object_set_new(view, "subtitle", json_string(rt));
	kore_free(rt);

	json_object_set_new(view, "conflict", json_pack("{s:o, s:s}",
	    "fields", rows, "message", "Someone saved this record after you "
	    "opened the form, so your changes were not saved. Compare your "
	    "values with the current ones below: save yours over theirs, or "
	    "discard yours."));
	fv = form_view(ctx, mine, action, "Save my values");
	json_object_set_new(fv, "cancel_href", json_sprintf(
	    "%s%s", action, strcmp(action, own) == 0 ? "/edit" : ""));
	if ((back = edit_return_to(ctx)) != NULL) {
		json_object_set_new(fv, "hidden", json_pack("[{s:s, s:s}]",
		    "name", "return_to", "value", back));
	}
	json_object_set_new(fv, "cancel_label",
	    json_string("Discard mine and edit the current values"));
	json_object_set_new(view, "form", fv);

	return (render_page(req, ctx, HTTP_STATUS_CONFLICT, "conflict", view));
}

/* POST /admin/<resource>/<id> */
int
edit_update(struct http_request *req, struct app_req *ctx)
{
	const struct edit_resource	*er;
	const struct resource		*res;
	struct write_txn		 w;
	struct form			 mine, cur;
	const char			*id;
	char				 title[128], href[128];
	long				 rows;
	int				 ret, found;

	if ((er = edit_lookup(req, ctx, &res, 'e')) == NULL)
		return (KORE_RESULT_OK);
	id = ctx->args[1];

	(void)snprintf(title, sizeof(title), "Edit %s", res->singular);
	(void)snprintf(href, sizeof(href), "/admin/%s/%s", res->name, id);

	form_init(&mine, er->fields);
	form_init(&cur, er->fields);
	form_read(&mine, &ctx->form);
	if (!form_lock_ok(&mine)) {
		ret = render_error(req, ctx, HTTP_STATUS_BAD_REQUEST,
		    "The form lacks the record's version (lock_version), so "
		    "it cannot be saved safely. Open the edit page again.");
		goto out;
	}

	if (form_validate(&mine, ctx) > 0) {
		ret = edit_render_form(req, ctx, res, id, &mine, 422, title,
		    href, "Save");
		goto out;
	}

	if ((found = update_begin(ctx, &w, er, id, &cur)) != 1) {
		ret = found == 0 ? render_error(req, ctx,
		    HTTP_STATUS_NOT_FOUND, "There is no such record; it may "
		    "have been deleted.") : edit_db_error(req, ctx);
		goto out;
	}

	/* Someone saved first: show both, write nothing. */
	if (strcmp(cur.lock_version, mine.lock_version) != 0) {
		write_rollback(&w);
		ret = edit_render_conflict(req, ctx, res, id, &mine, &cur,
		    href);
		goto out;
	}

	if (!form_changed(&mine, &cur)) {
		write_rollback(&w);
		ret = edit_flash_redirect(req, "notice", "Nothing was changed.",
		    href);
		goto out;
	}

	rows = update_write(&w, er, id, &mine);
	if (rows == 1 && (er->after_update == NULL ||
	    er->after_update(&w, id, &mine, &cur) == 0) &&
	    write_commit(&w) == 0) {
		ret = edit_flash_redirect(req, "notice", er->updated, href);
		goto out;
	}

	write_rollback(&w);
	if (rows == 0) {
		/* Not reached while the row is locked; kept as a guard. */
		ret = edit_render_conflict(req, ctx, res, id, &mine, &cur,
		    href);
	} else if (edit_write_status(&w, er->constraints, &mine) == 422) {
		ret = edit_render_form(req, ctx, res, id, &mine, 422, title,
		    href, "Save");
	} else {
		ret = edit_db_error(req, ctx);
	}
out:
	form_free(&mine);
	form_free(&cur);

	return (ret);
}

/*
 * Open the update's transaction and read record id into cur, its row
 * locked until the transaction ends.  Returns 1, or 0 when there is no
 * such record and -1 when the database failed (the transaction then
 * rolled back).
 */
static int
update_begin(struct app_req *ctx, struct write_txn *w,
    const struct edit_resource *er, const char *id, struct form *cur)
{
	PGresult	*pr;
	int		 found;

	pr = NULL;
	if (write_begin_admin(w, ctx, NULL) == -1 ||
	    (pr = record_load(ctx, w, er, id)) == NULL) {
		write_rollback(w);
		return (-1);
	}

	if ((found = PQntuples(pr) > 0))
		form_load(cur, pr, 0, 0);
	else
		write_rollback(w);
	PQclear(pr);

	return (found);
}

/* UPDATE the record with mine's values; the rows it changed, or -1. */
static long
update_write(struct write_txn *w, const struct edit_resource *er,
    const char *id, const struct form *mine)
{
	const struct form_field	*fd;
	struct kore_buf		*b;
	const char		*params[FORM_FIELDS_MAX + 2];
	long			 rows;
	int			 i;

	b = kore_buf_alloc(256);
	kore_buf_appendf(b, "UPDATE %s SET ", er->table);
	params[0] = id;
	params[1] = mine->lock_version;
	for (i = 0, fd = er->fields; fd->name != NULL; fd++, i++) {
		kore_buf_appendf(b, "%s%s = $%d", i ? ", " : "", fd->name,
		    i + 3);
		params[i + 2] = mine->value[i];
	}
	kore_buf_appendf(b, " WHERE id = $1::bigint AND "
	    "lock_version = $2::integer");
	rows = write_exec_count(w, kore_buf_stringify(b, NULL), mine->n + 2,
	    params);
	kore_buf_free(b);

	return (rows);
}

/* GET /admin/<resource>/<id>/delete: what would go, and "Yes, I'm sure". */
int
edit_delete_confirm(struct http_request *req, struct app_req *ctx)
{
	const struct edit_resource	*er;
	const struct resource		*res;
	const struct field		*fd;
	struct sql			 s;
	PGresult			*pr;
	json_t				*view, *fields;
	char				 title[128];
	int				 n, col;

	if ((er = edit_lookup(req, ctx, &res, 'd')) == NULL)
		return (KORE_RESULT_OK);

	sql_init(&s);
	kore_buf_appendf(s.text, "SELECT t.lock_version, %s AS title",
	    res->title_expr);
	for (fd = res->fields; fd->name != NULL; fd++) {
		if (fd->flags & F_SHOW) {
			/* As the show page shows it: labels, times in UTC. */
			kore_buf_appendf(s.text, ", ");
			list_select_value(s.text, fd);
		}
	}
	n = sql_param(&s, ctx->args[1]);
	kore_buf_appendf(s.text, " FROM %s WHERE t.id = $%d::bigint",
	    res->from, n);
	pr = sql_exec(ctx, &s);
	sql_free(&s);
	if (pr == NULL)
		return (edit_db_error(req, ctx));
	if (PQntuples(pr) == 0) {
		PQclear(pr);
		return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no such record; it may have been deleted."));
	}

	/* The fields follow lock_version and title, in the descriptor's
	 * order. */
	fields = json_array();
	col = 2;
	for (fd = res->fields; fd->name != NULL; fd++) {
		if (fd->flags & F_SHOW)
			json_array_append_new(fields, value_row(fd->label,
			    list_value(pr, 0, col++)));
	}

	(void)snprintf(title, sizeof(title), "Delete %s", res->singular);
	view = render_view(ctx, title);
	record_view(view, res, ctx->args[1], DB_COL(pr, 0, "title"));
	json_object_set_new(view, "subtitle",
	    json_string(DB_COL(pr, 0, "title")));
	json_object_set_new(view, "fields", fields);
	json_object_set_new(view, "confirm", json_pack("{s:s, s:s, s:s}",
	    "lock_version", DB_COL(pr, 0, "lock_version"), "question", "",
	    "action", ""));
	json_object_set_new(json_object_get(view, "confirm"), "question",
	    json_sprintf("Are you sure you want to delete this %s? It is "
	    "recorded in history; this cannot be undone here.",
	    res->singular));
	json_object_set_new(json_object_get(view, "confirm"), "action",
	    json_sprintf("/admin/%s/%s/delete", res->name, ctx->args[1]));
	PQclear(pr);

	return (render_page(req, ctx, HTTP_STATUS_OK, "confirm_delete", view));
}

/* POST /admin/<resource>/<id>/delete */
int
edit_delete(struct http_request *req, struct app_req *ctx)
{
	const struct edit_resource	*er;
	const struct resource		*res;
	static const struct form_field	 no_fields[] = { { .name = NULL } };
	struct write_txn		 w;
	struct kore_buf			*b;
	struct form			 none;
	const char			*params[2];
	char				 msg[256];
	long				 rows;
	int				 ret;

	if ((er = edit_lookup(req, ctx, &res, 'd')) == NULL)
		return (KORE_RESULT_OK);

	/* The confirmation carries only the version it was shown at. */
	b = NULL;
	form_init(&none, no_fields);
	form_read(&none, &ctx->form);
	if (!form_lock_ok(&none)) {
		ret = render_error(req, ctx, HTTP_STATUS_BAD_REQUEST,
		    "The confirmation lacks the record's version; open the "
		    "delete page again.");
		goto out;
	}

	params[0] = ctx->args[1];
	params[1] = none.lock_version;
	b = kore_buf_alloc(128);
	kore_buf_appendf(b, "DELETE FROM %s WHERE id = $1::bigint AND "
	    "lock_version = $2::integer", er->table);

	rows = -1;
	if (write_begin_admin(&w, ctx, NULL) == 0) {
		rows = write_exec_count(&w, kore_buf_stringify(b, NULL), 2,
		    params);
	}
	if (rows == 0) {
		/* Gone, or changed since the confirmation was shown? */
		kore_buf_reset(b);
		kore_buf_appendf(b, "SELECT 1 FROM %s WHERE id = $1::bigint",
		    er->table);
		rows = write_exec_count(&w, kore_buf_stringify(b, NULL), 1,
		    params);
		write_rollback(&w);
		(void)snprintf(msg, sizeof(msg), "This %s was changed by "
		    "someone else after you opened the confirmation, so it "
		    "was not deleted. Look at it again before deleting it.",
		    res->singular);
		if (rows == 0)
			ret = render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
			    "There is no such record; it was already deleted.");
		else if (rows > 0)
			ret = render_error(req, ctx, HTTP_STATUS_CONFLICT, msg);
		else
			ret = edit_db_error(req, ctx);
		goto out;
	}

	if (rows == 1 && write_commit(&w) == 0) {
		ret = edit_flash_redirect(req, "notice", er->deleted,
		    resource_path(res));
		goto out;
	}

	write_rollback(&w);
	if (edit_write_status(&w, er->constraints, &none) == 422) {
		(void)snprintf(msg, sizeof(msg), "%s", none.alert != NULL ?
		    none.alert : "The database refused to delete it.");
		ret = render_error(req, ctx, HTTP_STATUS_CONFLICT, msg);
	} else {
		ret = edit_db_error(req, ctx);
	}
out:
	if (b != NULL)
		kore_buf_free(b);
	form_free(&none);

	return (ret);
}

/*
 * A panel on a show page (templates/partials/record_extras.html): a
 * title, then optionally a note, a URL to copy, a table, a button.
 */
json_t *
edit_panel(json_t *view, const char *name, const char *title)
{
	json_t		*list, *p;

	if ((list = json_object_get(view, "panels")) == NULL) {
		list = json_array();
		json_object_set_new(view, "panels", list);
	}
	p = json_pack("{s:s, s:s, s:[], s:[], s:b}", "name", name, "title",
	    title, "columns", "rows", "has_rows", 0);
	json_array_append_new(list, p);

	return (p);
}

/* A row of cells ({value, href?}) in a panel's table. */
void
edit_panel_row(json_t *panel, json_t *cells)
{
	json_array_append_new(json_object_get(panel, "rows"),
	    json_pack("{s:o}", "cells", cells));
	json_object_set_new(panel, "has_rows", json_true());
}

/* The outbox rows of a record: what is waiting for, or went to, Zuora. */
json_t *
outbox_view(struct app_req *ctx, const char *record_type, const char *id)
{
	PGresult	*res;
	json_t		*list;
	const char	*params[2];
	int		 i, n;

	params[0] = record_type;
	params[1] = id;
	res = db_exec(ctx, "SELECT id, kind, status, attempts, "
	    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
	    "AS created_at, CASE WHEN status = 'pending' THEN "
	    "to_char(next_attempt_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD HH24:MI:SS') END AS next_attempt_at, "
	    "to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
	    "AS sent_at, last_error FROM outbox WHERE record_type = $1 AND "
	    "record_id = $2::bigint ORDER BY id DESC LIMIT 10", 2, params);
	list = json_array();
	if (res == NULL)
		return (list);

	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:s, s:s?, s:s?, s:s?}",
		    "id", DB_COL(res, i, "id"),
		    "kind", DB_COL(res, i, "kind"),
		    "status", DB_COL(res, i, "status"),
		    "attempts", DB_COL(res, i, "attempts"),
		    "created_at", DB_COL(res, i, "created_at"),
		    "next_attempt_at", DB_NULL(res, i, "next_attempt_at") ?
		    NULL : DB_COL(res, i, "next_attempt_at"),
		    "sent_at", DB_NULL(res, i, "sent_at") ? NULL :
		    DB_COL(res, i, "sent_at"),
		    "last_error", DB_NULL(res, i, "last_error") ? NULL :
		    DB_COL(res, i, "last_error")));
	}
	PQclear(res);

	return (list);
}

/* The "Zuora sync" panel: the record's outbox rows and their state. */
void
outbox_panel(struct app_req *ctx, json_t *view, const char *record_type,
    const char *id)
{
	json_t		*panel, *rows, *r;
	size_t		 i;

	panel = edit_panel(view, "outbox", "Zuora sync");
	json_object_set_new(panel, "columns", json_pack("[s, s, s, s, s, s, s]",
	    "Queued at (UTC)", "Kind", "Status", "Attempts",
	    "Next attempt (UTC)", "Sent at (UTC)", "Last error"));
	rows = outbox_view(ctx, record_type, id);
	json_object_set(panel, "outbox", rows);
	json_array_foreach(rows, i, r) {
		edit_panel_row(panel, json_pack("[{s:O}, {s:O}, {s:O}, {s:O}, "
		    "{s:s}, {s:s}, {s:s}]",
		    "value", json_object_get(r, "created_at"),
		    "value", json_object_get(r, "kind"),
		    "value", json_object_get(r, "status"),
		    "value", json_object_get(r, "attempts"),
		    "value", json_string_value(json_object_get(r,
		    "next_attempt_at")) ? json_string_value(json_object_get(r,
		    "next_attempt_at")) : "\xe2\x80\x94",
		    "value", json_string_value(json_object_get(r,
		    "sent_at")) ? json_string_value(json_object_get(r,
		    "sent_at")) : "\xe2\x80\x94",
		    "value", json_string_value(json_object_get(r,
		    "last_error")) ? json_string_value(json_object_get(r,
		    "last_error")) : "\xe2\x80\x94"));
	}
	json_decref(rows);
	if (!json_is_true(json_object_get(panel, "has_rows")))
		json_object_set_new(panel, "note", json_string("Nothing was "
		    "queued for Zuora for this record."));
	else
		json_object_set_new(panel, "note", json_string("Changes are "
		    "sent to Zuora in the background and retried while Zuora "
		    "is unavailable."));
}

/* When Kore frees a request: its task, and any transaction left open. */
void
edit_req_free(struct app_req *ctx)
{
	bg_req_free(ctx);
	write_guard();
}
