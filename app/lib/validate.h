/*
 * Checks of typed values, shared by the form layer and the unit tests.
 * No Kore or database dependency: what needs the database (countries,
 * states, references) is checked in admin/form.c.
 */

#ifndef CDOT_VALIDATE_H
#define CDOT_VALIDATE_H

#include <stddef.h>

#define EMAIL_MAX		254
#define ZENDESK_URL_MAX		128

int	 valid_email(const char *);
int	 valid_date(const char *);
int	 valid_sfdc_id(const char *);
int	 valid_hex(const char *, size_t);
size_t	 utf8_chars(const char *);
size_t	 utf8_chars_n(const char *, size_t);
int	 text_has_word(const char *, size_t, size_t);
int	 today_utc(char *, size_t);
int	 valid_zendesk_url(const char *);

#endif
