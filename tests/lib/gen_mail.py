#!/usr/bin/python3
"""Write N realistic school e-mails (one .eml each, CRLF) into DIR, every one with a
unique Message-ID and subject token, from senders of the demo school directory.
Usage: gen_mail.py N DIR [--seed S] [--attachments PERCENT] [--tag TAG]"""
import argparse
import base64
import os
import random

SENDERS = [
    ("Mrs Helen Price", "h.price@oakfield-primary.sch.uk"),
    ("Sarah O'Neill", "s.oneill@oakfield-primary.sch.uk"),
    ("Tom Hughes", "t.hughes@riverside-academy.org.uk"),
    ("Office", "office@st-marys-rc.sch.uk"),
    ("Swyddfa", "swyddfa@ysgol-llanhari.cymru"),
]
PROBLEMS = [
    "Printer in room %d keeps jamming",
    "SIMS login fails for a teacher in year %d",
    "Projector in classroom %d shows no signal",
    "Laptop trolley %d not charging",
    "Email to parents bouncing from office PC %d",
    "Wi-Fi drops in the hall during assembly (AP %d)",
    "New starter %d needs an account",
]
BODY = ("Hello,\r\n\r\n%s since this morning. We have restarted it twice.\r\n"
        "Could someone take a look when possible?\r\n\r\n%s\r\n%s\r\n")


def message(i, tag, rng, attach_percent):
    name, addr = rng.choice(SENDERS)
    subject = rng.choice(PROBLEMS) % rng.randint(1, 40)
    token = "%s-%06d" % (tag, i)
    filler = "".join(rng.choice("abcdefghij klmnopqrstuvwxyz.\r\n") for _ in range(rng.randint(1500, 40000)))
    text = BODY % (subject, name, filler)
    head = ("From: \"%s\" <%s>\r\nTo: servicedesk@desk.example.org\r\nSubject: %s [%s]\r\n"
            "Date: Tue, 3 Mar 2026 10:%02d:00 +0000\r\nMessage-ID: <%s@%s>\r\nMIME-Version: 1.0\r\n"
            % (name, addr, subject, token, i % 60, token, addr.split("@")[1]))
    if rng.randint(1, 100) > attach_percent:
        return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text).encode()
    blob = bytes(rng.getrandbits(8) for _ in range(rng.randint(10000, 200000)))
    b64 = base64.encodebytes(blob).decode().replace("\n", "\r\n")
    return (head + "Content-Type: multipart/mixed; boundary=\"b-%s\"\r\n\r\n"
            "--b-%s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n"
            "--b-%s\r\nContent-Type: image/jpeg; name=\"photo-%d.jpg\"\r\n"
            "Content-Disposition: attachment; filename=\"photo-%d.jpg\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b-%s--\r\n"
            % (token, token, text, token, i, i, b64, token)).encode()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("n", type=int)
    p.add_argument("dir")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--attachments", type=int, default=10)
    p.add_argument("--tag", default="gen")
    a = p.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.dir, exist_ok=True)
    for i in range(a.n):
        with open(os.path.join(a.dir, "%06d.eml" % i), "wb") as f:
            f.write(message(i, a.tag, rng, a.attachments))


if __name__ == "__main__":
    main()
