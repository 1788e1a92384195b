//! `envguard doctor`: is everything in place for envguard to guard a push,
//! and if not, what to fix.
//!
//! It looks, in order, at the hook (installed, executable, LF, the binary it
//! records), the kept hook, the config HEAD carries, the remotes that would
//! deploy, where the baseline of a push of HEAD would come from, and the
//! server script that must honour the marker. Each look that decides
//! something builds its [`Finding`] right there: how it weighs, what was
//! looked at, what it found and what to do, so a new finding is one edit in
//! one place. A finding of level [`Level::Fix`] makes the command exit 1.
//! It reads and never writes, and never contacts a remote: the baseline is
//! what the remote-tracking refs say, which `git fetch` keeps current.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use envguard_core::config::{Config, CONFIG_PATH};
use envguard_core::decide::{self, BaselineChoice, BaselineSource};
use envguard_core::deployment::{
    attributes_rule, has_platform_endings, script_of, DeployPath, Deployment, ATTRIBUTES_PATH,
    DEPLOYMENT_PATH,
};
use envguard_core::managers::{lefthook, Configured, Manager, HUSKY_LINE};
use envguard_core::platform::{Platform, CANDIDATE_MINORS};
use envguard_core::requirements::ReaderError;
use envguard_core::shipped::{self, Copy};
use envguard_core::token::{ENV_TOKEN_FILE, FINGERPRINT_PATH};
use serde::Serialize;

use super::hookfile::{self, hooks_folder, Existing, HookPaths, CHAINED_NAME};
use super::init::{self, Deploys, CHECKER_NAME};
use super::managers::{self, Found, Survey};
use crate::hook::facts::{baseline_facts, Push};
use crate::push_target;
use crate::repo::Repo;

/// The text a server script must contain to honour the marker: the file it
/// keeps the last honoured token in (docs/deploy-sh.md, "What it writes").
const TOKEN_FILE: &str = ENV_TOKEN_FILE;

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
    fn label(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Note => "note",
            Level::Fix => "FIX",
        }
    }
}

/// One thing the doctor found: how it weighs, what was looked at (`hook`,
/// `remote azure`, `server script`, …), what it found, and what to do about
/// it (every [`Level::Fix`] has a fix, a few notes too). The JSON fields
/// are these four (docs/json.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub level: Level,
    pub topic: String,
    pub text: String,
    pub fix: Option<String>,
}

impl Finding {
    fn ok(topic: impl Into<String>, text: impl Into<String>) -> Finding {
        Finding {
            level: Level::Ok,
            topic: topic.into(),
            text: text.into(),
            fix: None,
        }
    }

    fn note(topic: impl Into<String>, text: impl Into<String>) -> Finding {
        Finding {
            level: Level::Note,
            ..Finding::ok(topic, text)
        }
    }

    /// Something to fix, and how.
    fn fix(topic: impl Into<String>, text: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding {
            level: Level::Fix,
            fix: Some(fix.into()),
            ..Finding::ok(topic, text)
        }
    }

    /// A note with advice.
    fn advising(self, fix: impl Into<String>) -> Finding {
        Finding {
            fix: Some(fix.into()),
            ..self
        }
    }
}

/// A finding's lines as `envguard doctor` prints them: the level, the
/// topic and the text, then the fix, indented below.
impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<5} {}: {}", self.level.label(), self.topic, self.text)?;
        if let Some(fix) = &self.fix {
            writeln!(f, "      -> {fix}")?;
        }
        Ok(())
    }
}

/// What the doctor looked at: the hook, the kept hook, the hooks folder.
const HOOK: &str = "hook";
/// Advice that fixes most hook findings.
const INSTALL: &str = "run `envguard install`";

