/*
 * Logic-less templates with Mustache semantics over a jansson view model.
 *
 * A template set is parsed once, at start-up, from a directory of *.html
 * files; every template is compiled and every partial resolved then, so a
 * malformed template stops start-up with its file and line instead of
 * failing a request later.  Rendering never allocates per tag beyond what
 * the writer does, and never touches the file system.
 *
 * This file does not depend on Kore: output goes through a writer callback
 * so the engine can be unit-tested on its own.
 */

#ifndef CDOT_TMPL_H
#define CDOT_TMPL_H

#include <stddef.h>

#include <jansson.h>

#define TMPL_ERRLEN		256

/*
 * Deepest nesting of sections and partials.  A template nesting sections
 * deeper is rejected at load; a render going deeper (a partial including
 * itself, say) fails with -1 instead of overflowing the stack.
 */
#define TMPL_MAXDEPTH		64

/* Appends len bytes at p to whatever ctx is; returns 0 on success, -1 on error. */
typedef int	(*tmpl_writer)(void *ctx, const char *p, size_t len);

struct tmpl_set;

/*
 * Load every "*.html" file below dir (subdirectories included).  A
 * template's name is its path relative to dir without ".html", e.g.
 * "layout" or "partials/nav"; partials are referred to by that name.
 * Returns NULL on any error with "<file>:<line>: <message>" in err.
 */
struct tmpl_set	*tmpl_set_load(const char *dir, char *err, size_t errlen);

/* Same, for one template given as a string (used by tests). */
struct tmpl_set	*tmpl_set_new(void);
int		 tmpl_set_add(struct tmpl_set *, const char *name,
		    const char *src, size_t len, char *err, size_t errlen);
int		 tmpl_set_resolve(struct tmpl_set *, char *err, size_t errlen);

void		 tmpl_set_free(struct tmpl_set *);
int		 tmpl_exists(const struct tmpl_set *, const char *name);

/*
 * Render template name with view as the root context.  Returns 0 on
 * success, -1 if the template is unknown or the writer failed.
 */
int		 tmpl_render(const struct tmpl_set *, const char *name,
		    const json_t *view, tmpl_writer, void *ctx);

/* HTML-escape (& < > " ') len bytes of s through the writer. */
int		 tmpl_escape(const char *s, size_t len, tmpl_writer, void *ctx);

#endif
