#!/usr/bin/env bash
# Times hooks/deploy.sh against the fresh env an Oryx build makes on every
# deployment, with pip and with uv, on one machine in one run.
#
#   bench/deploy.sh            full run: 62 real distributions (Django, DRF,
#                              celery, boto3, Pillow, numpy, pandas, ...),
#                              downloaded once with `pip download` into the
#                              bench's cache folder and reused, 5 rounds
#   bench/deploy.sh --quick    CI's short mode: 8 tiny wheels made here, one
#                              round, no download (uv only if it is on PATH)
#
# The cache folder is $ENVGUARD_BENCH_CACHE, else ~/.cache/envguard-bench
# (wheels-pyX.Y/, and uv-<version>/ when no uv is on PATH). uv is
# $ENVGUARD_UV, else uv on PATH, else (full run) uv==UV_VERSION downloaded
# into the cache folder.
#
# Cases, each timed once per round and the rounds interleaved, so that load
# on this shared machine falls on all of them; each ratio is the median over
# rounds of that round's ratio to "fresh, pip":
#   fresh, pip                 what Oryx does on every deployment: python -m
#                              venv --copies, then pip install -r (pip
#                              byte-compiles, one file at a time)
#   fresh, uv / uv no bytecode Oryx's uv build (PYTHON_FAST_BUILD_ENABLED): the
#                              same venv, uv pip install --compile-bytecode
#                              from a warm cache; and without the bytecode
#   deploy.sh, for pip and uv sites: unchanged (a code-only push), one bump
#   (requests, up and down), one removal (celery, pruned: 11 distributions),
#   marker (a fresh env), and a uv site whose cache is on another file system
#   (UV_LINK_MODE=copy: nothing is hard-linked, so no bytecode is carried)
# then the app's cold start with and without the env's bytecode, and the
# other layout Oryx's runtime can start (the env kept as an archive).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
quick=0
[ "${1:-}" = --quick ] && quick=1
UV_VERSION=0.13.9
rounds=5
((quick)) && rounds=1
if ! command -v hyperfine >/dev/null 2>&1; then
    echo "bench: hyperfine is missing: apt-get install hyperfine" >&2
    exit 2
fi
py=$(command -v python3)
xy=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
cache=${ENVGUARD_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/envguard-bench}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/wheels"

# --- The wheelhouse and the app's requirements -------------------------------

if ((quick)); then
    # Eight libraries, lib00 the one the rest build on, lib05 in two
    # versions (the bump), lib07 with a dependency of its own (the removal).
    "$py" - "$work/wheels" <<'PY'
import base64, hashlib, os, sys, zipfile
out = sys.argv[1]
def wheel(name, version, requires, modules):
    info = f"{name}-{version}.dist-info"
    files = {f"{name}/__init__.py": f'VERSION = "{version}"\n'}
    for m in range(modules):
        files[f"{name}/mod{m:03d}.py"] = "".join(f"def f{k}(x):\n    return x * {k} + {m}\n\n" for k in range(40))
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
for i in range(8):
    deps = ["lib00"] if 0 < i < 7 else (["lib00", "lib08"] if i == 7 else [])
    for version in (["1.0", "1.1"] if i == 5 else ["1.0"]):
        wheel(f"lib{i:02d}", version, deps, 20)
wheel("lib08", "1.0", [], 10)
PY
    printf 'lib%02d\n' 0 1 2 3 4 6 7 >"$work/requirements.txt"
    echo "lib05==1.0" >>"$work/requirements.txt"
    bump=(lib05==1.0 lib05==1.1)
    removed=lib07
    imports="lib00, lib01, lib02, lib03, lib04, lib05, lib06"