/// Everything the doctor found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    fn add(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// How many findings need fixing.
    pub fn to_fix(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.level == Level::Fix)
            .count()
    }

    /// One JSON object: `findings` (each `level`, `topic`, `text`, `fix`)
    /// and `to_fix`, the count of `fix` findings (docs/json.md).
    pub fn render_json(&self, out: &mut dyn Write) -> Result<()> {
        #[derive(Serialize)]
        struct Json<'a> {
            findings: &'a [Finding],
            to_fix: usize,
        }
        let json = Json {
            findings: &self.findings,
            to_fix: self.to_fix(),
        };
        writeln!(out, "{}", serde_json::to_string(&json)?)?;
        Ok(())
    }

    /// One line per finding (its fix indented below), then a verdict.
    pub fn render(&self, out: &mut dyn Write) -> std::io::Result<()> {
        for finding in &self.findings {
            write!(out, "{finding}")?;
        }
        let verdict = match self.to_fix() {
            0 => "All in place.".to_string(),
            1 => "1 thing to fix.".to_string(),
            n => format!("{n} things to fix."),
        };
        writeln!(out, "\n{verdict}")
    }
}

/// Examines the hook of the repository around `dir` and what `repo`'s HEAD
/// carries; `this_binary` is the running envguard.
pub fn doctor(dir: &Path, repo: &Repo, this_binary: &Path) -> Result<Report> {
    let mut report = Report::default();
    let paths = HookPaths::locate(dir)?;
    let survey = managers::survey(dir, &paths)?;
    let config_hook = check_config_hook(&survey, &mut report);
    match &survey.manager {
        Some(found) => check_manager(found, &survey, &mut report),
        None if config_hook => {
            if paths.existing()? == Existing::Ours {
                let hook = paths.hook.display();
                report.add(Finding::fix(
                    HOOK,
                    format!("{hook} runs envguard as well as hook.envguard: every push runs it twice"),
                    "run `envguard install --config-hook`: it keeps hook.envguard and removes the hook file",
                ));
            }
        }
        None => check_hook(&paths, this_binary, &mut report)?,
    }
    check_head(repo, &mut report)?;
    Ok(report)
}

/// envguard as git's config-based hook; whether it is registered.
fn check_config_hook(survey: &Survey, report: &mut Report) -> bool {
    let Some(command) = survey.envguard_config_hook() else {
        return false;
    };
    let git = &survey.git_version_text;
    if survey.git_has_config_hooks() {
        report.add(Finding::ok(
            HOOK,
            format!(
                "hook.envguard (git config) runs `{command}` on every push; {git} runs config-based hooks"
            ),
        ));
        report.add(Finding::note(
            HOOK,
            "a git older than 2.54 (some GUI clients bundle one) ignores hook.envguard: pushes made with it are not checked",
        ));
    } else {
        report.add(Finding::fix(
            HOOK,
            format!(
                "hook.envguard is registered, but {git} ignores config-based hooks (they came with 2.54): pushes are not checked"
            ),
            "upgrade git, or run `envguard uninstall`, then `envguard install` for a hook file",
        ));
    }
    true
}

