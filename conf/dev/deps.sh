#!/usr/bin/env bash
# Install what the project needs and the machine lacks: Debian packages
# (as root, through apt-get) and the npm packages of the development OpenID
# Provider and of the browser tests.  Does nothing when all is present.
set -euo pipefail
cd "$(dirname "$0")/../.."

debs=(
	kore libpq-dev liboauth2-dev libjansson-dev libssl-dev check
	libcurl4-openssl-dev
	pkg-config gcc make
	postgresql postgresql-contrib
	chromium fonts-noto-color-emoji
	openssl curl wrk procps jq
	haproxy
)

missing=()
for p in "${debs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

# Node.js may come from another repository with npm bundled; only a
# machine without node at all gets Debian's.
if ! command -v npm >/dev/null 2>&1; then
	missing+=(nodejs npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
	echo "installing Debian packages: ${missing[*]}"
	if [ "$(id -u)" != 0 ]; then
		echo "deps: run as root (or install them yourself): ${missing[*]}" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for dir in conf/oidc tests; do
	[ -f "$dir/package.json" ] || continue
	if [ ! -d "$dir/node_modules" ] ||
	    [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
		echo "installing npm packages in $dir"
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
	fi
done
