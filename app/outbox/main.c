/*
 * cdot-outbox: delivers the outbox to Zuora, GitLab.com and the mail relay.
 *
 * The panel writes an outbox row in the same transaction as the change
 * that needs it (a customer's or contact's new details: kind
 * zuora_contact_sync; a license or an extension to tell a customer
 * about: kind email; a namespace's plan, minutes, storage or seats: kind
 * gitlab_namespace_sync, written by the database's triggers, see
 * sql/migrations/017) and never calls them for it; this small program
 * does, so an outage of theirs never fails or slows an edit.  E-mail goes
 * over SMTP to smtp_url (mail.c, smtp.c); GitLab.com's rows are requests
 * {method, path, body} to its subscriptions internal API (clients/gitlab.c).
 * With no smtp_url, e-mail rows wait; with no gitlab_jwt_key, GitLab.com's
 * rows wait.
 *
 *	cdot-outbox		(conf/app.conf, or CDOT_CONFIG, and the
 *				 CDOT_<KEY> environment overrides)
 *
 * Loop: claim due rows, deliver each, record the outcome, and when there
 * is nothing to do wait up to outbox_poll_ms (a NOTIFY cdot_outbox from
 * the panel wakes it at once).
 *
 * Claiming is one statement, its own transaction (CLAIM_SQL below): due
 * pending rows of the kinds this worker can deliver, none held back by
 * an older pending row of its order_key (one namespace, one contact) or
 * of its kind and transaction, locked with SKIP LOCKED, each given a
 * lease and a claim token of its own.  So several workers never take the
 * same row, rows of one namespace go strictly in the order written, and
 * no transaction stays open while a peer is called.
 *
 * A worker owns its claim: just before delivering a row it renews the
 * lease, under its token, for one delivery (bounded by the timeouts), and
 * skips the row if another worker has taken it meanwhile; it records an
 * outcome only under its token.  A row whose worker died is taken again
 * when its lease runs out.
 *
 * After the call the row is "sent"; or pending again after a backoff
 * that doubles from outbox_backoff_ms (at most an hour), or after the
 * peer's Retry-After, with last_error; "failed" when the peer refuses it
 * for good (another 4xx) or after OUTBOX_MAX_ATTEMPTS attempts.  Logs are
 * JSON lines on standard output and never hold credentials.
 */

#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "lib/config.h"
#include "clients/gitlab.h"
#include "outbox/mail.h"
#include "outbox/outbox.h"
#include "clients/zuora.h"

#define BATCH			"10"
#define RECONNECT_MAX_MS	5000

/* Claim due rows: see above. */
#define CLAIM_SQL \
	"UPDATE outbox SET attempts = attempts + 1, " \
	"claim = gen_random_uuid(), next_attempt_at = now() + " \
	"make_interval(secs => $1::double precision) " \
	"WHERE id IN (SELECT o.id FROM outbox o WHERE o.status = 'pending' " \
	"AND o.next_attempt_at <= now() AND (o.kind = 'zuora_contact_sync' " \
	"OR (o.kind = 'email' AND $2::boolean) " \
	"OR (o.kind = 'gitlab_namespace_sync' AND $3::boolean)) " \
	"AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.status = 'pending' " \
	"AND e.id < o.id AND (e.order_key = o.order_key OR " \
	"(e.kind = o.kind AND e.created_txid = o.created_txid))) " \
	"ORDER BY o.next_attempt_at, o.id LIMIT " BATCH " " \
	"FOR UPDATE SKIP LOCKED) " \
	"RETURNING id, kind, payload::text, attempts, " \
	"extract(epoch FROM created_at)::bigint::text AS created, " \
	"claim::text AS claim"

/* A claimed row, as delivered. */
struct row {
	const char	*id;
	const char	*kind;
	const char	*claim;
	const char	*created;
	int		 attempts;
	json_t		*payload;	/* NULL: not JSON */
};

