//! The hook managers (pre-commit, prek, lefthook, husky) and git's
//! config-based hooks of one repository, as its files and git's config show
//! them, and the changes `install --config-hook`, `install --manager` and
//! `uninstall` make to them. What each manager does and how its files read
//! is the core's [`envguard_core::managers`]; this module reads and writes.
//!
//! envguard never chains its hook file under a manager: each one replaces,
//! renames or bypasses other pre-push hooks (the core's
//! [`Manager::why_not_chained`]). It runs from the manager's own config
//! instead, or from git's config beside it.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};
use envguard_core::managers::{
    self as rules, ConfigHook, Configured, Dropped, Manager, CONFIG_HOOKS_SINCE, CONFIG_HOOK_NAME,
    LEFTHOOK_CONFIGS, LEFTHOOK_LOCAL, PRE_COMMIT_CONFIGS,
};
use envguard_core::message::install::Install;

use crate::fs::write_atomically;
use crate::install::{is_ours, uninstall_file_hook, write_hook, Existing, HookPaths};
use crate::quote::shell_word;

/// What runs on pre-push in one repository, besides a plain hook file.
#[derive(Clone, Debug)]
pub struct Survey {
    /// The working tree's root, where managers keep their configs.
    pub root: Option<PathBuf>,
    /// The manager that has pre-push here, if any.
    pub manager: Option<Found>,
    /// `hook.<name>` entries of git's config, all scopes.
    pub config_hooks: Vec<ConfigHook>,
    /// The same, from this repository's own config only.
    pub local_config_hooks: Vec<ConfigHook>,
    /// A pre-commit or prek config that manages no pre-push hook, as shown.
    pub idle_pre_commit_config: Option<String>,
    /// `git version`, as it says it and as (major, minor).
    pub git_version_text: String,
    pub git_version: Option<(u32, u32)>,
}

/// A hook manager found in the repository.
#[derive(Clone, Debug)]
pub struct Found {
    pub manager: Manager,
    /// The file that runs (or would run) envguard: the manager's config,
    /// or husky's `.husky/pre-push`.
    pub config: PathBuf,
    /// `config` as the user sees it, relative to the root.
    pub shown: String,
    pub configured: Configured,
    /// Whether the manager's own pre-push hook is where git runs it.
    pub hook_installed: bool,
    /// envguard's hook file where the manager moved it.
    pub renamed: Option<PathBuf>,
    /// The manager's script is chained under envguard's hook (as `envguard
    /// install` left it before it knew the managers).
    pub chained_under_ours: bool,
}

impl Survey {
    /// The command of a config-based hook that runs envguard on pre-push.
    pub fn envguard_config_hook(&self) -> Option<&str> {
        self.config_hooks
            .iter()
            .find(|hook| hook.guards_pushes())
            .and_then(|hook| hook.command.as_deref())
    }

    /// Whether the git here runs config-based hooks.
    pub fn git_has_config_hooks(&self) -> bool {
        self.git_version.is_some_and(|v| v >= CONFIG_HOOKS_SINCE)
    }
}

/// git's stdout for `args` run in `dir`, when it succeeds.
fn git_text(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Runs git in `dir`, failing with what it said.
fn git(dir: &Path, args: &[&str]) -> Result<()> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .context("cannot run git (is it on PATH?)")?;
    if !output.status.success() {
        return Err(Install::GitFailed {
            args: args.join(" "),
            said: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        }
        .into());
    }
    Ok(())
}

fn read(path: &Path) -> Option<Vec<u8>> {
    std::fs::read(path).ok()
}

