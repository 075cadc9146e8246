#!/usr/bin/env bash
# explain_db: `caselog explain` with the database reachable does the school and thread
# look-ups that logging would make, and writes nothing: a new message is a new case, an
# out-of-office naming a logged case would be an internal event on it, and a reply whose
# In-Reply-To is a logged message would thread onto that message's case.
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db explain_db)
trap 'h_drop_db "$db"; rm -rf "$work"' EXIT
folder="explain-db-$$"
h_write_config "$work/caselog.conf" "$db" "$folder"
"$CASELOGD" -c "$work/caselog.conf" --migrate
"$CASELOG" -c "$work/caselog.conf" schools import "$harness_top/packaging/demo-schools.csv" >/dev/null
"$STACK/imap_append.sh" desk "$folder" "$harness_top/tests/mail/01-sims-login-whole-school.eml"
"$CASELOGD" -c "$work/caselog.conf" --once 2> "$work/once.log" || { cat "$work/once.log"; exit 1; }
ref=$(h_sql "$db" "SELECT reference FROM cases ORDER BY id LIMIT 1")
h_check "the first message made a case" INC0000001 "$ref"

# field FILE KEY: one JSON field of `caselog explain --json FILE`.
field() {
    "$CASELOG" -c "$work/caselog.conf" explain --json "$1" |
        python3 -c 'import json,sys; v=json.load(sys.stdin).get(sys.argv[1]); print("null" if v is None else v)' "$2"
}
new="$harness_top/tests/mail/02-printer-after-hours.eml"
h_check "database consulted" consulted "$(field "$new" database)"
h_check "school found from the sender's domain" "$(h_sql "$db" "SELECT identifier FROM schools s JOIN school_domains d ON d.school_id = s.id WHERE d.domain = 'riverside-academy.org.uk'")" "$(field "$new" school)"
h_check "an unthreaded message: new case" new_case "$(field "$new" thread_action)"
h_check "an unthreaded message: no case" null "$(field "$new" thread_case)"

ooo="$harness_top/tests/mail/06-out-of-office.eml"
h_check "auto-reply naming the case: internal event" internal "$(field "$ooo" thread_action)"
h_check "auto-reply naming the case: onto it" "$ref" "$(field "$ooo" thread_case)"

# A reply with no tag whose In-Reply-To is the logged message.
cat > "$work/reply.eml" <<'MAIL'
From: Jane Head <head@oakfield-primary.sch.uk>
To: servicedesk@desk.example.org
Subject: Re: nobody can log in
Message-ID: <reply-1@oakfield-primary.sch.uk>
In-Reply-To: <20260303081240.4411@oakfield-primary.sch.uk>
Date: Tue, 03 Mar 2026 09:00:00 +0000

Still broken in the office.
MAIL
h_check "a reply by In-Reply-To: reply" reply "$(field "$work/reply.eml" thread_action)"
h_check "a reply by In-Reply-To: onto the case" "$ref" "$(field "$work/reply.eml" thread_case)"
"$CASELOG" -c "$work/caselog.conf" explain "$work/reply.eml" > "$work/reply.txt"
h_check "text output names the thread" 1 "$(grep -c "^Thread: *reply onto $ref" "$work/reply.txt")"
h_check "explain wrote nothing" 1 "$(h_sql "$db" "SELECT count(*) FROM messages WHERE direction = 'in'")"
h_summary explain_db
