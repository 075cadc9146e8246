# shellcheck shell=bash disable=SC2034  # once_ms, once_hwm_kb, once_cpu_ms: for the caller
# bench/ingest/common.sh: what bench/ingest and bench/memory share. Source it after
# bench_stack (bench/lib.sh).
#   ingest_config FILE CONNINFO FOLDER  the test desk's config (h_write_config) without
#                                       its smtp group: acknowledgements are queued, not
#                                       sent (these benchmarks measure ingest)
#   ingest_fill FOLDER DIR              every DIR/*.eml into the desk user's new FOLDER
#   ingest_once FILE LOG                `caselogd -c FILE --once`, stderr to LOG; sets
#                                       once_ms (wall time), once_hwm_kb (its peak
#                                       resident memory, the kernel's count: ../peak_rss.py)
#                                       and once_cpu_ms (its CPU time, all threads)

ingest_config() {
    h_write_config "$1" "$2" "$3" false 60s
    /usr/bin/python3 - "$1" <<'PY'
import re, sys
p = sys.argv[1]; s = open(p).read()
open(p, "w").write(re.sub(r"\nsmtp = \{.*?\};\n", "\n", s, flags=re.S))
PY
}

# Dovecot saves the messages itself (`doveadm import` from a maildir of hard links to
# the files): the same storage path as an IMAP APPEND, minus one round trip per
# message (APPENDing 10,000 messages over IMAP takes about a minute, this ten seconds).
ingest_fill() {
    local folder=$1 dir=$2 src="$CASELOG_TEST_STACK_DIR/import" count
    rm -rf "$src"
    /usr/bin/python3 - "$dir" "$src/Maildir/.$folder" <<'PY'
import glob, os, shutil, sys
dst = sys.argv[2]
for d in ("cur", "new", "tmp"):
    os.makedirs(os.path.join(dst, d), exist_ok=True)
os.makedirs(os.path.join(os.path.dirname(dst), "cur"), exist_ok=True)
for i, f in enumerate(sorted(glob.glob(os.path.join(sys.argv[1], "*.eml")))):
    name = os.path.join(dst, "cur", "%d.bench:2," % i)
    try:
        os.link(f, name)
    except OSError:
        shutil.copyfile(f, name)
PY
    chown -R "$(stat -c %u:%g "$CASELOG_TEST_STACK_DIR/mail")" "$src"
    chmod -R u+rwX,go+rX "$src"
    $CASELOG_TEST_DOVEADM import -u desk "maildir:$src/Maildir" "" mailbox "$folder" all
    rm -rf "$src"
    count=$(h_folder_count "$folder")
    [ "$count" -eq "$(find "$dir" -name '*.eml' | wc -l)" ] ||
        { echo "ingest_fill: $folder holds $count messages, not all of $dir" >&2; return 1; }
}

ingest_once() {
    local conf=$1 log=$2 status
    /usr/bin/python3 "$top/bench/peak_rss.py" "$work/once.rss" "$CASELOGD" -c "$conf" --once 2>"$log"
    read -r once_ms once_hwm_kb status once_cpu_ms < "$work/once.rss"
    [ "$status" -eq 0 ] || { echo "caselogd --once failed:" >&2; tail -5 "$log" >&2; return 1; }
}
