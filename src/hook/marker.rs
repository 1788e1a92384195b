//! The marker commit: a fresh token in `.envguard/force-clean` and the
//! fingerprint, committed on top of the pushed commit, the branch moved to
//! it (compare-and-swap), and exactly those two paths checked out when the
//! branch is. Used by the hook ([`commit_for_push`]) and `--reset`.

use std::fmt;
use std::io::{Read, Write};

use anyhow::Result;
use envguard_core::decide::say::Removals;
use envguard_core::decide::{Change, Removal};
use envguard_core::fingerprint::Snapshot;
use envguard_core::ids::CommitId;
use envguard_core::text::quote;
use envguard_core::token::{
    check_written, converted, Entry, Place, Token, CHECKOUT_ATTRIBUTES, FINGERPRINT_PATH,
    MARKER_PATH, WRITTEN,
};

use super::facts::Deploying;
use super::refusal::Refusal;
use crate::quote::shell_word;
use crate::repo::{LocalRef, PathState, Repo, Retry, WriteError};
use crate::say::{self, PASTE};

/// A token no earlier marker can have had: SHA-256 over the system's
/// random source where there is one, the time, the process and `seed`.
fn fresh_token(seed: &[u8]) -> Token {
    let mut entropy = Vec::new();
    let mut random = [0u8; 32];
    if let Ok(mut source) = std::fs::File::open("/dev/urandom") {
        // A short read only weakens one of several inputs.
        let _ = source.read_exact(&mut random);
    }
    entropy.extend_from_slice(&random);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    entropy.extend_from_slice(&now.as_nanos().to_le_bytes());
    entropy.extend_from_slice(&std::process::id().to_le_bytes());
    // RandomState is seeded per process by the OS: a second source of
    // randomness where /dev/urandom does not exist.
    let keyed =
        std::hash::BuildHasher::hash_one(&std::collections::hash_map::RandomState::new(), seed);
    entropy.extend_from_slice(&keyed.to_le_bytes());
    entropy.extend_from_slice(seed);
    Token::from_entropy(&entropy)
}

/// A marker commit that was made.
#[derive(Clone, Debug)]
pub struct Scheduled {
    pub commit: CommitId,
    pub token: Token,
}

