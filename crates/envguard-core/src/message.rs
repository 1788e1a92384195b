//! Every sentence the hook and the commands around it say to the user, as
//! one enum rendered in one place (git-absorb's `Announcement` is the
//! model): wording lives here and tests pin it. The shell prints a message
//! as `envguard: {message}`.

use std::fmt;

use crate::config::OnRemoval;
use crate::decide::{BaselineSource, Decision, Removal};
use crate::deployment::{DeployPath, DEPLOYMENT_PATH};
use crate::ids::CommitId;
use crate::platform::Platform;
use crate::requirements::Warning;
use crate::text::quote;
use crate::token::{
    InTheWay, Place, Token, ENVGUARD_DIR, ENV_TOKEN_FILE, FINGERPRINT_PATH, MARKER_PATH,
};

/// How to push without envguard, said after every error that stops a push.
pub const BYPASS: &str =
    "the push was stopped. To push without envguard: `git push --no-verify` or `ENVGUARD_SKIP=1 git push …`";

/// One thing envguard tells the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// What the hook decided for a push that goes on, or stops by policy.
    Decided {
        /// `remote branch`.
        place: String,
        requirements: String,
        decision: Decision,
    },
    /// A marker was committed: what, where, and how to push again.
    MarkerCommitted {
        place: String,
        removals: Vec<Removal>,
        commit: CommitId,
        on: String,
        token: Token,
        again: String,
    },
    /// One push names a branch twice; the first marker serves both.
    MarkerCoversThisBranch { place: String },
    /// A line of requirements envguard could not read.
    RequirementsWarning(Warning),
    /// The deployed requirements cannot be read now.
    UnreadableBaseline { why: String },
    /// The pushed commit's fingerprint cannot be read.
    BadFingerprint { why: String },
    /// The remote's commit is not in this repository.
    FetchFirst {
        remote: String,
        branch: String,
        commit: CommitId,
    },
    /// A line of git's pre-push input is not a ref line.
    MalformedInput { number: usize, text: Vec<u8> },
    /// A hook manager ran `envguard pre-push` with no ref information.
    NoPushToCheck { runner: String },
    /// `envguard pre-push` without git's arguments, and no manager's variables.
    PrePushWithoutArguments,
    /// pre-commit's from-ref is not the remote-tracking ref: both are compared.
    ComparedWithBoth {
        place: String,
        tracking: CommitId,
        from_ref: CommitId,
    },
    /// The push names no branch to put the marker on.
    NotABranch {
        removals: Vec<Removal>,
        local_ref: Vec<u8>,
    },
    /// Something at an envguard path that is not envguard's to write over.
    InTheWay(InTheWay),
    /// A merge, rebase or similar is under way in this worktree.
    OperationInProgress(Operation),
    /// Another git process holds the index lock, or one left it behind.
    IndexLocked { lock: String },
    /// The marker commit failed and everything was put back.
    NothingChanged {
        why: String,
        refname: String,
        parent: CommitId,
    },
    /// The marker commit failed half-way and could not be undone.
    HalfDone {
        why: String,
        state: String,
        fix: String,
    },
    /// A sparse index, which envguard cannot write.
    SparseIndex,
    /// A SHA-256 repository: a push to `place` deploys, and cannot be checked.
    Sha256Push { place: String },
    /// A SHA-256 repository, for any other command.
    Sha256Repository,
    /// `install` in a SHA-256 repository.
    Sha256Install,
    /// The pushed branch moved between git's resolving it and the hook.
    RefMoved { refname: String, pushed: CommitId },
    /// git has no identity to commit with; `removals`: what the push
    /// that needed the marker removes (none for `--reset`).
    NoIdentity {
        missing: String,
        removals: Vec<Removal>,
        retry: Retry,
    },
    /// The branch is checked out in another worktree.
    CheckedOutElsewhere { refname: String, worktree: String },
    /// The user's own edit of an envguard file is in the way.
    EnvguardFileEdited {
        what: String,
        path: &'static str,
        retry: Retry,
    },
    /// `--reset` refuses during a merge, rebase or similar.
    ResetDuringOperation,
    /// The current branch has no commits: `--reset` or `status` has
    /// nothing to work on.
    NoCommitsYet { reset: bool },
    /// `--reset` on a HEAD that names neither a branch nor a commit.
    ResetWithoutBranch,
    /// `status --remote NAME` names no remote.
    NoSuchRemote { name: String },
    /// `status` finds no remote that deploys.
    NoRemoteDeploys,
    /// `status` on a detached HEAD.
    StatusOnDetachedHead,
    /// `init` finds a server script of the user's own where it would write.
    ForeignScript { name: &'static str },
    /// `init` finds `.deployment` running some other command.
    ForeignCommand { theirs: String, ours: &'static str },
    /// A symbolic link in a commit names something outside the repository
    /// (`link == target`: the path itself climbs above the root).
    LinkLeavesRepository { link: String, target: String },
    /// Following a commit's symbolic links never ends.
    LinkLoops { link: String, hops: usize },
    /// The tree names an object this repository does not have (a partial
    /// clone): never "nothing there".
    MissingObject {
        path: String,
        commit: CommitId,
        kind: &'static str,
        object: String,
        /// The partial clone's promisor remote, when there is one.
        promisor: Option<String>,
    },
    /// The deployed commit has no requirements file: the baseline is the
    /// nearest first-parent ancestor that has one.
    BaselineWalked {
        place: String,
        requirements: String,
        deployed: CommitId,
        found: CommitId,
        steps: usize,
    },
    /// No first-parent ancestor within the bound has the requirements file.
    BaselineTooDeep {
        requirements: String,
        deployed: CommitId,
        bound: usize,
    },
    /// A shallow clone's history ends before a commit with the file.
    BaselineShallow {
        requirements: String,
        deployed: CommitId,
    },
    /// `envguard --reset` committed a marker.
    ResetCommitted {
        commit: CommitId,
        branch: String,
        token: Token,
        push: String,
    },
    /// Removed packages that envguard.toml's `keep` lists.
    KeptPackagesRemoved {
        names: Vec<String>,
        policy: OnRemoval,
    },
    /// `status` for a remote that does not deploy.
    RemoteDoesNotDeploy {
        remote: String,
        url: String,
        /// Whether envguard.toml sets `remotes`.
        configured: bool,
    },
    /// A revision that names no commit.
    UnknownRevision { rev: String },
    /// How the site builds, as `.deployment` says.
    Deploys { path: DeployPath },
    /// `init` wrote a `command` where Oryx built before.
    ReplacesOryx { command: String },
    /// `init` replaced the user's own `command` (with `--force`).
    ReplacedCommand { theirs: String, command: String },
    /// `init` wrote, updated or left a file.
    InitFile { path: String, done: Written },
    /// `init` set the `.deployment` command.
    DeploymentRuns { command: String, changed: bool },
    /// `init` had nothing to do.
    InitUnchanged,
    /// `init` keeps a copy of its own file that was edited, or that it
    /// cannot tell unedited (no digest line, `shipped::Copy::Unstamped`).
    KeepsEdited { name: &'static str, stamped: bool },
    /// `init` finds a file of its checker's name that is not envguard's.
    ForeignChecker { name: &'static str },
    /// What to commit after `init`.
    CommitThem { paths: Vec<String>, script: String },
    /// `-v`: where a push's settings come from.
    ConfigFrom {
        place: String,
        commit: CommitId,
        has_config: bool,
        has_deployment: bool,
    },
    /// `-v`: what a push is compared with.
    BaselineFrom {
        place: String,
        source: BaselineSource,
    },
    /// `-v`: the files whose bytes decided.
    FilesCompared { place: String, paths: Vec<String> },
}

/// An operation git is in the middle of, which moving a branch would break.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Merge,
    Rebase,
    CherryPick,
    Revert,
    Bisect,
    ApplyMailbox,
}

impl Operation {
    /// The git command that continues or ends it.
    fn command(self) -> &'static str {
        match self {
            Operation::Merge => "merge",
            Operation::Rebase => "rebase",
            Operation::CherryPick => "cherry-pick",
            Operation::Revert => "revert",
            Operation::Bisect => "bisect",
            Operation::ApplyMailbox => "am",
        }
    }
}

/// Labels as messages show them: quoted, joined.
fn labels(removed: &[String]) -> String {
    removed.iter().map(quote).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Message::Decided {
                place,
                requirements,
                decision,
            } => match decision {
                Decision::Removed {
                    policy: OnRemoval::Warn,
                    change,
                } => {
                    let removals = change.removals(requirements);
                    write!(
                        f,
                        "{place}: warning: {}; the server keeps {} installed \
                         (on_removal = \"warn\"; run `envguard --reset` to clean the environment)",
                        Removals(&removals),
                        them(&removals)
                    )
                }
                Decision::Removed {
                    policy: OnRemoval::Block,
                    change,
                } => write!(
                    f,
                    "{place}: push stopped: {}, which the server would keep installed.\n\
                     envguard: run `envguard --reset` to schedule a clean environment, then push again \
                     (or push anyway with `git push --no-verify`)",
                    Removals(&change.removals(requirements))
                ),
                _ => write!(f, "{place}: {}", Outcome(decision, requirements)),
            },
            Message::MarkerCommitted {
                place,
                removals,
                commit,
                on,
                token,
                again,
            } => write!(
                f,
                "{place}: {}, which pip would leave installed on the server.\n\
                 envguard: committed {} on {on}: {MARKER_PATH} and {FINGERPRINT_PATH} only \
                 (token {}…), so the next deployment deletes and rebuilds the environment once.\n\
                 envguard: this push was stopped so that the marker goes with it. Push again:\n\n    {again}\n",
                Removals(removals),
                commit.short(),
                token.short()
            ),
            Message::MarkerCoversThisBranch { place } => {
                write!(f, "{place}: the marker committed above covers this branch too")
            }
            Message::RequirementsWarning(warning) => {
                write!(f, "warning: {}", quote(warning.to_string()))
            }
            Message::UnreadableBaseline { why } => write!(
                f,
                "warning: cannot read the deployed requirements ({why}); treating this as a first deployment"
            ),
            Message::BadFingerprint { why } => {
                write!(f, "warning: {FINGERPRINT_PATH}: {why}; ignoring it")
            }
            Message::FetchFirst {
                remote,
                branch,
                commit,
            } => write!(
                f,
                "{remote} has {branch} at {}, a commit this repository does not have; \
                 run `git fetch {remote}` and look at what was deployed before pushing over it",
                commit.short()
            ),
            Message::MalformedInput { number, text } => write!(
                f,
                "line {number} of git's input is not `<local-ref> <oid> <remote-ref> <oid>`: \"{}\"",
                quote(text)
            ),
            Message::NoPushToCheck { runner } => write!(
                f,
                "{runner} ran `envguard pre-push` with no push to check: no ref lines on stdin and \
                 no PRE_COMMIT_* push variables, so envguard cannot tell what would deploy. It runs on \
                 `git push` (for pre-commit: `pre-commit install --hook-type pre-push`), or with git's \
                 arguments and ref lines passed on (`envguard pre-push \"$@\"`; lefthook: `use_stdin: true`)"
            ),
            Message::PrePushWithoutArguments => write!(
                f,
                "`envguard pre-push` needs the remote's name and URL, as git passes them to a \
                 pre-push hook, with git's ref lines on stdin; in a hook manager's config write \
                 `envguard pre-push \"$@\"` (husky) or `envguard pre-push \"{{1}}\" \"{{2}}\"` with \
                 `use_stdin: true` (lefthook)"
            ),
            Message::ComparedWithBoth {
                place,
                tracking,
                from_ref,
            } => write!(
                f,
                "{place}: pre-commit compares from {}, but this repository last saw the remote at {}; \
                 envguard compares with both, and a removal against either counts",
                from_ref.short(),
                tracking.short()
            ),
            Message::NotABranch { removals, local_ref } => write!(
                f,
                "{}, but this push names `{}`, not a branch, so envguard cannot commit \
                 a force-clean marker on it; push a branch, or run `envguard --reset` on one",
                Removals(removals),
                quote(local_ref)
            ),
            Message::InTheWay(InTheWay { path, found, place }) => {
                let (place, fix) = match place {
                    Place::Commit => (
                        "in the pushed commit",
                        format!("Move it out of the way (`git mv -- {path} <another name>`, or `git rm -r -- {path}`: for a link that removes the link, not what it points to) and commit"),
                    ),
                    Place::WorkTree => (
                        "in the working tree",
                        format!("It is not committed: move it out of the way (`mv -- {path} <another name>`)"),
                    ),
                };
                write!(
                    f,
                    "{path} is {found} {place}; envguard keeps its marker as two regular files in a folder \
                     .envguard/ and never writes over or through anything else. {fix}, then push again"
                )
            }
            Message::OperationInProgress(operation) => {
                let command = operation.command();
                let finish = match operation {
                    Operation::Bisect => "End it (`git bisect reset`)".to_string(),
                    _ => format!(
                        "Finish it (`git {command} --continue`) or abort it (`git {command} --abort`)"
                    ),
                };
                write!(
                    f,
                    "a `git {command}` is in progress here; envguard does not move a branch under it \
                     (git could not finish it after that). {finish}, then try again"
                )
            }
            Message::IndexLocked { lock } => write!(
                f,
                "{lock} exists: another git process is running in this repository, or one was killed and \
                 left its lock behind; nothing was changed. If no git (and no envguard) is running, remove \
                 it; then, if `git status` shows {MARKER_PATH} or {FINGERPRINT_PATH} changed, run \
                 `git restore --staged --worktree -- {MARKER_PATH} {FINGERPRINT_PATH}`; then push again"
            ),
            Message::NothingChanged {
                why,
                refname,
                parent,
            } => write!(
                f,
                "{why}; nothing was changed: {refname} still points at {}, and the index and your files \
                 are as they were (the marker commit written meanwhile is referenced by nothing). Fix \
                 that, then push again",
                parent.short()
            ),
            Message::HalfDone { why, state, fix } => write!(
                f,
                "{why}, and envguard could not undo what it had done: {state}. To finish by hand: {fix}"
            ),
            Message::SparseIndex => f.write_str(
                "this sparse checkout uses a sparse index, which envguard cannot write; keep the sparse \
                 checkout but turn the sparse index off (`git sparse-checkout reapply --no-sparse-index`), \
                 then push again",
            ),
            Message::Sha256Push { place } => write!(
                f,
                "{place}: this repository uses SHA-256 object ids, which envguard cannot read yet (its git \
                 library opens SHA-1 repositories only), so it cannot check what this push deploys. Check \
                 the requirements yourself (if packages were removed, delete the environment on the \
                 server), then push with `git push --no-verify`"
            ),
            Message::Sha256Repository => f.write_str(
                "this repository uses SHA-256 object ids, which envguard cannot read yet (its git library \
                 opens SHA-1 repositories only)",
            ),
            Message::Sha256Install => f.write_str(
                "warning: this repository uses SHA-256 object ids, which envguard cannot read yet: pushes \
                 that cannot deploy go on as usual, but a push that deploys stops with exit 2 (check its \
                 requirements yourself and push it with `git push --no-verify`)",
            ),
            Message::RefMoved { refname, pushed } => write!(
                f,
                "{refname} no longer points at the pushed commit {}; check `git log` and push again",
                pushed.short()
            ),
            Message::NoIdentity {
                missing,
                removals,
                retry,
            } => {
                if !removals.is_empty() {
                    write!(
                        f,
                        "{}, which pip would leave installed on the server, but ",
                        Removals(removals)
                    )?;
                }
                write!(
                    f,
                    "git has no {missing} to write the marker commit with; set them with \
                     `git config --global user.name \"Your Name\"` and \
                     `git config --global user.email you@example.com`, then {retry}"
                )
            }
            Message::CheckedOutElsewhere { refname, worktree } => write!(
                f,
                "{refname} is checked out in the worktree {worktree}; run this there, so that its index and files follow the marker commit"
            ),
            Message::EnvguardFileEdited { what, path, retry } => write!(
                f,
                "{what}; envguard would overwrite it. Commit or discard that change \
                 (`git restore --staged --worktree {path}`), then {retry}"
            ),
            Message::ResetDuringOperation => f.write_str(
                "a merge, rebase or similar is in progress; finish or abort it, then run `envguard --reset` again",
            ),
            Message::NoCommitsYet { reset: true } => f.write_str(
                "the current branch has no commits yet; commit your app first, then run `envguard --reset`",
            ),
            Message::NoCommitsYet { reset: false } => {
                f.write_str("the current branch has no commits yet: nothing to push")
            }
            Message::ResetWithoutBranch => {
                f.write_str("HEAD names neither a branch nor a commit; check `git status`")
            }
            Message::NoSuchRemote { name } => {
                write!(f, "there is no remote named `{name}`; see `git remote -v`")
            }
            Message::NoRemoteDeploys => f.write_str(
                "No remote deploys: none is named `azure`, none has an App Service URL, and envguard.toml's \
                 `remotes` names none. Add one with `git remote add azure <url>`, or run with --remote NAME.",
            ),
            Message::StatusOnDetachedHead => f.write_str(
                "HEAD is detached; check out the branch you deploy, then run `envguard status` again",
            ),
            Message::ForeignScript { name } => write!(
                f,
                "{name} exists and is not envguard's; keep it and add the marker steps by hand \
                 (see \"Server-side setup on Azure\" in envguard's README: read {MARKER_PATH}, \
                 delete the environment when its token differs from <env>/{ENV_TOKEN_FILE}, write the \
                 token after pip succeeds), or replace it with `envguard init --force`"
            ),
            Message::ForeignCommand { theirs, ours } => write!(
                f,
                "{DEPLOYMENT_PATH} runs `{theirs}`, not envguard's script; change it to `command = {ours}` \
                 (after adding the marker steps to your script), or run `envguard init --force`"
            ),
            // envguard's own folder: its files are never read or written
            // through a link, whatever the link says (the writing side
            // refuses the same way, InTheWay).
            Message::LinkLeavesRepository { link, target }
                if link == ENVGUARD_DIR || link.starts_with(&format!("{ENVGUARD_DIR}/")) =>
            {
                write!(
                    f,
                    "{link} is a symbolic link to {target}, outside the repository; envguard keeps its marker \
                     as two regular files in a folder .envguard/ and never reads or writes through such a link. \
                     Move it out of the way (`git rm -- {link}`: for a link that removes the link, not what it \
                     points to) and commit, then push again"
                )
            }
            Message::LinkLeavesRepository { link, target } if link == target => write!(
                f,
                "{link} leads outside the repository; pip on the server would read a file that is not in the commit"
            ),
            Message::LinkLeavesRepository { link, target } => write!(
                f,
                "{link} is a symbolic link to {target}, outside the repository; pip on the server would read \
                 a file that is not in the commit. Commit the file itself, or a link within the repository"
            ),
            Message::LinkLoops { link, hops } => write!(
                f,
                "{link} is a symbolic link that leads to no file within {hops} links (a loop); \
                 pip on the server could not open it. Fix the link"
            ),
            Message::MissingObject {
                path,
                commit,
                kind,
                object,
                promisor,
            } => {
                let from = promisor
                    .as_ref()
                    .map(|r| format!(" from the promisor remote `{r}`"))
                    .unwrap_or_default();
                write!(
                    f,
                    "{path} in commit {}: its {kind} {object} is missing from this repository \
                     (a partial clone fetches objects only when asked, and envguard does not fetch during a push). \
                     Fetch it{from} with `git cat-file -p {object} >/dev/null` (or run `git fetch <remote>` \
                     for the remote the commit came from), then push again",
                    commit.short()
                )
            }
            Message::BaselineWalked {
                place,
                requirements,
                deployed,
                found,
                steps,
            } => write!(
                f,
                "{place}: the deployed commit {} has no {requirements}, so the server skipped pip there; \
                 comparing with {}, {steps} first-parent commit{} back, the last one that had it",
                deployed.short(),
                found.short(),
                if *steps == 1 { "" } else { "s" }
            ),
            Message::BaselineTooDeep {
                requirements,
                deployed,
                bound,
            } => write!(
                f,
                "the deployed commit {} has no {requirements}, nor do its {bound} nearest first-parent \
                 ancestors, so envguard cannot tell what the server last installed. Run `envguard --reset` \
                 to schedule a clean environment, then push with `git push --no-verify`",
                deployed.short()
            ),
            Message::BaselineShallow {
                requirements,
                deployed,
            } => write!(
                f,
                "the deployed commit {} has no {requirements}, and this shallow clone's history ends before \
                 a commit that has it, so envguard cannot tell what the server last installed. Run \
                 `git fetch --unshallow` (or `git fetch --deepen=<n>`), then push again",
                deployed.short()
            ),
            Message::ResetCommitted {
                commit,
                branch,
                token,
                push,
            } => write!(
                f,
                "committed {} on {branch}: a new force-clean marker (token {}…).\n\
                 envguard: the next `{push}` deletes and rebuilds the environment once.",
                commit.short(),
                token.short()
            ),
            Message::KeptPackagesRemoved { names, policy } => {
                let names = and_list(names);
                match policy {
                    OnRemoval::Warn => write!(
                        f,
                        "note: envguard.toml's `keep` lists {names}: the server's leftovers check never counts \
                         what it lists, so it stays installed there"
                    ),
                    OnRemoval::Commit | OnRemoval::Block => write!(
                        f,
                        "note: envguard.toml's `keep` lists {names}: the server's leftovers check never counts \
                         what it lists, but a clean rebuilds the environment from the requirements alone, so \
                         afterwards the server has {names} only if what installs it outside them \
                         (a PRE_BUILD_COMMAND, a startup step) runs again"
                    ),
                }
            }
            Message::RemoteDoesNotDeploy {
                remote,
                url,
                configured,
            } => {
                write!(f, "{remote} ({url}) does not deploy: ")?;
                if *configured {
                    f.write_str("envguard.toml's `remotes` does not list it")?;
                } else {
                    f.write_str(
                        "it is not named azure, has no App Service scm URL, and no envguard.toml lists it \
                         in `remotes`",
                    )?;
                }
                f.write_str(
                    "; envguard lets every push to it through unchecked. \
                     For a remote that deploys: `envguard status <remote>`",
                )
            }
            Message::UnknownRevision { rev } => write!(
                f,
                "`{rev}` names no commit in this repository; check the name (`git log --oneline --all`), \
                 or `git fetch` the commit first"
            ),
            Message::Deploys { path } => fmt_deploy_path(f, path),
            Message::ReplacesOryx { command } => write!(
                f,
                "note: a custom `command` replaces Oryx's build on Linux App Service: `{command}` now \
                 reuses the environment between deployments instead of Oryx's fresh build, and Oryx's own \
                 build features ({ORYX_FEATURES}) no longer run. To go back to Oryx, delete the `command` \
                 line from .deployment"
            ),
            Message::ReplacedCommand { theirs, command } => write!(
                f,
                ".deployment ran `{theirs}`; --force replaced it with `{command}` \
                 (carry over what your script did that envguard's does not)"
            ),
            Message::InitFile { path, done } => match done {
                Written::New => write!(f, "wrote {path}"),
                Written::Updated => write!(f, "updated {path}"),
                Written::UpToDate => write!(f, "{path} is up to date"),
            },
            Message::DeploymentRuns { command, changed } => {
                if *changed {
                    write!(f, ".deployment now runs `{command}`")
                } else {
                    write!(f, ".deployment already runs `{command}`")
                }
            }
            Message::InitUnchanged => {
                f.write_str("nothing changed: every file is already as `envguard init` writes it")
            }
            Message::KeepsEdited { name, stamped } => {
                if *stamped {
                    write!(f, "{name} is envguard's, edited since envguard wrote it: init keeps your edits")?;
                } else {
                    write!(
                        f,
                        "{name} is envguard's but has no digest line (an older envguard wrote it, \
                         or the line was edited out): init cannot tell whether you edited it, so it keeps it"
                    )?;
                }
                write!(
                    f,
                    ". To replace it with this version's, run `envguard init --force`; \
                     `git diff {name}` then shows what changed"
                )
            }
            Message::ForeignChecker { name } => write!(
                f,
                "{name} exists and is not envguard's leftovers check: rename it, \
                 or replace it with `envguard init --force`"
            ),
            Message::CommitThem { paths, script } => write!(
                f,
                "commit them: git add {} && git commit -m \"Deploy with envguard's {script}\"",
                paths.join(" ")
            ),
            Message::ConfigFrom {
                place,
                commit,
                has_config,
                has_deployment,
            } => {
                let files = match (has_config, has_deployment) {
                    (true, true) => "envguard.toml and .deployment",
                    (true, false) => "envguard.toml (no .deployment)",
                    (false, true) => ".deployment (no envguard.toml)",
                    (false, false) => "defaults (no envguard.toml, no .deployment)",
                };
                write!(
                    f,
                    "{place}: settings from {files} of the pushed commit {}",
                    commit.short()
                )
            }
            Message::BaselineFrom { place, source } => {
                write!(f, "{place}: compared with ")?;
                match source {
                    BaselineSource::RemoteCommit(commit) => {
                        write!(f, "the remote's commit {}", commit.short())
                    }
                    BaselineSource::OtherBranch { refname, commit } => write!(
                        f,
                        "{refname} at {} (the branch is new on the remote)",
                        commit.short()
                    ),
                    BaselineSource::Fingerprint => write!(
                        f,
                        "the pushed commit's {FINGERPRINT_PATH} (the branch is new on the remote)"
                    ),
                    BaselineSource::None => f.write_str("nothing: a first deployment"),
                }
            }
            Message::FilesCompared { place, paths } => {
                write!(f, "{place}: decided by the bytes of {}", paths.join(", "))
            }
        }
    }
}

