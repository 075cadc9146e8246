#!/usr/bin/env bash
# bench/parse/run.sh: build a Release tree (no sanitizers) and compare our parser with
# bare gmime on the real-world corpus and the sample school mail.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
bench_build bench_parse
"$build/bench/parse/bench_parse" "$top/../shared/corpus" "$top/tests/mail"
