#!/usr/bin/env bash
# Makes sure a MariaDB/MySQL server is reachable for the store tests and prints
# a DSN for CC_TEST_MYSQL_DSN on stdout. Order: an already-set
# CC_TEST_MYSQL_DSN; the local server on 127.0.0.1:3306 (started if it is
# installed but down); otherwise install Debian's mariadb-server and run a
# throw-away server on 127.0.0.1:33306 with its data under /tmp.
set -euo pipefail
log() { echo "test-db: $*" >&2; }

if [ -n "${CC_TEST_MYSQL_DSN:-}" ]; then echo "$CC_TEST_MYSQL_DSN"; exit 0; fi

ping_db() { mariadb-admin --protocol=tcp -h127.0.0.1 -P"$1" -uroot ping >/dev/null 2>&1; }
wait_db() { for _ in $(seq 1 60); do ping_db "$1" && return 0; sleep 0.5; done; return 1; }

if command -v mariadb-admin >/dev/null 2>&1 && ping_db 3306; then
  echo "root@tcp(127.0.0.1:3306)/test"; exit 0
fi
if command -v mariadbd >/dev/null 2>&1 && [ -d /var/lib/mysql/mysql ]; then
  log "starting the installed MariaDB"
  start-stop-daemon --start --oknodo --background --exec "$(command -v mariadbd)" >/dev/null 2>&1 || true
  if wait_db 3306; then
    mariadb --protocol=tcp -h127.0.0.1 -uroot -e 'CREATE DATABASE IF NOT EXISTS test' >/dev/null 2>&1 || true
    echo "root@tcp(127.0.0.1:3306)/test"; exit 0
  fi
fi
if ! command -v mariadb-install-db >/dev/null 2>&1; then
  log "installing mariadb-server from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2 && apt-get install -y -q --no-install-recommends mariadb-server mariadb-client >&2
fi
D=/tmp/cc-test-mariadb
if ! ping_db 33306; then
  log "starting a throw-away MariaDB in $D on port 33306"
  rm -rf "$D"; mkdir -p "$D"
  mariadb-install-db --no-defaults --datadir="$D" --auth-root-authentication-method=normal --user=root >&2
  (mariadbd --no-defaults --datadir="$D" --socket="$D/s.sock" --port=33306 --bind-address=127.0.0.1 \
     --user=root --skip-log-bin >"$D/server.log" 2>&1 &)
  wait_db 33306 || { log "MariaDB did not start; see $D/server.log"; exit 1; }
fi
mariadb --protocol=tcp -h127.0.0.1 -P33306 -uroot -e 'CREATE DATABASE IF NOT EXISTS test' >&2
echo "root@tcp(127.0.0.1:33306)/test"