impl std::error::Error for Message {}

/// What to do once the obstacle is gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    /// The hook: push again.
    Push,
    /// `envguard --reset`: run it again.
    Reset,
}

impl fmt::Display for Retry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Retry::Push => "push again",
            Retry::Reset => "run `envguard --reset` again",
        })
    }
}

/// What `init` did to a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    New,
    Updated,
    UpToDate,
}

/// What a custom `command` gives up of Oryx's build (Oryx `doc/configuration.md`).
const ORYX_FEATURES: &str =
    "pyproject.toml, Poetry, uv and setup.py projects, its pip cache and compressed output, \
     multi-platform builds such as a Node front end, CUSTOM_BUILD_COMMAND and its other build settings";

fn fmt_deploy_path(f: &mut fmt::Formatter<'_>, path: &DeployPath) -> fmt::Result {
    match path {
        DeployPath::Envguard(Platform::Linux) => f.write_str(
            ".deployment runs `bash deploy.sh`, envguard's script: it reuses the environment between \
             deployments and rebuilds it once for each new force-clean marker",
        ),
        DeployPath::Envguard(Platform::Windows) => f.write_str(
            ".deployment runs `deploy.cmd`, envguard's script for legacy Windows sites: it reuses the \
             environment between deployments and rebuilds it once for each new force-clean marker",
        ),
        DeployPath::Custom(command) => write!(
            f,
            ".deployment runs `{command}`, a deployment of your own: envguard's marker helps only if it \
             honours it"
        ),
        DeployPath::Oryx => write!(
            f,
            "no `command` in .deployment: on Linux App Service, Oryx builds the app into a fresh virtual \
             environment on every deployment (SCM_DO_BUILD_DURING_DEPLOYMENT true or unset), so a removed \
             package cannot survive there and envguard is not needed for correctness. \
             `envguard init --target linux` is an opt-in that trades Oryx's full rebuild for envguard's \
             incremental deploy (the environment is reused, and rebuilt only after a removal); it gives up \
             Oryx's own build features ({ORYX_FEATURES})"
        ),
        DeployPath::KuduWindows => f.write_str(
            "no `command` in .deployment of a Windows site: Kudu's stock Python script keeps the environment \
             between deployments and never honours the force-clean marker, so removed packages stay installed",
        ),
        DeployPath::NoBuild => f.write_str(
            ".deployment sets SCM_DO_BUILD_DURING_DEPLOYMENT to false: Kudu copies the files and runs no pip, \
             so the server builds no environment for envguard to clean",
        ),
    }
}

