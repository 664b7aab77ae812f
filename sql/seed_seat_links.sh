#!/usr/bin/env bash
# sql/seed_seat_links.sh - license seat links at the scale they reach.
#
# Usage:
#   sql/seed_seat_links.sh N       # until license_seat_links holds N rows
#
# A self-managed instance on cloud licensing syncs once a day, so seat links
# grow by one row per instance per day: tens of millions within a few
# years.  This adds earlier daily syncs to the instances sql/seed_scale.sh
# made (run it first), each instance keeping its hostname, company and
# version, with its billable users drifting a little from day to day, until
# the table holds N rows.  Nothing is added when it already does.
#
# Connection and privileges as sql/seed_scale.sh: DATABASE_URL or the libpq
# environment, a superuser (triggers and foreign-key checks are off for the
# bulk load).  One transaction; the table's secondary indexes are dropped
# for the load and rebuilt, then it is vacuumed and analyzed.

set -euo pipefail

n=${1:-}
if [[ ! $n =~ ^[1-9][0-9]{0,9}$ ]]; then
	echo "usage: $0 N   (N = seat links the table should hold)" >&2
	exit 2
fi

psql_cmd=(psql -X -q -v ON_ERROR_STOP=1)
if [[ -n ${DATABASE_URL:-} ]]; then
	psql_cmd+=(-d "$DATABASE_URL")
fi

have=$("${psql_cmd[@]}" -At -c "SELECT count(*) FROM license_seat_links")
if (( have >= n )); then
	echo "seed_seat_links: $have seat links already (asked for $n)"
	exit 0
fi
started=$(date +%s)
echo "seed_seat_links: adding $((n - have)) seat links to the $have there..."

"${psql_cmd[@]}" -v need="$((n - have))" -f - <<'SQL'
SET client_min_messages = warning;
BEGIN;
SELECT pg_advisory_xact_lock(hashtextextended('cdot:seed_scale', 0)) AS locked \gset
SET LOCAL session_replication_role = replica;
SET LOCAL maintenance_work_mem = '1GB';
SET LOCAL work_mem = '256MB';
SET LOCAL synchronous_commit = off;

-- Each instance once, as of its earliest sync.
CREATE TEMP TABLE seed_instances ON COMMIT DROP AS
SELECT DISTINCT ON (zuora_subscription_id) *
  FROM license_seat_links
 ORDER BY zuora_subscription_id, synced_at;

SELECT count(*) AS instances,
       (:need + count(*) - 1) / greatest(count(*), 1) AS days
  FROM seed_instances \gset
\echo   :instances instances, up to :days earlier days each

DO $$
BEGIN
    IF (SELECT count(*) FROM seed_instances) = 0 THEN
        RAISE EXCEPTION 'seed_seat_links: no seat links to start from; run sql/seed_scale.sh first';
    END IF;
END
$$;

CREATE TEMP TABLE seed_indexes ON COMMIT DROP AS
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
  FROM pg_index i
 WHERE i.indrelid = 'license_seat_links'::regclass
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

\echo   inserting
-- Day d before an instance's earliest sync; the count drifts by the day.
INSERT INTO license_seat_links (zuora_subscription_id, subscription_name, hostname, company,
                                license_user_count, billable_user_count, max_historical_user_count,
                                gitlab_version, synced_at, created_at, updated_at)
SELECT l.zuora_subscription_id, l.subscription_name, l.hostname, l.company,
       l.license_user_count,
       greatest(0, l.billable_user_count - ((d * 7 + l.zuora_subscription_id) % 11)::int),
       l.max_historical_user_count, l.gitlab_version,
       l.synced_at - make_interval(days => d),
       l.synced_at - make_interval(days => d),
       l.synced_at - make_interval(days => d)
  FROM generate_series(1, :days) AS d
 CROSS JOIN seed_instances l
 LIMIT :need;

-- The triggers are off: the search texts (migration 023) of the instances
-- copied, should one be missing.
INSERT INTO license_seat_link_texts (search_text)
SELECT DISTINCT search_text FROM seed_instances
ON CONFLICT DO NOTHING;

\echo   rebuilding indexes
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT def FROM seed_indexes ORDER BY name LOOP
        EXECUTE r.def;
    END LOOP;
END
$$;

COMMIT;
SQL

echo "  vacuum analyze (after commit)"
"${psql_cmd[@]}" -c "VACUUM (ANALYZE) license_seat_links"

elapsed=$(( $(date +%s) - started ))
rows=$("${psql_cmd[@]}" -At -c "SELECT to_char(count(*), 'FM999,999,999,999') FROM license_seat_links")
size=$("${psql_cmd[@]}" -At -c "SELECT pg_size_pretty(pg_total_relation_size('license_seat_links'))")
printf 'seed_seat_links: %s seat links (%s with indexes) in %dm%02ds\n' \
    "$rows" "$size" $((elapsed / 60)) $((elapsed % 60))
