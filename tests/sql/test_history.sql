-- tests/sql/test_history.sql - enforced history (versions), lock_version and
-- the bookkeeping triggers. Uses real transactions (BEGIN/COMMIT/ROLLBACK),
-- the way the app does:
--     BEGIN;
--     SELECT set_config('cdot.actor', $1, true), set_config('cdot.ticket', $2, true);
--     ... writes ...
--     COMMIT;

-- create, with actor and ticket ------------------------------------------------
BEGIN;
SELECT set_config('cdot.actor', 'admin:jane.doe@gitlab.com', true),
       set_config('cdot.ticket', 'https://gitlab.zendesk.com/agent/tickets/1001', true) \gset
INSERT INTO customers (first_name, last_name, email) VALUES ('Hist', 'Ory', 'hist.ory@example.com')
RETURNING id AS hist_id \gset
COMMIT;

SELECT tests.is((SELECT count(*)::int FROM versions WHERE item_type = 'customers' AND item_id = :hist_id), 1,
                'insert writes one version row');
SELECT tests.is((SELECT event FROM versions WHERE item_type = 'customers' AND item_id = :hist_id), 'create',
                'insert is recorded as create');
SELECT tests.is((SELECT actor FROM versions WHERE item_type = 'customers' AND item_id = :hist_id),
                'admin:jane.doe@gitlab.com', 'actor comes from cdot.actor');
SELECT tests.is((SELECT ticket_url FROM versions WHERE item_type = 'customers' AND item_id = :hist_id),
                'https://gitlab.zendesk.com/agent/tickets/1001', 'ticket comes from cdot.ticket');
SELECT tests.ok((SELECT changes @> jsonb_build_object('id', :hist_id, 'email', 'hist.ory@example.com',
                                                    'first_name', 'Hist', 'login_activated', true)
                   FROM versions WHERE item_type = 'customers' AND item_id = :hist_id),
                'create stores the whole row');

-- update: only what changed, as [old, new] --------------------------------------
BEGIN;
SELECT set_config('cdot.actor', 'admin:omar.farouk@gitlab.com', true),
       set_config('cdot.ticket', 'https://gitlab.zendesk.com/agent/tickets/1002', true) \gset
UPDATE customers SET first_name = 'Historia', company = 'Archive Ltd' WHERE id = :hist_id;
COMMIT;

SELECT tests.is((SELECT changes FROM versions
                  WHERE item_type = 'customers' AND item_id = :hist_id AND event = 'update'
                  ORDER BY id DESC LIMIT 1),
                '{"first_name": ["Hist", "Historia"], "company": [null, "Archive Ltd"]}'::jsonb,
                'update stores only the changed fields as [old, new], no updated_at/lock_version');
SELECT tests.is((SELECT actor FROM versions
                  WHERE item_type = 'customers' AND item_id = :hist_id AND event = 'update'
                  ORDER BY id DESC LIMIT 1),
                'admin:omar.farouk@gitlab.com', 'update records its own actor');
SELECT tests.is((SELECT lock_version FROM customers WHERE id = :hist_id), 1, 'update bumps lock_version');
SELECT tests.ok((SELECT updated_at > created_at FROM customers WHERE id = :hist_id), 'update moves updated_at');

-- optimistic locking ------------------------------------------------------------
WITH u AS (UPDATE customers SET company = 'Stale Write' WHERE id = :hist_id AND lock_version = 0 RETURNING 1)
SELECT tests.is((SELECT count(*)::int FROM u), 0, 'update with a stale lock_version changes no row');
WITH u AS (UPDATE customers SET company = 'Fresh Write' WHERE id = :hist_id AND lock_version = 1 RETURNING lock_version)
SELECT tests.is((SELECT lock_version FROM u), 2, 'update with the current lock_version succeeds and returns the new one');
UPDATE customers SET lock_version = 42, company = 'Forced' WHERE id = :hist_id;
SELECT tests.is((SELECT lock_version FROM customers WHERE id = :hist_id), 3,
                'lock_version set by a statement is ignored: always old + 1');
