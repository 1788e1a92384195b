//! `envguard doctor`: is everything in place for envguard to guard a push,
//! and if not, what to fix.
//!
//! It looks, in order, at the hook (installed, executable, LF, the binary it
//! records), the kept hook, the config HEAD carries, the remotes that would
//! deploy, where the baseline of a push of HEAD would come from, and the
//! server script that must honour the marker. Each look gives a [`Finding`];
//! a finding of level [`Level::Fix`] makes the command exit 1. It reads and
//! never writes, and never contacts a remote: the baseline is what the
//! remote-tracking refs say, which `git fetch` keeps current.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::facts::{baseline_facts, Push};
use crate::install::{self, Existing, HookPaths};
use crate::managers::{self, Found, Survey};
use crate::repo::Repo;
use envguard_core::config::{Config, CONFIG_PATH};
use envguard_core::decide::{self, BaselineChoice, BaselineSource};
use envguard_core::deployment::{
    attributes_rule, has_platform_endings, script_of, DeployPath, Deployment, DEPLOYMENT_PATH,
};
use envguard_core::managers::{self as managers_rules, Configured, Manager};
use envguard_core::message::Message;
use envguard_core::platform::{Platform, CANDIDATE_MINORS};
use serde::Serialize;

use crate::init::{ATTRIBUTES_PATH, CHECKER_NAME};
use envguard_core::token::{ENV_TOKEN_FILE, FINGERPRINT_PATH};

/// The text a server script must contain to honour the marker: the file it
/// keeps the last honoured token in (SPEC, the server side, step 2).
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

/// One thing the doctor looked at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub level: Level,
    /// What was looked at: `hook`, `remote azure`, `server script`, …
    pub topic: String,
    pub text: String,
    /// What to do about it, for [`Level::Fix`] (and some notes).
    pub fix: Option<String>,
}

/// Everything the doctor found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    fn add(&mut self, level: Level, topic: impl Into<String>, text: impl Into<String>) {
        self.findings.push(Finding {
            level,
            topic: topic.into(),
            text: text.into(),
            fix: None,
        });
    }

    fn fix(&mut self, topic: impl Into<String>, text: impl Into<String>, fix: impl Into<String>) {
        self.findings.push(Finding {
            level: Level::Fix,
            topic: topic.into(),
            text: text.into(),
            fix: Some(fix.into()),
        });
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
            let level = match finding.level {
                Level::Ok => "ok",
                Level::Note => "note",
                Level::Fix => "FIX",
            };
            writeln!(out, "{level:<5} {}: {}", finding.topic, finding.text)?;
            if let Some(fix) = &finding.fix {
                writeln!(out, "      -> {fix}")?;
            }
        }
        match self.to_fix() {
            0 => writeln!(out, "\nAll in place."),
            1 => writeln!(out, "\n1 thing to fix."),
            n => writeln!(out, "\n{n} things to fix."),
        }
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
                report.fix(
                    "hook",
                    format!("{} runs envguard as well as hook.envguard: every push runs it twice", paths.hook.display()),
                    "run `envguard install --config-hook`: it keeps hook.envguard and removes the hook file",
                );
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
        report.add(
            Level::Ok,
            "hook",
            format!("hook.envguard (git config) runs `{command}` on every push; {git} runs config-based hooks"),
        );
        report.add(
            Level::Note,
            "hook",
            "a git older than 2.54 (some GUI clients bundle one) ignores hook.envguard: pushes made with it are not checked",
        );
    } else {
        report.fix(
            "hook",
            format!("hook.envguard is registered, but {git} ignores config-based hooks (they came with 2.54): pushes are not checked"),
            "upgrade git, or run `envguard uninstall`, then `envguard install` for a hook file",
        );
    }
    true
}

