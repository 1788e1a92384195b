//! envguard under the hook managers teams already use, run for real:
//! pre-commit and prek (with the shipped `.pre-commit-hooks.yaml`), lefthook,
//! husky, and git's own config-based hooks (git >= 2.54). For each manager:
//! envguard first then the manager, the manager first then envguard, the
//! manager re-syncing its hooks; each time a push that removes a package is
//! stopped with a marker commit that the next push carries, and `uninstall`
//! leaves the manager's own files byte for byte as the manager wrote them.
//!
//! The managers are installed once per test run by
//! `scripts/manager-tools.sh` into `ENVGUARD_TEST_MANAGERS` (`.ci/run` does
//! it first) or, without that variable, into cargo's test temp folder. The
//! git with config-based hooks is `ENVGUARD_TEST_GIT` or
//! `/opt/git-2.55/bin/git` (`scripts/build-git.sh` builds it); without one
//! those tests fail under `CI=true` and are skipped, saying so, elsewhere.
//!
//! What envguard's own commands say (install, uninstall, doctor, pre-push)
//! is pinned with snapshots. A push through a manager prints the manager's
//! own lines and versions around envguard's, and the tests that need a git
//! with config-based hooks (skipped where there is none, so never recorded
//! here) or name this git's version cannot be pinned either: those look for
//! envguard's words with `contains`.

#![cfg(unix)]

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{assert_code, assert_says, envguard_bin, which, Run, TestRepo};

const REQS: &str = "flask==3.0.0\nsix\n";

/// Where the managers' programs are.
struct Tools {
    /// pre-commit, prek and lefthook (PyPI, in a venv).
    venv_bin: PathBuf,
    /// husky (npm).
    npm_bin: PathBuf,
}

/// Installs the managers once for the whole test binary.
fn tools() -> &'static Tools {
    static TOOLS: OnceLock<Tools> = OnceLock::new();
    TOOLS.get_or_init(|| {
        let dir = std::env::var_os("ENVGUARD_TEST_MANAGERS")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("manager-tools"));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/manager-tools.sh");
        let status = std::process::Command::new("bash")
            .arg(&script)
            .arg(&dir)
            .status()
            .unwrap();
        assert!(
            status.success(),
            "{} {} failed",
            script.display(),
            dir.display()
        );
        Tools {
            venv_bin: dir.join("venv/bin"),
            npm_bin: dir.join("npm/node_modules/.bin"),
        }
    })
}

/// A git with config-based hooks, or `None` (then the test is skipped,
/// except under CI, where that is a failure).
fn config_hook_git() -> Option<PathBuf> {
    let git = std::env::var_os("ENVGUARD_TEST_GIT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/git-2.55/bin/git"));
    if git.is_file() {
        return Some(git);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "no git with config-based hooks at {} (ENVGUARD_TEST_GIT): .ci/run builds one with scripts/build-git.sh",
        git.display()
    );
    eprintln!(
        "skipped: no git >= 2.54 at {} (set ENVGUARD_TEST_GIT, or run scripts/build-git.sh)",
        git.display()
    );
    None
}

/// PATH for a test: envguard first (pre-commit's `language: system` and the
/// snippets run `envguard` from PATH), then the managers, then `git`.
fn test_path(git: &Path) -> String {
    let tools = tools();
    format!(
        "{}:{}:{}:{}:/usr/bin:/bin",
        envguard_bin().parent().unwrap().display(),
        tools.venv_bin.display(),
        tools.npm_bin.display(),
        git.parent().unwrap().display()
    )
}

/// An app with requirements and a remote `azure`, nothing pushed yet, whose
/// commands all see the managers on PATH (and `git` = the given one).
fn app_with(git: &Path) -> (TestRepo, PathBuf) {
    let mut repo = TestRepo::new();
    repo.set_env("PATH", &test_path(git));
    repo.commit(
        &[
            ("requirements.txt", REQS),
            ("runtime.txt", "python-3.11\n"),
            ("app.py", "print('hi')\n"),
        ],
        "app",
    );
    let bare = repo.add_remote("azure");
    (repo, bare)
}

fn app() -> (TestRepo, PathBuf) {
    app_with(&which("git"))
}

/// Runs a manager's program in the app.
fn tool(repo: &TestRepo, program: &str, args: &[&str]) -> Run {
    let tools = tools();
    let path = [&tools.venv_bin, &tools.npm_bin]
        .iter()
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("{program} is not installed by scripts/manager-tools.sh"));
    repo.run_in(&repo.dir, path, args, &[])
}

