#!/usr/bin/env bash
# bench/latency/run.sh [N]: how long a school waits for its acknowledgement (issue 21,
# SPEC section 9: under 2 s while idle). A private stack; `caselogd --foreground` idle on
# IMAP IDLE (poll_interval 60 s, so only IDLE wakes it), sending through the stack's SMTP
# sink (STARTTLS, AUTH). N (default 200) messages of bench/ingest's mix are APPENDed one
# at a time over one IMAP session at random intervals (exponential, mean 0.75 s, at most
# 4 s: bursts included); for each, the time from APPEND's OK to the sink accepting its
# acknowledgement (the sink's X-Test-Accepted-At; both clocks are this machine's).
# Prints p50, p90, p99 and max (nearest rank), and whether p99 < 1 s and max < 2 s.
# The mix has five senders, so the loop guard (limits.auto_mail_per_sender_per_hour) is
# raised to let every acknowledgement go. BENCH_LOG_DIR=DIR keeps the daemon's log there.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
n=${1:-200}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
bench_build caselogd caselog
bench_stack
/usr/bin/python3 "$top/tests/lib/gen_mail.py" "$n" "$work/mail" --tag latency --size-mix \
    --attachments 10 --max-attachment 2097152 >/dev/null
db=$(h_new_db latency)
folder=latency
h_write_config "$work/caselog.conf" "$db" "$folder" true 60s
echo 'limits = { auto_mail_per_sender_per_hour = 10000; auto_mail_per_case_per_hour = 10000; };' >> "$work/caselog.conf"
"$CASELOGD" -c "$work/caselog.conf" --migrate 2>/dev/null
"$STACK/imap_append.sh" desk "$folder"
# Its log lines get the moment they were written, to see where the time goes.
"$CASELOGD" -c "$work/caselog.conf" --foreground 2> >(/usr/bin/python3 -u -c '
import sys, time
for line in sys.stdin:
    sys.stdout.write("%.6f %s" % (time.time(), line))' > "$work/daemon.log") &
daemon=$!
trap 'kill "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null; "$top/tests/stack/stop.sh" "$stack" >/dev/null 2>&1; rm -rf "$stack" "$work"' EXIT
for _ in $(seq 1 100); do grep -q 'action=pass' "$work/daemon.log" && break; sleep 0.1; done
grep -q 'action=pass' "$work/daemon.log" || { echo "bench_latency: the daemon did not start"; tail -5 "$work/daemon.log"; exit 1; }
sleep 1 # its first pass done: it waits on IDLE
echo "bench_latency: load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 "$here/append_timed.py" "$folder" "$work/appended.tsv" "$work/mail"/*.eml
# Everything is in: wait (at most 60 s) for the last acknowledgements.
for _ in $(seq 1 600); do
    [ "$(grep -l -s '^X-Test-Accepted-At' "$CASELOG_TEST_SMTP_SPOOL"/*.eml | wc -l)" -ge "$n" ] && break
    sleep 0.1
done
echo "bench_latency: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "${BENCH_LOG_DIR:-}" ] && cp "$work/daemon.log" "$work/appended.tsv" "$BENCH_LOG_DIR/"
/usr/bin/python3 "$here/latency.py" "$work/appended.tsv" "$CASELOG_TEST_SMTP_SPOOL" || {
    grep -E 'action=(retry|failed|.*_failed)' "$work/daemon.log" | tail -5; exit 1; }
