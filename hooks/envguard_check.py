# -*- coding: utf-8 -*-
# `envguard init` updates a copy of this file only while the next line matches it
# (its SHA-256 without that line; envguard's docs/formats.md), so edits are kept.
# envguard-digest: sha256:51e15ea46f53b32bc6c8429ac46f9aa6fe407b9cf9f17f8b8fd79461540f1c21
"""envguard's leftovers check, run by a virtual environment's own Python.

    python envguard_check.py -r REQUIREMENTS [-r MORE ...] [--keep "a,b"]
                             [--config envguard.toml]
    python envguard_check.py --files -r REQUIREMENTS --root DIR
                             [--exclude DIR ...]
                             [--inputs FILE [--satisfied [--keep "a,b"]
                                                         [--config envguard.toml]]]

Lists, one `<canonical-name>==<version>` a line and sorted, every distribution
installed in this environment that the requirements no longer reach: pip never
uninstalls, so a package removed from requirements.txt (or orphaned by an
upgrade) stays importable until the environment is rebuilt.

Reachable means: named by a requirement pip installs from those files (its
own parser, so `-r`/`-c`, markers, `${VAR}` and options are read exactly as
pip read them; one without a name, such as `-e .`, is the distribution whose
direct_url.json records its URL), or required through `Requires-Dist` by a reachable
distribution, with extras and markers evaluated by pip's vendored
`packaging` against this interpreter, and extras carried along as pip does.
pip, setuptools, wheel and the kept names (--keep, and `keep = [...]` in
envguard.toml) are never reported, and neither is what they require.

Exit: 0 nothing left over, 1 leftovers listed, 2 usage error, 3 this
environment cannot be judged (the reason is on stderr; the caller must remove
nothing by this list). Diagnostics go to stderr, each line starting `envguard-check:`.

--files, run before pip, is the one place that watches what pip's parser
reads: every file it opens for the requirements (-r/-c, nested) is judged
before it is opened -- inside --root after links and `..`, outside each
--exclude, not by URL -- and listed on stdout relative to the root; any other
file is refused with exit 3, naming the line that includes it. --inputs FILE
also writes what pip's outcome depends on besides the installed
distributions, one item a line (deploy.sh skips pip when none of it changed):
`file PATH` for each requirements file pip's parser read (includes and
constraints too), `ref NAME` for each `${NAME}` in them (pip fills it in from
the environment), `link TEXT` for each requirement installed from a path or
URL (pip reinstalls a local project every time, so its outcome depends on
the project's files), and `unknown WHY` when a read cannot be named.
--satisfied adds, first, `satisfied` when `pip install -r` would install
nothing into this environment (every requirement reached is installed at a
version it allows, and nothing tells pip to upgrade or reinstall: see
unsatisfied()), followed on that line by what the check would list (with
--keep and --config as the check takes them), else `unsatisfied WHY`.

Runs on Python 2.7 and 3.4+ (legacy Windows App Service: 2.7, 3.4, 3.6) with
the pip found in the environment: no f-strings, no annotations. Python 3.8+
reads installed metadata with importlib.metadata; older ones read
`*.dist-info/METADATA` and `*.egg-info` (PKG-INFO, requires.txt) directly.
"""
from __future__ import print_function

import os
import sys

# `python envguard_check.py` puts this file's folder first on sys.path before
# anything runs (CPython Modules/main.c, pymain_run_python): an app's own
# json.py or re.py beside it would shadow the standard library in the imports
# below. os and sys are loaded by Python's startup, before that folder is.
if __name__ == "__main__" and sys.path and os.path.realpath(sys.path[0] or os.curdir) == (
    os.path.dirname(os.path.realpath(__file__))
):
    del sys.path[0]

import io
import json
import re

EXIT_CLEAN, EXIT_LEFTOVERS, EXIT_USAGE, EXIT_CANNOT_JUDGE = 0, 1, 2, 3

# pip's own tools: never leftovers, whatever requirements.txt says.
ALWAYS_KEPT = ("pip", "setuptools", "wheel")

USAGE = (
    "usage: envguard_check.py -r REQUIREMENTS [-r MORE ...] "
    '[--keep "a,b,c"] [--config envguard.toml]'
)


class UsageError(Exception):
    pass


class CannotJudge(Exception):
    pass


def note(message):
    sys.stderr.write("envguard-check: %s\n" % message)


def canonical(name):
    """PEP 503: runs of -, _ and . are one -, case does not count."""
    return re.sub(r"[-_.]+", "-", name).lower()


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def parse_args(argv):
    """(requirement files, kept names, config path or None) from argv."""
    files, keep, config = [], [], None
    args = list(argv)
    while args:
        arg = args.pop(0)
        name, eq, value = arg.partition("=")
        if name in ("--requirement", "--keep", "--config"):
            if not eq:
                if not args:
                    raise UsageError("%s needs a value" % name)
                value = args.pop(0)
        elif arg == "-r":
            if not args:
                raise UsageError("-r needs a value")
            name, value = "-r", args.pop(0)
        elif arg.startswith("-r") and len(arg) > 2:
            name, value = "-r", arg[2:]
        else:
            raise UsageError("unknown argument %r" % arg)
        if name in ("-r", "--requirement"):
            files.append(value)
        elif name == "--keep":
            keep.extend(n.strip() for n in value.split(",") if n.strip())
        else:
            config = value
    if not files:
        raise UsageError("at least one -r REQUIREMENTS is needed")
    return files, keep, config


# ---------------------------------------------------------------------------
# pip's vendored packaging, and pip's requirements-file parser
# ---------------------------------------------------------------------------