/// Commits a fresh marker and the fingerprint of `snapshot` on top of
/// `parent`, then moves `refname` (a branch, or `HEAD` when detached) from
/// `parent` to it. When `refname` is checked out, exactly the two envguard
/// paths are updated in the index and working tree; the user's other staged
/// and unstaged work is neither committed nor touched. A refusal names
/// `removals` (what the push that needs the marker removes) and says to
/// `retry` once the obstacle is gone.
pub fn schedule_clean(
    repo: &Repo,
    refname: &str,
    parent: &CommitId,
    snapshot: &Snapshot,
    reason: &str,
    (removals, retry): (&[Removal], Retry),
) -> Result<Scheduled> {
    if let Some(missing) = repo.missing_identity() {
        let removals = removals.to_vec();
        return Err(Refusal::NoIdentity {
            missing,
            removals,
            retry,
        }
        .into());
    }
    if let Some(operation) = repo.operation() {
        return Err(Refusal::OperationInProgress(operation).into());
    }
    if let Some(dir) = repo.checked_out_elsewhere(refname) {
        let refname = refname.to_string();
        let worktree = dir.display().to_string();
        return Err(Refusal::CheckedOutElsewhere { refname, worktree }.into());
    }
    let mut in_commit = Vec::new();
    for (path, _) in WRITTEN {
        in_commit.push((path, repo.entry_in_commit(parent, path)?));
    }
    check_written(Place::Commit, |path| found(&in_commit, path)).map_err(Refusal::InTheWay)?;
    let paths = [MARKER_PATH, FINGERPRINT_PATH];
    check_checkout(repo, parent, &paths, None, retry)?;
    let checked_out = repo.is_checked_out(refname) && repo.workdir().is_some();
    let excluded = if checked_out {
        repo.sparse_excluded(&paths)?
    } else {
        vec![true; paths.len()]
    };
    // The index and files are judged against `parent`: if the branch moved
    // (another push's marker commit), that is what to say, not that they
    // differ from it.
    if let Some(moved) = repo.moved_meanwhile(refname, parent, retry)? {
        return Err(moved.into());
    }
    if checked_out {
        let mut on_disk = Vec::new();
        for (path, _) in WRITTEN {
            let skipped = paths.iter().zip(&excluded).any(|(p, &ex)| *p == path && ex);
            let entry = if skipped {
                Entry::Absent
            } else {
                repo.entry_in_worktree(path)?
            };
            on_disk.push((path, entry));
        }
        if excluded.contains(&false) {
            check_written(Place::WorkTree, |path| found(&on_disk, path))
                .map_err(Refusal::InTheWay)?;
        }
        for (path, &excluded) in paths.iter().zip(&excluded) {
            if let PathState::Edited(what) = repo.path_state(parent, path, excluded)? {
                return Err(WriteError::EnvguardFileEdited { what, path, retry }.into());
            }
        }
    }
    let token = fresh_token(parent.as_str().as_bytes());
    let mut recorded = snapshot.clone();
    recorded.token = Some(token.clone());
    let marker = token.marker_file();
    let fingerprint = recorded.to_fingerprint(reason)?;
    let message = format!(
        "envguard: force a clean environment on the next deployment\n\n{reason}\n\n\
         The deployment script deletes and rebuilds the virtual environment once\n\
         for this marker token: {token}\n"
    );
    let files: [(&str, &[u8]); 2] = [(MARKER_PATH, &marker), (FINGERPRINT_PATH, &fingerprint)];
    let commit = repo.commit_files(parent, &files, &message)?;
    if checked_out {
        let paths = [(MARKER_PATH, excluded[0]), (FINGERPRINT_PATH, excluded[1])];
        let why = ("force-clean marker", retry);
        repo.switch_checked_out(refname, parent, &commit, &paths, why)?;
    } else if let Err(err) = repo.move_ref(refname, parent, &commit, "force-clean marker") {
        return Err(match repo.moved_meanwhile(refname, parent, retry)? {
            Some(moved) => moved.into(),
            None => err,
        });
    }
    Ok(Scheduled { commit, token })
}

/// Refuses when git attributes make a checkout of `commit` write one of
/// `paths` as other bytes than envguard commits (a UTF-16
/// `working-tree-encoding`, a `filter`): the server's script would not read
/// the marker's token (`token::converted`). `pushed`: the place of a push
/// whose commit carries the marker already.
pub fn check_checkout(
    repo: &Repo,
    commit: &CommitId,
    paths: &[&str],
    pushed: Option<String>,
    retry: Retry,
) -> Result<()> {
    let found = repo
        .attributes(commit, paths, &CHECKOUT_ATTRIBUTES)?
        .iter()
        .find_map(|(path, name, value)| converted(path, name, value));
    match found {
        Some(converted) => Err(Refusal::EnvguardFileConverted {
            converted,
            pushed,
            retry,
        }
        .into()),
        None => Ok(()),
    }
}

/// What `entries` says is at `path`.
fn found(entries: &[(&str, Entry)], path: &str) -> Entry {
    entries
        .iter()
        .find(|(p, _)| *p == path)
        .map_or(Entry::Absent, |(_, entry)| *entry)
}

