#!/usr/bin/env bash
# Starts the whole system with embedded defaults (PostgreSQL, Temporal dev server + UI, lab, API, worker).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export PATH="$PWD/node_modules/.bin:$PATH" # Node 24 from the `node` package
echo "build: tsc"
npm run --silent build
exec node dist/apps/cli/main.js dev "$@"
