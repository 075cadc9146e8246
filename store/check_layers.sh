#!/usr/bin/env bash
# check_layers: the store's files call each other one way only (store/README.md,
# "Layers"). From the built library's symbols (nm), every call from one store file to
# another is an edge; the check fails if db.c calls any store file, if the calls or the
# headers' includes make a cycle, or if a file calls one of its own rank or above.
#   store/check_layers.sh path/to/libcaselog_store.a
set -euo pipefail
lib=$1
src=$(cd "$(dirname "$0")" && pwd)

# A file may call only files of a lower rank. A file not listed is held to the first
# two rules only (and named, so that it gets its rank).
ranks="db:0
db_rows:1
store:2 raw_stage:2 event_store:2 notify:2 mailbox_store:2 migrate:2 intake_store:2
desk_store:2 outbox_store:2 status_store:2 case_clocks:2 staff_store:2 schema_store:2
batch_store:3 report_store:3 desk_list:3 mail_rows:3
school_store:4 lifecycle_store:4 unlogged_store:4 alert_store:4
case_store:5 message_lookup:5 scheduler_store:5 correct_store:5 incident_store:5 desk_command:5
message_store:6 desk_correct:6"

# "caller callee symbol" for every call between two of the library's files.
edges=$(nm -A "$lib" | awk '
    { n = split($1, where, ":"); file = where[n - 1]; sub(/\.c\.o$/, "", file)
      sym = $NF; kind = $(NF - 1)
      if (kind ~ /^[TDBR]$/) def[sym] = file
      else if (kind == "U") use[file " " sym] = 1 }
    END { for (k in use) { split(k, u, " ")
            if ((u[2] in def) && def[u[2]] != u[1]) print u[1], def[u[2]], u[2] } }' | sort)
[ -n "$edges" ] || { echo "check_layers: no calls between store files found in $lib" >&2; exit 1; }

fail=0
if grep -q '^db ' <<<"$edges"; then
    echo "check_layers: db.c calls up into the store:" >&2
    grep '^db ' <<<"$edges" >&2
    fail=1
fi

loops=$(mktemp)
if ! awk '{ print $1, $2 }' <<<"$edges" | sort -u | tsort >/dev/null 2>"$loops"; then
    echo "check_layers: the store's files call each other in a circle:" >&2
    cat "$loops" >&2
    fail=1
fi
rm -f "$loops"

# "file header" for every include of one of the store's own headers (here or include/).
includes=$(cd "$src" && grep -H '^#include "' ./*.h ./*.c include/*.h | sed -E 's|^(\./)?([^:]+):#include "([^"]+)".*|\2 \3|' |
           while read -r from to; do
               if [ -f "$to" ]; then echo "$from $to"; elif [ -f "include/$to" ]; then echo "$from include/$to"; fi
           done || true)
if ! tsort <<<"$includes" >/dev/null 2>&1; then
    echo "check_layers: the store's headers include each other in a circle" >&2
    fail=1
fi

declare -A rank
for r in $ranks; do rank[${r%%:*}]=${r##*:}; done
while read -r from to sym; do
    if [ -z "${rank[$from]:-}" ] || [ -z "${rank[$to]:-}" ]; then
        echo "check_layers: note: $from.c -> $to.c ($sym): give the new file a rank here and in store/README.md"
    elif [ "${rank[$from]}" -le "${rank[$to]}" ]; then
        echo "check_layers: $from.c (rank ${rank[$from]}) calls $to.c (rank ${rank[$to]}): $sym" >&2
        fail=1
    fi
done <<<"$edges"

if [ "$fail" = 0 ]; then
    awk '{ print $1, $2 }' <<<"$edges" | sort -u |
        awk '$1 != last { if (last != "") print line; line = $1 ".c ->"; last = $1 } { line = line " " $2 ".c" }
             END { print line }'
    echo "check_layers: ok ($(awk '{ print $1, $2 }' <<<"$edges" | sort -u | wc -l) file-to-file call edges, no cycle)"
fi
exit "$fail"