class Packaging(object):
    """pip's vendored packaging (pip 8.1 and later vendor it with markers),
    else an installed one: parses Requires-Dist strings and their markers."""

    def __init__(self):
        try:
            from pip._vendor.packaging import markers, requirements, specifiers
        except ImportError:
            try:
                from packaging import markers, requirements, specifiers
            except ImportError:
                raise CannotJudge(
                    "this environment's pip vendors no packaging.markers "
                    "(pip older than 8.1?): upgrade pip in the environment"
                )
        self.Requirement = requirements.Requirement
        self.Marker = markers.Marker
        self.invalid = (requirements.InvalidRequirement, markers.InvalidMarker)
        self.SpecifierSet = specifiers.SpecifierSet
        self.markers = {}  # marker text -> Marker: a few texts recur a lot
        self.specifier_sets = {}

    def parse(self, text):
        """(canonical name, extras, specifiers as text, Marker or None) of a
        Requires-Dist.

        The common form, `name [extras] version-spec ; marker`, is split by
        PEP 508's grammar and only its marker is handed to packaging: a full
        parse of each of hundreds of strings would cost most of a second
        with the pyparsing that older pips vendor. A URL (`@`) or anything
        the split does not vouch for is parsed by packaging whole."""
        split = REQUIRES_DIST.match(text)
        if split and SPECIFIERS.match(split.group(3)) and all(
            NAME.match(e.strip()) for e in (split.group(2) or "x").split(",")
        ):
            extras = tuple(e.strip() for e in (split.group(2) or "").split(",") if e.strip())
            marker_text = (split.group(4) or "").strip()
            marker = None
            if marker_text:
                marker = self.markers.get(marker_text)
                if marker is None:
                    marker = self.markers[marker_text] = self.Marker(marker_text)
            specifiers = split.group(3).strip()
            if specifiers.startswith("("):
                specifiers = specifiers[1:-1]
            return canonical(split.group(1)), extras, specifiers, marker
        req = self.Requirement(text)
        # One by URL allows no installed version (pip compares its origin).
        specifiers = None if req.url else str(req.specifier)
        return canonical(req.name), tuple(req.extras), specifiers, req.marker

    def allows(self, specifiers, version):
        """Whether the installed `version` satisfies `specifiers` as pip
        judges an installed distribution: prereleases allowed (pip's
        resolution/resolvelib/factory.py, _iter_found_candidates). False
        for anything that does not parse, or None."""
        if specifiers is None:
            return False
        try:
            specifier_set = self.specifier_sets.get(specifiers)
            if specifier_set is None:
                specifier_set = self.specifier_sets[specifiers] = self.SpecifierSet(specifiers)
            return bool(specifier_set.contains(version, prereleases=True))
        except Exception:
            return False


NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
UNSAFE_IN_VERSION = re.compile(r"[^A-Za-z0-9.+!_*-]")
REQUIRES_DIST = re.compile(
    r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*"  # name
    r"(?:\[([^\]]*)\])?"  # [extras]
    r"([^;\[\]]*)"  # version specifiers (or "@ url": SPECIFIERS says no)
    r"(?:;(.*))?$",  # ; marker
    re.S,
)
SPECIFIER = r"\s*(?:~=|===?|!=|<=?|>=?)\s*[A-Za-z0-9.*+!_-]+\s*"
SPECIFIERS = re.compile(
    r"\s*(?:(?:%s(?:,%s)*)|\(\s*(?:%s(?:,%s)*)?\))?\s*$" % ((SPECIFIER,) * 4)
)


class NoNetwork(object):
    """The `session` pip's parser wants; it is asked only for `-r URL`."""

    def get(self, url, *args, **kwargs):
        raise CannotJudge("the requirements include %s, which is not read from here" % url)


def pip_parser():
    """A function(path) that yields InstallRequirement-like objects, through
    whichever parser this environment's pip has."""
    try:
        from pip._internal.req.req_file import parse_requirements
    except ImportError:
        try:
            from pip.req.req_file import parse_requirements  # pip before 10
        except ImportError:
            raise CannotJudge("this environment's pip has no requirements-file parser")
    try:
        # pip 20.1 and later yield ParsedRequirement, turned into an
        # InstallRequirement as `pip install` does it.
        from pip._internal.req.constructors import install_req_from_parsed_requirement
    except ImportError:
        install_req_from_parsed_requirement = None

    def parse(path):
        for item in parse_requirements(path, session=NoNetwork()):
            if install_req_from_parsed_requirement is not None and not hasattr(
                item, "match_markers"
            ):
                item = install_req_from_parsed_requirement(item)
            yield item

    return parse


class Unnamed(object):
    """A requirement pip names only once it has built it (`-e .`, `./pkg`,
    a local archive, a VCS URL without `#egg=`): what it is, and the
    origin pip records in direct_url.json when it installs it."""

    def __init__(self, path, text, origin, extras):
        self.path = path
        self.text = text
        self.origin = origin
        self.extras = extras


def pip_version():
    """This environment's pip as (major, minor); (0, 0) when it says nothing."""
    import pip

    numbers = re.findall(r"\d+", getattr(pip, "__version__", ""))
    return tuple(int(n) for n in (numbers + ["0", "0"])[:2])


def pip_url_tools():
    """pip's url_to_path and VCS registry (pip 19.3+, so every pip that
    writes direct_url.json has them)."""
    try:
        from pip._internal.utils.urls import url_to_path
        from pip._internal.vcs import vcs
    except ImportError:
        raise CannotJudge("this environment's pip has no url_to_path or VCS registry")
    return url_to_path, vcs


