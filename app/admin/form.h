/*
 * The form layer: a form is a list of typed fields (data, like the
 * resource descriptors).  It reads what was posted, validates and
 * normalises it (with the database where a value must exist there: a
 * country, a state, a referenced record), keeps what was typed and a
 * message per wrong field, and turns itself into a view model that
 * templates/form.html renders.  Nothing here writes: see db/write.h.
 */

#ifndef CDOT_FORM_H
#define CDOT_FORM_H

#include "app.h"

enum form_type {
	FORM_TEXT,		/* free text, trimmed */
	FORM_EMAIL,		/* an address, checked by valid_email() */
	FORM_BOOL,		/* a checkbox: "true" or "false" */
	FORM_COUNTRY,		/* ISO 3166-1 alpha-2, chosen from countries */
	FORM_STATE,		/* checked against the country's subdivisions */
	FORM_DATE,		/* YYYY-MM-DD */
	FORM_ZUORA_ID,		/* 32 lower-case hexadecimal characters */
	FORM_SFDC_ID,		/* 15 or 18 letters and digits */
	FORM_REF,		/* a record of another table, see ref_* */
	FORM_INT,		/* a whole number, 0 to 999999999 */
	FORM_ZENDESK,		/* a Zendesk ticket link, valid_zendesk_url() */
	FORM_SELECT,		/* one of options */
};

#define FORM_REQUIRED		0x01	/* blank is refused */
#define FORM_NOT_PAST		0x02	/* FORM_DATE: today (UTC) or later */
#define FORM_POSITIVE		0x04	/* FORM_INT: 1 or more */

struct form_field {
	const char	*name;		/* form key and column */
	const char	*label;
	enum form_type	 type;
	int		 flags;
	size_t		 max;		/* characters; 0: the type's own */
	const char	*hint;

	/*
	 * FORM_REF: the resource whose list (JSON) feeds the search as you
	 * type, the label shown for a match ("{title}" and cell names in
	 * braces), SQL resolving what was typed ($1: an id or a natural
	 * key) to the record's id, and SQL giving an id's label.
	 */
	const char	*lookup;
	const char	*lookup_label;
	const char	*ref_sql;
	const char	*label_sql;

	/* FORM_SELECT: value, label, value, label, ..., NULL. */
	const char *const *options;
};

#define FORM_FIELDS_MAX		16

struct form {
	const struct form_field	*fields;
	int			 n;
	char			*typed[FORM_FIELDS_MAX];	/* as sent */
	char			*value[FORM_FIELDS_MAX];	/* as saved */
	char			*error[FORM_FIELDS_MAX];
	char			*ref_label[FORM_FIELDS_MAX];
	char			 lock_version[16];
	char			*alert;		/* about the whole form */
	int			 nerrors;
};

void		 form_init(struct form *, const struct form_field *);
void		 form_free(struct form *);
int		 form_index(const struct form *, const char *);
void		 form_read(struct form *, const struct params *);
void		 form_load(struct form *, PGresult *, int, int);
void		 form_set(struct form *, const char *, const char *);
int		 form_validate(struct form *, struct app_req *);
void		 form_error(struct form *, const char *, const char *);
void		 form_alert(struct form *, const char *);
const char	*form_value(const struct form *, const char *);
int		 form_lock_ok(const struct form *);
json_t		*form_view(struct app_req *, const struct form *,
		    const char *, const char *);
json_t		*form_conflict_rows(const struct form *,
		    const struct form *);
const char	*param_last(const struct params *, const char *);
const char	*option_label(const struct form_field *, const char *);
json_t		*option_view(const char *, const char *, int);
const char	*choice_label(const char *const *, const char *);

#endif
