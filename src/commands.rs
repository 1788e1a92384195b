//! The commands around the hook: `reset`, `status` and `diff`.
//!
//! Each gathers facts through [`Repo`] and the hook's helpers, asks
//! [`decide`](envguard_core::decide) the same questions the hook does, and renders
//! the answer; none of them decides anything on its own. What they say
//! beyond the decision's own words is [`Said`], here.

use std::fmt::{self, Write as _};
use std::io::{self, Write};

use anyhow::{Context, Result};
use envguard_core::config::Config;
use envguard_core::decide::say::{change_lines, Outcome};
use envguard_core::decide::{self, BaselineSource, Change, Decision};
use envguard_core::deployment::{Deployment, DEPLOYMENT_PATH};
use envguard_core::fingerprint::Snapshot;
use envguard_core::ids::CommitId;
use envguard_core::platform::Runtime;
use envguard_core::token::{Token, FINGERPRINT_PATH};
use serde::Serialize;

use crate::hook::facts::{self, config_at, snapshot_at, Push};
use crate::hook::{marker, Note};
use crate::push_target;
use crate::repo::{Repo, Retry};
use crate::say;
use crate::setup::init::Deploys;

/// What `reset` and `status` say of their own, and refuse.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Said {
    /// `--reset` refuses during a merge, rebase or similar.
    ResetDuringOperation,
    /// The current branch has no commits: `--reset` or `status` has
    /// nothing to work on.
    NoCommitsYet { reset: bool },
    /// `--reset` on a HEAD that names neither a branch nor a commit.
    ResetWithoutBranch,
    /// `envguard --reset` committed a marker.
    ResetCommitted {
        commit: CommitId,
        branch: String,
        token: Token,
        push: String,
    },
    /// `status --remote NAME` names no remote.
    NoSuchRemote { name: String },
    /// `status` finds no remote that deploys.
    NoRemoteDeploys,
    /// `status` on a detached HEAD.
    StatusOnDetachedHead,
    /// `status` for a remote that does not deploy.
    RemoteDoesNotDeploy {
        remote: String,
        url: String,
        /// Whether envguard.toml sets `remotes`.
        configured: bool,
    },
    /// `status` with a refspec that deletes the remote branch.
    StatusOfDeletion { refspec: String },
    /// `status` with a source that is not a local branch, and no destination.
    StatusNeedsDestination { src: String },
    /// `status` for a branch that does not deploy.
    BranchDoesNotDeploy {
        branch: String,
        branches: Vec<String>,
    },
    /// `status`'s Baseline line: what a push of `branch` to `remote` is
    /// compared with.
    StatusBaseline {
        remote: String,
        branch: String,
        source: BaselineSource,
    },
}

impl fmt::Display for Said {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Said::ResetDuringOperation => f.write_str(
                "a merge, rebase or similar is in progress; finish or abort it, then run `envguard --reset` again",
            ),
            Said::NoCommitsYet { reset: true } => f.write_str(
                "the current branch has no commits yet; commit your app first, then run `envguard --reset`",
            ),
            Said::NoCommitsYet { reset: false } => {
                f.write_str("the current branch has no commits yet: nothing to push")
            }
            Said::ResetWithoutBranch => {
                f.write_str("HEAD names neither a branch nor a commit; check `git status`")
            }
            Said::ResetCommitted {
                commit,
                branch,
                token,
                push,
            } => write!(
                f,
                "committed {} on {branch}: a new force-clean marker (token {}…).\n\
                 the next `{push}` deletes and rebuilds the environment once.",
                commit.short(),
                token.short()
            ),
            Said::NoSuchRemote { name } => {
                write!(f, "there is no remote named `{name}`; see `git remote -v`")
            }
            Said::NoRemoteDeploys => f.write_str(
                "No remote deploys: none is named `azure`, none has an App Service URL, and envguard.toml's \
                 `remotes` names none. Add one with `git remote add azure <url>`, or run with --remote NAME.",
            ),
            Said::StatusOnDetachedHead => f.write_str(
                "HEAD is detached; check out the branch you deploy, then run `envguard status` again",
            ),
            Said::RemoteDoesNotDeploy {
                remote,
                url,
                configured,
            } => {
                write!(f, "{remote} ({url}) does not deploy: ")?;
                if *configured {
                    f.write_str("envguard.toml's `remotes` does not list it")?;
                } else {
                    f.write_str(
                        "it is not named azure, has no App Service scm URL, and no envguard.toml lists it \
                         in `remotes`",
                    )?;
                }
                f.write_str(
                    "; envguard lets every push to it through unchecked. \
                     For a remote that deploys: `envguard status <remote>`",
                )
            }
            Said::StatusOfDeletion { refspec } => write!(
                f,
                "`{refspec}` deletes the remote branch: a deletion never deploys, envguard lets it through"
            ),
            Said::StatusNeedsDestination { src } => write!(
                f,
                "`{src}` is not a local branch, so the push needs a destination: \
                 `envguard status <remote> {src}:<branch>`"
            ),
            Said::BranchDoesNotDeploy { branch, branches } => write!(
                f,
                "{branch} does not deploy (deploying branches: {}): a push to it is not checked",
                branches.join(", ")
            ),
            Said::StatusBaseline {
                remote,
                branch,
                source,
            } => match source {
                BaselineSource::RemoteCommit(commit) => {
                    write!(f, "{remote}/{branch} at {}", commit.short())
                }
                BaselineSource::OtherBranch { refname, commit } => write!(
                    f,
                    "{} at {} ({branch} is new on {remote})",
                    refname.trim_start_matches("refs/remotes/"),
                    commit.short()
                ),
                BaselineSource::Fingerprint => {
                    write!(f, "the fingerprint in {FINGERPRINT_PATH}")
                }
                BaselineSource::None => f.write_str("none: this would be the first deployment"),
            },
        }
    }
}

