#!/usr/bin/env bash
# sql/seed_scale.sh - production-scale fake data for benchmarks.
#
# Usage:
#   sql/seed_scale.sh [N]          # N customers, default 1000000
#
# Connection: DATABASE_URL if set, else the libpq environment (PGHOST,
# PGPORT, PGUSER, PGDATABASE, ...), like sql/migrate.sh. Run sql/migrate.sh
# first. Needs a superuser (or, on PostgreSQL 15+, a role granted
# SET ON PARAMETER session_replication_role): see "How" below.
#
# What: N customers and, in proportion, everything around them:
#   billing accounts       N/3 (1-3 customers each; ~85% of customers are members)
#   contacts               1-2 per account (Bill_To, Sold_To; ~60% the same)
#                          + 1% contacts with no account
#   subscriptions          1-2 per account, SaaS and SM, current and expired
#   invoices               1-6 per account;  payment methods ~1 per account
#   namespaces             personal (customers with a GitLab.com account),
#                          a group per SaaS subscription, free groups
#   trials                 on a third of the free groups
#   licenses               per SM subscription (current + some previous term)
#                          + SM trial licenses for 3% of customers
#   license seat links     10 syncs per SM subscription on (offline) cloud licensing
#   orders, reconciliations (QSR), temporary extensions
# Names come from lists (first/last names, company parts, cities); emails are
# first.last<customer id>@<company domain or free-mail domain>; dates spread
# over six years around today. Deterministic: a row's values derive from a
# hash of its id.
#
# Re-running ADDS N more customers (and their rows) on top of what is there:
# ids continue after the current maximum, and every generated unique value
# (email, Zuora ids, subscription name A-S1xxxxxxx, invoice number
# INV1xxxxxxxxx, namespace path/id) embeds an id, so runs never collide with
# each other or with sql/demo.sql.
#
# How (fast): one transaction, so a failure leaves the database as it was.
# Inside it, session_replication_role = replica turns off the triggers
# (history, lock_version, subscription-name copies) and the foreign-key
# checks for the bulk load: bulk rows get no history rows (they were
# "imported"). The secondary indexes of the loaded tables are dropped and
# rebuilt after the load (unique ones re-validate everything), then the
# tables are vacuumed and analyzed. Every CHECK constraint is still enforced
# row by row; tests/sql/run.sh verifies the foreign keys after a run.
# While it runs, the loaded tables are locked: use a benchmark database.
#
# Prints the row count of each table, the time taken and the database size.

set -euo pipefail

n=${1:-1000000}
if [[ ! $n =~ ^[1-9][0-9]{0,8}$ ]]; then
	echo "usage: $0 [N]   (N = customers to add, 1..999999999)" >&2
	exit 2
fi

psql_cmd=(psql -X -q -v ON_ERROR_STOP=1)
if [[ -n ${DATABASE_URL:-} ]]; then
	psql_cmd+=(-d "$DATABASE_URL")
fi

started=$(date +%s)
echo "seed_scale: adding $n customers and their rows..."

"${psql_cmd[@]}" -v n="$n" -f - <<'SQL'
SET client_min_messages = warning;
BEGIN;

-- One seeding at a time.
SELECT pg_advisory_xact_lock(hashtextextended('cdot:seed_scale', 0)) AS locked \gset

DO $$
BEGIN
    IF to_regclass('customers') IS NULL OR to_regclass('versions') IS NULL THEN
        RAISE EXCEPTION 'seed_scale: the schema is missing; run sql/migrate.sh first';
    END IF;
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
       AND NOT has_parameter_privilege('session_replication_role', 'SET') THEN
        RAISE EXCEPTION 'seed_scale: needs a superuser, or GRANT SET ON PARAMETER session_replication_role TO %',
            current_user;
    END IF;
END
$$;

-- Bulk-load mode for this transaction only.
SET LOCAL session_replication_role = replica;
SET LOCAL maintenance_work_mem = '1GB';
SET LOCAL work_mem = '256MB';
SET LOCAL synchronous_commit = off;

-- "EXECUTE seed_elapsed \gset" then "\echo :el <step>" prints progress.
CREATE TEMP TABLE seed_clock ON COMMIT DROP AS SELECT clock_timestamp() AS t0;
PREPARE seed_elapsed AS
    SELECT format('  [%4ss]', round(extract(epoch FROM clock_timestamp() - t0))) AS el FROM seed_clock;

-- Where this run's ids start (after whatever is there).
SELECT :n::bigint AS n,
       (:n + 2) / 3 AS na,
       coalesce((SELECT max(id) FROM customers), 0)                AS c0,
       coalesce((SELECT max(id) FROM billing_accounts), 0)         AS a0,
       coalesce((SELECT max(id) FROM billing_account_contacts), 0) AS k0,
       coalesce((SELECT max(id) FROM zuora_subscriptions), 0)      AS s0,
       -- GitLab.com user and namespace ids of generated rows start above
       -- 100,000,000, clear of the demo's (and of hand-made test rows).
       greatest(100000000, (SELECT max(uid) FROM customers))        AS u0,
       greatest(100000000, (SELECT max(gitlab_id) FROM namespaces)) AS g0
\gset

-- ---------------------------------------------------------------------------
-- Helpers: a deterministic non-negative hash of (id, salt), and picks from
-- constant lists. Plain SQL functions without FROM: the planner inlines them.
-- ---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.h(k bigint, salt integer) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT hashint8extended(k, salt) & 9223372036854775807 $$;