/* How an attempt ended. */
struct outcome {
	int		 sent;
	int		 retryable;
	long		 retry_ms;	/* the peer's wish, or -1 */
	long		 status;	/* the peer's HTTP status, or 0 */
	const char	*error;
	const char	*what;		/* the row's own identifier, for */
	const char	*value;		/* the log line */
};

static struct app_config	 cfg;
static struct zuora_session	 zsession;
static struct gitlab_key	 gkey;
static char			 issuer[1024];
static char			 lease[32];
static volatile sig_atomic_t	 stopping = 0;

static int	 worker_init(void);
static void	 on_signal(int);
static const char *env_get(const char *);
static void	 log_line(const char *, const char *, json_t *);
static PGconn	*connect_db(void);
static void	 lease_set(void);
static int	 run_once(PGconn *);
static int	 still_mine(PGconn *, const struct row *);
static void	 deliver(PGconn *, const struct row *);
static void	 deliver_contact(PGconn *, const struct row *);
static void	 deliver_email(PGconn *, const struct row *);
static void	 deliver_gitlab(PGconn *, const struct row *);
static void	 settle(PGconn *, const struct row *,
		    const struct outcome *);
static void	 refuse(PGconn *, const struct row *, const char *);
static int	 record(PGconn *, const struct row *, const char *,
		    const struct outcome *, long);
static void	 wait_for_work(PGconn *, long);
static void	 sleep_ms(long);

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static const char *
env_get(const char *name)
{
	return (getenv(name));
}

/* One JSON line: time, level, msg and the fields given. */
static void
log_line(const char *level, const char *msg, json_t *fields)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 at[40], *s;
	json_t		*o;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	(void)gmtime_r(&ts.tv_sec, &tm);
	(void)strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%S", &tm);

	o = fields != NULL ? fields : json_object();
	json_object_set_new(o, "time", json_sprintf("%s.%03ldZ", at,
	    ts.tv_nsec / 1000000));
	json_object_set_new(o, "level", json_string(level));
	json_object_set_new(o, "program", json_string("cdot-outbox"));
	json_object_set_new(o, "msg", json_string(msg));
	if ((s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS)) != NULL) {
		(void)printf("%s\n", s);
		(void)fflush(stdout);
		free(s);
	}
	json_decref(o);
}

static PGconn *
connect_db(void)
{
	PGconn		*c;
	PGresult	*res;
	const char	*keys[] = { "connect_timeout", "application_name",
			    "dbname", "options", NULL };
	const char	*vals[] = { "5", "cdot-outbox", cfg.database_url,
			    "-c statement_timeout=30000 -c TimeZone=UTC",
			    NULL };

	c = PQconnectdbParams(keys, vals, 1);
	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		log_line("error", "database connection failed", json_pack(
		    "{s:s}", "error", c ? PQerrorMessage(c) : "out of memory"));
		if (c != NULL)
			PQfinish(c);
		return (NULL);
	}

	/* The panel says NOTIFY cdot_outbox when it queues work. */
	res = PQexec(c, "LISTEN cdot_outbox");
	PQclear(res);

	return (c);
}

static void
sleep_ms(long ms)
{
	struct timespec	ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR && !stopping)
		;
}

/* Until a notification, ms milliseconds, or a signal. */
static void
wait_for_work(PGconn *c, long ms)
{
	struct pollfd	 pfd;
	PGnotify	*n;
	int		 got;

	got = 0;
	(void)PQconsumeInput(c);
	while ((n = PQnotifies(c)) != NULL) {
		PQfreemem(n);
		got = 1;
	}
	if (got || stopping)
		return;

	pfd.fd = PQsocket(c);
	pfd.events = POLLIN;
	if (pfd.fd < 0 || poll(&pfd, 1, (int)ms) <= 0)
		return;

	(void)PQconsumeInput(c);
	while ((n = PQnotifies(c)) != NULL)
		PQfreemem(n);
}

