/*
 * What the services' JSON APIs share (api/portal.c, api/extensions.c): the
 * bearer service token, the JSON body and the error answer's header.
 * Each API keeps its own error shape: it passes its answer function.
 */

#include <sys/types.h>

#include <string.h>
#include <strings.h>

#include "app.h"
#include "admin/edit.h"

#define API_READ_CHUNK		2048

/* "Authorization: Bearer <token>", compared in constant time. */
int
api_service_ok(struct http_request *req, const char *token)
{
	const char	*h;

	if (!http_request_header(req, "authorization", &h) ||
	    strncasecmp(h, "Bearer ", 7) != 0)
		return (0);
	h += 7;
	while (*h == ' ')
		h++;

	return (*h != '\0' && token_equal(h, token));
}

/* An error's answer: a JSON body; a 401 names the scheme. */
int
api_answer(struct http_request *req, int status, json_t *body)
{
	if (status == HTTP_STATUS_UNAUTHORIZED)
		http_response_header(req, "www-authenticate", "Bearer");

	return (render_json(req, status, body));
}

/*
 * The body, a JSON object of at most max bytes parsed with the jansson
 * flags, or NULL after answering through error: 415 unless it is sent as
 * application/json, 400 if it cannot be read, is too large, or is not a
 * JSON object (with the message bad).
 */
json_t *
api_json_body(struct http_request *req, size_t max, size_t flags,
    const char *bad, api_error_fn error)
{
	struct kore_buf	*buf;
	json_t		*body;
	json_error_t	 jerr;
	const char	*ctype;
	char		 data[API_READ_CHUNK];
	ssize_t		 n;

	if (!http_request_header(req, "content-type", &ctype) ||
	    strncasecmp(ctype, "application/json", 16) != 0) {
		(void)error(req, HTTP_STATUS_UNSUPPORTED_MEDIA_TYPE,
		    "unsupported_media_type", "Send the body as "
		    "application/json.");
		return (NULL);
	}

	buf = kore_buf_alloc(1024);
	for (;;) {
		if ((n = http_body_read(req, data, sizeof(data))) == -1 ||
		    buf->offset + (size_t)n > max) {
			kore_buf_free(buf);
			(void)error(req, HTTP_STATUS_BAD_REQUEST,
			    "bad_request", "The body could not be read or is "
			    "too large.");
			return (NULL);
		}
		if (n == 0)
			break;
		kore_buf_append(buf, data, (size_t)n);
	}

	body = json_loadb((const char *)buf->data, buf->offset, flags, &jerr);
	kore_buf_free(buf);
	if (body == NULL || !json_is_object(body)) {
		if (body != NULL)
			json_decref(body);
		(void)error(req, HTTP_STATUS_BAD_REQUEST, "bad_request", bad);
		return (NULL);
	}

	return (body);
}
