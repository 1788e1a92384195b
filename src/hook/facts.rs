//! The facts the hook, `status` and `doctor` share: a commit's config and
//! snapshot, the pushed ref that deploys, and the baseline a push is
//! compared with (docs/removals.md, "What is compared with what"),
//! gathered from the repository for the core's
//! [`choose_baseline`](envguard_core::decide::choose_baseline). What is
//! worth saying on the way is a [`Note`], given back as a value.

use std::fmt;

use anyhow::{Context, Result};
use envguard_core::config::{Config, CONFIG_PATH};
use envguard_core::decide::{self, BaselineChoice, BaselineFacts, BaselineSource, Installed};
use envguard_core::deployment::DEPLOYMENT_PATH;
use envguard_core::fingerprint::{self, Identity, Snapshot};
use envguard_core::ids::CommitId;
use envguard_core::requirements::{ReadFile, Warning};
use envguard_core::token::{Token, MARKER_PATH};

use super::protocol::RefLine;
use super::refusal::Refusal;
use crate::repo::Repo;
use crate::say::Verbosity;

/// What finding the baseline came across, for the hook to say and
/// `status` to list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// The deployed commit has no requirements file: the baseline is the
    /// nearest first-parent ancestor that has one.
    BaselineWalked {
        place: String,
        requirements: String,
        deployed: CommitId,
        found: CommitId,
        steps: usize,
    },
    /// The deployed requirements cannot be read now.
    UnreadableBaseline { why: String },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::BaselineWalked {
                place,
                requirements,
                deployed,
                found,
                steps,
            } => write!(
                f,
                "{place}: the deployed commit {} has no {requirements}, so the server skipped pip there; \
                 comparing with {}, {steps} first-parent commit{} back, the last one that had it",
                deployed.short(),
                found.short(),
                if *steps == 1 { "" } else { "s" }
            ),
            Note::UnreadableBaseline { why } => write!(
                f,
                "warning: cannot read the deployed requirements ({why}); treating this as a first deployment"
            ),
        }
    }
}

/// A pushed ref that deploys, with what was read for it.
pub struct Deploying<'a> {
    pub remote: &'a str,
    pub branch: &'a str,
    pub line: &'a RefLine,
    pub pushed: CommitId,
    pub config: Config,
    pub verbosity: Verbosity,
}

impl Deploying<'_> {
    /// `remote branch`, how messages name the place a push goes.
    pub fn place(&self) -> String {
        format!("{} {}", self.remote, self.branch)
    }
}

/// The config a commit carries (`envguard.toml`, `.deployment`).
pub fn config_at(repo: &Repo, commit: &CommitId) -> Result<Config> {
    Ok(Config::read(&mut repo.reader(commit)?)?)
}

/// A commit's snapshot under `config`.
pub fn snapshot_at(
    repo: &Repo,
    commit: &CommitId,
    config: &Config,
) -> Result<(Snapshot, Vec<Warning>)> {
    Ok(Snapshot::read(config, &mut repo.reader(commit)?)?)
}

/// What a push deploys to: `remote`'s `branch`, whose remote side is
/// `remote_commit` (`None`: the branch is new there).
pub struct Push<'a> {
    pub remote: &'a str,
    pub branch: &'a str,
    pub remote_commit: Option<CommitId>,
    /// The pushed commit's `.envguard/fingerprint.toml`.
    pub fingerprint: Option<&'a [u8]>,
}

/// What choosing the baseline needs to know about a push. A git error other than
/// "not found" is an error, never "not local".
pub fn baseline_facts(repo: &Repo, config: &Config, push: &Push<'_>) -> Result<BaselineFacts> {
    let remote_oid_is_local = match &push.remote_commit {
        Some(commit) => repo.has_commit(commit)?,
        None => false,
    };
    let mut other_branches = Vec::new();
    for branch in config.branches.iter().filter(|b| b.as_str() != push.branch) {
        if let Some(found) = repo.tracking_ref(push.remote, branch)? {
            other_branches.push(found);
        }
    }
    Ok(BaselineFacts {
        remote_oid: push.remote_commit.clone(),
        remote_oid_is_local,
        other_branches,
        pushed_has_fingerprint: push.fingerprint.is_some(),
    })
}