def file_origin(path, subdirectory, editable):
    """The key of a local path: pip writes the folder of an editable install
    with its subdirectory joined on, and other paths with a separate
    `subdirectory`; both become one normalised absolute path here."""
    full = os.path.join(path, subdirectory) if subdirectory else path
    return ("file", os.path.normcase(os.path.normpath(full)), bool(editable))


def requirement_origin(ireq, tools):
    """The origin of an unnamed requirement, from the link pip's parser made
    of it. pip made a relative path absolute against the working directory
    (`path_to_url`, `os.path.abspath`; not against the requirements file), as
    it did when it installed it: deploy.cmd and deploy.sh run this checker in
    the folder where they run pip. The VCS part is pip's own
    `direct_url_from_link` (pip's utils/direct_url_helpers.py)."""
    url_to_path, vcs = tools
    link = ireq.link
    subdirectory = link.subdirectory_fragment or None
    editable = bool(getattr(ireq, "editable", False))
    if link.scheme == "file":
        return file_origin(url_to_path(link.url_without_fragment), subdirectory, editable)
    backend = vcs.get_backend_for_scheme(link.scheme) if link.is_vcs else None
    if backend is not None:
        url, revision, _ = backend.get_url_rev_and_auth(link.url_without_fragment)
        return ("vcs", backend.name, url, revision, subdirectory, editable)
    return ("url", link.url_without_fragment, subdirectory, editable)


def recorded_origin(dist, tools):
    """The origin a distribution's direct_url.json records (PEP 610, as pip's
    models/direct_url.py reads it), or None without one. Unreadable: the
    distribution could be the one asked for, so nothing can be judged."""
    if dist.direct_url is None:
        return None
    url_to_path, _ = tools
    try:
        data = json.loads(dist.direct_url)
        url = data["url"]
        subdirectory = data.get("subdirectory") or None
        vcs_info = data.get("vcs_info")
        if vcs_info is not None:
            return ("vcs", vcs_info["vcs"], url, vcs_info.get("requested_revision"), subdirectory, False)
        editable = bool((data.get("dir_info") or {}).get("editable"))
        if url.startswith("file:"):
            return file_origin(url_to_path(url), subdirectory, editable)
        return ("url", url, subdirectory, editable)
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise CannotJudge("%s/direct_url.json is not readable: %s" % (dist.where, err or type(err).__name__))


def root_requirements(files):
    """[(canonical name, extras)] of what pip installs from the files, and
    [Unnamed] of what it installs without a name: not constraints (`-c`), not
    requirements whose markers do not hold here."""
    parse = pip_parser()
    roots, unnamed = [], []
    tools = None
    for path in files:
        try:
            for ireq in parse(path):
                if getattr(ireq, "constraint", False) or not ireq.match_markers():
                    continue
                # pip 10+ keep the extras on the InstallRequirement; older
                # ones on its parsed requirement.
                extras = getattr(ireq, "extras", None) or getattr(ireq.req, "extras", None)
                extras = tuple(sorted(extras or ()))
                if ireq.name:
                    roots.append((canonical(ireq.name), extras))
                    continue
                # pip shows an editable one as its URL only.
                text = ("-e " if getattr(ireq, "editable", False) else "") + str(ireq)
                if tools is None:
                    version = pip_version()
                    if version < (20, 1):
                        raise CannotJudge(
                            "%s: the requirement %s has no name until pip builds it, "
                            "and this environment's pip %s.%s writes no direct_url.json "
                            "to name it by (pip 20.1+ does): upgrade pip in the environment"
                            % ((path, text) + version)
                        )
                    tools = pip_url_tools()
                unnamed.append(Unnamed(path, text, requirement_origin(ireq, tools), extras))
        except CannotJudge:
            raise
        except Exception as err:  # pip's own errors, IOError: pip failed too.
            raise CannotJudge("pip cannot read %s: %s" % (path, err))
    return roots, unnamed, tools


def name_unnamed(unnamed, dists, tools):
    """[(canonical name, extras)]: each unnamed requirement as the one
    installed distribution whose direct_url.json records its origin. None or
    two: its name would be a guess, so nothing can be judged."""
    if not unnamed:
        return []
    recorded = {}
    for key in sorted(dists):
        origin = recorded_origin(dists[key], tools)
        if origin is not None:
            recorded.setdefault(origin, []).append(key)
    roots = []
    for req in unnamed:
        found = recorded.get(req.origin, [])
        if not found:
            raise CannotJudge(
                "%s: the requirement %s has no name until pip builds it, and no "
                "installed distribution records it in a direct_url.json (pip 20.1+ "
                "writes one; for an editable install pip 21.3+, when it builds a "
                "PEP 660 wheel; a relative path is taken from the working "
                "directory, as pip takes it)" % (req.path, req.text)
            )
        if len(found) > 1:
            raise CannotJudge(
                "%s: the requirement %s has no name until pip builds it, and %s all "
                "record it in their direct_url.json" % (req.path, req.text, ", ".join(found))
            )
        note("%s: %s is %s (its direct_url.json)" % (req.path, req.text, found[0]))
        roots.append((found[0], req.extras))
    return roots


# ---------------------------------------------------------------------------
# Installed distributions
# ---------------------------------------------------------------------------


class Dist(object):
    def __init__(self, name, version, requires, where, direct_url):
        self.name = name
        self.version = version
        self.requires = requires  # Requires-Dist strings, markers included
        self.where = where
        self.direct_url = direct_url  # direct_url.json's text, or None


