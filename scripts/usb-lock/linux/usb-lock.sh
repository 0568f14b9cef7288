#!/usr/bin/env bash
# usb-lock.sh: lock USB mass storage on a Linux agent PC, and report the lock
# state to the call center (R10). Keyboards, mice and headsets keep working:
# only USB interfaces of class 08 (mass storage: usb-storage, uas) are denied.
#
#   usb-lock.sh lock   [--root DIR]   write a udev rule that deauthorises mass-storage
#                                     interfaces and a modprobe file that never loads
#                                     usb-storage or uas
#   usb-lock.sh unlock [--root DIR]   remove exactly what lock wrote (files and the
#                                     folders it created); refuses if they were edited
#   usb-lock.sh status [--root DIR]   print state=locked|unlocked|partial and details;
#                                     exit 0 locked, 1 unlocked, 2 partial
#   usb-lock.sh report [--root DIR] --server URL [--token-file FILE] [--name NAME]
#                                     POST the status to URL/api/v1/workstations/report
#                                     with the workstation's token
#
# --root DIR acts on another tree than / (tests, building an image); the live
# steps (reload udev, unload the drivers, re-authorise on unlock) run only for /.
# Environment: CC_SERVER, CC_WORKSTATION_TOKEN_FILE, CC_WORKSTATION_NAME.
# Roll-out and token issue: see ../README.md.
set -euo pipefail

VERSION=1
ROOT=/
SERVER=${CC_SERVER:-}
TOKEN_FILE=${CC_WORKSTATION_TOKEN_FILE:-}
NAME=${CC_WORKSTATION_NAME:-}

RULE=etc/udev/rules.d/99-callcenter-usb-lock.rules
BLACKLIST=etc/modprobe.d/callcenter-usb-lock.conf
STATE_DIR=var/lib/callcenter-usb-lock
MANIFEST=$STATE_DIR/written
MARK="# callcenter usb-lock v$VERSION: written by usb-lock.sh; remove with: usb-lock.sh unlock"

die() { echo "usb-lock: $*" >&2; exit 3; }

rule_text() {
	cat <<EOF
$MARK
# Deauthorise USB mass-storage interfaces (class 08: usb-storage, uas) as they
# appear: the kernel binds no driver to them. Other USB devices are untouched.
ACTION=="add", SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_interface", ATTR{bInterfaceClass}=="08", ATTR{authorized}="0"
EOF
}

blacklist_text() {
	cat <<EOF
$MARK
# Never load the USB storage drivers, not even on request.
blacklist usb-storage
blacklist uas
install usb-storage /bin/true
install uas /bin/true
EOF
}

# path joins ROOT and a relative path.
path() { if [ "$ROOT" = / ]; then echo "/$1"; else echo "$ROOT/$1"; fi; }

sha() { sha256sum "$1" | cut -d' ' -f1; }

live() { [ "$ROOT" = / ]; }

# missing_dirs prints, parents first, the folders of a relative path that
# do not exist yet (lock creates them and unlock removes them again).
missing_dirs() {
	local rel=$1 acc="" part
	local IFS=/
	for part in $rel; do
		acc=${acc:+$acc/}$part
		[ -e "$(path "$acc")" ] || echo "$acc"
	done
}

# write_file puts content in place atomically, refusing a file usb-lock did not write.
write_file() {
	local rel=$1 content=$2 f tmp
	f=$(path "$rel")
	if [ -e "$f" ] && [ "$(head -n1 "$f")" != "$MARK" ]; then
		die "refusing to overwrite $f: it was not written by usb-lock.sh"
	fi
	tmp=$(mktemp "$f.XXXXXX")
	printf '%s\n' "$content" >"$tmp"
	chmod 0644 "$tmp"
	mv -f "$tmp" "$f"
}

cmd_lock() {
	local man dirs rel
	man=$(path "$MANIFEST")
	# The folders to create, unless a previous lock already recorded them.
	if [ -f "$man" ]; then
		dirs=$(sed -n 's/^dir //p' "$man")
	else
		dirs=$( { missing_dirs "$(dirname "$RULE")"; missing_dirs "$(dirname "$BLACKLIST")"; missing_dirs "$STATE_DIR"; } | awk '!seen[$0]++')
	fi
	for rel in "$RULE" "$BLACKLIST"; do
		if [ -e "$(path "$rel")" ] && [ "$(head -n1 "$(path "$rel")")" != "$MARK" ]; then
			die "refusing to overwrite $(path "$rel"): it was not written by usb-lock.sh"
		fi
	done
	mkdir -p "$(path "$(dirname "$RULE")")" "$(path "$(dirname "$BLACKLIST")")" "$(path "$STATE_DIR")"
	write_file "$RULE" "$(rule_text)"
	write_file "$BLACKLIST" "$(blacklist_text)"
	{
		for rel in $dirs; do echo "dir $rel"; done
		echo "file $(sha "$(path "$RULE")") $RULE"
		echo "file $(sha "$(path "$BLACKLIST")") $BLACKLIST"
	} >"$man.tmp"
	mv -f "$man.tmp" "$man"
	if live; then
		udevadm control --reload-rules 2>/dev/null || true
		# Apply the rule to storage already plugged in, then unload the drivers.
		udevadm trigger --subsystem-match=usb --action=add 2>/dev/null || true
		modprobe -r uas usb_storage 2>/dev/null || echo "usb-lock: usb-storage is in use; it stays loaded until the device is removed or the PC restarts" >&2
	fi
	echo "locked"
}

