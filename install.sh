#!/bin/sh
# install.sh: builds envguard from the folder this script is in, installs the
# binary as PREFIX/bin/envguard, and installs envguard's pre-push hook into an
# app repository. Running it again upgrades both in place. With --no-build it
# uses an envguard that `cargo install` put in place and only installs the hook;
# with --wheel it packs the same release binary as a Python wheel instead.
#
# POSIX sh on purpose (macOS, Alpine, Git Bash); keep this file LF-only, as
# `sh` cannot run a script with CRLF endings.
set -eu

usage() {
    cat <<'EOF'
Usage: install.sh [--prefix DIR] [--debug] [--dynamic] [APP_REPO]
       install.sh --no-build [APP_REPO]
       install.sh --wheel DIR [--dynamic]

Builds envguard from the folder this script is in and installs the binary as
DIR/bin/envguard (default DIR: $HOME/.local, so ~/.local/bin/envguard), its
man page as DIR/share/man/man1/envguard.1 and its bash, zsh and fish
completions under DIR/share. Then
installs envguard's pre-push hook into APP_REPO or, without it, into the git
repository of the current directory (unless that is envguard's own source).
Running it again upgrades the binary and the hook in place.

Options:
  --prefix DIR   install the binary into DIR/bin (default: $HOME/.local)
  --debug        build the dev profile instead of release (quicker to build)
  --dynamic      link the release build dynamically even where a static
                 build is possible (see below)
  --no-build     build and copy nothing: use the envguard already installed
                 (by `cargo install`, or an earlier install.sh): the one on
                 PATH, else in $CARGO_INSTALL_ROOT/bin, $CARGO_HOME/bin,
                 ~/.cargo/bin or ~/.local/bin; then install the hook
  --wheel DIR    build the same release binary, then pack it as a Python
                 wheel in DIR (maturin, from PyPI into a temporary venv; or
                 the one $MATURIN names) instead of installing anything:
                 `pipx install DIR/envguard-*.whl` (or `uv tool install`,
                 `pip install`) puts envguard on PATH. Needs python3 too
  -h, --help     show this help

Needs cargo (https://rustup.rs) and git (--no-build: git only). The build goes
to CARGO_TARGET_DIR, or the target folder beside this script, so a second run
only rebuilds what changed. Each step says what it does and, while cargo
builds, how long it has been building (the first build takes a few minutes). Either way the hook records the binary's absolute
path, so git clients that run hooks with a bare PATH still find it.

On Linux with glibc, the release build is a static-pie (still loaded at a
random address) when the C toolchain has a static libc (libc.a: Debian and
Ubuntu's libc6-dev ship it, Fedora's glibc-static): the hook, which runs on
every push, then starts without the dynamic loader. Elsewhere, or with
--dynamic, it is an ordinary dynamically linked binary.
EOF
}

say() { printf 'install.sh: %s\n' "$*" >&2; }
die() {
    say "$*"
    exit 1
}

# Progress a person can follow: each step says what it does, and a long one
# says every 30 seconds how long it has been running. `date +%s` is not POSIX
# but every sh this runs on has it (GNU, BSD, busybox); without it the times
# are left out.
now() { date +%s 2>/dev/null || :; }
since() {
    t=$(now)
    [ -n "$1" ] && [ -n "$t" ] || return 0
    t=$((t - $1))
    if [ "$t" -ge 60 ]; then printf '%dm%02ds' $((t / 60)) $((t % 60)); else printf '%ds' "$t"; fi
}
step_no=0
steps=1
step() {
    step_no=$((step_no + 1))
    say "step $step_no of $steps: $*"
}
ticker=
# Runs "$@" while a background loop says, every 30 seconds, that $what is
# still going and for how long. The loop's sleep holds no copy of stderr, so
# nothing waiting for this script's output waits for the loop.
with_ticker() {
    t0=$(now)
    (
        while sleep 30 </dev/null >/dev/null 2>&1; do
            say "... still $what ($(since "$t0") so far)"
        done
    ) &
    ticker=$!
    status=0
    "$@" || status=$?
    kill "$ticker" 2>/dev/null || :
    wait "$ticker" 2>/dev/null || :
    ticker=
    [ "$status" -eq 0 ] && took=$(since "$t0")
    return "$status"
}
trap '[ -z "$ticker" ] || kill "$ticker" 2>/dev/null' EXIT

prefix=
app=
profile=release
linkage=auto
no_build=
wheel_dir=
# maturin, which packs the wheel (PyPI); the version .ci/run builds with.
maturin_pin=1.16.0
while [ $# -gt 0 ]; do
    case $1 in
    -h | --help)
        usage
        exit 0
        ;;
    --prefix)
        [ $# -ge 2 ] || die "--prefix needs a folder"
        prefix=$2
        shift 2
        ;;
    --prefix=*)
        prefix=${1#--prefix=}
        shift
        ;;
    --debug)
        profile=debug
        shift
        ;;
    --dynamic)
        linkage=dynamic
        shift
        ;;
    --no-build)
        no_build=1
        shift
        ;;
    --wheel)
        [ $# -ge 2 ] || die "--wheel needs a folder"
        wheel_dir=$2
        shift 2
        ;;
    --wheel=*)
        wheel_dir=${1#--wheel=}
        shift
        ;;
    --)
        shift
        break
        ;;
    -*)
        say "unknown option $1"
        usage >&2
        exit 2
        ;;
    *)
        [ -z "$app" ] || die "only one APP_REPO, please (got $app and $1)"
        app=$1
        shift
        ;;
    esac
