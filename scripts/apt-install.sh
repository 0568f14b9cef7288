#!/usr/bin/env bash
# Installs Debian packages that are missing, for the test scripts. Several
# test runs on one machine (or an unattended upgrade) may install at the
# same moment: the runs take turns on a lock of their own, and apt waits for
# dpkg's lock instead of failing at once. Packages already installed, by an
# earlier run meanwhile too, are skipped.
set -euo pipefail
missing() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}
exec 9>/tmp/callcenter-apt.lock
flock 9
mapfile -t todo < <(missing "$@")
[ "${#todo[@]}" -eq 0 ] && exit 0
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -q -o DPkg::Lock::Timeout=900)
"${apt[@]}" install -y --no-install-recommends "${todo[@]}" ||
  { "${apt[@]}" update && "${apt[@]}" install -y --no-install-recommends "${todo[@]}"; }
