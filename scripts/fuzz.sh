#!/usr/bin/env bash
# Runs every Go fuzz target (func FuzzX(f *testing.F) in a *_test.go file)
# for a short budget each, default 10 s: the importers' readers and the API's
# JSON request bodies. Their committed seed corpus (<pkg>/testdata/fuzz/FuzzX/)
# already runs in every `go test`; this explores beyond it. A failure leaves
# the crashing input in <pkg>/testdata/fuzz/FuzzX/: fix the bug and commit the
# input with the fix, so it stays a regression test.
#   scripts/fuzz.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."

budget=${1:-10}
case "$budget" in '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [seconds per target]" >&2; exit 2 ;; esac

failed=()
while read -r file; do
	pkg=./$(dirname "$file")
	for target in $(grep -o '^func Fuzz[A-Za-z0-9_]*(f \*testing.F)' "$file" | sed 's/^func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do
		echo "== $pkg $target (${budget}s)"
		# Minimising a new input may take a while; keep it within the budget's spirit.
		if ! go test -run XXX -fuzz "^${target}\$" -fuzztime "${budget}s" -fuzzminimizetime 10s "$pkg"; then
			failed+=("$pkg $target")
		fi
	done
done < <(git ls-files '*_test.go' 2>/dev/null | xargs grep -l '^func Fuzz[A-Za-z0-9_]*(f \*testing.F)' | sort)

if [ ${#failed[@]} -gt 0 ]; then
	printf 'fuzz: FAILED %s\n' "${failed[@]}" >&2
	exit 1
fi
echo "fuzz: every target ran ${budget}s without a failure"
