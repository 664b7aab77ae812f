/*
 * Forms over typed field lists.  See admin/form.h.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/form.h"
#include "lib/validate.h"

#define FORM_TEXT_MAX		255
#define FORM_MSG_MAX		256

static void	 field_check(struct form *, struct app_req *, int);
static void	 field_verdict(struct form *, int, const char *, int,
		    const char *);
static void	 bool_check(struct form *, int, const char *);
static void	 type_check(struct form *, struct app_req *, int, char *);
static void	 date_check(struct form *, int, const char *);
static void	 state_check(struct form *, struct app_req *, int);
static void	 ref_check(struct form *, struct app_req *, int);
static void	 set_value(struct form *, int, const char *);
static void	 set_error(struct form *, int, const char *);
static char	*ref_label_of(struct app_req *, const struct form_field *,
		    const char *);
static json_t	*countries_view(struct app_req *, const char *);
static json_t	*states_view(struct app_req *);
static void	 int_check(struct form *, int, const char *);
static json_t	*options_view(const struct form_field *, const char *);
static json_t	*field_view(struct app_req *, const struct form *, int,
		    json_t **);
static void	 input_view(json_t *, const char *);
static void	 ref_view(struct app_req *, const struct form *, int,
		    json_t *);

void
form_init(struct form *f, const struct form_field *fields)
{
	memset(f, 0, sizeof(*f));
	f->fields = fields;
	for (f->n = 0; fields[f->n].name != NULL; f->n++) {
		if (f->n == FORM_FIELDS_MAX - 1)
			fatalx("form: more than %d fields", FORM_FIELDS_MAX);
	}
}

void
form_free(struct form *f)
{
	int	i;

	for (i = 0; i < f->n; i++) {
		kore_free(f->typed[i]);
		kore_free(f->value[i]);
		kore_free(f->error[i]);
		kore_free(f->ref_label[i]);
	}
	kore_free(f->alert);
	memset(f, 0, sizeof(*f));
}

int
form_index(const struct form *f, const char *name)
{
	int	i;

	for (i = 0; i < f->n; i++) {
		if (strcmp(f->fields[i].name, name) == 0)
			return (i);
	}

	return (-1);
}

/* The last value of a repeated key: a checkbox after its hidden "false". */
const char *
param_last(const struct params *p, const char *key)
{
	const char	*v;
	size_t		 i;

	v = NULL;
	for (i = 0; i < p->n; i++) {
		if (strcmp(p->v[i].key, key) == 0)
			v = p->v[i].val;
	}

	return (v);
}

static void
set_value(struct form *f, int i, const char *v)
{
	kore_free(f->value[i]);
	f->value[i] = v != NULL ? kore_strdup(v) : NULL;
}

static void
set_error(struct form *f, int i, const char *msg)
{
	if (f->error[i] != NULL)
		return;
	f->error[i] = kore_strdup(msg);
	f->nerrors++;
}

/* What was posted, as typed; the lock_version only when it is a number. */
void
form_read(struct form *f, const struct params *p)
{
	const char	*v;
	size_t		 i, len;
	int		 k;

	for (k = 0; k < f->n; k++) {
		v = param_last(p, f->fields[k].name);
		kore_free(f->typed[k]);
		f->typed[k] = kore_strdup(v != NULL ? v : "");
	}

	f->lock_version[0] = '\0';
	if ((v = param_last(p, "lock_version")) != NULL) {
		len = strlen(v);
		for (i = 0; i < len && isdigit((unsigned char)v[i]); i++)
			;
		if (len > 0 && len < 10 && i == len)
			(void)kore_strlcpy(f->lock_version, v,
			    sizeof(f->lock_version));
	}
}

/*
 * A record as read from the database: lock_version in column col (or -1
 * when there is none), then the fields in order.
 */
