//! Every sentence the hook and the commands around it say to the user, as
//! one enum rendered in one place (git-absorb's `Announcement` is the
//! model): wording lives here and tests pin it. The shell prints a message
//! as `envguard: {message}`.

use std::fmt;

use crate::config::OnRemoval;
use crate::decide::Decision;
use crate::deployment::DEPLOYMENT_PATH;
use crate::ids::CommitId;
use crate::requirements::Warning;
use crate::token::{Token, ENV_TOKEN_FILE, FINGERPRINT_PATH, MARKER_PATH};

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
        requirements: String,
        removed: Vec<String>,
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
    MalformedInput { number: usize, text: String },
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
        requirements: String,
        removed: Vec<String>,
        local_ref: String,
    },
    /// The pushed branch moved between git's resolving it and the hook.
    RefMoved { refname: String, pushed: CommitId },
    /// git has no identity to commit with.
    NoIdentity { missing: String },
    /// The branch is checked out in another worktree.
    CheckedOutElsewhere { refname: String, worktree: String },
    /// The user's own edit of an envguard file is in the way.
    EnvguardFileEdited { what: String, path: &'static str },
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
                } => write!(
                    f,
                    "{place}: warning: {requirements} removes {}; the server keeps them installed \
                     (on_removal = \"warn\"; run `envguard --reset` to clean the environment)",
                    change.removed_labels().join(", ")
                ),
                Decision::Removed {
                    policy: OnRemoval::Block,
                    change,
                } => write!(
                    f,
                    "{place}: push stopped: {requirements} removes {}, which the server would keep installed.\n\
                     envguard: run `envguard --reset` to schedule a clean environment, then push again \
                     (or push anyway with `git push --no-verify`)",
                    change.removed_labels().join(", ")
                ),
                _ => write!(f, "{place}: {}", Outcome(decision, requirements)),
            },
            Message::MarkerCommitted {
                place,
                requirements,
                removed,
                commit,
                on,
                token,
                again,
            } => write!(
                f,
                "{place}: {requirements} removes {}, which pip would leave installed on the server.\n\
                 envguard: committed {} on {on}: {MARKER_PATH} and {FINGERPRINT_PATH} only \
                 (token {}…), so the next deployment deletes and rebuilds the environment once.\n\
                 envguard: this push was stopped so that the marker goes with it. Push again:\n\n    {again}\n",
                removed.join(", "),
                commit.short(),
                token.short()
            ),
            Message::MarkerCoversThisBranch { place } => {
                write!(f, "{place}: the marker committed above covers this branch too")
            }
            Message::RequirementsWarning(warning) => write!(f, "warning: {warning}"),
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
                "line {number} of git's input is not `<local-ref> <oid> <remote-ref> <oid>`: {text:?}"
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
            Message::NotABranch {
                requirements,
                removed,
                local_ref,
            } => write!(
                f,
                "{requirements} removes {}, but this push names `{local_ref}`, not a branch, so envguard cannot commit \
                 a force-clean marker on it; push a branch, or run `envguard --reset` on one",
                removed.join(", ")
            ),
            Message::RefMoved { refname, pushed } => write!(
                f,
                "{refname} no longer points at the pushed commit {}; check `git log` and push again",
                pushed.short()
            ),
            Message::NoIdentity { missing } => write!(
                f,
                "git has no {missing} to write the marker commit with; set them with \
                 `git config --global user.name \"Your Name\"` and `git config --global user.email you@example.com`"
            ),
            Message::CheckedOutElsewhere { refname, worktree } => write!(
                f,
                "{refname} is checked out in the worktree {worktree}; run this there, so that its index and files follow the marker commit"
            ),
            Message::EnvguardFileEdited { what, path } => write!(
                f,
                "{what}; envguard would overwrite it. Commit or discard that change \
                 (`git restore --staged --worktree {path}`), then push again"
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
        }
    }
}

impl std::error::Error for Message {}

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
                "no {requirements} in this commit: the server skips pip, and its environment stays as it is \
                 (every package installed before stays installed); when {requirements} comes back, envguard \
                 compares it with the last deployed commit that had it"
            ),
            Decision::Unchanged => f.write_str("requirements unchanged"),
            Decision::CleanScheduled(_) => f.write_str(
                "this push carries a new force-clean marker: the environment will be rebuilt",
            ),
            Decision::RuntimeChanged { from, to, .. } => write!(
                f,
                "runtime changes from {} to {}: the server rebuilds the environment by itself",
                from.selector(),
                to.selector()
            ),
            Decision::NothingRemoved(_) => f.write_str("no packages removed"),
            Decision::Removed { policy, change } => {
                let removed = change.removed_labels().join(", ");
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
                "azure main: this push carries a new force-clean marker: the environment will be rebuilt",
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
                "azure main: warning: requirements.txt removes six, requests[socks]; the server keeps them installed \
                 (on_removal = \"warn\"; run `envguard --reset` to clean the environment)",
            ),
            (
                removal(OnRemoval::Block),
                "azure main: push stopped: requirements.txt removes six, requests[socks], which the server would keep installed.\n\
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
            requirements: "requirements.txt".into(),
            removed: vec!["six".into()],
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
                    requirements: "requirements.txt".into(),
                    removed: vec!["six".into(), "attrs".into()],
                    local_ref: "HEAD~1".into(),
                },
                "requirements.txt removes six, attrs, but this push names `HEAD~1`, not a branch, so envguard \
                 cannot commit a force-clean marker on it; push a branch, or run `envguard --reset` on one",
            ),
            (
                Message::EnvguardFileEdited {
                    what: ".envguard/force-clean has staged changes".into(),
                    path: crate::token::MARKER_PATH,
                },
                ".envguard/force-clean has staged changes; envguard would overwrite it. Commit or discard that \
                 change (`git restore --staged --worktree .envguard/force-clean`), then push again",
            ),
            (
                Message::MalformedInput {
                    number: 2,
                    text: "x\ty".into(),
                },
                "line 2 of git's input is not `<local-ref> <oid> <remote-ref> <oid>`: \"x\\ty\"",
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
}
