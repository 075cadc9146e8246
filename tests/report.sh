#!/usr/bin/env bash
# report: `caselog report` over a month of cases seeded with plain SQL matches figures
# counted by hand (below, case by case), in JSON, CSV and text. Desk hours 08:00-18:00
# Monday to Friday, Europe/London (UTC in March 2026, no bank holiday). The report runs
# "as of" 15 April. (tests/sla_month.sh builds a month through the programs instead.)
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db report)
trap 'h_drop_db "$db"; rm -rf "$work"' EXIT
conf="$work/caselog.conf"
h_write_config "$conf" "$db" "report-$$"
"$CASELOGD" -c "$conf" --migrate
# case N P TYPE STATE LOGGED RESP_DUE RESPONDED RES_DUE RESOLVED CLOSED REACT INBOUND STAFF_COMMENTS
# (REACT: reopenings by the school within the window, each with its reopened event)
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
        SELECT c.id, 'alice', 'comment', true, false, '{\"text\": \"reply\"}' FROM c, generate_series(1, $staff) g RETURNING id),
      r AS (INSERT INTO case_events (case_id, actor, kind, public, needs_notice, message_id)
        SELECT c.id, 'h@x.sch.uk', 'reopened', true, false, (SELECT min(id) FROM m) FROM c, generate_series(1, $react) g
        RETURNING id)
      SELECT (SELECT count(*) FROM m) + (SELECT count(*) FROM e) + (SELECT count(*) FROM r)" >/dev/null
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
# Outside the month: not counted in it. Case 9 is February's only case (the previous period).
seed 9  2 incident        open     "2026-02-27 09:00" "2026-02-27 10:00" ""                 "2026-03-02 09:00" ""                 ""                 0 1 0
seed 10 2 incident        open     "2026-04-01 09:00" "2026-04-01 10:00" ""                 "2026-04-02 09:00" ""                 ""                 0 1 0

report() { CASELOG_NOW=2026-04-15T12:00:00+01:00 "$CASELOG" -c "$conf" report "$@"; }
report --month 2026-03 --format json > "$work/report.json"
report --month 2026-03 --format csv > "$work/report.csv"
report --month 2026-03 > "$work/report.txt"
report --from 2026-03-01 --to 2026-03-31 --by type --format json > "$work/by_type.json"
# period|group -> logged | response missed/decided pct | resolution missed/decided pct |
#   first contact/resolved pct | reactivated/ever resolved pct | respond median, p90 (minutes) | resolve median, p90
# all: 8 cases. Response decided 8 (7 responded, case 6 past due), missed 2 (case 2 late, 6 none): 25.0.
#   Resolution decided 8 (6 resolved, cases 6 and 8 past due), missed 3 (2 late, 6, 8): 37.5.
#   Resolved 1,2,3,4,5,7; first contact 1,5,7 (2: two mails, 3: reopened, 4: two replies): 50.0.
#   Ever resolved 7 (those six and 8, reopened), reactivated 3 and 8: 28.6.
#   Respond hours 0.5,1,1,1.5,2,4,4: median (rank 4) 1h 30m, p90 (rank 7) 4h.
#   Resolve hours 2,6,10,12,20,40: median (rank 3) 10h, p90 (rank 6) 40h.
# P2 (1,2): 1/2 1/2 1/2 0/2; respond 0.5,2: 30 120; resolve 6,12: 360 720.
# P3 (3,4,5,8): resp 0/4; resol decided 4 missed 1 (8); FCR 1 of 3; react 2 of 4;
#   respond 1,1,1.5,4: 60 240; resolve 2,10,20: 600 1200.
# P4 (6): 1/1 1/1, nothing resolved; no times.   P1: nothing logged.   P5 (7): all in time.
# February (case 9 only): response and resolution both past due, never met: 1/1 each.
# by type (--from/--to: the previous period is the 31 days before, 29 January to 28 February):
#   incident (1,2,3,6): 2/4 2/4 1/3 1/3; respond 0.5,1,2: 60 120; resolve 6,10,12: 600 720.
#   complaint (8): 0/1 1/1, FCR -, 1/1 reactivated; respond 1.5: 90 90.
expected='
report.json|2026-03|all|8|2/8 25.0|3/8 37.5|3/6 50.0|2/7 28.6|90 240|600 2400
report.json|2026-03|P1 Critical|0|0/0 None|0/0 None|0/0 None|0/0 None|None None|None None
report.json|2026-03|P2 High|2|1/2 50.0|1/2 50.0|1/2 50.0|0/2 0.0|30 120|360 720
report.json|2026-03|P3 Medium|4|0/4 0.0|1/4 25.0|1/3 33.3|2/4 50.0|60 240|600 1200
report.json|2026-03|P4 Low|1|1/1 100.0|1/1 100.0|0/0 None|0/0 None|None None|None None
report.json|2026-03|P5 Change request|1|0/1 0.0|0/1 0.0|1/1 100.0|0/1 0.0|240 240|2400 2400
report.json|2026-02|all|1|1/1 100.0|1/1 100.0|0/0 None|0/0 None|None None|None None
report.json|2026-02|P2 High|1|1/1 100.0|1/1 100.0|0/0 None|0/0 None|None None|None None
by_type.json|2026-03-01..2026-03-31|incident|4|2/4 50.0|2/4 50.0|1/3 33.3|1/3 33.3|60 120|600 720
by_type.json|2026-03-01..2026-03-31|complaint|1|0/1 0.0|1/1 100.0|0/0 None|1/1 100.0|90 90|None None
by_type.json|2026-01-29..2026-02-28|incident|1|1/1 100.0|1/1 100.0|0/0 None|0/0 None|None None|None None'
while IFS='|' read -r file period group rest; do
    [ -n "$group" ] || continue
    got=$(python3 - "$work/$file" "$period" "$group" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
g = next((g for g in r["rows"] if g["period"] == sys.argv[2] and g["group"] == sys.argv[3]), None)
def share(part, whole, pct):
    v = g[pct]
    return "%d/%d %s" % (g[part], g[whole], "None" if v is None else "%.1f" % v)
print("missing" if g is None else "|".join([str(g["logged"]),
    share("response_missed", "response_decided", "response_missed_pct"),
    share("resolution_missed", "resolution_decided", "resolution_missed_pct"),
    share("first_contact", "resolved", "first_contact_pct"),
    share("reactivated", "ever_resolved", "reactivated_pct"),
    "%s %s" % (g["respond_median_minutes"], g["respond_p90_minutes"]),
    "%s %s" % (g["resolve_median_minutes"], g["resolve_p90_minutes"])]))
PY
)
    h_check "report: $file $period $group" "$rest" "$got"
