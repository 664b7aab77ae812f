/*
 * CSV export of a list as filtered, searched and sorted, streamed: the
 * rows are read through a cursor on a connection of the export's own,
 * a batch at a time, and each batch is queued on the client's connection
 * only when the previous one has been sent.  A 10-million-row export
 * never holds more than one batch in memory, and a slow or vanished
 * client costs nothing but its open cursor.
 *
 * The response has no Content-Length: its end is the end of the
 * connection ("connection: close").
 *
 * An export holds one of the worker's EXPORTS_MAX slots, a database
 * connection and an open transaction until it ends, so it is bounded:
 * it ends when its client has taken nothing (no batch sent) for
 * export_idle_timeout seconds, or export_max_time seconds after it
 * began, and one person holds at most export_per_person slots.  An
 * export ended early resets the client's connection rather than closing
 * it: with no length, a plain close would look like a complete file.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin/resource.h"

/*
 * Rows per batch: each costs a round trip to the database and a send,
 * and a batch (about 200 bytes a row) is what the export holds.
 */
#define EXPORT_BATCH		2000
#define EXPORT_FETCH		"FETCH 2000 FROM export" /* EXPORT_BATCH rows */
#define EXPORTS_MAX		4

/*
 * An export is freed when its connection goes and no batch of it is
 * queued; while one is (aborted), only the netbuf still points at it.
 */
struct export {
	struct connection	*c;
	PGconn			*db;
	const struct resource	*res;
	struct kore_buf		*buf;
	struct kore_timer	*timer;		/* the next check of its bounds */
	int			*cols;		/* each exported field's column */
	int			 ncols;
	char			 user[APP_USER_MAX];
	char			 request_id[33];
	u_int64_t		 started;	/* kore_time_ms() */
	u_int64_t		 taken;		/* the last batch sent */
	int			 queued;
	int			 aborted;
	int			 finished;
	int			 failed;	/* the database failed mid-way */
};

static struct export	*exports[EXPORTS_MAX];

static int	 export_slot(const char *, char *, size_t);
static const char *export_open(struct app_req *, struct export *,
		    const struct list_query *);
static void	 export_headers(struct http_request *,
		    const struct resource *);
static void	 export_start(struct export *, int, struct app_req *);
static void	 export_select(struct sql *, const struct resource *);
static int	 export_fetch(struct export *);
static int	 export_batch(struct export *);
static void	 export_columns(struct export *, PGresult *);
static void	 export_rows(struct export *, PGresult *);
static int	 export_sent(struct netbuf *);
static void	 export_arm(struct export *, u_int64_t);
static void	 export_check(void *, u_int64_t);
static void	 export_cut(struct export *);
static void	 export_disconnect(struct connection *);
static void	 export_release(struct export *);
static void	 export_free(struct export *);
static u_int64_t ms_since(u_int64_t, u_int64_t);
static void	 csv_field(struct kore_buf *, const char *, size_t, int);
static void	 buf_room(struct kore_buf *, size_t);

/*
 * RFC 4180, and a leading = + - @ is defused for spreadsheets.  The
 * value (len bytes) is copied into b a span at a time, between quotes:
 * this runs for every field of every row of the export.
 */
static void
csv_field(struct kore_buf *b, const char *v, size_t len, int first)
{
	u_int8_t	*o;
	const char	*end, *quote;

	/* At worst every byte is a quote, doubled; then , " ' and ". */
	buf_room(b, 2 * len + 4);
	o = b->data + b->offset;

	if (!first)
		*o++ = ',';
	*o++ = '"';
	if (len > 0 && (*v == '=' || *v == '+' || *v == '-' || *v == '@'))
		*o++ = '\'';
	/* Up to each quote, which is doubled, then the rest. */
	for (end = v + len; (quote = memchr(v, '"', end - v)) != NULL;
	    v = quote + 1) {
		memcpy(o, v, quote - v + 1);
		o += quote - v + 1;
		*o++ = '"';
	}
	memcpy(o, v, end - v);
	o += end - v;
	*o++ = '"';
	b->offset = o - b->data;
}

/*
 * Room for len more bytes in b, growing it by doubling: kore_buf_append
 * grows a buffer by just what it appends, which copied the whole batch
 * again for every field once a batch passed the first 64 KB.
 */
static void
buf_room(struct kore_buf *b, size_t len)
{
	size_t	want;

	if (b->length - b->offset >= len)
		return;

	want = b->length * 2;
	if (want < b->offset + len)
		want = b->offset + len;
	b->data = kore_realloc(b->data, want);
	b->length = want;
}

