//! lefthook (evilmartians/lefthook, v2): its configs read as far as
//! envguard needs them, envguard's job and script, and whether lefthook runs
//! envguard on every push. Over text the shell reads; nothing here touches
//! a file.
//!
//! **Why a script job.** lefthook builds a `run:` job's command in
//! `internal/run/controller/command/build_command.go`: on `pre-push`
//! (`config.HookUsesPushFiles`), a command that substituted no files is
//! skipped with "no matching push files" when lefthook's push files are
//! empty. Those are `git diff --name-only HEAD @{push}` (`PushFiles` in
//! `internal/git/repo.go`): the branch against its *own* push destination,
//! usually `origin`, not against the remote being pushed to. So after `git
//! push origin main`, a `git push azure main:master` has no push files, and
//! a `run:` job never runs: a removal reaches the site unchecked. `--force`
//! is a command-line flag of `lefthook run` only, and `{files}` with a
//! `files:` command that always lists a file would hand envguard an extra
//! argument and is itself skipped when hook-level `exclude:` filters that
//! file out (`replacer.HasEmpty`). A `script:` job is built by
//! `build_script.go`, which has no push-files check at all: lefthook runs
//! it on every push, and fails the push (never skips it) when the script is
//! in none of its script folders. That is envguard's job: one config entry
//! and one two-line script, the fewest moving parts that always run.
//!
//! The script job runs `<runner> '<folder>/pre-push/<script>' <args>`
//! through `sh -c` (`internal/run/controller/exec/exec_unix.go`; on Windows
//! `exec_windows.go` runs lefthook's `sh.exe -c`, so `runner: sh` works on
//! every platform lefthook does), once for each script folder that holds
//! the script (`source_dir`, `source_dir_local`, `.config/lefthook`,
//! `.config/lefthook-local`: `getSourceDirs` in `internal/command/run.go`),
//! and once per folder only: its `args` hold no file templates, so
//! `replacer.ReplaceAndSplit` makes one command of them. `{1}` and `{2}` in
//! `args` are git's arguments, put between the quotes around them
//! (`replaceQuoted` in `command/replacer/replacer.go`); without `args`,
//! lefthook appends git's arguments unquoted, so a remote URL with a space
//! or a `$` (Azure's `https://$app@…` deployment URLs) would reach envguard
//! split or expanded. `use_stdin: true` hands the job git's ref lines
//! (`internal/run/controller/run.go`), and with it lefthook passes the
//! job's standard error straight through (`exec_unix.go`), above its own
//! output: the script's `2>&1` keeps envguard's words under the job's header.
//!
//! `lefthook-local.yml` merges its jobs into the main config's by `name`,
//! field by field (`mergeJobsSlice` in `internal/config/loader.go`), so a
//! local job named `envguard` with `run: ""` and a `script:` turns the main
//! config's `run:` job of that name into the script job, for one clone.

use crate::managers::{husky_script, runs_envguard_pre_push, Configured};

/// lefthook's config files in the order it looks for them: by extension,
/// then by name, the main ones (`MainConfigNames`, `Extensions` in
/// `internal/config/loader.go`); it loads the first main one that exists.
pub const MAIN_CONFIGS: [&str; 15] = [
    "lefthook.yml",
    ".lefthook.yml",
    ".config/lefthook.yml",
    "lefthook.yaml",
    ".lefthook.yaml",
    ".config/lefthook.yaml",
    "lefthook.json",
    ".lefthook.json",
    ".config/lefthook.json",
    "lefthook.jsonc",
    ".lefthook.jsonc",
    ".config/lefthook.jsonc",
    "lefthook.toml",
    ".lefthook.toml",
    ".config/lefthook.toml",
];
/// The local ones (`LocalConfigNames`), the first of which lefthook merges
/// over the main one.
pub const LOCAL_CONFIGS: [&str; 15] = [
    "lefthook-local.yml",
    ".lefthook-local.yml",
    ".config/lefthook-local.yml",
    "lefthook-local.yaml",
    ".lefthook-local.yaml",
    ".config/lefthook-local.yaml",
    "lefthook-local.json",
    ".lefthook-local.json",
    ".config/lefthook-local.json",
    "lefthook-local.jsonc",
    ".lefthook-local.jsonc",
    ".config/lefthook-local.jsonc",
    "lefthook-local.toml",
    ".lefthook-local.toml",
    ".config/lefthook-local.toml",
];