void
form_load(struct form *f, PGresult *res, int row, int col)
{
	const char	*v;
	int		 k;

	f->lock_version[0] = '\0';
	if (col >= 0) {
		(void)kore_strlcpy(f->lock_version, PQgetvalue(res, row, col),
		    sizeof(f->lock_version));
	}

	for (k = 0; k < f->n; k++) {
		col++;
		kore_free(f->typed[k]);
		kore_free(f->value[k]);
		if (PQgetisnull(res, row, col)) {
			f->typed[k] = kore_strdup(f->fields[k].type ==
			    FORM_BOOL ? "false" : "");
			f->value[k] = NULL;
			continue;
		}
		v = PQgetvalue(res, row, col);
		if (f->fields[k].type == FORM_BOOL)
			v = strcmp(v, "t") == 0 ? "true" : "false";
		f->typed[k] = kore_strdup(v);
		f->value[k] = kore_strdup(v);
	}
}

/* Set a field as if it had been typed (a default, an imported value). */
void
form_set(struct form *f, const char *name, const char *v)
{
	int	i;

	if ((i = form_index(f, name)) == -1)
		fatalx("form_set: no field %s", name);
	kore_free(f->typed[i]);
	f->typed[i] = kore_strdup(v != NULL ? v : "");
	set_value(f, i, v);
}

void
form_error(struct form *f, const char *name, const char *msg)
{
	int	i;

	if (name == NULL || (i = form_index(f, name)) == -1) {
		form_alert(f, msg);
		return;
	}
	set_error(f, i, msg);
}

void
form_alert(struct form *f, const char *msg)
{
	if (f->alert != NULL)
		return;
	f->alert = kore_strdup(msg);
	f->nerrors++;
}

const char *
form_value(const struct form *f, const char *name)
{
	int	i;

	if ((i = form_index(f, name)) == -1)
		fatalx("form_value: no field %s", name);
	return (f->value[i]);
}

int
form_lock_ok(const struct form *f)
{
	return (f->lock_version[0] != '\0');
}

/*
 * Check and normalise every field; returns the number of wrong ones.
 * States are checked last: they depend on the country.
 */
int
form_validate(struct form *f, struct app_req *ctx)
{
	int	i;

	for (i = 0; i < f->n; i++) {
		if (f->fields[i].type != FORM_STATE)
			field_check(f, ctx, i);
	}
	for (i = 0; i < f->n; i++) {
		if (f->fields[i].type == FORM_STATE)
			field_check(f, ctx, i);
	}

	return (f->nerrors);
}

/*
 * Check field i as typed and set its value (trimmed, normalised), or its
 * message.
 */
static void
field_check(struct form *f, struct app_req *ctx, int i)
{
	const struct form_field	*fd;
	char			 msg[FORM_MSG_MAX], *copy, *v, *p;
	size_t			 max;

	fd = &f->fields[i];
	copy = kore_strdup(f->typed[i] != NULL ? f->typed[i] : "");
	v = trim_space(copy);
	kore_free(f->value[i]);
	f->value[i] = NULL;

	for (p = v; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			field_verdict(f, i, NULL, 0, "has characters that "
			    "are not allowed (line breaks, tabs or control "
			    "characters).");
			goto out;
		}
	}

	if (fd->type == FORM_BOOL) {
		bool_check(f, i, v);
		goto out;
	}

	if (*v == '\0') {
		if (fd->type == FORM_STATE)
			state_check(f, ctx, i);
		else if (fd->flags & FORM_REQUIRED)
			field_verdict(f, i, NULL, 0, "can't be blank.");
		goto out;
	}

	max = fd->max ? fd->max : FORM_TEXT_MAX;
	if (utf8_chars(v) > max) {
		(void)snprintf(msg, sizeof(msg), "%s is too long (at most %zu "
		    "characters).", fd->label, max);
		set_error(f, i, msg);
		goto out;
	}

	type_check(f, ctx, i, v);
out:
	kore_free(copy);
}

/* A checkbox: ticked ("true", "1", "on") or not ("", "false", "0"). */
static void
bool_check(struct form *f, int i, const char *v)
{
	if (*v == '\0' || strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		set_value(f, i, "false");
	else if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 ||
	    strcmp(v, "on") == 0)
		set_value(f, i, "true");
	else
		field_verdict(f, i, NULL, 0, "must be ticked or not.");
}