/// envguard under a hook manager: configured in it, or what to add where.
/// Every piece of advice keeps the push checked: none chains envguard's
/// hook under the manager, which would break it.
fn check_manager(found: &Found, survey: &Survey, report: &mut Report) {
    let name = found.manager.name();
    let shown = &found.shown;
    let runs_renamed = found.manager.renamed_hook().is_some_and(|(_, runs)| runs);
    match found.configured {
        Configured::Yes if found.hook_installed => {
            report.add(
                Level::Ok,
                "hook",
                format!(
                    "envguard runs from {shown} through {name}'s pre-push hook (to skip it once: `{}`)",
                    found.manager.bypass()
                ),
            );
            if survey.envguard_config_hook().is_some() {
                report.fix(
                    "hook",
                    format!("envguard runs twice on every push: from {shown} and as hook.envguard"),
                    "run `git config --local --remove-section hook.envguard`, or take it out of the manager's config",
                );
            }
        }
        Configured::Yes => report.fix(
            "hook",
            format!("envguard is in {shown}, but {name}'s pre-push hook is not installed: pushes are not checked"),
            format!("run `{}`", found.manager.install_command()),
        ),
        Configured::WithoutStdin => report.fix(
            "hook",
            format!("{shown} runs envguard without `use_stdin: true`: lefthook gives it no ref lines, so it checks nothing"),
            "add `use_stdin: true` to its job (`envguard install` prints the job whole)",
        ),
        Configured::WithoutArguments => report.fix(
            "hook",
            format!("{shown} runs `envguard pre-push` without git's arguments: every push stops"),
            format!("write the line as `{}`", managers_rules::HUSKY_LINE.trim_end()),
        ),
        Configured::No => match &found.renamed {
            Some(renamed) if runs_renamed => {
                report.add(
                    Level::Ok,
                    "hook",
                    format!("envguard's hook runs as {name}'s legacy hook {}, first on every push", renamed.display()),
                );
                report.add(
                    Level::Note,
                    "hook",
                    format!("`{name} install -f` deletes {}; envguard in {shown} is sturdier (`envguard install` prints the snippet)", renamed.display()),
                );
            }
            Some(renamed) => report.fix(
                "hook",
                format!("{name} renamed envguard's hook to {}, which it never runs: pushes are not checked", renamed.display()),
                format!("add envguard's job to {shown} (`envguard install` prints it, `envguard install --manager` adds it), then `lefthook install`"),
            ),
            None if found.chained_under_ours => {
                report.add(
                    Level::Ok,
                    "hook",
                    format!("envguard's hook runs, with {name}'s hook kept under it"),
                );
                report.add(
                    Level::Note,
                    "hook",
                    format!("`{}` would move envguard's hook aside and run itself twice; envguard in {shown} is sturdier (`envguard install` prints the snippet)", found.manager.install_command()),
                );
            }
            None if survey.envguard_config_hook().is_some() => report.add(
                Level::Note,
                "hook",
                format!("{name} manages pre-push here; envguard runs beside it as hook.envguard"),
            ),
            None => {
                let adds = if found.manager == Manager::Husky || found.manager == Manager::Lefthook {
                    ", `envguard install --manager` adds it"
                } else {
                    ""
                };
                report.fix(
                    "hook",
                    format!("{name} manages pre-push here and {shown} does not run envguard: pushes are not checked"),
                    format!("add envguard to {shown} (`envguard install` prints the snippet{adds})"),
                );
            }
        },
    }
    if let (Configured::Yes, Some(renamed)) = (found.configured, &found.renamed) {
        if runs_renamed {
            report.fix(
                "hook",
                format!("envguard runs twice on every push: from {shown} and as {name}'s legacy hook {}", renamed.display()),
                "run `envguard install`: it removes the legacy copy",
            );
        } else {
            report.add(
                Level::Note,
                "hook",
                format!(
                    "envguard's old hook {} never runs; `envguard install` removes it",
                    renamed.display()
                ),
            );
        }
    }
}

