#!/usr/bin/env python3
"""layering: a layer that includes what it must not fails to compile.

Each probe is one #include, compiled exactly as a real source file of a layer is
compiled (its command from the build's compile_commands.json, with that file's own
directory searched for "..." includes as the compiler does for the real file). Probes
marked "fail" must stop with "No such file" for that header; probes marked "ok" must
compile, so the check is not vacuous (the command works and the legal includes pass).

System headers that sit on the default search path (libetpan's) cannot be hidden
from the compiler, so a second check reads the sources: libetpan only in daemon/,
libpq only in store/ (bench/ measures the bare libraries and is exempt)."""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

# layer -> a real source file whose compile command stands for the layer
LAYERS = {
    "types": "rules/types/domain_types.c",
    "common": "common/log.c",
    "config": "config/config.c",
    "parser": "parser/message.c",
    "rules": "rules/triage.c",
    "mailout": "mailout/outgoing.c",
    "store": "store/case_store.c",
    "daemon": "daemon/main.c",
    "cli": "cli/main.c",
    "web": "web/page.c",
    "webkit": "web/html.c",
}

PROBES = [
    # parser: bytes to message; knows nothing of SQL, IMAP, the config or the rules
    ("parser", '"store.h"', "fail"),
    ("parser", "<libpq-fe.h>", "fail"),
    ("parser", '"imap_client.h"', "fail"),
    ("parser", '"config.h"', "fail"),
    ("parser", '"triage.h"', "fail"),
    ("parser", '"message.h"', "ok"),
    ("parser", '"parser_private.h"', "ok"),
    ("parser", '"domain_types.h"', "ok"),
    # rules: pure functions; no SQL, no IMAP, no clock or log, no parsing
    ("rules", "<libpq-fe.h>", "fail"),
    ("rules", '"store.h"', "fail"),
    ("rules", '"imap_client.h"', "fail"),
    ("rules", '"clock.h"', "fail"),
    ("rules", '"log.h"', "fail"),
    ("rules", "<gmime/gmime.h>", "fail"),
    ("rules", '"parser_private.h"', "fail"),
    ("rules", '"config_private.h"', "fail"),
    ("rules", '"triage.h"', "ok"),
    ("rules", '"message.h"', "ok"),
    ("rules", '"config.h"', "ok"),
    # types: the bottom; sees nothing of ours
    ("types", '"config.h"', "fail"),
    ("types", '"log.h"', "fail"),
    # config: no SQL, no IMAP, no rules
    ("config", '"store.h"', "fail"),
    ("config", '"calendar.h"', "fail"),
    ("config", '"config_private.h"', "ok"),
    # mailout renders and builds; it never stores or sends
    ("mailout", '"store.h"', "fail"),
    ("mailout", '"smtp_client.h"', "fail"),
    ("mailout", "<libpq-fe.h>", "fail"),
    ("mailout", '"outgoing.h"', "ok"),
    # store: the only SQL, and nothing of IMAP or SMTP
    ("store", '"imap_client.h"', "fail"),
    ("store", '"smtp_client.h"', "fail"),
    ("store", '"tls_verify.h"', "fail"),
    ("store", '"outgoing.h"', "fail"),
    ("store", '"store_private.h"', "ok"),
    ("store", "<libpq-fe.h>", "ok"),
    ("store", '"triage.h"', "ok"),
    # the programs see the libraries' public headers only
    ("cli", '"store_private.h"', "fail"),
    ("cli", '"imap_client.h"', "fail"),
    ("cli", "<libpq-fe.h>", "fail"),
    ("cli", '"parser_private.h"', "fail"),
    ("cli", '"store.h"', "ok"),
    ("cli", '"calendar.h"', "ok"),
    ("daemon", '"store_private.h"', "fail"),
    ("daemon", '"config_private.h"', "fail"),
    ("daemon", '"holidays.h"', "fail"),
    ("daemon", '"store.h"', "ok"),
    ("daemon", '"imap_client.h"', "ok"),
    ("daemon", '"outgoing.h"', "ok"),
    # the web desk: the store's and the rules' public headers; no SQL, IMAP or SMTP of its own
    ("web", '"store_private.h"', "fail"),
    ("web", '"config_private.h"', "fail"),
    ("web", '"imap_client.h"', "fail"),
    ("web", '"outgoing.h"', "fail"),
    ("web", "<libpq-fe.h>", "fail"),
    ("web", '"store_desk.h"', "ok"),
    ("web", '"lifecycle.h"', "ok"),
    ("web", "<microhttpd.h>", "ok"),
    # its renderer, chart and limiter know nothing of HTTP, SQL or the config
    ("webkit", '"store.h"', "fail"),
    ("webkit", '"config.h"', "fail"),
    ("webkit", '"html.h"', "ok"),
]

