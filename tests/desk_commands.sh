#!/usr/bin/env bash
# desk_commands: the desk's other commands on the real stack, with the clock set.
# A hold awaiting the school pauses the resolution clock and the school's reply ends it;
# a customer deferral ends at --until; a priority change recomputes both due times from
# logged_at; breaches are recorded once; `caselog attachment` gives back the logged
# bytes, also of a message an older parser logged; `caselog unlogged` lists, shows and
# reprocesses; exit codes 2 and 3.
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db desk_commands)
trap 'h_drop_db "$db"; rm -rf "$work"' EXIT
folder="desk-$$"
tag="dk$$x$RANDOM"
conf="$work/caselog.conf"
h_write_config "$conf" "$db" "$folder"
"$CASELOGD" -c "$conf" --migrate
# The engineer cases are assigned to (on the staff; the superuser's --as names them).
h_sql "$db" "INSERT INTO staff (role_name, display_name, email) VALUES ('bob', 'Bob Evans', 'bob@desk.example.org')" >/dev/null
"$CASELOG" -c "$conf" schools import "$harness_top/packaging/demo-schools.csv" >/dev/null
at() { local t=$1; shift; CASELOG_NOW="$t" "$@"; }
once() { h_once "$conf" "$1"; }
desk() { local t=$1; shift; at "$t" "$CASELOG" -c "$conf" --as bob "$@"; }
mail_in() { # TIME FILE MESSAGE-ID SUBJECT BODY [FROM]
    printf 'From: %s\r\nTo: servicedesk@desk.example.org\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: %s\r\n\r\n%s\r\n' \
        "${6:-Mrs Helen Price <h.price@oakfield-primary.sch.uk>}" "$4" "$3" "$(date -R -d "$1")" "$5" > "$2"
    "$STACK/imap_append.sh" desk "$folder" "$2" --date "$1" >/dev/null
}
q() { h_sql "$db" "$1"; }
minute() { echo "to_char($1 AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"; }

# --- a hold awaiting the school, answered: resolution clock paused for the hold ---
# Priority 3 (8h / 3d), logged Monday 2 March 10:00: resolution due Thursday 10:00.
mail_in 2026-03-02T10:00:00+00:00 "$work/1.eml" "$tag-1@oakfield-primary.sch.uk" "Scanner $tag" "The scanner is offline."
once 2026-03-02T10:00:30+00:00
ref=$(q "SELECT reference FROM cases WHERE subject = 'Scanner $tag'")
h_check "resolution due Thursday 10:00" "2026-03-05 10:00" "$(q "SELECT $(minute resolution_due) FROM cases WHERE reference = '$ref'")"
desk 2026-03-02T11:00:00+00:00 hold "$ref" --reason awaiting_customer "Which room is the scanner in?" >/dev/null
h_check "on hold awaiting the school" "on_hold|awaiting_customer" "$(q "SELECT state || '|' || hold_reason FROM cases WHERE reference = '$ref'")"
once 2026-03-02T11:00:30+00:00
h_check "the school is asked (update mail)" 1 "$(h_spool_subject "[$ref] Update: Scanner $tag")"
# The school answers on Tuesday 3 March at 11:00: a working day (10 hours) was paused.
mail_in 2026-03-03T11:00:00+00:00 "$work/1r.eml" "$tag-1r@oakfield-primary.sch.uk" "Re: [$ref] Update: Scanner $tag" "Room 14, by the office."
once 2026-03-03T11:00:30+00:00
h_check "the answer ends the hold" open "$(q "SELECT state FROM cases WHERE reference = '$ref'")"
h_check "resolution due moved on by the paused working time" "2026-03-06 10:00" \
    "$(q "SELECT $(minute resolution_due) FROM cases WHERE reference = '$ref'")"
h_check "a hold_ended event" 1 "$(q "SELECT count(*) FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.reference = '$ref' AND e.kind = 'hold_ended'")"

# --- a customer deferral ends at --until ---
desk 2026-03-03T12:00:00+00:00 assign "$ref" >/dev/null
desk 2026-03-03T12:05:00+00:00 hold "$ref" --reason customer_deferral --until 2026-03-04T09:00:00+00:00 "At the school's request." >/dev/null
once 2026-03-03T12:05:30+00:00
h_check "deferred" "on_hold|customer_deferral" "$(q "SELECT state || '|' || hold_reason FROM cases WHERE reference = '$ref'")"
once 2026-03-04T09:00:30+00:00
h_check "back to the engineer when the deferral ends" "assigned|bob" "$(q "SELECT state || '|' || assignee FROM cases WHERE reference = '$ref'")"

# --- priority change recomputes both due times from logged_at (P1: 20m / 4h) and keeps
# what the holds earned: the school's hold (Mon 11:00 to Tue 11:00, 10 h) and the
# deferral (Tue 12:05 to Wed 09:00, 6 h 55 m): Mon 14:00 + 16 h 55 m = Wed 10:55 ---
desk 2026-03-04T09:10:00+00:00 priority "$ref" 1 --reason "Exam board upload today" >/dev/null
h_check "priority 1 with the reason" "1|Exam board upload today" "$(q "SELECT priority || '|' || priority_reason FROM cases WHERE reference = '$ref'")"
h_check "due times from logged_at, with the hold credit" "2026-03-02 10:20|2026-03-04 10:55|60900" \
    "$(q "SELECT $(minute response_due) || '|' || $(minute resolution_due) || '|' || hold_credit FROM cases WHERE reference = '$ref'")"
