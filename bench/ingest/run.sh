#!/usr/bin/env bash
# bench/ingest/run.sh [N]: end-to-end ingest (SPEC section 9) against its baselines,
# measured in the same run on a private stack: N typical school messages (default
# 5000, 5% with an attachment) in a Dovecot mailbox; `caselogd --once` logs them all
# (IMAP fetch, parse, triage, PostgreSQL commit per batch of 100, move after COMMIT).
# Baselines: (a) Dovecot serving the same messages to one batched UID FETCH of
# BODY.PEEK[] (imaplib), (b) PostgreSQL committing the same raw bytes 100 per durable
# transaction (psql, fsync on). Also the daemon's peak RSS (VmHWM). Medians of 3 runs.
set -euo pipefail
n=${1:-5000}
. "$(dirname "$0")/../lib.sh"
bench_build caselogd caselog
bench_stack
/usr/bin/python3 "$top/tests/lib/gen_mail.py" "$n" "$work/mail" --tag bench --attachments 5 >/dev/null
bytes=$(cat "$work/mail"/*.eml | wc -c)

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
now_ms() { date +%s%3N; }
ours=() fetch=() commit=() hwm=()
for run in 1 2 3; do
    folder="bench-$run"
    db=$(h_new_db "bench$run")
    h_write_config "$work/caselog.conf" "$db" "$folder" false 60s
    # No smtp group: acknowledgements are queued, not sent (this measures ingest).
    /usr/bin/python3 - "$work/caselog.conf" <<'PY'
import re, sys
p = sys.argv[1]; s = open(p).read()
open(p, "w").write(re.sub(r"\nsmtp = \{.*?\};\n", "\n", s, flags=re.S))
PY
    "$CASELOGD" -c "$work/caselog.conf" --migrate 2>/dev/null
    "$STACK/imap_append.sh" desk "$folder" "$work/mail"/*.eml >/dev/null

    # (a) the IMAP batched-fetch baseline, before the daemon moves the mail away
    fetch+=("$(/usr/bin/python3 - "$CASELOG_TEST_IMAP_PORT" "$folder" <<'PY'
import imaplib, ssl, sys, time
port, folder = int(sys.argv[1]), sys.argv[2]
imap = imaplib.IMAP4("127.0.0.1", port)
imap.login("desk", "secret-desk")
imap.select('"%s"' % folder, readonly=True)
start = time.monotonic()
typ, data = imap.uid("FETCH", "1:*", "(BODY.PEEK[])")
elapsed = time.monotonic() - start
count = sum(1 for d in data if isinstance(d, tuple))
print("%.0f" % (count / elapsed))
PY
)")
    # ours, end to end, with the peak RSS of the process
    start=$(now_ms)
    "$CASELOGD" -c "$work/caselog.conf" --once 2>"$work/once.log" &
    pid=$!
    peak=0
    while kill -0 "$pid" 2>/dev/null; do
        v=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$pid/status" 2>/dev/null || true)
        [ -n "$v" ] && peak=$v
        sleep 0.05
    done
    wait "$pid"
    end=$(now_ms)
    logged=$(h_sql "$db" "SELECT count(*) FROM messages WHERE direction = 'in'")
    [ "$logged" -eq "$n" ] || { echo "bench_ingest: only $logged of $n logged"; tail -5 "$work/once.log"; exit 1; }
    ours+=("$(( n * 1000 / (end - start) ))")
    hwm+=("$peak")

    # (b) the durable batched-commit baseline: the same bytes, 100 per transaction
    h_sql "$db" "CREATE TABLE bench_raw (id serial PRIMARY KEY, raw bytea NOT NULL)" >/dev/null
    /usr/bin/python3 - "$work/mail" "$work/commit.sql" <<'PY'
import glob, sys
files = sorted(glob.glob(sys.argv[1] + "/*.eml"))
with open(sys.argv[2], "w") as out:
    for i in range(0, len(files), 100):
        out.write("BEGIN;\nINSERT INTO bench_raw (raw) VALUES\n")
        rows = ["('\\x%s')" % open(f, "rb").read().hex() for f in files[i:i + 100]]
        out.write(",\n".join(rows) + ";\nCOMMIT;\n")
PY
    start=$(now_ms)
    psql -X -q -v ON_ERROR_STOP=1 "$db" -f "$work/commit.sql" >/dev/null
    end=$(now_ms)
    commit+=("$(( n * 1000 / (end - start) ))")
    h_drop_db "$db"
done
o=$(printf '%s\n' "${ours[@]}" | median)
f=$(printf '%s\n' "${fetch[@]}" | median)
c=$(printf '%s\n' "${commit[@]}" | median)
m=$(printf '%s\n' "${hwm[@]}" | median)
low=$(( f < c ? f : c ))
echo "bench_ingest: $n messages, $(( bytes / 1048576 )) MB, medians of 3 runs on $(nproc) cores"
echo "bench_ingest: imap batched fetch   $f msg/s   (runs: ${fetch[*]})"
echo "bench_ingest: pg batched commit    $c msg/s   (runs: ${commit[*]})"
echo "bench_ingest: caselogd --once      $o msg/s   (runs: ${ours[*]})"
awk -v o="$o" -v l="$low" 'BEGIN { printf "bench_ingest: lower baseline / ours = %.2f (target <= 2.5), ours >= 1000 msg/s: %s\n", l / o, (o >= 1000 ? "yes" : "no") }'
echo "bench_memory: caselogd peak RSS (VmHWM) $(( m / 1024 )) MB (runs: ${hwm[*]} kB; target < 64 MB)"
