//! The pre-push hook end to end: real repositories, a real bare remote named
//! `azure`, real `git push` running the installed hook.

use crate::common;

use common::{app, assert_code, assert_says, Run, TestRepo};

const REQS: &str = "flask==3.0.0\nrequests[socks]==2.31.0\nsix\n";

fn marker_token(repo: &TestRepo) -> String {
    repo.git(&["show", "HEAD:.envguard/force-clean"])
}

#[test]
fn removal_stops_the_push_and_commits_a_marker_that_the_next_push_carries() {
    let (repo, bare) = TestRepo::deployed(&app(REQS));
    let deployed_commit = repo.rev("HEAD");
    let pushed = repo.commit(
        &[(
            "requirements.txt",
            "flask==3.0.0\nrequests[socks]==2.31.0\n",
        )],
        "drop six",
    );

    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);

    // The remote did not move; the branch gained exactly one marker commit.
    assert_eq!(
        repo.remote_rev(&bare, "refs/heads/main").unwrap(),
        deployed_commit
    );
    let marker = repo.rev("HEAD");
    assert_ne!(marker, pushed);
    assert_eq!(repo.rev("HEAD^"), pushed);
    assert_eq!(
        repo.changed_paths(&marker),
        [".envguard/fingerprint.toml", ".envguard/force-clean"]
    );
    let token = marker_token(&repo);
    assert_eq!(token.len(), 64);
    assert!(token
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert_eq!(
        repo.git(&["show", "HEAD:.envguard/force-clean"]) + "\n",
        repo.read(".envguard/force-clean")
    );
    let fingerprint = repo.git(&["show", "HEAD:.envguard/fingerprint.toml"]);
    assert!(
        fingerprint.contains(&format!("token = \"{token}\"")),
        "{fingerprint}"
    );
    assert!(
        fingerprint.contains("packages = [\"flask\", \"requests[socks]\"]"),
        "{fingerprint}"
    );
    assert!(fingerprint.contains("schema = 1"), "{fingerprint}");
    assert_eq!(
        repo.status(),
        "",
        "the working tree and index show the marker as committed"
    );
    assert_eq!(
        repo.git(&["log", "-1", "--format=%an <%ae>"]),
        "Ada Tester <ada@example.invalid>"
    );

    let again = repo.push(&["azure", "main"]);
    assert_says!(again, 0);
    assert_eq!(repo.remote_rev(&bare, "refs/heads/main").unwrap(), marker);

    // A later push without new removals passes without another marker.
    repo.commit(&[("app.py", "print('v2')\n")], "code only");
    assert_code(&repo.push(&["azure", "main"]), 0);
    assert_eq!(marker_token(&repo), token);
    // A later removal schedules a new token even though the old one is there.
    repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop requests");
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
    assert_ne!(marker_token(&repo), token);
    assert_code(&repo.push(&["azure", "main"]), 0);
}

#[test]
fn additions_bumps_reorders_and_spellings_pass_without_a_commit() {
    let (repo, _bare) = TestRepo::deployed(&app(REQS));
    for (reqs, what) in [
        (
            "flask==3.0.0\nrequests[socks]==2.31.0\nsix\nattrs\n",
            "add attrs",
        ),
        (
            "flask==3.1.0\nrequests[socks]>=2.32\nsix==1.16\nattrs\n",
            "bump versions",
        ),
        (
            "# sorted\nSix\nattrs  # comment\nrequests[SOCKS] >= 2.32\nFlask==3.1.0\n",
            "reorder and case",
        ),
        (
            "six\nattrs\nrequests[socks]\nflask\nFlask_Cors\n",
            "add flask-cors",
        ),
        (
            "six\nattrs\nrequests[socks]\nflask\nflask.cors\n",
            "respell flask-cors",
        ),
        (
            "six\nattrs\nrequests[socks]\nflask\nflask-cors\n",
            "respell again",
        ),
    ] {
        let commit = repo.commit(&[("requirements.txt", reqs)], what);
        let run = repo.push(&["azure", "main"]);
        assert_code(&run, 0);
        assert_eq!(repo.rev("HEAD"), commit, "{what}: no marker commit");
    }
}