def folder_name(where):
    """The name pip gives an installed distribution by its metadata folder,
    before it reads METADATA: `<name>-<version>.dist-info`, or
    `<name>[-...].egg-info` (pip's metadata/importlib/_compat.py,
    parse_name_and_version_from_info_directory; pkg_resources' EGG_NAME
    splits the same way). None when the folder's name says nothing."""
    base = os.path.basename(str(where).rstrip("/\\"))
    stem, suffix = os.path.splitext(base)
    if suffix == ".dist-info":
        name, sep, _ = stem.partition("-")
        return name if sep and name else None
    if suffix == ".egg-info":
        return stem.split("-", 1)[0] or None
    return None


def named(dist):
    """dist, with its name checked against its folder's: pip lists it by the
    folder's name, import and the Requires-Dist of others by METADATA's, so
    where the two disagree the metadata contradicts itself and nothing can be
    judged (a `bravo-1.0.dist-info` whose METADATA says `Name: alpha` would
    hide bravo behind alpha)."""
    folder = folder_name(dist.where)
    if folder is not None and canonical(folder) != canonical(dist.name):
        raise CannotJudge(
            "%s: its folder names %s, its METADATA names %s: the metadata contradicts "
            "itself (pip lists it as %s); reinstall it, or rebuild the environment"
            % (dist.where, folder, dist.name, canonical(folder))
        )
    return dist


def standard_library_dirs():
    """The real paths of the standard library's folders, of this interpreter
    and of the one a virtual environment was made from (venv: base_prefix;
    old virtualenv: real_prefix). Python 2.7 ships metadata of its own there
    (`wsgiref.egg-info`, `lib-dynload/Python-2.7.*.egg-info`): part of
    Python, never a leftover."""
    import sysconfig

    prefixes = set([sys.prefix, getattr(sys, "base_prefix", sys.prefix)])
    prefixes.add(getattr(sys, "real_prefix", sys.prefix))
    dirs = set()
    for prefix in prefixes:
        where = {"base": prefix, "platbase": prefix}
        for key in ("stdlib", "platstdlib"):
            try:
                dirs.add(os.path.realpath(sysconfig.get_path(key, vars=where)))
            except (KeyError, ValueError, TypeError):
                pass
    return dirs


def part_of_python(folder, stdlib):
    """A standard library folder, or one inside it (lib-dynload, plat-*,
    lib-tk) that is not a site-packages folder."""
    real = os.path.realpath(folder)
    for lib in stdlib:
        if real == lib:
            return True
        if real.startswith(lib + os.sep):
            inside = real[len(lib) + 1 :].split(os.sep)
            if "site-packages" not in inside and "dist-packages" not in inside:
                return True
    return False


def search_path():
    """sys.path less the folder of this script (which Python puts first) and
    less the standard library's own folders."""
    here = os.path.dirname(os.path.abspath(__file__))
    stdlib = standard_library_dirs()
    return [
        p
        for p in sys.path
        if p and os.path.abspath(p) != here and not part_of_python(p, stdlib)
    ]


def installed_by_importlib(metadata, path):
    found = []
    for dist in metadata.distributions(path=path):
        where = str(getattr(dist, "_path", "?"))
        try:
            meta = dist.metadata
            name = meta["Name"] if meta is not None else None
            version = meta["Version"] or "?"
            requires = list(dist.requires or ())
        except Exception as err:  # a .dist-info without METADATA, say
            raise CannotJudge("%s has no readable metadata: %s" % (where, err))
        if not name:
            raise CannotJudge("%s has no readable metadata (no Name)" % where)
        try:
            direct_url = dist.read_text("direct_url.json")
        except Exception as err:  # undecodable bytes, say
            raise CannotJudge("%s/direct_url.json is not readable: %s" % (where, err))
        found.append(named(Dist(name, version, requires, where, direct_url)))
    return found


def read_headers(text):
    """The headers of an email-style metadata file: {lower-case key: [values]}."""
    headers = {}
    key = None
    for line in text.splitlines():
        if not line.strip():
            break
        if line[0] in " \t" and key is not None:
            headers[key][-1] += " " + line.strip()
            continue
        key, sep, value = line.partition(":")
        if not sep:
            key = None
            continue
        key = key.strip().lower()
        headers.setdefault(key, []).append(value.strip())
    return headers


def egg_requires(text):
    """requires.txt as Requires-Dist strings, converted as importlib.metadata
    does: a `[extra:marker]` section adds `(marker) and extra == "extra"`."""
    reqs, section = [], ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        extra, _, marker = section.partition(":")
        conditions = []
        if marker:
            conditions.append("(%s)" % marker)
        if extra:
            conditions.append('extra == "%s"' % extra)
        reqs.append(line + ("; " + " and ".join(conditions) if conditions else ""))
    return reqs


def read_text(path):
    with io.open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def installed_by_files(path):
    """The same as installed_by_importlib, for Pythons without it."""
    found = []
    for folder in path:
        if not os.path.isdir(folder):
            continue
        for entry in sorted(os.listdir(folder)):
            full = os.path.join(folder, entry)
            requires_txt = None
            if entry.endswith(".dist-info") and os.path.isdir(full):
                meta_file = os.path.join(full, "METADATA")
            elif entry.endswith(".egg-info") and os.path.isdir(full):
                meta_file = os.path.join(full, "PKG-INFO")
                requires_txt = os.path.join(full, "requires.txt")
            elif entry.endswith(".egg-info") and os.path.isfile(full):
                meta_file = full  # distutils writes PKG-INFO as this file
            else:
                continue
            try:
                headers = read_headers(read_text(meta_file))
            except (IOError, OSError) as err:
                raise CannotJudge("%s has no readable metadata: %s" % (full, err))
            name = (headers.get("name") or [""])[0]
            if not name:
                raise CannotJudge("%s has no readable metadata (no Name)" % full)
            requires = headers.get("requires-dist", [])
            if requires_txt and os.path.isfile(requires_txt):
                requires = egg_requires(read_text(requires_txt))
            version = (headers.get("version") or ["?"])[0]
            direct_url = os.path.join(full, "direct_url.json")
            if os.path.isfile(direct_url):
                try:
                    with io.open(direct_url, encoding="utf-8") as f:
                        direct_url = f.read()
                except (IOError, OSError, ValueError) as err:
                    raise CannotJudge("%s is not readable: %s" % (direct_url, err))
            else:
                direct_url = None
            found.append(named(Dist(name, version, requires, full, direct_url)))
    return found


