#!/usr/bin/env bash
# `make bench`: drive the running app over HTTP with wrk on production-scale
# data and print requests per second and p50 / p99 latency per page at 1, 8
# and 32 connections, and the app's own time per request (its JSON log's
# duration less database time).
#
# Uses its own PostgreSQL cluster in var/bench (kept between runs: seeding
# 1,000,000 customers takes minutes), the development OpenID Provider and
# the optimised build of the app.  SCALE (default 1000000) sets the size,
# SEAT_LINKS (default 20000000) the license seat links;
# DURATION (default 10s) the time per measurement: at 5 s a p99 is the
# 17th slowest of some 1,700 requests, and one stall moves it.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

SCALE=${SCALE:-1000000}
# License seat links grow by one row per instance per day: the bench has
# them at the tens of millions they reach (sql/seed_seat_links.sh).
SEAT_LINKS=${SEAT_LINKS:-20000000}
DURATION=${DURATION:-10s}
work="$root/var/bench"
mkdir -p "$work"

. tests/lib/sh.sh

app_pid= oidc_pid= huge_pages_before=
huge_pages=/proc/sys/vm/nr_hugepages
cleanup() {
	[ -z "$app_pid" ] || kill "$app_pid" 2>/dev/null || true
	[ -z "$oidc_pid" ] || kill "$oidc_pid" 2>/dev/null || true
	[ -z "$app_pid" ] || wait "$app_pid" 2>/dev/null || true
	[ -z "$oidc_pid" ] || wait "$oidc_pid" 2>/dev/null || true
	conf/dev/pg.sh stop "$work/pg" || true
	[ -z "$huge_pages_before" ] ||
	    echo "$huge_pages_before" >"$huge_pages" 2>/dev/null || true
}
trap cleanup EXIT

export PGHOST=127.0.0.1 PGUSER=cdot
PGPORT=${BENCH_PG_PORT:-5434}; export PGPORT
# Sized as a database server would be: a quarter of the memory for
# PostgreSQL's buffers, the rest left to the system's cache.
mem_mb=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
buffers_mb=$((mem_mb / 4))
# A server with this much shared memory keeps it in huge pages (PostgreSQL
# uses them when it can): a page visit then misses the processor's address
# cache far less often.  As root, reserve them for the run (PostgreSQL's
# other shared memory is a few percent more) and give the setting back
# at the end; elsewhere PostgreSQL runs on ordinary pages.
huge_kb=$(awk '/^Hugepagesize:/ {print $2}' /proc/meminfo)
if [ -w "$huge_pages" ] && [ -n "$huge_kb" ]; then
	huge_pages_before=$(cat "$huge_pages")
	echo $((huge_pages_before + buffers_mb * 1024 * 105 / 100 / huge_kb)) \
	    >"$huge_pages" 2>/dev/null || true
fi
PG_SERVER_OPTS="-c shared_buffers=${buffers_mb}MB -c effective_cache_size=$((mem_mb * 3 / 4))MB" \
    conf/dev/pg.sh start "$work/pg" "$PGPORT"
if awk '/^HugePages_(Total|Rsvd):/ {n += $2} /^HugePages_Free:/ {n -= $2}
    END {exit !(n > 0)}' /proc/meminfo; then
	huge_note="PostgreSQL's shared memory in huge pages"
else
	huge_note="PostgreSQL's shared memory in ordinary pages"
fi
if ! psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'cdot_bench'" | grep -q 1; then
	createdb cdot_bench
fi
export PGDATABASE=cdot_bench
sql/migrate.sh
have=$(psql -tAc "SELECT count(*) FROM customers")
if [ "$have" -lt "$SCALE" ]; then
	echo "seeding $SCALE customers (once; kept in var/bench)"
	sql/seed_scale.sh "$SCALE"
fi
sql/seed_seat_links.sh "$SEAT_LINKS"
psql -q -f sql/demo.sql >/dev/null
psql -q -c "ANALYZE" >/dev/null
# A server in use has its tables in memory: read them in before measuring,
# so that the first pages measured do not pay for disk reads.
echo "reading the tables into PostgreSQL's buffers"
psql -q -c "SET client_min_messages = warning" \
    -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" >/dev/null
psql -tAc "SELECT pg_size_pretty(sum(pg_prewarm(c.oid::regclass)) * 8192)
    || ' read' FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace
    AND c.relkind IN ('r', 'i')"

