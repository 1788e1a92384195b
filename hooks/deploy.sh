#!/usr/bin/env bash
# envguard deploy.sh: deployment script for Python apps on Linux App Service
# (KuduLite custom deployment, `.deployment`: `[config]` `command = bash deploy.sh`)
# or any POSIX deploy step (a VPS `post-receive`). Reference: docs/deploy-sh.md.
# `envguard init` updates a copy of this file only while the next line matches it
# (its SHA-256 without that line; envguard's docs/formats.md), so edits are kept.
# envguard-digest: sha256:15d4d98918d77b697aa2fce19504ad24c397f0aa0b244b382123b4281d665c0e
#
# It does what a Kudu Python deployment does -- sync the app to the site, keep
# one virtual environment next to it (rebuilt when its azure.env.<runtime>.txt
# sentinel does not match the site's Python), pip install the requirements,
# Django collectstatic -- and lays the env out as Oryx's startup script expects
# (wwwroot/antenv, put on PYTHONPATH by the runtime), so the env is reused
# between deployments instead of rebuilt each time as an Oryx build does.
# Every deployment ends with exactly the packages a fresh env would hold:
#
#   1. .envguard/force-clean at the repository root holds a token (64 lowercase
#      hex characters) on its first line. Anything else is ignored with a
#      warning: nothing is deleted and nothing from the file is executed.
#   2. A token other than the one recorded in <env>/.envguard-token rebuilds
#      the env, so packages removed from requirements.txt are really gone.
#   3. The token is recorded only after pip succeeded: a failed install cleans
#      again on the next deployment.
#   4. After pip, envguard_check.py (beside this script) asks the env which
#      installed distributions the requirements no longer reach; with
#      ENVGUARD_ON_LEFTOVERS=prune (default) exactly those are uninstalled and
#      the env is checked again; what cannot be judged or pruned is rebuilt
#      once.
#   5. uv installs where ENVGUARD_UV says where it comes from (uv on PATH by
#      default), pip otherwise: the same packages either way. A deployment
#      whose requirements, Python, installer and env are what the last one
#      recorded skips pip and the check.
#
# A rebuild builds the new env beside the old one and then switches: the
# running site never sees an env half-way. Settings (environment; Kudu exports
# app settings and `.deployment` keys) are listed in docs/deploy-sh.md.
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
# The leftovers check and the judge of the requirements' includes.
checker=$script_dir/envguard_check.py
DEPLOYMENT_SOURCE=${DEPLOYMENT_SOURCE:-$script_dir}
DEPLOYMENT_TARGET=${DEPLOYMENT_TARGET:-$script_dir/../artifacts/wwwroot}
# Kudu exports each `.deployment` key under the name it is written with (on
# Linux, where names keep their case), with an app setting of the same name,
# in any case, winning (KuduLite Kudu.Core/Infrastructure/IniFile.cs and
# Settings/DeploymentSettingsManager.cs read keys ignoring case), so
# `project = app` arrives as $project. Kudu's own settings are read here as
# Kudu reads them: any spelling; two spellings that disagree are refused.
kudu_setting() {
  local want=${1^^} name value= found=
  while IFS= read -r name; do
    [[ ${name^^} == "$want" ]] || continue
    if [[ -n $found && ${!name} != "$value" ]]; then
      die "$found=$value and $name=${!name} disagree; Kudu reads both as $1: keep one"
    fi
    found=$name
    value=${!name}
  done < <(compgen -e)
  printf '%s' "$value"
}
PROJECT=$(kudu_setting PROJECT) || exit 1
# A line break in a folder's name breaks every line-based step that handles
# paths (the env's relocation, the manifest): refused before anything is
# touched, with the value shown as bash quotes it.
for name in DEPLOYMENT_SOURCE DEPLOYMENT_TARGET DEPLOYMENT_TEMP TMPDIR PROJECT; do
  if [[ ${!name:-} == *[[:cntrl:]]* ]]; then
    die "$name=$(printf '%q' "${!name}") holds a line break or another control character; deploy.sh cannot work with such a path: choose one without"
  fi
done
mkdir -p -- "$DEPLOYMENT_TARGET" || die "cannot create $DEPLOYMENT_TARGET"
# Absolute from here on (Kudu gives absolute paths; a post-receive may not):
# pip and the leftovers check run inside the app folder.
DEPLOYMENT_SOURCE=$(cd -- "$DEPLOYMENT_SOURCE" && pwd) || die "cannot enter $DEPLOYMENT_SOURCE"
[[ -f $checker ]] || checker=$DEPLOYMENT_SOURCE/envguard_check.py
DEPLOYMENT_TARGET=$(cd -- "$DEPLOYMENT_TARGET" && pwd) || die "cannot enter $DEPLOYMENT_TARGET"
source_real=$(cd -- "$DEPLOYMENT_SOURCE" && pwd -P) || die "cannot enter $DEPLOYMENT_SOURCE"