impl std::error::Error for Said {}

/// `envguard --reset`: commits a fresh marker on the current branch.
pub fn reset(repo: &Repo, out: &mut dyn Write) -> Result<()> {
    if repo.operation_in_progress() {
        return Err(Said::ResetDuringOperation.into());
    }
    let Some(head) = repo.head_commit()? else {
        return Err(Said::NoCommitsYet { reset: true }.into());
    };
    let local = repo.local_ref("HEAD");
    let Some(refname) = local.refname() else {
        return Err(Said::ResetWithoutBranch.into());
    };
    let mut read = repo.reader(&head)?;
    let config = Config::read(&mut read)?;
    let (snapshot, _) = Snapshot::read(&config, &mut read)?;
    let scheduled = marker::schedule_clean(
        repo,
        refname,
        &head,
        &snapshot,
        "reset by `envguard --reset`",
        (&[], Retry::Reset),
    )?;
    let branch = local.branch_name().unwrap_or("HEAD");
    let remote =
        deploying_remote(repo, &config, None).map_or("azure".to_string(), |(name, _)| name);
    let push = if branch == "HEAD" {
        format!("git push {remote} HEAD:<branch>")
    } else {
        push_target::of(repo, &remote, branch, &config.branches).command()
    };
    let said = Said::ResetCommitted {
        commit: scheduled.commit,
        branch: branch.to_string(),
        token: scheduled.token,
        push,
    };
    say::lines(out, &said.to_string())?;
    Ok(())
}

/// The remote a push of HEAD would deploy to: `--remote NAME`, else the
/// first configured remote that matches.
fn deploying_remote(
    repo: &Repo,
    config: &Config,
    wanted: Option<&str>,
) -> Option<(String, String)> {
    let remotes = repo.remotes();
    match wanted {
        Some(name) => remotes.into_iter().find(|(n, _)| n == name),
        None => remotes
            .into_iter()
            .find(|(n, url)| config.matches_remote(n, url)),
    }
}

