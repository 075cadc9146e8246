#!/usr/bin/env bash
# fault_suite: at least 50 faults injected while a daemon logs 300 messages arriving in
# waves: the daemon SIGKILLed at random moments and restarted, Dovecot restarted,
# PostgreSQL stopped and started, the SMTP server answering 4xx. Then every message
# must be logged exactly once with exactly one acknowledgement row per case. Prints one
# figures line: fault_suite: faults=N messages=M lost=0 duplicated=0 acks_missing=0
# acks_duplicated=0. Then a daemon is killed while it holds claimed outbox rows (its SMTP
# server never answers): a restarted daemon must send every one of those acknowledgements
# within 10 s, not after the claim's 5-minute lease (figures line fault_suite_claims:).
# Restarts shared servers, so ctest runs it alone (RUN_SERIAL).
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db fault_suite)
daemon_pid=""
blackhole_pid=""
trap '[ -n "$daemon_pid" ] && kill -9 $daemon_pid 2>/dev/null; [ -n "$blackhole_pid" ] && kill $blackhole_pid 2>/dev/null; : > "$CASELOG_TEST_SMTP_CONTROL"; h_drop_db "$db"; rm -rf "$work"' EXIT
folder="fault-suite-$$"
messages=300
faults_wanted=${CASELOG_FAULTS:-52}
h_write_config "$work/caselog.conf" "$db" "$folder" true 1s
# Five senders write all 300: the hourly loop guard would hold most acknowledgements back.
echo 'limits = { auto_mail_per_sender_per_hour = 1000; };' >> "$work/caselog.conf"
"$CASELOGD" -c "$work/caselog.conf" --migrate
"$STACK/imap_append.sh" desk "$folder" >/dev/null
/usr/bin/python3 "$harness_top/tests/lib/gen_mail.py" "$messages" "$work/mail" --tag "fs$$" --attachments 5
mapfile -t files < <(ls "$work"/mail/*.eml | sort)

start_daemon() {
    "$CASELOGD" -c "$work/caselog.conf" --foreground 2>>"$work/daemon.log" &
    daemon_pid=$!
}
pause() { sleep "0.$(printf '%03d' $((100 + RANDOM % 500)))"; }
# Dovecot stopped and started again: the new master once the old one is gone, and on
# when its port answers. A fixed 0.3 s pause was not enough on a loaded machine: the new
# master found the old one still running and quit, and IMAP was gone for the rest of the
# run (every later test on the stack failed with it).
restart_dovecot() {
    local pid_file _
    pid_file="$(dirname "$CASELOG_TEST_DOVECOT_CONF")/run/master.pid"
    $CASELOG_TEST_DOVEADM stop
    for _ in $(seq 1 100); do
        kill -0 "$(cat "$pid_file" 2>/dev/null)" 2>/dev/null || break
        sleep 0.1
    done
    dovecot -c "$CASELOG_TEST_DOVECOT_CONF" </dev/null >/dev/null 2>&1
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$CASELOG_TEST_IMAP_PORT") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "FAILED: Dovecot did not come back after a restart"
    return 1
}

start_daemon
faults=0 kills=0 dovecots=0 pgs=0 smtps=0 wave=0
while [ "$faults" -lt "$faults_wanted" ]; do
    # A new wave of mail every fifth fault, so faults land while mail is in flight.
    if [ $((faults % 5)) -eq 0 ] && [ $((wave * 30)) -lt "$messages" ]; then
        "$STACK/imap_append.sh" desk "$folder" "${files[@]:$((wave * 30)):30}" >/dev/null
        wave=$((wave + 1))
    fi
    pause
    case $((faults % 4)) in
    0) kill -9 "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true; start_daemon; kills=$((kills + 1)) ;;
    1) restart_dovecot; dovecots=$((dovecots + 1)) ;;
    2) h_pg_ctl -D "$CASELOG_TEST_PG_DATA" -m fast -w stop >/dev/null; sleep 1
       h_pg_ctl -D "$CASELOG_TEST_PG_DATA" -l "$CASELOG_TEST_STACK_DIR/pg/server.log" -w start </dev/null >/dev/null 2>&1
       pgs=$((pgs + 1)) ;;
    3) echo "451 4.3.0 try again later" > "$CASELOG_TEST_SMTP_CONTROL"; sleep 0.5; : > "$CASELOG_TEST_SMTP_CONTROL"
       smtps=$((smtps + 1)) ;;
    esac
    faults=$((faults + 1))
done
while [ $((wave * 30)) -lt "$messages" ]; do
    "$STACK/imap_append.sh" desk "$folder" "${files[@]:$((wave * 30)):30}" >/dev/null
    wave=$((wave + 1))
done
h_check "daemon alive after the faults" yes "$(kill -0 "$daemon_pid" 2>/dev/null && echo yes || echo no)"
logged() { h_sql "$db" "SELECT count(*) FROM messages WHERE direction = 'in'" 2>/dev/null || echo 0; }
for _ in $(seq 1 300); do
    [ "$(logged)" -ge "$messages" ] && [ "$(h_folder_count "$folder")" = 0 ] && break
    sleep 0.2
done
kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true; daemon_pid=""
# Mail held back by the 4xx replies is retried later: run the clock on two hours, and
# pass until the queue is empty (each pass sends a bounded batch).
later=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%S+00:00)
for _ in $(seq 1 30); do
    CASELOG_NOW=$later "$CASELOGD" -c "$work/caselog.conf" --once 2>>"$work/daemon.log" || true
    [ "$(h_sql "$db" "SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')")" = 0 ] && break
done

distinct=$(h_sql "$db" "SELECT count(DISTINCT message_id) FROM messages WHERE direction = 'in'")
rows=$(h_sql "$db" "SELECT count(*) FROM messages WHERE direction = 'in'")
lost=$((messages - distinct))
duplicated=$((rows - distinct))
acks_missing=$(h_sql "$db" "SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.case_id = c.id AND o.template = 'acknowledgement')")
acks_duplicated=$(h_sql "$db" "SELECT count(*) FROM (SELECT case_id FROM outbox WHERE template = 'acknowledgement' GROUP BY case_id HAVING count(*) > 1) d")
echo "fault_suite: faults=$faults (kills=$kills dovecot=$dovecots postgresql=$pgs smtp_4xx=$smtps) messages=$messages lost=$lost duplicated=$duplicated acks_missing=$acks_missing acks_duplicated=$acks_duplicated"
h_check "at least 50 faults" yes "$([ "$faults" -ge 50 ] && echo yes || echo no)"
h_check "lost" 0 "$lost"
h_check "duplicated" 0 "$duplicated"
h_check "one case per message" "$messages" "$(h_sql "$db" "SELECT count(*) FROM cases")"
h_check "acknowledgements missing" 0 "$acks_missing"
h_check "acknowledgements duplicated" 0 "$acks_duplicated"
h_check "every acknowledgement sent" "sent|$messages" "$(h_sql "$db" "SELECT string_agg(state || '|' || n, ',') FROM (SELECT state, count(*) n FROM outbox WHERE template = 'acknowledgement' GROUP BY state) s")"
h_check "source folder empty" 0 "$(h_folder_count "$folder")"
h_check "processed folder holds all" "$messages" "$(h_folder_count "$folder/Logged")"

# --- killed while holding claimed outbox rows ---
# An SMTP server that accepts connections and never answers: the daemon's sender claims
# a batch of acknowledgements and hangs on the first, holding the rest as 'sending'.
blackhole_port=$(h_free_port)
/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64); held = []
while True:
    c, _ = s.accept(); held.append(c)' "$blackhole_port" &
blackhole_pid=$!
sed "s/port = $CASELOG_TEST_SMTP_PORT;/port = $blackhole_port;/" "$work/caselog.conf" > "$work/blackhole.conf"
/usr/bin/python3 "$harness_top/tests/lib/gen_mail.py" 30 "$work/claims" --tag "fsc$$"
"$STACK/imap_append.sh" desk "$folder" "$work"/claims/*.eml >/dev/null
claims_sql="FROM outbox o JOIN cases c ON c.id = o.case_id WHERE o.template = 'acknowledgement' AND c.subject LIKE '%fsc$$-%'"
"$CASELOGD" -c "$work/blackhole.conf" --foreground 2>>"$work/daemon.log" &
daemon_pid=$!
for _ in $(seq 1 100); do
    [ "$(h_sql "$db" "SELECT count(*) $claims_sql AND o.state = 'sending'")" -ge 20 ] && break
    sleep 0.2
done
held=$(h_sql "$db" "SELECT count(*) $claims_sql AND o.state = 'sending'")
kill -9 "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
restarted=$(date +%s%N)
start_daemon
waited_ms=""
for _ in $(seq 1 150); do
    if [ "$(h_sql "$db" "SELECT count(*) $claims_sql AND o.state <> 'sent'")" = 0 ]; then
        waited_ms=$(( ($(date +%s%N) - restarted) / 1000000 )); break
    fi
    sleep 0.1
done
kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true; daemon_pid=""
kill "$blackhole_pid" 2>/dev/null; blackhole_pid=""
echo "fault_suite_claims: held_by_killed_daemon=$held acknowledgements=$(h_sql "$db" "SELECT count(*) $claims_sql") all_sent_after_ms=${waited_ms:-never (15 s)}"
h_check "the killed daemon held a batch of claimed acknowledgements" yes "$([ "$held" -ge 20 ] && echo yes || echo "no ($held)")"
h_check "every acknowledgement sent within 10 s of the restart" yes \
    "$([ -n "$waited_ms" ] && [ "$waited_ms" -le 10000 ] && echo yes || echo "no (${waited_ms:-not within 15 s})")"
# Mails per subject token at the SMTP sink: "tokens copies" (30 tokens, each once).
per_token=$(/usr/bin/python3 - "$CASELOG_TEST_SMTP_SPOOL" "fsc$$-" <<'PY'
import collections, email, email.policy, glob, re, sys
n = collections.Counter()
for path in glob.glob(sys.argv[1] + "/*.eml"):
    subject = str(email.message_from_binary_file(open(path, "rb"), policy=email.policy.default)["Subject"])
    m = re.search(re.escape(sys.argv[2]) + r"\d+", subject)
    if m:
        n[m.group(0)] += 1
print(len(n), ",".join(str(c) for c in sorted(set(n.values()))))
PY
)
h_check "each acknowledgement received once by the SMTP server" "30 1" "$per_token"
h_check "the takeover of a dead daemon's claims is logged (a mail may go twice)" yes \
    "$(grep -q 'action=reclaimed' "$work/daemon.log" && echo yes || echo no)"
h_summary fault_suite
