#!/usr/bin/env bash
# Makes sure a MariaDB/MySQL server is reachable for the store tests and prints
# a DSN for CC_TEST_MYSQL_DSN on stdout. Order: an already-set
# CC_TEST_MYSQL_DSN; the local server on 127.0.0.1:3306 (started as the
# machine's service if it is installed but down); otherwise install Debian's
# mariadb-server and run a throw-away server on 127.0.0.1:33306 with its data
# under /tmp, which `scripts/test-db.sh stop` ends again (scripts/test.sh does
# so at the end of the run that started it).
set -euo pipefail
log() { echo "test-db: $*" >&2; }
D=/tmp/cc-test-mariadb
mark=${CALLCENTER_TEST_RUN:-manual}

ping_db() { mariadb-admin --protocol=tcp -h127.0.0.1 -P"$1" -uroot ping >/dev/null 2>&1; }
# wait_db waits until the server on port $1 answers, or its process ($2) is
# gone; the 2-minute limit is only a safety net.
wait_db() {
  for _ in $(seq 1 1200); do
    ping_db "$1" && return 0
    [ -z "${2:-}" ] || kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

if [ "${1:-}" = stop ]; then
  # Only the run that started the throw-away server stops it.
  if [ -f "$D/started-by" ] && [ "$(cat "$D/started-by")" = "$mark" ]; then
    log "stopping the throw-away MariaDB on port 33306"
    mariadb-admin --protocol=tcp -h127.0.0.1 -P33306 -uroot shutdown >/dev/null 2>&1 || true
    pid=$(cat "$D/mariadbd.pid" 2>/dev/null || true)
    while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    rm -f "$D/started-by"
  fi
  exit 0
fi

if [ -n "${CC_TEST_MYSQL_DSN:-}" ]; then echo "$CC_TEST_MYSQL_DSN"; exit 0; fi

if command -v mariadb-admin >/dev/null 2>&1 && ping_db 3306; then
  echo "root@tcp(127.0.0.1:3306)/test"; exit 0
fi
if command -v mariadbd >/dev/null 2>&1 && [ -d /var/lib/mysql/mysql ]; then
  log "starting the installed MariaDB (the machine's service: it keeps running)"
  # Without the test run's mark: a service, not a process the run leaks.
  env -u CALLCENTER_TEST_RUN start-stop-daemon --start --oknodo --background --exec "$(command -v mariadbd)" >/dev/null 2>&1 || true
  if wait_db 3306; then
    mariadb --protocol=tcp -h127.0.0.1 -uroot -e 'CREATE DATABASE IF NOT EXISTS test' >/dev/null 2>&1 || true
    echo "root@tcp(127.0.0.1:3306)/test"; exit 0
  fi
fi
if ! command -v mariadb-install-db >/dev/null 2>&1; then
  log "installing mariadb-server from Debian's packages"
  "$(dirname "$0")/apt-install.sh" mariadb-server mariadb-client >&2
fi
if ! ping_db 33306; then
  log "starting a throw-away MariaDB in $D on port 33306"
  rm -rf "$D"; mkdir -p "$D"
  mariadb-install-db --no-defaults --datadir="$D" --auth-root-authentication-method=normal --user=root >&2
  mariadbd --no-defaults --datadir="$D" --socket="$D/s.sock" --port=33306 --bind-address=127.0.0.1 \
     --pid-file="$D/mariadbd.pid" --user=root --skip-log-bin >"$D/server.log" 2>&1 </dev/null &
  echo "$mark" >"$D/started-by"
  wait_db 33306 $! || { log "MariaDB did not start; see $D/server.log"; exit 1; }
fi
mariadb --protocol=tcp -h127.0.0.1 -P33306 -uroot -e 'CREATE DATABASE IF NOT EXISTS test' >&2
echo "root@tcp(127.0.0.1:33306)/test"
