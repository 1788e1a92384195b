//! `envguard pre-push`: what git runs before a push.
//!
//! git passes the remote's name and URL as arguments and one line per ref on
//! stdin ([`protocol`]). For each line that deploys, the hook gathers the
//! facts ([`facts`]), asks the core's [`decide`](envguard_core::decide)
//! what to do, says it (a [`Note`]) and, on a removal under
//! `on_removal = "commit"`, has [`marker`] commit a marker; whatever stops
//! a push with exit 2 is a [`Refusal`]. Over ssh and local paths git sends
//! what it resolved before the hook ran, so a marker commit made here is
//! never pushed by this push: the hook always stops the push after one.

pub mod facts;
pub mod marker;
pub mod protocol;
pub mod refusal;

use std::fmt;
use std::io::Write;

use anyhow::{Context, Result};
use envguard_core::config::{Config, OnRemoval, CONFIG_PATH};
use envguard_core::decide::say as decision;
use envguard_core::decide::{self, BaselineSource, Change, Decision};
use envguard_core::deployment::DEPLOYMENT_PATH;
use envguard_core::fingerprint::Snapshot;
use envguard_core::ids::{CommitId, MaybeZeroId};
use envguard_core::managers::{self, PreCommitPush};
use envguard_core::names::PackageId;
use envguard_core::platform::Runtime;
use envguard_core::requirements::{ReadFile, Warning};
use envguard_core::text::quote;
use envguard_core::token::{FINGERPRINT_PATH, MARKER_PATH};

use crate::quote::shell_word;
use crate::repo::{self, Repo, Retry};
use crate::say::{self, Outcome, Verbosity};
use facts::{baseline_for, Deploying, Push, PushedIdentity};
use protocol::RefLine;
pub use refusal::Refusal;