cmd_unlock() {
	local man kind sum rel f dirs
	man=$(path "$MANIFEST")
	if [ ! -f "$man" ]; then
		echo "usb-lock: nothing to unlock (no $man)" >&2
		return 0
	fi
	dirs=$(sed -n 's/^dir //p' "$man")
	# Check everything before removing anything, so a refusal changes nothing.
	while read -r kind sum rel; do
		[ "$kind" = file ] || continue
		f=$(path "$rel")
		if [ -e "$f" ] && [ "$(sha "$f")" != "$sum" ]; then
			die "refusing to unlock: $f was changed after lock; restore it or remove it by hand"
		fi
	done <"$man"
	while read -r kind sum rel; do
		[ "$kind" = file ] && rm -f "$(path "$rel")"
	done <"$man"
	rm -f "$man"
	# The folders lock created, deepest first, unless something else was put in them.
	for rel in $(printf '%s\n' $dirs | tac); do
		rmdir "$(path "$rel")" 2>/dev/null || true
	done
	if live; then
		udevadm control --reload-rules 2>/dev/null || true
		local a
		for a in /sys/bus/usb/devices/*/bInterfaceClass; do
			[ "$(cat "$a" 2>/dev/null)" = 08 ] && echo 1 >"$(dirname "$a")/authorized" 2>/dev/null || true
		done
	fi
	echo "unlocked"
}

# file_state says whether a managed file is present as lock writes it.
file_state() {
	local f=$1 want=$2
	if [ ! -e "$f" ]; then echo absent
	elif [ "$(cat "$f")" = "$want" ]; then echo present
	else echo modified
	fi
}

# status prints state=... and one key=value line per check.
status() {
	local rule mp loaded state
	rule=$(file_state "$(path "$RULE")" "$(rule_text)")
	mp=$(file_state "$(path "$BLACKLIST")" "$(blacklist_text)")
	loaded=no
	if [ -d "$(path sys/module/usb_storage)" ] || [ -d "$(path sys/module/uas)" ]; then loaded=yes; fi
	if [ "$rule" = present ] && [ "$mp" = present ] && [ "$loaded" = no ]; then state=locked
	elif [ "$rule" = absent ] && [ "$mp" = absent ]; then state=unlocked
	else state=partial
	fi
	echo "state=$state"
	echo "udev_rule=$rule"
	echo "modprobe_blacklist=$mp"
	echo "usb_storage_loaded=$loaded"
}

cmd_status() {
	local out
	out=$(status)
	echo "$out"
	case "$(sed -n 's/^state=//p' <<<"$out")" in
		locked) return 0 ;;
		unlocked) return 1 ;;
		*) return 2 ;;
	esac
}

# json_str keeps only characters that need no JSON escaping.
json_str() { printf '%s' "$1" | tr -cd 'A-Za-z0-9._:+=@/ -' | cut -c1-200; }

cmd_report() {
	local out state details="" k v token body code
	[ -n "$SERVER" ] || die "report needs --server URL (or CC_SERVER)"
	case "$SERVER" in http://* | https://*) ;; *) die "--server must start with http:// or https://" ;; esac
	TOKEN_FILE=${TOKEN_FILE:-$(path etc/callcenter/workstation.token)}
	[ -r "$TOKEN_FILE" ] || die "cannot read the workstation token file $TOKEN_FILE (see README: issuing tokens)"
	token=$(head -n1 "$TOKEN_FILE" | tr -d ' \t\r\n')
	[ -n "$token" ] || die "the token file $TOKEN_FILE is empty"
	if [ -z "$NAME" ]; then
		NAME=$(cat "$(path etc/hostname)" 2>/dev/null || hostname)
		NAME=${NAME%%.*}
	fi
	out=$(status)
	state=$(sed -n 's/^state=//p' <<<"$out")
	while IFS='=' read -r k v; do
		[ "$k" = state ] && continue
		details+="\"$(json_str "$k")\":\"$(json_str "$v")\","
	done <<<"$out"
	details+="\"script_version\":\"$VERSION\",\"kernel\":\"$(json_str "$(uname -r)")\""
	body="{\"name\":\"$(json_str "$NAME")\",\"state\":\"$state\",\"platform\":\"linux\",\"details\":{$details}}"
	# The token goes to curl in a private file, never on the command line
	# (where ps would show it).
	hdr=$(mktemp)
	resp=$(mktemp)
	trap 'rm -f "$hdr" "$resp"' EXIT
	chmod 0600 "$hdr"
	printf 'Authorization: Bearer %s\n' "$token" >"$hdr"
	code=$(printf '%s' "$body" | curl -sS --max-time 30 -o "$resp" -w '%{http_code}' -X POST \
		-H 'Content-Type: application/json' -H @"$hdr" --data-binary @- "${SERVER%/}/api/v1/workstations/report") ||
		die "cannot reach $SERVER"
	if [ "$code" != 200 ]; then
		echo "usb-lock: the server answered $code: $(head -c 500 "$resp")" >&2
		return 4
	fi
	echo "reported state=$state"
}

main() {
	[ $# -ge 1 ] || { sed -n '2,19p' "$0" >&2; exit 3; }
	local action=$1
	shift
	while [ $# -gt 0 ]; do
		case "$1" in
			--root) ROOT=${2:?--root needs a folder}; shift 2 ;;
			--server) SERVER=${2:?--server needs a URL}; shift 2 ;;
			--token-file) TOKEN_FILE=${2:?--token-file needs a file}; shift 2 ;;
			--name) NAME=${2:?--name needs a name}; shift 2 ;;
			*) die "unknown option $1" ;;
		esac
	done
	[ -d "$ROOT" ] || die "--root $ROOT is not a folder"
	ROOT=$(cd "$ROOT" && pwd)
	case "$action" in
		lock) cmd_lock ;;
		unlock) cmd_unlock ;;
		status) cmd_status ;;
		report) cmd_report ;;
		*) die "unknown action $action: use lock, unlock, status or report" ;;
	esac
}

main "$@"
