//! A real-repository harness: every test gets its own temp folder with an
//! app repository (branch `main`) and, on demand, bare remotes beside it.
//! git runs with a scrubbed environment (no inherited `GIT_*`, no system or
//! global config, fixed identity, dates from a counter) so runs are stable.
//! What a run said is pinned with [`assert_says!`]; the shared tables of
//! `tests/data` are read by [`tsv`].

pub mod tsv;

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

/// The binary under test.
pub fn envguard_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_envguard"))
}

pub struct TestRepo {
    pub root: TempDir,
    pub dir: PathBuf,
    tick: Cell<u64>,
    extra_env: Vec<(String, String)>,
}

/// The exit code and both streams of a command.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Everything the run said, as a snapshot pins it, [`normalize`]d:
    /// standard error, and standard output under a `--- stdout` line when
    /// there is any (then standard error, if any, under `--- stderr`). A
    /// push keeps git's own lines around what the hook said (`To …`, the
    /// refs sent or `error: failed to push some refs`), so a snapshot also
    /// shows whether the push went through.
    pub fn says(&self) -> String {
        let text = match (self.stdout.is_empty(), self.stderr.is_empty()) {
            (true, _) => self.stderr.clone(),
            (false, true) => format!("--- stdout\n{}", self.stdout),
            (false, false) => format!("--- stdout\n{}--- stderr\n{}", self.stdout, self.stderr),
        };
        normalize(&text)
    }
}

/// Asserts a run's exit code (showing its output when it differs), then
/// pins everything it said ([`Run::says`]) with an insta snapshot in
/// `tests/it/snapshots`, named for the test (`-2`, `-3`, … for a test's
/// later ones), or `name` when one is given.
macro_rules! assert_says {
    ($run:expr, $code:expr $(,)?) => {{
        let run = &$run;
        $crate::common::assert_code(run, $code);
        insta::assert_snapshot!(run.says());
    }};
    ($run:expr, $code:expr, $name:expr $(,)?) => {{
        let run = &$run;
        $crate::common::assert_code(run, $code);
        insta::assert_snapshot!($name, run.says());
    }};
}
pub(crate) use assert_says;

