/*
 * The list engine's request side: search, filters, sort and page read
 * from the query string as RailsAdmin writes them, checked against the
 * resource's descriptor, and turned into SQL whose values are all $n
 * parameters.  Anything that does not fit gets a message for the page,
 * never a database error.
 *
 *   query=<words>
 *   f[<field>][<n>][o]=<operator>   f[<field>][<n>][v]=<value>
 *   f[<field>][<n>][v][]=<from>&f[<field>][<n>][v][]=<to>   (between)
 *   f[<field>][<n>][v][]=<a>&f[<field>][<n>][v][]=<b>       (one of)
 *   sort=<field>&sort_reverse=true|false&page=<n>
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin/resource.h"
#include "admin/form.h"
#include "lib/validate.h"

struct op {
	const char	*name;
	const char	*label;
	int		 values;	/* 0: none, 1: one, 2: two, -1: list */
};

static const struct op text_ops[] = {
	{ "like", "contains", 1 },
	{ "is", "is", 1 },
	{ "starts_with", "starts with", 1 },
	{ "ends_with", "ends with", 1 },
	{ "_blank", "is blank", 0 },
	{ "_present", "is present", 0 },
	{ NULL, NULL, 0 },
};

static const struct op ordered_ops[] = {
	{ "eq", "=", 1 },
	{ "lt", "<", 1 },
	{ "gt", ">", 1 },
	{ "between", "between", 2 },
	{ "_blank", "is blank", 0 },
	{ NULL, NULL, 0 },
};

static const struct op bool_ops[] = {
	{ "is", "is", 1 },
	{ NULL, NULL, 0 },
};

static const struct op enum_ops[] = {
	{ "in", "one of", -1 },
	{ NULL, NULL, 0 },
};

