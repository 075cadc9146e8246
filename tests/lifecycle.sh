#!/usr/bin/env bash
# lifecycle: a case's life end to end on the real stack, mail in over IMAP, mail out
# over SMTP and the desk's commands in between, with the one clock set (CASELOG_NOW) so
# a working week passes in seconds. (1) Mailed in, assigned, commented, resolved: the
# school gets the acknowledgement, the updates, closure requests 1, 2 and 3 at their
# working times and the closed mail; the case closes one working week after resolution.
# (2) A reply after request 2 without a confirm word reopens (reactivations 1) and stops
# the sequence. (3) "yes, please close" closes. (4) A reply after closure opens a new
# case that names the old one. (5) An event inserted by plain SQL gets its update mail.
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db lifecycle)
trap 'h_drop_db "$db"; rm -rf "$work"' EXIT
folder="lifecycle-$$"
tag="lc$$x$RANDOM"
h_write_config "$work/caselog.conf" "$db" "$folder"
"$CASELOGD" -c "$work/caselog.conf" --migrate
# The engineer cases are assigned to (on the staff; the superuser's --as names them).
h_sql "$db" "INSERT INTO staff (role_name, display_name, email) VALUES ('alice', 'Alice Hughes', 'alice@desk.example.org')" >/dev/null
conf="$work/caselog.conf"

# at TIME CMD...: run CMD with the clock set to TIME (desk time, March: UTC).
at() { local t=$1; shift; CASELOG_NOW="$t" "$@"; }
once() { h_once "$conf" "$1"; }
desk() { local t=$1; shift; at "$t" "$CASELOG" -c "$conf" --as alice "$@"; }
# mail_in TIME FILE MESSAGE-ID SUBJECT BODY [extra headers]: the school's mail arrives at TIME.
mail_in() {
    printf 'From: Mrs Helen Price <h.price@oakfield-primary.sch.uk>\r\nTo: servicedesk@desk.example.org\r\nSubject: %s\r\nMessage-ID: <%s>\r\n%sDate: %s\r\n\r\n%s\r\n' \
        "$4" "$3" "${6:-}" "$(date -R -d "$1")" "$5" > "$2"
    "$STACK/imap_append.sh" desk "$folder" "$2" --date "$1" >/dev/null
}
sent() { h_spool_with "$1"; }
state() { h_sql "$db" "SELECT state FROM cases WHERE reference = '$1'"; }