/*
 * A row's lease: longer than one delivery, which is bounded by the
 * timeouts (a token and a call to Zuora; a call to GitLab.com; SMTP),
 * with a margin for the database.  It is renewed before each delivery
 * (still_mine), so a batch may take longer than one lease.
 */
static void
lease_set(void)
{
	long	t;

	t = cfg.zuora_http_timeout;
	if (cfg.smtp_timeout > t)
		t = cfg.smtp_timeout;
	if (cfg.gitlab_http_timeout > t)
		t = cfg.gitlab_http_timeout;
	(void)snprintf(lease, sizeof(lease), "%ld", 2 * t + 5);
}

/* Claim due rows and deliver them; the number claimed, or -1. */
static int
run_once(PGconn *c)
{
	PGresult	*res;
	struct row	 r;
	json_error_t	 jerr;
	const char	*params[3];
	int		 i, n;

	params[0] = lease;
	/* E-mail only when there is a relay, GitLab.com with a key. */
	params[1] = cfg.smtp_url[0] != '\0' ? "t" : "f";
	params[2] = gkey.jwk != NULL ? "t" : "f";

	res = PQexecParams(c, CLAIM_SQL, 3, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		log_line("error", "claiming outbox rows failed", json_pack(
		    "{s:s}", "error", PQresultErrorMessage(res)));
		PQclear(res);
		return (-1);
	}

	n = PQntuples(res);
	for (i = 0; i < n && !stopping; i++) {
		r.id = PQgetvalue(res, i, PQfnumber(res, "id"));
		r.kind = PQgetvalue(res, i, PQfnumber(res, "kind"));
		r.attempts = atoi(PQgetvalue(res, i,
		    PQfnumber(res, "attempts")));
		r.created = PQgetvalue(res, i, PQfnumber(res, "created"));
		r.claim = PQgetvalue(res, i, PQfnumber(res, "claim"));
		if (!still_mine(c, &r))
			continue;
		r.payload = json_loads(PQgetvalue(res, i,
		    PQfnumber(res, "payload")), 0, &jerr);
		deliver(c, &r);
		json_decref(r.payload);
	}
	PQclear(res);

	return (n);
}

/*
 * Renew the row's lease for one delivery, under its claim: 1 if it is
 * still this worker's (no other can take it before the delivery ends),
 * 0 if another worker took it when an earlier delivery ran long.
 */
static int
still_mine(PGconn *c, const struct row *r)
{
	PGresult	*res;
	const char	*params[3];
	int		 mine;

	params[0] = r->id;
	params[1] = r->claim;
	params[2] = lease;
	res = PQexecParams(c, "UPDATE outbox SET next_attempt_at = now() + "
	    "make_interval(secs => $3::double precision) WHERE "
	    "id = $1::bigint AND claim = $2::uuid AND status = 'pending'",
	    3, NULL, params, NULL, NULL, 0);
	mine = PQresultStatus(res) == PGRES_COMMAND_OK &&
	    strcmp(PQcmdTuples(res), "1") == 0;
	PQclear(res);
	if (!mine) {
		log_line("warning", "outbox row taken by another worker; "
		    "not delivered here", json_pack("{s:s, s:s}", "outbox_id",
		    r->id, "kind", r->kind));
	}

	return (mine);
}

/*
 * Write the outcome of an attempt, under the row's claim: sent, pending
 * again after retry_ms, or failed.  -1 when it could not be written or
 * the row is no longer this worker's.
 */
