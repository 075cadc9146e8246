#!/usr/bin/env bash
# Stop the test stack started in DIR by start.sh. Safe to run twice or on a half-started stack.
set -u
dir=${1:?usage: stop.sh DIR}
[ -d "$dir" ] || exit 0
if [ -f "$dir/caselog-web.pid" ]; then # the demo's web desk (packaging/demo)
    kill "$(cat "$dir/caselog-web.pid")" 2>/dev/null
    rm -f "$dir/caselog-web.pid"
fi
if [ -f "$dir/smtp.pid" ]; then
    kill "$(cat "$dir/smtp.pid")" 2>/dev/null
    rm -f "$dir/smtp.pid"
fi
for conf in "$dir/dovecot/dovecot.conf" "$dir/dovecot-oauth2/dovecot.conf"; do
    if [ -f "$conf" ]; then
        doveadm -c "$conf" stop 2>/dev/null || pkill -f "dovecot -c $conf" 2>/dev/null
    fi
done
if [ -f "$dir/pg/data/postmaster.pid" ]; then
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$pg_bin/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null 2>&1
    else
        "$pg_bin/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null 2>&1
    fi
fi
exit 0