/// How a config file of lefthook's is written, by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
    Toml,
}

impl Format {
    pub fn of(name: &str) -> Format {
        if name.ends_with(".toml") {
            Format::Toml
        } else if name.ends_with(".json") || name.ends_with(".jsonc") {
            Format::Json
        } else {
            Format::Yaml
        }
    }
}

/// Where `envguard install --manager` puts envguard's job: the per-clone
/// config, which lefthook merges into the main one.
pub const LOCAL: &str = "lefthook-local.yml";
/// The script's file name, in a script folder's `pre-push/`.
pub const SCRIPT_NAME: &str = "envguard.sh";
/// lefthook's default script folders (`DefaultSourceDir`,
/// `DefaultSourceDirLocal` in `internal/config/loader.go`).
pub const SOURCE_DIR: &str = ".lefthook";
pub const SOURCE_DIR_LOCAL: &str = ".lefthook-local";

/// envguard's job, for `lefthook.yml` (merged into an existing `pre-push:`):
/// a script job lefthook never skips (see the module's header).
pub const SNIPPET: &str = "pre-push:
  jobs:
    - name: envguard
      script: envguard.sh
      runner: sh
      args: \"'{1}' '{2}'\"
      use_stdin: true
";

/// The script the job runs, `.lefthook/pre-push/envguard.sh` (or
/// `.lefthook-local/pre-push/envguard.sh` for one clone): git's arguments
/// and ref lines go to envguard, its words to standard output.
pub const SCRIPT: &str = "#!/bin/sh
# Run by lefthook's `envguard` job on every push: git's arguments and ref
# lines go to envguard, and its words under the job's header.
exec envguard pre-push \"$@\" 2>&1
";

/// The first line of the `lefthook-local.yml` that `--manager` writes.
const LOCAL_HEADER: &str =
    "# Written by `envguard install --manager`; `envguard uninstall` removes it.\n";

/// The `lefthook-local.yml` that `envguard install --manager` writes, and
/// `envguard uninstall` removes while it is unchanged. Its `run: ""` clears
/// the command of a `run:` job named `envguard` in the main config (an
/// earlier snippet of envguard's), which lefthook would otherwise keep
/// beside `script:` and refuse.
pub fn local() -> String {
    let job = SNIPPET.replace(
        "      script:",
        "      # Clears the `run:` of a job of this name in lefthook.yml.\n      run: \"\"\n      script:",
    );
    format!("{LOCAL_HEADER}{job}")
}

/// [`local`] without its first line: the job to add to a local config of
/// the user's.
pub fn local_job() -> String {
    local()[LOCAL_HEADER.len()..].to_string()
}

/// The `lefthook-local.yml` an earlier envguard wrote (a `run:` job, which
/// lefthook skips when it finds no push files): still envguard's, so
/// `install --manager` replaces it and `uninstall` removes it.
pub fn earlier_local() -> String {
    format!(
        "{LOCAL_HEADER}pre-push:\n  jobs:\n    - name: envguard\n      run: envguard pre-push \"{{1}}\" \"{{2}}\" 2>&1\n      use_stdin: true\n"
    )
}

/// Whether a `lefthook-local.yml` is one that envguard wrote.
pub fn is_envguards_local(text: &str) -> bool {
    text == local() || text == earlier_local()
}

/// A config as a tree: mappings, sequences and scalars (booleans and
/// numbers as their text). YAML through [`yaml_tree`], TOML through
/// [`toml_tree`]; the shell turns JSON into one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tree {
    Map(Vec<(String, Tree)>),
    Seq(Vec<Tree>),
    Scalar(String),
}

