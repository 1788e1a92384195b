//! `envguard init`: puts the server-side deployment script, its leftovers
//! checker, a `.deployment` that runs it and a `.gitattributes` rule that
//! keeps its line endings into the app repository.
//!
//! The files are the ones in the project's `hooks/`, embedded in the
//! binary. A user's own script or deployment command, or a copy of
//! envguard's own files the user edited, is never replaced without
//! `--force` (the command counts as init's own only when it is exactly the
//! one init writes; a file, when its digest line matches: `shipped`); `.deployment` and `.gitattributes` keep
//! every other byte. Everything is decided before anything is written.

use std::fmt;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use envguard_core::config::Config;
use envguard_core::deployment::{
    attributes_rule, envguard_script, set_command, with_attributes, DeployPath, Deployment, Edit,
    DEPLOYMENT_PATH,
};
use envguard_core::platform::Platform;
use envguard_core::shipped::{self, Copy as Shipped};
use envguard_core::token::{ENV_TOKEN_FILE, MARKER_PATH};

use crate::fs::write_atomically;
use crate::hook::facts::config_at;
use crate::repo::Repo;
use crate::say::{self, Verbosity};

/// Kudu's Python deployment script for Windows App Service, with the marker steps.
pub const DEPLOY_CMD: &str = include_str!("../../hooks/deploy.cmd");
/// The same for Linux (`command = bash deploy.sh`).
pub const DEPLOY_SH: &str = include_str!("../../hooks/deploy.sh");
/// The server's leftovers check, which both scripts run beside themselves.
pub const CHECKER: &str = include_str!("../../hooks/envguard_check.py");
/// Where the checker goes: beside the script, at the repository root.
pub const CHECKER_NAME: &str = "envguard_check.py";
/// git's attributes file, at the repository root.
pub use envguard_core::deployment::ATTRIBUTES_PATH;

/// The script for a target: file name, contents with the target's line
/// endings, and the `.deployment` command that runs it.
pub fn script(target: Platform) -> (&'static str, String, &'static str) {
    let (name, command) = envguard_script(target);
    let contents = match target {
        // cmd.exe misreads labels in LF-only batch files: always CRLF.
        Platform::Windows => with_crlf(DEPLOY_CMD),
        Platform::Linux => DEPLOY_SH.replace("\r\n", "\n"),
    };
    (name, contents, command)
}

fn with_crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// Whether a script is one envguard wrote (any version): it records the
/// marker token in the environment.
fn is_ours(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    text.contains("envguard") && text.contains(ENV_TOKEN_FILE)
}

/// Why `init` may not put `wanted` where `existing` is, if it may not. It
/// may over a missing file, the same bytes, with `--force`, and over an
/// unedited copy of any envguard version (its digest line matches:
/// `shipped`). A user's own file, or an envguard copy that was edited or
/// cannot be told unedited, is kept.
fn refusal(
    name: &'static str,
    existing: Option<&[u8]>,
    wanted: &[u8],
    force: bool,
    ours: fn(&[u8]) -> bool,
    foreign: Said,
) -> Option<Said> {
    let bytes = existing?;
    if force || bytes == wanted {
        return None;
    }
    match shipped::examine(bytes) {
        Shipped::Unedited => None,
        Shipped::Edited => Some(Said::KeepsEdited {
            name,
            stamped: true,
        }),
        Shipped::Unstamped if ours(bytes) => Some(Said::KeepsEdited {
            name,
            stamped: false,
        }),
        Shipped::Unstamped => Some(foreign),
    }
}

/// Whether a file is envguard's leftovers check (any version).
fn is_our_checker(bytes: &[u8]) -> bool {
    String::from_utf8_lossy(bytes).contains("envguard's leftovers check")
}

/// What `init` did, for the user, in order.
pub struct Report {
    said: Vec<Said>,
}

impl Report {
    /// Says what `init` did; under `-q` only that a command replaces an
    /// Oryx build.
    pub fn say(&self, verbosity: Verbosity, err: &mut dyn Write) -> std::io::Result<()> {
        for said in &self.said {
            if verbosity != Verbosity::Quiet || matches!(said, Said::ReplacesOryx { .. }) {
                say::line(err, said)?;
            }
        }
        Ok(())
    }
}

/// `envguard init` in the repository `repo`: for `target`, else the
/// platform HEAD's settings name.
pub fn run(repo: &Repo, target: Option<Platform>, force: bool) -> Result<Report> {
    let Some(root) = repo.workdir() else {
        return Err(Said::InitWithoutWorkTree.into());
    };
    let target = match (target, repo.head_commit()?) {
        (Some(target), _) => target,
        (None, Some(head)) => config_at(repo, &head)?.target,
        (None, None) => Config::from_files(None, None)?.target,
    };
    init(root, target, force)
}

