//! The hook managers (pre-commit, prek, lefthook, husky) and git's
//! config-based hooks of one repository, as its files and git's config show
//! them, and whether envguard, once installed, still runs on `git push`.
//! What each manager does and how its files read is the core's
//! [`envguard_core::managers`]; this module reads, and `install` changes.
//!
//! envguard never chains its hook file under a manager: each one replaces,
//! renames or bypasses other pre-push hooks (the core's
//! [`Manager::why_not_chained`]). It runs from the manager's own config
//! instead, or from git's config beside it.

use std::path::{Path, PathBuf};

use std::fmt;

use anyhow::Result;
use envguard_core::managers::lefthook::{self, Format, Judged, Tree};
use envguard_core::managers::{
    self as rules, ConfigHook, Configured, Dropped, Manager, CONFIG_HOOKS_SINCE, PRE_COMMIT_CONFIGS,
};

use super::hookfile::{is_ours, Existing, HookPaths, HOOK_NAME};
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

pub(super) fn read(path: &Path) -> Option<Vec<u8>> {
    std::fs::read(path).ok()
}

pub(super) fn read_text(path: &Path) -> Option<String> {
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

/// `path` as the user sees it: relative to the working tree's root.
pub(super) fn shown(root: Option<&Path>, path: &Path) -> String {
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

/// Where envguard notes that it was installed in a repository (in git's
/// own folder, never committed), so that every later command can tell a
/// hook a manager dropped from one that was never there.
pub(super) fn record(paths: &HookPaths) -> PathBuf {
    paths.common.join("envguard").join("installed")
}

/// Whether envguard, installed here, no longer runs on `git push`: what
/// dropped it and the one command that fixes it. Nothing to say when it
/// runs, or was never installed.
pub fn not_running(paths: &HookPaths, survey: &Survey) -> Result<Option<Said>> {
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
                        .join(HOOK_NAME)
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
                    .join(HOOK_NAME)
                    .display()
                    .to_string(),
            }),
            None,
        ),
        None => (installed.then_some(Dropped::Gone), None),
    };
    Ok(dropped.map(|dropped| {
        let manager = found.map(|found| found.manager);
        Said::NotRunning {
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

/// Whether the copy of envguard that pre-commit's or prek's config runs
/// should step aside in the repository around `dir`: envguard's own hook
/// file is there as the manager's legacy hook (`pre-push.legacy`), which
/// the manager runs first on every push with git's own ref lines
/// (`_run_legacy` in pre-commit's `commands/hook_impl.py`, `run_legacy` in
/// prek's `cli/hook_impl.rs`), even on the pushes it then takes for
/// "nothing to push" and runs no configured hook for at all. So the legacy
/// copy is the one that checks; a second run would find the branch moved
/// by the first one's marker commit. The note says so.
pub fn config_copy_steps_aside(dir: &Path) -> Option<String> {
    let paths = HookPaths::locate(dir).ok()?;
    let found = survey(dir, &paths).ok()?.manager.filter(|found| {
        found.hook_installed
            && found.configured == Configured::Yes
            && found.renamed.is_some()
            && found.manager.renamed_hook().is_some_and(|(_, runs)| runs)
    })?;
    let note = Said::ConfigCopyStepsAside {
        manager: found.manager,
        shown: found.shown,
    };
    Some(note.to_string())
}

/// What this module says: why envguard no longer runs, and why a copy of
/// it steps aside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Said {
    /// envguard no longer runs on `git push` here, and the command that
    /// fixes it.
    NotRunning {
        dropped: Dropped,
        manager: Option<Manager>,
        shown: String,
        fix: String,
    },
    /// The copy of envguard that the manager's config runs steps aside:
    /// envguard's hook file, the manager's legacy hook, checked the push.
    ConfigCopyStepsAside { manager: Manager, shown: String },
}

impl fmt::Display for Said {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Said::*;
        match self {
            NotRunning {
                dropped,
                manager,
                shown,
                fix,
            } => {
                let name = manager.map_or("a hook manager", Manager::name);
                if *dropped == Dropped::Skippable {
                    return write!(
                        f,
                        "warning: lefthook can skip envguard on `git push` in this repository: \
                         {shown} runs it as a `run:` job, which lefthook skips (\"no matching push \
                         files\") whenever the branch has nothing its own upstream lacks, as on \
                         `git push azure main` right after `git push origin main`. Such pushes go \
                         unchecked until you run `{fix}`"
                    );
                }
                f.write_str("warning: envguard no longer runs on `git push` in this repository: ")?;
                match dropped {
                    Dropped::HooksPathMoved { hook } => write!(
                        f,
                        "core.hooksPath points git at {name}'s folder, so git no longer reads {hook}"
                    )?,
                    Dropped::Renamed { renamed } => write!(
                        f,
                        "{name} renamed its hook to {renamed}, which {name} never runs"
                    )?,
                    Dropped::Gone => match manager {
                        Some(Manager::PreCommit | Manager::Prek) => write!(
                            f,
                            "{name}'s hook stands in its place, and the pre-push.legacy copy that kept \
                             it running is gone (`{name} install -f` deletes it)"
                        )?,
                        Some(_) => write!(f, "{name}'s hook stands in its place")?,
                        None => f.write_str("its hook is gone from the hooks folder")?,
                    },
                    Dropped::ManagerHookMissing => write!(
                        f,
                        "{shown} runs envguard, but {name}'s pre-push hook is not installed"
                    )?,
                    Dropped::Skippable => {}
                }
                write!(
                    f,
                    ". Pushes to a deploying remote go unchecked until you run `{fix}`"
                )
            }
            ConfigCopyStepsAside { manager, shown } => write!(
                f,
                "note: envguard's hook file, which {} runs first as pre-push.legacy, checked this push; \
                 the copy {shown} runs steps aside",
                manager.name()
            ),
        }
    }
}
