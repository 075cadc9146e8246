#!/usr/bin/env bash
# alerts: the desk hears about what matters (issue 19), on the real stack with the clock
# moved (CASELOG_NOW, no sleeping); every alert is read back from the SMTP sink strictly
# as UTF-8 (tests/lib/smtp_read.py). (1) A new P1 alerts the queue within one pass, once.
# (2) A P3 nobody touches reaches the warning, then the breach, each alerting once.
# (3) An assignment alerts the new assignee, unless they took it themselves; the
# school's reply to an assigned case alerts the assignee. (4) A case with no update in
# five working days raises staff-update-due once; a major incident hourly. (5) Alerts
# count in the per-address loop guard and never go to a school's address.
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db alerts)
trap 'h_drop_db "$db"; rm -rf "$work"' EXIT
folder="alerts-$$"
tag="al$$x$RANDOM"
conf="$work/caselog.conf"
h_write_config "$conf" "$db" "$folder"
# Census day is priority 1; the queue's address hears of new P1 and P2 cases.
sed -i 's/^routing = (/routing = (\n  { name = "census day"; subject = "(?i)census"; priority = 1; },/' "$conf"
cat >> "$conf" <<CONF
alerts = { queues = ( { queue = "ICT"; to = "ict-team@desk.example.org"; new_case_priority_at_most = 2; } );
           warning = 0.75; };
updates = { cadence = "5d"; major_incident_cadence = "1h"; };
web = { base_url = "https://desk.example.org/caselog"; };
CONF
"$CASELOGD" --check-config -c "$conf"
"$CASELOGD" -c "$conf" --migrate
at() { local t=$1; shift; CASELOG_NOW="$t" "$@"; }
once() { h_once "$conf" "$1"; }
desk() { local t=$1 who=$2; shift 2; at "$t" "$CASELOG" -c "$conf" --as "$who" "$@"; }
q() { h_sql "$db" "$1"; }
domain="ysgol-$tag.sch.uk"
"$CASELOG" -c "$conf" schools add "Ysgol Gymraeg Bro Ŵyl" "URN$$" "$domain" >/dev/null
# Two staff members (roles are cluster-wide: names unique to this run).
priya="priya_$tag"
sion="sion_$tag"
"$CASELOG" -c "$conf" staff add "$priya" --name "Priya Shāh" --email "priya.shah.$tag@desk.example.org" >/dev/null
"$CASELOG" -c "$conf" staff add "$sion" --name "Siôn Ŵyn" --email "sion.wyn.$tag@desk.example.org" >/dev/null
mail_in() { # TIME N SUBJECT BODY [IN-REPLY-TO]
    python3 - "$work/$2.eml" "$3" "$4" "$tag-$2@$domain" "$(date -R -d "$1")" "${5:-}" <<'PY'
import sys
from email.message import EmailMessage
from email.headerregistry import Address
path, subject, body, msgid, date, parent = sys.argv[1:]
m = EmailMessage()
m["From"] = Address("Siân Prŷs", addr_spec="s.prys@" + msgid.split("@")[1])
m["To"] = "servicedesk@desk.example.org"
m["Subject"] = subject
m["Message-ID"] = "<%s>" % msgid
if parent:
    m["In-Reply-To"] = "<%s>" % parent
m["Date"] = date
m.set_content(body)
open(path, "wb").write(bytes(m))
PY
    "$STACK/imap_append.sh" desk "$folder" "$work/$2.eml" --date "$1" >/dev/null
}
ref_of() { q "SELECT reference FROM cases WHERE subject = '$1'"; }
alerts_of() { q "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.reference = '$1' AND o.template = '$2'"; }

# --- (1) a new P1 alerts the queue within one pass ---
mail_in 2026-03-02T09:00:00+00:00 p1 "Census return: SIMS will not open ($tag)" "Nobody can open SIMS and the census is due today; £ fines."
once 2026-03-02T09:00:30+00:00
p1=$(ref_of "Census return: SIMS will not open ($tag)")
new_case=(--rcpt ict-team@desk.example.org --subject "[$p1] New P1 case in ICT from Ysgol Gymraeg Bro Ŵyl")
h_check "a new P1 alerts the queue in the pass that logged it" 1 "$(h_received "${new_case[@]}")"
h_check "it names the case, school, priority and due time" 1 \
    "$(h_received "${new_case[@]}" --body "School:      Ysgol Gymraeg Bro Ŵyl" --body "Priority:    1 (Critical)" --body "Respond by:  09:20 on Monday 2 March 2026")"
h_check "with a link to the web desk" 1 "$(h_received "${new_case[@]}" --body "https://desk.example.org/caselog/case/$p1")"
h_check "as automatic mail, To the queue by name, not threaded on the school's mail" 1 \
    "$(h_received "${new_case[@]}" --header "Auto-Submitted:auto-generated" --header "To:ICT queue")"
