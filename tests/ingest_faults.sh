#!/usr/bin/env bash
# ingest_faults: server failures under a running daemon. PostgreSQL stopped for 30 s
# (the daemon keeps running and touches no IMAP message meanwhile), then started;
# Dovecot restarted in the middle of a batch. Nothing lost, nothing duplicated, the
# daemon still running. Stops shared servers, so ctest runs it alone (RUN_SERIAL).
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db ingest_faults)
daemon_pid=""
trap '[ -n "$daemon_pid" ] && kill -9 $daemon_pid 2>/dev/null; h_drop_db "$db"; rm -rf "$work"' EXIT
folder="faults-$$"
pg_down_s=${CASELOG_FAULT_PG_DOWN:-30}
h_write_config "$work/caselog.conf" "$db" "$folder" true 1s
"$CASELOGD" -c "$work/caselog.conf" --migrate
/usr/bin/python3 "$harness_top/tests/lib/gen_mail.py" 600 "$work/mail" --tag "faults$$" --attachments 20
mkdir -p "$work/a" "$work/b" "$work/c"
mv "$work"/mail/0000*.eml "$work/a"; mv "$work"/mail/0001*.eml "$work/b"; mv "$work"/mail/*.eml "$work/c"

logged() { h_sql "$db" "SELECT count(*) FROM messages WHERE direction = 'in'"; }

"$STACK/imap_append.sh" desk "$folder" "$work"/a/*.eml
"$CASELOGD" -c "$work/caselog.conf" --foreground 2>>"$work/daemon.log" &
daemon_pid=$!
for _ in $(seq 1 100); do [ "$(logged)" -ge 100 ] && break; sleep 0.2; done
h_check "first 100 logged" 100 "$(logged)"

# --- PostgreSQL down ---
h_pg_ctl -D "$CASELOG_TEST_PG_DATA" -m fast -w stop >/dev/null
"$STACK/imap_append.sh" desk "$folder" "$work"/b/*.eml
sleep "$pg_down_s"
h_check "database down: messages left untouched on the server" 100 "$(h_folder_count "$folder")"
h_check "database down: daemon still running" yes "$(kill -0 $daemon_pid 2>/dev/null && echo yes || echo no)"
h_pg_ctl -D "$CASELOG_TEST_PG_DATA" -l "$CASELOG_TEST_STACK_DIR/pg/server.log" -w start </dev/null >/dev/null 2>&1
for _ in $(seq 1 300); do [ "$(logged 2>/dev/null || echo 0)" -ge 200 ] && break; sleep 0.2; done
h_check "after the database returns: all 200 logged" 200 "$(logged)"

# --- Dovecot restarted while a batch is in flight ---
"$STACK/imap_append.sh" desk "$folder" "$work"/c/*.eml
for _ in $(seq 1 100); do [ "$(logged)" -gt 200 ] && break; sleep 0.05; done
$CASELOG_TEST_DOVEADM stop
sleep 1
# Its own output must not hold ctest's pipe open.
dovecot -c "$CASELOG_TEST_DOVECOT_CONF" </dev/null >/dev/null 2>&1
for _ in $(seq 1 600); do [ "$(logged)" -ge 600 ] && [ "$(h_folder_count "$folder")" = 0 ] && break; sleep 0.2; done

h_check "daemon survived both faults" yes "$(kill -0 $daemon_pid 2>/dev/null && echo yes || echo no)"
h_check "nothing lost" 600 "$(h_sql "$db" "SELECT count(DISTINCT message_id) FROM messages WHERE direction = 'in'")"
h_check "nothing duplicated" 600 "$(logged)"
h_check "source folder empty" 0 "$(h_folder_count "$folder")"
h_check "processed folder holds all" 600 "$(h_folder_count "$folder/Logged")"
kill -TERM $daemon_pid; wait $daemon_pid; daemon_pid=""
h_summary ingest_faults
