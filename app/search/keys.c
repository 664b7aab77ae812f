/*
 * What kind of key staff pasted into the global search.  No Kore, no
 * database: the shapes of the identifiers the panel stores (see the CHECK
 * constraints of sql/migrations), so that global.c runs only the look-ups
 * a key can match.
 */

#include <sys/types.h>

#include <ctype.h>
#include <string.h>

#include "search/search.h"

static int	is_domain(const char *, size_t);
static int	all_of(const char *, size_t, const char *);
static void	strip_pair(char *, size_t *);

static const char *const kind_names[] = {
	"email", "domain", "zuora_id", "sfdc_account_id",
	"sfdc_opportunity_id", "number", "path", "hostname", "name", "text",
};

#define LOWER		"abcdefghijklmnopqrstuvwxyz"
#define UPPER		"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGITS		"0123456789"
#define ALNUM		LOWER UPPER DIGITS
#define HEX		DIGITS "abcdefABCDEF"

/* The name of one KEY_* bit, for the JSON. */
const char *
search_key_kind_name(int kind)
{
	size_t	i;

	for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
		if (kind == (1 << i))
			return (kind_names[i]);
	}

	return (NULL);
}

/* Whether the len bytes at s are all in set. */
static int
all_of(const char *s, size_t len, const char *set)
{
	return (len > 0 && strspn(s, set) >= len);
}

/*
 * A domain: two labels or more of letters, digits and '-', separated by
 * dots, the last one with a letter (so that 1.5 is no domain).
 */
static int
is_domain(const char *s, size_t len)
{
	const char	*last;

	if (len < 3 || len > 253 || !all_of(s, len, ALNUM "-.") ||
	    s[0] == '.' || s[len - 1] == '.' || strstr(s, "..") != NULL)
		return (0);
	if ((last = strrchr(s, '.')) == NULL)
		return (0);
	last++;

	return (strcspn(last, LOWER UPPER) < strlen(last));
}

/*
 * Quotes and angle brackets around a key, as it is often copied ("A-S…"
 * from the Fulfillment Guide, <name@example.com> from a contact's line).
 */
static void
strip_pair(char *key, size_t *len)
{
	static const char	pairs[][2] = {
		{ '"', '"' }, { '\'', '\'' }, { '<', '>' },
	};
	size_t			i;

	if (*len < 2)
		return;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		if (key[0] == pairs[i][0] && key[*len - 1] == pairs[i][1]) {
			memmove(key, key + 1, *len - 2);
			*len -= 2;
			key[*len] = '\0';
			return;
		}
	}
}

/*
 * The key as typed, trimmed in place of white space and of a pair of
 * quotes; *len is its length in bytes.  The key is valid UTF-8 (the
 * query string's parser refuses anything else).  KEY_OK, or why it
 * cannot be searched.
 */
int
search_key_check(char *key, size_t *len)
{
	size_t		i, start, chars;

	for (start = 0; start < *len &&
	    isspace((unsigned char)key[start]); start++)
		;
	while (*len > start && isspace((unsigned char)key[*len - 1]))
		(*len)--;
	memmove(key, key + start, *len - start);
	*len -= start;
	key[*len] = '\0';
	strip_pair(key, len);
	if (*len == 0)
		return (KEY_EMPTY);

	chars = 0;
	for (i = 0; i < *len; i++) {
		if ((unsigned char)key[i] < 0x20 || key[i] == 0x7f)
			return (KEY_CONTROL);
		if (((unsigned char)key[i] & 0xc0) != 0x80)
			chars++;
	}

	return (chars > SEARCH_CHARS_MAX ? KEY_TOO_LONG : KEY_OK);
}

/* The KEY_* kinds a checked key can be. */
int
search_key_kinds(const char *key)
{
	const char	*at;
	size_t		 len;
	int		 kinds;

	kinds = KEY_TEXT;
	len = strlen(key);
	if (strpbrk(key, " \t") != NULL)
		return (kinds);

	kinds |= len <= 64 ? KEY_NAME : 0;
	if ((at = strchr(key, '@')) != NULL) {
		if (at == key && is_domain(key + 1, len - 1))
			kinds |= KEY_DOMAIN;
		else if (at > key && strchr(at + 1, '@') == NULL &&
		    is_domain(at + 1, len - (size_t)(at + 1 - key)))
			kinds |= KEY_EMAIL;
		return (kinds);
	}

	if (is_domain(key, len))
		kinds |= KEY_DOMAIN;
	if (len == 32 && all_of(key, len, HEX))
		kinds |= KEY_ZUORA_ID;
	if ((len == 15 || len == 18) && all_of(key, len, ALNUM)) {
		if (strncmp(key, "001", 3) == 0)
			kinds |= KEY_SFDC_ACCOUNT;
		else if (strncmp(key, "006", 3) == 0)
			kinds |= KEY_SFDC_OPPORTUNITY;
	}
	if (len <= 18 && all_of(key, len, DIGITS))
		kinds |= KEY_NUMBER;
	if (len <= 255 && key[0] != '.' && key[0] != '-' &&
	    all_of(key, len, ALNUM "_.-"))
		kinds |= KEY_PATH;
	if (len <= 255 && isalnum((unsigned char)key[0]) &&
	    all_of(key, len, ALNUM ".-"))
		kinds |= KEY_HOSTNAME;

	return (kinds);
}

/* The domain part of an e-mail or domain key (a pointer into it). */
const char *
search_key_domain(const char *key)
{
	const char	*at;

	if ((at = strrchr(key, '@')) != NULL)
		return (at + 1);

	return (key);
}