APP_PORT=$(free_port)
OIDC_PORT=$(free_port)
export APP_URL="http://127.0.0.1:$APP_PORT"
export CDOT_DATABASE_URL="postgresql://cdot@127.0.0.1:$PGPORT/cdot_bench"
export CDOT_BASE_URL="$APP_URL"
export CDOT_OIDC_ISSUER="http://127.0.0.1:$OIDC_PORT"
OIDC_PORT=$OIDC_PORT OIDC_REDIRECT_URIS="$APP_URL/auth/callback" \
    node conf/oidc/provider.js >"$work/oidc.log" 2>&1 &
oidc_pid=$!
# The app reads the provider's metadata at start: wait until it listens.
wait_until "$oidc_pid" grep -qs "listening on" "$work/oidc.log"
conf/dev/kore-conf.sh "$work/kore.conf" "$APP_PORT" "$root/build/app.so" \
    "$work/kore.pid"
kore -c "$work/kore.conf" -f -n -r >"$work/app.log" 2>&1 &
app_pid=$!
wait_until "$app_pid" curl -fso /dev/null "$APP_URL/healthz"
sleep 0.5
cookie=$(node tests/bench/cookie.mjs readonly@example.com)

# A customer, a billing-account domain, a full name and a hostname that
# exist in the data, so that every page does real work.
cust=$(psql -tAc "SELECT id FROM customers ORDER BY id LIMIT 1 OFFSET 5000")
domain=$(psql -tAc "SELECT split_part(email, '@', 2) FROM customers WHERE id = $cust")
name=$(psql -tAc "SELECT first_name || ' ' || last_name FROM customers WHERE id = $cust")
host=$(psql -tAc "SELECT hostname FROM license_seat_links ORDER BY id LIMIT 1 OFFSET 1000")
enc() { node -e 'console.log(encodeURIComponent(process.argv[1]))' "$1"; }
# Keys for the global search (/admin/search): pasted as staff paste them.
email=$(psql -tAc "SELECT email FROM customers WHERE id = $cust")
subname=$(psql -tAc "SELECT name FROM zuora_subscriptions ORDER BY id LIMIT 1 OFFSET 1000")
zaccount=$(psql -tAc "SELECT zuora_account_id FROM billing_accounts ORDER BY id LIMIT 1 OFFSET 1000")
company=$(psql -tAc "SELECT company FROM billing_accounts ORDER BY id LIMIT 1 OFFSET 1000")

pages=(
	"dashboard|/admin"
	"customers list|/admin/customers"
	"search by email domain|/admin/customers?query=$(enc "${domain%%.*}")"
	"search by full name|/admin/customers?query=$(enc "$name")"
	"QSR errors filter|/admin/reconciliations?f%5Berror_message%5D%5B1%5D%5Bo%5D=like&f%5Berror_message%5D%5B1%5D%5Bv%5D=MaxAdditionalSeatsExceededError"
	"customer show|/admin/customers/$cust"
	"customer history|/admin/customers/$cust/history"
	"seat links by hostname|/admin/license_seat_links?query=$(enc "$host")"
	"global search: e-mail|/admin/search?query=$(enc "$email")"
	"global search: domain|/admin/search?query=$(enc "$domain")"
	"global search: A-S name|/admin/search?query=$(enc "$subname")"
	"global search: Zuora ID|/admin/search?query=$(enc "$zaccount")"
	"global search: hostname|/admin/search?query=$(enc "$host")"
	"global search: company|/admin/search?query=$(enc "$company")"
	"seat links by part of one|/admin/license_seat_links?query=$(enc "${host%.*}")"
)