done <<< "$expected"
h_check "json: the targets (the config's defaults)" "95 90 3 60" \
    "$(python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["targets"]; print(t["response_target"], t["resolution_target"], t["reactivation_max"], t["first_contact_target"])' "$work/report.json")"
h_check "json: verdicts for all (response 75.0% < 95, FCR 50.0% < 60, reactivated 28.6% > 3)" "missed missed missed missed" \
    "$(python3 -c 'import json,sys; g=json.load(open(sys.argv[1]))["rows"][0]; print(g["response_result"], g["resolution_result"], g["first_contact_result"], g["reactivation_result"])' "$work/report.json")"
h_check "json: times in hours and minutes" "1h 30m 4h 00m 10h 00m 40h 00m" \
    "$(python3 -c 'import json,sys; g=json.load(open(sys.argv[1]))["rows"][0]; print(g["respond_median"], g["respond_p90"], g["resolve_median"], g["resolve_p90"])' "$work/report.json")"
h_check "csv: a header and 6 groups for 2 periods" 13 "$(wc -l < "$work/report.csv")"
h_check "csv: the period in every row" 12 "$(grep -c '^2026-0[23],' "$work/report.csv")"
h_check "csv: the same fields and values as the JSON" ok "$(python3 - "$work/report.csv" "$work/report.json" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
js = json.load(open(sys.argv[2]))["rows"]
def same(c, j):
    if set(c) != set(j):
        return False
    for k, v in j.items():
        if v is None:
            if c[k] != "": return False
        elif isinstance(v, float):
            if "%.1f" % v != c[k]: return False
        elif str(v) != c[k]:
            return False
    return True
print("ok" if len(rows) == len(js) and all(same(c, j) for c, j in zip(rows, js)) else "different")
PY
)"
h_check "text: the P2 block's response line" 1 \
    "$(grep -c '^  responses in time  *1 of 2 (50.0%) missed  *0 of 1 (0.0%) missed$' "$work/report.txt")"
h_check "text: all's reactivated line beside February" 1 \
    "$(grep -c '^  reactivated  *2 of 7 (28.6%) missed  *0 of 0 (-)$' "$work/report.txt")"
h_check "text: all's times" 1 "$(grep -c '^  time to respond (median, p90)  *1h 30m, 4h 00m (7)  *-$' "$work/report.txt")"
set +e
report --from 2026-03-31 --to 2026-03-01 2>/dev/null; rc1=$?
report --month 2026-13 2>/dev/null; rc2=$?
report --month 2026-03 --from 2026-03-01 --to 2026-03-31 2>/dev/null; rc3=$?
report --month 2026-03 --by colour 2>/dev/null; rc4=$?
set -e
h_check "bad periods and --by: exit 2" "2 2 2 2" "$rc1 $rc2 $rc3 $rc4"

# --by school in text: school names are the desk's data, in Welsh and Chinese too; the
# period columns line up in display cells whatever the name (a wide or accented name
# padded by bytes would push its line's columns left).
h_sql "$db" "INSERT INTO schools (name, identifier) VALUES ('Ysgol Gynradd Bryn Ŵyn â Llŷn', 'URN 1'),
               ('北京国际学校', 'URN 2'), ('Riverside Academy', 'URN 3');
             UPDATE cases SET school_id = (SELECT id FROM schools WHERE identifier = 'URN ' || (number % 3 + 1))" >/dev/null
report --month 2026-03 --by school > "$work/by_school.txt"
h_check "text --by school: each group's period column at the same display cell" "33 33 33 33" "$(python3 - "$work/by_school.txt" <<'PY'
import sys, unicodedata
def cells(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
cols = []
for line in open(sys.argv[1], encoding="utf-8"):
    i = line.find(" 2026-03 ")
    if i > 0 and not line.startswith((" ", "Service report")):
        cols.append(cells(line[:i + 1]))
print(" ".join(map(str, cols)))
PY
)"
h_summary report