UPDATE customers SET created_at = '2001-01-01' WHERE id = :hist_id;
SELECT tests.ok((SELECT created_at > '2001-01-02' FROM customers WHERE id = :hist_id), 'created_at cannot be rewritten');

-- no-op update: no history, lock_version still bumped --------------------------------
SELECT count(*) AS versions_before FROM versions WHERE item_type = 'customers' AND item_id = :hist_id \gset
SELECT lock_version AS lock_before FROM customers WHERE id = :hist_id \gset
UPDATE customers SET first_name = first_name, updated_at = now() - interval '1 day' WHERE id = :hist_id;
SELECT tests.is((SELECT count(*) FROM versions WHERE item_type = 'customers' AND item_id = :hist_id),
                :versions_before::bigint, 'an update that changes nothing writes no version row');
SELECT tests.is((SELECT lock_version FROM customers WHERE id = :hist_id), :lock_before + 1,
                'an update that changes nothing still bumps lock_version');

-- actor 'system' when not set, and no leak between transactions --------------------------
INSERT INTO customers (first_name, last_name, email) VALUES ('Sys', 'Tem', 'sys.tem@example.com')
RETURNING id AS sys_id \gset
SELECT tests.is((SELECT actor FROM versions WHERE item_type = 'customers' AND item_id = :sys_id), 'system',
                'actor is system when cdot.actor is not set');
SELECT tests.is((SELECT ticket_url FROM versions WHERE item_type = 'customers' AND item_id = :sys_id), NULL::text,
                'no ticket when cdot.ticket is not set');

BEGIN;
SELECT set_config('cdot.actor', 'admin:leaky@gitlab.com', true),
       set_config('cdot.ticket', 'https://gitlab.zendesk.com/agent/tickets/1003', true) \gset
COMMIT;
UPDATE customers SET company = 'After Commit' WHERE id = :sys_id;
SELECT tests.is((SELECT actor || ' ' || coalesce(ticket_url, '-') FROM versions
                  WHERE item_type = 'customers' AND item_id = :sys_id ORDER BY id DESC LIMIT 1),
                'system -', 'actor and ticket set in an earlier transaction do not leak into the next one');

-- rolled back: no history -----------------------------------------------------------
SELECT count(*) AS versions_total FROM versions \gset
BEGIN;
SELECT set_config('cdot.actor', 'admin:undo@gitlab.com', true) \gset
INSERT INTO customers (first_name, last_name, email) VALUES ('Roll', 'Back', 'roll.back@example.com');
UPDATE customers SET company = 'Never' WHERE id = :sys_id;
ROLLBACK;
SELECT tests.is((SELECT count(*) FROM versions), :versions_total::bigint,
                'a rolled-back transaction leaves no version row');
SELECT tests.is((SELECT count(*)::int FROM customers WHERE email = 'roll.back@example.com'), 0,
                'a rolled-back transaction leaves no row');

-- one transaction, one transaction_id ------------------------------------------------------
BEGIN;
SELECT set_config('cdot.actor', 'admin:batch@gitlab.com', true) \gset
UPDATE customers SET company = 'Batch A' WHERE id = :sys_id;
UPDATE customers SET company = 'Batch B' WHERE id = :hist_id;
COMMIT;
SELECT tests.is((SELECT count(DISTINCT transaction_id)::int FROM versions WHERE actor = 'admin:batch@gitlab.com'), 1,
                'the rows of one transaction share its transaction_id');

-- delete, with cascades ---------------------------------------------------------------
INSERT INTO billing_account_memberships (customer_id, billing_account_id)
SELECT :hist_id, id FROM billing_accounts WHERE zuora_account_id = md5('demo:account:bluefin')
RETURNING id AS membership_id \gset
BEGIN;
SELECT set_config('cdot.actor', 'admin:gdpr@gitlab.com', true),
       set_config('cdot.ticket', 'https://gitlab.zendesk.com/agent/tickets/1004', true) \gset