# (directories whose sources may include it, pattern of the include)
SOURCE_RULES = [
    (("daemon/", "bench/"), re.compile(r'#\s*include\s*[<"]libetpan/')),
    (("store/", "bench/"), re.compile(r'#\s*include\s*[<"]libpq-fe\.h')),
    (("parser/", "mailout/", "daemon/", "bench/"), re.compile(r'#\s*include\s*[<"]gmime/')),
]


def layer_commands(top, build):
    """The compile command (argv without -o/-c/source) of each layer's reference file."""
    with open(os.path.join(build, "compile_commands.json")) as f:
        entries = {os.path.realpath(e["file"]): e for e in json.load(f)}
    commands = {}
    for layer, rel in LAYERS.items():
        entry = entries.get(os.path.realpath(os.path.join(top, rel)))
        if entry is None:
            sys.exit(f"FAILED: no compile command for {rel} in {build}")
        argv = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
        kept, skip = [], False
        for arg in argv:
            if skip:
                skip = False
            elif arg == "-o":
                skip = True
            elif arg != "-c" and os.path.realpath(os.path.join(entry["directory"], arg)) != \
                    os.path.realpath(entry["file"]):
                kept.append(arg)
        commands[layer] = (kept, entry["directory"], os.path.dirname(os.path.join(top, rel)))
    return commands


def compile_probe(command, header, workdir):
    argv, cwd, own_dir = command
    probe = os.path.join(workdir, "probe.c")
    with open(probe, "w") as f:
        f.write(f"#include {header}\ntypedef int layering_probe;\n")
    # "..." includes search the including file's directory first: the real file's.
    run = subprocess.run(argv + ["-fsyntax-only", "-iquote", own_dir, probe],
                         cwd=cwd, capture_output=True, text=True)
    return run.returncode, run.stderr


def check_probes(commands):
    failures = 0
    with tempfile.TemporaryDirectory() as workdir:
        for layer, header, expect in PROBES:
            status, stderr = compile_probe(commands[layer], header, workdir)
            name = header.strip('"<>')
            missing = status != 0 and f"{name}: No such file or directory" in stderr
            if expect == "fail" and missing:
                print(f"ok: {layer} cannot include {header}")
            elif expect == "ok" and status == 0:
                print(f"ok: {layer} may include {header}")
            else:
                failures += 1
                print(f"FAILED: {layer} including {header}: expected {expect}, "
                      f"compiler said (status {status}):\n{stderr.strip()}")
    return failures


def check_sources(top):
    failures = 0
    for root, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if not d.startswith((".", "build"))]
        for name in files:
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, top)
            with open(path, errors="replace") as f:
                text = f.read()
            for allowed, pattern in SOURCE_RULES:
                if pattern.search(text) and not rel.startswith(allowed):
                    failures += 1
                    print(f"FAILED: {rel} includes {pattern.pattern}, allowed only in {allowed}")
    print(f"ok: system headers only where their layer allows ({len(SOURCE_RULES)} rules)")
    return failures


def main():
    top = os.environ.get("CASELOG_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build = os.environ["CASELOG_BUILD_DIR"]
    failures = check_probes(layer_commands(top, build)) + check_sources(top)
    print(f"layering: {len(PROBES)} probes, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
