/*
 * Signing out, and the page that says so.
 */

#include <sys/types.h>

#include "app.h"
#include "auth/auth.h"

/*
 * POST /auth/signout (CSRF-checked by the dispatcher): the session ends
 * for every copy of its cookie, on every instance.  The provider's own
 * session (Okta's) is left alone, as staff expect of an internal tool.
 *
 * If the end cannot be recorded (the database is down), session_end()
 * changes nothing and the person is told so, still signed in: clearing
 * only this browser's cookie would look like a sign-out while a copy of
 * the cookie kept working.
 */
int
auth_signout(struct http_request *req, struct app_req *ctx)
{
	char		 user[APP_USER_MAX], buf[APP_USER_MAX + 8];
	const char	*actor;

	(void)kore_strlcpy(user, ctx->user, sizeof(user));
	if ((actor = session_actor(ctx, buf, sizeof(buf))) == NULL)
		actor = "";
	session_end(req, ctx);

	if (ctx->session == SESSION_VALID) {
		log_event("sign-out failed", json_pack("{s:s, s:s, s:s, s:s, "
		    "s:s}", "level", "error", "request_id", ctx->request_id,
		    "user", user, "actor", actor, "reason", "the end of the "
		    "session could not be recorded"));
		return (auth_page_to(req, ctx, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "Sign-out did not complete", "You are still signed in: "
		    "the end of your session could not be recorded (the "
		    "database did not answer), so signing out here would not "
		    "have held for copies of your session. Try again in a "
		    "moment.", RETURN_DEFAULT, "Back to the dashboard"));
	}

	log_event("signed out", json_pack("{s:s, s:s, s:s}", "request_id",
	    ctx->request_id, "user", user, "actor", actor));

	return (render_redirect(req, "/auth/signedout"));
}

/* GET /auth/signedout */
int
auth_signedout(struct http_request *req, struct app_req *ctx)
{
	json_t	*view;

	view = render_view(ctx, "Signed out");
	return (render_page(req, ctx, HTTP_STATUS_OK, "signedout", view));
}
