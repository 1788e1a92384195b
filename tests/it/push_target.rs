//! One deploying branch everywhere: after the README's `git push azure
//! main:master`, `reset`, `status` and `doctor` all name that push and
//! compare with `azure/master`, never with an `azure/main` the site does not
//! have (a plain `git push azure main` would create a stray `main` there that
//! deploys nothing). With `remote.azure.push` mapping main to master, a plain
//! `git push azure main` deploys, and they say so.

#![cfg(unix)]

use crate::common;

use common::{assert_code, assert_says, TestRepo};

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
    assert_says!(status, 0);

    let doctor = repo.envguard(&["doctor"]);
    assert_says!(doctor, 0);

    // The hook agrees: the removal is stopped, and its words name main:master.
    let run = repo.push(&["azure", "main:master"]);
    assert_says!(run, 1);
    assert_code(&repo.push(&["azure", "main:master"]), 0);

    let reset = repo.envguard(&["reset"]);
    assert_says!(reset, 0);
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
    assert_says!(reset, 0);
    let status = repo.envguard(&["status"]);
    assert_says!(status, 0);
    let status = repo.envguard(&["status", "azure", "main"]);
    assert_says!(status, 0);
    // git agrees: the plain push updates master.
    let before = repo.rev("HEAD");
    assert_code(&repo.push(&["azure", "main"]), 0);
    assert_eq!(
        repo.remote_rev(&repo.root.path().join("azure.git"), "refs/heads/master"),
        Some(before)
    );
}
