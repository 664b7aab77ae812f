#!/usr/bin/env bash
# Write the Kore configuration for one instance: kore-conf.sh OUT PORT APP_SO PIDFILE
# It listens on CDOT_BIND_ADDRESS (default 127.0.0.1).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sed -e "s|@ADDRESS@|${CDOT_BIND_ADDRESS:-127.0.0.1}|" -e "s|@PORT@|$2|" -e "s|@APP_SO@|$3|" -e "s|@PIDFILE@|$4|" \
    "$here/kore.conf.in" >"$1"
