/*
 * RFC 5322 messages for the outbox worker.  See mail.h.
 *
 * A message is plain text, UTF-8: headers Date, From, To, Subject
 * (RFC 2047 encoded words when not ASCII), Message-ID, MIME-Version,
 * Content-Type and Content-Transfer-Encoding (7bit when the body is
 * ASCII in short lines, else base64), lines ending in CRLF.  Addresses
 * and the display name are checked so that no value can add a header.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/validate.h"
#include "outbox/mail.h"

#define LINE_MAX_7BIT		998
#define BOUNDARY	"=_cdot_part_boundary"
#define B64_LINE		76
#define WORD_BYTES		45	/* UTF-8 bytes per encoded word */

struct out {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int	 failed;
};

static void	 put(struct out *, const char *, size_t);
static void	 puts_(struct out *, const char *);
static int	 ascii_short_lines(const char *);
static int	 printable_ascii(const char *);
static void	 subject(struct out *, const char *);

static const char	b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
put(struct out *o, const char *p, size_t n)
{
	char	*np;
	size_t	 cap;

	if (o->failed)
		return;
	if (o->len + n + 1 > o->cap) {
		cap = o->cap ? o->cap : 1024;
		while (cap < o->len + n + 1)
			cap *= 2;
		if ((np = realloc(o->p, cap)) == NULL) {
			o->failed = 1;
			return;
		}
		o->p = np;
		o->cap = cap;
	}
	memcpy(o->p + o->len, p, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void
puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/*
 * Base64 of len bytes, in lines of wrap characters ending in CRLF
 * (wrap 0: one line, no CRLF).  malloc'd, NUL-terminated.
 */
char *
mail_base64(const unsigned char *p, size_t len, size_t wrap)
{
	struct out	o;
	char		q[4];
	size_t		i, col;
	unsigned int	v;

	memset(&o, 0, sizeof(o));
	put(&o, "", 0);
	col = 0;
	for (i = 0; i < len; i += 3) {
		v = (unsigned int)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned int)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		q[0] = b64chars[(v >> 18) & 63];
		q[1] = b64chars[(v >> 12) & 63];
		q[2] = i + 1 < len ? b64chars[(v >> 6) & 63] : '=';
		q[3] = i + 2 < len ? b64chars[v & 63] : '=';
		put(&o, q, 4);
		col += 4;
		if (wrap > 0 && col >= wrap) {
			put(&o, "\r\n", 2);
			col = 0;
		}
	}
	if (wrap > 0 && col > 0)
		put(&o, "\r\n", 2);
	if (o.failed) {
		free(o.p);
		return (NULL);
	}

	return (o.p);
}

static int
printable_ascii(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return (0);
	}

	return (1);
}

/* ASCII text whose lines fit SMTP's limit, and no bare CR. */
static int
ascii_short_lines(const char *s)
{
	size_t	col;

	for (col = 0; *s != '\0'; s++) {
		if ((unsigned char)*s >= 0x80 || *s == '\r')
			return (0);
		if (*s == '\n') {
			col = 0;
			continue;
		}
		if (++col > LINE_MAX_7BIT)
			return (0);
	}

	return (1);
}

/*
 * The Subject header's value: as is when it is printable ASCII, else
 * RFC 2047 encoded words (UTF-8, base64), never splitting a character,
 * folded one word a line.  Control characters become spaces.
 */
static void
subject(struct out *o, const char *s)
{
	char		*clean, *b;
	size_t		 i, len, n;

	len = strlen(s);
	if ((clean = strdup(s)) == NULL) {
		o->failed = 1;
		return;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)clean[i] < 0x20 || clean[i] == 0x7f)
			clean[i] = ' ';
	}

	if (printable_ascii(clean) && len <= 900) {
		puts_(o, clean);
		free(clean);
		return;
	}

	for (i = 0; i < len; i += n) {
		n = len - i < WORD_BYTES ? len - i : WORD_BYTES;
		/* Back off to the start of a UTF-8 character. */
		while (n > 1 && i + n < len &&
		    ((unsigned char)clean[i + n] & 0xc0) == 0x80)
			n--;
		if ((b = mail_base64((const unsigned char *)clean + i, n,
		    0)) == NULL) {
			o->failed = 1;
			break;
		}
		if (i > 0)
			puts_(o, "\r\n ");
		puts_(o, "=?UTF-8?B?");
		puts_(o, b);
		puts_(o, "?=");
		free(b);
	}
	free(clean);
}