h_check "not threaded onto the school's mail" 0 "$(h_received "${new_case[@]}" --header "In-Reply-To:<")"
h_check "the school still gets its acknowledgement, and no alert" "1|0" \
    "$(h_received --rcpt "s.prys@$domain" --subject "[$p1] Census return")|$(h_received --rcpt "s.prys@$domain" --subject "New P1 case")"
once 2026-03-02T09:01:00+00:00
h_check "once: a second pass queues nothing more" 1 "$(alerts_of "$p1" staff-new-case)"
mail_in 2026-03-02T09:00:00+00:00 p3a "Staff room printer ($tag)" "The staff room printer jams."
once 2026-03-02T09:02:00+00:00
h_check "a new P3 does not alert the queue (new_case_priority_at_most = 2)" 0 \
    "$(alerts_of "$(ref_of "Staff room printer ($tag)")" staff-new-case)"

# --- (2) a P3 untouched: the warning, then the breach, each once ---
# Logged Monday 10:00; response target 8 working hours: due 18:00, warned at 16:00.
mail_in 2026-03-02T10:00:00+00:00 p3 "Interactive whiteboard in Ystafell 4 ($tag)" "The board is dark."
once 2026-03-02T10:00:30+00:00
p3=$(ref_of "Interactive whiteboard in Ystafell 4 ($tag)")
once 2026-03-02T15:59:00+00:00
h_check "no warning before three quarters of the response target" 0 "$(alerts_of "$p3" staff-sla-warning)"
# Two daemons pass at once (as on two hosts): the warning is queued and sent once.
once 2026-03-02T16:00:30+00:00 & other=$!
once 2026-03-02T16:00:30+00:00
wait "$other"
warning=(--rcpt ict-team@desk.example.org --subject "[$p3] 75% of the response target used")
h_check "the warning at three quarters, to the queue (nobody has the case), once from two daemons" "1|1" \
    "$(h_received "${warning[@]}")|$(alerts_of "$p3" staff-sla-warning)"
h_check "it names the due time" 1 "$(h_received "${warning[@]}" --body "Due:         18:00 on Monday 2 March 2026 (response)")"
once 2026-03-02T17:00:00+00:00
h_check "the warning once" 1 "$(alerts_of "$p3" staff-sla-warning)"
once 2026-03-02T18:00:30+00:00
breach=(--rcpt ict-team@desk.example.org --subject "[$p3] Missed response target")
h_check "the breach alert when the target passes" 1 "$(h_received "${breach[@]}" --body "due 18:00 on Monday 2 March 2026")"
once 2026-03-03T09:00:00+00:00
h_check "the breach once" 1 "$(alerts_of "$p3" staff-breach)"
# The resolution target (3 working days: Thursday 10:00) warns on Wednesday at 12:30.
once 2026-03-04T12:29:00+00:00
h_check "no resolution warning yet" 1 "$(alerts_of "$p3" staff-sla-warning)"
once 2026-03-04T12:30:30+00:00
h_check "the resolution warning" 1 "$(h_received --subject "[$p3] 75% of the resolution target used" --body "10:00 on Thursday 5 March 2026 (resolution)")"

# --- (3) assignments and the school's reply ---
mail_in 2026-03-09T09:00:00+00:00 p4 "Laptop trolley will not charge ($tag)" "Bay 3 shows no light."
once 2026-03-09T09:00:30+00:00
p4=$(ref_of "Laptop trolley will not charge ($tag)")
desk 2026-03-09T09:05:00+00:00 "$sion" assign "$p4" "$priya" >/dev/null
once 2026-03-09T09:05:30+00:00
assigned=(--rcpt "priya.shah.$tag@desk.example.org" --subject "[$p4] Assigned to you: P3 Laptop trolley")
h_check "assigned by another: the new assignee is told, by name" 1 \
    "$(h_received "${assigned[@]}" --body "Siôn Ŵyn has assigned case $p4 to you." --header "To:Priya Shāh")"
desk 2026-03-09T09:10:00+00:00 "$sion" assign "$p4" "$sion" >/dev/null
desk 2026-03-09T09:11:00+00:00 "$priya" assign "$p4" "$priya" >/dev/null
once 2026-03-09T09:11:30+00:00
h_check "taking a case oneself alerts nobody" 0 "$(h_received --rcpt "sion.wyn.$tag@desk.example.org" --subject "[$p4] Assigned to you")"
h_check "nor the one who took it back" 1 "$(alerts_of "$p4" staff-assigned)"
mail_in 2026-03-09T10:00:00+00:00 p4r "Re: [$p4] Update: Laptop trolley will not charge ($tag)" \
    "Bay 3 is fine now but bay 5 is dead too — £400 of laptops." "$tag-p4@$domain"
