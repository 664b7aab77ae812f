/*
 * Resources are data: each screen of the panel is described once (its
 * table, its fields with their types and what may be done with them, its
 * related lists), and one list engine builds the SQL, runs it and fills
 * the view model for the list, show, history and export pages.
 *
 * Every identifier that reaches SQL comes from these descriptors; every
 * value from a request is a $n parameter.
 */

#ifndef CDOT_RESOURCE_H
#define CDOT_RESOURCE_H

#include "app.h"

enum field_type {
	FT_TEXT,
	FT_INT,
	FT_DECIMAL,
	FT_DATE,
	FT_TIME,
	FT_BOOL,
	FT_ENUM,
};

/* What may be done with a field. */
#define F_LIST		0x01	/* a column of the list */
#define F_SHOW		0x02	/* on the show page and in exports */
#define F_SEARCH	0x04	/* matched by the search box */
#define F_FILTER	0x08	/* offered by "Add filter" */
#define F_SORT		0x10	/* the list can be sorted on it */
#define F_HIDDEN	0x20	/* filterable (related lists) but not offered */
#define F_MASKED	0x40	/* shown as "•••• " + value (last digits) */

#define F_COL		(F_LIST | F_SHOW | F_FILTER | F_SORT)

/*
 * A link on a row of a list, offered where its condition holds (SQL over
 * the list's FROM, e.g. "t.status = 'active'"; NULL: on every row).  Its
 * href's "{id}" stands for the row's id.
 */
struct row_action {
	const char		*name;		/* data-action */
	const char		*label;
	const char		*href;
	const char		*when;
	const char		*icon;		/* shown instead of the label */
};

struct field {
	const char		*name;
	const char		*label;
	const char		*expr;
	enum field_type		 type;
	int			 flags;
	/* FT_ENUM: pairs of the stored value (filters, URLs) and the
	 * words shown for it, ending with NULL. */
	const char *const	*options;
	const char		*link;		/* resource the value links to */
	const char		*link_expr;	/* SQL: id of the linked record */
};

struct related {
	const char		*label;
	const char		*resource;
	const char		*field;		/* filter field over there */
	/* SQL giving that field's value from this record's id ($1); NULL
	 * means the value is this record's id. */
	const char		*value_sql;
};

struct resource {
	const char		*name;		/* URL segment */
	const char		*label;		/* plural */
	const char		*singular;
	const char		*table;		/* versions.item_type */
	const char		*from;		/* FROM clause; the table is "t" */
	const char		*title_expr;	/* a record's name */
	const char		*default_sort;
	int			 default_reverse;
	const struct field	*fields;	/* ends with a NULL name */
	const struct related	*related;	/* ends with a NULL label */
	const char		*badge_expr;	/* boolean SQL, or NULL */
	const char		*badge_label;
	const char		*path;		/* list URL if not /admin/<name> */
	const char		*note;		/* shown above the list */
	/* A link out of the show page to the version service:
	 * version_base_url + lookup_fmt, whose {id} is the record's. */
	const char		*lookup_label;
	const char		*lookup_fmt;
	/* A lower-cased column of all the text F_SEARCH fields (see
	 * sql/migrations/010_search_text.sql): searched instead of them. */
	const char		*search_expr;
	/* A table of the search column's distinct values (column
	 * search_text, with the search column's indexes), or NULL: a table
	 * whose rows repeat few values (license seat links, migration 023)
	 * is searched among those first, then read by its btree on the
	 * column.  Its searchable fields are then text only, and it has no
	 * bigram_expr. */
	const char		*search_values;
	/* Codes of the search column's two-character pairs, indexed with it
	 * (migration 015), or NULL: lets a two-character word use the index
	 * beside longer ones ("Li Nguyen"). */
	const char		*bigram_expr;
	/* Text fields matched by filters against a stored lower-cased copy
	 * (pairs: the field's name, then the copy's SQL; ends with NULL),
	 * e.g. reconciliations' error_message (migration 012). */
	const char *const	*lower_copies;
	/*
	 * A list of another menu (Support's) over the records of the
	 * resource named here, whose pages show and tell the history of its
	 * rows.  It is listed by its own route (and its access) through
	 * list_screen_page(), never by /admin/<name>.
	 */
	const char		*records;
	const struct row_action	*row_actions;	/* ends with a NULL name */
	const char		*new_href;	/* an "Add new" button */
	const char		*new_label;
	/* The filters when a request names none (a query string). */
	const char		*default_query;
	/* A warning above the list when this returns one, or NULL. */
	const char		*(*alert)(void);
};

