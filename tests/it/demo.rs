//! `envguard demo --keep DIR` runs the whole loop; the assertions read what
//! it kept (the server's log and environment, the app's history), not its
//! narration.

use crate::common;

use std::process::Command;

use common::envguard_bin;

fn git(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn the_demo_runs_the_whole_loop_and_keeps_its_artefacts() {
    let root = tempfile::tempdir().unwrap();
    let keep = root.path().join("kept");
    let mut command = Command::new(envguard_bin());
    command
        .args(["demo", "--keep"])
        .arg(&keep)
        .env("HOME", root.path());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("GIT_") {
            command.env_remove(key);
        }
    }
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "demo failed\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // The server environment has what the last requirements ask for, and
    // the removed package is really gone.
    let python = keep.join("site/wwwroot/antenv/bin/python");
    let listed = Command::new(python)
        .args([
            "-m",
            "pip",
            "list",
            "--format=freeze",
            "--disable-pip-version-check",
        ])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains("greeting==1.0.0"), "{listed}");
    assert!(listed.contains("shapes==1.0.0"), "{listed}");
    assert!(!listed.contains("colors"), "{listed}");

    // The app's history holds exactly one marker commit with only the two
    // envguard files, and the site deployed it.
    let app = keep.join("app");
    let log = git(&app, &["log", "--format=%s"]);
    assert_eq!(
        log.matches("envguard: force a clean environment").count(),
        1,
        "{log}"
    );
    let marker = git(
        &app,
        &["log", "--format=%H", "--grep", "envguard: force a clean"],
    );
    let paths = git(
        &app,
        &["diff-tree", "--no-commit-id", "--name-only", "-r", &marker],
    );
    assert_eq!(paths, ".envguard/fingerprint.toml\n.envguard/force-clean");
    let token = git(&app, &["show", &format!("{marker}:.envguard/force-clean")]);
    let recorded =
        std::fs::read_to_string(keep.join("site/wwwroot/antenv/.envguard-token")).unwrap();
    assert_eq!(recorded.trim(), token);
    let site = keep.join("site/azure.git");
    assert_eq!(
        git(&site, &["rev-parse", "main"]),
        git(&app, &["rev-parse", "main"])
    );

    // The server rebuilt the environment exactly once, for that marker.
    let deploy_log = std::fs::read_to_string(keep.join("site/deploy.log")).unwrap();
    assert_eq!(
        deploy_log.matches("finished with exit 0").count(),
        4,
        "{deploy_log}"
    );
    assert_eq!(
        deploy_log
            .matches("is new: deleting the virtual environment")
            .count(),
        1,
        "{deploy_log}"
    );
    assert_eq!(
        deploy_log.matches("Creating python-").count(),
        2,
        "{deploy_log}"
    );
}

#[test]
fn keep_refuses_a_folder_that_is_not_empty() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("mine.txt"), "x").unwrap();
    let out = Command::new(envguard_bin())
        .args(["demo", "--keep"])
        .arg(root.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    assert!(root.path().join("mine.txt").exists());
}
