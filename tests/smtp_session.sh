#!/usr/bin/env bash
# smtp_session: the SMTP session is kept between acknowledgements (one connection for
# two mails in a row), and a kept session the server has closed meanwhile costs
# nothing: the next acknowledgement goes on a new connection at once, not after the
# 60 s retry. The test runs its own SMTP sink, on ports of its own, and restarts it.
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db smtp_session)
sink_pid= daemon_pid=
trap '[ -n "$daemon_pid" ] && kill -9 "$daemon_pid" 2>/dev/null; [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null; h_drop_db "$db"; rm -rf "$work"' EXIT
folder="smtp-session-$$"
conf="$work/caselog.conf"
h_write_config "$conf" "$db" "$folder" true 60s
port=$(h_free_port)
tls_port=$(h_free_port)
sed -i "s/port = $CASELOG_TEST_SMTP_PORT;/port = $port;/" "$conf"
"$CASELOGD" -c "$conf" --migrate
certs=$(dirname "$CASELOG_TEST_CA_FILE")
mkdir -p "$work/spool"
: > "$work/control"

start_sink() {
    /usr/bin/python3 "$STACK/smtp_sink.py" --port "$port" --tls-port "$tls_port" --cert "$certs/server.pem" \
        --key "$certs/server.key" --spool "$work/spool" --control "$work/control" </dev/null >>"$work/sink.log" 2>&1 &
    sink_pid=$!
    for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return; sleep 0.1; done
}

# Append message N; echo the ms until its acknowledgement is in the sink (-1 after 8 s).
mail_and_wait() {
    local tag="ss$$n$1" start now
    printf 'From: Mrs Helen Price <h.price@oakfield-primary.sch.uk>\r\nTo: servicedesk@desk.example.org\r\nSubject: Hall PC %s\r\nMessage-ID: <%s@oakfield-primary.sch.uk>\r\n\r\nIt will not boot.\r\n' "$tag" "$tag" > "$work/$1.eml"
    "$STACK/imap_append.sh" desk "$folder" "$work/$1.eml" >/dev/null
    start=$(date +%s%3N)
    while :; do
        grep -q -l -F "$tag" "$work/spool"/*.eml 2>/dev/null && { now=$(date +%s%3N); echo $((now - start)); return; }
        now=$(date +%s%3N)
        [ $((now - start)) -gt 8000 ] && { echo -1; return; }
        sleep 0.05
    done
}
within() { [ "$1" -ge 0 ] && [ "$1" -le "$2" ] && echo yes || echo "no ($1 ms)"; }
connects() { grep -c 'action=smtp_connected' "$work/daemon.log" || true; }

start_sink
"$STACK/imap_append.sh" desk "$folder" # creates the folder
"$CASELOGD" -c "$conf" --foreground 2>"$work/daemon.log" &
daemon_pid=$!
sleep 1.5
h_check "first acknowledgement within 3 s" yes "$(within "$(mail_and_wait 1)" 3000)"
h_check "second within 3 s" yes "$(within "$(mail_and_wait 2)" 3000)"
h_check "both over one kept session" 1 "$(connects)"
kill "$sink_pid"; wait "$sink_pid" 2>/dev/null || true
start_sink # the kept session is dead now
h_check "after the server closed it: the next within 3 s" yes "$(within "$(mail_and_wait 3)" 3000)"
h_check "on a new session" 2 "$(connects)"
h_check "nothing waited for a retry" 0 "$(grep -c 'action=retry' "$work/daemon.log" || true)"
h_summary smtp_session