echo
echo "CustomersDot Admin benchmark, $(date -u +%Y-%m-%d), $(nproc) cores, $SCALE customers"
psql -tAc "SELECT 'database: ' || pg_size_pretty(pg_database_size(current_database()))"
echo "$huge_note"
printf '%-26s %5s %10s %9s %9s\n' page conns req/s p50 p99
# On a virtual machine the host may run other guests on these cores: the
# share of time taken from this one ("steal") says how far to trust a p99.
cpu_before=$(grep '^cpu ' /proc/stat)
for entry in "${pages[@]}"; do
	label=${entry%%|*}
	path=${entry#*|}
	status=$(curl -s -o /dev/null -w '%{http_code}' -H "cookie: $cookie" "$APP_URL$path")
	# The global search sends a browser straight to a single match.
	if [ "$status" != 200 ] && { [ "$status" != 303 ] ||
	    [ "${path#/admin/search?}" = "$path" ]; }; then
		echo "$label: $path answered $status" >&2
		exit 1
	fi
	for c in 1 8 32; do
		out=$(wrk -t "$(( c < 2 ? 1 : 2 ))" -c "$c" -d "$DURATION" --latency \
		    -H "cookie: $cookie" "$APP_URL$path")
		rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
		p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
		p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
		printf '%-26s %5s %10s %9s %9s\n' "$label" "$c" "$rps" "$p50" "$p99"
	done
done

# The full CSV export of the customers against psql's \copy of the same
# query: the export's cursor statement, taken from the server's log of one
# export (logged for the connections opened meanwhile only).
echo
psql -qc "ALTER ROLE cdot SET log_statement = 'all'"
curl -sf -o /dev/null -H "cookie: $cookie" "$APP_URL/admin/customers/export.csv"
psql -qc "ALTER ROLE cdot RESET log_statement"
pglog="$work/pg/server.log"
[ ! -L "$work/pg/data" ] || pglog="$(readlink "$work/pg/data")/server.log"
export_sql=$(grep -a 'DECLARE export NO SCROLL CURSOR FOR ' "$pglog" | tail -n 1 |
    sed 's/.*DECLARE export NO SCROLL CURSOR FOR //')
rss() { ps -o rss= --ppid "$app_pid" | awk '{n += $1} END {print int(n / 1024)}'; }
echo "full CSV export of $SCALE customers (seconds, best of 3):"
best_app= best_psql= bytes=
rss_before=$(rss)
for i in 1 2 3; do
	out=$(curl -sf -o /dev/null -w '%{time_total} %{size_download}' \
	    -H "cookie: $cookie" "$APP_URL/admin/customers/export.csv")
	t=${out% *}; bytes=${out#* }
	best_app=$(echo "$t ${best_app:-$t}" | awk '{print ($1 < $2 ? $1 : $2)}')
	start=$(date +%s.%N)
	psql -Xqc "\\copy ($export_sql) TO '/dev/null' WITH (FORMAT csv, FORCE_QUOTE *)"
	t=$(echo "$start $(date +%s.%N)" | awk '{printf "%.3f", $2 - $1}')
	best_psql=$(echo "$t ${best_psql:-$t}" | awk '{print ($1 < $2 ? $1 : $2)}')
done
echo "$best_app $best_psql $bytes $rss_before $(rss)" | awk '{
	printf "  app %.2f s (%d MB), psql \\copy %.2f s: %.2fx; workers %d MB before, %d MB after\n",
	    $1, $3 / 1048576, $2, $1 / $2, $4, $5 }'

echo "$cpu_before" "$(grep '^cpu ' /proc/stat)" | awk '{
	for (i = 2; i <= 9; i++) { a += $i; b += $(i + 11) }
	steal = b > a ? 100 * ($20 - $9) / (b - a) : 0
	printf "CPU time taken by the host (steal) during the run: %.1f%%\n",
	    steal }'

# The app's own time: each request's duration less its database time.
echo
echo "app time per request beyond the database (ms, from the JSON log):"
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n");
const by = new Map();
for (const l of lines) {
  if (!l.startsWith("{")) continue;
  let e; try { e = JSON.parse(l); } catch { continue; }
  if (e.msg !== "request" || e.status !== 200) continue;
  const k = e.route;
  if (!by.has(k)) by.set(k, []);
  by.get(k).push(e.app_ms);
}
const checks = [];
for (const l of lines) {
  if (!l.startsWith("{")) continue;
  let e; try { e = JSON.parse(l); } catch { continue; }
  if (e.msg === "request" && e.session_check_ms !== undefined) checks.push(e.session_check_ms);
}
for (const [k, v] of by) {
  v.sort((a, b) => a - b);
  const q = (p) => v[Math.min(v.length - 1, Math.floor(p * v.length))].toFixed(3);
  console.log(`  ${k.padEnd(28)} n=${String(v.length).padStart(7)}  p50 ${q(0.5)}  p99 ${q(0.99)}`);
}
// The sign-out check (session_marks in PostgreSQL) each signed-in request
// makes, part of the database time above.
if (checks.length > 0) {
  checks.sort((a, b) => a - b);
  const q = (p) => checks[Math.min(checks.length - 1, Math.floor(p * checks.length))].toFixed(3);
  console.log(`\nsign-out check per request (ms): n=${checks.length}  p50 ${q(0.5)}  p99 ${q(0.99)}`);
}' "$work/app.log"
