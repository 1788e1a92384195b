#!/usr/bin/env bash
# The cost of the baseline walk (SPEC rule 2: a deployed commit without
# requirements.txt installed nothing, so the hook walks its first parents to
# the nearest commit that has one, looking at no more than 10,000 of them).
#
#   bench/walk.sh [ENVGUARD]    ENVGUARD defaults to target/release/envguard
#
# Two 100,000-commit repositories made like bench/run.sh's (500 packages over
# three `-r` includes, every commit touching app.py), whose deployed tip has no
# requirements.txt:
#   near  deleted in the tip itself: the walk looks at 1 ancestor
#   far   deleted 10,000 commits before the tip: the walk looks at 10,000
#         ancestors, the most it ever does, and the last one has the file
# The pushed commit brings requirements.txt back unchanged, so after the walk
# the hook's fast path decides ("requirements unchanged"): what is timed is the
# walk. `git rev-parse HEAD` is timed beside each as the floor.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$here/target/release/envguard}
if ! command -v hyperfine >/dev/null 2>&1; then
    echo "bench: hyperfine is missing: apt-get install hyperfine" >&2
    exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
while IFS='=' read -r name _; do
    case $name in GIT_*|ENVGUARD_*) unset "$name" ;; esac
done < <(env)
export HOME="$work" GIT_CONFIG_NOSYSTEM=1 LC_ALL=C
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.invalid

# make_repo DIR COMMITS DELETE_AT: requirements in commit 0, deleted in commit
# DELETE_AT; then one commit that brings it back unchanged.
make_repo() {
    local dir=$1 commits=$2 delete_at=$3
    git init -q -b main "$dir"
    python3 - "$commits" "$delete_at" <<'PY' | git -C "$dir" fast-import --quiet
import sys
n, delete_at = int(sys.argv[1]), int(sys.argv[2])
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
    if i == delete_at:
        out.write(b"D requirements.txt\n")
    out.write(b"M 100644 inline app.py\n" + blob(f"version = {i}\n"))
    out.write(b"\n")
PY
    git -C "$dir" repack -adfq
    git -C "$dir" checkout -q main
    local deployed
    deployed=$(git -C "$dir" rev-parse HEAD)
    git -C "$dir" checkout -q "main~$((commits - delete_at))" -- requirements.txt
    git -C "$dir" commit -qm "requirements.txt back"
    printf 'refs/heads/main %s refs/heads/main %s\n' "$(git -C "$dir" rev-parse HEAD)" "$deployed" \
        > "$dir.line"
}
make_repo "$work/near" 100000 99999
make_repo "$work/far" 100000 90000
for case in near far; do
    cd "$work/$case"
    echo "bench: $case: $("$bin" pre-push azure /srv/site.git < "$work/$case.line" 2>&1 | head -1)"
    hyperfine --runs 40 --warmup 5 --style none --export-json "$work/$case.json" \
        -n "$case" "$bin pre-push azure /srv/site.git < $work/$case.line" \
        -n rev-parse "git rev-parse HEAD" >/dev/null 2>"$work/hyperfine.log" ||
        { cat "$work/hyperfine.log" >&2; exit 2; }
done
python3 - "$work" <<'PY'
import json, statistics, sys
for case in ("near", "far"):
    with open(f"{sys.argv[1]}/{case}.json") as f:
        results = {r["command"]: r["times"] for r in json.load(f)["results"]}
    med = lambda c: statistics.median(results[c]) * 1000
    print(f"{case}: {med(case):.1f} ms median (git rev-parse HEAD: {med('rev-parse'):.1f} ms)")
PY