once 2026-03-04T10:54:00+00:00
h_check "no resolution breach before 10:55" 0 "$(q "SELECT count(*) FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.reference = '$ref' AND e.kind = 'resolution_breached'")"
once 2026-03-04T10:56:00+00:00
h_check "the resolution breach is recorded" 1 "$(q "SELECT count(*) FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.reference = '$ref' AND e.kind = 'resolution_breached'")"
once 2026-03-04T10:57:00+00:00
h_check "recorded once" 1 "$(q "SELECT count(*) FROM case_events WHERE kind = 'resolution_breached'")"
set +e; desk 2026-03-04T09:13:00+00:00 priority "$ref" 9 --reason x 2>/dev/null; rc=$?; set -e
h_check "priority 9: usage error (exit 2)" 2 "$rc"

# --- an attachment comes back byte for byte ---
cp "$harness_top/tests/mail/03-census-friday-evening.eml" "$work/3.eml"
sed -i "s/^Message-ID: <\(.*\)>/Message-ID: <$tag-\1>/; s/^Subject: .*/Subject: Census $tag/" "$work/3.eml"
"$STACK/imap_append.sh" desk "$folder" "$work/3.eml" --date 2026-03-04T10:00:00+00:00 >/dev/null
once 2026-03-04T10:00:30+00:00
ref3=$(q "SELECT reference FROM cases WHERE subject = 'Census $tag'")
desk 2026-03-04T10:01:00+00:00 attachment "$ref3" 1 -o "$work/att.bin" 2>/dev/null
h_check "attachment 1: the logged SHA-256" \
    "$(q "SELECT a.sha256 FROM attachments a JOIN messages m ON m.id = a.message_id JOIN cases c ON c.id = m.case_id WHERE c.reference = '$ref3' ORDER BY a.ordinal LIMIT 1")" \
    "$(sha256sum "$work/att.bin" | cut -d' ' -f1)"
set +e; desk 2026-03-04T10:01:00+00:00 attachment "$ref3" 7 2>/dev/null; rc=$?; set -e
h_check "no attachment 7 (exit 1)" 1 "$rc"

# --- attachments of a message an older parser logged still come back ---
# The parser before issue 16 did not list the unnamed text/calendar part, stored the
# forwarded message as gmime re-wrote it (LF line ends: 162 bytes) and cut base64
# without padding short ("hello wor"); these rows are what it recorded for this
# message (measured with its build, main b7685e3). Now the calendar is listed first, so
# every attachment moved, and two read differently.
/usr/bin/python3 - "$work/old.eml" "$tag" <<'PY'
import base64, sys
fwd = "\r\n".join(["From: Supplier <help@supplier.example>", "To: office@stmarys.sch.uk", "Subject: Your ticket SUP-12",
                   "Message-ID: <sup12@supplier.example>", "", "Ticket SUP-12 is open.", "Regards", ""])
pdf = base64.encodebytes(b"%PDF-1.4 fake pdf bytes\n" * 10).decode().replace("\n", "\r\n")
parts = ["Content-Type: text/plain; charset=utf-8\r\n\r\nPlease see the supplier's mail and the invoice.\r\n",
         "Content-Type: text/calendar; charset=utf-8; method=REQUEST\r\n\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
         "Content-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n" + fwd,
         'Content-Type: text/plain; name="notes.txt"\r\nContent-Disposition: attachment; filename="notes.txt"\r\n'
         "Content-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ\r\n",
         'Content-Type: application/pdf; name="invoice.pdf"\r\nContent-Disposition: attachment; filename="invoice.pdf"\r\n'
         "Content-Transfer-Encoding: base64\r\n\r\n" + pdf]
msg = ("From: Mrs Helen Price <h.price@oakfield-primary.sch.uk>\r\nTo: servicedesk@desk.example.org\r\n"
       "Subject: Invoice %s\r\nMessage-ID: <old-%s@oakfield-primary.sch.uk>\r\nMIME-Version: 1.0\r\n"
       'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n' % (sys.argv[2], sys.argv[2]))
