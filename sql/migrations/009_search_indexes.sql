-- 009_search_indexes: indexes for what the panel searches, filters and sorts
-- on big tables.
--
-- Search (the list's one search box, and "contains"/"starts with"/"ends
-- with" filters) is a case-insensitive substring match:
--     col ILIKE '%' || $1 || '%'        (escape % _ \ in $1)
-- Each searchable column has its own GIN trigram index, so a query that ORs
-- the columns (one word) or ANDs such ORs (several words) becomes a bitmap
-- OR/AND of index scans. Trigrams need 3 characters: a 1-2 character search
-- term cannot use them and scans the table.
--
-- Sorting: sortable columns of big tables have a btree on (column, id), so
--     ORDER BY col [DESC], id [DESC] LIMIT n
-- (same direction on both, id as the tie-breaker) reads the index and stops
-- after n rows. Keyset pagination (WHERE (col, id) < ($last_col, $last_id))
-- uses the same index.
--
-- Foreign keys already have their indexes in the table's migration.

-- customers
CREATE INDEX customers_first_name_trgm ON customers USING gin (first_name gin_trgm_ops);
CREATE INDEX customers_last_name_trgm  ON customers USING gin (last_name gin_trgm_ops);
CREATE INDEX customers_email_trgm      ON customers USING gin (email gin_trgm_ops);
CREATE INDEX customers_company_trgm    ON customers USING gin (company gin_trgm_ops);
CREATE INDEX customers_first_name_sort ON customers (first_name, id);
CREATE INDEX customers_last_name_sort  ON customers (last_name, id);
CREATE INDEX customers_email_sort      ON customers (email, id);
CREATE INDEX customers_company_sort    ON customers (company, id);
CREATE INDEX customers_created_at_sort ON customers (created_at, id);
CREATE INDEX customers_updated_at_sort ON customers (updated_at, id);

-- billing_accounts
CREATE INDEX billing_accounts_zuora_account_id_trgm      ON billing_accounts USING gin (zuora_account_id gin_trgm_ops);
CREATE INDEX billing_accounts_zuora_account_name_trgm    ON billing_accounts USING gin (zuora_account_name gin_trgm_ops);
CREATE INDEX billing_accounts_company_trgm               ON billing_accounts USING gin (company gin_trgm_ops);
CREATE INDEX billing_accounts_salesforce_account_id_trgm ON billing_accounts USING gin (salesforce_account_id gin_trgm_ops);
CREATE INDEX billing_accounts_zuora_account_name_sort    ON billing_accounts (zuora_account_name, id);
CREATE INDEX billing_accounts_company_sort               ON billing_accounts (company, id);
CREATE INDEX billing_accounts_created_at_sort            ON billing_accounts (created_at, id);

-- billing_account_contacts
CREATE INDEX billing_account_contacts_first_name_trgm       ON billing_account_contacts USING gin (first_name gin_trgm_ops);
CREATE INDEX billing_account_contacts_last_name_trgm        ON billing_account_contacts USING gin (last_name gin_trgm_ops);
CREATE INDEX billing_account_contacts_work_email_trgm       ON billing_account_contacts USING gin (work_email gin_trgm_ops);
CREATE INDEX billing_account_contacts_zuora_contact_id_trgm ON billing_account_contacts USING gin (zuora_contact_id gin_trgm_ops);
CREATE INDEX billing_account_contacts_last_name_sort        ON billing_account_contacts (last_name, id);
CREATE INDEX billing_account_contacts_work_email_sort       ON billing_account_contacts (work_email, id);
CREATE INDEX billing_account_contacts_created_at_sort       ON billing_account_contacts (created_at, id);

-- billing_account_memberships: lists sort by id or created_at.
CREATE INDEX billing_account_memberships_created_at_sort ON billing_account_memberships (created_at, id);

-- zuora_subscriptions
CREATE INDEX zuora_subscriptions_name_trgm                  ON zuora_subscriptions USING gin (name gin_trgm_ops);
CREATE INDEX zuora_subscriptions_zuora_subscription_id_trgm ON zuora_subscriptions USING gin (zuora_subscription_id gin_trgm_ops);
CREATE INDEX zuora_subscriptions_term_start_date_sort       ON zuora_subscriptions (term_start_date, id);
CREATE INDEX zuora_subscriptions_created_at_sort            ON zuora_subscriptions (created_at, id);

-- invoices
CREATE INDEX invoices_zuora_invoice_number_trgm ON invoices USING gin (zuora_invoice_number gin_trgm_ops);
CREATE INDEX invoices_invoice_date_sort         ON invoices (invoice_date, id);
CREATE INDEX invoices_due_date_sort             ON invoices (due_date, id);

-- licenses: the list opens most recent first.
CREATE INDEX licenses_name_trgm       ON licenses USING gin (name gin_trgm_ops);
CREATE INDEX licenses_company_trgm    ON licenses USING gin (company gin_trgm_ops);
CREATE INDEX licenses_email_trgm      ON licenses USING gin (email gin_trgm_ops);
CREATE INDEX licenses_issued_at_sort  ON licenses (issued_at DESC, id DESC);
CREATE INDEX licenses_expires_at_sort ON licenses (expires_at, id);

-- license_seat_links: the biggest table (tens of millions of rows).
CREATE INDEX license_seat_links_company_trgm           ON license_seat_links USING gin (company gin_trgm_ops);
CREATE INDEX license_seat_links_hostname_trgm          ON license_seat_links USING gin (hostname gin_trgm_ops);
CREATE INDEX license_seat_links_subscription_name_trgm ON license_seat_links USING gin (subscription_name gin_trgm_ops);
CREATE INDEX license_seat_links_synced_at_sort         ON license_seat_links (synced_at, id);

-- orders: search by order id (= id, exact), billing account (via the
-- billing_accounts indexes), subscription name, namespace id (exact, btree
-- in 005) and namespace name.
CREATE INDEX orders_subscription_name_trgm ON orders USING gin (subscription_name gin_trgm_ops);
CREATE INDEX orders_gl_namespace_name_trgm ON orders USING gin (gl_namespace_name gin_trgm_ops);
CREATE INDEX orders_created_at_sort        ON orders (created_at, id);

-- reconciliations: search by customer (Salesforce) name or subscription
-- name; filter on error_message, e.g. contains 'MaxAdditionalSeatsExceededError'
-- (partial index: most rows have no error; "error_message ILIKE x" implies
-- "IS NOT NULL", so the planner uses it).
CREATE INDEX reconciliations_customer_name_trgm     ON reconciliations USING gin (customer_name gin_trgm_ops);
CREATE INDEX reconciliations_subscription_name_trgm ON reconciliations USING gin (subscription_name gin_trgm_ops);
CREATE INDEX reconciliations_error_message_trgm     ON reconciliations USING gin (error_message gin_trgm_ops)
    WHERE error_message IS NOT NULL;
CREATE INDEX reconciliations_reconcile_on_sort      ON reconciliations (reconcile_on, id);

-- namespaces: Support finds them by GitLab id (unique) or path.
CREATE INDEX namespaces_path_trgm ON namespaces USING gin (path gin_trgm_ops);
CREATE INDEX namespaces_name_trgm ON namespaces USING gin (name gin_trgm_ops);

-- temporary_extensions: the history list, newest first.
CREATE INDEX temporary_extensions_created_at_sort ON temporary_extensions (created_at, id);
CREATE INDEX temporary_extensions_opportunity_idx ON temporary_extensions (salesforce_opportunity_id);
