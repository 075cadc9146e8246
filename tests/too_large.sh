#!/usr/bin/env bash
# too_large: a message over limits.max_message_size is never fetched whole: it is kept
# in unlogged with its header and the reason, moved to the failed folder, and its sender
# (Reply-To, else From) is told, naming the subject and both sizes; an automatic one
# (an out-of-office) gets no answer. The rest of the mailbox flows.
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db too_large)
trap 'h_drop_db "$db"; rm -rf "$work"' EXIT
folder="too-large-$$"
tag="tl$$x$RANDOM"
conf="$work/caselog.conf"
h_write_config "$conf" "$db" "$folder"
echo 'limits = { max_message_size = "100K"; };' >> "$conf"
"$CASELOGD" -c "$conf" --migrate
big_body() { head -c 300000 /dev/zero | tr '\0' 'x' | fold -w 76; }
{ printf 'From: Mr Tom Hughes <t.hughes@riverside-academy.org.uk>\r\nReply-To: Office <office@riverside-academy.org.uk>\r\nTo: servicedesk@desk.example.org\r\nSubject: Scanned timetable %s\r\nMessage-ID: <%s-big@riverside-academy.org.uk>\r\n\r\n' "$tag" "$tag"; big_body; } > "$work/big.eml"
{ printf 'From: Mr Tom Hughes <t.hughes@riverside-academy.org.uk>\r\nTo: servicedesk@desk.example.org\r\nSubject: Automatic reply: away %s\r\nAuto-Submitted: auto-replied\r\nMessage-ID: <%s-ooo@riverside-academy.org.uk>\r\n\r\n' "$tag" "$tag"; big_body; } > "$work/ooo.eml"
printf 'From: Mr Tom Hughes <t.hughes@riverside-academy.org.uk>\r\nTo: servicedesk@desk.example.org\r\nSubject: Small one %s\r\nMessage-ID: <%s-small@riverside-academy.org.uk>\r\n\r\nStill fine.\r\n' "$tag" "$tag" > "$work/small.eml"
"$STACK/imap_append.sh" desk "$folder" "$work/big.eml" "$work/ooo.eml" "$work/small.eml" >/dev/null
"$CASELOGD" -c "$conf" --once 2>"$work/daemon.log" || { tail -20 "$work/daemon.log"; exit 1; }
h_check "the small one is logged" 1 "$(h_sql "$db" "SELECT count(*) FROM cases WHERE subject = 'Small one $tag'")"
h_check "both large ones in unlogged, with their subjects" 2 \
    "$(h_sql "$db" "SELECT count(*) FROM unlogged WHERE reason LIKE '%over limits.max_message_size%' AND subject LIKE '%$tag'")"
h_check "only the header was kept" yes "$(h_sql "$db" "SELECT CASE WHEN max(length(raw)) < 4096 THEN 'yes' ELSE 'no' END FROM unlogged")"
h_check "both in the failed folder" 2 "$(h_folder_count "$folder/Not logged")"
h_check "one too-large notice, to the Reply-To" "office@riverside-academy.org.uk|sent" \
    "$(h_sql "$db" "SELECT recipient || '|' || state FROM outbox WHERE template = 'too-large'")"
h_check "it names the subject" 1 "$(h_spool_subject "Message too large: Scanned timetable $tag")"
h_check "and both sizes" 1 "$(grep -l -F "$tag" "$CASELOG_TEST_SMTP_SPOOL"/*.eml | xargs grep -l "(301 KB) is larger than we can accept (100 KB)" | wc -l)"
h_check "nothing to the out-of-office" 0 "$(h_spool_subject "away $tag")"
h_summary too_large