static void	 query_error(struct list_query *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static const struct op	*ops_for(enum field_type);
static const struct op	*op_find(enum field_type, const char *);
static int	 filter_param(struct list_query *, const char *,
		    const char *);
static int	 filters_check(struct list_query *);
static int	 filter_check(struct list_query *, struct list_filter *);
static int	 search_param(struct list_query *, const struct params *);
static int	 sort_params(struct list_query *, const struct params *);
static int	 page_param(struct list_query *, const struct params *);
static int	 add_param(struct list_query *, const struct params *);
static int	 filter_key(const char *, char *, size_t, char *, size_t,
		    char *, size_t);
static struct list_filter *filter_slot(struct list_query *,
		    const struct field *, const char *);
static int	 value_check(struct list_query *, const struct field *,
		    const char *);
static int	 date_valid(const char *);
static int	 filter_has_values(const struct list_filter *,
		    const struct op *);
static void	 where_filter(struct sql *, const struct resource *,
		    const struct list_filter *);
static void	 where_blank(struct sql *, const struct field *,
		    const char *);
static void	 where_text(struct sql *, const struct resource *,
		    const struct field *, const char *, const char *);
static void	 where_enum(struct sql *, const struct field *,
		    const struct list_filter *);
static void	 where_ordered(struct sql *, const struct field *,
		    const char *, const struct list_filter *);
static const char *lower_copy(const struct resource *, const struct field *);
static void	 where_search(struct sql *, const struct list_query *);
static void	 where_words(struct sql *, const struct list_query *);
static void	 values_resolve(struct app_req *, struct list_query *);
static void	 where_word(struct sql *, const struct list_query *,
		    const char *, size_t, int);
static void	 fields_match(struct sql *, const struct resource *,
		    const char *, size_t, int *);
static const char *next_word(const char **, size_t *);
static char	*word_copy(const char *, size_t);
static void	 search_text_match(struct sql *, const char *,
		    const struct trgm_stats *, const char *,
		    size_t);
static void	 fragment_match(struct sql *, const char *, const char *,
		    size_t, char [2][4], int);
static const char *whole_run(const char *, size_t, const char *, size_t *);
static void	 runs_match(struct sql *, const char *, const char *,
		    size_t);
static void	 text_match(struct sql *, const char *, const char *,
		    const char *, const char *);

/* A field of a joined table, as the search and filters reach it. */
struct joined {
	char		 table[48];
	char		 fk[48];
	const char	*column;
};

static int	 joined_field(const struct resource *, const struct field *,
		    struct joined *);
static const char *cast_for(enum field_type);
static json_t	*filter_row_view(const struct list_query *,
		    const struct field *, const struct list_filter *, int);
static json_t	*filter_ops_view(const struct field *,
		    const struct list_filter *);
static json_t	*filter_options_view(const struct field *,
		    const struct list_filter *);
static void	 sql_quoted(struct kore_buf *, const char *);

/*
 * The message a bad query gets.  It quotes the query's own values cut to
 * a few bytes (%.60s), which can split a character in two: what is left
 * of it goes, as the page and its JSON take only UTF-8.
 */
static void
query_error(struct list_query *q, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(q->error, sizeof(q->error), fmt, ap);
	va_end(ap);
	params_utf8_repair(q->error);
}

static const struct op *
ops_for(enum field_type t)
{
	switch (t) {
	case FT_TEXT:
		return (text_ops);
	case FT_BOOL:
		return (bool_ops);
	case FT_ENUM:
		return (enum_ops);
	default:
		return (ordered_ops);
	}
}

static const struct op *
op_find(enum field_type t, const char *name)
{
	const struct op	*o;

	/* RailsAdmin's "default" is the first operator of the type. */
	if (strcmp(name, "default") == 0)
		return (ops_for(t));

	for (o = ops_for(t); o->name != NULL; o++) {
		if (strcmp(o->name, name) == 0)
			return (o);
	}

	return (NULL);
}

/*
 * Read search, filters, sort and page from the query, and for a search
 * the statistics that choose its words' trigrams (admin/search_stats.c).
 * Returns 0, or -1 with q->error set (what was understood stays in q, so
 * the page can show the form as it was).
 */
int
list_query_parse(struct app_req *ctx, struct list_query *q,
    const struct resource *res, const struct params *p)
{
	size_t	i;

	memset(q, 0, sizeof(*q));
	q->res = res;
	q->nvalues = -1;
	q->page = 1;
	q->per = LIST_PER_PAGE;
	q->sort = resource_field(res, res->default_sort);
	q->reverse = res->default_reverse;

	for (i = 0; i < p->n; i++) {
		if (strncmp(p->v[i].key, "f[", 2) == 0 &&
		    filter_param(q, p->v[i].key, p->v[i].val) == -1)
			return (-1);
	}

	if (filters_check(q) == -1 || search_param(q, p) == -1 ||
	    sort_params(q, p) == -1 || page_param(q, p) == -1 ||
	    add_param(q, p) == -1)
		return (-1);

	if (q->search != NULL)
		q->trgm = trgm_stats_get(ctx, res);
	if (q->search != NULL && res->search_values != NULL)
		values_resolve(ctx, q);

	return (0);
}

/* One f[<field>][<n>][...] parameter: into its filter's slot. */
static int
filter_param(struct list_query *q, const char *key, const char *val)
{
	const struct field	*f;
	struct list_filter	*lf;
	char			 name[64], n[16], part[8];

	if (filter_key(key, name, sizeof(name), n, sizeof(n), part,
	    sizeof(part)) == -1) {
		query_error(q, "The filter parameter '%.60s' is malformed.",
		    key);
		return (-1);
	}

	f = resource_field(q->res, name);
	if (f == NULL || !(f->flags & (F_FILTER | F_HIDDEN))) {
		query_error(q, "%s cannot be filtered on '%.60s'.",
		    q->res->label, name);
		return (-1);
	}

	if ((lf = filter_slot(q, f, n)) == NULL) {
		query_error(q, "At most %d filters at a time.",
		    LIST_FILTERS_MAX);
		return (-1);
	}

	if (strcmp(part, "o") == 0) {
		(void)kore_strlcpy(lf->op, val, sizeof(lf->op));
		if (strlen(val) >= sizeof(lf->op) ||
		    op_find(f->type, val) == NULL) {
			query_error(q, "'%.20s' is not an operator for %s.",
			    val, f->label);
			lf->op[0] = '\0';
			return (-1);
		}
	} else if (strcmp(part, "v") == 0) {
		lf->v = val;
	} else {
		if (lf->nvs == (int)(sizeof(lf->vs) / sizeof(lf->vs[0]))) {
			query_error(q, "Too many values for %s.", f->label);
			return (-1);
		}
		lf->vs[lf->nvs++] = val;
	}

	return (0);
}

/*
 * Each filter's operator and values, checked for its type; the values
 * in all, each a parameter of the statement, which takes so many.
 */
static int
filters_check(struct list_query *q)
{
	int	k, n, nvalues;

	nvalues = 0;
	for (k = 0; k < q->nfilters; k++) {
		if ((n = filter_check(q, &q->filters[k])) == -1)
			return (-1);
		nvalues += n;
	}

	if (nvalues > LIST_FILTER_VALUES_MAX) {
		query_error(q, "Too many filter values "
		    "(at most %d in all).", LIST_FILTER_VALUES_MAX);
		return (-1);
	}

	return (0);
}

/*
 * A filter's operator (its type's first when none or "default" was
 * given), its values placed as the operator takes them and checked.
 * Returns how many values it adds to the statement, or -1.
 */
static int
filter_check(struct list_query *q, struct list_filter *lf)
{
	const struct op	*op;
	int		 i;

	if (lf->op[0] == '\0' || strcmp(lf->op, "default") == 0)
		(void)kore_strlcpy(lf->op, ops_for(lf->field->type)->name,
		    sizeof(lf->op));
	op = op_find(lf->field->type, lf->op);

	if (op->values == 2) {
		lf->v = lf->nvs > 0 ? lf->vs[0] : lf->v;
		lf->v2 = lf->nvs > 1 ? lf->vs[1] : NULL;
	} else if (op->values == 1 && lf->v == NULL && lf->nvs > 0) {
		lf->v = lf->vs[0];
	} else if (op->values == -1 && lf->v != NULL &&
	    *lf->v != '\0' && lf->nvs < 32) {
		lf->vs[lf->nvs++] = lf->v;
	}

	if (op->values == -1) {
		for (i = 0; i < lf->nvs; i++) {
			if (value_check(q, lf->field, lf->vs[i]) == -1)
				return (-1);
			/* The words shown for a choice stand for it. */
			if (lf->field->type == FT_ENUM)
				lf->vs[i] = field_option_value(lf->field,
				    lf->vs[i]);
		}
		return (lf->nvs);
	}

	if (lf->v != NULL && *lf->v != '\0' &&
	    value_check(q, lf->field, lf->v) == -1)
		return (-1);
	if (lf->v2 != NULL && *lf->v2 != '\0' &&
	    value_check(q, lf->field, lf->v2) == -1)
		return (-1);

	return (op->values);
}

/* query=<words>, at most 200 characters. */
static int
search_param(struct list_query *q, const struct params *p)
{
	const char	*v;

	if ((v = params_get(p, "query")) != NULL)
		q->search = v;
	if (q->search != NULL &&
	    utf8_chars(q->search) > 200) {
		query_error(q,
		    "The search is too long (at most 200 characters).");
		return (-1);
	}

	return (0);
}

/* sort=<field>&sort_reverse=true|false */
static int
sort_params(struct list_query *q, const struct params *p)
{
	const struct field	*f;
	const char		*v;

	if ((v = params_get(p, "sort")) != NULL && *v != '\0') {
		f = resource_field(q->res, v);
		if (f == NULL || !(f->flags & F_SORT)) {
			query_error(q, "%s cannot be sorted by '%.60s'.",
			    q->res->label, v);
			return (-1);
		}
		q->sort = f;
	}

	if ((v = params_get(p, "sort_reverse")) != NULL && *v != '\0') {
		if (strcmp(v, "true") == 0) {
			q->reverse = 1;
		} else if (strcmp(v, "false") == 0) {
			q->reverse = 0;
		} else {
			query_error(q, "sort_reverse must be true or false.");
			return (-1);
		}
	}

	return (0);
}

/* page=<n>, 1 to LIST_PAGE_MAX. */
static int
page_param(struct list_query *q, const struct params *p)
{
	const char	*v;
	char		*end;

	if ((v = params_get(p, "page")) == NULL || *v == '\0')
		return (0);

	q->page = strtol(v, &end, 10);
	if (*end != '\0' || !isdigit((unsigned char)*v) ||
	    q->page < 1 || q->page > LIST_PAGE_MAX) {
		q->page = 1;
		query_error(q,
		    "The page must be a number from 1 to %d; narrow "
		    "the list with a search or a filter to go further.",
		    LIST_PAGE_MAX);
		return (-1);
	}

	return (0);
}

/* add=<field>: a new row of the "Add filter" form. */
static int
add_param(struct list_query *q, const struct params *p)
{
	const struct field	*f;
	const char		*v;

	if ((v = params_get(p, "add")) == NULL || *v == '\0')
		return (0);

	f = resource_field(q->res, v);
	if (f == NULL || !(f->flags & F_FILTER)) {
		query_error(q, "%s cannot be filtered on '%.60s'.",
		    q->res->label, v);
		return (-1);
	}
	q->add = f->name;

	return (0);
}

/* f[<field>][<n>][o|v] or f[<field>][<n>][v][] */
static int
filter_key(const char *key, char *name, size_t nlen, char *n, size_t nnlen,
    char *part, size_t plen)
{
	const char	*p, *e;
	size_t		 len;

	p = key + 2;
	if ((e = strchr(p, ']')) == NULL || (len = (size_t)(e - p)) == 0 ||
	    len >= nlen)
		return (-1);
	memcpy(name, p, len);
	name[len] = '\0';

	p = e + 1;
	if (*p++ != '[' || (e = strchr(p, ']')) == NULL ||
	    (len = (size_t)(e - p)) == 0 || len >= nnlen)
		return (-1);
	memcpy(n, p, len);
	n[len] = '\0';
	for (len = 0; n[len] != '\0'; len++) {
		if (!isalnum((unsigned char)n[len]) && n[len] != '_')
			return (-1);
	}

	p = e + 1;
	if (strcmp(p, "[o]") == 0)
		(void)kore_strlcpy(part, "o", plen);
	else if (strcmp(p, "[v]") == 0)
		(void)kore_strlcpy(part, "v", plen);
	else if (strcmp(p, "[v][]") == 0)
		(void)kore_strlcpy(part, "v[]", plen);
	else
		return (-1);

	return (0);
}

static struct list_filter *
filter_slot(struct list_query *q, const struct field *f, const char *n)
{
	struct list_filter	*lf;
	int			 i;

	for (i = 0; i < q->nfilters; i++) {
		lf = &q->filters[i];
		if (lf->field == f && strcmp(lf->n, n) == 0)
			return (lf);
	}

	if (q->nfilters == LIST_FILTERS_MAX)
		return (NULL);

	lf = &q->filters[q->nfilters++];
	memset(lf, 0, sizeof(*lf));
	lf->field = f;
	(void)kore_strlcpy(lf->n, n, sizeof(lf->n));

	return (lf);
}

static int
value_check(struct list_query *q, const struct field *f, const char *v)
{
	const char	*p;
	int		 digits, ok;
	size_t		 i;

	ok = 1;
	switch (f->type) {
	case FT_INT:
		p = (*v == '-') ? v + 1 : v;
		for (digits = 0; isdigit((unsigned char)p[digits]); digits++)
			;
		ok = digits > 0 && digits <= 18 && p[digits] == '\0';
		if (!ok) {
			query_error(q,
			    "%s: '%.40s' is not a whole number.", f->label, v);
		}
		break;
	case FT_DECIMAL:
		p = (*v == '-') ? v + 1 : v;
		for (digits = 0; isdigit((unsigned char)*p); p++)
			digits++;
		if (*p == '.') {
			for (p++, i = 0; isdigit((unsigned char)*p); p++)
				i++;
			ok = i > 0 && i <= 4;
		}
		ok = ok && digits > 0 && digits <= 12 && *p == '\0';
		if (!ok) {
			query_error(q,
			    "%s: '%.40s' is not a number.", f->label, v);
		}
		break;
	case FT_DATE:
	case FT_TIME:
		if (!(ok = date_valid(v))) {
			query_error(q,
			    "%s: '%.40s' is not a date (YYYY-MM-DD).",
			    f->label, v);
		}
		break;
	case FT_BOOL:
		ok = strcmp(v, "true") == 0 || strcmp(v, "false") == 0;
		if (!ok) {
			query_error(q, "%s: choose yes or no.", f->label);
		}
		break;
	case FT_ENUM:
		if (!(ok = field_option_value(f, v) != NULL)) {
			query_error(q, "%s: '%.40s' is not one of the choices.",
			    f->label, v);
		}
		break;
	case FT_TEXT:
		if (strlen(v) > 255) {
			ok = 0;
			query_error(q, "%s: the value is too long.", f->label);
		}
		break;
	}

	return (ok ? 0 : -1);
}

/* YYYY-MM-DD, a day that exists, years 1900 to 9999. */
static int
date_valid(const char *s)
{
	static const int	mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31,
				    30, 31, 30, 31 };
	int			y, m, d, i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return (0);
	for (i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return (0);
	}

	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return (0);
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) ||
	    y % 400 == 0))
		return (0);

	return (1);
}