def installed():
    """{canonical name: Dist}; the first on sys.path wins, as for import."""
    path = search_path()
    try:
        import importlib.metadata as metadata  # novm: guarded, Python 3.8+
    except ImportError:
        metadata = None
    found = installed_by_importlib(metadata, path) if metadata else installed_by_files(path)
    dists = {}
    for dist in found:
        # The scripts echo and compare what is printed: PEP 508 names only,
        # and versions without characters a shell or cmd would act on.
        if not NAME.match(dist.name):
            raise CannotJudge("%s: %r is not a distribution name" % (dist.where, dist.name))
        dist.version = UNSAFE_IN_VERSION.sub("?", dist.version)
        key = canonical(dist.name)
        if key in dists:
            first = dists[key].where
            if os.path.dirname(str(first)) == os.path.dirname(str(dist.where)):
                raise CannotJudge(
                    "%s and %s both claim the name %s in one folder: which one pip lists "
                    "depends on the order the folder is read in; remove the stale one, or "
                    "rebuild the environment" % (first, dist.where, key)
                )
            note("%s is installed twice: %s wins over %s" % (key, first, dist.where))
            continue
        dists[key] = dist
    return dists


# ---------------------------------------------------------------------------
# Reachability
# ---------------------------------------------------------------------------

LEADING_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def marker_holds(marker, extras, where):
    """Whether a marker holds here for the base install ('') or any of the
    extras. packaging 22+ compares extras PEP 685-normalised, older ones
    literally: each extra is tried as written, with dashes and with
    underscores, so that no spelling of it is missed. Unknown means it holds."""
    if marker is None:
        return True
    for extra in extras:
        dashed = canonical(extra)
        for spelling in set([extra, dashed, dashed.replace("-", "_")]):
            try:
                if marker.evaluate({"extra": spelling}):
                    return True
            except Exception as err:
                note("%s: cannot evaluate the marker %s (%s): counted as required"
                     % (where, marker, err))
                return True
    return False


def requirements_of(dist, packaging):
    """[(canonical name, extras, specifiers or None, Marker or None)] of
    dist's Requires-Dist. One that does not parse is kept by its leading name,
    no specifiers and no marker: when in doubt, required."""
    parsed = []
    for text in dist.requires:
        try:
            parsed.append(packaging.parse(text))
        except packaging.invalid as err:
            match = LEADING_NAME.match(text)
            if not match:
                raise CannotJudge("%s: Requires-Dist %r names nothing (%s)" % (dist.where, text, err))
            note("%s: Requires-Dist %r does not parse (%s): %s counted as required"
                 % (dist.where, text, err, match.group(1)))
            parsed.append((canonical(match.group(1)), (), None, None))
    return parsed


def reachable(roots, dists, packaging, unmet=None):
    """The canonical names reached from roots [(name, extras)], or [(name,
    extras, specifiers)] with `unmet` a list: each requirement followed (a
    root, or a Requires-Dist whose marker holds) that no installed version
    satisfies is appended to it as (name, specifiers, who requires it). A
    name is visited again only for extras not yet followed, so cycles end."""
    followed = {}  # canonical name -> extras already followed ('' = base)
    parsed = {}
    stack = [tuple(root[:2]) + (root[2] if len(root) > 2 else "", None) for root in roots]
    while stack:
        name, extras, specifiers, by = stack.pop()
        dist = dists.get(name)
        done = followed.setdefault(name, set())
        if unmet is not None and (dist is None or not packaging.allows(specifiers, dist.version)):
            unmet.append((name, specifiers, by))
        if dist is None:
            continue
        todo = set([""] + list(extras)) - done
        if not todo:
            continue
        done.update(todo)
        if name not in parsed:
            parsed[name] = requirements_of(dist, packaging)
        for target, target_extras, target_specifiers, marker in parsed[name]:
            if marker_holds(marker, todo, dist.where):
                stack.append((target, target_extras, target_specifiers, dist.name))
    return followed


# What pip's configuration (its files and PIP_* variables) may say without
# making `pip install` touch a requirement that is already satisfied: where
# packages come from, how pip talks and logs. Anything else (upgrade,
# force-reinstall, ignore-installed, target, prefix, user, constraint,
# require-hashes, ...) may.
INERT_PIP_SETTINGS = frozenset("""
    cache-dir cert client-cert config-file default-timeout disable-pip-version-check
    exists-action extra-index-url find-links index-url keyring-provider log log-file
    no-binary no-cache-dir no-color no-compile no-index no-input no-warn-conflicts
    no-warn-script-location only-binary pre prefer-binary progress-bar proxy quiet
    retries root-user-action timeout trusted-host verbose
""".split())
REQUIRE_HASHES = re.compile(r"^\s*--require-hashes\b", re.M)


