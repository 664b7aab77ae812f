-- The global search (/admin/search, app/search/): what staff paste is
-- looked up exactly, each kind of key in the columns it can name, and
-- each of those look-ups reads a btree index rather than the table.
-- Columns already indexed for it: customers lower(email), uid;
-- namespaces lower(path), gitlab_id; zuora_subscriptions name,
-- zuora_subscription_id; billing_accounts zuora_account_id;
-- billing_account_contacts zuora_contact_id; invoices
-- zuora_invoice_number; orders id, gl_namespace_id.

-- An e-mail address, whatever its case.
CREATE INDEX billing_account_contacts_work_email_lower
    ON billing_account_contacts (lower(work_email));
CREATE INDEX licenses_email_lower ON licenses (lower(email));

-- A company domain: the part of the addresses after '@', newest first.
CREATE INDEX customers_email_domain
    ON customers (lower(split_part(email, '@', 2)), id);
CREATE INDEX billing_account_contacts_work_email_domain
    ON billing_account_contacts (lower(split_part(work_email, '@', 2)), id);
CREATE INDEX licenses_email_domain
    ON licenses (lower(split_part(email, '@', 2)), id);

-- A license's hostname, whole or by its domain: reversed, a hostname's
-- domain is a prefix ("ln.elacsnedlog." for goldenscale.nl), which a
-- text_pattern_ops index serves for LIKE 'prefix%' as well as for =.
CREATE INDEX license_seat_links_hostname_reversed
    ON license_seat_links (reverse(lower(hostname)) text_pattern_ops);

-- Salesforce IDs come in 15 characters (case-sensitive) or 18 (the same
-- 15 and a checksum): compared on their first 15.
CREATE INDEX billing_accounts_salesforce_account_id15
    ON billing_accounts ("left"(salesforce_account_id, 15));
CREATE INDEX reconciliations_salesforce_opportunity_id15
    ON reconciliations ("left"(salesforce_opportunity_id, 15));
CREATE INDEX temporary_extensions_salesforce_opportunity_id15
    ON temporary_extensions ("left"(salesforce_opportunity_id, 15));

-- A Zuora payment method ID.
CREATE INDEX payment_methods_zuora_payment_method_id
    ON payment_methods (zuora_payment_method_id);