#[test]
fn other_remotes_branches_tags_and_deletes_are_ignored() {
    let (repo, azure) = TestRepo::deployed(&app(REQS));
    let origin = repo.add_remote("origin");
    repo.commit(&[("requirements.txt", "flask\n")], "drop most");
    let head = repo.rev("HEAD");

    let run = repo.push(&["origin", "main"]);
    assert_says!(run, 0);
    assert_eq!(repo.remote_rev(&origin, "refs/heads/main").unwrap(), head);

    assert_code(&repo.push(&["azure", "main:feature"]), 0);
    assert_eq!(repo.remote_rev(&azure, "refs/heads/feature").unwrap(), head);

    repo.git(&["tag", "v1"]);
    assert_code(&repo.push(&["azure", "v1"]), 0);
    assert_code(&repo.push(&["azure", ":feature"]), 0);
    assert!(repo.remote_rev(&azure, "refs/heads/feature").is_none());
    assert_eq!(repo.rev("HEAD"), head, "no marker for ignored pushes");
}

#[test]
fn user_work_survives_and_stays_out_of_the_marker_commit() {
    let (repo, _bare) = TestRepo::deployed(&app(REQS));
    repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop two");
    repo.write("app.py", "print('unstaged edit')\n");
    repo.write("staged.py", "x = 1\n");
    repo.git(&["add", "staged.py"]);
    repo.write("untracked.txt", "mine\n");
    let before = repo.status();

    assert_code(&repo.push(&["azure", "main"]), 1);
    assert_eq!(
        repo.changed_paths("HEAD"),
        [".envguard/fingerprint.toml", ".envguard/force-clean"]
    );
    assert_eq!(repo.status(), before);
    assert_eq!(repo.read("app.py"), "print('unstaged edit')\n");
    assert_eq!(repo.git(&["diff", "--cached", "--name-only"]), "staged.py");
}

#[test]
fn an_edit_to_the_envguard_files_stops_with_exit_2_and_loses_nothing() {
    let (repo, _bare) = TestRepo::deployed(&app(REQS));
    let pushed = repo.commit(&[("requirements.txt", "flask\n")], "drop two");
    repo.write(".envguard/force-clean", "my own edit\n");
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
    assert_eq!(repo.rev("HEAD"), pushed);
    assert_eq!(repo.read(".envguard/force-clean"), "my own edit\n");
}

#[test]
fn a_runtime_change_alone_passes_and_never_excuses_a_removal() {
    let (repo, bare) = TestRepo::deployed(&app(REQS));
    // A Linux site runs its own FRAMEWORK_VERSION, whatever runtime.txt
    // says: a bump that removes packages is handled as any removal.
    let pushed = repo.commit(
        &[
            ("requirements.txt", "flask\n"),
            ("runtime.txt", "python-3.12\n"),
        ],
        "new runtime, fewer packages",
    );
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
    assert_ne!(repo.rev("HEAD"), pushed);
    assert_code(&repo.push(&["azure", "main"]), 0);
    assert_eq!(
        repo.remote_rev(&bare, "refs/heads/main").unwrap(),
        repo.rev("HEAD")
    );

    // The runtime alone: a note, exit 0, no commit.
    let alone = repo.commit(&[("runtime.txt", "python-3.13\n")], "runtime only");
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 0);
    assert_eq!(repo.rev("HEAD"), alone);

    repo.commit(&[("requirements.txt", "flask\nsix\n")], "add six");
    assert_code(&repo.push(&["azure", "main"]), 0);
    repo.commit(
        &[
            ("requirements.txt", "flask\n"),
            ("runtime.txt", "python-3.13.4\n"),
        ],
        "patch bump",
    );
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
}

