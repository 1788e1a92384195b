//! The decision at the heart of envguard, as pure functions over plain data.
//!
//! [`choose_baseline`] picks what the push is compared with
//! (docs/removals.md, "What is compared with what"); [`decide`] turns a
//! baseline and the pushed snapshot into what the hook does and why
//! (docs/exit-codes.md, "The hook in detail"). Nothing here reads git,
//! files or the clock, so every rule is tested with values alone.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::OnRemoval;
use crate::fingerprint::{Identity, Snapshot};
use crate::ids::CommitId;
use crate::names::{self, PackageId, PackageSet};
use crate::platform::Runtime;
use crate::token::Token;

pub mod say;

/// Where the last-deployed state comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaselineSource {
    /// The remote's current commit for the pushed branch.
    RemoteCommit(CommitId),
    /// The branch is new on the remote; another deploying branch's
    /// remote-tracking ref (`refs/remotes/azure/master`) stands in.
    OtherBranch { refname: String, commit: CommitId },
    /// The pushed commit's own `.envguard/fingerprint.toml`.
    Fingerprint,
    /// Nothing: a first deployment.
    None,
}

/// What choosing the baseline needs to know, gathered by the caller.
#[derive(Clone, Debug, Default)]
pub struct BaselineFacts {
    /// The `<remote-sha>` git gave, `None` when all zeros (a new branch).
    pub remote_oid: Option<CommitId>,
    /// Whether that commit exists in the local repository.
    pub remote_oid_is_local: bool,
    /// Remote-tracking refs of the *other* deploying branches whose commit
    /// is in the local repository, in the configured order: (refname, oid).
    pub other_branches: Vec<(String, CommitId)>,
    /// Whether the pushed commit carries a fingerprint.
    pub pushed_has_fingerprint: bool,
}

/// The baseline, or the reason none can be chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaselineChoice {
    Use(BaselineSource),
    /// The remote has a commit this repository has never seen.
    FetchFirst(CommitId),
}

/// Picks the baseline: the remote's commit, else another deploying
/// branch's, else the pushed commit's fingerprint, else nothing
/// (docs/removals.md, "What is compared with what").
pub fn choose_baseline(facts: &BaselineFacts) -> BaselineChoice {
    if let Some(oid) = &facts.remote_oid {
        return if facts.remote_oid_is_local {
            BaselineChoice::Use(BaselineSource::RemoteCommit(oid.clone()))
        } else {
            BaselineChoice::FetchFirst(oid.clone())
        };
    }
    if let Some((refname, oid)) = facts.other_branches.first() {
        return BaselineChoice::Use(BaselineSource::OtherBranch {
            refname: refname.clone(),
            commit: oid.clone(),
        });
    }
    if facts.pushed_has_fingerprint {
        return BaselineChoice::Use(BaselineSource::Fingerprint);
    }
    BaselineChoice::Use(BaselineSource::None)
}

/// At most this many first-parent ancestors of a deployed commit are
/// looked at for the last one with a requirements file. Each costs a few
/// tree lookups (the README gives the figure); beyond it envguard stops
/// rather than guess.
pub const MAX_BASELINE_WALK: usize = 10_000;

/// What the server last installed: a deployed commit without the
/// requirements file installed nothing (docs/removals.md, "What is
/// compared with what").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Installed {
    /// This commit, `steps` first-parent commits back from the deployed
    /// one (0: the deployed commit itself).
    At { commit: CommitId, steps: usize },
    /// No commit of the history has the file: nothing was ever installed.
    Never,
    /// None of the deployed commit and its [`MAX_BASELINE_WALK`] nearest
    /// ancestors has the file.
    TooDeep,
}

/// Walks `history` (the deployed commit, then its first parents, each with
/// whether its tree has the requirements file under its own config) to the
/// nearest commit that has it, looking at no more than
/// [`MAX_BASELINE_WALK`] ancestors. The history is read lazily, as far as
/// needed; its errors pass through.
pub fn last_installed<E>(
    history: impl IntoIterator<Item = Result<(CommitId, bool), E>>,
) -> Result<Installed, E> {
    let mut looked_at = 0;
    for (steps, entry) in history.into_iter().take(MAX_BASELINE_WALK + 1).enumerate() {
        let (commit, has_requirements) = entry?;
        if has_requirements {
            return Ok(Installed::At { commit, steps });
        }
        looked_at = steps + 1;
    }
    Ok(if looked_at > MAX_BASELINE_WALK {
        Installed::TooDeep
    } else {
        Installed::Never
    })
}

