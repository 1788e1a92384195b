#!/usr/bin/env python3
"""Reads requirements files with pip's own parser, for comparison with envguard.

Usage: pip_compare.py --platform linux|windows --python X.Y[.Z] [--format json|toml] DIR...

Each DIR holds a `requirements.txt` (and whatever it includes). For each, this
runs pip's `parse_requirements` (pip._internal.req.req_file) from inside DIR,
turns every requirement into an InstallRequirement the way `pip install -r`
does (`install_req_from_parsed_requirement`), evaluates its markers for the
given CPython target (installed when they hold in any environment the server
may have, as envguard's requirements/markers.rs counts them), and prints one JSON object keyed by DIR (or the same as
TOML, `[DIR]` tables, which envguard's tests read without a JSON crate):

    {"error":    null, or why pip refuses the whole file set,
     "packages": {"canonical-name": ["canonical-extra", ...]},  # installed
     "unnamed":  ["file:line", ...],   # installed, no name (URL or path)
     "invalid":  ["file:line", ...]}   # requirements pip refuses

`file` is relative to DIR. Nothing touches the network: the session refuses
any request, so only local files are read.

Decoding is pip's as of 24.2 (pypa/pip#12795): BOM, else a `coding:` comment,
else UTF-8, else the locale's encoding, taken here to be Windows-1252 (an
English Windows App Service; also envguard's fallback). An older pip decodes
with the locale's encoding straight away; it is made to try UTF-8 first too.

envguard's test `crates/envguard-core/tests/it/requirements_pip.rs` runs this and compares.
"""

import argparse
import itertools
import json
import os
import re
import sys


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--platform", choices=["linux", "windows"], required=True)
    parser.add_argument("--python", required=True)
    parser.add_argument("--format", choices=["json", "toml"], default="json")
    parser.add_argument("dirs", nargs="+")
    args = parser.parse_args()

    from pip._internal.network.session import PipSession
    from pip._internal.req.constructors import install_req_from_parsed_requirement
    from pip._internal.req import req_file
    from pip._internal.req.req_file import parse_requirements
    from pip._vendor.packaging.utils import canonicalize_name

    import locale

    fallback = ["cp1252"]
    locale.getpreferredencoding = lambda do_setlocale=True: fallback[0]
    locale.getencoding = lambda: fallback[0]  # what pip >= 26 asks on Python >= 3.11
    if hasattr(req_file, "auto_decode"):
        # pip < 24.2: BOM, coding comment, then the locale only.
        original = req_file.auto_decode

        def auto_decode(data: bytes) -> str:
            try:
                fallback[0] = "utf-8"
                return original(data)
            except UnicodeDecodeError:
                fallback[0] = "cp1252"
                return original(data)

        req_file.auto_decode = auto_decode

    class OfflineSession(PipSession):
        def request(self, method, url, *args, **kwargs):
            raise RuntimeError(f"network disabled in pip_compare: {url}")

    session = OfflineSession()
    # pip < 25 has no cycle check: an include cycle recurses until Python
    # gives up. A lower limit makes that quick; real include trees are shallow.
    sys.setrecursionlimit(200)
    environments = marker_environments(args.platform, args.python)
    comes_from_re = re.compile(r"^-[rc] (.*) \(line (\d+)\)$")
    results = {}
    start = os.getcwd()
    for directory in args.dirs:
        os.chdir(os.path.join(start, directory))
        result = {"error": None, "packages": {}, "unnamed": [], "invalid": []}
        try:
            for parsed in parse_requirements("requirements.txt", session):
                match = comes_from_re.match(parsed.comes_from)
                where = f"{os.path.normpath(match.group(1))}:{match.group(2)}".replace(os.sep, "/")
                try:
                    ireq = install_req_from_parsed_requirement(parsed)
                    if ireq.markers is not None:
                        applies = any(ireq.markers.evaluate(dict(env, extra=""))
                                      for env in environments)
                    else:
                        applies = True
                except Exception:  # noqa: BLE001 - pip refuses the requirement, whatever the kind
                    result["invalid"].append(where)
                    continue
                if parsed.constraint or not applies:
                    continue
                if ireq.name is None:
                    result["unnamed"].append(where)
                else:
                    extras = result["packages"].setdefault(canonicalize_name(ireq.name), [])
                    for extra in ireq.extras:
                        if canonicalize_name(extra) not in extras:
                            extras.append(canonicalize_name(extra))
                    extras.sort()
        except BaseException as err:  # noqa: BLE001 - RecursionError on cycles, parse errors, decoding
            if isinstance(err, KeyboardInterrupt):
                raise
            result["error"] = f"{type(err).__name__}: {err}".splitlines()[0]
        results[directory] = result
    os.chdir(start)
    if args.format == "toml":
        print(to_toml(results))
    else:
        json.dump(results, sys.stdout, indent=1, sort_keys=True)
        print()
    return 0


def to_toml(results: dict) -> str:
    """The results as TOML. A JSON string without ASCII escaping is a valid
    TOML basic string, so json.dumps quotes every key and value."""
    quote = lambda text: json.dumps(text, ensure_ascii=False)  # noqa: E731
    out = []
    for directory, result in sorted(results.items()):
        out.append(f"[{quote(directory)}]")
        if result["error"] is not None:
            out.append(f"error = {quote(result['error'])}")
        packages = ", ".join(f"{quote(name)} = [{', '.join(map(quote, extras))}]"
                             for name, extras in sorted(result["packages"].items()))
        out.append(f"packages = {{ {packages} }}")
        for key in ("unnamed", "invalid"):
            out.append(f"{key} = [{', '.join(map(quote, result[key]))}]")
        out.append("")
    return "\n".join(out)


def marker_environments(platform: str, python: str) -> list:
    """The PEP 508 environments of CPython X.Y on the deployment target that
    envguard cannot tell apart: the machine, the kernel or Windows build and
    the patch level are not in the repository, so each takes the values the
    fixtures compare with (envguard counts any value)."""
    major, minor = python.split(".")[:2]
    if platform == "windows":
        os_name, sys_platform, system = "nt", "win32", "Windows"
    else:
        os_name, sys_platform, system = "posix", "linux", "Linux"
    machines = ["x86_64", "AMD64", "aarch64", "x86"]
    builds = ["", "6.8.0-azure"]
    fulls = [f"{major}.{minor}.{patch}" for patch in (0, 3, 4, 99)]
    return [
        {
            "implementation_name": "cpython",
            "implementation_version": full,
            "os_name": os_name,
            "platform_machine": machine,
            "platform_python_implementation": "CPython",
            "platform_release": build,
            "platform_system": system,
            "platform_version": build,
            "python_full_version": full,
            "python_version": f"{major}.{minor}",
            "sys_platform": sys_platform,
        }
        for machine, build, full in itertools.product(machines, builds, fulls)
    ]


if __name__ == "__main__":
    sys.exit(main())
