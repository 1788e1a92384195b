//! `envguard init` keeps its promises (docs/configuration.md, "What
//! `envguard init` writes"; docs/formats.md, the digest line): it says when
//! nothing changed, treats a `.deployment` command as its own only when it
//! is exactly the one it writes, keeps a `.deployment` that is not UTF-8
//! byte for byte, copies the leftovers checker beside the script, writes
//! `.gitattributes` rules that keep the script's line endings in every
//! checkout, and says that a custom command replaces Oryx.

use crate::common;

use common::{assert_code, assert_says, TestRepo};

fn app() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit(&[("requirements.txt", "flask\n")], "app");
    repo
}

#[test]
fn init_on_an_oryx_app_writes_everything_and_says_oryx_is_replaced() {
    let repo = app();
    let run = repo.envguard(&["init"]);
    assert_says!(run, 0);
    assert_eq!(
        repo.read(".deployment"),
        "[config]\ncommand = bash deploy.sh\n"
    );
    assert!(repo.read("envguard_check.py").contains("leftovers"));
    assert!(repo
        .read(".gitattributes")
        .lines()
        .any(|l| l == "/deploy.sh -text"));

    let again = repo.envguard(&["init"]);
    assert_code(&again, 0);
    assert_eq!(
        again.stderr,
        "envguard: nothing changed: every file is already as `envguard init` writes it\n"
    );
}

#[test]
fn a_command_of_your_own_is_never_replaced_without_force() {
    let repo = TestRepo::new();
    repo.commit(
        &[
            ("requirements.txt", "flask\n"),
            (
                ".deployment",
                "[config]\ncommand = bash scripts/mydeploy.sh\n",
            ),
            ("scripts/mydeploy.sh", "#!/bin/bash\necho mine\n"),
        ],
        "app",
    );
    let run = repo.envguard(&["init", "--target", "linux"]);
    assert_code(&run, 2);
    assert_eq!(
        run.stderr,
        "envguard: .deployment runs `bash scripts/mydeploy.sh`, not envguard's script; change it to \
         `command = bash deploy.sh` (after adding the marker steps to your script), or run \
         `envguard init --force`\n"
    );
    assert_eq!(
        repo.read(".deployment"),
        "[config]\ncommand = bash scripts/mydeploy.sh\n"
    );
    assert!(!repo.dir.join("deploy.sh").exists());
    assert!(!repo.dir.join(".gitattributes").exists());
    assert_eq!(repo.status(), "");

    // A command that merely mentions deploy.sh is not init's either.
    repo.write(
        ".deployment",
        "[config]\ncommand = bash deploy.sh --extra\n",
    );
    assert_code(&repo.envguard(&["init"]), 2);

    let run = repo.envguard(&["init", "--force"]);
    assert_says!(run, 0);
    assert_eq!(
        repo.read(".deployment"),
        "[config]\ncommand = bash deploy.sh\n"
    );
}

#[test]
fn a_deployment_that_is_not_utf8_is_kept_byte_for_byte() {
    let repo = app();
    let latin1: &[u8] = b"; D\xe9ploiement \xa9 Soci\xe9t\xe9\r\n[config]\r\nproject = .\r\nSCM_TRACE_LEVEL = 1\r\n";
    std::fs::write(repo.dir.join(".deployment"), latin1).unwrap();
    let run = repo.envguard(&["init", "--target", "linux"]);
    assert_code(&run, 0);
    let written = std::fs::read(repo.dir.join(".deployment")).unwrap();
    assert_eq!(
        written,
        b"; D\xe9ploiement \xa9 Soci\xe9t\xe9\r\n[config]\r\ncommand = bash deploy.sh\r\nproject = .\r\nSCM_TRACE_LEVEL = 1\r\n"
    );
    // init's own command in it now: a second run changes nothing.
    let again = repo.envguard(&["init"]);
    assert_says!(again, 0);
    assert_eq!(
        std::fs::read(repo.dir.join(".deployment")).unwrap(),
        written
    );
}

