/*
 * Editing (issue 6): what admin/edit.c, the resources' edit descriptors and the
 * custom actions share.
 *
 * Like the list engine, editing is driven by data: an edit descriptor
 * names the resource, the form fields of its edit and new forms (admin/form.h),
 * the fields shown read-only, what each constraint of its table means to
 * a person, and hooks for what a change brings along in the same
 * transaction (outbox rows).  admin/edit.c turns that into the edit, new,
 * create, update and delete pages with lock_version checks, the 409
 * conflict page and POST/redirect/GET.
 */

#ifndef CDOT_EDIT_H
#define CDOT_EDIT_H

#include "admin/resource.h"
#include "admin/form.h"
#include "db/write.h"

/* A value shown read-only on the edit form: SQL over the table as "t". */
struct edit_shown {
	const char		*label;
	const char		*expr;
};

struct edit_resource {
	const char			*name;		/* resource name */
	const char			*table;
	const struct form_field		*fields;	/* edit form, or NULL */
	const struct form_field		*create_fields;	/* new form, or NULL */
	const struct edit_shown		*shown;		/* read-only */
	const char			*shown_note;
	const struct write_constraint	*constraints;
	int				 deletable;
	const char			*new_label;
	const char			*new_hint;
	const char			*row_action;	/* POST-less link */
	const char			*row_action_label;
	/* The records it is offered on (a condition on table, or NULL for
	 * all); a constant of the descriptor, never input. */
	const char			*row_action_where;

	/* In the transaction, after the record changed: 0 or -1. */
	int	(*after_update)(struct write_txn *, const char *,
		    const struct form *, const struct form *);

	/* A new record made another way (e.g. imported from Zuora). */
	app_handler			 create;

	/* Panels and actions on the show page. */
	void	(*show_extras)(struct app_req *, const char *, json_t *);

	const char			*created;	/* flash messages */
	const char			*updated;
	const char			*deleted;
};

extern const struct edit_resource	*edit_resources[];

/* admin/record_actions.c */
const struct edit_resource *edit_find(const char *);
int	 edit_is_editor(const struct app_req *);
void	 edit_action(json_t *, const char *, const char *, const char *,
	    int);

/* admin/edit.c */
int	 edit_new(struct http_request *, struct app_req *);
int	 edit_create(struct http_request *, struct app_req *);
int	 edit_form(struct http_request *, struct app_req *);
int	 edit_update(struct http_request *, struct app_req *);
int	 edit_delete_confirm(struct http_request *, struct app_req *);
int	 edit_delete(struct http_request *, struct app_req *);
int	 edit_render_form(struct http_request *, struct app_req *,
	    const struct resource *, const char *, struct form *, int,
	    const char *, const char *, const char *);
int	 edit_write_status(struct write_txn *,
	    const struct write_constraint *, struct form *);
int	 edit_db_error(struct http_request *, struct app_req *);
json_t	*edit_panel(json_t *, const char *, const char *);
void	 edit_panel_row(json_t *, json_t *);
json_t	*outbox_view(struct app_req *, const char *, const char *);
void	 outbox_panel(struct app_req *, json_t *, const char *,
	    const char *);
const char *edit_return_to(struct app_req *);
int	 edit_render_conflict(struct http_request *, struct app_req *,
	    const struct resource *, const char *, struct form *,
	    struct form *, const char *);
extern const struct form_field	 contact_form_fields[];
int	 edit_flash_redirect(struct http_request *, const char *,
	    const char *, const char *);

/* resources/customers.c */
int	 customer_impersonate(struct http_request *, struct app_req *);
int	 customer_one_time_sign_in(struct http_request *, struct app_req *);
void	 customer_show_extras(struct app_req *, const char *, json_t *);
int	 customer_after_update(struct write_txn *, const char *,
	    const struct form *, const struct form *);
int	 contact_after_update(struct write_txn *, const char *,
	    const struct form *, const struct form *);
void	 contact_show_extras(struct app_req *, const char *, json_t *);

/* resources/trials.c */
int	 trial_renew_form(struct http_request *, struct app_req *);
int	 trial_renew(struct http_request *, struct app_req *);

/* resources/billing_accounts.c */
int	 billing_account_refresh(struct http_request *, struct app_req *);
int	 contact_import(struct http_request *, struct app_req *);
void	 billing_account_show_extras(struct app_req *, const char *,
	    json_t *);

/* api/api.c: what the services' JSON APIs share */
typedef int	(*api_error_fn)(struct http_request *, int, const char *,
		    const char *);
int	 api_service_ok(struct http_request *, const char *);
int	 api_answer(struct http_request *, int, json_t *);
json_t	*api_json_body(struct http_request *, size_t, size_t, const char *,
	    api_error_fn);

/* api/portal.c */
int	 api_one_time_sign_in_redeem(struct http_request *, struct app_req *);
int	 api_impersonation_redeem(struct http_request *, struct app_req *);

/* resources/customer_tokens.c */
void	 token_random(char *, size_t);
void	 token_sha256_hex(const char *, char [65]);
int	 token_equal(const char *, const char *);
void	 token_one_time(const char *, const char *, char *, size_t);
int	 token_one_time_issue(struct write_txn *, const char *);
json_t	*token_one_time_view(struct app_req *, const char *);

#endif