/// What differs between two runs of the same test, replaced: a test's
/// temp folder (`<root>`), the binary under test (`<envguard>`), this
/// source tree (`<source>`), the abbreviated ids of git's lines about a
/// push (`<abbrev>`), and words of lowercase hex digits: 64 (a token)
/// `<token>`, 40 (a commit id) `<oid>`, 12 (envguard's short id)
/// `<hex12>` (a word with any other letter in it stays, as
/// `scripts/golden.sh` normalises).
pub fn normalize(text: &str) -> String {
    let text = text
        .replace(envguard_bin().to_str().unwrap(), "<envguard>")
        .replace(env!("CARGO_MANIFEST_DIR"), "<source>");
    let text = replace_roots(&text);
    let text: String = text.split_inclusive('\n').map(abbreviated_ids).collect();
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let hex = word
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
        match word.len() {
            64 if hex => out.push_str("<token>"),
            40 if hex => out.push_str("<oid>"),
            12 if hex => out.push_str("<hex12>"),
            _ => out.push_str(word),
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// A line of git about a ref it pushed, `   <old>..<new>  main -> main`
/// (or `...` and a `+` flag for a forced update: git's transport.c,
/// `print_ref_status`), with the abbreviated ids (7 or more hex digits;
/// git makes them longer where they would be ambiguous) replaced.
fn abbreviated_ids(line: &str) -> String {
    let is_id = |word: &str| {
        word.len() >= 7
            && word
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    };
    let Some(rest) = line
        .strip_prefix("   ")
        .or_else(|| line.strip_prefix(" + "))
    else {
        return line.to_string();
    };
    let Some((range, after)) = rest.split_once(' ') else {
        return line.to_string();
    };
    let dots = if range.contains("...") { "..." } else { ".." };
    match range.split_once(dots) {
        Some((old, new)) if is_id(old) && is_id(new) => {
            format!("{}<abbrev>{dots}<abbrev> {after}", &line[..3])
        }
        _ => line.to_string(),
    }
}

/// Each test's temp folder ([`TestRepo::new`]: `envguard-test` and six
/// random characters in the system's temp folder) becomes `<root>`.
fn replace_roots(text: &str) -> String {
    let prefix = std::env::temp_dir().join("envguard-test");
    let prefix = prefix.to_str().unwrap();
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        out.push_str(&rest[..at]);
        out.push_str("<root>");
        let after = &rest[at + prefix.len()..];
        let random = after
            .char_indices()
            .take_while(|(_, c)| c.is_ascii_alphanumeric())
            .count();
        rest = &after[random..];
    }
    out.push_str(rest);
    out
}

impl TestRepo {
    /// A fresh repository on branch `main` with a local identity.
    pub fn new() -> TestRepo {
        let root = tempfile::Builder::new()
            .prefix("envguard-test")
            .tempdir()
            .unwrap();
        let dir = root.path().join("app");
        std::fs::create_dir(&dir).unwrap();
        let repo = TestRepo {
            root,
            dir,
            tick: Cell::new(0),
            extra_env: Vec::new(),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// Sets an environment variable for every later command.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.extra_env.push((key.to_string(), value.to_string()));
    }

    /// A command with the harness's environment, run in `dir`.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>, dir: &Path) -> Command {
        let mut command = Command::new(program);
        command.current_dir(dir);
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy().into_owned();
            if key.starts_with("GIT_") || key.starts_with("ENVGUARD_") || key == "EMAIL" {
                command.env_remove(&key);
            }
        }
        let t = self.tick.get() + 1;
        self.tick.set(t);
        let date = format!("@{} +0000", 1_700_000_000 + t * 60);
        command
            .env("HOME", self.root.path())
            .env("XDG_CONFIG_HOME", self.root.path().join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Ada Tester")
            .env("GIT_AUTHOR_EMAIL", "ada@example.invalid")
            .env("GIT_COMMITTER_NAME", "Ada Tester")
            .env("GIT_COMMITTER_EMAIL", "ada@example.invalid")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env("LC_ALL", "C")
            .env("TZ", "UTC")
            .stdin(Stdio::null());
        for (key, value) in &self.extra_env {
            command.env(key, value);
        }
        command
    }

    /// Runs git in the app repository and returns what it did.
    pub fn git_run(&self, args: &[&str]) -> Run {
        Run::from(self.command("git", &self.dir).args(args).output().unwrap())
    }

    /// Runs git, panicking with everything it said unless it exits 0.
    pub fn git(&self, args: &[&str]) -> String {
        let run = self.git_run(args);
        assert_eq!(
            run.code, 0,
            "git {args:?} failed\nstdout:\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        );
        run.stdout.trim_end().to_string()
    }

    /// Runs envguard in the app repository.
    pub fn envguard(&self, args: &[&str]) -> Run {
        Run::from(
            self.command(envguard_bin(), &self.dir)
                .args(args)
                .output()
                .unwrap(),
        )
    }

    /// Runs envguard with `input` on stdin.
    pub fn envguard_with_input(&self, args: &[&str], input: &str) -> Run {
        use std::io::Write;
        let mut child = self
            .command(envguard_bin(), &self.dir)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        Run::from(child.wait_with_output().unwrap())
    }

    /// Writes a file in the working tree (creating folders).
    pub fn write(&self, path: &str, contents: &str) {
        let full = self.dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, contents).unwrap();
    }

    /// Reads a working-tree file.
    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.dir.join(path)).unwrap()
    }

    /// Writes the files, stages them, commits; returns the commit id.
    pub fn commit(&self, files: &[(&str, &str)], message: &str) -> String {
        for (path, contents) in files {
            self.write(path, contents);
            self.git(&["add", "--", path]);
        }
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.rev("HEAD")
    }

    /// Removes a file and commits that.
    pub fn commit_removal(&self, path: &str, message: &str) -> String {
        self.git(&["rm", "-q", "--", path]);
        self.git(&["commit", "-q", "-m", message]);
        self.rev("HEAD")
    }

    pub fn rev(&self, rev: &str) -> String {
        self.git(&["rev-parse", rev])
    }

    /// Adds a bare repository beside the app as remote `name`; returns its path.
    pub fn add_remote(&self, name: &str) -> PathBuf {
        let bare = self.root.path().join(format!("{name}.git"));
        let run = self
            .command("git", self.root.path())
            .args(["init", "-q", "--bare", "-b", "main"])
            .arg(&bare)
            .output()
            .unwrap();
        assert!(run.status.success());
        self.git(&["remote", "add", name, bare.to_str().unwrap()]);
        bare
    }

    /// The commit a ref of a bare remote points at, if any.
    pub fn remote_rev(&self, bare: &Path, refname: &str) -> Option<String> {
        let out = self
            .command("git", bare)
            .args(["rev-parse", "--verify", "-q", refname])
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Installs envguard's hook into the app repository.
    pub fn install_hook(&self) {
        let run = self.envguard(&["install"]);
        assert_eq!(run.code, 0, "install failed: {}", run.stderr);
    }

    /// `git push ARGS`, returning what happened.
    pub fn push(&self, args: &[&str]) -> Run {
        let mut all = vec!["push"];
        all.extend_from_slice(args);
        self.git_run(&all)
    }

    /// `git status --porcelain`.
    pub fn status(&self) -> String {
        self.git(&["status", "--porcelain"])
    }

    /// The paths a commit changed compared with its parent.
    pub fn changed_paths(&self, commit: &str) -> Vec<String> {
        self.git(&["diff-tree", "--no-commit-id", "--name-only", "-r", commit])
            .lines()
            .map(str::to_string)
            .collect()
    }
}