impl Tree {
    /// The value of `key` in a mapping (the last one, as a parser that
    /// allowed repeated keys would keep).
    pub fn get(&self, key: &str) -> Option<&Tree> {
        match self {
            Tree::Map(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn text(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            Tree::Scalar(text) => Some(text.clone()),
            _ => None,
        }
    }

    fn flag(&self, key: &str) -> Option<bool> {
        self.text(key).map(|text| text.eq_ignore_ascii_case("true"))
    }
}

/// A TOML config as a tree; `None` when it is not TOML.
pub fn toml_tree(text: &str) -> Option<Tree> {
    fn convert(value: &toml::Value) -> Tree {
        match value {
            toml::Value::Table(table) => {
                Tree::Map(table.iter().map(|(k, v)| (k.clone(), convert(v))).collect())
            }
            toml::Value::Array(items) => Tree::Seq(items.iter().map(convert).collect()),
            toml::Value::String(text) => Tree::Scalar(text.clone()),
            other => Tree::Scalar(other.to_string()),
        }
    }
    let table: toml::Table = text.parse().ok()?;
    Some(convert(&toml::Value::Table(table)))
}

/// One significant line of a YAML text: its indentation and its content
/// without a trailing comment.
#[derive(Clone, Debug)]
struct Line {
    indent: usize,
    text: String,
}

/// Where a `#` starts a comment: at the start, or after white space,
/// outside a quoted scalar (a quote counts only where a scalar can begin).
fn without_comment(text: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (at, c) in text.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if (c == '"' || c == '\'') && matches!(previous, ' ' | ':' | '-' | '[' | ',') => {
                quote = Some(c)
            }
            None if c == '#' && previous.is_whitespace() => return text[..at].trim_end(),
            None => {}
        }
        previous = c;
    }
    text.trim_end()
}

/// A scalar's value: quotes taken off (`""` with its backslash escapes of
/// quotes and backslashes, `''` with its doubled quote).
fn unquote(value: &str) -> String {
    let value = value.trim();
    if value.len() >= 2 && value.starts_with('"') && value.ends_with('"') {
        value[1..value.len() - 1]
            .replace("\\\\", "\u{0}")
            .replace("\\\"", "\"")
            .replace('\u{0}', "\\")
    } else if value.len() >= 2 && value.starts_with('\'') && value.ends_with('\'') {
        value[1..value.len() - 1].replace("''", "'")
    } else {
        value.to_string()
    }
}

/// `key: value` (or `key:`) split at the first colon followed by white
/// space or the end, outside quotes; `None` for a line that is no key.
fn split_key(text: &str) -> Option<(String, &str)> {
    let mut quote: Option<char> = None;
    let bytes = text.as_bytes();
    for (at, c) in text.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if at == 0 && (c == '"' || c == '\'') => quote = Some(c),
            None if c == ':' && bytes.get(at + 1).is_none_or(|b| *b == b' ' || *b == b'\t') => {
                return Some((unquote(&text[..at]), text[at + 1..].trim()));
            }
            None => {}
        }
    }
    None
}