def pip_settings_reason():
    """Why pip's configuration, read by pip's own loader (files and PIP_*
    variables), may make it install what is installed; None when it cannot."""
    try:
        from pip._internal.configuration import Configuration
    except ImportError:
        return "this environment's pip has no configuration loader to read its settings with"
    try:
        configuration = Configuration(isolated=False)
        configuration.load()
        keys = [key for key, _ in configuration.items()]
    except Exception as err:
        return "pip's configuration cannot be read (%s)" % err
    for key in sorted(keys):
        section, _, name = key.partition(".")
        if name in INERT_PIP_SETTINGS:
            continue
        if section == ":env:":
            return "PIP_%s is set" % name.upper().replace("-", "_")
        return "pip's configuration sets %s (in [%s])" % (name, section)
    return None


def unsatisfied(parsed, texts, packaging, keep):
    """(None, leftovers) when `pip install -r` of the requirements `parsed`
    [(file, InstallRequirement)] (constraints included; `texts` the files'
    contents) would install nothing into this environment, leftovers being
    what the check would list with the kept names `keep` (pip installing
    nothing, the check after it reads this very environment); else (why it
    may, None).

    Without --upgrade, pip keeps an installed distribution whose version the
    requirement's specifiers (and any constraint's) allow, prereleases
    included (pip's resolution/resolvelib/factory.py,
    _iter_found_candidates), asks the index for nothing more, and installs
    nothing for it (resolver.py: an installed candidate has no install
    requirement); it follows that distribution's Requires-Dist as
    installed. So when every requirement reached, from the files and through
    Requires-Dist with extras and markers as pip follows them, is an
    installed distribution at an allowed version, pip does nothing. A
    requirement from a path or URL (which pip reinstalls), hash checking, a
    setting that may upgrade or reinstall, or anything unread is a reason."""
    reason = pip_settings_reason()
    if reason:
        return reason, None
    if any(REQUIRE_HASHES.search(text) for text in texts):
        return "the requirements turn on hash checking (--require-hashes)", None
    roots, constraints = [], []
    for path, ireq in parsed:
        shown = "%s: %s" % (path, " ".join(str(ireq).split()))
        if not ireq.name or getattr(ireq, "link", None) is not None or getattr(ireq, "editable", False):
            return "%s installs from a path or URL" % shown, None
        if getattr(ireq, "hash_options", None):
            return "%s turns on hash checking (--hash)" % shown, None
        specifiers = str(ireq.req.specifier)
        if getattr(ireq, "constraint", False):
            constraints.append((canonical(ireq.name), specifiers, shown))
            continue
        try:
            holds = ireq.match_markers()
        except Exception as err:  # the check cannot judge it either
            return "%s: its marker cannot be evaluated (%s)" % (shown, err), None
        if holds:
            extras = getattr(ireq, "extras", None) or getattr(ireq.req, "extras", None)
            roots.append((canonical(ireq.name), tuple(sorted(extras or ())), specifiers))
    dists = installed()
    unmet = []
    reached = reachable(roots, dists, packaging, unmet)
    for name, specifiers, by in sorted(unmet, key=lambda u: (u[0], str(u[1]), str(u[2]))):
        wants = "%s%s" % (name, specifiers or "")
        if specifiers is None:
            wants = "%s from a URL" % name
        who = "the requirements ask for" if by is None else "%s requires" % by
        if name not in dists:
            return "%s %s, which is not installed" % (who, wants), None
        return "%s %s, and %s %s is installed" % (who, wants, name, dists[name].version), None
    for name, specifiers, shown in constraints:
        if name in reached and name in dists and not packaging.allows(specifiers, dists[name].version):
            return "%s does not allow the installed %s %s" % (shown, name, dists[name].version), None
    return None, leftover_lines([root[:2] for root in roots], dists, keep, packaging)


# ---------------------------------------------------------------------------
# envguard.toml's keep list
# ---------------------------------------------------------------------------


def load_toml_parser():
    try:
        import tomllib as toml  # novm: guarded, Python 3.11+
    except ImportError:
        try:
            from pip._vendor import tomli as toml  # pip 21.2+
        except ImportError:
            return None
    return toml.loads


TOML_GAP = re.compile(r"(?:\s|#[^\n]*)*")  # blanks, newlines, comments
TOML_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'([^\'\n]*)\'')


# A TOML basic string's escapes (TOML 1.0, "String"): anything else is
# invalid TOML, which this reader cannot judge.
TOML_ESCAPE = re.compile(r'\\(?:([btnfr"\\])|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.?))')
TOML_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


def toml_unescape(raw, path):
    """A basic string's text with its escapes undone, as a TOML parser
    undoes them; an escape TOML does not have cannot be judged."""

    def one(match):
        short, four, eight, other = match.groups()
        if short is not None:
            return TOML_ESCAPES[short]
        code = int(four or eight, 16) if other is None else None
        if code is None or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            raise CannotJudge("%s: keep holds an escape TOML does not have: %s" % (path, match.group(0)))
        if sys.version_info[0] < 3:
            # Python 2's narrow builds (Windows) have no chr() above U+FFFF.
            return ("\\U%08x" % code).decode("unicode-escape")  # novm
        return chr(code)

    return TOML_ESCAPE.sub(one, raw)


