//! The force-clean marker token and the names of the files that carry it.
//!
//! The server scripts delete the environment when the marker's token differs
//! from the one they last installed with, so every marker carries a fresh
//! token. The reading rule is shared with `deploy.sh` and `deploy.cmd`
//! through `tests/data/tokens.tsv`.

use std::fmt;

use crate::digest::{hex, sha256};

/// The marker file, relative to the repository root.
pub const MARKER_PATH: &str = ".envguard/force-clean";
/// The fingerprint committed with every marker, relative to the root.
pub const FINGERPRINT_PATH: &str = ".envguard/fingerprint.toml";
/// The token the server last installed with, inside the environment folder
/// (`<env>/.envguard-token`); written by the server scripts only.
pub const ENV_TOKEN_FILE: &str = ".envguard-token";

/// A marker token: exactly 64 lowercase hex characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Reads a token the way the server scripts do: the first line, less one
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

    /// The token for some entropy: its SHA-256. The caller gathers the
    /// entropy (the core reads no clock and no random source).
    pub fn from_entropy(entropy: &[u8]) -> Token {
        Token(hex(&sha256(entropy)))
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

#[cfg(test)]
mod tests {
    use super::*;

    // Which marker bytes hold a token is the shared fixture's job
    // (tests/data/tokens.tsv, tests/shared_rules.rs).
    #[test]
    fn tokens_from_entropy_are_valid_and_differ() {
        let a = Token::from_entropy(b"x");
        let b = Token::from_entropy(b"y");
        assert_ne!(a, b);
        assert_eq!(Token::from_marker(&a.marker_file()), Some(a.clone()));
        assert_eq!(a.marker_file().len(), 65);
        assert_eq!(a.short(), &a.as_str()[..12]);
    }
}
