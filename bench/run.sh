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
    sizes=(10 1000); rounds=2; runs=(--runs 5 --warmup 2); profile=${BENCH_PROFILE:-debug}
else
    sizes=(10 100000); rounds=10; runs=(--runs 40 --warmup 5); profile=release
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The binary users get: install.sh builds and installs it (on Linux with glibc,
# a static-pie), here into a throwaway prefix and with no app repository.
install=(--prefix "$work/prefix")
[ "$profile" = debug ] && install+=(--debug)
if ! (cd "$work" && "$here/install.sh" "${install[@]}" 2>"$work/install.log"); then
    cat "$work/install.log" >&2
    exit 2
fi
bin="$work/prefix/bin/envguard"
echo "bench: $(sed -n 's/^install.sh: installed .*(\(.*\))$/\1/p' "$work/install.log"); $rounds rounds of ${runs[*]}"
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
    # Packed as git packs: fast-import deltifies each tree against the one
    # before it, leaving the newest at the end of a chain 40 deep, which no
    # repository git packs itself has (pack-objects keeps recent objects whole).
    git -C "$dir" repack -adfq
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
    printf 'refs/heads/main %s refs/heads/main %s\n' "$deployed" "$zero" > "$work/other-$n"
    printf 'refs/heads/main %s refs/heads/main %s\n' "$deployed" "$unchanged" > "$work/unchanged-$n"
    printf 'refs/heads/main %s refs/heads/main %s\n' "$(git -C "$repo" rev-parse removal)" "$deployed" \
        > "$work/removal-$n"
done

# measure ROUND N: one round of every case and floor in the N-commit repository.
# Every command goes through the same shell (hyperfine subtracts its start-up),
# since the hook's input comes on stdin.
measure() {
    local round=$1 n=$2
    cd "$work/repo-$n"
    hyperfine "${runs[@]}" --style none --export-json "$work/read-$n-$round.json" \
        -n "rev-parse" "git rev-parse HEAD" \
        -n "other" "$bin pre-push origin /srv/origin.git < $work/other-$n" \
        -n "cat-file" "git cat-file -p HEAD:requirements.txt" \
        -n "unchanged" "$bin pre-push azure /srv/site.git < $work/unchanged-$n" \
        >/dev/null 2>"$work/hyperfine.log" || { cat "$work/hyperfine.log" >&2; exit 2; }
    hyperfine "${runs[@]}" --style none -i --export-json "$work/removal-$n-$round.json" \
        --prepare "git reset -q --hard removal" \
        -n "removal" "$bin pre-push azure /srv/site.git < $work/removal-$n" \
        >/dev/null 2>"$work/hyperfine.log" || { cat "$work/hyperfine.log" >&2; exit 2; }
    cd "$here"
}
# Rounds alternate the repositories, so that a burst of load on this kind of
# shared machine lands on one round rather than on one case or one size.
for round in $(seq "$rounds"); do
    for n in "${sizes[@]}"; do measure "$round" "$n"; done
done

# One table, README-ready. Each figure is a median over all runs; each ratio
# is the median over rounds of that round's ratio, so both sides of a ratio
# come from the same few tenths of a second.
python3 - "$work" "$quick" "$rounds" "${sizes[@]}" <<'PY'
import json, statistics, sys
work, quick, rounds, sizes = sys.argv[1], sys.argv[2] == "1", int(sys.argv[3]), sys.argv[4:]
small, large = sizes
def load(kind, n, r):
    with open(f"{work}/{kind}-{n}-{r}.json") as f:
        return {x["command"]: x["times"] for x in json.load(f)["results"]}
times = {(n, r): {**load("read", n, r), **load("removal", n, r)}
         for n in sizes for r in range(1, rounds + 1)}
med = statistics.median
def ms(n, case):
    return med([t for r in range(1, rounds + 1) for t in times[n, r][case]]) * 1000
def ratio(num, den):
    # hyperfine subtracts the shell's start-up, so on a loaded machine a
    # floor of about a millisecond can come out as 0: such a round has no
    # ratio, and with none at all the ratio is unknown (nan: never "met").
    per_round = [(med(times[num[0], r][num[1]]), med(times[den[0], r][den[1]]))
                 for r in range(1, rounds + 1)]
    ratios = [a / b for a, b in per_round if b > 0]
    return med(ratios) if ratios else float("nan")
verdicts = []
def verdict(met, target):
    verdicts.append(met)
    return target if quick else f"{target}: {'met' if met else 'MISSED'}"
print(f"| case (median ms; × its floor) | {small} commits | {int(large):,} commits | target |")
print("| --- | ---: | ---: | --- |")
for label, case, floor, name, limit in [
        ("push to a remote that does not deploy", "other", "rev-parse", "`git rev-parse HEAD`", 1.2),
        ("deploying push, requirements unchanged", "unchanged", "cat-file",
         "`git cat-file -p HEAD:requirements.txt`", 1.5)]:
    rs = {n: ratio((n, case), (n, floor)) for n in sizes}
    cells = [f"{ms(n, case):.2f} ({rs[n]:.2f} × {ms(n, floor):.2f})" for n in sizes]
    target = verdict(all(v <= limit for v in rs.values()), f"≤ {limit} × {name}")
    print(f"| {label} | {cells[0]} | {cells[1]} | {target} |")
removal = [ms(n, "removal") for n in sizes]
target = verdict(all(v <= 10 for v in removal), "≤ 10 ms")
print(f"| push that removes one package, marker commit included "
      f"| {removal[0]:.1f} | {removal[1]:.1f} | {target} |")
growth = {c: ratio((large, c), (small, c)) for c in ("other", "unchanged", "removal")}
target = verdict(all(v <= 1.2 for v in growth.values()), "≤ 1.2 ×")
print(f"\n{int(large):,} commits against {small}, per case: "
      + ", ".join(f"{c} {v:.2f} ×" for c, v in growth.items()) + f" ({target})")
if quick:
    print("(short mode: too few runs to judge the targets; bench/run.sh judges them)")
elif all(verdicts):
    print("all targets met")
else:
    print("some target MISSED (wall times: rerun on a quiet machine to tell noise from a regression)")
PY
