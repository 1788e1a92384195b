#!/usr/bin/env bash
# envguard deploy.sh: deployment script for Python apps on Linux App Service
# (Kudu custom deployment, `.deployment`: `[config]` `command = bash deploy.sh`)
# or any POSIX deploy step.
#
# It does what Kudu's Python deployment does -- sync the app to the site, keep
# one virtual environment next to it (recreated when its azure.env.<runtime>.txt
# sentinel does not match runtime.txt), pip install -r requirements.txt, Django
# collectstatic -- and honours envguard's force-clean marker:
#
#   1. .envguard/force-clean at the repository root holds a token (64 lowercase
#      hex characters) on its first line. Anything else is ignored with a
#      warning: nothing is deleted and nothing from the file is executed.
#   2. A token other than the one recorded in <env>/.envguard-token deletes the
#      env, so pip installs into a clean one and packages removed from
#      requirements.txt are really gone.
#   3. The token is recorded only after pip succeeded: a failed install cleans
#      again on the next deployment.
#
# Settings (environment; Kudu exports app settings and `.deployment` keys):
#   DEPLOYMENT_SOURCE, DEPLOYMENT_TARGET, DEPLOYMENT_TEMP  as Kudu sets them
#   PROJECT              app folder inside the repository (`project = dir`);
#                        Kudu ignores it once `command` is set, so it is read here
#   VIRTUALENV_NAME      env folder in DEPLOYMENT_TARGET [antenv]
#   PYTHON               interpreter that creates the env [python<X.Y> from
#                        runtime.txt when on PATH, else python3]
#   KUDU_SYNC_CMD        KuduSync; without it this script copies the app itself
#   PREVIOUS_MANIFEST_PATH, NEXT_MANIFEST_PATH  what the last sync copied
#   IN_PLACE_DEPLOYMENT  1: the app is deployed where it is, no sync
#   PIP_*                reach pip unchanged
set -euo pipefail

say() { printf '%s\n' "$*"; }
warn() { printf 'envguard: warning: %s\n' "$*" >&2; }
die() {
  printf 'envguard: %s\n' "$*" >&2
  printf 'An error has occurred during web site deployment.\n' >&2
  exit 1
}

# Names KuduSync is told to ignore (Kudu's stock list, plus deploy.cmd/deploy.sh
# and .envguard: the marker is for this script, not for the site).
IGNORED=".git;.hg;.deployment;deploy.cmd;deploy.sh;.envguard"

# --- Setup -----------------------------------------------------------------

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
DEPLOYMENT_SOURCE=${DEPLOYMENT_SOURCE:-$script_dir}
DEPLOYMENT_TARGET=${DEPLOYMENT_TARGET:-$script_dir/../artifacts/wwwroot}
mkdir -p -- "$DEPLOYMENT_TARGET" || die "cannot create $DEPLOYMENT_TARGET"

