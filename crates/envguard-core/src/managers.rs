//! Hook managers (pre-commit, prek, lefthook, husky) and git's config-based
//! hooks: where a push's ref information comes from when one of them runs
//! envguard, how each one's files are recognised, whether envguard is
//! configured inside it, and the snippets that configure it. All of it over
//! text and bytes the shell reads; nothing here touches a file.
//!
//! Each rule follows the manager's own source:
//! - pre-commit (pre-commit/pre-commit): `pre_commit/commands/hook_impl.py`
//!   reads git's ref lines itself, takes the first one that pushes something
//!   and hands the hooks `PRE_COMMIT_*` variables (`commands/run.py`); it runs
//!   no hook at all when nothing is pushed. Its hook script carries an `ID:`
//!   hash (`commands/install_uninstall.py`); an older pre-push hook is moved
//!   to `pre-push.legacy` and run first.
//! - prek (j178/prek) does the same (`crates/prek/src/cli/hook_impl.rs`,
//!   `cli/run/run.rs`), with its own script id (`cli/install.rs`), and sets
//!   the to-ref even when it has no from-ref.
//! - lefthook (evilmartians/lefthook): [`lefthook`] reads its configs and
//!   says why envguard's job is a script job; `lefthook install` renames
//!   another pre-push hook to `pre-push.old` and never runs it.
//! - husky (typicode/husky, v9): `core.hooksPath = .husky/_`, whose files
//!   `npm install` rewrites (`index.js`); each runs `.husky/<hook>` with sh,
//!   git's arguments and stdin (`husky`, installed as `.husky/_/h`).
//! - git >= 2.54: `hook.<name>.command` run for each `hook.<name>.event`
//!   (Documentation/config/hook.adoc), through the shell with git's
//!   arguments appended and git's stdin.

use crate::ids::{CommitId, MaybeZeroId};

pub mod lefthook;

/// A hook manager envguard knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Manager {
    PreCommit,
    Prek,
    Lefthook,
    Husky,
}

impl Manager {
    pub fn name(self) -> &'static str {
        match self {
            Manager::PreCommit => "pre-commit",
            Manager::Prek => "prek",
            Manager::Lefthook => "lefthook",
            Manager::Husky => "husky",
        }
    }

    /// Where the manager moves a pre-push hook it finds in its place, and
    /// whether it still runs it there (pre-commit: first, with the same
    /// input; lefthook: never). husky moves the whole folder instead.
    pub fn renamed_hook(self) -> Option<(&'static str, bool)> {
        match self {
            Manager::PreCommit | Manager::Prek => Some(("pre-push.legacy", true)),
            Manager::Lefthook => Some(("pre-push.old", false)),
            Manager::Husky => None,
        }
    }

    /// The command that (re)installs the manager's pre-push hook.
    pub fn install_command(self) -> &'static str {
        match self {
            Manager::PreCommit => "pre-commit install --hook-type pre-push",
            Manager::Prek => "prek install --hook-type pre-push",
            Manager::Lefthook => "lefthook install",
            Manager::Husky => "npm install",
        }
    }

    /// Why envguard does not chain its own hook under this manager.
    pub fn why_not_chained(self) -> &'static str {
        match self {
            Manager::PreCommit | Manager::Prek => {
                "it keeps any other pre-push hook as pre-push.legacy and deletes it on `install -f`, \
                 and with its script chained under envguard's it would run itself again (its \
                 \"migration mode\" error)"
            }
            Manager::Lefthook => {
                "`lefthook install` and its automatic re-sync rename any other pre-push hook to \
                 pre-push.old and never run it"
            }
            Manager::Husky => {
                "husky points core.hooksPath at .husky/_, which `npm install` rewrites, and git \
                 then never reads .git/hooks"
            }
        }
    }

    /// How to skip this manager's hooks for one push.
    pub fn bypass(self) -> &'static str {
        match self {
            Manager::PreCommit | Manager::Prek => "SKIP=envguard git push …",
            Manager::Lefthook => "LEFTHOOK_EXCLUDE=envguard git push …",
            Manager::Husky => "HUSKY=0 git push …",
        }
    }
}

