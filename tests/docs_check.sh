#!/usr/bin/env bash
# docs_check: every man page renders with no warning (groff -ww and man -l), and
# systemd-analyze verify accepts the unit, pointed at the built daemon, with its
# Documentation= pages found in our own man tree.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin="${CASELOG_BUILD_DIR:?}/daemon/caselogd"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
check() { # NAME OUTPUT-THAT-MUST-BE-EMPTY
    if [ -z "$2" ]; then echo "ok: $1"; passed=$((passed + 1)); else echo "FAILED: $1: $2"; failed=$((failed + 1)); fi
}
pages=("$top"/docs/man/*.[1-8])
[ ${#pages[@]} -ge 3 ] || { echo "FAILED: expected caselogd.8, caselog.1, caselog.conf.5"; exit 1; }
for page in "${pages[@]}"; do
    name=$(basename "$page")
    check "$name: groff -man -ww" "$(groff -man -ww -z "$page" 2>&1)"
    check "$name: man -l --warnings" "$(MANWIDTH=80 man -l --warnings=all "$page" 2>&1 >/dev/null)"
    section=${name##*.}
    mkdir -p "$work/man/man$section"
    cp "$page" "$work/man/man$section/"
done
sed "s|/usr/sbin/caselogd|$bin|g" "$top/packaging/caselogd.service" > "$work/caselogd.service"
check "systemd-analyze verify caselogd.service" "$(MANPATH="$work/man" systemd-analyze verify "$work/caselogd.service" 2>&1)"
sed "s|/usr/sbin/caselog-web|${CASELOG_BUILD_DIR}/web/caselog-web|g" "$top/packaging/caselog-web.service" > "$work/caselog-web.service"
check "systemd-analyze verify caselog-web.service" \
    "$(MANPATH="$work/man" systemd-analyze verify "$work/caselog-web.service" 2>&1)"
echo "docs_check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
