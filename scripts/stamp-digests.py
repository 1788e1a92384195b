#!/usr/bin/env python3
"""Fills in the `envguard-digest: sha256:<hex>` line of each file `envguard
init` copies into an app (hooks/deploy.sh, hooks/deploy.cmd,
hooks/envguard_check.py), after an edit of one of them.

The digest is SHA-256 of the file with CRLF read as LF and without the digest
line itself, as crates/envguard-core/src/shipped.rs reads it; `init` updates a
copy whose line matches and keeps one that does not (the user edited it).
Each file keeps its own line endings. `cargo test` fails until this has run.

    python3 scripts/stamp-digests.py
"""
import hashlib
import os
import sys

KEY = b"envguard-digest: sha256:"
FILES = ["hooks/deploy.sh", "hooks/deploy.cmd", "hooks/envguard_check.py"]


def stamp(path):
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    at = next((i for i, line in enumerate(lines) if KEY in line), None)
    if at is None:
        sys.exit("%s: no line with %r to fill in" % (path, KEY.decode()))
    rest = b"\n".join(
        line[:-1] if line.endswith(b"\r") else line
        for i, line in enumerate(lines)
        if i != at
    )
    digest = hashlib.sha256(rest).hexdigest().encode()
    line = lines[at]
    cr = b"\r" if line.endswith(b"\r") else b""
    lines[at] = line[: line.index(KEY) + len(KEY)] + digest + cr
    new = b"\n".join(lines)
    if new != data:
        with open(path + ".tmp", "wb") as f:
            f.write(new)
        os.replace(path + ".tmp", path)
        print("stamped %s" % path)


def main():
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    for path in FILES:
        stamp(path)


main()