/// What `envguard status` is asked about: a remote (`None`: the first that
/// deploys) and a refspec as `git push` takes it (`None`: the current
/// branch).
fn pushed_by(repo: &Repo, refspec: Option<&str>) -> Result<(String, CommitId, String)> {
    let head_branch = || -> Result<String> {
        match repo.local_ref("HEAD").branch_name() {
            Some(name) => Ok(name.to_string()),
            None => Err(Said::StatusOnDetachedHead.into()),
        }
    };
    let Some(refspec) = refspec else {
        let branch = head_branch()?;
        let commit = repo.resolve(&format!("refs/heads/{branch}"))?;
        return Ok((branch.clone(), commit, branch));
    };
    let refspec = refspec.strip_prefix('+').unwrap_or(refspec);
    let (src, dst) = match refspec.split_once(':') {
        Some((src, dst)) => (src, Some(dst)),
        None => (refspec, None),
    };
    if src.is_empty() {
        let refspec = refspec.to_string();
        return Err(Said::StatusOfDeletion { refspec }.into());
    }
    let commit = repo.resolve(src)?;
    let short = |name: &str| name.strip_prefix("refs/heads/").unwrap_or(name).to_string();
    let branch = match dst {
        Some(dst) => short(dst),
        None if src == "HEAD" => head_branch()?,
        None if repo
            .ref_target(&format!("refs/heads/{}", short(src)))?
            .is_some() =>
        {
            short(src)
        }
        None => {
            let src = src.to_string();
            return Err(Said::StatusNeedsDestination { src }.into());
        }
    };
    Ok((src.to_string(), commit, branch))
}

/// `envguard status`: what a push would do, without pushing. It reads the
/// pushed commit's settings, as the hook does.
pub fn status(
    repo: &Repo,
    remote: Option<&str>,
    refspec: Option<&str>,
    format: Format,
    out: &mut dyn Write,
) -> Result<()> {
    if repo.head_commit()?.is_none() && refspec.is_none() {
        return Err(Said::NoCommitsYet { reset: false }.into());
    }
    let (source_ref, pushed, branch) = pushed_by(repo, refspec)?;
    let mut read = repo.reader(&pushed)?;
    let config = Config::read(&mut read)?;
    let mut report = StatusReport {
        pushed: Some(Pushed {
            source: source_ref.clone(),
            commit: pushed.to_string(),
        }),
        branch: Some(branch.clone()),
        ..StatusReport::default()
    };
    let Some((remote, url)) = deploying_remote(repo, &config, remote) else {
        if let Some(name) = remote {
            let name = name.to_string();
            return Err(Said::NoSuchRemote { name }.into());
        }
        report.summary = Said::NoRemoteDeploys.to_string();
        return report.write(format, out);
    };
    // The branch the push deploys to, as git would send it (push_target):
    // with no refspec, the one the site deploys from; with a refspec and no
    // `:<dst>`, what `remote.<name>.push` maps it to.
    let branch = match refspec {
        None => {
            let target = push_target::of(repo, &remote, &branch, &config.branches);
            report.command = Some(target.command());
            target.branch
        }
        Some(refspec) if !refspec.contains(':') && source_ref == branch => {
            push_target::of_refspec(repo, &remote, &branch)
        }
        Some(_) => branch,
    };
    report.branch = Some(branch.clone());
    report.remote = Some(remote.clone());
    report.url = Some(url.clone());
    if !config.matches_remote(&remote, &url) {
        let configured = config.remotes.is_some();
        report.summary = Said::RemoteDoesNotDeploy {
            remote,
            url,
            configured,
        }
        .to_string();
        return report.write(format, out);
    }
    report.deploys = true;
    let deployment = read(DEPLOYMENT_PATH)?;
    let path = Deployment::parse(deployment.as_deref().unwrap_or_default())?.path(config.target);
    report.deploy_path = Some(path.key());
    report.deploy_text = Some(Deploys(&path).to_string());
    if config
        .deploying_branch(&format!("refs/heads/{branch}"))
        .is_none()
    {
        report.summary = Said::BranchDoesNotDeploy {
            branch,
            branches: config.branches.clone(),
        }
        .to_string();
        return report.write(format, out);
    }
    report.branch_deploys = true;
    let (snapshot, warnings) = Snapshot::read(&config, &mut read)?;
    let fingerprint = read(FINGERPRINT_PATH)?;
    let remote_commit = repo.tracking_ref(&remote, &branch)?.map(|(_, oid)| oid);
    let mut notes = Vec::new();
    let push = Push {
        remote: &remote,
        branch: &branch,
        remote_commit,
        fingerprint: fingerprint.as_deref(),
    };
    let baseline = facts::baseline_for(repo, &config, &push, &mut notes)?;
    report.baseline = Some(BaselineReport::of(&baseline.source, &remote, &branch));
    let baseline = baseline.snapshot(repo, &mut notes)?;
    report.notes = notes.iter().map(ToString::to_string).collect();
    report.warnings = warnings.iter().map(ToString::to_string).collect();
    let decision = decide::decide(baseline.as_ref(), &snapshot, config.on_removal);
    let place = format!("{remote} {branch}");
    if let Some(note) = crate::hook::runtime_note(&place, &decision) {
        report.notes.push(note.to_string());
    }
    report.decision = Some(decision_key(&decision));
    report.stops_push = decision.stops_push();
    if let Some(change) = decision.change() {
        // As `diff --format json` has it, its keys in order of name.
        report.change = Some(serde_json::to_value(ChangeJson::of(change))?);
        report.change_lines = change_lines(change);
    }
    report.summary = Outcome(&decision, &config.requirements).to_string();
    report.write(format, out)
}

