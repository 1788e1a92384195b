//! `envguard doctor`'s findings: each variant is one thing the doctor can
//! find, and knows its [`Level`], its topic, its text and what to do about
//! it. The shell only gathers the facts and pushes variants; the lines and
//! the JSON (docs/json.md) are made of these four parts.

use std::fmt;

use serde::Serialize;

use crate::config::CONFIG_PATH as CONFIG;
use crate::decide::{BaselineChoice, BaselineSource};
use crate::deployment::{DeployPath, ATTRIBUTES_PATH as ATTRIBUTES, DEPLOYMENT_PATH};
use crate::managers::{lefthook, Manager, HUSKY_LINE};
use crate::platform::{Platform, CANDIDATE_MINORS};
use crate::shipped::Copy;
use crate::token::{ENV_TOKEN_FILE, FINGERPRINT_PATH};

use super::install::hooks_folder;
use super::Message;

/// How a finding weighs (`ok`, `note`, `fix` in JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// As it should be.
    Ok,
    /// Worth knowing; nothing to fix.
    Note,
    /// envguard cannot do its job until this is fixed.
    Fix,
}

impl Level {
    /// The word at the start of a finding's line.
    pub fn label(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Note => "note",
            Level::Fix => "FIX",
        }
    }
}

/// What would make a missing server file right: commit the one in the
/// working tree, or let `init` write it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Remedy {
    /// The file is in the working tree, not in HEAD.
    Commit(String),
    /// Neither has it.
    Init,
}

impl fmt::Display for Remedy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Remedy::Commit(path) => write!(f, "commit {path}"),
            Remedy::Init => f.write_str("run `envguard init`, then commit what it writes"),
        }
    }
}

/// One thing the doctor found. Paths come in as the shell shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finding {
    /// envguard is git's config-based hook `hook.envguard`, and this git runs it.
    ConfigHookRuns { command: String, git: String },
    /// What an older git does with `hook.envguard`.
    OldGitIgnoresConfigHook,
    /// `hook.envguard` is registered, but this git ignores it.
    ConfigHookIgnored { git: String },
    /// envguard's hook file and `hook.envguard` both run it.
    HookFileAndConfigHook { hook: String },
    /// A hook manager's config runs envguard and its hook is installed.
    ManagerRuns { manager: Manager, shown: String },
    /// The manager's config and `hook.envguard` both run envguard.
    ManagerAndConfigHook { shown: String },
    /// envguard is in the manager's config, but its hook is not installed.
    ManagerHookMissing { manager: Manager, shown: String },
    /// lefthook runs envguard without its ref lines.
    WithoutStdin { shown: String },
    /// husky runs `envguard pre-push` without git's arguments.
    WithoutArguments { shown: String },
    /// lefthook runs envguard as a `run:` job, which it skips when it finds
    /// no push files.
    LefthookSkippable { shown: String },
    /// lefthook's script job for envguard has no script in any of its
    /// script folders.
    LefthookScriptMissing { shown: String, script: String },
    /// lefthook finds envguard's script in several script folders and runs
    /// it from each.
    LefthookScriptTwice { script: String, copies: usize },
    /// envguard's hook runs as the manager's legacy hook.
    LegacyHookRuns { manager: Manager, renamed: String },
    /// The legacy hook goes with the manager's next `install -f`.
    LegacyHookFragile {
        manager: Manager,
        renamed: String,
        shown: String,
    },
    /// The manager renamed envguard's hook to a name it never runs.
    RenamedNeverRuns {
        manager: Manager,
        renamed: String,
        shown: String,
    },
    /// envguard's hook runs, with the manager's hook kept under it.
    ChainedUnderOurs { manager: Manager },
    /// The manager's own install would undo that.
    ChainedFragile { manager: Manager, shown: String },
    /// The manager has pre-push; `hook.envguard` runs envguard beside it.
    BesideConfigHook { manager: Manager },
    /// The manager has pre-push and does not run envguard.
    ManagerWithoutEnvguard { manager: Manager, shown: String },
    /// The manager's config and envguard's legacy hook both run envguard.
    RunsTwiceWithLegacy {
        manager: Manager,
        renamed: String,
        shown: String,
    },
    /// envguard's hook where lefthook renamed it, now idle.
    OldHookNeverRuns { renamed: String },
    /// `core.hooksPath` moved the hooks folder.
    HooksFolder { dir: String },
    /// No pre-push hook at all.
    NoHook { hook: String },
    /// A foreign hook in envguard's place, and an earlier one kept.
    ForeignAndKept { hook: String, chained: String },
    /// A foreign hook in envguard's place; `kept_as`: the name `install`
    /// would keep it as.
    ForeignHook { hook: String, kept_as: String },
    /// The kept hook runs first.
    KeptHookRuns { chained: String },
    /// The kept hook cannot run.
    KeptHookNotExecutable { chained: String },
    /// envguard's hook lacks its run bits.
    HookNotExecutable { hook: String },
    /// envguard's hook has CRLF line endings.
    HookCrlf { hook: String },
    /// envguard's hook records no binary.
    NoRecordedBinary { hook: String },
    /// The recorded binary is missing; `on_path`: the envguard the hook
    /// falls back to, if any.
    BinaryMissing {
        hook: String,
        recorded: String,
        on_path: Option<String>,
    },
    /// envguard's hook runs this binary.
    HookRunsThisBinary { hook: String, recorded: String },
    /// The hook differs from this binary's template.
    HookFromOtherVersion,
    /// envguard's hook runs another envguard.
    HookRunsOtherBinary {
        hook: String,
        recorded: String,
        this: String,
    },
    /// The repository has no commits.
    NoCommits,
    /// HEAD's envguard.toml (or a file it needs) cannot be read.
    ConfigUnreadable { why: String },
    /// Where the settings come from, and what they say.
    ConfigIn {
        has_config: bool,
        requirements: String,
        runtime: String,
        target: Platform,
    },
    /// HEAD has no requirements file.
    NoRequirements { requirements: String },
    /// No runtime file; envguard.toml's `python` says the Python.
    PythonFromConfig { runtime: String, python: String },
    /// No runtime file and no `python`: every candidate Python is judged.
    PythonUnknown { runtime: String },
    /// A remote that deploys.
    RemoteDeploys {
        name: String,
        url: String,
        branches: Vec<String>,
    },
    /// Remotes that do not deploy.
    OtherRemotes { names: Vec<String> },
    /// No remote deploys.
    NoRemoteDeploys,
    /// HEAD is not on a deploying branch; `on`: its branch, if any.
    HeadDoesNotDeploy {
        remote: String,
        on: Option<String>,
        branches: Vec<String>,
    },
    /// The baseline of a push cannot be read.
    BaselineUnreadable { remote: String, why: String },
    /// Where the baseline of a push to `<remote>`'s `<branch>` comes from;
    /// `push`: the command that makes it (`git push azure main:master`).
    Baseline {
        remote: String,
        branch: String,
        push: String,
        choice: BaselineChoice,
    },
    /// How the site builds, when `.deployment` leaves nothing to fix.
    Deploys { path: DeployPath },
    /// A Windows site built by Kudu's own script; `has_deployment`:
    /// whether HEAD has a `.deployment` for `init` to add the command to.
    KuduWindows {
        has_deployment: bool,
        remedy: Remedy,
    },
    /// `.deployment` runs a command whose script envguard cannot name.
    UnknownScript { command: String },
    /// `.deployment` runs a script HEAD does not have.
    ScriptMissing { script: String, remedy: Remedy },
    /// The script has no marker step.
    ScriptIgnoresMarker { script: String },
    /// The script honours the marker.
    ScriptHonours { script: String },
    /// envguard's own script, committed other than this version writes it:
    /// an unedited copy of another version, edited, or without digest line.
    ScriptCopy { script: String, copy: Copy },
    /// The script's committed line endings are wrong for its platform.
    WrongEndings { script: String, platform: Platform },
    /// Right line endings; `rule`: the `.gitattributes` rule that keeps
    /// them, `kept`: whether HEAD has it.
    Endings {
        script: String,
        platform: Platform,
        rule: String,
        kept: bool,
    },
    /// `envguard_check.py` is beside the script (`found`), or not.
    Checker {
        checker: String,
        script: String,
        found: bool,
    },
    /// What each layer does; `keep`: envguard.toml's `keep`.
    Layers { keep: Vec<String> },
}