# --- (1) the whole life, Monday 2 March 2026 ---
mail_in 2026-03-02T09:00:00+00:00 "$work/1.eml" "$tag-1@oakfield-primary.sch.uk" "Hall projector $tag" "No signal."
once 2026-03-02T09:00:30+00:00
ref=$(h_sql "$db" "SELECT reference FROM cases ORDER BY id LIMIT 1")
h_check "acknowledgement sent" 1 "$(h_spool_subject "[$ref] Hall projector $tag")"
desk 2026-03-02T09:10:00+00:00 assign "$ref" >/dev/null
desk 2026-03-02T09:20:00+00:00 comment "$ref" "We have ordered a new HDMI cable for the hall ($tag)." >/dev/null
desk 2026-03-02T09:25:00+00:00 comment "$ref" --internal "Cable from stock room B ($tag)." >/dev/null
once 2026-03-02T09:30:00+00:00
h_check "assigned: state" assigned "$(state "$ref")"
h_check "responded at the assignment (first public event by a person)" "2026-03-02 09:10" \
    "$(h_sql "$db" "SELECT to_char(responded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM cases WHERE reference = '$ref'")"
h_check "two update mails (assignment, comment)" 2 "$(h_spool_subject "[$ref] Update: Hall projector $tag")"
h_check "the comment is in an update" 1 "$(sent "We have ordered a new HDMI cable for the hall ($tag)")"
h_check "the internal note is not mailed" 0 "$(sent "stock room B ($tag)")"
desk 2026-03-02T10:00:00+00:00 resolve "$ref" "The new cable is fitted." >/dev/null
once 2026-03-02T10:00:30+00:00
h_check "resolved" resolved "$(state "$ref")"
h_check "closure request 1 at once" 1 "$(h_spool_subject "[$ref] Can we close this case? (request 1 of 3): Hall projector $tag")"
h_check "request 2 waits two working days" "2026-03-04 10:00" \
    "$(h_sql "$db" "SELECT to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM case_timers t JOIN cases c ON c.id = t.case_id WHERE c.reference = '$ref'")"
once 2026-03-04T09:59:00+00:00
h_check "request 2 not before its time" 0 "$(h_spool_subject "[$ref] Can we close this case? (request 2 of 3): Hall projector $tag")"
once 2026-03-04T10:00:30+00:00
h_check "request 2 on Wednesday" 1 "$(h_spool_subject "[$ref] Can we close this case? (request 2 of 3): Hall projector $tag")"
once 2026-03-06T10:00:30+00:00
h_check "request 3 on Friday" 1 "$(h_spool_subject "[$ref] Can we close this case? (request 3 of 3): Hall projector $tag")"
h_check "request 3 says it is the last" 1 "$(grep -l -F "the case will be closed" "$CASELOG_TEST_SMTP_SPOOL"/*.eml | xargs grep -l -F "$tag-1@" | wc -l)"
once 2026-03-09T09:59:00+00:00
h_check "still resolved on Monday before the hour" resolved "$(state "$ref")"
once 2026-03-09T10:00:30+00:00
h_check "closed one working week after resolution" "closed|2026-03-09" \
    "$(h_sql "$db" "SELECT state || '|' || to_char(closed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') FROM cases WHERE reference = '$ref'")"
h_check "the closed mail" 1 "$(h_spool_subject "[$ref] Closed: Hall projector $tag")"
h_check "requests sent once each, nothing more" 3 "$(h_sql "$db" "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.reference = '$ref' AND o.template = 'closure-request' AND o.state = 'sent'")"
h_check "no timer left" 0 "$(h_sql "$db" "SELECT count(*) FROM case_timers")"

# --- (4) a reply after closure opens a new case naming the old one ---
mail_in 2026-03-10T09:00:00+00:00 "$work/4.eml" "$tag-4@oakfield-primary.sch.uk" "Re: [$ref] Closed: Hall projector $tag" "It is flickering again."
once 2026-03-10T09:00:30+00:00
new=$(h_sql "$db" "SELECT reference FROM cases WHERE follows = (SELECT id FROM cases WHERE reference = '$ref')")
h_check "a new case follows the closed one" 1 "$(h_sql "$db" "SELECT count(*) FROM cases WHERE reference = '$new' AND state = 'open'")"
h_check "its acknowledgement names the old case" 1 \
    "$(grep -l -F "[$new]" "$CASELOG_TEST_SMTP_SPOOL"/*.eml | xargs grep -l -F "$tag" | xargs grep -l -F "Case $ref was already closed" | wc -l)"

# --- (2) a reply after request 2 without a confirm word reopens ---
mail_in 2026-03-10T09:05:00+00:00 "$work/2.eml" "$tag-2@oakfield-primary.sch.uk" "Laptop trolley $tag" "The trolley will not charge."
once 2026-03-10T09:05:30+00:00
ref2=$(h_sql "$db" "SELECT reference FROM cases WHERE subject = 'Laptop trolley $tag'")
desk 2026-03-10T09:30:00+00:00 resolve "$ref2" "Fuse replaced." >/dev/null
once 2026-03-10T09:30:30+00:00
once 2026-03-12T09:30:30+00:00
h_check "case 2: request 2 sent" 1 "$(h_spool_subject "[$ref2] Can we close this case? (request 2 of 3): Laptop trolley $tag")"
mail_in 2026-03-12T11:00:00+00:00 "$work/2r.eml" "$tag-2r@oakfield-primary.sch.uk" "Re: [$ref2] Can we close this case?" "Half the bays still show no light."
once 2026-03-12T11:00:30+00:00
h_check "case 2 reopened" open "$(state "$ref2")"
h_check "case 2 reactivations" 1 "$(h_sql "$db" "SELECT reactivations FROM cases WHERE reference = '$ref2'")"
h_check "case 2: the reopened mail" 1 "$(h_spool_subject "[$ref2] Reopened: Laptop trolley $tag")"
once 2026-03-16T09:30:30+00:00
h_check "case 2: the sequence stopped (no request 3)" 0 "$(h_spool_subject "[$ref2] Can we close this case? (request 3 of 3): Laptop trolley $tag")"

# --- (3) "yes, please close" closes ---
mail_in 2026-03-16T10:00:00+00:00 "$work/3.eml" "$tag-3@oakfield-primary.sch.uk" "Staff printer $tag" "Printer offline."
once 2026-03-16T10:00:30+00:00
ref3=$(h_sql "$db" "SELECT reference FROM cases WHERE subject = 'Staff printer $tag'")
desk 2026-03-16T10:30:00+00:00 resolve "$ref3" "Driver reinstalled." >/dev/null
once 2026-03-16T10:30:30+00:00
mail_in 2026-03-16T11:00:00+00:00 "$work/3r.eml" "$tag-3r@oakfield-primary.sch.uk" "Re: [$ref3] Can we close this case?" "Yes, please close. Thank you!"
once 2026-03-16T11:00:30+00:00
h_check "case 3 closed by the school's confirmation" closed "$(state "$ref3")"
h_check "case 3: no timer left" 0 "$(h_sql "$db" "SELECT count(*) FROM case_timers t JOIN cases c ON c.id = t.case_id WHERE c.reference = '$ref3'")"

# --- (5) an event inserted by plain SQL gets its update mail ---
h_sql "$db" "INSERT INTO case_events (case_id, actor, kind, public, data) SELECT id, 'web', 'comment', true, '{\"text\": \"Posted from the web desk $tag\"}' FROM cases WHERE reference = '$new'" >/dev/null
once 2026-03-16T11:10:00+00:00
h_check "plain-SQL event: update mailed" 1 "$(sent "Posted from the web desk $tag")"
once 2026-03-16T11:20:00+00:00
h_check "plain-SQL event: mailed once" 1 "$(sent "Posted from the web desk $tag")"

# --- refusals a script can rely on ---
set +e
desk 2026-03-16T11:30:00+00:00 comment "$ref" "too late" 2>"$work/refused.txt"; rc=$?
set -e
h_check "a comment on a closed case is refused (exit 1)" 1 "$rc"
h_check "with the reason" 1 "$(grep -c "$ref: the case is closed" "$work/refused.txt")"
set +e; desk 2026-03-16T11:30:00+00:00 assign INC9999999 2>/dev/null; rc=$?; set -e
h_check "no such case (exit 1)" 1 "$rc"
h_summary lifecycle
