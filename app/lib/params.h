/*
 * application/x-www-form-urlencoded parsing for query strings and form
 * bodies.  Kore keeps only parameters that a params block declares, and
 * its decoder refuses control characters (a textarea's newlines among
 * them); the admin panel's filters have open-ended names
 * (f[field][n][o]), so requests are parsed here, with bounds, into an
 * ordered list that keeps repeated keys.  No Kore dependency.
 */

#ifndef CDOT_PARAMS_H
#define CDOT_PARAMS_H

#include <stddef.h>

#define PARAMS_MAX		512
#define PARAMS_KEY_MAX		256
#define PARAMS_VALUE_MAX	(64 * 1024)
#define PARAMS_ERRLEN		128

struct param {
	char		*key;
	char		*val;
};

struct params {
	struct param	*v;
	size_t		 n;
	size_t		 cap;
};

void		 params_init(struct params *);
int		 params_parse(struct params *, const char *, size_t,
		    char *, size_t);
const char	*params_get(const struct params *, const char *);
int		 params_add(struct params *, const char *, const char *);
void		 params_free(struct params *);
int		 params_urldecode(char *, size_t *);
int		 params_utf8_valid(const char *, size_t);
void		 params_utf8_repair(char *);

#endif