/// The package-level difference between two snapshots.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Change {
    /// Packages in the baseline and not in the push.
    pub removed: Vec<PackageId>,
    /// Packages in the push and not in the baseline.
    pub added: Vec<PackageId>,
    /// Extras a staying package no longer asks for.
    pub extras_dropped: Vec<(PackageId, BTreeSet<String>)>,
    /// `Some((from, to))` when the runtime line differs.
    pub runtime: Option<(Option<Runtime>, Option<Runtime>)>,
    /// The baseline's requirements file of each removed package (and of
    /// each package whose extras were dropped), where it knows one.
    pub origins: BTreeMap<PackageId, String>,
}

/// What one requirements file lost: packages, and extras of packages that stay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Removal {
    /// The file, repository-relative.
    pub file: String,
    pub removed: Vec<String>,
    /// (package, the extras it no longer asks for).
    pub extras: Vec<(String, Vec<String>)>,
}

impl Change {
    /// Whether anything pip would leave behind was dropped.
    pub fn removes_anything(&self) -> bool {
        !self.removed.is_empty() || !self.extras_dropped.is_empty()
    }

    /// What was removed, grouped by the file it was listed in (`top`,
    /// the top requirements file, where the baseline records no file), in
    /// path order.
    pub fn removals(&self, top: &str) -> Vec<Removal> {
        let mut by_file: BTreeMap<&str, Removal> = BTreeMap::new();
        let file_of = |id: &PackageId| self.origins.get(id).map_or(top, String::as_str);
        let empty = |file: &str| Removal {
            file: file.to_string(),
            removed: Vec::new(),
            extras: Vec::new(),
        };
        for id in &self.removed {
            let file = file_of(id);
            let removal = by_file.entry(file).or_insert_with(|| empty(file));
            removal.removed.push(id.to_string());
        }
        for (id, extras) in &self.extras_dropped {
            let file = file_of(id);
            let removal = by_file.entry(file).or_insert_with(|| empty(file));
            removal
                .extras
                .push((id.to_string(), extras.iter().cloned().collect()));
        }
        by_file.into_values().collect()
    }

    /// `(from, to)` when the push changes the `python-X.Y` runtime.txt
    /// names (a patch level is no change).
    pub fn runtime_switch(&self) -> Option<(&Runtime, &Runtime)> {
        match &self.runtime {
            Some((Some(from), Some(to))) if from.selects_other_env_than(to) => Some((from, to)),
            _ => None,
        }
    }

    /// What was removed, one label each: `six`, `requests[socks]` for
    /// dropped extras.
    pub fn removed_labels(&self) -> Vec<String> {
        let mut labels: Vec<String> = self.removed.iter().map(ToString::to_string).collect();
        labels.extend(
            self.extras_dropped
                .iter()
                .map(|(id, extras)| names::label(id, extras)),
        );
        labels
    }
}

/// Compares two snapshots package by package, Python by Python: a package
/// (or extra) that the baseline installs on some Python the site may run
/// and the push does not install there is removed, whatever other Pythons
/// would do (docs/removals.md, "Environment markers": each candidate
/// Python judged on its own).
pub fn diff(baseline: &Snapshot, pushed: &Snapshot) -> Change {
    let mut removed: BTreeSet<PackageId> = BTreeSet::new();
    let mut dropped: BTreeMap<PackageId, BTreeSet<String>> = BTreeMap::new();
    for (before, after) in comparable_sets(baseline, pushed) {
        for (id, extras) in before {
            match after.get(id) {
                None => {
                    removed.insert(id.clone());
                }
                Some(now) => dropped
                    .entry(id.clone())
                    .or_default()
                    .extend(extras.difference(now).cloned()),
            }
        }
    }
    let mut change = Change {
        extras_dropped: dropped
            .into_iter()
            .filter(|(id, extras)| !extras.is_empty() && !removed.contains(id))
            .collect(),
        removed: removed.into_iter().collect(),
        ..Change::default()
    };
    let lost = change
        .removed
        .iter()
        .chain(change.extras_dropped.iter().map(|(id, _)| id));
    change.origins = lost
        .filter_map(|id| Some((id.clone(), baseline.origins.get(id)?.clone())))
        .collect();
    change.added = pushed
        .packages
        .keys()
        .filter(|id| !baseline.packages.contains_key(id))
        .cloned()
        .collect();
    if baseline.runtime != pushed.runtime {
        change.runtime = Some((baseline.runtime.clone(), pushed.runtime.clone()));
    }
    change
}

