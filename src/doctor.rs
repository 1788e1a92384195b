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

use crate::hook::facts::{baseline_facts, Push};
use crate::init::{ATTRIBUTES_PATH, CHECKER_NAME};
use crate::install::{self, Existing, HookPaths};
use crate::managers::{self, Found, Survey};
use crate::repo::Repo;
use envguard_core::config::{Config, CONFIG_PATH};
use envguard_core::decide;
use envguard_core::deployment::{
    attributes_rule, has_platform_endings, script_of, DeployPath, Deployment, DEPLOYMENT_PATH,
};
use envguard_core::managers::Configured;
use envguard_core::message::doctor::{Finding, Level, Lines, Remedy, Verdict};
use envguard_core::platform::Platform;
use envguard_core::requirements::ReaderError;
use envguard_core::shipped;
use envguard_core::token::{ENV_TOKEN_FILE, FINGERPRINT_PATH};
use serde::Serialize;

/// The text a server script must contain to honour the marker: the file it
/// keeps the last honoured token in (SPEC, the server side, step 2).
const TOKEN_FILE: &str = ENV_TOKEN_FILE;

/// Everything the doctor found; each finding's words are the core's
/// [`Finding`].
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
            .filter(|f| f.level() == Level::Fix)
            .count()
    }

    /// One JSON object: `findings` (each `level`, `topic`, `text`, `fix`)
    /// and `to_fix`, the count of `fix` findings (docs/json.md).
    pub fn render_json(&self, out: &mut dyn Write) -> Result<()> {
        #[derive(Serialize)]
        struct JsonFinding {
            level: Level,
            topic: String,
            text: String,
            fix: Option<String>,
        }
        #[derive(Serialize)]
        struct Json {
            findings: Vec<JsonFinding>,
            to_fix: usize,
        }
        let json = Json {
            findings: self
                .findings
                .iter()
                .map(|f| JsonFinding {
                    level: f.level(),
                    topic: f.topic(),
                    text: f.to_string(),
                    fix: f.fix(),
                })
                .collect(),
            to_fix: self.to_fix(),
        };
        writeln!(out, "{}", serde_json::to_string(&json)?)?;
        Ok(())
    }

    /// One line per finding (its fix indented below), then a verdict.
    pub fn render(&self, out: &mut dyn Write) -> std::io::Result<()> {
        for finding in &self.findings {
            write!(out, "{}", Lines(finding))?;
        }
        writeln!(out, "\n{}", Verdict(self.to_fix()))
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
                report.add(Finding::HookFileAndConfigHook {
                    hook: paths.hook.display().to_string(),
                });
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
    let git = survey.git_version_text.clone();
    if survey.git_has_config_hooks() {
        report.add(Finding::ConfigHookRuns {
            command: command.to_string(),
            git,
        });
        report.add(Finding::OldGitIgnoresConfigHook);
    } else {
        report.add(Finding::ConfigHookIgnored { git });
    }
    true
}

