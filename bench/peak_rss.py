#!/usr/bin/python3
"""peak_rss.py OUT CMD...: run CMD (stdout, stderr as given), then write
"<wall ms> <peak resident kB> <exit status> <CPU ms, user and system>" to OUT. The peak is the kernel's own count for
the process (getrusage's ru_maxrss, what VmHWM shows at its end): exact, and nothing polls
the process while it runs (the benchmarks used to read /proc every 50 ms with sed,
which could miss a short peak and took CPU from the run it measured)."""
import os
import sys
import time


def main():
    out, cmd = sys.argv[1], sys.argv[2:]
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    ms = int((time.monotonic() - start) * 1000)
    with open(out, "w") as f:
        cpu = int((usage.ru_utime + usage.ru_stime) * 1000)
        f.write("%d %d %d %d\n" % (ms, usage.ru_maxrss, os.waitstatus_to_exitcode(status), cpu))


if __name__ == "__main__":
    main()