/// What `init` says and refuses.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Said {
    /// `init` finds a server script of the user's own where it would write.
    ForeignScript { name: &'static str },
    /// `init` finds `.deployment` running some other command.
    ForeignCommand { theirs: String, ours: &'static str },
    /// `init` finds a symbolic link where it would write.
    InitRefusesLink { name: String },
    /// `init` keeps a copy of its own file that was edited, or that it
    /// cannot tell unedited (no digest line, `shipped::Copy::Unstamped`).
    KeepsEdited { name: &'static str, stamped: bool },
    /// `init` finds a file of its checker's name that is not envguard's.
    ForeignChecker { name: &'static str },
    /// `init` in a repository without a working tree.
    InitWithoutWorkTree,
    /// `init` wrote, updated or left a file.
    InitFile { path: String, done: Written },
    /// `init` set the `.deployment` command.
    DeploymentRuns { command: String, changed: bool },
    /// `init` had nothing to do.
    InitUnchanged,
    /// `init` wrote a `command` where Oryx built before.
    ReplacesOryx { command: String },
    /// `init` replaced the user's own `command` (with `--force`).
    ReplacedCommand { theirs: String, command: String },
    /// What to commit after `init`.
    CommitThem { paths: Vec<String>, script: String },
}

impl fmt::Display for Said {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Said::ForeignScript { name } => write!(
                f,
                "{name} exists and is not envguard's; keep it and add the marker steps by hand \
                 (see \"Server-side setup on Azure\" in envguard's README: read {MARKER_PATH}, \
                 delete the environment when its token differs from <env>/{ENV_TOKEN_FILE}, write the \
                 token after pip succeeds), or replace it with `envguard init --force`"
            ),
            Said::ForeignCommand { theirs, ours } => write!(
                f,
                "{DEPLOYMENT_PATH} runs `{theirs}`, not envguard's script; change it to `command = {ours}` \
                 (after adding the marker steps to your script), or run `envguard init --force`"
            ),
            Said::InitRefusesLink { name } => write!(
                f,
                "{name} is a symbolic link; envguard init never writes through or over one. \
                 Replace it with the file itself, then run `envguard init` again"
            ),
            Said::KeepsEdited { name, stamped } => {
                if *stamped {
                    write!(f, "{name} is envguard's, edited since envguard wrote it: init keeps your edits")?;
                } else {
                    write!(
                        f,
                        "{name} is envguard's but has no digest line (an older envguard wrote it, \
                         or the line was edited out): init cannot tell whether you edited it, so it keeps it"
                    )?;
                }
                write!(
                    f,
                    ". To replace it with this version's, run `envguard init --force`; \
                     `git diff {name}` then shows what changed"
                )
            }
            Said::ForeignChecker { name } => write!(
                f,
                "{name} exists and is not envguard's leftovers check: rename it, \
                 or replace it with `envguard init --force`"
            ),
            Said::InitWithoutWorkTree => f.write_str(
                "this repository has no working tree; run `envguard init` in the app's checkout",
            ),
            Said::InitFile { path, done } => match done {
                Written::New => write!(f, "wrote {path}"),
                Written::Updated => write!(f, "updated {path}"),
                Written::UpToDate => write!(f, "{path} is up to date"),
            },
            Said::DeploymentRuns { command, changed } => {
                if *changed {
                    write!(f, ".deployment now runs `{command}`")
                } else {
                    write!(f, ".deployment already runs `{command}`")
                }
            }
            Said::InitUnchanged => {
                f.write_str("nothing changed: every file is already as `envguard init` writes it")
            }
            Said::ReplacesOryx { command } => write!(
                f,
                "note: a custom `command` replaces Oryx's build on Linux App Service: `{command}` now \
                 reuses the environment between deployments instead of Oryx's fresh build, and Oryx's own \
                 build features ({ORYX_FEATURES}) no longer run. To go back to Oryx, delete the `command` \
                 line from .deployment"
            ),
            Said::ReplacedCommand { theirs, command } => write!(
                f,
                ".deployment ran `{theirs}`; --force replaced it with `{command}` \
                 (carry over what your script did that envguard's does not)"
            ),
            Said::CommitThem { paths, script } => write!(
                f,
                "commit them: git add {} && git commit -m \"Deploy with envguard's {script}\"",
                paths.join(" ")
            ),
        }
    }
}

impl std::error::Error for Said {}

/// What `init` did to a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    New,
    Updated,
    UpToDate,
}