/// envguard under a hook manager: configured in it, or what to add where.
/// Every piece of advice keeps the push checked: none chains envguard's
/// hook under the manager, which would break it.
fn check_manager(found: &Found, survey: &Survey, report: &mut Report) {
    let manager = found.manager;
    let shown = found.shown.clone();
    let runs_renamed = manager.renamed_hook().is_some_and(|(_, runs)| runs);
    match found.configured {
        Configured::Yes if found.hook_installed => {
            report.add(Finding::ManagerRuns {
                manager,
                shown: shown.clone(),
            });
            if survey.envguard_config_hook().is_some() {
                report.add(Finding::ManagerAndConfigHook {
                    shown: shown.clone(),
                });
            }
        }
        Configured::Yes => report.add(Finding::ManagerHookMissing {
            manager,
            shown: shown.clone(),
        }),
        Configured::WithoutStdin => report.add(Finding::WithoutStdin {
            shown: shown.clone(),
        }),
        Configured::WithoutArguments => report.add(Finding::WithoutArguments {
            shown: shown.clone(),
        }),
        Configured::Skippable => report.add(Finding::LefthookSkippable {
            shown: shown.clone(),
        }),
        Configured::ScriptMissing => report.add(Finding::LefthookScriptMissing {
            shown: shown.clone(),
            script: found
                .lefthook
                .as_ref()
                .and_then(|l| l.judged.script.clone())
                .unwrap_or_default(),
        }),
        Configured::No => match &found.renamed {
            Some(renamed) if runs_renamed => {
                let renamed = renamed.display().to_string();
                report.add(Finding::LegacyHookRuns {
                    manager,
                    renamed: renamed.clone(),
                });
                report.add(Finding::LegacyHookFragile {
                    manager,
                    renamed,
                    shown: shown.clone(),
                });
            }
            Some(renamed) => report.add(Finding::RenamedNeverRuns {
                manager,
                renamed: renamed.display().to_string(),
                shown: shown.clone(),
            }),
            None if found.chained_under_ours => {
                report.add(Finding::ChainedUnderOurs { manager });
                report.add(Finding::ChainedFragile {
                    manager,
                    shown: shown.clone(),
                });
            }
            None if survey.envguard_config_hook().is_some() => {
                report.add(Finding::BesideConfigHook { manager })
            }
            None => report.add(Finding::ManagerWithoutEnvguard {
                manager,
                shown: shown.clone(),
            }),
        },
    }
    if let Some(judged) = found.lefthook.as_ref().map(|l| &l.judged) {
        if judged.configured == Configured::Yes && judged.copies > 1 {
            report.add(Finding::LefthookScriptTwice {
                script: judged.script.clone().unwrap_or_default(),
                copies: judged.copies,
            });
        }
    }
    if let (Configured::Yes, Some(renamed)) = (found.configured, &found.renamed) {
        let renamed = renamed.display().to_string();
        if runs_renamed {
            report.add(Finding::RunsTwiceWithLegacy {
                manager,
                renamed,
                shown,
            });
        } else {
            report.add(Finding::OldHookNeverRuns { renamed });
        }
    }
}

fn check_hook(paths: &HookPaths, this_binary: &Path, report: &mut Report) -> Result<()> {
    if paths.custom {
        report.add(Finding::HooksFolder {
            dir: paths.dir.display().to_string(),
        });
    }
    let hook = paths.hook.display().to_string();
    let chained = paths.chained.display().to_string();
    match paths.existing()? {
        Existing::Nothing => report.add(Finding::NoHook { hook }),
        Existing::Foreign if paths.chained_exists() => report.add(Finding::ForeignAndKept {
            hook,
            chained: chained.clone(),
        }),
        Existing::Foreign => report.add(Finding::ForeignHook {
            hook,
            kept_as: install::CHAINED_NAME.to_string(),
        }),
        Existing::Ours => check_our_hook(paths, this_binary, report)?,
    }
    if paths.chained_exists() {
        if is_executable(&paths.chained) {
            report.add(Finding::KeptHookRuns { chained });
        } else {
            report.add(Finding::KeptHookNotExecutable { chained });
        }
    }
    Ok(())
}

fn check_our_hook(paths: &HookPaths, this_binary: &Path, report: &mut Report) -> Result<()> {
    let hook = paths.hook.display().to_string();
    let script = String::from_utf8_lossy(&std::fs::read(&paths.hook)?).into_owned();
    if !is_executable(&paths.hook) {
        report.add(Finding::HookNotExecutable { hook: hook.clone() });
    }
    if script.contains('\r') {
        report.add(Finding::HookCrlf { hook: hook.clone() });
    }
    let Some(recorded) = install::recorded_binary(&script) else {
        report.add(Finding::NoRecordedBinary { hook });
        return Ok(());
    };
    let shown = recorded.display().to_string();
    if !is_executable(&recorded) {
        report.add(Finding::BinaryMissing {
            hook,
            recorded: shown,
            on_path: find_on_path("envguard").map(|found| found.display().to_string()),
        });
        return Ok(());
    }
    if install::resolved(&recorded) == install::resolved(this_binary) {
        report.add(Finding::HookRunsThisBinary {
            hook,
            recorded: shown,
        });
        // Only this binary's own template is known here: a hook another
        // envguard wrote may differ and still be right for that binary.
        if script != install::hook_script(&recorded) {
            report.add(Finding::HookFromOtherVersion);
        }
    } else {
        report.add(Finding::HookRunsOtherBinary {
            hook,
            recorded: shown,
            this: this_binary.display().to_string(),
        });
    }
    Ok(())
}