else
    wheels=$cache/wheels-py$xy
    if [[ ! -f $wheels/complete ]]; then
        echo "bench: downloading the wheelhouse into $wheels (once)"
        mkdir -p "$wheels"
        # Every distribution pinned, so that each run installs the same set.
        "$py" -m pip download -q --disable-pip-version-check --only-binary=:all: --no-deps -d "$wheels" \
            amqp==5.4.2 annotated-types==0.8.0 asgiref==3.13.0 attrs==26.1.0 billiard==4.3.2 \
            blinker==1.9.0 boto3==1.44.18 botocore==1.44.18 celery==5.7.0 \
            certifi==2026.10.19.post1 cffi==2.1.1 charset-normalizer==3.5.3 click==8.5.1 \
            click-didyoumean==0.3.1 click-plugins==1.1.1.2 click-repl==0.4.1 cryptography==51.0.1 \
            Django==5.2.20 django-cors-headers==4.9.0 django-filter==26.2 \
            djangorestframework==3.18.3 drf-spectacular==0.30.0 Flask==3.1.3 gunicorn==27.0.1 \
            idna==3.21 inflection==0.5.1 itsdangerous==2.2.0 Jinja2==3.1.6 jmespath==1.1.0 \
            jsonschema==4.26.0 jsonschema-specifications==2025.9.1 kombu==5.7.0 lxml==6.2.1 \
            Markdown==3.11.4 MarkupSafe==3.0.4 numpy==2.4.6 pandas==3.1.1 pillow==13.0.0 \
            prompt_toolkit==3.0.53 psycopg2-binary==2.9.13 pycparser==3.12 pydantic==2.14.4 \
            pydantic_core==2.50.5 PyJWT==2.15.1 python-dateutil==2.9.0.post0 PyYAML==6.0.4 \
            redis==8.2.0 referencing==0.37.0 requests==2.34.2 rpds-py==2026.9.1 \
            s3transfer==0.19.3 sentry-sdk==2.76.0 six==1.17.0 SQLAlchemy==2.1.9 sqlparse==0.6.1 \
            typing-inspection==0.4.5 typing_extensions==4.16.0 tzlocal==5.4.5 uritemplate==4.2.0 \
            urllib3==2.8.0 vine==5.1.0 wcwidth==0.9.5 Werkzeug==3.1.9 whitenoise==6.12.0
        # The bump's other version (pip resolves one version of a name per command).
        "$py" -m pip download -q --disable-pip-version-check --only-binary=:all: --no-deps -d "$wheels" \
            requests==2.32.3
        touch "$wheels/complete"
    fi
    cp "$wheels"/*.whl "$work/wheels/"
    # The app's requirements: its top level, pinned, as most apps write it.
    printf '%s\n' Django==5.2.20 djangorestframework==3.18.3 django-cors-headers==4.9.0 \
        django-filter==26.2 drf-spectacular==0.30.0 whitenoise==6.12.0 celery==5.7.0 redis==8.2.0 \
        boto3==1.44.18 Pillow==13.0.0 requests==2.34.2 psycopg2-binary==2.9.13 gunicorn==27.0.1 \
        numpy==2.4.6 pandas==3.1.1 SQLAlchemy==2.1.9 Flask==3.1.3 pydantic==2.14.4 \
        cryptography==51.0.1 PyJWT==2.15.1 sentry-sdk==2.76.0 lxml==6.2.1 Markdown==3.11.4 \
        PyYAML==6.0.4 >"$work/requirements.txt"
    bump=(requests==2.34.2 requests==2.32.3)
    removed=celery
    imports="django, rest_framework, celery, boto3, PIL.Image, requests, psycopg2, numpy, pandas, sqlalchemy, flask, pydantic, cryptography.fernet, jwt, sentry_sdk, lxml.etree, markdown, yaml, redis, whitenoise, gunicorn"
fi

# --- uv -----------------------------------------------------------------------

uv=${ENVGUARD_UV:-$(command -v uv || true)}
if [[ -z $uv && $quick == 0 ]]; then
    uv=$cache/uv-$UV_VERSION/bin/uv
    if [[ ! -x $uv ]]; then
        echo "bench: installing uv $UV_VERSION from the package index into $cache/uv-$UV_VERSION (once)"
        "$py" -m pip install -q --disable-pip-version-check --target "$cache/uv-$UV_VERSION" "uv==$UV_VERSION"
    fi
fi
if [[ -n $uv ]]; then
    uv_version=$("$uv" --version)
else
    uv_version="uv: none here (quick mode downloads nothing): uv cases skipped"
fi

# --- Sites ---------------------------------------------------------------------

# site NAME [VAR=VALUE...]: a repository and a wwwroot for deploy.sh, and
# $work/NAME.deploy, which deploys it as Kudu would (pip from the local
# wheels, no pip cache: the wheels are local already).
site() {
    local name=$1
    shift
    mkdir -p "$work/$name/src/.envguard" "$work/$name/www" "$work/$name/temp"
    cp "$work/requirements.txt" "$work/$name/src/"
    printf 'print("app")\n' >"$work/$name/src/app.py"
    cp "$here/hooks/deploy.sh" "$here/hooks/envguard_check.py" "$work/$name/src/"
    cat >"$work/$name.deploy" <<EOF
#!/usr/bin/env bash
cd "$work/$name/src" && env DEPLOYMENT_SOURCE="$work/$name/src" DEPLOYMENT_TARGET="$work/$name/www" \\
  DEPLOYMENT_TEMP="$work/$name/temp" PIP_NO_INDEX=1 PIP_FIND_LINKS="$work/wheels" \\
  PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 $* bash deploy.sh >"$work/$name.log" 2>&1 ||
  { cat "$work/$name.log" >&2; exit 1; }
EOF
    chmod +x "$work/$name.deploy"
    "$work/$name.deploy"
}
site pip ENVGUARD_UV=off
sites=(pip)
if [[ -n $uv ]]; then
    site uv ENVGUARD_UV="$uv"
    site uvcopy ENVGUARD_UV="$uv" UV_LINK_MODE=copy
    sites+=(uv uvcopy)
    # A warm cache for Oryx's uv build, as a site's would be.
    "$py" -m venv --copies "$work/prime"
    "$uv" pip install -q --python "$work/prime/bin/python" --cache-dir "$work/oryx-uv-cache" \
        --no-index --find-links "$work/wheels" -r "$work/requirements.txt"
    rm -rf "$work/prime"
fi

# The fresh builds, as Oryx's build runs them (venv --copies, then pip or uv).
fresh() {
    local installer=$1 dir=$work/fresh
    rm -rf "$dir"
    "$py" -m venv --copies "$dir"
    case $installer in
        pip) "$dir/bin/python" -m pip install -q --disable-pip-version-check --no-index \
            --find-links "$work/wheels" --cache-dir "$work/pip-cache" -r "$work/requirements.txt" ;;
        uv | uv-nobytecode)
            local -a compile=(--compile-bytecode)
            [[ $installer == uv ]] || compile=()
            "$uv" pip install -q --python "$dir/bin/python" --cache-dir "$work/oryx-uv-cache" \
                "${compile[@]}" --no-index --find-links "$work/wheels" -r "$work/requirements.txt" ;;
    esac
}

# Each deploy.sh case: what changes before it (untimed), then the deployment.
code_change() { printf 'print("app %s")\n' "$RANDOM$RANDOM" >"$work/$1/src/app.py"; }
flip() {
    local req=$work/$1/src/requirements.txt
    if grep -qxF "${bump[0]}" "$req"; then
        sed -i "s/^${bump[0]}\$/${bump[1]}/" "$req"
    else
        sed -i "s/^${bump[1]}\$/${bump[0]}/" "$req"
    fi
}
# The removal: put the package back and deploy that (untimed), then remove it.
put_back() {
    cp "$work/requirements.txt" "$work/$1/src/requirements.txt"
    "$work/$1.deploy"
    grep -v -i "^$removed" "$work/requirements.txt" >"$work/$1/src/requirements.txt"
}
new_marker() {
    "$py" -c 'import secrets; print(secrets.token_hex(32))' >"$work/$1/src/.envguard/force-clean"
}
cases=("fresh, pip")
[[ -z $uv ]] || cases+=("fresh, uv" "fresh, uv no bytecode")
for s in "${sites[@]}"; do
    if [[ $s == uvcopy ]]; then
        cases+=("deploy.sh uvcopy: marker")
    else
        cases+=("deploy.sh $s: unchanged" "deploy.sh $s: one bump" "deploy.sh $s: one removal" "deploy.sh $s: marker")
    fi
done
# timed CASE: prints CASE and its wall time in seconds.
timed() {
    local case=$1 site start end
    site=${case#deploy.sh }
    site=${site%%:*}
    case $case in
        *unchanged) code_change "$site" ;;
        *bump) flip "$site" ;;
        *removal) put_back "$site" ;;
        *marker) new_marker "$site" ;;
    esac
    start=$EPOCHREALTIME
    case $case in
        "fresh, pip") fresh pip ;;
        "fresh, uv") fresh uv ;;
        "fresh, uv no bytecode") fresh uv-nobytecode ;;
        *) "$work/$site.deploy" ;;
    esac
    end=$EPOCHREALTIME
    if [[ $case == *unchanged ]] && ! grep -q "pip skipped" "$work/$site.log"; then
        echo "bench: warning: $case ran pip:" >&2
        cat "$work/$site.log" >&2
    fi
    printf '%s\t%s\n' "$case" "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')"
}
# Each site's own steady state first: a marker deployment (so that the uv
# site's env is one uv made), and the unchanged one recorded.
for s in "${sites[@]}"; do
    new_marker "$s"
    "$work/$s.deploy"
    "$work/$s.deploy"
done

: >"$work/times.tsv"
: >"$work/load.txt"
for ((r = 1; r <= rounds; r++)); do
    cut -d' ' -f1-3 /proc/loadavg >>"$work/load.txt"
    for case in "${cases[@]}"; do
        printf '%s\t' "$r" >>"$work/times.tsv"
        timed "$case" >>"$work/times.tsv"
    done
    echo "bench: round $r of $rounds done (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
done
cut -d' ' -f1-3 /proc/loadavg >>"$work/load.txt"

# --- The app's cold start, with and without the env's bytecode -----------------

# As the runtime starts it: the site's Python with the env's site-packages on
# PYTHONPATH. Without bytecode: Python looks for .pyc files in an empty
# pycache_prefix and may not write, so every import compiles (the first start
# of an env without bytecode; every start where wwwroot cannot be written).
cold_site=pip
[[ -z $uv ]] || cold_site=uv
env_site=$work/$cold_site/www/antenv/lib/python$xy/site-packages
cat >"$work/imports.py" <<EOF
import importlib
for name in "$imports".split(", "):
    try:
        importlib.import_module(name)
    except Exception:
        pass
EOF
hyperfine --runs "$((quick ? 2 : 10))" --warmup 1 --export-json "$work/cold.json" --style none \
    -n 'cold start, with the bytecode deploy.sh compiled' \
    -n 'cold start, without bytecode (every import compiles)' \
    "cd $work && PYTHONPATH=$env_site $py imports.py" \
    "cd $work && PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$env_site $py -X pycache_prefix=$work/no-pyc imports.py" \
    >/dev/null

# --- The archive layout, on the same env -----------------------------------------

www=$(dirname "$(dirname "$(dirname "$(dirname "$env_site")")")")
unpacked=$work/unpacked
tar -czf "$work/output.tar.gz" -C "$www" .
hyperfine --runs "$((quick ? 1 : 5))" --export-json "$work/layout.json" --style none \
    --prepare true --prepare "rm -rf $unpacked; mkdir -p $unpacked" \
    -n 'archive layout: tar+gzip app and env (each deploy)' \
    -n 'archive layout: unpack (each deploy and cold start)' \
    "tar -czf $work/output.tar.gz -C $www ." \
    "tar -xzf $work/output.tar.gz -C $unpacked" >/dev/null

# --- The table ---------------------------------------------------------------------

dists=("$env_site"/*.dist-info)
n_dists=${#dists[@]}
echo
echo "bench: $(date -u +%Y-%m-%d), $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)), $("$py" --version), pip $("$work/pip/www/antenv/bin/python" -m pip --version | cut -d' ' -f2), $uv_version"
echo "bench: $n_dists distributions in the env, $(du -sh "$www/antenv" | cut -f1); load average (1, 5, 15 min) at each round's start and at the end: $(paste -sd'|' "$work/load.txt")"
"$py" - "$work" "$quick" <<'PY'
import json, statistics, sys
work, quick = sys.argv[1], sys.argv[2] == "1"
times = {}
rounds = {}
for line in open(f"{work}/times.tsv"):
    r, case, t = line.rstrip("\n").split("\t")
    times.setdefault(case, []).append(float(t))
    rounds.setdefault(r, {})[case] = float(t)
base = "fresh, pip"
def ratio(case):
    return statistics.median(rs[case] / rs[base] for rs in rounds.values())
targets = {"unchanged": 0.05, "one removal": 0.10}
verdicts = []
print("\n| case | median s | min s | × fresh pip (median of rounds) | target |")
print("| --- | ---: | ---: | ---: | --- |")
for case, ts in times.items():
    kind = case.split(": ")[-1]
    limit = targets.get(kind)
    if kind == "marker":
        limit = 1.0 if " pip:" in case else (0.25 if " uv:" in case else None)
    cell = ""
    if limit is not None:
        met = ratio(case) <= limit
        verdicts.append(met)
        cell = f"≤ {limit}" + ("" if quick else (": met" if met else ": MISSED"))
    print(f"| {case} | {statistics.median(ts):.2f} | {min(ts):.2f} | {ratio(case):.3f} | {cell} |")
for name in ("cold", "layout"):
    with open(f"{work}/{name}.json") as f:
        for res in json.load(f)["results"]:
            print(f"| {res['command']} | {res['median']:.3f} | {res['min']:.3f} | | |")
if quick:
    print("\n(short mode: tiny wheels, one round; bench/deploy.sh judges the targets)")
else:
    print("\nall targets met" if all(verdicts) else "\nsome target MISSED (note the load average)")
PY
