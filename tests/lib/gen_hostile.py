#!/usr/bin/python3
"""Write COUNT hostile messages of about SIZE bytes each, of one KIND, into DIR (CRLF,
deterministic): the shapes that made a parser hold many times a message's size.
Usage: gen_hostile.py DIR KIND COUNT SIZE
KIND:
  text          a text/plain body of SIZE bytes
  html          a text/html body of SIZE bytes (paragraphs, entities, links)
  header        SIZE bytes of Received lines in the message's header
  subject       one Subject of SIZE bytes
  inner-subject a forwarded message (message/rfc822) whose Subject is SIZE bytes
  part-header   a part whose header has SIZE bytes of fields
  parts         SIZE bytes of tiny parts (a few bytes each)
  base64-line   an attachment as base64 on one line of SIZE bytes
  base64-text   a text/plain body, base64 encoded, of SIZE bytes
  nested        a text/plain body of SIZE bytes 45 multiparts deep
  qp            a quoted-printable body of SIZE bytes, every byte encoded"""
import base64
import os
import random
import sys

WORDS = "the printer in room twelve is jammed again and nobody can print the letters for parents".split()


def prose(rng, n):
    out, total = [], 0
    while total < n:
        line = " ".join(rng.choice(WORDS) for _ in range(12)) + "\r\n"
        out.append(line)
        total += len(line)
    return "".join(out)[:n]


def head(kind, i, extra=""):
    return ("From: \"Office\" <office@st-marys-rc.sch.uk>\r\nTo: servicedesk@desk.example.org\r\n"
            "Subject: hostile %s %d\r\nDate: Tue, 3 Mar 2026 10:00:00 +0000\r\n"
            "Message-ID: <hostile-%s-%d@st-marys-rc.sch.uk>\r\nMIME-Version: 1.0\r\n%s" % (kind, i, kind, i, extra))


def multipart(kind, i, parts):
    return head(kind, i, "Content-Type: multipart/mixed; boundary=\"h\"\r\n\r\n") + \
        "--h\r\nContent-Type: text/plain\r\n\r\nsee below\r\n" + parts + "--h--\r\n"


def message(kind, i, size, rng):
    if kind == "text":
        return head(kind, i, "Content-Type: text/plain; charset=utf-8\r\n\r\n") + prose(rng, size)
    if kind == "html":
        body = "".join("<p>%s <b>&wcirc;</b> <a href=\"https://example.org/%d\">link</a></p>\r\n"
                       % (prose(rng, 80).strip(), j) for j in range(size // 140))
        return head(kind, i, "Content-Type: text/html; charset=utf-8\r\n\r\n") + "<html><body>" + body + "</body></html>"
    if kind == "header":
        lines = "".join("Received: from relay%d.example by mx.example; Tue, 3 Mar 2026 10:00:00 +0000\r\n" % j
                        for j in range(size // 75))
        return head(kind, i, lines + "Content-Type: text/plain\r\n\r\nhello\r\n")
    if kind == "subject":
        return ("From: office@st-marys-rc.sch.uk\r\nTo: servicedesk@desk.example.org\r\nSubject: %s\r\n"
                "Message-ID: <hostile-%s-%d@st-marys-rc.sch.uk>\r\n\r\nhello\r\n"
                % (prose(rng, size).replace("\r\n", " "), kind, i))
    if kind == "inner-subject":
        inner = ("From: a@b.example\r\nSubject: %s\r\nMessage-ID: <inner-%d@b.example>\r\n\r\nhello\r\n"
                 % (prose(rng, size).replace("\r\n", " "), i))
        return multipart(kind, i, "--h\r\nContent-Type: message/rfc822\r\n\r\n" + inner + "\r\n")
    if kind == "part-header":
        fields = "".join("X-Junk-%d: %s\r\n" % (j, "y" * 60) for j in range(size // 75))
        return multipart(kind, i, "--h\r\nContent-Type: text/plain\r\n" + fields + "\r\nbody\r\n")
    if kind == "parts":
        part = "--h\r\nContent-Type: text/plain\r\n\r\nx\r\n"
        return multipart(kind, i, part * (size // len(part)))
    if kind == "base64-line":
        blob = base64.b64encode(rng.randbytes(size * 3 // 4)).decode()
        return multipart(kind, i, "--h\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\n"
                                  "Content-Transfer-Encoding: base64\r\n\r\n" + blob + "\r\n")
    if kind == "base64-text":
        text = base64.encodebytes(prose(rng, size * 3 // 4).encode()).decode().replace("\n", "\r\n")
        return head(kind, i, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n") + text
    if kind == "nested":
        depth = 45
        m = head(kind, i, "Content-Type: multipart/mixed; boundary=\"n0\"\r\n\r\n")
        for d in range(1, depth):
            m += "--n%d\r\nContent-Type: multipart/mixed; boundary=\"n%d\"\r\n\r\n" % (d - 1, d)
        m += "--n%d\r\nContent-Type: text/plain\r\n\r\n%s\r\n" % (depth - 1, prose(rng, size))
        return m + "".join("--n%d--\r\n" % d for d in range(depth - 1, -1, -1))
    if kind == "qp":
        body = "".join("=%02X" % rng.randrange(128, 256) + ("=\r\n" if j % 25 == 24 else "") for j in range(size // 3))
        return head(kind, i, "Content-Type: text/plain; charset=iso-8859-1\r\n"
                             "Content-Transfer-Encoding: quoted-printable\r\n\r\n") + body
    raise SystemExit("gen_hostile.py: unknown kind %s" % kind)


def main():
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    out, kind, count, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    os.makedirs(out, exist_ok=True)
    rng = random.Random("%s-%d" % (kind, size))
    for i in range(count):
        with open(os.path.join(out, "hostile-%s-%03d.eml" % (kind, i)), "wb") as f:
            f.write(message(kind, i, size, rng).encode())


if __name__ == "__main__":
    main()
