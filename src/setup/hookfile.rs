//! envguard's pre-push hook file: where git looks for it, what is in its
//! place, and writing and removing it.
//!
//! The hooks folder is git's own answer (`git rev-parse --git-path hooks`),
//! so `core.hooksPath` and linked worktrees (which share the main
//! repository's hooks) behave as git does. envguard's hook is recognised by
//! its marker line, never by its path or bytes, so reinstalling upgrades it
//! in place instead of chaining envguard to itself.
//!
//! A pre-push hook that is not envguard's is kept: moved aside whole (a
//! rename, so bytes and mode stay) as `pre-push.envguard-chained`, and run
//! first by envguard's hook with the same arguments and stdin; uninstalling
//! renames it back. This beats the hook managers users already know
//! (lefthook keeps the old hook but never runs it; husky's `core.hooksPath`
//! silently disables it). What to do is decided by two pure functions,
//! [`plan`] and [`plan_removal`], from what is found in the hooks folder.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::fs::write_atomically;
use crate::repo;

/// What writing or removing the hook file did, notes, or refuses. Paths
/// come in as the shell shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Said {
    /// `git rev-parse` failed in `dir`.
    NotARepository { dir: String, said: String },
    /// `git rev-parse` answered without a hooks folder.
    NoHooksFolder { said: String },
    /// A foreign hook in envguard's place, and an earlier one already kept.
    RefuseForeign { hook: String, chained: String },
    /// The user's hook moved aside to `chained`.
    KeptExisting { chained: String },
    /// `--force` replaced a foreign hook.
    Replaced { hook: String },
    /// A hook kept by an earlier install.
    KeptFromBefore { chained: String },
    /// envguard's hook written (`updated`: over an older one of envguard's).
    Installed {
        hook: String,
        binary: String,
        updated: bool,
    },
    /// The hooks folder is `core.hooksPath`'s.
    HooksFolder { dir: String },
    /// envguard's hook deleted.
    Removed { hook: String },
    /// envguard's hook deleted, the kept one put back in its place.
    Restored { chained: String, hook: String },
    /// A foreign hook in envguard's place, left alone; `kept`: the hook
    /// envguard kept before, still there.
    LeftForeign { hook: String, kept: Option<String> },
    /// `install` in a SHA-256 repository.
    Sha256Install,
}

impl fmt::Display for Said {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Said::*;
        match self {
            NotARepository { dir, said } => {
                write!(f, "{dir} is not inside a git repository: {said}")
            }
            NoHooksFolder { said } => write!(f, "git rev-parse gave no hooks folder: {said:?}"),
            RefuseForeign { hook, chained } => write!(
                f,
                "{hook} is not envguard's hook, and {chained} already keeps an earlier one; merge the two by hand \
                 into {chained}, or run `envguard install --force` to replace {hook}"
            ),
            KeptExisting { chained } => write!(
                f,
                "kept the existing hook as {chained}; it runs first on every push, with the same arguments and input"
            ),
            Replaced { hook } => write!(f, "replaced {hook} (--force): it is not kept"),
            KeptFromBefore { chained } => write!(
                f,
                "{chained} is kept from before; it runs first on every push"
            ),
            Installed {
                hook,
                binary,
                updated,
            } => write!(
                f,
                "{} {hook} (runs {binary})",
                if *updated { "updated" } else { "installed" }
            ),
            HooksFolder { dir } => write!(f, "note: {}", hooks_folder(dir)),
            Removed { hook } => write!(f, "removed {hook}"),
            Restored { chained, hook } => {
                write!(f, "removed envguard's hook; {chained} is back as {hook}")
            }
            LeftForeign { hook, kept } => {
                write!(f, "{hook} is not envguard's hook: left alone")?;
                if let Some(chained) = kept {
                    write!(
                        f,
                        "\n{chained} still keeps the hook that was there before envguard; move it back by hand if you want it"
                    )?;
                }
                Ok(())
            }
            Sha256Install => f.write_str(
                "warning: this repository uses SHA-256 object ids, which envguard cannot read yet: pushes \
                 that cannot deploy go on as usual, but a push that deploys stops with exit 2 (check its \
                 requirements yourself and push it with `git push --no-verify`)",
            ),
        }
    }
}

impl std::error::Error for Said {}