/// The line endings a platform's script needs, and what the wrong ones do.
fn endings(platform: Platform) -> (&'static str, &'static str) {
    match platform {
        Platform::Windows => ("CRLF", "has lines ending in LF alone, which cmd misreads"),
        Platform::Linux => ("LF", "has CRLF line endings, which bash misreads"),
    }
}

impl Finding {
    /// How it weighs.
    pub fn level(&self) -> Level {
        use Finding::*;
        match self {
            ConfigHookRuns { .. }
            | ManagerRuns { .. }
            | LegacyHookRuns { .. }
            | ChainedUnderOurs { .. }
            | KeptHookRuns { .. }
            | HookRunsThisBinary { .. }
            | ConfigIn { .. }
            | PythonFromConfig { .. }
            | RemoteDeploys { .. }
            | ScriptHonours { .. }
            | Endings { kept: true, .. }
            | Checker { found: true, .. } => Level::Ok,
            OldGitIgnoresConfigHook
            | LegacyHookFragile { .. }
            | ChainedFragile { .. }
            | BesideConfigHook { .. }
            | OldHookNeverRuns { .. }
            | HooksFolder { .. }
            | KeptHookNotExecutable { .. }
            | HookRunsOtherBinary { .. }
            | NoCommits
            | PythonUnknown { .. }
            | OtherRemotes { .. }
            | HeadDoesNotDeploy { .. }
            | UnknownScript { .. }
            | Endings { kept: false, .. }
            | ScriptCopy { .. }
            | Layers { .. } => Level::Note,
            Baseline { choice, .. } => match choice {
                BaselineChoice::Use(BaselineSource::None) => Level::Note,
                _ => Level::Ok,
            },
            Deploys { path } => match path {
                DeployPath::Oryx | DeployPath::NoBuild => Level::Note,
                _ => Level::Ok,
            },
            ConfigHookIgnored { .. }
            | HookFileAndConfigHook { .. }
            | ManagerAndConfigHook { .. }
            | ManagerHookMissing { .. }
            | WithoutStdin { .. }
            | WithoutArguments { .. }
            | LefthookSkippable { .. }
            | LefthookScriptMissing { .. }
            | LefthookScriptTwice { .. }
            | RenamedNeverRuns { .. }
            | ManagerWithoutEnvguard { .. }
            | RunsTwiceWithLegacy { .. }
            | NoHook { .. }
            | ForeignAndKept { .. }
            | ForeignHook { .. }
            | HookNotExecutable { .. }
            | HookCrlf { .. }
            | NoRecordedBinary { .. }
            | BinaryMissing { .. }
            | HookFromOtherVersion
            | ConfigUnreadable { .. }
            | NoRequirements { .. }
            | NoRemoteDeploys
            | BaselineUnreadable { .. }
            | KuduWindows { .. }
            | ScriptMissing { .. }
            | ScriptIgnoresMarker { .. }
            | WrongEndings { .. }
            | Checker { found: false, .. } => Level::Fix,
        }
    }

