/*
 * What the Support screens share: the transaction with the person and
 * the Zendesk ticket, the form page, the conflict page.  See
 * support/support.h.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/support.h"

/* A page of a Support screen: its title and the way back to the screen. */
json_t *
support_view(struct app_req *ctx, const char *title, const char *screen)
{
	json_t		*view;
	const char	*label;

	view = render_view(ctx, title);
	if (screen != NULL) {
		label = render_nav_label(screen);
		json_object_set_new(view, "back", json_pack("{s:s, s:s}",
		    "href", screen, "label", label != NULL ? label :
		    "Support"));
	}

	return (view);
}

/* The value of a query parameter, or "". */
const char *
support_query(struct app_req *ctx, const char *key)
{
	const char	*v;

	if ((v = param_last(&ctx->query, key)) == NULL)
		return ("");

	return (v);
}

/* A query string value, percent-encoded (kore_free it). */
char *
support_urlencode(const char *s)
{
	struct kore_buf	*b;
	char		*out;

	b = kore_buf_alloc(strlen(s) * 3 + 1);
	url_append(b, s);
	out = kore_strdup(kore_buf_stringify(b, NULL));
	kore_buf_free(b);

	return (out);
}

json_t *
support_cell(const char *value, const char *href)
{
	json_t	*c;

	c = json_pack("{s:s}", "value", value != NULL && *value != '\0' ?
	    value : "\xe2\x80\x94");
	if (href != NULL)
		json_object_set_new(c, "href", json_string(href));

	return (c);
}

/* A line of a summary (a definition list): label, value, link. */
json_t *
support_dl(json_t *list, const char *label, const char *value,
    const char *href)
{
	json_t	*c;

	c = support_cell(value, href);
	json_object_set_new(c, "label", json_string(label));
	json_array_append_new(list, c);

	return (list);
}

/*
 * A Support form page: title, what the action is about (summary), the
 * form with what was typed and its messages.
 */
int
support_render_form(struct http_request *req, struct app_req *ctx,
    int status, const char *title, const char *screen, json_t *summary,
    struct form *f, const char *action, const char *submit,
    const char *cancel, const char *ns)
{
	json_t	*view, *fv;

	view = support_view(ctx, title, screen);
	/* What was sent to GitLab.com about the namespace concerned. */
	if (ns != NULL)
		gitlab_sync_panel(ctx, view, ns);
	if (summary != NULL) {
		json_object_set_new(view, "has_summary",
		    json_boolean(json_array_size(summary) > 0));
		json_object_set_new(view, "summary", summary);
	}
	if (f != NULL) {
		fv = form_view(ctx, f, action, submit);
		json_object_set_new(fv, "cancel_href", json_string(cancel));
		json_object_set_new(view, "form", fv);
	}

	return (render_page(req, ctx, status, "support_form", view));
}

/*
 * 409: the record changed after the form was read.  Like the editors'
 * conflict page (admin/edit.c): their values beside the current ones
 * (form_conflict_rows()), and the form again at the current lock_version.
 */
int
support_conflict(struct http_request *req, struct app_req *ctx,
    const char *title, const char *record_href, struct form *mine,
    struct form *cur, const char *action)
{
	json_t		*view, *rows, *fv;

	(void)kore_strlcpy(mine->lock_version, cur->lock_version,
	    sizeof(mine->lock_version));

	rows = form_conflict_rows(mine, cur);

	view = render_view(ctx, "This record was changed by someone else");
	json_object_set_new(view, "subtitle", json_string(title));
	json_object_set_new(view, "record", json_pack("{s:s, s:o}",
	    "show_href", record_href, "history_href",
	    json_sprintf("%s/history", record_href)));
	json_object_set_new(view, "conflict", json_pack("{s:o, s:s}",
	    "fields", rows, "message", "Someone changed this record after "
	    "you opened the form, so your change was not saved. Compare your "
	    "values with the current ones below: submit yours again over "
	    "theirs, or discard yours."));
	fv = form_view(ctx, mine, action, "Save my values");
	json_object_set_new(fv, "cancel_href", json_string(record_href));
	json_object_set_new(fv, "cancel_label", json_string("Discard mine"));
	json_object_set_new(view, "form", fv);

	return (render_page(req, ctx, HTTP_STATUS_CONFLICT, "conflict", view));
}
