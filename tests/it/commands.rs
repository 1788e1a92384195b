//! `envguard --reset`, `status` and `diff` against real repositories.

use crate::common;

use common::{assert_code, assert_says, TestRepo};

fn app() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit(
        &[
            ("requirements.txt", "flask\nrequests[socks]\nsix\n"),
            ("runtime.txt", "python-3.11\n"),
        ],
        "app",
    );
    repo
}

#[test]
fn reset_commits_a_fresh_marker_each_time_and_keeps_user_work() {
    let repo = app();
    repo.add_remote("azure");
    repo.install_hook();
    assert_code(&repo.push(&["azure", "main"]), 0);
    let before = repo.rev("HEAD");
    repo.write("requirements.txt", "flask\n# unstaged edit\n");
    repo.write("new.py", "staged\n");
    repo.git(&["add", "new.py"]);
    let status = repo.status();

    let run = repo.envguard(&["--reset"]);
    assert_says!(run, 0);
    assert_eq!(repo.rev("HEAD^"), before);
    assert_eq!(
        repo.changed_paths("HEAD"),
        [".envguard/fingerprint.toml", ".envguard/force-clean"]
    );
    assert_eq!(repo.status(), status);
    let first = repo.git(&["show", "HEAD:.envguard/force-clean"]);

    assert_code(&repo.envguard(&["reset"]), 0);
    let second = repo.git(&["show", "HEAD:.envguard/force-clean"]);
    assert_ne!(first, second);
    assert!(repo
        .git(&["show", "HEAD:.envguard/fingerprint.toml"])
        .contains("reset by"));

    // The reset travels with the next push, which the hook lets through.
    repo.git(&["stash", "-q", "--include-untracked"]);
    let run = repo.push(&["azure", "main"]);
    assert_code(&run, 0);
}

#[test]
fn reset_refuses_unborn_merges_and_local_marker_edits() {
    let repo = TestRepo::new();
    let run = repo.envguard(&["--reset"]);
    assert_says!(run, 2);

    let repo = app();
    assert_code(&repo.envguard(&["--reset"]), 0);
    repo.write(".envguard/force-clean", "edited\n");
    let head = repo.rev("HEAD");
    let run = repo.envguard(&["--reset"]);
    assert_code(&run, 2);
    // The refusal is said as it is, not as a failure after the fact
    // ("nothing was changed: … the marker commit written meanwhile …").
    assert_eq!(
        run.stderr,
        "envguard: .envguard/force-clean has unstaged changes; envguard would overwrite it. Commit or \
         discard that change (`git restore --staged --worktree .envguard/force-clean`), then run \
         `envguard --reset` again\n",
    );
    assert_eq!(repo.rev("HEAD"), head);
    repo.git(&["checkout", "--", ".envguard"]);

    repo.git(&["checkout", "-q", "-b", "other"]);
    repo.commit(&[("a.txt", "other\n")], "other");
    repo.git(&["checkout", "-q", "main"]);
    repo.commit(&[("a.txt", "main\n")], "main");
    assert_eq!(
        repo.git_run(&["merge", "-q", "other"]).code,
        1,
        "a conflicting merge"
    );
    let run = repo.envguard(&["--reset"]);
    assert_says!(run, 2);
}

#[test]
fn status_tells_what_a_push_would_do() {
    let repo = app();
    let run = repo.envguard(&["status"]);
    assert_says!(run, 0);

    repo.add_remote("azure");
    let run = repo.envguard(&["status"]);
    assert_says!(run, 0);

    repo.install_hook();
    assert_code(&repo.push(&["azure", "main"]), 0);
    repo.commit(
        &[
            ("requirements.txt", "flask\nrequests\nattrs\n"),
            ("runtime.txt", "python-3.11.2\n"),
        ],
        "x",
    );
    let run = repo.envguard(&["status"]);
    assert_says!(run, 0);

    let run = repo.envguard(&["status", "--remote", "nope"]);
    assert_says!(run, 2);
    repo.git(&["checkout", "-q", "-b", "dev"]);
    let run = repo.envguard(&["status"]);
    assert_says!(run, 0);
}

#[test]
fn diff_lists_changes_with_exit_codes() {
    let repo = app();
    let old = repo.rev("HEAD");
    repo.commit(
        &[("requirements.txt", "Flask\nrequests[socks]\nsix\nattrs\n")],
        "add",
    );
    let run = repo.envguard(&["diff", &old, "HEAD"]);
    assert_code(&run, 0);
    assert_eq!(run.stdout, "added attrs\n");

    repo.commit(
        &[
            ("requirements.txt", "flask\nrequests\n"),
            ("runtime.txt", "python-3.12\n"),
        ],
        "drop",
    );
    let run = repo.envguard(&["diff", &old, "HEAD"]);
    assert_code(&run, 1);
    assert_eq!(
        run.stdout,
        "removed six\nextras-dropped requests[socks]\nruntime python-3.11 -> python-3.12\n"
    );
    let run = repo.envguard(&["diff", "--format", "json", &old, "HEAD"]);
    assert_code(&run, 1);
    assert_eq!(
        run.stdout.trim(),
        r#"{"removed":["six"],"extras_dropped":[{"package":"requests","extras":["socks"]}],"added":[],"runtime":{"from":"python-3.11","to":"python-3.12"},"removes_anything":true}"#
    );
    let run = repo.envguard(&["diff", "nope", "HEAD"]);
    assert_says!(run, 2);
}

#[test]
fn help_and_version_work_everywhere() {
    let repo = TestRepo::new();
    for args in [
        &["--version"][..],
        &["--help"],
        &["status", "--version"],
        &["diff", "--help"],
        &["pre-push", "--help"],
        &["init", "--version"],
    ] {
        let run = repo.envguard(args);
        assert_code(&run, 0);
        assert!(!run.stdout.is_empty(), "{args:?}");
    }
    assert!(repo
        .envguard(&["--version"])
        .stdout
        .starts_with("envguard "));
}
