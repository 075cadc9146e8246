#!/usr/bin/env bash
# sla_month: a hand-counted month (July 2026: 60 cases; June: 6 more for the previous
# period) built through the real programs on a moved clock (CASELOG_NOW): mail in over
# IMAP, the desk's commands, plain-SQL events, the school's replies, daemon passes. The
# desk has a summer-holiday profile (from 22 July, 09:00-15:00), a round-the-clock P1
# and complaint targets (3d / 20d). The figures of `caselog report` must be exactly the
# hand count in every cell (JSON, by priority, type, queue and school), and the same in
# CSV and text; every due time as explain computes it and as counted by hand.
# The cases, their story and why each counts as it does are data in sla_month.py.
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db sla_month)
trap 'h_drop_db "$db"; rm -rf "$work"' EXIT
folder="sla-month-$$"
conf="$work/caselog.conf"
H_CONFIG_HOURS='hours = {
  monday = ["08:00-18:00"]; tuesday = ["08:00-18:00"]; wednesday = ["08:00-18:00"];
  thursday = ["08:00-18:00"]; friday = ["08:00-18:00"]; saturday = []; sunday = [];
  holidays = "england-and-wales";
  periods = (
    { name = "summer holiday"; from = "2026-07-22"; to = "2026-09-01";
      monday = ["09:00-15:00"]; tuesday = ["09:00-15:00"]; wednesday = ["09:00-15:00"];
      thursday = ["09:00-15:00"]; friday = ["09:00-15:00"]; }
  );
};'
H_CONFIG_ROUTING='routing = (
  { name = "P1 tag"; subject = "\\[P1\\]"; priority = 1; },
  { name = "P2 tag"; subject = "\\[P2\\]"; priority = 2; },
  { name = "P4 tag"; subject = "\\[P4\\]"; priority = 4; },
  { name = "change request"; subject = "\\[change\\]"; type = "change_request"; queue = "Changes"; },
  { name = "how do I"; subject = "(?i)how do i"; type = "enquiry"; priority = 4; },
  { name = "enquiry"; subject = "\\[enquiry\\]"; type = "enquiry"; },
  { name = "service request"; subject = "\\[request\\]"; type = "service_request"; priority = 2; },
  { name = "complaint"; subject = "\\[complaint\\]"; type = "complaint"; queue = "Service"; },
  { name = "SIMS"; subject = "SIMS"; queue = "MIS"; }
);'
H_CONFIG_EXTRA='priorities = (
  { level = 1; name = "Critical"; response = "20m"; resolution = "4h"; hours = "24x7"; },
  { level = 2; name = "High"; response = "1h"; resolution = "1d"; },
  { level = 3; name = "Medium"; response = "8h"; resolution = "3d"; },
  { level = 4; name = "Low"; response = "1d"; resolution = "4d"; },
  { level = 5; name = "Change request"; response = "1d"; resolution = "5d"; }
);
types = ( { type = "complaint"; response = "3d"; resolution = "20d"; } );
report = { response_target = 95; resolution_target = 90; reactivation_max = 3; first_contact_target = 60; };
closure = { reopen_window = "3d"; };'
H_CONFIG_HOURS="$H_CONFIG_HOURS" H_CONFIG_ROUTING="$H_CONFIG_ROUTING" H_CONFIG_EXTRA="$H_CONFIG_EXTRA" \
    h_write_config "$conf" "$db" "$folder" false
"$CASELOGD" --check-config -c "$conf"
"$CASELOGD" -c "$conf" --migrate 2>/dev/null
# The engineer cases are assigned to (on the staff; the superuser's --as names her).
h_sql "$db" "INSERT INTO staff (role_name, display_name, email) VALUES ('alice', 'Alice Hughes', 'alice@desk.example.org')" >/dev/null
export SLA_MONTH_CONF="$conf" SLA_MONTH_DB="$db" SLA_MONTH_FOLDER="$folder" SLA_MONTH_WORK="$work"
export CASELOG CASELOGD
/usr/bin/python3 "$(dirname "$0")/sla_month.py"
