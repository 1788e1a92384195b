#!/usr/bin/env bash
# Times `envguard pre-push` against git's own floor, on generated repositories
# with 10 and 100,000 commits and a 500-line requirements set split over three
# `-r` includes. The binary is timed directly (not through the hook shim).
#
#   bench/run.sh            full run (release build, 100,000 commits, many runs)
#   bench/run.sh --quick    CI's short mode: small repos, few runs, same cases
#
# Cases, each beside its floor in the same hyperfine run:
#   1. a push to a remote that does not deploy   vs  git rev-parse HEAD
#   2. a deploying push, requirements unchanged  vs  git cat-file -p HEAD:requirements.txt
#   3. a push that removes one package, marker commit included (the branch is
#      reset before every run with --prepare)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
quick=0
[ "${1:-}" = --quick ] && quick=1

if ! command -v hyperfine >/dev/null 2>&1; then
    echo "bench: hyperfine is missing: apt-get install hyperfine" >&2
    exit 2
fi
if [ "$quick" = 1 ]; then
    sizes=(10 1000); runs=(--runs 10 --warmup 2); profile=${BENCH_PROFILE:-debug}
    (cd "$here" && cargo build --locked -q)
else
    sizes=(10 100000); runs=(--runs 200 --warmup 20); profile=release
    (cd "$here" && cargo build --release --locked -q)
fi
bin="$here/target/$profile/envguard"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A quiet, fixed environment: no user or system config, a fixed identity.
while IFS='=' read -r name _; do
    case $name in GIT_*|ENVGUARD_*) unset "$name" ;; esac
done < <(env)
export HOME="$work" GIT_CONFIG_NOSYSTEM=1 LC_ALL=C
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.invalid

# make_repo DIR COMMITS: a history of COMMITS commits touching app.py, the
# requirements set in the first one, then one commit that drops a package.
make_repo() {
    local dir=$1 commits=$2
    git init -q -b main "$dir"
    python3 - "$commits" <<'PY' | git -C "$dir" fast-import --quiet
import sys
n = int(sys.argv[1])
def blob(text):
    data = text.encode()
    return b"data %d\n%s\n" % (len(data), data)
names = [f"package-{i:03d}=={i % 7}.{i % 5}" for i in range(500)]
top = "-r req/web.txt\n-r req/data.txt\n-r req/ops.txt\n" + "\n".join(names[:125]) + "\n"
files = {"requirements.txt": top, "runtime.txt": "python-3.11\n",
         "req/web.txt": "\n".join(names[125:250]) + "\n",
         "req/data.txt": "\n".join(names[250:375]) + "\n",
         "req/ops.txt": "\n".join(names[375:]) + "\n"}
out = sys.stdout.buffer
for i in range(n):
    out.write(b"commit refs/heads/main\ncommitter Bench <bench@example.invalid> %d +0000\n" % (1700000000 + i))
    out.write(b"data 2\nc\n")
    if i == 0:
        for path, text in files.items():
            out.write(b"M 100644 inline %s\n" % path.encode() + blob(text))
    out.write(b"M 100644 inline app.py\n" + blob(f"version = {i}\n"))
    out.write(b"\n")
PY
    git -C "$dir" checkout -q main
    git -C "$dir" tag deployed
    sed -i '/^package-499==/d' "$dir/req/ops.txt"
    git -C "$dir" commit -qam "drop package-499"
    git -C "$dir" tag removal
}

zero=0000000000000000000000000000000000000000
for n in "${sizes[@]}"; do
    repo="$work/repo-$n"
    make_repo "$repo" "$n"
    deployed=$(git -C "$repo" rev-parse deployed)
    unchanged=$(git -C "$repo" rev-parse deployed~1)
    removal=$(git -C "$repo" rev-parse removal)
    printf 'refs/heads/main %s refs/heads/main %s\n' "$deployed" "$zero" > "$work/other-$n"
    printf 'refs/heads/main %s refs/heads/main %s\n' "$deployed" "$unchanged" > "$work/unchanged-$n"
    printf 'refs/heads/main %s refs/heads/main %s\n' "$removal" "$deployed" > "$work/removal-$n"
    cd "$repo"
    echo "## $n commits"
    # Every command goes through the same shell (hyperfine subtracts its
    # start-up), since the hook's input comes on stdin.
    hyperfine "${runs[@]}" --style basic --export-markdown "$work/read-$n.md" \
        -n "git rev-parse HEAD" "git rev-parse HEAD" \
        -n "non-deploying remote" "$bin pre-push origin /srv/origin.git < $work/other-$n" \
        -n "git cat-file -p HEAD:requirements.txt" "git cat-file -p HEAD:requirements.txt" \
        -n "deploying, unchanged" "$bin pre-push azure /srv/site.git < $work/unchanged-$n" >/dev/null 2>&1
    hyperfine "${runs[@]}" --style basic -i --export-markdown "$work/removal-$n.md" \
        --prepare "git reset -q --hard $removal" \
        -n "removal + marker commit" "$bin pre-push azure /srv/site.git < $work/removal-$n" >/dev/null 2>&1
    cat "$work/read-$n.md"; tail -n +3 "$work/removal-$n.md"
    echo
    cd "$here"
done