/// envguard under a hook manager: configured in it, or what to add where.
/// Every piece of advice keeps the push checked: none chains envguard's
/// hook under the manager, which would break it.
fn check_manager(found: &Found, survey: &Survey, report: &mut Report) {
    let manager = found.manager;
    let name = manager.name();
    let shown = &found.shown;
    let runs_renamed = manager.renamed_hook().is_some_and(|(_, runs)| runs);
    match found.configured {
        Configured::Yes if found.hook_installed => {
            report.add(Finding::ok(
                HOOK,
                format!(
                    "envguard runs from {shown} through {name}'s pre-push hook (to skip it once: `{}`)",
                    manager.bypass()
                ),
            ));
            if survey.envguard_config_hook().is_some() {
                report.add(Finding::fix(
                    HOOK,
                    format!("envguard runs twice on every push: from {shown} and as hook.envguard"),
                    "run `git config --local --remove-section hook.envguard`, or take it out of the manager's config",
                ));
            }
        }
        Configured::Yes => report.add(Finding::fix(
            HOOK,
            format!(
                "envguard is in {shown}, but {name}'s pre-push hook is not installed: pushes are not checked"
            ),
            format!("run `{}`", manager.install_command()),
        )),
        Configured::WithoutStdin => report.add(Finding::fix(
            HOOK,
            format!(
                "{shown} runs envguard without `use_stdin: true`: lefthook gives it no ref lines, so it checks nothing"
            ),
            "add `use_stdin: true` to its job (`envguard install` prints the job whole)",
        )),
        Configured::WithoutArguments => report.add(Finding::fix(
            HOOK,
            format!("{shown} runs `envguard pre-push` without git's arguments: every push stops"),
            format!("write the line as `{}`", HUSKY_LINE.trim_end()),
        )),
        Configured::Skippable => report.add(Finding::fix(
            HOOK,
            format!(
                "{shown} runs envguard as a `run:` job, which lefthook skips (\"no matching push files\") \
                 whenever the branch has nothing its own upstream lacks: `git push azure main` right \
                 after `git push origin main` goes unchecked"
            ),
            format!(
                "run `envguard install --manager` (a script job, for this clone); for every clone, \
                 change the job in {shown} as `envguard install` prints it"
            ),
        )),
        Configured::ScriptMissing => {
            let script = found
                .lefthook
                .as_ref()
                .and_then(|l| l.judged.script.clone())
                .unwrap_or_default();
            report.add(Finding::fix(
                HOOK,
                format!(
                    "{shown} runs envguard as the script {script}, which is in none of lefthook's script \
                     folders: lefthook fails every push"
                ),
                format!(
                    "run `envguard install --manager` (it writes {}/pre-push/{}, for this clone); for \
                     every clone, commit the script as `envguard install` prints it",
                    lefthook::SOURCE_DIR_LOCAL,
                    lefthook::SCRIPT_NAME
                ),
            ));
        }
        Configured::No => match &found.renamed {
            Some(renamed) if runs_renamed => {
                let renamed = renamed.display();
                report.add(Finding::ok(
                    HOOK,
                    format!("envguard's hook runs as {name}'s legacy hook {renamed}, first on every push"),
                ));
                report.add(Finding::note(
                    HOOK,
                    format!(
                        "`{name} install -f` deletes {renamed}; envguard in {shown} is sturdier (`envguard install` prints the snippet)"
                    ),
                ));
            }
            Some(renamed) => report.add(Finding::fix(
                HOOK,
                format!(
                    "{name} renamed envguard's hook to {}, which it never runs: pushes are not checked",
                    renamed.display()
                ),
                format!(
                    "add envguard's job to {shown} (`envguard install` prints it, `envguard install --manager` adds it), then `lefthook install`"
                ),
            )),
            None if found.chained_under_ours => {
                report.add(Finding::ok(
                    HOOK,
                    format!("envguard's hook runs, with {name}'s hook kept under it"),
                ));
                report.add(Finding::note(
                    HOOK,
                    format!(
                        "`{}` would move envguard's hook aside and run itself twice; envguard in {shown} is sturdier (`envguard install` prints the snippet)",
                        manager.install_command()
                    ),
                ));
            }
            None if survey.envguard_config_hook().is_some() => report.add(Finding::note(
                HOOK,
                format!("{name} manages pre-push here; envguard runs beside it as hook.envguard"),
            )),
            None => {
                let adds = if manager == Manager::Husky || manager == Manager::Lefthook {
                    ", `envguard install --manager` adds it"
                } else {
                    ""
                };
                report.add(Finding::fix(
                    HOOK,
                    format!(
                        "{name} manages pre-push here and {shown} does not run envguard: pushes are not checked"
                    ),
                    format!("add envguard to {shown} (`envguard install` prints the snippet{adds})"),
                ));
            }
        },
    }
    if let Some(judged) = found.lefthook.as_ref().map(|l| &l.judged) {
        if judged.configured == Configured::Yes && judged.copies > 1 {
            let script = judged.script.clone().unwrap_or_default();
            let copies = judged.copies;
            report.add(Finding::fix(
                HOOK,
                format!(
                    "lefthook finds {script} in {copies} of its script folders and runs it from each, so \
                     envguard runs {copies} times on every push"
                ),
                "keep one of the copies",
            ));
        }
    }
    if let (Configured::Yes, Some(renamed)) = (found.configured, &found.renamed) {
        let renamed = renamed.display();
        if runs_renamed {
            report.add(Finding::fix(
                HOOK,
                format!(
                    "envguard runs twice on every push: from {shown} and as {name}'s legacy hook {renamed}"
                ),
                "run `envguard install`: it removes the legacy copy",
            ));
        } else {
            report.add(Finding::note(
                HOOK,
                format!("envguard's old hook {renamed} never runs; `envguard install` removes it"),
            ));
        }
    }
}

