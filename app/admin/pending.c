/*
 * Screens that are listed in the navigation but not built yet say so,
 * through the layout, instead of answering 404.
 */

#include <sys/types.h>

#include <stdio.h>

#include "app.h"

int
page_pending(struct http_request *req, struct app_req *ctx)
{
	const char	*label;
	json_t		*view;

	if ((label = render_nav_label(req->path)) == NULL) {
		return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no page at this address."));
	}

	view = render_view(ctx, label);
	json_object_set_new(view, "screen", json_string(label));

	return (render_page(req, ctx, HTTP_STATUS_NOT_IMPLEMENTED, "pending",
	    view));
}
