#!/usr/bin/env bash
# The test command: formatting, vet, every Go test with the race detector
# (store tests on both SQLite and MariaDB), a short fuzzing run, then the UI
# in a real browser (the Vue app's bundle checked against its sources first).
# Run from anywhere in the repo; extra arguments go to `go test`.
#
# Every step runs whatever happened before it, and a summary reports each.
# The command fails (exit 1) when a step failed, when the run changed a file
# git tracks (or added one git would show), or when a process it started is
# still alive at the end; an interrupt (SIGINT, SIGTERM) stops the running
# step and still checks for survivors (exit 130 / 143).
set -uo pipefail
cd "$(dirname "$0")/.."

# Every process this run starts inherits this mark, also one that detaches
# (playwright puts chromium in a session of its own) or is orphaned (a
# server whose parent died): at the end no live process may carry it.
export CALLCENTER_TEST_RUN="test.sh-$$-$(date +%s%N)"

declare -a summary=()
failed=0
step_pid= step_name=

report() { # name status [detail]
  summary+=("$(printf '%-12s %s%s' "$1" "$2" "${3:+  ($3)}")")
  [ "$2" = PASS ] || failed=1
}

# step runs a command in a session of its own, so that an interrupt can stop
# the whole of it, and waits for it (wait returns at once on a signal).
step() { # name command...
  local name=$1; shift
  echo "=== $name"
  setsid "$@" &
  step_pid=$! step_name=$name
  wait "$step_pid"
  local rc=$?
  step_pid=
  if [ "$rc" -eq 0 ]; then report "$name" PASS; else report "$name" FAIL "exit $rc"; fi
}

git_state() {
  git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "not a git checkout"; return; }
  git status --porcelain=v1 --untracked-files=all
  git diff HEAD --binary | sha256sum
}

# marked lists the live processes carrying this run's mark, except this
# shell. It reads /proc in this shell itself (no subshell, no child), so the
# scan cannot find itself.
declare -a marked=()
find_marked() {
  marked=()
  local env pid kv
  for env in /proc/[0-9]*/environ; do
    pid=${env#/proc/}; pid=${pid%/environ}
    [ "$pid" = "$$" ] && continue
    { while IFS= read -r -d '' kv; do
        if [ "$kv" = "CALLCENTER_TEST_RUN=$CALLCENTER_TEST_RUN" ]; then marked+=("$pid"); break; fi
      done <"$env"; } 2>/dev/null
  done
}

# check_survivors gives processes that are shutting down a minute to finish,
# then names, kills and reports any still alive.
check_survivors() {
  scripts/test-db.sh stop
  for _ in $(seq 1 600); do
    find_marked
    [ "${#marked[@]}" -eq 0 ] && break
    sleep 0.1
  done
  if [ "${#marked[@]}" -eq 0 ]; then
    report processes PASS "none left behind"
    return
  fi
  echo "!!! ${#marked[@]} process(es) started by this run are still alive:" >&2
  ps -o pid=,ppid=,etime=,args= -p "$(IFS=,; echo "${marked[*]}")" >&2 || true
  kill -KILL "${marked[@]}" 2>/dev/null || true
  report processes FAIL "${#marked[@]} left behind, killed: ${marked[*]}"
}

finish() { # exit code if nothing failed
  local code=$1 after
  after=$(git_state)
  if [ "$after" = "$before" ]; then
    report "git status" PASS "unchanged"
  else
    echo "!!! the run changed the checkout (git status and diff digest, < before, > after):" >&2
    diff <(echo "$before") <(echo "$after") >&2
    report "git status" FAIL "files changed during the run"
  fi
  check_survivors
  echo "=== summary"
  printf '%s\n' "${summary[@]}"
  if [ "$code" -ne 0 ]; then exit "$code"; fi
  exit "$failed"
}

interrupted() { # exit code
  trap - INT TERM
  echo "!!! interrupted: stopping the running step" >&2
  if [ -n "$step_pid" ]; then
    kill -TERM -- "-$step_pid" 2>/dev/null
    wait "$step_pid" 2>/dev/null
    report "$step_name" FAIL "interrupted"
  else
    report interrupted FAIL "between steps"
  fi
  finish "$1"
}
trap 'interrupted 130' INT
trap 'interrupted 143' TERM

before=$(git_state)

echo "=== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path '*/node_modules/*'))
if [ -z "$unformatted" ]; then report gofmt PASS; else echo "gofmt would change:"; echo "$unformatted"; report gofmt FAIL "$(echo "$unformatted" | wc -l) files"; fi

step "go vet" go vet ./...

echo "=== database"
if CC_TEST_MYSQL_DSN=$(scripts/test-db.sh); then
  export CC_TEST_MYSQL_DSN
  echo "store tests also run on MariaDB: ${CC_TEST_MYSQL_DSN}"
  report database PASS "$CC_TEST_MYSQL_DSN"
else
  unset CC_TEST_MYSQL_DSN
  report database FAIL "no MariaDB: store tests ran on SQLite only"
fi

# Tools some Go tests drive: ghostscript converts fax documents (PDF to
# TIFF), and the second SMSC (scripts/smsc-demo, npm smpp@0.5.1) is
# installed exactly as its package-lock.json pins it.
echo "=== tools"
if ! command -v gs >/dev/null 2>&1; then
  echo "installing Debian's ghostscript"
  scripts/apt-install.sh ghostscript >/dev/null 2>&1 || true
fi
if command -v node >/dev/null 2>&1; then
  (cd scripts/smsc-demo && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
fi
if command -v gs >/dev/null 2>&1; then report tools PASS "gs $(gs --version)"; else report tools FAIL "no ghostscript: fax conversion tests skipped"; fi

# -timeout is a guard against a hung test, not a speed check: tests wait on
# conditions, and under -race on a busy 2-core machine a package can take
# many times its quiet time.
step "go test" go test -race -count=1 -timeout 45m ./... "$@"

# Each fuzz target (importers, API request bodies) for a short budget beyond
# its committed seeds; a crasher would land in testdata and fail git status.
step "fuzz" scripts/fuzz.sh 10

# The Vue app: type check, unit tests (vitest), and the committed bundle
# api/web/app rebuilt from ui/ byte for byte (a reproducible build).
step "ui build" scripts/ui-build.sh --check

# The embedded UI in a real browser (Debian's chromium + playwright-core),
# run whether or not the Go tests passed.
step "browser" scripts/test-ui.sh

finish 0
