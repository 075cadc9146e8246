#!/usr/bin/python3
"""Write one raw test message (CRLF) with hostile or non-ASCII text, for tests that
need exact bytes. Usage:
  mk_mail.py FILE --from "Name <addr>" --subject TEXT [--body TEXT] [--msgid ID]
             [--in-reply-to ID] [--header "Name: value"]... [--pad-subject N]
Subject and display name are written as UTF-8 RFC 2047 base64 words when they are not
plain printable ASCII, so any character (ESC, BEL, 0x1F, U+2028) can be put in them;
the body is UTF-8, 8bit. TEXT may use Python escapes (\\x1b, \\u2028, \\n)."""
import argparse
import base64
import email.utils


def unescape(s):
    return s.encode("latin-1", "backslashreplace").decode("unicode_escape")


def encode_words(text):
    if text.isascii() and text.isprintable():
        return text
    raw = text.encode("utf-8")
    words, i = [], 0
    while i < len(raw):
        j = min(i + 45, len(raw))
        while j < len(raw) and (raw[j] & 0xC0) == 0x80:  # whole characters per word
            j -= 1
        words.append("=?UTF-8?B?%s?=" % base64.b64encode(raw[i:j]).decode())
        i = j
    return "\r\n ".join(words)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--from", dest="sender", required=True)
    p.add_argument("--to", default="servicedesk@desk.example.org")
    p.add_argument("--subject", required=True)
    p.add_argument("--body", default="Please have a look.\n")
    p.add_argument("--msgid")
    p.add_argument("--in-reply-to")
    p.add_argument("--header", action="append", default=[])
    p.add_argument("--pad-subject", type=int, default=0, help="append that many 'x' to the subject")
    a = p.parse_args()
    name, addr = email.utils.parseaddr(unescape(a.sender))
    lines = ["From: %s <%s>" % (encode_words(name), addr) if name else "From: %s" % addr,
             "To: %s" % a.to,
             "Subject: %s" % encode_words(unescape(a.subject) + "x" * a.pad_subject),
             "Date: %s" % email.utils.formatdate(localtime=False),
             "MIME-Version: 1.0",
             "Content-Type: text/plain; charset=utf-8",
             "Content-Transfer-Encoding: 8bit"]
    if a.msgid:
        lines.append("Message-ID: <%s>" % a.msgid)
    if a.in_reply_to:
        lines.append("In-Reply-To: <%s>" % a.in_reply_to)
    lines += a.header
    body = unescape(a.body).replace("\r\n", "\n").replace("\n", "\r\n")
    with open(a.file, "wb") as f:
        f.write(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body.encode("utf-8"))


if __name__ == "__main__":
    main()
