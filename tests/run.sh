#!/usr/bin/env bash
# `make test`: every suite, against real parts started here and stopped at
# the end: a throwaway PostgreSQL, the development OpenID Provider, local
# stand-ins for Zuora and for the SMTP relay, the outbox worker, and the
# app built with AddressSanitizer and UBSan.  Prints each suite's result
# and a last line "total: N passed, M failed"; exits non-zero on any
# failure.
#
# A part of it (the unit and SQL tests always run):
#   TEST_ONLY=word        only the integration and browser test files
#                         whose names contain word;
#   TEST_NAME='regexp'    only the integration and browser tests whose
#                         names match it (node:test's testNamePatterns;
#                         each file's set-up and clean-up still run);
#   CK_RUN_SUITE=name     only that suite of the unit tests (Check), and
#   CK_RUN_CASE=name      only that test case of it.
# E.g. TEST_ONLY=edit_billing TEST_NAME='Refresh from Zuora' make test.
# A run that selects no integration or browser test fails.
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
app_pid= oidc_pid= pg_started= zuora_pid= outbox_pid= smtp_pid= gitlab_pid= portal_pid=

note() { printf '\n== %s\n' "$*"; }
count() { passed=$((passed + $1)); failed=$((failed + $2)); }

. tests/lib/sh.sh

