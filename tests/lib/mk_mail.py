#!/usr/bin/python3
"""Write one raw test message (CRLF) with hostile or non-ASCII text, for tests that
need exact bytes. Usage:
  mk_mail.py FILE --from "Name <addr>" --subject TEXT [--body TEXT] [--msgid ID]
             [--in-reply-to ID] [--header "Name: value"]... [--pad-subject N] [--pad-name N]
Subject and display name are written as UTF-8 RFC 2047 base64 words when they are not
plain printable ASCII, so any character (ESC, BEL, 0x1F, U+2028) can be put in them;
the body is UTF-8, 8bit. TEXT may use Python escapes (\\x1b, \\u2028, \\n).
  --attachments N, --attach-name NAME, --nest D make it multipart (see mime_body)."""
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
    p.add_argument("--pad-name", type=int, default=0, help="append that many 'n' to the From name")
    p.add_argument("--attachments", type=int, default=0, help="that many small attachments a-NNNN.txt")
    p.add_argument("--attach-name", action="append", default=[], help="an attachment with this file name")
    p.add_argument("--nest", type=int, default=0, help="the body and one attachment that many multiparts deep")
    a = p.parse_args()
    sender = unescape(a.sender)  # "Name <addr>": the name may hold anything, even specials
    name, addr = (sender[:sender.rindex("<")].strip(), sender[sender.rindex("<") + 1:].rstrip("> ")) \
        if "<" in sender else ("", sender)
    name += "n" * a.pad_name
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
    if a.attachments or a.attach_name or a.nest:
        lines = [l for l in lines if not l.startswith("Content-T")]
        ctype, body = mime_body(a, body)
        lines.append("Content-Type: " + ctype)
    with open(a.file, "wb") as f:
        f.write(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body.encode("utf-8"))


def part(ctype, text, name=None):
    head = "Content-Type: %s; charset=utf-8\r\n" % ctype
    if name:
        head += 'Content-Disposition: attachment; filename="%s"\r\n' % name
    return head + "Content-Transfer-Encoding: 8bit\r\n\r\n" + text + "\r\n"


def multipart(boundary, parts):
    return "".join("--%s\r\n%s" % (boundary, p) for p in parts) + "--%s--\r\n" % boundary


def mime_body(a, body):
    """(Content-Type, body) of a multipart/mixed message: the text, then the
    attachments (a-0001.txt holds "payload-0001"), or the text and one attachment
    (deep.txt, "payload-deep") nested a.nest multiparts deep."""
    parts = [part("text/plain", body)]
    parts += [part("text/plain", "payload-%04d" % i, "a-%04d.txt" % i) for i in range(1, a.attachments + 1)]
    parts += [part("text/plain", "payload-" + n, n) for n in a.attach_name]
    if a.nest:
        inner = multipart("deep0", [part("text/plain", body), part("text/plain", "payload-deep", "deep.txt")])
        for level in range(1, a.nest):
            inner = multipart("deep%d" % level, ['Content-Type: multipart/mixed; boundary="deep%d"\r\n\r\n%s'
                                                 % (level - 1, inner)])
        parts = ['Content-Type: multipart/mixed; boundary="deep%d"\r\n\r\n%s' % (a.nest - 1, inner)]
    return 'multipart/mixed; boundary="top"', multipart("top", parts)


if __name__ == "__main__":
    main()
