# harness.sh: shared pieces of the shell integration tests. Source it; it needs the stack
# env (tests/STACK_ENV.md) and CASELOG_BUILD_DIR. Each test gets its own database and its
# own IMAP folders, so tests can run in parallel on one stack.
set -euo pipefail
: "${CASELOG_TEST_PG_ADMIN:?the test stack env is not loaded (run through tests/run)}"
: "${CASELOG_BUILD_DIR:?CASELOG_BUILD_DIR is not set}"
harness_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CASELOGD="$CASELOG_BUILD_DIR/daemon/caselogd"
CASELOG="$CASELOG_BUILD_DIR/cli/caselog"
STACK="$harness_top/tests/stack"
passed=0
failed=0

# A fresh database named after the test; echoes its conninfo.
h_new_db() {
    local name="t_$1_$$_$RANDOM"
    "$STACK/psql.sh" postgres -q -c "CREATE DATABASE $name" >/dev/null
    echo "${CASELOG_TEST_PG_ADMIN/dbname=postgres/dbname=$name}"
}

h_drop_db() {
    local db
    db=$(sed -n 's/.*dbname=\([^ ]*\).*/\1/p' <<<"$1")
    "$STACK/psql.sh" postgres -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}

# h_wait_sessions_gone CONNINFO: wait (up to 30 s) until no other session is connected
# to the database. A SIGKILLed daemon's backend runs on through the statements the
# daemon had already sent (a pipeline holds several), keeping the mailbox's lock until
# it reads the end of the stream; a `--once` started meanwhile skips the mailbox.
h_wait_sessions_gone() {
    local i
    for i in $(seq 1 300); do
        [ "$(h_sql "$1" "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")" = 0 ] && return 0
        sleep 0.1
    done
    echo "h_wait_sessions_gone: sessions still connected after 30 s" >&2
    return 1
}

# h_sql CONNINFO SQL: one value per line, unaligned.
h_sql() {
    psql -X -At -v ON_ERROR_STOP=1 "$1" -c "$2"
}

# h_write_config FILE CONNINFO FOLDER [IDLE] [POLL_INTERVAL]: the example desk with one
# mailbox "support" on the test Dovecot (STARTTLS, verified by the test CA), user desk.
# H_CONFIG_HOURS and H_CONFIG_ROUTING, if set, replace the hours group and the routing
# list; H_CONFIG_EXTRA is added at the top level.
h_write_config() {
    local file=$1 conninfo=$2 folder=$3 idle=${4:-true} poll=${5:-60s}
    local hours=${H_CONFIG_HOURS:-'hours = {
  monday = ["08:00-18:00"]; tuesday = ["08:00-18:00"]; wednesday = ["08:00-18:00"];
  thursday = ["08:00-18:00"]; friday = ["08:00-18:00"]; saturday = []; sunday = [];
  holidays = "england-and-wales";
  closures = [];
};'}
    local routing=${H_CONFIG_ROUTING:-'routing = (
  { name = "whole school cannot log in"; subject = "(?i)(nobody|no one|all (users|staff)).*(log ?in|access)"; priority = 2; }
);'}
    export CASELOG_TEST_DESK_PASSWORD=secret-desk CASELOG_TEST_SMTP_PASSWORD=secret-smtp
    cat > "$file" <<CONF
desk = {
  name = "Test ICT Service Desk";
  address = "servicedesk@desk.example.org";
  domain = "desk.example.org";
  reference_prefix = "INC"; reference_digits = 7;
  timezone = "Europe/London";
};
database = { conninfo = "$conninfo"; };
$hours
mailboxes = (
  { name = "support";
    host = "127.0.0.1"; port = $CASELOG_TEST_IMAP_PORT; tls = "starttls";
    ca_file = "$CASELOG_TEST_CA_FILE";
    user = "desk"; auth = "password"; password_env = "CASELOG_TEST_DESK_PASSWORD";
    folder = "$folder"; processed_folder = "$folder/Logged"; failed_folder = "$folder/Not logged";
    idle = $idle; poll_interval = "$poll";
    type = "incident"; queue = "ICT"; priority = 3;
  }
);
$routing
unknown_senders = "log";
${H_CONFIG_EXTRA:-}
smtp = { host = "127.0.0.1"; port = $CASELOG_TEST_SMTP_PORT; tls = "starttls"; ca_file = "$CASELOG_TEST_CA_FILE";
         user = "smtpuser"; auth = "password"; password_env = "CASELOG_TEST_SMTP_PASSWORD"; give_up_after = "48h"; };
CONF
}

