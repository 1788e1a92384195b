//! `envguard init` in real app repositories.

use crate::common;

use common::{assert_code, assert_says, TestRepo};

#[test]
fn init_writes_the_linux_script_by_default() {
    let repo = TestRepo::new();
    repo.commit(&[("requirements.txt", "flask\n")], "app");
    let run = repo.envguard(&["init"]);
    assert_says!(run, 0);
    assert_eq!(
        repo.read(".deployment"),
        "[config]\ncommand = bash deploy.sh\n"
    );
}

#[test]
fn init_writes_the_windows_script_and_deployment() {
    let repo = TestRepo::new();
    repo.commit(&[("requirements.txt", "flask\n")], "app");
    let run = repo.envguard(&["init", "--target", "windows"]);
    assert_says!(run, 0);
    let script = std::fs::read(repo.dir.join("deploy.cmd")).unwrap();
    assert!(script.windows(2).any(|w| w == b"\r\n"));
    assert!(
        !String::from_utf8_lossy(&script)
            .replace("\r\n", "")
            .contains('\n'),
        "CRLF only"
    );
    assert_eq!(repo.read(".deployment"), "[config]\ncommand = deploy.cmd\n");

    // Again: nothing changes, and the committed-or-not .deployment keeps
    // the target.
    let run = repo.envguard(&["init", "--target", "windows"]);
    assert_says!(run, 0);
}

#[test]
fn init_for_linux_keeps_other_deployment_keys() {
    let repo = TestRepo::new();
    repo.commit(
        &[(
            ".deployment",
            "[config]\nproject = src/app\nSCM_TRACE_LEVEL = 1\n",
        )],
        "app",
    );
    let run = repo.envguard(&["init", "--target", "linux"]);
    assert_code(&run, 0);
    assert_eq!(
        repo.read(".deployment"),
        "[config]\ncommand = bash deploy.sh\nproject = src/app\nSCM_TRACE_LEVEL = 1\n"
    );
    let script = repo.read("deploy.sh");
    assert!(script.starts_with("#!"), "{script}");
    assert!(!script.contains('\r'));
    assert!(script.contains(".envguard-token"));

    // .deployment now says deploy.sh, so the default target is linux.
    repo.git(&["add", "."]);
    repo.git(&["commit", "-qm", "init"]);
    let run = repo.envguard(&["init"]);
    assert_says!(run, 0);
}

#[test]
fn init_never_overwrites_a_users_own_script_without_force() {
    let repo = TestRepo::new();
    repo.commit(
        &[
            ("deploy.cmd", "@echo my own\r\n"),
            (".deployment", "[config]\ncommand = deploy.cmd\n"),
        ],
        "app",
    );
    let run = repo.envguard(&["init"]);
    assert_says!(run, 2);
    assert_eq!(repo.read("deploy.cmd"), "@echo my own\r\n");

    repo.write(".deployment", "[config]\ncommand = custom.cmd\n");
    repo.git(&["rm", "-q", "deploy.cmd"]);
    let run = repo.envguard(&["init"]);
    assert_says!(run, 2);
    assert!(
        !repo.dir.join("deploy.cmd").exists(),
        "nothing written when refusing"
    );

    let run = repo.envguard(&["init", "--force"]);
    assert_code(&run, 0);
    assert_eq!(repo.read(".deployment"), "[config]\ncommand = deploy.cmd\n");
    assert!(repo.read("deploy.cmd").contains(".envguard-token"));
}
