#!/usr/bin/env bash
# identity: staff are people (issue 17, part 1). The database is set up as the package
# sets it up: a non-superuser owner role with CREATEROLE migrates and runs the daemon.
# An admin adds staff; two staff members act and are recorded as themselves (whatever
# they claim); --as is an admin's alone and --as "" is refused; a desk member without
# caselog_safeguarding is refused a confidential case by the database itself (the CLI
# and plain SQL alike), while a safeguarding lead and the daemon read it; a removed
# member reads nothing; migration 020 runs in two databases of one cluster at once.
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
owner=$(h_role own)
sam=$(h_role sam) priya=$(h_role priya) dana=$(h_role dana) carol=$(h_role carol)
"$STACK/psql.sh" postgres -q -c "CREATE ROLE $owner LOGIN CREATEROLE" >/dev/null
db=$(h_new_owned_db identity "$owner")
db2=$(h_new_owned_db identity2 "$owner")
trap 'h_drop_db "$db"; h_drop_db "$db2"; h_drop_roles "$sam" "$priya" "$dana" "$carol" "$owner"; rm -rf "$work"' EXIT
folder="identity-$$"
tag="id$$x$RANDOM"
conf="$work/caselog.conf"
h_write_config "$conf" "$db" "$folder"
sed -i 's/^routing = (/routing = (\n  { name = "safeguarding"; subject = "(?i)safeguarding"; confidential = true; },/' "$conf"
h_write_config "$work/db2.conf" "$db2" "$folder-2"

# Two databases of the cluster migrated at once: the shared roles are made once, no error.
"$CASELOGD" -c "$conf" --migrate 2>"$work/m1.log" & m1=$!
"$CASELOGD" -c "$work/db2.conf" --migrate 2>"$work/m2.log" & m2=$!
rc1=0; wait $m1 || rc1=$?; rc2=0; wait $m2 || rc2=$?
h_check "migrations in two databases at once" "0 0" "$rc1 $rc2"
h_check "the four group roles" 4 "$(h_sql "$db" "SELECT count(*) FROM pg_roles WHERE rolname IN ('caselog_daemon', 'caselog_desk', 'caselog_admin', 'caselog_safeguarding') AND NOT rolcanlogin")"
h_check "the owner (the daemon's role) is in caselog_daemon" t "$(h_sql "$db" "SELECT pg_has_role('$owner', 'caselog_daemon', 'MEMBER')")"
"$CASELOG" -c "$conf" schools import "$harness_top/packaging/demo-schools.csv" >/dev/null

# --- staff, added by the owner (as the package's first admin would be: sudo -u caselog) ---
"$CASELOG" -c "$conf" staff add "$sam" --name "Sam Jones" --email Sam.Jones@desk.example.org --admin >/dev/null
"$CASELOG" -c "$conf" staff add "$priya" --name "Priya Shah" --email priya.shah@desk.example.org >/dev/null
"$CASELOG" -c "$conf" staff add "$dana" --name "Dana Lee" --email dana.lee@desk.example.org --safeguarding >/dev/null
"$CASELOG" -c "$conf" staff add "$carol" --name "Carol Ng" --email carol.ng@desk.example.org >/dev/null
for r in sam priya dana carol; do
    role=${!r}
    sed "s/user=$owner/user=$role/" "$conf" > "$work/$r.conf"
