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
/// The folder that holds both envguard files, relative to the root.
pub const ENVGUARD_DIR: &str = ".envguard";
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

/// What a tree (a commit's, or the working tree) holds at a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    Absent,
    File,
    Directory,
    Symlink,
    /// A gitlink: a submodule's commit.
    Submodule,
    /// A fifo, socket or device.
    Special,
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Entry::Absent => "absent",
            Entry::File => "a file",
            Entry::Directory => "a directory",
            Entry::Symlink => "a symbolic link",
            Entry::Submodule => "a submodule",
            Entry::Special => "a special file (a fifo, socket or device)",
        })
    }
}

/// Where an entry was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// The commit the marker goes on.
    Commit,
    WorkTree,
}

/// Something at a path a marker commit writes that envguard must neither
/// write over nor write through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InTheWay {
    pub path: &'static str,
    pub found: Entry,
    pub place: Place,
}

/// Every path a marker commit writes, each component in order, with the
/// only kind it may already be (or absent).
pub const WRITTEN: [(&str, Entry); 3] = [
    (ENVGUARD_DIR, Entry::Directory),
    (MARKER_PATH, Entry::File),
    (FINGERPRINT_PATH, Entry::File),
];

/// Never write through a link, nor over what is not ours to replace: each
/// component of [`WRITTEN`] must be absent or of its own kind in `place`,
/// where `found` tells what is at a path.
pub fn check_written(
    place: Place,
    mut found: impl FnMut(&'static str) -> Entry,
) -> Result<(), InTheWay> {
    for (path, kind) in WRITTEN {
        let entry = found(path);
        if entry != Entry::Absent && entry != kind {
            return Err(InTheWay {
                path,
                found: entry,
                place,
            });
        }
    }
    Ok(())
}

/// The git attributes under which a checkout writes a file as other bytes
/// than the commit holds, beyond line endings. `eol`, `text` and
/// `core.autocrlf` only add a CR before each LF, which the server scripts
/// drop; `ident` only expands `$Id$`, which neither file holds where it is
/// read.
pub const CHECKOUT_ATTRIBUTES: [&str; 2] = ["working-tree-encoding", "filter"];

/// An attribute of an envguard file that changes its bytes on checkout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Converted {
    pub path: String,
    /// As `.gitattributes` would spell it: `working-tree-encoding=UTF-16`.
    pub attribute: String,
}

/// Whether an attribute as `git check-attr` reports it (`unspecified`,
/// `unset`, `set` or a value) makes a checkout write other bytes: a
/// `working-tree-encoding` other than UTF-8 (git re-encodes the file;
/// `utf-8` and `utf8` it leaves alone, git's `same_utf_encoding`; one set
/// without a value makes the checkout fail), or any `filter` driver (the
/// server's git runs it, if it has one: envguard cannot know what it does).
pub fn converted(path: &str, name: &str, value: &str) -> Option<Converted> {
    let rewrites = match (name, value) {
        (_, "unspecified" | "unset") => false,
        ("working-tree-encoding", "set") => true,
        ("working-tree-encoding", encoding) => {
            let plain: String = encoding.chars().filter(|c| *c != '-').collect();
            !plain.eq_ignore_ascii_case("utf8")
        }
        ("filter", "set") => false,
        ("filter", _) => true,
        _ => false,
    };
    rewrites.then(|| Converted {
        path: path.to_string(),
        attribute: if value == "set" {
            name.to_string()
        } else {
            format!("{name}={value}")
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_that_change_the_bytes_of_a_checkout() {
        let cases = [
            (
                "working-tree-encoding",
                "UTF-16LE-BOM",
                Some("working-tree-encoding=UTF-16LE-BOM"),
            ),
            (
                "working-tree-encoding",
                "utf-16",
                Some("working-tree-encoding=utf-16"),
            ),
            (
                "working-tree-encoding",
                "latin1",
                Some("working-tree-encoding=latin1"),
            ),
            (
                "working-tree-encoding",
                "set",
                Some("working-tree-encoding"),
            ),
            ("working-tree-encoding", "UTF-8", None),
            ("working-tree-encoding", "utf8", None),
            ("working-tree-encoding", "unset", None),
            ("working-tree-encoding", "unspecified", None),
            ("filter", "lfs", Some("filter=lfs")),
            ("filter", "set", None),
            ("filter", "unset", None),
            ("eol", "crlf", None),
            ("text", "set", None),
            ("ident", "set", None),
        ];
        for (name, value, want) in cases {
            let got = converted(MARKER_PATH, name, value);
            assert_eq!(
                got.as_ref().map(|c| c.attribute.as_str()),
                want,
                "{name} {value}"
            );
        }
    }

    // Which marker bytes hold a token is the shared fixture's job
    // (tests/data/tokens.tsv, tests/it/shared_rules.rs).
    #[test]
    fn tokens_from_entropy_are_valid_and_differ() {
        let a = Token::from_entropy(b"x");
        let b = Token::from_entropy(b"y");
        assert_ne!(a, b);
        assert_eq!(Token::from_marker(&a.marker_file()), Some(a.clone()));
        assert_eq!(a.marker_file().len(), 65);
        assert_eq!(a.short(), &a.as_str()[..12]);
    }

    #[test]
    fn every_written_component_is_checked_in_order() {
        let tree = |dir: Entry, marker: Entry| {
            move |path: &str| match path {
                ENVGUARD_DIR => dir,
                MARKER_PATH => marker,
                _ => Entry::Absent,
            }
        };
        assert_eq!(
            check_written(Place::Commit, tree(Entry::Absent, Entry::Absent)),
            Ok(())
        );
        assert_eq!(
            check_written(Place::Commit, tree(Entry::Directory, Entry::File)),
            Ok(())
        );
        let link = check_written(Place::WorkTree, tree(Entry::Symlink, Entry::File)).unwrap_err();
        assert_eq!((link.path, link.found), (ENVGUARD_DIR, Entry::Symlink));
        let dir =
            check_written(Place::Commit, tree(Entry::Directory, Entry::Directory)).unwrap_err();
        assert_eq!((dir.path, dir.found), (MARKER_PATH, Entry::Directory));
        let file = check_written(Place::Commit, tree(Entry::File, Entry::Absent)).unwrap_err();
        assert_eq!((file.path, file.found), (ENVGUARD_DIR, Entry::File));
    }
}
