//! One deploying branch everywhere: after the README's `git push azure
//! main:master`, `reset`, `status` and `doctor` all name that push and
//! compare with `azure/master`, never with an `azure/main` the site does not
//! have (a plain `git push azure main` would create a stray `main` there that
//! deploys nothing). With `remote.azure.push` mapping main to master, a plain
//! `git push azure main` deploys, and they say so.

#![cfg(unix)]

use crate::common;

use common::{assert_code, TestRepo};

fn deployed_as_master() -> TestRepo {
    let files = [
        ("requirements.txt", "flask==3.0.0\nsix\n"),
        ("runtime.txt", "python-3.11\n"),
    ];
    TestRepo::deployed_as(&files, "main:master").0
}

#[test]
fn reset_status_and_doctor_name_main_master_after_such_a_push() {
    let repo = deployed_as_master();
    repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop six");

    let status = repo.envguard(&["status"]);
    assert_code(&status, 0);
    assert!(
        status
            .stdout
            .contains("Command:  git push azure main:master"),
        "{}",
        status.stdout
    );
    assert!(status.stdout.contains("azure/master"), "{}", status.stdout);
    assert!(status.stdout.contains("six"), "{}", status.stdout);
    assert!(
        !status.stdout.contains("first deployment"),
        "{}",
        status.stdout
    );

    let doctor = repo.envguard(&["doctor"]);
    assert!(
        doctor
            .stdout
            .contains("`git push azure main:master` is compared with refs/remotes/azure/master"),
        "{}",
        doctor.stdout
    );

    // The hook agrees: the removal is stopped, and its words name main:master.
    let run = repo.push(&["azure", "main:master"]);
    assert_code(&run, 1);
    assert!(
        run.stderr.contains("git push azure main:master"),
        "{}",
        run.stderr
    );
    assert_code(&repo.push(&["azure", "main:master"]), 0);

    let reset = repo.envguard(&["reset"]);
    assert_code(&reset, 0);
    assert!(
        reset
            .stderr
            .contains("the next `git push azure main:master`"),
        "{}",
        reset.stderr
    );
    assert_eq!(
        repo.remote_rev(&repo.root.path().join("azure.git"), "refs/heads/main"),
        None
    );
}

#[test]
fn with_remote_push_mapping_main_to_master_a_plain_push_deploys() {
    let repo = deployed_as_master();
    repo.git(&[
        "config",
        "remote.azure.push",
        "refs/heads/main:refs/heads/master",
    ]);
    let reset = repo.envguard(&["reset"]);
    assert!(
        reset.stderr.contains("the next `git push azure main`"),
        "{}",
        reset.stderr
    );
    let status = repo.envguard(&["status"]);
    assert!(
        status.stdout.contains("Branch:   master"),
        "{}",
        status.stdout
    );
    let status = repo.envguard(&["status", "azure", "main"]);
    assert!(
        status.stdout.contains("Branch:   master"),
        "{}",
        status.stdout
    );
    // git agrees: the plain push updates master.
    let before = repo.rev("HEAD");
    assert_code(&repo.push(&["azure", "main"]), 0);
    assert_eq!(
        repo.remote_rev(&repo.root.path().join("azure.git"), "refs/heads/master"),
        Some(before)
    );
}
