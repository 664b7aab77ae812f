/*
 * Mustache templates over jansson values.  See lib/tmpl.h.
 *
 * Every template is compiled into a tree of nodes: text runs, variables
 * and partials are leaves, a section owns the nodes between its open and
 * close tags.  All syntax checks and partial look-ups happen at load, so
 * a render can only fail because the writer did, because the template is
 * unknown, or because partials recursed deeper than TMPL_MAXDEPTH.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/tmpl.h"

/* Templates are hand-written HTML; anything bigger is a mistake. */
#define TMPL_MAXFILE		(1024 * 1024)

/* Bounds a walk that follows symlinked directories into a loop. */
#define TMPL_MAXDIRS		16

#define TMPL_EXT		".html"
#define TMPL_EXTLEN		(sizeof(TMPL_EXT) - 1)

#define PRINTFLIKE(f, a)	__attribute__((format(printf, f, a)))

enum node_type {
	NODE_TEXT,
	NODE_VAR,
	NODE_RAW,
	NODE_SECTION,
	NODE_INVERTED,
	NODE_PARTIAL,
};

struct node {
	enum node_type		 type;
	int			 line;
	char			*str;	/* text, or the tag's name */
	size_t			 len;
	char			*segs;	/* name split at '.', NULs */
	size_t			 nsegs;	/* 0: implicit iterator */
	struct node		*child;	/* a section's body */
	struct node		*next;
	struct node		*parent;	/* only while parsing */
	const struct tmpl	*partial;	/* set by tmpl_set_resolve */
};

struct tmpl {
	char			*name;
	char			*file;	/* for error messages */
	struct node		*root;
	struct tmpl		*next;
};

struct tmpl_set {
	struct tmpl		*head;
};

struct parser {
	const char		*file;
	const char		*src;
	size_t			 len;
	size_t			 pos;
	int			 line;	/* line of src[pos] */
	struct node		*root;
	struct node		*open;	/* innermost open section */
	struct node		**tail;	/* where the next node goes */
	int			 nest;
	char			*err;
	size_t			 errlen;
};

struct tag {
	int			 sigil;	/* '#', '^', '/', ... or 0 */
	const char		*name;
	size_t			 namelen;
	size_t			 start;	/* offset of the "{{" */
	size_t			 end;	/* offset past the "}}" */
	int			 line;
};

struct render {
	tmpl_writer		 w;
	void			*ctx;
	const json_t		*stack[TMPL_MAXDEPTH + 1];
	size_t			 nstack;
	int			 depth;
};

static void	seterr(char *, size_t, const char *, ...) PRINTFLIKE(3, 4);
static int	fail(struct parser *, int, const char *, ...)
		    PRINTFLIKE(3, 4);
static int	count_nl(const char *, size_t);
static int	is_space(int);
static int	is_blank(int);
static int	is_sigil(int);
static int	can_standalone(int);
static int	parse(struct parser *);
static int	scan_tag(struct parser *, struct tag *);
static void	standalone(const struct parser *, const struct tag *,
		    size_t *, size_t *);
static int	handle_tag(struct parser *, const struct tag *);
static int	check_name(struct parser *, const struct tag *);
static int	split_name(struct parser *, struct node *);
static struct node *node_add(struct parser *, enum node_type, int,
		    const char *, size_t);
static int	open_section(struct parser *, const struct tag *);
static int	close_section(struct parser *, const struct tag *);
static void	free_nodes(struct node *);
static void	free_tmpl(struct tmpl *);
static const struct tmpl *find_tmpl(const struct tmpl_set *, const char *);
static int	add_template(struct tmpl_set *, const char *, const char *,
		    const char *, size_t, char *, size_t);
static int	resolve_nodes(const struct tmpl_set *, const struct tmpl *,
		    struct node *, char *, size_t);
static char	*join(const char *, const char *);
static int	skip_dot(const struct dirent *);
static int	load_dir(struct tmpl_set *, const char *, const char *, int,
		    char *, size_t);
static int	load_entry(struct tmpl_set *, const char *, const char *,
		    const char *, int, char *, size_t);
static int	load_file(struct tmpl_set *, const char *, const char *,
		    char *, size_t);
