//! `envguard install` and `envguard uninstall`: what they change in one
//! repository — the hook file ([`super::hookfile`]), git's config-based
//! hook `hook.envguard`, and where it is safe and reversible a hook
//! manager's files (`install --manager`) — and what they say about it
//! ([`Said`], here). What a repository holds is read by
//! [`super::managers`]; the rules of each manager are the core's.
//!
//! envguard never chains its hook file under a manager: each one replaces,
//! renames or bypasses other pre-push hooks (the core's
//! [`Manager::why_not_chained`]). It runs from the manager's own config
//! instead, or from git's config beside it.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use envguard_core::managers::lefthook::{
    self, LOCAL as LEFTHOOK_LOCAL, SNIPPET as LEFTHOOK_SNIPPET,
};
use envguard_core::managers::{
    self as rules, Configured, Manager, CONFIG_HOOKS_SINCE, CONFIG_HOOK_NAME, HUSKY_LINE,
    PRE_COMMIT_SNIPPET,
};

use super::hookfile::{
    self, install_file_hook, is_ours, uninstall_file_hook, write_hook, Existing, HookPaths,
};
use super::managers::{self, read, read_text, shown, Found, Survey};
use crate::fs::write_atomically;
use crate::quote::shell_word;
use crate::repo::cli;
use crate::say::{self, paste};

/// How `envguard install` was asked to install.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct How {
    /// Replace a foreign pre-push hook instead of keeping it.
    pub force: bool,
    /// Register a config-based hook (git >= 2.54) instead of a file.
    pub config_hook: bool,
    /// Add envguard to the hook manager's config where that is safe.
    pub manager: bool,
    /// Write the hook file even where git has config-based hooks.
    pub hook_file: bool,
}

/// Installs envguard into the repository around `dir`, recording `binary`:
/// a config-based hook when asked, or by default where git has them (no
/// manager rewrites git's config); under a hook manager, into (or how to put
/// it into) the manager's config; else the hook file. Returns what it did,
/// one message each, and whether envguard now runs on pushes (`false`: a
/// manager owns pre-push and nothing was installed).
pub fn install(dir: &Path, binary: &Path, how: How) -> Result<(Vec<String>, bool)> {
    let paths = HookPaths::locate(dir)?;
    let survey = managers::survey(dir, &paths)?;
    if how.config_hook {
        let said = install_config_hook(dir, &paths, &survey, binary, how.force)?;
        return Ok((rendered(&said), true));
    }
    let manager_runs_it = survey
        .manager
        .as_ref()
        .is_some_and(|found| found.configured != Configured::No);
    if !how.hook_file && !how.manager && !manager_runs_it && survey.git_has_config_hooks() {
        let mut said = install_config_hook(dir, &paths, &survey, binary, how.force)?;
        said.push(Said::ConfigHookByDefault);
        return Ok((rendered(&said), true));
    }
    if let Some(found) = &survey.manager {
        let (said, runs) = install_under(&paths, &survey, found, how.manager, binary)?;
        return Ok((rendered(&said), runs));
    }
    if how.manager {
        return Err(Said::NoManager.into());
    }
    if let Some(command) = survey.envguard_config_hook() {
        let command = command.to_string();
        return Ok((rendered(&[Said::ConfigHookAlready { command }]), true));
    }
    let mut said: Vec<Said> = install_file_hook(&paths, binary, how.force)?
        .into_iter()
        .map(Said::File)
        .collect();
    write_record(&paths)?;
    said.extend(idle_pre_commit_note(&survey));
    Ok((rendered(&said), true))
}

/// Removes what envguard installed in the repository around `dir`: its
/// config-based hook, its hook file (putting back the hook it kept, also
/// where a manager moved it), and what `install --manager` added; returns
/// what it did, one message each.
pub fn uninstall(dir: &Path) -> Result<Vec<String>> {
    let paths = HookPaths::locate(dir)?;
    let survey = managers::survey(dir, &paths)?;
    let mut said = uninstall_managed(dir, &paths, &survey)?;
    let manager_script = survey
        .manager
        .as_ref()
        .is_some_and(|found| found.hook_installed);
    said.extend(uninstall_file_hook(&paths, manager_script)?.map(Said::File));
    if let Some(default) = paths.default_folder() {
        said.extend(uninstall_file_hook(&default, true)?.map(Said::File));
    }
    said.extend(still_configured(&managers::survey(dir, &paths)?));
    if said.is_empty() {
        said.push(Said::NothingToUninstall {
            dir: paths.dir.display().to_string(),
        });
    }
    Ok(rendered(&said))
}

/// Says what `install` or `uninstall` did: one message a line, text to
/// paste as it goes into its file.
pub fn say(err: &mut dyn Write, said: &[String]) -> std::io::Result<()> {
    let text = said.join("\n");
    say::lines(err, text.strip_suffix('\n').unwrap_or(&text))
}

fn rendered(said: &[Said]) -> Vec<String> {
    said.iter().map(ToString::to_string).collect()
}

