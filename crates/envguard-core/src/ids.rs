//! Commit ids as git gives them: lowercase hex, 40 characters (SHA-1) or 64
//! (SHA-256). A [`CommitId`] is never all zeros; git's "no object" is
//! [`MaybeZeroId::Zero`]. Messages show every id at one width, [`SHORT`].

use std::fmt;

/// How many hex digits messages show of a commit id.
pub const SHORT: usize = 12;

/// A commit id: 40 or 64 lowercase hex digits, not all zeros.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommitId(String);

impl CommitId {
    /// Accepts 40 or 64 hex digits (either case), not all zeros.
    pub fn parse(text: &str) -> Option<CommitId> {
        match MaybeZeroId::parse(text)? {
            MaybeZeroId::Id(id) => Some(id),
            MaybeZeroId::Zero => None,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first [`SHORT`] digits, for messages.
    pub fn short(&self) -> &str {
        &self.0[..SHORT]
    }
}

impl fmt::Display for CommitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An id on git's pre-push input: a commit, or all zeros for "none" (a
/// deleted ref on the local side, a new branch on the remote side).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MaybeZeroId {
    Zero,
    Id(CommitId),
}

impl MaybeZeroId {
    /// Accepts 40 or 64 hex digits (either case); all zeros is [`Zero`](Self::Zero).
    pub fn parse(text: &str) -> Option<MaybeZeroId> {
        let valid = matches!(text.len(), 40 | 64) && text.bytes().all(|b| b.is_ascii_hexdigit());
        if !valid {
            return None;
        }
        Some(if text.bytes().all(|b| b == b'0') {
            MaybeZeroId::Zero
        } else {
            MaybeZeroId::Id(CommitId(text.to_ascii_lowercase()))
        })
    }

    /// The commit, `None` for all zeros.
    pub fn commit(&self) -> Option<&CommitId> {
        match self {
            MaybeZeroId::Id(id) => Some(id),
            MaybeZeroId::Zero => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_as_git_writes_them() {
        let a = "A".repeat(40);
        let id = CommitId::parse(&a).unwrap();
        assert_eq!(id.as_str(), "a".repeat(40));
        assert_eq!(id.short(), "a".repeat(12));
        assert_eq!(id.to_string(), "a".repeat(40));
        assert!(CommitId::parse(&"b".repeat(64)).is_some());
        assert_eq!(MaybeZeroId::parse(&"0".repeat(40)), Some(MaybeZeroId::Zero));
        assert_eq!(MaybeZeroId::parse(&"0".repeat(64)), Some(MaybeZeroId::Zero));
        assert_eq!(CommitId::parse(&"0".repeat(40)), None);
        for bad in ["", "abc", &"g".repeat(40), &"a".repeat(41), &"a".repeat(39)] {
            assert_eq!(MaybeZeroId::parse(bad), None, "{bad}");
        }
        assert_eq!(MaybeZeroId::parse(&a).unwrap().commit(), Some(&id));
        assert_eq!(MaybeZeroId::Zero.commit(), None);
    }
}
