/*
 * Pages: a view model (jansson) rendered through a template into the
 * layout, or served as JSON to Accept: application/json.  Error pages go
 * through the same layout.  Flash messages survive one redirect in a
 * cookie.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

#define FLASH_COOKIE	"cdot_flash"
#define FLASH_MAX	512

struct nav_item {
	const char	*section;
	const char	*label;
	const char	*href;
	int		 need;
};

/*
 * The navigation: every screen of the panel.  A screen that is not built
 * yet is still listed, and its page says so.
 */
static const struct nav_item nav_items[] = {
	{ "Overview", "Dashboard", "/admin", ROLE_ANY },
	{ "Customers", "Customers", "/admin/customers", ROLE_ANY },
	{ "Customers", "Billing accounts", "/admin/billing_accounts",
	    ROLE_ANY },
	{ "Customers", "Billing account contacts",
	    "/admin/billing_account_contacts", ROLE_ANY },
	{ "Customers", "Billing account memberships",
	    "/admin/billing_account_memberships", ROLE_ANY },
	{ "Subscriptions", "Zuora subscriptions",
	    "/admin/zuora_subscriptions", ROLE_ANY },
	{ "Subscriptions", "Invoices", "/admin/invoices", ROLE_ANY },
	{ "Subscriptions", "Payment methods", "/admin/payment_methods",
	    ROLE_ANY },
	{ "Subscriptions", "Orders", "/admin/orders", ROLE_ANY },
	{ "Subscriptions", "Reconciliations", "/admin/reconciliations",
	    ROLE_ANY },
	{ "Subscriptions", "Temporary extensions",
	    "/admin/temporary_extension_history", ROLE_ANY },
	{ "Licensing", "Licenses", "/admin/licenses", ROLE_ANY },
	{ "Licensing", "License seat links", "/admin/license_seat_links",
	    ROLE_ANY },
	{ "GitLab.com", "Namespaces", "/admin/namespaces", ROLE_ANY },
	{ "GitLab.com", "Trials", "/admin/trials", ROLE_ANY },
	{ "Support", "Trial changes (SaaS)", "/admin/support/trials",
	    ROLE_SUPPORT_ADMIN },
	{ "Support", "Trials for SM", "/admin/support/sm_trials",
	    ROLE_SUPPORT_ADMIN },
	{ "Support", "Namespace controls (SaaS)",
	    "/admin/support/namespaces", ROLE_SUPPORT_ADMIN },
};

static int	buf_writer(void *, const char *, size_t);
static json_t	*nav_build(const struct app_req *, const char *);
static json_t	*flash_take(struct http_request *);
static void	 headers_page(struct http_request *, const char *);

/*
 * Kore's buffers grow by just what is appended, copying the whole buffer
 * each time; a page is written in hundreds of small pieces, so make room
 * by doubling instead.
 */
static int
buf_writer(void *ctx, const char *p, size_t len)
{
	struct kore_buf	*b = ctx;
	size_t		 room;

	if (len > SIZE_MAX / 2 - b->offset)
		return (-1);
	if (b->offset + len > b->length) {
		room = b->length * 2 > b->offset + len ? b->length * 2 :
		    b->offset + len;
		b->data = kore_realloc(b->data, room);
		b->length = room;
	}
	kore_buf_append(b, p, len);

	return (0);
}

/* The label of the nav item at path, or NULL. */
const char *
render_nav_label(const char *path)
{
	size_t		i;

	for (i = 0; i < sizeof(nav_items) / sizeof(nav_items[0]); i++) {
		if (strcmp(nav_items[i].href, path) == 0)
			return (nav_items[i].label);
	}

	return (NULL);
}

static json_t *
nav_build(const struct app_req *ctx, const char *path)
{
	json_t		*sections, *section, *items;
	const char	*last;
	size_t		 i;

	sections = json_array();
	section = NULL;
	items = NULL;
	last = NULL;

	for (i = 0; i < sizeof(nav_items) / sizeof(nav_items[0]); i++) {
		if ((nav_items[i].need & ctx->roles) == 0)
			continue;
		if (last == NULL || strcmp(last, nav_items[i].section) != 0) {
			items = json_array();
			section = json_pack("{s:s, s:o}", "label",
			    nav_items[i].section, "items", items);
			json_array_append_new(sections, section);
			last = nav_items[i].section;
		}
		json_array_append_new(items, json_pack("{s:s, s:s, s:b}",
		    "label", nav_items[i].label, "href", nav_items[i].href,
		    "active", path != NULL &&
		    strcmp(path, nav_items[i].href) == 0));
	}

	return (sections);
}