fn is_item(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

/// Reads YAML's block style as lefthook configs use it: mappings and
/// sequences by indentation, plain and quoted scalars, block scalars (`|`,
/// `>`) as their lines joined. Flow collections (`[a, b]`), anchors and
/// tags stay scalars as written; what it cannot place it skips.
pub fn yaml_tree(text: &str) -> Tree {
    let lines = text
        .lines()
        .map(|raw| raw.trim_end_matches('\r'))
        .filter(|raw| {
            let t = raw.trim();
            !t.is_empty() && !t.starts_with('#') && t != "---" && t != "..."
        })
        .map(|raw| Line {
            indent: raw.len() - raw.trim_start_matches(' ').len(),
            text: without_comment(raw.trim_start_matches(' ')).to_string(),
        })
        .collect();
    let mut parser = Parser {
        lines,
        at: 0,
        depth: 0,
    };
    let indent = parser.peek().map_or(0, |line| line.indent);
    parser.node(indent)
}

struct Parser {
    lines: Vec<Line>,
    at: usize,
    /// How deep the collection being read is nested.
    depth: usize,
}

/// How deep collections nest before the reader takes the rest for a
/// scalar: lefthook's configs nest a few levels; a hostile file could nest
/// one level per line (or per `- `) and exhaust the stack.
const MAX_DEPTH: usize = 64;

impl Parser {
    fn peek(&self) -> Option<&Line> {
        self.lines.get(self.at)
    }

    fn node(&mut self, indent: usize) -> Tree {
        if self.depth >= MAX_DEPTH {
            // What nests deeper is skipped: the caller's loop passes over
            // lines it cannot place.
            return Tree::Scalar(String::new());
        }
        self.depth += 1;
        let tree = match self.peek() {
            Some(line) if line.indent == indent && is_item(&line.text) => self.seq(indent),
            Some(line) if line.indent == indent => self.map(indent),
            _ => Tree::Scalar(String::new()),
        };
        self.depth -= 1;
        tree
    }

    /// The value after `key:` with nothing on its line: what is indented
    /// below it, or a sequence at the key's own column.
    fn nested(&mut self, indent: usize) -> Tree {
        match self.peek() {
            Some(line) if line.indent > indent => {
                let inner = line.indent;
                self.node(inner)
            }
            Some(line) if line.indent == indent && is_item(&line.text) => self.node(indent),
            _ => Tree::Scalar(String::new()),
        }
    }

    fn seq(&mut self, indent: usize) -> Tree {
        let mut items = Vec::new();
        while let Some(line) = self.peek() {
            if line.indent != indent || !is_item(&line.text) {
                break;
            }
            let rest = line.text[1..].trim_start().to_string();
            if rest.is_empty() {
                self.at += 1;
                items.push(match self.peek() {
                    Some(next) if next.indent > indent => {
                        let inner = next.indent;
                        self.node(inner)
                    }
                    _ => Tree::Scalar(String::new()),
                });
                continue;
            }
            // `- key: value` opens a mapping at the column of `key`.
            let column = indent + line.text.len() - rest.len();
            let is_map = split_key(&rest).is_some();
            let nested_item = is_item(&rest);
            self.lines[self.at] = Line {
                indent: column,
                text: rest.clone(),
            };
            if is_map || nested_item {
                items.push(self.node(column));
            } else {
                self.at += 1;
                items.push(Tree::Scalar(unquote(&rest)));
            }
        }
        Tree::Seq(items)
    }

    fn map(&mut self, indent: usize) -> Tree {
        let mut entries = Vec::new();
        while let Some(line) = self.peek() {
            if line.indent < indent || (line.indent == indent && is_item(&line.text)) {
                break;
            }
            let Some((key, value)) = split_key(&line.text).filter(|_| line.indent == indent) else {
                // A plain scalar's continuation line, or no key: skipped.
                self.at += 1;
                continue;
            };
            let value = value.to_string();
            self.at += 1;
            let child = if value.is_empty() {
                self.nested(indent)
            } else if value.starts_with('|') || value.starts_with('>') {
                let mut block = Vec::new();
                while let Some(next) = self.peek().filter(|next| next.indent > indent) {
                    block.push(next.text.clone());
                    self.at += 1;
                }
                Tree::Scalar(block.join("\n"))
            } else {
                Tree::Scalar(unquote(&value))
            };
            entries.push((key, child));
        }
        Tree::Map(entries)
    }
}

/// A `pre-push` job of lefthook's, as far as envguard reads it: from
/// `jobs:` (groups' jobs included), `commands:` or `scripts:`. A field is
/// `None` where the config does not set it, so a local config's job can be
/// laid over the main one's field by field, as lefthook merges them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Job {
    pub name: Option<String>,
    pub run: Option<String>,
    pub script: Option<String>,
    pub args: Option<String>,
    pub use_stdin: Option<bool>,
}

impl Job {
    fn read(item: &Tree) -> Job {
        Job {
            name: item.text("name"),
            run: item.text("run"),
            script: item.text("script"),
            args: item.text("args"),
            use_stdin: item.flag("use_stdin"),
        }
    }

    /// `self` with `over`'s fields where `over` sets them.
    fn merged(&self, over: &Job) -> Job {
        Job {
            name: over.name.clone().or_else(|| self.name.clone()),
            run: over.run.clone().or_else(|| self.run.clone()),
            script: over.script.clone().or_else(|| self.script.clone()),
            args: over.args.clone().or_else(|| self.args.clone()),
            use_stdin: over.use_stdin.or(self.use_stdin),
        }
    }

    /// The command of a `run:` job (a cleared `run: ""` is none).
    fn command(&self) -> Option<&str> {
        self.run.as_deref().filter(|run| !run.trim().is_empty())
    }
}

/// What envguard reads of one lefthook config.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// The jobs of its `pre-push` hook.
    pub jobs: Vec<Job>,
    /// `source_dir` and `source_dir_local`, where set.
    pub source_dir: Option<String>,
    pub source_dir_local: Option<String>,
}

impl Config {
    pub fn read(tree: &Tree) -> Config {
        let mut jobs = Vec::new();
        if let Some(hook) = tree.get("pre-push") {
            if let Some(Tree::Seq(items)) = hook.get("jobs") {
                collect_jobs(items, &mut jobs);
            }
            for (key, script) in [("commands", false), ("scripts", true)] {
                if let Some(Tree::Map(entries)) = hook.get(key) {
                    for (name, value) in entries {
                        let mut job = Job::read(value);
                        job.name = Some(name.clone());
                        if script {
                            job.script = Some(name.clone());
                            job.run = None;
                        }
                        jobs.push(job);
                    }
                }
            }
        }
        Config {
            jobs,
            source_dir: tree.text("source_dir"),
            source_dir_local: tree.text("source_dir_local"),
        }
    }