def keep_by_hand(text, path):
    """`keep = [...]` from the top-level table of a TOML file, for Pythons
    and pips without a TOML parser: strings only (escapes undone as TOML
    undoes them), comments allowed. Anything else in the array, and a
    `keep` this reader would not see as TOML does (a quoted or dotted key),
    cannot be judged; other keys are not looked at."""
    table = re.search(r"(?m)^[ \t]*\[", text)
    top = text[: table.start()] if table else text
    if re.search(r"""(?m)^[ \t]*(?:"keep"|'keep'|keep[ \t]*\.)""", top):
        raise CannotJudge("%s: keep is written as a quoted or dotted key, which this Python cannot read" % path)
    match = re.search(r"(?m)^[ \t]*keep[ \t]*=[ \t]*", text)
    if not match or (table and table.start() < match.start()):
        return []
    rest = text[match.end():]
    if not rest.startswith("["):
        raise CannotJudge("%s: keep must be an array of strings" % path)
    pos, names = 1, []
    while True:
        pos = TOML_GAP.match(rest, pos).end()
        if rest.startswith("]", pos):
            return names
        string = TOML_STRING.match(rest, pos)
        if not string:
            raise CannotJudge("%s: keep must be an array of strings" % path)
        raw = string.group(1)
        names.append(string.group(2) if raw is None else toml_unescape(raw, path))
        pos = TOML_GAP.match(rest, string.end()).end()
        if rest.startswith(",", pos):
            pos += 1
        elif not rest.startswith("]", pos):
            raise CannotJudge("%s: keep must be an array of strings" % path)


def keep_from_config(path):
    """The `keep` names of envguard.toml; a missing file is no config."""
    if path is None or not os.path.exists(path):
        return []
    try:
        with io.open(path, encoding="utf-8-sig") as f:
            text = f.read()
    except (IOError, OSError, ValueError) as err:
        raise CannotJudge("cannot read %s: %s" % (path, err))
    loads = load_toml_parser()
    if loads is None:
        return keep_by_hand(text, path)
    try:
        keep = loads(text).get("keep", [])
    except Exception as err:
        raise CannotJudge("%s is not valid TOML: %s" % (path, err))
    if not isinstance(keep, list) or not all(isinstance(k, type(u"")) for k in keep):
        raise CannotJudge("%s: keep must be an array of strings" % path)
    return keep


# ---------------------------------------------------------------------------
# --files: the files pip opens, judged before it opens them
# ---------------------------------------------------------------------------

FILES_USAGE = (
    "usage: envguard_check.py --files -r REQUIREMENTS --root DIR [--exclude DIR ...] "
    "[--inputs FILE [--satisfied [--keep \"a,b\"] [--config envguard.toml]]]"
)

# pip's own test for a URL in req_file.py (SCHEME_RE), and what newer pips
# also send to their session (urlsplit's scheme in get_file_content).
URL_SCHEMES = ("http", "https", "file")
URL_START = re.compile(r"^(http|https|file):", re.I)


def parse_files_args(argv):
    """(requirement files, root, excluded folders, inputs path or None,
    whether --satisfied, kept names, config path or None) from the --files
    argv."""
    files, root, excluded, inputs, satisfied = [], None, [], None, False
    keep, config = [], None
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--satisfied":
            satisfied = True
            continue
        if arg not in ("-r", "--root", "--exclude", "--inputs", "--keep", "--config"):
            raise UsageError("unknown argument %r" % arg)
        if not args:
            raise UsageError("%s needs a value" % arg)
        value = args.pop(0)
        if arg == "-r":
            files.append(value)
        elif arg == "--root":
            root = value
        elif arg == "--inputs":
            inputs = value
        elif arg == "--keep":
            keep.extend(n.strip() for n in value.split(",") if n.strip())
        elif arg == "--config":
            config = value
        else:
            excluded.append(value)
    if not files or root is None or (satisfied and inputs is None):
        raise UsageError(FILES_USAGE)
    if (keep or config is not None) and not satisfied:
        raise UsageError(FILES_USAGE)
    return files, root, excluded, inputs, satisfied, keep, config


def including_line():
    """(file, line) of the -r/-c line that makes pip's parser open the file
    it is opening now, read from the parser's own frames: the `line` of
    `_parse_and_recurse` that recurses (pip 20.0+; the frame that opens the
    file has not bound its `line` yet), or `process_line`'s `filename` and
    `line_number` (older pips). None for the file pip was given."""
    frame = sys._getframe(2)
    while frame is not None:
        name, local = frame.f_code.co_name, frame.f_locals
        if name == "_parse_and_recurse":
            line = local.get("line")
            if line is not None and hasattr(line, "lineno"):
                return getattr(line, "filename", "?"), line.lineno
        elif name == "process_line" and "line_number" in local:
            return local.get("filename", "?"), local["line_number"]
        frame = frame.f_back
    return None


