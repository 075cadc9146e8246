#!/usr/bin/python3
"""Write N realistic school e-mails (one .eml each, CRLF) into DIR, every one with a
unique Message-ID and subject token, from senders of the demo school directory.
Usage: gen_mail.py N DIR [--seed S] [--attachments PERCENT] [--tag TAG]
                         [--size-mix] [--max-attachment BYTES] [--huge COUNT --huge-size BYTES]
                         [--huge-together] [--huge-max BYTES]
Without the options after --tag the output is what it always was (tests rely on it).
  --size-mix            the text is prose from a vocabulary (compressible like real
                        mail) sized so that a message without attachment is 2-50 KB,
                        most 2-10 KB (3 in 4), the rest 10-50 KB (log-uniform in each)
  --max-attachment B    attachments (--attachments PERCENT of the messages) are random
                        bytes (photos, PDFs, documents) of a decoded size log-uniform
                        from 10 KB to B, base64 in the message
  --huge C --huge-size B  C of the N messages (spread evenly) carry one attachment of
                        exactly B decoded bytes instead
  --huge-together       the C huge messages are consecutive, in the middle of the N
                        (mail arriving together), instead of spread evenly
  --huge-max B          their attachments are of --huge-size to B decoded bytes,
                        log-uniform, instead of exactly --huge-size
All of it is deterministic for a given --seed."""
import argparse
import base64
import math
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

# --size-mix: prose from these words, the first ones most often (Zipf-like weights).
WORDS = """the to and a of we it in is that for on this have not was with but
can be when you class are all our at please so if from as one do they there has
would could now again still just what out any been also them or it's some which
after an will get up no by about other time then said any more because only
morning afternoon lesson today yesterday week staff children pupils teacher
teachers office head year room hall library classroom screen printer projector
laptop laptops trolley tablet tablets ipad board whiteboard interactive login
password account network wifi internet connection email emails message parents
letter letters report reports sims register attendance cable plug socket charger
charging battery keyboard mouse speaker sound volume display signal restart
restarted turned switched working worked stopped error shows showing says
appears tried trying help thanks thank sorry quickly urgent soon possible
someone engineer visit call phone ticket support site key stage assembly
meeting governors term half holiday exam exams marking folder drive shared
files file document documents photo photos scan scanner copier paper toner tray
jam jammed light flashing orange green red blue update updates windows chrome
browser page website link google microsoft teams outlook onedrive class dojo
parent portal trip consent forms dinner money payments budget order new old
second third first last next few many every each both same different""".split()
CUM = []
for _k, _w in enumerate(WORDS):
    CUM.append((CUM[-1] if CUM else 0) + 1.0 / (_k + 8))
SIGNOFFS = ["Many thanks,", "Thanks,", "Kind regards,", "Best wishes,", "Diolch,"]
DISCLAIMER = ("This e-mail and any files transmitted with it are confidential and intended "
              "solely for the use of the individual or entity to whom they are addressed. If "
              "you have received this e-mail in error please notify the school office. Any "
              "views or opinions presented are solely those of the author and do not "
              "necessarily represent those of the school or the local authority.")
ATTACHMENT_TYPES = [
    ("image/jpeg", "photo-%d.jpg"),
    ("image/png", "screenshot-%d.png"),
    ("application/pdf", "letter-%d.pdf"),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "report-%d.docx"),
]


def wrap(words, prefix=""):
    """Words into CRLF lines of at most 76 characters (each line starting with prefix)."""
    lines, line = [], prefix
    for w in words:
        if len(line) + len(w) + 1 > 76 and line != prefix:
            lines.append(line)
            line = prefix
        line = line + w if line == prefix else line + " " + w
    lines.append(line)
    return "\r\n".join(lines) + "\r\n"


def paragraph(rng, prefix=""):
    words = []
    for _ in range(rng.randint(2, 6)):
        s = rng.choices(WORDS, cum_weights=CUM, k=rng.randint(6, 20))
        s[0] = s[0].capitalize()
        s[-1] += rng.choice(".....?!")
        words.extend(s)
    return wrap(words, prefix)


def prose(rng, size):
    """About size bytes (never more) of paragraphs; a larger piece quotes an earlier mail."""
    parts, total = [], 0
    quoted = size > 6000 and rng.random() < 0.5
    own = size // 3 if quoted else size
    while total < own:
        p = paragraph(rng) + "\r\n"
        parts.append(p)
        total += len(p)
    if quoted:
        head = "On Mon, 2 Mar 2026 at 16:%02d, ICT Service Desk wrote:\r\n" % rng.randint(0, 59)
        parts.append(head)
        total += len(head)
        while total < size:
            p = paragraph(rng, "> ") + ">\r\n"
            parts.append(p)
            total += len(p)
    text = "".join(parts)
    if len(text) > size:  # cut at the last line end that fits
        cut = text.rfind("\r\n", 0, size - 1)
        text = text[:cut + 2] if cut > 0 else text[:size]
    return text


