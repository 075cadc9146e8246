#!/usr/bin/env bash
# privileges: caselogd will not run as root unless told to drop to a named user (or
# the explicit CASELOG_ALLOW_ROOT=1 of throwaway containers); --user as non-root is an
# error; --check-config runs as anyone.
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
conf="$harness_top/packaging/caselog.conf.example"
set +e
if [ "$(id -u)" = 0 ]; then
    env -u CASELOG_ALLOW_ROOT "$CASELOGD" -c "$conf" --once 2>"$work/err"; rc=$?
    h_check "root without --user: refused" 1 "$rc"
    h_check "with a clear reason" 1 "$(grep -c "refusing to run as root" "$work/err")"
    env -u CASELOG_ALLOW_ROOT "$CASELOGD" -c "$conf" --once --user no-such-user-here 2>"$work/err"; rc=$?
    h_check "--user of no such user: refused" 1 "$rc"
    # nobody cannot read a root-only config: proof the drop happened before reading it.
    cp "$conf" "$work/root-only.conf"; chmod 600 "$work/root-only.conf"; chmod 711 "$work"
    env -u CASELOG_ALLOW_ROOT "$CASELOGD" -c "$work/root-only.conf" --once --user nobody 2>"$work/err"; rc=$?
    h_check "--user nobody: dropped before reading the config" 1 "$(grep -c "Permission denied\|cannot open\|cannot read" "$work/err")"
else
    "$CASELOGD" -c "$conf" --once --user nobody 2>"$work/err"; rc=$?
    h_check "--user when not root: refused" 1 "$rc"
    h_check "with a clear reason" 1 "$(grep -c "needs to be started as root" "$work/err")"
fi
env -u CASELOG_ALLOW_ROOT "$CASELOGD" -c "$conf" --check-config >/dev/null 2>&1; rc=$?
h_check "--check-config runs as anyone" 0 "$rc"
set -e
h_summary privileges