static int
record(PGconn *c, const struct row *r, const char *status,
    const struct outcome *o, long retry_ms)
{
	PGresult	*res;
	const char	*params[5];
	char		 secs[32], code[16];
	int		 ok;

	(void)snprintf(secs, sizeof(secs), "%.3f", (double)retry_ms / 1000.0);
	(void)snprintf(code, sizeof(code), "%ld", o->status);
	params[0] = r->id;
	params[1] = r->claim;
	params[2] = strcmp(status, "sent") == 0 ? NULL : o->error;
	params[3] = o->status != 0 ? code : NULL;
	params[4] = secs;
	res = PQexecParams(c, "UPDATE outbox SET status = $6, "
	    "sent_at = CASE WHEN $6 = 'sent' THEN now() END, "
	    "last_error = $3, last_status = $4::integer, "
	    "next_attempt_at = CASE WHEN $6 = 'pending' THEN now() + "
	    "make_interval(secs => $5::double precision) ELSE "
	    "next_attempt_at END WHERE id = $1::bigint AND claim = $2::uuid "
	    "AND status = 'pending'", 6, NULL, (const char *[]){ params[0],
	    params[1], params[2], params[3], params[4], status }, NULL, NULL,
	    0);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok) {
		log_line("error", "recording an outbox outcome failed",
		    json_pack("{s:s, s:s}", "outbox_id", r->id, "error",
		    PQresultErrorMessage(res)));
	} else if (strcmp(PQcmdTuples(res), "1") != 0) {
		ok = 0;
		log_line("error", "outbox row no longer held; its outcome "
		    "is not recorded", json_pack("{s:s, s:s}", "outbox_id",
		    r->id, "status", status));
	}
	PQclear(res);

	return (ok ? 0 : -1);
}

/* One row, by its kind. */
static void
deliver(PGconn *c, const struct row *r)
{
	if (strcmp(r->kind, "email") == 0)
		deliver_email(c, r);
	else if (strcmp(r->kind, "gitlab_namespace_sync") == 0)
		deliver_gitlab(c, r);
	else
		deliver_contact(c, r);
}

/*
 * How a delivery attempt ended, for every kind of row: sent; retried after
 * a backoff (or the peer's Retry-After) while the failure is passing and
 * attempts remain; or failed.
 */
static void
settle(PGconn *c, const struct row *r, const struct outcome *o)
{
	long	wait;

	if (o->sent) {
		if (record(c, r, "sent", o, 0) == 0)
			log_line("info", "outbox row sent", json_pack("{s:s, "
			    "s:s, s:i, s:s}", "outbox_id", r->id, "kind",
			    r->kind, "attempts", r->attempts, o->what,
			    o->value));
	} else if (o->retryable && r->attempts < OUTBOX_MAX_ATTEMPTS) {
		wait = outbox_backoff_ms(r->attempts, cfg.outbox_backoff_ms);
		if (o->retry_ms >= 0)
			wait = o->retry_ms;
		if (record(c, r, "pending", o, wait) == 0)
			log_line("warning", "outbox row will be retried",
			    json_pack("{s:s, s:s, s:i, s:I, s:s}", "outbox_id",
			    r->id, "kind", r->kind, "attempts", r->attempts,
			    "retry_in_ms", (json_int_t)wait, "error",
			    o->error));
	} else {
		if (record(c, r, "failed", o, 0) == 0)
			log_line("error", "outbox row failed", json_pack(
			    "{s:s, s:s, s:i, s:s}", "outbox_id", r->id,
			    "kind", r->kind, "attempts", r->attempts, "error",
			    o->error));
	}
}

/* A row whose payload cannot be delivered at all: failed for good. */
static void
refuse(PGconn *c, const struct row *r, const char *why)
{
	struct outcome	o;

	memset(&o, 0, sizeof(o));
	o.error = why;
	o.what = "error";
	o.value = "bad payload";
	settle(c, r, &o);
}

/*
 * One e-mail: {"to", "subject", "body"} as a message from mail_from,
 * over SMTP.  Its Message-ID is the same at every attempt.
 */
