"""Writes tiny pure-Python wheels for the checker's tests and benchmark.

    python3 make_wheels.py OUTDIR SPEC.json [TAG]

SPEC.json is a list of {"name", "version", "requires": [Requires-Dist ...],
"extras": [Provides-Extra ...]}. Each wheel holds one module, METADATA,
WHEEL and a RECORD with real hashes: enough for pip to install it offline
(`--no-index --find-links OUTDIR`). TAG is the wheel's compatibility tag
[py3-none-any]; `py2.py3-none-any` also installs on Python 2.7. Standard
library only.
"""
import base64
import hashlib
import json
import os
import re
import sys
import zipfile


def wheel(out, spec, tag="py3-none-any", payload=None):
    """Writes the wheel of spec into out and returns its file name. payload
    is {path in the wheel: text} [one package, `<name>/__init__.py`]."""
    name, version = spec["name"], spec["version"]
    dist = dist_name(name)
    info = f"{dist}-{version}.dist-info"
    # "metadata_name": a METADATA Name other than the folder's (a broken wheel).
    meta = [f"Metadata-Version: 2.1", f"Name: {spec.get('metadata_name', name)}"]
    meta += [f"Version: {version}"]
    meta += [f"Provides-Extra: {e}" for e in spec.get("extras", [])]
    meta += [f"Requires-Dist: {r}" for r in spec.get("requires", [])]
    if payload is None:
        payload = {f"{dist.lower()}/__init__.py": f'VERSION = "{version}"\n'}
    files = {
        **payload,
        f"{info}/METADATA": "\n".join(meta) + "\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: envguard-tests\n"
        f"Root-Is-Purelib: true\n" + "".join(f"Tag: {t}\n" for t in expand(tag)),
    }
    record = ""
    for path, text in files.items():
        digest = hashlib.sha256(text.encode()).digest()
        b64 = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        record += f"{path},sha256={b64},{len(text.encode())}\n"
    files[f"{info}/RECORD"] = record + f"{info}/RECORD,,\n"
    filename = f"{dist}-{version}-{tag}.whl"
    with zipfile.ZipFile(os.path.join(out, filename), "w") as whl:
        for path, text in files.items():
            whl.writestr(path, text)
    return filename


def dist_name(name):
    """The file name and the .dist-info folder use the name with every run of
    -_. as one underscore (the wheel spec's escaping); METADATA keeps it as
    written, mixed case and dots included."""
    return re.sub(r"[-_.]+", "_", name)


def expand(tag):
    """The WHEEL file lists each tag of a compressed set on its own line."""
    python, abi, platform = tag.split("-")
    return [f"{p}-{abi}-{platform}" for p in python.split(".")]


if __name__ == "__main__":
    tag = sys.argv[3] if len(sys.argv) > 3 else "py3-none-any"
    with open(sys.argv[2]) as f:
        for spec in json.load(f):
            wheel(sys.argv[1], spec, tag)