# Stop pid (and its children): TERM, then KILL after a few seconds.  The
# app's processes can hang at exit under the ASan runtime (a lock left
# taken in a library destructor), which must not hang the test run.
stop() {
	local pid=$1 kids i
	[ -n "$pid" ] || return 0
	kids=$(pgrep -P "$pid" 2>/dev/null || true)
	kill "$pid" 2>/dev/null || return 0
	for i in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid" $kids 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}

cleanup() {
	stop "$app_pid"
	app_pid=
	local pid helpers="$oidc_pid $outbox_pid $zuora_pid $smtp_pid $gitlab_pid $portal_pid"
	for pid in $helpers; do kill "$pid" 2>/dev/null; done
	for pid in $helpers; do wait "$pid" 2>/dev/null; done
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
export CDOT_ROUTES_FILE="$work/routes.json"

# Editing: a local stand-in for Zuora (tests/lib/zuora.mjs), the customers
# portal's service token, and a quick outbox (short waits and backoff).
ZUORA_PORT=$(free_port)
export ZUORA_URL="http://127.0.0.1:$ZUORA_PORT"
export ZUORA_CLIENT_ID=cdot-test ZUORA_CLIENT_SECRET="zuora-secret-$$"
export CDOT_ZUORA_BASE_URL="$ZUORA_URL"
export CDOT_ZUORA_CLIENT_ID="$ZUORA_CLIENT_ID"
export CDOT_ZUORA_CLIENT_SECRET="$ZUORA_CLIENT_SECRET"
export CDOT_ZUORA_HTTP_TIMEOUT=3
CDOT_PORTAL_SERVICE_TOKEN="portal-test-$(openssl rand -hex 24)"
export CDOT_PORTAL_SERVICE_TOKEN
# The customers portal: a local page that redeems Impersonate's token
# (tests/lib/portal.mjs), so a browser can follow Impersonate there.
PORTAL_PORT=$(free_port)
export CDOT_PORTAL_BASE_URL="http://127.0.0.1:$PORTAL_PORT"
export CDOT_OUTBOX_POLL_MS=200 CDOT_OUTBOX_BACKOFF_MS=400

note "starting the customers portal stand-in"
PORTAL_PORT=$PORTAL_PORT node tests/lib/portal.mjs >"$work/portal.log" 2>&1 &
portal_pid=$!
wait_until "$portal_pid" grep -qs "listening on" "$work/portal.log"

note "starting the Zuora stand-in"
ZUORA_PORT=$ZUORA_PORT node tests/lib/zuora.mjs >"$work/zuora.log" 2>&1 &
zuora_pid=$!
wait_until "$zuora_pid" curl -fso /dev/null -X POST "$ZUORA_URL/__test/reset"

# Support: the sales system's token, the license key pair (made when
# missing, git-ignored) and a local SMTP server (tests/lib/smtp.mjs) as
# the mail relay; the tests read what it received.
CDOT_SALES_SERVICE_TOKEN="sales-test-$(openssl rand -hex 24)"
export CDOT_SALES_SERVICE_TOKEN
conf/dev/keys.sh "$root/var/keys" >/dev/null
export CDOT_LICENSE_PRIVATE_KEY="$root/var/keys/license_private.pem"
export CDOT_LICENSE_PUBLIC_KEY="$root/var/keys/license_public.pem"
SMTP_PORT=$(free_port)
SMTP_CONTROL_PORT=$(free_port)
export SMTP_CONTROL_URL="http://127.0.0.1:$SMTP_CONTROL_PORT"
export CDOT_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT"
export CDOT_MAIL_FROM="transactions@customers.test-gitlab.example"
export CDOT_SMTP_TIMEOUT=5

note "starting the SMTP server"
SMTP_PORT=$SMTP_PORT SMTP_CONTROL_PORT=$SMTP_CONTROL_PORT \
    node tests/lib/smtp.mjs >"$work/smtp.log" 2>&1 &
smtp_pid=$!
wait_until "$smtp_pid" curl -fso /dev/null "$SMTP_CONTROL_URL/__test/messages"

# GitLab.com: a local stand-in for its subscriptions internal API
# (tests/lib/gitlab.mjs) that checks each token as GitLab does, with the
# keys the app publishes at its issuer URL; the signing key (made when
# missing, git-ignored).
GITLAB_PORT=$(free_port)
export GITLAB_URL="http://127.0.0.1:$GITLAB_PORT"
export GITLAB_JWT_ISSUER="$APP_URL/"
export CDOT_GITLAB_BASE_URL="$GITLAB_URL"
export CDOT_GITLAB_JWT_KEY="$root/var/keys/gitlab_jwt.pem"
export CDOT_GITLAB_HTTP_TIMEOUT=3

note "starting the GitLab.com stand-in"
GITLAB_PORT=$GITLAB_PORT node tests/lib/gitlab.mjs >"$work/gitlab.log" 2>&1 &
gitlab_pid=$!
wait_until "$gitlab_pid" curl -fso /dev/null -X POST "$GITLAB_URL/__test/reset"

if [ -f conf/oidc/provider.js ]; then
	note "starting the OpenID Provider"
	OIDC_PORT=$OIDC_PORT OIDC_REDIRECT_URIS="$APP_URL/auth/callback" \
	    node conf/oidc/provider.js >"$work/oidc.log" 2>&1 &
	oidc_pid=$!
	# The app fetches the provider's metadata at start: wait until it listens.
	wait_until "$oidc_pid" grep -qs "listening on" "$work/oidc.log"
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

note "starting the outbox worker"
build/cdot-outbox >"$work/outbox.log" 2>&1 &
outbox_pid=$!
export CDOT_TEST_OUTBOX_LOG="$work/outbox.log"

wait_until "$app_pid" curl -fso /dev/null "$APP_URL/healthz"
if ! curl -fs "$APP_URL/healthz" >/dev/null 2>&1; then
	echo "the app did not start; its log:"
	tail -n 30 "$work/app.log"
	count 0 1
else
	ran=$((passed + failed))
	run_counted integration node tests/integration/run.mjs ${TEST_ONLY:-}
	if [ -d tests/browser ] && ls tests/browser/*.test.mjs >/dev/null 2>&1; then
		run_counted browser node tests/browser/run.mjs ${TEST_ONLY:-}
	fi
	if [ $((passed + failed)) -eq "$ran" ]; then
		echo "not ok - no integration or browser test was selected" \
		    "(TEST_ONLY=${TEST_ONLY:-}, TEST_NAME=${TEST_NAME:-})"
		count 0 1
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
