#!/usr/bin/env bash
# ingest_old_mail: the first connection to a mailbox that already holds mail (SPEC
# section 3): 50 messages received (INTERNALDATE) more than limits.no_ack_older_than (2d)
# before the pass are all logged but none acknowledged; in the same first pass, fresh
# messages and ones just inside the limit are logged and acknowledged. Every message
# carries an old Date header: the server's INTERNALDATE decides, not the sender's Date.
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db ingest_old)
trap 'h_drop_db "$db"; rm -rf "$work"' EXIT
folder="old-$$"
h_write_config "$work/caselog.conf" "$db" "$folder"
echo 'limits = { no_ack_older_than = "2d"; };' >> "$work/caselog.conf"
"$CASELOGD" -c "$work/caselog.conf" --check-config >/dev/null
"$CASELOGD" -c "$work/caselog.conf" --migrate

old_tag="old$$x$RANDOM" edge_tag="edge$$x$RANDOM" new_tag="new$$x$RANDOM"
gen() { /usr/bin/python3 "$harness_top/tests/lib/gen_mail.py" "$1" "$work/$2" --tag "$3" --seed "$4" --attachments 5; }
gen 50 old "$old_tag" 1
gen 3 edge "$edge_tag" 2
gen 4 new "$new_tag" 3
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S+00:00; }
now=$(date +%s)
# Old mail over several days, the oldest 30 days back; all beyond the 2-day limit.
for i in $(seq 0 4); do
    mapfile -t part < <(ls "$work"/old/*.eml | sort | sed -n "$((i * 10 + 1)),$((i * 10 + 10))p")
    "$STACK/imap_append.sh" desk "$folder" "${part[@]}" --date "$(iso $((now - 49 * 3600 - i * 7 * 86400)))"
done
"$STACK/imap_append.sh" desk "$folder" "$work"/edge/*.eml --date "$(iso $((now - 47 * 3600)))"
"$STACK/imap_append.sh" desk "$folder" "$work"/new/*.eml
h_check "messages appended" 57 "$(h_folder_count "$folder")"

"$CASELOGD" -c "$work/caselog.conf" --once 2> "$work/once.log" || { cat "$work/once.log"; exit 1; }

# tagged TAG: SQL condition "the message's subject carries TAG".
acks_for() {
    h_sql "$db" "SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id
                 JOIN messages m ON m.case_id = c.id AND m.direction = 'in'
                 WHERE o.template = 'acknowledgement' AND m.subject LIKE '%[$1-%'"
}
cases_for() {
    h_sql "$db" "SELECT count(DISTINCT m.case_id) FROM messages m
                 WHERE m.direction = 'in' AND m.subject LIKE '%[$1-%'"
}
h_check "all 57 logged in the first pass" 57 "$(h_sql "$db" "SELECT count(*) FROM messages WHERE direction = 'in'")"
h_check "old mail: 50 cases" 50 "$(cases_for "$old_tag")"
h_check "old mail: no acknowledgement row" 0 "$(acks_for "$old_tag")"
h_check "old mail: no outbox row of any kind" 0 \
    "$(h_sql "$db" "SELECT count(*) FROM outbox o JOIN messages m ON m.case_id = o.case_id AND m.direction = 'in'
                    WHERE m.subject LIKE '%[$old_tag-%'")"
h_check "old mail: received time is the server's INTERNALDATE" 50 \
    "$(h_sql "$db" "SELECT count(*) FROM messages WHERE subject LIKE '%[$old_tag-%'
                    AND received_at < to_timestamp($now - 49 * 3600 + 60)")"
h_check "just inside the limit (47 h): acknowledged" 3 "$(acks_for "$edge_tag")"
h_check "fresh mail (old Date header): acknowledged" 4 "$(acks_for "$new_tag")"
h_check "acknowledgements in the outbox: only those 7" 7 \
    "$(h_sql "$db" "SELECT count(*) FROM outbox WHERE template = 'acknowledgement'")"
h_check "the pass mailed the 7 acknowledgements" 7 \
    "$(h_sql "$db" "SELECT count(*) FROM outbox WHERE template = 'acknowledgement' AND state = 'sent'")"
h_check "no acknowledgement of old mail reached the SMTP sink" 0 "$(h_spool_with "$old_tag")"
h_check "acknowledgements of fresh mail reached the SMTP sink" 7 \
    "$(( $(h_spool_with "$edge_tag") + $(h_spool_with "$new_tag") ))"
h_check "source folder empty" 0 "$(h_folder_count "$folder")"
h_check "all in the processed folder" 57 "$(h_folder_count "$folder/Logged")"
h_summary ingest_old_mail
