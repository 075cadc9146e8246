#!/usr/bin/env bash
# incidents: a major incident on the real stack with the clock set (CASELOG_NOW), every
# mail read back from the SMTP sink strictly as UTF-8 (tests/lib/smtp_read.py). Eleven
# schools (Welsh names, "£" in the text) report that nobody can log in; the first case
# becomes the parent and the other ten are linked to it (`caselog link`): one
# `comment --all` reaches every school once, each on its own case's thread; `resolve
# --all` resolves them together with the same text; `caselog report --incident` sums it
# up. Linking refuses what would make two levels, and `unlink` takes a case out. All of
# it is done by a desk member logged in as themselves (no admin, no --as).
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db incidents)
gwen=$(h_role gwen)
trap 'h_drop_db "$db"; h_drop_roles "$gwen"; rm -rf "$work"' EXIT
folder="incident-$$"
tag="mi$$x$RANDOM"
conf="$work/caselog.conf"
h_write_config "$conf" "$db" "$folder"
"$CASELOGD" -c "$conf" --migrate
at() { local t=$1; shift; CASELOG_NOW="$t" "$@"; }
once() { h_once "$conf" "$1"; }
"$CASELOG" -c "$conf" staff add "$gwen" --name "Gwen Ŵyn" --email "gwen.$tag@desk.example.org" >/dev/null
sed "s/user=[^ \"]*/user=$gwen/" "$conf" > "$work/gwen.conf"
desk() { local t=$1; shift; at "$t" "$CASELOG" -c "$work/gwen.conf" "$@"; }
q() { h_sql "$db" "$1"; }
ref_of() { q "SELECT c.reference FROM cases c JOIN schools s ON s.id = c.school_id WHERE s.identifier = '$1' ORDER BY c.id LIMIT 1"; }

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
    mail_in "$(printf '2026-03-02T09:%02d:00+00:00' "$i")" "$i" "Nobody can log in to SIMS ($tag)" \
        "Since 9 o'clock no one at ${names[$i]} can log in. Census day; the £25 fee for late returns looms."
done
once 2026-03-02T09:11:00+00:00
h_check "eleven cases logged" 11 "$(q "SELECT count(*) FROM cases")"
# The first school's IT lead writes again about the same outage: a second case of theirs.
cp "$work/m1.eml" "$work/m1-again.eml"
sed -i "s/^Message-ID: .*/Message-ID: <$tag-1-again@school1>/; s/^Subject: .*/Subject: Still nobody can log in ($tag)/" "$work/m1-again.eml"
"$STACK/imap_append.sh" desk "$folder" "$work/m1-again.eml" --date 2026-03-02T09:12:00+00:00 >/dev/null
once 2026-03-02T09:12:30+00:00
again=$(q "SELECT reference FROM cases WHERE subject = 'Still nobody can log in ($tag)'")
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
desk 2026-03-02T09:18:00+00:00 link "${children[9]}" "$again" --parent "$parent" >/dev/null

h_check "show names a linked case's major incident" 1 \
    "$(desk 2026-03-02T09:19:00+00:00 show "${children[2]}" --no-pager | grep -c "^  major incident   $parent$")"
h_check "show counts the parent's linked cases" 1 \
    "$(desk 2026-03-02T09:19:00+00:00 show "$parent" --no-pager | grep -c "^  linked cases     11 (caselog report --incident $parent)$")"
h_check "list --json says so too" "$parent|11" \
    "$(desk 2026-03-02T09:19:00+00:00 list --json | python3 -c 'import json,sys; r={c["reference"]: c for c in json.load(sys.stdin)}; print("%s|%d" % (r[sys.argv[1]]["parent"], r[sys.argv[2]]["linked_cases"]))' "${children[2]}" "$parent")"

# --- one update to every school, each on its own thread ---
update_text="SIMS is down for every school in the county (£0 to you): the supplier is restoring the service. Next update by 10:30."
desk 2026-03-02T09:30:00+00:00 comment "$parent" --all "$update_text" >"$work/out"
h_check "comment --all changed the parent, its ten schools' cases and the second report" "comment --all: 12 cases changed, 0 skipped" \
    "$(tail -1 "$work/out")"
once 2026-03-02T09:30:30+00:00
for i in $(seq 0 10); do
    ref=$(ref_of "URN$((900100 + i))")
    h_check "school $i (${names[$i]}) got the update once, as its own case's reply" "1|1" \
        "$(h_received --rcpt "it.lead@school$i-$tag.sch.uk" --subject "[$ref] Update:" --body "$update_text")|$(h_received --rcpt "it.lead@school$i-$tag.sch.uk" --body "$update_text" --header "In-Reply-To:<$tag-$i@school$i>")"