static int
filter_has_values(const struct list_filter *lf, const struct op *op)
{
	switch (op->values) {
	case 0:
		return (1);
	case 1:
		return (lf->v != NULL && *lf->v != '\0');
	case 2:
		return ((lf->v != NULL && *lf->v != '\0') ||
		    (lf->v2 != NULL && *lf->v2 != '\0'));
	default:
		return (lf->nvs > 0);
	}
}

void
sql_init(struct sql *s)
{
	memset(s, 0, sizeof(*s));
	s->text = kore_buf_alloc(1024);
}

void
sql_free(struct sql *s)
{
	int	i;

	for (i = 0; i < s->nparams; i++)
		kore_free(s->owned[i]);
	if (s->text != NULL)
		kore_buf_free(s->text);
	s->text = NULL;
	s->nparams = 0;
}

/* Add a parameter (borrowed); returns its $n. */
int
sql_param(struct sql *s, const char *v)
{
	if (s->nparams == SQL_PARAMS_MAX)
		fatalx("sql: more than %d parameters", SQL_PARAMS_MAX);
	s->params[s->nparams] = v;
	s->owned[s->nparams] = NULL;
	return (++s->nparams);
}

/* Add a parameter the statement owns (kore_malloc'd); returns its $n. */
int
sql_param_own(struct sql *s, char *v)
{
	int	n;

	n = sql_param(s, v);
	s->owned[n - 1] = v;
	return (n);
}

PGresult *
sql_exec(struct app_req *ctx, struct sql *s)
{
	if (s->by_value) {
		return (db_exec(ctx, kore_buf_stringify(s->text, NULL),
		    s->nparams, s->params));
	}

	return (db_exec_cached(ctx, kore_buf_stringify(s->text, NULL),
	    s->nparams, s->params));
}

static const char *
cast_for(enum field_type t)
{
	switch (t) {
	case FT_INT:
		return ("::bigint");
	case FT_DECIMAL:
		return ("::numeric");
	case FT_DATE:
	case FT_TIME:
		return ("::date");
	case FT_BOOL:
		return ("::boolean");
	default:
		return ("");
	}
}