/// The baseline and where it came from. Nothing of it is read until asked
/// for: the fast path needs only its [`Identity`].
pub struct Baseline {
    pub source: BaselineSource,
    state: BaselineState,
}

enum BaselineState {
    /// A commit to read, with its own config (each side of a push is read
    /// with the config of its own commit: docs/removals.md).
    Commit(CommitId, Box<Config>),
    /// A snapshot recorded in a fingerprint.
    Recorded(Box<Snapshot>),
    /// Nothing was deployed, or what was cannot be read.
    Nothing,
}

/// Finds the last-deployed state of a push (docs/removals.md, "What is
/// compared with what").
pub fn baseline_for(
    repo: &Repo,
    config: &Config,
    push: &Push<'_>,
    notes: &mut Vec<Note>,
) -> Result<Baseline> {
    let source = match decide::choose_baseline(&baseline_facts(repo, config, push)?) {
        BaselineChoice::Use(source) => source,
        BaselineChoice::FetchFirst(commit) => {
            return Err(Refusal::FetchFirst {
                remote: push.remote.to_string(),
                branch: push.branch.to_string(),
                commit,
            }
            .into())
        }
    };
    let state = match &source {
        BaselineSource::RemoteCommit(commit) | BaselineSource::OtherBranch { commit, .. } => {
            match last_installed(repo, commit)? {
                Some((found, steps, config)) => {
                    if steps > 0 {
                        notes.push(Note::BaselineWalked {
                            place: format!("{} {}", push.remote, push.branch),
                            requirements: config.requirements.clone(),
                            deployed: commit.clone(),
                            found: found.clone(),
                            steps,
                        });
                    }
                    BaselineState::Commit(found, Box::new(config))
                }
                None => BaselineState::Nothing,
            }
        }
        BaselineSource::Fingerprint => {
            match Snapshot::from_fingerprint(push.fingerprint.unwrap_or_default()) {
                Ok(snapshot) => BaselineState::Recorded(Box::new(snapshot)),
                Err(error) => {
                    let place = format!("{} {}", push.remote, push.branch);
                    return Err(Refusal::BadFingerprint { place, error }.into());
                }
            }
        }
        BaselineSource::None => BaselineState::Nothing,
    };
    Ok(Baseline { source, state })
}

/// What the server last installed when it deployed
/// `deployed`. A commit without the requirements file (under its own
/// config) installed nothing, so the nearest first-parent ancestor that has
/// it stands in, looked for no further than the core's bound. `None`: no
/// commit of the history ever had it. Gives the commit, how far back it
/// is, and its config.
fn last_installed(repo: &Repo, deployed: &CommitId) -> Result<Option<(CommitId, usize, Config)>> {
    let mut next = Some(deployed.clone());
    let mut configs = Vec::new();
    let history = std::iter::from_fn(|| {
        let commit = next.take()?;
        let step = (|| -> Result<(CommitId, bool)> {
            let config = config_at(repo, &commit).with_context(|| {
                format!(
                    "reading the config of the deployed commit {}",
                    commit.short()
                )
            })?;
            let has = repo.has_file(&commit, &config.requirements)?;
            if !has {
                next = repo.first_parent(&commit)?;
                if next.is_none() && repo.is_shallow() {
                    let requirements = config.requirements.clone();
                    let deployed = deployed.clone();
                    return Err(Refusal::BaselineShallow {
                        requirements,
                        deployed,
                    }
                    .into());
                }
            }
            configs.push(config);
            Ok((commit, has))
        })();
        Some(step)
    });
    match decide::last_installed(history)? {
        Installed::At { commit, steps } => {
            let config = configs
                .pop()
                .expect("the walk read the config of every commit it saw");
            Ok(Some((commit, steps, config)))
        }
        Installed::Never => Ok(None),
        Installed::TooDeep => {
            let requirements = configs.first().map_or_else(
                || "requirements.txt".to_string(),
                |c| c.requirements.clone(),
            );
            Err(Refusal::BaselineTooDeep {
                requirements,
                deployed: deployed.clone(),
                bound: decide::MAX_BASELINE_WALK,
            }
            .into())
        }
    }
}