fn check_hook(paths: &HookPaths, this_binary: &Path, report: &mut Report) -> Result<()> {
    if let Some(note) = paths.custom_note() {
        report.add(Level::Note, "hooks folder", note);
    }
    let hook = paths.hook.display();
    let chained = paths.chained.display();
    match paths.existing()? {
        Existing::Nothing => report.fix(
            "hook",
            format!("no pre-push hook at {hook}: pushes are not checked"),
            "run `envguard install`",
        ),
        Existing::Foreign if paths.chained_exists() => report.fix(
            "hook",
            format!("{hook} is not envguard's (another tool rewrote it?), and {chained} keeps an earlier hook"),
            format!("merge the two into {chained} by hand, then run `envguard install --force`"),
        ),
        Existing::Foreign => report.fix(
            "hook",
            format!("{hook} is another hook, not envguard's: pushes are not checked"),
            format!("run `envguard install`: it keeps that hook as {} and runs it first", install::CHAINED_NAME),
        ),
        Existing::Ours => check_our_hook(paths, this_binary, report)?,
    }
    if paths.chained_exists() {
        if is_executable(&paths.chained) {
            report.add(
                Level::Ok,
                "kept hook",
                format!("{chained} runs first on every push, with the same arguments and input"),
            );
        } else {
            report.add(
                Level::Note,
                "kept hook",
                format!("{chained} is not executable, so it does not run (nor would git run it in pre-push's place)"),
            );
        }
    }
    Ok(())
}

fn check_our_hook(paths: &HookPaths, this_binary: &Path, report: &mut Report) -> Result<()> {
    let hook = paths.hook.display();
    let script = String::from_utf8_lossy(&std::fs::read(&paths.hook)?).into_owned();
    if !is_executable(&paths.hook) {
        report.fix(
            "hook",
            format!("{hook} is not executable: git skips it"),
            "run `envguard install`",
        );
    }
    if script.contains('\r') {
        report.fix(
            "hook",
            format!(
                "{hook} has CRLF line endings: sh cannot run it (`/bin/sh^M: bad interpreter`)"
            ),
            "run `envguard install`",
        );
    }
    let Some(recorded) = install::recorded_binary(&script) else {
        report.fix(
            "hook",
            format!("{hook} is envguard's but records no binary"),
            "run `envguard install`",
        );
        return Ok(());
    };
    let shown = recorded.display();
    if !is_executable(&recorded) {
        let (text, fix) = match find_on_path("envguard") {
            Some(found) => (
                format!(
                    "{hook} runs {shown}, which is missing; it falls back to {} on PATH, which GUI git clients do not see",
                    found.display()
                ),
                format!("run `{} install` to record it", found.display()),
            ),
            None => (
                format!("{hook} runs {shown}, which is missing, and no envguard is on PATH: every push stops"),
                "reinstall envguard with install.sh (or run `envguard install` with the binary you keep)"
                    .to_string(),
            ),
        };
        report.fix("hook", text, fix);
        return Ok(());
    }
    if install::resolved(&recorded) == install::resolved(this_binary) {
        report.add(
            Level::Ok,
            "hook",
            format!("{hook} is envguard's and runs {shown} (this binary)"),
        );
        // Only this binary's own template is known here: a hook another
        // envguard wrote may differ and still be right for that binary.
        if script != install::hook_script(&recorded) {
            report.fix(
                "hook",
                "the hook script is from another envguard version",
                "run `envguard install` to update it",
            );
        }
    } else {
        report.add(
            Level::Note,
            "hook",
            format!(
                "{hook} is envguard's and runs {shown}, not this binary ({})",
                this_binary.display()
            ),
        );
    }
    Ok(())
}

