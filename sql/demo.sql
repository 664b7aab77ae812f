-- sql/demo.sql - demo data telling the Fulfillment Guide's stories.
--
-- Load (after sql/migrate.sh), with the same connection settings:
--     psql -X -q -v ON_ERROR_STOP=1 -f sql/demo.sql                 # PG* environment
--     psql -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL" -f sql/demo.sql
--
-- Idempotent: everything is loaded in one transaction, under an advisory
-- lock, and only if the demo is not there yet (marker: the customer
-- dana.whitfield@northwind-robotics.com). Loading it twice changes nothing.
-- Dates are relative to CURRENT_DATE, so the stories stay current: load on a
-- fresh database to move them to today.
--
-- Rows are written through the history triggers (actor 'system'); a few
-- later edits are made as admins with a Zendesk ticket, so History pages
-- have something to show. Zuora ids are md5('demo:<kind>:<key>') (32 hex,
-- the shape Zuora uses).
--
-- The cast:
--   Northwind Robotics (US)   SaaS Premium A-S00039268, 12 owed seats, QSR
--                             processed / failed (card declined) / pending;
--                             Bill_To = Sold_To (same contact); credit cards;
--                             an expired SM subscription that had a temporary
--                             extension in its last renewal term.
--   Arctic Fox Software (CA)  SM Ultimate A-S00041532 on cloud licensing,
--                             ends in 9 days (eligible for an extension),
--                             a week of daily seat-link syncs.
--   Pinecone Analytics (US)   SaaS Ultimate A-S00040117 ending in 6 days, with
--                             an upcoming temporary extension (starts at term end).
--   Meridian Bank (US)        SM Premium, offline cloud license (monthly usage
--                             uploads), QSR skipped: MaxAdditionalSeatsExceededError;
--                             ACH; Greta Lindqvist has no GitLab.com account.
--   Helios Data GmbH (DE)     credit hold (bad debt), SM ends in 12 days.
--   Bluefin Logistics (GB)    support hold, SaaS ended 5 days ago.
--   Cascade Health (US)       PO required, multi-year SM, ACH, unpaid invoice.
--   Caribe Soluciones (MX/CU) Sold_To in Cuba (trade restricted), SM ends in 10 days.
--   Prospects and free users  SM trial licenses (legacy, cloud), an active, an
--                             expired and a cancelled SaaS trial, customers
--                             with no subscription, a Zuora contact with no
--                             billing account.

\set ON_ERROR_STOP 1

BEGIN;
SELECT pg_advisory_xact_lock(hashtextextended('cdot:demo', 0)) AS demo_lock \gset

SELECT EXISTS (SELECT 1 FROM customers
                WHERE lower(email) = 'dana.whitfield@northwind-robotics.com') AS demo_loaded \gset
\if :demo_loaded
\echo 'demo.sql: demo data already loaded; nothing to do'
ROLLBACK;
\quit
\endif

-- ---------------------------------------------------------------------------
-- Customers
-- ---------------------------------------------------------------------------
INSERT INTO customers (first_name, last_name, email, company, login_activated, uid, created_at, updated_at)
SELECT first_name, last_name, email, company, login_activated, uid,
       now() - make_interval(days => days_ago), now() - make_interval(days => days_ago)
  FROM (VALUES
    ('Dana',      'Whitfield',  'dana.whitfield@northwind-robotics.com', 'Northwind Robotics',     true,  4100231,  1290),
    ('Marcus',    'Chen',       'marcus.chen@northwind-robotics.com',    'Northwind Robotics',     true,  4100598,  1100),
    ('Tom',       'Becker',     'tom.becker@northwind-robotics.com',     'Northwind Robotics',     true,  5512990,   640),
    ('Élodie',    'Tremblay',   'elodie.tremblay@arcticfox.ca',          'Arctic Fox Software',    true,  2873341,   980),
    ('Raj',       'Patel',      'raj.patel@arcticfox.ca',                'Arctic Fox Software',    true,  7719204,   400),
    ('Samira',    'Haddad',     'samira.haddad@pinecone-analytics.io',   'Pinecone Analytics',     true,  6651020,   720),
    ('Jonah',     'Reyes',      'jonah.reyes@pinecone-analytics.io',     'Pinecone Analytics',     true,  6652871,   300),
    ('Greta',     'Lindqvist',  'greta.lindqvist@meridianbank.com',      'Meridian Bank',          true,  NULL,     1500),
    ('Patrick',   'O''Neill',   'patrick.oneill@meridianbank.com',       'Meridian Bank',          true,  3302117,   890),
    ('Jürgen',    'Hoffmann',   'juergen.hoffmann@helios-data.de',       'Helios Data GmbH',       true,  1987765,  1700),
    ('Anja',      'Weber',      'anja.weber@helios-data.de',             'Helios Data GmbH',       true,  8120034,   210),
    ('Oliver',    'Bennett',    'oliver.bennett@bluefin-logistics.co.uk','Bluefin Logistics Ltd',  true,  4456120,   830),
    ('Priya',     'Raman',      'priya.raman@bluefin-logistics.co.uk',   'Bluefin Logistics Ltd',  true,  4457781,   610),
    ('Michelle',  'Tran',       'michelle.tran@cascadehealth.org',       'Cascade Health Systems', true,  3920045,  1420),
    ('Robert',    'Kim',        'robert.kim@cascadehealth.org',          'Cascade Health Systems', true,  NULL,      95),
    ('Alejandro', 'Ruiz',       'alejandro.ruiz@caribesoluciones.mx',    'Caribe Soluciones S.A.', true,  9011342,   510),
    ('Inês',      'Duarte',     'ines.duarte@quantumleaplabs.pt',        'Quantum Leap Labs',      true,  9877001,    12),
    ('Kenji',     'Watanabe',   'kenji@tidewater.studio',                'Tidewater Studio',       true,  9720455,    75),
    ('Fatima',    'Al-Sayed',   'fatima.alsayed@ferngrove.dev',          'Ferngrove',              true,  9688120,    40),
    ('Lucas',     'Martin',     'lucas.martin@gmail.com',                NULL,                     true,  8834512,   330),
    ('Hannah',    'Schmidt',    'hannah.schmidt@posteo.de',              NULL,                     true,  8410076,   150),
    ('Wei',       'Zhang',      'wei.zhang@lumenlearning.edu',           'Lumen Learning',         true,  7240981,   260),
    ('Chloé',     'Dubois',     'chloe.dubois@atelier-nuage.fr',         'Atelier Nuage',          true,  9002311,    20),
    ('Sarah',     'Mitchell',   'sarah.mitchell@vertex-aero.com',        'Vertex Aerospace',       true,  NULL,       8),
    ('Aarav',     'Sharma',     'aarav.sharma@orbitalfoods.in',          'Orbital Foods',          true,  9930112,    30),
    ('Noah',      'Williams',   'noah.williams@brightline.health',       'Brightline Health',      true,  9941007,     3)
  ) AS v (first_name, last_name, email, company, login_activated, uid, days_ago);

