#!/usr/bin/env bash
# outbox_mail: acknowledgements end to end on the real stack. A new case gives one
# acknowledgement whose headers are as SPEC section 5 says and whose text names the
# reference, priority and due times; the school's reply to it threads back onto the
# case; an auto-responder answering the acknowledgement gets nothing back; 4xx twice
# then success sends once; 5xx fails with the reply kept. Sets the sink's replies, so
# ctest runs it alone (RUN_SERIAL).
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db outbox_mail)
trap ': > "$CASELOG_TEST_SMTP_CONTROL"; h_drop_db "$db"; rm -rf "$work"' EXIT
folder="outbox-$$"
tag="ob$$x$RANDOM"
h_write_config "$work/caselog.conf" "$db" "$folder"
echo 'limits = { auto_mail_per_sender_per_hour = 3; };' >> "$work/caselog.conf"
"$CASELOGD" -c "$work/caselog.conf" --migrate
once() { h_once "$work/caselog.conf"; }
mail() { # FILE MESSAGE-ID SUBJECT [extra header lines]
    printf 'From: Mrs Helen Price <h.price@oakfield-primary.sch.uk>\r\nTo: servicedesk@desk.example.org\r\nSubject: %s\r\nMessage-ID: <%s>\r\n%sDate: Tue, 3 Mar 2026 10:00:00 +0000\r\n\r\nThe hall projector shows no signal.\r\n' "$3" "$2" "${4:-}" > "$1"
}

