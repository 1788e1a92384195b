//! The marker commit: a fresh token in `.envguard/force-clean` and the
//! fingerprint, committed on top of the pushed commit, the branch moved to
//! it (compare-and-swap), and exactly those two paths checked out when the
//! branch is. Used by the hook ([`commit_for_push`]) and `--reset`.

use std::io::Read;

use std::io::Write;

use anyhow::Result;
use envguard_core::fingerprint::Snapshot;
use envguard_core::ids::CommitId;
use envguard_core::message::Message;
use envguard_core::token::{Token, FINGERPRINT_PATH, MARKER_PATH};

use crate::hook::Deploying;
use crate::quote::shell_word;
use crate::repo::{LocalRef, PathState, Repo};

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
/// and unstaged work is neither committed nor touched.
pub fn schedule_clean(
    repo: &Repo,
    refname: &str,
    parent: &CommitId,
    snapshot: &Snapshot,
    reason: &str,
) -> Result<Scheduled> {
    if let Some(missing) = repo.missing_identity() {
        return Err(Message::NoIdentity { missing }.into());
    }
    if let Some(dir) = repo.checked_out_elsewhere(refname) {
        let refname = refname.to_string();
        let worktree = dir.display().to_string();
        return Err(Message::CheckedOutElsewhere { refname, worktree }.into());
    }
    let checked_out = repo.is_checked_out(refname) && repo.workdir().is_some();
    if checked_out {
        for path in [MARKER_PATH, FINGERPRINT_PATH] {
            if let PathState::Edited(what) = repo.path_state(parent, path)? {
                return Err(Message::EnvguardFileEdited { what, path }.into());
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
    repo.move_ref(refname, parent, &commit, "force-clean marker")?;
    if checked_out {
        repo.check_out_paths(&commit, &[MARKER_PATH, FINGERPRINT_PATH])?;
    }
    Ok(Scheduled { commit, token })
}

/// Commits the marker for a push that removes `removed`, and says how to
/// push again. The push names a branch (or detached HEAD) that still points
/// at the pushed commit, or nothing is written.
pub fn commit_for_push(
    repo: &Repo,
    target: &Deploying<'_>,
    snapshot: &Snapshot,
    removed: &[String],
    err: &mut dyn Write,
) -> Result<()> {
    let line = target.line;
    let local = repo.local_ref(&line.local_ref);
    let Some(refname) = local.refname() else {
        return Err(Message::NotABranch {
            requirements: target.config.requirements.clone(),
            removed: removed.to_vec(),
            local_ref: line.local_ref.clone(),
        }
        .into());
    };
    if repo.ref_target(refname)?.as_ref() != Some(&target.pushed) {
        return Err(Message::RefMoved {
            refname: refname.to_string(),
            pushed: target.pushed.clone(),
        }
        .into());
    }
    let reason = format!("removed: {}", removed.join(", "));
    let scheduled = schedule_clean(repo, refname, &target.pushed, snapshot, &reason)?;
    let message = Message::MarkerCommitted {
        place: target.place(),
        requirements: target.config.requirements.clone(),
        removed: removed.to_vec(),
        commit: scheduled.commit,
        on: local.branch_name().unwrap_or("HEAD").to_string(),
        token: scheduled.token,
        again: push_again_command(target.remote, &local, target.branch),
    };
    writeln!(err, "envguard: {message}")?;
    Ok(())
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