/// `envguard install --config-hook`: registers envguard as git's
/// config-based hook `hook.envguard` for pre-push in this repository's
/// config, and retires envguard's hook file, which would run it twice.
fn install_config_hook(
    dir: &Path,
    paths: &HookPaths,
    survey: &Survey,
    binary: &Path,
    force: bool,
) -> Result<Vec<Said>> {
    let version_text = survey.git_version_text.clone();
    let Some(version) = survey.git_version else {
        return Err(Said::UnknownGitVersion { said: version_text }.into());
    };
    if version < CONFIG_HOOKS_SINCE {
        return Err(Said::NoConfigHooks { git: version_text }.into());
    }
    let ours = survey
        .local_config_hooks
        .iter()
        .find(|hook| hook.name == CONFIG_HOOK_NAME);
    if let Some(command) = ours.and_then(|hook| hook.command.as_deref()) {
        if !rules::runs_envguard_pre_push(command) && !force {
            let command = command.to_string();
            return Err(Said::ForeignConfigHook { command }.into());
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
    let mut said = vec![Said::RegisteredConfigHook {
        git: version_text,
        command,
        others,
    }];
    if paths.existing()? == Existing::Ours {
        said.extend(uninstall_file_hook(paths, false)?.map(Said::File));
    }
    if let Some(found) = survey
        .manager
        .as_ref()
        .filter(|f| f.configured == Configured::Yes)
    {
        said.push(Said::ManagerRunsToo {
            manager: found.manager,
            shown: found.shown.clone(),
        });
    }
    said.push(Said::OldGitIgnoresConfigHook);
    write_record(paths)?;
    Ok(said)
}

/// `envguard install` under a hook manager: nothing to do when the
/// manager's config runs envguard (then envguard's own copies of its hook
/// are retired); the snippet to add and why when it does not; with
/// `add`, the snippet added where that is safe and reversible.
fn install_under(
    paths: &HookPaths,
    survey: &Survey,
    found: &Found,
    add: bool,
    binary: &Path,
) -> Result<(Vec<Said>, bool)> {
    let (manager, shown) = (found.manager, found.shown.clone());
    let mut said = Vec::new();
    // A config that runs envguard in a way that leaves pushes unchecked (or
    // stops them all): what to change, and nothing installed (exit 1).
    let fix = match &found.configured {
        Configured::Yes => None,
        // `--manager` under lefthook lays envguard's job over whatever the
        // configs hold, for this clone.
        _ if add && manager == Manager::Lefthook => None,
        Configured::WithoutStdin => Some(Said::FixStdin {
            shown: shown.clone(),
        }),
        Configured::WithoutArguments => Some(Said::FixArguments {
            shown: shown.clone(),
        }),
        Configured::Skippable => Some(Said::FixSkippable {
            shown: shown.clone(),
        }),
        Configured::ScriptMissing => Some(Said::FixScriptMissing {
            shown: shown.clone(),
            script: lefthook_script_name(found),
        }),
        Configured::No => None,
    };
    if let Some(fix) = fix {
        said.push(fix);
        write_record(paths)?;
        return Ok((said, false));
    }
    match found.configured {
        Configured::Yes => {
            said.push(Said::AlreadyRuns { manager, shown });
            if !found.hook_installed {
                said.push(Said::ManagerHookNotInstalled { manager });
            }
            said.extend(tidy(paths, found)?);
        }
        _ if add => said.extend(add_to_manager(paths, survey, found, binary)?),
        _ => {
            said.push(Said::Advice {
                manager,
                shown,
                renamed: found.renamed.as_ref().map(|r| r.display().to_string()),
                config_hooks: survey.git_has_config_hooks(),
                column: read_text(&found.config).map_or(2, |text| rules::repos_column(&text)),
            });
            said.push(Said::NothingInstalled);
            return Ok((said, false));
        }
    }
    write_record(paths)?;
    Ok((said, true))
}

/// Notes that envguard was installed here (see [`managers::record`]).
fn write_record(paths: &HookPaths) -> Result<()> {
    let record = managers::record(paths);
    if record.exists() {
        return Ok(());
    }
    write_atomically(
        &record,
        b"envguard was installed in this repository; `envguard uninstall` removes this file\n",
    )
}

/// Once the manager runs envguard: envguard's own hook where the manager
/// moved it and never runs it (lefthook's `pre-push.old`) goes, and the
/// hook it kept takes its place there, as the manager would have kept it.
/// Where the manager runs it first (pre-commit's and prek's
/// `pre-push.legacy`) it stays: it sees every push, and the config's copy
/// steps aside for it (`managers::config_copy_steps_aside`). A manager
/// script chained under envguard's hook goes back into the hook's place.
fn tidy(paths: &HookPaths, found: &Found) -> Result<Vec<Said>> {
    let mut said = Vec::new();
    let runs = found.manager.renamed_hook().is_some_and(|(_, runs)| runs);
    if let Some(renamed) = found.renamed.as_ref().filter(|_| !runs) {
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
        said.push(Said::PutBack {
            manager: found.manager,
            hook: paths.hook.display().to_string(),
            shown: found.shown.clone(),
        });
    }
    Ok(said)
}

/// Removes envguard's hook file at `renamed` (where a manager moved it);
/// the hook envguard kept, if any, takes its place.
fn retire(paths: &HookPaths, renamed: &Path) -> Result<Said> {
    if paths.chained_exists() && paths.existing()? != Existing::Ours {
        std::fs::rename(&paths.chained, renamed).with_context(|| {
            format!(
                "cannot move {} to {}",
                paths.chained.display(),
                renamed.display()
            )
        })?;
        Ok(Said::RetiredKept {
            renamed: renamed.display().to_string(),
            chained: paths.chained.display().to_string(),
        })
    } else {
        std::fs::remove_file(renamed)
            .with_context(|| format!("cannot remove {}", renamed.display()))?;
        Ok(Said::Retired {
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
) -> Result<Vec<Said>> {
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
            let mut said = vec![Said::HuskyAdded { shown }];
            // envguard's hook file where git no longer reads it would only
            // mislead: `--manager` leaves nothing behind.
            if let Some(default) = paths.default_folder() {
                said.extend(uninstall_file_hook(&default, true)?.map(Said::File));
            }
            Ok(said)
        }
        Manager::Lefthook => {
            let Some(root) = &survey.root else {
                return Err(Said::NoWorkTree.into());
            };
            let mut said = add_to_lefthook(paths, root, found)?;
            if !found.hook_installed {
                said.push(Said::RunLefthookInstall);
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
                    return Err(hookfile::Said::RefuseForeign {
                        hook: legacy.display().to_string(),
                        chained: paths.chained.display().to_string(),
                    }
                    .into());
                }
                std::fs::rename(&legacy, &paths.chained)
                    .with_context(|| format!("cannot move {} aside", legacy.display()))?;
            }
            write_hook(&legacy, binary)?;
            Ok(vec![Said::AddedAsLegacy {
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
fn add_to_lefthook(paths: &HookPaths, root: &Path, found: &Found) -> Result<Vec<Said>> {
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
                return Err(Said::LocalExists { local }.into());
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
        return Err(Said::ForeignLefthookScript { script }.into());
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
        return Err(Said::LocalScriptDir { dir }.into());
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
    Ok(vec![Said::WroteLefthook {
        shown: shown_config,
        local: write_local.then(|| lefthook::LOCAL.to_string()),
        script: (!has_script).then(|| shown(Some(root), &script)),
    }])
}

/// Takes out what `install --manager` wrote for lefthook: each recorded
/// file while it is as envguard wrote it, then each recorded folder while
/// it is empty; an earlier envguard's `lefthook-local.yml`, which it did
/// not record, by its text.
fn remove_lefthook(paths: &HookPaths, root: &Path) -> Result<Vec<Said>> {
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
        vec![Said::RemovedLefthook { removed }]
    })
}

/// `uninstall`'s part beyond the hook file: envguard's config-based hook,
/// its hook file where a manager moved it, and what `install --manager`
/// added (restored byte for byte while unchanged since).
fn uninstall_managed(dir: &Path, paths: &HookPaths, survey: &Survey) -> Result<Vec<Said>> {
    let mut said = Vec::new();
    let record = managers::record(paths);
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
        said.push(Said::RemovedConfigHook);
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
fn restore_husky(survey: &Survey, was: &Path, absent: &Path) -> Result<Vec<Said>> {
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
            said.push(Said::HuskyRestored { shown });
        }
        Some(now) => {
            if let Some(without) = rules::without_husky_line(&now) {
                write_atomically(&script, &without)?;
                said.push(Said::HuskyLineOut { shown });
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
fn idle_pre_commit_note(survey: &Survey) -> Option<Said> {
    let shown = survey.idle_pre_commit_config.clone()?;
    let column = survey
        .root
        .as_deref()
        .and_then(|root| read_text(&root.join(&shown)))
        .map_or(2, |text| rules::repos_column(&text));
    Some(Said::IdlePreCommit { shown, column })
}

/// What `uninstall` leaves because it is the user's: envguard in a
/// manager's config, or a config-based hook outside this repository.
fn still_configured(survey: &Survey) -> Vec<Said> {
    let mut said = Vec::new();
    if let Some(found) = survey
        .manager
        .as_ref()
        .filter(|f| f.configured != Configured::No)
    {
        said.push(Said::StillRuns {
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
        said.push(Said::GlobalConfigHook);
    }
    said
}

/// What `install` or `uninstall` did, notes, or refuses. Paths come in as
/// the shell shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Said {
    /// What writing or removing the hook file did.
    File(hookfile::Said),
    /// `--manager` where no hook manager has pre-push.
    NoManager,
    /// envguard already runs as `hook.envguard`.
    ConfigHookAlready { command: String },
    /// `uninstall` found nothing of envguard's.
    NothingToUninstall { dir: String },
    /// `git version` said something envguard cannot read.
    UnknownGitVersion { said: String },
    /// `--config-hook` with a git before config-based hooks.
    NoConfigHooks { git: String },
    /// `hook.envguard` of this repository runs something else.
    ForeignConfigHook { command: String },
    /// `--config-hook` registered envguard; `others`: other pre-push config hooks.
    RegisteredConfigHook {
        git: String,
        command: String,
        others: usize,
    },
    /// A manager's config runs envguard as well as `hook.envguard`.
    ManagerRunsToo { manager: Manager, shown: String },
    /// What an older git does with `hook.envguard`.
    OldGitIgnoresConfigHook,
    /// The manager's config runs envguard already.
    AlreadyRuns { manager: Manager, shown: String },
    /// …but the manager's hook is not installed.
    ManagerHookNotInstalled { manager: Manager },
    /// lefthook's job lacks `use_stdin: true`.
    FixStdin { shown: String },
    /// husky's line (or lefthook's script) lacks `"$@"`.
    FixArguments { shown: String },
    /// lefthook runs envguard as a `run:` job, which it skips when it finds
    /// no push files.
    FixSkippable { shown: String },
    /// lefthook's script job for envguard has no script to run.
    FixScriptMissing { shown: String, script: String },
    /// The snippet for a manager whose config does not run envguard, and
    /// why; `renamed`: envguard's hook where the manager moved it;
    /// `config_hooks`: whether this git has config-based hooks.
    Advice {
        manager: Manager,
        shown: String,
        renamed: Option<String>,
        config_hooks: bool,
        /// Where the dash of `repos:` items sits in that config.
        column: usize,
    },
    /// The manager's script, chained under envguard's hook, put back.
    PutBack {
        manager: Manager,
        hook: String,
        shown: String,
    },
    /// envguard's hook where a manager moved it, removed; the kept hook back there.
    RetiredKept { renamed: String, chained: String },
    /// envguard's hook where a manager moved it, removed.
    Retired { renamed: String },
    /// `--manager` added envguard's line to husky's script.
    HuskyAdded { shown: String },
    /// `--manager` for lefthook without a working tree.
    NoWorkTree,
    /// `--manager` for lefthook when a local config of the user's exists.
    LocalExists { local: String },
    /// `--manager` for lefthook where a script of envguard's name in one of
    /// lefthook's script folders does not run envguard.
    ForeignLefthookScript { script: String },
    /// `--manager` for lefthook where `source_dir_local` moves lefthook's
    /// per-clone script folder.
    LocalScriptDir { dir: String },
    /// `--manager` wrote envguard's script for lefthook, and its job into
    /// `local` unless the config had it.
    WroteLefthook {
        shown: String,
        local: Option<String>,
        script: Option<String>,
    },
    /// lefthook's hook still needs installing.
    RunLefthookInstall,
    /// `--manager` under pre-commit: envguard's hook file written as the
    /// legacy hook pre-commit runs first.
    AddedAsLegacy { manager: Manager, legacy: String },
    /// `uninstall` removed `hook.envguard`.
    RemovedConfigHook,
    /// `uninstall` removed what `--manager` wrote for lefthook.
    RemovedLefthook { removed: Vec<String> },
    /// husky's script restored as `--manager` found it.
    HuskyRestored { shown: String },
    /// envguard's line taken out of a husky script edited since.
    HuskyLineOut { shown: String },
    /// A hook file installed beside a pre-commit config without pre-push.
    IdlePreCommit { shown: String, column: usize },
    /// Installed as git's config-based hook because this git has them.
    ConfigHookByDefault,
    /// A manager has pre-push and nothing was installed.
    NothingInstalled,
    /// `uninstall` leaves envguard in a manager's config.
    StillRuns { manager: Manager, shown: String },
    /// `uninstall` leaves a global or system `hook.envguard`.
    GlobalConfigHook,
}

impl From<hookfile::Said> for Said {
    fn from(said: hookfile::Said) -> Said {
        Said::File(said)
    }
}

impl fmt::Display for Said {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Said::*;
        match self {
            File(said) => said.fmt(f),
            NoManager => f.write_str(
                "no hook manager (pre-commit, prek, lefthook, husky) manages pre-push here: run `envguard install` without --manager",
            ),
            ConfigHookAlready { command } => write!(
                f,
                "envguard is registered as a config-based hook (hook.envguard.command = {command}): \
                 nothing to install; `envguard uninstall` removes it"
            ),
            NothingToUninstall { dir } => write!(
                f,
                "envguard's hook is not installed in {dir}: nothing to do"
            ),
            UnknownGitVersion { said } => {
                write!(f, "cannot tell which git this is (`git version` said {said:?})")
            }
            NoConfigHooks { git } => write!(
                f,
                "{git} has no config-based hooks (`hook.<name>.command` came with git 2.54); \
                 run `envguard install` for a hook file instead"
            ),
            ForeignConfigHook { command } => write!(
                f,
                "hook.{CONFIG_HOOK_NAME}.command in this repository's config runs `{command}`, \
                 not envguard; run `envguard install --config-hook --force` to replace it"
            ),
            RegisteredConfigHook {
                git,
                command,
                others,
            } => write!(
                f,
                "registered hook.{CONFIG_HOOK_NAME} in this repository's git config: {git} runs `{command}` on \
                 every push, beside {others} other config-based pre-push hook(s) and any hook file; no hook \
                 file written"
            ),
            ManagerRunsToo { manager, shown } => write!(
                f,
                "note: {shown} runs envguard too ({}): remove one of the two, or every push runs it twice",
                manager.name()
            ),
            OldGitIgnoresConfigHook => f.write_str(
                "note: a git older than 2.54 (some GUI clients bundle their own) ignores hook.envguard, \
                 so pushes made with it are not checked; `envguard uninstall` removes it",
            ),
            AlreadyRuns { manager, shown } => write!(
                f,
                "envguard already runs from {shown} through {}'s pre-push hook: nothing to install",
                manager.name()
            ),
            ManagerHookNotInstalled { manager } => write!(
                f,
                "but {}'s pre-push hook is not installed: run `{}`, or pushes are not checked",
                manager.name(),
                manager.install_command()
            ),
            FixStdin { shown } => write!(
                f,
                "{shown} runs envguard without `use_stdin: true`, so lefthook gives it no ref lines and \
                 it checks nothing; make its job read:\n\n{}",
                paste(LEFTHOOK_SNIPPET)
            ),
            FixArguments { shown } => write!(
                f,
                "{shown} runs `envguard pre-push` without `\"$@\"`, so it gets no arguments and stops \
                 every push; write it as:\n\n{}",
                paste(HUSKY_LINE)
            ),
            FixSkippable { shown } => write!(
                f,
                "{shown} runs envguard as a `run:` job, which lefthook skips (\"no matching push \
                 files\") whenever the branch has nothing its own upstream lacks: `git push azure \
                 main` right after `git push origin main` goes unchecked. {}",
                lefthook_team_fix(shown)
            ),
            FixScriptMissing { shown, script } => write!(
                f,
                "{shown} runs envguard as the script {script}, which is in none of lefthook's script \
                 folders, so lefthook fails every push. Run `envguard install --manager` to write it \
                 for this clone; for every clone, commit it as {}/pre-push/{script}:\n\n{}",
                lefthook::SOURCE_DIR,
                paste(lefthook::SCRIPT)
            ),
            Advice {
                manager,
                shown,
                renamed,
                config_hooks,
                column,
            } => fmt_advice(f, *manager, shown, renamed.as_deref(), *config_hooks, *column),
            PutBack {
                manager,
                hook,
                shown,
            } => write!(
                f,
                "put {}'s hook back at {hook}: envguard runs from {shown}, not around it",
                manager.name()
            ),
            RetiredKept { renamed, chained } => write!(
                f,
                "removed envguard's own hook {renamed}; {chained} is back there"
            ),
            Retired { renamed } => write!(f, "removed envguard's own hook {renamed}"),
            HuskyAdded { shown } => write!(
                f,
                "added `{}` to {shown}: husky runs it with git's arguments and ref lines on every \
                 push. Commit it so that every clone runs it (each needs envguard on PATH; for GUI \
                 clients, ~/.config/husky/init.sh can extend PATH)",
                HUSKY_LINE.trim_end()
            ),
            NoWorkTree => {
                f.write_str("this repository has no working tree for lefthook's config")
            }
            LocalExists { local } => write!(
                f,
                "{local} exists, and envguard does not edit it; add this job to it by hand:\n\n{}\n\
                 then run `envguard install --manager` again: it writes the job's script",
                paste(&lefthook::local_job())
            ),
            ForeignLefthookScript { script } => write!(
                f,
                "{script} does not run `envguard pre-push \"$@\"`, and envguard does not replace it; \
                 rename it, or make it read:\n\n{}",
                paste(lefthook::SCRIPT).trim_end_matches('\n')
            ),
            LocalScriptDir { dir } => write!(
                f,
                "source_dir_local moves lefthook's per-clone scripts to {dir}, where envguard does not \
                 write; save this as {dir}/pre-push/{}:\n\n{}\nthen run `envguard install --manager` again",
                lefthook::SCRIPT_NAME,
                paste(lefthook::SCRIPT)
            ),
            WroteLefthook {
                shown,
                local,
                script,
            } => match (local, script) {
                (Some(local), Some(script)) => write!(
                    f,
                    "wrote {local} and {script}: envguard's script job, which lefthook merges into \
                     {shown} for this clone only and runs on every push (keep both out of git: add \
                     them to .gitignore)"
                ),
                (Some(local), None) => write!(
                    f,
                    "wrote {local}: envguard's script job, which lefthook merges into {shown} for \
                     this clone only and runs on every push (keep it out of git: add it to .gitignore)"
                ),
                (None, Some(script)) => write!(
                    f,
                    "wrote {script}, the script of envguard's job in {shown}, for this clone only \
                     (keep it out of git: add it to .gitignore)"
                ),
                (None, None) => write!(f, "envguard's job in {shown} has its script: nothing to write"),
            },
            RunLefthookInstall => {
                f.write_str("run `lefthook install` now, so that lefthook's pre-push hook runs it")
            }
            AddedAsLegacy { manager, legacy } => write!(
                f,
                "wrote envguard's hook as {legacy}, the legacy hook {} runs first on every push \
                 (your .pre-commit-config.yaml is your team's, and envguard does not rewrite it). \
                 `{} install -f` deletes it; then every envguard command says so, and this command \
                 puts it back",
                manager.name(),
                manager.name()
            ),
            RemovedConfigHook => write!(
                f,
                "removed hook.{CONFIG_HOOK_NAME} from this repository's git config"
            ),
            RemovedLefthook { removed } => write!(
                f,
                "removed {}, which `envguard install --manager` wrote",
                removed.join(" and ")
            ),
            HuskyRestored { shown } => write!(
                f,
                "{shown} is back as it was before `envguard install --manager`"
            ),
            HuskyLineOut { shown } => write!(
                f,
                "took envguard's line out of {shown}; your later edits there stay"
            ),
            IdlePreCommit { shown, column } => write!(
                f,
                "note: {shown} is here, but pre-commit runs no pre-push hook yet. After `pre-commit \
                 install --hook-type pre-push` it keeps envguard's hook as pre-push.legacy and runs it \
                 first, until `pre-commit install -f` deletes it; envguard inside {shown} is sturdier \
                 (under `repos:`):\n\n{}",
                paste(&pre_commit_snippet(*column))
            ),
            ConfigHookByDefault => f.write_str(
                "this git has config-based hooks, so envguard is registered there rather than as a \
                 hook file: no hook manager (pre-commit, lefthook, husky) rewrites git's config. \
                 `envguard install --hook-file` writes the hook file instead, for a git older than \
                 2.54 (some GUI clients bundle one), which ignores hook.envguard",
            ),
            NothingInstalled => f.write_str(
                "nothing installed: pushes are not checked until envguard is in the config above",
            ),
            StillRuns { manager, shown } => write!(
                f,
                "envguard still runs from {shown} ({}): take it out there; envguard does not edit your \
                 team's config",
                manager.name()
            ),
            GlobalConfigHook => write!(
                f,
                "hook.{CONFIG_HOOK_NAME} is set in your global or system git config: \
                 `git config --global --remove-section hook.{CONFIG_HOOK_NAME}` removes it"
            ),
        }
    }
}

impl std::error::Error for Said {}

/// The pre-commit snippet with its list item's dash in `column`: the column
/// of the items already under `repos:` in the config (YAML needs one
/// column for all items of a list; pre-commit's own sample config puts the
/// dash in column 0, most others in column 2).
pub fn pre_commit_snippet(column: usize) -> String {
    PRE_COMMIT_SNIPPET
        .lines()
        .map(|line| format!("{}{}\n", " ".repeat(column), &line[2..]))
        .collect()
}

/// How a team puts envguard's job into its lefthook config, after the
/// config's name: the job, its script, and the commands.
fn lefthook_team_fix(shown: &str) -> String {
    format!(
        "Make envguard's job in {shown} read:\n\n{}\n{}",
        paste(LEFTHOOK_SNIPPET),
        lefthook_team_tail()
    )
}

/// The script to commit beside lefthook's config, and what to run then.
fn lefthook_team_tail() -> String {
    format!(
        "and save this as {}/pre-push/{}:\n\n{}\nCommit both (a script job, because lefthook skips a \
         pre-push `run:` job when it finds no push files, and never a script job), then run \
         `lefthook install`; or `envguard install --manager` writes both for this clone \
         ({LEFTHOOK_LOCAL}, {}/pre-push/{}).",
        lefthook::SOURCE_DIR,
        lefthook::SCRIPT_NAME,
        paste(lefthook::SCRIPT),
        lefthook::SOURCE_DIR_LOCAL,
        lefthook::SCRIPT_NAME
    )
}

/// The snippet for a manager whose config does not run envguard, the
/// sentence before it and the one after.
fn fmt_advice(
    f: &mut fmt::Formatter<'_>,
    manager: Manager,
    shown: &str,
    renamed: Option<&str>,
    config_hooks: bool,
    column: usize,
) -> fmt::Result {
    let name = manager.name();
    let (snippet, then) = match manager {
        Manager::PreCommit | Manager::Prek => (
            pre_commit_snippet(column),
            format!(
                "under `repos:` (a `repos: []` becomes `repos:` first), then run `{}` once per \
                 clone; or `envguard install --manager` keeps envguard's own hook running as {name}'s \
                 legacy hook. The shipped .pre-commit-hooks.yaml gives the same hook as \
                 `id: envguard`, which {name} builds itself.",
                manager.install_command()
            ),
        ),
        Manager::Lefthook => (
            LEFTHOOK_SNIPPET.to_string(),
            format!("(merged into an existing `pre-push:`), {}", lefthook_team_tail()),
        ),
        Manager::Husky => (
            HUSKY_LINE.to_string(),
            "and commit it; or `envguard install --manager` adds it.".to_string(),
        ),
    };
    write!(
        f,
        "{name} manages pre-push here, so envguard writes no hook file under it: {}. \
         Add envguard to {shown}:\n\n{}\n{then}",
        manager.why_not_chained(),
        paste(&snippet)
    )?;
    if let Some(renamed) = renamed {
        match manager.renamed_hook() {
            Some((_, true)) => write!(
                f,
                "\nuntil then envguard's own hook still runs, as {name}'s legacy hook {renamed}"
            )?,
            _ => write!(
                f,
                "\n{name} renamed envguard's own hook to {renamed}, which it never runs: until \
                 then pushes are not checked"
            )?,
        }
    }
    if config_hooks {
        write!(
            f,
            "\nor, if every git you push with is 2.54 or later: `envguard install \
             --config-hook` registers envguard in git's config, beside {name}'s hook"
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use envguard_core::managers::Dropped;

    /// One of each message, with the values a real install shows.
    fn every_message() -> Vec<String> {
        let s = |text: &str| text.to_string();
        let hook = || s(".git/hooks/pre-push");
        let chained = || s(".git/hooks/pre-push.envguard-chained");
        let mut all = vec![
            hookfile::Said::NotARepository {
                dir: s("/tmp/x"),
                said: s("fatal: not a git repository (or any of the parent directories): .git"),
            }
            .to_string(),
            hookfile::Said::NoHooksFolder { said: s("\n") }.to_string(),
            cli::ConfigFailed {
                args: s("config --local hook.envguard.command x"),
                said: s("error: could not lock config file .git/config: File exists"),
            }
            .to_string(),
            Said::NoManager.to_string(),
            Said::ConfigHookAlready {
                command: s("'/usr/local/bin/envguard' pre-push"),
            }
            .to_string(),
            hookfile::Said::RefuseForeign {
                hook: hook(),
                chained: chained(),
            }
            .to_string(),
            hookfile::Said::KeptExisting { chained: chained() }.to_string(),
            hookfile::Said::Replaced { hook: hook() }.to_string(),
            hookfile::Said::KeptFromBefore { chained: chained() }.to_string(),
            hookfile::Said::Installed {
                hook: hook(),
                binary: s("/usr/local/bin/envguard"),
                updated: false,
            }
            .to_string(),
            hookfile::Said::Installed {
                hook: hook(),
                binary: s("/usr/local/bin/envguard"),
                updated: true,
            }
            .to_string(),
            hookfile::Said::HooksFolder { dir: s("hooks") }.to_string(),
            Said::NothingToUninstall {
                dir: s(".git/hooks"),
            }
            .to_string(),
            hookfile::Said::Removed { hook: hook() }.to_string(),
            hookfile::Said::Restored {
                chained: chained(),
                hook: hook(),
            }
            .to_string(),
            hookfile::Said::LeftForeign {
                hook: hook(),
                kept: None,
            }
            .to_string(),
            hookfile::Said::LeftForeign {
                hook: hook(),
                kept: Some(chained()),
            }
            .to_string(),
            Said::UnknownGitVersion { said: s("") }.to_string(),
            Said::NoConfigHooks {
                git: s("git version 2.47.3"),
            }
            .to_string(),
            Said::ForeignConfigHook {
                command: s("other"),
            }
            .to_string(),
            Said::RegisteredConfigHook {
                git: s("git version 2.54.0"),
                command: s("'/usr/local/bin/envguard' pre-push"),
                others: 1,
            }
            .to_string(),
            Said::ManagerRunsToo {
                manager: Manager::Lefthook,
                shown: s("lefthook.yml"),
            }
            .to_string(),
            Said::OldGitIgnoresConfigHook.to_string(),
            Said::AlreadyRuns {
                manager: Manager::PreCommit,
                shown: s(".pre-commit-config.yaml"),
            }
            .to_string(),
            Said::ManagerHookNotInstalled {
                manager: Manager::PreCommit,
            }
            .to_string(),
            Said::FixStdin {
                shown: s("lefthook.yml"),
            }
            .to_string(),
            Said::FixArguments {
                shown: s(".husky/pre-push"),
            }
            .to_string(),
            Said::FixSkippable {
                shown: s("lefthook.yml"),
            }
            .to_string(),
            Said::FixScriptMissing {
                shown: s("lefthook.yml"),
                script: s("envguard.sh"),
            }
            .to_string(),
        ];
        for manager in [
            Manager::PreCommit,
            Manager::Prek,
            Manager::Lefthook,
            Manager::Husky,
        ] {
            all.push(
                Said::Advice {
                    manager,
                    shown: s("the config"),
                    renamed: None,
                    config_hooks: false,
                    column: 2,
                }
                .to_string(),
            );
        }
        all.extend([
            Said::Advice {
                manager: Manager::PreCommit,
                shown: s(".pre-commit-config.yaml"),
                renamed: Some(s(".git/hooks/pre-push.legacy")),
                config_hooks: true,
                column: 0,
            }
            .to_string(),
            Said::Advice {
                manager: Manager::Lefthook,
                shown: s("lefthook.yml"),
                renamed: Some(s(".git/hooks/pre-push.old")),
                config_hooks: false,
                column: 2,
            }
            .to_string(),
            Said::PutBack {
                manager: Manager::PreCommit,
                hook: hook(),
                shown: s(".pre-commit-config.yaml"),
            }
            .to_string(),
            Said::RetiredKept {
                renamed: s(".git/hooks/pre-push.legacy"),
                chained: chained(),
            }
            .to_string(),
            Said::Retired {
                renamed: s(".git/hooks/pre-push.old"),
            }
            .to_string(),
            Said::HuskyAdded {
                shown: s(".husky/pre-push"),
            }
            .to_string(),
            Said::NoWorkTree.to_string(),
            Said::LocalExists {
                local: s("lefthook-local.yml"),
            }
            .to_string(),
            Said::ForeignLefthookScript {
                script: s(".lefthook/pre-push/envguard.sh"),
            }
            .to_string(),
            Said::LocalScriptDir { dir: s(".hooks") }.to_string(),
            Said::WroteLefthook {
                shown: s("lefthook.yml"),
                local: Some(s("lefthook-local.yml")),
                script: Some(s(".lefthook-local/pre-push/envguard.sh")),
            }
            .to_string(),
            Said::WroteLefthook {
                shown: s("lefthook.yml"),
                local: Some(s("lefthook-local.yml")),
                script: None,
            }
            .to_string(),
            Said::WroteLefthook {
                shown: s("lefthook.yml"),
                local: None,
                script: Some(s(".lefthook-local/pre-push/envguard.sh")),
            }
            .to_string(),
            Said::RunLefthookInstall.to_string(),
            Said::AddedAsLegacy {
                manager: Manager::PreCommit,
                legacy: s(".git/hooks/pre-push.legacy"),
            }
            .to_string(),
            Said::RemovedConfigHook.to_string(),
            Said::RemovedLefthook {
                removed: vec![
                    s("lefthook-local.yml"),
                    s(".lefthook-local/pre-push/envguard.sh"),
                ],
            }
            .to_string(),
            Said::HuskyRestored {
                shown: s(".husky/pre-push"),
            }
            .to_string(),
            Said::HuskyLineOut {
                shown: s(".husky/pre-push"),
            }
            .to_string(),
            Said::IdlePreCommit {
                shown: s(".pre-commit-config.yaml"),
                column: 2,
            }
            .to_string(),
            managers::Said::NotRunning {
                dropped: Dropped::HooksPathMoved { hook: hook() },
                manager: Some(Manager::Husky),
                shown: s(".husky/pre-push"),
                fix: s("envguard install --manager"),
            }
            .to_string(),
            managers::Said::NotRunning {
                dropped: Dropped::Renamed {
                    renamed: s(".git/hooks/pre-push.old"),
                },
                manager: Some(Manager::Lefthook),
                shown: s("lefthook.yml"),
                fix: s("envguard install"),
            }
            .to_string(),
            managers::Said::NotRunning {
                dropped: Dropped::Gone,
                manager: Some(Manager::PreCommit),
                shown: s(".pre-commit-config.yaml"),
                fix: s("envguard install --manager"),
            }
            .to_string(),
            managers::Said::NotRunning {
                dropped: Dropped::Gone,
                manager: None,
                shown: s(".git/hooks/pre-push"),
                fix: s("envguard install"),
            }
            .to_string(),
            managers::Said::NotRunning {
                dropped: Dropped::Skippable,
                manager: Some(Manager::Lefthook),
                shown: s("lefthook.yml"),
                fix: s("envguard install --manager"),
            }
            .to_string(),
            managers::Said::NotRunning {
                dropped: Dropped::ManagerHookMissing,
                manager: Some(Manager::Prek),
                shown: s(".pre-commit-config.yaml"),
                fix: s("prek install --hook-type pre-push"),
            }
            .to_string(),
            Said::ConfigHookByDefault.to_string(),
            managers::Said::ConfigCopyStepsAside {
                manager: Manager::PreCommit,
                shown: s(".pre-commit-config.yaml"),
            }
            .to_string(),
            Said::NothingInstalled.to_string(),
            Said::StillRuns {
                manager: Manager::Lefthook,
                shown: s("lefthook.yml"),
            }
            .to_string(),
            Said::GlobalConfigHook.to_string(),
        ]);
        all
    }

    // Every sentence of install and uninstall, of the hook file's and of
    // the managers' survey, pinned in one snapshot (one message per
    // paragraph; snippets keep their indent).
    #[test]
    fn every_message_reads_as_install_says_it() {
        let text = every_message().join("\n---\n");
        insta::assert_snapshot!("every_message", text);
    }

    #[test]
    fn text_to_paste_is_marked_and_keeps_its_own_indentation() {
        // Pasted under `repos:` beside items at the same column, it is
        // one list (checked with pre-commit's own validator in tests/it/managers.rs).
        assert!(pre_commit_snippet(0).starts_with("- repo: local\n  hooks:\n"));
        assert!(pre_commit_snippet(2).starts_with("  - repo: local\n    hooks:\n"));
        assert_eq!(pre_commit_snippet(2), PRE_COMMIT_SNIPPET);
    }
}