fn check_hook(paths: &HookPaths, this_binary: &Path, report: &mut Report) -> Result<()> {
    if paths.custom {
        report.add(Finding::note(
            "hooks folder",
            hooks_folder(&paths.dir.display().to_string()),
        ));
    }
    let hook = paths.hook.display();
    let chained = paths.chained.display();
    match paths.existing()? {
        Existing::Nothing => report.add(Finding::fix(
            HOOK,
            format!("no pre-push hook at {hook}: pushes are not checked"),
            INSTALL,
        )),
        Existing::Foreign if paths.chained_exists() => report.add(Finding::fix(
            HOOK,
            format!(
                "{hook} is not envguard's (another tool rewrote it?), and {chained} keeps an earlier hook"
            ),
            format!("merge the two into {chained} by hand, then run `envguard install --force`"),
        )),
        Existing::Foreign => report.add(Finding::fix(
            HOOK,
            format!("{hook} is another hook, not envguard's: pushes are not checked"),
            format!("run `envguard install`: it keeps that hook as {CHAINED_NAME} and runs it first"),
        )),
        Existing::Ours => check_our_hook(paths, this_binary, report)?,
    }
    if paths.chained_exists() {
        if is_executable(&paths.chained) {
            report.add(Finding::ok(
                "kept hook",
                format!("{chained} runs first on every push, with the same arguments and input"),
            ));
        } else {
            report.add(Finding::note(
                "kept hook",
                format!(
                    "{chained} is not executable, so it does not run (nor would git run it in pre-push's place)"
                ),
            ));
        }
    }
    Ok(())
}

fn check_our_hook(paths: &HookPaths, this_binary: &Path, report: &mut Report) -> Result<()> {
    let hook = paths.hook.display();
    let script = String::from_utf8_lossy(&std::fs::read(&paths.hook)?).into_owned();
    if !is_executable(&paths.hook) {
        report.add(Finding::fix(
            HOOK,
            format!("{hook} is not executable: git skips it"),
            INSTALL,
        ));
    }
    if script.contains('\r') {
        report.add(Finding::fix(
            HOOK,
            format!(
                "{hook} has CRLF line endings: sh cannot run it (`/bin/sh^M: bad interpreter`)"
            ),
            INSTALL,
        ));
    }
    let Some(recorded) = hookfile::recorded_binary(&script) else {
        report.add(Finding::fix(
            HOOK,
            format!("{hook} is envguard's but records no binary"),
            INSTALL,
        ));
        return Ok(());
    };
    let shown = recorded.display();
    if !is_executable(&recorded) {
        report.add(match find_on_path("envguard") {
            Some(found) => Finding::fix(
                HOOK,
                format!(
                    "{hook} runs {shown}, which is missing; it falls back to {} on PATH, which GUI git clients do not see",
                    found.display()
                ),
                format!("run `{} install` to record it", found.display()),
            ),
            None => Finding::fix(
                HOOK,
                format!(
                    "{hook} runs {shown}, which is missing, and no envguard is on PATH: every push stops"
                ),
                "reinstall envguard with install.sh (or run `envguard install` with the binary you keep)",
            ),
        });
        return Ok(());
    }
    if hookfile::resolved(&recorded) == hookfile::resolved(this_binary) {
        report.add(Finding::ok(
            HOOK,
            format!("{hook} is envguard's and runs {shown} (this binary)"),
        ));
        // Only this binary's own template is known here: a hook another
        // envguard wrote may differ and still be right for that binary.
        if script != hookfile::hook_script(&recorded) {
            report.add(Finding::fix(
                HOOK,
                "the hook script is from another envguard version",
                "run `envguard install` to update it",
            ));
        }
    } else {
        report.add(Finding::note(
            HOOK,
            format!(
                "{hook} is envguard's and runs {shown}, not this binary ({})",
                this_binary.display()
            ),
        ));
    }
    Ok(())
}

