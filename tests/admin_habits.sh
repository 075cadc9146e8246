#!/usr/bin/env bash
# admin_habits: what an admin reaches for first (issue 17, part 5): --version of both
# programs (the project version and git describe), help for every subcommand both
# ways, caselogd --print-config (every default, secrets only as their source, itself a
# valid config), --check-config --user NAME checking as NAME, and times typed without
# an offset read in the desk's zone (explain --at, hold --until).
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db admin)
trap 'h_drop_db "$db"; rm -rf "$work"' EXIT

# --- versions ---
version=$(sed -n 's/^project(caselog VERSION \([0-9.]*\).*/\1/p' "$harness_top/CMakeLists.txt")
describe=$(git -C "$harness_top" describe --always --tags 2>/dev/null || true)
for p in "$CASELOG" "$CASELOGD"; do
    name=$(basename "$p")
    out=$("$p" --version)
    h_check "$name --version: the project version" "$name $version" "$(cut -d' ' -f1-2 <<<"$out")"
    if [ -n "$describe" ]; then
        h_check "$name --version: git describe" "(git $describe" "$(sed 's/-dirty)$//; s/)$//' <<<"$out" | cut -d' ' -f3-)"
    fi
done

# --- help for every subcommand, both ways ---
commands=$("$CASELOG" help | sed -n 's/^  \([a-z]*\) .*/\1/p')
h_check "caselog help lists the subcommands" yes "$([ "$(wc -w <<<"$commands")" -ge 18 ] && echo yes || echo no)"
missing=""
for c in $commands; do
    a=$("$CASELOG" help "$c" 2>&1) || missing="$missing help:$c"
    b=$("$CASELOG" "$c" --help 2>&1) || missing="$missing --help:$c"
    [ "$(head -n 1 <<<"$a")" = "$(head -n 1 <<<"$b")" ] && grep -q "^usage: caselog $c" <<<"$a" || missing="$missing $c"
done
h_check "every subcommand: help CMD and CMD --help, exit 0, the same usage" "" "$missing"
h_check "help of no such subcommand: exit 2" 2 "$("$CASELOG" help nonsense >/dev/null 2>&1; echo $?)"
# Each help names every option its command takes (what the command's parser accepts).
untold=""
while read -r c opts; do
    text=$("$CASELOG" help "$c" 2>&1)
    for o in $opts; do grep -q -- "$o" <<<"$text" || untold="$untold $c:$o"; done
done <<'OPTIONS'
list --state --priority --queue --school --assignee --mine --unassigned --breached --search --since --until --sort --limit --offset --json --no-pager
show --json --no-pager
report --month --from --to --by --format
explain --at --mailbox --json
set --type --queue --school --requester
hold --reason --until
resolve --no-confirm
comment --internal
priority --reason
attachment -o
outbox --failed --json retry
unlogged --json show reprocess
staff add list remove --name --email --admin --safeguarding --all --json
schools add list import --contact
status --json --prometheus
OPTIONS
h_check "every help names every option its command takes" "" "$untold"
h_check "caselog help's own line for report names --month" 1 "$("$CASELOG" help | grep -c '^  report .*--month')"

# --- the effective configuration ---
conf="$work/caselog.conf"
h_write_config "$conf" "$db" "admin-$$"
"$CASELOGD" --print-config -c "$conf" > "$work/printed.conf"
h_check "print-config: defaults filled in" "3 1" \
    "$(grep -c 'attempts = 3;\|reopen_window = "5d";\|give_up_after = "48h";' "$work/printed.conf") $(grep -c 'max_message_size = "25M";' "$work/printed.conf")"
h_check "print-config: a secret only as its source" "1 0" \
    "$(grep -c 'password_env = "CASELOG_TEST_DESK_PASSWORD";' "$work/printed.conf") $(grep -c "secret-desk" "$work/printed.conf")"
h_check "print-config: its output is a valid config" 0 "$("$CASELOGD" --check-config -c "$work/printed.conf" >/dev/null 2>&1; echo $?)"
"$CASELOGD" --print-config -c "$work/printed.conf" > "$work/again.conf"
h_check "and prints itself again unchanged" "" "$(diff <(tail -n +2 "$work/printed.conf") <(tail -n +2 "$work/again.conf"))"
# The example config sets what the SLA work added (an hours profile, a round-the-clock
# priority, a type's own targets, the report's targets): printed, every one is there,
# and the printed file means the same (its own print is the same text).
example="$harness_top/packaging/caselog.conf.example"
"$CASELOGD" --print-config -c "$example" > "$work/example.conf" 2>/dev/null
h_check "print-config keeps hours.periods (the summer holiday)" "1 1" \
    "$(grep -c 'name = "summer holiday"; from = "2026-07-22"; to = "2026-09-01";' "$work/example.conf") $(grep -c 'monday = \[ "09:00-15:00" \]' "$work/example.conf")"
h_check "print-config keeps a round-the-clock priority" 1 "$(grep -c 'level = 1; name = "Critical"; response = "20m"; resolution = "4h"; hours = "24x7";' "$work/example.conf")"
h_check "print-config keeps a type's targets" 1 "$(grep -c 'type = "complaint"; response = "3d"; resolution = "20d";' "$work/example.conf")"
h_check "print-config keeps the report's targets" 4 \
    "$(grep -o 'response_target = 95;\|resolution_target = 90;\|reactivation_max = 3;\|first_contact_target = 60;' "$work/example.conf" | wc -l)"
