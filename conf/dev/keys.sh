#!/usr/bin/env bash
# keys.sh DIR: development keys, each made when missing:
#   DIR/license_private.pem (RSA 2048, readable by its owner only) and
#   DIR/license_public.pem: the pair that signs licenses;
#   DIR/gitlab_jwt.pem (RSA 2048, owner only): signs the tokens of
#   GitLab.com's subscriptions API (its public half is served as a JWKS).
# conf/app.conf points license_private_key, license_public_key and
# gitlab_jwt_key at var/keys; DIR must be git-ignored.  Production keys
# are made and kept elsewhere and configured through CDOT_LICENSE_* and
# CDOT_GITLAB_JWT_KEY.
set -euo pipefail
dir=${1:-var/keys}
priv=$dir/license_private.pem
pub=$dir/license_public.pem
jwt=$dir/gitlab_jwt.pem

mkdir -p "$dir"
chmod 700 "$dir"
umask 077

if ! [ -s "$priv" ] || ! [ -s "$pub" ]; then
	tmp=$(mktemp "$dir/.key.XXXXXX")
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp" 2>/dev/null
	openssl pkey -in "$tmp" -pubout -out "$pub.tmp"
	chmod 644 "$pub.tmp"
	mv "$tmp" "$priv"
	mv "$pub.tmp" "$pub"
	echo "made a development license key pair in $dir"
fi

if ! [ -s "$jwt" ]; then
	tmp=$(mktemp "$dir/.key.XXXXXX")
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp" 2>/dev/null
	mv "$tmp" "$jwt"
	echo "made a development GitLab.com token key in $dir"
fi