/// Why envguard, installed in a repository, no longer runs on `git push`
/// there: what a hook manager (or a person) did after `envguard install`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dropped {
    /// `core.hooksPath` (husky's `.husky/_`) points git away from the
    /// folder that holds envguard's hook file, which git no longer reads.
    HooksPathMoved { hook: String },
    /// The manager renamed envguard's hook to a name it never runs
    /// (lefthook's `pre-push.old`).
    Renamed { renamed: String },
    /// Nothing of envguard's runs any more: another hook stands in its
    /// place (`pre-commit install -f` deletes the `pre-push.legacy` copy
    /// that kept envguard running), or it was deleted.
    Gone,
    /// The manager's config runs envguard, but its own pre-push hook is not
    /// installed.
    ManagerHookMissing,
    /// lefthook runs envguard as a `run:` job, which it skips whenever it
    /// finds no push files (see [`lefthook`]): not every push is checked.
    Skippable,
}

/// The one command that makes envguard run on pushes again. Where git has
/// config-based hooks, `envguard install` registers one, which no manager's
/// hook file can drop; else, under a manager, `envguard install --manager`
/// wires envguard into it; else `envguard install` writes the hook file.
pub fn fix_command(dropped: &Dropped, manager: Option<Manager>, config_hooks: bool) -> String {
    match (dropped, manager) {
        (Dropped::ManagerHookMissing, Some(manager)) => manager.install_command().to_string(),
        // The manager's config runs envguard, so `envguard install` goes to
        // the manager too; only `--manager` replaces the job.
        (Dropped::Skippable, _) => "envguard install --manager".to_string(),
        _ if config_hooks => "envguard install".to_string(),
        (_, Some(_)) => "envguard install --manager".to_string(),
        (_, None) => "envguard install".to_string(),
    }
}

/// The ids pre-commit writes into its hook script, current and prior
/// (`PRIOR_HASHES`, `CURRENT_HASH` in `commands/install_uninstall.py`).
const PRE_COMMIT_IDS: [&str; 6] = [
    "138fd403232d2ddd5efb44317e38bf03",
    "4d9958c90bc262f47553e2c073f14cfe",
    "d8ee923c46731b42cd95cc869add4062",
    "49fd668cb42069aa1b6048464be5d395",
    "79f09a650522a87b0da915d0d983b2de",
    "e358c9dae00eac5d06b38dfdb1e33a8c",
];
/// prek's script id (`CURRENT_HASH` in `crates/prek/src/cli/install.rs`).
const PREK_ID: &str = "182c10f181da4464a3eec51b83331688";

/// The manager whose script a pre-push hook file is, if any. husky is
/// known by its folder instead (`core.hooksPath`), not by a script.
pub fn manager_of_hook(bytes: &[u8]) -> Option<Manager> {
    let text = String::from_utf8_lossy(bytes);
    if text.contains(PREK_ID) {
        Some(Manager::Prek)
    } else if PRE_COMMIT_IDS.iter().any(|id| text.contains(id)) {
        Some(Manager::PreCommit)
    } else if text.contains("call_lefthook") {
        Some(Manager::Lefthook)
    } else {
        None
    }
}

/// pre-commit's and prek's config files, at the repository root.
pub const PRE_COMMIT_CONFIGS: [&str; 3] = [
    ".pre-commit-config.yaml",
    ".pre-commit-config.yml",
    "prek.toml",
];