#[test]
fn a_remote_commit_this_repo_has_not_seen_stops_even_a_forced_push() {
    let (repo, bare) = TestRepo::deployed(&app(REQS));
    // Someone else deploys from another clone.
    let other = repo.root.path().join("other");
    let clone = repo
        .command("git", repo.root.path())
        .args([
            "clone",
            "-q",
            bare.to_str().unwrap(),
            other.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(clone.status.success());
    std::fs::write(other.join("extra.txt"), "x").unwrap();
    for args in [
        &["add", "extra.txt"][..],
        &["commit", "-qm", "theirs"],
        &["push", "-q", "origin", "main"],
    ] {
        let out = repo.command("git", &other).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let theirs = repo.remote_rev(&bare, "refs/heads/main").unwrap();

    repo.commit(&[("requirements.txt", "flask\n")], "drop two");
    let run = repo.push(&["--force", "azure", "main"]);
    assert_says!(run, 1);
    assert_eq!(repo.remote_rev(&bare, "refs/heads/main").unwrap(), theirs);
}

#[test]
fn a_new_deploying_branch_is_compared_with_the_other_deploying_branch() {
    let repo = TestRepo::new();
    repo.commit(&[("requirements.txt", REQS)], "app");
    repo.add_remote("azure");
    repo.install_hook();
    assert_code(&repo.push(&["azure", "main:master"]), 0);
    repo.git(&["fetch", "-q", "azure"]);
    repo.commit(&[("requirements.txt", "flask\n")], "drop two");
    // main is new on the remote; refs/remotes/azure/master is the baseline.
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
}

#[test]
fn a_new_deploying_branch_without_another_uses_the_fingerprint() {
    let (repo, _bare) = TestRepo::deployed(&app(REQS));
    repo.commit(&[("requirements.txt", "flask\nsix\n")], "drop requests");
    assert_code(&repo.push(&["azure", "main"]), 1);
    // The marker commit goes to a new remote that only ever sees it.
    let fresh = repo.add_remote("azure2");
    repo.write("envguard.toml", "remotes = [\"azure2\"]\n");
    repo.git(&["add", "envguard.toml"]);
    repo.git(&["commit", "-qm", "deploy to azure2"]);
    assert_code(&repo.push(&["azure2", "main"]), 0);
    assert!(repo.remote_rev(&fresh, "refs/heads/main").is_some());
    // The fingerprint's package list is the baseline for another new site.
    let third = repo.add_remote("azure3");
    repo.commit(
        &[
            ("requirements.txt", "flask\n"),
            ("envguard.toml", "remotes = [\"azure3\"]\n"),
        ],
        "drop six too",
    );
    let run = repo.push(&["azure3", "main"]);
    assert_says!(run, 1);
    assert!(repo.remote_rev(&third, "refs/heads/main").is_none());
}

#[test]
fn deleting_the_marker_schedules_nothing() {
    let (repo, _bare) = TestRepo::deployed(&app(REQS));
    repo.commit(
        &[("requirements.txt", "flask\nrequests[socks]\n")],
        "drop six",
    );
    assert_code(&repo.push(&["azure", "main"]), 1);
    assert_code(&repo.push(&["azure", "main"]), 0);
    repo.git(&["rm", "-q", ".envguard/force-clean"]);
    repo.commit(
        &[("requirements.txt", "flask\n")],
        "drop requests, delete marker",
    );
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
}

#[test]
fn dropped_extras_count_as_a_removal() {
    let (repo, _bare) = TestRepo::deployed(&app(REQS));
    repo.commit(
        &[("requirements.txt", "flask==3.0.0\nrequests==2.31.0\nsix\n")],
        "no socks",
    );
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
}

#[test]
fn block_and_warn_policies() {
    let (repo, bare) = TestRepo::deployed(&app(REQS));
    let head = repo.commit(
        &[
            ("requirements.txt", "flask\n"),
            ("envguard.toml", "on_removal = \"block\"\n"),
        ],
        "block",
    );
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
    assert_eq!(repo.rev("HEAD"), head, "block commits nothing");

    let head = repo.commit(&[("envguard.toml", "on_removal = \"warn\"\n")], "warn");
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 0);
    assert_eq!(repo.remote_rev(&bare, "refs/heads/main").unwrap(), head);
}

#[test]
fn envguard_skip_and_no_verify_bypass() {
    let (repo, bare) = TestRepo::deployed(&app(REQS));
    let head = repo.commit(&[("requirements.txt", "flask\n")], "drop two");
    let mut repo = repo;
    repo.set_env("ENVGUARD_SKIP", "1");
    assert_code(&repo.push(&["azure", "main"]), 0);
    assert_eq!(repo.remote_rev(&bare, "refs/heads/main").unwrap(), head);
    assert_eq!(repo.rev("HEAD"), head);
}

#[test]
fn a_bad_config_stops_the_push_naming_the_file() {
    let (repo, bare) = TestRepo::deployed(&app(REQS));
    let deployed_commit = repo.rev("HEAD");
    repo.commit(
        &[(
            "envguard.toml",
            "branches = [\"main\"]\nremote = \"azure\"\n",
        )],
        "typo",
    );
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
    assert_eq!(
        repo.remote_rev(&bare, "refs/heads/main").unwrap(),
        deployed_commit
    );
}

#[test]
fn hook_exit_codes_directly() {
    let (repo, _bare) = TestRepo::deployed(&app(REQS));
    let base = repo.rev("HEAD");
    let head = repo.commit(
        &[
            ("requirements.txt", "flask\n"),
            ("envguard.toml", "bogus = 1\n"),
        ],
        "x",
    );
    let line = format!("refs/heads/main {head} refs/heads/main {base}\n");
    let run = repo.envguard_with_input(&["pre-push", "azure", "/nowhere"], &line);
    assert_says!(run, 2);
    let run = repo.envguard_with_input(&["pre-push", "azure", "/nowhere"], "nonsense\n");
    assert_code(&run, 2);
    let run = repo.envguard_with_input(&["pre-push", "azure", "/nowhere"], "");
    assert_code(&run, 0);
}

#[test]
fn a_missing_include_stops_with_file_and_line() {
    let (repo, _bare) = TestRepo::deployed(&app(REQS));
    repo.commit(&[("requirements.txt", "flask\n-r base.txt\n")], "include");
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
}

#[test]
fn a_removal_inside_an_include_is_seen() {
    let repo = TestRepo::new();
    repo.commit(
        &[
            ("requirements.txt", "-r req/base.txt\nflask\n"),
            ("req/base.txt", "six\nattrs\n"),
        ],
        "app",
    );
    repo.add_remote("azure");
    repo.install_hook();
    assert_code(&repo.push(&["azure", "main"]), 0);
    repo.commit(&[("req/base.txt", "attrs\n")], "drop six in the include");
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
}

#[test]
fn detached_head_and_other_local_names() {
    let (repo, _bare) = TestRepo::deployed(&app(REQS));
    let pushed = repo.commit(&[("requirements.txt", "flask\n")], "drop two");
    // A raw commit id cannot carry a marker: exit 2 with what to do.
    let run = repo.push(&["azure", &format!("{pushed}:refs/heads/main")]);
    assert_says!(run, 1);
    assert_eq!(repo.rev("HEAD"), pushed);

    repo.git(&["checkout", "-q", "--detach"]);
    let run = repo.push(&["azure", "HEAD:main"]);
    assert_says!(run, 1);
    assert_eq!(repo.rev("HEAD^"), pushed);
    assert_eq!(
        repo.rev("main"),
        pushed,
        "the branch stays; detached HEAD moved"
    );
    assert_eq!(repo.status(), "");
    assert_code(&repo.push(&["azure", "HEAD:refs/heads/main"]), 0);
}

#[test]
fn no_identity_means_a_clear_error_not_an_invented_one() {
    let (repo, _bare) = TestRepo::deployed(&app(REQS));
    let pushed = repo.commit(&[("requirements.txt", "flask\n")], "drop two");
    let mut repo = repo;
    for var in [
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
    ] {
        repo.set_env(var, "");
    }
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
    assert_eq!(repo.rev("HEAD"), pushed);
}

#[test]
fn signing_failure_is_reported_and_nothing_moves() {
    let (repo, _bare) = TestRepo::deployed(&app(REQS));
    let pushed = repo.commit(&[("requirements.txt", "flask\n")], "drop two");
    repo.git(&["config", "commit.gpgsign", "true"]);
    repo.git(&["config", "gpg.program", "false"]);
    let run = repo.push(&["azure", "main"]);
    assert_code(&run, 1);
    // What git says when signing fails follows envguard's words and
    // differs between git versions: no snapshot of it.
    assert!(
        run.stderr.contains(
            "envguard: git could not write the marker commit (commit.gpgsign is set: check that \
             signing works, e.g. with `git commit --allow-empty`)"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(repo.rev("HEAD"), pushed);
    assert_eq!(repo.status(), "");
}

#[test]
fn one_branch_pushed_to_two_deploying_branches_gets_one_marker() {
    let (repo, bare) = TestRepo::deployed(&app(REQS));
    let pushed = repo.commit(&[("requirements.txt", "flask\n")], "drop two");
    let run = repo.push(&["azure", "main", "main:master"]);
    assert_says!(run, 1);
    assert_eq!(repo.rev("HEAD^"), pushed, "exactly one marker commit");
    assert!(repo.remote_rev(&bare, "refs/heads/master").is_none());
    assert_code(&repo.push(&["azure", "main", "main:master"]), 0);
    assert_eq!(
        repo.remote_rev(&bare, "refs/heads/master").unwrap(),
        repo.rev("HEAD")
    );
}

#[test]
fn a_branch_checked_out_in_another_worktree_is_not_moved_from_here() {
    let (repo, _bare) = TestRepo::deployed(&app(REQS));
    let pushed = repo.commit(&[("requirements.txt", "flask\n")], "drop two");
    let linked = repo.root.path().join("linked");
    repo.git(&[
        "worktree",
        "add",
        "-q",
        "--detach",
        linked.to_str().unwrap(),
    ]);
    let out = repo
        .command("git", &linked)
        .args(["push", "azure", "main"])
        .output()
        .unwrap();
    assert_says!(Run::from(out), 1);
    assert_eq!(repo.rev("main"), pushed);
    assert_eq!(repo.status(), "");
}

/// `.deployment` read as Kudu reads it (tests/data/deployment_ini.tsv):
/// a section name with spaces, and UTF-16 with a BOM (Windows PowerShell
/// 5's `Out-File`), still name the app's folder, so a removal there stops.
#[test]
fn a_deployment_file_in_any_spelling_kudu_reads_names_the_app_folder() {
    let utf16 = |text: &str| {
        let mut bytes = vec![0xff, 0xfe];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        bytes
    };
    let spellings: [(&str, Vec<u8>); 3] = [
        ("spaces", b"[ config ]\nproject = src/app\n".to_vec()),
        ("utf-16", utf16("[config]\r\nproject = src/app\r\n")),
        ("lone-cr", b"[Config]\rPROJECT = src/app\r".to_vec()),
    ];
    for (name, deployment) in spellings {
        let repo = TestRepo::new();
        std::fs::write(repo.dir.join(".deployment"), &deployment).unwrap();
        repo.git(&["add", ".deployment"]);
        repo.commit(&[("src/app/requirements.txt", "flask\nsix\n")], "app");
        repo.add_remote("azure");
        repo.install_hook();
        assert_code(&repo.push(&["azure", "main"]), 0);
        repo.commit(&[("src/app/requirements.txt", "flask\n")], "drop six");
        let run = repo.push(&["azure", "main"]);
        insta::with_settings!({ snapshot_suffix => name }, {
            assert_says!(run, 1);
        });
    }
}

/// A `.deployment` whose `project` Kudu would read with U+FFFD in it
/// (bytes that are not valid for its encoding) stops every deploying push.
#[test]
fn a_deployment_value_kudu_cannot_decode_stops_the_push() {
    let repo = TestRepo::new();
    std::fs::write(
        repo.dir.join(".deployment"),
        b"[config]\nproject = caf\xe9\n",
    )
    .unwrap();
    repo.git(&["add", ".deployment"]);
    repo.commit(&[("requirements.txt", "flask\n")], "app");
    repo.add_remote("azure");
    repo.install_hook();
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
}

/// A marker on a value the hook cannot know for the server (its kernel,
/// its build, its machine) may hold there: removing the requirement is a
/// removal.
#[test]
fn a_requirement_whose_marker_may_hold_on_the_server_counts_when_removed() {
    let repo = TestRepo::new();
    repo.commit(
        &[
            (
                "requirements.txt",
                "flask\nsix; platform_release >= \"5\"\nattrs; platform_version != \"\"\n\
                 cffi; platform_machine == \"aarch64\"\npywin32; sys_platform == \"win32\"\n",
            ),
            ("runtime.txt", "python-3.11\n"),
        ],
        "app",
    );
    repo.add_remote("azure");
    repo.install_hook();
    assert_code(&repo.push(&["azure", "main"]), 0);
    // pywin32 was never installed on a Linux site: deleting it removes nothing.
    repo.commit(
        &[(
            "requirements.txt",
            "flask\nsix; platform_release >= \"5\"\nattrs; platform_version != \"\"\n\
             cffi; platform_machine == \"aarch64\"\n",
        )],
        "drop pywin32",
    );
    let run = repo.push(&["azure", "main"]);
    assert_code(&run, 0);
    repo.commit(&[("requirements.txt", "flask\n")], "drop the rest");
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
}

/// A branch new on the remote with a fingerprint this envguard cannot read
/// stops, and says what to do (docs/formats.md).
#[test]
fn an_unreadable_fingerprint_on_a_new_branch_stops_the_push() {
    let repo = TestRepo::new();
    repo.commit(
        &[
            ("requirements.txt", "flask\n"),
            (
                ".envguard/fingerprint.toml",
                "schema = 2\npackages = [\"six\"]\n",
            ),
        ],
        "app",
    );
    let bare = repo.add_remote("azure");
    repo.install_hook();
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
    assert!(repo.remote_rev(&bare, "refs/heads/main").is_none());
}

/// The server reads the marker from its own checkout of the pushed commit,
/// which applies the commit's `.gitattributes`: what a checkout of `commit`
/// from `bare` writes at `path` (as the simulated Kudu's post-receive
/// checks it out).
fn server_checkout(repo: &TestRepo, bare: &std::path::Path, commit: &str, path: &str) -> Vec<u8> {
    let site = repo.root.path().join(format!("site-{commit}"));
    std::fs::create_dir_all(&site).unwrap();
    let out = repo
        .command("git", repo.root.path())
        .arg(format!("--git-dir={}", bare.display()))
        .arg(format!("--work-tree={}", site.display()))
        .args(["checkout", "-q", "-f", commit])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(site.join(path)).unwrap()
}

/// `.gitattributes` that re-encode envguard's files (a UTF-16
/// `working-tree-encoding`, a `filter`) would give the server a marker its
/// script does not read: the hook refuses with the fix, before committing
/// anything; with the fix, the server's checkout holds the token. Line
/// endings are no problem: the scripts drop one CR.
#[test]
fn git_attributes_that_re_encode_the_marker_stop_with_the_fix() {
    let (repo, bare) = TestRepo::deployed(&app(REQS));
    let utf16 = ".envguard/* working-tree-encoding=UTF-16LE-BOM text\n";
    repo.commit(&[(".gitattributes", utf16)], "attributes");
    assert_code(&repo.push(&["azure", "main"]), 0);
    let pushed = repo.commit(
        &[(
            "requirements.txt",
            "flask==3.0.0\nrequests[socks]==2.31.0\n",
        )],
        "drop six",
    );
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
    assert_eq!(repo.rev("HEAD"), pushed, "nothing committed");
    assert!(!repo.dir.join(".envguard").exists());

    // A filter the server's git may run is refused the same way.
    repo.commit(
        &[(".gitattributes", "/.envguard/fingerprint.toml filter=lfs\n")],
        "lfs",
    );
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);

    // The fix the message gives, after a CRLF rule.
    let fixed =
        format!("{utf16}.envguard/* eol=crlf\n/.envguard/** -working-tree-encoding -filter\n");
    repo.commit(&[(".gitattributes", &fixed)], "fix the attributes");
    assert_code(&repo.push(&["azure", "main"]), 1);
    let marker = repo.rev("HEAD");
    assert_code(&repo.push(&["azure", "main"]), 0);
    let bytes = server_checkout(&repo, &bare, &marker, ".envguard/force-clean");
    assert!(bytes.ends_with(b"\r\n"), "{bytes:?}");
    let token = envguard_core::token::Token::from_marker(&bytes);
    assert_eq!(
        token.map(|t| t.to_string()),
        Some(marker_token(&repo).trim_end().to_string())
    );
    assert_eq!(repo.status(), "", "git status is clean");
}

/// A push that carries a marker already promises a clean; when the pushed
/// commit's attributes would re-encode that marker on the server, the
/// promise cannot hold, and the push stops.
#[test]
fn a_carried_marker_the_server_would_not_read_stops_the_push() {
    let (repo, _bare) = TestRepo::deployed(&app(REQS));
    repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop two");
    assert_code(&repo.push(&["azure", "main"]), 1);
    repo.commit(
        &[(
            ".gitattributes",
            ".envguard/* working-tree-encoding=UTF-16\n",
        )],
        "attributes after the marker",
    );
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
}

/// A requirements file stored in Git LFS is a pointer in the commit; pip
/// on the server reads the real file. The hook cannot judge it: exit 2 with
/// what to do, never "removes oid sha256:…".
#[test]
fn a_requirements_file_in_git_lfs_stops_the_push() {
    let (repo, bare) = TestRepo::deployed(&app(REQS));
    let deployed_commit = repo.rev("HEAD");
    repo.commit(
        &[(
            "requirements.txt",
            "version https://git-lfs.github.com/spec/v1\n\
             oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n\
             size 41\n",
        )],
        "requirements into LFS",
    );
    let pushed = repo.rev("HEAD");
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
    assert_eq!(repo.rev("HEAD"), pushed, "no marker committed");
    assert_eq!(
        repo.remote_rev(&bare, "refs/heads/main").unwrap(),
        deployed_commit
    );
}

/// An annotated tag pushed onto a branch sends the tag object, not a
/// commit: the hook says what it is and how to push the commit it tags,
/// never "check the repository with git fsck".
#[test]
fn an_annotated_tag_pushed_to_a_branch_is_named_with_the_push_that_works() {
    let (repo, bare) = TestRepo::deployed(&app(REQS));
    repo.commit(&[("app.py", "print('v1')\n")], "v1");
    repo.git(&["tag", "-a", "v1", "-m", "release 1"]);
    let commit = repo.rev("v1^{}");
    let run = repo.push(&["azure", "v1:refs/heads/main"]);
    assert_says!(run, 1);
    // The command it gives deploys the tagged commit.
    assert_code(&repo.push(&["azure", "refs/tags/v1^{}:refs/heads/main"]), 0);
    assert_eq!(repo.remote_rev(&bare, "refs/heads/main").unwrap(), commit);
    // To a branch that does not deploy, it is git's business alone (and
    // git's words, which differ between versions: no snapshot of them).
    let run = repo.push(&["azure", "v1:refs/heads/feature"]);
    assert!(!run.stderr.contains("envguard:"), "{}", run.stderr);
}

/// This clone's own attributes (`.git/info/attributes`) would re-encode
/// the files envguard writes into the working tree: refused the same way.
#[test]
fn this_clones_own_attributes_are_checked_too() {
    let (repo, _bare) = TestRepo::deployed(&app(REQS));
    let info = repo.dir.join(".git/info");
    std::fs::create_dir_all(&info).unwrap();
    std::fs::write(
        info.join("attributes"),
        ".envguard/* working-tree-encoding=UTF-16LE-BOM\n",
    )
    .unwrap();
    let pushed = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop two");
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
    assert_eq!(repo.rev("HEAD"), pushed);
    assert!(!repo
        .root
        .path()
        .join("app/.git")
        .read_dir()
        .unwrap()
        .any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("envguard-attributes")));
}