/// The pairs of package sets to compare: the one Python each side names
/// (whatever its patch level), else each Python with the same minor
/// version on the other side; a side that stands for every Python (a
/// fingerprint without a runtime) pairs with each of the other's.
fn comparable_sets<'s>(
    baseline: &'s Snapshot,
    pushed: &'s Snapshot,
) -> Vec<(&'s PackageSet, &'s PackageSet)> {
    let sides = |s: &'s Snapshot| -> Vec<(Option<&'s Runtime>, &'s PackageSet)> {
        if s.by_python.is_empty() {
            vec![(None, &s.packages)]
        } else {
            s.by_python.iter().map(|(r, set)| (Some(r), set)).collect()
        }
    };
    let (before, after) = (sides(baseline), sides(pushed));
    if let ([(_, one)], [(_, other)]) = (before.as_slice(), after.as_slice()) {
        return vec![(*one, *other)];
    }
    let mut pairs = Vec::new();
    for (b_python, b_set) in &before {
        for (p_python, p_set) in &after {
            let same = match (b_python, p_python) {
                (Some(b), Some(p)) => !b.selects_other_env_than(p),
                _ => true,
            };
            if same {
                pairs.push((*b_set, *p_set));
            }
        }
    }
    pairs
}

/// The verdict on one pushed ref: why it passes, or what was removed and
/// the policy that applies. Each variant carries only what it can mean, so
/// no action can contradict its reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// No baseline: nothing was deployed before.
    FirstDeployment,
    /// The pushed commit has no requirements file: nothing for pip to do.
    NoRequirements,
    /// Requirements, includes and runtime are byte-for-byte the baseline's.
    Unchanged,
    /// This push carries a new marker token: a clean is already scheduled.
    CleanScheduled(Change),
    /// The `python-X.Y` runtime changed and nothing was removed: the
    /// deployment script builds an environment for the new runtime where
    /// runtime.txt picks the Python. A removal in the same push is
    /// [`Decision::Removed`] all the same.
    RuntimeChanged {
        from: Runtime,
        to: Runtime,
        change: Change,
    },
    /// Only additions or version changes.
    NothingRemoved(Change),
    /// Packages (or extras) were removed; `policy` says what happens.
    Removed { policy: OnRemoval, change: Change },
}

impl Decision {
    /// Whether the push stops (exit 1): a marker commit, or a block.
    pub fn stops_push(&self) -> bool {
        matches!(
            self,
            Decision::Removed {
                policy: OnRemoval::Commit | OnRemoval::Block,
                ..
            }
        )
    }

    /// The package-level change, when packages were compared.
    pub fn change(&self) -> Option<&Change> {
        match self {
            Decision::FirstDeployment | Decision::NoRequirements | Decision::Unchanged => None,
            Decision::CleanScheduled(change)
            | Decision::RuntimeChanged { change, .. }
            | Decision::NothingRemoved(change)
            | Decision::Removed { change, .. } => Some(change),
        }
    }
}

/// An identity and the marker token of the same commit (or fingerprint).
pub type Marked<'a> = (&'a Identity, Option<&'a Token>);

/// What can be decided from identities and tokens alone, before any
/// package is read: a first deployment, a commit without requirements, or
/// the same bytes as the baseline, which is a clean already scheduled when
/// the push brings a new token (the push after `envguard --reset`; see
/// docs/formats.md, "How the two files are used by the hook"). `None`: the
/// packages must be compared.
pub fn quick(baseline: Option<Marked<'_>>, pushed: Marked<'_>) -> Option<Decision> {
    let Some((baseline, baseline_token)) = baseline else {
        return Some(Decision::FirstDeployment);
    };
    let (pushed, pushed_token) = pushed;
    if !pushed.has_requirements {
        return Some(Decision::NoRequirements);
    }
    // The same bytes need no package comparison at all.
    if baseline != pushed {
        return None;
    }
    Some(
        if pushed_token.is_some() && pushed_token != baseline_token {
            Decision::CleanScheduled(Change::default())
        } else {
            Decision::Unchanged
        },
    )
}

