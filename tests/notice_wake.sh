#!/usr/bin/env bash
# notice_wake: a running daemon mails a desk comment's update within seconds: the
# public event's NOTIFY wakes the daemon's sender (no waiting for the next poll); an
# event inserted by plain SQL wakes it the same way. Then SIGTERM: exit 0 (under the
# sanitizers, no leak in the daemon's loop).
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db notice_wake)
daemon_pid=
trap '[ -n "$daemon_pid" ] && kill -9 $daemon_pid 2>/dev/null; h_drop_db "$db"; rm -rf "$work"' EXIT
folder="notice-wake-$$"
tag="nw$$x$RANDOM"
conf="$work/caselog.conf"
h_write_config "$conf" "$db" "$folder" true 300s
"$CASELOGD" -c "$conf" --migrate
# The engineer the desk's commands act as (--as names a staff member).
h_sql "$db" "INSERT INTO staff (role_name, display_name, email) VALUES ('carol', 'Carol Ng', 'carol@desk.example.org')" >/dev/null
"$STACK/imap_append.sh" desk "$folder" >/dev/null
"$CASELOGD" -c "$conf" --foreground 2>>"$work/daemon.log" &
daemon_pid=$!

# wait_subject TEXT MS: milliseconds until the sink holds a mail with TEXT in its
# subject, or "timeout".
wait_subject() {
    local start now
    start=$(date +%s%3N)
    while :; do
        [ "$(h_spool_subject "$1")" -ge 1 ] && { now=$(date +%s%3N); echo $((now - start)); return; }
        now=$(date +%s%3N)
        [ $((now - start)) -gt "$2" ] && { echo timeout; return; }
        sleep 0.1
    done
}
printf 'From: Mrs Helen Price <h.price@oakfield-primary.sch.uk>\r\nTo: servicedesk@desk.example.org\r\nSubject: Minibus tracker %s\r\nMessage-ID: <%s@oakfield-primary.sch.uk>\r\n\r\nThe tracker is offline.\r\n' "$tag" "$tag" > "$work/1.eml"
"$STACK/imap_append.sh" desk "$folder" "$work/1.eml" >/dev/null
ms=$(wait_subject "Minibus tracker $tag" 10000)
h_check "acknowledgement from the running daemon" yes "$([ "$ms" != timeout ] && echo yes || echo "no ($ms)")"
ref=$(h_sql "$db" "SELECT reference FROM cases WHERE subject = 'Minibus tracker $tag'")
"$CASELOG" -c "$conf" --as carol comment "$ref" "An engineer will visit at 2pm ($tag)." >/dev/null
ms=$(wait_subject "[$ref] Update: Minibus tracker $tag" 5000)
h_check "a comment's update mailed within 5 s (woken, not polled)" yes "$([ "$ms" != timeout ] && echo yes || echo "no ($ms)")"
h_sql "$db" "INSERT INTO case_events (case_id, actor, kind, public, data) SELECT id, 'web', 'comment', true, '{\"text\": \"From SQL $tag\"}' FROM cases WHERE reference = '$ref'" >/dev/null
start=$(date +%s%3N)
while [ "$(h_spool_with "From SQL $tag")" -lt 1 ] && [ $(( $(date +%s%3N) - start )) -lt 5000 ]; do sleep 0.1; done
h_check "a plain-SQL event's update mailed within 5 s" 1 "$(h_spool_with "From SQL $tag")"
kill -TERM "$daemon_pid"
set +e; wait "$daemon_pid"; status=$?; set -e
daemon_pid=
h_check "SIGTERM: exit 0" 0 "$status"
h_summary notice_wake
