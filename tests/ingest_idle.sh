#!/usr/bin/env bash
# ingest_idle: a running daemon logs a new message within 2 s of its APPEND (IMAP IDLE,
# with a 60 s poll interval, so only IDLE can be that fast), and within poll_interval
# when IDLE is off. Then SIGTERM stops it with exit 0 within 5 s.
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db ingest_idle)
daemon_pid=""
trap '[ -n "$daemon_pid" ] && kill -9 $daemon_pid 2>/dev/null; h_drop_db "$db"; rm -rf "$work"' EXIT
folder="idle-$$"
printf 'From: Office <office@st-marys-rc.sch.uk>\r\nTo: servicedesk@desk.example.org\r\nSubject: idle probe %s\r\nMessage-ID: <idle-%s-1@st-marys-rc.sch.uk>\r\n\r\nhello\r\n' $$ $$ > "$work/1.eml"
sed "s/idle-$$-1@/idle-$$-2@/" "$work/1.eml" > "$work/2.eml"

# Milliseconds until the number of inbound messages reaches want (or -1 after limit_ms).
wait_logged() {
    local want=$1 limit_ms=$2 start now
    start=$(date +%s%3N)
    while :; do
        [ "$(h_sql "$db" "SELECT count(*) FROM messages WHERE direction = 'in'")" -ge "$want" ] &&
            { now=$(date +%s%3N); echo $((now - start)); return; }
        now=$(date +%s%3N)
        [ $((now - start)) -gt "$limit_ms" ] && { echo -1; return; }
        sleep 0.05
    done
}

run_daemon() {
    "$CASELOGD" -c "$work/caselog.conf" --foreground 2>>"$work/daemon.log" &
    daemon_pid=$!
    sleep 1.5 # connected, first pass done, waiting
}

stop_daemon() {
    local start end
    start=$(date +%s%3N)
    kill -TERM "$daemon_pid"
    wait "$daemon_pid"
    local status=$?
    end=$(date +%s%3N)
    daemon_pid=""
    h_check "SIGTERM: exit status" 0 "$status"
    h_check "SIGTERM: stopped within 5 s" yes "$([ $((end - start)) -le 5000 ] && echo yes || echo "no ($((end - start)) ms)")"
}

h_write_config "$work/caselog.conf" "$db" "$folder" true 60s
"$CASELOGD" -c "$work/caselog.conf" --migrate
"$STACK/imap_append.sh" desk "$folder" # creates the folder
run_daemon
"$STACK/imap_append.sh" desk "$folder" "$work/1.eml"
ms=$(wait_logged 1 5000)
h_check "IDLE: logged within 2 s of APPEND" yes "$([ "$ms" -ge 0 ] && [ "$ms" -le 2000 ] && echo yes || echo "no ($ms ms)")"
echo "IDLE latency: $ms ms"
stop_daemon

h_write_config "$work/caselog.conf" "$db" "$folder" false 3s
run_daemon
"$STACK/imap_append.sh" desk "$folder" "$work/2.eml"
ms=$(wait_logged 2 8000)
h_check "polling: logged within poll_interval" yes "$([ "$ms" -ge 0 ] && [ "$ms" -le 4000 ] && echo yes || echo "no ($ms ms)")"
echo "poll latency: $ms ms"
stop_daemon
h_summary ingest_idle