/*
 * A LIKE pattern for the len bytes at w, its metacharacters (% _ \)
 * escaped, with a leading and a trailing '%' as asked (kore_free it).
 */
char *
sql_like_pattern(const char *w, size_t len, int lead, int trail)
{
	char	*out, *o;
	size_t	 i;

	out = kore_malloc(len * 2 + 3);
	o = out;
	if (lead)
		*o++ = '%';
	for (i = 0; i < len; i++) {
		if (w[i] == '%' || w[i] == '_' || w[i] == '\\')
			*o++ = '\\';
		*o++ = w[i];
	}
	if (trail)
		*o++ = '%';
	*o = '\0';

	return (out);
}

/*
 * WHERE clause: every word of the search matches some searchable field
 * (case-insensitive substring; a number also matches whole-number fields
 * exactly), and every complete filter holds.
 */
void
list_where(struct sql *s, const struct list_query *q)
{
	int	i;

	kore_buf_appendf(s->text, " WHERE true");
	if (q->search != NULL || q->nfilters > 0)
		s->by_value = 1;
	where_search(s, q);

	for (i = 0; i < q->nfilters; i++)
		where_filter(s, q->res, &q->filters[i]);
}

/*
 * The next word of a search at *p (words are separated by white space),
 * its length in *len, *p moved past it; NULL when there is none left.
 */
static const char *
next_word(const char **p, size_t *len)
{
	const char	*w;

	while (isspace((unsigned char)**p))
		(*p)++;
	if (**p == '\0')
		return (NULL);
	w = *p;
	while (**p != '\0' && !isspace((unsigned char)**p))
		(*p)++;
	*len = (size_t)(*p - w);

	return (w);
}

/* A copy of the word w of len bytes, for a statement to own. */
static char *
word_copy(const char *w, size_t len)
{
	char	*out;

	out = kore_malloc(len + 1);
	memcpy(out, w, len);
	out[len] = '\0';

	return (out);
}

/*
 * One search word against a resource's lower-cased search column: a
 * substring, so LIKE '%word%', which pg_trgm's index serves.  When the
 * column's trigrams are counted (admin/search_stats.c), the word goes to
 * the index by its rarest fragment (fragment_match()); else as typed,
 * or for a word with punctuation by its runs of letters and digits
 * (runs_match()).  Either way the word is then checked as typed on the
 * rows found.
 */
static void
search_text_match(struct sql *s, const char *expr,
    const struct trgm_stats *stats, const char *w, size_t len)
{
	char	picks[2][4];
	int	npicks;

	if ((npicks = trgm_stats_pick(stats, w, len, picks)) > 0)
		fragment_match(s, expr, w, len, picks, npicks);
	else
		runs_match(s, expr, w, len);
}

/*
 * The word by its rarest trigrams (picks): the trigram index reads only
 * those, where LIKE '%word%' would read every trigram of the word, and
 * the common ones cost far more than they narrow ("gitlab" is in nearly
 * every host name).  A trigram inside a run of letters and digits with
 * punctuation on both sides ("sigmaline" in gitlab.sigmaline.com) stands
 * for that run: a whole word of every row holding the search, found in
 * one lookup of the index of words (migration 014), and as rare as the
 * rarest of its trigrams or rarer.
 */
static void
fragment_match(struct sql *s, const char *expr, const char *w, size_t len,
    char picks[2][4], int npicks)
{
	struct kore_buf	*words;
	const char	*run, *last;
	size_t		 rlen;
	int		 i;

	words = kore_buf_alloc(len + 1);
	last = NULL;
	kore_buf_appendf(s->text, "(");
	for (i = 0; i < npicks; i++) {
		if ((run = whole_run(w, len, picks[i], &rlen)) == NULL) {
			kore_buf_appendf(s->text, "%s LIKE $%d AND ", expr,
			    sql_param_own(s,
			    sql_like_pattern(picks[i], 3, 1, 1)));
			continue;
		}
		if (run == last)
			continue;
		if (words->offset > 0)
			kore_buf_append(words, " ", 1);
		kore_buf_append(words, run, rlen);
		last = run;
	}
	if (words->offset > 0) {
		kore_buf_appendf(s->text, "search_words(%s) @> "
		    "string_to_array(lower($%d), ' ') AND ", expr,
		    sql_param_own(s, word_copy((const char *)words->data,
		    words->offset)));
	}
	kore_buf_appendf(s->text, "strpos(%s, lower($%d)) > 0)", expr,
	    sql_param_own(s, word_copy(w, len)));
	kore_buf_free(words);
}

/*
 * The run of letters and digits (and bytes of other characters) of the
 * word w that holds the trigram tri (lower-cased) and has punctuation on
 * both sides, its length in *rlen; NULL when there is none.
 */
static const char *
whole_run(const char *w, size_t len, const char *tri, size_t *rlen)
{
	size_t	i, start, k;

	start = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && (isalnum((unsigned char)w[i]) ||
		    (unsigned char)w[i] >= 0x80))
			continue;
		/* A run ends at i: whole when punctuation is on both sides. */
		if (start > 0 && i < len) {
			for (k = start; k + 3 <= i; k++) {
				if (strncasecmp(w + k, tri, 3) == 0) {
					*rlen = i - start;
					return (w + start);
				}
			}
		}
		start = i + 1;
	}

	return (NULL);
}

/*
 * The word without counted trigrams to choose from: as typed, unless it
 * has punctuation (code.example.io, an e-mail address):
 *
 * - runs of letters and digits with punctuation on both sides within it
 *   ("example") are whole words of every row that contains it, found in
 *   one lookup of the index of words (migration 014);
 * - otherwise its runs alone, in order ('%code%example%'), go to the
 *   trigram index: the trigrams of word boundaries ("  c", " io") are
 *   among the most frequent of all, and would make it read those through.
 */
