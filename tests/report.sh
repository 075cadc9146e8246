#!/usr/bin/env bash
# report: `caselog report` over a month of cases seeded with plain SQL matches figures
# counted by hand (below, case by case). Desk hours 08:00-18:00 Monday to Friday,
# Europe/London (UTC in March 2026, no bank holiday). The report runs "as of" 15 April.
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db report)
trap 'h_drop_db "$db"; rm -rf "$work"' EXIT
conf="$work/caselog.conf"
h_write_config "$conf" "$db" "report-$$"
"$CASELOGD" -c "$conf" --migrate
# case N P TYPE STATE LOGGED RESP_DUE RESPONDED RES_DUE RESOLVED CLOSED REACT INBOUND STAFF_COMMENTS
seed() {
    local n=$1 p=$2 type=$3 state=$4 logged=$5 rdue=$6 resp=$7 sdue=$8 res=$9 closed=${10} react=${11} inbound=${12} staff=${13}
    h_sql "$db" "
      WITH c AS (INSERT INTO cases (number, reference, type, state, priority, requester, subject, received_at, logged_at,
                    response_due, responded_at, resolution_due, resolved_at, closed_at, reactivations)
        VALUES ($n, 'INC$n', '$type', '$state', $p, 'h@x.sch.uk', 'case $n', '$logged', '$logged',
                '$rdue', nullif('$resp', '')::timestamptz, '$sdue', nullif('$res', '')::timestamptz,
                nullif('$closed', '')::timestamptz, $react) RETURNING id),
      m AS (INSERT INTO messages (case_id, direction, message_id, from_address, raw, raw_sha256, received_at)
        SELECT c.id, 'in', 'm$n-' || g || '@x.sch.uk', 'h@x.sch.uk', 'x', encode(sha256(('$n-' || g)::bytea), 'hex'), '$logged'
        FROM c, generate_series(1, $inbound) g RETURNING id),
      e AS (INSERT INTO case_events (case_id, actor, kind, public, needs_notice, data)
        SELECT c.id, 'alice', 'comment', true, false, '{\"text\": \"reply\"}' FROM c, generate_series(1, $staff) g RETURNING id)
      SELECT (SELECT count(*) FROM m) + (SELECT count(*) FROM e)" >/dev/null
}
#    N  P type            state     logged            resp. due         responded         resol. due        resolved          closed            re in st
seed 1  2 incident        closed   "2026-03-02 09:00" "2026-03-02 10:00" "2026-03-02 09:30" "2026-03-03 09:00" "2026-03-02 15:00" "2026-03-09 15:00" 0 1 1
seed 2  2 incident        closed   "2026-03-02 10:00" "2026-03-02 11:00" "2026-03-02 12:00" "2026-03-03 10:00" "2026-03-03 12:00" "2026-03-10 12:00" 0 2 1
seed 3  3 incident        resolved "2026-03-04 08:00" "2026-03-04 16:00" "2026-03-04 09:00" "2026-03-09 08:00" "2026-03-05 08:00" ""                 1 1 1
seed 4  3 service_request closed   "2026-03-04 10:00" "2026-03-04 18:00" "2026-03-04 14:00" "2026-03-09 10:00" "2026-03-06 10:00" "2026-03-13 10:00" 0 1 2
seed 5  3 enquiry         closed   "2026-03-05 09:00" "2026-03-05 17:00" "2026-03-05 10:00" "2026-03-10 09:00" "2026-03-05 11:00" "2026-03-12 11:00" 0 1 0
seed 6  4 incident        open     "2026-03-09 09:00" "2026-03-10 09:00" ""                 "2026-03-13 09:00" ""                 ""                 0 1 0
seed 7  5 change_request  closed   "2026-03-10 09:00" "2026-03-11 09:00" "2026-03-10 13:00" "2026-03-17 09:00" "2026-03-16 09:00" "2026-03-23 09:00" 0 1 0
seed 8  3 complaint       assigned "2026-03-20 17:00" "2026-03-23 15:00" "2026-03-23 08:30" "2026-03-25 17:00" ""                 ""                 1 2 1
# Outside the month: not counted.
seed 9  2 incident        open     "2026-02-27 09:00" "2026-02-27 10:00" ""                 "2026-03-02 09:00" ""                 ""                 0 1 0
seed 10 2 incident        open     "2026-04-01 09:00" "2026-04-01 10:00" ""                 "2026-04-02 09:00" ""                 ""                 0 1 0

