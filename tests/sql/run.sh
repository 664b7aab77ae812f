#!/usr/bin/env bash
# tests/sql/run.sh - tests of the data layer: migration runner, schema
# constraints, history triggers, demo data and the scale generator.
#
# Usage:
#   PGHOST=... PGPORT=... PGUSER=... tests/sql/run.sh
#
# Needs a running throwaway PostgreSQL 15 reached through the libpq
# environment, and a role that may create databases and is superuser (the
# scale generator turns triggers off for its bulk load). It creates its own
# databases (cdot_sqltest_<pid>_*) and drops them at the end; PGDATABASE and
# DATABASE_URL are ignored. A throwaway cluster, for instance:
#   D=$(mktemp -d); chown postgres "$D"
#   runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D "$D/data" -A trust -U postgres
#   runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$D/data" -l "$D/log" \
#       -o "-p 55432 -k $D -c listen_addresses=''" start
#   PGHOST=$D PGPORT=55432 PGUSER=postgres tests/sql/run.sh
#
# Prints one line per test, "ok - <name>" or "not ok - <name>" (details on
# "#" lines after it), and ends with "N passed, M failed"; exits 1 when a
# test failed.

set -uo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
sql=$root/sql
unset DATABASE_URL PGDATABASE MIGRATIONS_DIR

passed=0
failed=0
tmp=$(mktemp -d)
dbs=()

pass() {
	echo "ok - $1"
	passed=$((passed + 1))
}

fail() {
	echo "not ok - $1"
	local line
	if [[ -n ${2:-} ]]; then
		while IFS= read -r line; do
			echo "#   $line"
		done <<<"$2"
	fi
	failed=$((failed + 1))
}

# verdict NAME DETAIL STATUS: pass when STATUS (a command's $?) is 0.
verdict() {
	if [[ $3 -eq 0 ]]; then
		pass "$1"
	else
		fail "$1" "$2"
	fi
}

# check NAME DETAIL COMMAND...: pass when COMMAND succeeds.
check() {
	local name=$1 detail=$2
	shift 2
	if "$@"; then
		pass "$name"
	else
		fail "$name" "$detail"
	fi
}

cleanup() {
	local d
	for d in "${dbs[@]}"; do
		dropdb --if-exists "$d" >/dev/null 2>&1
	done
	rm -rf "$tmp"
}

finish() {
	cleanup
	echo "$passed passed, $failed failed"
	if [[ $failed -gt 0 ]]; then
		exit 1
	fi
	exit 0
}

newdb() {
	local d="cdot_sqltest_$$_$1"
	dropdb --if-exists "$d" >/dev/null 2>&1
	if ! createdb "$d"; then
		fail "create database $d"
		finish
	fi
	dbs+=("$d")
}
dbname() { echo "cdot_sqltest_$$_$1"; }

# q DB ARGS...: psql on DB, stopping at the first error.
q() {
	local d=$1
	shift
	psql -X -q -v ON_ERROR_STOP=1 -d "$d" "$@"
}
# val DB SQL: one value.
val() { q "$1" -At -c "$2"; }

# Row count of every table, as one string (to compare before/after).
counts_sql="SELECT string_agg(table_name || '=' || (xpath('/row/c/text()',
    query_to_xml(format('SELECT count(*) AS c FROM %I', table_name), false, true, '')))[1]::text, ' '
    ORDER BY table_name)
  FROM information_schema.tables
 WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"

# Run a SQL test file: its "ok"/"not ok" lines count; an error stops it and fails.
run_sql_tests() {
	local d=$1 f=$2 out rc line
	out=$(q "$d" -At -f "$f" 2>"$tmp/sqlerr")
	rc=$?
	while IFS= read -r line; do
		case $line in
		"ok - "*) echo "$line"; passed=$((passed + 1)) ;;
		"not ok - "*) echo "$line"; failed=$((failed + 1)) ;;
		esac
	done <<<"$out"
	if [[ $rc -ne 0 ]]; then
		fail "${f#"$root"/} ran to the end" "$(cat "$tmp/sqlerr")"
	fi
}

trap cleanup EXIT

