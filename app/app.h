/*
 * Shared declarations of the CustomersDot Admin Kore module.
 */

#ifndef CDOT_APP_H
#define CDOT_APP_H

#include <sys/types.h>

#include <kore/kore.h>
#include <kore/http.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "lib/config.h"
#include "lib/params.h"
#include "lib/tmpl.h"

#define APP_ARGS_MAX		4
#define APP_ARG_MAX		64
#define APP_USER_MAX		320
#define APP_CSRF_MAX		64

/*
 * What a route needs, beside the ROLE_* bits of lib/config.h: anyone
 * (NEED_PUBLIC), anyone signed in even without a role (NEED_SIGNED_IN).
 */
#define NEED_PUBLIC		0x100
#define NEED_SIGNED_IN		0x200
#define ROLE_ANY		(ROLE_READ_ONLY | ROLE_EDITOR | \
				    ROLE_SUPPORT_ADMIN)

/*
 * With NEED_PUBLIC only: a service's JSON API (the customers portal's).
 * Not a browser request: no session, no CSRF form token, no form body;
 * the handler authenticates the caller itself (a bearer service token,
 * api/portal.c) and reads its own JSON body.
 */
#define ROUTE_API		0x1000

/*
 * A page that only reads lists (a list or search, history, a CSV
 * export): its reads may go to the standby (database_read_url).
 */
#define ROUTE_READ		0x2000

/* Set by a save: this person's next pages read the primary. */
#define READ_PRIMARY_COOKIE	"cdot_read_primary"

/* Per-request state, hung on req->hdlr_extra for the request's life. */
struct app_req {
	char			 request_id[33];
	u_int64_t		 start_us;
	u_int64_t		 db_us;
	u_int64_t		 session_us;	/* of which the sign-out check */
	int			 route;
	int			 finished;
	int			 wants_json;
	/* Reads may go to the standby (a ROUTE_READ page, no save just
	 * before: db/standby.c). */
	int			 read_standby;

	/* Who is asking; filled by the session layer (auth/session.c). */
	char			 user[APP_USER_MAX];
	int			 roles;
	int			 session;
	char			 csrf[APP_CSRF_MAX];
	json_t			*sess;

	/* Work in progress in a task (http/bg.c: calls to Zuora, sign-in). */
	void			*bg;

	char			 args[APP_ARGS_MAX][APP_ARG_MAX];
	int			 nargs;

	struct params		 query;
	struct params		 form;
};

typedef int	(*app_handler)(struct http_request *, struct app_req *);

struct app_route {
	int			 method;
	const char		*pattern;
	int			 need;
	app_handler		 handler;
	const char		*name;
};

extern struct app_config	 app_cfg;
extern struct tmpl_set		*app_templates;
extern const struct app_route	 app_routes[];
extern const size_t		 app_nroutes;

/* http/dispatch.c */
int		 app_dispatch(struct http_request *);
int		 app_route_match(const char *, const char *, struct app_req *);

/* http/request_order.c */
int		 request_order_wait(struct http_request *);

/* http/render.c */
json_t		*render_view(struct app_req *, const char *title);
int		 render_page(struct http_request *, struct app_req *, int,
		    const char *, json_t *);
int		 render_error(struct http_request *, struct app_req *, int,
		    const char *);
int		 render_json(struct http_request *, int, json_t *);
void		 url_append(struct kore_buf *, const char *);
int		 render_db_error(struct http_request *, struct app_req *);
int		 render_redirect(struct http_request *, const char *);
int		 render_flash_set(struct http_request *, const char *,
		    const char *);
void		 render_cookie(struct http_request *, const char *,
		    const char *, long);
const char	*render_nav_label(const char *);

/* auth/forwarded.c */
int		 auth_peer_addr(struct http_request *, char *, size_t);

/* http/railsadmin.c */
int		 railsadmin_redirect(struct http_request *);
int		 page_sign_in(struct http_request *, struct app_req *);
int		 render_not_found_guess(struct http_request *,
		    struct app_req *, const char *);