-- ---------------------------------------------------------------------------
-- Billing accounts (contacts are attached below, in the same transaction)
-- ---------------------------------------------------------------------------
INSERT INTO billing_accounts (zuora_account_id, zuora_account_name, salesforce_account_id, company,
                              po_required, portal_required, support_hold, credit_hold, auto_pay,
                              currency, created_at, updated_at)
SELECT md5('demo:account:' || key), name, sfdc, company, po, portal, support_hold, credit_hold,
       auto_pay, currency, now() - make_interval(days => days_ago), now() - make_interval(days => days_ago)
  FROM (VALUES
    ('northwind', 'Northwind Robotics Inc.',  '0014M00001kQx7bQAC', 'Northwind Robotics',     false, false, false, false, true,  'USD', 1290),
    ('arcticfox', 'Arctic Fox Software Inc.', '0014M00001mA2cdQAC', 'Arctic Fox Software',    false, false, false, false, true,  'CAD',  980),
    ('pinecone',  'Pinecone Analytics LLC',   '0014M00001pN9xyQAC', 'Pinecone Analytics',     false, false, false, false, true,  'USD',  720),
    ('meridian',  'Meridian Bank N.A.',       '0014M00001eR4tuQAC', 'Meridian Bank',          false, false, false, false, false, 'USD', 1500),
    ('helios',    'Helios Data GmbH',         '0014M00001hD7ghQAC', 'Helios Data GmbH',       false, false, false, true,  false, 'EUR', 1700),
    ('bluefin',   'Bluefin Logistics Ltd',    '0014M00001bL3kmQAC', 'Bluefin Logistics Ltd',  false, false, true,  false, false, 'GBP',  830),
    ('cascade',   'Cascade Health Systems',   '0014M00001cH5wqQAC', 'Cascade Health Systems', true,  true,  false, false, false, 'USD', 1420),
    ('caribe',    'Caribe Soluciones S.A.',   '0014M00001cS8vbQAC', 'Caribe Soluciones S.A.', false, false, false, false, false, 'USD',  510)
  ) AS v (key, name, sfdc, company, po, portal, support_hold, credit_hold, auto_pay, currency, days_ago);

-- Contacts. role: 'both' = Bill_To and Sold_To, 'bill_to', 'sold_to', or
-- NULL (a Zuora contact whose account is not in CustomersDot).
CREATE TEMP TABLE demo_contacts ON COMMIT DROP AS
SELECT * FROM (VALUES
    ('northwind-dana',   'northwind', 'both',    'Dana',      'Whitfield', 'dana.whitfield@northwind-robotics.com', '1200 Harbor Blvd', 'Suite 400', 'Oakland',      'California',       '94607',    'US'),
    ('arcticfox-ap',     'arcticfox', 'bill_to', 'Accounts',  'Payable',   'ap@arcticfox.ca',                       '88 Queen St W',    NULL,        'Toronto',      'Ontario',          'M5H 2M5',  'CA'),
    ('arcticfox-elodie', 'arcticfox', 'sold_to', 'Élodie',    'Tremblay',  'elodie.tremblay@arcticfox.ca',          '88 Queen St W',    'Floor 12',  'Toronto',      'Ontario',          'M5H 2M5',  'CA'),
    ('pinecone-samira',  'pinecone',  'both',    'Samira',    'Haddad',    'samira.haddad@pinecone-analytics.io',   '500 Pine St',      NULL,        'Seattle',      'Washington',       '98101',    'US'),
    ('meridian-ap',      'meridian',  'bill_to', 'Vendor',    'Payments',  'vendor.payments@meridianbank.com',      '1 Meridian Plaza', NULL,        'Charlotte',    'North Carolina',   '28202',    'US'),
    ('meridian-greta',   'meridian',  'sold_to', 'Greta',     'Lindqvist', 'greta.lindqvist@meridianbank.com',      '1 Meridian Plaza', 'IT Dept.',  'Charlotte',    'North Carolina',   '28202',    'US'),
    ('helios-juergen',   'helios',    'both',    'Jürgen',    'Hoffmann',  'juergen.hoffmann@helios-data.de',       'Friedrichstraße 68', NULL,      'Berlin',       'Berlin',           '10117',    'DE'),
    ('bluefin-ap',       'bluefin',   'bill_to', 'Finance',   'Team',      'finance@bluefin-logistics.co.uk',       '14 Dock Road',     NULL,        'Southampton',  'Hampshire',        'SO14 3GG', 'GB'),
    ('bluefin-oliver',   'bluefin',   'sold_to', 'Oliver',    'Bennett',   'oliver.bennett@bluefin-logistics.co.uk','14 Dock Road',     NULL,        'Southampton',  'Hampshire',        'SO14 3GG', 'GB'),
    ('cascade-ap',       'cascade',   'bill_to', 'Procurement','Office',   'procurement@cascadehealth.org',         '2300 Cascade Way', 'Bldg C',    'Portland',     'Oregon',           '97201',    'US'),
    ('cascade-michelle', 'cascade',   'sold_to', 'Michelle',  'Tran',      'michelle.tran@cascadehealth.org',       '2300 Cascade Way', NULL,        'Portland',     'Oregon',           '97201',    'US'),
    ('caribe-mx',        'caribe',    'bill_to', 'Alejandro', 'Ruiz',      'alejandro.ruiz@caribesoluciones.mx',    'Av. Reforma 222',  'Piso 5',    'Ciudad de México', 'Ciudad de México', '06600', 'MX'),
    ('caribe-cu',        'caribe',    'sold_to', 'Yamilé',    'Fernández', 'yamile.fernandez@caribesoluciones.cu',  'Calle 23 No. 156', NULL,        'La Habana',    'La Habana',        '10400',    'CU'),
    ('orbital-ap',       NULL,        NULL,      'Harold',    'Finch',     'accounts.payable@orbitalfoods.in',      '42 MG Road',       NULL,        'Bengaluru',    'Karnataka',        '560001',   'IN')
  ) AS v (key, account, role, first_name, last_name, work_email, address1, address2, city, state, postal_code, country);