fn read_text(path: &Path) -> Option<String> {
    read(path).map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

/// Looks at the repository around `dir`, whose hooks are at `paths`.
pub fn survey(dir: &Path, paths: &HookPaths) -> Result<Survey> {
    let root = git_text(dir, &["rev-parse", "--show-toplevel"])
        .map(|text| PathBuf::from(text.trim()))
        .filter(|root| !root.as_os_str().is_empty());
    let git_version_text = git_text(dir, &["version"]).unwrap_or_default();
    let listing = |scope: &[&str]| {
        let mut args = vec!["config"];
        args.extend_from_slice(scope);
        args.extend_from_slice(&["--get-regexp", r"^hook\."]);
        rules::config_hooks(&git_text(dir, &args).unwrap_or_default())
    };
    let manager = find_manager(root.as_deref(), paths)?;
    let idle_pre_commit_config = root
        .as_deref()
        .filter(|_| manager.is_none())
        .and_then(|root| {
            PRE_COMMIT_CONFIGS
                .iter()
                .map(|name| root.join(name))
                .find(|path| path.is_file())
                .map(|path| shown(Some(root), &path))
        });
    Ok(Survey {
        manager,
        idle_pre_commit_config,
        config_hooks: listing(&[]),
        local_config_hooks: listing(&["--local"]),
        git_version: rules::git_version(&git_version_text),
        git_version_text: git_version_text.trim().to_string(),
        root,
    })
}

fn shown(root: Option<&Path>, path: &Path) -> String {
    root.and_then(|root| path.strip_prefix(root).ok())
        .unwrap_or(path)
        .display()
        .to_string()
}

fn find_manager(root: Option<&Path>, paths: &HookPaths) -> Result<Option<Found>> {
    if let Some(script) = husky_script(paths) {
        let configured = read_text(&script).map_or(Configured::No, |t| rules::husky_script(&t));
        return Ok(Some(Found {
            manager: Manager::Husky,
            shown: shown(root, &script),
            config: script,
            configured,
            hook_installed: paths.hook.is_file(),
            renamed: None,
            chained_under_ours: false,
        }));
    }
    let hook = read(&paths.hook);
    let in_hook = hook.as_deref().and_then(rules::manager_of_hook);
    let in_chained = hook
        .as_deref()
        .filter(|bytes| is_ours(bytes))
        .and_then(|_| read(&paths.chained))
        .and_then(|bytes| rules::manager_of_hook(&bytes));
    let exists = |name: &str| root.is_some_and(|root| root.join(name).is_file());
    // lefthook takes pre-push over by itself (its re-sync runs on every
    // hook it runs), so its config alone makes it the manager; pre-commit
    // only on `pre-commit install --hook-type pre-push`, so its config does
    // when it runs envguard (a config for CI alone leaves the hook file be).
    let pre_commit = if exists("prek.toml") {
        Manager::Prek
    } else {
        Manager::PreCommit
    };
    let by_config = if LEFTHOOK_CONFIGS.iter().any(|name| exists(name)) {
        Some(Manager::Lefthook)
    } else if manager_config(root, pre_commit).1 != Configured::No {
        Some(pre_commit)
    } else {
        None
    };
    let Some(manager) = in_hook.or(in_chained).or(by_config) else {
        return Ok(None);
    };
    let (config, configured) = manager_config(root, manager);
    let renamed = manager
        .renamed_hook()
        .map(|(name, _)| paths.dir.join(name))
        .filter(|path| read(path).is_some_and(|bytes| is_ours(&bytes)));
    Ok(Some(Found {
        manager,
        shown: shown(root, &config),
        config,
        configured,
        hook_installed: in_hook == Some(manager),
        renamed,
        chained_under_ours: in_chained == Some(manager) && in_hook.is_none(),
    }))
}

/// husky's `.husky/pre-push` when husky's folder is the hooks folder:
/// husky 9 keeps its `h` runner there and the user's scripts one folder up;
/// husky 8 keeps the user's scripts in the hooks folder itself.
fn husky_script(paths: &HookPaths) -> Option<PathBuf> {
    if !paths.custom {
        return None;
    }
    if paths.dir.join("h").is_file() {
        return Some(paths.dir.parent()?.join("pre-push"));
    }
    paths
        .dir
        .join("_")
        .join("husky.sh")
        .is_file()
        .then(|| paths.hook.clone())
}

/// The config that runs (or should run) envguard, and how it does.
fn manager_config(root: Option<&Path>, manager: Manager) -> (PathBuf, Configured) {
    let root = root.unwrap_or(Path::new("."));
    let (names, default): (&[&str], &str) = match manager {
        Manager::Lefthook => (&LEFTHOOK_CONFIGS, "lefthook.yml"),
        _ => (&PRE_COMMIT_CONFIGS, ".pre-commit-config.yaml"),
    };
    let rank = |c: Configured| match c {
        Configured::Yes => 3,
        Configured::WithoutStdin | Configured::WithoutArguments => 2,
        Configured::No => 1,
    };
    let mut best: Option<(PathBuf, Configured)> = None;
    for name in names {
        let path = root.join(name);
        let Some(text) = read_text(&path) else {
            continue;
        };
        let configured = match manager {
            Manager::Lefthook => {
                rules::lefthook_config(&text, name.ends_with(".yml") || name.ends_with(".yaml"))
            }
            _ => rules::pre_commit_config(&text),
        };
        if best
            .as_ref()
            .is_none_or(|(_, b)| rank(configured) > rank(*b))
        {
            best = Some((path, configured));
        }
    }
    best.unwrap_or_else(|| (root.join(default), Configured::No))
}

/// `envguard install --config-hook`: registers envguard as git's
/// config-based hook `hook.envguard` for pre-push in this repository's
/// config, and retires envguard's hook file, which would run it twice.
pub fn install_config_hook(
    dir: &Path,
    paths: &HookPaths,
    survey: &Survey,
    binary: &Path,
    force: bool,
) -> Result<String> {
    let version_text = survey.git_version_text.clone();
    let Some(version) = survey.git_version else {
        return Err(Install::UnknownGitVersion { said: version_text }.into());
    };
    if version < CONFIG_HOOKS_SINCE {
        return Err(Install::NoConfigHooks { git: version_text }.into());
    }
    let ours = survey
        .local_config_hooks
        .iter()
        .find(|hook| hook.name == CONFIG_HOOK_NAME);
    if let Some(command) = ours.and_then(|hook| hook.command.as_deref()) {
        if !rules::runs_envguard_pre_push(command) && !force {
            let command = command.to_string();
            return Err(Install::ForeignConfigHook { command }.into());
        }
    }
    // git runs the command through the shell with its arguments appended.
    let command = format!("{} pre-push", shell_word(&binary.to_string_lossy()));
    let key = format!("hook.{CONFIG_HOOK_NAME}.command");
    git(dir, &["config", "--local", &key, &command])?;
    if !ours.is_some_and(|hook| hook.events.iter().any(|e| e == "pre-push")) {
        let key = format!("hook.{CONFIG_HOOK_NAME}.event");
        git(dir, &["config", "--local", "--add", &key, "pre-push"])?;
    }
    let others = survey
        .config_hooks
        .iter()
        .filter(|hook| hook.name != CONFIG_HOOK_NAME && hook.events.iter().any(|e| e == "pre-push"))
        .count();
    let mut said = vec![Install::RegisteredConfigHook {
        git: version_text,
        command,
        others,
    }];
    if paths.existing()? == Existing::Ours {
        said.extend(uninstall_file_hook(paths, false)?);
    }
    if let Some(found) = survey
        .manager
        .as_ref()
        .filter(|f| f.configured == Configured::Yes)
    {
        said.push(Install::ManagerRunsToo {
            manager: found.manager,
            shown: found.shown.clone(),
        });
    }
    said.push(Install::OldGitIgnoresConfigHook);
    write_record(paths)?;
    Ok(lines(&said))
}

/// `envguard install` under a hook manager: nothing to do when the
/// manager's config runs envguard (then envguard's own copies of its hook
/// are retired); the snippet to add and why when it does not; with
/// `add`, the snippet added where that is safe and reversible.
pub fn install_under(
    paths: &HookPaths,
    survey: &Survey,
    found: &Found,
    add: bool,
    binary: &Path,
) -> Result<(String, bool)> {
    let (manager, shown) = (found.manager, found.shown.clone());
    let mut said = Vec::new();
    match found.configured {
        Configured::Yes => {
            said.push(Install::AlreadyRuns { manager, shown });
            if !found.hook_installed {
                said.push(Install::ManagerHookNotInstalled { manager });
            }
            said.extend(tidy(paths, found)?);
        }
        Configured::WithoutStdin => said.push(Install::FixStdin { shown }),
        Configured::WithoutArguments => said.push(Install::FixArguments { shown }),
        Configured::No if add => said.extend(add_to_manager(paths, survey, found, binary)?),
        Configured::No => {
            said.push(Install::Advice {
                manager,
                shown,
                renamed: found.renamed.as_ref().map(|r| r.display().to_string()),
                config_hooks: survey.git_has_config_hooks(),
                column: read_text(&found.config).map_or(2, |text| rules::repos_column(&text)),
            });
            said.push(Install::NothingInstalled);
            return Ok((lines(&said), false));
        }
    }
    write_record(paths)?;
    Ok((lines(&said), true))
}

/// Where envguard notes that it was installed in a repository (in git's
/// own folder, never committed), so that every later command can tell a
/// hook a manager dropped from one that was never there.
fn record(paths: &HookPaths) -> PathBuf {
    paths.common.join("envguard").join("installed")
}

/// Notes that envguard was installed here (see [`record`]).
pub fn write_record(paths: &HookPaths) -> Result<()> {
    let record = record(paths);
    if record.exists() {
        return Ok(());
    }
    write_atomically(
        &record,
        b"envguard was installed in this repository; `envguard uninstall` removes this file\n",
    )
}

/// Whether envguard, installed here, no longer runs on `git push`: what
/// dropped it and the one command that fixes it. Nothing to say when it
/// runs, or was never installed.
pub fn not_running(paths: &HookPaths, survey: &Survey) -> Result<Option<Install>> {
    if survey.envguard_config_hook().is_some() && survey.git_has_config_hooks() {
        return Ok(None);
    }
    let installed = record(paths).exists();
    let ours_unread = match paths.default_folder() {
        Some(default) => default.existing()? == Existing::Ours,
        None => false,
    };
    let (dropped, found) = match &survey.manager {
        Some(found) => {
            let runs_renamed = found.manager.renamed_hook().is_some_and(|(_, runs)| runs);
            let dropped = match (found.configured, &found.renamed) {
                (Configured::Yes, _) if found.hook_installed => None,
                (Configured::Yes, _) => Some(Dropped::ManagerHookMissing),
                (Configured::WithoutStdin | Configured::WithoutArguments, _) => None,
                (Configured::No, Some(_)) if runs_renamed => None,
                (Configured::No, Some(renamed)) => Some(Dropped::Renamed {
                    renamed: renamed.display().to_string(),
                }),
                (Configured::No, None) if found.chained_under_ours => None,
                (Configured::No, None) if ours_unread => Some(Dropped::HooksPathMoved {
                    hook: paths
                        .common
                        .join("hooks")
                        .join(crate::install::HOOK_NAME)
                        .display()
                        .to_string(),
                }),
                (Configured::No, None) => installed.then_some(Dropped::Gone),
            };
            (dropped, Some(found))
        }
        None if paths.existing()? == Existing::Ours => (None, None),
        None if ours_unread => (
            Some(Dropped::HooksPathMoved {
                hook: paths
                    .common
                    .join("hooks")
                    .join(crate::install::HOOK_NAME)
                    .display()
                    .to_string(),
            }),
            None,
        ),
        None => (installed.then_some(Dropped::Gone), None),
    };
    Ok(dropped.map(|dropped| {
        let manager = found.map(|found| found.manager);
        Install::NotRunning {
            fix: rules::fix_command(&dropped, manager, survey.git_has_config_hooks()),
            dropped,
            manager,
            shown: found.map_or_else(|| paths.hook.display().to_string(), |f| f.shown.clone()),
        }
    }))
}

/// [`not_running`] for the repository around `dir`, as a warning line;
/// nothing when that cannot be told (no repository, no git).
pub fn warning(dir: &Path) -> Option<String> {
    let paths = HookPaths::locate(dir).ok()?;
    let survey = survey(dir, &paths).ok()?;
    not_running(&paths, &survey)
        .ok()
        .flatten()
        .map(|said| said.to_string())
}

/// What a command did, one line per message.
pub fn lines(said: &[Install]) -> String {
    said.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Once the manager runs envguard: envguard's own hook where the manager
/// moved it would run it twice (pre-commit) or never (lefthook), so it
/// goes, and the hook it kept takes its place there, as the manager would
/// have kept it; a manager script chained under envguard's hook goes back
/// into the hook's place.
fn tidy(paths: &HookPaths, found: &Found) -> Result<Vec<Install>> {
    let mut said = Vec::new();
    if let Some(renamed) = &found.renamed {
        said.push(retire(paths, renamed)?);
    }
    if found.chained_under_ours {
        std::fs::rename(&paths.chained, &paths.hook).with_context(|| {
            format!(
                "cannot move {} back to {}",
                paths.chained.display(),
                paths.hook.display()
            )
        })?;
        said.push(Install::PutBack {
            manager: found.manager,
            hook: paths.hook.display().to_string(),
            shown: found.shown.clone(),
        });
    }
    Ok(said)
}

/// Removes envguard's hook file at `renamed` (where a manager moved it);
/// the hook envguard kept, if any, takes its place.
fn retire(paths: &HookPaths, renamed: &Path) -> Result<Install> {
    if paths.chained_exists() && paths.existing()? != Existing::Ours {
        std::fs::rename(&paths.chained, renamed).with_context(|| {
            format!(
                "cannot move {} to {}",
                paths.chained.display(),
                renamed.display()
            )
        })?;
        Ok(Install::RetiredKept {
            renamed: renamed.display().to_string(),
            chained: paths.chained.display().to_string(),
        })
    } else {
        std::fs::remove_file(renamed)
            .with_context(|| format!("cannot remove {}", renamed.display()))?;
        Ok(Install::Retired {
            renamed: renamed.display().to_string(),
        })
    }
}

/// Where `install --manager` records what it changed, in git's own folder
/// (never committed): husky's script as it was, or that it did not exist.
fn husky_record(paths: &HookPaths) -> (PathBuf, PathBuf) {
    let dir = paths.common.join("envguard");
    (
        dir.join("husky-pre-push.was"),
        dir.join("husky-pre-push.absent"),
    )
}

/// `install --manager`: husky's `.husky/pre-push` gains envguard's line
/// (what was there is recorded, so `uninstall` restores it); lefthook gets
/// a `lefthook-local.yml` when there is none; pre-commit's YAML is the
/// team's, and stays as it is.
fn add_to_manager(
    paths: &HookPaths,
    survey: &Survey,
    found: &Found,
    binary: &Path,
) -> Result<Vec<Install>> {
    let shown = found.shown.clone();
    match found.manager {
        Manager::Husky => {
            let script = &found.config;
            let before = read(script);
            let (was, absent) = husky_record(paths);
            if !was.exists() && !absent.exists() {
                match &before {
                    Some(bytes) => write_atomically(&was, bytes)?,
                    None => write_atomically(&absent, b"")?,
                }
            }
            let mode = std::fs::metadata(script).ok().map(|m| m.permissions());
            write_atomically(script, &rules::with_husky_line(before.as_deref()))?;
            if let Some(mode) = mode {
                std::fs::set_permissions(script, mode)
                    .with_context(|| format!("cannot keep the mode of {}", script.display()))?;
            }
            let mut said = vec![Install::HuskyAdded { shown }];
            // envguard's hook file where git no longer reads it would only
            // mislead: `--manager` leaves nothing behind.
            if let Some(default) = paths.default_folder() {
                said.extend(uninstall_file_hook(&default, true)?);
            }
            Ok(said)
        }
        Manager::Lefthook => {
            let Some(root) = &survey.root else {
                return Err(Install::NoWorkTree.into());
            };
            if let Some(local) = LEFTHOOK_CONFIGS
                .iter()
                .filter(|name| name.contains("-local"))
                .find(|name| root.join(name).exists())
            {
                let local = local.to_string();
                return Err(Install::LocalExists { local }.into());
            }
            write_atomically(
                &root.join(LEFTHOOK_LOCAL),
                rules::lefthook_local().as_bytes(),
            )?;
            let mut said = vec![Install::WroteLefthookLocal { shown }];
            if !found.hook_installed {
                said.push(Install::RunLefthookInstall);
            }
            // lefthook's `pre-push.old` copy of envguard's hook never runs:
            // `--manager` leaves nothing behind.
            said.extend(tidy(paths, found)?);
            Ok(said)
        }
        Manager::PreCommit | Manager::Prek => {
            // pre-commit runs `pre-push.legacy` first, with git's arguments
            // and stdin (`_run_legacy` in pre_commit/commands/hook_impl.py):
            // envguard's hook file there guards every push. A legacy hook of
            // the user's is kept as envguard's chained one, which it runs first.
            let (name, _) = found
                .manager
                .renamed_hook()
                .unwrap_or(("pre-push.legacy", true));
            let legacy = paths.dir.join(name);
            let legacy_is_ours = read(&legacy).is_some_and(|bytes| is_ours(&bytes));
            if !legacy_is_ours && legacy.symlink_metadata().is_ok() {
                if paths.chained_exists() {
                    return Err(Install::RefuseForeign {
                        hook: legacy.display().to_string(),
                        chained: paths.chained.display().to_string(),
                    }
                    .into());
                }
                std::fs::rename(&legacy, &paths.chained)
                    .with_context(|| format!("cannot move {} aside", legacy.display()))?;
            }
            write_hook(&legacy, binary)?;
            Ok(vec![Install::AddedAsLegacy {
                manager: found.manager,
                legacy: legacy.display().to_string(),
            }])
        }
    }
}

/// `uninstall`'s part beyond the hook file: envguard's config-based hook,
/// its hook file where a manager moved it, and what `install --manager`
/// added (restored byte for byte while unchanged since).
pub fn uninstall_managed(dir: &Path, paths: &HookPaths, survey: &Survey) -> Result<Vec<Install>> {
    let mut said = Vec::new();
    let record = record(paths);
    if record.exists() {
        std::fs::remove_file(&record)
            .with_context(|| format!("cannot remove {}", record.display()))?;
    }
    if survey
        .local_config_hooks
        .iter()
        .any(|hook| hook.name == CONFIG_HOOK_NAME && hook.guards_pushes())
    {
        let section = format!("hook.{CONFIG_HOOK_NAME}");
        git(dir, &["config", "--local", "--remove-section", &section])?;
        said.push(Install::RemovedConfigHook);
    }
    for manager in [Manager::PreCommit, Manager::Lefthook] {
        let Some((name, _)) = manager.renamed_hook() else {
            continue;
        };
        let renamed = paths.dir.join(name);
        if read(&renamed).is_some_and(|bytes| is_ours(&bytes)) {
            said.push(retire(paths, &renamed)?);
        }
    }
    let (was, absent) = husky_record(paths);
    if was.exists() || absent.exists() {
        said.extend(restore_husky(survey, &was, &absent)?);
    }
    if let Some(root) = &survey.root {
        let local = root.join(LEFTHOOK_LOCAL);
        if read_text(&local).is_some_and(|text| text == rules::lefthook_local()) {
            std::fs::remove_file(&local)
                .with_context(|| format!("cannot remove {}", local.display()))?;
            said.push(Install::RemovedLefthookLocal);
        }
    }
    Ok(said)
}

/// Puts husky's `.husky/pre-push` back as `install --manager` found it;
/// when it changed since, takes out envguard's line only.
fn restore_husky(survey: &Survey, was: &Path, absent: &Path) -> Result<Vec<Install>> {
    let script = match &survey.manager {
        Some(found) if found.manager == Manager::Husky => found.config.clone(),
        _ => match &survey.root {
            Some(root) => root.join(".husky").join("pre-push"),
            None => return Ok(Vec::new()),
        },
    };
    let shown = shown(survey.root.as_deref(), &script);
    let original = read(was);
    let mut said = Vec::new();
    match read(&script) {
        Some(now) if now == rules::with_husky_line(original.as_deref()) => {
            match &original {
                Some(bytes) => {
                    let mode = std::fs::metadata(&script)?.permissions();
                    write_atomically(&script, bytes)?;
                    std::fs::set_permissions(&script, mode)?;
                }
                None => std::fs::remove_file(&script)
                    .with_context(|| format!("cannot remove {}", script.display()))?,
            }
            said.push(Install::HuskyRestored { shown });
        }
        Some(now) => {
            if let Some(without) = rules::without_husky_line(&now) {
                write_atomically(&script, &without)?;
                said.push(Install::HuskyLineOut { shown });
            }
        }
        None => {}
    }
    for record in [was, absent] {
        if record.exists() {
            std::fs::remove_file(record)
                .with_context(|| format!("cannot remove {}", record.display()))?;
        }
    }
    Ok(said)
}

/// A note for the hook file installed beside a pre-commit config that
/// manages no pre-push hook yet.
pub fn idle_pre_commit_note(survey: &Survey) -> Option<Install> {
    let shown = survey.idle_pre_commit_config.clone()?;
    let column = survey
        .root
        .as_deref()
        .and_then(|root| read_text(&root.join(&shown)))
        .map_or(2, |text| rules::repos_column(&text));
    Some(Install::IdlePreCommit { shown, column })
}

/// What `uninstall` leaves because it is the user's: envguard in a
/// manager's config, or a config-based hook outside this repository.
pub fn still_configured(survey: &Survey) -> Vec<Install> {
    let mut said = Vec::new();
    if let Some(found) = survey
        .manager
        .as_ref()
        .filter(|f| f.configured != Configured::No)
    {
        said.push(Install::StillRuns {
            manager: found.manager,
            shown: found.shown.clone(),
        });
    }
    if survey.envguard_config_hook().is_some()
        && !survey
            .local_config_hooks
            .iter()
            .any(|hook| hook.guards_pushes())
    {
        said.push(Install::GlobalConfigHook);
    }
    said
}
