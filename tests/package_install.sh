#!/usr/bin/env bash
# package_install: build the Debian package, install it on this machine (as root, or
# with passwordless sudo), and try it as an admin would: the programs run, the shipped
# example config passes --check-config with the installed templates, the man pages and
# the unit are in place, the caselog user exists; then purge it. Without root it
# extracts the package instead and says so.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
passed=0
failed=0
check() { # NAME EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then echo "ok: $1 ($3)"; passed=$((passed + 1)); else echo "FAILED: $1: expected '$2', got '$3'"; failed=$((failed + 1)); fi
}
sudo=""
if [ "$(id -u)" != 0 ]; then
    if sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo=none; fi
fi
installed=no
cleanup() {
    [ "$installed" = yes ] && $sudo dpkg --purge caselog >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
deb=$("$top/packaging/build-deb.sh" "$work/out" | tail -n 1)
check "package built" yes "$([ -f "$deb" ] && echo yes || echo no)"
check "package metadata" "caselog" "$(dpkg-deb -f "$deb" Package)"

if [ "$sudo" = none ]; then
    echo "package_install: not root and no passwordless sudo: extracting instead of installing"
    dpkg-deb -x "$deb" "$work/root"
    for f in usr/sbin/caselogd usr/bin/caselog usr/share/caselog/templates/acknowledgement.txt \
             usr/share/caselog/sql/001_schema.sql usr/share/man/man1/caselog.1 usr/share/man/man5/caselog.conf.5 \
             usr/share/man/man8/caselogd.8 usr/lib/systemd/system/caselogd.service etc/caselog/caselog.conf; do
        check "packaged: /$f" yes "$([ -e "$work/root/$f" ] && echo yes || echo no)"
    done
else
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null 2>"$work/apt.err" ||
        $sudo dpkg -i "$deb" >/dev/null
    installed=yes
    check "installed" "install ok installed" "$(dpkg-query -W -f='${Status}' caselog)"
    check "caselogd --help" 0 "$(/usr/sbin/caselogd --help >/dev/null 2>&1; echo $?)"
    check "caselog --help" 0 "$(/usr/bin/caselog --help >/dev/null 2>&1; echo $?)"
    check "the shipped config passes --check-config (installed templates)" 0 \
        "$($sudo /usr/sbin/caselogd --check-config -c /etc/caselog/caselog.conf >/dev/null 2>"$work/check.err"; echo $?)"
    check "the config is a conffile" /etc/caselog/caselog.conf "$(dpkg-query -W -f='${Conffiles}' caselog | awk 'NF {print $1}')"
    check "the config is readable by the caselog group only" "640 root:caselog" \
        "$(stat -c '%a %U:%G' /etc/caselog/caselog.conf)"
    check "the caselog system user" yes "$(getent passwd caselog >/dev/null && echo yes || echo no)"
    check "man caselog" /usr/share/man/man1/caselog.1 "$(man -w caselog 2>/dev/null)"
    check "man caselog.conf" /usr/share/man/man5/caselog.conf.5 "$(man -w 5 caselog.conf 2>/dev/null)"
    check "man caselogd" /usr/share/man/man8/caselogd.8 "$(man -w 8 caselogd 2>/dev/null)"
    check "the unit is installed" yes "$([ -f /usr/lib/systemd/system/caselogd.service ] && echo yes || echo no)"
    check "systemd-analyze verify on the installed unit" "" "$(systemd-analyze verify /usr/lib/systemd/system/caselogd.service 2>&1)"
    check "the daemon refuses root" 1 "$($sudo env -u CASELOG_ALLOW_ROOT /usr/sbin/caselogd --once -c /etc/caselog/caselog.conf >/dev/null 2>&1; echo $?)"
    $sudo dpkg --purge caselog >/dev/null
    installed=no
    check "purged: files gone" no "$([ -e /usr/sbin/caselogd ] || [ -e /etc/caselog ] && echo yes || echo no)"
fi
echo "package_install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
