#!/usr/bin/env bash
# Everything Perimeter needs on a fresh clone: npm packages (Node 24 among them) and built tools.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v npm >/dev/null || { echo "install: npm is needed (apt-get install nodejs npm)" >&2; exit 1; }
stamp=node_modules/.perimeter-lock
want=$(sha256sum package-lock.json package.json | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || [ ! -x node_modules/.bin/node ]; then
  echo "install: npm install (from package-lock.json)"
  # Not `npm ci`: this machine's registry mirror lacks other platforms' optional packages
  # (@swc/core-darwin-*, …), so the lock cannot list them and `npm ci` calls it out of sync.
  npm install --no-audit --no-fund
  echo "$want" > "$stamp"
else
  echo "install: node_modules up to date"
fi
bash scripts/tools.sh
