#!/usr/bin/env bash
# Browser tests of the embedded UI: builds the server, starts it (SQLite in a
# temp dir, simulated switch) and drives Debian's chromium with playwright-core.
# Installs chromium (Debian) and playwright-core (npm, pinned) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  echo "test-ui: installing Debian's chromium and CJK fonts" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2 && apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk >&2
fi
(cd web-test && { [ -d node_modules/playwright-core ] || npm install --no-audit --no-fund --loglevel=error; })

tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/callcenter" ./cmd/callcenter
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export CC_UI_ADMIN_PASSWORD='Ui-Test-Pass-2026!'
(cd "$tmp" && CC_ADMIN_PASSWORD="$CC_UI_ADMIN_PASSWORD" CC_HTTP_ADDRESS="127.0.0.1:$port" CC_IVR_LISTEN=127.0.0.1:0 \
  CC_DATABASE_DSN="$tmp/ui.db" ./callcenter serve >"$tmp/server.log" 2>&1) &
pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
export CC_UI_BASE="http://127.0.0.1:$port" CC_UI_FIXTURE="$PWD/importer/testdata/contacts_libreoffice.xlsx"
(cd web-test && node --test) || { echo "--- server log"; tail -30 "$tmp/server.log"; exit 1; }