CREATE FUNCTION pg_temp.pick(a text[], k bigint, salt integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT a[1 + pg_temp.h(k, salt) % cardinality(a)] $$;

-- Lower-case ASCII letters only (for e-mail local parts and paths).
CREATE FUNCTION pg_temp.ascii(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT regexp_replace(lower(translate(t,
        'ÀÁÂÃÄÅàáâãäåÈÉÊËèéêëÌÍÎÏìíîïÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÇçÑñŁłŚśŻżŽžŠšÝýĆćĘęÅåØøÆæß',
        'AAAAAAaaaaaaEEEEeeeeIIIIiiiiOOOOOOooooooUUUUuuuuCcNnLlSsZzZzSsYyCcEeAaOoAas')),
        '[^a-z]', '', 'g') $$;

CREATE FUNCTION pg_temp.first_name(k bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT pg_temp.pick(ARRAY[
    'James','Mary','Robert','Patricia','John','Jennifer','Michael','Linda','David','Elizabeth',
    'William','Barbara','Richard','Susan','Joseph','Jessica','Thomas','Sarah','Charles','Karen',
    'Christopher','Lisa','Daniel','Nancy','Matthew','Sandra','Anthony','Ashley','Mark','Emily',
    'Steven','Michelle','Andrew','Amanda','Joshua','Melissa','Kevin','Stephanie','Brian','Rebecca',
    'Jason','Laura','Ryan','Hannah','Jacob','Olivia','Ethan','Emma','Noah','Sophia',
    'Liam','Ava','Lucas','Mia','Mateo','Isabella','Leon','Lena','Felix','Anna',
    'Jonas','Marie','Lukas','Sofia','Maximilian','Julia','Paul','Clara','Elias','Laura',
    'Hugo','Chloé','Louis','Léa','Gabriel','Manon','Raphaël','Camille','Jules','Inès',
    'Alejandro','Lucía','Diego','Valentina','Santiago','Camila','Javier','Carmen','Pablo','Marta',
    'Giulia','Alessandro','Francesca','Lorenzo','Chiara','Matteo','Sven','Astrid','Lars','Ingrid',
    'Aarav','Priya','Vivaan','Ananya','Arjun','Diya','Rohan','Isha','Wei','Li',
    'Jing','Hao','Yuki','Haruto','Sakura','Ren','Min-jun','Ji-woo','Seo-yeon','Thanh',
    'Olusegun','Amara','Chinedu','Zanele','Kwame','Fatima','Omar','Layla','Yusuf','Noor',
    'Mateus','Beatriz','João','Ana','Rafael','Larissa','Piotr','Katarzyna','Tomasz','Agnieszka',
    'Dmitri','Olga','Nikolai','Anastasia','Erik','Freya','Oskar','Maja','Niamh','Cian'
    ], k, 101) $$;

CREATE FUNCTION pg_temp.last_name(k bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT pg_temp.pick(ARRAY[
    'Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis','Rodriguez','Martinez',
    'Hernandez','Lopez','Gonzalez','Wilson','Anderson','Thomas','Taylor','Moore','Jackson','Martin',
    'Lee','Perez','Thompson','White','Harris','Sanchez','Clark','Ramirez','Lewis','Robinson',
    'Walker','Young','Allen','King','Wright','Scott','Torres','Nguyen','Hill','Flores',
    'Green','Adams','Nelson','Baker','Hall','Rivera','Campbell','Mitchell','Carter','Roberts',
    'Müller','Schmidt','Schneider','Fischer','Weber','Meyer','Wagner','Becker','Schulz','Hoffmann',
    'Dubois','Durand','Lefèvre','Moreau','Laurent','Simon','Michel','Girard','Bernard','Fournier',
    'Rossi','Russo','Ferrari','Esposito','Bianchi','Romano','Colombo','Ricci','Marino','Greco',
    'García','Fernández','González','Rodríguez','López','Martínez','Sánchez','Pérez','Gómez','Ruiz',
    'Silva','Santos','Oliveira','Souza','Pereira','Costa','Almeida','Ferreira','Carvalho','Gomes',
    'Kowalski','Nowak','Wiśniewski','Andersson','Johansson','Karlsson','Nilsson','Jensen','Hansen','Virtanen',
    'Patel','Sharma','Singh','Kumar','Gupta','Iyer','Reddy','Nair','Chen','Wang',
    'Zhang','Liu','Huang','Zhao','Sato','Suzuki','Takahashi','Tanaka','Watanabe','Kim',
    'Park','Choi','Tran','Le','Okafor','Adeyemi','Mensah','Haddad','Khan','Ali',
    'O''Brien','O''Connor','Murphy','Kelly','Walsh','Byrne','Ivanov','Petrov','Novak','de Vries'
    ], k, 102) $$;

-- Company of billing account k: '<A><b> <suffix>', e.g. 'Northgate Analytics'.
CREATE FUNCTION pg_temp.company_stem(k bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT pg_temp.pick(ARRAY[
    'North','Blue','Silver','Red','Green','Iron','Bright','Clear','Swift','Prime',
    'Summit','Harbor','River','Stone','Pine','Cedar','Maple','Oak','Falcon','Eagle',
    'Lunar','Solar','Quantum','Vertex','Apex','Nova','Atlas','Orbit','Pixel','Data',
    'Cloud','Cyber','Metro','Urban','Global','Pacific','Atlantic','Alpine','Coastal','Granite',
    'Copper','Golden','Crystal','Rapid','Smart','Open','True','Bold','Astra','Zen',
    'Polar','Delta','Sigma','Omega','Terra','Aero','Hydro','Bio','Medi','Fin'
    ], k, 111) || pg_temp.pick(ARRAY[
    'wind','gate','bridge','field','stone','point','line','works','labs','soft',
    'ware','logic','scale','stack','forge','path','wave','peak','crest','view',
    'ridge','core','base','hub','link','spark','leaf','sight','mark','ford',
    'brook','dale','vale','port','tech','sys','net','flow','craft','mind'
    ], k, 112) $$;

CREATE FUNCTION pg_temp.company(k bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT pg_temp.company_stem(k) || ' ' || pg_temp.pick(ARRAY[
    'Inc.','LLC','Ltd','GmbH','SAS','B.V.','AB','Pty Ltd','Corp.','Group',
    'Technologies','Systems','Solutions','Labs','Software','Health','Logistics','Financial','Analytics','Robotics',
    'Media','Energy','Foods','Bank','University','Consulting','Studios','Networks','Security','Games'
    ], k, 113) $$;

CREATE FUNCTION pg_temp.domain(k bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT lower(pg_temp.company_stem(k)) || '.' || pg_temp.pick(ARRAY[
    'com','com','com','com','io','net','co','dev','ai','org','de','co.uk','fr','ca','nl','com.au'
    ], k, 114) $$;

CREATE FUNCTION pg_temp.freemail(k bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT pg_temp.pick(ARRAY[
    'gmail.com','gmail.com','gmail.com','outlook.com','hotmail.com','yahoo.com','proton.me',
    'icloud.com','gmx.de','web.de','mail.ru','qq.com','fastmail.com','posteo.de'
    ], k, 115) $$;

-- GitLab version for release number m (months since 15.0, May 2022: one
-- minor a month, a major a year).
CREATE FUNCTION pg_temp.gitlab_version(m integer, k bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (15 + m / 12) || '.' || (m % 12) || '.' || (pg_temp.h(k, 121) % 6) $$;

-- Cities with a weight (out of 1000): where billing contacts live. A few
-- in trade-restricted countries on purpose.
CREATE TEMP TABLE seed_places ON COMMIT DROP AS
WITH p (country, state, city, postal, currency, weight) AS (VALUES
    ('US','California','San Francisco','941','USD',60), ('US','California','San Jose','951','USD',30),
    ('US','California','Los Angeles','900','USD',35), ('US','Washington','Seattle','981','USD',40),
    ('US','Oregon','Portland','972','USD',12), ('US','Texas','Austin','787','USD',35),
    ('US','Texas','Dallas','752','USD',15), ('US','Texas','Houston','770','USD',12),
    ('US','New York','New York','100','USD',60), ('US','Massachusetts','Boston','021','USD',30),
    ('US','Illinois','Chicago','606','USD',30), ('US','Colorado','Denver','802','USD',12),
    ('US','Georgia','Atlanta','303','USD',12), ('US','Florida','Miami','331','USD',10),
    ('US','North Carolina','Raleigh','276','USD',10), ('US','District of Columbia','Washington','200','USD',12),
    ('US','Arizona','Phoenix','850','USD',8), ('US','Minnesota','Minneapolis','554','USD',8),
    ('US','Pennsylvania','Pittsburgh','152','USD',8), ('US','Utah','Salt Lake City','841','USD',6),
    ('CA','Ontario','Toronto','M5V','CAD',30), ('CA','British Columbia','Vancouver','V6B','CAD',12),
    ('CA','Quebec','Montréal','H2X','CAD',8), ('CA','Alberta','Calgary','T2P','CAD',5),
    ('DE','Berlin','Berlin','101','EUR',35), ('DE','Bayern','München','803','EUR',20),
    ('DE','Hamburg','Hamburg','203','EUR',10), ('DE','Hessen','Frankfurt am Main','603','EUR',10),
    ('GB','England','London','EC1','GBP',60), ('GB','England','Manchester','M1 ','GBP',8),
    ('GB','Scotland','Edinburgh','EH1','GBP',6), ('FR','Île-de-France','Paris','750','EUR',40),
    ('FR','Auvergne-Rhône-Alpes','Lyon','690','EUR',8), ('NL','Noord-Holland','Amsterdam','101','EUR',25),
    ('IE','Dublin','Dublin','D02','EUR',16), ('ES','Madrid','Madrid','280','EUR',12),
    ('IT','Lombardia','Milano','201','EUR',10), ('SE','Stockholm','Stockholm','111','EUR',10),
    ('CH','Zürich','Zürich','800','EUR',10), ('PL','Mazowieckie','Warszawa','00-','EUR',8),
    ('AT','Wien','Wien','101','EUR',5), ('BE','Brussels','Bruxelles','100','EUR',5),
    ('DK','Hovedstaden','København','110','EUR',5), ('FI','Uusimaa','Helsinki','001','EUR',5),
    ('NO','Oslo','Oslo','015','EUR',4), ('PT','Lisboa','Lisboa','110','EUR',4),
    ('IN','Karnataka','Bengaluru','560','USD',35), ('IN','Maharashtra','Pune','411','USD',12),
    ('JP','Tokyo','Tokyo','100','JPY',30), ('AU','New South Wales','Sydney','200','AUD',20),
    ('AU','Victoria','Melbourne','300','AUD',10), ('NZ','Auckland','Auckland','101','USD',4),
    ('SG','Singapore','Singapore','018','USD',10), ('IL','Tel Aviv','Tel Aviv','610','USD',10),
    ('KR','Seoul','Seoul','041','USD',8), ('BR','São Paulo','São Paulo','010','USD',20),
    ('MX','Ciudad de México','Ciudad de México','066','USD',8), ('ZA','Western Cape','Cape Town','800','USD',5),
    ('AR','Buenos Aires','Buenos Aires','C10','USD',5), ('CO','Bogotá','Bogotá','110','USD',4),
    ('IR','Tehran','Tehran','141','USD',1), ('CU','La Habana','La Habana','104','USD',1),
    ('SY','Damascus','Damascus','011','USD',1), ('KP','Pyongyang','Pyongyang','000','USD',0)
)
SELECT (row_number() OVER () - 1)::int AS slot, p.country, p.state, p.city, p.postal, p.currency
  FROM p, generate_series(1, p.weight);
DO $$
BEGIN
    IF (SELECT count(*) FROM seed_places) <> 1000 THEN
        RAISE EXCEPTION 'seed_places weights must add up to 1000, not %', (SELECT count(*) FROM seed_places);
    END IF;
END
$$;
CREATE UNIQUE INDEX ON seed_places (slot);

-- ---------------------------------------------------------------------------
-- Drop the secondary indexes of the tables we load; rebuilt at the end.
-- (Indexes behind constraints -- primary keys, UNIQUE constraints, targets
-- of foreign keys -- stay.)
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE seed_indexes ON COMMIT DROP AS
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
  FROM pg_index i
  JOIN pg_class t ON t.oid = i.indrelid
 WHERE t.relnamespace = current_schema()::regnamespace
   AND t.relname IN ('customers', 'billing_accounts', 'billing_account_contacts',
                     'billing_account_memberships', 'zuora_subscriptions', 'invoices',
                     'payment_methods', 'namespaces', 'trials', 'licenses',
                     'license_seat_links', 'orders', 'reconciliations', 'temporary_extensions')
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid);

DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT name FROM seed_indexes LOOP
        EXECUTE 'DROP INDEX ' || r.name;
    END LOOP;
END
$$;

EXECUTE seed_elapsed \gset
\echo :el customers
-- Customer i (1..n) belongs to account a0 + (i-1)/3 + 1 if a member (85%).
INSERT INTO customers (id, first_name, last_name, email, company, login_activated, uid,
                       created_at, updated_at, lock_version)
SELECT id, fn, ln,
       pg_temp.ascii(fn) || '.' || pg_temp.ascii(ln) || id || '@' ||
           CASE WHEN member THEN pg_temp.domain(acc) ELSE pg_temp.freemail(id) END,
       CASE WHEN member THEN pg_temp.company(acc)
            WHEN pg_temp.h(id, 6) % 2 = 0 THEN pg_temp.company(id + 7919) END,
       pg_temp.h(id, 7) % 100 >= 3,
       CASE WHEN pg_temp.h(id, 8) % 100 < 82 THEN :u0 + i END,
       created, least(now(), created + make_interval(days => (pg_temp.h(id, 9) % 400)::int)),
       (pg_temp.h(id, 10) % 4)::int
  FROM (SELECT i, :c0 + i AS id,
               :a0 + (i - 1) / 3 + 1 AS acc,
               pg_temp.h(:c0 + i, 5) % 100 < 85 AS member,
               pg_temp.first_name(:c0 + i) AS fn,
               pg_temp.last_name(:c0 + i) AS ln,
               now() - make_interval(secs => (pg_temp.h(:c0 + i, 4) % (6 * 365 * 86400))::double precision) AS created
          FROM generate_series(1, :n) AS i) c;

EXECUTE seed_elapsed \gset
\echo :el billing accounts and contacts
-- Contact ids: k0 + 2j - 1 is the Bill_To of the j-th new account; k0 + 2j
-- its separate Sold_To when it has one (40%), else Bill_To = Sold_To.
INSERT INTO billing_accounts (id, zuora_account_id, zuora_account_name, salesforce_account_id, company,
                              po_required, portal_required, support_hold, credit_hold, auto_pay, currency,
                              bill_to_contact_id, sold_to_contact_id, created_at, updated_at)
SELECT id, md5('seed:account:' || id), pg_temp.company(id),
       CASE WHEN pg_temp.h(id, 20) % 100 < 90
            THEN '0014M' || upper(substr(md5('seed:sfdc:' || id), 1, 10)) || 'QAC' END,
       pg_temp.company(id),
       pg_temp.h(id, 22) % 100 < 6, pg_temp.h(id, 23) % 100 < 4,
       pg_temp.h(id, 24) % 1000 < 15, pg_temp.h(id, 25) % 1000 < 10,
       pg_temp.h(id, 26) % 100 < 55, p.currency,
       :k0 + 2 * j - 1,
       CASE WHEN pg_temp.h(id, 27) % 100 < 40 THEN :k0 + 2 * j ELSE :k0 + 2 * j - 1 END,
       created, least(now(), created + make_interval(days => (pg_temp.h(id, 28) % 300)::int))
  FROM (SELECT j, :a0 + j AS id,
               now() - make_interval(secs => (pg_temp.h(:a0 + j, 29) % (6 * 365 * 86400))::double precision) AS created
          FROM generate_series(1, :na) AS j) a
  JOIN seed_places p ON p.slot = pg_temp.h(a.id, 41) % 1000;

INSERT INTO billing_account_contacts (id, zuora_contact_id, billing_account_id, first_name, last_name, work_email,
                                      address1, address2, city, state, postal_code, country, created_at, updated_at)
SELECT cid, md5('seed:contact:' || cid), b.id,
       CASE WHEN ap THEN 'Accounts' ELSE pg_temp.first_name(cid) END,
       CASE WHEN ap THEN 'Payable' ELSE pg_temp.last_name(cid) END,
       CASE WHEN ap THEN pg_temp.pick(ARRAY['ap','billing','finance','accounts.payable','invoices'], cid, 31)
            ELSE pg_temp.ascii(pg_temp.first_name(cid)) || '.' || pg_temp.ascii(pg_temp.last_name(cid)) END
           || '@' || pg_temp.domain(b.id),
       (1 + pg_temp.h(b.id, 32) % 9899) || ' ' || pg_temp.pick(ARRAY[
           'Main Street','Market Street','Harbor Boulevard','Oak Avenue','Pine Street','Elm Street',
           'Park Avenue','Broadway','Mission Street','King Street','Queen Street','High Street',
           'Hauptstraße','Bahnhofstraße','Rue de Rivoli','Avenue des Champs','Via Roma','Calle Mayor',
           'Keizersgracht','Sveavägen','Church Road','Station Road','Innovation Way','Technology Drive'
           ], b.id, 33),
       CASE WHEN pg_temp.h(b.id, 34) % 100 < 30 THEN 'Suite ' || (100 + pg_temp.h(b.id, 35) % 900) END,
       p.city, p.state,
       p.postal || lpad((pg_temp.h(b.id, 36) % 100)::text, 2, '0'),
       p.country, b.created_at, b.created_at
  FROM billing_accounts b
  JOIN seed_places p ON p.slot = pg_temp.h(b.id, 41) % 1000
  -- role 1 = Bill_To (an AP mailbox for 70% of accounts with a separate
  -- Sold_To), role 2 = the separate Sold_To, if any.
  CROSS JOIN LATERAL (VALUES (1, b.bill_to_contact_id, b.bill_to_contact_id <> b.sold_to_contact_id
                                                       AND pg_temp.h(b.id, 30) % 100 < 70),
                             (2, b.sold_to_contact_id, false)) AS r (role, cid, ap)
 WHERE b.id > :a0
   AND (r.role = 1 OR b.sold_to_contact_id <> b.bill_to_contact_id);

-- Zuora contacts whose account is not in CustomersDot (1%).
INSERT INTO billing_account_contacts (id, zuora_contact_id, billing_account_id, first_name, last_name, work_email,
                                      city, state, postal_code, country)
SELECT cid, md5('seed:contact:' || cid), NULL, pg_temp.first_name(cid), pg_temp.last_name(cid),
       pg_temp.ascii(pg_temp.first_name(cid)) || '.' || pg_temp.ascii(pg_temp.last_name(cid)) || '@' || pg_temp.domain(cid),
       p.city, p.state, p.postal || '00', p.country
  FROM (SELECT :k0 + 2 * :na + m AS cid FROM generate_series(1, greatest(1, :na / 100)) AS m) x
  JOIN seed_places p ON p.slot = pg_temp.h(x.cid, 41) % 1000;

EXECUTE seed_elapsed \gset
\echo :el memberships
INSERT INTO billing_account_memberships (customer_id, billing_account_id, created_at, updated_at)
SELECT c.id, :a0 + (c.id - :c0 - 1) / 3 + 1, c.created_at, c.created_at
  FROM customers c
 WHERE c.id > :c0
   AND pg_temp.h(c.id, 5) % 100 < 85;

EXECUTE seed_elapsed \gset
\echo :el subscriptions
-- Subscription ids: s0 + 2j - 1 for every new account j, s0 + 2j for 35%.
-- Terms of 1 (85%), 2 or 3 years that started up to a term + 150 days ago:
-- about a quarter have ended (expired), the rest run for a while yet.
INSERT INTO zuora_subscriptions (id, zuora_subscription_id, name, billing_account_id, deployment_type, status,
                                 gitlab_plan, term_start_date, term_end_date, seats, max_seats_used,
                                 cloud_licensing, operational_metrics, quarterly_coterms, auto_renew,
                                 turn_on_seat_reconciliation, created_at, updated_at)
SELECT sid, md5('seed:subscription:' || sid), 'A-S' || (10000000 + sid), b.id, t.dtype,
       CASE WHEN d.term_end < CURRENT_DATE THEN 'expired'
            WHEN pg_temp.h(sid, 45) % 100 < 3 THEN 'cancelled'
            ELSE 'active' END,
       CASE WHEN pg_temp.h(sid, 46) % 100 < 95
            THEN pg_temp.pick(ARRAY['premium','premium','premium','premium','ultimate','ultimate'], sid, 47)
            WHEN t.dtype = 'sm' THEN 'starter'
            ELSE pg_temp.pick(ARRAY['bronze','silver','gold'], sid, 48) END,
       d.term_start, d.term_end, t.seats,
       greatest(0, t.seats + CASE WHEN pg_temp.h(sid, 49) % 100 < 35
                                  THEN (pg_temp.h(sid, 50) % (t.seats / 4 + 2))::int
                                  ELSE -(pg_temp.h(sid, 50) % (t.seats / 3 + 1))::int END),
       t.dtype = 'sm' AND pg_temp.h(sid, 51) % 100 < 70,
       t.dtype = 'sm' AND pg_temp.h(sid, 52) % 100 < 45,
       pg_temp.h(sid, 53) % 100 < 10,
       pg_temp.h(sid, 54) % 100 < 60,
       NOT (b.po_required OR b.portal_required OR b.support_hold OR b.credit_hold)
           AND pg_temp.h(sid, 55) % 100 < 75,
       (d.term_start - 3)::timestamptz, (d.term_start - 3)::timestamptz
  FROM billing_accounts b
 CROSS JOIN generate_series(1, 2) AS k
 CROSS JOIN LATERAL (SELECT :s0 + 2 * (b.id - :a0) - 2 + k AS sid) s
 CROSS JOIN LATERAL (
        SELECT CASE WHEN pg_temp.h(s.sid, 42) % 100 < 55 THEN 'saas' ELSE 'sm' END AS dtype,
               CASE WHEN pg_temp.h(s.sid, 44) % 100 < 85 THEN 1
                    WHEN pg_temp.h(s.sid, 44) % 100 < 93 THEN 2 ELSE 3 END AS years,
               CASE WHEN pg_temp.h(s.sid, 56) % 100 < 70 THEN 5 + (pg_temp.h(s.sid, 57) % 45)::int
                    WHEN pg_temp.h(s.sid, 56) % 100 < 96 THEN 50 + (pg_temp.h(s.sid, 57) % 450)::int
                    ELSE 500 + (pg_temp.h(s.sid, 57) % 4500)::int END AS seats) t
 CROSS JOIN LATERAL (SELECT CURRENT_DATE - (pg_temp.h(s.sid, 43) % (365 * t.years + 150))::int AS term_start) d0
 CROSS JOIN LATERAL (SELECT d0.term_start, d0.term_start + 365 * t.years AS term_end) d
 WHERE b.id > :a0
   AND (k = 1 OR pg_temp.h(b.id, 21) % 100 < 35);

EXECUTE seed_elapsed \gset
\echo :el invoices and payment methods
INSERT INTO invoices (zuora_invoice_number, billing_account_id, invoice_date, due_date, amount, balance,
                      payment_status, created_at, updated_at)
SELECT 'INV' || (1000000000 + b.id * 8 + k), b.id, d, d + terms, amount,
       CASE st WHEN 'paid' THEN 0 WHEN 'unpaid' THEN amount ELSE round(amount / 3, 2) END,
       st, d::timestamptz, d::timestamptz
  FROM billing_accounts b
 CROSS JOIN generate_series(1, 6) AS k
 CROSS JOIN LATERAL (
        SELECT CURRENT_DATE - (k - 1) * 91 - (pg_temp.h(b.id * 8 + k, 61) % 60)::int AS d,
               CASE WHEN b.po_required THEN 45 ELSE 30 END AS terms,
               round((99 + pg_temp.h(b.id * 8 + k, 62) % 2500000 / 100.0)::numeric, 2) AS amount,
               CASE WHEN (b.credit_hold OR b.support_hold) AND k <= 3 THEN 'unpaid'
                    WHEN k = 1 AND pg_temp.h(b.id, 63) % 100 < 20 THEN 'unpaid'
                    WHEN k = 1 AND pg_temp.h(b.id, 63) % 100 < 28 THEN 'partially_paid'
                    WHEN pg_temp.h(b.id * 8 + k, 64) % 100 < 2 THEN 'unpaid'
                    ELSE 'paid' END AS st) x
 WHERE b.id > :a0
   AND k <= 1 + pg_temp.h(b.id, 31) % 6;

INSERT INTO payment_methods (zuora_payment_method_id, billing_account_id, kind, is_default,
                             card_last4, card_type, name_on_card, card_expiration_month, card_expiration_year,
                             ach_routing_number, ach_account_number_last4, ach_account_type, ach_bank_name,
                             ach_account_name, created_at, updated_at)
SELECT md5('seed:payment_method:' || b.id || ':' || k), b.id, x.kind, k = 1,
       CASE WHEN x.kind = 'credit_card' THEN lpad((pg_temp.h(b.id * 2 + k, 71) % 10000)::text, 4, '0') END,
       CASE WHEN x.kind = 'credit_card'
            THEN pg_temp.pick(ARRAY['Visa','Visa','Visa','MasterCard','MasterCard','AmericanExpress','Discover','JCB'], b.id * 2 + k, 72) END,
       CASE WHEN x.kind = 'credit_card' THEN pg_temp.first_name(b.id * 2 + k) || ' ' || pg_temp.last_name(b.id * 2 + k) END,
       CASE WHEN x.kind = 'credit_card' THEN (1 + pg_temp.h(b.id * 2 + k, 73) % 12)::smallint END,
       CASE WHEN x.kind = 'credit_card' THEN (extract(year FROM CURRENT_DATE) - 1 + pg_temp.h(b.id * 2 + k, 74) % 6)::smallint END,
       CASE WHEN x.kind = 'ach' THEN x.routing END,
       CASE WHEN x.kind = 'ach' THEN lpad((pg_temp.h(b.id * 2 + k, 75) % 10000)::text, 4, '0') END,
       CASE WHEN x.kind = 'ach' THEN pg_temp.pick(ARRAY['checking','savings','business_checking','business_checking'], b.id, 76) END,
       CASE WHEN x.kind = 'ach' THEN x.bank END,
       CASE WHEN x.kind = 'ach' THEN b.company END,
       b.created_at, b.created_at
  FROM billing_accounts b
 CROSS JOIN generate_series(1, 2) AS k
 CROSS JOIN LATERAL (
        SELECT CASE WHEN b.currency = 'USD' AND pg_temp.h(b.id * 2 + k, 77) % 100 < 20 THEN 'ach'
                    ELSE 'credit_card' END AS kind,
               -- same salt, same length: bank and routing number match
               pg_temp.pick(ARRAY['JPMorgan Chase','Bank of America','Wells Fargo','Citibank',
                                  'U.S. Bank','PNC Bank','Silicon Valley Bank','Capital One'], b.id, 78) AS bank,
               pg_temp.pick(ARRAY['021000021','026009593','121000248','021000089',
                                  '123000220','043000096','121140399','051405515'], b.id, 78) AS routing) x
 WHERE b.id > :a0
   AND ((k = 1 AND pg_temp.h(b.id, 79) % 100 < 85) OR (k = 2 AND pg_temp.h(b.id, 80) % 100 < 10));

EXECUTE seed_elapsed \gset
\echo :el namespaces and trials
-- GitLab ids: g0 + i for customer i's personal namespace, g0 + n + (s - s0)
-- for the group of SaaS subscription s, g0 + n + 2na + i for customer i's
-- free group.
INSERT INTO namespaces (gitlab_id, path, name, kind, owner_customer_id, plan, created_at, updated_at)
SELECT :g0 + (c.id - :c0),
       left(pg_temp.ascii(c.first_name), 1) || pg_temp.ascii(c.last_name) || c.id,
       c.first_name || ' ' || c.last_name, 'user', c.id, 'free', c.created_at, c.created_at
  FROM customers c
 WHERE c.id > :c0 AND c.uid IS NOT NULL;

INSERT INTO namespaces (gitlab_id, path, name, kind, owner_customer_id, plan, zuora_subscription_id,
                        extra_ci_minutes, additional_storage_mib, max_seats_used, created_at, updated_at)
SELECT :g0 + :n + (s.id - :s0),
       lower(pg_temp.company_stem(b.id)) || '-s' || s.id,
       pg_temp.company(b.id), 'group',
       oc.id,
       CASE WHEN s.status = 'active' THEN s.gitlab_plan ELSE 'free' END,
       CASE WHEN s.status = 'active' THEN s.id END,
       CASE WHEN pg_temp.h(s.id, 81) % 100 < 10 THEN 1000 * (1 + pg_temp.h(s.id, 82) % 20)::int ELSE 0 END,
       CASE WHEN pg_temp.h(s.id, 83) % 100 < 8 THEN 10240 * (1 + pg_temp.h(s.id, 84) % 10)::int ELSE 0 END,
       s.max_seats_used, s.created_at, s.created_at
  FROM zuora_subscriptions s
  JOIN billing_accounts b ON b.id = s.billing_account_id
  -- owned by the account's first customer, if they have a GitLab.com account
  LEFT JOIN customers oc ON oc.id = :c0 + 3 * (b.id - :a0 - 1) + 1 AND oc.uid IS NOT NULL
 WHERE s.id > :s0 AND s.deployment_type = 'saas';

INSERT INTO namespaces (gitlab_id, path, name, kind, owner_customer_id, plan, max_seats_used, created_at, updated_at)
SELECT :g0 + :n + 2 * :na + (c.id - :c0),
       coalesce(nullif(pg_temp.ascii(coalesce(c.company, c.last_name)), ''), 'group') || '-g' || c.id,
       coalesce(c.company, c.last_name || ' team'), 'group', c.id, 'free',
       (1 + pg_temp.h(c.id, 86) % 30)::int, c.created_at, c.created_at
  FROM customers c
 WHERE c.id > :c0 AND c.uid IS NOT NULL AND pg_temp.h(c.id, 85) % 100 < 20;

-- Trials on a third of the new free groups: active when they end today or
-- later, 5% cancelled.
INSERT INTO trials (namespace_id, plan, starts_on, ends_on, status, cancelled_at, created_at, updated_at)
SELECT n.id, x.plan, x.starts_on, x.starts_on + 30,
       CASE WHEN x.cancelled THEN 'cancelled'
            WHEN x.starts_on + 30 >= CURRENT_DATE THEN 'active'
            ELSE 'expired' END,
       CASE WHEN x.cancelled THEN least(now(), (x.starts_on + 10)::timestamptz) END,
       x.starts_on::timestamptz, x.starts_on::timestamptz
  FROM namespaces n
 CROSS JOIN LATERAL (
        SELECT CASE WHEN pg_temp.h(n.id, 91) % 100 < 85 THEN 'ultimate_trial' ELSE 'premium_trial' END AS plan,
               CURRENT_DATE - (pg_temp.h(n.id, 92) % 500)::int AS starts_on,
               pg_temp.h(n.id, 93) % 100 < 5 AS cancelled) x
 WHERE n.gitlab_id > :g0 + :n + 2 * :na
   AND pg_temp.h(n.id, 90) % 100 < 33;

UPDATE namespaces n
   SET plan = t.plan
  FROM trials t
 WHERE t.namespace_id = n.id AND t.status = 'active' AND n.gitlab_id > :g0 + :n + 2 * :na;

EXECUTE seed_elapsed \gset
\echo :el licenses
-- SM subscriptions: this term's license (cloud licensing -> cloud, else 30%
-- offline cloud, 70% legacy), and the previous term's (legacy) for 40%.
INSERT INTO licenses (license_type, trial, name, company, email, issued_at, starts_at, expires_at,
                      user_count, zuora_subscription_id, gitlab_plan, license_file, created_at, updated_at)
SELECT x.ltype, false, ct.first_name || ' ' || ct.last_name, b.company, ct.work_email,
       x.starts::timestamptz - make_interval(hours => (pg_temp.h(s.id, 102) % 72)::int),
       x.starts, x.expires, s.seats, s.id, s.gitlab_plan,
       CASE WHEN x.ltype = 'legacy'
            THEN encode(sha512(convert_to('seed:license:' || s.id || ':' || k, 'UTF8')), 'base64') END,
       x.starts::timestamptz, x.starts::timestamptz
  FROM zuora_subscriptions s
  JOIN billing_accounts b ON b.id = s.billing_account_id
  JOIN billing_account_contacts ct ON ct.id = b.sold_to_contact_id
 CROSS JOIN generate_series(1, 2) AS k
 CROSS JOIN LATERAL (
        SELECT CASE WHEN k = 2 THEN 'legacy'
                    WHEN s.cloud_licensing THEN 'cloud'
                    WHEN pg_temp.h(s.id, 101) % 100 < 30 THEN 'offline_cloud'
                    ELSE 'legacy' END AS ltype,
               CASE WHEN k = 1 THEN s.term_start_date ELSE s.term_start_date - 365 END AS starts,
               CASE WHEN k = 1 THEN s.term_end_date ELSE s.term_start_date END AS expires) x
 WHERE s.id > :s0 AND s.deployment_type = 'sm'
   AND (k = 1 OR pg_temp.h(s.id, 103) % 100 < 40);

-- SM trial licenses requested by 3% of customers (prospects).
INSERT INTO licenses (license_type, trial, name, company, email, issued_at, starts_at, expires_at,
                      user_count, zuora_subscription_id, gitlab_plan, license_file, created_at, updated_at)
SELECT x.ltype, true, c.first_name || ' ' || c.last_name, c.company, c.email,
       x.starts::timestamptz + interval '9 hours', x.starts, x.starts + 30,
       (10 * (1 + pg_temp.h(c.id, 104) % 20))::int, NULL,
       CASE WHEN pg_temp.h(c.id, 105) % 100 < 80 THEN 'ultimate' ELSE 'premium' END,
       CASE WHEN x.ltype = 'legacy'
            THEN encode(sha512(convert_to('seed:trial-license:' || c.id, 'UTF8')), 'base64') END,
       x.starts::timestamptz, x.starts::timestamptz
  FROM customers c
 CROSS JOIN LATERAL (
        SELECT CASE WHEN pg_temp.h(c.id, 106) % 100 < 60 THEN 'legacy' ELSE 'cloud' END AS ltype,
               CURRENT_DATE - (pg_temp.h(c.id, 107) % 1500)::int AS starts) x
 WHERE c.id > :c0 AND pg_temp.h(c.id, 108) % 100 < 3;

EXECUTE seed_elapsed \gset
\echo :el license seat links
-- Ten syncs per SM subscription on cloud licensing (daily, up to today or
-- the term end) or offline cloud licensing (monthly uploads).
INSERT INTO license_seat_links (zuora_subscription_id, subscription_name, hostname, company, license_user_count,
                                billable_user_count, max_historical_user_count, gitlab_version, synced_at,
                                created_at, updated_at)
SELECT s.id, s.name, x.hostname, b.company, s.seats, x.billable,
       greatest(x.billable, s.max_seats_used * (k + 10) / 20),
       pg_temp.gitlab_version(x.release, s.id), x.synced, x.synced, x.synced
  FROM zuora_subscriptions s
  JOIN billing_accounts b ON b.id = s.billing_account_id
 CROSS JOIN generate_series(1, 10) AS k
 CROSS JOIN LATERAL (
        SELECT pg_temp.pick(ARRAY['gitlab.', 'git.', 'gitlab-prod.', 'scm.', 'code.'], s.id, 111)
                   || pg_temp.domain(b.id) AS hostname,
               greatest(0, s.max_seats_used - (10 - k) * (pg_temp.h(s.id, 112) % 3)::int) AS billable,
               least(now(), (least(CURRENT_DATE, s.term_end_date)
                              - CASE WHEN s.cloud_licensing THEN 10 - k ELSE 30 * (10 - k) END)::timestamptz
                              + make_interval(mins => (pg_temp.h(s.id, 113) % 1440)::int)) AS synced,
               -- the instance runs a release a few months behind the sync date
               greatest(0, (extract(year FROM least(CURRENT_DATE, s.term_end_date))::int - 2022) * 12
                           + extract(month FROM least(CURRENT_DATE, s.term_end_date))::int - 5
                           - (pg_temp.h(s.id, 114) % 6)::int) AS release) x
 WHERE s.id > :s0 AND s.deployment_type = 'sm'
   AND (s.cloud_licensing OR pg_temp.h(s.id, 101) % 100 < 30);

EXECUTE seed_elapsed \gset
\echo :el orders
-- The subscription's order, plus CI minutes (15%) and storage (8%) add-ons
-- for SaaS.
INSERT INTO orders (billing_account_id, customer_id, zuora_subscription_id, subscription_name, gl_namespace_id,
                    gl_namespace_name, product_rate_plan_id, product_name, gitlab_plan, quantity, trial,
                    start_date, end_date, created_at, updated_at)
SELECT b.id, :c0 + 3 * (b.id - :a0 - 1) + 1, s.id, s.name,
       CASE WHEN s.deployment_type = 'saas' THEN :g0 + :n + (s.id - :s0) END,
       CASE WHEN s.deployment_type = 'saas' THEN b.company END,
       md5('seed:rate_plan:' || x.product), x.product, x.plan, x.quantity, false,
       x.starts, s.term_end_date, x.starts::timestamptz, x.starts::timestamptz
  FROM zuora_subscriptions s
  JOIN billing_accounts b ON b.id = s.billing_account_id
 CROSS JOIN generate_series(1, 3) AS k
 CROSS JOIN LATERAL (
        SELECT CASE k
                   WHEN 1 THEN 'GitLab ' || initcap(s.gitlab_plan)
                               || CASE s.deployment_type WHEN 'saas' THEN ' (SaaS)' ELSE ' (Self-Managed)' END
                               || ' - ' || ((s.term_end_date - s.term_start_date) / 365) || ' Year'
                   WHEN 2 THEN '1,000 CI Minutes'
                   ELSE '10 GiB Storage' END AS product,
               CASE WHEN k = 1 THEN s.gitlab_plan END AS plan,
               CASE k WHEN 1 THEN s.seats ELSE (1 + pg_temp.h(s.id * 3 + k, 121) % 10)::int END AS quantity,
               CASE WHEN k = 1 THEN s.term_start_date
                    ELSE least(s.term_end_date, CURRENT_DATE,
                               s.term_start_date + (pg_temp.h(s.id * 3 + k, 122) % 300)::int) END AS starts) x
 WHERE s.id > :s0
   AND (k = 1
        OR (k = 2 AND s.deployment_type = 'saas' AND pg_temp.h(s.id, 123) % 100 < 15)
        OR (k = 3 AND s.deployment_type = 'saas' AND pg_temp.h(s.id, 124) % 100 < 8));

EXECUTE seed_elapsed \gset
\echo :el reconciliations
-- A QSR per elapsed quarter of the current term for enrolled subscriptions.
INSERT INTO reconciliations (zuora_subscription_id, subscription_name, customer_name, status, reconcile_on,
                             done_at, skip_reason, user_count, invoiced_amount, error_message,
                             salesforce_opportunity_id, created_at, updated_at)
SELECT s.id, s.name, b.zuora_account_name, x.status, x.rec_on,
       CASE WHEN x.status IN ('processed', 'failed') THEN (x.rec_on + 7)::timestamptz + interval '1 hour'
            WHEN x.status = 'skipped' THEN x.rec_on::timestamptz + interval '20 minutes' END,
       CASE WHEN x.status = 'skipped' THEN x.skip END,
       CASE WHEN x.status = 'processed' THEN s.seats + x.overage END,
       CASE WHEN x.status = 'processed'
            THEN round((x.overage * CASE WHEN s.gitlab_plan = 'ultimate' THEN 1188 ELSE 348 END
                        * (s.term_end_date - x.rec_on) / 365.0)::numeric, 2) END,
       CASE WHEN x.status = 'failed' THEN x.error
            WHEN x.status = 'skipped' AND x.skip = 'max_additional_seats_exceeded'
            THEN 'MaxAdditionalSeatsExceededError: EOA subscription cannot be reconciled for more than 25 additional seats (requested '
                 || (26 + x.overage) || ')' END,
       CASE WHEN x.status IN ('processed', 'failed', 'pending')
            THEN '0064M' || upper(substr(md5('seed:opportunity:' || s.id || ':' || q), 1, 10)) || 'QAF' END,
       least(now(), x.rec_on::timestamptz), least(now(), x.rec_on::timestamptz)
  FROM zuora_subscriptions s
  JOIN billing_accounts b ON b.id = s.billing_account_id
 CROSS JOIN generate_series(1, 4) AS q
 CROSS JOIN LATERAL (
        SELECT s.term_start_date + 91 * q AS rec_on,
               1 + (pg_temp.h(s.id * 4 + q, 131) % greatest(1, s.seats / 5))::int AS overage,
               pg_temp.h(s.id * 4 + q, 132) % 100 AS r,
               pg_temp.pick(ARRAY['no_overage','no_overage','no_overage','no_overage','no_overage','no_overage',
                                  'reconciliations_disabled','reconciliations_disabled','max_additional_seats_exceeded'],
                            s.id * 4 + q, 133) AS skip,
               pg_temp.pick(ARRAY[
                   'Zuora::PaymentError: Transaction declined. 402 - [card_declined] Your card was declined.',
                   'Zuora::PaymentError: Transaction declined. 402 - [insufficient_funds] Your card has insufficient funds.',
                   'Zuora::PaymentError: Transaction declined. 402 - [invalid_expiry_year] Your card''s expiration year is invalid.',
                   'Failed to amend subscription: amount does not match latest preview',
                   'multiple_rate_plans',
                   'No payment method on file'], s.id * 4 + q, 134) AS error) y
 CROSS JOIN LATERAL (
        SELECT y.rec_on, y.overage, y.skip, y.error,
               CASE WHEN y.rec_on > CURRENT_DATE - 7 THEN 'pending'
                    WHEN y.r < 55 THEN 'processed'
                    WHEN y.r < 90 THEN 'skipped'
                    ELSE 'failed' END AS status) x
 WHERE s.id > :s0 AND s.turn_on_seat_reconciliation
   AND s.term_start_date + 91 * q <= least(CURRENT_DATE + 7, s.term_end_date);

EXECUTE seed_elapsed \gset
\echo :el temporary extensions
-- 1.5% of subscriptions whose term ended (or ends within 15 days) had one.
INSERT INTO temporary_extensions (zuora_subscription_id, salesforce_opportunity_id, reason, notes, users,
                                  renewal_term_start, starts_on, ends_on, created_by, license_id,
                                  created_at, updated_at)
SELECT s.id, '0064M' || upper(substr(md5('seed:extension:' || s.id), 1, 10)) || 'QAF',
       pg_temp.pick(ARRAY['Procurement delay','Budget approval pending','Legal review of renewal terms',
                          'Reseller order in progress','Customer requested more time'], s.id, 141),
       CASE WHEN pg_temp.h(s.id, 142) % 100 < 30 THEN 'Renewal expected within 2 weeks' END,
       CASE WHEN s.deployment_type = 'sm' THEN s.seats END,
       s.term_end_date, s.term_end_date, s.term_end_date + 21,
       CASE WHEN pg_temp.h(s.id, 143) % 100 < 92 THEN 'sfdc'
            ELSE 'admin:' || pg_temp.ascii(pg_temp.first_name(s.id)) || '@gitlab.com' END,
       NULL,
       least(now(), (s.term_end_date - (pg_temp.h(s.id, 144) % 15)::int)::timestamptz),
       least(now(), (s.term_end_date - (pg_temp.h(s.id, 144) % 15)::int)::timestamptz)
  FROM zuora_subscriptions s
 WHERE s.id > :s0
   AND s.term_end_date BETWEEN CURRENT_DATE - 400 AND CURRENT_DATE + 15
   AND pg_temp.h(s.id, 140) % 1000 < 15;

-- Identity sequences continue after the explicit ids.
SELECT setval(pg_get_serial_sequence('customers', 'id'), (SELECT max(id) FROM customers)) AS c,
       setval(pg_get_serial_sequence('billing_accounts', 'id'), (SELECT max(id) FROM billing_accounts)) AS a,
       setval(pg_get_serial_sequence('billing_account_contacts', 'id'), (SELECT max(id) FROM billing_account_contacts)) AS k,
       setval(pg_get_serial_sequence('zuora_subscriptions', 'id'), (SELECT max(id) FROM zuora_subscriptions)) AS s
\gset

-- The triggers are off: the seat links' search texts (migration 023) are
-- added here, once each.
INSERT INTO license_seat_link_texts (search_text)
SELECT DISTINCT search_text FROM license_seat_links
ON CONFLICT DO NOTHING;

EXECUTE seed_elapsed \gset
\echo :el rebuilding indexes

DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT def FROM seed_indexes ORDER BY name LOOP
        EXECUTE r.def;
    END LOOP;
END
$$;

EXECUTE seed_elapsed \gset
\echo :el committing

COMMIT;
SQL

echo "  vacuum analyze (after commit)"
"${psql_cmd[@]}" <<'SQL'
VACUUM (ANALYZE) customers, billing_accounts, billing_account_contacts, billing_account_memberships,
    zuora_subscriptions, invoices, payment_methods, namespaces, trials, licenses, license_seat_links,
    orders, reconciliations, temporary_extensions;
SQL

elapsed=$(( $(date +%s) - started ))

"${psql_cmd[@]}" <<'SQL'
\pset footer off
SELECT t AS "table", to_char(n, 'FM999,999,999,999') AS "rows"
  FROM (VALUES
    ('customers',                   (SELECT count(*) FROM customers)),
    ('billing_accounts',            (SELECT count(*) FROM billing_accounts)),
    ('billing_account_contacts',    (SELECT count(*) FROM billing_account_contacts)),
    ('billing_account_memberships', (SELECT count(*) FROM billing_account_memberships)),
    ('zuora_subscriptions',         (SELECT count(*) FROM zuora_subscriptions)),
    ('invoices',                    (SELECT count(*) FROM invoices)),
    ('payment_methods',             (SELECT count(*) FROM payment_methods)),
    ('namespaces',                  (SELECT count(*) FROM namespaces)),
    ('trials',                      (SELECT count(*) FROM trials)),
    ('licenses',                    (SELECT count(*) FROM licenses)),
    ('license_seat_links',          (SELECT count(*) FROM license_seat_links)),
    ('orders',                      (SELECT count(*) FROM orders)),
    ('reconciliations',             (SELECT count(*) FROM reconciliations)),
    ('temporary_extensions',        (SELECT count(*) FROM temporary_extensions)),
    ('one_time_sign_in_tokens',     (SELECT count(*) FROM one_time_sign_in_tokens)),
    ('impersonation_grants',        (SELECT count(*) FROM impersonation_grants)),
    ('outbox',                      (SELECT count(*) FROM outbox)),
    ('versions',                    (SELECT count(*) FROM versions))
  ) AS c (t, n);
SQL

size=$("${psql_cmd[@]}" -At -c "SELECT pg_size_pretty(pg_database_size(current_database()))")
printf 'seed_scale: added %s customers in %dm%02ds; database size %s\n' \
    "$n" $((elapsed / 60)) $((elapsed % 60)) "$size"
