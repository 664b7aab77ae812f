-- tests/sql/test_constraints.sql - the schema refuses what is not true, with
-- the database's own error, and keeps nothing (tests.throws rolls back and
-- checks no history row was written). Runs on a database with sql/demo.sql
-- loaded: the demo rows are the fixtures.

CREATE TEMP TABLE fx AS
SELECT (SELECT id FROM billing_accounts WHERE zuora_account_id = md5('demo:account:northwind')) AS northwind,
       (SELECT id FROM billing_accounts WHERE zuora_account_id = md5('demo:account:arcticfox')) AS arcticfox,
       (SELECT id FROM billing_accounts WHERE zuora_account_id = md5('demo:account:bluefin'))   AS bluefin,
       (SELECT id FROM customers WHERE email = 'dana.whitfield@northwind-robotics.com')        AS dana,
       (SELECT id FROM customers WHERE email = 'lucas.martin@gmail.com')                       AS lucas,
       (SELECT id FROM billing_account_contacts WHERE zuora_contact_id = md5('demo:contact:northwind-dana'))   AS nw_contact,
       (SELECT id FROM billing_account_contacts WHERE zuora_contact_id = md5('demo:contact:arcticfox-ap'))     AS af_bill_to,
       (SELECT id FROM billing_account_contacts WHERE zuora_contact_id = md5('demo:contact:arcticfox-elodie')) AS af_sold_to,
       (SELECT id FROM billing_account_contacts WHERE zuora_contact_id = md5('demo:contact:orbital-ap'))       AS orphan_contact,
       (SELECT id FROM zuora_subscriptions WHERE name = 'A-S00039268') AS nw_sub,
       (SELECT id FROM zuora_subscriptions WHERE name = 'A-S00040117') AS pine_sub,
       (SELECT id FROM zuora_subscriptions WHERE name = 'A-S00041532') AS af_sub,
       (SELECT id FROM namespaces WHERE path = 'northwind-robotics') AS ns_northwind,
       (SELECT id FROM namespaces WHERE path = 'quantum-leap-labs')  AS ns_quantum,
       (SELECT id FROM namespaces WHERE path = 'lumen-learning')     AS ns_free;

SELECT tests.ok((SELECT num_nulls(f.*) = 0 FROM fx f), 'fixtures found in the demo data');

-- customers ------------------------------------------------------------------
SELECT tests.lives($q$
    INSERT INTO customers (first_name, last_name, email) VALUES ('Ada', 'Lovelace', 'ada@example.com')
$q$, 'a valid customer is accepted');
SELECT tests.throws($q$
    INSERT INTO customers (first_name, last_name, email)
    VALUES ('Dana', 'Whitfield', 'Dana.Whitfield@Northwind-Robotics.COM')
$q$, '23505', 'customers_email_key', 'duplicate email, in another case, refused');
SELECT tests.throws($q$
    UPDATE customers SET email = 'marcus.chen@northwind-robotics.com' WHERE id = (SELECT dana FROM fx)
$q$, '23505', 'customers_email_key', 'changing an email to one in use refused');
SELECT tests.throws($q$
    INSERT INTO customers (first_name, last_name, email) VALUES ('No', 'At', 'no-at-sign.example.com')
$q$, '23514', 'email_address_check', 'email without @ refused');
SELECT tests.throws($q$
    INSERT INTO customers (first_name, last_name, email) VALUES ('Sp', 'Ace', 'sp ace@example.com')
$q$, '23514', 'email_address_check', 'email with a blank refused');
SELECT tests.throws($q$
    INSERT INTO customers (first_name, last_name, email) VALUES ('No', 'Tld', 'user@localhost')
$q$, '23514', 'email_address_check', 'email without a domain dot refused');
SELECT tests.throws($q$
    INSERT INTO customers (first_name, last_name, email) VALUES ('  ', 'Blank', 'blank@example.com')
$q$, '23514', 'customers_first_name_check', 'blank first name refused');
SELECT tests.throws($q$
    INSERT INTO customers (first_name, last_name, email) VALUES ('Null', NULL, 'null@example.com')
$q$, '23502', NULL, 'missing last name refused');
SELECT tests.throws($q$
    INSERT INTO customers (first_name, last_name, email, uid) VALUES ('Twin', 'Uid', 'twin@example.com', 4100231)
$q$, '23505', 'customers_uid_key', 'GitLab.com uid used by another customer refused');
SELECT tests.throws($q$
    INSERT INTO customers (first_name, last_name, email, uid) VALUES ('Neg', 'Uid', 'neg@example.com', -5)
$q$, '23514', 'customers_uid_check', 'negative uid refused');
SELECT tests.throws($q$
    UPDATE customers SET id = id + 100000 WHERE id = (SELECT lucas FROM fx)
$q$, '23514', NULL, 'changing a customer id refused');