fn check_head(repo: &Repo, report: &mut Report) -> Result<()> {
    let Some(head) = repo.head_commit()? else {
        report.add(Finding::note(
            "HEAD",
            "no commits yet: the config, baseline and server script are checked from the first commit on",
        ));
        check_remotes(repo, &Config::from_files(None, None)?, report);
        return Ok(());
    };
    let opened = repo
        .reader(&head)
        .and_then(|mut read| Ok((Config::read(&mut read)?, read)));
    let (config, mut read) = match opened {
        Ok(opened) => opened,
        Err(err) => {
            report.add(Finding::fix(
                "config",
                crate::repo::describe(&err),
                format!("fix {CONFIG_PATH} and commit it: until then every push stops with exit 2"),
            ));
            return Ok(());
        }
    };
    let settings = if read(CONFIG_PATH)?.is_some() {
        format!("{CONFIG_PATH} in HEAD")
    } else {
        "defaults (no envguard.toml in HEAD)".to_string()
    };
    report.add(Finding::ok(
        "config",
        format!(
            "{settings}: requirements {}, runtime {}, target {}",
            config.requirements, config.runtime, config.target
        ),
    ));
    if read(&config.requirements)?.is_none() {
        report.add(Finding::fix(
            "config",
            format!("HEAD has no {}: envguard has nothing to compare", config.requirements),
            format!(
                "set `requirements` in {CONFIG_PATH}, or `project = <dir>` in {DEPLOYMENT_PATH} for an app in a subfolder"
            ),
        ));
    }
    if read(&config.runtime)?.is_none() {
        let runtime = &config.runtime;
        report.add(match &config.python {
            Some(python) => Finding::ok(
                "python",
                format!(
                    "no {runtime} in HEAD; {CONFIG_PATH} says the site runs Python {}: markers are judged for it",
                    python.python_version()
                ),
            ),
            None => Finding::note(
                "python",
                format!(
                    "no {runtime} in HEAD and no `python` in {CONFIG_PATH}: envguard does not know the site's Python, \
                     so it judges environment markers for each Python 3.{} to 3.{} on its own, and a package \
                     dropped on any of them counts as removed",
                    CANDIDATE_MINORS.start(),
                    CANDIDATE_MINORS.end()
                ),
            )
            .advising(format!(
                "state the Python the site runs (the portal's runtime setting) in {CONFIG_PATH}: python = \"3.12\""
            )),
        });
    }
    let has_fingerprint = read(FINGERPRINT_PATH)?.is_some();
    for remote in check_remotes(repo, &config, report) {
        check_baseline(repo, &config, &remote, has_fingerprint, report);
    }
    report.add(layers(&config));
    check_server_script(repo, &config, &mut read, report)
}

/// What each of envguard's two layers does; envguard.toml's `keep` too.
fn layers(config: &Config) -> Finding {
    let mut text = "envguard works in two layers. The hook schedules a clean when a push removes a package, \
                    and commits the proof (.envguard/force-clean and .envguard/fingerprint.toml) into history. \
                    The server checks every deployment for what slipped past it (a push with --no-verify, a \
                    teammate without the hook, a dependency an upgrade orphaned) and prunes it in place \
                    (falling back to rebuilding the environment once)"
        .to_string();
    if !config.keep.is_empty() {
        let keep: Vec<String> = config.keep.iter().map(ToString::to_string).collect();
        text.push_str(&format!(
            "; envguard.toml's `keep` ({}) is never counted as left over",
            keep.join(", ")
        ));
    }
    Finding::note("layers", text)
}

/// Reports each remote; returns the names of those that deploy.
fn check_remotes(repo: &Repo, config: &Config, report: &mut Report) -> Vec<String> {
    let mut deploying = Vec::new();
    let mut others = Vec::new();
    for (name, url) in repo.remotes() {
        if config.matches_remote(&name, &url) {
            report.add(Finding::ok(
                format!("remote {name}"),
                format!(
                    "{url} deploys; pushes to its branches {} are checked",
                    config.branches.join(", ")
                ),
            ));
            deploying.push(name);
        } else {
            others.push(name);
        }
    }
    if !others.is_empty() {
        let (verb, them) = match others.len() {
            1 => ("does", "it"),
            _ => ("do", "them"),
        };
        report.add(Finding::note(
            "other remotes",
            format!(
                "{} {verb} not deploy: pushes to {them} pass unchecked",
                others.join(", ")
            ),
        ));
    }
    if deploying.is_empty() {
        report.add(Finding::fix(
            "remotes",
            "no remote deploys: envguard acts on a remote named azure or with an Azure scm URL",
            format!(
                "`git remote add azure https://<app>.scm.azurewebsites.net/<app>.git`, or list your remote in `remotes` in {CONFIG_PATH}"
            ),
        ));
    }
    deploying
}