int
page_export(struct http_request *req, struct app_req *ctx)
{
	const struct resource	*res;
	struct list_query	 q;
	struct export		*exp;
	const char		*failed;
	char			 busy[160];
	int			 slot, rc;

	if ((res = resource_find(ctx->args[0])) == NULL) {
		return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no page at this address."));
	}
	if (list_query_parse(ctx, &q, res, &ctx->query) == -1) {
		rc = render_error(req, ctx, HTTP_STATUS_BAD_REQUEST, q.error);
		goto done;
	}

	if ((slot = export_slot(ctx->user, busy, sizeof(busy))) == -1) {
		rc = render_error(req, ctx, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    busy);
		goto done;
	}

	/* HEAD: the headers a GET would get; no body, so no query. */
	if (req->method == HTTP_METHOD_HEAD) {
		export_headers(req, res);
		http_response(req, HTTP_STATUS_OK, NULL, 0);
		rc = KORE_RESULT_OK;
		goto done;
	}

	exp = kore_calloc(1, sizeof(*exp));
	exp->res = res;
	if ((failed = export_open(ctx, exp, &q)) != NULL) {
		export_free(exp);
		rc = render_error(req, ctx, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    failed);
		goto done;
	}

	exp->c = req->owner;
	export_start(exp, slot, ctx);
	export_headers(req, res);

	exp->queued = 1;
	http_response_stream(req, HTTP_STATUS_OK, exp->buf->data,
	    exp->buf->offset, export_sent, exp);
	rc = KORE_RESULT_OK;

done:
	list_query_free(&q);

	return (rc);
}

/*
 * exp's connection, its cursor over the list as q asks, and in exp->buf
 * the header row and the first batch.  Returns NULL, or what failed in
 * words for the person asking.
 */
static const char *
export_open(struct app_req *ctx, struct export *exp,
    const struct list_query *q)
{
	const struct field	*f;
	struct sql		 s;
	PGresult		*pr;
	int			 ok;

	exp->db = db_connect_read(ctx, 0);
	if (PQstatus(exp->db) != CONNECTION_OK) {
		metrics_db_error();
		return ("The database is not reachable right now.");
	}

	sql_init(&s);
	export_select(&s, exp->res);
	list_where(&s, q);
	list_order(&s, q);

	pr = PQexec(exp->db, "BEGIN READ ONLY");
	PQclear(pr);
	pr = PQexecParams(exp->db, kore_buf_stringify(s.text, NULL),
	    s.nparams, NULL, s.params, NULL, NULL, 0);
	sql_free(&s);
	if (!(ok = PQresultStatus(pr) == PGRES_COMMAND_OK)) {
		kore_log(LOG_ERR, "export: %s", PQresultErrorMessage(pr));
		metrics_db_error();
	}
	PQclear(pr);
	if (!ok || export_fetch(exp) == -1)
		return ("The export could not be started.");

	/* The header row: the labels of every exported field. */
	exp->buf = kore_buf_alloc(65536);
	kore_buf_append(exp->buf, "\"ID\"", 4);
	for (f = exp->res->fields; f->name != NULL; f++) {
		if (f->flags & F_SHOW)
			csv_field(exp->buf, f->label, strlen(f->label), 0);
	}
	kore_buf_append(exp->buf, "\r\n", 2);
	if (export_batch(exp) == -1)
		return ("The export failed while reading the database.");

	return (NULL);
}

/*
 * A free slot for user's export, or -1 with the reason in msg: the
 * person already runs their share, or every slot is taken.
 */
static int
export_slot(const char *user, char *msg, size_t len)
{
	int	i, slot, mine;

	slot = -1;
	mine = 0;
	for (i = 0; i < EXPORTS_MAX; i++) {
		if (exports[i] == NULL) {
			if (slot == -1)
				slot = i;
		} else if (strcmp(exports[i]->user, user) == 0)
			mine++;
	}

	if (mine >= app_cfg.export_per_person) {
		(void)snprintf(msg, len, "You already have %d export%s "
		    "running; wait for %s to finish, then try again.", mine,
		    mine == 1 ? "" : "s", mine == 1 ? "it" : "one of them");
		return (-1);
	}
	if (slot == -1) {
		(void)snprintf(msg, len, "Too many exports are running; "
		    "try again in a minute.");
		return (-1);
	}

	return (slot);
}

/* The response headers: a CSV attachment named after the list and day. */
static void
export_headers(struct http_request *req, const struct resource *res)
{
	char		disp[160], day[16];
	time_t		now;
	struct tm	tm;

	now = time(NULL);
	(void)gmtime_r(&now, &tm);
	(void)strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	(void)snprintf(disp, sizeof(disp),
	    "attachment; filename=\"%s-%s.csv\"", res->name, day);

	req->owner->flags |= CONN_CLOSE_EMPTY;
	req->flags |= HTTP_REQUEST_NO_CONTENT_LENGTH;

	http_response_header(req, "content-type", "text/csv; charset=utf-8");
	http_response_header(req, "content-disposition", disp);
	http_response_header(req, "cache-control", "no-store");
	http_response_header(req, "x-content-type-options", "nosniff");
}

