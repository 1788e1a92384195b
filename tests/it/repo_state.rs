//! The user's repository and git's state (docs/exit-codes.md, "The hook in
//! detail"): envguard never writes through a link or outside the
//! repository, never moves a branch under a rebase, keeps a sparse checkout
//! sparse, says what is really in its way, quotes what comes from files,
//! and lets a push that cannot deploy through whatever bytes git sends. Real git throughout; the hook is run directly
//! (as git runs it) where the exit code or raw bytes matter.

use crate::common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::{app, assert_code, assert_says, envguard_bin, Run, TestRepo};

const REQS: &str = "flask==3.0.0\nsix\n";

/// git's pre-push line for pushing `local_ref` to `azure` `main`.
fn line_for(repo: &TestRepo, local_ref: &str) -> String {
    format!(
        "{local_ref} {} refs/heads/main {}\n",
        repo.rev(local_ref),
        repo.rev("refs/remotes/azure/main")
    )
}

/// `envguard pre-push REMOTE URL` with `input` as raw bytes on stdin.
fn hook_raw(repo: &TestRepo, remote: &str, url: &Path, input: &[u8]) -> Run {
    hook_via(repo, &[], remote, url, input)
}

/// The same, run through `via`: a command and its arguments that run the
/// rest (`setpriv … --`), or nothing.
fn hook_via(repo: &TestRepo, via: &[&str], remote: &str, url: &Path, input: &[u8]) -> Run {
    let mut command = match via.split_first() {
        Some((program, args)) => {
            let mut command = repo.command(program, &repo.dir);
            command.args(args).arg(envguard_bin());
            command
        }
        None => repo.command(envguard_bin(), &repo.dir),
    };
    let mut child = command
        .arg("pre-push")
        .arg(remote)
        .arg(url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // A writer of its own: the hook may answer before it read everything.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The hook for pushing `main` to `azure` `main`.
fn hook_main(repo: &TestRepo, bare: &Path) -> Run {
    hook_raw(
        repo,
        "azure",
        bare,
        line_for(repo, "refs/heads/main").as_bytes(),
    )
}

fn drop_six(repo: &TestRepo) -> String {
    repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop six")
}

fn symlink(target: &str, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// A committed `.envguard` that is a symlink, or a regular file.

#[test]
fn a_committed_envguard_symlink_is_refused_and_nothing_is_written_through_it() {
    let (repo, bare) = TestRepo::deployed_without_hook(&app(REQS));
    let outside = repo.root.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    symlink("../outside", &repo.dir.join(".envguard"));
    repo.git(&["add", ".envguard"]);
    let pushed = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "link + drop six");
    let before = repo.status();

    let run = hook_main(&repo, &bare);
    assert_says!(run, 2);
    assert!(
        files_in(&outside).is_empty(),
        "wrote outside: {:?}",
        files_in(&outside)
    );
    assert_eq!(repo.rev("main"), pushed);
    assert_eq!(repo.status(), before);
}

#[test]
fn a_committed_regular_file_named_envguard_is_refused_not_dropped() {
    let (repo, bare) = TestRepo::deployed_without_hook(&app(REQS));
    let pushed = repo.commit(
        &[
            (".envguard", "my notes\n"),
            ("requirements.txt", "flask==3.0.0\n"),
        ],
        "a file named .envguard",
    );
    let run = hook_main(&repo, &bare);
    assert_says!(run, 2);
    assert_eq!(repo.rev("main"), pushed);
    assert_eq!(repo.git(&["show", "main:.envguard"]), "my notes");
    assert_eq!(repo.read(".envguard"), "my notes\n");
}

#[test]
fn an_envguard_symlink_only_in_the_work_tree_is_refused_too() {
    let (repo, bare) = TestRepo::deployed_without_hook(&app(REQS));
    let pushed = drop_six(&repo);
    let outside = repo.root.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    symlink("../outside", &repo.dir.join(".envguard"));

    let run = hook_main(&repo, &bare);
    assert_says!(run, 2);
    assert!(
        files_in(&outside).is_empty(),
        "wrote outside: {:?}",
        files_in(&outside)
    );
    assert_eq!(repo.rev("main"), pushed);
}

// What is really at `.envguard/force-clean`.

#[test]
fn a_committed_symlink_at_the_marker_path_is_named_as_one() {
    let (repo, bare) = TestRepo::deployed_without_hook(&app(REQS));
    std::fs::create_dir(repo.dir.join(".envguard")).unwrap();
    symlink("../runtime.txt", &repo.dir.join(".envguard/force-clean"));
    repo.git(&["add", ".envguard"]);
    let pushed = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "x");
    assert_eq!(repo.status(), "", "a clean tree");

    let run = hook_main(&repo, &bare);
    assert_says!(run, 2);
    assert_eq!(repo.rev("main"), pushed);
}

#[test]
fn a_committed_directory_at_the_marker_path_is_named_as_one() {
    let (repo, bare) = TestRepo::deployed_without_hook(&app(REQS));
    let pushed = repo.commit(
        &[
            (".envguard/force-clean/inner", "x\n"),
            ("requirements.txt", "flask==3.0.0\n"),
        ],
        "x",
    );
    assert_eq!(repo.status(), "", "a clean tree");

    let run = hook_main(&repo, &bare);
    assert_says!(run, 2);
    assert_eq!(repo.rev("main"), pushed);
}

// A rebase in progress; a sparse checkout without `.envguard/`.

#[test]
fn a_branch_mid_rebase_is_not_moved_and_the_rebase_can_finish() {
    let (repo, bare) = TestRepo::deployed_without_hook(&app(REQS));
    drop_six(&repo);
    repo.commit(&[("app.py", "print('edited')\n")], "edit app");
    let main_before = repo.rev("main");
    let run = repo.run_in(
        &repo.dir,
        common::which("git"),
        &["rebase", "-q", "-i", "HEAD~2"],
        &[("GIT_SEQUENCE_EDITOR", "sed -i 1s/^pick/edit/")],
    );
    assert_code(&run, 0);
    assert!(repo.dir.join(".git/rebase-merge").is_dir());

    for local in ["refs/heads/main", "HEAD"] {
        let input = format!(
            "{local} {} refs/heads/main {}\n",
            repo.rev(local),
            repo.rev("refs/remotes/azure/main")
        );
        let run = hook_raw(&repo, "azure", &bare, input.as_bytes());
        assert_says!(run, 2);
    }
    assert_eq!(repo.rev("main"), main_before);
    repo.git(&["rebase", "--continue"]);
    assert_eq!(repo.rev("main"), main_before, "the rebase finished");
}

#[test]
fn a_branch_being_rebased_in_another_worktree_is_not_moved() {
    let (repo, bare) = TestRepo::deployed_without_hook(&app(REQS));
    drop_six(&repo);
    repo.commit(&[("app.py", "print('edited')\n")], "edit app");
    repo.git(&["checkout", "-q", "-b", "elsewhere"]);
    let other = repo.root.path().join("other");
    repo.git(&["worktree", "add", "-q", other.to_str().unwrap(), "main"]);
    let run = repo.run_in(
        &other,
        common::which("git"),
        &["rebase", "-q", "-i", "HEAD~2"],
        &[("GIT_SEQUENCE_EDITOR", "sed -i 1s/^pick/edit/")],
    );
    assert_code(&run, 0);
    let main_before = repo.rev("main");

    let run = hook_main(&repo, &bare);
    assert_says!(run, 2);
    assert_eq!(repo.rev("main"), main_before);
    repo.git_in(&other, &["rebase", "--continue"]);
    assert_eq!(repo.rev("main"), main_before, "the rebase finished");
}

#[test]
fn a_sparse_checkout_without_envguard_gets_the_marker_in_the_index_only() {
    let (repo, bare) = TestRepo::deployed_without_hook(&app(REQS));
    repo.commit(&[("src/main.py", "print('src')\n")], "src");
    assert_code(&repo.push(&["--no-verify", "-q", "azure", "main"]), 0);
    repo.git(&["sparse-checkout", "set", "--cone", "src"]);
    drop_six(&repo);
    let before = repo.status();

    // The first marker: nothing written outside the cone.
    let run = hook_main(&repo, &bare);
    assert_code(&run, 1);
    assert!(
        !repo.dir.join(".envguard").exists(),
        "wrote outside the cone"
    );
    let listed = repo.git(&["ls-files", "-t", "--", ".envguard"]);
    assert_eq!(
        listed, "S .envguard/fingerprint.toml\nS .envguard/force-clean",
        "skip-worktree entries"
    );
    assert_eq!(repo.status(), before);

    // The second marker, over the first one's skip-worktree entries.
    assert_code(&repo.push(&["--no-verify", "-q", "azure", "main"]), 0);
    repo.commit(&[("requirements.txt", "")], "drop flask");
    let run = hook_main(&repo, &bare);
    assert_code(&run, 1);
    assert!(!repo.dir.join(".envguard").exists());
    assert_eq!(repo.status(), before);

    // Leaving the sparse checkout brings the files the branch has.
    repo.git(&["sparse-checkout", "disable"]);
    assert_eq!(
        repo.read(".envguard/force-clean"),
        repo.git(&["show", "main:.envguard/force-clean"]) + "\n"
    );
    assert_eq!(repo.status(), before);
}

#[test]
fn a_sparse_checkout_with_envguard_in_the_cone_writes_the_files() {
    let (repo, bare) = TestRepo::deployed_without_hook(&app(REQS));
    repo.commit(&[("src/main.py", "print('src')\n")], "src");
    repo.git(&["sparse-checkout", "set", "--cone", "src", ".envguard"]);
    drop_six(&repo);

    let run = hook_main(&repo, &bare);
    assert_code(&run, 1);
    assert_eq!(
        repo.git(&["ls-files", "-t", "--", ".envguard"]),
        "H .envguard/fingerprint.toml\nH .envguard/force-clean"
    );
    assert!(repo.dir.join(".envguard/force-clean").is_file());
    assert_eq!(repo.status(), "");
}

#[test]
fn a_sparse_checkout_that_leaves_out_one_marker_file_still_checks_the_other() {
    // Non-cone patterns can leave out .envguard/force-clean alone: the
    // fingerprint is then still checked out, and what is in its place on
    // disk must still be looked at (here, a link of the user's).
    let (repo, bare) = TestRepo::deployed_without_hook(&app(REQS));
    repo.git(&[
        "sparse-checkout",
        "set",
        "--no-cone",
        "/*",
        "!/.envguard/force-clean",
    ]);
    let pushed = drop_six(&repo);
    std::fs::create_dir(repo.dir.join(".envguard")).unwrap();
    symlink("../app.py", &repo.dir.join(".envguard/fingerprint.toml"));

    let run = hook_main(&repo, &bare);
    assert_says!(run, 2);
    assert_eq!(repo.rev("main"), pushed);
    assert_eq!(
        repo.read("app.py"),
        "print('hi')\n",
        "wrote through the link"
    );

    // Without the link, the marker commit gives the left-out file a
    // skip-worktree entry and writes the other one.
    std::fs::remove_file(repo.dir.join(".envguard/fingerprint.toml")).unwrap();
    let run = hook_main(&repo, &bare);
    assert_code(&run, 1);
    assert_eq!(
        repo.git(&["ls-files", "-t", "--", ".envguard"]),
        "H .envguard/fingerprint.toml\nS .envguard/force-clean"
    );
    assert!(repo.dir.join(".envguard/fingerprint.toml").is_file());
    assert!(!repo.dir.join(".envguard/force-clean").exists());
}

// What comes from files is quoted.

#[test]
fn a_removed_line_holding_a_nul_still_gets_a_marker_commit() {
    let repo = TestRepo::new();
    std::fs::write(repo.dir.join("requirements.txt"), b"six\nbad\0line\n").unwrap();
    repo.git(&["add", "requirements.txt"]);
    repo.git(&["commit", "-q", "-m", "app"]);
    let bare = repo.add_remote("azure");
    assert_code(&repo.push(&["--no-verify", "-q", "azure", "main"]), 0);
    repo.commit(&[("requirements.txt", "six\n")], "drop the odd line");

    let run = hook_main(&repo, &bare);
    assert_says!(run, 1);
    let message = repo.git(&["log", "-1", "--format=%B", "main"]);
    assert!(message.contains(r"bad\0line"), "{message}");
}

#[test]
fn terminal_escapes_from_requirements_never_reach_the_terminal_raw() {
    let repo = TestRepo::new();
    let hostile = "six\n\u{1b}]0;owned\u{7}\u{1b}[31mred==1\n\u{9b}2Jwipe==1\n";
    repo.commit(&[("requirements.txt", hostile)], "app");
    let bare = repo.add_remote("azure");
    assert_code(&repo.push(&["--no-verify", "-q", "azure", "main"]), 0);
    repo.commit(&[("requirements.txt", "six\n")], "drop them");

    let diff = repo.envguard(&["diff", "HEAD~1", "HEAD"]);
    assert_says!(diff, 1);
    let json = repo.envguard(&["diff", "--format", "json", "HEAD~1", "HEAD"]);
    assert_says!(json, 1);
    let run = hook_main(&repo, &bare);
    assert_says!(run, 1);
    let message = repo.git(&["log", "-1", "--format=%B", "main"]);
    for text in [
        &diff.stdout,
        &diff.stderr,
        &json.stdout,
        &run.stderr,
        &message,
    ] {
        assert!(
            !text.contains(['\u{1b}', '\u{7}', '\u{9b}']),
            "raw control characters: {text:?}"
        );
    }
}

// Any bytes git can send.

#[test]
fn a_non_utf8_ref_name_to_a_remote_that_does_not_deploy_passes() {
    let (repo, bare) = TestRepo::deployed_without_hook(&app(REQS));
    let head = repo.rev("HEAD");
    let zero = "0".repeat(40);
    let mut input = Vec::new();
    input.extend_from_slice(b"refs/tags/v\xff1 ");
    input.extend_from_slice(format!("{head} ").as_bytes());
    input.extend_from_slice(b"refs/tags/v\xff1 ");
    input.extend_from_slice(format!("{zero}\n").as_bytes());
    input.extend_from_slice(b"refs/heads/caf\xe9 ");
    input.extend_from_slice(format!("{head} ").as_bytes());
    input.extend_from_slice(b"refs/heads/caf\xe9 ");
    input.extend_from_slice(format!("{zero}\n").as_bytes());
    let run = hook_raw(&repo, "origin", &bare, &input);
    assert_code(&run, 0);
    let run = hook_raw(&repo, "azure", &bare, &input);
    assert_code(&run, 0);
}

#[test]
fn a_broken_stderr_pipe_still_exits_with_the_decision() {
    let (repo, bare) = TestRepo::deployed_without_hook(&app(REQS));
    let run_closed = |input: &[u8]| {
        let mut child = repo
            .command(envguard_bin(), &repo.dir)
            .arg("pre-push")
            .arg("azure")
            .arg(&bare)
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before envguard says anything.
        drop(child.stderr.take());
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(input).unwrap();
        drop(stdin);
        let status = child.wait().unwrap();
        // A panic under `panic = "abort"` would be a signal, not a code.
        status
            .code()
            .unwrap_or_else(|| panic!("envguard died: {status:?}"))
    };
    repo.commit(&[("app.py", "print('edit')\n")], "unchanged requirements");
    assert_eq!(run_closed(line_for(&repo, "refs/heads/main").as_bytes()), 0);
    drop_six(&repo);
    let pushed = repo.rev("main");
    assert_eq!(run_closed(line_for(&repo, "refs/heads/main").as_bytes()), 1);
    assert_ne!(repo.rev("main"), pushed, "the marker was committed");
    assert_eq!(run_closed(b"not a ref line\n"), 2);
}

#[test]
fn a_50_mb_malformed_line_is_not_echoed_whole() {
    let (repo, bare) = TestRepo::deployed_without_hook(&app(REQS));
    let mut input = vec![b'x'; 50 * 1024 * 1024];
    input.push(b'\n');
    let run = hook_raw(&repo, "azure", &bare, &input);
    assert_says!(run, 2);
    assert!(
        run.stderr.len() < 4096,
        "{} bytes of stderr",
        run.stderr.len()
    );
}

// SHA-256 repositories.

/// A SHA-256 app repository with `REQS` committed and an `azure` remote.
fn sha256_repo() -> (TestRepo, PathBuf) {
    let repo = TestRepo::new();
    std::fs::remove_dir_all(repo.dir.join(".git")).unwrap();
    repo.git(&["init", "-q", "-b", "main", "--object-format=sha256"]);
    repo.commit(&[("requirements.txt", REQS)], "app");
    let bare = repo.root.path().join("azure.git");
    repo.git(&[
        "init",
        "-q",
        "--bare",
        "--object-format=sha256",
        bare.to_str().unwrap(),
    ]);
    repo.git(&["remote", "add", "azure", bare.to_str().unwrap()]);
    (repo, bare)
}

#[test]
fn sha256_a_push_that_cannot_deploy_passes() {
    let (repo, bare) = sha256_repo();
    let head = repo.rev("HEAD");
    assert_eq!(head.len(), 64);
    let zero = "0".repeat(64);
    let branch = format!("refs/heads/main {head} refs/heads/main {zero}\n");
    assert_code(&hook_raw(&repo, "origin", &bare, branch.as_bytes()), 0);
    let tag = format!("refs/tags/v1 {head} refs/tags/v1 {zero}\n");
    assert_code(&hook_raw(&repo, "azure", &bare, tag.as_bytes()), 0);
    let other = format!("refs/heads/main {head} refs/heads/feature {zero}\n");
    assert_code(&hook_raw(&repo, "azure", &bare, other.as_bytes()), 0);
    let delete = format!("(delete) {zero} refs/heads/main {head}\n");
    assert_code(&hook_raw(&repo, "azure", &bare, delete.as_bytes()), 0);
}

#[test]
fn sha256_a_deploying_push_exits_2_with_the_reason() {
    let (repo, bare) = sha256_repo();
    let head = repo.rev("HEAD");
    let zero = "0".repeat(64);
    let line = format!("refs/heads/main {head} refs/heads/main {zero}\n");
    let run = hook_raw(&repo, "azure", &bare, line.as_bytes());
    assert_says!(run, 2);

    // The pushed commit's own config decides which remotes deploy.
    repo.commit(&[("envguard.toml", "remotes = [\"origin\"]\n")], "config");
    let head = repo.rev("HEAD");
    let line = format!("refs/heads/main {head} refs/heads/main {zero}\n");
    let run = hook_raw(&repo, "origin", &bare, line.as_bytes());
    assert_says!(run, 2);
    assert_code(&hook_raw(&repo, "azure", &bare, line.as_bytes()), 0);
}

#[test]
fn sha256_install_warns_and_other_commands_say_why() {
    let (repo, _bare) = sha256_repo();
    let run = repo.envguard(&["install"]);
    assert_says!(run, 0);
    assert!(repo.hooks_dir().join("pre-push").is_file());
    let run = repo.envguard(&["status"]);
    assert_says!(run, 2);
}

#[test]
fn a_corrupt_head_is_an_error_not_a_repository_without_commits() {
    let (repo, _bare) = TestRepo::deployed_without_hook(&app(REQS));
    std::fs::write(repo.dir.join(".git/HEAD"), "garbage\n").unwrap();
    for args in [&["reset"][..], &["status"]] {
        let run = repo.envguard(args);
        assert_says!(run, 2);
    }
}

#[test]
fn a_corrupt_ref_is_named_as_corrupt_not_as_an_unknown_revision() {
    let (repo, _bare) = TestRepo::deployed_without_hook(&app(REQS));
    std::fs::write(repo.dir.join(".git/refs/heads/other"), "garbage\n").unwrap();
    let run = repo.envguard(&["diff", "other", "HEAD"]);
    assert_says!(run, 2);
    let run = repo.envguard(&["diff", "nosuch", "HEAD"]);
    assert_says!(run, 2);
}

#[test]
fn what_a_branch_not_checked_out_has_in_the_way_is_named_from_its_commit() {
    // The pushed branch is not checked out, so only its commit can show
    // what is at envguard's paths: a link, or a submodule.
    let (repo, bare) = TestRepo::deployed_without_hook(&app(REQS));
    let main = repo.rev("main");

    repo.git(&["checkout", "-q", "-b", "linked"]);
    std::fs::create_dir(repo.dir.join(".envguard")).unwrap();
    symlink("../runtime.txt", &repo.dir.join(".envguard/force-clean"));
    repo.git(&["add", ".envguard"]);
    let linked = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "link");

    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["checkout", "-q", "-b", "gitlink"]);
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{main},.envguard"),
    ]);
    let gitlinked = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "submodule");
    repo.git(&["checkout", "-q", "main"]);

    for (branch, tip) in [("linked", &linked), ("gitlink", &gitlinked)] {
        let local_ref = format!("refs/heads/{branch}");
        let run = hook_raw(
            &repo,
            "azure",
            &bare,
            line_for(&repo, &local_ref).as_bytes(),
        );
        insta::with_settings!({ snapshot_suffix => branch }, {
            assert_says!(run, 2);
        });
        assert_eq!(&repo.rev(&local_ref), tip, "{branch} moved");
    }
    assert_eq!(repo.rev("main"), main);
}

