/*
 * cdot-outbox: delivers the outbox to Zuora and to the mail relay.
 *
 * The panel writes an outbox row in the same transaction as the change
 * that needs it (a customer's or contact's new details: kind
 * zuora_contact_sync; a license or an extension to tell a customer
 * about: kind email) and never calls Zuora or the relay for it; this
 * small program does, so an outage of theirs never fails or slows an
 * edit.  E-mail goes over SMTP to smtp_url (mail.c, smtp.c); with no
 * smtp_url, e-mail rows wait.
 *
 *	cdot-outbox		(conf/app.conf, or CDOT_CONFIG, and the
 *				 CDOT_<KEY> environment overrides)
 *
 * Loop: claim due rows, deliver each, record the outcome, and when there
 * is nothing to do wait up to outbox_poll_ms (a NOTIFY cdot_outbox from
 * the panel wakes it at once).
 *
 * Claiming is one statement, its own transaction:
 *
 *	UPDATE outbox SET attempts = attempts + 1,
 *	    next_attempt_at = now() + <lease>
 *	 WHERE id IN (SELECT id FROM outbox WHERE status = 'pending'
 *	    AND next_attempt_at <= now() AND kind = ANY(<kinds>)
 *	    ORDER BY next_attempt_at, id LIMIT 10 FOR UPDATE SKIP LOCKED)
 *	RETURNING ...
 *
 * so several workers never take the same row, no transaction stays open
 * while Zuora is called, and a row whose worker died is taken again when
 * its lease runs out.  After the call the row is "sent", or pending again
 * after a backoff that doubles from outbox_backoff_ms (at most an hour),
 * with last_error; "failed" when Zuora refuses it for good (4xx) or after
 * OUTBOX_MAX_ATTEMPTS attempts.  Logs are JSON lines on standard output
 * and never hold credentials.
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

#include "config.h"
#include "mail.h"
#include "outbox.h"
#include "zuora.h"

#define BATCH			"10"
#define RECONNECT_MAX_MS	5000

static struct app_config	 cfg;
static struct zuora_session	 zsession;
static volatile sig_atomic_t	 stopping = 0;

static void	 on_signal(int);
static const char *env_get(const char *);
static void	 log_line(const char *, const char *, json_t *);
static PGconn	*connect_db(void);
static int	 run_once(PGconn *);
static void	 deliver(PGconn *, const char *, const char *, const char *,
		    int, const char *);
static void	 deliver_contact(PGconn *, const char *, const char *,
		    json_t *, int);
static void	 deliver_email(PGconn *, const char *, const char *,
		    json_t *, int, const char *);
static void	 settle(PGconn *, const char *, const char *, int, int, int,
		    const char *, const char *, const char *);
static void	 refuse(PGconn *, const char *, const char *, const char *);
static void	 record(PGconn *, const char *, const char *, const char *,
		    long);
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

/* Claim due rows and deliver them; the number claimed, or -1. */
static int
run_once(PGconn *c)
{
	PGresult	*res;
	const char	*params[2];
	char		 lease[32];
	long		 t;
	int		 i, n;

	/* Long enough for a token and a call, each bounded by the timeout. */
	t = cfg.zuora_http_timeout > cfg.smtp_timeout ?
	    cfg.zuora_http_timeout : cfg.smtp_timeout;
	(void)snprintf(lease, sizeof(lease), "%ld", 2 * t + 30);
	params[0] = lease;
	/* E-mail only when there is a relay to send it to. */
	params[1] = cfg.smtp_url[0] != '\0' ? "t" : "f";

	res = PQexecParams(c,
	    "UPDATE outbox SET attempts = attempts + 1, "
	    "next_attempt_at = now() + make_interval(secs => "
	    "$1::double precision) "
	    "WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' "
	    "AND next_attempt_at <= now() AND (kind = 'zuora_contact_sync' "
	    "OR (kind = 'email' AND $2::boolean)) "
	    "ORDER BY next_attempt_at, id LIMIT " BATCH " "
	    "FOR UPDATE SKIP LOCKED) "
	    "RETURNING id, kind, payload::text, attempts, "
	    "extract(epoch FROM created_at)::bigint::text",
	    2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		log_line("error", "claiming outbox rows failed", json_pack(
		    "{s:s}", "error", PQresultErrorMessage(res)));
		PQclear(res);
		return (-1);
	}

	n = PQntuples(res);
	for (i = 0; i < n && !stopping; i++) {
		deliver(c, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
		    PQgetvalue(res, i, 2), atoi(PQgetvalue(res, i, 3)),
		    PQgetvalue(res, i, 4));
	}
	PQclear(res);

	return (n);
}