/*
 * Field i's value v when ok, else the message: the field's label, then
 * why (e.g. "is not a valid email address").
 */
static void
field_verdict(struct form *f, int i, const char *v, int ok, const char *why)
{
	char	msg[FORM_MSG_MAX];

	if (ok) {
		set_value(f, i, v);
		return;
	}
	(void)snprintf(msg, sizeof(msg), "%s %s", f->fields[i].label, why);
	set_error(f, i, msg);
}

/* A value typed (not blank, not too long) checked for field i's type. */
static void
type_check(struct form *f, struct app_req *ctx, int i, char *v)
{
	const struct form_field	*fd;
	char			*p;

	fd = &f->fields[i];
	switch (fd->type) {
	case FORM_EMAIL:
		field_verdict(f, i, v, valid_email(v), "is not a valid "
		    "email address (name@example.com).");
		break;
	case FORM_DATE:
		date_check(f, i, v);
		break;
	case FORM_ZUORA_ID:
		for (p = v; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		field_verdict(f, i, v, valid_hex(v, 32), "must be 32 "
		    "hexadecimal characters (0-9, a-f).");
		break;
	case FORM_SFDC_ID:
		field_verdict(f, i, v, valid_sfdc_id(v), "must be 15 or 18 "
		    "letters and digits.");
		break;
	case FORM_INT:
		int_check(f, i, v);
		break;
	case FORM_ZENDESK:
		field_verdict(f, i, v, valid_zendesk_url(v), "must be a "
		    "Zendesk ticket link: https://<subdomain>.zendesk.com/"
		    "agent/tickets/<number>.");
		break;
	case FORM_SELECT:
		field_verdict(f, i, v, option_label(fd, v) != NULL,
		    "must be one of the choices offered.");
		break;
	case FORM_COUNTRY:
	case FORM_REF:
		set_value(f, i, v);
		ref_check(f, ctx, i);
		break;
	case FORM_STATE:
		set_value(f, i, v);
		state_check(f, ctx, i);
		break;
	default:
		set_value(f, i, v);
		break;
	}
}

/* YYYY-MM-DD; with FORM_NOT_PAST, today (UTC) or later. */
static void
date_check(struct form *f, int i, const char *v)
{
	char	msg[FORM_MSG_MAX], today[16];

	if (!valid_date(v)) {
		field_verdict(f, i, NULL, 0, "must be a date written "
		    "YYYY-MM-DD.");
		return;
	}
	if ((f->fields[i].flags & FORM_NOT_PAST) &&
	    today_utc(today, sizeof(today)) == 0 && strcmp(v, today) < 0) {
		(void)snprintf(msg, sizeof(msg), "%s can't be before today "
		    "(%s, UTC).", f->fields[i].label, today);
		set_error(f, i, msg);
		return;
	}
	set_value(f, i, v);
}

/* A country (by code or name) or a referenced record, resolved. */
static void
ref_check(struct form *f, struct app_req *ctx, int i)
{
	const struct form_field	*fd;
	PGresult		*res;
	const char		*params[1], *sql;
	char			 msg[FORM_MSG_MAX];

	fd = &f->fields[i];
	sql = fd->type == FORM_COUNTRY ?
	    "SELECT code FROM countries WHERE code = upper($1) "
	    "OR lower(name) = lower($1) LIMIT 1" : fd->ref_sql;

	params[0] = f->value[i];
	if ((res = db_exec(ctx, sql, 1, params)) == NULL) {
		form_alert(f, "The form could not be checked: the database "
		    "did not answer. Nothing was saved; try again.");
		return;
	}

	if (PQntuples(res) == 0) {
		if (fd->type == FORM_COUNTRY)
			(void)snprintf(msg, sizeof(msg), "%s \xe2\x80\x9c%s"
			    "\xe2\x80\x9d is not a country (ISO 3166-1).",
			    fd->label, f->value[i]);
		else
			(void)snprintf(msg, sizeof(msg), "No %s matches "
			    "\xe2\x80\x9c%s\xe2\x80\x9d: choose one from the "
			    "list, or type its ID.", fd->label, f->value[i]);
		set_value(f, i, NULL);
		set_error(f, i, msg);
	} else {
		set_value(f, i, PQgetvalue(res, 0, 0));
		if (fd->type == FORM_REF) {
			kore_free(f->ref_label[i]);
			f->ref_label[i] = ref_label_of(ctx, fd, f->value[i]);
		}
	}
	PQclear(res);
}

/*
 * A state: for a country with subdivisions (US, CA) one of them, by code
 * or name, saved as its name; elsewhere free text.
 */
static void
state_check(struct form *f, struct app_req *ctx, int i)
{
	PGresult	*res;
	const char	*params[2], *country_name;
	char		 msg[FORM_MSG_MAX];
	int		 c, k;

	c = -1;
	for (k = 0; k < f->n; k++) {
		if (f->fields[k].type == FORM_COUNTRY)
			c = k;
	}
	if (c == -1 || f->value[c] == NULL)
		return;

	params[0] = f->value[c];
	params[1] = f->value[i] != NULL ? f->value[i] : "";
	res = db_exec(ctx, "SELECT co.name AS country_name, (SELECT count(*) "
	    "FROM country_subdivisions WHERE country_code = co.code) AS "
	    "subdivisions, (SELECT s.name FROM country_subdivisions s WHERE "
	    "s.country_code = co.code AND (upper(s.code) = upper($2) OR "
	    "lower(s.name) = lower($2)) LIMIT 1) AS state_name "
	    "FROM countries co WHERE co.code = $1", 2, params);
	if (res == NULL) {
		form_alert(f, "The form could not be checked: the database "
		    "did not answer. Nothing was saved; try again.");
		return;
	}
	if (PQntuples(res) == 0 ||
	    strcmp(DB_COL(res, 0, "subdivisions"), "0") == 0) {
		PQclear(res);
		return;
	}

	country_name = DB_COL(res, 0, "country_name");
	if (f->value[i] == NULL) {
		(void)snprintf(msg, sizeof(msg), "%s is required for %s.",
		    f->fields[i].label, country_name);
		set_error(f, i, msg);
	} else if (DB_NULL(res, 0, "state_name")) {
		(void)snprintf(msg, sizeof(msg), "\xe2\x80\x9c%s\xe2\x80\x9d "
		    "is not a state or province of %s.", f->value[i],
		    country_name);
		set_value(f, i, NULL);
		set_error(f, i, msg);
	} else {
		set_value(f, i, DB_COL(res, 0, "state_name"));
	}
	PQclear(res);
}

static char *
ref_label_of(struct app_req *ctx, const struct form_field *fd, const char *id)
{
	PGresult	*res;
	const char	*params[1];
	char		*label;

	if (fd->label_sql == NULL || id == NULL)
		return (NULL);
	params[0] = id;
	if ((res = db_exec(ctx, fd->label_sql, 1, params)) == NULL)
		return (NULL);
	label = NULL;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		label = kore_strdup(PQgetvalue(res, 0, 0));
	PQclear(res);

	return (label);
}

static json_t *
countries_view(struct app_req *ctx, const char *selected)
{
	PGresult	*res;
	json_t		*list;
	const char	*code;
	int		 i, n;

	list = json_array();
	if ((res = db_exec(ctx, "SELECT code, name FROM countries "
	    "ORDER BY name", 0, NULL)) == NULL)
		return (list);
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		code = DB_COL(res, i, "code");
		json_array_append_new(list, option_view(code,
		    DB_COL(res, i, "name"), selected != NULL &&
		    strcasecmp(selected, code) == 0));
	}
	PQclear(res);

	return (list);
}

