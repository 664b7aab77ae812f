/*
 * What the resources' actions share: the record a POST changes, locked
 * in a transaction as the signed-in admin.
 */

#include <sys/types.h>

#include <stdio.h>

#include "resources/resources.h"

/*
 * Opens a transaction as admin:<email> and runs sql, which reads and
 * locks (FOR UPDATE) the record ctx->args[0] ($1) of what (e.g.
 * "trial").  0 with its row in *res; or -1 with the transaction ended
 * and *ret the answer already given: a database error, or 404 when
 * there is no such record.
 */
int
record_lock(struct http_request *req, struct app_req *ctx,
    struct write_txn *w, const char *sql, const char *what, PGresult **res,
    int *ret)
{
	const char	*params[1];
	char		 msg[128];

	params[0] = ctx->args[0];
	if (write_begin_admin(w, ctx, NULL) == -1 ||
	    (*res = write_exec(w, sql, 1, params)) == NULL) {
		write_rollback(w);
		*ret = edit_db_error(req, ctx);
		return (-1);
	}
	if (PQntuples(*res) == 0) {
		PQclear(*res);
		*res = NULL;
		write_rollback(w);
		(void)snprintf(msg, sizeof(msg), "There is no such %s.", what);
		*ret = render_error(req, ctx, HTTP_STATUS_NOT_FOUND, msg);
		return (-1);
	}

	return (0);
}
