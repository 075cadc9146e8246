#!/usr/bin/env bash
# ingest_kill: the "no message is lost" promise under SIGKILL. 1,000 messages; the daemon
# is killed with SIGKILL at random moments at least 20 times and restarted; at the end
# every message is logged exactly once, with exactly one acknowledgement row each, and
# every one is in the processed folder.
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db ingest_kill)
daemon_pid=""
trap '[ -n "$daemon_pid" ] && kill -9 $daemon_pid 2>/dev/null; h_drop_db "$db"; rm -rf "$work"' EXIT
folder="kill-$$"
count=${CASELOG_KILL_MESSAGES:-1000}
kills=${CASELOG_KILL_TIMES:-20}
h_write_config "$work/caselog.conf" "$db" "$folder" true 1s
"$CASELOGD" -c "$work/caselog.conf" --migrate
/usr/bin/python3 "$harness_top/tests/lib/gen_mail.py" "$count" "$work/mail" --tag "kill$$" --attachments 5
"$STACK/imap_append.sh" desk "$folder" "$work"/mail/*.eml
h_check "messages appended" "$count" "$(h_folder_count "$folder")"

done_kills=0
while [ "$done_kills" -lt "$kills" ]; do
    "$CASELOGD" -c "$work/caselog.conf" --foreground 2>>"$work/daemon.log" &
    daemon_pid=$!
    # A random moment in the first 50-700 ms: connecting, fetching, committing or moving.
    sleep "0.$(printf '%03d' $((50 + RANDOM % 650)))"
    kill -9 "$daemon_pid" 2>/dev/null && done_kills=$((done_kills + 1))
    wait "$daemon_pid" 2>/dev/null || true
    daemon_pid=""
done
# Let it finish in peace, once the last killed daemon's session has ended (it holds the
# mailbox's lock while it runs the statements already sent).
h_wait_sessions_gone "$db"
"$CASELOGD" -c "$work/caselog.conf" --once 2>"$work/final.log" || { tail -20 "$work/final.log"; exit 1; }
# What the last pass did, for a failure's reader (a skipped mailbox, a pass that ended early).
# (awk reads it all: head would close the pipe early, and pipefail end the test)
awk '!/action=new_case/ && ++n <= 20 { print "final pass: " $0 }' "$work/final.log"

h_check "SIGKILLs injected" "$kills" "$done_kills"
h_check "messages logged exactly once" "$count" \
    "$(h_sql "$db" "SELECT count(DISTINCT message_id) FROM messages WHERE direction = 'in'")"
h_check "no duplicate rows" "$count" "$(h_sql "$db" "SELECT count(*) FROM messages WHERE direction = 'in'")"
h_check "one case per message" "$count" "$(h_sql "$db" "SELECT count(*) FROM cases")"
h_check "exactly one acknowledgement per case" "$count" \
    "$(h_sql "$db" "SELECT count(*) FROM outbox WHERE template = 'acknowledgement'")"
h_check "nothing unlogged" 0 "$(h_sql "$db" "SELECT count(*) FROM unlogged")"
h_check "source folder empty" 0 "$(h_folder_count "$folder")"
h_check "all in the processed folder" "$count" "$(h_folder_count "$folder/Logged")"
h_summary ingest_kill
