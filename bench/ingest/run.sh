#!/usr/bin/env bash
# bench/ingest/run.sh [N] [MAX_ATTACHMENT]: end-to-end ingest (issue 10, SPEC section 9)
# against its two baselines, all measured in the same run on a private stack. N (default
# 10,000) generated school messages (tests/lib/gen_mail.py --size-mix: 2-50 KB, most
# under 10 KB; 10% with one attachment of 10 KB to MAX_ATTACHMENT bytes, default 2 MB;
# issue 21's own mix had 1 MB) are put into a fresh Dovecot folder,
# then, 3 runs each with a fresh database and folder:
#   (a) bench_imap_fetch: a bare libetpan loop fetching them all (plain IMAP on
#       loopback, UID SEARCH ALL, UID FETCH BODY.PEEK[] 100 UIDs at a time);
#   (c) `caselogd --once` logging them all, end to end (STARTTLS, fetch, parse, triage,
#       commit, move after COMMIT), with its peak RSS (VmHWM); all N must be logged;
#   (b) bench_pg_commit: PostgreSQL committing the same raw bytes durably, one row per
#       transaction (single) and 100 rows per pipelined transaction (batch), into the
#       same database.
# Prints every run's figures, the medians, and ours against each limit, (a) and (b
# batch), and against the lower of the two (issue 21: at least 0.5 of it, and at least
# 2,500 msg/s), with the machine's load average (other work on it moves every figure).
# During (c) it also counts the CPU time the whole machine spent (every process:
# caselogd, PostgreSQL, Dovecot; /proc/stat) per message logged, and the rate that
# CPU time allows on this machine's cores if nothing ever waited: the ceiling of (c).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
n=${1:-10000}
max_attachment=${2:-2097152}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
bench_build caselogd caselog bench_imap_fetch bench_pg_commit
bench_stack
. "$here/common.sh"
/usr/bin/python3 "$top/tests/lib/gen_mail.py" "$n" "$work/mail" --tag bench --size-mix \
    --attachments 10 --max-attachment "$max_attachment" >/dev/null
bytes=$(find "$work/mail" -name '*.eml' -printf '%s\n' | awk '{s += $1} END {print s}')
with_att=$(grep -l -m 1 '^Content-Type: multipart/mixed' "$work/mail"/*.eml | wc -l)

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
rate() { sed -n 's/.*msg_per_s=\([0-9]*\).*/\1/p'; }
# The machine's busy CPU time so far, in ms (user, nice, system, irq, softirq of every core).
busy_ms() { awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { print int(($2 + $3 + $4 + $7 + $8) * 1000 / hz) }' /proc/stat; }
fetch=() single=() batch=() ours=() hwm=() cpu=() own=()
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for run in 1 2 3; do
    folder="bench-$run"
    db=$(h_new_db "bench$run")
    ingest_config "$work/caselog.conf" "$db" "$folder"
    "$CASELOGD" -c "$work/caselog.conf" --migrate 2>/dev/null
    ingest_fill "$folder" "$work/mail"

    # (a) before the daemon moves the mail away
    f=$("$build/bench/ingest/bench_imap_fetch" 127.0.0.1 "$CASELOG_TEST_IMAP_PORT" desk \
        CASELOG_TEST_DESK_PASSWORD "$folder" | rate)
    # (c) ours
    busy0=$(busy_ms)
    ingest_once "$work/caselog.conf" "$work/once.log"
    busy=$(( $(busy_ms) - busy0 ))
    logged=$(h_sql "$db" "SELECT count(*) FROM messages WHERE direction = 'in'")
    [ "$logged" -eq "$n" ] || { echo "bench_ingest: only $logged of $n logged"; tail -5 "$work/once.log"; exit 1; }
    o=$((n * 1000 / once_ms))
    c=$(awk -v b="$busy" -v n="$n" 'BEGIN { printf "%.3f", b / n }')
    d=$(awk -v b="$once_cpu_ms" -v n="$n" 'BEGIN { printf "%.3f", b / n }')
    # (b) the same bytes, into the same database
    s=$("$build/bench/ingest/bench_pg_commit" "$db" "$work/mail" single | rate)
    b=$("$build/bench/ingest/bench_pg_commit" "$db" "$work/mail" batch | rate)
    echo "bench_ingest: run $run: imap fetch $f, pg single $s, pg batch $b, caselogd $o msg/s ($(awk -v o="$o" -v f="$f" -v b="$b" 'BEGIN { printf "%.2f", o / (f < b ? f : b) }') of the lower); peak RSS $((once_hwm_kb / 1024)) MB; CPU a message $c ms (caselogd $d); load $(cut -d' ' -f1 /proc/loadavg)"
    fetch+=("$f") single+=("$s") batch+=("$b") ours+=("$o") hwm+=("$once_hwm_kb") cpu+=("$c") own+=("$d")
    h_drop_db "$db"
    $CASELOG_TEST_DOVEADM mailbox delete -u desk -r -s "$folder" 2>/dev/null || true
done
f=$(printf '%s\n' "${fetch[@]}" | median)
s=$(printf '%s\n' "${single[@]}" | median)
b=$(printf '%s\n' "${batch[@]}" | median)
o=$(printf '%s\n' "${ours[@]}" | median)
m=$(printf '%s\n' "${hwm[@]}" | median)
c=$(printf '%s\n' "${cpu[@]}" | median)
d=$(printf '%s\n' "${own[@]}" | median)
if [ "$f" -lt "$b" ]; then low=$f lowname="(a) imap fetch"; else low=$b lowname="(b) pg batch"; fi
echo "bench_ingest: $n messages, $((bytes / 1048576)) MB, $with_att with an attachment (at most $max_attachment bytes); medians of 3 runs on $(nproc) cores"
echo "bench_ingest: (a) imap fetch, libetpan, 100 per UID FETCH   $f msg/s   (runs: ${fetch[*]})"
echo "bench_ingest: (b) pg commit, 1 row per transaction         $s msg/s   (runs: ${single[*]})"
echo "bench_ingest: (b) pg commit, 100 rows per pipelined txn    $b msg/s   (runs: ${batch[*]})"
echo "bench_ingest: (c) caselogd --once, end to end              $o msg/s   (runs: ${ours[*]})"
awk -v o="$o" -v f="$f" -v b="$b" -v l="$low" -v name="$lowname" 'BEGIN {
    printf "bench_ingest: (c) / (a) imap fetch = %.2f; (c) / (b batch) pg commit = %.2f\n", o / f, o / b
    r = o / l
    printf "bench_ingest: (c) / lower limit [%s, %d msg/s] = %.2f (issue 21: at least 0.50: %s)\n", name, l, r, (r >= 0.5 ? "met" : "missed")
    printf "bench_ingest: ours >= 2500 msg/s (issue 21): %s\n", (o >= 2500 ? "yes" : "no") }'
awk -v c="$c" -v d="$d" -v cores="$(nproc)" -v o="$o" -v cpus="${cpu[*]}" 'BEGIN {
    printf "bench_ingest: (c) CPU a message, whole machine %.3f ms (caselogd %.3f, the rest PostgreSQL and Dovecot; runs: %s)\n", c, d, cpus
    printf "bench_ingest: (c) ceiling on %d cores at that CPU a message: %d msg/s (ours reached %.0f%% of it)\n", cores, cores * 1000 / c, 100 * o / (cores * 1000 / c) }'
echo "bench_ingest: caselogd peak RSS $((m / 1024)) MB (runs: ${hwm[*]} kB)"
echo "bench_ingest: load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
