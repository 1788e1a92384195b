#!/usr/bin/env bash
# Times hooks/envguard_check.py, the server's leftovers check, on one real venv
# of 170 distributions installed by real pip from wheels built here
# (tests/data/checker/make_wheels.py):
#   - 40 requirements, half of them with an extra (`[Mixed_Extra]`), each
#     needing a backport only for `python_version < "3.8"` (not installed);
#   - 120 libraries below them, each required by several others (diamonds),
#     some only through an extra, through a marker that holds, or one that
#     does not (`sys_platform == "win32"`), a few cycles;
#   - names in mixed case and with `_` and `.` (`Lib_007.Core`), written
#     otherwise where they are required (`lib-007-core`);
#   - 10 packages installed by hand that nothing requires: the leftovers.
# Each way the servers run it, in one hyperfine run: with importlib.metadata
# (Python 3.8+), and with the direct reading of legacy Windows sites' Pythons.
#
#   bench/checker.sh            full run (30 runs each)
#   bench/checker.sh --quick    a few runs
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=(--runs 30 --warmup 3)
[ "${1:-}" = --quick ] && runs=(--runs 3 --warmup 1)
if ! command -v hyperfine >/dev/null 2>&1; then
    echo "bench: hyperfine is missing: apt-get install hyperfine" >&2
    exit 2
fi
work=$(mktemp -d)
trap '[ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT; echo "bench: work folder $work"
mkdir "$work/wheels"

python3 - "$work" <<'PY'
import json, random, sys
work = sys.argv[1]
rng = random.Random(7)
def lib_name(i):
    # every third written Mixed_Case.dotted, required as lower-dashed
    return f"Lib_{i:03d}.Core" if i % 3 == 0 else f"lib{i:03d}"
def required_as(i):
    return f"lib-{i:03d}-core" if i % 3 == 0 else f"lib{i:03d}"
specs = []
for i in range(120):
    deps = sorted(rng.sample(range(i + 1, 120), k=min(3, 119 - i))) if i < 119 else []
    requires = [required_as(d) + ">=1.0" for d in deps[:2]]
    extras = []
    if len(deps) > 2:
        if i % 4 == 0:
            extras = ["fast"]
            requires.append(required_as(deps[2]) + '; extra == "fast"')
        elif i % 4 == 1:
            requires.append(required_as(deps[2]) + '; python_version >= "3.8"')
        elif i % 4 == 2:
            requires.append(required_as(deps[2]) + '; sys_platform == "win32"')
        else:
            requires.append(required_as(deps[2]))
    if i % 17 == 5:
        requires.append(required_as(max(0, i - 5)))  # a cycle back up
    specs.append({"name": lib_name(i), "version": "1.0", "requires": requires, "extras": extras})
reqs = []
for t in range(40):
    # every library is some requirement's direct dependency, and many more
    # requirements' indirect one
    requires = [required_as(t), required_as(t + 40), required_as(t + 80)]
    extras = ["mixed_extra"]
    requires.append(required_as(rng.randrange(120)) + '; extra == "mixed_extra"')
    requires.append("backport-only; python_version < \"3.8\"")
    specs.append({"name": f"App.Top_{t:02d}", "version": "2.0", "requires": requires, "extras": extras})
    reqs.append(f"app-top-{t:02d}[Mixed_Extra]" if t % 2 else f"App_Top.{t:02d}")
for s in range(10):
    specs.append({"name": f"Stray_{s}", "version": "0.1", "requires": [], "extras": []})
with open(f"{work}/spec.json", "w") as f:
    json.dump(specs, f)
with open(f"{work}/requirements.txt", "w") as f:
    f.write("\n".join(reqs) + "\n")
PY
python3 "$here/tests/data/checker/make_wheels.py" "$work/wheels" "$work/spec.json"
python3 -m venv "$work/env"
pip=("$work/env/bin/python" -m pip install -q --disable-pip-version-check --no-index --find-links "$work/wheels")
"${pip[@]}" -r "$work/requirements.txt"
"${pip[@]}" Stray_0 Stray_1 Stray_2 Stray_3 Stray_4 Stray_5 Stray_6 Stray_7 Stray_8 Stray_9
count=$("$work/env/bin/python" -m pip list --disable-pip-version-check --format=freeze | wc -l)
echo "bench: $count distributions in the env; the checker's verdict:"
set +e
"$work/env/bin/python" "$here/hooks/envguard_check.py" -r "$work/requirements.txt" | tr '\n' ' '
echo "(exit ${PIPESTATUS[0]})"
set -e

# The legacy path: the checker's own imports of importlib.metadata and tomllib
# fail, as on Python 2.7/3.4/3.6 (the same runner as tests/it/envguard_check.rs).
cat > "$work/legacy.py" <<'PY'
import builtins, runpy, sys
checker = sys.argv[1]
real_import = builtins.__import__
def legacy_import(name, globals=None, locals=None, fromlist=(), level=0):
    if (globals or {}).get('__file__') == checker and (
        name in ('importlib.metadata', 'tomllib')
        or (name == 'pip._vendor' and 'tomli' in (fromlist or ()))
    ):
        raise ImportError('no ' + name + ' on this Python')
    return real_import(name, globals, locals, fromlist, level)
builtins.__import__ = legacy_import
sys.argv = sys.argv[1:]
runpy.run_path(checker, run_name='__main__')
PY
check="$here/hooks/envguard_check.py -r $work/requirements.txt"
hyperfine -N "${runs[@]}" -i \
    -n "python -c pass (floor)" "$work/env/bin/python -c pass" \
    -n "checker, importlib.metadata" "$work/env/bin/python $check" \
    -n "checker, direct reading (2.7/3.4/3.6 path)" "$work/env/bin/python $work/legacy.py $check"