-- billing accounts and contacts -------------------------------------------
SELECT tests.throws($q$
    INSERT INTO billing_accounts (zuora_account_id, zuora_account_name) VALUES ('ACC-42', 'Bad Id Inc.')
$q$, '23514', 'billing_accounts_zuora_account_id_check', 'Zuora account id not 32 hex refused');
SELECT tests.throws($q$
    INSERT INTO billing_accounts (zuora_account_id, zuora_account_name)
    VALUES (md5('demo:account:northwind'), 'Copy Inc.')
$q$, '23505', 'billing_accounts_zuora_account_id_key', 'duplicate Zuora account id refused');
SELECT tests.throws($q$
    UPDATE billing_accounts SET salesforce_account_id = 'SF-123' WHERE id = (SELECT northwind FROM fx)
$q$, '23514', 'billing_accounts_salesforce_account_id_check', 'malformed Salesforce account id refused');
SELECT tests.throws($q$
    UPDATE billing_accounts SET currency = 'usd' WHERE id = (SELECT northwind FROM fx)
$q$, '23514', 'billing_accounts_currency_check', 'lower-case currency code refused');
SELECT tests.throws($q$
    INSERT INTO billing_accounts (zuora_account_id, zuora_account_name) VALUES (md5('t:no-contacts'), 'Lonely Inc.')
$q$, '23514', 'billing_accounts_contacts_required', 'account without Bill_To/Sold_To refused at commit');
SELECT tests.lives($q$
    DO $d$
    DECLARE
        acct bigint;
        bill_to bigint;
        sold_to bigint;
    BEGIN
        INSERT INTO billing_accounts (zuora_account_id, zuora_account_name)
            VALUES (md5('t:complete'), 'Complete Inc.') RETURNING id INTO acct;
        INSERT INTO billing_account_contacts (zuora_contact_id, billing_account_id, first_name, last_name, work_email, country)
            VALUES (md5('t:complete-ap'), acct, 'Accounts', 'Payable', 'ap@complete.example', 'KR') RETURNING id INTO bill_to;
        INSERT INTO billing_account_contacts (zuora_contact_id, billing_account_id, first_name, last_name, work_email, country)
            VALUES (md5('t:complete-kim'), acct, 'Kim', 'Lee', 'kim@complete.example', 'KR') RETURNING id INTO sold_to;
        UPDATE billing_accounts SET bill_to_contact_id = bill_to, sold_to_contact_id = sold_to WHERE id = acct;
    END
    $d$
$q$, 'account created with its contacts in one transaction is accepted');
SELECT tests.throws($q$
    UPDATE billing_accounts SET sold_to_contact_id = NULL WHERE id = (SELECT northwind FROM fx)
$q$, '23514', 'billing_accounts_contacts_required', 'clearing the Sold_To contact refused');
SELECT tests.throws($q$
    UPDATE billing_accounts SET bill_to_contact_id = (SELECT af_bill_to FROM fx) WHERE id = (SELECT northwind FROM fx)
$q$, '23503', 'billing_accounts_bill_to_contact_fkey', 'Bill_To contact of another account refused');
SELECT tests.throws($q$
    UPDATE billing_accounts SET sold_to_contact_id = (SELECT orphan_contact FROM fx) WHERE id = (SELECT northwind FROM fx)
$q$, '23503', 'billing_accounts_sold_to_contact_fkey', 'Sold_To contact with no billing account refused');
SELECT tests.lives($q$
    UPDATE billing_accounts SET bill_to_contact_id = (SELECT af_sold_to FROM fx) WHERE id = (SELECT arcticfox FROM fx)
$q$, 'Bill_To = Sold_To (same contact) accepted');
SELECT tests.ok((SELECT count(*) = 2 FROM information_schema.columns
                  WHERE table_name = 'billing_accounts'
                    AND column_name IN ('bill_to_contact_id', 'sold_to_contact_id')),
                'a second Bill_To or Sold_To cannot be expressed: one column each');
SELECT tests.throws($q$
    DELETE FROM billing_account_contacts WHERE id = (SELECT nw_contact FROM fx)
$q$, '23503', 'billing_accounts_bill_to_contact_fkey', 'deleting a Bill_To contact refused');
SELECT tests.throws($q$
    UPDATE billing_account_contacts SET billing_account_id = (SELECT bluefin FROM fx) WHERE id = (SELECT af_bill_to FROM fx)
$q$, '23503', 'billing_accounts_bill_to_contact_fkey', 'moving a Bill_To contact to another account refused');
SELECT tests.lives($q$
    INSERT INTO billing_account_contacts (zuora_contact_id, first_name, last_name, work_email, country)
    VALUES (md5('t:unattached'), 'Una', 'Tached', 'una@example.com', 'FR')
$q$, 'a contact with no billing account is accepted');
SELECT tests.throws($q$
    UPDATE billing_account_contacts SET country = 'XX' WHERE id = (SELECT orphan_contact FROM fx)
$q$, '23503', 'billing_account_contacts_country_fkey', 'unknown country code refused');
SELECT tests.throws($q$
    UPDATE billing_account_contacts SET country = 'USA' WHERE id = (SELECT orphan_contact FROM fx)
$q$, '22001', NULL, 'three-letter country code refused');
SELECT tests.throws($q$
    UPDATE billing_account_contacts SET work_email = 'finance at example.com' WHERE id = (SELECT orphan_contact FROM fx)
$q$, '23514', 'email_address_check', 'malformed contact work email refused');
SELECT tests.throws($q$
    INSERT INTO billing_account_contacts (zuora_contact_id, first_name, last_name, work_email, country)
    VALUES (md5('demo:contact:orbital-ap'), 'Dup', 'Licate', 'dup@example.com', 'US')
$q$, '23505', 'billing_account_contacts_zuora_contact_id_key', 'duplicate Zuora contact id refused');