/* Write the outcome of an attempt: sent, pending again, or failed. */
static void
record(PGconn *c, const char *id, const char *status, const char *error,
    long retry_ms)
{
	PGresult	*res;
	const char	*params[3];
	char		 secs[32];

	params[0] = id;
	params[1] = error;
	if (strcmp(status, "sent") == 0) {
		res = PQexecParams(c, "UPDATE outbox SET status = 'sent', "
		    "sent_at = now(), last_error = NULL WHERE id = $1::bigint",
		    1, NULL, params, NULL, NULL, 0);
	} else if (strcmp(status, "failed") == 0) {
		res = PQexecParams(c, "UPDATE outbox SET status = 'failed', "
		    "last_error = $2 WHERE id = $1::bigint", 2, NULL, params,
		    NULL, NULL, 0);
	} else {
		(void)snprintf(secs, sizeof(secs), "%.3f",
		    (double)retry_ms / 1000.0);
		params[2] = secs;
		res = PQexecParams(c, "UPDATE outbox SET last_error = $2, "
		    "next_attempt_at = now() + make_interval(secs => "
		    "$3::double precision) WHERE id = $1::bigint", 3, NULL,
		    params, NULL, NULL, 0);
	}
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_line("error", "recording an outbox outcome failed",
		    json_pack("{s:s, s:s}", "outbox_id", id, "error",
		    PQresultErrorMessage(res)));
	}
	PQclear(res);
}

/* One row, by its kind; a payload that is not JSON reaches it as NULL. */
static void
deliver(PGconn *c, const char *id, const char *kind, const char *payload,
    int attempts, const char *created)
{
	json_t		*p;
	json_error_t	 jerr;

	p = json_loads(payload, 0, &jerr);
	if (strcmp(kind, "email") == 0)
		deliver_email(c, id, kind, p, attempts, created);
	else
		deliver_contact(c, id, kind, p, attempts);
	json_decref(p);
}

/*
 * How a delivery attempt ended, for every kind of row: sent; retried after
 * a backoff while the failure is passing and attempts remain; or failed.
 * what/value name the row's own identifier in the log line.
 */
static void
settle(PGconn *c, const char *id, const char *kind, int attempts, int sent,
    int retryable, const char *error, const char *what, const char *value)
{
	long	wait;

	if (sent) {
		record(c, id, "sent", NULL, 0);
		log_line("info", "outbox row sent", json_pack("{s:s, s:s, s:i, "
		    "s:s}", "outbox_id", id, "kind", kind, "attempts",
		    attempts, what, value));
	} else if (retryable && attempts < OUTBOX_MAX_ATTEMPTS) {
		wait = outbox_backoff_ms(attempts, cfg.outbox_backoff_ms);
		record(c, id, "pending", error, wait);
		log_line("warning", "outbox row will be retried", json_pack(
		    "{s:s, s:s, s:i, s:I, s:s}", "outbox_id", id, "kind", kind,
		    "attempts", attempts, "retry_in_ms", (json_int_t)wait,
		    "error", error));
	} else {
		record(c, id, "failed", error, 0);
		log_line("error", "outbox row failed", json_pack("{s:s, s:s, "
		    "s:i, s:s}", "outbox_id", id, "kind", kind, "attempts",
		    attempts, "error", error));
	}
}

/* A row whose payload cannot be delivered at all: failed for good. */
static void
refuse(PGconn *c, const char *id, const char *kind, const char *why)
{
	record(c, id, "failed", why, 0);
	log_line("error", "outbox row failed", json_pack("{s:s, s:s, s:s}",
	    "outbox_id", id, "kind", kind, "error", "bad payload"));
}

