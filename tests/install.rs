//! Installing envguard and living beside other hooks: install.sh, `cargo
//! install`, `envguard install`, `uninstall` and `doctor`, with real
//! repositories, a real bare remote named `azure`, and real pushes running the
//! installed hook.

#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::{assert_code, envguard_bin, which, TestRepo};

const REQS: &str = "flask==3.0.0\nsix\n";
/// What GUI git clients give hooks: no ~/.local/bin, no ~/.cargo/bin.
const BARE_PATH: &str = "/usr/bin:/bin";

/// An app with requirements, a remote `azure`, nothing pushed yet.
fn app() -> (TestRepo, PathBuf) {
    let repo = TestRepo::new();
    repo.commit(
        &[("requirements.txt", REQS), ("runtime.txt", "python-3.11\n")],
        "app",
    );
    let bare = repo.add_remote("azure");
    (repo, bare)
}

/// A user's own pre-push hook: appends its arguments and stdin to `log`,
/// and fails while `fail` exists. Both live outside the working tree.
fn own_hook(log: &Path, fail: &Path) -> String {
    format!(
        "#!/bin/sh\n# the user's own pre-push hook\n\
         echo \"args: $*\" >> '{log}'\ncat >> '{log}'\necho -- >> '{log}'\n\
         if [ -e '{fail}' ]; then echo 'own hook: push refused' >&2; exit 7; fi\n",
        log = log.display(),
        fail = fail.display()
    )
}

fn write_hook(path: &Path, bytes: &[u8], mode: u32) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// The project's install.sh.
fn install_sh() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh")
}

/// Lets cargo run under the harness: the build `cargo test` just made is
/// reused (the same target folder and, with `--debug`, the same profile), so
/// a build costs a freshness check rather than one from scratch. HOME is the
/// test's fresh one, so cargo and rustup are told where the real toolchain
/// and registry cache live.
fn use_real_toolchain(repo: &mut TestRepo) {
    let target = envguard_bin()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    repo.set_env("CARGO_TARGET_DIR", target.to_str().unwrap());
    for (key, value) in real_cargo_homes() {
        repo.set_env(key, &value);
    }
}