/// How a manager's config runs envguard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Configured {
    /// As the snippet does: git's arguments and ref information reach it.
    Yes,
    /// A lefthook job without `use_stdin: true`: it gets no ref lines, and
    /// cannot tell that from an up-to-date push.
    WithoutStdin,
    /// A husky line (or lefthook's script) without `"$@"`: it gets no
    /// arguments (and stops every push with exit 2).
    WithoutArguments,
    /// A lefthook `run:` job: lefthook skips it whenever it finds no push
    /// files, as after a push of the same commits to the branch's upstream,
    /// and the push goes unchecked ([`lefthook`]).
    Skippable,
    /// A lefthook script job whose script is in none of lefthook's script
    /// folders: lefthook fails every push until it is there.
    ScriptMissing,
    No,
}

/// Lines that are not comments, for the text checks below.
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
}

/// Whether a line (or a config hook's command) runs `envguard pre-push`.
pub fn runs_envguard_pre_push(line: &str) -> bool {
    line.split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .any(|w| {
            let program = w[0].trim_matches(['"', '\'']);
            (program == "envguard" || program.ends_with("/envguard")) && w[1] == "pre-push"
        })
}

/// Whether a pre-commit config (YAML) or `prek.toml` has envguard's hook:
/// the shipped one (`id: envguard`) or a local hook whose entry runs
/// `envguard pre-push`.
pub fn pre_commit_config(text: &str) -> Configured {
    let found = code_lines(text).any(|line| {
        let line = line.trim().trim_start_matches("- ").trim();
        let id = line
            .strip_prefix("id:")
            .or_else(|| line.strip_prefix("id ="))
            .map(|value| value.trim().trim_matches(['"', '\'']));
        id == Some("envguard") || (line.starts_with("entry") && runs_envguard_pre_push(line))
    });
    if found {
        Configured::Yes
    } else {
        Configured::No
    }
}

/// Whether husky's `.husky/pre-push` (or lefthook's script for envguard)
/// runs envguard with git's arguments.
pub fn husky_script(text: &str) -> Configured {
    let mut best = Configured::No;
    for line in code_lines(text).filter(|line| runs_envguard_pre_push(line)) {
        if line.contains("\"$@\"") {
            return Configured::Yes;
        }
        best = Configured::WithoutArguments;
    }
    best
}

/// What to add to `.pre-commit-config.yaml` under `repos:` (a local hook
/// needs no URL or version pin; the shipped `.pre-commit-hooks.yaml` gives
/// the same hook by `id: envguard` from this project's repository).
pub const PRE_COMMIT_SNIPPET: &str = "  - repo: local
    hooks:
      - id: envguard
        name: envguard
        entry: envguard pre-push
        language: system
        stages: [pre-push]
        always_run: true
        pass_filenames: false
";

/// The column of the dash before the items under `repos:` in a pre-commit
/// config (YAML), so that envguard's item pasted among them is one list with
/// them; 2 when there are none yet.
pub fn repos_column(text: &str) -> usize {
    let mut lines = code_lines(text).skip_while(|line| line.trim_end() != "repos:");
    lines.next();
    lines
        .find(|line| !line.trim().is_empty())
        .filter(|line| line.trim_start().starts_with('-'))
        .map_or(2, |line| line.len() - line.trim_start().len())
}

/// The line for husky's `.husky/pre-push`: sh runs it with git's arguments
/// and stdin.
pub const HUSKY_LINE: &str = "envguard pre-push \"$@\"\n";

/// `.husky/pre-push` with envguard's line added at the end (on a line of its
/// own); `existing` is the file's bytes, `None` when it does not exist.
pub fn with_husky_line(existing: Option<&[u8]>) -> Vec<u8> {
    let mut bytes = existing.unwrap_or_default().to_vec();
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(HUSKY_LINE.as_bytes());
    bytes
}

/// `.husky/pre-push` without envguard's line (its last occurrence), for a
/// file edited since envguard added it; `None` when the line is not there.
pub fn without_husky_line(current: &[u8]) -> Option<Vec<u8>> {
    let text = String::from_utf8_lossy(current);
    let line = HUSKY_LINE.trim_end();
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    let at = lines.iter().rposition(|l| l.trim_end() == line)?;
    lines.remove(at);
    Some(lines.concat().into_bytes())
}

