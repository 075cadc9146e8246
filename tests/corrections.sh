#!/usr/bin/env bash
# corrections: `caselog set` as staff use it on a misfiled case (issue 17, part 4). An
# "incident" at priority 2 that is really an enquiry becomes an enquiry at priority 3
# (the charter's cap), both due times computed again from the logged time in working
# hours; the school, queue and requester are corrected; each correction is one internal
# event and mails nobody; a closed case and a bad type are refused.
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db corrections)
trap 'h_drop_db "$db"; rm -rf "$work"' EXIT
folder="corr-$$"
conf="$work/caselog.conf"
h_write_config "$conf" "$db" "$folder"
"$CASELOGD" -c "$conf" --migrate 2>/dev/null
"$CASELOG" -c "$conf" schools import "$harness_top/packaging/demo-schools.csv" >/dev/null
at() { local t=$1; shift; CASELOG_NOW="$t" "$@"; }
q() { h_sql "$db" "$1"; }
minute() { echo "to_char($1 AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"; }
mail_in() { # TIME SUBJECT
    printf 'From: Helen Price <h.price@oakfield-primary.sch.uk>\r\nTo: servicedesk@desk.example.org\r\nSubject: %s\r\nMessage-ID: <corr-%s-%s@oakfield-primary.sch.uk>\r\nDate: %s\r\n\r\nHello.\r\n' \
        "$2" "$$" "$RANDOM" "$(date -R -d "$1")" > "$work/m.eml"
    "$STACK/imap_append.sh" desk "$folder" "$work/m.eml" --date "$1" >/dev/null
}
# Monday 2 March 2026 10:00; the routing rule makes "nobody can log in" priority 2 (1h / 1d).
mail_in 2026-03-02T10:00:00+00:00 "Nobody can log in to the website editor"
at 2026-03-02T10:00:30+00:00 "$CASELOGD" -c "$conf" --once 2>>"$work/daemon.log"
ref=$(q "SELECT reference FROM cases LIMIT 1")
h_check "logged as a priority 2 incident" "incident|2|2026-03-02 11:00|2026-03-03 10:00" \
    "$(q "SELECT type || '|' || priority || '|' || $(minute response_due) || '|' || $(minute resolution_due) FROM cases")"
mails_before=$(q "SELECT count(*) FROM outbox")
at 2026-03-02T10:20:00+00:00 "$CASELOG" -c "$conf" set "$ref" --type enquiry --queue Web > "$work/out.txt"
h_check "it says what changed" 1 \
    "$(grep -c "type incident → enquiry; priority 2 → 3 (enquiries are never above priority 3); due times recomputed from logged_at for priority 3, enquiry; queue ICT → Web" "$work/out.txt")"
# Priority 3 is 8h / 3d from Monday 10:00: Monday 18:00 is 8 working hours.
h_check "an enquiry at priority 3, due times again from logged_at" \
    "enquiry|Web|3|enquiries are never above priority 3|2026-03-02 18:00|2026-03-05 10:00" \
    "$(q "SELECT type || '|' || queue || '|' || priority || '|' || priority_reason || '|' || $(minute response_due) || '|' || $(minute resolution_due) FROM cases")"
at 2026-03-02T10:21:00+00:00 "$CASELOG" -c "$conf" set "$ref" --school "st mary" --requester Office@St-Marys-RC.sch.uk >/dev/null
h_check "school by name, requester lower-cased" "St Mary's RC Primary School|office@st-marys-rc.sch.uk" \
    "$(q "SELECT s.name || '|' || c.requester FROM cases c JOIN schools s ON s.id = c.school_id")"
h_check "the old requester's name does not stay on the new address" "office@st-marys-rc.sch.uk|" \
    "$(q "SELECT requester || '|' || coalesce(requester_name, '') FROM cases")"
h_check "show names the new requester alone" 1 \
    "$(at 2026-03-02T10:21:30+00:00 "$CASELOG" -c "$conf" show "$ref" | grep -c "^  requester        office@st-marys-rc.sch.uk$")"
h_check "one internal event per correction, none needing a notice" "2|0|0" \
    "$(q "SELECT count(*) || '|' || count(*) FILTER (WHERE public) || '|' || count(*) FILTER (WHERE needs_notice AND public) FROM case_events WHERE kind = 'corrected'")"
h_check "the event records before and after" "enquiry|Web|3" \
    "$(q "SELECT data->>'type' || '|' || (data->>'queue') || '|' || (data->>'priority') FROM case_events WHERE kind = 'corrected' ORDER BY id LIMIT 1")"
at 2026-03-02T10:22:00+00:00 "$CASELOGD" -c "$conf" --once 2>>"$work/daemon.log"
h_check "nobody is mailed" "$mails_before" "$(q "SELECT count(*) FROM outbox")"
h_check "show says it in words" 1 "$(at 2026-03-02T10:23:00+00:00 "$CASELOG" -c "$conf" show "$ref" | grep -c "corrected the case: type incident → enquiry")"
out=$(at 2026-03-02T10:24:00+00:00 "$CASELOG" -c "$conf" set "$ref" --type enquiry)
h_check "setting what is already so changes nothing" "$ref: already so; nothing changed|2" \
    "$out|$(q "SELECT count(*) FROM case_events WHERE kind = 'corrected'")"
set +e
at 2026-03-02T10:25:00+00:00 "$CASELOG" -c "$conf" set "$ref" --type problem 2>"$work/err"; rc=$?
h_check "an unknown type: exit 2, the valid ones named" "2 1" "$rc $(grep -c "valid: incident, service_request, enquiry, change_request, complaint" "$work/err")"
at 2026-03-02T10:25:00+00:00 "$CASELOG" -c "$conf" set "$ref" --school "school" 2>"$work/err"; rc=$?
h_check "a school name matching several: refused, listed" "1 1" "$rc $(grep -c "more than one school matches" "$work/err")"
at 2026-03-02T10:25:30+00:00 "$CASELOG" -c "$conf" set "$ref" --school oakfield --requester S.ONeill@oakfield-primary.sch.uk >/dev/null
h_check "a requester who is a school contact takes the contact's name" "s.oneill@oakfield-primary.sch.uk|Sarah O'Neill" \
    "$(q "SELECT requester || '|' || coalesce(requester_name, '') FROM cases")"
at 2026-03-02T10:26:00+00:00 "$CASELOG" -c "$conf" close "$ref" >/dev/null
at 2026-03-02T10:27:00+00:00 "$CASELOG" -c "$conf" set "$ref" --queue ICT 2>"$work/err"; rc=$?
h_check "a closed case is final" "1 1" "$rc $(grep -c "closed is final" "$work/err")"
set -e
h_summary corrections