/// A clone of the app, checked out as a user with `attributes` would.
fn clone_of(repo: &TestRepo) -> std::path::PathBuf {
    let clone = repo.root.path().join("clone");
    let run = repo.run_in(
        repo.root.path(),
        common::which("git"),
        &[
            "clone",
            "-q",
            repo.dir.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
        &[],
    );
    assert_code(&run, 0);
    clone
}

#[test]
fn deploy_cmd_stays_crlf_and_deploy_sh_lf_under_text_auto_eol_lf() {
    let repo = TestRepo::new();
    repo.commit(
        &[
            ("requirements.txt", "flask\n"),
            (".gitattributes", "* text=auto eol=lf\n"),
        ],
        "app",
    );
    assert_code(&repo.envguard(&["init", "--target", "windows"]), 0);
    assert_eq!(
        repo.read(".gitattributes"),
        "* text=auto eol=lf\n# envguard: the deployment script runs with the line endings it was committed with\n/deploy.cmd -text\n"
    );
    repo.git(&["add", "."]);
    repo.git(&["commit", "-qm", "deploy with envguard"]);
    let committed = repo.git(&["cat-file", "-p", "HEAD:deploy.cmd"]);
    assert!(committed.contains("\r\n"), "committed with CRLF");
    let clone = clone_of(&repo);
    let checked_out = std::fs::read(clone.join("deploy.cmd")).unwrap();
    assert!(checked_out.windows(2).any(|w| w == b"\r\n"));
    assert!(!String::from_utf8_lossy(&checked_out)
        .replace("\r\n", "")
        .contains('\n'));
    repo.install_hook();
    let doctor = repo.envguard(&["doctor"]);
    assert_says!(doctor, 1);

    // Linux: deploy.sh keeps LF even where a checkout would turn text into CRLF.
    let repo = TestRepo::new();
    repo.commit(
        &[
            ("requirements.txt", "flask\n"),
            (".gitattributes", "* text eol=crlf\n"),
        ],
        "app",
    );
    assert_code(&repo.envguard(&["init", "--target", "linux"]), 0);
    repo.git(&["add", "."]);
    repo.git(&["commit", "-qm", "deploy with envguard"]);
    let clone = clone_of(&repo);
    assert!(!std::fs::read(clone.join("deploy.sh"))
        .unwrap()
        .contains(&b'\r'));
}

#[test]
fn doctor_checks_the_committed_bytes_of_the_script() {
    let repo = TestRepo::new();
    repo.commit(
        &[
            ("requirements.txt", "flask\n"),
            (".gitattributes", "* text=auto eol=lf\n"),
        ],
        "app",
    );
    assert_code(&repo.envguard(&["init", "--target", "windows"]), 0);
    // Without init's rule, `text=auto eol=lf` commits deploy.cmd with LF.
    repo.write(".gitattributes", "* text=auto eol=lf\n");
    repo.git(&["add", "."]);
    repo.git(&["commit", "-qm", "deploy with envguard"]);
    assert!(!repo
        .git(&["cat-file", "-p", "HEAD:deploy.cmd"])
        .contains('\r'));
    repo.install_hook();
    let doctor = repo.envguard(&["doctor"]);
    assert_says!(doctor, 1);
}

/// The bytes of `path` in the app (binary-safe).
fn bytes(repo: &TestRepo, path: &str) -> Vec<u8> {
    std::fs::read(repo.dir.join(path)).unwrap()
}

/// `text` with its digest line filled in, as scripts/stamp-digests.py
/// does: what an unedited copy of some other envguard version looks like.
fn restamped(text: &str) -> String {
    let line = envguard_core::shipped::expected_line(text.as_bytes()).unwrap();
    let (before, after) = text.split_once("# envguard-digest: sha256:").unwrap();
    let (_, after) = after.split_once('\n').unwrap();
    format!("{before}# {line}\n{after}")
}

#[test]
fn an_edited_copy_of_envguards_script_is_kept_and_force_replaces_it() {
    let repo = app();
    assert_code(&repo.envguard(&["init"]), 0);
    let ours = repo.read("deploy.sh");
    let edited = ours.replace(
        "\nset -",
        "\npython manage.py migrate --noinput  # added by the team\nset -",
    );
    assert_ne!(edited, ours);
    repo.write("deploy.sh", &edited);
    let before: Vec<_> = [
        "deploy.sh",
        "envguard_check.py",
        ".deployment",
        ".gitattributes",
    ]
    .iter()
    .map(|p| bytes(&repo, p))
    .collect();

    let run = repo.envguard(&["init"]);
    assert_code(&run, 2);
    assert_eq!(
        run.stderr,
        "envguard: deploy.sh is envguard's, edited since envguard wrote it: init keeps your edits. \
         To replace it with this version's, run `envguard init --force`; `git diff deploy.sh` then \
         shows what changed\n"
    );
    let after: Vec<_> = [
        "deploy.sh",
        "envguard_check.py",
        ".deployment",
        ".gitattributes",
    ]
    .iter()
    .map(|p| bytes(&repo, p))
    .collect();
    assert_eq!(before, after, "init wrote something before refusing");

    let forced = repo.envguard(&["init", "--force"]);
    assert_says!(forced, 0);
    assert_eq!(repo.read("deploy.sh"), ours);
}

#[test]
fn an_unedited_copy_of_another_version_is_updated_without_force() {
    let repo = app();
    assert_code(&repo.envguard(&["init"]), 0);
    let ours = repo.read("deploy.sh");
    // Another version of the script, stamped as envguard stamps its own.
    let other = restamped(&ours.replace("\nset -", "\n: an older step\nset -"));
    repo.write("deploy.sh", &other);
    let run = repo.envguard(&["init"]);
    assert_says!(run, 0);
    assert_eq!(repo.read("deploy.sh"), ours);
}

#[test]
fn an_envguard_script_without_a_digest_line_is_kept_unless_forced() {
    let repo = app();
    assert_code(&repo.envguard(&["init"]), 0);
    let ours = repo.read("deploy.sh");
    let legacy: String = ours
        .lines()
        .filter(|l| !l.contains("envguard-digest:"))
        .map(|l| format!("{l}\n"))
        .collect();
    repo.write("deploy.sh", &legacy);
    let run = repo.envguard(&["init"]);
    assert_says!(run, 2);
    assert_eq!(repo.read("deploy.sh"), legacy);
    assert_code(&repo.envguard(&["init", "--force"]), 0);
    assert_eq!(repo.read("deploy.sh"), ours);
}

#[test]
fn a_file_of_your_own_named_like_the_checker_is_never_replaced_without_force() {
    let repo = app();
    repo.write("envguard_check.py", "print('our own check')\n");
    let run = repo.envguard(&["init"]);
    assert_code(&run, 2);
    assert_eq!(
        run.stderr,
        "envguard: envguard_check.py exists and is not envguard's leftovers check: rename it, or \
         replace it with `envguard init --force`\n"
    );
    assert_eq!(repo.read("envguard_check.py"), "print('our own check')\n");
    assert!(
        !repo.dir.join("deploy.sh").exists(),
        "init wrote before refusing"
    );

    // An edited copy of envguard's checker is kept the same way.
    assert_code(&repo.envguard(&["init", "--force"]), 0);
    let checker = repo.read("envguard_check.py");
    repo.write("envguard_check.py", &format!("{checker}# ours\n"));
    let run = repo.envguard(&["init"]);
    assert_says!(run, 2);

    // Windows: deploy.cmd's digest holds in CRLF, and an edit is seen there too.
    let windows = app();
    assert_code(&windows.envguard(&["init", "--target", "windows"]), 0);
    assert_code(&windows.envguard(&["init", "--target", "windows"]), 0);
    let cmd = bytes(&windows, "deploy.cmd");
    assert!(cmd.windows(2).any(|w| w == b"\r\n"));
    let mut edited = cmd.clone();
    edited.extend_from_slice(b"echo ours\r\n");
    std::fs::write(windows.dir.join("deploy.cmd"), &edited).unwrap();
    let run = windows.envguard(&["init", "--target", "windows"]);
    assert_says!(run, 2);
    assert_eq!(bytes(&windows, "deploy.cmd"), edited);
}

#[test]
fn doctor_says_whether_the_committed_script_is_this_versions() {
    let repo = app();
    assert_code(&repo.envguard(&["init"]), 0);
    repo.git(&["add", "."]);
    repo.git(&["commit", "-qm", "deploy with envguard"]);
    repo.install_hook();
    // This version's script: no note about it.
    assert_says!(repo.envguard(&["doctor"]), 1);

    let ours = repo.read("deploy.sh");
    let other = restamped(&ours.replace("\nset -", "\n: an older step\nset -"));
    repo.commit(&[("deploy.sh", &other)], "another version");
    assert_says!(repo.envguard(&["doctor"]), 1);

    repo.commit(&[("deploy.sh", &format!("{ours}echo ours\n"))], "our step");
    assert_says!(repo.envguard(&["doctor"]), 1);
}