/// The `git version` this text reports (`git version 2.54.0`,
/// `git version 2.45.1.windows.1`, `git version 2.39.3 (Apple Git-146)`).
pub fn git_version(text: &str) -> Option<(u32, u32)> {
    let version = text.trim().strip_prefix("git version ")?;
    let mut parts = version.split(['.', ' ']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// The first git with config-based hooks (`hook.<name>.command`).
pub const CONFIG_HOOKS_SINCE: (u32, u32) = (2, 54);
/// The name envguard registers its config-based hook under.
pub const CONFIG_HOOK_NAME: &str = "envguard";

/// One `hook.<name>` of git's config.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigHook {
    pub name: String,
    pub command: Option<String>,
    pub events: Vec<String>,
}

impl ConfigHook {
    /// Whether git runs it on pre-push and it runs `envguard pre-push`.
    pub fn guards_pushes(&self) -> bool {
        self.events.iter().any(|e| e == "pre-push")
            && self.command.as_deref().is_some_and(runs_envguard_pre_push)
    }
}

/// The `hook.<name>.*` entries of `git config --get-regexp '^hook\.'`
/// output (`key value` per line), in the order git lists them. An empty
/// `event` value resets the events, as git does.
pub fn config_hooks(listing: &str) -> Vec<ConfigHook> {
    let mut hooks: Vec<ConfigHook> = Vec::new();
    for line in listing.lines() {
        let (key, value) = line.split_once(' ').unwrap_or((line, ""));
        let Some(rest) = key.strip_prefix("hook.") else {
            continue;
        };
        let Some((name, field)) = rest.rsplit_once('.') else {
            continue;
        };
        let at = match hooks.iter().position(|h| h.name == name) {
            Some(at) => at,
            None => {
                hooks.push(ConfigHook {
                    name: name.to_string(),
                    ..ConfigHook::default()
                });
                hooks.len() - 1
            }
        };
        let hook = &mut hooks[at];
        match field {
            "command" => hook.command = Some(value.to_string()),
            "event" if value.is_empty() => hook.events.clear(),
            "event" => hook.events.push(value.to_string()),
            _ => {}
        }
    }
    hooks
}

/// A push as pre-commit or prek describe it to their hooks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreCommitPush {
    pub remote_name: String,
    pub remote_url: String,
    /// git's `<local-ref>`: a ref name, `HEAD`, or what the user typed.
    pub local_branch: String,
    /// git's `<remote-ref>`.
    pub remote_branch: String,
    /// The remote's commit when git gave one that is local; otherwise the
    /// parent of the first commit the remote lacks (pre-commit and prek
    /// work that out themselves); absent when that is a root commit.
    pub from_ref: Option<String>,
    /// The pushed commit (pre-commit leaves it out with the from-ref).
    pub to_ref: Option<String>,
}

/// Where `envguard pre-push` gets the push to check from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PushInput {
    /// git's ref lines on stdin, for this remote.
    Lines { remote: String, url: String },
    /// pre-commit's or prek's variables.
    PreCommit(PreCommitPush),
    /// git's own call on an up-to-date push: nothing is pushed.
    NothingPushed,
    /// pre-commit or prek ran envguard without any ref information.
    NoPush { runner: &'static str },
    /// Neither git's arguments nor a manager's variables.
    NoArguments,
}

