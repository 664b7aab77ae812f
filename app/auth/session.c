/*
 * Sessions and CSRF tokens.
 *
 * The signed-in person lives in the app's own cookie, cdot_session:
 * a small JSON object (email, the groups that give the person's roles, a
 * CSRF token, a session id, issued-at and last-seen times) sealed with
 * AES-256-GCM under a key derived from session_secret, with the cookie's
 * name as additional data so that one sealed cookie cannot stand in for
 * another.
 * Nothing in it can be read or changed by the browser; a cookie that
 * does not open, or that is past session_lifetime since sign-in or
 * session_idle since the last request, or whose session was signed out,
 * is cleared and the request is anonymous.
 *
 * Signing out records the session id (its SHA-256) as ended in the
 * database, until the session would have ended anyway, and every request
 * with a session looks it up there (auth_marked(): one look-up by primary
 * key), so a copy of the cookie is refused by every instance, also after
 * a restart.  When the database cannot say, the request fails closed: it
 * is not signed in, but its cookie is kept and a page that needs a
 * session says why (SESSION_UNCHECKED, auth_deny()).
 *
 * Roles are not stored: they are worked out on every request from the
 * stored groups through the current configuration, so removing a group
 * mapping takes effect at the next start, not at the next sign-in.
 *
 * The last-seen time is refreshed (the cookie re-issued) at most once a
 * minute (sooner when session_idle is shorter than ten minutes), so an
 * idle timeout costs one Set-Cookie a minute, not one per request.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "app.h"
#include "auth/auth.h"
#include "auth/marks.h"
#include "lib/validate.h"

#define SEAL_KEY_LEN		32
#define SEAL_IV_LEN		12
#define SEAL_TAG_LEN		16
#define SEAL_RAW_MAX		(SEAL_IV_LEN + SEAL_PLAIN_MAX + SEAL_TAG_LEN)

/* Clocks of browsers' requests and ours may differ by this much. */
#define SESSION_SKEW		60

#define SESSION_ID_BYTES	16
#define SESSION_CSRF_BYTES	32

static u_int8_t	seal_key[SEAL_KEY_LEN];
static int	seal_ready = 0;

static int	b64url_encode(const u_int8_t *, size_t, char *, size_t);
static int	b64url_decode(const char *, size_t, u_int8_t *, size_t,
		    size_t *);
static int	seal(const char *, const char *, size_t, char *, size_t);
static int	unseal(const char *, const char *, char *, size_t);
static int	session_write(struct http_request *, json_t *, time_t);
static int	session_roles(json_t *);
static int	session_check(json_t *);
static int	session_not_ended(struct app_req *, json_t *);
static long	refresh_interval(void);

/*
 * Derive the cookie key from session_secret, in the parent before the
 * workers are forked, so that every worker opens every worker's cookies.
 */
int
session_init(const char *secret)
{
	static const char	label[] = "cdot-admin cookie seal v1";
	unsigned int		len;

	len = sizeof(seal_key);
	if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
	    (const unsigned char *)label, sizeof(label) - 1, seal_key,
	    &len) == NULL || len != sizeof(seal_key))
		return (-1);

	seal_ready = 1;
	return (0);
}

/* nbytes random bytes as base64url (a CSRF token, a session id). */
int
session_random(char *out, size_t outlen, size_t nbytes)
{
	u_int8_t	rnd[64];

	if (nbytes == 0 || nbytes > sizeof(rnd))
		return (-1);
	if (RAND_bytes(rnd, (int)nbytes) != 1)
		return (-1);

	return (b64url_encode(rnd, nbytes, out, outlen) == -1 ? -1 : 0);
}

/* Constant-time comparison of two strings of possibly different length. */
int
session_equal(const char *a, const char *b)
{
	size_t		la, lb;

	la = strlen(a);
	lb = strlen(b);
	if (la != lb || la == 0)
		return (0);

	return (CRYPTO_memcmp(a, b, la) == 0);
}

