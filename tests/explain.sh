#!/usr/bin/env bash
# explain: `caselog explain --json` on the sample school mail, against the example desk,
# with no database reachable: the contract's fields are there, and each message gets the
# expected classification, triage and SLA times (a table of expected answers).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
caselog="${CASELOG_BUILD_DIR:?}/cli/caselog"
/usr/bin/python3 - "$caselog" "$top" <<'PY'
import json, subprocess, sys
caselog, top = sys.argv[1], sys.argv[2]
conf = top + "/packaging/caselog.conf.example"
contract = ["subject", "from", "reply_to", "to", "cc", "message_id", "in_reply_to", "references", "date",
            "body_text", "attachments", "attachments_not_listed", "body_nested_too_deep", "classification", "classification_reason", "case_ref", "size", "defects",
            "received", "logged_at", "out_of_hours", "type", "queue", "priority", "priority_reason",
            "response_due", "resolution_due"]
# file, --at, --mailbox, expected fields
rows = [
    ("01-sims-login-whole-school.eml", "2026-03-03T08:12:40+00:00", "support",
     dict(classification="ordinary", priority=2, priority_reason="whole school cannot log in", out_of_hours=False,
          logged_at="2026-03-03T08:12:40+00:00", response_due="2026-03-03T09:12:40+00:00",
          resolution_due="2026-03-04T08:12:40+00:00")),
    ("02-printer-after-hours.eml", "2026-03-03T19:45:02+00:00", "support",
     dict(priority=3, priority_reason="mailbox default", out_of_hours=True, logged_at="2026-03-04T08:00:00+00:00",
          response_due="2026-03-04T16:00:00+00:00", resolution_due="2026-03-09T08:00:00+00:00")),
    ("03-census-friday-evening.eml", "2026-03-06T18:30:00+00:00", "support",
     dict(priority=2, priority_reason="census day", out_of_hours=True, logged_at="2026-03-09T08:00:00+00:00",
          response_due="2026-03-09T09:00:00+00:00", resolution_due="2026-03-10T08:00:00+00:00")),
    ("04-change-request.eml", "2026-03-04T10:05:00+00:00", "changes",
     dict(type="change_request", priority=5, queue="Change", logged_at="2026-03-04T10:05:00+00:00",
          response_due="2026-03-05T10:05:00+00:00", resolution_due="2026-03-11T10:05:00+00:00")),
    ("05-enquiry-how-do-i.eml", "2026-03-04T13:20:11+00:00", "support",
     dict(type="enquiry", priority=3, priority_reason="how do I")),
    ("06-out-of-office.eml", "2026-03-04T13:21:00+00:00", "support",
     dict(classification="auto_reply", case_ref="INC0000001")),
    ("07-bounce.eml", "2026-03-04T14:00:00+00:00", "support", dict(classification="bounce")),
    ("11-mailing-list.eml", "2026-03-06T07:00:00+00:00", "support", dict(classification="list")),
    ("12-bank-holiday-monday.eml", "2026-04-06T09:15:00+01:00", "support",
     dict(out_of_hours=True, logged_at="2026-04-07T08:00:00+01:00", response_due="2026-04-07T16:00:00+01:00")),
]
passed = failed = 0
for name, at, mailbox, expected in rows:
    out = subprocess.run([caselog, "-c", conf, "explain", top + "/tests/mail/" + name, "--at", at,
                          "--mailbox", mailbox, "--json"], capture_output=True, text=True,
                         env={"PGCONNECT_TIMEOUT": "2", "PGHOST": "/nonexistent", "PATH": "/usr/bin:/bin"})
    try:
        got = json.loads(out.stdout)
    except ValueError:
        print("FAILED: %s: no JSON (exit %d): %s" % (name, out.returncode, out.stderr[-300:])); failed += 1; continue
    missing = [k for k in contract if k not in got]
    bad = {k: (v, got.get(k)) for k, v in expected.items() if got.get(k) != v}
    if missing or bad or "unreachable" not in got.get("database", ""):
        print("FAILED: %s: missing %s, wrong %s, database %r" % (name, missing, bad, got.get("database")))
        failed += 1
    else:
        print("ok: %s" % name); passed += 1
# What the parser cut short is said, not hidden; a junk line before the headers is no
# reason to refuse a message (issues 15 and 16).
import os, tempfile
many = ("From: a@oakfield-primary.sch.uk\r\nSubject: many\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nsee files\r\n"
        + "".join("--m\r\nContent-Type: text/plain; name=f%d.txt\r\n\r\n%d\r\n" % (i, i) for i in range(1005)) + "--m--\r\n")
deep = ("From: a@oakfield-primary.sch.uk\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
        + "".join("Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i) for i in range(300))
        + "Content-Type: text/plain\r\n\r\nbottom\r\n")
junk = open(top + "/parser/testdata/junk-mailer-note.eml", "rb").read().decode()
generated = [("1,005 parts", many, dict(attachments_not_listed=7, body_nested_too_deep=False, body_text="see files")),
             ("300 nested multiparts", deep, dict(attachments_not_listed=1, body_nested_too_deep=True, body_text="")),
             ("a junk line before the headers", junk, dict(subject="Broken chair in IT suite", attachments_not_listed=0))]
for label, text, expected in generated:
    with tempfile.NamedTemporaryFile("w", suffix=".eml", delete=False, newline="") as f:
        f.write(text)
    out = subprocess.run([caselog, "-c", conf, "explain", f.name, "--json"], capture_output=True, text=True,
                         env={"PGCONNECT_TIMEOUT": "2", "PGHOST": "/nonexistent", "PATH": "/usr/bin:/bin"})
    os.unlink(f.name)
    try:
        got = json.loads(out.stdout)
    except ValueError:
        print("FAILED: %s: no JSON (exit %d): %s" % (label, out.returncode, out.stderr[-300:])); failed += 1; continue
    bad = {k: (v, got.get(k)) for k, v in expected.items() if got.get(k) != v}
    if bad:
        print("FAILED: %s: wrong %s" % (label, bad)); failed += 1
    else:
        print("ok: %s" % label); passed += 1
print("explain: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