/* db/db.c */
/* A column of row i of a result, by its name ("" when NULL). */
#define DB_COL(res, i, name)	PQgetvalue((res), (i), PQfnumber((res), (name)))
#define DB_NULL(res, i, name)	PQgetisnull((res), (i), PQfnumber((res), (name)))

void		 db_worker_init(void);
PGconn		*db_conn(void);
PGconn		*db_connect_new(long);
PGconn		*db_connect_read(struct app_req *, long);
PGconn		*db_standby_conn(void);
PGresult	*db_exec_cached(struct app_req *, const char *, int,
		    const char *const *);
PGresult	*db_exec(struct app_req *, const char *, int,
		    const char *const *);
int		 db_ping(struct app_req *);
int		 db_last_failure_down(void);

/* db/standby.c */
int		 db_standby_fit(void);
void		 db_standby_down(void);
json_t		*db_standby_health(void);

/* http/drain.c */
int		 drain_init(void);
void		 drain_worker_init(void);
int		 drain_stopping(void);

/* http/log.c */
void		 log_request(struct http_request *, struct app_req *);
void		 log_event(const char *, json_t *);
u_int64_t	 log_now_us(void);

/* http/metrics.c */
int		 metrics_init(size_t);
void		 metrics_observe(int, int, u_int64_t);
void		 metrics_db_error(void);
void		 metrics_render(struct kore_buf *, const char *);

/* http/assets.c */
int		 assets_load(const char *, char *, size_t);
int		 assets_serve(struct http_request *, struct app_req *);

/* auth/session.c */
#define SESSION_NONE		0
#define SESSION_VALID		1
#define SESSION_EXPIRED		2
#define SESSION_INVALID		3
/*
 * The cookie opened but its session could not be looked up (the database
 * is down): the request is not signed in, the cookie is kept, and a page
 * that needs a session says why (auth_deny()) instead of sending the
 * person to sign in again.
 */
#define SESSION_UNCHECKED	4
void		 session_load(struct http_request *, struct app_req *);
void		 session_touch(struct http_request *, struct app_req *);
int		 session_csrf_ok(const struct app_req *);

/* db/write.c: "admin:<email>", the actor of the signed-in person's writes. */
const char	*session_actor(const struct app_req *, char *, size_t);

/* http/bg.c */
#define BG_NONE			0
#define BG_RUNNING		1
#define BG_DONE			2
#define BG_OVERDUE		3
void		 bg_start(struct http_request *, struct app_req *,
		    void (*)(void *), void *, void (*)(void *), u_int64_t);
int		 bg_wait(struct http_request *, struct app_req *);
void		*bg_take(struct app_req *);
void		*bg_arg(struct app_req *, void (*)(void *));
void		 bg_req_free(struct app_req *);

/* auth/pages.c: the access check's refusals. */
#define AUTH_DENY_SIGNED_OUT	1
#define AUTH_DENY_NO_ROLE	2
#define AUTH_DENY_ROLE		3
#define AUTH_DENY_CSRF		4
int		 auth_deny(struct http_request *, struct app_req *, int);
/* auth/provider.c, forwarded.c, session.c */
int		 auth_parent_init(char *, size_t);
void		 auth_strip_forwarded(struct http_request *);
void		 auth_req_free(struct app_req *);
/* auth/signin.c, callback.c, signout.c: the routes. */
int		 auth_signin(struct http_request *, struct app_req *);
int		 auth_callback(struct http_request *, struct app_req *);
int		 auth_signout(struct http_request *, struct app_req *);
int		 auth_signedout(struct http_request *, struct app_req *);

/* auth/routes_check.c */
int		 auth_routes_check(char *, size_t);
int		 auth_routes_export(const char *, char *, size_t);

/* admin/edit.c: what a request leaves behind (a task, a transaction). */
void		 edit_req_free(struct app_req *);

/* pages */
int		 page_healthz(struct http_request *, struct app_req *);
int		 page_livez(struct http_request *, struct app_req *);
int		 page_metrics(struct http_request *, struct app_req *);
int		 page_root(struct http_request *, struct app_req *);
int		 page_dashboard(struct http_request *, struct app_req *);
int		 page_pending(struct http_request *, struct app_req *);
/* search/global.c */
int		 page_search(struct http_request *, struct app_req *);

#endif
