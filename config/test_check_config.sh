#!/bin/sh
# test_check_config: runs the real caselogd --check-config. A broken file exits 2 and
# prints file:line messages; a file with three problems prints all three; the annotated
# example exits 0 with no secrets in the environment. Changes nothing outside a temp dir.
set -u
bin="$CASELOG_BUILD_DIR/daemon/caselogd"
configs="$CASELOG_SOURCE_DIR/tests/configs"
example="$CASELOG_SOURCE_DIR/packaging/caselog.conf.example"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

expect_broken() { # file, expected message prefix
    (cd "$configs" && "$bin" --check-config -c "$1") >"$out" 2>&1
    rc=$?
    [ "$rc" -eq 2 ] || fail "$1: exit $rc, expected 2"
    grep -qF -- "$2" "$out" || { fail "$1: no line '$2' in:"; cat "$out"; }
}

expect_broken unknown_key.conf "unknown_key.conf:3: unknown key 'desk_colour' in the top level"
expect_broken bad_period.conf 'bad_period.conf:4: monday: bad period "8:00-25:00"'
expect_broken plaintext_remote.conf 'plaintext_remote.conf:4: tls = "none" (plaintext) refused'
expect_broken syntax_error.conf "syntax_error.conf:3: syntax error"
expect_broken three_problems.conf "three_problems.conf:4: no_ack_older_than"
n=$(grep -c '^three_problems.conf:[0-9]*: ' "$out")
[ "$n" -eq 3 ] || fail "three_problems.conf: $n messages, expected 3"
(cd "$configs" && "$bin" --check-config -c no_such_file.conf) >"$out" 2>&1
rc=$?
[ "$rc" -eq 2 ] || fail "no_such_file.conf: exit $rc, expected 2"

env -u CASELOG_SUPPORT_PASSWORD -u CASELOG_SMTP_PASSWORD "$bin" --check-config -c "$example" >"$out" 2>&1
rc=$?
[ "$rc" -eq 0 ] || { fail "example: exit $rc, expected 0"; cat "$out"; }

# A template override with an unknown variable: refused with its file and line.
tdir=$(mktemp -d)
mkdir "$tdir/templates"
printf 'Subject: [{{reference}}] Update\n\nHello {{nonsense}}\n' > "$tdir/templates/update.txt"
{ cat "$example"; echo "templates = { dir = \"$tdir/templates\"; };"; } > "$tdir/caselog.conf"
env -u CASELOG_SUPPORT_PASSWORD -u CASELOG_SMTP_PASSWORD "$bin" --check-config -c "$tdir/caselog.conf" >"$out" 2>&1
rc=$?
[ "$rc" -eq 2 ] || fail "bad template: exit $rc, expected 2"
grep -qF -- "$tdir/templates/update.txt:3: unknown variable 'nonsense'" "$out" || { fail "bad template: no file:line in:"; cat "$out"; }
rm -rf "$tdir"

# A password_file that group or others may read is refused, as ssh refuses such a key.
sdir=$(mktemp -d)
printf 'secret-desk\n' > "$sdir/support.secret"
cat > "$sdir/caselog.conf" <<CONF
desk = { address = "servicedesk@desk.example.org"; domain = "desk.example.org"; };
database = { conninfo = "dbname=caselog"; };
mailboxes = (
  { name = "support"; host = "127.0.0.1"; tls = "none"; user = "desk";
    password_file = "$sdir/support.secret"; }
);
CONF
for mode in 644 640 604 660; do
    chmod "$mode" "$sdir/support.secret"
    "$bin" --check-config -c "$sdir/caselog.conf" >"$out" 2>&1
    rc=$?
    [ "$rc" -eq 2 ] || fail "password_file mode $mode: exit $rc, expected 2"
    grep -qF -- "$sdir/caselog.conf:5: password_file $sdir/support.secret is accessible by group or others (mode 0$mode)" "$out" ||
        { fail "password_file mode $mode: no file:line in:"; cat "$out"; }
done
for mode in 600 400; do
    chmod "$mode" "$sdir/support.secret"
    "$bin" --check-config -c "$sdir/caselog.conf" >"$out" 2>&1
    rc=$?
    [ "$rc" -eq 0 ] || { fail "password_file mode $mode: exit $rc, expected 0"; cat "$out"; }
done
rm -rf "$sdir"

[ "$failures" -eq 0 ] && echo "check-config: all passed"
exit "$failures"
