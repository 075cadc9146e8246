#!/usr/bin/env bash
# smtp_down: the SMTP server is down for a minute, then up: the acknowledgement waits
# (retried with growing delay, nothing dropped) and is sent once after it returns. The
# test runs its own SMTP sink on a port of its own, so it stops nothing shared.
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db smtp_down)
sink_pid=
trap '[ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null; h_drop_db "$db"; rm -rf "$work"' EXIT
folder="smtp-down-$$"
tag="sd$$x$RANDOM"
conf="$work/caselog.conf"
h_write_config "$conf" "$db" "$folder"
port=$(h_free_port)
tls_port=$(h_free_port)
sed -i "s/port = $CASELOG_TEST_SMTP_PORT;/port = $port;/" "$conf"
"$CASELOGD" -c "$conf" --migrate
once() { h_once "$conf" "$1"; }
state() { h_sql "$db" "SELECT state || '|' || attempts FROM outbox WHERE template = 'acknowledgement'"; }

printf 'From: Mrs Helen Price <h.price@oakfield-primary.sch.uk>\r\nTo: servicedesk@desk.example.org\r\nSubject: Boiler room PC %s\r\nMessage-ID: <%s@oakfield-primary.sch.uk>\r\n\r\nIt will not boot.\r\n' "$tag" "$tag" > "$work/1.eml"
"$STACK/imap_append.sh" desk "$folder" "$work/1.eml" --date 2026-03-03T10:00:00+00:00 >/dev/null
once 2026-03-03T10:00:10+00:00
h_check "server down: kept for retry" "pending|1" "$(state)"
h_check "the failure is kept" yes "$(h_sql "$db" "SELECT last_error FROM outbox" | grep -qi . && echo yes || echo no)"
once 2026-03-03T10:00:40+00:00
h_check "not retried before its delay" "pending|1" "$(state)"

certs=$(dirname "$CASELOG_TEST_CA_FILE")
mkdir -p "$work/spool"
: > "$work/control"
/usr/bin/python3 "$STACK/smtp_sink.py" --port "$port" --tls-port "$tls_port" --cert "$certs/server.pem" --key "$certs/server.key" \
    --spool "$work/spool" --control "$work/control" </dev/null >"$work/sink.log" 2>&1 &
sink_pid=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

once 2026-03-03T10:01:20+00:00
h_check "server back a minute later: sent" "sent|2" "$(state)"
h_check "delivered once" 1 "$(grep -l -F "$tag" "$work/spool"/*.eml 2>/dev/null | wc -l)"
once 2026-03-03T10:05:00+00:00
h_check "and only once" 1 "$(grep -l -F "$tag" "$work/spool"/*.eml 2>/dev/null | wc -l)"
h_summary smtp_down