/// What `install` and `doctor` note about a `core.hooksPath` folder `dir`.
pub fn hooks_folder(dir: &str) -> String {
    format!(
        "core.hooksPath makes {dir} the hooks folder; other repositories or tools may \
         share it, and envguard's hook there acts on their pushes to deploying remotes too. \
         The hook records this machine's binary path: do not commit it"
    )
}

/// envguard's hook script; `@ENVGUARD_BIN@` becomes the binary's path.
pub const HOOK_TEMPLATE: &str = include_str!("../../hooks/pre-push");
/// The line that marks a hook as envguard's own.
pub const HOOK_MARKER: &str = "# envguard: pre-push hook";
/// The hook's file name.
pub const HOOK_NAME: &str = "pre-push";
/// Where a user's own pre-push hook is kept while envguard's is installed.
pub const CHAINED_NAME: &str = "pre-push.envguard-chained";
/// The line of the hook that records the binary, up to the quoted path.
const RECORDED_PREFIX: &str = "recorded='";

/// What is in the hook's place.
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
    /// Replace an older envguard hook; a kept hook stays kept.
    Upgrade,
    /// Move the user's hook aside as the chained one, then write ours.
    Chain,
    /// Overwrite the user's hook (`--force`).
    Replace,
    /// Refuse: a chained hook is already kept and another foreign hook sits
    /// in our place (another tool rewrote it); moving it aside would lose
    /// one of the two.
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

/// What `uninstall` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removal {
    /// Neither envguard's hook nor a kept one: nothing to do.
    NotInstalled,
    /// Delete envguard's hook; nothing was kept.
    Remove,
    /// Put the kept hook back in envguard's place (a rename over it).
    Restore,
    /// The hook in place is someone else's: leave it, and any kept one, alone.
    LeaveForeign { kept: bool },
}

/// The pure part of uninstalling. A kept hook without envguard's in place
/// (someone deleted ours by hand) is still put back: that is the promise.
pub fn plan_removal(existing: Existing, chained_exists: bool) -> Removal {
    match (existing, chained_exists) {
        (Existing::Nothing, false) => Removal::NotInstalled,
        (Existing::Ours, false) => Removal::Remove,
        (Existing::Nothing | Existing::Ours, true) => Removal::Restore,
        (Existing::Foreign, kept) => Removal::LeaveForeign { kept },
    }
}

/// The hook script for a binary at `binary`.
pub fn hook_script(binary: &Path) -> String {
    // Git for Windows runs hooks with its own sh, which reads `C:/x` but
    // would take the backslashes of `C:\x` as escapes in some places.
    let path = binary.to_string_lossy();
    let path = if cfg!(windows) {
        path.replace('\\', "/")
    } else {
        path.into_owned()
    };
    HOOK_TEMPLATE.replace("@ENVGUARD_BIN@", &crate::quote::single_quoted_inside(&path))
}

/// The binary an installed hook script records, if it is envguard's.
pub fn recorded_binary(script: &str) -> Option<PathBuf> {
    let line = script
        .lines()
        .find_map(|line| line.strip_prefix(RECORDED_PREFIX))?;
    let quoted = line.strip_suffix('\'')?;
    Some(PathBuf::from(quoted.replace(r"'\''", "'")))
}

/// Where git looks for the pre-push hook of one repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HookPaths {
    /// The hooks folder.
    pub dir: PathBuf,
    /// `<dir>/pre-push`.
    pub hook: PathBuf,
    /// `<dir>/pre-push.envguard-chained`.
    pub chained: PathBuf,
    /// Whether `core.hooksPath` moved the folder away from the repository's
    /// own `hooks`: then other repositories or tools may share it.
    pub custom: bool,
    /// Whether the repository uses SHA-256 object ids.
    pub sha256: bool,
    /// git's common folder (`.git` of the main worktree).
    pub common: PathBuf,
}