/*
 * One e-mail: {"to", "subject", "body"} as a message from mail_from,
 * over SMTP.  Its Message-ID is the same at every attempt.
 */
static void
deliver_email(PGconn *c, const char *id, const char *kind, json_t *p,
    int attempts, const char *created)
{
	struct mail_msg		 m;
	struct smtp_result	 r;
	const char		*domain;
	char			*msg, msgid[160];
	size_t			 len;
	int			 sent;

	memset(&m, 0, sizeof(m));
	m.from_name = MAIL_FROM_NAME;
	m.from = cfg.mail_from;
	m.to = p ? json_string_value(json_object_get(p, "to")) : NULL;
	m.subject = p ? json_string_value(json_object_get(p, "subject")) :
	    NULL;
	m.body = p ? json_string_value(json_object_get(p, "body")) : NULL;
	m.date = time(NULL);
	domain = strchr(cfg.mail_from, '@') + 1;
	(void)snprintf(msgid, sizeof(msgid), "outbox.%s.%s@%s", id, created,
	    domain);
	m.message_id = msgid;

	msg = NULL;
	if (m.to == NULL || m.subject == NULL || m.body == NULL ||
	    (msg = mail_build(&m, &len)) == NULL) {
		refuse(c, id, kind, "the payload is not an e-mail "
		    "(to, subject, body)");
		return;
	}

	sent = smtp_send(cfg.smtp_url, cfg.smtp_timeout, cfg.mail_from, m.to,
	    msg, len, &r) == SMTP_SENT;
	settle(c, id, kind, attempts, sent, r.outcome == SMTP_RETRY, r.error,
	    "message_id", msgid);

	free(msg);
}

/* One row: PUT the contact to Zuora. */
static void
deliver_contact(PGconn *c, const char *id, const char *kind, json_t *p,
    int attempts)
{
	struct zuora_cfg	 zc;
	struct zuora_result	 r;
	json_t			*contact;
	const char		*zid;
	char			 path[64];
	int			 sent;

	zid = p ? json_string_value(json_object_get(p, "zuora_contact_id")) :
	    NULL;
	contact = p ? json_object_get(p, "contact") : NULL;
	if (zid == NULL || !zuora_id_valid(zid) || !json_is_object(contact)) {
		refuse(c, id, kind, "the payload is not a contact sync");
		return;
	}

	zc.base_url = cfg.zuora_base_url;
	zc.client_id = cfg.zuora_client_id;
	zc.client_secret = cfg.zuora_client_secret;
	zc.timeout = cfg.zuora_http_timeout;
	(void)snprintf(path, sizeof(path), "/v1/contacts/%s", zid);

	sent = zuora_call(&zc, &zsession, "PUT", path, contact, &r) ==
	    ZUORA_OK;
	settle(c, id, kind, attempts, sent, zuora_retryable(&r), r.error,
	    "zuora_contact_id", zid);

	zuora_result_clear(&r);
}

int
main(int argc, char **argv)
{
	struct sigaction	 sa;
	PGconn			*c;
	const char		*path;
	char			 err[CONFIG_ERRLEN];
	long			 retry;
	int			 n;

	(void)argc;
	(void)argv;

	path = getenv("CDOT_CONFIG");
	if (path == NULL || *path == '\0')
		path = "conf/app.conf";
	if (config_load(&cfg, path, env_get, err, sizeof(err)) == -1) {
		(void)fprintf(stderr, "cdot-outbox: configuration: %s\n", err);
		return (1);
	}
	if (zuora_global_init() == -1) {
		(void)fprintf(stderr, "cdot-outbox: libcurl init failed\n");
		return (1);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);

	log_line("info", "started", json_pack("{s:s, s:I, s:I, s:b}",
	    "zuora_base_url", cfg.zuora_base_url, "poll_ms",
	    (json_int_t)cfg.outbox_poll_ms, "backoff_ms",
	    (json_int_t)cfg.outbox_backoff_ms, "email",
	    cfg.smtp_url[0] != '\0'));

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
	config_free(&cfg);

	return (0);
}