/// What the hook says about a push besides refusing it: its decision, and
/// the notes around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// What the hook decided for a push that goes on, or stops by policy.
    Decided {
        /// `remote branch`.
        place: String,
        requirements: String,
        decision: Decision,
    },
    /// One push names a branch twice; the first marker serves both.
    MarkerCoversThisBranch { place: String },
    /// A push that removes packages also changes the runtime, which does
    /// not excuse the removal.
    RuntimeDoesNotExcuse {
        place: String,
        from: Runtime,
        to: Runtime,
    },
    /// A line of requirements envguard could not read.
    RequirementsWarning(Warning),
    /// pre-commit's from-ref is not the remote-tracking ref: both are compared.
    ComparedWithBoth {
        place: String,
        tracking: CommitId,
        from_ref: CommitId,
    },
    /// Removed packages that envguard.toml's `keep` lists.
    KeptPackagesRemoved {
        names: Vec<String>,
        policy: OnRemoval,
    },
    /// `-v`: where a push's settings come from.
    ConfigFrom {
        place: String,
        commit: CommitId,
        has_config: bool,
        has_deployment: bool,
    },
    /// `-v`: what a push is compared with.
    BaselineFrom {
        place: String,
        source: BaselineSource,
    },
    /// `-v`: the files whose bytes decided.
    FilesCompared { place: String, paths: Vec<String> },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Decided {
                place,
                requirements,
                decision,
            } => match decision {
                Decision::Removed {
                    policy: OnRemoval::Warn,
                    change,
                } => {
                    let removals = change.removals(requirements);
                    write!(
                        f,
                        "{place}: warning: {}; the server keeps {} installed \
                         (on_removal = \"warn\"; run `envguard --reset` to clean the environment)",
                        decision::Removals(&removals),
                        decision::them(&removals)
                    )
                }
                Decision::Removed {
                    policy: OnRemoval::Block,
                    change,
                } => write!(
                    f,
                    "{place}: push stopped: {}, which the server would keep installed.\n\
                     run `envguard --reset` to schedule a clean environment, then push again \
                     (or push anyway with `git push --no-verify`)",
                    decision::Removals(&change.removals(requirements))
                ),
                _ => write!(f, "{place}: {}", decision::Outcome(decision, requirements)),
            },
            Note::MarkerCoversThisBranch { place } => {
                write!(f, "{place}: the marker committed above covers this branch too")
            }
            Note::RuntimeDoesNotExcuse { place, from, to } => write!(
                f,
                "{place}: runtime.txt also changes from {} to {}, which does not excuse the \
                 removal: a Linux App Service site runs the Python of its own setting \
                 (FRAMEWORK_VERSION), not runtime.txt's, and keeps its environment while that stays",
                from.selector(),
                to.selector()
            ),
            Note::RequirementsWarning(warning) => {
                write!(f, "warning: {}", quote(warning.to_string()))
            }
            Note::ComparedWithBoth {
                place,
                tracking,
                from_ref,
            } => write!(
                f,
                "{place}: pre-commit compares from {}, but this repository last saw the remote at {}; \
                 envguard compares with both, and a removal against either counts",
                from_ref.short(),
                tracking.short()
            ),
            Note::KeptPackagesRemoved { names, policy } => {
                let names = decision::and_list(names);
                match policy {
                    OnRemoval::Warn => write!(
                        f,
                        "note: envguard.toml's `keep` lists {names}: the server's leftovers check never counts \
                         what it lists, so it stays installed there"
                    ),
                    OnRemoval::Commit | OnRemoval::Block => write!(
                        f,
                        "note: envguard.toml's `keep` lists {names}: the server's leftovers check never counts \
                         what it lists, but a clean rebuilds the environment from the requirements alone, so \
                         afterwards the server has {names} only if what installs it outside them \
                         (a PRE_BUILD_COMMAND, a startup step) runs again"
                    ),
                }
            }
            Note::ConfigFrom {
                place,
                commit,
                has_config,
                has_deployment,
            } => {
                let files = match (has_config, has_deployment) {
                    (true, true) => "envguard.toml and .deployment",
                    (true, false) => "envguard.toml (no .deployment)",
                    (false, true) => ".deployment (no envguard.toml)",
                    (false, false) => "defaults (no envguard.toml, no .deployment)",
                };
                write!(
                    f,
                    "{place}: settings from {files} of the pushed commit {}",
                    commit.short()
                )
            }
            Note::BaselineFrom { place, source } => {
                write!(f, "{place}: compared with ")?;
                match source {
                    BaselineSource::RemoteCommit(commit) => {
                        write!(f, "the remote's commit {}", commit.short())
                    }
                    BaselineSource::OtherBranch { refname, commit } => write!(
                        f,
                        "{refname} at {} (the branch is new on the remote)",
                        commit.short()
                    ),
                    BaselineSource::Fingerprint => write!(
                        f,
                        "the pushed commit's {FINGERPRINT_PATH} (the branch is new on the remote)"
                    ),
                    BaselineSource::None => f.write_str("nothing: a first deployment"),
                }
            }
            Note::FilesCompared { place, paths } => {
                write!(f, "{place}: decided by the bytes of {}", paths.join(", "))
            }
        }
    }
}

/// Says each of `notes`, in order, and forgets them.
fn say_notes(notes: &mut Vec<facts::Note>, err: &mut dyn Write) -> Result<()> {
    for note in notes.drain(..) {
        say::line(err, note)?;
    }
    Ok(())
}

/// Runs the hook over git's input. `open` opens the repository only when a
/// line needs it, so pushes that cannot deploy cost nothing.
pub fn pre_push(
    remote: &str,
    url: &str,
    input: &[u8],
    open: impl FnOnce() -> Result<Repo>,
    verbosity: Verbosity,
    err: &mut dyn Write,
) -> Result<Outcome> {
    let mut lines = Vec::new();
    for (index, text) in input.split(|&b| b == b'\n').enumerate() {
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line = RefLine::parse(text).ok_or_else(|| Refusal::MalformedInput {
            number: index + 1,
            text: text.to_vec(),
        })?;
        // Deletes, tags and other non-branch refs never deploy
        // (docs/exit-codes.md, "The hook in detail").
        if line.may_deploy() {
            lines.push(line);
        }
    }
    if lines.is_empty() {
        return Ok(Outcome::Success);
    }
    if lines.iter().any(RefLine::is_sha256) {
        return sha256_push(remote, url, &lines);
    }
    check_lines(&open()?, remote, url, &lines, verbosity, err)
}