def is_inside(path, folder):
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def opened_files(files, root, excluded, reads, links, parsed):
    """Every file pip's parser opens for `files` (-r/-c included, nested), in
    order, as paths relative to `root`. Each is judged before pip opens it:
    after links and `..`, it must be inside `root` and outside `excluded`, and
    an include by URL (whose contents, and includes, cannot be seen from
    here) is refused; a refusal names the file and the line including it.
    `reads` gets (path, text) of each file once pip has read it, `links` the
    text of each requirement pip installs from a path or URL here, `parsed`
    (file, InstallRequirement) of every requirement and constraint."""
    try:
        from pip._internal.req import req_file
    except ImportError:
        try:
            from pip.req import req_file  # pip before 10
        except ImportError:
            raise CannotJudge("this environment's pip has no requirements-file parser")
    original = req_file.get_file_content
    real_root = os.path.realpath(root)
    real_excluded = [os.path.realpath(e) for e in excluded]
    opened = []

    def shown(path):
        real = os.path.realpath(path)
        return os.path.relpath(real, real_root) if is_inside(real, real_root) else path

    def guarded(url, *args, **kwargs):
        origin = including_line()
        where = "%s:%s: " % (shown(origin[0]), origin[1]) if origin else ""
        what = "includes %s" % url if origin else "the requirements file %s" % url
        try:
            from urllib.parse import urlsplit  # novm: guarded, Python 3
        except ImportError:
            from urlparse import urlsplit  # novm: guarded, Python 2
        if URL_START.match(url) or urlsplit(url).scheme.lower() in URL_SCHEMES:
            raise CannotJudge(
                "%s%s: a file by URL, which pip would fetch and whose own includes cannot be "
                "judged here; put the file in the repository and include it by a relative path"
                % (where, what)
            )
        real = os.path.realpath(url)
        if not is_inside(real, real_root):
            raise CannotJudge(
                "%s%s, which is %s, outside %s (a link, an absolute path or '..'): pip would "
                "read a file of the server" % (where, what, real, real_root)
            )
        for folder in real_excluded:
            if is_inside(real, folder):
                raise CannotJudge(
                    "%s%s, which is in %s, a folder of deploy.sh's own (the virtual "
                    "environment or its state), not a file of the app" % (where, what, folder)
                )
        opened.append(os.path.relpath(real, real_root))
        location, text = original(url, *args, **kwargs)
        reads.append((url, text))
        return location, text

    req_file.get_file_content = guarded
    try:
        parse = pip_parser()
        for path in files:
            try:
                for ireq in parse(path):
                    parsed.append((path, ireq))
                    if getattr(ireq, "constraint", False) or getattr(ireq, "link", None) is None:
                        continue
                    try:
                        holds = ireq.match_markers()
                    except Exception:  # counted as installed: never a skip on a guess
                        holds = True
                    if holds:
                        links.append(str(ireq))
            except CannotJudge:
                raise
            except Exception as err:  # pip's own errors, IOError: pip fails too.
                raise CannotJudge("pip cannot read %s: %s" % (path, err))
    finally:
        req_file.get_file_content = original
    return opened


ENV_VAR = re.compile(r"\$\{([A-Z0-9_]+)\}")  # pip's req_file.py ENV_VAR_RE
UNPRINTABLE = re.compile(u"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def write_inputs(path, reads, links, verdict):
    """The --inputs file: see the module's doc. Only local paths get here
    (opened_files refuses a file by URL)."""
    lines = []
    if verdict is not None:
        # deploy.sh logs the reason, which may quote a requirements line:
        # no control character or bidirectional override reaches the log.
        lines.append(UNPRINTABLE.sub("?", " ".join(verdict.split())))
    for location, text in reads:
        location = os.path.abspath(location)
        if "\n" in location or "\r" in location:
            lines.append("unknown a requirements file's path holds a line break")
            continue
        lines.append("file " + location)
        lines.extend("ref " + name for name in ENV_VAR.findall(text))
    lines.extend("link " + " ".join(text.split()) for text in links)
    with io.open(path, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(u"%s\n" % line)


def files_main(argv):
    try:
        files, root, excluded, inputs, satisfied, keep, config = parse_files_args(argv)
        reads, links, parsed = [], [], []
        for path in opened_files(files, root, excluded, reads, links, parsed):
            sys.stdout.write(path + "\n")
        verdict = None
        if satisfied:
            try:
                keep = [canonical(k) for k in keep + keep_from_config(config)]
                why, left = unsatisfied(parsed, [text for _, text in reads], Packaging(), keep)
                verdict = "unsatisfied " + why if why else " ".join(["satisfied"] + left)
            except CannotJudge as err:
                verdict = "unsatisfied " + str(err)
        if inputs is not None:
            write_inputs(inputs, reads, links, verdict)
        return EXIT_CLEAN
    except UsageError as err:
        note(str(err))
        note(FILES_USAGE)
        return EXIT_USAGE
    except CannotJudge as err:
        note(str(err))
        return EXIT_CANNOT_JUDGE
    except Exception as err:  # never a traceback in the deployment log
        note("cannot judge the requirements files: unexpected %s: %s" % (type(err).__name__, err))
        return EXIT_CANNOT_JUDGE


# ---------------------------------------------------------------------------


def leftover_lines(roots, dists, keep, packaging):
    """Sorted `name==version` of the installed distributions that neither
    roots [(name, extras)] nor the kept names (canonical) reach."""
    # What pip's tools and the kept names need was installed on purpose too.
    kept = [(name, ()) for name in list(ALWAYS_KEPT) + keep]
    reached = reachable(list(roots) + kept, dists, packaging)
    return sorted("%s==%s" % (name, dists[name].version) for name in dists if name not in reached)


def check(argv):
    files, keep, config = parse_args(argv)
    keep = [canonical(k) for k in keep + keep_from_config(config)]
    packaging = Packaging()
    roots, unnamed, tools = root_requirements(files)
    dists = installed()
    roots += name_unnamed(unnamed, dists, tools)
    for name, _ in roots:
        if name not in dists:
            note("%s is required but not installed" % name)
    leftovers = leftover_lines(roots, dists, keep, packaging)
    for line in leftovers:
        sys.stdout.write(line + "\n")
    return EXIT_LEFTOVERS if leftovers else EXIT_CLEAN


def main(argv):
    if argv[:1] == ["--files"]:
        return files_main(argv[1:])
    try:
        return check(argv)
    except UsageError as err:
        note(str(err))
        note(USAGE)
        return EXIT_USAGE
    except CannotJudge as err:
        note("cannot judge this environment: %s" % err)
        return EXIT_CANNOT_JUDGE
    except Exception as err:  # never a traceback in the deployment log
        note("cannot judge this environment: unexpected %s: %s" % (type(err).__name__, err))
        return EXIT_CANNOT_JUDGE


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