    /// The main config with the local one laid over it: its named jobs
    /// merged into the main config's of the same name, the others added,
    /// its settings taking precedence.
    pub fn merged(&self, local: &Config) -> Config {
        let mut jobs = self.jobs.clone();
        for over in &local.jobs {
            match jobs
                .iter_mut()
                .find(|job| over.name.is_some() && job.name == over.name)
            {
                Some(job) => *job = job.merged(over),
                None => jobs.push(over.clone()),
            }
        }
        Config {
            jobs,
            source_dir: local.source_dir.clone().or_else(|| self.source_dir.clone()),
            source_dir_local: local
                .source_dir_local
                .clone()
                .or_else(|| self.source_dir_local.clone()),
        }
    }

    /// The folders (relative to the root) in which lefthook looks for a
    /// script, each with `pre-push/<script>` below it (`getSourceDirs` in
    /// `internal/command/run.go`; a remote config's folder is not read
    /// here). lefthook joins them to the root even when absolute.
    pub fn script_dirs(&self) -> Vec<String> {
        let dir = |set: &Option<String>, default: &str| {
            set.as_deref()
                .filter(|dir| !dir.is_empty())
                .unwrap_or(default)
                .trim_start_matches('/')
                .trim_end_matches('/')
                .to_string()
        };
        vec![
            dir(&self.source_dir, SOURCE_DIR),
            dir(&self.source_dir_local, SOURCE_DIR_LOCAL),
            ".config/lefthook".to_string(),
            ".config/lefthook-local".to_string(),
        ]
    }
}

fn collect_jobs(items: &[Tree], jobs: &mut Vec<Job>) {
    for item in items {
        match item.get("group").and_then(|group| group.get("jobs")) {
            Some(Tree::Seq(inner)) => collect_jobs(inner, jobs),
            _ => jobs.push(Job::read(item)),
        }
    }
}

/// How lefthook runs envguard, judged over the effective config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judged {
    pub configured: Configured,
    /// The script of envguard's script job, when that is what runs it.
    pub script: Option<String>,
    /// How many of lefthook's script folders hold it: lefthook runs it
    /// once from each.
    pub copies: usize,
}