static int	read_file(const char *, char **, size_t *, char *, size_t);
static int	is_falsy(const json_t *);
static const json_t *lookup(const struct render *, const struct node *);
static int	format_real(double, char *, size_t);
static int	emit(struct render *, const char *, size_t);
static int	emit_value(struct render *, const json_t *, int);
static int	render_list(struct render *, const struct node *);
static int	render_node(struct render *, const struct node *);
static int	render_body(struct render *, const struct node *,
		    const json_t *);
static int	render_section(struct render *, const struct node *);

/*
 * Public API.
 */

struct tmpl_set *
tmpl_set_new(void)
{
	return (calloc(1, sizeof(struct tmpl_set)));
}

void
tmpl_set_free(struct tmpl_set *set)
{
	struct tmpl	*t, *next;

	if (set == NULL)
		return;

	for (t = set->head; t != NULL; t = next) {
		next = t->next;
		free_tmpl(t);
	}
	free(set);
}

int
tmpl_exists(const struct tmpl_set *set, const char *name)
{
	if (set == NULL || name == NULL)
		return (0);

	return (find_tmpl(set, name) != NULL);
}

int
tmpl_set_add(struct tmpl_set *set, const char *name, const char *src,
    size_t len, char *err, size_t errlen)
{
	if (set == NULL || name == NULL) {
		seterr(err, errlen, "tmpl_set_add: no set or no name");
		return (-1);
	}

	return (add_template(set, name, name, src, len, err, errlen));
}

int
tmpl_set_resolve(struct tmpl_set *set, char *err, size_t errlen)
{
	struct tmpl	*t;

	if (set == NULL) {
		seterr(err, errlen, "tmpl_set_resolve: no set");
		return (-1);
	}

	for (t = set->head; t != NULL; t = t->next) {
		if (resolve_nodes(set, t, t->root, err, errlen) == -1)
			return (-1);
	}

	return (0);
}

struct tmpl_set *
tmpl_set_load(const char *dir, char *err, size_t errlen)
{
	struct tmpl_set		*set;

	if (dir == NULL || *dir == '\0') {
		seterr(err, errlen, "tmpl_set_load: no directory");
		return (NULL);
	}

	if ((set = tmpl_set_new()) == NULL) {
		seterr(err, errlen, "%s: out of memory", dir);
		return (NULL);
	}

	if (load_dir(set, dir, "", 0, err, errlen) == -1 ||
	    tmpl_set_resolve(set, err, errlen) == -1) {
		tmpl_set_free(set);
		return (NULL);
	}

	return (set);
}

int
tmpl_render(const struct tmpl_set *set, const char *name, const json_t *view,
    tmpl_writer w, void *ctx)
{
	struct render		 r;
	const struct tmpl	*t;

	if (set == NULL || name == NULL || w == NULL)
		return (-1);
	if ((t = find_tmpl(set, name)) == NULL)
		return (-1);

	memset(&r, 0, sizeof(r));
	r.w = w;
	r.ctx = ctx;
	r.stack[0] = view;
	r.nstack = 1;

	return (render_list(&r, t->root));
}

int
tmpl_escape(const char *s, size_t len, tmpl_writer w, void *ctx)
{
	size_t		 i, start;
	const char	*rep;

	if (w == NULL || (s == NULL && len > 0))
		return (-1);

	/* Write unescaped runs in one call, not byte by byte. */
	start = 0;
	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}

		if (i > start && w(ctx, s + start, i - start) != 0)
			return (-1);
		if (w(ctx, rep, strlen(rep)) != 0)
			return (-1);
		start = i + 1;
	}

	if (len > start && w(ctx, s + start, len - start) != 0)
		return (-1);

	return (0);
}

/*
 * Errors.
 */

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list		ap;

	if (err == NULL || errlen == 0)
		return;

	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
fail(struct parser *p, int line, const char *fmt, ...)
{
	va_list		ap;
	char		msg[TMPL_ERRLEN];

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	seterr(p->err, p->errlen, "%s:%d: %s", p->file, line, msg);
	return (-1);
}

/*
 * Parsing.
 */

static int
count_nl(const char *s, size_t len)
{
	size_t		i;
	int		n;

	n = 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '\n')
			n++;
	}

	return (n);
}