/// The stable name of a decision, for `status --format json`.
fn decision_key(decision: &Decision) -> &'static str {
    match decision {
        Decision::FirstDeployment => "first-deployment",
        Decision::NoRequirements => "no-requirements",
        Decision::Unchanged => "unchanged",
        Decision::CleanScheduled(_) => "clean-scheduled",
        Decision::RuntimeChanged { .. } => "runtime-changed",
        Decision::NothingRemoved(_) => "nothing-removed",
        Decision::Removed { .. } => "removed",
    }
}

/// What the push sends: the local side as typed, and its commit.
#[derive(Debug, Serialize)]
struct Pushed {
    source: String,
    commit: String,
}

/// Where the baseline comes from, for people and for JSON.
#[derive(Debug, Serialize)]
struct BaselineReport {
    /// `remote-commit`, `other-branch`, `fingerprint` or `none`.
    source: &'static str,
    #[serde(rename = "ref")]
    refname: Option<String>,
    commit: Option<String>,
    #[serde(skip)]
    text: String,
}

impl BaselineReport {
    fn of(source: &BaselineSource, remote: &str, branch: &str) -> BaselineReport {
        let (key, refname, commit) = match source {
            BaselineSource::RemoteCommit(commit) => (
                "remote-commit",
                Some(format!("refs/remotes/{remote}/{branch}")),
                Some(commit),
            ),
            BaselineSource::OtherBranch { refname, commit } => {
                ("other-branch", Some(refname.clone()), Some(commit))
            }
            BaselineSource::Fingerprint => ("fingerprint", None, None),
            BaselineSource::None => ("none", None, None),
        };
        BaselineReport {
            source: key,
            refname,
            commit: commit.map(ToString::to_string),
            text: Said::StatusBaseline {
                remote: remote.to_string(),
                branch: branch.to_string(),
                source: source.clone(),
            }
            .to_string(),
        }
    }
}

/// Everything `status` found; every field is always present in JSON
/// (`null` or `false` where the check stopped early). docs/json.md
/// documents the fields.
#[derive(Debug, Default, Serialize)]
struct StatusReport {
    remote: Option<String>,
    url: Option<String>,
    deploys: bool,
    branch: Option<String>,
    branch_deploys: bool,
    pushed: Option<Pushed>,
    /// `DeployPath::key`.
    deploy_path: Option<&'static str>,
    #[serde(skip)]
    deploy_text: Option<String>,
    /// The `git push` that makes this push (without a refspec given).
    #[serde(skip)]
    command: Option<String>,
    baseline: Option<BaselineReport>,
    decision: Option<&'static str>,
    stops_push: bool,
    /// As `envguard diff --format json` writes it.
    change: Option<serde_json::Value>,
    #[serde(skip)]
    change_lines: Vec<String>,
    warnings: Vec<String>,
    notes: Vec<String>,
    summary: String,
}

