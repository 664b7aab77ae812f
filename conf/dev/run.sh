#!/usr/bin/env bash
# `make run`: a local PostgreSQL (under var/pg, kept between runs), the
# development OpenID Provider and the app on demo data, in the foreground.
# Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

PORT=${PORT:-8080}
PG_PORT=${PG_PORT:-5433}
OIDC_PORT=${OIDC_PORT:-9400}
ZUORA_PORT=${ZUORA_PORT:-9410}

mkdir -p var/run
app_pid= oidc_pid= pg_started= zuora_pid= outbox_pid=

cleanup() {
	trap - EXIT INT TERM
	[ -z "$app_pid" ] || kill "$app_pid" 2>/dev/null || true
	[ -z "$oidc_pid" ] || kill "$oidc_pid" 2>/dev/null || true
	[ -z "$outbox_pid" ] || kill "$outbox_pid" 2>/dev/null || true
	[ -z "$zuora_pid" ] || kill "$zuora_pid" 2>/dev/null || true
	[ -z "$app_pid" ] || wait "$app_pid" 2>/dev/null || true
	[ -z "$oidc_pid" ] || wait "$oidc_pid" 2>/dev/null || true
	[ -z "$outbox_pid" ] || wait "$outbox_pid" 2>/dev/null || true
	[ -z "$zuora_pid" ] || wait "$zuora_pid" 2>/dev/null || true
	[ -z "$pg_started" ] || conf/dev/pg.sh stop var/pg || true
	echo "stopped"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "starting PostgreSQL on 127.0.0.1:$PG_PORT (data in var/pg)"
conf/dev/pg.sh start var/pg "$PG_PORT"
pg_started=1

export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=cdot PGDATABASE=cdot
if ! psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'cdot'" | grep -q 1; then
	createdb cdot
fi
sql/migrate.sh
psql -q -v ON_ERROR_STOP=1 -f sql/demo.sql

export CDOT_DATABASE_URL="postgresql://cdot@127.0.0.1:$PG_PORT/cdot"
export CDOT_BASE_URL="http://127.0.0.1:$PORT"
export CDOT_OIDC_ISSUER="http://127.0.0.1:$OIDC_PORT"

if [ -f conf/oidc/provider.js ]; then
	OIDC_PORT=$OIDC_PORT OIDC_REDIRECT_URIS="$CDOT_BASE_URL/auth/callback" \
	    node conf/oidc/provider.js &
	oidc_pid=$!
fi

# A local stand-in for Zuora's REST API (tests/lib/zuora.mjs): edits are
# synced to it by the outbox worker; it starts empty and learns contacts
# as they are sent (ZUORA_LENIENT).
export CDOT_ZUORA_BASE_URL="http://127.0.0.1:$ZUORA_PORT"
export CDOT_ZUORA_CLIENT_ID=cdot-dev CDOT_ZUORA_CLIENT_SECRET=dev-zuora-secret
ZUORA_PORT=$ZUORA_PORT ZUORA_CLIENT_ID=cdot-dev \
    ZUORA_CLIENT_SECRET=dev-zuora-secret ZUORA_LENIENT=1 \
    node tests/lib/zuora.mjs &
zuora_pid=$!

conf/dev/kore-conf.sh var/run/kore.conf "$PORT" "$root/build/app.so" \
    "$root/var/run/kore.pid"
kore -c var/run/kore.conf -f -n -r &
app_pid=$!

# The outbox worker: delivers queued changes to Zuora.
build/cdot-outbox &
outbox_pid=$!

echo "CustomersDot Admin: http://127.0.0.1:$PORT/admin  (Ctrl-C to stop)"
wait "$app_pid"
