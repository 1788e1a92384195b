//! The commands around the hook: `reset`, `status` and `diff`.
//!
//! Each gathers facts through [`Repo`] and the hook's helpers, asks
//! [`decide`](envguard_core::decide) the same questions the hook does, and renders
//! the answer; none of them decides anything on its own.

use std::fmt::Write as _;
use std::io::Write;

use anyhow::{Context, Result};
use envguard_core::ids::CommitId;

use crate::facts::{self, config_at, snapshot_at, Push};
use crate::marker;
use crate::repo::Repo;
use envguard_core::config::Config;
use envguard_core::decide::{self, BaselineSource, Change};
use envguard_core::fingerprint::Snapshot;
use envguard_core::message::{Message, Outcome};
use envguard_core::token::FINGERPRINT_PATH;

/// `envguard --reset`: commits a fresh marker on the current branch.
pub fn reset(repo: &Repo, out: &mut dyn Write) -> Result<()> {
    if repo.operation_in_progress() {
        return Err(Message::ResetDuringOperation.into());
    }
    let Some(head) = repo.head_commit()? else {
        return Err(Message::NoCommitsYet { reset: true }.into());
    };
    let local = repo.local_ref("HEAD");
    let Some(refname) = local.refname() else {
        return Err(Message::ResetWithoutBranch.into());
    };
    let mut read = repo.reader(&head)?;
    let config = Config::read(&mut read)?;
    let (snapshot, _) = Snapshot::read(&config, &mut read)?;
    let scheduled = marker::schedule_clean(
        repo,
        refname,
        &head,
        &snapshot,
        "reset by `envguard --reset`",
    )?;
    let branch = local.branch_name().unwrap_or("HEAD");
    let remote =
        deploying_remote(repo, &config, None).map_or("azure".to_string(), |(name, _)| name);
    let push = if branch == "HEAD" {
        format!("git push {remote} HEAD:<branch>")
    } else {
        format!("git push {remote} {branch}")
    };
    let message = Message::ResetCommitted {
        commit: scheduled.commit,
        branch: branch.to_string(),
        token: scheduled.token,
        push,
    };
    writeln!(out, "envguard: {message}")?;
    Ok(())
}

/// The remote a push of HEAD would deploy to: `--remote NAME`, else the
/// first configured remote that matches.
fn deploying_remote(
    repo: &Repo,
    config: &Config,
    wanted: Option<&str>,
) -> Option<(String, String)> {
    let remotes = repo.remotes();
    match wanted {
        Some(name) => remotes.into_iter().find(|(n, _)| n == name),
        None => remotes
            .into_iter()
            .find(|(n, url)| config.matches_remote(n, url)),
    }
}

