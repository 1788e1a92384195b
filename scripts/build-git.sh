#!/usr/bin/env bash
# Builds a git that has config-based hooks (`hook.<name>.command`, git >= 2.54)
# from Debian unstable's source package, into /opt/git-<version>, and prints
# the path of its `git`. The machine's own git (Debian stable's) is older;
# tests/it/managers.rs runs envguard's `install --config-hook` against this one.
# Skips the build when such a git is already there. About two minutes on two
# cores. Runs as root (apt-get, /opt).
set -euo pipefail

have() {
    for git in /opt/git-*/bin/git; do
        [ -x "$git" ] || continue
        # `git version 2.55.0` -> 2 55
        read -r major minor < <("$git" version | sed -E 's/^git version ([0-9]+)\.([0-9]+).*/\1 \2/')
        if [ "$major" -gt 2 ] || { [ "$major" -eq 2 ] && [ "$minor" -ge 54 ]; }; then
            echo "$git"
            return 0
        fi
    done
    return 1
}
if have; then exit 0; fi

# What git's Makefile needs with the options below.
if ! dpkg -s gcc make zlib1g-dev >/dev/null 2>&1; then
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc make zlib1g-dev >&2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The Debian mirror this machine already uses, from its deb822 source list.
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -E '/debian/?$' | head -n1)
if [ -z "$mirror" ]; then
    echo "build-git: no Debian mirror found in /etc/apt/sources.list.d/*.sources" >&2
    exit 1
fi
mkdir -p "$work/lists/partial"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror unstable main" >"$work/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null -o APT::Sandbox::User=root
    -o "Dir::State::Lists=$work/lists")
apt-get "${apt_opts[@]}" update -qq >&2
(cd "$work" && apt-get "${apt_opts[@]}" source --download-only -qq git >&2)
tarball=$(ls "$work"/git_*.orig.tar.xz)
version=$(basename "$tarball" | sed -E 's/^git_([0-9.]+)\.orig\.tar\.xz$/\1/')
tar -C "$work" -xf "$tarball"
# Only what `git push` to a local bare repository and `git config` need:
# no HTTP, no Perl/Python/Tcl tools, no translations.
make -C "$work/git-$version" -j2 prefix="/opt/git-$version" NO_CURL=1 NO_EXPAT=1 NO_TCLTK=1 \
    NO_GETTEXT=1 NO_PERL=1 NO_PYTHON=1 NO_INSTALL_HARDLINKS=1 install >"$work/build.log" 2>&1 ||
    { tail -n 40 "$work/build.log" >&2; exit 1; }
echo "/opt/git-$version/bin/git"
