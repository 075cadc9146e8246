#!/usr/bin/env bash
# monitoring: `caselog status` as Nagios and Prometheus use it (issue 17, part 6): the
# first line and the exit status follow the plugin convention (0 OK, 1 WARNING, 2
# CRITICAL, 3 UNKNOWN), --json is always one object, --prometheus is the text
# exposition format; and caselogd refuses a schema older or newer than it knows,
# naming both versions.
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db monitoring)
trap 'h_drop_db "$db"; rm -rf "$work"' EXIT
folder="mon-$$"
conf="$work/caselog.conf"
h_write_config "$conf" "$db" "$folder"
"$CASELOGD" -c "$conf" --migrate 2>/dev/null
at() { local t=$1; shift; CASELOG_NOW="$t" "$@"; }
status() { local t=$1; shift; set +e; at "$t" "$CASELOG" -c "$conf" status "$@" > "$work/status.out" 2>"$work/status.err"; rc=$?; set -e; }
first() { head -n 1 "$work/status.out"; }

status 2026-03-02T09:00:00+00:00
h_check "no pass yet: CRITICAL (exit 2)" "2|CASELOG CRITICAL - mailbox support: no pass recorded yet" "$rc|$(first | cut -d';' -f1)"
printf 'From: Helen Price <h.price@oakfield-primary.sch.uk>\r\nTo: servicedesk@desk.example.org\r\nSubject: Printer\r\nMessage-ID: <mon-%s@oakfield-primary.sch.uk>\r\n\r\nJammed.\r\n' "$$" > "$work/m.eml"
"$STACK/imap_append.sh" desk "$folder" "$work/m.eml" --date 2026-03-02T09:00:00+00:00 >/dev/null
at 2026-03-02T09:00:30+00:00 "$CASELOGD" -c "$conf" --once 2>>"$work/daemon.log"
status 2026-03-02T09:01:00+00:00
h_check "after a good pass: OK (exit 0)" 0 "$rc"
h_check "one summary line first, with perfdata" 1 "$(first | grep -c '^CASELOG OK - 1 mailbox, 1 open case (0 breaching or breached), outbox 0 waiting 0 failed, 0 unlogged | open=1 ')"
h_sql "$db" "UPDATE outbox SET state = 'failed', last_error = '550 no such user'" >/dev/null
status 2026-03-02T09:02:00+00:00
h_check "failed mail: WARNING (exit 1)" "1|CASELOG WARNING - failed mail: 1" "$rc|$(first | cut -d';' -f1)"
status 2026-03-02T12:00:00+00:00
h_check "no pass for three hours: CRITICAL, the worst reason first" "2|CASELOG CRITICAL - mailbox support: no good pass for 179 minutes" \
    "$rc|$(first | cut -d';' -f1)"
h_check "and the warning after it" 1 "$(grep -c '^  also: failed mail: 1' "$work/status.out")"
status 2026-03-02T09:03:00+00:00 --json
h_check "--json: the state and the database" "WARNING ok 1" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["state"], d["database"], d["outbox_failed"])' "$work/status.out")"
status 2026-03-02T09:03:00+00:00 --prometheus
h_check "--prometheus: exit as the state" 1 "$rc"
python3 - "$work/status.out" > "$work/prom.check" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
typed, bad, values = set(), [], {}
for l in lines:
    m = re.match(r"# TYPE (\w+) (gauge|counter)$", l)
    if m:
        typed.add(m.group(1)); continue
    if l.startswith("# HELP ") or not l:
        continue
    m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_]\w*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.eE+]+)$', l)
    if not m or m.group(1) not in typed:
        bad.append(l); continue
    values[m.group(1) + (m.group(2) or "")] = float(m.group(3))
print("bad:", bad)
for k in ['caselog_up', 'caselog_status', 'caselog_cases_open{priority="3",sla="ok"}',
          'caselog_outbox_mails{state="failed"}', 'caselog_unlogged_mails',
          'caselog_mailbox_last_pass_age_seconds{mailbox="support"}', 'caselog_sla_breached_cases{target="response"}']:
    print(k, values.get(k))
