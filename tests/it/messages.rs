//! What envguard says, end to end: the hook's and the commands' messages,
//! pinned in a real repository with a real bare remote and the installed
//! hook.

use crate::common;

use common::{assert_code, assert_says, Run, TestRepo};

#[test]
fn the_push_after_a_reset_says_the_server_will_rebuild() {
    let (repo, _bare) = TestRepo::deployed(&[("requirements.txt", "flask\n")]);
    assert_code(&repo.envguard(&["--reset"]), 0);
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 0);
    // The marker is honoured once: the next push of the same requirements is unchanged.
    repo.commit(&[("app.py", "print(1)\n")], "code");
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 0);
}

#[test]
fn a_removal_is_named_with_the_file_it_was_in() {
    let (repo, _bare) = TestRepo::deployed(&[
        (
            "requirements.txt",
            "-r requirements/base.txt\nrequests[socks]\n",
        ),
        ("requirements/base.txt", "flask\npython-dotenv\n"),
    ]);
    repo.commit(&[("requirements/base.txt", "flask\n")], "drop dotenv");
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
    assert_code(&repo.push(&["azure", "main"]), 0);

    repo.commit(
        &[("requirements.txt", "-r requirements/base.txt\nrequests\n")],
        "drop socks",
    );
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
}

#[test]
fn without_a_git_identity_the_refusal_still_lists_what_was_removed() {
    let (repo, _bare) = TestRepo::deployed(&[("requirements.txt", "flask\nsix\nattrs\n")]);
    repo.commit(&[("requirements.txt", "flask\n")], "drop two");
    let mut push = repo.command(common::which("git"), &repo.dir);
    push.args(["push", "azure", "main"]);
    for key in [
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
    ] {
        push.env_remove(key);
    }
    push.env("EMAIL", "").env("GIT_CONFIG_GLOBAL", "/dev/null");
    let output = push.output().unwrap();
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    // The hook exits 2; git reports the refused push with 1.
    assert_says!(run, 1);
}

#[test]
fn a_reset_over_a_local_edit_does_not_say_push_again() {
    let (repo, _bare) = TestRepo::deployed(&[("requirements.txt", "flask\n")]);
    assert_code(&repo.envguard(&["--reset"]), 0);
    repo.write(".envguard/force-clean", "mine\n");
    let run = repo.envguard(&["--reset"]);
    assert_says!(run, 2);
}

#[test]
fn a_kept_package_that_is_removed_is_still_a_removal_and_the_note_says_what_happens() {
    let (repo, _bare) = TestRepo::deployed(&[
        ("requirements.txt", "flask\ngunicorn\n"),
        ("envguard.toml", "keep = [\"Gunicorn\"]\n"),
    ]);
    repo.commit(
        &[("requirements.txt", "flask\n")],
        "gunicorn from the startup command",
    );
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
}

#[test]
fn a_keep_entry_that_is_no_package_name_stops_with_the_key_and_line() {
    let repo = TestRepo::new();
    repo.commit(
        &[
            ("requirements.txt", "flask\n"),
            (
                "envguard.toml",
                "on_removal = \"commit\"\nkeep = [\"gunicorn>=21\"]\n",
            ),
        ],
        "app",
    );
    let run = repo.envguard(&["status"]);
    assert_says!(run, 2);
}

#[test]
fn no_libgit2_internals_reach_the_user() {
    let (repo, _bare) = TestRepo::deployed(&[("requirements.txt", "flask\n")]);
    for args in [
        &["diff", "v9", "HEAD"][..],
        &["diff", "HEAD", "refs/heads/nope"],
        &["status", "azure", "nope:main"],
    ] {
        let run = repo.envguard(args);
        assert_says!(run, 2);
    }
    let outside = repo.root.path().join("empty");
    std::fs::create_dir(&outside).unwrap();
    let run = repo.run_in(
        &outside,
        common::envguard_bin(),
        &["status"],
        &[(
            "GIT_CEILING_DIRECTORIES",
            repo.root.path().to_str().unwrap(),
        )],
    );
    assert_says!(run, 2);
}