/// Removals as a clause: `requirements/base.txt removes python-dotenv;
/// requirements.txt drops the socks extra of requests`.
pub struct Removals<'a>(pub &'a [Removal]);

impl fmt::Display for Removals<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, removal) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            // Names and paths come from the requirements: quoted, like
            // everything from outside envguard.
            let quoted = |items: &[String]| items.iter().map(quote).collect::<Vec<_>>();
            let mut parts = Vec::new();
            if !removal.removed.is_empty() {
                parts.push(format!("removes {}", and_list(&quoted(&removal.removed))));
            }
            for (package, extras) in &removal.extras {
                let noun = if extras.len() == 1 { "extra" } else { "extras" };
                parts.push(format!(
                    "drops the {} {noun} of {}",
                    and_list(&quoted(extras)),
                    quote(package)
                ));
            }
            write!(f, "{} {}", quote(&removal.file), and_list(&parts))?;
        }
        Ok(())
    }
}

/// `it` for one removed thing, `them` for more.
fn them(removals: &[Removal]) -> &'static str {
    let count: usize = removals
        .iter()
        .map(|r| r.removed.len() + r.extras.len())
        .sum();
    if count == 1 {
        "it"
    } else {
        "them"
    }
}

/// `a`, `a and b`, `a, b and c`.
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// What a decision means for the push, in a sentence (the hook's line after
/// `remote branch: `, and `status`'s `Push:` line).
pub struct Outcome<'a>(pub &'a Decision, pub &'a str);