/*
 * Writing a resource (app/resources/): every option of a field has a
 * default, so a line states only what differs.  A field's SQL is its
 * column "t.<name>":
 *
 *	TEXT(first_name, "First name", F_COL | F_SEARCH),
 *	BOOL(po_required, "PO required", F_COL),
 *	ENUM(status, "Status", F_COL, TRIAL_STATUSES),
 *	INT(customer_id, "Customer ID", F_HIDDEN),
 *
 * or, computed or read from a joined table, the SQL given after the
 * label (TEXT_AS, DATE_AS).  What follows the flags is designated
 * initialisers, e.g. LINK(resource, SQL of the linked id).
 *
 * The name and label may come from one macro, so that a field both
 * listed and edited is named once for both:
 *
 *	#define FIRST_NAME	first_name, "First name"
 *	TEXT(FIRST_NAME, F_COL | F_SEARCH),	(the list, the show page)
 *	INPUT(FIRST_NAME, FORM_TEXT, .max = 255),	(the form, admin/form.h)
 */
#define FIELD_AS(ty, n, l, sql, fl, ...)				\
	{ .name = #n, .label = l, .expr = sql, .type = ty, .flags = fl,	\
	    __VA_ARGS__ }
#define FIELD(ty, n, l, fl, ...)					\
	FIELD_AS(ty, n, l, "t." #n, fl, __VA_ARGS__)

#define TEXT(...)	FIELD(FT_TEXT, __VA_ARGS__)
#define INT(...)	FIELD(FT_INT, __VA_ARGS__)
#define DECIMAL(...)	FIELD(FT_DECIMAL, __VA_ARGS__)
#define DATE(...)	FIELD(FT_DATE, __VA_ARGS__)
#define TIME(...)	FIELD(FT_TIME, __VA_ARGS__)
#define BOOL(...)	FIELD(FT_BOOL, __VA_ARGS__)
#define TEXT_AS(...)	FIELD_AS(FT_TEXT, __VA_ARGS__)
#define DATE_AS(...)	FIELD_AS(FT_DATE, __VA_ARGS__)
/* The choices: an X-macro list of X(value, words), see OPTIONS. */
#define ENUM(...)	ENUM_(__VA_ARGS__)
#define ENUM_(n, l, fl, LIST)						\
	FIELD(FT_ENUM, n, l, fl, .options = OPTIONS(LIST))
#define LINK(resource, id_sql)	.link = (resource), .link_expr = (id_sql)

/* An enum's choices from its X-macro list: value, words, ..., NULL. */
#define OPTION(value, words)	value, words,
#define OPTIONS(LIST)		((const char *const []){ LIST(OPTION) NULL })
/* SQL: the words for the value of expr (text), itself if it has none. */
#define OPTION_WHEN(value, words) " WHEN '" value "' THEN '" words "'"
#define LABEL_SQL(expr, LIST)						\
	"CASE " expr LIST(OPTION_WHEN) " ELSE (" expr ")::text END"

/*
 * A record of another resource: shown as sql, a link to it through
 * t.<id>, and that id as a hidden filter (the related lists of the
 * other resource filter on it).  Two fields.
 */
#define BELONGS_TO(n, l, sql, fl, resource, id, id_label)		\
	TEXT_AS(n, l, sql, fl, LINK(#resource, "t." #id)),		\
	INT(id, id_label, F_HIDDEN)

/*
 * The first options of a resource: its URL segment, which is also its
 * table (and versions.item_type), its label and a record's; the list's
 * order when none is asked for, by a field, the newest first.
 */
#define RESOURCE(n, l, one)						\
	.name = #n, .label = l, .singular = one, .table = #n
#define NEWEST_FIRST(field)						\
	.default_sort = #field, .default_reverse = 1

/* The fields most tables have, and the end of a list of fields. */
#define ID		INT(id, "ID", F_COL)
#define CREATED		TIME(created_at, "Created at", F_COL)
#define UPDATED		TIME(updated_at, "Updated at",			\
		    F_SHOW | F_FILTER | F_SORT)
#define END_FIELDS	{ .name = NULL }
#define END_RELATED	{ .label = NULL }

#define LIST_FILTERS_MAX	16
/* Values in all the filters of a list. */
#define LIST_FILTER_VALUES_MAX	32
#define LIST_WORDS_MAX		8
#define LIST_WORD_MAX		100
#define LIST_PER_PAGE		25
#define LIST_COUNT_MAX		1000
#define LIST_VALUES_MAX		1000
#define LIST_PAGE_MAX		400
#define LIST_ERR		256

struct list_filter {
	const struct field	*field;
	char			 n[16];
	char			 op[16];
	const char		*v;
	const char		*v2;
	const char		*vs[32];	/* enum values */
	int			 nvs;
};

struct list_query {
	const struct resource	*res;
	const char		*search;
	struct list_filter	 filters[LIST_FILTERS_MAX];
	int			 nfilters;
	const struct field	*sort;
	int			 reverse;
	long			 page;
	int			 per;
	const char		*add;		/* "Add filter" field name */
	const struct trgm_stats	*trgm;	/* res's search column's */
	/* The search column's values that match, for a resource with a
	 * table of them: a text[] literal, how many (-1: not known, or more
	 * than LIST_VALUES_MAX). */
	char			*values;
	int			 nvalues;
	char			 error[LIST_ERR];
};

/* A SQL statement being built, with its parameters. */
#define SQL_PARAMS_MAX		72

/* A list's statement: its filters' values, up to 4 parameters a search
 * word (two trigrams, the word, the word as a number), the page's ids and
 * offset. */
_Static_assert(LIST_FILTER_VALUES_MAX + 4 * LIST_WORDS_MAX + 2 <=
    SQL_PARAMS_MAX, "a list's statement could take too many parameters");

struct sql {
	struct kore_buf		*text;
	const char		*params[SQL_PARAMS_MAX];
	char			*owned[SQL_PARAMS_MAX];
	int			 nparams;
	/* Searches and filters: the best plan depends on the values (how
	 * rare a word is), so PostgreSQL plans it each time; any other
	 * statement is prepared once (db_exec_cached()). */
	int			 by_value;
};

extern const struct resource	*resources[];

/* admin/resources_find.c */
const struct resource	*resource_find(const char *);
const struct field	*resource_field(const struct resource *,
			    const char *);
const char		*resource_path(const struct resource *);

/* admin/query.c: the list SQL */
int	 list_query_parse(struct app_req *, struct list_query *,
	    const struct resource *, const struct params *);
void	 list_query_free(struct list_query *);
void	 list_where(struct sql *, const struct list_query *);
int	 list_search_joins(const struct resource *);
void	 list_order(struct sql *, const struct list_query *);
void	 list_select(struct sql *, const struct resource *, int);
void	 list_select_value(struct kore_buf *, const struct field *);
const char	*list_value(PGresult *, int, int);
const char	*field_option_label(const struct field *, const char *);
const char	*field_option_value(const struct field *, const char *);
char	*list_query_string(const struct list_query *, const char *,
	    const char *, int);
json_t	*list_filters_view(const struct list_query *);

/* Edit links and actions for editors (admin/record_actions.c). */
void	 edit_show_decorate(struct app_req *, const struct resource *,
	    const char *, json_t *);
void	 edit_list_decorate(struct app_req *, const struct resource *,
	    json_t *);

int	 page_list(struct http_request *, struct app_req *);

/* Lists of other menus (resources/registry.c); ends with NULL. */
extern const struct resource	*list_screens[];
const struct resource	*list_screen_find(const char *);
int	 list_screen_page(struct http_request *, struct app_req *,
	    const struct resource *);
void	 list_screen_decorate(struct app_req *, const struct resource *,
	    json_t *);
int	 page_show(struct http_request *, struct app_req *);
int	 page_history(struct http_request *, struct app_req *);
int	 page_export(struct http_request *, struct app_req *);

/* How common each trigram is in a search column (admin/search_stats.c). */
struct trgm_stats;
const struct trgm_stats	*trgm_stats_get(struct app_req *,
			    const struct resource *);
int			 trgm_stats_pick(const struct trgm_stats *,
			    const char *, size_t, char [2][4]);

void		 sql_init(struct sql *);
void		 sql_free(struct sql *);
int		 sql_param(struct sql *, const char *);
int		 sql_param_own(struct sql *, char *);
char		*sql_like_pattern(const char *, size_t, int, int);
PGresult	*sql_exec(struct app_req *, struct sql *);

/* A history page's ?page= (-1 when bad), and one versions row as the
 * history pages show it (admin/history.c); the customer timeline's too. */
long		 history_page(struct app_req *);
void		 history_pager(json_t *, long, int);
json_t		*history_event(const struct resource *, PGresult *, int);

/* A customer's timeline: the history of their records (admin/timeline.c). */
int		 page_customer_timeline(struct http_request *,
		    struct app_req *);
void		 customer_timeline_panel(struct app_req *, const char *,
		    json_t *);

#endif
