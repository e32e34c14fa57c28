#!/usr/bin/env bash
# Builds lab/clamav/daily.cud (an unsigned ClamAV database) from daily.ndb and daily.cdb, so clamd
# reports a database version and build time (VERSION: "ClamAV 1.4.6/<version>/<date>") like
# freshclam's daily.cvd does. Usage: build-signatures.sh <version>
set -euo pipefail
cd "$(dirname "$0")"
version=${1:?database version number}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp daily.ndb daily.cdb "$work/"
echo "Perimeter test signatures: EICAR, a marker string, and a zip member name." > "$work/COPYING"
mkdir "$work/none"
(cd "$work" && echo perimeter | sigtool --build=daily.cud --unsigned --cvd-version="$version" \
  --no-cdiff --datadir=none >/dev/null 2>&1)
cp "$work/daily.cud" daily.cud
sigtool --info daily.cud | grep -E 'Version|Build time|Signatures'