/// Commits the marker for a push that makes `change`, and says how to
/// push again. The push names a branch (or detached HEAD) that still points
/// at the pushed commit, or nothing is written.
pub fn commit_for_push(
    repo: &Repo,
    target: &Deploying<'_>,
    snapshot: &Snapshot,
    change: &Change,
    err: &mut dyn Write,
) -> Result<()> {
    let line = target.line;
    // A local ref that is not UTF-8 names nothing envguard can move.
    let local = repo.local_ref(line.local_ref().unwrap_or_default());
    let removals = change.removals(&target.config.requirements);
    let Some(refname) = local.refname().filter(|_| line.local_ref().is_some()) else {
        return Err(Refusal::NotABranch {
            removals,
            local_ref: line.local_ref.clone(),
        }
        .into());
    };
    if let Some(moved) = repo.moved_meanwhile(refname, &target.pushed, Retry::Push)? {
        return Err(moved.into());
    }
    // The commit message holds no byte git refuses (NUL) or a terminal acts on.
    let quoted: Vec<String> = change.removed_labels().iter().map(quote).collect();
    let reason = format!("removed: {}", quoted.join(", "));
    let why = (removals.as_slice(), Retry::Push);
    let scheduled = schedule_clean(repo, refname, &target.pushed, snapshot, &reason, why)?;
    let committed = Committed {
        place: target.place(),
        removals,
        commit: scheduled.commit,
        on: local.branch_name().unwrap_or("HEAD").to_string(),
        token: scheduled.token,
        again: push_again_command(target.remote, &local, target.branch),
    };
    say::lines(err, &committed.to_string())?;
    Ok(())
}

/// A marker was committed for a push: what the push removes, the commit,
/// and how to push again.
struct Committed {
    place: String,
    removals: Vec<Removal>,
    commit: CommitId,
    on: String,
    token: Token,
    again: String,
}

impl fmt::Display for Committed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Committed {
            place,
            removals,
            commit,
            on,
            token,
            again,
        } = self;
        write!(
            f,
            "{place}: {}, which pip would leave installed on the server.\n\
             committed {} on {on}: {MARKER_PATH} and {FINGERPRINT_PATH} only (token {}…), so the next \
             deployment deletes and rebuilds the environment once.\n\
             this push was stopped so that the marker goes with it. Push again:\n\n{PASTE}    {again}\n",
            Removals(removals),
            commit.short(),
            token.short()
        )
    }
}

/// The command that pushes the marker commit the same way.
fn push_again_command(remote: &str, local: &LocalRef, branch: &str) -> String {
    let refspec = match local.branch_name() {
        Some(name) if name == branch => name.to_string(),
        Some(name) => format!("{name}:{branch}"),
        None => format!("HEAD:refs/heads/{branch}"),
    };
    format!("git push {} {}", shell_word(remote), shell_word(&refspec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_tokens_are_valid_and_differ() {
        let a = fresh_token(b"x");
        let b = fresh_token(b"x");
        assert_ne!(a, b);
        assert_eq!(Token::from_marker(&a.marker_file()), Some(a));
    }

    #[test]
    fn a_marker_commit_says_what_and_how_to_push_again() {
        let committed = Committed {
            place: "azure main".into(),
            removals: vec![Removal {
                file: "requirements.txt".into(),
                removed: vec!["six".into()],
                extras: vec![],
            }],
            commit: CommitId::parse(&"c".repeat(40)).unwrap(),
            on: "main".into(),
            token: Token::parse(&"ab".repeat(32)).unwrap(),
            again: "git push azure main".into(),
        };
        let mut said = Vec::new();
        say::lines(&mut said, &committed.to_string()).unwrap();
        assert_eq!(
            String::from_utf8(said).unwrap(),
            "envguard: azure main: requirements.txt removes six, which pip would leave installed on the server.\n\
             envguard: committed cccccccccccc on main: .envguard/force-clean and .envguard/fingerprint.toml only \
             (token abababababab…), so the next deployment deletes and rebuilds the environment once.\n\
             envguard: this push was stopped so that the marker goes with it. Push again:\n\n    git push azure main\n\n"
        );
    }

    #[test]
    fn push_again_commands() {
        let branch = LocalRef::Branch("refs/heads/main".into());
        assert_eq!(
            push_again_command("azure", &branch, "main"),
            "git push azure main"
        );
        assert_eq!(
            push_again_command("azure", &branch, "master"),
            "git push azure main:master"
        );
        assert_eq!(
            push_again_command("azure", &LocalRef::DetachedHead, "master"),
            "git push azure HEAD:refs/heads/master"
        );
        assert_eq!(
            push_again_command("/tmp/my site.git", &branch, "main"),
            "git push '/tmp/my site.git' main"
        );
    }
}