impl StatusReport {
    fn write(&self, format: Format, out: &mut dyn Write) -> Result<()> {
        if format == Format::Json {
            writeln!(out, "{}", serde_json::to_string(self)?)?;
            return Ok(());
        }
        let mut text = String::new();
        if let (Some(remote), Some(url)) = (&self.remote, &self.url) {
            writeln!(text, "Remote:   {remote} ({url})")?;
        }
        if !self.deploys {
            writeln!(text, "{}", self.summary)?;
            return Ok(out.write_all(text.as_bytes())?);
        }
        if let (Some(branch), Some(pushed)) = (&self.branch, &self.pushed) {
            if pushed.source == *branch {
                writeln!(text, "Branch:   {branch}")?;
            } else {
                let commit = &pushed.commit[..12];
                writeln!(
                    text,
                    "Branch:   {branch} (pushing {} at {commit})",
                    pushed.source
                )?;
            }
        }
        if let Some(command) = &self.command {
            writeln!(text, "Command:  {command}")?;
        }
        if let Some(path) = &self.deploy_text {
            writeln!(text, "Deploy:   {path}")?;
        }
        if !self.branch_deploys {
            writeln!(text, "Push:     {}", self.summary)?;
            return Ok(out.write_all(text.as_bytes())?);
        }
        if let Some(baseline) = &self.baseline {
            writeln!(text, "Baseline: {}", baseline.text)?;
        }
        for note in &self.notes {
            writeln!(text, "Note:     {note}")?;
        }
        for warning in &self.warnings {
            writeln!(text, "Warning:  {warning}")?;
        }
        for line in &self.change_lines {
            writeln!(text, "Change:   {line}")?;
        }
        writeln!(text, "Push:     {}", self.summary)?;
        Ok(out.write_all(text.as_bytes())?)
    }
}