-- memberships --------------------------------------------------------------
SELECT tests.throws($q$
    INSERT INTO billing_account_memberships (customer_id, billing_account_id)
    VALUES ((SELECT dana FROM fx), (SELECT arcticfox FROM fx))
$q$, '23505', 'billing_account_memberships_customer_id_key', 'second membership for a customer refused');
SELECT tests.throws($q$
    INSERT INTO billing_account_memberships (customer_id, billing_account_id) VALUES (-1, (SELECT arcticfox FROM fx))
$q$, '23503', 'billing_account_memberships_customer_id_fkey', 'membership of a missing customer refused');
SELECT tests.throws($q$
    INSERT INTO billing_account_memberships (customer_id, billing_account_id) VALUES ((SELECT lucas FROM fx), -1)
$q$, '23503', 'billing_account_memberships_billing_account_id_fkey', 'membership to a missing billing account refused');

-- invoices -------------------------------------------------------------------
SELECT tests.throws($q$
    INSERT INTO invoices (zuora_invoice_number, billing_account_id, invoice_date, due_date, amount, balance, payment_status)
    VALUES ('INV-T1', (SELECT northwind FROM fx), CURRENT_DATE, CURRENT_DATE - 1, 10, 10, 'unpaid')
$q$, '23514', 'invoices_due_date_check', 'invoice due before its date refused');
SELECT tests.throws($q$
    INSERT INTO invoices (zuora_invoice_number, billing_account_id, invoice_date, due_date, amount, balance, payment_status)
    VALUES ('INV-T2', (SELECT northwind FROM fx), CURRENT_DATE, CURRENT_DATE, -10, 0, 'paid')
$q$, '23514', 'invoices_amount_check', 'negative invoice amount refused');
SELECT tests.throws($q$
    INSERT INTO invoices (zuora_invoice_number, billing_account_id, invoice_date, due_date, amount, balance, payment_status)
    VALUES ('INV-T3', (SELECT northwind FROM fx), CURRENT_DATE, CURRENT_DATE, 10, 5, 'paid')
$q$, '23514', 'invoices_payment_status_balance_check', 'paid invoice with a balance refused');
SELECT tests.throws($q$
    INSERT INTO invoices (zuora_invoice_number, billing_account_id, invoice_date, due_date, amount, balance, payment_status)
    VALUES ('INV-T4', (SELECT northwind FROM fx), CURRENT_DATE, CURRENT_DATE, 10, 10, 'overdue')
$q$, '23514', 'invoices_payment_status_check', 'unknown payment status refused');
SELECT tests.throws($q$
    INSERT INTO invoices (zuora_invoice_number, billing_account_id, invoice_date, due_date, amount, balance, payment_status)
    VALUES ('INV00481220', (SELECT northwind FROM fx), CURRENT_DATE, CURRENT_DATE, 10, 0, 'paid')
$q$, '23505', 'invoices_zuora_invoice_number_key', 'duplicate invoice number refused');
SELECT tests.throws($q$
    INSERT INTO invoices (zuora_invoice_number, billing_account_id, invoice_date, due_date, amount, balance, payment_status)
    VALUES ('INV-T5', -1, CURRENT_DATE, CURRENT_DATE, 10, 0, 'paid')
$q$, '23503', 'invoices_billing_account_id_fkey', 'invoice of a missing billing account refused');

