//! The force-clean marker: a token in `.envguard/force-clean`, and the commit
//! that schedules one.
//!
//! The server scripts delete the environment when the token differs from the
//! one they last installed with, so every marker commit carries a fresh token.

use std::fmt;
use std::io::Read;

use anyhow::{bail, Result};
use git2::Oid;
use sha2::{Digest, Sha256};

use crate::fingerprint::Snapshot;
use crate::repo::{PathState, Repo};

/// Path of the marker file, relative to the repository root.
pub const MARKER_PATH: &str = ".envguard/force-clean";
/// Path of the fingerprint committed with every marker.
pub const FINGERPRINT_PATH: &str = ".envguard/fingerprint.toml";

/// A marker token: exactly 64 lowercase hex characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Reads a token the way the server scripts do: the first line, less a
    /// trailing CR; anything but 64 lowercase hex characters is no token.
    pub fn from_marker(bytes: &[u8]) -> Option<Token> {
        let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        Token::parse(std::str::from_utf8(line).ok()?)
    }

    /// Accepts exactly 64 lowercase hex characters.
    pub fn parse(text: &str) -> Option<Token> {
        let valid =
            text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        valid.then(|| Token(text.to_string()))
    }

    /// A token no earlier marker can have had: SHA-256 over the system's
    /// random source where there is one, the time, the process and `seed`.
    pub fn fresh(seed: &[u8]) -> Token {
        let mut hasher = Sha256::new();
        let mut random = [0u8; 32];
        if let Ok(mut source) = std::fs::File::open("/dev/urandom") {
            // A short read only weakens one of several inputs.
            let _ = source.read_exact(&mut random);
        }
        hasher.update(random);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        hasher.update(now.as_nanos().to_le_bytes());
        hasher.update(std::process::id().to_le_bytes());
        // RandomState is seeded per process by the OS: a second source of
        // randomness where /dev/urandom does not exist.
        let keyed =
            std::hash::BuildHasher::hash_one(&std::collections::hash_map::RandomState::new(), seed);
        hasher.update(keyed.to_le_bytes());
        hasher.update(seed);
        Token(crate::fingerprint::hex(&hasher.finalize()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The marker file's contents: the token and a newline, nothing else.
    pub fn marker_file(&self) -> Vec<u8> {
        format!("{}\n", self.0).into_bytes()
    }

    /// The first 12 characters, for messages.
    pub fn short(&self) -> &str {
        &self.0[..12]
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A marker commit that was made.
#[derive(Clone, Debug)]
pub struct Scheduled {
    pub commit: Oid,
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
    parent: Oid,
    snapshot: &Snapshot,
    reason: &str,
) -> Result<Scheduled> {
    if let Some(missing) = repo.missing_identity() {
        bail!(
            "git has no {missing} to write the marker commit with; set them with \
             `git config --global user.name \"Your Name\"` and `git config --global user.email you@example.com`"
        );
    }
    if let Some(dir) = repo.checked_out_elsewhere(refname) {
        bail!(
            "{refname} is checked out in the worktree {}; run this there, so that its index and files follow the marker commit",
            dir.display()
        );
    }
    let checked_out = repo.is_checked_out(refname) && repo.workdir().is_some();
    if checked_out {
        for path in [MARKER_PATH, FINGERPRINT_PATH] {
            if let PathState::Edited(what) = repo.path_state(parent, path)? {
                bail!(
                    "{what}; envguard would overwrite it. Commit or discard that change \
                     (`git restore --staged --worktree {path}`), then push again"
                );
            }
        }
    }
    let token = Token::fresh(parent.as_bytes());
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
    repo.move_ref(refname, parent, commit, "force-clean marker")?;
    if checked_out {
        repo.check_out_paths(commit, &[MARKER_PATH, FINGERPRINT_PATH])?;
    }
    Ok(Scheduled { commit, token })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_the_server_scripts() {
        let good = "0123456789abcdef".repeat(4);
        assert_eq!(
            Token::from_marker(format!("{good}\n").as_bytes())
                .unwrap()
                .as_str(),
            good
        );
        assert!(Token::from_marker(format!("{good}\r\nextra\n").as_bytes()).is_some());
        assert!(Token::from_marker(good.as_bytes()).is_some());
        for bad in [
            good.to_uppercase(),
            good[..63].to_string(),
            format!("{good}0"),
            format!("\n{good}"),
            format!(" {good}"),
            format!("{}&", &good[..63]),
            String::new(),
        ] {
            assert_eq!(Token::from_marker(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn fresh_tokens_are_valid_and_differ() {
        let a = Token::fresh(b"x");
        let b = Token::fresh(b"x");
        assert_ne!(a, b);
        assert_eq!(Token::from_marker(&a.marker_file()), Some(a.clone()));
        assert_eq!(a.marker_file().len(), 65);
    }
}