fn check_head(repo: &Repo, report: &mut Report) -> Result<()> {
    let Some(head) = repo.head_commit()? else {
        report.add(Finding::NoCommits);
        check_remotes(repo, &Config::from_files(None, None)?, report);
        return Ok(());
    };
    let opened = repo
        .reader(&head)
        .and_then(|mut read| Ok((Config::read(&mut read)?, read)));
    let (config, mut read) = match opened {
        Ok(opened) => opened,
        Err(err) => {
            report.add(Finding::ConfigUnreadable {
                why: format!("{err:#}"),
            });
            return Ok(());
        }
    };
    report.add(Finding::ConfigIn {
        has_config: read(CONFIG_PATH)?.is_some(),
        requirements: config.requirements.clone(),
        runtime: config.runtime.clone(),
        target: config.target,
    });
    if read(&config.requirements)?.is_none() {
        report.add(Finding::NoRequirements {
            requirements: config.requirements.clone(),
        });
    }
    if read(&config.runtime)?.is_none() {
        let runtime = config.runtime.clone();
        report.add(match &config.python {
            Some(python) => Finding::PythonFromConfig {
                runtime,
                python: python.python_version(),
            },
            None => Finding::PythonUnknown { runtime },
        });
    }
    let has_fingerprint = read(FINGERPRINT_PATH)?.is_some();
    for remote in check_remotes(repo, &config, report) {
        check_baseline(repo, &config, &remote, has_fingerprint, report);
    }
    report.add(Finding::Layers {
        keep: config.keep.iter().map(ToString::to_string).collect(),
    });
    check_server_script(repo, &config, &mut read, report)
}