-- payment methods ------------------------------------------------------------
SELECT tests.lives($q$
    INSERT INTO payment_methods (zuora_payment_method_id, billing_account_id, kind, card_last4, card_type,
                                 name_on_card, card_expiration_month, card_expiration_year)
    VALUES (md5('t:card'), (SELECT bluefin FROM fx), 'credit_card', '1234', 'Visa', 'O Bennett', 12, 2030)
$q$, 'a complete credit card is accepted');
SELECT tests.throws($q$
    INSERT INTO payment_methods (zuora_payment_method_id, billing_account_id, kind, card_last4, card_type,
                                 name_on_card, card_expiration_month, card_expiration_year, ach_routing_number)
    VALUES (md5('t:pm1'), (SELECT bluefin FROM fx), 'credit_card', '1234', 'Visa', 'O Bennett', 12, 2030, '021000021')
$q$, '23514', 'payment_methods_kind_columns_check', 'credit card with ACH columns refused');
SELECT tests.throws($q$
    INSERT INTO payment_methods (zuora_payment_method_id, billing_account_id, kind, card_last4, card_type)
    VALUES (md5('t:pm2'), (SELECT bluefin FROM fx), 'credit_card', '1234', 'Visa')
$q$, '23514', 'payment_methods_kind_columns_check', 'credit card without name and expiration refused');
SELECT tests.throws($q$
    INSERT INTO payment_methods (zuora_payment_method_id, billing_account_id, kind, ach_routing_number,
                                 ach_account_number_last4, ach_account_type, ach_bank_name)
    VALUES (md5('t:pm3'), (SELECT bluefin FROM fx), 'ach', '021000021', '6789', 'checking', 'Chase')
$q$, '23514', 'payment_methods_kind_columns_check', 'ACH without account name refused');
SELECT tests.throws($q$
    INSERT INTO payment_methods (zuora_payment_method_id, billing_account_id, kind, ach_routing_number,
                                 ach_account_number_last4, ach_account_type, ach_bank_name, ach_account_name)
    VALUES (md5('t:pm4'), (SELECT bluefin FROM fx), 'ach', '021000021', '000123456789', 'checking', 'Chase', 'Bluefin')
$q$, '22001', NULL, 'full bank account number cannot be stored');
SELECT tests.throws($q$
    INSERT INTO payment_methods (zuora_payment_method_id, billing_account_id, kind, card_last4, card_type,
                                 name_on_card, card_expiration_month, card_expiration_year)
    VALUES (md5('t:pm5'), (SELECT bluefin FROM fx), 'credit_card', '12ab', 'Visa', 'O Bennett', 12, 2030)
$q$, '23514', 'payment_methods_card_last4_check', 'card last 4 that are not digits refused');
SELECT tests.throws($q$
    INSERT INTO payment_methods (zuora_payment_method_id, billing_account_id, kind, card_last4, card_type,
                                 name_on_card, card_expiration_month, card_expiration_year)
    VALUES (md5('t:pm6'), (SELECT bluefin FROM fx), 'credit_card', '1234', 'Visa', 'O Bennett', 13, 2030)
$q$, '23514', 'payment_methods_card_expiration_month_check', 'expiration month 13 refused');
SELECT tests.throws($q$
    INSERT INTO payment_methods (zuora_payment_method_id, billing_account_id, kind)
    VALUES (md5('t:pm7'), (SELECT bluefin FROM fx), 'paypal')
$q$, '23514', 'payment_methods_kind_check', 'unknown payment method kind refused');
SELECT tests.throws($q$
    INSERT INTO payment_methods (zuora_payment_method_id, billing_account_id, kind, is_default, card_last4, card_type,
                                 name_on_card, card_expiration_month, card_expiration_year)
    VALUES (md5('t:pm8'), (SELECT northwind FROM fx), 'credit_card', true, '9999', 'Visa', 'D W', 1, 2031)
$q$, '23505', 'payment_methods_one_default_key', 'second default payment method refused');

-- subscriptions ----------------------------------------------------------------
SELECT tests.throws($q$
    UPDATE zuora_subscriptions SET seats = -1 WHERE id = (SELECT nw_sub FROM fx)
$q$, '23514', 'zuora_subscriptions_seats_check', 'negative seats refused');
SELECT tests.throws($q$
    UPDATE zuora_subscriptions SET max_seats_used = -3 WHERE id = (SELECT nw_sub FROM fx)
$q$, '23514', 'zuora_subscriptions_max_seats_used_check', 'negative max seats used refused');
SELECT tests.throws($q$
    UPDATE zuora_subscriptions SET term_end_date = term_start_date - 1 WHERE id = (SELECT nw_sub FROM fx)
$q$, '23514', 'zuora_subscriptions_term_check', 'term ending before it starts refused');
SELECT tests.throws($q$
    UPDATE zuora_subscriptions SET deployment_type = 'dedicated' WHERE id = (SELECT nw_sub FROM fx)
$q$, '23514', 'zuora_subscriptions_deployment_type_check', 'unknown deployment type refused');
SELECT tests.throws($q$
    UPDATE zuora_subscriptions SET gitlab_plan = 'platinum' WHERE id = (SELECT nw_sub FROM fx)
$q$, '23514', 'gitlab_paid_plan_check', 'unknown GitLab plan refused');
SELECT tests.throws($q$
    UPDATE zuora_subscriptions SET name = 'A-S00040117' WHERE id = (SELECT nw_sub FROM fx)
$q$, '23505', 'zuora_subscriptions_name_key', 'duplicate subscription name refused');
SELECT tests.throws($q$
    INSERT INTO zuora_subscriptions (zuora_subscription_id, name, billing_account_id, deployment_type, gitlab_plan,
                                     term_start_date, term_end_date, seats)
    VALUES (md5('t:sub'), 'A-S09999999', -1, 'saas', 'premium', CURRENT_DATE, CURRENT_DATE + 365, 10)
$q$, '23503', 'zuora_subscriptions_billing_account_id_fkey', 'subscription of a missing billing account refused');
SELECT tests.is((SELECT seats_owed FROM zuora_subscriptions WHERE name = 'A-S00039268'), 12,
                'seats_owed = max seats used - seats');
SELECT tests.is((SELECT seats_owed FROM zuora_subscriptions WHERE name = 'A-S00042210'), 0,
                'seats_owed is never negative');

