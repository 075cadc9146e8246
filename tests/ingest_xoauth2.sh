#!/usr/bin/env bash
# ingest_xoauth2: a mailbox with auth = "xoauth2" and a token_command (as for Microsoft
# 365 or Google Workspace), against the stack's OAuth2 Dovecot (HS256 JWTs checked
# locally; tests/stack/oauth2_token.py issues them). A valid token logs in and the mail
# is logged; a token signed with another key is refused; an expired token makes the
# running daemon log a clear line (the mailbox, "authentication failed", the server's
# text) and retry with backoff, touching no message; once the token command prints a
# valid token again, the waiting mail is logged. No token ever reaches the log.
. "$(dirname "$0")/lib/harness.sh"
: "${CASELOG_TEST_OAUTH2_IMAP_PORT:?the stack has no OAuth2 Dovecot (tests/stack/start.sh)}"
work=$(mktemp -d)
db=$(h_new_db ingest_xoauth2)
daemon_pid=""
trap '[ -n "$daemon_pid" ] && kill -9 $daemon_pid 2>/dev/null; h_drop_db "$db"; rm -rf "$work"' EXIT
folder="xoauth2-$$"
tag="xoa$$x$RANDOM"
h_write_config "$work/caselog.conf" "$db" "$folder" true 1s
# The mailbox: the OAuth2 instance's port, a token command instead of a password.
sed -i -e "s/port = $CASELOG_TEST_IMAP_PORT; tls = \"starttls\";/port = $CASELOG_TEST_OAUTH2_IMAP_PORT; tls = \"starttls\";/" \
    -e "s|auth = \"password\"; password_env = \"CASELOG_TEST_DESK_PASSWORD\";|auth = \"xoauth2\"; token_command = \"cat $work/token\";|" \
    "$work/caselog.conf"
h_check "config uses xoauth2 on the OAuth2 Dovecot" "1 1 0" \
    "$(grep -c "port = $CASELOG_TEST_OAUTH2_IMAP_PORT;" "$work/caselog.conf") $(grep -c 'auth = "xoauth2"; token_command' "$work/caselog.conf") $(grep -c 'password_env = "CASELOG_TEST_DESK' "$work/caselog.conf")"
unset CASELOG_TEST_DESK_PASSWORD # no password anywhere: only the token can log in
"$CASELOGD" -c "$work/caselog.conf" --check-config >/dev/null
"$CASELOGD" -c "$work/caselog.conf" --migrate
/usr/bin/python3 "$harness_top/tests/lib/gen_mail.py" 6 "$work/mail" --tag "$tag" --attachments 0
mkdir -p "$work/a" "$work/b" "$work/c"
mv "$work"/mail/00000[01].eml "$work/a/"; mv "$work"/mail/00000[23].eml "$work/b/"; mv "$work"/mail/*.eml "$work/c/"
token() { "$STACK/oauth2_token.py" desk "$@"; }
logged() { h_sql "$db" "SELECT count(*) FROM messages WHERE direction = 'in'"; }
no_token_in() { # FILE: the tokens handed out must not appear in it
    local t
    for t in "$work"/issued.*; do grep -qF -- "$(cat "$t")" "$1" && { echo "token found"; return; }; done
    echo none
}
issue() { # NAME ARGS...: write a token to the token file, remembering it
    token "${@:2}" > "$work/issued.$1"
    cp "$work/issued.$1" "$work/token"
}

# --- a valid token ---
issue valid
"$STACK/imap_append.sh" desk "$folder" "$work"/a/*.eml
"$CASELOGD" -c "$work/caselog.conf" --once 2> "$work/once1.log" || { cat "$work/once1.log"; exit 1; }
h_check "valid token: messages logged" 2 "$(logged)"
h_check "valid token: source folder empty" 0 "$(h_folder_count "$folder")"

# --- a token signed with another key ---
issue forged --wrong-key
"$STACK/imap_append.sh" desk "$folder" "$work"/b/*.eml
rc=0
"$CASELOGD" -c "$work/caselog.conf" --once 2> "$work/once2.log" || rc=$?
h_check "forged token: --once reports failure" 1 "$rc"
h_check "forged token: authentication failed, with the server's text" 1 \
    "$(grep -c 'mailbox=support .*authentication failed: login refused: \\"Authentication failed\.\\"' "$work/once2.log")"
h_check "forged token: nothing logged, messages left in the folder" "2 2" "$(logged) $(h_folder_count "$folder")"

# --- an expired token under the running daemon ---
issue expired --expires-in -120
"$CASELOGD" -c "$work/caselog.conf" --foreground 2>>"$work/daemon.log" &
daemon_pid=$!
"$STACK/imap_append.sh" desk "$folder" "$work"/c/*.eml
for _ in $(seq 1 50); do
    [ "$(grep -c 'authentication failed: login refused' "$work/daemon.log")" -ge 3 ] && break
    sleep 0.2
done
fail_line=$(grep -m1 'authentication failed: login refused' "$work/daemon.log" || true)
echo "daemon said: $fail_line"
h_check "expired token: the line names the mailbox" yes "$(grep -q 'mailbox=support ' <<<"$fail_line" && echo yes || echo no)"
h_check "expired token: the line says authentication failed" yes \
    "$(grep -q 'authentication failed: login refused' <<<"$fail_line" && echo yes || echo no)"
h_check "expired token: the line carries the server's text" yes \
    "$(grep -q 'login refused: \\"Authentication failed\.\\""$' <<<"$fail_line" && echo yes || echo no)"
h_check "expired token: the daemon retries (at least 3 attempts)" yes \
    "$([ "$(grep -c 'mailbox=support .*retry_in_ms=.*authentication failed' "$work/daemon.log")" -ge 3 ] && echo yes || echo no)"
h_check "expired token: the daemon keeps running" yes "$(kill -0 $daemon_pid 2>/dev/null && echo yes || echo no)"
h_check "expired token: nothing logged, nothing moved" "2 4" "$(logged) $(h_folder_count "$folder")"

# --- the token command prints a valid token again: the next retry logs the mail ---
issue renewed
for _ in $(seq 1 100); do [ "$(logged)" -ge 6 ] && [ "$(h_folder_count "$folder")" = 0 ] && break; sleep 0.2; done
h_check "renewed token: all mail logged" 6 "$(logged)"
h_check "renewed token: each message once" 6 \
    "$(h_sql "$db" "SELECT count(DISTINCT message_id) FROM messages WHERE direction = 'in'")"
h_check "renewed token: source folder empty" 0 "$(h_folder_count "$folder")"
h_check "renewed token: all in the processed folder" 6 "$(h_folder_count "$folder/Logged")"
kill -TERM $daemon_pid
rc=0
wait $daemon_pid || rc=$?
daemon_pid=""
h_check "SIGTERM: exit status" 0 "$rc"
cat "$work"/once*.log "$work/daemon.log" > "$work/all.log"
h_check "no token in any log line" none "$(no_token_in "$work/all.log")"
h_summary ingest_xoauth2
