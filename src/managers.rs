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

use anyhow::{Context, Result};
use envguard_core::managers::lefthook::{self, Format, Judged, Tree};
use envguard_core::managers::{
    self as rules, ConfigHook, Configured, Dropped, Manager, CONFIG_HOOKS_SINCE, CONFIG_HOOK_NAME,
    PRE_COMMIT_CONFIGS,
};
use envguard_core::message::install::Install;

use crate::fs::write_atomically;
use crate::install::{is_ours, uninstall_file_hook, write_hook, Existing, HookPaths};
use crate::quote::shell_word;
use crate::repo::cli;

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
    /// lefthook's script job for envguard, when lefthook is the manager.
    pub lefthook: Option<LefthookFound>,
}

/// What envguard found of lefthook's configs and script folders.
#[derive(Clone, Debug)]
pub struct LefthookFound {
    pub judged: Judged,
    /// The per-clone config lefthook reads, if there is one.
    pub local: Option<PathBuf>,
    /// lefthook's script folders, resolved: `source_dir`, `source_dir_local`
    /// and the two under `.config/`.
    pub dirs: Vec<PathBuf>,
    /// Whether `source_dir_local` moves the per-clone folder from
    /// `.lefthook-local`.
    pub local_dir_moved: bool,
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

fn read(path: &Path) -> Option<Vec<u8>> {
    std::fs::read(path).ok()
}

fn read_text(path: &Path) -> Option<String> {
    read(path).map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

/// Looks at the repository around `dir`, whose hooks are at `paths`.
pub fn survey(dir: &Path, paths: &HookPaths) -> Result<Survey> {
    let root = cli::toplevel(dir)
        .map(|text| PathBuf::from(text.trim()))
        .filter(|root| !root.as_os_str().is_empty());
    let git_version_text = cli::version(dir).unwrap_or_default();
    let listing =
        |local: bool| rules::config_hooks(&cli::config_hooks(dir, local).unwrap_or_default());
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
        config_hooks: listing(false),
        local_config_hooks: listing(true),
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
            lefthook: None,
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
    let lefthook_configs = || {
        lefthook::MAIN_CONFIGS
            .iter()
            .chain(&lefthook::LOCAL_CONFIGS)
    };
    let by_config = if lefthook_configs().any(|name| exists(name)) {
        Some(Manager::Lefthook)
    } else if pre_commit_file(root).1 != Configured::No {
        Some(pre_commit)
    } else {
        None
    };
    let Some(manager) = in_hook.or(in_chained).or(by_config) else {
        return Ok(None);
    };
    let (config, configured, lefthook) = match manager {
        Manager::Lefthook => {
            let (config, found) = lefthook_config(root.unwrap_or(Path::new(".")));
            (config, found.judged.configured, Some(found))
        }
        _ => {
            let (config, configured) = pre_commit_file(root);
            (config, configured, None)
        }
    };
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
        lefthook,
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

/// The pre-commit or prek config that runs (or should run) envguard, and
/// how it does.
fn pre_commit_file(root: Option<&Path>) -> (PathBuf, Configured) {
    let root = root.unwrap_or(Path::new("."));
    let mut best: Option<(PathBuf, Configured)> = None;
    for name in PRE_COMMIT_CONFIGS {
        let path = root.join(name);
        let Some(text) = read_text(&path) else {
            continue;
        };
        let configured = rules::pre_commit_config(&text);
        let better = best
            .as_ref()
            .is_none_or(|(_, b)| *b != Configured::Yes && configured == Configured::Yes);
        if better {
            best = Some((path, configured));
        }
    }
    best.unwrap_or_else(|| (root.join(".pre-commit-config.yaml"), Configured::No))
}

/// A lefthook config file as a tree (JSON by serde_json: the core reads
/// YAML and TOML itself); an unreadable one is empty, and so runs nothing.
fn lefthook_tree(path: &Path, name: &str) -> Option<Tree> {
    let text = read_text(path)?;
    Some(match Format::of(name) {
        Format::Yaml => lefthook::yaml_tree(&text),
        Format::Toml => lefthook::toml_tree(&text).unwrap_or(Tree::Map(Vec::new())),
        Format::Json => serde_json::from_str(&text)
            .map(|value| json_tree(&value))
            .unwrap_or(Tree::Map(Vec::new())),
    })
}

fn json_tree(value: &serde_json::Value) -> Tree {
    match value {
        serde_json::Value::Object(map) => Tree::Map(
            map.iter()
                .map(|(key, value)| (key.clone(), json_tree(value)))
                .collect(),
        ),
        serde_json::Value::Array(items) => Tree::Seq(items.iter().map(json_tree).collect()),
        serde_json::Value::String(text) => Tree::Scalar(text.clone()),
        other => Tree::Scalar(other.to_string()),
    }
}

/// lefthook's configs as lefthook reads them (the first main one, the
/// first local one laid over it: `internal/config/loader.go`), judged with
/// the scripts its script folders hold. The file shown is the one that
/// holds envguard's job: the local config when it has one, else the main
/// one (`lefthook.yml` when there is none).
fn lefthook_config(root: &Path) -> (PathBuf, LefthookFound) {
    let first = |names: &[&'static str]| {
        names.iter().find_map(|name| {
            let path = root.join(name);
            lefthook_tree(&path, name).map(|tree| (path, lefthook::Config::read(&tree)))
        })
    };
    let main = first(&lefthook::MAIN_CONFIGS);
    let local = first(&lefthook::LOCAL_CONFIGS);
    let empty = lefthook::Config::default();
    let merged = main
        .as_ref()
        .map_or(&empty, |(_, config)| config)
        .merged(local.as_ref().map_or(&empty, |(_, config)| config));
    let dirs: Vec<PathBuf> = merged
        .script_dirs()
        .iter()
        .map(|dir| root.join(dir))
        .collect();
    let scripts = |name: &str| -> Vec<String> {
        dirs.iter()
            .filter_map(|dir| read_text(&dir.join("pre-push").join(name)))
            .collect()
    };
    let judged = lefthook::judge(&merged, &scripts);
    let judged_by_local = local.as_ref().is_some_and(|(_, config)| {
        let alone = lefthook::judge(config, &scripts);
        alone.configured != Configured::No
            || config
                .jobs
                .iter()
                .any(|job| job.name.as_deref() == Some("envguard"))
    });
    let shown = match (&main, &local) {
        (_, Some((path, _))) if judged_by_local => path.clone(),
        (Some((path, _)), _) => path.clone(),
        (None, Some((path, _))) => path.clone(),
        (None, None) => root.join(lefthook::MAIN_CONFIGS[0]),
    };
    let local_dir_moved = merged
        .script_dirs()
        .get(1)
        .is_some_and(|dir| dir != lefthook::SOURCE_DIR_LOCAL);
    (
        shown,
        LefthookFound {
            judged,
            local: local.map(|(path, _)| path),
            dirs,
            local_dir_moved,
        },
    )
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
    cli::set_local_config(dir, &key, &command)?;
    if !ours.is_some_and(|hook| hook.events.iter().any(|e| e == "pre-push")) {
        let key = format!("hook.{CONFIG_HOOK_NAME}.event");
        cli::add_local_config(dir, &key, "pre-push")?;
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
    // A config that runs envguard in a way that leaves pushes unchecked (or
    // stops them all): what to change, and nothing installed (exit 1).
    let fix = match &found.configured {
        Configured::Yes => None,
        // `--manager` under lefthook lays envguard's job over whatever the
        // configs hold, for this clone.
        _ if add && manager == Manager::Lefthook => None,
        Configured::WithoutStdin => Some(Install::FixStdin {
            shown: shown.clone(),
        }),
        Configured::WithoutArguments => Some(Install::FixArguments {
            shown: shown.clone(),
        }),
        Configured::Skippable => Some(Install::FixSkippable {
            shown: shown.clone(),
        }),
        Configured::ScriptMissing => Some(Install::FixScriptMissing {
            shown: shown.clone(),
            script: lefthook_script_name(found),
        }),
        Configured::No => None,
    };
    if let Some(fix) = fix {
        said.push(fix);
        write_record(paths)?;
        return Ok((lines(&said), false));
    }
    match found.configured {
        Configured::Yes => {
            said.push(Install::AlreadyRuns { manager, shown });
            if !found.hook_installed {
                said.push(Install::ManagerHookNotInstalled { manager });
            }
            said.extend(tidy(paths, found)?);
        }
        _ if add => said.extend(add_to_manager(paths, survey, found, binary)?),
        _ => {
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
                (Configured::Skippable, _) => Some(Dropped::Skippable),
                // Each of these stops every push, or is reported by `doctor`
                // and `install`: none passes a push silently.
                (
                    Configured::WithoutStdin
                    | Configured::WithoutArguments
                    | Configured::ScriptMissing,
                    _,
                ) => None,
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
            let mut said = add_to_lefthook(paths, root, found)?;
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

/// The script of envguard's job in lefthook's config (envguard's own name
/// when the config names none).
fn lefthook_script_name(found: &Found) -> String {
    found
        .lefthook
        .as_ref()
        .and_then(|l| l.judged.script.clone())
        .unwrap_or_else(|| lefthook::SCRIPT_NAME.to_string())
}

/// Where `install --manager` records what it wrote for lefthook, in git's
/// own folder (never committed): one path a line, relative to the root,
/// folders it created after the files, so that `uninstall` takes out
/// exactly those.
fn lefthook_record(paths: &HookPaths) -> PathBuf {
    paths.common.join("envguard").join("lefthook-wrote")
}

/// `install --manager` under lefthook, for this clone: envguard's job in
/// `lefthook-local.yml` (laid over the main config's job of the same name)
/// unless the configs already run the script job, and the script in
/// `.lefthook-local/pre-push/` unless one of lefthook's script folders
/// has it. Nothing is written through a link, nor over a file of the
/// user's; what it writes is recorded for `uninstall`.
fn add_to_lefthook(paths: &HookPaths, root: &Path, found: &Found) -> Result<Vec<Install>> {
    let Some(state) = &found.lefthook else {
        return Ok(Vec::new());
    };
    let judged = &state.judged;
    // The configs already run envguard's script job: only its script is
    // missing. Otherwise the local config gets the job.
    let job_in_config = judged.configured == Configured::ScriptMissing
        && judged.script.as_deref() == Some(lefthook::SCRIPT_NAME);
    let local_path = root.join(lefthook::LOCAL);
    let write_local = !job_in_config;
    if write_local {
        if let Some(local) = &state.local {
            let ours = local == &local_path
                && read_text(local).is_some_and(|text| lefthook::is_envguards_local(&text));
            if !ours {
                let local = shown(Some(root), local);
                return Err(Install::LocalExists { local }.into());
            }
        }
    }
    let existing: Vec<PathBuf> = state
        .dirs
        .iter()
        .map(|dir| dir.join("pre-push").join(lefthook::SCRIPT_NAME))
        .filter(|path| path.symlink_metadata().is_ok())
        .collect();
    // A script of that name that does not run envguard is the user's: the
    // job would run it instead of envguard.
    if let Some(foreign) = existing.iter().find(|path| {
        read_text(path).is_none_or(|text| rules::husky_script(&text) == Configured::No)
    }) {
        let script = shown(Some(root), foreign);
        return Err(Install::ForeignLefthookScript { script }.into());
    }
    let has_script = !existing.is_empty();
    let local_dir = root.join(lefthook::SOURCE_DIR_LOCAL);
    let script_dir = local_dir.join("pre-push");
    let script = script_dir.join(lefthook::SCRIPT_NAME);
    if !has_script && state.local_dir_moved {
        let dir = state
            .dirs
            .get(1)
            .map(|dir| shown(Some(root), dir))
            .unwrap_or_default();
        return Err(Install::LocalScriptDir { dir }.into());
    }
    for path in [&local_dir, &script_dir, &script, &local_path] {
        if path
            .symlink_metadata()
            .is_ok_and(|meta| meta.file_type().is_symlink())
        {
            return Err(anyhow::anyhow!(
                "{} is a symbolic link: envguard does not write through it",
                path.display()
            ));
        }
    }
    let record = lefthook_record(paths);
    let mut wrote: Vec<String> = read_text(&record)
        .map(|text| text.lines().map(str::to_string).collect())
        .unwrap_or_default();
    let note = |path: &Path, wrote: &mut Vec<String>| {
        let relative = shown(Some(root), path);
        if !wrote.contains(&relative) {
            wrote.push(relative);
        }
    };
    let made: Vec<&PathBuf> = [&local_dir, &script_dir]
        .into_iter()
        .filter(|dir| !has_script && !dir.exists())
        .collect();
    if !has_script {
        write_atomically(&script, lefthook::SCRIPT.as_bytes())?;
        note(&script, &mut wrote);
    }
    if write_local {
        write_atomically(&local_path, lefthook::local().as_bytes())?;
        note(&local_path, &mut wrote);
    }
    // Folders go after the files, deepest first, so that `uninstall`
    // removes them in that order.
    for dir in made.iter().rev() {
        note(dir, &mut wrote);
    }
    write_atomically(&record, format!("{}\n", wrote.join("\n")).as_bytes())?;
    if !write_local && has_script {
        return Ok(Vec::new());
    }
    // The local config merges into the main one, which is what the user
    // knows; a script alone serves the config that names it.
    let main = lefthook::MAIN_CONFIGS
        .iter()
        .map(|name| root.join(name))
        .find(|path| path.is_file());
    let shown_config = match (write_local, main) {
        (true, Some(main)) => shown(Some(root), &main),
        _ => found.shown.clone(),
    };
    Ok(vec![Install::WroteLefthook {
        shown: shown_config,
        local: write_local.then(|| lefthook::LOCAL.to_string()),
        script: (!has_script).then(|| shown(Some(root), &script)),
    }])
}

/// Takes out what `install --manager` wrote for lefthook: each recorded
/// file while it is as envguard wrote it, then each recorded folder while
/// it is empty; an earlier envguard's `lefthook-local.yml`, which it did
/// not record, by its text.
fn remove_lefthook(paths: &HookPaths, root: &Path) -> Result<Vec<Install>> {
    let record = lefthook_record(paths);
    let listed: Vec<String> = read_text(&record)
        .map(|text| text.lines().map(str::to_string).collect())
        .unwrap_or_default();
    let local = root.join(lefthook::LOCAL);
    let mut removed = Vec::new();
    let remove = |path: &Path, removed: &mut Vec<String>| -> Result<()> {
        std::fs::remove_file(path).with_context(|| format!("cannot remove {}", path.display()))?;
        removed.push(shown(Some(root), path));
        Ok(())
    };
    if read_text(&local).is_some_and(|text| lefthook::is_envguards_local(&text)) {
        remove(&local, &mut removed)?;
    }
    for entry in &listed {
        let path = root.join(entry);
        let Ok(meta) = path.symlink_metadata() else {
            continue;
        };
        if meta.is_dir() {
            // A folder only while empty: what the user put there since stays.
            let _ = std::fs::remove_dir(&path);
        } else if entry.ends_with(lefthook::SCRIPT_NAME)
            && read_text(&path).is_some_and(|text| text == lefthook::SCRIPT)
        {
            remove(&path, &mut removed)?;
        }
    }
    if record.exists() {
        std::fs::remove_file(&record)
            .with_context(|| format!("cannot remove {}", record.display()))?;
    }
    Ok(if removed.is_empty() {
        Vec::new()
    } else {
        vec![Install::RemovedLefthook { removed }]
    })
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
        cli::remove_local_section(dir, &section)?;
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
        said.extend(remove_lefthook(paths, root)?);
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
