#!/usr/bin/env bash
# ingest_two_daemons: two caselogd services with the same config on the same mailbox
# (SPEC section 7: a PostgreSQL advisory lock gives the mailbox to one of them). 100
# messages arrive in bursts while both run: each is logged exactly once, with exactly one
# acknowledgement row (and one acknowledgement mail at the SMTP sink: the two outbox
# senders claim rows with SKIP LOCKED), and all end in the processed folder. Then the
# daemon working the mailbox is killed (SIGKILL): the other takes the mailbox over and
# logs what arrives next, again exactly once.
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db ingest_two)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; h_drop_db "$db"; rm -rf "$work"' EXIT
folder="two-$$"
tag="two$$x$RANDOM"
count=100
later=20
total=$((count + later))
h_write_config "$work/caselog.conf" "$db" "$folder" true 1s
# Five senders write all the mail: lift the mail-loop guard so every acknowledgement goes.
echo 'limits = { auto_mail_per_sender_per_hour = 1000; };' >> "$work/caselog.conf"
"$CASELOGD" -c "$work/caselog.conf" --migrate
/usr/bin/python3 "$harness_top/tests/lib/gen_mail.py" "$total" "$work/mail" --tag "$tag" --attachments 5
mkdir -p "$work/later"
for f in $(ls "$work"/mail/*.eml | sort | tail -n "$later"); do mv "$f" "$work/later/"; done
"$STACK/imap_append.sh" desk "$folder" # creates the folder before the daemons look

logged() { h_sql "$db" "SELECT count(*) FROM messages WHERE direction = 'in'"; }
alive() { kill -0 "$1" 2>/dev/null && echo yes || echo no; }
# wait_until SECONDS COMMAND...: poll every 0.2 s until COMMAND succeeds.
wait_until() {
    local limit=$(($1 * 5)); shift
    for _ in $(seq 1 "$limit"); do "$@" && return 0; sleep 0.2; done
    return 1
}
all_logged() { [ "$(logged)" -ge "$1" ] && [ "$(h_folder_count "$folder")" = 0 ]; }
acks_sent() { [ "$(h_sql "$db" "SELECT count(*) FROM outbox WHERE template = 'acknowledgement' AND state = 'sent'")" -ge "$1" ]; }

for n in 1 2; do
    "$CASELOGD" -c "$work/caselog.conf" --foreground 2>>"$work/daemon$n.log" &
    pids+=($!)
done
sleep 1

# Four bursts of 25, from two clients at once, while both daemons run.
mapfile -t files < <(ls "$work"/mail/*.eml | sort)
for burst in 0 1 2 3; do
    part=("${files[@]:$((burst * 25)):25}")
    "$STACK/imap_append.sh" desk "$folder" "${part[@]:0:12}" &
    a=$!
    "$STACK/imap_append.sh" desk "$folder" "${part[@]:12}" &
    b=$!
    wait "$a"; wait "$b"
    sleep 0.3
done
started=$(date +%s)
wait_until 40 all_logged "$count" || true
wait_until 20 acks_sent "$count" || true
echo "logged and acknowledged $count in $(($(date +%s) - started)) s after the last burst"

h_check "both daemons running" "yes yes" "$(alive "${pids[0]}") $(alive "${pids[1]}")"
h_check "each message logged once" "$count" \
    "$(h_sql "$db" "SELECT count(DISTINCT message_id) FROM messages WHERE direction = 'in'")"
h_check "no duplicate rows" "$count" "$(logged)"
h_check "one case per message" "$count" "$(h_sql "$db" "SELECT count(*) FROM cases")"
h_check "exactly one acknowledgement row per case" "$count" \
    "$(h_sql "$db" "SELECT count(*) FROM outbox WHERE template = 'acknowledgement'")"
h_check "every case has its acknowledgement" 0 \
    "$(h_sql "$db" "SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.case_id = c.id AND o.template = 'acknowledgement')")"
h_check "acknowledgements sent" "$count" \
    "$(h_sql "$db" "SELECT count(*) FROM outbox WHERE template = 'acknowledgement' AND state = 'sent'")"
h_check "each acknowledgement mailed once (SMTP sink)" "$count" "$(h_spool_with "$tag")"
h_check "nothing unlogged" 0 "$(h_sql "$db" "SELECT count(*) FROM unlogged")"
h_check "source folder empty" 0 "$(h_folder_count "$folder")"
h_check "all in the processed folder" "$count" "$(h_folder_count "$folder/Logged")"
# Exactly one of the two worked the mailbox; the other stayed on standby.
workers=0 holder="" standby=""
for n in 1 2; do
    if grep -q 'mailbox=support action=pass' "$work/daemon$n.log"; then
        workers=$((workers + 1)); holder=$n
    else
        standby=$n
    fi
done
h_check "one daemon worked the mailbox, the other waited" 1 "$workers"

# --- the worker dies: the standby takes the mailbox over ---
if [ -n "$holder" ] && [ -n "$standby" ]; then
    kill -9 "${pids[$((holder - 1))]}"
    wait "${pids[$((holder - 1))]}" 2>/dev/null || true
    "$STACK/imap_append.sh" desk "$folder" "$work"/later/*.eml
    wait_until 30 all_logged "$total" || true
    wait_until 20 acks_sent "$total" || true
    h_check "takeover: the standby works the mailbox" yes \
        "$(grep -q 'mailbox=support action=pass' "$work/daemon$standby.log" && echo yes || echo no)"
    h_check "takeover: all logged once" "$total" \
        "$(h_sql "$db" "SELECT count(DISTINCT message_id) FROM messages WHERE direction = 'in'")"
    h_check "takeover: no duplicate rows" "$total" "$(logged)"
    h_check "takeover: one acknowledgement row per case" "$total" \
        "$(h_sql "$db" "SELECT count(*) FROM outbox WHERE template = 'acknowledgement'")"
    h_check "takeover: each acknowledgement mailed once" "$total" "$(h_spool_with "$tag")"
    h_check "takeover: all in the processed folder" "$total" "$(h_folder_count "$folder/Logged")"
    survivor=${pids[$((standby - 1))]}
    kill -TERM "$survivor"
    rc=0
    wait "$survivor" || rc=$?
    h_check "takeover: the survivor stops cleanly on SIGTERM" 0 "$rc"
    pids=()
fi
if [ "$failed" -gt 0 ]; then
    for n in 1 2; do echo "--- daemon$n.log (errors) ---"; grep -E '^(error|warn):|ERROR|runtime error' "$work/daemon$n.log" | tail -n 20; done
fi
h_summary ingest_two_daemons
