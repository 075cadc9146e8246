#!/usr/bin/env bash
# ingest_tls_unknown_ca: the IMAP server's certificate does not chain to the configured
# CA (ca_file = a CA that signed nothing the servers use). Over STARTTLS (the running
# daemon) and implicit TLS (--once) the daemon refuses: a clear log line names the
# mailbox and the certificate problem, no credential is sent (Dovecot never sees the
# user), no message is touched, and the service keeps running and retrying. Then the
# right CA is configured (SIGHUP) and the same daemon logs in and logs the mail, which
# also shows the "never sees the user" check can see a login.
# (That `caselogd --check-config` refuses tls = "none" with a password to a non-loopback
# host is tests/configs/plaintext_remote.conf, run by config/test_check_config.sh.)
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db ingest_tls_ca)
daemon_pid=""
trap '[ -n "$daemon_pid" ] && kill -9 $daemon_pid 2>/dev/null; h_drop_db "$db"; rm -rf "$work"' EXIT
folder="tlsca-$$"
user=school2 # no other test logs in as this user, so the Dovecot log tells its logins apart
export CASELOG_TEST_SCHOOL2_PASSWORD=secret-school2
dovecot_log=$(doveconf -c "$CASELOG_TEST_DOVECOT_CONF" -h log_path)

# write_config CA_FILE TLS PORT
write_config() {
    h_write_config "$work/caselog.conf" "$db" "$folder" true 1s
    sed -i -e "s|^    ca_file = \"$CASELOG_TEST_CA_FILE\";\$|    ca_file = \"$1\";|" \
        -e "s|port = $CASELOG_TEST_IMAP_PORT; tls = \"starttls\";|port = $3; tls = \"$2\";|" \
        -e "s|user = \"desk\"; auth = \"password\"; password_env = \"CASELOG_TEST_DESK_PASSWORD\";|user = \"$user\"; auth = \"password\"; password_env = \"CASELOG_TEST_SCHOOL2_PASSWORD\";|" \
        "$work/caselog.conf"
}
count() { # FOLDER: messages in the user's FOLDER
    $CASELOG_TEST_DOVEADM -f flow mailbox status -u "$user" messages "$1" 2>/dev/null |
        sed -n 's/.*messages=\([0-9]*\).*/\1/p' | head -n 1 | grep . || echo 0
}
logged() { h_sql "$db" "SELECT count(*) FROM messages WHERE direction = 'in'"; }
# Lines of the Dovecot log since offset $mark that name the user (a login or a failed one).
user_seen() { tail -n +"$((mark + 1))" "$dovecot_log" | grep -c "user=<$user>" || true; }

write_config "$CASELOG_TEST_OTHER_CA_FILE" starttls "$CASELOG_TEST_IMAP_PORT"
h_check "config: the other CA, user $user" "1 1" \
    "$(grep -c "ca_file = \"$CASELOG_TEST_OTHER_CA_FILE\";" "$work/caselog.conf") $(grep -c "user = \"$user\";" "$work/caselog.conf")"
"$CASELOGD" -c "$work/caselog.conf" --migrate
/usr/bin/python3 "$harness_top/tests/lib/gen_mail.py" 3 "$work/mail" --tag "tlsca$$" --attachments 0
"$STACK/imap_append.sh" "$user" "$folder" "$work"/mail/*.eml
h_check "messages appended" 3 "$(count "$folder")"
mark=$(wc -l < "$dovecot_log")

# --- implicit TLS, --once (first: a running daemon would hold the mailbox) ---
write_config "$CASELOG_TEST_OTHER_CA_FILE" implicit "$CASELOG_TEST_IMAPS_PORT"
rc=0
"$CASELOGD" -c "$work/caselog.conf" --once 2> "$work/once.log" || rc=$?
line=$(grep -m1 'mailbox=support action=imap_connect_failed' "$work/once.log" || true)
echo "--once said: $line"
h_check "implicit TLS: --once reports failure" 1 "$rc"
h_check "implicit TLS: the line names the mailbox and the certificate problem" yes \
    "$(grep -q "^error: mailbox=support .*:$CASELOG_TEST_IMAPS_PORT: certificate of 127.0.0.1 rejected: certificate signed by an unknown authority" <<<"$line" && echo yes || echo no)"
h_check "implicit TLS: no login reached the server" 0 "$(user_seen)"
h_check "implicit TLS: nothing logged, nothing moved" "0 3" "$(logged) $(count "$folder")"

# --- STARTTLS, the running daemon ---
write_config "$CASELOG_TEST_OTHER_CA_FILE" starttls "$CASELOG_TEST_IMAP_PORT"
"$CASELOGD" -c "$work/caselog.conf" --foreground 2>>"$work/daemon.log" &
daemon_pid=$!
for _ in $(seq 1 50); do
    [ "$(grep -c 'mailbox=support action=imap_connect_failed' "$work/daemon.log")" -ge 3 ] && break
    sleep 0.2
done
line=$(grep -m1 'mailbox=support action=imap_connect_failed' "$work/daemon.log" || true)
echo "daemon said: $line"
h_check "STARTTLS: the line names the mailbox" yes "$(grep -q '^error: mailbox=support ' <<<"$line" && echo yes || echo no)"
h_check "STARTTLS: the line names the certificate problem" yes \
    "$(grep -q 'certificate of 127.0.0.1 rejected: certificate signed by an unknown authority' <<<"$line" && echo yes || echo no)"
h_check "STARTTLS: the daemon retries (at least 3 attempts)" yes \
    "$([ "$(grep -c 'mailbox=support action=imap_connect_failed retry_in_ms=.*unknown authority' "$work/daemon.log")" -ge 3 ] && echo yes || echo no)"
h_check "STARTTLS: the daemon keeps running" yes "$(kill -0 $daemon_pid 2>/dev/null && echo yes || echo no)"
h_check "STARTTLS: no login reached the server" 0 "$(user_seen)"
h_check "STARTTLS: nothing logged, nothing moved" "0 3" "$(logged) $(count "$folder")"

# --- the right CA: the same daemon, reloaded, logs in and logs the mail ---
write_config "$CASELOG_TEST_CA_FILE" starttls "$CASELOG_TEST_IMAP_PORT"
kill -HUP $daemon_pid
for _ in $(seq 1 100); do [ "$(logged)" -ge 3 ] && [ "$(count "$folder")" = 0 ] && break; sleep 0.2; done
h_check "right CA: the daemon survived the refusals and logged the mail" 3 "$(logged)"
h_check "right CA: all in the processed folder" "0 3" "$(count "$folder") $(count "$folder/Logged")"
h_check "right CA: now the server saw the login" yes "$([ "$(user_seen)" -ge 1 ] && echo yes || echo no)"
kill -TERM $daemon_pid
rc=0
wait $daemon_pid || rc=$?
daemon_pid=""
h_check "SIGTERM: exit status" 0 "$rc"
h_check "no password in the logs" 0 "$(cat "$work/daemon.log" "$work/once.log" | grep -c 'secret-school2' || true)"
h_summary ingest_tls_unknown_ca