static int
is_space(int c)
{
	return (c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == '\v' || c == '\f');
}

static int
is_blank(int c)
{
	return (c == ' ' || c == '\t');
}

static int
is_sigil(int c)
{
	switch (c) {
	case '#':
	case '^':
	case '/':
	case '!':
	case '>':
	case '&':
	case '=':
	case '<':
	case '$':
		return (1);
	default:
		return (0);
	}
}

/* Tags that print nothing themselves may sit alone on a line. */
static int
can_standalone(int sigil)
{
	switch (sigil) {
	case '#':
	case '^':
	case '/':
	case '!':
	case '>':
		return (1);
	default:
		return (0);
	}
}

static int
parse(struct parser *p)
{
	struct tag	 tag;
	const char	*o;
	size_t		 textend, next;

	while (p->pos < p->len) {
		o = memmem(p->src + p->pos, p->len - p->pos, "{{", 2);
		if (o == NULL) {
			if (node_add(p, NODE_TEXT, p->line, p->src + p->pos,
			    p->len - p->pos) == NULL)
				return (-1);
			break;
		}

		memset(&tag, 0, sizeof(tag));
		tag.start = (size_t)(o - p->src);
		tag.line = p->line +
		    count_nl(p->src + p->pos, tag.start - p->pos);
		if (scan_tag(p, &tag) == -1)
			return (-1);

		textend = tag.start;
		next = tag.end;
		if (can_standalone(tag.sigil))
			standalone(p, &tag, &textend, &next);

		/* The text must go in before a close tag moves the tail. */
		if (textend > p->pos && node_add(p, NODE_TEXT, p->line,
		    p->src + p->pos, textend - p->pos) == NULL)
			return (-1);
		if (handle_tag(p, &tag) == -1)
			return (-1);

		p->line = tag.line +
		    count_nl(p->src + tag.start, next - tag.start);
		p->pos = next;
	}

	if (p->open != NULL) {
		return (fail(p, p->open->line, "unclosed section \"%s\"",
		    p->open->str));
	}

	return (0);
}

/* Finds the end of the tag at t->start, its sigil and its trimmed name. */
static int
scan_tag(struct parser *p, struct tag *t)
{
	const char	*c;
	size_t		 b, e;
	int		 triple;

	b = t->start + 2;
	triple = (b < p->len && p->src[b] == '{');
	if (triple)
		b++;

	c = memmem(p->src + b, p->len - b, "}}", 2);
	if (c == NULL)
		return (fail(p, t->line, "unclosed tag"));
	e = (size_t)(c - p->src);
	t->end = e + 2;

	if (triple) {
		if (t->end >= p->len || p->src[t->end] != '}')
			return (fail(p, t->line, "unclosed tag, want \"}}}\""));
		t->end++;
		t->sigil = '{';
	}

	while (b < e && is_space(p->src[b]))
		b++;
	if (!triple && b < e && is_sigil(p->src[b])) {
		t->sigil = p->src[b++];
		while (b < e && is_space(p->src[b]))
			b++;
	}
	while (e > b && is_space(p->src[e - 1]))
		e--;

	t->name = p->src + b;
	t->namelen = e - b;

	return (0);
}

/*
 * A tag alone on its line, bar blanks, takes the whole line with it
 * (Mustache's standalone rule), so {{#x}} on a line of its own leaves
 * no empty line behind.  Narrows the text before the tag and moves the
 * resume point past the line end if so.
 */
static void
standalone(const struct parser *p, const struct tag *t, size_t *textend,
    size_t *next)
{
	size_t		b, e;

	b = t->start;
	while (b > p->pos && is_blank(p->src[b - 1]))
		b--;
	if (b > 0 && p->src[b - 1] != '\n')
		return;

	e = t->end;
	while (e < p->len && is_blank(p->src[e]))
		e++;
	if (e < p->len) {
		if (p->src[e] == '\n')
			e++;
		else if (p->src[e] == '\r' && e + 1 < p->len &&
		    p->src[e + 1] == '\n')
			e += 2;
		else
			return;
	}

	*textend = b;
	*next = e;
}