/// The files of the app most tests start from: `requirements`, a
/// `runtime.txt` naming Python 3.11, and one module.
pub fn app(requirements: &str) -> [(&str, &str); 3] {
    [
        ("requirements.txt", requirements),
        ("runtime.txt", "python-3.11\n"),
        ("app.py", "print('hi')\n"),
    ]
}

/// Set-ups of an app that a site has deployed.
impl TestRepo {
    /// A fresh repository whose first commit, "app", holds `files`.
    pub fn with_files(files: &[(&str, &str)]) -> TestRepo {
        let repo = TestRepo::new();
        repo.commit(files, "app");
        repo
    }

    /// An app holding `files` that `git push azure main` has deployed once,
    /// through envguard's installed hook (a first deployment, so the push
    /// goes through); gives the bare remote too.
    pub fn deployed(files: &[(&str, &str)]) -> (TestRepo, PathBuf) {
        TestRepo::deployed_as(files, "main")
    }

    /// The same, pushed as `git push azure REFSPEC` (`main:master`, say).
    pub fn deployed_as(files: &[(&str, &str)], refspec: &str) -> (TestRepo, PathBuf) {
        let repo = TestRepo::with_files(files);
        let bare = repo.add_remote("azure");
        repo.install_hook();
        let first = repo.push(&["azure", refspec]);
        assert_code(&first, 0);
        assert!(
            first.stderr.contains("first deployment"),
            "{}",
            first.stderr
        );
        (repo, bare)
    }

    /// The same without the hook (`git push --no-verify`), so that
    /// `refs/remotes/azure/main` is the deployed commit and the hook has
    /// never run.
    pub fn deployed_without_hook(files: &[(&str, &str)]) -> (TestRepo, PathBuf) {
        let repo = TestRepo::with_files(files);
        let bare = repo.add_remote("azure");
        assert_code(&repo.push(&["--no-verify", "-q", "azure", "main"]), 0);
        (repo, bare)
    }
}

/// libgit2, used in this process by the tests that drive envguard's code
/// directly, reads the machine's global and system git config (this one
/// has an identity in ~/.gitconfig): point it at an empty folder, once for
/// the whole program, so identity comes only from what a test sets.
pub fn isolate_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let empty = tempfile::tempdir().unwrap().keep();
        for level in [
            git2::ConfigLevel::Global,
            git2::ConfigLevel::XDG,
            git2::ConfigLevel::System,
        ] {
            // SAFETY: libgit2's search path is global state. Every test of
            // this program that calls libgit2 in-process calls this first,
            // and call_once makes the others wait until it is done, so no
            // repository is open while it changes.
            unsafe { git2::opts::set_search_path(level, &empty).unwrap() };
        }
    });
}

/// Asserts a run's exit code, showing its output when it differs.
#[track_caller]
pub fn assert_code(run: &Run, code: i32) {
    assert_eq!(
        run.code, code,
        "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
}

/// The program that `name` runs on the test's own PATH, so a command run with
/// a bare PATH (as GUI git clients give hooks) still uses the same git.
pub fn which(name: &str) -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("{name} is not on PATH"))
}

/// Helpers for hook management (tests/it/install.rs): other folders (linked
/// worktrees, install prefixes) and per-command environment variables.
impl TestRepo {
    /// Runs `program ARGS` in `dir` with the harness's environment plus `env`.
    pub fn run_in(
        &self,
        dir: &Path,
        program: impl AsRef<std::ffi::OsStr>,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Run {
        let mut command = self.command(program, dir);
        command.args(args);
        for (key, value) in env {
            command.env(key, value);
        }
        Run::from(command.output().unwrap())
    }

    /// Runs git in `dir` (a linked worktree, say), panicking unless it exits 0.
    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let run = self.run_in(dir, which("git"), args, &[]);
        assert_eq!(
            run.code,
            0,
            "git {args:?} in {} failed\nstdout:\n{}\nstderr:\n{}",
            dir.display(),
            run.stdout,
            run.stderr
        );
        run.stdout.trim_end().to_string()
    }

    /// `git push ARGS` in `dir` with extra environment variables, git
    /// itself found on the test's PATH even when `env` replaces PATH.
    pub fn push_in(&self, dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
        let mut all = vec!["push"];
        all.extend_from_slice(args);
        self.run_in(dir, which("git"), &all, env)
    }

    /// The app repository's own hooks folder.
    pub fn hooks_dir(&self) -> PathBuf {
        self.dir.join(".git").join("hooks")
    }
}