/// Where the baseline of `git push <remote> <HEAD's branch>` would come
/// from (docs/removals.md, "What is compared with what"), judged from the
/// remote-tracking refs.
fn check_baseline(
    repo: &Repo,
    config: &Config,
    remote: &str,
    has_fingerprint: bool,
    report: &mut Report,
) {
    let topic = format!("baseline {remote}");
    let head = repo.local_ref("HEAD");
    let head_branch = head.branch_name().map(str::to_string);
    // The branch a push of HEAD's branch deploys to (push_target): `main`
    // pushed as `main:master` where the site deploys master.
    let target = head_branch
        .as_deref()
        .map(|local| push_target::of(repo, remote, local, &config.branches));
    let Some((branch, push)) = target
        .filter(|t| config.branches.contains(&t.branch))
        .map(|t| (t.branch.clone(), t.command()))
    else {
        let pushes: Vec<String> = config
            .branches
            .iter()
            .map(|b| format!("{remote} {b}"))
            .collect();
        report.add(Finding::note(
            topic,
            format!(
                "HEAD is on {}, which does not deploy; a push of it to {} is checked",
                head_branch.as_deref().unwrap_or("a detached HEAD"),
                pushes.join(" or ")
            ),
        ));
        return;
    };
    let unreadable = |why: String| {
        Finding::fix(
            format!("baseline {remote}"),
            why,
            "run `git fsck` and repair the repository",
        )
    };
    let own = match repo.tracking_ref(remote, &branch) {
        Ok(own) => own.map(|(_, oid)| oid),
        Err(err) => return report.add(unreadable(err.to_string())),
    };
    let facts = Push {
        remote,
        branch: &branch,
        remote_commit: own,
        fingerprint: has_fingerprint.then_some(&[][..]),
    };
    let facts = match baseline_facts(repo, config, &facts) {
        Ok(facts) => facts,
        Err(err) => return report.add(unreadable(crate::repo::describe(&err))),
    };
    let push = format!("`{push}`");
    report.add(match decide::choose_baseline(&facts) {
        BaselineChoice::Use(BaselineSource::RemoteCommit(commit))
        | BaselineChoice::FetchFirst(commit) => Finding::ok(
            topic,
            format!(
                "{push} is compared with refs/remotes/{remote}/{branch} ({}), as last fetched or pushed",
                commit.short()
            ),
        ),
        BaselineChoice::Use(BaselineSource::OtherBranch { refname, commit }) => Finding::ok(
            topic,
            format!(
                "{remote} has no {branch} here yet: {push} is compared with {refname} ({})",
                commit.short()
            ),
        ),
        BaselineChoice::Use(BaselineSource::Fingerprint) => Finding::ok(
            topic,
            format!(
                "{remote} has no {branch} here yet: {push} is compared with HEAD's {FINGERPRINT_PATH}"
            ),
        ),
        BaselineChoice::Use(BaselineSource::None) => Finding::note(
            topic,
            format!(
                "no refs/remotes/{remote}/{branch} here: {push} is a first deployment and passes; \
                 if {remote} already has {branch}, run `git fetch {remote}` first"
            ),
        ),
    });
}