if ! psql -X -q -d template1 -c 'SELECT 1' >/dev/null 2>"$tmp/err"; then
	fail "PostgreSQL reachable through PGHOST/PGPORT/PGUSER" "$(cat "$tmp/err")"
	finish
fi

# ---------------------------------------------------------------------------
# Migration runner
# ---------------------------------------------------------------------------
migrations=("$sql"/migrations/*.sql)
nfiles=${#migrations[@]}

newdb mig
mig=$(dbname mig)
out=$(PGDATABASE=$mig "$sql/migrate.sh" 2>"$tmp/err"); rc=$?
want=$(for f in "${migrations[@]}"; do echo "applied ${f##*/}"; done)
check "migrate: a fresh database gets all $nfiles migrations, one line each" \
    "rc=$rc; stdout: $out; stderr: $(cat "$tmp/err")" \
    test "$rc" -eq 0 -a "$out" = "$want"
check "migrate: schema_migrations records each file with its sha256" "" \
    test "$(val "$mig" "SELECT string_agg(version || ' ' || sha256, E'\n' ORDER BY version) FROM schema_migrations")" \
    = "$(cd "$sql/migrations" && sha256sum -- *.sql | awk '{ sub(/\.sql$/, "", $2); print $2 " " $1 }')"

out=$(PGDATABASE=$mig "$sql/migrate.sh" 2>"$tmp/err"); rc=$?
check "migrate: a second run applies nothing" "rc=$rc; stdout: $out; stderr: $(cat "$tmp/err")" \
    test "$rc" -eq 0 -a -z "$out"

url="postgresql://${PGUSER:-$(id -un)}@/$mig?host=${PGHOST:-/var/run/postgresql}&port=${PGPORT:-5432}"
out=$(DATABASE_URL=$url "$sql/migrate.sh" 2>"$tmp/err"); rc=$?
check "migrate: connects with DATABASE_URL" "rc=$rc; stdout: $out; stderr: $(cat "$tmp/err")" \
    test "$rc" -eq 0 -a -z "$out"

