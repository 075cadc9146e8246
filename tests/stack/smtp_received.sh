#!/usr/bin/env bash
# smtp_received.sh [-c]: list the messages the test SMTP sink accepted (-c: count only).
set -eu
spool=${CASELOG_TEST_SMTP_SPOOL:?source the stack env first}
if [ "${1:-}" = -c ]; then
    find "$spool" -name '*.eml' | wc -l
else
    find "$spool" -name '*.eml' | sort
fi