impl Baseline {
    /// The baseline's identity and marker token; `None` when there is no
    /// baseline. A baseline commit with the same blobs at every path the
    /// pushed identity depends on (the marker included) has that identity
    /// and token, found without reading a byte.
    pub fn identity(
        &self,
        repo: &Repo,
        pushed: &PushedIdentity,
        notes: &mut Vec<Note>,
    ) -> Result<Option<(Identity, Option<Token>)>> {
        match &self.state {
            BaselineState::Commit(commit, _)
                if repo.same_blobs(&pushed.commit, commit, &pushed.paths)? =>
            {
                Ok(Some((pushed.identity.clone(), pushed.token.clone())))
            }
            BaselineState::Commit(commit, config) => {
                let mut read = repo.reader(commit).with_context(|| deployed(commit))?;
                let identity = Identity::read(config, &mut read).map(|(identity, _)| identity);
                let Some(identity) = pip_would_fail(identity, commit, notes)? else {
                    return Ok(None);
                };
                let token = marker_token(&mut read).with_context(|| deployed(commit))?;
                Ok(Some((identity, token)))
            }
            BaselineState::Recorded(snapshot) => {
                Ok(Some((snapshot.identity.clone(), snapshot.token.clone())))
            }
            BaselineState::Nothing => Ok(None),
        }
    }

    /// The baseline's full snapshot; `None` when there is no baseline.
    pub fn snapshot(&self, repo: &Repo, notes: &mut Vec<Note>) -> Result<Option<Snapshot>> {
        match &self.state {
            BaselineState::Commit(commit, config) => {
                let mut read = repo.reader(commit).with_context(|| deployed(commit))?;
                let snapshot = Snapshot::read(config, &mut read).map(|(snapshot, _)| snapshot);
                pip_would_fail(snapshot, commit, notes)
            }
            BaselineState::Recorded(snapshot) => Ok(Some(snapshot.as_ref().clone())),
            BaselineState::Nothing => Ok(None),
        }
    }
}

/// Where a baseline read failed: in a commit that is already deployed.
fn deployed(commit: &CommitId) -> String {
    format!(
        "reading what the deployed commit {} installed",
        commit.short()
    )
}

/// The pushed commit's identity and marker token, and the paths they
/// depend on.
pub struct PushedIdentity {
    pub commit: CommitId,
    pub identity: Identity,
    pub token: Option<Token>,
    pub paths: Vec<String>,
}

impl PushedIdentity {
    pub fn read(
        commit: CommitId,
        config: &Config,
        read: &mut ReadFile<'_>,
    ) -> Result<PushedIdentity> {
        let (identity, mut paths) = Identity::read(config, read)?;
        // The same config files too: then the baseline reads the same paths.
        paths.extend([
            CONFIG_PATH.to_string(),
            DEPLOYMENT_PATH.to_string(),
            MARKER_PATH.to_string(),
        ]);
        Ok(PushedIdentity {
            commit,
            identity,
            token: marker_token(read)?,
            paths,
        })
    }
}

/// The token of a commit's marker, when it has a valid one.
fn marker_token(read: &mut ReadFile<'_>) -> Result<Option<Token>> {
    Ok(read(MARKER_PATH)?.as_deref().and_then(Token::from_marker))
}

/// What was deployed but whose requirements pip could not read now (a
/// missing include in an old commit, say) cannot be compared with: a
/// warning, and no baseline. A repository that cannot give the bytes (a
/// git error) is an error: nothing is known then.
fn pip_would_fail<T>(
    read: Result<T, fingerprint::ReadError>,
    commit: &CommitId,
    notes: &mut Vec<Note>,
) -> Result<Option<T>> {
    match read {
        Ok(value) => Ok(Some(value)),
        Err(fingerprint::ReadError::Requirements(e)) if !e.read_failed => {
            let why = format!("{}: {e}", deployed(commit));
            notes.push(Note::UnreadableBaseline { why });
            Ok(None)
        }
        Err(e) => Err(anyhow::Error::new(e).context(deployed(commit))),
    }
}