    /// What was looked at: `hook`, `remote azure`, `server script`, …
    pub fn topic(&self) -> String {
        use Finding::*;
        match self {
            ConfigHookRuns { .. }
            | OldGitIgnoresConfigHook
            | ConfigHookIgnored { .. }
            | HookFileAndConfigHook { .. }
            | ManagerRuns { .. }
            | ManagerAndConfigHook { .. }
            | ManagerHookMissing { .. }
            | WithoutStdin { .. }
            | WithoutArguments { .. }
            | LefthookSkippable { .. }
            | LefthookScriptMissing { .. }
            | LefthookScriptTwice { .. }
            | LegacyHookRuns { .. }
            | LegacyHookFragile { .. }
            | RenamedNeverRuns { .. }
            | ChainedUnderOurs { .. }
            | ChainedFragile { .. }
            | BesideConfigHook { .. }
            | ManagerWithoutEnvguard { .. }
            | RunsTwiceWithLegacy { .. }
            | OldHookNeverRuns { .. }
            | NoHook { .. }
            | ForeignAndKept { .. }
            | ForeignHook { .. }
            | HookNotExecutable { .. }
            | HookCrlf { .. }
            | NoRecordedBinary { .. }
            | BinaryMissing { .. }
            | HookRunsThisBinary { .. }
            | HookFromOtherVersion
            | HookRunsOtherBinary { .. } => "hook".into(),
            HooksFolder { .. } => "hooks folder".into(),
            KeptHookRuns { .. } | KeptHookNotExecutable { .. } => "kept hook".into(),
            NoCommits => "HEAD".into(),
            ConfigUnreadable { .. } | ConfigIn { .. } | NoRequirements { .. } => "config".into(),
            PythonFromConfig { .. } | PythonUnknown { .. } => "python".into(),
            RemoteDeploys { name, .. } => format!("remote {name}"),
            OtherRemotes { .. } => "other remotes".into(),
            NoRemoteDeploys => "remotes".into(),
            HeadDoesNotDeploy { remote, .. }
            | BaselineUnreadable { remote, .. }
            | Baseline { remote, .. } => format!("baseline {remote}"),
            Deploys { .. } | KuduWindows { .. } => "deployment".into(),
            UnknownScript { .. }
            | ScriptMissing { .. }
            | ScriptIgnoresMarker { .. }
            | ScriptHonours { .. }
            | ScriptCopy { .. } => "server script".into(),
            WrongEndings { .. } | Endings { .. } => "line endings".into(),
            Checker { .. } => "server check".into(),
            Layers { .. } => "layers".into(),
        }
    }