static int
handle_tag(struct parser *p, const struct tag *t)
{
	struct node	*n;

	switch (t->sigil) {
	case '!':
		return (0);
	case '=':
		return (fail(p, t->line,
		    "set-delimiter tags are not supported"));
	case '<':
	case '$':
		return (fail(p, t->line, "unsupported tag \"{{%c\"", t->sigil));
	default:
		break;
	}

	if (check_name(p, t) == -1)
		return (-1);

	switch (t->sigil) {
	case '#':
	case '^':
		return (open_section(p, t));
	case '/':
		return (close_section(p, t));
	case '>':
		n = node_add(p, NODE_PARTIAL, t->line, t->name, t->namelen);
		return (n == NULL ? -1 : 0);
	case '&':
	case '{':
		n = node_add(p, NODE_RAW, t->line, t->name, t->namelen);
		break;
	default:
		n = node_add(p, NODE_VAR, t->line, t->name, t->namelen);
		break;
	}

	if (n == NULL)
		return (-1);

	return (split_name(p, n));
}

/* Names are any run of printable bytes but braces; whitespace is a typo. */
static int
check_name(struct parser *p, const struct tag *t)
{
	size_t		 i;
	unsigned char	 c;

	if (t->namelen == 0)
		return (fail(p, t->line, "empty tag name"));

	for (i = 0; i < t->namelen; i++) {
		c = (unsigned char)t->name[i];
		if (c <= ' ' || c == 0x7f || c == '{' || c == '}') {
			return (fail(p, t->line, "invalid tag name \"%.*s\"",
			    (int)t->namelen, t->name));
		}
	}

	return (0);
}

/* Splits "a.b.c" once here so lookups at render time need no parsing. */
static int
split_name(struct parser *p, struct node *n)
{
	size_t		i;

	if (n->len == 1 && n->str[0] == '.') {
		n->nsegs = 0;
		return (0);
	}

	if ((n->segs = malloc(n->len + 1)) == NULL)
		return (fail(p, n->line, "out of memory"));
	memcpy(n->segs, n->str, n->len + 1);

	n->nsegs = 1;
	for (i = 0; i < n->len; i++) {
		if (n->segs[i] != '.')
			continue;
		if (i == 0 || i == n->len - 1 || n->segs[i + 1] == '.') {
			return (fail(p, n->line, "invalid tag name \"%s\"",
			    n->str));
		}
		n->segs[i] = '\0';
		n->nsegs++;
	}

	return (0);
}

/* Appends a node to the innermost open section, copying s. */
static struct node *
node_add(struct parser *p, enum node_type type, int line, const char *s,
    size_t len)
{
	struct node	*n;

	if ((n = calloc(1, sizeof(*n))) == NULL) {
		(void)fail(p, line, "out of memory");
		return (NULL);
	}
	if ((n->str = malloc(len + 1)) == NULL) {
		free(n);
		(void)fail(p, line, "out of memory");
		return (NULL);
	}

	memcpy(n->str, s, len);
	n->str[len] = '\0';
	n->len = len;
	n->type = type;
	n->line = line;

	*p->tail = n;
	p->tail = &n->next;

	return (n);
}

static int
open_section(struct parser *p, const struct tag *t)
{
	struct node	*n;

	/* Bounding this here bounds every recursion over the tree. */
	if (p->nest >= TMPL_MAXDEPTH)
		return (fail(p, t->line, "sections nested too deeply"));

	n = node_add(p, t->sigil == '#' ? NODE_SECTION : NODE_INVERTED,
	    t->line, t->name, t->namelen);
	if (n == NULL || split_name(p, n) == -1)
		return (-1);

	n->parent = p->open;
	p->open = n;
	p->tail = &n->child;
	p->nest++;

	return (0);
}

static int
close_section(struct parser *p, const struct tag *t)
{
	struct node	*n;

	if ((n = p->open) == NULL) {
		return (fail(p, t->line, "close tag \"%.*s\" without open "
		    "section", (int)t->namelen, t->name));
	}

	if (n->len != t->namelen || memcmp(n->str, t->name, n->len) != 0) {
		return (fail(p, t->line, "close tag \"%.*s\" does not match "
		    "\"%s\" opened on line %d", (int)t->namelen, t->name,
		    n->str, n->line));
	}

	p->tail = &n->next;
	p->open = n->parent;
	p->nest--;

	return (0);
}