static void
deliver_email(PGconn *c, const struct row *r)
{
	struct mail_msg		 m;
	struct smtp_result	 sr;
	struct outcome		 o;
	json_t			*a, *p = r->payload;
	const char		*domain;
	char			*msg, msgid[160];
	size_t			 len;

	memset(&m, 0, sizeof(m));
	m.from_name = MAIL_FROM_NAME;
	m.from = cfg.mail_from;
	m.to = p ? json_string_value(json_object_get(p, "to")) : NULL;
	m.subject = p ? json_string_value(json_object_get(p, "subject")) :
	    NULL;
	m.body = p ? json_string_value(json_object_get(p, "body")) : NULL;
	m.date = time(NULL);
	if (p != NULL && (a = json_object_get(p, "attachment")) != NULL) {
		m.attachment_name = json_string_value(json_object_get(a,
		    "filename"));
		m.attachment = json_string_value(json_object_get(a,
		    "content"));
		if (m.attachment == NULL)
			m.attachment = "";
	}
	domain = strchr(cfg.mail_from, '@') + 1;
	(void)snprintf(msgid, sizeof(msgid), "outbox.%s.%s@%s", r->id,
	    r->created, domain);
	m.message_id = msgid;

	msg = NULL;
	if (m.to == NULL || m.subject == NULL || m.body == NULL ||
	    (msg = mail_build(&m, &len)) == NULL) {
		refuse(c, r, "the payload is not an e-mail (to, subject, "
		    "body, an attachment's filename and content)");
		return;
	}

	memset(&o, 0, sizeof(o));
	o.sent = smtp_send(cfg.smtp_url, cfg.smtp_timeout, cfg.mail_from,
	    m.to, msg, len, &sr) == SMTP_SENT;
	o.retryable = sr.outcome == SMTP_RETRY;
	o.retry_ms = -1;
	o.error = sr.error;
	o.what = "message_id";
	o.value = msgid;
	settle(c, r, &o);

	free(msg);
}

/* One row: PUT the contact to Zuora. */
static void
deliver_contact(PGconn *c, const struct row *r)
{
	struct zuora_cfg	 zc;
	struct zuora_result	 zr;
	struct outcome		 o;
	json_t			*contact, *p = r->payload;
	const char		*zid;
	char			 path[64];

	zid = p ? json_string_value(json_object_get(p, "zuora_contact_id")) :
	    NULL;
	contact = p ? json_object_get(p, "contact") : NULL;
	if (zid == NULL || !zuora_id_valid(zid) || !json_is_object(contact)) {
		refuse(c, r, "the payload is not a contact sync");
		return;
	}

	zc.base_url = cfg.zuora_base_url;
	zc.client_id = cfg.zuora_client_id;
	zc.client_secret = cfg.zuora_client_secret;
	zc.timeout = cfg.zuora_http_timeout;
	(void)snprintf(path, sizeof(path), "/v1/contacts/%s", zid);

	memset(&o, 0, sizeof(o));
	o.sent = zuora_call(&zc, &zsession, "PUT", path, contact, &zr) ==
	    ZUORA_OK;
	o.retryable = zuora_retryable(&zr);
	o.retry_ms = -1;
	o.status = zr.status;
	o.error = zr.error;
	o.what = "zuora_contact_id";
	o.value = zid;
	settle(c, r, &o);

	zuora_result_clear(&zr);
}

/*
 * One request to GitLab.com's subscriptions internal API, as the
 * database's trigger wrote it: {"method", "path", "body"}, the path
 * under GITLAB_API_PREFIX.  A 429 or 503 is tried again after the
 * Retry-After GitLab asked for.
 */
