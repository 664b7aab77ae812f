#!/usr/bin/env bash
# Write the Kore configuration for one instance: kore-conf.sh OUT PORT APP_SO PIDFILE
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sed -e "s|@PORT@|$2|" -e "s|@APP_SO@|$3|" -e "s|@PIDFILE@|$4|" \
    "$here/kore.conf.in" >"$1"
