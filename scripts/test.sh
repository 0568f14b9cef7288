#!/usr/bin/env bash
# The test command: formatting, vet, every Go test with the race detector
# (store tests on both SQLite and MariaDB), then the UI in a real browser.
# Run from anywhere in the repo.
set -euo pipefail
cd "$(dirname "$0")/.."

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
if [ -n "$unformatted" ]; then echo "gofmt would change:"; echo "$unformatted"; exit 1; fi

go vet ./...

CC_TEST_MYSQL_DSN=$(scripts/test-db.sh)
export CC_TEST_MYSQL_DSN
echo "store tests also run on MariaDB: ${CC_TEST_MYSQL_DSN}"

go test -race -count=1 -timeout 20m ./... "$@"

# The embedded UI in a real browser (Debian's chromium + playwright-core).
scripts/test-ui.sh