/// Judges a config (main and local merged): `scripts(name)` gives the text
/// of `<folder>/pre-push/<name>` from each script folder that holds it.
///
/// - a script job whose script runs `envguard pre-push "$@"`: `Yes` with
///   `use_stdin: true`, else `WithoutStdin`; `WithoutArguments` when the
///   script leaves out `"$@"`;
/// - a `run:` job that runs `envguard pre-push`: `Skippable`, whatever its
///   other keys (lefthook skips it when it finds no push files);
/// - a script job named `envguard`, or whose script's name says envguard,
///   with the script in no folder: `ScriptMissing` (lefthook fails every
///   push until it is there);
/// - else `No`. The best of the jobs counts.
pub fn judge(config: &Config, scripts: &dyn Fn(&str) -> Vec<String>) -> Judged {
    let rank = |c: &Configured| match c {
        Configured::Yes => 3,
        Configured::No => 1,
        _ => 2,
    };
    let mut best = Judged {
        configured: Configured::No,
        script: None,
        copies: 0,
    };
    for job in &config.jobs {
        let judged = match (
            job.command(),
            job.script.as_deref().filter(|s| !s.is_empty()),
        ) {
            (Some(run), _) => {
                if !run.lines().any(runs_envguard_pre_push) {
                    continue;
                }
                Judged {
                    configured: Configured::Skippable,
                    script: None,
                    copies: 0,
                }
            }
            (None, Some(script)) => {
                let texts = scripts(script);
                let verdicts: Vec<Configured> = texts.iter().map(|t| husky_script(t)).collect();
                let configured = if verdicts.iter().any(|v| *v != Configured::No) {
                    if job.use_stdin != Some(true) {
                        Configured::WithoutStdin
                    } else if verdicts.contains(&Configured::WithoutArguments) {
                        Configured::WithoutArguments
                    } else {
                        Configured::Yes
                    }
                } else if texts.is_empty()
                    && (job.name.as_deref() == Some("envguard") || script.contains("envguard"))
                {
                    Configured::ScriptMissing
                } else {
                    continue;
                };
                Judged {
                    configured,
                    script: Some(script.to_string()),
                    copies: texts.len(),
                }
            }
            (None, None) => continue,
        };
        if rank(&judged.configured) > rank(&best.configured) {
            best = judged;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Config {
        Config::read(&yaml_tree(text))
    }

    fn script(_: &str) -> Vec<String> {
        vec![SCRIPT.to_string()]
    }

    fn none(_: &str) -> Vec<String> {
        Vec::new()
    }

    #[test]
    fn yaml_as_lefthook_configs_write_it() {
        let tree = yaml_tree(
            "# lefthook\nsource_dir: \"hooks/\" # ours\npre-push:\n  parallel: true\n  jobs:\n  - name: 'a b'\n    run: |\n      echo one\n      echo two\n  -   name: c\n      glob: [\"*.py\", '*.txt']\n  - group:\n      jobs:\n        - run: inner\n  - plain\npre-commit:\n  commands:\n    lint:\n      run: make lint # it's fine\n",
        );
        assert_eq!(tree.get("source_dir"), Some(&Tree::Scalar("hooks/".into())));
        let Some(Tree::Seq(jobs)) = tree.get("pre-push").and_then(|h| h.get("jobs")) else {
            panic!("{tree:?}")
        };
        assert_eq!(jobs.len(), 4);
        assert_eq!(jobs[0].text("name").as_deref(), Some("a b"));
        assert_eq!(jobs[0].text("run").as_deref(), Some("echo one\necho two"));
        assert_eq!(jobs[1].text("glob").as_deref(), Some("[\"*.py\", '*.txt']"));
        assert_eq!(jobs[3], Tree::Scalar("plain".into()));
        let lint = tree
            .get("pre-commit")
            .and_then(|h| h.get("commands"))
            .and_then(|c| c.get("lint"))
            .and_then(|l| l.text("run"));
        assert_eq!(lint.as_deref(), Some("make lint"));
        let config = Config::read(&tree);
        assert_eq!(config.jobs.len(), 4, "the group's job counts");
        assert_eq!(config.jobs[2].run.as_deref(), Some("inner"));
        assert_eq!(config.script_dirs()[0], "hooks");
    }

    #[test]
    fn a_hostile_nesting_is_cut_short_not_a_stack_overflow() {
        let dashes = format!("pre-push:\n  jobs:\n  {}x\n", "- ".repeat(200_000));
        assert!(matches!(
            yaml_tree(&dashes).get("pre-push"),
            Some(Tree::Map(_))
        ));
        let stairs: String = (0..3_000)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        assert!(matches!(yaml_tree(&stairs), Tree::Map(_)));
        // A config after such a part is still read.
        let after = format!("{stairs}{SNIPPET}");
        assert_eq!(yaml(&after).jobs.len(), 1);
    }

    #[test]
    fn quoted_scalars_keep_what_is_inside() {
        assert_eq!(unquote("\"'{1}' '{2}'\""), "'{1}' '{2}'");
        assert_eq!(unquote("'it''s'"), "it's");
        assert_eq!(unquote("\"a \\\"b\\\" c\\\\\""), "a \"b\" c\\");
        assert_eq!(without_comment("run: echo don't # x"), "run: echo don't");
        assert_eq!(without_comment("run: \"a # b\" # c"), "run: \"a # b\"");
        assert_eq!(
            without_comment("url: https://x/#frag"),
            "url: https://x/#frag"
        );
        assert_eq!(
            split_key("run: envguard pre-push \"{1}\" \"{2}\" 2>&1"),
            Some(("run".into(), "envguard pre-push \"{1}\" \"{2}\" 2>&1"))
        );
        assert_eq!(split_key("\"pre-push\":"), Some(("pre-push".into(), "")));
        assert_eq!(split_key("https://example.invalid"), None);
    }

    #[test]
    fn the_snippet_is_a_script_job_that_lefthook_runs_on_every_push() {
        let config = yaml(SNIPPET);
        assert_eq!(
            config.jobs,
            [Job {
                name: Some("envguard".into()),
                run: None,
                script: Some(SCRIPT_NAME.into()),
                args: Some("'{1}' '{2}'".into()),
                use_stdin: Some(true),
            }]
        );
        let judged = judge(&config, &script);
        assert_eq!(judged.configured, Configured::Yes);
        assert_eq!(judged.script.as_deref(), Some(SCRIPT_NAME));
        assert_eq!(judged.copies, 1);
        // The script in no folder: lefthook fails every push.
        assert_eq!(judge(&config, &none).configured, Configured::ScriptMissing);
        // Without `use_stdin`, or a script without "$@".
        let without = yaml(&SNIPPET.replace("      use_stdin: true\n", ""));
        assert_eq!(
            judge(&without, &script).configured,
            Configured::WithoutStdin
        );
        let bare = |_: &str| vec!["envguard pre-push\n".to_string()];
        assert_eq!(
            judge(&config, &bare).configured,
            Configured::WithoutArguments
        );
        // Another script job of the team's is not envguard's.
        let lint = yaml("pre-push:\n  jobs:\n    - script: lint.sh\n      runner: bash\n");
        assert_eq!(judge(&lint, &none).configured, Configured::No);
        let other = |_: &str| vec!["#!/bin/sh\nmake lint\n".to_string()];
        assert_eq!(judge(&lint, &other).configured, Configured::No);
        // The `scripts:` map form names the job after the script.
        let map = yaml("pre-push:\n  scripts:\n    \"envguard.sh\":\n      runner: sh\n      use_stdin: true\n");
        assert_eq!(judge(&map, &script).configured, Configured::Yes);
    }

    #[test]
    fn a_run_job_is_one_lefthook_can_skip() {
        let earlier = earlier_local();
        assert_eq!(
            judge(&yaml(&earlier), &none).configured,
            Configured::Skippable
        );
        let commands = "pre-push:\n  commands:\n    envguard:\n      use_stdin: true\n      run: envguard pre-push {1} {2}\n    lint:\n      run: make lint\n";
        assert_eq!(
            judge(&yaml(commands), &none).configured,
            Configured::Skippable
        );
        let pre_commit_only =
            "pre-commit:\n  jobs:\n    - run: envguard pre-push {1} {2}\n      use_stdin: true\n";
        assert_eq!(
            judge(&yaml(pre_commit_only), &none).configured,
            Configured::No
        );
        // The script job wins over a run job beside it.
        let both = format!("{SNIPPET}    - name: old\n      run: envguard pre-push {{1}} {{2}}\n");
        assert_eq!(judge(&yaml(&both), &script).configured, Configured::Yes);
    }

    #[test]
    fn the_local_job_turns_the_main_run_job_into_the_script_job() {
        let main = yaml(&earlier_local());
        let local = yaml(&local());
        let merged = main.merged(&local);
        assert_eq!(merged.jobs.len(), 1);
        assert_eq!(merged.jobs[0].run.as_deref(), Some(""));
        assert_eq!(judge(&merged, &script).configured, Configured::Yes);
        // A local job of another name runs beside the main one's.
        let other = yaml("pre-push:\n  jobs:\n    - name: lint\n      run: make lint\n");
        assert_eq!(main.merged(&other).jobs.len(), 2);
        assert!(is_envguards_local(&super::local()) && is_envguards_local(&earlier_local()));
        assert!(!is_envguards_local(SNIPPET));
    }

    #[test]
    fn toml_configs() {
        let toml = "source_dir_local = \".hooks-local\"\n[[pre-push.jobs]]\nname = \"envguard\"\nscript = \"envguard.sh\"\nrunner = \"sh\"\nuse_stdin = true\n";
        let config = Config::read(&toml_tree(toml).unwrap());
        assert_eq!(judge(&config, &script).configured, Configured::Yes);
        assert_eq!(config.script_dirs()[1], ".hooks-local");
        let run =
            "[pre-push.commands.envguard]\nrun = \"envguard pre-push {1} {2}\"\nuse_stdin = true\n";
        let config = Config::read(&toml_tree(run).unwrap());
        assert_eq!(judge(&config, &none).configured, Configured::Skippable);
        assert_eq!(toml_tree("pre-push = ["), None);
    }

    #[test]
    fn config_names_in_lefthooks_order() {
        assert_eq!(MAIN_CONFIGS[0], "lefthook.yml");
        assert!(LOCAL_CONFIGS
            .iter()
            .all(|name| name.contains("lefthook-local")));
        assert_eq!(Format::of(".config/lefthook.jsonc"), Format::Json);
        assert_eq!(Format::of("lefthook-local.toml"), Format::Toml);
        assert_eq!(Format::of("lefthook.yaml"), Format::Yaml);
    }
}
