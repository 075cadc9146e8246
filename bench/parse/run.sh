#!/usr/bin/env bash
# bench/parse/run.sh: build a Release tree (no sanitizers) and compare our parser with
# bare gmime on the real-world corpus and the sample school mail.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BENCH_BUILD_DIR:-$top/build-bench}
"$top/tests/deps.sh"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCASELOG_SANITIZE=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target bench_parse >/dev/null
"$build/bench/parse/bench_parse" "$top/../shared/corpus" "$top/tests/mail"
