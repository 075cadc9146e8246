#!/usr/bin/env bash
# school_notices: what the school is told besides comments (issue 19), on the real
# stack with the clock set, every mail read back from the SMTP sink strictly as UTF-8.
# (1) The colleagues a school copied in its first mail are copied on every notice about
# the case (a comment's update, the closure request): one at the school's own domain
# (or a subdomain) is, one at another domain is not; the acknowledgement goes to the
# sender alone. (2) A mailbox with notify_cc = false copies nobody. (3) A priority
# change is mailed to the school with the new targets (and copied likewise).
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db school_notices)
trap 'h_drop_db "$db"; rm -rf "$work"' EXIT
folder="notices-$$"
tag="sn$$x$RANDOM"
conf="$work/caselog.conf"
h_write_config "$conf" "$db" "$folder"
"$CASELOGD" -c "$conf" --migrate
at() { local t=$1; shift; CASELOG_NOW="$t" "$@"; }
once() { h_once "$conf" "$1"; }
alice="alice_$tag" # roles are the cluster's: a name of this run's own
desk() { local t=$1; shift; at "$t" "$CASELOG" -c "$conf" --as "$alice" "$@"; }
q() { h_sql "$db" "$1"; }
domain="ysgol-$tag.sch.uk"
"$CASELOG" -c "$conf" staff add "$alice" --name "Alice Ŵyn" --email "alice.$tag@desk.example.org" >/dev/null
"$CASELOG" -c "$conf" schools add "Ysgol Gymraeg Bro Ŵyl" "URN$$" "$domain" >/dev/null
head_of_it="Siân Prŷs <s.prys@$domain>"
bursar="bursar@$domain"
deputy="deputy@staff.$domain"
outsider="helpdesk@trust-$tag.org.uk"

# mail_in TIME FILE MESSAGE-ID SUBJECT BODY CC: the school's mail, with copies.
mail_in() {
    python3 - "$2" "$head_of_it" "$4" "$5" "$3" "$(date -R -d "$1")" "$6" <<'PY'
import sys
from email.message import EmailMessage
path, sender, subject, body, msgid, date, cc = sys.argv[1:]
m = EmailMessage()
m["From"] = sender
m["To"] = "servicedesk@desk.example.org"
if cc:
    m["Cc"] = cc
m["Subject"] = subject
m["Message-ID"] = "<%s>" % msgid
m["Date"] = date
m.set_content(body)
open(path, "wb").write(bytes(m))
PY
    "$STACK/imap_append.sh" desk "$folder" "$2" --date "$1" >/dev/null
}

# --- (1) copies on the notices, not on the acknowledgement ---
mail_in 2026-03-02T09:00:00+00:00 "$work/1.eml" "$tag-1@$domain" "Argraffydd swyddfa £ ($tag)" \
    "Mae'r argraffydd yn y swyddfa wedi torri. The office printer is broken." \
    "Bursar <$bursar>, Deputy Head <$deputy>, Trust Helpdesk <$outsider>, servicedesk@desk.example.org"
once 2026-03-02T09:00:30+00:00
ref=$(q "SELECT reference FROM cases WHERE subject LIKE 'Argraffydd%$tag%'")
h_check "acknowledgement to the sender" 1 "$(h_received --subject "[$ref]" --rcpt "s.prys@$domain")"
h_check "the acknowledgement copies nobody" 0 "$(h_received --subject "[$ref]" --rcpt "$bursar")"
desk 2026-03-02T09:30:00+00:00 comment "$ref" "Rydym yn anfon peiriannydd. An engineer is on the way (£0 call-out)." >/dev/null
once 2026-03-02T09:30:30+00:00
update=(--subject "[$ref] Update:" --body "An engineer is on the way (£0 call-out).")
h_check "the update to the sender" 1 "$(h_received "${update[@]}" --rcpt "s.prys@$domain")"
h_check "copied to the colleague at the school's domain" 1 "$(h_received "${update[@]}" --rcpt "$bursar" --cc "$bursar")"
h_check "copied to the colleague at a subdomain" 1 "$(h_received "${update[@]}" --rcpt "$deputy" --cc "$deputy")"
h_check "not to the colleague at another domain" 0 "$(h_received "${update[@]}" --rcpt "$outsider")"
h_check "nor named in Cc" 0 "$(h_received "${update[@]}" --cc "$outsider")"
h_check "never to the desk's own address" 0 "$(h_received "${update[@]}" --rcpt servicedesk@desk.example.org)"
h_check "one mail, not one each" 1 "$(h_received "${update[@]}")"
h_check "the outbox row keeps its copies" "{$bursar,$deputy}" \
    "$(q "SELECT cc FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.reference = '$ref' AND o.template = 'update'")"
