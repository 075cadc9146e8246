#!/usr/bin/env bash
# bench/memory/run.sh [N]: the daemon's peak resident memory while it ingests N
# (default 10,000) messages of which twenty are of 20 MB (issue 10, SPEC section 9:
# under 64 MB). The mail is bench/ingest's mix (tests/lib/gen_mail.py --size-mix: 2-50
# KB, 10% with an attachment of 10 KB to 2 MB) plus `--huge 20 --huge-size 14500000`:
# twenty messages spread evenly through the folder, each with one attachment of 14.5
# MB, which is 19.9 MB as base64 on the wire: a 20 MB message, under the default
# limits.max_message_size (25M), so they are logged, not set aside. Three `caselogd --once`
# runs on a private stack, each with a fresh database and folder; VmHWM sampled every
# 50 ms; all N must be logged each time. Prints every run and the median.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
n=${1:-10000}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
bench_build caselogd caselog
bench_stack
. "$here/../ingest/common.sh"
huge=20
[ "$n" -ge "$huge" ] || { echo "bench_memory: N must be at least $huge"; exit 2; }
/usr/bin/python3 "$top/tests/lib/gen_mail.py" "$n" "$work/mail" --tag mem --size-mix \
    --attachments 10 --max-attachment 2097152 --huge "$huge" --huge-size 14500000 >/dev/null
bytes=$(find "$work/mail" -name '*.eml' -printf '%s\n' | awk '{s += $1} END {print s}')
largest=$(find "$work/mail" -name '*.eml' -printf '%s\n' | sort -n | tail -n 1)

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
hwm=() rates=()
for run in 1 2 3; do
    folder="memory-$run"
    db=$(h_new_db "memory$run")
    ingest_config "$work/caselog.conf" "$db" "$folder"
    "$CASELOGD" -c "$work/caselog.conf" --check-config >/dev/null
    "$CASELOGD" -c "$work/caselog.conf" --migrate 2>/dev/null
    ingest_fill "$folder" "$work/mail"
    ingest_once "$work/caselog.conf" "$work/once.log"
    logged=$(h_sql "$db" "SELECT count(*) FROM messages WHERE direction = 'in'")
    [ "$logged" -eq "$n" ] || { echo "bench_memory: only $logged of $n logged"; tail -5 "$work/once.log"; exit 1; }
    largest_logged=$(h_sql "$db" "SELECT max(octet_length(raw)) FROM messages WHERE direction = 'in'")
    echo "bench_memory: run $run: all $n logged in $((once_ms / 1000)) s ($((n * 1000 / once_ms)) msg/s), largest $((largest_logged / 1048576)) MB; peak RSS $((once_hwm_kb / 1024)) MB"
    hwm+=("$once_hwm_kb") rates+=("$((n * 1000 / once_ms))")
    h_drop_db "$db"
    $CASELOG_TEST_DOVEADM mailbox delete -u desk -r -s "$folder" 2>/dev/null || true
done
m=$(printf '%s\n' "${hwm[@]}" | median)
echo "bench_memory: $n messages, $((bytes / 1048576)) MB, $huge of 20 MB (largest message $((largest / 1048576)) MB); medians of 3 runs on $(nproc) cores"
echo "bench_memory: caselogd --once $(printf '%s\n' "${rates[@]}" | median) msg/s (runs: ${rates[*]})"
awk -v kb="$m" -v runs="${hwm[*]}" 'BEGIN { mb = kb / 1024
    printf "bench_memory: caselogd peak RSS (VmHWM) %.1f MB (runs: %s kB; target < 64 MB: %s)\n", mb, runs, (mb < 64 ? "met" : "missed") }'
