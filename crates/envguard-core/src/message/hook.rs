//! The pieces of the hook's sentences: what a push removes, what a
//! decision means for it, what to retry, which git operation is under way.

use std::fmt;

use crate::config::OnRemoval;
use crate::decide::{Decision, Removal};
use crate::text::quote;

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

/// Labels as messages show them: quoted, joined.
fn labels(removed: &[String]) -> String {
    removed.iter().map(quote).collect::<Vec<_>>().join(", ")
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

/// Removals as a clause: `requirements/base.txt removes python-dotenv;
/// requirements.txt drops the socks extra of requests`.
pub struct Removals<'a>(pub &'a [Removal]);

impl fmt::Display for Removals<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, removal) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            // Names and paths come from the requirements: quoted, like
            // everything from outside envguard.
            let quoted = |items: &[String]| items.iter().map(quote).collect::<Vec<_>>();
            let mut parts = Vec::new();
            if !removal.removed.is_empty() {
                parts.push(format!("removes {}", and_list(&quoted(&removal.removed))));
            }
            for (package, extras) in &removal.extras {
                let noun = if extras.len() == 1 { "extra" } else { "extras" };
                parts.push(format!(
                    "drops the {} {noun} of {}",
                    and_list(&quoted(extras)),
                    quote(package)
                ));
            }
            write!(f, "{} {}", quote(&removal.file), and_list(&parts))?;
        }
        Ok(())
    }
}

/// `it` for one removed thing, `them` for more.
pub(super) fn them(removals: &[Removal]) -> &'static str {
    let count: usize = removals
        .iter()
        .map(|r| r.removed.len() + r.extras.len())
        .sum();
    if count == 1 {
        "it"
    } else {
        "them"
    }
}

/// `a`, `a and b`, `a, b and c`.
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// What a decision means for the push, in a sentence (the hook's line after
/// `remote branch: `, and `status`'s `Push:` line).
pub struct Outcome<'a>(pub &'a Decision, pub &'a str);

impl fmt::Display for Outcome<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Outcome(decision, requirements) = *self;
        match decision {
            Decision::FirstDeployment => f.write_str("first deployment: nothing to compare with"),
            Decision::NoRequirements => write!(
                f,
                "no {0} in this commit: the server skips pip, and its environment stays as it is \
                 (every package installed before stays installed); when {0} comes back, envguard \
                 compares it with the last deployed commit that had it",
                quote(requirements)
            ),
            Decision::Unchanged => f.write_str("requirements unchanged"),
            Decision::CleanScheduled(_) => f.write_str(
                "this push carries a new force-clean marker: the server deletes and rebuilds the environment once",
            ),
            Decision::RuntimeChanged { from, to, .. } => write!(
                f,
                "runtime changes from {} to {} and no package is removed: nothing stale to clean \
                 (the deployment script builds an environment for the Python the site runs)",
                from.selector(),
                to.selector()
            ),
            Decision::NothingRemoved(_) => f.write_str("no packages removed"),
            Decision::Removed { policy, change } => {
                let removed = labels(&change.removed_labels());
                match policy {
                    OnRemoval::Warn => write!(
                        f,
                        "goes on with a warning: removes {removed} (on_removal = \"warn\")"
                    ),
                    OnRemoval::Block => write!(
                        f,
                        "stopped: removes {removed}; run `envguard --reset`, then push"
                    ),
                    OnRemoval::Commit => write!(
                        f,
                        "stopped: removes {removed}; envguard commits a force-clean marker, then you push again"
                    ),
                }
            }
        }
    }
}
