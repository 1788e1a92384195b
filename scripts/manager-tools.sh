#!/usr/bin/env bash
# Installs the hook managers that tests/it/managers.rs runs for real, pinned, into
# one folder: pre-commit, prek and lefthook from PyPI in a venv (DIR/venv/bin),
# with uv, which prek builds `language: python` hooks with; husky from npm
# (DIR/npm/node_modules/.bin); and maturin's wheel (DIR/wheels), the build
# backend of pyproject.toml, which those hook installs fetch with
# --find-links instead of an index. Run once per test run (.ci/run does, then
# exports ENVGUARD_TEST_MANAGERS=DIR); a second run with the same pins does
# nothing.
#
# Usage: scripts/manager-tools.sh DIR
set -euo pipefail

dir=${1:?usage: scripts/manager-tools.sh DIR}
# The versions the README's "Hook managers" section was tested with.
pip_pins="pre-commit==4.7.0 prek==0.5.11 lefthook==2.2.2 uv==0.13.8"
# The build backend pyproject.toml names (install.sh --wheel pins the same).
wheel_pins="maturin==1.16.0"
npm_pins="husky@9.1.7"

stamp="$dir/.pins"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$pip_pins $npm_pins $wheel_pins" ]; then
    exit 0
fi
mkdir -p "$dir"
python3 -m venv "$dir/venv"
# shellcheck disable=SC2086 # the pins are separate words on purpose
"$dir/venv/bin/pip" install --quiet --disable-pip-version-check $pip_pins
# shellcheck disable=SC2086
"$dir/venv/bin/pip" download --quiet --disable-pip-version-check --only-binary :all: --no-deps \
    --dest "$dir/wheels" $wheel_pins
mkdir -p "$dir/npm"
(
    cd "$dir/npm"
    [ -f package.json ] || printf '{ "name": "envguard-test-managers", "private": true }\n' >package.json
    # shellcheck disable=SC2086
    npm install --silent --no-audit --no-fund --save-exact $npm_pins
)
printf '%s\n' "$pip_pins $npm_pins $wheel_pins" >"$stamp"
