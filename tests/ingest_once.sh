#!/usr/bin/env bash
# ingest_once: 200 corpus messages in a mailbox; `caselogd --once` logs every one of
# them (as a case, an event, or in unlogged with a reason) and moves each after COMMIT;
# a second --once logs nothing new; the folders hold what SPEC section 3 says.
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db ingest_once)
trap 'h_drop_db "$db"; rm -rf "$work"' EXIT
folder="ingest-once-$$"
h_write_config "$work/caselog.conf" "$db" "$folder"
"$CASELOGD" -c "$work/caselog.conf" --migrate

corpus="$harness_top/../shared/corpus"
[ -d "$corpus" ] || { echo "FAILED: corpus not found at $corpus"; exit 1; }
mapfile -t files < <(ls "$corpus"/*.eml | sort | head -n 200)
"$STACK/imap_append.sh" desk "$folder" "${files[@]}"
h_check "messages appended" 200 "$(h_folder_count "$folder")"

"$CASELOGD" -c "$work/caselog.conf" --once 2> "$work/once1.log" || { cat "$work/once1.log"; exit 1; }
logged=$(h_sql "$db" "SELECT count(*) FROM messages WHERE direction = 'in' AND mailbox = 'support'")
unlogged=$(h_sql "$db" "SELECT count(*) FROM unlogged WHERE mailbox = 'support'")
# The corpus holds line-end variants of one message (same Message-ID, same sender):
# SPEC section 3 rule 7 makes them one message, so the pass counts them as duplicates.
pass_line=$(grep 'action=pass' "$work/once1.log" | tail -n 1)
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$pass_line"; }
echo "first pass: $pass_line"
h_check "the pass saw every message" 200 "$(field seen)"
h_check "pass figures match the database (logged)" "$logged" "$(field logged)"
h_check "pass figures match the database (unlogged)" "$unlogged" "$(field unlogged)"
duplicates=$(field duplicates)
h_check "every message logged, unlogged or a duplicate of a logged one" 200 "$((logged + unlogged + duplicates))"
h_check "every unlogged row has a reason" 0 "$(h_sql "$db" "SELECT count(*) FROM unlogged WHERE reason = ''")"
h_check "source folder empty" 0 "$(h_folder_count "$folder")"
h_check "processed folder holds the logged and their duplicates" "$((logged + duplicates))" \
    "$(h_folder_count "$folder/Logged")"
h_check "failed folder holds the unlogged" "$unlogged" "$(h_folder_count "$folder/Not logged")"

"$CASELOGD" -c "$work/caselog.conf" --once 2> "$work/once2.log" || { cat "$work/once2.log"; exit 1; }
h_check "second pass logs nothing new" "$logged" \
    "$(h_sql "$db" "SELECT count(*) FROM messages WHERE direction = 'in'")"
h_check "second pass: still one cursor" 1 "$(h_sql "$db" "SELECT count(*) FROM mailbox_cursors")"
h_summary ingest_once
