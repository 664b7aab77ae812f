/*
 * The route table, checked at start-up and written out for the tests.
 *
 * Every route must say what it needs: NEED_PUBLIC (anyone),
 * NEED_SIGNED_IN (anyone signed in, even without a role) or one or more
 * roles.  A route that declares nothing, or something that makes no
 * sense, stops start-up: access is never left to a default.
 *
 * With CDOT_ROUTES_FILE set, the parent writes the table there as JSON;
 * the route table test walks every route of it for every kind of user.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

#define NEED_KNOWN	(NEED_PUBLIC | NEED_SIGNED_IN | ROLE_ANY | ROUTE_API | \
			    ROUTE_READ)

int
auth_routes_check(char *err, size_t errlen)
{
	const struct app_route	*r, *o;
	size_t			 i, j;

	for (i = 0; i < app_nroutes; i++) {
		r = &app_routes[i];
		if (r->method != HTTP_METHOD_GET &&
		    r->method != HTTP_METHOD_POST) {
			(void)snprintf(err, errlen, "route '%s' (%s): only GET "
			    "and POST are routed", r->pattern, r->name);
			return (-1);
		}
		if (r->need == 0) {
			(void)snprintf(err, errlen, "route %s %s (%s) declares "
			    "no need: say NEED_PUBLIC, NEED_SIGNED_IN or the "
			    "roles it needs", http_method_text(r->method),
			    r->pattern, r->name);
			return (-1);
		}
		if ((r->need & ~NEED_KNOWN) != 0 ||
		    ((r->need & ROUTE_API) && (r->need != (NEED_PUBLIC |
		    ROUTE_API) || r->method != HTTP_METHOD_POST)) ||
		    ((r->need & NEED_PUBLIC) &&
		    (r->need & ~ROUTE_API) != NEED_PUBLIC) ||
		    ((r->need & NEED_SIGNED_IN) &&
		    r->need != NEED_SIGNED_IN) ||
		    ((r->need & ROUTE_READ) && ((r->need & ROLE_ANY) == 0 ||
		    r->method != HTTP_METHOD_GET))) {
			(void)snprintf(err, errlen, "route %s %s (%s) declares "
			    "an unknown or contradictory need 0x%x",
			    http_method_text(r->method), r->pattern, r->name,
			    r->need);
			return (-1);
		}
		for (j = 0; j < i; j++) {
			o = &app_routes[j];
			if (o->method == r->method &&
			    strcmp(o->pattern, r->pattern) == 0) {
				(void)snprintf(err, errlen, "route %s %s is "
				    "declared twice",
				    http_method_text(r->method), r->pattern);
				return (-1);
			}
		}
	}

	return (0);
}

/* The table as JSON: method, pattern, name, and what it needs. */
int
auth_routes_export(const char *path, char *err, size_t errlen)
{
	const struct app_route	*r;
	json_t			*list, *need, *roles;
	char			 tmp[1024];
	size_t			 i;
	int			 role, ret;

	list = json_array();
	for (i = 0; i < app_nroutes; i++) {
		r = &app_routes[i];
		roles = json_array();
		for (role = ROLE_READ_ONLY; role <= ROLE_SUPPORT_ADMIN;
		    role <<= 1) {
			if (r->need & role)
				json_array_append_new(roles,
				    json_string(config_role_name(role)));
		}
		need = json_pack("{s:b, s:b, s:b, s:o, s:i}",
		    "public", (r->need & NEED_PUBLIC) != 0,
		    "api", (r->need & ROUTE_API) != 0,
		    "signed_in", (r->need & NEED_SIGNED_IN) != 0,
		    "roles", roles, "raw", r->need);
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:o}",
		    "method", http_method_text(r->method), "pattern",
		    r->pattern, "name", r->name, "need", need));
	}

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >=
	    sizeof(tmp)) {
		json_decref(list);
		(void)snprintf(err, errlen, "%s: path too long", path);
		return (-1);
	}

	ret = json_dump_file(list, tmp, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(list);
	if (ret == -1 || rename(tmp, path) == -1) {
		(void)unlink(tmp);
		(void)snprintf(err, errlen, "%s: cannot write", path);
		return (-1);
	}

	return (0);
}
