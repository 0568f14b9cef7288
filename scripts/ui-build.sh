#!/usr/bin/env bash
# Builds the Vue admin app (ui/) into api/web/app, the bundle the binary
# embeds, after installing exactly what ui/package-lock.json pins (npm ci:
# the lock file is never rewritten).
#   scripts/ui-build.sh          rebuild api/web/app (commit the result)
#   scripts/ui-build.sh --check  type-check, run the unit tests (vitest),
#                                rebuild into a temporary folder and fail when
#                                the committed bundle differs from the sources
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "ui-build: $*" >&2; }

check=false
case "${1:-}" in
  --check) check=true ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

(cd ui && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)

if ! $check; then
  (cd ui && npx vite build --logLevel warn)
  log "built api/web/app; commit it with the sources"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd ui && npx vue-tsc --noEmit -p tsconfig.json)
(cd ui && npx vitest run)
(cd ui && CC_UI_OUT_DIR="$tmp/app" npx vite build --logLevel warn)
if ! diff -r "$tmp/app" api/web/app >"$tmp/diff" 2>&1; then
  log "the committed bundle api/web/app does not match the sources in ui/:"
  head -40 "$tmp/diff" >&2
  log "run scripts/ui-build.sh and commit api/web/app"
  exit 1
fi
log "api/web/app matches the sources"
