#!/usr/bin/env bash
# peers: failures other help desks' users report (../shared/docs/PEERS.md), each tried
# on the real stack: mail another client already read is still logged; one message in
# two desk mailboxes is one case; foreign reply prefixes (AW:, SV:, VS:) thread by the
# tag; an empty Message-ID "< >" threads nothing (no mail onto another school's case);
# a "thank you" to a resolved case closes it rather than reopening.
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db peers)
trap 'h_drop_db "$db"; rm -rf "$work"' EXIT
a="peers-a-$$"
b="peers-b-$$"
tag="pe$$x$RANDOM"
conf="$work/caselog.conf"
h_write_config "$conf" "$db" "$a"
# A second desk mailbox on folder b: the same block under another name.
python3 - "$conf" "$a" "$b" <<'PY'
import sys, re
path, a, b = sys.argv[1:]
text = open(path).read()
block = re.search(r"mailboxes = \(\n(  \{.*?\n  \})\n\);", text, re.S).group(1)
second = block.replace('name = "support"', 'name = "changes"').replace('"%s' % a, '"%s' % b)
text = text.replace(block, block + ",\n" + second)
open(path, "w").write(text)
PY
"$CASELOGD" -c "$conf" --migrate
# The engineer the desk's commands act as (--as names a staff member).
h_sql "$db" "INSERT INTO staff (role_name, display_name, email) VALUES ('alice', 'Alice Hughes', 'alice@desk.example.org')" >/dev/null
"$STACK/imap_append.sh" desk "$b" >/dev/null # the second mailbox's folder exists from the start
once() { h_once "$conf"; }
msg() { # FILE FROM MESSAGE-ID SUBJECT BODY [extra headers]
    printf 'From: %s\r\nTo: servicedesk@desk.example.org\r\nSubject: %s\r\nMessage-ID: %s\r\n%sDate: Tue, 3 Mar 2026 10:00:00 +0000\r\n\r\n%s\r\n' \
        "$2" "$4" "$3" "${6:-}" "$5" > "$1"
}
q() { h_sql "$db" "$1"; }
head_school="Mrs Helen Price <h.price@oakfield-primary.sch.uk>"

# --- mail already read by another client (\Seen) is still new to us ---
msg "$work/seen.eml" "$head_school" "<$tag-seen@oakfield-primary.sch.uk>" "Seen already $tag" "Read on the office PC first."
"$STACK/imap_append.sh" desk "$a" "$work/seen.eml" >/dev/null
$CASELOG_TEST_DOVEADM flags add -u desk '\Seen' mailbox "$a" all
once
h_check "read mail is logged" 1 "$(q "SELECT count(*) FROM cases WHERE subject = 'Seen already $tag'")"

# --- one message sent to two desk mailboxes: one case ---
msg "$work/both.eml" "$head_school" "<$tag-both@oakfield-primary.sch.uk>" "Sent to both $tag" "To support and to changes."
"$STACK/imap_append.sh" desk "$a" "$work/both.eml" >/dev/null
"$STACK/imap_append.sh" desk "$b" "$work/both.eml" >/dev/null
once
h_check "two mailboxes, one case" 1 "$(q "SELECT count(*) FROM cases WHERE subject = 'Sent to both $tag'")"
h_check "one acknowledgement" 1 "$(q "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.subject = 'Sent to both $tag' AND o.template = 'acknowledgement'")"
h_check "both copies moved out of the inboxes" "0|0" "$(h_folder_count "$a")|$(h_folder_count "$b")"

# --- AW:, SV:, VS: replies thread by the tag ---
ref=$(q "SELECT reference FROM cases WHERE subject = 'Sent to both $tag'")
i=0
for prefix in "AW:" "SV:" "VS: Re:"; do
    i=$((i + 1))
    msg "$work/r$i.eml" "$head_school" "<$tag-r$i@oakfield-primary.sch.uk>" "$prefix [$ref] Sent to both $tag" "Reply $i."
done
"$STACK/imap_append.sh" desk "$a" "$work"/r?.eml >/dev/null
once
h_check "foreign prefixes: all three on the case" 3 \
    "$(q "SELECT count(*) FROM messages m JOIN cases c ON c.id = m.case_id WHERE c.reference = '$ref' AND m.message_id LIKE '$tag-r%'")"
h_check "foreign prefixes: no new case" 0 "$(q "SELECT count(*) FROM cases WHERE subject LIKE '%[$ref]%'")"

# --- an empty Message-ID never threads (another school's mail stays its own) ---
msg "$work/e1.eml" "$head_school" "< >" "Empty id $tag" "Our mailer sends no id."
"$STACK/imap_append.sh" desk "$a" "$work/e1.eml" >/dev/null
once
msg "$work/e2.eml" "Bursar <bursar@st-marys-rc.sch.uk>" "<$tag-e2@st-marys-rc.sch.uk>" "Licence renewal $tag" "Nothing to do with Oakfield." \
    'In-Reply-To: < >\r\nReferences: < >\r\n'
"$STACK/imap_append.sh" desk "$a" "$work/e2.eml" >/dev/null
once
h_check "the other school's mail is a case of its own" 1 "$(q "SELECT count(*) FROM cases WHERE subject = 'Licence renewal $tag' AND requester = 'bursar@st-marys-rc.sch.uk'")"
h_check "nothing of it on Oakfield's case" 0 \
    "$(q "SELECT count(*) FROM messages m JOIN cases c ON c.id = m.case_id WHERE c.subject = 'Empty id $tag' AND m.from_address = 'bursar@st-marys-rc.sch.uk'")"

# --- "thank you" closes a resolved case ---
"$CASELOG" -c "$conf" --as alice resolve "$ref" "Done." >/dev/null
msg "$work/ty.eml" "$head_school" "<$tag-ty@oakfield-primary.sch.uk>" "Re: [$ref] Can we close this case?" "Thank you, all working now."
"$STACK/imap_append.sh" desk "$a" "$work/ty.eml" >/dev/null
once
h_check "a thank-you closes" "closed|0" "$(q "SELECT state || '|' || reactivations FROM cases WHERE reference = '$ref'")"
h_summary peers