# --- a new case and its acknowledgement ---
mail "$work/1.eml" "$tag-1@oakfield-primary.sch.uk" "Projector $tag"
"$STACK/imap_append.sh" desk "$folder" "$work/1.eml"
once
ref=$(h_sql "$db" "SELECT reference FROM cases")
h_check "one case" 1 "$(h_sql "$db" "SELECT count(*) FROM cases")"
h_check "acknowledgement sent" sent "$(h_sql "$db" "SELECT state FROM outbox WHERE template = 'acknowledgement'")"
h_check "one acknowledgement in the sink" 1 "$(h_spool_with "[$ref] Projector $tag")"
ack=$(grep -l -F "[$ref] Projector $tag" "$CASELOG_TEST_SMTP_SPOOL"/*.eml | head -n 1)
header() { sed -n "s/^$1: //Ip" "$ack" | tr -d '\r' | head -n 1; }
h_check "To the school" "h.price@oakfield-primary.sch.uk" "$(sed -n 's/^X-Test-Rcpt-To: //p' "$ack" | tr -d '\r')"
h_check "Auto-Submitted" "auto-replied" "$(header Auto-Submitted)"
h_check "X-Auto-Response-Suppress" "All" "$(header X-Auto-Response-Suppress)"
h_check "loop header" yes "$(grep -q '^X-Caselog-Loop:' "$ack" && echo yes || echo no)"
h_check "In-Reply-To the school's message" "<$tag-1@oakfield-primary.sch.uk>" "$(header In-Reply-To)"
ack_id=$(header Message-ID)
h_check "Message-ID of the desk's domain" yes "$([[ "$ack_id" == *@desk.example.org\> ]] && echo yes || echo "no ($ack_id)")"
h_check "our Message-ID stored" 1 \
    "$(h_sql "$db" "SELECT count(*) FROM messages WHERE direction = 'out' AND '<' || message_id || '>' = '$ack_id'")"
h_check "text names the reference" yes "$(grep -q "$ref" "$ack" && echo yes || echo no)"
h_check "text names the priority" yes "$(grep -q 'Priority: 3 (Medium)' "$ack" && echo yes || echo no)"
h_check "text gives the due times in words" yes "$(grep -Eq 'respond by [0-9]{2}:[0-9]{2} on [A-Z][a-z]+day' "$ack" && echo yes || echo no)"

# --- the school replies to the acknowledgement (threads by In-Reply-To, no tag needed) ---
mail "$work/2.eml" "$tag-2@oakfield-primary.sch.uk" "Re: your message" "In-Reply-To: $ack_id\r\n"
# --- an auto-responder answers the acknowledgement ---
printf 'From: Head <head@oakfield-primary.sch.uk>\r\nTo: servicedesk@desk.example.org\r\nSubject: Automatic reply: [%s] Projector\r\nMessage-ID: <%s-ooo@oakfield-primary.sch.uk>\r\nAuto-Submitted: auto-replied\r\nIn-Reply-To: %s\r\n\r\nAway until Monday.\r\n' "$ref" "$tag" "$ack_id" > "$work/3.eml"
"$STACK/imap_append.sh" desk "$folder" "$work/2.eml" "$work/3.eml"
once
h_check "the reply landed on the same case" 1 "$(h_sql "$db" "SELECT count(*) FROM cases")"
h_check "three inbound messages on the case" 3 \
    "$(h_sql "$db" "SELECT count(*) FROM messages WHERE direction = 'in' AND case_id = (SELECT id FROM cases)")"
h_check "no second acknowledgement" 1 "$(h_sql "$db" "SELECT count(*) FROM outbox WHERE template = 'acknowledgement'")"
h_check "nothing mailed to the auto-responder" 0 \
    "$(h_sql "$db" "SELECT count(*) FROM outbox WHERE recipient = 'head@oakfield-primary.sch.uk'")"

# --- 4xx twice, then success: sent once ---
mail "$work/4.eml" "$tag-4@oakfield-primary.sch.uk" "Printer $tag"
"$STACK/imap_append.sh" desk "$folder" "$work/4.eml"
echo "451 4.3.0 try again later" > "$CASELOG_TEST_SMTP_CONTROL"
once
h_check "4xx: kept for retry" pending "$(h_sql "$db" "SELECT state FROM outbox WHERE case_id = (SELECT max(id) FROM cases)")"
h_sql "$db" "UPDATE outbox SET next_attempt_at = now() WHERE state = 'pending'" >/dev/null
once
h_check "4xx again: still pending, 2 attempts" "pending|2" \
    "$(h_sql "$db" "SELECT state || '|' || attempts FROM outbox WHERE case_id = (SELECT max(id) FROM cases)")"
h_check "the server's reply is kept" yes \
    "$(h_sql "$db" "SELECT last_error FROM outbox WHERE case_id = (SELECT max(id) FROM cases)" | grep -q 'try again later' && echo yes || echo no)"
: > "$CASELOG_TEST_SMTP_CONTROL"
h_sql "$db" "UPDATE outbox SET next_attempt_at = now() WHERE state = 'pending'" >/dev/null
once
h_check "then sent" sent "$(h_sql "$db" "SELECT state FROM outbox WHERE case_id = (SELECT max(id) FROM cases)")"
h_check "sent once" 1 "$(h_spool_with "Printer $tag")"

# --- 5xx: failed at once, with the reply ---
mail "$work/5.eml" "$tag-5@oakfield-primary.sch.uk" "Scanner $tag"
"$STACK/imap_append.sh" desk "$folder" "$work/5.eml"
echo "550 5.1.1 no such user here" > "$CASELOG_TEST_SMTP_CONTROL"
once
: > "$CASELOG_TEST_SMTP_CONTROL"
h_check "5xx: failed" failed "$(h_sql "$db" "SELECT state FROM outbox WHERE case_id = (SELECT max(id) FROM cases)")"
h_check "5xx: reply kept" yes \
    "$(h_sql "$db" "SELECT last_error FROM outbox WHERE case_id = (SELECT max(id) FROM cases)" | grep -q 'no such user' && echo yes || echo no)"
h_check "5xx: nothing delivered" 0 "$(h_spool_with "Scanner $tag")"
failed_id=$(h_sql "$db" "SELECT id FROM outbox WHERE case_id = (SELECT max(id) FROM cases)")
h_check "caselog outbox --failed shows it with the reply" 1 \
    "$("$CASELOG" -c "$work/caselog.conf" outbox --failed | grep -c "no such user here")"
"$CASELOG" -c "$work/caselog.conf" outbox retry "$failed_id" >/dev/null
once
h_check "retried by hand: sent" sent "$(h_sql "$db" "SELECT state FROM outbox WHERE id = $failed_id")"
h_check "retried by hand: delivered once" 1 "$(h_spool_subject "Scanner $tag")"
h_check "nothing failed now" 1 "$("$CASELOG" -c "$work/caselog.conf" outbox --failed | grep -c "No failed mail")"
set +e; "$CASELOG" -c "$work/caselog.conf" outbox retry 999999 2>/dev/null; rc=$?; set -e
h_check "retry of no such row: exit 1" 1 "$rc"

# --- a sender over the hourly cap (3) gets no more automatic mail; recorded ---
for i in 1 2 3 4; do
    printf 'From: Bursar <bursar@st-marys-rc.sch.uk>\r\nTo: servicedesk@desk.example.org\r\nSubject: Licence %s %s\r\nMessage-ID: <%s-cap%s@st-marys-rc.sch.uk>\r\n\r\nRenewal number %s.\r\n' \
        "$i" "$tag" "$tag" "$i" "$i" > "$work/cap$i.eml"
done
"$STACK/imap_append.sh" desk "$folder" "$work"/cap?.eml
once
h_check "three acknowledgements to the bursar" 3 "$(h_sql "$db" "SELECT count(*) FROM outbox WHERE recipient = 'bursar@st-marys-rc.sch.uk' AND state = 'sent'")"
h_check "the fourth suppressed" 1 "$(h_sql "$db" "SELECT count(*) FROM outbox WHERE recipient = 'bursar@st-marys-rc.sch.uk' AND state = 'suppressed'")"
h_check "the suppression is an event staff see" 1 \
    "$(h_sql "$db" "SELECT count(*) FROM case_events WHERE kind = 'suppressed' AND data::text LIKE '%auto_mail_per_sender_per_hour%'")"
got=0
for i in 1 2 3 4; do got=$((got + $(h_spool_subject "Licence $i $tag"))); done
h_check "the sink got three" 3 "$got"

# --- Welsh, Polish and Chinese survive render, send and parse back ---
i=0
for subj in "Gliniaduron ddim yn cysylltu â'r Wi-Fi" "Drukarka w pokoju nauczycielskim nie działa – Łódź" "教室的投影仪坏了"; do
    i=$((i + 1))
    python3 - "$work/intl$i.eml" "$subj $tag" "$tag-intl$i" <<'PY'
import sys
from email.message import EmailMessage
from email.headerregistry import Address
m = EmailMessage()
m["From"] = Address("Siân Wójcik 王芳", "s.wojcik@ysgol-llanhari.cymru")
m["To"] = "servicedesk@desk.example.org"
m["Subject"] = sys.argv[2]
m["Message-ID"] = "<%s@ysgol-llanhari.cymru>" % sys.argv[3]
m.set_content("Dim signal. Brak sygnału. 没有信号。")
open(sys.argv[1], "wb").write(bytes(m))
PY
done
"$STACK/imap_append.sh" desk "$folder" "$work"/intl?.eml
once
i=0
for subj in "Gliniaduron ddim yn cysylltu â'r Wi-Fi" "Drukarka w pokoju nauczycielskim nie działa – Łódź" "教室的投影仪坏了"; do
    i=$((i + 1))
    ack=$(grep -l -F "In-Reply-To: <$tag-intl$i@ysgol-llanhari.cymru>" "$CASELOG_TEST_SMTP_SPOOL"/*.eml | head -n 1)
    parsed=$("$CASELOG" -c "$work/caselog.conf" explain --json "$ack" 2>/dev/null)
    h_check "round trip $i: subject" yes "$(python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print("yes" if sys.argv[2] in j["subject"] else j["subject"])' "$parsed" "$subj $tag")"
    h_check "round trip $i: name" "Siân Wójcik 王芳" "$(python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print(j["to"][0]["name"])' "$parsed")"
    h_check "round trip $i: body names the reference" yes "$(python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print("yes" if "INC" in j["body_text"] and "Siân Wójcik 王芳" in j["body_text"] else "no")' "$parsed")"
done
# --- a Message-ID too long to write back, from the school or in its References ---
# An id of 1,200 characters cannot stand in our In-Reply-To within SMTP's 1,000-byte
# line: the mail would be refused ("500 Line too long") and the case never hear from us.
long_id="$(printf 'x%.0s' $(seq 1 1200))-$tag@mis.example"
printf 'From: Clerk <clerk@ysgol-llanhari.cymru>\r\nTo: servicedesk@desk.example.org\r\nSubject: Long id %s\r\nMessage-ID: <%s>\r\nReferences: <%s-a@mis.example> <%s>\r\n\r\nThe MIS export fails.\r\n' \
    "$tag" "$long_id" "$tag" "$long_id" > "$work/long.eml"
"$STACK/imap_append.sh" desk "$folder" "$work/long.eml"
once
h_check "the acknowledgement to a message with a 1,200-character id is sent" sent \
    "$(h_sql "$db" "SELECT o.state FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.subject = 'Long id $tag'")"
long_ack=$(grep -l -F "Long id $tag" "$CASELOG_TEST_SMTP_SPOOL"/*.eml | head -n 1 || true)
h_check "no line over 998 bytes in it" 0 \
    "$([ -n "$long_ack" ] && awk 'length($0) > 999 { n++ } END { print n + 0 }' "$long_ack" || echo "no mail")"
h_summary outbox_mail