/// Runs the hook for a push that pre-commit or prek describe in their
/// variables ([`PreCommitPush`]): git's ref line is rebuilt from them, with
/// the remote's side as [`managers::pre_commit_remotes`] decides.
pub fn pre_push_from_pre_commit(
    push: &PreCommitPush,
    open: impl FnOnce() -> Result<Repo>,
    verbosity: Verbosity,
    err: &mut dyn Write,
) -> Result<Outcome> {
    // Tags and other non-branch refs never deploy (docs/exit-codes.md,
    // "The hook in detail").
    let Some(branch) = push.remote_branch.strip_prefix("refs/heads/") else {
        return Ok(Outcome::Success);
    };
    let repo = open()?;
    let commit = |what: &str, text: &str| {
        CommitId::parse(text)
            .with_context(|| format!("pre-commit's {what} is not a commit id: {text:?}"))
    };
    let local = match &push.to_ref {
        Some(to) => commit("PRE_COMMIT_TO_REF", to)?,
        None => repo.resolve(&push.local_branch)?,
    };
    let from = push
        .from_ref
        .as_deref()
        .map(|from| commit("PRE_COMMIT_FROM_REF", from))
        .transpose()?;
    let tracking = repo
        .tracking_ref(&push.remote_name, branch)?
        .map(|(_, id)| id);
    let remotes = managers::pre_commit_remotes(from.as_ref(), tracking.as_ref());
    if let (Some(from_ref), Some(tracking), 2) = (from, tracking, remotes.len()) {
        let place = format!("{} {branch}", push.remote_name);
        let note = Note::ComparedWithBoth {
            place,
            tracking,
            from_ref,
        };
        say::line(err, note)?;
    }
    let lines: Vec<RefLine> = remotes
        .into_iter()
        .map(|remote| RefLine {
            local_ref: push.local_branch.clone().into_bytes(),
            local: MaybeZeroId::Id(local.clone()),
            remote_ref: push.remote_branch.clone().into_bytes(),
            remote,
        })
        .collect();
    check_lines(
        &repo,
        &push.remote_name,
        &push.remote_url,
        &lines,
        verbosity,
        err,
    )
}

/// Checks each line that may deploy; the push stops if any line stops it.
fn check_lines(
    repo: &Repo,
    remote: &str,
    url: &str,
    lines: &[RefLine],
    verbosity: Verbosity,
    err: &mut dyn Write,
) -> Result<Outcome> {
    let mut outcome = Outcome::Success;
    let mut marked = Vec::new();
    for line in lines {
        if check_line(repo, remote, url, line, &mut marked, verbosity, err)? == Outcome::Stopped {
            outcome = Outcome::Stopped;
        }
    }
    Ok(outcome)
}

/// A push from a SHA-256 repository, which git2 cannot open: each line is
/// judged by the pushed commit's own config, read through git itself; one
/// that deploys stops the push with the reason, the others pass.
fn sha256_push(remote: &str, url: &str, lines: &[RefLine]) -> Result<Outcome> {
    for line in lines {
        let (Some(pushed), Some(remote_ref)) = (line.pushed(), line.remote_branch_ref()) else {
            continue;
        };
        let config = Config::read(&mut repo::read_with_git(pushed))?;
        if let Some(branch) = config
            .deploying_branch(remote_ref)
            .filter(|_| config.matches_remote(remote, url))
        {
            let place = format!("{remote} {branch}");
            return Err(Refusal::Sha256Push { place }.into());
        }
    }
    Ok(Outcome::Success)
}

