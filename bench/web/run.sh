#!/usr/bin/env bash
# bench/web/run.sh [SECONDS]: the web desk under load (issue 18): 10,000 open cases and
# one case of 200 messages (bench/web/fill.sql), a staff member signed in through
# PostgreSQL, then wrk with 50 connections on the queue page (/) and on the long case's
# page, SECONDS each (default 20), three rounds in turn. Prints each round's median and
# p99 latency and requests/s, the medians of the rounds, caselog-web's peak RSS, and the
# targets (median < 50 ms, p99 < 200 ms). Run on the 2-core machine; wrk shares it.
set -euo pipefail
seconds=${1:-20}
. "$(dirname "$0")/../lib.sh"
bench_build caselogd caselog caselog-web
bench_stack
. "$top/tests/lib/web_harness.sh"
command -v wrk >/dev/null || { echo "bench_web: wrk is not installed (tests/deps.sh)"; exit 1; }
trap 'w_cleanup; "$top/tests/stack/stop.sh" "$stack" >/dev/null 2>&1; rm -rf "$stack"' EXIT
w_setup benchweb
sed -i 's/threads = 2;/threads = 4;/' "$conf"
w_staff sam "Sam Jones" sam.jones@desk.example.org
long=$(psql -X -q -At -v ON_ERROR_STOP=1 "$db" -f "$top/bench/web/fill.sql" | tail -n 1)
echo "bench_web: $(h_sql "$db" "SELECT count(*) FROM cases WHERE state <> 'closed'") open cases; $long has $(h_sql "$db" "SELECT count(*) FROM messages m JOIN cases c ON c.id = m.case_id WHERE c.reference = '$long'") messages"
w_start
jar="$work/jar"
[ "$(w_signin "$sam" "$sam_pw" "$jar")" = 303 ] || { echo "bench_web: sign-in failed"; cat "$work/web.log"; exit 1; }
cookie="Cookie: $(awk '$6 == "caselog_session" {print $6 "=" $7}' "$jar")"
web_pid=${w_pids[0]}
for path in / "/case/$long"; do # warm up, and check the pages are whole
    curl -s -o "$work/page" -w "bench_web: GET $path: %{http_code}, %{size_download} bytes\n" -H "$cookie" "$base$path"
done

# cpu_ms: CPU time used so far (user + system, ms) by caselog-web and by every process
# of the test cluster's PostgreSQL: per request it says what a page costs whatever else
# the machine is doing (other work on the 2 cores lengthens the latencies, not this).
postmaster=$(head -n 1 "$CASELOG_TEST_PG_DATA/postmaster.pid")
cpu_ms() {
    local pids="$web_pid $postmaster $(pgrep -P "$postmaster" | tr '\n' ' ')" tick
    tick=$(getconf CLK_TCK)
    for p in $pids; do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null; done |
        awk -v t="$tick" '{s += $1} END {printf "%.0f", s * 1000 / t}'
}
web_cpu_ms() { awk -v t="$(getconf CLK_TCK)" '{printf "%.0f", ($14 + $15) * 1000 / t}' "/proc/$web_pid/stat"; }

# ms VALUE UNIT: wrk's latency figure in milliseconds.
ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) print v / 1000; else if (v ~ /ms$/) print v + 0; else print v * 1000 }'; }
load=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A med p99 rps cpu
for round in 1 2 3; do
    for page in queue case; do
        path=/
        [ "$page" = case ] && path="/case/$long"
        cpu0=$(cpu_ms) webcpu0=$(web_cpu_ms)
        out=$(wrk -t2 -c50 -d"${seconds}s" --latency -H "$cookie" "$base$path")
        cpu1=$(cpu_ms) webcpu1=$(web_cpu_ms)
        m=$(ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
        p=$(ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
        r=$(awk '$1 == "Requests/sec:" {print $2}' <<<"$out")
        bad=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
        n=$(awk '/requests in/ {print $1}' <<<"$out")
        c=$(awk -v a="$cpu0" -v b="$cpu1" -v n="$n" 'BEGIN { printf "%.2f", (b - a) / n }')
        w=$(awk -v a="$webcpu0" -v b="$webcpu1" -v n="$n" 'BEGIN { printf "%.2f", (b - a) / n }')
        printf 'bench_web: round %d %-5s median %7.1f ms  p99 %7.1f ms  %8.1f req/s  CPU %s ms a request (caselog-web %s)%s\n' \
            "$round" "$page" "$m" "$p" "$r" "$c" "$w" "${bad:+  NON-2XX $bad}"
        med[$page]+="$m "; p99[$page]+="$p "; rps[$page]+="$r "; cpu[$page]+="$c "
    done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
rss=$(awk '/VmHWM/ {print $2}' "/proc/$web_pid/status")
for page in queue case; do
    m=$(median <<<"${med[$page]}") p=$(median <<<"${p99[$page]}") r=$(median <<<"${rps[$page]}")
    c=$(median <<<"${cpu[$page]}")
    verdict=$(awk -v m="$m" -v p="$p" 'BEGIN { print (m < 50 && p < 200) ? "met" : "MISSED" }')
    printf 'bench_web: %-5s median of 3 rounds: median %.1f ms, p99 %.1f ms, %.0f req/s, %.2f ms CPU a request (target median < 50 ms, p99 < 200 ms: %s)\n' \
        "$page" "$m" "$p" "$r" "$c" "$verdict"
done
echo "bench_web: caselog-web peak RSS $((rss / 1024)) MB (target < 64 MB); load average before: $load"