impl fmt::Display for Outcome<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Outcome(decision, requirements) = *self;
        match decision {
            Decision::FirstDeployment => f.write_str("first deployment: nothing to compare with"),
            Decision::NoRequirements => write!(
                f,
                "no {0} in this commit: the server skips pip, and its environment stays as it is \
                 (every package installed before stays installed); when {0} comes back, envguard \
                 compares it with the last deployed commit that had it",
                quote(requirements)
            ),
            Decision::Unchanged => f.write_str("requirements unchanged"),
            Decision::CleanScheduled(_) => f.write_str(
                "this push carries a new force-clean marker: the server deletes and rebuilds the environment once",
            ),
            Decision::RuntimeChanged { from, to, .. } => write!(
                f,
                "runtime changes from {} to {}: the server rebuilds the environment by itself",
                from.selector(),
                to.selector()
            ),
            Decision::NothingRemoved(_) => f.write_str("no packages removed"),
            Decision::Removed { policy, change } => {
                let removed = labels(&change.removed_labels());
                match policy {
                    OnRemoval::Warn => write!(
                        f,
                        "goes on with a warning: removes {removed} (on_removal = \"warn\")"
                    ),
                    OnRemoval::Block => write!(
                        f,
                        "stopped: removes {removed}; run `envguard --reset`, then push"
                    ),
                    OnRemoval::Commit => write!(
                        f,
                        "stopped: removes {removed}; envguard commits a force-clean marker, then you push again"
                    ),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::Change;
    use crate::names::{CanonicalName, PackageId};
    use crate::platform::Runtime;

    fn id(c: char) -> CommitId {
        CommitId::parse(&c.to_string().repeat(40)).unwrap()
    }

    fn removal(policy: OnRemoval) -> Decision {
        let name = |n: &str| PackageId::Name(CanonicalName::new(n));
        let change = Change {
            removed: vec![name("six")],
            extras_dropped: vec![(name("requests"), ["socks".to_string()].into())],
            ..Change::default()
        };
        Decision::Removed { policy, change }
    }

    fn decided(decision: Decision) -> String {
        Message::Decided {
            place: "azure main".into(),
            requirements: "requirements.txt".into(),
            decision,
        }
        .to_string()
    }

    // Each decision's sentence, pinned: the hook's line and `status`'s Push line.
    #[test]
    fn decisions_read_as_they_should() {
        let cases = [
            (Decision::FirstDeployment, "azure main: first deployment: nothing to compare with"),
            (
                Decision::NoRequirements,
                "azure main: no requirements.txt in this commit: the server skips pip, and its environment stays as it is \
                 (every package installed before stays installed); when requirements.txt comes back, envguard \
                 compares it with the last deployed commit that had it",
            ),
            (Decision::Unchanged, "azure main: requirements unchanged"),
            (
                Decision::CleanScheduled(Change::default()),
                "azure main: this push carries a new force-clean marker: the server deletes and rebuilds the \
                 environment once",
            ),
            (
                Decision::RuntimeChanged {
                    from: Runtime::new(3, 11, Some(4)),
                    to: Runtime::new(3, 12, None),
                    change: Change::default(),
                },
                "azure main: runtime changes from python-3.11 to python-3.12: the server rebuilds the environment by itself",
            ),
            (
                Decision::NothingRemoved(Change::default()),
                "azure main: no packages removed",
            ),
            (
                removal(OnRemoval::Commit),
                "azure main: stopped: removes six, requests[socks]; envguard commits a force-clean marker, then you push again",
            ),
            (
                removal(OnRemoval::Warn),
                "azure main: warning: requirements.txt removes six and drops the socks extra of requests; the \
                 server keeps them installed \
                 (on_removal = \"warn\"; run `envguard --reset` to clean the environment)",
            ),
            (
                removal(OnRemoval::Block),
                "azure main: push stopped: requirements.txt removes six and drops the socks extra of requests, \
                 which the server would keep installed.\n\
                 envguard: run `envguard --reset` to schedule a clean environment, then push again \
                 (or push anyway with `git push --no-verify`)",
            ),
        ];
        for (decision, want) in cases {
            assert_eq!(decided(decision), want);
        }
        assert_eq!(
            Outcome(&removal(OnRemoval::Block), "requirements.txt").to_string(),
            "stopped: removes six, requests[socks]; run `envguard --reset`, then push"
        );
        assert_eq!(
            Outcome(&removal(OnRemoval::Warn), "r.txt").to_string(),
            "goes on with a warning: removes six, requests[socks] (on_removal = \"warn\")"
        );
    }

    #[test]
    fn commit_ids_and_tokens_show_one_short_width() {
        let token = Token::parse(&"ab".repeat(32)).unwrap();
        let text = Message::MarkerCommitted {
            place: "azure main".into(),
            removals: vec![Removal {
                file: "requirements.txt".into(),
                removed: vec!["six".into()],
                extras: vec![],
            }],
            commit: id('c'),
            on: "main".into(),
            token: token.clone(),
            again: "git push azure main".into(),
        }
        .to_string();
        assert_eq!(
            text,
            "azure main: requirements.txt removes six, which pip would leave installed on the server.\n\
             envguard: committed cccccccccccc on main: .envguard/force-clean and .envguard/fingerprint.toml only \
             (token abababababab…), so the next deployment deletes and rebuilds the environment once.\n\
             envguard: this push was stopped so that the marker goes with it. Push again:\n\n    git push azure main\n"
        );
        let reset = Message::ResetCommitted {
            commit: id('d'),
            branch: "main".into(),
            token,
            push: "git push azure main".into(),
        };
        assert_eq!(
            reset.to_string(),
            "committed dddddddddddd on main: a new force-clean marker (token abababababab…).\n\
             envguard: the next `git push azure main` deletes and rebuilds the environment once."
        );
        let fetch = Message::FetchFirst {
            remote: "azure".into(),
            branch: "main".into(),
            commit: id('e'),
        };
        assert_eq!(
            fetch.to_string(),
            "azure has main at eeeeeeeeeeee, a commit this repository does not have; \
             run `git fetch azure` and look at what was deployed before pushing over it"
        );
        let moved = Message::RefMoved {
            refname: "refs/heads/main".into(),
            pushed: id('f'),
        };
        assert_eq!(
            moved.to_string(),
            "refs/heads/main no longer points at the pushed commit ffffffffffff; check `git log` and push again"
        );
    }

    #[test]
    fn refusals_say_what_to_do() {
        let cases = [
            (
                Message::NotABranch {
                    removals: vec![Removal {
                        file: "requirements.txt".into(),
                        removed: vec!["six".into(), "attrs".into()],
                        extras: vec![],
                    }],
                    local_ref: b"HEAD~1".to_vec(),
                },
                "requirements.txt removes six and attrs, but this push names `HEAD~1`, not a branch, so envguard \
                 cannot commit a force-clean marker on it; push a branch, or run `envguard --reset` on one",
            ),
            (
                Message::EnvguardFileEdited {
                    what: ".envguard/force-clean has staged changes".into(),
                    path: crate::token::MARKER_PATH,
                    retry: Retry::Push,
                },
                ".envguard/force-clean has staged changes; envguard would overwrite it. Commit or discard that \
                 change (`git restore --staged --worktree .envguard/force-clean`), then push again",
            ),
            (
                Message::MalformedInput {
                    number: 2,
                    text: b"x\ty\x1b[2J\xff".to_vec(),
                },
                "line 2 of git's input is not `<local-ref> <oid> <remote-ref> <oid>`: \"x\\ty\\x1b[2J\\xff\"",
            ),
            (
                Message::InTheWay(InTheWay {
                    path: crate::token::ENVGUARD_DIR,
                    found: crate::token::Entry::Symlink,
                    place: Place::Commit,
                }),
                ".envguard is a symbolic link in the pushed commit; envguard keeps its marker as two \
                 regular files in a folder .envguard/ and never writes over or through anything else. \
                 Move it out of the way (`git mv -- .envguard <another name>`, or `git rm -r -- .envguard`: \
                 for a link that removes the link, not what it points to) and commit, then push again",
            ),
            (
                Message::InTheWay(InTheWay {
                    path: MARKER_PATH,
                    found: crate::token::Entry::Directory,
                    place: Place::WorkTree,
                }),
                ".envguard/force-clean is a directory in the working tree; envguard keeps its marker as \
                 two regular files in a folder .envguard/ and never writes over or through anything else. \
                 It is not committed: move it out of the way (`mv -- .envguard/force-clean <another name>`), \
                 then push again",
            ),
            (
                Message::OperationInProgress(Operation::Rebase),
                "a `git rebase` is in progress here; envguard does not move a branch under it (git could \
                 not finish it after that). Finish it (`git rebase --continue`) or abort it \
                 (`git rebase --abort`), then try again",
            ),
            (
                Message::OperationInProgress(Operation::Bisect),
                "a `git bisect` is in progress here; envguard does not move a branch under it (git could \
                 not finish it after that). End it (`git bisect reset`), then try again",
            ),
            (
                Message::NothingChanged {
                    why: "cannot write .git/index.lock: File too large (os error 27)".into(),
                    refname: "refs/heads/main".into(),
                    parent: CommitId::parse(&"ab".repeat(20)).unwrap(),
                },
                "cannot write .git/index.lock: File too large (os error 27); nothing was changed: \
                 refs/heads/main still points at abababababab, and the index and your files are as they \
                 were (the marker commit written meanwhile is referenced by nothing). Fix that, then push \
                 again",
            ),
            (
                Message::ForeignScript { name: "deploy.sh" },
                "deploy.sh exists and is not envguard's; keep it and add the marker steps by hand \
                 (see \"Server-side setup on Azure\" in envguard's README: read .envguard/force-clean, \
                 delete the environment when its token differs from <env>/.envguard-token, write the \
                 token after pip succeeds), or replace it with `envguard init --force`",
            ),
            (
                Message::ForeignCommand {
                    theirs: "bash scripts/mine.sh".into(),
                    ours: "bash deploy.sh",
                },
                ".deployment runs `bash scripts/mine.sh`, not envguard's script; change it to \
                 `command = bash deploy.sh` (after adding the marker steps to your script), or run \
                 `envguard init --force`",
            ),
            (
                Message::MarkerCoversThisBranch {
                    place: "azure master".into(),
                },
                "azure master: the marker committed above covers this branch too",
            ),
        ];
        for (message, want) in cases {
            assert_eq!(message.to_string(), want);
        }
    }

    fn removal_in(file: &str, removed: &[&str], extras: &[(&str, &[&str])]) -> Removal {
        Removal {
            file: file.into(),
            removed: removed.iter().map(|s| s.to_string()).collect(),
            extras: extras
                .iter()
                .map(|(p, e)| (p.to_string(), e.iter().map(|s| s.to_string()).collect()))
                .collect(),
        }
    }

    // Issue 16: a removal is named with its file, a dropped extra reads as
    // one, singular and plural agree.
    #[test]
    fn removals_name_their_file_and_agree_in_number() {
        let cases = [
            (
                vec![removal_in("requirements/base.txt", &["python-dotenv"], &[])],
                "requirements/base.txt removes python-dotenv",
            ),
            (
                vec![removal_in("requirements.txt", &[], &[("requests", &["socks"])])],
                "requirements.txt drops the socks extra of requests",
            ),
            (
                vec![removal_in(
                    "requirements.txt",
                    &["a", "b", "c"],
                    &[("requests", &["security", "socks"])],
                )],
                "requirements.txt removes a, b and c and drops the security and socks extras of requests",
            ),
            (
                vec![
                    removal_in("requirements.txt", &["six"], &[]),
                    removal_in("requirements/base.txt", &["python-dotenv"], &[]),
                ],
                "requirements.txt removes six; requirements/base.txt removes python-dotenv",
            ),
        ];
        for (removals, want) in cases {
            assert_eq!(Removals(&removals).to_string(), want);
        }
        let warn = |removed: &[&str]| {
            let name = |n: &str| PackageId::Name(CanonicalName::new(n));
            let change = Change {
                removed: removed.iter().map(|n| name(n)).collect(),
                ..Change::default()
            };
            decided(Decision::Removed {
                policy: OnRemoval::Warn,
                change,
            })
        };
        assert!(warn(&["six"]).contains("the server keeps it installed"));
        assert!(warn(&["six", "attrs"]).contains("the server keeps them installed"));
    }

    // Issue 16: the refusals for a missing identity and a local edit.
    #[test]
    fn identity_and_edit_refusals_say_what_to_retry() {
        let hook = Message::NoIdentity {
            missing: "user.email".into(),
            removals: vec![removal_in("requirements.txt", &["six"], &[])],
            retry: Retry::Push,
        };
        assert_eq!(
            hook.to_string(),
            "requirements.txt removes six, which pip would leave installed on the server, but git has no \
             user.email to write the marker commit with; set them with `git config --global user.name \
             \"Your Name\"` and `git config --global user.email you@example.com`, then push again"
        );
        let reset = Message::NoIdentity {
            missing: "user.name and user.email".into(),
            removals: vec![],
            retry: Retry::Reset,
        };
        assert_eq!(
            reset.to_string(),
            "git has no user.name and user.email to write the marker commit with; set them with \
             `git config --global user.name \"Your Name\"` and `git config --global user.email \
             you@example.com`, then run `envguard --reset` again"
        );
        let edited = Message::EnvguardFileEdited {
            what: ".envguard/force-clean has unstaged changes".into(),
            path: crate::token::MARKER_PATH,
            retry: Retry::Reset,
        }
        .to_string();
        assert_eq!(
            edited,
            ".envguard/force-clean has unstaged changes; envguard would overwrite it. Commit or discard that \
             change (`git restore --staged --worktree .envguard/force-clean`), then run `envguard --reset` again"
        );
        assert!(!edited.contains("push again"));
    }

    // Issue 11: how the site builds, in plain words.
    #[test]
    fn deploy_paths_read_plainly() {
        let oryx = Message::Deploys {
            path: DeployPath::Oryx,
        }
        .to_string();
        assert_eq!(
            oryx,
            format!(
                "no `command` in .deployment: on Linux App Service, Oryx builds the app into a fresh virtual \
                 environment on every deployment (SCM_DO_BUILD_DURING_DEPLOYMENT true or unset), so a removed \
                 package cannot survive there and envguard is not needed for correctness. \
                 `envguard init --target linux` is an opt-in that trades Oryx's full rebuild for envguard's \
                 incremental deploy (the environment is reused, and rebuilt only after a removal); it gives up \
                 Oryx's own build features ({ORYX_FEATURES})"
            )
        );
        let cases = [
            (
                DeployPath::Envguard(Platform::Linux),
                ".deployment runs `bash deploy.sh`, envguard's script: it reuses the environment between \
                 deployments and rebuilds it once for each new force-clean marker",
            ),
            (
                DeployPath::Envguard(Platform::Windows),
                ".deployment runs `deploy.cmd`, envguard's script for legacy Windows sites: it reuses the \
                 environment between deployments and rebuilds it once for each new force-clean marker",
            ),
            (
                DeployPath::Custom("bash scripts/mydeploy.sh".into()),
                ".deployment runs `bash scripts/mydeploy.sh`, a deployment of your own: envguard's marker \
                 helps only if it honours it",
            ),
            (
                DeployPath::KuduWindows,
                "no `command` in .deployment of a Windows site: Kudu's stock Python script keeps the \
                 environment between deployments and never honours the force-clean marker, so removed \
                 packages stay installed",
            ),
            (
                DeployPath::NoBuild,
                ".deployment sets SCM_DO_BUILD_DURING_DEPLOYMENT to false: Kudu copies the files and runs \
                 no pip, so the server builds no environment for envguard to clean",
            ),
        ];
        for (path, want) in cases {
            assert_eq!(Message::Deploys { path }.to_string(), want);
        }
        assert_eq!(
            Message::ReplacesOryx {
                command: "bash deploy.sh".into()
            }
            .to_string(),
            format!(
                "note: a custom `command` replaces Oryx's build on Linux App Service: `bash deploy.sh` now \
                 reuses the environment between deployments instead of Oryx's fresh build, and Oryx's own \
                 build features ({ORYX_FEATURES}) no longer run. To go back to Oryx, delete the `command` \
                 line from .deployment"
            )
        );
    }

    // Issue 16: init, status and revisions.
    #[test]
    fn init_status_and_revision_messages() {
        let cases = [
            (
                Message::InitFile {
                    path: "deploy.sh".into(),
                    done: Written::New,
                },
                "wrote deploy.sh",
            ),
            (
                Message::InitFile {
                    path: "envguard_check.py".into(),
                    done: Written::Updated,
                },
                "updated envguard_check.py",
            ),
            (
                Message::InitFile {
                    path: "deploy.cmd".into(),
                    done: Written::UpToDate,
                },
                "deploy.cmd is up to date",
            ),
            (
                Message::KeepsEdited {
                    name: "deploy.sh",
                    stamped: true,
                },
                "deploy.sh is envguard's, edited since envguard wrote it: init keeps your edits. \
                 To replace it with this version's, run `envguard init --force`; `git diff deploy.sh` \
                 then shows what changed",
            ),
            (
                Message::KeepsEdited {
                    name: "envguard_check.py",
                    stamped: false,
                },
                "envguard_check.py is envguard's but has no digest line (an older envguard wrote it, \
                 or the line was edited out): init cannot tell whether you edited it, so it keeps it. \
                 To replace it with this version's, run `envguard init --force`; \
                 `git diff envguard_check.py` then shows what changed",
            ),
            (
                Message::ForeignChecker {
                    name: "envguard_check.py",
                },
                "envguard_check.py exists and is not envguard's leftovers check: rename it, or replace \
                 it with `envguard init --force`",
            ),
            (
                Message::DeploymentRuns {
                    command: "bash deploy.sh".into(),
                    changed: true,
                },
                ".deployment now runs `bash deploy.sh`",
            ),
            (
                Message::DeploymentRuns {
                    command: "deploy.cmd".into(),
                    changed: false,
                },
                ".deployment already runs `deploy.cmd`",
            ),
            (
                Message::InitUnchanged,
                "nothing changed: every file is already as `envguard init` writes it",
            ),
            (
                Message::CommitThem {
                    paths: vec!["deploy.sh".into(), ".deployment".into()],
                    script: "deploy.sh".into(),
                },
                "commit them: git add deploy.sh .deployment && git commit -m \"Deploy with envguard's deploy.sh\"",
            ),
            (
                Message::RemoteDoesNotDeploy {
                    remote: "origin".into(),
                    url: "git@example.invalid:me/app.git".into(),
                    configured: false,
                },
                "origin (git@example.invalid:me/app.git) does not deploy: it is not named azure, has no App \
                 Service scm URL, and no envguard.toml lists it in `remotes`; envguard lets every push to it \
                 through unchecked. For a remote that deploys: `envguard status <remote>`",
            ),
            (
                Message::RemoteDoesNotDeploy {
                    remote: "azure".into(),
                    url: "/srv/site.git".into(),
                    configured: true,
                },
                "azure (/srv/site.git) does not deploy: envguard.toml's `remotes` does not list it; envguard \
                 lets every push to it through unchecked. For a remote that deploys: `envguard status <remote>`",
            ),
            (
                Message::UnknownRevision { rev: "v9".into() },
                "`v9` names no commit in this repository; check the name (`git log --oneline --all`), or \
                 `git fetch` the commit first",
            ),
            (
                Message::KeptPackagesRemoved {
                    names: vec!["gunicorn".into()],
                    policy: OnRemoval::Warn,
                },
                "note: envguard.toml's `keep` lists gunicorn: the server's leftovers check never counts what \
                 it lists, so it stays installed there",
            ),
            (
                Message::KeptPackagesRemoved {
                    names: vec!["gunicorn".into()],
                    policy: OnRemoval::Commit,
                },
                "note: envguard.toml's `keep` lists gunicorn: the server's leftovers check never counts what \
                 it lists, but a clean rebuilds the environment from the requirements alone, so afterwards the \
                 server has gunicorn only if what installs it outside them (a PRE_BUILD_COMMAND, a startup \
                 step) runs again",
            ),
        ];
        for (message, want) in cases {
            assert_eq!(message.to_string(), want);
        }
    }

    // Issue 16: `-v` says where each decision came from.
    #[test]
    fn verbose_lines_name_their_sources() {
        let cases = [
            (
                Message::ConfigFrom {
                    place: "azure main".into(),
                    commit: id('a'),
                    has_config: true,
                    has_deployment: false,
                },
                "azure main: settings from envguard.toml (no .deployment) of the pushed commit aaaaaaaaaaaa",
            ),
            (
                Message::BaselineFrom {
                    place: "azure main".into(),
                    source: BaselineSource::OtherBranch {
                        refname: "refs/remotes/azure/master".into(),
                        commit: id('b'),
                    },
                },
                "azure main: compared with refs/remotes/azure/master at bbbbbbbbbbbb (the branch is new on the remote)",
            ),
            (
                Message::BaselineFrom {
                    place: "azure main".into(),
                    source: BaselineSource::None,
                },
                "azure main: compared with nothing: a first deployment",
            ),
            (
                Message::FilesCompared {
                    place: "azure main".into(),
                    paths: vec!["requirements.txt".into(), "runtime.txt".into()],
                },
                "azure main: decided by the bytes of requirements.txt, runtime.txt",
            ),
        ];
        for (message, want) in cases {
            assert_eq!(message.to_string(), want);
        }
    }
}