-- licenses -------------------------------------------------------------------
SELECT tests.throws($q$
    INSERT INTO licenses (license_type, name, email, starts_at, expires_at, user_count, gitlab_plan)
    VALUES ('perpetual', 'X', 'x@example.com', CURRENT_DATE, CURRENT_DATE + 30, 10, 'premium')
$q$, '23514', 'licenses_license_type_check', 'unknown license type refused');
SELECT tests.throws($q$
    INSERT INTO licenses (license_type, trial, name, email, starts_at, expires_at, user_count, gitlab_plan)
    VALUES ('legacy', true, 'X', 'x@example.com', CURRENT_DATE, CURRENT_DATE - 1, 10, 'premium')
$q$, '23514', 'licenses_dates_check', 'license expiring before it starts refused');
SELECT tests.throws($q$
    INSERT INTO licenses (license_type, trial, name, email, starts_at, expires_at, user_count, gitlab_plan)
    VALUES ('legacy', true, 'X', 'x@example.com', CURRENT_DATE, CURRENT_DATE + 30, -10, 'premium')
$q$, '23514', 'licenses_user_count_check', 'negative license user count refused');
SELECT tests.throws($q$
    INSERT INTO licenses (license_type, trial, name, email, starts_at, expires_at, user_count, gitlab_plan)
    VALUES ('cloud', false, 'X', 'x@example.com', CURRENT_DATE, CURRENT_DATE + 30, 10, 'premium')
$q$, '23514', 'licenses_cloud_subscription_check', 'paid cloud license without a subscription refused');

-- license seat links ------------------------------------------------------------
SELECT tests.throws($q$
    INSERT INTO license_seat_links (zuora_subscription_id, subscription_name, hostname, license_user_count,
                                    billable_user_count, max_historical_user_count, gitlab_version, synced_at)
    VALUES ((SELECT af_sub FROM fx), 'x', 'gitlab.example.com', 10, -1, 10, '17.5.0', now())
$q$, '23514', 'license_seat_links_billable_user_count_check', 'negative billable user count refused');
SELECT tests.throws($q$
    INSERT INTO license_seat_links (zuora_subscription_id, subscription_name, hostname, license_user_count,
                                    billable_user_count, max_historical_user_count, gitlab_version, synced_at)
    VALUES ((SELECT af_sub FROM fx), 'x', 'gitlab.example.com', 10, 1, 10, 'latest', now())
$q$, '23514', 'license_seat_links_gitlab_version_check', 'GitLab version that is not a version refused');
SELECT tests.throws($q$
    INSERT INTO license_seat_links (zuora_subscription_id, subscription_name, hostname, license_user_count,
                                    billable_user_count, max_historical_user_count, gitlab_version, synced_at)
    VALUES (-1, 'x', 'gitlab.example.com', 10, 1, 10, '17.5.0', now())
$q$, '23503', 'license_seat_links_zuora_subscription_id_fkey', 'seat link of a missing subscription refused');

-- reconciliations -------------------------------------------------------------
SELECT tests.throws($q$
    INSERT INTO reconciliations (zuora_subscription_id, subscription_name, customer_name, status, reconcile_on)
    VALUES ((SELECT nw_sub FROM fx), 'x', 'Northwind', 'done', CURRENT_DATE)
$q$, '23514', 'reconciliations_status_check', 'unknown reconciliation status refused');
SELECT tests.throws($q$
    INSERT INTO reconciliations (zuora_subscription_id, subscription_name, customer_name, status, reconcile_on)
    VALUES ((SELECT nw_sub FROM fx), 'x', 'Northwind', 'processed', CURRENT_DATE)
$q$, '23514', 'reconciliations_status_fields_check', 'processed reconciliation without done_at refused');
SELECT tests.throws($q$
    INSERT INTO reconciliations (zuora_subscription_id, subscription_name, customer_name, status, reconcile_on)
    VALUES ((SELECT nw_sub FROM fx), 'x', 'Northwind', 'skipped', CURRENT_DATE)
$q$, '23514', 'reconciliations_status_fields_check', 'skipped reconciliation without skip reason refused');
SELECT tests.throws($q$
    INSERT INTO reconciliations (zuora_subscription_id, subscription_name, customer_name, status, reconcile_on)
    VALUES ((SELECT nw_sub FROM fx), 'x', 'Northwind', 'failed', CURRENT_DATE)
$q$, '23514', 'reconciliations_status_fields_check', 'failed reconciliation without error message refused');
SELECT tests.throws($q$
    INSERT INTO reconciliations (zuora_subscription_id, subscription_name, customer_name, status, reconcile_on, done_at)
    VALUES ((SELECT nw_sub FROM fx), 'x', 'Northwind', 'pending', CURRENT_DATE, now())
$q$, '23514', 'reconciliations_status_fields_check', 'pending reconciliation with done_at refused');
SELECT tests.throws($q$
    INSERT INTO reconciliations (zuora_subscription_id, subscription_name, customer_name, status, reconcile_on,
                                 done_at, user_count, invoiced_amount)
    VALUES ((SELECT nw_sub FROM fx), 'x', 'Northwind', 'processed', CURRENT_DATE, now(), 60, -1)
$q$, '23514', 'reconciliations_invoiced_amount_check', 'negative invoiced amount refused');