fn check_head(repo: &Repo, report: &mut Report) -> Result<()> {
    let Some(head) = repo.head_commit()? else {
        report.add(
            Level::Note,
            "HEAD",
            "no commits yet: the config, baseline and server script are checked from the first commit on",
        );
        check_remotes(repo, &Config::from_files(None, None)?, report);
        return Ok(());
    };
    let opened = repo
        .reader(&head)
        .and_then(|mut read| Ok((Config::read(&mut read)?, read)));
    let (config, mut read) = match opened {
        Ok(opened) => opened,
        Err(err) => {
            report.fix(
                "config",
                format!("{err:#}"),
                format!("fix {CONFIG_PATH} and commit it: until then every push stops with exit 2"),
            );
            return Ok(());
        }
    };
    let source = if read(CONFIG_PATH)?.is_some() {
        format!("{CONFIG_PATH} in HEAD")
    } else {
        "defaults (no envguard.toml in HEAD)".to_string()
    };
    report.add(
        Level::Ok,
        "config",
        format!(
            "{source}: requirements {}, runtime {}, target {}",
            config.requirements, config.runtime, config.target
        ),
    );
    if read(&config.requirements)?.is_none() {
        report.fix(
            "config",
            format!(
                "HEAD has no {}: envguard has nothing to compare",
                config.requirements
            ),
            format!(
                "set `requirements` in {CONFIG_PATH}, or `project = <dir>` in {DEPLOYMENT_PATH} for an app in a subfolder"
            ),
        );
    }
    if read(&config.runtime)?.is_none() {
        match &config.python {
            Some(python) => report.add(
                Level::Ok,
                "python",
                format!(
                    "no {} in HEAD; {CONFIG_PATH} says the site runs Python {}: markers are judged for it",
                    config.runtime,
                    python.python_version()
                ),
            ),
            None => report.findings.push(Finding {
                level: Level::Note,
                topic: "python".to_string(),
                text: format!(
                    "no {} in HEAD and no `python` in {CONFIG_PATH}: envguard does not know the site's Python, \
                     so it judges environment markers for each Python 3.{} to 3.{} on its own, and a package \
                     dropped on any of them counts as removed",
                    config.runtime,
                    CANDIDATE_MINORS.start(),
                    CANDIDATE_MINORS.end()
                ),
                fix: Some(format!(
                    "state the Python the site runs (the portal's runtime setting) in {CONFIG_PATH}: python = \"3.12\""
                )),
            }),
        }
    }
    let has_fingerprint = read(FINGERPRINT_PATH)?.is_some();
    for remote in check_remotes(repo, &config, report) {
        check_baseline(repo, &config, &remote, has_fingerprint, report);
    }
    explain_layers(&config, report);
    check_server_script(repo, &config, &mut read, report)
}