    /// What to do about it: every [`Level::Fix`] has one, a few notes too.
    pub fn fix(&self) -> Option<String> {
        use Finding::*;
        let install = "run `envguard install`".to_string();
        let fsck = "run `git fsck` and repair the repository".to_string();
        Some(match self {
            ConfigHookIgnored { .. } => {
                "upgrade git, or run `envguard uninstall`, then `envguard install` for a hook file"
                    .into()
            }
            HookFileAndConfigHook { .. } => {
                "run `envguard install --config-hook`: it keeps hook.envguard and removes the hook file"
                    .into()
            }
            ManagerAndConfigHook { .. } => {
                "run `git config --local --remove-section hook.envguard`, or take it out of the manager's config"
                    .into()
            }
            ManagerHookMissing { manager, .. } => format!("run `{}`", manager.install_command()),
            WithoutStdin { .. } => {
                "add `use_stdin: true` to its job (`envguard install` prints the job whole)".into()
            }
            WithoutArguments { .. } => format!("write the line as `{}`", HUSKY_LINE.trim_end()),
            LefthookSkippable { shown } => format!(
                "run `envguard install --manager` (a script job, for this clone); for every clone, \
                 change the job in {shown} as `envguard install` prints it"
            ),
            LefthookScriptMissing { .. } => format!(
                "run `envguard install --manager` (it writes {}/pre-push/{}, for this clone); for \
                 every clone, commit the script as `envguard install` prints it",
                lefthook::SOURCE_DIR_LOCAL,
                lefthook::SCRIPT_NAME
            ),
            LefthookScriptTwice { .. } => "keep one of the copies".into(),
            RenamedNeverRuns { shown, .. } => format!(
                "add envguard's job to {shown} (`envguard install` prints it, `envguard install --manager` adds it), then `lefthook install`"
            ),
            ManagerWithoutEnvguard { manager, shown } => {
                let adds = if *manager == Manager::Husky || *manager == Manager::Lefthook {
                    ", `envguard install --manager` adds it"
                } else {
                    ""
                };
                format!("add envguard to {shown} (`envguard install` prints the snippet{adds})")
            }
            RunsTwiceWithLegacy { .. } => "run `envguard install`: it removes the legacy copy".into(),
            NoHook { .. } | HookNotExecutable { .. } | HookCrlf { .. } | NoRecordedBinary { .. } => {
                install
            }
            ForeignAndKept { chained, .. } => format!(
                "merge the two into {chained} by hand, then run `envguard install --force`"
            ),
            ForeignHook { kept_as, .. } => {
                format!("run `envguard install`: it keeps that hook as {kept_as} and runs it first")
            }
            BinaryMissing {
                on_path: Some(found),
                ..
            } => format!("run `{found} install` to record it"),
            BinaryMissing { on_path: None, .. } => {
                "reinstall envguard with install.sh (or run `envguard install` with the binary you keep)"
                    .into()
            }
            HookFromOtherVersion => "run `envguard install` to update it".into(),
            ConfigUnreadable { .. } => {
                format!("fix {CONFIG} and commit it: until then every push stops with exit 2")
            }
            NoRequirements { .. } => format!(
                "set `requirements` in {CONFIG}, or `project = <dir>` in {DEPLOYMENT_PATH} for an app in a subfolder"
            ),
            PythonUnknown { .. } => format!(
                "state the Python the site runs (the portal's runtime setting) in {CONFIG}: python = \"3.12\""
            ),
            NoRemoteDeploys => format!(
                "`git remote add azure https://<app>.scm.azurewebsites.net/<app>.git`, or list your remote in `remotes` in {CONFIG}"
            ),
            BaselineUnreadable { .. } => fsck,
            KuduWindows {
                has_deployment: true,
                ..
            } => "run `envguard init --target windows`: it adds the command and keeps your other keys"
                .into(),
            KuduWindows { remedy, .. } | ScriptMissing { remedy, .. } => remedy.to_string(),
            ScriptIgnoresMarker { .. } => {
                "run `envguard init --force` to replace it with envguard's, then carry over your own steps"
                    .into()
            }
            WrongEndings { script, platform } => format!(
                "run `envguard init` (it rewrites {script} with {} and adds a {ATTRIBUTES} rule that keeps them), \
                 then `git add --renormalize {script} {ATTRIBUTES}` and commit",
                endings(*platform).0
            ),
            Checker { found: false, .. } => {
                "run `envguard init` (it copies envguard_check.py), then commit it".into()
            }
            _ => return None,
        })
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Finding::*;
        match self {
            ConfigHookRuns { command, git } => write!(
                f,
                "hook.envguard (git config) runs `{command}` on every push; {git} runs config-based hooks"
            ),
            OldGitIgnoresConfigHook => f.write_str(
                "a git older than 2.54 (some GUI clients bundle one) ignores hook.envguard: pushes made with it are not checked",
            ),
            ConfigHookIgnored { git } => write!(
                f,
                "hook.envguard is registered, but {git} ignores config-based hooks (they came with 2.54): pushes are not checked"
            ),
            HookFileAndConfigHook { hook } => write!(
                f,
                "{hook} runs envguard as well as hook.envguard: every push runs it twice"
            ),
            ManagerRuns { manager, shown } => write!(
                f,
                "envguard runs from {shown} through {}'s pre-push hook (to skip it once: `{}`)",
                manager.name(),
                manager.bypass()
            ),
            ManagerAndConfigHook { shown } => write!(
                f,
                "envguard runs twice on every push: from {shown} and as hook.envguard"
            ),
            ManagerHookMissing { manager, shown } => write!(
                f,
                "envguard is in {shown}, but {}'s pre-push hook is not installed: pushes are not checked",
                manager.name()
            ),
            WithoutStdin { shown } => write!(
                f,
                "{shown} runs envguard without `use_stdin: true`: lefthook gives it no ref lines, so it checks nothing"
            ),
            WithoutArguments { shown } => write!(
                f,
                "{shown} runs `envguard pre-push` without git's arguments: every push stops"
            ),
            LefthookSkippable { shown } => write!(
                f,
                "{shown} runs envguard as a `run:` job, which lefthook skips (\"no matching push files\") \
                 whenever the branch has nothing its own upstream lacks: `git push azure main` right \
                 after `git push origin main` goes unchecked"
            ),
            LefthookScriptMissing { shown, script } => write!(
                f,
                "{shown} runs envguard as the script {script}, which is in none of lefthook's script \
                 folders: lefthook fails every push"
            ),
            LefthookScriptTwice { script, copies } => write!(
                f,
                "lefthook finds {script} in {copies} of its script folders and runs it from each, so \
                 envguard runs {copies} times on every push"
            ),
            LegacyHookRuns { manager, renamed } => write!(
                f,
                "envguard's hook runs as {}'s legacy hook {renamed}, first on every push",
                manager.name()
            ),
            LegacyHookFragile {
                manager,
                renamed,
                shown,
            } => write!(
                f,
                "`{} install -f` deletes {renamed}; envguard in {shown} is sturdier (`envguard install` prints the snippet)",
                manager.name()
            ),
            RenamedNeverRuns {
                manager, renamed, ..
            } => write!(
                f,
                "{} renamed envguard's hook to {renamed}, which it never runs: pushes are not checked",
                manager.name()
            ),
            ChainedUnderOurs { manager } => write!(
                f,
                "envguard's hook runs, with {}'s hook kept under it",
                manager.name()
            ),
            ChainedFragile { manager, shown } => write!(
                f,
                "`{}` would move envguard's hook aside and run itself twice; envguard in {shown} is sturdier (`envguard install` prints the snippet)",
                manager.install_command()
            ),
            BesideConfigHook { manager } => write!(
                f,
                "{} manages pre-push here; envguard runs beside it as hook.envguard",
                manager.name()
            ),
            ManagerWithoutEnvguard { manager, shown } => write!(
                f,
                "{} manages pre-push here and {shown} does not run envguard: pushes are not checked",
                manager.name()
            ),
            RunsTwiceWithLegacy {
                manager,
                renamed,
                shown,
            } => write!(
                f,
                "envguard runs twice on every push: from {shown} and as {}'s legacy hook {renamed}",
                manager.name()
            ),
            OldHookNeverRuns { renamed } => write!(
                f,
                "envguard's old hook {renamed} never runs; `envguard install` removes it"
            ),
            HooksFolder { dir } => f.write_str(&hooks_folder(dir)),
            NoHook { hook } => write!(f, "no pre-push hook at {hook}: pushes are not checked"),
            ForeignAndKept { hook, chained } => write!(
                f,
                "{hook} is not envguard's (another tool rewrote it?), and {chained} keeps an earlier hook"
            ),
            ForeignHook { hook, .. } => write!(
                f,
                "{hook} is another hook, not envguard's: pushes are not checked"
            ),
            KeptHookRuns { chained } => write!(
                f,
                "{chained} runs first on every push, with the same arguments and input"
            ),
            KeptHookNotExecutable { chained } => write!(
                f,
                "{chained} is not executable, so it does not run (nor would git run it in pre-push's place)"
            ),
            HookNotExecutable { hook } => write!(f, "{hook} is not executable: git skips it"),
            HookCrlf { hook } => write!(
                f,
                "{hook} has CRLF line endings: sh cannot run it (`/bin/sh^M: bad interpreter`)"
            ),
            NoRecordedBinary { hook } => write!(f, "{hook} is envguard's but records no binary"),
            BinaryMissing {
                hook,
                recorded,
                on_path: Some(found),
            } => write!(
                f,
                "{hook} runs {recorded}, which is missing; it falls back to {found} on PATH, which GUI git clients do not see"
            ),
            BinaryMissing {
                hook,
                recorded,
                on_path: None,
            } => write!(
                f,
                "{hook} runs {recorded}, which is missing, and no envguard is on PATH: every push stops"
            ),
            HookRunsThisBinary { hook, recorded } => {
                write!(f, "{hook} is envguard's and runs {recorded} (this binary)")
            }
            HookFromOtherVersion => f.write_str("the hook script is from another envguard version"),
            HookRunsOtherBinary {
                hook,
                recorded,
                this,
            } => write!(
                f,
                "{hook} is envguard's and runs {recorded}, not this binary ({this})"
            ),
            NoCommits => f.write_str(
                "no commits yet: the config, baseline and server script are checked from the first commit on",
            ),
            ConfigUnreadable { why } => f.write_str(why),
            ConfigIn {
                has_config,
                requirements,
                runtime,
                target,
            } => {
                if *has_config {
                    write!(f, "{CONFIG} in HEAD")?;
                } else {
                    f.write_str("defaults (no envguard.toml in HEAD)")?;
                }
                write!(
                    f,
                    ": requirements {requirements}, runtime {runtime}, target {target}"
                )
            }
            NoRequirements { requirements } => write!(
                f,
                "HEAD has no {requirements}: envguard has nothing to compare"
            ),
            PythonFromConfig { runtime, python } => write!(
                f,
                "no {runtime} in HEAD; {CONFIG} says the site runs Python {python}: markers are judged for it"
            ),
            PythonUnknown { runtime } => write!(
                f,
                "no {runtime} in HEAD and no `python` in {CONFIG}: envguard does not know the site's Python, \
                 so it judges environment markers for each Python 3.{} to 3.{} on its own, and a package \
                 dropped on any of them counts as removed",
                CANDIDATE_MINORS.start(),
                CANDIDATE_MINORS.end()
            ),
            RemoteDeploys { url, branches, .. } => write!(
                f,
                "{url} deploys; pushes to its branches {} are checked",
                branches.join(", ")
            ),
            OtherRemotes { names } => {
                let (verb, them) = match names.len() {
                    1 => ("does", "it"),
                    _ => ("do", "them"),
                };
                write!(
                    f,
                    "{} {verb} not deploy: pushes to {them} pass unchecked",
                    names.join(", ")
                )
            }
            NoRemoteDeploys => f.write_str(
                "no remote deploys: envguard acts on a remote named azure or with an Azure scm URL",
            ),
            HeadDoesNotDeploy {
                remote,
                on,
                branches,
            } => write!(
                f,
                "HEAD is on {}, which does not deploy; a push of it to {} is checked",
                on.as_deref().unwrap_or("a detached HEAD"),
                branches
                    .iter()
                    .map(|b| format!("{remote} {b}"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            BaselineUnreadable { why, .. } => f.write_str(why),
            Baseline {
                remote,
                branch,
                push,
                choice,
            } => {
                let push = format!("`{push}`");
                match choice {
                    BaselineChoice::Use(BaselineSource::RemoteCommit(commit))
                    | BaselineChoice::FetchFirst(commit) => write!(
                        f,
                        "{push} is compared with refs/remotes/{remote}/{branch} ({}), as last fetched or pushed",
                        commit.short()
                    ),
                    BaselineChoice::Use(BaselineSource::OtherBranch { refname, commit }) => {
                        write!(
                            f,
                            "{remote} has no {branch} here yet: {push} is compared with {refname} ({})",
                            commit.short()
                        )
                    }
                    BaselineChoice::Use(BaselineSource::Fingerprint) => write!(
                        f,
                        "{remote} has no {branch} here yet: {push} is compared with HEAD's {FINGERPRINT_PATH}"
                    ),
                    BaselineChoice::Use(BaselineSource::None) => write!(
                        f,
                        "no refs/remotes/{remote}/{branch} here: {push} is a first deployment and passes; \
                         if {remote} already has {branch}, run `git fetch {remote}` first"
                    ),
                }
            }
            Deploys { path } => write!(f, "{}", Message::Deploys { path: path.clone() }),
            KuduWindows { .. } => write!(
                f,
                "{}",
                Message::Deploys {
                    path: DeployPath::KuduWindows
                }
            ),
            UnknownScript { command } => write!(
                f,
                "{DEPLOYMENT_PATH} runs `{command}`; envguard cannot tell whether that honours the marker"
            ),
            ScriptMissing { script, .. } => write!(
                f,
                "{DEPLOYMENT_PATH} runs {script}, which HEAD does not have"
            ),
            ScriptIgnoresMarker { script } => write!(
                f,
                "{script} (run by {DEPLOYMENT_PATH}) does not honour the force-clean marker: it has no {ENV_TOKEN_FILE} step"
            ),
            ScriptHonours { script } => write!(
                f,
                "{script} (run by {DEPLOYMENT_PATH}) honours the force-clean marker"
            ),
            ScriptCopy {
                script,
                copy: Copy::Unedited,
            } => write!(
                f,
                "{script} is an unedited copy of another envguard version's: `envguard init` updates it \
                 to this version's"
            ),
            ScriptCopy {
                script,
                copy: Copy::Edited,
            } => write!(
                f,
                "{script} is envguard's, edited since envguard wrote it: `envguard init` keeps your edits, \
                 so it gets no changes of later versions (`envguard init --force`, then `git diff {script}`, \
                 shows them)"
            ),
            ScriptCopy {
                script,
                copy: Copy::Unstamped,
            } => write!(
                f,
                "{script} is envguard's but has no digest line (an older envguard wrote it, or it was \
                 edited): `envguard init` keeps it; `envguard init --force` replaces it with this version's \
                 (`git diff {script}` then shows what changed)"
            ),
            WrongEndings { script, platform } => write!(
                f,
                "{script} as committed in HEAD {}",
                endings(*platform).1
            ),
            Endings {
                script,
                platform,
                rule,
                kept: true,
            } => write!(
                f,
                "{script} is committed with {} line endings, and {ATTRIBUTES}'s `{rule}` keeps them in every checkout",
                endings(*platform).0
            ),
            Endings {
                script,
                platform,
                rule,
                kept: false,
            } => write!(
                f,
                "{script} is committed with {} line endings, but HEAD's {ATTRIBUTES} has no `{rule}`: \
                 a checkout with `text`/`eol` attributes or core.autocrlf may convert them; `envguard init` adds the rule",
                endings(*platform).0
            ),
            Checker {
                checker,
                script,
                found: true,
            } => write!(
                f,
                "{checker} is beside {script}: every deployment checks the environment for leftovers"
            ),
            Checker {
                checker,
                script,
                found: false,
            } => write!(
                f,
                "HEAD has no {checker} beside {script}: the server cannot check for leftovers that slipped past the hook"
            ),
            Layers { keep } => {
                f.write_str(
                    "envguard works in two layers. The hook schedules a clean when a push removes a package, \
                     and commits the proof (.envguard/force-clean and .envguard/fingerprint.toml) into history. \
                     The server checks every deployment for what slipped past it (a push with --no-verify, a \
                     teammate without the hook, a dependency an upgrade orphaned) and rebuilds the environment \
                     once",
                )?;
                if !keep.is_empty() {
                    write!(
                        f,
                        "; envguard.toml's `keep` ({}) is never counted as left over",
                        keep.join(", ")
                    )?;
                }
                Ok(())
            }
        }
    }
}

/// The doctor's last line: how many findings need fixing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict(pub usize);

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 => f.write_str("All in place."),
            1 => f.write_str("1 thing to fix."),
            n => write!(f, "{n} things to fix."),
        }
    }
}