DELETE FROM customers WHERE id = :hist_id;
COMMIT;
SELECT tests.ok((SELECT event = 'delete' AND actor = 'admin:gdpr@gitlab.com'
                        AND changes->>'email' = 'hist.ory@example.com'
                   FROM versions WHERE item_type = 'customers' AND item_id = :hist_id ORDER BY id DESC LIMIT 1),
                'delete is recorded with the whole row and its actor');
SELECT tests.ok((SELECT event = 'delete' AND actor = 'admin:gdpr@gitlab.com'
                   FROM versions WHERE item_type = 'billing_account_memberships' AND item_id = :membership_id
                   ORDER BY id DESC LIMIT 1),
                'a cascaded delete is recorded too, with the same actor');
SELECT tests.is((SELECT array_agg(event ORDER BY id) FROM versions WHERE item_type = 'customers' AND item_id = :hist_id),
                ARRAY['create', 'update', 'update', 'update', 'update', 'delete'],
                'the history of a record lists every event in order');

-- sensitive columns never copied ---------------------------------------------------------
INSERT INTO one_time_sign_in_tokens (customer_id, token_sha256, expires_at)
VALUES (:sys_id, sha256('secret-token'), now() + interval '1 day')
RETURNING id AS token_id \gset
UPDATE one_time_sign_in_tokens SET token_sha256 = sha256('another-secret') WHERE id = :token_id;
UPDATE one_time_sign_in_tokens SET used_at = now() WHERE id = :token_id;
SELECT tests.ok((SELECT NOT (changes ? 'token_sha256') AND changes ? 'expires_at'
                   FROM versions WHERE item_type = 'one_time_sign_in_tokens' AND item_id = :token_id AND event = 'create'),
                'token hash is left out of the create history');
SELECT tests.is((SELECT changes FROM versions
                  WHERE item_type = 'one_time_sign_in_tokens' AND item_id = :token_id AND event = 'update'
                  ORDER BY id LIMIT 1),
                '{"token_sha256": ["[FILTERED]", "[FILTERED]"]}'::jsonb,
                'a token hash change is recorded as [FILTERED]');
SELECT tests.ok((SELECT count(*) = 0 FROM versions
                  WHERE changes::text LIKE '%' || encode(sha256('secret-token'), 'hex') || '%'
                     OR changes::text LIKE '%' || encode(sha256('another-secret'), 'hex') || '%'),
                'no token hash appears anywhere in history');
INSERT INTO impersonation_grants (customer_id, admin_identity, token_sha256, expires_at)
VALUES (:sys_id, 'admin:support@gitlab.com', sha256('impersonate'), now() + interval '5 minutes')
RETURNING id AS grant_id \gset
SELECT tests.ok((SELECT NOT (changes ? 'token_sha256') AND changes->>'admin_identity' = 'admin:support@gitlab.com'
                   FROM versions WHERE item_type = 'impersonation_grants' AND item_id = :grant_id),
                'impersonation grants are audited without their token hash');

-- history cannot be diverted by a temporary "versions" table -------------------------------
CREATE TEMP TABLE versions (LIKE public.versions);
UPDATE customers SET company = 'Diverted?' WHERE id = :sys_id;
SELECT tests.is((SELECT count(*)::int FROM pg_temp.versions), 0, 'a temporary versions table receives nothing');
SELECT tests.is((SELECT changes->'company'->>1 FROM public.versions
                  WHERE item_type = 'customers' AND item_id = :sys_id ORDER BY id DESC LIMIT 1),
                'Diverted?', 'history still goes to public.versions');
DROP TABLE pg_temp.versions;

