/*
 * How common each trigram is in a resource's search column, so that a
 * search word goes to the trigram index by its rarest trigrams only.
 *
 * pg_trgm answers LIKE '%word%' by intersecting the posting lists of all
 * of the word's trigrams, and the common ones cost far more than they
 * narrow: "graniteware" read "are", "war" and "ran" (60,000, 53,000 and
 * 36,000 of a million customers) to find 420, where "tew" alone (1,600)
 * finds the same rows once strpos() has checked them.
 *
 * Which trigram is rare comes from a sample of the rows (about
 * SAMPLE_ROWS), taken by each worker on its first search of a resource
 * and again after STATS_TTL seconds: a stale or unlucky sample costs time,
 * never a wrong answer, as every word is still checked whole.  Only
 * trigrams of ASCII letters and digits are counted, and chosen.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "admin/resource.h"

#define TRGM_SYMBOLS	36			/* a-z, 0-9 */
#define TRGM_SLOTS	(TRGM_SYMBOLS * TRGM_SYMBOLS * TRGM_SYMBOLS)
#define SAMPLE_ROWS	10000
#define STATS_TTL	3600
#define STATS_RETRY	60			/* after a failed sample */
#define STATS_MAX	16			/* resources with a column */

/*
 * A trigram in more than this share of the rows (per thousand) narrows
 * too little alone: the next rarest is added.
 */
#define ALONE_MAX_PERMILLE	10

/*
 * Nor in more rows than this, each of which the search reads from the
 * table to check: at tens of millions of rows (license seat links) a
 * trigram in 0.2% of them is 40,000 rows to read.  The next rarest is
 * then added if it is in at most NEXT_MAX_PERMILLE of the rows: the
 * index reads its rows' list whole, and a common one costs more than
 * the rows it spares.
 */
#define ALONE_MAX_ROWS		20000
#define NEXT_MAX_PERMILLE	50

struct trgm_stats {
	const struct resource	*res;
	time_t			 taken;
	u_int32_t		 sampled;	/* rows; 0: no sample */
	double			 table_rows;	/* the table's, estimated */
	u_int16_t		*rows;	/* per trigram, rows with it */
};

struct trgm_pick {
	int		 at;
	u_int16_t	 rows;
};

static struct trgm_stats	stats[STATS_MAX];
static int			nstats = 0;

static int	 symbol(unsigned char);
static int	 trgm_slot(const char *);
static void	 stats_take(struct app_req *, struct trgm_stats *);
static void	 stats_count(struct trgm_stats *, PGresult *, u_int32_t *);
static int	 pick_cmp(const void *, const void *);
static void	 trgm_copy(char [4], const char *);
static double	 pick_permille(const struct trgm_stats *,
		    const struct trgm_pick *);

/* A lower-cased letter or digit's index, or -1. */
static int
symbol(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		return (c - 'a');
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= '0' && c <= '9')
		return (26 + c - '0');
	return (-1);
}

/* The slot of the three characters at p, or -1 if one is not counted. */
static int
trgm_slot(const char *p)
{
	int	a, b, c;

	if ((a = symbol(p[0])) == -1 || (b = symbol(p[1])) == -1 ||
	    (c = symbol(p[2])) == -1)
		return (-1);

	return ((a * TRGM_SYMBOLS + b) * TRGM_SYMBOLS + c);
}

/*
 * The statistics of res's search column, sampled now if they are missing
 * or old, or NULL when res has no search column or no sample could be
 * taken.
 */
const struct trgm_stats *
trgm_stats_get(struct app_req *ctx, const struct resource *res)
{
	struct trgm_stats	*st;
	time_t			 now;
	int			 i;

	if (res->search_expr == NULL)
		return (NULL);

	st = NULL;
	for (i = 0; i < nstats; i++) {
		if (stats[i].res == res) {
			st = &stats[i];
			break;
		}
	}
	if (st == NULL) {
		if (nstats == STATS_MAX)
			return (NULL);
		st = &stats[nstats++];
		st->res = res;
		st->taken = 0;
		st->sampled = 0;
		st->rows = kore_calloc(TRGM_SLOTS, sizeof(*st->rows));
	}

	now = time(NULL);
	if (st->taken == 0 ||
	    now - st->taken >= (st->sampled > 0 ? STATS_TTL : STATS_RETRY))
		stats_take(ctx, st);

	return (st->sampled > 0 ? st : NULL);
}

/*
 * Read about SAMPLE_ROWS rows' search text (whole pages picked at random:
 * TABLESAMPLE SYSTEM) and count, for each trigram, the rows holding it.
 */
