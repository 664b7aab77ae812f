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
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin/resource.h"

#define EXPORT_BATCH		500
#define EXPORT_FETCH		"FETCH 500 FROM export"	/* EXPORT_BATCH rows */
#define EXPORTS_MAX		4

struct export {
	struct connection	*c;
	PGconn			*db;
	const struct resource	*res;
	struct kore_buf		*buf;
	int			 queued;
	int			 aborted;
	int			 finished;
};

static struct export	*exports[EXPORTS_MAX];

static int	 export_batch(struct export *);
static int	 export_sent(struct netbuf *);
static void	 export_disconnect(struct connection *);
static void	 export_free(struct export *);
static void	 csv_field(struct kore_buf *, const char *, int);

/* RFC 4180, and a leading = + - @ is defused for spreadsheets. */
static void
csv_field(struct kore_buf *b, const char *v, int first)
{
	const char	*p;

	if (!first)
		kore_buf_append(b, ",", 1);

	kore_buf_append(b, "\"", 1);
	if (*v == '=' || *v == '+' || *v == '-' || *v == '@')
		kore_buf_append(b, "'", 1);
	for (p = v; *p != '\0'; p++) {
		if (*p == '"')
			kore_buf_append(b, "\"\"", 2);
		else
			kore_buf_append(b, p, 1);
	}
	kore_buf_append(b, "\"", 1);
}

int
page_export(struct http_request *req, struct app_req *ctx)
{
	const struct resource	*res;
	const struct field	*f;
	struct list_query	 q;
	struct export		*exp;
	struct sql		 s;
	PGresult		*pr;
	char			 disp[160], day[16];
	time_t			 now;
	struct tm		 tm;
	int			 slot, first;

	if ((res = resource_find(ctx->args[0])) == NULL) {
		return (render_error(req, ctx, HTTP_STATUS_NOT_FOUND,
		    "There is no page at this address."));
	}
	if (list_query_parse(ctx, &q, res, &ctx->query) == -1)
		return (render_error(req, ctx, HTTP_STATUS_BAD_REQUEST,
		    q.error));

	for (slot = 0; slot < EXPORTS_MAX && exports[slot] != NULL; slot++)
		;
	if (slot == EXPORTS_MAX) {
		return (render_error(req, ctx, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "Too many exports are running; try again in a minute."));
	}

	exp = kore_calloc(1, sizeof(*exp));
	exp->res = res;
	exp->db = db_connect_new(0);
	if (PQstatus(exp->db) != CONNECTION_OK) {
		export_free(exp);
		metrics_db_error();
		return (render_error(req, ctx, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "The database is not reachable right now."));
	}

	sql_init(&s);
	kore_buf_appendf(s.text, "DECLARE export NO SCROLL CURSOR FOR ");
	list_select(&s, res, F_SHOW);
	list_where(&s, &q);
	list_order(&s, &q);

	pr = PQexec(exp->db, "BEGIN READ ONLY");
	PQclear(pr);
	pr = PQexecParams(exp->db, kore_buf_stringify(s.text, NULL),
	    s.nparams, NULL, s.params, NULL, NULL, 0);
	sql_free(&s);
	if (PQresultStatus(pr) != PGRES_COMMAND_OK) {
		kore_log(LOG_ERR, "export: %s", PQresultErrorMessage(pr));
		PQclear(pr);
		export_free(exp);
		metrics_db_error();
		return (render_error(req, ctx, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "The export could not be started."));
	}
	PQclear(pr);

	/* The header row: the labels of every exported field. */
	exp->buf = kore_buf_alloc(65536);
	kore_buf_append(exp->buf, "\"ID\"", 4);
	for (f = res->fields; f->name != NULL; f++) {
		if (f->flags & F_SHOW)
			csv_field(exp->buf, f->label, 0);
	}
	kore_buf_append(exp->buf, "\r\n", 2);
	first = export_batch(exp);
	if (first == -1) {
		export_free(exp);
		return (render_error(req, ctx, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "The export failed while reading the database."));
	}

	now = time(NULL);
	(void)gmtime_r(&now, &tm);
	(void)strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	(void)snprintf(disp, sizeof(disp),
	    "attachment; filename=\"%s-%s.csv\"", res->name, day);

	exp->c = req->owner;
	exports[slot] = exp;
	req->owner->flags |= CONN_CLOSE_EMPTY;
	req->owner->disconnect = export_disconnect;
	req->flags |= HTTP_REQUEST_NO_CONTENT_LENGTH;

	http_response_header(req, "content-type", "text/csv; charset=utf-8");
	http_response_header(req, "content-disposition", disp);
	http_response_header(req, "cache-control", "no-store");
	http_response_header(req, "x-content-type-options", "nosniff");

	exp->queued = 1;
	http_response_stream(req, HTTP_STATUS_OK, exp->buf->data,
	    exp->buf->offset, export_sent, exp);

	return (KORE_RESULT_OK);
}

/*
 * Append the next batch of rows to exp->buf.  Returns 1 if rows came,
 * 0 at the end (the cursor is closed), -1 on a database error.
 */
static int
export_batch(struct export *exp)
{
	const struct field	*f;
	PGresult		*pr;
	int			 i, col, rows;

	pr = PQexec(exp->db, EXPORT_FETCH);
	if (PQresultStatus(pr) != PGRES_TUPLES_OK) {
		kore_log(LOG_ERR, "export: %s", PQresultErrorMessage(pr));
		PQclear(pr);
		metrics_db_error();
		return (-1);
	}

	/* Columns as list_select() lays them out: id, then each field
	 * (followed by its link id when it links somewhere). */
	rows = PQntuples(pr);
	for (i = 0; i < rows; i++) {
		csv_field(exp->buf, PQgetvalue(pr, i, 0), 1);
		col = 1;
		for (f = exp->res->fields; f->name != NULL; f++) {
			if (!(f->flags & F_SHOW))
				continue;
			csv_field(exp->buf, PQgetvalue(pr, i, col), 0);
			col += f->link != NULL ? 2 : 1;
		}
		kore_buf_append(exp->buf, "\r\n", 2);
	}
	PQclear(pr);

	if (rows < EXPORT_BATCH) {
		pr = PQexec(exp->db, "COMMIT");
		PQclear(pr);
		exp->finished = 1;
		return (0);
	}

	return (1);
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
	if (exp->finished)
		return (KORE_RESULT_OK);

	kore_buf_reset(exp->buf);
	if (export_batch(exp) == -1) {
		/* Cut the body short: the client sees a truncated file. */
		exp->finished = 1;
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

static void
export_disconnect(struct connection *c)
{
	int	i;

	for (i = 0; i < EXPORTS_MAX; i++) {
		if (exports[i] == NULL || exports[i]->c != c)
			continue;
		/* A batch still queued is dropped later, with its callback. */
		if (exports[i]->queued)
			exports[i]->aborted = 1;
		else
			export_free(exports[i]);
	}
}

static void
export_free(struct export *exp)
{
	int	i;

	for (i = 0; i < EXPORTS_MAX; i++) {
		if (exports[i] == exp)
			exports[i] = NULL;
	}
	if (exp->db != NULL)
		PQfinish(exp->db);
	if (exp->buf != NULL)
		kore_buf_free(exp->buf);
	kore_free(exp);
}
