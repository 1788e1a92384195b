//! Every sentence envguard says to the user, as enums rendered in one place
//! (git-absorb's `Announcement` is the model): wording lives here and tests
//! pin it. [`Message`] is what the hook and the commands around it say; the
//! shell prints one as `envguard: {message}`. Its pieces live beside it:
//! [`hook`] (removals, outcomes, what to retry), [`commands`] (how a site
//! builds, what `init` wrote), [`doctor`] (`envguard doctor`'s findings and
//! verdict), [`install`] (what `install` and `uninstall` did or refuse).

use std::fmt;

pub mod commands;
pub mod doctor;
pub mod hook;
pub mod install;

pub use commands::Written;
use commands::{fmt_deploy_path, ORYX_FEATURES};
use hook::them;
pub use hook::{and_list, Operation, Outcome, Removals, Retry};

use crate::config::OnRemoval;
use crate::decide::{BaselineSource, Decision, Removal};
use crate::deployment::{DeployPath, DEPLOYMENT_PATH};
use crate::fingerprint::FingerprintError;
use crate::ids::CommitId;
use crate::platform::Runtime;
use crate::requirements::Warning;
use crate::text::quote;
use crate::token::{
    Converted, InTheWay, Place, Token, ENVGUARD_DIR, ENV_TOKEN_FILE, FINGERPRINT_PATH, MARKER_PATH,
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
    /// A push that removes packages also changes the runtime, which does
    /// not excuse the removal.
    RuntimeDoesNotExcuse {
        place: String,
        from: Runtime,
        to: Runtime,
    },
    /// A line of requirements envguard could not read.
    RequirementsWarning(Warning),
    /// The deployed requirements cannot be read now.
    UnreadableBaseline { why: String },
    /// The pushed commit's fingerprint, the baseline of a branch new on
    /// the remote, cannot be read.
    BadFingerprint {
        place: String,
        error: FingerprintError,
    },
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
    /// A push sends an object that is not a commit (an annotated tag) to a
    /// branch.
    NotACommit {
        local_ref: Vec<u8>,
        object: CommitId,
        kind: &'static str,
        /// The commit a tag tags.
        tagged: Option<CommitId>,
        remote_ref: String,
        /// The push of the tagged commit instead.
        again: Option<String>,
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
    /// The branch moved while envguard worked on it: between git's
    /// resolving it and the hook, or between the hook's checks and its
    /// marker commit (another push running at the same time).
    RefMoved {
        refname: String,
        /// Where envguard found it (the pushed commit, or HEAD's).
        was: CommitId,
        /// Where it is now; `None` when it no longer exists.
        now: Option<CommitId>,
        retry: Retry,
    },
    /// git has no identity to commit with; `removals`: what the push
    /// that needed the marker removes (none for `--reset`).
    NoIdentity {
        missing: String,
        removals: Vec<Removal>,
        retry: Retry,
    },
    /// The branch is checked out in another worktree.
    CheckedOutElsewhere { refname: String, worktree: String },
    /// A git attribute makes a checkout write an envguard file as other
    /// bytes than envguard commits. `pushed`: the place of a push that
    /// carries such a marker already; `None` for a marker about to be
    /// committed.
    EnvguardFileConverted {
        converted: Converted,
        pushed: Option<String>,
        retry: Retry,
    },
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
    /// `init` finds a symbolic link where it would write.
    InitRefusesLink { name: String },
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
    /// `status` with a refspec that deletes the remote branch.
    StatusOfDeletion { refspec: String },
    /// `status` with a source that is not a local branch, and no destination.
    StatusNeedsDestination { src: String },
    /// `status` for a branch that does not deploy.
    BranchDoesNotDeploy {
        branch: String,
        branches: Vec<String>,
    },
    /// `status`'s Baseline line: what a push of `branch` to `remote` is
    /// compared with.
    StatusBaseline {
        remote: String,
        branch: String,
        source: BaselineSource,
    },
    /// `init` in a repository without a working tree.
    InitWithoutWorkTree,
    /// `envguard` with no command.
    NoCommand,
    /// `demo --keep` with a folder that has files in it.
    DemoKeepNotEmpty { dir: String },
    /// `demo`'s python3 cannot make a virtual environment.
    DemoNoVenv,
    /// `demo` finds no python3.
    DemoNeedsPython,
    /// `demo` finds no git.
    DemoNeedsGit,
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
            Message::RuntimeDoesNotExcuse { place, from, to } => write!(
                f,
                "{place}: runtime.txt also changes from {} to {}, which does not excuse the \
                 removal: a Linux App Service site runs the Python of its own setting \
                 (FRAMEWORK_VERSION), not runtime.txt's, and keeps its environment while that stays",
                from.selector(),
                to.selector()
            ),
            Message::RequirementsWarning(warning) => {
                write!(f, "warning: {}", quote(warning.to_string()))
            }
            Message::UnreadableBaseline { why } => write!(
                f,
                "warning: cannot read the deployed requirements ({why}); treating this as a first deployment"
            ),
            Message::BadFingerprint { place, error } => {
                write!(
                    f,
                    "{place}: the branch is new there, so the pushed commit's {FINGERPRINT_PATH} \
                     stands for what the site last installed, but it {error}; envguard cannot tell \
                     what this push removes. "
                )?;
                match error {
                    FingerprintError::NewerSchema(_) => f.write_str(
                        "Update envguard to the version your team uses, then push again",
                    ),
                    FingerprintError::Unreadable(_) => write!(
                        f,
                        "Restore it from the commit that wrote it (`git log -- {FINGERPRINT_PATH}`), \
                         or run `envguard --reset` to commit a fresh marker and fingerprint (the next \
                         deployment then rebuilds the environment), then push again"
                    ),
                }
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
                "{runner} ran `envguard pre-push` with no push to check (no ref lines on stdin, no \
                 PRE_COMMIT_* push variables), as `pre-commit run --hook-stage pre-push` typed by hand \
                 does: nothing was pushed and nothing was checked, and envguard fails rather than pass \
                 what it cannot see. It checks pushes when `git push` runs it (for pre-commit: \
                 `pre-commit install --hook-type pre-push`, then push), or with git's arguments and ref \
                 lines passed on (`envguard pre-push \"$@\"`; lefthook: `use_stdin: true`); \
                 `envguard status` shows what the next push would do"
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
            Message::NotACommit {
                local_ref,
                object,
                kind,
                tagged,
                remote_ref,
                again,
            } => {
                write!(
                    f,
                    "`{}` names {kind} ({}), not a commit",
                    quote(local_ref),
                    object.short()
                )?;
                if let Some(commit) = tagged {
                    write!(f, " (it tags commit {})", commit.short())?;
                }
                write!(
                    f,
                    ": a branch holds commits only, so git on the remote refuses to write it to \
                     {remote_ref}, and nothing would deploy"
                )?;
                match again {
                    Some(again) => write!(f, ". Push the commit it tags:\n\n    {again}\n"),
                    None => f.write_str(". Push a commit to the branch"),
                }
            }
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
            Message::RefMoved {
                refname,
                was,
                now,
                retry,
            } => {
                let now = match now {
                    Some(now) => format!("now points at {}", now.short()),
                    None => "no longer exists".to_string(),
                };
                write!(
                    f,
                    "{refname} moved while envguard was working on it: it pointed at {}, and {now} \
                     (a commit made meanwhile, or another push running at the same time whose envguard \
                     committed a marker there). This run changed nothing. Look at `git log` (a marker \
                     commit reads \"envguard: force a clean environment…\"), then {retry}",
                    was.short()
                )
            }
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
            Message::EnvguardFileConverted {
                converted: Converted { path, attribute },
                pushed,
                retry,
            } => {
                let (lead, source, also) = match pushed {
                    Some(place) => (
                        format!("{place}: this push carries a new force-clean marker, but "),
                        "the pushed commit's .gitattributes",
                        "",
                    ),
                    None => (
                        String::new(),
                        "the pushed commit's .gitattributes (or this clone's .git/info/attributes)",
                        " (and `git status` here would fail on it); the marker commit holds \
                         envguard's two files only, so it cannot change that",
                    ),
                };
                write!(
                    f,
                    "{lead}{path} gets `{attribute}` from {source}: a checkout writes it as other bytes \
                     than envguard commits, so the server's deployment script would not read its token \
                     and would not rebuild the environment{also}. End .gitattributes with the line \
                     `/{ENVGUARD_DIR}/** -working-tree-encoding -filter` (or drop the rule; one in \
                     {ENVGUARD_DIR}/.gitattributes wins over the root's), commit it, then {retry}"
                )
            }
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
            Message::InitRefusesLink { name } => write!(
                f,
                "{name} is a symbolic link; envguard init never writes through or over one. \
                 Replace it with the file itself, then run `envguard init` again"
            ),
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
            Message::StatusOfDeletion { refspec } => write!(
                f,
                "`{refspec}` deletes the remote branch: a deletion never deploys, envguard lets it through"
            ),
            Message::StatusNeedsDestination { src } => write!(
                f,
                "`{src}` is not a local branch, so the push needs a destination: \
                 `envguard status <remote> {src}:<branch>`"
            ),
            Message::BranchDoesNotDeploy { branch, branches } => write!(
                f,
                "{branch} does not deploy (deploying branches: {}): a push to it is not checked",
                branches.join(", ")
            ),
            Message::StatusBaseline {
                remote,
                branch,
                source,
            } => match source {
                BaselineSource::RemoteCommit(commit) => {
                    write!(f, "{remote}/{branch} at {}", commit.short())
                }
                BaselineSource::OtherBranch { refname, commit } => write!(
                    f,
                    "{} at {} ({branch} is new on {remote})",
                    refname.trim_start_matches("refs/remotes/"),
                    commit.short()
                ),
                BaselineSource::Fingerprint => {
                    write!(f, "the fingerprint in {FINGERPRINT_PATH}")
                }
                BaselineSource::None => f.write_str("none: this would be the first deployment"),
            },
            Message::InitWithoutWorkTree => f.write_str(
                "this repository has no working tree; run `envguard init` in the app's checkout",
            ),
            Message::NoCommand => f.write_str("no command given; see `envguard --help`"),
            Message::DemoKeepNotEmpty { dir } => {
                write!(f, "{dir} is not empty; give --keep a new or empty folder")
            }
            Message::DemoNoVenv => f.write_str(
                "python3 has no working venv module; install it (Debian/Ubuntu: `apt-get install python3-venv`) and run the demo again",
            ),
            Message::DemoNeedsPython => f.write_str(
                "the demo needs python3 with venv; install it (Debian/Ubuntu: `apt-get install python3 python3-venv`)",
            ),
            Message::DemoNeedsGit => f.write_str(
                "the demo needs git; install it (Debian/Ubuntu: `apt-get install git`)",
            ),
        }
    }
}

impl std::error::Error for Message {}

#[cfg(test)]
mod tests;