static void
stats_take(struct app_req *ctx, struct trgm_stats *st)
{
	struct kore_buf	*sql;
	PGresult	*res;
	u_int32_t	*seen;
	char		 rows[16];
	const char	*params[2], *table;

	st->taken = time(NULL);
	st->sampled = 0;
	/* The values a search reads first, when the column has a table of
	 * them. */
	table = st->res->search_values != NULL ? st->res->search_values :
	    st->res->table;

	/*
	 * The table's name comes from the descriptor, never from a request.
	 * A table never analyzed says it has no rows and is read whole: the
	 * LIMIT bounds what that costs.
	 */
	sql = kore_buf_alloc(256);
	kore_buf_appendf(sql, "SELECT %s AS search_text, (SELECT reltuples "
	    "FROM pg_class WHERE oid = $2::regclass) AS table_rows FROM %s t "
	    "TABLESAMPLE SYSTEM ((SELECT "
	    "least(100, 100 * $1::float8 / greatest(reltuples, 1)) FROM "
	    "pg_class WHERE oid = $2::regclass)) LIMIT %d",
	    st->res->search_expr, table, SAMPLE_ROWS * 3);
	(void)snprintf(rows, sizeof(rows), "%d", SAMPLE_ROWS);
	params[0] = rows;
	params[1] = table;
	res = db_exec(ctx, kore_buf_stringify(sql, NULL), 2, params);
	kore_buf_free(sql);
	if (res == NULL)
		return;

	seen = kore_calloc(TRGM_SLOTS, sizeof(*seen));
	stats_count(st, res, seen);
	kore_free(seen);
	PQclear(res);
}

/* seen[slot] is the last row (from 1) counted for the slot. */
static void
stats_count(struct trgm_stats *st, PGresult *res, u_int32_t *seen)
{
	const char	*text;
	int		 i, n, len, k, slot, col;

	memset(st->rows, 0, TRGM_SLOTS * sizeof(*st->rows));
	col = PQfnumber(res, "search_text");
	n = PQntuples(res);
	if (n > UINT16_MAX)
		n = UINT16_MAX;
	for (i = 0; i < n; i++) {
		if (PQgetisnull(res, i, col))
			continue;
		text = PQgetvalue(res, i, col);
		len = PQgetlength(res, i, col);
		for (k = 0; k + 3 <= len; k++) {
			if ((slot = trgm_slot(text + k)) == -1 ||
			    seen[slot] == (u_int32_t)i + 1)
				continue;
			seen[slot] = i + 1;
			st->rows[slot]++;
		}
	}
	st->sampled = n;
	st->table_rows = n > 0 ? strtod(DB_COL(res, 0, "table_rows"), NULL) :
	    0;
}

static int
pick_cmp(const void *a, const void *b)
{
	const struct trgm_pick	*x = a, *y = b;

	if (x->rows != y->rows)
		return (x->rows < y->rows ? -1 : 1);
	return (x->at - y->at);
}

/*
 * The trigrams of the word w (len bytes) to give the index: its rarest
 * one, and when that one is common, the rarest of the others that does
 * not overlap it (overlapping trigrams come together: "guy" and "uye").
 * Each is written lower-cased, NUL-terminated, to out; returns how many
 * (0: let pg_trgm take the whole word, as for a word of three characters
 * or one without sampled trigrams).
 */
int
trgm_stats_pick(const struct trgm_stats *st, const char *w, size_t len,
    char out[2][4])
{
	struct trgm_pick	 picks[LIST_WORD_MAX];
	size_t			 i;
	double			 permille, next_max;
	int			 n, k, slot;

	if (st == NULL || len < 4 || len > LIST_WORD_MAX)
		return (0);

	n = 0;
	for (i = 0; i + 3 <= len; i++) {
		if ((slot = trgm_slot(w + i)) == -1)
			continue;
		picks[n].at = (int)i;
		picks[n].rows = st->rows[slot];
		n++;
	}
	if (n < 2)
		return (0);
	qsort(picks, n, sizeof(picks[0]), pick_cmp);

	trgm_copy(out[0], w + picks[0].at);
	if ((permille = pick_permille(st, &picks[0])) > ALONE_MAX_PERMILLE)
		next_max = 1000;
	else if (st->table_rows * permille / 1000 > ALONE_MAX_ROWS)
		next_max = NEXT_MAX_PERMILLE;
	else
		return (1);

	/* The rarest of the others not overlapping the first, if any. */
	for (k = 1; k < n; k++) {
		if (abs(picks[k].at - picks[0].at) < 3)
			continue;
		if (pick_permille(st, &picks[k]) > next_max)
			break;
		trgm_copy(out[1], w + picks[k].at);
		return (2);
	}

	return (1);
}

/* The share of the sampled rows (per thousand) holding p's trigram. */
static double
pick_permille(const struct trgm_stats *st, const struct trgm_pick *p)
{
	return ((double)p->rows * 1000 / st->sampled);
}

/* The three characters at p, lower-cased, as a string. */
static void
trgm_copy(char out[4], const char *p)
{
	int	i;

	for (i = 0; i < 3; i++)
		out[i] = (char)tolower((unsigned char)p[i]);
	out[3] = '\0';
}