done
as() { local who=$1; shift; "$CASELOG" -c "$work/$who.conf" "$@"; }
h_check "staff list: four people" 4 "$(as priya staff list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
h_check "staff list shows Sam as an admin" "$sam|Sam Jones|sam.jones@desk.example.org|True" \
    "$(as carol staff list --json | python3 -c "import json,sys; print(*[f\"{m['role_name']}|{m['display_name']}|{m['email']}|{m['admin']}\" for m in json.load(sys.stdin) if m['role_name'] == '$sam'])")"
set +e
as priya staff add "$(h_role eve)" --name "Eve" --email eve@desk.example.org 2>"$work/err"; rc=$?
h_check "a desk member cannot add staff (exit 1)" 1 "$rc"
h_check "and is told why" 1 "$(grep -c "caselog staff add: only members of caselog_admin may (permission denied for function caselog_staff_add)" "$work/err")"
"$CASELOG" -c "$conf" staff add postgres --name "P" --email p@desk.example.org 2>"$work/err"; rc=$?
h_check "a superuser cannot be made staff (exit 1)" 1 "$rc"
"$CASELOG" -c "$conf" staff add "Bad Name" --name "B" --email b@desk.example.org 2>"$work/err"; rc=$?
h_check "a name that is no login name is refused" 1 "$(grep -c 'bad staff name' "$work/err")"
"$CASELOG" -c "$conf" staff add "$carol" --name $'Carol \e[31mNg' --email carol.ng@desk.example.org 2>"$work/err"; rc=$?
h_check "a display name with a control character: refused, and told why" "1 1" \
    "$rc $(grep -c 'a display name cannot hold control characters' "$work/err")"
set -e

# --- mail in: an ordinary case and a confidential one ---
mail_in() { # FILE MESSAGE-ID SUBJECT BODY [FROM]
    printf 'From: %s\r\nTo: servicedesk@desk.example.org\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: %s\r\n\r\n%s\r\n' \
        "${5:-Mrs Helen Price <h.price@oakfield-primary.sch.uk>}" "$3" "$2" "$(date -R)" "$4" > "$1"
    "$STACK/imap_append.sh" desk "$folder" "$1" >/dev/null
}
mail_in "$work/1.eml" "$tag-1@oakfield-primary.sch.uk" "Printer jam $tag" "The office printer is jammed."
mail_in "$work/2.eml" "$tag-2@oakfield-primary.sch.uk" "Safeguarding concern $tag" "A pupil told us something worrying."
"$CASELOGD" -c "$conf" --once 2>>"$work/daemon.log" || { tail -20 "$work/daemon.log"; exit 1; }
ref=$(h_sql "$db" "SELECT reference FROM cases WHERE subject = 'Printer jam $tag'")
conf_ref=$(h_sql "$db" "SELECT reference FROM cases WHERE subject = 'Safeguarding concern $tag' AND confidential")
h_check "the daemon (the owner) logged both, one confidential" "2 1" \
    "$(h_sql "$db" "SELECT count(*) || ' ' || count(*) FILTER (WHERE confidential) FROM cases")"

# --- two people act, and are recorded as themselves ---
as sam assign "$ref" "$priya" >/dev/null
as priya comment "$ref" "On my way to the office ($tag)." >/dev/null
actors() { h_sql "$db" "SELECT string_agg(e.kind || ':' || e.actor, ' ' ORDER BY e.id) FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.reference = '$ref' AND e.message_id IS NULL"; }
h_check "Sam assigned, Priya commented, each as themselves" "assigned:$sam comment:$priya" "$(actors)"
h_check "assigned to Priya" "assigned|$priya" "$(h_sql "$db" "SELECT state || '|' || assignee FROM cases WHERE reference = '$ref'")"
set +e
as priya --as "$sam" comment "$ref" "Pretending to be Sam" 2>"$work/err"; rc=$?
h_check "--as by a desk member: refused (exit 1)" 1 "$rc"
h_check "with a clear message" 1 "$(grep -c -- "--as is only for members of caselog_admin" "$work/err")"
as sam --as "" comment "$ref" "nobody" 2>"$work/err"; rc=$?
h_check "--as \"\": refused (exit 2)" 2 "$rc"
as priya assign "$ref" "no_such_person_$$" 2>"$work/err"; rc=$?
h_check "assigning to someone not on the staff: refused" 1 "$rc"
as sam --as "no_such_person_$$" comment "$ref" --internal "typo in a script" 2>"$work/err"; rc=$?
h_check "an admin's --as naming nobody on the staff: refused (exit 1)" "1 1" \
    "$rc $(grep -c -- "--as no_such_person_$$: not on the staff" "$work/err")"
as sam --as "Priya Shah" comment "$ref" --internal "Priya's name, not her role" 2>"$work/err"; rc=$?
h_check "nor a display name (it would read as Priya in show)" 1 "$rc"
set -e
h_check "nothing was recorded by the refused commands" "assigned:$sam comment:$priya" "$(actors)"
as sam --as "$priya" comment "$ref" --internal "Noted for Priya by a script ($tag)." >/dev/null
h_check "an admin's --as names the actor" "assigned:$sam comment:$priya note:$priya" "$(actors)"
case_id=$(h_sql "$db" "SELECT id FROM cases WHERE reference = '$ref'")
h_sql "$(h_as "$db" "$priya")" "INSERT INTO case_events (case_id, kind, public, needs_notice) VALUES ($case_id, 'note', false, false)" >/dev/null
h_check "plain SQL by Priya: the actor is Priya" "$priya" "$(h_sql "$db" "SELECT actor FROM case_events ORDER BY id DESC LIMIT 1")"
set +e
h_sql "$(h_as "$db" "$priya")" "INSERT INTO case_events (case_id, actor, kind, public) VALUES ($case_id, '$sam', 'note', false)" >/dev/null 2>"$work/err"; rc=$?
set -e
h_check "plain SQL by Priya naming Sam: refused by the database" 1 "$(grep -c "may not record an event as $sam" "$work/err")"

# --- a confidential case: the database refuses Carol, shows Dana and the daemon ---
set +e
as carol show "$conf_ref" >"$work/out" 2>"$work/err"; rc=$?
h_check "Carol (desk, not safeguarding): show refused (exit 1)" 1 "$rc"
h_check "as a case that does not exist" 1 "$(grep -c "no case $conf_ref" "$work/err")"
as carol assign "$conf_ref" "$carol" 2>"$work/err"; rc=$?
h_check "Carol cannot act on it either" 1 "$rc"
set -e
carol_db=$(h_as "$db" "$carol")
h_check "Carol's plain SQL sees one case, not the confidential one" "1 0" \
    "$(h_sql "$carol_db" "SELECT count(*) || ' ' || count(*) FILTER (WHERE confidential) FROM cases")"
conf_id=$(h_sql "$db" "SELECT id FROM cases WHERE reference = '$conf_ref'")
h_check "the owner sees its mail in and out, its event and its outbox row" "2 1 1" \
    "$(h_sql "$db" "SELECT (SELECT count(*) FROM messages WHERE case_id = $conf_id) || ' ' || (SELECT count(*) FROM case_events WHERE case_id = $conf_id) || ' ' || (SELECT count(*) FROM outbox WHERE case_id = $conf_id)")"
h_check "Carol sees none of them" "0 0 0" \
    "$(h_sql "$carol_db" "SELECT (SELECT count(*) FROM messages WHERE case_id = $conf_id OR subject LIKE 'Safeguarding%') || ' ' || (SELECT count(*) FROM case_events WHERE case_id = $conf_id) || ' ' || (SELECT count(*) FROM outbox WHERE case_id = $conf_id)")"
h_check "nor through the case_sla view" 0 "$(h_sql "$carol_db" "SELECT count(*) FROM case_sla WHERE reference = '$conf_ref'")"
h_check "nor in its list" 0 "$(as carol list --json | grep -c "$conf_ref" || true)"
h_check "Dana (safeguarding) reads it" "$conf_ref  Safeguarding concern $tag" "$(as dana show "$conf_ref" | head -n 1)"
h_check "the daemon's role reads everything" "2 2" \
    "$(h_sql "$db" "SELECT (SELECT count(*) FROM cases) || ' ' || (SELECT count(DISTINCT case_id) FROM messages)")"
report_logged() { # WHO: cases logged this period in WHO's service report (the note to $work/report.err)
    as "$1" report --from 2000-01-01 --to 2100-12-31 --format json 2>"$work/report.err" |
        python3 -c 'import json,sys; d=json.load(sys.stdin); print(next(r["logged"] for r in d["rows"] if r["group"] == "all" and r["period"] == d["period"]["label"]))'
}
h_check "Carol's service report counts the case she may read" 1 "$(report_logged carol)"
h_check "and says one confidential case is not counted" 1 "$(grep -c "1 confidential case logged in the period is not counted" "$work/report.err")"
h_check "Dana's counts both, with no such note" "2 0" "$(report_logged dana) $(grep -c "not counted" "$work/report.err" || true)"
h_check "status counts the whole desk for Carol too" 2 \
    "$(as carol status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["cases_open"])')"

# --- desk members do not change the school directory ---
set +e
as priya schools add "Nowhere School" "URN 999999" nowhere.sch.uk 2>"$work/err"; rc=$?
set -e
h_check "a desk member cannot change the school directory" "1 1" "$rc $(grep -c "caselog schools: only members of caselog_admin may (permission denied for table schools)" "$work/err")"
set +e
as priya unlogged >/dev/null 2>"$work/err"; rc=$?
set -e
h_check "nor read unlogged mail" "1 1" "$rc $(grep -c "caselog unlogged: only members of caselog_admin may (permission denied for table unlogged)" "$work/err")"

# --- an admin (not safeguarding) reprocesses mail that was not logged ---
sed 's/unknown_senders = "log";/unknown_senders = "unlogged";/' "$conf" > "$work/strict.conf"
mail_in "$work/3.eml" "$tag-3@example.net" "A parent asks $tag" "Is the website down?" "A Parent <parent@example.net>"
"$CASELOGD" -c "$work/strict.conf" --once 2>>"$work/daemon.log" || { tail -20 "$work/daemon.log"; exit 1; }
unlogged_id=$(h_sql "$db" "SELECT id FROM unlogged WHERE subject = 'A parent asks $tag'")
h_check "an unknown sender's mail was not logged" yes "$([ -n "$unlogged_id" ] && echo yes || echo no)"
as sam unlogged reprocess "$unlogged_id" >/dev/null
h_check "Sam (admin) reprocesses it: a case, the unlogged row gone" "1 0" \
    "$(h_sql "$db" "SELECT (SELECT count(*) FROM cases WHERE subject = 'A parent asks $tag') || ' ' || (SELECT count(*) FROM unlogged WHERE id = $unlogged_id)")"

# --- a staff member's own mailbox: staff, as the desk's own address is. A colleague who
#     copies the desk in is kept on the case as theirs and changes nothing (it is not
#     the school answering a hold, confirming or reopening); never mailed a school's
#     notice ---
once() { h_once "$conf"; }
as priya hold "$ref" --reason awaiting_customer "Which printer is it?" >/dev/null
mail_in "$work/4.eml" "$tag-4@desk.example.org" "Re: [$ref] Printer jam $tag" "I have rung the school: they will reply." \
    "Priya Shah <Priya.Shah@desk.example.org>"
mail_in "$work/5.eml" "$tag-5@desk.example.org" "Phoned in: projector $tag" "Tom rang: the hall projector is dead." \
    "Sam Jones <sam.jones@desk.example.org>"
once
once # the scheduler's pass after the mail: a school's answer would end the hold here
h_check "Priya's mail from her own mailbox is staff's: kept, from_staff" "from_staff false true" \
    "$(h_sql "$db" "SELECT e.kind || ' ' || m.from_outside || ' ' || m.from_staff FROM case_events e JOIN messages m ON m.id = e.message_id WHERE m.message_id = '$tag-4@desk.example.org'")"
h_check "and it is not the school's answer: the case stays on hold" on_hold \
    "$(h_sql "$db" "SELECT state FROM cases WHERE reference = '$ref'")"
phoned=$(h_sql "$db" "SELECT reference FROM cases WHERE subject = 'Phoned in: projector $tag'")
h_check "Sam's new mail from his own address: an open case, no acknowledgement" "open 0" \
    "$(h_sql "$db" "SELECT c.state || ' ' || (SELECT count(*) FROM outbox o WHERE o.case_id = c.id) FROM cases c WHERE c.reference = '$phoned'")"
as priya comment "$phoned" "We will visit on Tuesday." >/dev/null
as priya resolve "$phoned" "New lamp fitted." >/dev/null
once
mail_in "$work/6.eml" "$tag-6@desk.example.org" "Re: [$phoned] projector" "Thanks Priya, I will tell Tom." \
    "Sam Jones <sam.jones@desk.example.org>"
once
h_check "Sam's thanks does not close the resolved case for the school" resolved \
    "$(h_sql "$db" "SELECT state FROM cases WHERE reference = '$phoned'")"
h_check "the school's notices to Sam were held back, not sent" "suppressed suppressed" \
    "$(h_sql "$db" "SELECT string_agg(o.state, ' ' ORDER BY o.id) FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.reference = '$phoned'")"
h_check "and the case says why" 2 \
    "$(h_sql "$db" "SELECT count(*) FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.reference = '$phoned' AND e.kind = 'suppressed' AND e.data->>'reason' LIKE '%staff member%'")"
h_check "no mail about it reached anyone" 0 "$(h_spool_subject "projector $tag")"

# --- removal: the role loses the desk; its name stays on its events ---
as sam staff remove "$priya" >/dev/null
set +e
as priya list >/dev/null 2>&1; rc=$?
set -e
h_check "a removed member reads nothing" 1 "$rc"
set +e
as priya list >/dev/null 2>"$work/err"
set -e
h_check "and is told so in one line" "1 1" \
    "$(wc -l < "$work/err") $(grep -c "^caselog: $priya is not on the desk's staff (not a member of caselog_desk): an admin adds people with caselog staff add$" "$work/err")"
h_check "staff list --all shows the removal" 1 "$(as sam staff list --all | grep "^$priya " | grep -c "(removed)")"
h_check "the past events keep the name" "$priya" "$(h_sql "$db" "SELECT actor FROM case_events WHERE kind = 'comment' AND case_id = $case_id")"
# --- the CLI needs no secret: it never opens a password_file nor runs a token_command ---
sed -e "s|password_env = \"CASELOG_TEST_DESK_PASSWORD\"|password_file = \"$work/no-such.secret\"|" \
    -e "s|auth = \"password\"; password_env = \"CASELOG_TEST_SMTP_PASSWORD\"|auth = \"xoauth2\"; token_command = \"touch $work/token-ran\"|" \
    "$work/sam.conf" > "$work/nosecret.conf"
h_check "the daemon's check finds the missing secret" 2 \
    "$("$CASELOGD" --check-config -c "$work/nosecret.conf" >/dev/null 2>&1; echo $?)"
h_check "the CLI works without it" 0 "$(env -u CASELOG_TEST_DESK_PASSWORD -u CASELOG_TEST_SMTP_PASSWORD "$CASELOG" -c "$work/nosecret.conf" list >/dev/null; echo $?)"
h_check "and never ran the token command" no "$([ -e "$work/token-ran" ] && echo yes || echo no)"
h_summary identity
