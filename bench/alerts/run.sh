#!/usr/bin/env bash
# bench/alerts: what the alert pass's scan of the running cases costs a daemon (it runs
# at most every 20 s, and on every --once). N open cases (half assigned, half answered,
# every priority, due times spread over the coming days, one public event each) are
# made with SQL; `caselogd --once` runs 7 times with the clock set; its log line
# `action=alerts_pass running=N read_ms= scan_ms=` gives the time of the read (one
# query) and of the whole scan (the read, each case's SLA warning and update promise
# worked out on its calendar, the alerts queued). Baseline in the same run: the server's
# execution time of `SELECT *` of the running cases (EXPLAIN ANALYZE). Medians of runs 2-7 (run 1 queues the alerts).
#   bench/alerts/run.sh [N...]        default: 1000 10000
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
bench_build caselogd
bench_stack
sizes=("${@:-1000 10000}")
[ $# -gt 0 ] || sizes=(1000 10000)
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
for n in "${sizes[@]}"; do
    db=$(h_new_db bench_alerts)
    conf="$work/caselog-$n.conf"
    h_write_config "$conf" "$db" "bench-alerts-$n"
    cat >> "$conf" <<CONF
alerts = { queues = ( { queue = "ICT"; to = "ict-team@desk.example.org"; new_case_priority_at_most = 1; } ); };
updates = { cadence = "5d"; major_incident_cadence = "1h"; };
CONF
    "$CASELOGD" -c "$conf" --migrate >/dev/null 2>&1
    h_sql "$db" "INSERT INTO cases (number, reference, type, queue, state, priority, requester, subject, received_at,
                   logged_at, response_due, resolution_due, responded_at, assignee)
                 SELECT g, 'BEN' || lpad(g::text, 7, '0'), 'incident', 'ICT',
                        CASE WHEN g % 2 = 0 THEN 'assigned' ELSE 'open' END, 1 + g % 5, 'head' || g || '@school.sch.uk',
                        'case ' || g, t, t, t + interval '2 days', t + interval '6 days',
                        CASE WHEN g % 2 = 0 THEN t + interval '1 hour' END, CASE WHEN g % 2 = 0 THEN 'nobody' END
                 FROM generate_series(1, $n) g,
                      LATERAL (SELECT '2026-03-04 10:00+00'::timestamptz - (g % 4000) * interval '1 minute' AS t) x" >/dev/null
    h_sql "$db" "INSERT INTO case_events (case_id, actor, kind, public, needs_notice, noticed_at, alerted_at, at)
                 SELECT id, 'sam', 'comment', true, false, logged_at, logged_at, logged_at + interval '30 minutes' FROM cases" >/dev/null
    h_sql "$db" "ANALYZE" >/dev/null
    base=()
    read=()
    scan=()
    for run in 1 2 3 4 5 6 7; do
        : > "$work/log"
        CASELOG_NOW=2026-03-04T10:00:00+00:00 "$CASELOGD" -c "$conf" --once 2>"$work/log" || true
        line=$(grep 'action=alerts_pass' "$work/log")
        [ "$run" = 1 ] && first=$line && continue
        read+=("$(sed -n 's/.*read_ms=\([0-9]*\).*/\1/p' <<<"$line")")
        scan+=("$(sed -n 's/.*scan_ms=\([0-9]*\).*/\1/p' <<<"$line")")
        base+=("$(h_sql "$db" "EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM cases WHERE state IN ('open', 'assigned', 'on_hold')" |
                  python3 -c 'import json,sys; print(round(json.load(sys.stdin)[0]["Execution Time"]))')")
    done
    echo "N=$n running cases; run 1: $first"
    echo "N=$n scan_ms median=$(printf '%s\n' "${scan[@]}" | median) read_ms median=$(printf '%s\n' "${read[@]}" | median)" \
         "baseline SELECT * of them ms median=$(printf '%s\n' "${base[@]}" | median)"
    [ -n "${BENCH_KEEP:-}" ] && { echo "kept: $db"; sleep "$BENCH_KEEP"; }
    h_drop_db "$db"
done