INSERT INTO billing_account_contacts (zuora_contact_id, billing_account_id, first_name, last_name, work_email,
                                      address1, address2, city, state, postal_code, country)
SELECT md5('demo:contact:' || c.key), b.id, c.first_name, c.last_name, c.work_email,
       c.address1, c.address2, c.city, c.state, c.postal_code, c.country
  FROM demo_contacts c
  LEFT JOIN billing_accounts b ON b.zuora_account_id = md5('demo:account:' || c.account)
 ORDER BY c.key;

UPDATE billing_accounts b
   SET bill_to_contact_id = (SELECT bc.id FROM demo_contacts c
                               JOIN billing_account_contacts bc ON bc.zuora_contact_id = md5('demo:contact:' || c.key)
                              WHERE b.zuora_account_id = md5('demo:account:' || c.account)
                                AND c.role IN ('both', 'bill_to')),
       sold_to_contact_id = (SELECT bc.id FROM demo_contacts c
                               JOIN billing_account_contacts bc ON bc.zuora_contact_id = md5('demo:contact:' || c.key)
                              WHERE b.zuora_account_id = md5('demo:account:' || c.account)
                                AND c.role IN ('both', 'sold_to'))
 WHERE b.zuora_account_id IN (SELECT md5('demo:account:' || account) FROM demo_contacts);

-- ---------------------------------------------------------------------------
-- Memberships (customer -> billing account; at most one per customer)
-- ---------------------------------------------------------------------------
INSERT INTO billing_account_memberships (customer_id, billing_account_id)
SELECT c.id, b.id
  FROM (VALUES
    ('dana.whitfield@northwind-robotics.com',  'northwind'),
    ('marcus.chen@northwind-robotics.com',     'northwind'),
    ('tom.becker@northwind-robotics.com',      'northwind'),
    ('elodie.tremblay@arcticfox.ca',           'arcticfox'),
    ('raj.patel@arcticfox.ca',                 'arcticfox'),
    ('samira.haddad@pinecone-analytics.io',    'pinecone'),
    ('greta.lindqvist@meridianbank.com',       'meridian'),
    ('patrick.oneill@meridianbank.com',        'meridian'),
    ('juergen.hoffmann@helios-data.de',        'helios'),
    ('oliver.bennett@bluefin-logistics.co.uk', 'bluefin'),
    ('priya.raman@bluefin-logistics.co.uk',    'bluefin'),
    ('michelle.tran@cascadehealth.org',        'cascade'),
    ('robert.kim@cascadehealth.org',           'cascade'),
    ('alejandro.ruiz@caribesoluciones.mx',     'caribe')
  ) AS v (email, account)
  JOIN customers c ON lower(c.email) = v.email
  JOIN billing_accounts b ON b.zuora_account_id = md5('demo:account:' || v.account);

-- ---------------------------------------------------------------------------
-- Zuora subscriptions. Offsets in days from today; max_seats_used > seats =
-- owed seats.
-- ---------------------------------------------------------------------------
INSERT INTO zuora_subscriptions (zuora_subscription_id, name, billing_account_id, deployment_type, status,
                                 gitlab_plan, term_start_date, term_end_date, seats, max_seats_used,
                                 cloud_licensing, operational_metrics, quarterly_coterms, auto_renew,
                                 turn_on_seat_reconciliation, created_at, updated_at)
SELECT md5('demo:subscription:' || v.name), v.name, b.id, v.type, v.status, v.plan,
       CURRENT_DATE + v.start_off, CURRENT_DATE + v.end_off, v.seats, v.max_used,
       v.cloud, v.opm, v.coterms, v.auto_renew, v.qsr,
       (CURRENT_DATE + v.start_off - 3)::timestamptz, (CURRENT_DATE + v.start_off - 3)::timestamptz
  FROM (VALUES
    -- name          account      type    status      plan        start  end   seats max  cloud  opm    coterm auto   qsr
    ('A-S00039268', 'northwind', 'saas', 'active',   'premium',  -200,  165,   50,   62, false, false, true,  true,  true),
    ('A-S00035511', 'northwind', 'sm',   'expired',  'premium',  -745, -380,   20,   23, false, false, false, false, false),
    ('A-S00041532', 'arcticfox', 'sm',   'active',   'ultimate', -356,    9,  120,  134, true,  true,  false, false, true),
    ('A-S00040117', 'pinecone',  'saas', 'active',   'ultimate', -359,    6,   25,   25, false, false, false, false, true),
    ('A-S00037790', 'meridian',  'sm',   'active',   'premium',  -145,  220,  400,  431, false, false, false, true,  true),
    ('A-S00038842', 'helios',    'sm',   'active',   'premium',  -353,   12,   75,   80, true,  false, false, false, false),
    ('A-S00036005', 'bluefin',   'saas', 'expired',  'premium',  -370,   -5,   30,   34, false, false, false, false, false),
    ('A-S00042210', 'cascade',   'sm',   'active',   'ultimate', -400,  330,  250,  248, true,  true,  false, false, false),
    ('A-S00043377', 'caribe',    'sm',   'active',   'premium',  -355,   10,   40,   41, true,  false, false, false, true)
  ) AS v (name, account, type, status, plan, start_off, end_off, seats, max_used, cloud, opm, coterms, auto_renew, qsr)
  JOIN billing_accounts b ON b.zuora_account_id = md5('demo:account:' || v.account);

-- ---------------------------------------------------------------------------
-- Invoices and payment methods
-- ---------------------------------------------------------------------------
INSERT INTO invoices (zuora_invoice_number, billing_account_id, invoice_date, due_date, amount, balance, payment_status)
SELECT v.number, b.id, CURRENT_DATE + v.date_off, CURRENT_DATE + v.date_off + v.terms, v.amount, v.balance, v.status
  FROM (VALUES
    ('INV00481220', 'northwind', -200,  0, 14850.00,     0.00, 'paid'),
    ('INV00502117', 'northwind', -110,  0,  1392.00,     0.00, 'paid'),
    ('INV00519876', 'northwind',  -20,  0,   696.00,   696.00, 'unpaid'),
    ('INV00498003', 'arcticfox', -356,  0, 41580.00,     0.00, 'paid'),
    ('INV00510442', 'arcticfox',  -80,  0,  3465.00,     0.00, 'paid'),
    ('INV00499120', 'pinecone',  -359,  0,  8250.00,     0.00, 'paid'),
    ('INV00507765', 'meridian',  -145, 30,118800.00,     0.00, 'paid'),
    ('INV00497001', 'helios',    -353, 30, 21600.00, 21600.00, 'unpaid'),
    ('INV00476334', 'bluefin',   -370, 30,  8910.00,  3910.00, 'partially_paid'),
    ('INV00468890', 'cascade',   -400, 45,142500.00,     0.00, 'paid'),
    ('INV00520331', 'cascade',    -35, 45, 71250.00, 71250.00, 'unpaid'),
    ('INV00499987', 'caribe',    -355, 30, 11880.00,     0.00, 'paid')
  ) AS v (number, account, date_off, terms, amount, balance, status)
  JOIN billing_accounts b ON b.zuora_account_id = md5('demo:account:' || v.account);