impl HookPaths {
    /// Asks git for the hooks folder of the repository around `dir`.
    pub fn locate(dir: &Path) -> Result<HookPaths> {
        let output = repo::cli::hooks_folder(dir)?;
        if !output.success {
            return Err(Said::NotARepository {
                dir: dir.display().to_string(),
                said: output.stderr.trim().to_string(),
            }
            .into());
        }
        let stdout = output.stdout;
        let mut lines = stdout.lines().map(str::trim);
        let (Some(hooks), Some(common)) = (lines.next(), lines.next()) else {
            return Err(Said::NoHooksFolder { said: stdout }.into());
        };
        let (hooks, common) = (dir.join(hooks), dir.join(common));
        let sha256 = lines.next() == Some("sha256");
        // Without core.hooksPath git answers `<common dir>/hooks`; compare
        // resolved paths so `core.hooksPath = .git/hooks` is no custom folder.
        let custom = resolved(&hooks) != resolved(&common.join("hooks"));
        Ok(HookPaths::at(hooks, common, custom, sha256))
    }

    fn at(dir: PathBuf, common: PathBuf, custom: bool, sha256: bool) -> HookPaths {
        HookPaths {
            hook: dir.join(HOOK_NAME),
            chained: dir.join(CHAINED_NAME),
            dir,
            custom,
            sha256,
            common,
        }
    }

    /// The repository's own hooks folder, which git does not read while
    /// `core.hooksPath` points elsewhere; `None` when it is the one in use.
    pub fn default_folder(&self) -> Option<HookPaths> {
        self.custom.then(|| {
            HookPaths::at(
                self.common.join("hooks"),
                self.common.clone(),
                false,
                self.sha256,
            )
        })
    }

    /// What sits in the hook's place now. A dangling symlink is foreign:
    /// it is the user's, kept and restored like any other hook.
    pub fn existing(&self) -> Result<Existing> {
        match std::fs::read(&self.hook) {
            Ok(bytes) if is_ours(&bytes) => Ok(Existing::Ours),
            Ok(_) => Ok(Existing::Foreign),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                Ok(match self.hook.symlink_metadata() {
                    Ok(_) => Existing::Foreign,
                    Err(_) => Existing::Nothing,
                })
            }
            Err(err) => Err(err).with_context(|| format!("cannot read {}", self.hook.display())),
        }
    }

    /// Whether a hook is kept aside (a dangling symlink counts: it is the
    /// user's, and renaming it back restores it as it was).
    pub fn chained_exists(&self) -> bool {
        self.chained.symlink_metadata().is_ok()
    }
}

/// Whether hook bytes are envguard's hook: its marker line, on a line of its own.
pub fn is_ours(bytes: &[u8]) -> bool {
    String::from_utf8_lossy(bytes)
        .lines()
        .any(|line| line.trim_end() == HOOK_MARKER)
}

/// A path with links resolved, or as given when it does not exist.
pub fn resolved(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// Writes envguard's hook file into `paths`, recording `binary`; returns
/// what it did.
pub(super) fn install_file_hook(
    paths: &HookPaths,
    binary: &Path,
    force: bool,
) -> Result<Vec<Said>> {
    let (hook, chained) = (&paths.hook, &paths.chained);
    let (hook_shown, chained_shown) = (hook.display().to_string(), chained.display().to_string());
    let kept_before = paths.chained_exists();
    let plan = plan(paths.existing()?, kept_before, force);
    let mut said = Vec::new();
    match plan {
        Plan::Refuse => {
            return Err(Said::RefuseForeign {
                hook: hook_shown,
                chained: chained_shown,
            }
            .into())
        }
        Plan::Chain => {
            std::fs::rename(hook, chained)
                .with_context(|| format!("cannot move {} aside", hook.display()))?;
            said.push(Said::KeptExisting {
                chained: chained_shown.clone(),
            });
        }
        Plan::Replace => said.push(Said::Replaced {
            hook: hook_shown.clone(),
        }),
        Plan::Write | Plan::Upgrade => {}
    }
    if kept_before {
        said.push(Said::KeptFromBefore {
            chained: chained_shown,
        });
    }
    if let Err(err) = write_hook(hook, binary) {
        if plan == Plan::Chain {
            // Leave the user's hook where it was rather than no hook at all.
            let _ = std::fs::rename(chained, hook);
        }
        return Err(err);
    }
    said.push(Said::Installed {
        hook: hook_shown,
        binary: binary.display().to_string(),
        updated: plan == Plan::Upgrade,
    });
    if paths.custom {
        said.push(Said::HooksFolder {
            dir: paths.dir.display().to_string(),
        });
    }
    if paths.sha256 {
        said.push(Said::Sha256Install);
    }
    Ok(said)
}

/// Writes envguard's hook script, recording `binary`, at `hook`.
pub fn write_hook(hook: &Path, binary: &Path) -> Result<()> {
    write_atomically(hook, hook_script(binary).as_bytes())?;
    make_executable(hook)
}

/// Removes envguard's hook file from `paths`, putting back the hook it
/// kept; says what it did, `None` when there is nothing of envguard's.
/// `quiet_foreign`: a foreign hook in its place is a manager's or in a
/// folder git does not read, and needs no word.
pub(super) fn uninstall_file_hook(paths: &HookPaths, quiet_foreign: bool) -> Result<Option<Said>> {
    let (hook, chained) = (&paths.hook, &paths.chained);
    let said = match plan_removal(paths.existing()?, paths.chained_exists()) {
        Removal::NotInstalled => None,
        Removal::Remove => {
            std::fs::remove_file(hook)
                .with_context(|| format!("cannot remove {}", hook.display()))?;
            Some(Said::Removed {
                hook: hook.display().to_string(),
            })
        }
        Removal::Restore => {
            // One rename: the kept file comes back as it was, bytes and mode,
            // and there is no moment without a pre-push hook.
            std::fs::rename(chained, hook).with_context(|| {
                format!(
                    "cannot move {} back to {}",
                    chained.display(),
                    hook.display()
                )
            })?;
            Some(Said::Restored {
                chained: chained.display().to_string(),
                hook: hook.display().to_string(),
            })
        }
        Removal::LeaveForeign { kept: false } if quiet_foreign => None,
        Removal::LeaveForeign { kept } => Some(Said::LeftForeign {
            hook: hook.display().to_string(),
            kept: kept.then(|| chained.display().to_string()),
        }),
    };
    Ok(said)
}

/// Sets the run bits (a no-op where files have none).
#[cfg(unix)]
pub fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot make {} executable", path.display()))
}