/// What a custom `command` gives up of Oryx's build (Oryx `doc/configuration.md`).
const ORYX_FEATURES: &str =
    "pyproject.toml, Poetry, uv and setup.py projects, its pip cache and compressed output, \
     multi-platform builds such as a Node front end, CUSTOM_BUILD_COMMAND and its other build settings";

/// How the site builds, as `.deployment` says, in words (`status`'s
/// Deploy line, `doctor`'s deployment finding).
pub struct Deploys<'a>(pub &'a DeployPath);

impl fmt::Display for Deploys<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.0;
        match path {
            DeployPath::Envguard(Platform::Linux) => f.write_str(
                ".deployment runs `bash deploy.sh`, envguard's script: it reuses the environment between \
                 deployments and rebuilds it once for each new force-clean marker",
            ),
            DeployPath::Envguard(Platform::Windows) => f.write_str(
                ".deployment runs `deploy.cmd`, envguard's script for legacy Windows sites: it reuses the \
                 environment between deployments and rebuilds it once for each new force-clean marker",
            ),
            DeployPath::Custom(command) => write!(
                f,
                ".deployment runs `{command}`, a deployment of your own: envguard's marker helps only if it \
                 honours it"
            ),
            DeployPath::Oryx => write!(
                f,
                "no `command` in .deployment: on Linux App Service, Oryx builds the app into a fresh virtual \
                 environment on every deployment (SCM_DO_BUILD_DURING_DEPLOYMENT true or unset), so a removed \
                 package cannot survive there and envguard is not needed for correctness. \
                 `envguard init --target linux` is an opt-in that trades Oryx's full rebuild for envguard's \
                 incremental deploy (the environment is reused, and rebuilt only after a removal); it gives up \
                 Oryx's own build features ({ORYX_FEATURES})"
            ),
            DeployPath::KuduWindows => f.write_str(
                "no `command` in .deployment of a Windows site: Kudu's stock Python script keeps the environment \
                 between deployments and never honours the force-clean marker, so removed packages stay installed",
            ),
            DeployPath::NoBuild => f.write_str(
                ".deployment sets SCM_DO_BUILD_DURING_DEPLOYMENT to false: Kudu copies the files and runs no pip, \
                 so the server builds no environment for envguard to clean",
            ),
        }
    }
}

/// One file `init` writes: its path, what it holds now, what it should hold.
struct Planned {
    path: &'static str,
    existing: Option<Vec<u8>>,
    wanted: Vec<u8>,
}

impl Planned {
    fn done(&self) -> Written {
        match &self.existing {
            None => Written::New,
            Some(bytes) if *bytes == self.wanted => Written::UpToDate,
            Some(_) => Written::Updated,
        }
    }
}

/// Writes the target's script, the checker, `.deployment` and
/// `.gitattributes` into the app at `root`.
pub fn init(root: &Path, target: Platform, force: bool) -> Result<Report> {
    let (name, contents, command) = script(target);
    let existing_script = read_optional(root, name)?;
    let existing_deployment = read_optional(root, DEPLOYMENT_PATH)?;
    let existing_attributes = read_optional(root, ATTRIBUTES_PATH)?;

    let existing_checker = read_optional(root, CHECKER_NAME)?;
    let checker = CHECKER.replace("\r\n", "\n");

    // Decide everything before writing anything.
    let refused = refusal(
        name,
        existing_script.as_deref(),
        contents.as_bytes(),
        force,
        is_ours,
        Said::ForeignScript { name },
    )
    .or_else(|| {
        refusal(
            CHECKER_NAME,
            existing_checker.as_deref(),
            checker.as_bytes(),
            force,
            is_our_checker,
            Said::ForeignChecker { name: CHECKER_NAME },
        )
    });
    if let Some(message) = refused {
        return Err(message.into());
    }
    let before = Deployment::parse(existing_deployment.as_deref().unwrap_or_default())?;
    let deployment = match &existing_deployment {
        None => format!("[config]\ncommand = {command}\n").into_bytes(),
        Some(bytes) => match set_command(bytes, command, force) {
            Edit::Unchanged => bytes.clone(),
            Edit::Changed(new) => new,
            Edit::Conflict(theirs) => {
                return Err(Said::ForeignCommand {
                    theirs,
                    ours: command,
                }
                .into())
            }
        },
    };
    let attributes = with_attributes(existing_attributes.as_deref(), &[attributes_rule(name)])
        .or_else(|| existing_attributes.clone())
        .unwrap_or_default();
    let plan = [
        Planned {
            path: name,
            existing: existing_script,
            wanted: contents.into_bytes(),
        },
        Planned {
            path: CHECKER_NAME,
            existing: existing_checker,
            wanted: checker.into_bytes(),
        },
        Planned {
            path: DEPLOYMENT_PATH,
            existing: existing_deployment,
            wanted: deployment,
        },
        Planned {
            path: ATTRIBUTES_PATH,
            existing: existing_attributes,
            wanted: attributes,
        },
    ];

    let mut said = Vec::new();
    let mut changed = Vec::new();
    for planned in &plan {
        let done = planned.done();
        if done != Written::UpToDate {
            write_atomically(&root.join(planned.path), &planned.wanted)?;
            changed.push(planned.path.to_string());
        }
        let path = planned.path.to_string();
        said.push(if planned.path == DEPLOYMENT_PATH {
            let changed = done != Written::UpToDate;
            let command = command.to_string();
            Said::DeploymentRuns { command, changed }
        } else {
            Said::InitFile { path, done }
        });
    }
    if changed.is_empty() {
        return Ok(Report {
            said: vec![Said::InitUnchanged],
        });
    }
    match before.path(target) {
        DeployPath::Oryx => said.push(Said::ReplacesOryx {
            command: command.to_string(),
        }),
        DeployPath::Custom(theirs) => said.push(Said::ReplacedCommand {
            theirs,
            command: command.to_string(),
        }),
        DeployPath::Envguard(_) | DeployPath::KuduWindows | DeployPath::NoBuild => {}
    }
    said.push(Said::CommitThem {
        paths: changed,
        script: name.to_string(),
    });
    Ok(Report { said })
}