/// `marked` lists the local refs this run already committed a marker on,
/// with the commit they had: one push can name a branch twice
/// (`main:main main:master`), and one marker serves both.
fn check_line(
    repo: &Repo,
    remote: &str,
    url: &str,
    line: &RefLine,
    marked: &mut Vec<(Vec<u8>, CommitId)>,
    verbosity: Verbosity,
    err: &mut dyn Write,
) -> Result<Outcome> {
    let (Some(pushed), Some(remote_ref)) = (line.pushed().cloned(), line.remote_branch_ref())
    else {
        return Ok(Outcome::Success);
    };
    if let Some((kind, tagged)) = repo.not_a_commit(&pushed)? {
        return not_a_commit(repo, remote, url, line, (pushed, kind, tagged), remote_ref);
    }
    // Every file of the pushed commit is read through this one reader.
    let mut read = repo.reader(&pushed)?;
    let config = Config::read(&mut read)?;
    let Some(branch) = config
        .deploying_branch(remote_ref)
        .filter(|_| config.matches_remote(remote, url))
    else {
        return Ok(Outcome::Success);
    };
    let target = Deploying {
        remote,
        branch,
        line,
        pushed,
        config,
        verbosity,
    };
    match judge(repo, &target, &mut read, err)? {
        Judgement::Said(decision) => {
            if let Decision::CleanScheduled(_) = decision {
                // The clean this push promises happens only if the server
                // reads the marker's token from its checkout.
                let place = Some(target.place());
                let paths = [MARKER_PATH];
                marker::check_checkout(repo, &target.pushed, &paths, place, Retry::Push)?;
            }
            say(&target, decision, err)
        }
        Judgement::CommitMarker { change, snapshot } => {
            let key = (line.local_ref.clone(), target.pushed.clone());
            say_kept(&target, &change, OnRemoval::Commit, err)?;
            if marked.contains(&key) {
                let place = target.place();
                say::line(err, Note::MarkerCoversThisBranch { place })?;
            } else {
                marker::commit_for_push(repo, &target, &snapshot, &change, err)?;
                marked.push(key);
            }
            Ok(Outcome::Stopped)
        }
    }
}

