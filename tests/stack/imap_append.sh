#!/usr/bin/env bash
# imap_append.sh USER FOLDER [FILE...] [--date ISO8601]: APPEND raw messages over IMAP
# (no FILE: only create FOLDER).
exec /usr/bin/python3 "$(dirname "$0")/imap_append.py" "$@"