/// CARGO_HOME and RUSTUP_HOME as the test process has them.
fn real_cargo_homes() -> [(&'static str, String); 2] {
    let real_home = std::env::var("HOME").unwrap_or_default();
    [("CARGO_HOME", ".cargo"), ("RUSTUP_HOME", ".rustup")].map(|(key, default)| {
        let value = std::env::var(key).unwrap_or_else(|_| format!("{real_home}/{default}"));
        (key, value)
    })
}

/// A PATH with git but no envguard, as a GUI client or a fresh shell has.
fn path_without_envguard() -> String {
    let git_dir = which("git").parent().unwrap().display().to_string();
    format!("{git_dir}:{BARE_PATH}")
}

#[test]
fn install_sh_builds_into_a_prefix_and_the_hook_runs_it_with_a_bare_path() {
    let (mut repo, bare) = app();
    let prefix = repo.root.path().join("prefix");
    let installed = prefix.join("bin").join("envguard");
    use_real_toolchain(&mut repo);
    let script = install_sh();
    let (prefix_arg, app_arg) = (prefix.to_str().unwrap(), repo.dir.to_str().unwrap());

    // From elsewhere (the temp root is no repository), naming the app.
    let run = repo.run_in(
        repo.root.path(),
        "sh",
        &[
            script.to_str().unwrap(),
            "--prefix",
            prefix_arg,
            "--debug",
            app_arg,
        ],
        &[],
    );
    assert_code(&run, 0);
    assert!(
        run.stderr
            .contains(&format!("installed {}", installed.display())),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("is not on PATH"), "{}", run.stderr);
    let hook = repo.hooks_dir().join("pre-push");
    assert!(read(&hook).contains(&format!("recorded='{}'", installed.display())));
    let version = repo.run_in(&repo.dir, &installed, &["--version"], &[]);
    assert_code(&version, 0);
    assert!(
        version.stdout.starts_with("envguard "),
        "{}",
        version.stdout
    );

    // git's hook finds the binary by its recorded path, not on PATH.
    let first = repo.push_in(&repo.dir, &[("PATH", BARE_PATH)], &["azure", "main"]);
    assert_code(&first, 0);
    assert!(
        first.stderr.contains("first deployment"),
        "{}",
        first.stderr
    );
    let pushed = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop six");
    let run = repo.push_in(&repo.dir, &[("PATH", BARE_PATH)], &["azure", "main"]);
    assert_code(&run, 1);
    assert!(run.stderr.contains("removes six"), "{}", run.stderr);
    assert_eq!(repo.rev("HEAD^"), pushed);
    assert_ne!(repo.remote_rev(&bare, "refs/heads/main").unwrap(), pushed);

    // Again, from inside the app and without naming it: an upgrade in place.
    // Another envguard comes first on PATH (as `cargo install`'s would): said.
    let other = envguard_bin();
    let path = format!(
        "{}:{}",
        other.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let again = repo.run_in(
        &repo.dir,
        "sh",
        &[script.to_str().unwrap(), "--prefix", prefix_arg, "--debug"],
        &[("PATH", &path)],
    );
    assert_code(&again, 0);
    assert!(
        again.stderr.contains(&format!(
            "note: `envguard` on PATH is {}, not {}; the hook runs {}.",
            other.display(),
            installed.display(),
            installed.display()
        )),
        "{}",
        again.stderr
    );
    assert!(
        again
            .stderr
            .contains(&format!("upgraded {}", installed.display())),
        "{}",
        again.stderr
    );
    assert!(
        again
            .stderr
            .contains(&format!("updated {}", hook.display())),
        "{}",
        again.stderr
    );
    assert!(!repo.hooks_dir().join("pre-push.envguard-chained").exists());
    assert_eq!(repo.status(), "");
}

#[test]
fn the_hook_is_lf_executable_and_runs_the_recorded_binary_with_a_bare_path() {
    let (repo, _bare) = app();
    repo.install_hook();
    let hook = repo.hooks_dir().join("pre-push");
    let bytes = std::fs::read(&hook).unwrap();
    assert!(!bytes.contains(&b'\r'), "no CR in the hook");
    assert_eq!(mode(&hook) & 0o111, 0o111, "executable");
    assert!(read(&hook).contains(&format!("recorded='{}'", envguard_bin().display())));

    assert_code(
        &repo.push_in(&repo.dir, &[("PATH", BARE_PATH)], &["azure", "main"]),
        0,
    );
    repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop six");
    let run = repo.push_in(&repo.dir, &[("PATH", BARE_PATH)], &["azure", "main"]);
    assert_code(&run, 1);
    assert!(run.stderr.contains("removes six"), "{}", run.stderr);
}

#[test]
fn a_kept_hook_runs_first_once_per_push_with_the_ref_lines_and_its_failure_stops_the_push() {
    let (repo, bare) = app();
    let (log, fail) = (
        repo.root.path().join("own.log"),
        repo.root.path().join("fail"),
    );
    let own = own_hook(&log, &fail);
    let hook = repo.hooks_dir().join("pre-push");
    let chained = repo.hooks_dir().join("pre-push.envguard-chained");
    write_hook(&hook, own.as_bytes(), 0o750);

    let run = repo.envguard(&["install"]);
    assert_code(&run, 0);
    assert!(
        run.stderr.contains("kept the existing hook as"),
        "{}",
        run.stderr
    );
    // Installing twice upgrades envguard's hook and never chains it to itself.
    let run = repo.envguard(&["install"]);
    assert_code(&run, 0);
    assert!(run.stderr.contains("is kept from before"), "{}", run.stderr);
    assert_eq!(read(&chained), own);
    assert_eq!(mode(&chained), 0o750);

    let head = repo.rev("HEAD");
    assert_code(&repo.push(&["azure", "main"]), 0);
    let zeros = "0".repeat(40);
    assert_eq!(
        read(&log),
        format!(
            "args: azure {}\nrefs/heads/main {head} refs/heads/main {zeros}\n--\n",
            bare.display()
        ),
        "the kept hook ran once, with git's arguments and ref lines"
    );

    // The kept hook says no: the push stops before envguard looks at it.
    let dropped = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop six");
    std::fs::write(&fail, "").unwrap();
    let run = repo.push(&["azure", "main"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("own hook: push refused"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("removes six"), "{}", run.stderr);
    assert_eq!(repo.rev("HEAD"), dropped, "no marker commit");
    assert_eq!(repo.remote_rev(&bare, "refs/heads/main").unwrap(), head);

    // It says yes: envguard runs next and stops the removal.
    std::fs::remove_file(&fail).unwrap();
    let run = repo.push(&["azure", "main"]);
    assert_code(&run, 1);
    assert!(run.stderr.contains("removes six"), "{}", run.stderr);
    let ran = read(&log);
    assert_eq!(ran.matches("args: azure").count(), 3, "{ran}");
    assert!(
        ran.ends_with(&format!(
            "refs/heads/main {dropped} refs/heads/main {head}\n--\n"
        )),
        "{ran}"
    );
    assert_code(&repo.push(&["azure", "main"]), 0);
}

#[test]
fn envguard_skip_still_runs_the_kept_hook() {
    let (repo, bare) = app();
    let log = repo.root.path().join("own.log");
    let own = own_hook(&log, &repo.root.path().join("fail"));
    write_hook(&repo.hooks_dir().join("pre-push"), own.as_bytes(), 0o755);
    repo.install_hook();
    assert_code(&repo.push(&["azure", "main"]), 0);
    let dropped = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop six");

    let run = repo.push_in(&repo.dir, &[("ENVGUARD_SKIP", "1")], &["azure", "main"]);
    assert_code(&run, 0);
    assert_eq!(repo.remote_rev(&bare, "refs/heads/main").unwrap(), dropped);
    assert_eq!(repo.rev("HEAD"), dropped, "skipped: no marker");
    assert_eq!(read(&log).matches("args: azure").count(), 2);
}

#[test]
fn uninstall_restores_the_kept_hook_byte_for_byte_mode_too() {
    let (repo, _bare) = app();
    let hook = repo.hooks_dir().join("pre-push");
    // CRLF and bytes that are not UTF-8: kept and restored as they are.
    let own: &[u8] = b"#!/bin/sh\r\n# caf\xe9 \xff\r\nexit 0\r\n";
    write_hook(&hook, own, 0o741);
    repo.install_hook();
    assert_ne!(std::fs::read(&hook).unwrap(), own);

    let run = repo.envguard(&["uninstall"]);
    assert_code(&run, 0);
    assert!(run.stderr.contains("is back as"), "{}", run.stderr);
    assert_eq!(std::fs::read(&hook).unwrap(), own);
    assert_eq!(mode(&hook), 0o741);
    assert!(!repo.hooks_dir().join("pre-push.envguard-chained").exists());

    // What is there now is the user's: left alone.
    let run = repo.envguard(&["uninstall"]);
    assert_code(&run, 0);
    assert!(
        run.stderr.contains("is not envguard's hook: left alone"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(&hook).unwrap(), own);

    std::fs::remove_file(&hook).unwrap();
    let run = repo.envguard(&["uninstall"]);
    assert_code(&run, 0);
    assert!(run.stderr.contains("is not installed"), "{}", run.stderr);
}

#[test]
fn force_replaces_a_hook_without_keeping_it() {
    let (repo, _bare) = app();
    let hook = repo.hooks_dir().join("pre-push");
    write_hook(&hook, b"#!/bin/sh\nexit 1\n", 0o755);
    let run = repo.envguard(&["install", "--force"]);
    assert_code(&run, 0);
    assert!(run.stderr.contains("it is not kept"), "{}", run.stderr);
    assert!(!repo.hooks_dir().join("pre-push.envguard-chained").exists());
    assert_code(&repo.push(&["azure", "main"]), 0);
    assert_code(&repo.envguard(&["uninstall"]), 0);
    assert!(!hook.exists());
}

#[test]
fn core_hooks_path_is_honoured_with_a_note() {
    let (repo, _bare) = app();
    let shared = repo.root.path().join("shared-hooks");
    repo.git(&["config", "core.hooksPath", shared.to_str().unwrap()]);
    let run = repo.envguard(&["install"]);
    assert_code(&run, 0);
    assert!(
        run.stderr.contains("core.hooksPath makes"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("do not commit it"), "{}", run.stderr);
    assert!(shared.join("pre-push").exists());
    assert!(!repo.hooks_dir().join("pre-push").exists());

    assert_code(&repo.push(&["azure", "main"]), 0);
    repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop six");
    let run = repo.push(&["azure", "main"]);
    assert_code(&run, 1);
    assert!(run.stderr.contains("removes six"), "{}", run.stderr);

    let doctor = repo.envguard(&["doctor"]);
    assert!(
        doctor
            .stdout
            .contains("note  hooks folder: core.hooksPath makes"),
        "{}",
        doctor.stdout
    );
    assert_code(&repo.envguard(&["uninstall"]), 0);
    assert!(!shared.join("pre-push").exists());
}

#[test]
fn a_push_from_a_linked_worktree_runs_the_hook_and_stops_a_removal_there() {
    let (repo, bare) = app();
    repo.install_hook();
    assert_code(&repo.push(&["azure", "main"]), 0);
    let main = repo.rev("main");
    let wt = repo.root.path().join("wt");
    repo.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "release",
        wt.to_str().unwrap(),
    ]);

    std::fs::write(wt.join("requirements.txt"), "flask==3.0.0\n").unwrap();
    repo.git_in(&wt, &["commit", "-q", "-am", "drop six"]);
    let pushed = repo.git_in(&wt, &["rev-parse", "HEAD"]);
    let run = repo.push_in(&wt, &[], &["azure", "release:main"]);
    assert_code(&run, 1);
    assert!(run.stderr.contains("removes six"), "{}", run.stderr);
    assert!(
        run.stderr.contains("git push azure release:main"),
        "{}",
        run.stderr
    );

    // The marker commit lands on the worktree's branch, and only there.
    assert_eq!(repo.git_in(&wt, &["rev-parse", "release^"]), pushed);
    assert_eq!(repo.git_in(&wt, &["status", "--porcelain"]), "");
    assert_eq!(repo.rev("main"), main);
    assert_eq!(repo.status(), "");
    assert_eq!(repo.remote_rev(&bare, "refs/heads/main").unwrap(), main);

    assert_code(&repo.push_in(&wt, &[], &["azure", "release:main"]), 0);
    assert_eq!(
        repo.remote_rev(&bare, "refs/heads/main").unwrap(),
        repo.git_in(&wt, &["rev-parse", "release"])
    );
}

#[test]
fn a_missing_binary_stops_the_push_and_says_how_to_get_past() {
    let (repo, bare) = app();
    let gone = repo.root.path().join("bin").join("envguard");
    std::fs::create_dir_all(gone.parent().unwrap()).unwrap();
    std::fs::copy(envguard_bin(), &gone).unwrap();
    assert_code(&repo.run_in(&repo.dir, &gone, &["install"], &[]), 0);
    std::fs::remove_file(&gone).unwrap();

    let run = repo.push_in(&repo.dir, &[("PATH", BARE_PATH)], &["azure", "main"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("cannot find the envguard binary"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("ENVGUARD_SKIP=1"), "{}", run.stderr);
    assert!(
        run.stderr.contains("`envguard uninstall`"),
        "{}",
        run.stderr
    );
    assert!(repo.remote_rev(&bare, "refs/heads/main").is_none());

    let run = repo.push_in(
        &repo.dir,
        &[("PATH", BARE_PATH), ("ENVGUARD_SKIP", "1")],
        &["azure", "main"],
    );
    assert_code(&run, 0);
    assert_eq!(
        repo.remote_rev(&bare, "refs/heads/main").unwrap(),
        repo.rev("HEAD")
    );
}

#[test]
fn doctor_says_what_to_fix_then_that_all_is_in_place() {
    let repo = TestRepo::new();
    repo.commit(&[("requirements.txt", REQS)], "app");
    let run = repo.envguard(&["doctor"]);
    assert_code(&run, 1);
    for expected in [
        "FIX   hook: no pre-push hook at",
        "FIX   remotes: no remote deploys",
        "FIX   server script: HEAD has no .deployment",
        "\n3 things to fix.\n",
    ] {
        assert!(
            run.stdout.contains(expected),
            "{expected:?} in\n{}",
            run.stdout
        );
    }

    repo.add_remote("azure");
    repo.add_remote("origin");
    repo.install_hook();
    repo.commit(
        &[
            (".deployment", "[config]\ncommand = deploy.cmd\n"),
            (
                "deploy.cmd",
                "@echo off\r\nrem ...\r\nset TOKEN_FILE=%ENV%\\.envguard-token\r\n",
            ),
        ],
        "server script",
    );
    let run = repo.envguard(&["doctor"]);
    assert_code(&run, 0);
    for expected in [
        &format!("ok    hook: {} is envguard's and runs", repo.hooks_dir().join("pre-push").display()),
        "(this binary)",
        "ok    remote azure: ",
        "note  other remotes: origin does not deploy",
        "note  baseline azure: no refs/remotes/azure/main here: `git push azure main` is a first deployment",
        "ok    server script: deploy.cmd (run by .deployment) honours the force-clean marker",
        "\nAll in place.\n",
    ] {
        assert!(run.stdout.contains(expected), "{expected:?} in\n{}", run.stdout);
    }

    assert_code(&repo.push(&["azure", "main"]), 0);
    let run = repo.envguard(&["doctor"]);
    assert_code(&run, 0);
    let short = &repo.rev("HEAD")[..12];
    let expected = format!("ok    baseline azure: `git push azure main` is compared with refs/remotes/azure/main ({short})");
    assert!(
        run.stdout.contains(&expected),
        "{expected:?} in\n{}",
        run.stdout
    );

    // A script that ignores the marker is something to fix.
    repo.commit(
        &[(
            "deploy.cmd",
            "@echo off\r\npip install -r requirements.txt\r\n",
        )],
        "own script",
    );
    let run = repo.envguard(&["doctor"]);
    assert_code(&run, 1);
    assert!(
        run.stdout
            .contains("does not honour the force-clean marker"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_dangling_symlink_hook_is_kept_and_restored_as_a_link() {
    let (repo, _bare) = app();
    let hook = repo.hooks_dir().join("pre-push");
    let target = Path::new("../../tools/gone-hook");
    std::fs::create_dir_all(repo.hooks_dir()).unwrap();
    std::os::unix::fs::symlink(target, &hook).unwrap();
    let run = repo.envguard(&["install"]);
    assert_code(&run, 0);
    assert!(
        run.stderr.contains("kept the existing hook"),
        "{}",
        run.stderr
    );
    let chained = repo.hooks_dir().join("pre-push.envguard-chained");
    assert_eq!(std::fs::read_link(&chained).unwrap(), target);
    // Like git, the shim skips a kept hook that cannot run.
    assert_code(&repo.push(&["azure", "main"]), 0);
    assert_code(&repo.envguard(&["uninstall"]), 0);
    assert_eq!(std::fs::read_link(&hook).unwrap(), target);
}

/// The marker commit a stopped push leaves on top of `pushed`.
#[track_caller]
fn assert_marker_commit(repo: &TestRepo, pushed: &str) {
    assert_eq!(
        repo.rev("HEAD^"),
        pushed,
        "the marker commit sits on the push"
    );
    assert_eq!(
        repo.changed_paths("HEAD"),
        [".envguard/fingerprint.toml", ".envguard/force-clean"]
    );
    let token = repo.read(".envguard/force-clean");
    assert_eq!(token.len(), 65, "{token:?}");
}

#[test]
fn cargo_install_into_a_root_and_the_hook_finds_that_binary_with_a_bare_path() {
    let (mut repo, bare) = app();
    use_real_toolchain(&mut repo);
    let root = repo.root.path().join("cargo-root");
    let installed = root.join("bin").join("envguard");
    let run = repo.run_in(
        repo.root.path(),
        which("cargo"),
        &[
            "install",
            "--locked",
            "--offline",
            "--debug",
            "--path",
            env!("CARGO_MANIFEST_DIR"),
            "--root",
            root.to_str().unwrap(),
        ],
        &[],
    );
    assert_code(&run, 0);
    assert!(installed.is_file(), "{}", run.stderr);

    // `envguard install` run by that binary records it in the hook.
    let run = repo.run_in(&repo.dir, &installed, &["install"], &[]);
    assert_code(&run, 0);
    let hook = repo.hooks_dir().join("pre-push");
    assert!(read(&hook).contains(&format!("recorded='{}'", installed.display())));

    let first = repo.push_in(&repo.dir, &[("PATH", BARE_PATH)], &["azure", "main"]);
    assert_code(&first, 0);
    let pushed = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop six");
    let run = repo.push_in(&repo.dir, &[("PATH", BARE_PATH)], &["azure", "main"]);
    assert_code(&run, 1);
    assert!(run.stderr.contains("removes six"), "{}", run.stderr);
    assert_marker_commit(&repo, &pushed);
    assert_ne!(repo.remote_rev(&bare, "refs/heads/main").unwrap(), pushed);
    assert_code(
        &repo.push_in(&repo.dir, &[("PATH", BARE_PATH)], &["azure", "main"]),
        0,
    );

    // install.sh --no-build finds the same binary where cargo installed it
    // (CARGO_INSTALL_ROOT here; not on PATH), builds nothing, and hooks the app.
    assert_code(&repo.run_in(&repo.dir, &installed, &["uninstall"], &[]), 0);
    let path = path_without_envguard();
    let run = repo.run_in(
        &repo.dir,
        "sh",
        &[install_sh().to_str().unwrap(), "--no-build"],
        &[
            ("PATH", &path),
            ("CARGO_INSTALL_ROOT", root.to_str().unwrap()),
        ],
    );
    assert_code(&run, 0);
    assert!(
        run.stderr
            .contains(&format!("using {} (envguard ", installed.display())),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("building"), "{}", run.stderr);
    assert!(read(&hook).contains(&format!("recorded='{}'", installed.display())));

    let pushed = repo.commit(&[("requirements.txt", "")], "drop flask");
    let run = repo.push_in(&repo.dir, &[("PATH", BARE_PATH)], &["azure", "main"]);
    assert_code(&run, 1);
    assert!(run.stderr.contains("removes flask"), "{}", run.stderr);
    assert_marker_commit(&repo, &pushed);
}

#[test]
fn install_sh_no_build_finds_envguard_on_path_or_says_how_to_install_it() {
    let (repo, _bare) = app();
    let script = install_sh();
    let script = script.to_str().unwrap();
    let empty_cargo_home = repo.root.path().join("no-cargo");
    let path = path_without_envguard();
    let nothing = [
        ("PATH", path.as_str()),
        ("CARGO_HOME", empty_cargo_home.to_str().unwrap()),
    ];

    let run = repo.run_in(&repo.dir, "sh", &[script, "--no-build"], &nothing);
    assert_code(&run, 1);
    assert!(
        run.stderr.contains("--no-build: no envguard on PATH"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("cargo install --locked --path ."),
        "{}",
        run.stderr
    );
    assert!(!repo.hooks_dir().join("pre-push").exists());

    let run = repo.run_in(
        &repo.dir,
        "sh",
        &[script, "--no-build", "--debug"],
        &nothing,
    );
    assert_code(&run, 1);
    assert!(run.stderr.contains("do not go with it"), "{}", run.stderr);

    // An envguard on PATH (here the one under test) is the one used.
    let bin_dir = envguard_bin().parent().unwrap().display().to_string();
    let path = format!("{bin_dir}:{path}");
    let run = repo.run_in(
        &repo.dir,
        "sh",
        &[script, "--no-build"],
        &[("PATH", &path), nothing[1]],
    );
    assert_code(&run, 0);
    assert!(
        run.stderr
            .contains(&format!("using {} (envguard ", envguard_bin().display())),
        "{}",
        run.stderr
    );
    let hook = repo.hooks_dir().join("pre-push");
    assert!(read(&hook).contains(&format!("recorded='{}'", envguard_bin().display())));
}

/// Windows refuses to replace a running .exe, so install.sh moves the old one
/// aside first. Linux allows either, but /proc shows which one happened: a
/// process whose binary was moved aside runs a deleted `.envguard.old.*`.
/// The build is a stand-in cargo that "builds" envguard.exe by copying the
/// binary under test, as a Windows toolchain would name it.
#[cfg(target_os = "linux")]
#[test]
fn install_sh_moves_a_running_exe_aside_instead_of_renaming_over_it() {
    let (repo, _bare) = app();
    let fake_bin = repo.root.path().join("fake-bin");
    let fake_cargo = fake_bin.join("cargo");
    write_hook(
        &fake_cargo,
        b"#!/bin/sh\n# a stand-in for a Windows toolchain's cargo build\n\
          while [ $# -gt 0 ]; do [ \"$1\" = --target-dir ] && dir=$2; shift; done\n\
          mkdir -p \"$dir/debug\" && cp \"$ENVGUARD_REAL\" \"$dir/debug/envguard.exe\"\n",
        0o755,
    );
    let path = format!(
        "{}:{}",
        fake_bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let prefix = repo.root.path().join("prefix");
    let bin_dir = prefix.join("bin");
    let installed = bin_dir.join("envguard.exe");
    let target = repo.root.path().join("target");
    let real = envguard_bin();
    let env = [
        ("PATH", path.as_str()),
        ("ENVGUARD_REAL", real.to_str().unwrap()),
        ("CARGO_TARGET_DIR", target.to_str().unwrap()),
    ];
    let script = install_sh();
    let args = [
        script.to_str().unwrap(),
        "--prefix",
        prefix.to_str().unwrap(),
        "--debug",
        repo.dir.to_str().unwrap(),
    ];
    let run = repo.run_in(repo.root.path(), "sh", &args, &env);
    assert_code(&run, 0);
    assert!(
        run.stderr
            .contains(&format!("installed {}", installed.display())),
        "{}",
        run.stderr
    );

    // The hook waits for git's ref lines on stdin: a running envguard.exe.
    let mut running = repo
        .command(&installed, &repo.dir)
        .args(["pre-push", "origin", "/nowhere"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let exe_link = PathBuf::from(format!("/proc/{}/exe", running.id()));
    assert_eq!(std::fs::read_link(&exe_link).unwrap(), installed);

    let run = repo.run_in(repo.root.path(), "sh", &args, &env);
    assert_code(&run, 0);
    assert!(
        run.stderr
            .contains(&format!("upgraded {}", installed.display())),
        "{}",
        run.stderr
    );
    let now = std::fs::read_link(&exe_link).unwrap();
    let now = now.to_str().unwrap();
    assert!(
        now.starts_with(&format!("{}/.envguard.old.", bin_dir.display()))
            && now.ends_with(".exe (deleted)"),
        "the running binary was moved aside, then deleted: {now}"
    );
    let mut left: Vec<String> = std::fs::read_dir(&bin_dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["envguard.exe"]);

    drop(running.stdin.take());
    assert!(
        running.wait().unwrap().success(),
        "the old one ran to its end"
    );
    let version = repo.run_in(&repo.dir, &installed, &["--version"], &[]);
    assert_code(&version, 0);
}
