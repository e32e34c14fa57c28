#!/usr/bin/env bash
# Builds the third-party servers Perimeter runs into the git-ignored .tools/ folder, once.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_CLI_VERSION=v1.5.1 # newest temporalio/cli whose go.mod has no `replace` (go install refuses those)
BIN="$PWD/.tools/bin"
mkdir -p "$BIN"

if [ -x "$BIN/temporal" ] && [ "$(cat "$BIN/temporal.version" 2>/dev/null)" = "$TEMPORAL_CLI_VERSION" ]; then
  echo "tools: temporal $TEMPORAL_CLI_VERSION present"
else
  command -v go >/dev/null || { echo "tools: Go is needed to build the Temporal CLI (apt-get install golang)" >&2; exit 1; }
  echo "tools: building temporal $TEMPORAL_CLI_VERSION from its Go module (a few minutes the first time)"
  GOBIN="$BIN" GOFLAGS="${GOFLAGS:-} -buildvcs=false" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
  echo "$TEMPORAL_CLI_VERSION" > "$BIN/temporal.version"
fi

# The lab Time-Stamp Authority is `openssl ts -reply` (OpenSSL 3); tests and `perimeter dev` need it.
if command -v openssl >/dev/null && openssl ts -help >/dev/null 2>&1; then
  echo "tools: openssl $(openssl version | cut -d' ' -f2) present"
else
  echo "tools: installing openssl (apt) for the lab TSA"
  if [ "$(id -u)" = 0 ]; then apt-get install -y --no-install-recommends openssl >/dev/null
  else sudo apt-get install -y --no-install-recommends openssl >/dev/null; fi
fi
# The S3 server of the embedded stack and the tests (bucket malware scanning): Versity's S3 gateway.
VERSITYGW_VERSION=v1.8.0 # go.mod has no `replace`; `go install` builds it in about 3 minutes here
if [ -x "$BIN/versitygw" ] && [ "$(cat "$BIN/versitygw.version" 2>/dev/null)" = "$VERSITYGW_VERSION" ]; then
  echo "tools: versitygw $VERSITYGW_VERSION present"
else
  command -v go >/dev/null || { echo "tools: Go is needed to build versitygw (apt-get install golang)" >&2; exit 1; }
  echo "tools: building versitygw $VERSITYGW_VERSION from its Go module (a few minutes the first time)"
  GOBIN="$BIN" GOFLAGS="${GOFLAGS:-} -buildvcs=false" go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
  echo "$VERSITYGW_VERSION" > "$BIN/versitygw.version"
fi