static json_t *
states_view(struct app_req *ctx)
{
	PGresult	*res;
	json_t		*list;
	int		 i, n;

	list = json_array();
	if ((res = db_exec(ctx, "SELECT name AS value, country_code || '-' || "
	    "code AS label FROM country_subdivisions ORDER BY country_code, "
	    "name", 0, NULL)) == NULL)
		return (list);
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		json_array_append_new(list, json_pack("{s:s, s:s}", "value",
		    DB_COL(res, i, "value"), "label", DB_COL(res, i, "label")));
	}
	PQclear(res);

	return (list);
}

/*
 * The view of a form: every field with what was typed and its message,
 * the hidden lock_version, where it posts and what its button says.
 */
json_t *
form_view(struct app_req *ctx, const struct form *f, const char *action,
    const char *submit)
{
	json_t	*fields, *v, *states;
	int	 i;

	fields = json_array();
	states = NULL;
	for (i = 0; i < f->n; i++)
		json_array_append_new(fields, field_view(ctx, f, i, &states));

	v = json_pack("{s:s, s:s, s:o, s:b, s:i}", "action", action,
	    "submit", submit, "fields", fields, "has_errors",
	    f->nerrors > 0, "error_count", f->nerrors);
	if (f->lock_version[0] != '\0')
		json_object_set_new(v, "lock_version",
		    json_string(f->lock_version));
	if (f->alert != NULL)
		json_object_set_new(v, "alert", json_string(f->alert));
	if (states != NULL)
		json_object_set_new(v, "states_list", json_pack("{s:o}",
		    "items", states));

	return (v);
}

