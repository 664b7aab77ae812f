/*
 * Who is asking, as far as the connection says: the peer's address, and
 * the X-Forwarded-* headers only when that peer is the trusted proxy.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <string.h>

#include "app.h"

/*
 * X-Forwarded-* and Forwarded say what a proxy saw; only the configured
 * proxy may say it.  From anyone else they are removed before anything
 * reads them.
 */
void
auth_strip_forwarded(struct http_request *req)
{
	struct http_header	*hdr, *next;
	char			 addr[INET6_ADDRSTRLEN];

	if (app_cfg.trusted_proxy[0] != '\0' &&
	    auth_peer_addr(req, addr, sizeof(addr)) == 0 &&
	    strcmp(addr, app_cfg.trusted_proxy) == 0)
		return;

	for (hdr = TAILQ_FIRST(&req->req_headers); hdr != NULL; hdr = next) {
		next = TAILQ_NEXT(hdr, list);
		if (strncasecmp(hdr->header, "x-forwarded-", 12) != 0 &&
		    strcasecmp(hdr->header, "forwarded") != 0)
			continue;
		TAILQ_REMOVE(&req->req_headers, hdr, list);
		kore_pool_put(&http_header_pool, hdr);
	}
}

/* The connection's peer address as text: 0, or -1 when it has none. */
int
auth_peer_addr(struct http_request *req, char *addr, size_t len)
{
	const void	*src;

	if (req->owner == NULL)
		return (-1);
	if (req->owner->family == AF_INET)
		src = &req->owner->addr.ipv4.sin_addr;
	else if (req->owner->family == AF_INET6)
		src = &req->owner->addr.ipv6.sin6_addr;
	else
		return (-1);

	return (inet_ntop(req->owner->family, src, addr, (socklen_t)len) !=
	    NULL ? 0 : -1);
}