static void
free_nodes(struct node *n)
{
	struct node	*next;

	for (; n != NULL; n = next) {
		next = n->next;
		free_nodes(n->child);
		free(n->str);
		free(n->segs);
		free(n);
	}
}

static void
free_tmpl(struct tmpl *t)
{
	free_nodes(t->root);
	free(t->name);
	free(t->file);
	free(t);
}

/*
 * Template sets.
 */

static const struct tmpl *
find_tmpl(const struct tmpl_set *set, const char *name)
{
	const struct tmpl	*t;

	for (t = set->head; t != NULL; t = t->next) {
		if (strcmp(t->name, name) == 0)
			return (t);
	}

	return (NULL);
}

static int
add_template(struct tmpl_set *set, const char *name, const char *file,
    const char *src, size_t len, char *err, size_t errlen)
{
	struct parser	  p;
	struct tmpl	 *t, **tp;
	int		  rc;

	if (*name == '\0') {
		seterr(err, errlen, "%s: empty template name", file);
		return (-1);
	}
	if (src == NULL && len > 0) {
		seterr(err, errlen, "%s: no source", file);
		return (-1);
	}
	if (len > TMPL_MAXFILE) {
		seterr(err, errlen, "%s: larger than %d bytes", file,
		    TMPL_MAXFILE);
		return (-1);
	}
	if (find_tmpl(set, name) != NULL) {
		seterr(err, errlen, "%s: duplicate template \"%s\"", file,
		    name);
		return (-1);
	}

	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->name = strdup(name)) == NULL ||
	    (t->file = strdup(file)) == NULL) {
		if (t != NULL)
			free_tmpl(t);
		seterr(err, errlen, "%s: out of memory", file);
		return (-1);
	}

	memset(&p, 0, sizeof(p));
	p.file = t->file;
	p.src = src;
	p.len = len;
	p.line = 1;
	p.tail = &p.root;
	p.err = err;
	p.errlen = errlen;

	/* Open sections hang off the tree too, so this frees everything. */
	rc = parse(&p);
	t->root = p.root;
	if (rc == -1) {
		free_tmpl(t);
		return (-1);
	}

	for (tp = &set->head; *tp != NULL; tp = &(*tp)->next)
		;
	*tp = t;

	return (0);
}

static int
resolve_nodes(const struct tmpl_set *set, const struct tmpl *t,
    struct node *n, char *err, size_t errlen)
{
	for (; n != NULL; n = n->next) {
		if (n->type == NODE_PARTIAL &&
		    (n->partial = find_tmpl(set, n->str)) == NULL) {
			seterr(err, errlen, "%s:%d: unknown partial \"%s\"",
			    t->file, n->line, n->str);
			return (-1);
		}
		if (resolve_nodes(set, t, n->child, err, errlen) == -1)
			return (-1);
	}

	return (0);
}

/*
 * Loading from disk.
 */

/* Returns a new "a/b", or a copy of the other if either is empty. */
static char *
join(const char *a, const char *b)
{
	char		*s;
	size_t		 alen, blen, slash;

	alen = strlen(a);
	blen = strlen(b);
	slash = (alen > 0 && blen > 0 && a[alen - 1] != '/');

	if ((s = malloc(alen + slash + blen + 1)) == NULL)
		return (NULL);

	memcpy(s, a, alen);
	if (slash)
		s[alen] = '/';
	memcpy(s + alen + slash, b, blen + 1);

	return (s);
}

/* Dotfiles are editor swap files, VCS data and the like. */
static int
skip_dot(const struct dirent *d)
{
	return (d->d_name[0] != '.');
}

static int
load_dir(struct tmpl_set *set, const char *root, const char *rel, int depth,
    char *err, size_t errlen)
{
	struct dirent	**ents;
	char		 *path;
	int		  i, n, rc;

	if ((path = join(root, rel)) == NULL) {
		seterr(err, errlen, "%s: out of memory", root);
		return (-1);
	}

	if (depth > TMPL_MAXDIRS) {
		seterr(err, errlen, "%s: directories nested too deeply", path);
		free(path);
		return (-1);
	}

	/* Sorted, so the first error reported does not depend on the fs. */
	if ((n = scandir(path, &ents, skip_dot, alphasort)) == -1) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		free(path);
		return (-1);
	}
	free(path);

	rc = 0;
	for (i = 0; i < n; i++) {
		if (rc == 0) {
			rc = load_entry(set, root, rel, ents[i]->d_name,
			    depth, err, errlen);
		}
		free(ents[i]);
	}
	free(ents);

	return (rc);
}

