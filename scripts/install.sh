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

# clamd and clamdscan (bucket malware scanning) from Debian; sigtool builds the lab's signatures.
if command -v clamd >/dev/null && command -v clamdscan >/dev/null && command -v sigtool >/dev/null; then
  echo "install: clamd present"
elif command -v apt-get >/dev/null; then
  echo "install: installing clamav-daemon and clamdscan from apt"
  # The package's own services stay off: Perimeter starts clamd itself with its own configuration.
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends clamav-daemon clamdscan ||
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends clamav-daemon clamdscan; }
else
  echo "install: clamd is needed (Debian: apt-get install clamav-daemon clamdscan)" >&2
  exit 1
fi

bash scripts/tools.sh

# DMARC mailbox tests run a real IMAP server: Debian's Dovecot, started by the tests themselves
# with a generated configuration (never as the system service, which is disabled if systemd started it).
if [ ! -x /usr/sbin/dovecot ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "install: apt-get install dovecot-imapd"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq dovecot-imapd >/dev/null 2>&1 ||
      { apt-get update -qq && apt-get install -y -qq dovecot-imapd >/dev/null; }
    if command -v systemctl >/dev/null && systemctl is-active --quiet dovecot 2>/dev/null; then
      systemctl disable --now dovecot >/dev/null 2>&1 || true
    fi
  else
    echo "install: dovecot-imapd is missing (apt-get install dovecot-imapd); the IMAP tests need it" >&2
  fi
else
  echo "install: dovecot present"
fi