/// What a push of `pushed` over `baseline` needs (docs/exit-codes.md, "The
/// hook in detail"): nothing when the bytes are the same or a new marker
/// is on its way, a note for a runtime change alone, `on_removal`'s action
/// for a removal, nothing for additions.
pub fn decide(baseline: Option<&Snapshot>, pushed: &Snapshot, on_removal: OnRemoval) -> Decision {
    if let Some(decision) = quick(baseline.map(Snapshot::marked), pushed.marked()) {
        return decision;
    }
    let Some(baseline) = baseline else {
        return Decision::FirstDeployment;
    };
    let change = diff(baseline, pushed);
    // A token the baseline did not have means this push already schedules
    // a clean. A push without a marker schedules nothing.
    if pushed.token.is_some() && pushed.token != baseline.token {
        return Decision::CleanScheduled(change);
    }
    // A runtime change never excuses a removal: on Linux App Service the
    // site's own setting (FRAMEWORK_VERSION), not runtime.txt, picks the
    // Python, so deploy.sh may reuse the environment and keep what was
    // removed. Only a change that removes nothing passes with its note.
    if change.removes_anything() {
        return Decision::Removed {
            policy: on_removal,
            change,
        };
    }
    let switch = change
        .runtime_switch()
        .map(|(from, to)| (from.clone(), to.clone()));
    match switch {
        Some((from, to)) => Decision::RuntimeChanged { from, to, change },
        None => Decision::NothingRemoved(change),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::{CanonicalName, PackageSet};
    use crate::token::Token;

    fn snapshot(packages: &[&str], runtime: &str, token: Option<char>) -> Snapshot {
        let mut set = PackageSet::new();
        for p in packages {
            let (id, extras) = names::parse_label(p);
            set.insert(id, extras);
        }
        Snapshot {
            identity: Identity {
                requirements_sha256: format!("{packages:?}"),
                runtime_sha256: runtime.to_string(),
                has_requirements: true,
            },
            runtime: Runtime::parse(runtime),
            packages: set,
            by_python: Vec::new(),
            token: token.map(|c| Token::parse(&c.to_string().repeat(64)).unwrap()),
            origins: BTreeMap::new(),
        }
    }

    #[test]
    fn the_baseline_walk_stops_at_the_first_commit_with_requirements() {
        let walk = |has: &[bool]| {
            let history = has
                .iter()
                .enumerate()
                .map(|(i, &h)| Ok::<_, ()>((id(char::from(b'a' + i as u8)), h)));
            last_installed(history).unwrap()
        };
        let at = |c, steps| Installed::At {
            commit: id(c),
            steps,
        };
        assert_eq!(walk(&[true]), at('a', 0));
        assert_eq!(walk(&[false, false, true, true]), at('c', 2));
        assert_eq!(walk(&[false, false]), Installed::Never);
        assert_eq!(walk(&[]), Installed::Never);
        // The deployed commit and MAX_BASELINE_WALK ancestors, no more.
        let far = |len: usize, found: bool| {
            let history = (0..len).map(move |i| Ok::<_, ()>((id('f'), found && i + 1 == len)));
            last_installed(history).unwrap()
        };
        assert_eq!(far(MAX_BASELINE_WALK + 1, true), at('f', MAX_BASELINE_WALK));
        assert_eq!(far(MAX_BASELINE_WALK + 2, true), Installed::TooDeep);
        assert_eq!(far(MAX_BASELINE_WALK, false), Installed::Never);
        assert_eq!(far(MAX_BASELINE_WALK + 1, false), Installed::TooDeep);
        let failing = [Ok((id('a'), false)), Err("gone")];
        assert_eq!(last_installed(failing), Err("gone"));
    }

    #[test]
    fn each_candidate_python_is_judged_on_its_own() {
        let set = |names: &[&str]| -> PackageSet {
            names
                .iter()
                .map(|n| (PackageId::Name(CanonicalName::new(n)), BTreeSet::new()))
                .collect()
        };
        let py = |minor| Runtime::new(3, minor, None);
        let mut base = snapshot(&["a", "p"], "", None);
        base.by_python = vec![(py(10), set(&["a", "p"])), (py(11), set(&["a", "p"]))];
        let mut pushed = snapshot(&["a", "p"], "", None);
        pushed.identity.requirements_sha256 = "narrowed".into();
        pushed.by_python = vec![(py(10), set(&["a", "p"])), (py(11), set(&["a"]))];
        // The union is the same; on 3.11 `p` is gone.
        assert_eq!(base.packages, pushed.packages);
        assert_eq!(diff(&base, &pushed).removed_labels(), ["p"]);
        // One known Python on each side: compared with each other.
        base.by_python = vec![(Runtime::new(3, 11, Some(2)), set(&["a", "p"]))];
        pushed.by_python = vec![(py(11), set(&["a"]))];
        assert_eq!(diff(&base, &pushed).removed_labels(), ["p"]);
        // A known Python against candidates: the same minor version only.
        pushed.by_python = vec![(py(10), set(&["a"])), (py(11), set(&["a", "p"]))];
        assert!(diff(&base, &pushed).removed.is_empty());
        // A fingerprint with no runtime stands for every Python.
        base.by_python.clear();
        assert_eq!(diff(&base, &pushed).removed_labels(), ["p"]);
    }

    fn id(c: char) -> CommitId {
        CommitId::parse(&c.to_string().repeat(40)).unwrap()
    }

    /// The decision's variant and, when packages were removed, its policy.
    fn kind(d: &Decision) -> &'static str {
        match d {
            Decision::FirstDeployment => "first",
            Decision::NoRequirements => "no requirements",
            Decision::Unchanged => "unchanged",
            Decision::CleanScheduled(_) => "clean scheduled",
            Decision::RuntimeChanged { .. } => "runtime changed",
            Decision::NothingRemoved(_) => "nothing removed",
            Decision::Removed {
                policy: OnRemoval::Commit,
                ..
            } => "removed: commit",
            Decision::Removed {
                policy: OnRemoval::Block,
                ..
            } => "removed: block",
            Decision::Removed {
                policy: OnRemoval::Warn,
                ..
            } => "removed: warn",
        }
    }

    fn verdict(base: &Snapshot, pushed: &Snapshot) -> &'static str {
        kind(&decide(Some(base), pushed, OnRemoval::Commit))
    }

    #[test]
    fn rule2_remote_commit_when_known() {
        let facts = BaselineFacts {
            remote_oid: Some(id('1')),
            remote_oid_is_local: true,
            other_branches: vec![("refs/remotes/azure/master".into(), id('2'))],
            pushed_has_fingerprint: true,
        };
        assert_eq!(
            choose_baseline(&facts),
            BaselineChoice::Use(BaselineSource::RemoteCommit(id('1')))
        );
    }

    #[test]
    fn rule2_unknown_remote_commit_asks_to_fetch() {
        let facts = BaselineFacts {
            remote_oid: Some(id('1')),
            remote_oid_is_local: false,
            other_branches: vec![("refs/remotes/azure/master".into(), id('2'))],
            pushed_has_fingerprint: true,
        };
        assert_eq!(choose_baseline(&facts), BaselineChoice::FetchFirst(id('1')));
    }

    #[test]
    fn rule2_new_branch_uses_other_branch_then_fingerprint_then_nothing() {
        let mut facts = BaselineFacts {
            remote_oid: None,
            remote_oid_is_local: false,
            other_branches: vec![
                ("refs/remotes/azure/master".into(), id('2')),
                ("refs/remotes/azure/prod".into(), id('3')),
            ],
            pushed_has_fingerprint: true,
        };
        assert_eq!(
            choose_baseline(&facts),
            BaselineChoice::Use(BaselineSource::OtherBranch {
                refname: "refs/remotes/azure/master".into(),
                commit: id('2')
            })
        );
        facts.other_branches.clear();
        assert_eq!(
            choose_baseline(&facts),
            BaselineChoice::Use(BaselineSource::Fingerprint)
        );
        facts.pushed_has_fingerprint = false;
        assert_eq!(
            choose_baseline(&facts),
            BaselineChoice::Use(BaselineSource::None)
        );
    }

    #[test]
    fn quick_decides_only_from_identities() {
        let base = snapshot(&["a", "b"], "python-3.11", None);
        let same = base.identity.clone();
        let base = Some((&base.identity, None));
        assert_eq!(quick(None, (&same, None)), Some(Decision::FirstDeployment));
        assert_eq!(quick(base, (&same, None)), Some(Decision::Unchanged));
        let other = snapshot(&["a"], "python-3.11", None).identity;
        assert_eq!(quick(base, (&other, None)), None);
        let none = Identity {
            has_requirements: false,
            ..other
        };
        assert_eq!(quick(base, (&none, None)), Some(Decision::NoRequirements));
    }

    #[test]
    fn rule4_after_a_reset_the_same_requirements_carry_a_new_marker() {
        let reset = snapshot(&["a"], "python-3.11", Some('2'));
        let base = snapshot(&["a"], "python-3.11", Some('1'));
        assert_eq!(verdict(&base, &reset), "clean scheduled");
        let unmarked = snapshot(&["a"], "python-3.11", None);
        assert_eq!(verdict(&unmarked, &reset), "clean scheduled");
        assert_eq!(verdict(&reset, &reset), "unchanged");
        assert_eq!(verdict(&reset, &unmarked), "unchanged");
    }

    #[test]
    fn removals_are_grouped_by_the_file_they_were_listed_in() {
        let mut base = snapshot(&["python-dotenv", "requests[socks]", "six", "x"], "", None);
        base.origins = [
            ("python-dotenv", "requirements/base.txt"),
            ("requests", "requirements.txt"),
            ("six", "requirements/base.txt"),
        ]
        .into_iter()
        .map(|(n, f)| (names::parse_label(n).0, f.to_string()))
        .collect();
        let pushed = snapshot(&["requests"], "", None);
        let change = diff(&base, &pushed);
        assert_eq!(
            change.removals("requirements.txt"),
            [
                Removal {
                    file: "requirements.txt".into(),
                    removed: vec!["x".into()],
                    extras: vec![("requests".into(), vec!["socks".into()])],
                },
                Removal {
                    file: "requirements/base.txt".into(),
                    removed: vec!["python-dotenv".into(), "six".into()],
                    extras: vec![],
                },
            ]
        );
    }

    #[test]
    fn first_deployment_passes() {
        let pushed = snapshot(&["a"], "python-3.11", None);
        let d = decide(None, &pushed, OnRemoval::Block);
        assert_eq!(d, Decision::FirstDeployment);
        assert!(!d.stops_push());
        assert_eq!(d.change(), None);
    }

    #[test]
    fn rule3_same_bytes_pass_without_comparing() {
        let base = snapshot(&["a", "b"], "python-3.11", None);
        let mut pushed = base.clone();
        // Even a (corrupt) package difference is not looked at.
        pushed.packages.clear();
        assert_eq!(verdict(&base, &pushed), "unchanged");
    }

    #[test]
    fn rule4_new_token_passes() {
        let base = snapshot(&["a", "b"], "python-3.11", Some('1'));
        let pushed = snapshot(&["a"], "python-3.11", Some('2'));
        assert_eq!(verdict(&base, &pushed), "clean scheduled");
        let base = snapshot(&["a", "b"], "python-3.11", None);
        assert_eq!(verdict(&base, &pushed), "clean scheduled");
    }

    #[test]
    fn rule4_same_or_deleted_token_schedules_nothing() {
        let base = snapshot(&["a", "b"], "python-3.11", Some('1'));
        let same = snapshot(&["a"], "python-3.11", Some('1'));
        assert_eq!(verdict(&base, &same), "removed: commit");
        let deleted = snapshot(&["a"], "python-3.11", None);
        assert_eq!(verdict(&base, &deleted), "removed: commit");
    }

    #[test]
    fn rule5_a_runtime_change_alone_passes_with_its_note() {
        let base = snapshot(&["a", "b"], "python-3.11", None);
        let minor = snapshot(&["a", "b", "c"], "python-3.12", None);
        match decide(Some(&base), &minor, OnRemoval::Commit) {
            Decision::RuntimeChanged { from, to, change } => {
                assert_eq!(
                    (from, to),
                    (Runtime::new(3, 11, None), Runtime::new(3, 12, None))
                );
                assert!(!change.removes_anything());
                assert_eq!(change.added.len(), 1);
            }
            other => panic!("{other:?}"),
        }
        // The same requirements, runtime.txt alone bumped.
        let bump = snapshot(&["a", "b"], "python-3.12", None);
        assert_eq!(verdict(&base, &bump), "runtime changed");
    }

    #[test]
    fn rule5_a_runtime_change_never_excuses_a_removal() {
        let base = snapshot(&["a", "b", "requests[socks]"], "python-3.11", None);
        for (pushed, removed) in [
            (vec!["a", "requests[socks]"], "b"),
            (vec!["a", "b", "requests"], "requests[socks]"),
        ] {
            let pushed = snapshot(&pushed, "python-3.12", None);
            for (policy, name) in [
                (OnRemoval::Commit, "removed: commit"),
                (OnRemoval::Block, "removed: block"),
                (OnRemoval::Warn, "removed: warn"),
            ] {
                let d = decide(Some(&base), &pushed, policy);
                assert_eq!(kind(&d), name);
                let change = d.change().unwrap();
                assert_eq!(change.removed_labels(), [removed]);
                // The runtime change is still known, for the message.
                assert_eq!(
                    change.runtime,
                    Some((
                        Some(Runtime::new(3, 11, None)),
                        Some(Runtime::new(3, 12, None))
                    ))
                );
            }
        }
    }

    #[test]
    fn rule5_a_patch_level_is_no_runtime_change() {
        let base = snapshot(&["a", "b"], "python-3.11", None);
        let patch = snapshot(&["a"], "python-3.11.4", None);
        assert_eq!(verdict(&base, &patch), "removed: commit");
        let mut whitespace = snapshot(&["a"], "python-3.11", None);
        whitespace.identity.runtime_sha256 = "python-3.11 \n".into();
        assert_eq!(verdict(&base, &whitespace), "removed: commit");
        // A runtime that appears or disappears is no proven rebuild.
        let unknown = snapshot(&["a"], "", None);
        assert_eq!(verdict(&base, &unknown), "removed: commit");
        let appears = snapshot(&["a"], "python-3.12", None);
        let base_unknown = snapshot(&["a", "b"], "", None);
        assert_eq!(verdict(&base_unknown, &appears), "removed: commit");
        let same_packages = snapshot(&["a", "b"], "python-3.11.4", None);
        assert_eq!(verdict(&base, &same_packages), "nothing removed");
    }

    #[test]
    fn rule6_on_removal_policies() {
        let base = snapshot(&["a", "b"], "python-3.11", None);
        let pushed = snapshot(&["a"], "python-3.11", None);
        for (policy, name, stops) in [
            (OnRemoval::Commit, "removed: commit", true),
            (OnRemoval::Block, "removed: block", true),
            (OnRemoval::Warn, "removed: warn", false),
        ] {
            let d = decide(Some(&base), &pushed, policy);
            assert_eq!(kind(&d), name);
            assert_eq!(d.stops_push(), stops);
            assert_eq!(d.change().unwrap().removed_labels(), ["b"]);
        }
    }

    #[test]
    fn rule6_dropped_extras_are_removals() {
        let base = snapshot(&["requests[security,socks]"], "python-3.11", None);
        let pushed = snapshot(&["requests[security]"], "python-3.11", None);
        let d = decide(Some(&base), &pushed, OnRemoval::Commit);
        assert_eq!(kind(&d), "removed: commit");
        assert_eq!(d.change().unwrap().removed_labels(), ["requests[socks]"]);
        let more = snapshot(&["requests[security,socks,x]"], "python-3.11", None);
        assert_eq!(verdict(&base, &more), "nothing removed");
    }

    #[test]
    fn rule7_additions_pass() {
        let base = snapshot(&["a"], "python-3.11", None);
        let pushed = snapshot(&["a", "c"], "python-3.11", None);
        let d = decide(Some(&base), &pushed, OnRemoval::Commit);
        assert_eq!(kind(&d), "nothing removed");
        assert!(!d.stops_push());
        assert_eq!(
            d.change().unwrap().added,
            [PackageId::Name(CanonicalName::new("c"))]
        );
    }

    #[test]
    fn diff_reports_a_runtime_change_and_only_one() {
        let base = snapshot(&["a"], "python-3.11", None);
        let same = snapshot(&["a", "b"], "python-3.11", None);
        assert_eq!(diff(&base, &same).runtime, None);
        let patch = snapshot(&["a"], "python-3.11.4", None);
        assert_eq!(
            diff(&base, &patch).runtime,
            Some((
                Some(Runtime::new(3, 11, None)),
                Some(Runtime::new(3, 11, Some(4)))
            ))
        );
        let gone = snapshot(&["a"], "", None);
        assert_eq!(
            diff(&base, &gone).runtime,
            Some((Some(Runtime::new(3, 11, None)), None))
        );
    }

    #[test]
    fn no_requirements_file_passes() {
        let base = snapshot(&["a"], "python-3.11", None);
        let mut pushed = snapshot(&[], "python-3.11", None);
        pushed.identity.has_requirements = false;
        assert_eq!(verdict(&base, &pushed), "no requirements");
    }
}
