# bench/lib.sh: what every benchmark does first. Source it from bench/NAME/run.sh.
#   bench_build TARGET...   install missing packages, build TARGETs in a Release tree
#                           without sanitizers ($build: BENCH_BUILD_DIR or build-bench)
#   bench_stack             start a private test stack, load its env and the test
#                           harness; $work is a scratch dir; both go at exit
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BENCH_BUILD_DIR:-$top/build-bench}

bench_build() {
    "$top/tests/deps.sh"
    cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCASELOG_SANITIZE=OFF >/dev/null
    local t
    for t in "$@"; do cmake --build "$build" -j"$(nproc)" --target "$t" >/dev/null; done
}

bench_stack() {
    stack=$(mktemp -d /tmp/caselog-bench.XXXXXX)
    work=$(mktemp -d)
    trap '"$top/tests/stack/stop.sh" "$stack" >/dev/null 2>&1; rm -rf "$stack" "$work"' EXIT
    "$top/tests/stack/start.sh" "$stack" >/dev/null
    # shellcheck disable=SC1091
    . "$stack/env"
    export CASELOG_BUILD_DIR="$build"
    if [ "$(id -u)" = 0 ]; then export CASELOG_ALLOW_ROOT=1; fi # the daemon refuses root otherwise
    # shellcheck disable=SC1091
    . "$top/tests/lib/harness.sh"
}
