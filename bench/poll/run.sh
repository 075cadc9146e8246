#!/usr/bin/env bash
# bench/poll/run.sh [N]: what one poll pass costs on a mailbox holding N (default
# 100,000) messages that were all logged before, against a mailbox holding one, in the
# same run (SPEC section 9: within 2x). The mailboxes keep their mail (no
# processed_folder: logged mail stays, as with a desk that files nothing), the cursor
# stands at the last UID, so each pass finds nothing new. The pass time is the daemon's
# own figure (the `action=pass ... ms=` line: SELECT, UID SEARCH from the cursor, the
# leftover check), median of 9 passes each.
set -euo pipefail
n=${1:-100000}
. "$(dirname "$0")/../lib.sh"
bench_build caselogd
bench_stack

# fill FOLDER COUNT: maildir files written directly (APPENDing 100,000 takes minutes);
# Dovecot indexes them when the folder is first opened.
fill() {
    "$STACK/imap_append.sh" desk "$1" >/dev/null # created by Dovecot, with its owner
    /usr/bin/python3 - "$CASELOG_TEST_STACK_DIR/mail/desk/Maildir/.$1" "$2" <<'PY'
import os, sys, time
folder, count = sys.argv[1], int(sys.argv[2])
for d in ("cur", "new", "tmp"):
    os.makedirs(os.path.join(folder, d), exist_ok=True)
now = int(time.time()) - 86400
for i in range(count):
    body = ("From: Office <office@st-marys-rc.sch.uk>\r\nTo: servicedesk@desk.example.org\r\n"
            "Subject: Old case %d\r\nMessage-ID: <old-%d@st-marys-rc.sch.uk>\r\n\r\nLogged long ago.\r\n" % (i, i))
    with open(os.path.join(folder, "cur", "%d.M%dP1.bench,S=%d:2,S" % (now, i, len(body))), "w") as f:
        f.write(body)
PY
    if [ "$(id -u)" = 0 ]; then
        chown -R "$(stat -c %u:%g "$CASELOG_TEST_STACK_DIR/mail/desk/Maildir/.$1")" "$CASELOG_TEST_STACK_DIR/mail/desk/Maildir/.$1"
    fi
    $CASELOG_TEST_DOVEADM mailbox status -u desk messages "$1" >/dev/null # index it now
}
# pass_ms FOLDER: median pass time over 9 --once runs with the cursor at the last UID.
pass_ms() {
    local folder=$1 db conf="$work/$1.conf"
    db=$(h_new_db "poll")
    h_write_config "$conf" "$db" "$folder" false 60s
    sed -i 's|processed_folder = "[^"]*";|processed_folder = "";|' "$conf"
    "$CASELOGD" -c "$conf" --migrate 2>/dev/null
    local status uidvalidity uidnext
    status=$($CASELOG_TEST_DOVEADM -f flow mailbox status -u desk "uidvalidity uidnext" "$folder")
    uidvalidity=$(sed -n 's/.*uidvalidity=\([0-9]*\).*/\1/p' <<<"$status")
    uidnext=$(sed -n 's/.*uidnext=\([0-9]*\).*/\1/p' <<<"$status")
    h_sql "$db" "INSERT INTO mailbox_cursors (name, uidvalidity, last_uid) VALUES ('support', $uidvalidity, $((uidnext - 1)))" >/dev/null
    for _ in $(seq 1 9); do
        "$CASELOGD" -c "$conf" --once 2>&1 | sed -n 's/.*action=pass seen=0 .* ms=\([0-9]*\).*/\1/p'
    done | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
    h_drop_db "$db"
}
fill poll-one 1
fill poll-many "$n"
echo "bench_poll: folders hold $(h_folder_count poll-one) and $(h_folder_count poll-many) messages"
one=$(pass_ms poll-one)
many=$(pass_ms poll-many)
echo "bench_poll: pass with nothing new, median of 9: 1 message ${one} ms, $n messages ${many} ms"
awk -v a="$one" -v b="$many" 'BEGIN { r = (a > 0 ? b / a : b); printf "bench_poll: ratio %.2f (target <= 2.0)\n", r }'