INSERT INTO payment_methods (zuora_payment_method_id, billing_account_id, kind, is_default,
                             card_last4, card_type, name_on_card, card_expiration_month, card_expiration_year)
SELECT md5('demo:payment_method:' || v.key), b.id, 'credit_card', v.is_default,
       v.last4, v.card_type, v.name_on_card, v.exp_month,
       (extract(year FROM CURRENT_DATE) + v.exp_years)::smallint
  FROM (VALUES
    ('northwind-visa', 'northwind', true,  '4242', 'Visa',            'Dana Whitfield',  9, 2),
    ('northwind-mc',   'northwind', false, '5454', 'MasterCard',      'Marcus Chen',     3, 0),
    ('arcticfox-visa', 'arcticfox', true,  '1881', 'Visa',            'Elodie Tremblay', 11, 1),
    ('pinecone-amex',  'pinecone',  true,  '0005', 'AmericanExpress', 'Samira Haddad',   6, 3),
    ('caribe-visa',    'caribe',    true,  '7712', 'Visa',            'Alejandro Ruiz',  1, 1)
  ) AS v (key, account, is_default, last4, card_type, name_on_card, exp_month, exp_years)
  JOIN billing_accounts b ON b.zuora_account_id = md5('demo:account:' || v.account);

INSERT INTO payment_methods (zuora_payment_method_id, billing_account_id, kind, is_default,
                             ach_routing_number, ach_account_number_last4, ach_account_type,
                             ach_bank_name, ach_account_name)
SELECT md5('demo:payment_method:' || v.key), b.id, 'ach', v.is_default,
       v.routing, v.last4, v.account_type, v.bank_name, v.account_name
  FROM (VALUES
    ('meridian-ach', 'meridian', true, '053000196', '6621', 'business_checking', 'Bank of America',  'Meridian Bank N.A. Operating'),
    ('cascade-ach',  'cascade',  true, '123000220', '0934', 'checking',          'U.S. Bank',        'Cascade Health Systems AP')
  ) AS v (key, account, is_default, routing, last4, account_type, bank_name, account_name)
  JOIN billing_accounts b ON b.zuora_account_id = md5('demo:account:' || v.account);

-- ---------------------------------------------------------------------------
-- Licenses: cloud, offline cloud and legacy, with trial ones for prospects.
-- ---------------------------------------------------------------------------
INSERT INTO licenses (license_type, trial, name, company, email, issued_at, starts_at, expires_at,
                      user_count, zuora_subscription_id, gitlab_plan, license_file)
SELECT v.type, v.trial, v.name, v.company, v.email,
       (CURRENT_DATE + v.start_off - 1)::timestamptz + interval '10 hours 17 minutes',
       CURRENT_DATE + v.start_off, CURRENT_DATE + v.end_off, v.users, s.id, v.plan,
       CASE WHEN v.type = 'legacy'
            THEN encode(sha512(convert_to('demo-license:' || v.name || v.start_off, 'UTF8')), 'base64') END
  FROM (VALUES
    ('cloud',         false, 'Élodie Tremblay',  'Arctic Fox Software',    'elodie.tremblay@arcticfox.ca',     -356,    9, 120, 'A-S00041532', 'ultimate'),
    ('offline_cloud', false, 'Greta Lindqvist',  'Meridian Bank',          'greta.lindqvist@meridianbank.com', -145,  220, 400, 'A-S00037790', 'premium'),
    ('cloud',         false, 'Michelle Tran',    'Cascade Health Systems', 'michelle.tran@cascadehealth.org',  -400,  330, 250, 'A-S00042210', 'ultimate'),
    ('legacy',        false, 'Jürgen Hoffmann',  'Helios Data GmbH',       'juergen.hoffmann@helios-data.de',  -353,   12,  75, 'A-S00038842', 'premium'),
    ('cloud',         false, 'Alejandro Ruiz',   'Caribe Soluciones S.A.', 'alejandro.ruiz@caribesoluciones.mx', -355, 10,  40, 'A-S00043377', 'premium'),
    ('legacy',        false, 'Dana Whitfield',   'Northwind Robotics',     'dana.whitfield@northwind-robotics.com', -745, -380, 20, 'A-S00035511', 'premium'),
    -- Temporary extension license for Northwind's last SM renewal term.
    ('legacy',        true,  'Dana Whitfield',   'Northwind Robotics',     'dana.whitfield@northwind-robotics.com', -380, -359, 23, NULL,          'premium'),
    -- Prospects: SM trials.
    ('legacy',        true,  'Sarah Mitchell',   'Vertex Aerospace',       'sarah.mitchell@vertex-aero.com',     -8,   22, 100, NULL,          'ultimate'),
    ('cloud',         true,  'Aarav Sharma',     'Orbital Foods',          'aarav.sharma@orbitalfoods.in',      -30,    0,  50, NULL,          'ultimate'),
    ('legacy',        true,  'Noah Williams',    'Brightline Health',      'noah.williams@brightline.health',   -95,  -65,  25, NULL,          'premium')
  ) AS v (type, trial, name, company, email, start_off, end_off, users, subscription, plan)
  LEFT JOIN zuora_subscriptions s ON s.name = v.subscription;

-- ---------------------------------------------------------------------------
-- License seat links: Arctic Fox syncs daily (cloud licensing): a week of
-- rows; Meridian uploads monthly (offline); Cascade and Caribe sync daily.
-- ---------------------------------------------------------------------------
INSERT INTO license_seat_links (zuora_subscription_id, subscription_name, hostname, company, license_user_count,
                                billable_user_count, max_historical_user_count, gitlab_version, synced_at)