/*
 * Field i of the form: its label, what was typed, its message, and its
 * input; the first state field brings the list of states (*states).
 */
static json_t *
field_view(struct app_req *ctx, const struct form *f, int i, json_t **states)
{
	const struct form_field	*fd;
	json_t			*v;
	const char		*typed;

	fd = &f->fields[i];
	typed = f->typed[i] != NULL ? f->typed[i] : "";
	v = json_pack("{s:s, s:s, s:s}", "name", fd->name,
	    "label", fd->label, "value", typed);
	json_object_set_new(v, "id", json_sprintf("f-%s", fd->name));
	if (fd->flags & FORM_REQUIRED)
		json_object_set_new(v, "required", json_true());
	if (fd->hint != NULL)
		json_object_set_new(v, "hint", json_string(fd->hint));
	if (f->error[i] != NULL)
		json_object_set_new(v, "error", json_string(f->error[i]));
	json_object_set_new(v, "maxlength", json_integer(
	    (json_int_t)(fd->max ? fd->max : FORM_TEXT_MAX)));

	switch (fd->type) {
	case FORM_BOOL:
		json_object_set_new(v, "is_checkbox", json_true());
		json_object_set_new(v, "checked", json_boolean(
		    strcmp(typed, "true") == 0 || strcmp(typed, "1") == 0 ||
		    strcmp(typed, "on") == 0));
		break;
	case FORM_COUNTRY:
		json_object_set_new(v, "is_select", json_true());
		json_object_set_new(v, "options", countries_view(ctx, typed));
		break;
	case FORM_SELECT:
		json_object_set_new(v, "is_select", json_true());
		json_object_set_new(v, "options", options_view(fd, typed));
		break;
	case FORM_STATE:
		input_view(v, "text");
		json_object_set_new(v, "datalist",
		    json_string("states-list"));
		if (*states == NULL)
			*states = states_view(ctx);
		break;
	case FORM_REF:
		input_view(v, "text");
		ref_view(ctx, f, i, v);
		break;
	default:
		input_view(v, fd->type == FORM_DATE ? "date" :
		    fd->type == FORM_ZENDESK ? "url" :
		    fd->type == FORM_EMAIL ? "email" : "text");
		break;
	}

	return (v);
}

/* An <input> of the type given. */
static void
input_view(json_t *v, const char *type)
{
	json_object_set_new(v, "is_input", json_true());
	json_object_set_new(v, "input", json_string(type));
}