fn tool_ok(repo: &TestRepo, program: &str, args: &[&str]) -> Run {
    let run = tool(repo, program, args);
    assert_eq!(
        run.code, 0,
        "{program} {args:?} failed\nstdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    run
}

/// Everything a push said: hook managers print their hooks' output on
/// stdout, git's own hooks on stderr.
fn said(run: &Run) -> String {
    format!("{}{}", run.stdout, run.stderr)
}

/// Every file under `dir` (recursively) with its bytes, as a snapshot to
/// compare byte for byte.
fn files_under(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(next) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&next) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap_or_default();
                files.insert(path.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    files
}

fn file_names(dir: &Path) -> Vec<String> {
    files_under(dir)
        .keys()
        .map(|p| p.display().to_string())
        .collect()
}

/// The first push: a first deployment, which passes (pre-commit shows a
/// passing hook's words only with `verbose`, so the remote tells).
#[track_caller]
fn deploy(repo: &TestRepo) {
    let run = repo.push(&["azure", "main"]);
    assert_code(&run, 0);
    assert_eq!(repo.rev("refs/remotes/azure/main"), repo.rev("HEAD"));
}

/// A push that drops `six` is stopped with a marker commit on top of the
/// pushed commit; the next push carries it and passes.
#[track_caller]
fn removal_is_stopped_with_a_marker(repo: &TestRepo, bare: &Path) {
    let deployed = repo.rev("refs/remotes/azure/main");
    let pushed = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop six");
    let run = repo.push(&["azure", "main"]);
    assert_code(&run, 1);
    let text = said(&run);
    assert!(text.contains("removes six"), "{text}");
    assert!(text.contains("git push azure main"), "{text}");
    assert_eq!(repo.remote_rev(bare, "refs/heads/main").unwrap(), deployed);
    assert_eq!(repo.rev("HEAD^"), pushed);
    assert_eq!(
        repo.changed_paths("HEAD"),
        [".envguard/fingerprint.toml", ".envguard/force-clean"]
    );
    let marker = repo.rev("HEAD");
    let again = repo.push(&["azure", "main"]);
    assert_code(&again, 0);
    assert_eq!(repo.remote_rev(bare, "refs/heads/main").unwrap(), marker);
}

/// The `.pre-commit-config.yaml` that `envguard install` prints: a local
/// hook running the `envguard` on PATH.
fn local_pre_commit_config() -> String {
    format!("repos:\n{}", envguard_core::managers::PRE_COMMIT_SNIPPET)
}

/// Commits a `.pre-commit-config.yaml` that runs envguard (the local hook;
/// the shipped one, which pre-commit builds itself, has its own test).
fn commit_pre_commit_config(repo: &TestRepo) {
    repo.commit(
        &[(".pre-commit-config.yaml", &local_pre_commit_config())],
        "pre-commit config",
    );
}

const PRE_COMMIT_TOOLS: [&str; 2] = ["pre-commit", "prek"];

#[test]
fn pre_commit_first_then_envguard_install_says_it_is_configured_and_touches_no_hook() {
    for manager in PRE_COMMIT_TOOLS {
        let (repo, bare) = app();
        commit_pre_commit_config(&repo);
        tool_ok(&repo, manager, &["install", "--hook-type", "pre-push"]);
        let before = files_under(&repo.hooks_dir());

        let run = repo.envguard(&["install"]);
        assert_says!(run, 0);
        assert_eq!(
            files_under(&repo.hooks_dir()),
            before,
            "{manager}: no hook file touched"
        );

        let doctor = repo.envguard(&["doctor"]);
        assert!(
            doctor.stdout.contains("ok    hook:"),
            "{manager}: {}",
            doctor.stdout
        );
        assert!(
            !doctor.stdout.contains("FIX   hook"),
            "{manager}: {}",
            doctor.stdout
        );

        deploy(&repo);
        removal_is_stopped_with_a_marker(&repo, &bare);

        let run = repo.envguard(&["uninstall"]);
        assert_says!(run, 0);
        assert_eq!(
            files_under(&repo.hooks_dir()),
            before,
            "{manager}: byte for byte"
        );
    }
}

#[test]
fn pre_commit_without_envguard_in_its_config_gets_the_snippet_not_a_chain() {
    for manager in PRE_COMMIT_TOOLS {
        let (repo, _bare) = app();
        repo.commit(&[(".pre-commit-config.yaml", "repos: []\n")], "pre-commit");
        tool_ok(&repo, manager, &["install", "--hook-type", "pre-push"]);
        let before = files_under(&repo.hooks_dir());

        // Nothing installed: exit 1 (docs/exit-codes.md).
        let run = repo.envguard(&["install"]);
        assert_says!(run, 1);
        assert_eq!(
            files_under(&repo.hooks_dir()),
            before,
            "{manager}: no chain"
        );

        // The doctor asks for the snippet, never for a chain under pre-commit.
        let doctor = repo.envguard(&["doctor"]);
        assert_says!(doctor, 1);
    }
}

#[test]
fn envguard_first_then_pre_commit_checks_each_push_once_and_uninstall_leaves_pre_commits_hook() {
    for manager in PRE_COMMIT_TOOLS {
        let (repo, bare) = app();
        repo.install_hook();
        commit_pre_commit_config(&repo);
        // pre-commit moves envguard's hook aside as pre-push.legacy.
        tool_ok(&repo, manager, &["install", "--hook-type", "pre-push"]);
        let legacy = repo.hooks_dir().join("pre-push.legacy");
        assert!(legacy.exists(), "{manager}");
        let managers_hook = std::fs::read(repo.hooks_dir().join("pre-push")).unwrap();

        // envguard sees itself in pre-commit's config and keeps the legacy
        // copy, which the manager runs first on every push; the config's
        // copy steps aside for it, so each push is checked once.
        let run = repo.envguard(&["install"]);
        assert_code(&run, 0);
        assert!(legacy.exists(), "{manager}: {}", run.stderr);

        deploy(&repo);
        // The legacy copy stops the removal with a marker commit; the
        // config's copy, run after it on the same push, steps aside and
        // passes (run, it would find the branch moved and fail).
        repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop six");
        let run = repo.push(&["azure", "main"]);
        assert_code(&run, 1);
        let text = said(&run);
        assert_eq!(text.matches("removes six").count(), 1, "{manager}: {text}");
        assert!(text.contains("Passed"), "{manager}: {text}");
        assert!(!text.contains("Failed"), "{manager}: {text}");
        assert_code(&repo.push(&["azure", "main"]), 0);
        assert_eq!(
            repo.remote_rev(&bare, "refs/heads/main").unwrap(),
            repo.rev("HEAD")
        );

        assert_code(&repo.envguard(&["uninstall"]), 0);
        assert!(!legacy.exists(), "{manager}");
        assert_eq!(
            std::fs::read(repo.hooks_dir().join("pre-push")).unwrap(),
            managers_hook,
            "{manager}: its hook byte for byte"
        );
    }
}

/// pre-commit and prek run no configured hook for a push they take for
/// "nothing to push" (every pushed commit already on one of the remote's
/// tracking refs; with prek also a remote commit that is not an ancestor,
/// the everyday rollback): envguard's hook file, their legacy hook, runs
/// first on every push and stops the rollback that drops a package.
#[test]
fn a_rollback_the_manager_takes_for_nothing_to_push_is_still_checked() {
    for manager in PRE_COMMIT_TOOLS {
        let (repo, bare) = app();
        repo.install_hook();
        commit_pre_commit_config(&repo);
        tool_ok(&repo, manager, &["install", "--hook-type", "pre-push"]);
        assert_code(&repo.envguard(&["install"]), 0);
        deploy(&repo);
        let before = repo.rev("HEAD");
        repo.commit(
            &[("requirements.txt", "flask==3.0.0\nsix\nattrs\n")],
            "add attrs",
        );
        deploy(&repo);
        // Roll the site back to the commit before attrs.
        repo.git(&["branch", "rollback", &before]);
        let run = repo.push(&["-f", "azure", "rollback:main"]);
        assert_code(&run, 1);
        assert!(said(&run).contains("attrs"), "{manager}: {}", said(&run));
        assert_ne!(
            repo.remote_rev(&bare, "refs/heads/main").unwrap(),
            before,
            "{manager}: the rollback must not reach the site unchecked"
        );
    }
}

#[test]
fn envguards_hook_kept_as_pre_commits_legacy_hook_still_guards_and_doctor_says_so() {
    let (repo, bare) = app();
    repo.install_hook();
    repo.commit(&[(".pre-commit-config.yaml", "repos: []\n")], "pre-commit");
    tool_ok(&repo, "pre-commit", &["install", "--hook-type", "pre-push"]);

    let doctor = repo.envguard(&["doctor"]);
    assert!(
        doctor.stdout.contains("pre-push.legacy"),
        "{}",
        doctor.stdout
    );
    assert!(!doctor.stdout.contains("FIX   hook"), "{}", doctor.stdout);

    deploy(&repo);
    removal_is_stopped_with_a_marker(&repo, &bare);

    // Uninstalling takes envguard's legacy hook away and leaves pre-commit's.
    let managers_hook = std::fs::read(repo.hooks_dir().join("pre-push")).unwrap();
    assert_code(&repo.envguard(&["uninstall"]), 0);
    assert_eq!(
        file_names(&repo.hooks_dir())
            .iter()
            .filter(|n| n.starts_with("pre-push") && !n.ends_with(".sample"))
            .count(),
        1
    );
    assert_eq!(
        std::fs::read(repo.hooks_dir().join("pre-push")).unwrap(),
        managers_hook
    );
}

#[test]
fn pre_commit_reinstalling_its_hooks_keeps_envguard_working() {
    for manager in PRE_COMMIT_TOOLS {
        let (repo, bare) = app();
        commit_pre_commit_config(&repo);
        tool_ok(&repo, manager, &["install", "--hook-type", "pre-push"]);
        deploy(&repo);
        tool_ok(
            &repo,
            manager,
            &["install", "-f", "--hook-type", "pre-push"],
        );
        tool_ok(
            &repo,
            manager,
            &[
                "install",
                "--hook-type",
                "pre-commit",
                "--hook-type",
                "pre-push",
            ],
        );
        removal_is_stopped_with_a_marker(&repo, &bare);
    }
}

#[test]
fn pre_commits_stash_of_unstaged_files_loses_nothing_and_keeps_it_out_of_the_marker() {
    for manager in PRE_COMMIT_TOOLS {
        let (repo, _bare) = app();
        commit_pre_commit_config(&repo);
        tool_ok(&repo, manager, &["install", "--hook-type", "pre-push"]);
        deploy(&repo);
        let pushed = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop six");
        repo.write("app.py", "print('unstaged work')\n");
        repo.write("notes.txt", "staged work\n");
        repo.git(&["add", "notes.txt"]);

        let run = repo.push(&["azure", "main"]);
        assert_code(&run, 1);
        let text = said(&run);
        assert!(text.contains("removes six"), "{manager}: {text}");
        assert!(text.contains("git push azure main"), "{manager}: {text}");
        assert_eq!(repo.rev("HEAD^"), pushed);
        assert_eq!(
            repo.changed_paths("HEAD"),
            [".envguard/fingerprint.toml", ".envguard/force-clean"],
            "{manager}: only envguard's files in the marker"
        );
        assert_eq!(repo.read("app.py"), "print('unstaged work')\n");
        assert_eq!(repo.status(), " M app.py\nA  notes.txt", "{manager}");
        assert_code(&repo.push(&["azure", "main"]), 0);
    }
}

#[test]
fn pre_commit_run_by_hand_with_no_push_is_an_error_not_a_pass() {
    for manager in PRE_COMMIT_TOOLS {
        let (repo, _bare) = app();
        commit_pre_commit_config(&repo);
        let run = tool(
            &repo,
            manager,
            &["run", "--hook-stage", "pre-push", "envguard"],
        );
        assert_ne!(run.code, 0, "{manager}: {}", said(&run));
        assert!(said(&run).contains("no push"), "{manager}: {}", said(&run));
        // Nothing was pushed, so no push was stopped: it says what happened.
        assert!(
            said(&run).contains("nothing was pushed and nothing was checked"),
            "{manager}: {}",
            said(&run)
        );
        assert!(
            !said(&run).contains("the push was stopped"),
            "{manager}: {}",
            said(&run)
        );
    }
}

/// A git repository holding this project's source as the working tree has
/// it (tracked files and new ones not yet ignored), as pre-commit and prek
/// clone a hook repository; its commit.
fn source_repository(repo: &TestRepo) -> (PathBuf, String) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = repo.root.path().join("envguard-source");
    std::fs::create_dir(&dir).unwrap();
    let listed = repo.git_in(
        source,
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    );
    for name in listed.split('\0').filter(|n| !n.is_empty()) {
        let from = source.join(name);
        if !from.is_file() {
            continue; // deleted in the working tree
        }
        let to = dir.join(name);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
    for args in [
        &["init", "-q", "-b", "main"][..],
        &["add", "-A"],
        &["commit", "-q", "-m", "envguard"],
    ] {
        repo.git_in(&dir, args);
    }
    let rev = repo.git_in(&dir, &["rev-parse", "HEAD"]);
    (dir, rev)
}

/// The environment in which pre-commit and prek build envguard from source
/// (pyproject.toml, maturin) in a test: maturin's wheel from the folder
/// scripts/manager-tools.sh filled, no index; cargo offline with the real
/// toolchain and registry cache, building into this workspace's target folder
/// with the flags install.sh uses here (a static-pie where a static libc is
/// found), so only envguard's own two crates are compiled again.
fn source_build_env(repo: &mut TestRepo) {
    let tools = std::env::var_os("ENVGUARD_TEST_MANAGERS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("manager-tools"));
    let wheels = tools.join("wheels").display().to_string();
    let real_home = std::env::var("HOME").unwrap_or_default();
    let cargo_home = std::env::var("CARGO_HOME").unwrap_or_else(|_| format!("{real_home}/.cargo"));
    let rustup_home =
        std::env::var("RUSTUP_HOME").unwrap_or_else(|_| format!("{real_home}/.rustup"));
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    for (key, value) in [
        ("PIP_NO_INDEX", "1"),
        ("PIP_FIND_LINKS", wheels.as_str()),
        ("UV_NO_INDEX", "1"),
        ("UV_FIND_LINKS", wheels.as_str()),
        ("UV_OFFLINE", "1"),
        ("CARGO_HOME", cargo_home.as_str()),
        ("RUSTUP_HOME", rustup_home.as_str()),
        ("CARGO_NET_OFFLINE", "true"),
        ("CARGO_TARGET_DIR", target.to_str().unwrap()),
    ] {
        repo.set_env(key, value);
    }
    // install.sh's rule: a static-pie on a glibc host whose C compiler has
    // libc.a, built for the host named as --target.
    let rustc = std::process::Command::new("rustc")
        .arg("-vV")
        .output()
        .unwrap();
    let host = String::from_utf8_lossy(&rustc.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: ").map(str::to_string))
        .unwrap();
    let libc = std::process::Command::new("cc")
        .arg("-print-file-name=libc.a")
        .output()
        .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        .ok()
        .filter(|path| path.is_absolute() && path.is_file());
    if host.contains("-linux-gnu") && libc.is_some() {
        repo.set_env("CARGO_BUILD_TARGET", &host);
        repo.set_env("RUSTFLAGS", "-C target-feature=+crt-static");
    }
}

#[test]
fn pre_commit_and_prek_install_envguard_themselves_from_the_shipped_hook() {
    for manager in PRE_COMMIT_TOOLS {
        let (mut repo, bare) = app();
        let (source, rev) = source_repository(&repo);
        source_build_env(&mut repo);
        // No envguard on PATH, nor cargo's: the manager's own build runs.
        let tools = tools();
        let cargo_bin = which("cargo").parent().unwrap().to_path_buf();
        let path = format!(
            "{}:{}:{}:/usr/bin:/bin",
            tools.venv_bin.display(),
            cargo_bin.display(),
            which("git").parent().unwrap().display()
        );
        repo.set_env("PATH", &path);
        let config = format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: envguard\n",
            source.display()
        );
        repo.commit(&[(".pre-commit-config.yaml", &config)], "pre-commit config");
        tool_ok(&repo, manager, &["install", "--hook-type", "pre-push"]);
        // The build itself (pip or uv, maturin, cargo), once per `rev`.
        tool_ok(&repo, manager, &["install-hooks"]);
        assert!(
            repo.run_in(&repo.dir, "sh", &["-c", "command -v envguard"], &[])
                .code
                != 0,
            "{manager}: envguard must not be on the test's PATH"
        );

        deploy(&repo);
        removal_is_stopped_with_a_marker(&repo, &bare);
    }
}

/// lefthook's job for envguard and its script, as docs/hook-managers.md
/// gives them for a team's config.
const LEFTHOOK_SNIPPET: &str = envguard_core::managers::lefthook::SNIPPET;
const LEFTHOOK_SCRIPT: (&str, &str) = (
    ".lefthook/pre-push/envguard.sh",
    envguard_core::managers::lefthook::SCRIPT,
);

/// Commits `config` as lefthook.yml with envguard's script beside it.
fn commit_lefthook_config(repo: &TestRepo, config: &str, message: &str) {
    repo.commit(&[("lefthook.yml", config), LEFTHOOK_SCRIPT], message);
}

#[test]
fn lefthook_first_then_envguard_install_says_it_is_configured() {
    let (repo, bare) = app();
    commit_lefthook_config(&repo, LEFTHOOK_SNIPPET, "lefthook");
    tool_ok(&repo, "lefthook", &["install"]);
    let before = files_under(&repo.hooks_dir());

    let run = repo.envguard(&["install"]);
    assert_says!(run, 0);
    assert_eq!(files_under(&repo.hooks_dir()), before);
    let doctor = repo.envguard(&["doctor"]);
    assert!(doctor.stdout.contains("ok    hook:"), "{}", doctor.stdout);
    assert!(!doctor.stdout.contains("FIX   hook"), "{}", doctor.stdout);

    deploy(&repo);
    removal_is_stopped_with_a_marker(&repo, &bare);
    assert_code(&repo.envguard(&["uninstall"]), 0);
    assert_eq!(files_under(&repo.hooks_dir()), before, "byte for byte");
}

#[test]
fn envguard_first_then_lefthook_which_renames_envguards_hook_away() {
    let (repo, bare) = app();
    repo.install_hook();
    repo.commit(
        &[(
            "lefthook.yml",
            "pre-push:\n  jobs:\n    - name: lint\n      run: \"true\"\n",
        )],
        "lefthook",
    );
    tool_ok(&repo, "lefthook", &["install"]);
    // lefthook keeps envguard's hook as pre-push.old and never runs it.
    let old = repo.hooks_dir().join("pre-push.old");
    assert!(old.exists());

    // Not configured in lefthook: install prints the job to add, exit 1.
    let run = repo.envguard(&["install"]);
    assert_says!(run, 1);
    let doctor = repo.envguard(&["doctor"]);
    assert_says!(doctor, 1);

    // Configured, re-synced: envguard guards the push, and its old copy is retired.
    commit_lefthook_config(&repo, LEFTHOOK_SNIPPET, "envguard in lefthook");
    tool_ok(&repo, "lefthook", &["install"]);
    assert_code(&repo.envguard(&["install"]), 0);
    assert!(!old.exists());
    let managers_hook = std::fs::read(repo.hooks_dir().join("pre-push")).unwrap();
    deploy(&repo);
    removal_is_stopped_with_a_marker(&repo, &bare);
    assert_code(&repo.envguard(&["uninstall"]), 0);
    assert_eq!(
        std::fs::read(repo.hooks_dir().join("pre-push")).unwrap(),
        managers_hook
    );
}

#[test]
fn lefthook_re_syncing_after_a_config_change_keeps_envguard_working() {
    let (repo, bare) = app();
    commit_lefthook_config(&repo, LEFTHOOK_SNIPPET, "lefthook");
    tool_ok(&repo, "lefthook", &["install"]);
    deploy(&repo);
    // A config change: lefthook re-syncs its hooks on the next run.
    let more = format!("{LEFTHOOK_SNIPPET}    - name: other\n      run: echo other-job-ran\n");
    commit_lefthook_config(&repo, &more, "another job");
    tool_ok(&repo, "lefthook", &["install", "-f"]);
    removal_is_stopped_with_a_marker(&repo, &bare);
}

/// Wires envguard into lefthook as docs/hook-managers.md says, in either
/// order: lefthook's config first, then `envguard install`; or envguard's
/// hook first, which `lefthook install` renames away, then `envguard install
/// --manager`.
fn wire_lefthook(repo: &TestRepo, envguard_first: bool) {
    if envguard_first {
        repo.install_hook();
        repo.commit(
            &[(
                "lefthook.yml",
                "pre-push:\n  jobs:\n    - name: lint\n      run: \"true\"\n",
            )],
            "lefthook",
        );
        tool_ok(repo, "lefthook", &["install"]);
        assert_code(&repo.envguard(&["install", "--manager"]), 0);
    } else {
        commit_lefthook_config(repo, LEFTHOOK_SNIPPET, "lefthook");
        tool_ok(repo, "lefthook", &["install"]);
        assert_code(&repo.envguard(&["install"]), 0);
    }
}

/// The everyday flow: the branch goes to `origin` (its upstream) first,
/// then to the site. lefthook's push files are `git diff --name-only HEAD
/// @{push}`, the branch against its own upstream, not against the remote
/// pushed to, so by the second push they are empty; a pre-push job that
/// lefthook skips for that lets the removal reach the site unchecked.
#[test]
fn lefthook_runs_envguard_on_a_push_to_the_site_after_one_to_origin() {
    for envguard_first in [true, false] {
        let (repo, azure) = app();
        let origin = repo.add_remote("origin");
        wire_lefthook(&repo, envguard_first);
        assert_code(&repo.push(&["-u", "origin", "main"]), 0);
        deploy(&repo);
        let deployed = repo.rev("refs/remotes/azure/main");

        let pushed = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop six");
        // origin does not deploy: envguard lets it through.
        assert_code(&repo.push(&["origin", "main"]), 0);
        assert_eq!(repo.remote_rev(&origin, "refs/heads/main").unwrap(), pushed);

        let run = repo.push(&["azure", "main"]);
        let case = format!("envguard first: {envguard_first}\n{}", said(&run));
        assert_eq!(run.code, 1, "{case}");
        assert!(!said(&run).contains("envguard (skip)"), "{case}");
        // Once, and under lefthook's header: on its standard output, after
        // the job's name.
        assert_eq!(run.stdout.matches("removes six").count(), 1, "{case}");
        assert!(!run.stderr.contains("envguard:"), "{case}");
        let header = run.stdout.find("envguard ❯").expect(&case);
        assert!(run.stdout[header..].contains("removes six"), "{case}");
        assert_eq!(
            repo.remote_rev(&azure, "refs/heads/main").unwrap(),
            deployed,
            "{case}"
        );
        assert_eq!(repo.rev("HEAD^"), pushed, "{case}");
        // The marker goes to the site with the next push, which passes.
        assert_code(&repo.push(&["azure", "main"]), 0);
    }
}

/// The job an earlier docs/hook-managers.md gave for lefthook: a `run:`
/// job, which lefthook skips when it finds no push files.
const EARLIER_LEFTHOOK_JOB: &str = "pre-push:
  jobs:
    - name: envguard
      run: envguard pre-push \"{1}\" \"{2}\" 2>&1
      use_stdin: true
";

/// What is in a clone beside its commits, byte for byte: files git does
/// not track (ignored ones too), and what envguard keeps in git's folder.
fn clone_extras(repo: &TestRepo) -> BTreeMap<PathBuf, Vec<u8>> {
    let listed = repo.git(&["ls-files", "-z", "--others"]);
    let mut files: BTreeMap<PathBuf, Vec<u8>> = listed
        .split('\0')
        .filter(|name| !name.is_empty())
        .map(|name| {
            (
                PathBuf::from(name),
                std::fs::read(repo.dir.join(name)).unwrap(),
            )
        })
        .collect();
    for (path, bytes) in files_under(&repo.dir.join(".git/envguard")) {
        files.insert(Path::new(".git/envguard").join(path), bytes);
    }
    files
}

/// The pushes of the everyday flow (origin first, then the site), with a
/// removal: whether envguard stopped the one to the site.
fn origin_then_site_stops_a_removal(repo: &TestRepo, keep: &str, drop: &str) -> bool {
    let reqs = format!("{keep}\n");
    repo.commit(&[("requirements.txt", &reqs)], &format!("drop {drop}"));
    assert_code(&repo.push(&["origin", "main"]), 0);
    let run = repo.push(&["azure", "main"]);
    if run.code == 1 && run.stdout.contains(&format!("removes {drop}")) {
        assert_code(&repo.push(&["azure", "main"]), 0);
        return true;
    }
    assert_code(&run, 0);
    false
}

#[test]
fn lefthooks_skippable_run_job_is_flagged_and_install_manager_replaces_it() {
    let (repo, _azure) = app();
    repo.add_remote("origin");
    repo.commit(
        &[("requirements.txt", "flask==3.0.0\nsix\nattrs\n")],
        "more",
    );
    repo.commit(&[("lefthook.yml", EARLIER_LEFTHOOK_JOB)], "lefthook");
    tool_ok(&repo, "lefthook", &["install"]);
    let hooks_before = files_under(&repo.hooks_dir());
    let before = clone_extras(&repo);
    assert!(before.is_empty(), "{before:?}");

    // install: nothing to install, but the job must change (exit 1).
    let run = repo.envguard(&["install"]);
    assert_says!(run, 1);
    assert!(
        pasted(&run.stderr).contains(LEFTHOOK_SNIPPET),
        "{}",
        run.stderr
    );
    // doctor: FIX, with the one command.
    let doctor = repo.envguard(&["doctor"]);
    assert_says!(doctor, 1);
    // Every command says so too.
    let status = repo.envguard(&["status"]);
    assert!(
        status.stderr.contains("lefthook can skip envguard")
            && status.stderr.contains("run `envguard install --manager`"),
        "{}",
        status.stderr
    );

    // Today's hole: after a push to origin, the removal goes through.
    assert_code(&repo.push(&["-u", "origin", "main"]), 0);
    deploy(&repo);
    assert!(!origin_then_site_stops_a_removal(
        &repo,
        "flask==3.0.0\nattrs",
        "six"
    ));

    let run = repo.envguard(&["install", "--manager"]);
    assert_says!(run, 0);
    assert_eq!(repo.read("lefthook.yml"), EARLIER_LEFTHOOK_JOB);
    let doctor = repo.envguard(&["doctor"]);
    assert!(doctor.stdout.contains("ok    hook:"), "{}", doctor.stdout);
    assert!(!doctor.stdout.contains("FIX   hook"), "{}", doctor.stdout);
    assert!(!repo.envguard(&["status"]).stderr.contains("skip envguard"));
    assert!(origin_then_site_stops_a_removal(
        &repo,
        "flask==3.0.0",
        "attrs"
    ));

    // uninstall: the clone as it was, byte for byte.
    let run = repo.envguard(&["uninstall"]);
    assert_says!(run, 0);
    assert_eq!(clone_extras(&repo), before, "{}", run.stderr);
    assert!(!repo.dir.join(".lefthook-local").exists());
    assert_eq!(files_under(&repo.hooks_dir()), hooks_before);
}

#[test]
fn an_earlier_envguards_lefthook_local_is_replaced_by_install_manager() {
    let (repo, _azure) = app();
    repo.add_remote("origin");
    repo.commit(
        &[(
            "lefthook.yml",
            "pre-push:\n  jobs:\n    - name: lint\n      run: \"true\"\n",
        )],
        "lefthook",
    );
    tool_ok(&repo, "lefthook", &["install"]);
    let earlier = envguard_core::managers::lefthook::earlier_local();
    std::fs::write(repo.dir.join("lefthook-local.yml"), &earlier).unwrap();
    let doctor = repo.envguard(&["doctor"]);
    assert!(
        doctor.stdout.contains("lefthook-local.yml"),
        "{}",
        doctor.stdout
    );
    assert!(doctor.stdout.contains("`run:` job"), "{}", doctor.stdout);

    assert_code(&repo.envguard(&["install", "--manager"]), 0);
    assert_eq!(
        repo.read("lefthook-local.yml"),
        envguard_core::managers::lefthook::local()
    );
    assert!(!doctor_has_hook_fix(&repo));
    assert_code(&repo.push(&["-u", "origin", "main"]), 0);
    deploy(&repo);
    assert!(origin_then_site_stops_a_removal(
        &repo,
        "flask==3.0.0",
        "six"
    ));
    assert_code(&repo.envguard(&["uninstall"]), 0);
    assert!(!repo.dir.join("lefthook-local.yml").exists());
    assert!(!repo.dir.join(".lefthook-local").exists());
}

#[test]
fn lefthooks_script_job_without_its_script_stops_pushes_and_install_manager_writes_it() {
    let (repo, _azure) = app();
    // The team committed the job but not the script.
    repo.commit(&[("lefthook.yml", LEFTHOOK_SNIPPET)], "lefthook");
    tool_ok(&repo, "lefthook", &["install"]);
    let doctor = repo.envguard(&["doctor"]);
    assert_says!(doctor, 1);
    // Never a silent pass: lefthook fails the push.
    let run = repo.push(&["azure", "main"]);
    assert_ne!(run.code, 0, "{}", said(&run));
    assert!(
        said(&run).contains("script does not exist"),
        "{}",
        said(&run)
    );

    let run = repo.envguard(&["install", "--manager"]);
    assert_code(&run, 0);
    assert!(
        !repo.dir.join("lefthook-local.yml").exists(),
        "{}",
        run.stderr
    );
    assert_eq!(
        repo.read(".lefthook-local/pre-push/envguard.sh"),
        LEFTHOOK_SCRIPT.1
    );
    assert!(!doctor_has_hook_fix(&repo));
    deploy(&repo);
    assert!(push_removal(&repo, "flask==3.0.0", "six"));
    assert_code(&repo.envguard(&["uninstall"]), 0);
    assert!(!repo.dir.join(".lefthook-local").exists());
}

#[test]
fn lefthook_hands_envguard_a_remote_url_with_a_space_and_a_dollar_whole() {
    let (repo, _bare) = app();
    // Azure's deployment URLs carry `$<app>@`; local paths may hold spaces.
    let bare = repo.root.path().join("my sites/$app.git");
    std::fs::create_dir_all(bare.parent().unwrap()).unwrap();
    repo.git_in(
        repo.root.path(),
        &["init", "-q", "--bare", "-b", "main", bare.to_str().unwrap()],
    );
    repo.git(&["remote", "set-url", "azure", bare.to_str().unwrap()]);
    commit_lefthook_config(&repo, LEFTHOOK_SNIPPET, "lefthook");
    tool_ok(&repo, "lefthook", &["install"]);
    deploy(&repo);
    let run = {
        repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop six");
        repo.push(&["azure", "main"])
    };
    assert_code(&run, 1);
    assert!(run.stdout.contains("removes six"), "{}", said(&run));
    // envguard read the URL as git gave it (`envguard: azure main: …`
    // comes from the remote's name; a split URL would be a usage error).
    assert!(
        !said(&run).contains("unexpected argument"),
        "{}",
        said(&run)
    );
}

#[test]
fn lefthook_manager_flag_keeps_the_users_local_files() {
    let (repo, _bare) = app();
    let config = "pre-push:\n  jobs:\n    - name: lint\n      run: \"true\"\n";
    repo.commit(&[("lefthook.yml", config)], "lefthook");
    tool_ok(&repo, "lefthook", &["install"]);
    // A per-clone script folder of the user's, already there.
    repo.write(".lefthook-local/pre-push/mine.sh", "echo mine\n");
    let extras = clone_extras(&repo);
    assert_code(&repo.envguard(&["install", "--manager"]), 0);
    assert_code(&repo.envguard(&["uninstall"]), 0);
    assert_eq!(clone_extras(&repo), extras, "byte for byte");

    // A lefthook-local.yml of the user's is not edited: the job to add.
    repo.write(
        "lefthook-local.yml",
        "pre-commit:\n  jobs:\n    - run: \"true\"\n",
    );
    let extras = clone_extras(&repo);
    let run = repo.envguard(&["install", "--manager"]);
    assert_code(&run, 2);
    assert!(
        pasted(&run.stderr).contains("script: envguard.sh"),
        "{}",
        run.stderr
    );
    assert_eq!(clone_extras(&repo), extras, "nothing written");
}

/// The README and docs/hook-managers.md give lefthook's job and script as
/// `envguard install` prints them and `--manager` writes them, and the
/// `run:` job only as the earlier one.
#[test]
fn the_docs_give_lefthooks_job_and_script_as_envguard_writes_them() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for doc in ["README.md", "docs/hook-managers.md"] {
        let text = std::fs::read_to_string(root.join(doc)).unwrap();
        assert!(text.contains(LEFTHOOK_SNIPPET), "{doc}: the job");
        let heredoc = format!(
            "cat > .lefthook/pre-push/envguard.sh <<'EOF'\n{}EOF\n",
            LEFTHOOK_SCRIPT.1
        );
        assert!(text.contains(&heredoc), "{doc}: the script");
        let old_job = "      run: envguard pre-push \"{1}\" \"{2}\" 2>&1\n      use_stdin: true\n";
        assert!(!text.contains(old_job), "{doc}: the skippable job");
    }
}

#[test]
fn lefthook_without_use_stdin_is_caught_by_doctor() {
    let (repo, _bare) = app();
    let snippet = LEFTHOOK_SNIPPET.replace("      use_stdin: true\n", "");
    commit_lefthook_config(&repo, &snippet, "lefthook");
    tool_ok(&repo, "lefthook", &["install"]);
    let doctor = repo.envguard(&["doctor"]);
    assert_says!(doctor, 1);
}

/// `npm install` runs husky's `prepare` script, which is `husky`: it sets
/// core.hooksPath to .husky/_ and rewrites that folder.
fn husky_install(repo: &TestRepo) {
    tool_ok(repo, "husky", &[]);
}

const HUSKY_SNIPPET: &str = "envguard pre-push \"$@\"\n";

#[test]
fn husky_first_then_envguard_install_says_it_is_configured() {
    let (repo, bare) = app();
    repo.commit(
        &[(
            "package.json",
            "{ \"scripts\": { \"prepare\": \"husky\" } }\n",
        )],
        "npm",
    );
    husky_install(&repo);
    repo.commit(&[(".husky/pre-push", HUSKY_SNIPPET)], "husky pre-push");
    let husky_dir = repo.dir.join(".husky/_");
    let before = files_under(&husky_dir);

    let run = repo.envguard(&["install"]);
    assert_says!(run, 0);
    assert_eq!(
        files_under(&husky_dir),
        before,
        "nothing written into husky's folder"
    );
    let doctor = repo.envguard(&["doctor"]);
    assert!(doctor.stdout.contains("ok    hook:"), "{}", doctor.stdout);
    assert!(!doctor.stdout.contains("FIX   hook"), "{}", doctor.stdout);

    deploy(&repo);
    // `npm install` again: husky rewrites its folder; envguard still runs.
    husky_install(&repo);
    removal_is_stopped_with_a_marker(&repo, &bare);
    assert_code(&repo.envguard(&["uninstall"]), 0);
    assert_eq!(files_under(&husky_dir), before, "byte for byte");
    assert_eq!(repo.read(".husky/pre-push"), HUSKY_SNIPPET);
}

#[test]
fn envguard_first_then_husky_whose_hooks_path_disables_envguards_hook() {
    let (repo, bare) = app();
    repo.install_hook();
    repo.commit(
        &[(
            "package.json",
            "{ \"scripts\": { \"prepare\": \"husky\" } }\n",
        )],
        "npm",
    );
    husky_install(&repo);
    let husky_dir = repo.dir.join(".husky/_");
    let before = files_under(&husky_dir);

    // install neither writes into .husky/_ (npm install would undo it) nor
    // pretends: it gives the line for .husky/pre-push, and exits 1.
    let run = repo.envguard(&["install"]);
    assert_says!(run, 1);
    assert_eq!(files_under(&husky_dir), before);
    let doctor = repo.envguard(&["doctor"]);
    assert_says!(doctor, 1);

    // --manager adds it (husky's own pre-push file did not exist).
    let run = repo.envguard(&["install", "--manager"]);
    assert_code(&run, 0);
    assert_eq!(repo.read(".husky/pre-push"), HUSKY_SNIPPET);
    assert!(!doctor_has_hook_fix(&repo));
    deploy(&repo);
    husky_install(&repo);
    removal_is_stopped_with_a_marker(&repo, &bare);

    // uninstall takes out what it added, and its disabled hook in .git/hooks.
    assert_code(&repo.envguard(&["uninstall"]), 0);
    assert!(!repo.dir.join(".husky/pre-push").exists());
    assert!(!repo.hooks_dir().join("pre-push").exists());
    assert_eq!(files_under(&husky_dir), before, "byte for byte");
    assert_eq!(repo.git(&["config", "core.hooksPath"]), ".husky/_");
}

#[test]
fn husky_manager_flag_appends_to_an_existing_pre_push_and_uninstall_restores_it() {
    let (repo, _bare) = app();
    repo.commit(
        &[(
            "package.json",
            "{ \"scripts\": { \"prepare\": \"husky\" } }\n",
        )],
        "npm",
    );
    husky_install(&repo);
    // The team's own pre-push, without a trailing newline.
    let own = "npm test";
    repo.commit(&[(".husky/pre-push", own)], "husky pre-push");
    assert_code(&repo.envguard(&["install", "--manager"]), 0);
    assert!(repo.read(".husky/pre-push").ends_with(HUSKY_SNIPPET));
    assert!(repo.read(".husky/pre-push").starts_with(own));
    assert_code(&repo.envguard(&["uninstall"]), 0);
    assert_eq!(repo.read(".husky/pre-push"), own, "byte for byte");
}

fn doctor_has_hook_fix(repo: &TestRepo) -> bool {
    repo.envguard(&["doctor"]).stdout.contains("FIX   hook")
}

#[test]
fn config_hook_registers_beside_other_tools_touching_no_hook_file() {
    let Some(git) = config_hook_git() else {
        return;
    };
    let (repo, bare) = app_with(&git);
    // Another tool's config-based hook: it logs git's ref lines.
    let log = repo.root.path().join("other.log");
    let tool = repo.root.path().join("other-tool");
    std::fs::write(&tool, format!("#!/bin/sh\ncat >> '{}'\n", log.display())).unwrap();
    std::fs::set_permissions(&tool, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    repo.git(&[
        "config",
        "set",
        "hook.other-tool.command",
        tool.to_str().unwrap(),
    ]);
    repo.git(&[
        "config",
        "set",
        "--append",
        "hook.other-tool.event",
        "pre-push",
    ]);
    let config_before = std::fs::read(repo.dir.join(".git/config")).unwrap();
    let hooks_before = files_under(&repo.hooks_dir());

    let run = repo.envguard(&["install", "--config-hook"]);
    assert_code(&run, 0);
    assert!(run.stderr.contains("hook.envguard"), "{}", run.stderr);
    assert_eq!(files_under(&repo.hooks_dir()), hooks_before, "no hook file");
    let listed = repo.git(&["hook", "list", "pre-push"]);
    assert_eq!(
        listed.lines().collect::<Vec<_>>(),
        ["other-tool", "envguard"],
        "{listed}"
    );
    let doctor = repo.envguard(&["doctor"]);
    assert!(doctor.stdout.contains("ok    hook:"), "{}", doctor.stdout);
    assert!(doctor.stdout.contains("hook.envguard"), "{}", doctor.stdout);
    assert!(!doctor.stdout.contains("FIX   hook"), "{}", doctor.stdout);

    deploy(&repo);
    removal_is_stopped_with_a_marker(&repo, &bare);
    assert!(std::fs::read_to_string(&log)
        .unwrap()
        .contains("refs/heads/main"));

    assert_code(&repo.envguard(&["uninstall"]), 0);
    assert_eq!(
        std::fs::read(repo.dir.join(".git/config")).unwrap(),
        config_before,
        "byte for byte"
    );
    assert_eq!(files_under(&repo.hooks_dir()), hooks_before);
}

#[test]
fn config_hook_survives_husky_and_lefthook_rewriting_hook_files() {
    let Some(git) = config_hook_git() else {
        return;
    };
    let (repo, bare) = app_with(&git);
    assert_code(&repo.envguard(&["install", "--config-hook"]), 0);
    repo.commit(
        &[(
            "package.json",
            "{ \"scripts\": { \"prepare\": \"husky\" } }\n",
        )],
        "npm",
    );
    husky_install(&repo);
    deploy(&repo);
    husky_install(&repo);
    removal_is_stopped_with_a_marker(&repo, &bare);
}

#[test]
fn config_hook_needs_a_git_that_has_them() {
    let (repo, _bare) = app();
    let version = repo.git(&["version"]);
    let run = repo.envguard(&["install", "--config-hook"]);
    if version.starts_with("git version 2.4") || version.starts_with("git version 2.3") {
        assert_code(&run, 2);
        assert!(run.stderr.contains("2.54"), "{}", run.stderr);
        assert!(!repo.hooks_dir().join("pre-push").exists());
    }
}

#[test]
fn pre_push_builds_the_ref_line_from_pre_commits_variables() {
    let (repo, bare) = app();
    let deployed = repo.rev("HEAD");
    repo.git(&["push", "-q", "--no-verify", "azure", "main"]);
    let pushed = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop six");
    let url = bare.display().to_string();
    let vars = [
        ("PRE_COMMIT", "1"),
        ("PRE_COMMIT_FROM_REF", deployed.as_str()),
        ("PRE_COMMIT_TO_REF", pushed.as_str()),
        ("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/main"),
        ("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/main"),
        ("PRE_COMMIT_REMOTE_NAME", "azure"),
        ("PRE_COMMIT_REMOTE_URL", url.as_str()),
    ];
    let run = repo.run_in(&repo.dir, envguard_bin(), &["pre-push"], &vars);
    assert_says!(run, 1);
    assert_eq!(repo.rev("HEAD^"), pushed);

    // No push variables at all: exit 2, whatever stdin holds (empty here).
    let run = repo.run_in(
        &repo.dir,
        envguard_bin(),
        &["pre-push"],
        &[("PRE_COMMIT", "1")],
    );
    assert_says!(run, 2);
    // Without arguments and outside a manager: exit 2 too.
    let run = repo.envguard(&["pre-push"]);
    assert_code(&run, 2);
    // Plain git's up-to-date push: arguments, empty stdin: exit 0.
    let run = repo.envguard(&["pre-push", "azure", &url]);
    assert_code(&run, 0);
}

#[test]
fn pre_commits_whole_history_push_without_refs_uses_the_local_branch() {
    // pre-commit gives no from/to refs when the first pushed commit is a
    // root commit (all files); envguard resolves the local branch itself.
    let (repo, bare) = app();
    let url = bare.display().to_string();
    let vars = [
        ("PRE_COMMIT", "1"),
        ("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/main"),
        ("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/main"),
        ("PRE_COMMIT_REMOTE_NAME", "azure"),
        ("PRE_COMMIT_REMOTE_URL", url.as_str()),
    ];
    let run = repo.run_in(&repo.dir, envguard_bin(), &["pre-push"], &vars);
    assert_says!(run, 0);
}

#[test]
fn pre_commits_yaml_is_never_edited_and_manager_keeps_envguard_as_its_legacy_hook() {
    let (repo, bare) = app();
    repo.commit(&[(".pre-commit-config.yaml", "repos: []\n")], "pre-commit");
    tool_ok(&repo, "pre-commit", &["install", "--hook-type", "pre-push"]);
    // A legacy hook of the user's: kept, and still run first.
    let legacy = repo.hooks_dir().join("pre-push.legacy");
    std::fs::write(&legacy, "#!/bin/sh\necho own legacy ran >&2\n").unwrap();
    std::fs::set_permissions(&legacy, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let run = repo.envguard(&["install", "--manager"]);
    assert_says!(run, 0);
    assert_eq!(repo.read(".pre-commit-config.yaml"), "repos: []\n");
    deploy(&repo);
    removal_is_stopped_with_a_marker(&repo, &bare);
    repo.commit(&[("app.py", "print('v2')\n")], "code only");
    let run = repo.push(&["azure", "main"]);
    assert_code(&run, 0);
    assert!(said(&run).contains("own legacy ran"), "{}", said(&run));
    // uninstall puts the user's legacy hook back where pre-commit runs it.
    assert_code(&repo.envguard(&["uninstall"]), 0);
    assert_eq!(
        std::fs::read_to_string(&legacy).unwrap(),
        "#!/bin/sh\necho own legacy ran >&2\n"
    );
}

#[test]
fn lefthook_manager_flag_writes_lefthook_local_and_uninstall_removes_it() {
    let (repo, bare) = app();
    let config = "pre-push:\n  jobs:\n    - name: lint\n      run: \"true\"\n";
    repo.commit(&[("lefthook.yml", config)], "lefthook");
    tool_ok(&repo, "lefthook", &["install"]);
    let before = files_under(&repo.hooks_dir());
    let extras = clone_extras(&repo);

    let run = repo.envguard(&["install", "--manager"]);
    assert_code(&run, 0);
    assert_eq!(
        repo.read("lefthook-local.yml"),
        envguard_core::managers::lefthook::local(),
        "{}",
        run.stderr
    );
    assert_eq!(
        repo.read(".lefthook-local/pre-push/envguard.sh"),
        LEFTHOOK_SCRIPT.1
    );
    assert!(!doctor_has_hook_fix(&repo));
    deploy(&repo);
    removal_is_stopped_with_a_marker(&repo, &bare);

    assert_code(&repo.envguard(&["uninstall"]), 0);
    assert!(!repo.dir.join("lefthook-local.yml").exists());
    assert!(!repo.dir.join(".lefthook-local").exists());
    assert_eq!(clone_extras(&repo), extras, "byte for byte");
    assert_eq!(files_under(&repo.hooks_dir()), before, "byte for byte");
    assert_eq!(repo.read("lefthook.yml"), config);
}

#[test]
fn an_older_envguards_chain_around_pre_commit_is_undone_once_pre_commit_runs_it() {
    let (repo, bare) = app();
    commit_pre_commit_config(&repo);
    tool_ok(&repo, "pre-commit", &["install", "--hook-type", "pre-push"]);
    let hook = repo.hooks_dir().join("pre-push");
    let managers_hook = std::fs::read(&hook).unwrap();
    // What `envguard install` left before it knew the managers: its hook,
    // with pre-commit's chained under it.
    let older = TestRepo::new();
    older.install_hook();
    std::fs::rename(&hook, repo.hooks_dir().join("pre-push.envguard-chained")).unwrap();
    std::fs::copy(older.hooks_dir().join("pre-push"), &hook).unwrap();

    let run = repo.envguard(&["install"]);
    assert_code(&run, 0);
    assert_eq!(
        std::fs::read(&hook).unwrap(),
        managers_hook,
        "{}",
        run.stderr
    );
    assert!(!repo.hooks_dir().join("pre-push.envguard-chained").exists());
    deploy(&repo);
    removal_is_stopped_with_a_marker(&repo, &bare);
}

#[test]
fn config_hook_takes_over_from_envguards_hook_file_and_keeps_the_users_hook() {
    let Some(git) = config_hook_git() else {
        return;
    };
    let (repo, bare) = app_with(&git);
    let own = "#!/bin/sh\necho own hook ran >&2\n";
    let hook = repo.hooks_dir().join("pre-push");
    std::fs::write(&hook, own).unwrap();
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    repo.install_hook();

    let run = repo.envguard(&["install", "--config-hook"]);
    assert_code(&run, 0);
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        own,
        "{}",
        run.stderr
    );
    deploy(&repo);
    removal_is_stopped_with_a_marker(&repo, &bare);
    // Both run, envguard once.
    repo.commit(&[("app.py", "print('v2')\n")], "code only");
    let run = repo.push(&["azure", "main"]);
    assert_code(&run, 0);
    assert!(run.stderr.contains("own hook ran"), "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("envguard: azure main").count(),
        1,
        "{}",
        run.stderr
    );
}

#[test]
fn a_pre_commit_config_without_its_pre_push_hook_leaves_envguard_its_hook_file() {
    // Many repositories keep .pre-commit-config.yaml for CI alone.
    let (repo, bare) = app();
    repo.commit(&[(".pre-commit-config.yaml", "repos: []\n")], "pre-commit");
    let run = repo.envguard(&["install"]);
    assert_says!(run, 0);
    deploy(&repo);
    removal_is_stopped_with_a_marker(&repo, &bare);
}

/// The managers of the set-ups below.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Setup {
    PreCommit,
    Husky,
    Lefthook,
}

/// Sets the manager up as its users do, with a config that does not run
/// envguard: pre-commit's with an item in its own sample config's style (the
/// dash in column 0), installed with `-f` (which deletes an older pre-push
/// hook it would keep as pre-push.legacy); `npx husky init`'s effect; lefthook
/// with a job of its own.
fn set_up(repo: &TestRepo, setup: Setup) {
    match setup {
        Setup::PreCommit => {
            let config = "repos:\n-   repo: local\n    hooks:\n    -   id: lint\n        name: lint\n        entry: \"true\"\n        language: system\n        stages: [pre-push]\n        pass_filenames: false\n";
            repo.commit(&[(".pre-commit-config.yaml", config)], "pre-commit");
            tool_ok(
                repo,
                "pre-commit",
                &["install", "-f", "--hook-type", "pre-push"],
            );
        }
        Setup::Husky => {
            repo.commit(
                &[(
                    "package.json",
                    "{ \"scripts\": { \"prepare\": \"husky\" } }\n",
                )],
                "npm",
            );
            husky_install(repo);
        }
        Setup::Lefthook => {
            let config = "pre-push:\n  jobs:\n    - name: lint\n      run: \"true\"\n";
            repo.commit(&[("lefthook.yml", config)], "lefthook");
            tool_ok(repo, "lefthook", &["install"]);
        }
    }
}

/// The lines of what envguard said that are text to paste (not prefixed).
fn pasted(said: &str) -> String {
    said.lines()
        .filter(|line| !line.is_empty() && !line.starts_with("envguard:"))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// A push that drops `pkg` from the requirements; whether envguard stopped it.
fn push_removal(repo: &TestRepo, keep: &str, drop: &str) -> bool {
    let reqs = format!("{keep}\n");
    repo.commit(&[("requirements.txt", &reqs)], &format!("drop {drop}"));
    let run = repo.push(&["azure", "main"]);
    if run.code == 1 && said(&run).contains(&format!("removes {drop}")) {
        assert_code(&repo.push(&["azure", "main"]), 0);
        return true;
    }
    assert_code(&run, 0);
    false
}

/// pre-commit 4.7.0, husky 9.1.7 and lefthook 2.2.2, each installed before
/// and after `envguard install`, each pushing a removal to a bare `azure`:
/// where git has config-based hooks, envguard registers one and every
/// removal is stopped; elsewhere a removal that gets through is announced
/// by every envguard command with the one command that fixes it (or
/// `install` itself exits 1 with it), and after that command the next
/// removal is stopped.
#[test]
fn every_manager_in_either_order_stops_a_removal_or_says_how_to_fix_it() {
    let mut gits = vec![which("git")];
    gits.extend(config_hook_git());
    for git in &gits {
        let config_hooks = git != &which("git");
        for setup in [Setup::PreCommit, Setup::Husky, Setup::Lefthook] {
            for envguard_first in [true, false] {
                let case = format!(
                    "{setup:?}, envguard first: {envguard_first}, {}",
                    git.display()
                );
                let (repo, _bare) = app_with(git);
                repo.commit(
                    &[("requirements.txt", "flask==3.0.0\nsix\nattrs\nidna\n")],
                    "more",
                );
                let fix = if envguard_first {
                    assert_code(&repo.envguard(&["install"]), 0);
                    set_up(&repo, setup);
                    None
                } else {
                    set_up(&repo, setup);
                    let run = repo.envguard(&["install"]);
                    if config_hooks {
                        assert_code(&run, 0);
                        None
                    } else {
                        // Nothing installed: exit 1, with the way to wire it.
                        assert_code(&run, 1);
                        assert!(
                            run.stderr.contains("envguard install --manager"),
                            "{case}: {}",
                            run.stderr
                        );
                        if setup == Setup::PreCommit {
                            // The snippet, pasted as printed, is valid in the config.
                            let config = format!(
                                "{}{}",
                                repo.read(".pre-commit-config.yaml"),
                                pasted(&run.stderr)
                            );
                            std::fs::write(repo.dir.join("check.yaml"), config).unwrap();
                            tool_ok(&repo, "pre-commit", &["validate-config", "check.yaml"]);
                            std::fs::remove_file(repo.dir.join("check.yaml")).unwrap();
                        }
                        Some("envguard install --manager")
                    }
                };
                deploy(&repo);
                if config_hooks {
                    assert!(
                        push_removal(&repo, "flask==3.0.0\nattrs\nidna", "six"),
                        "{case}"
                    );
                    continue;
                }
                let fix = match fix {
                    Some(fix) => fix,
                    None => {
                        // Through, silently for git: every command says so.
                        assert!(
                            !push_removal(&repo, "flask==3.0.0\nattrs\nidna", "six"),
                            "{case}"
                        );
                        let fix = "envguard install --manager";
                        for args in [
                            &["status"][..],
                            &["diff", "HEAD~1", "HEAD"],
                            &["doctor"],
                            &["reset"],
                        ] {
                            let run = repo.envguard(args);
                            assert!(
                                run.stderr.contains("no longer runs on `git push`")
                                    && run.stderr.contains(&format!("run `{fix}`")),
                                "{case}, {args:?}: {}",
                                run.stderr
                            );
                        }
                        assert_code(&repo.push(&["azure", "main"]), 0);
                        fix
                    }
                };
                let args: Vec<&str> = fix.split(' ').skip(1).collect();
                let run = repo.envguard(&args);
                assert_code(&run, 0);
                // `--manager` leaves no copy of envguard's hook behind.
                let left: Vec<String> = file_names(&repo.hooks_dir())
                    .into_iter()
                    .filter(|n| n.ends_with(".old"))
                    .collect();
                assert!(left.is_empty(), "{case}: {left:?}");
                assert!(
                    push_removal(&repo, "flask==3.0.0\nidna", "attrs"),
                    "{case}: {}",
                    run.stderr
                );
                let status = repo.envguard(&["status"]);
                assert!(
                    !status.stderr.contains("no longer runs"),
                    "{case}: {}",
                    status.stderr
                );
            }
        }
    }
}