SELECT s.id, s.name, 'gitlab.arcticfox.ca', 'Arctic Fox Software', 120,
       127 + d, greatest(131, 127 + d), CASE WHEN d < 4 THEN '17.4.2' ELSE '17.5.1' END,
       least(now(), (CURRENT_DATE - 6 + d)::timestamptz + interval '3 hours 12 minutes')
  FROM zuora_subscriptions s, generate_series(0, 6) AS d
 WHERE s.name = 'A-S00041532';

INSERT INTO license_seat_links (zuora_subscription_id, subscription_name, hostname, company, license_user_count,
                                billable_user_count, max_historical_user_count, gitlab_version, synced_at)
SELECT s.id, s.name, 'git.internal.meridianbank.com', 'Meridian Bank', 400,
       v.billable, v.max_hist, v.version, (CURRENT_DATE + v.day_off)::timestamptz + interval '15 hours'
  FROM zuora_subscriptions s,
       (VALUES (-92, 402, 405, '16.11.4'), (-61, 418, 420, '16.11.4'), (-30, 431, 431, '17.2.1')) AS v (day_off, billable, max_hist, version)
 WHERE s.name = 'A-S00037790';

INSERT INTO license_seat_links (zuora_subscription_id, subscription_name, hostname, company, license_user_count,
                                billable_user_count, max_historical_user_count, gitlab_version, synced_at)
SELECT s.id, s.name, v.hostname, v.company, s.seats, v.billable, v.max_hist, v.version,
       least(now(), (CURRENT_DATE - d)::timestamptz + interval '2 hours')
  FROM zuora_subscriptions s
  JOIN (VALUES ('A-S00042210', 'gitlab.cascadehealth.org',  'Cascade Health Systems', 246, 248, '17.5.2'),
               ('A-S00043377', 'git.caribesoluciones.mx',   'Caribe Soluciones S.A.',  41,  41, '17.3.0')
       ) AS v (subscription, hostname, company, billable, max_hist, version) ON v.subscription = s.name,
       generate_series(0, 2) AS d;

-- ---------------------------------------------------------------------------
-- GitLab.com namespaces: personal namespaces of customers with a GitLab.com
-- account, and top-level groups (paid, trial, free).
-- ---------------------------------------------------------------------------
INSERT INTO namespaces (gitlab_id, path, name, kind, owner_customer_id, plan, zuora_subscription_id,
                        extra_ci_minutes, additional_storage_mib, max_seats_used)
SELECT v.gitlab_id, v.path, v.name, v.kind, c.id, v.plan, s.id, v.minutes, v.storage, v.max_seats
  FROM (VALUES
    (11203344, 'northwind-robotics',  'Northwind Robotics',  'group', 'dana.whitfield@northwind-robotics.com', 'premium',        'A-S00039268', 5000, 10240, 62),
    (11877120, 'pinecone-analytics',  'Pinecone Analytics',  'group', 'samira.haddad@pinecone-analytics.io',   'ultimate',       'A-S00040117',    0,     0, 25),
    (10455671, 'bluefin',             'Bluefin Logistics',   'group', 'oliver.bennett@bluefin-logistics.co.uk','premium',        'A-S00036005',    0,  5120, 34),
    (13590021, 'quantum-leap-labs',   'Quantum Leap Labs',   'group', 'ines.duarte@quantumleaplabs.pt',        'ultimate_trial', NULL,            0,     0,  7),
    (13001876, 'tidewater-studio',    'Tidewater Studio',    'group', 'kenji@tidewater.studio',                'free',           NULL,            0,     0,  4),
    (13344120, 'ferngrove',           'Ferngrove',           'group', 'fatima.alsayed@ferngrove.dev',          'free',           NULL,            0,     0,  2),
    (12200456, 'lumen-learning',      'Lumen Learning',      'group', 'wei.zhang@lumenlearning.edu',           'free',           NULL,            0,     0, 12),
    (4100231,  'dwhitfield',          'Dana Whitfield',      'user',  'dana.whitfield@northwind-robotics.com', 'free',           NULL,            0,     0,  0),
    (4100598,  'mchen',               'Marcus Chen',         'user',  'marcus.chen@northwind-robotics.com',    'free',           NULL,            0,     0,  0),
    (2873341,  'etremblay',           'Élodie Tremblay',     'user',  'elodie.tremblay@arcticfox.ca',          'free',           NULL,            0,     0,  0),
    (6651020,  'samira.h',            'Samira Haddad',       'user',  'samira.haddad@pinecone-analytics.io',   'free',           NULL,            0,     0,  0),
    (9877001,  'inesduarte',          'Inês Duarte',         'user',  'ines.duarte@quantumleaplabs.pt',        'free',           NULL,            0,     0,  0),
    (9720455,  'kwatanabe',           'Kenji Watanabe',      'user',  'kenji@tidewater.studio',                'free',           NULL,            0,     0,  0),
    (8834512,  'lucasmartin',         'Lucas Martin',        'user',  'lucas.martin@gmail.com',                'free',           NULL,          400,     0,  0),
    (8410076,  'hschmidt',            'Hannah Schmidt',      'user',  'hannah.schmidt@posteo.de',              'free',           NULL,            0,     0,  0),
    (9002311,  'chloe-dubois',        'Chloé Dubois',        'user',  'chloe.dubois@atelier-nuage.fr',         'free',           NULL,            0,     0,  0)
  ) AS v (gitlab_id, path, name, kind, owner, plan, subscription, minutes, storage, max_seats)
  LEFT JOIN customers c ON lower(c.email) = v.owner
  LEFT JOIN zuora_subscriptions s ON s.name = v.subscription;

-- SaaS trials: one active, one expired, one cancelled.
INSERT INTO trials (namespace_id, plan, starts_on, ends_on, status, cancelled_at)
SELECT n.id, v.plan, CURRENT_DATE + v.start_off, CURRENT_DATE + v.end_off, v.status,
       CASE WHEN v.status = 'cancelled' THEN (CURRENT_DATE + v.start_off + 9)::timestamptz + interval '14 hours' END
  FROM (VALUES
    ('quantum-leap-labs', 'ultimate_trial', -12,  18, 'active'),
    ('tidewater-studio',  'ultimate_trial', -75, -45, 'expired'),
    ('ferngrove',         'premium_trial',  -40, -10, 'cancelled')
  ) AS v (path, plan, start_off, end_off, status)
  JOIN namespaces n ON n.path = v.path;