PY
h_check "--prometheus: every line well formed" "bad: []" "$(head -n 1 "$work/prom.check")"
h_check "--prometheus: the figures" "caselog_up 1.0|caselog_status 1.0|caselog_cases_open{priority=\"3\",sla=\"ok\"} 1.0|caselog_outbox_mails{state=\"failed\"} 1.0|caselog_unlogged_mails 0.0|caselog_sla_breached_cases{target=\"response\"} 0.0" \
    "$(tail -n +2 "$work/prom.check" | grep -v last_pass_age | paste -sd'|')"
# The pass started at 09:00:30 on the test's clock and status asked at 09:03:00: 150 s,
# less the seconds the pass itself took (its end is recorded; a loaded machine running
# the sanitized build can take many), plus those status took to start.
age=$(sed -n 's/^caselog_mailbox_last_pass_age_seconds{mailbox="support"} \([0-9]*\).*/\1/p' "$work/prom.check")
h_check "--prometheus: seconds since the mailbox's last pass" yes "$([ "${age:-0}" -ge 120 ] && [ "${age:-0}" -le 180 ] && echo yes || echo "no ($age)")"

# --- a second configured mailbox that has never had a pass (its name with a "|", which a
#     Nagios first line must not carry before its perfdata, and a Welsh letter) ---
python3 - "$conf" "$work/two.conf" <<'PY'
import sys
text = open(sys.argv[1]).read()
i = text.index("mailboxes = (") + len("mailboxes = (")
box = """
  { name = "ysgolion|ŵ"; host = "127.0.0.1"; port = 1; tls = "starttls"; user = "desk2"; auth = "password";
    password_env = "CASELOG_TEST_DESK_PASSWORD"; folder = "never"; processed_folder = ""; failed_folder = "never/f";
    type = "incident"; queue = "ICT"; priority = 3; },"""
open(sys.argv[2], "w").write(text[:i] + box + text[i:])
PY
two() { set +e; at 2026-03-02T09:03:00+00:00 "$CASELOG" -c "$work/two.conf" status "$@" > "$work/two.out" 2>/dev/null; rc=$?; set -e; }
two
h_check "a mailbox never passed: CRITICAL, the first line with one | (before the perfdata)" "2 1" \
    "$rc $(head -n 1 "$work/two.out" | tr -cd '|' | wc -c)"
h_check "its details line says so" 1 "$(grep -c '^Mailbox ysgolion/ŵ *no pass recorded yet' "$work/two.out")"
two --json
h_check "--json lists every configured mailbox, the one never passed as late" "ysgolion|ŵ:True:None support:False" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(m["name"] + ":" + str(m["late"]) + ("" if m["last_pass_at"] else ":None") for m in d["mailboxes"]))' "$work/two.out")"
two --prometheus
h_check "--prometheus: its age since a pass is +Inf, so an alert on the age fires" 2 \
    "$(grep -c '^caselog_mailbox_last\(_good\)\?_pass_age_seconds{mailbox="ysgolion|ŵ"} +Inf$' "$work/two.out")"
# As promtool's check metrics reads the text format: each family's HELP and TYPE before
# its samples, its samples together, valid names, escaped label values, a float (or
# +Inf) each, no series twice, a final newline.
h_check "--prometheus: the exposition format holds (a promtool-like parse)" ok "$(python3 - "$work/two.out" <<'PY'
import math, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
errors, typed, helped, done, seen, current = [], {}, set(), set(), set(), None
if not text.endswith("\n"):
    errors.append("no final newline")
label = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
sample = re.compile(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:%s)(?:,(?:%s))*\})? (\S+)$' % (label, label))
for n, line in enumerate(text.split("\n")[:-1], 1):
    m = re.match(r"# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$", line)
    if m:
        kind, name, rest = m.groups()
        if name in done or (kind == "TYPE" and name in typed):
            errors.append("%d: %s of %s again" % (n, kind, name))
        if kind == "TYPE" and rest not in ("gauge", "counter", "untyped", "summary", "histogram"):
            errors.append("%d: type %s" % (n, rest))
        (typed.__setitem__(name, rest) if kind == "TYPE" else helped.add(name))
        if current and current != name:
            done.add(current)
        current = name
        continue
    m = sample.match(line)
    if not m:
        errors.append("%d: not a sample: %r" % (n, line)); continue
    name, labels, value = m.groups()
    if name != current or name not in typed or name not in helped:
        errors.append("%d: %s out of its family" % (n, name))
    try:
        float(value)
    except ValueError:
        errors.append("%d: value %r" % (n, value))
    if (name, labels) in seen:
        errors.append("%d: %s%s twice" % (n, name, labels or ""))
    seen.add((name, labels))
print("; ".join(errors) if errors else "ok")
PY
)"

# --- the database out of reach: UNKNOWN, and still an object ---
sed 's/port=[0-9]*/port=1/' "$conf" > "$work/down.conf"
set +e
"$CASELOG" -c "$work/down.conf" status > "$work/down.txt" 2>/dev/null; rc=$?
h_check "database unreachable: UNKNOWN (exit 3)" "3|CASELOG UNKNOWN - database unreachable" "$rc|$(head -n 1 "$work/down.txt")"
"$CASELOG" -c "$work/down.conf" status --json > "$work/down.json" 2>/dev/null; rc=$?
h_check "--json: an object saying so" "3 UNKNOWN unreachable" \
    "$rc $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["state"], d["database"])' "$work/down.json")"
h_check "--prometheus: caselog_up 0" 1 "$("$CASELOG" -c "$work/down.conf" status --prometheus 2>/dev/null | grep -c '^caselog_up 0$')"
set -e

# --- a schema this caselog does not know ---
h_sql "$db" "CREATE TABLE latest_migration AS SELECT * FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations);
             DELETE FROM schema_migrations WHERE version IN (SELECT version FROM latest_migration)" >/dev/null
status 2026-03-02T09:04:00+00:00
h_check "an older schema: CRITICAL, both versions named" "2 1" "$rc $(first | grep -c 'schema is version .* older than this caselog.s [0-9]*: run caselogd --migrate')"
set +e
at 2026-03-02T09:05:00+00:00 "$CASELOGD" -c "$conf" --once 2>"$work/refused.log"; rc=$?
set -e
h_check "caselogd refuses it" "1 1" "$rc $(grep -c 'action=refused reason="\?the database schema is version [0-9]* (0[0-9]* not applied), older than' "$work/refused.log")"
# The desk's commands say the same in one line, not a database error per query.
set +e
"$CASELOG" -c "$conf" list >/dev/null 2>"$work/list.err"; rc=$?
set -e
h_check "caselog list on it: refused in one line naming both versions (exit 1)" "1 1 1" \
    "$rc $(wc -l < "$work/list.err") $(grep -c '^caselog: the database schema is version [0-9]* (0[0-9]* not applied), older than this caselog.s [0-9]*: run caselogd --migrate$' "$work/list.err")"
h_sql "$db" "INSERT INTO schema_migrations SELECT * FROM latest_migration;
             INSERT INTO schema_migrations (version, name) VALUES (999, '999_from_the_future.sql')" >/dev/null
set +e
at 2026-03-02T09:06:00+00:00 "$CASELOGD" -c "$conf" --once 2>"$work/refused.log"; rc=$?
set -e
h_check "and a newer one" "1 1" "$rc $(grep -c 'action=refused reason="\?the database schema is version 999 (with 999), newer than this caselog.s [0-9]*: upgrade caselog' "$work/refused.log")"
h_summary monitoring