fn check_server_script(
    repo: &Repo,
    config: &Config,
    read: &mut impl FnMut(&str) -> Result<Option<Vec<u8>>, ReaderError>,
    report: &mut Report,
) -> Result<()> {
    let in_worktree = |path: &str| repo.workdir().is_some_and(|dir| dir.join(path).exists());
    // What makes a missing file right: commit the one in the working
    // tree, or let `init` write it.
    let remedy = |path: &str| {
        if in_worktree(path) {
            format!("commit {path}")
        } else {
            "run `envguard init`, then commit what it writes".to_string()
        }
    };
    let deployment = read(DEPLOYMENT_PATH)?;
    let parsed = Deployment::parse(deployment.as_deref().unwrap_or_default())?;
    let path = parsed.path(config.target);
    let ours = match path {
        DeployPath::Envguard(platform) => Some(platform),
        _ => None,
    };
    let command = match &path {
        DeployPath::Oryx | DeployPath::NoBuild => {
            report.add(Finding::note("deployment", Deploys(&path).to_string()));
            return Ok(());
        }
        DeployPath::KuduWindows => {
            let fix = if deployment.is_some() {
                "run `envguard init --target windows`: it adds the command and keeps your other keys"
                    .to_string()
            } else {
                remedy(DEPLOYMENT_PATH)
            };
            report.add(Finding::fix("deployment", Deploys(&path).to_string(), fix));
            return Ok(());
        }
        DeployPath::Envguard(_) | DeployPath::Custom(_) => {
            report.add(Finding::ok("deployment", Deploys(&path).to_string()));
            parsed.command.unwrap_or_default()
        }
    };
    let topic = "server script";
    let Some(script) = script_of(&command) else {
        report.add(Finding::note(
            topic,
            format!(
                "{DEPLOYMENT_PATH} runs `{command}`; envguard cannot tell whether that honours the marker"
            ),
        ));
        return Ok(());
    };
    let bytes = match read(&script)? {
        None => {
            report.add(Finding::fix(
                topic,
                format!("{DEPLOYMENT_PATH} runs {script}, which HEAD does not have"),
                remedy(&script),
            ));
            return Ok(());
        }
        Some(bytes) if !contains(&bytes, TOKEN_FILE.as_bytes()) => {
            report.add(Finding::fix(
                topic,
                format!(
                    "{script} (run by {DEPLOYMENT_PATH}) does not honour the force-clean marker: it has no {ENV_TOKEN_FILE} step"
                ),
                "run `envguard init --force` to replace it with envguard's, then carry over your own steps",
            ));
            return Ok(());
        }
        Some(bytes) => bytes,
    };
    report.add(Finding::ok(
        topic,
        format!("{script} (run by {DEPLOYMENT_PATH}) honours the force-clean marker"),
    ));
    if let Some(platform) = ours {
        check_script_copy(&script, &bytes, platform, report);
    }
    check_line_endings(&script, &bytes, read, report)?;
    check_checker(&script, read, report)
}

/// Whether the committed script is this version's: an unedited copy of
/// another version (init updates it), or edited, or too old to tell (init
/// keeps those). Line endings are `check_line_endings`' business.
fn check_script_copy(script: &str, bytes: &[u8], platform: Platform, report: &mut Report) {
    let (_, current, _) = init::script(platform);
    let lf = |b: &[u8]| String::from_utf8_lossy(b).replace("\r\n", "\n");
    if lf(bytes) == lf(current.as_bytes()) {
        return;
    }
    let text = match shipped::examine(bytes) {
        Copy::Unedited => format!(
            "{script} is an unedited copy of another envguard version's: `envguard init` updates it \
             to this version's"
        ),
        Copy::Edited => format!(
            "{script} is envguard's, edited since envguard wrote it: `envguard init` keeps your edits, \
             so it gets no changes of later versions (`envguard init --force`, then `git diff {script}`, \
             shows them)"
        ),
        Copy::Unstamped => format!(
            "{script} is envguard's but has no digest line (an older envguard wrote it, or it was \
             edited): `envguard init` keeps it; `envguard init --force` replaces it with this version's \
             (`git diff {script}` then shows what changed)"
        ),
    };
    report.add(Finding::note("server script", text));
}

