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

use std::path::Path;

use anyhow::{Context, Result};

use envguard_core::deployment::{
    attributes_rule, envguard_script, set_command, with_attributes, DeployPath, Deployment, Edit,
    DEPLOYMENT_PATH,
};
use envguard_core::message::{Message, Written};
use envguard_core::platform::Platform;
use envguard_core::shipped::{self, Copy as Shipped};
use envguard_core::token::ENV_TOKEN_FILE;

use crate::fs::write_atomically;

/// Kudu's Python deployment script for Windows App Service, with the marker steps.
pub const DEPLOY_CMD: &str = include_str!("../hooks/deploy.cmd");
/// The same for Linux (`command = bash deploy.sh`).
pub const DEPLOY_SH: &str = include_str!("../hooks/deploy.sh");
/// The server's leftovers check, which both scripts run beside themselves.
pub const CHECKER: &str = include_str!("../hooks/envguard_check.py");
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
    foreign: Message,
) -> Option<Message> {
    let bytes = existing?;
    if force || bytes == wanted {
        return None;
    }
    match shipped::examine(bytes) {
        Shipped::Unedited => None,
        Shipped::Edited => Some(Message::KeepsEdited {
            name,
            stamped: true,
        }),
        Shipped::Unstamped if ours(bytes) => Some(Message::KeepsEdited {
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
    pub messages: Vec<Message>,
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
        Message::ForeignScript { name },
    )
    .or_else(|| {
        refusal(
            CHECKER_NAME,
            existing_checker.as_deref(),
            checker.as_bytes(),
            force,
            is_our_checker,
            Message::ForeignChecker { name: CHECKER_NAME },
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
                return Err(Message::ForeignCommand {
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

    let mut messages = Vec::new();
    let mut changed = Vec::new();
    for planned in &plan {
        let done = planned.done();
        if done != Written::UpToDate {
            write_atomically(&root.join(planned.path), &planned.wanted)?;
            changed.push(planned.path.to_string());
        }
        let path = planned.path.to_string();
        messages.push(if planned.path == DEPLOYMENT_PATH {
            let changed = done != Written::UpToDate;
            let command = command.to_string();
            Message::DeploymentRuns { command, changed }
        } else {
            Message::InitFile { path, done }
        });
    }
    if changed.is_empty() {
        return Ok(Report {
            messages: vec![Message::InitUnchanged],
        });
    }
    match before.path(target) {
        DeployPath::Oryx => messages.push(Message::ReplacesOryx {
            command: command.to_string(),
        }),
        DeployPath::Custom(theirs) => messages.push(Message::ReplacedCommand {
            theirs,
            command: command.to_string(),
        }),
        DeployPath::Envguard(_) | DeployPath::KuduWindows | DeployPath::NoBuild => {}
    }
    messages.push(Message::CommitThem {
        paths: changed,
        script: name.to_string(),
    });
    Ok(Report { messages })
}

/// A file of the app, `None` when it does not exist. A symlink is refused:
/// init never writes through or over one.
fn read_optional(root: &Path, name: &str) -> Result<Option<Vec<u8>>> {
    let path = root.join(name);
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            let name = name.to_string();
            return Err(Message::InitRefusesLink { name }.into());
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
}
