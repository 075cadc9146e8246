#!/usr/bin/python3
"""bench/latency's arithmetic: match each APPENDed message (append_timed.py's OUT: Message-ID,
when APPEND's OK came) with the acknowledgement the SMTP sink accepted for it (its
In-Reply-To, and the sink's X-Test-Accepted-At), and print the latencies' p50, p90, p99
and max (nearest rank) and how many acknowledgements are missing or came twice.
Usage: latency.py APPENDED SPOOL_DIR"""
import email.parser
import email.policy
import glob
import math
import sys


def main():
    sent = {}
    with open(sys.argv[1]) as f:
        for line in f:
            mid, at = line.rstrip("\n").split("\t")
            sent[mid] = float(at)
    acks = {}
    twice = 0
    for path in glob.glob(sys.argv[2] + "/*.eml"):
        with open(path, "rb") as f:
            head = email.parser.BytesHeaderParser(policy=email.policy.compat32).parse(f)
        parent = head.get("In-Reply-To", "").strip().strip("<>")
        if parent not in sent:
            continue
        if parent in acks:
            twice += 1
        acks[parent] = min(acks.get(parent, math.inf), float(head["X-Test-Accepted-At"]))
    lat = sorted(acks[m] - sent[m] for m in acks)
    if not lat:
        print("bench_latency: no acknowledgement arrived")
        return 1

    def rank(q):
        return lat[max(0, math.ceil(q * len(lat)) - 1)]
    print("bench_latency: %d messages, %d acknowledged, %d missing, %d acknowledged twice" %
          (len(sent), len(acks), len(sent) - len(acks), twice))
    print("bench_latency: APPEND OK -> SMTP accepted, ms: p50 %.0f  p90 %.0f  p99 %.0f  max %.0f  (min %.0f)" %
          (rank(0.5) * 1000, rank(0.9) * 1000, rank(0.99) * 1000, lat[-1] * 1000, lat[0] * 1000))
    p99, top = rank(0.99), lat[-1]
    print("bench_latency: p99 under 1 s: %s; max under 2 s: %s" %
          ("met" if p99 < 1 else "missed", "met" if top < 2 else "missed"))
    return 0 if len(acks) == len(sent) and twice == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
