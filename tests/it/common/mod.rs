//! A real-repository harness: every test gets its own temp folder with an
//! app repository (branch `main`) and, on demand, bare remotes beside it.
//! git runs with a scrubbed environment (no inherited `GIT_*`, no system or
//! global config, fixed identity, dates from a counter) so runs are stable.

#![allow(dead_code)]

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
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
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

/// Helpers for hook management (tests/install.rs): other folders (linked
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
