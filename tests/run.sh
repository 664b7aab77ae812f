#!/usr/bin/env bash
# `make test`: every suite, against real parts started here and stopped at
# the end: a throwaway PostgreSQL, the development OpenID Provider, and the
# app built with AddressSanitizer and UBSan.  Prints each suite's result
# and a last line "total: N passed, M failed"; exits non-zero on any
# failure.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# A folder of this run's own, so that two runs never share a database or
# a log; the previous runs' folders are removed.
mkdir -p "$root/var/test"
for old in "$root"/var/test/run-*; do
	[ -e "$old" ] || continue
	pid=${old##*/run-}
	kill -0 "$pid" 2>/dev/null || rm -rf "$old"
done
work="$root/var/test/run-$$"
mkdir -p "$work"
export CDOT_TEST_WORK="$work"

passed=0
failed=0
app_pid= oidc_pid= pg_started=

note() { printf '\n== %s\n' "$*"; }
count() { passed=$((passed + $1)); failed=$((failed + $2)); }

free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

cleanup() {
	[ -z "$app_pid" ] || kill "$app_pid" 2>/dev/null
	[ -z "$oidc_pid" ] || kill "$oidc_pid" 2>/dev/null
	[ -z "$app_pid" ] || wait "$app_pid" 2>/dev/null
	[ -z "$oidc_pid" ] || wait "$oidc_pid" 2>/dev/null
	[ -z "$pg_started" ] || conf/dev/pg.sh stop "$work/pg"
}
trap cleanup EXIT

# Check prints "100%: Checks: N, Failures: F, Errors: E".
note "unit tests (Check, ASan+UBSan)"
build/unit_tests 2>&1 | tee "$work/unit.log"
line=$(grep -E '^[0-9]+%: Checks: ' "$work/unit.log" | tail -n 1)
if [ -n "$line" ]; then
	n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
	f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
	e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
	count $((n - f - e)) $((f + e))
else
	count 0 1
fi

note "starting PostgreSQL"
export PGHOST=127.0.0.1 PGUSER=cdot
PGPORT=$(free_port); export PGPORT
if ! conf/dev/pg.sh start "$work/pg" "$PGPORT" fast; then
	echo "PostgreSQL did not start"
	echo "total: $passed passed, $((failed + 1)) failed"
	exit 1
fi
pg_started=1
export CDOT_TEST_PG_DIR="$work/pg"

# Suites that print "N passed, M failed" as their last such line.
run_counted() {
	local name=$1; shift
	note "$name"
	"$@" 2>&1 | tee "$work/$name.log"
	local line
	line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$work/$name.log" | tail -n 1)
	if [ -z "$line" ]; then
		count 0 1
		return
	fi
	count "$(echo "$line" | sed -E 's/^([A-Za-z]+: )?([0-9]+) passed.*/\2/')" \
	    "$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')"
}

if [ -x tests/sql/run.sh ]; then
	run_counted sql tests/sql/run.sh
fi

note "preparing the app's database"
createdb cdot_test
export PGDATABASE=cdot_test
sql/migrate.sh >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log"; count 0 1; }
psql -q -v ON_ERROR_STOP=1 -f sql/demo.sql >"$work/demo.log" 2>&1 ||
    { cat "$work/demo.log"; count 0 1; }

APP_PORT=$(free_port)
OIDC_PORT=$(free_port)
export APP_URL="http://127.0.0.1:$APP_PORT"
export OIDC_URL="http://127.0.0.1:$OIDC_PORT"
export CDOT_DATABASE_URL="postgresql://cdot@127.0.0.1:$PGPORT/cdot_test"
export CDOT_BASE_URL="$APP_URL"
export CDOT_OIDC_ISSUER="$OIDC_URL"

if [ -f conf/oidc/provider.js ]; then
	note "starting the OpenID Provider"
	OIDC_PORT=$OIDC_PORT OIDC_REDIRECT_URIS="$APP_URL/auth/callback" \
	    node conf/oidc/provider.js >"$work/oidc.log" 2>&1 &
	oidc_pid=$!
fi

note "starting the app (AddressSanitizer + UBSan)"
conf/dev/kore-conf.sh "$work/kore.conf" "$APP_PORT" \
    "$root/build/asan/app.so" "$work/kore.pid"
LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)" \
ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    kore -c "$work/kore.conf" -f -n -r >"$work/app.log" 2>&1 &
app_pid=$!
export CDOT_TEST_APP_LOG="$work/app.log"

for _ in $(seq 1 100); do
	curl -fs "$APP_URL/healthz" >/dev/null 2>&1 && break
	kill -0 "$app_pid" 2>/dev/null || break
	sleep 0.1
done
if ! curl -fs "$APP_URL/healthz" >/dev/null 2>&1; then
	echo "the app did not start; its log:"
	tail -n 30 "$work/app.log"
	count 0 1
else
	run_counted integration node tests/integration/run.mjs
	if [ -d tests/browser ] && ls tests/browser/*.test.mjs >/dev/null 2>&1; then
		run_counted browser node tests/browser/run.mjs
	fi
fi

note "sanitizer reports in the app's log"
if grep -E 'AddressSanitizer|runtime error:|LeakSanitizer|seccomp' "$work/app.log"; then
	echo "not ok - the app's log has sanitizer or sandbox reports (above)"
	count 0 1
else
	echo "ok - none"
	count 1 0
fi

echo
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
