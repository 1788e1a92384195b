//! git's pre-push input: one line per ref,
//! `<local-ref> <local-oid> <remote-ref> <remote-oid>` (githooks(5)), as
//! the bytes git sends: ref names need not be UTF-8.

use envguard_core::ids::{CommitId, MaybeZeroId};

/// One line of git's pre-push input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefLine {
    /// The local ref as the user typed it (may hold spaces), as bytes.
    pub local_ref: Vec<u8>,
    pub local: MaybeZeroId,
    /// The remote ref; a branch that deploys is always UTF-8 (it must match
    /// a configured branch name), so anything else never deploys.
    pub remote_ref: Vec<u8>,
    pub remote: MaybeZeroId,
}

impl RefLine {
    /// Parses a line from the right: a local ref as typed may hold spaces.
    pub fn parse(line: &[u8]) -> Option<RefLine> {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut parts = line.rsplitn(4, |&b| b == b' ');
        let id = |part: &[u8]| MaybeZeroId::parse(std::str::from_utf8(part).ok()?);
        let remote = id(parts.next()?)?;
        let remote_ref = parts.next()?.to_vec();
        let local = id(parts.next()?)?;
        let local_ref = parts.next()?.to_vec();
        (!local_ref.is_empty()).then_some(RefLine {
            local_ref,
            local,
            remote_ref,
            remote,
        })
    }

    /// The pushed commit; `None` when the ref is deleted (all zeros).
    pub fn pushed(&self) -> Option<&CommitId> {
        self.local.commit()
    }

    /// The remote branch as text; `None` when it is no UTF-8 `refs/heads/…`.
    pub fn remote_branch_ref(&self) -> Option<&str> {
        std::str::from_utf8(&self.remote_ref)
            .ok()
            .filter(|r| r.starts_with("refs/heads/"))
    }

    /// The local ref as text; `None` when it is not UTF-8.
    pub fn local_ref(&self) -> Option<&str> {
        std::str::from_utf8(&self.local_ref).ok()
    }

    /// Whether the line can deploy at all (docs/exit-codes.md, "The hook in
    /// detail"): a branch, not a
    /// delete or a tag. Decided from the line alone.
    pub fn may_deploy(&self) -> bool {
        self.pushed().is_some() && self.remote_branch_ref().is_some()
    }

    /// Whether git sent SHA-256 ids (64 hex digits) on this line.
    pub fn is_sha256(&self) -> bool {
        [&self.local, &self.remote]
            .iter()
            .any(|id| id.commit().is_some_and(|c| c.as_str().len() == 64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_lines_parse_from_the_right() {
        let z = "0".repeat(40);
        let a = "a".repeat(40);
        let parse = |text: String| RefLine::parse(text.as_bytes());
        let line = parse(format!("refs/heads/main {a} refs/heads/main {z}\n")).unwrap();
        assert_eq!(line.local_ref(), Some("refs/heads/main"));
        assert!(line.may_deploy());
        assert_eq!(line.remote, MaybeZeroId::Zero);
        let line = parse(format!("my branch~1 {a} refs/heads/main {z}\r\n")).unwrap();
        assert_eq!(line.local_ref(), Some("my branch~1"));
        let line = parse(format!("(delete) {z} refs/heads/main {a}")).unwrap();
        assert!(!line.may_deploy());
        let sha256 = "0".repeat(64);
        let line = parse(format!("(delete) {sha256} refs/heads/main {a}")).unwrap();
        assert_eq!(line.pushed(), None);
        let tag = parse(format!("refs/tags/v1 {a} refs/tags/v1 {z}")).unwrap();
        assert!(!tag.may_deploy());
        assert_eq!(RefLine::parse(b"garbage"), None);
        assert_eq!(parse(format!("x {a} y zz")), None);
        assert!(parse(format!("x {} y {z}", "b".repeat(64)))
            .unwrap()
            .is_sha256());
    }

    #[test]
    fn ref_names_need_not_be_utf8() {
        let a = "a".repeat(40);
        let z = "0".repeat(40);
        let mut bytes = b"refs/heads/caf\xe9 ".to_vec();
        bytes.extend_from_slice(format!("{a} ").as_bytes());
        bytes.extend_from_slice(b"refs/heads/caf\xe9 ");
        bytes.extend_from_slice(z.as_bytes());
        let line = RefLine::parse(&bytes).unwrap();
        assert_eq!(line.local_ref(), None);
        assert!(!line.may_deploy(), "no configured branch can be named so");
    }
}