/* The view every page starts from: who is signed in, navigation, flash. */
json_t *
render_view(struct app_req *ctx, const char *title)
{
	json_t		*view, *roles;
	int		 r;

	view = json_object();
	json_object_set_new(view, "title", json_string(title));
	json_object_set_new(view, "request_id",
	    json_string(ctx->request_id));

	if (ctx->user[0] != '\0') {
		roles = json_array();
		for (r = ROLE_READ_ONLY; r <= ROLE_SUPPORT_ADMIN; r <<= 1) {
			if (ctx->roles & r) {
				json_array_append_new(roles,
				    json_string(config_role_name(r)));
			}
		}
		json_object_set_new(view, "user", json_pack("{s:s, s:o}",
		    "email", ctx->user, "roles", roles));
	}

	/* Forms that change anything post this back (the Sign out form). */
	if (ctx->csrf[0] != '\0')
		json_object_set_new(view, "csrf_token",
		    json_string(ctx->csrf));

	return (view);
}

int
render_page(struct http_request *req, struct app_req *ctx, int status,
    const char *name, json_t *view)
{
	struct kore_buf	*content, *page;
	json_t		*flash, *nav;

	if (ctx->wants_json)
		return (render_json(req, status, view));

	if ((flash = flash_take(req)) != NULL)
		json_object_set_new(view, "flash", flash);
	nav = nav_build(ctx, req->path);
	json_object_set_new(view, "show_nav", json_boolean(
	    json_array_size(nav) > 0));
	json_object_set_new(view, "nav", nav);

	content = kore_buf_alloc(8192);
	if (tmpl_render(app_templates, name, view, buf_writer,
	    content) == -1) {
		kore_buf_free(content);
		json_decref(view);
		kore_log(LOG_ERR, "template '%s' failed to render", name);
		http_response_header(req, "content-type",
		    "text/plain; charset=utf-8");
		http_response(req, HTTP_STATUS_INTERNAL_ERROR,
		    "internal error\n", 15);
		return (KORE_RESULT_OK);
	}

	/*
	 * The templates write only what the view holds, and jansson holds
	 * valid UTF-8 only: no need to check the page's body again.  The
	 * layout adds a few kilobytes around it.
	 */
	page = kore_buf_alloc(content->offset + 16384);
	json_object_set_new(view, "content", json_stringn_nocheck(
	    (const char *)content->data, content->offset));
	kore_buf_free(content);

	if (tmpl_render(app_templates, "layout", view, buf_writer,
	    page) == -1) {
		kore_buf_free(page);
		json_decref(view);
		http_response(req, HTTP_STATUS_INTERNAL_ERROR, NULL, 0);
		return (KORE_RESULT_OK);
	}
	json_decref(view);

	headers_page(req, "text/html; charset=utf-8");
	http_response(req, status, page->data, page->offset);
	kore_buf_free(page);

	return (KORE_RESULT_OK);
}

int
render_json(struct http_request *req, int status, json_t *view)
{
	char		*s;

	json_object_del(view, "nav");
	s = json_dumps(view, JSON_COMPACT);
	json_decref(view);

	headers_page(req, "application/json");
	if (s == NULL) {
		http_response(req, HTTP_STATUS_INTERNAL_ERROR, NULL, 0);
		return (KORE_RESULT_OK);
	}

	http_response(req, status, s, strlen(s));
	free(s);

	return (KORE_RESULT_OK);
}

int
render_error(struct http_request *req, struct app_req *ctx, int status,
    const char *message)
{
	json_t		*view;

	view = render_view(ctx, http_status_text(status));
	json_object_set_new(view, "status", json_integer(status));
	json_object_set_new(view, "error", json_string(message));

	return (render_page(req, ctx, status, "error", view));
}

/*
 * A read that failed: 503 when the database could not be reached (worth
 * trying again), 500 when it answered with an error (a fault to report,
 * found in the log by the request id shown on the page).
 */
int
render_db_error(struct http_request *req, struct app_req *ctx)
{
	char	msg[160];

	if (db_last_failure_down()) {
		return (render_error(req, ctx, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "The database is not reachable right now; try again in a "
		    "moment."));
	}

	(void)snprintf(msg, sizeof(msg), "Something went wrong on our side. "
	    "It has been logged with request id %s.", ctx->request_id);
	return (render_error(req, ctx, HTTP_STATUS_INTERNAL_ERROR, msg));
}

/* POST/redirect/GET: always a 303 to a path on this site. */
int
render_redirect(struct http_request *req, const char *location)
{
	http_response_header(req, "location", location);
	http_response_header(req, "cache-control", "no-store");
	http_response(req, HTTP_STATUS_SEE_OTHER, NULL, 0);

	return (KORE_RESULT_OK);
}