#[test]
fn a_folder_envguard_may_not_look_into_is_an_error_not_absent() {
    // Root reads every folder, so the hook runs as `nobody` here (setpriv),
    // in a repository that user owns, whose `.envguard/` it may not search:
    // what is at .envguard/force-clean cannot be known, and must not be
    // taken for nothing.
    let (repo, bare) = TestRepo::deployed_without_hook(&app(REQS));
    let pushed = drop_six(&repo);
    let line = line_for(&repo, "refs/heads/main");
    let nobody = ["--reuid=65534", "--regid=65534", "--clear-groups", "--"];
    let probe = repo
        .command("setpriv", &repo.dir)
        .args(nobody)
        .arg(envguard_bin())
        .arg("--version")
        .output();
    let chowned = std::process::Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(&repo.dir)
        .status();
    if !probe.is_ok_and(|o| o.status.success()) || !chowned.is_ok_and(|s| s.success()) {
        eprintln!("skipped: cannot run envguard as nobody here (needs root and setpriv)");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let envguard = repo.dir.join(".envguard");
    std::fs::create_dir(&envguard).unwrap();
    std::process::Command::new("chown")
        .args(["65534:65534"])
        .arg(&envguard)
        .status()
        .unwrap();
    std::fs::set_permissions(repo.root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&envguard, std::fs::Permissions::from_mode(0o000)).unwrap();

    let via: Vec<&str> = std::iter::once("setpriv").chain(nobody).collect();
    let run = hook_via(&repo, &via, "azure", &bare, line.as_bytes());
    std::fs::set_permissions(&envguard, std::fs::Permissions::from_mode(0o755)).unwrap();
    // Back to root, whose git would refuse a repository of another owner.
    std::process::Command::new("chown")
        .args(["-R", "0:0"])
        .arg(&repo.dir)
        .status()
        .unwrap();
    assert_says!(run, 2);
    assert_eq!(repo.rev("main"), pushed);
}