/* A reference's search as you type, and the label of its record. */
static void
ref_view(struct app_req *ctx, const struct form *f, int i, json_t *v)
{
	const struct form_field	*fd;
	char			*label;

	fd = &f->fields[i];
	json_object_set_new(v, "lookup", json_string(fd->lookup));
	json_object_set_new(v, "lookup_label", json_string(fd->lookup_label));
	if (f->ref_label[i] != NULL) {
		json_object_set_new(v, "ref_label",
		    json_string(f->ref_label[i]));
	} else if (f->value[i] != NULL && f->error[i] == NULL &&
	    (label = ref_label_of(ctx, fd, f->value[i])) != NULL) {
		json_object_set_new(v, "ref_label", json_string(label));
		kore_free(label);
	}
}

/* A value of field i as a person reads it: Yes/No, an option's label, "—". */
static const char *
form_value_label(const struct form *f, int i)
{
	const char	*v, *label;

	v = f->value[i];
	if (f->fields[i].type == FORM_BOOL)
		return ((v != NULL && strcmp(v, "true") == 0) ? "Yes" : "No");
	if (v == NULL || *v == '\0')
		return ("\xe2\x80\x94");
	if (f->fields[i].type == FORM_SELECT &&
	    (label = option_label(&f->fields[i], v)) != NULL)
		return (label);

	return (v);
}

/*
 * The conflict page's rows: each field of mine beside the same field of
 * cur (the same form read from the record now), and whether they differ.
 * A Zendesk ticket belongs to the request, not the record: not compared.
 */
json_t *
form_conflict_rows(const struct form *mine, const struct form *cur)
{
	json_t		*rows;
	const char	*a, *b;
	int		 i;

	rows = json_array();
	for (i = 0; i < mine->n && i < cur->n; i++) {
		if (mine->fields[i].type == FORM_ZENDESK)
			continue;
		a = form_value_label(mine, i);
		b = form_value_label(cur, i);
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:b}", "name", mine->fields[i].name, "label",
		    mine->fields[i].label, "yours", a, "current", b,
		    "differs", strcmp(a, b) != 0));
	}

	return (rows);
}

/* The label of a FORM_SELECT value, or NULL when it is not offered. */
const char *
option_label(const struct form_field *fd, const char *value)
{
	if (value == NULL)
		return (NULL);
	return (choice_label(fd->options, value));
}

/*
 * The label of value among choices (pairs of a value and its label,
 * ending with NULL; a form's select or a list field's enum), or NULL
 * when it is not one of them.
 */
const char *
choice_label(const char *const *choices, const char *value)
{
	const char *const	*o;

	for (o = choices; o != NULL && o[0] != NULL && o[1] != NULL;
	    o += 2) {
		if (strcmp(o[0], value) == 0)
			return (o[1]);
	}

	return (NULL);
}

static json_t *
options_view(const struct form_field *fd, const char *selected)
{
	const char *const	*o;
	json_t			*list;

	list = json_array();
	for (o = fd->options; o != NULL && o[0] != NULL && o[1] != NULL;
	    o += 2) {
		json_array_append_new(list, option_view(o[0], o[1],
		    selected != NULL && strcmp(selected, o[0]) == 0));
	}

	return (list);
}

/*
 * A choice of a select (a form's, or an operator or value of the list's
 * filters) as the templates read it.
 */
json_t *
option_view(const char *value, const char *label, int selected)
{
	return (json_pack("{s:s, s:s, s:b}", "value", value, "label", label,
	    "selected", selected));
}

/* A whole number: digits only (no sign), at most 9 of them. */
static void
int_check(struct form *f, int i, const char *v)
{
	size_t	n;
	int	positive;

	positive = (f->fields[i].flags & FORM_POSITIVE) != 0;
	for (n = 0; isdigit((unsigned char)v[n]); n++)
		;
	if (n == 0 || v[n] != '\0') {
		field_verdict(f, i, NULL, 0, positive ?
		    "must be a whole number above 0." :
		    "must be a whole number (0 or more).");
		return;
	}

	/* Leading zeroes go; what is left must fit. */
	while (v[0] == '0' && v[1] != '\0')
		v++;
	if (strlen(v) > 9)
		field_verdict(f, i, NULL, 0, "is too large (at most "
		    "999999999).");
	else
		field_verdict(f, i, v, !positive || strcmp(v, "0") != 0,
		    "must be a whole number above 0.");
}