/// Decides where the push comes from. `args` are the command's arguments
/// (git always passes both); `var` reads the environment; `has_lines`
/// tells whether stdin held any ref line.
///
/// Telling "nothing pushed" from "no ref information" apart: git runs the
/// pre-push hook even for an up-to-date push, with its two arguments and an
/// empty stdin, and then there is truly nothing to check (exit 0). A hook
/// manager that runs envguard itself shows itself: pre-commit and prek set
/// `PRE_COMMIT=1` for every hook they run, and give the push variables only
/// with a push (neither runs pre-push hooks at all when nothing is pushed,
/// so with them an empty push is never legitimate); a manager that passes
/// no arguments is not git either. Either way, empty stdin there means the
/// manager gave envguard nothing to judge, which must stop the push rather
/// than pass it. lefthook and husky pass git's arguments and stdin through
/// (`use_stdin: true`, `"$@"`) and look like git; `doctor` checks their
/// configs for exactly that.
pub fn push_input(
    args: Option<(String, String)>,
    var: &dyn Fn(&str) -> Option<String>,
    has_lines: bool,
) -> PushInput {
    let pre_commit = var("PRE_COMMIT").is_some_and(|v| !v.is_empty());
    let push = pre_commit_push(var);
    match (args, push, has_lines) {
        (Some((remote, url)), _, true) => PushInput::Lines { remote, url },
        (None, Some(push), true) => PushInput::Lines {
            remote: push.remote_name,
            url: push.remote_url,
        },
        (_, Some(push), false) => PushInput::PreCommit(push),
        (_, None, false) if pre_commit => PushInput::NoPush {
            runner: "pre-commit (or prek)",
        },
        (Some(_), None, false) => PushInput::NothingPushed,
        (None, None, _) => PushInput::NoArguments,
    }
}

/// The push in pre-commit's variables (`PRE_COMMIT_REMOTE_NAME`, `_URL`,
/// `_LOCAL_BRANCH`, `_REMOTE_BRANCH`, `_FROM_REF`, `_TO_REF`, the last two
/// also by their older names `_ORIGIN` and `_SOURCE`); `None` unless
/// remote, local and remote branch are all there.
fn pre_commit_push(var: &dyn Fn(&str) -> Option<String>) -> Option<PreCommitPush> {
    let get = |name: &str| var(name).filter(|v| !v.is_empty());
    let remote_name = get("PRE_COMMIT_REMOTE_NAME")?;
    Some(PreCommitPush {
        remote_url: get("PRE_COMMIT_REMOTE_URL").unwrap_or_else(|| remote_name.clone()),
        local_branch: get("PRE_COMMIT_LOCAL_BRANCH")?,
        remote_branch: get("PRE_COMMIT_REMOTE_BRANCH")?,
        from_ref: get("PRE_COMMIT_FROM_REF").or_else(|| get("PRE_COMMIT_ORIGIN")),
        to_ref: get("PRE_COMMIT_TO_REF").or_else(|| get("PRE_COMMIT_SOURCE")),
        remote_name,
    })
}

