#!/usr/bin/env bash
# Times hooks/deploy.sh: a deployment that reuses the env against the full
# rebuild an Oryx build does on every deployment, on one site with a realistic
# set of wheels built here, all in one hyperfine run. Then the cost of the other
# layout Oryx's runtime can start (the env kept as an archive, output.tar.gz +
# oryx-manifest.toml) and the cold start of each.
#
#   bench/deploy.sh            full run: 36 wheels (a framework-like package of
#                              600 modules, 11 of 60-200, 24 of 10-30; about 3,000
#                              files), 10 runs each
#   bench/deploy.sh --quick    CI's short mode: 8 small wheels, one run each
#
# Cases (deploy.sh run as Kudu runs it, on local disk, pip from local wheels):
#   reuse, nothing changed   the same commit again: pip finds all installed
#   reuse, one bumped        one package's version flips every run
#   full rebuild             a new marker every run: new venv, every wheel
# and, for the archive layout: tar+gzip of app and env (written every deploy),
# and its unpack (every deploy, and every cold start).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
quick=0
[ "${1:-}" = --quick ] && quick=1
if ! command -v hyperfine >/dev/null 2>&1; then
    echo "bench: hyperfine is missing: apt-get install hyperfine" >&2
    exit 2
fi
if [ "$quick" = 1 ]; then
    n_libs=8; runs=(--runs 1)
else
    n_libs=36; runs=(--runs 10 --warmup 1)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/wheels" "$work/src" "$work/www" "$work/temp"

# Wheels: lib00 is the framework everything else builds on; each library
# needs one to three earlier ones (diamonds); lib05 comes in 1.0 and 1.1.
python3 - "$work/wheels" "$n_libs" <<'PY'
import base64, hashlib, os, random, sys, zipfile
out, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(11)
def wheel(name, version, requires, modules):
    info = f"{name}-{version}.dist-info"
    files = {f"{name}/__init__.py": f'VERSION = "{version}"\n'}
    for m in range(modules):
        body = "".join(f"def f{k}(x):\n    return x * {k} + {m}\n\n" for k in range(40))
        files[f"{name}/mod{m:03d}.py"] = body
    meta = [f"Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    meta += [f"Requires-Dist: {r}" for r in requires]
    files[f"{info}/METADATA"] = "\n".join(meta) + "\n"
    files[f"{info}/WHEEL"] = "Wheel-Version: 1.0\nGenerator: envguard-bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = ""
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record += f"{path},sha256={digest},{len(text.encode())}\n"
    files[f"{info}/RECORD"] = record + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(os.path.join(out, f"{name}-{version}-py3-none-any.whl"), "w", zipfile.ZIP_DEFLATED) as z:
        for path, text in files.items():
            z.writestr(path, text)
for i in range(n):
    deps = sorted({f"lib{rng.randrange(i):02d}" for _ in range(rng.randint(1, 3))}) if i else []
    modules = 600 if i == 0 and n > 10 else (rng.randint(60, 200) if i <= 11 and n > 10 else rng.randint(10, 30))
    for version in (["1.0", "1.1"] if i == 5 else ["1.0"]):
        wheel(f"lib{i:02d}", version, deps, modules)
PY
n_files=$(for w in "$work"/wheels/*.whl; do python3 -m zipfile -l "$w" | tail -n +2; done | wc -l)
echo "bench: $(ls "$work/wheels" | wc -l) wheels, $n_files files"

# The app: every library by name (the top level of a real requirements.txt).
for ((i = 0; i < n_libs; i++)); do
    if ((i == 5)); then echo "lib05==1.0"; else printf 'lib%02d\n' "$i"; fi
done >"$work/src/requirements.txt"
printf 'print("app")\n' >"$work/src/app.py"
cp "$here/hooks/deploy.sh" "$here/hooks/envguard_check.py" "$work/src/"
mkdir -p "$work/src/.envguard"

cat >"$work/deploy" <<EOF
#!/usr/bin/env bash
cd "$work/src" && DEPLOYMENT_SOURCE="$work/src" DEPLOYMENT_TARGET="$work/www" \\
  DEPLOYMENT_TEMP="$work/temp" PIP_NO_INDEX=1 PIP_FIND_LINKS="$work/wheels" \\
  PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 bash deploy.sh >"$work/last.log" 2>&1 ||
  { cat "$work/last.log" >&2; exit 1; }
EOF
# A new marker token each run: deploy.sh rebuilds the env from nothing.
cat >"$work/new-marker" <<EOF
#!/usr/bin/env bash
python3 -c 'import secrets; print(secrets.token_hex(32))' >"$work/src/.envguard/force-clean"
EOF
# lib05 1.0 <-> 1.1 each run.
cat >"$work/bump" <<EOF
#!/usr/bin/env bash
sed -i -e 's/^lib05==1.0\$/lib05==X/' -e 's/^lib05==1.1\$/lib05==1.0/' -e 's/^lib05==X\$/lib05==1.1/' "$work/src/requirements.txt"
EOF
chmod +x "$work/deploy" "$work/new-marker" "$work/bump"
"$work/deploy"

# Every case in one run, so that load on this shared machine falls on all.
hyperfine "${runs[@]}" --export-markdown "$work/deploy.md" \
    --prepare true --prepare "$work/bump" --prepare "$work/new-marker" \
    -n 'reuse, nothing changed' -n 'reuse, one package bumped' -n 'full rebuild (Oryx: every deploy)' \
    "$work/deploy" "$work/deploy" "$work/deploy"

# The archive layout's extra work, on the same env and app.
site_packages=$(echo "$work"/www/antenv/lib/python*/site-packages)
imports=$(cd "$site_packages" && ls -d lib[0-9]* | grep -v dist-info | sed 's/^/import /' | paste -sd ';')
python=$(command -v python3)
unpacked=$work/temp/unpacked
tar -czf "$work/temp/output.tar.gz" -C "$work/www" .
hyperfine "${runs[@]}" --export-markdown "$work/layout.md" \
    --prepare true --prepare "rm -rf $unpacked; mkdir -p $unpacked" --prepare true --prepare true \
    -n 'archive: tar+gzip app and env (each deploy)' \
    -n 'archive: unpack (each deploy and cold start)' \
    -n 'cold start, antenv on PYTHONPATH: import all' \
    -n 'cold start, unpacked archive: import all' \
    "tar -czf $work/temp/output.tar.gz -C $work/www ." \
    "tar -xzf $work/temp/output.tar.gz -C $unpacked" \
    "cd $work/www && PYTHONPATH=$site_packages $python -c '$imports'" \
    "cd $unpacked && PYTHONPATH=${site_packages/$work\/www/$unpacked} $python -c '$imports'"
echo
echo "bench: $(date -u +%Y-%m-%d) on $(nproc) cores, $(python3 --version), $(du -sh "$work/www/antenv" | cut -f1) env"
cat "$work/deploy.md" "$work/layout.md"