done
if [ $# -gt 0 ]; then
    if [ -n "$app" ] || [ $# -gt 1 ]; then die "only one APP_REPO, please"; fi
    app=$1
fi

if [ -n "$no_build" ] && { [ -n "$prefix" ] || [ "$profile" != release ] || [ "$linkage" != auto ]; }; then
    die "--no-build builds and copies nothing, so --prefix, --debug and --dynamic do not go with it"
fi
if [ -n "$wheel_dir" ] && { [ -n "$no_build" ] || [ -n "$prefix" ] || [ "$profile" != release ] || [ -n "$app" ]; }; then
    die "--wheel packs the release build and installs nothing, so --no-build, --prefix, --debug and APP_REPO do not go with it"
fi
[ -z "$wheel_dir" ] || command -v "${PYTHON:-python3}" >/dev/null 2>&1 ||
    die "--wheel needs python3 (for maturin, which packs the wheel); install it, or set PYTHON"
[ -n "$no_build" ] || command -v cargo >/dev/null 2>&1 ||
    die "cargo is not on PATH. Install Rust from https://rustup.rs, open a new shell (or run . \"\$HOME/.cargo/env\"), and run install.sh again."
command -v git >/dev/null 2>&1 ||
    die "git is not on PATH. Install git (https://git-scm.com/downloads) and run install.sh again."

# Everything below works from any current directory: the source is found
# beside this script, and relative paths the user gave are made absolute
# before anything changes directory.
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd -P)
absolute() {
    case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$(pwd)" "$1" ;;
    esac
}
if [ -z "$prefix" ] && [ -z "$no_build" ] && [ -z "$wheel_dir" ]; then
    [ -n "${HOME:-}" ] || die "HOME is not set; say where to install with --prefix DIR"
    prefix=$HOME/.local
fi

# The app repository, found before the build so a wrong name fails fast: the
# one named, else the current directory's unless that is envguard's own source
# (running ./install.sh in a clone of envguard must not hook envguard itself).
repo=
if [ -n "$wheel_dir" ]; then
    : # a wheel hooks no repository: `envguard install` does, once installed
elif [ -n "$app" ]; then
    [ -d "$app" ] || die "$app is not a folder"
    repo=$(git -C "$app" rev-parse --show-toplevel 2>/dev/null) ||
        die "$app is not inside a git repository with a working tree"
elif top=$(git rev-parse --show-toplevel 2>/dev/null) && [ "$(cd "$top" && pwd -P)" != "$here" ]; then
    repo=$top
fi

# Installs the hook with the binary $1. `envguard install` records the
# absolute path of the binary that runs it (std::env::current_exe), and the
# hook runs that path before it tries PATH: GUI git clients run hooks with a
# bare PATH that has neither ~/.cargo/bin nor ~/.local/bin.
install_hook() {
    if [ -z "$repo" ]; then
        say "no app repository given: to guard one, run \`envguard install\` in it (or install.sh APP_REPO)"
        return 0
    fi
    step "installing envguard's hook in $repo"
    # `envguard install` exits 1 when a hook manager owns pre-push and nothing
    # was installed (docs/exit-codes.md); that 1 is passed on.
    status=0
    (cd "$repo" && "$1" install) || status=$?
    [ "$status" -ne 1 ] ||
        say "envguard is installed, but pushes from $repo are not checked yet: do what it says above"
    return "$status"
}

# --no-build: the binary `cargo install` (or an earlier install.sh) put in
# place. PATH first, as that is the envguard the user runs; then where cargo
# installs (CARGO_INSTALL_ROOT, else CARGO_HOME, else ~/.cargo), then this
# script's own default.
if [ -n "$no_build" ]; then
    found=$(command -v envguard 2>/dev/null) || found=
    if [ -z "$found" ]; then
        for dir in ${CARGO_INSTALL_ROOT:+"$CARGO_INSTALL_ROOT/bin"} "${CARGO_HOME:-${HOME:-}/.cargo}/bin" "${HOME:-}/.local/bin"; do
            for name in envguard envguard.exe; do
                if [ -f "$dir/$name" ] && [ -x "$dir/$name" ]; then
                    found=$dir/$name
                    break 2
                fi
            done
        done
    fi
    [ -n "$found" ] ||
        die "--no-build: no envguard on PATH, nor in cargo's bin folder or ~/.local/bin. Install it first: cargo install --locked --path . (in envguard's source) or cargo install --locked --git <envguard's repository URL>"
    found=$(absolute "$found")
    version=$("$found" --version) || die "--no-build: $found does not run"
    say "using $found ($version); nothing built"
    install_hook "$found"
    exit 0
fi
bindir=$(absolute "${prefix:-.}")/bin
target_dir=$(absolute "${CARGO_TARGET_DIR:-$here/target}")

# A static-pie needs a glibc host and a static libc beside the C compiler that
# rustc links with. Most of what a hook's start costs beyond git's own is the
# dynamic loader resolving symbols and relocating the binary; a static-pie
# relocates itself and resolves nothing. Static glibc's one caveat is NSS
# (user and host lookups), and neither libgit2 nor envguard looks anything up
# there: libgit2 reads the passwd entry only when run setuid.
host=
if [ "$profile" = release ] && [ "$linkage" = auto ]; then
    linkage=dynamic
    host=$("${RUSTC:-rustc}" -vV 2>/dev/null | sed -n 's/^host: //p') || host=
    case $host in
    *-linux-gnu*)
        libc_a=$("${CC:-cc}" -print-file-name=libc.a 2>/dev/null) || libc_a=
        case $libc_a in
        /*) [ -f "$libc_a" ] && linkage=static ;;
        esac
        [ "$linkage" = static ] ||
            say "note: no static libc (libc.a) beside ${CC:-cc}, so the build is dynamic; for a quicker hook install it (Fedora: glibc-static) and run install.sh again"
        ;;
    esac
fi

# --target-dir spelled out, so the built binary is where this script looks
# even when a cargo config sets build.target-dir. A static build names its
# --target, so the flag reaches envguard's code but not build scripts or proc
# macros (which must stay dynamic), and lands in target/HOST/release.
build() {
    cargo build --locked --bin envguard --manifest-path "$here/Cargo.toml" --target-dir "$target_dir" "$@"
}
if [ -n "$wheel_dir" ]; then
    steps=2
elif [ -n "$repo" ]; then
    steps=3
else
    steps=2
fi
# cargo prints its own lines (and, on a terminal, a progress bar) below.
building() {
    step "building envguard ($1) in $target_dir; cargo's own lines follow. The first build takes a few minutes, later ones seconds"
    what="building envguard"
}
if [ "$profile" = debug ]; then
    building debug
    with_ticker build
    built_dir=$target_dir/debug
elif [ "$linkage" = static ]; then
    building "release, static-pie"
    if RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }-C target-feature=+crt-static" with_ticker build --release --target "$host"; then
        built_dir=$target_dir/$host/release
    else
        say "note: the static build failed (above), so building a dynamic one; install.sh --dynamic skips the attempt"
        linkage=dynamic
        step_no=$((step_no - 1))
    fi
fi
if [ "$profile" = release ] && [ "$linkage" != static ]; then
    building release
    with_ticker build --release
    built_dir=$target_dir/release
fi
say "built envguard${took:+ in $took}"
exe=
[ -f "$built_dir/envguard.exe" ] && exe=.exe
built=$built_dir/envguard$exe
[ -f "$built" ] || die "cargo finished but $built is missing"

# --wheel: the binary just built, packed by maturin (`bindings = "bin"` in
# pyproject.toml) with the same target folder, profile, target and RUSTFLAGS,
# so cargo finds everything fresh and maturin only packs; the binary in the
# wheel is compared with the one built, byte for byte.
if [ -n "$wheel_dir" ]; then
    step "packing it as a wheel in $wheel_dir (maturin)"
    wheel_dir=$(absolute "$wheel_dir")
    maturin=${MATURIN:-}
    if [ -z "$maturin" ]; then
        venv=$(mktemp -d)
        trap '[ -z "$ticker" ] || kill "$ticker" 2>/dev/null; rm -rf "$venv"' EXIT
        say "installing maturin $maturin_pin into a temporary venv"
        "${PYTHON:-python3}" -m venv "$venv" && "$venv/bin/python" -m pip install -q --disable-pip-version-check "maturin==$maturin_pin" ||
            die "cannot install maturin $maturin_pin (above); or set MATURIN to a maturin you have"
        maturin=$venv/bin/maturin
    fi
    set -- build --release --locked --manifest-path "$here/Cargo.toml" --target-dir "$target_dir" --out "$wheel_dir"
    what="packing the wheel"
    if [ "$linkage" = static ]; then
        RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }-C target-feature=+crt-static" with_ticker "$maturin" "$@" --target "$host"
    else
        with_ticker "$maturin" "$@"
    fi
    version=$("$built" --version) || die "$built does not run"
    # `envguard 0.1.0` -> 0.1.0; maturin names the wheel envguard-VERSION-TAGS.whl.
    wheel=$(ls -t "$wheel_dir"/envguard-"${version#envguard }"-*.whl 2>/dev/null | head -n 1)
    [ -n "$wheel" ] || die "maturin finished but no envguard-${version#envguard }-*.whl is in $wheel_dir"
    "${PYTHON:-python3}" - "$wheel" "$built" <<'PY' || die "the binary in $wheel is not the one cargo built ($built)"
import sys, zipfile
wheel, built = sys.argv[1], sys.argv[2]
names = [n for n in zipfile.ZipFile(wheel).namelist() if n.split("/")[-2:-1] == ["scripts"]]
inside = zipfile.ZipFile(wheel).read(names[0]) if len(names) == 1 else b""
sys.exit(0 if inside == open(built, "rb").read() else 1)
PY
    how=
    [ "$linkage" = static ] && how=", static-pie"
    say "wrote $wheel ($version$how): \`pipx install $wheel\` (or \`uv tool install\`, \`pip install\`) puts envguard on PATH"
    exit 0
fi

# Copy beside the destination, then put the copy in its place: a hook running
# the old binary meanwhile keeps working, and a failed copy leaves the old one
# whole. On POSIX systems that is one rename over the old file.
#
# Windows (Git Bash/MSYS) refuses to replace or delete an .exe that is running
# (a push in another window, an `envguard status` still open): renaming the
# copy over it fails. A running .exe may itself be renamed, though, so the old
# one is first moved aside as .envguard.old.PID.exe, the copy takes its name,
# and the old ones are deleted when nothing runs them: now, or at the next
# install. A failed step puts the old binary back.
step "installing it as $bindir/envguard$exe, with its man page and completions"
dest=$bindir/envguard$exe
mkdir -p "$bindir" || die "cannot create $bindir"
if [ -e "$dest" ]; then verb=upgraded; else verb=installed; fi
tmp=$bindir/.envguard.install.$$$exe
put_in_place() {
    if [ -z "$exe" ] || [ ! -e "$dest" ]; then
        mv -f "$tmp" "$dest"
        return
    fi
    old=$bindir/.envguard.old.$$.exe
    mv -f "$dest" "$old" || return 1
    if ! mv -f "$tmp" "$dest"; then
        mv -f "$old" "$dest"
        return 1
    fi
    for stale in "$bindir"/.envguard.old.*.exe; do
        [ -e "$stale" ] || continue
        rm -f "$stale" 2>/dev/null || say "note: $stale still runs; the next install.sh deletes it"
    done
}
if ! { cp "$built" "$tmp" && chmod 755 "$tmp" && put_in_place; }; then
    rm -f "$tmp"
    die "cannot write $dest"
fi
how=
[ "$linkage" = static ] && how=", static-pie"
say "$verb $dest ($("$dest" --version)$how)"

# The man page and the shell completions, which the binary generates from
# its own command-line definition, go where man, bash-completion, zsh and
# fish look under the prefix. Each is written beside its place and renamed.
share=$(absolute "$prefix")/share
put_generated() {
    file=$1
    shift
    mkdir -p "${file%/*}" && "$dest" "$@" >"$file.tmp.$$" && mv -f "$file.tmp.$$" "$file"
}
if put_generated "$share/man/man1/envguard.1" man &&
    put_generated "$share/bash-completion/completions/envguard" completions bash &&
    put_generated "$share/zsh/site-functions/_envguard" completions zsh &&
    put_generated "$share/fish/vendor_completions.d/envguard.fish" completions fish; then
    say "installed the man page ($share/man/man1/envguard.1) and bash, zsh and fish completions under $share"
else
    rm -f "$share"/man/man1/envguard.1.tmp.* "$share"/bash-completion/completions/envguard.tmp.* \
        "$share"/zsh/site-functions/_envguard.tmp.* "$share"/fish/vendor_completions.d/envguard.fish.tmp.*
    say "note: could not write the man page or completions under $share; \`envguard man\` and \`envguard completions SHELL\` print them"
fi

case ":${PATH:-}:" in
*":$bindir:"*) ;;
*)
    say "note: $bindir is not on PATH. The hook runs envguard by its full path anyway;"
    say "note: to run envguard yourself, add this to your shell's profile:"
    say "note:     export PATH=\"$bindir:\$PATH\""
    ;;
esac

# Another envguard earlier on PATH (a `cargo install` in ~/.cargo/bin) is what
# the user's own `envguard` runs; the hook is not affected (it runs $dest by
# its full path), but the two versions may differ.
first=$(command -v "envguard$exe" 2>/dev/null) || first=
# -ef (same file, through symlinks) is not POSIX, but every sh this runs on
# has it: dash, bash (macOS, Git Bash), busybox ash.
# shellcheck disable=SC3013
if [ -n "$first" ] && ! [ "$first" -ef "$dest" ]; then
    say "note: \`envguard\` on PATH is $first, not $dest; the hook runs $dest."
    say "note: remove the other one (\`cargo uninstall envguard\` if cargo installed it) or put $bindir first on PATH"
fi

install_hook "$dest"
