/*
 * The global search (/admin/search): one box for every record.  What
 * staff paste is first recognised (keys.c: an e-mail, a domain, a Zuora
 * or Salesforce ID, a number, a path or hostname...), then only the
 * exact, indexed look-ups that kind of key can match are run
 * (global.c), and the resources' own searches only when those find
 * nothing.
 */

#ifndef CDOT_SEARCH_H
#define CDOT_SEARCH_H

#include <stddef.h>

/* The longest search, in characters (the list pages' search box's). */
#define SEARCH_CHARS_MAX	200

/* The shortest word the resources' own searches are run for. */
#define SEARCH_WORD_MIN		3

/* What a key can be; a key is often several (a number, a path...). */
#define KEY_EMAIL		0x0001	/* local@domain */
#define KEY_DOMAIN		0x0002	/* example.com, @example.com */
#define KEY_ZUORA_ID		0x0004	/* 32 hexadecimal digits */
#define KEY_SFDC_ACCOUNT	0x0008	/* 001 + 12 or 15 alphanumerics */
#define KEY_SFDC_OPPORTUNITY	0x0010	/* 006 + 12 or 15 alphanumerics */
#define KEY_NUMBER		0x0020	/* digits that fit a bigint */
#define KEY_PATH		0x0040	/* a GitLab namespace's path */
#define KEY_HOSTNAME		0x0080	/* letters, digits, '-' and '.' */
#define KEY_NAME		0x0100	/* one word: a subscription name (A-S...)
					 * or an invoice number */
#define KEY_TEXT		0x0200	/* anything: the resources' searches */

/* Results of search_key_check(). */
#define KEY_OK			0
#define KEY_EMPTY		1
#define KEY_TOO_LONG		2
#define KEY_CONTROL		3

int		 search_key_check(char *, size_t *);
int		 search_key_kinds(const char *);
const char	*search_key_domain(const char *);
const char	*search_key_kind_name(int);

#endif