desk 2026-03-02T10:00:00+00:00 resolve "$ref" "Fuser replaced." >/dev/null
once 2026-03-02T10:00:30+00:00
h_check "the closure request is copied too" 1 \
    "$(h_received --subject "[$ref] Can we close this case?" --rcpt "s.prys@$domain" --rcpt "$bursar" --rcpt "$deputy" --no-rcpt "$outsider")"

# --- (2) notify_cc = false on the mailbox: nobody is copied ---
sed -i 's/type = "incident"; queue = "ICT"; priority = 3;/type = "incident"; queue = "ICT"; priority = 3; notify_cc = false;/' "$conf"
"$CASELOGD" --check-config -c "$conf" >/dev/null
mail_in 2026-03-02T11:00:00+00:00 "$work/2.eml" "$tag-2@$domain" "Bwrdd gwyn ($tag)" "The whiteboard in Ystafell 3 is dead." \
    "Bursar <$bursar>"
once 2026-03-02T11:00:30+00:00
ref2=$(q "SELECT reference FROM cases WHERE subject LIKE 'Bwrdd gwyn%'")
desk 2026-03-02T11:10:00+00:00 comment "$ref2" "Bulb ordered." >/dev/null
once 2026-03-02T11:10:30+00:00
h_check "notify_cc = false: the update goes to the sender" 1 "$(h_received --subject "[$ref2] Update:" --rcpt "s.prys@$domain")"
h_check "notify_cc = false: nobody copied" 0 "$(h_received --subject "[$ref2] Update:" --rcpt "$bursar")"

# --- (3) a priority change is mailed to the school with the new targets ---
sed -i 's/ notify_cc = false;//' "$conf"
mail_in 2026-03-03T09:00:00+00:00 "$work/3.eml" "$tag-3@$domain" "Cyfrifiad: SIMS census return fails ($tag)" \
    "The census return fails validation; the deadline is today." "Bursar <$bursar>"
once 2026-03-03T09:00:30+00:00
ref3=$(q "SELECT reference FROM cases WHERE subject LIKE 'Cyfrifiad%'")
h_check "logged at priority 3" 3 "$(q "SELECT priority FROM cases WHERE reference = '$ref3'")"
desk 2026-03-03T09:10:00+00:00 priority "$ref3" 1 --reason "Census day: the return is due today (£ penalties apply)." >/dev/null
h_check "priority 1, response due 20 minutes from logging" "1|2026-03-03 09:20" \
    "$(q "SELECT priority || '|' || to_char(response_due AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM cases WHERE reference = '$ref3'")"
once 2026-03-03T09:10:30+00:00
changed=(--subject "[$ref3] Priority changed to 1 (Critical)")
h_check "the school is told" 1 "$(h_received "${changed[@]}" --rcpt "s.prys@$domain")"
h_check "with the old priority and the reason" 1 \
    "$(h_received "${changed[@]}" --body "from 3 (Medium) to 1 (Critical)" --body "Why: Census day: the return is due today (£ penalties apply).")"
h_check "with the new targets" 1 \
    "$(h_received "${changed[@]}" --body "response by 09:20 on Tuesday 3 March 2026" --body "resolution by 13:00 on Tuesday 3 March 2026")"
h_check "and how to disagree" 1 "$(h_received "${changed[@]}" --body "If you do not agree with the new priority")"
h_check "copied to the colleague the school copied" 1 "$(h_received "${changed[@]}" --rcpt "$bursar" --cc "$bursar")"
h_check "a priority notice is not the response" "" "$(q "SELECT responded_at FROM cases WHERE reference = '$ref3'")"
h_check "the event is public, mailed once" "true|1" \
    "$(q "SELECT bool_and(e.public) || '|' || count(o.id) FROM case_events e JOIN cases c ON c.id = e.case_id LEFT JOIN outbox o ON o.event_id = e.id WHERE c.reference = '$ref3' AND e.kind = 'priority_changed'")"

# --- (4) the per-address loop guard lets the oldest through ---
# Three new cases from one sender in one pass, two automatic mails an hour allowed: the
# acknowledgements of the first two go, the third's is held back (rows of one claim
# count in the order they were queued).
sed 's/^unknown_senders = "log";/unknown_senders = "log";\nlimits = { auto_mail_per_sender_per_hour = 2; };/' "$conf" > "$work/guarded.conf"
for n in 1 2 3; do
    mail_in "2026-03-04T09:0$n:00+00:00" "$work/g$n.eml" "$tag-g$n@$domain" "Ffôn $n ($tag)" "Phone $n is dead." ""
done
CASELOG_NOW=2026-03-04T09:05:00+00:00 "$CASELOGD" -c "$work/guarded.conf" --once 2>>"$work/daemon.log"
h_check "the first two acknowledgements go, the third is held back" "sent|sent|suppressed" \
    "$(q "SELECT string_agg(o.state, '|' ORDER BY c.id) FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.subject LIKE 'Ffôn _ ($tag)' AND o.template = 'acknowledgement'")"

h_summary school_notices