# h_folder_count FOLDER: messages in the desk user's FOLDER (0 if it does not exist).
h_folder_count() {
    $CASELOG_TEST_DOVEADM -f flow mailbox status -u desk messages "$1" 2>/dev/null |
        sed -n 's/.*messages=\([0-9]*\).*/\1/p' | head -n 1 | grep . || echo 0
}

# h_spool_with TEXT: how many messages in the SMTP sink contain TEXT.
h_spool_with() {
    grep -l -F -- "$1" "$CASELOG_TEST_SMTP_SPOOL"/*.eml 2>/dev/null | wc -l
}

# h_check NAME EXPECTED ACTUAL
h_check() {
    if [ "$2" = "$3" ]; then
        echo "ok: $1 ($3)"
        passed=$((passed + 1))
    else
        echo "FAILED: $1: expected '$2', got '$3'"
        failed=$((failed + 1))
    fi
}

h_summary() {
    echo "$1: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

# h_once CONF [TIME]: one `caselogd --once` on CONF (its clock at TIME when given),
# its log appended to $work/daemon.log; if it fails, the log's last lines are printed
# and the test ends.
h_once() {
    local -a clock=()
    [ $# -ge 2 ] && clock=(env "CASELOG_NOW=$2")
    "${clock[@]}" "$CASELOGD" -c "$1" --once 2>>"$work/daemon.log" || { tail -20 "$work/daemon.log"; exit 1; }
}

# h_received [FILTERS]: how many mails the SMTP sink received that match (--rcpt, --cc,
# --subject, --body, --header NAME:VALUE ...), each read strictly as UTF-8
# (tests/lib/smtp_read.py; --show prints them).
h_received() {
    python3 "$harness_top/tests/lib/smtp_read.py" "$CASELOG_TEST_SMTP_SPOOL" "$@"
}

# h_spool_subject TEXT: how many messages in the SMTP sink have TEXT in their Subject
# (unfolded and decoded, as a mail reader shows it).
h_spool_subject() {
    python3 - "$CASELOG_TEST_SMTP_SPOOL" "$1" <<'PY'
import email, email.policy, glob, sys
n = 0
for path in glob.glob(sys.argv[1] + "/*.eml"):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    if sys.argv[2] in str(msg.get("Subject", "")):
        n += 1
print(n)
PY
}

# h_pg_ctl ARGS: pg_ctl on the test cluster, as its owner (PostgreSQL refuses root).
h_pg_ctl() {
    if [ "$(id -u)" = 0 ]; then runuser -u "$CASELOG_TEST_PG_USER" -- "$CASELOG_TEST_PG_BIN/pg_ctl" "$@"
    else "$CASELOG_TEST_PG_BIN/pg_ctl" "$@"; fi
}

# h_free_port: a TCP port nobody listens on now.
h_free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Roles are cluster-wide, and tests share one cluster: every role a test makes has a
# name of its own (h_role BASE echoes BASE_<pid>_<random>, lower case) and is dropped by
# h_drop_roles after the test's database.
h_role() {
    echo "${1}_$$_$RANDOM"
}

h_drop_roles() {
    local r
    for r in "$@"; do
        "$STACK/psql.sh" postgres -q -c "DROP ROLE IF EXISTS \"$r\"" >/dev/null 2>&1 || true
    done
}

# h_as CONNINFO ROLE: the same database, logged in as ROLE (the test cluster trusts local
# connections, as peer authentication would for a person logged in as ROLE).
h_as() {
    sed "s/user=[^ ]*/user=$2/" <<<"$1"
}

# h_new_owned_db NAME OWNER: a fresh database owned by OWNER (a role that may create
# roles, as the package's caselog role is), echoes its conninfo as OWNER.
h_new_owned_db() {
    local name="t_$1_$$_$RANDOM"
    "$STACK/psql.sh" postgres -q -c "CREATE DATABASE $name OWNER \"$2\"" >/dev/null
    h_as "${CASELOG_TEST_PG_ADMIN/dbname=postgres/dbname=$name}" "$2"
}
