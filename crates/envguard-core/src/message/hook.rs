//! The pieces of the hook's sentences: what a push removes, what a
//! decision means for it, what to retry, which git operation is under way.

use std::fmt;

pub use crate::decide::say::{and_list, them, Outcome, Removals};

/// An operation git is in the middle of, which moving a branch would break.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Merge,
    Rebase,
    CherryPick,
    Revert,
    Bisect,
    ApplyMailbox,
}

impl Operation {
    /// The git command that continues or ends it.
    pub(super) fn command(self) -> &'static str {
        match self {
            Operation::Merge => "merge",
            Operation::Rebase => "rebase",
            Operation::CherryPick => "cherry-pick",
            Operation::Revert => "revert",
            Operation::Bisect => "bisect",
            Operation::ApplyMailbox => "am",
        }
    }
}

/// What to do once the obstacle is gone.
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
