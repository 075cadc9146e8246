# web_harness.sh: what the web desk's tests share. Source it after harness.sh.
#   w_setup NAME           a database owned by a CREATEROLE owner (as the package sets
#                          it up), migrated, schools loaded, a config with a web group on
#                          a free port ($conf, $db, $owner, $port, $base, $work, $folder)
#   w_staff VAR NAME EMAIL [--safeguarding|--admin]...
#                          a staff member with a password (echoed in ${VAR}_pw)
#   w_start [CONF]         start caselog-web on CONF (default $conf), wait until it answers
#                          at its base_url (https: the stack's CA)
#   w_stop                 stop the caselog-web started last
#   w_cleanup              stop everything, drop the database and the roles
WEB="$CASELOG_BUILD_DIR/web/caselog-web"
w_roles=()
w_pids=()

w_setup() {
    work=$(mktemp -d)
    owner=$(h_role webown)
    "$STACK/psql.sh" postgres -q -c "CREATE ROLE $owner LOGIN CREATEROLE" >/dev/null
    w_roles+=("$owner")
    db=$(h_new_owned_db "$1" "$owner")
    folder="$1-$$"
    conf="$work/caselog.conf"
    port=$(h_free_port)
    base="http://127.0.0.1:$port"
    h_write_config "$conf" "$db" "$folder"
    local pg_port
    pg_port=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"$CASELOG_TEST_PG_ADMIN")
    local dbname
    dbname=$(sed -n 's/.*dbname=\([^ ]*\).*/\1/p' <<<"$db")
    cat >> "$conf" <<CONF
web = { listen = "127.0.0.1:$port"; base_url = "$base/"; session_idle = "8h";
        signin_conninfo = "host=127.0.0.1 port=$pg_port dbname=$dbname"; threads = 2; };
CONF
    "$CASELOGD" -c "$conf" --migrate 2>"$work/migrate.log" || { cat "$work/migrate.log"; return 1; }
    "$CASELOG" -c "$conf" schools import "$harness_top/packaging/demo-schools.csv" >/dev/null
}

w_staff() {
    local var=$1 name=$2 email=$3
    shift 3
    local role pw
    role=$(h_role "$var")
    pw="pw-$var-$RANDOM$RANDOM"
    "$CASELOG" -c "$conf" staff add "$role" --name "$name" --email "$email" "$@" >/dev/null
    "$STACK/psql.sh" postgres -q -c "ALTER ROLE \"$role\" PASSWORD '$pw'" >/dev/null
    w_roles+=("$role")
    printf -v "$var" '%s' "$role"
    printf -v "${var}_pw" '%s' "$pw"
}

w_start() {
    local c=${1:-$conf} url
    url=$(sed -n 's/.*base_url = "\([^"]*\)".*/\1/p' "$c" | tail -n 1)
    "$WEB" -c "$c" 2>>"$work/web.log" &
    w_pids+=($!)
    for _ in $(seq 1 100); do
        curl -s --cacert "$CASELOG_TEST_CA_FILE" -o /dev/null "${url}signin" && return 0
        sleep 0.1
    done
    echo "caselog-web did not start:"; cat "$work/web.log"
    return 1
}

w_stop() {
    local n=${#w_pids[@]}
    [ "$n" -gt 0 ] || return 0
    local pid=${w_pids[$((n - 1))]}
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    unset "w_pids[$((n - 1))]"
}

w_cleanup() {
    local pid
    for pid in "${w_pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    h_drop_db "$db"
    h_drop_roles "${w_roles[@]}"
    rm -rf "$work"
}

# w_signin ROLE PASSWORD JAR: sign in with curl, cookies in JAR; echoes the HTTP status.
w_signin() {
    curl -s -o /dev/null -w '%{http_code}' -c "$3" -b "$3" -H "Origin: $base" \
        --data-urlencode "role=$1" --data-urlencode "password=$2" --data-urlencode "next=/" "$base/signin"
}

# w_csrf JAR [PATH]: the CSRF token of the session in JAR, read from the forms of PATH (/).
w_csrf() {
    curl -s -b "$1" "$base${2:-/}" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1
}