/// Output formats of `envguard diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// `envguard diff OLD NEW`: the package-level difference. Returns whether
/// anything was removed.
pub fn diff(
    repo: &Repo,
    old: &str,
    new: &str,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<bool> {
    let old_oid = repo.resolve(old)?;
    let new_oid = repo.resolve(new)?;
    // Each commit is read with its own config, as the hook reads each side
    // of a push: an app that moved folders compares file set to file set.
    let read = |commit: &CommitId, rev: &str| {
        config_at(repo, commit)
            .and_then(|config| snapshot_at(repo, commit, &config))
            .with_context(|| format!("reading {rev}"))
    };
    let (before, _) = read(&old_oid, old)?;
    let (after, warnings) = read(&new_oid, new)?;
    for warning in warnings {
        say::line(err, Note::RequirementsWarning(warning))?;
    }
    let change = decide::diff(&before, &after);
    match format {
        Format::Text => {
            for line in change_lines(&change) {
                writeln!(out, "{line}")?;
            }
        }
        Format::Json => {
            let mut json = serde_json::Serializer::with_formatter(&mut *out, Escaped);
            ChangeJson::of(&change).serialize(&mut json)?;
            writeln!(out)?;
        }
    }
    Ok(change.removes_anything())
}

/// `envguard diff --format json`'s object (docs/json.md), and `status`'s
/// `change`.
#[derive(Serialize)]
struct ChangeJson {
    removed: Vec<String>,
    extras_dropped: Vec<ExtrasJson>,
    added: Vec<String>,
    runtime: Option<RuntimeJson>,
    removes_anything: bool,
}

#[derive(Serialize)]
struct ExtrasJson {
    package: String,
    extras: Vec<String>,
}

#[derive(Serialize)]
struct RuntimeJson {
    from: Option<String>,
    to: Option<String>,
}

impl ChangeJson {
    fn of(change: &Change) -> ChangeJson {
        let label = |runtime: &Option<Runtime>| runtime.as_ref().map(ToString::to_string);
        ChangeJson {
            removed: change.removed.iter().map(ToString::to_string).collect(),
            extras_dropped: change
                .extras_dropped
                .iter()
                .map(|(id, extras)| ExtrasJson {
                    package: id.to_string(),
                    extras: extras.iter().cloned().collect(),
                })
                .collect(),
            added: change.added.iter().map(ToString::to_string).collect(),
            runtime: change.runtime.as_ref().map(|(from, to)| RuntimeJson {
                from: label(from),
                to: label(to),
            }),
            removes_anything: change.removes_anything(),
        }
    }
}

/// serde_json's compact form, with every control character (C0, DEL and
/// C1) written as `\uXXXX`: text from a requirements file is data, never
/// sent raw to a terminal.
struct Escaped;

impl serde_json::ser::Formatter for Escaped {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // serde_json escapes C0 itself (below); DEL and C1 reach here.
        for c in fragment.chars() {
            if c.is_control() {
                write!(writer, "\\u{:04x}", c as u32)?;
            } else {
                writer.write_all(c.encode_utf8(&mut [0; 4]).as_bytes())?;
            }
        }
        Ok(())
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        escape: serde_json::ser::CharEscape,
    ) -> io::Result<()> {
        use serde_json::ser::CharEscape;
        let code = match escape {
            CharEscape::Quote => return writer.write_all(b"\\\""),
            CharEscape::ReverseSolidus => return writer.write_all(b"\\\\"),
            CharEscape::Solidus => return writer.write_all(b"/"),
            CharEscape::Backspace => 0x08,
            CharEscape::FormFeed => 0x0c,
            CharEscape::LineFeed => 0x0a,
            CharEscape::CarriageReturn => 0x0d,
            CharEscape::Tab => 0x09,
            CharEscape::AsciiControl(byte) => byte,
        };
        write!(writer, "\\u{code:04x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use envguard_core::names::{CanonicalName, PackageId};

    fn name(n: &str) -> PackageId {
        PackageId::Name(CanonicalName::new(n))
    }

    fn diff_json(change: &Change) -> String {
        let mut out = Vec::new();
        let mut json = serde_json::Serializer::with_formatter(&mut out, Escaped);
        ChangeJson::of(change).serialize(&mut json).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_is_stable() {
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
            diff_json(&change),
            r#"{"removed":["six","https://x.invalid/a \"b\".zip"],"extras_dropped":[{"package":"requests","extras":["socks"]}],"added":["attrs"],"runtime":{"from":"python-3.11","to":null},"removes_anything":true}"#
        );
        assert_eq!(
            diff_json(&Change::default()),
            r#"{"removed":[],"extras_dropped":[],"added":[],"runtime":null,"removes_anything":false}"#
        );
        // Control characters, C1 and DEL too, and the two escapes JSON
        // needs; nothing else.
        let odd = Change {
            added: vec![PackageId::Text("a\tb\n\u{7f}\u{85}\\/é".into())],
            ..Change::default()
        };
        assert!(
            diff_json(&odd).contains(r#""a\u0009b\u000a\u007f\u0085\\/é""#),
            "{}",
            diff_json(&odd)
        );
    }

    fn id(c: char) -> CommitId {
        CommitId::parse(&c.to_string().repeat(40)).unwrap()
    }

    #[test]
    fn status_lines_and_refusals() {
        let status_baseline = |source| Said::StatusBaseline {
            remote: "azure".into(),
            branch: "main".into(),
            source,
        };
        let cases = [
        (
            Said::RemoteDoesNotDeploy {
                remote: "origin".into(),
                url: "git@example.invalid:me/app.git".into(),
                configured: false,
            },
            "origin (git@example.invalid:me/app.git) does not deploy: it is not named azure, has no App \
             Service scm URL, and no envguard.toml lists it in `remotes`; envguard lets every push to it \
             through unchecked. For a remote that deploys: `envguard status <remote>`",
        ),
        (
            Said::RemoteDoesNotDeploy {
                remote: "azure".into(),
                url: "/srv/site.git".into(),
                configured: true,
            },
            "azure (/srv/site.git) does not deploy: envguard.toml's `remotes` does not list it; envguard \
             lets every push to it through unchecked. For a remote that deploys: `envguard status <remote>`",
        ),
        (
            Said::StatusOfDeletion {
                refspec: ":main".into(),
            },
            "`:main` deletes the remote branch: a deletion never deploys, envguard lets it through",
        ),
        (
            Said::StatusNeedsDestination { src: "v1.2".into() },
            "`v1.2` is not a local branch, so the push needs a destination: \
             `envguard status <remote> v1.2:<branch>`",
        ),
        (
            Said::BranchDoesNotDeploy {
                branch: "feature".into(),
                branches: vec!["master".into(), "main".into()],
            },
            "feature does not deploy (deploying branches: master, main): a push to it is not checked",
        ),
        (
            status_baseline(BaselineSource::RemoteCommit(id('a'))),
            "azure/main at aaaaaaaaaaaa",
        ),
        (
            status_baseline(BaselineSource::OtherBranch {
                refname: "refs/remotes/azure/master".into(),
                commit: id('b'),
            }),
            "azure/master at bbbbbbbbbbbb (main is new on azure)",
        ),
        (
            status_baseline(BaselineSource::Fingerprint),
            "the fingerprint in .envguard/fingerprint.toml",
        ),
        (
            status_baseline(BaselineSource::None),
            "none: this would be the first deployment",
        ),
        ];
        for (said, want) in cases {
            assert_eq!(said.to_string(), want);
        }
    }
}