def text_mixed(rng, subject, name, budget):
    """The text of a --size-mix message: budget bytes or a little less."""
    top = "Hello,\r\n\r\n%s since this morning. We have restarted it twice.\r\n\r\n" % subject
    tail = "Could someone take a look when possible?\r\n\r\n%s\r\n%s\r\n" % (rng.choice(SIGNOFFS), name)
    if rng.random() < 0.4:
        tail += "\r\n--\r\n" + wrap(DISCLAIMER.split())
    return top + prose(rng, max(budget - len(top) - len(tail), 100)) + tail


def log_uniform(rng, low, high):
    return int(math.exp(rng.uniform(math.log(low), math.log(high))))


def message(i, tag, rng, attach_percent, opts=None):
    name, addr = rng.choice(SENDERS)
    subject = rng.choice(PROBLEMS) % rng.randint(1, 40)
    token = "%s-%06d" % (tag, i)
    head = ("From: \"%s\" <%s>\r\nTo: servicedesk@desk.example.org\r\nSubject: %s [%s]\r\n"
            "Date: Tue, 3 Mar 2026 10:%02d:00 +0000\r\nMessage-ID: <%s@%s>\r\nMIME-Version: 1.0\r\n"
            % (name, addr, subject, token, i % 60, token, addr.split("@")[1]))
    if opts and opts.size_mix:
        target = log_uniform(rng, 2048, 10240) if rng.random() < 0.75 else log_uniform(rng, 10240, 51200)
        text = text_mixed(rng, subject, name, target - len(head) - 44)  # 44: the Content-Type line
    else:
        filler = "".join(rng.choice("abcdefghij klmnopqrstuvwxyz.\r\n") for _ in range(rng.randint(1500, 40000)))
        text = BODY % (subject, name, filler)
    attach = rng.randint(1, 100) <= attach_percent
    huge = opts is not None and i in opts.huge_at
    if not attach and not huge:
        return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text).encode()
    ctype, fname = "image/jpeg", "photo-%d.jpg"
    if huge or (opts and opts.max_attachment):
        # Its own generator: the attachments do not shift the rest of the messages.
        arng = random.Random("%d-%s-%d" % (opts.seed, tag, i))
        ctype, fname = arng.choice(ATTACHMENT_TYPES)
        if huge:
            size = log_uniform(arng, opts.huge_size, opts.huge_max) if opts.huge_max else opts.huge_size
        else:
            size = log_uniform(arng, 10240, max(opts.max_attachment, 10241))
        blob = arng.randbytes(size)
    else:
        blob = bytes(rng.getrandbits(8) for _ in range(rng.randint(10000, 200000)))
    fname = fname % i
    b64 = base64.encodebytes(blob).decode().replace("\n", "\r\n")
    return (head + "Content-Type: multipart/mixed; boundary=\"b-%s\"\r\n\r\n"
            "--b-%s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n"
            "--b-%s\r\nContent-Type: %s; name=\"%s\"\r\n"
            "Content-Disposition: attachment; filename=\"%s\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b-%s--\r\n"
            % (token, token, text, token, ctype, fname, fname, b64, token)).encode()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("n", type=int)
    p.add_argument("dir")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--attachments", type=int, default=10)
    p.add_argument("--tag", default="gen")
    p.add_argument("--size-mix", action="store_true")
    p.add_argument("--max-attachment", type=int, default=0, metavar="BYTES")
    p.add_argument("--huge", type=int, default=0, metavar="COUNT")
    p.add_argument("--huge-size", type=int, default=20 * 1024 * 1024, metavar="BYTES")
    p.add_argument("--huge-max", type=int, default=0, metavar="BYTES")
    p.add_argument("--huge-together", action="store_true")
    a = p.parse_args()
    if a.huge > a.n:
        p.error("--huge %d is more than N = %d" % (a.huge, a.n))
    opts = None
    if a.size_mix or a.max_attachment or a.huge:
        opts = a
        # evenly spread: the middle of each of COUNT equal slices of the N messages
        a.huge_at = {(2 * k + 1) * a.n // (2 * a.huge) for k in range(a.huge)}
        if a.huge_together:
            a.huge_at = {(a.n - a.huge) // 2 + k for k in range(a.huge)}
    rng = random.Random(a.seed)
    os.makedirs(a.dir, exist_ok=True)
    for i in range(a.n):
        with open(os.path.join(a.dir, "%06d.eml" % i), "wb") as f:
            f.write(message(i, a.tag, rng, a.attachments, opts))


if __name__ == "__main__":
    main()