/*
 * Call cb for every cookie of the request's Cookie header: name and value
 * as pointers into the header with their lengths.  Stops when cb returns
 * non-zero and returns that.  Kore's own cookie parser keeps only ten and
 * is not idempotent, so the header is walked here.
 */
int
session_cookie_each(struct http_request *req,
    int (*cb)(const char *, size_t, const char *, size_t, void *), void *arg)
{
	const char	*hdr, *p, *end, *eq, *name, *val;
	size_t		 nlen, vlen;
	int		 r;

	if (!http_request_header(req, "cookie", &hdr))
		return (0);

	for (p = hdr; *p != '\0'; p = (*end == ';') ? end + 1 : end) {
		while (*p == ' ' || *p == '\t')
			p++;
		if ((end = strchr(p, ';')) == NULL)
			end = p + strlen(p);
		if ((eq = memchr(p, '=', (size_t)(end - p))) == NULL)
			continue;

		name = p;
		nlen = (size_t)(eq - p);
		while (nlen > 0 && (name[nlen - 1] == ' ' ||
		    name[nlen - 1] == '\t'))
			nlen--;
		val = eq + 1;
		vlen = (size_t)(end - val);
		while (vlen > 0 && (val[vlen - 1] == ' ' ||
		    val[vlen - 1] == '\t'))
			vlen--;

		if (nlen > 0 && (r = cb(name, nlen, val, vlen, arg)) != 0)
			return (r);
	}

	return (0);
}

struct cookie_find {
	const char	*name;
	char		*out;
	size_t		 outlen;
};

static int
cookie_find_cb(const char *name, size_t nlen, const char *val, size_t vlen,
    void *arg)
{
	struct cookie_find	*f = arg;

	if (strlen(f->name) != nlen || memcmp(f->name, name, nlen) != 0)
		return (0);
	if (vlen >= f->outlen)
		return (-1);

	memcpy(f->out, val, vlen);
	f->out[vlen] = '\0';
	return (1);
}

/*
 * The value of cookie name: 1 when found (copied to out), 0 when absent,
 * -1 when longer than outlen allows.
 */
int
session_cookie_get(struct http_request *req, const char *name, char *out,
    size_t outlen)
{
	struct cookie_find	f;

	f.name = name;
	f.out = out;
	f.outlen = outlen;

	return (session_cookie_each(req, cookie_find_cb, &f));
}

/*
 * Seal a JSON object into cookie name for maxage seconds.  Cookies go out
 * through render_cookie(): HttpOnly, SameSite=Lax, Secure on https.
 */
int
session_seal_cookie(struct http_request *req, const char *name,
    json_t *payload, long maxage)
{
	char		*plain, *out;
	size_t		 outlen;
	int		 ret;

	if ((plain = json_dumps(payload, JSON_COMPACT)) == NULL)
		return (-1);

	outlen = COOKIE_VALUE_MAX;
	out = kore_malloc(outlen);
	ret = seal(name, plain, strlen(plain), out, outlen);
	OPENSSL_cleanse(plain, strlen(plain));
	free(plain);

	/* render_cookie() writes at most COOKIE_HEADER_MAX bytes. */
	if (ret == 0 && strlen(name) + strlen(out) + 96 >= COOKIE_HEADER_MAX)
		ret = -1;
	if (ret == 0)
		render_cookie(req, name, out, maxage);
	kore_free(out);

	return (ret);
}

/* The JSON object sealed in cookie name, or NULL if absent or not ours. */
json_t *
session_open_cookie(struct http_request *req, const char *name)
{
	char		*val, *plain;
	json_t		*obj;
	int		 n;

	val = kore_malloc(COOKIE_VALUE_MAX);
	plain = kore_malloc(SEAL_PLAIN_MAX + 1);
	obj = NULL;

	if (session_cookie_get(req, name, val, COOKIE_VALUE_MAX) == 1 &&
	    (n = unseal(name, val, plain, SEAL_PLAIN_MAX + 1)) > 0) {
		obj = json_loadb(plain, (size_t)n, JSON_REJECT_DUPLICATES,
		    NULL);
		if (obj != NULL && !json_is_object(obj)) {
			json_decref(obj);
			obj = NULL;
		}
	}

	OPENSSL_cleanse(plain, SEAL_PLAIN_MAX + 1);
	kore_free(plain);
	kore_free(val);

	return (obj);
}