static void
runs_match(struct sql *s, const char *expr, const char *w, size_t len)
{
	char		*runs, *whole, *word, *o, *h;
	size_t		 i, start, nruns, nchars, nwhole;
	int		 inrun;

	runs = kore_malloc(len * 2 + 3);
	whole = kore_malloc(len + 1);
	o = runs;
	h = whole;
	*o++ = '%';
	nruns = nchars = nwhole = start = 0;
	inrun = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && (isalnum((unsigned char)w[i]) ||
		    (unsigned char)w[i] >= 0x80)) {
			if (!inrun) {
				if (nruns++ > 0)
					*o++ = '%';
				start = i;
				inrun = 1;
			}
			*o++ = w[i];
			nchars++;
			continue;
		}
		/* A run ends: whole when punctuation is on both sides. */
		if (inrun && start > 0 && i < len) {
			if (nwhole++ > 0)
				*h++ = ' ';
			memcpy(h, w + start, i - start);
			h += i - start;
		}
		inrun = 0;
	}
	*o++ = '%';
	*o = '\0';
	*h = '\0';

	/* Letters and digits only, or nothing but punctuation: as typed. */
	if (nruns == 0 || nchars == len) {
		kore_free(runs);
		kore_free(whole);
		kore_buf_appendf(s->text, "%s LIKE lower($%d)", expr,
		    sql_param_own(s, sql_like_pattern(w, len, 1, 1)));
		return;
	}

	word = word_copy(w, len);
	if (nwhole > 0) {
		kore_free(runs);
		kore_buf_appendf(s->text, "(search_words(%s) @> "
		    "string_to_array(lower($%d), ' ') AND strpos(%s, "
		    "lower($%d)) > 0)", expr, sql_param_own(s, whole), expr,
		    sql_param_own(s, word));
	} else {
		kore_free(whole);
		kore_buf_appendf(s->text, "(%s LIKE lower($%d) AND "
		    "strpos(%s, lower($%d)) > 0)", expr,
		    sql_param_own(s, runs), expr, sql_param_own(s, word));
	}
}

/*
 * The search.  A resource with a table of its search column's values
 * (migration 023) is searched among those first: by the values
 * themselves when few match (values_resolve() read them), else by a
 * subquery over that table (named t inside, as the column's SQL says).
 * Either way the rows holding a matching value are read by the column's
 * btree.  Such a resource has no whole-number search fields nor bigrams
 * (resource.h).
 */
static void
where_search(struct sql *s, const struct list_query *q)
{
	const struct resource	*res;

	if (q->search == NULL)
		return;
	res = q->res;
	if (res->search_values == NULL) {
		where_words(s, q);
		return;
	}

	if (q->nvalues == 0) {
		kore_buf_appendf(s->text, " AND false");
	} else if (q->nvalues > 0) {
		kore_buf_appendf(s->text, " AND %s = ANY ($%d::text[])",
		    res->search_expr, sql_param(s, q->values));
	} else {
		kore_buf_appendf(s->text, " AND %s IN (SELECT t.search_text "
		    "FROM %s t WHERE true", res->search_expr,
		    res->search_values);
		where_words(s, q);
		kore_buf_appendf(s->text, ")");
	}
}

/* Each word of the search, ANDed. */
static void
where_words(struct sql *s, const struct list_query *q)
{
	const char	*p, *w;
	size_t		 len;
	int		 words, long_word;

	/*
	 * Whether a word of three characters or more (of those searched)
	 * leads the index: then two-character words are matched in it too.
	 */
	long_word = text_has_word(q->search, LIST_WORDS_MAX, 3);

	p = q->search;
	for (words = 0; words < LIST_WORDS_MAX &&
	    (w = next_word(&p, &len)) != NULL; words++) {
		/* A long word is searched by its start, whole characters. */
		if (len > LIST_WORD_MAX) {
			len = LIST_WORD_MAX;
			while (len > 0 &&
			    ((unsigned char)w[len] & 0xc0) == 0x80)
				len--;
		}
		where_word(s, q, w, len, long_word);
	}
}

/*
 * The values of res's search column the search matches (res has a table
 * of them), when there are LIST_VALUES_MAX or fewer: as an array in
 * q->values, given to the list's statements as a parameter.  PostgreSQL
 * then knows how many rows hold them; from a subquery it guesses (a
 * third of the values for each word checked whole), and walked the sort
 * order of 20,000,000 seat links for 1,600 rows.  More values than that
 * are common, and the subquery stays (q->nvalues -1), as it does when
 * this statement fails: the list's own then says so.
 */
static void
values_resolve(struct app_req *ctx, struct list_query *q)
{
	struct sql	 s;
	PGresult	*pr;
	long		 n;

	q->nvalues = -1;
	sql_init(&s);
	kore_buf_appendf(s.text, "SELECT count(*) AS n, "
	    "array_agg(search_text)::text AS v FROM (SELECT t.search_text "
	    "FROM %s t WHERE true", q->res->search_values);
	where_words(&s, q);
	kore_buf_appendf(s.text, " LIMIT %d) v", LIST_VALUES_MAX + 1);
	s.by_value = 1;
	pr = sql_exec(ctx, &s);
	sql_free(&s);
	if (pr == NULL)
		return;

	n = strtol(DB_COL(pr, 0, "n"), NULL, 10);
	if (n <= LIST_VALUES_MAX) {
		q->nvalues = (int)n;
		if (n > 0)
			q->values = kore_strdup(DB_COL(pr, 0, "v"));
	}
	PQclear(pr);
}

/* What list_query_parse() allocated. */
void
list_query_free(struct list_query *q)
{
	kore_free(q->values);
	q->values = NULL;
}

/*
 * One word of the search: in the resource's search column (by its
 * bigrams for a two-character word beside longer ones), else in each
 * searchable field; and a number in the whole-number fields.
 */
static void
where_word(struct sql *s, const struct list_query *q, const char *w,
    size_t len, int long_word)
{
	const struct resource	*res;
	int			 nw, first;

	res = q->res;
	kore_buf_appendf(s->text, " AND (");
	first = 1;
	if (res->search_expr != NULL && res->bigram_expr != NULL &&
	    long_word && utf8_chars_n(w, len) == 2) {
		nw = sql_param_own(s, word_copy(w, len));
		kore_buf_appendf(s->text, "(%s @> search_bigram_codes("
		    "lower($%d)) AND strpos(%s, lower($%d)) > 0)",
		    res->bigram_expr, nw, res->search_expr, nw);
		first = 0;
	} else if (res->search_expr != NULL) {
		search_text_match(s, res->search_expr, q->trgm, w, len);
		first = 0;
	}
	fields_match(s, res, w, len, &first);
	if (first)
		kore_buf_appendf(s->text, "false");
	kore_buf_appendf(s->text, ")");
}

/*
 * The word in each searchable field, ORed (*first: nothing before it
 * yet): whole-number fields when it is one, text fields (those not in
 * the search column) by substring.
 */