/// A finding's lines as `envguard doctor` prints them: the level, the
/// topic and the text, then the fix, indented below.
pub struct Lines<'a>(pub &'a Finding);

impl fmt::Display for Lines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let finding = self.0;
        writeln!(
            f,
            "{:<5} {}: {finding}",
            finding.level().label(),
            finding.topic()
        )?;
        if let Some(fix) = finding.fix() {
            writeln!(f, "      -> {fix}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::CommitId;

    fn id(c: char) -> CommitId {
        CommitId::parse(&c.to_string().repeat(40)).unwrap()
    }

    /// One of each finding, with the values a real doctor run shows.
    fn every_finding() -> Vec<Finding> {
        use Finding::*;
        let hook = || ".git/hooks/pre-push".to_string();
        let chained = || ".git/hooks/pre-push.envguard-chained".to_string();
        let s = |text: &str| text.to_string();
        let baseline = |choice| Baseline {
            remote: s("azure"),
            branch: s("main"),
            push: s("git push azure main"),
            choice,
        };
        vec![
            ConfigHookRuns {
                command: s("/usr/local/bin/envguard pre-push"),
                git: s("git version 2.54.0"),
            },
            OldGitIgnoresConfigHook,
            ConfigHookIgnored {
                git: s("git version 2.47.3"),
            },
            HookFileAndConfigHook { hook: hook() },
            ManagerRuns {
                manager: Manager::Lefthook,
                shown: s("lefthook.yml"),
            },
            ManagerAndConfigHook {
                shown: s(".pre-commit-config.yaml"),
            },
            ManagerHookMissing {
                manager: Manager::Husky,
                shown: s(".husky/pre-push"),
            },
            WithoutStdin {
                shown: s("lefthook.yml"),
            },
            WithoutArguments {
                shown: s(".husky/pre-push"),
            },
            LefthookSkippable {
                shown: s("lefthook.yml"),
            },
            LefthookScriptMissing {
                shown: s("lefthook.yml"),
                script: s("envguard.sh"),
            },
            LefthookScriptTwice {
                script: s("envguard.sh"),
                copies: 2,
            },
            LegacyHookRuns {
                manager: Manager::PreCommit,
                renamed: s(".git/hooks/pre-push.legacy"),
            },
            LegacyHookFragile {
                manager: Manager::PreCommit,
                renamed: s(".git/hooks/pre-push.legacy"),
                shown: s(".pre-commit-config.yaml"),
            },
            RenamedNeverRuns {
                manager: Manager::Lefthook,
                renamed: s(".git/hooks/pre-push.old"),
                shown: s("lefthook.yml"),
            },
            ChainedUnderOurs {
                manager: Manager::Prek,
            },
            ChainedFragile {
                manager: Manager::Prek,
                shown: s(".pre-commit-config.yaml"),
            },
            BesideConfigHook {
                manager: Manager::Lefthook,
            },
            ManagerWithoutEnvguard {
                manager: Manager::Husky,
                shown: s(".husky/pre-push"),
            },
            ManagerWithoutEnvguard {
                manager: Manager::PreCommit,
                shown: s(".pre-commit-config.yaml"),
            },
            RunsTwiceWithLegacy {
                manager: Manager::PreCommit,
                renamed: s(".git/hooks/pre-push.legacy"),
                shown: s(".pre-commit-config.yaml"),
            },
            OldHookNeverRuns {
                renamed: s(".git/hooks/pre-push.old"),
            },
            HooksFolder { dir: s("hooks") },
            NoHook { hook: hook() },
            ForeignAndKept {
                hook: hook(),
                chained: chained(),
            },
            ForeignHook {
                hook: hook(),
                kept_as: s("pre-push.envguard-chained"),
            },
            KeptHookRuns { chained: chained() },
            KeptHookNotExecutable { chained: chained() },
            HookNotExecutable { hook: hook() },
            HookCrlf { hook: hook() },
            NoRecordedBinary { hook: hook() },
            BinaryMissing {
                hook: hook(),
                recorded: s("/gone/envguard"),
                on_path: Some(s("/usr/local/bin/envguard")),
            },
            BinaryMissing {
                hook: hook(),
                recorded: s("/gone/envguard"),
                on_path: None,
            },
            HookRunsThisBinary {
                hook: hook(),
                recorded: s("/usr/local/bin/envguard"),
            },
            HookFromOtherVersion,
            HookRunsOtherBinary {
                hook: hook(),
                recorded: s("/usr/bin/envguard"),
                this: s("/usr/local/bin/envguard"),
            },
            NoCommits,
            ConfigUnreadable {
                why: s("envguard.toml:1: unknown field `bogus`"),
            },
            ConfigIn {
                has_config: true,
                requirements: s("app/requirements.txt"),
                runtime: s("app/runtime.txt"),
                target: Platform::Windows,
            },
            ConfigIn {
                has_config: false,
                requirements: s("requirements.txt"),
                runtime: s("runtime.txt"),
                target: Platform::Linux,
            },
            NoRequirements {
                requirements: s("requirements.txt"),
            },
            PythonFromConfig {
                runtime: s("runtime.txt"),
                python: s("3.12"),
            },
            PythonUnknown {
                runtime: s("runtime.txt"),
            },
            RemoteDeploys {
                name: s("azure"),
                url: s("https://app.scm.azurewebsites.net/app.git"),
                branches: vec![s("master"), s("main")],
            },
            OtherRemotes {
                names: vec![s("origin")],
            },
            OtherRemotes {
                names: vec![s("origin"), s("backup")],
            },
            NoRemoteDeploys,
            HeadDoesNotDeploy {
                remote: s("azure"),
                on: Some(s("feature")),
                branches: vec![s("master"), s("main")],
            },
            HeadDoesNotDeploy {
                remote: s("azure"),
                on: None,
                branches: vec![s("main")],
            },
            BaselineUnreadable {
                remote: s("azure"),
                why: s("git cannot read refs/remotes/azure/main"),
            },
            baseline(BaselineChoice::Use(BaselineSource::RemoteCommit(id('a')))),
            baseline(BaselineChoice::FetchFirst(id('b'))),
            baseline(BaselineChoice::Use(BaselineSource::OtherBranch {
                refname: s("refs/remotes/azure/master"),
                commit: id('c'),
            })),
            baseline(BaselineChoice::Use(BaselineSource::Fingerprint)),
            baseline(BaselineChoice::Use(BaselineSource::None)),
            Deploys {
                path: DeployPath::Envguard(Platform::Linux),
            },
            Deploys {
                path: DeployPath::NoBuild,
            },
            KuduWindows {
                has_deployment: true,
                remedy: Remedy::Init,
            },
            KuduWindows {
                has_deployment: false,
                remedy: Remedy::Commit(s(".deployment")),
            },
            KuduWindows {
                has_deployment: false,
                remedy: Remedy::Init,
            },
            UnknownScript {
                command: s("python run.py"),
            },
            ScriptMissing {
                script: s("deploy.cmd"),
                remedy: Remedy::Init,
            },
            ScriptMissing {
                script: s("deploy.sh"),
                remedy: Remedy::Commit(s("deploy.sh")),
            },
            ScriptIgnoresMarker {
                script: s("deploy.sh"),
            },
            ScriptHonours {
                script: s("deploy.sh"),
            },
            ScriptCopy {
                script: s("deploy.sh"),
                copy: Copy::Unedited,
            },
            ScriptCopy {
                script: s("deploy.cmd"),
                copy: Copy::Edited,
            },
            ScriptCopy {
                script: s("deploy.sh"),
                copy: Copy::Unstamped,
            },
            WrongEndings {
                script: s("deploy.sh"),
                platform: Platform::Linux,
            },
            WrongEndings {
                script: s("deploy.cmd"),
                platform: Platform::Windows,
            },
            Endings {
                script: s("deploy.cmd"),
                platform: Platform::Windows,
                rule: s("/deploy.cmd -text"),
                kept: true,
            },
            Endings {
                script: s("deploy.sh"),
                platform: Platform::Linux,
                rule: s("/deploy.sh -text"),
                kept: false,
            },
            Checker {
                checker: s("envguard_check.py"),
                script: s("deploy.sh"),
                found: true,
            },
            Checker {
                checker: s("app/envguard_check.py"),
                script: s("app/deploy.sh"),
                found: false,
            },
            Layers { keep: vec![] },
            Layers {
                keep: vec![s("gunicorn"), s("uvicorn")],
            },
        ]
    }

    // Issue 12: every finding's line and fix as `envguard doctor` prints
    // them, pinned in one snapshot.
    #[test]
    fn every_finding_reads_as_doctor_prints_it() {
        let text: String = every_finding()
            .iter()
            .map(|finding| Lines(finding).to_string())
            .collect();
        insta::assert_snapshot!("every_finding", text);
    }

    // A fix is what makes a finding need fixing: every `fix` finding has
    // one to show.
    #[test]
    fn every_fix_says_what_to_do() {
        for finding in every_finding() {
            if finding.level() == Level::Fix {
                assert!(finding.fix().is_some(), "{finding:?}");
            }
        }
    }

    #[test]
    fn the_verdict_counts_fixes() {
        assert_eq!(Verdict(0).to_string(), "All in place.");
        assert_eq!(Verdict(1).to_string(), "1 thing to fix.");
        assert_eq!(Verdict(3).to_string(), "3 things to fix.");
    }
}
