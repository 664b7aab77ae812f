/*
 * E-mail messages (RFC 5322, MIME) as the outbox worker sends them, and
 * their delivery over SMTP (libcurl).  mail.c has no libcurl, libpq or
 * Kore dependency, so that it is unit-tested (tests/unit/test_mail.c).
 */

#ifndef CDOT_MAIL_H
#define CDOT_MAIL_H

#include <stddef.h>
#include <time.h>

#define MAIL_FROM_NAME		"GitLab Transactions"

struct mail_msg {
	const char	*from_name;	/* display name, printable ASCII */
	const char	*from;		/* address */
	const char	*to;		/* address */
	const char	*subject;	/* UTF-8 */
	const char	*body;		/* UTF-8 text, \n line ends */
	const char	*message_id;	/* without the angle brackets */
	time_t		 date;
	/* An attached file, or NULL: its name (printable ASCII, no quotes)
	 * and its text. */
	const char	*attachment_name;
	const char	*attachment;
};

char	*mail_build(const struct mail_msg *, size_t *);
char	*mail_base64(const unsigned char *, size_t, size_t);

/* smtp.c: one message to one recipient through the relay at url. */
#define SMTP_SENT		0
#define SMTP_RETRY		1	/* no answer, or a 4xx: try again */
#define SMTP_REFUSED		2	/* a 5xx: refused for good */

#define SMTP_ERRLEN		256

struct smtp_result {
	int		 outcome;
	long		 reply;		/* the relay's last reply */
	char		 error[SMTP_ERRLEN];
};

int	 smtp_send(const char *url, long timeout, const char *from,
	    const char *to, const char *msg, size_t len,
	    struct smtp_result *);

#endif