/// A line that sends an object other than a commit (an annotated tag,
/// `git push azure v1:refs/heads/master`) to a branch. git on the remote
/// refuses it, so it cannot deploy; where it would go to a deploying branch
/// (by the tagged commit's config), the push stops with what it is and the
/// push of the tagged commit, rather than pass a push that fails anyway.
fn not_a_commit(
    repo: &Repo,
    remote: &str,
    url: &str,
    line: &RefLine,
    (object, kind, tagged): (CommitId, &'static str, Option<CommitId>),
    remote_ref: &str,
) -> Result<Outcome> {
    if let Some(commit) = &tagged {
        let config = Config::read(&mut repo.reader(commit)?)?;
        let deploys =
            config.deploying_branch(remote_ref).is_some() && config.matches_remote(remote, url);
        if !deploys {
            return Ok(Outcome::Success);
        }
    }
    let again = match (&tagged, line.local_ref()) {
        (Some(_), Some(local)) => Some(format!(
            "git push {} {}",
            shell_word(remote),
            shell_word(&format!("{local}^{{}}:{remote_ref}"))
        )),
        _ => None,
    };
    Err(Refusal::NotACommit {
        local_ref: line.local_ref.clone(),
        object,
        kind,
        tagged,
        remote_ref: remote_ref.to_string(),
        again,
    }
    .into())
}

/// What the hook does with a deploying line.
enum Judgement {
    /// Say the decision; it stops the push or not by itself.
    Said(Decision),
    /// Commit a marker for this change over the pushed `snapshot`.
    CommitMarker { change: Change, snapshot: Snapshot },
}

/// The decision for one deploying line (docs/removals.md, "What is compared
/// with what"; docs/exit-codes.md, "The hook in detail"); `read` reads the
/// pushed commit.
fn judge(
    repo: &Repo,
    target: &Deploying<'_>,
    read: &mut ReadFile<'_>,
    err: &mut dyn Write,
) -> Result<Judgement> {
    let config = &target.config;
    let fingerprint = read(FINGERPRINT_PATH)?;
    let push = Push {
        remote: target.remote,
        branch: target.branch,
        remote_commit: target.line.remote.commit().cloned(),
        fingerprint: fingerprint.as_deref(),
    };
    let mut notes = Vec::new();
    let baseline = baseline_for(repo, config, &push, &mut notes)?;
    say_notes(&mut notes, err)?;
    let verbose = target.verbosity == Verbosity::Verbose;
    if verbose {
        let place = target.place();
        let settings = Note::ConfigFrom {
            place: place.clone(),
            commit: target.pushed.clone(),
            has_config: read(CONFIG_PATH)?.is_some(),
            has_deployment: read(DEPLOYMENT_PATH)?.is_some(),
        };
        let source = baseline.source.clone();
        say::line(err, settings)?;
        say::line(err, Note::BaselineFrom { place, source })?;
    }
    // The fast path: hashes of the files alone, no requirement parsed.
    let identity = PushedIdentity::read(target.pushed.clone(), config, read)?;
    if verbose {
        let place = target.place();
        let paths = identity.paths.clone();
        say::line(err, Note::FilesCompared { place, paths })?;
    }
    let baseline_identity = baseline.identity(repo, &identity, &mut notes);
    say_notes(&mut notes, err)?;
    let baseline_identity = baseline_identity?;
    let baseline_marked = baseline_identity.as_ref().map(|(i, t)| (i, t.as_ref()));
    let pushed_marked = (&identity.identity, identity.token.as_ref());
    if let Some(decision) = decide::quick(baseline_marked, pushed_marked) {
        return Ok(Judgement::Said(decision));
    }
    let (snapshot, warnings) = Snapshot::read(config, read)?;
    let baseline_snapshot = baseline.snapshot(repo, &mut notes);
    say_notes(&mut notes, err)?;
    let baseline_snapshot = baseline_snapshot?;
    let decision = decide::decide(baseline_snapshot.as_ref(), &snapshot, config.on_removal);
    for warning in warnings {
        say::line(err, Note::RequirementsWarning(warning))?;
    }
    if let Some(note) = runtime_note(&target.place(), &decision) {
        say::line(err, note)?;
    }
    Ok(match decision {
        Decision::Removed {
            policy: OnRemoval::Commit,
            change,
        } => Judgement::CommitMarker { change, snapshot },
        decision => Judgement::Said(decision),
    })
}

/// The note that a runtime change in a push that removes packages does
/// not excuse the removal (`status` says it too).
pub fn runtime_note(place: &str, decision: &Decision) -> Option<Note> {
    let Decision::Removed { change, .. } = decision else {
        return None;
    };
    let (from, to) = change.runtime_switch()?;
    Some(Note::RuntimeDoesNotExcuse {
        place: place.to_string(),
        from: from.clone(),
        to: to.clone(),
    })
}

/// Says what was decided; the push stops when the decision says so.
/// Under `--quiet` only a removal (a stop, or a warning) is said.
fn say(target: &Deploying<'_>, decision: Decision, err: &mut dyn Write) -> Result<Outcome> {
    let outcome = if decision.stops_push() {
        Outcome::Stopped
    } else {
        Outcome::Success
    };
    if let Decision::Removed { policy, change } = &decision {
        say_kept(target, change, *policy, err)?;
    } else if target.verbosity == Verbosity::Quiet {
        return Ok(outcome);
    }
    let note = Note::Decided {
        place: target.place(),
        requirements: target.config.requirements.clone(),
        decision,
    };
    say::lines(err, &note.to_string())?;
    Ok(outcome)
}

/// Names the removed packages that envguard.toml's `keep` lists, and what
/// the server does with them.
fn say_kept(
    target: &Deploying<'_>,
    change: &Change,
    policy: OnRemoval,
    err: &mut dyn Write,
) -> Result<()> {
    let names: Vec<String> = change
        .removed
        .iter()
        .filter_map(|id| match id {
            PackageId::Name(name) if target.config.keep.contains(name) => Some(name.to_string()),
            _ => None,
        })
        .collect();
    if !names.is_empty() {
        say::line(err, Note::KeptPackagesRemoved { names, policy })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_to_deploy_never_opens_the_repo() {
        let z = "0".repeat(40);
        let a = "a".repeat(40);
        let input =
            format!("(delete) {z} refs/heads/main {a}\nrefs/tags/v1 {a} refs/tags/v1 {z}\n\n");
        let mut err = Vec::new();
        let outcome = pre_push(
            "azure",
            "/x",
            input.as_bytes(),
            || panic!("opened"),
            Verbosity::Normal,
            &mut err,
        )
        .unwrap();
        assert_eq!(outcome, Outcome::Success);
        assert!(err.is_empty());
        let bad = pre_push(
            "azure",
            "/x",
            b"not a ref line\n",
            || panic!("opened"),
            Verbosity::Normal,
            &mut err,
        );
        assert_eq!(
            bad.unwrap_err().to_string(),
            "line 1 of git's input is not `<local-ref> <oid> <remote-ref> <oid>`: \"not a ref line\""
        );
    }

    #[test]
    fn a_pre_commit_push_of_a_tag_never_opens_the_repo() {
        let push = PreCommitPush {
            remote_name: "azure".into(),
            remote_url: "/x".into(),
            local_branch: "refs/tags/v1".into(),
            remote_branch: "refs/tags/v1".into(),
            from_ref: None,
            to_ref: Some("a".repeat(40)),
        };
        let mut err = Vec::new();
        let outcome =
            pre_push_from_pre_commit(&push, || panic!("opened"), Verbosity::Normal, &mut err)
                .unwrap();
        assert_eq!(outcome, Outcome::Success);
        assert!(err.is_empty());
    }
}

#[cfg(test)]
mod note_tests {
    use super::*;
    use envguard_core::names::{CanonicalName, PackageId};

    fn id(c: char) -> CommitId {
        CommitId::parse(&c.to_string().repeat(40)).unwrap()
    }

    fn removal(policy: OnRemoval) -> Decision {
        let name = |n: &str| PackageId::Name(CanonicalName::new(n));
        let change = Change {
            removed: vec![name("six")],
            extras_dropped: vec![(name("requests"), ["socks".to_string()].into())],
            ..Change::default()
        };
        Decision::Removed { policy, change }
    }

    fn decided(decision: Decision) -> String {
        Note::Decided {
            place: "azure main".into(),
            requirements: "requirements.txt".into(),
            decision,
        }
        .to_string()
    }

    // Each decision's sentence, pinned: the hook's line and `status`'s Push line.
    #[test]
    fn decisions_read_as_they_should() {
        let cases = [
            (Decision::FirstDeployment, "azure main: first deployment: nothing to compare with"),
            (
                Decision::NoRequirements,
                "azure main: no requirements.txt in this commit: the server skips pip, and its environment stays as it is \
                 (every package installed before stays installed); when requirements.txt comes back, envguard \
                 compares it with the last deployed commit that had it",
            ),
            (Decision::Unchanged, "azure main: requirements unchanged"),
            (
                Decision::CleanScheduled(Change::default()),
                "azure main: this push carries a new force-clean marker: the server deletes and rebuilds the \
                 environment once",
            ),
            (
                Decision::RuntimeChanged {
                    from: Runtime::new(3, 11, Some(4)),
                    to: Runtime::new(3, 12, None),
                    change: Change::default(),
                },
                "azure main: runtime changes from python-3.11 to python-3.12 and no package is removed: nothing \
                 stale to clean (the deployment script builds an environment for the Python the site runs)",
            ),
            (
                Decision::NothingRemoved(Change::default()),
                "azure main: no packages removed",
            ),
            (
                removal(OnRemoval::Commit),
                "azure main: stopped: removes six, requests[socks]; envguard commits a force-clean marker, then you push again",
            ),
            (
                removal(OnRemoval::Warn),
                "azure main: warning: requirements.txt removes six and drops the socks extra of requests; the \
                 server keeps them installed \
                 (on_removal = \"warn\"; run `envguard --reset` to clean the environment)",
            ),
            (
                removal(OnRemoval::Block),
                "azure main: push stopped: requirements.txt removes six and drops the socks extra of requests, \
                 which the server would keep installed.\n\
                 run `envguard --reset` to schedule a clean environment, then push again \
                 (or push anyway with `git push --no-verify`)",
            ),
        ];
        for (decision, want) in cases {
            assert_eq!(decided(decision), want);
        }
        let note = Note::RuntimeDoesNotExcuse {
            place: "azure main".into(),
            from: Runtime::new(3, 11, Some(4)),
            to: Runtime::new(3, 12, None),
        };
        assert_eq!(
            note.to_string(),
            "azure main: runtime.txt also changes from python-3.11 to python-3.12, which does not excuse the \
             removal: a Linux App Service site runs the Python of its own setting (FRAMEWORK_VERSION), not \
             runtime.txt's, and keeps its environment while that stays"
        );
        assert_eq!(
            decision::Outcome(&removal(OnRemoval::Block), "requirements.txt").to_string(),
            "stopped: removes six, requests[socks]; run `envguard --reset`, then push"
        );
        assert_eq!(
            decision::Outcome(&removal(OnRemoval::Warn), "r.txt").to_string(),
            "goes on with a warning: removes six, requests[socks] (on_removal = \"warn\")"
        );
    }

    // The warning's pronoun counts removed packages and dropped extras alike.
    #[test]
    fn the_warning_says_it_for_one_thing_and_them_for_more() {
        let name = |n: &str| PackageId::Name(CanonicalName::new(n));
        let warned = |removed: &[&str], extras: bool| {
            let change = Change {
                removed: removed.iter().map(|n| name(n)).collect(),
                extras_dropped: if extras {
                    vec![(name("requests"), ["socks".to_string()].into())]
                } else {
                    Vec::new()
                },
                ..Change::default()
            };
            decided(Decision::Removed {
                policy: OnRemoval::Warn,
                change,
            })
        };
        assert!(warned(&[], true).contains("the server keeps it installed"));
        assert!(warned(&["six"], false).contains("the server keeps it installed"));
        assert!(warned(&["six"], true).contains("the server keeps them installed"));
        assert!(warned(&["six", "attrs"], true).contains("the server keeps them installed"));
    }

    // `-v` says where each decision came from.
    #[test]
    fn verbose_lines_name_their_sources() {
        let cases = [
            (
                Note::ConfigFrom {
                    place: "azure main".into(),
                    commit: id('a'),
                    has_config: true,
                    has_deployment: false,
                },
                "azure main: settings from envguard.toml (no .deployment) of the pushed commit aaaaaaaaaaaa",
            ),
            (
                Note::BaselineFrom {
                    place: "azure main".into(),
                    source: BaselineSource::OtherBranch {
                        refname: "refs/remotes/azure/master".into(),
                        commit: id('b'),
                    },
                },
                "azure main: compared with refs/remotes/azure/master at bbbbbbbbbbbb (the branch is new on the remote)",
            ),
            (
                Note::BaselineFrom {
                    place: "azure main".into(),
                    source: BaselineSource::None,
                },
                "azure main: compared with nothing: a first deployment",
            ),
            (
                Note::FilesCompared {
                    place: "azure main".into(),
                    paths: vec!["requirements.txt".into(), "runtime.txt".into()],
                },
                "azure main: decided by the bytes of requirements.txt, runtime.txt",
            ),
        ];
        for (message, want) in cases {
            assert_eq!(message.to_string(), want);
        }
    }

    #[test]
    fn kept_packages_and_a_second_branch_are_named() {
        let cases = [
            (
                Note::KeptPackagesRemoved {
                    names: vec!["gunicorn".into()],
                    policy: OnRemoval::Warn,
                },
                "note: envguard.toml's `keep` lists gunicorn: the server's leftovers check never counts what \
                 it lists, so it stays installed there",
            ),
            (
                Note::KeptPackagesRemoved {
                    names: vec!["gunicorn".into()],
                    policy: OnRemoval::Commit,
                },
                "note: envguard.toml's `keep` lists gunicorn: the server's leftovers check never counts what \
                 it lists, but a clean rebuilds the environment from the requirements alone, so afterwards the \
                 server has gunicorn only if what installs it outside them (a PRE_BUILD_COMMAND, a startup \
                 step) runs again",
            ),
            (
                Note::MarkerCoversThisBranch {
                    place: "azure master".into(),
                },
                "azure master: the marker committed above covers this branch too",
            ),
        ];
        for (note, want) in cases {
            assert_eq!(note.to_string(), want);
        }
    }
}