static int
load_entry(struct tmpl_set *set, const char *root, const char *rel,
    const char *name, int depth, char *err, size_t errlen)
{
	struct stat	 st;
	char		*sub, *path;
	size_t		 len;
	int		 rc;

	path = NULL;
	if ((sub = join(rel, name)) == NULL ||
	    (path = join(root, sub)) == NULL) {
		seterr(err, errlen, "%s: out of memory", root);
		free(sub);
		return (-1);
	}

	rc = 0;
	len = strlen(sub);
	if (stat(path, &st) == -1) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	} else if (S_ISDIR(st.st_mode)) {
		rc = load_dir(set, root, sub, depth + 1, err, errlen);
	} else if (S_ISREG(st.st_mode) && len > TMPL_EXTLEN &&
	    strcmp(sub + len - TMPL_EXTLEN, TMPL_EXT) == 0) {
		sub[len - TMPL_EXTLEN] = '\0';
		rc = load_file(set, path, sub, err, errlen);
	}

	free(sub);
	free(path);

	return (rc);
}

static int
load_file(struct tmpl_set *set, const char *path, const char *name,
    char *err, size_t errlen)
{
	char		*src;
	size_t		 len;
	int		 rc;

	if (read_file(path, &src, &len, err, errlen) == -1)
		return (-1);

	rc = add_template(set, name, path, src, len, err, errlen);
	free(src);

	return (rc);
}

static int
read_file(const char *path, char **out, size_t *outlen, char *err,
    size_t errlen)
{
	struct stat	 st;
	char		*buf;
	size_t		 cap, off;
	ssize_t		 r;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}

	if (fstat(fd, &st) == -1) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		(void)close(fd);
		return (-1);
	}
	if (st.st_size > TMPL_MAXFILE) {
		seterr(err, errlen, "%s: larger than %d bytes", path,
		    TMPL_MAXFILE);
		(void)close(fd);
		return (-1);
	}

	/* One spare byte tells a file that grew since fstat() apart. */
	cap = (size_t)st.st_size + 1;
	if ((buf = malloc(cap)) == NULL) {
		seterr(err, errlen, "%s: out of memory", path);
		(void)close(fd);
		return (-1);
	}

	off = 0;
	for (;;) {
		r = read(fd, buf + off, cap - off);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			seterr(err, errlen, "%s: %s", path, strerror(errno));
			break;
		}
		if (r == 0)
			break;
		off += (size_t)r;
		if (off == cap) {
			seterr(err, errlen, "%s: changed while being read",
			    path);
			r = -1;
			break;
		}
	}
	(void)close(fd);

	if (r == -1) {
		free(buf);
		return (-1);
	}

	*out = buf;
	*outlen = off;

	return (0);
}

/*
 * Rendering.
 */

/*
 * What a section skips and an inverted section shows.  Zero and empty
 * objects are not falsy: an object is a context, a number is data.
 */
static int
is_falsy(const json_t *v)
{
	if (v == NULL)
		return (1);

	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return (1);
	case JSON_STRING:
		return (json_string_length(v) == 0);
	case JSON_ARRAY:
		return (json_array_size(v) == 0);
	default:
		return (0);
	}
}

/*
 * The first segment is looked up in each context from the innermost out;
 * the rest only inside what that found, as the Mustache spec says, so
 * a.b never picks up some outer b.
 */
static const json_t *
lookup(const struct render *r, const struct node *n)
{
	const json_t	*v, *c;
	const char	*seg;
	size_t		 i;

	if (n->nsegs == 0)
		return (r->stack[r->nstack - 1]);

	seg = n->segs;
	v = NULL;
	for (i = r->nstack; i > 0 && v == NULL; i--) {
		c = r->stack[i - 1];
		if (json_is_object(c))
			v = json_object_get(c, seg);
	}

	for (i = 1; i < n->nsegs && v != NULL; i++) {
		seg += strlen(seg) + 1;
		v = json_is_object(v) ? json_object_get(v, seg) : NULL;
	}

	return (v);
}

