//! The decision's own words, which the hook and `status` share: what a
//! decision means for the push ([`Outcome`]), what a push removes and from
//! which file ([`Removals`]), and the change item by item
//! ([`change_lines`], which `diff` prints too). Every other sentence
//! envguard says lives in the shell module that decides it.

use std::fmt;

use super::{Change, Decision, Removal};
use crate::config::OnRemoval;
use crate::names;
use crate::platform::Runtime;
use crate::text::quote;

/// Labels as messages show them: quoted, joined.
fn labels(removed: &[String]) -> String {
    removed.iter().map(quote).collect::<Vec<_>>().join(", ")
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
pub fn them(removals: &[Removal]) -> &'static str {
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
/// `remote branch: `, and `status`'s `Push:` line); the second field is the
/// top requirements file.
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

/// One line per item, stable for scripts: `removed NAME`,
/// `extras-dropped NAME[EXTRA,…]`, `added NAME`, `runtime FROM -> TO`.
pub fn change_lines(change: &Change) -> Vec<String> {
    let mut lines: Vec<String> = change
        .removed
        .iter()
        .map(|id| format!("removed {}", quote(id.to_string())))
        .collect();
    lines.extend(
        change
            .extras_dropped
            .iter()
            .map(|(id, extras)| format!("extras-dropped {}", quote(names::label(id, extras)))),
    );
    lines.extend(
        change
            .added
            .iter()
            .map(|id| format!("added {}", quote(id.to_string()))),
    );
    if let Some((from, to)) = &change.runtime {
        lines.push(format!(
            "runtime {} -> {}",
            runtime_label(from),
            runtime_label(to)
        ));
    }
    lines
}

fn runtime_label(runtime: &Option<Runtime>) -> String {
    runtime
        .as_ref()
        .map_or("none".to_string(), ToString::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::{CanonicalName, PackageId};

    fn name(n: &str) -> PackageId {
        PackageId::Name(CanonicalName::new(n))
    }

    fn removal(policy: OnRemoval) -> Decision {
        let change = Change {
            removed: vec![name("six")],
            extras_dropped: vec![(name("requests"), ["socks".to_string()].into())],
            ..Change::default()
        };
        Decision::Removed { policy, change }
    }

    // Each decision's sentence, pinned: the hook's line after `remote
    // branch: `, and `status`'s Push line.
    #[test]
    fn decisions_read_as_they_should() {
        let cases = [
            (Decision::FirstDeployment, "first deployment: nothing to compare with"),
            (
                Decision::NoRequirements,
                "no requirements.txt in this commit: the server skips pip, and its environment stays as it is \
                 (every package installed before stays installed); when requirements.txt comes back, envguard \
                 compares it with the last deployed commit that had it",
            ),
            (Decision::Unchanged, "requirements unchanged"),
            (
                Decision::CleanScheduled(Change::default()),
                "this push carries a new force-clean marker: the server deletes and rebuilds the \
                 environment once",
            ),
            (
                Decision::RuntimeChanged {
                    from: Runtime::new(3, 11, Some(4)),
                    to: Runtime::new(3, 12, None),
                    change: Change::default(),
                },
                "runtime changes from python-3.11 to python-3.12 and no package is removed: nothing \
                 stale to clean (the deployment script builds an environment for the Python the site runs)",
            ),
            (Decision::NothingRemoved(Change::default()), "no packages removed"),
            (
                removal(OnRemoval::Commit),
                "stopped: removes six, requests[socks]; envguard commits a force-clean marker, then you push again",
            ),
            (
                removal(OnRemoval::Block),
                "stopped: removes six, requests[socks]; run `envguard --reset`, then push",
            ),
            (
                removal(OnRemoval::Warn),
                "goes on with a warning: removes six, requests[socks] (on_removal = \"warn\")",
            ),
        ];
        for (decision, want) in cases {
            assert_eq!(Outcome(&decision, "requirements.txt").to_string(), want);
        }
    }

    fn removal_in(file: &str, removed: &[&str], extras: &[(&str, &[&str])]) -> Removal {
        Removal {
            file: file.into(),
            removed: removed.iter().map(|s| s.to_string()).collect(),
            extras: extras
                .iter()
                .map(|(p, e)| (p.to_string(), e.iter().map(|s| s.to_string()).collect()))
                .collect(),
        }
    }

    // A removal is named with its file, a dropped extra reads as one,
    // singular and plural agree.
    #[test]
    fn removals_name_their_file_and_agree_in_number() {
        let cases = [
            (
                vec![removal_in("requirements/base.txt", &["python-dotenv"], &[])],
                "requirements/base.txt removes python-dotenv",
            ),
            (
                vec![removal_in("requirements.txt", &[], &[("requests", &["socks"])])],
                "requirements.txt drops the socks extra of requests",
            ),
            (
                vec![removal_in(
                    "requirements.txt",
                    &["a", "b", "c"],
                    &[("requests", &["security", "socks"])],
                )],
                "requirements.txt removes a, b and c and drops the security and socks extras of requests",
            ),
            (
                vec![
                    removal_in("requirements.txt", &["six"], &[]),
                    removal_in("requirements/base.txt", &["python-dotenv"], &[]),
                ],
                "requirements.txt removes six; requirements/base.txt removes python-dotenv",
            ),
        ];
        for (removals, want) in cases {
            assert_eq!(Removals(&removals).to_string(), want);
        }
        // The pronoun counts removed packages and dropped extras alike.
        assert_eq!(them(&[removal_in("r.txt", &["six"], &[])]), "it");
        assert_eq!(
            them(&[removal_in("r.txt", &[], &[("requests", &["socks"])])]),
            "it"
        );
        assert_eq!(
            them(&[removal_in("r.txt", &["six"], &[("requests", &["socks"])])]),
            "them"
        );
        assert_eq!(them(&[removal_in("r.txt", &["six", "attrs"], &[])]), "them");
        assert_eq!(and_list(&[]), "");
    }

    #[test]
    fn change_lines_are_stable() {
        let change = Change {
            removed: vec![
                name("six"),
                PackageId::Text("https://x.invalid/a \"b\".zip".into()),
            ],
            added: vec![name("attrs")],
            extras_dropped: vec![(name("requests"), ["socks".to_string()].into())],
            runtime: Some((Some(Runtime::new(3, 11, None)), None)),
            ..Change::default()
        };
        assert_eq!(
            change_lines(&change),
            [
                "removed six",
                "removed https://x.invalid/a \"b\".zip",
                "extras-dropped requests[socks]",
                "added attrs",
                "runtime python-3.11 -> none"
            ]
        );
    }
}