/// A file of the app, `None` when it does not exist. A symlink is refused:
/// init never writes through or over one.
fn read_optional(root: &Path, name: &str) -> Result<Option<Vec<u8>>> {
    let path = root.join(name);
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            let name = name.to_string();
            return Err(Said::InitRefusesLink { name }.into());
        }
        Ok(_) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
    }
    std::fs::read(&path)
        .map(Some)
        .with_context(|| format!("cannot read {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_have_their_platform_line_endings() {
        let (name, cmd, command) = script(Platform::Windows);
        assert_eq!((name, command), ("deploy.cmd", "deploy.cmd"));
        assert!(!cmd.replace("\r\n", "").contains('\n'));
        let (name, sh, command) = script(Platform::Linux);
        assert_eq!((name, command), ("deploy.sh", "bash deploy.sh"));
        assert!(!sh.contains('\r'));
        assert!(is_ours(cmd.as_bytes()) && is_ours(sh.as_bytes()));
        assert!(is_our_checker(CHECKER.as_bytes()));
    }

    #[test]
    fn every_shipped_file_carries_its_own_digest() {
        for (path, text) in [
            ("hooks/deploy.sh", DEPLOY_SH),
            ("hooks/deploy.cmd", DEPLOY_CMD),
            ("hooks/envguard_check.py", CHECKER),
        ] {
            assert_eq!(
                shipped::examine(text.as_bytes()),
                Shipped::Unedited,
                "{path} was edited: run `python3 scripts/stamp-digests.py` (it should say {:?})",
                shipped::expected_line(text.as_bytes())
            );
        }
        let (_, cmd, _) = script(Platform::Windows);
        assert_eq!(shipped::examine(cmd.as_bytes()), Shipped::Unedited);
    }

    #[test]
    fn init_says_what_it_did_and_refuses() {
        let cases = [
        (
            Said::InitFile {
                path: "deploy.sh".into(),
                done: Written::New,
            },
            "wrote deploy.sh",
        ),
        (
            Said::InitFile {
                path: "envguard_check.py".into(),
                done: Written::Updated,
            },
            "updated envguard_check.py",
        ),
        (
            Said::InitFile {
                path: "deploy.cmd".into(),
                done: Written::UpToDate,
            },
            "deploy.cmd is up to date",
        ),
        (
            Said::KeepsEdited {
                name: "deploy.sh",
                stamped: true,
            },
            "deploy.sh is envguard's, edited since envguard wrote it: init keeps your edits. \
             To replace it with this version's, run `envguard init --force`; `git diff deploy.sh` \
             then shows what changed",
        ),
        (
            Said::KeepsEdited {
                name: "envguard_check.py",
                stamped: false,
            },
            "envguard_check.py is envguard's but has no digest line (an older envguard wrote it, \
             or the line was edited out): init cannot tell whether you edited it, so it keeps it. \
             To replace it with this version's, run `envguard init --force`; \
             `git diff envguard_check.py` then shows what changed",
        ),
        (
            Said::ForeignChecker {
                name: "envguard_check.py",
            },
            "envguard_check.py exists and is not envguard's leftovers check: rename it, or replace \
             it with `envguard init --force`",
        ),
        (
            Said::DeploymentRuns {
                command: "bash deploy.sh".into(),
                changed: true,
            },
            ".deployment now runs `bash deploy.sh`",
        ),
        (
            Said::DeploymentRuns {
                command: "deploy.cmd".into(),
                changed: false,
            },
            ".deployment already runs `deploy.cmd`",
        ),
        (
            Said::InitUnchanged,
            "nothing changed: every file is already as `envguard init` writes it",
        ),
        (
            Said::CommitThem {
                paths: vec!["deploy.sh".into(), ".deployment".into()],
                script: "deploy.sh".into(),
            },
            "commit them: git add deploy.sh .deployment && git commit -m \"Deploy with envguard's deploy.sh\"",
        ),
        (
            Said::ForeignScript { name: "deploy.sh" },
            "deploy.sh exists and is not envguard's; keep it and add the marker steps by hand \
             (see \"Server-side setup on Azure\" in envguard's README: read .envguard/force-clean, \
             delete the environment when its token differs from <env>/.envguard-token, write the \
             token after pip succeeds), or replace it with `envguard init --force`",
        ),
        (
            Said::ForeignCommand {
                theirs: "bash scripts/mine.sh".into(),
                ours: "bash deploy.sh",
            },
            ".deployment runs `bash scripts/mine.sh`, not envguard's script; change it to \
             `command = bash deploy.sh` (after adding the marker steps to your script), or run \
             `envguard init --force`",
        ),
        (
            Said::InitRefusesLink {
                name: ".deployment".into(),
            },
            ".deployment is a symbolic link; envguard init never writes through or over one. \
             Replace it with the file itself, then run `envguard init` again",
        ),
        (
            Said::InitWithoutWorkTree,
            "this repository has no working tree; run `envguard init` in the app's checkout",
        ),
        ];
        for (said, want) in cases {
            assert_eq!(said.to_string(), want);
        }
    }

    // How the site builds, in plain words.
    #[test]
    fn deploy_paths_read_plainly() {
        let oryx = Deploys(&DeployPath::Oryx).to_string();
        assert_eq!(
            oryx,
            format!(
                "no `command` in .deployment: on Linux App Service, Oryx builds the app into a fresh virtual \
                 environment on every deployment (SCM_DO_BUILD_DURING_DEPLOYMENT true or unset), so a removed \
                 package cannot survive there and envguard is not needed for correctness. \
                 `envguard init --target linux` is an opt-in that trades Oryx's full rebuild for envguard's \
                 incremental deploy (the environment is reused, and rebuilt only after a removal); it gives up \
                 Oryx's own build features ({ORYX_FEATURES})"
            )
        );
        let cases = [
            (
                DeployPath::Envguard(Platform::Linux),
                ".deployment runs `bash deploy.sh`, envguard's script: it reuses the environment between \
                 deployments and rebuilds it once for each new force-clean marker",
            ),
            (
                DeployPath::Envguard(Platform::Windows),
                ".deployment runs `deploy.cmd`, envguard's script for legacy Windows sites: it reuses the \
                 environment between deployments and rebuilds it once for each new force-clean marker",
            ),
            (
                DeployPath::Custom("bash scripts/mydeploy.sh".into()),
                ".deployment runs `bash scripts/mydeploy.sh`, a deployment of your own: envguard's marker \
                 helps only if it honours it",
            ),
            (
                DeployPath::KuduWindows,
                "no `command` in .deployment of a Windows site: Kudu's stock Python script keeps the \
                 environment between deployments and never honours the force-clean marker, so removed \
                 packages stay installed",
            ),
            (
                DeployPath::NoBuild,
                ".deployment sets SCM_DO_BUILD_DURING_DEPLOYMENT to false: Kudu copies the files and runs \
                 no pip, so the server builds no environment for envguard to clean",
            ),
        ];
        for (path, want) in cases {
            assert_eq!(Deploys(&path).to_string(), want);
        }
        assert_eq!(
            Said::ReplacesOryx {
                command: "bash deploy.sh".into()
            }
            .to_string(),
            format!(
                "note: a custom `command` replaces Oryx's build on Linux App Service: `bash deploy.sh` now \
                 reuses the environment between deployments instead of Oryx's fresh build, and Oryx's own \
                 build features ({ORYX_FEATURES}) no longer run. To go back to Oryx, delete the `command` \
                 line from .deployment"
            )
        );
    }
}