static void
fields_match(struct sql *s, const struct resource *res, const char *w,
    size_t len, int *first)
{
	const struct field	*f;
	struct joined		 jf;
	size_t			 digits;
	int			 n, nint;

	for (digits = 0; digits < len && isdigit((unsigned char)w[digits]);
	    digits++)
		;

	/*
	 * Parameters are added as they are used: PostgreSQL cannot type
	 * one the statement never mentions (a number searched where no
	 * field is a number).
	 */
	n = nint = 0;
	for (f = res->fields; f->name != NULL; f++) {
		if (!(f->flags & F_SEARCH))
			continue;
		if (f->type != FT_INT && res->search_expr != NULL)
			continue;
		if (f->type == FT_INT) {
			if (digits != len || len > 18)
				continue;
			if (nint == 0)
				nint = sql_param_own(s, word_copy(w, len));
			kore_buf_appendf(s->text, "%s%s = $%d::bigint",
			    *first ? "" : " OR ", f->expr, nint);
		} else {
			if (n == 0)
				n = sql_param_own(s,
				    sql_like_pattern(w, len, 1, 1));
			if (joined_field(res, f, &jf) == 0)
				kore_buf_appendf(s->text, "%s%s = ANY (ARRAY("
				    "SELECT id FROM %s WHERE %s ILIKE $%d))",
				    *first ? "" : " OR ", jf.fk, jf.table,
				    jf.column, n);
			else
				kore_buf_appendf(s->text, "%s%s ILIKE $%d",
				    *first ? "" : " OR ", f->expr, n);
		}
		*first = 0;
	}
}

/*
 * Whether res's list search reads the columns of tables it joins (an
 * order's billing account name, a trial's namespace path): each word
 * then reads those tables' matches whole, costly for a common word.
 */
int
list_search_joins(const struct resource *res)
{
	const struct field	*f;
	struct joined		 jf;

	if (res->search_expr != NULL)
		return (0);
	for (f = res->fields; f->name != NULL; f++) {
		if ((f->flags & F_SEARCH) && f->type != FT_INT &&
		    joined_field(res, f, &jf) == 0)
			return (1);
	}

	return (0);
}

/* The stored lower-cased copy of a text field, or NULL. */
static const char *
lower_copy(const struct resource *res, const struct field *f)
{
	const char *const	*p;

	if (res->lower_copies == NULL)
		return (NULL);
	for (p = res->lower_copies; p[0] != NULL; p += 2) {
		if (strcmp(p[0], f->name) == 0)
			return (p[1]);
	}

	return (NULL);
}

/*
 * A text operator on expr: is (equal, ignoring case), like (contains),
 * starts_with, ends_with.  A lower-cased copy (lc) is matched byte-wise
 * with the lower-cased value: the same answer as ILIKE without folding
 * each row.
 */
static void
text_match(struct sql *s, const char *expr, const char *lc, const char *op,
    const char *v)
{
	int	n;

	if (strcmp(op, "is") == 0) {
		n = sql_param(s, v);
		if (lc != NULL)
			kore_buf_appendf(s->text, "%s = lower($%d)", lc, n);
		else
			kore_buf_appendf(s->text, "lower(%s) = lower($%d)",
			    expr, n);
		return;
	}

	n = sql_param_own(s, sql_like_pattern(v, strlen(v),
	    strcmp(op, "starts_with") != 0, strcmp(op, "ends_with") != 0));
	if (lc != NULL)
		kore_buf_appendf(s->text, "%s LIKE lower($%d)", lc, n);
	else
		kore_buf_appendf(s->text, "%s ILIKE $%d", expr, n);
}

/*
 * A field of a table the resource joins, e.g. "b.zuora_account_name"
 * with "JOIN billing_accounts b ON b.id = t.billing_account_id" in its
 * FROM: that table, the column, and the column of t pointing at it.
 * Returns 0, or -1 for a field of t or an expression.  The FROM clauses
 * are ours (resources/resources.c), all joining that way.
 */
static int
joined_field(const struct resource *res, const struct field *f,
    struct joined *j)
{
	const char	*dot, *p;
	char		 alias[16], a[16], lhs[48], want[48];
	size_t		 len;

	if ((dot = strchr(f->expr, '.')) == NULL ||
	    (len = (size_t)(dot - f->expr)) == 0 || len >= sizeof(alias) ||
	    strspn(f->expr, "abcdefghijklmnopqrstuvwxyz") != len ||
	    strspn(dot + 1, "abcdefghijklmnopqrstuvwxyz_0123456789") !=
	    strlen(dot + 1))
		return (-1);
	memcpy(alias, f->expr, len);
	alias[len] = '\0';
	if (strcmp(alias, "t") == 0)
		return (-1);
	(void)snprintf(want, sizeof(want), "%s.id", alias);

	for (p = res->from; (p = strstr(p, "JOIN ")) != NULL; p += 5) {
		if (sscanf(p + 5, "%47s %15s ON %47s = %47s", j->table, a, lhs,
		    j->fk) != 4)
			continue;
		if (strcmp(a, alias) == 0 && strcmp(lhs, want) == 0 &&
		    strncmp(j->fk, "t.", 2) == 0) {
			j->column = dot + 1;
			return (0);
		}
	}

	return (-1);
}

static void
where_filter(struct sql *s, const struct resource *res,
    const struct list_filter *lf)
{
	const struct field	*f;
	const struct op		*op;

	f = lf->field;
	op = op_find(f->type, lf->op);
	if (op == NULL || !filter_has_values(lf, op))
		return;

	if (strcmp(op->name, "_blank") == 0 ||
	    strcmp(op->name, "_present") == 0)
		where_blank(s, f, op->name);
	else if (f->type == FT_TEXT)
		where_text(s, res, f, op->name, lf->v);
	else if (f->type == FT_ENUM)
		where_enum(s, f, lf);
	else if (f->type == FT_BOOL)
		kore_buf_appendf(s->text, " AND %s = $%d::boolean", f->expr,
		    sql_param(s, lf->v));
	else
		where_ordered(s, f, op->name, lf);
}

/* _blank: NULL (or, for text, empty); _present: neither. */
static void
where_blank(struct sql *s, const struct field *f, const char *op)
{
	const char	*e;

	e = f->expr;
	if (strcmp(op, "_present") == 0)
		kore_buf_appendf(s->text,
		    " AND (%s IS NOT NULL AND %s <> '')", e, e);
	else if (f->type == FT_TEXT)
		kore_buf_appendf(s->text, " AND (%s IS NULL OR %s = '')", e, e);
	else
		kore_buf_appendf(s->text, " AND %s IS NULL", e);
}