#[cfg(not(unix))]
pub fn make_executable(_: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Existing::{Foreign, Nothing, Ours};

    #[test]
    fn install_plans() {
        for (existing, chained, force, expected) in [
            (Nothing, false, false, Plan::Write),
            (Nothing, true, false, Plan::Write),
            (Nothing, false, true, Plan::Write),
            (Ours, false, false, Plan::Upgrade),
            (Ours, true, false, Plan::Upgrade),
            (Ours, true, true, Plan::Upgrade),
            (Foreign, false, false, Plan::Chain),
            (Foreign, false, true, Plan::Replace),
            (Foreign, true, false, Plan::Refuse),
            (Foreign, true, true, Plan::Replace),
        ] {
            assert_eq!(
                plan(existing, chained, force),
                expected,
                "{existing:?}, chained {chained}, force {force}"
            );
        }
    }

    #[test]
    fn removal_plans() {
        for (existing, chained, expected) in [
            (Nothing, false, Removal::NotInstalled),
            (Nothing, true, Removal::Restore),
            (Ours, false, Removal::Remove),
            (Ours, true, Removal::Restore),
            (Foreign, false, Removal::LeaveForeign { kept: false }),
            (Foreign, true, Removal::LeaveForeign { kept: true }),
        ] {
            assert_eq!(
                plan_removal(existing, chained),
                expected,
                "{existing:?}, chained {chained}"
            );
        }
    }

    #[test]
    fn script_records_the_binary_and_stays_lf() {
        let binary = Path::new("/opt/it's here/envguard");
        let script = hook_script(binary);
        assert!(script.starts_with("#!/bin/sh\n"));
        assert!(is_ours(script.as_bytes()));
        assert!(script.contains(r"recorded='/opt/it'\''s here/envguard'"));
        assert!(!script.contains('\r'));
        assert!(!script.contains("@ENVGUARD_BIN@"));
        assert_eq!(recorded_binary(&script).as_deref(), Some(binary));
    }

    #[test]
    fn only_the_marker_line_makes_a_hook_ours() {
        assert!(is_ours(
            b"#!/bin/sh\r\n# envguard: pre-push hook\r\nexit 0\r\n"
        ));
        assert!(!is_ours(
            b"#!/bin/sh\n# calls envguard: pre-push hook below\n"
        ));
        assert!(!is_ours(b"#!/bin/sh\nexec lefthook run pre-push\n"));
        assert_eq!(recorded_binary("#!/bin/sh\nexit 0\n"), None);
    }
}
