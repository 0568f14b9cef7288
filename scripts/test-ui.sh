#!/usr/bin/env bash
# Browser tests of the embedded UI: builds the server, starts it (SQLite in a
# temp dir, simulated switch) and drives Debian's chromium with playwright-core.
# Installs chromium (Debian) when missing and playwright-core exactly as
# web-test/package-lock.json pins it (npm ci: the lock file is never rewritten).
# Whatever happens (success, failure, SIGINT, SIGTERM) the server is stopped and
# waited for before the script exits. Arguments name test files to run
# (scripts/test-ui.sh webphone.test.js); none runs every file.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "test-ui: $*" >&2; }

# Chinese labels need a CJK font, or the screenshots show boxes.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian's ${missing[*]}"
  scripts/apt-install.sh "${missing[@]}" >&2
fi
(cd web-test && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)

tmp=$(mktemp -d)
server= runner=
# stop ends a child (and its process group, when it leads one) and waits
# for it, so nothing outlives this script.
stop() {
  [ -n "$1" ] || return 0
  kill -TERM -- "-$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() { stop "$runner"; stop "$server"; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

go build -o "$tmp/callcenter" ./cmd/callcenter
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# web-test/webphone.test.js runs a SIP-over-WebSocket registrar there: the
# server's browser phone (webphone.ws_url) points at it.
export CC_UI_WEBPHONE_PORT=$(free_port)
export CC_UI_ADMIN_PASSWORD='Ui-Test-Pass-2026!'
# The files sign in some sixty times within minutes, every user from
# 127.0.0.1: more than the default sign-in limits (30 a minute per address,
# 10 per account) allow, which a fast machine reached (429, then a 401 on
# the missing token). The limits themselves are tested in api's Go tests.
export CC_RATELIMIT_LOGIN_PER_SOURCE=600 CC_RATELIMIT_LOGIN_PER_ACCOUNT=300

# start_server starts the server and waits until it logs where it listens
# (or exits; the limit is only a safety net). It binds port 0 for HTTP and
# the IVR server, and the HTTP port it got is read from its log: a port
# picked free beforehand can be taken by another process before the server
# binds it. Its built-in simulator routes the desk's identity check
# (ivr_verify_id) to its IVR server by itself.
# web-test/simulator.yaml: the simulator's customers, among them those the
# desk test calls (they answer and stay on the line until the agent hangs
# up); the simulator's trunk gw1 carries manual calls and transfers to
# numbers, from the desk's caller ID when no campaign is named.
start_server() {
  local scenario="$PWD/web-test/simulator.yaml"
  # exec: the background pid is the server's own, not a subshell's.
  (cd "$tmp" && CC_ADMIN_PASSWORD="$CC_UI_ADMIN_PASSWORD" CC_HTTP_ADDRESS=127.0.0.1:0 CC_IVR_LISTEN=127.0.0.1:0 \
    CC_SIMULATOR_SCENARIO="$scenario" CC_WEBPHONE_WS_URL="ws://127.0.0.1:$CC_UI_WEBPHONE_PORT" CC_WEBPHONE_DOMAIN=cc.test CC_ACD_GATEWAY=gw1 CC_ACD_CALLER_ID=02161230000 \
    CC_DATABASE_DRIVER=sqlite CC_DATABASE_DSN="$tmp/ui.db" exec ./callcenter serve >"$tmp/server.log" 2>&1) &
  server=$!
  for _ in $(seq 1 1200); do
    addr=$(sed -n 's/.* msg=listening http=\([0-9.]*:[0-9]*\) .*/\1/p' "$tmp/server.log" | head -1)
    [ -z "$addr" ] || return 0
    if ! kill -0 "$server" 2>/dev/null; then
      wait "$server" 2>/dev/null || true
      server=
      return 1
    fi
    sleep 0.1
  done
  return 1
}
start_server || { log "the server did not come up; its log:"; tail -50 "$tmp/server.log" >&2; exit 1; }
curl -fs "http://$addr/healthz" >/dev/null || { log "no answer from the server on $addr"; tail -30 "$tmp/server.log" >&2; exit 1; }

# CC_UI_SCREENSHOTS: where vue.test.js saves a screenshot of every page in
# both languages (git-ignored).
export CC_UI_BASE="http://$addr" CC_UI_FIXTURE="$PWD/importer/testdata/contacts_libreoffice.xlsx"
export CC_UI_SCREENSHOTS="${CC_UI_SCREENSHOTS:-$PWD/web-test/screenshots}"
# In the background so a signal is handled at once, not after the run; in
# its own process group so stopping it reaches node's per-file test processes
# (whose playwright then closes chromium). Arguments name test files (in
# web-test/) to run only those: scripts/test-ui.sh vuedesk.test.js
(cd web-test && exec setsid node --test "$@") &
runner=$!
if ! wait "$runner"; then
  runner=
  echo "--- server log (last 30 lines)"; tail -30 "$tmp/server.log"
  exit 1
fi
runner=
