//! `envguard pre-push`: what git runs before a push.
//!
//! git passes the remote's name and URL as arguments and one line per ref on
//! stdin: `<local-ref> <local-oid> <remote-ref> <remote-oid>`. For each line
//! that deploys, this module gathers the facts (config, snapshots, baseline)
//! from the repository, asks [`decide`](crate::decide) what to do, and does
//! it. Over ssh and local paths git sends what it resolved before the hook
//! ran, so a marker commit made here is never pushed by this push: the hook
//! always stops the push after committing one.

use std::io::Write;

use anyhow::{bail, Context, Result};
use git2::Oid;

use crate::config::Config;
use crate::decide::{
    self, Action, BaselineChoice, BaselineFacts, BaselineSource, Decision, Reason,
};
use crate::fingerprint::{Identity, Snapshot};
use crate::marker::{self, FINGERPRINT_PATH, MARKER_PATH};
use crate::repo::{LocalRef, Repo};
use crate::requirements::{ReadFile, Warning};

/// How a push ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The push may go on (exit 0).
    Proceed,
    /// envguard stopped the push (exit 1).
    Stop,
}

/// One line of git's pre-push input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefLine {
    pub local_ref: String,
    pub local_oid: String,
    pub remote_ref: String,
    pub remote_oid: String,
}

impl RefLine {
    /// Parses a line from the right: a local ref as typed may hold spaces.
    pub fn parse(line: &str) -> Option<RefLine> {
        let mut parts = line.trim_end_matches(['\n', '\r']).rsplitn(4, ' ');
        let remote_oid = parts.next()?.to_string();
        let remote_ref = parts.next()?.to_string();
        let local_oid = parts.next()?.to_string();
        let local_ref = parts.next()?.to_string();
        let is_oid = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
        (is_oid(&local_oid) && is_oid(&remote_oid) && !local_ref.is_empty()).then_some(RefLine {
            local_ref,
            local_oid,
            remote_ref,
            remote_oid,
        })
    }

    /// A ref being deleted: git sends an all-zero local oid.
    pub fn is_delete(&self) -> bool {
        is_zero(&self.local_oid)
    }
}

/// git's "no object": all zeros, in SHA-1 and SHA-256 repositories alike.
fn is_zero(oid: &str) -> bool {
    oid.bytes().all(|b| b == b'0')
}

/// Runs the hook over git's input. `open` opens the repository only when a
/// line needs it, so pushes that cannot deploy cost nothing.
pub fn pre_push(
    remote: &str,
    url: &str,
    input: &str,
    open: impl FnOnce() -> Result<Repo>,
    err: &mut dyn Write,
) -> Result<Verdict> {
    let mut lines = Vec::new();
    for (number, text) in input
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let line = RefLine::parse(text).with_context(|| {
            format!(
                "line {} of git's input is not `<local-ref> <oid> <remote-ref> <oid>`: {text:?}",
                number + 1
            )
        })?;
        // Deletes, tags and other non-branch refs never deploy (rule 1).
        if !line.is_delete() && line.remote_ref.starts_with("refs/heads/") {
            lines.push(line);
        }
    }
    if lines.is_empty() {
        return Ok(Verdict::Proceed);
    }
    let repo = open()?;
    let mut verdict = Verdict::Proceed;
    let mut marked = Vec::new();
    for line in &lines {
        if check_line(&repo, remote, url, line, &mut marked, err)? == Verdict::Stop {
            verdict = Verdict::Stop;
        }
    }
    Ok(verdict)
}

/// The config a commit carries (`envguard.toml`, `.deployment`).
pub fn config_at(repo: &Repo, commit: Oid) -> Result<Config> {
    Config::read(&mut repo.reader(commit)?)
}

/// A commit's snapshot under `config`.
pub fn snapshot_at(repo: &Repo, commit: Oid, config: &Config) -> Result<(Snapshot, Vec<Warning>)> {
    Snapshot::read(config, &mut repo.reader(commit)?)
}

/// The baseline and where it came from, for a push of `pushed` to
/// `remote`'s `branch` whose remote side is `remote_oid` (`None`: new).
/// Nothing of it is read until asked for: the fast path needs only its
/// [`Identity`].
pub struct Baseline {
    pub source: BaselineSource,
    state: BaselineState,
}

enum BaselineState {
    /// A commit to read.
    Commit(Oid),
    /// A snapshot recorded in a fingerprint.
    Recorded(Box<Snapshot>),
    /// Nothing was deployed, or what was cannot be read.
    Nothing,
}