static void
where_text(struct sql *s, const struct resource *res, const struct field *f,
    const char *op, const char *v)
{
	struct joined	jf;

	/*
	 * A field of a joined table is matched in that table, where its
	 * index is, and the rows found by their ids: matched on the joined
	 * rows, nothing could use an index.
	 */
	if (joined_field(res, f, &jf) == 0) {
		kore_buf_appendf(s->text, " AND %s = ANY (ARRAY(SELECT "
		    "id FROM %s WHERE ", jf.fk, jf.table);
		text_match(s, jf.column, NULL, op, v);
		kore_buf_appendf(s->text, "))");
	} else {
		kore_buf_appendf(s->text, " AND ");
		text_match(s, f->expr, lower_copy(res, f), op, v);
	}
}

/* One of the chosen values. */
static void
where_enum(struct sql *s, const struct field *f, const struct list_filter *lf)
{
	int	i, n;

	kore_buf_appendf(s->text, " AND %s IN (", f->expr);
	for (i = 0; i < lf->nvs; i++) {
		n = sql_param(s, lf->vs[i]);
		kore_buf_appendf(s->text, "%s$%d", i ? ", " : "", n);
	}
	kore_buf_appendf(s->text, ")");
}

/*
 * Numbers and dates.  A timestamp compared with a day covers the whole
 * day (UTC): "= 2024-05-01" is from its midnight to the next.
 */
static void
where_ordered(struct sql *s, const struct field *f, const char *op,
    const struct list_filter *lf)
{
	const char	*e, *cast;
	int		 n, time;

	e = f->expr;
	cast = cast_for(f->type);
	time = f->type == FT_TIME;

	if (strcmp(op, "eq") == 0) {
		n = sql_param(s, lf->v);
		if (time) {
			kore_buf_appendf(s->text, " AND %s >= $%d::date AND "
			    "%s < $%d::date + 1", e, n, e, n);
		} else {
			kore_buf_appendf(s->text, " AND %s = $%d%s", e, n,
			    cast);
		}
	} else if (strcmp(op, "lt") == 0) {
		n = sql_param(s, lf->v);
		kore_buf_appendf(s->text, " AND %s < $%d%s", e, n, cast);
	} else if (strcmp(op, "gt") == 0) {
		n = sql_param(s, lf->v);
		kore_buf_appendf(s->text, time ? " AND %s >= $%d%s + 1" :
		    " AND %s > $%d%s", e, n, cast);
	} else if (strcmp(op, "between") == 0) {
		if (lf->v != NULL && *lf->v != '\0') {
			n = sql_param(s, lf->v);
			kore_buf_appendf(s->text, " AND %s >= $%d%s", e, n,
			    cast);
		}
		if (lf->v2 != NULL && *lf->v2 != '\0') {
			n = sql_param(s, lf->v2);
			kore_buf_appendf(s->text, time ?
			    " AND %s < $%d%s + 1" : " AND %s <= $%d%s", e, n,
			    cast);
		}
	}
}

void
list_order(struct sql *s, const struct list_query *q)
{
	if (q->sort != NULL) {
		/* PostgreSQL's default NULLS placement, so that the (field,
		 * id) indexes serve both directions. */
		kore_buf_appendf(s->text, " ORDER BY %s %s, t.id %s",
		    q->sort->expr, q->reverse ? "DESC" : "ASC",
		    q->reverse ? "DESC" : "ASC");
	} else {
		kore_buf_appendf(s->text, " ORDER BY t.id DESC");
	}
}

/*
 * The words shown for a stored value of an enum field, or NULL when it
 * is not one of its choices.
 */
const char *
field_option_label(const struct field *f, const char *value)
{
	return (choice_label(f->options, value));
}

/*
 * The stored value of a choice of an enum field given as that value or
 * as its words (in any case), or NULL when it is neither.
 */
const char *
field_option_value(const struct field *f, const char *v)
{
	const char *const	*o;

	for (o = f->options; o != NULL && o[0] != NULL && o[1] != NULL;
	    o += 2) {
		if (strcmp(o[0], v) == 0 || strcasecmp(o[1], v) == 0)
			return (o[0]);
	}

	return (NULL);
}

/* s inside a SQL string literal: each quote doubled. */
static void
sql_quoted(struct kore_buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		kore_buf_append(b, *s == '\'' ? "''" : s, *s == '\'' ? 2 : 1);
}

/*
 * A field's value as the pages show it, as SQL text: a time to the
 * second in UTC ("2024-05-01 14:03:27 UTC"), an enum's choice in the
 * words staff use ("SaaS", "Premium trial"), anything else as it is.
 * The choices come from the descriptors, never from a request.
 */
void
list_select_value(struct kore_buf *b, const struct field *f)
{
	const char *const	*o;

	if (f->type == FT_TIME) {
		kore_buf_appendf(b, "to_char((%s) AT TIME ZONE 'UTC', "
		    "'YYYY-MM-DD HH24:MI:SS \"UTC\"')", f->expr);
		return;
	}
	if (f->type != FT_ENUM || f->options == NULL) {
		kore_buf_appendf(b, "(%s)::text", f->expr);
		return;
	}

	kore_buf_appendf(b, "CASE (%s)::text", f->expr);
	for (o = f->options; o[0] != NULL && o[1] != NULL; o += 2) {
		kore_buf_appendf(b, " WHEN '");
		sql_quoted(b, o[0]);
		kore_buf_appendf(b, "' THEN '");
		sql_quoted(b, o[1]);
		kore_buf_appendf(b, "'");
	}
	kore_buf_appendf(b, " ELSE (%s)::text END", f->expr);
}

/*
 * SELECT the fields that carry flag (F_LIST or F_SHOW), each as the text
 * shown (list_select_value()), then their link ids, then the badge, then
 * the record's title.
 */
void
list_select(struct sql *s, const struct resource *res, int flag)
{
	const struct field	*f;

	kore_buf_appendf(s->text, "SELECT t.id");
	for (f = res->fields; f->name != NULL; f++) {
		if (!(f->flags & flag))
			continue;
		kore_buf_appendf(s->text, ", ");
		list_select_value(s->text, f);
		if (f->link != NULL)
			kore_buf_appendf(s->text, ", (%s)::text",
			    f->link_expr);
	}
	kore_buf_appendf(s->text, ", %s", res->badge_expr != NULL ?
	    res->badge_expr : "false");
	kore_buf_appendf(s->text, ", (%s)::text FROM %s", res->title_expr,
	    res->from);
}

/*
 * The value in column col of a row, NULL when it is NULL, for a result
 * whose columns are placed by position rather than named: list_select()
 * lays out t.id, then each field's value followed by its link id when it
 * links, then the badge and the title; an edit descriptor's expressions
 * come in its order.
 */
const char *
list_value(PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return (NULL);
	return (PQgetvalue(res, row, col));
}