/*
 * Read the session cookie, if any, into ctx.  An unreadable, expired or
 * signed-out session is cleared and the request goes on anonymous; the
 * access check decides what an anonymous request gets.
 */
void
session_load(struct http_request *req, struct app_req *ctx)
{
	char		 probe[8];
	json_t		*s;

	ctx->session = SESSION_NONE;
	if (session_cookie_get(req, SESSION_COOKIE, probe,
	    sizeof(probe)) == 0 || !seal_ready)
		return;

	if ((s = session_open_cookie(req, SESSION_COOKIE)) == NULL)
		ctx->session = SESSION_INVALID;
	else if ((ctx->session = session_check(s)) == SESSION_VALID)
		ctx->session = session_not_ended(ctx, s);

	switch (ctx->session) {
	case SESSION_VALID:
		(void)kore_strlcpy(ctx->user, json_string_value(
		    json_object_get(s, "e")), sizeof(ctx->user));
		(void)kore_strlcpy(ctx->csrf, json_string_value(
		    json_object_get(s, "c")), sizeof(ctx->csrf));
		ctx->roles = session_roles(json_object_get(s, "g"));
		ctx->sess = s;
		return;
	case SESSION_UNCHECKED:
		/* Fail closed, but keep the cookie: the database is down. */
		log_event("session unchecked", json_pack("{s:s, s:s, s:s}",
		    "level", "warning", "request_id", ctx->request_id,
		    "reason", "whether it was signed out could not be looked "
		    "up"));
		break;
	default:
		render_cookie(req, SESSION_COOKIE, "", 0);
		log_event("session refused", json_pack("{s:s, s:s}",
		    "request_id", ctx->request_id, "reason",
		    ctx->session == SESSION_EXPIRED ? "expired" :
		    "unreadable"));
		break;
	}

	if (s != NULL)
		json_decref(s);
}

/*
 * A session cookie's content: every field there and well-formed, its
 * times plausible and not past session_lifetime or session_idle.
 * SESSION_VALID, SESSION_INVALID or SESSION_EXPIRED.
 */
static int
session_check(json_t *s)
{
	json_t		*groups, *g;
	const char	*email, *csrf, *sid;
	json_int_t	 iat, seen;
	time_t		 now;
	size_t		 i;

	email = json_string_value(json_object_get(s, "e"));
	csrf = json_string_value(json_object_get(s, "c"));
	sid = json_string_value(json_object_get(s, "n"));
	groups = json_object_get(s, "g");
	if (json_integer_value(json_object_get(s, "v")) != 1 ||
	    email == NULL || !valid_email(email) ||
	    csrf == NULL || strlen(csrf) >= APP_CSRF_MAX || csrf[0] == '\0' ||
	    sid == NULL || sid[0] == '\0' || strlen(sid) > MARKS_ID_MAX ||
	    !json_is_array(groups) ||
	    json_array_size(groups) > CONFIG_GROUPS_MAX ||
	    !json_is_integer(json_object_get(s, "i")) ||
	    !json_is_integer(json_object_get(s, "s")))
		return (SESSION_INVALID);
	json_array_foreach(groups, i, g) {
		if (!json_is_string(g))
			return (SESSION_INVALID);
	}

	now = time(NULL);
	iat = json_integer_value(json_object_get(s, "i"));
	seen = json_integer_value(json_object_get(s, "s"));
	if (iat > now + SESSION_SKEW || seen < iat ||
	    seen > now + SESSION_SKEW)
		return (SESSION_INVALID);
	if (now >= iat + app_cfg.session_lifetime ||
	    now >= seen + app_cfg.session_idle)
		return (SESSION_EXPIRED);

	return (SESSION_VALID);
}