impl Baseline {
    /// The baseline's identity; `None` when there is no baseline. A
    /// baseline commit with the same blobs at every path the pushed identity
    /// depends on has that identity, found without reading a byte.
    pub fn identity(
        &self,
        repo: &Repo,
        config: &Config,
        pushed: &PushedIdentity,
        err: &mut dyn Write,
    ) -> Result<Option<Identity>> {
        match &self.state {
            BaselineState::Commit(oid) if repo.same_blobs(pushed.commit, *oid, &pushed.paths) => {
                Ok(Some(pushed.identity.clone()))
            }
            BaselineState::Commit(oid) => {
                let read = repo
                    .reader(*oid)
                    .and_then(|mut r| Identity::read(config, &mut r));
                unreadable_is_none(read.map(|(identity, _)| identity), err)
            }
            BaselineState::Recorded(snapshot) => Ok(Some(snapshot.identity.clone())),
            BaselineState::Nothing => Ok(None),
        }
    }

    /// The baseline's full snapshot; `None` when there is no baseline.
    pub fn snapshot(
        &self,
        repo: &Repo,
        config: &Config,
        err: &mut dyn Write,
    ) -> Result<Option<Snapshot>> {
        match &self.state {
            BaselineState::Commit(oid) => {
                let read = snapshot_at(repo, *oid, config).map(|(snapshot, _)| snapshot);
                unreadable_is_none(read, err)
            }
            BaselineState::Recorded(snapshot) => Ok(Some(snapshot.as_ref().clone())),
            BaselineState::Nothing => Ok(None),
        }
    }
}

/// The pushed commit's identity, and the paths it depends on.
pub struct PushedIdentity {
    pub commit: Oid,
    pub identity: Identity,
    pub paths: Vec<String>,
}

impl PushedIdentity {
    pub fn read(commit: Oid, config: &Config, read: &mut ReadFile<'_>) -> Result<PushedIdentity> {
        let (identity, paths) = Identity::read(config, read)?;
        Ok(PushedIdentity {
            commit,
            identity,
            paths,
        })
    }
}

/// What was deployed but cannot be read now (a missing include in an old
/// commit, say) cannot be compared with: a warning, and no baseline.
fn unreadable_is_none<T>(read: Result<T>, err: &mut dyn Write) -> Result<Option<T>> {
    match read {
        Ok(value) => Ok(Some(value)),
        Err(e) => {
            writeln!(
                err,
                "envguard: warning: cannot read the deployed requirements ({e:#}); treating this as a first deployment"
            )?;
            Ok(None)
        }
    }
}

/// What SPEC rule 2 needs to know about a push of `remote`'s `branch`
/// whose remote side is `remote_oid` (`None`: new).
pub fn baseline_facts(
    repo: &Repo,
    config: &Config,
    remote: &str,
    branch: &str,
    remote_oid: Option<Oid>,
    pushed_has_fingerprint: bool,
) -> BaselineFacts {
    BaselineFacts {
        remote_oid: remote_oid.map(|o| o.to_string()),
        remote_oid_is_local: remote_oid.is_some_and(|o| repo.has_commit(o)),
        other_branches: config
            .branches
            .iter()
            .filter(|b| b.as_str() != branch)
            .filter_map(|b| repo.tracking_ref(remote, b))
            .map(|(name, oid)| (name, oid.to_string()))
            .collect(),
        pushed_has_fingerprint,
    }
}

/// SPEC rule 2: finds the last-deployed state of `branch` on `remote`;
/// `fingerprint` is the pushed commit's `.envguard/fingerprint.toml`.
pub fn baseline_for(
    repo: &Repo,
    remote: &str,
    branch: &str,
    remote_oid: Option<Oid>,
    fingerprint: Option<&[u8]>,
    config: &Config,
    err: &mut dyn Write,
) -> Result<Baseline> {
    let facts = baseline_facts(
        repo,
        config,
        remote,
        branch,
        remote_oid,
        fingerprint.is_some(),
    );
    let source = match decide::choose_baseline(&facts) {
        BaselineChoice::Use(source) => source,
        BaselineChoice::FetchFirst(oid) => bail!(
            "{remote} has {branch} at {}, a commit this repository does not have; \
             run `git fetch {remote}` and look at what was deployed before pushing over it",
            &oid[..oid.len().min(12)]
        ),
    };
    let state = match &source {
        BaselineSource::RemoteCommit(oid) | BaselineSource::OtherBranch { oid, .. } => {
            BaselineState::Commit(Oid::from_str(oid)?)
        }
        BaselineSource::Fingerprint => {
            match Snapshot::from_fingerprint(fingerprint.unwrap_or_default()) {
                Ok(snapshot) => BaselineState::Recorded(Box::new(snapshot)),
                Err(why) => {
                    writeln!(
                        err,
                        "envguard: warning: {FINGERPRINT_PATH}: {why}; ignoring it"
                    )?;
                    BaselineState::Nothing
                }
            }
        }
        BaselineSource::None => BaselineState::Nothing,
    };
    Ok(Baseline { source, state })
}

