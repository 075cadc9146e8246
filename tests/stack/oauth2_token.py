#!/usr/bin/python3
"""Print an OAuth2 access token for the test stack's XOAUTH2 Dovecot: an HS256 JWT
signed with the stack's key (CASELOG_TEST_OAUTH2_KEY_FILE), the way a real
token_command prints one from Microsoft 365 or Google. Usage:
  oauth2_token.py USER [--expires-in SECONDS]   (default 3600; negative: already expired)
  oauth2_token.py USER --wrong-key              (well formed, signed with another key)
Standard library only."""
import argparse
import base64
import hashlib
import hmac
import json
import os
import time


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("user")
    p.add_argument("--expires-in", type=int, default=3600)
    p.add_argument("--wrong-key", action="store_true")
    args = p.parse_args()
    with open(os.environ["CASELOG_TEST_OAUTH2_KEY_FILE"], "rb") as f:
        key = f.read().strip()
    if args.wrong_key:
        key = hashlib.sha256(b"not the stack's key" + key).hexdigest().encode()
    now = int(time.time())
    exp = now + args.expires_in
    header = b64url(json.dumps({"typ": "JWT", "alg": "HS256"}, separators=(",", ":")).encode())
    claims = {"sub": args.user, "iat": min(now, exp - 60), "exp": exp}
    body = b64url(json.dumps(claims, separators=(",", ":")).encode())
    signing = ("%s.%s" % (header, body)).encode()
    sig = b64url(hmac.new(key, signing, hashlib.sha256).digest())
    print("%s.%s" % (signing.decode(), sig))


if __name__ == "__main__":
    main()