# inside_source PATH: PATH (after symlinks) is the repository or inside it.
inside_source() {
  local real
  real=$(cd -- "$1" 2>/dev/null && pwd -P) || return 1
  [[ $real == "$source_real" || $real == "$source_real"/* ]]
}

# PROJECT (`project = dir` in .deployment): the app folder. Kudu ignores it once
# `command` is set, so it is honoured here, and only inside the repository.
app_source=$DEPLOYMENT_SOURCE
if [[ -n ${PROJECT:-} ]]; then
  project=${PROJECT//\\//}
  case /$project/ in
    //*) die "PROJECT=$PROJECT must be a folder inside the repository, not an absolute path" ;;
    */../*) die "PROJECT=$PROJECT must be a folder inside the repository, without '..'" ;;
  esac
  app_source=$DEPLOYMENT_SOURCE/$project
  [[ -d $app_source ]] || die "PROJECT=$PROJECT names no folder in the repository"
  inside_source "$app_source" || die "PROJECT=$PROJECT leads outside the repository (a symlink?)"
fi

# The env is deleted with rm -rf: its name must stay a plain folder name. A
# name other than antenv is written into oryx-manifest.toml for the runtime
# (see "What the runtime starts"), so it cannot be that file's own name.
venv_name=${VIRTUALENV_NAME:-antenv}
if [[ ! $venv_name =~ ^[A-Za-z0-9_.][A-Za-z0-9_.-]*$ || $venv_name == . || $venv_name == .. ]]; then
  die "VIRTUALENV_NAME must be a plain folder name (letters, digits, '.', '_', '-'), not '$venv_name'"
fi
if [[ $venv_name == oryx-manifest.toml ]]; then
  die "VIRTUALENV_NAME=oryx-manifest.toml is the file App Service's runtime reads the env's name from; choose another name"
fi
# That file is this script's alone: one in the app folder would reach the
# target with the sync, before the env is built, and tell the runtime what
# to start.
if [[ -e $app_source/oryx-manifest.toml || -L $app_source/oryx-manifest.toml ]]; then
  die "the app folder holds oryx-manifest.toml, which tells App Service's runtime what to start; delete it from the repository (deploy.sh writes its own)"
fi
env_dir=$DEPLOYMENT_TARGET/$venv_name
# A rebuild happens in new_env; the old env waits in old_env for the moment of
# the switch. Both live beside the env, so the switch is two renames.
new_env=$DEPLOYMENT_TARGET/$venv_name.envguard-new
old_env=$DEPLOYMENT_TARGET/$venv_name.envguard-old

# Python steps run where the app was synced to; an in-place deployment leaves
# the app where it is.
if [[ ${IN_PLACE_DEPLOYMENT:-} == 1 ]]; then
  app_dir=$app_source
else
  app_dir=$DEPLOYMENT_TARGET
fi

# --- The requirements file ------------------------------------------------

# One definition with the hook (docs/configuration.md, `requirements`; every
# case in tests/data/requirements_key.tsv, read by the tests of both sides):
# envguard.toml's `requirements` when it is set -- a path from the repository
# root, inside the app folder -- else requirements.txt in the app folder.
# CUSTOM_REQUIREMENTSTXT_PATH, Oryx's setting that the hook cannot see, must
# name the same file.

# clean_path TEXT: TEXT's components without empty ones and `.`, joined by
# `/`. Fails on an absolute path, `..`, `\` or a control character.
clean_path() {
  local part out= LC_ALL=C
  local -a parts
  [[ $1 == /* || $1 == *\\* || $1 == *[[:cntrl:]]* ]] && return 1
  IFS=/ read -r -a parts <<<"$1"
  for part in "${parts[@]}"; do
    case $part in
      "" | .) ;;
      ..) return 1 ;;
      *) out+=${out:+/}$part ;;
    esac
  done
  printf '%s' "$out"
}

# refuse_key LINE WHAT: envguard.toml's `requirements` in a form this reader
# does not read. The hook refuses the same (crates/envguard-core/src/config.rs).
refuse_key() {
  die "envguard.toml:$1: $2; deploy.sh reads the requirements file only as one line before any [table]: requirements = \"path/from/the/repository/root.txt\" (or 'path'), the key without quotes or dots, the value a one-line string without escapes"
}

# read_requirements_key FILE: sets `key` to envguard.toml's `requirements`
# (empty when it is not set), read without a TOML parser: one line
# `requirements = "..."` (a basic string without escapes) or `= '...'` (a
# literal string), before any table, less a UTF-8 BOM and a trailing CR.
# Every other line that could spell the key (quoted or dotted keys, a line
# that names requirements before its `=`, a multi-line string, a second key)
# fails the deployment, as does a file that is not UTF-8.
read_requirements_key() {
  local file=$1 line before n=0 found=0 table=0 LC_ALL=C
  local exact=$'^[ \t]*requirements[ \t]*=[ \t]*("([^"\\[:cntrl:]]*)"|\'([^\'[:cntrl:]]*)\')[ \t]*(#.*)?$'
  local key_start=$'^[ \t]*requirements[ \t]*='
  local quoted_key=$'^[ \t]*("([^"\\]|\\\\.)*"|\'[^\']*\')[ \t]*[.=]'
  local dotted_key=$'^[ \t]*[A-Za-z0-9_-]+[ \t]*\\.'
  local comment=$'^[ \t]*#' table_line=$'^[ \t]*\\['
  key=
  # bash's `read` drops NUL bytes: a UTF-16 file would read as ASCII.
  [[ $(tr -d '\000' <"$file" | wc -c) == "$(wc -c <"$file")" ]] ||
    die "envguard.toml holds NUL bytes (UTF-16?): save it as UTF-8"
  command -v iconv >/dev/null 2>&1 || die "reading envguard.toml needs iconv, which is not on PATH"
  iconv -f UTF-8 -t UTF-8 <"$file" >/dev/null 2>&1 || die "envguard.toml is not UTF-8: save it as UTF-8"
  while IFS= read -r line || [[ -n $line ]]; do
    n=$((n + 1))
    ((n > 1)) || line=${line#$'\xef\xbb\xbf'}
    line=${line%$'\r'}
    [[ $line =~ $comment ]] && continue
    [[ $line == *\"\"\"* || $line == *\'\'\'* ]] && refuse_key "$n" "a multi-line string"
    if [[ $line =~ $table_line ]]; then
      table=1
    elif [[ $line =~ $key_start ]]; then
      ((table == 0)) || refuse_key "$n" "requirements inside a table"
      ((found == 0)) || refuse_key "$n" "a second requirements key (the first is on line $found)"
      [[ $line =~ $exact ]] || refuse_key "$n" "the value of requirements is not a one-line string without escapes"
      if [[ ${BASH_REMATCH[1]} == \"* ]]; then key=${BASH_REMATCH[2]}; else key=${BASH_REMATCH[3]}; fi
      [[ -n $key ]] || refuse_key "$n" "requirements is empty"
      found=$n
    elif [[ $line == *=* ]]; then
      before=${line%%=*}
      if [[ ${before,,} == *requirements* || $line =~ $quoted_key || $line =~ $dotted_key ]]; then
        refuse_key "$n" "a quoted or dotted key, or one that names requirements otherwise"
      fi
    fi
  done <"$file"
  key_line=$found
}

project_dir=
if [[ -n ${PROJECT:-} ]]; then
  project_dir=$(clean_path "$project") || die "PROJECT=$PROJECT must be a folder inside the repository"
fi
requirements_from=
key=
key_line=0
# envguard.toml is the repository root's, as the hook reads it: its
# `requirements` here, its `keep` in the leftovers check (`config`). One in
# the app folder is the app's own file, not envguard's.
config=
if [[ -e $DEPLOYMENT_SOURCE/envguard.toml || -L $DEPLOYMENT_SOURCE/envguard.toml ]]; then
  config=$DEPLOYMENT_SOURCE/envguard.toml
  real=$(readlink -m -- "$config")
  [[ $real == "$source_real"/* && -f $config ]] ||
    die "envguard.toml is not a file inside the repository (a link that leads out?)"
  read_requirements_key "$config"
fi
if [[ -n $key ]]; then
  path=$(clean_path "$key") && [[ -n $path ]] ||
    die "envguard.toml:$key_line: requirements = \"$key\" must be a path relative to the repository root, '/' between folders, without '..'"
  if [[ -n $project_dir ]]; then
    [[ $path == "$project_dir"/* ]] ||
      die "envguard.toml:$key_line: requirements = \"$key\" is not inside the app folder $project_dir (PROJECT), where the server installs from: move the file there, or fix the path"
  fi
  requirements=${path#"$project_dir"/}
  requirements_from="envguard.toml's requirements"
else
  requirements=requirements.txt
fi
requirements_shown=${project_dir:+$project_dir/}$requirements

# CUSTOM_REQUIREMENTSTXT_PATH: as Oryx, a path relative to the app folder that
# must exist (Oryx's PythonPlatform.cs refuses the build otherwise).
if [[ -n ${CUSTOM_REQUIREMENTSTXT_PATH:-} ]]; then
  custom=$(clean_path "$CUSTOM_REQUIREMENTSTXT_PATH") && [[ -n $custom ]] ||
    die "CUSTOM_REQUIREMENTSTXT_PATH=$CUSTOM_REQUIREMENTSTXT_PATH must be a path inside the app folder, without '..'"
  if [[ $custom != "$requirements" ]]; then
    die "CUSTOM_REQUIREMENTSTXT_PATH=$CUSTOM_REQUIREMENTSTXT_PATH names another file than the one envguard's hook checks ($requirements_shown): put requirements = \"${project_dir:+$project_dir/}$custom\" in envguard.toml and commit it, or remove the app setting"
  fi
  [[ -f $app_source/$requirements ]] ||
    die "CUSTOM_REQUIREMENTSTXT_PATH=$CUSTOM_REQUIREMENTSTXT_PATH names no file in the app folder"
fi
# A requirements file that is a link out of the repository is refused here,
# as the hook refuses it; its includes are judged before pip runs (build).
if [[ -e $app_source/$requirements || -L $app_source/$requirements ]]; then
  real=$(readlink -m -- "$app_source/$requirements")
  [[ $real == "$source_real"/* ]] ||
    die "$requirements_shown leads outside the repository (a link?): pip would read a file of the server"
fi
say "envguard: requirements file: $requirements_shown${requirements_from:+ ($requirements_from)}"

# true/false as Oryx reads its boolean settings (OptionsSetupBase.cs:
# bool.TryParse, anything else refused).
is_true() {
  local name=$1 value=${!1:-}
  case ${value,,} in
    "" | false) return 1 ;;
    true) return 0 ;;
    *) die "$name must be true or false, not '$value'" ;;
  esac
}
is_true DISABLE_COLLECTSTATIC && collectstatic=0 || collectstatic=1

python_steps=1
if [[ ! -f $app_source/$requirements ]]; then
  python_steps=0
  say "No $requirements: no Python steps."
elif [[ -e $app_source/.skipPythonDeployment ]]; then
  python_steps=0
  say "Found .skipPythonDeployment: no Python steps."
fi

# --- Python runtime (before anything is synced or deleted) ------------------

# X.Y from a version string: 3.11, 3.11.4 -> 3.11; anything else -> nothing.
xy_of() {
  [[ $1 =~ ^([0-9]+)\.([0-9]+)(\..*)?$ ]] && printf '%s.%s' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
}

# runtime.txt's runtime, the rule shared with the hook and deploy.cmd (cases:
# tests/data/runtime_spellings.tsv): the first line, less a UTF-8 BOM, one
# trailing CR and surrounding spaces/tabs, is `python-` in any case, X.Y, then
# nothing or `.` and anything. Prints X.Y, or nothing.
runtime_txt_xy() {
  local line=
  IFS= read -r line <"$1" || true
  line=${line#$'\xef\xbb\xbf'}
  line=${line%$'\r'}
  line=${line#"${line%%[!$' \t']*}"}
  line=${line%"${line##*[!$' \t']}"}
  if [[ $line =~ ^[Pp][Yy][Tt][Hh][Oo][Nn]-([0-9]+)\.([0-9]+)(\..*)?$ ]]; then
    printf '%s.%s' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
  fi
}

# The site's Python: KuduLite's own environment carries it -- FRAMEWORK and
# FRAMEWORK_VERSION (from linuxFxVersion `PYTHON|3.11`; KuduLite
# Kudu.Core/Deployment/Oryx/OryxArguments.cs passes it to Oryx as
# --platform-version) and WEBSITE_PYTHON_VERSION (PythonSiteEnabler.cs); a
# custom command inherits that environment (ExternalCommandFactory.cs adds to
# it). The site's setting beats runtime.txt, as it does for the runtime.
xy=
xy_from=
if [[ -n ${FRAMEWORK_VERSION:-} && ( -z ${FRAMEWORK:-} || ${FRAMEWORK,,} == python ) ]]; then
  xy=$(xy_of "$FRAMEWORK_VERSION") || die "FRAMEWORK_VERSION=$FRAMEWORK_VERSION is not a Python version X.Y"
  xy_from="the site's FRAMEWORK_VERSION"
elif [[ -n ${WEBSITE_PYTHON_VERSION:-} ]]; then
  xy=$(xy_of "$WEBSITE_PYTHON_VERSION") ||
    die "WEBSITE_PYTHON_VERSION=$WEBSITE_PYTHON_VERSION is not a Python version X.Y"
  xy_from="the site's WEBSITE_PYTHON_VERSION"
fi
if [[ -f $app_source/runtime.txt ]]; then
  txt_xy=$(runtime_txt_xy "$app_source/runtime.txt")
  if [[ -z $txt_xy ]]; then
    warn "runtime.txt does not name a python-X.Y runtime; ignoring it"
  elif [[ -z $xy ]]; then
    xy=$txt_xy
    xy_from=runtime.txt
  elif [[ $txt_xy != "$xy" ]]; then
    warn "runtime.txt says python-$txt_xy; $xy_from ($xy) decides"
  fi
fi

# version_of PYTHON: its X.Y, or nothing if it does not run.
version_of() {
  "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null
}

# What there is, for the message when the asked X.Y is not.
available_pythons() {
  local d found=
  for d in "$python_root"/*/; do
    [[ -x ${d}bin/python3 ]] && found+=" $(basename -- "$d")"
  done
  printf '%s has:%s;' "$python_root" "${found:- nothing}"
  for d in python"$xy" python3; do
    if command -v "$d" >/dev/null 2>&1; then
      printf ' on PATH: %s is %s;' "$d" "$(version_of "$d" || echo 'not runnable')"
    fi
  done
  printf ' PATH=%s' "$PATH"
}

# Oryx's layout: /opt/python/<full version>/bin (ENVGUARD_PYTHON_ROOT replaces
# /opt/python, for tests or an own server), and Oryx's `benv`, which puts a
# platform version on PATH (installing it on demand).
python_root=${ENVGUARD_PYTHON_ROOT:-/opt/python}
benv=${ENVGUARD_BENV:-/opt/oryx/benv}
find_python() {
  local d best=
  for d in "$python_root/$xy" "$python_root/$xy".*; do
    [[ -x $d/bin/python3 ]] || continue
    if [[ -z $best ]] || [[ $(printf '%s\n%s\n' "$best" "$d" | sort -V | tail -n1) == "$d" ]]; then
      best=$d
    fi
  done
  if [[ -n $best ]]; then
    printf '%s' "$best/bin/python3"
  elif [[ -f $benv ]] && (
    # benv is Oryx's script, not written for `set -eu`.
    set +eu
    # shellcheck disable=SC1090
    source "$benv" "python=$xy" dynamic_install_root_dir=/tmp/oryx/platforms >/dev/null 2>&1
    command -v python3
  ); then
    :
  elif command -v "python$xy" >/dev/null 2>&1; then
    command -v "python$xy"
  elif command -v python3 >/dev/null 2>&1; then
    command -v python3
  else
    return 1
  fi
}

python=
if ((python_steps)); then
  if [[ -n ${PYTHON:-} ]]; then
    python=$PYTHON
    command -v "$python" >/dev/null 2>&1 || die "PYTHON=$python: no such interpreter"
  elif [[ -n $xy ]]; then
    python=$(find_python) ||
      die "Python $xy ($xy_from) is not available: $(available_pythons). The current environment is left as it is."
  else
    python=python3
    say "envguard: no Python version set (FRAMEWORK_VERSION, WEBSITE_PYTHON_VERSION, runtime.txt): using python3."
    command -v python3 >/dev/null 2>&1 || die "no Python version set and no python3 on PATH"
  fi
  got=$(version_of "$python") || die "'$python' does not run"
  if [[ -z $xy ]]; then
    xy=$got
  elif [[ $got != "$xy" ]]; then
    die "Python $xy ($xy_from) is not available: '$python' is Python $got; $(available_pythons). The current environment is left as it is."
  fi
  runtime=python-$xy
  say "Using $python (Python $got) for $runtime."
fi

# --- Writing safely ----------------------------------------------------------

# Nothing is ever written, created or deleted through a link, nor outside
# DEPLOYMENT_TARGET, DEPLOYMENT_TEMP and the env (docs/deploy-sh.md, "What it
# writes"). A file is written under a fresh name in the stage, a folder made
# here by `mktemp -d` (so on the target's file system, with a name nobody can
# know beforehand), then renamed over its place: rename(2) replaces a link
# there and never follows it. Top-level names starting `.envguard-` are the
# script's own and are never synced from the repository; nor is `.envguard`,
# the state folder (an ignored name), which the sync never deletes from.
stage=
list=
cleanup() {
  [[ -z $stage ]] || rm -rf -- "$stage"
  [[ -z $list ]] || rm -f -- "$list"
}
trap cleanup EXIT
stage=$(mktemp -d -- "$DEPLOYMENT_TARGET/.envguard-stage.XXXXXXXXXX") ||
  die "cannot create a staging folder in $DEPLOYMENT_TARGET"

# place FILE PATH: moves FILE (in the stage) to PATH, replacing what is there,
# a link included, unless it is a folder.
place() {
  mv -fT -- "$1" "$2"
}

# reserved NAME: a top-level name of the target that belongs to the script.
reserved() {
  case $1 in
    .envguard-* | "$venv_name" | "$venv_name".envguard-*) return 0 ;;
  esac
  return 1
}

# real_folders DIR REL: every folder on REL's way below DIR is a real folder,
# not a link (a manifest may name a path whose folder is now a link).
real_folders() {
  local path=$1 rest=$2 part
  while [[ $rest == */* ]]; do
    part=${rest%%/*}
    rest=${rest#*/}
    [[ -n $part ]] || continue
    path+=/$part
    [[ -d $path && ! -L $path ]] || return 1
  done
}

# same_entry SRC DST: DST already holds SRC: the same link text, or a regular
# file with the same modification time (as KuduSync compares; cp -p keeps
# the time, git rewrites a file it changes).
same_entry() {
  local s=$1 d=$2
  if [[ -L $s ]]; then
    [[ -L $d ]] && [[ "$(readlink -- "$s"; printf x)" == "$(readlink -- "$d"; printf x)" ]]
  else
    [[ -f $d && ! -L $d ]] && ! [[ $s -nt $d || $s -ot $d ]]
  fi
}

# --- Sync ------------------------------------------------------------------

# Without KuduSync: copy the app folder to the target, skipping the ignored
# names, and -- like KuduSync -- delete only what an earlier deployment copied
# and the repository no longer has, as listed in the manifest. Files the
# running site wrote were never copied, so they stay, and so does the env.
# Links are copied as links, with their text.
sync_app() {
  local src=$1 dst=$2 prev=$3 next=$4
  local rel s d name parent n_copied=0 n_deleted=0
  local -a names prune=()
  local -A keep=() made=([.]=1)

  # Everything to copy, top-level ignored names and the env pruned.
  list=$(mktemp -- "${DEPLOYMENT_TEMP:-${TMPDIR:-/tmp}}/envguard-sync.XXXXXX") ||
    die "cannot create a temporary file"
  IFS=';' read -r -a names <<<"$IGNORED"
  for name in "${names[@]}" "$venv_name"; do
    prune+=(-path "./$name" -o)
  done
  (cd -- "$src" && find . -mindepth 1 \( "${prune[@]}" -false \) -prune -o -print0) >"$list" ||
    die "cannot list $src"

  while IFS= read -r -d '' rel; do
    rel=${rel#./}
    if reserved "${rel%%/*}"; then
      [[ $rel == */* ]] || warn "not synced: '$rel' is a name deploy.sh keeps for itself in the target"
      continue
    fi
    keep[$rel]=1
  done <"$list"

  # Delete what the previous deployment copied and the repository dropped,
  # never through a link on the way. Folders go last, deepest first, and
  # only when empty.
  if [[ -L $prev || (-e $prev && ! -f $prev) ]]; then
    warn "$prev is not a file deploy.sh wrote: nothing is deleted this time"
  elif [[ -f $prev ]]; then
    local -a dirs=()
    while IFS= read -r rel; do
      [[ -n $rel && -z ${keep[$rel]:-} ]] || continue
      case /$rel/ in
        */../* | */./* | //*) continue ;; # never outside the target
      esac
      reserved "${rel%%/*}" && continue # never the env or the script's own files
      [[ ${rel%%/*} != .envguard ]] || continue # nor the state folder (never synced)
      if ! real_folders "$dst" "$rel"; then
        warn "not deleting '$rel': a folder on its way is a link"
        continue
      fi
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

  # Copy. find lists a folder before what it holds, so each file's folder is
  # one this pass made sure is a real folder (`made`; `.` the target itself)
  # before the file is written into it.
  : >"$stage/manifest" || die "cannot write $stage/manifest"
  while IFS= read -r -d '' rel; do
    rel=${rel#./}
    [[ -n ${keep[$rel]:-} ]] || continue
    parent=.
    [[ $rel == */* ]] && parent=${rel%/*}
    [[ -n ${made[$parent]:-} ]] || die "cannot copy $rel: its folder was not made"
    s=$src/$rel
    d=$dst/$rel
    if [[ -d $s && ! -L $s ]]; then
      if [[ -L $d || (-e $d && ! -d $d) ]]; then
        rm -f -- "$d" || die "cannot replace $d with a folder"
      fi
      [[ -d $d ]] || mkdir -- "$d" || die "cannot create $d"
      made[$rel]=1
    elif [[ -L $s || -f $s ]]; then
      # A folder an earlier deployment made, now a file or a link: replaced
      # when it is empty (the deletions above emptied what was synced).
      if [[ -d $d && ! -L $d ]]; then
        rmdir -- "$d" 2>/dev/null || die "cannot replace the folder $d with a file: it holds files the site wrote"
      fi
      if ! same_entry "$s" "$d"; then
        # Copied into the stage, then renamed: a running site never reads a
        # half-written file, and a link at the name is replaced, not followed.
        cp -pP -- "$s" "$stage/copy" || die "cannot copy $rel"
        place "$stage/copy" "$d" || die "cannot copy $rel"
        n_copied=$((n_copied + 1))
      fi
    else
      warn "not synced: '$rel' is neither a file, a folder nor a link"
      continue
    fi
    # A name with a line break cannot be listed in a line-based manifest; it
    # is copied but never deleted later.
    [[ $rel == *$'\n'* ]] || printf '%s\n' "$rel" >>"$stage/manifest"
  done <"$list"
  rm -f -- "$list"
  list=
  place "$stage/manifest" "$next" || die "cannot write $next"
  say "Synced $src to $dst: $n_copied copied, $n_deleted deleted."
}

say "Handling python deployment."

if [[ ${IN_PLACE_DEPLOYMENT:-} != 1 ]]; then
  if [[ -n ${KUDU_SYNC_CMD:-} ]]; then
    # KuduSync ignores only the names it is given, so it would copy a
    # committed env folder (or a name of the script's) over the site's own:
    # refused, where the script's own sync leaves such an entry out.
    for entry in "$app_source"/* "$app_source"/.[!.]* "$app_source"/..?*; do
      [[ -e $entry || -L $entry ]] || continue
      if reserved "${entry##*/}"; then
        die "the repository holds '${entry##*/}' in the app folder, a name deploy.sh keeps for the site's own env and state: KuduSync would copy it over them. Remove it from the repository (git rm -r --cached '${entry##*/}'), or choose another VIRTUALENV_NAME"
      fi
    done
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

((python_steps)) || exit 0
say "Detected $requirements.  You can skip Python specific steps with a .skipPythonDeployment file."

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

# --- Python without the app's modules ----------------------------------------

# `python -m MODULE` and `python FILE` put the working directory (the file's
# folder) first on sys.path before they run anything (CPython Modules/main.c,
# pymain_run_python; `site` is imported before that): an app's own token.py,
# queue.py or email/ there would shadow the standard library inside pip, venv
# or the checker. -P is Python 3.11+ and -I also drops the PYTHON* settings;
# deleting sys.path[0] as the first statement of -c works on every Python and
# keeps the working directory, from which pip reads `-e .` and `./pkg`. Every
# inline snippet below starts the same way.
py_module() {
  local py=$1
  shift
  "$py" -c 'import sys; del sys.path[0]; import runpy; runpy.run_module(sys.argv.pop(1), run_name="__main__", alter_sys=True)' "$@"
}
py_file() {
  local py=$1
  shift
  "$py" -c 'import sys; del sys.path[0]; import runpy; runpy.run_path(sys.argv.pop(1), run_name="__main__")' "$@"
}

# --- The installer: pip, or uv where it can be had ------------------------------

# envguard's state folder: what outlives an env (uv's cache, a uv installed by
# ENVGUARD_UV=install, ensurepip's wheels). `.envguard` is a name KuduSync and
# the script's own sync are both told to ignore, so nothing from the
# repository lands in it. It is used only as a real folder: a link or a file
# at its name, or at a name in it, is never written through (uv is then not
# used, or the entry is replaced); what goes in it is renamed into place.
state_dir=$DEPLOYMENT_TARGET/.envguard

# state_ready: the state folder is a real folder of the target (never a link,
# never inside the repository checkout).
state_ready() {
  if [[ ! -e $state_dir && ! -L $state_dir ]]; then
    mkdir -- "$state_dir" 2>/dev/null || return 1
  fi
  [[ -d $state_dir && ! -L $state_dir ]] && ! inside_source "$state_dir"
}

# pip_config_files ENV: the files pip reads its configuration from (pip's
# configuration.py get_configuration_files and utils/appdirs.py): pip.conf in
# each XDG_CONFIG_DIRS folder's pip/ and in /etc, in the env, the user's two,
# and PIP_CONFIG_FILE.
pip_config_files() {
  local env=$1 dir home=~
  local -a dirs=()
  IFS=: read -r -a dirs <<<"${XDG_CONFIG_DIRS:-/etc/xdg}"
  for dir in "${dirs[@]}"; do
    [[ -z $dir ]] || printf '%s\n' "$dir/pip/pip.conf"
  done
  printf '%s\n' /etc/pip.conf "$env/pip.conf" "$home/.pip/pip.conf" \
    "${XDG_CONFIG_HOME:-$home/.config}/pip/pip.conf"
  if [[ -n ${PIP_CONFIG_FILE:-} && $PIP_CONFIG_FILE != /dev/null ]]; then
    printf '%s\n' "$PIP_CONFIG_FILE"
  fi
}

# uv reads neither PIP_* variables nor pip's files. uv_setting KEY VALUE FROM
# puts pip's setting KEY (`index-url`; from PIP_INDEX_URL or a pip.conf)
# into uv's own options, uv_opts and uv_env; list values are split at blanks,
# as pip splits them (pip's cli/parser.py). A setting without an equivalent
# here is named in uv_unsupported (return 1): pip installs then, so that the
# package set is pip's either way. From a pip.conf only settings that change
# nothing installed are taken (its values may span lines).
uv_setting() {
  local key=$1 value=$2 from=$3
  local -a items
  read -r -a items <<<"$value"
  case $key in
    # pip's own behaviour, not what it installs.
    disable-pip-version-check | no-cache-dir | cache-dir | root-user-action | progress-bar | \
      no-color | no-input | quiet | verbose | timeout | default-timeout | retries | \
      no-warn-script-location | require-virtualenv) return 0 ;;
    # The certificates to trust: uv takes them from SSL_CERT_FILE.
    cert)
      [[ -n ${SSL_CERT_FILE:-} ]] || uv_env=(SSL_CERT_FILE="$value")
      return 0
      ;;
  esac
  if [[ $from == file ]]; then
    uv_unsupported=$key
    return 1
  fi
  case $key in
    index-url) uv_opts+=(--index-url "$value") ;;
    extra-index-url)
      uv_opts+=("${items[@]/#/--extra-index-url=}")
      # pip takes the best version from all indexes together.
      uv_opts+=(--index-strategy unsafe-best-match)
      ;;
    find-links) uv_opts+=("${items[@]/#/--find-links=}") ;;
    no-index)
      # pip's strtobool (utils/misc.py).
      case ${value,,} in
        y | yes | t | true | on | 1) uv_opts+=(--no-index) ;;
        n | no | f | false | off | 0) ;;
        *)
          uv_unsupported="$from=$value"
          return 1
          ;;
      esac
      ;;
    *)
      uv_unsupported=$from
      return 1
      ;;
  esac
}

