#!/usr/bin/python3
"""smtp_read.py SPOOL [filters] [--show]: what the test SMTP sink received, read as a
mail reader reads it, and strictly: every text part must say charset utf-8 (or be
plain ASCII) and its decoded bytes must be valid UTF-8; a header must decode without a
replacement character. A message that fails is an error (exit 2), never skipped.

Filters (all must match; each may be given more than once):
  --rcpt ADDR     an envelope recipient (RCPT TO) is ADDR
  --no-rcpt ADDR  no envelope recipient is ADDR
  --to ADDR       the To header names ADDR
  --cc ADDR       the Cc header names ADDR
  --subject TEXT  the decoded Subject contains TEXT
  --body TEXT     the decoded body contains TEXT
  --header NAME:VALUE  header NAME (decoded) contains VALUE
Prints how many messages match, or with --show each one (recipients, Subject, body).
"""
import argparse
import email
import email.policy
import email.utils
import glob
import sys


def addresses(msg, name):
    return [a.lower() for _, a in email.utils.getaddresses(msg.get_all(name, []))]


def text_of(path, msg, strict):
    """The message's text parts joined, decoded as UTF-8 (strict: or an error)."""
    texts = []
    for part in msg.walk():
        if part.get_content_maintype() != "text":
            continue
        raw = part.get_payload(decode=True) or b""
        charset = (part.get_content_charset() or "us-ascii").lower()
        if strict and (charset not in ("utf-8", "us-ascii") or (charset == "us-ascii" and any(b > 0x7F for b in raw))):
            raise ValueError("%s: a text part in charset %s" % (path, charset))
        texts.append(raw.decode("utf-8", errors="strict" if strict else "replace"))
    return "\n".join(texts)


def check_strict(m):
    """Only the messages a test looks at are held to it (the spool is shared)."""
    text_of(m["path"], m["msg"], True)
    for name, value in m["head"].items():
        if "\ufffd" in value:
            raise ValueError("%s: header %s does not decode cleanly" % (m["path"], name))


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    msg = email.message_from_bytes(data, policy=email.policy.default)
    head = {}
    for name in ("Subject", "To", "Cc", "From", "Auto-Submitted", "In-Reply-To", "X-Test-Rcpt-To"):
        head[name.lower()] = str(msg.get(name, ""))
    return {
        "path": path,
        "msg": msg,
        "head": head,
        "rcpt": [a.lower() for a in head["x-test-rcpt-to"].split()],
        "to": addresses(msg, "To"),
        "cc": addresses(msg, "Cc"),
        "body": text_of(path, msg, False),
    }


def matches(m, a):
    if any(r.lower() not in m["rcpt"] for r in a.rcpt):
        return False
    if any(r.lower() in m["rcpt"] for r in a.no_rcpt):
        return False
    if any(t.lower() not in m["to"] for t in a.to) or any(c.lower() not in m["cc"] for c in a.cc):
        return False
    if any(s not in m["head"]["subject"] for s in a.subject) or any(b not in m["body"] for b in a.body):
        return False
    for h in a.header:
        name, _, value = h.partition(":")
        if value not in str(m["msg"].get(name, "")):
            return False
    return True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("spool")
    for opt in ("rcpt", "no-rcpt", "to", "cc", "subject", "body", "header"):
        p.add_argument("--" + opt, action="append", default=[])
    p.add_argument("--show", action="store_true")
    a = p.parse_args()
    try:
        found = [m for m in map(read, sorted(glob.glob(a.spool + "/*.eml"))) if matches(m, a)]
        for m in found:
            check_strict(m)
    except (ValueError, UnicodeDecodeError) as e:
        print("smtp_read: %s" % e, file=sys.stderr)
        return 2
    if not a.show:
        print(len(found))
        return 0
    for m in found:
        print("--- %s\nrcpt: %s\ncc: %s\nsubject: %s\n\n%s" % (m["path"], " ".join(m["rcpt"]), " ".join(m["cc"]),
                                                           m["head"]["subject"], m["body"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