static void
deliver_gitlab(PGconn *c, const struct row *r)
{
	struct gitlab_cfg	 gc;
	struct gitlab_result	 gr;
	struct outcome		 o;
	json_t			*p = r->payload;
	const char		*method, *path;

	method = p ? json_string_value(json_object_get(p, "method")) : NULL;
	path = p ? json_string_value(json_object_get(p, "path")) : NULL;
	if (method == NULL || path == NULL || strcmp(method, "PUT") != 0 ||
	    strncmp(path, GITLAB_API_PREFIX "/namespaces/",
	    sizeof(GITLAB_API_PREFIX "/namespaces/") - 1) != 0 ||
	    strstr(path, "..") != NULL ||
	    !json_is_object(json_object_get(p, "body"))) {
		refuse(c, r, "the payload is not a GitLab.com request");
		return;
	}

	gc.base_url = cfg.gitlab_base_url;
	gc.issuer = issuer;
	gc.key = &gkey;
	gc.timeout = cfg.gitlab_http_timeout;

	memset(&o, 0, sizeof(o));
	o.sent = gitlab_call(&gc, method, path, json_object_get(p, "body"),
	    &gr) == GITLAB_OK;
	o.retryable = gr.outcome == GITLAB_RETRY;
	o.retry_ms = gr.retry_after >= 0 ? gr.retry_after * 1000 : -1;
	o.status = gr.status;
	o.error = gr.error;
	o.what = "path";
	o.value = path;
	settle(c, r, &o);

	gitlab_result_clear(&gr);
}

int
main(int argc, char **argv)
{
	PGconn		*c;
	long		 retry;
	int		 n;

	(void)argc;
	(void)argv;

	if (worker_init() == -1)
		return (1);

	c = NULL;
	retry = 250;
	while (!stopping) {
		if (c == NULL || PQstatus(c) != CONNECTION_OK) {
			if (c != NULL)
				PQfinish(c);
			if ((c = connect_db()) == NULL) {
				sleep_ms(retry);
				retry = retry * 2 > RECONNECT_MAX_MS ?
				    RECONNECT_MAX_MS : retry * 2;
				continue;
			}
			retry = 250;
		}

		if ((n = run_once(c)) == 0)
			wait_for_work(c, cfg.outbox_poll_ms);
		else if (n < 0)
			sleep_ms(cfg.outbox_poll_ms);
	}

	if (c != NULL)
		PQfinish(c);
	log_line("info", "stopped", NULL);
	explicit_bzero(&zsession, sizeof(zsession));
	gitlab_key_free(&gkey);
	config_free(&cfg);

	return (0);
}

/* The settings (CDOT_CONFIG), libcurl, GitLab.com's key, the signals. */
static int
worker_init(void)
{
	struct sigaction	 sa;
	const char		*path;
	char			 err[CONFIG_ERRLEN];

	path = getenv("CDOT_CONFIG");
	if (path == NULL || *path == '\0')
		path = "conf/app.conf";
	if (config_load(&cfg, path, env_get, err, sizeof(err)) == -1) {
		(void)fprintf(stderr, "cdot-outbox: configuration: %s\n", err);
		return (-1);
	}
	if (zuora_global_init() == -1) {
		(void)fprintf(stderr, "cdot-outbox: libcurl init failed\n");
		return (-1);
	}
	if (cfg.gitlab_jwt_key[0] != '\0' &&
	    gitlab_key_load(cfg.gitlab_jwt_key, &gkey, err,
	    sizeof(err)) == -1) {
		(void)fprintf(stderr, "cdot-outbox: configuration: %s\n", err);
		return (-1);
	}
	/* GitLab finds the keys at the issuer: the panel, base_url. */
	(void)snprintf(issuer, sizeof(issuer), "%s/", cfg.base_url);
	lease_set();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);

	log_line("info", "started", json_pack("{s:s, s:s, s:I, s:I, s:b, "
	    "s:b}", "zuora_base_url", cfg.zuora_base_url, "gitlab_base_url",
	    cfg.gitlab_base_url, "poll_ms", (json_int_t)cfg.outbox_poll_ms,
	    "backoff_ms", (json_int_t)cfg.outbox_backoff_ms, "email",
	    cfg.smtp_url[0] != '\0', "gitlab", gkey.jwk != NULL));

	return (0);
}