# uv_options: uv_setting for each setting of each pip.conf pip would read,
# then for each PIP_* variable (pip lets those win).
uv_options() {
  local f line key name
  uv_opts=()
  uv_env=()
  while IFS= read -r f; do
    [[ -f $f ]] || continue
    while IFS= read -r line || [[ -n $line ]]; do
      [[ $line =~ ^[[:space:]]*([A-Za-z0-9_-]+)[[:space:]]*[=:][[:space:]]*(.*)$ ]] || continue
      key=${BASH_REMATCH[1],,}
      uv_setting "${key//_/-}" "${BASH_REMATCH[2]%$'\r'}" file || {
        uv_unsupported="$f's $key"
        return 1
      }
    done <"$f"
  done < <(pip_config_files "$env_dir")
  for name in $(compgen -e | LC_ALL=C sort); do
    [[ $name == PIP_* ]] || continue
    key=${name#PIP_}
    key=${key,,}
    uv_setting "${key//_/-}" "${!name}" "$name" || return 1
  done
}

# choose_installer: uv when ENVGUARD_UV says where it comes from (`auto`, the
# default: uv on PATH; an absolute path; `install`: once from the package
# index into the state folder, with a log line) and it can install exactly
# what pip would; pip otherwise. Never a silent download.
installer=pip
uv=
uv_opts=()
uv_env=()
uv_cache=()
choose_installer() {
  local want=${ENVGUARD_UV:-auto} found from version
  case $want in
    off)
      say "envguard: installing with pip (ENVGUARD_UV=off)."
      return 0
      ;;
    auto)
      if ! found=$(command -v uv); then
        say "envguard: installing with pip (no uv on PATH; ENVGUARD_UV=install would fetch it from the package index once)."
        return 0
      fi
      from="uv on PATH"
      ;;
    install)
      if ! state_ready; then
        warn "ENVGUARD_UV=install: $state_dir cannot be used (a link, not a folder, or inside the repository): installing with pip"
        return 0
      fi
      found=$state_dir/uv/bin/uv
      if [[ -L $state_dir/uv || ! -x $found ]]; then
        say "envguard: ENVGUARD_UV=install: installing uv from the package index into $state_dir/uv (once; delete that folder for a newer uv)."
        rm -rf -- "$state_dir/uv" "$state_dir/uv.envguard-new"
        if ! (cd -- "$state_dir" &&
          py_module "$python" pip install --disable-pip-version-check --target "$state_dir/uv.envguard-new" uv) ||
          ! mv -T -- "$state_dir/uv.envguard-new" "$state_dir/uv"; then
          rm -rf -- "$state_dir/uv.envguard-new"
          warn "ENVGUARD_UV=install: could not install uv: installing with pip"
          return 0
        fi
      fi
      from="ENVGUARD_UV=install, in $state_dir/uv"
      ;;
    /*)
      found=$want
      from="ENVGUARD_UV"
      ;;
    *)
      warn "ENVGUARD_UV must be auto, off, install or the absolute path of uv, not '$want': installing with pip"
      return 0
      ;;
  esac
  if ! version=$("$found" --version 2>/dev/null) || [[ $version != "uv "* ]]; then
    warn "$found ($from) does not run as uv: installing with pip"
    return 0
  fi
  if ! state_ready || [[ -z ${UV_CACHE_DIR:-} && -L $state_dir/uv-cache ]]; then
    warn "$state_dir cannot hold uv's cache (a link, not a folder, or inside the repository): installing with pip"
    return 0
  fi
  if ! uv_options; then
    say "envguard: installing with pip: $uv_unsupported has no uv equivalent here."
    return 0
  fi
  uv=$found
  read -r _ version _ <<<"$version"
  installer="uv $version"
  [[ -n ${UV_CACHE_DIR:-} ]] || uv_cache=(--cache-dir "$state_dir/uv-cache")
  say "envguard: installing with $installer ($from), cache ${UV_CACHE_DIR:-$state_dir/uv-cache}."
}

# --- Building an env -----------------------------------------------------------

# run_setting NAME ENV: runs the Oryx build hook NAME (PRE_BUILD_COMMAND,
# POST_BUILD_COMMAND) in the app folder, as Oryx's BaseBashBuildScript.sh.tpl
# does, with ENV's bin first on PATH so that its pip is the env's. Unlike an
# Oryx build, the env already exists when PRE_BUILD_COMMAND runs.
run_setting() {
  local name=$1 env=$2
  [[ -n ${!name:-} ]] || return 0
  say "Running $name..."
  (cd -- "$app_dir" && VIRTUAL_ENV=$env PATH=$env/bin:$PATH bash -c "${!name}") ||
    die "$name failed"
}

# guard_requirements ENV: before pip or uv reads them, the requirements file
# and every file it includes (-r/-c, nested), as ENV's own pip parser opens
# them in the app folder, must be files of the app as deployed (the target,
# or the repository in place), not of the env or the state folder: a link out,
# an absolute path or `..` out would make the installer print a server file's
# first line into the log. The hook refuses the same in the commit
# (crates/envguard-core/src/links.rs). The same pass, the only one that
# watches what pip's parser reads, sets `reads` to what the record needs of it
# (the checker's --inputs: each file read, the ${NAME}s in them, the
# requirements installed from a path or URL). It runs before every install and
# before a skip too: the record's digests cover a file's bytes, not where a
# link at its path leads.
# uv_inert: with uv, whether uv's own variables (it runs with --no-config; the
# pip settings it takes are uv_options') say no more than where packages come
# from and how uv talks: then uv, like pip, installs nothing for a
# requirement an installed distribution satisfies ("Audited" in its log), and
# the checker's proof of pip's outcome is uv's too. Always true with pip.
uv_inert() {
  local name
  [[ -n $uv ]] || return 0
  for name in $(compgen -e); do
    case $name in
      UV_CACHE_DIR | UV_LINK_MODE | UV_NO_PROGRESS | UV_HTTP_TIMEOUT | UV_CONCURRENT_* | UV_NATIVE_TLS | \
        UV_INDEX_URL | UV_EXTRA_INDEX_URL | UV_DEFAULT_INDEX | UV_INDEX | UV_FIND_LINKS | UV_NO_INDEX | \
        UV_OFFLINE | UV_NO_CACHE) ;;
      UV_*) return 1 ;;
    esac
  done
}

reads=
satisfied=
proof_fingerprint=
guard_requirements() {
  local env=$1 root inputs
  local -a satisfied_flag=()
  if [[ $env == "$env_dir" ]] && uv_inert; then
    satisfied_flag=(--satisfied)
    [[ -z ${ENVGUARD_KEEP:-} ]] || satisfied_flag+=(--keep "$ENVGUARD_KEEP")
    [[ -z $config ]] || satisfied_flag+=(--config "$config")
  fi
  [[ -f $checker ]] ||
    die "no envguard_check.py beside deploy.sh to judge the files $requirements_shown includes (envguard init copies it)"
  if [[ ${IN_PLACE_DEPLOYMENT:-} == 1 ]]; then root=$source_real; else root=$DEPLOYMENT_TARGET; fi
  inputs=$(mktemp -- "$stage/inputs.XXXXXX") || die "cannot create a temporary file in $stage"
  (cd -- "$app_dir" && py_file "$env/bin/python" "$checker" --files -r "$requirements" --root "$root" \
    --exclude "$env_dir" --exclude "$new_env" --exclude "$old_env" --exclude "$stage" \
    --exclude "$state_dir" --inputs "$inputs" "${satisfied_flag[@]}") >/dev/null ||
    die "pip would read a file that is not the app's, or one it cannot read (see above): nothing was installed"
  reads=$(<"$inputs")
  rm -f -- "$inputs"
  satisfied=
  if ((${#satisfied_flag[@]})); then
    satisfied=${reads%%$'\n'*}
    [[ $reads == *$'\n'* ]] && reads=${reads#*$'\n'} || reads=
  fi
}

# create_env DIR: a venv of the site's Python as `python -m venv --copies`
# makes it (Oryx's runtime needs the copies: docs/deploy-sh.md), with pip and
# whatever else ensurepip puts in, uncompiled. With uv, ensurepip's own wheels are handed
# to uv instead of to pip (CPython Lib/ensurepip/__init__.py: _bootstrap
# passes them to _run_pip): ensurepip's pip byte-compiles itself one file at a
# time, most of the 5-6 s a venv takes. They are kept in the state folder,
# rewritten only when they change, so that uv's cache knows them again and
# links the same files into every new env (and carry_bytecode finds them).
create_env() {
  local dir=$1 seed=$state_dir/ensurepip-$runtime f name rest
  local -a wanted=()
  py_module "$python" venv --copies --without-pip "$dir" || die "could not create the virtual environment"
  if [[ -z $uv ]]; then
    # What venv's _setup_pip runs (`-m ensurepip --upgrade --default-pip`
    # with the new env's Python), its pip told --no-compile: compile_env
    # compiles pip's files with the rest, over all cores.
    (cd -- "$dir" && env -u PYTHONHOME -u PYTHONPATH VIRTUAL_ENV="$dir" "$dir/bin/python" -c 'import sys; del sys.path[0]
import ensurepip
run_pip = ensurepip._run_pip
def no_compile(args, *more, **named):
    return run_pip(list(args) + ["--no-compile"], *more, **named)
ensurepip._run_pip = no_compile
sys.exit(ensurepip._bootstrap(upgrade=True, default_pip=True))') >/dev/null ||
      die "could not install pip into the virtual environment"
    return 0
  fi
  if [[ -L $seed || (-e $seed && ! -d $seed) ]]; then
    rm -f -- "$seed" || die "cannot replace $seed"
  fi
  if (mkdir -p -- "$seed" && cd -- "$seed" && "$python" -c 'import sys; del sys.path[0]
import ensurepip, filecmp, os, shutil
seed, wheels = sys.argv[1], set()
def keep(args, additional_paths=None):
    for path in additional_paths or ():
        wheel = os.path.join(seed, os.path.basename(path))
        wheels.add(os.path.basename(path))
        if os.path.islink(wheel) or not (os.path.isfile(wheel) and filecmp.cmp(path, wheel, shallow=False)):
            if os.path.lexists(wheel + ".tmp"):
                os.remove(wheel + ".tmp")
            shutil.copy(path, wheel + ".tmp")
            os.replace(wheel + ".tmp", wheel)
    return 0
ensurepip._run_pip = keep
ensurepip._bootstrap(default_pip=True)
for name in os.listdir(seed):
    if name not in wheels:
        os.remove(os.path.join(seed, name))' "$seed"); then
    for f in "$seed"/*.whl; do
      [[ -f $f ]] || continue
      name=${f##*/}
      rest=${name#*-}
      wanted+=("${name%%-*}==${rest%%-*}")
    done
  fi
  if ((${#wanted[@]})) && (cd -- "$seed" && "$uv" --no-config pip install -q --python "$dir/bin/python" \
    "${uv_cache[@]}" --no-index --find-links "$seed" --no-deps "${wanted[@]}"); then
    return 0
  fi
  warn "uv could not install ensurepip's wheels: ensurepip installs pip"
  (cd -- "$dir" && py_module "$dir/bin/python" ensurepip --upgrade --default-pip >/dev/null) ||
    die "could not install pip into the virtual environment"
}

# install ENV: the requirements into ENV, by uv (pip if uv fails, as in
# Oryx's PythonBashBuildSnippet.sh.tpl) or pip, in the app folder, where pip
# reads a relative path (`-e .`, `./pkg`) from. Neither compiles: compile_env
# does it for everything at once. `python -m pip` rather than bin/pip: a long
# wwwroot path can exceed the kernel's limit for a #! line.
install() {
  local env=$1
  if [[ -n $uv ]]; then
    say "Installing requirements with $installer."
    if (cd -- "$app_dir" && env "${uv_env[@]}" "$uv" --no-config pip install --python "$env/bin/python" \
      "${uv_cache[@]}" "${uv_opts[@]}" -r "$requirements"); then
      return 0
    fi
    warn "uv pip install failed: pip installs instead"
  fi
  say "Pip install requirements."
  (cd -- "$app_dir" && py_module "$env/bin/python" pip install --no-compile -r "$requirements") ||
    die "pip install failed"
}

# carry_bytecode ENV: in a new env that uv filled from its cache, a source file
# that is the very file (same inode: uv hard-links from its cache) the current
# env has gets the bytecode the current env compiled for it. A .pyc is checked
# against its source's mtime and size (or hash) and the source is the same
# file, so it is the .pyc compiling would write; nothing else is carried.
carry_bytecode() {
  [[ -d $env_dir && ! -L $env_dir ]] || return 0
  (cd -- "$1" && "$1/bin/python" -c 'import sys; del sys.path[0]
import os, sysconfig
from importlib.util import cache_from_source
old = sys.argv[1]
for root, dirs, files in os.walk(sysconfig.get_paths()["purelib"]):
    dirs[:] = [d for d in dirs if d != "__pycache__"]
    for name in files:
        if not name.endswith(".py"):
            continue
        src = os.path.join(root, name)
        was = os.path.join(old, os.path.relpath(src, sys.prefix))
        pyc, was_pyc = cache_from_source(src), cache_from_source(was)
        try:
            if os.path.lexists(pyc) or os.path.islink(was_pyc) or not os.path.isfile(was_pyc):
                continue
            if not os.path.samestat(os.lstat(src), os.lstat(was)):
                continue
            cache = os.path.dirname(pyc)
            if os.path.islink(cache):
                continue
            if not os.path.isdir(cache):
                os.mkdir(cache)
            os.link(was_pyc, pyc)
        except OSError:
            pass' "$env_dir") || true
}

# compile_env ENV: byte-compiles what is not yet, as pip would have (pip's
# compileall.compile_file with its defaults; a file that does not compile is
# skipped, as pip skips it), in parallel when there is much to do: a fresh env
# spends most of its build here, and an app that starts without .pyc files
# compiles what it imports at every cold start where it cannot write them.
compile_env() {
  (cd -- "$1" && "$1/bin/python" -c 'import sys; del sys.path[0]
import compileall, os, sysconfig
from importlib.util import cache_from_source
paths = sysconfig.get_paths()
for site in sorted(set([paths["purelib"], paths["platlib"]])):
    missing = 0
    for root, dirs, files in os.walk(site):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        missing += sum(1 for f in files if f.endswith(".py")
                       and not os.path.exists(cache_from_source(os.path.join(root, f))))
    compileall.compile_dir(site, maxlevels=sys.getrecursionlimit(), quiet=2,
                           workers=0 if missing > 200 else 1)') ||
    warn "could not byte-compile the environment; the app compiles what it imports when it starts"
}

# build ENV: the build steps into ENV: PRE_BUILD_COMMAND, the requirements'
# files judged, the requirements (skipped when `unchanged` proves them
# installed, or the checker's --satisfied that pip or uv would install nothing),
# the marker's token, collectstatic, POST_BUILD_COMMAND.
build() {
  local env=$1 before=
  run_setting PRE_BUILD_COMMAND "$env"
  guard_requirements "$env"
  if [[ $env == "$env_dir" ]] && unchanged; then
    say "envguard: requirements, Python, installer and installed distributions are as the last deployment recorded them: pip skipped."
  elif [[ $satisfied == satisfied || $satisfied == "satisfied "* ]]; then
    say "envguard: every requirement is installed at a version it allows and nothing tells ${installer%% *} to upgrade or reinstall: ${installer%% *} would install nothing, so it does not run."
    proof_fingerprint=$(installed_fingerprint "$env") || proof_fingerprint=
  else
    [[ -z $satisfied ]] || say "envguard: ${installer%% *} runs: ${satisfied#unsatisfied }."
    # What pip installed into a reused env shows in its metadata; when that
    # did not change, there is nothing new to compile.
    [[ $env == "$new_env" ]] || before=$(installed_fingerprint "$env") || before=
    install "$env"
    [[ $env != "$new_env" || -z $uv ]] || carry_bytecode "$env"
    if [[ -z $before || $(installed_fingerprint "$env" || true) != "$before" ]]; then
      compile_env "$env"
    fi
  fi
  # Only now that pip succeeded; temp file and rename, so a half-written token
  # never matches.
  if [[ -n $token && $(read_line "$env/.envguard-token") != "$token" ]]; then
    write_file "$env/.envguard-token" "$token"
    say "envguard: recorded marker ${token:0:12}… in the virtual environment."
  fi
  collect_static "$env"
  run_setting POST_BUILD_COMMAND "$env"
}

# Django: as Oryx's PythonBashBuildSnippet.sh.tpl -- only with a manage.py and
# Django named in the requirements file (`grep -i`), a failure is a warning --
# and not with DISABLE_COLLECTSTATIC=true or Kudu's .skipDjango.
collect_static() {
  local env=$1
  ((collectstatic)) && [[ -f $app_dir/manage.py && ! -e $app_dir/.skipDjango ]] || return 0
  grep -iq django -- "$app_dir/$requirements" || return 0
  say "Collecting Django static files. You can skip Django specific steps with a .skipDjango file or DISABLE_COLLECTSTATIC=true."
  (cd -- "$app_dir" && "$env/bin/python" manage.py collectstatic --noinput) ||
    warn "Django collectstatic failed; the deployment goes on (as in an Oryx build)"
}

# read_line FILE: its first line (at most 128 characters); nothing for a link,
# which deploy.sh never writes.
read_line() {
  local line=
  [[ -f $1 && ! -L $1 ]] && IFS= read -r -n 128 line <"$1"
  printf '%s' "$line"
}

# write_file PATH TEXT: a new file in the stage, renamed over PATH (a link
# there is replaced, never written through), so a half-written file is never
# read either.
write_file() {
  local tmp
  tmp=$(mktemp -- "$stage/write.XXXXXX") || die "cannot write $1"
  printf '%s\n' "$2" >"$tmp" || die "cannot write $1"
  place "$tmp" "$1" || die "cannot write $1"
}

# relocate FROM TO: a venv records its own path in bin/activate* and in the
# #! line of each script pip installs in bin/; point those at the path the
# env is about to have.
relocate() {
  local from=$1 to=$2 f pattern replacement
  pattern=$(printf '%s' "$from" | sed 's/[][\\.*^$#]/\\&/g')
  replacement=$(printf '%s' "$to" | sed 's/[\\&#]/\\&/g')
  for f in "$from"/bin/*; do
    if [[ -f $f && ! -L $f ]] && grep -Iq . "$f" && grep -qF -- "$from" "$f"; then
      sed -i "s#$pattern#$replacement#g" "$f" || die "cannot update $f"
    fi
  done
}

# rebuild: a new env in new_env, built in full, then switched in for the old
# one by two renames; the old one is deleted after. Until the switch the site
# keeps running the old env, and a failed build leaves it in place.
rebuild() {
  rm -rf -- "$new_env" "$old_env"
  [[ ! -e $new_env && ! -e $old_env ]] || die "could not delete $new_env or $old_env"
  say "Creating $runtime virtual environment."
  create_env "$new_env"
  : >"$new_env/azure.env.$runtime.txt" || die "cannot write the env's sentinel"
  build "$new_env"
  relocate "$new_env" "$env_dir"
  if [[ -e $env_dir || -L $env_dir ]]; then
    mv -T -- "$env_dir" "$old_env" || die "cannot move the old environment aside"
  fi
  mv -T -- "$new_env" "$env_dir" || die "cannot switch to the new environment"
  rm -rf -- "$old_env" || warn "could not delete $old_env"
  fresh=1
  recorded=
}

# --- What pip's outcome depends on: skipping the work of an unchanged deploy ---

# After a deployment whose leftovers check found nothing to act on,
# <env>/.envguard-inputs records, one `DIGEST KIND NAME` a line, everything
# pip's outcome and the check's verdict depend on (docs/deploy-sh.md, "When
# pip is skipped"). The next deployment computes the same lines; when they are
# equal, `pip install -r` would find every requirement satisfied and change
# nothing (pip leaves a satisfied requirement alone without --upgrade, which
# the record excludes), and the check would read the same inputs, so both are
# skipped. The record is deleted before the env is touched: a deployment that
# fails leaves none. Which files the record digests is this deployment's
# guard_requirements' answer, never the old record's.

# What the leftovers check does with what it finds (and what the record
# holds): prune, rebuild or warn; any other value is refused by name and
# taken as rebuild, the safest, as deploy.cmd takes it.
policy=${ENVGUARD_ON_LEFTOVERS:-prune}
case $policy in
  prune | rebuild | warn) ;;
  *)
    warn "ENVGUARD_ON_LEFTOVERS=$policy is not prune, rebuild or warn: acting as rebuild"
    policy=rebuild
    ;;
esac

# digest FILE: its SHA-256, or `none` without it.
digest() {
  local sum
  if [[ -f $1 ]] && sum=$(sha256sum <"$1"); then printf '%s' "${sum%% *}"; else printf 'none'; fi
}
# digest_text TEXT: the SHA-256 of TEXT (values are recorded only hashed).
digest_text() {
  local sum
  sum=$(printf '%s' "$1" | sha256sum) && printf '%s' "${sum%% *}"
}

# installed_fingerprint ENV: a digest of what pip and the checker see of the
# environment: the interpreter's version and path, and every distribution's
# metadata (each .dist-info/.egg-info and its files, .egg-link and .pth: name,
# size, mtime, inode) in every sys.path folder. Run as pip runs (the env's
# Python, the app folder, no sys.path[0]), so that its sys.path is pip's.
installed_fingerprint() {
  (cd -- "$app_dir" && "$1/bin/python" -c 'import sys; del sys.path[0]
import hashlib, os
h = hashlib.sha256()
def add(text):
    h.update(text.encode("utf-8", "surrogateescape") + b"\n")
add(sys.version)
add(sys.executable)
for folder in sys.path:
    add("path " + folder)
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        continue
    for name in names:
        if not name.endswith((".dist-info", ".egg-info", ".egg-link", ".pth")):
            continue
        path = os.path.join(folder, name)
        paths = [path]
        if os.path.isdir(path):
            paths += [os.path.join(path, n) for n in sorted(os.listdir(path))]
        for p in paths:
            s = os.lstat(p)
            add("%s %d %d %d %d" % (p, s.st_mode, s.st_size, s.st_mtime_ns, s.st_ino))
print(h.hexdigest())')
}

# inputs ENV READS: the lines of the record for ENV, READS being the checker's
# `file PATH` and `ref NAME` lines (the requirements files pip's parser read,
# the ${NAME}s in them). Fails when a part cannot be had.
inputs() {
  local env=$1 reads=$2 line kind name value sum fingerprint
  fingerprint=$(installed_fingerprint "$env") || return 1
  printf '%s script deploy.sh\n' "$(digest "${BASH_SOURCE[0]}")"
  printf '%s script envguard_check.py\n' "$(digest "$checker")"
  printf '%s setting Python %s\n' "$(digest_text "$python")" "$python"
  printf '%s setting requirements %s/%s\n' "$(digest_text "$app_dir/$requirements")" "$app_dir" "$requirements"
  printf '%s setting installer %s\n' "$(digest_text "$installer")" "$installer"
  printf '%s setting ENVGUARD_ON_LEFTOVERS\n' "$(digest_text "$policy")"
  printf '%s setting ENVGUARD_KEEP\n' "$(digest_text "${ENVGUARD_KEEP:-}")"
  printf '%s setting envguard.toml %s\n' "$(digest "$config")" "$config"
  if [[ -L $env/.envguard-leftovers ]]; then
    printf 'link setting .envguard-leftovers\n'
  else
    printf '%s setting .envguard-leftovers\n' "$(digest "$env/.envguard-leftovers")"
  fi
  # pip reads PIP_*, uv UV_*, Python PYTHON*; the locale decides how pip
  # decodes a requirements file without a BOM or coding line.
  for name in $(compgen -e | LC_ALL=C sort); do
    case $name in
      PIP_* | UV_* | PYTHON* | LANG | LC_*) printf '%s var %s\n' "$(digest_text "${!name}")" "$name" ;;
    esac
  done
  while IFS= read -r name; do
    printf '%s pipconf %s\n' "$(digest "$name")" "$name"
  done < <(pip_config_files "$env")
  while IFS= read -r line; do
    kind=${line%% *}
    name=${line#* }
    case $kind in
      file)
        # A file pip's parser read a moment ago that cannot be read now.
        sum=$(digest "$name")
        [[ $sum != none ]] || return 1
        printf '%s file %s\n' "$sum" "$name"
        ;;
      ref)
        # pip's ENV_VAR_RE; the name is looked up, never evaluated.
        [[ $name =~ ^[A-Z0-9_]+$ ]] || return 1
        if value=$(printenv -- "$name"); then
          printf '%s ref %s\n' "$(digest_text "$value")" "$name"
        else
          printf 'unset ref %s\n' "$name"
        fi
        ;;
    esac
  done <<<"$reads"
  printf '%s installed distributions\n' "$fingerprint"
}

# take_record: reads <env>/.envguard-inputs into `recorded`, and the names its
# check left in place (what a fresh env held on purpose, on its last line)
# into `recorded_left`, and deletes it.
recorded=
recorded_left=
take_record() {
  local file=$env_dir/.envguard-inputs
  recorded=
  recorded_left=
  if [[ -f $file && ! -L $file ]] && command -v sha256sum >/dev/null 2>&1; then
    recorded=$(<"$file")
    if [[ $recorded == *$'\n- left '* ]]; then
      recorded_left=${recorded##*$'\n- left '}
      recorded=${recorded%$'\n- left '*}
    fi
  fi
  rm -f -- "$file"
}

# unchanged: the reused env's inputs, with the files and ${NAME}s this
# deployment's guard_requirements saw pip's parser read, are what its record
# says. Says what changed otherwise.
unchanged() {
  local now line kind i
  local -a a b
  [[ -n $recorded ]] || return 1
  now=$(inputs "$env_dir" "$reads") || return 1
  [[ $now != "$recorded" ]] || return 0
  mapfile -t a <<<"$now"
  mapfile -t b <<<"$recorded"
  for ((i = 0; i < ${#a[@]} || i < ${#b[@]}; i++)); do
    if [[ ${a[i]:-} != "${b[i]:-}" ]]; then
      read -r _ kind line <<<"${a[i]:-${b[i]}}"
      case $kind in
        setting) line=${line%% *} ;;
        ref) line="\${$line}" ;;
        installed) line="the installed distributions" ;;
      esac
      say "envguard: since the last deployment, $line changed."
      break
    fi
  done
  return 1
}

# record READS: writes the record after a deployment whose check found nothing
# to act on, unless pip's outcome there depends on more than the inputs (says
# why then).
record() {
  local reads=$1 text name f
  local why=
  if ! command -v sha256sum >/dev/null 2>&1; then
    why="no sha256sum on this machine"
  elif [[ $reads == *"unknown "* ]]; then
    why="the checker could not list the files pip reads"
  elif [[ $reads == *"link "* ]]; then
    why="the requirements install a project from a path or URL, which pip reinstalls every time"
  elif [[ $reads != *"file "* ]]; then
    why="the checker listed no requirements file"
  fi
  # pip and uv consult the index again for a satisfied requirement only when
  # told to upgrade or reinstall.
  for name in PIP_UPGRADE PIP_FORCE_REINSTALL PIP_IGNORE_INSTALLED UV_UPGRADE UV_UPGRADE_PACKAGE \
    UV_REINSTALL UV_REINSTALL_PACKAGE; do
    [[ -z $why && -v $name ]] && why="$name is set"
  done
  while IFS= read -r f; do
    if [[ -z $why && -f $f ]] && grep -Eiq 'upgrade|reinstall|ignore[-_]installed' -- "$f"; then
      why="$f may tell pip to upgrade or reinstall"
    fi
  done < <(pip_config_files "$env_dir")
  if [[ -n $why ]]; then
    say "envguard: the next deployment installs again ($why)."
    return 0
  fi
  if ! text=$(inputs "$env_dir" "$reads"); then
    say "envguard: the next deployment installs again (what the install depended on could not be read back)."
    return 0
  fi
  [[ -z $left ]] || text+=$'\n'"- left $(words "$left")"
  write_file "$env_dir/.envguard-inputs" "$text"
}

# --- Virtual environment and packages --------------------------------------

choose_installer
fresh=0
reason=
# The recorded token is the one the deployed commit carries: deploying a
# commit without a marker (a rollback to before it) forgets it, so that the
# marker, when it comes back, cleans again. rm removes a link, never what it
# names.
if [[ -z $token && -d $env_dir && ! -L $env_dir ]] &&
  [[ -e $env_dir/.envguard-token || -L $env_dir/.envguard-token ]]; then
  say "envguard: this commit carries no marker: forgetting the one recorded in the virtual environment."
  rm -f -- "$env_dir/.envguard-token" || die "cannot delete $env_dir/.envguard-token"
fi
if [[ ! -e $env_dir ]]; then
  reason="No virtual environment yet."
elif [[ ! -d $env_dir || -L $env_dir ]]; then
  reason="$env_dir is not a folder: replacing it."
elif [[ ! -f $env_dir/azure.env.$runtime.txt ]]; then
  reason="Deleting incompatible virtual environment."
elif [[ -n $token && $(read_line "$env_dir/.envguard-token") != "$token" ]]; then
  reason="envguard: marker ${token:0:12}… is new: deleting the virtual environment"
fi
if [[ -n $reason ]]; then
  say "$reason"
  rebuild
else
  say "Found compatible virtual environment."
  take_record
  build "$env_dir"
fi

# --- What the runtime starts -----------------------------------------------

# App Service's app container starts the site with Oryx's startup-script
# generator (Azure-App-Service/ImageBuilder GenerateDockerFiles/python/
# template-3.10/init_container.sh: `oryx create-script -appPath
# /home/site/wwwroot ... -virtualEnvName antenv`), which reads
# wwwroot/oryx-manifest.toml (Oryx src/startupscriptgenerator/src/common/
# buildManifestHelper.go; keys matched case-insensitively) and, in
# src/python/scriptgenerator.go:
#   - CompressDestinationDir="true": unpacks output.tar.zst, else
#     output.tar.gz, and starts that copy of the app and its env;
#   - compressedVirtualEnvFile: unpacks that archive to /antenv and moves
#     wwwroot/antenv aside for a link to it;
#   - otherwise: puts wwwroot/<name>/lib/pythonX.Y/site-packages on
#     PYTHONPATH, <name> being the manifest's virtualEnvName, else the flag's
#     antenv; with no such folder it warns and starts without the packages.
# So an earlier Oryx build's output goes (KuduSync deletes only what its own
# manifest lists), and the manifest is this script's: none for antenv, and
# for another name a single virtualEnvName line. Without the other keys the
# rest of the start is what it is without a manifest: the runtime's own
# Python (PythonVersion), the app in wwwroot (no SourceDirectoryInBuildContainer,
# nothing activated), no package folder. Written only now that the env is
# built, so a failed deployment leaves the runtime on the env it had.
for name in output.tar.gz output.tar.zst \
  {antenv,"$venv_name"}.tar.gz {antenv,"$venv_name"}.tar.zst {antenv,"$venv_name"}.zip; do
  if [[ -f $DEPLOYMENT_TARGET/$name || -L $DEPLOYMENT_TARGET/$name ]]; then
    say "envguard: removing Oryx's earlier build output $name: the site runs $venv_name now."
    rm -f -- "${DEPLOYMENT_TARGET:?}/$name" || die "cannot delete $DEPLOYMENT_TARGET/$name"
  fi
done
oryx_manifest=$DEPLOYMENT_TARGET/oryx-manifest.toml
if [[ -d $oryx_manifest && ! -L $oryx_manifest ]]; then
  [[ $venv_name == antenv ]] ||
    die "$oryx_manifest is a folder: the runtime cannot be told that the env is $venv_name (VIRTUALENV_NAME)"
elif [[ $venv_name == antenv ]]; then
  if [[ -e $oryx_manifest || -L $oryx_manifest ]]; then
    say "envguard: removing oryx-manifest.toml: the runtime finds antenv without it."
    rm -f -- "$oryx_manifest" || die "cannot delete $oryx_manifest"
  fi
else
  # Written under a fresh name (mktemp creates it, never through a link),
  # then renamed over the old one; a link there is removed first, as mv
  # would move into the folder it points at.
  manifest_tmp=$(mktemp "$DEPLOYMENT_TARGET/.envguard-oryx-manifest.XXXXXX") ||
    die "cannot write $oryx_manifest"
  if ! printf 'virtualEnvName="%s"\n' "$venv_name" >"$manifest_tmp" ||
    ! chmod 644 -- "$manifest_tmp" ||
    { [[ -L $oryx_manifest ]] && ! rm -f -- "$oryx_manifest"; } ||
    ! mv -f -- "$manifest_tmp" "$oryx_manifest"; then
    rm -f -- "$manifest_tmp"
    die "cannot write $oryx_manifest"
  fi
  say "envguard: oryx-manifest.toml names $venv_name: App Service's runtime looks for antenv otherwise."
fi

# --- envguard: the leftovers check -----------------------------------------

# take_left TEXT: sets `left_lines` to TEXT's `name==version` lines and
# `left` to their names (one a line).
take_left() {
  left_lines=$(printf '%s\n' "$1" | grep -E '^[^=[:space:]]+==' || true)
  left=$(printf '%s\n' "$left_lines" | sed -n 's/^\([^=[:space:]]*\)==.*/\1/p')
}

# check: runs the checker with the env's own Python, in the app folder where
# pip ran: pip reads a relative path in the requirements (`-e .`, `./pkg`)
# from its working directory, and so does the checker. Sets `left` to the
# names it lists (one a line), `left_lines` to its lines (`name==version`),
# and returns 0 (nothing left), 1 (names listed) or 3 (it cannot judge this
# env and said why).
check() {
  local out status=0
  local -a args=(-r "$app_dir/$requirements")
  [[ -n ${ENVGUARD_KEEP:-} ]] && args+=(--keep "$ENVGUARD_KEEP")
  [[ -n $config ]] && args+=(--config "$config")
  out=$(cd -- "$app_dir" && py_file "$env_dir/bin/python" "$checker" "${args[@]}") || status=$?
  take_left "$out"
  case $status in
    0 | 3) return "$status" ;;
    1) [[ -n $left ]] && return 1 ;;
  esac
  die "the leftovers check failed (exit $status): $checker"
}

# first_check: the check's verdict after the install, as `check` gives it.
# When the install did not run because the proof said it would change
# nothing, that same pass listed what the check would (the same reading of
# the same files and metadata, the same keep list): taken as it is when the
# installed distributions are still what they were after the proof
# (POST_BUILD_COMMAND or collectstatic may have installed something).
first_check() {
  local -a words=()
  if [[ -n $proof_fingerprint && $(installed_fingerprint "$env_dir" || true) == "$proof_fingerprint" ]]; then
    read -r -a words <<<"${satisfied#satisfied}"
    take_left "$(printf '%s\n' "${words[@]}")"
    [[ -z $left ]] || return 1
    return 0
  fi
  check
}

# The lines of $1 as one line of words.
words() { printf '%s' "${1//$'\n'/ }"; }

# Names of $1 (lines) not in the file $2 (lines); a link there is no file
# deploy.sh wrote, and names nothing.
not_in() {
  if [[ -f $2 && ! -L $2 ]]; then grep -vxF -f "$2" <<<"$1" || true; else printf '%s\n' "$1"; fi
}

# Records what a fresh env still holds: installed by something other than the
# requirements, on purpose, and never pruned or rebuilt for again.
accept() {
  write_file "$env_dir/.envguard-leftovers" "$left"
  warn "still installed after a fresh build, so something other than the requirements installs them (PRE_BUILD_COMMAND, POST_BUILD_COMMAND?); reported from now on, never pruned or rebuilt for: $(words "$left")"
}

# prune NAMES: uninstalls exactly NAMES (canonical names, one a line) with the
# env's own pip, whichever installer filled it: pip also deletes the bytecode
# of each file it removes (req_uninstall.py), which uv leaves for top-level
# modules, so the env ends with a fresh env's files.
prune() {
  local name
  local -a names=()
  while IFS= read -r name; do
    [[ $name =~ ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$ ]] || return 1
    names+=("$name")
  done <<<"$1"
  (cd -- "$app_dir" && py_module "$env_dir/bin/python" pip uninstall -y "${names[@]}")
}

# settle: the verdict of the last check, with nothing more to do: 0 when it
# leaves the env as it should be (clean, or only what a fresh env held).
settled=0
settle() {
  local status=$1
  settled=0
  if ((status == 0)); then
    settled=1
  elif ((status == 1)) && [[ -z $(not_in "$left" "$env_dir/.envguard-leftovers") ]]; then
    say "envguard: installed outside the requirements, as before (never pruned or rebuilt for): $(words "$left")"
    settled=1
  fi
}

# rebuild_once WHY: the one rebuild a deployment may fall back to, checked
# again after; what the fresh env still holds is accepted.
rebuild_once() {
  local status=0
  warn "$1: rebuilding the environment once"
  rebuild
  check || status=$?
  if ((status == 1)); then
    settle 1
    ((settled)) || accept
    settled=1
  elif ((status == 3)); then
    warn "the leftovers check cannot judge the rebuilt environment (see above)"
  else
    settled=1
  fi
}

# What a log line that asks whether the hook was bypassed adds: where to look.
doctor_hint="\`envguard doctor\` in a clone says whether envguard still runs on push there (a hook manager installed after it may have taken pre-push over) and prints the one command that fixes it"

left=
# The files and ${NAME}s are the last guard_requirements' (before the install
# into this env), computed again now that POST_BUILD_COMMAND has run.
if ((!fresh)) && [[ -n $recorded ]] && now=$(inputs "$env_dir" "$reads") &&
  [[ $now == "$recorded" ]]; then
  say "envguard: leftovers check skipped: nothing it reads changed since it last found nothing to act on."
  left=${recorded_left// /$'\n'}
  [[ -z $left ]] || say "envguard: installed outside the requirements, as before (never pruned or rebuilt for): $recorded_left"
  settled=1
else
  status=0
  first_check || status=$?
  settle "$status"
  new_left=$(not_in "$left" "$env_dir/.envguard-leftovers")
  if ((settled)); then
    :
  elif ((status == 3)); then
    if [[ $policy == warn ]] || ((fresh)); then
      warn "the leftovers check cannot judge this environment (see above); nothing changed"
    else
      rebuild_once "the leftovers check cannot judge this environment (see above)"
    fi
  elif [[ $policy == warn ]]; then
    warn "left over from earlier deployments: $(words "$new_left") (ENVGUARD_ON_LEFTOVERS=warn: nothing removed)"
  elif ((fresh)); then
    accept
    settled=1
  elif [[ $policy == rebuild ]]; then
    rebuild_once "left over from earlier deployments: $(words "$new_left"); no marker scheduled this (was the hook bypassed?); $doctor_hint"
  elif [[ -n ${PRE_BUILD_COMMAND:-}${POST_BUILD_COMMAND:-} ]]; then
    # What those commands install on purpose shows only in a fresh env, which
    # then records it in .envguard-leftovers: never pruned from then on.
    rebuild_once "left over from earlier deployments: $(words "$new_left"); PRE_BUILD_COMMAND or POST_BUILD_COMMAND may have installed them, and only a fresh build tells"
  else
    new_lines=$(awk -F== 'NR == FNR { want[$0]; next } $1 in want' <(printf '%s\n' "$new_left") <(printf '%s\n' "$left_lines"))
    say "envguard: left over from earlier deployments: $(words "$new_left"): installed, but no requirement reaches them any more (no marker scheduled their removal: was the hook bypassed? $doctor_hint. Or an upgrade orphaned them): uninstalling $(words "$new_lines") (ENVGUARD_ON_LEFTOVERS=prune)."
    status=0
    if ! prune "$new_left"; then
      rebuild_once "could not uninstall $(words "$new_left")"
    else
      check || status=$?
      settle "$status"
      if ((settled)); then
        say "envguard: uninstalled $(words "$new_left"): the environment holds what a fresh one would."
      elif ((status == 3)); then
        rebuild_once "the leftovers check cannot judge the pruned environment (see above)"
      else
        rebuild_once "still left over after uninstalling: $(words "$(not_in "$left" "$env_dir/.envguard-leftovers")")"
      fi
    fi
  fi
fi
if ((settled)); then
  record "$reads"
fi

say "Finished successfully."