done
h_check "one mail per requester: the IT lead with two cases hears once" 1 \
    "$(h_received --rcpt "it.lead@school1-$tag.sch.uk" --body "$update_text")"
h_check "the second case's event says on which case it was told" "${children[0]}" \
    "$(q "SELECT e.data->>'mailed_with' FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.reference = '$again' AND e.kind = 'comment'")"
h_check "eleven update mails in all, one per requester" 11 "$(h_received --body "$update_text")"
h_check "no mail names another school" 0 "$(h_received --body "$update_text" --cc "it.lead@school2-$tag.sch.uk")"
h_check "every case of the incident has its response" 12 \
    "$(q "SELECT count(*) FROM cases WHERE responded_at = '2026-03-02 09:30:00+00'")"
h_check "written by the desk member, as themselves" "$gwen" \
    "$(q "SELECT string_agg(DISTINCT actor, ',') FROM case_events WHERE kind IN ('comment', 'linked', 'linked_case')")"
h_check "each comment event names the incident" 12 \
    "$(q "SELECT count(*) FROM case_events WHERE kind = 'comment' AND data->>'incident' = '$parent' AND public")"

# --- refusals ---
set +e
desk 2026-03-02T09:40:00+00:00 comment "${children[2]}" --all "wrong case" 2>"$work/err"; rc=$?
set -e
h_check "--all on a linked case points at its parent (exit 1)" "1|1" "$rc|$(grep -c "is linked to $parent: use --all on $parent" "$work/err")"
set +e
desk 2026-03-02T09:40:00+00:00 comment "$parent" --internal --all "x" 2>/dev/null; rc=$?
set -e
h_check "--all with --internal is a usage error (exit 2)" 2 "$rc"

# --- resolved together ---
desk 2026-03-02T10:00:00+00:00 resolve "${children[4]}" "Fixed locally for this school." >/dev/null
fix_text="SIMS is back for every school since 11:35. Please log in again; tell us if anything is still wrong."
desk 2026-03-02T11:40:00+00:00 resolve "$parent" --all "$fix_text" >"$work/out"
h_check "resolve --all: the others resolved, the one resolved already skipped" "resolve --all: 11 cases changed, 1 skipped" \
    "$(tail -1 "$work/out")"
h_check "the skipped one says why" 1 "$(grep -c "^${children[4]}: skipped: the case is already resolved" "$work/out")"
h_check "all twelve resolved" 12 "$(q "SELECT count(*) FROM cases WHERE state = 'resolved'")"
h_check "resolved together, with the same text" 11 \
    "$(q "SELECT count(*) FROM case_events WHERE kind = 'resolved' AND data->>'text' = '$fix_text' AND data->>'incident' = '$parent'")"
once 2026-03-02T11:40:30+00:00
h_check "each case resolved together asks its school to confirm, with the text" 11 \
    "$(h_received --subject "Can we close this case?" --body "$fix_text")"

# --- the post-incident report ---
desk 2026-03-02T12:00:00+00:00 report --incident "$parent" >"$work/report"
cat "$work/report"
h_check "report: schools affected" 1 "$(grep -c "^Schools affected:   11 (12 cases)" "$work/report")"
h_check "report: the first report" 1 "$(grep -c "^First report:       Mon 2 Mar 2026 09:00, Ysgol Gymraeg Bro Ŵyl ($parent)" "$work/report")"
h_check "report: the response" 1 "$(grep -c "^Response:           Mon 2 Mar 2026 09:30, 0h 30m working time after the first report" "$work/report")"
h_check "report: the updates sent" 1 "$(grep -c "^Updates sent:       1 to every school" "$work/report")"
h_check "report: the resolution" 1 "$(grep -c "^Resolution:         Mon 2 Mar 2026 11:40" "$work/report")"
h_check "report: the total working time" 1 "$(grep -c "^Total working time: 2h 40m (first report to resolution)" "$work/report")"
desk 2026-03-02T12:00:00+00:00 report --incident "${children[3]}" --format json >"$work/report.json"
h_check "report --format json, from a linked case" "$parent|11|30|160|1" \
    "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("%s|%d|%d|%d|%d" % (r["incident"], r["schools_affected"], r["response_working_minutes"], r["total_working_minutes"], r["updates_sent"]))' "$work/report.json")"

h_summary incidents