/// `marked` lists the local refs this run already committed a marker on,
/// with the commit they had: one push can name a branch twice
/// (`main:main main:master`), and one marker serves both.
fn check_line(
    repo: &Repo,
    remote: &str,
    url: &str,
    line: &RefLine,
    marked: &mut Vec<(String, Oid)>,
    err: &mut dyn Write,
) -> Result<Verdict> {
    let pushed = Oid::from_str(&line.local_oid).context("git passed a malformed commit id")?;
    // Every file of the pushed commit is read through this one reader.
    let mut read = repo.reader(pushed)?;
    let config = Config::read(&mut read)?;
    let Some(branch) = config
        .deploying_branch(&line.remote_ref)
        .filter(|_| config.matches_remote(remote, url))
    else {
        return Ok(Verdict::Proceed);
    };
    let remote_oid = if is_zero(&line.remote_oid) {
        None
    } else {
        Some(Oid::from_str(&line.remote_oid).context("git passed a malformed remote commit id")?)
    };
    let fingerprint = read(FINGERPRINT_PATH)?;
    let baseline = baseline_for(
        repo,
        remote,
        branch,
        remote_oid,
        fingerprint.as_deref(),
        &config,
        err,
    )?;
    let place = format!("{remote} {branch}");
    // The fast path: hashes of the files alone, no requirement parsed.
    let identity = PushedIdentity::read(pushed, &config, &mut read)?;
    let baseline_identity = baseline.identity(repo, &config, &identity, err)?;
    if let Some(decision) = decide::quick(baseline_identity.as_ref(), &identity.identity) {
        writeln!(err, "envguard: {place}: {}", describe(&decision, &config))?;
        return Ok(Verdict::Proceed);
    }
    let (snapshot, warnings) = Snapshot::read(&config, &mut read)?;
    let baseline_snapshot = baseline.snapshot(repo, &config, err)?;
    let decision = decide::decide(baseline_snapshot.as_ref(), &snapshot, config.on_removal);
    for warning in &warnings {
        writeln!(err, "envguard: warning: {warning}")?;
    }
    match decision.action {
        Action::Pass => {
            writeln!(err, "envguard: {place}: {}", describe(&decision, &config))?;
            Ok(Verdict::Proceed)
        }
        Action::Warn => {
            writeln!(
                err,
                "envguard: {place}: warning: {} removes {}; the server keeps them installed \
                 (on_removal = \"warn\"; run `envguard --reset` to clean the environment)",
                config.requirements,
                decision.change.removed_labels().join(", ")
            )?;
            Ok(Verdict::Proceed)
        }
        Action::Block => {
            writeln!(
                err,
                "envguard: {place}: push stopped: {} removes {}, which the server would keep installed.\n\
                 envguard: run `envguard --reset` to schedule a clean environment, then push again \
                 (or push anyway with `git push --no-verify`)",
                config.requirements,
                decision.change.removed_labels().join(", ")
            )?;
            Ok(Verdict::Stop)
        }
        Action::CommitMarker => {
            if marked.contains(&(line.local_ref.clone(), pushed)) {
                writeln!(
                    err,
                    "envguard: {place}: the marker committed above covers this branch too"
                )?;
            } else {
                let target = Deploying {
                    remote,
                    branch,
                    line,
                    pushed,
                    snapshot,
                    config,
                };
                commit_marker(repo, &target, &decision, err)?;
                marked.push((line.local_ref.clone(), pushed));
            }
            Ok(Verdict::Stop)
        }
    }
}

/// What a decision means for the push, in a sentence.
pub fn describe(decision: &Decision, config: &Config) -> String {
    let removed = decision.change.removed_labels().join(", ");
    match decision.action {
        Action::Pass => {}
        Action::Warn => return format!("goes on with a warning: removes {removed} (on_removal = \"warn\")"),
        Action::Block => return format!("stopped: removes {removed}; run `envguard --reset`, then push"),
        Action::CommitMarker => {
            return format!("stopped: removes {removed}; envguard commits a force-clean marker, then you push again")
        }
    }
    match &decision.reason {
        Reason::FirstDeployment => "first deployment: nothing to compare with".to_string(),
        Reason::NoRequirements => format!(
            "no {} in this commit: nothing for pip to install",
            config.requirements
        ),
        Reason::Unchanged => "requirements unchanged".to_string(),
        Reason::CleanScheduled => {
            "this push carries a new force-clean marker: the environment will be rebuilt"
                .to_string()
        }
        Reason::RuntimeChanged { from, to } => format!(
            "runtime changes from {} to {}: the server rebuilds the environment by itself",
            from.selector(),
            to.selector()
        ),
        Reason::NothingRemoved | Reason::Removed => "no packages removed".to_string(),
    }
}