open(sys.argv[1], "wb").write((msg + "".join("--b1\r\n%s\r\n" % p for p in parts) + "--b1--\r\n").encode())
PY
"$STACK/imap_append.sh" desk "$folder" "$work/old.eml" --date 2026-03-04T10:10:00+00:00 >/dev/null
once 2026-03-04T10:10:30+00:00
ref_old=$(q "SELECT reference FROM cases WHERE subject = 'Invoice $tag'")
old_msg="(SELECT m.id FROM messages m JOIN cases c ON c.id = m.case_id WHERE c.reference = '$ref_old' AND m.direction = 'in')"
q "DELETE FROM attachments WHERE message_id = $old_msg;
   INSERT INTO attachments (message_id, ordinal, name, content_type, disposition, size, sha256) VALUES
   ($old_msg, 1, 'Your ticket SUP-12', 'message/rfc822', 'attachment', 162, '7a8983595b7f009d0a26d59fb44d0e57455305295e0617d995d23a21bfebc1c3'),
   ($old_msg, 2, 'notes.txt', 'text/plain', 'attachment', 9, '2b657d6cab6688d5fa741fa77303f6a4cef209da8adbe6f046dced1b44c2f892'),
   ($old_msg, 3, 'invoice.pdf', 'application/pdf', 'attachment', 240, '180b7de194c46dde7e8ce2f78648ca59374ad9da9d8f96f5b24d498e9b98b2a9')" >/dev/null
old_att() { desk 2026-03-04T10:11:00+00:00 attachment "$ref_old" "$1" -o "$work/old-$1.bin" 2> "$work/old-$1.err" && echo ok || echo refused; }
h_check "attachment 3 (moved by the calendar part): returned" ok "$(old_att 3)"
h_check "byte for byte as logged" 180b7de194c46dde7e8ce2f78648ca59374ad9da9d8f96f5b24d498e9b98b2a9 \
    "$(sha256sum "$work/old-3.bin" 2>/dev/null | cut -d" " -f1)"
h_check "the forwarded message (logged re-written): returned" ok "$(old_att 1)"
h_check "as its original bytes" "$(printf 'From: Supplier <help@supplier.example>\r\n' | od -c | head -1)" \
    "$(head -c 40 "$work/old-1.bin" | od -c | head -1)"
h_check "saying the parser now reads it otherwise" 1 "$(grep -c "read by a newer parser" "$work/old-1.err")"
h_check "the file an older parser cut short: returned whole" "ok|hello world" "$(old_att 2)|$(cat "$work/old-2.bin")"

# --- unlogged: list, show, reprocess after the config is fixed ---
sed -i 's/unknown_senders = "log";/unknown_senders = "unlogged";/' "$conf"
mail_in 2026-03-04T11:00:00+00:00 "$work/u.eml" "$tag-u@example.net" "Parent question $tag" "Hello" "A Parent <parent@example.net>"
once 2026-03-04T11:00:30+00:00
uid=$(q "SELECT id FROM unlogged WHERE subject = 'Parent question $tag'")
h_check "an unknown sender is unlogged" 1 "$(desk 2026-03-04T11:01:00+00:00 unlogged | grep -c "Parent question $tag")"
h_check "unlogged show gives the raw message" 1 "$(desk 2026-03-04T11:01:00+00:00 unlogged show "$uid" | grep -c "^Message-ID: <$tag-u@example.net>")"
set +e; desk 2026-03-04T11:02:00+00:00 unlogged reprocess "$uid" >/dev/null 2>&1; rc=$?; set -e
h_check "reprocess under the same rule: still not logged (exit 1)" 1 "$rc"
sed -i 's/unknown_senders = "unlogged";/unknown_senders = "log";/' "$conf"
desk 2026-03-04T11:03:00+00:00 unlogged reprocess "$uid" >/dev/null
h_check "reprocessed after the fix: a case" 1 "$(q "SELECT count(*) FROM cases WHERE subject = 'Parent question $tag'")"
h_check "and the unlogged row is gone" 0 "$(q "SELECT count(*) FROM unlogged WHERE id = $uid")"

# --- caselog status: healthy right after a good pass, late when passes stop ---
once 2026-03-04T11:10:00+00:00
set +e
desk 2026-03-04T11:10:30+00:00 status > "$work/status.txt"; rc=$?
h_check "status after a good pass: exit 0" 0 "$rc"
h_check "status names the mailbox and its pass" 1 "$(grep -c "^Mailbox support .*(ok)" "$work/status.txt")"
desk 2026-03-04T11:10:30+00:00 status --json > "$work/status.json"
h_check "status --json: healthy" True "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["healthy"])' "$work/status.json")"
desk 2026-03-04T14:00:00+00:00 status > "$work/late.txt"; rc=$?
h_check "no pass for hours: CRITICAL, exit 2 (the Nagios plugin convention)" 2 "$rc"
h_check "the first line says so" 1 "$(head -n 1 "$work/late.txt" | grep -c "^CASELOG CRITICAL - mailbox support: no good pass for")"
h_check "and says the mailbox is late" 1 "$(grep -c "LATE" "$work/late.txt")"
set -e

# --- exit codes a script can rely on ---
set +e
"$CASELOG" -c "$conf" resolve 2>/dev/null; rc=$?
h_check "missing REF: exit 2" 2 "$rc"
sed 's/dbname=[^ "]*/dbname=no_such_db_here/' "$conf" > "$work/nodb.conf"
"$CASELOG" -c "$work/nodb.conf" assign "$ref" 2>/dev/null; rc=$?
h_check "database unreachable: exit 3" 3 "$rc"
set -e
h_summary desk_commands