/*
 * Shortest %g that reads back as the same double, so 0.1 prints "0.1"
 * and not "0.10000000000000001"; integral reals keep a ".0" as JSON does.
 */
static int
format_real(double d, char *buf, size_t size)
{
	int		n, prec;

	n = -1;
	for (prec = 1; prec <= 17; prec++) {
		n = snprintf(buf, size, "%.*g", prec, d);
		if (n < 0 || (size_t)n >= size)
			return (-1);
		if (strtod(buf, NULL) == d)
			break;
	}

	if (strpbrk(buf, ".eEni") == NULL) {
		if ((size_t)n + 2 >= size)
			return (-1);
		memcpy(buf + n, ".0", 3);
		n += 2;
	}

	return (n);
}

static int
emit(struct render *r, const char *s, size_t len)
{
	if (len == 0)
		return (0);

	return (r->w(r->ctx, s, len) == 0 ? 0 : -1);
}

static int
emit_value(struct render *r, const json_t *v, int escape)
{
	char		 buf[64];
	const char	*s;
	int		 n;

	if (v == NULL)
		return (0);

	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		if (escape)
			return (tmpl_escape(s, json_string_length(v), r->w,
			    r->ctx));
		return (emit(r, s, json_string_length(v)));
	case JSON_INTEGER:
		n = snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		break;
	case JSON_REAL:
		n = format_real(json_real_value(v), buf, sizeof(buf));
		break;
	case JSON_TRUE:
		n = snprintf(buf, sizeof(buf), "true");
		break;
	case JSON_FALSE:
		n = snprintf(buf, sizeof(buf), "false");
		break;
	default:
		/* null prints nothing; so do containers, by choice. */
		return (0);
	}

	if (n < 0 || (size_t)n >= sizeof(buf))
		return (-1);

	/* Nothing in a number or boolean needs escaping. */
	return (emit(r, buf, (size_t)n));
}

static int
render_list(struct render *r, const struct node *n)
{
	for (; n != NULL; n = n->next) {
		if (render_node(r, n) == -1)
			return (-1);
	}

	return (0);
}

static int
render_node(struct render *r, const struct node *n)
{
	switch (n->type) {
	case NODE_TEXT:
		return (emit(r, n->str, n->len));
	case NODE_VAR:
		return (emit_value(r, lookup(r, n), 1));
	case NODE_RAW:
		return (emit_value(r, lookup(r, n), 0));
	case NODE_SECTION:
		return (render_section(r, n));
	case NODE_INVERTED:
		if (!is_falsy(lookup(r, n)))
			return (0);
		return (render_body(r, n->child, NULL));
	case NODE_PARTIAL:
		/* Unresolved: tmpl_set_resolve() was not called or failed. */
		if (n->partial == NULL)
			return (-1);
		return (render_body(r, n->partial->root, NULL));
	}

	return (-1);
}

/* Renders body one level deeper, with push as the innermost context. */
static int
render_body(struct render *r, const struct node *body, const json_t *push)
{
	int		rc;

	/* Each push comes with a level, so the stack cannot overflow. */
	if (r->depth >= TMPL_MAXDEPTH)
		return (-1);
	r->depth++;
	if (push != NULL)
		r->stack[r->nstack++] = push;

	rc = render_list(r, body);

	if (push != NULL)
		r->nstack--;
	r->depth--;

	return (rc);
}

static int
render_section(struct render *r, const struct node *n)
{
	const json_t	*v;
	size_t		 i;

	v = lookup(r, n);
	if (is_falsy(v))
		return (0);

	switch (json_typeof(v)) {
	case JSON_ARRAY:
		for (i = 0; i < json_array_size(v); i++) {
			if (render_body(r, n->child,
			    json_array_get(v, i)) == -1)
				return (-1);
		}
		return (0);
	case JSON_TRUE:
		return (render_body(r, n->child, NULL));
	default:
		return (render_body(r, n->child, v));
	}
}
