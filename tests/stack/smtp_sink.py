#!/usr/bin/python3
"""A real SMTP server for the test stack (aiosmtpd, from Debian's python3-aiosmtpd).

It speaks ESMTP with STARTTLS and AUTH PLAIN/LOGIN on one port, and ESMTP over implicit
TLS on another; it keeps every accepted message as <spool>/<n>.eml, with the moment it
accepted it (X-Test-Accepted-At, Unix seconds, for bench/latency); and it answers every
RCPT with the reply written in the control file when that file is not empty (tests use
it to make the server say 451 or 550). It only listens on 127.0.0.1.
"""
import argparse
import asyncio
import os
import ssl
import time

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class SpoolHandler:
    def __init__(self, spool, control):
        self.spool = spool
        self.control = control
        self.count = len([n for n in os.listdir(spool) if n.endswith(".eml")])

    def forced_reply(self):
        try:
            with open(self.control, encoding="utf-8") as f:
                reply = f.read().strip()
        except FileNotFoundError:
            return None
        return reply or None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.forced_reply()
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        accepted = time.time()  # the whole message is in: the 250 goes out next
        self.count += 1
        name = os.path.join(self.spool, "%06d.eml" % self.count)
        head = "X-Test-Mail-From: %s\r\nX-Test-Rcpt-To: %s\r\nX-Test-Accepted-At: %.6f\r\n" % (
            envelope.mail_from, " ".join(envelope.rcpt_tos), accepted)
        tmp = name + ".tmp"
        with open(tmp, "wb") as f:
            f.write(head.encode("ascii", "replace"))
            f.write(envelope.original_content)
        os.rename(tmp, name)  # readers never see half a message
        return "250 2.0.0 queued as %d" % self.count


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == self.user
              and auth_data.password == self.password)
        return AuthResult(success=ok, handled=False)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--tls-port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--spool", required=True)
    p.add_argument("--control", required=True)
    p.add_argument("--user", default="smtpuser")
    p.add_argument("--password", default="secret-smtp")
    args = p.parse_args()

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    handler = SpoolHandler(args.spool, args.control)
    auth = Authenticator(args.user, args.password)

    def factory(implicit_tls):
        def make():
            return SMTP(handler, hostname="sink.test", tls_context=None if implicit_tls else context,
                        authenticator=auth, auth_require_tls=False, require_starttls=False,
                        enable_SMTPUTF8=True, data_size_limit=64 * 1024 * 1024)
        return make

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    plain = loop.run_until_complete(loop.create_server(factory(False), "127.0.0.1", args.port))
    tls = loop.run_until_complete(
        loop.create_server(factory(True), "127.0.0.1", args.tls_port, ssl=context))
    try:
        loop.run_forever()
    finally:
        plain.close()
        tls.close()


if __name__ == "__main__":
    main()