-- temporary extensions ---------------------------------------------------------
SELECT tests.throws($q$
    INSERT INTO temporary_extensions (zuora_subscription_id, reason, renewal_term_start, starts_on, ends_on, created_by)
    SELECT id, 'Procurement delay', term_end_date, term_end_date, term_end_date + 21, 'sfdc'
      FROM zuora_subscriptions WHERE id = (SELECT pine_sub FROM fx)
$q$, '23505', 'temporary_extensions_renewal_term_key', 'second extension in the same renewal term refused');
SELECT tests.lives($q$
    INSERT INTO temporary_extensions (zuora_subscription_id, reason, renewal_term_start, starts_on, ends_on, created_by)
    SELECT id, 'Procurement delay', term_end_date + 365, term_end_date + 365, term_end_date + 386, 'sfdc'
      FROM zuora_subscriptions WHERE id = (SELECT pine_sub FROM fx)
$q$, 'an extension in the next renewal term is accepted');
SELECT tests.throws($q$
    INSERT INTO temporary_extensions (zuora_subscription_id, reason, renewal_term_start, starts_on, ends_on, created_by)
    SELECT id, 'Procurement delay', term_end_date, term_end_date, term_end_date + 30, 'sfdc'
      FROM zuora_subscriptions WHERE id = (SELECT af_sub FROM fx)
$q$, '23514', 'temporary_extensions_ends_on_check', 'extension not ending 21 days after term end refused');
SELECT tests.throws($q$
    INSERT INTO temporary_extensions (zuora_subscription_id, reason, renewal_term_start, starts_on, ends_on, created_by)
    SELECT id, 'Procurement delay', term_end_date, term_end_date - 1, term_end_date + 21, 'sfdc'
      FROM zuora_subscriptions WHERE id = (SELECT af_sub FROM fx)
$q$, '23514', 'temporary_extensions_starts_on_check', 'extension starting before the term end refused');
SELECT tests.throws($q$
    INSERT INTO temporary_extensions (zuora_subscription_id, reason, users, renewal_term_start, starts_on, ends_on, created_by)
    SELECT id, 'Procurement delay', 0, term_end_date, term_end_date, term_end_date + 21, 'sfdc'
      FROM zuora_subscriptions WHERE id = (SELECT af_sub FROM fx)
$q$, '23514', 'temporary_extensions_users_check', 'extension for 0 users refused');
SELECT tests.throws($q$
    INSERT INTO temporary_extensions (zuora_subscription_id, reason, renewal_term_start, starts_on, ends_on, created_by)
    SELECT id, '', term_end_date, term_end_date, term_end_date + 21, 'sfdc'
      FROM zuora_subscriptions WHERE id = (SELECT af_sub FROM fx)
$q$, '23514', 'temporary_extensions_reason_check', 'extension without a reason refused');

