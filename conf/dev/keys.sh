#!/usr/bin/env bash
# keys.sh DIR: a development key pair for signing licenses, made when
# missing: DIR/license_private.pem (RSA 2048, readable by its owner only)
# and DIR/license_public.pem.  conf/app.conf points license_private_key
# and license_public_key at var/keys; DIR must be git-ignored.  Production
# keys are made and kept elsewhere and configured through CDOT_LICENSE_*.
set -euo pipefail
dir=${1:-var/keys}
priv=$dir/license_private.pem
pub=$dir/license_public.pem

if [ -s "$priv" ] && [ -s "$pub" ]; then
	exit 0
fi
mkdir -p "$dir"
chmod 700 "$dir"
umask 077
tmp=$(mktemp "$dir/.key.XXXXXX")
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp" 2>/dev/null
openssl pkey -in "$tmp" -pubout -out "$pub.tmp"
chmod 644 "$pub.tmp"
mv "$tmp" "$priv"
mv "$pub.tmp" "$pub"
echo "made a development license key pair in $dir"
