/*
 * RailsAdmin's URLs, which the Fulfillment Guide and the links staff keep
 * (SFDC's "QSR Notes") use: a model's name is singular there
 * (/admin/reconciliation/12345, /admin/reconciliation?f[...]...).  Every
 * such path answers with a permanent redirect to the panel's own,
 * keeping the rest of the path and the query:
 *
 *	/admin/reconciliation/12345/history?x=1
 *	    -> /admin/reconciliations/12345/history?x=1
 *
 * An address that names no resource gets a 404 that offers the list it
 * most likely meant (a typo, or a word of it).  RailsAdmin's sign-in
 * pages lead to the panel's (outside /admin, which is never public):
 *
 *	/admin/sign_in, /admins/sign_in -> /auth/sign_in  "Sign in with Okta"
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "admin/resource.h"

#define PREFIX		"/admin/"

static int	 moved(struct http_request *, const char *);

/* 301 to another of the panel's addresses. */
static int
moved(struct http_request *req, const char *to)
{
	http_response_header(req, "location", to);
	http_response(req, HTTP_STATUS_MOVED_PERMANENTLY, NULL, 0);

	return (KORE_RESULT_OK);
}

/*
 * For a GET of a RailsAdmin path, the redirect (KORE_RESULT_OK, the
 * answer sent); -1 when the path is not one.
 */
int
railsadmin_redirect(struct http_request *req)
{
	const struct resource	*r;
	const char		*seg, *rest;
	char			 to[2048];
	size_t			 i, len;
	int			 n;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD)
		return (-1);
	if (strcmp(req->path, "/admin/sign_in") == 0 ||
	    strcmp(req->path, "/admins/sign_in") == 0)
		return (moved(req, "/auth/sign_in"));
	if (strncmp(req->path, PREFIX, sizeof(PREFIX) - 1) != 0)
		return (-1);
	seg = req->path + sizeof(PREFIX) - 1;
	len = strcspn(seg, "/");
	rest = seg + len;
	/* RailsAdmin's model name is the resource's, less its plural s. */
	for (i = 0; (r = resources[i]) != NULL; i++) {
		if (strlen(r->name) != len + 1 ||
		    strncmp(seg, r->name, len) != 0 || r->name[len] != 's')
			continue;
		n = snprintf(to, sizeof(to), PREFIX "%s%s%s%s", r->name,
		    rest, req->query_string != NULL &&
		    *req->query_string != '\0' ? "?" : "",
		    req->query_string != NULL ? req->query_string : "");
		if (n < 0 || (size_t)n >= sizeof(to))
			return (-1);
		return (moved(req, to));
	}

	return (-1);
}

/*
 * GET /auth/sign_in (RailsAdmin's /admin/sign_in, /admins/sign_in): the
 * sign-in page where the Guide says to click "Sign in with Okta".
 * Someone already signed in goes on to the dashboard.
 */
int
page_sign_in(struct http_request *req, struct app_req *ctx)
{
	json_t	*view;

	if (ctx->session == SESSION_VALID)
		return (render_redirect(req, "/admin"));
	view = render_view(ctx, "Sign in");
	return (render_page(req, ctx, HTTP_STATUS_OK, "signin", view));
}

/* Edits from a to b (Levenshtein), both at most 63 bytes; 99 if longer. */
static int
distance(const char *a, const char *b)
{
	int	row[64], prev, cur, i, j, la, lb, best;

	la = (int)strlen(a);
	lb = (int)strlen(b);
	if (la > 63 || lb > 63)
		return (99);
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = row[j];
			best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}

	return (row[lb]);
}

/*
 * 404 for /admin/<name> that is no resource, offering the list whose
 * name is closest (at most 3 edits, or one name inside the other).
 */
int
render_not_found_guess(struct http_request *req, struct app_req *ctx,
    const char *name)
{
	const struct resource	*r, *guess;
	json_t			*view;
	int			 d, best;
	size_t			 i;

	guess = NULL;
	best = 4;
	for (i = 0; (r = resources[i]) != NULL; i++) {
		d = distance(name, r->name);
		if (strlen(name) >= 4 && (strstr(r->name, name) != NULL ||
		    strstr(name, r->name) != NULL))
			d = 1;
		if (d < best) {
			best = d;
			guess = r;
		}
	}

	view = render_view(ctx, http_status_text(HTTP_STATUS_NOT_FOUND));
	json_object_set_new(view, "status", json_integer(404));
	json_object_set_new(view, "error", json_string("There is no page at "
	    "this address."));
	if (guess != NULL)
		json_object_set_new(view, "guess", json_pack("{s:o, s:s}",
		    "href", json_sprintf("/admin/%s", guess->name), "label",
		    guess->label));

	return (render_page(req, ctx, HTTP_STATUS_NOT_FOUND, "error", view));
}