/// Reports each remote; returns the names of those that deploy.
fn check_remotes(repo: &Repo, config: &Config, report: &mut Report) -> Vec<String> {
    let mut deploying = Vec::new();
    let mut others = Vec::new();
    for (name, url) in repo.remotes() {
        if config.matches_remote(&name, &url) {
            report.add(Finding::RemoteDeploys {
                name: name.clone(),
                url,
                branches: config.branches.clone(),
            });
            deploying.push(name);
        } else {
            others.push(name);
        }
    }
    if !others.is_empty() {
        report.add(Finding::OtherRemotes { names: others });
    }
    if deploying.is_empty() {
        report.add(Finding::NoRemoteDeploys);
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
    let head = repo.local_ref("HEAD");
    let head_branch = head.branch_name().map(str::to_string);
    // The branch a push of HEAD's branch deploys to (push_target): `main`
    // pushed as `main:master` where the site deploys master.
    let target = head_branch
        .as_deref()
        .map(|local| crate::push_target::of(repo, remote, local, &config.branches));
    let Some((branch, command)) = target
        .filter(|t| config.branches.contains(&t.branch))
        .map(|t| (t.branch.clone(), t.command()))
    else {
        report.add(Finding::HeadDoesNotDeploy {
            remote: remote.to_string(),
            on: head_branch,
            branches: config.branches.clone(),
        });
        return;
    };
    let unreadable = |why: String| Finding::BaselineUnreadable {
        remote: remote.to_string(),
        why,
    };
    let own = match repo.tracking_ref(remote, &branch) {
        Ok(own) => own.map(|(_, oid)| oid),
        Err(err) => return report.add(unreadable(err.to_string())),
    };
    let push = Push {
        remote,
        branch: &branch,
        remote_commit: own,
        fingerprint: has_fingerprint.then_some(&[][..]),
    };
    let facts = match baseline_facts(repo, config, &push) {
        Ok(facts) => facts,
        Err(err) => return report.add(unreadable(format!("{err:#}"))),
    };
    report.add(Finding::Baseline {
        remote: remote.to_string(),
        branch,
        push: command,
        choice: decide::choose_baseline(&facts),
    });
}

fn check_server_script(
    repo: &Repo,
    config: &Config,
    read: &mut impl FnMut(&str) -> Result<Option<Vec<u8>>, ReaderError>,
    report: &mut Report,
) -> Result<()> {
    let in_worktree = |path: &str| repo.workdir().is_some_and(|dir| dir.join(path).exists());
    let uncommitted = |path: &str| {
        if in_worktree(path) {
            Remedy::Commit(path.to_string())
        } else {
            Remedy::Init
        }
    };
    let deployment = read(DEPLOYMENT_PATH)?;
    let parsed = Deployment::parse(deployment.as_deref().unwrap_or_default())?;
    let path = parsed.path(config.target);
    let ours = match path {
        DeployPath::Envguard(platform) => Some(platform),
        _ => None,
    };
    let command = match path {
        DeployPath::Oryx | DeployPath::NoBuild => {
            report.add(Finding::Deploys { path });
            return Ok(());
        }
        DeployPath::KuduWindows => {
            report.add(Finding::KuduWindows {
                has_deployment: deployment.is_some(),
                remedy: uncommitted(DEPLOYMENT_PATH),
            });
            return Ok(());
        }
        DeployPath::Envguard(_) | DeployPath::Custom(_) => {
            report.add(Finding::Deploys { path });
            parsed.command.unwrap_or_default()
        }
    };
    let Some(script) = script_of(&command) else {
        report.add(Finding::UnknownScript { command });
        return Ok(());
    };
    let bytes = match read(&script)? {
        None => {
            let remedy = uncommitted(&script);
            report.add(Finding::ScriptMissing { script, remedy });
            return Ok(());
        }
        Some(bytes) if !contains(&bytes, TOKEN_FILE.as_bytes()) => {
            report.add(Finding::ScriptIgnoresMarker { script });
            return Ok(());
        }
        Some(bytes) => bytes,
    };
    report.add(Finding::ScriptHonours {
        script: script.clone(),
    });
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
    let (_, current, _) = crate::init::script(platform);
    let lf = |b: &[u8]| String::from_utf8_lossy(b).replace("\r\n", "\n");
    if lf(bytes) == lf(current.as_bytes()) {
        return;
    }
    report.add(Finding::ScriptCopy {
        script: script.to_string(),
        copy: shipped::examine(bytes),
    });
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
    let platform = if lower.ends_with(".cmd") || lower.ends_with(".bat") {
        Platform::Windows
    } else if lower.ends_with(".sh") {
        Platform::Linux
    } else {
        return Ok(());
    };
    let script = script.to_string();
    if !has_platform_endings(platform, bytes) {
        report.add(Finding::WrongEndings { script, platform });
        return Ok(());
    }
    let rule = attributes_rule(&script);
    let attributes = read(ATTRIBUTES_PATH)?.unwrap_or_default();
    let kept = String::from_utf8_lossy(&attributes)
        .lines()
        .any(|line| line.trim() == rule);
    report.add(Finding::Endings {
        script,
        platform,
        rule,
        kept,
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
    report.add(Finding::Checker {
        found: read(&checker)?.is_some(),
        checker,
        script: script.to_string(),
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
        report.add(Finding::NoCommits);
        let mut out = Vec::new();
        report.render(&mut out).unwrap();
        assert_eq!(report.to_fix(), 0);
        assert!(String::from_utf8(out)
            .unwrap()
            .ends_with("\nAll in place.\n"));
        report.add(Finding::HookFromOtherVersion);
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
    }
}