/// The remote commits to compare a pre-commit push with, given its
/// from-ref and this repository's remote-tracking ref of the pushed branch.
///
/// git's `<remote-oid>` itself does not reach the hook: pre-commit passes
/// it as the from-ref when git gave one that is local (prek: when it is
/// also an ancestor of the pushed commit); otherwise the from-ref is the
/// parent of the first pushed commit the remote lacks, or absent. So: the
/// two agree (a plain push) → that commit; only one is known → that one;
/// they differ (a forced push, or a stale tracking ref) → both, and a
/// removal against either counts; neither → a new branch (another
/// deploying branch, then the fingerprint decide: docs/removals.md, "What
/// is compared with what").
pub fn pre_commit_remotes(
    from: Option<&CommitId>,
    tracking: Option<&CommitId>,
) -> Vec<MaybeZeroId> {
    match (from, tracking) {
        (Some(from), Some(tracking)) if from == tracking => vec![MaybeZeroId::Id(from.clone())],
        (Some(from), Some(tracking)) => {
            vec![
                MaybeZeroId::Id(tracking.clone()),
                MaybeZeroId::Id(from.clone()),
            ]
        }
        (Some(one), None) | (None, Some(one)) => vec![MaybeZeroId::Id(one.clone())],
        (None, None) => vec![MaybeZeroId::Zero],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    const PUSH: [(&str, &str); 7] = [
        ("PRE_COMMIT", "1"),
        ("PRE_COMMIT_REMOTE_NAME", "azure"),
        ("PRE_COMMIT_REMOTE_URL", "/srv/app.git"),
        ("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/main"),
        ("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/main"),
        ("PRE_COMMIT_FROM_REF", "aaaa"),
        ("PRE_COMMIT_TO_REF", "bbbb"),
    ];

    fn args() -> Option<(String, String)> {
        Some(("azure".to_string(), "/srv/app.git".to_string()))
    }

    #[test]
    fn where_the_push_comes_from() {
        let lines = PushInput::Lines {
            remote: "azure".into(),
            url: "/srv/app.git".into(),
        };
        // git itself: lines, or an up-to-date push.
        assert_eq!(push_input(args(), &env(&[]), true), lines);
        assert_eq!(
            push_input(args(), &env(&[]), false),
            PushInput::NothingPushed
        );
        // pre-commit with a push: its variables; git's lines win if any.
        let PushInput::PreCommit(push) = push_input(None, &env(&PUSH), false) else {
            panic!()
        };
        assert_eq!(push.local_branch, "refs/heads/main");
        assert_eq!(push.from_ref.as_deref(), Some("aaaa"));
        assert_eq!(push_input(None, &env(&PUSH), true), lines);
        // A manager with no ref information at all: never a pass.
        let no_push = PushInput::NoPush {
            runner: "pre-commit (or prek)",
        };
        assert_eq!(
            push_input(None, &env(&[("PRE_COMMIT", "1")]), false),
            no_push
        );
        assert_eq!(
            push_input(args(), &env(&[("PRE_COMMIT", "1")]), false),
            no_push
        );
        let partial = [("PRE_COMMIT", "1"), ("PRE_COMMIT_REMOTE_NAME", "azure")];
        assert_eq!(push_input(None, &env(&partial), false), no_push);
        // No arguments and no manager's variables: not git either.
        assert_eq!(push_input(None, &env(&[]), false), PushInput::NoArguments);
        assert_eq!(push_input(None, &env(&[]), true), PushInput::NoArguments);
        // The variables count without PRE_COMMIT too, and by their old names.
        let old_names = [
            ("PRE_COMMIT_REMOTE_NAME", "azure"),
            ("PRE_COMMIT_LOCAL_BRANCH", "HEAD"),
            ("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/master"),
            ("PRE_COMMIT_ORIGIN", "aaaa"),
            ("PRE_COMMIT_SOURCE", "bbbb"),
        ];
        let PushInput::PreCommit(push) = push_input(None, &env(&old_names), false) else {
            panic!()
        };
        assert_eq!(push.remote_url, "azure");
        assert_eq!(
            (push.from_ref.as_deref(), push.to_ref.as_deref()),
            (Some("aaaa"), Some("bbbb"))
        );
    }

    #[test]
    fn remotes_to_compare_a_pre_commit_push_with() {
        let a = CommitId::parse(&"a".repeat(40)).unwrap();
        let b = CommitId::parse(&"b".repeat(40)).unwrap();
        let id = |c: &CommitId| MaybeZeroId::Id(c.clone());
        assert_eq!(pre_commit_remotes(Some(&a), Some(&a)), [id(&a)]);
        assert_eq!(pre_commit_remotes(Some(&a), Some(&b)), [id(&b), id(&a)]);
        assert_eq!(pre_commit_remotes(Some(&a), None), [id(&a)]);
        assert_eq!(pre_commit_remotes(None, Some(&b)), [id(&b)]);
        assert_eq!(pre_commit_remotes(None, None), [MaybeZeroId::Zero]);
    }

    #[test]
    fn hook_scripts_by_their_ids() {
        let pre_commit = b"#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\n# ID: 138fd403232d2ddd5efb44317e38bf03\n";
        assert_eq!(manager_of_hook(pre_commit), Some(Manager::PreCommit));
        let prek = b"#!/bin/sh\n# ID: 182c10f181da4464a3eec51b83331688\n";
        assert_eq!(manager_of_hook(prek), Some(Manager::Prek));
        let lefthook = b"#!/bin/sh\ncall_lefthook()\n{\n}\ncall_lefthook run \"pre-push\" \"$@\"\n";
        assert_eq!(manager_of_hook(lefthook), Some(Manager::Lefthook));
        assert_eq!(manager_of_hook(b"#!/bin/sh\nmake lint\n"), None);
    }

    #[test]
    fn envguard_in_a_pre_commit_config() {
        let shipped = "repos:\n  - repo: https://example.invalid/envguard\n    rev: v1\n    hooks:\n      - id: envguard\n";
        assert_eq!(pre_commit_config(shipped), Configured::Yes);
        let local = format!("repos:\n{PRE_COMMIT_SNIPPET}");
        assert_eq!(pre_commit_config(&local), Configured::Yes);
        let own_id = "repos:\n- repo: local\n  hooks:\n  - id: azure\n    entry: /opt/bin/envguard pre-push\n";
        assert_eq!(pre_commit_config(own_id), Configured::Yes);
        let toml = "[[repos]]\nrepo = \"local\"\n[[repos.hooks]]\nid = \"envguard\"\n";
        assert_eq!(pre_commit_config(toml), Configured::Yes);
        let commented =
            "repos:\n  # - id: envguard\n  - repo: local\n    hooks:\n      - id: envguard-docs\n";
        assert_eq!(pre_commit_config(commented), Configured::No);
    }

    #[test]
    fn the_column_of_the_items_under_repos() {
        assert_eq!(repos_column("repos:\n-   repo: a\n"), 0);
        assert_eq!(repos_column("# x\nrepos:\n  # c\n    - repo: a\n"), 4);
        assert_eq!(repos_column("repos: []\n"), 2);
        assert_eq!(repos_column("default_stages: [pre-commit]\n"), 2);
    }

    #[test]
    fn envguard_in_husky_and_its_line_added_and_taken_out() {
        assert_eq!(husky_script(HUSKY_LINE), Configured::Yes);
        assert_eq!(
            husky_script("npm test\nenvguard pre-push\n"),
            Configured::WithoutArguments
        );
        assert_eq!(husky_script("npm test\n"), Configured::No);
        for before in [None, Some(&b""[..]), Some(b"npm test"), Some(b"npm test\n")] {
            let added = with_husky_line(before);
            assert!(added.ends_with(HUSKY_LINE.as_bytes()));
            let back = without_husky_line(&added).unwrap();
            let expected = before.unwrap_or_default();
            // Only a newline envguard had to add before its line remains.
            assert!(
                back == expected || back == [expected, b"\n"].concat(),
                "{before:?}"
            );
        }
        assert_eq!(without_husky_line(b"npm test\n"), None);
    }

    #[test]
    fn git_versions_and_config_hooks() {
        assert_eq!(git_version("git version 2.55.0\n"), Some((2, 55)));
        assert_eq!(git_version("git version 2.45.1.windows.1"), Some((2, 45)));
        assert_eq!(
            git_version("git version 2.39.3 (Apple Git-146)"),
            Some((2, 39))
        );
        assert_eq!(git_version("nonsense"), None);
        assert!((2, 55) >= CONFIG_HOOKS_SINCE && (2, 47) < CONFIG_HOOKS_SINCE);
        let listing = "hook.lint.command make lint\nhook.lint.event pre-commit\n\
                       hook.envguard.command '/opt/my tools/envguard' pre-push\n\
                       hook.envguard.event pre-commit\nhook.envguard.event\nhook.envguard.event pre-push\n\
                       hook.pre-push.enabled true\n";
        let hooks = config_hooks(listing);
        assert_eq!(hooks.len(), 3);
        assert!(!hooks[0].guards_pushes());
        assert_eq!(hooks[1].events, ["pre-push"]);
        assert!(hooks[1].guards_pushes());
    }
}
