//! git's pre-push input: one line per ref,
//! `<local-ref> <local-oid> <remote-ref> <remote-oid>` (githooks(5)).

use envguard_core::ids::{CommitId, MaybeZeroId};

/// One line of git's pre-push input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefLine {
    pub local_ref: String,
    pub local: MaybeZeroId,
    pub remote_ref: String,
    pub remote: MaybeZeroId,
}

impl RefLine {
    /// Parses a line from the right: a local ref as typed may hold spaces.
    pub fn parse(line: &str) -> Option<RefLine> {
        let mut parts = line.trim_end_matches(['\n', '\r']).rsplitn(4, ' ');
        let remote = MaybeZeroId::parse(parts.next()?)?;
        let remote_ref = parts.next()?.to_string();
        let local = MaybeZeroId::parse(parts.next()?)?;
        let local_ref = parts.next()?.to_string();
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

    /// Whether the line can deploy at all (SPEC rule 1): a branch, not a
    /// delete or a tag.
    pub fn may_deploy(&self) -> bool {
        self.pushed().is_some() && self.remote_ref.starts_with("refs/heads/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_lines_parse_from_the_right() {
        let z = "0".repeat(40);
        let a = "a".repeat(40);
        let line = RefLine::parse(&format!("refs/heads/main {a} refs/heads/main {z}\n")).unwrap();
        assert_eq!(line.local_ref, "refs/heads/main");
        assert!(line.may_deploy());
        assert_eq!(line.remote, MaybeZeroId::Zero);
        let line = RefLine::parse(&format!("my branch~1 {a} refs/heads/main {z}")).unwrap();
        assert_eq!(line.local_ref, "my branch~1");
        let line = RefLine::parse(&format!("(delete) {z} refs/heads/main {a}")).unwrap();
        assert!(!line.may_deploy());
        let sha256 = "0".repeat(64);
        let line = RefLine::parse(&format!("(delete) {sha256} refs/heads/main {a}")).unwrap();
        assert_eq!(line.pushed(), None);
        let tag = RefLine::parse(&format!("refs/tags/v1 {a} refs/tags/v1 {z}")).unwrap();
        assert!(!tag.may_deploy());
        assert_eq!(RefLine::parse("garbage"), None);
        assert_eq!(RefLine::parse(&format!("x {a} y zz")), None);
    }
}