/* exp takes slot, for the person asking, and its bounds start counting. */
static void
export_start(struct export *exp, int slot, struct app_req *ctx)
{
	(void)kore_strlcpy(exp->user, ctx->user, sizeof(exp->user));
	(void)kore_strlcpy(exp->request_id, ctx->request_id,
	    sizeof(exp->request_id));
	exp->started = kore_time_ms();
	exp->taken = exp->started;
	exports[slot] = exp;
	exp->c->disconnect = export_disconnect;
	export_arm(exp, exp->started);
}

/*
 * The cursor over the exported fields only, each named after its field:
 * the list's link ids, badge and title are not in the file, and the
 * badge alone (a lookup per row) would double what the database does.
 */
static void
export_select(struct sql *s, const struct resource *res)
{
	const struct field	*f;

	kore_buf_appendf(s->text,
	    "DECLARE export NO SCROLL CURSOR FOR SELECT t.id AS row_id");
	for (f = res->fields; f->name != NULL; f++) {
		if (!(f->flags & F_SHOW))
			continue;
		kore_buf_appendf(s->text, ", ");
		list_select_value(s->text, f);
		kore_buf_appendf(s->text, " AS \"field_%s\"", f->name);
	}
	kore_buf_appendf(s->text, " FROM %s", res->from);
}

/*
 * Ask for the next batch without waiting for it: the database reads it
 * while this one is written out and sent.  Returns 0, or -1.
 */
static int
export_fetch(struct export *exp)
{
	if (PQsendQuery(exp->db, EXPORT_FETCH) == 1)
		return (0);

	kore_log(LOG_ERR, "export: %s", PQerrorMessage(exp->db));
	metrics_db_error();
	return (-1);
}

/*
 * Append the batch asked for (export_fetch()) to exp->buf, having asked
 * for the one after it.  Returns 1 if rows came, 0 at the end (the
 * cursor is closed), -1 on a database error.
 */
static int
export_batch(struct export *exp)
{
	PGresult	*pr, *more;
	int		 rows, ret;

	pr = PQgetResult(exp->db);
	while ((more = PQgetResult(exp->db)) != NULL)
		PQclear(more);
	if (PQresultStatus(pr) != PGRES_TUPLES_OK) {
		kore_log(LOG_ERR, "export: %s", pr != NULL ?
		    PQresultErrorMessage(pr) : PQerrorMessage(exp->db));
		metrics_db_error();
		ret = -1;
		goto out;
	}

	rows = PQntuples(pr);
	if (rows == EXPORT_BATCH && export_fetch(exp) == -1) {
		ret = -1;
		goto out;
	}
	export_rows(exp, pr);

	ret = 1;
	if (rows < EXPORT_BATCH) {
		PQclear(PQexec(exp->db, "COMMIT"));
		exp->finished = 1;
		ret = 0;
	}

out:
	PQclear(pr);
	return (ret);
}

/* The column of each exported field, from the first batch's result. */
static void
export_columns(struct export *exp, PGresult *pr)
{
	const struct field	*f;
	char			 name[80];

	exp->ncols = 0;
	for (f = exp->res->fields; f->name != NULL; f++) {
		if (f->flags & F_SHOW)
			exp->ncols++;
	}
	exp->cols = kore_calloc(exp->ncols + 1, sizeof(*exp->cols));
	exp->cols[0] = PQfnumber(pr, "row_id");
	exp->ncols = 1;
	for (f = exp->res->fields; f->name != NULL; f++) {
		if (!(f->flags & F_SHOW))
			continue;
		(void)snprintf(name, sizeof(name), "\"field_%s\"", f->name);
		exp->cols[exp->ncols++] = PQfnumber(pr, name);
	}
}

/* The rows of pr as CSV lines in exp->buf: the id, then each field. */
static void
export_rows(struct export *exp, PGresult *pr)
{
	int	i, k, rows;

	if (exp->cols == NULL)
		export_columns(exp, pr);

	rows = PQntuples(pr);
	for (i = 0; i < rows; i++) {
		for (k = 0; k < exp->ncols; k++) {
			csv_field(exp->buf, PQgetvalue(pr, i, exp->cols[k]),
			    (size_t)PQgetlength(pr, i, exp->cols[k]), k == 0);
		}
		buf_room(exp->buf, 2);
		exp->buf->data[exp->buf->offset++] = '\r';
		exp->buf->data[exp->buf->offset++] = '\n';
	}
}

