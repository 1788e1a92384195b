//! git's command line, for what only git itself answers or does: where the
//! hooks folder of a repository is, git's version and its config-based
//! hooks, the config writes of `install --config-hook` and `uninstall`,
//! and the demo's own repositories. With the rest of `repo/`, this is
//! where every git process envguard starts is started.

use std::fmt;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

/// What a git command said.
pub struct Output {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `git ARGS` in `dir`.
fn run(dir: &Path, args: &[&str]) -> Result<Output> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .context("cannot run git (is it on PATH?)")?;
    Ok(Output {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

/// git's stdout for `args` run in `dir`, when it succeeds.
fn text(dir: &Path, args: &[&str]) -> Option<String> {
    run(dir, args)
        .ok()
        .filter(|output| output.success)
        .map(|output| output.stdout)
}

/// git's hooks folder, common folder and object format for the
/// repository around `dir` (`git rev-parse --git-path hooks
/// --git-common-dir --show-object-format`), one a line: git's own answer,
/// so `core.hooksPath` and linked worktrees count as git counts them.
pub fn hooks_folder(dir: &Path) -> Result<Output> {
    run(
        dir,
        &[
            "rev-parse",
            "--git-path",
            "hooks",
            "--git-common-dir",
            "--show-object-format",
        ],
    )
}

/// The working tree's root around `dir` (`git rev-parse --show-toplevel`).
pub fn toplevel(dir: &Path) -> Option<String> {
    text(dir, &["rev-parse", "--show-toplevel"])
}

/// What `git version` says.
pub fn version(dir: &Path) -> Option<String> {
    text(dir, &["version"])
}

/// git's config entries `hook.*` (`git config --get-regexp`), of every
/// scope, or of this repository's own config only (`local`).
pub fn config_hooks(dir: &Path, local: bool) -> Option<String> {
    let mut args = vec!["config"];
    if local {
        args.push("--local");
    }
    args.extend_from_slice(&["--get-regexp", r"^hook\."]);
    text(dir, &args)
}

/// A git config write that git refused.
#[derive(Debug)]
pub struct ConfigFailed {
    /// The command after `git`.
    pub args: String,
    /// What git said on standard error.
    pub said: String,
}

impl fmt::Display for ConfigFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`git {}` failed: {}", self.args, self.said)
    }
}

impl std::error::Error for ConfigFailed {}

/// Runs a config write, failing with what git said.
fn write_config(dir: &Path, args: &[&str]) -> Result<()> {
    let output = run(dir, args)?;
    if !output.success {
        return Err(ConfigFailed {
            args: args.join(" "),
            said: output.stderr.trim().to_string(),
        }
        .into());
    }
    Ok(())
}

/// Sets `key` in this repository's own config (`git config --local`).
pub fn set_local_config(dir: &Path, key: &str, value: &str) -> Result<()> {
    write_config(dir, &["config", "--local", key, value])
}

/// Adds a value to the multi-valued `key` in this repository's own config.
pub fn add_local_config(dir: &Path, key: &str, value: &str) -> Result<()> {
    write_config(dir, &["config", "--local", "--add", key, value])
}

/// Removes a section from this repository's own config.
pub fn remove_local_section(dir: &Path, section: &str) -> Result<()> {
    write_config(dir, &["config", "--local", "--remove-section", section])
}

/// git in `dir` for the demo's own repositories, with none of the
/// caller's `GIT_*` variables: inherited from a hook, say, they would point
/// git at another repository.
pub fn isolated(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("git");
    command.args(args).current_dir(dir);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("GIT_") || key == "ENVGUARD_SKIP" {
            command.env_remove(key);
        }
    }
    command
}

/// Whether git runs at all (`git --version`).
pub fn available() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
}
