#!/usr/bin/env bash
# bench/memory/run.sh [N]: the daemon's peak resident memory (SPEC section 9 and issue
# 21: under 64 MB) while one `caselogd --once` pass logs large and hostile mail.
# Every case is a fresh database and Dovecot folder on a private stack; the peak is the
# kernel's count for the process (bench/peak_rss.py); every message must be logged.
#  - together K (K = 2, 5, 20; 3 runs each): N (default 2,000) messages of bench/ingest's
#    mix (tests/lib/gen_mail.py --size-mix: 2-50 KB, 10% with an attachment of 10 KB to
#    2 MB) with K messages of 10-20 MB on the wire (one attachment each, 7.3-14.6 MB
#    decoded, log-uniform) arriving together, in the middle of the folder;
#  - hostile KIND (1 run each): 50 messages of the mix, then two 10 MB messages of each
#    shape that made a parser hold many times a message (tests/lib/gen_hostile.py: a
#    10 MB text, HTML, header, Subject, forwarded Subject, part header, 300,000 tiny
#    parts, base64 on one line, base64 text, text 45 multiparts deep, quoted-printable).
# Prints each case's peak (median and largest of its runs) and whether all are under
# 64 MB.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
n=${1:-2000}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
bench_build caselogd caselog
bench_stack
. "$here/../ingest/common.sh"
gen="$top/tests/lib"
limit_kb=$((64 * 1024))
worst=0

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# memory_case NAME DIR: one pass over DIR's messages; prints and sets case_kb.
memory_case() {
    local name=$1 dir=$2 folder db logged want
    folder="memory-$RANDOM"
    db=$(h_new_db "memory$RANDOM")
    ingest_config "$work/caselog.conf" "$db" "$folder"
    "$CASELOGD" -c "$work/caselog.conf" --migrate 2>/dev/null
    ingest_fill "$folder" "$dir"
    ingest_once "$work/caselog.conf" "$work/once.log"
    want=$(find "$dir" -name '*.eml' | wc -l)
    logged=$(h_sql "$db" "SELECT count(*) FROM messages WHERE direction = 'in'")
    [ "$logged" -eq "$want" ] || { echo "bench_memory: $name: only $logged of $want logged"; tail -5 "$work/once.log"; exit 1; }
    echo "bench_memory: $name: $want messages, $(($(du -sb "$dir" | cut -f1) / 1048576)) MB, logged in $once_ms ms; peak RSS $((once_hwm_kb / 1024)) MB"
    case_kb=$once_hwm_kb
    [ "$case_kb" -gt "$worst" ] && worst=$case_kb
    h_drop_db "$db"
    $CASELOG_TEST_DOVEADM mailbox delete -u desk -r -s "$folder" 2>/dev/null || true
}

echo "bench_memory: load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
summary=()
for k in 2 5 20; do
    rm -rf "$work/mail"
    /usr/bin/python3 "$gen/gen_mail.py" "$n" "$work/mail" --tag mem --size-mix --attachments 10 \
        --max-attachment 2097152 --huge "$k" --huge-size 7300000 --huge-max 14600000 --huge-together >/dev/null
    peaks=()
    for run in 1 2 3; do
        memory_case "together $k, run $run" "$work/mail"
        peaks+=("$case_kb")
    done
    m=$(printf '%s\n' "${peaks[@]}" | median)
    top_kb=$(printf '%s\n' "${peaks[@]}" | sort -n | tail -n 1)
    summary+=("$(awk -v k="$k" -v m="$m" -v t="$top_kb" 'BEGIN { printf "together %-2s  median %5.1f MB, largest %5.1f MB", k, m / 1024, t / 1024 }')")
done
rm -rf "$work/plain"
/usr/bin/python3 "$gen/gen_mail.py" 50 "$work/plain" --tag memh --size-mix >/dev/null
for kind in text html header subject inner-subject part-header parts base64-line base64-text nested qp; do
    rm -rf "$work/mail"
    cp -r "$work/plain" "$work/mail"
    /usr/bin/python3 "$gen/gen_hostile.py" "$work/mail" "$kind" 2 10000000
    memory_case "hostile $kind" "$work/mail"
    summary+=("$(awk -v k="$kind" -v p="$case_kb" 'BEGIN { printf "hostile %-13s %5.1f MB", k, p / 1024 }')")
done
echo "bench_memory: peak resident memory of caselogd --once (target under 64 MB in every case):"
printf 'bench_memory:   %s\n' "${summary[@]}"
echo "bench_memory: largest of all: $((worst / 1024)) MB: $([ "$worst" -lt "$limit_kb" ] && echo met || echo missed)"
echo "bench_memory: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
