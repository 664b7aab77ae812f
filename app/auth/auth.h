/*
 * Sign-in, sessions and CSRF: what the files of auth/ share with each
 * other.  The rest of the module sees only the declarations in app.h.
 *
 * Who uses whom (never the other way round):
 *
 *	signin.c, callback.c, signout.c	the sign-in pages
 *	    -> task.c			liboauth2's blocking calls in a task
 *	    -> provider.c		liboauth2's set-up, the provider
 *	    -> session.c		the app's sealed cookies, the session
 *	    -> marks_db.c		ended sessions, used states (SQL)
 *	    -> marks.c			their keys (no Kore, unit-tested)
 *	pages.c				refusals and pages about signing in,
 *					used by the sign-in pages and task.c
 *	forwarded.c, routes_check.c	on their own
 */

#ifndef CDOT_AUTH_H
#define CDOT_AUTH_H

#include <sys/types.h>

#include <time.h>

#include <jansson.h>

#include <oauth2/http.h>
#include <oauth2/log.h>
#include <oauth2/openidc.h>
#include <oauth2/session.h>

/* The app's own cookies; everything in them is sealed (auth/session.c). */
#define SESSION_COOKIE		"cdot_session"
#define TXN_COOKIE_PREFIX	"cdot_txn_"
#define OIDC_STATE_PREFIX	"cdot_oidc_state_"
#define OIDC_SESSION_COOKIE	"cdot_oidc_session"

/* How long a sign-in may take from the redirect to the callback. */
#define AUTH_TXN_TIMEOUT	300

/*
 * Largest cookie value read, largest sealed plaintext, and the longest
 * Set-Cookie line render_cookie() writes.
 */
#define COOKIE_VALUE_MAX	4096
#define SEAL_PLAIN_MAX		2048
#define COOKIE_HEADER_MAX	1024

#define CALLBACK_PATH		"/auth/callback"
#define SIGNIN_PATH		"/auth/signin"
#define RETURN_DEFAULT		"/admin"

#define STATE_MAX		64	/* state and nonce, base64url */
#define RETURN_MAX		400	/* the path to return to */
#define CLAIM_SKEW		60	/* seconds of clock difference */

/* What liboauth2 said, kept without its messages (they can hold secrets). */
struct oidc_diag {
	char		where[96];
	int		errors;
	int		unreachable;
	int		http_status;
};

#define JOB_METADATA		1
#define JOB_CALLBACK		2

/*
 * Work for a task thread (http/bg.c, auth/task.c).  Only plain malloc(3)
 * memory and liboauth2 or jansson objects are touched in the thread.
 */
struct auth_job {
	int			 kind;
	struct oidc_diag	 diag;

	/* JOB_CALLBACK: in. */
	char			*query;
	char			*cookie;
	char			 state[STATE_MAX + 1];
	char			 nonce[STATE_MAX + 1];
	char			 return_to[RETURN_MAX + 1];

	/* Out. */
	int			 ok;
	char			 why[128];
	char			*metadata;
	json_t			*id_claims;
	json_t			*userinfo;
};

/*
 * A refusal: what is logged (level, event, reason) and the page the
 * person gets (status, title, message, the label of its sign-in button).
 */
struct auth_refusal {
	const char	*level;
	const char	*event;
	const char	*reason;
	int		 status;
	const char	*title;
	const char	*message;
	const char	*label;
};

/* auth/provider.c: liboauth2's configuration, built once per process. */
extern oauth2_cfg_openidc_t	*oidc;
extern oauth2_cfg_session_t	*oidc_session;
extern oauth2_log_t		*oidc_quiet;

oauth2_log_t	*oidc_log_new(struct oidc_diag *);
oauth2_http_request_t *oidc_request(oauth2_log_t *, const char *,
		    const char *, const char *);
void		 oidc_handled_free(oauth2_log_t *, oauth2_http_request_t *,
		    oauth2_http_response_t *, json_t *);
char		*metadata_fetch(oauth2_log_t *, long, char *, size_t);
int		 provider_configure(oauth2_log_t *, const char *, char *,
		    size_t);

/* auth/task.c */
#define PROVIDER_READY		0
#define PROVIDER_PENDING	1
#define PROVIDER_FAILED		2
int		 provider_ensure(struct http_request *, struct app_req *);
struct auth_job	*job_new(int);
void		 job_start(struct http_request *, struct app_req *,
		    struct auth_job *);
void		 job_free(void *);
void		 job_run(void *);

/* auth/pages.c */
int		 auth_page(struct http_request *, struct app_req *, int,
		    const char *, const char *, const char *);
int		 auth_page_to(struct http_request *, struct app_req *, int,
		    const char *, const char *, const char *, const char *);
int		 auth_refuse(struct http_request *, struct app_req *,
		    const struct auth_refusal *, const char *,
		    const struct oidc_diag *);
void		 auth_log(const char *, const char *, struct app_req *,
		    const char *, const struct oidc_diag *);
int		 return_ok(const char *);
const char	*param_once(const struct params *, const char *);
int		 token_ok(const char *, size_t);
void		 state_cookies_clear(struct http_request *, const char *);

/* auth/session.c */
int	 session_init(const char *);
int	 session_cookie_get(struct http_request *, const char *, char *,
	    size_t);
int	 session_cookie_each(struct http_request *,
	    int (*)(const char *, size_t, const char *, size_t, void *),
	    void *);
int	 session_seal_cookie(struct http_request *, const char *,
	    json_t *, long);
json_t	*session_open_cookie(struct http_request *, const char *);
int	 session_issue(struct http_request *, struct app_req *,
	    const char *, json_t *);
void	 session_end(struct http_request *, struct app_req *);
int	 session_random(char *, size_t, size_t);
int	 session_equal(const char *, const char *);

/*
 * auth/marks_db.c: ended sessions and used sign-in states, in PostgreSQL
 * (session_marks, auth/marks.c): auth_mark() 1 recorded, 0 already there (a
 * used state), -1 failed; auth_marked() 1, 0, or -1 (not looked up).
 */
int	 auth_mark(const char *, const char *, long);
int	 auth_marked(struct app_req *, const char *, const char *);

#endif