# An applied file that changed.
mkdir "$tmp/changed"
cp "$sql"/migrations/*.sql "$tmp/changed/"
echo "-- an innocent-looking edit" >>"$tmp/changed/003_customers.sql"
out=$(MIGRATIONS_DIR=$tmp/changed PGDATABASE=$mig "$sql/migrate.sh" 2>"$tmp/err"); rc=$?
[[ $rc -ne 0 ]] && grep -q "003_customers.sql was changed" "$tmp/err"
verdict "migrate: refuses when an applied file changed, naming it" "rc=$rc; stderr: $(cat "$tmp/err")" $?

# An applied file that is missing.
mkdir "$tmp/missing"
cp "$sql"/migrations/*.sql "$tmp/missing/"
rm "$tmp/missing/009_search_indexes.sql"
out=$(MIGRATIONS_DIR=$tmp/missing PGDATABASE=$mig "$sql/migrate.sh" 2>"$tmp/err"); rc=$?
[[ $rc -ne 0 ]] && grep -q "009_search_indexes.sql was applied but the file is missing" "$tmp/err"
verdict "migrate: refuses when an applied file is missing, naming it" "rc=$rc; stderr: $(cat "$tmp/err")" $?

# A failing migration leaves nothing behind; the good one before it stays.
mkdir "$tmp/failing"
cp "$sql"/migrations/*.sql "$tmp/failing/"
echo "CREATE TABLE t_ok (id int);" >"$tmp/failing/900_ok.sql"
cat >"$tmp/failing/901_fail.sql" <<'EOF'
CREATE TABLE t_fail (id int);
INSERT INTO t_fail VALUES (1);
SELECT 1 / 0;
EOF
echo "not a migration" >"$tmp/failing/notes.txt"
out=$(MIGRATIONS_DIR=$tmp/failing PGDATABASE=$mig "$sql/migrate.sh" 2>"$tmp/err"); rc=$?
[[ $rc -ne 0 ]] && grep -q "901_fail.sql" "$tmp/err"
verdict "migrate: a failing migration stops the runner with an error naming it" "rc=$rc; stderr: $(cat "$tmp/err")" $?
check "migrate: the migration before the failing one is applied" "stdout: $out" \
    test "$out" = "applied 900_ok.sql" -a "$(val "$mig" "SELECT to_regclass('t_ok') IS NOT NULL")" = t
check "migrate: a failing migration leaves nothing behind" "" \
    test "$(val "$mig" "SELECT to_regclass('t_fail') IS NULL AND NOT EXISTS (SELECT 1 FROM schema_migrations WHERE version = '901_fail')")" = t
echo "CREATE TABLE t_fail (id int);" >"$tmp/failing/901_fail.sql"
out=$(MIGRATIONS_DIR=$tmp/failing PGDATABASE=$mig "$sql/migrate.sh" 2>"$tmp/err"); rc=$?
check "migrate: once fixed, only the failed migration is applied" "rc=$rc; stdout: $out; stderr: $(cat "$tmp/err")" \
    test "$rc" -eq 0 -a "$out" = "applied 901_fail.sql"

# Two runners at once: the advisory lock makes the second wait, then it has
# nothing left to do.
newdb race
race=$(dbname race)
for i in 1 2; do
	(PGDATABASE=$race "$sql/migrate.sh" >"$tmp/race$i.out" 2>"$tmp/race$i.err"; echo $? >"$tmp/race$i.rc") &
done
wait
applied=$(cat "$tmp/race1.out" "$tmp/race2.out" | grep -c '^applied ')
check "migrate: two runners at once apply each migration exactly once" \
    "rc=$(cat "$tmp/race1.rc")/$(cat "$tmp/race2.rc"); applied=$applied; $(cat "$tmp/race1.err" "$tmp/race2.err")" \
    test "$(cat "$tmp/race1.rc")$(cat "$tmp/race2.rc")" = 00 -a "$applied" -eq "$nfiles" \
         -a "$(val "$race" "SELECT count(*) FROM schema_migrations")" -eq "$nfiles"

# ---------------------------------------------------------------------------
# Demo data, loaded twice
# ---------------------------------------------------------------------------
newdb main
db=$(dbname main)
PGDATABASE=$db "$sql/migrate.sh" >/dev/null 2>"$tmp/err" || fail "migrate the test database" "$(cat "$tmp/err")"
q "$db" -f "$here/helpers.sql" >/dev/null 2>"$tmp/err" || fail "load tests/sql/helpers.sql" "$(cat "$tmp/err")"

out=$(q "$db" -f "$sql/demo.sql" 2>&1); rc=$?
check "demo: sql/demo.sql loads" "$out" test "$rc" -eq 0
first=$(val "$db" "$counts_sql")
out=$(q "$db" -f "$sql/demo.sql" 2>&1); rc=$?
second=$(val "$db" "$counts_sql")
check "demo: loading it a second time succeeds and changes nothing" "rc=$rc; $out
before: $first
after:  $second" test "$rc" -eq 0 -a "$first" = "$second"

# ---------------------------------------------------------------------------
# SQL test files
# ---------------------------------------------------------------------------
for f in "$here"/test_*.sql; do
	run_sql_tests "$db" "$f"
done

# ---------------------------------------------------------------------------
# Scale generator, small N, twice (adds on top)
# ---------------------------------------------------------------------------
indexes_sql="SELECT string_agg(indexrelid::regclass::text || ' ' || indisvalid, ',' ORDER BY indexrelid::regclass::text)
               FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
              WHERE c.relnamespace = 'public'::regnamespace"
indexes_before=$(val "$db" "$indexes_sql")
customers_before=$(val "$db" "SELECT count(*) FROM customers")
versions_before=$(val "$db" "SELECT count(*) FROM versions")
for run in 1 2; do
	out=$(PGDATABASE=$db "$sql/seed_scale.sh" 2000 2>&1); rc=$?
	[[ $rc -eq 0 ]] && grep -q "license_seat_links" <<<"$out" &&
	    grep -Eq "^seed_scale: added 2000 customers in [0-9]+m[0-9]{2}s; database size [0-9]+ [kMG]?B" <<<"$out"
	verdict "seed_scale: run $run adds 2000 customers and reports counts, time and size" "rc=$rc; $out" $?
	check "seed_scale: run $run: customers grew by 2000" "" \
	    test "$(val "$db" "SELECT count(*) FROM customers")" -eq $((customers_before + 2000 * run))
done
run_sql_tests "$db" "$here/fk_check.sql"
check "seed_scale: every index is back, and valid" "before: $indexes_before
after:  $(val "$db" "$indexes_sql")" test "$indexes_before" = "$(val "$db" "$indexes_sql")"
check "seed_scale: every billing account has a Bill_To and a Sold_To" "" \
    test "$(val "$db" "SELECT count(*) FROM billing_accounts WHERE bill_to_contact_id IS NULL OR sold_to_contact_id IS NULL")" -eq 0
check "seed_scale: every table got rows" "$(val "$db" "$counts_sql")" \
    test "$(val "$db" "SELECT count(*) FROM (VALUES
            ((SELECT count(*) FROM billing_account_memberships)), ((SELECT count(*) FROM invoices)),
            ((SELECT count(*) FROM payment_methods)), ((SELECT count(*) FROM namespaces)),
            ((SELECT count(*) FROM trials)), ((SELECT count(*) FROM licenses)),
            ((SELECT count(*) FROM license_seat_links)), ((SELECT count(*) FROM orders)),
            ((SELECT count(*) FROM reconciliations)), ((SELECT count(*) FROM temporary_extensions))) v (n)
          WHERE n = 0")" -eq 0
check "seed_scale: bulk rows carry no history (triggers were off)" "" \
    test "$(val "$db" "SELECT count(*) FROM versions")" -eq "$versions_before"
# The triggers that keep the seat links' search texts are off during the
# bulk loads: the scripts add the texts themselves (migration 023).
texts_missing_sql="SELECT count(*) FROM license_seat_links l
    WHERE NOT EXISTS (SELECT 1 FROM license_seat_link_texts x WHERE x.search_text = l.search_text)"
check "seed_scale: every seat link's search text is in license_seat_link_texts" "" \
    test "$(val "$db" "$texts_missing_sql")" -eq 0
links=$(val "$db" "SELECT count(*) FROM license_seat_links")
out=$(PGDATABASE=$db "$sql/seed_seat_links.sh" $((links + 500)) 2>&1); rc=$?
check "seed_seat_links: adds earlier syncs up to the count asked for" "rc=$rc; $out" \
    test "$rc" -eq 0 -a "$(val "$db" "SELECT count(*) FROM license_seat_links")" -eq $((links + 500))
check "seed_seat_links: every seat link's search text is in license_seat_link_texts" "" \
    test "$(val "$db" "$texts_missing_sql")" -eq 0
out=$(q "$db" -At -c "BEGIN; INSERT INTO customers (first_name, last_name, email)
                      VALUES ('After', 'Seed', 'after.seed@example.com') RETURNING id > (SELECT max(id) - 1 FROM customers);
                      ROLLBACK;" 2>&1); rc=$?
check "seed_scale: identity sequences continue after the generated ids" "$out" \
    test "$rc" -eq 0 -a "$out" = t
out=$(q "$db" -At -c "UPDATE customers SET company = 'Edited after seed'
                       WHERE id = (SELECT max(id) FROM customers) RETURNING lock_version" 2>&1); rc=$?
check "seed_scale: triggers are back on afterwards (an update bumps lock_version, writes history)" "$out" \
    test "$rc" -eq 0 -a "$(val "$db" "SELECT count(*) FROM versions")" -eq $((versions_before + 1))

# The demo loads into an already seeded database too (no clashing keys).
newdb seeded
seeded=$(dbname seeded)
out=$( { PGDATABASE=$seeded "$sql/migrate.sh" && PGDATABASE=$seeded "$sql/seed_scale.sh" 1000 &&
         q "$seeded" -f "$sql/demo.sql"; } 2>&1); rc=$?
[[ $rc -eq 0 ]] && grep -q "demo data loaded" <<<"$out"
verdict "demo: loads into a database seeded by seed_scale.sh" "$out" $?

finish
