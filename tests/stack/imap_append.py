#!/usr/bin/python3
"""Put raw messages into a test mailbox over IMAP (STARTTLS, verified against the
test CA), keeping the bytes as they are. Usage:
  imap_append.py USER FOLDER FILE... [--date RFC3339]  (INTERNALDATE; default now)
Reads CASELOG_TEST_* from the environment (tests/STACK_ENV.md)."""
import argparse
import datetime
import imaplib
import os
import ssl


def main():
    p = argparse.ArgumentParser()
    p.add_argument("user")
    p.add_argument("folder")
    p.add_argument("files", nargs="*")  # none: just create the folder
    p.add_argument("--date", help="INTERNALDATE, ISO 8601 with offset")
    args = p.parse_args()
    ctx = ssl.create_default_context(cafile=os.environ["CASELOG_TEST_CA_FILE"])
    imap = imaplib.IMAP4(os.environ["CASELOG_TEST_IMAP_HOST"], int(os.environ["CASELOG_TEST_IMAP_PORT"]))
    imap.starttls(ssl_context=ctx)
    imap.login(args.user, "secret-" + args.user)
    typ, _ = imap.create(args.folder)  # fails harmlessly if it exists
    when = datetime.datetime.fromisoformat(args.date) if args.date else datetime.datetime.now(datetime.timezone.utc)
    for name in args.files:
        with open(name, "rb") as f:
            raw = f.read()
        typ, data = imap.append(args.folder, None, imaplib.Time2Internaldate(when), raw)
        if typ != "OK":
            raise SystemExit("append of %s failed: %r" % (name, data))
    imap.logout()


if __name__ == "__main__":
    main()