-- denormalised subscription names follow the subscription -----------------------------------
BEGIN;
UPDATE zuora_subscriptions SET name = 'A-S00041599' WHERE name = 'A-S00041532';
SELECT tests.ok((SELECT bool_and(l.subscription_name = 'A-S00041599') AND count(*) = 7
                   FROM license_seat_links l JOIN zuora_subscriptions s ON s.id = l.zuora_subscription_id
                  WHERE s.name = 'A-S00041599'),
                'renaming a subscription renames its seat links');
SELECT tests.ok((SELECT bool_and(r.subscription_name = 'A-S00041599') AND count(*) = 2
                   FROM reconciliations r JOIN zuora_subscriptions s ON s.id = r.zuora_subscription_id
                  WHERE s.name = 'A-S00041599'),
                'renaming a subscription renames its reconciliations');
SELECT tests.ok((SELECT bool_and(o.subscription_name = 'A-S00041599') AND count(*) = 1
                   FROM orders o JOIN zuora_subscriptions s ON s.id = o.zuora_subscription_id
                  WHERE s.name = 'A-S00041599'),
                'renaming a subscription renames its orders');
ROLLBACK;
INSERT INTO license_seat_links (zuora_subscription_id, subscription_name, hostname, license_user_count,
                                billable_user_count, max_historical_user_count, gitlab_version, synced_at)
SELECT id, 'A-S-WRONG', 'gitlab.arcticfox.ca', 120, 130, 134, '17.5.1', now()
  FROM zuora_subscriptions WHERE name = 'A-S00041532'
RETURNING subscription_name AS seat_link_name \gset
SELECT tests.is(:'seat_link_name'::text, 'A-S00041532', 'a seat link always carries its subscription''s real name');

-- every table that should be audited is, and the others are not ---------------------------
SELECT tests.is(
    (SELECT array_agg(c.relname::text ORDER BY c.relname)
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE t.tgfoid = 'audit_row'::regproc AND NOT t.tgisinternal),
    ARRAY['billing_account_contacts', 'billing_account_memberships', 'billing_accounts', 'customers',
          'impersonation_grants', 'invoices', 'licenses', 'namespaces', 'one_time_sign_in_tokens',
          'orders', 'payment_methods', 'reconciliations', 'temporary_extensions', 'trials',
          'zuora_subscriptions'],
    'the audited tables are exactly the documented list');
SELECT tests.is(
    (SELECT array_agg(c.relname::text ORDER BY c.relname)
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE t.tgfoid = 'bump_lock_version'::regproc),
    (SELECT array_agg(table_name::text ORDER BY table_name)
       FROM information_schema.columns
      WHERE table_schema = current_schema() AND column_name = 'lock_version'),
    'every table with lock_version has the lock_version trigger');
-- tgtype bits: 1 ROW, 2 BEFORE, 4 INSERT, 8 DELETE, 16 UPDATE, 64 INSTEAD.
SELECT tests.ok((SELECT bool_and(t.tgtype & 95 = 29) FROM pg_trigger t WHERE t.tgfoid = 'audit_row'::regproc),
                'audit triggers fire AFTER each row on insert, update and delete');
SELECT tests.ok(NOT EXISTS (
                  SELECT 1 FROM information_schema.columns c
                   WHERE c.table_schema = current_schema() AND c.column_name = 'updated_at'
                     AND NOT EXISTS (SELECT 1 FROM pg_trigger t
                                      WHERE t.tgrelid = (quote_ident(c.table_name))::regclass
                                        AND t.tgfoid IN ('bump_lock_version'::regproc, 'set_updated_at'::regproc))),
                'every table with updated_at keeps it current');
SELECT tests.ok((SELECT prosecdef AND 'search_path=public, pg_temp' = ANY (proconfig)
                   FROM pg_proc WHERE oid = 'audit_row'::regproc),
                'audit_row runs as its owner with a pinned search_path');

-- the demo wrote history for every audited table it touches --------------------------------
SELECT tests.ok((SELECT count(DISTINCT item_type) >= 13 FROM versions WHERE actor = 'system'),
                'demo data was written through the history triggers');