/*
 * Whether the session was signed out (one look-up by primary key, timed
 * on its own: `make bench` reports it).  SESSION_VALID, SESSION_EXPIRED,
 * or SESSION_UNCHECKED when the database could not say.
 */
static int
session_not_ended(struct app_req *ctx, json_t *s)
{
	u_int64_t	 t0;
	int		 ended;

	t0 = log_now_us();
	ended = auth_marked(ctx, MARK_ENDED_SESSION,
	    json_string_value(json_object_get(s, "n")));
	ctx->session_us = log_now_us() - t0;

	if (ended == 1)
		return (SESSION_EXPIRED);
	if (ended == -1)
		return (SESSION_UNCHECKED);
	return (SESSION_VALID);
}

/*
 * A request to a protected page keeps the session alive: re-issue the
 * cookie with a new last-seen time, at most once per refresh interval.
 */
void
session_touch(struct http_request *req, struct app_req *ctx)
{
	json_int_t	seen;
	time_t		now;

	if (ctx->session != SESSION_VALID || ctx->sess == NULL)
		return;

	now = time(NULL);
	seen = json_integer_value(json_object_get(ctx->sess, "s"));
	if (now - seen < refresh_interval())
		return;

	json_object_set_new(ctx->sess, "s", json_integer(now));
	if (session_write(req, ctx->sess, now) == -1)
		kore_log(LOG_ERR, "session cookie could not be refreshed");
}

/*
 * Start a session for email with the person's groups (only those the
 * configuration maps are kept).  ctx is updated so that the page
 * rendered now already shows the person.
 */
int
session_issue(struct http_request *req, struct app_req *ctx,
    const char *email, json_t *groups)
{
	char		 csrf[APP_CSRF_MAX], sid[32];
	json_t		*s, *kept, *g;
	time_t		 now;
	size_t		 i;
	int		 r, covered;

	if (!seal_ready || !valid_email(email))
		return (-1);
	if (session_random(csrf, sizeof(csrf), SESSION_CSRF_BYTES) == -1 ||
	    session_random(sid, sizeof(sid), SESSION_ID_BYTES) == -1)
		return (-1);

	/*
	 * Keep the fewest groups that give the person's roles (at most one
	 * per role), so the cookie stays small however many groups Okta
	 * sends.  Should a kept group's mapping later be removed, the role
	 * is lost until the next sign-in even if another group gives it:
	 * that errs on the side of less access.
	 */
	kept = json_array();
	covered = 0;
	json_array_foreach(groups, i, g) {
		if (!json_is_string(g))
			continue;
		r = config_roles_for_group(&app_cfg, json_string_value(g));
		if ((r & ~covered) == 0)
			continue;
		covered |= r;
		json_array_append(kept, g);
	}

	now = time(NULL);
	s = json_pack("{s:i, s:s, s:o, s:s, s:s, s:I, s:I}", "v", 1,
	    "e", email, "g", kept, "c", csrf, "n", sid,
	    "i", (json_int_t)now, "s", (json_int_t)now);
	if (s == NULL)
		return (-1);

	if (session_write(req, s, now) == -1) {
		json_decref(s);
		return (-1);
	}

	if (ctx->sess != NULL)
		json_decref(ctx->sess);
	ctx->sess = s;
	ctx->session = SESSION_VALID;
	(void)kore_strlcpy(ctx->user, email, sizeof(ctx->user));
	(void)kore_strlcpy(ctx->csrf, csrf, sizeof(ctx->csrf));
	ctx->roles = session_roles(kept);

	return (0);
}

/*
 * Sign out: the session id is recorded as ended in the database (seen by
 * every worker of every instance) until the session would have ended
 * anyway, sign-in + session_lifetime, and the cookie is cleared.  A copy
 * of the cookie cannot outlive that: past it the cookie itself is refused.
 *
 * If the end cannot be recorded (the database is down) nothing changes:
 * the session stays valid and its cookie set, and the caller (which sees
 * ctx->session still SESSION_VALID) tells the person to try again.
 */