-- namespaces and trials ------------------------------------------------------------
SELECT tests.throws($q$
    INSERT INTO namespaces (gitlab_id, path, name, kind) VALUES (99000001, 'Northwind-Robotics', 'Copy', 'group')
$q$, '23505', 'namespaces_path_key', 'namespace path taken (other case) refused');
SELECT tests.throws($q$
    INSERT INTO namespaces (gitlab_id, path, name, kind) VALUES (11203344, 'other-path', 'Copy', 'group')
$q$, '23505', 'namespaces_gitlab_id_key', 'duplicate GitLab namespace id refused');
SELECT tests.throws($q$
    INSERT INTO namespaces (gitlab_id, path, name, kind) VALUES (99000002, 'a-project', 'Project', 'project')
$q$, '23514', 'namespaces_kind_check', 'unknown namespace kind refused');
SELECT tests.throws($q$
    INSERT INTO namespaces (gitlab_id, path, name, kind) VALUES (99000003, 'has space', 'Spaced', 'group')
$q$, '23514', 'namespaces_path_check', 'namespace path with a blank refused');
SELECT tests.throws($q$
    UPDATE namespaces SET extra_ci_minutes = -100 WHERE id = (SELECT ns_northwind FROM fx)
$q$, '23514', 'namespaces_extra_ci_minutes_check', 'negative extra CI minutes refused');
SELECT tests.throws($q$
    UPDATE namespaces SET additional_storage_mib = -1 WHERE id = (SELECT ns_northwind FROM fx)
$q$, '23514', 'namespaces_additional_storage_mib_check', 'negative additional storage refused');
SELECT tests.throws($q$
    UPDATE namespaces SET plan = 'free' WHERE id = (SELECT ns_northwind FROM fx)
$q$, '23514', 'namespaces_plan_subscription_check', 'namespace with a subscription on Free refused');
SELECT tests.lives($q$
    UPDATE namespaces SET plan = 'free', zuora_subscription_id = NULL WHERE id = (SELECT ns_northwind FROM fx)
$q$, 'clearing a subscription (unlink + Free) is accepted');
SELECT tests.throws($q$
    UPDATE namespaces SET zuora_subscription_id = (SELECT nw_sub FROM fx), plan = 'premium' WHERE id = (SELECT ns_free FROM fx)
$q$, '23505', 'namespaces_zuora_subscription_id_key', 'a subscription linked to a second namespace refused');
SELECT tests.lives($q$
    UPDATE namespaces SET zuora_subscription_id = NULL, plan = 'free' WHERE id = (SELECT ns_northwind FROM fx);
    UPDATE namespaces SET zuora_subscription_id = (SELECT nw_sub FROM fx), plan = 'premium' WHERE id = (SELECT ns_free FROM fx)
$q$, 'force re-associate (unlink, then link elsewhere) is accepted');
SELECT tests.throws($q$
    UPDATE namespaces SET plan = 'platinum' WHERE id = (SELECT ns_free FROM fx)
$q$, '23514', 'gitlab_namespace_plan_check', 'unknown namespace plan refused');
SELECT tests.throws($q$
    INSERT INTO namespaces (gitlab_id, path, name, kind, owner_customer_id)
    VALUES (99000004, 'dana-2', 'Dana again', 'user', (SELECT dana FROM fx))
$q$, '23505', 'namespaces_one_personal_key', 'second personal namespace for a customer refused');
SELECT tests.throws($q$
    INSERT INTO trials (namespace_id, plan, starts_on, ends_on) VALUES ((SELECT ns_free FROM fx), 'ultimate_trial', CURRENT_DATE, CURRENT_DATE - 1)
$q$, '23514', 'trials_dates_check', 'trial ending before it starts refused');
SELECT tests.throws($q$
    INSERT INTO trials (namespace_id, plan, starts_on, ends_on) VALUES ((SELECT ns_free FROM fx), 'gold_trial', CURRENT_DATE, CURRENT_DATE + 30)
$q$, '23514', 'trials_plan_check', 'unknown trial plan refused');
SELECT tests.throws($q$
    INSERT INTO trials (namespace_id, plan, starts_on, ends_on, status) VALUES ((SELECT ns_free FROM fx), 'ultimate_trial', CURRENT_DATE, CURRENT_DATE + 30, 'paused')
$q$, '23514', 'trials_status_check', 'unknown trial status refused');
SELECT tests.throws($q$
    INSERT INTO trials (namespace_id, plan, starts_on, ends_on, status) VALUES ((SELECT ns_free FROM fx), 'ultimate_trial', CURRENT_DATE, CURRENT_DATE + 30, 'cancelled')
$q$, '23514', 'trials_cancelled_check', 'cancelled trial without cancelled_at refused');
SELECT tests.throws($q$
    INSERT INTO trials (namespace_id, plan, starts_on, ends_on) VALUES ((SELECT ns_quantum FROM fx), 'premium_trial', CURRENT_DATE, CURRENT_DATE + 30)
$q$, '23505', 'trials_one_active_key', 'second active trial for a namespace refused');
SELECT tests.throws($q$
    INSERT INTO trials (namespace_id, plan, starts_on, ends_on) VALUES (-1, 'premium_trial', CURRENT_DATE, CURRENT_DATE + 30)
$q$, '23503', 'trials_namespace_id_fkey', 'trial of a missing namespace refused');

-- orders -------------------------------------------------------------------------
SELECT tests.throws($q$
    INSERT INTO orders (billing_account_id, product_rate_plan_id, product_name, quantity, start_date, end_date)
    VALUES ((SELECT northwind FROM fx), md5('rp'), '1,000 CI Minutes', 0, CURRENT_DATE, CURRENT_DATE + 365)
$q$, '23514', 'orders_quantity_check', 'order of quantity 0 refused');
SELECT tests.throws($q$
    INSERT INTO orders (billing_account_id, product_rate_plan_id, product_name, quantity, start_date, end_date)
    VALUES ((SELECT northwind FROM fx), md5('rp'), '1,000 CI Minutes', 1, CURRENT_DATE, CURRENT_DATE - 1)
$q$, '23514', 'orders_dates_check', 'order ending before it starts refused');

-- credentials ---------------------------------------------------------------------
SELECT tests.throws($q$
    INSERT INTO one_time_sign_in_tokens (customer_id, token_sha256, expires_at)
    VALUES ((SELECT dana FROM fx), '\x0102'::bytea, now() + interval '1 day')
$q$, '23514', 'one_time_sign_in_tokens_token_sha256_check', 'token hash that is not 32 bytes refused');
SELECT tests.throws($q$
    INSERT INTO one_time_sign_in_tokens (customer_id, token_sha256, expires_at)
    VALUES ((SELECT dana FROM fx), sha256('a'), now() + interval '1 day'),
           ((SELECT lucas FROM fx), sha256('a'), now() + interval '1 day')
$q$, '23505', 'one_time_sign_in_tokens_token_sha256_key', 'duplicate token hash refused');
SELECT tests.throws($q$
    INSERT INTO one_time_sign_in_tokens (customer_id, token_sha256, expires_at, used_at)
    VALUES ((SELECT dana FROM fx), sha256('b'), now() + interval '1 hour', now() + interval '2 hours')
$q$, '23514', 'one_time_sign_in_tokens_used_check', 'token used after it expired refused');
SELECT tests.throws($q$
    INSERT INTO impersonation_grants (customer_id, admin_identity, token_sha256, expires_at)
    VALUES ((SELECT dana FROM fx), 'admin:jo@gitlab.com', sha256('c'), now() + interval '1 day')
$q$, '23514', 'impersonation_grants_expiry_check', 'impersonation grant longer than an hour refused');
SELECT tests.throws($q$
    INSERT INTO impersonation_grants (customer_id, admin_identity, token_sha256, expires_at)
    VALUES ((SELECT dana FROM fx), 'jo@gitlab.com', sha256('d'), now() + interval '10 minutes')
$q$, '23514', 'impersonation_grants_admin_identity_check', 'impersonation grant without an admin identity refused');

