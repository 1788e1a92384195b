//! `envguard init`: puts the server-side deployment script and a
//! `.deployment` that runs it into the app repository.
//!
//! The scripts are the ones in the project's `hooks/`, embedded in the
//! binary. A user's own script or deployment command is never replaced
//! without `--force`; `.deployment` keeps every other key.

use std::fmt;
use std::path::Path;

use anyhow::{Context, Result};

use envguard_core::message::Message;
use envguard_core::token::ENV_TOKEN_FILE;

use crate::fs::write_atomically;
use envguard_core::deployment::{envguard_script, Deployment, DEPLOYMENT_PATH};
use envguard_core::platform::Platform;

/// Kudu's Python deployment script for Windows App Service, with the marker steps.
pub const DEPLOY_CMD: &str = include_str!("../hooks/deploy.cmd");
/// The same for Linux (`command = bash deploy.sh`).
pub const DEPLOY_SH: &str = include_str!("../hooks/deploy.sh");

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
fn is_ours(text: &str) -> bool {
    text.contains("envguard") && text.contains(ENV_TOKEN_FILE)
}

/// What `init` did, for the user.
pub struct Report {
    pub lines: Vec<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.lines {
            writeln!(f, "envguard: {line}")?;
        }
        Ok(())
    }
}

/// Writes the target's script and `.deployment` into the app at `root`.
pub fn init(root: &Path, target: Platform, force: bool) -> Result<Report> {
    let (name, contents, command) = script(target);
    let script_path = root.join(name);
    let deployment_path = root.join(DEPLOYMENT_PATH);
    let existing_script = read_optional(&script_path)?;
    let existing_deployment = read_optional(&deployment_path)?;

    // Decide everything before writing anything.
    if let Some(text) = &existing_script {
        if !is_ours(text) && !force {
            return Err(Message::ForeignScript { name }.into());
        }
    }
    let deployment = match &existing_deployment {
        None => format!("[config]\ncommand = {command}\n"),
        Some(text) => match set_command(text, command, force) {
            Edit::Unchanged => text.clone(),
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

    let mut report = Report { lines: Vec::new() };
    if existing_script.as_deref() == Some(contents.as_str()) {
        report.lines.push(format!("{name} is up to date"));
    } else {
        write_atomically(&script_path, contents.as_bytes())?;
        let verb = if existing_script.is_some() {
            "updated"
        } else {
            "wrote"
        };
        report.lines.push(format!("{verb} {name}"));
    }
    if existing_deployment.as_deref() == Some(deployment.as_str()) {
        report
            .lines
            .push(format!(".deployment already runs `{command}`"));
    } else {
        write_atomically(&deployment_path, deployment.as_bytes())?;
        report
            .lines
            .push(format!(".deployment now runs `{command}`"));
    }
    report.lines.push(format!(
        "commit them: git add {name} .deployment && git commit -m \"Deploy with envguard's {name}\""
    ));
    Ok(report)
}

fn read_optional(path: &Path) -> Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// The result of setting `command` in a `.deployment`.
#[derive(Debug, PartialEq, Eq)]
enum Edit {
    Unchanged,
    Changed(String),
    /// It runs something else: this command.
    Conflict(String),
}

/// Sets `command = …` in the `[config]` section (adding the section when
/// missing), keeping every other line as it was. A command that runs some
/// other script is a conflict unless `force`.
fn set_command(text: &str, command: &str, force: bool) -> Edit {
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut section = None;
    let mut config_at = None;
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            section = Some(trimmed.to_ascii_lowercase());
            if trimmed.eq_ignore_ascii_case("[config]") {
                config_at = Some(i);
            }
            continue;
        }
        if section.as_deref() != Some("[config]") {
            continue;
        }
        if let Some((key, value)) = trimmed.split_once('=') {
            if key.trim().eq_ignore_ascii_case("command") {
                let value = value.trim();
                if value == command {
                    return Edit::Unchanged;
                }
                let theirs = Deployment {
                    command: Some(value.to_string()),
                    ..Deployment::default()
                };
                let runs_ours = theirs.runs_envguard_script().is_some();
                if !runs_ours && !force {
                    return Edit::Conflict(value.to_string());
                }
                lines[i] = format!("command = {command}");
                return Edit::Changed(lines.join(newline) + newline);
            }
        }
    }
    match config_at {
        Some(i) => lines.insert(i + 1, format!("command = {command}")),
        None => {
            lines.push("[config]".to_string());
            lines.push(format!("command = {command}"));
        }
    }
    Edit::Changed(lines.join(newline) + newline)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_edits_keep_other_keys() {
        assert_eq!(
            set_command("[config]\nproject = app\n", "deploy.cmd", false),
            Edit::Changed("[config]\ncommand = deploy.cmd\nproject = app\n".into())
        );
        assert_eq!(
            set_command(
                "[config]\r\nCOMMAND = deploy.cmd\r\n",
                "bash deploy.sh",
                false
            ),
            Edit::Changed("[config]\r\ncommand = bash deploy.sh\r\n".into())
        );
        assert_eq!(
            set_command("[config]\ncommand = deploy.cmd\n", "deploy.cmd", false),
            Edit::Unchanged
        );
        assert_eq!(
            set_command("[config]\ncommand = mine.cmd\n", "deploy.cmd", false),
            Edit::Conflict("mine.cmd".into())
        );
        assert_eq!(
            set_command("[config]\ncommand = mine.cmd\n", "deploy.cmd", true),
            Edit::Changed("[config]\ncommand = deploy.cmd\n".into())
        );
        assert_eq!(
            set_command(
                "; note\nSCM_DO_BUILD_DURING_DEPLOYMENT = 1\n",
                "deploy.cmd",
                false
            ),
            Edit::Changed(
                "; note\nSCM_DO_BUILD_DURING_DEPLOYMENT = 1\n[config]\ncommand = deploy.cmd\n"
                    .into()
            )
        );
    }

    #[test]
    fn scripts_have_their_platform_line_endings() {
        let (name, cmd, command) = script(Platform::Windows);
        assert_eq!((name, command), ("deploy.cmd", "deploy.cmd"));
        assert!(!cmd.replace("\r\n", "").contains('\n'));
        let (name, sh, command) = script(Platform::Linux);
        assert_eq!((name, command), ("deploy.sh", "bash deploy.sh"));
        assert!(!sh.contains('\r'));
        assert!(is_ours(&cmd) && is_ours(&sh));
    }
}
