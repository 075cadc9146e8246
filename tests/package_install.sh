#!/usr/bin/env bash
# package_install: the Debian package as an admin meets it (issue 17, part 7). Run it
# only under `flock /tmp/caselog-dpkg.lock` (it installs system-wide).
# (1) A fresh install: the programs run, the shipped config checks clean, it is
#     root:caselog-desk 0640, the unit has StateDirectory, copyright and changelog are
#     in place, lintian finds no error or warning; purge.
# (2) An upgrade from the previous release (0.1.0, built from its commit in a temporary
#     git worktree): the old package installed, its daemon logs a case from real mail
#     into a database owned by a non-superuser role; the new package installed over it
#     migrates the database as caselog (every migration since 009), the case is kept and readable
#     with the new caselog, and the new caselogd runs against the migrated schema.
# Without root it extracts the package instead and says so.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
passed=0
failed=0
check() { # NAME EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then echo "ok: $1 ($3)"; passed=$((passed + 1)); else echo "FAILED: $1: expected '$2', got '$3'"; failed=$((failed + 1)); fi
}
# The last commit of release 0.1.0, the version this one upgrades.
previous_release=1f2c041
sudo=""
if [ "$(id -u)" != 0 ]; then
    if sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo=none; fi
fi
# apt_install DEB: install or upgrade; an admin's edited configuration is kept.
apt_install() {
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confold \
        install -y -qq "$1" >"$work/apt.out" 2>"$work/apt.err" || { cat "$work/apt.out" "$work/apt.err"; return 1; }
}
installed=no
owner="" db=""
cleanup() {
    [ "$installed" = yes ] && $sudo dpkg --purge caselog >/dev/null 2>&1
    if [ -n "$db" ]; then
        psql -X -q "${CASELOG_TEST_PG_ADMIN}" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
        psql -X -q "${CASELOG_TEST_PG_ADMIN}" -c "DROP ROLE IF EXISTS $owner" >/dev/null 2>&1 || true
    fi
    git -C "$top" worktree remove --force "$work/previous" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
deb=$("$top/packaging/build-deb.sh" "$work/out" | tail -n 1)
check "package built" yes "$([ -f "$deb" ] && echo yes || echo no)"
check "package metadata" "caselog" "$(dpkg-deb -f "$deb" Package)"
version=$(sed -n 's/^project(caselog VERSION \([0-9.]*\).*/\1/p' "$top/CMakeLists.txt")
check "package version" "$version" "$(dpkg-deb -f "$deb" Version)"
check "lintian: no error, no warning" "" "$(lintian "$deb" 2>/dev/null | grep '^[EW]:' || true)"

if [ "$sudo" = none ]; then
    echo "package_install: not root and no passwordless sudo: extracting instead of installing (upgrade not tried)"
    dpkg-deb -x "$deb" "$work/root"
    for f in usr/sbin/caselogd usr/bin/caselog usr/share/caselog/templates/acknowledgement.txt \
             usr/share/caselog/sql/020_identity.sql usr/share/man/man1/caselog.1.gz usr/share/man/man5/caselog.conf.5.gz \
             usr/share/man/man8/caselogd.8.gz usr/lib/systemd/system/caselogd.service etc/caselog/caselog.conf \
             usr/share/doc/caselog/copyright usr/share/doc/caselog/changelog.gz usr/sbin/caselog-web \
             usr/share/man/man8/caselog-web.8.gz usr/lib/systemd/system/caselog-web.service; do
        check "packaged: /$f" yes "$([ -e "$work/root/$f" ] && echo yes || echo no)"
    done
    echo "package_install: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
fi

# --- (1) a fresh install ---
apt_install "$deb"
installed=yes
check "installed" "install ok installed" "$(dpkg-query -W -f='${Status}' caselog)"
check "caselogd --version" "caselogd $version" "$(/usr/sbin/caselogd --version | cut -d' ' -f1-2)"
check "caselog --version" "caselog $version" "$(/usr/bin/caselog --version | cut -d' ' -f1-2)"
check "the shipped config passes --check-config (installed templates)" 0 \
    "$($sudo /usr/sbin/caselogd --check-config -c /etc/caselog/caselog.conf >/dev/null 2>"$work/check.err"; echo $?)"
check "the config is a conffile" /etc/caselog/caselog.conf "$(dpkg-query -W -f='${Conffiles}' caselog | awk 'NF {print $1}')"
check "the config is readable by the caselog-desk group only" "640 root:caselog-desk" \
    "$(stat -c '%a %U:%G' /etc/caselog/caselog.conf)"
check "the daemon's user is in caselog-desk" yes "$(id -nG caselog | tr ' ' '\n' | grep -qx caselog-desk && echo yes || echo no)"
check "the unit: StateDirectory=caselog" 1 "$(grep -c '^StateDirectory=caselog$' /usr/lib/systemd/system/caselogd.service)"
check "systemd-analyze verify on the installed unit" "" "$(systemd-analyze verify /usr/lib/systemd/system/caselogd.service 2>&1)"
check "copyright and changelog" "yes yes" \
    "$([ -f /usr/share/doc/caselog/copyright ] && echo yes || echo no) $(zcat /usr/share/doc/caselog/changelog.gz | head -n 1 | grep -q "^caselog ($version)" && echo yes || echo no)"
check "man caselog" /usr/share/man/man1/caselog.1.gz "$(man -w caselog 2>/dev/null)"
check "caselog-web --version" "caselog-web $version" "$(/usr/sbin/caselog-web --version | cut -d' ' -f1-2)"
check "caselog-web checks the shipped config as its own user" 0 \
    "$($sudo runuser -u caselog-web -- /usr/sbin/caselog-web --check-config -c /etc/caselog/caselog.conf >/dev/null 2>&1; echo $?)"
check "the web desk's user is in caselog-desk" yes "$(id -nG caselog-web | tr ' ' '\n' | grep -qx caselog-desk && echo yes || echo no)"
check "man caselog-web" /usr/share/man/man8/caselog-web.8.gz "$(man -w 8 caselog-web 2>/dev/null)"
check "systemd-analyze verify on the web desk's unit" "" "$(systemd-analyze verify /usr/lib/systemd/system/caselog-web.service 2>&1)"
check "the daemon refuses root" 1 "$($sudo env -u CASELOG_ALLOW_ROOT /usr/sbin/caselogd --once -c /etc/caselog/caselog.conf >/dev/null 2>&1; echo $?)"
$sudo dpkg --purge caselog >/dev/null
installed=no
check "purged: files, users and group gone" "no no no no" \
    "$([ -e /usr/sbin/caselogd ] || [ -e /usr/sbin/caselog-web ] || [ -e /etc/caselog ] && echo yes || echo no) $(getent passwd caselog >/dev/null && echo yes || echo no) $(getent passwd caselog-web >/dev/null && echo yes || echo no) $(getent group caselog-desk >/dev/null && echo yes || echo no)"

# --- (2) an upgrade from the previous release, with a case in the database ---
: "${CASELOG_TEST_PG_ADMIN:?the test stack env is not loaded (run through tests/run)}"
# A shallow clone (some CI checkouts) lacks the old commit: fetch the history first.
if ! git -C "$top" cat-file -e "$previous_release^{commit}" 2>/dev/null &&
   [ "$(git -C "$top" rev-parse --is-shallow-repository 2>/dev/null)" = true ]; then
    git -C "$top" fetch -q --unshallow >/dev/null 2>&1 || git -C "$top" fetch -q origin "$previous_release" >/dev/null 2>&1 || true
fi
if ! git -C "$top" cat-file -e "$previous_release^{commit}" 2>/dev/null; then
    check "the previous release's commit $previous_release is in this clone" yes no
    echo "package_install: $passed passed, $failed failed"
    exit 1
fi
git -C "$top" worktree add --detach "$work/previous" "$previous_release" >/dev/null 2>&1
old_deb=$("$work/previous/packaging/build-deb.sh" "$work/old" | tail -n 1)
check "the previous release's package" "0.1.0" "$(dpkg-deb -f "$old_deb" Version)"
owner="pkg_owner_$$_$RANDOM"
db="t_pkg_$$_$RANDOM"
psql -X -q -v ON_ERROR_STOP=1 "$CASELOG_TEST_PG_ADMIN" -c "CREATE ROLE $owner LOGIN CREATEROLE" -c "CREATE DATABASE $db OWNER $owner" >/dev/null
conninfo=$(sed "s/dbname=postgres/dbname=$db/; s/user=[^ ]*/user=$owner/" <<<"$CASELOG_TEST_PG_ADMIN")
apt_install "$old_deb"
installed=yes
folder="pkg-$$"
$sudo install -o caselog -g caselog -m 600 /dev/stdin /etc/caselog/desk.secret <<<"secret-desk"
$sudo install -o caselog -g caselog -m 600 /dev/stdin /etc/caselog/smtp.secret <<<"secret-smtp"
$sudo tee /etc/caselog/caselog.conf >/dev/null <<CONF
desk = { name = "Package Test Desk"; address = "servicedesk@desk.example.org"; domain = "desk.example.org"; };
database = { conninfo = "$conninfo"; };
mailboxes = (
  { name = "support"; host = "127.0.0.1"; port = $CASELOG_TEST_IMAP_PORT; tls = "starttls";
    ca_file = "$CASELOG_TEST_CA_FILE"; user = "desk"; password_file = "/etc/caselog/desk.secret";
    folder = "$folder"; processed_folder = "$folder/Logged"; failed_folder = "$folder/Not logged"; idle = false; }
);
unknown_senders = "log";
smtp = { host = "127.0.0.1"; port = $CASELOG_TEST_SMTP_PORT; tls = "starttls"; ca_file = "$CASELOG_TEST_CA_FILE";
         user = "smtpuser"; password_file = "/etc/caselog/smtp.secret"; };
CONF
as_caselog() { $sudo runuser -u caselog -- "$@"; }
as_caselog /usr/sbin/caselogd --migrate -c /etc/caselog/caselog.conf 2>"$work/old-migrate.log"
printf 'From: Helen Price <h.price@oakfield-primary.sch.uk>\r\nTo: servicedesk@desk.example.org\r\nSubject: Kept across the upgrade %s\r\nMessage-ID: <pkg-%s@oakfield-primary.sch.uk>\r\n\r\nThe hall projector is dark.\r\n' "$$" "$$" > "$work/m.eml"
"$top/tests/stack/imap_append.sh" desk "$folder" "$work/m.eml" >/dev/null
as_caselog /usr/sbin/caselogd --once -c /etc/caselog/caselog.conf 2>"$work/old-once.log" || { tail -5 "$work/old-once.log"; }
q() { psql -X -At "$conninfo" -c "$1"; }
check "the old daemon logged the case" 1 "$(q "SELECT count(*) FROM cases WHERE subject = 'Kept across the upgrade $$'")"
check "the old schema stops at 9" 9 "$(q "SELECT max(version) FROM schema_migrations")"
apt_install "$deb"
check "upgraded" "$version" "$(dpkg-query -W -f='${Version}' caselog)"
check "the upgrade said it migrated" 1 "$(grep -c "caselog: database migrated" "$work/apt.out")"
since_previous=$(ls "$top/sql" | sed -n 's/^0*\([0-9][0-9]*\)_.*\.sql$/\1/p' | awk '$1 > 9' | sort -n | paste -sd' ')
check "the upgrade migrated the database (as caselog): every migration since 0.1.0" "$since_previous" \
    "$(q "SELECT string_agg(version::text, ' ' ORDER BY version) FROM schema_migrations WHERE version > 9")"
check "the tables are still the owner's" "$owner" "$(q "SELECT tableowner FROM pg_tables WHERE tablename = 'cases'")"
check "the case is kept" 1 "$(q "SELECT count(*) FROM cases WHERE subject = 'Kept across the upgrade $$'")"
check "the new caselog reads it" 1 \
    "$(as_caselog /usr/bin/caselog -c /etc/caselog/caselog.conf list --json | grep -c "\"subject\" : \"Kept across the upgrade $$\"")"
check "the new caselogd runs against the migrated schema" 0 \
    "$(as_caselog /usr/sbin/caselogd --once -c /etc/caselog/caselog.conf >/dev/null 2>"$work/new-once.log"; echo $?)"
check "the edited config was kept" 1 "$(grep -c "Package Test Desk" /etc/caselog/caselog.conf)"
$sudo dpkg --purge caselog >/dev/null
installed=no
echo "package_install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
