-- tests/sql/test_demo.sql - sql/demo.sql tells the Guide's stories (run on a
-- database where the demo was loaded, twice).

SELECT tests.ok((SELECT count(*) BETWEEN 20 AND 50 FROM customers WHERE email NOT LIKE '%@example.com'),
                'demo: 20-50 customers');
SELECT tests.ok(EXISTS (SELECT 1 FROM customers WHERE uid IS NULL), 'demo: a customer without a GitLab.com account');
SELECT tests.ok(EXISTS (SELECT 1 FROM customers c
                         WHERE NOT EXISTS (SELECT 1 FROM billing_account_memberships m WHERE m.customer_id = c.id)),
                'demo: customers without a subscription');
SELECT tests.ok(EXISTS (SELECT 1 FROM customers c
                          JOIN billing_account_memberships m ON m.customer_id = c.id
                          JOIN zuora_subscriptions s ON s.billing_account_id = m.billing_account_id
                         WHERE s.status = 'active'),
                'demo: customers with an active subscription');
SELECT tests.ok(EXISTS (SELECT 1 FROM customers WHERE NOT login_activated), 'demo: a customer with login deactivated');
SELECT tests.ok(EXISTS (SELECT 1 FROM billing_accounts WHERE credit_hold), 'demo: a billing account on credit hold');
SELECT tests.ok(EXISTS (SELECT 1 FROM billing_accounts WHERE support_hold), 'demo: a billing account on support hold');
SELECT tests.ok(EXISTS (SELECT 1 FROM billing_accounts WHERE po_required), 'demo: a billing account requiring a PO');
SELECT tests.ok(NOT EXISTS (SELECT 1 FROM billing_accounts WHERE bill_to_contact_id IS NULL OR sold_to_contact_id IS NULL),
                'demo: every billing account has a Bill_To and a Sold_To');
SELECT tests.ok(EXISTS (SELECT 1 FROM billing_accounts WHERE bill_to_contact_id = sold_to_contact_id),
                'demo: an account whose Bill_To and Sold_To are the same contact');
SELECT tests.ok(EXISTS (SELECT 1 FROM billing_accounts WHERE bill_to_contact_id <> sold_to_contact_id),
                'demo: an account with separate Bill_To and Sold_To contacts');
SELECT tests.ok(EXISTS (SELECT 1 FROM billing_account_contacts WHERE billing_account_id IS NULL),
                'demo: a contact with no billing account');
SELECT tests.ok(EXISTS (SELECT 1 FROM billing_accounts b JOIN billing_account_contacts c ON c.id = b.sold_to_contact_id
                         WHERE c.country IN ('CU', 'IR', 'KP', 'SY')),
                'demo: a Sold_To contact in a trade-restricted country');
SELECT tests.ok((SELECT count(DISTINCT payment_status) = 3 FROM invoices), 'demo: paid, unpaid and partially paid invoices');
SELECT tests.ok((SELECT count(DISTINCT kind) = 2 FROM payment_methods), 'demo: credit card and ACH payment methods');
SELECT tests.ok(EXISTS (SELECT 1 FROM zuora_subscriptions WHERE deployment_type = 'saas' AND seats_owed > 0),
                'demo: a SaaS subscription with owed seats');
SELECT tests.ok(EXISTS (SELECT 1 FROM zuora_subscriptions WHERE deployment_type = 'sm' AND seats_owed > 0),
                'demo: a self-managed subscription with owed seats');
SELECT tests.ok(EXISTS (SELECT 1 FROM reconciliations
                         WHERE status = 'skipped' AND error_message LIKE '%MaxAdditionalSeatsExceededError%'),
                'demo: a QSR skipped with MaxAdditionalSeatsExceededError');
SELECT tests.ok(EXISTS (SELECT 1 FROM reconciliations WHERE status = 'failed' AND error_message ILIKE '%declined%'),
                'demo: a QSR failed with a declined card');
SELECT tests.ok((SELECT count(*) >= 2 FROM reconciliations WHERE status = 'processed'), 'demo: processed QSRs');
SELECT tests.ok(EXISTS (SELECT 1 FROM reconciliations WHERE status = 'pending'), 'demo: a pending QSR');
SELECT tests.ok(EXISTS (SELECT 1 FROM temporary_extensions WHERE starts_on > CURRENT_DATE),
                'demo: an upcoming temporary extension');
SELECT tests.ok(EXISTS (SELECT 1 FROM temporary_extensions WHERE license_id IS NOT NULL),
                'demo: a self-managed extension with its legacy trial license');
SELECT tests.ok(EXISTS (SELECT 1 FROM zuora_subscriptions s
                          JOIN billing_accounts b ON b.id = s.billing_account_id
                          JOIN billing_account_contacts c ON c.id = b.sold_to_contact_id
                         WHERE s.status = 'active'
                           AND s.term_end_date BETWEEN CURRENT_DATE AND CURRENT_DATE + 15
                           AND NOT (b.credit_hold OR b.support_hold)
                           AND c.country NOT IN ('CU', 'IR', 'KP', 'SY')
                           AND NOT EXISTS (SELECT 1 FROM temporary_extensions t
                                            WHERE t.zuora_subscription_id = s.id
                                              AND t.renewal_term_start = s.term_end_date)),
                'demo: a subscription ending within 15 days, eligible for an extension');
SELECT tests.ok(EXISTS (SELECT 1 FROM license_seat_links
                         WHERE synced_at >= CURRENT_DATE - 6
                         GROUP BY zuora_subscription_id
                        HAVING count(DISTINCT synced_at::date) = 7),
                'demo: a self-managed instance with a week of daily seat-link syncs');
SELECT tests.ok(EXISTS (SELECT 1 FROM trials WHERE status = 'active' AND ends_on >= CURRENT_DATE),
                'demo: an active SaaS trial');
SELECT tests.ok(EXISTS (SELECT 1 FROM trials WHERE status = 'expired' AND ends_on < CURRENT_DATE),
                'demo: an expired SaaS trial');
SELECT tests.ok((SELECT count(DISTINCT license_type) = 3 FROM licenses), 'demo: cloud, offline cloud and legacy licenses');
SELECT tests.ok((SELECT count(DISTINCT license_type) >= 2 FROM licenses WHERE trial), 'demo: trial licenses of two types');
SELECT tests.ok((SELECT count(*) >= 5 FROM orders), 'demo: orders');
SELECT tests.ok((SELECT count(DISTINCT plan) >= 4 FROM namespaces), 'demo: namespaces on several plans');
SELECT tests.ok(EXISTS (SELECT 1 FROM versions WHERE actor LIKE 'admin:%' AND ticket_url IS NOT NULL),
                'demo: history entries made by admins with a ticket');
SELECT tests.ok(EXISTS (SELECT 1 FROM outbox WHERE status = 'pending'), 'demo: a pending outbox row');
