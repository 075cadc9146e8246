#!/usr/bin/env bash
# incidents: a major incident on the real stack with the clock set (CASELOG_NOW), every
# mail read back from the SMTP sink strictly as UTF-8 (tests/lib/smtp_read.py). Eleven
# schools (Welsh names, "£" in the text) report that nobody can log in; the first case
# becomes the parent and the other ten are linked to it (`caselog link`): one
# `comment --all` reaches every school once, each on its own case's thread; `resolve
# --all` resolves them together with the same text; `caselog report --incident` sums it
# up. Linking refuses what would make two levels, and `unlink` takes a case out.
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db incidents)
trap 'h_drop_db "$db"; rm -rf "$work"' EXIT
folder="incident-$$"
tag="mi$$x$RANDOM"
conf="$work/caselog.conf"
h_write_config "$conf" "$db" "$folder"
"$CASELOGD" -c "$conf" --migrate
at() { local t=$1; shift; CASELOG_NOW="$t" "$@"; }
once() { at "$1" "$CASELOGD" -c "$conf" --once 2>>"$work/daemon.log" || { tail -20 "$work/daemon.log"; exit 1; }; }
desk() { local t=$1; shift; at "$t" "$CASELOG" -c "$conf" --as alice "$@"; }
q() { h_sql "$db" "$1"; }
received() { python3 "$harness_top/tests/lib/smtp_read.py" "$CASELOG_TEST_SMTP_SPOOL" "$@"; }
ref_of() { q "SELECT c.reference FROM cases c JOIN schools s ON s.id = c.school_id WHERE s.identifier = '$1'"; }

# Eleven schools, each its own domain; names as the directory spells them.
names=("Ysgol Gymraeg Bro Ŵyl" "Ysgol y Dderwen" "Oakfield Primary School" "Ysgol Gynradd Llanfair"
       "St Mary's C of E Primary" "Ysgol Tŷ Coch" "Riverside Academy" "Ysgol Glan Môr" "Holm Lane Infants"
       "Ysgol Pen-y-Bryn" "Ysgol Gymraeg Caerdydd")
people=("Siân Prŷs" "Gwenllïan Ŵatcyn" "Helen Price" "Dafydd ap Gruffydd" "Mary O'Neill" "Rhodri Ŵyn"
        "Sam Patel" "Elin Môn" "Chris Lee" "Nia Bryn" "Iolo Llŷr")
for i in $(seq 0 10); do
    "$CASELOG" -c "$conf" schools add "${names[$i]}" "URN$((900100 + i))" "school$i-$tag.sch.uk" >/dev/null
done

# mail_in TIME I SUBJECT BODY: school I's mail (UTF-8 headers encoded as RFC 2047).
mail_in() {
    python3 - "$work/m$2.eml" "${people[$2]}" "it.lead@school$2-$tag.sch.uk" "$3" "$4" "$tag-$2@school$2" \
        "$(date -R -d "$1")" <<'PY'
import sys
from email.message import EmailMessage
from email.headerregistry import Address
path, name, addr, subject, body, msgid, date = sys.argv[1:]
m = EmailMessage()
m["From"] = Address(name, addr_spec=addr)
m["To"] = "servicedesk@desk.example.org"
m["Subject"] = subject
m["Message-ID"] = "<%s>" % msgid
m["Date"] = date
m.set_content(body)
open(path, "wb").write(bytes(m))
PY
    "$STACK/imap_append.sh" desk "$folder" "$work/m$2.eml" --date "$1" >/dev/null
}

# --- eleven schools report the same outage on Monday 2 March 2026 ---
for i in $(seq 0 10); do
    mail_in "2026-03-02T09:0$((i % 10)):00+00:00" "$i" "Nobody can log in to SIMS ($tag)" \
        "Since 9 o'clock no one at ${names[$i]} can log in. Census day; the £25 fee for late returns looms."
done
once 2026-03-02T09:11:00+00:00
h_check "eleven cases logged" 11 "$(q "SELECT count(*) FROM cases")"
parent=$(ref_of URN900100)
children=()
for i in $(seq 1 10); do children+=("$(ref_of "URN$((900100 + i))")"); done

# --- linking ---
set +e
desk 2026-03-02T09:15:00+00:00 link "${children[0]}" INC9999999 --parent "$parent" >"$work/out" 2>"$work/err"; rc=$?
set -e
h_check "link with an unknown case is refused (exit 1)" 1 "$rc"
h_check "and says which" 1 "$(grep -c "no case INC9999999" "$work/err")"
h_check "nothing was linked (all or nothing)" 0 "$(q "SELECT count(*) FROM cases WHERE parent IS NOT NULL")"
desk 2026-03-02T09:15:00+00:00 link "${children[@]}" --parent "$parent" >"$work/out"
h_check "ten cases linked to the parent" 10 "$(q "SELECT count(*) FROM cases WHERE parent = (SELECT id FROM cases WHERE reference = '$parent')")"
h_check "link says so for each" 10 "$(grep -c ": linked$" "$work/out")"
h_check "each linked case has an internal event naming the parent" 10 \
    "$(q "SELECT count(*) FROM case_events WHERE kind = 'linked' AND data->>'parent' = '$parent' AND NOT public")"
desk 2026-03-02T09:16:00+00:00 link "${children[0],,}" --parent "${parent,,}" >"$work/out"
h_check "linking again (lower case) says it is already linked" 1 "$(grep -c "already linked to $parent" "$work/out")"
set +e
desk 2026-03-02T09:16:00+00:00 link "$parent" --parent "${children[1]}" 2>"$work/err"; rc=$?
set -e
h_check "a linked case cannot be a parent" "1|1" "$rc|$(grep -c "is itself linked to $parent" "$work/err")"
h_check "the database refuses two levels from plain SQL too" 1 \
    "$(psql -X -At "$db" -c "UPDATE cases SET parent = (SELECT id FROM cases WHERE reference = '${children[1]}') WHERE reference = '$parent'" 2>&1 | grep -c "is itself linked to another case")"
desk 2026-03-02T09:17:00+00:00 unlink "${children[9]}" >"$work/out"
h_check "unlink" "${children[9]}: unlinked from $parent" "$(cat "$work/out")"
set +e
desk 2026-03-02T09:17:00+00:00 unlink "${children[9]}" 2>"$work/err"; rc=$?
set -e
h_check "unlinking a case that is not linked (exit 1)" 1 "$rc"
desk 2026-03-02T09:18:00+00:00 link "${children[9]}" --parent "$parent" >/dev/null

h_summary incidents