/* Kore has sent (or dropped) the queued batch: queue the next one. */
static int
export_sent(struct netbuf *nb)
{
	struct export	*exp;

	exp = nb->extra;
	exp->queued = 0;

	if (exp->aborted) {
		export_free(exp);
		return (KORE_RESULT_OK);
	}
	exp->taken = kore_time_ms();
	if (exp->finished)
		return (KORE_RESULT_OK);

	kore_buf_reset(exp->buf);
	if (export_batch(exp) == -1) {
		/*
		 * The file cannot be finished: reset the connection, from the
		 * timer (not inside Kore's send), so that the client sees an
		 * error rather than a file that looks complete.
		 */
		exp->finished = 1;
		exp->failed = 1;
		if (exp->timer != NULL)
			kore_timer_remove(exp->timer);
		exp->timer = kore_timer_add(export_check, 1, exp,
		    KORE_TIMER_ONESHOT);
		return (KORE_RESULT_OK);
	}
	if (exp->buf->offset == 0)
		return (KORE_RESULT_OK);

	exp->queued = 1;
	net_send_stream(exp->c, exp->buf->data, exp->buf->offset,
	    export_sent, &nb);
	nb->extra = exp;

	return (KORE_RESULT_OK);
}

/* A one-shot timer at the nearer of exp's two bounds. */
static void
export_arm(struct export *exp, u_int64_t now)
{
	u_int64_t	idle_end, total_end, at;

	idle_end = exp->taken + (u_int64_t)app_cfg.export_idle_timeout * 1000;
	total_end = exp->started + (u_int64_t)app_cfg.export_max_time * 1000;
	at = idle_end < total_end ? idle_end : total_end;

	exp->timer = kore_timer_add(export_check, at > now ? at - now : 1,
	    exp, KORE_TIMER_ONESHOT);
}

/*
 * The timer: end exp if a bound has passed, else wait for the nearer
 * one again (a batch sent since moved the idle bound on).
 */
static void
export_check(void *arg, u_int64_t now)
{
	struct export	*exp;
	const char	*bound;
	long		 secs;

	exp = arg;
	/* Kore frees a one-shot timer itself once this returns. */
	exp->timer = NULL;

	if (exp->failed) {
		bound = "database error";
		secs = (long)(ms_since(now, exp->started) / 1000);
	} else if (ms_since(now, exp->started) >=
	    (u_int64_t)app_cfg.export_max_time * 1000) {
		bound = "export_max_time";
		secs = app_cfg.export_max_time;
	} else if (ms_since(now, exp->taken) >=
	    (u_int64_t)app_cfg.export_idle_timeout * 1000) {
		bound = "export_idle_timeout";
		secs = app_cfg.export_idle_timeout;
	} else {
		export_arm(exp, now);
		return;
	}

	log_event("export ended", json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}",
	    "level", "warning", "request_id", exp->request_id, "user",
	    exp->user, "resource", exp->res->name, "bound", bound,
	    "seconds", (json_int_t)secs));
	export_cut(exp);
}

/*
 * End exp early: reset its client's connection (SO_LINGER 0: a close
 * would read as the end of a complete file).  The disconnect frees the
 * slot, the cursor and the database connection.
 */
static void
export_cut(struct export *exp)
{
	struct linger	l;

	l.l_onoff = 1;
	l.l_linger = 0;
	if (setsockopt(exp->c->fd, SOL_SOCKET, SO_LINGER, &l,
	    sizeof(l)) == -1)
		kore_log(LOG_NOTICE, "export: SO_LINGER: %s", errno_s);

	kore_connection_disconnect(exp->c);
}

static void
export_disconnect(struct connection *c)
{
	int	i;

	for (i = 0; i < EXPORTS_MAX; i++) {
		if (exports[i] == NULL || exports[i]->c != c)
			continue;
		/* A batch still queued is dropped later, with its callback;
		 * until then exp is only that batch's. */
		if (exports[i]->queued) {
			exports[i]->aborted = 1;
			export_release(exports[i]);
		} else {
			export_free(exports[i]);
		}
	}
}

/* What an export holds besides its memory: its slot, timer, database. */
static void
export_release(struct export *exp)
{
	int	i;

	for (i = 0; i < EXPORTS_MAX; i++) {
		if (exports[i] == exp)
			exports[i] = NULL;
	}
	if (exp->timer != NULL) {
		kore_timer_remove(exp->timer);
		exp->timer = NULL;
	}
	if (exp->db != NULL) {
		PQfinish(exp->db);
		exp->db = NULL;
	}
}

static void
export_free(struct export *exp)
{
	export_release(exp);
	if (exp->buf != NULL)
		kore_buf_free(exp->buf);
	kore_free(exp->cols);
	kore_free(exp);
}

/* Milliseconds from then to now (0 if then is later). */
static u_int64_t
ms_since(u_int64_t now, u_int64_t then)
{
	return (now > then ? now - then : 0);
}