/*
 * The list's query string with one thing changed: a sort ("sort" with
 * value "field" or "field!" for reversed), a page ("page"), a filter
 * dropped ("drop" with its index), or nothing.  Returns a kore_malloc'd
 * string starting with '?' (or "" for nothing).
 */
char *
list_query_string(const struct list_query *q, const char *what,
    const char *value, int index)
{
	struct kore_buf			*b;
	const struct list_filter	*lf;
	const char			*sort;
	int				 i, j, reverse;
	long				 page;
	size_t				 len;
	char				 num[32];

	b = kore_buf_alloc(256);
	if (q->search != NULL && *q->search != '\0') {
		kore_buf_appendf(b, "&query=");
		url_append(b, q->search);
	}

	for (i = 0; i < q->nfilters; i++) {
		if (what != NULL && strcmp(what, "drop") == 0 && i == index)
			continue;
		lf = &q->filters[i];
		kore_buf_appendf(b, "&f%%5B%s%%5D%%5B%s%%5D%%5Bo%%5D=%s",
		    lf->field->name, lf->n, lf->op);
		if (lf->v != NULL && lf->v2 == NULL &&
		    lf->field->type != FT_ENUM) {
			kore_buf_appendf(b, "&f%%5B%s%%5D%%5B%s%%5D%%5Bv%%5D=",
			    lf->field->name, lf->n);
			url_append(b, lf->v);
		} else if (lf->v2 != NULL) {
			kore_buf_appendf(b, "&f%%5B%s%%5D%%5B%s%%5D%%5Bv%%5D"
			    "%%5B%%5D=", lf->field->name, lf->n);
			url_append(b, lf->v != NULL ? lf->v : "");
			kore_buf_appendf(b, "&f%%5B%s%%5D%%5B%s%%5D%%5Bv%%5D"
			    "%%5B%%5D=", lf->field->name, lf->n);
			url_append(b, lf->v2);
		} else {
			for (j = 0; j < lf->nvs; j++) {
				kore_buf_appendf(b, "&f%%5B%s%%5D%%5B%s%%5D"
				    "%%5Bv%%5D%%5B%%5D=", lf->field->name,
				    lf->n);
				url_append(b, lf->vs[j]);
			}
		}
	}

	sort = q->sort != NULL ? q->sort->name : NULL;
	reverse = q->reverse;
	if (what != NULL && strcmp(what, "sort") == 0) {
		sort = value;
		reverse = index;
	}
	if (sort != NULL) {
		kore_buf_appendf(b, "&sort=%s&sort_reverse=%s", sort,
		    reverse ? "true" : "false");
	}

	page = 1;
	if (what != NULL && strcmp(what, "page") == 0)
		page = index;
	else if (what == NULL)
		page = q->page;
	if (page > 1) {
		(void)snprintf(num, sizeof(num), "&page=%ld", page);
		kore_buf_appendf(b, "%s", num);
	}

	if (b->offset > 0)
		b->data[0] = '?';
	(void)kore_buf_stringify(b, NULL);

	return ((char *)kore_buf_release(b, &len));
}

/* The filter rows of the "Add filter" form, and a new one if asked. */
json_t *
list_filters_view(const struct list_query *q)
{
	json_t	*rows;
	int	 i;

	rows = json_array();
	for (i = 0; i < q->nfilters; i++) {
		json_array_append_new(rows, filter_row_view(q,
		    q->filters[i].field, &q->filters[i], i));
	}
	if (q->add != NULL) {
		json_array_append_new(rows, filter_row_view(q,
		    resource_field(q->res, q->add), NULL, q->nfilters));
	}

	return (rows);
}

/* A row of the form: filter i (lf), or a new one on f (lf NULL). */
static json_t *
filter_row_view(const struct list_query *q, const struct field *f,
    const struct list_filter *lf, int i)
{
	json_t	*row;
	char	*drop, fresh[16];

	/* A new row gets an index no other row of the form uses. */
	if (lf == NULL)
		(void)snprintf(fresh, sizeof(fresh), "x%d", q->nfilters);

	row = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:b, "
	    "s:b, s:b, s:b, s:s}",
	    "field", f->name, "label", f->label,
	    "n", lf != NULL ? lf->n : fresh,
	    "ops", filter_ops_view(f, lf),
	    "options", filter_options_view(f, lf),
	    "value", lf != NULL && lf->v != NULL ? lf->v : "",
	    "value2", lf != NULL && lf->v2 != NULL ? lf->v2 : "",
	    "is_enum", f->type == FT_ENUM,
	    "is_bool", f->type == FT_BOOL,
	    "is_date", f->type == FT_DATE || f->type == FT_TIME,
	    "is_text", f->type == FT_TEXT,
	    "input", (f->type == FT_DATE || f->type == FT_TIME) ?
	    "date" : (f->type == FT_INT || f->type == FT_DECIMAL) ?
	    "text" : "search");
	if (lf != NULL) {
		drop = list_query_string(q, "drop", NULL, i);
		json_object_set_new(row, "remove_href",
		    json_sprintf("%s%s", resource_path(q->res), drop));
		kore_free(drop);
	}

	return (row);
}

/* The operators of f's type, the filter's selected. */
static json_t *
filter_ops_view(const struct field *f, const struct list_filter *lf)
{
	const struct op	*o;
	json_t		*ops;

	ops = json_array();
	for (o = ops_for(f->type); o->name != NULL; o++) {
		json_array_append_new(ops, option_view(o->name, o->label,
		    lf != NULL && strcmp(lf->op, o->name) == 0));
	}

	return (ops);
}

/* The choices of an enum or yes/no field, the filter's selected. */
static json_t *
filter_options_view(const struct field *f, const struct list_filter *lf)
{
	json_t		*opts;
	size_t		 k;
	int		 j, sel;

	opts = json_array();
	for (k = 0; f->type == FT_ENUM && f->options[k] != NULL &&
	    f->options[k + 1] != NULL; k += 2) {
		sel = 0;
		for (j = 0; lf != NULL && j < lf->nvs; j++)
			sel |= strcmp(lf->vs[j], f->options[k]) == 0;
		json_array_append_new(opts, option_view(f->options[k],
		    f->options[k + 1], sel));
	}
	if (f->type == FT_BOOL) {
		json_array_append_new(opts, option_view("true", "Yes",
		    lf != NULL && lf->v != NULL && strcmp(lf->v, "true") == 0));
		json_array_append_new(opts, option_view("false", "No",
		    lf != NULL && lf->v != NULL &&
		    strcmp(lf->v, "false") == 0));
	}

	return (opts);
}