/// The committed bytes of the script are what the server runs: `deploy.cmd`
/// needs CRLF (cmd misreads labels in LF files), `deploy.sh` LF (bash
/// reads a CR as part of each command). `.gitattributes` keeps them so in
/// every checkout.
fn check_line_endings(
    script: &str,
    bytes: &[u8],
    read: &mut impl FnMut(&str) -> Result<Option<Vec<u8>>, ReaderError>,
    report: &mut Report,
) -> Result<()> {
    let lower = script.to_ascii_lowercase();
    // The line endings a platform's script needs, and what the wrong ones do.
    let (platform, needs, wrong) = if lower.ends_with(".cmd") || lower.ends_with(".bat") {
        (
            Platform::Windows,
            "CRLF",
            "has lines ending in LF alone, which cmd misreads",
        )
    } else if lower.ends_with(".sh") {
        (
            Platform::Linux,
            "LF",
            "has CRLF line endings, which bash misreads",
        )
    } else {
        return Ok(());
    };
    let topic = "line endings";
    if !has_platform_endings(platform, bytes) {
        report.add(Finding::fix(
            topic,
            format!("{script} as committed in HEAD {wrong}"),
            format!(
                "run `envguard init` (it rewrites {script} with {needs} and adds a {ATTRIBUTES_PATH} rule that keeps them), \
                 then `git add --renormalize {script} {ATTRIBUTES_PATH}` and commit"
            ),
        ));
        return Ok(());
    }
    let rule = attributes_rule(script);
    let attributes = read(ATTRIBUTES_PATH)?.unwrap_or_default();
    let kept = String::from_utf8_lossy(&attributes)
        .lines()
        .any(|line| line.trim() == rule);
    report.add(if kept {
        Finding::ok(
            topic,
            format!(
                "{script} is committed with {needs} line endings, and {ATTRIBUTES_PATH}'s `{rule}` keeps them in every checkout"
            ),
        )
    } else {
        Finding::note(
            topic,
            format!(
                "{script} is committed with {needs} line endings, but HEAD's {ATTRIBUTES_PATH} has no `{rule}`: \
                 a checkout with `text`/`eol` attributes or core.autocrlf may convert them; `envguard init` adds the rule"
            ),
        )
    });
    Ok(())
}

/// The server's own check, the second layer: `envguard_check.py` beside
/// the script.
fn check_checker(
    script: &str,
    read: &mut impl FnMut(&str) -> Result<Option<Vec<u8>>, ReaderError>,
    report: &mut Report,
) -> Result<()> {
    let dir = script.rsplit_once('/').map_or("", |(dir, _)| dir);
    let checker = if dir.is_empty() {
        CHECKER_NAME.to_string()
    } else {
        format!("{dir}/{CHECKER_NAME}")
    };
    let topic = "server check";
    report.add(if read(&checker)?.is_some() {
        Finding::ok(
            topic,
            format!(
                "{checker} is beside {script}: every deployment checks the environment for leftovers"
            ),
        )
    } else {
        Finding::fix(
            topic,
            format!(
                "HEAD has no {checker} beside {script}: the server cannot check for leftovers that slipped past the hook"
            ),
            "run `envguard init` (it copies envguard_check.py), then commit it",
        )
    });
    Ok(())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// The first `name` on PATH that can run, as the hook's fallback finds it.
fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| is_executable(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixes_decide_the_verdict() {
        let mut report = Report::default();
        report.add(Finding::note("HEAD", "no commits yet"));
        let mut out = Vec::new();
        report.render(&mut out).unwrap();
        assert_eq!(report.to_fix(), 0);
        assert!(String::from_utf8(out)
            .unwrap()
            .ends_with("\nAll in place.\n"));
        report.add(Finding::fix(
            HOOK,
            "the hook script is from another envguard version",
            "run `envguard install` to update it",
        ));
        let mut out = Vec::new();
        report.render(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains(
                "FIX   hook: the hook script is from another envguard version\n      -> run `envguard install` to update it\n"
            ),
            "{text}"
        );
        assert!(text.ends_with("\n1 thing to fix.\n"));
        report.add(Finding::fix("remotes", "no remote deploys", "add one"));
        let mut out = Vec::new();
        report.render(&mut out).unwrap();
        assert!(String::from_utf8(out)
            .unwrap()
            .ends_with("\n2 things to fix.\n"));
    }

    #[test]
    fn the_json_has_four_fields_a_finding_and_the_count() {
        let report = Report {
            findings: vec![Finding::note("python", "no runtime.txt").advising("state it")],
        };
        let mut out = Vec::new();
        report.render_json(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"findings\":[{\"level\":\"note\",\"topic\":\"python\",\"text\":\"no runtime.txt\",\"fix\":\"state it\"}],\"to_fix\":0}\n"
        );
    }
}