app_source=$DEPLOYMENT_SOURCE
if [[ -n ${PROJECT:-} ]]; then
  app_source=$DEPLOYMENT_SOURCE/${PROJECT//\\//}
fi
[[ -d $app_source ]] || die "PROJECT=${PROJECT:-} names no folder in the repository"

# The env is deleted with rm -rf: its name must stay a plain folder name.
venv_name=${VIRTUALENV_NAME:-antenv}
case $venv_name in
  . | .. | */*) die "VIRTUALENV_NAME must be a folder name, not '$venv_name'" ;;
esac
env_dir=$DEPLOYMENT_TARGET/$venv_name

# Python steps run where the app was synced to; an in-place deployment leaves
# the app where it is.
if [[ ${IN_PLACE_DEPLOYMENT:-} == 1 ]]; then
  app_dir=$app_source
else
  app_dir=$DEPLOYMENT_TARGET
fi

# --- Sync ------------------------------------------------------------------

# Without KuduSync: copy the app folder to the target, skipping the ignored
# names, and -- like KuduSync -- delete only what an earlier deployment copied
# and the repository no longer has, as listed in the manifest. Files the
# running site wrote were never copied, so they stay, and so does the env.
# Like KuduSync, a file whose modification time matches its copy is not copied
# again (cp -p keeps the time; git rewrites a file it changes).
sync_app() {
  local src=$1 dst=$2 prev=$3 next=$4
  local list rel s d name n_copied=0 n_deleted=0
  local -a names prune=()
  local -A keep=()

  # Everything to copy, top-level ignored names and the env pruned.
  list=$(mktemp "${DEPLOYMENT_TEMP:-${TMPDIR:-/tmp}}/envguard-sync.XXXXXX") ||
    die "cannot create a temporary file"
  IFS=';' read -r -a names <<<"$IGNORED"
  for name in "${names[@]}" "$venv_name"; do
    prune+=(-path "./$name" -o)
  done
  (cd -- "$src" && find . -mindepth 1 \( "${prune[@]}" -false \) -prune -o -print0) >"$list" ||
    die "cannot list $src"

  while IFS= read -r -d '' rel; do
    rel=${rel#./}
    keep[$rel]=1
  done <"$list"

  # Delete what the previous deployment copied and the repository dropped.
  # Folders go last, deepest first, and only when empty.
  if [[ -f $prev ]]; then
    local -a dirs=()
    while IFS= read -r rel; do
      [[ -n $rel && -z ${keep[$rel]:-} ]] || continue
      case /$rel/ in
        */../* | */./* | //*) continue ;; # never outside the target
        "/$venv_name/"*) continue ;;       # never the env
      esac
      d=$dst/$rel
      if [[ -L $d || -f $d ]]; then
        say "Deleting file: '$rel'"
        rm -f -- "$d" || die "cannot delete $d"
        n_deleted=$((n_deleted + 1))
      elif [[ -d $d ]]; then
        dirs+=("$d")
      fi
    done <"$prev"
    if ((${#dirs[@]})); then
      while IFS= read -r d; do
        rmdir -- "$d" 2>/dev/null || true
      done < <(printf '%s\n' "${dirs[@]}" | sort -r)
    fi
  fi

  local manifest_tmp=$next.tmp.$$
  : >"$manifest_tmp" || die "cannot write $manifest_tmp"
  while IFS= read -r -d '' rel; do
    rel=${rel#./}
    s=$src/$rel
    d=$dst/$rel
    if [[ -d $s && ! -L $s ]]; then
      if [[ -e $d || -L $d ]] && [[ ! -d $d || -L $d ]]; then
        rm -f -- "$d" || die "cannot replace $d with a folder"
      fi
      mkdir -p -- "$d" || die "cannot create $d"
    elif [[ -d $d && ! -L $d ]]; then
      die "cannot replace the folder $d with a file"
    elif [[ ! -e $d && ! -L $d ]] || [[ $s -nt $d || $s -ot $d ]]; then
      # Copy next to the file, then rename: a running site never reads a
      # half-written file.
      cp -pP -- "$s" "$d.envguard-new" || die "cannot copy $rel"
      mv -f -- "$d.envguard-new" "$d" || die "cannot copy $rel"
      n_copied=$((n_copied + 1))
    fi
    # A name with a line break cannot be listed in a line-based manifest; it
    # is copied but never deleted later.
    [[ $rel == *$'\n'* ]] || printf '%s\n' "$rel" >>"$manifest_tmp"
  done <"$list"
  rm -f -- "$list"
  mv -f -- "$manifest_tmp" "$next" || die "cannot write $next"
  say "Synced $src to $dst: $n_copied copied, $n_deleted deleted."
}

say "Handling python deployment."

if [[ ${IN_PLACE_DEPLOYMENT:-} != 1 ]]; then
  if [[ -n ${KUDU_SYNC_CMD:-} ]]; then
    # Kudu may hand the command over quoted (as its own bash template knows).
    kudu_sync=${KUDU_SYNC_CMD//\"/}
    "$kudu_sync" -v 50 -f "$app_source" -t "$DEPLOYMENT_TARGET" \
      -n "${NEXT_MANIFEST_PATH:-$DEPLOYMENT_TARGET/.envguard-manifest}" \
      -p "${PREVIOUS_MANIFEST_PATH:-$DEPLOYMENT_TARGET/.envguard-manifest}" \
      -i "$IGNORED" || die "KuduSync failed"
  else
    sync_app "$app_source" "$DEPLOYMENT_TARGET" \
      "${PREVIOUS_MANIFEST_PATH:-$DEPLOYMENT_TARGET/.envguard-manifest}" \
      "${NEXT_MANIFEST_PATH:-$DEPLOYMENT_TARGET/.envguard-manifest}"
  fi
fi

if [[ ! -f $app_dir/requirements.txt ]]; then
  say "No requirements.txt: no Python steps."
  exit 0
fi
if [[ -e $app_dir/.skipPythonDeployment ]]; then
  say "Found .skipPythonDeployment: no Python steps."
  exit 0
fi
say "Detected requirements.txt.  You can skip Python specific steps with a .skipPythonDeployment file."

# --- Python runtime --------------------------------------------------------

# runtime.txt's first line names the runtime; like Kudu's selector, only
# python-X.Y counts (python-3.11.4 -> python-3.11).
runtime=
if [[ -f $app_source/runtime.txt ]]; then
  line=
  IFS= read -r line <"$app_source/runtime.txt" || true
  line=${line%$'\r'}
  if [[ $line =~ ^[[:space:]]*(python-[0-9]+\.[0-9]+)(\.[0-9A-Za-z]*)?[[:space:]]*$ ]]; then
    runtime=${BASH_REMATCH[1]}
  else
    warn "runtime.txt does not name a python-X.Y runtime; using the interpreter's version"
  fi
fi

if [[ -n ${PYTHON:-} ]]; then
  python=$PYTHON
elif [[ -n $runtime ]] && command -v "python${runtime#python-}" >/dev/null 2>&1; then
  python=python${runtime#python-}
else
  python=python3
fi
command -v "$python" >/dev/null 2>&1 || die "Python interpreter '$python' not found"
if [[ -z $runtime ]]; then
  runtime=$("$python" -c 'import sys; print("python-%d.%d" % sys.version_info[:2])') ||
    die "'$python' does not run"
fi
sentinel=$env_dir/azure.env.$runtime.txt
say "Using $python for $runtime."

delete_env() {
  rm -rf -- "$env_dir" || true
  [[ ! -e $env_dir ]] || die "could not delete $env_dir"
  recorded=
}

# --- envguard: the force-clean marker --------------------------------------

# Only the first line is read, and at most 128 characters of it: a huge or
# binary file costs nothing. The token is matched against an explicit
# character list (a range like a-f can take in other letters in some locales)
# and is never evaluated.
token=
marker=$DEPLOYMENT_SOURCE/.envguard/force-clean
if [[ -e $marker || -L $marker ]]; then
  line=
  if [[ -f $marker ]]; then
    IFS= read -r -n 128 line 2>/dev/null <"$marker" || true
    line=${line%$'\r'}
  fi
  if [[ $line =~ ^[0123456789abcdef]{64}$ ]]; then
    token=$line
  else
    warn ".envguard/force-clean does not hold a token of 64 lowercase hex characters; ignoring it (nothing is deleted)"
  fi
fi

recorded=
if [[ -f $env_dir/.envguard-token ]]; then
  IFS= read -r -n 128 recorded <"$env_dir/.envguard-token" || true
fi
if [[ -n $token && -e $env_dir && $recorded != "$token" ]]; then
  say "envguard: marker ${token:0:12}… is new: deleting the virtual environment"
  delete_env
fi

# --- Virtual environment and packages --------------------------------------

if [[ -e $env_dir && ! -f $sentinel ]]; then
  say "Deleting incompatible virtual environment."
  delete_env
fi
if [[ ! -e $env_dir ]]; then
  say "Creating $runtime virtual environment."
  "$python" -m venv "$env_dir" || die "could not create the virtual environment"
  : >"$sentinel" || die "cannot write $sentinel"
else
  say "Found compatible virtual environment."
fi

# `python -m pip` rather than bin/pip: a long wwwroot path can exceed the
# kernel's limit for bin/pip's #! line.
say "Pip install requirements."
(cd -- "$app_dir" && "$env_dir/bin/python" -m pip install -r requirements.txt) ||
  die "pip install failed"

# Only now that pip succeeded; temp file and rename, so a half-written token
# never matches.
if [[ -n $token && $recorded != "$token" ]]; then
  printf '%s\n' "$token" >"$env_dir/.envguard-token.tmp" ||
    die "cannot record the marker token in $env_dir"
  mv -f -- "$env_dir/.envguard-token.tmp" "$env_dir/.envguard-token" ||
    die "cannot record the marker token in $env_dir"
  say "envguard: recorded marker ${token:0:12}… in the virtual environment."
fi

# --- Django ----------------------------------------------------------------

if [[ -f $app_dir/manage.py && ! -e $app_dir/.skipDjango ]] &&
  "$env_dir/bin/python" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("django") is None)'; then
  say "Collecting Django static files. You can skip Django specific steps with a .skipDjango file."
  mkdir -p -- "$app_dir/static"
  (cd -- "$app_dir" && "$env_dir/bin/python" manage.py collectstatic --noinput --clear) ||
    die "Django collectstatic failed"
fi

say "Finished successfully."
