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

mkdir -p var/run
app_pid= oidc_pid= pg_started= outbox_pid=

cleanup() {
	trap - EXIT INT TERM
	[ -z "$app_pid" ] || kill "$app_pid" 2>/dev/null || true
	[ -z "$oidc_pid" ] || kill "$oidc_pid" 2>/dev/null || true
	[ -z "$outbox_pid" ] || kill "$outbox_pid" 2>/dev/null || true
	[ -z "$app_pid" ] || wait "$app_pid" 2>/dev/null || true
	[ -z "$oidc_pid" ] || wait "$oidc_pid" 2>/dev/null || true
	[ -z "$outbox_pid" ] || wait "$outbox_pid" 2>/dev/null || true
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
	# The app reads the provider's metadata at start: wait until it answers.
	for _ in $(seq 1 100); do
		curl -fs "$CDOT_OIDC_ISSUER/.well-known/openid-configuration" \
		    >/dev/null 2>&1 && break
		sleep 0.1
	done
fi

# Zuora cannot exist here: the settings point at conf/app.conf's
# zuora_base_url, and until a real (sandbox) tenant is configured through
# CDOT_ZUORA_* the outbox worker keeps retrying with backoff and "Refresh
# from Zuora" says Zuora is unreachable.  Edits never wait for it.

# The license key pair (conf/app.conf points at var/keys): made once.
conf/dev/keys.sh var/keys

conf/dev/kore-conf.sh var/run/kore.conf "$PORT" "$root/build/app.so" \
    "$root/var/run/kore.pid"
kore -c var/run/kore.conf -f -n -r &
app_pid=$!

# The outbox worker: delivers queued changes to Zuora, and e-mails to the
# SMTP relay of smtp_url (none listens under make run: they wait, retried).
build/cdot-outbox &
outbox_pid=$!

echo "CustomersDot Admin: http://127.0.0.1:$PORT/admin  (Ctrl-C to stop)"
wait "$app_pid"
