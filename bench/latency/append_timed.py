#!/usr/bin/python3
"""bench/latency's school mail server: APPEND each FILE to FOLDER of the desk's mailbox, one
at a time, over one IMAP session (STARTTLS, verified against the test CA), after a random
pause (exponential, mean --mean-gap seconds, at most --max-gap: arrivals as a Poisson
stream, bursts included), and write "<Message-ID>\t<Unix seconds when APPEND's OK came>"
per message to OUT. Reads CASELOG_TEST_* from the environment (tests/STACK_ENV.md).
Usage: append_timed.py FOLDER OUT FILE... [--mean-gap S] [--max-gap S] [--seed N]"""
import argparse
import datetime
import email.parser
import email.policy
import imaplib
import os
import random
import ssl
import time


def message_id(raw):
    head = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    return head.get("Message-ID", "").strip().strip("<>")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("folder")
    p.add_argument("out")
    p.add_argument("files", nargs="+")
    p.add_argument("--mean-gap", type=float, default=0.75)
    p.add_argument("--max-gap", type=float, default=4.0)
    p.add_argument("--seed", type=int, default=21)
    a = p.parse_args()
    rng = random.Random(a.seed)
    ctx = ssl.create_default_context(cafile=os.environ["CASELOG_TEST_CA_FILE"])
    imap = imaplib.IMAP4(os.environ["CASELOG_TEST_IMAP_HOST"], int(os.environ["CASELOG_TEST_IMAP_PORT"]))
    imap.starttls(ssl_context=ctx)
    imap.login("desk", "secret-desk")
    with open(a.out, "w") as out:
        for name in a.files:
            with open(name, "rb") as f:
                raw = f.read()
            time.sleep(min(rng.expovariate(1.0 / a.mean_gap), a.max_gap))
            now = imaplib.Time2Internaldate(datetime.datetime.now(datetime.timezone.utc))
            typ, data = imap.append(a.folder, None, now, raw)
            ok_at = time.time()
            if typ != "OK":
                raise SystemExit("append of %s failed: %r" % (name, data))
            out.write("%s\t%.6f\n" % (message_id(raw), ok_at))
            out.flush()
    imap.logout()


if __name__ == "__main__":
    main()
