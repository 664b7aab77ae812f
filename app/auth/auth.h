/*
 * Sign-in, sessions and CSRF: what auth/auth.c, auth/session.c and
 * auth/routes_check.c share with each other.  The rest of the module sees
 * only the declarations in app.h.
 */

#ifndef CDOT_AUTH_H
#define CDOT_AUTH_H

#include <sys/types.h>

#include <time.h>

#include <jansson.h>

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

/* Longest email address accepted from the ID token. */
#define AUTH_EMAIL_MAX		254

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
 * auth/auth.c: ended sessions and used sign-in states, in PostgreSQL
 * (session_marks, auth/marks.c): auth_mark() 1 recorded, 0 already there (a
 * used state), -1 failed; auth_marked() 1, 0, or -1 (not looked up).
 */
int	 auth_mark(const char *, const char *, long);
int	 auth_marked(struct app_req *, const char *, const char *);

#endif
