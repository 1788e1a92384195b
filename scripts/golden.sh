#!/usr/bin/env bash
# Runs an envguard binary through a fixed list of scenarios and records, for
# each, the exit code, stdout and stderr of the command it is about, with
# temp paths, commit ids and tokens normalised. Two recordings of two
# builds compare with `diff -r`: a restructuring that changes no behaviour
# leaves them equal byte for byte.
#
# Usage: scripts/golden.sh BINARY OUTDIR
#   ENVGUARD_TEST_MANAGERS=DIR  hook managers (scripts/manager-tools.sh DIR)
#   ENVGUARD_TEST_GIT=PATH      a git with config-based hooks (2.54 or later)
# Cases whose tools are missing are recorded as skipped.

# Scenario files hold `$` and `"$@"` literally: single quotes on purpose.
# shellcheck disable=SC2016
set -u

bin_src=${1:?usage: scripts/golden.sh BINARY OUTDIR}
out=${2:?usage: scripts/golden.sh BINARY OUTDIR}
managers=${ENVGUARD_TEST_MANAGERS:-}
new_git=${ENVGUARD_TEST_GIT:-}
system_git=$(command -v git)
python_exe=$(python3 -c 'import sys; print(sys.executable)')

work=$(mktemp -d /tmp/envguard-golden.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/home" "$out"
cp "$bin_src" "$work/bin/envguard"
rm -f "$out"/*.txt

# A scrubbed, fixed environment, as tests/it/common/mod.rs gives git.
while IFS='=' read -r name _; do
    case $name in GIT_* | ENVGUARD_* | PRE_COMMIT* | EMAIL) unset "$name" ;; esac
done < <(env)
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME="Ada Tester" GIT_AUTHOR_EMAIL=ada@example.invalid
export GIT_COMMITTER_NAME="Ada Tester" GIT_COMMITTER_EMAIL=ada@example.invalid
export GIT_AUTHOR_DATE="@1700000000 +0000" GIT_COMMITTER_DATE="@1700000000 +0000"
export LC_ALL=C TZ=UTC
base_path="$work/bin:$(dirname "$system_git"):/usr/bin:/bin"
export PATH="$base_path"

cat >"$work/normalise.py" <<'EOF'
import re, sys
work = sys.argv[1]
text = sys.stdin.read()
text = text.replace(work, "<W>")
text = re.sub(r"(?<![0-9A-Za-z])[0-9a-f]{64}(?![0-9A-Za-z])", "<token>", text)
ids = {}
def ident(match):
    run = match.group(0)
    if len(run) < 12 and not re.search(r"[0-9]", run):
        return run
    key = run[:7]
    if key not in ids:
        ids[key] = len(ids) + 1
    return "<h%d:%d>" % (ids[key], len(run))
text = re.sub(r"(?<![0-9A-Za-z])[0-9a-f]{7,40}(?![0-9A-Za-z])", ident, text)
text = re.sub(r"deploy took [0-9.]+ s", "deploy took <t> s", text)
sys.stdout.write(text)
EOF
normalise() {
    python3 "$work/normalise.py" "$work"
}

n=0
case_name=""
# `scenario NAME`: a fresh folder for the cases that follow.
scenario() {
    n=$((n + 1))
    case_name=$(printf '%03d-%s' "$n" "$1")
    S="$work/s$n"
    mkdir -p "$S"
    cd "$S" || exit 1
    export PATH="$base_path"
}

# `rec LABEL CMD…`: runs CMD (stdin from $IN when set, else nothing) and
# records its exit code and both streams under the current scenario.
rec() {
    local label=$1
    shift
    local file="$out/$case_name.txt"
    local so="$work/stdout" se="$work/stderr" code
    if [ -n "${IN+x}" ]; then
        printf '%b' "$IN" | "$@" >"$so" 2>"$se"
    else
        "$@" </dev/null >"$so" 2>"$se"
    fi
    code=$?
    {
        printf '=== %s: %s\n' "$label" "$*"
        printf -- '--- exit %s\n--- stdout\n' "$code"
        cat "$so"
        printf -- '--- stderr\n'
        cat "$se"
    } | normalise >>"$file"
}

skip() {
    printf '=== skipped: %s\n' "$1" >>"$out/$case_name.txt"
}

q() { "$@" >/dev/null 2>&1; }

# An app repository `app` in the scenario's folder; cd into it.
app() {
    mkdir -p "$S/app"
    cd "$S/app" || exit 1
    q git init -q -b main
}

# `put PATH CONTENT`: writes a file (printf escapes in CONTENT).
put() {
    mkdir -p "$(dirname "$1")"
    printf '%b' "$2" >"$1"
}

# `commit MESSAGE PATH CONTENT …`: writes the files, commits them.
commit() {
    local message=$1
    shift
    while [ $# -ge 2 ]; do
        put "$1" "$2"
        q git add -- "$1"
        shift 2
    done
    q git commit -q --allow-empty -m "$message"
}

# `remote NAME`: a bare repository beside the app as remote NAME.
remote() {
    q git init -q --bare -b main "$S/$1.git"
    q git remote add "$1" "$S/$1.git"
}

# `deploy [BRANCH]`: pushes BRANCH (main) to azure without the hook.
deploy() {
    q git push -q --no-verify azure "${1:-main}"
}

# The ref line for pushing local BRANCH to remote BRANCH2 of azure.
line() {
    local local_ref=${1:-main} remote_branch=${2:-main}
    local sha remote_sha
    sha=$(git rev-parse "$local_ref")
    remote_sha=$(git rev-parse -q --verify "refs/remotes/azure/$remote_branch" || echo 0000000000000000000000000000000000000000)
    printf 'refs/heads/%s %s refs/heads/%s %s\n' "$local_ref" "$sha" "$remote_branch" "$remote_sha"
}

# `hook LABEL [LINE]`: envguard pre-push azure <url> with LINE (default:
# main to main) on stdin.
hook() {
    local label=$1
    IN=${2:-$(line)} rec "$label" envguard pre-push azure "$S/azure.git"
}

# A deployed app: requirements REQS on main, pushed to azure.
deployed() {
    app
    commit app requirements.txt "$1"
    remote azure
    deploy
}

with_new_git() {
    [ -n "$new_git" ] && [ -x "$new_git" ]
}
use_new_git() {
    mkdir -p "$work/newgit"
    ln -sf "$new_git" "$work/newgit/git"
    PATH="$work/bin:$work/newgit:$(dirname "$new_git"):/usr/bin:/bin"
    export PATH
}
with_managers() {
    [ -n "$managers" ] && [ -d "$managers/venv/bin" ]
}
use_managers() {
    export PATH="$PATH:$managers/venv/bin:$managers/npm/node_modules/.bin"
}

########################################################################
# The command line
scenario cli
rec help envguard --help
rec version envguard --version
rec bare envguard
rec no-command envguard -q
rec unknown envguard frobnicate
rec bad-flag envguard status --bogus
rec quiet-verbose envguard -q -v status
rec diff-missing-arg envguard diff HEAD
rec status-help envguard status --help
rec install-conflict envguard install --config-hook --manager
rec completions envguard completions bash
rec man envguard man
rec bad-format envguard doctor --format yaml

########################################################################
# The hook's decisions
scenario first-deployment
app
commit app requirements.txt 'flask\n'
remote azure
hook first
hook verbose-first
IN=$(line) rec verbose env ENVGUARD_VERBOSE=1 envguard pre-push azure "$S/azure.git"
IN=$(line) rec quiet env ENVGUARD_QUIET=1 envguard pre-push azure "$S/azure.git"
IN=$(line) rec skip env ENVGUARD_SKIP=1 envguard pre-push azure "$S/azure.git"

scenario unchanged
deployed 'flask\n'
commit code app.py 'print(1)\n'
hook unchanged
IN=$(line) rec verbose env ENVGUARD_VERBOSE=1 envguard pre-push azure "$S/azure.git"

scenario added
deployed 'flask\n'
commit add requirements.txt 'flask\nattrs\n'
hook added
IN=$(line) rec quiet env ENVGUARD_QUIET=1 envguard pre-push azure "$S/azure.git"

scenario removal-commits-marker
deployed 'flask\nsix\nattrs\n'
commit drop requirements.txt 'flask\n'
hook removal
rec log git log --format=%s -n 2
rec status git status --porcelain
hook after-marker
rec show-marker cat .envguard/force-clean
rec show-fingerprint sed -e 's/^token = .*/token = <token>/' .envguard/fingerprint.toml

scenario removal-quiet
deployed 'flask\nsix\n'
commit drop requirements.txt 'flask\n'
IN=$(line) rec quiet env ENVGUARD_QUIET=1 envguard pre-push azure "$S/azure.git"

scenario removal-verbose
deployed 'flask\nsix\n'
commit drop requirements.txt 'flask\n'
IN=$(line) rec verbose env ENVGUARD_VERBOSE=1 envguard pre-push azure "$S/azure.git"

scenario removal-in-include
app
commit app requirements.txt '-r requirements/base.txt\nrequests[socks]\n' requirements/base.txt 'flask\npython-dotenv\n'
remote azure
deploy
commit drop requirements/base.txt 'flask\n'
hook include-removal
deploy
commit extras requirements.txt '-r requirements/base.txt\nrequests\n'
hook extras-dropped

scenario block
app
commit app requirements.txt 'flask\nsix\n' envguard.toml 'on_removal = "block"\n'
remote azure
deploy
commit drop requirements.txt 'flask\n'
hook block
IN=$(line) rec quiet env ENVGUARD_QUIET=1 envguard pre-push azure "$S/azure.git"

scenario warn
app
commit app requirements.txt 'flask\nsix\ngunicorn\n' envguard.toml 'on_removal = "warn"\nkeep = ["gunicorn"]\n'
remote azure
deploy
commit drop requirements.txt 'flask\n'
hook warn
q git reset -q --hard HEAD~1
commit drop-gunicorn requirements.txt 'flask\nsix\n'
hook warn-one

scenario keep-commit
app
commit app requirements.txt 'flask\ngunicorn\n' envguard.toml 'keep = ["Gunicorn"]\n'
remote azure
deploy
commit drop requirements.txt 'flask\n'
hook kept-removed

scenario runtime
app
commit app requirements.txt 'flask\n' runtime.txt 'python-3.11\n'
remote azure
deploy
commit rt runtime.txt 'python-3.12\n'
hook runtime-changed
deploy
commit patch runtime.txt 'python-3.12.4\n'
hook runtime-patch
commit rt-and-drop runtime.txt 'python-3.13\n' requirements.txt 'attrs\n'
hook runtime-does-not-excuse

scenario no-requirements
app
commit app requirements.txt 'flask\n'
remote azure
deploy
q git rm -q requirements.txt
commit gone
hook no-requirements
commit back requirements.txt 'flask\n'
hook back-unchanged

scenario warnings
deployed 'flask\n'
commit bad requirements.txt 'flask\n--bogus-option\nnot a requirement ((\n-r https://example.invalid/x.txt\n${VAR}\n'
hook warnings
rec diff envguard diff azure/main HEAD

scenario reset-then-push
deployed 'flask\n'
rec reset envguard --reset
rec reset-again envguard reset
hook clean-scheduled
IN=$(line) rec quiet env ENVGUARD_QUIET=1 envguard pre-push azure "$S/azure.git"

scenario marker-covers-branch
app
commit app requirements.txt 'flask\nsix\n'
remote azure
deploy main
q git push -q --no-verify azure main:master
q git fetch -q azure
commit drop requirements.txt 'flask\n'
sha=$(git rev-parse main)
m=$(git rev-parse refs/remotes/azure/main)
IN="refs/heads/main $sha refs/heads/main $m\nrefs/heads/main $sha refs/heads/master $m\n" rec twice envguard pre-push azure "$S/azure.git"

scenario push-main-to-master
app
commit app requirements.txt 'flask\nsix\n'
remote azure
q git push -q --no-verify azure main:master
commit drop requirements.txt 'flask\n'
hook to-master "$(line main master)"

scenario detached-head
deployed 'flask\nsix\n'
commit drop requirements.txt 'flask\n'
q git checkout -q --detach
sha=$(git rev-parse HEAD)
IN="HEAD $sha refs/heads/main $(git rev-parse azure/main)\n" rec detached envguard pre-push azure "$S/azure.git"

scenario other-branch-baseline
app
commit app requirements.txt 'flask\nsix\n'
remote azure
q git push -q --no-verify azure main:master
q git fetch -q azure
commit drop requirements.txt 'flask\n'
hook new-main-vs-master "$(line main main)"
IN=$(line main main) rec verbose env ENVGUARD_VERBOSE=1 envguard pre-push azure "$S/azure.git"

scenario fingerprint-baseline
deployed 'flask\nsix\n'
rec reset envguard --reset
q git branch -D -q nothing
q git update-ref -d refs/remotes/azure/main
commit drop requirements.txt 'flask\n'
hook fingerprint-removal "refs/heads/main $(git rev-parse main) refs/heads/main 0000000000000000000000000000000000000000\n"
IN="refs/heads/main $(git rev-parse main) refs/heads/main 0000000000000000000000000000000000000000\n" rec verbose env ENVGUARD_VERBOSE=1 envguard pre-push azure "$S/azure.git"

scenario bad-fingerprint
app
commit app requirements.txt 'flask\n' .envguard/fingerprint.toml 'garbage = [\n'
remote azure
hook garbage "refs/heads/main $(git rev-parse main) refs/heads/main 0000000000000000000000000000000000000000\n"
commit newer .envguard/fingerprint.toml 'schema = 99\n'
hook newer-schema "refs/heads/main $(git rev-parse main) refs/heads/main 0000000000000000000000000000000000000000\n"

scenario fetch-first
deployed 'flask\n'
commit x app.py '1\n'
hook fetch-first "refs/heads/main $(git rev-parse main) refs/heads/main 1234567890123456789012345678901234567890\n"

scenario malformed
deployed 'flask\n'
hook malformed 'not a ref line\n'
hook malformed-second "$(line)garbage here\n"
hook empty-input '\n\n'
hook delete "(delete) 0000000000000000000000000000000000000000 refs/heads/main $(git rev-parse main)\n"
hook tag "refs/tags/v1 $(git rev-parse main) refs/tags/v1 0000000000000000000000000000000000000000\n"
hook feature-branch "refs/heads/main $(git rev-parse main) refs/heads/feature 0000000000000000000000000000000000000000\n"
IN=$(line) rec other-remote envguard pre-push origin "$S/origin.git"
IN=$(line) rec scm-url envguard pre-push site https://app.scm.azurewebsites.net/app.git
IN=$(line) rec url-only envguard pre-push https://app.scm.azurewebsites.net/app.git
rec no-args envguard pre-push
IN=$(line) rec no-args-lines envguard pre-push
rec nothing-pushed envguard pre-push azure "$S/azure.git"

scenario annotated-tag
deployed 'flask\nsix\n'
commit drop requirements.txt 'flask\n'
q git tag -a -m release v1
tag=$(git rev-parse v1)
hook tag-to-branch "refs/tags/v1 $tag refs/heads/main $(git rev-parse azure/main)\n"
hook tag-to-feature "refs/tags/v1 $tag refs/heads/feature 0000000000000000000000000000000000000000\n"
tree=$(git rev-parse 'HEAD^{tree}')
hook tree-to-branch "$tree $tree refs/heads/main $(git rev-parse azure/main)\n"

scenario raw-commit
deployed 'flask\nsix\n'
commit drop requirements.txt 'flask\n'
sha=$(git rev-parse HEAD)
hook raw "$sha $sha refs/heads/main $(git rev-parse azure/main)\n"
hook expression "HEAD~0 $sha refs/heads/main $(git rev-parse azure/main)\n"

scenario ref-moved
deployed 'flask\nsix\n'
commit drop requirements.txt 'flask\n'
old=$(git rev-parse HEAD)
commit more app.py '2\n'
hook moved "refs/heads/main $old refs/heads/main $(git rev-parse azure/main)\n"

scenario no-identity
deployed 'flask\nsix\nattrs\n'
commit drop requirements.txt 'flask\n'
IN=$(line) rec no-identity env -u GIT_AUTHOR_NAME -u GIT_AUTHOR_EMAIL -u GIT_COMMITTER_NAME -u GIT_COMMITTER_EMAIL EMAIL= GIT_CONFIG_GLOBAL=/dev/null envguard pre-push azure "$S/azure.git"
rec reset-no-identity env -u GIT_AUTHOR_NAME -u GIT_AUTHOR_EMAIL -u GIT_COMMITTER_NAME -u GIT_COMMITTER_EMAIL EMAIL= GIT_CONFIG_GLOBAL=/dev/null envguard --reset
IN=$(line) rec no-email env -u GIT_AUTHOR_EMAIL -u GIT_COMMITTER_EMAIL EMAIL= GIT_CONFIG_GLOBAL=/dev/null envguard pre-push azure "$S/azure.git"

scenario operation-in-progress
deployed 'flask\nsix\n'
q git checkout -q -b other
commit other-side app.py 'other\n'
q git checkout -q main
commit drop requirements.txt 'flask\n' app.py 'main\n'
q git merge other
hook merge
rec reset-during-merge envguard --reset
q git merge --abort
q git bisect start
hook bisect
q git bisect reset
q git checkout -q other
q git rebase main
hook rebase "$(line main main)"
q git rebase --abort
q git checkout -q main
q git cherry-pick other
hook cherry-pick
q git cherry-pick --abort

scenario index-locked
deployed 'flask\nsix\n'
commit drop requirements.txt 'flask\n'
touch .git/index.lock
hook locked
rm -f .git/index.lock

scenario envguard-file-edited
deployed 'flask\nsix\n'
rec reset envguard --reset
deploy
commit drop requirements.txt 'flask\n'
put .envguard/force-clean 'mine\n'
hook unstaged
rec reset-unstaged envguard --reset
q git add .envguard/force-clean
hook staged
q git reset -q --hard
rm -f .envguard/fingerprint.toml
hook deleted
q git checkout -q -- .
put .envguard/other 'x\n'
hook untracked-beside

scenario in-the-way
app
commit app requirements.txt 'flask\nsix\n' .envguard 'a file\n'
remote azure
deploy
commit drop requirements.txt 'flask\n'
hook file-in-commit
q git rm -q .envguard
commit rm-file
ln -s /tmp .envguard
q git add .envguard
commit link
hook link-in-commit
q git rm -q .envguard
commit rm-link
put .envguard 'not committed\n'
hook file-in-worktree
rm -f .envguard
mkdir -p .envguard
put .envguard/force-clean/x 'deep\n'
hook folder-at-marker

scenario envguard-link-leaves
app
ln -s ../outside .envguard
q git add .envguard
commit app requirements.txt 'flask\n'
remote azure
hook envguard-link "refs/heads/main $(git rev-parse main) refs/heads/main 0000000000000000000000000000000000000000\n"

scenario checked-out-elsewhere
deployed 'flask\nsix\n'
q git checkout -q -b side
q git worktree add -q ../wt main
commit drop requirements.txt 'flask\n'
q git -C ../wt reset -q --hard side
q git update-ref refs/heads/main side
hook elsewhere
rec reset-elsewhere git -C ../wt status --porcelain

scenario converted
deployed 'flask\nsix\n'
commit attrs .gitattributes '.envguard/** working-tree-encoding=UTF-16\n'
q git push -q --no-verify azure main
q git fetch -q azure
commit drop requirements.txt 'flask\n'
hook converted-commit
rec reset-converted envguard --reset
commit filter .gitattributes '/.envguard/force-clean filter=lfs\n'
hook converted-filter

scenario converted-pushed
deployed 'flask\n'
rec reset envguard --reset
commit attrs .gitattributes '.envguard/** working-tree-encoding=UTF-16\n'
hook pushed-marker-converted

scenario sparse
deployed 'flask\nsix\n'
commit drop requirements.txt 'flask\n'
q git sparse-checkout init --no-cone
q git sparse-checkout set '/requirements.txt'
q git config index.sparse true
hook sparse-index
q git config index.sparse false
hook sparse-excludes
q git sparse-checkout disable

scenario links
app
commit app requirements.txt 'flask\n'
remote azure
deploy
rm requirements.txt
ln -s /etc/passwd requirements.txt
q git add requirements.txt
commit abs
hook link-absolute
rm requirements.txt
ln -s ../../x.txt requirements.txt
q git add requirements.txt
commit up
hook link-up
rm requirements.txt
ln -s loop1 requirements.txt
ln -s loop2 loop1
ln -s loop1 loop2
q git add requirements.txt loop1 loop2
commit loop
hook link-loop
rm requirements.txt
mkdir -p deploy
put deploy/reqs.txt 'flask\nsix\n'
ln -s deploy/reqs.txt requirements.txt
q git add requirements.txt deploy/reqs.txt
commit inside
hook link-inside
rec status envguard status
q git rm -q requirements.txt
commit include requirements.txt '-r ../../up.txt\n'
hook include-leaves
commit include-missing requirements.txt '-r missing.txt\n'
hook include-missing
commit cycle requirements.txt '-r a.txt\n' a.txt '-r b.txt\n' b.txt '-r a.txt\n'
hook include-cycle

scenario lfs
deployed 'flask\n'
commit lfs requirements.txt 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n'
hook lfs-pointer
rec status envguard status
rec diff envguard diff azure/main HEAD

scenario baseline-walked
app
commit app requirements.txt 'flask\nsix\n'
q git rm -q requirements.txt
commit moved-away
commit code app.py '1\n'
remote azure
deploy
commit back requirements.txt 'flask\n'
hook walked
rec status envguard status

scenario baseline-shallow
app
commit app requirements.txt 'flask\n'
q git rm -q requirements.txt
commit gone
commit c2 a '2\n'
commit c3 a '3\n'
remote azure
deploy
cd "$S" || exit 1
q git clone -q --depth 1 "file://$S/azure.git" shallow
cd shallow || exit 1
commit back requirements.txt 'flask\n'
IN="refs/heads/main $(git rev-parse main) refs/heads/main $(git rev-parse origin/main)\n" rec shallow envguard pre-push azure "$S/azure.git"

scenario baseline-too-deep
app
commit app requirements.txt 'flask\n'
first=$(git rev-parse HEAD)
python3 - "$first" <<'EOF' | git fast-import --quiet
import sys
parent = sys.argv[1]
print("reset refs/heads/main\nfrom %s" % parent)
for i in range(10001):
    msg = "c%d" % i
    print("commit refs/heads/main\ncommitter A <a@b> 1700000000 +0000\ndata %d\n%s" % (len(msg), msg))
    if i == 0:
        print("D requirements.txt")
    print("M 100644 inline f\ndata %d\n%d\n" % (len(str(i)) + 1, i))
EOF
q git reset -q --hard main
remote azure
deploy
commit back requirements.txt 'flask\n'
hook too-deep

scenario missing-object
app
commit app requirements.txt 'flask\nsix\n' base.txt 'attrs\n'
commit two requirements.txt '-r base.txt\nflask\nsix\n'
q git config uploadpack.allowFilter true
q git config uploadpack.allowAnySHA1InWant true
cd "$S" || exit 1
q git clone -q --no-checkout --filter=blob:none "file://$S/app" partial
cd partial || exit 1
hook missing-blob "refs/heads/main $(git rev-parse origin/main) refs/heads/main $(git rev-parse origin/main~1)\n"

scenario unreadable-baseline
app
commit app requirements.txt '-r missing.txt\nflask\n'
remote azure
deploy
commit fixed requirements.txt 'flask\n'
hook unreadable-baseline
rec status envguard status

scenario bad-config
app
commit app requirements.txt 'flask\n' envguard.toml 'on_removal = "sometimes"\n'
remote azure
hook bad-value
commit unknown envguard.toml 'bogus = 1\n'
hook unknown-key
rec status envguard status
rec doctor envguard doctor
commit keep envguard.toml 'keep = ["gunicorn>=21"]\n'
rec keep-bad envguard status
commit notutf8 envguard.toml 'remotes = ["\xff"]\n'
hook not-utf8
commit req-abs envguard.toml 'requirements = "/etc/requirements.txt"\n'
hook requirements-absolute
commit req-up envguard.toml 'requirements = "../x.txt"\n'
hook requirements-up
commit bad-deployment envguard.toml '' .deployment '[config]\ncommand = a\ncommand = b\n'
hook deployment-twice
commit deployment-bom .deployment '\xef\xbb\xbf[config]\nproject = app\n'
hook deployment-bom

scenario config-remotes
app
commit app requirements.txt 'flask\nsix\n' envguard.toml 'remotes = ["prod", "*.example.invalid/*"]\nbranches = ["release"]\n'
remote azure
remote prod
q git push -q --no-verify prod main:release
q git fetch -q prod
commit drop requirements.txt 'flask\n'
hook azure-not-listed
IN="refs/heads/main $(git rev-parse main) refs/heads/release $(git rev-parse prod/release)\n" rec prod envguard pre-push prod "$S/prod.git"
IN="refs/heads/main $(git rev-parse main) refs/heads/main 0000000000000000000000000000000000000000\n" rec prod-main envguard pre-push prod "$S/prod.git"
IN="refs/heads/main $(git rev-parse main) refs/heads/release 0000000000000000000000000000000000000000\n" rec pattern envguard pre-push x https://git.example.invalid/app.git
rec status envguard status
rec status-prod envguard status prod
rec status-azure envguard status azure

scenario project-subfolder
app
commit app .deployment '[config]\nproject = site\n' site/requirements.txt 'flask\nsix\n' site/runtime.txt 'python-3.11\n'
remote azure
deploy
commit drop site/requirements.txt 'flask\n'
IN=$(line) rec verbose env ENVGUARD_VERBOSE=1 envguard pre-push azure "$S/azure.git"
rec status envguard status
rec doctor envguard doctor

scenario app-moved-folders
app
commit app requirements.txt 'flask\nsix\n'
remote azure
deploy
q git rm -q requirements.txt
commit move .deployment '[config]\nproject = web\n' web/requirements.txt 'flask\nsix\n'
hook moved-same
commit drop web/requirements.txt 'flask\n'
hook moved-drop

scenario markers
app
commit app requirements.txt 'flask\npywin32; sys_platform == "win32"\nuvloop; sys_platform != "win32"\nold; python_version < "3.8"\n' runtime.txt 'python-3.11\n'
remote azure
deploy
commit win envguard.toml 'target = "windows"\n'
hook target-windows
rec diff envguard diff azure/main HEAD
q git rm -q runtime.txt
commit nopy
hook no-python
commit py envguard.toml 'python = "3.7"\n'
hook python-key

scenario sha256
mkdir -p "$S/app"
cd "$S/app" || exit 1
q git init -q -b main --object-format=sha256
commit app requirements.txt 'flask\n' envguard.toml ''
sha=$(git rev-parse HEAD)
zero=$(printf '0%.0s' $(seq 64))
hook sha256-deploys "refs/heads/main $sha refs/heads/main $zero\n"
hook sha256-not-deploying "refs/heads/main $sha refs/heads/feature $zero\n"
IN="refs/heads/main $sha refs/heads/main $zero\n" rec sha256-other-remote envguard pre-push origin /x
rec status envguard status
rec reset envguard --reset
rec doctor envguard doctor
rec install envguard install --hook-file

scenario outside-repository
mkdir -p "$S/empty"
cd "$S/empty" || exit 1
rec status env GIT_CEILING_DIRECTORIES="$S" envguard status
rec reset env GIT_CEILING_DIRECTORIES="$S" envguard --reset
rec diff env GIT_CEILING_DIRECTORIES="$S" envguard diff a b
rec doctor env GIT_CEILING_DIRECTORIES="$S" envguard doctor
rec install env GIT_CEILING_DIRECTORIES="$S" envguard install
rec uninstall env GIT_CEILING_DIRECTORIES="$S" envguard uninstall
rec init env GIT_CEILING_DIRECTORIES="$S" envguard init
IN="refs/heads/main 1111111111111111111111111111111111111111 refs/heads/main 0000000000000000000000000000000000000000\n" rec hook env GIT_CEILING_DIRECTORIES="$S" envguard pre-push azure /x
IN="refs/heads/main 1111111111111111111111111111111111111111 refs/heads/feature 0000000000000000000000000000000000000000\n" rec hook-no-deploy env GIT_CEILING_DIRECTORIES="$S" envguard pre-push azure /x

scenario pre-commit-vars
deployed 'flask\nsix\n'
commit drop requirements.txt 'flask\n'
sha=$(git rev-parse main)
rec pc-push env PRE_COMMIT=1 PRE_COMMIT_REMOTE_NAME=azure PRE_COMMIT_REMOTE_URL="$S/azure.git" PRE_COMMIT_LOCAL_BRANCH=refs/heads/main PRE_COMMIT_REMOTE_BRANCH=refs/heads/main PRE_COMMIT_FROM_REF="$(git rev-parse azure/main)" PRE_COMMIT_TO_REF="$sha" envguard pre-push
q git reset -q --hard HEAD~1
commit drop-again requirements.txt 'flask\n'
commit other app.py 'x\n'
rec pc-both env PRE_COMMIT=1 PRE_COMMIT_REMOTE_NAME=azure PRE_COMMIT_REMOTE_URL="$S/azure.git" PRE_COMMIT_LOCAL_BRANCH=refs/heads/main PRE_COMMIT_REMOTE_BRANCH=refs/heads/main PRE_COMMIT_FROM_REF="$(git rev-parse HEAD~1)" PRE_COMMIT_TO_REF="$(git rev-parse HEAD)" envguard pre-push
rec pc-no-push env PRE_COMMIT=1 envguard pre-push
rec pc-tag env PRE_COMMIT=1 PRE_COMMIT_REMOTE_NAME=azure PRE_COMMIT_LOCAL_BRANCH=refs/tags/v1 PRE_COMMIT_REMOTE_BRANCH=refs/tags/v1 envguard pre-push
rec pc-bad-ref env PRE_COMMIT=1 PRE_COMMIT_REMOTE_NAME=azure PRE_COMMIT_LOCAL_BRANCH=refs/heads/main PRE_COMMIT_REMOTE_BRANCH=refs/heads/main PRE_COMMIT_TO_REF=nothex envguard pre-push
rec pc-no-to-ref env PRE_COMMIT=1 PRE_COMMIT_REMOTE_NAME=azure PRE_COMMIT_LOCAL_BRANCH=refs/heads/main PRE_COMMIT_REMOTE_BRANCH=refs/heads/main envguard pre-push
IN=$(line) rec pc-lines env PRE_COMMIT=1 PRE_COMMIT_REMOTE_NAME=azure PRE_COMMIT_REMOTE_URL="$S/azure.git" PRE_COMMIT_LOCAL_BRANCH=refs/heads/main PRE_COMMIT_REMOTE_BRANCH=refs/heads/main envguard pre-push

scenario real-push
app
commit app requirements.txt 'flask\nsix\n'
remote azure
rec install envguard install --hook-file
rec push-first git push -q azure main
commit drop requirements.txt 'flask\n'
rec push-removal git push -q azure main
rec push-again git push -q azure main
rec push-no-verify git push -q --no-verify azure main
rec legacy-name env ENVGUARD_HOOK=/x/pre-push.legacy git push -q azure main

########################################################################
# reset, status, diff
scenario reset
app
rec reset-no-commits envguard --reset
rec status-no-commits envguard status
commit app requirements.txt 'flask\n'
rec reset-no-remote envguard --reset
remote azure
rec reset envguard --reset
rec status-after-reset envguard status
q git push -q --no-verify azure main:master
q git fetch -q azure
rec reset-to-master envguard --reset
q git checkout -q --detach
rec reset-detached envguard --reset
q git checkout -q main
put .envguard/force-clean 'edit\n'
rec reset-edited envguard --reset

scenario status
app
rec status-empty envguard status
commit app requirements.txt 'flask\nsix\n'
rec status-no-remotes envguard status
rec status-no-remotes-json envguard status --format json
remote origin
rec status-origin envguard status origin
rec status-origin-opt envguard status --remote origin
rec status-nope envguard status --remote nope
remote azure
rec status-new envguard status
rec status-new-json envguard status --format json
deploy
q git fetch -q azure
rec status-deployed envguard status
commit drop requirements.txt 'flask\n'
rec status-removal envguard status
rec status-removal-json envguard status --format json
rec status-refspec envguard status azure main
rec status-refspec-dst envguard status azure main:master
rec status-head envguard status azure HEAD
rec status-head-dst envguard status azure HEAD:main
rec status-deletion envguard status azure :main
rec status-force envguard status azure +main:main
rec status-sha envguard status azure "$(git rev-parse HEAD)"
rec status-sha-dst envguard status azure "$(git rev-parse HEAD):main"
rec status-unknown envguard status azure nope:main
q git checkout -q -b feature
rec status-feature envguard status
rec status-feature-json envguard status --format json
rec status-feature-to-main envguard status azure feature:main
q git checkout -q --detach
rec status-detached envguard status
q git checkout -q main
rec status-two-args envguard status azure --remote azure

scenario status-deploy-paths
app
commit app requirements.txt 'flask\n'
remote azure
rec oryx envguard status
commit ours .deployment '[config]\ncommand = bash deploy.sh\n'
rec envguard-linux envguard status
commit win .deployment '[config]\ncommand = deploy.cmd\n'
rec envguard-windows envguard status
commit custom .deployment '[config]\ncommand = python build.py\n'
rec custom envguard status
commit kudu .deployment '[config]\nproject = .\n' envguard.toml 'target = "windows"\n'
rec kudu-windows envguard status
rec kudu-windows-json envguard status --format json
commit nobuild .deployment '[config]\nSCM_DO_BUILD_DURING_DEPLOYMENT = false\n' envguard.toml ''
rec no-build envguard status --format json

scenario status-push-config
app
commit app requirements.txt 'flask\n'
remote azure
q git config remote.azure.push refs/heads/main:refs/heads/master
rec mapped envguard status
rec mapped-refspec envguard status azure main
q git config --unset remote.azure.push
q git config branch.main.remote azure
q git config branch.main.merge refs/heads/master
rec upstream envguard status
q git config --unset branch.main.merge
q git push -q --no-verify azure main:master
q git fetch -q azure
rec deployed-master envguard status
q git config remote.azure.url https://app.scm.azurewebsites.net/app.git
rec scm-url envguard status

scenario diff
app
commit one requirements.txt 'flask\nsix\nrequests[socks,security]\n' runtime.txt 'python-3.11\n'
q git tag one
commit two requirements.txt 'flask\nrequests[socks]\nattrs\n' runtime.txt 'python-3.12\n'
q git tag two
rec removed envguard diff one two
rec removed-json envguard diff one two --format json
rec added envguard diff two one
rec added-json envguard diff two one --format json
rec same envguard diff one one
rec same-json envguard diff one one --format json
rec unknown-old envguard diff v9 HEAD
rec unknown-new envguard diff HEAD refs/heads/nope
commit quoted requirements.txt 'https://x.invalid/a%20b.zip\n\xef\xbb\xbfweird\n'
rec quoted envguard diff two HEAD --format json
rec quoted-text envguard diff two HEAD
q git rm -q runtime.txt
commit noruntime
rec runtime-none envguard diff two HEAD
rec runtime-none-json envguard diff two HEAD --format json
commit broken requirements.txt '-r nope.txt\n'
rec broken envguard diff two HEAD
commit subdir .deployment '[config]\nproject = sub\n' sub/requirements.txt 'flask\n'
rec moved envguard diff two HEAD
rec verbose envguard -v diff one two
rec quiet envguard -q diff one two

########################################################################
# init
scenario init
app
rec init-empty envguard init
rec init-again envguard init
rec init-quiet-again envguard -q init
commit init deploy.sh "$(cat deploy.sh)" envguard_check.py "$(cat envguard_check.py)" .deployment "$(cat .deployment)" .gitattributes "$(cat .gitattributes)"
rec init-windows-conflict envguard init --target windows
rec init-windows-force envguard init --target windows --force

scenario init-no-commits-windows-config
app
put envguard.toml 'target = "windows"\n'
rec init envguard init
q git add -A
commit c
rm -f deploy.cmd envguard_check.py .deployment .gitattributes
rec init-from-head envguard init

scenario init-oryx-note
app
commit app requirements.txt 'flask\n' .deployment '[config]\nproject = .\n'
rec init envguard init
rec init-quiet envguard -q init

scenario init-foreign
app
commit app requirements.txt 'flask\n'
put deploy.sh '#!/bin/sh\necho mine\n'
rec foreign-script envguard init
rm deploy.sh
put .deployment '[config]\ncommand = python build.py\n'
rec foreign-command envguard init
rec foreign-command-force envguard init --force
put envguard_check.py 'print("mine")\n'
rec foreign-checker envguard init
rm envguard_check.py
sed -i 's/^set -eu/set -eu # edited/' deploy.sh
rec edited-script envguard init
sed -i '/digest/d' deploy.sh
rec unstamped-script envguard init
rm deploy.sh
printf '#!/bin/sh\n# envguard\n.envguard-token\n' >deploy.sh
rec unstamped-ours envguard init

scenario init-links
app
ln -s elsewhere deploy.sh
rec link-script envguard init
rm deploy.sh
ln -s elsewhere .deployment
rec link-deployment envguard init
rm .deployment
ln -s elsewhere .gitattributes
rec link-attributes envguard init

scenario init-bare
q git init -q --bare "$S/bare.git"
cd "$S/bare.git" || exit 1
rec bare envguard init

scenario init-keeps-keys
app
put .deployment '; comment\r\n[config]\r\nproject = app\r\nSCM_DO_BUILD_DURING_DEPLOYMENT = true\r\n'
put .gitattributes '*.txt text\n'
rec init envguard init
rec deployment cat -A .deployment
rec attributes cat .gitattributes

########################################################################
# demo's refusals
scenario demo
mkdir -p "$S/full"
put "$S/full/file" 'x\n'
rec keep-not-empty envguard demo --keep "$S/full"
mkdir -p "$S/nopython"
ln -sf "$system_git" "$S/nopython/git"
rec no-python env PATH="$work/bin:$S/nopython" envguard demo
mkdir -p "$S/nogit"
ln -sf "$python_exe" "$S/nogit/python3"
rec no-git env PATH="$work/bin:$S/nogit:/usr/bin/../lib/nothing" envguard demo
mkdir -p "$S/novenv"
printf '#!/bin/sh\nexit 1\n' >"$S/novenv/python3"
chmod +x "$S/novenv/python3"
rec no-venv env PATH="$work/bin:$S/novenv" envguard demo

########################################################################
# install, uninstall
scenario install-hook-file
app
commit app requirements.txt 'flask\n'
rec install envguard install
rec install-again envguard install
rec hook-head head -n 3 .git/hooks/pre-push
rec uninstall envguard uninstall
rec uninstall-again envguard uninstall

scenario install-keeps-foreign
app
commit app requirements.txt 'flask\n'
put .git/hooks/pre-push '#!/bin/sh\necho mine\n'
chmod +x .git/hooks/pre-push
rec install envguard install
put .git/hooks/pre-push '#!/bin/sh\necho rewritten\n'
rec refuse envguard install
rec force envguard install --force
rec reinstall envguard install
rec uninstall envguard uninstall
rec restored cat .git/hooks/pre-push
put .git/hooks/pre-push.envguard-chained '#!/bin/sh\necho kept\n'
rec uninstall-foreign-kept envguard uninstall
rm .git/hooks/pre-push.envguard-chained
rec uninstall-foreign envguard uninstall

scenario install-hooks-path
app
commit app requirements.txt 'flask\n'
mkdir -p hooks
q git config core.hooksPath hooks
rec install envguard install
rec doctor envguard doctor
rec uninstall envguard uninstall

scenario install-worktree
app
commit app requirements.txt 'flask\n'
q git worktree add -q ../wt -b side
cd ../wt || exit 1
rec install-in-worktree envguard install
rec doctor-in-worktree envguard doctor
rec uninstall-in-worktree envguard uninstall

scenario install-config-locked
app
commit app requirements.txt 'flask\n'
touch .git/config.lock
if with_new_git; then
    use_new_git
    rec config-hook-locked envguard install --config-hook
else
    skip config-hook-locked
fi
rm -f .git/config.lock

scenario install-config-hook-old-git
app
commit app requirements.txt 'flask\n'
rec config-hook-old envguard install --config-hook
q git config hook.envguard.command "envguard pre-push"
q git config hook.envguard.event pre-push
rec already envguard install
rec doctor envguard doctor
rec uninstall envguard uninstall

scenario install-unknown-git-version
app
commit app requirements.txt 'flask\n'
mkdir -p "$S/fakegit"
printf '#!/bin/sh\nif [ "$1" = version ]; then echo "git version weird"; exit 0; fi\nexec %s "$@"\n' "$system_git" >"$S/fakegit/git"
chmod +x "$S/fakegit/git"
rec unknown-version env PATH="$work/bin:$S/fakegit:/usr/bin:/bin" envguard install --config-hook
printf '#!/bin/sh\nif [ "$1" = rev-parse ]; then exit 0; fi\nexec %s "$@"\n' "$system_git" >"$S/fakegit/git"
rec no-hooks-folder env PATH="$work/bin:$S/fakegit:/usr/bin:/bin" envguard install

scenario install-config-hook-new-git
app
commit app requirements.txt 'flask\n'
if with_new_git; then
    use_new_git
    rec install-default envguard install
    rec install-again envguard install
    rec doctor envguard doctor
    rec doctor-json envguard doctor --format json
    rec uninstall envguard uninstall
    rec install-config-hook envguard install --config-hook
    q git config hook.other.command "echo other"
    q git config hook.other.event pre-push
    rec install-config-hook-others envguard install --config-hook
    q git config hook.envguard.command "something else"
    rec foreign-config-hook envguard install --config-hook
    rec foreign-config-hook-force envguard install --config-hook --force
    rec install-hook-file envguard install --hook-file
    rec doctor-both envguard doctor
    rec uninstall-all envguard uninstall
    git config --global hook.envguard.command "envguard pre-push"
    git config --global hook.envguard.event pre-push
    rec global envguard uninstall
    rec global-doctor envguard doctor
    git config --global --remove-section hook.envguard
else
    skip new-git
fi

scenario install-old-git-config-hook-doctor
app
commit app requirements.txt 'flask\n'
q git config hook.envguard.command "envguard pre-push"
q git config hook.envguard.event pre-push
rec doctor envguard doctor
rec install-hook-file envguard install --hook-file
rec doctor-hook-and-config envguard doctor

scenario install-sha256
mkdir -p "$S/app"
cd "$S/app" || exit 1
q git init -q -b main --object-format=sha256
rec install envguard install --hook-file

scenario install-not-a-repo
mkdir -p "$S/plain"
cd "$S/plain" || exit 1
rec install env GIT_CEILING_DIRECTORIES="$S" envguard install

########################################################################
# hook managers, by their files
scenario lefthook-files
app
commit app requirements.txt 'flask\n'
remote azure
put lefthook.yml 'pre-push:\n  commands:\n    envguard:\n      run: envguard pre-push {1} {2}\n'
rec install-skippable envguard install
rec doctor-skippable envguard doctor
put lefthook.yml 'pre-push:\n  jobs:\n    - name: envguard\n      script: envguard.sh\n      runner: sh\n'
rec install-no-stdin envguard install
rec doctor-no-stdin envguard doctor
put lefthook.yml 'pre-push:\n  jobs:\n    - name: envguard\n      script: envguard.sh\n      runner: sh\n      use_stdin: true\n'
rec install-script-missing envguard install
rec doctor-script-missing envguard doctor
rec install-manager envguard install --manager
rec doctor-manager envguard doctor
rec uninstall envguard uninstall
put lefthook.yml 'pre-commit:\n  commands:\n    lint:\n      run: true\n'
rec install-advice envguard install
rec install-manager-full envguard install --manager
rec files find . -path ./.git -prune -o -type f -print
rec install-manager-again envguard install --manager
rec uninstall-full envguard uninstall
put lefthook-local.yml 'pre-push:\n  jobs: []\n'
rec local-exists envguard install --manager
rm lefthook-local.yml
put .lefthook/pre-push/envguard.sh '#!/bin/sh\necho mine\n'
rec foreign-script envguard install --manager
rm -rf .lefthook
put lefthook.yml 'source_dir_local: .hooks-local\npre-commit:\n  commands:\n    lint:\n      run: true\n'
rec local-dir envguard install --manager
put lefthook.yml 'pre-push:\n  jobs:\n    - name: envguard\n      script: envguard.sh\n      runner: sh\n      use_stdin: true\n'
put .lefthook/pre-push/envguard.sh "$(printf '#!/bin/sh\nexec envguard pre-push "$@" 2>&1\n')"
put .lefthook-local/pre-push/envguard.sh "$(printf '#!/bin/sh\nexec envguard pre-push "$@" 2>&1\n')"
rec doctor-twice envguard doctor
rec install-runs envguard install
rm -rf .lefthook-local
put lefthook.yml 'pre-push:\n  jobs:\n    - name: envguard\n      script: envguard.sh\n      runner: sh\n'
rec install-no-stdin-script envguard install
rec doctor-no-stdin-script envguard doctor
put lefthook.yml 'pre-push:\n  jobs:\n    - name: envguard\n      script: envguard.sh\n      runner: sh\n      use_stdin: true\n'
put .lefthook/pre-push/envguard.sh '#!/bin/sh\nexec envguard pre-push 2>&1\n'
rec install-script-no-args envguard install
rec doctor-script-no-args envguard doctor

scenario lefthook-renamed
app
commit app requirements.txt 'flask\n'
remote azure
rec install-hook envguard install --hook-file
put .git/hooks/pre-push.envguard-chained '#!/bin/sh\necho kept\n'
chmod +x .git/hooks/pre-push.envguard-chained
mv .git/hooks/pre-push .git/hooks/pre-push.old
put .git/hooks/pre-push '#!/bin/sh\ncall_lefthook run pre-push "$@"\n'
chmod +x .git/hooks/pre-push
put lefthook.yml 'pre-commit:\n  commands:\n    lint:\n      run: "true"\n'
rec doctor-renamed envguard doctor
rec status-warns envguard status
rec install-advice envguard install
put lefthook.yml 'pre-push:\n  jobs:\n    - name: envguard\n      script: envguard.sh\n      runner: sh\n      args: "'"'"'{1}'"'"' '"'"'{2}'"'"'"\n      use_stdin: true\n'
put .lefthook/pre-push/envguard.sh "$(printf '#!/bin/sh\nexec envguard pre-push "$@" 2>&1\n')"
rec doctor-old-hook envguard doctor
rec install-retires-kept envguard install
rec after ls .git/hooks
rec uninstall envguard uninstall

scenario lefthook-run
if with_managers; then
    use_managers
    app
    commit app requirements.txt 'flask\nsix\n'
    remote azure
    rec install-hook envguard install --hook-file
    put lefthook.yml 'pre-commit:\n  commands:\n    lint:\n      run: "true"\n'
    q lefthook install
    rec doctor-renamed envguard doctor
    rec status-warns envguard status
    rec install-advice envguard install
    rec install-manager envguard install --manager
    rec doctor-after envguard doctor
    q git push -q --no-verify azure main
    commit drop requirements.txt 'flask\n'
    rec push-removal git push -q azure main
    rec uninstall envguard uninstall
else
    skip lefthook-run
fi

scenario pre-commit-run
if with_managers; then
    use_managers
    app
    commit app requirements.txt 'flask\nsix\n'
    remote azure
    rec install-hook envguard install --hook-file
    put .pre-commit-config.yaml 'repos: []\n'
    rec idle-note envguard uninstall
    rec install-idle envguard install --hook-file
    q pre-commit install --hook-type pre-push
    rec doctor-legacy envguard doctor
    rec install-advice envguard install
    IN=$(line) rec legacy-runs env ENVGUARD_HOOK="$S/app/.git/hooks/pre-push.legacy" envguard pre-push azure "$S/azure.git"
    put .pre-commit-config.yaml "repos:\n$(printf '%s' '- repo: local\n  hooks:\n  - id: envguard\n    name: envguard\n    entry: envguard pre-push\n    language: system\n    stages: [pre-push]\n    always_run: true\n    pass_filenames: false\n')"
    rec doctor-twice envguard doctor
    IN=$(line) rec legacy-steps-aside env ENVGUARD_HOOK="$S/app/.git/hooks/pre-push.legacy" envguard pre-push azure "$S/azure.git"
    rec install-retires envguard install
    rec doctor-configured envguard doctor
    q pre-commit uninstall --hook-type pre-push
    rec doctor-hook-missing envguard doctor
    rec install-hook-missing envguard install
    rec status-warns envguard status
    rec uninstall envguard uninstall
    put .pre-commit-config.yaml 'repos:\n  - repo: local\n    hooks: []\n'
    q pre-commit install --hook-type pre-push
    rec install-manager envguard install --manager
    rec doctor-manager envguard doctor
    q pre-commit install -f --hook-type pre-push
    rec status-gone envguard status
    rec uninstall-manager envguard uninstall
    rec pc-no-push env PRE_COMMIT=1 envguard pre-push
else
    skip pre-commit-run
fi

scenario manager-and-config-hook
app
commit app requirements.txt 'flask\n'
rec no-manager envguard install --manager
put lefthook.yml 'pre-commit:\n  commands:\n    lint:\n      run: "true"\n'
q git config hook.envguard.command "envguard pre-push"
q git config hook.envguard.event pre-push
rec doctor-beside envguard doctor
put lefthook.yml 'pre-push:\n  jobs:\n    - name: envguard\n      script: envguard.sh\n      runner: sh\n      args: "'"'"'{1}'"'"' '"'"'{2}'"'"'"\n      use_stdin: true\n'
put .lefthook/pre-push/envguard.sh "$(printf '#!/bin/sh\nexec envguard pre-push "$@" 2>&1\n')"
put .git/hooks/pre-push '#!/bin/sh\ncall_lefthook run pre-push "$@"\n'
rec doctor-twice envguard doctor
if with_new_git; then
    use_new_git
    rec install-config-hook envguard install --config-hook
    rec doctor-new-git envguard doctor
else
    skip new-git
fi

scenario bare-manager
q git init -q --bare "$S/bare.git"
cd "$S/bare.git" || exit 1
put hooks/pre-push '#!/bin/sh\ncall_lefthook run pre-push "$@"\n'
rec no-work-tree envguard install --manager
rec doctor envguard doctor

scenario prek-files
app
commit app requirements.txt 'flask\n'
put prek.toml '[[repos]]\nrepo = "local"\n'
put .git/hooks/pre-push '#!/bin/sh\n# File generated by prek: https://github.com/j178/prek\n# ID: 182c10f181da4464a3eec51b83331688\nexec prek hook-impl\n'
chmod +x .git/hooks/pre-push
rec install envguard install
rec doctor envguard doctor
put prek.toml '[[repos]]\nrepo = "local"\nhooks = [{ id = "envguard", name = "envguard", entry = "envguard pre-push", language = "system", stages = ["pre-push"] }]\n'
rec install-configured envguard install
rec doctor-configured envguard doctor

scenario chained-manager
app
commit app requirements.txt 'flask\n'
rec install-file envguard install --hook-file
put .pre-commit-config.yaml 'repos: []\n'
put .git/hooks/pre-push.envguard-chained '#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\n# ID: 138fd403232d2ddd5efb44317e38bf03\nexit 0\n'
chmod +x .git/hooks/pre-push.envguard-chained
rec doctor-chained envguard doctor
rec install-advice envguard install
put .pre-commit-config.yaml 'repos:\n- repo: local\n  hooks:\n  - id: envguard\n'
rec install-puts-back envguard install
rec hook-back head -n 2 .git/hooks/pre-push
rec still-runs envguard uninstall

scenario husky-files
app
commit app requirements.txt 'flask\n'
mkdir -p .husky/_
put .husky/_/h '#!/usr/bin/env sh\n'
put .husky/_/pre-push '#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n'
q git config core.hooksPath .husky/_
rec install-advice envguard install
rec doctor-advice envguard doctor
put .husky/pre-push 'npm test\nenvguard pre-push\n'
rec install-no-args envguard install
rec doctor-no-args envguard doctor
put .husky/pre-push 'npm test\n'
rec install-manager envguard install --manager
rec script cat .husky/pre-push
rec doctor-manager envguard doctor
rec uninstall envguard uninstall
rec script-after cat .husky/pre-push
rec install-manager-again envguard install --manager
put .husky/pre-push 'npm test\necho later\nenvguard pre-push "$@"\n'
rec uninstall-edited envguard uninstall
rec script-edited cat .husky/pre-push

scenario husky-run
if with_managers; then
    use_managers
    app
    commit app requirements.txt 'flask\n'
    put package.json '{ "name": "app", "private": true }\n'
    rec install-hook envguard install --hook-file
    q husky
    rec status-warns envguard status
    rec doctor envguard doctor
    rec install envguard install
    rec install-manager envguard install --manager
    rec doctor-after envguard doctor
    rec uninstall envguard uninstall
else
    skip husky-run
fi

scenario not-running
app
commit app requirements.txt 'flask\n'
remote azure
rec install envguard install --hook-file
rm .git/hooks/pre-push
rec status-gone envguard status
rec diff-gone envguard diff HEAD HEAD
rec reset-gone envguard --reset
rec doctor-gone envguard doctor

########################################################################
# doctor
scenario doctor
app
rec no-commits envguard doctor
rec no-commits-json envguard doctor --format json
commit app requirements.txt 'flask\n'
rec no-hook envguard doctor
rec install envguard install --hook-file
rec hook-ok envguard doctor
remote azure
remote origin
remote backup
rec remotes envguard doctor
deploy
q git fetch -q azure
rec deployed envguard doctor
rec deployed-json envguard doctor --format json
chmod -x .git/hooks/pre-push
rec not-executable envguard doctor
chmod +x .git/hooks/pre-push
sed -i 's/$/\r/' .git/hooks/pre-push
rec crlf envguard doctor
rec reinstall envguard install --hook-file
sed -i "s|^recorded=.*|recorded='/gone/envguard'|" .git/hooks/pre-push
rec binary-missing envguard doctor
rec binary-missing-on-path env PATH="$base_path:$work/bin" envguard doctor
sed -i '/^recorded=/d' .git/hooks/pre-push
rec no-recorded envguard doctor
rec reinstall-2 envguard install --hook-file
printf '\n# changed\n' >>.git/hooks/pre-push
rec other-version envguard doctor
mkdir -p "$S/other"
cp "$work/bin/envguard" "$S/other/envguard"
rec reinstall-3 envguard install --hook-file
rec other-binary "$S/other/envguard" doctor
put .git/hooks/pre-push.envguard-chained '#!/bin/sh\nexit 0\n'
rec kept-not-executable envguard doctor
chmod +x .git/hooks/pre-push.envguard-chained
rec kept-runs envguard doctor
put .git/hooks/pre-push '#!/bin/sh\necho rewritten\n'
rec foreign-and-kept envguard doctor
rm .git/hooks/pre-push.envguard-chained
rec foreign envguard doctor

scenario doctor-head
app
commit app requirements.txt 'flask\n'
remote azure
rec install envguard install --hook-file
q git rm -q requirements.txt
commit gone envguard.toml 'python = "3.12"\nkeep = ["gunicorn", "uvicorn"]\n'
rec no-requirements envguard doctor
commit unknown envguard.toml 'bogus = 1\n'
rec config-unreadable envguard doctor
commit req requirements.txt 'flask\n' runtime.txt 'python-3.11\n' envguard.toml ''
rec runtime envguard doctor
q git checkout -q -b feature
rec feature envguard doctor
q git checkout -q --detach
rec detached envguard doctor
q git checkout -q main
q git push -q --no-verify azure main:master
q git fetch -q azure
rec other-branch envguard doctor
rec fingerprint-reset envguard --reset
q git update-ref -d refs/remotes/azure/master
rec fingerprint envguard doctor
q git update-ref refs/remotes/azure/main 1234567890123456789012345678901234567890 2>/dev/null || put .git/refs/remotes/azure/main '1234567890123456789012345678901234567890\n'
rec fetch-first envguard doctor

scenario doctor-scripts
app
commit app requirements.txt 'flask\n'
remote azure
rec install envguard install --hook-file
commit custom .deployment '[config]\ncommand = python build.py\n'
rec unknown-script envguard doctor
commit missing .deployment '[config]\ncommand = bash deploy.sh\n'
rec script-missing envguard doctor
put deploy.sh 'echo\n'
rec script-uncommitted envguard doctor
commit ignores deploy.sh '#!/bin/sh\necho hi\n'
rec script-ignores envguard doctor
commit own deploy.sh '#!/bin/sh\n# .envguard-token\necho hi\n'
rec own-script envguard doctor
rec init envguard init --force
q git add -A
commit init
rec all-in-place envguard doctor
rec all-in-place-json envguard doctor --format json
sed -i 's/$/\r/' deploy.sh
q git add deploy.sh
commit crlf
rec wrong-endings envguard doctor
q git checkout -q HEAD~1 -- deploy.sh
commit back
put .gitattributes ''
q git add .gitattributes
commit no-rule
rec endings-not-kept envguard doctor
q git rm -q envguard_check.py
commit no-checker
rec no-checker envguard doctor
sed -i 's/^set -eu/set -eu # edited/' deploy.sh
q git add deploy.sh
commit edited
rec script-edited envguard doctor
sed -i '/digest/d' deploy.sh
q git add deploy.sh
commit unstamped
rec script-unstamped envguard doctor

scenario doctor-windows
app
commit app requirements.txt 'flask\n' envguard.toml 'target = "windows"\n'
remote azure
rec install envguard install --hook-file
rec kudu-no-deployment envguard doctor
put .deployment '[config]\nproject = .\n'
rec kudu-uncommitted envguard doctor
q git add .deployment
commit dep
rec kudu-deployment envguard doctor
rec init envguard init
q git add -A
commit init
rec windows-in-place envguard doctor
commit lf deploy.cmd "$(tr -d '\r' <deploy.cmd)"
rec windows-lf envguard doctor
commit nobuild .deployment '[config]\nSCM_DO_BUILD_DURING_DEPLOYMENT = false\n'
rec no-build envguard doctor

scenario doctor-subfolder
app
commit app .deployment '[config]\nproject = web\ncommand = bash web/deploy.sh\n' web/requirements.txt 'flask\n' web/deploy.sh '#!/bin/sh\n# .envguard-token\n'
remote azure
rec install envguard install --hook-file
rec doctor envguard doctor
rec doctor-json envguard doctor --format json

echo "$n scenarios, $(cat "$out"/*.txt | grep -c '^=== ') cases recorded in $out"