-- ---------------------------------------------------------------------------
-- Orders
-- ---------------------------------------------------------------------------
INSERT INTO orders (billing_account_id, customer_id, zuora_subscription_id, subscription_name, gl_namespace_id,
                    gl_namespace_name, product_rate_plan_id, product_name, gitlab_plan, quantity, trial,
                    start_date, end_date, created_at, updated_at)
SELECT b.id, c.id, s.id, v.subscription, n.gitlab_id, n.name, md5('demo:rate_plan:' || v.product),
       v.product, v.plan, v.quantity, false, CURRENT_DATE + v.start_off, CURRENT_DATE + v.end_off,
       (CURRENT_DATE + v.start_off - 1)::timestamptz + interval '9 hours',
       (CURRENT_DATE + v.start_off - 1)::timestamptz + interval '9 hours'
  FROM (VALUES
    ('northwind', 'dana.whitfield@northwind-robotics.com', 'A-S00039268', 'northwind-robotics', 'GitLab Premium (SaaS) - 1 Year',     'premium',   50, -200,  165),
    ('northwind', 'dana.whitfield@northwind-robotics.com', 'A-S00039268', 'northwind-robotics', '1,000 CI Minutes',                   NULL,         5,  -90,  275),
    ('northwind', 'marcus.chen@northwind-robotics.com',    'A-S00039268', 'northwind-robotics', '10 GiB Storage',                     NULL,         1,  -60,  305),
    ('pinecone',  'samira.haddad@pinecone-analytics.io',   'A-S00040117', 'pinecone-analytics', 'GitLab Ultimate (SaaS) - 1 Year',    'ultimate',  25, -359,    6),
    ('bluefin',   'oliver.bennett@bluefin-logistics.co.uk','A-S00036005', 'bluefin',            'GitLab Premium (SaaS) - 1 Year',     'premium',   30, -370,   -5),
    ('arcticfox', 'elodie.tremblay@arcticfox.ca',          'A-S00041532', NULL,                 'GitLab Ultimate (Self-Managed) - 1 Year', 'ultimate', 120, -356, 9),
    ('caribe',    'alejandro.ruiz@caribesoluciones.mx',    'A-S00043377', NULL,                 'GitLab Premium (Self-Managed) - 1 Year',  'premium',   40, -355, 10)
  ) AS v (account, email, subscription, namespace, product, plan, quantity, start_off, end_off)
  JOIN billing_accounts b ON b.zuora_account_id = md5('demo:account:' || v.account)
  LEFT JOIN customers c ON lower(c.email) = v.email
  LEFT JOIN zuora_subscriptions s ON s.name = v.subscription
  LEFT JOIN namespaces n ON n.path = v.namespace;

-- ---------------------------------------------------------------------------
-- Quarterly seat reconciliations
-- ---------------------------------------------------------------------------
INSERT INTO reconciliations (zuora_subscription_id, subscription_name, customer_name, status, reconcile_on,
                             done_at, skip_reason, user_count, invoiced_amount, error_message,
                             salesforce_opportunity_id, created_at, updated_at)
SELECT s.id, s.name, v.customer, v.status, CURRENT_DATE + v.on_off,
       CASE WHEN v.status IN ('processed', 'failed') THEN (CURRENT_DATE + v.on_off)::timestamptz + interval '7 days 1 hour' END,
       v.skip_reason, v.users, v.amount, v.error, v.opportunity,
       least(now(), (CURRENT_DATE + v.on_off)::timestamptz), least(now(), (CURRENT_DATE + v.on_off)::timestamptz)
  FROM (VALUES
    ('A-S00039268', 'Northwind Robotics Inc.',  'processed', -110, NULL,                            58, 1392.00, NULL,
         '0064M00000YtR2aQAF'),
    ('A-S00039268', 'Northwind Robotics Inc.',  'failed',     -20, NULL,                          NULL,    NULL,
         'Zuora::PaymentError: Transaction declined. 402 - [card_declined] Your card was declined.',
         '0064M00000ZaB7cQAF'),
    ('A-S00039268', 'Northwind Robotics Inc.',  'pending',      3, NULL,                          NULL,    NULL, NULL, NULL),
    ('A-S00041532', 'Arctic Fox Software Inc.', 'processed',  -80, NULL,                           131, 3465.00, NULL,
         '0064M00000YwX9kQAF'),
    ('A-S00041532', 'Arctic Fox Software Inc.', 'skipped',   -171, 'no_overage',                 NULL,    NULL, NULL, NULL),
    ('A-S00037790', 'Meridian Bank N.A.',       'skipped',    -50, 'max_additional_seats_exceeded', NULL, NULL,
         'MaxAdditionalSeatsExceededError: EOA subscription cannot be reconciled for more than 25 additional seats (requested 31)',
         NULL),
    ('A-S00040117', 'Pinecone Analytics LLC',   'failed',    -100, NULL,                          NULL,    NULL,
         'multiple_rate_plans', '0064M00000YpQ4dQAF'),
    ('A-S00038842', 'Helios Data GmbH',         'skipped',    -80, 'reconciliations_disabled',   NULL,    NULL, NULL, NULL),
    ('A-S00043377', 'Caribe Soluciones S.A.',   'processed',  -82, NULL,                            41,  297.00, NULL,
         '0064M00000YxC3eQAF')
  ) AS v (subscription, customer, status, on_off, skip_reason, users, amount, error, opportunity)
  JOIN zuora_subscriptions s ON s.name = v.subscription;

-- ---------------------------------------------------------------------------
-- Temporary renewal extensions: Pinecone's starts at its term end in 6 days
-- (upcoming); Northwind's expired SM subscription had one a year ago.
-- ---------------------------------------------------------------------------
INSERT INTO temporary_extensions (zuora_subscription_id, salesforce_opportunity_id, reason, notes, users,
                                  renewal_term_start, starts_on, ends_on, created_by, license_id,
                                  created_at, updated_at)
SELECT s.id, '0064M00000ZkQ3aQAF', 'Procurement delay', 'PO in legal review; renewal expected within 2 weeks',
       NULL, s.term_end_date, s.term_end_date, s.term_end_date + 21, 'sfdc', NULL,
       now() - interval '1 day', now() - interval '1 day'
  FROM zuora_subscriptions s
 WHERE s.name = 'A-S00040117';

INSERT INTO temporary_extensions (zuora_subscription_id, salesforce_opportunity_id, reason, notes, users,
                                  renewal_term_start, starts_on, ends_on, created_by, license_id,
                                  created_at, updated_at)
