/*
 * Value checks for forms.  See lib/validate.h.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/validate.h"

static int	email_local_char(int);
static int	domain_ok(const char *);

static int
email_local_char(int c)
{
	return (isalnum(c) || strchr("!#$%&'*+/=?^_`{|}~.-", c) != NULL);
}

/* Labels of letters, digits and '-', not at either end; a TLD of letters. */
static int
domain_ok(const char *d)
{
	const char	*p, *label, *last;
	size_t		 n, labels;

	labels = 0;
	last = NULL;
	for (p = d; ; p++) {
		label = p;
		while (*p != '\0' && *p != '.') {
			if (!isalnum((unsigned char)*p) && *p != '-')
				return (0);
			p++;
		}
		n = (size_t)(p - label);
		if (n == 0 || n > 63 || label[0] == '-' || p[-1] == '-')
			return (0);
		labels++;
		last = label;
		if (*p == '\0')
			break;
	}

	if (labels < 2)
		return (0);
	for (n = 0; last[n] != '\0'; n++) {
		if (!isalpha((unsigned char)last[n]))
			return (0);
	}

	return (n >= 2);
}

/*
 * An address the panel accepts: local@domain.tld, ASCII, no blanks, at
 * most 254 characters; the local part without leading, trailing or
 * doubled dots.  Stricter than the database's email_address domain.
 */
int
valid_email(const char *s)
{
	const char	*at, *p;
	size_t		 len;

	if (s == NULL || (len = strlen(s)) == 0 || len > EMAIL_MAX)
		return (0);
	if ((at = strchr(s, '@')) == NULL || strchr(at + 1, '@') != NULL)
		return (0);
	if (at == s || (size_t)(at - s) > 64 || s[0] == '.' || at[-1] == '.')
		return (0);

	for (p = s; p < at; p++) {
		if (!email_local_char((unsigned char)*p))
			return (0);
		if (*p == '.' && p[1] == '.')
			return (0);
	}

	return (domain_ok(at + 1));
}

/* YYYY-MM-DD, a day that exists (1900 to 9999). */
int
valid_date(const char *s)
{
	int		y, m, d, mdays;
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	size_t		i;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return (0);
	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7)
			continue;
		if (!isdigit((unsigned char)s[i]))
			return (0);
	}

	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || m < 1 || m > 12 || d < 1)
		return (0);

	mdays = days[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		mdays = 29;

	return (d <= mdays);
}

/* A Salesforce id: 15 or 18 letters and digits. */
int
valid_sfdc_id(const char *s)
{
	size_t		i;

	for (i = 0; s[i] != '\0'; i++) {
		if (!isalnum((unsigned char)s[i]))
			return (0);
	}

	return (i == 15 || i == 18);
}

/* Exactly len lower-case hexadecimal characters. */
int
valid_hex(const char *s, size_t len)
{
	size_t		i;

	for (i = 0; s[i] != '\0'; i++) {
		if (!isdigit((unsigned char)s[i]) && (s[i] < 'a' || s[i] > 'f'))
			return (0);
	}

	return (i == len);
}

/* Characters (not bytes) of a valid UTF-8 string. */
size_t
utf8_chars(const char *s)
{
	return (utf8_chars_n(s, strlen(s)));
}

/* Characters of the len bytes of valid UTF-8 at s: its non-continuation
 * bytes. */
size_t
utf8_chars_n(const char *s, size_t len)
{
	size_t	i, n;

	for (i = n = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	}

	return (n);
}

/*
 * Whether one of the first max_words words of s (between white space)
 * has chars characters or more: a search reads a trigram index only for
 * such a word, and scans the table for shorter ones alone.
 */
int
text_has_word(const char *s, size_t max_words, size_t chars)
{
	size_t	n, words;

	n = words = 0;
	for (; *s != '\0'; s++) {
		if (isspace((unsigned char)*s)) {
			n = 0;
			continue;
		}
		if (n == 0 && ++words > max_words)
			return (0);
		if (((unsigned char)*s & 0xc0) != 0x80 && ++n >= chars)
			return (1);
	}

	return (0);
}

/* Today's date in UTC as YYYY-MM-DD. */
int
today_utc(char *buf, size_t len)
{
	struct tm	tm;
	time_t		now;

	now = time(NULL);
	if (gmtime_r(&now, &tm) == NULL)
		return (-1);
	if (strftime(buf, len, "%Y-%m-%d", &tm) == 0)
		return (-1);

	return (0);
}

/*
 * A Zendesk ticket link, exactly as Support copies it from Zendesk:
 * https://<subdomain>.zendesk.com/agent/tickets/<number>, the subdomain
 * letters, digits and inner '-' (at most 63), the number 1 to 12 digits
 * without a leading zero; nothing after it.
 */
int
valid_zendesk_url(const char *s)
{
	const char	*p, *sub;
	size_t		 n;

	if (s == NULL || strlen(s) > ZENDESK_URL_MAX ||
	    strncmp(s, "https://", 8) != 0)
		return (0);

	sub = s + 8;
	for (p = sub; isalnum((unsigned char)*p) || *p == '-'; p++)
		;
	n = (size_t)(p - sub);
	if (n == 0 || n > 63 || sub[0] == '-' || p[-1] == '-')
		return (0);
	if (strncmp(p, ".zendesk.com/agent/tickets/", 27) != 0)
		return (0);

	p += 27;
	if (*p < '1' || *p > '9')
		return (0);
	for (n = 0; isdigit((unsigned char)p[n]); n++)
		;

	return (n <= 12 && p[n] == '\0');
}