#[test]
fn status_for_a_remote_that_does_not_deploy_says_so_and_stops() {
    let repo = TestRepo::new();
    repo.commit(&[("requirements.txt", "flask\n")], "app");
    repo.add_remote("origin");
    for args in [&["status", "--remote", "origin"][..], &["status", "origin"]] {
        let run = repo.envguard(args);
        assert_says!(run, 0);
    }
}

#[test]
fn status_answers_for_the_refspec_about_to_be_pushed() {
    let (repo, _bare) = TestRepo::deployed(&[("requirements.txt", "flask\nsix\n")]);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.commit(&[("requirements.txt", "flask\n")], "drop six");
    repo.git(&["checkout", "-q", "main"]);
    let run = repo.envguard(&["status", "azure", "feature:main"]);
    assert_says!(run, 0);
    let feature = repo.rev("feature");
    // The current branch itself removes nothing.
    let run = repo.envguard(&["status", "azure"]);
    assert_says!(run, 0);

    let run = repo.envguard(&["status", "azure", "feature:main", "--format", "json"]);
    assert_says!(run, 0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["remote"], "azure");
    assert_eq!(json["deploys"], true);
    assert_eq!(json["branch"], "main");
    assert_eq!(json["branch_deploys"], true);
    assert_eq!(json["pushed"]["source"], "feature");
    assert_eq!(json["pushed"]["commit"], feature.as_str());
    assert_eq!(json["deploy_path"], "oryx");
    assert_eq!(json["baseline"]["source"], "remote-commit");
    assert_eq!(json["baseline"]["ref"], "refs/remotes/azure/main");
    assert_eq!(json["decision"], "removed");
    assert_eq!(json["stops_push"], true);
    assert_eq!(json["change"]["removed"][0], "six");
}

#[test]
fn status_and_doctor_recognise_an_oryx_build() {
    let repo = TestRepo::new();
    repo.commit(&[("requirements.txt", "flask\n")], "app");
    repo.add_remote("azure");
    let run = repo.envguard(&["status"]);
    assert_says!(run, 0);
    repo.install_hook();
    let run = repo.envguard(&["doctor", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    let deployment = findings
        .iter()
        .find(|f| f["topic"] == "deployment")
        .expect("a deployment finding");
    assert_eq!(deployment["level"], "note");
    let to_fix = findings.iter().filter(|f| f["level"] == "fix").count();
    assert_eq!(json["to_fix"], to_fix);
    assert_says!(run, if to_fix == 0 { 0 } else { 1 });
}

#[test]
fn quiet_and_verbose() {
    let (repo, _bare) = TestRepo::deployed(&[("requirements.txt", "flask\n")]);
    repo.commit(&[("requirements.txt", "flask\nattrs\n")], "add");
    let quiet = repo.push_in(&repo.dir, &[("ENVGUARD_QUIET", "1")], &["azure", "main"]);
    assert_says!(quiet, 0);
    repo.commit(&[("requirements.txt", "flask\nattrs\nsix\n")], "add");
    let verbose = repo.push_in(&repo.dir, &[("ENVGUARD_VERBOSE", "1")], &["azure", "main"]);
    assert_says!(verbose, 0);
    // A stop is said even when quiet.
    repo.commit(&[("requirements.txt", "flask\n")], "drop");
    let quiet = repo.push_in(&repo.dir, &[("ENVGUARD_QUIET", "1")], &["azure", "main"]);
    assert_says!(quiet, 1);
}

#[test]
fn doctor_says_which_deployments_need_envguard() {
    // A Windows site without a command: Kudu's stock script keeps `env`.
    let repo = TestRepo::new();
    repo.commit(
        &[
            ("requirements.txt", "flask\n"),
            ("envguard.toml", "target = \"windows\"\n"),
        ],
        "app",
    );
    repo.add_remote("azure");
    repo.install_hook();
    let run = repo.envguard(&["doctor"]);
    assert_says!(run, 1);

    // No build at all: nothing for envguard to clean.
    repo.commit(
        &[(
            ".deployment",
            "[config]\nSCM_DO_BUILD_DURING_DEPLOYMENT = false\n",
        )],
        "no build",
    );
    let run = repo.envguard(&["doctor", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let deployment = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["topic"] == "deployment")
        .unwrap()
        .clone();
    assert_eq!(deployment["level"], "note");
    assert_says!(run, 0);
    let run = repo.envguard(&["status", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["deploy_path"], "no-build");
}