/// A pushed ref that deploys, with what was read for it.
struct Deploying<'a> {
    remote: &'a str,
    branch: &'a str,
    line: &'a RefLine,
    pushed: Oid,
    snapshot: Snapshot,
    config: Config,
}

fn commit_marker(
    repo: &Repo,
    target: &Deploying<'_>,
    decision: &Decision,
    err: &mut dyn Write,
) -> Result<()> {
    let (remote, branch, line, pushed, config) = (
        target.remote,
        target.branch,
        target.line,
        target.pushed,
        &target.config,
    );
    let removed = decision.change.removed_labels().join(", ");
    let local = repo.local_ref(&line.local_ref);
    let Some(refname) = local.refname() else {
        bail!(
            "{} removes {removed}, but this push names `{}`, not a branch, so envguard cannot commit \
             a force-clean marker on it; push a branch, or run `envguard --reset` on one",
            config.requirements,
            line.local_ref
        );
    };
    if repo.ref_target(refname) != Some(pushed) {
        bail!(
            "{refname} no longer points at the pushed commit {}; check `git log` and push again",
            &line.local_oid[..12.min(line.local_oid.len())]
        );
    }
    let reason = format!("removed: {removed}");
    let scheduled = marker::schedule_clean(repo, refname, pushed, &target.snapshot, &reason)?;
    let again = push_again_command(remote, &local, branch);
    let short = &scheduled.commit.to_string()[..7];
    let on = local.branch_name().unwrap_or("HEAD");
    writeln!(
        err,
        "envguard: {remote} {branch}: {} removes {removed}, which pip would leave installed on the server.\n\
         envguard: committed {short} on {on}: {MARKER_PATH} and {FINGERPRINT_PATH} only \
         (token {}…), so the next deployment deletes and rebuilds the environment once.\n\
         envguard: this push was stopped so that the marker goes with it. Push again:\n\n    {again}\n",
        config.requirements,
        scheduled.token.short()
    )?;
    Ok(())
}

/// The command that pushes the marker commit the same way.
fn push_again_command(remote: &str, local: &LocalRef, branch: &str) -> String {
    let refspec = match local.branch_name() {
        Some(name) if name == branch => name.to_string(),
        Some(name) => format!("{name}:{branch}"),
        None => format!("HEAD:refs/heads/{branch}"),
    };
    format!("git push {} {}", shell_quote(remote), shell_quote(&refspec))
}

/// Quotes for a POSIX shell when needed, so the command can be pasted.
fn shell_quote(text: &str) -> String {
    let safe = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:@=+,%".contains(&b));
    if safe {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
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
        assert!(!line.is_delete());
        let line = RefLine::parse(&format!("my branch~1 {a} refs/heads/main {z}")).unwrap();
        assert_eq!(line.local_ref, "my branch~1");
        let line = RefLine::parse(&format!("(delete) {z} refs/heads/main {a}")).unwrap();
        assert!(line.is_delete());
        let sha256 = "0".repeat(64);
        assert!(
            RefLine::parse(&format!("(delete) {sha256} refs/heads/main {a}"))
                .unwrap()
                .is_delete()
        );
        assert_eq!(RefLine::parse("garbage"), None);
        assert_eq!(RefLine::parse(&format!("x {a} y zz")), None);
    }

    #[test]
    fn nothing_to_deploy_never_opens_the_repo() {
        let z = "0".repeat(40);
        let a = "a".repeat(40);
        let input =
            format!("(delete) {z} refs/heads/main {a}\nrefs/tags/v1 {a} refs/tags/v1 {z}\n\n");
        let mut err = Vec::new();
        let verdict = pre_push("azure", "/x", &input, || panic!("opened"), &mut err).unwrap();
        assert_eq!(verdict, Verdict::Proceed);
        assert!(err.is_empty());
        assert!(pre_push(
            "azure",
            "/x",
            "not a ref line\n",
            || panic!("opened"),
            &mut err
        )
        .is_err());
    }

    #[test]
    fn push_again_commands() {
        let branch = LocalRef::Branch("refs/heads/main".into());
        assert_eq!(
            push_again_command("azure", &branch, "main"),
            "git push azure main"
        );
        assert_eq!(
            push_again_command("azure", &branch, "master"),
            "git push azure main:master"
        );
        assert_eq!(
            push_again_command("azure", &LocalRef::DetachedHead, "master"),
            "git push azure HEAD:refs/heads/master"
        );
        assert_eq!(
            push_again_command("/tmp/my site.git", &branch, "main"),
            "git push '/tmp/my site.git' main"
        );
    }
}
