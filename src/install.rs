//! Installing and removing envguard's pre-push hook in a repository.
//!
//! The hooks folder is git's own answer (`git rev-parse --git-path hooks`),
//! so `core.hooksPath` and linked worktrees behave as git does. A pre-push
//! hook that is not envguard's is kept, moved aside whole as
//! `pre-push.envguard-chained`, and run first by envguard's hook with the
//! same arguments and stdin; uninstalling puts it back.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::repo::write_atomically;

/// envguard's hook script; `@ENVGUARD_BIN@` becomes the binary's path.
pub const HOOK_TEMPLATE: &str = include_str!("../hooks/pre-push");
/// The line that marks a hook as envguard's own.
pub const HOOK_MARKER: &str = "# envguard: pre-push hook";
/// The hook's file name.
const HOOK_NAME: &str = "pre-push";
/// Where a user's own pre-push hook is kept while envguard's is installed.
pub const CHAINED_NAME: &str = "pre-push.envguard-chained";

/// What is in the hook's place before installing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    Nothing,
    Ours,
    Foreign,
}

/// What `install` does about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    /// Write the hook.
    Write,
    /// Replace an older envguard hook.
    Upgrade,
    /// Move the user's hook aside as the chained one, then write ours.
    Chain,
    /// Overwrite the user's hook (`--force`).
    Replace,
    /// Refuse: a chained hook is already kept and another foreign hook sits
    /// in our place.
    Refuse,
}

/// The pure part of installing: from what is there to what to do.
pub fn plan(existing: Existing, chained_exists: bool, force: bool) -> Plan {
    match (existing, force) {
        (Existing::Nothing, _) => Plan::Write,
        (Existing::Ours, _) => Plan::Upgrade,
        (Existing::Foreign, true) => Plan::Replace,
        (Existing::Foreign, false) if chained_exists => Plan::Refuse,
        (Existing::Foreign, false) => Plan::Chain,
    }
}

/// The hook script for a binary at `binary`.
pub fn hook_script(binary: &Path) -> String {
    let quoted = binary.to_string_lossy().replace('\'', r"'\''");
    HOOK_TEMPLATE.replace("@ENVGUARD_BIN@", &quoted)
}

/// The hooks folder git uses for the repository around `dir`.
pub fn hooks_dir(dir: &Path) -> Result<PathBuf> {
    let output = Command::new("git")
        .args(["rev-parse", "--git-path", "hooks"])
        .current_dir(dir)
        .output()
        .context("cannot run git (is it on PATH?)")?;
    if !output.status.success() {
        bail!(
            "{} is not inside a git repository: {}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let path = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    Ok(if path.is_absolute() {
        path
    } else {
        dir.join(path)
    })
}

fn existing(hook: &Path) -> Result<Existing> {
    match std::fs::read(hook) {
        Ok(bytes) if String::from_utf8_lossy(&bytes).contains(HOOK_MARKER) => Ok(Existing::Ours),
        Ok(_) => Ok(Existing::Foreign),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Existing::Nothing),
        Err(err) => Err(err).with_context(|| format!("cannot read {}", hook.display())),
    }
}

/// Installs the hook into the repository around `dir`; says what it did.
pub fn install(dir: &Path, binary: &Path, force: bool) -> Result<String> {
    let hooks = hooks_dir(dir)?;
    let hook = hooks.join(HOOK_NAME);
    let chained = hooks.join(CHAINED_NAME);
    let plan = plan(existing(&hook)?, chained.exists(), force);
    let mut said = String::new();
    match plan {
        Plan::Refuse => bail!(
            "{} is another tool's hook and {} is already kept; merge them by hand, or use --force to replace {}",
            hook.display(),
            chained.display(),
            hook.display()
        ),
        Plan::Chain => {
            std::fs::rename(&hook, &chained)
                .with_context(|| format!("cannot move {} aside", hook.display()))?;
            said.push_str(&format!(
                "kept the existing hook as {}; it runs first on every push\n",
                chained.display()
            ));
        }
        Plan::Write | Plan::Upgrade | Plan::Replace => {}
    }
    write_atomically(&hook, hook_script(binary).as_bytes())?;
    make_executable(&hook)?;
    said.push_str(&format!(
        "{} {} (runs {})",
        if plan == Plan::Upgrade {
            "updated"
        } else {
            "installed"
        },
        hook.display(),
        binary.display()
    ));
    Ok(said)
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot make {} executable", path.display()))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans() {
        assert_eq!(plan(Existing::Nothing, false, false), Plan::Write);
        assert_eq!(plan(Existing::Nothing, true, false), Plan::Write);
        assert_eq!(plan(Existing::Ours, true, false), Plan::Upgrade);
        assert_eq!(plan(Existing::Foreign, false, false), Plan::Chain);
        assert_eq!(plan(Existing::Foreign, true, false), Plan::Refuse);
        assert_eq!(plan(Existing::Foreign, true, true), Plan::Replace);
    }

    #[test]
    fn script_records_the_binary_and_stays_lf() {
        let script = hook_script(Path::new("/opt/it's here/envguard"));
        assert!(script.starts_with("#!/bin/sh\n"));
        assert!(script.contains(HOOK_MARKER));
        assert!(script.contains(r"recorded='/opt/it'\''s here/envguard'"));
        assert!(!script.contains('\r'));
        assert!(!script.contains("@ENVGUARD_BIN@"));
    }
}
