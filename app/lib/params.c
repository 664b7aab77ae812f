/*
 * Bounded urlencoded parser.  See lib/params.h.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/params.h"

static int	hexval(int);

void
params_init(struct params *p)
{
	p->v = NULL;
	p->n = 0;
	p->cap = 0;
}

void
params_free(struct params *p)
{
	size_t		i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].key);
		free(p->v[i].val);
	}
	free(p->v);
	params_init(p);
}

int
params_add(struct params *p, const char *key, const char *val)
{
	struct param	*nv;
	size_t		 ncap;

	if (p->n == PARAMS_MAX)
		return (-1);

	if (p->n == p->cap) {
		ncap = p->cap == 0 ? 16 : p->cap * 2;
		if ((nv = reallocarray(p->v, ncap, sizeof(*nv))) == NULL)
			return (-1);
		p->v = nv;
		p->cap = ncap;
	}

	if ((p->v[p->n].key = strdup(key)) == NULL)
		return (-1);
	if ((p->v[p->n].val = strdup(val)) == NULL) {
		free(p->v[p->n].key);
		return (-1);
	}
	p->n++;

	return (0);
}

/* The first value of key, or NULL. */
const char *
params_get(const struct params *p, const char *key)
{
	size_t		i;

	for (i = 0; i < p->n; i++) {
		if (strcmp(p->v[i].key, key) == 0)
			return (p->v[i].val);
	}

	return (NULL);
}

/*
 * Parse "a=1&b=2" (len bytes, need not be NUL-terminated) and append the
 * pairs.  A pair without '=' has an empty value.  Returns -1 with a
 * message a person can act on for anything malformed or over the limits;
 * what was appended before the error stays, so callers throw it all away.
 */
int
params_parse(struct params *p, const char *src, size_t len, char *err,
    size_t errlen)
{
	const char	*pair, *end, *amp, *eq;
	char		*key, *val;
	size_t		 klen, vlen;

	end = src + len;
	for (pair = src; pair < end; pair = amp + 1) {
		if ((amp = memchr(pair, '&', (size_t)(end - pair))) == NULL)
			amp = end;
		if (amp == pair)
			continue;

		if ((eq = memchr(pair, '=', (size_t)(amp - pair))) == NULL)
			eq = amp;

		klen = (size_t)(eq - pair);
		vlen = eq < amp ? (size_t)(amp - eq - 1) : 0;

		if (klen == 0) {
			snprintf(err, errlen, "a parameter has no name");
			return (-1);
		}
		if (klen > PARAMS_KEY_MAX * 3 || vlen > PARAMS_VALUE_MAX * 3) {
			snprintf(err, errlen, "a parameter is too long");
			return (-1);
		}
		if (p->n == PARAMS_MAX) {
			snprintf(err, errlen, "more than %d parameters",
			    PARAMS_MAX);
			return (-1);
		}

		key = strndup(pair, klen);
		val = strndup(eq < amp ? eq + 1 : "", vlen);
		if (key == NULL || val == NULL) {
			free(key);
			free(val);
			snprintf(err, errlen, "out of memory");
			return (-1);
		}

		if (params_urldecode(key, &klen) == -1 ||
		    params_urldecode(val, &vlen) == -1) {
			free(key);
			free(val);
			snprintf(err, errlen, "a parameter is not validly "
			    "encoded (bad %%-escape, NUL byte or invalid "
			    "UTF-8)");
			return (-1);
		}

		if (klen > PARAMS_KEY_MAX || vlen > PARAMS_VALUE_MAX) {
			free(key);
			free(val);
			snprintf(err, errlen, "a parameter is too long");
			return (-1);
		}

		if (params_add(p, key, val) == -1) {
			free(key);
			free(val);
			snprintf(err, errlen, "out of memory");
			return (-1);
		}
		free(key);
		free(val);
	}

	return (0);
}

/*
 * Decode in place: '+' is a space, %XX a byte.  Refuses malformed
 * escapes, NUL bytes and invalid UTF-8; other control characters (tab,
 * newline) are kept, as forms legitimately send them.
 */
int
params_urldecode(char *s, size_t *len)
{
	char		*in, *out;
	int		 hi, lo;

	for (in = out = s; *in != '\0'; in++) {
		if (*in == '+') {
			*out++ = ' ';
			continue;
		}
		if (*in != '%') {
			*out++ = *in;
			continue;
		}
		if ((hi = hexval(in[1])) == -1 || (lo = hexval(in[2])) == -1)
			return (-1);
		if (hi == 0 && lo == 0)
			return (-1);
		*out++ = (char)(hi << 4 | lo);
		in += 2;
	}
	*out = '\0';
	*len = (size_t)(out - s);

	return (params_utf8_valid(s, *len) ? 0 : -1);
}

/*
 * The length of the well-formed UTF-8 sequence at p (e is the end), or 0:
 * no overlongs, no surrogates, nothing past U+10FFFF.
 */
static size_t
utf8_seq(const uint8_t *p, const uint8_t *e)
{
	uint32_t	 cp;
	int		 n, i;

	if (*p < 0x80)
		return (1);

	if ((*p & 0xe0) == 0xc0) {
		n = 1;
		cp = *p & 0x1f;
	} else if ((*p & 0xf0) == 0xe0) {
		n = 2;
		cp = *p & 0x0f;
	} else if ((*p & 0xf8) == 0xf0) {
		n = 3;
		cp = *p & 0x07;
	} else {
		return (0);
	}

	if (e - p <= n)
		return (0);
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return (0);
		cp = (cp << 6) | (p[i] & 0x3f);
	}

	if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
	    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return (0);

	return (n + 1);
}

/* Whether the len bytes at s are well-formed UTF-8 throughout. */
int
params_utf8_valid(const char *s, size_t len)
{
	const uint8_t	*p, *e;
	size_t		 n;

	p = (const uint8_t *)s;
	e = p + len;
	while (p < e) {
		if ((n = utf8_seq(p, e)) == 0)
			return (0);
		p += n;
	}

	return (1);
}

/*
 * Drop from s, in place, every byte that does not belong to a well-formed
 * sequence: what is left of a character that a bounded copy (%.60s, a
 * full buffer) cut in two.  JSON, and so every page, takes only UTF-8.
 */
void
params_utf8_repair(char *s)
{
	const uint8_t	*p, *e;
	char		*o;
	size_t		 n;

	p = (const uint8_t *)s;
	e = p + strlen(s);
	o = s;
	while (p < e) {
		if ((n = utf8_seq(p, e)) == 0) {
			p++;
			continue;
		}
		memmove(o, p, n);
		o += n;
		p += n;
	}
	*o = '\0';
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}