/// `envguard status`: what pushing HEAD would do, without pushing.
pub fn status(repo: &Repo, remote: Option<&str>, out: &mut dyn Write) -> Result<()> {
    let Some(head) = repo.head_commit()? else {
        return Err(Message::NoCommitsYet { reset: false }.into());
    };
    let mut read = repo.reader(&head)?;
    let config = Config::read(&mut read)?;
    let Some((remote, url)) = deploying_remote(repo, &config, remote) else {
        match remote {
            Some(name) => {
                let name = name.to_string();
                return Err(Message::NoSuchRemote { name }.into());
            }
            None => {
                writeln!(out, "{}", Message::NoRemoteDeploys)?;
                return Ok(());
            }
        }
    };
    let branch = match repo.local_ref("HEAD").branch_name() {
        Some(name) => name.to_string(),
        None => return Err(Message::StatusOnDetachedHead.into()),
    };
    let mut text = String::new();
    writeln!(text, "Remote:   {remote} ({url})")?;
    if !config.matches_remote(&remote, &url) {
        writeln!(
            text,
            "          does not deploy (not in envguard.toml's `remotes`): a push is not checked"
        )?;
    }
    if config
        .deploying_branch(&format!("refs/heads/{branch}"))
        .is_none()
    {
        writeln!(
            text,
            "Branch:   {branch} does not deploy (deploying branches: {}): a push is not checked",
            config.branches.join(", ")
        )?;
        return Ok(out.write_all(text.as_bytes())?);
    }
    writeln!(text, "Branch:   {branch}")?;
    let (snapshot, warnings) = Snapshot::read(&config, &mut read)?;
    let fingerprint = read(FINGERPRINT_PATH)?;
    let remote_commit = repo.tracking_ref(&remote, &branch)?.map(|(_, oid)| oid);
    let mut notes = Vec::new();
    let push = Push {
        remote: &remote,
        branch: &branch,
        remote_commit,
        fingerprint: fingerprint.as_deref(),
    };
    let baseline = facts::baseline_for(repo, &config, &push, &mut notes)?;
    let source = match &baseline.source {
        BaselineSource::RemoteCommit(commit) => {
            format!("{remote}/{branch} at {}", commit.short())
        }
        BaselineSource::OtherBranch { refname, commit } => {
            format!(
                "{} at {} ({branch} is new on {remote})",
                refname.trim_start_matches("refs/remotes/"),
                commit.short()
            )
        }
        BaselineSource::Fingerprint => format!("the fingerprint in {FINGERPRINT_PATH}"),
        BaselineSource::None => "none: this would be the first deployment".to_string(),
    };
    writeln!(text, "Baseline: {source}")?;
    let baseline = baseline.snapshot(repo, &mut notes)?;
    text.push_str(&String::from_utf8_lossy(&notes));
    for warning in &warnings {
        writeln!(text, "Warning:  {warning}")?;
    }
    let decision = decide::decide(baseline.as_ref(), &snapshot, config.on_removal);
    for line in decision.change().map(change_lines).unwrap_or_default() {
        writeln!(text, "Change:   {line}")?;
    }
    let outcome = Outcome(&decision, &config.requirements);
    writeln!(text, "Push:     {outcome}")?;
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// Output formats of `envguard diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// `envguard diff OLD NEW`: the package-level difference. Returns whether
/// anything was removed.
pub fn diff(
    repo: &Repo,
    old: &str,
    new: &str,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<bool> {
    let old_oid = repo.resolve(old)?;
    let new_oid = repo.resolve(new)?;
    // Each commit is read with its own config, as the hook reads each side
    // of a push: an app that moved folders compares file set to file set.
    let read = |commit: &CommitId, rev: &str| {
        config_at(repo, commit)
            .and_then(|config| snapshot_at(repo, commit, &config))
            .with_context(|| format!("reading {rev}"))
    };
    let (before, _) = read(&old_oid, old)?;
    let (after, warnings) = read(&new_oid, new)?;
    for warning in &warnings {
        writeln!(
            err,
            "envguard: {}",
            Message::RequirementsWarning(warning.clone())
        )?;
    }
    let change = decide::diff(&before, &after);
    match format {
        Format::Text => {
            for line in change_lines(&change) {
                writeln!(out, "{line}")?;
            }
        }
        Format::Json => writeln!(out, "{}", change_json(&change))?,
    }
    Ok(change.removes_anything())
}

/// One line per item, stable for scripts: `removed NAME`,
/// `extras-dropped NAME[EXTRA,…]`, `added NAME`, `runtime FROM -> TO`.
pub fn change_lines(change: &Change) -> Vec<String> {
    let mut lines: Vec<String> = change
        .removed
        .iter()
        .map(|id| format!("removed {id}"))
        .collect();
    lines.extend(
        change.extras_dropped.iter().map(|(id, extras)| {
            format!("extras-dropped {}", envguard_core::names::label(id, extras))
        }),
    );
    lines.extend(change.added.iter().map(|id| format!("added {id}")));
    if let Some((from, to)) = &change.runtime {
        lines.push(format!(
            "runtime {} -> {}",
            runtime_label(from),
            runtime_label(to)
        ));
    }
    lines
}

fn runtime_label(runtime: &Option<envguard_core::platform::Runtime>) -> String {
    runtime
        .as_ref()
        .map_or("none".to_string(), ToString::to_string)
}

fn change_json(change: &Change) -> String {
    let strings = |items: Vec<String>| {
        let quoted: Vec<String> = items.iter().map(|s| json_string(s)).collect();
        format!("[{}]", quoted.join(","))
    };
    let extras: Vec<String> = change
        .extras_dropped
        .iter()
        .map(|(id, extras)| {
            format!(
                "{{\"package\":{},\"extras\":{}}}",
                json_string(&id.to_string()),
                strings(extras.iter().cloned().collect())
            )
        })
        .collect();
    let runtime = match &change.runtime {
        Some((from, to)) => format!(
            "{{\"from\":{},\"to\":{}}}",
            runtime_json(from),
            runtime_json(to)
        ),
        None => "null".to_string(),
    };
    format!(
        "{{\"removed\":{},\"extras_dropped\":[{}],\"added\":{},\"runtime\":{},\"removes_anything\":{}}}",
        strings(change.removed.iter().map(ToString::to_string).collect()),
        extras.join(","),
        strings(change.added.iter().map(ToString::to_string).collect()),
        runtime,
        change.removes_anything()
    )
}

fn runtime_json(runtime: &Option<envguard_core::platform::Runtime>) -> String {
    runtime
        .as_ref()
        .map_or("null".to_string(), |r| json_string(&r.to_string()))
}

fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use envguard_core::names::{CanonicalName, PackageId};
    use envguard_core::platform::Runtime;

    fn name(n: &str) -> PackageId {
        PackageId::Name(CanonicalName::new(n))
    }

    #[test]
    fn lines_and_json_are_stable() {
        let change = Change {
            removed: vec![
                name("six"),
                PackageId::Text("https://x.invalid/a \"b\".zip".into()),
            ],
            added: vec![name("attrs")],
            extras_dropped: vec![(name("requests"), ["socks".to_string()].into())],
            runtime: Some((Some(Runtime::new(3, 11, None)), None)),
        };
        assert_eq!(
            change_lines(&change),
            [
                "removed six",
                "removed https://x.invalid/a \"b\".zip",
                "extras-dropped requests[socks]",
                "added attrs",
                "runtime python-3.11 -> none"
            ]
        );
        assert_eq!(
            change_json(&change),
            r#"{"removed":["six","https://x.invalid/a \"b\".zip"],"extras_dropped":[{"package":"requests","extras":["socks"]}],"added":["attrs"],"runtime":{"from":"python-3.11","to":null},"removes_anything":true}"#
        );
        assert_eq!(
            change_json(&Change::default()),
            r#"{"removed":[],"extras_dropped":[],"added":[],"runtime":null,"removes_anything":false}"#
        );
    }
}