"$CASELOGD" --print-config -c "$work/example.conf" > "$work/example-again.conf" 2>/dev/null
h_check "and the example's print prints itself again unchanged" "" \
    "$(diff <(tail -n +2 "$work/example.conf") <(tail -n +2 "$work/example-again.conf"))"

# --- checking as the service's user ---
if [ "$(id -u)" = 0 ]; then
    secret="$work/support.secret"
    echo secret-desk > "$secret"
    chmod 600 "$secret"
    chmod 755 "$work"
    sed "s|password_env = \"CASELOG_TEST_DESK_PASSWORD\"|password_file = \"$secret\"|" "$conf" > "$work/file.conf"
    chmod 644 "$work/file.conf"
    h_check "--check-config as root: the secret can be read" 0 "$("$CASELOGD" --check-config -c "$work/file.conf" >/dev/null 2>&1; echo $?)"
    set +e
    "$CASELOGD" --check-config --user nobody -c "$work/file.conf" >/dev/null 2>"$work/err"; rc=$?
    set -e
    h_check "--check-config --user nobody: the secret nobody cannot read is a problem" "2 1" \
        "$rc $(grep -c "password_file $secret cannot be read" "$work/err")"
    chown nobody "$secret" # still 0600: group or others may not read a secret file
    h_check "once it is nobody's own: valid" 0 "$("$CASELOGD" --check-config --user nobody -c "$work/file.conf" >/dev/null 2>&1; echo $?)"
else
    echo "skipped (not counted): --check-config --user needs root"
    h_check "--check-config --user as non-root: refused" 1 "$("$CASELOGD" --check-config --user nobody -c "$conf" >/dev/null 2>&1; echo $?)"
fi

# --- times without an offset are the desk's (London: BST in July) ---
mail="$harness_top/tests/mail/02-printer-after-hours.eml"
received() { "$CASELOG" -c "$conf" explain "$mail" --json --at "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["received"])'; }
h_check "explain --at a local summer time is BST" "$(received 2026-07-10T08:00:00+01:00)" "$(received '2026-07-10 08:00')"
h_check "explain --at a local winter time is GMT" "$(received 2026-01-12T08:00:00+00:00)" "$(received 2026-01-12T08:00)"
set +e
"$CASELOG" -c "$conf" explain "$mail" --at "next tuesday" >/dev/null 2>"$work/err"; rc=$?
set -e
h_check "a time it cannot read: exit 2, the forms named" "2 1" "$rc $(grep -c "YYYY-MM-DD HH:MM" "$work/err")"
"$CASELOGD" -c "$conf" --migrate 2>/dev/null
printf 'From: Helen Price <h.price@oakfield-primary.sch.uk>\r\nTo: servicedesk@desk.example.org\r\nSubject: Summer term laptops\r\nMessage-ID: <admin-%s@oakfield-primary.sch.uk>\r\n\r\nHello.\r\n' "$$" > "$work/m.eml"
"$STACK/imap_append.sh" desk "admin-$$" "$work/m.eml" --date 2026-07-06T09:00:00+01:00 >/dev/null
CASELOG_NOW=2026-07-06T09:00:30+01:00 "$CASELOGD" -c "$conf" --once 2>>"$work/daemon.log"
ref=$(h_sql "$db" "SELECT reference FROM cases LIMIT 1")
CASELOG_NOW=2026-07-06T09:05:00+01:00 "$CASELOG" -c "$conf" hold "$ref" --reason customer_deferral --until "2026-07-10 08:00" >/dev/null
h_check "hold --until a local time: 08:00 BST is 07:00 UTC" "2026-07-10 07:00" \
    "$(h_sql "$db" "SELECT to_char(hold_until AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM cases")"

# --- the school directory keeps names on one line, as everything that shows them does ---
"$CASELOG" -c "$conf" schools add $'Ysgol Bryn\n  Ŵyn' "URN 700001" brynwyn.cymru >/dev/null
h_check "schools add: a line break in a name is a space" "Ysgol Bryn Ŵyn" \
    "$(h_sql "$db" "SELECT name FROM schools WHERE identifier = 'URN 700001'")"
set +e
"$CASELOG" -c "$conf" schools add $'Evil \e[2J School' "URN 700002" evil.example >/dev/null 2>"$work/err"; rc=$?
set -e
h_check "schools add: a name with ESC refused, nothing saved" "2 1 0" \
    "$rc $(grep -c 'a control character in the name' "$work/err") $(h_sql "$db" "SELECT count(*) FROM schools WHERE identifier = 'URN 700002'")"
printf 'name,identifier,domains\r\nCaf\xe9 School \xa3,URN 700003,cafe.example\r\n' > "$work/excel.csv"
set +e
"$CASELOG" -c "$conf" schools import "$work/excel.csv" >/dev/null 2>"$work/err"; rc=$?
set -e
h_check "schools import of an Excel CSV in Windows-1252: refused at its line, saying what to do" "1 1" \
    "$rc $(grep -c "excel.csv:2: not UTF-8 text (Excel: save as \"CSV UTF-8 (Comma delimited)\")" "$work/err")"
h_summary admin_habits