SELECT s.id, '0064M00000Qd8TnQAJ', 'Budget approval pending', NULL, 23,
       s.term_end_date, s.term_end_date, s.term_end_date + 21, 'sfdc', l.id,
       (s.term_end_date - 4)::timestamptz, (s.term_end_date - 4)::timestamptz
  FROM zuora_subscriptions s
  JOIN licenses l ON l.trial AND l.email = 'dana.whitfield@northwind-robotics.com'
 WHERE s.name = 'A-S00035511';

-- ---------------------------------------------------------------------------
-- Outbox: one delivered e-mail, one contact sync waiting (Zuora was down).
-- ---------------------------------------------------------------------------
INSERT INTO outbox (kind, payload, status, attempts, next_attempt_at, last_error, sent_at, record_type, record_id)
SELECT 'email',
       jsonb_build_object('to', 'sarah.mitchell@vertex-aero.com',
                          'template', 'sm_trial_license', 'license_id', l.id),
       'sent', 1, now() - interval '8 days', NULL, now() - interval '8 days', 'licenses', l.id
  FROM licenses l
 WHERE l.email = 'sarah.mitchell@vertex-aero.com';

-- ---------------------------------------------------------------------------
-- Edits made by staff through the panel (history with actor and ticket).
-- ---------------------------------------------------------------------------
SELECT set_config('cdot.actor', 'admin:priya.natarajan@gitlab.com', true),
       set_config('cdot.ticket', 'https://gitlab.zendesk.com/agent/tickets/512345', true) AS actor \gset
-- Tom left Northwind: block his portal sign-in.
UPDATE customers SET login_activated = false WHERE lower(email) = 'tom.becker@northwind-robotics.com';

SELECT set_config('cdot.actor', 'admin:li.wei@gitlab.com', true),
       set_config('cdot.ticket', 'https://gitlab.zendesk.com/agent/tickets/509871', true) AS actor \gset
-- Bluefin's Sold_To moved offices; the change is queued for Zuora.
UPDATE billing_account_contacts
   SET address1 = '3 Ocean Gate', address2 = 'Level 2', postal_code = 'SO14 3TJ'
 WHERE zuora_contact_id = md5('demo:contact:bluefin-oliver');
INSERT INTO outbox (kind, payload, status, attempts, next_attempt_at, last_error, record_type, record_id)
SELECT 'zuora_contact_sync',
       jsonb_build_object('zuora_contact_id', zuora_contact_id,
                          'billing_account_contact_id', id,
                          'contact', jsonb_build_object('address1', address1, 'address2', address2,
                                                        'zipCode', postal_code)),
       'pending', 2, now() + interval '5 minutes', 'Zuora API: 503 Service Unavailable',
       'billing_account_contacts', id
  FROM billing_account_contacts
 WHERE zuora_contact_id = md5('demo:contact:bluefin-oliver');

SELECT set_config('cdot.actor', 'admin:mateo.garcia@gitlab.com', true),
       set_config('cdot.ticket', 'https://gitlab.zendesk.com/agent/tickets/513002', true) AS actor \gset
-- Support: renew Quantum Leap Labs' trial by two weeks, set Northwind's CI minutes.
UPDATE trials SET ends_on = ends_on + 14
 WHERE namespace_id = (SELECT id FROM namespaces WHERE path = 'quantum-leap-labs');
UPDATE namespaces SET extra_ci_minutes = 7500 WHERE path = 'northwind-robotics';

-- Back to the system for anything after this point.
SELECT set_config('cdot.actor', '', true), set_config('cdot.ticket', '', true) AS actor \gset

-- ---------------------------------------------------------------------------
-- Eligibility (issue 22): the subscription page explains, rule by rule,
-- auto-renewal, QSR and temporary extension eligibility. A-S00044001 passes
-- every rule; each other rule has a subscription failing it
-- (tests/integration/eligibility.test.mjs finds them by name). The stories
-- above already fail some:
--   A-S00035511 Northwind  expired (not active)
--   A-S00039268 Northwind  QSR failed (card declined) with 12 owed seats;
--                          ends in 165 days (outside the extension window)
--   A-S00037790 Meridian   Self-Managed, not on Cloud Licensing
--   A-S00038842 Helios     not on QSR; credit hold (bad debt)
--   A-S00042210 Cascade    PO required, Portal required; a two-year term
--   A-S00036005 Bluefin    support hold (bad debt)
--   A-S00040117 Pinecone   an upcoming temporary extension
--   A-S00043377 Caribe     Sold_To in Cuba (trade restricted)
-- The rest are on two new accounts, Evergreen Tooling (every account rule
-- passes: Auto-Pay with a card that expires at the end of this month, the
-- last month it is valid) and Lakeside Print (Auto-Pay, its card expired
-- last month).
-- ---------------------------------------------------------------------------
INSERT INTO billing_accounts (zuora_account_id, zuora_account_name, salesforce_account_id, company,
                              auto_pay, currency, created_at, updated_at)
SELECT md5('demo:account:' || v.key), v.name, v.sfdc, v.company, true, 'USD',
       now() - make_interval(days => v.days_ago), now() - make_interval(days => v.days_ago)
  FROM (VALUES
    ('evergreen', 'Evergreen Tooling Inc.', '0014M00001eV6tgQAC', 'Evergreen Tooling', 700),
    ('lakeside',  'Lakeside Print Co.',     '0014M00001lK2pcQAC', 'Lakeside Print',    420)
  ) AS v (key, name, sfdc, company, days_ago);

INSERT INTO billing_account_contacts (zuora_contact_id, billing_account_id, first_name, last_name, work_email,
                                      address1, city, state, postal_code, country)
SELECT md5('demo:contact:' || v.key), b.id, v.first_name, v.last_name, v.email, v.address1, v.city, v.state,
       v.postal_code, 'US'
  FROM (VALUES
    ('evergreen-theodora', 'evergreen', 'Theodora', 'Quill',    'theodora.quill@evergreen-tooling.com',
     '77 Cedar Ave', 'Boulder', 'Colorado', '80302'),
    ('lakeside-bram',      'lakeside',  'Bram',     'Okonkwo',  'bram.okonkwo@lakeside-print.com',
     '9 Mill Street', 'Madison', 'Wisconsin', '53703')
  ) AS v (key, account, first_name, last_name, email, address1, city, state, postal_code)
  JOIN billing_accounts b ON b.zuora_account_id = md5('demo:account:' || v.account);