/*
 * The flash lives in a cookie until the next page shows it.  Its text is
 * escaped like any other text when shown, so a forged one can do no more
 * than put words on the forger's own screen.
 */
int
render_flash_set(struct http_request *req, const char *kind,
    const char *message)
{
	struct kore_buf	*buf;
	const char	*p;

	buf = kore_buf_alloc(128);
	kore_buf_appendf(buf, "%s:", kind);
	for (p = message; *p != '\0' && buf->offset < FLASH_MAX; p++) {
		if (isalnum((unsigned char)*p) || strchr("-_.", *p) != NULL)
			kore_buf_append(buf, p, 1);
		else
			kore_buf_appendf(buf, "%%%02X", (unsigned char)*p);
	}
	render_cookie(req, FLASH_COOKIE, kore_buf_stringify(buf, NULL), 60);
	kore_buf_free(buf);

	return (0);
}

static json_t *
flash_take(struct http_request *req)
{
	char		*value, *copy, *msg;
	size_t		 len;
	json_t		*list;

	http_populate_cookies(req);
	if (!http_request_cookie(req, FLASH_COOKIE, &value))
		return (NULL);

	render_cookie(req, FLASH_COOKIE, "", 0);

	copy = kore_strdup(value);
	if ((msg = strchr(copy, ':')) == NULL ||
	    (strncmp(copy, "notice:", 7) != 0 &&
	    strncmp(copy, "alert:", 6) != 0)) {
		kore_free(copy);
		return (NULL);
	}
	*msg++ = '\0';

	if (params_urldecode(msg, &len) == -1 || len == 0) {
		kore_free(copy);
		return (NULL);
	}

	list = json_pack("[{s:s, s:s}]", "kind", copy, "message", msg);
	kore_free(copy);

	return (list);
}

/*
 * Kore's http_response_cookie always sets Secure and Domain and has no
 * SameSite, so cookies are written here: HttpOnly, SameSite=Lax, Path=/,
 * and Secure whenever the panel is served over https.
 */
void
render_cookie(struct http_request *req, const char *name, const char *value,
    long maxage)
{
	char		hdr[1024];
	int		secure, n;

	secure = strncmp(app_cfg.base_url, "https://", 8) == 0;
	n = snprintf(hdr, sizeof(hdr), "%s=%s; Path=/; Max-Age=%ld; "
	    "HttpOnly; SameSite=Lax%s", name, value, maxage,
	    secure ? "; Secure" : "");
	if (n < 0 || (size_t)n >= sizeof(hdr)) {
		kore_log(LOG_ERR, "cookie %s too long, not set", name);
		return;
	}

	http_response_header(req, "set-cookie", hdr);
}

/*
 * The pages' Content-Security-Policy.  Forms post to the panel itself,
 * and Impersonate's answer sends the browser on to the customers portal:
 * form-action allows exactly the portal's origin (scheme, host, port of
 * portal_base_url) beside 'self', which browsers also apply to a form's
 * redirect.
 */
static const char *
csp(void)
{
	static char	 policy[1024];
	const char	*host;
	size_t		 n;

	if (policy[0] != '\0')
		return (policy);
	host = strstr(app_cfg.portal_base_url, "://");
	n = host != NULL ? (size_t)(host - app_cfg.portal_base_url) + 3 +
	    strcspn(host + 3, "/?#") : 0;
	/* A URL that lib/config.c let through has no space or ';' in it. */
	if (n == 0 || strcspn(app_cfg.portal_base_url, " ;,'\"") < n)
		n = 0;
	(void)snprintf(policy, sizeof(policy), "default-src 'self'; img-src "
	    "'self' data:; frame-ancestors 'none'; form-action 'self'%s%.*s; "
	    "base-uri 'none'", n ? " " : "", (int)n, app_cfg.portal_base_url);

	return (policy);
}

static void
headers_page(struct http_request *req, const char *ctype)
{
	http_response_header(req, "content-type", ctype);
	http_response_header(req, "cache-control", "no-store");
	http_response_header(req, "x-content-type-options", "nosniff");
	http_response_header(req, "x-frame-options", "DENY");
	http_response_header(req, "referrer-policy", "same-origin");
	http_response_header(req, "content-security-policy", csp());
}

/*
 * v percent-encoded for a URL's query or a form body: every byte but
 * letters, digits and - _ . ~ (RFC 3986's unreserved).
 */
void
url_append(struct kore_buf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (isalnum((unsigned char)*v) || strchr("-_.~", *v) != NULL)
			kore_buf_append(b, v, 1);
		else
			kore_buf_appendf(b, "%%%02X", (unsigned char)*v);
	}
}