/// Reports each remote; returns the names of those that deploy.
fn check_remotes(repo: &Repo, config: &Config, report: &mut Report) -> Vec<String> {
    let mut deploying = Vec::new();
    let mut others = Vec::new();
    for (name, url) in repo.remotes() {
        if config.matches_remote(&name, &url) {
            report.add(
                Level::Ok,
                format!("remote {name}"),
                format!(
                    "{url} deploys; pushes to its branches {} are checked",
                    config.branches.join(", ")
                ),
            );
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
        report.add(
            Level::Note,
            "other remotes",
            format!(
                "{} {verb} not deploy: pushes to {them} pass unchecked",
                others.join(", ")
            ),
        );
    }
    if deploying.is_empty() {
        report.fix(
            "remotes",
            "no remote deploys: envguard acts on a remote named azure or with an Azure scm URL",
            format!(
                "`git remote add azure https://<app>.scm.azurewebsites.net/<app>.git`, or list your remote in `remotes` in {CONFIG_PATH}"
            ),
        );
    }
    deploying
}

/// Where the baseline of `git push <remote> <HEAD's branch>` would come
/// from (SPEC rule 2), judged from the remote-tracking refs.
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
    let Some(branch) = head_branch.clone().filter(|b| config.branches.contains(b)) else {
        let on = head_branch.unwrap_or_else(|| "a detached HEAD".to_string());
        report.add(
            Level::Note,
            topic,
            format!(
                "HEAD is on {on}, which does not deploy; a push of it to {} is checked",
                config
                    .branches
                    .iter()
                    .map(|b| format!("{remote} {b}"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        );
        return;
    };
    let own = match repo.tracking_ref(remote, &branch) {
        Ok(own) => own.map(|(_, oid)| oid),
        Err(err) => {
            return report.fix(
                topic,
                err.to_string(),
                "run `git fsck` and repair the repository",
            )
        }
    };
    let push = Push {
        remote,
        branch: &branch,
        remote_commit: own,
        fingerprint: has_fingerprint.then_some(&[][..]),
    };
    let facts = match baseline_facts(repo, config, &push) {
        Ok(facts) => facts,
        Err(err) => {
            return report.fix(
                topic,
                format!("{err:#}"),
                "run `git fsck` and repair the repository",
            )
        }
    };
    let push = format!("`git push {remote} {branch}`");
    let (level, text) = match decide::choose_baseline(&facts) {
        BaselineChoice::Use(BaselineSource::RemoteCommit(commit)) | BaselineChoice::FetchFirst(commit) => (
            Level::Ok,
            format!(
                "{push} is compared with refs/remotes/{remote}/{branch} ({}), as last fetched or pushed",
                commit.short()
            ),
        ),
        BaselineChoice::Use(BaselineSource::OtherBranch { refname, commit }) => (
            Level::Ok,
            format!(
                "{remote} has no {branch} here yet: {push} is compared with {refname} ({})",
                commit.short()
            ),
        ),
        BaselineChoice::Use(BaselineSource::Fingerprint) => (
            Level::Ok,
            format!("{remote} has no {branch} here yet: {push} is compared with HEAD's {FINGERPRINT_PATH}"),
        ),
        BaselineChoice::Use(BaselineSource::None) => (
            Level::Note,
            format!(
                "no refs/remotes/{remote}/{branch} here: {push} is a first deployment and passes; \
                 if {remote} already has {branch}, run `git fetch {remote}` first"
            ),
        ),
    };
    report.add(level, topic, text);
}

fn check_server_script(
    repo: &Repo,
    config: &Config,
    read: &mut impl FnMut(&str) -> Result<Option<Vec<u8>>>,
    report: &mut Report,
) -> Result<()> {
    let topic = "server script";
    let in_worktree = |path: &str| repo.workdir().is_some_and(|dir| dir.join(path).exists());
    let uncommitted = |path: &str| {
        if in_worktree(path) {
            format!("commit {path}")
        } else {
            "run `envguard init`, then commit what it writes".to_string()
        }
    };
    let deployment = read(DEPLOYMENT_PATH)?;
    let parsed = Deployment::parse(deployment.as_deref().unwrap_or_default());
    let path = parsed.path(config.target);
    let says = Message::Deploys { path: path.clone() }.to_string();
    let command = match path {
        DeployPath::Oryx | DeployPath::NoBuild => {
            report.add(Level::Note, "deployment", says);
            return Ok(());
        }
        DeployPath::KuduWindows => {
            report.fix(
                "deployment",
                says,
                if deployment.is_some() {
                    "run `envguard init --target windows`: it adds the command and keeps your other keys"
                        .to_string()
                } else {
                    uncommitted(DEPLOYMENT_PATH)
                },
            );
            return Ok(());
        }
        DeployPath::Envguard(_) | DeployPath::Custom(_) => {
            report.add(Level::Ok, "deployment", says);
            parsed.command.unwrap_or_default()
        }
    };
    let Some(script) = script_of(&command) else {
        report.add(
            Level::Note,
            topic,
            format!("{DEPLOYMENT_PATH} runs `{command}`; envguard cannot tell whether that honours the marker"),
        );
        return Ok(());
    };
    let bytes = match read(&script)? {
        None => {
            report.fix(
                topic,
                format!("{DEPLOYMENT_PATH} runs {script}, which HEAD does not have"),
                uncommitted(&script),
            );
            return Ok(());
        }
        Some(bytes) if !contains(&bytes, TOKEN_FILE.as_bytes()) => {
            report.fix(
                topic,
                format!("{script} (run by {DEPLOYMENT_PATH}) does not honour the force-clean marker: it has no {TOKEN_FILE} step"),
                "run `envguard init --force` to replace it with envguard's, then carry over your own steps",
            );
            return Ok(());
        }
        Some(bytes) => bytes,
    };
    report.add(
        Level::Ok,
        topic,
        format!("{script} (run by {DEPLOYMENT_PATH}) honours the force-clean marker"),
    );
    check_line_endings(&script, &bytes, read, report)?;
    check_checker(&script, read, report)
}

/// The committed bytes of the script are what the server runs: `deploy.cmd`
/// needs CRLF (cmd misreads labels in LF files), `deploy.sh` LF (bash
/// reads a CR as part of each command). `.gitattributes` keeps them so in
/// every checkout.
fn check_line_endings(
    script: &str,
    bytes: &[u8],
    read: &mut impl FnMut(&str) -> Result<Option<Vec<u8>>>,
    report: &mut Report,
) -> Result<()> {
    let lower = script.to_ascii_lowercase();
    let platform = if lower.ends_with(".cmd") || lower.ends_with(".bat") {
        Platform::Windows
    } else if lower.ends_with(".sh") {
        Platform::Linux
    } else {
        return Ok(());
    };
    let topic = "line endings";
    let (want, bad) = match platform {
        Platform::Windows => ("CRLF", "has lines ending in LF alone, which cmd misreads"),
        Platform::Linux => ("LF", "has CRLF line endings, which bash misreads"),
    };
    if !has_platform_endings(platform, bytes) {
        report.fix(
            topic,
            format!("{script} as committed in HEAD {bad}"),
            format!(
                "run `envguard init` (it rewrites {script} with {want} and adds a {ATTRIBUTES_PATH} rule that keeps them), \
                 then `git add --renormalize {script} {ATTRIBUTES_PATH}` and commit"
            ),
        );
        return Ok(());
    }
    let rule = attributes_rule(script);
    let attributes = read(ATTRIBUTES_PATH)?.unwrap_or_default();
    let has_rule = String::from_utf8_lossy(&attributes)
        .lines()
        .any(|line| line.trim() == rule);
    if has_rule {
        report.add(
            Level::Ok,
            topic,
            format!("{script} is committed with {want} line endings, and {ATTRIBUTES_PATH}'s `{rule}` keeps them in every checkout"),
        );
    } else {
        report.add(
            Level::Note,
            topic,
            format!(
                "{script} is committed with {want} line endings, but HEAD's {ATTRIBUTES_PATH} has no `{rule}`: \
                 a checkout with `text`/`eol` attributes or core.autocrlf may convert them; `envguard init` adds the rule"
            ),
        );
    }
    Ok(())
}

/// The server's own check, the second layer: `envguard_check.py` beside
/// the script.
fn check_checker(
    script: &str,
    read: &mut impl FnMut(&str) -> Result<Option<Vec<u8>>>,
    report: &mut Report,
) -> Result<()> {
    let dir = script.rsplit_once('/').map_or("", |(dir, _)| dir);
    let checker = if dir.is_empty() {
        CHECKER_NAME.to_string()
    } else {
        format!("{dir}/{CHECKER_NAME}")
    };
    if read(&checker)?.is_some() {
        report.add(
            Level::Ok,
            "server check",
            format!("{checker} is beside {script}: every deployment checks the environment for leftovers"),
        );
    } else {
        report.fix(
            "server check",
            format!("HEAD has no {checker} beside {script}: the server cannot check for leftovers that slipped past the hook"),
            "run `envguard init` (it copies envguard_check.py), then commit it",
        );
    }
    Ok(())
}

/// What each layer does, so that a user knows what a bypassed hook costs.
fn explain_layers(config: &Config, report: &mut Report) {
    let mut text = "envguard works in two layers. The hook schedules a clean when a push removes a package, \
                    and commits the proof (.envguard/force-clean and .envguard/fingerprint.toml) into history. \
                    The server checks every deployment for what slipped past it (a push with --no-verify, a \
                    teammate without the hook, a dependency an upgrade orphaned) and rebuilds the environment \
                    once"
        .to_string();
    if !config.keep.is_empty() {
        let names: Vec<String> = config.keep.iter().map(ToString::to_string).collect();
        text.push_str(&format!(
            "; envguard.toml's `keep` ({}) is never counted as left over",
            names.join(", ")
        ));
    }
    report.add(Level::Note, "layers", text);
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
        report.add(Level::Ok, "hook", "fine");
        report.add(Level::Note, "remote", "fyi");
        let mut out = Vec::new();
        report.render(&mut out).unwrap();
        assert_eq!(report.to_fix(), 0);
        assert!(String::from_utf8(out)
            .unwrap()
            .ends_with("\nAll in place.\n"));
        report.fix("hook", "broken", "mend it");
        let mut out = Vec::new();
        report.render(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("FIX   hook: broken\n      -> mend it\n"),
            "{text}"
        );
        assert!(text.ends_with("\n1 thing to fix.\n"));
    }
}