/* Text as base64 in lines of B64_LINE, CRLF line ends. */
static void
base64_part(struct out *o, const char *text)
{
	char	*b;

	if ((b = mail_base64((const unsigned char *)text, strlen(text),
	    B64_LINE)) == NULL) {
		o->failed = 1;
		return;
	}
	puts_(o, b);
	free(b);
}

/*
 * A text/plain body: 7bit when it is ASCII in short lines (readable as
 * is), else base64.
 */
static void
text_part(struct out *o, const char *body)
{
	const char	*p;

	puts_(o, "Content-Type: text/plain; charset=UTF-8\r\n");
	if (!ascii_short_lines(body)) {
		puts_(o, "Content-Transfer-Encoding: base64\r\n\r\n");
		base64_part(o, body);
		return;
	}
	puts_(o, "Content-Transfer-Encoding: 7bit\r\n\r\n");
	for (p = body; *p != '\0'; p++) {
		if (*p == '\n')
			put(o, "\r\n", 2);
		else
			put(o, p, 1);
	}
	if (o->len < 2 || o->p[o->len - 1] != '\n')
		put(o, "\r\n", 2);
}

/*
 * The whole message, CRLF line ends, malloc'd, its length in *len; NULL
 * when an address or the display name could add a header, or out of
 * memory.
 */
char *
mail_build(const struct mail_msg *m, size_t *len)
{
	struct out	 o;
	struct tm	 tm;
	char		 date[64];

	if (m->attachment != NULL && (m->attachment_name == NULL ||
	    !printable_ascii(m->attachment_name) ||
	    strpbrk(m->attachment_name, "\"\\") != NULL ||
	    strlen(m->attachment_name) > 100))
		return (NULL);
	if (!valid_email(m->from) || !valid_email(m->to) ||
	    !printable_ascii(m->from_name) || strpbrk(m->from_name,
	    "<>\"\\") != NULL || !printable_ascii(m->message_id) ||
	    strpbrk(m->message_id, "<> ") != NULL)
		return (NULL);
	if (gmtime_r(&m->date, &tm) == NULL ||
	    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000",
	    &tm) == 0)
		return (NULL);

	memset(&o, 0, sizeof(o));
	puts_(&o, "Date: ");
	puts_(&o, date);
	puts_(&o, "\r\nFrom: \"");
	puts_(&o, m->from_name);
	puts_(&o, "\" <");
	puts_(&o, m->from);
	puts_(&o, ">\r\nTo: <");
	puts_(&o, m->to);
	puts_(&o, ">\r\nSubject: ");
	subject(&o, m->subject);
	puts_(&o, "\r\nMessage-ID: <");
	puts_(&o, m->message_id);
	puts_(&o, ">\r\nMIME-Version: 1.0\r\n");

	if (m->attachment == NULL) {
		text_part(&o, m->body);
	} else {
		/* "=_" never occurs in base64, so the boundary is unique. */
		puts_(&o, "Content-Type: multipart/mixed; boundary=\""
		    BOUNDARY "\"\r\n\r\n--" BOUNDARY "\r\n");
		puts_(&o, "Content-Type: text/plain; charset=UTF-8\r\n"
		    "Content-Transfer-Encoding: base64\r\n\r\n");
		base64_part(&o, m->body);
		puts_(&o, "--" BOUNDARY "\r\nContent-Type: "
		    "application/octet-stream; name=\"");
		puts_(&o, m->attachment_name);
		puts_(&o, "\"\r\nContent-Disposition: attachment; "
		    "filename=\"");
		puts_(&o, m->attachment_name);
		puts_(&o, "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
		base64_part(&o, m->attachment);
		puts_(&o, "--" BOUNDARY "--\r\n");
	}

	if (o.failed) {
		free(o.p);
		return (NULL);
	}
	*len = o.len;

	return (o.p);
}
