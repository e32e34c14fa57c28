#!/usr/bin/env bash
# Installs what is needed, then runs every check and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export PATH="$PWD/node_modules/.bin:$PATH" # Node 24 from the `node` package
echo "node $(node --version)"

echo "== build (tsc, strict)"
npm run --silent build
npm run --silent typecheck
echo "== lint"
eslint . --max-warnings 0
prettier --check . >/dev/null || { prettier --check . ; exit 1; }
echo "== tests"
vitest run "$@"
