/*
 * Finding a resource's descriptor by the name in a URL, a field of it by
 * name, and the path of its list: what every page over the descriptors
 * (list SQL, list, show, history, export, editing) starts from.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "admin/resource.h"

const char *
resource_path(const struct resource *res)
{
	static char	path[128];

	if (res->path != NULL)
		return (res->path);
	(void)snprintf(path, sizeof(path), "/admin/%s", res->name);
	return (path);
}

const struct resource *
resource_find(const char *name)
{
	size_t		i;
	const char	*p;

	for (i = 0; resources[i] != NULL; i++) {
		if (strcmp(resources[i]->name, name) == 0)
			return (resources[i]);
		p = resources[i]->path;
		if (p != NULL && strncmp(p, "/admin/", 7) == 0 &&
		    strcmp(p + 7, name) == 0)
			return (resources[i]);
	}

	/* The Support screens' lists, found by their path (admin/screen.c). */
	return (list_screen_find(name));
}

const struct field *
resource_field(const struct resource *res, const char *name)
{
	const struct field	*f;

	if (name == NULL)
		return (NULL);
	for (f = res->fields; f->name != NULL; f++) {
		if (strcmp(f->name, name) == 0)
			return (f);
	}

	return (NULL);
}

/* The screen whose path is /admin/<name>, or NULL. */
const struct resource *
list_screen_find(const char *name)
{
	const char	*p;
	size_t		 i;

	for (i = 0; list_screens[i] != NULL; i++) {
		p = list_screens[i]->path;
		if (p != NULL && strncmp(p, "/admin/", 7) == 0 &&
		    strcmp(p + 7, name) == 0)
			return (list_screens[i]);
	}

	return (NULL);
}