once 2026-03-09T10:00:30+00:00
reply=(--rcpt "priya.shah.$tag@desk.example.org" --subject "[$p4] The school replied: Laptop trolley")
h_check "the school's reply alerts the assignee, with its first lines" 1 \
    "$(h_received "${reply[@]}" --body "Bay 3 is fine now but bay 5 is dead too — £400 of laptops.")"
h_check "not the queue" 0 "$(h_received --rcpt ict-team@desk.example.org --subject "[$p4] The school replied")"

# --- (4) update promises ---
# p4's last update to the school: Priya's assignment at 09:11 on Monday 9 March; five
# working days later is Monday 16 March 09:11.
once 2026-03-16T09:10:00+00:00
h_check "no update-due before five working days" 0 "$(alerts_of "$p4" staff-update-due)"
once 2026-03-16T09:12:00+00:00
due=(--rcpt "priya.shah.$tag@desk.example.org" --subject "[$p4] The school is due an update")
h_check "staff-update-due to the assignee after five working days" 1 \
    "$(h_received "${due[@]}" --body "since 09:11 on Monday 9 March 2026: we promise one every 5 working days")"
once 2026-03-16T15:00:00+00:00
h_check "raised once" 1 "$(alerts_of "$p4" staff-update-due)"
desk 2026-03-16T15:10:00+00:00 "$priya" comment "$p4" "A new charger is on order." >/dev/null
once 2026-03-23T15:11:00+00:00
h_check "a public update starts the next period" 2 "$(alerts_of "$p4" staff-update-due)"
# A major incident: hourly. p1 becomes the parent of a second school's report.
mail_in 2026-03-23T09:00:00+00:00 p5 "Census: SIMS down here too ($tag)" "Same here."
once 2026-03-23T09:00:30+00:00
p5=$(ref_of "Census: SIMS down here too ($tag)")
desk 2026-03-23T09:01:00+00:00 "$sion" link "$p5" --parent "$p1" >/dev/null
desk 2026-03-23T09:30:00+00:00 "$sion" comment "$p1" --all "The supplier is on it; next update within the hour." >/dev/null
once 2026-03-23T10:29:00+00:00
h_check "a major incident: no update-due within the hour" 0 \
    "$(q "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.reference = '$p1' AND o.template = 'staff-update-due' AND o.alert_key LIKE 'since:%' AND o.created_at > '2026-03-23'")"
once 2026-03-23T10:31:00+00:00
h_check "a major incident: update-due after an hour, naming its schools" 1 \
    "$(h_received --rcpt ict-team@desk.example.org --subject "[$p1] The school is due an update" --body "Major incident $p1 (with 1 linked cases)" --body "since 09:30 on Monday 23 March 2026: we promise one every 1 working hour")"
h_check "its linked case raises none of its own" 0 "$(alerts_of "$p5" staff-update-due)"

# --- (5) the loop guards count alerts; alerts never go to a school ---
sed 's/^updates = /limits = { auto_mail_per_sender_per_hour = 2; };\nupdates = /' "$conf" > "$work/guarded.conf"
for n in 1 2 3; do
    mail_in "2026-03-30T09:0$n:00+00:00" "g$n" "Census ($n) cannot be sent ($tag)" "Census day."
done
CASELOG_NOW=2026-03-30T09:05:00+00:00 "$CASELOGD" -c "$work/guarded.conf" --once 2>>"$work/daemon.log"
h_check "three new P1 cases, two alerts sent to the queue within the hour" 2 \
    "$(h_received --rcpt ict-team@desk.example.org --subject "New P1 case in ICT" --subject "cannot be sent ($tag)")"
h_check "the third held back by the per-address loop guard, and said so on its case" "suppressed|limits.auto_mail_per_sender_per_hour reached" \
    "$(q "SELECT o.state || '|' || (e.data->>'reason') FROM outbox o JOIN cases c ON c.id = o.case_id JOIN case_events e ON e.case_id = c.id AND e.kind = 'suppressed' AND e.data->>'template' = 'staff-new-case' WHERE c.subject = 'Census (3) cannot be sent ($tag)' AND o.template = 'staff-new-case'")"
teacher="teacher_$tag"
"$CASELOG" -c "$conf" staff add "$teacher" --name "Mrs Ŵyn (also IT at the school)" --email "it@$domain" >/dev/null
desk 2026-03-30T10:00:00+00:00 "$sion" assign "$(ref_of "Census (1) cannot be sent ($tag)")" "$teacher" >/dev/null
once 2026-03-30T10:00:30+00:00
h_check "an alert to an address at a school's domain is never sent" "0|suppressed|a staff alert never goes to a school's address" \
    "$(h_received --rcpt "it@$domain")|$(q "SELECT o.state || '|' || o.last_error FROM outbox o WHERE o.template = 'staff-assigned' AND o.recipient = 'it@$domain'")"

h_summary alerts
