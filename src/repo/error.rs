//! What the repository cannot give or do for envguard, each error naming
//! what it was reading or writing and saying what to do: a git failure
//! ([`GitError`]), what a repository lacks ([`Error`]), and why the marker
//! commit's writes stopped ([`WriteError`], with the caller's [`Retry`]).

use std::fmt;

use envguard_core::ids::CommitId;
use envguard_core::token::{FINGERPRINT_PATH, MARKER_PATH};

/// A git failure other than "not found", with what envguard was doing.
#[derive(Debug)]
pub struct GitError {
    /// What was being read: `commit 1a2b…`, `refs/remotes/azure/main`.
    pub what: String,
    pub source: git2::Error,
}

impl fmt::Display for GitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "git cannot read {}: {} (check the repository with `git fsck`)",
            self.what,
            self.source.message()
        )
    }
}

impl std::error::Error for GitError {}

/// What the repository cannot give envguard, and what to do about it.
#[derive(Debug)]
pub enum Error {
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
    /// A revision that names no commit.
    UnknownRevision { rev: String },
    /// A SHA-256 repository, which git2 cannot open.
    Sha256,
    /// A sparse index, which envguard cannot write.
    SparseIndex,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::MissingObject {
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
            Error::UnknownRevision { rev } => write!(
                f,
                "`{rev}` names no commit in this repository; check the name (`git log --oneline --all`), \
                 or `git fetch` the commit first"
            ),
            Error::Sha256 => f.write_str(
                "this repository uses SHA-256 object ids, which envguard cannot read yet (its git library \
                 opens SHA-1 repositories only)",
            ),
            Error::SparseIndex => f.write_str(
                "this sparse checkout uses a sparse index, which envguard cannot write; keep the sparse \
                 checkout but turn the sparse index off (`git sparse-checkout reapply --no-sparse-index`), \
                 then push again",
            ),
        }
    }
}

impl std::error::Error for Error {}

/// What to do once the obstacle is gone: the caller's next step, which a
/// refusal ends with.
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

/// Why the marker commit's writes stopped, and where things stand.
#[derive(Debug)]
pub enum WriteError {
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
    /// The user's own edit of an envguard file is in the way.
    EnvguardFileEdited {
        what: String,
        path: &'static str,
        retry: Retry,
    },
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
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::RefMoved {
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
            WriteError::EnvguardFileEdited { what, path, retry } => write!(
                f,
                "{what}; envguard would overwrite it. Commit or discard that change \
                 (`git restore --staged --worktree {path}`), then {retry}"
            ),
            WriteError::IndexLocked { lock } => write!(
                f,
                "{lock} exists: another git process is running in this repository, or one was killed and \
                 left its lock behind; nothing was changed. If no git (and no envguard) is running, remove \
                 it; then, if `git status` shows {MARKER_PATH} or {FINGERPRINT_PATH} changed, run \
                 `git restore --staged --worktree -- {MARKER_PATH} {FINGERPRINT_PATH}`; then push again"
            ),
            WriteError::NothingChanged {
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
            WriteError::HalfDone { why, state, fix } => write!(
                f,
                "{why}, and envguard could not undo what it had done: {state}. To finish by hand: {fix}"
            ),
        }
    }
}

impl std::error::Error for WriteError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(c: char) -> CommitId {
        CommitId::parse(&c.to_string().repeat(40)).unwrap()
    }

    #[test]
    fn a_revision_that_names_nothing_says_how_to_find_it() {
        assert_eq!(
            Error::UnknownRevision { rev: "v9".into() }.to_string(),
            "`v9` names no commit in this repository; check the name (`git log --oneline --all`), or \
             `git fetch` the commit first"
        );
    }

    #[test]
    fn refusals_say_where_things_stand_and_what_to_retry() {
        let moved = WriteError::RefMoved {
            refname: "refs/heads/main".into(),
            was: id('f'),
            now: Some(id('a')),
            retry: Retry::Push,
        };
        assert_eq!(
            moved.to_string(),
            "refs/heads/main moved while envguard was working on it: it pointed at ffffffffffff, and now \
             points at aaaaaaaaaaaa (a commit made meanwhile, or another push running at the same time whose \
             envguard committed a marker there). This run changed nothing. Look at `git log` (a marker commit \
             reads \"envguard: force a clean environment…\"), then push again"
        );
        let gone = WriteError::RefMoved {
            refname: "refs/heads/main".into(),
            was: id('f'),
            now: None,
            retry: Retry::Reset,
        };
        assert!(gone.to_string().contains("and no longer exists"), "{gone}");
        assert!(gone
            .to_string()
            .ends_with("then run `envguard --reset` again"));
        let edited = WriteError::EnvguardFileEdited {
            what: ".envguard/force-clean has staged changes".into(),
            path: MARKER_PATH,
            retry: Retry::Push,
        };
        assert_eq!(
            edited.to_string(),
            ".envguard/force-clean has staged changes; envguard would overwrite it. Commit or discard that \
             change (`git restore --staged --worktree .envguard/force-clean`), then push again",
        );
        let edited = WriteError::EnvguardFileEdited {
            what: ".envguard/force-clean has unstaged changes".into(),
            path: MARKER_PATH,
            retry: Retry::Reset,
        }
        .to_string();
        assert!(edited.ends_with("then run `envguard --reset` again"));
        assert!(!edited.contains("push again"));
        let nothing = WriteError::NothingChanged {
            why: "cannot write .git/index.lock: File too large (os error 27)".into(),
            refname: "refs/heads/main".into(),
            parent: CommitId::parse(&"ab".repeat(20)).unwrap(),
        };
        assert_eq!(
            nothing.to_string(),
            "cannot write .git/index.lock: File too large (os error 27); nothing was changed: \
             refs/heads/main still points at abababababab, and the index and your files are as they \
             were (the marker commit written meanwhile is referenced by nothing). Fix that, then push \
             again",
        );
    }
}