void
session_end(struct http_request *req, struct app_req *ctx)
{
	const char	*sid;
	json_int_t	 iat;
	long		 ttl;

	if (ctx->sess != NULL &&
	    (sid = json_string_value(json_object_get(ctx->sess, "n"))) !=
	    NULL) {
		iat = json_integer_value(json_object_get(ctx->sess, "i"));
		ttl = (long)(iat + app_cfg.session_lifetime - time(NULL)) +
		    SESSION_SKEW;
		if (ttl < SESSION_SKEW)
			ttl = SESSION_SKEW;
		if (auth_mark(MARK_ENDED_SESSION, sid, ttl) == -1) {
			kore_log(LOG_ERR, "could not record the sign-out");
			return;
		}
	}

	render_cookie(req, SESSION_COOKIE, "", 0);

	if (ctx->sess != NULL)
		json_decref(ctx->sess);
	ctx->sess = NULL;
	ctx->session = SESSION_NONE;
	ctx->user[0] = '\0';
	ctx->csrf[0] = '\0';
	ctx->roles = 0;
}

/*
 * Kore frees a request (possibly several times while a task still runs):
 * the sign-in job goes with its task (bg_req_free(), from dispatch), the
 * session here.
 */
void
auth_req_free(struct app_req *ctx)
{
	if (ctx->sess != NULL) {
		json_decref(ctx->sess);
		ctx->sess = NULL;
	}
}

/* A state-changing request must carry the session's own token. */
int
session_csrf_ok(const struct app_req *ctx)
{
	const char	*token;

	if (ctx->session != SESSION_VALID || ctx->csrf[0] == '\0')
		return (0);
	if ((token = params_get(&ctx->form, "csrf_token")) == NULL)
		return (0);

	return (session_equal(token, ctx->csrf));
}

static int
session_write(struct http_request *req, json_t *s, time_t now)
{
	json_int_t	iat;
	long		left;

	iat = json_integer_value(json_object_get(s, "i"));
	left = (long)(iat + app_cfg.session_lifetime - now);
	if (left <= 0)
		return (-1);

	return (session_seal_cookie(req, SESSION_COOKIE, s, left));
}

static int
session_roles(json_t *groups)
{
	json_t		*g;
	size_t		 i;
	int		 roles;

	roles = 0;
	json_array_foreach(groups, i, g)
		roles |= config_roles_for_group(&app_cfg, json_string_value(g));

	return (roles);
}

static long
refresh_interval(void)
{
	long	r;

	r = app_cfg.session_idle / 10;
	if (r > 60)
		r = 60;
	if (r < 1)
		r = 1;

	return (r);
}

/*
 * AES-256-GCM: out is base64url(iv || ciphertext || tag), aad binds the
 * sealed value to the cookie it was made for.
 */
static int
seal(const char *aad, const char *plain, size_t plen, char *out,
    size_t outlen)
{
	EVP_CIPHER_CTX	*c;
	u_int8_t	 raw[SEAL_RAW_MAX];
	int		 n, fin, ok;

	if (!seal_ready || plen > SEAL_PLAIN_MAX)
		return (-1);
	if (RAND_bytes(raw, SEAL_IV_LEN) != 1)
		return (-1);
	if ((c = EVP_CIPHER_CTX_new()) == NULL)
		return (-1);

	ok = EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, seal_key,
	    raw) == 1 &&
	    EVP_EncryptUpdate(c, NULL, &n, (const u_int8_t *)aad,
	    (int)strlen(aad)) == 1 &&
	    EVP_EncryptUpdate(c, raw + SEAL_IV_LEN, &n,
	    (const u_int8_t *)plain, (int)plen) == 1 &&
	    EVP_EncryptFinal_ex(c, raw + SEAL_IV_LEN + n, &fin) == 1 &&
	    (size_t)(n + fin) == plen &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, SEAL_TAG_LEN,
	    raw + SEAL_IV_LEN + plen) == 1;
	EVP_CIPHER_CTX_free(c);

	if (!ok)
		return (-1);

	return (b64url_encode(raw, SEAL_IV_LEN + plen + SEAL_TAG_LEN, out,
	    outlen) == -1 ? -1 : 0);
}

