#!/usr/bin/env bash
# stack_smoke: proves the private test stack is real. IMAP over verified TLS (APPEND then
# FETCH the same bytes back), a certificate from another CA refused, SMTP with STARTTLS and
# AUTH delivering into the sink, a query in PostgreSQL.
set -euo pipefail
: "${CASELOG_TEST_IMAP_PORT:?the test stack env is not loaded (run through tests/run)}"
stack=$(dirname "$0")/stack
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 - "$tmp" <<'PY'
import imaplib, os, smtplib, ssl, sys, time
tmp = sys.argv[1]
env = os.environ
host = env["CASELOG_TEST_IMAP_HOST"]
token = "smoke-%d" % time.time_ns()
raw = ("From: Head Teacher <head@school1.example>\r\nTo: desk@desk.test\r\n"
       "Subject: %s\r\nMessage-ID: <%s@school1.example>\r\n\r\nThe printer is down.\r\n" % (token, token)).encode()

ok = ssl.create_default_context(cafile=env["CASELOG_TEST_CA_FILE"])
imap = imaplib.IMAP4_SSL(host, int(env["CASELOG_TEST_IMAPS_PORT"]), ssl_context=ok)
imap.login("desk", "secret-desk")
imap.create("Smoke")
assert imap.append("Smoke", None, None, raw)[0] == "OK"
imap.select("Smoke")
typ, data = imap.uid("SEARCH", None, "SUBJECT", token)
uids = data[0].split()
assert len(uids) == 1, "appended message not found: %r" % data
typ, data = imap.uid("FETCH", uids[0], "(BODY.PEEK[])")
assert data[0][1] == raw, "IMAP returned different bytes"
imap.logout()
print("imap: appended and read back over TLS verified by the test CA")

wrong = ssl.create_default_context(cafile=env["CASELOG_TEST_OTHER_CA_FILE"])
try:
    imaplib.IMAP4_SSL(host, int(env["CASELOG_TEST_IMAPS_PORT"]), ssl_context=wrong)
    raise SystemExit("imap: a certificate from an unknown CA was accepted")
except ssl.SSLCertVerificationError:
    print("imap: certificate from an unknown CA refused")

s = smtplib.SMTP(host, int(env["CASELOG_TEST_SMTP_PORT"]))
s.starttls(context=ok)
s.login("smtpuser", "secret-smtp")
s.sendmail("desk@desk.test", ["head@school1.example"], raw)
s.quit()
spool = env["CASELOG_TEST_SMTP_SPOOL"]
found = [n for n in os.listdir(spool) if n.endswith(".eml") and token.encode() in open(os.path.join(spool, n), "rb").read()]
assert len(found) == 1, "SMTP sink did not keep the message"
print("smtp: delivered with STARTTLS and AUTH, found in the sink")
PY

answer=$("$stack/psql.sh" postgres -At -c "select 6 * 7")
[ "$answer" = 42 ] || { echo "postgres answered '$answer'"; exit 1; }
echo "postgres: query answered"
echo "stack_smoke: 4 passed, 0 failed"