-- outbox ---------------------------------------------------------------------------
SELECT tests.throws($q$
    INSERT INTO outbox (kind, payload) VALUES ('fax', '{}')
$q$, '23514', 'outbox_kind_check', 'unknown outbox kind refused');
SELECT tests.throws($q$
    INSERT INTO outbox (kind, payload, status) VALUES ('email', '{}', 'sent')
$q$, '23514', 'outbox_sent_check', 'sent outbox row without sent_at refused');
SELECT tests.throws($q$
    INSERT INTO outbox (kind, payload) VALUES ('email', '[1, 2]')
$q$, '23514', 'outbox_payload_check', 'outbox payload that is not an object refused');

-- deletes: the chosen ON DELETE behaviour --------------------------------------------
SELECT tests.throws($q$
    DELETE FROM billing_accounts WHERE id = (SELECT northwind FROM fx)
$q$, '23503', NULL, 'deleting a billing account with subscriptions and invoices refused');
SELECT tests.throws($q$
    DELETE FROM zuora_subscriptions WHERE id = (SELECT nw_sub FROM fx)
$q$, '23503', NULL, 'deleting a subscription with reconciliations refused');
SELECT tests.lives($q$
    DO $d$
    DECLARE
        cust bigint := (SELECT dana FROM fx);
    BEGIN
        DELETE FROM customers WHERE id = cust;
        IF EXISTS (SELECT 1 FROM billing_account_memberships WHERE customer_id = cust) THEN
            RAISE EXCEPTION 'membership survived its customer';
        END IF;
        IF EXISTS (SELECT 1 FROM namespaces WHERE owner_customer_id = cust) THEN
            RAISE EXCEPTION 'namespaces still point at the customer';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM namespaces WHERE path = 'northwind-robotics' AND owner_customer_id IS NULL) THEN
            RAISE EXCEPTION 'namespace was deleted with its owner';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM orders WHERE customer_id IS NULL) THEN
            RAISE EXCEPTION 'orders were deleted with the customer';
        END IF;
    END
    $d$
$q$, 'deleting a customer removes memberships, keeps namespaces and orders');
SELECT tests.lives($q$
    DO $d$
    DECLARE
        acct bigint;
        contact bigint;
    BEGIN
        INSERT INTO billing_accounts (zuora_account_id, zuora_account_name) VALUES (md5('t:gone'), 'Gone Inc.')
            RETURNING id INTO acct;
        INSERT INTO billing_account_contacts (zuora_contact_id, billing_account_id, first_name, last_name, work_email, country)
            VALUES (md5('t:gone-contact'), acct, 'Al', 'Gone', 'al@gone.example', 'US') RETURNING id INTO contact;
        UPDATE billing_accounts SET bill_to_contact_id = contact, sold_to_contact_id = contact WHERE id = acct;
        INSERT INTO billing_account_memberships (customer_id, billing_account_id) VALUES ((SELECT lucas FROM fx), acct);
        DELETE FROM billing_accounts WHERE id = acct;
        IF NOT EXISTS (SELECT 1 FROM billing_account_contacts WHERE id = contact AND billing_account_id IS NULL) THEN
            RAISE EXCEPTION 'contact not kept unattached';
        END IF;
        IF EXISTS (SELECT 1 FROM billing_account_memberships WHERE billing_account_id = acct) THEN
            RAISE EXCEPTION 'membership survived its account';
        END IF;
    END
    $d$
$q$, 'deleting a billing account keeps its contacts (unattached), removes memberships');

-- versions are append-only ------------------------------------------------------
SELECT tests.throws($q$
    UPDATE versions SET actor = 'someone else' WHERE id = (SELECT min(id) FROM versions)
$q$, '42501', NULL, 'rewriting history refused');
SELECT tests.throws($q$
    DELETE FROM versions WHERE id = (SELECT min(id) FROM versions)
$q$, '42501', NULL, 'deleting history refused');
SELECT tests.throws($q$
    TRUNCATE versions
$q$, '42501', NULL, 'truncating history refused');
SELECT tests.throws($q$
    SELECT set_config('cdot.ticket', 'javascript:alert(1)', true);
    UPDATE customers SET company = 'Changed' WHERE id = (SELECT lucas FROM fx)
$q$, '23514', 'versions_ticket_url_check', 'a change with a ticket that is not a URL is refused whole');
