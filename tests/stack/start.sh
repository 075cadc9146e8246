#!/usr/bin/env bash
# Start the private test stack in DIR: PostgreSQL 15, Dovecot IMAP and an SMTP sink,
# all on 127.0.0.1 with free ports, all files under DIR. Writes DIR/env (see
# tests/STACK_ENV.md). Stop it with tests/stack/stop.sh DIR.
set -euo pipefail

dir=${1:?usage: start.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
chmod 755 "$dir"

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$pg_bin/initdb" ] || { echo "start.sh: PostgreSQL server binaries not found" >&2; exit 1; }

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Servers that refuse to run as root (PostgreSQL) run as this user.
if [ "$(id -u)" = 0 ]; then
    run_user=postgres
    as_user() { runuser -u "$run_user" -- "$@"; }
else
    run_user=$(id -un)
    as_user() { "$@"; }
fi

# --- certificates: a test CA, the servers' certificate, and a CA that signed nothing ---
certs="$dir/certs"
mkdir -p "$certs"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=caselog test CA" \
    -keyout "$certs/ca.key" -out "$certs/ca.pem" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=caselog other CA" \
    -keyout "$certs/other-ca.key" -out "$certs/other-ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$certs/server.key" -out "$certs/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$certs/ext.cnf"
openssl x509 -req -in "$certs/server.csr" -CA "$certs/ca.pem" -CAkey "$certs/ca.key" \
    -CAcreateserial -days 2 -extfile "$certs/ext.cnf" -out "$certs/server.pem" 2>/dev/null
chmod 644 "$certs"/*.pem "$certs"/*.key

# --- PostgreSQL ---
pg_port=$(free_port)
pg="$dir/pg"
mkdir -p "$pg"
chown "$run_user" "$pg" 2>/dev/null || true
as_user "$pg_bin/initdb" -D "$pg/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
# In the config file, not on the command line, so a test's pg_ctl restart keeps them.
cat >> "$pg/data/postgresql.conf" <<PGCONF
port = $pg_port
unix_socket_directories = '$pg'
listen_addresses = '127.0.0.1'
max_connections = 200
fsync = on
PGCONF
# Desk staff (members of caselog_desk, sql/020_identity.sql) must prove who they are over
# TCP, as on a desk's server: caselog-web's sign-in logs in as them with their password,
# and a sign-in that the server let through without one would prove nothing. Everything
# else (the Unix socket the tests use, other roles) stays trust.
{ printf 'host all +caselog_desk 127.0.0.1/32 scram-sha-256\nhost all +caselog_desk ::1/128 scram-sha-256\n'
  cat "$pg/data/pg_hba.conf"; } > "$pg/data/pg_hba.conf.new"
mv "$pg/data/pg_hba.conf.new" "$pg/data/pg_hba.conf"
chown "$run_user" "$pg/data/pg_hba.conf" 2>/dev/null || true
as_user "$pg_bin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w start </dev/null >/dev/null 2>&1

# --- Dovecot ---
# Two instances on the same users, mail and certificates: the main one (password logins
# only, as a desk's server usually is), and one that also takes XOAUTH2 bearer tokens
# (an oauth2 passdb validating HS256 JWTs locally against a key in a dict: no network
# identity provider needed). Failed logins on the OAuth2 instance cost nothing (no
# failure delay, no auth penalty), so a test of expired tokens slows nobody else; and
# the main instance keeps its penalty off the OAuth2 one's failures.
dv="$dir/dovecot"
dvo="$dir/dovecot-oauth2"
mkdir -p "$dv/run" "$dv/state" "$dvo/run" "$dvo/state" "$dvo/keys/default/HS256" "$dir/mail"
imap_port=$(free_port)
imaps_port=$(free_port)
oauth2_imap_port=$(free_port)
oauth2_imaps_port=$(free_port)
if [ "$(id -u)" = 0 ]; then
    mail_user=dovecot
    chown "$mail_user" "$dir/mail"
else
    mail_user=$(id -un)
fi
mail_uid=$(id -u "$mail_user")
mail_gid=$(id -g "$mail_user")
: > "$dv/users"
for u in desk desk2 school1 school2; do
    echo "$u:{PLAIN}secret-$u::::::" >> "$dv/users"
done
dh=""
[ -f /usr/share/dovecot/dh.pem ] && dh="ssl_dh = </usr/share/dovecot/dh.pem"

# dovecot_conf DIR IMAP_PORT IMAPS_PORT: the common configuration of an instance in DIR.
dovecot_conf() {
    cat <<CONF
# Private Dovecot for caselog tests; everything under $dir.
instance_name = caselog-test-$2
base_dir = $1/run
state_dir = $1/state
log_path = $1/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <$certs/server.pem
ssl_key = <$certs/server.key
$dh
disable_plaintext_auth = no
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dv/users
}
userdb {
  driver = static
  args = uid=$mail_uid gid=$mail_gid home=$dir/mail/%u
}
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $2
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $3
    ssl = yes
  }
}
service imap {
  process_limit = 256
}
protocol imap {
  mail_max_userip_connections = 200
}
CONF
    if [ "$(id -u)" = 0 ]; then
        printf 'default_login_user = dovenull\ndefault_internal_user = dovecot\n'
    else
        printf 'default_login_user = %s\ndefault_internal_user = %s\n' "$mail_user" "$mail_user"
    fi
}

{ dovecot_conf "$dv" "$imap_port" "$imaps_port"; echo "auth_mechanisms = plain login"; } > "$dv/dovecot.conf"

# The OAuth2 instance: tokens are HS256 JWTs (claims sub = user, exp) signed with the
# key in oauth2.key; tests/stack/oauth2_token.py makes them. Dovecot reads the key
# base64-encoded from its dict at keys/<azp "default">/HS256/<kid "default">.
openssl rand -hex 32 > "$dvo/oauth2.key"
base64 -w0 < <(tr -d '\n' < "$dvo/oauth2.key") > "$dvo/keys/default/HS256/default"
cat > "$dvo/oauth2.conf.ext" <<EXT
introspection_mode = local
local_validation_key_dict = fs:posix:prefix=$dvo/keys/
username_attribute = sub
EXT
{
    dovecot_conf "$dvo" "$oauth2_imap_port" "$oauth2_imaps_port"
    cat <<CONF
auth_mechanisms = plain login xoauth2 oauthbearer
auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $dvo/oauth2.conf.ext
}
CONF
} > "$dvo/dovecot.conf"
chmod -R a+rX "$dvo" # the auth process runs unprivileged

# Servers must not hold the caller's stdout open (a pipe would never see EOF).
dovecot -c "$dv/dovecot.conf" </dev/null >>"$dv/dovecot.log" 2>&1
dovecot -c "$dvo/dovecot.conf" </dev/null >>"$dvo/dovecot.log" 2>&1

# --- SMTP sink ---
spool="$dir/smtp-spool"
mkdir -p "$spool"
: > "$dir/smtp-control"
smtp_port=$(free_port)
smtps_port=$(free_port)
/usr/bin/python3 "$here/smtp_sink.py" --port "$smtp_port" --tls-port "$smtps_port" \
    --cert "$certs/server.pem" --key "$certs/server.key" --spool "$spool" \
    --control "$dir/smtp-control" </dev/null >"$dir/smtp.log" 2>&1 &
echo $! > "$dir/smtp.pid"

wait_port() {
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "start.sh: nothing listens on port $1 ($2)" >&2
    return 1
}
wait_port "$imap_port" dovecot
wait_port "$imaps_port" dovecot
wait_port "$oauth2_imap_port" dovecot-oauth2
wait_port "$smtp_port" smtp
wait_port "$smtps_port" smtp

cat > "$dir/env" <<ENV
export CASELOG_TEST_STACK_DIR='$dir'
export CASELOG_TEST_PG_ADMIN='host=$pg port=$pg_port dbname=postgres user=postgres'
export CASELOG_TEST_PG_BIN='$pg_bin'
export CASELOG_TEST_PG_DATA='$pg/data'
export CASELOG_TEST_PG_USER='$run_user'
export CASELOG_TEST_IMAP_HOST=127.0.0.1
export CASELOG_TEST_IMAP_PORT=$imap_port
export CASELOG_TEST_IMAPS_PORT=$imaps_port
export CASELOG_TEST_CA_FILE='$certs/ca.pem'
export CASELOG_TEST_OTHER_CA_FILE='$certs/other-ca.pem'
export CASELOG_TEST_IMAP_USERS='desk desk2 school1 school2'
export CASELOG_TEST_DOVEADM='doveadm -c $dv/dovecot.conf'
export CASELOG_TEST_DOVECOT_CONF='$dv/dovecot.conf'
export CASELOG_TEST_OAUTH2_IMAP_PORT=$oauth2_imap_port
export CASELOG_TEST_OAUTH2_IMAPS_PORT=$oauth2_imaps_port
export CASELOG_TEST_OAUTH2_KEY_FILE='$dvo/oauth2.key'
export CASELOG_TEST_OAUTH2_DOVECOT_CONF='$dvo/dovecot.conf'
export CASELOG_TEST_SMTP_PORT=$smtp_port
export CASELOG_TEST_SMTPS_PORT=$smtps_port
export CASELOG_TEST_SMTP_SPOOL='$spool'
export CASELOG_TEST_SMTP_CONTROL='$dir/smtp-control'
ENV
echo "test stack up in $dir (postgres :$pg_port, imap :$imap_port/:$imaps_port, imap+oauth2 :$oauth2_imap_port, smtp :$smtp_port/:$smtps_port)"
