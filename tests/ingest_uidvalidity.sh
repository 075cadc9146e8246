#!/usr/bin/env bash
# ingest_uidvalidity: the server renumbers a folder (RFC 3501 UIDVALIDITY). After a first
# pass, the folder is deleted and created again and the same messages are appended again
# (new UIDVALIDITY, new UIDs), with two genuinely new ones. The next --once reads the
# folder from the start: no duplicate case (same Message-ID from the same sender, SPEC
# section 3 rule 7), no second unlogged row for a message already kept in unlogged (an
# unthreaded auto-reply, and bytes that are not an e-mail), the copies go where their
# first copy went, the new messages are logged, and a third pass finds nothing.
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db ingest_uidv)
trap 'h_drop_db "$db"; rm -rf "$work"' EXIT
folder="uidv-$$"
tag="uidv$$x$RANDOM"
h_write_config "$work/caselog.conf" "$db" "$folder"
"$CASELOGD" -c "$work/caselog.conf" --migrate
/usr/bin/python3 "$harness_top/tests/lib/gen_mail.py" 10 "$work/gen" --tag "$tag" --attachments 20
mkdir -p "$work/first" "$work/fresh"
mv "$work"/gen/00000[0-7].eml "$work/first/"
mv "$work"/gen/*.eml "$work/fresh/"
# An out-of-office reply that threads onto no case: unlogged, never a new case.
printf 'From: Office <office@st-marys-rc.sch.uk>\r\nTo: servicedesk@desk.example.org\r\nSubject: Out of office %s\r\nDate: Tue, 3 Mar 2026 10:00:00 +0000\r\nMessage-ID: <ooo-%s@st-marys-rc.sch.uk>\r\nAuto-Submitted: auto-replied\r\n\r\nThe office is closed until Monday.\r\n' \
    "$tag" "$tag" > "$work/first/ooo.eml"
# Bytes that are not an e-mail message at all.
printf 'this is not a mail message %s\r\njust a line of text\r\n' "$tag" > "$work/first/junk.eml"

uidvalidity() {
    $CASELOG_TEST_DOVEADM -f flow mailbox status -u desk uidvalidity "$folder" |
        sed -n 's/.*uidvalidity=\([0-9]*\).*/\1/p'
}
in_rows() { h_sql "$db" "SELECT count(*) FROM messages WHERE direction = 'in'"; }
unlogged_rows() { h_sql "$db" "SELECT count(*) FROM unlogged"; }

"$STACK/imap_append.sh" desk "$folder" "$work"/first/*.eml
uv1=$(uidvalidity)
"$CASELOGD" -c "$work/caselog.conf" --once 2> "$work/once1.log" || { cat "$work/once1.log"; exit 1; }
h_check "first pass: 8 cases" 8 "$(h_sql "$db" "SELECT count(*) FROM cases")"
h_check "first pass: 8 inbound messages" 8 "$(in_rows)"
h_check "first pass: auto-reply and junk in unlogged" 2 "$(unlogged_rows)"
h_check "first pass: cursor at the first UIDVALIDITY" "$uv1" \
    "$(h_sql "$db" "SELECT uidvalidity FROM mailbox_cursors WHERE name = 'support'")"
h_check "first pass: processed folder" 8 "$(h_folder_count "$folder/Logged")"
h_check "first pass: failed folder" 2 "$(h_folder_count "$folder/Not logged")"

# --- the server renumbers the folder ---
$CASELOG_TEST_DOVEADM mailbox delete -u desk "$folder"
$CASELOG_TEST_DOVEADM mailbox create -u desk "$folder"
"$STACK/imap_append.sh" desk "$folder" "$work"/first/*.eml "$work"/fresh/*.eml
uv2=$(uidvalidity)
h_check "the folder has a new UIDVALIDITY" yes "$([ -n "$uv2" ] && [ "$uv2" != "$uv1" ] && echo yes || echo "no ($uv1 -> $uv2)")"
h_check "the folder holds the 10 old and the 2 new messages" 12 "$(h_folder_count "$folder")"

"$CASELOGD" -c "$work/caselog.conf" --once 2> "$work/once2.log" || { cat "$work/once2.log"; exit 1; }
pass_line=$(grep 'mailbox=support action=pass' "$work/once2.log" | tail -n 1)
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$pass_line"; }
echo "second pass: $pass_line"
h_check "the change is logged" 1 "$(grep -c "mailbox=support action=uidvalidity_changed old=$uv1 new=$uv2" "$work/once2.log")"
h_check "second pass: every message seen again" 12 "$(field seen)"
h_check "second pass: only the 2 new ones logged" 2 "$(field logged)"
h_check "second pass: the 10 copies are duplicates" 10 "$(field duplicates)"
h_check "second pass: nothing newly unlogged" 0 "$(field unlogged)"
h_check "no duplicate case" 10 "$(h_sql "$db" "SELECT count(*) FROM cases")"
h_check "no duplicate message row" 10 "$(in_rows)"
h_check "one message row per Message-ID" 10 \
    "$(h_sql "$db" "SELECT count(DISTINCT message_id) FROM messages WHERE direction = 'in'")"
h_check "one acknowledgement per case" 10 \
    "$(h_sql "$db" "SELECT count(*) FROM outbox WHERE template = 'acknowledgement'")"
h_check "no second unlogged row (auto-reply, junk)" 2 "$(unlogged_rows)"
h_check "one unlogged row per raw message" 2 "$(h_sql "$db" "SELECT count(DISTINCT raw_sha256) FROM unlogged")"
h_check "the unlogged rows point at the new location" 2 \
    "$(h_sql "$db" "SELECT count(*) FROM unlogged WHERE uidvalidity = $uv2")"
h_check "cursor at the new UIDVALIDITY" "$uv2" \
    "$(h_sql "$db" "SELECT uidvalidity FROM mailbox_cursors WHERE name = 'support'")"
h_check "source folder empty" 0 "$(h_folder_count "$folder")"
h_check "copies of logged mail in the processed folder" 18 "$(h_folder_count "$folder/Logged")"
h_check "copies of unlogged mail in the failed folder" 4 "$(h_folder_count "$folder/Not logged")"

"$CASELOGD" -c "$work/caselog.conf" --once 2> "$work/once3.log" || { cat "$work/once3.log"; exit 1; }
h_check "third pass: nothing seen" 1 "$(grep -c 'mailbox=support action=pass seen=0 ' "$work/once3.log")"
h_check "third pass: still 10 cases and 2 unlogged" "10 2" \
    "$(h_sql "$db" "SELECT count(*) FROM cases") $(unlogged_rows)"
h_summary ingest_uidvalidity
