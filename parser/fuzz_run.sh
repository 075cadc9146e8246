#!/usr/bin/env bash
# fuzz_run.sh SECONDS: build the parser with clang's libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer, and fuzz it for SECONDS (default 60), seeded with the
# real-world corpus (../shared/corpus), the sample school mail and parser/fuzz_corpus.
# Fails on any crash, leak or timeout. New inputs go to a scratch dir, not the repo;
# KEEP_FUZZ=1 keeps that dir (the log, a crashing input) for a look afterwards.
set -euo pipefail
seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out=$(mktemp -d /tmp/caselog-fuzz.XXXXXX)
trap '[ -n "${KEEP_FUZZ:-}" ] || rm -rf "$out"' EXIT
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -D_GNU_SOURCE -std=c11"
# shellcheck disable=SC2046
sources=$(sed -n '/^add_library(caselog_parser /,/^)/{s/^  \(.*\.c\)$/\1/p}' "$here/CMakeLists.txt")
clang $flags -I"$here" -I"$here/include" -I"$top/rules/types" -I"$top/common/include" \
    $(pkg-config --cflags gmime-3.0 libxml-2.0) "$here"/fuzz_parser.c $(for s in $sources; do echo "$here/$s"; done) \
    "$top"/common/sha256.c "$top"/rules/types/domain_types.c \
    -o "$out/fuzz_parser" $(pkg-config --libs gmime-3.0 libxml-2.0 gnutls)
mkdir -p "$out/new"
seeds=("$here/fuzz_corpus" "$top/tests/mail")
[ -d "$top/../shared/corpus" ] && seeds+=("$top/../shared/corpus")
cd "$out"
status=0
"$out/fuzz_parser" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
    -print_final_stats=1 "$out/new" "${seeds[@]}" >"$out/fuzz.log" 2>&1 || status=$?
grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$out/fuzz.log" || true
if [ "$status" -ne 0 ]; then
    tail -60 "$out/fuzz.log"
    echo "parser_fuzz: the fuzzer found a problem (exit $status); 0 passed, 1 failed"
    exit 1
fi
echo "parser_fuzz: 1 passed, 0 failed"