UPDATE billing_accounts b
   SET bill_to_contact_id = c.id, sold_to_contact_id = c.id
  FROM billing_account_contacts c
 WHERE c.billing_account_id = b.id
   AND b.zuora_account_id IN (md5('demo:account:evergreen'), md5('demo:account:lakeside'));

-- Evergreen's card expires this month (still valid), Lakeside's last month.
INSERT INTO payment_methods (zuora_payment_method_id, billing_account_id, kind, is_default,
                             card_last4, card_type, name_on_card, card_expiration_month, card_expiration_year)
SELECT md5('demo:payment_method:' || v.key), b.id, 'credit_card', true, v.last4, v.card_type, v.name_on_card,
       extract(month FROM CURRENT_DATE - v.months_ago)::smallint,
       extract(year FROM CURRENT_DATE - v.months_ago)::smallint
  FROM (VALUES
    ('evergreen-visa', 'evergreen', '3003', 'Visa',       'Theodora Quill', interval '0 months'),
    ('lakeside-mc',    'lakeside',  '8118', 'MasterCard', 'Bram Okonkwo',   interval '1 month')
  ) AS v (key, account, last4, card_type, name_on_card, months_ago)
  JOIN billing_accounts b ON b.zuora_account_id = md5('demo:account:' || v.account);

INSERT INTO zuora_subscriptions (zuora_subscription_id, name, billing_account_id, deployment_type, status,
                                 gitlab_plan, term_start_date, term_end_date, seats, max_seats_used,
                                 cloud_licensing, auto_renew, turn_on_seat_reconciliation, sales_channel,
                                 partner_name, community_program, product_name, enterprise_agile_planning,
                                 created_at, updated_at)
SELECT md5('demo:subscription:' || v.name), v.name, b.id, v.type, 'active', v.plan,
       CURRENT_DATE + v.start_off, CURRENT_DATE + v.end_off, 20, 20, v.cloud, v.auto_renew, v.qsr,
       v.channel, v.partner, v.program, v.product, v.eap,
       (CURRENT_DATE + v.start_off - 3)::timestamptz, (CURRENT_DATE + v.start_off - 3)::timestamptz
  FROM (VALUES
    -- Passes every rule: SaaS, 12-month term ending in 9 days (inside the
    -- extension window), auto-renew on, on QSR, bought directly.
    ('A-S00044001', 'evergreen', 'saas', 'premium',  -356,   9, false, true,  true,  'direct',          NULL,
     'none',        'GitLab Premium - SaaS', false),
    -- Bought through a reseller.
    ('A-S00044002', 'evergreen', 'sm',   'ultimate', -165, 200, true,  true,  true,  'reseller',        'Northstar Software Resellers',
     'none',        'GitLab Ultimate - Self-Managed', false),
    -- Bought through a channel (alliance) partner.
    ('A-S00044003', 'evergreen', 'saas', 'premium',  -300,  65, false, true,  true,  'channel_partner', 'Summit Cloud Marketplace',
     'none',        'GitLab Premium - SaaS', false),
    -- GitLab for Education (a community program).
    ('A-S00044004', 'evergreen', 'saas', 'ultimate', -200, 165, false, true,  true,  'direct',          NULL,
     'education',   'GitLab Ultimate - SaaS (Education)', false),
    -- An 11-month term (334 days) and a 13-month term (396 days).
    ('A-S00044005', 'evergreen', 'saas', 'premium',  -300,  34, false, true,  true,  'direct',          NULL,
     'none',        'GitLab Premium - SaaS', false),
    ('A-S00044006', 'evergreen', 'saas', 'premium',  -300,  96, false, true,  true,  'direct',          NULL,
     'none',        'GitLab Premium - SaaS', false),
    -- An Enterprise Agile Planning product.
    ('A-S00044007', 'evergreen', 'saas', 'ultimate', -100, 265, false, true,  true,  'direct',          NULL,
     'none',        'GitLab Enterprise Agile Planning - SaaS', true),
    -- Self-Managed without Cloud Licensing.
    ('A-S00044008', 'evergreen', 'sm',   'premium',  -265, 100, false, true,  true,  'direct',          NULL,
     'none',        'GitLab Premium - Self-Managed', false),
    -- Not on QSR.
    ('A-S00044009', 'evergreen', 'saas', 'premium',  -250, 115, false, true,  false, 'direct',          NULL,
     'none',        'GitLab Premium - SaaS', false),
    -- Ended 5 days ago; the extension of this renewal term has started.
    ('A-S00044010', 'evergreen', 'saas', 'premium',  -370,  -5, false, true,  true,  'direct',          NULL,
     'none',        'GitLab Premium - SaaS', false),
    -- Auto-renew turned off by the customer.
    ('A-S00044011', 'evergreen', 'saas', 'premium',  -150, 215, false, false, true,  'direct',          NULL,
     'none',        'GitLab Premium - SaaS', false),
    -- Auto-Pay with an expired card.
    ('A-S00044020', 'lakeside',  'saas', 'premium',  -200, 165, false, true,  true,  'direct',          NULL,
     'none',        'GitLab Premium - SaaS', false)
  ) AS v (name, account, type, plan, start_off, end_off, cloud, auto_renew, qsr, channel, partner,
          program, product, eap)
  JOIN billing_accounts b ON b.zuora_account_id = md5('demo:account:' || v.account);

-- The passing subscription's last reconciliation was processed.
INSERT INTO reconciliations (zuora_subscription_id, subscription_name, customer_name, status, reconcile_on,
                             done_at, user_count, invoiced_amount, created_at, updated_at)
SELECT s.id, s.name, 'Evergreen Tooling Inc.', 'processed', CURRENT_DATE - 80,
       (CURRENT_DATE - 73)::timestamptz, 20, 594.00, (CURRENT_DATE - 80)::timestamptz,
       (CURRENT_DATE - 80)::timestamptz
  FROM zuora_subscriptions s
 WHERE s.name = 'A-S00044001';

-- A-S00044010's extension for its current renewal term, started at its end.
INSERT INTO temporary_extensions (zuora_subscription_id, salesforce_opportunity_id, reason,
                                  renewal_term_start, starts_on, ends_on, created_by, created_at, updated_at)
SELECT s.id, '0064M00000Qe7LmQAJ', 'Procurement delay', s.term_end_date, s.term_end_date,
       s.term_end_date + 21, 'sfdc', (s.term_end_date - 2)::timestamptz, (s.term_end_date - 2)::timestamptz
  FROM zuora_subscriptions s
 WHERE s.name = 'A-S00044010';

COMMIT;
\echo 'demo.sql: demo data loaded'