/* The plaintext's length (NUL-terminated in plain), or -1. */
static int
unseal(const char *aad, const char *in, char *plain, size_t plainlen)
{
	EVP_CIPHER_CTX	*c;
	u_int8_t	 raw[SEAL_RAW_MAX];
	size_t		 rawlen, clen;
	int		 n, fin, ok;

	if (!seal_ready || b64url_decode(in, strlen(in), raw, sizeof(raw),
	    &rawlen) == -1 || rawlen < SEAL_IV_LEN + SEAL_TAG_LEN)
		return (-1);

	clen = rawlen - SEAL_IV_LEN - SEAL_TAG_LEN;
	if (clen + 1 > plainlen)
		return (-1);
	if ((c = EVP_CIPHER_CTX_new()) == NULL)
		return (-1);

	ok = EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, seal_key,
	    raw) == 1 &&
	    EVP_DecryptUpdate(c, NULL, &n, (const u_int8_t *)aad,
	    (int)strlen(aad)) == 1 &&
	    EVP_DecryptUpdate(c, (u_int8_t *)plain, &n, raw + SEAL_IV_LEN,
	    (int)clen) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, SEAL_TAG_LEN,
	    raw + SEAL_IV_LEN + clen) == 1 &&
	    EVP_DecryptFinal_ex(c, (u_int8_t *)plain + n, &fin) == 1 &&
	    (size_t)(n + fin) == clen;
	EVP_CIPHER_CTX_free(c);

	if (!ok) {
		OPENSSL_cleanse(plain, plainlen);
		return (-1);
	}

	plain[clen] = '\0';
	return ((int)clen);
}

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Unpadded base64url of in into out (NUL-terminated), or -1. */
static int
b64url_encode(const u_int8_t *in, size_t len, char *out, size_t outlen)
{
	size_t		i, o;
	u_int32_t	v;

	if ((len + 2) / 3 * 4 + 1 > outlen)
		return (-1);

	for (i = 0, o = 0; i + 2 < len; i += 3) {
		v = (u_int32_t)in[i] << 16 | (u_int32_t)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = b64url[(v >> 18) & 0x3f];
		out[o++] = b64url[(v >> 12) & 0x3f];
		out[o++] = b64url[(v >> 6) & 0x3f];
		out[o++] = b64url[v & 0x3f];
	}
	if (len - i == 1) {
		v = (u_int32_t)in[i] << 16;
		out[o++] = b64url[(v >> 18) & 0x3f];
		out[o++] = b64url[(v >> 12) & 0x3f];
	} else if (len - i == 2) {
		v = (u_int32_t)in[i] << 16 | (u_int32_t)in[i + 1] << 8;
		out[o++] = b64url[(v >> 18) & 0x3f];
		out[o++] = b64url[(v >> 12) & 0x3f];
		out[o++] = b64url[(v >> 6) & 0x3f];
	}
	out[o] = '\0';

	return ((int)o);
}

static int
b64url_decode(const char *in, size_t len, u_int8_t *out, size_t outlen,
    size_t *olen)
{
	const char	*p;
	size_t		 i, o;
	u_int32_t	 v;
	int		 bits;

	if (len % 4 == 1 || len / 4 * 3 + 2 > outlen)
		return (-1);

	v = 0;
	bits = 0;
	for (i = 0, o = 0; i < len; i++) {
		if (in[i] == '\0' || (p = strchr(b64url, in[i])) == NULL)
			return (-1);
		v = (v << 6) | (u_int32_t)(p - b64url);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (u_int8_t)(v >> bits);
			v &= (1U << bits) - 1;
		}
	}

	*olen = o;
	return (0);
}
