//! What `envguard install` and `envguard uninstall` say: what they did to
//! the hook file, a hook manager's files and git's config, the snippets to
//! paste with the sentence that leads to each, and their refusals (an
//! [`Install`] is an error too). The shell joins the lines of one command
//! with newlines.

use std::fmt;

use crate::managers::lefthook::{self, LOCAL as LEFTHOOK_LOCAL, SNIPPET as LEFTHOOK_SNIPPET};
use crate::managers::{Dropped, Manager, CONFIG_HOOK_NAME, HUSKY_LINE, PRE_COMMIT_SNIPPET};

/// Marks a line of text to paste. The shell prints such a line exactly as
/// it goes into the file: no `envguard: ` before it and no indentation added,
/// so what is copied from the terminal is valid YAML (or sh) where it lands.
pub const PASTE: char = '\u{1e}';

/// Each line of `text` marked as text to paste.
fn indented(text: &str) -> String {
    text.lines()
        .map(|line| format!("{PASTE}{line}\n"))
        .collect()
}

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

/// What `install` and `doctor` note about a `core.hooksPath` folder `dir`.
pub(super) fn hooks_folder(dir: &str) -> String {
    format!(
        "core.hooksPath makes {dir} the hooks folder; other repositories or tools may \
         share it, and envguard's hook there acts on their pushes to deploying remotes too. \
         The hook records this machine's binary path: do not commit it"
    )
}

/// One thing `install` or `uninstall` did, notes, or refuses. Paths come
/// in as the shell shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Install {
    /// `git rev-parse` failed in `dir`.
    NotARepository { dir: String, said: String },
    /// `git rev-parse` answered without a hooks folder.
    NoHooksFolder { said: String },
    /// A git command envguard ran failed.
    GitFailed { args: String, said: String },
    /// `--manager` where no hook manager has pre-push.
    NoManager,
    /// envguard already runs as `hook.envguard`.
    ConfigHookAlready { command: String },
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
    /// `uninstall` found nothing of envguard's.
    NothingToUninstall { dir: String },
    /// envguard's hook deleted.
    Removed { hook: String },
    /// envguard's hook deleted, the kept one put back in its place.
    Restored { chained: String, hook: String },
    /// A foreign hook in envguard's place, left alone; `kept`: the hook
    /// envguard kept before, still there.
    LeftForeign { hook: String, kept: Option<String> },
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
    /// envguard no longer runs on `git push` here, and the command that
    /// fixes it.
    NotRunning {
        dropped: Dropped,
        manager: Option<Manager>,
        shown: String,
        fix: String,
    },
    /// Installed as git's config-based hook because this git has them.
    ConfigHookByDefault,
    /// envguard's hook file, run as pre-commit's legacy hook, steps aside
    /// because the manager's config runs envguard too.
    LegacyStepsAside { manager: Manager, shown: String },
    /// A manager has pre-push and nothing was installed.
    NothingInstalled,
    /// `uninstall` leaves envguard in a manager's config.
    StillRuns { manager: Manager, shown: String },
    /// `uninstall` leaves a global or system `hook.envguard`.
    GlobalConfigHook,
}