CASELOG_NOW=2026-04-15T12:00:00+01:00 "$CASELOG" -c "$conf" report --from 2026-03-01 --to 2026-03-31 --format json > "$work/report.json"
# group -> logged, missed resp %, missed resol %, FCR %, reactivated %, respond med, p90, resolve med, p90
# all: 8 cases. Response decided 8 (7 responded, case 6 past due), missed 2 (case 2 late, 6 none): 25.0.
#   Resolution decided 8 (6 resolved, cases 6 and 8 past due), missed 3 (2 late, 6, 8): 37.5.
#   Resolved 1,2,3,4,5,7; first contact 1,5,7 (2: two mails, 3: reopened, 4: two replies): 50.0.
#   Ever resolved 7 (those six and 8), reactivated 3 and 8: 28.6.
#   Respond hours 0.5,1,1,1.5,2,4,4: median (rank 4) 1.5, p90 (rank 7) 4.0.
#   Resolve hours 2,6,10,12,20,40: median (rank 3) 10.0, p90 (rank 6) 40.0.
# P2 (1,2): 50.0 50.0 50.0 0.0; respond 0.5,2: 0.5 2.0; resolve 6,12: 6.0 12.0.
# P3 (3,4,5,8): resp 0.0; resol decided 4 missed 1 (8): 25.0; FCR 1 of 3: 33.3; react 2 of 4: 50.0;
#   respond 1,1,1.5,4: 1.0 4.0; resolve 2,10,20: 10.0 20.0.
# P4 (6): 100.0 100.0, nothing resolved: null null; no times.   P1: nothing logged.
# incident (1,2,3,6): 50.0 50.0 33.3 33.3; respond 0.5,1,2: 1.0 2.0; resolve 6,10,12: 10.0 12.0.
expected='
all|8|25.0|37.5|50.0|28.6|1.5|4.0|10.0|40.0
P1 Critical|0|None|None|None|None|None|None|None|None
P2 High|2|50.0|50.0|50.0|0.0|0.5|2.0|6.0|12.0
P3 Medium|4|0.0|25.0|33.3|50.0|1.0|4.0|10.0|20.0
P4 Low|1|100.0|100.0|None|None|None|None|None|None
P5 Change request|1|0.0|0.0|100.0|0.0|4.0|4.0|40.0|40.0
incident|4|50.0|50.0|33.3|33.3|1.0|2.0|10.0|12.0
complaint|1|0.0|100.0|None|100.0|1.5|1.5|None|None'
while IFS='|' read -r group rest; do
    [ -n "$group" ] || continue
    got=$(python3 - "$work/report.json" "$group" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
g = next((g for g in r["groups"] if g["group"] == sys.argv[2]), None)
keys = ["logged", "missed_response_pct", "missed_resolution_pct", "first_contact_resolution_pct", "reactivated_pct",
        "respond_hours_median", "respond_hours_p90", "resolve_hours_median", "resolve_hours_p90"]
print("missing" if g is None else "|".join(str(g[k]) if g[k] is None or k == "logged" else "%.1f" % g[k] for k in keys))
PY
)
    h_check "report: $group" "$rest" "$got"
done <<< "$expected"
CASELOG_NOW=2026-04-15T12:00:00+01:00 "$CASELOG" -c "$conf" report --from 2026-03-01 --to 2026-03-31 --format csv > "$work/report.csv"
h_check "csv: header and 11 groups" 12 "$(wc -l < "$work/report.csv")"
h_check "csv: the all row" "all,8,25.0,37.5,50.0,28.6,1.5,4.0,10.0,40.0" "$(sed -n 2p "$work/report.csv")"
CASELOG_NOW=2026-04-15T12:00:00+01:00 "$CASELOG" -c "$conf" report --from 2026-03-01 --to 2026-03-31 > "$work/report.txt"
h_check "text: the P2 row" 1 "$(grep -c '^P2 High  *2  *50.0  *50.0  *50.0  *0.0  *0.5  *2.0  *6.0  *12.0$' "$work/report.txt")"
set +e; "$CASELOG" -c "$conf" report --from 2026-03-31 --to 2026-03-01 2>/dev/null; rc=$?; set -e
h_check "--to before --from: exit 2" 2 "$rc"
h_summary report