impl fmt::Display for Install {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Install::*;
        match self {
            NotARepository { dir, said } => {
                write!(f, "{dir} is not inside a git repository: {said}")
            }
            NoHooksFolder { said } => write!(f, "git rev-parse gave no hooks folder: {said:?}"),
            GitFailed { args, said } => write!(f, "`git {args}` failed: {said}"),
            NoManager => f.write_str(
                "no hook manager (pre-commit, prek, lefthook, husky) manages pre-push here: run `envguard install` without --manager",
            ),
            ConfigHookAlready { command } => write!(
                f,
                "envguard is registered as a config-based hook (hook.envguard.command = {command}): \
                 nothing to install; `envguard uninstall` removes it"
            ),
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
            NothingToUninstall { dir } => write!(
                f,
                "envguard's hook is not installed in {dir}: nothing to do"
            ),
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
                indented(LEFTHOOK_SNIPPET)
            ),
            FixArguments { shown } => write!(
                f,
                "{shown} runs `envguard pre-push` without `\"$@\"`, so it gets no arguments and stops \
                 every push; write it as:\n\n{}",
                indented(HUSKY_LINE)
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
                indented(lefthook::SCRIPT)
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
                indented(&lefthook::local_job())
            ),
            ForeignLefthookScript { script } => write!(
                f,
                "{script} does not run `envguard pre-push \"$@\"`, and envguard does not replace it; \
                 rename it, or make it read:\n\n{}",
                indented(lefthook::SCRIPT).trim_end_matches('\n')
            ),
            LocalScriptDir { dir } => write!(
                f,
                "source_dir_local moves lefthook's per-clone scripts to {dir}, where envguard does not \
                 write; save this as {dir}/pre-push/{}:\n\n{}\nthen run `envguard install --manager` again",
                lefthook::SCRIPT_NAME,
                indented(lefthook::SCRIPT)
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
                indented(&pre_commit_snippet(*column))
            ),
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
            ConfigHookByDefault => f.write_str(
                "this git has config-based hooks, so envguard is registered there rather than as a \
                 hook file: no hook manager (pre-commit, lefthook, husky) rewrites git's config. \
                 `envguard install --hook-file` writes the hook file instead, for a git older than \
                 2.54 (some GUI clients bundle one), which ignores hook.envguard",
            ),
            LegacyStepsAside { manager, shown } => write!(
                f,
                "note: {shown} runs envguard too, so its copy that {} keeps as pre-push.legacy steps \
                 aside; `envguard install` removes that copy",
                manager.name()
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

impl std::error::Error for Install {}

/// How a team puts envguard's job into its lefthook config, after the
/// config's name: the job, its script, and the commands.
fn lefthook_team_fix(shown: &str) -> String {
    format!(
        "Make envguard's job in {shown} read:\n\n{}\n{}",
        indented(LEFTHOOK_SNIPPET),
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
        indented(lefthook::SCRIPT),
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
        indented(&snippet)
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

    /// One of each message, with the values a real install shows.
    fn every_message() -> Vec<Install> {
        use Install::*;
        let s = |text: &str| text.to_string();
        let hook = || s(".git/hooks/pre-push");
        let chained = || s(".git/hooks/pre-push.envguard-chained");
        let mut all = vec![
            NotARepository {
                dir: s("/tmp/x"),
                said: s("fatal: not a git repository (or any of the parent directories): .git"),
            },
            NoHooksFolder { said: s("\n") },
            GitFailed {
                args: s("config --local hook.envguard.command x"),
                said: s("error: could not lock config file .git/config: File exists"),
            },
            NoManager,
            ConfigHookAlready {
                command: s("'/usr/local/bin/envguard' pre-push"),
            },
            RefuseForeign {
                hook: hook(),
                chained: chained(),
            },
            KeptExisting { chained: chained() },
            Replaced { hook: hook() },
            KeptFromBefore { chained: chained() },
            Installed {
                hook: hook(),
                binary: s("/usr/local/bin/envguard"),
                updated: false,
            },
            Installed {
                hook: hook(),
                binary: s("/usr/local/bin/envguard"),
                updated: true,
            },
            HooksFolder { dir: s("hooks") },
            NothingToUninstall {
                dir: s(".git/hooks"),
            },
            Removed { hook: hook() },
            Restored {
                chained: chained(),
                hook: hook(),
            },
            LeftForeign {
                hook: hook(),
                kept: None,
            },
            LeftForeign {
                hook: hook(),
                kept: Some(chained()),
            },
            UnknownGitVersion { said: s("") },
            NoConfigHooks {
                git: s("git version 2.47.3"),
            },
            ForeignConfigHook {
                command: s("other"),
            },
            RegisteredConfigHook {
                git: s("git version 2.54.0"),
                command: s("'/usr/local/bin/envguard' pre-push"),
                others: 1,
            },
            ManagerRunsToo {
                manager: Manager::Lefthook,
                shown: s("lefthook.yml"),
            },
            OldGitIgnoresConfigHook,
            AlreadyRuns {
                manager: Manager::PreCommit,
                shown: s(".pre-commit-config.yaml"),
            },
            ManagerHookNotInstalled {
                manager: Manager::PreCommit,
            },
            FixStdin {
                shown: s("lefthook.yml"),
            },
            FixArguments {
                shown: s(".husky/pre-push"),
            },
            FixSkippable {
                shown: s("lefthook.yml"),
            },
            FixScriptMissing {
                shown: s("lefthook.yml"),
                script: s("envguard.sh"),
            },
        ];
        for manager in [
            Manager::PreCommit,
            Manager::Prek,
            Manager::Lefthook,
            Manager::Husky,
        ] {
            all.push(Advice {
                manager,
                shown: s("the config"),
                renamed: None,
                config_hooks: false,
                column: 2,
            });
        }
        all.extend([
            Advice {
                manager: Manager::PreCommit,
                shown: s(".pre-commit-config.yaml"),
                renamed: Some(s(".git/hooks/pre-push.legacy")),
                config_hooks: true,
                column: 0,
            },
            Advice {
                manager: Manager::Lefthook,
                shown: s("lefthook.yml"),
                renamed: Some(s(".git/hooks/pre-push.old")),
                config_hooks: false,
                column: 2,
            },
            PutBack {
                manager: Manager::PreCommit,
                hook: hook(),
                shown: s(".pre-commit-config.yaml"),
            },
            RetiredKept {
                renamed: s(".git/hooks/pre-push.legacy"),
                chained: chained(),
            },
            Retired {
                renamed: s(".git/hooks/pre-push.old"),
            },
            HuskyAdded {
                shown: s(".husky/pre-push"),
            },
            NoWorkTree,
            LocalExists {
                local: s("lefthook-local.yml"),
            },
            ForeignLefthookScript {
                script: s(".lefthook/pre-push/envguard.sh"),
            },
            LocalScriptDir { dir: s(".hooks") },
            WroteLefthook {
                shown: s("lefthook.yml"),
                local: Some(s("lefthook-local.yml")),
                script: Some(s(".lefthook-local/pre-push/envguard.sh")),
            },
            WroteLefthook {
                shown: s("lefthook.yml"),
                local: Some(s("lefthook-local.yml")),
                script: None,
            },
            WroteLefthook {
                shown: s("lefthook.yml"),
                local: None,
                script: Some(s(".lefthook-local/pre-push/envguard.sh")),
            },
            RunLefthookInstall,
            AddedAsLegacy {
                manager: Manager::PreCommit,
                legacy: s(".git/hooks/pre-push.legacy"),
            },
            RemovedConfigHook,
            RemovedLefthook {
                removed: vec![
                    s("lefthook-local.yml"),
                    s(".lefthook-local/pre-push/envguard.sh"),
                ],
            },
            HuskyRestored {
                shown: s(".husky/pre-push"),
            },
            HuskyLineOut {
                shown: s(".husky/pre-push"),
            },
            IdlePreCommit {
                shown: s(".pre-commit-config.yaml"),
                column: 2,
            },
            NotRunning {
                dropped: Dropped::HooksPathMoved { hook: hook() },
                manager: Some(Manager::Husky),
                shown: s(".husky/pre-push"),
                fix: s("envguard install --manager"),
            },
            NotRunning {
                dropped: Dropped::Renamed {
                    renamed: s(".git/hooks/pre-push.old"),
                },
                manager: Some(Manager::Lefthook),
                shown: s("lefthook.yml"),
                fix: s("envguard install"),
            },
            NotRunning {
                dropped: Dropped::Gone,
                manager: Some(Manager::PreCommit),
                shown: s(".pre-commit-config.yaml"),
                fix: s("envguard install --manager"),
            },
            NotRunning {
                dropped: Dropped::Gone,
                manager: None,
                shown: s(".git/hooks/pre-push"),
                fix: s("envguard install"),
            },
            NotRunning {
                dropped: Dropped::Skippable,
                manager: Some(Manager::Lefthook),
                shown: s("lefthook.yml"),
                fix: s("envguard install --manager"),
            },
            NotRunning {
                dropped: Dropped::ManagerHookMissing,
                manager: Some(Manager::Prek),
                shown: s(".pre-commit-config.yaml"),
                fix: s("prek install --hook-type pre-push"),
            },
            ConfigHookByDefault,
            LegacyStepsAside {
                manager: Manager::PreCommit,
                shown: s(".pre-commit-config.yaml"),
            },
            NothingInstalled,
            StillRuns {
                manager: Manager::Lefthook,
                shown: s("lefthook.yml"),
            },
            GlobalConfigHook,
        ]);
        all
    }

    // Issue 12: every sentence of install and uninstall, pinned in one
    // snapshot (one message per paragraph; snippets keep their indent).
    #[test]
    fn every_message_reads_as_install_says_it() {
        let text = every_message()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n---\n");
        insta::assert_snapshot!("every_message", text);
    }

    #[test]
    fn text_to_paste_is_marked_and_keeps_its_own_indentation() {
        assert_eq!(indented("a:\n  b\n"), "\u{1e}a:\n\u{1e}  b\n");
        // Pasted under `repos:` beside items at the same column, it is
        // one list (checked with pre-commit's own validator in tests/managers.rs).
        assert!(pre_commit_snippet(0).starts_with("- repo: local\n  hooks:\n"));
        assert!(pre_commit_snippet(2).starts_with("  - repo: local\n    hooks:\n"));
        assert_eq!(pre_commit_snippet(2), PRE_COMMIT_SNIPPET);
    }
}
